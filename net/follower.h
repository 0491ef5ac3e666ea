// Follower: keeps a mirror Ledger (Ledger::CreateMirror) in step with a source server, trusting
// nothing it is sent. Every entry goes through Ledger::AppendVerbatim (canonical form, signature
// under the key valid at that sequence, key rules, admission, chain link, tree); every new
// checkpoint of the source must verify under the genesis log key and be consistent (RFC 9162,
// with a consistency proof the source gives and the roots the follower holds) with the last one
// the follower stored, and its root must equal the root of the entries the follower verified.
//
// On any inconsistency — a fork, a rolled-back source, a bad entry or signature — it stops
// mirroring for good (until restarted by an operator), says so on stderr and in the metrics,
// and the server goes on serving what was verified. Transient failures (the source is down) are
// retried with backoff.
//
// Runs one thread. Thread-safe.
#ifndef DUTYLEDGER_NET_FOLLOWER_H_
#define DUTYLEDGER_NET_FOLLOWER_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "ledger/ledger.h"
#include "net/client.h"
#include "net/metrics.h"

namespace dutyledger::net {

// Opens the mirror in `path`, or creates it from the source's entry 0 when `path` holds no
// ledger (trust on first use of the source's genesis: compare the printed log key with one
// obtained out of band). kFailedPrecondition if `path` holds a ledger that is not a mirror.
Result<std::unique_ptr<Ledger>> OpenOrCreateMirror(const std::string& path,
                                                   const ClientOptions& source,
                                                   const Ledger::Options& options);

class Follower {
 public:
  struct Options {
    ClientOptions source;
    Metrics* metrics = nullptr;                // required
    std::chrono::milliseconds retry_min{200};  // backoff after a transient failure
    std::chrono::milliseconds retry_max{10'000};
    std::function<void(const std::string&)> log;  // one line each; default: stderr
  };

  // REQUIRES: `mirror` is a mirror (is_mirror()) and outlives the Follower.
  static Result<std::unique_ptr<Follower>> Start(Ledger* mirror, Options options);
  ~Follower();  // Stop()
  Follower(const Follower&) = delete;
  Follower& operator=(const Follower&) = delete;

  void Stop();
  // Blocks until the follower has stopped on an inconsistency (true) or `timeout` passed.
  bool WaitStopped(std::chrono::milliseconds timeout);
  // Blocks until the mirror holds at least `size` entries, or it stopped, or `timeout`.
  bool WaitForSize(uint64_t size, std::chrono::milliseconds timeout);
  Metrics::Follower state() const;

 private:
  Follower(Ledger* mirror, Options options);
  void Run();
  // Mirrors until the connection fails (transient: returns the Status) or an inconsistency
  // (sets stopped_ and returns).
  Status MirrorOnce();
  Status HandleCheckpoint(Client& requests, const std::string& note_text);
  void Refuse(const std::string& why);
  void Publish();

  Ledger* mirror_;
  Options options_;
  mutable std::mutex mu_;  // guards state_, stop_, client_
  std::condition_variable cv_;
  Metrics::Follower state_;
  bool stop_ = false;
  Client* subscriber_ = nullptr;  // the live subscription's client, to Close() on Stop()
  std::thread thread_;
};

}  // namespace dutyledger::net

#endif  // DUTYLEDGER_NET_FOLLOWER_H_
