#include "projections/lapse_memo.h"

#include <algorithm>

#include "projections/tables.h"

namespace dutyledger {
namespace {

size_t Cost(const std::string& s) { return sizeof(std::string) + s.capacity(); }

size_t Cost(const Place& p) {
  size_t n = Cost(p.enterprise) + Cost(p.jurisdiction);
  for (const auto& i : p.industries) n += Cost(i);
  return n;
}

// What a kept lapse costs, roughly: its strings and vectors with their heap blocks.
size_t Cost(const LapseMemo::Lapse& l) {
  const LapseFinding& f = l.finding;
  size_t n = sizeof(LapseMemo::Lapse) + Cost(f.rule) + Cost(f.subject) + Cost(f.summary) +
             Cost(f.summary_zh) + Cost(f.parameter_version) +
             l.evidence.capacity() * sizeof(l.evidence[0]) +
             l.moved_by.capacity() * sizeof(uint64_t);
  for (const auto& [rule, name, value] : f.parameters) n += Cost(rule) + Cost(name) + 8;
  if (f.place) n += Cost(*f.place);
  for (const auto& p : f.extra_holders) n += Cost(p);
  for (const auto& m : f.moves) n += sizeof(m) + Cost(m.place);
  return n;
}

}  // namespace

LapseMemo::Lapse::At LapseMemo::Lapse::When(Time T) const {
  if (shown_by_record ? shown > T : shown >= T) return At::kNotShown;
  return finding.window_end && *finding.window_end <= T ? At::kClosed : At::kOpen;
}

std::shared_ptr<const LapseMemo::Enterprise> LapseMemo::Make(
    std::optional<Time> registered, std::optional<Time> first_accident,
    const std::vector<LapseFinding>& found) {
  auto e = std::make_shared<Enterprise>();
  e->registered = registered;
  e->first_accident = first_accident;
  e->bytes = sizeof(Enterprise);
  e->lapses.reserve(found.size());
  for (const LapseFinding& f : found) {
    auto sighting = f.ShownAt();
    if (!sighting) continue;  // L30: derived at T whenever an accident had happened by T
    Lapse& l = e->lapses.emplace_back();
    l.finding = f;
    l.finding.evidence.clear();
    for (const Record* r : f.evidence) l.evidence.emplace_back(r->seq, r->occurred);
    for (auto& m : l.finding.moves) {
      l.moved_by.push_back(m.record != nullptr ? m.record->seq : tables::kNoSeq);
      m.record = nullptr;
    }
    l.shown = sighting->at;
    l.shown_by_record =
        f.shown == LapseFinding::Shown::kAtStart || f.shown == LapseFinding::Shown::kByLaterRecord;
    e->bytes += Cost(l);
  }
  return e;
}

std::shared_ptr<LapseMemo> LapseMemo::For(const Ledger& ledger) {
  if (ledger.memo_bytes() == 0) return nullptr;
  return std::static_pointer_cast<LapseMemo>(ledger.Attachment("projections.lapse_memo", [&] {
    return std::static_pointer_cast<void>(std::make_shared<LapseMemo>(ledger.memo_bytes()));
  }));
}

bool LapseMemo::ChangesEveryEnterprise(schema::EventBody::Reader body) {
  using Which = schema::EventBody::Which;
  // A correction marks the record it supersedes, in whatever stream that is.
  if (body.hasSupersedes()) return true;
  switch (body.which()) {
    // An enterprise's own business, its supervision and what it is asked for: these reach an
    // enterprise's lapses only through the streams they join (the rows they write are not read
    // by its rules), as do the committee's meetings and decisions, bodies' resourcing, and keys.
    case Which::NOTE:
    case Which::KEY_BOUND:
    case Which::KEY_REVOKED:
    case Which::RESOURCING_RECORDED:
    case Which::COMMITTEE_MEETING_HELD:
    case Which::COMMITTEE_DECISION_RECORDED:
    case Which::COMMITTEE_TASK_STATUS_CHANGED:
    case Which::ENTERPRISE_REGISTERED:
    case Which::ENTERPRISE_PROFILE_UPDATED:
    case Which::ENTERPRISE_PRINCIPAL_CHANGED:
    case Which::KEY_TARGET_CHANGED:
    case Which::CHECKLIST_VERSION_PUBLISHED:
    case Which::ENTERPRISE_RESPONSIBILITY_DECLARED:
    case Which::STANDARDIZATION_GRADE_CHANGED:
    case Which::PERMIT_STATUS_CHANGED:
    case Which::PROJECT_PROPOSED:
    case Which::PROJECT_SAFETY_REVIEWED:
    case Which::SAFETY_PRE_ASSESSMENT_FILED:
    case Which::SAFETY_FACILITY_DESIGN_REVIEWED:
    case Which::PROJECT_MILESTONE_REPORTED:
    case Which::SAFETY_FACILITY_ACCEPTED:
    case Which::PHASE_OUT_DECIDED:
    case Which::INSPECTION_PLAN_APPROVED:
    case Which::INSPECTION_CONDUCTED:
    case Which::HAZARD_IDENTIFIED:
    case Which::HAZARD_SELF_REPORTED:
    case Which::HAZARD_STATISTICS_FILED:
    case Which::RECTIFICATION_ORDERED:
    case Which::RECTIFICATION_PLAN_SUBMITTED:
    case Which::RECTIFICATION_DEADLINE_CHANGED:
    case Which::RECTIFICATION_REPORTED:
    case Which::RECTIFICATION_REVIEWED:
    case Which::HAZARD_LISTING:
    case Which::ON_SITE_MEASURE:
    case Which::CASE_ACTION:
    case Which::PENALTY_NOTICE_SERVED:
    case Which::PENALTY_DECIDED:
    case Which::RESUMPTION_DECIDED:
    case Which::CLOSURE_ACTION:
    case Which::ACCIDENT_REPORTED:
    case Which::ACCIDENT_CASUALTIES_UPDATED:
    case Which::INVESTIGATION_MILESTONE:
    case Which::RESPONSIBILITY_FINDING_RECORDED:
    case Which::OVERSIGHT_CONDUCTED:
    case Which::ACCOUNTABILITY_MEASURE_IMPOSED:
    case Which::RECORD_ACCESSED:
      return false;
    // Places, bodies, posts, duties, mappings, duty lists and committees (the coverage of every
    // place), withdrawals, parameter sets, the genesis, and any type not listed above.
    default:
      return true;
  }
}

Result<bool> LapseMemo::NoneChangesEvery(const Ledger& ledger, uint64_t from, uint64_t to) {
  // Reading on from what was read: a server's appends, a few at a time. Further than this (a
  // follower catching up), the memo begins again rather than hold its queries up.
  constexpr uint64_t kMaxRead = 1 << 16;
  if (from < read_from_) return false;
  if (to > read_to_) {
    if (to - read_to_ > kMaxRead) {
      Reset(to);
      return false;
    }
    std::vector<uint64_t> found;
    Status problem;
    RETURN_IF_ERROR(ledger.ForEachEntry(read_to_, to, [&](const EntryView& e) {
      auto event = EventView::DecodeBody(e);
      if (!event.ok()) {
        problem = event.status().WithContext("entry " + std::to_string(e.sequence()));
        return false;
      }
      if (ChangesEveryEnterprise(event->body())) found.push_back(e.sequence());
      return true;
    }));
    RETURN_IF_ERROR(problem);
    changes_every_.insert(changes_every_.end(), found.begin(), found.end());
    read_to_ = to;
  }
  auto first = std::lower_bound(changes_every_.begin(), changes_every_.end(), from);
  return first == changes_every_.end() || *first >= to;
}

Result<std::shared_ptr<const LapseMemo::Enterprise>> LapseMemo::Find(const Ledger* ledger,
                                                                     const std::string& enterprise,
                                                                     uint64_t known_size,
                                                                     Ledger::Cursors* cursors) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = kept_.find(enterprise);
  if (it == kept_.end()) {
    ++misses_;
    return std::shared_ptr<const Enterprise>();
  }
  if (it->second.size == known_size) {
    ++hits_;
    return it->second.enterprise;
  }
  const uint64_t from = std::min(it->second.size, known_size);
  const uint64_t to = std::max(it->second.size, known_size);
  bool holds = false;
  if (ledger != nullptr) {
    ASSIGN_OR_RETURN(holds, NoneChangesEvery(*ledger, from, to));
    it = kept_.find(enterprise);  // a Reset drops it
    if (it == kept_.end()) holds = false;
  }
  if (holds) {
    ASSIGN_OR_RETURN(auto stream, ledger->SubjectStream("enterprise:" + enterprise, cursors));
    for (const auto& item : stream) {
      if (item.sequence >= from && item.sequence < to) holds = false;
    }
  }
  if (!holds) {
    ++misses_;
    if (ledger != nullptr && it != kept_.end()) {
      ++stale_;
      if (known_size > it->second.size) Drop(it);  // a later size: it will not hold again
    }
    return std::shared_ptr<const Enterprise>();
  }
  ++hits_;
  ++carried_;
  // It holds from its size to this one: met again at a later size, only what follows is read.
  if (known_size > it->second.size) it->second.size = known_size;
  return it->second.enterprise;
}

void LapseMemo::Drop(std::map<std::string, Kept>::iterator it) {
  bytes_ -= it->second.enterprise->bytes;
  kept_.erase(it);
  full_ = false;
}

void LapseMemo::Reset(uint64_t size) {
  kept_.clear();
  asked_.clear();
  bytes_ = 0;
  full_ = false;
  reading_ = true;
  read_from_ = read_to_ = size;
  changes_every_.clear();
}

bool LapseMemo::AskedBefore(const std::string& enterprise, uint64_t known_size) {
  std::lock_guard<std::mutex> l(mu_);
  if (!reading_) Reset(known_size);
  // Earlier than the memo has read (never kept), or than it is asked at now (a query with an
  // earlier --known-at): derived at T, and what was asked at the later size is not forgotten.
  if (known_size < read_from_ || known_size < asked_size_) return false;
  // Asked at one size: an enterprise asked about once between two appends is derived at T, as
  // without the memo (counting asks across appends, a server's one-off queries, each asking
  // about enterprises asked about once long before, derived whole records ~1.3x as slowly).
  // A remembered id costs ~80 bytes: they may take a twelfth more than the budget, then are
  // forgotten at once (64 MiB: 65,536 of them; a city of 1M events has ~25,000 enterprises).
  if (asked_.size() >= budget_ / 1024 || known_size > asked_size_) asked_.clear();
  asked_size_ = known_size;
  const bool again = !asked_.insert(enterprise).second;
  return again && !full_;  // once full, nothing more is derived to be kept
}

void LapseMemo::Keep(const std::string& enterprise, uint64_t known_size,
                     std::shared_ptr<const Enterprise> kept) {
  std::lock_guard<std::mutex> l(mu_);
  if (!reading_) Reset(known_size);
  if (known_size < read_from_ || kept->bytes > budget_) return;
  auto it = kept_.find(enterprise);
  const size_t replaced = it != kept_.end() ? it->second.enterprise->bytes : 0;
  if (bytes_ - replaced + kept->bytes > budget_) {
    // Full: what is kept stays, and AskedBefore asks for no more. Dropping everything instead
    // would have each enterprise asked about before derived over its whole record again, one
    // query after another, each costing more than a derivation up to T.
    full_ = true;
    return;
  }
  bytes_ = bytes_ - replaced + kept->bytes;
  kept_[enterprise] = Kept{known_size, std::move(kept)};
}

void LapseMemo::CountTaken(size_t lapses) {
  std::lock_guard<std::mutex> l(mu_);
  taken_ += lapses;
}

LapseMemo::Stats LapseMemo::stats() const {
  std::lock_guard<std::mutex> l(mu_);
  return Stats{hits_, misses_, carried_, stale_, taken_, kept_.size(), bytes_, budget_};
}

}  // namespace dutyledger
