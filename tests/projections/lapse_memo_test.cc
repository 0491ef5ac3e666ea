// LapseMemo's bookkeeping: without a ledger to say what changed, what is kept answers only for the
// ledger's size it was derived at, and the budget is never exceeded. (That its answers are the
// rules' is Views.TheLapseMemoChangesNoAnswer, and across sizes
// Views.TheLapseMemoHoldsAcrossAppendsThatDoNotChangeIt.)
#include "projections/lapse_memo.h"

#include <gtest/gtest.h>

namespace dutyledger {
namespace {

std::shared_ptr<const LapseMemo::Enterprise> Kept(size_t lapses) {
  std::vector<LapseFinding> found(lapses);
  for (auto& f : found) {
    f.rule = "L10";
    f.window_start = Time::FromUnixSeconds(1000);
    f.window_end = Time::FromUnixSeconds(2000);
    f.summary = std::string(200, 'x');
  }
  return LapseMemo::Make(Time::FromUnixSeconds(0), std::nullopt, found);
}

// Without a ledger to ask what changed between two sizes.
std::shared_ptr<const LapseMemo::Enterprise> Find(LapseMemo& memo, const std::string& enterprise,
                                                  uint64_t size) {
  auto found = memo.Find(nullptr, enterprise, size);
  EXPECT_TRUE(found.ok()) << found.status().ToString();
  return found.ok() ? *found : nullptr;
}

TEST(LapseMemo, WithoutALedgerAnswersOnlyForTheSizeItWasDerivedAt) {
  LapseMemo memo(1 << 20);
  memo.Keep("E1", 100, Kept(3));
  ASSERT_NE(Find(memo, "E1", 100), nullptr);
  EXPECT_EQ(Find(memo, "E1", 100)->lapses.size(), 3u);
  EXPECT_EQ(Find(memo, "E2", 100), nullptr);
  EXPECT_EQ(Find(memo, "E1", 99), nullptr);   // an earlier --known-at
  EXPECT_EQ(Find(memo, "E1", 101), nullptr);  // a later append
  // Kept for a size earlier than the first the memo saw: not kept (it has not read the entries
  // after it), and what is kept stays.
  memo.Keep("E2", 99, Kept(1));
  EXPECT_EQ(Find(memo, "E2", 99), nullptr);
  EXPECT_NE(Find(memo, "E1", 100), nullptr);
  // Kept for a later size: each answers for its own (which holds elsewhere is the ledger's to
  // say: Views.TheLapseMemoHoldsAcrossAppendsThatDoNotChangeIt).
  memo.Keep("E2", 101, Kept(1));
  EXPECT_NE(Find(memo, "E2", 101), nullptr);
  EXPECT_NE(Find(memo, "E1", 100), nullptr);
  EXPECT_EQ(Find(memo, "E1", 101), nullptr);
  auto stats = memo.stats();
  EXPECT_EQ(stats.enterprises, 2u);
  EXPECT_EQ(stats.hits, 5u);
  EXPECT_EQ(stats.misses, 5u);
  EXPECT_EQ(stats.carried, 0u);
  EXPECT_EQ(stats.stale, 0u);  // not known to be: no ledger said so
}

TEST(LapseMemo, RemembersWhatWasAskedAtOneSize) {
  LapseMemo memo(1 << 20);
  EXPECT_FALSE(memo.AskedBefore("E1", 100));
  EXPECT_TRUE(memo.AskedBefore("E1", 100));
  EXPECT_FALSE(memo.AskedBefore("E2", 100));
  EXPECT_FALSE(memo.AskedBefore("E2", 99));  // an earlier --known-at: never kept
  EXPECT_FALSE(memo.AskedBefore("E2", 99));
  EXPECT_TRUE(memo.AskedBefore("E2", 100));  // and what was asked at 100 is not forgotten
  memo.Keep("E1", 100, Kept(1));
  // A later append: what was asked before no longer counts; what was kept stays (whether it
  // holds at the later size is Find's to say).
  EXPECT_FALSE(memo.AskedBefore("E1", 101));
  EXPECT_EQ(memo.stats().enterprises, 1u);
  EXPECT_TRUE(memo.AskedBefore("E1", 101));
}

TEST(LapseMemo, NeverSpendsMoreThanItsBudget) {
  const size_t one = Kept(10)->bytes;
  LapseMemo memo(one * 3 + one / 2);
  for (int i = 0; i < 3; ++i) memo.Keep("E" + std::to_string(i), 7, Kept(10));
  EXPECT_EQ(memo.stats().enterprises, 3u);
  EXPECT_LE(memo.stats().bytes, one * 3 + one / 2);
  // Keeping one again replaces it.
  memo.Keep("E2", 7, Kept(2));
  EXPECT_EQ(Find(memo, "E2", 7)->lapses.size(), 2u);
  EXPECT_EQ(memo.stats().bytes, 2 * one + Kept(2)->bytes);
  // One larger than the whole budget is never kept, and changes nothing.
  EXPECT_FALSE(memo.AskedBefore("E4", 7));
  memo.Keep("E4", 7, Kept(100));
  EXPECT_EQ(Find(memo, "E4", 7), nullptr);
  EXPECT_TRUE(memo.AskedBefore("E4", 7));
  // One that does not fit: not kept, what is kept stays, and no more is asked for (at any size,
  // until something kept is found stale and dropped).
  memo.Keep("E2", 7, Kept(10));
  memo.Keep("E3", 8, Kept(10));
  EXPECT_EQ(Find(memo, "E3", 8), nullptr);
  EXPECT_NE(Find(memo, "E0", 7), nullptr);
  EXPECT_EQ(memo.stats().enterprises, 3u);
  EXPECT_LE(memo.stats().bytes, one * 3 + one / 2);
  EXPECT_FALSE(memo.AskedBefore("E4", 7));
  EXPECT_FALSE(memo.AskedBefore("E4", 8));
  EXPECT_FALSE(memo.AskedBefore("E4", 8));
}

TEST(LapseMemo, KeepsSequencesNotRecordsAndLeavesOutL30) {
  std::vector<LapseFinding> found(2);
  found[0].rule = "L10";
  found[0].window_start = Time::FromUnixSeconds(1000);
  found[0].window_end = Time::FromUnixSeconds(5000);
  found[1].rule = "L30";
  found[1].shown = LapseFinding::Shown::kUndated;
  auto kept = LapseMemo::Make(Time::FromUnixSeconds(0), Time::FromUnixSeconds(4000), found);
  ASSERT_EQ(kept->lapses.size(), 1u);
  const auto& l = kept->lapses[0];
  EXPECT_EQ(l.finding.rule, "L10");
  EXPECT_EQ(l.When(Time::FromUnixSeconds(1000)),
            LapseMemo::Lapse::At::kNotShown);  // strictly after
  EXPECT_EQ(l.When(Time::FromUnixSeconds(1001)), LapseMemo::Lapse::At::kOpen);
  EXPECT_EQ(l.When(Time::FromUnixSeconds(5000)), LapseMemo::Lapse::At::kClosed);
}

}  // namespace
}  // namespace dutyledger
