#include "projections/history.h"

#include <algorithm>

#include "ledger/codec.h"
#include "projections/tables.h"

namespace dutyledger {

namespace name = tables::name;

Result<QueryTime> QueryTime::Parse(const Ledger& ledger, Clock& clock, const std::string& valid_at,
                                   const std::string& known_at) {
  QueryTime q;
  Time now = clock.Now().WithOffset(480);
  if (valid_at.empty()) {
    q.valid_at = now;
  } else {
    ASSIGN_OR_RETURN(q.valid_at, ParseTimeArgument(valid_at, 480));
  }
  if (known_at.empty()) {
    q.known_at = now;
    q.known_size = ledger.size();
  } else {
    ASSIGN_OR_RETURN(q.known_at, ParseTimeArgument(known_at, 480));
    ASSIGN_OR_RETURN(q.known_size, ledger.SizeKnownAt(q.known_at));
  }
  return q;
}

History::History(const Ledger& ledger, QueryTime time)
    : ledger_(ledger), time_(time), rows_(ledger), domain_(rows_) {
  domain_.MemoizeCoverage();  // committed rows: they do not change under one query
}

const std::string& Record::signer() const {
  static const std::string kNone;
  return signer_principal != nullptr ? *signer_principal : kNone;
}

Status History::Load(const std::vector<uint64_t>& seqs) {
  std::vector<uint64_t> missing;
  for (uint64_t s : seqs) {
    if (!records_.count(s)) missing.push_back(s);
  }
  if (missing.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(auto events, ledger_.ReadEvents(missing));
  std::vector<Record> loaded;
  loaded.reserve(events.size());
  std::vector<Bytes> marks;  // the correction rows to look for, one per record
  marks.reserve(events.size());
  for (auto& e : events) {
    Record& r = loaded.emplace_back(std::move(e));
    r.seq = r.entry.sequence();
    r.occurred = ReadTime(r.body().getOccurredAt());
    r.recorded = ReadTime(r.entry.entry().getRecordedAt());
    r.late = r.recorded.unix_nanos - r.occurred.unix_nanos > time_.late_threshold_nanos;
    r.after_valid = r.recorded > time_.valid_at && r.occurred <= time_.valid_at;
    marks.push_back(tables::Key({name::kCorrection, r.event_id()}));
    auto key_id = r.body().getSignerKeyId();
    auto digest =
        Digest::FromBytes(ByteView(reinterpret_cast<const char*>(key_id.begin()), key_id.size()));
    if (digest) {
      auto cached = principals_.find(*digest);
      if (cached == principals_.end()) {
        ASSIGN_OR_RETURN(auto key, ledger_.FindKey(*digest));
        // Every entry was admitted with a key of the key table: one that is not there now means
        // the tables were damaged or altered, and its records would be shown with no signer.
        if (!key) {
          return IntegrityViolation("entry " + std::to_string(r.seq) + ": its signer key " +
                                    digest->Hex().substr(0, 16) +
                                    " is not in the key table; run `dutyledger verify`");
        }
        cached = principals_.emplace(*digest, key->principal).first;
      }
      r.signer_principal = &cached->second;
    }
  }
  // Superseded or withdrawn, as known at K.
  ASSIGN_OR_RETURN(auto rows, rows_.GetMany(marks));
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i]) continue;
    Record& r = loaded[i];
    ASSIGN_OR_RETURN(auto mark,
                     MessageView<tables::CorrectionRow>::Decode(*rows[i], "projection row"));
    if (mark->getSeq() < time_.known_size) {
      (mark->getWithdrawn() ? r.withdrawn : r.superseded) = true;
      r.correction_reason = mark->getReason().cStr();
      r.corrected_by = mark->getSeq();
    }
  }
  // Held only once whole: a load that failed part way leaves none of its records findable.
  // (No reserve: reserving each load's total rehashed the table on every load.)
  for (auto& r : loaded) records_.emplace(r.seq, std::move(r));
  return Status::Ok();
}

Result<std::vector<const Record*>> History::Stream(const std::string& subject, bool until_valid) {
  ASSIGN_OR_RETURN(auto items, ledger_.SubjectStream(subject, rows_.cursors()));
  std::vector<uint64_t> wanted;
  for (const auto& item : items) {
    if (item.sequence >= time_.known_size) continue;
    if (until_valid && item.occurred_at > time_.valid_at) continue;
    wanted.push_back(item.sequence);
  }
  RETURN_IF_ERROR(Load(wanted));
  std::vector<const Record*> out;
  for (uint64_t s : wanted) out.push_back(&records_.at(s));
  std::stable_sort(out.begin(), out.end(), [](const Record* a, const Record* b) {
    return a->occurred != b->occurred ? a->occurred < b->occurred : a->seq < b->seq;
  });
  return out;
}

Result<const Record*> History::At(uint64_t seq) {
  if (seq >= time_.known_size) return NotFound("entry " + std::to_string(seq) + " not known");
  if (auto held = records_.find(seq); held != records_.end()) return &held->second;
  RETURN_IF_ERROR(Load({seq}));
  return &records_.at(seq);
}

void History::FillEvidence(const Record& r, views::Evidence::Builder out) const {
  out.setSequence(r.seq);
  out.setLeafHash(capnp::Data::Reader(r.leaf().data(), Digest::kSize));
  out.setEventId(r.body().getEventId());
  out.setType(r.event.type_name());
  out.setSigner(r.signer());
  WriteTime(out.initOccurredAt(), r.occurred);
  WriteTime(out.initRecordedAt(), r.recorded.WithOffset(480));
  out.setLate(r.late);
  // Evidence for the state at T recorded after T: about T or before (or retroactive).
  out.setRecordedAfterQuery(r.recorded > time_.valid_at);
  out.setSuperseded(r.superseded);
  out.setWithdrawn(r.withdrawn);
}

Result<std::string> History::NameOf(const std::string& principal) {
  auto cached = names_.find(principal);
  if (cached != names_.end()) return cached->second;
  // The name field of the principal's row, if it has one.
  auto name = [&](const auto& row) -> Result<std::string> {
    if (!row.ok()) return row.status();
    return *row ? std::string((**row)->getName().cStr()) : std::string();
  };
  Result<std::string> result = std::string();
  if (std::string id = PrincipalId(principal, "official"); !id.empty()) {
    result = name(domain_.Row<tables::OfficialRow>(name::kOfficial, id));
  } else if (std::string id = PrincipalId(principal, "org"); !id.empty()) {
    result = name(domain_.Row<tables::OrgRow>(name::kOrg, id));
  } else if (std::string id = PrincipalId(principal, "enterprise"); !id.empty()) {
    result = name(domain_.Row<tables::EnterpriseRow>(name::kEnterprise, id));
  } else if (std::string id = PrincipalId(principal, "jurisdiction"); !id.empty()) {
    result = name(domain_.Row<tables::JurisdictionRow>(name::kJurisdiction, id));
  }
  if (!result.ok()) return result.status().WithContext("the name of " + principal);
  names_[principal] = *result;
  return result;
}

}  // namespace dutyledger
