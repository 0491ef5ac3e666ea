// Projections and investigations benchmark (issues 4 and 5): on a generated city of at least
// --events events (default 1,000,000), measures
//   (a) rebuild: the whole log folded again, events per second on one thread (target >= 500k/s);
//   (b) official and enterprise views at random past points, p50/p99 (target p99 <= 20 ms): the
//       officials of E00001's responsibility map (park and county heads: the largest dossiers),
//       and officials drawn uniformly from all of them; wall time, and the CPU time of it. Then
//       the same queries as a server answers them, keeping 64 MiB of validated events between
//       queries (`serve --event-cache-mib`) and each enterprise's lapses (`--lapse-memo-mib`),
//       then other queries after them, then others with a note appended before each (a server's
//       ledger grows between its queries), on a copy of the ledger removed after;
//   (c) all lapses of a park (target <= 1 s);
//   (d) the investigation report on the accident (target <= 1 s);
//   (e) the measuring process's peak resident memory (target <= 1 GiB);
//   (f) an enterprise view as a one-shot command runs it: a fresh read-only open, the query, the
//       close (no target of its own; what a user of the CLI waits for);
//   (g) every lapse of the record, `dutyledger lapses --data DIR --json` run as a user runs it
//       (the largest query's output): time, size and that process's peak resident memory (its
//       own, measured by the kernel; the 1 GiB of (e) is the bar).
// The city is generated into --dir by a child process (so its memory is not counted), once:
// an existing ledger in --dir is reused.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "ledger/json.h"
#include "ledger/memory.h"
#include "projections/domain_rules.h"
#include "projections/investigation.h"
#include "projections/lapse_memo.h"
#include "projections/query.h"
#include "projections/tables.h"
#include "tools/scenario/city.h"

namespace dutyledger {
namespace {

using Steady = std::chrono::steady_clock;

[[noreturn]] void Die(const Status& s) {
  std::fprintf(stderr, "bench_projections: %s\n", s.ToString().c_str());
  std::exit(1);
}

double Seconds(Steady::time_point t0) {
  return std::chrono::duration<double>(Steady::now() - t0).count();
}

double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

long PeakRssMiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

// At least `events` events: about 4.4 per enterprise-year plus each park's and county's own
// business; a first estimate that falls short is scaled up (the city is generated in memory, in
// seconds, before anything is signed). The same arguments give the same city, keys and all.
scenario::Scenario City(uint64_t events, int years, scenario::CityOptions* options) {
  scenario::CityOptions& o = *options;
  o.years = years;
  o.enterprises = static_cast<int>(std::max<uint64_t>(60, events / (4 * years + 4)));
  scenario::CityStory story;
  auto s = scenario::CityScenario(o, &story);
  while (s.steps().size() < events) {
    double scale = static_cast<double>(events) / static_cast<double>(s.steps().size());
    o.enterprises = static_cast<int>(std::ceil(o.enterprises * scale * 1.01));
    s = scenario::CityScenario(o, &story);
  }
  return s;
}

void Generate(const std::string& dir, uint64_t events, int years) {
  auto t0 = Steady::now();
  scenario::CityOptions o;
  auto s = City(events, years, &o);
  std::printf("generated %zu events (%d enterprises, %d years) in %.1f s\n", s.steps().size(),
              o.enterprises, years, Seconds(t0));
  std::fflush(stdout);
  ManualClock clock(s.start());
  DomainRules rules;
  t0 = Steady::now();
  // Every 100,000 events: how far, and the rate since the last line (a rate falling with the
  // ledger's size is the thing to look for at 10M).
  size_t last_done = 0;
  auto last_t = Steady::now();
  auto progress = [&](size_t done, size_t total) {
    if (done - last_done < 100000 && done != total) return;
    std::printf("  appended %zu of %zu (%.0f events/s over the last %zu)\n", done, total,
                static_cast<double>(done - last_done) / Seconds(last_t), done - last_done);
    std::fflush(stdout);
    last_done = done;
    last_t = Steady::now();
  };
  auto ledger = scenario::Play(s, dir, clock, &rules, /*sync_commits=*/false, progress);
  if (!ledger.ok()) Die(ledger.status());
  std::printf("appended them with admission in %.1f s (%.0f events/s)\n", Seconds(t0),
              static_cast<double>(s.steps().size()) / Seconds(t0));
}

// A process's peak resident memory so far (VmHWM of /proc/<pid>/status), in KiB; 0 once it has
// exited.
long PeakKib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

// (g): the CLI beside this benchmark (build/tools/dutyledger/dutyledger), its output read through
// a pipe and counted, its peak resident memory read from /proc while it writes. (Not wait4's
// ru_maxrss: Linux counts in it the image the child had before exec, this process's, which
// after a rebuild at 10M events is larger than the CLI's own peak.)
void WholeRecordLapses(const std::string& dir) {
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe");
  std::string cli = (self.parent_path().parent_path() / "dutyledger" / "dutyledger").string();
  if (!std::filesystem::exists(cli)) {
    std::printf("(g) skipped: no %s\n", cli.c_str());
    return;
  }
  int fds[2];
  if (pipe(fds) != 0) Die(IOError("pipe"));
  auto t0 = Steady::now();
  pid_t child = fork();
  if (child == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execl(cli.c_str(), cli.c_str(), "lapses", "--data", dir.c_str(), "--json",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  uint64_t bytes = 0, lapses = 0;
  const std::string mark = "\"titleZh\": ";  // once per lapse
  std::string carry;
  std::vector<char> buffer(1 << 20);
  long peak_kib = 0;  // sampled only once the child writes: after its exec
  auto sampled = Steady::now() - std::chrono::seconds(1);
  for (ssize_t n; (n = read(fds[0], buffer.data(), buffer.size())) > 0;) {
    if (Steady::now() - sampled > std::chrono::milliseconds(20)) {
      peak_kib = std::max(peak_kib, PeakKib(child));
      sampled = Steady::now();
    }
    bytes += static_cast<uint64_t>(n);
    std::string text = carry + std::string(buffer.data(), static_cast<size_t>(n));
    for (size_t p = 0; (p = text.find(mark, p)) != std::string::npos; p += mark.size()) ++lapses;
    carry = text.substr(text.size() - std::min(text.size(), mark.size() - 1));
  }
  peak_kib = std::max(peak_kib, PeakKib(child));
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::printf("(g) dutyledger lapses failed (status %d)\n", status);
    return;
  }
  std::printf(
      "(g) every lapse of the record, `dutyledger lapses --json`: %.1f s, %llu lapses, %.0f MB of "
      "JSON, peak resident memory %ld MiB (sampled every 20 ms; bar 1024 MiB: ratio %.2f)\n",
      Seconds(t0), static_cast<unsigned long long>(lapses), static_cast<double>(bytes) / 1e6,
      peak_kib / 1024, static_cast<double>(peak_kib) / 1024.0 / 1024.0);
}

}  // namespace
}  // namespace dutyledger

int main(int argc, char** argv) {
  using namespace dutyledger;
  uint64_t events = 1'000'000;
  int years = 10, queries = 400;
  size_t lapse_memo_mib = 64;  // the served passes' (serve's default)
  bool skip_rebuild = false, views_only = false;
  std::vector<std::string> chosen_officials;
  std::string dir = "/tmp/dutyledger-bench-projections";
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--events") && i + 1 < argc) {
      events = std::stoull(argv[++i]);
    } else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc) {
      dir = argv[++i];
    } else if (!std::strcmp(argv[i], "--years") && i + 1 < argc) {
      years = std::stoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--skip-rebuild")) {
      skip_rebuild = true;
    } else if (!std::strcmp(argv[i], "--views-only")) {
      views_only = true;  // (b) alone: for profiling the views
    } else if (!std::strcmp(argv[i], "--queries") && i + 1 < argc) {
      queries = std::stoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--official") && i + 1 < argc) {
      chosen_officials.push_back(argv[++i]);
    } else if (!std::strcmp(argv[i], "--lapse-memo-mib") && i + 1 < argc) {
      lapse_memo_mib = std::stoull(argv[++i]);
    } else {
      std::fprintf(stderr,
                   "usage: bench_projections [--events N] [--years N] [--dir DIR] [--queries N] "
                   "[--skip-rebuild] [--views-only] [--official ID]... [--lapse-memo-mib N]\n");
      return 2;
    }
  }
  if (!std::filesystem::exists(dir + "/CURRENT") && !std::filesystem::exists(dir + "/log.key")) {
    std::filesystem::remove_all(dir);
    pid_t child = fork();
    if (child == 0) {
      Generate(dir, events, years);
      std::fflush(stdout);
      _exit(0);
    }
    int status = 0;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return 1;
  }

  SystemClock clock;
  DomainRules admission;
  Ledger::Options lo;
  lo.clock = &clock;
  lo.admission = &admission;
  auto opened = Ledger::Open(dir, lo);
  if (!opened.ok()) Die(opened.status());
  Ledger* ledger = opened->get();
  const uint64_t n = ledger->size();
  std::printf("dutyledger projections benchmark: %llu entries in %s (malloc: %s)\n",
              static_cast<unsigned long long>(n), dir.c_str(), AllocatorName().c_str());

  // (a) rebuild on one thread.
  if (!skip_rebuild && !views_only) {
    DomainRules refold(DomainRules::Options{DomainRules::Mode::kRefold});
    auto before = ledger->ProjectionDigest();
    auto t0 = Steady::now();
    double c0 = CpuSeconds();
    Status s = ledger->RebuildProjections(refold, nullptr);
    if (!s.ok()) Die(s);
    double wall = Seconds(t0), cpu = CpuSeconds() - c0;
    auto after = ledger->ProjectionDigest();
    std::printf(
        "(a) rebuild: %.1f s wall, %.1f s CPU on one thread: %.0f events/s (target "
        "500,000: ratio %.2f); tables %s\n",
        wall, cpu, static_cast<double>(n) / wall, static_cast<double>(n) / wall / 500'000.0,
        before.ok() && after.ok() && *before == *after ? "byte-identical" : "DIFFERED");
  }

  // The ids and span to query: officials and enterprises from the city's own naming.
  static const QueryRegistry registry = AllQueries();
  auto first = ledger->ReadEntries({1});
  auto last = ledger->ReadEntries({n - 1});
  if (!first.ok() || !last.ok()) Die(Internal("cannot read the span"));
  int64_t t_first = ReadTime((*first)[0].entry().getRecordedAt()).unix_nanos;
  int64_t t_last = ReadTime((*last)[0].entry().getRecordedAt()).unix_nanos;
  std::mt19937_64 rng(7);
  auto when = [&](std::mt19937_64& from) {
    int64_t t = t_first + static_cast<int64_t>(from() % static_cast<uint64_t>(t_last - t_first));
    return FormatRfc3339(Time{t, 480});
  };
  // Enterprises E00001..; officials named in the enterprise views' responsibility maps.
  uint64_t enterprises = 0;
  for (uint64_t lo_id = 1, hi = 100000000; lo_id < hi;) {
    uint64_t mid = (lo_id + hi) / 2;
    char id[32];
    std::snprintf(id, sizeof id, "E%05llu", static_cast<unsigned long long>(mid));
    auto r = registry.Run(*ledger, {"enterprise", {{"id", id}, {"json", "true"}}});
    if (r.exit_code == 0) {
      enterprises = mid;
      lo_id = mid + 1;
    } else {
      hi = mid;
    }
  }
  // Unless --official names them: the officials of E00001's responsibility map (park and
  // county heads among them, the largest dossiers).
  std::vector<std::string> officials = chosen_officials;
  if (officials.empty()) {
    auto r = registry.Run(*ledger, {"enterprise", {{"id", "E00001"}, {"json", "true"}}});
    size_t pos = 0;
    while ((pos = r.output.find("\"holder\": \"official:", pos)) != std::string::npos) {
      pos += 20;
      std::string id = r.output.substr(pos, r.output.find('"', pos) - pos);
      if (std::find(officials.begin(), officials.end(), id) == officials.end()) {
        officials.push_back(id);
      }
    }
  }
  // Every official, for a uniform sample (unless --official names them).
  std::vector<std::string> everyone;
  if (chosen_officials.empty()) {
    Status s = ledger->ScanProjections(tables::Prefix({tables::name::kOfficial}),
                                       [&](ByteView key, ByteView) {
                                         ByteView id = key.substr(key.find('\0') + 1);
                                         if (id.find('\0') == ByteView::npos) {
                                           everyone.emplace_back(id);
                                         }
                                         return true;
                                       });
    if (!s.ok()) Die(s);
  }
  // (b) past-point views: on the benchmark's ledger, which keeps nothing between queries (as a
  // one-shot command), then the same queries on an open that keeps events and lapses as the
  // server does (`serve --event-cache-mib`, `--lapse-memo-mib`, 64 each by default), starting
  // with nothing kept; then other queries on it, with what the first ones kept.
  // (`before_each`, if given, runs before each query, outside its time.)
  auto views = [&](const Ledger& on, const char* setting, uint64_t seed,
                   const std::function<void()>& before_each = nullptr) {
    std::mt19937_64 qrng(seed);  // the same queries for the same seed
    for (const char* kind : {"enterprise", "official", "uniform"}) {
      // Wall time, and this thread's CPU time: the part of it the query computed rather than
      // waited for reads (or for a busy machine's other work).
      std::vector<double> ms, cpu_ms;
      std::vector<std::pair<double, std::string>> slowest;  // (ms, "id at T")
      int failed = 0;
      for (int i = 0; i < queries; ++i) {
        std::string id;
        if (kind[0] == 'e') {
          char buf[32];
          std::snprintf(
              buf, sizeof buf, "E%05llu",
              static_cast<unsigned long long>(1 + qrng() % std::max<uint64_t>(1, enterprises)));
          id = buf;
        } else if (kind[0] == 'o') {
          if (officials.empty()) break;
          id = officials[qrng() % officials.size()];
        } else {
          if (everyone.empty()) break;
          id = everyone[qrng() % everyone.size()];
        }
        std::string at = when(qrng);
        if (before_each) before_each();
        auto t0 = Steady::now();
        double c0 = CpuSeconds();
        auto r = registry.Run(on, {kind[0] == 'e' ? "enterprise" : "official",
                                   {{"id", id}, {"valid-at", at}, {"json", "true"}}});
        ms.push_back(Seconds(t0) * 1000);
        cpu_ms.push_back((CpuSeconds() - c0) * 1000);
        slowest.emplace_back(ms.back(), id + " at " + at);
        failed += r.exit_code != 0;  // e.g. not yet registered at that moment
      }
      if (ms.empty()) continue;
      const char* what = kind[0] == 'e'              ? "enterprise view"
                         : !chosen_officials.empty() ? "official view (--official)"
                         : kind[0] == 'o'            ? "official view (heads in E00001's map)"
                                                     : "official view (any official, uniformly)";
      std::printf(
          "(b%s) %s at a random past point: p50 %.2f ms, p99 %.2f ms over %zu queries "
          "(%d before the subject existed) (target p99 20 ms: ratio %.2f); CPU p50 %.2f ms, "
          "p99 %.2f ms\n",
          setting, what, Percentile(ms, 0.5), Percentile(ms, 0.99), ms.size(), failed,
          Percentile(ms, 0.99) / 20.0, Percentile(cpu_ms, 0.5), Percentile(cpu_ms, 0.99));
      std::sort(slowest.rbegin(), slowest.rend());
      for (size_t i = 0; i < std::min<size_t>(3, slowest.size()); ++i) {
        std::printf("    slowest: %.1f ms: %s\n", slowest[i].first, slowest[i].second.c_str());
      }
    }
  };
  views(*ledger, "", 11);
  {
    // One open at a time, as a server process holds one (each has its own block cache). On a
    // copy of the ledger (its table files linked, not copied), which the last pass appends to
    // and which is removed after: the benchmark's ledger stays as generated.
    opened->reset();
    // The third served pass appends notes by enterprises drawn now, signed with their own keys:
    // the city is generated again for them by a child process (the same arguments give the same
    // keys; in this process, its ~1.3 GB would count in (e)), which writes just those keys
    // (mode 0600) into a folder removed after.
    std::vector<std::string> noting;
    {
      std::mt19937_64 arng(13);
      for (int i = 0; i < 3 * queries; ++i) {
        char id[32];
        std::snprintf(
            id, sizeof id, "E%05llu",
            static_cast<unsigned long long>(1 + arng() % std::max<uint64_t>(1, enterprises)));
        noting.push_back(id);
      }
    }
    const std::string keys_dir = dir + ".keys";
    std::filesystem::remove_all(keys_dir);
    std::filesystem::create_directory(keys_dir);
    {
      const std::set<std::string> distinct(noting.begin(), noting.end());
      auto t0 = Steady::now();
      pid_t child = fork();
      if (child == 0) {
        scenario::CityOptions city_options;
        scenario::Scenario city = City(events, years, &city_options);
        for (const auto& id : distinct) {
          if (!city.HasActor(id)) continue;  // not the city of --events: the pass says so
          if (!city.KeyOf(id).WritePemFile(keys_dir + "/" + id + ".pem").ok()) _exit(1);
        }
        _exit(0);
      }
      int status = 0;
      waitpid(child, &status, 0);
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) Die(Internal("writing the keys failed"));
      std::printf("    (the city generated again for %zu enterprises' keys in %.1f s)\n",
                  distinct.size(), Seconds(t0));
    }
    Ledger::Options so = lo;
    so.event_cache_bytes = size_t{64} << 20;
    so.memo_bytes = lapse_memo_mib << 20;
    const std::string copy = dir + ".served";
    std::filesystem::remove_all(copy);
    std::filesystem::create_directory(copy);
    for (const auto& f : std::filesystem::directory_iterator(dir)) {
      const auto to = std::filesystem::path(copy) / f.path().filename();
      if (f.path().extension() == ".sst") {
        std::filesystem::create_hard_link(f.path(), to);  // never written again by RocksDB
      } else {
        std::filesystem::copy_file(f.path(), to);
      }
    }
    auto served = Ledger::Open(copy, so);
    if (!served.ok()) Die(served.status());
    const std::string setting = ", as served: up to 64 MiB of events and " +
                                std::to_string(lapse_memo_mib) + " of lapses kept, from none";
    auto memo_stats = [&] {
      if (auto memo = LapseMemo::For(**served)) {
        auto m = memo->stats();
        std::printf(
            "    lapse memo: %llu hits (%llu kept at an earlier size), %llu misses (%llu stale), "
            "%llu lapses taken, %zu enterprises, %.1f MiB\n",
            static_cast<unsigned long long>(m.hits), static_cast<unsigned long long>(m.carried),
            static_cast<unsigned long long>(m.misses), static_cast<unsigned long long>(m.stale),
            static_cast<unsigned long long>(m.taken), m.enterprises, m.bytes / 1048576.0);
      }
    };
    views(**served, setting.c_str(), 11);
    views(**served, ", as served, other queries after those", 12);
    memo_stats();
    // A server's ledger grows between its queries: before each of a third set of queries, an
    // enterprise drawn at random records a note, as a supervised city's enterprises, inspectors
    // and bodies record all day. Each append changes the ledger's size, and with it what the
    // memo must check.
    EventJson json;
    SystemClock append_clock;
    size_t appended = 0;
    Status refused;
    auto append = [&] {
      if (!refused.ok() || appended >= noting.size()) return;
      const std::string& id = noting[appended];
      auto key = PrivateKey::ReadPemFile(keys_dir + "/" + id + ".pem");
      if (!key.ok()) {
        refused = key.status().WithContext("the key of " + id + " (is --events the city's?)");
        return;
      }
      EventJson::Defaults defaults{(*served)->origin(), (*key)->public_key().id(), &append_clock};
      auto body = json.ParseEventBody("{\"occurredAt\": \"" + FormatRfc3339(Time{t_last, 480}) +
                                          "\", \"note\": {\"text\": \"月度安全自查记录已归档\"}}",
                                      defaults);
      if (!body.ok()) {
        refused = body.status();
        return;
      }
      auto sig = (*key)->Sign(EventSigningMessage(*body));
      if (!sig.ok()) {
        refused = sig.status();
        return;
      }
      std::vector<SignedEvent> batch;
      batch.push_back(SignedEvent{std::move(*body), std::move(*sig)});
      auto r = (*served)->Append(std::move(batch));
      if (!r.ok()) {
        refused = r.status();
        return;
      }
      ++appended;
    };
    views(**served, ", as served while the ledger grows: a note appended before each query", 13,
          append);
    if (!refused.ok()) {
      std::printf("    (appends stopped after %zu: %s)\n", appended, refused.ToString().c_str());
    }
    std::printf("    %zu notes appended\n", appended);
    memo_stats();
    served->reset();
    std::filesystem::remove_all(copy);
    std::filesystem::remove_all(keys_dir);
    opened = Ledger::Open(dir, lo);
    if (!opened.ok()) Die(opened.status());
    ledger = opened->get();
  }
  if (views_only) return 0;
  // (c) all lapses of a park.
  {
    std::vector<double> s;
    for (const char* park : {"ya/c1/p1", "ya/c1/p2", "ya/c2/p1"}) {
      auto t0 = Steady::now();
      auto r = registry.Run(*ledger, {"lapses", {{"scope", std::string("park:") + park}}});
      if (r.exit_code != 0) continue;
      s.push_back(Seconds(t0));
      size_t lapses = 0;
      for (size_t p = 0; (p = r.output.find("\n  L", p)) != std::string::npos; ++p) ++lapses;
      std::printf("(c) all lapses of park %s: %.3f s (%zu lapses) (target 1 s: ratio %.2f)\n", park,
                  s.back(), lapses, s.back());
    }
  }
  // (d) the investigation report on the accident.
  {
    std::vector<double> s;
    for (int i = 0; i < 5; ++i) {
      auto t0 = Steady::now();
      auto inv = Investigate(*ledger, {"acc-E00001", "", "", Lang::kEn});
      if (!inv.ok()) Die(inv.status());
      s.push_back(Seconds(t0));
    }
    std::printf("(d) investigate the accident: median %.3f s over 5 (target 1 s: ratio %.2f)\n",
                Percentile(s, 0.5), Percentile(s, 0.5));
  }
  // (f) one-shot: open, ask, close, as `dutyledger enterprise` does.
  {
    std::vector<double> ms;
    for (int i = 0; i < 20; ++i) {
      char id[32];
      std::snprintf(
          id, sizeof id, "E%05llu",
          static_cast<unsigned long long>(1 + rng() % std::max<uint64_t>(1, enterprises)));
      std::string at = when(rng);
      auto t0 = Steady::now();
      Ledger::Options ro;
      ro.clock = &clock;
      ro.read_only = true;
      auto fresh = Ledger::Open(dir, ro);
      if (!fresh.ok()) Die(fresh.status());
      registry.Run(**fresh, {"enterprise", {{"id", id}, {"valid-at", at}, {"json", "true"}}});
      fresh->reset();
      ms.push_back(Seconds(t0) * 1000);
    }
    std::printf(
        "(f) one-shot enterprise view (read-only open, query, close): p50 %.1f ms, p99 %.1f ms "
        "over %zu\n",
        Percentile(ms, 0.5), Percentile(ms, 0.99), ms.size());
  }
  std::printf("(e) peak resident memory of this process: %ld MiB (target 1024 MiB: ratio %.2f)\n",
              PeakRssMiB(), static_cast<double>(PeakRssMiB()) / 1024.0);
  std::fflush(stdout);
  WholeRecordLapses(dir);
  return 0;
}
