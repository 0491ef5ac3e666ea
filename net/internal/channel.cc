#include "net/internal/channel.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <charconv>
#include <cstring>

namespace dutyledger::net::internal {

Status FromAsio(const ErrorCode& ec, std::string_view what) {
  std::string message = std::string(what) + ": " + ec.message();
  if (ec == asio::error::eof || ec == asio::error::connection_reset ||
      ec == asio::error::broken_pipe || ec == asio::error::operation_aborted ||
      ec == asio::ssl::error::stream_truncated || ec == asio::error::connection_refused ||
      ec == asio::error::timed_out || ec == asio::error::bad_descriptor) {
    return Unavailable(std::move(message));
  }
  return IOError(std::move(message));
}

Status SplitHostPort(const std::string& host_port, std::string* host, std::string* port) {
  size_t colon = host_port.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == host_port.size()) {
    return InvalidArgument("'" + host_port + "' is not HOST:PORT");
  }
  *host = host_port.substr(0, colon);
  *port = host_port.substr(colon + 1);
  if (host->size() > 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  unsigned value = 0;
  auto [p, ec] = std::from_chars(port->data(), port->data() + port->size(), value);
  if (ec != std::errc() || p != port->data() + port->size() || value > 65535) {
    return InvalidArgument("'" + host_port + "': the port must be 0..65535");
  }
  return Status::Ok();
}

Result<tcp::endpoint> ParseEndpoint(const std::string& host_port) {
  std::string host, port;
  RETURN_IF_ERROR(SplitHostPort(host_port, &host, &port));
  if (host == "localhost") host = "127.0.0.1";
  ErrorCode ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return InvalidArgument("'" + host + "' is not an IP address (give a numeric address)");
  return tcp::endpoint(address, static_cast<uint16_t>(std::stoul(port)));
}

namespace {

std::string OpenSslErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

Status TlsFileError(const std::string& what, const std::string& file, const ErrorCode& ec) {
  std::string detail = OpenSslErrors();
  return InvalidArgument(what + " " + file + ": " + (detail.empty() ? ec.message() : detail));
}

void TlsOnly13(asio::ssl::context& ctx) {
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_3_VERSION);
  SSL_CTX_set_max_proto_version(ctx.native_handle(), TLS1_3_VERSION);
}

Status LoadIdentity(asio::ssl::context& ctx, const std::string& cert, const std::string& key) {
  ErrorCode ec;
  ctx.use_certificate_chain_file(cert, ec);
  if (ec) return TlsFileError("TLS certificate", cert, ec);
  ctx.use_private_key_file(key, asio::ssl::context::pem, ec);
  if (ec) return TlsFileError("TLS key", key, ec);
  if (SSL_CTX_check_private_key(ctx.native_handle()) != 1) {
    return InvalidArgument("TLS key " + key + " does not match the certificate " + cert);
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<asio::ssl::context>> MakeServerTls(const std::string& cert,
                                                          const std::string& key,
                                                          const std::string& client_ca) {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  TlsOnly13(*ctx);
  RETURN_IF_ERROR(LoadIdentity(*ctx, cert, key));
  if (!client_ca.empty()) {
    ErrorCode ec;
    ctx->load_verify_file(client_ca, ec);
    if (ec) return TlsFileError("client CA", client_ca, ec);
    ctx->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
  }
  return ctx;
}

Result<std::unique_ptr<asio::ssl::context>> MakeClientTls(const std::string& ca,
                                                          const std::string& cert,
                                                          const std::string& key) {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  TlsOnly13(*ctx);
  if (ca.empty()) return InvalidArgument("--ca is required: the CA that signed the server's cert");
  ErrorCode ec;
  ctx->load_verify_file(ca, ec);
  if (ec) return TlsFileError("CA certificate", ca, ec);
  ctx->set_verify_mode(asio::ssl::verify_peer);
  if (!cert.empty() || !key.empty()) RETURN_IF_ERROR(LoadIdentity(*ctx, cert, key));
  return ctx;
}

// ---- Channel

Channel::Channel(tcp::socket socket, asio::ssl::context* tls) : plain_(socket.get_executor()) {
  if (tls != nullptr) {
    tls_ = std::make_unique<asio::ssl::stream<tcp::socket>>(std::move(socket), *tls);
  } else {
    plain_ = std::move(socket);
  }
}

Status Channel::ExpectPeerName(const std::string& host) {
  if (!tls_) return Status::Ok();
  SSL* ssl = tls_->native_handle();
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  ErrorCode ec;
  asio::ip::make_address(host, ec);
  int ok = ec ? X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size())
              : X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  if (ec) SSL_set_tlsext_host_name(ssl, host.c_str());
  if (ok != 1) return InvalidArgument("cannot check the server's name '" + host + "'");
  return Status::Ok();
}

Awaitable<ErrorCode> Channel::Handshake(bool server) {
  ErrorCode ec;
  if (!tls_) co_return ec;
  co_await tls_->async_handshake(
      server ? asio::ssl::stream_base::server : asio::ssl::stream_base::client,
      asio::redirect_error(kUseAwaitable, ec));
  co_return ec;
}

Awaitable<ErrorCode> Channel::ReadExactly(void* data, size_t size) {
  ErrorCode ec;
  auto buffer = asio::buffer(data, size);
  if (tls_) {
    co_await asio::async_read(*tls_, buffer, asio::redirect_error(kUseAwaitable, ec));
  } else {
    co_await asio::async_read(plain_, buffer, asio::redirect_error(kUseAwaitable, ec));
  }
  co_return ec;
}

Awaitable<ErrorCode> Channel::ReadSome(void* data, size_t size, size_t* n) {
  ErrorCode ec;
  auto buffer = asio::buffer(data, size);
  if (tls_) {
    *n = co_await tls_->async_read_some(buffer, asio::redirect_error(kUseAwaitable, ec));
  } else {
    *n = co_await plain_.async_read_some(buffer, asio::redirect_error(kUseAwaitable, ec));
  }
  co_return ec;
}

Awaitable<ErrorCode> Channel::WriteAll(const std::vector<asio::const_buffer>& buffers) {
  ErrorCode ec;
  if (tls_) {
    co_await asio::async_write(*tls_, buffers, asio::redirect_error(kUseAwaitable, ec));
  } else {
    co_await asio::async_write(plain_, buffers, asio::redirect_error(kUseAwaitable, ec));
  }
  co_return ec;
}

void Channel::Close() {
  ErrorCode ignored;
  tcp::socket& s = socket();
  if (!s.is_open()) return;
  s.shutdown(tcp::socket::shutdown_both, ignored);
  s.close(ignored);
}

// ---- Deadline and Signal

void Deadline::Arm(std::chrono::milliseconds after) {
  uint64_t generation = ++state_->generation;
  timer_.expires_after(after);
  timer_.async_wait([state = state_, generation](const ErrorCode& ec) {
    if (ec || state->generation != generation || state->channel == nullptr) return;
    state->expired = true;
    state->channel->Close();
  });
}

void Deadline::Disarm() {
  ++state_->generation;
  timer_.cancel();
}

Awaitable<void> Signal::Wait() {
  ErrorCode ec;
  co_await timer_.async_wait(asio::redirect_error(kUseAwaitable, ec));
}

// ---- FramedChannel

FramedChannel::FramedChannel(Strand strand, tcp::socket socket, asio::ssl::context* tls,
                             FrameLimits limits, Timeouts timeouts)
    : strand_(strand),
      channel_(std::move(socket), tls),
      limits_(limits),
      timeouts_(timeouts),
      read_deadline_(strand_, &channel_),
      write_deadline_(strand_, &channel_),
      queue_signal_(strand_),
      written_(strand_) {}

void FramedChannel::Start(std::shared_ptr<void> owner) {
  asio::co_spawn(strand_, Writer(std::move(owner)), asio::detached);
}

Awaitable<Result<Frame>> FramedChannel::ReadFrame(bool idle) {
  auto fail = [&](const ErrorCode& ec) -> Status {
    if (read_deadline_.expired()) return Unavailable("timed out reading a frame");
    return FromAsio(ec, "read");
  };
  uint8_t first[4];
  if (idle) read_deadline_.Arm(timeouts_.idle);
  ErrorCode ec = co_await Take(first, 1);
  read_deadline_.Disarm();
  if (ec) co_return fail(ec);
  read_deadline_.Arm(timeouts_.read);
  ec = co_await Take(first + 1, 3);
  if (ec) co_return fail(ec);
  auto rest = FrameHeader::RestOfTable(first, limits_);
  if (!rest.ok()) {
    read_deadline_.Disarm();
    co_return rest.status();
  }
  Bytes table(4 + *rest, '\0');
  std::memcpy(table.data(), first, 4);
  ec = co_await Take(table.data() + 4, *rest);
  if (ec) co_return fail(ec);
  auto words = FrameHeader::SegmentWords(table, limits_);
  if (!words.ok()) {
    read_deadline_.Disarm();
    co_return words.status();
  }
  Frame frame;
  size_t total = 0;
  for (uint32_t w : *words) total += w;
  frame.segment_words = std::move(*words);
  frame.words.resize(total);
  if (total > 0) ec = co_await Take(frame.words.data(), total * 8);
  read_deadline_.Disarm();
  if (ec) co_return fail(ec);
  co_return frame;
}

Awaitable<ErrorCode> FramedChannel::Take(void* out, size_t n) {
  char* to = static_cast<char*>(out);
  ErrorCode ec;
  while (n > 0) {
    size_t buffered = in_end_ - in_begin_;
    if (buffered > 0) {
      size_t k = std::min(n, buffered);
      std::memcpy(to, in_.data() + in_begin_, k);
      in_begin_ += k;
      to += k;
      n -= k;
      continue;
    }
    if (n >= kReadBuffer) co_return co_await channel_.ReadExactly(to, n);  // large: no copy
    in_.resize(kReadBuffer);
    in_begin_ = in_end_ = 0;
    size_t got = 0;
    ec = co_await channel_.ReadSome(in_.data(), in_.size(), &got);
    if (ec) co_return ec;
    in_end_ = got;
  }
  co_return ec;
}

void FramedChannel::Send(Bytes frame) {
  if (closing_ || closed_) return;
  queued_bytes_ += frame.size();
  queue_.push_back(std::move(frame));
  queue_signal_.Notify();
}

void FramedChannel::Close(bool now) {
  closing_ = true;
  queue_signal_.Notify();
  if (now) channel_.Close();
}

Awaitable<void> FramedChannel::Writer(std::shared_ptr<void> owner) {
  (void)owner;
  constexpr size_t kMaxGather = 256 * 1024;
  while (true) {
    while (queue_.empty() && !closing_) co_await queue_signal_.Wait();
    if (queue_.empty()) break;  // closing, and everything was written
    std::vector<Bytes> batch;
    size_t bytes = 0;
    while (!queue_.empty() && (batch.empty() || bytes < kMaxGather)) {
      bytes += queue_.front().size();
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    std::vector<asio::const_buffer> buffers;
    for (const auto& b : batch) buffers.push_back(asio::buffer(b));
    write_deadline_.Arm(timeouts_.write);
    ErrorCode ec = co_await channel_.WriteAll(buffers);
    write_deadline_.Disarm();
    queued_bytes_ -= bytes;
    written_.Notify();
    if (ec) break;
  }
  closed_ = true;
  closing_ = true;
  queued_bytes_ = 0;
  queue_.clear();
  channel_.Close();
  written_.Notify();
}

}  // namespace dutyledger::net::internal
