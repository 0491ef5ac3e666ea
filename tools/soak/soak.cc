// dutyledger-soak: hours of mixed load against one `dutyledger serve`, reporting throughput,
// latency and memory over time (issue 8; not part of CI).
//
// It makes a fresh ledger, certificates (openssl CLI) and a root key in --dir, starts
//   - the server (`dutyledger serve`), and
//   - a verified follower (`dutyledger serve --follow`), restarted every --follower-restart
//     seconds so that it catches up again and again,
// then runs until --duration:
//   - writers appending signed notes in batches of 1..--max-batch at about --rate events/s,
//   - readers asking checkpoints, entries, inclusion and consistency proofs and `show` queries,
//   - tails subscribing from an older sequence and following live entries for a while, over and
//     over.
// Every --report seconds it prints one line: elapsed time, appends/s, reads/s, tail entries/s,
// append and read latency (p50/p99 ms), ledger size, follower lag, and the resident memory (RSS)
// (all of it, and the anonymous part: heap and stacks) of the server and the follower, and of
// itself. At the end: a summary, whether memory stayed flat (the server's anonymous memory over
// the second half grew less than --flat-mb; RSS also counts the table files RocksDB maps for
// reading, which grow with the data), the follower's final catch-up, and verify of both folders.
//
//   dutyledger-soak --bin build/tools/dutyledger/dutyledger --dir /tmp/soak --duration 1800
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ledger/codec.h"
#include "ledger/json.h"
#include "ledger/keys.h"
#include "ledger/time.h"
#include "net/client.h"

namespace dutyledger::soak {
namespace {

using Clock = std::chrono::steady_clock;

struct Flags {
  std::string bin = "dutyledger";
  std::string dir = "/tmp/dutyledger-soak";
  double duration = 1800;  // seconds
  double report = 30;
  double rate = 400;  // events/s, all writers together
  int writers = 4;
  int max_batch = 16;
  int readers = 2;
  double read_rate = 300;  // requests/s, all readers together
  int tails = 2;
  double tail_seconds = 20;  // how long one tail follows before starting over
  double follower_restart = 300;
  double flat_mb = 32;
};

void Usage() {
  std::fprintf(stderr,
               "usage: dutyledger-soak --bin DUTYLEDGER --dir DIR [--duration S] [--report S]\n"
               "       [--rate EVENTS/S] [--writers N] [--max-batch N] [--readers N]\n"
               "       [--read-rate REQ/S] [--tails N] [--tail-seconds S]\n"
               "       [--follower-restart S] [--flat-mb MB]\n");
}

bool ParseFlags(int argc, char** argv, Flags* f) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) return false;
    std::string v = argv[++i];
    if (a == "--bin")
      f->bin = v;
    else if (a == "--dir")
      f->dir = v;
    else if (a == "--duration")
      f->duration = std::stod(v);
    else if (a == "--report")
      f->report = std::stod(v);
    else if (a == "--rate")
      f->rate = std::stod(v);
    else if (a == "--writers")
      f->writers = std::stoi(v);
    else if (a == "--max-batch")
      f->max_batch = std::stoi(v);
    else if (a == "--readers")
      f->readers = std::stoi(v);
    else if (a == "--read-rate")
      f->read_rate = std::stod(v);
    else if (a == "--tails")
      f->tails = std::stoi(v);
    else if (a == "--tail-seconds")
      f->tail_seconds = std::stod(v);
    else if (a == "--follower-restart")
      f->follower_restart = std::stod(v);
    else if (a == "--flat-mb")
      f->flat_mb = std::stod(v);
    else
      return false;
  }
  return f->writers > 0 && f->max_batch > 0 && f->rate > 0 && f->report > 0;
}

int Run(const std::string& cmd) { return std::system(cmd.c_str()); }

// A /proc/<pid>/status field in MiB ("VmRSS", "RssAnon"), or -1. RssAnon is the heap and
// stacks; VmRSS also counts file-backed pages mapped into the process (libraries, and before
// 2026-11 RocksDB's tables, then read through mmap).
double StatusMb(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      return std::strtod(line.c_str() + field.size() + 1, nullptr) / 1024.0;
    }
  }
  return -1;
}
double RssMb(pid_t pid) { return StatusMb(pid, "VmRSS"); }
double AnonMb(pid_t pid) { return StatusMb(pid, "RssAnon"); }

// A `dutyledger serve` child; its port comes from the first line it prints.
class Serve {
 public:
  bool Start(const std::vector<std::string>& args, const std::string& err_file) {
    int out[2];
    if (::pipe(out) != 0) return false;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(err, 2);
      ::close(out[0]);
      std::vector<char*> argv;
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    FILE* f = ::fdopen(out[0], "r");
    char line[512];
    bool ok = std::fgets(line, sizeof line, f) != nullptr;
    std::fclose(f);
    if (!ok) return false;
    std::string s = line;
    size_t at = s.find("127.0.0.1:");
    if (at == std::string::npos) return false;
    port_ = static_cast<uint16_t>(std::stoi(s.substr(at + 10)));
    return true;
  }
  int Stop(int signal = SIGTERM) {
    if (pid_ <= 0) return 0;
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }
  ~Serve() { Stop(SIGKILL); }
  pid_t pid() const { return pid_; }
  uint16_t port() const { return port_; }

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

// Latencies of one interval, in microseconds.
class Latencies {
 public:
  void Add(int64_t us) {
    std::lock_guard<std::mutex> l(mu_);
    v_.push_back(us);
  }
  // p50 and p99 in ms, and clears.
  std::pair<double, double> TakePercentiles() {
    std::vector<int64_t> v;
    {
      std::lock_guard<std::mutex> l(mu_);
      v.swap(v_);
    }
    if (v.empty()) return {0, 0};
    std::sort(v.begin(), v.end());
    return {v[v.size() / 2] / 1000.0, v[std::min(v.size() - 1, v.size() * 99 / 100)] / 1000.0};
  }

 private:
  std::mutex mu_;
  std::vector<int64_t> v_;
};

int64_t MicrosSince(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t).count();
}

struct Sample {
  double t, server_rss, server_anon, follower_rss, follower_anon, own_rss;
};

int Main(int argc, char** argv) {
  Flags f;
  if (!ParseFlags(argc, argv, &f)) {
    Usage();
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  f.bin = std::filesystem::absolute(f.bin).string();
  std::filesystem::remove_all(f.dir);
  std::filesystem::create_directories(f.dir);
  const std::string d = f.dir;
  std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
  std::string certs = "set -e; cd " + d + "; openssl req -x509 " + ec +
                      " -keyout ca.key -out ca.pem -days 30 -subj /CN=soak-ca; openssl req " + ec +
                      " -keyout server.key -out server.csr -subj /CN=localhost; printf "
                      "'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > ext.cnf; openssl x509 "
                      "-req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out "
                      "server.pem -days 30 -extfile ext.cnf; chmod 600 *.key";
  if (Run("sh -c \"" + certs + "\" >" + d + "/openssl.log 2>&1") != 0 ||
      Run(f.bin + " keygen --out " + d + "/root >/dev/null") != 0 ||
      Run(f.bin + " init --data " + d + "/ledger --origin soak.example/log --authority-key " + d +
          "/root.key >/dev/null") != 0) {
    std::fprintf(stderr, "soak: setup failed (see %s)\n", d.c_str());
    return 1;
  }
  auto root = PrivateKey::ReadPemFile(d + "/root.key");
  if (!root.ok()) {
    std::fprintf(stderr, "soak: %s\n", root.status().ToString().c_str());
    return 1;
  }

  Serve server;
  if (!server.Start({f.bin, "serve", "--data", d + "/ledger", "--listen", "127.0.0.1:0",
                     "--tls-cert", d + "/server.pem", "--tls-key", d + "/server.key"},
                    d + "/server.err")) {
    std::fprintf(stderr, "soak: the server did not start (see %s/server.err)\n", d.c_str());
    return 1;
  }
  const std::string source = "127.0.0.1:" + std::to_string(server.port());
  auto follower_args = std::vector<std::string>{
      f.bin,        "serve",           "--data",    d + "/mirror",     "--listen", "127.0.0.1:0",
      "--tls-cert", d + "/server.pem", "--tls-key", d + "/server.key", "--follow", source,
      "--ca",       d + "/ca.pem"};
  Serve follower;
  std::mutex follower_mu;
  if (!follower.Start(follower_args, d + "/follower.err")) {
    std::fprintf(stderr, "soak: the follower did not start (see %s/follower.err)\n", d.c_str());
    return 1;
  }
  net::ClientOptions options;
  options.server = source;
  options.ca = d + "/ca.pem";

  std::atomic<bool> stop{false};
  std::atomic<uint64_t> appended{0}, reads{0}, tailed{0}, errors{0}, size{1};
  Latencies append_lat, read_lat;
  std::vector<std::thread> threads;
  const auto start = Clock::now();

  for (int w = 0; w < f.writers; ++w) {
    threads.emplace_back([&, w] {
      EventJson json;
      ManualClock clock(Time{1488157200LL * 1000000000LL, 0});
      EventJson::Defaults defaults{"soak.example/log", (*root)->public_key().id(), nullptr};
      SystemClock system;
      defaults.clock = &system;
      std::mt19937_64 rng(w);
      std::unique_ptr<net::Client> client;
      const double per_writer = f.rate / f.writers;
      auto next = Clock::now();
      uint64_t n = 0;
      while (!stop) {
        if (!client) {
          auto c = net::Client::Connect(options);
          if (!c.ok()) {
            ++errors;
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            continue;
          }
          client = std::move(*c);
        }
        int batch = 1 + static_cast<int>(rng() % f.max_batch);
        std::vector<SignedEvent> events;
        for (int k = 0; k < batch; ++k) {
          std::string text = "soak w" + std::to_string(w) + " #" + std::to_string(n++) + " " +
                             std::string(rng() % 200, 'x');
          auto body = json.ParseEventBody(
              R"({"occurredAt": "2017-02-27T09:00:00+08:00", "note": {"text": ")" + text + "\"}}",
              defaults);
          events.push_back(SignedEvent{*body, *(*root)->Sign(EventSigningMessage(*body))});
        }
        auto t0 = Clock::now();
        auto r = client->Append(std::move(events));
        if (!r.ok()) {
          ++errors;
          std::fprintf(stderr, "soak: append: %s\n", r.status().ToString().c_str());
          client.reset();
          continue;
        }
        append_lat.Add(MicrosSince(t0));
        appended += r->size();
        uint64_t s = r->back().sequence + 1;
        uint64_t cur = size.load();
        while (cur < s && !size.compare_exchange_weak(cur, s)) {
        }
        next += std::chrono::microseconds(static_cast<int64_t>(batch * 1e6 / per_writer));
        std::this_thread::sleep_until(next);
      }
    });
  }
  for (int q = 0; q < f.readers; ++q) {
    threads.emplace_back([&, q] {
      std::mt19937_64 rng(1000 + q);
      std::unique_ptr<net::Client> client;
      const double per_reader = f.read_rate / std::max(1, f.readers);
      auto next = Clock::now();
      while (!stop) {
        if (!client) {
          auto c = net::Client::Connect(options);
          if (!c.ok()) {
            ++errors;
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            continue;
          }
          client = std::move(*c);
        }
        uint64_t n = size.load();
        uint64_t seq = rng() % n;
        auto t0 = Clock::now();
        bool ok = true;
        switch (rng() % 5) {
          case 0:
            ok = client->Checkpoint().ok();
            break;
          case 1:
            ok = client->ReadEntries(seq, 1 + rng() % 64).ok();
            break;
          case 2:
            // Proofs against the latest checkpoint (0); a sequence past it is a refusal.
            (void)client->InclusionProof(seq / 2, 0);
            break;
          case 3:
            (void)client->ConsistencyProof(1 + seq / 2, 0);
            break;
          default: {
            QueryResponse r = client->Query(QueryRequest{"show", {{"range", std::to_string(seq)}}});
            ok = r.exit_code == 0;
            break;
          }
        }
        if (!ok) {
          ++errors;
          client.reset();
          continue;
        }
        read_lat.Add(MicrosSince(t0));
        ++reads;
        next += std::chrono::microseconds(static_cast<int64_t>(1e6 / per_reader));
        std::this_thread::sleep_until(next);
      }
    });
  }
  for (int t = 0; t < f.tails; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(2000 + t);
      while (!stop) {
        auto c = net::Client::Connect(options);
        if (!c.ok()) {
          ++errors;
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
          continue;
        }
        uint64_t n = size.load();
        uint64_t from = n > 5000 ? n - 1 - rng() % 5000 : 0;  // some history, then live
        auto until = Clock::now() + std::chrono::duration<double>(f.tail_seconds);
        uint64_t expect = from;
        Status s = (*c)->Subscribe(from, [&](const net::SubscriptionUpdate& u) {
          if (!u.entries.empty() && u.begin != expect) {
            std::fprintf(stderr, "soak: tail: a gap: got %" PRIu64 " wanted %" PRIu64 "\n", u.begin,
                         expect);
            ++errors;
          }
          expect = u.begin + u.entries.size();
          tailed += u.entries.size();
          return !stop && Clock::now() < until;
        });
        if (!s.ok() && !stop) ++errors;
      }
    });
  }
  // The follower: restarted now and then, so it catches up from behind each time.
  std::atomic<uint64_t> follower_restarts{0};
  threads.emplace_back([&] {
    auto next = Clock::now() + std::chrono::duration<double>(f.follower_restart);
    while (!stop) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      if (Clock::now() < next) continue;
      std::lock_guard<std::mutex> l(follower_mu);
      int rc = follower.Stop(SIGTERM);
      if (rc != 0) std::fprintf(stderr, "soak: follower exited %d on SIGTERM\n", rc);
      std::this_thread::sleep_for(std::chrono::seconds(2));  // fall behind a little
      if (!follower.Start(follower_args, d + "/follower.err")) {
        std::fprintf(stderr, "soak: the follower did not restart\n");
        ++errors;
      }
      ++follower_restarts;
      next = Clock::now() + std::chrono::duration<double>(f.follower_restart);
    }
  });

  auto follower_size = [&]() -> int64_t {
    uint16_t port;
    {
      std::lock_guard<std::mutex> l(follower_mu);
      port = follower.port();
    }
    net::ClientOptions o = options;
    o.server = "127.0.0.1:" + std::to_string(port);
    auto c = net::Client::Connect(o);
    return c.ok() ? static_cast<int64_t>((*c)->info().size) : -1;
  };

  std::printf(
      "# t_s appends/s reads/s tail/s append_p50_ms append_p99_ms read_p50_ms "
      "read_p99_ms size follower_lag errors server_rss_mb server_anon_mb follower_rss_mb "
      "follower_anon_mb soak_rss_mb\n");
  std::fflush(stdout);
  std::vector<Sample> samples;
  uint64_t last_a = 0, last_r = 0, last_t = 0;
  auto last = start;
  while (true) {
    std::this_thread::sleep_for(std::chrono::duration<double>(f.report));
    auto now = Clock::now();
    double t = std::chrono::duration<double>(now - start).count();
    double dt = std::chrono::duration<double>(now - last).count();
    last = now;
    uint64_t a = appended, r = reads, tl = tailed;
    auto [ap50, ap99] = append_lat.TakePercentiles();
    auto [rp50, rp99] = read_lat.TakePercentiles();
    int64_t fs = follower_size();
    pid_t fpid;
    {
      std::lock_guard<std::mutex> l(follower_mu);
      fpid = follower.pid();
    }
    Sample s{t,           RssMb(server.pid()), AnonMb(server.pid()),
             RssMb(fpid), AnonMb(fpid),        RssMb(::getpid())};
    samples.push_back(s);
    std::printf("%.0f %.0f %.0f %.0f %.2f %.2f %.2f %.2f %" PRIu64 " %" PRId64 " %" PRIu64
                " %.1f %.1f %.1f %.1f %.1f\n",
                t, (a - last_a) / dt, (r - last_r) / dt, (tl - last_t) / dt, ap50, ap99, rp50, rp99,
                size.load(), fs < 0 ? -1 : static_cast<int64_t>(size.load()) - fs, errors.load(),
                s.server_rss, s.server_anon, s.follower_rss, s.follower_anon, s.own_rss);
    std::fflush(stdout);
    last_a = a, last_r = r, last_t = tl;
    if (t >= f.duration) break;
  }
  stop = true;
  {
    // Tails learn of `stop` from their next update: one last event gives them one.
    EventJson json;
    SystemClock system;
    EventJson::Defaults defaults{"soak.example/log", (*root)->public_key().id(), &system};
    auto body = json.ParseEventBody(
        R"({"occurredAt": "2017-02-27T09:00:00+08:00", "note": {"text": "soak: end"}})", defaults);
    auto c = net::Client::Connect(options);
    if (body.ok() && c.ok()) {
      (void)(*c)->Append({SignedEvent{*body, *(*root)->Sign(EventSigningMessage(*body))}});
    }
  }
  for (auto& th : threads) th.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

  // The follower catches up with the final size.
  auto c = net::Client::Connect(options);
  uint64_t final_size = c.ok() ? (*c)->info().size : 0;
  c = Status(StatusCode::kUnavailable, "closed");
  auto catch_start = Clock::now();
  int64_t fs = -1;
  while (Clock::now() - catch_start < std::chrono::seconds(120)) {
    fs = follower_size();
    if (fs >= static_cast<int64_t>(final_size)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  double catch_s = std::chrono::duration<double>(Clock::now() - catch_start).count();
  int server_rc = server.Stop(SIGTERM);
  int follower_rc;
  {
    std::lock_guard<std::mutex> l(follower_mu);
    follower_rc = follower.Stop(SIGTERM);
  }
  int verify_main = Run(f.bin + " verify --data " + d + "/ledger >" + d + "/verify.out 2>&1");
  int verify_mirror =
      Run(f.bin + " verify --data " + d + "/mirror >" + d + "/verify-mirror.out 2>&1");

  // Memory: the server's anonymous memory over the second half (after warm-up): first vs last
  // sample, and the least-squares slope.
  std::vector<Sample> half(samples.begin() + samples.size() / 2, samples.end());
  double slope = 0, growth = 0;
  if (half.size() >= 2) {
    double mt = 0, mr = 0;
    for (const auto& s : half) mt += s.t, mr += s.server_anon;
    mt /= half.size(), mr /= half.size();
    double num = 0, den = 0;
    for (const auto& s : half)
      num += (s.t - mt) * (s.server_anon - mr), den += (s.t - mt) * (s.t - mt);
    slope = den > 0 ? num / den * 3600 : 0;
    growth = half.back().server_anon - half.front().server_anon;
  }
  double peak = 0, peak_rss = 0;
  for (const auto& s : samples) {
    peak = std::max(peak, s.server_anon);
    peak_rss = std::max(peak_rss, s.server_rss);
  }
  bool flat = std::fabs(growth) <= f.flat_mb;
  std::printf("# summary: %.0f s, %" PRIu64 " events appended (%.0f/s), %" PRIu64
              " reads (%.0f/s), %" PRIu64 " tailed, %" PRIu64 " errors\n",
              elapsed, appended.load(), appended / elapsed, reads.load(), reads / elapsed,
              tailed.load(), errors.load());
  std::printf(
      "# server anonymous memory: first %.1f MiB, peak %.1f MiB, last %.1f MiB; second half: "
      "%+.1f MiB (slope %+.1f MiB/h): %s\n",
      samples.empty() ? 0 : samples.front().server_anon, peak,
      samples.empty() ? 0 : samples.back().server_anon, growth, slope, flat ? "FLAT" : "GROWING");
  std::printf(
      "# server RSS (with mapped table files): first %.1f MiB, peak %.1f MiB, last %.1f MiB\n",
      samples.empty() ? 0 : samples.front().server_rss, peak_rss,
      samples.empty() ? 0 : samples.back().server_rss);
  std::printf("# follower: %" PRIu64 " restarts; caught up to %" PRId64 " of %" PRIu64
              " in %.1f s after the load stopped\n",
              follower_restarts.load(), fs, final_size, catch_s);
  std::printf("# exits: server %d, follower %d; verify ledger %s, mirror %s\n", server_rc,
              follower_rc, verify_main == 0 ? "ok" : "FAILED",
              verify_mirror == 0 ? "ok" : "FAILED");
  bool ok = flat && fs >= static_cast<int64_t>(final_size) && verify_main == 0 &&
            verify_mirror == 0 && server_rc == 0;
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace dutyledger::soak

int main(int argc, char** argv) { return dutyledger::soak::Main(argc, argv); }
