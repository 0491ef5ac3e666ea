// History: the events behind a view, read bitemporally.
//
// A view answers "the world as it was at T (valid time), as recorded by K (transaction time)".
// The loader reads a subject's stream (the subject index the admission rules keep), keeps the
// events recorded by K, and marks each: late (recorded long after it occurred), recorded after
// T, superseded or withdrawn (as known at K). It never reads the whole log: only the streams a
// view names, and the entries in them.
//
// Not thread-safe; one per query.
#ifndef DUTYLEDGER_PROJECTIONS_HISTORY_H_
#define DUTYLEDGER_PROJECTIONS_HISTORY_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ledger/ledger.h"
#include "projections/domain_view.h"
#include "projections/schema/views.capnp.h"

namespace dutyledger {

struct QueryTime {
  Time valid_at;            // T
  Time known_at;            // K
  uint64_t known_size = 0;  // entries recorded by K
  int64_t late_threshold_nanos = 72 * Time::kNanosPerHour;

  // T and K from --valid-at / --known-at (either may be empty: now); dates mean end of day
  // in UTC+8.
  static Result<QueryTime> Parse(const Ledger& ledger, Clock& clock, const std::string& valid_at,
                                 const std::string& known_at);
};

// One event, as the views see it.
struct Record {
  explicit Record(std::shared_ptr<const StoredEvent> s)
      : stored(std::move(s)), entry(stored->entry), event(stored->event) {}

  std::shared_ptr<const StoredEvent> stored;  // shared with the ledger's other readers

  uint64_t seq = 0;
  Time occurred;
  Time recorded;
  const EntryView& entry;
  const EventView& event;
  const Digest& leaf() const { return stored->leaf(); }
  const std::string* signer_principal = nullptr;  // History's, shared by the signer's records
  bool late = false;         // recorded more than the threshold after it occurred
  bool after_valid = false;  // recorded after T about T or before
  bool superseded = false;   // replaced by a correction recorded by K
  bool withdrawn = false;    // withdrawn by K
  std::string correction_reason;
  uint64_t corrected_by = tables::kNoSeq;  // the correction or withdrawal, as known at K

  schema::EventBody::Reader body() const { return event.body(); }
  ByteView event_id() const {
    auto id = body().getEventId();
    return ByteView(reinterpret_cast<const char*>(id.begin()), id.size());
  }
  // The signer's principal ("" for none).
  const std::string& signer() const;
  bool effective() const { return !superseded && !withdrawn; }
};

class History {
 public:
  History(const Ledger& ledger, QueryTime time);

  const QueryTime& time() const { return time_; }
  const Ledger& ledger() const { return ledger_; }
  DomainView& domain() { return domain_; }

  // The records of a subject's stream recorded by K, in (occurredAt, sequence) order.
  // `until_valid`: only those that occurred at or before T.
  Result<std::vector<const Record*>> Stream(const std::string& subject, bool until_valid = true);
  Result<const Record*> At(uint64_t seq);
  // Reads those of these records not held yet, in one batch (At then finds them held).
  Status Preload(const std::vector<uint64_t>& seqs) { return Load(seqs); }
  // This query's iterators (for reads of the ledger on its behalf).
  Ledger::Cursors* cursors() const { return rows_.cursors(); }
  // The committed projection rows under `prefix`, in key order, through this query's cursors.
  Status Scan(ByteView prefix, const std::function<bool(ByteView, ByteView)>& fn) const {
    return rows_.Scan(prefix, fn);
  }

  // The evidence form of a record.
  void FillEvidence(const Record& r, views::Evidence::Builder out) const;

  // How many records are held, and dropping them: every Record* handed out before Forget is
  // invalid after it (a report over a whole city reads it in parts, forgetting between them).
  size_t held() const { return records_.size(); }
  void Forget() { records_.clear(); }

  // Names for principals ("official:x" → 王刚; "org:y" → body name; enterprises by name); ""
  // for one with no row. A row that does not decode fails (it would label evidence wrongly).
  Result<std::string> NameOf(const std::string& principal);

 private:
  Status Load(const std::vector<uint64_t>& seqs);

  const Ledger& ledger_;
  QueryTime time_;
  LedgerRows rows_;
  DomainView domain_;
  // Each record in its node (a node does not move: the pointers handed out stay valid).
  std::unordered_map<uint64_t, Record> records_;
  std::map<Digest, std::string> principals_;  // nodes stay put: records point at them
  std::map<std::string, std::string> names_;
};

}  // namespace dutyledger

#endif  // DUTYLEDGER_PROJECTIONS_HISTORY_H_
