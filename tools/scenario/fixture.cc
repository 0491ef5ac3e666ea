// The domain fixture: Shanzhou county (陕州区) and its industrial park, two years of
// supervision from the seed notice of 2017-02-27, using every event type.
#include <algorithm>

#include "tools/scenario/writers.h"

namespace dutyledger::scenario {
namespace {

constexpr char kCity[] = "smx";
constexpr char kCounty[] = "smx/sz";
constexpr char kPark[] = "smx/sz/park";

struct EnterpriseSpec {
  const char* id;
  const char* name;
  const char* code;
  const char* risk;
  bool foreign;
  bool emerging;
};

// Twenty enterprises across the park's industries (GB/T 4754 codes).
const EnterpriseSpec kEnterprises[] = {
    {"E01", "陕州华泰化工有限公司", "C2614", "major", false, false},
    {"E02", "三门峡金源铝业有限公司", "C3216", "high", false, false},
    {"E03", "陕州恒达建材有限公司", "C3021", "general", false, false},
    {"E04", "豫西机械制造有限公司", "C3311", "general", false, false},
    {"E05", "三门峡鑫鑫粉末冶金有限公司", "C3393", "high", false, false},
    {"E06", "陕州冷链食品有限公司", "C1351", "high", false, false},
    {"E07", "三门峡中德精密部件有限公司", "C3484", "general", true, false},
    {"E08", "陕州新能源电池回收有限公司", "N7724", "high", false, true},
    {"E09", "陕州建工集团有限公司", "E4710", "general", false, false},
    {"E10", "三门峡宏远物流仓储有限公司", "G5942", "general", false, false},
    {"E11", "陕州永兴纸业有限公司", "C2221", "general", false, false},
    {"E12", "三门峡天元涂料有限公司", "C2641", "high", false, false},
    {"E13", "陕州瑞丰饲料有限公司", "C1329", "low", false, false},
    {"E14", "三门峡昌盛包装有限公司", "C2231", "low", false, false},
    {"E15", "陕州东方电气设备有限公司", "C3821", "general", false, false},
    {"E16", "三门峡华鑫矿产品加工有限公司", "C3099", "general", false, false},
    {"E17", "陕州佳美纺织有限公司", "C1713", "low", true, false},
    {"E18", "三门峡润通燃气有限公司", "D4511", "high", false, false},
    {"E19", "陕州安达汽修有限公司", "O8111", "low", false, false},
    {"E20", "三门峡晨光木业有限公司", "C2021", "general", false, false},
};

}  // namespace

Scenario FixtureScenario(uint64_t seed) {
  Scenario s(seed, "smx.gov.cn/shanzhou-park", "org:smx-gov");
  Writer w(s);
  Time t0 = *ParseRfc3339("2017-02-27T09:00:00+08:00");
  s.set_start(t0);
  auto day = [&](double d) { return Days(t0, d); };

  // --- The places and bodies (the root authority: the city government).
  w.Jurisdiction(day(0), "root", kCity, "三门峡市", "city", "");
  w.Jurisdiction(day(0), "root", kCounty, "陕州区", "county", kCity);
  w.Jurisdiction(day(0), "root", kPark, "陕州区产业集聚区", "industrialPark", kCounty, true);
  struct OrgSpec {
    const char *id, *name, *kind, *jurisdiction, *parent;
  };
  const OrgSpec orgs[] = {
      {"smx-gov", "三门峡市人民政府", "government", kCity, ""},
      {"sz-gov", "陕州区人民政府", "government", kCounty, "smx-gov"},
      {"sz-party", "中共陕州区委", "partyCommittee", kCounty, ""},
      {"park-cmte", "陕州区产业集聚区管理委员会", "parkCommittee", kPark, "sz-gov"},
      {"park-safety", "产业集聚区安全生产监督管理局", "parkSafetyBody", kPark, "park-cmte"},
      {"sz-ajj", "陕州区应急管理局", "emergencyManagement", kCounty, "sz-gov"},
      {"sz-zjj", "陕州区住房和城乡建设局", "sectorDepartment", kCounty, "sz-gov"},
      {"sz-scjg", "陕州区市场监督管理局", "sectorDepartment", kCounty, "sz-gov"},
      {"park-ako", "产业集聚区安全生产委员会", "safetyCommittee", kPark, "park-cmte"},
      {"sz-aw", "陕州区安全生产委员会办公室", "safetyCommitteeOffice", kCounty, "sz-ajj"},
      {"sz-jw", "陕州区纪委监委", "disciplineBody", kCounty, "sz-party"},
      {"sz-zzb", "中共陕州区委组织部", "organisationDept", kCounty, "sz-party"},
  };
  for (const auto& o : orgs) w.Org(day(0), "root", o.id, o.name, o.kind, o.jurisdiction, o.parent);

  // --- The county magistrate, appointed by the city; keys bound by the root.
  w.Appoint(day(1), "root", "wang-gang", "王刚", "sz-gov", "区长", true);
  w.BindKey(day(1), "root", "wang-gang", "official:wang-gang");
  w.BindKey(day(1), "root", "sz-jw", "org:sz-jw");
  w.BindKey(day(1), "root", "sz-zzb", "org:sz-zzb");
  w.AssignDuty(day(1), "root", "d-wg-appoint", "official:wang-gang", "appointingAuthority",
               {.orgs = {"sz-gov"}});

  // --- Officials of the park and the departments, appointed by the magistrate.
  struct Official {
    const char *id, *name, *org, *post;
    bool head;
  };
  const Official officials[] = {
      {"li-hua", "李华", "park-cmte", "管委会主任", true},
      {"zhao-min", "赵敏", "park-cmte", "党工委书记", false},
      {"chen-jie", "陈杰", "park-safety", "局长", true},
      {"sun-li", "孙立", "park-safety", "执法人员", false},
      {"zhou-qiang", "周强", "sz-ajj", "局长", true},
      {"wu-fang", "吴芳", "sz-ajj", "执法人员", false},
      {"zheng-hao", "郑浩", "sz-scjg", "执法人员", false},
  };
  for (const auto& o : officials) {
    w.Appoint(day(2), "wang-gang", o.id, o.name, o.org, o.post, o.head);
  }
  for (const auto& o : officials) {
    w.BindKey(day(2), "root", o.id, std::string("official:") + o.id);
  }

  // --- Duties: 党政同责, territorial, comprehensive, registrar; the 三个必须 mapping.
  w.AssignDuty(day(3), "wang-gang", "d-park-first", "official:li-hua", "firstResponsible",
               {.jurisdictions = {kPark}});
  w.AssignDuty(day(3), "wang-gang", "d-park-party", "official:zhao-min", "partyFirstResponsible",
               {.jurisdictions = {kPark}});
  w.AssignDuty(day(3), "wang-gang", "d-park-territorial", "org:park-safety",
               "territorialSupervision", {.jurisdictions = {kPark}});
  w.AssignDuty(day(3), "wang-gang", "d-ajj-comprehensive", "org:sz-ajj", "comprehensiveSupervisor",
               {.jurisdictions = {kCounty}});
  w.AssignDuty(day(3), "wang-gang", "d-chen-registrar", "official:chen-jie", "keyRegistrar",
               {.orgs = {"park-safety"}});
  w.AssignDuty(day(3), "wang-gang", "d-zm-portfolio", "official:zhao-min", "portfolioLead",
               {.industries = {"C26", "C30"}, .portfolio = "化工、建材"});
  w.MapIndustry(day(3), "wang-gang", "C", "sz-ajj", kCounty);
  w.MapIndustry(day(3), "wang-gang", "E47", "sz-zjj", kCounty);
  w.MapIndustry(day(3), "wang-gang", "G59", "sz-scjg", kCounty);
  w.MapIndustry(day(3), "wang-gang", "D45", "sz-scjg", kCounty);
  w.PublishDutyList(day(4), "chen-jie", "park-safety", "2017",
                    {"辖区企业安全生产监督检查", "事故隐患排查治理监督", "挂牌督办"});
  w.Resourcing(day(5), "chen-jie", "park-safety", day(0), day(365), 8, 5, 3, 240, 800'000);

  // --- The park's safety committee (seed §2-3): chaired by the park committee head.
  w.Constitute(day(6), "wang-gang", "park-ako", kPark, "li-hua", {"zhao-min", "chen-jie", "sun-li"},
               {"park-safety", "sz-ajj"}, "park-safety");
  w.AssignDuty(day(6), "wang-gang", "d-ako-chair", "official:li-hua", "committeeChair",
               {.committee = "park-ako"});
  w.AssignDuty(day(6), "wang-gang", "d-ako-member-chen", "official:chen-jie", "committeeMember",
               {.committee = "park-ako"});

  // --- The census (摸底调查, seed §4): the park registers its enterprises.
  w.Plan(day(8), "chen-jie", "plan-census-2017", "census", "产业集聚区安全生产摸底调查",
         "park-safety", kPark, day(8), day(60), {});
  std::vector<std::string> ids;
  for (const auto& e : kEnterprises) {
    Writer::Enterprise spec{e.id, e.name, kPark, {e.code}};
    spec.risk = e.risk;
    spec.foreign = e.foreign;
    spec.emerging = e.emerging;
    spec.source = ids.size() < 16 ? "census" : (ids.size() < 19 ? "licence" : "complaint");
    w.Register(day(10 + ids.size()), "chen-jie", spec);
    ids.push_back(e.id);
  }
  for (const auto& id : ids) {
    w.BindKey(day(31), "chen-jie", id, "enterprise:" + id);
  }
  // Inspector in charge and grid officer duties.
  w.AssignDuty(day(32), "wang-gang", "d-sun-incharge", "official:sun-li", "inspectorInCharge",
               {.enterprises = {"E01", "E02", "E05", "E06", "E12"}});
  w.AssignDuty(day(32), "wang-gang", "d-sun-grid", "official:sun-li", "gridOfficer",
               {.enterprises = {"E03", "E04", "E07", "E09", "E10", "E11"}});
  for (const char* id : {"E01", "E02", "E05", "E06", "E12", "E18"}) {
    w.KeyTarget(day(33), "chen-jie", id, true, "high", "涉及危险化学品、粉尘涉爆或液氨制冷");
  }
  w.KeyTarget(day(34), "chen-jie", "E18", false, "general", "经营范围变更，不再储存燃气");
  w.UpdateProfile(day(35), "chen-jie", "E08", {"N7724", "C4220"}, "high", false, true);
  w.ChangePrincipal(day(36), "E03", "E03", "刘强", "刘强");

  // --- The 五落实五到位 checklist (data, not code) and declarations.
  w.Checklist(day(40), "zhou-qiang", "wls-wdw-2015", *ParseRfc3339("2017-12-31T23:59:59+08:00"),
              {{"WLS-1", "党政同责", "安监总办〔2015〕27号"},
               {"WLS-2", "一岗双责", "安监总办〔2015〕27号"},
               {"WLS-3", "安全生产委员会", "安监总办〔2015〕27号"},
               {"WLS-4", "安全管理机构和人员", "SPL2021#24"},
               {"WLS-5", "定期报告与公开", "安监总办〔2015〕27号"},
               {"WDW-1", "责任到位", "安监总办〔2015〕27号"},
               {"WDW-2", "投入到位", "SPL2021#23"},
               {"WDW-3", "培训到位", "SPL2021#28"},
               {"WDW-4", "管理到位", "SPL2021#21"},
               {"WDW-5", "应急救援到位", "SPL2021#21(6)"}});
  for (const char* id : {"E01", "E02", "E04", "E06"}) {
    w.Declare(
        day(50), id, id, "wls-wdw-2015",
        {{"WLS-1", "inPlace"}, {"WLS-4", "inPlace"}, {"WDW-2", "partial"}, {"WDW-3", "inPlace"}});
  }
  w.Standardization(day(55), "zhou-qiang", "E02", 3);
  w.Permit(day(56), "zhou-qiang", "pm-E01", "E01", "安全生产许可证", "issued", "sz-ajj",
           day(56 + 3 * 365));
  w.Permit(day(57), "zhou-qiang", "pm-E12", "E12", "危险化学品经营许可证", "issued", "sz-ajj",
           day(57 + 3 * 365));

  // --- The annual inspection plan and a year of inspections.
  w.Plan(day(60), "chen-jie", "plan-2017", "annual", "2017年度监督检查计划", "park-safety", kPark,
         day(60), day(365),
         {{"E01", 4}, {"E02", 4}, {"E05", 4}, {"E06", 4}, {"E12", 4}, {"E03", 1}, {"E04", 1}});
  int n = 0;
  auto inspection_id = [&]() { return "insp-" + std::to_string(++n); };
  for (int q = 0; q < 4; ++q) {
    for (const char* id : {"E01", "E02", "E05", "E06", "E12"}) {
      w.Inspect(day(70 + 90 * q), "sun-li", inspection_id(), id, "keyTarget", {"sun-li"}, true,
                "plan-2017");
    }
  }
  w.Inspect(day(80), "zheng-hao", inspection_id(), "E10", "routine", {"zheng-hao"}, true);
  w.Inspect(day(85), "wu-fang", inspection_id(), "E04", "unannounced", {"wu-fang"}, true);
  w.Inspect(day(86), "E13", inspection_id(), "E13", "enterpriseSelfCheck", {}, true);

  // A general hazard, ordered, reported and reviewed (passed).
  std::string i_e03 = inspection_id();
  w.Inspect(day(90), "sun-li", i_e03, "E03", "routine", {"sun-li"}, false);
  std::string hz_e03 = w.Hazard(day(90), "sun-li", "hz-E03-1", "E03", "general", "机械防护",
                                "皮带输送机防护罩缺失", "inspection", i_e03);
  w.Order(day(90), "sun-li", "ord-E03-1", "E03", {"hz-E03-1"}, day(105), i_e03, "刘强");
  w.ReportRectification(day(100), "E03", "ord-E03-1", "E03");
  w.ReviewRectification(day(104), "sun-li", "ord-E03-1", true, {"sun-li"}, "复查〔2017〕3号");

  // A major hazard the enterprise reports itself (双报告), listed, with a failed first review,
  // a case, a penalty with suspension, an on-site measure, resumption and delisting.
  w.Hazard(day(120), "E05", "hz-E05-1", "E05", "major", "粉尘涉爆", "除尘系统未设置锁气卸灰装置",
           "selfCheck", "", "MEM10-2023#粉尘涉爆(4)");
  w.SelfReport(day(120), "E05", "hz-E05-1", "E05", "park-safety");
  w.List(day(122), "zhou-qiang", "hz-E05-1", true, "县级", "park-safety", "li-hua", day(182));
  std::string i_e05 = inspection_id();
  w.Inspect(day(122), "wu-fang", i_e05, "E05", "keyTarget", {"wu-fang", "sun-li"}, false);
  w.Order(day(122), "wu-fang", "ord-E05-1", "E05", {"hz-E05-1"}, day(152), i_e05, "企业主要负责人");
  w.Measure(day(122), "wu-fang", "ms-E05-1", "E05", true, "temporarySuspension", {"hz-E05-1"});
  w.SubmitPlan(day(125), "E05", "ord-E05-1", "hz-E05-1", 450'000);
  w.ExtendDeadline(day(150), "zhou-qiang", "ord-E05-1", day(172), "zhou-qiang",
                   "设备采购周期长，经批准延期");
  w.ReportRectification(day(170), "E05", "ord-E05-1", "E05", "resumption");
  w.ReviewRectification(day(175), "wu-fang", "ord-E05-1", false, {"wu-fang"}, "复查〔2017〕9号");
  w.Case(day(176), "wu-fang", "case-E05-1", "E05", true, "重大事故隐患逾期未消除", {"ord-E05-1"});
  w.Notice(day(178), "wu-fang", "case-E05-1", "E05", {"fine", "suspensionForRectification"},
           day(185));
  w.Penalize(
      day(190), "zhou-qiang", "case-E05-1", "E05",
      {{"fine", 50'000, ""}, {"suspensionForRectification", 0, ""}, {"fine", 8'000, "主要负责人"}},
      "（陕）安监罚〔2017〕15号");
  w.ReportRectification(day(210), "E05", "ord-E05-1", "E05", "resumption");
  w.ReviewRectification(day(214), "wu-fang", "ord-E05-1", true, {"wu-fang"}, "复查〔2017〕12号");
  w.Resume(day(215), "zhou-qiang", "E05", "ms-E05-1", "case-E05-1", true,
           {"zhou-qiang", "wu-fang"});
  w.List(day(216), "zhou-qiang", "hz-E05-1", false, "县级", "park-safety", "li-hua", day(216));
  w.Case(day(220), "wu-fang", "case-E05-1", "E05", false, "已执行完毕", {});
  w.Statistics(day(124), "E05", "E05", day(34), day(124), 6, 6, 1, 0);
  w.Statistics(day(307), "E05", "E05", day(215), day(307), 4, 4, 0, 0);

  // An investment project through 三同时, a landed-project re-audit, and a phase-out.
  w.ProposeProject(day(140), "E01", "prj-E01-1", "年产2万吨精细化工项目", "E01", kPark, {"C2614"},
                   "li-hua", true);
  w.ReviewProject(day(150), "chen-jie", "prj-E01-1", "conditional", {"chen-jie", "li-hua"});
  w.PreAssess(day(160), "E01", "prj-E01-1", "河南安信安全评价有限公司");
  w.DesignReview(day(175), "zhou-qiang", "prj-E01-1", true, {"zhou-qiang"});
  w.ProjectMilestone(day(200), "E01", "prj-E01-1", "constructionStarted");
  w.ProjectMilestone(day(380), "E01", "prj-E01-1", "trialRun");
  w.Accept(day(420), "E01", "prj-E01-1", true, "E01", {"zhou-qiang", "chen-jie"});
  w.ProjectMilestone(day(425), "E01", "prj-E01-1", "productionStarted");
  w.Plan(day(230), "chen-jie", "plan-reaudit-2017", "landedProjectReaudit",
         "已落地项目安全审查排查", "park-safety", kPark, day(230), day(290), {{"E01", 1}});
  w.Inspect(day(240), "chen-jie", inspection_id(), "E01", "projectReaudit", {"chen-jie"}, true,
            "plan-reaudit-2017", "prj-E01-1");
  w.PhaseOut(day(250), "chen-jie", "E16", "工艺落后、安全风险高，推动淘汰退出", day(430));

  // Committee meetings, decisions and tasks.
  w.Meeting(day(95), "li-hua", "mtg-2017-1", "park-ako", "plenary", "li-hua",
            {"zhao-min", "chen-jie", "sun-li"},
            {{"一季度安全形势分析", {}, {}}, {"粉尘涉爆企业专项整治", {"E05"}, {"C33"}}});
  w.Decision(day(95), "li-hua", "dec-2017-1", "park-ako", "mtg-2017-1", "开展粉尘涉爆专项整治",
             {{"t1", "完成粉尘涉爆企业排查", "org:park-safety", day(150), {"E05"}},
              {"t2", "制定液氨制冷企业整治方案", "official:chen-jie", day(180), {"E06"}}});
  w.TaskStatus(day(148), "chen-jie", "dec-2017-1", "t1", "done");
  w.TaskStatus(day(178), "chen-jie", "dec-2017-1", "t2", "extended", day(240));
  w.Meeting(day(200), "chen-jie", "mtg-2017-2", "park-ako", "thematic", "li-hua",
            {"chen-jie", "sun-li"}, {{"危险化学品专题", {"E01", "E12"}, {"C26"}}});

  // Turnover: the inspector in charge moves on; the handover names a successor.
  w.Appoint(day(400), "wang-gang", "wu-fang", "", "park-safety", "执法人员");
  w.AssignDuty(day(400), "wang-gang", "d-wu-incharge", "official:wu-fang", "inspectorInCharge",
               {.enterprises = {"E01", "E02", "E05", "E06", "E12"}}, "d-sun-incharge");
  w.RevokeDuty(day(401), "wang-gang", "d-sun-incharge", "d-wu-incharge", "工作调整");
  w.RevokeDuty(day(401), "wang-gang", "d-sun-grid", "", "工作调整");
  w.LeavePost(day(402), "wang-gang", "sun-li", "park-safety", "执法人员", "调任");
  w.RevokeKey(day(403), "root", "sun-li", "调离岗位");

  // Second year: inspections by the new inspector, a general hazard left open.
  for (int q = 0; q < 3; ++q) {
    for (const char* id : {"E01", "E02", "E06", "E12"}) {
      w.Inspect(day(430 + 90 * q), "wu-fang", inspection_id(), id, "keyTarget", {"wu-fang"}, true);
    }
  }
  std::string i_e06 = inspection_id();
  w.Inspect(day(500), "wu-fang", i_e06, "E06", "keyTarget", {"wu-fang"}, false);
  std::string hz_e06 = w.Hazard(day(500), "wu-fang", "hz-E06-1", "E06", "general", "液氨制冷",
                                "液氨储罐区未设置泄漏报警", "inspection", i_e06);
  w.Order(day(500), "wu-fang", "ord-E06-1", "E06", {"hz-E06-1"}, day(530), i_e06, "设备主管");
  // A correction two days later: the hazard found that day was a major one (the corrected
  // record keeps the day it was found, and is recorded when the correction was made).
  w.Hazard(day(500), "wu-fang", "hz-E06-1", "E06", "major", "液氨制冷",
           "液氨储罐区未设置泄漏报警和紧急切断装置", "inspection", i_e06, "MEM10-2023#液氨(2)",
           J().s("supersedes", hz_e06).s("correctionReason", "复核后认定为重大事故隐患"));
  s.mutable_steps().back().recorded_at = day(502);
  w.Statistics(day(560), "E06", "E06", day(455), day(545), 3, 2, 1, 0);

  // A mistaken inspection record is withdrawn by whoever made it.
  std::string wrong = inspection_id();
  w.Inspect(day(505), "wu-fang", wrong, "E02", "routine", {"wu-fang"}, true);
  std::string wrong_event = w.last_event_id();
  w.Withdraw(day(506), "wu-fang", wrong_event, "检查对象记录错误（实为E12）");

  // Oversight and resourcing of the second year; parameters for the lapse rules.
  w.Oversight(day(380), "wang-gang", "ov-2017-park", "assessment", "official:li-hua", day(0),
              day(365), 82.5, "good", false, {"安委会会议记录不完整"});
  w.Oversight(day(390), "wang-gang", "ov-2017-check", "dutyCheck", "org:park-safety", day(0),
              day(365), 0, "unspecified", false, {"执法人员持证率偏低"});
  w.Resourcing(day(370), "chen-jie", "park-safety", day(365), day(730), 8, 4, 3, 120, 650'000);
  w.Parameters(day(450), "zhou-qiang", "local-2018", day(450),
               {{"L5", "key_target_interval_days", 92}, {"L11", "review_days", 10}});
  w.Accessed(day(510), "wu-fang", "enterprise:E06", "wu-fang", "查阅企业安全档案");
  w.Permit(day(520), "zhou-qiang", "pm-E12", "E12", "危险化学品经营许可证", "suspended", "sz-ajj",
           day(57 + 3 * 365));

  // A closure on the supervising department's request (Art 113).
  w.Closure(day(540), "chen-jie", "E16", false, "淘汰退出逾期未完成", 0);
  w.Closure(day(560), "wang-gang", "E16", true, "淘汰退出逾期未完成，依法关闭", 5);

  // The accident at E06, its reports, investigation, findings and accountability.
  Time accident_at = Days(t0, 600.3);
  Writer::Accident a;
  a.id = "acc-2018-1";
  a.enterprise = "E06";
  a.accident_at = accident_at;
  a.known_at = accident_at.PlusNanos(20 * 60 * Time::kNanosPerSecond);
  a.reported_at = accident_at.PlusNanos(50 * 60 * Time::kNanosPerSecond);
  a.reported_by = "企业主要负责人";
  a.recipient_org = "sz-ajj";
  a.deaths = 1;
  a.serious = 2;
  a.loss = 3'200'000;
  a.place = "液氨储罐区";
  a.description = "液氨管道泄漏导致人员中毒";
  w.ReportAccident(a.reported_at, "E06", a);
  Writer::Accident relay = a;
  relay.reported_at = accident_at.PlusNanos(170 * 60 * Time::kNanosPerSecond);
  relay.reported_by = "周强";
  relay.recipient_org = "smx-gov";
  relay.level = "city";
  w.ReportAccident(relay.reported_at, "zhou-qiang", relay);
  w.UpdateCasualties(Days(accident_at, 5), "E06", "acc-2018-1", 2, 1, 0, 4'100'000);
  w.Org(Days(accident_at, 1), "wang-gang", "sz-inv-2018-1", "陕州区“2018·10”中毒事故调查组",
        "investigationTeam", kCounty, "sz-gov");
  w.BindKey(Days(accident_at, 1), "root", "inv-team", "org:sz-inv-2018-1");
  w.Investigation(Days(accident_at, 1), "wang-gang", "acc-2018-1", "opened", "sz-inv-2018-1",
                  "wang-gang");
  w.Investigation(Days(accident_at, 55), "inv-team", "acc-2018-1", "reportSubmitted", "");
  w.Finding(Days(accident_at, 55), "inv-team", "f-1", "acc-2018-1", "unit", "E06",
            "重大事故隐患未按期整改", "依法从重处罚", "sz-ajj");
  w.Finding(Days(accident_at, 55), "inv-team", "f-2", "acc-2018-1", "official", "wu-fang",
            "对重大事故隐患督促整改不力", "政务处分", "sz-jw");
  w.Investigation(Days(accident_at, 60), "inv-team", "acc-2018-1", "reportApproved", "");
  w.Accountability(Days(accident_at, 75), "sz-jw", "acc-m-1", "govSanction", "demerit",
                   "official:wu-fang", {"f-2"}, 12);
  w.Accountability(Days(accident_at, 80), "sz-zzb", "acc-m-2", "orgHandling", "admonition",
                   "official:chen-jie", {"f-2"}, 6);
  w.Note(Days(accident_at, 90), "root", "二年期台账归档");
  // Steps were written by theme; they are recorded in time order.
  std::stable_sort(s.mutable_steps().begin(), s.mutable_steps().end(),
                   [](const Step& a, const Step& b) { return a.recorded_at < b.recorded_at; });
  return s;
}

}  // namespace dutyledger::scenario
