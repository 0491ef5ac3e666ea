// Ledger::ReadEvents and the events it keeps (ledger/internal/event_cache.h): what it hands out
// is what the store holds, validated; kept events are shared with later reads within the
// budget, those read again kept longest; a failed read keeps nothing; readers on many threads
// share one cache.
#include "ledger/internal/event_cache.h"

#include <gtest/gtest.h>

#include <thread>

#include "tests/support/test_util.h"

namespace dutyledger {
namespace {

using Events = std::vector<std::shared_ptr<const StoredEvent>>;
using testing::TestLedger;

class EventCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<SignedEvent> notes;
    // Notes of one length: every entry costs the cache the same.
    for (int i = 1; i <= 9; ++i) notes.push_back(t_.Note("note " + std::to_string(i), t_.root()));
    t_.MustAppend(std::move(notes));
    t_.Close();
  }

  // A read-only open keeping up to `budget` bytes of events.
  std::unique_ptr<Ledger> Open(size_t budget) {
    Ledger::Options lo;
    lo.clock = &clock_;
    lo.read_only = true;
    lo.event_cache_bytes = budget;
    auto ledger = Ledger::Open(t_.path(), lo);
    EXPECT_TRUE(ledger.ok()) << ledger.status().ToString();
    return ledger.ok() ? std::move(*ledger) : nullptr;
  }

  static Events Read(const Ledger& ledger, const std::vector<uint64_t>& sequences) {
    auto r = ledger.ReadEvents(sequences);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Events();
  }

  TestLedger t_;
  SystemClock clock_;
};

TEST_F(EventCacheTest, HandsOutTheStoredEntriesValidatedInTheOrderAsked) {
  auto ledger = Open(0);
  Events events = Read(*ledger, {5, 2, 7});
  auto entries = ledger->ReadEntries({5, 2, 7});
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(events.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(events[i]->entry.sequence(), (*entries)[i].sequence());
    EXPECT_EQ(events[i]->entry.bytes(), (*entries)[i].bytes());
    EXPECT_EQ(events[i]->event.bytes(), (*entries)[i].body_bytes());
  }
  EXPECT_EQ(std::string(events[0]->event.body().getNote().getText().cStr()), "note 5");
  // With no budget nothing is kept: a second read reads and validates again.
  Events again = Read(*ledger, {5});
  EXPECT_NE(again[0].get(), events[0].get());
}

TEST_F(EventCacheTest, KeepsWithinItsBudgetWhatIsReadAgainLongest) {
  auto probe = Open(0);
  Events sample = Read(*probe, {1, 4});
  const size_t charge = internal::EventCache::Charge(*sample[0]);
  ASSERT_EQ(internal::EventCache::Charge(*sample[1]), charge);
  probe.reset();

  auto ledger = Open(3 * charge);  // room for three
  Events first = Read(*ledger, {1, 2, 3});
  Events again = Read(*ledger, {2, 1});  // the same objects, in the order asked
  EXPECT_EQ(again[0].get(), first[1].get());
  EXPECT_EQ(again[1].get(), first[0].get());
  // Over budget: 1 and 2, read again, get another turn; 3, read once, goes. So does 4 when 3
  // comes back: read once, and before it.
  Read(*ledger, {4});
  Events after = Read(*ledger, {1, 2, 3});
  EXPECT_EQ(after[0].get(), first[0].get());
  EXPECT_EQ(after[1].get(), first[1].get());
  EXPECT_NE(after[2].get(), first[2].get());
  // The one handed out before it went is still whole for the reader that holds it.
  EXPECT_EQ(first[2]->entry.sequence(), 3u);
  EXPECT_EQ(after[2]->entry.bytes(), first[2]->entry.bytes());
  // What the server's /metrics shows: 3 + 1 + 1 read, 2 + 2 found; three kept.
  Ledger::EventCacheStats stats = ledger->event_cache_stats();
  EXPECT_EQ(stats.misses, 5u);
  EXPECT_EQ(stats.hits, 4u);
  EXPECT_EQ(stats.events, 3u);
  EXPECT_EQ(stats.bytes, 3 * charge);
  EXPECT_EQ(stats.budget, 3 * charge);
}

// One large read of events read once does not push out what is read again.
TEST_F(EventCacheTest, ALargeReadOnceLeavesWhatIsReadAgain) {
  auto probe = Open(0);
  const size_t charge = internal::EventCache::Charge(*Read(*probe, {1})[0]);
  probe.reset();
  auto ledger = Open(4 * charge);
  Events hot = Read(*ledger, {1, 2});
  Read(*ledger, {1, 2});
  Read(*ledger, {3, 4, 5, 6, 7, 8, 9});  // a scan, more than the budget
  Events still = Read(*ledger, {1, 2});
  EXPECT_EQ(still[0].get(), hot[0].get());
  EXPECT_EQ(still[1].get(), hot[1].get());
  EXPECT_LE(ledger->event_cache_stats().bytes, 4 * charge);
}

TEST_F(EventCacheTest, AFailedReadKeepsNothingAndNamesTheEntry) {
  auto probe = Open(0);
  const size_t charge = internal::EventCache::Charge(*Read(*probe, {1})[0]);
  probe.reset();
  auto ledger = Open(charge);  // room for one: keeping anything else would push 1 out
  Events one = Read(*ledger, {1});
  auto r = ledger->ReadEvents({6, 42});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().ToString().find("entry 42 is missing"), std::string::npos)
      << r.status().ToString();
  // 6 was read and valid, but its read failed as a whole: it was not kept, and 1 still is.
  EXPECT_EQ(Read(*ledger, {1})[0].get(), one[0].get());
}

TEST_F(EventCacheTest, ReadersOnManyThreadsShareIt) {
  auto probe = Open(0);
  const size_t charge = internal::EventCache::Charge(*Read(*probe, {1})[0]);
  probe.reset();
  auto ledger = Open(4 * charge);  // less than all of them: threads evict one another's
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 200; ++round) {
        std::vector<uint64_t> want;
        for (int k = 0; k < 3; ++k) want.push_back(1 + (t + round + 2 * k) % 9);
        auto r = ledger->ReadEvents(want);
        if (!r.ok()) {
          wrong++;
          continue;
        }
        for (size_t k = 0; k < want.size(); ++k) {
          if ((*r)[k]->entry.sequence() != want[k]) wrong++;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace dutyledger
