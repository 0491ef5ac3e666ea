// The Asio layer shared by the server, the HTTP API and the client: TLS contexts, a byte channel
// (TLS 1.3 over TCP, or plain TCP on loopback when asked for), and a framed connection with a
// write queue and read/write deadlines. This header and the .cc files that include it are the
// only code that sees Asio or OpenSSL types; Asio's error_code becomes a Status in FromAsio, the
// one place it is converted.
//
// Threading: a FramedChannel and everything it owns live on one strand; every member function
// must be called (and every coroutine run) on that strand.
#ifndef DUTYLEDGER_NET_INTERNAL_CHANNEL_H_
#define DUTYLEDGER_NET_INTERNAL_CHANNEL_H_

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>  // NOLINT(build/include_order)

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <string>

#include "ledger/status.h"
#include "net/internal/wire.h"
#include "net/protocol.h"

namespace dutyledger::net::internal {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Strand = asio::strand<asio::io_context::executor_type>;
using ErrorCode = boost::system::error_code;
template <typename T>
using Awaitable = asio::awaitable<T>;
inline constexpr auto kUseAwaitable = asio::use_awaitable;

// The one conversion of Asio/OpenSSL errors: kUnavailable for a peer that went away, kIOError
// otherwise; `what` says which operation.
Status FromAsio(const ErrorCode& ec, std::string_view what);

// "HOST:PORT" -> endpoint (numeric hosts only; "localhost" is 127.0.0.1). kInvalidArgument.
Result<tcp::endpoint> ParseEndpoint(const std::string& host_port);
// "HOST:PORT" -> host and port strings (any host name), for clients. kInvalidArgument.
Status SplitHostPort(const std::string& host_port, std::string* host, std::string* port);

// TLS 1.3 only. The server context presents `cert`/`key` (PEM files) and, with `client_ca`,
// requires a client certificate signed by it. The client context trusts `ca` only and, with
// `cert`/`key`, presents a client certificate. kInvalidArgument names the file and the reason.
Result<std::unique_ptr<asio::ssl::context>> MakeServerTls(const std::string& cert,
                                                          const std::string& key,
                                                          const std::string& client_ca);
Result<std::unique_ptr<asio::ssl::context>> MakeClientTls(const std::string& ca,
                                                          const std::string& cert,
                                                          const std::string& key);

// A byte stream over a connected socket: TLS when a context is given, else plain TCP.
class Channel {
 public:
  Channel(tcp::socket socket, asio::ssl::context* tls);
  // Client side: verify that the server's certificate names `host` (DNS name or IP address).
  Status ExpectPeerName(const std::string& host);
  Awaitable<ErrorCode> Handshake(bool server);
  Awaitable<ErrorCode> ReadExactly(void* data, size_t size);
  // Some bytes (at least one) into `data`; *n says how many.
  Awaitable<ErrorCode> ReadSome(void* data, size_t size, size_t* n);
  Awaitable<ErrorCode> WriteAll(const std::vector<asio::const_buffer>& buffers);
  // Closes the socket: pending operations finish with an error. Idempotent.
  void Close();
  bool is_open() const { return socket().is_open(); }
  const tcp::socket& socket() const { return tls_ ? tls_->next_layer() : plain_; }
  tcp::socket& socket() { return tls_ ? tls_->next_layer() : plain_; }

 private:
  std::unique_ptr<asio::ssl::stream<tcp::socket>> tls_;
  tcp::socket plain_;
};

// Closes the channel when a deadline passes. Arm before an operation, Disarm after.
class Deadline {
 public:
  Deadline(const Strand& strand, Channel* channel)
      : timer_(strand), state_(std::make_shared<State>(State{channel})) {}
  ~Deadline() { state_->channel = nullptr; }
  void Arm(std::chrono::milliseconds after);
  void Disarm();
  bool expired() const { return state_->expired; }

 private:
  // Shared with the timer's handler, which may run after a Disarm or after the Deadline is gone.
  struct State {
    Channel* channel = nullptr;  // null once the Deadline is destroyed
    uint64_t generation = 0;     // bumped by Arm and Disarm: older expiries are ignored
    bool expired = false;
  };
  asio::steady_timer timer_;
  std::shared_ptr<State> state_;
};

// A condition to wait on from a coroutine on the strand: Wait() returns after Notify().
// (A timer that never expires, cancelled to wake its waiters.)
class Signal {
 public:
  explicit Signal(const Strand& strand) : timer_(strand, asio::steady_timer::time_point::max()) {}
  Awaitable<void> Wait();
  void Notify() { timer_.cancel(); }

 private:
  asio::steady_timer timer_;
};

struct Timeouts {
  std::chrono::milliseconds handshake{10'000};
  std::chrono::milliseconds idle{300'000};  // waiting for a frame's first byte, nothing pending
  std::chrono::milliseconds read{10'000};   // the rest of a frame once it has started
  std::chrono::milliseconds write{30'000};  // one queued write
};

// A Channel carrying frames: ReadFrame checks the limits from the segment table before
// allocating; Send queues an encoded frame for the writer coroutine (started by Start()).
class FramedChannel {
 public:
  FramedChannel(Strand strand, tcp::socket socket, asio::ssl::context* tls, FrameLimits limits,
                Timeouts timeouts);
  Channel& channel() { return channel_; }
  const Strand& strand() const { return strand_; }

  // Starts the writer (on the strand). `owner` keeps the object alive while it runs.
  void Start(std::shared_ptr<void> owner);
  // Reads one frame. With `idle`, the first byte may take the idle timeout, else no limit; the
  // rest of the frame must arrive within the read timeout. kResourceExhausted for a frame over
  // the limits (the stream is then out of sync: close after reporting), kUnavailable when the
  // peer closed or timed out, kIOError otherwise.
  Awaitable<Result<Frame>> ReadFrame(bool idle);
  void Send(Bytes frame);
  // Queued bytes not yet written.
  size_t queued_bytes() const { return queued_bytes_; }
  // Woken whenever the write queue shrinks.
  Signal& written() { return written_; }
  // Closes once the queue is written (or at once with `now`).
  void Close(bool now);
  bool closing() const { return closing_; }
  bool closed() const { return closed_; }

 private:
  Awaitable<void> Writer(std::shared_ptr<void> owner);
  // Exactly `n` bytes, from what was read ahead or from the channel.
  Awaitable<ErrorCode> Take(void* out, size_t n);
  static constexpr size_t kReadBuffer = 64 * 1024;

  Strand strand_;
  Channel channel_;
  FrameLimits limits_;
  Timeouts timeouts_;
  std::vector<char> in_;  // read ahead: [in_begin_, in_end_) not yet taken
  size_t in_begin_ = 0;
  size_t in_end_ = 0;
  Deadline read_deadline_;
  Deadline write_deadline_;
  std::deque<Bytes> queue_;
  size_t queued_bytes_ = 0;
  Signal queue_signal_;
  Signal written_;
  bool closing_ = false;
  bool closed_ = false;
};

}  // namespace dutyledger::net::internal

#endif  // DUTYLEDGER_NET_INTERNAL_CHANNEL_H_
