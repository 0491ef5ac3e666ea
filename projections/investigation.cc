// The investigation report: built from the views (enterprise, park, lapses) at the moment, as
// recorded by the latest signed checkpoint, then put as answers to the twelve questions.
#include "projections/investigation.h"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <map>
#include <set>

#include "ledger/codec.h"
#include "ledger/uuid.h"
#include "projections/tables.h"

namespace dutyledger {
namespace {

constexpr int64_t kDay = Time::kNanosPerDay;

struct Tr {
  Lang lang;
  std::string operator()(const char* en, const char* zh) const {
    return lang == Lang::kZh ? zh : en;
  }
};

std::string DayOf(schema::Timestamp::Reader t) { return FormatRfc3339(ReadTime(t)).substr(0, 10); }
std::string TimeOf(schema::Timestamp::Reader t) { return FormatRfc3339(ReadTime(t)); }
int64_t Nanos(schema::Timestamp::Reader t) { return ReadTime(t).unix_nanos; }
std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}
std::string Str(capnp::Text::Reader t) { return t.cStr(); }

const char* kTitles[12][2] = {
    {"Who had duty over the enterprise on the day, and through which channel?",
     "事发当日谁对该企业负有监管职责？职责经由何种渠道？"},
    {"What did they know, and when?", "他们何时知道了什么？"},
    {"Which orders were open or overdue, and whose follow-up was it?",
     "哪些整改指令未完成或逾期？由谁负责跟踪复查？"},
    {"Were major hazards handled by the book?", "重大事故隐患是否依规处置？"},
    {"Who signed the project approvals, and were the prerequisites met when they signed?",
     "项目审批由谁签字？签字时前置条件是否具备？"},
    {"Was it a key target; when was it last inspected, by whom, how, with what result?",
     "是否为重点监管对象？最近一次检查的时间、人员、方式和结果？"},
    {"Did the safety committee act?", "安委会是否履职？"},
    {"Were the supervising bodies resourced?", "监管机构的人员、培训和经费是否到位？"},
    {"Was the accident reported on time and truthfully?", "事故是否按时如实报告？"},
    {"Has anything been recorded or corrected since?", "事后是否有补录或更正的记录？"},
    {"Was enforcement equal among peers (一视同仁)?", "执法是否一视同仁？"},
    {"Did the same failure happen before?", "同类问题此前是否发生过？"},
};

// A statement being assembled; evidence readers point into messages that outlive it.
struct Statement {
  std::string text;
  bool concern = false;
  std::vector<views::Evidence::Reader> evidence;
  std::vector<std::string> holders;
};

class Answers {
 public:
  size_t Count(int q) const {
    auto it = qs_.find(q);
    return it == qs_.end() ? 0 : it->second.size();
  }
  Statement& Add(int q, std::string text, bool concern) {
    qs_[q].push_back(Statement{std::move(text), concern, {}, {}});
    return qs_[q].back();
  }
  static void Cite(Statement& s, capnp::List<views::Evidence>::Reader list) {
    for (auto e : list) s.evidence.push_back(e);
  }
  void Write(views::InvestigationReport::Builder out, const Tr& t) {
    std::set<uint64_t> cited;
    auto ql = out.initQuestions(12);
    for (int q = 1; q <= 12; ++q) {
      auto qb = ql[q - 1];
      qb.setNumber(static_cast<uint8_t>(q));
      qb.setTitle(t(kTitles[q - 1][0], kTitles[q - 1][1]));
      auto& list = qs_[q];
      auto fl = qb.initFindings(static_cast<unsigned>(list.size()));
      for (size_t i = 0; i < list.size(); ++i) {
        fl[i].setText(list[i].text);
        fl[i].setConcern(list[i].concern);
        auto ev = fl[i].initEvidence(static_cast<unsigned>(list[i].evidence.size()));
        for (size_t j = 0; j < list[i].evidence.size(); ++j) {
          ev.setWithCaveats(static_cast<unsigned>(j), list[i].evidence[j]);
          cited.insert(list[i].evidence[j].getSequence());
        }
        auto hl = fl[i].initHolders(static_cast<unsigned>(list[i].holders.size()));
        for (size_t j = 0; j < list[i].holders.size(); ++j) hl.set(j, list[i].holders[j]);
      }
    }
    auto sl = out.initEvidenceSequences(static_cast<unsigned>(cited.size()));
    unsigned i = 0;
    for (uint64_t s : cited) sl.set(i++, s);
  }

 private:
  std::map<int, std::deque<Statement>> qs_;  // a deque: Add's references stay valid
};

bool HeldAt(views::DutyHolder::Reader h, int64_t t) {
  return Nanos(h.getFrom()) <= t && (!h.hasUntil() || Nanos(h.getUntil()) > t);
}

std::vector<std::string> HoldersOf(views::Lapse::Reader l) {
  std::vector<std::string> out;
  for (auto h : l.getHolders()) {
    if (std::find(out.begin(), out.end(), Str(h.getHolder())) == out.end()) {
      out.push_back(Str(h.getHolder()));
    }
  }
  return out;
}

// Adds a lapse as a concern of question q.
void AddLapse(Answers& a, int q, views::Lapse::Reader l, const Tr& t) {
  std::string title = Str(t.lang == Lang::kZh ? l.getTitleZh() : l.getTitle());
  std::string summary = Str(t.lang == Lang::kZh ? l.getSummaryZh() : l.getSummary());
  Statement& s = a.Add(
      q, Str(l.getRule()) + " " + title + (t.lang == Lang::kZh ? "：" : ": ") + summary, true);
  Answers::Cite(s, l.getEvidence());
  s.holders = HoldersOf(l);
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct Target {
  std::string enterprise, accident;
  Bytes event_id;
  Time at;
};

// The incident's enterprise and time, read from the accident record.
Result<Target> ResolveIncident(const Ledger& ledger, History& now, const std::string& incident,
                               uint64_t size) {
  std::optional<uint64_t> seq;
  if (auto uuid = ParseUuid(incident)) {
    ASSIGN_OR_RETURN(seq, ledger.FindEvent(*uuid));
    if (!seq || *seq >= size) {
      return NotFound("incident " + incident + ": no event with that id below checkpoint size " +
                      std::to_string(size));
    }
  } else {
    ASSIGN_OR_RETURN(auto stream, now.Stream("accident:" + incident, false));
    for (const Record* r : stream) {
      if (r->body().isAccidentReported()) {
        seq = r->seq;
        break;
      }
    }
    if (!seq) return NotFound("incident " + incident + ": no accident with that id is recorded");
  }
  ASSIGN_OR_RETURN(const Record* r, now.At(*seq));
  if (!r->body().isAccidentReported()) {
    return InvalidArgument("incident " + incident + ": entry " + std::to_string(*seq) + " is a " +
                           r->event.type_name() + ", not an accidentReported event");
  }
  auto a = r->body().getAccidentReported();
  Target out;
  out.enterprise = Str(a.getEnterpriseId());
  out.accident = Str(a.getAccidentId());
  out.at = ReadTime(a.getAccidentAt());
  // The first report of the accident names it.
  ASSIGN_OR_RETURN(auto stream, now.Stream("accident:" + out.accident, false));
  for (const Record* first : stream) {
    if (first->body().isAccidentReported()) {
      out.event_id = Bytes(first->event_id());
      break;
    }
  }
  if (out.event_id.empty()) out.event_id = Bytes(r->event_id());
  return out;
}

}  // namespace

Result<Investigation> Investigate(const Ledger& ledger, const InvestigationRequest& request) {
  RETURN_IF_ERROR(tables::CheckTables(ledger));
  Tr t{request.lang};
  ASSIGN_OR_RETURN(auto latest, ledger.LatestCheckpoint());
  if (!latest) {
    return FailedPrecondition(
        "the ledger has no signed checkpoint to compute the report against: run `dutyledger "
        "checkpoint --data DIR` first");
  }
  const uint64_t size = latest->checkpoint.size;
  ASSIGN_OR_RETURN(auto last, ledger.ReadEntries({size - 1}));
  Time checkpoint_time = ReadTime(last[0].entry().getRecordedAt()).WithOffset(480);

  QueryTime now_q;
  now_q.valid_at = checkpoint_time;
  now_q.known_at = checkpoint_time;
  now_q.known_size = size;
  History now(ledger, now_q);

  Target target;
  if (!request.incident.empty()) {
    if (!request.enterprise.empty() || !request.at.empty()) {
      return InvalidArgument("give --incident, or --enterprise with --at, not both");
    }
    ASSIGN_OR_RETURN(target, ResolveIncident(ledger, now, request.incident, size));
  } else {
    if (request.enterprise.empty() || request.at.empty()) {
      return InvalidArgument("give --incident <event-id>, or --enterprise <id> with --at <time>");
    }
    target.enterprise = request.enterprise;
    ASSIGN_OR_RETURN(target.at, ParseTimeArgument(request.at, 480));
  }
  const Time T = target.at.WithOffset(480);
  const int64_t tn = T.unix_nanos;

  auto out_message = std::make_unique<capnp::MallocMessageBuilder>();
  auto out = out_message->initRoot<views::InvestigationReport>();
  out.setLanguage(request.lang == Lang::kZh ? "zh-CN" : "en");
  out.setIncident(target.accident);
  if (!target.event_id.empty()) {
    out.setIncidentEventId(capnp::Data::Reader(
        reinterpret_cast<const capnp::byte*>(target.event_id.data()), target.event_id.size()));
  }
  WriteTime(out.initAt(), T);
  out.setCheckpoint(latest->note.Text());
  out.setCheckpointSize(size);

  // The world at T as recorded by the checkpoint; and as recorded by T itself.
  QueryTime at_q = now_q;
  at_q.valid_at = T;
  History at(ledger, at_q);
  ViewBuilder vb(at);
  {
    capnp::MallocMessageBuilder m;
    auto e = m.initRoot<views::EnterpriseView>();
    RETURN_IF_ERROR(vb.Enterprise(target.enterprise, e));
    out.setEnterprise(e.asReader());
  }
  auto ent = out.getEnterprise().asReader();
  out.setEnterpriseId(target.enterprise);
  out.setEnterpriseName(ent.getName());
  out.setJurisdiction(ent.getJurisdiction());
  {
    QueryTime then_q = at_q;
    then_q.known_at = T;
    ASSIGN_OR_RETURN(then_q.known_size, ledger.SizeKnownAt(T));
    then_q.known_size = std::min(then_q.known_size, size);
    History then(ledger, then_q);
    ViewBuilder tb(then);
    capnp::MallocMessageBuilder m;
    auto e = m.initRoot<views::EnterpriseView>();
    if (tb.Enterprise(target.enterprise, e).ok()) {
      out.setResponsibilityKnownThen(e.asReader().getResponsibility());
    } else {
      out.initResponsibilityKnownThen(0);
    }
  }
  auto then_map = out.getResponsibilityKnownThen().asReader();

  // The park at T: committees, meetings, tasks, coverage of its enterprises (for peers).
  capnp::MallocMessageBuilder park_message;
  auto park = park_message.initRoot<views::ParkView>();
  RETURN_IF_ERROR(vb.Park(Str(ent.getJurisdiction()), park));
  {
    std::vector<views::Meeting::Reader> meetings;
    for (auto m : park.asReader().getMeetings()) {
      if (Nanos(m.getAt()) > tn - 365 * kDay && Nanos(m.getAt()) <= tn) meetings.push_back(m);
    }
    auto ml = out.initMeetings(static_cast<unsigned>(meetings.size()));
    for (size_t i = 0; i < meetings.size(); ++i) ml.setWithCaveats(i, meetings[i]);
    std::vector<views::Task::Reader> tasks;
    for (auto k : park.asReader().getTasks()) {
      if (Nanos(k.getDue()) > tn - 365 * kDay) tasks.push_back(k);
    }
    auto tl = out.initTasks(static_cast<unsigned>(tasks.size()));
    for (size_t i = 0; i < tasks.size(); ++i) tl.setWithCaveats(i, tasks[i]);
    std::vector<views::Lapse::Reader> lapses;
    for (auto l : park.asReader().getLapses()) {
      if (!Str(l.getSubject()).starts_with("enterprise:")) lapses.push_back(l);
    }
    auto ll = out.initParkLapses(static_cast<unsigned>(lapses.size()));
    for (size_t i = 0; i < lapses.size(); ++i) ll.setWithCaveats(i, lapses[i]);
  }

  // Resourcing of the bodies in the map.
  {
    std::set<std::string> orgs;
    for (auto h : ent.getResponsibility()) {
      if (!HeldAt(h, tn)) continue;
      std::string holder = Str(h.getHolder());
      if (holder.starts_with("org:")) orgs.insert(holder.substr(4));
      if (h.getThroughBody().size()) orgs.insert(Str(h.getThroughBody()).substr(4));
    }
    RETURN_IF_ERROR(vb.Resourcing(orgs, [&](unsigned n) { return out.initResourcing(n); }));
  }

  // Peers: same park, same industry class (first three characters) and risk class.
  {
    std::vector<views::Coverage::Reader> peers;
    std::optional<views::Coverage::Reader> self;
    std::string cls =
        ent.getIndustryCodes().size() ? Str(ent.getIndustryCodes()[0]).substr(0, 3) : "";
    for (auto c : park.asReader().getEnterprises()) {
      if (Str(c.getEnterpriseId()) == target.enterprise) {
        self = c;
        continue;
      }
      bool same = Str(c.getRiskClass()) == Str(ent.getRiskClass());
      bool industry = false;
      for (auto code : c.getIndustryCodes()) industry |= Str(code).substr(0, 3) == cls;
      if (same && industry && peers.size() < 30) peers.push_back(c);
    }
    auto pl = out.initPeers(static_cast<unsigned>(peers.size() + (self ? 1 : 0)));
    unsigned i = 0;
    auto put = [&](views::Coverage::Reader c, bool subject) {
      auto p = pl[i++];
      p.setEnterpriseId(c.getEnterpriseId());
      p.setName(c.getName());
      p.setRiskClass(c.getRiskClass());
      p.setIndustryCodes(c.getIndustryCodes());
      p.setInspectionsLastYear(c.getInspectionsLastYear());
      p.setHazardsLastYear(c.getHazardsLastYear());
      p.setOrdersLastYear(c.getOrdersLastYear());
      p.setPenaltiesLastYear(c.getPenaltiesLastYear());
      p.setMeanOrderDays(c.getMeanOrderDays());
      p.setSubjectOfReport(subject);
    };
    if (self) put(*self, true);
    for (auto c : peers) put(c, false);
  }

  // Lapses after the moment that belong to it: reporting (L21, L22) and records after (L30).
  capnp::MallocMessageBuilder after_message;
  auto after = after_message.initRoot<views::LapseReport>();
  {
    ViewBuilder nb(now);
    RETURN_IF_ERROR(nb.Lapses("enterprise:" + target.enterprise, "", after));
  }
  std::vector<views::Lapse::Reader> lapses;
  for (auto l : ent.getLapses()) lapses.push_back(l);
  for (auto l : after.asReader().getLapses()) {
    std::string rule = Str(l.getRule());
    if (rule == "L21" || rule == "L22" || rule == "L30") lapses.push_back(l);
  }
  for (auto l : out.getParkLapses().asReader()) lapses.push_back(l);
  auto rule_of = [](views::Lapse::Reader l) { return Str(l.getRule()); };

  Answers a;
  // 1. The responsibility map on the day.
  bool in_charge = false;
  for (auto h : ent.getResponsibility()) {
    if (!HeldAt(h, tn)) continue;
    in_charge |= Str(h.getChannel()) == "inspectorInCharge";
    std::string text = Str(h.getHolder()) + (h.getName().size() ? " " + Str(h.getName()) : "") +
                       " — " + ChannelLabel(Str(h.getChannel()), request.lang);
    if (h.getThroughBody().size()) {
      text += t(" (head of ", "（") + Str(h.getThroughBody()) + t(")", " 负责人）");
    }
    if (h.getVia().size()) text += t(", via ", "，依据 ") + Str(h.getVia());
    text += t(", since ", "，自 ") + DayOf(h.getFrom());
    bool known_then = false;
    for (auto k : then_map) {
      known_then |= Str(k.getHolder()) == Str(h.getHolder()) &&
                    Str(k.getChannel()) == Str(h.getChannel()) &&
                    Str(k.getDutyId()) == Str(h.getDutyId());
    }
    if (!known_then) {
      text += t(" — recorded after the moment: not in the record on the day",
                " — 事后补录：当日记录中没有此项");
    }
    Statement& s = a.Add(1, text, !known_then);
    Answers::Cite(s, h.getEvidence());
    s.holders.push_back(Str(h.getHolder()));
  }
  if (!in_charge) {
    a.Add(1,
          t("No inspector in charge held the duty for this enterprise on the day.",
            "事发当日该企业没有在岗的包保/驻企监管员。"),
          true);
  }
  for (auto l : lapses) {
    if (rule_of(l) == "L1" || rule_of(l) == "L2" || rule_of(l) == "L26") AddLapse(a, 1, l, t);
  }

  // 2. What was known, and when: the year before, in order.
  {
    struct Item {
      int64_t at;
      std::string text;
      bool concern;
      capnp::List<views::Evidence>::Reader list;
      std::optional<views::Evidence::Reader> one;
    };
    std::vector<Item> items;
    for (auto i : ent.getInspections()) {
      if (Nanos(i.getAt()) <= tn - 365 * kDay) continue;
      std::string who;
      for (auto x : i.getInspectors()) who += (who.empty() ? "" : ", ") + Str(x);
      items.push_back(
          {Nanos(i.getAt()),
           DayOf(i.getAt()) + t(" inspection ", " 检查 ") + Str(i.getInspectionId()) + " (" +
               Str(i.getMode()) + t(") by ", "）检查人 ") + who + " — " +
               (i.getNoFindings() ? t("no findings", "未发现问题") : t("findings", "发现问题")) +
               t(", recorded ", "，录入于 ") + DayOf(i.getEvidence().getRecordedAt()),
           false,
           {},
           i.getEvidence()});
    }
    for (auto h : ent.getHazards()) {
      if (Nanos(h.getIdentifiedAt()) <= tn - 365 * kDay) continue;
      bool major = Str(h.getGrade()) == "major";
      std::string rec = h.getEvidence().size() ? DayOf(h.getEvidence()[0].getRecordedAt()) : "";
      items.push_back({Nanos(h.getIdentifiedAt()),
                       DayOf(h.getIdentifiedAt()) + t(" hazard ", " 隐患 ") + Str(h.getHazardId()) +
                           " (" + (major ? t("major", "重大事故隐患") : t("general", "一般隐患")) +
                           ", " + Str(h.getHazardType()) + "): " + Str(h.getDescription()) +
                           t("; source ", "；来源 ") + Str(h.getSource()) +
                           t(", recorded ", "，录入于 ") + rec,
                       major, h.getEvidence(), std::nullopt});
    }
    std::sort(items.begin(), items.end(), [](const Item& x, const Item& y) { return x.at < y.at; });
    for (auto& it : items) {
      Statement& s = a.Add(2, it.text, it.concern);
      if (it.one) s.evidence.push_back(*it.one);
      Answers::Cite(s, it.list);
    }
    if (items.empty()) {
      a.Add(2,
            t("Nothing about the enterprise was recorded in the year before.",
              "事发前一年内没有关于该企业的记录。"),
            false);
    }
  }

  // 3. Orders open or overdue at T, and whose follow-up they were.
  for (auto o : ent.getOrders()) {
    if (Str(o.getState()) == "passed") continue;
    bool overdue = o.getDaysOverdue() > 0;
    std::string text = t("责令限期整改指令书 (rectification order) ", "责令限期整改指令书 ") +
                       Str(o.getOrderId()) + t(" issued ", " 下达于 ") + DayOf(o.getIssuedAt()) +
                       t(" by ", "，签发 ") + Str(o.getIssuedBy()) + t(", deadline ", "，期限 ") +
                       DayOf(o.getDeadline()) + t(", state ", "，状态 ") + Str(o.getState());
    if (overdue)
      text += t(", overdue by ", "，逾期 ") + Num(o.getDaysOverdue()) + t(" days", " 天");
    Statement& s = a.Add(3, text, overdue);
    Answers::Cite(s, o.getEvidence());
  }
  for (auto l : lapses) {
    std::string r = rule_of(l);
    if (r == "L10" || r == "L11" || r == "L12") AddLapse(a, 3, l, t);
  }

  // 4. Major hazards.
  for (auto h : ent.getHazards()) {
    if (Str(h.getGrade()) != "major") continue;
    std::string orders;
    for (auto o : h.getOrders()) orders += (orders.empty() ? "" : ", ") + Str(o);
    std::string text =
        t("Major hazard (重大事故隐患) ", "重大事故隐患 ") + Str(h.getHazardId()) +
        t(" found ", " 发现于 ") + DayOf(h.getIdentifiedAt()) + " (" + Str(h.getSource()) + ")" +
        t("; self-reported: ", "；企业自报：") +
        (h.getSelfReported() ? t("yes", "是") : t("no", "否")) +
        t("; listed for supervision (挂牌督办): ", "；挂牌督办：") +
        (h.getListed() ? t("yes", "是") : t("no", "否")) + t("; orders: ", "；整改指令：") +
        (orders.empty() ? t("none", "无") : orders) + "; " +
        (h.hasClosedAt()
             ? t("closed ", "销号于 ") + DayOf(h.getClosedAt())
             : t("open for ", "未销号，已 ") + Num(h.getDaysOpen()) + t(" days", " 天"));
    Statement& s = a.Add(4, text, !h.hasClosedAt());
    Answers::Cite(s, h.getEvidence());
  }
  for (auto m : ent.getMeasures()) {
    Statement& s =
        a.Add(4,
              t("On-site measure ", "现场处置措施 ") + Str(m.getMeasureId()) + " (" +
                  Str(m.getKind()) + t(") imposed ", "）采取于 ") + DayOf(m.getImposedAt()) +
                  (m.hasLiftedAt() ? t(", lifted ", "，解除于 ") + DayOf(m.getLiftedAt())
                                   : std::string()),
              false);
    Answers::Cite(s, m.getEvidence());
  }
  for (auto l : lapses) {
    std::string r = rule_of(l);
    if (r == "L7" || r == "L8" || r == "L9" || r == "L13" || r == "L14" || r == "L15") {
      AddLapse(a, 4, l, t);
    }
  }
  if (a.Count(4) == 0) a.Add(4, t("No major hazard is recorded.", "无重大事故隐患记录。"), false);

  // 5. Projects and who signed them.
  for (auto p : ent.getProjects()) {
    std::string signers;
    std::vector<std::string> holders;
    for (auto s : p.getApprovals()) {
      signers += (signers.empty() ? "" : ", ") + Str(s.getHolder()) + " (" + Str(s.getVia()) + ")";
      holders.push_back(Str(s.getHolder()));
    }
    auto yn = [&](bool b) { return b ? t("yes", "是") : t("no", "否"); };
    Statement& s = a.Add(5,
                         t("Project ", "项目 ") + Str(p.getProjectId()) + " " + Str(p.getName()) +
                             t(": stage ", "：阶段 ") + Str(p.getStage()) +
                             t("; safety review ", "；安全审查 ") + Str(p.getReviewOutcome()) +
                             t("; pre-assessment ", "；安全预评价 ") + yn(p.getPreAssessed()) +
                             t("; design review approved ", "；安全设施设计审查通过 ") +
                             yn(p.getDesignApproved()) + t("; accepted ", "；竣工验收 ") +
                             yn(p.getAccepted()) + t("; signed by ", "；签字 ") +
                             (signers.empty() ? t("nobody recorded", "无记录") : signers),
                         false);
    Answers::Cite(s, p.getEvidence());
    s.holders = holders;
  }
  for (auto l : lapses) {
    std::string r = rule_of(l);
    if (r == "L17" || r == "L18" || r == "L19" || r == "L20") AddLapse(a, 5, l, t);
  }
  if (a.Count(5) == 0) a.Add(5, t("No project is recorded.", "无建设项目记录。"), false);

  // 6. Key target and inspections.
  {
    std::optional<views::Inspection::Reader> last;
    unsigned year = 0, empty = 0;
    for (auto i : ent.getInspections()) {
      if (Str(i.getMode()) == "enterpriseSelfCheck" || Nanos(i.getAt()) > tn) continue;
      if (!last || Nanos(last->getAt()) < Nanos(i.getAt())) last = i;
      if (Nanos(i.getAt()) > tn - 365 * kDay) {
        ++year;
        empty += i.getNoFindings();
      }
    }
    std::string text = (ent.getKeyTarget() ? t("A key target (重点监管对象). ", "重点监管对象。")
                                           : t("Not a key target. ", "非重点监管对象。")) +
                       std::to_string(year) +
                       t(" inspections in the year before, ", " 次检查（事发前一年），其中 ") +
                       std::to_string(empty) + t(" without findings.", " 次未发现问题。");
    Statement& s = a.Add(6, text, false);
    if (last) {
      std::string who;
      for (auto x : last->getInspectors()) who += (who.empty() ? "" : ", ") + Str(x);
      Statement& l = a.Add(
          6,
          t("Last inspection ", "最近一次检查 ") + DayOf(last->getAt()) + t(" by ", "，检查人 ") +
              who + " (" + Str(last->getMode()) + ") — " +
              (last->getNoFindings() ? t("no findings", "未发现问题") : t("findings", "发现问题")),
          false);
      l.evidence.push_back(last->getEvidence());
    }
    (void)s;
  }
  for (auto l : lapses) {
    std::string r = rule_of(l);
    if (r == "L5" || r == "L6") AddLapse(a, 6, l, t);
  }

  // 7. The committee.
  {
    auto meetings = out.getMeetings().asReader();
    Statement& s =
        a.Add(7,
              std::to_string(meetings.size()) + t(" safety committee meetings in the year before.",
                                                  " 次安委会会议（事发前一年）。"),
              false);
    for (auto m : meetings) s.evidence.push_back(m.getEvidence());
    for (auto k : out.getTasks().asReader()) {
      bool late = Str(k.getStatus()) != "done" && Nanos(k.getDue()) < tn;
      Statement& ts =
          a.Add(7,
                t("Task ", "督办事项 ") + Str(k.getDecisionId()) + "/" + Str(k.getTaskId()) +
                    " \"" + Str(k.getDescription()) + "\"" + t(" owner ", "，责任人 ") +
                    Str(k.getOwner()) + t(", due ", "，期限 ") + DayOf(k.getDue()) +
                    t(", status ", "，状态 ") + Str(k.getStatus()),
                late);
      Answers::Cite(ts, k.getEvidence());
      ts.holders.push_back(Str(k.getOwner()));
    }
  }
  for (auto l : lapses) {
    std::string r = rule_of(l);
    if (r == "L3" || r == "L4") AddLapse(a, 7, l, t);
  }

  // 8. Resourcing.
  for (auto r : out.getResourcing().asReader()) {
    bool covers = Nanos(r.getPeriodStart()) <= tn && Nanos(r.getPeriodEnd()) >= tn - 365 * kDay;
    if (!covers) continue;
    Statement& s = a.Add(
        8,
        Str(r.getOrg()) + " " + DayOf(r.getPeriodStart()) + "–" + DayOf(r.getPeriodEnd()) +
            t(": staff ", "：在编 ") + std::to_string(r.getActualStaff()) + "/" +
            std::to_string(r.getAuthorizedStaff()) +
            t(" of the establishment, ", "（编制），持证执法人员 ") +
            std::to_string(r.getCertifiedInspectors()) +
            t(" certified inspectors, ", " 名，培训 ") + std::to_string(r.getTrainingHours()) +
            t(" training hours, budget ¥", " 学时，经费 ¥") + std::to_string(r.getBudgetYuan()),
        false);
    s.evidence.push_back(r.getEvidence());
  }
  if (a.Count(8) == 0) {
    a.Add(8,
          t("No resourcing record covers the supervising bodies on the day.",
            "没有覆盖事发当日的监管机构人员、培训和经费记录。"),
          false);
  }

  // 9. The accident's reports (from the record as of the checkpoint).
  capnp::MallocMessageBuilder now_message;
  auto now_view = now_message.initRoot<views::EnterpriseView>();
  {
    ViewBuilder b(now);
    RETURN_IF_ERROR(b.Enterprise(target.enterprise, now_view));
  }
  bool reported = false;
  for (auto acc : now_view.asReader().getAccidents()) {
    if (target.accident.empty() || Str(acc.getAccidentId()) != target.accident) continue;
    reported = true;
    int64_t t0 = Nanos(acc.getAccidentAt());
    Statement& s = a.Add(9,
                         t("Accident ", "事故 ") + target.accident + t(" at ", " 发生于 ") +
                             TimeOf(acc.getAccidentAt()) +
                             t("; known to the unit head ", "；单位负责人知悉于 ") +
                             TimeOf(acc.getKnownToUnitHeadAt()) + t("; deaths ", "；死亡 ") +
                             std::to_string(acc.getDeaths()) + t(", serious injuries ", "，重伤 ") +
                             std::to_string(acc.getSeriousInjuries()) + t(" (grade ", "（等级 ") +
                             Str(acc.getGrade()) + t(")", "）"),
                         false);
    Answers::Cite(s, acc.getEvidence());
    for (auto r : acc.getReports()) {
      double minutes = static_cast<double>(Nanos(r.getReportedAt()) - t0) / 60e9;
      Statement& rs =
          a.Add(9,
                t("Reported by ", "报告人 ") + Str(r.getBy()) + t(" to ", "，报告对象 ") +
                    Str(r.getRecipient()) + " (" + Str(r.getLevel()) + t(") at ", "）于 ") +
                    TimeOf(r.getReportedAt()) + ", " + Num(minutes) +
                    t(" minutes after the accident", " 分钟（事故发生后）"),
                false);
      Answers::Cite(rs, acc.getEvidence());
    }
  }
  if (!reported) {
    a.Add(9,
          t("No accident is named: the report is for a moment, not an incident.",
            "未指定事故：本报告针对指定时点。"),
          false);
  }
  for (auto l : lapses) {
    if (rule_of(l) == "L21" || rule_of(l) == "L22") AddLapse(a, 9, l, t);
  }

  // 10. Records made or corrected after the moment (listed apart, with their delay).
  for (auto e : now_view.asReader().getLateRecords()) {
    int64_t occurred = Nanos(e.getOccurredAt()), recorded = Nanos(e.getRecordedAt());
    if (recorded <= tn) continue;
    bool about_before = occurred <= tn;
    Statement& s = a.Add(
        10,
        "#" + std::to_string(e.getSequence()) + " " + Str(e.getType()) + t(" by ", "，签名 ") +
            Str(e.getSigner()) + t(": occurred ", "：发生于 ") + DayOf(e.getOccurredAt()) +
            t(", recorded ", "，录入于 ") + DayOf(e.getRecordedAt()) + " (" +
            Num(static_cast<double>(recorded - occurred) / kDay) + t(" days later)", " 天后）") +
            (about_before ? t(" — about the time before the moment", " — 涉及事发前的情况") : ""),
        about_before);
    s.evidence.push_back(e);
  }
  for (auto c : now_view.asReader().getCorrections()) {
    Statement& s =
        a.Add(10,
              (c.getWithdrawn() ? t("Withdrawn: ", "撤回：") : t("Corrected: ", "更正：")) +
                  Str(c.getType()) + " #" + std::to_string(c.getOriginal().getSequence()) +
                  t(" by ", " 由 ") + "#" + std::to_string(c.getBy().getSequence()) +
                  t(", reason: ", "，理由：") + Str(c.getReason()),
              Nanos(c.getBy().getRecordedAt()) > tn);
    s.evidence.push_back(c.getOriginal());
    s.evidence.push_back(c.getBy());
  }
  for (auto l : lapses) {
    if (rule_of(l) == "L30") AddLapse(a, 10, l, t);
  }
  a.Add(10,
        t("This report reads only the first ", "本报告只读取签名检查点所覆盖的前 ") +
            std::to_string(size) +
            t(" entries, covered by the signed checkpoint quoted in it; `dutyledger verify` and "
              "`verify-bundle` check that nothing in them was altered or removed.",
              " 条记录；可用 `dutyledger verify` 与 `verify-bundle` 核验其未被篡改或删除。"),
        false);

  // 11. Equal treatment among peers.
  {
    auto peers = out.getPeers().asReader();
    std::vector<double> insp, hz, ord, pen, days;
    std::optional<views::Peer::Reader> self;
    for (auto p : peers) {
      if (p.getSubjectOfReport()) {
        self = p;
        continue;
      }
      insp.push_back(p.getInspectionsLastYear());
      hz.push_back(p.getHazardsLastYear());
      ord.push_back(p.getOrdersLastYear());
      pen.push_back(p.getPenaltiesLastYear());
      if (p.getOrdersLastYear()) days.push_back(p.getMeanOrderDays());
    }
    if (!self || insp.empty()) {
      a.Add(11,
            t("No peer of the same park, industry class and risk class to compare with.",
              "同园区内没有同行业、同风险等级的企业可供比较。"),
            false);
    } else {
      a.Add(11,
            t("In the year before, against ", "事发前一年，与 ") + std::to_string(insp.size()) +
                t(" peers of the same park, industry class and risk class (median): inspections ",
                  " 家同园区、同行业、同风险等级企业（中位数）相比：检查 ") +
                std::to_string(self->getInspectionsLastYear()) + " / " + Num(Median(insp)) +
                t("; hazards found ", "；发现隐患 ") + std::to_string(self->getHazardsLastYear()) +
                " / " + Num(Median(hz)) + t("; orders ", "；整改指令 ") +
                std::to_string(self->getOrdersLastYear()) + " / " + Num(Median(ord)) +
                t("; penalties ", "；处罚 ") + std::to_string(self->getPenaltiesLastYear()) +
                " / " + Num(Median(pen)) + t("; mean days to rectify ", "；平均整改期限（天） ") +
                Num(self->getMeanOrderDays()) + " / " + Num(Median(days)),
            false);
    }
  }

  // 12. Recurrence.
  for (auto acc : ent.getAccidents()) {
    if (Nanos(acc.getAccidentAt()) >= tn) continue;
    Statement& s = a.Add(12,
                         t("Earlier accident ", "此前事故 ") + Str(acc.getAccidentId()) +
                             t(" on ", "，发生于 ") + DayOf(acc.getAccidentAt()),
                         true);
    Answers::Cite(s, acc.getEvidence());
  }
  for (auto l : lapses) {
    if (rule_of(l) == "L24" || rule_of(l) == "L29") AddLapse(a, 12, l, t);
  }
  if (a.Count(12) == 0) {
    a.Add(12,
          t("No earlier accident and no recurring hazard is recorded for the enterprise.",
            "该企业无此前事故或重复出现的同类隐患记录。"),
          false);
  }

  // Lapses per duty holder.
  {
    // Rules in their numeric order (L2 before L10); each lapse counted once per holder.
    auto by_number = [](const std::string& x, const std::string& y) {
      return std::make_pair(x.size(), x) < std::make_pair(y.size(), y);
    };
    using Rules = std::set<std::string, decltype(by_number)>;
    std::map<std::string, std::pair<Rules, unsigned>> by;
    std::map<std::string, std::string> names;
    for (auto l : lapses) {
      std::set<std::string> seen;
      for (auto h : l.getHolders()) {
        std::string holder = Str(h.getHolder());
        if (h.getName().size()) names[holder] = Str(h.getName());
        if (!seen.insert(holder).second) continue;
        auto& e = by.try_emplace(holder, Rules(by_number), 0u).first->second;
        e.first.insert(rule_of(l));
        ++e.second;
      }
    }
    auto hl = out.initLapsesByHolder(static_cast<unsigned>(by.size()));
    unsigned i = 0;
    for (const auto& [holder, e] : by) {
      auto b = hl[i++];
      b.setHolder(holder);
      b.setName(names[holder]);
      auto rl = b.initRules(static_cast<unsigned>(e.first.size()));
      unsigned j = 0;
      for (const auto& r : e.first) rl.set(j++, r);
      b.setLapses(e.second);
    }
  }

  a.Write(out, t);
  Investigation result;
  result.report = out.asReader();
  result.message = std::move(out_message);
  return result;
}

}  // namespace dutyledger
