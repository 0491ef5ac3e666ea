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
// as recorded by one size (the first time it is derived at T, as without the memo): that costs
// more than deriving it up to T, and pays only for the enterprises asked about again (a
// county's, in its heads' dossiers).
//
// What is kept was derived as recorded by one size of the ledger. It answers for another size
// (a later append, an earlier --known-at) only when no entry between the two could change it:
// an enterprise's lapses rest on its own stream (EnterpriseFile), the duties, mappings, places
// and committees that cover it, the parameter sets, and the corrections and withdrawals that
// mark records. So an entry in its stream between the sizes makes it stale, and so does any
// entry of a type that writes those tables (ChangesEveryEnterprise: every type but those listed
// there as the enterprise's own business, so that a type added later is taken as changing
// everything until someone says otherwise). The memo reads the entries after the first size it
// saw, once, to know which of them those are (a jump of more than 65,536 entries, a follower
// catching up, begins the memo again). Once one does not fit in the budget, nothing more is
// derived to be kept until what is stale is dropped. Thread-safe; one per ledger (For).
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

#include "ledger/codec.h"
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

  // What was kept for the enterprise that holds as recorded by `known_size` entries, or none.
  // Kept at another size, it holds if no entry between the two sizes could change it; that is
  // asked of `ledger` (none: only what was kept at `known_size` itself is found), through the
  // asking query's `cursors` if it has them. What is found stale for a later size is dropped.
  Result<std::shared_ptr<const Enterprise>> Find(const Ledger* ledger,
                                                 const std::string& enterprise, uint64_t known_size,
                                                 Ledger::Cursors* cursors = nullptr);
  // Whether a view asked for the enterprise before, as recorded by `known_size` (this one is
  // remembered). Deriving the whole record costs more than deriving up to T, so it is worth it
  // only for an enterprise asked about again: the first time, a view derives it at T.
  bool AskedBefore(const std::string& enterprise, uint64_t known_size);
  void Keep(const std::string& enterprise, uint64_t known_size,
            std::shared_ptr<const Enterprise> kept);

  // Whether an entry of this body may change the lapses of enterprises whose streams it is not
  // in (see above).
  static bool ChangesEveryEnterprise(schema::EventBody::Reader body);

  // Lapses a view took from what was kept (a hit whose enterprise had a window open at T, or
  // an accident by T, took none: it was derived at T).
  void CountTaken(size_t lapses);

  struct Stats {
    uint64_t hits = 0, misses = 0;  // Find
    uint64_t carried = 0;           // hits kept at another size
    uint64_t stale = 0;             // misses kept at another size, changed between
    uint64_t taken = 0;             // CountTaken
    size_t enterprises = 0, bytes = 0, budget = 0;
  };
  Stats stats() const;

 private:
  struct Kept {
    uint64_t size;  // as recorded by this many entries
    std::shared_ptr<const Enterprise> enterprise;
  };
  // Whether the entries [from, to) hold none that changes every enterprise's lapses: false when
  // they do, or when they are not all within what was read (reading on to `to` first, if that
  // is not too far).
  Result<bool> NoneChangesEvery(const Ledger& ledger, uint64_t from, uint64_t to);
  void Drop(std::map<std::string, Kept>::iterator it);
  void Reset(uint64_t size);  // forgets everything: the memo begins again at `size`

  const size_t budget_;
  mutable std::mutex mu_;  // guards everything below
  std::map<std::string, Kept> kept_;
  std::set<std::string> asked_;  // AskedBefore's, as recorded by asked_size_ entries
  uint64_t asked_size_ = 0;
  // The entries read so far, [read_from_, read_to_), and those of them that change every
  // enterprise's lapses (sorted). Nothing read until the first size the memo sees.
  bool reading_ = false;
  uint64_t read_from_ = 0, read_to_ = 0;
  std::vector<uint64_t> changes_every_;
  size_t bytes_ = 0;
  bool full_ = false;  // one did not fit: AskedBefore says no until some is dropped
  uint64_t hits_ = 0, misses_ = 0, carried_ = 0, stale_ = 0, taken_ = 0;
};

}  // namespace dutyledger

#endif  // DUTYLEDGER_PROJECTIONS_LAPSE_MEMO_H_
