#include "net/client.h"

#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "net/internal/channel.h"
#include "net/internal/wire.h"

namespace dutyledger::net {

using internal::Awaitable;
using internal::ErrorCode;
using internal::FramedChannel;
using internal::RequestKind;
using internal::ResponseKind;
using internal::Strand;
using internal::tcp;
using internal::WireRequest;
using internal::WireResponse;
namespace asio = internal::asio;

struct ClientRuntime::Impl {
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
  std::vector<std::thread> threads;
};

ClientRuntime::ClientRuntime(int threads) : impl_(std::make_unique<Impl>()) {
  impl_->guard.emplace(impl_->ioc.get_executor());
  for (int i = 0; i < std::max(1, threads); ++i) {
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  }
}

ClientRuntime::~ClientRuntime() {
  impl_->guard.reset();
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
}

namespace {

// Called with each response for a request id; returns true once the request is over.
using Handler = std::function<bool(Result<WireResponse>)>;

// The state of a blocking Subscribe, shared with the reader on the strand.
struct SubscriptionState {
  static constexpr size_t kMaxQueued = 4;  // updates read ahead of the consumer
  std::mutex mu;                           // guards queue, end
  std::condition_variable cv;
  std::deque<SubscriptionUpdate> queue;
  std::optional<Status> end;
};

Status ErrorOf(const WireResponse& r) {
  return r.kind == ResponseKind::kError ? r.error
                                        : Internal("unexpected response type from the server");
}

}  // namespace

struct Client::Impl : std::enable_shared_from_this<Client::Impl> {
  using Handler = net::Handler;
  Impl(asio::io_context& ioc, ClientOptions o)
      : options(std::move(o)), strand(asio::make_strand(ioc)) {}

  ~Impl() { destroyed.set_value(); }

  ClientOptions options;
  std::shared_ptr<ClientRuntime> runtime_keepalive;  // dropped by ~Client before the Impl ends
  Strand strand;
  std::unique_ptr<asio::ssl::context> tls;
  std::unique_ptr<FramedChannel> io;
  ServerInfo info;
  std::promise<void> reader_done;
  std::promise<void> destroyed;

  // Strand-confined.
  uint64_t next_id = 1;
  std::map<uint64_t, Handler> pending;
  std::optional<Status> failure;
  std::shared_ptr<SubscriptionState> subscription;
  std::unique_ptr<internal::Signal> subscription_space;

  Awaitable<Status> Open();
  Awaitable<void> Reader(std::shared_ptr<Impl> self);
  void Call(WireRequest request, Handler handler);
  void FailAll(const Status& s);
  Result<WireResponse> Roundtrip(WireRequest request);
};

Awaitable<Status> Client::Impl::Open() {
  std::string host, port;
  if (Status s = internal::SplitHostPort(options.server, &host, &port); !s.ok()) co_return s;
  ErrorCode ec;
  tcp::resolver resolver(strand);
  auto endpoints = co_await resolver.async_resolve(
      host, port, asio::redirect_error(internal::kUseAwaitable, ec));
  if (ec) co_return Unavailable("cannot resolve " + options.server + ": " + ec.message());
  tcp::socket socket(strand);
  asio::steady_timer timer(strand);
  timer.expires_after(options.connect_timeout);
  bool timed_out = false;
  timer.async_wait([&](const ErrorCode& e) {
    if (e) return;
    timed_out = true;
    ErrorCode ignored;
    socket.close(ignored);
  });
  co_await asio::async_connect(socket, endpoints,
                               asio::redirect_error(internal::kUseAwaitable, ec));
  timer.cancel();
  if (timed_out) co_return Unavailable("cannot connect to " + options.server + ": timed out");
  if (ec) co_return Unavailable("cannot connect to " + options.server + ": " + ec.message());
  socket.set_option(tcp::no_delay(true), ec);
  socket.set_option(asio::socket_base::keep_alive(true), ec);
  internal::Timeouts timeouts;
  timeouts.handshake = options.connect_timeout;
  io = std::make_unique<FramedChannel>(strand, std::move(socket), tls.get(), options.limits,
                                       timeouts);
  if (Status s = io->channel().ExpectPeerName(host); !s.ok()) co_return s;
  internal::Deadline deadline(strand, &io->channel());
  deadline.Arm(options.connect_timeout);
  ec = co_await io->channel().Handshake(/*server=*/false);
  deadline.Disarm();
  if (ec) {
    io->channel().Close();
    co_return PermissionDenied("TLS handshake with " + options.server + " failed: " +
                               (deadline.expired() ? std::string("timed out") : ec.message()));
  }
  subscription_space = std::make_unique<internal::Signal>(strand);
  co_return Status::Ok();
}

Awaitable<void> Client::Impl::Reader(std::shared_ptr<Impl> self) {
  while (!failure) {
    auto frame = co_await io->ReadFrame(/*idle=*/false);
    if (!frame.ok()) {
      FailAll(frame.status().code() == StatusCode::kResourceExhausted
                  ? frame.status()
                  : Unavailable("the connection to " + options.server + " was closed (" +
                                frame.status().message() + ")"));
      break;
    }
    auto response = internal::DecodeResponse(*frame, options.limits);
    if (!response.ok()) {
      FailAll(response.status().WithContext("bad response from " + options.server));
      break;
    }
    if (response->id == 0 && response->kind == ResponseKind::kError) {
      FailAll(response->error.WithContext("the server closed the connection"));
      break;
    }
    auto it = pending.find(response->id);
    if (it == pending.end()) continue;  // e.g. a cancelled subscription's last words
    if (it->second(std::move(*response))) pending.erase(it);
    // Backpressure for a subscriber that is behind.
    while (subscription && !failure) {
      size_t queued;
      {
        std::lock_guard<std::mutex> l(subscription->mu);
        queued = subscription->queue.size();
      }
      if (queued < SubscriptionState::kMaxQueued) break;
      co_await subscription_space->Wait();
    }
  }
  (void)self;
  reader_done.set_value();
}

void Client::Impl::FailAll(const Status& s) {
  if (!failure) failure = s;
  auto handlers = std::move(pending);
  pending.clear();
  for (auto& [id, h] : handlers) h(*failure);
  if (io) io->Close(true);
  if (subscription_space) subscription_space->Notify();
}

void Client::Impl::Call(WireRequest request, Handler handler) {
  asio::post(strand, [self = shared_from_this(), request = std::move(request),
                      handler = std::move(handler)]() mutable {
    if (self->failure) {
      handler(*self->failure);
      return;
    }
    request.id = self->next_id++;
    Bytes frame = internal::EncodeRequest(request);
    if (frame.size() > self->info.max_frame_bytes && self->info.max_frame_bytes != 0) {
      handler(ResourceExhausted(
          "the request is " + std::to_string(frame.size()) + " bytes; the server accepts at most " +
          std::to_string(self->info.max_frame_bytes) + " per request (split it)"));
      return;
    }
    self->pending[request.id] = std::move(handler);
    self->io->Send(std::move(frame));
  });
}

Result<WireResponse> Client::Impl::Roundtrip(WireRequest request) {
  auto promise = std::make_shared<std::promise<Result<WireResponse>>>();
  auto future = promise->get_future();
  Call(std::move(request), [promise](Result<WireResponse> r) {
    promise->set_value(std::move(r));
    return true;
  });
  return future.get();
}

// ---------------------------------------------------------------------------------------------

Client::Client(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<Client>> Client::Connect(const ClientOptions& options,
                                                std::shared_ptr<ClientRuntime> runtime) {
  if (!runtime) runtime = std::make_shared<ClientRuntime>(1);
  auto impl = std::make_shared<Impl>(runtime->impl().ioc, options);
  impl->runtime_keepalive = runtime;
  if (!options.plaintext) {
    ASSIGN_OR_RETURN(impl->tls, internal::MakeClientTls(options.ca, options.cert, options.key));
  }
  auto opened = asio::co_spawn(impl->strand, impl->Open(), asio::use_future);
  Status s = opened.get();
  if (!s.ok()) return s;
  // (No named copy of `impl` may outlive this block: ~Client waits for the last reference.)
  asio::post(impl->strand, [self = impl] {
    self->io->Start(self);
    asio::co_spawn(self->strand, self->Reader(self), asio::detached);
  });
  std::unique_ptr<Client> client(new Client(std::move(impl)));
  WireRequest hello;
  hello.kind = RequestKind::kHello;
  ASSIGN_OR_RETURN(WireResponse r, client->impl_->Roundtrip(hello));
  if (r.kind != ResponseKind::kHello) return ErrorOf(r).WithContext("hello");
  client->impl_->info = r.info;
  return client;
}

Client::~Client() {
  Close();
  impl_->reader_done.get_future().wait();
  auto runtime = std::move(impl_->runtime_keepalive);
  auto destroyed = impl_->destroyed.get_future();
  impl_.reset();
  destroyed.wait();  // the connection's coroutines are over
  // A private runtime is destroyed here, on the caller's thread, after the connection.
}

void Client::Close() {
  asio::post(impl_->strand, [self = impl_] {
    if (!self->failure) self->FailAll(Unavailable("the client was closed"));
  });
}

const ServerInfo& Client::info() const { return impl_->info; }

Result<std::vector<AppendedEvent>> Client::Append(std::vector<SignedEvent> events,
                                                  size_t* failed_index) {
  auto promise = std::make_shared<std::promise<Result<std::vector<AppendedEvent>>>>();
  auto future = promise->get_future();
  size_t failed = 0;
  AppendAsync(std::move(events),
              [promise, &failed](Result<std::vector<AppendedEvent>> r, size_t index) {
                failed = index;
                promise->set_value(std::move(r));
              });
  auto result = future.get();
  if (!result.ok() && failed_index != nullptr) *failed_index = failed;
  return result;
}

void Client::AppendAsync(std::vector<SignedEvent> events, AppendDone done) {
  WireRequest r;
  r.kind = RequestKind::kAppend;
  size_t n = events.size();
  r.events = std::move(events);
  impl_->Call(std::move(r), [done = std::move(done), n](Result<WireResponse> resp) {
    if (!resp.ok()) {
      done(resp.status(), 0);
    } else if (resp->kind == ResponseKind::kAppend && resp->acks.size() == n) {
      done(std::move(resp->acks), 0);
    } else if (resp->kind == ResponseKind::kAppend) {
      done(Internal("the server acknowledged " + std::to_string(resp->acks.size()) + " of " +
                    std::to_string(n) + " events"),
           0);
    } else {
      done(ErrorOf(*resp), resp->failed_index.value_or(0));
    }
    return true;
  });
}

Result<std::vector<Bytes>> Client::ReadEntries(uint64_t begin, uint32_t count) {
  WireRequest r;
  r.kind = RequestKind::kReadEntries;
  r.a = begin;
  r.b = count;
  ASSIGN_OR_RETURN(WireResponse resp, impl_->Roundtrip(std::move(r)));
  if (resp.kind != ResponseKind::kEntries) return ErrorOf(resp);
  if (resp.entries.begin != begin || resp.entries.entries.size() > count) {
    return IntegrityViolation("the server answered with entries it was not asked for");
  }
  return std::move(resp.entries.entries);
}

namespace {
// Calls `done` with what `extract` takes from a response of `kind`, or the error.
template <typename T, typename Extract>
Client::Impl::Handler TypedHandler(ResponseKind kind, Extract extract,
                                   std::function<void(Result<T>)> done) {
  return [kind, extract, done = std::move(done)](Result<WireResponse> resp) {
    if (!resp.ok()) {
      done(resp.status());
    } else if (resp->kind != kind) {
      done(ErrorOf(*resp));
    } else {
      done(extract(*resp));
    }
    return true;
  };
}
}  // namespace

void Client::CheckpointAsync(uint64_t size, std::function<void(Result<std::string>)> done) {
  WireRequest r;
  r.kind = RequestKind::kCheckpoint;
  r.a = size;
  impl_->Call(std::move(r),
              TypedHandler<std::string>(
                  ResponseKind::kCheckpoint, [](WireResponse& w) { return std::move(w.text); },
                  std::move(done)));
}

Result<std::string> Client::Checkpoint(uint64_t size, bool sign) {
  WireRequest r;
  r.kind = RequestKind::kCheckpoint;
  r.a = size;
  r.sign = sign;
  ASSIGN_OR_RETURN(WireResponse resp, impl_->Roundtrip(std::move(r)));
  if (resp.kind != ResponseKind::kCheckpoint) return ErrorOf(resp);
  return std::move(resp.text);
}

void Client::InclusionProofAsync(uint64_t sequence, uint64_t tree_size,
                                 std::function<void(Result<InclusionProofData>)> done) {
  WireRequest r;
  r.kind = RequestKind::kInclusionProof;
  r.a = sequence;
  r.b = tree_size;
  impl_->Call(std::move(r),
              TypedHandler<InclusionProofData>(
                  ResponseKind::kInclusionProof,
                  [](WireResponse& w) { return std::move(w.inclusion); }, std::move(done)));
}

Result<InclusionProofData> Client::InclusionProof(uint64_t sequence, uint64_t tree_size) {
  std::promise<Result<InclusionProofData>> promise;
  auto future = promise.get_future();
  InclusionProofAsync(sequence, tree_size, [&promise](Result<InclusionProofData> r) {
    promise.set_value(std::move(r));
  });
  return future.get();
}

Result<ConsistencyProofData> Client::ConsistencyProof(uint64_t size1, uint64_t size2) {
  WireRequest r;
  r.kind = RequestKind::kConsistencyProof;
  r.a = size1;
  r.b = size2;
  ASSIGN_OR_RETURN(WireResponse resp, impl_->Roundtrip(std::move(r)));
  if (resp.kind != ResponseKind::kConsistencyProof) return ErrorOf(resp);
  return std::move(resp.consistency);
}

QueryResponse Client::Query(const QueryRequest& request, const QueryOutput* out) {
  WireRequest r;
  r.kind = RequestKind::kQuery;
  r.query = request;
  auto promise = std::make_shared<std::promise<QueryResponse>>();
  auto future = promise->get_future();
  auto output = std::make_shared<std::string>();
  // `out` is called only before the promise is kept, and this call waits for the promise: it
  // outlives every use. If it fails (the CLI's stdout is gone), the query ends here.
  impl_->Call(std::move(r), [promise, output, out](Result<WireResponse> resp) {
    if (!resp.ok()) {
      promise->set_value(QueryResponse::Failed(resp.status()));
      return true;
    }
    if (resp->kind != ResponseKind::kQuery) {
      promise->set_value(QueryResponse::Failed(ErrorOf(*resp)));
      return true;
    }
    if (out == nullptr) {
      *output += resp->text;
    } else if (Status s = (*out)(resp->text); !s.ok()) {
      promise->set_value(QueryResponse::Failed(s));
      return true;
    }
    if (!resp->final) return false;
    promise->set_value(QueryResponse{resp->exit_code, std::move(*output), resp->query_error});
    return true;
  });
  return future.get();
}

Status Client::Subscribe(uint64_t from, const std::function<bool(const SubscriptionUpdate&)>& fn) {
  auto state = std::make_shared<SubscriptionState>();
  auto registered = std::make_shared<std::promise<Status>>();
  asio::post(impl_->strand, [self = impl_, state, registered] {
    if (self->subscription) {
      registered->set_value(FailedPrecondition("this client already has a subscription"));
      return;
    }
    self->subscription = state;
    registered->set_value(Status::Ok());
  });
  RETURN_IF_ERROR(registered->get_future().get());
  WireRequest r;
  r.kind = RequestKind::kSubscribe;
  r.a = from;
  auto id_promise = std::make_shared<std::promise<uint64_t>>();
  asio::post(impl_->strand, [self = impl_, r, state, id_promise]() mutable {
    if (self->failure) {
      std::lock_guard<std::mutex> l(state->mu);
      state->end = *self->failure;
      state->cv.notify_all();
      id_promise->set_value(0);
      return;
    }
    r.id = self->next_id++;
    id_promise->set_value(r.id);
    self->pending[r.id] = [state](Result<WireResponse> resp) {
      std::lock_guard<std::mutex> l(state->mu);
      if (!resp.ok()) {
        state->end = resp.status();
      } else if (resp->kind != ResponseKind::kSubscription) {
        state->end = ErrorOf(*resp);
      } else {
        state->queue.push_back(std::move(resp->entries));
        if (resp->final) state->end = Status::Ok();
      }
      state->cv.notify_all();
      return state->end.has_value();
    };
    self->io->Send(internal::EncodeRequest(r));
  });
  uint64_t id = id_promise->get_future().get();
  Status result;
  while (true) {
    SubscriptionUpdate update;
    {
      std::unique_lock<std::mutex> l(state->mu);
      state->cv.wait(l, [&] { return !state->queue.empty() || state->end.has_value(); });
      if (state->queue.empty()) {
        result = *state->end;
        break;
      }
      update = std::move(state->queue.front());
      state->queue.pop_front();
    }
    asio::post(impl_->strand, [self = impl_] { self->subscription_space->Notify(); });
    if (!fn(update)) {
      WireRequest cancel;
      cancel.kind = RequestKind::kCancel;
      cancel.a = id;
      impl_->Call(std::move(cancel), [](Result<WireResponse>) { return true; });
      result = Status::Ok();
      break;
    }
  }
  asio::post(impl_->strand, [self = impl_, id] {
    self->subscription.reset();
    self->pending.erase(id);
    self->subscription_space->Notify();
  });
  return result;
}

}  // namespace dutyledger::net
