// What the protocol server and the HTTP API share: the ledger, the query registry, the cached
// latest checkpoint, metrics, the query pool, and the registry of live sessions for shutdown.
// Private to net/.
#ifndef DUTYLEDGER_NET_INTERNAL_SERVING_H_
#define DUTYLEDGER_NET_INTERNAL_SERVING_H_

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "ledger/ledger.h"
#include "net/internal/channel.h"
#include "net/metrics.h"
#include "net/server.h"
#include "projections/query.h"

namespace dutyledger::net::internal {

// A connection the server can ask to finish (graceful shutdown). Drain() may be called from any
// thread; it posts to the session's strand.
class Session {
 public:
  virtual ~Session() = default;
  virtual void Drain() = 0;
  virtual void CloseNow() = 0;
  // Wakes subscriptions after a commit (protocol sessions only).
  virtual void OnCommit() {}
};

// The latest checkpoint, re-read (and its signature checked) only after something was stored.
// Thread-safe.
class CheckpointCache {
 public:
  explicit CheckpointCache(const Ledger* ledger) : ledger_(ledger) {}
  void Invalidate() { dirty_.store(true, std::memory_order_release); }
  Result<std::optional<StoredCheckpoint>> Latest();

 private:
  const Ledger* ledger_;
  std::atomic<bool> dirty_{true};
  std::mutex mu_;  // guards latest_
  std::optional<StoredCheckpoint> latest_;
};

struct ServingContext {
  Ledger* ledger = nullptr;
  ServerOptions options;
  Metrics* metrics = nullptr;
  Clock* clock = nullptr;
  QueryRegistry registry;
  CheckpointCache* checkpoints = nullptr;
  asio::thread_pool* work = nullptr;     // append preparation (signature checks), signing
  asio::thread_pool* queries = nullptr;  // queries

  // Sessions, for shutdown and commit notification.
  std::mutex mu;  // guards sessions, draining
  std::condition_variable cv;
  std::map<Session*, std::weak_ptr<Session>> sessions;
  bool draining = false;
  // Work handed to another thread (ledger writer, pools) whose answer is not yet back on its
  // strand. Shutdown waits for it to reach zero before stopping the I/O threads.
  std::atomic<int64_t> pending{0};
  std::atomic<int64_t> subscribers{0};  // sessions with a subscription

  void AddSession(const std::shared_ptr<Session>& s);
  void RemoveSession(Session* s);
  // The live sessions. Call without holding `mu` (dropping the last reference to a session
  // runs its destructor, which takes `mu`).
  std::vector<std::shared_ptr<Session>> LiveSessions();
  void WorkStarted() { pending.fetch_add(1); }
  void WorkFinished();

  // Runs a query from the registry; records a verify's result in the metrics. With `out`, a
  // streaming query's output goes there as it is produced.
  QueryResponse RunQuery(const QueryRequest& request, const QueryOutput* out = nullptr);
  ServerInfo Info() const;
};

// Starts an HTTP/1.1 session (the read API) on an accepted socket.
void StartHttpSession(ServingContext& ctx, Strand strand, tcp::socket socket,
                      asio::ssl::context* tls);

}  // namespace dutyledger::net::internal

#endif  // DUTYLEDGER_NET_INTERNAL_SERVING_H_
