// Crash consistency at scale: `dutyledger serve` is SIGKILLed at random moments under
// concurrent load (writers with batches of 1, 4 and 32 events, a reader of checkpoints and
// entries, a subscriber), many times. After each restart every acknowledged event is present
// with its acknowledged sequence and leaf hash, and verify passes.
//
// Rounds: DUTYLEDGER_SERVE_KILL_ROUNDS (CI: the default, 5), or --kill-rounds=N on the command
// line for a long run. The seed is printed; DUTYLEDGER_SEED replays one.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "ledger/verify.h"
#include "tests/net/net_test_util.h"

namespace dutyledger {
namespace {

int g_rounds_flag = 0;  // --kill-rounds

int Rounds() {
  if (g_rounds_flag > 0) return g_rounds_flag;
  const char* env = std::getenv("DUTYLEDGER_SERVE_KILL_ROUNDS");
  return env != nullptr ? std::max(1, std::atoi(env)) : 5;
}

uint64_t Seed() {
  const char* s = std::getenv("DUTYLEDGER_SEED");
  uint64_t seed = s != nullptr ? std::strtoull(s, nullptr, 10) : std::random_device{}();
  std::printf("DUTYLEDGER_SEED=%llu\n", static_cast<unsigned long long>(seed));
  return seed;
}

const char kNote[] = R"({"occurredAt": "2017-02-27T09:00:00+08:00", "note": {"text": "k"}})";

TEST(ServeKill, SigkillAtRandomMomentsUnderLoadLosesNoAcknowledgedEvent) {
  const int rounds = Rounds();
  std::mt19937_64 rng(Seed());
  std::printf("rounds: %d\n", rounds);
  testing::TempDir dir;
  testing::TestCerts certs = testing::MakeCerts(dir);
  const std::string bin = testing::BinaryDir() + "/tools/dutyledger/dutyledger";
  const std::string data = dir.Sub("ledger"), err = dir.Sub("serve.err");
  auto root = testing::NewKey();
  ASSERT_TRUE(root->WritePemFile(dir.Sub("root.key")).ok());
  std::string init = bin + " init --data " + data +
                     " --origin test.example/park-1 --authority-key " + dir.Sub("root.key") +
                     " >/dev/null 2>>" + err;
  ASSERT_EQ(std::system(init.c_str()), 0) << testing::ReadOr(err);

  EventJson json;
  ManualClock clock(testing::TestEpoch());
  const EventJson::Defaults defaults{"test.example/park-1", root->public_key().id(), &clock};
  std::map<uint64_t, Digest> acked;  // every acknowledged event: sequence -> leaf hash
  Hasher hasher;
  uint64_t total_killed_in_flight = 0;

  for (int round = 0; round <= rounds; ++round) {
    testing::ServeProcess serve(bin, data, certs, err);
    ASSERT_NE(serve.port(), 0) << testing::ReadOr(err);
    net::ClientOptions options;
    options.server = "127.0.0.1:" + std::to_string(serve.port());
    options.ca = certs.ca;

    // After the restart: everything acknowledged before is there, and verify passes. Verify runs
    // in the server (the `verify` query): a read-only open of the folder beside a live server
    // can lose the race with its compactions (files deleted under it) and report corruption
    // that is not there (notes/issue-8.md).
    {
      auto client = net::Client::Connect(options);
      ASSERT_TRUE(client.ok()) << client.status().ToString();
      if (!acked.empty()) {
        ASSERT_GE((*client)->info().size, acked.rbegin()->first + 1) << "round " << round;
      }
      uint64_t begin = 0;
      while (begin < (*client)->info().size) {
        auto entries = (*client)->ReadEntries(begin, 4096);
        ASSERT_TRUE(entries.ok() && !entries->empty()) << "round " << round << " at " << begin;
        for (size_t i = 0; i < entries->size(); ++i) {
          auto it = acked.find(begin + i);
          if (it != acked.end()) {
            ASSERT_EQ(hasher.LeafHash((*entries)[i]), it->second)
                << "round " << round << ": entry " << begin + i;
          }
        }
        begin += entries->size();
      }
      QueryResponse verify = (*client)->Query(QueryRequest{"verify", {}});
      ASSERT_EQ(verify.exit_code, 0) << "round " << round << ": " << verify.output << verify.error;
    }
    if (round == rounds) {
      EXPECT_EQ(serve.Stop(SIGTERM), 0) << testing::ReadOr(err);
      auto report = VerifyLedgerFolder(data, {});
      ASSERT_TRUE(report.ok()) << report.status().ToString();
      EXPECT_TRUE(report->ok) << report->Summary();
      break;
    }

    // Load, then SIGKILL once `kill_after` events of this round are acknowledged.
    const uint64_t kill_after = rng() % 800;
    std::mutex mu;
    std::condition_variable cv;
    uint64_t acks = 0;
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> sent{0};
    int writing = 0;  // writers still running (guarded by mu): none left ends the wait too
    std::vector<std::thread> threads;
    const int batch_sizes[] = {1, 1, 4, 4, 32, 32};
    for (int batch : batch_sizes) {
      {
        std::lock_guard<std::mutex> l(mu);
        ++writing;
      }
      threads.emplace_back([&, batch] {
        struct Done {
          std::mutex& mu;
          std::condition_variable& cv;
          int& writing;
          ~Done() {
            std::lock_guard<std::mutex> l(mu);
            --writing;
            cv.notify_all();
          }
        } done{mu, cv, writing};
        auto client = net::Client::Connect(options);
        if (!client.ok()) return;
        while (!stop) {
          std::vector<SignedEvent> events;
          for (int k = 0; k < batch; ++k) {
            auto body = json.ParseEventBody(kNote, defaults);
            events.push_back(SignedEvent{*body, *root->Sign(EventSigningMessage(*body))});
          }
          sent += events.size();
          auto r = (*client)->Append(std::move(events));
          if (!r.ok()) return;  // the server is gone
          std::lock_guard<std::mutex> l(mu);
          for (const auto& a : *r) acked[a.sequence] = a.leaf_hash;
          acks += r->size();
          cv.notify_all();
        }
      });
    }
    threads.emplace_back([&] {  // a reader
      auto client = net::Client::Connect(options);
      if (!client.ok()) return;
      for (uint64_t i = 0; !stop; ++i) {
        if (!(*client)->Checkpoint().ok()) return;
        if (!(*client)->ReadEntries(i % 64, 16).ok()) return;
      }
    });
    threads.emplace_back([&] {  // a subscriber (tail)
      auto client = net::Client::Connect(options);
      if (!client.ok()) return;
      (void)(*client)->Subscribe(0, [&](const net::SubscriptionUpdate&) { return !stop; });
    });
    {
      std::unique_lock<std::mutex> l(mu);
      cv.wait(l, [&] { return acks >= kill_after || writing == 0; });
      ASSERT_GT(writing, 0) << "every writer stopped before the kill: " << testing::ReadOr(err);
    }
    EXPECT_EQ(serve.Stop(SIGKILL), -SIGKILL);
    stop = true;
    for (auto& t : threads) t.join();
    total_killed_in_flight += sent - acks;
    std::printf("round %d: killed after %llu acknowledged (wanted %llu), %llu in flight\n", round,
                static_cast<unsigned long long>(acks), static_cast<unsigned long long>(kill_after),
                static_cast<unsigned long long>(sent - acks));
  }
  std::printf("%zu events acknowledged over %d kills, %llu sent and not acknowledged\n",
              acked.size(), rounds, static_cast<unsigned long long>(total_killed_in_flight));
}

}  // namespace
}  // namespace dutyledger

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--kill-rounds=", 0) == 0) dutyledger::g_rounds_flag = std::atoi(a.c_str() + 14);
  }
  return RUN_ALL_TESTS();
}
