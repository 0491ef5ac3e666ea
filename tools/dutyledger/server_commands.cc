// The network commands: serve, tail, bench-load.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <random>
#include <thread>

#include "ledger/checkpoint.h"
#include "ledger/codec.h"
#include "ledger/json.h"
#include "ledger/keys.h"
#include "ledger/uuid.h"
#include "net/client.h"
#include "net/follower.h"
#include "net/server.h"
#include "tools/dutyledger/cli.h"
#include "tools/dutyledger/remote.h"

namespace dutyledger::cli {
namespace {

// ---- serve

void AddServe(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "serve",
      "Serve a ledger over TLS 1.3 (the dutyledger protocol), and optionally the HTTP read API; "
      "with --follow, mirror and verify another server");
  static std::string data, listen = "127.0.0.1:7600", cert, key, client_ca, http, follow, ca;
  static bool plaintext = false;
  static int threads = 0;
  static size_t event_cache_mib = 64;
  static size_t lapse_memo_mib = 64;
  cmd->add_option("--data", data, "Data folder (for --follow: the mirror's folder)")->required();
  cmd->add_option("--listen", listen, "HOST:PORT to listen on (port 0: any)")
      ->capture_default_str();
  cmd->add_option("--tls-cert", cert, "The server's certificate chain (PEM)");
  cmd->add_option("--tls-key", key, "The server's private key (PEM)");
  cmd->add_option("--client-ca", client_ca, "Require client certificates signed by this CA");
  cmd->add_option("--http", http, "HOST:PORT of the HTTP read API (tlog-tiles, JSON, metrics)");
  auto* follow_opt =
      cmd->add_option("--follow", follow, "Mirror the server at HOST:PORT, verifying everything");
  cmd->add_option("--ca", ca, "CA certificate of the --follow server")->needs(follow_opt);
  cmd->add_flag("--plaintext-loopback", plaintext,
                "No TLS (only when every listen address is a loopback address)");
  cmd->add_option("--threads", threads, "I/O threads (default: one per core)");
  cmd->add_option("--event-cache-mib", event_cache_mib,
                  "Events kept in memory, validated, for the next query that reads them (MiB; 0: "
                  "none)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{0}, size_t{1} << 20));
  cmd->add_option("--lapse-memo-mib", lapse_memo_mib,
                  "Each enterprise's lapses over the whole record, kept for the dossiers and park "
                  "reports asked at one time after another (MiB; 0: none)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{0}, size_t{1} << 20));
  cmd->callback([&ctx]() {
    std::unique_ptr<Admission> admission;
    std::unique_ptr<Ledger> ledger;
    net::Metrics metrics;
    std::unique_ptr<net::Follower> follower;
    if (!follow.empty()) {
      auto source = RemoteOptions(follow, ca);
      if (!source.ok()) {
        ctx.exit_code = UsageError(source.status().message());
        return;
      }
      Ledger::Options options;
      options.clock = ctx.clock;
      options.event_cache_bytes = event_cache_mib << 20;
      options.memo_bytes = lapse_memo_mib << 20;
      if (ctx.make_admission) {
        admission = ctx.make_admission();
        options.admission = admission.get();
      }
      auto mirror = net::OpenOrCreateMirror(data, *source, options);
      if (!mirror.ok()) {
        ctx.exit_code = Fail(mirror.status());
        return;
      }
      ledger = std::move(*mirror);
      net::Follower::Options fo;
      fo.source = *source;
      fo.metrics = &metrics;
      auto started = net::Follower::Start(ledger.get(), fo);
      if (!started.ok()) {
        ctx.exit_code = Fail(started.status());
        return;
      }
      follower = std::move(*started);
    } else {
      auto opened =
          OpenLedger(ctx, data, false, &admission, event_cache_mib << 20, lapse_memo_mib << 20);
      if (!opened.ok()) {
        ctx.exit_code = Fail(opened.status());
        return;
      }
      ledger = std::move(*opened);
    }
    net::ServerOptions options;
    options.listen = listen;
    options.http_listen = http;
    options.tls_cert = cert;
    options.tls_key = key;
    options.client_ca = client_ca;
    options.plaintext_loopback = plaintext;
    options.io_threads = threads;
    options.handle_signals = true;
    options.follower = follower != nullptr;
    options.metrics = &metrics;
    options.clock = ctx.clock;
    auto server = net::Server::Start(ledger.get(), options);
    if (!server.ok()) {
      ctx.exit_code = server.status().code() == StatusCode::kInvalidArgument
                          ? UsageError(server.status().message())
                          : Fail(server.status());
      return;
    }
    std::string host = listen.substr(0, listen.rfind(':'));
    std::printf("serving %s (%llu entries) on %s:%u (%s)\n", ledger->origin().c_str(),
                static_cast<unsigned long long>(ledger->size()), host.c_str(),
                static_cast<unsigned>((*server)->port()),
                plaintext ? "plaintext, loopback only" : "TLS 1.3");
    if (!http.empty()) {
      std::printf("http on %s:%u\n", http.substr(0, http.rfind(':')).c_str(),
                  static_cast<unsigned>((*server)->http_port()));
    }
    if (follower) std::printf("following %s\n", follow.c_str());
    std::fflush(stdout);
    (*server)->Wait();
    int signal = (*server)->signal_received();
    server->reset();
    if (follower) follower->Stop();
    uint64_t size = ledger->size();
    if (!ledger->is_mirror()) {
      // Leave a checkpoint covering everything that was acknowledged.
      auto cp = ledger->SignCheckpoint();
      if (!cp.ok()) std::fprintf(stderr, "dutyledger: %s\n", cp.status().message().c_str());
    }
    ledger.reset();  // stops the writer after the queued appends; everything is synced
    std::fprintf(stderr, "dutyledger: stopped%s; %llu entries\n",
                 signal != 0 ? (signal == SIGTERM ? " on SIGTERM" : " on SIGINT") : "",
                 static_cast<unsigned long long>(size));
    ctx.exit_code = kExitOk;
  });
}

// ---- tail

void AddTail(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("tail", "Print entries from a sequence on, then live ones");
  static Location loc;
  static uint64_t from = 0, count = 0;
  static bool as_json = false;
  cmd->add_option("--server", loc.server, "A dutyledger server, HOST:PORT")->required();
  cmd->add_option("--ca", loc.ca, "CA certificate for the server's TLS certificate");
  cmd->add_option("--from", from, "The first sequence (default 0)");
  cmd->add_option("--count", count, "Stop after this many entries (default: never)");
  cmd->add_flag("--json", as_json, "One JSON object per entry");
  cmd->callback([&ctx]() {
    auto client = ConnectRemote(loc);
    if (!client.ok()) {
      ctx.exit_code = client.status().code() == StatusCode::kInvalidArgument
                          ? UsageError(client.status().message())
                          : Fail(client.status());
      return;
    }
    Hasher hasher((*client)->info().hash_algorithm == "sm3" ? HashAlgorithm::kSm3
                                                            : HashAlgorithm::kSha256);
    EventJson json;
    uint64_t printed = 0;
    Status bad;
    Status s = (*client)->Subscribe(from, [&](const net::SubscriptionUpdate& u) {
      for (const Bytes& bytes : u.entries) {
        auto entry = EntryView::Decode(bytes);
        if (!entry.ok()) {
          bad = entry.status().WithContext("entry from the server");
          return false;
        }
        Digest leaf = hasher.LeafHash(entry->bytes());
        if (as_json) {
          std::printf("%s\n", json.EntryToJson(*entry, leaf).c_str());
        } else {
          auto body = EventView::Decode(entry->body_bytes());
          std::string type = body.ok() ? body->type_name() : "(undecodable body)";
          std::string id =
              body.ok() ? FormatUuid(ByteView(
                              reinterpret_cast<const char*>(body->body().getEventId().begin()),
                              body->body().getEventId().size()))
                        : "";
          std::printf("%llu  %s  %s  %s  leaf %s\n",
                      static_cast<unsigned long long>(entry->sequence()),
                      FormatRfc3339(ReadTime(entry->entry().getRecordedAt())).c_str(), type.c_str(),
                      id.c_str(), leaf.Base64().c_str());
        }
        std::fflush(stdout);
        if (count != 0 && ++printed >= count) return false;
      }
      return true;
    });
    if (!bad.ok()) s = bad;
    ctx.exit_code = s.ok() ? kExitOk : Fail(s);
  });
}

// ---- bench-load

struct LatencyLog {
  std::mutex mu;  // guards micros
  std::vector<double> micros;
  void Add(const std::vector<double>& v) {
    std::lock_guard<std::mutex> l(mu);
    micros.insert(micros.end(), v.begin(), v.end());
  }
  std::string Summary() {
    std::sort(micros.begin(), micros.end());
    auto at = [&](double q) {
      if (micros.empty()) return 0.0;
      size_t i = std::min(micros.size() - 1, static_cast<size_t>(q * micros.size()));
      return micros[i] / 1000.0;
    };
    char buf[160];
    std::snprintf(buf, sizeof buf, "p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms", at(0.5),
                  at(0.9), at(0.99), micros.empty() ? 0.0 : micros.back() / 1000.0);
    return buf;
  }
};

// Runs `clients` x `window` outstanding operations until `total` have been issued; `issue(c,
// done)` starts operation on client c and calls done() when it finishes. Returns seconds.
double RunWindowed(
    size_t clients, size_t window, size_t total,
    const std::function<void(size_t client, size_t index, std::function<void()> done)>& issue) {
  std::atomic<size_t> next{0};
  std::mutex mu;
  std::condition_variable cv;
  size_t finished = 0;
  auto start = std::chrono::steady_clock::now();
  std::function<void(size_t)> launch = [&](size_t c) {
    size_t i = next.fetch_add(1);
    if (i >= total) return;
    issue(c, i, [&, c] {
      launch(c);
      // Last: once `finished` reaches `total` the waiter returns and all of this is gone.
      std::lock_guard<std::mutex> l(mu);
      ++finished;
      cv.notify_all();
    });
  };
  for (size_t c = 0; c < clients; ++c) {
    for (size_t w = 0; w < window; ++w) launch(c);
  }
  std::unique_lock<std::mutex> l(mu);
  cv.wait(l, [&] { return finished >= total; });
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void AddBenchLoad(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "bench-load",
      "Drive a server (or, with --data, the ledger in-process) with concurrent clients appending "
      "pre-signed events; print throughput and latency percentiles");
  static Location loc;
  static std::string key_path;
  static size_t clients = 32, events = 200'000, batch = 1, window = 4, reads = 0;
  AddLocationOptions(cmd, &loc);
  cmd->add_option("--key", key_path, "A key bound in the ledger, to sign the events")->required();
  cmd->add_option("--clients", clients, "Concurrent clients")->capture_default_str();
  cmd->add_option("--events", events, "Events to append")->capture_default_str();
  cmd->add_option("--batch", batch, "Events per append request")->capture_default_str();
  cmd->add_option("--window", window, "Requests in flight per client")->capture_default_str();
  cmd->add_option("--reads", reads, "Then this many proof and checkpoint reads (remote only)")
      ->capture_default_str();
  cmd->callback([&ctx]() {
    if (clients == 0 || batch == 0 || window == 0 || events == 0) {
      ctx.exit_code = UsageError("--clients, --events, --batch and --window must be positive");
      return;
    }
    auto key = PrivateKey::ReadPemFile(key_path);
    if (!key.ok()) {
      ctx.exit_code = Fail(key.status());
      return;
    }
    // Connect (or open) first: the events need the ledger's origin.
    std::shared_ptr<net::ClientRuntime> runtime;
    std::vector<std::unique_ptr<net::Client>> remote;
    std::unique_ptr<Admission> admission;
    std::unique_ptr<Ledger> local;
    std::string origin;
    if (!loc.server.empty()) {
      auto options = RemoteOptions(loc.server, loc.ca);
      if (!options.ok()) {
        ctx.exit_code = UsageError(options.status().message());
        return;
      }
      runtime = std::make_shared<net::ClientRuntime>(
          static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
      for (size_t c = 0; c < clients; ++c) {
        auto client = net::Client::Connect(*options, runtime);
        if (!client.ok()) {
          ctx.exit_code = Fail(client.status());
          return;
        }
        remote.push_back(std::move(*client));
      }
      origin = remote[0]->info().origin;
    } else if (!loc.data.empty()) {
      auto opened = OpenLedger(ctx, loc.data, false, &admission);
      if (!opened.ok()) {
        ctx.exit_code = Fail(opened.status());
        return;
      }
      local = std::move(*opened);
      origin = local->origin();
    } else {
      ctx.exit_code = UsageError("give --data DIR or --server HOST:PORT");
      return;
    }

    // Pre-sign every event, on all cores, before the clock starts.
    std::fprintf(stderr, "signing %zu events...\n", events);
    std::vector<SignedEvent> signed_events(events);
    {
      EventJson json;
      std::string now = FormatRfc3339(ctx.clock->Now());
      std::atomic<size_t> next{0};
      std::atomic<bool> failed{false};
      std::vector<std::thread> signers;
      for (unsigned t = 0; t < std::max(1u, std::thread::hardware_concurrency()); ++t) {
        signers.emplace_back([&] {
          EventJson::Defaults defaults{origin, (*key)->public_key().id(), ctx.clock};
          for (size_t i = next++; i < events && !failed; i = next++) {
            auto body = json.ParseEventBody("{\"occurredAt\": \"" + now +
                                                "\", \"note\": {\"text\": \"bench-load " +
                                                std::to_string(i) + "\"}}",
                                            defaults);
            auto sig =
                body.ok() ? (*key)->Sign(EventSigningMessage(*body)) : Result<Bytes>(body.status());
            if (!sig.ok()) {
              failed = true;
              return;
            }
            signed_events[i] = SignedEvent{std::move(*body), std::move(*sig)};
          }
        });
      }
      for (auto& t : signers) t.join();
      if (failed) {
        ctx.exit_code = Fail(Internal("cannot build or sign the bench events"));
        return;
      }
    }

    size_t requests = (events + batch - 1) / batch;
    LatencyLog latencies;
    std::atomic<size_t> refused{0};
    std::string first_refusal;
    std::mutex refusal_mu;
    auto batch_of = [&](size_t r) {
      size_t begin = r * batch, end = std::min(events, begin + batch);
      return std::vector<SignedEvent>(signed_events.begin() + begin, signed_events.begin() + end);
    };
    auto note_result = [&](const Status& s, std::chrono::steady_clock::time_point start,
                           std::vector<double>* log) {
      if (!s.ok()) {
        if (refused++ == 0) {
          std::lock_guard<std::mutex> l(refusal_mu);
          first_refusal = s.message();
        }
      }
      log->push_back(
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
              .count());
    };
    std::vector<std::vector<double>> per_client(clients);
    std::vector<std::mutex> per_client_mu(clients);
    double seconds;
    if (!remote.empty()) {
      seconds = RunWindowed(
          clients, window, requests, [&](size_t c, size_t r, std::function<void()> done) {
            auto start = std::chrono::steady_clock::now();
            remote[c]->AppendAsync(
                batch_of(r),
                [&, c, start, done](Result<std::vector<AppendedEvent>> result, size_t) {
                  {
                    std::lock_guard<std::mutex> l(per_client_mu[c]);
                    note_result(result.status(), start, &per_client[c]);
                  }
                  done();
                });
          });
    } else {
      // In-process: clients x window threads, each appending one request at a time.
      std::atomic<size_t> next{0};
      std::vector<std::thread> threads;
      auto start_all = std::chrono::steady_clock::now();
      for (size_t t = 0; t < clients * window; ++t) {
        threads.emplace_back([&, t] {
          size_t c = t % clients;
          std::vector<double> log;
          for (size_t r = next++; r < requests; r = next++) {
            auto start = std::chrono::steady_clock::now();
            auto result = local->Append(batch_of(r));
            note_result(result.status(), start, &log);
          }
          std::lock_guard<std::mutex> l(per_client_mu[c]);
          per_client[c].insert(per_client[c].end(), log.begin(), log.end());
        });
      }
      for (auto& t : threads) t.join();
      seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_all).count();
    }
    for (const auto& v : per_client) latencies.Add(v);
    std::printf("append: %zu events in %zu requests of %zu, %zu clients x %zu in flight, %s\n",
                events, requests, batch, clients, window,
                remote.empty() ? "in-process (local mode)" : ("over " + loc.server).c_str());
    std::printf("append: %.3f s, %.0f events/s, %.0f requests/s; latency %s\n", seconds,
                static_cast<double>(events) / seconds, static_cast<double>(requests) / seconds,
                latencies.Summary().c_str());
    if (refused > 0) {
      std::printf("append: %zu requests refused; first: %s\n", refused.load(),
                  first_refusal.c_str());
      ctx.exit_code = kExitFailure;
    }

    if (reads > 0 && !remote.empty()) {
      auto cp = remote[0]->Checkpoint(0, /*sign=*/true);
      if (!cp.ok()) {
        ctx.exit_code = Fail(cp.status());
        return;
      }
      uint64_t size = remote[0]->info().size + events;
      LatencyLog read_latencies;
      std::vector<std::vector<double>> read_log(clients);
      std::atomic<size_t> read_errors{0};
      double read_seconds =
          RunWindowed(clients, window, reads, [&](size_t c, size_t r, std::function<void()> done) {
            auto start = std::chrono::steady_clock::now();
            auto finish = [&, c, start, done](const Status& s) {
              if (!s.ok()) ++read_errors;
              {
                std::lock_guard<std::mutex> l(per_client_mu[c]);
                read_log[c].push_back(std::chrono::duration<double, std::micro>(
                                          std::chrono::steady_clock::now() - start)
                                          .count());
              }
              done();
            };
            if (r % 2 == 0) {
              remote[c]->CheckpointAsync(0,
                                         [finish](Result<std::string> s) { finish(s.status()); });
            } else {
              uint64_t seq = (r * 2654435761u) % std::max<uint64_t>(1, size - 1);
              remote[c]->InclusionProofAsync(
                  seq, 0, [finish](Result<InclusionProofData> p) { finish(p.status()); });
            }
          });
      for (const auto& v : read_log) read_latencies.Add(v);
      std::printf(
          "read: %zu requests (checkpoint and inclusion proof, alternating) in %.3f s, "
          "%.0f reads/s; latency %s; %zu errors\n",
          reads, read_seconds, static_cast<double>(reads) / read_seconds,
          read_latencies.Summary().c_str(), read_errors.load());
      if (read_errors > 0) ctx.exit_code = kExitFailure;
    }
    remote.clear();
  });
}

}  // namespace

void RegisterServerCommands(CLI::App& app, Context& ctx) {
  AddServe(app, ctx);
  AddTail(app, ctx);
  AddBenchLoad(app, ctx);
}

}  // namespace dutyledger::cli
