// Server: `dutyledger serve`. Serves one Ledger over the dutyledger protocol (net/protocol.capnp,
// Cap'n Proto stream framing over TLS 1.3) and, when asked, the read-only HTTP API (C2SP
// checkpoint and tlog-tiles, JSON entries, proofs and queries, Prometheus /metrics).
//
// Threads: a pool of I/O threads (one per core by default) runs every connection as C++20
// coroutines, each connection confined to its own strand; appends are handed to the Ledger's
// single writer without blocking an I/O thread (Ledger::AppendAsync) and acknowledged only when
// durable; queries (which may scan the whole ledger) run on a separate pool.
//
// Limits and timeouts (ServerOptions): frame size and nesting (checked before allocating), a
// handshake timeout, an idle timeout while nothing is pending, a read timeout once a frame has
// started, a write timeout, and a per-connection in-flight limit beyond which the server stops
// reading from that connection (backpressure). A bad frame gets an error response; the
// connection stays open unless the framing itself is broken.
//
// Shutdown (Shutdown(), or SIGTERM/SIGINT with handle_signals): stop accepting, answer new
// requests with kUnavailable, finish the appends in flight and write their acknowledgements,
// end subscriptions, close connections, then Wait() returns.
//
// Thread-safe. The Ledger must outlive the Server.
#ifndef DUTYLEDGER_NET_SERVER_H_
#define DUTYLEDGER_NET_SERVER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "ledger/ledger.h"
#include "ledger/status.h"
#include "net/metrics.h"
#include "net/protocol.h"

namespace dutyledger::net {

struct ServerOptions {
  std::string listen = "127.0.0.1:7600";  // HOST:PORT (numeric host); port 0 picks a free port
  std::string http_listen;                // the HTTP API's HOST:PORT; empty: none
  std::string tls_cert;                   // PEM certificate chain; required unless plaintext
  std::string tls_key;                    // PEM private key
  std::string client_ca;                  // require client certificates signed by this CA
  // Serve without TLS. Refused (kInvalidArgument) unless every listen address is loopback.
  bool plaintext_loopback = false;
  int io_threads = 0;     // 0: one per core
  int query_threads = 0;  // 0: one per core
  FrameLimits limits;
  size_t max_in_flight = 64;     // requests per connection before the server stops reading
  size_t max_subscriptions = 8;  // per connection
  // Protocol connections open at once; one more is closed as soon as it is accepted (before the
  // TLS handshake). The HTTP API's connections are not counted.
  size_t max_connections = 4096;
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds idle_timeout{300'000};
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds write_timeout{30'000};
  std::chrono::milliseconds drain_timeout{10'000};  // longest a shutdown waits for connections
  bool handle_signals = false;                      // SIGTERM/SIGINT start Shutdown()
  bool follower = false;       // the ledger is a mirror kept by a Follower: refuse appends
  Metrics* metrics = nullptr;  // where to count; null: the server's own
  Clock* clock = nullptr;      // for verify timestamps; null: the system clock
};

class Server {
 public:
  // Binds the listeners and starts serving. kInvalidArgument for bad options or TLS files,
  // kIOError when an address cannot be bound.
  static Result<std::unique_ptr<Server>> Start(Ledger* ledger, const ServerOptions& options);
  ~Server();  // Shutdown() and Wait()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  uint16_t port() const;       // the protocol listener's port
  uint16_t http_port() const;  // 0 without the HTTP API
  Metrics& metrics();

  // Starts a graceful shutdown. Returns at once; idempotent.
  void Shutdown();
  // Blocks until the server has shut down (after Shutdown() or a signal).
  void Wait();
  // Whether a signal started the shutdown (and which), 0 if none.
  int signal_received() const;

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dutyledger::net

#endif  // DUTYLEDGER_NET_SERVER_H_
