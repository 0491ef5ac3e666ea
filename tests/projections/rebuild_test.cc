// An interrupted rebuild fails closed: a rebuild killed part-way (after its first chunk of
// 4,096 entries) leaves the "rebuilding" mark, so queries and appends are refused with a message
// that says to run rebuild; a completed rebuild gives back byte-identical tables.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ledger/internal/store.h"
#include "ledger/json.h"
#include "projections/domain_rules.h"
#include "projections/query.h"
#include "projections/tables.h"
#include "tests/support/test_util.h"
#include "tools/scenario/city.h"
#include "tools/scenario/writers.h"

namespace dutyledger {
namespace {

// Plays the city into a new ledger at `path`, closes it, and returns its tables' digest.
Digest PlayCity(const scenario::Scenario& s, const std::string& path) {
  ManualClock clock(s.start());
  DomainRules rules;
  auto ledger = scenario::Play(s, path, clock, &rules, false);
  EXPECT_TRUE(ledger.ok()) << ledger.status().ToString();
  if (!ledger.ok()) return Digest();
  auto d = (*ledger)->ProjectionDigest();
  EXPECT_TRUE(d.ok());
  return d.ok() ? *d : Digest();
}

Result<std::unique_ptr<Ledger>> OpenWithRules(const std::string& path, Clock& clock,
                                              DomainRules& rules) {
  Ledger::Options lo;
  lo.clock = &clock;
  lo.admission = &rules;
  return Ledger::Open(path, lo);
}

// Appends a note by the scenario's root a day after its last step (and adds it to `s`); returns
// the ledger's size after it.
Result<uint64_t> AppendNote(Ledger& ledger, scenario::Scenario& s, Clock& clock) {
  scenario::Writer w(s);
  w.Note(scenario::Days(s.steps().back().at, 1), "root", "一条备注");
  EventJson json;
  const PrivateKey& key = s.KeyOf("root");
  ASSIGN_OR_RETURN(auto body, json.ParseEventBody(
                                  s.steps().back().json,
                                  EventJson::Defaults{s.origin(), key.public_key().id(), &clock}));
  ASSIGN_OR_RETURN(auto sig, key.Sign(EventSigningMessage(body)));
  std::vector<SignedEvent> batch;
  batch.push_back(SignedEvent{std::move(body), std::move(sig)});
  RETURN_IF_ERROR(ledger.Append(std::move(batch), nullptr).status());
  return ledger.size();
}

TEST(Rebuild, InterruptedRebuildRefusesQueriesAndAppendsUntilOneCompletes) {
  testing::TempDir dir;
  std::string path = dir.Sub("ledger");
  scenario::CityOptions o;
  o.enterprises = 300;
  o.years = 3;
  auto s = scenario::CityScenario(o, nullptr);
  ASSERT_GT(s.steps().size(), 4096u * 1.1);
  Digest before = PlayCity(s, path);  // closed: no threads left in this process but the test's own

  // A rebuild killed after its first chunk.
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    SystemClock clock;
    DomainRules rules;
    auto ledger = OpenWithRules(path, clock, rules);
    if (!ledger.ok()) _exit(3);
    DomainRules refold(DomainRules::Options{DomainRules::Mode::kRefold});
    (void)(*ledger)->RebuildProjections(refold, [](uint64_t, uint64_t) { _exit(0); });
    _exit(4);  // the progress callback never ran
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);

  SystemClock clock;
  DomainRules rules;
  auto ledger = OpenWithRules(path, clock, rules);
  ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
  EXPECT_TRUE((*ledger)->projections_rebuilding());
  static const QueryRegistry registry = AllQueries();
  auto q = registry.Run(**ledger, {"enterprise", {{"id", "E00001"}}});
  EXPECT_EQ(q.exit_code, 1);
  EXPECT_NE(q.error.find("dutyledger rebuild"), std::string::npos) << q.error;
  // An append is refused, and nothing is written.
  uint64_t size = (*ledger)->size();
  auto appended = AppendNote(**ledger, s, clock);
  EXPECT_FALSE(appended.ok());
  EXPECT_NE(appended.status().message().find("rebuil"), std::string::npos)
      << appended.status().ToString();
  EXPECT_EQ((*ledger)->size(), size);

  DomainRules refold(DomainRules::Options{DomainRules::Mode::kRefold});
  ASSERT_TRUE((*ledger)->RebuildProjections(refold, nullptr).ok());
  EXPECT_FALSE((*ledger)->projections_rebuilding());
  auto after = (*ledger)->ProjectionDigest();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(before.Hex(), after->Hex());
  EXPECT_EQ(registry.Run(**ledger, {"enterprise", {{"id", "E00001"}}}).exit_code, 0);
}

// Tables folded by a build with another layout (here: marked version "1", as written before the
// mj/ index) are refused by queries and by the admission of new entries, each saying to run
// rebuild; after it, both work and the tables are those an append in this build folds.
TEST(Rebuild, TablesOfAnotherLayoutAreRefusedUntilRebuilt) {
  testing::TempDir dir;
  std::string path = dir.Sub("ledger");
  scenario::CityOptions o;
  o.enterprises = 60;
  o.years = 1;
  auto s = scenario::CityScenario(o, nullptr);
  Digest before = PlayCity(s, path);
  {
    auto store = internal::Store::Open(path, internal::Store::Options{});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto b = (*store)->NewBatch();
    b.Put(internal::Column::kProjections, tables::Key({tables::name::kMeta, tables::kVersionKey}),
          "1");
    ASSERT_TRUE((*store)->Write(b, true).ok());
  }
  SystemClock clock;
  DomainRules rules;
  auto ledger = OpenWithRules(path, clock, rules);
  ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
  static const QueryRegistry registry = AllQueries();
  auto q = registry.Run(**ledger, {"enterprise", {{"id", "E00001"}}});
  EXPECT_EQ(q.exit_code, 1);
  EXPECT_NE(q.error.find("version '1'"), std::string::npos) << q.error;
  EXPECT_NE(q.error.find("dutyledger rebuild"), std::string::npos) << q.error;
  uint64_t size = (*ledger)->size();
  auto refused = AppendNote(**ledger, s, clock);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("version '1'"), std::string::npos)
      << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("dutyledger rebuild"), std::string::npos);
  EXPECT_EQ((*ledger)->size(), size);

  DomainRules refold(DomainRules::Options{DomainRules::Mode::kRefold});
  ASSERT_TRUE((*ledger)->RebuildProjections(refold, nullptr).ok());
  auto after = (*ledger)->ProjectionDigest();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(before.Hex(), after->Hex());
  EXPECT_EQ(registry.Run(**ledger, {"enterprise", {{"id", "E00001"}}}).exit_code, 0);
  auto appended = AppendNote(**ledger, s, clock);
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  EXPECT_EQ(*appended, size + 1);
}

}  // namespace
}  // namespace dutyledger
