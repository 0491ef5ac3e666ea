// The demo's generated city: it plays into a ledger that verifies, it is deterministic, and the
// failures woven into the accident enterprise's last year are found as lapses by the rule they
// break and attributed to the right duty holders; with the failures left out, none is found.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "ledger/json.h"
#include "ledger/verify.h"
#include "projections/domain_rules.h"
#include "projections/investigation.h"
#include "projections/query.h"
#include "projections/views.h"
#include "tests/projections/lapse_oracle.h"
#include "tests/support/test_util.h"
#include "tools/scenario/city.h"
#include "tools/scenario/writers.h"

namespace dutyledger {
namespace {

using scenario::CityOptions;
using scenario::CityStory;

struct Played {
  CityStory story;
  std::unique_ptr<testing::TempDir> dir;
  std::unique_ptr<ManualClock> clock;
  std::unique_ptr<DomainRules> rules;
  std::unique_ptr<Ledger> ledger;
  size_t steps = 0;
};

// `parameters`: set by the county's emergency management head from the city's first day on.
Played PlayCity(bool failures,
                const std::vector<std::tuple<std::string, std::string, double>>& parameters = {}) {
  Played p;
  p.dir = std::make_unique<testing::TempDir>();
  p.clock = std::make_unique<ManualClock>(testing::TestEpoch());
  p.rules = std::make_unique<DomainRules>();
  CityOptions o;
  o.enterprises = 90;
  o.years = 2;
  o.failures = failures;
  auto s = scenario::CityScenario(o, &p.story);
  if (!parameters.empty()) {
    scenario::Writer w(s);
    const Time from = s.start().PlusNanos(5 * 24 * Time::kNanosPerHour);
    w.Parameters(from, p.story.county_safety_head, "graces", from, parameters);
    std::stable_sort(s.mutable_steps().begin(), s.mutable_steps().end(),
                     [](const scenario::Step& a, const scenario::Step& b) {
                       return a.recorded_at < b.recorded_at;
                     });
  }
  p.steps = s.steps().size();
  auto ledger = scenario::Play(s, p.dir->Sub("ledger"), *p.clock, p.rules.get(), false);
  EXPECT_TRUE(ledger.ok()) << ledger.status().ToString();
  if (ledger.ok()) p.ledger = std::move(*ledger);
  return p;
}

// Hands each lapse of `scope` at valid time T (everything recorded) to `fn`.
template <typename Fn>
void ForEachLapse(Played& p, const std::string& scope, Time T, Fn&& fn) {
  QueryTime q;
  q.valid_at = T.WithOffset(480);
  q.known_at = p.clock->Now();
  q.known_size = p.ledger->size();
  History history(*p.ledger, q);
  ViewBuilder builder(history);
  capnp::MallocMessageBuilder message;
  auto report = message.initRoot<views::LapseReport>();
  Status s = builder.Lapses(scope, "", report);
  EXPECT_TRUE(s.ok()) << s.ToString();
  for (auto l : report.asReader().getLapses()) fn(l);
}

// rule -> the lapses of that rule for `scope` at the moment of the accident (or, `after`, at
// the end of the record: records made after the accident).
std::map<std::string, std::vector<std::string>> LapsesAt(Played& p, const std::string& scope,
                                                         std::set<std::string>* holders,
                                                         bool after = false) {
  std::map<std::string, std::vector<std::string>> out;
  ForEachLapse(p, scope, after ? p.clock->Now() : p.story.accident_at, [&](auto l) {
    out[l.getRule().cStr()].push_back(l.getSummary().cStr());
    if (holders) {
      for (auto h : l.getHolders())
        holders->insert(std::string(l.getRule().cStr()) + " " + h.getHolder().cStr());
    }
  });
  return out;
}

// The woven failures and the rules that must name them.
const std::vector<std::string> kWoven = {"L4",  "L6",  "L7",  "L8",  "L9",
                                         "L10", "L17", "L18", "L26", "L30"};

TEST(City, FailuresAreFoundAndAttributed) {
  Played p = PlayCity(true);
  ASSERT_TRUE(p.ledger);
  EXPECT_GT(p.steps, 800u);
  std::set<std::string> holders;
  auto found = LapsesAt(p, "enterprise:" + p.story.enterprise, &holders);
  for (auto& [rule, l] : LapsesAt(p, "enterprise:" + p.story.enterprise, &holders, true)) {
    if (rule == "L30") found[rule] = l;
  }
  auto park = LapsesAt(p, "park:" + p.story.park, nullptr);
  for (const auto& rule : kWoven) {
    bool here = found.count(rule) || (rule == "L4" && park.count(rule));
    EXPECT_TRUE(here) << rule << " was not found";
  }
  auto mentions = [&](const std::string& rule, const std::string& what) {
    for (const auto& s : found[rule]) {
      if (s.find(what) != std::string::npos) return true;
    }
    return false;
  };
  EXPECT_TRUE(mentions("L8", p.story.major_hazard));
  EXPECT_TRUE(mentions("L10", p.story.overdue_order));
  EXPECT_TRUE(mentions("L17", p.story.project));
  // Attribution: the successor held the follow-up of the overdue order; the county inspector
  // found the major hazard the park's inspector did not; the park safety head signed the
  // acceptance without a design review.
  EXPECT_TRUE(holders.count("L10 official:" + p.story.successor_inspector));
  EXPECT_TRUE(holders.count("L6 official:" + p.story.successor_inspector));
  EXPECT_TRUE(holders.count("L17 official:" + p.story.park_safety_head));
  // Verify passes on the generated ledger.
  p.ledger.reset();
  auto report = VerifyLedgerFolder(p.dir->Sub("ledger"), VerifyOptions{});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok) << report->Summary();
  EXPECT_EQ(report->entries, p.steps + 1);
}

TEST(City, WithoutFailuresNoneIsFound) {
  Played p = PlayCity(false);
  ASSERT_TRUE(p.ledger);
  auto found = LapsesAt(p, "enterprise:" + p.story.enterprise, nullptr);
  auto park = LapsesAt(p, "park:" + p.story.park, nullptr);
  for (auto& [rule, l] : LapsesAt(p, "enterprise:" + p.story.enterprise, nullptr, true)) {
    if (rule == "L30") found[rule] = l;
  }
  for (const auto& rule : kWoven) {
    EXPECT_FALSE(found.count(rule)) << rule << ": " << found[rule].front();
  }
  for (const auto& s : park["L4"]) EXPECT_EQ(s.find("story"), std::string::npos) << s;
}

// The JSON writer (ledger/internal/json_writer.h) writes what capnp's JsonCodec writes, byte for
// byte, pretty and compact, for every entry of the city (every event type it plays, with UUIDs,
// hashes, times, enums, unions, lists and 64-bit integers) and for every kind of view.
TEST(City, JsonWriterWritesWhatTheCodecWrites) {
  Played p = PlayCity(true);
  ASSERT_TRUE(p.ledger);
  const EventJson json(
      {capnp::Schema::from<views::EnterpriseView>(), capnp::Schema::from<views::OfficialView>(),
       capnp::Schema::from<views::ParkView>(), capnp::Schema::from<views::LapseReport>(),
       capnp::Schema::from<views::InvestigationReport>()});
  std::vector<uint64_t> all(p.ledger->size());
  for (uint64_t i = 0; i < all.size(); ++i) all[i] = i;
  auto entries = p.ledger->ReadEntries(all);
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  std::set<std::string> types;
  for (const EntryView& e : *entries) {
    auto leaf = p.ledger->LeafHash(e.sequence());
    ASSERT_TRUE(leaf.ok());
    for (bool pretty : {false, true}) {
      ASSERT_EQ(json.EntryToJson(e, *leaf, pretty), json.EntryToJsonWithCodec(e, *leaf, pretty))
          << "entry " << e.sequence() << (pretty ? " (pretty)" : "");
    }
    auto event = EventView::Decode(ByteView(
        reinterpret_cast<const char*>(e.entry().getBody().begin()), e.entry().getBody().size()));
    ASSERT_TRUE(event.ok());
    types.insert(event->type_name());
  }
  EXPECT_GT(types.size(), 30u);

  QueryTime q;
  q.valid_at = p.story.accident_at.WithOffset(480);
  q.known_at = p.clock->Now();
  q.known_size = p.ledger->size();
  History history(*p.ledger, q);
  ViewBuilder builder(history);
  size_t views = 0;
  auto check = [&](const std::string& what, capnp::DynamicStruct::Reader view) {
    for (bool pretty : {false, true}) {
      EXPECT_EQ(json.StructToJson(view, pretty), json.StructToJsonWithCodec(view, pretty))
          << what << (pretty ? " (pretty)" : "");
    }
    ++views;
  };
  for (const std::string& official :
       {p.story.departing_inspector, p.story.successor_inspector, p.story.county_inspector,
        p.story.park_safety_head, p.story.county_safety_head}) {
    capnp::MallocMessageBuilder m;
    auto out = m.initRoot<views::OfficialView>();
    ASSERT_TRUE(builder.Official(official, out).ok()) << official;
    check("official " + official, out.asReader());
  }
  {
    capnp::MallocMessageBuilder m;
    auto out = m.initRoot<views::EnterpriseView>();
    ASSERT_TRUE(builder.Enterprise(p.story.enterprise, out).ok());
    check("enterprise", out.asReader());
  }
  {
    capnp::MallocMessageBuilder m;
    auto out = m.initRoot<views::ParkView>();
    ASSERT_TRUE(builder.Park(p.story.park, out).ok());
    check("park", out.asReader());
  }
  {
    capnp::MallocMessageBuilder m;
    auto out = m.initRoot<views::LapseReport>();
    ASSERT_TRUE(builder.Lapses("park:" + p.story.park, "", out).ok());
    EXPECT_GT(out.getLapses().size(), 0u);
    check("lapses", out.asReader());
  }
  auto inv = Investigate(*p.ledger, {p.story.accident, "", "", Lang::kZh});
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  check("investigation", inv->report);
  EXPECT_EQ(views, 9u);
}

// `lapses` is derived subject by subject and written as it goes. Its output, JSON and text, is
// byte for byte the whole report's (one message through ViewToJson and RenderLapseReport) for
// every scope and rule, with none, one and many lapses; and deriving it while dropping every
// record between subjects and setting every lapse aside in a temporary file changes nothing.
TEST(City, StreamedLapseReportIsTheWholeReport) {
  Played p = PlayCity(true);
  ASSERT_TRUE(p.ledger);
  const QueryRegistry registry = AllQueries();
  std::map<std::string, int> cases;  // "none", "one", "many"
  for (Time t : {p.story.accident_at.WithOffset(480), p.clock->Now()}) {
    const std::string valid = FormatRfc3339(t), known = FormatRfc3339(p.clock->Now());
    auto q = QueryTime::Parse(*p.ledger, *p.clock, valid, known);
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    for (const std::string& scope :
         {std::string(), "park:" + p.story.park, "enterprise:" + p.story.enterprise,
          "official:" + p.story.county_safety_head, "official:" + p.story.departing_inspector}) {
      for (const std::string& rule : std::vector<std::string>{"", "L5", "L7", "L8", "L17", "L30"}) {
        SCOPED_TRACE("scope '" + scope + "' rule '" + rule + "' at " + valid);
        History whole_history(*p.ledger, *q);
        ViewBuilder whole_builder(whole_history);
        capnp::MallocMessageBuilder whole;
        auto report = whole.initRoot<views::LapseReport>();
        ASSERT_TRUE(whole_builder.Lapses(scope, rule, report).ok());
        size_t n = report.getLapses().size();
        cases[n == 0 ? "none" : n == 1 ? "one" : "many"]++;
        for (size_t i = 1; i < n; ++i) {  // in report order
          auto a = report.getLapses()[i - 1], b = report.getLapses()[i];
          auto key = [](views::Lapse::Reader l) {
            return std::make_tuple(ReadTime(l.getWindowStart()), std::string(l.getRule().cStr()),
                                   std::string(l.getSubject().cStr()));
          };
          EXPECT_LE(key(a), key(b)) << "lapse " << i;
        }

        QueryRequest r{"lapses", {{"valid-at", valid}, {"known-at", known}}};
        if (!scope.empty()) r.params["scope"] = scope;
        if (!rule.empty()) r.params["rule"] = rule;
        std::string streamed;
        const QueryOutput out = [&](std::string_view part) {
          streamed.append(part);
          return Status::Ok();
        };
        r.params["json"] = "true";
        QueryResponse json = registry.Run(*p.ledger, r, &out);
        ASSERT_EQ(json.exit_code, 0) << json.error;
        EXPECT_EQ(json.output, "");
        EXPECT_EQ(streamed, ViewToJson(report.asReader()));
        r.params.erase("json");
        r.params["lang"] = "zh-CN";
        QueryResponse text = registry.Run(*p.ledger, r);  // collected, as a server replies
        ASSERT_EQ(text.exit_code, 0) << text.error;
        EXPECT_EQ(text.output, RenderLapseReport(report.asReader(), Lang::kZh));

        History forgetful_history(*p.ledger, *q);
        ViewBuilder forgetful(forgetful_history);
        capnp::MallocMessageBuilder again;
        LapseReportCollector writer(again.initRoot<views::LapseReport>());
        ASSERT_TRUE(forgetful.StreamLapses(scope, rule, writer, ReportLimits{0, 0}).ok());
        EXPECT_EQ(ViewToJson(again.getRoot<views::LapseReport>().asReader()),
                  ViewToJson(report.asReader()));
        if (n > 0 && scope.rfind("enterprise:", 0) != 0) {
          EXPECT_LT(forgetful_history.held(), whole_history.held());
        }
      }
    }
  }
  EXPECT_GT(cases["none"], 0);
  EXPECT_GT(cases["one"], 0);
  EXPECT_GT(cases["many"], 0);

  // No temporary file can be made: the report fails, naming where, and writes nothing.
  const char* saved = std::getenv("TMPDIR");
  std::string restore = saved != nullptr ? saved : "";
  setenv("TMPDIR", "/nonexistent-dutyledger-tmp", 1);
  auto q = QueryTime::Parse(*p.ledger, *p.clock, "", "");
  ASSERT_TRUE(q.ok());
  History history(*p.ledger, *q);
  ViewBuilder builder(history);
  capnp::MallocMessageBuilder m;
  auto report = m.initRoot<views::LapseReport>();
  LapseReportCollector writer(report);
  Status s = builder.StreamLapses("", "", writer, ReportLimits{0, 0});
  if (saved != nullptr) {
    setenv("TMPDIR", restore.c_str(), 1);
  } else {
    unsetenv("TMPDIR");
  }
  EXPECT_EQ(s.code(), StatusCode::kIOError) << s.ToString();
  EXPECT_NE(s.message().find("/nonexistent-dutyledger-tmp (TMPDIR)"), std::string::npos)
      << s.message();
  EXPECT_FALSE(report.hasScope());
}

TEST(City, SameSeedSameEvents) {
  CityOptions o;
  o.enterprises = 40;
  o.years = 1;
  auto a = scenario::CityScenario(o, nullptr);
  auto b = scenario::CityScenario(o, nullptr);
  ASSERT_EQ(a.steps().size(), b.steps().size());
  for (size_t i = 0; i < a.steps().size(); ++i) ASSERT_EQ(a.steps()[i].json, b.steps()[i].json);
  o.seed = 2;
  auto c = scenario::CityScenario(o, nullptr);
  EXPECT_NE(a.steps()[5].json, c.steps()[5].json);
}

// What a rule reports at T it knew at T (tests/projections/lapse_oracle.h), on the city with
// its woven failures: every 10 days, and the boundary instants of every lapse; each lapse's
// window, parameters, evidence (as far as T) and, once closed, summary.
void CheckCausality(Played& p) {
  const Time now = p.clock->Now();
  constexpr int64_t kDay = 24 * Time::kNanosPerHour;
  std::set<Time> grid;
  for (Time t = p.story.accident_at.PlusNanos(-800 * kDay); t < now; t = t.PlusNanos(10 * kDay)) {
    grid.insert(t);
  }
  auto result = testing::CheckLapseCausality(*p.ledger, now, now.PlusNanos(1000 * kDay), grid);
  EXPECT_GT(result.windows, 50u);
  EXPECT_TRUE(result.differences.empty()) << result.Describe();
  // A server's lapse memo, which rests on this, answers what is derived at T: the park's lapses
  // and the two safety heads' (every holder of every window) at every third instant of the grid.
  auto memo = std::make_shared<LapseMemo>(size_t{64} << 20);
  size_t i = 0, differing = 0;
  for (Time T : grid) {
    if (i++ % 3 != 0) continue;
    for (const std::string& scope : {"park:" + p.story.park, "official:" + p.story.park_safety_head,
                                     "official:" + p.story.county_safety_head}) {
      std::vector<std::string> text;
      for (const auto& use : {std::shared_ptr<LapseMemo>(), memo}) {
        QueryTime q;
        q.valid_at = T.WithOffset(480);
        q.known_at = now;
        q.known_size = p.ledger->size();
        History history(*p.ledger, q);
        ViewBuilder builder(history);
        builder.UseLapseMemo(use);
        capnp::MallocMessageBuilder message;
        auto report = message.initRoot<views::LapseReport>();
        Status s = builder.Lapses(scope, "", report);
        EXPECT_TRUE(s.ok()) << s.ToString();
        text.push_back(kj::str(report.asReader()).cStr());
      }
      if (text[0] != text[1] && ++differing <= 3) {
        ADD_FAILURE() << scope << " at " << FormatRfc3339(T) << " differs with the lapse memo";
      }
    }
  }
  EXPECT_EQ(differing, 0u);
  EXPECT_GT(memo->stats().taken, 200u);
}

TEST(City, LapsesAtAPastPointAreTheWholeRecordsDetectedByThen) {
  Played p = PlayCity(true);
  CheckCausality(p);
}

// The same with 22 parameters changed from the defaults (a set in force from the city's first
// days): every grace, the allowances and intervals of L2–L12, L15, L21, L22, L26 and L29 (not
// L15's penalty counts, L22's extension or L30's threshold). A rule that waits for a grace must
// not fire before it has run.
TEST(City, UnderOtherParametersTooWhatARuleReportsItKnew) {
  Played p = PlayCity(true, {{"L1", "blind_spot_grace_days", 20},
                             {"L2", "vacancy_grace_days", 10},
                             {"L3", "plenary_max_interval_days", 120},
                             {"L3", "thematic_max_interval_days", 60},
                             {"L5", "key_target_interval_days", 60},
                             {"L5", "general_interval_days", 200},
                             {"L6", "n", 2},
                             {"L6", "window_days", 180},
                             {"L15", "request_days", 20},
                             {"L21", "update_days", 20},
                             {"L29", "repeat_window_days", 200},
                             {"L4", "task_grace_days", 5},
                             {"L7", "self_report_grace_days", 3},
                             {"L8", "major_action_hours", 48},
                             {"L9", "listing_days", 3},
                             {"L10", "grace_days", 4},
                             {"L11", "review_days", 5},
                             {"L12", "escalation_days", 10},
                             {"L21", "unit_report_hours", 2},
                             {"L21", "relay_hours", 4},
                             {"L22", "investigation_days", 30},
                             {"L26", "handover_grace_days", 15}});
  // The set is in force: lapses reckoned under it say so.
  std::set<std::string> rules;
  ForEachLapse(p, "", p.clock->Now(), [&](auto l) {
    if (l.getParameterVersion() == "graces") rules.insert(l.getRule().cStr());
  });
  EXPECT_GE(rules.size(), 4u) << ::testing::PrintToString(rules);
  CheckCausality(p);
}

}  // namespace
}  // namespace dutyledger
