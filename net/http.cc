// The read-only HTTP API (Boost.Beast's parser and message types over our Channel):
//   GET /checkpoint                      the latest checkpoint (C2SP signed note)
//   GET /tile/<L>/<N>[.p/<W>]            C2SP tlog-tiles Merkle tiles
//   GET /tile/entries/<N>[.p/<W>]        C2SP tlog-tiles entry bundles (canonical Entry bytes)
//   GET /entries/<A>..<B>                entries as JSON lines (the "show" query)
//   GET /proof/inclusion?seq=&size=      JSON proofs (the "proof-*" queries)
//   GET /proof/consistency?old=&new=
//   GET /query/<name>?param=value&flag   any query of the registry; exit 0 -> 200, 1 -> 422,
//                                        2 -> 400; the body is the query's output (or error)
// A streaming query's output over a megabyte (a city's lapses, a long entry listing) goes out
// with chunked transfer encoding as it is produced: 200 is sent with the first chunk, so a
// failure after it can only cut the body short (no last chunk: the client sees it incomplete).
//   GET /metrics                         Prometheus text format
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <future>
#include <optional>
#include <sstream>

#include "net/internal/serving.h"
#include "net/tiles.h"

namespace dutyledger::net::internal {
namespace {

namespace http = boost::beast::http;

constexpr size_t kMaxHeaderBytes = 8192;

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      auto hex = HexDecode(s.substr(i + 1, 2));
      if (hex && hex->size() == 1) {
        out += *hex;
        i += 2;
        continue;
      }
    }
    out += s[i] == '+' ? ' ' : s[i];
  }
  return out;
}

// "a=1&b&c=x%20y" -> {a: 1, b: true, c: "x y"}
std::map<std::string, std::string> ParseQueryString(std::string_view q) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start <= q.size()) {
    size_t amp = q.find('&', start);
    std::string_view part = q.substr(start, amp == std::string_view::npos ? amp : amp - start);
    if (!part.empty()) {
      size_t eq = part.find('=');
      if (eq == std::string_view::npos) {
        out[PercentDecode(part)] = "true";
      } else {
        out[PercentDecode(part.substr(0, eq))] = PercentDecode(part.substr(eq + 1));
      }
    }
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  return out;
}

struct Reply {
  http::status status = http::status::ok;
  std::string content_type = "text/plain; charset=utf-8";
  std::string cache_control = "no-cache";
  std::string body;
  // The head and part of the body were sent chunked already; `body` is the rest, and a failed
  // query cuts the body short.
  bool chunked = false;
  bool failed = false;
};

// Handed from a query's worker to the session: once a megabyte of output is pending.
constexpr size_t kHttpChunk = size_t{1} << 20;

// One chunk of a chunked body (RFC 9112 §7.1): size in hex, CRLF, the bytes, CRLF.
std::string ChunkOf(std::string_view data) {
  std::ostringstream size;
  size << std::hex << data.size();
  return size.str() + "\r\n" + std::string(data) + "\r\n";
}

Reply Text(http::status status, std::string body) {
  Reply r;
  r.status = status;
  r.body = std::move(body);
  if (!r.body.empty() && r.body.back() != '\n') r.body += "\n";
  return r;
}

Reply FromStatus(const Status& s) {
  switch (s.code()) {
    case StatusCode::kNotFound:
      return Text(http::status::not_found, s.message());
    case StatusCode::kInvalidArgument:
      return Text(http::status::bad_request, s.message());
    default:
      return Text(http::status::internal_server_error, s.message());
  }
}

class HttpSession final : public Session, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(ServingContext& ctx, Strand strand, tcp::socket socket, asio::ssl::context* tls)
      : ctx_(ctx),
        strand_(strand),
        channel_(std::move(socket), tls),
        deadline_(strand, &channel_) {}
  ~HttpSession() override { ctx_.RemoveSession(this); }

  void Start() { asio::co_spawn(strand_, Run(shared_from_this()), asio::detached); }
  void Drain() override { CloseNow(); }
  void CloseNow() override {
    asio::post(strand_, [self = shared_from_this()] { self->channel_.Close(); });
  }

 private:
  Awaitable<void> Run(std::shared_ptr<HttpSession> self);
  Awaitable<Reply> Route(const std::string& target);
  // Runs a query on the pool; its output in a body of `content_type` (empty: plain text).
  Awaitable<Reply> RunQuery(QueryRequest request, std::string content_type);
  Awaitable<QueryResponse> QueryOnPool(QueryRequest request, std::string* pending);
  // On the query's worker: sends `data` as a chunk (after the head, the first time) from the
  // strand and waits until it is written. kUnavailable if the client is gone.
  Status StreamChunk(std::string data);
  Awaitable<void> WriteChunk(std::shared_ptr<HttpSession> self, std::string data,
                             std::shared_ptr<std::promise<bool>> written);
  // The head of a response (Content-Length, or chunked when `length` is empty).
  std::string Head(const Reply& reply, std::optional<size_t> length) const;

  ServingContext& ctx_;
  Strand strand_;
  Channel channel_;
  Deadline deadline_;
  // The request being answered.
  bool keep_alive_ = false;
  bool head_ = false;
  // The streamed query's content type, and whether its head has been sent.
  std::string stream_type_;
  bool head_sent_ = false;
};

Awaitable<void> HttpSession::Run(std::shared_ptr<HttpSession> self) {
  (void)self;
  deadline_.Arm(ctx_.options.handshake_timeout);
  ErrorCode ec = co_await channel_.Handshake(/*server=*/true);
  deadline_.Disarm();
  if (ec) {
    channel_.Close();
    co_return;
  }
  boost::beast::flat_buffer buffer;
  while (channel_.is_open()) {
    keep_alive_ = false;
    head_ = false;
    head_sent_ = false;
    http::request_parser<http::empty_body> parser;
    parser.header_limit(kMaxHeaderBytes);
    parser.body_limit(0);
    parser.eager(true);
    bool started = buffer.size() > 0;
    bool bad = false;
    while (true) {
      ErrorCode perr;
      size_t used = parser.put(buffer.data(), perr);
      buffer.consume(used);
      if (!perr && parser.is_done()) break;
      if (perr && perr != http::error::need_more) {
        bad = true;
        break;
      }
      deadline_.Arm(started ? ctx_.options.read_timeout : ctx_.options.idle_timeout);
      size_t n = 0;
      auto space = buffer.prepare(4096);
      ec = co_await channel_.ReadSome(space.data(), space.size(), &n);
      deadline_.Disarm();
      if (ec) {
        channel_.Close();
        co_return;
      }
      buffer.commit(n);
      started = true;
      if (buffer.size() > kMaxHeaderBytes * 2) {
        bad = true;
        break;
      }
    }
    Reply reply;
    bool keep_alive = false;
    if (bad) {
      reply = Text(http::status::bad_request, "malformed HTTP request");
    } else {
      auto& req = parser.get();
      keep_alive = req.keep_alive();
      keep_alive_ = keep_alive;
      head_ = req.method() == http::verb::head;
      if (req.method() != http::verb::get && req.method() != http::verb::head) {
        reply = Text(http::status::method_not_allowed, "this API is read-only: GET only");
      } else {
        reply = co_await Route(std::string(req.target()));
        if (head_) reply.body.clear();
      }
    }
    if (reply.chunked && reply.failed) {  // 200 is out: cut the body short
      channel_.Close();
      co_return;
    }
    std::string bytes = reply.chunked
                            ? (reply.body.empty() ? "" : ChunkOf(reply.body)) + "0\r\n\r\n"
                            : Head(reply, reply.body.size()) + reply.body;
    deadline_.Arm(ctx_.options.write_timeout);
    std::vector<asio::const_buffer> out{asio::buffer(bytes)};
    ec = co_await channel_.WriteAll(out);
    deadline_.Disarm();
    if (ec || !keep_alive) {
      channel_.Close();
      co_return;
    }
  }
}

std::string HttpSession::Head(const Reply& reply, std::optional<size_t> length) const {
  http::response<http::empty_body> res{reply.status, 11};
  res.set(http::field::server, "dutyledger");
  res.set(http::field::content_type, reply.content_type);
  res.set(http::field::cache_control, reply.cache_control);
  res.keep_alive(keep_alive_);
  if (length) {
    res.content_length(*length);
  } else {
    res.chunked(true);
  }
  std::ostringstream os;
  os << res.base();
  return os.str();
}

Status HttpSession::StreamChunk(std::string data) {
  auto written = std::make_shared<std::promise<bool>>();
  auto done = written->get_future();
  asio::co_spawn(strand_, WriteChunk(shared_from_this(), std::move(data), written), asio::detached);
  if (!done.get()) return Unavailable("the HTTP client's connection closed during the query");
  return Status::Ok();
}

Awaitable<void> HttpSession::WriteChunk(std::shared_ptr<HttpSession> self, std::string data,
                                        std::shared_ptr<std::promise<bool>> written) {
  (void)self;
  std::string bytes;
  if (!head_sent_) {
    Reply head;
    head.content_type = stream_type_;
    bytes = Head(head, std::nullopt);
    head_sent_ = true;
  }
  bytes += ChunkOf(data);
  deadline_.Arm(ctx_.options.write_timeout);
  std::vector<asio::const_buffer> out{asio::buffer(bytes)};
  ErrorCode ec = co_await channel_.WriteAll(out);
  deadline_.Disarm();
  written->set_value(!ec);
}

Awaitable<QueryResponse> HttpSession::QueryOnPool(QueryRequest request, std::string* pending) {
  // Not a coroutine: it returns the operation for the caller to co_await. (A lambda coroutine
  // handed to co_spawn would be simpler, but GCC 12 frees its captures twice.) `pending`: what
  // a streaming query wrote after its last chunk; null: no streaming (a HEAD request).
  ServingContext* ctx = &ctx_;
  Strand strand = strand_;
  auto self = shared_from_this();
  return asio::async_initiate<decltype(kUseAwaitable), void(QueryResponse)>(
      [ctx, strand, self, pending, request = std::move(request)](auto handler) mutable {
        asio::post(*ctx->queries, [ctx, strand, self, pending, request = std::move(request),
                                   handler = std::move(handler)]() mutable {
          const QueryOutput out = [&](std::string_view part) -> Status {
            pending->append(part);
            if (pending->size() < kHttpChunk) return Status::Ok();
            Status s = self->StreamChunk(std::move(*pending));
            pending->clear();
            return s;
          };
          QueryResponse q = ctx->RunQuery(request, pending != nullptr ? &out : nullptr);
          asio::post(strand, [q = std::move(q), handler = std::move(handler)]() mutable {
            std::move(handler)(std::move(q));
          });
        });
      },
      kUseAwaitable);
}

Awaitable<Reply> HttpSession::RunQuery(QueryRequest request, std::string content_type) {
  Reply r;
  if (!content_type.empty()) r.content_type = std::move(content_type);
  stream_type_ = r.content_type;
  std::string pending;
  ctx_.WorkStarted();
  QueryResponse q = co_await QueryOnPool(std::move(request), head_ ? nullptr : &pending);
  ctx_.WorkFinished();
  if (head_sent_) {
    r.chunked = true;
    r.failed = q.exit_code != 0;
    r.body = std::move(pending) + q.output;
    co_return r;
  }
  if (q.exit_code == 0) {
    r.body = std::move(pending) + q.output;
    co_return r;
  }
  co_return Text(q.exit_code == 2 ? http::status::bad_request : http::status::unprocessable_entity,
                 q.error);
}

Awaitable<Reply> HttpSession::Route(const std::string& target) {
  std::string_view t = target;
  std::string_view query_string;
  if (size_t q = t.find('?'); q != std::string_view::npos) {
    query_string = t.substr(q + 1);
    t = t.substr(0, q);
  }
  std::map<std::string, std::string> params = ParseQueryString(query_string);
  if (t == "/checkpoint") {
    auto latest = ctx_.checkpoints->Latest();
    if (!latest.ok()) co_return FromStatus(latest.status());
    if (!*latest) co_return Text(http::status::not_found, "no checkpoint has been signed");
    Reply r;
    r.body = (*latest)->note.Text();
    r.cache_control = "max-age=2";
    co_return r;
  }
  if (t.substr(0, 6) == "/tile/") {
    auto tile = ParseTilePath(t.substr(1));
    if (!tile.ok()) co_return FromStatus(tile.status());
    auto bytes = ReadTile(*ctx_.ledger, *tile);
    if (!bytes.ok()) co_return FromStatus(bytes.status());
    Reply r;
    r.body = std::move(*bytes);
    r.content_type = "application/octet-stream";
    r.cache_control = "public, max-age=31536000, immutable";
    co_return r;
  }
  if (t == "/metrics") {
    uint64_t checkpoint_size = 0;
    auto latest = ctx_.checkpoints->Latest();
    if (latest.ok() && *latest) checkpoint_size = (*latest)->checkpoint.size;
    Reply r;
    auto memo = LapseMemo::For(*ctx_.ledger);
    r.body = ctx_.metrics->Prometheus(ctx_.ledger->size(), checkpoint_size,
                                      ctx_.ledger->event_cache_stats(),
                                      memo != nullptr ? memo->stats() : LapseMemo::Stats{});
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    co_return r;
  }
  if (t.substr(0, 9) == "/entries/") {
    QueryRequest q{"show", {{"range", PercentDecode(t.substr(9))}, {"json", "true"}}};
    co_return co_await RunQuery(std::move(q), "application/x-ndjson");
  }
  if (t == "/proof/inclusion" || t == "/proof/consistency") {
    QueryRequest q{t == "/proof/inclusion" ? "proof-inclusion" : "proof-consistency", params};
    q.params["json"] = "true";
    co_return co_await RunQuery(std::move(q), "application/json");
  }
  if (t.substr(0, 7) == "/query/") {
    QueryRequest q{PercentDecode(t.substr(7)), params};
    bool json = q.Flag("json");
    co_return co_await RunQuery(std::move(q), json ? "application/json" : "");
  }
  co_return Text(http::status::not_found,
                 "no such resource; see /checkpoint, /tile/..., /entries/A..B, /proof/..., "
                 "/query/<name>, /metrics");
}

}  // namespace

void StartHttpSession(ServingContext& ctx, Strand strand, tcp::socket socket,
                      asio::ssl::context* tls) {
  auto session = std::make_shared<HttpSession>(ctx, strand, std::move(socket), tls);
  ctx.AddSession(session);
  session->Start();
}

}  // namespace dutyledger::net::internal
