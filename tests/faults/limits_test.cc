// The input limits of LIMITS.md, each at the limit (accepted) and one past it (refused with the
// limit named): event size, batch size, frame size, nesting (protocol, event JSON, bundle JSON),
// connections and subscriptions.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "ledger/bundle_json.h"
#include "ledger/codec.h"
#include "net/internal/wire.h"
#include "tests/net/net_test_util.h"

namespace dutyledger {
namespace {

using net::internal::RequestKind;
using net::internal::ResponseKind;
using net::internal::WireRequest;

std::string NoteJson(size_t text_bytes) {
  return R"({"occurredAt": "2017-02-27T09:00:00+08:00", "note": {"text": ")" +
         std::string(text_bytes, 'x') + "\"}}";
}

// ---- event size: an entry (envelope, body, signature) is at most kMaxEntryBytes = 65,535.

TEST(Limits, EventSizeAtTheLimitIsAcceptedAndOnePastIsRefused) {
  testing::TestLedger t;
  // The entry grows in 8-byte words; find the longest note text that is accepted.
  size_t lo = 60000, hi = 66000;  // lo is accepted, hi is not
  while (hi - lo > 1) {
    size_t mid = (lo + hi) / 2;
    auto r = t.ledger().Append({t.Sign(NoteJson(mid), t.root())});
    (r.ok() ? lo : hi) = mid;
  }
  auto at = t.ledger().Append({t.Sign(NoteJson(lo), t.root())});
  ASSERT_TRUE(at.ok()) << at.status().ToString();
  auto entry = t.ledger().ReadEntry((*at)[0].sequence);
  ASSERT_TRUE(entry.ok());
  // At the limit: the largest entry the 8-byte framing allows under 65,535 bytes.
  EXPECT_LE(entry->bytes().size(), kMaxEntryBytes);
  EXPECT_GT(entry->bytes().size() + 8, kMaxEntryBytes);
  auto past = t.ledger().Append({t.Sign(NoteJson(lo + 1), t.root())});
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.status().code(), StatusCode::kResourceExhausted) << past.status().ToString();
  EXPECT_NE(past.status().message().find("65535"), std::string::npos) << past.status().ToString();
  std::printf("largest accepted entry: %zu bytes (note text of %zu bytes)\n", entry->bytes().size(),
              lo);
}

// ---- batch size: at most 100,000 events in one append (and, over the network, one frame).

TEST(Limits, BatchOfTheLimitIsAcceptedAndOneMoreIsRefused) {
  constexpr size_t kLimit = 100'000;
  testing::TestLedger t;
  std::vector<SignedEvent> events(kLimit);
  std::vector<std::thread> signers;
  const int threads = 2;
  for (int w = 0; w < threads; ++w) {
    signers.emplace_back([&, w] {
      EventJson json;
      EventJson::Defaults d{"test.example/park-1", t.root().public_key().id(), &t.clock()};
      for (size_t i = w; i < kLimit; i += threads) {
        auto body = json.ParseEventBody(R"({"occurredAt": "2017-02-27T09:00:00+08:00",
                                            "note": {"text": "b"}})",
                                        d);
        events[i] = SignedEvent{*body, *t.root().Sign(EventSigningMessage(*body))};
      }
    });
  }
  for (auto& s : signers) s.join();
  auto past_batch = events;
  past_batch.push_back(t.Note("one too many", t.root()));
  auto past = t.ledger().Append(std::move(past_batch));
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.status().code(), StatusCode::kResourceExhausted) << past.status().ToString();
  EXPECT_NE(past.status().message().find("at most 100000"), std::string::npos)
      << past.status().ToString();
  EXPECT_EQ(t.ledger().size(), 1u);  // nothing of it was written
  auto at = t.ledger().Append(std::move(events));
  ASSERT_TRUE(at.ok()) << at.status().ToString();
  EXPECT_EQ(at->size(), kLimit);
  EXPECT_EQ(t.ledger().size(), kLimit + 1);
}

// ---- frame size: 4 MiB (4,194,304 bytes) with the segment table; at most 64 segments.

// A query request whose frame is exactly `bytes` long.
Bytes QueryFrameOf(size_t bytes) {
  WireRequest q;
  q.id = 7;
  q.kind = RequestKind::kQuery;
  q.query.name = "no-such-query";
  size_t text = bytes - 256;
  for (int i = 0; i < 64; ++i) {
    q.query.params["p"] = std::string(text, 'v');
    Bytes frame = net::internal::EncodeRequest(q);
    if (frame.size() == bytes) return frame;
    text = text + bytes - frame.size();
  }
  ADD_FAILURE() << "no query frame of exactly " << bytes << " bytes";
  return {};
}

TEST(Limits, FrameOfTheLimitIsReadAndOneWordMoreIsRefused) {
  testing::ServedLedger s;
  const size_t limit = net::FrameLimits{}.max_frame_bytes;
  ASSERT_EQ(limit, size_t{4} << 20);
  {
    auto raw = testing::RawConnection::Open(s.port(), s.certs().ca, true);
    ASSERT_TRUE(raw->handshake_ok());
    Bytes frame = QueryFrameOf(limit);
    ASSERT_EQ(frame.size(), limit);
    ASSERT_TRUE(raw->Write(frame));
    auto reply = raw->ReadFrame();
    ASSERT_TRUE(reply);
    auto r = testing::ParseResponse(*reply);
    EXPECT_EQ(r.id, 7u);  // answered (an unknown query), not refused as a frame
    EXPECT_EQ(r.kind, ResponseKind::kQuery) << r.error.ToString();
  }
  {
    auto raw = testing::RawConnection::Open(s.port(), s.certs().ca, true);
    ASSERT_TRUE(raw->handshake_ok());
    Bytes frame = QueryFrameOf(limit + 8);
    ASSERT_EQ(frame.size(), limit + 8);
    ASSERT_TRUE(raw->Write(frame.substr(0, 64)));  // the table is enough to refuse it
    auto reply = raw->ReadFrame();
    ASSERT_TRUE(reply);
    auto r = testing::ParseResponse(*reply);
    EXPECT_EQ(r.error.code(), StatusCode::kResourceExhausted);
    EXPECT_NE(r.error.message().find("over the 4194304-byte limit"), std::string::npos)
        << r.error.ToString();
    EXPECT_TRUE(raw->WaitClosed());
  }
}

TEST(Limits, SegmentCountAtTheLimitIsReadAndOneMoreIsRefused) {
  net::FrameLimits limits;
  ASSERT_EQ(limits.max_segments, 64u);
  auto table = [](uint32_t segments) {
    Bytes t;
    uint32_t v = segments - 1;
    t.append(reinterpret_cast<const char*>(&v), 4);
    for (uint32_t i = 0; i < segments; ++i) {
      uint32_t one = 1;
      t.append(reinterpret_cast<const char*>(&one), 4);
    }
    if (t.size() % 8 != 0) t.append(4, '\0');
    return t;
  };
  using net::internal::FrameHeader;
  Bytes at = table(64);
  auto rest = FrameHeader::RestOfTable(reinterpret_cast<const uint8_t*>(at.data()), limits);
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_EQ(4 + *rest, at.size());
  auto words = FrameHeader::SegmentWords(at, limits);
  ASSERT_TRUE(words.ok()) << words.status().ToString();
  EXPECT_EQ(words->size(), 64u);
  Bytes past = table(65);
  auto refused = FrameHeader::RestOfTable(reinterpret_cast<const uint8_t*>(past.data()), limits);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(refused.status().message().find("64-segment limit"), std::string::npos)
      << refused.status().ToString();
}

// ---- nesting: a protocol message nests at most 16 deep (every request of the schema is
// shallower; the deepest is a query: Request -> QueryRequest -> params -> Param -> text). Event
// JSON and bundle JSON: 32 levels.

TEST(Limits, ProtocolNestingAtTheLimitIsDecodedAndOneDeeperIsRefused) {
  WireRequest q;
  q.id = 1;
  q.kind = RequestKind::kQuery;
  q.query = QueryRequest{"show", {{"range", "0"}}};
  Bytes bytes = net::internal::EncodeRequest(q);
  net::internal::Frame frame;
  frame.segment_words = *net::internal::FrameHeader::SegmentWords(bytes.substr(0, 8), {});
  frame.words.resize((bytes.size() - 8) / 8);
  std::memcpy(frame.words.data(), bytes.data() + 8, bytes.size() - 8);
  // The depth of the deepest request: the smallest limit that decodes it.
  int depth = 1;
  while (depth < 16 && !net::internal::DecodeRequest(frame, {size_t{4} << 20, 64, depth}).ok()) {
    ++depth;
  }
  EXPECT_LT(depth, net::FrameLimits{}.nesting_limit) << "the default limit refuses real requests";
  auto at = net::internal::DecodeRequest(frame, {size_t{4} << 20, 64, depth});
  ASSERT_TRUE(at.ok()) << at.status().ToString();
  auto past = net::internal::DecodeRequest(frame, {size_t{4} << 20, 64, depth - 1});
  ASSERT_FALSE(past.ok());
  EXPECT_NE(past.status().message().find("nesting"), std::string::npos) << past.status().ToString();
  std::printf("deepest request: %d levels (limit %d)\n", depth, net::FrameLimits{}.nesting_limit);
}

std::string Nested(int depth, const std::string& inner) {
  return std::string(depth, '[') + inner + std::string(depth, ']');
}

TEST(Limits, EventJsonNestingAtTheLimitIsParsedAndOneDeeperIsRefused) {
  EventJson json;
  // 32 levels: the event object, "note", and 30 arrays: parsed, then refused for its type.
  auto at = json.ParseEventBodyAsIs(R"({"note": {"text": )" + Nested(30, "1") + "}}");
  ASSERT_FALSE(at.ok());
  EXPECT_EQ(at.status().message().find("nest"), std::string::npos) << at.status().ToString();
  auto past = json.ParseEventBodyAsIs(R"({"note": {"text": )" + Nested(31, "1") + "}}");
  ASSERT_FALSE(past.ok());
  EXPECT_NE(past.status().message().find("nest"), std::string::npos) << past.status().ToString();
}

TEST(Limits, BundleJsonNestingAtTheLimitIsParsedAndOneDeeperIsRefused) {
  auto at = ParseJson(Nested(32, "1"));
  EXPECT_TRUE(at.ok()) << at.status().ToString();
  auto past = ParseJson(Nested(33, "1"));
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(past.status().message().find("nest"), std::string::npos) << past.status().ToString();
}

// ---- connections: ServerOptions::max_connections (4,096 by default) protocol connections at
// once; one more is closed at accept. Subscriptions: 8 per connection.

TEST(Limits, ConnectionsAtTheCapAreServedAndOneMoreIsClosed) {
  constexpr size_t kCap = 8;
  testing::ServedLedger s([](net::ServerOptions& o) { o.max_connections = kCap; });
  std::vector<std::unique_ptr<net::Client>> clients;
  for (size_t i = 0; i < kCap; ++i) {
    clients.push_back(s.Connect());
    ASSERT_NE(clients.back(), nullptr) << "connection " << i;
    ASSERT_TRUE(clients.back()->Checkpoint().ok()) << "connection " << i;
  }
  auto past =
      testing::RawConnection::Open(s.port(), s.certs().ca, true, std::chrono::milliseconds(5000));
  EXPECT_FALSE(past->handshake_ok()) << "connection " << kCap + 1 << " was served";
  for (auto& c : clients) ASSERT_TRUE(c->Checkpoint().ok());  // the others are unaffected
  clients.pop_back();
  ASSERT_TRUE(testing::Eventually(
      [&] { return s.server().metrics().connections() < static_cast<int64_t>(kCap); }));
  auto again = s.Connect();
  ASSERT_NE(again, nullptr);
  EXPECT_TRUE(again->Checkpoint().ok());
}

TEST(Limits, SubscriptionsAtTheLimitAreServedAndOneMoreIsRefused) {
  testing::ServedLedger s;
  const size_t limit = net::ServerOptions{}.max_subscriptions;
  ASSERT_EQ(limit, 8u);
  auto raw = testing::RawConnection::Open(s.port(), s.certs().ca, true);
  ASSERT_TRUE(raw->handshake_ok());
  for (size_t i = 0; i <= limit; ++i) {
    WireRequest q;
    q.id = 100 + i;
    q.kind = RequestKind::kSubscribe;
    q.a = 0;
    ASSERT_TRUE(raw->Write(testing::RequestFrame(q)));
  }
  // Each accepted subscription sends history (entry 0); the one past the limit an error.
  size_t errors = 0, refused_id = 0;
  for (int i = 0; i < 64 && errors == 0; ++i) {
    auto frame = raw->ReadFrame();
    ASSERT_TRUE(frame);
    auto r = testing::ParseResponse(*frame);
    if (r.kind == ResponseKind::kError) {
      ++errors;
      refused_id = r.id;
      EXPECT_EQ(r.error.code(), StatusCode::kResourceExhausted) << r.error.ToString();
    }
  }
  EXPECT_EQ(errors, 1u);
  EXPECT_EQ(refused_id, 100 + limit);
}

}  // namespace
}  // namespace dutyledger
