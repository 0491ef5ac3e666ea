#include "projections/lapses.h"

#include <algorithm>
#include <set>

#include "projections/tables.h"

namespace dutyledger {

namespace sc = schema;
using Which = sc::EventBody::Which;
namespace name = tables::name;

namespace {

constexpr int64_t kDay = Time::kNanosPerDay;
constexpr int64_t kHour = Time::kNanosPerHour;

Time Plus(Time t, double nanos) { return t.PlusNanos(static_cast<int64_t>(nanos)); }

// Whether the last of `decisions` at or before t approved (a design, an acceptance).
bool ApprovedAt(const std::vector<ProjectFact::Decision>& decisions, Time t) {
  bool approved = false;
  for (const auto& d : decisions) {
    if (d.at <= t) approved = d.approved;
  }
  return approved;
}

// The first of `decisions` after t that approved.
std::optional<Time> ApprovedAfter(const std::vector<ProjectFact::Decision>& decisions, Time t) {
  for (const auto& d : decisions) {
    if (d.at > t && d.approved) return d.at;
  }
  return std::nullopt;
}

// A level an accident's reports must reach, as a summary names it (English, Chinese).
std::pair<const char*, const char*> LevelName(sc::ReportLevel level) {
  switch (level) {
    case sc::ReportLevel::CITY:
      return {"city", "设区的市级"};
    case sc::ReportLevel::PROVINCE:
      return {"province", "省级"};
    default:
      return {"State Council", "国务院有关部门"};
  }
}

// When the reports of an accident had to go above `level` (条例 Art 10), within [reached,
// until]: each stretch during which the accident's class required more, from `reached` (the
// report that reached `level`) or from the report or update that raised the class above it,
// whichever came later, to the update that lowered it again (none: still required at `until`).
// A relay above what the class requires is not due; one whose requirement was lowered before
// it was made was due until then.
struct RelayDue {
  Time from;
  std::optional<Time> until;                        // the class was lowered again then
  const AccidentFact::Required* raised;             // the requirement that made it due
  const AccidentFact::Required* lowered = nullptr;  // the one that lowered it, if any
};
std::vector<RelayDue> RelayStretches(const AccidentFact& a, sc::ReportLevel level, Time reached,
                                     Time until) {
  std::vector<RelayDue> out;
  for (const auto& req : a.required_level) {
    if (req.from > until) break;
    const bool open = !out.empty() && !out.back().until;
    if (req.level > level) {
      if (!open) out.push_back(RelayDue{std::max(reached, req.from), std::nullopt, &req});
    } else if (open) {
      if (req.from <= out.back().from) {
        out.pop_back();  // lowered before `level` was reached: never due
      } else {
        out.back().until = req.from;
        out.back().lowered = &req;
      }
    }
  }
  return out;
}

// A span during which an order was past the deadline then in force (plus its grace) and not
// done. A deadline extended after it had passed ends a span (the order was overdue until the
// extension) and may open another when the new one passes too.
struct OverdueSpan {
  size_t deadline;  // index into OrderFact::deadlines: the deadline it passed
  Time from;
  std::optional<Time> until;         // absent: still overdue at T
  const Record* extended = nullptr;  // the deadline change that ended it, if one did
};

// `grace[i]` is the grace after deadline i; `done` when the order stopped being overdue (a
// report, a passed review), if it did by T.
std::vector<OverdueSpan> OverdueSpans(const OrderFact& o, const std::vector<int64_t>& grace,
                                      std::optional<Time> done, Time T) {
  std::vector<OverdueSpan> out;
  for (size_t i = 0; i < o.deadlines.size(); ++i) {
    const auto& d = o.deadlines[i];
    if (done && *done <= d.from) break;
    const Time start = std::max(d.from, d.deadline.PlusNanos(grace[i]));
    std::optional<Time> until = done;
    const Record* extended = nullptr;
    if (i + 1 < o.deadlines.size() && (!until || o.deadlines[i + 1].from < *until)) {
      until = o.deadlines[i + 1].from;
      extended = o.deadlines[i + 1].record;
    }
    if (until ? *until <= start : T <= start) continue;
    if (!out.empty() && out.back().until == start) {  // changed to a date already passed
      out.back().until = until;
      out.back().extended = extended;
      continue;
    }
    out.push_back(OverdueSpan{i, start, until, extended});
  }
  return out;
}

std::string Str(capnp::Text::Reader t) { return t.cStr(); }

std::string DayText(Time t) { return FormatRfc3339(t.WithOffset(480)).substr(0, 10); }

std::string Days(int64_t nanos) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(nanos) / kDay);
  return buf;
}

// Defaults: reference/domain.md §5.
const std::map<std::pair<std::string, std::string>, double>& Defaults() {
  static const auto* d = new std::map<std::pair<std::string, std::string>, double>{
      {{"L1", "blind_spot_grace_days"}, 0},
      {{"L2", "vacancy_grace_days"}, 30},
      {{"L3", "plenary_max_interval_days"}, 183},
      {{"L3", "thematic_max_interval_days"}, 92},
      {{"L4", "task_grace_days"}, 0},
      {{"L5", "key_target_interval_days"}, 92},
      {{"L5", "general_interval_days"}, 365},
      {{"L6", "n"}, 3},
      {{"L6", "window_days"}, 365},
      {{"L7", "self_report_grace_days"}, 0},
      {{"L8", "major_action_hours"}, 24},
      {{"L9", "listing_days"}, 7},
      {{"L10", "grace_days"}, 0},
      {{"L11", "review_days"}, 10},
      {{"L12", "escalation_days"}, 15},
      {{"L15", "penalties_in_180_days"}, 3},
      {{"L15", "penalties_in_365_days"}, 4},
      {{"L15", "request_days"}, 30},
      {{"L21", "unit_report_hours"}, 1},
      {{"L21", "relay_hours"}, 2},
      {{"L21", "update_days"}, 30},
      {{"L21", "update_days_road_fire"}, 7},
      {{"L22", "investigation_days"}, 60},
      {{"L22", "extension_days"}, 60},
      {{"L26", "handover_grace_days"}, 0},
      {{"L29", "repeat_window_days"}, 365},
      {{"L30", "late_record_threshold_hours"}, 72},
  };
  return *d;
}

}  // namespace

const std::vector<RuleInfo>& LapseRules() {
  static const std::vector<RuleInfo> rules = {
      {"L1", "Blind spot: no territorial or no sector supervisor", "监管盲区"},
      {"L2", "Vacant first-responsible post or committee chair", "第一责任人/安委会主任空缺"},
      {"L3", "No safety committee meeting in the required interval", "安委会未按期召开会议"},
      {"L4", "Committee task overdue", "安委会督办事项逾期"},
      {"L5", "Inspection coverage: not inspected within the planned interval", "未按频次监督检查"},
      {"L6", "Formalism signal: repeated no-finding inspections before a hazard or accident",
       "检查流于形式"},
      {"L7", "Major hazard not reported by the enterprise", "重大事故隐患未报告"},
      {"L8", "Major hazard not acted on", "重大事故隐患未及时处置"},
      {"L9", "Major hazard not listed for supervision", "重大事故隐患未挂牌督办"},
      {"L10", "Rectification order overdue", "整改逾期"},
      {"L11", "Re-inspection overdue", "逾期未复查"},
      {"L12", "Failed review not escalated", "复查不合格未依法处理"},
      {"L14", "Operating while suspended", "停产期间违规生产"},
      {"L15", "Closure trigger without a closure request", "符合关闭条件未提请关闭"},
      {"L17", "Non-compliant approval", "违规审批/验收"},
      {"L18", "Three-simultaneities (三同时) breach", "违反“三同时”"},
      {"L21", "Accident reported late", "事故迟报"},
      {"L22", "Accident investigation overdue", "事故调查超期"},
      {"L26", "Handover gap", "职责交接断档"},
      {"L29", "Recurrence of the same hazard", "同类隐患反复出现"},
      {"L30", "Records made or corrected after an accident", "事故后补录或更正记录"},
  };
  return rules;
}

const RuleInfo* FindRule(const std::string& id) {
  for (const auto& r : LapseRules()) {
    if (id == r.id) return &r;
  }
  return nullptr;
}

Result<LapseParameters> LapseParameters::Load(History& history) {
  LapseParameters p;
  uint64_t known = history.time().known_size;
  // A damaged set fails the query: skipped, its lapses would be judged by other parameters.
  Status s = tables::ScanRows<tables::ParameterSetRow>(
      [&](ByteView prefix, const auto& visit) { return history.Scan(prefix, visit); },
      tables::Prefix({name::kParameters}),
      [&](ByteView, const auto& row) {
        if (row->getSeq() >= known) return true;
        Set set{Str(row->getVersion()), row->getFrom(), {}};
        for (auto param : row->getParameters()) {
          set.values[{Str(param.getRule()), Str(param.getName())}] = param.getValue();
        }
        p.sets_.push_back(std::move(set));
        return true;
      });
  if (!s.ok()) return s.WithContext("the lapse parameter sets");
  std::stable_sort(p.sets_.begin(), p.sets_.end(),
                   [](const Set& a, const Set& b) { return a.from < b.from; });
  return p;
}

LapseParameters::Value LapseParameters::Get(const std::string& rule, const std::string& name,
                                            Time t) const {
  for (auto it = sets_.rbegin(); it != sets_.rend(); ++it) {
    if (it->from > t.unix_nanos) continue;
    auto v = it->values.find({rule, name});
    if (v != it->values.end()) return Value{v->second, it->version};
  }
  auto d = Defaults().find({rule, name});
  return Value{d == Defaults().end() ? 0.0 : d->second, "default"};
}

double LapseEngine::P(LapseFinding* f, const std::string& rule, const std::string& name, Time at) {
  auto v = params_.Get(rule, name, at);
  if (v.version != "default") f->parameter_version = v.version;
  f->parameters.emplace_back(rule, name, v.value);
  return v.value;
}

Result<const Record*> LapseEngine::DutyRecord(uint64_t seq) { return history_.At(seq); }

std::optional<LapseFinding::Sighting> LapseFinding::ShownAt() const {
  switch (shown) {
    case Shown::kAfterStart:
      return Sighting{window_start, nullptr};
    case Shown::kAfterGrace:
      return Sighting{window_start.PlusNanos(grace_nanos), nullptr};
    case Shown::kAtStart:
    case Shown::kByLaterRecord: {
      // The earliest evidence at the instant (the window's start or end) or after it: the
      // record that showed the lapse (an accident enters the record when it is reported).
      const Time from = shown == Shown::kAtStart || !window_end ? window_start : *window_end;
      const Record* by = nullptr;
      for (const Record* r : evidence) {
        if (r->occurred >= from && (by == nullptr || r->occurred < by->occurred)) by = r;
      }
      // Every such rule cites the record; were one not to, the instant is all there is.
      if (by == nullptr) return Sighting{from, nullptr};
      return Sighting{by->occurred, by};
    }
    case Shown::kUndated:
      return std::nullopt;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------

Status LapseEngine::Enterprise(const EnterpriseFile& f, std::vector<LapseFinding>* out) {
  const Time T = history_.time().valid_at;
  const uint64_t known = history_.time().known_size;
  const std::string subject = "enterprise:" + f.id;
  Place place{f.id, f.jurisdiction, f.industries};
  auto make = [&](const std::string& rule, Time start) {
    LapseFinding l;
    l.rule = rule;
    l.window_start = start;
    l.subject = subject;
    l.place = place;
    return l;
  };
  // Each window's duty holders are those of the place the enterprise had when it opened, and
  // of each place it had from a later instant before the window closed (as far as T).
  auto emit = [&](LapseFinding l) {
    const PlaceVersion& v = f.PlaceAt(l.window_start);
    if (v.jurisdiction != place.jurisdiction || v.industries != place.industries) {
      l.place = Place{f.id, v.jurisdiction, v.industries};
    }
    for (const PlaceVersion& later : f.places) {
      const bool open_then = l.window_end ? later.from < *l.window_end : later.from <= T;
      if (later.from > l.window_start && open_then) {
        l.moves.push_back(
            {later.from, Place{f.id, later.jurisdiction, later.industries}, later.record});
      }
    }
    out->push_back(std::move(l));
  };
  const Record* registration = f.records.empty() ? nullptr : f.records.front();

  // The enterprise's life as far as T: its closure ends it. Each place version holds from its
  // date to the next one's (the last to the end of life).
  const int64_t life_end = f.closed_at ? f.closed_at->unix_nanos : T.unix_nanos;
  auto version_end = [&](size_t i) {
    return i + 1 < f.places.size() ? std::min(f.places[i + 1].from.unix_nanos, life_end) : life_end;
  };
  std::vector<std::shared_ptr<const std::vector<Coverage>>> evers;
  for (const auto& v : f.places) {
    ASSIGN_OR_RETURN(auto ever, history_.domain().CoverageEver(
                                    Place{f.id, v.jurisdiction, v.industries}, known));
    evers.push_back(std::move(ever));
  }

  // L1 blind spot: gaps in territorial or sector coverage while the enterprise operated, each
  // part judged with the place (jurisdiction, industry codes) it had then, so that a profile
  // update adding an unmapped industry opens a gap, one moving it into a covered place ends
  // one, and its closure ends the last. (Judged with the place at T alone, a gap since ended by
  // a profile update vanished from every later report; an enterprise's gaps vanished with its
  // closure.)
  for (bool sector : {false, true}) {
    LapseFinding probe = make("L1", f.registered);
    double grace = P(&probe, "L1", "blind_spot_grace_days", f.registered) * kDay;
    probe.shown = LapseFinding::Shown::kAfterGrace;
    probe.grace_nanos = static_cast<int64_t>(grace);
    struct Gap {
      int64_t from, to;
      bool to_version_end;  // ran to the end of its place version (else coverage ended it)
      size_t version;
      const Record* opened_by;  // the profile update that opened it, if one did
    };
    std::vector<Gap> gaps;
    for (size_t i = 0; i < f.places.size(); ++i) {
      const int64_t from = f.places[i].from.unix_nanos, to = version_end(i);
      if (from >= life_end) break;
      auto piece = [&](int64_t a, int64_t b, bool to_version_end) {
        const bool at_version_start = i > 0 && a == from;
        if (at_version_start && !gaps.empty() && gaps.back().to_version_end &&
            gaps.back().to == a) {  // the gap goes on in the next place version
          gaps.back().to = b;
          gaps.back().to_version_end = to_version_end;
          gaps.back().version = i;
          return;
        }
        gaps.push_back(
            Gap{a, b, to_version_end, i, at_version_start ? f.places[i].record : nullptr});
      };
      std::vector<std::pair<int64_t, int64_t>> spans;
      for (const auto& c : *evers[i]) {
        bool match = sector ? c.channel == Channel::kSector : c.channel == Channel::kTerritorial;
        if (match) spans.emplace_back(c.from, c.until);
      }
      std::sort(spans.begin(), spans.end());
      int64_t cursor = from;
      for (const auto& [span_from, until] : spans) {
        if (span_from > to) break;
        if (span_from > cursor) piece(cursor, span_from, false);
        cursor = std::max(cursor, until);
      }
      if (cursor < to) piece(cursor, to, true);
    }
    for (const Gap& gap : gaps) {
      // What ended it: coverage; the next place version (which was covered from its start); the
      // closure; or nothing yet (open at T).
      const Record* ended_by = nullptr;
      bool ended = !gap.to_version_end;
      if (gap.to_version_end && gap.version + 1 < f.places.size() &&
          f.places[gap.version + 1].from.unix_nanos == gap.to) {
        ended = true;
        ended_by = f.places[gap.version + 1].record;
      } else if (gap.to_version_end && f.closed_at) {
        ended = true;
        ended_by = f.closure;
      }
      const int64_t end = ended ? gap.to : T.unix_nanos;
      if (end - gap.from <= grace) continue;
      LapseFinding l = probe;
      l.window_start = Time{gap.from, 480};
      if (ended) l.window_end = Time{gap.to, 480};
      l.summary = std::string("no ") +
                  (sector ? "sector supervisor (三个必须: no department "
                            "mapped to its industry codes)"
                          : "territorial supervisor (属地)") +
                  " for " + Days(end - gap.from) + " days";
      l.summary_zh = std::string(sector ? "无行业监管部门（三个必须：其行业代码未对应任何部门）"
                                        : "无属地监管主体") +
                     "，持续 " + Days(end - gap.from) + " 天";
      if (registration) l.evidence.push_back(registration);
      for (const Record* r : {gap.opened_by, ended_by}) {
        if (r && r != registration) l.evidence.push_back(r);
      }
      emit(std::move(l));
    }
  }
  // L26 for the duties that reached it, each while it reached it (in its place then; the first
  // place also for duties that ended before the registration, as the rule always did).
  for (size_t i = 0; i < f.places.size(); ++i) {
    if (f.places[i].from.unix_nanos >= life_end) break;
    const bool last = i + 1 == f.places.size();
    RETURN_IF_ERROR(
        Handovers(*evers[i], subject, Place{f.id, f.places[i].jurisdiction, f.places[i].industries},
                  i == 0 ? std::numeric_limits<int64_t>::min() : f.places[i].from.unix_nanos,
                  last && !f.closed_at ? tables::kForever : version_end(i), out));
  }

  // L5 inspection coverage, while the enterprise operated: its closure ends the last interval,
  // and the lapses of the years before it stay lapses (they used to vanish from every report
  // asked at a time after the closure).
  {
    const Time until = f.closed_at ? *f.closed_at : T;
    std::vector<const InspectionFact*> insp;
    for (const auto& i : f.inspections) {
      if (i.mode != sc::InspectionMode::ENTERPRISE_SELF_CHECK) insp.push_back(&i);
    }
    auto key_target_at = [&](Time t) {
      bool k = false;
      for (const auto& [when, designated] : f.key_target_changes) {
        if (when <= t) k = designated;
      }
      return k;
    };
    Time last = f.registered;
    const Record* last_record = registration;
    auto check = [&](Time next, const Record* next_record, bool open) {
      LapseFinding l = make("L5", last);
      bool key = key_target_at(last);
      double interval =
          P(&l, "L5", key ? "key_target_interval_days" : "general_interval_days", last) * kDay;
      Time due = Plus(last, interval);
      if (next <= due) return;
      l.window_start = due;
      if (!open) l.window_end = next;
      l.summary = std::string(key ? "key target" : "enterprise") + " not inspected for " +
                  Days(next.unix_nanos - last.unix_nanos) + " days (since " + DayText(last) + ")";
      l.summary_zh = std::string(key ? "重点监管企业" : "企业") + "已 " +
                     Days(next.unix_nanos - last.unix_nanos) + " 天未受监督检查（自 " +
                     DayText(last) + " 起）";
      if (last_record) l.evidence.push_back(last_record);
      if (next_record) l.evidence.push_back(next_record);
      emit(std::move(l));
    };
    for (const auto* i : insp) {
      if (i->at > until) break;
      check(i->at, i->record, false);
      last = i->at;
      last_record = i->record;
    }
    check(until, f.closure, !f.closed_at);
  }

  // L6 formalism: n no-finding inspections within the window before a hazard found by
  // others, or an accident.
  {
    struct Trigger {
      Time at;
      const Record* record;
      std::set<std::string> finders;
      std::string what, what_zh;
    };
    std::vector<Trigger> triggers;
    for (const auto& [id, h] : f.hazards) {
      std::set<std::string> finders;
      if (h.source == sc::HazardSource::INSPECTION) {
        for (const auto& i : f.inspections) {
          if (i.id == h.inspection) finders.insert(i.inspectors.begin(), i.inspectors.end());
        }
      }
      triggers.push_back(
          {h.identified, h.records.front(), finders, "hazard " + id, "隐患 " + id + " 被他人发现"});
    }
    for (const auto& [id, a] : f.accidents) {
      triggers.push_back({a.accident_at, a.records.front(), {}, "accident " + id, "事故 " + id});
    }
    for (const auto& tr : triggers) {
      LapseFinding l = make("L6", tr.at);
      l.shown = LapseFinding::Shown::kByLaterRecord;
      double n = P(&l, "L6", "n", tr.at);
      double window = P(&l, "L6", "window_days", tr.at) * kDay;
      std::vector<const InspectionFact*> empty;
      std::set<std::string> inspectors;
      for (const auto& i : f.inspections) {
        if (i.mode == sc::InspectionMode::ENTERPRISE_SELF_CHECK || !i.no_findings) continue;
        if (i.at >= tr.at || i.at.unix_nanos < tr.at.unix_nanos - window) continue;
        bool same = false;
        for (const auto& who : i.inspectors) same |= tr.finders.count(who) > 0;
        if (same) continue;  // found by the same inspectors: not "found by others"
        empty.push_back(&i);
        inspectors.insert(i.inspectors.begin(), i.inspectors.end());
      }
      if (empty.size() < n) continue;
      l.window_start = empty.front()->at;
      l.window_end = tr.at;
      std::string who;
      for (const auto& i : inspectors) who += (who.empty() ? "" : ", ") + i;
      l.summary = std::to_string(empty.size()) + " inspections found nothing (by " + who +
                  ") before " + tr.what + " on " + DayText(tr.at);
      l.summary_zh = "在 " + DayText(tr.at) + " 的" + tr.what_zh + "之前，" + who + " 的 " +
                     std::to_string(empty.size()) + " 次检查均未发现问题";
      for (const auto* i : empty) l.evidence.push_back(i->record);
      l.evidence.push_back(tr.record);
      for (const auto& i : inspectors) l.extra_holders.push_back("official:" + i);
      emit(std::move(l));
    }
  }

  // L7, L8, L9: major hazards.
  for (const auto& [id, h] : f.hazards) {
    if (!h.major_since) continue;
    Time major = *h.major_since;
    bool by_inspector = h.source != sc::HazardSource::SELF_CHECK;
    // L7: found by others with no earlier self-report.
    if (by_inspector) {
      LapseFinding l = make("L7", major);
      double grace = P(&l, "L7", "self_report_grace_days", major) * kDay;
      // With no grace, the finding shows it; with one, its running out without a self-report
      // does (until then a report may still come: T does not know yet).
      l.shown = grace > 0 ? LapseFinding::Shown::kAfterGrace : LapseFinding::Shown::kAtStart;
      l.grace_nanos = static_cast<int64_t>(grace);
      const Time due = Plus(major, grace);
      if (h.self_reported ? *h.self_reported > due : grace == 0 || T > due) {
        if (h.self_reported) l.window_end = *h.self_reported;
        l.summary =
            "major hazard " + id + " (" + h.type + ") was found by " +
            std::string(h.source == sc::HazardSource::ACCIDENT ? "an accident" : "inspectors") +
            ", not reported by the enterprise (Art 41)";
        l.summary_zh = "重大事故隐患 " + id + "（" + h.type + "）由" +
                       std::string(h.source == sc::HazardSource::ACCIDENT ? "事故" : "监管人员") +
                       "发现，企业未自行报告（安全生产法第四十一条）";
        l.evidence = h.records;
        emit(std::move(l));
      }
    }
    // L8: no order or on-site measure within the window after it was known as major.
    if (by_inspector) {
      LapseFinding l = make("L8", major);
      double hours = P(&l, "L8", "major_action_hours", major) * kHour;
      l.shown = LapseFinding::Shown::kAfterGrace;
      l.grace_nanos = static_cast<int64_t>(hours);
      std::optional<Time> action;
      std::vector<const Record*> actions;
      for (const auto& o : h.orders) {
        auto it = f.orders.find(o);
        if (it != f.orders.end()) {
          if (!action || it->second.issued < *action) action = it->second.issued;
          actions.push_back(it->second.issued_record);
        }
      }
      for (const auto& [mid, m] : f.measures) {
        if (std::find(m.hazards.begin(), m.hazards.end(), id) == m.hazards.end()) continue;
        if (!action || m.imposed < *action) action = m.imposed;
        actions.push_back(m.records.front());
      }
      Time due = Plus(major, hours);
      bool late = action ? *action > due : T > due;
      if (late) {
        if (action) l.window_end = *action;
        l.summary = "major hazard " + id + ": no rectification order or on-site measure within " +
                    std::to_string(static_cast<int>(hours / kHour)) + " hours" +
                    (action ? " (first action " + DayText(*action) + ")" : "") +
                    " (Art 65(3), Art 90(4))";
        l.summary_zh = "重大事故隐患 " + id + "：" +
                       std::to_string(static_cast<int>(hours / kHour)) +
                       " 小时内未下达整改指令或采取现场处置措施" +
                       (action ? "（首次处置于 " + DayText(*action) + "）" : "") +
                       "（安全生产法第六十五条、第九十条）";
        l.evidence = h.records;
        l.evidence.insert(l.evidence.end(), actions.begin(), actions.end());
        emit(std::move(l));
      }
    }
    // L9: not listed for supervision within the window.
    {
      LapseFinding l = make("L9", major);
      double days = P(&l, "L9", "listing_days", major) * kDay;
      Time due = Plus(major, days);
      bool closed_in_time = h.closed && *h.closed <= due;
      bool late = h.listed ? *h.listed > due : (T > due && !closed_in_time);
      if (late && !closed_in_time) {
        l.window_start = due;
        if (h.listed) l.window_end = *h.listed;
        l.summary = "major hazard " + id + " not listed for supervision (挂牌督办) within " +
                    std::to_string(static_cast<int>(days / kDay)) + " days";
        l.summary_zh = "重大事故隐患 " + id + " 未在 " +
                       std::to_string(static_cast<int>(days / kDay)) + " 天内挂牌督办";
        l.evidence = h.records;
        emit(std::move(l));
      }
    }
  }

  // L10, L11, L12: orders.
  std::vector<Time> escalations;
  for (const auto& [cid, c] : f.cases) {
    escalations.push_back(c.opened);
    for (const auto& p : c.penalties) escalations.push_back(p.decided);
  }
  for (const auto& s : f.suspensions) escalations.push_back(s.from);
  for (const auto& [oid, o] : f.orders) {
    std::optional<Time> first_report;
    for (Time r : o.reports) {
      if (!first_report || r < *first_report) first_report = r;
    }
    {  // L10, for each span the order was past its deadline then in force
      std::optional<Time> done = first_report;
      for (const auto& [when, passed] : o.reviews) {
        if (passed && (!done || when < *done)) done = when;
      }
      std::vector<LapseFinding> probes;  // per deadline: its grace, with its parameter version
      std::vector<int64_t> grace;
      for (const auto& d : o.deadlines) {
        probes.push_back(make("L10", d.deadline));
        grace.push_back(
            static_cast<int64_t>(P(&probes.back(), "L10", "grace_days", d.deadline) * kDay));
      }
      for (const OverdueSpan& span : OverdueSpans(o, grace, done, T)) {
        const auto& passed = o.deadlines[span.deadline];
        LapseFinding l = probes[span.deadline];
        l.window_start = span.from;
        if (span.until) l.window_end = *span.until;
        std::string extended, extended_zh;
        if (span.extended) {
          extended = ", until it was extended on " + DayText(*span.until);
          extended_zh = "，直至 " + DayText(*span.until) + " 延期";
        }
        l.summary = "order " + oid + (o.order_no.empty() ? "" : " (" + o.order_no + ")") +
                    " passed its deadline " + DayText(passed.deadline) +
                    " with no rectification report" + extended;
        l.summary_zh = "整改指令 " + oid + (o.order_no.empty() ? "" : "（" + o.order_no + "）") +
                       " 已过整改期限 " + DayText(passed.deadline) + "，企业未报告整改情况" +
                       extended_zh;
        l.evidence = o.records;
        l.extra_holders.push_back(o.issued_by);
        emit(std::move(l));
      }
    }
    {  // L11: a review within N days of each report, and of a deadline passed without one (a
       // deadline extended after it passed was followed up by the extension). N is the one in
       // force when the clock started (the report, or the deadline passing).
      struct Start {
        Time at;
        bool deadline;                    // else a report
        std::optional<Time> extended_at;  // the deadline's extension
      };
      std::vector<Start> starts;
      for (Time r : o.reports) starts.push_back({r, false, std::nullopt});
      for (const OverdueSpan& span :
           OverdueSpans(o, std::vector<int64_t>(o.deadlines.size(), 0), first_report, T)) {
        starts.push_back({span.from, true, span.extended ? span.until : std::nullopt});
      }
      std::sort(starts.begin(), starts.end(),
                [](const Start& a, const Start& b) { return a.at < b.at; });
      std::optional<Time> covered_until;
      for (const Start& start : starts) {
        const Time s = start.at;
        if (covered_until && s <= *covered_until) continue;
        LapseFinding l = make("L11", s);
        const double days = P(&l, "L11", "review_days", s) * kDay;
        Time due = Plus(s, days);
        std::optional<Time> review;
        for (const auto& [when, passed] : o.reviews) {
          if (when >= s && (!review || when < *review)) review = when;
        }
        if (start.extended_at && (!review || *start.extended_at < *review)) {
          review = start.extended_at;
        }
        if (review && *review <= due) {
          covered_until = *review;
          continue;
        }
        if (!review && T <= due) continue;
        if (o.passed() && review && o.reviews.back().first < s) continue;
        l.window_start = due;
        if (review) l.window_end = *review;
        l.summary = "order " + oid + ": no re-inspection (复查) within " +
                    std::to_string(static_cast<int>(days / kDay)) + " days of the " +
                    (start.deadline ? "deadline" : "enterprise's report") + " of " + DayText(s);
        l.summary_zh = "整改指令 " + oid + "：" + (start.deadline ? "整改期限" : "企业报告") + " " +
                       DayText(s) + " 后 " + std::to_string(static_cast<int>(days / kDay)) +
                       " 天内未复查";
        l.evidence = o.records;
        l.extra_holders.push_back(o.issued_by);
        emit(std::move(l));
        covered_until = review ? *review : T;
      }
    }
    for (const auto& [when, passed] : o.reviews) {  // L12
      if (passed) continue;
      LapseFinding l = make("L12", when);
      double days = P(&l, "L12", "escalation_days", when) * kDay;
      Time due = Plus(when, days);
      std::optional<Time> escalated;
      for (Time e : escalations) {
        if (e >= when && (!escalated || e < *escalated)) escalated = e;
      }
      if (escalated ? *escalated > due : T > due) {
        l.window_start = due;
        if (escalated) l.window_end = *escalated;
        l.summary = "order " + oid + " failed its review on " + DayText(when) +
                    " with no case, penalty or suspension within " +
                    std::to_string(static_cast<int>(days / kDay)) + " days (Art 102)";
        l.summary_zh = "整改指令 " + oid + " 于 " + DayText(when) + " 复查不合格，" +
                       std::to_string(static_cast<int>(days / kDay)) +
                       " 天内未立案、处罚或责令停产停业（安全生产法第一百零二条）";
        l.evidence = o.records;
        emit(std::move(l));
      }
    }
  }

  // L14 operating while suspended: an accident or production milestone during a suspension.
  for (const auto& s : f.suspensions) {
    auto during = [&](Time t) { return s.from <= t && (!s.until || t < *s.until); };
    for (const auto& [aid, a] : f.accidents) {
      if (!during(a.accident_at)) continue;
      LapseFinding l = make("L14", a.accident_at);
      l.shown = LapseFinding::Shown::kByLaterRecord;
      l.window_start = s.from;
      l.window_end = a.accident_at;
      l.summary = "accident " + aid + " on " + DayText(a.accident_at) +
                  " while the enterprise was suspended (since " + DayText(s.from) + ")";
      l.summary_zh = "企业自 " + DayText(s.from) + " 起停产停业期间，于 " + DayText(a.accident_at) +
                     " 发生事故 " + aid;
      l.evidence = {s.record, a.records.front()};
      emit(std::move(l));
    }
    for (const auto& [pid, p] : f.projects) {
      for (const auto& [m, when] : p.milestones) {
        if ((m != sc::Milestone::TRIAL_RUN && m != sc::Milestone::PRODUCTION_STARTED) ||
            !during(when)) {
          continue;
        }
        LapseFinding l = make("L14", when);
        l.shown = LapseFinding::Shown::kByLaterRecord;
        l.window_start = s.from;
        l.window_end = when;
        l.summary = "project " + pid + " ran (trial or production) on " + DayText(when) +
                    " while the enterprise was suspended";
        l.summary_zh = "企业停产停业期间，项目 " + pid + " 于 " + DayText(when) + " 试运行或生产";
        l.evidence = {s.record};
        l.evidence.insert(l.evidence.end(), p.records.begin(), p.records.end());
        emit(std::move(l));
      }
    }
  }

  // L15 closure trigger: a major hazard open and repeated penalties, or a failed review after a
  // suspension; no closure request within the window.
  {
    std::vector<std::pair<Time, const Record*>> penalties;
    for (const auto& [cid, c] : f.cases) {
      for (const auto& p : c.penalties) penalties.emplace_back(p.decided, p.record);
    }
    std::sort(penalties.begin(), penalties.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::optional<Time> trigger;
    std::vector<const Record*> evidence;
    std::string why, why_zh;
    for (size_t i = 0; i < penalties.size() && !trigger; ++i) {
      Time p = penalties[i].first;
      LapseFinding probe = make("L15", p);
      double n180 = P(&probe, "L15", "penalties_in_180_days", p);
      double n365 = P(&probe, "L15", "penalties_in_365_days", p);
      int in180 = 0, in365 = 0;
      for (size_t j = 0; j <= i; ++j) {
        int64_t age = p.unix_nanos - penalties[j].first.unix_nanos;
        if (age < 180 * kDay) ++in180;
        if (age < 365 * kDay) ++in365;
      }
      bool major_open = false;
      for (const auto& [hid, h] : f.hazards) {
        if (h.major_since && *h.major_since <= p && (!h.closed || *h.closed > p)) {
          major_open = true;
          evidence.insert(evidence.end(), h.records.begin(), h.records.end());
        }
      }
      if (major_open && (in180 >= n180 || in365 >= n365)) {
        trigger = p;
        why = std::to_string(in180) + " penalties in 180 days (" + std::to_string(in365) +
              " in 365) with a major hazard open";
        why_zh = "存在未消除的重大事故隐患，180 天内受处罚 " + std::to_string(in180) +
                 " 次（365 天内 " + std::to_string(in365) + " 次）";
        for (size_t j = 0; j <= i; ++j) evidence.push_back(penalties[j].second);
      } else {
        evidence.clear();
      }
    }
    // The earliest trigger in time, of either kind (taking the penalties' first, or the first
    // order in id order, let a later record move the window of a lapse already shown).
    for (const auto& [oid, o] : f.orders) {
      for (const auto& [when, passed] : o.reviews) {
        if (passed || (trigger && *trigger <= when)) continue;
        for (const auto& s : f.suspensions) {
          // 经停产停业整顿仍不具备安全生产条件: after a suspension for rectification (a penalty),
          // not merely an on-site temporary suspension.
          if (s.from < when && s.record != nullptr && s.record->body().isPenaltyDecided()) {
            trigger = when;
            why = "order " + oid + " failed its review after a suspension (still unsafe)";
            why_zh = "停产停业整顿后整改指令 " + oid + " 复查仍不合格（仍不具备安全生产条件）";
            evidence = o.records;
            evidence.push_back(s.record);
            break;
          }
        }
      }
    }
    if (trigger) {
      LapseFinding l = make("L15", *trigger);
      double days = P(&l, "L15", "request_days", *trigger) * kDay;
      Time due = Plus(*trigger, days);
      bool requested = f.closure_requested_at && *f.closure_requested_at <= due;
      if (!requested && T > due) {
        l.window_start = due;
        if (f.closure_requested_at) l.window_end = *f.closure_requested_at;
        l.summary = why + "; no closure request (提请关闭) within " +
                    std::to_string(static_cast<int>(days / kDay)) + " days (Art 113)";
        l.summary_zh = why_zh + "；" + std::to_string(static_cast<int>(days / kDay)) +
                       " 天内未提请关闭（安全生产法第一百一十三条）";
        l.evidence = evidence;
        emit(std::move(l));
      }
    }
  }

  // L17 non-compliant approval, L18 三同时.
  for (const auto& [pid, p] : f.projects) {
    auto open_major_at = [&](Time t) -> const HazardFact* {
      for (const auto& [hid, h] : f.hazards) {
        if (h.major_since && *h.major_since <= t && (!h.closed || *h.closed > t)) return &h;
      }
      return nullptr;
    };
    using Problems = std::vector<std::pair<std::string, std::string>>;  // (en, zh)
    auto approval = [&](Time at, const Record* record, const std::string& what,
                        const std::string& what_zh, Problems problems) {
      if (problems.empty()) return;
      LapseFinding l = make("L17", at);
      l.shown = LapseFinding::Shown::kAtStart;
      l.window_end = at;
      std::string text, text_zh;
      for (const auto& [en, zh] : problems) {
        text += (text.empty() ? "" : "; ") + en;
        text_zh += (text_zh.empty() ? "" : "；") + zh;
      }
      l.summary = what + " of project " + pid + " on " + DayText(at) + ": " + text;
      l.summary_zh = "项目 " + pid + " 于 " + DayText(at) + " 的" + what_zh + "：" + text_zh;
      l.evidence = p.records;
      for (const auto& [who, rec] : p.approvals) {
        if (rec == record) l.extra_holders.push_back("official:" + who);
      }
      emit(std::move(l));
    };
    auto conflicts = [&](const Record* record) {
      Problems out;
      if (p.promoter.empty()) return out;
      for (const auto& [who, rec] : p.approvals) {
        if (rec == record && who == p.promoter) {
          out.push_back({"the promoting official " + who + " also signed it",
                         "招商引资推动人 " + who + " 同时签字审批"});
        }
      }
      return out;
    };
    // Every approving design review and acceptance, each judged as it was signed (judging only
    // the latest, a re-review or a later rejection erased the lapse of an earlier approval).
    for (const auto& d : p.design_reviews) {
      if (!d.approved) continue;
      Problems problems;
      if (p.high_risk && (!p.pre_assessed || *p.pre_assessed > d.at)) {
        problems.push_back({"no safety pre-assessment (Art 32)", "未进行安全预评价（第三十二条）"});
      }
      if (const HazardFact* h = open_major_at(d.at)) {
        problems.push_back({"major hazard " + h->id + " open at the enterprise",
                            "企业重大事故隐患 " + h->id + " 尚未消除"});
      }
      auto c = conflicts(d.record);
      problems.insert(problems.end(), c.begin(), c.end());
      approval(d.at, d.record, "design review approval", "安全设施设计审查批准", problems);
    }
    for (const auto& a : p.acceptances) {
      if (!a.approved) continue;
      Problems problems;
      if (!ApprovedAt(p.design_reviews, a.at)) {
        problems.push_back({"no approved safety-facility design review (Art 33)",
                            "安全设施设计未经审查通过（第三十三条）"});
      }
      if (p.high_risk && (!p.pre_assessed || *p.pre_assessed > a.at)) {
        problems.push_back({"no safety pre-assessment (Art 32)", "未进行安全预评价（第三十二条）"});
      }
      if (const HazardFact* h = open_major_at(a.at)) {
        problems.push_back({"major hazard " + h->id + " open at the enterprise",
                            "企业重大事故隐患 " + h->id + " 尚未消除"});
      }
      auto c = conflicts(a.record);
      problems.insert(problems.end(), c.begin(), c.end());
      approval(a.at, a.record, "completion acceptance", "安全设施竣工验收", problems);
    }
    // L18: production before acceptance; construction before design approval.
    auto milestone = [&](sc::Milestone m) -> std::optional<Time> {
      auto it = p.milestones.find(m);
      if (it == p.milestones.end()) return std::nullopt;
      return it->second;
    };
    // Each judged on the approvals in force when it happened; the window ends with the first
    // approval after it.
    if (auto prod = milestone(sc::Milestone::PRODUCTION_STARTED)) {
      std::optional<Time> accepted = ApprovedAfter(p.acceptances, *prod);
      if (!ApprovedAt(p.acceptances, *prod)) {
        LapseFinding l = make("L18", *prod);
        l.shown = LapseFinding::Shown::kAtStart;
        if (accepted) l.window_end = *accepted;
        l.summary = "project " + pid + " started production on " + DayText(*prod) +
                    " before its safety facilities were accepted (Art 34)";
        l.summary_zh = "项目 " + pid + " 于 " + DayText(*prod) +
                       " 投入生产，安全设施尚未竣工验收（违反“三同时”，第三十四条）";
        l.evidence = p.records;
        emit(std::move(l));
      }
    }
    if (auto build = milestone(sc::Milestone::CONSTRUCTION_STARTED)) {
      std::optional<Time> approved = ApprovedAfter(p.design_reviews, *build);
      if (p.high_risk && !ApprovedAt(p.design_reviews, *build)) {
        LapseFinding l = make("L18", *build);
        l.shown = LapseFinding::Shown::kAtStart;
        if (approved) l.window_end = *approved;
        l.summary = "project " + pid + " started construction on " + DayText(*build) +
                    " before its safety-facility design was approved (Art 33)";
        l.summary_zh = "项目 " + pid + " 于 " + DayText(*build) +
                       " 开工建设，安全设施设计尚未审查批准（违反“三同时”，第三十三条）";
        l.evidence = p.records;
        emit(std::move(l));
      }
    }
  }
  // Every issue or renewal, whatever became of the permit later (a permit suspended later was
  // still issued with the hazard open; judged on the status at T, the lapse used to vanish).
  for (const PermitFact& permit : f.permit_changes) {
    const std::string& pid = permit.id;
    if (permit.status != sc::PermitStatus::ISSUED && permit.status != sc::PermitStatus::RENEWED) {
      continue;
    }
    for (const auto& [hid, h] : f.hazards) {
      if (h.major_since && *h.major_since <= permit.changed &&
          (!h.closed || *h.closed > permit.changed)) {
        LapseFinding l = make("L17", permit.changed);
        l.shown = LapseFinding::Shown::kAtStart;
        l.window_end = permit.changed;
        l.summary = "permit " + pid + " (" + permit.type + ") issued on " +
                    DayText(permit.changed) + " while major hazard " + hid + " was open";
        l.summary_zh = "许可证 " + pid + "（" + permit.type + "）于 " + DayText(permit.changed) +
                       " 颁发时，重大事故隐患 " + hid + " 尚未消除";
        l.evidence = {permit.record};
        l.evidence.insert(l.evidence.end(), h.records.begin(), h.records.end());
        l.extra_holders.push_back(permit.record->signer());
        emit(std::move(l));
        break;
      }
    }
  }

  // L21 accident reporting, L22 investigation.
  for (const auto& [aid, a] : f.accidents) {
    std::vector<const AccidentFact::Report*> reports;
    for (const auto& r : a.reports) reports.push_back(&r);
    std::sort(reports.begin(), reports.end(),
              [](const auto* x, const auto* y) { return x->reported_at < y->reported_at; });
    if (!reports.empty()) {
      LapseFinding l = make("L21", a.known_at);
      l.shown = LapseFinding::Shown::kByLaterRecord;
      double unit_hours = P(&l, "L21", "unit_report_hours", a.known_at) * kHour;
      const auto* first = reports.front();
      if (first->reported_at.unix_nanos - a.known_at.unix_nanos > unit_hours) {
        l.window_start = Plus(a.known_at, unit_hours);
        l.window_end = first->reported_at;
        l.summary = "accident " + aid + ": the unit's report came " +
                    std::to_string((first->reported_at.unix_nanos - a.known_at.unix_nanos) / 60 /
                                   Time::kNanosPerSecond) +
                    " minutes after its head knew (limit " +
                    std::to_string(static_cast<int>(unit_hours / kHour)) + " h, 条例 Art 9)";
        l.summary_zh = "事故 " + aid + "：单位负责人知悉后 " +
                       std::to_string((first->reported_at.unix_nanos - a.known_at.unix_nanos) / 60 /
                                      Time::kNanosPerSecond) +
                       " 分钟才报告（时限 " + std::to_string(static_cast<int>(unit_hours / kHour)) +
                       " 小时，《生产安全事故报告和调查处理条例》第九条）";
        l.evidence = {first->record};
        emit(std::move(l));
      }
      // Relays (条例 Art 10, 11): a report that reaches a level above every report before it.
      // The recipient of the highest report so far (the first to reach that level) has
      // relay_hours to pass it up once the accident's class requires a higher level. A report
      // at or below that level is a follow-up, not a relay.
      //
      // A relay due and not made within relay_hours: from `top` (the highest report then), while
      // the class required more — as far as T, or until the class was lowered again.
      auto not_relayed = [&](const AccidentFact::Report* top, const RelayDue& due) {
        LapseFinding r = make("L21", due.from);
        double relay = P(&r, "L21", "relay_hours", due.from) * kHour;
        if ((due.until ? *due.until : T) <= Plus(due.from, relay)) return;
        r.window_start = Plus(due.from, relay);
        r.window_end = due.until;
        // The level required at the window's end: at T, or just before it was lowered.
        const auto [level, level_zh] =
            LevelName(due.lowered ? (due.lowered - 1)->level : a.required_level.back().level);
        r.summary = "accident " + aid + ": not relayed up to the " + level +
                    " level it must reach; the report to " + top->recipient + " (" +
                    DayText(top->reported_at) + ") was not passed on within " +
                    std::to_string(static_cast<int>(relay / kHour)) + " h (条例 Art 10, 11)";
        r.summary_zh = "事故 " + aid + "：未按规定逐级上报至" + level_zh + "；" +
                       DayText(top->reported_at) + " 报至 " + top->recipient + " 后 " +
                       std::to_string(static_cast<int>(relay / kHour)) +
                       " 小时内未续报（条例第十条、第十一条）";
        if (due.lowered) {
          r.summary += "; due until the class was lowered again on " + DayText(*due.until);
          r.summary_zh += "；至 " + DayText(*due.until) + " 事故等级降低为止";
        }
        r.evidence = {top->record};
        if (due.raised->record != top->record) r.evidence.push_back(due.raised->record);
        if (due.lowered) r.evidence.push_back(due.lowered->record);
        if (!top->recipient.empty()) r.extra_holders.push_back("org:" + top->recipient);
        emit(std::move(r));
      };
      const AccidentFact::Report* top = reports.front();
      for (size_t i = 1; i < reports.size(); ++i) {
        const auto* cur = reports[i];
        if (cur->level <= top->level) continue;
        const auto* from_report = top;
        top = cur;
        for (const RelayDue& due :
             RelayStretches(a, from_report->level, from_report->reported_at, cur->reported_at)) {
          if (due.until) {  // the class was lowered again before this relay was made
            not_relayed(from_report, due);
            continue;
          }
          LapseFinding r = make("L21", due.from);
          double relay = P(&r, "L21", "relay_hours", due.from) * kHour;
          int64_t gap = cur->reported_at.unix_nanos - due.from.unix_nanos;
          if (gap <= relay) continue;
          r.window_start = Plus(due.from, relay);
          r.window_end = cur->reported_at;
          const std::string after =
              due.from == from_report->reported_at ? "the previous report" : "the class was raised";
          const std::string after_zh =
              due.from == from_report->reported_at ? "上一级报告后 " : "事故等级升高后 ";
          r.summary = "accident " + aid + ": relayed to the next level " +
                      std::to_string(gap / 60 / Time::kNanosPerSecond) + " minutes after " + after +
                      " (limit " + std::to_string(static_cast<int>(relay / kHour)) +
                      " h per level, 条例 Art 11)";
          r.summary_zh = "事故 " + aid + "：" + after_zh +
                         std::to_string(gap / 60 / Time::kNanosPerSecond) +
                         " 分钟才逐级上报（每级时限 " +
                         std::to_string(static_cast<int>(relay / kHour)) + " 小时，条例第十一条）";
          r.evidence = {from_report->record, cur->record};
          if (due.raised->record != from_report->record) r.evidence.push_back(due.raised->record);
          r.extra_holders.push_back(cur->record->signer());
          emit(std::move(r));
        }
      }
      // A relay never made: the reports stop below the level the accident's class requires.
      for (const RelayDue& due : RelayStretches(a, top->level, top->reported_at, T)) {
        not_relayed(top, due);
      }
    }
    for (const auto& [when, record] : a.casualty_updates) {
      LapseFinding l = make("L21", a.accident_at);
      l.shown = LapseFinding::Shown::kByLaterRecord;
      double days =
          P(&l, "L21", a.road_or_fire ? "update_days_road_fire" : "update_days", a.accident_at) *
          kDay;
      if (when.unix_nanos - a.accident_at.unix_nanos <= days) continue;
      l.window_start = Plus(a.accident_at, days);
      l.window_end = when;
      l.summary = "accident " + aid + ": casualties changed after the " +
                  std::to_string(static_cast<int>(days / kDay)) + "-day window for 补报";
      l.summary_zh = "事故 " + aid + "：伤亡人数在 " +
                     std::to_string(static_cast<int>(days / kDay)) + " 天补报期限之后才变化";
      l.evidence = {record};
      emit(std::move(l));
    }
    // L22: report within 60 days of the accident (+ an approved extension; appraisal time
    // not counted), against the due date in force at each moment: an extension granted after
    // the report was due ends the overdue days, it does not erase them (they used to vanish
    // once it was granted), and an appraisal started late does not either.
    bool opened = false, extended = false;
    std::optional<Time> submitted;
    std::vector<const Record*> stages;
    for (const auto& [stage, when, record] : a.stages) {
      stages.push_back(record);
      opened |= stage == sc::InvestigationStage::OPENED;
      extended |= stage == sc::InvestigationStage::EXTENDED;
      if (stage == sc::InvestigationStage::REPORT_SUBMITTED && !submitted) submitted = when;
    }
    if (opened) {
      LapseFinding proto = make("L22", a.accident_at);
      const double days = P(&proto, "L22", "investigation_days", a.accident_at) * kDay;
      // Named on every L22 lapse, extended or not yet: a lapse at T must not gain a parameter
      // when an extension is granted later (the oracle compares them).
      const double allowed = P(&proto, "L22", "extension_days", a.accident_at) * kDay;
      const double extension = extended ? allowed : 0;
      struct Span {
        int64_t from, until;  // until: INT64_MAX while still overdue at T
        const Record* extended_by = nullptr;
      };
      std::vector<Span> spans;
      int64_t due = Plus(a.accident_at, days).unix_nanos;  // as the stages so far make it
      constexpr int64_t kNone = INT64_MIN;
      int64_t appraisal_from = kNone;  // an appraisal in progress (not counted) since
      // The days in [from, to) the report was overdue; `end` the stage at `to`, if one is.
      auto segment = [&](int64_t from, int64_t to) {
        int64_t start = std::max(from, due);
        if (appraisal_from != kNone) {  // the due date moves with time: overdue throughout, or not
          if (from <= due + (from - appraisal_from)) return;
          start = from;
        }
        if (to <= start) return;
        if (!spans.empty() && spans.back().until == start) {
          spans.back().until = to;
        } else {
          spans.push_back(Span{start, to});
        }
      };
      int64_t at = a.accident_at.unix_nanos;
      const int64_t stop = submitted ? submitted->unix_nanos : T.unix_nanos;
      for (const auto& [stage, when, record] : a.stages) {
        if (submitted ? when.unix_nanos >= stop : when.unix_nanos > stop) break;
        segment(at, when.unix_nanos);
        at = std::max(at, when.unix_nanos);
        switch (stage) {
          case sc::InvestigationStage::EXTENDED:
            due += static_cast<int64_t>(extension);
            if (!spans.empty() && spans.back().until == at && at < due) {
              spans.back().extended_by = record;  // no longer overdue
            }
            break;
          case sc::InvestigationStage::APPRAISAL_STARTED:
            if (appraisal_from == kNone) appraisal_from = at;
            break;
          case sc::InvestigationStage::APPRAISAL_ENDED:
            if (appraisal_from != kNone) due += at - appraisal_from;
            appraisal_from = kNone;
            break;
          default:
            break;
        }
      }
      segment(at, submitted ? stop : INT64_MAX);
      for (const Span& span : spans) {
        if (!submitted && span.until == INT64_MAX && span.from >= T.unix_nanos) continue;
        LapseFinding l = proto;
        l.window_start = Time{span.from, 480};
        if (span.until != INT64_MAX) l.window_end = Time{span.until, 480};
        const int allowed = static_cast<int>((days + extension) / kDay);
        std::string late =
            span.extended_by ? ", until the extension on " + DayText(*l.window_end) : "";
        std::string late_zh =
            span.extended_by ? "，直至 " + DayText(*l.window_end) + " 批准延期" : "";
        l.summary = "accident " + aid + ": investigation report not submitted within " +
                    std::to_string(span.extended_by ? static_cast<int>(days / kDay) : allowed) +
                    " days (条例 Art 29)" + late;
        l.summary_zh = "事故 " + aid + "：" +
                       std::to_string(span.extended_by ? static_cast<int>(days / kDay) : allowed) +
                       " 天内未提交事故调查报告（条例第二十九条）" + late_zh;
        l.evidence = stages;
        emit(std::move(l));
      }
    }
  }

  // L29 recurrence: the same hazard type again within the window after one was closed.
  {
    std::vector<const HazardFact*> hz;
    for (const auto& [hid, h] : f.hazards) hz.push_back(&h);
    std::sort(hz.begin(), hz.end(),
              [](const auto* a, const auto* b) { return a->identified < b->identified; });
    for (size_t j = 0; j < hz.size(); ++j) {
      if (hz[j]->type.empty()) continue;
      for (size_t i = 0; i < j; ++i) {
        if (hz[i]->type != hz[j]->type || !hz[i]->closed) continue;
        LapseFinding l = make("L29", hz[j]->identified);
        l.shown = LapseFinding::Shown::kByLaterRecord;
        double window = P(&l, "L29", "repeat_window_days", *hz[i]->closed) * kDay;
        if (hz[j]->identified <= *hz[i]->closed ||
            hz[j]->identified.unix_nanos - hz[i]->closed->unix_nanos > window) {
          continue;
        }
        l.window_start = *hz[i]->closed;
        l.window_end = hz[j]->identified;
        l.summary = "hazard type '" + hz[j]->type + "' found again (" + hz[j]->id + ") " +
                    Days(hz[j]->identified.unix_nanos - hz[i]->closed->unix_nanos) +
                    " days after " + hz[i]->id + " was closed";
        l.summary_zh = "同类隐患“" + hz[j]->type + "”在 " + hz[i]->id + " 销号 " +
                       Days(hz[j]->identified.unix_nanos - hz[i]->closed->unix_nanos) +
                       " 天后再次出现（" + hz[j]->id + "）";
        l.evidence = hz[i]->records;
        l.evidence.insert(l.evidence.end(), hz[j]->records.begin(), hz[j]->records.end());
        emit(std::move(l));
        break;
      }
    }
  }

  // L30 records made or corrected after an accident.
  for (const auto& [aid, a] : f.accidents) {
    LapseFinding l = make("L30", a.accident_at);
    l.shown = LapseFinding::Shown::kUndated;
    double threshold = P(&l, "L30", "late_record_threshold_hours", a.accident_at) * kHour;
    for (const Record* r : f.corrections) {
      bool after = r->recorded > a.accident_at;
      bool late_about_before = r->occurred < a.accident_at &&
                               r->recorded.unix_nanos - r->occurred.unix_nanos > threshold;
      if (after && (late_about_before || !r->effective())) l.evidence.push_back(r);
    }
    // Corrections and withdrawals of records about the time before the accident.
    for (const Record* r : f.records) {
      if (r->recorded > a.accident_at && r->body().hasSupersedes() &&
          std::find(l.evidence.begin(), l.evidence.end(), r) == l.evidence.end()) {
        l.evidence.push_back(r);
      }
    }
    if (l.evidence.empty()) continue;
    l.window_end = T;
    l.summary = std::to_string(l.evidence.size()) +
                " record(s) about the enterprise made late or corrected after accident " + aid +
                " of " + DayText(a.accident_at);
    l.summary_zh = DayText(a.accident_at) + " 事故 " + aid + " 发生后，有 " +
                   std::to_string(l.evidence.size()) + " 条涉及该企业的记录被补录或更正";
    emit(std::move(l));
  }
  return Status::Ok();
}

// L26: a revoked duty with no successor, or one that starts after a gap.
Status LapseEngine::Handovers(const std::vector<Coverage>& coverage, const std::string& subject,
                              const std::optional<Place>& place, int64_t ended_from,
                              int64_t ended_before, std::vector<LapseFinding>* out) {
  const Time T = history_.time().valid_at;
  for (const auto& c : coverage) {
    if (c.duty_id.empty() || c.ended_seq == tables::kNoSeq || c.until > T.unix_nanos) continue;
    if (c.until < ended_from || c.until >= ended_before) continue;
    if (!reported_duties_.insert(c.duty_id).second) continue;
    ASSIGN_OR_RETURN(auto duty, history_.domain().Row<tables::DutyRow>(name::kDuty, c.duty_id));
    if (!duty) continue;
    std::string successor = Str((*duty)->getSuccessor());
    // When the reach is held again, as known at K (maybe after T).
    std::optional<int64_t> next_from;
    if (!successor.empty()) {
      ASSIGN_OR_RETURN(auto next, history_.domain().Row<tables::DutyRow>(name::kDuty, successor));
      if (next && (*next)->getAssignedSeq() < history_.time().known_size) {
        next_from = (*next)->getFrom();
      }
    } else {
      // Without a named successor: another duty of the same role taking over the same reach.
      for (const auto& o : coverage) {
        if (o.duty_id == c.duty_id || o.channel != c.channel) continue;
        if (o.from <= c.until && o.until > c.until) {
          next_from = c.until;
          break;
        }
        if (o.from > c.until && (!next_from || o.from < *next_from)) next_from = o.from;
      }
    }
    // A successor who starts after T had not started at T: the world as it was then does not
    // know when the gap will end (the view used to show the later start as the window's end).
    const bool started = next_from.has_value() && *next_from <= T.unix_nanos;
    const int64_t gap_end = started ? *next_from : T.unix_nanos;
    LapseFinding l;
    l.rule = "L26";
    l.subject = subject;
    l.place = place;
    Time end{c.until, 480};
    double grace = P(&l, "L26", "handover_grace_days", end) * kDay;
    l.shown = LapseFinding::Shown::kAfterGrace;
    l.grace_nanos = static_cast<int64_t>(grace);
    // A successor (named, or another duty of the same channel) in time: no gap; none yet, and
    // the grace not over at T: no gap yet.
    if (gap_end - c.until <= grace) continue;
    l.window_start = end;
    if (started) l.window_end = Time{gap_end, 480};
    l.summary =
        "duty " + c.duty_id + " (" + std::string(ChannelName(c.channel)) + ", " + c.holder +
        ") ended on " + DayText(end) +
        (successor.empty() ? " with no successor named"
                           : " and successor " + successor +
                                 (started ? " started " + Days(gap_end - c.until) + " days later"
                                          : " had not started"));
    l.summary_zh =
        "职责 " + c.duty_id + "（" + std::string(ChannelName(c.channel)) + "，" + c.holder +
        "）于 " + DayText(end) + " 终止，" +
        (successor.empty()
             ? "未指定接任者"
             : "接任者 " + successor +
                   (started ? " 在 " + Days(gap_end - c.until) + " 天后才到任" : " 未到任"));
    ASSIGN_OR_RETURN(const Record* assigned, DutyRecord(c.seq));
    l.evidence.push_back(assigned);
    if (c.ended_seq != tables::kNoSeq) {
      ASSIGN_OR_RETURN(const Record* ended, DutyRecord(c.ended_seq));
      l.evidence.push_back(ended);
    }
    l.extra_holders.push_back(c.holder);
    out->push_back(std::move(l));
  }
  return Status::Ok();
}

Status LapseEngine::Jurisdiction(const std::string& jurisdiction, std::vector<LapseFinding>* out) {
  const Time T = history_.time().valid_at;
  const uint64_t known = history_.time().known_size;
  const std::string subject = "jurisdiction:" + jurisdiction;
  Place place{"", jurisdiction, {}};
  ASSIGN_OR_RETURN(auto place_stream, history_.Stream(subject));
  const Record* registration = nullptr;
  for (const Record* r : place_stream) {
    if (r->body().isJurisdictionRegistered() &&
        Str(r->body().getJurisdictionRegistered().getJurisdictionId()) == jurisdiction) {
      registration = r;
    }
  }
  if (registration == nullptr) {
    return NotFound("jurisdiction " + jurisdiction + " is not registered as of " +
                    FormatRfc3339(T));
  }
  ASSIGN_OR_RETURN(auto ever, history_.domain().CoverageEver(place, known));

  // L2: gaps in the first-responsible post of the place.
  {
    std::vector<const Coverage*> first;
    for (const auto& c : *ever) {
      if (c.channel == Channel::kFirstResponsible) first.push_back(&c);
    }
    std::sort(first.begin(), first.end(), [](auto* a, auto* b) { return a->from < b->from; });
    if (!first.empty()) {
      int64_t cursor = first.front()->from;
      auto gap = [&](int64_t from, std::optional<int64_t> to) -> Status {
        LapseFinding l;
        l.rule = "L2";
        l.subject = subject;
        l.place = place;
        double grace = P(&l, "L2", "vacancy_grace_days", Time{from, 480}) * kDay;
        l.shown = LapseFinding::Shown::kAfterGrace;
        l.grace_nanos = static_cast<int64_t>(grace);
        int64_t end = to ? *to : T.unix_nanos;
        if (end - from <= grace) return Status::Ok();
        l.window_start = Time{from, 480};
        if (to) l.window_end = Time{*to, 480};
        l.summary = "first responsible person (第一责任人) of " + jurisdiction + " vacant for " +
                    Days(end - from) + " days";
        l.summary_zh = jurisdiction + " 第一责任人空缺 " + Days(end - from) + " 天";
        for (const auto* c : first) {
          if (c->until == from) {
            ASSIGN_OR_RETURN(const Record* r, DutyRecord(c->seq));
            l.evidence.push_back(r);
          }
        }
        out->push_back(std::move(l));
        return Status::Ok();
      };
      for (const auto* c : first) {
        if (c->from > T.unix_nanos) break;
        if (c->from > cursor) RETURN_IF_ERROR(gap(cursor, c->from));
        cursor = std::max(cursor, c->until);
      }
      if (cursor < T.unix_nanos) RETURN_IF_ERROR(gap(cursor, std::nullopt));
    }
  }

  // Committees of the place: L2 (chair), L3 (meetings), L4 (tasks).
  std::vector<std::string> committees;
  for (const Record* r : place_stream) {
    if (r->body().isSafetyCommitteeConstituted() &&
        Str(r->body().getSafetyCommitteeConstituted().getJurisdiction()) == jurisdiction) {
      std::string id = Str(r->body().getSafetyCommitteeConstituted().getCommitteeId());
      if (std::find(committees.begin(), committees.end(), id) == committees.end()) {
        committees.push_back(id);
      }
    }
  }
  for (const auto& committee : committees) {
    ASSIGN_OR_RETURN(auto stream, history_.Stream("committee:" + committee));
    const Record* constituted = nullptr;
    std::map<sc::MeetingType, std::vector<const Record*>> meetings;
    struct TaskState {
      std::string decision, task, owner;
      Time due;
      std::optional<Time> resolved;
      std::vector<const Record*> records;
    };
    std::map<std::pair<std::string, std::string>, TaskState> tasks;
    for (const Record* r : stream) {
      if (!r->effective()) continue;
      auto b = r->body();
      if (b.isSafetyCommitteeConstituted() && !constituted) constituted = r;
      if (b.isCommitteeMeetingHeld()) meetings[b.getCommitteeMeetingHeld().getType()].push_back(r);
      if (b.isCommitteeDecisionRecorded()) {
        auto d = b.getCommitteeDecisionRecorded();
        for (auto t : d.getTasks()) {
          tasks[{Str(d.getDecisionId()), Str(t.getTaskId())}] =
              TaskState{Str(d.getDecisionId()), Str(t.getTaskId()), Str(t.getOwner()),
                        ReadTime(t.getDue()),   std::nullopt,       {r}};
        }
      }
      if (b.isCommitteeTaskStatusChanged()) {
        auto s = b.getCommitteeTaskStatusChanged();
        auto it = tasks.find({Str(s.getDecisionId()), Str(s.getTaskId())});
        if (it == tasks.end()) continue;
        it->second.records.push_back(r);
        if (s.getStatus() == sc::TaskStatus::DONE || s.getStatus() == sc::TaskStatus::CANCELLED) {
          if (!it->second.resolved) it->second.resolved = r->occurred;
        } else if (s.getStatus() == sc::TaskStatus::EXTENDED && s.hasNewDue()) {
          if (!it->second.resolved && r->occurred <= it->second.due) {
            it->second.due = ReadTime(s.getNewDue());
          }
        }
      }
    }
    if (!constituted) continue;
    // L3: the longest allowed interval between meetings of each type, from the constitution.
    for (auto [type, param] :
         {std::pair{sc::MeetingType::PLENARY, "plenary_max_interval_days"},
          std::pair{sc::MeetingType::THEMATIC, "thematic_max_interval_days"}}) {
      Time last = constituted->occurred;
      const Record* last_record = constituted;
      auto check = [&](Time next, const Record* next_record) {
        LapseFinding l;
        l.rule = "L3";
        l.subject = "committee:" + committee;
        l.place = place;
        double interval = P(&l, "L3", param, last) * kDay;
        Time due = Plus(last, interval);
        if (next <= due) return;
        l.window_start = due;
        if (next_record) l.window_end = next;
        l.summary =
            std::string("no ") +
            (type == sc::MeetingType::PLENARY ? "plenary (全体会议)" : "thematic (专题会议)") +
            " meeting of committee " + committee + " for " +
            Days(next.unix_nanos - last.unix_nanos) + " days (since " + DayText(last) + ")";
        l.evidence.push_back(last_record);
        if (next_record) l.evidence.push_back(next_record);
        out->push_back(std::move(l));
      };
      for (const Record* m : meetings[type]) {
        check(m->occurred, m);
        last = m->occurred;
        last_record = m;
      }
      check(T, nullptr);
    }
    // L4: tasks overdue.
    for (const auto& [key, t] : tasks) {
      LapseFinding l;
      l.rule = "L4";
      l.subject = "committee:" + committee;
      l.place = place;
      double grace = P(&l, "L4", "task_grace_days", t.due) * kDay;
      Time due = Plus(t.due, grace);
      if (t.resolved ? *t.resolved <= due : T <= due) continue;
      l.window_start = due;
      if (t.resolved) l.window_end = *t.resolved;
      l.summary = "task " + t.task + " of decision " + t.decision + " (owner " + t.owner +
                  ") overdue since " + DayText(t.due);
      l.summary_zh = "决定 " + t.decision + " 的督办事项 " + t.task + "（责任人 " + t.owner +
                     "）自 " + DayText(t.due) + " 起逾期";
      l.evidence = t.records;
      l.extra_holders.push_back(t.owner);
      out->push_back(std::move(l));
    }
  }
  return Handovers(*ever, subject, place, std::numeric_limits<int64_t>::min(), tables::kForever,
                   out);
}

}  // namespace dutyledger
