// The investigation report and committee replay on the demo's generated city: each woven
// failure is in the report, under its question, attributed to the right duty holders, and is
// absent when the same city is generated without the failures; the formats hold (text in 100
// columns, JSON, well-formed HTML with its SVG timeline); the evidence bundle passes
// verify-bundle and its inclusion proofs check independently (a Python RFC 9162 verifier).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "ledger/codec.h"
#include "projections/domain_rules.h"
#include "projections/investigation.h"
#include "projections/query.h"
#include "tests/support/test_util.h"
#include "tools/scenario/city.h"
#include "tools/scenario/writers.h"

namespace dutyledger {
namespace {

using scenario::CityStory;

std::string Bin() { return testing::BinaryDir() + "/tools/dutyledger/dutyledger"; }

int Shell(const std::string& cmd, std::string* out = nullptr, std::string* err = nullptr) {
  testing::TempDir tmp;
  int status = std::system((cmd + " >" + tmp.Sub("out") + " 2>" + tmp.Sub("err")).c_str());
  auto o = ReadSmallFile(tmp.Sub("out"), 64 << 20), e = ReadSmallFile(tmp.Sub("err"));
  if (out) *out = o.ok() ? *o : "";
  if (err) *err = e.ok() ? *e : "";
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// One generated city per variant, played once for the suite (closed, so the CLI can open it).
struct City {
  CityStory story;
  std::string path;
};

class Investigations : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    for (bool failures : {true, false}) {
      scenario::CityOptions o;
      o.enterprises = 90;
      o.years = 2;
      o.failures = failures;
      City& c = failures ? *(with_ = new City) : *(without_ = new City);
      auto s = scenario::CityScenario(o, &c.story);
      c.path = dir_->Sub(failures ? "with" : "without");
      ManualClock clock(s.start());
      DomainRules rules;
      auto ledger = scenario::Play(s, c.path, clock, &rules, false);
      ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    }
  }
  static void TearDownTestSuite() {
    delete with_;
    delete without_;
    delete dir_;
  }

  // The report on the city's accident, built in process.
  struct Report {
    std::unique_ptr<Ledger> ledger;
    Investigation inv;
  };
  static std::unique_ptr<Report> Investigate(const City& c, Lang lang = Lang::kEn) {
    auto r = std::make_unique<Report>();
    Ledger::Options o;
    static SystemClock clock;
    o.clock = &clock;
    o.read_only = true;
    auto ledger = Ledger::Open(c.path, o);
    EXPECT_TRUE(ledger.ok()) << ledger.status().ToString();
    r->ledger = std::move(*ledger);
    auto inv = dutyledger::Investigate(*r->ledger, {c.story.accident, "", "", lang});
    EXPECT_TRUE(inv.ok()) << inv.status().ToString();
    r->inv = std::move(*inv);
    return r;
  }

  // The concerns of question q, as "text | holders".
  static std::vector<std::string> Concerns(const Report& r, int q) {
    std::vector<std::string> out;
    for (auto f : r.inv.report.getQuestions()[q - 1].getFindings()) {
      if (!f.getConcern()) continue;
      std::string s = f.getText().cStr();
      s += " |";
      for (auto h : f.getHolders()) s += std::string(" ") + h.cStr();
      out.push_back(s);
    }
    return out;
  }
  static bool Has(const std::vector<std::string>& v, const std::string& a,
                  const std::string& b = "") {
    for (const auto& s : v) {
      if (s.find(a) != std::string::npos && s.find(b) != std::string::npos) return true;
    }
    return false;
  }

  static testing::TempDir* dir_;
  static City* with_;
  static City* without_;
};
testing::TempDir* Investigations::dir_;
City* Investigations::with_;
City* Investigations::without_;

TEST_F(Investigations, EachWovenFailureIsFoundUnderItsQuestionAndAttributed) {
  auto r = Investigate(*with_);
  const CityStory& s = with_->story;
  std::string succ = "official:" + s.successor_inspector;
  // Q1: the handover gap, naming the departing inspector's duty.
  EXPECT_TRUE(Has(Concerns(*r, 1), "L26")) << ::testing::PrintToString(Concerns(*r, 1));
  // Q3: the overdue order nobody followed up, on the successor inspector.
  EXPECT_TRUE(Has(Concerns(*r, 3), "L10", s.overdue_order));
  EXPECT_TRUE(Has(Concerns(*r, 3), "L10", succ));
  // Q4: the major hazard nobody acted on.
  for (const char* rule : {"L7", "L8", "L9"}) {
    EXPECT_TRUE(Has(Concerns(*r, 4), rule, s.major_hazard)) << rule;
  }
  // Q5: the project accepted without a design review, signed by the park safety head.
  EXPECT_TRUE(Has(Concerns(*r, 5), "L17", "official:" + s.park_safety_head));
  EXPECT_TRUE(Has(Concerns(*r, 5), "L18", s.project));
  // Q6: the empty inspections before the hazard, by the successor.
  EXPECT_TRUE(Has(Concerns(*r, 6), "L6", succ));
  // Q7: the committee's task left undone.
  EXPECT_TRUE(Has(Concerns(*r, 7), "L4", "official:" + s.park_safety_head));
  // Q10: the inspection back-dated after the accident.
  EXPECT_TRUE(Has(Concerns(*r, 10), s.backdated_inspection.empty() ? "?" : "inspectionConducted"));
  EXPECT_TRUE(Has(Concerns(*r, 10), "L30"));
  // The accident is named, and the report rests on a checkpoint covering it.
  EXPECT_EQ(std::string(r->inv.report.getIncident().cStr()), s.accident);
  EXPECT_EQ(r->inv.report.getCheckpointSize(), r->ledger->size());
  // Every cited entry is the ledger's, with its leaf hash.
  for (auto q : r->inv.report.getQuestions()) {
    for (auto f : q.getFindings()) {
      for (auto e : f.getEvidence()) {
        auto entries = r->ledger->ReadEntries({e.getSequence()});
        ASSERT_TRUE(entries.ok());
        Digest leaf = r->ledger->hasher().LeafHash((*entries)[0].bytes());
        ASSERT_EQ(leaf.view(), ByteView(reinterpret_cast<const char*>(e.getLeafHash().begin()),
                                        e.getLeafHash().size()));
      }
    }
  }
}

TEST_F(Investigations, WithoutTheFailuresNoneIsReported) {
  auto r = Investigate(*without_);
  for (auto [q, rule] : std::vector<std::pair<int, const char*>>{{1, "L26"},
                                                                 {3, "L10"},
                                                                 {3, "L11"},
                                                                 {4, "L7"},
                                                                 {4, "L8"},
                                                                 {4, "L9"},
                                                                 {5, "L17"},
                                                                 {5, "L18"},
                                                                 {6, "L6"},
                                                                 {7, "L4"},
                                                                 {10, "L30"}}) {
    EXPECT_FALSE(Has(Concerns(*r, q), rule))
        << rule << ": " << ::testing::PrintToString(Concerns(*r, q));
  }
  EXPECT_TRUE(Concerns(*r, 3).empty()) << ::testing::PrintToString(Concerns(*r, 3));
  EXPECT_TRUE(Concerns(*r, 4).empty()) << ::testing::PrintToString(Concerns(*r, 4));
  EXPECT_TRUE(Concerns(*r, 10).empty()) << ::testing::PrintToString(Concerns(*r, 10));
}

TEST_F(Investigations, ChineseUsesTheDomainsTerms) {
  auto r = Investigate(*with_, Lang::kZh);
  std::string text = RenderInvestigationText(r->inv.report);
  for (const char* term :
       {"责令限期整改指令书", "挂牌督办", "党政同责", "重大事故隐患", "三同时", "事故调查报告"}) {
    EXPECT_NE(text.find(term), std::string::npos) << term;
  }
}

// Display columns of a UTF-8 line: East Asian wide characters (CJK ideographs, CJK
// punctuation, fullwidth forms) take two.
size_t Columns(const std::string& line) {
  size_t cols = 0;
  for (size_t i = 0; i < line.size();) {
    unsigned char b = static_cast<unsigned char>(line[i]);
    size_t len = b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
    char32_t c = b < 0x80 ? b : b < 0xe0 ? (b & 0x1f) : b < 0xf0 ? (b & 0x0f) : (b & 0x07);
    for (size_t k = 1; k < len && i + k < line.size(); ++k) {
      c = (c << 6) | (static_cast<unsigned char>(line[i + k]) & 0x3f);
    }
    bool wide = (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xf900 && c <= 0xfaff) ||
                (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60);
    cols += wide ? 2 : 1;
    i += len;
  }
  return cols;
}

TEST_F(Investigations, TextFitsA100ColumnTerminal) {
  for (Lang lang : {Lang::kEn, Lang::kZh}) {
    auto r = Investigate(*with_, lang);
    std::istringstream text(RenderInvestigationText(r->inv.report));
    std::string line;
    int n = 0;
    while (std::getline(text, line)) {
      ++n;
      // The checkpoint's signature line is quoted whole.
      if (line.find("— ") != std::string::npos && line.find("ya.gov.cn") != std::string::npos) {
        continue;
      }
      EXPECT_LE(Columns(line), 100u) << line;
    }
    EXPECT_GT(n, 50);
  }
}

TEST_F(Investigations, CliFormatsBundleAndIndependentProofCheck) {
  testing::TempDir tmp;
  std::string base =
      Bin() + " investigate --data " + with_->path + " --incident " + with_->story.accident;
  std::string out, err;
  // HTML: one well-formed (XML-parsable) page with its SVG timeline, no external assets.
  ASSERT_EQ(Shell(base + " --format html --lang zh-CN --out " + tmp.Sub("r.html"), &out, &err), 0)
      << err;
  auto html = ReadSmallFile(tmp.Sub("r.html"));
  ASSERT_TRUE(html.ok());
  EXPECT_NE(html->find("<svg"), std::string::npos);
  EXPECT_EQ(html->find("src=\"http"), std::string::npos);
  EXPECT_EQ(html->find("href=\"http"), std::string::npos);
  ASSERT_EQ(Shell("python3 -c \"import sys, xml.etree.ElementTree as E; "
                  "r = E.parse(sys.argv[1]).getroot(); "
                  "assert r.find('.//{http://www.w3.org/2000/svg}svg') is not None\" " +
                      tmp.Sub("r.html"),
                  &out, &err),
            0)
      << err;
  // JSON with the bundle; the bundle verifies, and its proofs check against the report.
  ASSERT_EQ(
      Shell(base + " --format json --out " + tmp.Sub("r.json") + " --bundle " + tmp.Sub("bundle"),
            &out, &err),
      0)
      << err;
  EXPECT_NE(err.find("evidence bundle"), std::string::npos) << err;
  ASSERT_EQ(Shell(Bin() + " verify-bundle " + tmp.Sub("bundle"), &out, &err), 0) << out << err;
  ASSERT_EQ(Shell("python3 " + testing::TestDataDir() + "/scripts/check_inclusion.py " +
                      tmp.Sub("r.json") + " " + tmp.Sub("bundle/proofs.json"),
                  &out, &err),
            0)
      << err;
  EXPECT_GT(std::stoi(out), 20);
  // Refusals name what was wrong.
  EXPECT_EQ(
      Shell(Bin() + " investigate --data " + with_->path + " --incident acc-nothing", &out, &err),
      1);
  EXPECT_NE(err.find("acc-nothing"), std::string::npos) << err;
  EXPECT_EQ(
      Shell(Bin() + " investigate --data " + with_->path + " --enterprise E00001", &out, &err), 2);
  EXPECT_NE(err.find("--at"), std::string::npos) << err;
  EXPECT_EQ(Shell(base + " --format pdf", &out, &err), 2);
  // By enterprise and moment, as text.
  ASSERT_EQ(Shell(Bin() + " investigate --data " + with_->path +
                      " --enterprise E00001 --at 2021-10-01T00:00:00+08:00",
                  &out, &err),
            0)
      << err;
  EXPECT_NE(out.find("2021-10-01"), std::string::npos);
}

TEST_F(Investigations, CommitteeReplayAndDiff) {
  const CityStory& s = with_->story;
  std::string before = FormatRfc3339(scenario::Days(s.accident_at, -101)),
              after = FormatRfc3339(scenario::Days(s.accident_at, -99));
  std::string base = Bin() + " decisions --data " + with_->path + " --committee " + s.committee;
  std::string out, err;
  ASSERT_EQ(Shell(base + " --known-at " + before + " --diff-known-at " + after, &out, &err), 0)
      << err;
  // The thematic meeting on the ammonia enterprises and its task appear between the two.
  EXPECT_NE(out.find("meetingAdded: mtg-c1p1-story"), std::string::npos) << out;
  EXPECT_NE(out.find("taskAdded: dec-c1p1-story/t1"), std::string::npos) << out;
  // As recorded at the end, at the accident, the task is open and overdue.
  ASSERT_EQ(Shell(base + " --valid-at " + FormatRfc3339(s.accident_at), &out, &err), 0) << err;
  EXPECT_NE(out.find("dec-c1p1-story/t1"), std::string::npos);
  EXPECT_NE(out.find("OVERDUE"), std::string::npos);
  // Without the failure it was done in time.
  ASSERT_EQ(Shell(Bin() + " decisions --data " + without_->path + " --committee " +
                      without_->story.committee + " --valid-at " + FormatRfc3339(s.accident_at),
                  &out, &err),
            0)
      << err;
  EXPECT_EQ(out.find("OVERDUE"), std::string::npos) << out;
  ASSERT_EQ(Shell(base + " --json", &out, &err), 0);
  EXPECT_NE(out.find("\"committeeId\""), std::string::npos);
  EXPECT_EQ(Shell(base.substr(0, base.find(" --committee")) + " --committee nobody", &out, &err),
            1);
  EXPECT_NE(err.find("nobody"), std::string::npos);
}

TEST(Demo, RunsAsTheMainJobAndIsDeterministic) {
  testing::TempDir tmp;
  std::string out, err, again;
  ASSERT_EQ(Shell(Bin() + " demo --enterprises 40 --years 1 --data " + tmp.Sub("a"), &out, &err), 0)
      << err;
  EXPECT_NE(out.find("Investigation report"), std::string::npos);
  EXPECT_NE(out.find("L8"), std::string::npos);
  ASSERT_EQ(Shell(Bin() + " demo --enterprises 40 --years 1 --data " + tmp.Sub("b"), &again, &err),
            0);
  // The same city and report; only the checkpoint differs (each ledger makes its own log key,
  // which the genesis names, so the roots and signatures differ).
  auto body = [](const std::string& s) { return s.substr(0, s.find("Signed checkpoint")); };
  EXPECT_EQ(body(out), body(again));
  ASSERT_EQ(Shell(Bin() + " verify --data " + tmp.Sub("a"), &out, &err), 0) << err;
  ASSERT_EQ(Shell(Bin() + " demo --enterprises 40 --years 1 --without-failures", &out, &err), 0)
      << err;
  EXPECT_EQ(out.find("L8 "), std::string::npos) << out;
  EXPECT_EQ(Shell(Bin() + " demo --enterprises 40 --years 1 --data " + tmp.Sub("a"), &out, &err),
            1);
}

}  // namespace
}  // namespace dutyledger
