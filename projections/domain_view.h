// DomainView: questions about the domain state at a valid time T — who holds which posts and
// duties, which duties reach an enterprise and through which channel (the responsibility map),
// and who has authority over a body. Used by admission (who may sign what) and by the views.
//
// Reads go through a RowSource: staged-plus-committed rows during admission, committed rows
// for queries. A DomainView caches what it reads; it is not thread-safe and is meant to live
// for one admission decision or one query.
#ifndef DUTYLEDGER_PROJECTIONS_DOMAIN_VIEW_H_
#define DUTYLEDGER_PROJECTIONS_DOMAIN_VIEW_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ledger/admission.h"
#include "ledger/ledger.h"
#include "projections/tables.h"

namespace dutyledger {

class RowSource {
 public:
  virtual ~RowSource() = default;
  virtual Result<std::optional<Bytes>> Get(ByteView key) const = 0;
  // Many rows, in the order of `keys`: one Get each, unless the source batches them.
  virtual Result<std::vector<std::optional<Bytes>>> GetMany(const std::vector<Bytes>& keys) const {
    std::vector<std::optional<Bytes>> out;
    out.reserve(keys.size());
    for (const auto& k : keys) {
      auto row = Get(k);
      if (!row.ok()) return row.status();
      out.push_back(std::move(*row));
    }
    return out;
  }
  virtual Status Scan(ByteView prefix,
                      const std::function<bool(ByteView key, ByteView value)>& fn) const = 0;
  // Rows of type T under `prefix`, decoded; a damaged row fails the scan (tables::ScanRows).
  template <typename T, typename Fn>
  Status ScanRows(ByteView prefix, const Fn& fn) const {
    return tables::ScanRows<T>(
        [this](ByteView p, const std::function<bool(ByteView, ByteView)>& f) { return Scan(p, f); },
        prefix, fn);
  }
};

// Rows as admission sees them (staged in the current batch, then committed).
class AdmissionRows final : public RowSource {
 public:
  explicit AdmissionRows(const AdmissionState& state) : state_(state) {}
  Result<std::optional<Bytes>> Get(ByteView key) const override { return state_.Get(key); }
  Status Scan(ByteView prefix, const std::function<bool(ByteView, ByteView)>& fn) const override {
    return state_.ScanPrefix(prefix, fn);
  }

 private:
  const AdmissionState& state_;
};

// Committed rows of an open ledger, for one query on one thread: its scans reuse their
// iterators (Ledger::Cursors).
class LedgerRows final : public RowSource {
 public:
  explicit LedgerRows(const Ledger& ledger) : ledger_(ledger) {}
  Result<std::optional<Bytes>> Get(ByteView key) const override {
    return ledger_.GetProjection(key);
  }
  Result<std::vector<std::optional<Bytes>>> GetMany(const std::vector<Bytes>& keys) const override {
    return ledger_.GetProjections(keys);
  }
  Status Scan(ByteView prefix, const std::function<bool(ByteView, ByteView)>& fn) const override {
    return ledger_.ScanProjections(prefix, fn, &cursors_);
  }
  Ledger::Cursors* cursors() const { return &cursors_; }

 private:
  const Ledger& ledger_;
  mutable Ledger::Cursors cursors_;
};

// How a duty reaches an enterprise (reference/domain.md §2).
enum class Channel {
  kTerritorial,            // 属地: territorial supervision of the place
  kFirstResponsible,       // 第一责任人 of the place (government / park committee head)
  kPartyFirstResponsible,  // 党政同责: the Party secretary of the place
  kPortfolio,              // 一岗双责: the leader whose portfolio covers it
  kGrid,                   // 网格员
  kInspectorInCharge,      // 驻企 / 包保 inspector
  kSector,                 // 三个必须: the department of its industry
  kComprehensive,          // 综合监管: the emergency management bureau
  kCommittee,              // 安委会 chair and members
  kApproval,  // 谁审批谁负责: signatories of its project approvals (views add these)
};
std::string_view ChannelName(Channel c);  // "territorial", "sector", ...
// The channel a duty of `role` reaches enterprises through; none for registrar and appointing
// authority, which reach no enterprise.
std::optional<Channel> ChannelOf(schema::DutyRole role);

// A place an enterprise is (or would be) in: used before an enterprise exists, too.
struct Place {
  std::string enterprise;  // may be empty
  std::string jurisdiction;
  std::vector<std::string> industries;
};

// One duty (or industry mapping) that reaches a place at T.
struct Coverage {
  std::string holder;  // "official:<id>" or "org:<id>"
  Channel channel;
  std::string duty_id;  // empty for an industry mapping
  std::string via;      // the scope element that matched (jurisdiction, code, enterprise)
  int64_t from = 0;
  int64_t until = tables::kForever;
  uint64_t seq = 0;                     // the entry that assigned it
  uint64_t ended_seq = tables::kNoSeq;  // the entry that ended it, if any
};

struct PostInfo {
  std::string org;
  std::string post;
  bool is_head = false;
  int64_t from = 0;
  int64_t until = tables::kForever;
  uint64_t seq = 0;                     // the appointment
  uint64_t until_seq = tables::kNoSeq;  // the entry that ended it, if any
};

class DomainView {
 public:
  explicit DomainView(const RowSource& rows) : rows_(rows) {}

  template <typename T>
  Result<std::optional<MessageView<T>>> Row(std::string_view table, std::string_view id) const {
    return tables::Read<T>([this](ByteView k) { return rows_.Get(k); }, tables::Key({table, id}));
  }
  Result<bool> Exists(std::string_view table, std::string_view id) const;

  // The enterprise's place as of valid time T (its latest version starting at or before T,
  // else its first).
  Result<std::optional<Place>> EnterprisePlaceAt(const std::string& enterprise, int64_t t) const;

  // The jurisdiction and all its ancestors (itself first). Unknown ids give just themselves.
  Result<std::vector<std::string>> JurisdictionChain(const std::string& jurisdiction) const;
  Result<bool> JurisdictionWithin(const std::string& inner, const std::string& outer) const;
  // The org and its parent orgs (itself first).
  Result<std::vector<std::string>> OrgChain(const std::string& org) const;

  // Every duty and industry mapping that reaches `place` at T, as recorded by the first
  // `known_size` entries (later assignments are unknown; later revocations not yet made).
  Result<std::vector<Coverage>> CoverageOf(const Place& place, int64_t t,
                                           uint64_t known_size = tables::kNoSeq) const;
  // Every duty and mapping that ever reached `place`, with its interval (as known). Shared:
  // memoized, every caller for the same place gets the same list.
  Result<std::shared_ptr<const std::vector<Coverage>>> CoverageEver(
      const Place& place, uint64_t known_size = tables::kNoSeq) const;

  // Remember coverage per place for the life of this view: only for rows that do not change
  // under it (committed rows read by one query), never during admission.
  void MemoizeCoverage() { memoize_coverage_ = true; }
  // Drops the memoized coverage (a report over many places keeps its memory bounded). Lists
  // handed out stay valid: they are shared.
  void ForgetCoverage() {
    coverage_ever_.clear();
    duty_rows_.clear();
  }

  // The industry mappings (三个必须) of `org`, as known: each code's spans, as coverage of the
  // org (channel sector, no duty id), with the jurisdiction each was mapped for ("" for none).
  struct MappingSpan {
    Coverage coverage;
    std::string jurisdiction;
  };
  Result<std::vector<MappingSpan>> MappingsOf(const std::string& org,
                                              uint64_t known_size = tables::kNoSeq) const;

  Result<std::vector<PostInfo>> PostsAt(const std::string& official, int64_t t) const;
  Result<std::vector<PostInfo>> AllPosts(const std::string& official) const;
  // Duties held by a principal ("official:<id>" / "org:<id>") that are in force at T.
  Result<std::vector<MessageView<tables::DutyRow>>> DutiesOfHolderAt(const std::string& principal,
                                                                     int64_t t) const;
  // Every duty the principal was ever assigned (filter by assignedSeq for what was known).
  Result<std::vector<MessageView<tables::DutyRow>>> DutiesOfHolder(
      const std::string& principal) const;

  // Whether `principal` acts for `org` at T: it is the org's key, or an official holding a post
  // in it.
  Result<bool> ActsFor(const std::string& principal, const std::string& org, int64_t t) const;
  // The orgs `principal` acts for at T (the org itself, or the official's orgs).
  Result<std::vector<std::string>> OrgsActedFor(const std::string& principal, int64_t t) const;
  // Whether `principal` acts for some org of one of `kinds` at T (optionally within a place).
  Result<bool> ActsForKind(const std::string& principal,
                           const std::set<schema::OrganizationKind>& kinds, int64_t t,
                           const std::string& within_jurisdiction = "") const;

  // Whether `principal` is reached, at T, by a duty over the place: it holds a covering duty,
  // or acts for a covering body. *how names the channel.
  Result<bool> Covers(const std::string& principal, const Place& place, int64_t t,
                      std::string* how = nullptr) const;

  // Appointing authority over `org` at T: the org's parent body (its key, or the head of it),
  // or a holder of an appointingAuthority duty over the org or a body above it.
  Result<bool> AppointingAuthority(const std::string& principal, const std::string& org,
                                   int64_t t) const;
  // A key registrar may bind keys for its bodies (and their sub-bodies), their members, and the
  // enterprises in their jurisdictions.
  Result<bool> Registrar(const std::string& principal, const std::string& target, int64_t t) const;

 private:
  Status CollectDuties(std::string_view kind, const std::string& value,
                       std::set<std::string>* duty_ids) const;
  // All coverage intervals of `place`; with `at`, only those in force then.
  Result<std::vector<Coverage>> Coverages(const Place& place, std::optional<int64_t> at,
                                          uint64_t known_size) const;
  // The coverage by each of `duty_ids` (those that reach the place), in id order.
  Result<std::vector<Coverage>> DutyCoverages(const std::set<std::string>& duty_ids,
                                              const Place& place,
                                              const std::vector<std::string>& chain,
                                              std::optional<int64_t> at, uint64_t known_size) const;
  static std::vector<MappingSpan> Spans(const std::string& code, const std::string& org,
                                        std::vector<MessageView<tables::MappingRow>>* rows);
  Result<bool> ScopeMatches(tables::DutyRow::Reader duty, const Place& place,
                            const std::vector<std::string>& chain, std::string* via) const;

  const RowSource& rows_;
  mutable std::map<std::string, std::vector<std::string>> jurisdiction_chains_;
  bool memoize_coverage_ = false;
  mutable std::map<std::string, std::shared_ptr<const std::vector<Coverage>>> coverage_ever_;
  // With memoize_coverage_: each duty row read, decoded (none: no such row), by duty id.
  mutable std::map<std::string, std::optional<MessageView<tables::DutyRow>>> duty_rows_;
};

// "official:<id>" → "<id>" if it has that kind, else empty.
std::string PrincipalId(const std::string& principal, std::string_view kind);
bool IndustryMatches(std::string_view scope_code, std::string_view code);

}  // namespace dutyledger

#endif  // DUTYLEDGER_PROJECTIONS_DOMAIN_VIEW_H_
