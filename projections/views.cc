#include "projections/views.h"

#include <capnp/dynamic.h>
#include <capnp/schema.h>

#include <algorithm>
#include <set>

#include "ledger/codec.h"
#include "projections/lapse_spill.h"
#include "projections/tables.h"

namespace dutyledger {

namespace sc = schema;
namespace name = tables::name;
using Which = sc::EventBody::Which;

namespace {

constexpr int64_t kDay = Time::kNanosPerDay;

std::string Str(capnp::Text::Reader t) { return t.cStr(); }

template <typename E>
std::string EnumName(E v) {
  auto list = capnp::Schema::from<E>().getEnumerants();
  auto i = static_cast<uint16_t>(v);
  if (i < list.size()) return list[i].getProto().getName();
  return std::to_string(i);
}

Time Local(int64_t nanos) { return Time{nanos, 480}; }

void SetTime(sc::Timestamp::Builder b, int64_t nanos) { WriteTime(b, Local(nanos)); }

bool Overlaps(int64_t from, int64_t until, int64_t start, int64_t end) {
  return from <= end && until > start;
}

// The event type's own struct (the active member of the EventBody union).
std::optional<capnp::DynamicStruct::Reader> Member(sc::EventBody::Reader body) {
  capnp::DynamicStruct::Reader d = body;
  KJ_IF_MAYBE (field, d.which()) {
    if (field->getType().isStruct()) return d.get(*field).as<capnp::DynamicStruct>();
  }
  return std::nullopt;
}

// A text field of the event's struct, if it has one of that name.
std::string TextField(const capnp::DynamicStruct::Reader& s, const char* field) {
  KJ_IF_MAYBE (f, s.getSchema().findFieldByName(field)) {
    if (f->getType().isText() && s.has(*f)) return s.get(*f).as<capnp::Text>().cStr();
  }
  return "";
}

bool ListHas(const capnp::DynamicStruct::Reader& s, const char* field, const std::string& v) {
  KJ_IF_MAYBE (f, s.getSchema().findFieldByName(field)) {
    if (!f->getType().isList() || !s.has(*f)) return false;
    auto list = s.get(*f).as<capnp::DynamicList>();
    if (!list.getSchema().getElementType().isText()) return false;
    for (auto item : list) {
      if (v == item.as<capnp::Text>().cStr()) return true;
    }
  }
  return false;
}

// What an event concerns, for an official's action list.
std::string SubjectOf(sc::EventBody::Reader body) {
  auto m = Member(body);
  if (!m) return "";
  for (auto [field, kind] :
       {std::pair{"enterpriseId", "enterprise:"}, std::pair{"projectId", "project:"},
        std::pair{"accidentId", "accident:"}, std::pair{"orderId", "order:"},
        std::pair{"hazardId", "hazard:"}, std::pair{"caseId", "case:"},
        std::pair{"committeeId", "committee:"}, std::pair{"subject", ""},
        std::pair{"jurisdiction", "jurisdiction:"}, std::pair{"org", "org:"}}) {
    std::string v = TextField(*m, field);
    if (!v.empty()) return kind + v;
  }
  return "";
}

std::string SummaryOf(sc::EventBody::Reader body) {
  auto m = Member(body);
  if (!m) return "";
  for (const char* field : {"summary", "finding", "description", "notes", "title", "name"}) {
    std::string v = TextField(*m, field);
    if (!v.empty()) return v;
  }
  return "";
}

// 《生产安全事故报告和调查处理条例》 Art 3 (the missing counted with the dead).
std::string AccidentGrade(uint32_t deaths, uint32_t serious, int64_t loss) {
  switch (ClassOf(deaths, serious, loss)) {
    case AccidentClass::kExtraordinary:
      return "特别重大";
    case AccidentClass::kMajor:
      return "重大";
    case AccidentClass::kLarger:
      return "较大";
    default:
      return "一般";
  }
}

std::string ProjectStage(const ProjectFact& p) {
  if (p.milestones.count(sc::Milestone::PRODUCTION_STARTED)) return "inProduction";
  if (p.accepted) return "accepted";
  if (p.milestones.count(sc::Milestone::TRIAL_RUN)) return "trialRun";
  if (p.milestones.count(sc::Milestone::CONSTRUCTION_STARTED) ||
      p.milestones.count(sc::Milestone::CONSTRUCTION_FINISHED)) {
    return "underConstruction";
  }
  if (p.design_approved) return "designApproved";
  if (p.reviewed) return "reviewed";
  return "proposed";
}

std::string OrderState(const OrderFact& o) {
  if (!o.reviews.empty()) return o.reviews.back().second ? "passed" : "failed";
  if (!o.reports.empty()) return "reported";
  return "issued";
}

std::string DescribeScope(sc::DutyScope::Reader scope) {
  std::string out;
  auto add = [&](const std::string& part) { out += (out.empty() ? "" : "; ") + part; };
  auto list = [](capnp::List<capnp::Text>::Reader l) {
    std::string s;
    for (auto t : l) s += (s.empty() ? "" : ",") + Str(t);
    return s;
  };
  if (scope.getJurisdictions().size()) add("jurisdictions " + list(scope.getJurisdictions()));
  if (scope.getIndustryCodes().size()) add("industries " + list(scope.getIndustryCodes()));
  if (scope.getEnterprises().size()) add("enterprises " + list(scope.getEnterprises()));
  if (scope.getOrgs().size()) add("bodies " + list(scope.getOrgs()));
  if (!Str(scope.getCommittee()).empty()) add("committee " + Str(scope.getCommittee()));
  if (!Str(scope.getPortfolio()).empty()) add("portfolio " + Str(scope.getPortfolio()));
  return out;
}

// Parts of a key "<a>\0<b>\0...".
std::vector<std::string> KeyParts(ByteView key) {
  std::vector<std::string> parts(1);
  for (char c : key) {
    if (c == '\0') {
      parts.emplace_back();
    } else {
      parts.back().push_back(c);
    }
  }
  return parts;
}

}  // namespace

Result<Lang> ParseLang(const std::string& text) {
  if (text.empty() || text == "en") return Lang::kEn;
  if (text == "zh-CN" || text == "zh" || text == "zh_CN") return Lang::kZh;
  return InvalidArgument("--lang: '" + text + "' is not a language this build renders (en, zh-CN)");
}

// ---------------------------------------------------------------------------------------------

struct ViewBuilder::Impl {
  explicit Impl(History& h)
      : history(h), engine(h, parameters), memo_source(LapseMemo::For(h.ledger())) {}

  History& history;
  LapseParameters parameters;
  LapseEngine engine;
  bool parameters_loaded = false;
  std::map<std::string, std::optional<EnterpriseFile>> files;  // nullopt: not registered by T
  std::map<std::string, std::vector<std::string>> children;    // jurisdiction → children
  bool children_loaded = false;

  const QueryTime& time() const { return history.time(); }
  int64_t T() const { return history.time().valid_at.unix_nanos; }
  uint64_t known() const { return history.time().known_size; }

  Status LoadParameters() {
    if (parameters_loaded) return Status::Ok();
    ASSIGN_OR_RETURN(parameters, LapseParameters::Load(history));
    parameters_loaded = true;
    return Status::Ok();
  }

  Result<const EnterpriseFile*> File(const std::string& id) {
    auto it = files.find(id);
    if (it == files.end()) {
      auto f = EnterpriseFile::Load(history, id);
      if (!f.ok() && f.status().code() != StatusCode::kNotFound) return f.status();
      it = files.emplace(id, f.ok() ? std::optional<EnterpriseFile>(std::move(*f)) : std::nullopt)
               .first;
    }
    return it->second ? &*it->second : nullptr;
  }

  // The jurisdiction and every jurisdiction inside it.
  Result<std::vector<std::string>> Within(const std::string& jurisdiction) {
    if (!children_loaded) {
      Status s = ScanJurisdictions([&](const std::string& id, const auto& row) {
        children[Str(row->getParent())].push_back(id);
      });
      RETURN_IF_ERROR(s);
      children_loaded = true;
    }
    std::vector<std::string> out{jurisdiction};
    for (size_t i = 0; i < out.size(); ++i) {
      auto it = children.find(out[i]);
      if (it == children.end()) continue;
      for (const auto& c : it->second) {
        if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
      }
    }
    return out;
  }

  // Enterprises that have ever been placed in the jurisdiction (or inside it), in id order: a
  // superset of those there at T. Callers keep what was there: the enterprise's place at T
  // (EnterpriseFile::jurisdiction), or a lapse's place (the place when its window opened).
  Result<std::vector<std::string>> EnterprisesEverIn(const std::string& jurisdiction) {
    ASSIGN_OR_RETURN(auto places, Within(jurisdiction));
    std::vector<std::string> out;
    for (const auto& j : places) {
      Status s =
          history.Scan(tables::Prefix({name::kEnterpriseByPlace, j}), [&](ByteView key, ByteView) {
            auto parts = KeyParts(key);
            if (parts.size() == 3) {
              out.push_back(parts[2]);
            }
            return true;
          });
      RETURN_IF_ERROR(s);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());  // moved within the jurisdiction
    return out;
  }

  Result<std::vector<std::string>> AllJurisdictions() {
    std::vector<std::string> out;
    RETURN_IF_ERROR(
        ScanJurisdictions([&](const std::string& id, const auto&) { out.push_back(id); }));
    return out;
  }

  // Each jurisdiction recorded by K: its id and row (a damaged row fails the scan).
  template <typename Fn>
  Status ScanJurisdictions(const Fn& fn) {
    return tables::ScanRows<tables::JurisdictionRow>(
        [&](ByteView prefix, const auto& visit) { return history.Scan(prefix, visit); },
        tables::Prefix({name::kJurisdiction}),
        [&](ByteView key, const auto& row) {
          auto parts = KeyParts(key);
          if (row->getSeq() < known() && parts.size() == 2) fn(parts[1], row);
          return true;
        });
  }

  // With `only`, just that principal's entries (the others are not made).
  Result<std::vector<HolderFact>> Holders(const Place& place, int64_t start, int64_t end,
                                          const std::string* only = nullptr);
  Result<std::vector<HolderFact>> HeadsOf(const std::string& org, const HolderFact& duty,
                                          const std::string* only = nullptr);

  // Memoized for one query (a park's lapses ask about the same places and bodies many times).
  // Every duty and mapping that ever reached the place as known, by channel, then start.
  Result<const std::vector<Coverage>*> CoverageEver(const Place& place);
  std::map<std::string, std::vector<Coverage>> coverage_cache;
  struct HeadPost {
    std::string official;
    int64_t from;
    int64_t until;  // as known
    uint64_t from_seq;
  };
  // The posts heading `org`, as known.
  Result<const std::vector<HeadPost>*> HeadPosts(const std::string& org);
  std::map<std::string, std::vector<HeadPost>> heads_cache;
  Status WriteHolder(const HolderFact& h, views::DutyHolder::Builder b);
  Status WriteHolders(const std::vector<HolderFact>& holders,
                      capnp::List<views::DutyHolder>::Builder list) {
    for (size_t i = 0; i < holders.size(); ++i) RETURN_IF_ERROR(WriteHolder(holders[i], list[i]));
    return Status::Ok();
  }
  // An official's dossier: each way a duty reached the official that a lapse names, once;
  // the lapses refer to them by index instead of listing every holder of the window.
  struct Reaches {
    std::string principal;  // "official:<id>"
    std::vector<HolderFact> list;
    std::map<std::string, uint32_t> index;  // what an entry says (with its evidence) → position
    uint32_t Add(HolderFact h);
  };
  // With `reaches`, each lapse names only that principal's holder entries, by reference.
  Status WriteLapses(const std::vector<LapseFinding>& findings,
                     capnp::List<views::Lapse>::Builder out, Reaches* reaches = nullptr);

  // Lapses of scopes, deduplicated; official scope filters by holder.
  Status EnterpriseLapses(const std::string& id, std::vector<LapseFinding>* out);

  // The memo of each enterprise's lapses over the whole record (LapseMemo): the ledger's, or
  // the one UseLapseMemo gave. `memo` is set while a view over many enterprises (a dossier, a
  // park) derives its lapses; none: every enterprise is derived at T.
  std::shared_ptr<LapseMemo> memo_source;
  LapseMemo* memo = nullptr;
  // The whole record as recorded by K, for what the memo has not kept yet.
  std::unique_ptr<History> whole;
  std::unique_ptr<LapseParameters> whole_parameters;
  std::unique_ptr<LapseEngine> whole_engine;
  Result<std::shared_ptr<const LapseMemo::Enterprise>> WholeRecord(const std::string& id);
  // The enterprise's lapses at T from the memo: false when they must be derived at T (a window
  // open at T, an accident by T, or T past the whole record's instant).
  Result<bool> FromMemo(const std::string& id, std::vector<LapseFinding>* out);
  struct MemoInUse {  // the memo while one view is built
    explicit MemoInUse(Impl& im) : im(im) { im.memo = im.memo_source.get(); }
    ~MemoInUse() { im.memo = nullptr; }
    Impl& im;
  };
  // Handed to `each`, subject by subject: what the lapse rules find for one place or one
  // enterprise, in the order a report lists lapses equal in their sort key.
  using EachSubject = std::function<Status(std::vector<LapseFinding>*)>;
  // The place rules of each place (one not registered by T has none), place by place.
  Status JurisdictionLapses(const std::vector<std::string>& places, const EachSubject& each);
  // Every subject's lapses appended to `all` (a view's list, sorted afterwards).
  static EachSubject Collect(std::vector<LapseFinding>* all) {
    return [all](std::vector<LapseFinding>* subject) {
      std::move(subject->begin(), subject->end(), std::back_inserter(*all));
      return Status::Ok();
    };
  }
  // The place rules of the jurisdiction and those inside it, then each enterprise in them.
  Status PlaceLapses(const std::string& jurisdiction, const EachSubject& each);
  // Every enterprise's lapses, one by one.
  Status EnterprisesLapses(const std::vector<std::string>& ids, const EachSubject& each);
  // Lapses in the official's scope that name them, subject by subject (the places, then each
  // enterprise).
  // With `only_their_holders`, each lapse handed on has only the official's holder entries
  // derived (a dossier's); else every holder of its window (`lapses --scope official:`).
  Status OfficialLapses(const std::string& official, bool only_their_holders,
                        const EachSubject& each);
  // Drops the records read and what points into them (enterprise files, coverage).
  void Forget() {
    files.clear();
    coverage_cache.clear();
    holders_cache.clear();
    history.domain().ForgetCoverage();
    history.Forget();
  }
  // The duty holders a lapse names, for its window (as far as T); with `only`, just that
  // principal's entries (an official's dossier lists no others: a county's lapses have a dozen
  // holders each, and the others' entries were a sixth of a county head's dossier). Memoized:
  // an official's scope asks once whether a lapse names them and again to write it.
  Result<const std::vector<HolderFact>*> LapseHolders(const LapseFinding& f,
                                                      const std::string* only = nullptr);
  Result<std::vector<HolderFact>> DeriveLapseHolders(const LapseFinding& f,
                                                     const std::string* only);
  // By subject, rule, window, summary, named principals and `only`: a lapse's holders depend on
  // those (its place and moves follow from its subject and window).
  std::map<std::string, std::vector<HolderFact>> holders_cache;
  // With `derive_only_theirs`, the others' entries are not made (LapseHolders' `only`).
  Result<bool> NamesHolder(const LapseFinding& f, const std::string& principal,
                           bool derive_only_theirs);

  Result<std::vector<HolderFact>> DutiesOf(const std::string& official);
  // The posts heading a body the official held by T, as known (until: kForever if the end is
  // not known).
  Result<std::vector<PostInfo>> HeadPostsOf(const std::string& official) {
    ASSIGN_OR_RETURN(auto all, history.domain().AllPosts(official));
    std::vector<PostInfo> out;
    for (auto& p : all) {
      if (!p.is_head || p.seq >= known() || p.from > T()) continue;
      if (p.until_seq >= known()) p.until = tables::kForever;
      out.push_back(std::move(p));
    }
    return out;
  }
};

ViewBuilder::ViewBuilder(History& history) : impl_(std::make_unique<Impl>(history)) {}
ViewBuilder::~ViewBuilder() = default;

void ViewBuilder::UseLapseMemo(std::shared_ptr<LapseMemo> memo) {
  impl_->memo_source = std::move(memo);
}

Result<std::vector<HolderFact>> ViewBuilder::Holders(const Place& place, int64_t start,
                                                     int64_t end) {
  return impl_->Holders(place, start, end);
}

// ---- duty holders

Result<const std::vector<ViewBuilder::Impl::HeadPost>*> ViewBuilder::Impl::HeadPosts(
    const std::string& org) {
  auto it = heads_cache.find(org);
  if (it != heads_cache.end()) return &it->second;
  std::vector<HeadPost> out;
  std::vector<std::pair<std::string, std::string>> members;  // (official, seq part)
  const std::string prefix = tables::Prefix({name::kOrgMember, org});
  // po/<org>/<official>/<seq: 8 bytes, which may hold '\0'>
  Status s = history.Scan(prefix, [&](ByteView key, ByteView) {
    ByteView rest = key.substr(prefix.size());
    size_t sep = rest.find('\0');
    if (sep != ByteView::npos && rest.size() == sep + 9) {
      members.emplace_back(std::string(rest.substr(0, sep)), std::string(rest.substr(sep + 1)));
    }
    return true;
  });
  RETURN_IF_ERROR(s);
  for (const auto& [official, seq_part] : members) {
    ASSIGN_OR_RETURN(auto post, tables::Read<tables::PostRow>(
                                    [&](ByteView k) { return history.ledger().GetProjection(k); },
                                    tables::Key({name::kPost, official, seq_part})));
    if (!post || !(*post)->getIsHead() || (*post)->getFromSeq() >= known()) continue;
    int64_t until = (*post)->getUntilSeq() < known() ? (*post)->getUntil() : tables::kForever;
    out.push_back(HeadPost{official, (*post)->getFrom(), until, (*post)->getFromSeq()});
  }
  return &heads_cache.emplace(org, std::move(out)).first->second;
}

Result<std::vector<HolderFact>> ViewBuilder::Impl::HeadsOf(const std::string& org,
                                                           const HolderFact& duty,
                                                           const std::string* only) {
  std::vector<HolderFact> out;
  ASSIGN_OR_RETURN(const std::vector<HeadPost>* posts, HeadPosts(org));
  for (const HeadPost& post : *posts) {
    if (!Overlaps(post.from, post.until, duty.from,
                  duty.until == tables::kForever ? INT64_MAX - 1 : duty.until - 1)) {
      continue;
    }
    std::string holder = "official:" + post.official;
    if (only != nullptr && holder != *only) continue;
    HolderFact h = duty;
    h.holder = std::move(holder);
    h.through = "org:" + org;
    h.from = std::max(post.from, duty.from);
    h.until = std::min(post.until, duty.until);
    ASSIGN_OR_RETURN(const Record* appointed, history.At(post.from_seq));
    h.evidence.insert(h.evidence.begin(), appointed);
    out.push_back(std::move(h));
  }
  return out;
}

Result<const std::vector<Coverage>*> ViewBuilder::Impl::CoverageEver(const Place& place) {
  std::string key = place.enterprise + '\0' + place.jurisdiction;
  for (const auto& code : place.industries) key += '\0' + code;
  auto it = coverage_cache.find(key);
  if (it != coverage_cache.end()) return &it->second;
  ASSIGN_OR_RETURN(auto shared, history.domain().CoverageEver(place, known()));
  std::vector<Coverage> ever = *shared;
  std::stable_sort(ever.begin(), ever.end(), [](const Coverage& a, const Coverage& b) {
    return a.channel != b.channel ? a.channel < b.channel
                                  : (a.from != b.from ? a.from < b.from : a.seq < b.seq);
  });
  return &coverage_cache.emplace(std::move(key), std::move(ever)).first->second;
}

Result<std::vector<HolderFact>> ViewBuilder::Impl::Holders(const Place& place, int64_t start,
                                                           int64_t end, const std::string* only) {
  ASSIGN_OR_RETURN(const std::vector<Coverage>* ever, CoverageEver(place));
  std::vector<HolderFact> out;
  for (const auto& c : *ever) {
    if (!Overlaps(c.from, c.until, start, end)) continue;
    std::string org = PrincipalId(c.holder, "org");
    if (only != nullptr && c.holder != *only && org.empty()) continue;  // neither nor its heads
    HolderFact h{
        c.holder, std::string(ChannelName(c.channel)), c.duty_id, c.via, "", c.from, c.until, {}};
    ASSIGN_OR_RETURN(const Record* assigned, history.At(c.seq));
    h.evidence.push_back(assigned);
    if (c.ended_seq != tables::kNoSeq) {
      ASSIGN_OR_RETURN(const Record* ended, history.At(c.ended_seq));
      h.evidence.push_back(ended);
    }
    if (only == nullptr || c.holder == *only) out.push_back(h);
    if (!org.empty()) {
      ASSIGN_OR_RETURN(auto heads, HeadsOf(org, h, only));
      for (auto& head : heads) {
        if (Overlaps(head.from, head.until, start, end)) out.push_back(std::move(head));
      }
    }
  }
  return out;
}

Status ViewBuilder::Impl::WriteHolder(const HolderFact& h, views::DutyHolder::Builder b) {
  b.setHolder(h.holder);
  ASSIGN_OR_RETURN(std::string name, history.NameOf(h.holder));
  b.setName(name);
  b.setChannel(h.channel);
  b.setDutyId(h.duty_id);
  b.setVia(h.via);
  SetTime(b.initFrom(), h.from);
  if (h.until != tables::kForever) SetTime(b.initUntil(), h.until);
  b.setThroughBody(h.through);
  auto ev = b.initEvidence(static_cast<unsigned>(h.evidence.size()));
  for (size_t i = 0; i < h.evidence.size(); ++i) history.FillEvidence(*h.evidence[i], ev[i]);
  return Status::Ok();
}

// ---- lapses

uint32_t ViewBuilder::Impl::Reaches::Add(HolderFact h) {
  std::string key = h.holder + '\0' + h.channel + '\0' + h.duty_id + '\0' + h.via + '\0' +
                    h.through + '\0' + std::to_string(h.from) + '\0' + std::to_string(h.until);
  for (const Record* r : h.evidence) key += '\0' + std::to_string(r->seq);
  auto [it, added] = index.emplace(std::move(key), static_cast<uint32_t>(list.size()));
  if (added) list.push_back(std::move(h));
  return it->second;
}

Status ViewBuilder::Impl::WriteLapses(const std::vector<LapseFinding>& findings,
                                      capnp::List<views::Lapse>::Builder out, Reaches* reaches) {
  for (size_t i = 0; i < findings.size(); ++i) {
    const LapseFinding& f = findings[i];
    auto l = out[i];
    l.setRule(f.rule);
    if (const RuleInfo* info = FindRule(f.rule)) {
      l.setTitle(info->title);
      l.setTitleZh(info->title_zh);
    }
    l.setParameterVersion(f.parameter_version);
    auto params = l.initParameters(static_cast<unsigned>(f.parameters.size()));
    for (size_t j = 0; j < f.parameters.size(); ++j) {
      params[j].setRule(std::get<0>(f.parameters[j]));
      params[j].setName(std::get<1>(f.parameters[j]));
      params[j].setValue(std::get<2>(f.parameters[j]));
    }
    WriteTime(l.initWindowStart(), f.window_start);
    if (f.window_end) WriteTime(l.initWindowEnd(), *f.window_end);
    if (auto shown = f.ShownAt()) {
      WriteTime(l.initShownAt(), shown->at);
      l.setShownByRecord(shown->by != nullptr);
      if (shown->by != nullptr) l.setShownBy(shown->by->seq);
    }
    l.setSubject(f.subject);
    l.setSummary(f.summary);
    l.setSummaryZh(f.summary_zh.empty() ? f.summary : f.summary_zh);
    ASSIGN_OR_RETURN(const std::vector<HolderFact>* found,
                     LapseHolders(f, reaches != nullptr ? &reaches->principal : nullptr));
    const std::vector<HolderFact>& holders = *found;
    if (reaches != nullptr) {
      std::vector<uint32_t> refs;
      for (const auto& h : holders) {
        if (h.holder == reaches->principal) refs.push_back(reaches->Add(h));
      }
      auto rl = l.initReachedThrough(static_cast<unsigned>(refs.size()));
      for (size_t j = 0; j < refs.size(); ++j) rl.set(static_cast<unsigned>(j), refs[j]);
    } else {
      RETURN_IF_ERROR(WriteHolders(holders, l.initHolders(static_cast<unsigned>(holders.size()))));
    }
    auto ev = l.initEvidence(static_cast<unsigned>(f.evidence.size()));
    for (size_t j = 0; j < f.evidence.size(); ++j) history.FillEvidence(*f.evidence[j], ev[j]);
  }
  return Status::Ok();
}

Status ViewBuilder::Impl::EnterpriseLapses(const std::string& id, std::vector<LapseFinding>* out) {
  RETURN_IF_ERROR(LoadParameters());
  if (memo != nullptr) {
    ASSIGN_OR_RETURN(bool answered, FromMemo(id, out));
    if (answered) return Status::Ok();
  }
  ASSIGN_OR_RETURN(const EnterpriseFile* file, File(id));
  if (file == nullptr) return Status::Ok();
  return engine.Enterprise(*file, out);
}

Result<std::shared_ptr<const LapseMemo::Enterprise>> ViewBuilder::Impl::WholeRecord(
    const std::string& id) {
  if (!whole_engine) {
    QueryTime q = time();
    q.valid_at = LapseMemo::kWholeRecord;
    auto h = std::make_unique<History>(history.ledger(), q);
    ASSIGN_OR_RETURN(auto parameters, LapseParameters::Load(*h));
    whole = std::move(h);
    whole_parameters = std::make_unique<LapseParameters>(std::move(parameters));
    whole_engine = std::make_unique<LapseEngine>(*whole, *whole_parameters);
  }
  auto file = EnterpriseFile::Load(*whole, id);
  if (!file.ok() && file.status().code() != StatusCode::kNotFound) return file.status();
  std::vector<LapseFinding> found;
  std::optional<Time> registered, first_accident;
  if (file.ok()) {
    RETURN_IF_ERROR(whole_engine->Enterprise(*file, &found));
    registered = file->registered;
    for (const auto& [aid, a] : file->accidents) {
      Time first = a.accident_at;
      for (const Record* r : a.records) first = std::min(first, r->occurred);
      if (!first_accident || first < *first_accident) first_accident = first;
    }
  }
  auto kept = LapseMemo::Make(registered, first_accident, found);
  found.clear();
  whole->Forget();  // what is kept holds sequences, not records
  memo->Keep(id, known(), kept);
  return kept;
}

Result<bool> ViewBuilder::Impl::FromMemo(const std::string& id, std::vector<LapseFinding>* out) {
  const Time T = time().valid_at;
  if (T >= LapseMemo::kWholeRecord) return false;
  ASSIGN_OR_RETURN(std::shared_ptr<const LapseMemo::Enterprise> kept,
                   memo->Find(&history.ledger(), id, known(), history.cursors()));
  if (!kept) {
    if (!memo->AskedBefore(id, known())) return false;
    ASSIGN_OR_RETURN(kept, WholeRecord(id));
  }
  if (!kept->registered || *kept->registered > T) return true;  // not registered by T: none
  if (kept->first_accident && *kept->first_accident <= T) return false;  // L30 at T

  std::vector<const LapseMemo::Lapse*> taken;
  std::vector<uint64_t> records;
  for (const LapseMemo::Lapse& l : kept->lapses) {
    switch (l.When(T)) {
      case LapseMemo::Lapse::At::kNotShown:
        continue;
      case LapseMemo::Lapse::At::kOpen:
        return false;
      case LapseMemo::Lapse::At::kClosed:
        taken.push_back(&l);
        for (const auto& [seq, occurred] : l.evidence) {
          if (occurred <= T) records.push_back(seq);
        }
        for (uint64_t seq : l.moved_by) {
          if (seq != tables::kNoSeq) records.push_back(seq);
        }
        break;
    }
  }
  RETURN_IF_ERROR(history.Preload(records));
  for (const LapseMemo::Lapse* l : taken) {
    LapseFinding f = l->finding;
    for (const auto& [seq, occurred] : l->evidence) {
      if (occurred > T) continue;  // the whole record's evidence that had occurred by T
      ASSIGN_OR_RETURN(const Record* r, history.At(seq));
      f.evidence.push_back(r);
    }
    for (size_t i = 0; i < f.moves.size(); ++i) {
      if (l->moved_by[i] == tables::kNoSeq) continue;
      ASSIGN_OR_RETURN(f.moves[i].record, history.At(l->moved_by[i]));
    }
    out->push_back(std::move(f));
  }
  memo->CountTaken(taken.size());
  return true;
}

Status ViewBuilder::Impl::JurisdictionLapses(const std::vector<std::string>& places,
                                             const EachSubject& each) {
  RETURN_IF_ERROR(LoadParameters());
  for (const auto& j : places) {
    std::vector<LapseFinding> found;
    Status s = engine.Jurisdiction(j, &found);
    if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
    RETURN_IF_ERROR(each(&found));
  }
  return Status::Ok();
}

// The place's own lapses, and those of the enterprises that were in it when the window opened
// (an enterprise that moved away leaves its lapses here; one that moved in brings none).
Status ViewBuilder::Impl::PlaceLapses(const std::string& jurisdiction, const EachSubject& each) {
  ASSIGN_OR_RETURN(auto places, Within(jurisdiction));
  RETURN_IF_ERROR(JurisdictionLapses(places, each));
  ASSIGN_OR_RETURN(auto enterprises, EnterprisesEverIn(jurisdiction));
  const std::set<std::string> inside(places.begin(), places.end());
  return EnterprisesLapses(enterprises, [&](std::vector<LapseFinding>* found) {
    std::erase_if(*found, [&](const LapseFinding& f) {
      return !f.place || !inside.count(f.place->jurisdiction);
    });
    return each(found);
  });
}

Status ViewBuilder::Impl::EnterprisesLapses(const std::vector<std::string>& ids,
                                            const EachSubject& each) {
  for (const auto& e : ids) {
    std::vector<LapseFinding> found;
    RETURN_IF_ERROR(EnterpriseLapses(e, &found));
    RETURN_IF_ERROR(each(&found));
  }
  return Status::Ok();
}

// The holders of the place where the window opened, until the subject moved; those of each
// place it had from then on. A duty reaching both places (a county's) answers for the whole
// window once; one reaching only one of them is named for its part, cut at the move (whose
// record joins its evidence).
Result<const std::vector<HolderFact>*> ViewBuilder::Impl::LapseHolders(const LapseFinding& f,
                                                                       const std::string* only) {
  std::string key = f.subject + '\0' + f.rule + '\0' + std::to_string(f.window_start.unix_nanos) +
                    '\0' + (f.window_end ? std::to_string(f.window_end->unix_nanos) : "open") +
                    '\0' + f.summary;
  for (const auto& p : f.extra_holders) key += '\0' + p;
  key += '\1' + (only != nullptr ? *only : std::string("*"));  // no principal is "*"
  auto it = holders_cache.find(key);
  if (it == holders_cache.end()) {
    ASSIGN_OR_RETURN(auto holders, DeriveLapseHolders(f, only));
    it = holders_cache.emplace(std::move(key), std::move(holders)).first;
  }
  return &it->second;
}

Result<std::vector<HolderFact>> ViewBuilder::Impl::DeriveLapseHolders(const LapseFinding& f,
                                                                      const std::string* only) {
  std::vector<HolderFact> out;
  if (f.place) {
    const int64_t start = f.window_start.unix_nanos;
    const int64_t end = std::max(f.window_end ? f.window_end->unix_nanos : T(), start);
    struct Segment {  // [from, to], closed, as Holders asks
      const Place* place;
      int64_t from, to;
      const Record* began;  // the move that began it (none for the first)
    };
    std::vector<Segment> segments{{&*f.place, start, end, nullptr}};
    for (const auto& m : f.moves) {
      segments.back().to = m.at.unix_nanos - 1;
      segments.push_back({&m.place, m.at.unix_nanos, end, m.record});
    }
    struct Span {
      HolderFact holder;
      size_t first, last;  // the segments it answers for
    };
    std::vector<Span> spans;
    for (size_t i = 0; i < segments.size(); ++i) {
      const Segment& seg = segments[i];
      ASSIGN_OR_RETURN(auto holders, Holders(*seg.place, seg.from, seg.to, only));
      for (auto& h : holders) {
        auto same = std::find_if(spans.begin(), spans.end(), [&](const Span& s) {
          const HolderFact& o = s.holder;
          return s.last + 1 == i && o.holder == h.holder && o.channel == h.channel &&
                 o.duty_id == h.duty_id && o.via == h.via && o.through == h.through &&
                 o.from == h.from && o.until == h.until;
        });
        if (same != spans.end()) {
          same->last = i;
        } else {
          spans.push_back({std::move(h), i, i});
        }
      }
    }
    for (auto& s : spans) {
      if (s.first > 0) {
        s.holder.from = std::max(s.holder.from, segments[s.first].from);
        if (segments[s.first].began) s.holder.evidence.push_back(segments[s.first].began);
      }
      if (s.last + 1 < segments.size()) {
        const Segment& next = segments[s.last + 1];
        s.holder.until = std::min(s.holder.until, next.from);
        if (next.began) s.holder.evidence.push_back(next.began);
      }
      out.push_back(std::move(s.holder));
    }
  }
  for (const auto& p : f.extra_holders) {
    if (only != nullptr && p != *only) continue;
    HolderFact h;
    h.holder = p;
    h.channel = "named";
    h.via = "named by the records of this lapse";
    h.from = f.window_start.unix_nanos;
    if (f.window_end) h.until = f.window_end->unix_nanos;
    out.push_back(std::move(h));
  }
  return out;
}

Result<bool> ViewBuilder::Impl::NamesHolder(const LapseFinding& f, const std::string& principal,
                                            bool derive_only_theirs) {
  for (const auto& p : f.extra_holders) {
    if (p == principal) return true;
  }
  if (!f.place) return false;
  ASSIGN_OR_RETURN(const std::vector<HolderFact>* holders,
                   LapseHolders(f, derive_only_theirs ? &principal : nullptr));
  for (const auto& h : *holders) {
    if (h.holder == principal) return true;
  }
  return false;
}

// Every duty the official held by T: personally, and through the bodies they headed.
Result<std::vector<HolderFact>> ViewBuilder::Impl::DutiesOf(const std::string& official) {
  std::vector<HolderFact> out;
  auto add = [&](const std::string& holder, const std::string& through, int64_t from_limit,
                 int64_t until_limit, const Record* post) -> Status {
    ASSIGN_OR_RETURN(auto duties, history.domain().DutiesOfHolder(holder));
    for (auto& d : duties) {
      if (d->getAssignedSeq() >= known() || d->getFrom() > T()) continue;
      int64_t until = d->getUntil();
      uint64_t ended = d->getRevokedSeq();
      if (ended != tables::kNoSeq && ended >= known()) {
        until = d->getPlannedUntil();
        ended = tables::kNoSeq;
      }
      int64_t from = std::max(d->getFrom(), from_limit);
      until = std::min(until, until_limit);
      if (from >= until) continue;
      auto channel = ChannelOf(d->getRole());
      HolderFact h{official,
                   channel ? std::string(ChannelName(*channel)) : EnumName(d->getRole()),
                   Str(d->getDutyId()),
                   DescribeScope(d->getScope()),
                   through,
                   from,
                   until,
                   {}};
      if (post) h.evidence.push_back(post);
      ASSIGN_OR_RETURN(const Record* assigned, history.At(d->getAssignedSeq()));
      h.evidence.push_back(assigned);
      if (ended != tables::kNoSeq) {
        ASSIGN_OR_RETURN(const Record* end, history.At(ended));
        h.evidence.push_back(end);
      }
      out.push_back(std::move(h));
    }
    return Status::Ok();
  };
  std::string principal = "official:" + official;
  RETURN_IF_ERROR(add(principal, "", INT64_MIN, tables::kForever, nullptr));
  ASSIGN_OR_RETURN(auto posts, HeadPostsOf(official));
  for (const auto& p : posts) {
    ASSIGN_OR_RETURN(const Record* appointed, history.At(p.seq));
    RETURN_IF_ERROR(add("org:" + p.org, "org:" + p.org, p.from, p.until, appointed));
    // 管行业必须管安全: the industries mapped to the body (三个必须) reach its head too.
    ASSIGN_OR_RETURN(auto mappings, history.domain().MappingsOf(p.org, known()));
    for (const auto& m : mappings) {
      const Coverage& c = m.coverage;
      int64_t from = std::max(c.from, p.from), until = std::min(c.until, p.until);
      if (c.from > T() || from >= until) continue;
      HolderFact h{principal, "sector", "", c.via, "org:" + p.org, from, until, {appointed}};
      ASSIGN_OR_RETURN(const Record* mapped, history.At(c.seq));
      h.evidence.push_back(mapped);
      if (c.ended_seq != tables::kNoSeq && c.ended_seq < known()) {
        ASSIGN_OR_RETURN(const Record* ended, history.At(c.ended_seq));
        h.evidence.push_back(ended);
      }
      out.push_back(std::move(h));
    }
  }
  for (auto& h : out) h.holder = principal;
  std::stable_sort(out.begin(), out.end(),
                   [](const HolderFact& a, const HolderFact& b) { return a.from < b.from; });
  return out;
}

// Lapses in the scope of the official's duties: the places their duties reach, filtered to the
// lapses whose duty holders during the window include them.
Status ViewBuilder::Impl::OfficialLapses(const std::string& official, bool only_their_holders,
                                         const EachSubject& each) {
  ASSIGN_OR_RETURN(auto duties, DutiesOf(official));
  std::set<std::string> jurisdictions, enterprises;
  // The industries mapped to a body they headed: where they were mapped for (or the body's
  // place, for a mapping for no place in particular).
  ASSIGN_OR_RETURN(auto posts, HeadPostsOf(official));
  for (const auto& p : posts) {
    ASSIGN_OR_RETURN(auto mappings, history.domain().MappingsOf(p.org, known()));
    for (const auto& m : mappings) {
      if (m.coverage.from > T()) continue;
      std::string j = m.jurisdiction;
      if (j.empty()) {
        ASSIGN_OR_RETURN(auto row, history.domain().Row<tables::OrgRow>(name::kOrg, p.org));
        if (row) j = Str((*row)->getJurisdiction());
      }
      if (!j.empty()) jurisdictions.insert(std::move(j));
    }
  }
  for (const auto& h : duties) {
    if (h.duty_id.empty()) continue;
    ASSIGN_OR_RETURN(auto d, history.domain().Row<tables::DutyRow>(name::kDuty, h.duty_id));
    if (!d) continue;
    auto scope = (*d)->getScope();
    for (auto j : scope.getJurisdictions()) jurisdictions.insert(Str(j));
    for (auto e : scope.getEnterprises()) enterprises.insert(Str(e));
    if (!Str(scope.getCommittee()).empty()) {
      ASSIGN_OR_RETURN(auto c, history.domain().Row<tables::CommitteeRow>(
                                   name::kCommittee, Str(scope.getCommittee())));
      if (c) jurisdictions.insert(Str((*c)->getJurisdiction()));
    }
    // An industry-only scope reaches the enterprises of the holder body's place.
    if (scope.getJurisdictions().size() == 0 && scope.getIndustryCodes().size() > 0) {
      std::string holder = Str((*d)->getHolder());
      std::vector<std::string> orgs;
      if (std::string org = PrincipalId(holder, "org"); !org.empty()) {
        orgs.push_back(org);
      } else {
        ASSIGN_OR_RETURN(orgs, history.domain().OrgsActedFor(holder, T()));
      }
      for (const auto& org : orgs) {
        ASSIGN_OR_RETURN(auto row, history.domain().Row<tables::OrgRow>(name::kOrg, org));
        if (row) jurisdictions.insert(Str((*row)->getJurisdiction()));
      }
    }
  }
  // Each place and enterprise once, however many duties reach it (a park through a body the
  // official heads and enterprises in it in person): its lapses are listed once, and derived once.
  std::vector<std::string> places, firms;
  std::set<std::string> seen_places, seen_firms;
  for (const auto& j : jurisdictions) {
    ASSIGN_OR_RETURN(auto within, Within(j));
    for (auto& p : within) {
      if (seen_places.insert(p).second) places.push_back(std::move(p));
    }
    ASSIGN_OR_RETURN(auto in, EnterprisesEverIn(j));  // NamesHolder keeps what was there
    for (auto& e : in) {
      if (seen_firms.insert(e).second) firms.push_back(std::move(e));
    }
  }
  for (const auto& e : enterprises) {
    if (seen_firms.insert(e).second) firms.push_back(e);
  }
  // The places' lapses, then each enterprise's, those naming the official handed on.
  std::string principal = "official:" + official;
  const EachSubject hand_on = [&](std::vector<LapseFinding>* candidates) -> Status {
    std::vector<LapseFinding> named;
    for (auto& f : *candidates) {
      ASSIGN_OR_RETURN(bool names, NamesHolder(f, principal, only_their_holders));
      if (names) named.push_back(std::move(f));
    }
    return each(&named);
  };
  RETURN_IF_ERROR(JurisdictionLapses(places, hand_on));
  return EnterprisesLapses(firms, hand_on);
}

namespace {

// Lapses in a stable order: by window start, rule, subject.
void SortLapses(std::vector<LapseFinding>* lapses) {
  std::stable_sort(lapses->begin(), lapses->end(), LapseBefore<LapseFinding>);
}

}  // namespace

Status LapseReportCollector::Begin(views::LapseReport::Reader header, uint64_t count) {
  out_.setValidAt(header.getValidAt());
  out_.setKnownAt(header.getKnownAt());
  out_.setScope(header.getScope());
  list_ = out_.initLapses(static_cast<unsigned>(count));
  return Status::Ok();
}

Status LapseReportCollector::Lapse(views::Lapse::Reader lapse) {
  list_.setWithCaveats(next_++, lapse);
  return Status::Ok();
}

Status ViewBuilder::Lapses(const std::string& scope, const std::string& rule,
                           views::LapseReport::Builder out) {
  LapseReportCollector writer(out);
  return StreamLapses(scope, rule, writer);
}

Status ViewBuilder::StreamLapses(const std::string& scope, const std::string& rule,
                                 LapseReportWriter& writer, const ReportLimits& limits) {
  Impl& im = *impl_;
  if (!rule.empty() && FindRule(rule) == nullptr) {
    std::string known;
    for (const auto& r : LapseRules()) known += (known.empty() ? "" : ", ") + std::string(r.id);
    return InvalidArgument("--rule: '" + rule + "' is not a lapse rule this build checks (" +
                           known + ")");
  }
  LapseSpill spill(limits.set_aside_bytes);
  // One subject's lapses (of `rule`, when given): set aside, then the records read are dropped
  // if more are held than the limit allows. Nothing that points into them outlives this.
  const Impl::EachSubject set_aside = [&](std::vector<LapseFinding>* found) -> Status {
    if (!rule.empty()) {
      std::erase_if(*found, [&](const LapseFinding& f) { return f.rule != rule; });
    }
    if (!found->empty()) {
      capnp::MallocMessageBuilder message;
      auto list =
          message.initRoot<views::LapseReport>().initLapses(static_cast<unsigned>(found->size()));
      RETURN_IF_ERROR(im.WriteLapses(*found, list));
      for (auto l : list.asReader()) RETURN_IF_ERROR(spill.Add(l));
      found->clear();
    }
    if (im.history.held() > limits.held_records) im.Forget();
    return Status::Ok();
  };
  auto colon = scope.find(':');
  std::string kind = colon == std::string::npos ? scope : scope.substr(0, colon);
  std::string id = colon == std::string::npos ? "" : scope.substr(colon + 1);
  if (scope.empty()) {
    ASSIGN_OR_RETURN(auto all, im.AllJurisdictions());
    RETURN_IF_ERROR(im.JurisdictionLapses(all, set_aside));
    std::vector<std::string> ids;
    Status s = im.history.Scan(tables::Prefix({name::kEnterprise}), [&](ByteView key, ByteView) {
      auto parts = KeyParts(key);
      if (parts.size() == 2) ids.push_back(parts[1]);
      return true;
    });
    RETURN_IF_ERROR(s);
    RETURN_IF_ERROR(im.EnterprisesLapses(ids, set_aside));
  } else if (id.empty()) {
    return InvalidArgument("--scope: '" + scope +
                           "' must be park:<id>, jurisdiction:<id>, enterprise:<id> or "
                           "official:<id>");
  } else if (kind == "park" || kind == "jurisdiction") {
    ASSIGN_OR_RETURN(auto row,
                     im.history.domain().Row<tables::JurisdictionRow>(name::kJurisdiction, id));
    if (!row || (*row)->getSeq() >= im.known()) {
      return NotFound("--scope: jurisdiction '" + id + "' is not registered (as known at " +
                      FormatRfc3339(im.time().known_at) + ")");
    }
    Impl::MemoInUse memo(im);
    RETURN_IF_ERROR(im.PlaceLapses(id, set_aside));
  } else if (kind == "enterprise") {
    ASSIGN_OR_RETURN(const EnterpriseFile* file, im.File(id));
    if (file == nullptr) {
      return NotFound("--scope: enterprise '" + id + "' is not registered by " +
                      FormatRfc3339(im.time().valid_at));
    }
    RETURN_IF_ERROR(im.EnterprisesLapses({id}, set_aside));
  } else if (kind == "official") {
    ASSIGN_OR_RETURN(auto row, im.history.domain().Row<tables::OfficialRow>(name::kOfficial, id));
    if (!row || (*row)->getSeq() >= im.known()) {
      return NotFound("--scope: official '" + id + "' is not registered");
    }
    Impl::MemoInUse memo(im);
    RETURN_IF_ERROR(im.OfficialLapses(id, /*only_their_holders=*/false, set_aside));
  } else {
    return InvalidArgument("--scope: '" + kind +
                           "' is not a scope (park, jurisdiction, enterprise, official)");
  }
  capnp::MallocMessageBuilder message;
  auto header = message.initRoot<views::LapseReport>();
  WriteTime(header.initValidAt(), im.time().valid_at);
  WriteTime(header.initKnownAt(), im.time().known_at);
  header.setScope(scope.empty() ? "all" : scope);
  RETURN_IF_ERROR(writer.Begin(header.asReader(), spill.size()));
  RETURN_IF_ERROR(spill.Each([&](views::Lapse::Reader l) { return writer.Lapse(l); }));
  return writer.End();
}

// ---- the enterprise

Status ViewBuilder::Enterprise(const std::string& enterprise, views::EnterpriseView::Builder out) {
  Impl& im = *impl_;
  History& h = im.history;
  ASSIGN_OR_RETURN(const EnterpriseFile* fp, im.File(enterprise));
  if (fp == nullptr) {
    return NotFound("enterprise '" + enterprise + "' is not registered by " +
                    FormatRfc3339(im.time().valid_at) + " (as recorded by " +
                    FormatRfc3339(im.time().known_at) + ")");
  }
  const EnterpriseFile& f = *fp;
  out.setEnterpriseId(f.id);
  out.setName(f.name);
  out.setJurisdiction(f.jurisdiction);
  auto codes = out.initIndustryCodes(static_cast<unsigned>(f.industries.size()));
  for (size_t i = 0; i < f.industries.size(); ++i) codes.set(i, f.industries[i]);
  out.setRiskClass(EnumName(f.risk));
  out.setKeyTarget(f.key_target);
  out.setForeignInvested(f.foreign);
  out.setEmergingSector(f.emerging);
  out.setStatus(f.Status());
  out.setPrincipalPerson(f.principal_person);
  out.setLegalRepresentative(f.legal_rep);
  out.setStandardizationGrade(f.standardization);
  WriteTime(out.initRegisteredAt(), f.registered);
  WriteTime(out.initValidAt(), im.time().valid_at);
  WriteTime(out.initKnownAt(), im.time().known_at);

  // The responsibility map: every duty holder from registration to T, and approvals signed.
  Place place{f.id, f.jurisdiction, f.industries};
  ASSIGN_OR_RETURN(auto holders, im.Holders(place, f.registered.unix_nanos, im.T()));
  for (const auto& [pid, p] : f.projects) {
    for (const auto& [signatory, record] : p.approvals) {
      HolderFact a;
      a.holder = signatory;
      a.channel = "approval";
      a.via = "project " + pid + ": " + record->event.type_name();
      a.from = record->occurred.unix_nanos;
      a.evidence.push_back(record);
      holders.push_back(std::move(a));
    }
  }
  RETURN_IF_ERROR(
      im.WriteHolders(holders, out.initResponsibility(static_cast<unsigned>(holders.size()))));

  auto inspections = out.initInspections(static_cast<unsigned>(f.inspections.size()));
  for (size_t i = 0; i < f.inspections.size(); ++i) {
    const auto& in = f.inspections[i];
    auto b = inspections[i];
    b.setInspectionId(in.id);
    WriteTime(b.initAt(), in.at);
    b.setMode(EnumName(in.mode));
    auto who = b.initInspectors(static_cast<unsigned>(in.inspectors.size()));
    for (size_t j = 0; j < in.inspectors.size(); ++j) who.set(j, in.inspectors[j]);
    b.setNoFindings(in.no_findings);
    b.setEnterpriseSigned(in.enterprise_signed);
    h.FillEvidence(*in.record, b.initEvidence());
  }

  auto hazards = out.initHazards(static_cast<unsigned>(f.hazards.size()));
  unsigned i = 0;
  for (const auto& [id, hz] : f.hazards) {
    auto b = hazards[i++];
    b.setHazardId(id);
    b.setGrade(EnumName(hz.grade));
    b.setHazardType(hz.type);
    b.setDescription(hz.description);
    b.setSource(EnumName(hz.source));
    WriteTime(b.initIdentifiedAt(), hz.identified);
    b.setSelfReported(hz.self_reported.has_value());
    b.setListed(hz.listed.has_value() && !hz.delisted);
    if (hz.closed) WriteTime(b.initClosedAt(), *hz.closed);
    int64_t end = hz.closed ? hz.closed->unix_nanos : im.T();
    b.setDaysOpen(static_cast<double>(end - hz.identified.unix_nanos) / kDay);
    auto orders = b.initOrders(static_cast<unsigned>(hz.orders.size()));
    for (size_t j = 0; j < hz.orders.size(); ++j) orders.set(j, hz.orders[j]);
    auto ev = b.initEvidence(static_cast<unsigned>(hz.records.size()));
    for (size_t j = 0; j < hz.records.size(); ++j) h.FillEvidence(*hz.records[j], ev[j]);
  }

  auto orders = out.initOrders(static_cast<unsigned>(f.orders.size()));
  i = 0;
  for (const auto& [id, o] : f.orders) {
    auto b = orders[i++];
    b.setOrderId(id);
    b.setOrderNo(o.order_no);
    WriteTime(b.initIssuedAt(), o.issued);
    b.setIssuedBy(o.issued_by);
    WriteTime(b.initDeadline(), o.deadline);
    auto hz = b.initHazards(static_cast<unsigned>(o.hazards.size()));
    for (size_t j = 0; j < o.hazards.size(); ++j) hz.set(j, o.hazards[j]);
    b.setState(OrderState(o));
    if (!o.reports.empty()) WriteTime(b.initReportedAt(), o.reports.back());
    if (!o.reviews.empty()) WriteTime(b.initReviewedAt(), o.reviews.back().first);
    if (o.reports.empty() && im.T() > o.deadline.unix_nanos) {
      b.setDaysOverdue(static_cast<double>(im.T() - o.deadline.unix_nanos) / kDay);
    }
    if (o.deadlines.size() > 1) {
      auto changes = b.initDeadlineChanges(static_cast<unsigned>(o.deadlines.size() - 1));
      for (size_t j = 1; j < o.deadlines.size(); ++j) {
        const auto &before = o.deadlines[j - 1], &now = o.deadlines[j];
        auto c = changes[static_cast<unsigned>(j - 1)];
        WriteTime(c.initChangedAt(), now.from);
        WriteTime(c.initFrom(), before.deadline);
        WriteTime(c.initTo(), now.deadline);
        c.setAfterItPassed(now.from > before.deadline);
        h.FillEvidence(*now.record, c.initEvidence());
      }
    }
    auto ev = b.initEvidence(static_cast<unsigned>(o.records.size()));
    for (size_t j = 0; j < o.records.size(); ++j) h.FillEvidence(*o.records[j], ev[j]);
  }

  auto measures = out.initMeasures(static_cast<unsigned>(f.measures.size()));
  i = 0;
  for (const auto& [id, m] : f.measures) {
    auto b = measures[i++];
    b.setMeasureId(id);
    b.setKind(EnumName(m.kind));
    WriteTime(b.initImposedAt(), m.imposed);
    if (m.lifted) WriteTime(b.initLiftedAt(), *m.lifted);
    auto ev = b.initEvidence(static_cast<unsigned>(m.records.size()));
    for (size_t j = 0; j < m.records.size(); ++j) h.FillEvidence(*m.records[j], ev[j]);
  }

  std::vector<const PenaltyFact*> penalties;
  for (const auto& [id, c] : f.cases) {
    for (const auto& p : c.penalties) penalties.push_back(&p);
  }
  auto pen = out.initPenalties(static_cast<unsigned>(penalties.size()));
  for (size_t j = 0; j < penalties.size(); ++j) {
    const PenaltyFact& p = *penalties[j];
    auto b = pen[j];
    b.setCaseId(p.case_id);
    WriteTime(b.initDecidedAt(), p.decided);
    auto kinds = b.initKinds(static_cast<unsigned>(p.kinds.size()));
    for (size_t k = 0; k < p.kinds.size(); ++k) kinds.set(k, EnumName(p.kinds[k]));
    b.setTotalYuan(p.total_yuan);
    b.setDecisionNo(p.decision_no);
    h.FillEvidence(*p.record, b.initEvidence());
  }

  auto permits = out.initPermits(static_cast<unsigned>(f.permits.size()));
  i = 0;
  for (const auto& [id, p] : f.permits) {
    auto b = permits[i++];
    b.setPermitId(id);
    b.setPermitType(p.type);
    b.setStatus(EnumName(p.status));
    WriteTime(b.initChangedAt(), p.changed);
    b.setIssuingOrg(p.org);
  }

  auto projects = out.initProjects(static_cast<unsigned>(f.projects.size()));
  i = 0;
  for (const auto& [id, p] : f.projects) {
    auto b = projects[i++];
    b.setProjectId(id);
    b.setName(p.name);
    b.setStage(ProjectStage(p));
    b.setReviewOutcome(EnumName(p.outcome));
    b.setPreAssessed(p.pre_assessed.has_value());
    b.setDesignApproved(p.design_approved);
    b.setAccepted(p.accepted);
    b.setProductionStarted(p.milestones.count(sc::Milestone::PRODUCTION_STARTED) > 0);
    std::vector<HolderFact> approvals;
    for (const auto& [signatory, record] : p.approvals) {
      HolderFact a;
      a.holder = signatory;
      a.channel = "approval";
      a.via = record->event.type_name();
      a.from = record->occurred.unix_nanos;
      a.evidence.push_back(record);
      approvals.push_back(std::move(a));
    }
    RETURN_IF_ERROR(
        im.WriteHolders(approvals, b.initApprovals(static_cast<unsigned>(approvals.size()))));
    auto ev = b.initEvidence(static_cast<unsigned>(p.records.size()));
    for (size_t j = 0; j < p.records.size(); ++j) h.FillEvidence(*p.records[j], ev[j]);
  }

  auto accidents = out.initAccidents(static_cast<unsigned>(f.accidents.size()));
  i = 0;
  for (const auto& [id, a] : f.accidents) {
    auto b = accidents[i++];
    b.setAccidentId(id);
    WriteTime(b.initAccidentAt(), a.accident_at);
    WriteTime(b.initKnownToUnitHeadAt(), a.known_at);
    auto reports = b.initReports(static_cast<unsigned>(a.reports.size()));
    for (size_t j = 0; j < a.reports.size(); ++j) {
      WriteTime(reports[j].initReportedAt(), a.reports[j].reported_at);
      reports[j].setLevel(EnumName(a.reports[j].level));
      reports[j].setBy(a.reports[j].by);
      reports[j].setRecipient(a.reports[j].recipient);
    }
    b.setDeaths(a.deaths);
    b.setSeriousInjuries(a.serious);
    b.setMissing(a.missing);
    b.setDirectLossYuan(a.loss);
    b.setGrade(AccidentGrade(a.deaths + a.missing, a.serious, a.loss));
    auto stages = b.initInvestigation(static_cast<unsigned>(a.stages.size()));
    for (size_t j = 0; j < a.stages.size(); ++j) {
      stages.set(j, EnumName(std::get<0>(a.stages[j])));
    }
    auto ev = b.initEvidence(static_cast<unsigned>(a.records.size()));
    for (size_t j = 0; j < a.records.size(); ++j) h.FillEvidence(*a.records[j], ev[j]);
  }

  auto checklist = out.initChecklist(static_cast<unsigned>(f.checklist.size()));
  for (size_t j = 0; j < f.checklist.size(); ++j) {
    const auto& [version, code, status, when] = f.checklist[j];
    checklist[j].setVersion(version);
    checklist[j].setCode(code);
    checklist[j].setStatus(EnumName(status));
    WriteTime(checklist[j].initDeclaredAt(), when);
  }

  // Records apart: late or recorded after T (folded in, and flagged), and corrections.
  std::vector<const Record*> late, corrected;
  for (const Record* r : f.corrections) {
    if (!r->effective()) {
      corrected.push_back(r);
    } else {
      late.push_back(r);
    }
  }
  auto lr = out.initLateRecords(static_cast<unsigned>(late.size()));
  for (size_t j = 0; j < late.size(); ++j) h.FillEvidence(*late[j], lr[j]);
  auto corr = out.initCorrections(static_cast<unsigned>(corrected.size()));
  for (size_t j = 0; j < corrected.size(); ++j) {
    const Record& r = *corrected[j];
    auto b = corr[j];
    b.setEventId(r.body().getEventId());
    b.setType(r.event.type_name());
    b.setWithdrawn(r.withdrawn);
    b.setReason(r.correction_reason);
    h.FillEvidence(r, b.initOriginal());
    if (r.corrected_by != tables::kNoSeq) {  // read with the record (History::Load)
      ASSIGN_OR_RETURN(const Record* by, h.At(r.corrected_by));
      h.FillEvidence(*by, b.initBy());
    }
  }

  std::vector<LapseFinding> lapses;
  RETURN_IF_ERROR(im.EnterpriseLapses(enterprise, &lapses));
  SortLapses(&lapses);
  return im.WriteLapses(lapses, out.initLapses(static_cast<unsigned>(lapses.size())));
}

// ---- the official

Status ViewBuilder::Official(const std::string& official, views::OfficialView::Builder out) {
  Impl& im = *impl_;
  Impl::MemoInUse memo(im);
  History& h = im.history;
  ASSIGN_OR_RETURN(auto row, h.domain().Row<tables::OfficialRow>(name::kOfficial, official));
  if (!row || (*row)->getSeq() >= im.known()) {
    return NotFound("official '" + official + "' is not registered (as recorded by " +
                    FormatRfc3339(im.time().known_at) + ")");
  }
  const std::string principal = "official:" + official;
  out.setOfficialId(official);
  out.setName(Str((*row)->getName()));
  WriteTime(out.initValidAt(), im.time().valid_at);
  WriteTime(out.initKnownAt(), im.time().known_at);

  ASSIGN_OR_RETURN(auto all_posts, h.domain().AllPosts(official));
  std::vector<PostInfo> posts;
  for (auto& p : all_posts) {
    if (p.seq >= im.known() || p.from > im.T()) continue;
    if (p.until_seq >= im.known()) p.until = tables::kForever;
    posts.push_back(p);
  }
  std::stable_sort(posts.begin(), posts.end(),
                   [](const PostInfo& a, const PostInfo& b) { return a.from < b.from; });
  auto pl = out.initPosts(static_cast<unsigned>(posts.size()));
  for (size_t i = 0; i < posts.size(); ++i) {
    pl[i].setOrg(posts[i].org);
    ASSIGN_OR_RETURN(std::string org_name, h.NameOf("org:" + posts[i].org));
    pl[i].setOrgName(org_name);
    pl[i].setPost(posts[i].post);
    pl[i].setHead(posts[i].is_head);
    SetTime(pl[i].initFrom(), posts[i].from);
    if (posts[i].until != tables::kForever) SetTime(pl[i].initUntil(), posts[i].until);
  }

  ASSIGN_OR_RETURN(auto duties, im.DutiesOf(official));
  RETURN_IF_ERROR(im.WriteHolders(duties, out.initDuties(static_cast<unsigned>(duties.size()))));

  // Actions and what they received: their stream (signed by them, or naming them).
  ASSIGN_OR_RETURN(auto stream, h.Stream(principal));
  struct ActionItem {
    std::string role;
    const Record* record;
  };
  std::vector<ActionItem> actions;
  std::vector<const Record*> received, late;
  for (const Record* r : stream) {
    if (r->late || r->after_valid) late.push_back(r);
    if (!r->effective()) continue;
    auto b = r->body();
    auto m = Member(b);
    switch (b.which()) {
      case Which::OVERSIGHT_CONDUCTED:
      case Which::ACCOUNTABILITY_MEASURE_IMPOSED:
      case Which::RESPONSIBILITY_FINDING_RECORDED:
        if (r->signer() != principal) {
          received.push_back(r);
          continue;
        }
        break;
      case Which::OFFICIAL_APPOINTED:
      case Which::OFFICIAL_LEFT_POST:
      case Which::DUTY_ASSIGNED:
      case Which::DUTY_REVOKED:
      case Which::KEY_BOUND:
      case Which::KEY_REVOKED:
        if (r->signer() != principal) continue;  // their posts and duties are listed above
        break;
      default:
        break;
    }
    std::string role;
    if (r->signer() == principal) {
      role = "signed";
    } else if (m && ListHas(*m, "inspectors", official)) {
      role = "inspector";
    } else if (m && TextField(*m, "chair") == official) {
      role = "chair";
    } else if (m && ListHas(*m, "attendees", official)) {
      role = "attendee";
    } else if (m && TextField(*m, "accessor") == official) {
      role = "accessed";
    } else if (m && (ListHas(*m, "signatories", official) || ListHas(*m, "reviewers", official))) {
      role = "signatory";
    } else {
      role = "named";
    }
    actions.push_back({role, r});
  }
  auto al = out.initActions(static_cast<unsigned>(actions.size()));
  std::map<std::pair<std::string, std::string>, uint32_t> counts;
  for (size_t i = 0; i < actions.size(); ++i) {
    al[i].setRole(actions[i].role);
    h.FillEvidence(*actions[i].record, al[i].initEvidence());
    al[i].setSubject(SubjectOf(actions[i].record->body()));
    al[i].setSummary(SummaryOf(actions[i].record->body()));
    ++counts[{actions[i].role, actions[i].record->event.type_name()}];
  }
  auto cl = out.initActionCounts(static_cast<unsigned>(counts.size()));
  unsigned ci = 0;
  for (const auto& [key, n] : counts) {
    cl[ci].setRole(key.first);
    cl[ci].setType(key.second);
    cl[ci].setCount(n);
    ++ci;
  }

  // Resourcing of the bodies they served in.
  std::set<std::string> orgs;
  for (const auto& p : posts) orgs.insert(p.org);
  RETURN_IF_ERROR(Resourcing(orgs, [&](unsigned n) { return out.initResourcing(n); }));

  auto recv = out.initReceived(static_cast<unsigned>(received.size()));
  for (size_t i = 0; i < received.size(); ++i) {
    auto b = received[i]->body();
    std::string kind = received[i]->event.type_name(), summary = SummaryOf(b);
    if (b.isOversightConducted()) {
      auto o = b.getOversightConducted();
      kind = EnumName(o.getKind());
      summary = "grade " + EnumName(o.getGrade()) + (o.getVeto() ? ", veto (一票否决)" : "");
      for (auto f : o.getFindings()) summary += "; " + Str(f);
    } else if (b.isAccountabilityMeasureImposed()) {
      auto a = b.getAccountabilityMeasureImposed();
      kind = EnumName(a.getRegime()) + "/" + EnumName(a.getKind());
      summary = "step " + EnumName(a.getStep());
    } else if (b.isResponsibilityFindingRecorded()) {
      auto f = b.getResponsibilityFindingRecorded();
      kind = "responsibilityFinding";
      summary = "accident " + Str(f.getAccidentId()) + ": " + Str(f.getFinding());
    }
    recv[i].setKind(kind);
    recv[i].setSummary(summary);
    h.FillEvidence(*received[i], recv[i].initEvidence());
  }

  auto lr = out.initLateRecords(static_cast<unsigned>(late.size()));
  for (size_t i = 0; i < late.size(); ++i) h.FillEvidence(*late[i], lr[i]);

  std::vector<LapseFinding> lapses;
  RETURN_IF_ERROR(im.OfficialLapses(official, /*only_their_holders=*/true, Impl::Collect(&lapses)));
  SortLapses(&lapses);
  Impl::Reaches reaches{principal, {}, {}};
  RETURN_IF_ERROR(
      im.WriteLapses(lapses, out.initLapses(static_cast<unsigned>(lapses.size())), &reaches));
  return im.WriteHolders(reaches.list, out.initReaches(static_cast<unsigned>(reaches.list.size())));
}

// ---- the park

namespace {

struct TaskItem {
  std::string decision, task, description, owner, status = "open";
  Time due;
  std::vector<const Record*> records;
};

}  // namespace

Status WriteCommitteeBusiness(History& h, const std::vector<std::string>& committees, int64_t since,
                              std::vector<const Record*>* cited,
                              const std::function<BusinessLists(unsigned, unsigned)>& init) {
  std::vector<const Record*> meetings;
  std::vector<TaskItem> tasks;
  for (const auto& committee : committees) {
    ASSIGN_OR_RETURN(auto cs, h.Stream("committee:" + committee));
    for (const Record* r : cs) {
      if (!r->effective()) continue;
      auto b = r->body();
      if (b.isCommitteeMeetingHeld() && r->occurred.unix_nanos >= since) meetings.push_back(r);
      if (b.isCommitteeDecisionRecorded() && r->occurred.unix_nanos >= since) {
        auto d = b.getCommitteeDecisionRecorded();
        for (auto t : d.getTasks()) {
          tasks.push_back({Str(d.getDecisionId()),
                           Str(t.getTaskId()),
                           Str(t.getDescription()),
                           Str(t.getOwner()),
                           "open",
                           ReadTime(t.getDue()),
                           {r}});
        }
      }
      if (b.isCommitteeTaskStatusChanged()) {
        auto s = b.getCommitteeTaskStatusChanged();
        for (auto& t : tasks) {
          if (t.decision != Str(s.getDecisionId()) || t.task != Str(s.getTaskId())) continue;
          t.status = EnumName(s.getStatus());
          if (s.getStatus() == sc::TaskStatus::EXTENDED && s.hasNewDue()) {
            t.due = ReadTime(s.getNewDue());
          }
          t.records.push_back(r);
        }
      }
    }
  }
  auto [ml, tl] = init(static_cast<unsigned>(meetings.size()), static_cast<unsigned>(tasks.size()));
  for (size_t i = 0; i < meetings.size(); ++i) {
    auto m = meetings[i]->body().getCommitteeMeetingHeld();
    ml[i].setMeetingId(Str(m.getMeetingId()));
    WriteTime(ml[i].initAt(), meetings[i]->occurred);
    ml[i].setType(EnumName(m.getType()));
    ml[i].setChair(Str(m.getChair()));
    auto att = ml[i].initAttendees(m.getAttendees().size());
    for (unsigned j = 0; j < m.getAttendees().size(); ++j) att.set(j, m.getAttendees()[j]);
    h.FillEvidence(*meetings[i], ml[i].initEvidence());
    if (cited) cited->push_back(meetings[i]);
  }
  for (size_t i = 0; i < tasks.size(); ++i) {
    tl[i].setDecisionId(tasks[i].decision);
    tl[i].setTaskId(tasks[i].task);
    tl[i].setDescription(tasks[i].description);
    tl[i].setOwner(tasks[i].owner);
    WriteTime(tl[i].initDue(), tasks[i].due);
    tl[i].setStatus(tasks[i].status);
    auto ev = tl[i].initEvidence(static_cast<unsigned>(tasks[i].records.size()));
    for (size_t j = 0; j < tasks[i].records.size(); ++j) {
      h.FillEvidence(*tasks[i].records[j], ev[j]);
      if (cited) cited->push_back(tasks[i].records[j]);
    }
  }
  return Status::Ok();
}

Status ViewBuilder::Decisions(const std::string& committee, views::DecisionsView::Builder out) {
  History& h = impl_->history;
  ASSIGN_OR_RETURN(auto stream, h.Stream("committee:" + committee));
  bool constituted = false;
  for (const Record* r : stream) constituted |= r->body().isSafetyCommitteeConstituted();
  if (!constituted) {
    return NotFound("committee '" + committee + "' is not constituted (as recorded by " +
                    FormatRfc3339(impl_->time().known_at) + ")");
  }
  out.setCommitteeId(committee);
  WriteTime(out.initValidAt(), impl_->time().valid_at);
  WriteTime(out.initKnownAt(), impl_->time().known_at);
  return WriteCommitteeBusiness(h, {committee}, INT64_MIN, nullptr, [&](unsigned m, unsigned t) {
    return std::make_pair(out.initMeetings(m), out.initTasks(t));
  });
}

Status ViewBuilder::Resourcing(
    const std::set<std::string>& orgs,
    const std::function<capnp::List<views::Resourcing>::Builder(unsigned)>& init) {
  History& h = impl_->history;
  std::vector<const Record*> resourcing;
  for (const auto& org : orgs) {
    ASSIGN_OR_RETURN(auto org_stream, h.Stream("org:" + org));
    for (const Record* r : org_stream) {
      if (r->effective() && r->body().isResourcingRecorded() &&
          Str(r->body().getResourcingRecorded().getOrg()) == org) {
        resourcing.push_back(r);
      }
    }
  }
  auto rl = init(static_cast<unsigned>(resourcing.size()));
  for (size_t i = 0; i < resourcing.size(); ++i) {
    auto e = resourcing[i]->body().getResourcingRecorded();
    auto b = rl[i];
    b.setOrg(Str(e.getOrg()));
    WriteTime(b.initPeriodStart(), ReadTime(e.getPeriodStart()));
    WriteTime(b.initPeriodEnd(), ReadTime(e.getPeriodEnd()));
    b.setAuthorizedStaff(e.getAuthorizedStaff());
    b.setActualStaff(e.getActualStaff());
    b.setCertifiedInspectors(e.getCertifiedInspectors());
    b.setTrainingHours(e.getTrainingHours());
    b.setBudgetYuan(e.getBudgetYuan());
    h.FillEvidence(*resourcing[i], b.initEvidence());
  }
  return Status::Ok();
}

Status ViewBuilder::Park(const std::string& jurisdiction, views::ParkView::Builder out) {
  Impl& im = *impl_;
  Impl::MemoInUse memo(im);
  History& h = im.history;
  ASSIGN_OR_RETURN(auto row,
                   h.domain().Row<tables::JurisdictionRow>(name::kJurisdiction, jurisdiction));
  if (!row || (*row)->getSeq() >= im.known()) {
    return NotFound("park or jurisdiction '" + jurisdiction +
                    "' is not registered (as recorded by " + FormatRfc3339(im.time().known_at) +
                    ")");
  }
  // Asked before it was established, say so (as the enterprise view does before registration)
  // rather than show an empty park under its later name.
  ASSIGN_OR_RETURN(const Record* established, h.At((*row)->getSeq()));
  if (established->occurred > im.time().valid_at) {
    return NotFound("park or jurisdiction '" + jurisdiction + "' was not established by " +
                    FormatRfc3339(im.time().valid_at) + " (it was on " +
                    FormatRfc3339(established->occurred) + ", entry " +
                    std::to_string(established->seq) + ")");
  }
  out.setJurisdictionId(jurisdiction);
  out.setName(Str((*row)->getName()));
  WriteTime(out.initValidAt(), im.time().valid_at);
  WriteTime(out.initKnownAt(), im.time().known_at);

  Place place{"", jurisdiction, {}};
  ASSIGN_OR_RETURN(auto holders, im.Holders(place, INT64_MIN, im.T()));
  std::erase_if(holders, [](const HolderFact& f) {
    return f.channel != ChannelName(Channel::kFirstResponsible) &&
           f.channel != ChannelName(Channel::kPartyFirstResponsible) &&
           f.channel != ChannelName(Channel::kCommittee) &&
           f.channel != ChannelName(Channel::kTerritorial);
  });
  RETURN_IF_ERROR(
      im.WriteHolders(holders, out.initFirstResponsible(static_cast<unsigned>(holders.size()))));

  ASSIGN_OR_RETURN(auto stream, h.Stream("jurisdiction:" + jurisdiction));
  std::vector<std::string> committees;
  for (const Record* r : stream) {
    if (r->effective() && r->body().isSafetyCommitteeConstituted()) {
      auto c = r->body().getSafetyCommitteeConstituted();
      std::string id = Str(c.getCommitteeId());
      if (Str(c.getJurisdiction()) == jurisdiction &&
          std::find(committees.begin(), committees.end(), id) == committees.end()) {
        committees.push_back(id);
      }
    }
  }
  auto cl = out.initCommittees(static_cast<unsigned>(committees.size()));
  for (size_t i = 0; i < committees.size(); ++i) cl.set(i, committees[i]);

  RETURN_IF_ERROR(
      WriteCommitteeBusiness(h, committees, INT64_MIN, nullptr, [&](unsigned m, unsigned t) {
        return std::make_pair(out.initMeetings(m), out.initTasks(t));
      }));

  // Inspection coverage of the enterprises in it at T, and blind spots at T.
  ASSIGN_OR_RETURN(auto enterprises, im.EnterprisesEverIn(jurisdiction));
  ASSIGN_OR_RETURN(auto places, im.Within(jurisdiction));
  const std::set<std::string> inside(places.begin(), places.end());
  std::vector<const EnterpriseFile*> files;
  for (const auto& e : enterprises) {
    ASSIGN_OR_RETURN(const EnterpriseFile* f, im.File(e));
    if (f != nullptr && inside.count(f->jurisdiction)) files.push_back(f);
  }
  auto el = out.initEnterprises(static_cast<unsigned>(files.size()));
  for (size_t i = 0; i < files.size(); ++i) {
    const EnterpriseFile& f = *files[i];
    auto b = el[i];
    b.setEnterpriseId(f.id);
    b.setName(f.name);
    b.setKeyTarget(f.key_target);
    uint32_t last_year = 0;
    std::optional<Time> last;
    for (const auto& in : f.inspections) {
      if (in.mode == sc::InspectionMode::ENTERPRISE_SELF_CHECK) continue;
      if (!last || *last < in.at) last = in.at;
      if (in.at.unix_nanos > im.T() - 365 * kDay) ++last_year;
    }
    if (last) WriteTime(b.initLastInspection(), *last);
    b.setInspectionsLastYear(last_year);
    b.setRiskClass(EnumName(f.risk));
    auto codes = b.initIndustryCodes(static_cast<unsigned>(f.industries.size()));
    for (size_t j = 0; j < f.industries.size(); ++j) codes.set(j, f.industries[j]);
    const int64_t year_ago = im.T() - 365 * kDay;
    uint32_t hazards = 0, orders = 0, penalties = 0;
    double order_days = 0;
    for (const auto& [hid, hz] : f.hazards) hazards += hz.identified.unix_nanos > year_ago;
    for (const auto& [oid, o] : f.orders) {
      if (o.issued.unix_nanos <= year_ago) continue;
      ++orders;
      order_days += static_cast<double>(o.deadline.unix_nanos - o.issued.unix_nanos) / kDay;
    }
    for (const auto& [cid, c] : f.cases) {
      for (const auto& pen : c.penalties) penalties += pen.decided.unix_nanos > year_ago;
    }
    b.setHazardsLastYear(hazards);
    b.setOrdersLastYear(orders);
    b.setPenaltiesLastYear(penalties);
    b.setMeanOrderDays(orders ? order_days / orders : 0);
    ASSIGN_OR_RETURN(auto coverage, h.domain().CoverageOf(Place{f.id, f.jurisdiction, f.industries},
                                                          im.T(), im.known()));
    bool territorial = false, sector = false;
    for (const auto& c : coverage) {
      territorial |= c.channel == Channel::kTerritorial;
      sector |= c.channel == Channel::kSector;
    }
    b.setBlindSpot(!territorial || !sector);
    if (!territorial || !sector) {
      b.setBlindSpotReason(!territorial && !sector ? "no territorial and no sector supervisor"
                           : !territorial          ? "no territorial supervisor"
                                                   : "no sector supervisor for its industries");
    }
  }

  std::vector<LapseFinding> lapses;
  RETURN_IF_ERROR(im.PlaceLapses(jurisdiction, Impl::Collect(&lapses)));
  SortLapses(&lapses);
  return im.WriteLapses(lapses, out.initLapses(static_cast<unsigned>(lapses.size())));
}

}  // namespace dutyledger
