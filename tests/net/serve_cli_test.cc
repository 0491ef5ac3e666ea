// `dutyledger serve` as a user runs it: remote commands print what local ones print, tail
// follows live appends, SIGTERM exits 0 after the appends in flight, and after SIGKILL under load
// every acknowledged append is there and verify passes.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "ledger/verify.h"
#include "tests/net/net_test_util.h"

namespace dutyledger {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

const char kNote[] = R"({"occurredAt": "2017-02-27T09:00:00+08:00", "note": {"text": "n"}})";

class ServeCli : public ::testing::Test {
 protected:
  void SetUp() override {
    bin_ = testing::BinaryDir() + "/tools/dutyledger/dutyledger";
    certs_ = testing::MakeCerts(dir_);
    ASSERT_EQ(Dl("keygen --out " + dir_.Sub("root")).exit_code, 0);
    CliRun r = Dl("init --data " + data() + " --origin test.example/park-1 --authority-key " +
                  dir_.Sub("root.key"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  void TearDown() override { StopServer(SIGKILL); }

  std::string data() const { return dir_.Sub("ledger"); }

  CliRun Dl(const std::string& args) {
    std::string out = dir_.Sub("stdout"), err = dir_.Sub("stderr");
    std::string cmd = bin_ + " " + args + " </dev/null >" + out + " 2>" + err;
    int status = std::system(cmd.c_str());
    CliRun r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = *ReadSmallFile(out, 1 << 26);
    r.err = *ReadSmallFile(err, 1 << 26);
    return r;
  }
  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_.Sub(name)) << text;
    return dir_.Sub(name);
  }
  std::string Remote() const {
    return "--server 127.0.0.1:" + std::to_string(port_) + " --ca " + certs_.ca;
  }

  // Starts `dutyledger serve` (on `data`, default the test's ledger) and reads its port from the
  // first line it prints.
  void StartServer(const std::string& data = "") {
    serve_ = std::make_unique<testing::ServeProcess>(bin_, data.empty() ? this->data() : data,
                                                     certs_, dir_.Sub("serve.err"));
    port_ = serve_->port();
    ASSERT_NE(port_, 0) << testing::ReadOr(dir_.Sub("serve.err"));
  }
  // Returns the exit status (or -signal).
  int StopServer(int signal) { return serve_ ? serve_->Stop(signal) : 0; }

  testing::TempDir dir_;
  testing::TestCerts certs_;
  std::string bin_;
  std::unique_ptr<testing::ServeProcess> serve_;
  uint16_t port_ = 0;
};

TEST_F(ServeCli, RemoteCommandsPrintWhatLocalOnesPrint) {
  ASSERT_EQ(Dl("append --data " + data() + " --key " + dir_.Sub("root.key") + " --file " +
               Write("a.jsonl", std::string(kNote) + "\n" + kNote + "\n"))
                .exit_code,
            0);
  StartServer();
  CliRun remote_append = Dl("append " + Remote() + " --key " + dir_.Sub("root.key") + " --file " +
                            Write("b.jsonl", std::string(kNote) + "\n"));
  ASSERT_EQ(remote_append.exit_code, 0) << remote_append.err;
  EXPECT_EQ(remote_append.out.substr(0, 2), "3 ") << remote_append.out;
  EXPECT_NE(remote_append.err.find("appended 1 events (0 already recorded); checkpoint at size 4"),
            std::string::npos)
      << remote_append.err;
  for (std::string command :
       {"show 0..3", "show 2 --json", "show 9", "show 3..1", "proof inclusion --seq 2 --json",
        "proof inclusion --seq 1", "proof consistency --old 1 --json", "proof consistency --old 2",
        "proof inclusion --seq 9 --size 99", "checkpoint --size 4", "checkpoint --list",
        "verify"}) {
    CliRun local = Dl(command + " --data " + data());
    CliRun remote = Dl(command + " " + Remote());
    EXPECT_EQ(remote.exit_code, local.exit_code) << command << "\n" << remote.err;
    EXPECT_EQ(remote.out, local.out) << command;
    EXPECT_EQ(remote.err, local.err) << command;
  }
  // A refused remote append: one line naming the input line, exit 1, nothing written.
  CliRun refused =
      Dl("append " + Remote() + " --key " + dir_.Sub("root.key") + " --file " +
         Write("c.jsonl", std::string(kNote) + "\n" +
                              R"({"occurredAt": "2099-01-01T00:00:00Z", "note": {"text": "x"}})"));
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(std::count(refused.err.begin(), refused.err.end(), '\n'), 1) << refused.err;
  EXPECT_NE(refused.err.find("line 2: event 1"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("in the future"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("nothing was written"), std::string::npos) << refused.err;
  EXPECT_EQ(Dl("show 4 " + Remote()).exit_code, 1);
  // Usage errors stay usage errors.
  EXPECT_EQ(Dl("show 0 --server 127.0.0.1:" + std::to_string(port_)).exit_code, 2);
  CliRun down = Dl("show 0 --server 127.0.0.1:1 --ca " + certs_.ca);
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_NE(down.err.find("cannot connect to 127.0.0.1:1"), std::string::npos) << down.err;
  EXPECT_EQ(StopServer(SIGTERM), 0);
}

// A lapse report or an entry listing larger than a reply frame comes from the server in chunks
// as it is produced, and the CLI prints them as they arrive: the same bytes as the local
// command, JSON and text.
TEST_F(ServeCli, LargeOutputStreamsFromTheServer) {
  std::string city = dir_.Sub("city");
  CliRun demo = Dl("demo --data " + city + " --enterprises 300 --years 3");
  ASSERT_EQ(demo.exit_code, 0) << demo.err;
  StartServer(city);
  const std::string at = " --valid-at 2030-01-01 --known-at 2030-01-01";
  // Each with the size its output must pass: several replies' worth (a reply carries 2 MiB), or
  // more than the megabyte `show` hands on at a time; one small.
  const std::vector<std::pair<std::string, size_t>> cases = {
      {"lapses --json" + at, size_t{4} << 20},
      {"lapses --lang zh-CN" + at, size_t{512} << 10},
      {"lapses --rule L5 --json" + at, 0},
      {"show 0.. --json", size_t{2} << 20}};
  for (const auto& [args, at_least] : cases) {
    CliRun local = Dl(args + " --data " + city);
    CliRun remote = Dl(args + " " + Remote());
    ASSERT_EQ(local.exit_code, 0) << local.err;
    EXPECT_EQ(remote.exit_code, 0) << remote.err;
    EXPECT_EQ(remote.out.size(), local.out.size()) << args;
    EXPECT_TRUE(remote.out == local.out) << args;
    EXPECT_GT(local.out.size(), at_least) << args;
  }
  EXPECT_EQ(StopServer(SIGTERM), 0);
}

TEST_F(ServeCli, TailPrintsHistoryThenLiveEntries) {
  StartServer();
  std::string tail_out = dir_.Sub("tail.out");
  std::thread tail([&] {
    std::string cmd = bin_ + " tail " + Remote() + " --from 0 --count 4 --json >" + tail_out +
                      " 2>" + dir_.Sub("tail.err");
    EXPECT_EQ(std::system(cmd.c_str()), 0);
  });
  for (int i = 0; i < 3; ++i) {
    CliRun r = Dl("append " + Remote() + " --key " + dir_.Sub("root.key") + " --file " +
                  Write("t.jsonl", std::string(kNote) + "\n"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  tail.join();
  EXPECT_EQ(*ReadSmallFile(tail_out), Dl("show 0..3 --json --data " + data()).out);
  EXPECT_EQ(StopServer(SIGTERM), 0);
}

TEST_F(ServeCli, SigkillUnderLoadLosesNoAcknowledgedAppend) {
  auto root = PrivateKey::ReadPemFile(dir_.Sub("root.key"));
  ASSERT_TRUE(root.ok());
  EventJson json;
  ManualClock clock(testing::TestEpoch());
  std::map<uint64_t, Digest> acked;  // sequence -> leaf hash
  constexpr int kRounds = 2;
  for (int round = 0; round < kRounds; ++round) {
    StartServer();
    net::ClientOptions options;
    options.server = "127.0.0.1:" + std::to_string(port_);
    options.ca = certs_.ca;
    std::mutex mu;
    std::atomic<size_t> acks_this_round{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&, w] {
        auto client = net::Client::Connect(options);
        ASSERT_TRUE(client.ok()) << client.status().ToString();
        EventJson::Defaults d{"test.example/park-1", (*root)->public_key().id(), &clock};
        for (int i = 0; !stop; ++i) {
          std::vector<SignedEvent> batch;
          for (int k = 0; k < 5; ++k) {
            auto body = json.ParseEventBody(kNote, d);
            batch.push_back(SignedEvent{*body, *(*root)->Sign(EventSigningMessage(*body))});
          }
          auto r = (*client)->Append(std::move(batch));
          if (!r.ok()) return;  // the server is gone
          std::lock_guard<std::mutex> l(mu);
          for (const auto& a : *r) acked[a.sequence] = a.leaf_hash;
          acks_this_round += r->size();
        }
        (void)w;
      });
    }
    ASSERT_TRUE(testing::Eventually([&] { return acks_this_round >= 200; }));
    EXPECT_EQ(StopServer(SIGKILL), -SIGKILL);
    stop = true;
    for (auto& t : writers) t.join();
  }
  // Restart: everything acknowledged is there, with the acknowledged leaf hash.
  StartServer();
  net::ClientOptions options;
  options.server = "127.0.0.1:" + std::to_string(port_);
  options.ca = certs_.ca;
  auto client = net::Client::Connect(options);
  ASSERT_TRUE(client.ok());
  ASSERT_GE((*client)->info().size, acked.rbegin()->first + 1);
  Hasher hasher;
  for (const auto& [seq, leaf] : acked) {
    auto entries = (*client)->ReadEntries(seq, 1);
    ASSERT_TRUE(entries.ok() && entries->size() == 1) << "entry " << seq;
    EXPECT_EQ(hasher.LeafHash((*entries)[0]), leaf) << "entry " << seq;
  }
  client->reset();
  EXPECT_EQ(StopServer(SIGTERM), 0) << testing::ReadOr(dir_.Sub("serve.err"));
  auto report = VerifyLedgerFolder(data(), {});
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << report->Summary();
}

}  // namespace
}  // namespace dutyledger
