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

// A small city (60 enterprises, one year) played into `path`; its story names who is who.
scenario::CityStory PlaySmallCity(const std::string& path) {
  scenario::CityOptions o;
  o.enterprises = 60;
  o.years = 1;
  scenario::CityStory story;
  auto s = scenario::CityScenario(o, &story);
  PlayCity(s, path);
  return story;
}

// Runs `q` on the ledger at `path` as a one-shot command does: a read-only open, the query.
QueryResponse RunReadOnly(const std::string& path, const QueryRequest& q) {
  static const QueryRegistry registry = AllQueries();
  SystemClock clock;
  Ledger::Options lo;
  lo.clock = &clock;
  lo.read_only = true;
  auto ledger = Ledger::Open(path, lo);
  EXPECT_TRUE(ledger.ok()) << ledger.status().ToString();
  return ledger.ok() ? registry.Run(**ledger, q) : QueryResponse{};
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

// A damaged row fails the query that reads it, naming it a projection row, rather than being
// skipped (a skipped post, jurisdiction or mapping would silently change who held a duty; a
// skipped parameter set, which parameters judged a lapse); the query works again once the row is
// whole. Each case damages every row under one prefix.
TEST(Rebuild, DamagedRowsFailTheQueriesThatReadThem) {
  testing::TempDir dir;
  std::string city = dir.Sub("city");
  scenario::CityStory story = PlaySmallCity(city);
  // The city has no lapse parameter sets; the fixture has one.
  std::string fixture = dir.Sub("fixture");
  PlayCity(scenario::FixtureScenario(7), fixture);
  namespace n = tables::name;
  struct Case {
    std::string path;
    std::string prefix;
    QueryRequest query;
  };
  const std::vector<Case> cases = {
      {city,
       tables::Prefix({n::kPost, story.park_safety_head}),
       {"official", {{"id", story.park_safety_head}}}},
      {city, tables::Key({n::kJurisdiction, story.park}), {"park", {{"id", story.park}}}},
      {city, tables::Prefix({n::kMapping}), {"enterprise", {{"id", story.enterprise}}}},
      // Read only for its name, to label the enterprise's duty holders (it used to show as "").
      {city,
       tables::Key({n::kOfficial, story.successor_inspector}),
       {"enterprise", {{"id", story.enterprise}}}},
      {fixture, tables::Prefix({n::kParameters}), {"lapses", {{"scope", "enterprise:E06"}}}},
  };
  // Puts `value` (or the saved originals) in every row under `prefix`; returns the originals.
  auto rewrite = [&](const std::string& path, const std::string& prefix,
                     const std::map<Bytes, Bytes>* originals) {
    std::map<Bytes, Bytes> found;
    auto store = internal::Store::Open(path, internal::Store::Options{});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (!store.ok()) return found;
    auto it = (*store)->NewIterator(internal::Column::kProjections);
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      found.emplace(Bytes(it->key()), Bytes(it->value()));
    }
    auto b = (*store)->NewBatch();
    for (const auto& [key, value] : found) {
      b.Put(internal::Column::kProjections, key,
            originals ? originals->at(key) : Bytes("not a row"));
    }
    EXPECT_TRUE((*store)->Write(b, true).ok());
    return found;
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.query.name + " after damaging " + c.prefix);
    ASSERT_EQ(RunReadOnly(c.path, c.query).exit_code, 0);
    auto originals = rewrite(c.path, c.prefix, nullptr);
    ASSERT_FALSE(originals.empty());
    auto damaged = RunReadOnly(c.path, c.query);
    EXPECT_EQ(damaged.exit_code, 1);
    EXPECT_NE(damaged.error.find("projection row"), std::string::npos) << damaged.error;
    rewrite(c.path, c.prefix, &originals);
    EXPECT_EQ(RunReadOnly(c.path, c.query).exit_code, 0);
  }
}

// A record whose signer key is not in the key table (the table damaged or altered) fails the view
// that shows it, naming the entry, instead of being shown as signed by "unknown key".
TEST(Rebuild, RecordsWhoseKeyIsGoneFailTheView) {
  testing::TempDir dir;
  std::string path = dir.Sub("ledger");
  scenario::CityStory story = PlaySmallCity(path);
  const QueryRequest view{"enterprise", {{"id", story.enterprise}, {"json", "true"}}};
  auto before = RunReadOnly(path, view);
  ASSERT_EQ(before.exit_code, 0) << before.error;
  ASSERT_EQ(before.output.find("unknown key"), std::string::npos);
  {
    // Every key row gone (a read-only open does not read them).
    auto store = internal::Store::Open(path, internal::Store::Options{});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto it = (*store)->NewIterator(internal::Column::kKeys);
    auto b = (*store)->NewBatch();
    for (it->SeekToFirst(); it->Valid(); it->Next()) b.Delete(internal::Column::kKeys, it->key());
    ASSERT_GT(b.Count(), 1u);
    ASSERT_TRUE((*store)->Write(b, true).ok());
  }
  auto after = RunReadOnly(path, view);
  EXPECT_EQ(after.exit_code, 1) << after.output.substr(0, 400);
  EXPECT_NE(after.error.find("is not in the key table"), std::string::npos) << after.error;
  EXPECT_NE(after.error.find("entry "), std::string::npos) << after.error;
}

}  // namespace
}  // namespace dutyledger
