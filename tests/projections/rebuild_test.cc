// An interrupted rebuild fails closed: a rebuild killed part-way (after its first chunk of
// 4,096 entries) leaves the "rebuilding" mark, so queries and appends are refused with a message
// that says to run rebuild; a completed rebuild gives back byte-identical tables.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ledger/json.h"
#include "projections/domain_rules.h"
#include "projections/query.h"
#include "tests/support/test_util.h"
#include "tools/scenario/city.h"
#include "tools/scenario/writers.h"

namespace dutyledger {
namespace {

TEST(Rebuild, InterruptedRebuildRefusesQueriesAndAppendsUntilOneCompletes) {
  testing::TempDir dir;
  std::string path = dir.Sub("ledger");
  scenario::CityOptions o;
  o.enterprises = 300;
  o.years = 3;
  auto s = scenario::CityScenario(o, nullptr);
  ASSERT_GT(s.steps().size(), 4096u * 1.1);
  Digest before;
  {
    ManualClock clock(s.start());
    DomainRules rules;
    auto ledger = scenario::Play(s, path, clock, &rules, false);
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    auto d = (*ledger)->ProjectionDigest();
    ASSERT_TRUE(d.ok());
    before = *d;
  }  // closed: no threads left in this process but the test's own

  // A rebuild killed after its first chunk.
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    SystemClock clock;
    DomainRules rules;
    Ledger::Options lo;
    lo.clock = &clock;
    lo.admission = &rules;
    auto ledger = Ledger::Open(path, lo);
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
  Ledger::Options lo;
  lo.clock = &clock;
  lo.admission = &rules;
  auto ledger = Ledger::Open(path, lo);
  ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
  EXPECT_TRUE((*ledger)->projections_rebuilding());
  static const QueryRegistry registry = AllQueries();
  auto q = registry.Run(**ledger, {"enterprise", {{"id", "E00001"}}});
  EXPECT_EQ(q.exit_code, 1);
  EXPECT_NE(q.error.find("dutyledger rebuild"), std::string::npos) << q.error;
  // An append is refused, and nothing is written.
  uint64_t size = (*ledger)->size();
  scenario::Writer w(s);
  w.Note(scenario::Days(s.steps().back().at, 1), "root", "一条备注");
  EventJson json;
  const PrivateKey& key = s.KeyOf("root");
  auto body = json.ParseEventBody(s.steps().back().json,
                                  EventJson::Defaults{s.origin(), key.public_key().id(), &clock});
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  auto sig = key.Sign(EventSigningMessage(*body));
  ASSERT_TRUE(sig.ok());
  std::vector<SignedEvent> batch;
  batch.push_back(SignedEvent{std::move(*body), std::move(*sig)});
  auto appended = (*ledger)->Append(std::move(batch), nullptr);
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

}  // namespace
}  // namespace dutyledger
