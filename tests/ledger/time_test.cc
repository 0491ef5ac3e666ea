#include "ledger/time.h"

#include <gtest/gtest.h>

namespace dutyledger {
namespace {

TEST(Rfc3339, ParsesAndFormatsWithOffset) {
  auto t = ParseRfc3339("2017-02-27T09:00:00+08:00");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->unix_seconds(), 1488157200);  // 2017-02-27T01:00:00Z
  EXPECT_EQ(t->utc_offset_minutes, 480);
  EXPECT_EQ(FormatRfc3339(*t), "2017-02-27T09:00:00+08:00");
}

TEST(Rfc3339, FractionsAndZulu) {
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("2020-02-29T23:59:59.5Z")), "2020-02-29T23:59:59.500Z");
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("1970-01-01T00:00:00.000001Z")),
            "1970-01-01T00:00:00.000001Z");
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("1969-12-31T23:59:59.123456789-05:30")),
            "1969-12-31T23:59:59.123456789-05:30");
  EXPECT_EQ(ParseRfc3339("2017-02-27T01:00:00Z")->unix_nanos,
            ParseRfc3339("2017-02-27T09:00:00+08:00")->unix_nanos);
}

// Any Time formats, however it was read: the ends of int64 nanoseconds, the widest offsets.
TEST(Rfc3339, FormatsTheExtremes) {
  EXPECT_EQ(FormatRfc3339(Time{INT64_MIN, 0}), "1677-09-21T00:12:43.145224192Z");
  EXPECT_EQ(FormatRfc3339(Time{INT64_MAX, 0}), "2262-04-11T23:47:16.854775807Z");
  EXPECT_EQ(FormatRfc3339(Time{0, 6000}), "1970-01-05T04:00:00+100:00");
  EXPECT_EQ(FormatRfc3339(Time{0, INT16_MIN}), "1969-12-09T05:52:00-546:08");
  EXPECT_EQ(FormatRfc3339(Time{-1, -1}), "1969-12-31T23:58:59.999999999-00:01");
  EXPECT_EQ(FormatRfc3339(Time{INT64_MAX, INT16_MAX}), "2262-05-04T17:54:16.854775807+546:07");
}

TEST(Rfc3339, RefusesBadTimes) {
  for (const char* bad :
       {"2017-13-01T00:00:00Z", "2017-02-29T00:00:00Z", "2017-02-27T24:00:00Z",
        "2016-12-31T23:59:60Z", "2017-02-27T09:00:00", "2017-02-27", "2017-02-27T09:00Z",
        "17-02-27T09:00:00Z", "2017-02-27T09:00:00+8:00", "2017-02-27T09:00:00.Z",
        "2017-02-27T09:00:00Zjunk", "", "2300-01-01T00:00:00Z"}) {
    auto t = ParseRfc3339(bad);
    EXPECT_FALSE(t.ok()) << bad;
    if (!t.ok()) {
      EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

TEST(TimeArgument, BareDateIsEndOfDay) {
  auto t = ParseTimeArgument("2017-02-27", 480);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(FormatRfc3339(*t), "2017-02-27T23:59:59.999999999+08:00");
}

}  // namespace
}  // namespace dutyledger
