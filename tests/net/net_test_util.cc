#include "tests/net/net_test_util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace dutyledger::testing {

std::string ReadOr(const std::string& path) {
  auto text = ReadSmallFile(path, 1 << 24);
  return text.ok() ? *text : "";
}

TestCerts MakeCerts(const TempDir& dir) {
  TestCerts c;
  c.ca = dir.Sub("ca.pem");
  c.server_cert = dir.Sub("server.pem");
  c.server_key = dir.Sub("server.key");
  c.other_ca = dir.Sub("other-ca.pem");
  c.client_cert = dir.Sub("client.pem");
  c.client_key = dir.Sub("client.key");
  std::string d = dir.path();
  std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
  std::string script =
      "set -e; cd " + d + "; " +                                                               //
      "openssl req -x509 " + ec + " -keyout ca.key -out ca.pem -days 2 -subj /CN=test-ca; " +  //
      "openssl req -x509 " + ec + " -keyout other-ca.key -out other-ca.pem -days 2 " +
      "-subj /CN=other-ca; " + "openssl req " + ec +
      " -keyout server.key -out server.csr -subj /CN=localhost; " +
      "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > ext.cnf; " +
      "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial " +
      "-out server.pem -days 2 -extfile ext.cnf; " + "openssl req " + ec +
      " -keyout client.key -out client.csr -subj /CN=client; " +
      "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial " +
      "-out client.pem -days 2; " + "chmod 600 *.key";
  std::string cmd = "sh -c \"" + script + "\" >" + d + "/openssl.log 2>&1";
  if (std::system(cmd.c_str()) != 0) {
    ADD_FAILURE() << "openssl failed: " << ReadOr(d + "/openssl.log");
    std::abort();
  }
  return c;
}

// ---- RawConnection

std::unique_ptr<RawConnection> RawConnection::Open(uint16_t port, const std::string& ca, bool tls,
                                                   std::chrono::milliseconds timeout) {
  std::signal(SIGPIPE, SIG_IGN);  // OpenSSL writes with write(2): a closed peer is an error here
  std::unique_ptr<RawConnection> c(new RawConnection());
  c->fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (c->fd_ < 0) return nullptr;
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  ::setsockopt(c->fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(c->fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(c->fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return nullptr;
  if (!tls) return c;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  c->ctx_ = ctx;
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  SSL_CTX_load_verify_locations(ctx, ca.c_str(), nullptr);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  SSL* ssl = SSL_new(ctx);
  c->ssl_ = ssl;
  SSL_set_fd(ssl, c->fd_);
  c->handshake_ok_ = SSL_connect(ssl) == 1;
  ERR_clear_error();
  return c;
}

RawConnection::~RawConnection() {
  if (ssl_ != nullptr) SSL_free(static_cast<SSL*>(ssl_));
  if (ctx_ != nullptr) SSL_CTX_free(static_cast<SSL_CTX*>(ctx_));
  if (fd_ >= 0) ::close(fd_);
}

bool RawConnection::Write(ByteView bytes) {
  size_t at = 0;
  while (at < bytes.size()) {
    int n = ssl_ != nullptr
                ? SSL_write(static_cast<SSL*>(ssl_), bytes.data() + at,
                            static_cast<int>(bytes.size() - at))
                : static_cast<int>(::send(fd_, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL));
    if (n <= 0) return false;
    at += static_cast<size_t>(n);
  }
  return true;
}

size_t RawConnection::ReadSome(char* buf, size_t n) {
  if (ssl_ != nullptr) {
    int r = SSL_read(static_cast<SSL*>(ssl_), buf, static_cast<int>(n));
    if (r <= 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) timed_out_ = true;
      ERR_clear_error();
      return 0;
    }
    return static_cast<size_t>(r);
  }
  ssize_t r = ::recv(fd_, buf, n, 0);
  if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) timed_out_ = true;
  return r > 0 ? static_cast<size_t>(r) : 0;
}

bool RawConnection::ReadExactly(char* buf, size_t n) {
  size_t at = 0;
  while (at < n) {
    size_t got = ReadSome(buf + at, n - at);
    if (got == 0) return false;
    at += got;
  }
  return true;
}

std::optional<Bytes> RawConnection::ReadFrame() {
  char first[4];
  if (!ReadExactly(first, 4)) return std::nullopt;
  uint32_t count_minus_one;
  std::memcpy(&count_minus_one, first, 4);
  if (count_minus_one > 1000) return std::nullopt;
  size_t table = (4 * (count_minus_one + 2) + 7) / 8 * 8;
  Bytes frame(first, 4);
  frame.resize(table);
  if (!ReadExactly(frame.data() + 4, table - 4)) return std::nullopt;
  size_t words = 0;
  for (uint32_t i = 0; i <= count_minus_one; ++i) {
    uint32_t w;
    std::memcpy(&w, frame.data() + 4 * (i + 1), 4);
    words += w;
  }
  size_t at = frame.size();
  frame.resize(at + words * 8);
  if (!ReadExactly(frame.data() + at, words * 8)) return std::nullopt;
  return frame;
}

bool RawConnection::WaitClosed() {
  char buf[4096];
  while (ReadSome(buf, sizeof buf) > 0) {
  }
  return !timed_out_;
}

Bytes RawConnection::ReadAll() {
  Bytes out;
  char buf[16384];
  while (size_t n = ReadSome(buf, sizeof buf)) out.append(buf, n);
  return out;
}

HttpReply HttpGet(uint16_t port, const std::string& ca, const std::string& path) {
  HttpReply reply;
  auto c = RawConnection::Open(port, ca, true);
  if (c == nullptr || !c->handshake_ok()) return reply;
  c->Write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  Bytes all = c->ReadAll();
  size_t end = all.find("\r\n\r\n");
  if (all.size() < 12 || end == Bytes::npos) return reply;
  reply.status = std::atoi(all.substr(9, 3).c_str());
  reply.headers = all.substr(0, end);
  reply.body = all.substr(end + 4);
  return reply;
}

void RawConnection::ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }

// ---- frames

Bytes RequestFrame(const net::internal::WireRequest& request) {
  return net::internal::EncodeRequest(request);
}

net::internal::WireResponse ParseResponse(const Bytes& bytes) {
  net::FrameLimits limits;
  limits.max_frame_bytes = size_t{64} << 20;
  auto rest = net::internal::FrameHeader::RestOfTable(
      reinterpret_cast<const uint8_t*>(bytes.data()), limits);
  EXPECT_TRUE(rest.ok());
  size_t table = 4 + *rest;
  auto words = net::internal::FrameHeader::SegmentWords(ByteView(bytes).substr(0, table), limits);
  EXPECT_TRUE(words.ok());
  net::internal::Frame frame;
  frame.segment_words = *words;
  frame.words.resize((bytes.size() - table) / 8);
  std::memcpy(frame.words.data(), bytes.data() + table, bytes.size() - table);
  auto r = net::internal::DecodeResponse(frame, limits);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : net::internal::WireResponse();
}

// ---- ServedLedger

ServedLedger::ServedLedger(std::function<void(net::ServerOptions&)> configure,
                           TestLedger::Config config)
    : ledger_(std::move(config)), certs_(MakeCerts(certs_dir_)) {
  net::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.tls_cert = certs_.server_cert;
  options.tls_key = certs_.server_key;
  options.clock = &ledger_.clock();
  if (configure) configure(options);
  auto server = net::Server::Start(&ledger_.ledger(), options);
  if (!server.ok()) {
    ADD_FAILURE() << server.status().ToString();
    std::abort();
  }
  server_ = std::move(*server);
}

ServedLedger::~ServedLedger() { StopServer(); }

void ServedLedger::StopServer() {
  if (!server_) return;
  server_->Shutdown();
  server_->Wait();
  server_.reset();
}

net::ClientOptions ServedLedger::ClientOptions() const {
  net::ClientOptions o;
  o.server = "127.0.0.1:" + std::to_string(port());
  o.ca = certs_.ca;
  return o;
}

std::unique_ptr<net::Client> ServedLedger::Connect() const {
  auto c = net::Client::Connect(ClientOptions());
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(*c) : nullptr;
}

bool Eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

ServeProcess::ServeProcess(const std::string& bin, const std::string& data, const TestCerts& certs,
                           const std::string& err_file) {
  int out[2];
  if (::pipe(out) != 0) return;
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(out[1], 1);
    int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(err, 2);
    ::close(out[0]);
    ::execl(bin.c_str(), bin.c_str(), "serve", "--data", data.c_str(), "--listen", "127.0.0.1:0",
            "--tls-cert", certs.server_cert.c_str(), "--tls-key", certs.server_key.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out[1]);
  FILE* f = ::fdopen(out[0], "r");
  char line[512];
  if (std::fgets(line, sizeof line, f) != nullptr) {
    std::string s = line;
    size_t at = s.find("127.0.0.1:");
    if (at != std::string::npos) port_ = static_cast<uint16_t>(std::stoi(s.substr(at + 10)));
  }
  std::fclose(f);
}

int ServeProcess::Stop(int signal) {
  if (pid_ <= 0) return 0;
  ::kill(pid_, signal);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

}  // namespace dutyledger::testing
