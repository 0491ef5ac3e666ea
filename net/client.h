// Client: one connection to a dutyledger server (net/server.h), over TLS 1.3 (or plain TCP to a
// server started with --plaintext-loopback). Requests are pipelined on the connection; the
// blocking calls wait for their own answer only, so several threads may share one Client.
//
// Signing stays with the caller: Append takes events already signed; the server never sees a
// private key. Everything the server sends is untrusted input here: frames are limit-checked and
// decoded by the same code as the server's (a follower depends on it).
//
// Thread-safe. Blocking calls must not be made from the callbacks of the *Async calls (which run
// on the client's I/O thread). Destroying the Client (or Close()) fails pending calls with
// kUnavailable.
#ifndef DUTYLEDGER_NET_CLIENT_H_
#define DUTYLEDGER_NET_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/status.h"
#include "net/protocol.h"
#include "projections/query.h"

namespace dutyledger::net {

struct ClientOptions {
  std::string server;      // HOST:PORT
  std::string ca;          // PEM: the CA that signed the server's certificate (required for TLS)
  std::string cert;        // optional client certificate (when the server requires one)
  std::string key;         // its private key
  bool plaintext = false;  // no TLS (a server on loopback started with --plaintext-loopback)
  FrameLimits limits = {size_t{16} << 20, 64, 16};  // what the client accepts from the server
  std::chrono::milliseconds connect_timeout{10'000};
};

// I/O threads shared by many clients (bench-load runs dozens on one runtime). Thread-safe.
class ClientRuntime {
 public:
  explicit ClientRuntime(int threads = 1);
  ~ClientRuntime();  // REQUIRES: every Client using it is destroyed first
  ClientRuntime(const ClientRuntime&) = delete;
  ClientRuntime& operator=(const ClientRuntime&) = delete;

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

class Client {
 public:
  // Connects, completes the TLS handshake (checking the server's certificate against `ca` and
  // its name against the host), and says hello. kUnavailable when the server cannot be reached,
  // kInvalidArgument for bad options or files, kPermissionDenied when the TLS handshake fails.
  static Result<std::unique_ptr<Client>> Connect(const ClientOptions& options,
                                                 std::shared_ptr<ClientRuntime> runtime = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const ServerInfo& info() const;

  // Appends atomically; on refusal the Status is the server's (its message names the event) and
  // *failed_index the refused event.
  Result<std::vector<AppendedEvent>> Append(std::vector<SignedEvent> events,
                                            size_t* failed_index = nullptr);
  using AppendDone =
      std::function<void(Result<std::vector<AppendedEvent>> result, size_t failed_index)>;
  void AppendAsync(std::vector<SignedEvent> events, AppendDone done);

  // Up to `count` canonical entries from `begin` (fewer when the server limits a response).
  Result<std::vector<Bytes>> ReadEntries(uint64_t begin, uint32_t count);
  // The signed note of the latest checkpoint (size 0) or the one at `size`; with `sign`, the
  // server first signs one for its current size.
  Result<std::string> Checkpoint(uint64_t size = 0, bool sign = false);
  void CheckpointAsync(uint64_t size, std::function<void(Result<std::string>)> done);
  Result<InclusionProofData> InclusionProof(uint64_t sequence, uint64_t tree_size);
  void InclusionProofAsync(uint64_t sequence, uint64_t tree_size,
                           std::function<void(Result<InclusionProofData>)> done);
  Result<ConsistencyProofData> ConsistencyProof(uint64_t size1, uint64_t size2);
  // Runs a query of the registry on the server. Connection failures come back as exit code 1.
  // With `out`, the output is handed to it chunk by chunk as it arrives (a large report is not
  // held whole) and the response's output is empty.
  QueryResponse Query(const QueryRequest& request, const QueryOutput* out = nullptr);

  // Streams entries from `from`, then live ones: calls `fn` on the calling thread for each
  // update, until it returns false (OK), the connection fails or the server ends the
  // subscription (that Status), or Close(). While `fn` runs, the client stops reading further
  // updates (backpressure) — use another Client for other requests meanwhile.
  Status Subscribe(uint64_t from, const std::function<bool(const SubscriptionUpdate&)>& fn);

  void Close();

  struct Impl;

 private:
  explicit Client(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace dutyledger::net

#endif  // DUTYLEDGER_NET_CLIENT_H_
