// Views and lapses: golden scenarios with hand-computed expectations.
//
// The domain fixture (two years of Shanzhou park) is played once; on top of it, from day 800,
// crafted cases each use their own enterprise (X..) or park (p2, p3), so that every lapse rule
// fires on one case and stays silent on its near miss. Expectations are written from the rule
// table of reference/domain.md §5, not from the code's output.
#include <gtest/gtest.h>

#include <capnp/message.h>

#include <set>

#include "ledger/codec.h"
#include "projections/domain_rules.h"
#include "projections/query.h"
#include "projections/views.h"
#include "tests/projections/lapse_oracle.h"
#include "tests/support/test_util.h"
#include "tools/scenario/scenario.h"
#include "tools/scenario/writers.h"

namespace dutyledger {
namespace {

using scenario::Days;
using scenario::Scenario;
using scenario::Writer;

constexpr char kPark[] = "smx/sz/park";
constexpr int64_t kMinute = 60 * Time::kNanosPerSecond;
constexpr int64_t kHour = Time::kNanosPerHour;

// The crafted cases, written after the fixture; B is day 800 of the fixture.
void AddCases(Scenario& s, Time B) {
  Writer w(s);
  auto D = [&](double d) { return Days(B, d); };
  // Enterprises of the park, each with its key; industry C3393 (mapped to sz-ajj, 三个必须).
  auto enterprise = [&](const std::string& id, const std::string& code = "C3393") {
    Writer::Enterprise e{id, "测试企业" + id, kPark, {code}};
    w.Register(D(0), "chen-jie", e);
    w.BindKey(D(0), "chen-jie", id, "enterprise:" + id);
  };

  // An accident reported by the enterprise to the county, relayed to the city an hour later (a
  // 一般事故 must reach the city level: 条例 Art 10), unless `relayed` is false.
  auto report = [&](const Writer::Accident& a, const std::string& signer, bool relayed = true,
                    int64_t relay_after = kHour) {
    w.ReportAccident(a.reported_at, signer, a);
    if (!relayed) return;
    Writer::Accident relay = a;
    relay.reported_at = a.reported_at.PlusNanos(relay_after);
    relay.reported_by = "周强";
    relay.recipient_org = "smx-gov";
    relay.level = "city";
    w.ReportAccident(relay.reported_at, "zhou-qiang", relay);
  };

  // L1 blind spot: Q85 has no department mapped (fires from registration); Q84 is mapped the
  // same moment the enterprise is registered (near miss).
  w.MapIndustry(D(0), "wang-gang", "Q84", "sz-ajj", "smx/sz");
  enterprise("X01a", "Q8521");
  enterprise("X01b", "Q8411");
  // The same blind spot at XO, whose inspector in charge is chen-jie in person, who also holds
  // the park's territorial duty through the body he heads: his dossier must list it once.
  enterprise("XO", "Q8522");
  w.AssignDuty(D(1), "wang-gang", "d-XO", "official:chen-jie", "inspectorInCharge",
               {.enterprises = {"XO"}});

  // L1 gaps that ended before T: X01g's unmapped industry code is replaced by a mapped one on
  // day 20 (a profile update), X01h is closed on day 20. Both gaps stay lapses after they end.
  enterprise("X01g", "Q8521");
  w.UpdateProfile(D(20), "chen-jie", "X01g", {"C3393"}, "general", false, false);
  enterprise("X01h", "Q8521");
  w.Closure(D(15), "chen-jie", "X01h", false, "不具备安全生产条件", 0);
  w.Closure(D(20), "wang-gang", "X01h", true, "依法关闭", 0);

  // L5 key-target inspection interval (92 days, parameter set local-2018): the second
  // inspection 93 days after the first (fires); 91 days after (near miss).
  for (const char* id : {"X05a", "X05b"}) {
    enterprise(id);
    w.KeyTarget(D(0.1), "chen-jie", id, true, "high", "粉尘涉爆");
    w.Inspect(D(1), "wu-fang", std::string("i-") + id + "-1", id, "keyTarget", {"wu-fang"}, true);
  }
  w.Inspect(D(94), "wu-fang", "i-X05a-2", "X05a", "keyTarget", {"wu-fang"}, true);
  w.Inspect(D(92), "wu-fang", "i-X05b-2", "X05b", "keyTarget", {"wu-fang"}, true);

  // L6 formalism: three empty inspections by wu-fang, then chen-jie finds a hazard (fires);
  // two empty inspections only (near miss).
  for (const char* id : {"X06a", "X06b"}) {
    enterprise(id);
    int n = std::string(id) == "X06a" ? 3 : 2;
    for (int i = 0; i < n; ++i) {
      w.Inspect(D(1 + i), "wu-fang", std::string("i-") + id + "-" + std::to_string(i), id,
                "routine", {"wu-fang"}, true);
    }
    std::string found = std::string("i-") + id + "-found";
    w.Inspect(D(10), "chen-jie", found, id, "unannounced", {"chen-jie"}, false);
    w.Hazard(D(10), "chen-jie", std::string("hz-") + id, id, "general", "机械防护", "防护罩缺失",
             "inspection", found);
  }

  // L17 permits: X17c's is issued on D(25) while a major hazard found on D(20) is open (fires)
  // and suspended on D(35); X17d's, with no hazard, likewise (near miss).
  for (const char* id : {"X17c", "X17d"}) {
    enterprise(id);
    std::string insp = std::string("i-") + id, permit = std::string("pm-") + id;
    w.Inspect(D(20), "wu-fang", insp, id, "keyTarget", {"wu-fang"}, std::string(id) == "X17d");
    if (std::string(id) == "X17c") {
      w.Hazard(D(20), "wu-fang", "hz-X17c", id, "major", "粉尘涉爆", "未设置泄爆装置", "inspection",
               insp);
    }
    w.Permit(D(25), "zhou-qiang", permit, id, "安全生产许可证", "issued", "sz-ajj", D(1000));
    w.Permit(D(35), "zhou-qiang", permit, id, "安全生产许可证", "suspended", "sz-ajj", D(1000));
  }

  // L7/L8/L9 major hazards found by an inspector at D(20): X08a ordered 25 hours later
  // (L8 fires), X08b 23 hours later (near miss); X09a listed 8 days later (L9 fires), X09b
  // after 6 days (near miss); X07b is found and reported by the enterprise itself (no L7).
  for (const char* id : {"X08a", "X08b", "X09a", "X09b"}) {
    enterprise(id);
    std::string insp = std::string("i-") + id;
    w.Inspect(D(20), "wu-fang", insp, id, "keyTarget", {"wu-fang"}, false);
    w.Hazard(D(20), "wu-fang", std::string("hz-") + id, id, "major", "粉尘涉爆", "未设置泄爆装置",
             "inspection", insp);
  }
  w.Order(Days(D(20), 0).PlusNanos(25 * kHour), "wu-fang", "ord-X08a", "X08a", {"hz-X08a"}, D(50),
          "i-X08a", "负责人");
  w.Order(Days(D(20), 0).PlusNanos(23 * kHour), "wu-fang", "ord-X08b", "X08b", {"hz-X08b"}, D(50),
          "i-X08b", "负责人");
  w.List(D(28), "zhou-qiang", "hz-X09a", true, "县级", "park-safety", "li-hua", D(80));
  w.List(D(26), "zhou-qiang", "hz-X09b", true, "县级", "park-safety", "li-hua", D(80));
  enterprise("X07b");
  w.Hazard(D(20), "X07b", "hz-X07b", "X07b", "major", "粉尘涉爆", "自查发现", "selfCheck", "");
  w.SelfReport(D(20), "X07b", "hz-X07b", "X07b", "park-safety");

  // L10/L11 orders with deadline D(60): X10a never reports (L10 fires); X10b reports a day
  // before the deadline (near miss). X11a is reviewed 11 days after its report (L11 fires),
  // X11b 9 days after (near miss).
  for (const char* id : {"X10a", "X10b", "X10c", "X10d", "X11a", "X11b", "X12a", "X12b"}) {
    enterprise(id);
    std::string insp = std::string("i-") + id;
    w.Inspect(D(30), "wu-fang", insp, id, "routine", {"wu-fang"}, false);
    w.Hazard(D(30), "wu-fang", std::string("hz-") + id, id, "general", "电气", "线路老化",
             "inspection", insp);
    w.Order(D(30), "wu-fang", std::string("ord-") + id, id, {std::string("hz-") + id}, D(60), insp,
            "负责人");
  }
  w.ReportRectification(D(59), "X10b", "ord-X10b", "X10b");
  w.ReviewRectification(D(62), "wu-fang", "ord-X10b", true, {"wu-fang"}, "复查-X10b");
  // X10c's deadline is extended on D(65), after it passed, to D(90) (L10 fires for D(60) to
  // D(65)); X10d's on D(55), before it passed (near miss). Both report on D(80), reviewed D(85).
  w.ExtendDeadline(D(65), "wu-fang", "ord-X10c", D(90), "wu-fang", "企业申请延期");
  w.ExtendDeadline(D(55), "wu-fang", "ord-X10d", D(90), "wu-fang", "企业申请延期");
  for (const char* id : {"X10c", "X10d"}) {
    w.ReportRectification(D(80), id, std::string("ord-") + id, id);
    w.ReviewRectification(D(85), "wu-fang", std::string("ord-") + id, true, {"wu-fang"},
                          std::string("复查-") + id);
  }
  w.ReportRectification(D(50), "X11a", "ord-X11a", "X11a");
  w.ReviewRectification(D(61), "wu-fang", "ord-X11a", true, {"wu-fang"}, "复查-X11a");
  w.ReportRectification(D(50), "X11b", "ord-X11b", "X11b");
  w.ReviewRectification(D(59), "wu-fang", "ord-X11b", true, {"wu-fang"}, "复查-X11b");
  // L12: a failed review at D(55) and no case for 20 days (fires); a case 14 days after
  // (near miss).
  for (const char* id : {"X12a", "X12b"}) {
    w.ReportRectification(D(50), id, std::string("ord-") + id, id);
    w.ReviewRectification(D(55), "wu-fang", std::string("ord-") + id, false, {"wu-fang"},
                          std::string("复查-") + id);
  }
  w.Case(D(69), "wu-fang", "case-X12b", "X12b", true, "复查不合格", {"ord-X12b"});

  // L14: suspended at D(40); an accident at D(45) while still suspended (fires); resumed at
  // D(44), accident at D(45) (near miss).
  for (const char* id : {"X14a", "X14b"}) {
    enterprise(id);
    std::string insp = std::string("i-") + id;
    w.Inspect(D(40), "wu-fang", insp, id, "routine", {"wu-fang"}, false);
    w.Hazard(D(40), "wu-fang", std::string("hz-") + id, id, "general", "电气", "线路老化",
             "inspection", insp);
    w.Measure(D(40), "wu-fang", std::string("ms-") + id, id, true, "temporarySuspension",
              {std::string("hz-") + id});
  }
  w.Resume(D(44), "zhou-qiang", "X14b", "ms-X14b", "", true, {"zhou-qiang"});
  for (const char* id : {"X14a", "X14b"}) {
    Writer::Accident a;
    a.id = std::string("acc-") + id;
    a.enterprise = id;
    a.accident_at = D(45);
    a.known_at = D(45);
    a.reported_at = D(45).PlusNanos(30 * kMinute);
    a.reported_by = "负责人";
    a.recipient_org = "sz-ajj";
    a.serious = 1;
    report(a, id);
  }

  // L15: a suspension for rectification (penalty, D(70)) and a failed review at D(80): no
  // closure request within 30 days (fires); a request 29 days after (near miss).
  for (const char* id : {"X15a", "X15b"}) {
    enterprise(id);
    std::string insp = std::string("i-") + id, hz = std::string("hz-") + id,
                ord = std::string("ord-") + id, cs = std::string("case-") + id;
    w.Inspect(D(60), "wu-fang", insp, id, "routine", {"wu-fang"}, false);
    w.Hazard(D(60), "wu-fang", hz, id, "general", "电气", "线路老化", "inspection", insp);
    w.Order(D(60), "wu-fang", ord, id, {hz}, D(75), insp, "负责人");
    w.Case(D(65), "wu-fang", cs, id, true, "拒不整改", {ord});
    w.Notice(D(66), "wu-fang", cs, id, {"suspensionForRectification"}, D(69));
    w.Penalize(D(70), "zhou-qiang", cs, id, {{"suspensionForRectification", 0, ""}},
               std::string("罚-") + id);
    w.ReportRectification(D(78), id, ord, id, "resumption");
    w.ReviewRectification(D(80), "wu-fang", ord, false, {"wu-fang"}, std::string("复查-") + id);
  }
  w.Closure(D(109), "chen-jie", "X15b", false, "停产整顿后仍不具备安全生产条件", 0);
  // X15c: the same, its order named ord-X15c-b, and a second order, ord-X15c-a, that fails its
  // review later (D(115)): the window still runs from the first trigger.
  {
    const char* id = "X15c";
    enterprise(id);
    w.Inspect(D(60), "wu-fang", "i-X15c", id, "routine", {"wu-fang"}, false);
    for (const char* n : {"a", "b"}) {
      w.Hazard(D(60), "wu-fang", std::string("hz-X15c-") + n, id, "general", "电气", "线路老化",
               "inspection", "i-X15c");
      w.Order(D(60), "wu-fang", std::string("ord-X15c-") + n, id, {std::string("hz-X15c-") + n},
              D(75), "i-X15c", "负责人");
    }
    w.Case(D(65), "wu-fang", "case-X15c", id, true, "拒不整改", {"ord-X15c-b"});
    w.Notice(D(66), "wu-fang", "case-X15c", id, {"suspensionForRectification"}, D(69));
    w.Penalize(D(70), "zhou-qiang", "case-X15c", id, {{"suspensionForRectification", 0, ""}},
               "罚-X15c");
    w.ReportRectification(D(78), id, "ord-X15c-b", id, "resumption");
    w.ReviewRectification(D(80), "wu-fang", "ord-X15c-b", false, {"wu-fang"}, "复查-X15c-b");
    w.ReportRectification(D(112), id, "ord-X15c-a", id, "resumption");
    w.ReviewRectification(D(115), "wu-fang", "ord-X15c-a", false, {"wu-fang"}, "复查-X15c-a");
  }

  // L17/L18 projects (high risk, promoted by li-hua): X17a's design is approved with no
  // safety pre-assessment (L17 fires); X17b's pre-assessment is filed the day before (near
  // miss). X18a starts production before acceptance (L18 fires); X18b the day after (near
  // miss).
  for (const char* id : {"X17a", "X17b", "X18a", "X18b"}) {
    enterprise(id, "C2614");
    std::string prj = std::string("prj-") + id;
    w.ProposeProject(D(10), id, prj, "项目" + std::string(id), id, kPark, {"C2614"}, "li-hua",
                     true);
    w.ReviewProject(D(12), "chen-jie", prj, "approved", {"chen-jie"});
    if (std::string(id) != "X17a") w.PreAssess(D(19), id, prj, "安全评价机构");
    w.DesignReview(D(20), "zhou-qiang", prj, true, {"zhou-qiang"});
    w.ProjectMilestone(D(30), id, prj, "constructionStarted");
  }
  w.ProjectMilestone(D(90), "X18a", "prj-X18a", "productionStarted");
  w.Accept(D(95), "X18a", "prj-X18a", true, "X18a", {"zhou-qiang"});
  w.Accept(D(95), "X18b", "prj-X18b", true, "X18b", {"zhou-qiang"});
  w.ProjectMilestone(D(96), "X18b", "prj-X18b", "productionStarted");
  // Re-reviews: X17e's design is approved on D(20) with no pre-assessment (L17 fires), which is
  // filed on D(25), and approved again on D(40); X18c's is approved on D(20), construction
  // starts on D(30), and the design is approved again on D(40) (no L18).
  for (const char* id : {"X17e", "X18c"}) {
    enterprise(id, "C2614");
    std::string prj = std::string("prj-") + id;
    w.ProposeProject(D(10), id, prj, "项目" + std::string(id), id, kPark, {"C2614"}, "li-hua",
                     true);
    w.ReviewProject(D(12), "chen-jie", prj, "approved", {"chen-jie"});
    if (std::string(id) == "X18c") w.PreAssess(D(19), id, prj, "安全评价机构");
    w.DesignReview(D(20), "zhou-qiang", prj, true, {"zhou-qiang"});
    if (std::string(id) == "X17e") w.PreAssess(D(25), id, prj, "安全评价机构");
    w.ProjectMilestone(D(30), id, prj, "constructionStarted");
    w.DesignReview(D(40), "zhou-qiang", prj, true, {"zhou-qiang"});
  }

  // L21: the unit reports 61 minutes after its head knew (fires), 59 minutes after (near
  // miss). L22: the investigation report is submitted on day 61 (fires), day 59 (near miss).
  for (const char* id : {"X21a", "X21b"}) {
    enterprise(id);
    Writer::Accident a;
    a.id = std::string("acc-") + id;
    a.enterprise = id;
    a.accident_at = D(100);
    a.known_at = D(100);
    a.reported_at = D(100).PlusNanos((std::string(id) == "X21a" ? 61 : 59) * kMinute);
    a.reported_by = "负责人";
    a.recipient_org = "sz-ajj";
    a.deaths = 1;
    report(a, id);
    w.Investigation(D(101), "wang-gang", a.id, "opened", "sz-inv-2018-1", "wang-gang");
    w.Investigation(D(std::string(id) == "X21a" ? 161 : 159), "inv-team", a.id, "reportSubmitted",
                    "");
  }

  // An accident at D(100) with one death, reported to the county 30 minutes after.
  auto accident = [&](const std::string& id) {
    Writer::Accident a;
    a.id = "acc-" + id;
    a.enterprise = id;
    a.accident_at = a.known_at = D(100);
    a.reported_at = D(100).PlusNanos(30 * kMinute);
    a.reported_by = "负责人";
    a.recipient_org = "sz-ajj";
    a.deaths = 1;
    return a;
  };

  // L21, a relay never made: X21c's county report is never passed on to the city (fires, open);
  // X21d's is, 119 minutes later (near miss).
  for (const char* id : {"X21c", "X21d"}) {
    enterprise(id);
    Writer::Accident a = accident(id);
    report(a, id, std::string(id) == "X21d", 119 * kMinute);
  }

  // L21 relays timed from when they were due: X21e's 一般 accident, relayed to the city in
  // time, is relayed on to the province five hours later, which its class never required
  // (silent). X21f's casualties are updated on D(101) to three deaths (较大: the province), and
  // the city relays it to the province 150 minutes after the update (fires from the update plus
  // two hours; timed from the city's report it was a day late); X21g's 90 minutes after (near
  // miss).
  for (const char* id : {"X21e", "X21f", "X21g"}) {
    enterprise(id);
    Writer::Accident a = accident(id);
    report(a, id);
    const bool raised = std::string(id) != "X21e";
    if (raised) w.UpdateCasualties(D(101), id, a.id, 3, 0, 0, 0);
    Writer::Accident relay = a;
    relay.reported_at = raised ? D(101).PlusNanos((id == std::string("X21f") ? 150 : 90) * kMinute)
                               : a.reported_at.PlusNanos(6 * kHour);
    relay.reported_by = "周强";
    relay.recipient_org = "";
    relay.level = "province";
    w.ReportAccident(relay.reported_at, "zhou-qiang", relay);
  }

  // L11 under a parameter change: from D(300) the review must come within 5 days (local-2020).
  // X11c and X11d report on D(290), under the default 10 days; X11c is reviewed on D(302)
  // (fires from D(300), the default's due date), X11d on D(299) (near miss: 9 days, within the
  // 10 in force when the report came; the deadline, D(320), is under the new set).
  w.Parameters(D(280), "zhou-qiang", "local-2020", D(300), {{"L11", "review_days", 5}});
  for (const char* id : {"X11c", "X11d"}) {
    enterprise(id);
    std::string insp = std::string("i-") + id, order = std::string("ord-") + id;
    w.Inspect(D(280), "wu-fang", insp, id, "routine", {"wu-fang"}, false);
    w.Hazard(D(280), "wu-fang", std::string("hz-") + id, id, "general", "电气", "线路老化",
             "inspection", insp);
    w.Order(D(280), "wu-fang", order, id, {std::string("hz-") + id}, D(320), insp, "负责人");
    w.ReportRectification(D(290), id, order, id);
    w.ReviewRectification(D(id == std::string("X11c") ? 302 : 299), "wu-fang", order, true,
                          {"wu-fang"}, std::string("复查-") + id);
  }

  // An enterprise that moves: XMV's order is overdue from D(60) (L10, open); on D(70) it moves
  // from the park to park p4. The lapse opened in the park and stays the park's; p4 gains the
  // enterprise from D(70), not its past. zheng-hao supervises p4 (territorial): the open lapse
  // names him from the move on.
  w.Jurisdiction(D(0), "root", "smx/sz/p4", "园区p4", "industrialPark", "smx/sz");
  w.AssignDuty(D(0), "wang-gang", "d-p4-territorial", "official:zheng-hao",
               "territorialSupervision", {.jurisdictions = {"smx/sz/p4"}});
  enterprise("XMV");
  w.Inspect(D(30), "wu-fang", "i-XMV", "XMV", "routine", {"wu-fang"}, false);
  w.Hazard(D(30), "wu-fang", "hz-XMV", "XMV", "general", "电气", "线路老化", "inspection", "i-XMV");
  w.Order(D(30), "wu-fang", "ord-XMV", "XMV", {"hz-XMV"}, D(60), "i-XMV", "负责人");
  w.UpdateProfile(D(70), "chen-jie", "XMV", {"C3393"}, "general", false, false, "smx/sz/p4");

  // 管行业必须管安全: qian-jun heads sz-zjj, to which E47 is mapped (三个必须), from D(0); no duty
  // names him. XZJ (E4710) has an order overdue from D(60) (L10, open).
  w.Appoint(D(0), "wang-gang", "qian-jun", "钱军", "sz-zjj", "局长", true);
  enterprise("XZJ", "E4710");
  w.Inspect(D(30), "wu-fang", "i-XZJ", "XZJ", "routine", {"wu-fang"}, false);
  w.Hazard(D(30), "wu-fang", "hz-XZJ", "XZJ", "general", "脚手架", "未设连墙件", "inspection",
           "i-XZJ");
  w.Order(D(30), "wu-fang", "ord-XZJ", "XZJ", {"hz-XZJ"}, D(60), "i-XZJ", "负责人");

  // L21, a class raised, lowered and raised again: X21h's 一般 accident reaches the city in
  // time; on D(101) an update counts three deaths (较大: the province), the city does not relay
  // it, and five hours later a correction counts one again; on D(103) three again, relayed an
  // hour later. The relay was overdue from D(101)+2h until the class was lowered (fires, a
  // closed window that stays in every later report); the second time it was made in time.
  {
    enterprise("X21h");
    Writer::Accident a = accident("X21h");
    report(a, "X21h");
    w.UpdateCasualties(D(101), "X21h", a.id, 3, 0, 0, 0);
    w.UpdateCasualties(D(101).PlusNanos(5 * kHour), "X21h", a.id, 1, 0, 0, 0);
    w.UpdateCasualties(D(103), "X21h", a.id, 3, 0, 0, 0);
    Writer::Accident relay = a;
    relay.reported_at = D(103).PlusNanos(kHour);
    relay.reported_by = "周强";
    relay.recipient_org = "";
    relay.level = "province";
    w.ReportAccident(relay.reported_at, "zhou-qiang", relay);
  }

  // L22 and a late extension: X22c's is granted on D(165), after the 60 days ran out (L22 fires
  // for D(160) to D(165)); X22d's on D(150) (near miss). Both reports come on D(190).
  for (const char* id : {"X22c", "X22d"}) {
    enterprise(id);
    Writer::Accident a = accident(id);
    report(a, id);
    w.Investigation(D(101), "wang-gang", a.id, "opened", "sz-inv-2018-1", "wang-gang");
    w.Investigation(D(std::string(id) == "X22c" ? 165 : 150), "inv-team", a.id, "extended", "");
    w.Investigation(D(190), "inv-team", a.id, "reportSubmitted", "");
  }

  // X22e's technical appraisal starts on D(170), after the 60 days ran out, and ends on D(180):
  // time not counted, but it does not cure the days already overdue (fires D(160) to D(200)).
  {
    enterprise("X22e");
    Writer::Accident a = accident("X22e");
    report(a, "X22e");
    w.Investigation(D(101), "wang-gang", a.id, "opened", "sz-inv-2018-1", "wang-gang");
    w.Investigation(D(170), "inv-team", a.id, "appraisalStarted", "");
    w.Investigation(D(180), "inv-team", a.id, "appraisalEnded", "");
    w.Investigation(D(200), "inv-team", a.id, "reportSubmitted", "");
  }

  // L26: the inspector in charge of X26a is relieved at D(10) and the next assigned at D(13)
  // (fires); X26b's successor is assigned the same day (near miss).
  enterprise("X26a");
  enterprise("X26b");
  w.AssignDuty(D(1), "wang-gang", "d-X26a-1", "official:wu-fang", "inspectorInCharge",
               {.enterprises = {"X26a"}});
  w.AssignDuty(D(1), "wang-gang", "d-X26b-1", "official:wu-fang", "inspectorInCharge",
               {.enterprises = {"X26b"}});
  w.RevokeDuty(D(10), "wang-gang", "d-X26a-1", "", "工作调整");
  w.AssignDuty(D(13), "wang-gang", "d-X26a-2", "official:chen-jie", "inspectorInCharge",
               {.enterprises = {"X26a"}});
  w.AssignDuty(D(10), "wang-gang", "d-X26b-2", "official:chen-jie", "inspectorInCharge",
               {.enterprises = {"X26b"}}, "d-X26b-1");
  w.RevokeDuty(D(10), "wang-gang", "d-X26b-1", "d-X26b-2", "工作调整");

  // L29: the same hazard type found again 100 days after the first was closed (fires); 400
  // days after (near miss: outside the 365-day window).
  for (const char* id : {"X29a", "X29b"}) {
    enterprise(id);
    std::string insp = std::string("i-") + id;
    w.Inspect(D(5), "wu-fang", insp, id, "routine", {"wu-fang"}, false);
    w.Hazard(D(5), "wu-fang", std::string("hz-") + id + "-1", id, "general", "有限空间",
             "未设置警示标志", "inspection", insp);
    w.Order(D(5), "wu-fang", std::string("ord-") + id, id, {std::string("hz-") + id + "-1"}, D(20),
            insp, "负责人");
    w.ReportRectification(D(15), id, std::string("ord-") + id, id);
    w.ReviewRectification(D(18), "wu-fang", std::string("ord-") + id, true, {"wu-fang"},
                          std::string("复查-") + id);
    double again = std::string(id) == "X29a" ? 118 : 418;
    w.Inspect(D(again), "wu-fang", insp + "-2", id, "routine", {"wu-fang"}, false);
    w.Hazard(D(again), "wu-fang", std::string("hz-") + id + "-2", id, "general", "有限空间",
             "警示标志缺失", "inspection", insp + "-2");
  }

  // L30 and the back-dated inspection: an accident at X30a on D(50); an inspection said to
  // have happened on D(48) is recorded on D(53), after it (fires). At X30b the D(48)
  // inspection was recorded the same day (near miss).
  for (const char* id : {"X30a", "X30b"}) {
    enterprise(id);
    w.Inspect(D(48), "wu-fang", std::string("i-") + id, id, "routine", {"wu-fang"}, true, "", "",
              true, std::string(id) == "X30a" ? 5 * Time::kNanosPerDay : 2 * kHour);
    Writer::Accident a;
    a.id = std::string("acc-") + id;
    a.enterprise = id;
    a.accident_at = D(50);
    a.known_at = D(50);
    a.reported_at = D(50).PlusNanos(30 * kMinute);
    a.reported_by = "负责人";
    a.recipient_org = "sz-ajj";
    a.serious = 1;
    report(a, id);
  }

  // A duty assigned retroactively: recorded on D(20), effective from D(5).
  enterprise("XR");
  w.AssignDuty(D(20), "wang-gang", "d-XR", "official:chen-jie", "inspectorInCharge",
               {.enterprises = {"XR"}}, "", D(5));

  // A parameter set for a place rule (L4, its default value): place lapses name its version,
  // whatever the scope they are asked for in.
  w.Parameters(D(0), "zhou-qiang", "local-2019", D(0), {{"L4", "task_grace_days", 0}});

  // Parks p2 (fires) and p3 (near misses) for L2, L3 and L4.
  for (const char* p : {"p2", "p3"}) {
    std::string j = std::string("smx/sz/") + p, cmte = std::string(p) + "-ako";
    bool fire = std::string(p) == "p2";
    w.Jurisdiction(D(0), "root", j, std::string("园区") + p, "industrialPark", "smx/sz");
    w.Org(D(0), "root", cmte, std::string("安委会") + p, "safetyCommittee", j, "park-cmte");
    w.Constitute(D(1), "wang-gang", cmte, j, "li-hua", {"chen-jie"}, {"park-safety"},
                 "park-safety");
    // L2: li-hua first responsible from D(1); relieved D(10); the next from D(45) (35 days
    // vacant: fires) or D(10) (near miss).
    w.AssignDuty(D(1), "wang-gang", std::string("d-") + p + "-first-1", "official:li-hua",
                 "firstResponsible", {.jurisdictions = {j}});
    w.RevokeDuty(D(10), "wang-gang", std::string("d-") + p + "-first-1", "", "调整");
    w.AssignDuty(D(fire ? 45 : 10), "wang-gang", std::string("d-") + p + "-first-2",
                 "official:zhao-min", "firstResponsible", {.jurisdictions = {j}});
    // L3: plenary meetings 184 days apart (fires) or 182 (near miss).
    w.Meeting(D(2), "li-hua", std::string("m-") + p + "-1", cmte, "plenary", "li-hua", {"chen-jie"},
              {{"成立会议", {}, {}}});
    w.Meeting(D(fire ? 186 : 184), "li-hua", std::string("m-") + p + "-2", cmte, "plenary",
              "li-hua", {"chen-jie"}, {{"半年会议", {}, {}}});
    // L4: a task due D(30), done D(32) (fires) or D(29) (near miss).
    w.Decision(D(2), "li-hua", std::string("dec-") + p, cmte, std::string("m-") + p + "-1", "排查",
               {{"t1", "完成排查", "official:chen-jie", D(30), {}}});
    w.TaskStatus(D(fire ? 32 : 29), "chen-jie", std::string("dec-") + p, "t1", "done");
  }

  // L1 and where a mapping reaches: one made for another place (park p2) leaves X01c in this
  // park a blind spot (fires); one made for no place in particular reaches X01d (near miss).
  w.MapIndustry(D(0), "root", "Q87", "sz-ajj", "smx/sz/p2");
  w.MapIndustry(D(0), "root", "Q86", "sz-ajj", "");
  enterprise("X01c", "Q8711");
  enterprise("X01d", "Q8611");
  // The same for sector duties by industry code: one bounded to park p2 does not reach X01e
  // here (fires); one with no place reaches X01f (near miss).
  w.AssignDuty(D(0), "wang-gang", "d-Q88-p2", "org:sz-ajj", "sectorSupervisor",
               {.jurisdictions = {"smx/sz/p2"}, .industries = {"Q88"}});
  w.AssignDuty(D(0), "wang-gang", "d-Q89", "org:sz-ajj", "sectorSupervisor",
               {.industries = {"Q89"}});
  enterprise("X01e", "Q8811");
  enterprise("X01f", "Q8911");

  // Graces (local-2021, from D(500)): an inspector's major finding must be self-reported within
  // 2 days (L7), a duty's successor named within 10 (L26). X7g1 reports after 1 day (near miss:
  // no L7 at any T, not even while the grace ran); X7g2 after 4 (fires, shown once the grace ran
  // out at D(512)). X26g1's successor comes after 5 days (near miss), X26g2's after 20 (fires,
  // shown after D(530)).
  w.Parameters(D(495), "zhou-qiang", "local-2021", D(500),
               {{"L7", "self_report_grace_days", 2}, {"L26", "handover_grace_days", 10}});
  for (const char* id : {"X7g1", "X7g2"}) {
    enterprise(id);
    std::string insp = std::string("i-") + id, hz = std::string("hz-") + id;
    w.Inspect(D(510), "wu-fang", insp, id, "routine", {"wu-fang"}, false);
    w.Hazard(D(510), "wu-fang", hz, id, "major", "粉尘涉爆", "未设置泄爆装置", "inspection", insp);
    w.SelfReport(D(id == std::string("X7g1") ? 511 : 514), id, hz, id, "park-safety");
  }
  for (const char* id : {"X26g1", "X26g2"}) {
    enterprise(id);
    const std::string duty = std::string("d-") + id;
    w.AssignDuty(D(500), "wang-gang", duty + "-1", "official:wu-fang", "inspectorInCharge",
                 {.enterprises = {id}});
    w.RevokeDuty(D(520), "wang-gang", duty + "-1", "", "工作调整");
    w.AssignDuty(D(id == std::string("X26g1") ? 525 : 540), "wang-gang", duty + "-2",
                 "official:chen-jie", "inspectorInCharge", {.enterprises = {id}});
  }

  std::stable_sort(s.mutable_steps().begin(), s.mutable_steps().end(),
                   [](const scenario::Step& a, const scenario::Step& b) {
                     return a.recorded_at < b.recorded_at;
                   });
}

// The whole suite shares one played ledger.
class Views : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    clock_ = new ManualClock(testing::TestEpoch());
    rules_ = new DomainRules();
    s_ = new Scenario(scenario::FixtureScenario(7));
    B_ = Days(s_->start(), 800);
    AddCases(*s_, B_);
    auto ledger = scenario::Play(*s_, dir_->Sub("ledger"), *clock_, rules_);
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    ledger_ = ledger->release();
  }
  static void TearDownTestSuite() {
    delete ledger_;
    delete s_;
    delete rules_;
    delete clock_;
    delete dir_;
  }

  static Time D(double d) { return Days(B_, d); }
  static Time Day(double d) { return Days(s_->start(), d); }

  // A view built in process at valid time T, as recorded by K (default: everything).
  template <typename V>
  struct Built {
    std::unique_ptr<capnp::MallocMessageBuilder> message;
    typename V::Reader view;
  };
  // (Of the fixture's ledger, unless another is given.)
  QueryTime At(Time valid, std::optional<Time> known, const Ledger* on = nullptr) {
    const Ledger& ledger = on != nullptr ? *on : *ledger_;
    QueryTime q;
    q.valid_at = valid.WithOffset(480);
    q.known_at = known ? *known : clock_->Now();
    auto size = known ? ledger.SizeKnownAt(*known) : Result<uint64_t>(ledger.size());
    EXPECT_TRUE(size.ok());
    q.known_size = *size;
    return q;
  }
  template <typename V>
  Built<V> Build(Time valid, std::optional<Time> known,
                 const std::function<Status(ViewBuilder&, typename V::Builder)>& fn,
                 const Ledger* on = nullptr) {
    History history(on != nullptr ? *on : *ledger_, At(valid, known, on));
    ViewBuilder builder(history);
    Built<V> out{std::make_unique<capnp::MallocMessageBuilder>(), {}};
    auto root = out.message->template initRoot<V>();
    Status s = fn(builder, root);
    EXPECT_TRUE(s.ok()) << s.ToString();
    out.view = root.asReader();
    return out;
  }
  // The view built at T (as recorded by K) without a lapse memo, then with `memo`: whether the
  // two are the same, as capnp's text.
  template <typename V>
  bool SameWithMemo(Time valid, std::optional<Time> known, const std::shared_ptr<LapseMemo>& memo,
                    const std::function<Status(ViewBuilder&, typename V::Builder)>& fn,
                    const Ledger* on = nullptr) {
    std::vector<std::string> text;
    for (const auto& use : {std::shared_ptr<LapseMemo>(), memo}) {
      auto built = Build<V>(
          valid, known,
          [&](ViewBuilder& b, typename V::Builder out) {
            b.UseLapseMemo(use);
            return fn(b, out);
          },
          on);
      text.push_back(kj::str(built.view).cStr());
    }
    return text[0] == text[1];
  }
  Built<views::LapseReport> Lapses(const std::string& scope, const std::string& rule, Time valid,
                                   std::optional<Time> known = std::nullopt) {
    return Build<views::LapseReport>(
        valid, known, [&](ViewBuilder& b, auto out) { return b.Lapses(scope, rule, out); });
  }
  Built<views::EnterpriseView> Enterprise(const std::string& id, Time valid,
                                          std::optional<Time> known = std::nullopt) {
    return Build<views::EnterpriseView>(
        valid, known, [&](ViewBuilder& b, auto out) { return b.Enterprise(id, out); });
  }

  Built<views::OfficialView> Official(const std::string& id, Time valid) {
    return Build<views::OfficialView>(
        valid, std::nullopt, [&](ViewBuilder& b, auto out) { return b.Official(id, out); });
  }
  Built<views::ParkView> Park(const std::string& id, Time valid) {
    return Build<views::ParkView>(valid, std::nullopt,
                                  [&](ViewBuilder& b, auto out) { return b.Park(id, out); });
  }

  // The lapses of `rule` for `scope` at T; the near miss must have none.
  std::vector<views::Lapse::Reader> Fired(const Built<views::LapseReport>& r) {
    std::vector<views::Lapse::Reader> out;
    for (auto l : r.view.getLapses()) out.push_back(l);
    return out;
  }
  static bool Holds(views::Lapse::Reader l, const std::string& principal) {
    for (auto h : l.getHolders()) {
      if (principal == h.getHolder().cStr()) return true;
    }
    return false;
  }
  static Time Start(views::Lapse::Reader l) { return ReadTime(l.getWindowStart()); }
  static std::optional<Time> End(views::Lapse::Reader l) {
    if (!l.hasWindowEnd()) return std::nullopt;
    return ReadTime(l.getWindowEnd());
  }
  // Each lapse names its evidence by sequence and leaf hash; check they are the ledger's.
  void CheckEvidence(views::Lapse::Reader l) {
    ASSERT_GT(l.getEvidence().size(), 0u) << l.getSummary().cStr();
    for (auto e : l.getEvidence()) {
      auto entries = ledger_->ReadEntries({e.getSequence()});
      ASSERT_TRUE(entries.ok());
      Digest leaf = ledger_->hasher().LeafHash((*entries)[0].bytes());
      EXPECT_EQ(leaf.view(), ByteView(reinterpret_cast<const char*>(e.getLeafHash().begin()),
                                      e.getLeafHash().size()));
    }
  }

  // Runs a rule on a firing and a near-miss scope: exactly `n` on the first, none on the second.
  std::vector<views::Lapse::Reader> FireAndMiss(const std::string& rule, const std::string& fire,
                                                const std::string& miss, Time T, size_t n = 1) {
    auto miss_report = Lapses(miss, rule, T);
    EXPECT_EQ(miss_report.view.getLapses().size(), 0u)
        << rule << " fired on the near miss " << miss << ": "
        << miss_report.view.getLapses()[0].getSummary().cStr();
    fired_.push_back(Lapses(fire, rule, T));
    auto lapses = Fired(fired_.back());
    EXPECT_EQ(lapses.size(), n) << rule << " on " << fire;
    for (auto l : lapses) {
      EXPECT_EQ(std::string(l.getRule().cStr()), rule);
      CheckEvidence(l);
    }
    return lapses;
  }

  // `fire` was overdue from `due` until a deadline extended after it passed, on `extended`; the
  // window is open when asked before the extension, ends with it after (and the summary says
  // so, with `word`); `miss`, extended in time, has none.
  void OverdueUntilALateExtension(const std::string& rule, const std::string& fire,
                                  const std::string& miss, Time due, Time extended,
                                  const std::string& word) {
    for (Time T : {due.PlusNanos(2 * Time::kNanosPerDay), Days(extended, 35)}) {
      auto l = FireAndMiss(rule, "enterprise:" + fire, "enterprise:" + miss, T);
      ASSERT_EQ(l.size(), 1u);
      EXPECT_EQ(Start(l[0]), due);
      if (T < extended) {
        EXPECT_FALSE(End(l[0]));
        continue;
      }
      EXPECT_EQ(End(l[0]), extended);
      EXPECT_NE(std::string(l[0].getSummary().cStr()).find(word), std::string::npos)
          << l[0].getSummary().cStr();
    }
  }

  std::vector<Built<views::LapseReport>> fired_;
  static testing::TempDir* dir_;
  static ManualClock* clock_;
  static DomainRules* rules_;
  static Scenario* s_;
  static Ledger* ledger_;
  static Time B_;
};
testing::TempDir* Views::dir_;
ManualClock* Views::clock_;
DomainRules* Views::rules_;
Scenario* Views::s_;
Ledger* Views::ledger_;
Time Views::B_;

TEST_F(Views, L1BlindSpot) {
  auto l = FireAndMiss("L1", "enterprise:X01a", "enterprise:X01b", D(30));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(Start(l[0]), D(0));
  EXPECT_FALSE(End(l[0]));
  EXPECT_NE(std::string(l[0].getSummary().cStr()).find("sector"), std::string::npos);
  EXPECT_TRUE(Holds(l[0], "org:park-safety"));  // the territorial body still held it
  l = FireAndMiss("L1", "enterprise:X01c", "enterprise:X01d", D(30));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_NE(std::string(l[0].getSummary().cStr()).find("sector"), std::string::npos);
  l = FireAndMiss("L1", "enterprise:X01e", "enterprise:X01f", D(30));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_NE(std::string(l[0].getSummary().cStr()).find("sector"), std::string::npos);
}

// A blind spot ended by a profile update (a mapped industry code) or by the closure stays a
// lapse, with the record that ended it (both used to vanish: L1 judged the whole history with
// the industry codes of T, and skipped closed enterprises).
TEST_F(Views, L1GapsEndedBeforeTStay) {
  for (const char* id : {"X01g", "X01h"}) {
    auto report = Lapses(std::string("enterprise:") + id, "L1", D(30));
    auto l = Fired(report);
    ASSERT_EQ(l.size(), 1u) << id;
    EXPECT_EQ(Start(l[0]), D(0));
    EXPECT_EQ(End(l[0]), D(20));
    CheckEvidence(l[0]);
    auto evidence = l[0].getEvidence();
    ASSERT_EQ(evidence.size(), 2u);
    EXPECT_EQ(std::string(evidence[1].getType().cStr()),
              id == std::string("X01g") ? "enterpriseProfileUpdated" : "closureAction");
    // Asked during the gap, it is open.
    auto during = Lapses(std::string("enterprise:") + id, "L1", D(10));
    ASSERT_EQ(Fired(during).size(), 1u) << id;
    EXPECT_FALSE(End(Fired(during)[0]));
  }
}

TEST_F(Views, L2VacantFirstResponsible) {
  auto l = FireAndMiss("L2", "park:smx/sz/p2", "park:smx/sz/p3", D(60));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(Start(l[0]), D(10));
  EXPECT_EQ(End(l[0]), D(45));
  EXPECT_EQ(std::string(l[0].getParameterVersion().cStr()), "default");
}

TEST_F(Views, L3CommitteeMeetings) {
  // Thematic meetings are not held in either park; only the plenary interval differs.
  auto plenary = [&](const std::string& scope) {
    std::vector<views::Lapse::Reader> out;
    fired_.push_back(Lapses(scope, "L3", D(190)));
    for (auto l : Fired(fired_.back())) {
      if (std::string(l.getSummary().cStr()).find("plenary") != std::string::npos) {
        out.push_back(l);
      }
    }
    return out;
  };
  EXPECT_EQ(plenary("park:smx/sz/p3").size(), 0u);
  auto l = plenary("park:smx/sz/p2");
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(Start(l[0]), D(2 + 183));
  EXPECT_EQ(End(l[0]), D(186));
  EXPECT_TRUE(Holds(l[0], "official:zhao-min"));  // first responsible from D(45)
  EXPECT_FALSE(Holds(l[0], "official:li-hua"));   // relieved on D(10)
}

TEST_F(Views, L4CommitteeTaskOverdue) {
  auto l = FireAndMiss("L4", "park:smx/sz/p2", "park:smx/sz/p3", D(60));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(Start(l[0]), D(30));
  EXPECT_EQ(End(l[0]), D(32));
  EXPECT_TRUE(Holds(l[0], "official:chen-jie"));
  EXPECT_EQ(std::string(l[0].getParameterVersion().cStr()), "local-2019");
  // The same lapse, asked for with no scope, rests on the same parameters.
  size_t found = 0;
  auto all = Lapses("", "L4", D(60));
  for (auto a : Fired(all)) {
    if (std::string(a.getSubject().cStr()) != l[0].getSubject().cStr()) continue;
    ++found;
    EXPECT_EQ(std::string(a.getParameterVersion().cStr()), "local-2019");
  }
  EXPECT_EQ(found, 1u);
}

TEST_F(Views, L5InspectionInterval) {
  auto l = FireAndMiss("L5", "enterprise:X05a", "enterprise:X05b", D(150));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(Start(l[0]), D(1 + 92));
  EXPECT_EQ(End(l[0]), D(94));
  // The parameter in force is the local set of 2018, not the default.
  EXPECT_EQ(std::string(l[0].getParameterVersion().cStr()), "local-2018");
}

TEST_F(Views, L6Formalism) {
  auto l = FireAndMiss("L6", "enterprise:X06a", "enterprise:X06b", D(30));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(Start(l[0]), D(1));
  EXPECT_EQ(End(l[0]), D(10));
  EXPECT_TRUE(Holds(l[0], "official:wu-fang"));
  EXPECT_EQ(l[0].getEvidence().size(), 4u);  // three empty inspections and the hazard
}

TEST_F(Views, L7MajorHazardNotReported) {
  auto l = FireAndMiss("L7", "enterprise:X08a", "enterprise:X07b", D(30));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(Start(l[0]), D(20));
}

TEST_F(Views, L8MajorHazardNotActedOn) {
  auto l = FireAndMiss("L8", "enterprise:X08a", "enterprise:X08b", D(30));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(Start(l[0]), D(20));
  EXPECT_EQ(End(l[0]), D(20).PlusNanos(25 * kHour));
}

TEST_F(Views, L9MajorHazardNotListed) {
  auto l = FireAndMiss("L9", "enterprise:X09a", "enterprise:X09b", D(30));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(Start(l[0]), D(27));
  EXPECT_EQ(End(l[0]), D(28));
}

TEST_F(Views, L10OrderOverdue) {
  auto l = FireAndMiss("L10", "enterprise:X10a", "enterprise:X10b", D(70));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(Start(l[0]), D(60));
  EXPECT_FALSE(End(l[0]));
  EXPECT_TRUE(Holds(l[0], "official:wu-fang"));  // issued the order
}

// An order whose deadline was extended only after it had passed was overdue until the
// extension, and stays so in every later report (the rule used to take the deadline as extended
// at T for the whole history, and the lapse vanished once the extension was made).
TEST_F(Views, L10OverdueUntilALateExtension) {
  OverdueUntilALateExtension("L10", "X10c", "X10d", D(60), D(65), "extended");
  // The extension was the follow-up of the passed deadline, and the report was reviewed in time.
  EXPECT_EQ(Fired(Lapses("enterprise:X10c", "L11", D(100))).size(), 0u);
}

// The enterprise view shows each deadline change of an order, and whether it came after the
// deadline it replaced had passed (the overdue days before it stand).
TEST_F(Views, EnterpriseViewShowsDeadlineChanges) {
  for (const char* id : {"X10c", "X10d"}) {
    SCOPED_TRACE(id);
    const bool late = std::string(id) == "X10c";
    auto v = Enterprise(id, D(100));
    ASSERT_EQ(v.view.getOrders().size(), 1u);
    auto o = v.view.getOrders()[0];
    EXPECT_EQ(ReadTime(o.getDeadline()), D(90));
    ASSERT_EQ(o.getDeadlineChanges().size(), 1u);
    auto c = o.getDeadlineChanges()[0];
    EXPECT_EQ(ReadTime(c.getChangedAt()), D(late ? 65 : 55));
    EXPECT_EQ(ReadTime(c.getFrom()), D(60));
    EXPECT_EQ(ReadTime(c.getTo()), D(90));
    EXPECT_EQ(c.getAfterItPassed(), late);
    EXPECT_EQ(std::string(c.getEvidence().getType().cStr()), "rectificationDeadlineChanged");
    std::string text = RenderEnterprise(v.view, Lang::kEn);
    EXPECT_EQ(text.find("deadline changed from") != std::string::npos, true) << text;
    EXPECT_EQ(text.find("after it had passed") != std::string::npos, late) << text;
    // Asked before the change, there is none.
    EXPECT_EQ(Enterprise(id, D(50)).view.getOrders()[0].getDeadlineChanges().size(), 0u);
  }
}

// The review's window is the one in force when its clock started (the report), not at the
// order's deadline.
TEST_F(Views, L11WindowIsTheOneInForceWhenTheReportCame) {
  auto l = FireAndMiss("L11", "enterprise:X11c", "enterprise:X11d", D(330));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(Start(l[0]), D(300));
  EXPECT_EQ(End(l[0]), D(302));
  // The fixture's set in force on D(290) (it leaves review_days at its default), not local-2020.
  EXPECT_EQ(std::string(l[0].getParameterVersion().cStr()), "local-2018");
}

TEST_F(Views, L11ReinspectionOverdue) {
  auto l = FireAndMiss("L11", "enterprise:X11a", "enterprise:X11b", D(70));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(Start(l[0]), D(60));
  EXPECT_EQ(End(l[0]), D(61));
}

TEST_F(Views, L12FailedReviewNotEscalated) {
  auto l = FireAndMiss("L12", "enterprise:X12a", "enterprise:X12b", D(75));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(Start(l[0]), D(70));
  EXPECT_FALSE(End(l[0]));
}

TEST_F(Views, L14OperatingWhileSuspended) {
  auto l = FireAndMiss("L14", "enterprise:X14a", "enterprise:X14b", D(60));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(Start(l[0]), D(40));
  EXPECT_EQ(End(l[0]), D(45));
}

TEST_F(Views, L15ClosureNotRequested) {
  auto l = FireAndMiss("L15", "enterprise:X15a", "enterprise:X15b", D(120));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(Start(l[0]), D(110));
  EXPECT_FALSE(End(l[0]));
}

// With two triggers, the window runs from the earlier in time, asked before or after the later
// one (the rule took the triggering orders in id order: ord-X15c-a's later review moved the
// window from D(110) to D(145) once it was made).
TEST_F(Views, L15WindowRunsFromTheEarliestTrigger) {
  for (Time T : {D(112), D(200)}) {
    auto l = FireAndMiss("L15", "enterprise:X15c", "enterprise:X15b", T);
    ASSERT_EQ(l.size(), 1u);
    EXPECT_EQ(Start(l[0]), D(110)) << FormatRfc3339(T);
    EXPECT_NE(std::string(l[0].getSummary().cStr()).find("ord-X15c-b"), std::string::npos)
        << l[0].getSummary().cStr();
  }
}

TEST_F(Views, L17NonCompliantApproval) {
  auto l = FireAndMiss("L17", "enterprise:X17a", "enterprise:X17b", D(40));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(End(l[0]), D(20));
  EXPECT_NE(std::string(l[0].getSummary().cStr()).find("pre-assessment"), std::string::npos);
  EXPECT_TRUE(Holds(l[0], "official:zhou-qiang"));  // who signed the design approval
}

// A permit issued while a major hazard was open stays a lapse after the permit is suspended
// (judged on the permit's status at T, it vanished with the suspension).
TEST_F(Views, L17PermitIssuedWithAMajorHazardOpenOutlivesItsSuspension) {
  for (Time T : {D(30), D(40)}) {
    auto l = FireAndMiss("L17", "enterprise:X17c", "enterprise:X17d", T);
    ASSERT_EQ(l.size(), 1u);
    EXPECT_EQ(Start(l[0]), D(25));
    EXPECT_EQ(End(l[0]), D(25));
    EXPECT_TRUE(Holds(l[0], "official:zhou-qiang"));  // who signed the permit
  }
}

// Each approval is judged as it was signed: a later clean re-review neither erases the lapse
// of the first approval (X17e) nor makes a construction that started under an approved design
// a lapse (X18c). Both happened when only the latest review was judged.
TEST_F(Views, ApprovalsAreJudgedAsSignedNotByTheLatestReview) {
  for (Time T : {D(35), D(50)}) {
    auto l = FireAndMiss("L17", "enterprise:X17e", "enterprise:X17b", T);
    ASSERT_EQ(l.size(), 1u) << FormatRfc3339(T);
    EXPECT_EQ(End(l[0]), D(20));
    EXPECT_EQ(Fired(Lapses("enterprise:X18c", "L18", T)).size(), 0u) << FormatRfc3339(T);
  }
}

TEST_F(Views, L18ThreeSimultaneities) {
  auto l = FireAndMiss("L18", "enterprise:X18a", "enterprise:X18b", D(120));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(Start(l[0]), D(90));
  EXPECT_EQ(End(l[0]), D(95));
}

TEST_F(Views, L21AccidentReportedLate) {
  auto l = FireAndMiss("L21", "enterprise:X21a", "enterprise:X21b", D(120));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(Start(l[0]), D(100).PlusNanos(60 * kMinute));
  EXPECT_EQ(End(l[0]), D(100).PlusNanos(61 * kMinute));
}

// An accident whose reports stop below the level its class must reach (一般: the city) is a
// lapse from the last report plus the relay time, open until the relay comes.
TEST_F(Views, L21RelayNeverMade) {
  auto l = FireAndMiss("L21", "enterprise:X21c", "enterprise:X21d", D(110));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(Start(l[0]), D(100).PlusNanos(150 * kMinute));
  EXPECT_FALSE(End(l[0]));
  EXPECT_TRUE(Holds(l[0], "org:sz-ajj")) << "the recipient that did not relay it";
  EXPECT_NE(std::string(l[0].getSummary().cStr()).find("city"), std::string::npos)
      << l[0].getSummary().cStr();
}

// A relay is due when the accident's class requires the higher level: a relay above what the
// class requires is not timed (X21e), and one required by a casualty update is timed from the
// update, not from the report before it (X21f; X21g is the near miss).
TEST_F(Views, L21RelayTimedFromWhenItWasDue) {
  EXPECT_TRUE(Fired(Lapses("enterprise:X21e", "L21", D(110))).empty());
  auto l = FireAndMiss("L21", "enterprise:X21f", "enterprise:X21g", D(110));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(Start(l[0]), D(101).PlusNanos(120 * kMinute));
  EXPECT_EQ(End(l[0]), D(101).PlusNanos(150 * kMinute));
  EXPECT_EQ(l[0].getEvidence().size(), 3u) << "the city's report, the relay, and the update";
  // While the relay is pending, the window is the same one, open (a relay never made).
  auto pending_report = Lapses("enterprise:X21f", "L21", D(101).PlusNanos(140 * kMinute));
  auto pending = Fired(pending_report);  // readers into the report: keep it alive
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(Start(pending[0]), D(101).PlusNanos(120 * kMinute));
  EXPECT_FALSE(End(pending[0]));
}

// A park's lapses are those that opened while the enterprise was in it, whenever asked; its
// enterprises are those in it at T. (Both used to follow the enterprise's latest place: before
// the move, the park had lost XMV and p4 had its lapse; after it, the park had lost the lapse.)
TEST_F(Views, AnEnterpriseThatMovesLeavesItsLapsesInThePark) {
  auto has = [](const Built<views::LapseReport>& report) {
    for (auto l : report.view.getLapses()) {
      if (l.getSubject() == "enterprise:XMV") return true;
    }
    return false;
  };
  for (Time T : {D(65), D(80)}) {
    SCOPED_TRACE(FormatRfc3339(T));
    EXPECT_TRUE(has(Lapses(std::string("park:") + kPark, "L10", T)));
    EXPECT_FALSE(has(Lapses("park:smx/sz/p4", "L10", T)));
    auto lists = [&](const std::string& park) {
      auto view = Park(park, T);
      for (auto e : view.view.getEnterprises()) {
        if (e.getEnterpriseId() == "XMV") return true;
      }
      return false;
    };
    EXPECT_EQ(lists(kPark), T < D(70));
    EXPECT_EQ(lists("smx/sz/p4"), T >= D(70));
  }
  // The enterprise's own report keeps it, and names the park's holders (where it opened) until
  // the move, p4's from the move on, and the county's (in both places) for all of it.
  auto own_report = Lapses("enterprise:XMV", "L10", D(80));
  auto own = Fired(own_report);
  ASSERT_EQ(own.size(), 1u);
  EXPECT_EQ(Start(own[0]), D(60));
  std::map<std::string, std::pair<Time, std::optional<Time>>> held;
  for (auto h : own[0].getHolders()) {
    std::optional<Time> until;
    if (h.hasUntil()) until = ReadTime(h.getUntil());
    held[std::string(h.getHolder().cStr()) + " " + h.getDutyId().cStr()] = {ReadTime(h.getFrom()),
                                                                            until};
  }
  ASSERT_TRUE(held.count("org:park-safety d-park-territorial"));
  EXPECT_EQ(held["org:park-safety d-park-territorial"].second, D(70));
  ASSERT_TRUE(held.count("official:chen-jie d-park-territorial"));  // head of park-safety
  EXPECT_EQ(held["official:chen-jie d-park-territorial"].second, D(70));
  ASSERT_TRUE(held.count("official:zheng-hao d-p4-territorial"));
  EXPECT_EQ(held["official:zheng-hao d-p4-territorial"].first, D(70));
  EXPECT_FALSE(held["official:zheng-hao d-p4-territorial"].second);
  ASSERT_TRUE(held.count("org:sz-ajj d-ajj-comprehensive"));
  EXPECT_FALSE(held["org:sz-ajj d-ajj-comprehensive"].second);
  EXPECT_LT(held["org:sz-ajj d-ajj-comprehensive"].first, D(60));
  // Asked before the move, only the park's.
  auto before_report = Lapses("enterprise:XMV", "L10", D(65));
  auto before = Fired(before_report);
  ASSERT_EQ(before.size(), 1u);
  EXPECT_TRUE(Holds(before[0], "official:chen-jie"));
  EXPECT_FALSE(Holds(before[0], "official:zheng-hao"));
  // zheng-hao's dossier lists it from D(70) on, as the lapse of p4's territorial supervisor.
  auto lists_it = [&](Time T) {
    auto dossier = Official("zheng-hao", T);
    for (auto l : dossier.view.getLapses()) {
      if (l.getSubject() == "enterprise:XMV" && l.getRule() == "L10") return true;
    }
    return false;
  };
  EXPECT_FALSE(lists_it(D(65)));
  EXPECT_TRUE(lists_it(D(80)));
}

// The head of a sector department answers for the industries mapped to it (三个必须), though
// no duty names them: their dossier lists the mapping among the duties held, and the lapses of
// the enterprises in those industries (it used to list neither: a dossier's scope came only
// from duties).
TEST_F(Views, SectorHeadAnswersForTheMappedIndustries) {
  auto dossier = Official("qian-jun", D(80));
  bool mapped = false;
  for (auto d : dossier.view.getDuties()) {
    if (d.getChannel() == "sector" && d.getThroughBody() == "org:sz-zjj" &&
        std::string(d.getVia().cStr()).find("E47") != std::string::npos) {
      mapped = true;
      EXPECT_EQ(ReadTime(d.getFrom()), D(0));  // from the appointment (mapped since day 3)
      EXPECT_EQ(d.getEvidence().size(), 2u);   // the appointment and the mapping
    }
  }
  EXPECT_TRUE(mapped);
  auto has = [](auto lapses, const char* subject) {
    for (auto l : lapses) {
      if (l.getSubject() == subject && l.getRule() == "L10") return true;
    }
    return false;
  };
  EXPECT_TRUE(has(dossier.view.getLapses(), "enterprise:XZJ"));
  EXPECT_FALSE(has(dossier.view.getLapses(), "enterprise:XMV"));  // C3393: sz-ajj's sector
  auto scoped = Lapses("official:qian-jun", "L10", D(80));
  EXPECT_TRUE(has(scoped.view.getLapses(), "enterprise:XZJ"));
  EXPECT_FALSE(has(scoped.view.getLapses(), "enterprise:XMV"));
}

// A relay due while the class required it and not made stays a lapse after the class is
// lowered again (it used to vanish from later reports: only the last stretch was timed).
TEST_F(Views, L21RelayDueUntilTheClassWasLowered) {
  const Time due = D(101).PlusNanos(2 * kHour), lowered = D(101).PlusNanos(5 * kHour);
  for (Time T : {D(101).PlusNanos(3 * kHour), D(102), D(110)}) {
    SCOPED_TRACE(FormatRfc3339(T));
    auto report = Lapses("enterprise:X21h", "L21", T);
    auto l = Fired(report);
    ASSERT_EQ(l.size(), 1u);
    EXPECT_EQ(Start(l[0]), due);
    if (T < lowered) {
      EXPECT_FALSE(End(l[0]));
    } else {
      EXPECT_EQ(End(l[0]), lowered);
      EXPECT_NE(std::string(l[0].getSummary().cStr()).find("lowered"), std::string::npos);
      EXPECT_EQ(l[0].getEvidence().size(), 3u) << "the city's report, the raise, the lowering";
    }
  }
}

TEST_F(Views, L22InvestigationOverdue) {
  auto l = FireAndMiss("L22", "enterprise:X21a", "enterprise:X21b", D(200));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(Start(l[0]), D(160));
  EXPECT_EQ(End(l[0]), D(161));
}

// An investigation extended only after its 60 days ran out was overdue until the extension, in
// every later report too (the extension used to count from the start, whenever it was granted).
TEST_F(Views, L22OverdueUntilALateExtension) {
  OverdueUntilALateExtension("L22", "X22c", "X22d", D(160), D(165), "extension");
  // An appraisal started late does not cure the days already overdue either.
  for (Time T : {D(165), D(250)}) {
    auto report = Lapses("enterprise:X22e", "L22", T);
    auto l = Fired(report);
    ASSERT_EQ(l.size(), 1u) << FormatRfc3339(T);
    EXPECT_EQ(Start(l[0]), D(160));
    if (T > D(200)) {
      EXPECT_EQ(End(l[0]), D(200));
    }
  }
}

TEST_F(Views, L26HandoverGap) {
  auto l = FireAndMiss("L26", "enterprise:X26a", "enterprise:X26b", D(30));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(Start(l[0]), D(10));
  EXPECT_EQ(End(l[0]), D(13));
  EXPECT_TRUE(Holds(l[0], "official:wu-fang"));
}

// Asked while the gap is open, the view knows no more than the world did then: no end (it used
// to show the successor's later start, D(13), as the window's end).
// A grace delays when the record shows a lapse: until it has run, T cannot know whether the
// self-report (L7) or the successor (L26) will come in time. (L7 with a grace used to fire at
// the finding and vanish when the report came within the grace.)
TEST_F(Views, AGraceDelaysWhenTheRecordShowsALapse) {
  auto count = [&](const std::string& id, const std::string& rule, Time t) {
    return Fired(Lapses("enterprise:" + id, rule, t)).size();
  };
  for (double d : {510.0, 510.5, 511.5, 600.0}) EXPECT_EQ(count("X7g1", "L7", D(d)), 0u) << d;
  EXPECT_EQ(count("X7g2", "L7", D(511)), 0u);
  EXPECT_EQ(count("X7g2", "L7", D(512)), 0u);
  for (double d : {512.5, 513.0, 600.0}) {
    auto report = Lapses("enterprise:X7g2", "L7", D(d));
    auto l = Fired(report);
    ASSERT_EQ(l.size(), 1u) << d;
    EXPECT_EQ(Start(l[0]), D(510));
    EXPECT_EQ(End(l[0]), d < 514 ? std::nullopt : std::optional<Time>(D(514))) << d;
    EXPECT_EQ(ReadTime(l[0].getShownAt()), D(512));
    EXPECT_FALSE(l[0].getShownByRecord());
    EXPECT_EQ(std::string(l[0].getParameterVersion().cStr()), "local-2021");
  }
  for (double d : {521.0, 526.0, 600.0}) EXPECT_EQ(count("X26g1", "L26", D(d)), 0u) << d;
  EXPECT_EQ(count("X26g2", "L26", D(529)), 0u);
  EXPECT_EQ(count("X26g2", "L26", D(530)), 0u);
  auto report = Lapses("enterprise:X26g2", "L26", D(600));
  auto l = Fired(report);
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(Start(l[0]), D(520));
  EXPECT_EQ(End(l[0]), D(540));
  EXPECT_EQ(ReadTime(l[0].getShownAt()), D(530));
  EXPECT_FALSE(l[0].getShownByRecord());
  EXPECT_EQ(count("X26g2", "L26", D(531)), 1u);
}

// A lapse a record showed names it (shownBy, among its evidence); a deadline's does not.
TEST_F(Views, ALapseSaysWhenTheRecordShowedIt) {
  auto report = Lapses("enterprise:X08a", "", D(60));
  bool l7 = false, l8 = false;
  for (auto l : Fired(report)) {
    const std::string rule = l.getRule().cStr();
    if (rule == "L7") {  // the inspector's finding at D(20)
      l7 = true;
      EXPECT_EQ(ReadTime(l.getShownAt()), D(20));
      EXPECT_TRUE(l.getShownByRecord());
      bool cited = false;
      for (auto e : l.getEvidence()) {
        cited |= e.getSequence() == l.getShownBy() && e.getType() == "hazardIdentified";
      }
      EXPECT_TRUE(cited);
    } else if (rule == "L8") {  // 24 hours after the finding, with no order by then
      l8 = true;
      EXPECT_EQ(ReadTime(l.getShownAt()), D(21));
      EXPECT_FALSE(l.getShownByRecord());
    }
  }
  EXPECT_TRUE(l7 && l8);
  // The text says it.
  std::string text = RenderLapseReport(report.view, Lang::kEn);
  EXPECT_NE(text.find("on the record from " + FormatRfc3339(D(20)) + " by #"), std::string::npos)
      << text;
  EXPECT_NE(text.find("on the record after " + FormatRfc3339(D(21)) + " (a time limit ran out)"),
            std::string::npos)
      << text;
}

TEST_F(Views, L26GapOpenAtTShowsNoLaterSuccessor) {
  auto l = FireAndMiss("L26", "enterprise:X26a", "enterprise:X26b", D(11));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(Start(l[0]), D(10));
  EXPECT_FALSE(End(l[0])) << FormatRfc3339(*End(l[0]));
  EXPECT_EQ(std::string(l[0].getSummary().cStr()).find("started"), std::string::npos)
      << l[0].getSummary().cStr();
  // At D(10) itself the duty has only just ended: no gap yet (the grace is 0 days).
  EXPECT_EQ(Fired(Lapses("enterprise:X26a", "L26", D(10))).size(), 0u);
}

// An enterprise closed later keeps the L5 lapses of the years it operated: E16 was not
// inspected for over a year before its phase-out and closure (fixture day 560).
TEST_F(Views, L5LapsesBeforeAClosureOutliveIt) {
  auto before_report = Lapses("enterprise:E16", "L5", Day(500));
  auto before = Fired(before_report);
  ASSERT_FALSE(before.empty());
  auto after = Lapses("enterprise:E16", "L5", D(0));
  auto l = Fired(after);
  ASSERT_EQ(l.size(), before.size());
  EXPECT_EQ(Start(l[0]), Start(before[0]));
  for (auto x : l) CheckEvidence(x);
  // The last interval ends with the closure, its record the evidence.
  ASSERT_TRUE(End(l.back()));
  EXPECT_EQ(*End(l.back()), Day(560));
  EXPECT_EQ(std::string(l.back().getEvidence()[l.back().getEvidence().size() - 1].getType()),
            "closureAction");
}

TEST_F(Views, L29Recurrence) {
  auto l = FireAndMiss("L29", "enterprise:X29a", "enterprise:X29b", D(450));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(Start(l[0]), D(18));
  EXPECT_EQ(End(l[0]), D(118));
}

TEST_F(Views, L30RecordsAfterAccident) {
  auto l = FireAndMiss("L30", "enterprise:X30a", "enterprise:X30b", D(60));
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(Start(l[0]), D(50));
  ASSERT_EQ(l[0].getEvidence().size(), 1u);
  EXPECT_TRUE(l[0].getEvidence()[0].getLate());
  EXPECT_EQ(std::string(l[0].getEvidence()[0].getType().cStr()), "inspectionConducted");
}

TEST_F(Views, EveryRuleIsCoveredByAGoldenCase) {
  std::set<std::string> tested = {"L1",  "L2",  "L3",  "L4",  "L5",  "L6",  "L7",
                                  "L8",  "L9",  "L10", "L11", "L12", "L14", "L15",
                                  "L17", "L18", "L21", "L22", "L26", "L29", "L30"};
  for (const auto& r : LapseRules()) EXPECT_TRUE(tested.count(r.id)) << r.id << " has no case";
}

// ---- causality

// What a rule reports at T it knew at T (tests/projections/lapse_oracle.h), at every boundary
// instant of the golden cases. This found rules that read the future or forgot the past (L5
// lost a closed enterprise's lapses; L26 showed a successor's later start; L1 judged every past
// day with the industry codes of T), and it is the property a store of lapse windows would rest
// on. It compares what each lapse says too: its parameters and its evidence as far as T are the
// whole record's, and once its window has closed, its summary (an open window's summary
// describes the open state: L8, L10, L21 and L22 say how a window ended). L22 used to name
// `extension_days` only once an extension was granted.
TEST_F(Views, LapsesAtAPastPointAreTheWholeRecordsDetectedByThen) {
  std::set<Time> grid;
  for (Time t = Day(0); t < Day(1400); t = Days(t, 5)) grid.insert(t);
  auto result = testing::CheckLapseCausality(*ledger_, clock_->Now(), Day(3800), grid);
  EXPECT_GT(result.windows, 100u);
  EXPECT_TRUE(result.differences.empty()) << result.Describe();
}

// A server's memo of each enterprise's whole-record lapses (LapseMemo) changes no answer: the
// lapses of every place (at instants 40 days apart and at the boundaries — start, sighting, end,
// each ±1 s — of a fifth of the whole record's windows), the park's view and the officials'
// dossiers (45 days apart) are those derived at T, to the last field; so are the lapses as
// recorded by an earlier K, from a memo kept at that K. And the memo did answer: hundreds of lapses
// came from it.
TEST_F(Views, TheLapseMemoChangesNoAnswer) {
  std::set<Time> grid;
  for (Time t = Day(0); t < Day(1400); t = Days(t, 40)) grid.insert(t);
  auto whole = Lapses("", "", Day(3800));
  size_t n = 0;
  for (auto l : whole.view.getLapses()) {
    if (n++ % 5 != 0) continue;
    std::vector<Time> bounds{ReadTime(l.getWindowStart())};
    if (l.hasWindowEnd()) bounds.push_back(ReadTime(l.getWindowEnd()));
    if (l.hasShownAt()) bounds.push_back(ReadTime(l.getShownAt()));
    for (Time t : bounds) {
      for (int64_t d : {-Time::kNanosPerSecond, int64_t{0}, Time::kNanosPerSecond}) {
        grid.insert(t.PlusNanos(d));
      }
    }
  }
  auto memo = std::make_shared<LapseMemo>(size_t{64} << 20);
  size_t compared = 0, differing = 0;
  auto compare = [&]<typename V>(const std::string& what, Time T, const auto& build,
                                 std::optional<Time> known = std::nullopt,
                                 std::shared_ptr<LapseMemo> with = nullptr) {
    ++compared;
    if (!SameWithMemo<V>(T, known, with ? with : memo, build) && ++differing <= 3) {
      ADD_FAILURE() << what << " at " << FormatRfc3339(T) << " differs with the memo";
    }
  };
  for (Time T : grid) {
    compare.operator()<views::LapseReport>("the lapses of smx", T, [](ViewBuilder& b, auto out) {
      return b.Lapses("park:smx", "", out);
    });
  }
  for (Time T = Day(0); T < Day(1400); T = Days(T, 45)) {
    for (const char* official : {"wang-gang", "li-hua", "zhao-min", "chen-jie", "sun-li", "wu-fang",
                                 "zheng-hao", "qian-jun"}) {
      compare.operator()<views::OfficialView>(
          std::string(official) + "'s dossier", T,
          [&](ViewBuilder& b, auto out) { return b.Official(official, out); });
    }
    compare.operator()<views::ParkView>(
        "the park", T, [](ViewBuilder& b, auto out) { return b.Park(kPark, out); });
  }
  // As recorded by D(60), with a memo of its own (the one above answers for everything recorded).
  auto earlier = std::make_shared<LapseMemo>(size_t{64} << 20);
  size_t i = 0;
  for (Time T : grid) {
    if (i++ % 4 != 0) continue;
    compare.operator()<views::LapseReport>(
        "the lapses of smx as recorded by D(60)", T,
        [](ViewBuilder& b, auto out) { return b.Lapses("park:smx", "", out); }, D(60), earlier);
  }
  EXPECT_EQ(differing, 0u) << "of " << compared << " views";
  auto stats = memo->stats();
  EXPECT_GT(stats.taken, 500u);
  EXPECT_GT(stats.hits, 10 * stats.misses);
  EXPECT_GT(earlier->stats().taken, 100u);
}

// A server's memo holds across appends that do not change an enterprise's lapses, and only
// across those. K (and with it the ledger's size as recorded by K) walks the fixture's record ten
// days at a time, so that every event type falls between two sizes, then walks back over its
// second half; with one memo throughout, the park's lapses at K and an official's dossier 30
// days before K are those derived without it, to the last field. The memo carried enterprises
// from one size to another hundreds of times, and found others stale (in their own streams, or
// after a duty, a mapping, a correction or a parameter set) and derived them again.
TEST_F(Views, TheLapseMemoHoldsAcrossAppendsThatDoNotChangeIt) {
  std::vector<Time> walk;
  for (Time k = Day(10); k < Day(1400); k = Days(k, 10)) walk.push_back(k);
  const size_t forth = walk.size();
  for (size_t i = forth - 1; i > forth / 2; i -= 3) walk.push_back(Days(walk[i], -5));
  // (qian-jun, appointed later, is left out: a dossier before that is refused.)
  const std::vector<std::string> officials{"wang-gang", "li-hua",  "zhao-min", "chen-jie",
                                           "sun-li",    "wu-fang", "zheng-hao"};
  auto memo = std::make_shared<LapseMemo>(size_t{64} << 20);
  size_t compared = 0, differing = 0;
  for (size_t i = 0; i < walk.size(); ++i) {
    const Time K = walk[i];
    const std::string& official = officials[i % officials.size()];
    const bool lapses = SameWithMemo<views::LapseReport>(
        K, K, memo, [](ViewBuilder& b, auto out) { return b.Lapses("park:smx", "", out); });
    const bool dossier = SameWithMemo<views::OfficialView>(
        Days(K, -30), K, memo, [&](ViewBuilder& b, auto out) { return b.Official(official, out); });
    compared += 2;
    if (!lapses && ++differing <= 3) {
      ADD_FAILURE() << "the lapses of smx as recorded by " << FormatRfc3339(K) << " differ";
    }
    if (!dossier && ++differing <= 3) {
      ADD_FAILURE() << official << "'s dossier as recorded by " << FormatRfc3339(K) << " differs";
    }
  }
  EXPECT_EQ(differing, 0u) << "of " << compared << " views";
  auto stats = memo->stats();  // (thousands carried and stale, hundreds taken, when written)
  EXPECT_GT(stats.carried, 200u);
  EXPECT_GT(stats.stale, 20u);
  EXPECT_GT(stats.taken, 100u);
}

// The entries that change an enterprise's lapses without joining its stream make what the memo
// kept stale: a parameter set recorded late with an earlier effective date (X11a's review, 11
// days after its report, is within 12: its L11 goes), and an official withdrawing a record of an
// enterprise (X10c's deadline extension: its L10 window runs to its report on D(80), not to the
// extension on D(65)). Both enterprises' windows have all closed by the instants asked about,
// so their lapses are taken from the memo. A note between the two changes nothing, and what
// was kept is carried past it. Each is appended to a copy of the fixture after its last record;
// at each size, the lapses with the memo are those derived without it, and the lapses did
// change (or, past the note, did not).
TEST_F(Views, TheLapseMemoIsStaleAfterWhatChangesLapsesOutsideTheirStreams) {
  Scenario s = scenario::FixtureScenario(7);
  AddCases(s, B_);
  Time end = s.start();
  std::string extension;  // of X10c's deadline, signed by wu-fang
  for (const auto& step : s.steps()) {
    end = std::max(end, step.recorded_at);
    if (step.type == "rectificationDeadlineChanged" &&
        step.json.find("\"ord-X10c\"") != std::string::npos) {
      size_t at = step.json.find("\"eventId\"");
      ASSERT_NE(at, std::string::npos);
      at = step.json.find('"', step.json.find(':', at));
      extension = step.json.substr(at + 1, 36);
    }
  }
  ASSERT_EQ(extension.size(), 36u);
  end = Days(end, 1);
  Writer w(s);
  w.Parameters(end, "zhou-qiang", "retro-L11", D(0), {{"L11", "review_days", 12}});
  w.Note(Days(end, 1), "wu-fang", "季度工作小结");
  w.Withdraw(Days(end, 2), "wu-fang", extension, "延期未经批准，记录有误");
  testing::TempDir dir;
  ManualClock clock(testing::TestEpoch());
  auto played = scenario::Play(s, dir.Sub("ledger"), clock, rules_);
  ASSERT_TRUE(played.ok()) << played.status().ToString();
  const Ledger* ledger = played->get();

  const std::vector<Time> grid{D(70), D(200)};
  auto memo = std::make_shared<LapseMemo>(size_t{64} << 20);
  // The park's lapses at each T of the grid as recorded by K, with the memo and without: the
  // same (each differing T is a failure); the lapses themselves, without it.
  auto lapses_at = [&](Time K) {
    std::vector<std::string> lapses;
    auto park = [](ViewBuilder& b, views::LapseReport::Builder out) {
      return b.Lapses("park:smx", "", out);
    };
    for (Time T : grid) {
      EXPECT_TRUE(SameWithMemo<views::LapseReport>(T, K, memo, park, ledger))
          << "as recorded by " << FormatRfc3339(K) << ", at " << FormatRfc3339(T);
      auto built = Build<views::LapseReport>(T, K, park, ledger);
      std::string text;
      for (auto l : built.view.getLapses()) text += std::string(kj::str(l).cStr()) + "\n";
      lapses.push_back(text);
    }
    return lapses;
  };
  const Time before = Days(end, -0.5), parameters = Days(end, 0.5), note = Days(end, 1.5),
             withdrawn = Days(end, 2.5);
  lapses_at(before);  // each enterprise derived at the first T, kept at the second
  auto was = lapses_at(before);
  const size_t kept = memo->stats().enterprises;
  EXPECT_GT(kept, 30u);
  auto after_parameters = lapses_at(parameters);
  EXPECT_NE(after_parameters, was);
  EXPECT_GE(memo->stats().stale, kept);  // every one
  lapses_at(parameters);
  auto stats = memo->stats();
  auto after_note = lapses_at(note);
  EXPECT_EQ(after_note, after_parameters);
  EXPECT_GE(memo->stats().carried - stats.carried, kept);
  EXPECT_EQ(memo->stats().stale, stats.stale);
  auto after_withdrawal = lapses_at(withdrawn);
  EXPECT_NE(after_withdrawal, after_note);
  EXPECT_GE(memo->stats().stale - stats.stale, kept);
}

// ---- bitemporal

TEST_F(Views, BackDatedInspectionAfterAccidentIsListedApart) {
  // As recorded before the accident's aftermath (K = D(51)), there is no inspection on D(48).
  auto before = Enterprise("X30a", D(50.5), D(51));
  EXPECT_EQ(before.view.getInspections().size(), 0u);
  EXPECT_EQ(before.view.getLateRecords().size(), 0u);
  // As recorded by now, it is there, flagged as recorded after the valid-at time and late,
  // and listed apart with its delay.
  auto now = Enterprise("X30a", D(50.5));
  ASSERT_EQ(now.view.getInspections().size(), 1u);
  auto ev = now.view.getInspections()[0].getEvidence();
  EXPECT_TRUE(ev.getRecordedAfterQuery());
  EXPECT_TRUE(ev.getLate());
  ASSERT_EQ(now.view.getLateRecords().size(), 1u);
  auto late = now.view.getLateRecords()[0];
  EXPECT_EQ(ReadTime(late.getRecordedAt()).unix_nanos - ReadTime(late.getOccurredAt()).unix_nanos,
            5 * Time::kNanosPerDay);
  // The enterprise's own L30 names it.
  bool l30 = false;
  for (auto l : now.view.getLapses()) l30 |= std::string(l.getRule().cStr()) == "L30";
  EXPECT_TRUE(l30);
}

TEST_F(Views, RetroactiveDutyIsKnownOnlyOnceRecorded) {
  auto holders = [](const Built<views::EnterpriseView>& v) {
    std::vector<std::string> out;
    for (auto h : v.view.getResponsibility()) {
      if (std::string(h.getDutyId().cStr()) == "d-XR") out.push_back(h.getHolder().cStr());
    }
    return out;
  };
  // At D(10), as known at D(15): the duty (recorded D(20)) is not yet known.
  EXPECT_TRUE(holders(Enterprise("XR", D(10), D(15))).empty());
  // As known now, chen-jie held it from D(5), and the assignment is flagged as recorded
  // after the valid-at time.
  auto now = Enterprise("XR", D(10));
  ASSERT_EQ(holders(now), std::vector<std::string>{"official:chen-jie"});
  for (auto h : now.view.getResponsibility()) {
    if (std::string(h.getDutyId().cStr()) != "d-XR") continue;
    EXPECT_EQ(ReadTime(h.getFrom()), D(5));
    EXPECT_TRUE(h.getEvidence()[0].getRecordedAfterQuery());
  }
}

TEST_F(Views, CorrectionIsShownWithItsOriginal) {
  // hz-E06-1 was recorded general on day 500 and corrected to major on day 502.
  auto grade = [](const Built<views::EnterpriseView>& v) {
    for (auto h : v.view.getHazards()) {
      if (std::string(h.getHazardId().cStr()) == "hz-E06-1")
        return std::string(h.getGrade().cStr());
    }
    return std::string("absent");
  };
  EXPECT_EQ(grade(Enterprise("E06", Day(501), Day(501))), "general");
  auto now = Enterprise("E06", Day(501));
  EXPECT_EQ(grade(now), "major");
  ASSERT_EQ(now.view.getCorrections().size(), 1u);
  auto c = now.view.getCorrections()[0];
  EXPECT_FALSE(c.getWithdrawn());
  EXPECT_EQ(std::string(c.getReason().cStr()), "复核后认定为重大事故隐患");
  EXPECT_TRUE(c.getOriginal().getSuperseded());
  EXPECT_GT(c.getBy().getSequence(), c.getOriginal().getSequence());
  // As known on day 501, nothing was superseded yet.
  EXPECT_EQ(Enterprise("E06", Day(501), Day(501)).view.getCorrections().size(), 0u);
}

// ---- the responsibility map across a handover

TEST_F(Views, ResponsibilityMapAcrossHandover) {
  auto in_charge = [&](double day) {
    std::vector<std::string> out;
    auto v = Enterprise("E06", Day(day));
    Time T = Day(day);
    for (auto h : v.view.getResponsibility()) {
      bool held = ReadTime(h.getFrom()) <= T && (!h.hasUntil() || ReadTime(h.getUntil()) > T);
      if (held && std::string(h.getChannel().cStr()) == "inspectorInCharge") {
        out.push_back(h.getHolder().cStr());
      }
    }
    return out;
  };
  EXPECT_EQ(in_charge(300), std::vector<std::string>{"official:sun-li"});
  // Day 400.5: wu-fang assigned (day 400), sun-li's duty not yet revoked (day 401): both.
  EXPECT_EQ(in_charge(400.5), (std::vector<std::string>{"official:sun-li", "official:wu-fang"}));
  EXPECT_EQ(in_charge(450), std::vector<std::string>{"official:wu-fang"});

  // Every channel reaches E06 at day 450, and the park-safety body reaches its head.
  auto v = Enterprise("E06", Day(450));
  std::set<std::string> channels;
  bool head = false;
  for (auto h : v.view.getResponsibility()) {
    channels.insert(h.getChannel().cStr());
    head |= std::string(h.getHolder().cStr()) == "official:chen-jie" &&
            std::string(h.getThroughBody().cStr()) == "org:park-safety";
  }
  for (const char* c : {"territorial", "firstResponsible", "partyFirstResponsible",
                        "inspectorInCharge", "sector", "comprehensive", "committee"}) {
    EXPECT_TRUE(channels.count(c)) << c;
  }
  EXPECT_TRUE(head) << "the head of the territorial body is not listed";
}

// ---- rebuild equals the incremental state

TEST_F(Views, RebuildGivesByteIdenticalTables) {
  static const QueryRegistry registry = AllQueries();
  std::string T = FormatRfc3339(Day(601));
  // A fixed known-at: the view names it, and "now" moves.
  QueryRequest request{
      "enterprise",
      {{"id", "E06"}, {"valid-at", T}, {"known-at", "2030-01-01T00:00:00Z"}, {"json", "true"}}};
  auto before_view = registry.Run(*ledger_, request);
  ASSERT_EQ(before_view.exit_code, 0) << before_view.error;
  auto before = ledger_->ProjectionDigest();
  ASSERT_TRUE(before.ok());
  uint64_t calls = 0;
  DomainRules refold(DomainRules::Options{DomainRules::Mode::kRefold});
  Status s = ledger_->RebuildProjections(refold, [&](uint64_t done, uint64_t total) {
    ++calls;
    EXPECT_LE(done, total);
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_GT(calls, 0u);
  EXPECT_FALSE(ledger_->projections_rebuilding());
  auto after = ledger_->ProjectionDigest();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(before->Hex(), after->Hex());
  auto after_view = registry.Run(*ledger_, request);
  EXPECT_EQ(before_view.output, after_view.output);
  // The digest covers the rows: it is not the digest of empty tables.
  EXPECT_NE(after->Hex(), ledger_->hasher().EmptyRoot().Hex());
}

// An official whose duties overlap — a park's through the body they head, and enterprises in
// that park in person — has each lapse in the dossier once, not once per duty that reaches it.
TEST_F(Views, OfficialDossierListsEachLapseOnce) {
  Time T = D(200);
  size_t checked = 0;
  for (const char* official : {"chen-jie", "wu-fang", "li-hua", "zhao-min", "wang-gang"}) {
    auto dossier = Build<views::OfficialView>(
        T, std::nullopt, [&](ViewBuilder& b, auto out) { return b.Official(official, out); });
    bool place = false, firm = false;
    for (auto d : dossier.view.getDuties()) {
      std::string via = d.getVia().cStr();
      place |= via.starts_with("jurisdictions ");
      firm |= via.starts_with("enterprises ");
    }
    std::set<std::string> seen;
    std::multiset<std::string> rule_subject;
    for (auto l : dossier.view.getLapses()) {
      std::string key = std::string(l.getRule().cStr()) + " " + l.getSubject().cStr() + " " +
                        FormatRfc3339(ReadTime(l.getWindowStart())) + " " + l.getSummary().cStr();
      EXPECT_TRUE(seen.insert(key).second) << official << ": listed twice: " << key;
      rule_subject.insert(std::string(l.getRule().cStr()) + " " + l.getSubject().cStr());
    }
    auto scoped = Lapses(std::string("official:") + official, "", T);
    EXPECT_EQ(scoped.view.getLapses().size(), dossier.view.getLapses().size()) << official;
    checked += place && firm && rule_subject.count("L1 enterprise:XO") > 0;
  }
  EXPECT_GT(checked, 0u)
      << "no official with overlapping duties and lapses: the case is not tested";
}

// The official's dossier lists the lapses in their scope with how the duty reached *them*;
// every holder of the window stays in `lapses --scope official:ID`. (The dossier derives only
// the official's own entries of each lapse's holders: they must be the scope query's, filtered.)
TEST_F(Views, OfficialDossierLapsesNameOnlyTheOfficialsOwnDuty) {
  auto entry = [](views::DutyHolder::Reader h) {
    std::string s = std::string(h.getHolder().cStr()) + " " + h.getChannel().cStr() + " " +
                    h.getDutyId().cStr() + " " + h.getVia().cStr() + " " +
                    h.getThroughBody().cStr() + " " + FormatRfc3339(ReadTime(h.getFrom())) + " " +
                    (h.hasUntil() ? FormatRfc3339(ReadTime(h.getUntil())) : "held");
    for (auto e : h.getEvidence()) s += " #" + std::to_string(e.getSequence());
    return s;
  };
  auto lapse_key = [](views::Lapse::Reader l) {
    return std::string(l.getRule().cStr()) + " " + l.getSubject().cStr() + " " +
           FormatRfc3339(ReadTime(l.getWindowStart())) + " " + l.getSummary().cStr() + " |";
  };
  size_t compared = 0, through_body = 0;
  for (Time T : {Day(601), D(200), D(400)}) {
    for (const char* who : {"wu-fang", "chen-jie", "li-hua", "zhao-min", "wang-gang"}) {
      const std::string principal = std::string("official:") + who;
      SCOPED_TRACE(principal + " at " + FormatRfc3339(T));
      auto dossier = Build<views::OfficialView>(
          T, std::nullopt, [&](ViewBuilder& b, auto out) { return b.Official(who, out); });
      auto full = Lapses(principal, "", T);
      ASSERT_EQ(dossier.view.getLapses().size(), full.view.getLapses().size());
      bool others_in_full = false;
      for (auto l : full.view.getLapses()) {
        EXPECT_TRUE(Holds(l, principal)) << l.getSummary().cStr();
        for (auto h : l.getHolders()) others_in_full |= h.getHolder() != principal;
      }
      // The scope query keeps the whole picture.
      if (full.view.getLapses().size() > 0) {
        EXPECT_TRUE(others_in_full);
      }
      // The dossier names each way the duty reached them once (`reaches`), and each lapse
      // refers to the entries of the scope query's lapse that are theirs: the same, once.
      auto reaches = dossier.view.getReaches();
      std::set<std::string> distinct;
      for (auto h : reaches) {
        EXPECT_EQ(h.getHolder(), principal);
        if (h.getChannel() != "named") {  // a principal named by the lapse's own evidence
          EXPECT_GT(h.getEvidence().size(), 0u);
        }
        through_body += h.getThroughBody().size() > 0;
        EXPECT_TRUE(distinct.insert(entry(h)).second) << "listed twice: " << entry(h);
      }
      std::multiset<std::string> in_dossier, in_full;
      std::set<uint32_t> used;
      for (auto l : dossier.view.getLapses()) {
        EXPECT_EQ(l.getHolders().size(), 0u) << l.getSummary().cStr();
        EXPECT_GT(l.getReachedThrough().size(), 0u) << l.getSummary().cStr();
        std::string key = lapse_key(l);
        for (uint32_t i : l.getReachedThrough()) {
          ASSERT_LT(i, reaches.size());
          used.insert(i);
          key += " " + entry(reaches[i]);
        }
        in_dossier.insert(key);
      }
      for (auto l : full.view.getLapses()) {
        std::string key = lapse_key(l);
        for (auto h : l.getHolders()) {
          if (h.getHolder() == principal) key += " " + entry(h);
        }
        in_full.insert(key);
      }
      EXPECT_EQ(in_dossier, in_full);
      EXPECT_EQ(used.size(), reaches.size());  // none listed that no lapse names
      compared += in_dossier.size();
    }
  }
  // Enough to mean something: lapses compared, some reaching an official through a body.
  EXPECT_GT(compared, 20u);
  EXPECT_GT(through_body, 0u);

  auto dossier = Build<views::OfficialView>(
      Day(601), std::nullopt, [&](ViewBuilder& b, auto out) { return b.Official("wu-fang", out); });
  ASSERT_GT(dossier.view.getLapses().size(), 0u);
  // The text form numbers them: "[1] inspector in charge: official:wu-fang …".
  std::string text = RenderOfficial(dossier.view, Lang::kEn);
  EXPECT_NE(text.find("  [1] "), std::string::npos) << text;
  EXPECT_NE(text.find("how the duty reached them: ["), std::string::npos) << text;
}

// ---- the CLI-facing queries

TEST_F(Views, QueriesRunThroughTheRegistry) {
  static const QueryRegistry registry = AllQueries();
  std::string T = FormatRfc3339(Day(601));
  for (const auto& [name, id] : std::vector<std::pair<std::string, std::string>>{
           {"enterprise", "E06"}, {"official", "wu-fang"}, {"park", kPark}}) {
    for (const char* lang : {"en", "zh-CN"}) {
      auto r = registry.Run(*ledger_, {name, {{"id", id}, {"valid-at", T}, {"lang", lang}}});
      EXPECT_EQ(r.exit_code, 0) << name << ": " << r.error;
      EXPECT_NE(r.output.find(std::string(lang) == "en" ? "Lapse signals" : "履职异常信号"),
                std::string::npos)
          << name;
    }
    auto json = registry.Run(*ledger_, {name, {{"id", id}, {"valid-at", T}, {"json", "true"}}});
    EXPECT_EQ(json.exit_code, 0) << json.error;
    EXPECT_EQ(json.output.substr(0, 1), "{");
  }
  auto lapses = registry.Run(
      *ledger_, {"lapses", {{"scope", "official:wu-fang"}, {"rule", "L10"}, {"valid-at", T}}});
  EXPECT_EQ(lapses.exit_code, 0) << lapses.error;
  EXPECT_NE(lapses.output.find("ord-E06-1"), std::string::npos) << lapses.output;

  // Refusals name what was wrong.
  auto bad_rule = registry.Run(*ledger_, {"lapses", {{"rule", "L99"}}});
  EXPECT_EQ(bad_rule.exit_code, 2);
  EXPECT_NE(bad_rule.error.find("L99"), std::string::npos);
  auto bad_scope = registry.Run(*ledger_, {"lapses", {{"scope", "county"}}});
  EXPECT_EQ(bad_scope.exit_code, 2);
  auto unknown = registry.Run(*ledger_, {"enterprise", {{"id", "E99"}}});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.error.find("E99"), std::string::npos);
  auto bad_time = registry.Run(*ledger_, {"official", {{"id", "wu-fang"}, {"valid-at", "soon"}}});
  EXPECT_EQ(bad_time.exit_code, 2);
  auto before_registered =
      registry.Run(*ledger_, {"enterprise", {{"id", "E06"}, {"valid-at", "2017-03-01"}}});
  EXPECT_EQ(before_registered.exit_code, 1);
  // A park asked before it was established says so, as an enterprise does (p4: D(0)).
  auto before_established =
      registry.Run(*ledger_, {"park", {{"id", "smx/sz/p4"}, {"valid-at", FormatRfc3339(D(-1))}}});
  EXPECT_EQ(before_established.exit_code, 1);
  EXPECT_NE(before_established.error.find("was not established by"), std::string::npos)
      << before_established.error;
  EXPECT_EQ(
      registry.Run(*ledger_, {"park", {{"id", "smx/sz/p4"}, {"valid-at", FormatRfc3339(D(0))}}})
          .exit_code,
      0);
}

}  // namespace
}  // namespace dutyledger
