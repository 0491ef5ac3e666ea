// The verified follower: it mirrors a source byte for byte and refuses a forked or rolled-back
// one, keeping what it verified.
#include <gtest/gtest.h>

#include <filesystem>

#include "ledger/verify.h"
#include "net/follower.h"
#include "tests/net/net_test_util.h"

namespace dutyledger {
namespace {

using namespace std::chrono_literals;

class FollowerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    certs_ = testing::MakeCerts(certs_dir_);
    source_.MustAppend({Note("a"), Note("b"), Note("c")});
    ASSERT_TRUE(source_.ledger().SignCheckpoint().ok());
  }

  SignedEvent Note(const std::string& text) { return source_.Note(text, source_.root()); }

  std::unique_ptr<net::Server> Serve(Ledger* ledger) {
    net::ServerOptions o;
    o.listen = "127.0.0.1:0";
    o.tls_cert = certs_.server_cert;
    o.tls_key = certs_.server_key;
    auto s = net::Server::Start(ledger, o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }

  net::ClientOptions Source(const net::Server& server) {
    net::ClientOptions o;
    o.server = "127.0.0.1:" + std::to_string(server.port());
    o.ca = certs_.ca;
    return o;
  }

  std::unique_ptr<net::Follower> Follow(Ledger* mirror, const net::Server& server) {
    net::Follower::Options o;
    o.source = Source(server);
    o.metrics = &metrics_;
    o.retry_min = 20ms;
    o.log = [this](const std::string& line) { log_ += line + "\n"; };
    auto f = net::Follower::Start(mirror, o);
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    return f.ok() ? std::move(*f) : nullptr;
  }

  // A copy of the source's folder as it is now (the source is closed and reopened around it).
  std::unique_ptr<Ledger> CopyOfSource(const std::string& name) {
    source_.Close();
    std::filesystem::copy(source_.path(), dir_.Sub(name), std::filesystem::copy_options::recursive);
    source_.Reopen();
    Ledger::Options o;
    o.clock = &source_.clock();
    auto copy = Ledger::Open(dir_.Sub(name), o);
    EXPECT_TRUE(copy.ok()) << copy.status().ToString();
    return copy.ok() ? std::move(*copy) : nullptr;
  }

  std::unique_ptr<Ledger> Mirror(const net::Server& server) {
    Ledger::Options o;
    o.clock = &mirror_clock_;
    auto m = net::OpenOrCreateMirror(dir_.Sub("mirror"), Source(server), o);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? std::move(*m) : nullptr;
  }

  testing::TestLedger source_;
  testing::TempDir dir_;
  testing::TempDir certs_dir_;
  testing::TestCerts certs_;
  ManualClock mirror_clock_{testing::TestEpoch()};
  net::Metrics metrics_;
  std::string log_;
};

TEST_F(FollowerTest, MirrorsEveryEntryAndCheckpointByteForByte) {
  auto server = Serve(&source_.ledger());
  auto mirror = Mirror(*server);
  ASSERT_NE(mirror, nullptr);
  EXPECT_TRUE(mirror->is_mirror());
  auto follower = Follow(mirror.get(), *server);
  ASSERT_TRUE(follower->WaitForSize(4, 10s)) << log_;
  source_.MustAppend({Note("live 1"), Note("live 2")});
  ASSERT_TRUE(source_.ledger().SignCheckpoint().ok());
  ASSERT_TRUE(follower->WaitForSize(6, 10s)) << log_;
  ASSERT_TRUE(testing::Eventually([&] {
    auto cp = mirror->LatestCheckpoint();
    return cp.ok() && *cp && (*cp)->checkpoint.size == 6;
  })) << log_;
  EXPECT_EQ(*mirror->RootAt(6), *source_.ledger().RootAt(6));
  for (uint64_t i = 0; i < 6; ++i) {
    EXPECT_EQ(mirror->ReadEntry(i)->bytes(), source_.ledger().ReadEntry(i)->bytes());
  }
  EXPECT_FALSE(mirror->SignCheckpoint().ok()) << "a mirror never signs";
  EXPECT_EQ(mirror->Append({Note("x")}).status().code(), StatusCode::kFailedPrecondition);
  follower.reset();
  std::string path = mirror->path();
  mirror.reset();
  auto report = VerifyLedgerFolder(path, {});
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << report->Summary();
}

TEST_F(FollowerTest, RefusesAForkedSourceAndKeepsWhatItVerified) {
  auto fork = CopyOfSource("fork");  // shares entries 0..3 with the source
  source_.MustAppend({Note("the source's entry 4")});
  ASSERT_TRUE(source_.ledger().SignCheckpoint().ok());
  auto server = Serve(&source_.ledger());
  auto mirror = Mirror(*server);
  auto follower = Follow(mirror.get(), *server);
  ASSERT_TRUE(follower->WaitForSize(5, 10s)) << log_;
  follower.reset();
  server.reset();

  // The fork recorded different entries after 3 and signed them.
  ASSERT_TRUE(fork->Append({Note("the fork's entry 4"), Note("the fork's entry 5")}).ok());
  ASSERT_TRUE(fork->SignCheckpoint().ok());
  auto fork_server = Serve(fork.get());
  follower = Follow(mirror.get(), *fork_server);
  ASSERT_TRUE(follower->WaitStopped(10s)) << log_;
  net::Metrics::Follower state = follower->state();
  EXPECT_FALSE(state.mirroring);
  EXPECT_EQ(state.integrity_failures, 1u);
  EXPECT_NE(state.stopped_reason.find("prevLeafHash"), std::string::npos) << state.stopped_reason;
  EXPECT_NE(log_.find("FOLLOWER STOPPED"), std::string::npos) << log_;
  EXPECT_EQ(mirror->size(), 5u) << "nothing of the fork was recorded";
  EXPECT_EQ(*mirror->RootAt(5), *source_.ledger().RootAt(5));
  std::string metrics = metrics_.Prometheus(mirror->size(), 5);
  EXPECT_NE(metrics.find("dutyledger_follower_mirroring 0"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("dutyledger_follower_integrity_failures_total 1"), std::string::npos);
}

TEST_F(FollowerTest, RefusesARolledBackSource) {
  auto old_copy = CopyOfSource("backup");  // 4 entries
  source_.MustAppend({Note("later")});
  auto server = Serve(&source_.ledger());
  auto mirror = Mirror(*server);
  auto follower = Follow(mirror.get(), *server);
  ASSERT_TRUE(follower->WaitForSize(5, 10s)) << log_;
  follower.reset();
  server.reset();
  auto restored = Serve(old_copy.get());  // the source "restored from a backup"
  follower = Follow(mirror.get(), *restored);
  ASSERT_TRUE(follower->WaitStopped(10s)) << log_;
  EXPECT_NE(follower->state().stopped_reason.find("rolled back"), std::string::npos)
      << follower->state().stopped_reason;
  EXPECT_EQ(mirror->size(), 5u);
}

TEST_F(FollowerTest, RefusesAnotherLedger) {
  testing::TestLedger other;
  auto server = Serve(&source_.ledger());
  auto mirror = Mirror(*server);
  server.reset();
  auto other_server = Serve(&other.ledger());
  auto follower = Follow(mirror.get(), *other_server);
  ASSERT_TRUE(follower->WaitStopped(10s)) << log_;
  EXPECT_NE(follower->state().stopped_reason.find("genesis log key"), std::string::npos)
      << follower->state().stopped_reason;
}

}  // namespace
}  // namespace dutyledger
