// SIGKILL a child process that appends in a loop, at random moments, many times; after each
// kill every acknowledged event must be present at its sequence, no sequence missing, and verify
// must pass.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <random>
#include <thread>

#include "ledger/ledger.h"
#include "ledger/verify.h"
#include "tests/support/test_util.h"

namespace dutyledger {
namespace {

int Rounds() {
  const char* env = std::getenv("DUTYLEDGER_CRASH_ROUNDS");
  return env != nullptr ? std::atoi(env) : 20;
}

TEST(Crash, SigkillDuringAppendsLosesNothingAcknowledged) {
  testing::TestLedger t;
  auto key = testing::NewKey();
  t.Bind(*key, "official:crash");
  std::string key_path = t.dir().Sub("signer.key");
  ASSERT_TRUE(key->WritePemFile(key_path).ok());
  std::string data = t.path();
  t.Close();

  uint64_t seed = std::random_device{}();
  if (const char* s = std::getenv("DUTYLEDGER_CRASH_SEED")) seed = std::strtoull(s, nullptr, 10);
  std::printf("crash test seed: %llu (DUTYLEDGER_CRASH_SEED to repeat)\n",
              static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  std::map<uint64_t, std::string> acknowledged;  // sequence -> event id hex
  std::string child = testing::BinaryDir() + "/tests/ledger/append_loop_child";
  for (int round = 0; round < Rounds(); ++round) {
    int out[2];
    ASSERT_EQ(::pipe(out), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::dup2(out[1], 1);
      ::close(out[0]);
      ::close(out[1]);
      std::string child_seed = std::to_string(seed + round);
      ::execl(child.c_str(), child.c_str(), data.c_str(), key_path.c_str(), child_seed.c_str(),
              nullptr);
      ::_exit(127);
    }
    ::close(out[1]);
    // Read acknowledgements until a random deadline, then kill mid-flight.
    // Even rounds kill at a random moment from the start (the open, the first appends); odd
    // rounds wait for the first acknowledgment (up to a minute: a sanitizer build on a loaded
    // machine can take longer than the window to open the ledger), then kill at a random moment
    // after it, so that some acknowledged events are always put to the test.
    using Clock = std::chrono::steady_clock;
    const bool after_first_ack = round % 2 == 1;
    const auto started = Clock::now();
    auto deadline = after_first_ack
                        ? started + std::chrono::seconds(60)
                        : started + std::chrono::milliseconds(100 + static_cast<int>(rng() % 400));
    bool armed = !after_first_ack;
    std::string buffer;
    char chunk[4096];
    ::fcntl(out[0], F_SETFL, O_NONBLOCK);
    while (Clock::now() < deadline) {
      ssize_t n = ::read(out[0], chunk, sizeof chunk);
      if (n > 0)
        buffer.append(chunk, static_cast<size_t>(n));
      else
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      if (!armed && buffer.find('\n') != std::string::npos) {
        armed = true;
        deadline = Clock::now() + std::chrono::milliseconds(static_cast<int>(rng() % 400));
      }
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    // Whatever the child printed before dying was acknowledged.
    while (true) {
      ssize_t n = ::read(out[0], chunk, sizeof chunk);
      if (n <= 0) break;
      buffer.append(chunk, static_cast<size_t>(n));
    }
    ::close(out[0]);
    size_t start = 0;
    while (true) {
      size_t nl = buffer.find('\n', start);
      if (nl == std::string::npos) break;  // a partial line was never fully acknowledged
      std::string line = buffer.substr(start, nl - start);
      start = nl + 1;
      size_t sp = line.find(' ');
      ASSERT_NE(sp, std::string::npos) << line;
      acknowledged[std::stoull(line.substr(0, sp))] = line.substr(sp + 1);
    }
    ASSERT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) != 0)
        << "child failed on its own in round " << round;

    // Reopen: every acknowledged event is there, at its sequence.
    ManualClock clock(testing::TestEpoch());
    Ledger::Options o;
    o.clock = &clock;
    o.read_only = true;
    auto ledger = Ledger::Open(data, o);
    ASSERT_TRUE(ledger.ok()) << "round " << round << ": " << ledger.status().ToString();
    for (const auto& [seq, id] : acknowledged) {
      auto found = (*ledger)->FindEvent(*HexDecode(id));
      ASSERT_TRUE(found.ok() && *found)
          << "round " << round << ": acknowledged entry " << seq << " is missing";
      EXPECT_EQ(**found, seq);
    }
    ledger->reset();
    auto report = VerifyLedgerFolder(data, VerifyOptions{});
    ASSERT_TRUE(report.ok());
    ASSERT_TRUE(report->ok) << "round " << round << ": " << report->Summary();
  }
  std::printf("%d rounds, %zu acknowledged events\n", Rounds(), acknowledged.size());
  EXPECT_GT(acknowledged.size(), 0u);
}

}  // namespace
}  // namespace dutyledger
