// The accountability domain: the fixture loads, every event type round-trips through JSON, and
// every event type is refused from a signer without the authority and accepted from one with it.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "ledger/codec.h"
#include "ledger/json.h"
#include "ledger/schema/event.capnp.h"
#include "ledger/verify.h"
#include "projections/domain_rules.h"
#include "projections/tables.h"
#include "tests/support/test_util.h"
#include "tools/scenario/scenario.h"
#include "tools/scenario/writers.h"

namespace dutyledger {
namespace {

using scenario::Scenario;
using scenario::Writer;

std::set<std::string> AllEventTypes() {
  std::set<std::string> types;
  capnp::StructSchema schema = capnp::Schema::from<schema::EventBody>();
  for (auto f : schema.getUnionFields()) {
    std::string name = f.getProto().getName().cStr();
    if (name != "unset" && name != "genesis") types.insert(name);
  }
  return types;
}

TEST(Domain, FixtureUsesEveryEventType) {
  Scenario s = scenario::FixtureScenario(7);
  std::set<std::string> used;
  for (const auto& step : s.steps()) used.insert(step.type);
  for (const auto& t : AllEventTypes()) EXPECT_TRUE(used.count(t)) << "fixture lacks " << t;
  std::set<std::string> enterprises;
  for (const auto& step : s.steps()) {
    if (step.type == "enterpriseRegistered") enterprises.insert(step.json);
  }
  EXPECT_EQ(enterprises.size(), 20u);
}

TEST(Domain, FixtureLoadsInProcessAndVerifies) {
  testing::TempDir dir;
  ManualClock clock(testing::TestEpoch());
  DomainRules rules;
  Scenario s = scenario::FixtureScenario(7);
  auto ledger = scenario::Play(s, dir.Sub("ledger"), clock, &rules);
  ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
  EXPECT_EQ((*ledger)->size(), s.steps().size() + 1);
  ledger->reset();
  auto report = VerifyLedgerFolder(dir.Sub("ledger"), VerifyOptions{});
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << report->Summary();
}

// A reader's cursors (iterators kept across one query's scans) read what fresh iterators read,
// also when a scan's callback starts another scan through the same cursors (the kept iterator
// is busy then: the inner scan gets its own), and across subject streams read one after another.
TEST(Domain, ScansThroughOneReadersCursorsReadWhatFreshIteratorsRead) {
  testing::TempDir dir;
  ManualClock clock(testing::TestEpoch());
  DomainRules rules;
  auto ledger = scenario::Play(scenario::FixtureScenario(7), dir.Sub("ledger"), clock, &rules);
  ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
  const Ledger& l = **ledger;
  namespace n = tables::name;
  const std::vector<std::string> prefixes = {
      tables::Prefix({n::kEnterprise}), tables::Prefix({n::kDuty}),
      tables::Prefix({n::kJurisdiction}), tables::Prefix({n::kOfficial})};
  // Every key under each prefix, and under each of them every key under every prefix again.
  auto scan_all = [&](Ledger::Cursors* cursors) {
    std::vector<std::string> seen;
    for (const auto& outer : prefixes) {
      Status s = l.ScanProjections(
          outer,
          [&](ByteView key, ByteView) {
            seen.emplace_back(key);
            for (const auto& inner : prefixes) {
              EXPECT_TRUE(l.ScanProjections(
                               inner,
                               [&](ByteView k, ByteView) {
                                 seen.push_back("  " + std::string(k));
                                 return true;
                               },
                               cursors)
                              .ok());
            }
            return true;
          },
          cursors);
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
    return seen;
  };
  Ledger::Cursors cursors;
  auto fresh = scan_all(nullptr);
  EXPECT_GT(fresh.size(), 1000u);
  EXPECT_EQ(scan_all(&cursors), fresh);
  EXPECT_EQ(scan_all(&cursors), fresh);  // the kept iterators, used again
  for (const char* subject : {"enterprise:E06", "enterprise:E01", "official:li-hua",
                              "enterprise:E06", "no-such-subject"}) {
    auto once = l.SubjectStream(subject);
    auto kept = l.SubjectStream(subject, &cursors);
    ASSERT_TRUE(once.ok() && kept.ok()) << subject;
    ASSERT_EQ(once->size(), kept->size()) << subject;
    for (size_t i = 0; i < once->size(); ++i) {
      EXPECT_EQ((*once)[i].sequence, (*kept)[i].sequence) << subject;
    }
    EXPECT_EQ(once->empty(), std::string_view(subject) == "no-such-subject") << subject;
  }
}

// Every event type: JSON -> Cap'n Proto -> JSON -> Cap'n Proto gives the same bytes, and the
// second JSON is the first's fixed point.
TEST(Domain, EveryEventTypeRoundTripsThroughJson) {
  Scenario s = scenario::FixtureScenario(7);
  EventJson json;
  std::set<std::string> seen;
  for (const auto& step : s.steps()) {
    auto body = json.ParseEventBodyAsIs(step.json);
    ASSERT_TRUE(body.ok()) << step.type << ": " << body.status().ToString();
    auto view = EventView::Decode(*body);
    ASSERT_TRUE(view.ok()) << step.type;
    std::string out = json.EventBodyToJson(view->body());
    auto again = json.ParseEventBodyAsIs(out);
    ASSERT_TRUE(again.ok()) << step.type << ": " << again.status().ToString() << "\n" << out;
    EXPECT_EQ(*again, *body) << step.type;
    EXPECT_EQ(json.EventBodyToJson(EventView::Decode(*again)->body()), out) << step.type;
    seen.insert(step.type);
  }
  EXPECT_EQ(seen.size(), AllEventTypes().size());
}

int RunCommand(const std::string& cmd, std::string* err, std::string* out = nullptr) {
  testing::TempDir tmp;
  std::string err_file = tmp.Sub("stderr"), out_file = tmp.Sub("stdout");
  int status = std::system((cmd + " 2>" + err_file + " >" + out_file).c_str());
  auto text = ReadSmallFile(err_file);
  if (text.ok()) *err = *text;
  auto output = ReadSmallFile(out_file);
  if (out && output.ok()) *out = *output;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The fixture, written out as key files and JSON Lines, loads through `dutyledger append`.
TEST(Domain, FixtureLoadsThroughDutyledgerAppend) {
  testing::TempDir dir;
  Scenario s = scenario::FixtureScenario(7);
  ASSERT_TRUE(scenario::WriteAppendInputs(s, dir.Sub("in")).ok());
  std::string bin = testing::BinaryDir() + "/tools/dutyledger/dutyledger";
  std::string data = dir.Sub("ledger");
  std::string err;
  ASSERT_EQ(
      RunCommand(bin + " init --data " + data + " --origin " + s.origin() + " --authority-key " +
                     dir.Sub("in/keys/root.key") + " --root-principal " + s.root_principal(),
                 &err),
      0)
      << err;
  std::ifstream manifest(dir.Sub("in/manifest.txt"));
  std::string key, file;
  int files = 0;
  while (manifest >> key >> file) {
    ASSERT_EQ(RunCommand(bin + " append --data " + data + " --key " + dir.Sub("in/" + key) +
                             " --file " + dir.Sub("in/" + file),
                         &err),
              0)
        << file << ": " << err;
    ++files;
  }
  EXPECT_GT(files, 50);
  ASSERT_EQ(RunCommand(bin + " verify --data " + data, &err), 0) << err;

  // The views, as a user asks for them (every record was made today, so each is late).
  std::string out;
  std::string at = " --valid-at 2018-10-20T00:00:00+08:00";
  ASSERT_EQ(RunCommand(bin + " official --data " + data + " wu-fang" + at, &err, &out), 0) << err;
  EXPECT_NE(out.find("wu-fang"), std::string::npos) << out;
  ASSERT_EQ(RunCommand(bin + " enterprise --data " + data + " E06 --json" + at, &err, &out), 0)
      << err;
  EXPECT_EQ(out.substr(0, 1), "{");
  ASSERT_EQ(RunCommand(bin + " park --data " + data + " smx/sz/park --lang zh-CN" + at, &err, &out),
            0)
      << err;
  EXPECT_NE(out.find("第一责任人"), std::string::npos) << out;
  ASSERT_EQ(RunCommand(bin + " lapses --data " + data + " --rule L10" + at, &err, &out), 0) << err;
  EXPECT_NE(out.find("L10"), std::string::npos) << out;
  EXPECT_EQ(RunCommand(bin + " lapses --data " + data + " --rule L99", &err, &out), 2);
  EXPECT_NE(err.find("L99"), std::string::npos) << err;
  EXPECT_EQ(RunCommand(bin + " enterprise --data " + data + " E99", &err, &out), 1);
  EXPECT_NE(err.find("E99"), std::string::npos) << err;
  // rebuild folds the log again into byte-identical tables.
  ASSERT_EQ(RunCommand(bin + " rebuild --data " + data, &err, &out), 0) << err;
  EXPECT_NE(out.find("identical to the tables before"), std::string::npos) << out;
  EXPECT_NE(out.find("compacted the tables in"), std::string::npos) << out;

  // compact rewrites the table files (the rebuild left its loaded files beside the appends'),
  // fewer of them; the record verifies to the same root and the views read the same.
  auto without_known_at = [](std::string json) {  // the one member that says when it was asked
    auto at = json.find("\"knownAt\"");
    if (at != std::string::npos) json.erase(at, json.find('\n', at) - at);
    return json;
  };
  const std::string view = bin + " enterprise --data " + data + " E06 --json" + at;
  std::string verified, viewed;
  ASSERT_EQ(RunCommand(bin + " verify --data " + data, &err, &verified), 0) << err;
  ASSERT_EQ(RunCommand(view, &err, &viewed), 0) << err;
  ASSERT_EQ(RunCommand(bin + " compact --data " + data, &err, &out), 0) << err;
  unsigned long long files_before = 0, files_after = 0;
  double mb_before = 0, mb_after = 0;
  ASSERT_EQ(std::sscanf(out.c_str(),
                        "compacted in %*f s: %llu table files (%lf MB) before, %llu (%lf MB) after",
                        &files_before, &mb_before, &files_after, &mb_after),
            4)
      << out;
  EXPECT_LT(files_after, files_before) << out;
  ASSERT_EQ(RunCommand(bin + " verify --data " + data, &err, &out), 0) << err;
  EXPECT_EQ(out, verified);
  ASSERT_EQ(RunCommand(view, &err, &out), 0) << err;
  EXPECT_EQ(without_known_at(out), without_known_at(viewed));
  // A folder that is not a ledger is refused, naming it.
  EXPECT_EQ(RunCommand(bin + " compact --data " + dir.Sub("nothing-here"), &err, &out), 1);
  EXPECT_NE(err.find("nothing-here"), std::string::npos) << err;
}

// ---------------------------------------------------------------------------------------------
// Authority: for every event type, one event valid in the fixture's final state, tried first
// by an official without the authority (refused, naming the rule, the signer and the subject),
// then by one with it (accepted).

class Authority : public ::testing::Test {
 protected:
  void SetUp() override {
    s_ = std::make_unique<Scenario>(scenario::FixtureScenario(7));
    Writer w(*s_);
    at_ = scenario::Days(s_->steps().back().at, 10);
    // The outsider: a real official, of a body with almost no reach (housing, E47 only).
    w.Appoint(at_, "wang-gang", "qian-yi", "钱一", "sz-zjj", "执法人员");
    w.BindKey(at_, "root", "qian-yi", "official:qian-yi");
    auto ledger = scenario::Play(*s_, dir_.Sub("ledger"), clock_, &rules_);
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    ledger_ = std::move(*ledger);
    played_ = s_->steps().size();
  }

  // Emits a probe with `w`, then tries it as the outsider (must be refused) and as written
  // (must be accepted).
  void Probe(const std::string& type, const std::function<void(Writer&)>& write) {
    SCOPED_TRACE(type);
    Writer w(*s_);
    size_t before = s_->steps().size();
    write(w);
    ASSERT_GT(s_->steps().size(), before);
    for (size_t i = before; i < s_->steps().size(); ++i) {
      const auto& step = s_->steps()[i];
      bool probe = i + 1 == s_->steps().size();
      if (probe) {
        EXPECT_EQ(step.type, type);
        covered_.insert(type);
        Refused(step);
      }
      Accepted(step);
    }
  }

  SignedEvent Sign(const std::string& json, const PrivateKey& key) {
    EventJson::Defaults d{s_->origin(), key.public_key().id(), &clock_};
    auto body = codec_.ParseEventBody(json, d);
    EXPECT_TRUE(body.ok()) << body.status().ToString();
    return testing::TestLedger::SignBody(body.ok() ? *body : Bytes(), key);
  }

  void Refused(const scenario::Step& step) {
    const PrivateKey& outsider = s_->KeyOf("qian-yi");
    std::string json = step.json;
    std::string mine = s_->KeyOf(step.actor).public_key().id().Hex();
    json.replace(json.find(mine), mine.size(), outsider.public_key().id().Hex());
    clock_.Set(std::max(clock_.Now(), step.recorded_at));
    uint64_t size = ledger_->size();
    auto r = ledger_->Append({Sign(json, outsider)});
    ASSERT_FALSE(r.ok()) << step.type << " by the outsider was accepted";
    EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied) << r.status().ToString();
    const std::string& m = r.status().message();
    std::printf("refused: %s\n", m.c_str());
    EXPECT_NE(m.find("rule "), std::string::npos) << m;
    EXPECT_NE(m.find("official:qian-yi"), std::string::npos) << m;
    EXPECT_EQ(ledger_->size(), size);
  }

  void Accepted(const scenario::Step& step) {
    clock_.Set(std::max(clock_.Now(), step.recorded_at));
    auto r = ledger_->Append({Sign(step.json, s_->KeyOf(step.actor))});
    ASSERT_TRUE(r.ok()) << step.type << " by " << step.actor << ": " << r.status().ToString();
  }

  Time at(double days = 0) { return scenario::Days(at_, days); }

  testing::TempDir dir_;
  ManualClock clock_{testing::TestEpoch()};
  DomainRules rules_;
  EventJson codec_;
  std::unique_ptr<Scenario> s_;
  std::unique_ptr<Ledger> ledger_;
  size_t played_ = 0;
  Time at_;
  std::set<std::string> covered_;
};

TEST_F(Authority, EveryEventTypeNeedsItsAuthority) {
  using S = std::vector<std::string>;
  Probe("jurisdictionRegistered", [&](Writer& w) {
    w.Jurisdiction(at(1), "root", "smx/sz/town-1", "张汴镇", "township", "smx/sz");
  });
  Probe("organizationRegistered", [&](Writer& w) {
    w.Org(at(1), "wang-gang", "park-fire", "集聚区消防站", "sectorDepartment", "smx/sz/park",
          "park-cmte");
  });
  Probe("officialAppointed", [&](Writer& w) {
    w.Appoint(at(2), "wang-gang", "he-ping", "何平", "park-safety", "执法人员");
  });
  Probe("officialLeftPost", [&](Writer& w) {
    w.LeavePost(at(3), "wang-gang", "he-ping", "park-safety", "执法人员", "辞职");
  });
  Probe("dutyAssigned", [&](Writer& w) {
    w.AssignDuty(at(4), "wang-gang", "d-probe", "official:li-hua", "portfolioLead",
                 {.industries = {"C13"}, .portfolio = "食品"});
  });
  Probe("dutyRevoked", [&](Writer& w) { w.RevokeDuty(at(5), "wang-gang", "d-probe", "", "调整"); });
  Probe("industrySupervisionMapped",
        [&](Writer& w) { w.MapIndustry(at(5), "wang-gang", "N77", "sz-ajj", "smx/sz"); });
  Probe("dutyListPublished", [&](Writer& w) {
    w.PublishDutyList(at(5), "chen-jie", "park-safety", "2019", {"监督检查"});
  });
  Probe("resourcingRecorded", [&](Writer& w) {
    w.Resourcing(at(5), "chen-jie", "park-safety", at(-365), at(0), 8, 6, 4, 200, 900'000);
  });
  Probe("safetyCommitteeConstituted", [&](Writer& w) {
    w.Constitute(at(6), "wang-gang", "park-ako", "smx/sz/park", "li-hua",
                 S{"zhao-min", "chen-jie", "wu-fang"}, S{"park-safety", "sz-ajj"}, "park-safety");
  });
  Probe("committeeMeetingHeld", [&](Writer& w) {
    w.Meeting(at(7), "li-hua", "mtg-probe", "park-ako", "thematic", "li-hua", S{"chen-jie"},
              {{"汛期安全", {}, {}}});
  });
  Probe("committeeDecisionRecorded", [&](Writer& w) {
    w.Decision(at(7), "li-hua", "dec-probe", "park-ako", "mtg-probe", "汛前检查",
               {{"t1", "汛前检查", "org:park-safety", at(30), {}}});
  });
  Probe("committeeTaskStatusChanged",
        [&](Writer& w) { w.TaskStatus(at(8), "chen-jie", "dec-probe", "t1", "done"); });
  Probe("enterpriseRegistered", [&](Writer& w) {
    w.Register(at(8), "chen-jie", {"E21", "陕州新材料有限公司", "smx/sz/park", {"C2929"}});
  });
  Probe("keyBound", [&](Writer& w) { w.BindKey(at(9), "chen-jie", "E21", "enterprise:E21"); });
  Probe("enterpriseProfileUpdated", [&](Writer& w) {
    w.UpdateProfile(at(9), "chen-jie", "E21", S{"C2929"}, "high", false, true);
  });
  Probe("enterprisePrincipalChanged",
        [&](Writer& w) { w.ChangePrincipal(at(9), "E21", "E21", "马力", "马力"); });
  Probe("keyTargetChanged", [&](Writer& w) {
    w.KeyTarget(at(9), "chen-jie", "E21", true, "high", "新兴材料，风险较高");
  });
  Probe("checklistVersionPublished", [&](Writer& w) {
    w.Checklist(at(9), "zhou-qiang", "derived-2021-v0", at(365),
                {{"CL-1", "具备安全生产条件", "SPL2021#20"}});
  });
  Probe("enterpriseResponsibilityDeclared", [&](Writer& w) {
    w.Declare(at(10), "E21", "E21", "derived-2021-v0", {{"CL-1", "partial"}});
  });
  Probe("standardizationGradeChanged",
        [&](Writer& w) { w.Standardization(at(10), "zhou-qiang", "E21", 3); });
  Probe("permitStatusChanged", [&](Writer& w) {
    w.Permit(at(10), "zhou-qiang", "pm-E01", "E01", "安全生产许可证", "renewed", "sz-ajj",
             at(1000));
  });
  Probe("projectProposed", [&](Writer& w) {
    w.ProposeProject(at(11), "E21", "prj-E21", "新材料二期", "E21", "smx/sz/park", S{"C2929"},
                     "li-hua", false);
  });
  Probe("projectSafetyReviewed", [&](Writer& w) {
    w.ReviewProject(at(12), "chen-jie", "prj-E21", "approved", S{"chen-jie"});
  });
  Probe("safetyPreAssessmentFiled",
        [&](Writer& w) { w.PreAssess(at(13), "E21", "prj-E21", "河南安信安全评价有限公司"); });
  Probe("safetyFacilityDesignReviewed",
        [&](Writer& w) { w.DesignReview(at(14), "zhou-qiang", "prj-E21", true, S{"zhou-qiang"}); });
  Probe("projectMilestoneReported",
        [&](Writer& w) { w.ProjectMilestone(at(15), "E21", "prj-E21", "constructionStarted"); });
  Probe("safetyFacilityAccepted",
        [&](Writer& w) { w.Accept(at(16), "E21", "prj-E21", true, "E21", S{"zhou-qiang"}); });
  Probe("phaseOutDecided",
        [&](Writer& w) { w.PhaseOut(at(16), "chen-jie", "E20", "工艺落后", at(200)); });
  Probe("inspectionPlanApproved", [&](Writer& w) {
    w.Plan(at(17), "chen-jie", "plan-2019", "annual", "2019年度计划", "park-safety", "smx/sz/park",
           at(17), at(380), {{"E21", 4}});
  });
  Probe("inspectionConducted", [&](Writer& w) {
    w.Inspect(at(18), "chen-jie", "insp-probe", "E21", "keyTarget", S{"chen-jie"}, false,
              "plan-2019");
  });
  Probe("hazardIdentified", [&](Writer& w) {
    w.Hazard(at(18), "chen-jie", "hz-probe", "E21", "major", "有限空间", "有限空间作业未审批",
             "inspection", "insp-probe", "MEM10-2023#有限空间(1)");
  });
  Probe("hazardSelfReported",
        [&](Writer& w) { w.SelfReport(at(18), "E21", "hz-probe", "E21", "park-safety"); });
  Probe("hazardStatisticsFiled",
        [&](Writer& w) { w.Statistics(at(19), "E21", "E21", at(-90), at(0), 2, 2, 1, 0); });
  Probe("rectificationOrdered", [&](Writer& w) {
    w.Order(at(19), "chen-jie", "ord-probe", "E21", S{"hz-probe"}, at(49), "insp-probe", "马力");
  });
  Probe("rectificationPlanSubmitted",
        [&](Writer& w) { w.SubmitPlan(at(20), "E21", "ord-probe", "hz-probe", 200'000); });
  Probe("rectificationDeadlineChanged", [&](Writer& w) {
    w.ExtendDeadline(at(40), "chen-jie", "ord-probe", at(60), "chen-jie", "设备到货延迟");
  });
  Probe("rectificationReported",
        [&](Writer& w) { w.ReportRectification(at(55), "E21", "ord-probe", "E21"); });
  Probe("rectificationReviewed", [&](Writer& w) {
    w.ReviewRectification(at(58), "chen-jie", "ord-probe", false, S{"chen-jie"}, "复查〔2019〕1号");
  });
  Probe("hazardListing", [&](Writer& w) {
    w.List(at(59), "zhou-qiang", "hz-probe", true, "县级", "park-safety", "li-hua", at(120));
  });
  Probe("onSiteMeasure", [&](Writer& w) {
    w.Measure(at(59), "chen-jie", "ms-probe", "E21", true, "temporarySuspension", S{"hz-probe"});
  });
  Probe("caseAction", [&](Writer& w) {
    w.Case(at(60), "chen-jie", "case-probe", "E21", true, "隐患逾期未整改", S{"ord-probe"});
  });
  Probe("penaltyNoticeServed",
        [&](Writer& w) { w.Notice(at(61), "chen-jie", "case-probe", "E21", S{"fine"}, at(68)); });
  Probe("penaltyDecided", [&](Writer& w) {
    w.Penalize(at(70), "zhou-qiang", "case-probe", "E21", {{"fine", 30'000, ""}},
               "（陕）应急罚〔2019〕2号");
  });
  Probe("resumptionDecided", [&](Writer& w) {
    w.Resume(at(80), "zhou-qiang", "E21", "ms-probe", "", true, S{"zhou-qiang"});
  });
  Probe("closureAction",
        [&](Writer& w) { w.Closure(at(81), "chen-jie", "E20", false, "淘汰退出逾期", 0); });
  Writer::Accident a;
  a.id = "acc-probe";
  a.enterprise = "E21";
  a.accident_at = at(82);
  a.known_at = at(82.01);
  a.reported_at = at(82.03);
  a.reported_by = "马力";
  a.recipient_org = "sz-ajj";
  a.serious = 1;
  a.loss = 100'000;
  Probe("accidentReported", [&](Writer& w) { w.ReportAccident(a.reported_at, "E21", a); });
  Probe("accidentCasualtiesUpdated",
        [&](Writer& w) { w.UpdateCasualties(at(84), "E21", "acc-probe", 0, 2, 0, 150'000); });
  Probe("investigationMilestone", [&](Writer& w) {
    w.Investigation(at(85), "wang-gang", "acc-probe", "opened", "sz-inv-2018-1", "wang-gang");
  });
  Probe("responsibilityFindingRecorded", [&](Writer& w) {
    w.Finding(at(100), "inv-team", "f-probe", "acc-probe", "official", "chen-jie", "监管不力",
              "诫勉", "sz-zzb");
  });
  Probe("oversightConducted", [&](Writer& w) {
    w.Oversight(at(101), "wang-gang", "ov-probe", "tour", "org:park-safety", at(-365), at(100), 0,
                "unspecified", false, S{"隐患整改督办不力"});
  });
  Probe("accountabilityMeasureImposed", [&](Writer& w) {
    w.Accountability(at(102), "sz-zzb", "acc-probe-m", "orgHandling", "admonition",
                     "official:chen-jie", S{"f-probe"}, 6);
  });
  Probe("lapseRuleParametersSet", [&](Writer& w) {
    w.Parameters(at(103), "zhou-qiang", "local-2019", at(103), {{"L10", "grace_days", 0}});
  });
  Probe("recordAccessed", [&](Writer& w) {
    w.Accessed(at(104), "chen-jie", "enterprise:E21", "chen-jie", "事故后调阅档案");
  });
  Probe("recordWithdrawn", [&](Writer& w) {
    w.Note(at(105), "chen-jie", "误录备注");
    w.Withdraw(at(105), "chen-jie", w.last_event_id(), "误录");
  });
  Probe("keyRevoked",
        [&](Writer& w) { w.RevokeKey(at(106), "chen-jie", "E21", "企业注销，密钥作废"); });

  // Every type with an authority rule was probed; a note needs none (any bound key may sign
  // one) and a genesis is refused anywhere but entry 0.
  std::set<std::string> want = AllEventTypes();
  want.erase("note");
  for (const auto& t : want) EXPECT_TRUE(covered_.count(t)) << "no authority probe for " << t;
}

// A record made long after the fact is accepted and marked late (never refused); a record of
// the future is refused.
TEST_F(Authority, BackDatedRecordsAreAcceptedAndMarkedLate) {
  Writer w(*s_);
  // Recorded 40 days after the inspection it describes.
  w.Inspect(at(1), "chen-jie", "insp-late", "E02", "routine", {"chen-jie"}, true, "", "", true,
            40 * Time::kNanosPerDay);
  const auto& step = s_->steps().back();
  Accepted(step);
  uint64_t seq = ledger_->size() - 1;
  auto row = ledger_->GetProjection(tables::Key({tables::name::kLate, tables::SeqPart(seq)}));
  ASSERT_TRUE(row.ok() && *row) << "no late mark";
  auto late = MessageView<tables::LateRow>::Decode(**row);
  ASSERT_TRUE(late.ok());
  EXPECT_EQ((*late)->getRecordedAt() - (*late)->getOccurredAt(), 40 * Time::kNanosPerDay);
  auto stream = ledger_->SubjectStream("late:all");
  ASSERT_TRUE(stream.ok());
  EXPECT_EQ(stream->back().sequence, seq);
  EXPECT_EQ(stream->back().recorded_at.unix_nanos - stream->back().occurred_at.unix_nanos,
            40 * Time::kNanosPerDay);
  // Recorded promptly: no mark.
  w.Inspect(at(42), "chen-jie", "insp-prompt", "E02", "routine", {"chen-jie"}, true);
  Accepted(s_->steps().back());
  row = ledger_->GetProjection(
      tables::Key({tables::name::kLate, tables::SeqPart(ledger_->size() - 1)}));
  ASSERT_TRUE(row.ok());
  EXPECT_FALSE(row->has_value());
  // A record of the future is refused (the ledger's clock skew rule).
  w.Inspect(at(60), "chen-jie", "insp-future", "E02", "routine", {"chen-jie"}, true);
  auto r = ledger_->Append({Sign(s_->steps().back().json, s_->KeyOf("chen-jie"))});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("is in the future"), std::string::npos);
}

// Near misses of the reference and transition rules: each refused with the rule named, and
// nothing written.
TEST_F(Authority, ReferencesAndTransitionsAreChecked) {
  struct Case {
    std::string name;
    std::function<void(Writer&)> write;
    StatusCode code;
    std::string reason;
  };
  std::vector<Case> cases = {
      {"review of an order never issued",
       [&](Writer& w) {
         w.ReviewRectification(at(1), "chen-jie", "no-such-order", true, {"chen-jie"}, "x");
       },
       StatusCode::kNotFound, "rule reference"},
      {"order naming a hazard that does not exist",
       [&](Writer& w) { w.Order(at(1), "chen-jie", "ord-x", "E02", {"hz-none"}, at(30), "", "x"); },
       StatusCode::kNotFound, "hazard hz-none"},
      {"resumption without a suspension",
       [&](Writer& w) { w.Resume(at(1), "zhou-qiang", "E02", "", "", true, {"zhou-qiang"}); },
       StatusCode::kFailedPrecondition, "no suspension in force"},
      {"acceptance of a project never reviewed",
       [&](Writer& w) {
         w.ProposeProject(at(1), "E02", "prj-x", "扩建", "E02", "smx/sz/park", {"C3216"}, "",
                          false);
         w.Accept(at(2), "E02", "prj-x", true, "E02", {});
       },
       StatusCode::kFailedPrecondition, "never had its safety review"},
      {"inspection of an enterprise that does not exist",
       [&](Writer& w) {
         w.Inspect(at(1), "chen-jie", "insp-x", "E99", "routine", {"chen-jie"}, true);
       },
       StatusCode::kNotFound, "enterprise E99"},
      {"listing a general hazard",
       [&](Writer& w) {
         w.List(at(1), "zhou-qiang", "hz-E03-1", true, "县级", "park-safety", "li-hua", at(30));
       },
       StatusCode::kFailedPrecondition, "only a major hazard"},
      {"delisting a hazard never listed",
       [&](Writer& w) {
         w.List(at(1), "zhou-qiang", "hz-E03-1", false, "县级", "park-safety", "li-hua", at(30));
       },
       StatusCode::kFailedPrecondition, "never listed"},
      {"a duty revoked twice",
       [&](Writer& w) { w.RevokeDuty(at(1), "wang-gang", "d-sun-incharge", "", "again"); },
       StatusCode::kFailedPrecondition, "already revoked"},
      {"closure decided without a request",
       [&](Writer& w) { w.Closure(at(1), "wang-gang", "E02", true, "x", 0); },
       StatusCode::kFailedPrecondition, "on a supervising department's request"},
      {"an inspection record neither signed nor refused",
       [&](Writer& w) {
         w.Inspect(at(1), "chen-jie", "insp-y", "E02", "routine", {"chen-jie"}, true, "", "",
                   /*signed_by_enterprise=*/false);
         // Remove the recorded refusal note: the record says neither.
         auto& json = w.scenario().mutable_steps().back().json;
         json.replace(json.find("\"refusalNote\""), 13, "\"summary\"");
       },
       StatusCode::kInvalidArgument, "its refusal is recorded"},
      {"a withdrawal by someone else",
       [&](Writer& w) {
         w.Note(at(1), "chen-jie", "x");
         w.Withdraw(at(1), "zhou-qiang", w.last_event_id(), "x");
       },
       StatusCode::kPermissionDenied, "only whoever recorded it"},
      {"a withdrawal of an event that does not exist",
       [&](Writer& w) {
         w.Withdraw(at(1), "chen-jie", "0190f7a2-6c1e-7b3a-9d2e-4f5a6b7c8d9e", "x");
       },
       StatusCode::kNotFound, "rule reference"},
      {"the same id registered twice",
       [&](Writer& w) {
         w.Register(at(1), "chen-jie", {"E01", "重复", "smx/sz/park", {"C2614"}});
       },
       StatusCode::kFailedPrecondition, "already recorded"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Writer w(*s_);
    size_t before = s_->steps().size();
    c.write(w);
    ASSERT_GT(s_->steps().size(), before);
    for (size_t i = before; i + 1 < s_->steps().size(); ++i) Accepted(s_->steps()[i]);
    const auto& step = s_->steps().back();
    clock_.Set(std::max(clock_.Now(), step.recorded_at));
    uint64_t size = ledger_->size();
    auto r = ledger_->Append({Sign(step.json, s_->KeyOf(step.actor))});
    ASSERT_FALSE(r.ok()) << c.name << " was accepted";
    EXPECT_EQ(r.status().code(), c.code) << r.status().ToString();
    EXPECT_NE(r.status().message().find(c.reason), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find("rule "), std::string::npos) << r.status().message();
    EXPECT_EQ(ledger_->size(), size);
    s_->mutable_steps().pop_back();
  }
}

}  // namespace
}  // namespace dutyledger
