#include "projections/domain_view.h"

#include <algorithm>

namespace dutyledger {

using tables::Key;
using tables::Prefix;
namespace name = tables::name;
using schema::DutyRole;

std::string_view ChannelName(Channel c) {
  switch (c) {
    case Channel::kTerritorial:
      return "territorial";
    case Channel::kFirstResponsible:
      return "firstResponsible";
    case Channel::kPartyFirstResponsible:
      return "partyFirstResponsible";
    case Channel::kPortfolio:
      return "portfolio";
    case Channel::kGrid:
      return "grid";
    case Channel::kInspectorInCharge:
      return "inspectorInCharge";
    case Channel::kSector:
      return "sector";
    case Channel::kComprehensive:
      return "comprehensive";
    case Channel::kCommittee:
      return "committee";
    case Channel::kApproval:
      return "approval";
  }
  return "unknown";
}

std::string PrincipalId(const std::string& principal, std::string_view kind) {
  if (principal.size() > kind.size() && principal.compare(0, kind.size(), kind) == 0 &&
      principal[kind.size()] == ':') {
    return principal.substr(kind.size() + 1);
  }
  return "";
}

bool IndustryMatches(std::string_view scope_code, std::string_view code) {
  return !scope_code.empty() && code.substr(0, scope_code.size()) == scope_code;
}

std::optional<Channel> ChannelOf(DutyRole role) {
  switch (role) {
    case DutyRole::TERRITORIAL_SUPERVISION:
      return Channel::kTerritorial;
    case DutyRole::FIRST_RESPONSIBLE:
      return Channel::kFirstResponsible;
    case DutyRole::PARTY_FIRST_RESPONSIBLE:
      return Channel::kPartyFirstResponsible;
    case DutyRole::PORTFOLIO_LEAD:
      return Channel::kPortfolio;
    case DutyRole::GRID_OFFICER:
      return Channel::kGrid;
    case DutyRole::INSPECTOR_IN_CHARGE:
      return Channel::kInspectorInCharge;
    case DutyRole::SECTOR_SUPERVISOR:
      return Channel::kSector;
    case DutyRole::COMPREHENSIVE_SUPERVISOR:
      return Channel::kComprehensive;
    case DutyRole::COMMITTEE_CHAIR:
    case DutyRole::COMMITTEE_MEMBER:
      return Channel::kCommittee;
    default:
      return std::nullopt;  // registrar and appointing authority reach no enterprise
  }
}

namespace {

bool Contains(capnp::List<capnp::Text>::Reader list, std::string_view v) {
  for (auto t : list) {
    if (std::string_view(t.cStr()) == v) return true;
  }
  return false;
}

}  // namespace

Result<bool> DomainView::Exists(std::string_view table, std::string_view id) const {
  if (id.empty()) return false;
  ASSIGN_OR_RETURN(auto row, rows_.Get(Key({table, id})));
  return row.has_value();
}

Result<std::vector<std::string>> DomainView::JurisdictionChain(
    const std::string& jurisdiction) const {
  auto cached = jurisdiction_chains_.find(jurisdiction);
  if (cached != jurisdiction_chains_.end()) return cached->second;
  std::vector<std::string> chain;
  std::string current = jurisdiction;
  while (!current.empty() && chain.size() < 32) {
    if (std::find(chain.begin(), chain.end(), current) != chain.end()) break;  // a cycle
    chain.push_back(current);
    ASSIGN_OR_RETURN(auto row, Row<tables::JurisdictionRow>(name::kJurisdiction, current));
    if (!row) break;
    current = (*row)->getParent().cStr();
  }
  jurisdiction_chains_[jurisdiction] = chain;
  return chain;
}

Result<bool> DomainView::JurisdictionWithin(const std::string& inner,
                                            const std::string& outer) const {
  ASSIGN_OR_RETURN(auto chain, JurisdictionChain(inner));
  return std::find(chain.begin(), chain.end(), outer) != chain.end();
}

Result<std::vector<std::string>> DomainView::OrgChain(const std::string& org) const {
  std::vector<std::string> chain;
  std::string current = org;
  while (!current.empty() && chain.size() < 32) {
    if (std::find(chain.begin(), chain.end(), current) != chain.end()) break;
    chain.push_back(current);
    ASSIGN_OR_RETURN(auto row, Row<tables::OrgRow>(name::kOrg, current));
    if (!row) break;
    current = (*row)->getParentOrg().cStr();
  }
  return chain;
}

Result<std::optional<Place>> DomainView::EnterprisePlaceAt(const std::string& enterprise,
                                                           int64_t t) const {
  std::optional<Place> first, at;
  int64_t best_from = INT64_MIN;
  uint64_t best_seq = 0;
  Status scan = rows_.ScanRows<tables::EnterpriseVersionRow>(
      Prefix({name::kEnterpriseVersion, enterprise}), [&](ByteView, const auto& v) {
        Place p;
        p.enterprise = enterprise;
        p.jurisdiction = v->getJurisdiction().cStr();
        for (auto c : v->getIndustryCodes()) p.industries.emplace_back(c.cStr());
        if (!first) first = p;
        int64_t from = v->getFrom();
        uint64_t seq = v->getSeq();
        if (from <= t && (from > best_from || (from == best_from && seq > best_seq))) {
          best_from = from;
          best_seq = seq;
          at = p;
        }
        return true;
      });
  RETURN_IF_ERROR(scan);
  return at ? at : first;
}

Status DomainView::CollectDuties(std::string_view kind, const std::string& value,
                                 std::set<std::string>* duty_ids) const {
  std::string prefix = Prefix({name::kDutyIndex, kind, value});
  return rows_.Scan(prefix, [&](ByteView key, ByteView) {
    duty_ids->insert(std::string(key.substr(prefix.size())));
    return true;
  });
}

Result<bool> DomainView::ScopeMatches(tables::DutyRow::Reader duty, const Place& place,
                                      const std::vector<std::string>& chain,
                                      std::string* via) const {
  auto scope = duty.getScope();
  if (!place.enterprise.empty() && Contains(scope.getEnterprises(), place.enterprise)) {
    *via = "enterprise " + place.enterprise;
    return true;
  }
  if (scope.hasCommittee() && !std::string_view(scope.getCommittee().cStr()).empty()) {
    ASSIGN_OR_RETURN(auto committee,
                     Row<tables::CommitteeRow>(name::kCommittee, scope.getCommittee().cStr()));
    if (!committee) return false;
    std::string j = (*committee)->getJurisdiction().cStr();
    if (std::find(chain.begin(), chain.end(), j) != chain.end()) {
      *via = "committee " + std::string(scope.getCommittee().cStr());
      return true;
    }
    return false;
  }
  bool has_places = scope.getJurisdictions().size() > 0;
  bool has_codes = scope.getIndustryCodes().size() > 0;
  if (!has_places && !has_codes) return false;
  std::string where;
  if (has_places) {
    bool in = false;
    for (auto j : scope.getJurisdictions()) {
      if (std::find(chain.begin(), chain.end(), j.cStr()) != chain.end()) {
        in = true;
        where = "jurisdiction " + std::string(j.cStr());
        break;
      }
    }
    if (!in) return false;
  }
  if (has_codes) {
    bool match = false;
    for (auto c : scope.getIndustryCodes()) {
      for (const auto& code : place.industries) {
        if (IndustryMatches(c.cStr(), code)) {
          match = true;
          where += std::string(where.empty() ? "" : ", ") + "industry " + c.cStr();
          break;
        }
      }
      if (match) break;
    }
    if (!match) return false;
  }
  *via = where;
  return true;
}

Result<std::vector<Coverage>> DomainView::CoverageOf(const Place& place, int64_t t,
                                                     uint64_t known_size) const {
  if (!memoize_coverage_) return Coverages(place, t, known_size);
  ASSIGN_OR_RETURN(auto ever, CoverageEver(place, known_size));
  std::vector<Coverage> out;
  for (const Coverage& c : *ever) {
    if (c.from <= t && t < c.until) out.push_back(c);
  }
  return out;
}

Result<std::shared_ptr<const std::vector<Coverage>>> DomainView::CoverageEver(
    const Place& place, uint64_t known_size) const {
  if (!memoize_coverage_) {
    ASSIGN_OR_RETURN(auto ever, Coverages(place, std::nullopt, known_size));
    return std::make_shared<const std::vector<Coverage>>(std::move(ever));
  }
  std::string key =
      place.enterprise + '\0' + place.jurisdiction + '\0' + tables::SeqPart(known_size);
  for (const auto& code : place.industries) key += '\0' + code;
  auto it = coverage_ever_.find(key);
  if (it != coverage_ever_.end()) return it->second;
  std::vector<Coverage> ever;
  if (place.enterprise.empty()) {
    ASSIGN_OR_RETURN(ever, Coverages(place, std::nullopt, known_size));
  } else {
    // The enterprises of one place share everything but the duties that name them: take the
    // place's coverage (remembered) and put those duties in, in the same duty-id order.
    ASSIGN_OR_RETURN(auto shared,
                     CoverageEver(Place{"", place.jurisdiction, place.industries}, known_size));
    std::set<std::string> own;
    RETURN_IF_ERROR(CollectDuties(tables::scope::kEnterprise, place.enterprise, &own));
    if (own.empty()) {  // the place's list is already in duty-id order, mappings last
      coverage_ever_.emplace(std::move(key), shared);
      return shared;
    }
    ASSIGN_OR_RETURN(auto chain, JurisdictionChain(place.jurisdiction));
    ASSIGN_OR_RETURN(ever, DutyCoverages(own, place, chain, std::nullopt, known_size));
    for (const auto& c : *shared) {
      if (!c.duty_id.empty() && !own.contains(c.duty_id)) ever.push_back(c);
    }
    std::stable_sort(ever.begin(), ever.end(),
                     [](const Coverage& a, const Coverage& b) { return a.duty_id < b.duty_id; });
    for (const auto& c : *shared) {
      if (c.duty_id.empty()) ever.push_back(c);  // industry mappings, after the duties
    }
  }
  auto shared = std::make_shared<const std::vector<Coverage>>(std::move(ever));
  coverage_ever_.emplace(std::move(key), shared);
  return shared;
}

Result<std::vector<Coverage>> DomainView::DutyCoverages(const std::set<std::string>& duty_ids,
                                                        const Place& place,
                                                        const std::vector<std::string>& chain,
                                                        std::optional<int64_t> at,
                                                        uint64_t known_size) const {
  using DutyView = std::optional<MessageView<tables::DutyRow>>;
  // The duties' rows, read in one batch; when memoizing, each decoded once per view (the
  // enterprises of an inspector's slice share their duties).
  std::vector<const DutyView*> views(duty_ids.size(), nullptr);
  std::vector<Bytes> keys;
  std::vector<std::pair<size_t, const std::string*>> unread;  // (position, duty id)
  size_t i = 0;
  for (const auto& id : duty_ids) {
    if (memoize_coverage_) {
      if (auto it = duty_rows_.find(id); it != duty_rows_.end()) views[i] = &it->second;
    }
    if (views[i] == nullptr) {
      keys.push_back(Key({name::kDuty, id}));
      unread.emplace_back(i, &id);
    }
    ++i;
  }
  ASSIGN_OR_RETURN(auto rows, rows_.GetMany(keys));
  std::vector<DutyView> read(memoize_coverage_ ? 0 : rows.size());  // kept here, not memoized
  for (size_t k = 0; k < rows.size(); ++k) {
    DutyView duty;
    if (rows[k]) {
      ASSIGN_OR_RETURN(duty, MessageView<tables::DutyRow>::Decode(*rows[k], "projection row"));
    }
    const auto& [at_position, id] = unread[k];
    views[at_position] = memoize_coverage_ ? &duty_rows_.emplace(*id, std::move(duty)).first->second
                                           : &(read[k] = std::move(duty));
  }
  std::vector<Coverage> out;
  i = 0;
  for (const auto& id : duty_ids) {
    const DutyView& duty = *views[i++];
    if (!duty) continue;
    auto d = duty->get();
    if (d.getAssignedSeq() >= known_size) continue;  // not yet recorded
    auto channel = ChannelOf(d.getRole());
    if (!channel) continue;
    int64_t until = d.getUntil();
    uint64_t ended = d.getRevokedSeq();
    if (ended != tables::kNoSeq && ended >= known_size) {  // revoked later than K
      until = d.getPlannedUntil();
      ended = tables::kNoSeq;
    }
    if (at && (d.getFrom() > *at || *at >= until)) continue;
    std::string via;
    ASSIGN_OR_RETURN(bool match, ScopeMatches(d, place, chain, &via));
    if (!match) continue;
    out.push_back(Coverage{d.getHolder().cStr(), *channel, id, via, d.getFrom(), until,
                           d.getAssignedSeq(), ended});
  }
  return out;
}

Result<std::vector<Coverage>> DomainView::Coverages(const Place& place, std::optional<int64_t> at,
                                                    uint64_t known_size) const {
  ASSIGN_OR_RETURN(auto chain, JurisdictionChain(place.jurisdiction));
  std::set<std::string> duty_ids;
  if (!place.enterprise.empty()) {
    RETURN_IF_ERROR(CollectDuties(tables::scope::kEnterprise, place.enterprise, &duty_ids));
  }
  for (const auto& j : chain) {
    RETURN_IF_ERROR(CollectDuties(tables::scope::kJurisdiction, j, &duty_ids));
  }
  std::set<std::string> prefixes;
  for (const auto& code : place.industries) {
    for (size_t n = 1; n <= code.size(); ++n) prefixes.insert(code.substr(0, n));
  }
  for (const auto& p : prefixes) {
    RETURN_IF_ERROR(CollectDuties(tables::scope::kIndustry, p, &duty_ids));
  }

  ASSIGN_OR_RETURN(std::vector<Coverage> out,
                   DutyCoverages(duty_ids, place, chain, at, known_size));
  // Industry mappings (三个必须): per (code, org), the mapping rows in order of their start;
  // each row holds until the next one for that pair (or forever), unless it ends the mapping.
  // Only the orgs mapped for a code in a place of the chain (or in none) can cover the place;
  // their every row is read, as a row elsewhere still ends the one before it.
  std::map<std::string, std::set<std::string>> orgs_of_code;
  for (size_t i = 0; i <= chain.size(); ++i) {
    std::string prefix = Prefix({name::kMappingPlace, i < chain.size() ? chain[i] : ""});
    Status bad;
    RETURN_IF_ERROR(rows_.Scan(prefix, [&](ByteView key, ByteView) {
      ByteView rest = key.substr(prefix.size());  // <code>\0<org>
      size_t cut = rest.find('\0');
      if (cut == ByteView::npos) {
        bad = Corruption("projection row: mapping index key without an org");
        return false;
      }
      std::string code(rest.substr(0, cut));
      if (prefixes.contains(code)) orgs_of_code[code].emplace(rest.substr(cut + 1));
      return true;
    }));
    RETURN_IF_ERROR(bad);
  }
  for (const auto& p : prefixes) {
    const std::set<std::string>& orgs = orgs_of_code[p];
    std::map<std::string, std::vector<MessageView<tables::MappingRow>>> by_org;
    for (const auto& org : orgs) {
      RETURN_IF_ERROR(rows_.ScanRows<tables::MappingRow>(Prefix({name::kMapping, p, org}),
                                                         [&](ByteView, auto m) {
                                                           if (m->getSeq() < known_size)
                                                             by_org[org].push_back(std::move(m));
                                                           return true;
                                                         }));
    }
    for (auto& [org, rows] : by_org) {
      for (auto& span : Spans(p, org, &rows)) {
        if (at && (span.coverage.from > *at || *at >= span.coverage.until)) continue;
        const std::string& j = span.jurisdiction;
        if (!j.empty() && std::find(chain.begin(), chain.end(), j) == chain.end()) continue;
        out.push_back(std::move(span.coverage));
      }
    }
  }
  return out;
}

// One (code, org) pair's mapping rows in order of their start: each row holds until the next
// one for that pair (or forever), unless it ends the mapping.
std::vector<DomainView::MappingSpan> DomainView::Spans(
    const std::string& code, const std::string& org,
    std::vector<MessageView<tables::MappingRow>>* rows) {
  std::stable_sort(rows->begin(), rows->end(), [](const auto& a, const auto& b) {
    return a->getFrom() != b->getFrom() ? a->getFrom() < b->getFrom() : a->getSeq() < b->getSeq();
  });
  std::vector<MappingSpan> out;
  for (size_t i = 0; i < rows->size(); ++i) {
    auto m = (*rows)[i].get();
    if (m.getEnded()) continue;
    const bool next = i + 1 < rows->size();
    out.push_back(MappingSpan{
        Coverage{"org:" + org, Channel::kSector, "", "industry " + code + " (三个必须 mapping)",
                 m.getFrom(), next ? (*rows)[i + 1]->getFrom() : tables::kForever, m.getSeq(),
                 next ? (*rows)[i + 1]->getSeq() : tables::kNoSeq},
        m.getJurisdiction().cStr()});
  }
  return out;
}

Result<std::vector<DomainView::MappingSpan>> DomainView::MappingsOf(const std::string& org,
                                                                    uint64_t known_size) const {
  // m/<code>/<org>/<seq>: the mapping table is small (codes × bodies), read whole.
  std::map<std::string, std::vector<MessageView<tables::MappingRow>>> by_code;
  RETURN_IF_ERROR(
      rows_.ScanRows<tables::MappingRow>(Prefix({name::kMapping}), [&](ByteView, auto m) {
        if (m->getSeq() < known_size && org == m->getOrg().cStr()) {
          std::string code = m->getIndustryCode().cStr();
          by_code[code].push_back(std::move(m));
        }
        return true;
      }));
  std::vector<MappingSpan> out;
  for (auto& [code, rows] : by_code) {
    for (auto& span : Spans(code, org, &rows)) out.push_back(std::move(span));
  }
  return out;
}

Result<std::vector<PostInfo>> DomainView::AllPosts(const std::string& official) const {
  std::vector<PostInfo> out;
  Status s = rows_.ScanRows<tables::PostRow>(
      Prefix({name::kPost, official}), [&](ByteView, const auto& p) {
        out.push_back(PostInfo{p->getOrg().cStr(), p->getPost().cStr(), p->getIsHead(),
                               p->getFrom(), p->getUntil(), p->getFromSeq(), p->getUntilSeq()});
        return true;
      });
  RETURN_IF_ERROR(s);
  return out;
}

Result<std::vector<PostInfo>> DomainView::PostsAt(const std::string& official, int64_t t) const {
  ASSIGN_OR_RETURN(auto all, AllPosts(official));
  std::vector<PostInfo> out;
  for (auto& p : all) {
    if (p.from <= t && t < p.until) out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<MessageView<tables::DutyRow>>> DomainView::DutiesOfHolderAt(
    const std::string& principal, int64_t t) const {
  ASSIGN_OR_RETURN(auto all, DutiesOfHolder(principal));
  std::vector<MessageView<tables::DutyRow>> out;
  for (auto& duty : all) {
    if (duty->getFrom() <= t && t < duty->getUntil()) out.push_back(std::move(duty));
  }
  return out;
}

Result<std::vector<MessageView<tables::DutyRow>>> DomainView::DutiesOfHolder(
    const std::string& principal) const {
  std::set<std::string> ids;
  RETURN_IF_ERROR(CollectDuties(tables::scope::kHolder, principal, &ids));
  std::vector<MessageView<tables::DutyRow>> out;
  for (const auto& id : ids) {
    ASSIGN_OR_RETURN(auto duty, Row<tables::DutyRow>(name::kDuty, id));
    if (duty) out.push_back(std::move(*duty));
  }
  return out;
}

Result<std::vector<std::string>> DomainView::OrgsActedFor(const std::string& principal,
                                                          int64_t t) const {
  std::string org = PrincipalId(principal, "org");
  if (!org.empty()) return std::vector<std::string>{org};
  std::string official = PrincipalId(principal, "official");
  std::vector<std::string> out;
  if (official.empty()) return out;
  ASSIGN_OR_RETURN(auto posts, PostsAt(official, t));
  for (const auto& p : posts) out.push_back(p.org);
  return out;
}

Result<bool> DomainView::ActsFor(const std::string& principal, const std::string& org,
                                 int64_t t) const {
  ASSIGN_OR_RETURN(auto orgs, OrgsActedFor(principal, t));
  return std::find(orgs.begin(), orgs.end(), org) != orgs.end();
}

Result<bool> DomainView::ActsForKind(const std::string& principal,
                                     const std::set<schema::OrganizationKind>& kinds, int64_t t,
                                     const std::string& within) const {
  ASSIGN_OR_RETURN(auto orgs, OrgsActedFor(principal, t));
  for (const auto& o : orgs) {
    ASSIGN_OR_RETURN(auto row, Row<tables::OrgRow>(name::kOrg, o));
    if (!row || !kinds.count((*row)->getKind())) continue;
    if (within.empty()) return true;
    // The body serves a place that contains `within`, or lies within it.
    std::string j = (*row)->getJurisdiction().cStr();
    ASSIGN_OR_RETURN(bool contains, JurisdictionWithin(within, j));
    ASSIGN_OR_RETURN(bool inside, JurisdictionWithin(j, within));
    if (contains || inside) return true;
  }
  return false;
}

Result<bool> DomainView::Covers(const std::string& principal, const Place& place, int64_t t,
                                std::string* how) const {
  ASSIGN_OR_RETURN(auto coverage, CoverageOf(place, t));
  ASSIGN_OR_RETURN(auto orgs, OrgsActedFor(principal, t));
  for (const auto& c : coverage) {
    bool direct = c.holder == principal;
    bool via_org = false;
    std::string org = PrincipalId(c.holder, "org");
    if (!org.empty()) via_org = std::find(orgs.begin(), orgs.end(), org) != orgs.end();
    if (direct || via_org) {
      if (how != nullptr) {
        *how = std::string(ChannelName(c.channel)) + " duty " +
               (c.duty_id.empty() ? c.via : c.duty_id) +
               (via_org && !direct ? " of " + c.holder : "");
      }
      return true;
    }
  }
  return false;
}

Result<bool> DomainView::AppointingAuthority(const std::string& principal, const std::string& org,
                                             int64_t t) const {
  ASSIGN_OR_RETURN(auto chain, OrgChain(org));
  // The bodies above `org` (not itself).
  std::vector<std::string> above(chain.size() > 1 ? chain.begin() + 1 : chain.end(), chain.end());
  std::string as_org = PrincipalId(principal, "org");
  if (!as_org.empty()) return std::find(above.begin(), above.end(), as_org) != above.end();
  std::string official = PrincipalId(principal, "official");
  if (official.empty()) return false;
  ASSIGN_OR_RETURN(auto posts, PostsAt(official, t));
  for (const auto& p : posts) {
    if (p.is_head && std::find(above.begin(), above.end(), p.org) != above.end()) return true;
  }
  ASSIGN_OR_RETURN(auto duties, DutiesOfHolderAt(principal, t));
  for (const auto& d : duties) {
    if (d->getRole() != DutyRole::APPOINTING_AUTHORITY) continue;
    for (auto o : d->getScope().getOrgs()) {
      if (std::find(chain.begin(), chain.end(), o.cStr()) != chain.end()) return true;
    }
  }
  return false;
}

Result<bool> DomainView::Registrar(const std::string& principal, const std::string& target,
                                   int64_t t) const {
  ASSIGN_OR_RETURN(auto duties, DutiesOfHolderAt(principal, t));
  for (const auto& d : duties) {
    if (d->getRole() != DutyRole::KEY_REGISTRAR) continue;
    for (auto scope_org : d->getScope().getOrgs()) {
      std::string o = scope_org.cStr();
      if (std::string target_org = PrincipalId(target, "org"); !target_org.empty()) {
        ASSIGN_OR_RETURN(auto chain, OrgChain(target_org));
        if (std::find(chain.begin(), chain.end(), o) != chain.end()) return true;
      } else if (std::string official = PrincipalId(target, "official"); !official.empty()) {
        ASSIGN_OR_RETURN(auto posts, AllPosts(official));
        for (const auto& p : posts) {
          if (p.until <= t) continue;  // a post already over does not count
          ASSIGN_OR_RETURN(auto chain, OrgChain(p.org));
          if (std::find(chain.begin(), chain.end(), o) != chain.end()) return true;
        }
      } else if (std::string enterprise = PrincipalId(target, "enterprise"); !enterprise.empty()) {
        ASSIGN_OR_RETURN(auto org_row, Row<tables::OrgRow>(name::kOrg, o));
        ASSIGN_OR_RETURN(auto place, EnterprisePlaceAt(enterprise, t));
        if (org_row && place) {
          ASSIGN_OR_RETURN(bool in, JurisdictionWithin(place->jurisdiction,
                                                       (*org_row)->getJurisdiction().cStr()));
          if (in) return true;
        }
      }
    }
  }
  return false;
}

}  // namespace dutyledger
