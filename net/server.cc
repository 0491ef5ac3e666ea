#include "net/server.h"

#include <csignal>
#include <future>
#include <thread>

#include "ledger/checkpoint.h"
#include "net/internal/channel.h"
#include "net/internal/serving.h"
#include "net/internal/wire.h"

namespace dutyledger::net {

using internal::Awaitable;
using internal::ErrorCode;
using internal::FramedChannel;
using internal::RequestKind;
using internal::ResponseKind;
using internal::ServingContext;
using internal::Session;
using internal::Signal;
using internal::Strand;
using internal::tcp;
using internal::WireRequest;
using internal::WireResponse;
namespace asio = internal::asio;

namespace internal {

Result<std::optional<StoredCheckpoint>> CheckpointCache::Latest() {
  if (dirty_.exchange(false, std::memory_order_acq_rel)) {
    auto latest = ledger_->LatestCheckpoint();
    if (!latest.ok()) {
      dirty_.store(true);
      return latest.status();
    }
    std::lock_guard<std::mutex> l(mu_);
    latest_ = std::move(*latest);
  }
  std::lock_guard<std::mutex> l(mu_);
  return latest_;
}

void ServingContext::AddSession(const std::shared_ptr<Session>& s) {
  bool drain;
  {
    std::lock_guard<std::mutex> l(mu);
    sessions[s.get()] = s;
    drain = draining;
  }
  if (drain) s->Drain();
}

std::vector<std::shared_ptr<Session>> ServingContext::LiveSessions() {
  std::vector<std::shared_ptr<Session>> out;
  std::lock_guard<std::mutex> l(mu);
  for (auto& [raw, weak] : sessions) {
    if (auto s = weak.lock()) out.push_back(std::move(s));
  }
  return out;
}

void ServingContext::RemoveSession(Session* s) {
  std::lock_guard<std::mutex> l(mu);
  sessions.erase(s);
  cv.notify_all();
}

void ServingContext::WorkFinished() {
  if (pending.fetch_sub(1) == 1) {
    std::lock_guard<std::mutex> l(mu);
    cv.notify_all();
  }
}

QueryResponse ServingContext::RunQuery(const QueryRequest& request, const QueryOutput* out) {
  QueryResponse response = registry.Run(*ledger, request, out);
  if (request.name == "verify" && response.exit_code != 2) {
    metrics->RecordVerify(response.exit_code == 0, clock->Now().unix_seconds());
  }
  return response;
}

ServerInfo ServingContext::Info() const {
  ServerInfo info;
  info.protocol_version = 1;
  info.origin = ledger->origin();
  info.size = ledger->size();
  info.hash_algorithm = std::string(HashAlgorithmName(ledger->hash_algorithm()));
  info.log_verifier_key = NoteVerifierKey(ledger->origin(), ledger->log_key());
  info.follower = options.follower;
  info.max_frame_bytes = static_cast<uint32_t>(options.limits.max_frame_bytes);
  return info;
}

}  // namespace internal

namespace {

// Response payloads stay well under the frame limit.
size_t PayloadBudget(const FrameLimits& limits) { return limits.max_frame_bytes / 2; }
constexpr size_t kMaxEntriesPerResponse = 4096;
// Stop reading requests while this much output is queued for a connection.
constexpr size_t kMaxQueuedBytes = size_t{8} << 20;
// A subscription waits while this much output is queued.
constexpr size_t kSubscriptionQueuedBytes = size_t{1} << 20;
// Appends of at most this many events are checked on the connection's strand.
constexpr size_t kInlineAppendEvents = 8;

// ---- one protocol connection

class Connection final : public Session, public std::enable_shared_from_this<Connection> {
 public:
  Connection(ServingContext& ctx, Strand strand, tcp::socket socket, asio::ssl::context* tls)
      : ctx_(ctx),
        io_(strand, std::move(socket), tls, ctx.options.limits,
            internal::Timeouts{ctx.options.handshake_timeout, ctx.options.idle_timeout,
                               ctx.options.read_timeout, ctx.options.write_timeout}),
        slot_(strand) {
    ctx_.metrics->ConnectionOpened();
  }
  ~Connection() override {
    ctx_.metrics->ConnectionClosed();
    ctx_.RemoveSession(this);
  }

  void Start() { asio::co_spawn(io_.strand(), Run(shared_from_this()), asio::detached); }

  void Drain() override {
    asio::post(io_.strand(), [self = shared_from_this()] { self->DrainOnStrand(); });
  }
  void CloseNow() override {
    asio::post(io_.strand(), [self = shared_from_this()] { self->io_.Close(true); });
  }
  void OnCommit() override {
    if (!has_subscriptions_.load(std::memory_order_relaxed)) return;
    asio::post(io_.strand(), [self = shared_from_this()] {
      for (auto& [id, sub] : self->subs_) sub->wake.Notify();
    });
  }

 private:
  struct Subscription {
    explicit Subscription(const Strand& strand) : wake(strand) {}
    uint64_t id = 0;
    uint64_t next = 0;
    uint64_t last_checkpoint = 0;
    bool cancelled = false;
    Signal wake;
  };

  Awaitable<void> Run(std::shared_ptr<Connection> self);
  Awaitable<void> Pump(std::shared_ptr<Connection> self, std::shared_ptr<Subscription> sub);
  void Dispatch(WireRequest request);
  void Reply(const WireResponse& response) { io_.Send(internal::EncodeResponse(response)); }
  void ReplyError(uint64_t id, const Status& s) { Reply(WireResponse::Error(id, s)); }
  // Runs `work` on `pool`; its answer `finish` comes back on the strand. Counts as in flight.
  template <typename Work>
  void Offload(asio::thread_pool* pool, Work work);
  void Done();
  void DrainOnStrand();
  void EndSubscriptions(const Status& why);

  void Append(WireRequest& request);
  WireResponse ReadEntries(const WireRequest& request);
  WireResponse Checkpoint(uint64_t id, uint64_t size);
  WireResponse InclusionProof(const WireRequest& request);
  WireResponse ConsistencyProof(const WireRequest& request);
  void ReplyQuery(uint64_t id, const QueryResponse& q);
  // On a query's worker thread: sends one chunk of its output (not final), then waits while the
  // connection has more than kMaxQueuedBytes queued, so a slow reader holds the query back
  // rather than the server's memory. kUnavailable once the connection is closing: the query
  // stops.
  Status StreamQueryChunk(uint64_t id, std::string text);
  Awaitable<void> SendQueryChunk(std::shared_ptr<Connection> self, uint64_t id, std::string text,
                                 std::shared_ptr<std::promise<bool>> sent);
  Result<uint64_t> LatestCheckpointSize();

  ServingContext& ctx_;
  FramedChannel io_;
  size_t in_flight_ = 0;
  Signal slot_;  // woken when in_flight_ drops
  bool draining_ = false;
  bool reading_done_ = false;
  std::map<uint64_t, std::shared_ptr<Subscription>> subs_;
  std::atomic<bool> has_subscriptions_{false};  // !subs_.empty(), for the commit listener
  bool counted_subscriber_ = false;             // counted in ctx_.subscribers
  void SubscriptionsChanged();
};

void Connection::SubscriptionsChanged() {
  bool any = !subs_.empty();
  has_subscriptions_.store(any);
  if (any != counted_subscriber_) {
    ctx_.subscribers.fetch_add(any ? 1 : -1);
    counted_subscriber_ = any;
  }
}

Awaitable<void> Connection::Run(std::shared_ptr<Connection> self) {
  {
    internal::Deadline handshake(io_.strand(), &io_.channel());
    handshake.Arm(ctx_.options.handshake_timeout);
    ErrorCode ec = co_await io_.channel().Handshake(/*server=*/true);
    handshake.Disarm();
    if (ec) {
      ctx_.metrics->RecordProtocolError();
      io_.channel().Close();
      co_return;
    }
  }
  io_.Start(self);
  const size_t max_in_flight = std::max<size_t>(1, ctx_.options.max_in_flight);
  while (!io_.closing()) {
    if (in_flight_ >= max_in_flight) {
      co_await slot_.Wait();  // backpressure: stop reading until a request finishes
      continue;
    }
    if (io_.queued_bytes() > kMaxQueuedBytes) {
      co_await io_.written().Wait();
      continue;
    }
    auto frame = co_await io_.ReadFrame(/*idle=*/in_flight_ == 0 && subs_.empty());
    if (!frame.ok()) {
      if (frame.status().code() == StatusCode::kResourceExhausted) {
        // The frame is over a limit: answer once and close (the stream cannot be resynced).
        ctx_.metrics->RecordProtocolError();
        ReplyError(0, frame.status());
        io_.Close(false);
      } else if (io_.channel().is_open()) {
        // The peer closed its side: finish what is in flight, then close.
        reading_done_ = true;
        if (in_flight_ == 0) io_.Close(false);
      } else {
        io_.Close(true);  // timed out or failed
      }
      break;
    }
    auto request = internal::DecodeRequest(*frame, ctx_.options.limits);
    if (!request.ok()) {
      ctx_.metrics->RecordProtocolError();
      ReplyError(0, request.status());
      continue;
    }
    Dispatch(std::move(*request));
  }
  EndSubscriptions(Unavailable("the connection is closing"));
}

void Connection::Dispatch(WireRequest r) {
  ctx_.metrics->RecordRequest();
  if (draining_ && r.kind != RequestKind::kCancel) {
    ReplyError(r.id, Unavailable("the server is shutting down"));
    return;
  }
  switch (r.kind) {
    case RequestKind::kHello: {
      WireResponse out;
      out.id = r.id;
      out.kind = ResponseKind::kHello;
      out.info = ctx_.Info();
      Reply(out);
      return;
    }
    case RequestKind::kAppend:
      Append(r);
      return;
    case RequestKind::kReadEntries:
      Reply(ReadEntries(r));
      return;
    case RequestKind::kCheckpoint:
      if (r.sign && !ctx_.options.follower) {
        uint64_t id = r.id, size = r.a;
        Offload(ctx_.work, [this, id, size] {
          auto signed_cp = ctx_.ledger->SignCheckpoint();
          return [this, id, size, signed_cp = std::move(signed_cp)] {
            if (!signed_cp.ok()) {
              ReplyError(id, signed_cp.status().WithContext("cannot sign a checkpoint"));
            } else {
              Reply(Checkpoint(id, size));
            }
          };
        });
        return;
      }
      Reply(Checkpoint(r.id, r.a));
      return;
    case RequestKind::kInclusionProof:
      Reply(InclusionProof(r));
      return;
    case RequestKind::kConsistencyProof:
      Reply(ConsistencyProof(r));
      return;
    case RequestKind::kQuery: {
      uint64_t id = r.id;
      Offload(ctx_.queries, [this, id, query = std::move(r.query)] {
        // A streaming query's output goes out a chunk at a time as it is produced; the rest,
        // and every other query's, in the final reply.
        const size_t chunk = PayloadBudget(ctx_.options.limits);
        std::string pending;
        const QueryOutput out = [&](std::string_view part) -> Status {
          pending.append(part);
          size_t sent = 0;
          while (pending.size() - sent >= chunk) {
            RETURN_IF_ERROR(StreamQueryChunk(id, pending.substr(sent, chunk)));
            sent += chunk;
          }
          pending.erase(0, sent);
          return Status::Ok();
        };
        QueryResponse q = ctx_.RunQuery(query, &out);
        q.output.insert(0, pending);
        return [this, id, q = std::move(q)] { ReplyQuery(id, q); };
      });
      return;
    }
    case RequestKind::kSubscribe: {
      if (subs_.count(r.id) > 0) {
        ReplyError(r.id, InvalidArgument("request id " + std::to_string(r.id) + " is in use"));
        return;
      }
      if (subs_.size() >= ctx_.options.max_subscriptions) {
        ReplyError(r.id,
                   ResourceExhausted("at most " + std::to_string(ctx_.options.max_subscriptions) +
                                     " subscriptions per connection"));
        return;
      }
      auto sub = std::make_shared<Subscription>(io_.strand());
      sub->id = r.id;
      sub->next = r.a;
      subs_[r.id] = sub;
      SubscriptionsChanged();
      asio::co_spawn(io_.strand(), Pump(shared_from_this(), sub), asio::detached);
      return;
    }
    case RequestKind::kCancel: {
      auto it = subs_.find(r.a);
      if (it == subs_.end()) return;  // already over
      it->second->cancelled = true;
      it->second->wake.Notify();
      WireResponse end;
      end.id = r.a;
      end.kind = ResponseKind::kSubscription;
      end.entries.source_size = ctx_.ledger->size();
      end.entries.begin = it->second->next;
      Reply(end);
      subs_.erase(it);
      SubscriptionsChanged();
      return;
    }
  }
}

template <typename Work>
void Connection::Offload(asio::thread_pool* pool, Work work) {
  ++in_flight_;
  ctx_.WorkStarted();
  asio::post(*pool, [self = shared_from_this(), work = std::move(work)]() mutable {
    auto finish = work();
    asio::post(self->io_.strand(), [self, finish = std::move(finish)]() mutable {
      finish();
      self->Done();
      self->ctx_.WorkFinished();
    });
  });
}

void Connection::Done() {
  --in_flight_;
  slot_.Notify();
  if (in_flight_ == 0 && (draining_ || reading_done_)) io_.Close(false);
}

void Connection::Append(WireRequest& r) {
  if (ctx_.options.follower) {
    ReplyError(r.id, FailedPrecondition(
                         "this server is a verified follower; append to the server it follows"));
    return;
  }
  ++in_flight_;
  ctx_.WorkStarted();
  ctx_.metrics->AppendQueued(1);
  auto start = std::chrono::steady_clock::now();
  uint64_t id = r.id;
  // Signature checks run where AppendAsync is called: inline for small batches (a thread hop
  // costs more than a few checks), on the work pool for large ones so the strand stays free.
  bool inline_checks = r.events.size() <= kInlineAppendEvents;
  auto submit = [self = shared_from_this(), id, start, events = std::move(r.events)]() mutable {
    Ledger* ledger = self->ctx_.ledger;
    ledger->AppendAsync(
        std::move(events),
        [self, id, start](Result<std::vector<AppendedEvent>> result, size_t failed) {
          // On the ledger's writer (or the pool thread): hop back to the connection's strand.
          asio::post(self->io_.strand(), [self, id, start, result = std::move(result), failed] {
            double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            self->ctx_.metrics->AppendQueued(-1);
            if (result.ok()) {
              self->ctx_.metrics->RecordAppend(result->size(), seconds, false);
              WireResponse out;
              out.id = id;
              out.kind = ResponseKind::kAppend;
              out.acks = *result;
              self->Reply(out);
            } else {
              self->ctx_.metrics->RecordAppend(0, seconds, true);
              WireResponse out = WireResponse::Error(id, result.status());
              out.failed_index = static_cast<uint32_t>(failed);
              self->Reply(out);
            }
            self->Done();
            self->ctx_.WorkFinished();
          });
        });
  };
  if (inline_checks) {
    submit();
  } else {
    asio::post(*ctx_.work, std::move(submit));
  }
}

WireResponse Connection::ReadEntries(const WireRequest& r) {
  uint64_t begin = r.a;
  uint64_t size = ctx_.ledger->size();
  if (begin > size) {
    return WireResponse::Error(r.id,
                               NotFound("no entry " + std::to_string(begin) + " (the ledger has " +
                                        std::to_string(size) + " entries)"));
  }
  uint64_t count = std::min<uint64_t>(r.b, kMaxEntriesPerResponse);
  WireResponse out;
  out.id = r.id;
  out.kind = ResponseKind::kEntries;
  out.entries.begin = begin;
  size_t bytes = 0, budget = PayloadBudget(ctx_.options.limits);
  Status s = ctx_.ledger->ForEachEntry(begin, begin + count, [&](const EntryView& e) {
    bytes += internal::EncodedEntryBytes(e.bytes().size());
    if (bytes > budget && !out.entries.entries.empty()) return false;
    out.entries.entries.emplace_back(e.bytes());
    return true;
  });
  if (!s.ok()) return WireResponse::Error(r.id, s);
  return out;
}

Result<uint64_t> Connection::LatestCheckpointSize() {
  ASSIGN_OR_RETURN(auto latest, ctx_.checkpoints->Latest());
  if (!latest) return NotFound("no checkpoint has been signed");
  return latest->checkpoint.size;
}

WireResponse Connection::Checkpoint(uint64_t id, uint64_t size) {
  WireResponse out;
  out.id = id;
  out.kind = ResponseKind::kCheckpoint;
  if (size == 0) {
    auto latest = ctx_.checkpoints->Latest();
    if (!latest.ok()) return WireResponse::Error(id, latest.status());
    if (!*latest) return WireResponse::Error(id, NotFound("no checkpoint has been signed"));
    out.text = (*latest)->note.Text();
    return out;
  }
  auto cp = ctx_.ledger->CheckpointAt(size);
  if (!cp.ok()) return WireResponse::Error(id, cp.status());
  out.text = cp->note.Text();
  return out;
}

WireResponse Connection::InclusionProof(const WireRequest& r) {
  uint64_t tree_size = r.b;
  if (tree_size == 0) {
    auto latest = LatestCheckpointSize();
    if (!latest.ok()) return WireResponse::Error(r.id, latest.status());
    tree_size = *latest;
  }
  auto proof = ctx_.ledger->ProveInclusion(r.a, tree_size);
  if (!proof.ok()) return WireResponse::Error(r.id, proof.status());
  WireResponse out;
  out.id = r.id;
  out.kind = ResponseKind::kInclusionProof;
  out.inclusion = std::move(*proof);
  return out;
}

WireResponse Connection::ConsistencyProof(const WireRequest& r) {
  uint64_t size2 = r.b;
  if (size2 == 0) {
    auto latest = LatestCheckpointSize();
    if (!latest.ok()) return WireResponse::Error(r.id, latest.status());
    size2 = *latest;
  }
  auto proof = ctx_.ledger->ProveConsistency(r.a, size2);
  if (!proof.ok()) return WireResponse::Error(r.id, proof.status());
  WireResponse out;
  out.id = r.id;
  out.kind = ResponseKind::kConsistencyProof;
  out.consistency = std::move(*proof);
  return out;
}

Status Connection::StreamQueryChunk(uint64_t id, std::string text) {
  auto sent = std::make_shared<std::promise<bool>>();
  auto written = sent->get_future();
  asio::co_spawn(io_.strand(), SendQueryChunk(shared_from_this(), id, std::move(text), sent),
                 asio::detached);
  if (!written.get()) return Unavailable("the client's connection closed during the query");
  return Status::Ok();
}

Awaitable<void> Connection::SendQueryChunk(std::shared_ptr<Connection> self, uint64_t id,
                                           std::string text,
                                           std::shared_ptr<std::promise<bool>> sent) {
  (void)self;
  if (!io_.closing()) {
    WireResponse out;
    out.id = id;
    out.kind = ResponseKind::kQuery;
    out.text = std::move(text);
    out.final = false;
    Reply(out);
  }
  while (!io_.closing() && io_.queued_bytes() > kMaxQueuedBytes) {
    co_await io_.written().Wait();  // closing wakes it too
  }
  sent->set_value(!io_.closing());
}

void Connection::ReplyQuery(uint64_t id, const QueryResponse& q) {
  // Large outputs go in chunks under one id; the last carries the exit code's final word.
  size_t chunk = PayloadBudget(ctx_.options.limits);
  size_t at = 0;
  do {
    WireResponse out;
    out.id = id;
    out.kind = ResponseKind::kQuery;
    out.text = q.output.substr(at, chunk);
    at += out.text.size();
    out.final = at >= q.output.size();
    out.exit_code = q.exit_code;
    if (out.final) out.query_error = q.error;
    Reply(out);
  } while (at < q.output.size());
}

Awaitable<void> Connection::Pump(std::shared_ptr<Connection> self,
                                 std::shared_ptr<Subscription> sub) {
  (void)self;
  const size_t budget = PayloadBudget(ctx_.options.limits);
  while (!sub->cancelled && !io_.closing()) {
    if (io_.queued_bytes() > kSubscriptionQueuedBytes) {
      co_await io_.written().Wait();  // a slow reader: wait (the write timeout ends a stuck one)
      continue;
    }
    uint64_t size = ctx_.ledger->size();
    WireResponse u;
    u.id = sub->id;
    u.final = false;
    u.kind = ResponseKind::kSubscription;
    u.entries.source_size = size;
    u.entries.begin = sub->next;
    if (sub->next < size) {
      size_t bytes = 0;
      Status s = ctx_.ledger->ForEachEntry(
          sub->next, std::min(size, sub->next + kMaxEntriesPerResponse), [&](const EntryView& e) {
            bytes += internal::EncodedEntryBytes(e.bytes().size());
            if (bytes > budget && !u.entries.entries.empty()) return false;
            u.entries.entries.emplace_back(e.bytes());
            return true;
          });
      if (!s.ok()) {
        ReplyError(sub->id, s);
        subs_.erase(sub->id);
        SubscriptionsChanged();
        co_return;
      }
      sub->next += u.entries.entries.size();
    }
    auto latest = ctx_.checkpoints->Latest();
    if (latest.ok() && *latest && (*latest)->checkpoint.size > sub->last_checkpoint &&
        (*latest)->checkpoint.size <= sub->next) {
      u.entries.checkpoint = (*latest)->note.Text();
      sub->last_checkpoint = (*latest)->checkpoint.size;
    }
    if (!u.entries.entries.empty() || !u.entries.checkpoint.empty()) {
      Reply(u);
      co_await asio::post(io_.strand(), internal::kUseAwaitable);  // let others run
      continue;
    }
    co_await sub->wake.Wait();
  }
}

void Connection::EndSubscriptions(const Status& why) {
  for (auto& [id, sub] : subs_) {
    sub->cancelled = true;
    sub->wake.Notify();
    if (!io_.closing()) ReplyError(id, why);
  }
  subs_.clear();
  SubscriptionsChanged();
}

void Connection::DrainOnStrand() {
  draining_ = true;
  EndSubscriptions(Unavailable("the server is shutting down"));
  if (in_flight_ == 0) io_.Close(false);
}

}  // namespace

// ---------------------------------------------------------------------------------------------

struct Server::Impl {
  Ledger* ledger = nullptr;
  Metrics own_metrics;
  SystemClock system_clock;
  ServingContext ctx;
  std::unique_ptr<internal::CheckpointCache> cache;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
  std::unique_ptr<asio::ssl::context> tls;
  std::optional<tcp::acceptor> acceptor;
  std::optional<tcp::acceptor> http_acceptor;
  std::optional<asio::signal_set> signals;
  std::unique_ptr<asio::thread_pool> work;
  std::unique_ptr<asio::thread_pool> queries;
  std::vector<std::thread> threads;
  uint64_t listener_id = 0;
  uint16_t port = 0;
  uint16_t http_port = 0;
  std::atomic<int> signal{0};
  std::once_flag shutdown_once;
  std::mutex wait_mu;  // serializes Wait()
  bool stopped = false;

  Status Listen(const std::string& address, std::optional<tcp::acceptor>* out, uint16_t* port);
  Awaitable<void> Accept(tcp::acceptor* acceptor, bool http);
  void Shutdown();
  void Wait();
};

Status Server::Impl::Listen(const std::string& address, std::optional<tcp::acceptor>* out,
                            uint16_t* bound_port) {
  ASSIGN_OR_RETURN(tcp::endpoint ep, internal::ParseEndpoint(address));
  if (ctx.options.plaintext_loopback && !ep.address().is_loopback()) {
    return InvalidArgument("--plaintext-loopback: " + address +
                           " is not a loopback address; plaintext is allowed only on loopback");
  }
  out->emplace(ioc);
  ErrorCode ec;
  (*out)->open(ep.protocol(), ec);
  if (!ec) (*out)->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) (*out)->bind(ep, ec);
  if (!ec) (*out)->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return internal::FromAsio(ec, "cannot listen on " + address).WithContext("serve");
  *bound_port = (*out)->local_endpoint().port();
  return Status::Ok();
}

Awaitable<void> Server::Impl::Accept(tcp::acceptor* acceptor, bool http) {
  asio::steady_timer backoff(ioc);
  while (acceptor->is_open()) {
    Strand strand = asio::make_strand(ioc);
    ErrorCode ec;
    tcp::socket socket =
        co_await acceptor->async_accept(strand, asio::redirect_error(internal::kUseAwaitable, ec));
    if (ec) {
      if (!acceptor->is_open()) break;
      // Out of descriptors or similar: wait a little instead of spinning.
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(asio::redirect_error(internal::kUseAwaitable, ec));
      continue;
    }
    if (!http && ctx.metrics->connections() >= static_cast<int64_t>(ctx.options.max_connections)) {
      socket.close(ec);  // over the connection cap: refused before any work is done for it
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    if (http) {
      internal::StartHttpSession(ctx, strand, std::move(socket), tls.get());
    } else {
      auto c = std::make_shared<Connection>(ctx, strand, std::move(socket), tls.get());
      ctx.AddSession(c);
      c->Start();
    }
  }
}

void Server::Impl::Shutdown() {
  std::call_once(shutdown_once, [this] {
    asio::post(ioc, [this] {
      ErrorCode ignored;
      if (acceptor) acceptor->close(ignored);
      if (http_acceptor) http_acceptor->close(ignored);
      if (signals) signals->cancel(ignored);
      {
        std::lock_guard<std::mutex> l(ctx.mu);
        ctx.draining = true;
        ctx.cv.notify_all();
      }
      for (auto& s : ctx.LiveSessions()) s->Drain();
    });
  });
}

void Server::Impl::Wait() {
  std::lock_guard<std::mutex> wait_lock(wait_mu);
  if (stopped) return;
  bool drained;
  {
    std::unique_lock<std::mutex> l(ctx.mu);
    ctx.cv.wait(l, [&] { return ctx.draining; });
    drained = ctx.cv.wait_for(l, ctx.options.drain_timeout,
                              [&] { return ctx.sessions.empty() && ctx.pending.load() == 0; });
  }
  if (!drained) {
    for (auto& s : ctx.LiveSessions()) s->CloseNow();
    // Appends handed to the ledger always complete; wait for their answers to come back.
    std::unique_lock<std::mutex> l(ctx.mu);
    ctx.cv.wait(l, [&] { return ctx.pending.load() == 0; });
  }
  ledger->RemoveCommitListener(listener_id);
  work->join();
  queries->join();
  guard.reset();
  ioc.stop();
  for (auto& t : threads) t.join();
  threads.clear();
  stopped = true;
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  Shutdown();
  Wait();
}

Result<std::unique_ptr<Server>> Server::Start(Ledger* ledger, const ServerOptions& options) {
  auto impl = std::make_unique<Impl>();
  Impl& im = *impl;
  im.ledger = ledger;
  ServingContext& ctx = im.ctx;
  ctx.ledger = ledger;
  ctx.options = options;
  ctx.metrics = options.metrics != nullptr ? options.metrics : &im.own_metrics;
  ctx.clock = options.clock != nullptr ? options.clock : &im.system_clock;
  ctx.registry = AllQueries();
  im.cache = std::make_unique<internal::CheckpointCache>(ledger);
  ctx.checkpoints = im.cache.get();
  if (options.limits.max_frame_bytes < 4096) {
    return InvalidArgument("the frame limit must be at least 4096 bytes");
  }
  if (!options.plaintext_loopback) {
    if (options.tls_cert.empty() || options.tls_key.empty()) {
      return InvalidArgument(
          "--tls-cert and --tls-key are required (or --plaintext-loopback on a loopback "
          "address)");
    }
    ASSIGN_OR_RETURN(im.tls,
                     internal::MakeServerTls(options.tls_cert, options.tls_key, options.client_ca));
  }
  RETURN_IF_ERROR(im.Listen(options.listen, &im.acceptor, &im.port));
  if (!options.http_listen.empty()) {
    RETURN_IF_ERROR(im.Listen(options.http_listen, &im.http_acceptor, &im.http_port));
  }
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  int io_threads = options.io_threads > 0 ? options.io_threads : static_cast<int>(cores);
  int query_threads = options.query_threads > 0 ? options.query_threads : static_cast<int>(cores);
  im.work = std::make_unique<asio::thread_pool>(cores);
  im.queries = std::make_unique<asio::thread_pool>(query_threads);
  ctx.work = im.work.get();
  ctx.queries = im.queries.get();
  im.listener_id = ledger->AddCommitListener([&im](uint64_t) {
    im.cache->Invalidate();
    if (im.ctx.subscribers.load() == 0) return;
    for (auto& s : im.ctx.LiveSessions()) s->OnCommit();
  });
  if (options.handle_signals) {
    im.signals.emplace(im.ioc, SIGTERM, SIGINT);
    im.signals->async_wait([&im](const ErrorCode& ec, int signal) {
      if (ec) return;
      im.signal.store(signal);
      im.Shutdown();
    });
  }
  asio::co_spawn(im.ioc, im.Accept(&*im.acceptor, false), asio::detached);
  if (im.http_acceptor) asio::co_spawn(im.ioc, im.Accept(&*im.http_acceptor, true), asio::detached);
  im.guard.emplace(im.ioc.get_executor());
  for (int i = 0; i < io_threads; ++i) im.threads.emplace_back([&im] { im.ioc.run(); });
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

uint16_t Server::port() const { return impl_->port; }
uint16_t Server::http_port() const { return impl_->http_port; }
Metrics& Server::metrics() { return *impl_->ctx.metrics; }
void Server::Shutdown() { impl_->Shutdown(); }
void Server::Wait() { impl_->Wait(); }
int Server::signal_received() const { return impl_->signal.load(); }

}  // namespace dutyledger::net
