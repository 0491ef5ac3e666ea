// The demo's generated city (city.h). Built like the fixture, from the writers: the places and
// bodies first, then each year's plans, inspections, hazards, orders, projects, committee
// business and turnover, then the accident enterprise's last year as scripted here.
#include "tools/scenario/city.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include "tools/scenario/writers.h"

namespace dutyledger::scenario {
namespace {

constexpr char kCity[] = "ya";
constexpr int64_t kHour = Time::kNanosPerHour;
constexpr int64_t kMinute = 60 * Time::kNanosPerSecond;

// Raw mt19937_64 output only: the same on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) : g_(seed) {}
  uint64_t Below(uint64_t n) { return g_() % n; }
  bool Chance(double p) { return static_cast<double>(g_() >> 11) * 0x1.0p-53 < p; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }

 private:
  std::mt19937_64 g_;
};

struct IndustrySpec {
  const char* code;
  const char* trade;
  const char* risk;
  bool emerging;
};
const std::vector<IndustrySpec>& Industries() {
  static const std::vector<IndustrySpec> v = {
      {"C2614", "化工", "major", false},       {"C3216", "铝业", "high", false},
      {"C3021", "建材", "general", false},     {"C3311", "机械制造", "general", false},
      {"C3393", "粉末冶金", "high", false},    {"C1351", "冷链食品", "high", false},
      {"C3484", "精密部件", "general", false}, {"C2221", "纸业", "general", false},
      {"C2641", "涂料", "high", false},        {"C1329", "饲料", "low", false},
      {"C2231", "包装", "low", false},         {"C3821", "电气设备", "general", false},
      {"C1713", "纺织", "low", false},         {"D4511", "燃气", "high", false},
      {"G5942", "物流仓储", "general", false}, {"E4710", "建工", "general", false},
      {"N7724", "电池回收", "high", true},
  };
  return v;
}
const std::vector<std::string> kBrands = {"华泰", "金源", "恒达", "鑫鑫", "中德", "宏远", "永兴",
                                          "天元", "瑞丰", "昌盛", "东方", "华鑫", "佳美", "润通",
                                          "安达", "晨光", "豫西", "新华", "博远", "兴业"};
const std::vector<std::pair<std::string, std::string>> kSurnames = {
    {"王", "wang"}, {"李", "li"},   {"张", "zhang"}, {"刘", "liu"},  {"陈", "chen"},
    {"杨", "yang"}, {"赵", "zhao"}, {"黄", "huang"}, {"周", "zhou"}, {"吴", "wu"},
    {"徐", "xu"},   {"孙", "sun"},  {"马", "ma"},    {"朱", "zhu"},  {"胡", "hu"},
    {"郭", "guo"},  {"何", "he"},   {"高", "gao"},   {"林", "lin"},  {"罗", "luo"}};
const std::vector<std::pair<std::string, std::string>> kGiven = {
    {"伟", "wei"},   {"芳", "fang"}, {"娜", "na"},   {"敏", "min"},  {"静", "jing"},
    {"强", "qiang"}, {"磊", "lei"},  {"军", "jun"},  {"洋", "yang"}, {"勇", "yong"},
    {"艳", "yan"},   {"杰", "jie"},  {"涛", "tao"},  {"明", "ming"}, {"超", "chao"},
    {"霞", "xia"},   {"平", "ping"}, {"刚", "gang"}, {"华", "hua"},  {"丽", "li"}};
const std::vector<std::pair<std::string, std::string>> kHazardTypes = {
    {"电气", "配电柜前未铺设绝缘垫"},
    {"机械防护", "皮带输送机防护罩缺失"},
    {"消防", "安全出口堵塞"},
    {"有限空间", "未设置有限空间警示标志"},
    {"特种设备", "叉车未定期检验"},
    {"危险化学品", "危化品仓库未分类存放"},
    {"粉尘涉爆", "除尘系统未设置锁气卸灰装置"},
    {"高处作业", "作业平台护栏缺失"}};

struct Official {
  std::string id, name;
};

struct Enterprise {
  std::string id;
  const IndustrySpec* industry;
  bool key_target;
  size_t slice;
};

// The inspectors in charge of a slice of a park's enterprises over time.
struct Slice {
  std::vector<std::pair<Time, std::string>> inspectors;  // from, official id
  std::string duty;                                      // the current duty id
  std::vector<std::string> enterprises;
  std::string At(Time t) const {
    std::string who = inspectors.front().second;
    for (const auto& [from, id] : inspectors) {
      if (from <= t) who = id;
    }
    return who;
  }
};

struct Park {
  std::string id, key, cmte, safety, committee;
  std::string head, party, safety_head;
  std::vector<Slice> slices;
  std::vector<Enterprise> enterprises;
};

struct County {
  std::string id, key, name, gov, ajj, scjg, zjj, party, jw;
  std::string magistrate, ajj_head, scjg_inspector;
  std::vector<std::string> ajj_inspectors;
  std::vector<Park> parks;
};

class CityBuilder {
 public:
  CityBuilder(const CityOptions& o, Scenario& s, CityStory* story)
      : o_(o), s_(s), w_(s), rng_(o.seed * 0x9E3779B97F4A7C15ull + 17), story_(story) {}

  void Build();

 private:
  Time Day(double d) const { return Days(start_, d); }
  Official NewOfficial();
  std::string Appoint(Time at, const std::string& signer, const std::string& org,
                      const std::string& post, bool head);
  void Places();
  void Enterprises();
  void Year(int y);
  void Turnover(County& c, Park& p, size_t slice, Time at);
  void EnterpriseYear(County& c, Park& p, const Enterprise& e, int y);
  void Inspection(County& c, Park& p, const Enterprise& e, Time t, bool key_target);
  void Project(County& c, Park& p, const Enterprise& e, Time t);
  void Story();
  bool InRange(Time t) const { return t < end_; }

  const CityOptions& o_;
  Scenario& s_;
  Writer w_;
  Rng rng_;
  CityStory* story_;
  Time start_, accident_at_, end_;
  std::vector<County> counties_;
  std::set<std::string> official_ids_;
  std::map<std::string, std::string> names_;
  int next_ = 0;
};

Official CityBuilder::NewOfficial() {
  while (true) {
    const auto& [sn, sp] = rng_.Pick(kSurnames);
    const auto& [gn, gp] = rng_.Pick(kGiven);
    std::string id = sp + "-" + gp;
    for (int n = 2; official_ids_.count(id); ++n) id = sp + "-" + gp + "-" + std::to_string(n);
    official_ids_.insert(id);
    return {id, sn + gn};
  }
}

// Appoints a new official to a post and binds their key; returns the id.
std::string CityBuilder::Appoint(Time at, const std::string& signer, const std::string& org,
                                 const std::string& post, bool head) {
  Official off = NewOfficial();
  w_.Appoint(at, signer, off.id, off.name, org, post, head);
  w_.BindKey(at, "root", off.id, "official:" + off.id);
  return off.id;
}

void CityBuilder::Places() {
  int parks = std::max(1, (o_.enterprises + 149) / 150);
  int counties = (parks + 1) / 2;
  w_.Jurisdiction(Day(0), "root", kCity, "豫安市", "city", "");
  w_.Org(Day(0), "root", "ya-gov", "豫安市人民政府", "government", kCity, "");
  static const char* kCountyNames[] = {"安平县", "河阳县", "清源县", "东岭县", "西川县", "南湖县"};
  for (int ci = 0; ci < counties; ++ci) {
    County c;
    c.key = "c" + std::to_string(ci + 1);
    c.id = std::string(kCity) + "/" + c.key;
    std::string cname = ci < 6 ? kCountyNames[ci] : "第" + std::to_string(ci + 1) + "县";
    c.name = cname;
    w_.Jurisdiction(Day(0), "root", c.id, cname, "county", kCity);
    c.gov = c.key + "-gov";
    c.party = c.key + "-party";
    c.ajj = c.key + "-ajj";
    c.scjg = c.key + "-scjg";
    c.zjj = c.key + "-zjj";
    c.jw = c.key + "-jw";
    w_.Org(Day(0), "root", c.gov, cname + "人民政府", "government", c.id, "ya-gov");
    w_.Org(Day(0), "root", c.party, "中共" + cname + "委员会", "partyCommittee", c.id, "");
    w_.Org(Day(0), "root", c.ajj, cname + "应急管理局", "emergencyManagement", c.id, c.gov);
    w_.Org(Day(0), "root", c.scjg, cname + "市场监督管理局", "sectorDepartment", c.id, c.gov);
    w_.Org(Day(0), "root", c.zjj, cname + "住房和城乡建设局", "sectorDepartment", c.id, c.gov);
    w_.Org(Day(0), "root", c.jw, cname + "纪委监委", "disciplineBody", c.id, c.party);
    w_.BindKey(Day(0), "root", c.jw, "org:" + c.jw);
    c.magistrate = Appoint(Day(1), "root", c.gov, "县长", true);
    w_.AssignDuty(Day(1), "root", "d-" + c.key + "-appoint", "official:" + c.magistrate,
                  "appointingAuthority", {.orgs = {c.gov}});
    c.ajj_head = Appoint(Day(2), c.magistrate, c.ajj, "局长", true);
    for (int i = 0; i < 2; ++i)
      c.ajj_inspectors.push_back(Appoint(Day(2), c.magistrate, c.ajj, "执法人员", false));
    c.scjg_inspector = Appoint(Day(2), c.magistrate, c.scjg, "执法人员", false);
    w_.AssignDuty(Day(3), c.magistrate, "d-" + c.key + "-comprehensive", "org:" + c.ajj,
                  "comprehensiveSupervisor", {.jurisdictions = {c.id}});
    w_.MapIndustry(Day(3), c.magistrate, "C", c.ajj, c.id);
    w_.MapIndustry(Day(3), c.magistrate, "N77", c.ajj, c.id);
    w_.MapIndustry(Day(3), c.magistrate, "E47", c.zjj, c.id);
    w_.MapIndustry(Day(3), c.magistrate, "G59", c.scjg, c.id);
    w_.MapIndustry(Day(3), c.magistrate, "D45", c.scjg, c.id);
    for (int pi = 0; pi < 2 && ci * 2 + pi < parks; ++pi) {
      Park p;
      p.key = c.key + "p" + std::to_string(pi + 1);
      p.id = c.id + "/p" + std::to_string(pi + 1);
      std::string pname = cname + (pi == 0 ? "产业集聚区" : "化工园区");
      w_.Jurisdiction(Day(0), "root", p.id, pname, "industrialPark", c.id, true);
      p.cmte = p.key + "-cmte";
      p.safety = p.key + "-safety";
      p.committee = p.key + "-ako";
      w_.Org(Day(0), "root", p.cmte, pname + "管理委员会", "parkCommittee", p.id, c.gov);
      w_.Org(Day(0), "root", p.safety, pname + "安全生产监督管理局", "parkSafetyBody", p.id,
             p.cmte);
      w_.Org(Day(0), "root", p.committee, pname + "安全生产委员会", "safetyCommittee", p.id,
             p.cmte);
      p.head = Appoint(Day(2), c.magistrate, p.cmte, "管委会主任", true);
      p.party = Appoint(Day(2), c.magistrate, p.cmte, "党工委书记", false);
      p.safety_head = Appoint(Day(2), c.magistrate, p.safety, "局长", true);
      w_.AssignDuty(Day(3), c.magistrate, "d-" + p.key + "-first", "official:" + p.head,
                    "firstResponsible", {.jurisdictions = {p.id}});
      w_.AssignDuty(Day(3), c.magistrate, "d-" + p.key + "-party", "official:" + p.party,
                    "partyFirstResponsible", {.jurisdictions = {p.id}});
      w_.AssignDuty(Day(3), c.magistrate, "d-" + p.key + "-territorial", "org:" + p.safety,
                    "territorialSupervision", {.jurisdictions = {p.id}});
      w_.AssignDuty(Day(3), c.magistrate, "d-" + p.key + "-registrar", "official:" + p.safety_head,
                    "keyRegistrar", {.orgs = {p.safety}});
      w_.Constitute(Day(4), c.magistrate, p.committee, p.id, p.head, {p.party, p.safety_head},
                    {p.safety, c.ajj}, p.safety);
      w_.AssignDuty(Day(4), c.magistrate, "d-" + p.key + "-chair", "official:" + p.head,
                    "committeeChair", {.committee = p.committee});
      w_.PublishDutyList(Day(5), p.safety_head, p.safety, "2020",
                         {"辖区企业安全生产监督检查", "事故隐患排查治理监督", "挂牌督办"});
      c.parks.push_back(std::move(p));
    }
    counties_.push_back(std::move(c));
  }
}

void CityBuilder::Enterprises() {
  int total = std::max(1, o_.enterprises);
  int parks = 0;
  for (const auto& c : counties_) parks += static_cast<int>(c.parks.size());
  int n = 0, park_index = 0;
  for (auto& c : counties_) {
    for (auto& p : c.parks) {
      int here = total / parks + (park_index < total % parks ? 1 : 0);
      ++park_index;
      for (int i = 0; i < here; ++i, ++n) {
        Enterprise e;
        char id[16];
        std::snprintf(id, sizeof id, "E%05d", n + 1);
        e.id = id;
        bool story = n == 0;
        e.industry = story ? &Industries()[5] : &rng_.Pick(Industries());
        std::string risk = e.industry->risk;
        e.key_target = story || risk == "major" || (risk == "high" && rng_.Chance(0.6));
        Writer::Enterprise spec{e.id, "", p.id, {e.industry->code}};
        spec.name = c.name.substr(0, c.name.size() - 3) + rng_.Pick(kBrands) + e.industry->trade +
                    "有限公司";
        spec.risk = risk;
        spec.emerging = e.industry->emerging;
        spec.foreign = rng_.Chance(0.05);
        spec.source = rng_.Chance(0.8) ? "census" : (rng_.Chance(0.7) ? "licence" : "complaint");
        spec.employees = 30 + static_cast<int>(rng_.Below(400));
        Time at = Day(10 + static_cast<double>(i % 40) * 0.5);
        w_.Register(at, p.safety_head, spec);
        w_.BindKey(at, p.safety_head, e.id, "enterprise:" + e.id);
        if (e.key_target) {
          w_.KeyTarget(Days(at, 1), p.safety_head, e.id, true, "high",
                       std::string("涉及") + e.industry->trade + "重点风险");
        }
        e.slice = static_cast<size_t>(i / 40);
        p.enterprises.push_back(e);
      }
      // Inspectors in charge: one per 40 enterprises.
      size_t slices = (p.enterprises.size() + 39) / 40;
      for (size_t k = 0; k < slices; ++k) {
        Slice sl;
        std::string who = Appoint(Day(6), c.magistrate, p.safety, "执法人员", false);
        sl.inspectors.push_back({Day(6), who});
        sl.duty = "d-" + p.key + "-incharge-" + std::to_string(k + 1) + "-1";
        for (const auto& e : p.enterprises) {
          if (e.slice == k) sl.enterprises.push_back(e.id);
        }
        w_.AssignDuty(Day(31), c.magistrate, sl.duty, "official:" + who, "inspectorInCharge",
                      {.enterprises = sl.enterprises});
        p.slices.push_back(std::move(sl));
      }
    }
  }
}

// A clean handover: the successor's duty names the one it succeeds, the same day.
void CityBuilder::Turnover(County& c, Park& p, size_t k, Time at) {
  Slice& sl = p.slices[k];
  std::string old = sl.inspectors.back().second;
  std::string next = Appoint(Days(at, -5), c.magistrate, p.safety, "执法人员", false);
  std::string duty = "d-" + p.key + "-incharge-" + std::to_string(k + 1) + "-" +
                     std::to_string(sl.inspectors.size() + 1);
  w_.AssignDuty(at, c.magistrate, duty, "official:" + next, "inspectorInCharge",
                {.enterprises = sl.enterprises}, sl.duty);
  w_.RevokeDuty(at, c.magistrate, sl.duty, duty, "工作调整");
  w_.LeavePost(at, c.magistrate, old, p.safety, "执法人员", "调任");
  w_.RevokeKey(Days(at, 2), "root", old, "调离岗位");
  sl.duty = duty;
  sl.inspectors.push_back({at, next});
}

void CityBuilder::Inspection(County& c, Park& p, const Enterprise& e, Time t, bool key_target) {
  if (!InRange(Days(t, 1))) return;
  const Slice& sl = p.slices[e.slice];
  std::string who = rng_.Chance(0.05) ? rng_.Pick(c.ajj_inspectors) : sl.At(t);
  std::string id = "i-" + e.id + "-" + std::to_string(++next_);
  bool findings = rng_.Chance(0.25);
  w_.Inspect(t, who, id, e.id, key_target ? "keyTarget" : "routine", {who}, !findings);
  if (!findings) return;
  const auto& [type, text] = rng_.Pick(kHazardTypes);
  std::string hz = "hz-" + e.id + "-" + std::to_string(next_);
  std::string ord = "ord-" + e.id + "-" + std::to_string(next_);
  bool major = rng_.Chance(0.08);
  w_.Hazard(t, who, hz, e.id, major ? "major" : "general", type, text, "inspection", id,
            major ? "MEM10-2023#" + type : "");
  Time due = Days(t, major ? 60 : 20);
  w_.Order(Days(t, 0).PlusNanos(kHour), who, ord, e.id, {hz}, due, id, "企业主要负责人");
  if (major) {
    w_.List(Days(t, 1), c.ajj_head, hz, true, "县级", p.safety, p.head, due);
  }
  Time report = Days(t, major ? 40 : 12 + static_cast<double>(rng_.Below(6)));
  if (!InRange(Days(report, 6))) return;
  w_.ReportRectification(report, e.id, ord, e.id);
  Time review = Days(report, 3);
  w_.ReviewRectification(review, sl.At(review), ord, true, {sl.At(review)},
                         "复查-" + std::to_string(next_));
  if (major) w_.List(Days(review, 1), c.ajj_head, hz, false, "县级", p.safety, p.head, due);
}

// A project through 三同时, clean: each approval after its prerequisites.
void CityBuilder::Project(County& c, Park& p, const Enterprise& e, Time t) {
  if (!InRange(Days(t, 260))) return;
  std::string prj = "prj-" + e.id + "-" + std::to_string(++next_);
  bool high = std::string(e.industry->risk) == "major" || std::string(e.industry->risk) == "high";
  w_.ProposeProject(t, e.id, prj, std::string("扩建") + e.industry->trade + "生产线", e.id, p.id,
                    {e.industry->code}, p.head, high);
  w_.ReviewProject(Days(t, 10), p.safety_head, prj, "approved", {p.safety_head});
  w_.PreAssess(Days(t, 20), e.id, prj, "安全评价机构");
  w_.DesignReview(Days(t, 30), c.ajj_head, prj, true, {c.ajj_head});
  w_.ProjectMilestone(Days(t, 40), e.id, prj, "constructionStarted");
  w_.ProjectMilestone(Days(t, 200), e.id, prj, "trialRun");
  w_.Accept(Days(t, 240), e.id, prj, true, e.id, {c.ajj_head, p.safety_head});
  w_.ProjectMilestone(Days(t, 245), e.id, prj, "productionStarted");
}

void CityBuilder::EnterpriseYear(County& c, Park& p, const Enterprise& e, int y) {
  double y0 = 365.0 * y;
  bool story = e.id == story_->enterprise;
  if (story) {
    // Inspections anchored on the accident, every 85 days before the scripted year; findings
    // corrected on the spot (no hazard records), so the scripted year alone decides.
    double a = (accident_at_.unix_nanos - start_.unix_nanos) / double(Time::kNanosPerDay);
    for (double d = a - 385; d >= 40; d -= 85) {
      if (d < y0 || d >= y0 + 365) continue;
      const Slice& sl = p.slices[e.slice];
      std::string id = "i-" + e.id + "-" + std::to_string(++next_);
      w_.Inspect(Day(d), sl.At(Day(d)), id, e.id, "keyTarget", {sl.At(Day(d))}, false);
    }
    return;
  }
  if (e.key_target) {
    double off = 40 + static_cast<double>(std::hash<std::string>{}(e.id) % 20);
    for (int q = 0; q < 4; ++q) Inspection(c, p, e, Day(y0 + off + 85 * q), true);
  } else {
    double off = 40 + static_cast<double>(std::hash<std::string>{}(e.id) % 300);
    Inspection(c, p, e, Day(y0 + off), false);
  }
  if (rng_.Chance(0.04)) Project(c, p, e, Day(y0 + 30 + static_cast<double>(rng_.Below(60))));
}

void CityBuilder::Year(int y) {
  double y0 = 365.0 * y;
  for (auto& c : counties_) {
    for (auto& p : c.parks) {
      // The annual plan, resourcing, the committee's quarterly meetings and tasks.
      std::vector<Writer::PlanTarget> targets;
      for (const auto& e : p.enterprises) {
        if (e.key_target) targets.push_back({e.id, 4});
      }
      std::string year = std::to_string(2020 + y);
      double plan_day = y0 + (y == 0 ? 35 : 8);  // the first after the census
      w_.Plan(Day(plan_day), p.safety_head, "plan-" + p.key + "-" + year, "annual",
              year + "年度监督检查计划", p.safety, p.id, Day(plan_day), Day(y0 + 365), targets);
      w_.Resourcing(Day(y0 + 9), p.safety_head, p.safety, Day(y0), Day(y0 + 365),
                    8 + static_cast<int>(p.slices.size()), 5 + static_cast<int>(p.slices.size()), 4,
                    160, 600'000 + 50'000 * static_cast<int64_t>(p.slices.size()));
      // Thematic meetings every 88 days and plenary ones every 120 (L3 asks for 92 and 183),
      // each deciding a task the safety body completes ten days early.
      for (auto [type, every] : {std::pair<const char*, int>{"plenary", 120}, {"thematic", 88}}) {
        for (int k = static_cast<int>(y0 / every); 20 + every * k < y0 + 365; ++k) {
          double d = 20 + every * k;
          if (d < y0) continue;
          Time at = Day(d);
          if (!InRange(Days(at, 60))) break;
          std::string id = p.key + "-" + type + "-" + std::to_string(k + 1);
          std::string m = "mtg-" + id, dec = "dec-" + id;
          bool plenary = type[0] == 'p';
          w_.Meeting(at, p.head, m, p.committee, type, p.head, {p.party, p.safety_head},
                     {{plenary ? "安全生产形势分析" : "隐患排查治理专题", {}, {}}});
          w_.Decision(at, p.head, dec, p.committee, m,
                      plenary ? "部署阶段性安全生产工作" : "部署专项隐患排查",
                      {{"t1",
                        plenary ? "完成重点企业检查" : "完成专项排查",
                        "official:" + p.safety_head,
                        Days(at, 60),
                        {}}});
          w_.TaskStatus(Days(at, 50), p.safety_head, dec, "t1", "done");
        }
      }
      if (y > 0) {
        w_.Oversight(Day(y0 + 30), c.magistrate, "ov-" + p.key + "-" + year, "assessment",
                     "official:" + p.head, Day(y0 - 365), Day(y0), 80 + rng_.Below(15), "good",
                     false, {"隐患排查治理台账基本完整"});
        // Turnover: one inspector in charge a year moves on (never the story's slice).
        size_t k = static_cast<size_t>(y) % p.slices.size();
        bool story_slice = p.id == story_->park && k == 0;
        if (!story_slice && InRange(Day(y0 + 185))) Turnover(c, p, k, Day(y0 + 180));
      }
      for (const auto& e : p.enterprises) EnterpriseYear(c, p, e, y);
    }
  }
}

// The accident enterprise's last year (A = the accident). With failures: a handover gap, empty
// inspections, an order nobody followed up, a major hazard nobody acted on, a project accepted
// without a design review, a committee task left undone, and an inspection back-dated after the
// accident. Without: the same year handled by the book.
void CityBuilder::Story() {
  County& c = counties_[0];
  Park& p = c.parks[0];
  const Enterprise& e = p.enterprises[0];
  Slice& sl = p.slices[0];
  const bool f = o_.failures;
  const std::string& E = e.id;
  auto A = [&](double d) { return Days(accident_at_, d); };
  std::string i1 = sl.inspectors.back().second;
  std::string w = c.ajj_inspectors[0];
  story_->departing_inspector = i1;
  story_->county_inspector = w;
  story_->park_safety_head = p.safety_head;
  story_->county_safety_head = c.ajj_head;
  story_->committee = p.committee;
  int n = 0;
  auto inspect = [&](double d, const std::string& who, bool empty, const std::string& mode,
                     int64_t delay = 2 * kHour) {
    std::string id = "i-" + E + "-s" + std::to_string(++n);
    w_.Inspect(A(d), who, id, E, mode, {who}, empty, "", "", true, delay);
    return id;
  };
  // A general hazard found and, unless it is the failure, put right by the book.
  auto general = [&](double d, const std::string& who, const std::string& type,
                     const std::string& text, bool follow_up, std::string* order_out) {
    std::string insp = inspect(d, who, false, "keyTarget");
    std::string hz = "hz-" + E + "-s" + std::to_string(n);
    std::string ord = "ord-" + E + "-s" + std::to_string(n);
    w_.Hazard(A(d), who, hz, E, "general", type, text, "inspection", insp);
    w_.Order(A(d).PlusNanos(kHour), who, ord, E, {hz}, A(d + 30), insp, "企业主要负责人");
    if (order_out) *order_out = ord;
    if (!follow_up) return;
    w_.ReportRectification(A(d + 25), E, ord, E);
    std::string reviewer = sl.At(A(d + 28));
    w_.ReviewRectification(A(d + 28), reviewer, ord, true, {reviewer}, "复查-" + ord);
  };

  // The project: proposed by the enterprise, promoted by the park head.
  std::string prj = "prj-" + E + "-story";
  story_->project = prj;
  w_.ProposeProject(A(-330), E, prj, "液氨制冷系统扩建项目", E, p.id, {e.industry->code}, p.head,
                    true);
  w_.ReviewProject(A(-320), p.safety_head, prj, "approved", {p.safety_head});
  w_.PreAssess(A(-310), E, prj, "豫安安全评价有限公司");
  if (!f) w_.DesignReview(A(-305), c.ajj_head, prj, true, {c.ajj_head});
  w_.ProjectMilestone(A(-300), E, prj, "constructionStarted");
  w_.ProjectMilestone(A(-170), E, prj, "trialRun");
  w_.Accept(A(-150), E, prj, true, E, {c.ajj_head, p.safety_head});
  w_.ProjectMilestone(A(-148), E, prj, "productionStarted");

  std::string i2 = Appoint(A(-205), c.magistrate, p.safety, "执法人员", false);
  story_->successor_inspector = i2;
  sl.inspectors.push_back({A(-200), i2});
  general(-300, i1, "电气", "配电室电缆沟未封堵", true, nullptr);
  general(-215, i1, "机械防护", "压缩机联轴器防护罩缺失", true, nullptr);

  // The handover of the inspector in charge.
  std::string duty = "d-" + p.key + "-incharge-1-story";
  if (f) {
    w_.RevokeDuty(A(-200), c.magistrate, sl.duty, "", "工作调整");
    w_.AssignDuty(A(-170), c.magistrate, duty, "official:" + i2, "inspectorInCharge",
                  {.enterprises = sl.enterprises});
  } else {
    w_.AssignDuty(A(-200), c.magistrate, duty, "official:" + i2, "inspectorInCharge",
                  {.enterprises = sl.enterprises}, sl.duty);
    w_.RevokeDuty(A(-200), c.magistrate, sl.duty, duty, "工作调整");
  }
  w_.LeavePost(A(-200), c.magistrate, i1, p.safety, "执法人员", "调任");
  w_.RevokeKey(A(-198), "root", i1, "调离岗位");
  sl.duty = duty;

  story_->empty_inspections.push_back(inspect(-160, i2, true, "keyTarget"));
  if (f) {
    story_->empty_inspections.push_back(inspect(-130, i2, true, "keyTarget"));
  } else {
    general(-130, i2, "消防", "冷库安全出口堵塞", true, nullptr);
  }
  general(-110, i2, "有限空间", "污水池未设置有限空间警示标志", !f, &story_->overdue_order);
  story_->empty_inspections.push_back(inspect(-60, i2, true, "keyTarget"));

  // The committee names the sector (液氨制冷) and gives the park's safety body a task.
  std::string m = "mtg-" + p.key + "-story";
  w_.Meeting(A(-100), p.head, m, p.committee, "thematic", p.head, {p.party, p.safety_head},
             {{"涉氨制冷企业专项整治", {E}, {"C13"}}});
  std::string dec = "dec-" + p.key + "-story";
  w_.Decision(A(-100), p.head, dec, p.committee, m, "开展涉氨制冷企业专项整治",
              {{"t1", "完成涉氨制冷企业专项检查", "official:" + p.safety_head, A(-30), {E}}});
  if (!f) w_.TaskStatus(A(-35), p.safety_head, dec, "t1", "done");

  // The major hazard: the ammonia tank area without leak alarms.
  std::string hz = "hz-" + E + "-major";
  story_->major_hazard = hz;
  if (f) {
    std::string insp = inspect(-40, w, false, "unannounced");
    w_.Hazard(A(-40), w, hz, E, "major", "液氨制冷", "液氨储罐区未设置泄漏报警和紧急切断装置",
              "inspection", insp, "MEM10-2023#液氨(2)");
  } else {
    w_.Hazard(A(-40), E, hz, E, "major", "液氨制冷", "液氨储罐区未设置泄漏报警和紧急切断装置",
              "selfCheck", "", "MEM10-2023#液氨(2)");
    w_.SelfReport(A(-40), E, hz, E, p.safety);
    std::string insp = "i-" + E + "-s" + std::to_string(++n);
    w_.Inspect(A(-40).PlusNanos(3 * kHour), i2, insp, E, "keyTarget", {i2}, false);
    std::string ord = "ord-" + E + "-major";
    w_.Order(A(-40).PlusNanos(4 * kHour), i2, ord, E, {hz}, A(-20), insp, "企业主要负责人");
    w_.List(A(-39), c.ajj_head, hz, true, "县级", p.safety, p.head, A(-20));
    w_.ReportRectification(A(-25), E, ord, E);
    w_.ReviewRectification(A(-22), i2, ord, true, {i2}, "复查-" + ord);
    w_.List(A(-21), c.ajj_head, hz, false, "县级", p.safety, p.head, A(-20));
  }

  // The accident, reported within the hour and relayed within two.
  Writer::Accident acc;
  acc.id = "acc-" + E;
  acc.enterprise = E;
  acc.accident_at = accident_at_;
  acc.known_at = A(0).PlusNanos(15 * kMinute);
  acc.reported_at = A(0).PlusNanos(40 * kMinute);
  acc.reported_by = "企业主要负责人";
  acc.recipient_org = c.ajj;
  acc.deaths = 2;
  acc.serious = 3;
  acc.loss = 5'600'000;
  acc.place = "液氨储罐区";
  acc.description = "液氨管道阀门泄漏导致人员中毒";
  w_.ReportAccident(acc.reported_at, E, acc);
  Writer::Accident relay = acc;
  relay.reported_at = A(0).PlusNanos(100 * kMinute);
  relay.reported_by = c.ajj_head;
  relay.recipient_org = "ya-gov";
  relay.level = "city";
  w_.ReportAccident(relay.reported_at, c.ajj_head, relay);
  w_.UpdateCasualties(A(2), E, acc.id, 2, 3, 0, 6'100'000);
  story_->accident = acc.id;

  // The inspection said to have happened five days before, recorded two days after.
  if (f) {
    story_->backdated_inspection = inspect(-5, i2, true, "keyTarget", 7 * Time::kNanosPerDay);
  }
}

void CityBuilder::Build() {
  start_ = *ParseRfc3339("2020-01-06T09:00:00+08:00");
  s_.set_start(start_);
  int years = std::max(1, o_.years);
  accident_at_ = Days(start_, 365.0 * years - 20).PlusNanos(5 * kHour + 20 * kMinute);
  end_ = Days(accident_at_, 3);
  Places();
  {
    story_->park = counties_[0].parks[0].id;
    story_->enterprise = "E00001";
    story_->accident_at = accident_at_;
  }
  Enterprises();
  Story();  // first: it hands the story's slice over, which the years' signers follow
  for (int y = 0; y < years; ++y) Year(y);
  std::stable_sort(s_.mutable_steps().begin(), s_.mutable_steps().end(),
                   [](const Step& a, const Step& b) { return a.recorded_at < b.recorded_at; });
}

}  // namespace

Scenario CityScenario(const CityOptions& options, CityStory* story) {
  Scenario s(options.seed, "ya.gov.cn/city", "org:ya-gov");
  CityStory unused;
  CityBuilder b(options, s, story ? story : &unused);
  b.Build();
  return s;
}

}  // namespace dutyledger::scenario
