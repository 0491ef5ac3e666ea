// The causality oracle of the lapse rules: what a rule reports at a past T it knew at T.
//
// Asked at a past T with everything recorded, the lapses are exactly those of the whole record
// (asked far in the future) that were detectable at T, each with its window's end dropped when
// that end is after T. When a lapse is detectable depends on its rule (projections/RULES.md,
// "What a rule knew at T"). L30 is left out: its window ends at T itself.
#ifndef DUTYLEDGER_TESTS_PROJECTIONS_LAPSE_ORACLE_H_
#define DUTYLEDGER_TESTS_PROJECTIONS_LAPSE_ORACLE_H_

#include <set>
#include <string>
#include <vector>

#include "ledger/ledger.h"

namespace dutyledger::testing {

struct OracleResult {
  std::vector<std::string> differences;  // "at T missing: ..." / "at T unexpected: ..."
  size_t instants = 0, windows = 0;
  std::string Describe(size_t shown = 40) const;
};

// Compares the whole-record report at every instant of `grid` and at the boundary instants
// (start, detection, end, each ±1 s) of every `boundary_every`-th window of the report at `far`,
// all as recorded by `now`. Each lapse's content is compared too: its parameters, its summary
// once its window has closed, and its evidence, which at T is the whole record's evidence that
// had occurred by T — the property a store of lapse windows, filtered at query time, rests on.
OracleResult CheckLapseCausality(Ledger& ledger, Time now, Time far, std::set<Time> grid,
                                 size_t boundary_every = 1);

}  // namespace dutyledger::testing

#endif  // DUTYLEDGER_TESTS_PROJECTIONS_LAPSE_ORACLE_H_
