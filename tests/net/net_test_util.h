// Network test support: certificates made for the test (openssl CLI into a temporary folder),
// a raw blocking TLS or TCP client for sending bad bytes, frame helpers, and a server over a
// TestLedger on 127.0.0.1, port 0.
#ifndef DUTYLEDGER_TESTS_NET_NET_TEST_UTIL_H_
#define DUTYLEDGER_TESTS_NET_NET_TEST_UTIL_H_

#include <chrono>
#include <csignal>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "net/client.h"
#include "net/internal/wire.h"
#include "net/server.h"
#include "tests/support/test_util.h"

namespace dutyledger::testing {

struct TestCerts {
  std::string ca;           // CA certificate (PEM file path)
  std::string server_cert;  // for IP 127.0.0.1 and DNS localhost, signed by the CA
  std::string server_key;
  std::string other_ca;     // an unrelated CA
  std::string client_cert;  // a client certificate signed by the CA
  std::string client_key;
};
// Generates the certificates in `dir`. Aborts the test on failure.
TestCerts MakeCerts(const TempDir& dir);

// A blocking client socket to 127.0.0.1:port, TLS (trusting `ca`) or plain TCP. Every read gives
// up after `timeout` (a safety net; tests wait for the server's action, not for the clock).
class RawConnection {
 public:
  static std::unique_ptr<RawConnection> Open(
      uint16_t port, const std::string& ca, bool tls,
      std::chrono::milliseconds timeout = std::chrono::milliseconds(15000));
  ~RawConnection();
  bool handshake_ok() const { return handshake_ok_; }
  bool Write(ByteView bytes);
  // One frame; nullopt when the connection ends (or the timeout passes) first.
  std::optional<Bytes> ReadFrame();
  // Reads until the peer closes: true when it did (EOF or reset) before the timeout.
  bool WaitClosed();
  // Everything until the peer closes.
  Bytes ReadAll();
  void ShutdownWrite();

 private:
  RawConnection() = default;
  // Up to `n` bytes; 0 on EOF or error.
  size_t ReadSome(char* buf, size_t n);
  bool ReadExactly(char* buf, size_t n);
  int fd_ = -1;
  void* ctx_ = nullptr;  // SSL_CTX*
  void* ssl_ = nullptr;  // SSL*
  bool handshake_ok_ = false;
  bool timed_out_ = false;
};

// Frames a request (net/protocol.capnp) / parses a response frame.
Bytes RequestFrame(const net::internal::WireRequest& request);
net::internal::WireResponse ParseResponse(const Bytes& frame);

// A server over a fresh TestLedger.
class ServedLedger {
 public:
  explicit ServedLedger(std::function<void(net::ServerOptions&)> configure = {},
                        TestLedger::Config config = {});
  ~ServedLedger();
  TestLedger& test() { return ledger_; }
  Ledger& ledger() { return ledger_.ledger(); }
  net::Server& server() { return *server_; }
  const TestCerts& certs() const { return certs_; }
  uint16_t port() const { return server_->port(); }
  net::ClientOptions ClientOptions() const;
  std::unique_ptr<net::Client> Connect() const;
  // Stops the server (graceful) and forgets it.
  void StopServer();

 private:
  TestLedger ledger_;
  TempDir certs_dir_;
  TestCerts certs_;
  std::unique_ptr<net::Server> server_;
};

// Polls `done` until true or `timeout` (for effects with no completion signal, e.g. a server
// noticing a closed socket). Returns done().
struct HttpReply {
  int status = 0;
  std::string headers;
  Bytes body;
};
// GET `path` from the HTTP API at 127.0.0.1:port over TLS (trusting `ca`), Connection: close.
HttpReply HttpGet(uint16_t port, const std::string& ca, const std::string& path);

// The file's text, or "" (for failure messages).
std::string ReadOr(const std::string& path);

bool Eventually(const std::function<bool()>& done,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));

// A `dutyledger serve` child process on 127.0.0.1, port 0, with the test certificates; its port
// is read from the first line it prints (0 if it printed none: see `err_file`). Killed with
// SIGKILL at destruction if still running.
class ServeProcess {
 public:
  ServeProcess(const std::string& bin, const std::string& data, const TestCerts& certs,
               const std::string& err_file);
  ~ServeProcess() { Stop(SIGKILL); }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;
  uint16_t port() const { return port_; }
  // Sends `signal` and waits: the exit status, or -signal. 0 when not running.
  int Stop(int signal);

 private:
  int pid_ = -1;
  uint16_t port_ = 0;
};

}  // namespace dutyledger::testing

#endif  // DUTYLEDGER_TESTS_NET_NET_TEST_UTIL_H_
