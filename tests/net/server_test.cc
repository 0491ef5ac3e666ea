// The protocol server against good clients and bad bytes: each failure mode gets its specific
// answer, and the server keeps serving a well-behaved client throughout.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <future>
#include <random>
#include <thread>

#include "ledger/merkle.h"
#include "tests/net/net_test_util.h"

namespace dutyledger {
namespace {

using net::internal::RequestKind;
using net::internal::ResponseKind;
using net::internal::WireRequest;
using testing::RawConnection;
using testing::ServedLedger;

WireRequest Hello(uint64_t id) {
  WireRequest r;
  r.id = id;
  r.kind = RequestKind::kHello;
  return r;
}

// The well-behaved client the server must keep serving.
void ExpectServing(ServedLedger& s) {
  auto client = s.Connect();
  ASSERT_NE(client, nullptr);
  auto cp = client->Checkpoint();
  EXPECT_TRUE(cp.ok()) << cp.status().ToString();
}

// A frame with a valid segment table of `words` words whose content is `content`.
Bytes RawFrame(uint32_t segments_minus_one, const std::vector<uint32_t>& sizes, ByteView content) {
  Bytes out;
  auto put32 = [&](uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); };
  put32(segments_minus_one);
  for (uint32_t s : sizes) put32(s);
  if (out.size() % 8 != 0) put32(0);
  out.append(content);
  return out;
}

TEST(Server, AppendReadCheckpointAndProofs) {
  ServedLedger s;
  auto client = s.Connect();
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->info().origin, "test.example/park-1");
  EXPECT_FALSE(client->info().follower);
  auto acks =
      client->Append({s.test().Note("a", s.test().root()), s.test().Note("b", s.test().root())});
  ASSERT_TRUE(acks.ok()) << acks.status().ToString();
  ASSERT_EQ(acks->size(), 2u);
  EXPECT_EQ((*acks)[0].sequence, 1u);
  EXPECT_EQ((*acks)[1].sequence, 2u);
  EXPECT_EQ((*acks)[1].leaf_hash, *s.ledger().LeafHash(2));
  auto entries = client->ReadEntries(1, 10);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[1], Bytes(s.ledger().ReadEntry(2)->bytes()));
  auto note = client->Checkpoint(0, /*sign=*/true);
  ASSERT_TRUE(note.ok()) << note.status().ToString();
  EXPECT_NE(note->find("\n3\n"), std::string::npos) << *note;
  auto inclusion = client->InclusionProof(1, 0);
  ASSERT_TRUE(inclusion.ok()) << inclusion.status().ToString();
  EXPECT_TRUE(VerifyInclusion(s.ledger().hasher(), 1, 3, inclusion->leaf_hash, inclusion->proof,
                              inclusion->root)
                  .ok());
  auto consistency = client->ConsistencyProof(1, 3);
  ASSERT_TRUE(consistency.ok());
  EXPECT_TRUE(VerifyConsistency(s.ledger().hasher(), 1, 3, consistency->root1, consistency->root2,
                                consistency->proof)
                  .ok());
  QueryResponse q = client->Query(QueryRequest{"show", {{"range", "1..2"}, {"json", "true"}}});
  EXPECT_EQ(q.exit_code, 0) << q.error;
  EXPECT_EQ(q.output,
            AllQueries().Run(s.ledger(), {"show", {{"range", "1..2"}, {"json", "true"}}}).output);
  q = client->Query(QueryRequest{"no-such-query", {}});
  EXPECT_EQ(q.exit_code, 2);
}

TEST(Server, RefusedAppendNamesTheEventAndTheConnectionStaysUsable) {
  ServedLedger s;
  auto client = s.Connect();
  SignedEvent bad = s.test().Note("bad", s.test().root());
  bad.signature[0] ^= 1;
  size_t failed = 99;
  auto r = client->Append({s.test().Note("ok", s.test().root()), bad}, &failed);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(failed, 1u);
  EXPECT_NE(r.status().message().find("event 1"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("signature does not verify"), std::string::npos);
  EXPECT_EQ(s.ledger().size(), 1u);  // all or nothing
  EXPECT_TRUE(client->Append({s.test().Note("after", s.test().root())}).ok());
}

TEST(Server, PipelinedRequestsAreAnsweredUnderTheirIds) {
  ServedLedger s([](net::ServerOptions& o) { o.max_in_flight = 2; });
  auto raw = RawConnection::Open(s.port(), s.certs().ca, true);
  ASSERT_TRUE(raw->handshake_ok());
  Bytes all;
  constexpr int kAppends = 40;
  for (int i = 0; i < kAppends; ++i) {
    WireRequest r;
    r.id = 100 + i;
    r.kind = RequestKind::kAppend;
    r.events = {s.test().Note("p" + std::to_string(i), s.test().root())};
    all += testing::RequestFrame(r);
  }
  all += testing::RequestFrame(Hello(7));
  ASSERT_TRUE(raw->Write(all));  // far beyond the in-flight limit: the server reads as it can
  std::set<uint64_t> ids;
  for (int i = 0; i < kAppends + 1; ++i) {
    auto frame = raw->ReadFrame();
    ASSERT_TRUE(frame) << "response " << i;
    auto r = testing::ParseResponse(*frame);
    if (r.id == 7) {
      EXPECT_EQ(r.kind, ResponseKind::kHello);
    } else {
      EXPECT_EQ(r.kind, ResponseKind::kAppend) << r.error.ToString();
    }
    ids.insert(r.id);
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kAppends + 1));
  EXPECT_EQ(s.ledger().size(), 1u + kAppends);
}

TEST(Server, MalformedFrameGetsAnErrorAndTheConnectionStaysUsable) {
  ServedLedger s;
  auto raw = RawConnection::Open(s.port(), s.certs().ca, true);
  ASSERT_TRUE(raw->handshake_ok());
  // One segment of two words whose root pointer points far outside the segment.
  uint64_t words[2] = {(uint64_t{1} << 32) | (uint64_t{1000} << 2), 0};
  ASSERT_TRUE(raw->Write(RawFrame(0, {2}, ByteView(reinterpret_cast<char*>(words), 16))));
  auto frame = raw->ReadFrame();
  ASSERT_TRUE(frame);
  auto r = testing::ParseResponse(*frame);
  EXPECT_EQ(r.kind, ResponseKind::kError);
  EXPECT_EQ(r.id, 0u);
  EXPECT_EQ(r.error.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.error.message().find("malformed message"), std::string::npos) << r.error.message();
  ASSERT_TRUE(raw->Write(testing::RequestFrame(Hello(5))));
  frame = raw->ReadFrame();
  ASSERT_TRUE(frame);
  EXPECT_EQ(testing::ParseResponse(*frame).kind, ResponseKind::kHello);
  EXPECT_NE(s.server().metrics().Prometheus(0, 0).find("dutyledger_protocol_errors_total 1"),
            std::string::npos);
}

TEST(Server, DeepNestingIsRefused) {
  ServedLedger s([](net::ServerOptions& o) { o.limits.nesting_limit = 2; });
  auto raw = RawConnection::Open(s.port(), s.certs().ca, true);
  ASSERT_TRUE(raw->handshake_ok());
  WireRequest q;
  q.id = 3;
  q.kind = RequestKind::kQuery;
  q.query = QueryRequest{"show", {{"range", "0"}}};  // Request -> QueryRequest -> List -> Param
  ASSERT_TRUE(raw->Write(testing::RequestFrame(q)));
  auto frame = raw->ReadFrame();
  ASSERT_TRUE(frame);
  auto r = testing::ParseResponse(*frame);
  EXPECT_EQ(r.kind, ResponseKind::kError);
  EXPECT_NE(r.error.message().find("nesting"), std::string::npos) << r.error.message();
}

TEST(Server, OversizedFrameIsRefusedFromItsSegmentTableAndClosed) {
  ServedLedger s;
  auto raw = RawConnection::Open(s.port(), s.certs().ca, true);
  ASSERT_TRUE(raw->handshake_ok());
  // Announces 8 MiB and sends none of it: the answer cannot wait for the bytes.
  ASSERT_TRUE(raw->Write(RawFrame(0, {1u << 20}, "")));
  auto frame = raw->ReadFrame();
  ASSERT_TRUE(frame);
  auto r = testing::ParseResponse(*frame);
  EXPECT_EQ(r.error.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.error.message().find("over the 4194304-byte limit"), std::string::npos)
      << r.error.message();
  EXPECT_TRUE(raw->WaitClosed());
  ExpectServing(s);
}

TEST(Server, TooManySegmentsIsRefused) {
  ServedLedger s;
  auto raw = RawConnection::Open(s.port(), s.certs().ca, true);
  ASSERT_TRUE(raw->handshake_ok());
  ASSERT_TRUE(raw->Write(RawFrame(999, {}, "")));
  auto frame = raw->ReadFrame();
  ASSERT_TRUE(frame);
  auto r = testing::ParseResponse(*frame);
  EXPECT_EQ(r.error.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.error.message().find("1000 segments"), std::string::npos) << r.error.message();
  EXPECT_TRUE(raw->WaitClosed());
}

TEST(Server, TruncatedFrameThenEofClosesQuietly) {
  ServedLedger s;
  auto raw = RawConnection::Open(s.port(), s.certs().ca, true);
  ASSERT_TRUE(raw->handshake_ok());
  Bytes frame = testing::RequestFrame(Hello(1));
  ASSERT_TRUE(raw->Write(frame.substr(0, frame.size() - 8)));
  raw->ShutdownWrite();
  EXPECT_TRUE(raw->WaitClosed());
  ExpectServing(s);
}

TEST(Server, GarbageAfterTheHandshakeIsRefusedAndClosed) {
  ServedLedger s;
  auto raw = RawConnection::Open(s.port(), s.certs().ca, true);
  ASSERT_TRUE(raw->handshake_ok());
  std::mt19937 rng(42);
  Bytes garbage(4096, '\0');
  for (auto& c : garbage) c = static_cast<char>(rng() | 0x80);  // a huge segment count first
  ASSERT_TRUE(raw->Write(garbage));
  auto frame = raw->ReadFrame();
  ASSERT_TRUE(frame);
  EXPECT_EQ(testing::ParseResponse(*frame).error.code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(raw->WaitClosed());
  ExpectServing(s);
}

TEST(Server, PlaintextSentToTheTlsPortIsDropped) {
  ServedLedger s;
  auto raw = RawConnection::Open(s.port(), "", /*tls=*/false);
  ASSERT_NE(raw, nullptr);
  ASSERT_TRUE(raw->Write(testing::RequestFrame(Hello(1))));
  EXPECT_TRUE(raw->WaitClosed());
  EXPECT_TRUE(testing::Eventually([&] {
    return s.server().metrics().Prometheus(0, 0).find("dutyledger_protocol_errors_total 1") !=
           std::string::npos;
  }));
  ExpectServing(s);
}

TEST(Server, WrongCaIsRefusedByTheClient) {
  ServedLedger s;
  net::ClientOptions o = s.ClientOptions();
  o.ca = s.certs().other_ca;
  auto c = net::Client::Connect(o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(c.status().message().find("TLS handshake"), std::string::npos);
}

TEST(Server, ClientCertificateRequiredWithClientCa) {
  testing::TestLedger ledger;
  testing::TempDir dir;
  testing::TestCerts certs = testing::MakeCerts(dir);
  net::ServerOptions o;
  o.listen = "127.0.0.1:0";
  o.tls_cert = certs.server_cert;
  o.tls_key = certs.server_key;
  o.client_ca = certs.ca;
  auto server = net::Server::Start(&ledger.ledger(), o);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  net::ClientOptions co;
  co.server = "127.0.0.1:" + std::to_string((*server)->port());
  co.ca = certs.ca;
  EXPECT_FALSE(net::Client::Connect(co).ok()) << "no client certificate";
  co.cert = certs.client_cert;
  co.key = certs.client_key;
  auto client = net::Client::Connect(co);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  EXPECT_TRUE((*client)->Checkpoint().ok());
}

TEST(Server, SlowClientsAreTimedOutWhileOthersAreServed) {
  ServedLedger s([](net::ServerOptions& o) {
    o.handshake_timeout = std::chrono::milliseconds(300);
    o.read_timeout = std::chrono::milliseconds(300);
    o.idle_timeout = std::chrono::milliseconds(600);
  });
  auto start = std::chrono::steady_clock::now();
  // No handshake at all.
  auto silent = RawConnection::Open(s.port(), "", false);
  // A frame started and never finished.
  auto stalled = RawConnection::Open(s.port(), s.certs().ca, true);
  ASSERT_TRUE(stalled->handshake_ok());
  ASSERT_TRUE(stalled->Write(testing::RequestFrame(Hello(1)).substr(0, 5)));
  // Idle: handshake, then nothing.
  auto idle = RawConnection::Open(s.port(), s.certs().ca, true);
  ASSERT_TRUE(idle->handshake_ok());
  ExpectServing(s);
  EXPECT_TRUE(silent->WaitClosed());
  EXPECT_TRUE(stalled->WaitClosed());
  EXPECT_TRUE(idle->WaitClosed());
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(10));
  ExpectServing(s);
}

TEST(Server, ThousandConnectionsOpenedAndDropped) {
  ServedLedger s;
  constexpr int kConnections = 1000;
  constexpr int kWave = 200;  // open at once, then drop
  for (int wave = 0; wave < kConnections / kWave; ++wave) {
    std::vector<std::unique_ptr<RawConnection>> open;
    for (int i = 0; i < kWave; ++i) {
      // Every tenth completes a handshake; the rest drop right after connecting.
      auto c = RawConnection::Open(s.port(), s.certs().ca, /*tls=*/i % 10 == 0);
      ASSERT_NE(c, nullptr) << "connection " << wave * kWave + i;
      open.push_back(std::move(c));
    }
    ExpectServing(s);
  }
  EXPECT_TRUE(testing::Eventually([&] { return s.server().metrics().connections() == 0; }))
      << s.server().metrics().connections() << " connections still open";
  ExpectServing(s);
}

TEST(Server, ClientDisconnectingMidAppendThenRetryingRecordsEachEventOnce) {
  ServedLedger s;
  for (int round = 0; round < 5; ++round) {
    std::vector<SignedEvent> events;
    for (int i = 0; i < 20; ++i) {
      events.push_back(
          s.test().Note("r" + std::to_string(round) + "-" + std::to_string(i), s.test().root()));
    }
    uint64_t before = s.ledger().size();
    {
      auto raw = RawConnection::Open(s.port(), s.certs().ca, true);
      ASSERT_TRUE(raw->handshake_ok());
      WireRequest r;
      r.id = 1;
      r.kind = RequestKind::kAppend;
      r.events = events;
      ASSERT_TRUE(raw->Write(testing::RequestFrame(r)));
    }  // gone before any answer
    auto client = s.Connect();
    auto retry = client->Append(events);
    ASSERT_TRUE(retry.ok()) << retry.status().ToString();
    bool all_duplicates = (*retry)[0].duplicate;
    for (size_t i = 0; i < retry->size(); ++i) {
      EXPECT_EQ((*retry)[i].duplicate, all_duplicates) << "the first request is atomic";
      EXPECT_EQ((*retry)[i].sequence, before + i);
    }
    EXPECT_EQ(s.ledger().size(), before + events.size()) << "round " << round;
  }
  ExpectServing(s);
}

TEST(Server, GracefulShutdownAnswersEveryAppendInFlight) {
  ServedLedger s;
  auto client = s.Connect();
  std::mutex mu;
  std::vector<Result<std::vector<AppendedEvent>>> results;
  std::promise<void> all;
  constexpr int kRequests = 50;
  for (int i = 0; i < kRequests; ++i) {
    client->AppendAsync({s.test().Note("g" + std::to_string(i), s.test().root())},
                        [&](Result<std::vector<AppendedEvent>> r, size_t) {
                          std::lock_guard<std::mutex> l(mu);
                          results.push_back(std::move(r));
                          if (results.size() == kRequests) all.set_value();
                        });
  }
  s.server().Shutdown();
  all.get_future().wait();
  s.StopServer();
  size_t acked = 0;
  for (auto& r : results) {
    if (r.ok()) {
      ++acked;
      EXPECT_EQ(*s.ledger().LeafHash((*r)[0].sequence), (*r)[0].leaf_hash);
    } else {
      EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
    }
  }
  EXPECT_LE(acked + 1, s.ledger().size());
}

TEST(Server, SubscriptionSendsHistoryThenLiveEntriesAndCheckpoints) {
  ServedLedger s([](net::ServerOptions&) {},
                 [] {
                   testing::TestLedger::Config c;
                   c.checkpoint_every_entries = 4;
                   return c;
                 }());
  s.test().MustAppend({s.test().Note("h1", s.test().root()), s.test().Note("h2", s.test().root())});
  auto subscriber = s.Connect();
  std::vector<Bytes> got;
  std::vector<std::string> checkpoints;
  std::thread appender([&] {
    for (int i = 0; i < 6; ++i) s.test().MustAppend({s.test().Note("live", s.test().root())});
  });
  Status end = subscriber->Subscribe(1, [&](const net::SubscriptionUpdate& u) {
    EXPECT_EQ(u.begin, 1 + got.size());
    got.insert(got.end(), u.entries.begin(), u.entries.end());
    if (!u.checkpoint.empty()) checkpoints.push_back(u.checkpoint);
    return got.size() < 8;
  });
  appender.join();
  EXPECT_TRUE(end.ok()) << end.ToString();
  ASSERT_EQ(got.size(), 8u);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i], Bytes(s.ledger().ReadEntry(1 + i)->bytes())) << "entry " << 1 + i;
  }
  EXPECT_FALSE(checkpoints.empty());
  ExpectServing(s);
}

TEST(Server, PlaintextOnlyOnLoopback) {
  testing::TestLedger ledger;
  net::ServerOptions o;
  o.listen = "0.0.0.0:0";
  o.plaintext_loopback = true;
  auto server = net::Server::Start(&ledger.ledger(), o);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(server.status().message().find("not a loopback address"), std::string::npos);
  o.listen = "127.0.0.1:0";
  server = net::Server::Start(&ledger.ledger(), o);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  net::ClientOptions co;
  co.server = "127.0.0.1:" + std::to_string((*server)->port());
  co.plaintext = true;
  auto client = net::Client::Connect(co);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  EXPECT_TRUE((*client)->Checkpoint().ok());
}

}  // namespace
}  // namespace dutyledger
