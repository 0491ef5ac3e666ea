// bench_ledger: the ledger core's performance figures, all measured in one run (issue "Ledger
// core"). It reports medians and ratios against the Ed25519 verification rate measured here.
//
//   (a) Ed25519 verifications per second on one core, with the verifier the ledger uses
//   (b) durable appends per second of distinct pre-signed ~300-byte events, batches of 100,
//       by 1 and by 8 concurrent submitters
//   (c) latency of a single-event append (one submitter, one event at a time)
//   (d) verify throughput over an N-entry ledger (default 1,000,000)
//   (e) inclusion-proof generation and verification time at N entries
//
// usage: bench_ledger [--entries N] [--dir PATH] [--quick]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ledger/codec.h"
#include "ledger/json.h"
#include "ledger/ledger.h"
#include "ledger/merkle.h"
#include "ledger/uuid.h"
#include "ledger/verify.h"

using namespace dutyledger;
using Steady = std::chrono::steady_clock;

namespace {

double Seconds(Steady::time_point a, Steady::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}
double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

void Die(const Status& s) {
  std::fprintf(stderr, "bench_ledger: %s\n", s.ToString().c_str());
  std::exit(1);
}

// Pre-signed distinct note events of about 300 bytes of body.
std::vector<SignedEvent> MakeEvents(size_t n, const std::string& origin, const PrivateKey& key,
                                    SystemClock& clock, const EventJson& json) {
  std::vector<SignedEvent> out(n);
  EventJson::Defaults d{origin, key.public_key().id(), &clock};
  std::string filler(40, 'x');
  for (size_t i = 0; i < n; ++i) {
    auto body = json.ParseEventBody(
        "{\"occurredAt\": \"2017-02-27T09:00:00+08:00\", \"note\": {\"text\": \"inspection "
        "record " +
            std::to_string(i) + " " + filler +
            "\", \"documents\": [{\"docType\": \"现场检查记录\", \"docNo\": \"AJ-" +
            std::to_string(i) +
            "\", \"sha256\": "
            "\"66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0\"}]}}",
        d);
    if (!body.ok()) Die(body.status());
    auto sig = key.Sign(EventSigningMessage(*body));
    out[i] = SignedEvent{std::move(*body), std::move(*sig)};
  }
  return out;
}

std::unique_ptr<Ledger> NewLedger(const std::string& path, const PrivateKey& root,
                                  SystemClock& clock) {
  std::filesystem::remove_all(path);
  Ledger::InitParams p;
  p.origin = "bench.example/park-1";
  p.authority = &root;
  Ledger::Options o;
  o.clock = &clock;
  o.checkpoint_every_entries = 100000;
  auto l = Ledger::Create(path, p, o);
  if (!l.ok()) Die(l.status());
  return std::move(*l);
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t entries = 1'000'000;
  std::string dir = "/tmp/dutyledger-bench";
  bool quick = false;
  bool only_appends = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--entries") && i + 1 < argc)
      entries = std::stoull(argv[++i]);
    else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc)
      dir = argv[++i];
    else if (!std::strcmp(argv[i], "--quick"))
      quick = true;
    else if (!std::strcmp(argv[i], "--only-appends"))
      only_appends = true;
  }
  if (quick) entries = std::min<uint64_t>(entries, 50'000);
  std::filesystem::create_directories(dir);
  SystemClock clock;
  EventJson json;
  auto root = PrivateKey::Generate(SignatureAlgorithm::kEd25519);
  if (!root.ok()) Die(root.status());
  unsigned cores = std::thread::hardware_concurrency();
  std::printf("dutyledger ledger benchmark: %u cores, %llu entries for (d) and (e)\n", cores,
              static_cast<unsigned long long>(entries));

  // (a) Ed25519 verification, one core, the ledger's verifier (libsodium via PublicKey).
  std::vector<SignedEvent> sample = MakeEvents(2000, "bench.example/park-1", **root, clock, json);
  std::vector<double> rates;
  for (int rep = 0; rep < 5; ++rep) {
    auto t0 = Steady::now();
    size_t ok = 0;
    for (const auto& e : sample)
      ok += (*root)->public_key().Verify(EventSigningMessage(e.body), e.signature);
    double s = Seconds(t0, Steady::now());
    if (ok != sample.size()) Die(Internal("verification failed"));
    rates.push_back(sample.size() / s);
  }
  double a = Median(rates);
  std::printf("(a) Ed25519 verify, 1 core:        %9.0f /s  (%.1f us each; median of 5)\n", a,
              1e6 / a);
  std::printf("    body size of the events:        %zu bytes\n", sample[0].body.size());
  // For context: what all cores achieve together (a VM's cores may not scale perfectly).
  double a_all = 0;
  {
    std::vector<double> all_rates;
    for (int rep = 0; rep < 3; ++rep) {
      std::atomic<size_t> done{0};
      auto t0 = Steady::now();
      std::vector<std::thread> threads;
      for (unsigned t = 0; t < cores; ++t) {
        threads.emplace_back([&]() {
          for (const auto& e : sample) {
            done += (*root)->public_key().Verify(EventSigningMessage(e.body), e.signature);
          }
        });
      }
      for (auto& t : threads) t.join();
      all_rates.push_back(done / Seconds(t0, Steady::now()));
    }
    a_all = Median(all_rates);
    std::printf("    Ed25519 verify, all %u cores:   %9.0f /s  (%.2f x (a))\n", cores, a_all,
                a_all / a);
  }

  // (b) Durable appends, batches of 100, by 1 and by 8 submitters.
  double b1 = 0, b8 = 0;
  for (int submitters : {1, 8}) {
    size_t per = quick ? 4000 : 20000;
    auto ledger = NewLedger(dir + "/b", **root, clock);
    std::vector<std::vector<SignedEvent>> work(submitters);
    for (int s = 0; s < submitters; ++s) {
      work[s] = MakeEvents(per, ledger->origin(), **root, clock, json);
    }
    auto t0 = Steady::now();
    std::vector<std::thread> threads;
    for (int s = 0; s < submitters; ++s) {
      threads.emplace_back([&, s]() {
        for (size_t i = 0; i < per; i += 100) {
          std::vector<SignedEvent> batch(std::make_move_iterator(work[s].begin() + i),
                                         std::make_move_iterator(work[s].begin() + i + 100));
          auto r = ledger->Append(std::move(batch));
          if (!r.ok()) Die(r.status());
        }
      });
    }
    for (auto& t : threads) t.join();
    double rate = submitters * per / Seconds(t0, Steady::now());
    (submitters == 1 ? b1 : b8) = rate;
    std::printf("(b) durable appends, batches of 100, %d submitter%s: %9.0f /s\n", submitters,
                submitters == 1 ? " " : "s", rate);
  }
  std::printf(
      "    target: 8 submitters >= 0.7 x (2 x (a)) = %.0f /s -> ratio %.2f of 2x(a) %s"
      " (%.2f of the all-core verify rate)\n",
      0.7 * 2 * a, b8 / (2 * a), b8 >= 0.7 * 2 * a ? "MET" : "MISSED", b8 / a_all);

  if (only_appends) return 0;

  // (c) Single-event append latency.
  {
    auto ledger = NewLedger(dir + "/c", **root, clock);
    auto events = MakeEvents(quick ? 300 : 2000, ledger->origin(), **root, clock, json);
    std::vector<double> lat;
    for (auto& e : events) {
      auto t0 = Steady::now();
      auto r = ledger->Append({std::move(e)});
      lat.push_back(Seconds(t0, Steady::now()) * 1e3);
      if (!r.ok()) Die(r.status());
    }
    std::printf(
        "(c) single-event append latency:  p50 %.3f ms, p99 %.3f ms (target p50 <= 2 ms: %s)\n",
        Median(lat), Percentile(lat, 0.99), Median(lat) <= 2.0 ? "MET" : "MISSED");
  }

  // (d) Verify throughput over an N-entry ledger.
  std::string big = dir + "/d";
  {
    auto ledger = NewLedger(big, **root, clock);
    auto t0 = Steady::now();
    const size_t chunk = 10000;
    for (uint64_t done = 1; done < entries; done += chunk) {
      size_t n = std::min<uint64_t>(chunk, entries - done);
      auto events = MakeEvents(n, ledger->origin(), **root, clock, json);
      auto r = ledger->Append(std::move(events));
      if (!r.ok()) Die(r.status());
      if (done % 200000 < chunk) {
        std::fprintf(stderr, "\r    building: %llu/%llu", static_cast<unsigned long long>(done + n),
                     static_cast<unsigned long long>(entries));
      }
    }
    if (!ledger->SignCheckpoint().ok()) Die(Internal("checkpoint"));
    std::fprintf(stderr, "\r\033[K");
    std::printf("    built a %llu-entry ledger in %.0f s\n",
                static_cast<unsigned long long>(ledger->size()), Seconds(t0, Steady::now()));
  }
  {
    auto t0 = Steady::now();
    auto report = VerifyLedgerFolder(big, VerifyOptions{});
    double s = Seconds(t0, Steady::now());
    if (!report.ok()) Die(report.status());
    if (!report->ok) Die(IntegrityViolation(report->Summary()));
    double rate = report->entries / s;
    std::printf("(d) verify, all cores:             %9.0f entries/s (%.1f s for %llu)\n", rate, s,
                static_cast<unsigned long long>(report->entries));
    std::printf(
        "    target: >= 0.8 x (2 x (a)) = %.0f /s -> ratio %.2f of 2x(a) %s"
        " (%.2f of the all-core verify rate)\n",
        0.8 * 2 * a, rate / (2 * a), rate >= 0.8 * 2 * a ? "MET" : "MISSED", rate / a_all);
  }

  // (e) Inclusion proofs at N entries: generation and verification.
  {
    SystemClock c2;
    Ledger::Options o;
    o.clock = &c2;
    o.read_only = true;
    auto ledger = Ledger::Open(big, o);
    if (!ledger.ok()) Die(ledger.status());
    uint64_t n = (*ledger)->size();
    std::mt19937_64 rng(42);
    std::vector<double> gen, ver;
    const Hasher& h = (*ledger)->hasher();
    for (int i = 0; i < 20000; ++i) {
      uint64_t seq = rng() % n;
      auto t0 = Steady::now();
      auto p = (*ledger)->ProveInclusion(seq, n);
      auto t1 = Steady::now();
      if (!p.ok()) Die(p.status());
      Status v = VerifyInclusion(h, seq, n, p->leaf_hash, p->proof, p->root);
      auto t2 = Steady::now();
      if (!v.ok()) Die(v);
      gen.push_back(Seconds(t0, t1) * 1e6);
      ver.push_back(Seconds(t1, t2) * 1e6);
    }
    std::printf(
        "(e) inclusion proof at %llu: generate p50 %.1f us (p99 %.1f), verify p50 %.1f us"
        " (target generate p50 <= 50 us: %s)\n",
        static_cast<unsigned long long>(n), Median(gen), Percentile(gen, 0.99), Median(ver),
        Median(gen) <= 50 ? "MET" : "MISSED");
  }
  std::filesystem::remove_all(dir);
  return 0;
}
