// bench_bundle: audit-bundle figures, measured in one run (issue 7). verify-bundle's rate on a
// full bundle is compared with the Ed25519 verification rate measured here, on one core (a) and
// on all cores: the target is >= 0.8 x (2 x (a)).
//
//   (a) Ed25519 verifications per second on one core (libsodium via PublicKey), and on all cores
//   (f) export of a full N-entry bundle (default 1,000,000 entries)
//   (v) verify-bundle of that bundle, all cores, median of --runs runs
//   (p) verify-bundle of a partial bundle citing one entry
//
// usage: bench_bundle [--entries N] [--dir PATH] [--runs R] [--quick]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "ledger/bundle.h"
#include "ledger/bundle_verify.h"
#include "ledger/codec.h"
#include "ledger/json.h"
#include "ledger/ledger.h"

using namespace dutyledger;
using Steady = std::chrono::steady_clock;

namespace {

double Since(Steady::time_point t0) {
  return std::chrono::duration<double>(Steady::now() - t0).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

[[noreturn]] void Die(const Status& s) {
  std::fprintf(stderr, "bench_bundle: %s\n", s.ToString().c_str());
  std::exit(1);
}

// `n` signed inspection-record notes of about 300 bytes of body, numbered from `first`.
std::vector<SignedEvent> Events(uint64_t first, size_t n, const Ledger& ledger,
                                const PrivateKey& key, SystemClock& clock, const EventJson& json) {
  EventJson::Defaults defaults{ledger.origin(), key.public_key().id(), &clock};
  std::vector<SignedEvent> out;
  out.reserve(n);
  for (uint64_t i = first; i < first + n; ++i) {
    std::string text =
        "{\"occurredAt\": \"2017-02-27T09:00:00+08:00\", \"note\": {\"text\": "
        "\"site inspection " +
        std::to_string(i) +
        " of the park's storage yard, no hazards found\", \"documents\": "
        "[{\"docType\": \"现场检查记录\", \"docNo\": \"AJ-" +
        std::to_string(i) +
        "\", \"sha256\": "
        "\"66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0\"}]}}";
    auto body = json.ParseEventBody(text, defaults);
    if (!body.ok()) Die(body.status());
    auto sig = key.Sign(EventSigningMessage(*body));
    if (!sig.ok()) Die(sig.status());
    out.push_back(SignedEvent{std::move(*body), std::move(*sig)});
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t entries = 1'000'000;
  std::string dir = "/tmp/dutyledger-bench-bundle";
  int runs = 3;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--entries") && i + 1 < argc) {
      entries = std::stoull(argv[++i]);
    } else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc) {
      dir = argv[++i];
    } else if (!std::strcmp(argv[i], "--runs") && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else if (!std::strcmp(argv[i], "--quick")) {
      entries = std::min<uint64_t>(entries, 50'000);
      runs = 1;
    }
  }
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  SystemClock clock;
  EventJson json;
  auto root = PrivateKey::Generate(SignatureAlgorithm::kEd25519);
  if (!root.ok()) Die(root.status());
  Ledger::InitParams params;
  params.origin = "bench.example/park-1";
  params.authority = root->get();
  Ledger::Options options;
  options.clock = &clock;
  options.checkpoint_every_entries = 100000;
  auto ledger = Ledger::Create(dir + "/ledger", params, options);
  if (!ledger.ok()) Die(ledger.status());
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::printf(
      "dutyledger bundle benchmark: %u cores, %llu entries (figures are medians; the "
      "machine's cores are shared, so expect noise)\n",
      cores, static_cast<unsigned long long>(entries));

  // (a) Ed25519 verification, one core and all cores, the verifier verify-bundle uses.
  std::vector<SignedEvent> sample = Events(0, 2000, **ledger, **root, clock, json);
  const PublicKey& pub = (*root)->public_key();
  auto verify_all = [&]() {
    size_t ok = 0;
    for (const auto& e : sample) ok += pub.Verify(EventSigningMessage(e.body), e.signature);
    if (ok != sample.size()) Die(Internal("a sample signature did not verify"));
  };
  std::vector<double> one, all;
  for (int rep = 0; rep < 5; ++rep) {
    auto t0 = Steady::now();
    verify_all();
    one.push_back(sample.size() / Since(t0));
  }
  for (int rep = 0; rep < 3; ++rep) {
    auto t0 = Steady::now();
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < cores; ++t) threads.emplace_back(verify_all);
    for (auto& t : threads) t.join();
    all.push_back(cores * sample.size() / Since(t0));
  }
  double a = Median(one), a_all = Median(all);
  std::printf("(a) Ed25519 verify, 1 core:          %9.0f /s (%.1f us each)\n", a, 1e6 / a);
  std::printf("    Ed25519 verify, all %u cores:     %9.0f /s (%.2f x (a))\n", cores, a_all,
              a_all / a);
  std::printf("    event body: %zu bytes\n", sample[0].body.size());

  // The ledger.
  auto t0 = Steady::now();
  const size_t batch = 10000;
  for (uint64_t done = (*ledger)->size(); done < entries;) {
    size_t n = std::min<uint64_t>(batch, entries - done);
    auto r = (*ledger)->Append(Events(done, n, **ledger, **root, clock, json));
    if (!r.ok()) Die(r.status());
    done += n;
    if (done % 100000 < batch) {
      std::fprintf(stderr, "\r    building: %llu/%llu", static_cast<unsigned long long>(done),
                   static_cast<unsigned long long>(entries));
    }
  }
  auto cp = (*ledger)->SignCheckpoint();
  if (!cp.ok()) Die(cp.status());
  std::fprintf(stderr, "\r\033[K");
  std::printf("    built the ledger in %.0f s\n", Since(t0));

  // (f) Export.
  std::string full = dir + "/full";
  t0 = Steady::now();
  auto exported = ExportBundle(**ledger, full, BundleOptions{});
  if (!exported.ok()) Die(exported.status());
  double export_s = Since(t0);
  std::printf(
      "(f) export full bundle:              %9.0f entries/s (%.1f s, %.0f MB entries.bin)\n",
      exported->entries / export_s, export_s,
      std::filesystem::file_size(full + "/entries.bin") / 1e6);

  // (v) verify-bundle, all cores.
  std::vector<double> rates;
  for (int rep = 0; rep < runs; ++rep) {
    t0 = Steady::now();
    auto report = VerifyBundle(full, BundleVerifyOptions{});
    double s = Since(t0);
    if (!report.ok()) Die(report.status());
    if (!report->ok) Die(IntegrityViolation(report->Summary()));
    rates.push_back(report->entries / s);
    std::printf("    verify-bundle run %d: %.1f s\n", rep + 1, s);
  }
  double v = Median(rates);
  std::printf("(v) verify-bundle, full, all cores:  %9.0f entries/s (median of %d)\n", v, runs);
  std::printf(
      "    target >= 0.8 x (2 x (a)) = %.0f /s: ratio %.2f of 2 x (a) -> %s; %.2f of the "
      "all-core verify rate\n",
      1.6 * a, v / (2 * a), v >= 1.6 * a ? "MET" : "MISSED", v / a_all);

  // (p) A partial bundle citing one entry.
  BundleOptions one_entry;
  one_entry.sequences = std::vector<uint64_t>{entries / 2};
  auto partial = ExportBundle(**ledger, dir + "/partial", one_entry);
  if (!partial.ok()) Die(partial.status());
  std::vector<double> ms;
  for (int rep = 0; rep < 20; ++rep) {
    t0 = Steady::now();
    auto report = VerifyBundle(dir + "/partial", BundleVerifyOptions{});
    if (!report.ok() || !report->ok) Die(Internal("partial bundle did not verify"));
    ms.push_back(Since(t0) * 1e3);
  }
  std::printf(
      "(p) verify-bundle, one cited entry (%llu entries with its key closure): %.1f ms "
      "median\n",
      static_cast<unsigned long long>(partial->entries), Median(ms));
  ledger->reset();
  std::filesystem::remove_all(dir);
  return 0;
}
