// What fuzzing found (issue 8), as plain tests next to the replayed inputs in regressions/:
// the exact behaviour each fix promises, so it holds in every build, sanitizers or not.
#include <gtest/gtest.h>

#include <cstdint>

#include "ledger/bundle_json.h"
#include "ledger/codec.h"
#include "ledger/json.h"
#include "ledger/time.h"

namespace dutyledger {
namespace {

// Cap'n Proto 0.9.2 read "\u001c" as 0x12 and "\u00e9" as one byte 0x49.
TEST(Findings, BundleJsonDecodesUnicodeEscapes) {
  auto v = ParseJson(R"("\u001c \u00e9 \u20ac \ud83d\ude00 \u0022 \u005c \u0041")");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->string, "\x1c \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \" \\ A");
}

TEST(Findings, BundleJsonRefusesLoneSurrogatesAndBadEscapes) {
  EXPECT_FALSE(ParseJson(R"("\ud83d")").ok());
  EXPECT_FALSE(ParseJson(R"("\ude00")").ok());
  EXPECT_FALSE(ParseJson(R"("\u12G4")").ok());
}

TEST(Findings, BundleJsonKeepsStringsWithNulWhole) {
  auto v = ParseJson(R"({"a\u0000b": "c\u0000d"})");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_EQ(v->object.size(), 1u);
  EXPECT_EQ(v->object[0].first, std::string("a\0b", 3));
  EXPECT_EQ(v->object[0].second.string, std::string("c\0d", 3));
}

TEST(Findings, BundleJsonQuoteRoundTripsControlCharacters) {
  std::string s = "x\x01\x1c\x1f\x7f\"\\\n";
  auto v = ParseJson(JsonQuote(s));
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->string, s);
}

// FormatRfc3339 added the UTC offset in nanoseconds and overflowed near the ends of int64.
TEST(Findings, TimesNearTheEndsOfInt64FormatWithTheirOffset) {
  EXPECT_EQ(FormatRfc3339(Time{INT64_MAX, 480}), "2262-04-12T07:47:16.854775807+08:00");
  EXPECT_EQ(FormatRfc3339(Time{INT64_MIN, -480}), "1677-09-20T16:12:43.145224192-08:00");
}

// The event reader goes through the same Cap'n Proto JSON parser, which recorded "\u00e9" as
// another character; escapes are now decoded before it.
TEST(Findings, EventJsonDecodesUnicodeEscapes) {
  EventJson json;
  auto body = json.ParseEventBodyAsIs(
      R"({"occurredAt": "2017-02-27T09:00:00+08:00", "note": {"text": "caf\u00e9 \u001c"}})");
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  auto event = EventView::Decode(*body);
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  EXPECT_EQ(std::string(event->body().getNote().getText().cStr()), "caf\xc3\xa9 \x1c");
}

}  // namespace
}  // namespace dutyledger
