// LapseMemo: each enterprise's lapses over its whole record, kept between a server's queries.
//
// A lapse reported at a past T, as recorded by K, is one of the lapses of the whole record (as
// recorded by K) that the record had shown by T, its window's end dropped when that end is after
// T (projections/RULES.md, "What a rule knew at T"; the causality tests check it on every golden
// case and on a generated city). So the dossiers and park reports a server answers at one T
// after another need not derive each enterprise's lapses again: they are derived once over the
// whole record and filtered at each T. Only lapses whose windows had closed by T are taken from
// here: an open window's summary describes the open state, which the whole record no longer
// holds. Nor is L30, about record time (it ends at T itself, and which records it counts
// depends on T): an enterprise with a window open at T, or an accident by T, is derived at T, as
// without the memo.
//
// An enterprise is derived over the whole record and kept the second time a view asks about it
// (the first time it is derived at T, as without the memo): that costs more than deriving it up
// to T, and pays only for the enterprises asked about again (a county's, in its heads' dossiers).
// What is kept was derived as recorded by one size of the ledger: a query recorded by another (a
// later append, an earlier --known-at) finds nothing, and one at a larger size drops everything
// kept before. Once one does not fit in the budget, what is kept stays and no more is derived to
// be kept, until that next size. Thread-safe; one per ledger (For).
#ifndef DUTYLEDGER_PROJECTIONS_LAPSE_MEMO_H_
#define DUTYLEDGER_PROJECTIONS_LAPSE_MEMO_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "ledger/ledger.h"
#include "projections/lapses.h"

namespace dutyledger {

class LapseMemo {
 public:
  // The whole record's lapses are derived as of this valid time: later than any T the memo
  // answers for (a query at or after it derives as without the memo).
  static constexpr Time kWholeRecord{int64_t{7258118400} * Time::kNanosPerSecond, 480};  // 2200

  struct Lapse {
    LapseFinding finding;  // its records cleared: they are the sequences below
    std::vector<std::pair<uint64_t, Time>> evidence;  // (sequence, occurred), in order
    std::vector<uint64_t> moved_by;                   // each move's record, or tables::kNoSeq
    Time shown;                                       // when the record showed it
    bool shown_by_record = false;  // a record at `shown` did (else a time limit ran out at it)

    enum class At { kNotShown, kClosed, kOpen };
    // At T: not shown yet (not reported), shown with its window closed (reported as kept), or
    // shown with its window open (reported with the open state's summary: derived at T).
    At When(Time T) const;
  };
  struct Enterprise {
    std::optional<Time> registered;      // the first registration; none: never registered
    std::optional<Time> first_accident;  // from then on, L30 may report at T
    std::vector<Lapse> lapses;           // in the order the rules found them; no L30
    size_t bytes = 0;                    // an estimate, for the budget
  };
  // From what the rules found over the whole record (their records become sequences).
  static std::shared_ptr<const Enterprise> Make(std::optional<Time> registered,
                                                std::optional<Time> first_accident,
                                                const std::vector<LapseFinding>& found);

  explicit LapseMemo(size_t budget) : budget_(budget) {}
  // The ledger's (Options::memo_bytes its budget); none when that is 0.
  static std::shared_ptr<LapseMemo> For(const Ledger& ledger);

  // What was kept for the enterprise as recorded by `known_size` entries, or none.
  std::shared_ptr<const Enterprise> Find(const std::string& enterprise, uint64_t known_size);
  // Whether a view asked for the enterprise before, as recorded by `known_size` (this one is
  // remembered). Deriving the whole record costs more than deriving up to T, so it is worth it
  // only for an enterprise asked about again: the first time, a view derives it at T.
  bool AskedBefore(const std::string& enterprise, uint64_t known_size);
  void Keep(const std::string& enterprise, uint64_t known_size,
            std::shared_ptr<const Enterprise> kept);

  // Lapses a view took from what was kept (a hit whose enterprise had a window open at T, or
  // an accident by T, took none: it was derived at T).
  void CountTaken(size_t lapses);

  struct Stats {
    uint64_t hits = 0, misses = 0;  // Find
    uint64_t taken = 0;             // CountTaken
    size_t enterprises = 0, bytes = 0, budget = 0;
  };
  Stats stats() const;

 private:
  const size_t budget_;
  mutable std::mutex mu_;  // guards everything below
  uint64_t known_size_ = 0;
  std::map<std::string, std::shared_ptr<const Enterprise>> kept_;
  std::set<std::string> asked_;  // AskedBefore's, at known_size_
  // Drops everything when a larger size is asked about: nothing kept answers for it.
  void MoveTo(uint64_t known_size);
  size_t bytes_ = 0;
  bool full_ = false;  // one did not fit: AskedBefore says no until the next size
  uint64_t hits_ = 0, misses_ = 0, taken_ = 0;
};

}  // namespace dutyledger

#endif  // DUTYLEDGER_PROJECTIONS_LAPSE_MEMO_H_
