#include "projections/domain_rules.h"

#include <algorithm>
#include <set>

#include "ledger/schema/event.capnp.h"
#include "ledger/uuid.h"
#include "projections/domain_view.h"
#include "projections/tables.h"

namespace dutyledger {

using tables::Key;
using tables::Prefix;
using tables::SeqPart;
namespace name = tables::name;
namespace sc = schema;
using Which = schema::EventBody::Which;
using OK = schema::OrganizationKind;

namespace {

ByteView AsView(capnp::Data::Reader d) {
  return ByteView(reinterpret_cast<const char*>(d.begin()), d.size());
}

// Everything one admission decision works with.
struct Ctx {
  const Candidate& c;
  AdmissionState& state;
  sc::EventBody::Reader body;
  std::string type;    // the event type's name, e.g. "inspectionConducted"
  std::string signer;  // the signer's principal
  bool root = false;   // signed by a root authority key
  bool check = true;   // kAdmit: check authority
  int64_t t = 0;       // occurredAt (valid time), nanoseconds
  uint64_t seq = 0;
  AdmissionRows rows;
  DomainView view;
  std::set<std::string> subjects;  // subject streams this event joins

  Ctx(const Candidate& cand, AdmissionState& st, bool checking)
      : c(cand),
        state(st),
        body(cand.event->body()),
        type(cand.event->type_name()),
        signer(cand.signer->principal),
        root(cand.signer->is_root),
        check(checking),
        t(ReadTime(body.getOccurredAt()).unix_nanos),
        seq(cand.sequence),
        rows(st),
        view(rows) {}

  std::string When() const { return FormatRfc3339(Time{t, 480}).substr(0, 10); }
  void Index(const std::string& kind, std::string_view id) {
    if (!id.empty()) subjects.insert(kind + ":" + std::string(id));
  }
  void Put(std::initializer_list<std::string_view> key, const Bytes& row) {
    state.Put(Key(key), row);
  }
  void Mark(std::initializer_list<std::string_view> key) { state.Put(Key(key), ByteView()); }
};

// ---- refusals: each names the rule, the signer and the subject (RULES.md).

Status Refuse(const Ctx& x, std::string_view rule, const std::string& subject,
              const std::string& why) {
  return PermissionDenied("rule " + std::string(rule) + ": " + x.signer + " may not record " +
                          x.type + " for " + subject + " on " + x.When() + ": " + why);
}

Status Missing(const Ctx& x, const std::string& what) {
  return NotFound("rule reference: " + x.type + " by " + x.signer + " names " + what +
                  ", which is not recorded");
}

Status Transition(const Ctx& x, const std::string& subject, const std::string& why) {
  return FailedPrecondition("rule transition: " + x.type + " by " + x.signer + " for " + subject +
                            ": " + why);
}

Status BadField(const Ctx& x, const std::string& field, const std::string& why) {
  return InvalidArgument("rule fields: " + x.type + " by " + x.signer + ": field " + field + ": " +
                         why);
}

// Ids are text chosen by the signer: non-empty, at most 128 bytes, no control characters.
Status CheckId(const Ctx& x, const std::string& field, std::string_view id, bool required = true) {
  if (id.empty()) return required ? BadField(x, field, "required") : Status::Ok();
  if (id.size() > 128) return BadField(x, field, "longer than 128 bytes");
  for (unsigned char c : id) {
    if (c < 0x20 || c == 0x7f) return BadField(x, field, "control characters are not allowed");
  }
  return Status::Ok();
}

int64_t TimeOr(sc::Timestamp::Reader ts, bool has, int64_t fallback) {
  return has ? ts.getUnixNanos() : fallback;
}

std::string Str(capnp::Text::Reader t) { return t.cStr(); }

Status RequireExists(Ctx& x, std::string_view table, const std::string& what,
                     const std::string& id) {
  ASSIGN_OR_RETURN(bool exists, x.view.Exists(table, id));
  if (!exists) return Missing(x, what + " " + id);
  return Status::Ok();
}

// ---- authority checks

// Registry events (places, bodies, appointments, duties): the root, or appointing authority.
Status RequireAppointing(Ctx& x, const std::string& org, const std::string& subject) {
  if (!x.check || x.root) return Status::Ok();
  ASSIGN_OR_RETURN(bool ok, x.view.AppointingAuthority(x.signer, org, x.t));
  if (ok) return Status::Ok();
  return Refuse(x, "appointing-authority", subject,
                "no appointing authority over org:" + org +
                    " (needs the key of a body above it, the head of one, or an "
                    "appointingAuthority duty)");
}

Result<Place> PlaceOf(Ctx& x, const std::string& enterprise) {
  ASSIGN_OR_RETURN(auto place, x.view.EnterprisePlaceAt(enterprise, x.t));
  if (!place) return Missing(x, "enterprise " + enterprise);
  return *place;
}

// Enforcement about an enterprise: an official or body whose duty covers it on that date.
Status RequireCoverage(Ctx& x, const std::string& enterprise) {
  // A refold needs only that the enterprise exists: one row read, where its place scans every
  // version it has had (a tenth of a rebuild). Its row and first version come in one event.
  if (!x.check) return RequireExists(x, name::kEnterprise, "enterprise", enterprise);
  ASSIGN_OR_RETURN(Place place, PlaceOf(x, enterprise));
  ASSIGN_OR_RETURN(bool ok, x.view.Covers(x.signer, place, x.t));
  if (ok) return Status::Ok();
  return Refuse(x, "supervision-duty", "enterprise:" + enterprise,
                "no territorial, sector or comprehensive duty (nor a post in a body holding one) "
                "covers it on that date");
}

// The enterprise's own events: its own key.
Status RequireSelf(Ctx& x, const std::string& enterprise) {
  ASSIGN_OR_RETURN(bool exists, x.view.Exists(name::kEnterprise, enterprise));
  if (!exists) return Missing(x, "enterprise " + enterprise);
  if (!x.check || x.signer == "enterprise:" + enterprise) return Status::Ok();
  return Refuse(x, "enterprise-own-key", "enterprise:" + enterprise,
                "the enterprise signs its own " + x.type + " with its own key");
}

// Either the enterprise itself or a supervisor covering it.
Status RequireSelfOrCoverage(Ctx& x, const std::string& enterprise) {
  if (x.signer == "enterprise:" + enterprise) return RequireSelf(x, enterprise);
  return RequireCoverage(x, enterprise);
}

Status RequireActsFor(Ctx& x, const std::string& org, const std::string& subject,
                      std::string_view rule) {
  if (!x.check || x.root) return Status::Ok();
  ASSIGN_OR_RETURN(bool ok, x.view.ActsFor(x.signer, org, x.t));
  if (ok) return Status::Ok();
  return Refuse(x, rule, subject, "does not act for org:" + org + " on that date");
}

Status RequireKind(Ctx& x, const std::set<OK>& kinds, const std::string& subject,
                   std::string_view rule, const std::string& what, bool allow_root,
                   const std::string& within = "") {
  if (!x.check || (allow_root && x.root)) return Status::Ok();
  ASSIGN_OR_RETURN(bool ok, x.view.ActsForKind(x.signer, kinds, x.t, within));
  if (ok) return Status::Ok();
  return Refuse(x, rule, subject, "only " + what + " may");
}

Status RequireOfficial(Ctx& x, const std::string& field, const std::string& official) {
  RETURN_IF_ERROR(CheckId(x, field, official));
  ASSIGN_OR_RETURN(bool exists, x.view.Exists(name::kOfficial, official));
  if (!exists) return Missing(x, "official " + official + " (" + field + ")");
  return Status::Ok();
}

Status RequireOfficials(Ctx& x, const std::string& field, capnp::List<capnp::Text>::Reader list) {
  for (auto o : list) RETURN_IF_ERROR(RequireOfficial(x, field, o.cStr()));
  return Status::Ok();
}

// A new id, unless this event corrects the one that created it.
Status RequireNew(Ctx& x, std::string_view table, const std::string& field, const std::string& id,
                  uint64_t* corrected_seq = nullptr) {
  RETURN_IF_ERROR(CheckId(x, field, id));
  ASSIGN_OR_RETURN(auto row, x.state.Get(Key({table, id})));
  if (!row) return Status::Ok();
  if (corrected_seq != nullptr && *corrected_seq != tables::kNoSeq) return Status::Ok();
  return Transition(x, field + " " + id,
                    "already recorded (ids are unique; a correction names "
                    "the event it supersedes)");
}

// Principals named as holders, owners or subjects must exist.
Status RequirePrincipal(Ctx& x, const std::string& field, const std::string& principal) {
  if (std::string id = PrincipalId(principal, "official"); !id.empty()) {
    return RequireExists(x, name::kOfficial, "official", id);
  }
  if (std::string id = PrincipalId(principal, "org"); !id.empty()) {
    return RequireExists(x, name::kOrg, "org", id);
  }
  if (std::string id = PrincipalId(principal, "enterprise"); !id.empty()) {
    return RequireExists(x, name::kEnterprise, "enterprise", id);
  }
  if (std::string id = PrincipalId(principal, "jurisdiction"); !id.empty()) {
    return RequireExists(x, name::kJurisdiction, "jurisdiction", id);
  }
  return BadField(
      x, field,
      "'" + principal + "' is not a principal (official:<id>, org:<id>, enterprise:<id>)");
}

// ---- rows

void PutEnterpriseVersion(Ctx& x, const std::string& id, tables::EnterpriseRow::Reader e,
                          int64_t from) {
  x.Put({name::kEnterpriseVersion, id, SeqPart(x.seq)},
        tables::Build<tables::EnterpriseVersionRow>([&](auto v) {
          v.setFrom(from);
          v.setSeq(x.seq);
          v.setJurisdiction(e.getJurisdiction());
          v.setIndustryCodes(e.getIndustryCodes());
          v.setRiskClass(e.getRiskClass());
          v.setKeyTarget(e.getKeyTarget());
          v.setForeignInvested(e.getForeignInvested());
          v.setEmergingSector(e.getEmergingSector());
        }));
}

Result<MessageView<tables::EnterpriseRow>> EnterpriseRow(Ctx& x, const std::string& id) {
  ASSIGN_OR_RETURN(auto row, x.view.Row<tables::EnterpriseRow>(name::kEnterprise, id));
  if (!row) return Missing(x, "enterprise " + id);
  return std::move(*row);
}

void PutEnterprise(Ctx& x, const std::string& id, const Bytes& row) {
  x.Put({name::kEnterprise, id}, row);
}

// ---- A. organisation

Status Jurisdiction(Ctx& x) {
  auto e = x.body.getJurisdictionRegistered();
  std::string id = Str(e.getJurisdictionId()), parent = Str(e.getParent());
  RETURN_IF_ERROR(RequireNew(x, name::kJurisdiction, "jurisdictionId", id));
  if (e.getKind() == sc::JurisdictionKind::UNSPECIFIED) return BadField(x, "kind", "required");
  if (!parent.empty())
    RETURN_IF_ERROR(RequireExists(x, name::kJurisdiction, "jurisdiction", parent));
  if (x.check && !x.root) {
    // Below the top, the government of the enclosing place may register a place.
    bool ok = false;
    if (!parent.empty()) {
      ASSIGN_OR_RETURN(ok, x.view.ActsForKind(x.signer, {OK::GOVERNMENT}, x.t, parent));
    }
    if (!ok) {
      return Refuse(x, "registry-authority", "jurisdiction:" + id,
                    "only the root authority or the government of the enclosing place may");
    }
  }
  x.Put({name::kJurisdiction, id}, tables::Build<tables::JurisdictionRow>([&](auto r) {
          r.setName(e.getName());
          r.setKind(e.getKind());
          r.setParent(parent);
          r.setSeq(x.seq);
        }));
  x.Index("jurisdiction", id);
  x.Index("jurisdiction", parent);
  return Status::Ok();
}

Status Organization(Ctx& x) {
  auto e = x.body.getOrganizationRegistered();
  std::string id = Str(e.getOrgId()), parent = Str(e.getParentOrg()),
              place = Str(e.getJurisdiction());
  RETURN_IF_ERROR(RequireNew(x, name::kOrg, "orgId", id));
  if (e.getKind() == OK::UNSPECIFIED) return BadField(x, "kind", "required");
  RETURN_IF_ERROR(CheckId(x, "jurisdiction", place));
  RETURN_IF_ERROR(RequireExists(x, name::kJurisdiction, "jurisdiction", place));
  if (!parent.empty()) RETURN_IF_ERROR(RequireExists(x, name::kOrg, "org", parent));
  if (x.check && !x.root) {
    bool ok = false;
    if (!parent.empty()) {
      ASSIGN_OR_RETURN(bool acts, x.view.ActsFor(x.signer, parent, x.t));
      ASSIGN_OR_RETURN(bool appoints, x.view.AppointingAuthority(x.signer, parent, x.t));
      ok = acts || appoints;
    }
    if (!ok) {
      return Refuse(x, "registry-authority", "org:" + id,
                    "only the root authority or the body it belongs to may register a body");
    }
  }
  x.Put({name::kOrg, id}, tables::Build<tables::OrgRow>([&](auto r) {
          r.setName(e.getName());
          r.setKind(e.getKind());
          r.setJurisdiction(place);
          r.setParentOrg(parent);
          r.setSeq(x.seq);
        }));
  x.Index("org", id);
  x.Index("org", parent);
  x.Index("jurisdiction", place);
  return Status::Ok();
}

Status Appointed(Ctx& x) {
  auto e = x.body.getOfficialAppointed();
  std::string official = Str(e.getOfficialId()), org = Str(e.getOrg()), post = Str(e.getPost());
  RETURN_IF_ERROR(CheckId(x, "officialId", official));
  RETURN_IF_ERROR(CheckId(x, "org", org));
  RETURN_IF_ERROR(CheckId(x, "post", post));
  RETURN_IF_ERROR(RequireExists(x, name::kOrg, "org", org));
  RETURN_IF_ERROR(RequireAppointing(x, org, "official:" + official));
  int64_t from = TimeOr(e.getEffectiveFrom(), e.hasEffectiveFrom(), x.t);
  ASSIGN_OR_RETURN(auto existing, x.view.Row<tables::OfficialRow>(name::kOfficial, official));
  if (!existing) {
    if (std::string_view(e.getName().cStr()).empty()) {
      return BadField(x, "name", "required when an official is first appointed");
    }
    x.Put({name::kOfficial, official}, tables::Build<tables::OfficialRow>([&](auto r) {
            r.setName(e.getName());
            r.setSeq(x.seq);
          }));
  }
  ASSIGN_OR_RETURN(auto posts, x.view.PostsAt(official, from));
  for (const auto& p : posts) {
    if (p.org == org && p.post == post) {
      return Transition(x, "official:" + official,
                        "already holds the post " + post + " in org:" + org);
    }
  }
  x.Put({name::kPost, official, SeqPart(x.seq)}, tables::Build<tables::PostRow>([&](auto r) {
          r.setOfficialId(official);
          r.setOrg(org);
          r.setPost(post);
          r.setIsHead(e.getIsHead());
          r.setFrom(from);
          r.setFromSeq(x.seq);
        }));
  x.Mark({name::kOrgMember, org, official, SeqPart(x.seq)});
  x.Index("official", official);
  x.Index("org", org);
  return Status::Ok();
}

Status LeftPost(Ctx& x) {
  auto e = x.body.getOfficialLeftPost();
  std::string official = Str(e.getOfficialId()), org = Str(e.getOrg()), post = Str(e.getPost());
  RETURN_IF_ERROR(RequireOfficial(x, "officialId", official));
  RETURN_IF_ERROR(RequireAppointing(x, org, "official:" + official));
  int64_t until = TimeOr(e.getEffectiveFrom(), e.hasEffectiveFrom(), x.t);
  std::optional<std::pair<Bytes, Bytes>> found;  // key, updated row
  Status scan = tables::ScanRows<tables::PostRow>(
      [&](ByteView prefix, const auto& fn) { return x.state.ScanPrefix(prefix, fn); },
      Prefix({name::kPost, official}),
      [&](ByteView key, const auto& p) {
        if (Str(p->getOrg()) == org && Str(p->getPost()) == post &&
            p->getUntil() == tables::kForever && p->getFrom() <= until) {
          found = std::make_pair(Bytes(key), tables::Modify<tables::PostRow>(p.get(), [&](auto r) {
                                   r.setUntil(until);
                                   r.setUntilSeq(x.seq);
                                 }));
        }
        return true;
      });
  RETURN_IF_ERROR(scan);
  if (!found) {
    return Transition(x, "official:" + official,
                      "holds no open post " + post + " in org:" + org + " to leave");
  }
  x.state.Put(found->first, found->second);
  x.Index("official", official);
  x.Index("org", org);
  return Status::Ok();
}

void IndexDuty(Ctx& x, const std::string& id, const std::string& holder,
               sc::DutyScope::Reader scope, const std::string& committee_place) {
  namespace s = tables::scope;
  x.Mark({name::kDutyIndex, s::kHolder, holder, id});
  for (auto j : scope.getJurisdictions())
    x.Mark({name::kDutyIndex, s::kJurisdiction, j.cStr(), id});
  // By industry only when no place bounds it: a scope with places reaches an enterprise only
  // through one of them (DomainView::ScopeMatches), so it is found through them, and coverage
  // does not read every county's duties for a code.
  if (scope.getJurisdictions().size() == 0) {
    for (auto c : scope.getIndustryCodes()) {
      x.Mark({name::kDutyIndex, s::kIndustry, c.cStr(), id});
    }
  }
  for (auto e : scope.getEnterprises()) x.Mark({name::kDutyIndex, s::kEnterprise, e.cStr(), id});
  for (auto o : scope.getOrgs()) x.Mark({name::kDutyIndex, s::kOrg, o.cStr(), id});
  if (!std::string_view(scope.getCommittee().cStr()).empty()) {
    x.Mark({name::kDutyIndex, s::kCommittee, scope.getCommittee().cStr(), id});
    // A committee duty reaches the enterprises of the committee's place.
    if (!committee_place.empty()) {
      x.Mark({name::kDutyIndex, s::kJurisdiction, committee_place, id});
    }
  }
}

// The bodies through which an appointing authority over a duty holder is judged.
Result<std::vector<std::string>> HolderOrgs(Ctx& x, const std::string& holder, int64_t at) {
  if (std::string org = PrincipalId(holder, "org"); !org.empty()) return std::vector{org};
  std::string official = PrincipalId(holder, "official");
  ASSIGN_OR_RETURN(auto posts, x.view.PostsAt(official, at));
  std::vector<std::string> orgs;
  for (const auto& p : posts) orgs.push_back(p.org);
  return orgs;
}

Status RequireDutyAuthority(Ctx& x, const std::string& holder, int64_t at,
                            const std::string& subject) {
  if (!x.check || x.root) return Status::Ok();
  ASSIGN_OR_RETURN(auto orgs, HolderOrgs(x, holder, at));
  for (const auto& o : orgs) {
    ASSIGN_OR_RETURN(bool ok, x.view.AppointingAuthority(x.signer, o, x.t));
    if (ok) return Status::Ok();
  }
  return Refuse(x, "appointing-authority", subject,
                "no appointing authority over any body " + holder + " belongs to");
}

Status DutyAssigned(Ctx& x) {
  auto e = x.body.getDutyAssigned();
  std::string id = Str(e.getDutyId()), holder = Str(e.getHolder());
  RETURN_IF_ERROR(RequireNew(x, name::kDuty, "dutyId", id));
  RETURN_IF_ERROR(RequirePrincipal(x, "holder", holder));
  if (!PrincipalId(holder, "enterprise").empty() || !PrincipalId(holder, "jurisdiction").empty()) {
    return BadField(x, "holder", "a duty is held by an official or a body");
  }
  if (e.getRole() == sc::DutyRole::UNSPECIFIED) return BadField(x, "role", "required");
  auto scope = e.getScope();
  for (auto j : scope.getJurisdictions()) {
    RETURN_IF_ERROR(RequireExists(x, name::kJurisdiction, "jurisdiction", j.cStr()));
  }
  for (auto en : scope.getEnterprises()) {
    RETURN_IF_ERROR(RequireExists(x, name::kEnterprise, "enterprise", en.cStr()));
  }
  for (auto o : scope.getOrgs()) RETURN_IF_ERROR(RequireExists(x, name::kOrg, "org", o.cStr()));
  std::string committee = Str(scope.getCommittee()), committee_place;
  if (!committee.empty()) {
    ASSIGN_OR_RETURN(auto c, x.view.Row<tables::CommitteeRow>(name::kCommittee, committee));
    if (!c) return Missing(x, "committee " + committee);
    committee_place = Str((*c)->getJurisdiction());
  }
  std::string succeeds = Str(e.getSucceeds());
  if (!succeeds.empty()) RETURN_IF_ERROR(RequireExists(x, name::kDuty, "duty", succeeds));
  int64_t from = TimeOr(e.getEffectiveFrom(), e.hasEffectiveFrom(), x.t);
  int64_t planned = TimeOr(e.getEffectiveUntil(), e.hasEffectiveUntil(), tables::kForever);
  if (planned <= from) return BadField(x, "effectiveUntil", "must be after effectiveFrom");
  RETURN_IF_ERROR(RequireDutyAuthority(x, holder, from, "duty:" + id));
  if (x.check && !x.root &&
      (e.getRole() == sc::DutyRole::APPOINTING_AUTHORITY ||
       e.getRole() == sc::DutyRole::KEY_REGISTRAR)) {
    for (auto o : scope.getOrgs()) {
      ASSIGN_OR_RETURN(bool ok, x.view.AppointingAuthority(x.signer, o.cStr(), x.t));
      if (!ok) {
        return Refuse(x, "appointing-authority", "duty:" + id,
                      "grants powers over org:" + std::string(o.cStr()) +
                          " without appointing authority over it");
      }
    }
  }
  x.Put({name::kDuty, id}, tables::Build<tables::DutyRow>([&](auto r) {
          r.setDutyId(id);
          r.setHolder(holder);
          r.setRole(e.getRole());
          r.setScope(scope);
          r.setFrom(from);
          r.setUntil(planned);
          r.setPlannedUntil(planned);
          r.setAssignedSeq(x.seq);
          r.setSucceeds(succeeds);
        }));
  IndexDuty(x, id, holder, scope, committee_place);
  x.Index("duty", id);
  x.Index("duty", succeeds);
  if (std::string o = PrincipalId(holder, "official"); !o.empty()) x.Index("official", o);
  if (std::string o = PrincipalId(holder, "org"); !o.empty()) x.Index("org", o);
  for (auto j : scope.getJurisdictions()) x.Index("jurisdiction", j.cStr());
  for (auto en : scope.getEnterprises()) x.Index("enterprise", en.cStr());
  x.Index("committee", committee);
  x.Index("jurisdiction", committee_place);
  return Status::Ok();
}

Status DutyRevoked(Ctx& x) {
  auto e = x.body.getDutyRevoked();
  std::string id = Str(e.getDutyId()), successor = Str(e.getSuccessorDutyId());
  RETURN_IF_ERROR(CheckId(x, "dutyId", id));
  ASSIGN_OR_RETURN(auto duty, x.view.Row<tables::DutyRow>(name::kDuty, id));
  if (!duty) return Missing(x, "duty " + id);
  if ((*duty)->getRevokedSeq() != tables::kNoSeq) {
    return Transition(x, "duty:" + id,
                      "was already revoked at entry " + std::to_string((*duty)->getRevokedSeq()));
  }
  if (!successor.empty()) RETURN_IF_ERROR(RequireExists(x, name::kDuty, "duty", successor));
  int64_t until = TimeOr(e.getEffectiveFrom(), e.hasEffectiveFrom(), x.t);
  if (until < (*duty)->getFrom()) {
    return Transition(x, "duty:" + id, "cannot end before it began");
  }
  std::string holder = Str((*duty)->getHolder());
  RETURN_IF_ERROR(RequireDutyAuthority(x, holder, until, "duty:" + id));
  x.Put({name::kDuty, id}, tables::Modify<tables::DutyRow>(duty->get(), [&](auto r) {
          r.setUntil(std::min(until, (*duty)->getPlannedUntil()));
          r.setRevokedSeq(x.seq);
          r.setSuccessor(successor);
          r.setRevokedReason(e.getReason());
        }));
  x.Index("duty", id);
  x.Index("duty", successor);
  if (std::string o = PrincipalId(holder, "official"); !o.empty()) x.Index("official", o);
  if (std::string o = PrincipalId(holder, "org"); !o.empty()) x.Index("org", o);
  for (auto j : (*duty)->getScope().getJurisdictions()) x.Index("jurisdiction", j.cStr());
  for (auto en : (*duty)->getScope().getEnterprises()) x.Index("enterprise", en.cStr());
  return Status::Ok();
}

const std::set<OK> kGovernance = {OK::GOVERNMENT, OK::PARTY_COMMITTEE, OK::SAFETY_COMMITTEE,
                                  OK::SAFETY_COMMITTEE_OFFICE};

Status Mapping(Ctx& x) {
  auto e = x.body.getIndustrySupervisionMapped();
  std::string code = Str(e.getIndustryCode()), org = Str(e.getOrg()),
              place = Str(e.getJurisdiction());
  RETURN_IF_ERROR(CheckId(x, "industryCode", code));
  RETURN_IF_ERROR(CheckId(x, "org", org));
  ASSIGN_OR_RETURN(auto org_row, x.view.Row<tables::OrgRow>(name::kOrg, org));
  if (!org_row) return Missing(x, "org " + org);
  auto kind = (*org_row)->getKind();
  if (kind != OK::SECTOR_DEPARTMENT && kind != OK::EMERGENCY_MANAGEMENT &&
      kind != OK::PARK_SAFETY_BODY) {
    return BadField(x, "org", "org:" + org + " is not a department with supervision duties");
  }
  if (!place.empty()) RETURN_IF_ERROR(RequireExists(x, name::kJurisdiction, "jurisdiction", place));
  RETURN_IF_ERROR(RequireKind(x, kGovernance, "industry " + code, "mapping-authority",
                              "the government or safety committee of the place", true, place));
  int64_t from = TimeOr(e.getEffectiveFrom(), e.hasEffectiveFrom(), x.t);
  x.Put({name::kMapping, code, org, SeqPart(x.seq)}, tables::Build<tables::MappingRow>([&](auto r) {
          r.setIndustryCode(code);
          r.setOrg(org);
          r.setJurisdiction(place);
          r.setFrom(from);
          r.setEnded(e.getEnded());
          r.setClosestBusiness(e.getClosestBusiness());
          r.setSeq(x.seq);
        }));
  // Which codes are mapped to which orgs in a place ("" for none): coverage reads the rows of
  // those orgs only, not every mapping of the code in the city.
  x.Mark({name::kMappingPlace, place, code, org});
  x.Index("org", org);
  x.Index("jurisdiction", place);
  x.Index("industry", code);
  return Status::Ok();
}

Status DutyList(Ctx& x) {
  std::string org = Str(x.body.getDutyListPublished().getOrg());
  RETURN_IF_ERROR(CheckId(x, "org", org));
  RETURN_IF_ERROR(RequireExists(x, name::kOrg, "org", org));
  RETURN_IF_ERROR(RequireActsFor(x, org, "org:" + org, "own-body"));
  x.Index("org", org);
  return Status::Ok();
}

Status Resourcing(Ctx& x) {
  std::string org = Str(x.body.getResourcingRecorded().getOrg());
  RETURN_IF_ERROR(CheckId(x, "org", org));
  ASSIGN_OR_RETURN(auto row, x.view.Row<tables::OrgRow>(name::kOrg, org));
  if (!row) return Missing(x, "org " + org);
  if (x.check && !x.root) {
    ASSIGN_OR_RETURN(bool self, x.view.ActsFor(x.signer, org, x.t));
    bool parent = false;
    std::string p = Str((*row)->getParentOrg());
    if (!p.empty()) {
      ASSIGN_OR_RETURN(parent, x.view.ActsFor(x.signer, p, x.t));
    }
    if (!self && !parent) {
      return Refuse(x, "own-body", "org:" + org,
                    "only the body itself or the body it belongs to records its resourcing");
    }
  }
  x.Index("org", org);
  x.Index("jurisdiction", Str((*row)->getJurisdiction()));
  return Status::Ok();
}

// ---- B. committees

Status RequireCommitteeVoice(Ctx& x, const std::string& committee, tables::CommitteeRow::Reader c) {
  if (!x.check || x.root) return Status::Ok();
  if (x.signer == "org:" + committee || x.signer == "official:" + Str(c.getChair())) {
    return Status::Ok();
  }
  std::string office = Str(c.getOfficeOrg());
  if (!office.empty()) {
    ASSIGN_OR_RETURN(bool ok, x.view.ActsFor(x.signer, office, x.t));
    if (ok) return Status::Ok();
  }
  ASSIGN_OR_RETURN(auto duties, x.view.DutiesOfHolderAt(x.signer, x.t));
  for (const auto& d : duties) {
    if (d->getRole() == sc::DutyRole::COMMITTEE_CHAIR &&
        Str(d->getScope().getCommittee()) == committee) {
      return Status::Ok();
    }
  }
  return Refuse(x, "committee-record", "committee:" + committee,
                "only the committee, its chair or its office (安委办) records its business");
}

Status Constituted(Ctx& x) {
  auto e = x.body.getSafetyCommitteeConstituted();
  std::string id = Str(e.getCommitteeId()), place = Str(e.getJurisdiction());
  RETURN_IF_ERROR(CheckId(x, "committeeId", id));
  ASSIGN_OR_RETURN(auto org, x.view.Row<tables::OrgRow>(name::kOrg, id));
  if (!org) return Missing(x, "org " + id + " (the committee as a body)");
  if ((*org)->getKind() != OK::SAFETY_COMMITTEE) {
    return BadField(x, "committeeId", "org:" + id + " is not a safety committee");
  }
  RETURN_IF_ERROR(RequireExists(x, name::kJurisdiction, "jurisdiction", place));
  RETURN_IF_ERROR(RequireOfficial(x, "chair", Str(e.getChair())));
  RETURN_IF_ERROR(RequireOfficials(x, "viceChairs", e.getViceChairs()));
  RETURN_IF_ERROR(RequireOfficials(x, "members", e.getMembers()));
  for (auto u : e.getMemberUnits()) RETURN_IF_ERROR(RequireExists(x, name::kOrg, "org", u.cStr()));
  std::string office = Str(e.getOfficeOrg());
  if (!office.empty()) RETURN_IF_ERROR(RequireExists(x, name::kOrg, "org", office));
  RETURN_IF_ERROR(RequireAppointing(x, id, "committee:" + id));
  x.Put({name::kCommittee, id}, tables::Build<tables::CommitteeRow>([&](auto r) {
          r.setJurisdiction(place);
          r.setChair(e.getChair());
          r.setOfficeOrg(office);
          r.setMembers(e.getMembers());
          r.setSeq(x.seq);
        }));
  x.Index("committee", id);
  x.Index("jurisdiction", place);
  x.Index("official", Str(e.getChair()));
  for (auto m : e.getViceChairs()) x.Index("official", m.cStr());
  for (auto m : e.getMembers()) x.Index("official", m.cStr());
  return Status::Ok();
}

Result<MessageView<tables::CommitteeRow>> Committee(Ctx& x, const std::string& id) {
  RETURN_IF_ERROR(CheckId(x, "committeeId", id));
  ASSIGN_OR_RETURN(auto c, x.view.Row<tables::CommitteeRow>(name::kCommittee, id));
  if (!c) return Missing(x, "committee " + id);
  return std::move(*c);
}

Status Meeting(Ctx& x) {
  auto e = x.body.getCommitteeMeetingHeld();
  std::string id = Str(e.getMeetingId()), committee = Str(e.getCommitteeId());
  RETURN_IF_ERROR(RequireNew(x, name::kMeeting, "meetingId", id));
  ASSIGN_OR_RETURN(auto c, Committee(x, committee));
  if (e.getType() == sc::MeetingType::UNSPECIFIED) return BadField(x, "type", "required");
  RETURN_IF_ERROR(RequireOfficial(x, "chair", Str(e.getChair())));
  RETURN_IF_ERROR(RequireOfficials(x, "attendees", e.getAttendees()));
  for (auto item : e.getAgenda()) {
    for (auto en : item.getEnterprises()) {
      RETURN_IF_ERROR(RequireExists(x, name::kEnterprise, "enterprise", en.cStr()));
    }
  }
  RETURN_IF_ERROR(RequireCommitteeVoice(x, committee, c.get()));
  x.Put({name::kMeeting, id}, tables::Build<tables::MeetingRow>([&](auto r) {
          r.setCommittee(committee);
          r.setSeq(x.seq);
        }));
  x.Index("committee", committee);
  x.Index("jurisdiction", Str(c->getJurisdiction()));
  x.Index("official", Str(e.getChair()));
  for (auto a : e.getAttendees()) x.Index("official", a.cStr());
  for (auto item : e.getAgenda()) {
    for (auto en : item.getEnterprises()) x.Index("enterprise", en.cStr());
  }
  return Status::Ok();
}

Status Decision(Ctx& x) {
  auto e = x.body.getCommitteeDecisionRecorded();
  std::string id = Str(e.getDecisionId()), committee = Str(e.getCommitteeId()),
              meeting = Str(e.getMeetingId());
  RETURN_IF_ERROR(RequireNew(x, name::kDecision, "decisionId", id));
  ASSIGN_OR_RETURN(auto c, Committee(x, committee));
  if (!meeting.empty()) {
    ASSIGN_OR_RETURN(auto m, x.view.Row<tables::MeetingRow>(name::kMeeting, meeting));
    if (!m) return Missing(x, "meeting " + meeting);
    if (Str((*m)->getCommittee()) != committee) {
      return BadField(x, "meetingId", "meeting " + meeting + " is not of committee " + committee);
    }
  }
  std::set<std::string> task_ids;
  for (auto task : e.getTasks()) {
    RETURN_IF_ERROR(CheckId(x, "tasks.taskId", task.getTaskId().cStr()));
    if (!task_ids.insert(task.getTaskId().cStr()).second) {
      return BadField(x, "tasks.taskId", "duplicate task id " + Str(task.getTaskId()));
    }
    RETURN_IF_ERROR(RequirePrincipal(x, "tasks.owner", Str(task.getOwner())));
    if (!task.hasDue()) return BadField(x, "tasks.due", "every task needs a deadline");
  }
  RETURN_IF_ERROR(RequireCommitteeVoice(x, committee, c.get()));
  x.Put({name::kDecision, id}, tables::Build<tables::DecisionRow>([&](auto r) {
          r.setCommittee(committee);
          r.setSeq(x.seq);
          auto tasks = r.initTasks(e.getTasks().size());
          for (uint i = 0; i < e.getTasks().size(); ++i) {
            auto in = e.getTasks()[i];
            tasks[i].setTaskId(in.getTaskId());
            tasks[i].setOwner(in.getOwner());
            tasks[i].setDue(in.getDue().getUnixNanos());
            tasks[i].setStatus(sc::TaskStatus::IN_PROGRESS);
          }
        }));
  x.Index("committee", committee);
  x.Index("decision", id);
  x.Index("jurisdiction", Str(c->getJurisdiction()));
  for (auto task : e.getTasks()) {
    std::string owner = Str(task.getOwner());
    if (std::string o = PrincipalId(owner, "official"); !o.empty()) x.Index("official", o);
    if (std::string o = PrincipalId(owner, "org"); !o.empty()) x.Index("org", o);
    for (auto en : task.getEnterprises()) x.Index("enterprise", en.cStr());
  }
  return Status::Ok();
}

Status TaskStatus(Ctx& x) {
  auto e = x.body.getCommitteeTaskStatusChanged();
  std::string decision = Str(e.getDecisionId()), task = Str(e.getTaskId());
  RETURN_IF_ERROR(CheckId(x, "decisionId", decision));
  ASSIGN_OR_RETURN(auto d, x.view.Row<tables::DecisionRow>(name::kDecision, decision));
  if (!d) return Missing(x, "decision " + decision);
  int index = -1;
  for (uint i = 0; i < (*d)->getTasks().size(); ++i) {
    if (Str((*d)->getTasks()[i].getTaskId()) == task) index = static_cast<int>(i);
  }
  if (index < 0) return Missing(x, "task " + task + " of decision " + decision);
  if (e.getStatus() == sc::TaskStatus::UNSPECIFIED) return BadField(x, "status", "required");
  if (e.getStatus() == sc::TaskStatus::EXTENDED && !e.hasNewDue()) {
    return BadField(x, "newDue", "an extension needs the new deadline");
  }
  std::string committee = Str((*d)->getCommittee());
  ASSIGN_OR_RETURN(auto c, Committee(x, committee));
  std::string owner = Str((*d)->getTasks()[index].getOwner());
  if (x.check && !x.root && x.signer != owner) {
    bool owner_org = false;
    if (std::string o = PrincipalId(owner, "org"); !o.empty()) {
      ASSIGN_OR_RETURN(owner_org, x.view.ActsFor(x.signer, o, x.t));
    }
    if (!owner_org) RETURN_IF_ERROR(RequireCommitteeVoice(x, committee, c.get()));
  }
  x.Put({name::kDecision, decision}, tables::Modify<tables::DecisionRow>(d->get(), [&](auto r) {
          auto t = r.getTasks()[index];
          t.setStatus(e.getStatus());
          if (e.hasNewDue()) t.setDue(e.getNewDue().getUnixNanos());
        }));
  x.Index("committee", committee);
  x.Index("decision", decision);
  if (std::string o = PrincipalId(owner, "official"); !o.empty()) x.Index("official", o);
  if (std::string o = PrincipalId(owner, "org"); !o.empty()) x.Index("org", o);
  return Status::Ok();
}

// ---- C. enterprises

Status Registered(Ctx& x) {
  auto e = x.body.getEnterpriseRegistered();
  std::string id = Str(e.getEnterpriseId()), place = Str(e.getJurisdiction());
  RETURN_IF_ERROR(RequireNew(x, name::kEnterprise, "enterpriseId", id));
  RETURN_IF_ERROR(CheckId(x, "jurisdiction", place));
  RETURN_IF_ERROR(RequireExists(x, name::kJurisdiction, "jurisdiction", place));
  if (e.getIndustryCodes().size() == 0) {
    return BadField(x, "industryCodes", "at least one GB/T 4754 code (三个必须 needs it)");
  }
  if (e.getSource() == sc::RegistrationSource::UNSPECIFIED)
    return BadField(x, "source", "required");
  if (x.check && !x.root) {
    Place p{id, place, {}};
    for (auto c : e.getIndustryCodes()) p.industries.emplace_back(c.cStr());
    ASSIGN_OR_RETURN(bool ok, x.view.Covers(x.signer, p, x.t));
    if (!ok) {
      return Refuse(x, "supervision-duty", "enterprise:" + id,
                    "no duty over jurisdiction:" + place + " or its industries on that date");
    }
  }
  Bytes row = tables::Build<tables::EnterpriseRow>([&](auto r) {
    r.setName(e.getName());
    r.setJurisdiction(place);
    r.setIndustryCodes(e.getIndustryCodes());
    r.setSource(e.getSource());
    r.setForeignInvested(e.getForeignInvested());
    r.setEmergingSector(e.getEmergingSector());
    r.setRiskClass(e.getRiskClass());
    r.setEmployees(e.getEmployees());
    r.setSeq(x.seq);
  });
  PutEnterprise(x, id, row);
  auto view = MessageView<tables::EnterpriseRow>::Decode(row);
  PutEnterpriseVersion(x, id, view->get(), x.t);
  x.Mark({name::kEnterpriseByPlace, place, id});
  x.Index("enterprise", id);
  x.Index("jurisdiction", place);
  return Status::Ok();
}

Status ProfileUpdated(Ctx& x) {
  auto e = x.body.getEnterpriseProfileUpdated();
  std::string id = Str(e.getEnterpriseId()), place = Str(e.getJurisdiction());
  RETURN_IF_ERROR(CheckId(x, "enterpriseId", id));
  ASSIGN_OR_RETURN(auto row, EnterpriseRow(x, id));
  RETURN_IF_ERROR(RequireSelfOrCoverage(x, id));
  if (!place.empty()) RETURN_IF_ERROR(RequireExists(x, name::kJurisdiction, "jurisdiction", place));
  std::string old_place = Str(row->getJurisdiction());
  Bytes updated = tables::Modify<tables::EnterpriseRow>(row.get(), [&](auto r) {
    if (e.getIndustryCodes().size() > 0) r.setIndustryCodes(e.getIndustryCodes());
    r.setForeignInvested(e.getForeignInvested());
    r.setEmergingSector(e.getEmergingSector());
    if (e.getRiskClass() != sc::RiskClass::UNSPECIFIED) r.setRiskClass(e.getRiskClass());
    if (e.getEmployees() != 0) r.setEmployees(e.getEmployees());
    if (!place.empty()) r.setJurisdiction(place);
  });
  PutEnterprise(x, id, updated);
  PutEnterpriseVersion(x, id, MessageView<tables::EnterpriseRow>::Decode(updated)->get(), x.t);
  if (!place.empty() && place != old_place) {
    // The old place's row stays: the enterprise's history there is still that place's.
    x.Mark({name::kEnterpriseByPlace, place, id});
    x.Index("jurisdiction", place);
  }
  x.Index("enterprise", id);
  x.Index("jurisdiction", old_place);
  return Status::Ok();
}

Status PrincipalChanged(Ctx& x) {
  auto e = x.body.getEnterprisePrincipalChanged();
  std::string id = Str(e.getEnterpriseId());
  RETURN_IF_ERROR(CheckId(x, "enterpriseId", id));
  ASSIGN_OR_RETURN(auto row, EnterpriseRow(x, id));
  RETURN_IF_ERROR(RequireSelfOrCoverage(x, id));
  PutEnterprise(x, id, tables::Modify<tables::EnterpriseRow>(row.get(), [&](auto r) {
                  if (e.hasPrincipalPerson()) r.setPrincipalPerson(e.getPrincipalPerson());
                  if (e.hasLegalRepresentative()) {
                    r.setLegalRepresentative(e.getLegalRepresentative());
                  }
                }));
  x.Index("enterprise", id);
  return Status::Ok();
}

Status KeyTarget(Ctx& x) {
  auto e = x.body.getKeyTargetChanged();
  std::string id = Str(e.getEnterpriseId());
  RETURN_IF_ERROR(CheckId(x, "enterpriseId", id));
  ASSIGN_OR_RETURN(auto row, EnterpriseRow(x, id));
  RETURN_IF_ERROR(RequireCoverage(x, id));
  Bytes updated = tables::Modify<tables::EnterpriseRow>(row.get(), [&](auto r) {
    r.setKeyTarget(e.getDesignated());
    if (e.getRiskClass() != sc::RiskClass::UNSPECIFIED) r.setRiskClass(e.getRiskClass());
  });
  PutEnterprise(x, id, updated);
  PutEnterpriseVersion(x, id, MessageView<tables::EnterpriseRow>::Decode(updated)->get(), x.t);
  x.Index("enterprise", id);
  x.Index("jurisdiction", Str(row->getJurisdiction()));
  return Status::Ok();
}

Status Checklist(Ctx& x) {
  auto e = x.body.getChecklistVersionPublished();
  std::string version = Str(e.getVersion());
  RETURN_IF_ERROR(RequireNew(x, name::kChecklist, "version", version));
  if (e.getItems().size() == 0) return BadField(x, "items", "a checklist needs items");
  std::set<std::string> codes;
  for (auto item : e.getItems()) {
    RETURN_IF_ERROR(CheckId(x, "items.code", item.getCode().cStr()));
    if (!codes.insert(item.getCode().cStr()).second) {
      return BadField(x, "items.code", "duplicate code " + Str(item.getCode()));
    }
  }
  RETURN_IF_ERROR(RequireKind(x, {OK::EMERGENCY_MANAGEMENT, OK::SAFETY_COMMITTEE_OFFICE},
                              "checklist " + version, "checklist-authority",
                              "the emergency management bureau or the committee office", true));
  x.Put({name::kChecklist, version}, tables::Build<tables::ChecklistRow>([&](auto r) {
          r.setVersion(version);
          auto list = r.initCodes(static_cast<uint>(codes.size()));
          uint i = 0;
          for (auto item : e.getItems()) list.set(i++, item.getCode());
          r.setFrom(TimeOr(e.getEffectiveFrom(), e.hasEffectiveFrom(), x.t));
          r.setSeq(x.seq);
        }));
  x.Index("checklist", version);
  return Status::Ok();
}

Status Declared(Ctx& x) {
  auto e = x.body.getEnterpriseResponsibilityDeclared();
  std::string id = Str(e.getEnterpriseId()), version = Str(e.getChecklistVersion());
  RETURN_IF_ERROR(CheckId(x, "enterpriseId", id));
  RETURN_IF_ERROR(RequireSelf(x, id));
  ASSIGN_OR_RETURN(auto cl, x.view.Row<tables::ChecklistRow>(name::kChecklist, version));
  if (!cl) return Missing(x, "checklist version " + version);
  std::set<std::string> codes;
  for (auto c : (*cl)->getCodes()) codes.insert(c.cStr());
  for (auto item : e.getItems()) {
    if (!codes.count(item.getCode().cStr())) {
      return BadField(x, "items.code",
                      "'" + Str(item.getCode()) + "' is not in checklist " + version);
    }
    if (item.getStatus() == sc::ItemStatus::UNSPECIFIED) {
      return BadField(x, "items.status", "required for " + Str(item.getCode()));
    }
  }
  x.Index("enterprise", id);
  x.Index("checklist", version);
  return Status::Ok();
}

Status Standardization(Ctx& x) {
  auto e = x.body.getStandardizationGradeChanged();
  std::string id = Str(e.getEnterpriseId());
  RETURN_IF_ERROR(CheckId(x, "enterpriseId", id));
  if (e.getGrade() > 3) return BadField(x, "grade", "1, 2 or 3 (0: none)");
  RETURN_IF_ERROR(RequireCoverage(x, id));
  x.Index("enterprise", id);
  return Status::Ok();
}

Status Permit(Ctx& x) {
  auto e = x.body.getPermitStatusChanged();
  std::string id = Str(e.getPermitId()), enterprise = Str(e.getEnterpriseId()),
              issuer = Str(e.getIssuingOrg());
  RETURN_IF_ERROR(CheckId(x, "permitId", id));
  RETURN_IF_ERROR(CheckId(x, "enterpriseId", enterprise));
  if (e.getStatus() == sc::PermitStatus::UNSPECIFIED) return BadField(x, "status", "required");
  if (!issuer.empty()) RETURN_IF_ERROR(RequireExists(x, name::kOrg, "org", issuer));
  bool issuer_acts = false;
  if (!issuer.empty() && x.check) {
    ASSIGN_OR_RETURN(issuer_acts, x.view.ActsFor(x.signer, issuer, x.t));
  }
  if (!issuer_acts) RETURN_IF_ERROR(RequireCoverage(x, enterprise));
  ASSIGN_OR_RETURN(auto row, x.view.Row<tables::PermitRow>(name::kPermit, id));
  if (!row && e.getStatus() != sc::PermitStatus::ISSUED) {
    return Transition(
        x, "permit:" + id,
        "a permit never issued cannot be " + std::string(e.getStatus() == sc::PermitStatus::RENEWED
                                                             ? "renewed"
                                                             : "suspended, revoked or expired"));
  }
  if (row && Str((*row)->getEnterprise()) != enterprise) {
    return BadField(x, "enterpriseId",
                    "permit " + id + " belongs to enterprise " + Str((*row)->getEnterprise()));
  }
  if (row && (*row)->getStatus() == sc::PermitStatus::REVOKED) {
    return Transition(x, "permit:" + id, "a revoked permit cannot change again");
  }
  x.Put({name::kPermit, id}, tables::Build<tables::PermitRow>([&](auto r) {
          r.setEnterprise(enterprise);
          r.setPermitType(e.getPermitType());
          r.setStatus(e.getStatus());
          r.setIssuingOrg(issuer);
          r.setSeq(row ? (*row)->getSeq() : x.seq);
        }));
  x.Index("enterprise", enterprise);
  x.Index("org", issuer);
  return Status::Ok();
}

// ---- D. projects

Result<MessageView<tables::ProjectRow>> ProjectRow(Ctx& x, const std::string& id) {
  RETURN_IF_ERROR(CheckId(x, "projectId", id));
  ASSIGN_OR_RETURN(auto p, x.view.Row<tables::ProjectRow>(name::kProject, id));
  if (!p) return Missing(x, "project " + id);
  return std::move(*p);
}

void IndexProject(Ctx& x, const std::string& id, tables::ProjectRow::Reader p) {
  x.Index("project", id);
  x.Index("enterprise", Str(p.getEnterprise()));
  x.Index("jurisdiction", Str(p.getJurisdiction()));
}

Status Proposed(Ctx& x) {
  auto e = x.body.getProjectProposed();
  std::string id = Str(e.getProjectId()), enterprise = Str(e.getEnterpriseId()),
              place = Str(e.getJurisdiction()), promoter = Str(e.getPromotingOfficial());
  RETURN_IF_ERROR(RequireNew(x, name::kProject, "projectId", id));
  RETURN_IF_ERROR(CheckId(x, "enterpriseId", enterprise));
  RETURN_IF_ERROR(RequireExists(x, name::kJurisdiction, "jurisdiction", place));
  if (!promoter.empty()) RETURN_IF_ERROR(RequireOfficial(x, "promotingOfficial", promoter));
  if (x.signer != "official:" + promoter || promoter.empty()) {
    RETURN_IF_ERROR(RequireSelfOrCoverage(x, enterprise));
  } else {
    RETURN_IF_ERROR(RequireExists(x, name::kEnterprise, "enterprise", enterprise));
  }
  x.Put({name::kProject, id}, tables::Build<tables::ProjectRow>([&](auto r) {
          r.setEnterprise(enterprise);
          r.setJurisdiction(place);
          r.setHighRisk(e.getHighRisk());
          r.setSeq(x.seq);
        }));
  x.Index("project", id);
  x.Index("enterprise", enterprise);
  x.Index("jurisdiction", place);
  x.Index("official", promoter);
  return Status::Ok();
}

template <typename Fill>
Status UpdateProject(Ctx& x, const std::string& id, tables::ProjectRow::Reader p, Fill fill) {
  x.Put({name::kProject, id}, tables::Modify<tables::ProjectRow>(p, fill));
  IndexProject(x, id, p);
  return Status::Ok();
}

Status SafetyReview(Ctx& x) {
  auto e = x.body.getProjectSafetyReviewed();
  std::string id = Str(e.getProjectId());
  ASSIGN_OR_RETURN(auto p, ProjectRow(x, id));
  if (e.getOutcome() == sc::ReviewOutcome::UNSPECIFIED) return BadField(x, "outcome", "required");
  RETURN_IF_ERROR(RequireOfficials(x, "signatories", e.getSignatories()));
  RETURN_IF_ERROR(RequireCoverage(x, Str(p->getEnterprise())));
  for (auto s : e.getSignatories()) x.Index("official", s.cStr());
  return UpdateProject(x, id, p.get(), [&](auto r) { r.setReviewOutcome(e.getOutcome()); });
}

Status PreAssessment(Ctx& x) {
  auto e = x.body.getSafetyPreAssessmentFiled();
  std::string id = Str(e.getProjectId());
  ASSIGN_OR_RETURN(auto p, ProjectRow(x, id));
  RETURN_IF_ERROR(RequireSelfOrCoverage(x, Str(p->getEnterprise())));
  return UpdateProject(x, id, p.get(), [&](auto r) { r.setPreAssessed(true); });
}

Status DesignReview(Ctx& x) {
  auto e = x.body.getSafetyFacilityDesignReviewed();
  std::string id = Str(e.getProjectId());
  ASSIGN_OR_RETURN(auto p, ProjectRow(x, id));
  RETURN_IF_ERROR(RequireOfficials(x, "reviewers", e.getReviewers()));
  RETURN_IF_ERROR(RequireCoverage(x, Str(p->getEnterprise())));
  for (auto s : e.getReviewers()) x.Index("official", s.cStr());
  return UpdateProject(x, id, p.get(), [&](auto r) {
    r.setDesignReviewed(true);
    r.setDesignApproved(e.getApproved());
  });
}

Status Milestone(Ctx& x) {
  auto e = x.body.getProjectMilestoneReported();
  std::string id = Str(e.getProjectId());
  ASSIGN_OR_RETURN(auto p, ProjectRow(x, id));
  if (e.getMilestone() == sc::Milestone::UNSPECIFIED) return BadField(x, "milestone", "required");
  // Milestones are evidence: one out of order (production before acceptance) is recorded and
  // flagged by the lapse rules, never refused.
  RETURN_IF_ERROR(RequireSelfOrCoverage(x, Str(p->getEnterprise())));
  uint16_t bit = static_cast<uint16_t>(1u << static_cast<unsigned>(e.getMilestone()));
  return UpdateProject(x, id, p.get(), [&](auto r) {
    r.setMilestones(static_cast<uint16_t>(r.getMilestones() | bit));
  });
}

Status Acceptance(Ctx& x) {
  auto e = x.body.getSafetyFacilityAccepted();
  std::string id = Str(e.getProjectId());
  ASSIGN_OR_RETURN(auto p, ProjectRow(x, id));
  RETURN_IF_ERROR(RequireOfficials(x, "signatories", e.getSignatories()));
  RETURN_IF_ERROR(RequireSelfOrCoverage(x, Str(p->getEnterprise())));
  if (p->getReviewOutcome() == sc::ReviewOutcome::UNSPECIFIED) {
    return Transition(x, "project:" + id,
                      "completion acceptance of a project that never had its safety review");
  }
  for (auto s : e.getSignatories()) x.Index("official", s.cStr());
  return UpdateProject(x, id, p.get(), [&](auto r) { r.setAcceptance(e.getAccepted() ? 1 : 2); });
}

Status PhaseOut(Ctx& x) {
  auto e = x.body.getPhaseOutDecided();
  std::string enterprise = Str(e.getEnterpriseId()), project = Str(e.getProjectId());
  RETURN_IF_ERROR(CheckId(x, "enterpriseId", enterprise));
  if (!project.empty()) {
    ASSIGN_OR_RETURN(auto p, ProjectRow(x, project));
    if (Str(p->getEnterprise()) != enterprise) {
      return BadField(x, "projectId", "project " + project + " is not of enterprise " + enterprise);
    }
    x.Index("project", project);
  }
  RETURN_IF_ERROR(RequireCoverage(x, enterprise));
  x.Index("enterprise", enterprise);
  return Status::Ok();
}

// ---- E. inspections, hazards, rectification

Status Plan(Ctx& x) {
  auto e = x.body.getInspectionPlanApproved();
  std::string id = Str(e.getPlanId()), org = Str(e.getOrg()), place = Str(e.getJurisdiction());
  RETURN_IF_ERROR(RequireNew(x, name::kPlan, "planId", id));
  if (e.getKind() == sc::PlanKind::UNSPECIFIED) return BadField(x, "kind", "required");
  RETURN_IF_ERROR(CheckId(x, "org", org));
  RETURN_IF_ERROR(RequireExists(x, name::kOrg, "org", org));
  RETURN_IF_ERROR(RequireExists(x, name::kJurisdiction, "jurisdiction", place));
  for (auto t : e.getTargets()) {
    RETURN_IF_ERROR(RequireExists(x, name::kEnterprise, "enterprise", t.getEnterpriseId().cStr()));
  }
  RETURN_IF_ERROR(RequireActsFor(x, org, "plan:" + id, "own-body"));
  x.Put({name::kPlan, id}, tables::Build<tables::PlanRow>([&](auto r) {
          r.setOrg(org);
          r.setJurisdiction(place);
          r.setKind(e.getKind());
          r.setSeq(x.seq);
        }));
  x.Index("plan", id);
  x.Index("org", org);
  x.Index("jurisdiction", place);
  for (auto t : e.getTargets()) x.Index("enterprise", t.getEnterpriseId().cStr());
  return Status::Ok();
}

Status Inspection(Ctx& x) {
  auto e = x.body.getInspectionConducted();
  std::string id = Str(e.getInspectionId()), enterprise = Str(e.getEnterpriseId()),
              plan = Str(e.getPlanId()), project = Str(e.getProjectId());
  RETURN_IF_ERROR(RequireNew(x, name::kInspection, "inspectionId", id));
  RETURN_IF_ERROR(CheckId(x, "enterpriseId", enterprise));
  if (e.getMode() == sc::InspectionMode::UNSPECIFIED) return BadField(x, "mode", "required");
  if (e.getMode() == sc::InspectionMode::ENTERPRISE_SELF_CHECK) {
    RETURN_IF_ERROR(RequireSelf(x, enterprise));
  } else {
    if (e.getInspectors().size() == 0) {
      return BadField(x, "inspectors", "an inspection names its inspectors");
    }
    RETURN_IF_ERROR(RequireOfficials(x, "inspectors", e.getInspectors()));
    RETURN_IF_ERROR(RequireCoverage(x, enterprise));
    if (!e.getEnterpriseSigned() && std::string_view(e.getRefusalNote().cStr()).empty()) {
      return BadField(x, "refusalNote",
                      "the record is signed by the enterprise, or its refusal is recorded");
    }
  }
  if (!plan.empty()) RETURN_IF_ERROR(RequireExists(x, name::kPlan, "plan", plan));
  if (!project.empty()) {
    ASSIGN_OR_RETURN(auto p, ProjectRow(x, project));
    if (Str(p->getEnterprise()) != enterprise) {
      return BadField(x, "projectId", "project " + project + " is not of enterprise " + enterprise);
    }
    x.Index("project", project);
  }
  x.Put({name::kInspection, id}, tables::Build<tables::InspectionRow>([&](auto r) {
          r.setEnterprise(enterprise);
          r.setMode(e.getMode());
          r.setAt(x.t);
          r.setSeq(x.seq);
        }));
  x.Index("enterprise", enterprise);
  x.Index("inspection", id);
  x.Index("plan", plan);
  if (e.getMode() != sc::InspectionMode::ENTERPRISE_SELF_CHECK) {
    for (auto o : e.getInspectors()) x.Index("official", o.cStr());
  }
  return Status::Ok();
}

Result<MessageView<tables::HazardRow>> HazardRow(Ctx& x, const std::string& id) {
  RETURN_IF_ERROR(CheckId(x, "hazardId", id));
  ASSIGN_OR_RETURN(auto h, x.view.Row<tables::HazardRow>(name::kHazard, id));
  if (!h) return Missing(x, "hazard " + id);
  return std::move(*h);
}

Status HazardIdentified(Ctx& x, uint64_t corrected_seq) {
  auto e = x.body.getHazardIdentified();
  std::string id = Str(e.getHazardId()), enterprise = Str(e.getEnterpriseId()),
              inspection = Str(e.getInspectionId());
  RETURN_IF_ERROR(CheckId(x, "hazardId", id));
  RETURN_IF_ERROR(CheckId(x, "enterpriseId", enterprise));
  if (e.getGrade() == sc::HazardGrade::UNSPECIFIED) return BadField(x, "grade", "required");
  if (e.getSource() == sc::HazardSource::UNSPECIFIED) return BadField(x, "source", "required");
  if (e.getSource() == sc::HazardSource::SELF_CHECK) {
    RETURN_IF_ERROR(RequireSelfOrCoverage(x, enterprise));
  } else {
    RETURN_IF_ERROR(RequireCoverage(x, enterprise));
  }
  if (!inspection.empty()) {
    ASSIGN_OR_RETURN(auto i, x.view.Row<tables::InspectionRow>(name::kInspection, inspection));
    if (!i) return Missing(x, "inspection " + inspection);
    if (Str((*i)->getEnterprise()) != enterprise) {
      return BadField(x, "inspectionId", "inspection " + inspection + " was of another enterprise");
    }
  }
  ASSIGN_OR_RETURN(auto existing, x.view.Row<tables::HazardRow>(name::kHazard, id));
  if (existing && corrected_seq == tables::kNoSeq) {
    // Reclassification: the same hazard, recorded again with another grade.
    if (Str((*existing)->getEnterprise()) != enterprise) {
      return Transition(x, "hazard:" + id, "is a hazard of another enterprise");
    }
    if ((*existing)->getGrade() == e.getGrade()) {
      return Transition(x, "hazard:" + id,
                        "already recorded with this grade (a reclassification changes the grade)");
    }
  }
  x.Put({name::kHazard, id}, tables::Build<tables::HazardRow>([&](auto r) {
          r.setEnterprise(enterprise);
          r.setGrade(e.getGrade());
          r.setHazardType(e.getHazardType());
          r.setCriteriaRef(e.getCriteriaRef());
          r.setSource(e.getSource());
          r.setIdentifiedAt(existing ? (*existing)->getIdentifiedAt() : x.t);
          r.setSeq(existing ? (*existing)->getSeq() : x.seq);
          if (existing) {
            r.setSelfReported((*existing)->getSelfReported());
            r.setListed((*existing)->getListed());
            r.setClosed((*existing)->getClosed());
          }
        }));
  x.Index("enterprise", enterprise);
  x.Index("hazard", id);
  x.Index("inspection", inspection);
  return Status::Ok();
}

Status HazardSelfReported(Ctx& x) {
  auto e = x.body.getHazardSelfReported();
  std::string id = Str(e.getHazardId()), enterprise = Str(e.getEnterpriseId()),
              to = Str(e.getReportedTo());
  RETURN_IF_ERROR(CheckId(x, "enterpriseId", enterprise));
  RETURN_IF_ERROR(RequireSelf(x, enterprise));
  ASSIGN_OR_RETURN(auto h, HazardRow(x, id));
  if (Str(h->getEnterprise()) != enterprise) {
    return BadField(x, "hazardId", "hazard " + id + " is of another enterprise");
  }
  RETURN_IF_ERROR(CheckId(x, "reportedTo", to));
  RETURN_IF_ERROR(RequireExists(x, name::kOrg, "org", to));
  x.Put({name::kHazard, id},
        tables::Modify<tables::HazardRow>(h.get(), [&](auto r) { r.setSelfReported(true); }));
  x.Index("enterprise", enterprise);
  x.Index("hazard", id);
  x.Index("org", to);
  return Status::Ok();
}

Status Statistics(Ctx& x) {
  auto e = x.body.getHazardStatisticsFiled();
  std::string enterprise = Str(e.getEnterpriseId());
  RETURN_IF_ERROR(CheckId(x, "enterpriseId", enterprise));
  RETURN_IF_ERROR(RequireSelf(x, enterprise));
  if (!e.hasPeriodStart() || !e.hasPeriodEnd() ||
      e.getPeriodEnd().getUnixNanos() <= e.getPeriodStart().getUnixNanos()) {
    return BadField(x, "periodEnd", "a statistics period has a start before its end");
  }
  x.Index("enterprise", enterprise);
  return Status::Ok();
}

Result<MessageView<tables::OrderRow>> OrderRow(Ctx& x, const std::string& id) {
  RETURN_IF_ERROR(CheckId(x, "orderId", id));
  ASSIGN_OR_RETURN(auto r, x.view.Row<tables::OrderRow>(name::kOrder, id));
  if (!r) return Missing(x, "rectification order " + id);
  return std::move(*r);
}

void IndexOrder(Ctx& x, const std::string& id, tables::OrderRow::Reader o) {
  x.Index("order", id);
  x.Index("enterprise", Str(o.getEnterprise()));
  for (auto h : o.getHazards()) x.Index("hazard", h.cStr());
}

Status Ordered(Ctx& x, uint64_t corrected_seq) {
  auto e = x.body.getRectificationOrdered();
  std::string id = Str(e.getOrderId()), enterprise = Str(e.getEnterpriseId());
  RETURN_IF_ERROR(RequireNew(x, name::kOrder, "orderId", id, &corrected_seq));
  RETURN_IF_ERROR(CheckId(x, "enterpriseId", enterprise));
  if (!e.hasDeadline()) return BadField(x, "deadline", "a 责令限期整改 order has a deadline");
  for (auto h : e.getHazards()) {
    ASSIGN_OR_RETURN(auto hazard, HazardRow(x, h.cStr()));
    if (Str(hazard->getEnterprise()) != enterprise) {
      return BadField(x, "hazards", "hazard " + Str(h) + " is of another enterprise");
    }
  }
  std::string inspection = Str(e.getInspectionId());
  if (!inspection.empty())
    RETURN_IF_ERROR(RequireExists(x, name::kInspection, "inspection", inspection));
  RETURN_IF_ERROR(RequireCoverage(x, enterprise));
  Bytes row = tables::Build<tables::OrderRow>([&](auto r) {
    r.setEnterprise(enterprise);
    r.setHazards(e.getHazards());
    r.setDeadline(e.getDeadline().getUnixNanos());
    r.setIssuedAt(x.t);
    r.setSeq(x.seq);
    r.setState(tables::OrderState::ISSUED);
  });
  x.Put({name::kOrder, id}, row);
  IndexOrder(x, id, MessageView<tables::OrderRow>::Decode(row)->get());
  x.Index("inspection", inspection);
  return Status::Ok();
}

Status PlanSubmitted(Ctx& x) {
  auto e = x.body.getRectificationPlanSubmitted();
  std::string order = Str(e.getOrderId()), hazard = Str(e.getHazardId());
  if (order.empty() && hazard.empty()) return BadField(x, "orderId", "an order or a hazard");
  std::string enterprise;
  if (!order.empty()) {
    ASSIGN_OR_RETURN(auto o, OrderRow(x, order));
    enterprise = Str(o->getEnterprise());
    IndexOrder(x, order, o.get());
  }
  if (!hazard.empty()) {
    ASSIGN_OR_RETURN(auto h, HazardRow(x, hazard));
    if (!enterprise.empty() && Str(h->getEnterprise()) != enterprise) {
      return BadField(x, "hazardId", "hazard " + hazard + " is of another enterprise");
    }
    enterprise = Str(h->getEnterprise());
    x.Index("hazard", hazard);
  }
  RETURN_IF_ERROR(RequireSelf(x, enterprise));
  x.Index("enterprise", enterprise);
  return Status::Ok();
}

Status DeadlineChanged(Ctx& x) {
  auto e = x.body.getRectificationDeadlineChanged();
  std::string id = Str(e.getOrderId());
  ASSIGN_OR_RETURN(auto o, OrderRow(x, id));
  if (!e.hasNewDeadline()) return BadField(x, "newDeadline", "required");
  if (o->getState() == tables::OrderState::PASSED) {
    return Transition(x, "order:" + id, "the order was already reviewed and passed");
  }
  std::string approver = Str(e.getApprover());
  if (!approver.empty()) RETURN_IF_ERROR(RequireOfficial(x, "approver", approver));
  RETURN_IF_ERROR(RequireCoverage(x, Str(o->getEnterprise())));
  x.Put({name::kOrder, id}, tables::Modify<tables::OrderRow>(o.get(), [&](auto r) {
          r.setDeadline(e.getNewDeadline().getUnixNanos());
        }));
  IndexOrder(x, id, o.get());
  x.Index("official", approver);
  return Status::Ok();
}

Status Reported(Ctx& x) {
  auto e = x.body.getRectificationReported();
  std::string id = Str(e.getOrderId()), enterprise = Str(e.getEnterpriseId());
  ASSIGN_OR_RETURN(auto o, OrderRow(x, id));
  if (Str(o->getEnterprise()) != enterprise) {
    return BadField(x, "enterpriseId", "order " + id + " was issued to another enterprise");
  }
  RETURN_IF_ERROR(RequireSelf(x, enterprise));
  if (o->getState() == tables::OrderState::PASSED) {
    return Transition(x, "order:" + id, "the order was already reviewed and passed");
  }
  x.Put({name::kOrder, id}, tables::Modify<tables::OrderRow>(o.get(), [&](auto r) {
          r.setState(tables::OrderState::REPORTED);
        }));
  IndexOrder(x, id, o.get());
  return Status::Ok();
}

Status Reviewed(Ctx& x) {
  auto e = x.body.getRectificationReviewed();
  std::string id = Str(e.getOrderId());
  // "No review of an order never issued": the order must exist.
  ASSIGN_OR_RETURN(auto o, OrderRow(x, id));
  if (e.getResult() == sc::ReviewResult::UNSPECIFIED) return BadField(x, "result", "required");
  if (o->getState() == tables::OrderState::PASSED) {
    return Transition(x, "order:" + id, "the order was already reviewed and passed");
  }
  RETURN_IF_ERROR(RequireOfficials(x, "reviewers", e.getReviewers()));
  RETURN_IF_ERROR(RequireCoverage(x, Str(o->getEnterprise())));
  bool passed = e.getResult() == sc::ReviewResult::PASSED;
  x.Put({name::kOrder, id}, tables::Modify<tables::OrderRow>(o.get(), [&](auto r) {
          r.setState(passed ? tables::OrderState::PASSED : tables::OrderState::FAILED);
        }));
  if (passed) {
    for (auto h : o->getHazards()) {
      ASSIGN_OR_RETURN(auto hazard, HazardRow(x, h.cStr()));
      x.Put({name::kHazard, h.cStr()},
            tables::Modify<tables::HazardRow>(hazard.get(), [](auto r) { r.setClosed(true); }));
    }
  }
  IndexOrder(x, id, o.get());
  for (auto r : e.getReviewers()) x.Index("official", r.cStr());
  return Status::Ok();
}

Status Listing(Ctx& x) {
  auto e = x.body.getHazardListing();
  std::string id = Str(e.getHazardId());
  ASSIGN_OR_RETURN(auto h, HazardRow(x, id));
  std::string enterprise = Str(h->getEnterprise());
  if (e.getAction() == sc::ListingAction::UNSPECIFIED) return BadField(x, "action", "required");
  bool listing = e.getAction() == sc::ListingAction::LISTED;
  if (listing && h->getGrade() != sc::HazardGrade::MAJOR) {
    return Transition(x, "hazard:" + id,
                      "only a major hazard is listed for supervision (挂牌督办)");
  }
  if (listing && h->getListed()) return Transition(x, "hazard:" + id, "is already listed");
  if (!listing && !h->getListed()) {
    return Transition(x, "hazard:" + id, "was never listed, so it cannot be delisted");
  }
  std::string lead = Str(e.getLeadUnit()), leader = Str(e.getResponsibleLeader());
  if (!lead.empty()) RETURN_IF_ERROR(RequireExists(x, name::kOrg, "org", lead));
  if (!leader.empty()) RETURN_IF_ERROR(RequireOfficial(x, "responsibleLeader", leader));
  // The supervisors of the enterprise, or the government / committee of its place.
  if (x.check && !x.root) {
    ASSIGN_OR_RETURN(Place place, PlaceOf(x, enterprise));
    ASSIGN_OR_RETURN(bool covers, x.view.Covers(x.signer, place, x.t));
    ASSIGN_OR_RETURN(bool governs,
                     x.view.ActsForKind(x.signer, kGovernance, x.t, place.jurisdiction));
    if (!covers && !governs) {
      return Refuse(x, "supervision-duty", "hazard:" + id,
                    "only a supervisor of enterprise:" + enterprise +
                        " or the government or safety committee of its place may");
    }
  }
  x.Put({name::kHazard, id}, tables::Modify<tables::HazardRow>(h.get(), [&](auto r) {
          r.setListed(listing);
          if (!listing) r.setClosed(true);
        }));
  x.Index("hazard", id);
  x.Index("enterprise", enterprise);
  x.Index("org", lead);
  x.Index("official", leader);
  return Status::Ok();
}

// ---- F. measures and sanctions

Status Measure(Ctx& x) {
  auto e = x.body.getOnSiteMeasure();
  std::string id = Str(e.getMeasureId()), enterprise = Str(e.getEnterpriseId());
  RETURN_IF_ERROR(CheckId(x, "measureId", id));
  RETURN_IF_ERROR(CheckId(x, "enterpriseId", enterprise));
  if (e.getKind() == sc::MeasureKind::UNSPECIFIED) return BadField(x, "kind", "required");
  if (e.getAction() == sc::MeasureAction::UNSPECIFIED) return BadField(x, "action", "required");
  for (auto h : e.getHazards())
    RETURN_IF_ERROR(RequireExists(x, name::kHazard, "hazard", h.cStr()));
  RETURN_IF_ERROR(RequireCoverage(x, enterprise));
  ASSIGN_OR_RETURN(auto existing, x.view.Row<tables::MeasureRow>(name::kMeasure, id));
  bool imposing = e.getAction() == sc::MeasureAction::IMPOSED;
  if (imposing && existing) return Transition(x, "measure:" + id, "already recorded");
  if (!imposing) {
    if (!existing)
      return Transition(x, "measure:" + id, "a measure never imposed cannot be lifted");
    if (!(*existing)->getActive()) return Transition(x, "measure:" + id, "was already lifted");
    if (Str((*existing)->getEnterprise()) != enterprise) {
      return BadField(x, "enterpriseId", "measure " + id + " is of another enterprise");
    }
  }
  x.Put({name::kMeasure, id}, tables::Build<tables::MeasureRow>([&](auto r) {
          r.setEnterprise(enterprise);
          r.setKind(e.getKind());
          r.setActive(imposing);
          r.setSeq(existing ? (*existing)->getSeq() : x.seq);
        }));
  if (e.getKind() == sc::MeasureKind::TEMPORARY_SUSPENSION) {
    ASSIGN_OR_RETURN(auto row, EnterpriseRow(x, enterprise));
    if (imposing || row->getStatus() != tables::EnterpriseStatus::CLOSED) {
      PutEnterprise(x, enterprise, tables::Modify<tables::EnterpriseRow>(row.get(), [&](auto r) {
                      r.setStatus(imposing ? tables::EnterpriseStatus::SUSPENDED
                                           : tables::EnterpriseStatus::ACTIVE);
                    }));
    }
  }
  x.Index("enterprise", enterprise);
  x.Index("measure", id);
  for (auto h : e.getHazards()) x.Index("hazard", h.cStr());
  return Status::Ok();
}

Result<MessageView<tables::CaseRow>> CaseRow(Ctx& x, const std::string& id,
                                             const std::string& enterprise) {
  RETURN_IF_ERROR(CheckId(x, "caseId", id));
  ASSIGN_OR_RETURN(auto c, x.view.Row<tables::CaseRow>(name::kCase, id));
  if (!c) return Missing(x, "case " + id);
  if (Str((*c)->getEnterprise()) != enterprise) {
    return BadField(x, "enterpriseId", "case " + id + " concerns another enterprise");
  }
  return std::move(*c);
}

Status Case(Ctx& x) {
  auto e = x.body.getCaseAction();
  std::string id = Str(e.getCaseId()), enterprise = Str(e.getEnterpriseId());
  RETURN_IF_ERROR(CheckId(x, "caseId", id));
  RETURN_IF_ERROR(CheckId(x, "enterpriseId", enterprise));
  if (e.getStage() == sc::CaseStage::UNSPECIFIED) return BadField(x, "stage", "required");
  for (auto o : e.getOrders()) RETURN_IF_ERROR(RequireExists(x, name::kOrder, "order", o.cStr()));
  for (auto h : e.getHazards())
    RETURN_IF_ERROR(RequireExists(x, name::kHazard, "hazard", h.cStr()));
  RETURN_IF_ERROR(RequireCoverage(x, enterprise));
  if (e.getStage() == sc::CaseStage::OPENED) {
    RETURN_IF_ERROR(RequireNew(x, name::kCase, "caseId", id));
    x.Put({name::kCase, id}, tables::Build<tables::CaseRow>([&](auto r) {
            r.setEnterprise(enterprise);
            r.setOpen(true);
            r.setSeq(x.seq);
          }));
  } else {
    ASSIGN_OR_RETURN(auto c, CaseRow(x, id, enterprise));
    if (!c->getOpen()) return Transition(x, "case:" + id, "was already closed");
    x.Put({name::kCase, id},
          tables::Modify<tables::CaseRow>(c.get(), [](auto r) { r.setOpen(false); }));
  }
  x.Index("enterprise", enterprise);
  x.Index("case", id);
  for (auto o : e.getOrders()) x.Index("order", o.cStr());
  return Status::Ok();
}

Status Notice(Ctx& x) {
  auto e = x.body.getPenaltyNoticeServed();
  std::string id = Str(e.getCaseId()), enterprise = Str(e.getEnterpriseId());
  ASSIGN_OR_RETURN(auto c, CaseRow(x, id, enterprise));
  if (!c->getOpen()) return Transition(x, "case:" + id, "is closed");
  RETURN_IF_ERROR(RequireCoverage(x, enterprise));
  x.Index("enterprise", enterprise);
  x.Index("case", id);
  return Status::Ok();
}

Status Penalty(Ctx& x) {
  auto e = x.body.getPenaltyDecided();
  std::string id = Str(e.getCaseId()), enterprise = Str(e.getEnterpriseId());
  ASSIGN_OR_RETURN(auto c, CaseRow(x, id, enterprise));
  if (e.getPenalties().size() == 0) return BadField(x, "penalties", "at least one penalty");
  bool suspension = false;
  for (auto p : e.getPenalties()) {
    if (p.getKind() == sc::PenaltyKind::UNSPECIFIED)
      return BadField(x, "penalties.kind", "required");
    if (p.getAmountYuan() < 0) return BadField(x, "penalties.amountYuan", "negative");
    suspension |= p.getKind() == sc::PenaltyKind::SUSPENSION_FOR_RECTIFICATION;
  }
  RETURN_IF_ERROR(RequireCoverage(x, enterprise));
  if (suspension) {
    x.Put({name::kCase, id},
          tables::Modify<tables::CaseRow>(c.get(), [](auto r) { r.setSuspension(true); }));
    ASSIGN_OR_RETURN(auto row, EnterpriseRow(x, enterprise));
    PutEnterprise(x, enterprise, tables::Modify<tables::EnterpriseRow>(row.get(), [](auto r) {
                    r.setStatus(tables::EnterpriseStatus::SUSPENDED);
                  }));
  }
  x.Index("enterprise", enterprise);
  x.Index("case", id);
  return Status::Ok();
}

Status Resumption(Ctx& x) {
  auto e = x.body.getResumptionDecided();
  std::string enterprise = Str(e.getEnterpriseId()), measure = Str(e.getMeasureId()),
              case_id = Str(e.getCaseId());
  RETURN_IF_ERROR(CheckId(x, "enterpriseId", enterprise));
  RETURN_IF_ERROR(RequireOfficials(x, "reviewers", e.getReviewers()));
  RETURN_IF_ERROR(RequireCoverage(x, enterprise));
  // "No resumption without a suspension."
  bool suspended = false;
  if (!measure.empty()) {
    ASSIGN_OR_RETURN(auto m, x.view.Row<tables::MeasureRow>(name::kMeasure, measure));
    if (!m) return Missing(x, "measure " + measure);
    suspended = Str((*m)->getEnterprise()) == enterprise && (*m)->getActive() &&
                (*m)->getKind() == sc::MeasureKind::TEMPORARY_SUSPENSION;
    if (suspended && e.getApproved()) {
      x.Put({name::kMeasure, measure},
            tables::Modify<tables::MeasureRow>(m->get(), [](auto r) { r.setActive(false); }));
    }
    x.Index("measure", measure);
  }
  if (!case_id.empty()) {
    ASSIGN_OR_RETURN(auto c, CaseRow(x, case_id, enterprise));
    suspended = suspended || c->getSuspension();
    if (c->getSuspension() && e.getApproved()) {
      x.Put({name::kCase, case_id},
            tables::Modify<tables::CaseRow>(c.get(), [](auto r) { r.setSuspension(false); }));
    }
    x.Index("case", case_id);
  }
  if (!suspended) {
    return Transition(x, "enterprise:" + enterprise,
                      "no suspension in force to resume from (name the suspension measure or "
                      "the case that suspended it)");
  }
  if (e.getApproved()) {
    ASSIGN_OR_RETURN(auto row, EnterpriseRow(x, enterprise));
    if (row->getStatus() == tables::EnterpriseStatus::SUSPENDED) {
      PutEnterprise(x, enterprise, tables::Modify<tables::EnterpriseRow>(row.get(), [](auto r) {
                      r.setStatus(tables::EnterpriseStatus::ACTIVE);
                    }));
    }
  }
  x.Index("enterprise", enterprise);
  for (auto r : e.getReviewers()) x.Index("official", r.cStr());
  return Status::Ok();
}

Status Closure(Ctx& x) {
  auto e = x.body.getClosureAction();
  std::string enterprise = Str(e.getEnterpriseId());
  RETURN_IF_ERROR(CheckId(x, "enterpriseId", enterprise));
  ASSIGN_OR_RETURN(auto row, EnterpriseRow(x, enterprise));
  if (e.getStage() == sc::ClosureStage::UNSPECIFIED) return BadField(x, "stage", "required");
  if (e.getStage() == sc::ClosureStage::REQUESTED) {
    RETURN_IF_ERROR(RequireCoverage(x, enterprise));
    PutEnterprise(x, enterprise, tables::Modify<tables::EnterpriseRow>(row.get(), [](auto r) {
                    r.setClosureRequested(true);
                  }));
  } else {
    if (!row->getClosureRequested()) {
      return Transition(x, "enterprise:" + enterprise,
                        "closure is decided on a supervising department's request (Art 113)");
    }
    RETURN_IF_ERROR(RequireKind(x, {OK::GOVERNMENT}, "enterprise:" + enterprise,
                                "closure-authority", "the government of its place", true,
                                Str(row->getJurisdiction())));
    PutEnterprise(x, enterprise, tables::Modify<tables::EnterpriseRow>(row.get(), [](auto r) {
                    r.setStatus(tables::EnterpriseStatus::CLOSED);
                  }));
  }
  x.Index("enterprise", enterprise);
  x.Index("jurisdiction", Str(row->getJurisdiction()));
  return Status::Ok();
}

// ---- G. accidents

Result<MessageView<tables::AccidentRow>> AccidentRow(Ctx& x, const std::string& id) {
  RETURN_IF_ERROR(CheckId(x, "accidentId", id));
  ASSIGN_OR_RETURN(auto a, x.view.Row<tables::AccidentRow>(name::kAccident, id));
  if (!a) return Missing(x, "accident " + id);
  return std::move(*a);
}

Status AccidentReported(Ctx& x) {
  auto e = x.body.getAccidentReported();
  std::string id = Str(e.getAccidentId()), enterprise = Str(e.getEnterpriseId());
  RETURN_IF_ERROR(CheckId(x, "accidentId", id));
  RETURN_IF_ERROR(CheckId(x, "enterpriseId", enterprise));
  if (!e.hasAccidentAt()) return BadField(x, "accidentAt", "when the accident happened");
  if (!e.hasReportedAt()) return BadField(x, "reportedAt", "when the report was made");
  if (e.getRecipientLevel() == sc::ReportLevel::UNSPECIFIED) {
    return BadField(x, "recipientLevel", "required");
  }
  std::string recipient = Str(e.getRecipientOrg());
  if (!recipient.empty()) RETURN_IF_ERROR(RequireExists(x, name::kOrg, "org", recipient));
  RETURN_IF_ERROR(RequireSelfOrCoverage(x, enterprise));
  ASSIGN_OR_RETURN(auto existing, x.view.Row<tables::AccidentRow>(name::kAccident, id));
  if (existing && Str((*existing)->getEnterprise()) != enterprise) {
    return Transition(x, "accident:" + id, "was reported for another enterprise");
  }
  if (!existing) {
    x.Put({name::kAccident, id}, tables::Build<tables::AccidentRow>([&](auto r) {
            r.setEnterprise(enterprise);
            r.setAccidentAt(e.getAccidentAt().getUnixNanos());
            r.setSeq(x.seq);
          }));
  }
  x.Index("enterprise", enterprise);
  x.Index("accident", id);
  x.Index("org", recipient);
  ASSIGN_OR_RETURN(auto place, x.view.EnterprisePlaceAt(enterprise, x.t));
  if (place) x.Index("jurisdiction", place->jurisdiction);
  return Status::Ok();
}

Status Casualties(Ctx& x) {
  auto e = x.body.getAccidentCasualtiesUpdated();
  std::string id = Str(e.getAccidentId());
  ASSIGN_OR_RETURN(auto a, AccidentRow(x, id));
  RETURN_IF_ERROR(RequireSelfOrCoverage(x, Str(a->getEnterprise())));
  x.Index("accident", id);
  x.Index("enterprise", Str(a->getEnterprise()));
  return Status::Ok();
}

Status Investigation(Ctx& x) {
  auto e = x.body.getInvestigationMilestone();
  std::string id = Str(e.getAccidentId()), team = Str(e.getTeamOrg());
  ASSIGN_OR_RETURN(auto a, AccidentRow(x, id));
  if (e.getStage() == sc::InvestigationStage::UNSPECIFIED) return BadField(x, "stage", "required");
  std::string enterprise = Str(a->getEnterprise());
  if (e.getStage() == sc::InvestigationStage::OPENED) {
    if (a->getInvestigationOpened())
      return Transition(x, "accident:" + id, "investigation already opened");
    RETURN_IF_ERROR(CheckId(x, "teamOrg", team));
    ASSIGN_OR_RETURN(auto org, x.view.Row<tables::OrgRow>(name::kOrg, team));
    if (!org) return Missing(x, "org " + team);
    if ((*org)->getKind() != OK::INVESTIGATION_TEAM) {
      return BadField(x, "teamOrg", "org:" + team + " is not an investigation team");
    }
    // The team is set up by the government (or its committee) of a place above the accident.
    ASSIGN_OR_RETURN(Place place, PlaceOf(x, enterprise));
    RETURN_IF_ERROR(RequireKind(x, kGovernance, "accident:" + id, "investigation-authority",
                                "the government or safety committee of the place", true,
                                place.jurisdiction));
    x.Put({name::kAccident, id}, tables::Modify<tables::AccidentRow>(a.get(), [&](auto r) {
            r.setTeamOrg(team);
            r.setInvestigationOpened(true);
          }));
  } else {
    if (!a->getInvestigationOpened()) {
      return Transition(x, "accident:" + id, "no investigation was opened");
    }
    team = Str(a->getTeamOrg());
    RETURN_IF_ERROR(RequireActsFor(x, team, "accident:" + id, "investigation-team"));
  }
  x.Index("accident", id);
  x.Index("enterprise", enterprise);
  x.Index("org", team);
  x.Index("official", Str(e.getLeadOfficial()));
  return Status::Ok();
}

Status Finding(Ctx& x) {
  auto e = x.body.getResponsibilityFindingRecorded();
  std::string id = Str(e.getFindingId()), accident = Str(e.getAccidentId()),
              subject = Str(e.getSubjectId());
  RETURN_IF_ERROR(RequireNew(x, name::kFinding, "findingId", id));
  ASSIGN_OR_RETURN(auto a, AccidentRow(x, accident));
  if (!a->getInvestigationOpened()) {
    return Transition(x, "accident:" + accident, "no investigation was opened");
  }
  RETURN_IF_ERROR(CheckId(x, "subjectId", subject));
  auto type = e.getSubjectType();
  switch (type) {
    case sc::FindingSubject::UNIT:
      RETURN_IF_ERROR(RequireExists(x, name::kEnterprise, "enterprise", subject));
      x.Index("enterprise", subject);
      break;
    case sc::FindingSubject::OFFICIAL:
      RETURN_IF_ERROR(RequireExists(x, name::kOfficial, "official", subject));
      x.Index("official", subject);
      break;
    case sc::FindingSubject::DEPARTMENT:
    case sc::FindingSubject::INTERMEDIARY:
      RETURN_IF_ERROR(RequireExists(x, name::kOrg, "org", subject));
      x.Index("org", subject);
      break;
    case sc::FindingSubject::GOVERNMENT:
      RETURN_IF_ERROR(RequireExists(x, name::kJurisdiction, "jurisdiction", subject));
      x.Index("jurisdiction", subject);
      break;
    case sc::FindingSubject::PERSON:
      break;  // a person of the unit, named in the finding text
    default:
      return BadField(x, "subjectType", "required");
  }
  std::string deciding = Str(e.getDecidingAuthority());
  if (!deciding.empty()) RETURN_IF_ERROR(RequireExists(x, name::kOrg, "org", deciding));
  // Responsibility findings only by the investigation team's body.
  RETURN_IF_ERROR(
      RequireActsFor(x, Str(a->getTeamOrg()), "accident:" + accident, "investigation-team"));
  x.Put({name::kFinding, id}, tables::Build<tables::FindingRow>([&](auto r) {
          r.setAccident(accident);
          r.setSubjectType(type);
          r.setSubjectId(subject);
          r.setSeq(x.seq);
        }));
  x.Index("accident", accident);
  x.Index("finding", id);
  x.Index("enterprise", Str(a->getEnterprise()));
  return Status::Ok();
}

// ---- H. oversight and accountability

Status Oversight(Ctx& x) {
  auto e = x.body.getOversightConducted();
  std::string subject = Str(e.getSubject());
  RETURN_IF_ERROR(CheckId(x, "oversightId", e.getOversightId().cStr()));
  if (e.getKind() == sc::OversightKind::UNSPECIFIED) return BadField(x, "kind", "required");
  if (!PrincipalId(subject, "enterprise").empty()) {
    return BadField(x, "subject", "oversight is of officials, bodies or places, not enterprises");
  }
  RETURN_IF_ERROR(RequirePrincipal(x, "subject", subject));
  RETURN_IF_ERROR(RequireKind(
      x,
      {OK::GOVERNMENT, OK::PARTY_COMMITTEE, OK::SAFETY_COMMITTEE, OK::SAFETY_COMMITTEE_OFFICE,
       OK::DISCIPLINE_BODY, OK::ORGANISATION_DEPT},
      subject, "oversight-authority",
      "a government, Party committee, safety committee, discipline or organisation body", true));
  if (std::string o = PrincipalId(subject, "official"); !o.empty()) x.Index("official", o);
  if (std::string o = PrincipalId(subject, "org"); !o.empty()) x.Index("org", o);
  if (std::string o = PrincipalId(subject, "jurisdiction"); !o.empty()) x.Index("jurisdiction", o);
  return Status::Ok();
}

Status Accountability(Ctx& x) {
  auto e = x.body.getAccountabilityMeasureImposed();
  std::string subject = Str(e.getSubject());
  RETURN_IF_ERROR(CheckId(x, "measureId", e.getMeasureId().cStr()));
  if (e.getRegime() == sc::AccountabilityRegime::UNSPECIFIED)
    return BadField(x, "regime", "required");
  if (e.getKind() == sc::AccountabilityMeasureKind::UNSPECIFIED)
    return BadField(x, "kind", "required");
  if (PrincipalId(subject, "official").empty() && PrincipalId(subject, "org").empty()) {
    return BadField(x, "subject", "an official (official:<id>) or a body (org:<id>)");
  }
  RETURN_IF_ERROR(RequirePrincipal(x, "subject", subject));
  for (auto f : e.getFindings()) {
    RETURN_IF_ERROR(RequireExists(x, name::kFinding, "responsibility finding", f.cStr()));
  }
  // Accountability measures only by a discipline or organisation body (never the root alone).
  RETURN_IF_ERROR(RequireKind(x, {OK::DISCIPLINE_BODY, OK::ORGANISATION_DEPT}, subject,
                              "accountability-authority",
                              "a discipline (纪委监委) or organisation (组织部) body", false));
  if (std::string o = PrincipalId(subject, "official"); !o.empty()) x.Index("official", o);
  if (std::string o = PrincipalId(subject, "org"); !o.empty()) x.Index("org", o);
  for (auto f : e.getFindings()) x.Index("finding", f.cStr());
  return Status::Ok();
}

// ---- record-keeping

Result<std::optional<EventView>> FindEvent(Ctx& x, ByteView event_id) {
  return x.state.FindEvent(event_id);
}

Status Withdrawn(Ctx& x) {
  auto e = x.body.getRecordWithdrawn();
  ByteView id = AsView(e.getEventId());
  if (id.size() != kUuidSize) return BadField(x, "eventId", "a 16-byte event id");
  ASSIGN_OR_RETURN(auto original, FindEvent(x, id));
  if (!original) return Missing(x, "event " + FormatUuid(id));
  ASSIGN_OR_RETURN(auto mark, x.state.Get(Key({name::kCorrection, id})));
  if (mark) return Transition(x, "event " + FormatUuid(id), "was already withdrawn or superseded");
  if (std::string_view(e.getReason().cStr()).empty()) return BadField(x, "reason", "required");
  if (x.check && !x.root) {
    auto signer_id = Digest::FromBytes(AsView(original->body().getSignerKeyId()));
    ASSIGN_OR_RETURN(auto key, x.state.FindKey(*signer_id));
    if (!key || key->principal != x.signer) {
      return Refuse(x, "correction-authority", "event " + FormatUuid(id),
                    "only whoever recorded it (or the root authority) may withdraw it");
    }
  }
  x.Put({name::kCorrection, id}, tables::Build<tables::CorrectionRow>([&](auto r) {
          r.setSeq(x.seq);
          r.setWithdrawn(true);
          r.setReason(e.getReason());
        }));
  x.Index("correction", "all");
  return Status::Ok();
}

Status Parameters(Ctx& x) {
  auto e = x.body.getLapseRuleParametersSet();
  std::string version = Str(e.getVersion());
  RETURN_IF_ERROR(CheckId(x, "version", version));
  if (e.getParameters().size() == 0) return BadField(x, "parameters", "at least one");
  for (auto p : e.getParameters()) {
    RETURN_IF_ERROR(CheckId(x, "parameters.rule", p.getRule().cStr()));
    RETURN_IF_ERROR(CheckId(x, "parameters.name", p.getName().cStr()));
  }
  RETURN_IF_ERROR(RequireKind(x, {OK::EMERGENCY_MANAGEMENT, OK::SAFETY_COMMITTEE_OFFICE},
                              "lapse parameters " + version, "parameter-authority",
                              "the emergency management bureau or the committee office", true));
  int64_t from = TimeOr(e.getEffectiveFrom(), e.hasEffectiveFrom(), x.t);
  x.Put({name::kParameters, tables::TimePart(from), SeqPart(x.seq)},
        tables::Build<tables::ParameterSetRow>([&](auto r) {
          r.setVersion(version);
          r.setFrom(from);
          r.setSeq(x.seq);
          auto list = r.initParameters(e.getParameters().size());
          for (uint i = 0; i < e.getParameters().size(); ++i) {
            list[i].setRule(e.getParameters()[i].getRule());
            list[i].setName(e.getParameters()[i].getName());
            list[i].setValue(e.getParameters()[i].getValue());
          }
        }));
  x.Index("parameters", "all");
  return Status::Ok();
}

Status Accessed(Ctx& x) {
  auto e = x.body.getRecordAccessed();
  std::string accessor = Str(e.getAccessor()), subject = Str(e.getSubject());
  RETURN_IF_ERROR(RequireOfficial(x, "accessor", accessor));
  RETURN_IF_ERROR(RequirePrincipal(x, "subject", subject));
  if (x.check && x.signer != "official:" + accessor) {
    return Refuse(x, "own-record", subject, "an access is recorded by the official who accessed");
  }
  x.Index("official", accessor);
  if (std::string id = PrincipalId(subject, "enterprise"); !id.empty()) x.Index("enterprise", id);
  return Status::Ok();
}

// A correction names the event it supersedes: it must exist, not be withdrawn or superseded,
// and be of the same type. The new event must itself pass the rules of its type.
Status Correction(Ctx& x, uint64_t* corrected_seq) {
  ByteView id = AsView(x.body.getSupersedes());
  if (id.size() != kUuidSize) return BadField(x, "supersedes", "a 16-byte event id");
  if (std::string_view(x.body.getCorrectionReason().cStr()).empty()) {
    return BadField(x, "correctionReason", "a correction says why");
  }
  ASSIGN_OR_RETURN(auto original, FindEvent(x, id));
  if (!original) return Missing(x, "event " + FormatUuid(id) + " (supersedes)");
  if (original->body().which() != x.body.which()) {
    return Transition(x, "event " + FormatUuid(id),
                      "a correction is an event of the same type (" + original->type_name() + ")");
  }
  ASSIGN_OR_RETURN(auto mark, x.state.Get(Key({name::kCorrection, id})));
  if (mark) return Transition(x, "event " + FormatUuid(id), "was already withdrawn or superseded");
  ASSIGN_OR_RETURN(auto seq, x.state.FindEventSequence(id));
  *corrected_seq = seq ? *seq : tables::kNoSeq;
  x.Put({name::kCorrection, id}, tables::Build<tables::CorrectionRow>([&](auto r) {
          r.setSeq(x.seq);
          r.setReason(x.body.getCorrectionReason());
        }));
  x.Index("correction", "all");
  return Status::Ok();
}

}  // namespace

Status DomainRules::Admit(const Candidate& candidate, AdmissionState& state) {
  if (options_.mode == Mode::kAdmit && !candidate.event->body().isGenesis()) {
    // The rules read the tables in this build's layout: tables of another layout would judge
    // authority from rows that are not there.
    ASSIGN_OR_RETURN(auto version, state.Get(Key({name::kMeta, tables::kVersionKey})));
    std::string found = version.value_or("none");
    if (found != tables::kProjectionVersion) {
      return FailedPrecondition(
          "the projection tables are version '" + found + "' and this dutyledger writes version '" +
          tables::kProjectionVersion + "': run `dutyledger rebuild --data DIR` before appending");
    }
  }
  Ctx x(candidate, state, options_.mode == Mode::kAdmit);
  uint64_t corrected = tables::kNoSeq;
  if (x.body.hasSupersedes()) RETURN_IF_ERROR(Correction(x, &corrected));
  if (x.body.hasOnBehalfOf()) {
    std::string org = PrincipalId(x.body.getOnBehalfOf().cStr(), "org");
    if (org.empty()) return BadField(x, "onBehalfOf", "a body: org:<id>");
    RETURN_IF_ERROR(RequireExists(x, name::kOrg, "org", org));
    RETURN_IF_ERROR(RequireActsFor(x, org, "org:" + org, "on-behalf-of"));
    x.Index("org", org);
  }
  Status s;
  switch (x.body.which()) {
    case Which::GENESIS:
      // The tables' layout version, written by the fold of the first entry (so a rebuild
      // writes it too); queries refuse tables of another version.
      x.Put({name::kMeta, tables::kVersionKey}, Bytes(tables::kProjectionVersion));
      break;
    case Which::NOTE:
      break;
    case Which::KEY_BOUND:
      x.subjects.insert(Str(x.body.getKeyBound().getPrincipal()));
      break;
    case Which::KEY_REVOKED:
      x.subjects.insert("key:" + HexEncode(AsView(x.body.getKeyRevoked().getKeyId())));
      break;
    case Which::JURISDICTION_REGISTERED:
      s = Jurisdiction(x);
      break;
    case Which::ORGANIZATION_REGISTERED:
      s = Organization(x);
      break;
    case Which::OFFICIAL_APPOINTED:
      s = Appointed(x);
      break;
    case Which::OFFICIAL_LEFT_POST:
      s = LeftPost(x);
      break;
    case Which::DUTY_ASSIGNED:
      s = DutyAssigned(x);
      break;
    case Which::DUTY_REVOKED:
      s = DutyRevoked(x);
      break;
    case Which::INDUSTRY_SUPERVISION_MAPPED:
      s = Mapping(x);
      break;
    case Which::DUTY_LIST_PUBLISHED:
      s = DutyList(x);
      break;
    case Which::RESOURCING_RECORDED:
      s = Resourcing(x);
      break;
    case Which::SAFETY_COMMITTEE_CONSTITUTED:
      s = Constituted(x);
      break;
    case Which::COMMITTEE_MEETING_HELD:
      s = Meeting(x);
      break;
    case Which::COMMITTEE_DECISION_RECORDED:
      s = Decision(x);
      break;
    case Which::COMMITTEE_TASK_STATUS_CHANGED:
      s = TaskStatus(x);
      break;
    case Which::ENTERPRISE_REGISTERED:
      s = Registered(x);
      break;
    case Which::ENTERPRISE_PROFILE_UPDATED:
      s = ProfileUpdated(x);
      break;
    case Which::ENTERPRISE_PRINCIPAL_CHANGED:
      s = PrincipalChanged(x);
      break;
    case Which::KEY_TARGET_CHANGED:
      s = KeyTarget(x);
      break;
    case Which::CHECKLIST_VERSION_PUBLISHED:
      s = Checklist(x);
      break;
    case Which::ENTERPRISE_RESPONSIBILITY_DECLARED:
      s = Declared(x);
      break;
    case Which::STANDARDIZATION_GRADE_CHANGED:
      s = Standardization(x);
      break;
    case Which::PERMIT_STATUS_CHANGED:
      s = Permit(x);
      break;
    case Which::PROJECT_PROPOSED:
      s = Proposed(x);
      break;
    case Which::PROJECT_SAFETY_REVIEWED:
      s = SafetyReview(x);
      break;
    case Which::SAFETY_PRE_ASSESSMENT_FILED:
      s = PreAssessment(x);
      break;
    case Which::SAFETY_FACILITY_DESIGN_REVIEWED:
      s = DesignReview(x);
      break;
    case Which::PROJECT_MILESTONE_REPORTED:
      s = Milestone(x);
      break;
    case Which::SAFETY_FACILITY_ACCEPTED:
      s = Acceptance(x);
      break;
    case Which::PHASE_OUT_DECIDED:
      s = PhaseOut(x);
      break;
    case Which::INSPECTION_PLAN_APPROVED:
      s = Plan(x);
      break;
    case Which::INSPECTION_CONDUCTED:
      s = Inspection(x);
      break;
    case Which::HAZARD_IDENTIFIED:
      s = HazardIdentified(x, corrected);
      break;
    case Which::HAZARD_SELF_REPORTED:
      s = HazardSelfReported(x);
      break;
    case Which::HAZARD_STATISTICS_FILED:
      s = Statistics(x);
      break;
    case Which::RECTIFICATION_ORDERED:
      s = Ordered(x, corrected);
      break;
    case Which::RECTIFICATION_PLAN_SUBMITTED:
      s = PlanSubmitted(x);
      break;
    case Which::RECTIFICATION_DEADLINE_CHANGED:
      s = DeadlineChanged(x);
      break;
    case Which::RECTIFICATION_REPORTED:
      s = Reported(x);
      break;
    case Which::RECTIFICATION_REVIEWED:
      s = Reviewed(x);
      break;
    case Which::HAZARD_LISTING:
      s = Listing(x);
      break;
    case Which::ON_SITE_MEASURE:
      s = Measure(x);
      break;
    case Which::CASE_ACTION:
      s = Case(x);
      break;
    case Which::PENALTY_NOTICE_SERVED:
      s = Notice(x);
      break;
    case Which::PENALTY_DECIDED:
      s = Penalty(x);
      break;
    case Which::RESUMPTION_DECIDED:
      s = Resumption(x);
      break;
    case Which::CLOSURE_ACTION:
      s = Closure(x);
      break;
    case Which::ACCIDENT_REPORTED:
      s = AccidentReported(x);
      break;
    case Which::ACCIDENT_CASUALTIES_UPDATED:
      s = Casualties(x);
      break;
    case Which::INVESTIGATION_MILESTONE:
      s = Investigation(x);
      break;
    case Which::RESPONSIBILITY_FINDING_RECORDED:
      s = Finding(x);
      break;
    case Which::OVERSIGHT_CONDUCTED:
      s = Oversight(x);
      break;
    case Which::ACCOUNTABILITY_MEASURE_IMPOSED:
      s = Accountability(x);
      break;
    case Which::RECORD_WITHDRAWN:
      s = Withdrawn(x);
      break;
    case Which::LAPSE_RULE_PARAMETERS_SET:
      s = Parameters(x);
      break;
    case Which::RECORD_ACCESSED:
      s = Accessed(x);
      break;
    default:
      return InvalidArgument("rule fields: event type " + x.type + " has no domain rules");
  }
  RETURN_IF_ERROR(s);
  // Every event joins its signer's stream (an official's actions, an enterprise's own records).
  x.subjects.insert(x.signer);
  int64_t delay = candidate.recorded_at.unix_nanos - x.t;
  if (delay > options_.late_threshold_nanos) {
    std::vector<std::string> subjects(x.subjects.begin(), x.subjects.end());
    x.Put({name::kLate, SeqPart(x.seq)}, tables::Build<tables::LateRow>([&](auto r) {
            r.setOccurredAt(x.t);
            r.setRecordedAt(candidate.recorded_at.unix_nanos);
            auto list = r.initSubjects(static_cast<uint>(subjects.size()));
            for (uint i = 0; i < subjects.size(); ++i) list.set(i, subjects[i]);
          }));
    x.subjects.insert("late:all");
  }
  for (const auto& subject : x.subjects) state.IndexSubject(subject);
  return Status::Ok();
}

Status DomainRules::AuthorizeKeyEvent(const Candidate& candidate, std::string_view principal,
                                      AdmissionState& state) {
  if (options_.mode == Mode::kRefold) return Status::Ok();
  AdmissionRows rows(state);
  DomainView view(rows);
  int64_t t = ReadTime(candidate.event->body().getOccurredAt()).unix_nanos;
  std::string target(principal);
  ASSIGN_OR_RETURN(bool ok, view.Registrar(candidate.signer->principal, target, t));
  if (ok) return Status::Ok();
  return PermissionDenied("rule key-registrar: " + candidate.signer->principal +
                          " may not bind or revoke keys for " + target +
                          ": only the root authority, or a key registrar of a body that "
                          "principal belongs to (or, for an enterprise, of its place)");
}

}  // namespace dutyledger
