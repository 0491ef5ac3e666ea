// LapseMemo's bookkeeping: what is kept answers only for the ledger's size it was derived at, and
// the budget is never exceeded. (That its answers are the rules' is
// Views.TheLapseMemoChangesNoAnswer.)
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

TEST(LapseMemo, AnswersOnlyForTheSizeItWasDerivedAt) {
  LapseMemo memo(1 << 20);
  memo.Keep("E1", 100, Kept(3));
  ASSERT_NE(memo.Find("E1", 100), nullptr);
  EXPECT_EQ(memo.Find("E1", 100)->lapses.size(), 3u);
  EXPECT_EQ(memo.Find("E2", 100), nullptr);
  EXPECT_EQ(memo.Find("E1", 99), nullptr);   // an earlier --known-at
  EXPECT_EQ(memo.Find("E1", 101), nullptr);  // a later append
  // Kept for an earlier size: not kept, and what is kept stays.
  memo.Keep("E2", 99, Kept(1));
  EXPECT_EQ(memo.Find("E2", 99), nullptr);
  EXPECT_NE(memo.Find("E1", 100), nullptr);
  // Kept for a later size: everything before it goes.
  memo.Keep("E2", 101, Kept(1));
  EXPECT_NE(memo.Find("E2", 101), nullptr);
  EXPECT_EQ(memo.Find("E1", 101), nullptr);
  EXPECT_EQ(memo.Find("E1", 100), nullptr);
  auto stats = memo.stats();
  EXPECT_EQ(stats.enterprises, 1u);
  EXPECT_EQ(stats.hits, 4u);
  EXPECT_EQ(stats.misses, 6u);
}

TEST(LapseMemo, RemembersWhatWasAskedAtOneSize) {
  LapseMemo memo(1 << 20);
  EXPECT_FALSE(memo.AskedBefore("E1", 100));
  EXPECT_TRUE(memo.AskedBefore("E1", 100));
  EXPECT_FALSE(memo.AskedBefore("E2", 100));
  EXPECT_FALSE(memo.AskedBefore("E2", 99));  // an earlier --known-at: never kept
  EXPECT_FALSE(memo.AskedBefore("E2", 99));
  memo.Keep("E1", 100, Kept(1));
  // A later append: what was asked and kept before no longer counts.
  EXPECT_FALSE(memo.AskedBefore("E1", 101));
  EXPECT_EQ(memo.Find("E1", 100), nullptr);
  EXPECT_EQ(memo.stats().enterprises, 0u);
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
  EXPECT_EQ(memo.Find("E2", 7)->lapses.size(), 2u);
  EXPECT_EQ(memo.stats().bytes, 2 * one + Kept(2)->bytes);
  // One larger than the whole budget is never kept, and changes nothing.
  EXPECT_FALSE(memo.AskedBefore("E4", 7));
  memo.Keep("E4", 7, Kept(100));
  EXPECT_EQ(memo.Find("E4", 7), nullptr);
  EXPECT_TRUE(memo.AskedBefore("E4", 7));
  // One that does not fit: not kept, what is kept stays, and no more is asked for.
  memo.Keep("E2", 7, Kept(10));
  memo.Keep("E3", 7, Kept(10));
  EXPECT_EQ(memo.Find("E3", 7), nullptr);
  EXPECT_NE(memo.Find("E0", 7), nullptr);
  EXPECT_EQ(memo.stats().enterprises, 3u);
  EXPECT_LE(memo.stats().bytes, one * 3 + one / 2);
  EXPECT_FALSE(memo.AskedBefore("E4", 7));
  // Until the next size.
  EXPECT_FALSE(memo.AskedBefore("E4", 8));
  EXPECT_TRUE(memo.AskedBefore("E4", 8));
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
