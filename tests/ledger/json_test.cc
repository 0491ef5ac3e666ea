#include "ledger/json.h"

#include <gtest/gtest.h>

#include "ledger/codec.h"
#include "ledger/uuid.h"
#include "tests/support/test_util.h"

namespace dutyledger {
namespace {

class JsonTest : public ::testing::Test {
 protected:
  JsonTest() : clock_(testing::TestEpoch()) {
    defaults_ = {"test.example/park-1", Sha256("k"), &clock_};
  }
  Result<Bytes> Parse(const std::string& json) { return codec_.ParseEventBody(json, defaults_); }
  void ExpectRefused(const std::string& json, const std::string& reason) {
    auto r = Parse(json);
    ASSERT_FALSE(r.ok()) << json;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(reason), std::string::npos)
        << "message: " << r.status().message() << "\nwanted: " << reason;
  }
  EventJson codec_;
  ManualClock clock_;
  EventJson::Defaults defaults_;
};

TEST_F(JsonTest, IssueExampleParsesAndRoundTrips) {
  std::string in =
      R"({"eventId": "0190f7a2-6c1e-7b3a-9d2e-4f5a6b7c8d9e", "occurredAt": "2017-02-27T09:00:00+08:00", "note": {"text": "..."}})";
  auto body = Parse(in);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  auto v = EventView::Decode(*body);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(FormatUuid(ByteView(reinterpret_cast<const char*>(v->body().getEventId().begin()), 16)),
            "0190f7a2-6c1e-7b3a-9d2e-4f5a6b7c8d9e");
  std::string out = codec_.EventBodyToJson(v->body());
  EXPECT_NE(out.find("\"occurredAt\":\"2017-02-27T09:00:00+08:00\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"eventId\":\"0190f7a2-6c1e-7b3a-9d2e-4f5a6b7c8d9e\""), std::string::npos);
  // JSON -> Cap'n Proto -> JSON -> Cap'n Proto is a fixed point.
  auto again = codec_.ParseEventBodyAsIs(out);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, *body);
  EXPECT_EQ(codec_.EventBodyToJson(EventView::Decode(*again)->body()), out);
}

TEST_F(JsonTest, FillsDefaults) {
  auto body = Parse(R"({"occurredAt": "2017-02-27T09:00:00+08:00", "note": {"text": "x"}})");
  ASSERT_TRUE(body.ok());
  auto v = EventView::Decode(*body);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->body().getEventId().size(), 16u);
  EXPECT_EQ((v->body().getEventId()[6] >> 4), 7);  // UUIDv7
  EXPECT_EQ(std::string(v->body().getOrigin().cStr()), "test.example/park-1");
  EXPECT_EQ(v->body().getSchemaVersion(), kSchemaVersion);
}

TEST_F(JsonTest, ChineseTextSurvives) {
  auto body = Parse(
      R"({"occurredAt": "2017-02-27T09:00:00+08:00", "note": {"text": "责令限期整改指令书"}})");
  ASSERT_TRUE(body.ok());
  auto out = codec_.EventBodyToJson(EventView::Decode(*body)->body());
  EXPECT_NE(out.find("责令限期整改指令书"), std::string::npos) << out;
}

TEST_F(JsonTest, BadJsonIsRefused) { ExpectRefused(R"({"occurredAt": )", ""); }
TEST_F(JsonTest, NotAnObjectIsRefused) { ExpectRefused(R"([1,2])", "must be a JSON object"); }
TEST_F(JsonTest, UnknownEventTypeIsRefused) {
  ExpectRefused(R"({"occurredAt": "2017-02-27T09:00:00+08:00", "inspektion": {}})",
                "unknown field 'inspektion'");
}
TEST_F(JsonTest, NoEventTypeIsRefused) {
  ExpectRefused(R"({"occurredAt": "2017-02-27T09:00:00+08:00"})", "no event type given");
}
TEST_F(JsonTest, TwoEventTypesAreRefused) {
  ExpectRefused(
      R"({"occurredAt": "2017-02-27T09:00:00+08:00", "note": {"text": "a"}, "keyRevoked": {}})",
      "two event types given");
}
TEST_F(JsonTest, BadTimeNamesTheField) {
  ExpectRefused(R"({"occurredAt": "2017-02-30T09:00:00+08:00", "note": {"text": "a"}})",
                "field occurredAt: not an RFC 3339 time");
}
TEST_F(JsonTest, MissingTimeIsRefused) {
  ExpectRefused(R"({"note": {"text": "a"}})", "field occurredAt: required");
}
TEST_F(JsonTest, BadUuidIsRefused) {
  ExpectRefused(
      R"({"eventId": "not-a-uuid", "occurredAt": "2017-02-27T09:00:00+08:00", "note": {}})",
      "field eventId: not a UUID");
}
TEST_F(JsonTest, UnknownNestedFieldIsRefused) {
  ExpectRefused(R"({"occurredAt": "2017-02-27T09:00:00+08:00", "note": {"txet": "a"}})", "txet");
}
TEST_F(JsonTest, BadHexIsRefused) {
  ExpectRefused(
      R"({"occurredAt": "2017-02-27T09:00:00+08:00", "note": {"documents": [{"sha256": "zz"}]}})",
      "");
}

}  // namespace
}  // namespace dutyledger
