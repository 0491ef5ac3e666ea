#include "net/follower.h"

#include <cstdio>
#include <filesystem>

#include "ledger/checkpoint.h"
#include "ledger/merkle.h"

namespace dutyledger::net {

Result<std::unique_ptr<Ledger>> OpenOrCreateMirror(const std::string& path,
                                                   const ClientOptions& source,
                                                   const Ledger::Options& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(path, ec) && !fs::is_empty(path, ec)) {
    ASSIGN_OR_RETURN(auto ledger, Ledger::Open(path, options));
    if (!ledger->is_mirror()) {
      return FailedPrecondition(path +
                                " holds a ledger that is not a mirror; a follower needs a folder "
                                "of its own");
    }
    return ledger;
  }
  ASSIGN_OR_RETURN(auto client, Client::Connect(source));
  ASSIGN_OR_RETURN(auto entries, client->ReadEntries(0, 1));
  if (entries.empty()) return Unavailable("the source " + source.server + " has no entries");
  return Ledger::CreateMirror(path, entries[0], options);
}

Follower::Follower(Ledger* mirror, Options options)
    : mirror_(mirror), options_(std::move(options)) {
  state_.enabled = true;
  state_.mirroring = true;
  state_.verified_size = mirror_->size();
}

Result<std::unique_ptr<Follower>> Follower::Start(Ledger* mirror, Options options) {
  if (!mirror->is_mirror()) return FailedPrecondition("the ledger is not a mirror");
  if (options.metrics == nullptr) return InvalidArgument("Follower::Options.metrics is required");
  if (!options.log) {
    options.log = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
  }
  std::unique_ptr<Follower> f(new Follower(mirror, std::move(options)));
  auto latest = mirror->LatestCheckpoint();
  if (latest.ok() && *latest) f->state_.verified_checkpoint = (*latest)->checkpoint.size;
  f->Publish();
  f->thread_ = std::thread([p = f.get()] { p->Run(); });
  return f;
}

Follower::~Follower() { Stop(); }

void Follower::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
    if (subscriber_ != nullptr) subscriber_->Close();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Follower::WaitStopped(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> l(mu_);
  return cv_.wait_for(l, timeout, [&] { return !state_.mirroring; });
}

bool Follower::WaitForSize(uint64_t size, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait_for(l, timeout, [&] { return mirror_->size() >= size || !state_.mirroring; });
  return mirror_->size() >= size;
}

Metrics::Follower Follower::state() const {
  std::lock_guard<std::mutex> l(mu_);
  return state_;
}

void Follower::Publish() {
  {
    std::lock_guard<std::mutex> l(mu_);
    state_.verified_size = mirror_->size();
    options_.metrics->SetFollower(state_);
  }
  cv_.notify_all();
}

void Follower::Refuse(const std::string& why) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!state_.mirroring) return;
    state_.mirroring = false;
    state_.stopped_reason = why;
    ++state_.integrity_failures;
  }
  options_.log("dutyledger: FOLLOWER STOPPED: the source " + options_.source.server +
               " is inconsistent with what this follower verified: " + why + ". Serving the " +
               std::to_string(mirror_->size()) + " verified entries; no longer mirroring.");
  Publish();
}

void Follower::Run() {
  auto retry = options_.retry_min;
  while (true) {
    {
      std::lock_guard<std::mutex> l(mu_);
      if (stop_ || !state_.mirroring) return;
    }
    uint64_t before = mirror_->size();
    Status s = MirrorOnce();
    std::unique_lock<std::mutex> l(mu_);
    if (stop_ || !state_.mirroring) return;
    if (mirror_->size() > before) retry = options_.retry_min;
    l.unlock();
    options_.log("dutyledger: follower: " + s.message() + "; retrying in " +
                 std::to_string(retry.count()) + " ms");
    l.lock();
    cv_.wait_for(l, retry, [&] { return stop_; });
    retry = std::min(retry * 2, options_.retry_max);
  }
}

Status Follower::MirrorOnce() {
  auto subscriber = Client::Connect(options_.source);
  if (!subscriber.ok()) return subscriber.status();
  auto requests = Client::Connect(options_.source);
  if (!requests.ok()) return requests.status();
  const ServerInfo& info = (*subscriber)->info();
  if (info.origin != mirror_->origin()) {
    Refuse("its origin is '" + info.origin + "', this mirror's is '" + mirror_->origin() + "'");
    return Status::Ok();
  }
  if (info.log_verifier_key != NoteVerifierKey(mirror_->origin(), mirror_->log_key())) {
    Refuse("its checkpoint key " + info.log_verifier_key + " is not the genesis log key");
    return Status::Ok();
  }
  {
    std::lock_guard<std::mutex> l(mu_);
    state_.source_size = info.size;
  }
  if (info.size < mirror_->size()) {
    Refuse("it has rolled back: it holds " + std::to_string(info.size) + " entries, " +
           std::to_string(mirror_->size()) + " were verified here");
    return Status::Ok();
  }
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stop_) return Status::Ok();
    subscriber_ = subscriber->get();
  }
  Status transient;
  Status ended = (*subscriber)->Subscribe(mirror_->size(), [&](const SubscriptionUpdate& u) {
    {
      std::lock_guard<std::mutex> l(mu_);
      if (stop_) return false;
      state_.source_size = u.source_size;
    }
    if (u.source_size < mirror_->size()) {
      Refuse("it has rolled back: it holds " + std::to_string(u.source_size) + " entries, " +
             std::to_string(mirror_->size()) + " were verified here");
      return false;
    }
    if (!u.entries.empty()) {
      if (u.begin != mirror_->size()) {
        Refuse("it sent entries from " + std::to_string(u.begin) + " when entry " +
               std::to_string(mirror_->size()) + " was next");
        return false;
      }
      size_t failed = 0;
      auto appended = mirror_->AppendVerbatim(u.entries, &failed);
      if (!appended.ok()) {
        StatusCode code = appended.status().code();
        if (code == StatusCode::kIOError || code == StatusCode::kUnavailable) {
          transient = appended.status();
        } else {
          Refuse("entry " + std::to_string(u.begin + failed) + ": " + appended.status().message());
        }
        return false;
      }
    }
    if (!u.checkpoint.empty()) {
      Status s = HandleCheckpoint(**requests, u.checkpoint);
      if (!s.ok()) {
        transient = s;
        return false;
      }
      std::lock_guard<std::mutex> l(mu_);
      if (!state_.mirroring) return false;
    }
    Publish();
    return true;
  });
  {
    std::lock_guard<std::mutex> l(mu_);
    subscriber_ = nullptr;
  }
  if (!transient.ok()) return transient;
  if (!ended.ok()) return ended;
  return Unavailable("the source ended the subscription");
}

Status Follower::HandleCheckpoint(Client& requests, const std::string& note_text) {
  auto note = ParseSignedNote(note_text);
  auto cp = note.ok() ? ParseCheckpointBody(note->body) : Result<Checkpoint>(note.status());
  if (!cp.ok()) {
    Refuse("it sent a malformed checkpoint: " + cp.status().message());
    return Status::Ok();
  }
  Status sig = VerifyNoteSignature(*note, mirror_->origin(), mirror_->log_key());
  if (!sig.ok()) {
    Refuse("its checkpoint at size " + std::to_string(cp->size) + ": " + sig.message());
    return Status::Ok();
  }
  auto latest = mirror_->LatestCheckpoint();
  if (!latest.ok()) return latest.status();
  if (*latest && (*latest)->checkpoint.size > cp->size) {
    Refuse("it sent a checkpoint at size " + std::to_string(cp->size) +
           " after this follower verified one at size " +
           std::to_string((*latest)->checkpoint.size) + " (rolled back)");
    return Status::Ok();
  }
  if (*latest && (*latest)->checkpoint.size < cp->size) {
    // RFC 9162 §2.1.4.2: the source must prove the new tree extends the one verified here.
    const Checkpoint& old = (*latest)->checkpoint;
    auto proof = requests.ConsistencyProof(old.size, cp->size);
    if (!proof.ok()) {
      if (proof.status().code() == StatusCode::kUnavailable ||
          proof.status().code() == StatusCode::kIOError) {
        return proof.status();
      }
      Refuse("it cannot prove its checkpoint at size " + std::to_string(cp->size) +
             " consistent with the one at size " + std::to_string(old.size) + ": " +
             proof.status().message());
      return Status::Ok();
    }
    Status consistent =
        VerifyConsistency(mirror_->hasher(), old.size, cp->size, old.root, cp->root, proof->proof);
    if (!consistent.ok()) {
      Refuse("its checkpoint at size " + std::to_string(cp->size) +
             " is not consistent with the verified one at size " + std::to_string(old.size) + " (" +
             consistent.message() + ")");
      return Status::Ok();
    }
  }
  auto imported = mirror_->ImportCheckpoint(note_text);
  if (!imported.ok()) {
    if (imported.status().code() == StatusCode::kIOError) return imported.status();
    Refuse(imported.status().message());
    return Status::Ok();
  }
  std::lock_guard<std::mutex> l(mu_);
  state_.verified_checkpoint = std::max(state_.verified_checkpoint, cp->size);
  return Status::Ok();
}

}  // namespace dutyledger::net
