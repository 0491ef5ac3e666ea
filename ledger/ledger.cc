#include "ledger/ledger.h"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include <capnp/message.h>

#include "ledger/internal/event_cache.h"
#include "ledger/internal/identity.h"
#include "ledger/internal/store.h"
#include "ledger/internal/thread_pool.h"
#include "ledger/internal/txn.h"
#include "ledger/memory.h"
#include "ledger/merkle.h"
#include "ledger/schema/event.capnp.h"
#include "ledger/uuid.h"

namespace dutyledger {

using internal::Column;
using internal::Store;
using internal::Txn;

namespace {

constexpr char kFormatVersionKey[] = "format_version";
constexpr char kFormatVersion[] = "1";
constexpr char kRebuildingKey[] = "projections_rebuilding";
constexpr char kMirrorKey[] = "mirror";  // present in a mirror's folder (CreateMirror)
constexpr size_t kMaxAppendBatch = 100'000;

ByteView AsView(capnp::Data::Reader d) {
  return ByteView(reinterpret_cast<const char*>(d.begin()), d.size());
}

struct DigestHash {
  size_t operator()(const Digest& d) const {
    size_t h;
    std::memcpy(&h, d.data(), sizeof h);
    return h;
  }
};

// A row of the key table: a KeyRecord stored under its own key's id.
Result<KeyInfo> StoredKey(ByteView row_key, ByteView value) {
  ASSIGN_OR_RETURN(KeyInfo info, internal::DecodeKeyRecord(value));
  if (info.key.id().view() != row_key) {
    return IntegrityViolation("key table row " + HexEncode(row_key).substr(0, 16) +
                              " holds a different key");
  }
  return info;
}

// Reads perfect nodes from committed rows.
class StoreNodeReader final : public NodeReader {
 public:
  explicit StoreNodeReader(const Store& store) : store_(store) {}
  Result<Digest> PerfectNode(int level, uint64_t index) const override {
    uint64_t leaf = internal::TreeRowLeaf(level, index);
    ASSIGN_OR_RETURN(auto row, store_.Get(Column::kMerkle, internal::SequenceKey(leaf)));
    if (!row) {
      return Corruption("tree node level " + std::to_string(level) + " index " +
                        std::to_string(index) + " is missing (no tree row for entry " +
                        std::to_string(leaf) + ")");
    }
    size_t at = static_cast<size_t>(level) * Digest::kSize;
    if (row->size() != internal::TreeRowHashes(leaf) * Digest::kSize || at >= row->size()) {
      return Corruption("tree row for entry " + std::to_string(leaf) + " is malformed");
    }
    return *Digest::FromBytes(ByteView(*row).substr(at, Digest::kSize));
  }

 private:
  const Store& store_;
};

// The perfect nodes of levels >= kLevel, in memory: with them a proof needs at most kLevel
// node reads from the store (2.5 MB at 10 million entries). Read from the store once proofs and
// tiles have asked for kLoadAfter nodes, not at open: loading is one row read per 16 entries
// (63k rows at a million entries, a quarter of a second), most of the time of a one-shot command
// that needs no proof or a few (they read their ~20 nodes from the store). Thread-safe.
class UpperTree {
 public:
  static constexpr int kLevel = 4;
  static constexpr uint64_t kLoadAfter = 1024;  // nodes asked for: some 50 proofs

  // The node, or nullopt (the caller reads it from the store). `size` is the published tree
  // size, for the load.
  Result<std::optional<Digest>> Find(const Store& store, uint64_t size, int level,
                                     uint64_t index) const {
    if (level < kLevel) return std::optional<Digest>();
    {
      std::shared_lock<std::shared_mutex> l(mu_);
      if (loaded_) return Lookup(level, index);
    }
    if (asked_.fetch_add(1, std::memory_order_relaxed) < kLoadAfter) {
      return std::optional<Digest>();
    }
    std::unique_lock<std::shared_mutex> l(mu_);
    if (!loaded_) {
      RETURN_IF_ERROR(Load(store, size));
      loaded_ = true;
    }
    return Lookup(level, index);
  }

  // A node the writer has just stored. Before the first load it is not kept: the load reads it.
  void Add(int level, uint64_t index, const Digest& hash) {
    std::unique_lock<std::shared_mutex> l(mu_);
    if (loaded_) Keep(level, index, hash);
  }

 private:
  // The nodes of a level are kept in index order. One the load already read from the store is
  // skipped; a gap cannot arise (the load reads every stored row, and the writer adds a level's
  // nodes in order after storing them), and would only leave later nodes to the store.
  void Keep(int level, uint64_t index, const Digest& hash) const {
    size_t at = static_cast<size_t>(level - kLevel);
    if (levels_.size() <= at) levels_.resize(at + 1);
    if (index == levels_[at].size()) levels_[at].push_back(hash);
  }

  std::optional<Digest> Lookup(int level, uint64_t index) const {
    size_t at = static_cast<size_t>(level - kLevel);
    if (at >= levels_.size() || index >= levels_[at].size()) return std::nullopt;
    return levels_[at][index];
  }

  // Reads the tree rows of every leaf that completes a node of level kLevel or more: those below
  // `size` must exist; beyond it, rows the writer stored but has not yet published are read too
  // (their Add may have come before this load, and been dropped).
  Status Load(const Store& store, uint64_t size) const {
    constexpr uint64_t kStep = uint64_t{1} << kLevel;
    constexpr size_t kBatch = 4096;
    for (uint64_t first = kStep - 1;; first += kStep * kBatch) {
      std::vector<Bytes> keys;
      for (size_t i = 0; i < kBatch; ++i) keys.push_back(internal::SequenceKey(first + i * kStep));
      ASSIGN_OR_RETURN(auto rows, store.MultiGet(Column::kMerkle, keys));
      for (size_t i = 0; i < rows.size(); ++i) {
        uint64_t leaf = first + i * kStep;
        size_t hashes = internal::TreeRowHashes(leaf);
        if (!rows[i] && leaf >= size) return Status::Ok();
        if (!rows[i] || rows[i]->size() != hashes * Digest::kSize) {
          return Corruption("tree row for entry " + std::to_string(leaf) +
                            " is missing or malformed");
        }
        for (size_t l = kLevel; l < hashes; ++l) {
          Keep(static_cast<int>(l), leaf >> l,
               *Digest::FromBytes(ByteView(*rows[i]).substr(l * Digest::kSize, Digest::kSize)));
        }
      }
    }
  }

  mutable std::atomic<uint64_t> asked_{0};
  mutable std::shared_mutex mu_;  // guards loaded_ and levels_
  mutable bool loaded_ = false;
  mutable std::vector<std::vector<Digest>> levels_;
};

// First pass of a proof: records which nodes the computation needs (values are dummies; the
// nodes a computation reads depend only on the sizes, never on hash values).
class RecordingNodeReader final : public NodeReader {
 public:
  Result<Digest> PerfectNode(int level, uint64_t index) const override {
    wanted_.emplace_back(level, index);
    return Digest();
  }
  const std::vector<std::pair<int, uint64_t>>& wanted() const { return wanted_; }

 private:
  mutable std::vector<std::pair<int, uint64_t>> wanted_;
};

// Second pass: the nodes fetched for it.
class FetchedNodeReader final : public NodeReader {
 public:
  Result<Digest> PerfectNode(int level, uint64_t index) const override {
    auto it = nodes_.find({level, index});
    if (it == nodes_.end()) return Internal("node not fetched");
    return it->second;
  }
  std::map<std::pair<int, uint64_t>, Digest>& nodes() { return nodes_; }

 private:
  std::map<std::pair<int, uint64_t>, Digest> nodes_;
};

std::string EventLabel(size_t index, const EventView* view) {
  std::string label = "event " + std::to_string(index);
  if (view != nullptr && view->body().getEventId().size() == kUuidSize) {
    label += " (" + FormatUuid(AsView(view->body().getEventId())) + ")";
  }
  return label;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

struct Ledger::Impl {
  explicit Impl(const Options& o) : options(o), event_cache(o.event_cache_bytes) {}

  std::string path;
  Options options;
  std::unique_ptr<Store> store;
  internal::LedgerIdentity identity;
  Hasher hasher;
  std::unique_ptr<internal::ThreadPool> pool;

  // Committed state visible to readers.
  std::atomic<uint64_t> size{0};
  std::atomic<int> preparing{0};  // Append calls checking signatures right now
  // The committed keys read so far (CommittedKey) and every key the writer has committed since
  // the open.
  mutable std::shared_mutex keys_mu;  // guards key_cache
  mutable std::unordered_map<Digest, KeyInfo, DigestHash> key_cache;
  // A committed key: from the cache, else read from the key table and kept. Keys are read when
  // first needed, not all at open: one row per enterprise and official, half the time of a
  // one-shot query on a million-entry ledger.
  Result<std::optional<KeyInfo>> CommittedKey(const Digest& id) const;

  UpperTree upper;  // nodes of level >= UpperTree::kLevel, for proofs
  // Events validated by ReadEvents, kept up to Options::event_cache_bytes.
  mutable internal::EventCache event_cache;
  mutable std::mutex attachments_mu;  // guards attachments
  mutable std::map<std::string, std::shared_ptr<void>> attachments;

  // Writer-only state.
  CompactRange range;
  Digest last_leaf;
  Time last_recorded_at;

  // The request queue.
  struct Prepared {
    EventView view;
    Bytes signature;
    std::optional<Digest> verified_with;  // key id the signature was checked against
    std::optional<EntryView> verbatim;    // a mirror's source entry (AppendVerbatim)
  };
  struct Request {
    std::vector<Prepared> events;
    size_t failed_index = 0;  // set by the writer with a refusal
    AppendDone done;
  };
  std::mutex queue_mu;  // guards queue, stopping
  std::condition_variable queue_cv;
  std::deque<std::shared_ptr<Request>> queue;
  bool stopping = false;
  std::thread writer;
  std::mutex group_mu;  // held by the writer while it sequences and commits a group

  // Checkpoint signing.
  std::mutex checkpoint_mu;  // guards log_private, last_checkpoint_*
  std::unique_ptr<PrivateKey> log_private;
  uint64_t last_checkpoint_size = 0;
  Time last_checkpoint_time;

  // Mirrors and commit listeners (see ledger.h).
  bool mirror = false;
  std::atomic<bool> rebuilding{false};  // projection tables partial: refuse appends
  std::mutex listeners_mu;              // guards listeners, next_listener_id
  std::map<uint64_t, std::function<void(uint64_t)>> listeners;
  uint64_t next_listener_id = 1;

  // ---- helpers
  // Decodes and checks signatures, then queues for the writer (Append, AppendAsync,
  // AppendVerbatim). `verbatim` is empty or holds each event's source entry.
  void Submit(std::vector<SignedEvent> events, std::vector<std::optional<EntryView>> verbatim,
              AppendDone done);
  Result<std::vector<AppendedEvent>> SubmitAndWait(std::vector<SignedEvent> events,
                                                   std::vector<std::optional<EntryView>> verbatim,
                                                   size_t* failed_index);
  Status CheckMirroredEntry(const EntryView& entry, uint64_t seq) const;
  void NotifyCommit();
  Status LoadState();
  void StartWriter();
  void WriterLoop();
  struct UpperNode {
    int level;
    uint64_t index;
    Digest hash;
  };
  Status ProcessEvent(Txn& txn, Prepared& p, size_t index, uint64_t seq, Time now,
                      std::vector<KeyInfo>* key_changes, std::vector<UpperNode>* upper_nodes,
                      AppendedEvent* out, bool* appended);
  // Runs `compute` once to learn which perfect nodes it reads, fetches them (the cache, then
  // one MultiGet), and runs it again on them.
  template <typename T>
  Result<T> WithNodes(const std::function<Result<T>(const NodeReader&)>& compute) const;
  Result<StoredCheckpoint> SignCheckpointNow();
  void MaybeCheckpoint(Time now);
  Result<StoredCheckpoint> ReadCheckpoint(uint64_t size) const;
  Result<Digest> RootAt(uint64_t size) const;
};

namespace {

// The key table seen by the writer: staged rows, then the committed cache.
class TxnKeyTable final : public internal::KeyTable {
 public:
  TxnKeyTable(Txn& txn, const Ledger::Impl& impl, std::vector<KeyInfo>* changes)
      : txn_(txn), impl_(impl), changes_(changes) {}
  Result<std::optional<KeyInfo>> Find(const Digest& id) const override {
    if (auto staged = txn_.GetStaged(Column::kKeys, id.view())) {
      if (!*staged) return std::optional<KeyInfo>();
      ASSIGN_OR_RETURN(KeyInfo info, internal::DecodeKeyRecord(**staged));
      return std::optional<KeyInfo>(std::move(info));
    }
    return impl_.CommittedKey(id);
  }
  void Save(const KeyInfo& info) override {
    txn_.Put(Column::kKeys, info.key.id().view(), internal::EncodeKeyRecord(info));
    changes_->push_back(info);
  }

 private:
  Txn& txn_;
  const Ledger::Impl& impl_;
  std::vector<KeyInfo>* changes_;
};

class TxnAdmissionState : public AdmissionState {
 public:
  TxnAdmissionState(Txn& txn, const internal::KeyTable& keys, const Candidate& c)
      : txn_(txn), keys_(keys), seq_(c.sequence) {
    // The subject-index value: occurredAt, recordedAt, event type (FORMAT.md "Storage").
    PutBigEndian64(&stream_value_,
                   static_cast<uint64_t>(ReadTime(c.event->body().getOccurredAt()).unix_nanos));
    PutBigEndian64(&stream_value_, static_cast<uint64_t>(c.recorded_at.unix_nanos));
    uint16_t type = static_cast<uint16_t>(c.event->body().which());
    stream_value_.push_back(static_cast<char>(type >> 8));
    stream_value_.push_back(static_cast<char>(type & 0xff));
  }
  Result<std::optional<Bytes>> Get(ByteView key) const override {
    return txn_.Get(Column::kProjections, key);
  }
  void Put(ByteView key, ByteView value) override { txn_.Put(Column::kProjections, key, value); }
  void Delete(ByteView key) override { txn_.Delete(Column::kProjections, key); }
  Status ScanPrefix(ByteView prefix,
                    const std::function<bool(ByteView, ByteView)>& fn) const override {
    return txn_.ScanPrefix(Column::kProjections, prefix, fn);
  }
  void IndexSubject(std::string_view subject) override {
    txn_.Put(Column::kSubjects, internal::SubjectKey(subject, seq_), stream_value_);
  }
  const Bytes& stream_value() const { return stream_value_; }
  Result<std::optional<KeyInfo>> FindKey(const Digest& id) const override { return keys_.Find(id); }
  Result<std::optional<uint64_t>> FindEventSequence(ByteView event_id) const override {
    ASSIGN_OR_RETURN(auto row, txn_.Get(Column::kEventIds, event_id));
    if (!row) return std::optional<uint64_t>();
    if (row->size() != 8) return Corruption("event-id index row is malformed");
    return std::optional<uint64_t>(GetBigEndian64(*row));
  }
  Result<std::optional<EventView>> FindEvent(ByteView event_id) const override {
    ASSIGN_OR_RETURN(auto seq, FindEventSequence(event_id));
    if (!seq) return std::optional<EventView>();
    ASSIGN_OR_RETURN(auto row, txn_.Get(Column::kEntries, internal::SequenceKey(*seq)));
    if (!row) return Corruption("event-id index names missing entry " + std::to_string(*seq));
    ASSIGN_OR_RETURN(EntryView entry, EntryView::Decode(*row));
    ASSIGN_OR_RETURN(EventView body, EventView::DecodeBody(entry));
    return std::optional<EventView>(std::move(body));
  }

 private:
  Txn& txn_;
  const internal::KeyTable& keys_;
  uint64_t seq_;
  Bytes stream_value_;
};

// A rebuild's: projection rows and subject rows in memory (FoldRows, FoldSubjects; nothing reads
// the subject rows during the fold); keys and events as above.
class RebuildAdmissionState final : public TxnAdmissionState {
 public:
  RebuildAdmissionState(Txn& txn, const internal::KeyTable& keys, const Candidate& c,
                        internal::FoldRows& rows, internal::FoldSubjects& subjects)
      : TxnAdmissionState(txn, keys, c), rows_(rows), subjects_(subjects), seq_(c.sequence) {}
  Result<std::optional<Bytes>> Get(ByteView key) const override { return rows_.Get(key); }
  void Put(ByteView key, ByteView value) override { rows_.Put(key, value); }
  void Delete(ByteView key) override { rows_.Delete(key); }
  Status ScanPrefix(ByteView prefix,
                    const std::function<bool(ByteView, ByteView)>& fn) const override {
    return rows_.Scan(prefix, fn);
  }
  void IndexSubject(std::string_view subject) override {
    subjects_.Add(subject, seq_, stream_value());
  }

 private:
  internal::FoldRows& rows_;
  internal::FoldSubjects& subjects_;
  uint64_t seq_;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Opening

Ledger::Ledger(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Ledger::~Ledger() {
  if (impl_->writer.joinable()) {
    {
      std::lock_guard<std::mutex> l(impl_->queue_mu);
      impl_->stopping = true;
    }
    impl_->queue_cv.notify_all();
    impl_->writer.join();
  }
}

Status Ledger::Impl::LoadState() {
  ASSIGN_OR_RETURN(auto version, store->Get(Column::kMeta, kFormatVersionKey));
  if (!version) return Corruption(path + ": no format version; not a dutyledger ledger");
  if (*version != kFormatVersion) {
    return FailedPrecondition(path + ": ledger format version " + *version +
                              " is not supported by this dutyledger (expects " + kFormatVersion +
                              ")");
  }
  // The head is the last stored entry; nothing cached is trusted.
  auto it = store->NewIterator(Column::kEntries);
  it->SeekToLast();
  RETURN_IF_ERROR(it->status());
  if (!it->Valid()) return Corruption(path + ": the ledger has no entries (no genesis)");
  if (it->key().size() != 8) return Corruption("entries table has a malformed key");
  uint64_t last = GetBigEndian64(it->key());
  ASSIGN_OR_RETURN(EntryView last_entry, EntryView::Decode(it->value()));
  if (last_entry.sequence() != last) {
    return IntegrityViolation("entry " + std::to_string(last) + " records sequence " +
                              std::to_string(last_entry.sequence()));
  }
  // Identity from the genesis.
  ASSIGN_OR_RETURN(auto genesis_row, store->Get(Column::kEntries, internal::SequenceKey(0)));
  if (!genesis_row) return Corruption("entry 0 (the genesis) is missing");
  ASSIGN_OR_RETURN(EntryView genesis_entry, EntryView::Decode(*genesis_row));
  ASSIGN_OR_RETURN(EventView genesis, EventView::DecodeBody(genesis_entry));
  ASSIGN_OR_RETURN(identity, internal::IdentityFromGenesis(genesis));
  hasher = Hasher(identity.hash_algorithm);

  uint64_t n = last + 1;
  StoreNodeReader nodes(*store);
  ASSIGN_OR_RETURN(range, CompactRange::Load(nodes, n));
  last_leaf = hasher.LeafHash(last_entry.bytes());
  ASSIGN_OR_RETURN(Digest stored_leaf, nodes.PerfectNode(0, last));
  if (stored_leaf != last_leaf) {
    return IntegrityViolation("entry " + std::to_string(last) +
                              ": its leaf hash differs from the stored tree node");
  }
  last_recorded_at = ReadTime(last_entry.entry().getRecordedAt());
  size.store(n);

  // Latest checkpoint, for the signing policy.
  auto cit = store->NewIterator(Column::kCheckpoints);
  cit->SeekToLast();
  if (cit->Valid() && cit->key().size() == 8) {
    last_checkpoint_size = GetBigEndian64(cit->key());
  }
  RETURN_IF_ERROR(cit->status());
  last_checkpoint_time = options.clock->Now();
  return Status::Ok();
}

Result<std::optional<KeyInfo>> Ledger::Impl::CommittedKey(const Digest& id) const {
  {
    std::shared_lock<std::shared_mutex> l(keys_mu);
    auto it = key_cache.find(id);
    if (it != key_cache.end()) return std::optional<KeyInfo>(it->second);
  }
  ASSIGN_OR_RETURN(auto row, store->Get(Column::kKeys, id.view()));
  if (!row) return std::optional<KeyInfo>();
  ASSIGN_OR_RETURN(KeyInfo info, StoredKey(id.view(), *row));
  std::unique_lock<std::shared_mutex> l(keys_mu);
  // emplace, not assign: a newer row the writer committed and cached meanwhile stays.
  return std::optional<KeyInfo>(key_cache.emplace(id, std::move(info)).first->second);
}

void Ledger::Impl::StartWriter() {
  pool = std::make_unique<internal::ThreadPool>(
      options.verify_threads > 0 ? static_cast<size_t>(options.verify_threads) : 0);
  writer = std::thread([this] { WriterLoop(); });
}

Result<std::unique_ptr<Ledger>> Ledger::Open(const std::string& path, const Options& options) {
  if (options.clock == nullptr) return InvalidArgument("Ledger::Options.clock is required");
  auto impl = std::make_unique<Impl>(options);
  impl->path = path;
  if (impl->options.log_key_path.empty()) impl->options.log_key_path = path + "/log.key";
  Store::Options so;
  so.read_only = options.read_only;
  ASSIGN_OR_RETURN(impl->store, Store::Open(path, so));
  ASSIGN_OR_RETURN(auto rebuilding, impl->store->Get(Column::kMeta, kRebuildingKey));
  ASSIGN_OR_RETURN(auto mirror, impl->store->Get(Column::kMeta, kMirrorKey));
  impl->mirror = mirror.has_value();
  impl->rebuilding = rebuilding.has_value();
  RETURN_IF_ERROR(impl->LoadState());
  if (rebuilding && !options.read_only) {
    // A rebuild did not finish; the projection tables are partial. Queries must not use them.
    std::fprintf(stderr,
                 "warning: %s: a projection rebuild was interrupted; run `dutyledger rebuild`\n",
                 path.c_str());
  }
  if (!options.read_only) impl->StartWriter();
  return std::unique_ptr<Ledger>(new Ledger(std::move(impl)));
}

Result<std::unique_ptr<Ledger>> Ledger::Create(const std::string& path, const InitParams& params,
                                               const Options& options) {
  if (options.clock == nullptr) return InvalidArgument("Ledger::Options.clock is required");
  if (params.authority == nullptr) return InvalidArgument("an authority key is required");
  if (options.read_only) return InvalidArgument("cannot create a ledger read-only");
  namespace fs = std::filesystem;
  std::error_code ec;
  bool created_dir = false;
  if (fs::exists(path, ec)) {
    if (!fs::is_directory(path, ec)) return AlreadyExists(path + ": exists and is not a folder");
    if (!fs::is_empty(path, ec)) return AlreadyExists(path + ": folder is not empty");
  } else {
    if (!fs::create_directories(path, ec)) {
      return IOError(path + ": cannot create folder: " + ec.message());
    }
    created_dir = true;
  }
  ::chmod(path.c_str(), 0700);
  auto cleanup = [&]() {
    if (created_dir) {
      fs::remove_all(path, ec);
    } else {
      for (auto& e : fs::directory_iterator(path, ec)) fs::remove_all(e.path(), ec);
    }
  };
  auto fail = [&](Status s) {
    cleanup();
    return s;
  };

  // The log's checkpoint key.
  auto log_key = PrivateKey::Generate(params.log_key_algorithm);
  if (!log_key.ok()) return fail(log_key.status());
  std::string log_key_path =
      options.log_key_path.empty() ? path + "/log.key" : options.log_key_path;
  if (Status s = (*log_key)->WritePemFile(log_key_path); !s.ok()) return fail(s);
  if (Status s = WriteNewFile(path + "/log.pub", (*log_key)->public_key().ToPem(), 0644); !s.ok()) {
    return fail(s);
  }

  // The genesis body, signed by the authority.
  capnp::MallocMessageBuilder message;
  auto body = message.initRoot<schema::EventBody>();
  Time now = options.clock->Now();
  Bytes event_id = NewUuidV7(now);
  body.setEventId(
      capnp::Data::Reader(reinterpret_cast<const capnp::byte*>(event_id.data()), event_id.size()));
  body.setOrigin(params.origin);
  const PublicKey& root = params.authority->public_key();
  body.setSignerKeyId(capnp::Data::Reader(root.id().data(), Digest::kSize));
  WriteTime(body.initOccurredAt(), now);
  body.setSchemaVersion(kSchemaVersion);
  auto g = body.initGenesis();
  auto set_key = [](schema::PublicKey::Builder b, const PublicKey& k) {
    b.setAlgorithm(k.algorithm() == SignatureAlgorithm::kSm2 ? schema::SignatureAlgorithm::SM2
                                                             : schema::SignatureAlgorithm::ED25519);
    b.setSpki(capnp::Data::Reader(reinterpret_cast<const capnp::byte*>(k.spki().data()),
                                  k.spki().size()));
  };
  set_key(g.initRootKey(), root);
  g.setRootPrincipal(params.root_principal);
  g.setHashAlgorithm(params.hash_algorithm == HashAlgorithm::kSm3 ? schema::HashAlgorithm::SM3
                                                                  : schema::HashAlgorithm::SHA256);
  set_key(g.initLogKey(), (*log_key)->public_key());
  Bytes genesis_bytes = CanonicalBytes(message);
  auto signature = params.authority->Sign(EventSigningMessage(genesis_bytes));
  if (!signature.ok()) return fail(signature.status());
  auto genesis_view = EventView::Decode(genesis_bytes);
  if (!genesis_view.ok()) return fail(genesis_view.status());
  auto identity = internal::IdentityFromGenesis(*genesis_view);
  if (!identity.ok()) return fail(identity.status());

  Store::Options so;
  so.create = true;
  auto store = Store::Open(path, so);
  if (!store.ok()) return fail(store.status());
  {
    Store::Batch b = (*store)->NewBatch();
    b.Put(Column::kMeta, kFormatVersionKey, kFormatVersion);
    if (Status s = (*store)->Write(b, true); !s.ok()) return fail(s);
  }

  auto impl = std::make_unique<Impl>(options);
  impl->path = path;
  impl->options.log_key_path = log_key_path;
  impl->store = std::move(*store);
  impl->identity = std::move(*identity);
  impl->hasher = Hasher(impl->identity.hash_algorithm);
  impl->last_checkpoint_time = now;
  impl->StartWriter();
  std::unique_ptr<Ledger> ledger(new Ledger(std::move(impl)));
  auto appended = ledger->Append({SignedEvent{genesis_bytes, *signature}});
  if (!appended.ok()) {
    ledger.reset();
    return fail(appended.status().WithContext("genesis refused"));
  }
  auto cp = ledger->SignCheckpoint();
  if (!cp.ok()) {
    ledger.reset();
    return fail(cp.status());
  }
  return ledger;
}

// ---------------------------------------------------------------------------------------------
// Appending

Result<std::vector<AppendedEvent>> Ledger::Append(std::vector<SignedEvent> events,
                                                  size_t* failed_index) {
  if (impl_->mirror) {
    return FailedPrecondition("this ledger mirrors another; it records only the source's entries");
  }
  return impl_->SubmitAndWait(std::move(events), {}, failed_index);
}

Result<std::vector<AppendedEvent>> Ledger::Impl::SubmitAndWait(
    std::vector<SignedEvent> events, std::vector<std::optional<EntryView>> verbatim,
    size_t* failed_index) {
  std::promise<Result<std::vector<AppendedEvent>>> promise;
  auto future = promise.get_future();
  size_t failed = 0;
  Submit(std::move(events), std::move(verbatim),
         [&](Result<std::vector<AppendedEvent>> result, size_t index) {
           failed = index;
           promise.set_value(std::move(result));
         });
  auto result = future.get();
  if (!result.ok() && failed_index != nullptr) *failed_index = failed;
  return result;
}

void Ledger::AppendAsync(std::vector<SignedEvent> events, AppendDone done) {
  if (impl_->mirror) {
    done(FailedPrecondition("this ledger mirrors another; it records only the source's entries"),
         0);
    return;
  }
  impl_->Submit(std::move(events), {}, std::move(done));
}

void Ledger::Impl::Submit(std::vector<SignedEvent> events,
                          std::vector<std::optional<EntryView>> verbatim, AppendDone done) {
  Impl& im = *this;
  if (im.options.read_only) return done(FailedPrecondition("the ledger is open read-only"), 0);
  if (im.rebuilding) {
    return done(FailedPrecondition("the projection tables are being rebuilt (or a rebuild was "
                                   "interrupted: run `dutyledger rebuild`); appends wait for it"),
                0);
  }
  if (events.empty()) return done(std::vector<AppendedEvent>(), 0);
  if (events.size() > kMaxAppendBatch) {
    return done(ResourceExhausted("a batch holds at most " + std::to_string(kMaxAppendBatch) +
                                  " events; this one has " + std::to_string(events.size())),
                0);
  }
  // Decode and check signatures in parallel, before sequencing.
  std::vector<std::optional<Impl::Prepared>> prepared(events.size());
  std::vector<Status> errors(events.size());
  // With enough concurrent callers every core is busy already; spread one caller's batch over
  // the pool only when there are fewer callers than cores.
  int concurrent = im.preparing.fetch_add(1) + 1;
  size_t grain = concurrent >= static_cast<int>(im.pool->size()) ? events.size() : 16;
  im.pool->ParallelFor(events.size(), grain, [&](size_t i) {
    SignedEvent& e = events[i];
    // The entry adds ~100 bytes to body and signature; refuse what cannot fit early.
    if (e.body.size() + e.signature.size() > kMaxEntryBytes) {
      errors[i] = ResourceExhausted("entry would be over the " + std::to_string(kMaxEntryBytes) +
                                    "-byte limit (body " + std::to_string(e.body.size()) +
                                    " bytes); reference documents by hash instead");
      return;
    }
    auto view = EventView::Decode(e.body);
    if (!view.ok()) {
      errors[i] = InvalidArgument(view.status().message());
      return;
    }
    std::optional<Digest> verified_with;
    auto key_id = Digest::FromBytes(AsView(view->body().getSignerKeyId()));
    if (key_id) {
      std::optional<PublicKey> key;
      // Not found (or unreadable): the writer resolves the signer, and says why it cannot.
      if (auto committed = im.CommittedKey(*key_id); committed.ok() && *committed) {
        key = (*committed)->key;
      }
      if (key) {
        if (!key->Verify(EventSigningMessage(e.body), e.signature)) {
          errors[i] = PermissionDenied("signature does not verify under key " +
                                       key_id->Hex().substr(0, 16) + " named in signerKeyId");
          return;
        }
        verified_with = *key_id;
      }
    }
    prepared[i].emplace(
        Impl::Prepared{std::move(*view), std::move(e.signature), verified_with, std::nullopt});
  });
  im.preparing.fetch_sub(1);
  for (size_t i = 0; i < events.size(); ++i) {
    if (!errors[i].ok()) {
      return done(errors[i].WithContext(EventLabel(i, prepared[i] ? &prepared[i]->view : nullptr)),
                  i);
    }
  }
  auto request = std::make_shared<Impl::Request>();
  request->events.reserve(events.size());
  for (size_t i = 0; i < prepared.size(); ++i) {
    request->events.push_back(std::move(*prepared[i]));
    if (i < verbatim.size()) request->events.back().verbatim = std::move(verbatim[i]);
  }
  request->done = std::move(done);
  {
    std::lock_guard<std::mutex> l(im.queue_mu);
    if (!im.stopping) {
      im.queue.push_back(request);
      request.reset();
    }
  }
  if (request) return request->done(Unavailable("the ledger is shutting down"), 0);
  im.queue_cv.notify_one();
}

Status Ledger::Impl::ProcessEvent(Txn& txn, Prepared& p, size_t index, uint64_t seq, Time now,
                                  std::vector<KeyInfo>* key_changes,
                                  std::vector<UpperNode>* upper_nodes, AppendedEvent* out,
                                  bool* appended) {
  (void)index;
  *appended = false;
  if (p.verbatim) RETURN_IF_ERROR(CheckMirroredEntry(*p.verbatim, seq));
  auto body = p.view.body();
  ByteView event_id = AsView(body.getEventId());

  // Idempotency: identical bytes return the original sequence; other bytes are refused.
  if (event_id.size() == kUuidSize) {
    ASSIGN_OR_RETURN(auto existing, txn.Get(Column::kEventIds, event_id));
    if (existing) {
      if (existing->size() != 8) return Corruption("event-id index row is malformed");
      if (p.verbatim) {
        return IntegrityViolation(
            "field eventId: " + FormatUuid(event_id) + " is already recorded at entry " +
            std::to_string(GetBigEndian64(*existing)) + "; the source recorded it twice");
      }
      uint64_t original = GetBigEndian64(*existing);
      ASSIGN_OR_RETURN(auto row, txn.Get(Column::kEntries, internal::SequenceKey(original)));
      if (!row) return Corruption("event-id index names missing entry " + std::to_string(original));
      ASSIGN_OR_RETURN(EntryView entry, EntryView::Decode(*row));
      if (entry.body_bytes() != p.view.bytes()) {
        return AlreadyExists("field eventId: " + FormatUuid(event_id) +
                             " was already used by entry " + std::to_string(original) +
                             " with different content");
      }
      out->sequence = original;
      out->leaf_hash = hasher.LeafHash(entry.bytes());
      out->duplicate = true;
      return Status::Ok();
    }
  }

  RETURN_IF_ERROR(
      internal::CheckEnvelope(p.view, identity.origin, now, options.max_future_skew_nanos));
  TxnKeyTable keys(txn, *this, key_changes);
  ASSIGN_OR_RETURN(KeyInfo signer, internal::ResolveSigner(p.view, seq, keys));
  if (!p.verified_with || *p.verified_with != signer.key.id()) {
    if (!signer.key.Verify(EventSigningMessage(p.view.bytes()), p.signature)) {
      return PermissionDenied("signature does not verify under key " +
                              signer.key.id().Hex().substr(0, 16) + " named in signerKeyId");
    }
  }
  Candidate candidate{&p.view, seq, now, &signer};
  TxnAdmissionState state(txn, keys, candidate);
  RETURN_IF_ERROR(internal::ApplyIdentityRules(
      p.view, seq, signer, keys, [&](std::string_view principal) -> Status {
        if (options.admission == nullptr) {
          return PermissionDenied(
              "only a root authority key may bind or revoke keys "
              "(principal '" +
              std::string(principal) + "')");
        }
        return options.admission->AuthorizeKeyEvent(candidate, principal, state);
      }));
  if (options.admission != nullptr) {
    RETURN_IF_ERROR(options.admission->Admit(candidate, state));
  }

  Bytes entry = EncodeEntry(EntryFields{seq, now, last_leaf, p.signature, p.view.bytes()});
  if (entry.size() > kMaxEntryBytes) {
    return ResourceExhausted("entry would be " + std::to_string(entry.size()) +
                             " bytes, over the " + std::to_string(kMaxEntryBytes) +
                             "-byte limit; reference documents by hash instead");
  }
  if (p.verbatim && entry != p.verbatim->bytes()) {
    return IntegrityViolation("the source's entry is not the canonical encoding of its fields");
  }
  Digest leaf = hasher.LeafHash(entry);
  txn.Put(Column::kEntries, internal::SequenceKey(seq), entry);
  Bytes tree_row;
  range.Append(hasher, leaf, [&](int level, uint64_t i, const Digest& h) {
    tree_row.append(h.view());
    if (level >= UpperTree::kLevel) upper_nodes->push_back({level, i, h});
  });
  txn.Put(Column::kMerkle, internal::SequenceKey(seq), tree_row);
  txn.Put(Column::kEventIds, event_id, internal::SequenceKey(seq));
  last_leaf = leaf;
  out->sequence = seq;
  out->leaf_hash = leaf;
  out->duplicate = false;
  *appended = true;
  return Status::Ok();
}

void Ledger::Impl::WriterLoop() {
  while (true) {
    std::vector<std::shared_ptr<Request>> group;
    {
      std::unique_lock<std::mutex> l(queue_mu);
      auto deadline = std::chrono::milliseconds(
          std::max<int64_t>(1, options.checkpoint_every_nanos / 1'000'000));
      queue_cv.wait_for(l, deadline, [&] { return stopping || !queue.empty(); });
      size_t events = 0;
      while (!queue.empty() &&
             (group.empty() || events + queue.front()->events.size() <= options.max_group_events)) {
        events += queue.front()->events.size();
        group.push_back(std::move(queue.front()));
        queue.pop_front();
      }
      if (group.empty()) {
        if (stopping) return;
        l.unlock();
        MaybeCheckpoint(options.clock->Now());
        continue;
      }
    }

    // Sequence the group: each request in its own staged transaction over the group's.
    std::lock_guard<std::mutex> group_lock(group_mu);
    Txn group_txn(store.get(), nullptr);
    const CompactRange group_range = range;
    const Digest group_leaf = last_leaf;
    const Time group_time = last_recorded_at;
    std::vector<KeyInfo> group_keys;
    std::vector<UpperNode> group_upper;
    std::vector<std::pair<Request*, std::vector<AppendedEvent>>> accepted;
    for (auto& request : group) {
      Txn txn(store.get(), &group_txn);
      const CompactRange saved_range = range;
      const Digest saved_leaf = last_leaf;
      const Time saved_time = last_recorded_at;
      std::vector<KeyInfo> key_changes;
      std::vector<UpperNode> upper_nodes;
      std::vector<AppendedEvent> results(request->events.size());
      Status status;
      for (size_t i = 0; i < request->events.size() && status.ok(); ++i) {
        Time now = options.clock->Now();
        if (now < last_recorded_at) now = last_recorded_at;  // recordedAt never decreases
        if (auto& v = request->events[i].verbatim) now = ReadTime(v->entry().getRecordedAt());
        bool appended = false;
        Status s = ProcessEvent(txn, request->events[i], i, range.size(), now, &key_changes,
                                &upper_nodes, &results[i], &appended);
        if (!s.ok()) {
          status = s.WithContext(EventLabel(i, &request->events[i].view));
          request->failed_index = i;
        } else if (appended) {
          last_recorded_at = now;
        }
      }
      if (!status.ok()) {
        range = saved_range;
        last_leaf = saved_leaf;
        last_recorded_at = saved_time;
        request->done(status, request->failed_index);
        request.reset();
        continue;
      }
      txn.MergeIntoParent();
      group_keys.insert(group_keys.end(), key_changes.begin(), key_changes.end());
      group_upper.insert(group_upper.end(), upper_nodes.begin(), upper_nodes.end());
      accepted.emplace_back(request.get(), std::move(results));
    }
    if (accepted.empty()) continue;

    Status written = Status::Ok();
    if (!group_txn.empty()) {
      Store::Batch batch = store->NewBatch();
      group_txn.AddTo(batch);
      written = store->Write(batch, options.sync_commits);
    }
    if (!written.ok()) {
      range = group_range;
      last_leaf = group_leaf;
      last_recorded_at = group_time;
      for (auto& [request, results] : accepted) {
        request->done(written.WithContext("nothing was recorded"), 0);
      }
      continue;
    }
    {
      std::unique_lock<std::shared_mutex> l(keys_mu);
      for (auto& k : group_keys) key_cache.insert_or_assign(k.key.id(), k);
    }
    for (const auto& n : group_upper) upper.Add(n.level, n.index, n.hash);
    size.store(range.size(), std::memory_order_release);
    for (auto& [request, results] : accepted) request->done(std::move(results), 0);
    MaybeCheckpoint(last_recorded_at);
    NotifyCommit();
  }
}

// ---------------------------------------------------------------------------------------------
// Checkpoints

template <typename T>
Result<T> Ledger::Impl::WithNodes(
    const std::function<Result<T>(const NodeReader&)>& compute) const {
  RecordingNodeReader recorder;
  (void)compute(recorder);
  FetchedNodeReader fetched;
  std::vector<Bytes> keys;
  std::vector<std::pair<int, uint64_t>> missing;
  for (const auto& [level, index] : recorder.wanted()) {
    if (fetched.nodes().count({level, index})) continue;
    ASSIGN_OR_RETURN(auto cached,
                     upper.Find(*store, size.load(std::memory_order_acquire), level, index));
    if (cached) {
      fetched.nodes()[{level, index}] = *cached;
      continue;
    }
    missing.emplace_back(level, index);
    keys.push_back(internal::SequenceKey(internal::TreeRowLeaf(level, index)));
  }
  if (!keys.empty()) {
    ASSIGN_OR_RETURN(auto rows, store->MultiGet(Column::kMerkle, keys));
    for (size_t i = 0; i < rows.size(); ++i) {
      auto [level, index] = missing[i];
      uint64_t leaf = internal::TreeRowLeaf(level, index);
      size_t at = static_cast<size_t>(level) * Digest::kSize;
      if (!rows[i] || rows[i]->size() != internal::TreeRowHashes(leaf) * Digest::kSize ||
          at >= rows[i]->size()) {
        return Corruption("tree row for entry " + std::to_string(leaf) +
                          " is missing or malformed");
      }
      fetched.nodes()[{level, index}] =
          *Digest::FromBytes(ByteView(*rows[i]).substr(at, Digest::kSize));
    }
  }
  return compute(fetched);
}

Result<Digest> Ledger::Impl::RootAt(uint64_t n) const {
  if (n == 0) return hasher.EmptyRoot();
  return WithNodes<Digest>([&](const NodeReader& nodes) { return RangeRoot(hasher, nodes, 0, n); });
}

Result<StoredCheckpoint> Ledger::Impl::ReadCheckpoint(uint64_t n) const {
  ASSIGN_OR_RETURN(auto row, store->Get(Column::kCheckpoints, internal::SequenceKey(n)));
  if (!row) return NotFound("no checkpoint at tree size " + std::to_string(n));
  auto note = ParseSignedNote(*row);
  if (!note.ok())
    return Corruption("checkpoint " + std::to_string(n) + ": " + note.status().message());
  auto cp = ParseCheckpointBody(note->body);
  if (!cp.ok()) return Corruption("checkpoint " + std::to_string(n) + ": " + cp.status().message());
  if (cp->size != n || cp->origin != identity.origin) {
    return IntegrityViolation("checkpoint stored under size " + std::to_string(n) + " says size " +
                              std::to_string(cp->size) + " of '" + cp->origin + "'");
  }
  Status sig = VerifyNoteSignature(*note, identity.origin, *identity.log_key);
  if (!sig.ok()) return sig.WithContext("checkpoint " + std::to_string(n));
  return StoredCheckpoint{*cp, *note};
}

Result<StoredCheckpoint> Ledger::Impl::SignCheckpointNow() {
  // REQUIRES: checkpoint_mu held.
  uint64_t n = size.load(std::memory_order_acquire);
  if (auto existing = ReadCheckpoint(n); existing.ok()) return existing;
  if (!log_private) {
    ASSIGN_OR_RETURN(log_private, PrivateKey::ReadPemFile(options.log_key_path));
    if (log_private->public_key() != *identity.log_key) {
      log_private.reset();
      return PermissionDenied(options.log_key_path +
                              ": is not the log key named in this ledger's genesis");
    }
  }
  ASSIGN_OR_RETURN(Digest root, RootAt(n));
  // Never sign a checkpoint inconsistent with the latest one already signed.
  auto it = store->NewIterator(Column::kCheckpoints);
  it->SeekToLast();
  RETURN_IF_ERROR(it->status());
  if (it->Valid()) {
    uint64_t prev_size = GetBigEndian64(it->key());
    ASSIGN_OR_RETURN(StoredCheckpoint prev, ReadCheckpoint(prev_size));
    if (prev_size > n) {
      return IntegrityViolation("the latest checkpoint is for size " + std::to_string(prev_size) +
                                " but the ledger holds " + std::to_string(n) +
                                " entries: entries are missing (truncated?); refusing to sign");
    }
    StoreNodeReader nodes(*store);
    if (prev_size > 0) {
      ASSIGN_OR_RETURN(auto proof, ConsistencyProof(hasher, nodes, prev_size, n));
      Status consistent =
          VerifyConsistency(hasher, prev_size, n, prev.checkpoint.root, root, proof);
      if (!consistent.ok()) {
        return IntegrityViolation("the tree at size " + std::to_string(n) +
                                  " is not consistent with the signed checkpoint at size " +
                                  std::to_string(prev_size) + " (" + consistent.message() +
                                  "); refusing to sign");
      }
    }
  }
  Checkpoint cp{identity.origin, n, root, {}};
  std::string body = cp.Body();
  ASSIGN_OR_RETURN(std::string line, SignNoteLine(body, identity.origin, *log_private));
  std::string text = body + "\n" + line + "\n";
  Store::Batch b = store->NewBatch();
  b.Put(Column::kCheckpoints, internal::SequenceKey(n), text);
  RETURN_IF_ERROR(store->Write(b, true));
  last_checkpoint_size = n;
  last_checkpoint_time = options.clock->Now();
  return ReadCheckpoint(n);
}

void Ledger::Impl::MaybeCheckpoint(Time now) {
  if (mirror) return;
  std::lock_guard<std::mutex> l(checkpoint_mu);
  uint64_t n = size.load(std::memory_order_acquire);
  if (n <= last_checkpoint_size) return;
  bool due = n - last_checkpoint_size >= options.checkpoint_every_entries ||
             now.unix_nanos - last_checkpoint_time.unix_nanos >= options.checkpoint_every_nanos;
  if (!due) return;
  auto signed_cp = SignCheckpointNow();
  if (!signed_cp.ok()) {
    std::fprintf(stderr, "dutyledger: cannot sign checkpoint at size %llu: %s\n",
                 static_cast<unsigned long long>(n), signed_cp.status().ToString().c_str());
    last_checkpoint_time = now;  // do not retry in a tight loop
  }
}

Result<StoredCheckpoint> Ledger::SignCheckpoint() {
  if (impl_->options.read_only) return FailedPrecondition("the ledger is open read-only");
  if (impl_->mirror) {
    return FailedPrecondition("this ledger mirrors another; only the source signs checkpoints");
  }
  Result<StoredCheckpoint> result = [&] {
    std::lock_guard<std::mutex> l(impl_->checkpoint_mu);
    return impl_->SignCheckpointNow();
  }();
  if (result.ok()) impl_->NotifyCommit();
  return result;
}

Result<std::optional<StoredCheckpoint>> Ledger::LatestCheckpoint() const {
  auto it = impl_->store->NewIterator(Column::kCheckpoints);
  it->SeekToLast();
  RETURN_IF_ERROR(it->status());
  if (!it->Valid()) return std::optional<StoredCheckpoint>();
  ASSIGN_OR_RETURN(StoredCheckpoint cp, impl_->ReadCheckpoint(GetBigEndian64(it->key())));
  return std::optional<StoredCheckpoint>(std::move(cp));
}

Result<StoredCheckpoint> Ledger::CheckpointAt(uint64_t n) const { return impl_->ReadCheckpoint(n); }

Result<std::vector<uint64_t>> Ledger::CheckpointSizes() const {
  std::vector<uint64_t> sizes;
  auto it = impl_->store->NewIterator(Column::kCheckpoints);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != 8) return Corruption("checkpoint table has a malformed key");
    sizes.push_back(GetBigEndian64(it->key()));
  }
  RETURN_IF_ERROR(it->status());
  return sizes;
}

Status Ledger::AddCosignature(uint64_t n, const std::string& line) {
  if (impl_->options.read_only) return FailedPrecondition("the ledger is open read-only");
  std::lock_guard<std::mutex> l(impl_->checkpoint_mu);
  ASSIGN_OR_RETURN(StoredCheckpoint cp, impl_->ReadCheckpoint(n));
  auto parsed = ParseSignedNote(cp.note.body + "\n" + line + "\n");
  if (!parsed.ok() || parsed->signatures.size() != 1) {
    return InvalidArgument("not a cosignature line: '" + line + "'");
  }
  for (const auto& s : cp.note.signatures) {
    if (s.line == line) return Status::Ok();
  }
  cp.note.signatures.push_back(parsed->signatures[0]);
  Store::Batch b = impl_->store->NewBatch();
  b.Put(Column::kCheckpoints, internal::SequenceKey(n), cp.note.Text());
  return impl_->store->Write(b, true);
}

// ---------------------------------------------------------------------------------------------
// Reads

const std::string& Ledger::origin() const { return impl_->identity.origin; }
HashAlgorithm Ledger::hash_algorithm() const { return impl_->identity.hash_algorithm; }
const Hasher& Ledger::hasher() const { return impl_->hasher; }
const PublicKey& Ledger::root_key() const { return *impl_->identity.root_key; }
const PublicKey& Ledger::log_key() const { return *impl_->identity.log_key; }
const std::string& Ledger::path() const { return impl_->path; }
uint64_t Ledger::size() const { return impl_->size.load(std::memory_order_acquire); }
internal::Store& Ledger::store_for_internal_use() const { return *impl_->store; }

Result<EntryView> Ledger::ReadEntry(uint64_t sequence) const {
  if (sequence >= size()) {
    return NotFound("no entry " + std::to_string(sequence) + " (the ledger has " +
                    std::to_string(size()) + " entries)");
  }
  ASSIGN_OR_RETURN(auto row, impl_->store->Get(Column::kEntries, internal::SequenceKey(sequence)));
  if (!row) return Corruption("entry " + std::to_string(sequence) + " is missing");
  auto entry = EntryView::Decode(*row);
  if (!entry.ok()) return entry.status().WithContext("entry " + std::to_string(sequence));
  if (entry->sequence() != sequence) {
    return IntegrityViolation("entry " + std::to_string(sequence) + " records sequence " +
                              std::to_string(entry->sequence()));
  }
  return entry;
}

Result<Digest> Ledger::LeafHash(uint64_t sequence) const {
  if (sequence >= size()) return NotFound("no entry " + std::to_string(sequence));
  StoreNodeReader nodes(*impl_->store);
  return nodes.PerfectNode(0, sequence);
}

Status Ledger::ForEachEntry(uint64_t begin, uint64_t end,
                            const std::function<bool(const EntryView&)>& fn) const {
  end = std::min(end, size());
  auto it = impl_->store->NewIterator(Column::kEntries,
                                      end - begin > 256 ? Store::Scan::kLong : Store::Scan::kShort);
  uint64_t expect = begin;
  for (it->Seek(internal::SequenceKey(begin)); it->Valid() && expect < end; it->Next()) {
    if (it->key().size() != 8) return Corruption("entries table has a malformed key");
    uint64_t seq = GetBigEndian64(it->key());
    if (seq != expect) return Corruption("entry " + std::to_string(expect) + " is missing");
    auto entry = EntryView::Decode(it->value());
    if (!entry.ok()) return entry.status().WithContext("entry " + std::to_string(seq));
    if (entry->sequence() != seq) {
      return IntegrityViolation("entry " + std::to_string(seq) + " records sequence " +
                                std::to_string(entry->sequence()));
    }
    if (!fn(*entry)) return Status::Ok();
    ++expect;
  }
  RETURN_IF_ERROR(it->status());
  if (expect < end) return Corruption("entry " + std::to_string(expect) + " is missing");
  return Status::Ok();
}

Result<std::optional<uint64_t>> Ledger::FindEvent(ByteView event_id) const {
  ASSIGN_OR_RETURN(auto row, impl_->store->Get(Column::kEventIds, event_id));
  if (!row) return std::optional<uint64_t>();
  if (row->size() != 8) return Corruption("event-id index row is malformed");
  uint64_t seq = GetBigEndian64(*row);
  if (seq >= size()) return std::optional<uint64_t>();  // not yet committed
  return std::optional<uint64_t>(seq);
}

struct Ledger::Cursors::Impl {
  struct Slot {
    std::unique_ptr<internal::Store::Iterator> it;
    bool busy = false;  // a scan is under way on it (a scan's callback may start another)
  };
  Slot subjects, projections;
};
Ledger::Cursors::Cursors() : impl_(std::make_unique<Impl>()) {}
Ledger::Cursors::~Cursors() = default;

namespace {

// An iterator over `c` for one scan: the reader's own (made on first use) unless it has none or
// a scan is already using it, then a new one.
class ScanCursor {
 public:
  using Slot = Ledger::Cursors::Impl::Slot;
  ScanCursor(const internal::Store& store, Column c, Slot* slot) {
    if (slot != nullptr && !slot->busy) {
      if (!slot->it) slot->it = store.NewIterator(c);
      slot->busy = true;
      slot_ = slot;
      it_ = slot->it.get();
    } else {
      once_ = store.NewIterator(c);
      it_ = once_.get();
    }
  }
  ~ScanCursor() {
    if (slot_ != nullptr) slot_->busy = false;
  }
  ScanCursor(const ScanCursor&) = delete;
  ScanCursor& operator=(const ScanCursor&) = delete;
  internal::Store::Iterator* operator->() const { return it_; }
  internal::Store::Iterator* get() const { return it_; }

 private:
  Slot* slot_ = nullptr;
  std::unique_ptr<internal::Store::Iterator> once_;
  internal::Store::Iterator* it_ = nullptr;
};

}  // namespace

Result<std::vector<Ledger::StreamItem>> Ledger::SubjectStream(std::string_view subject,
                                                              Cursors* cursors) const {
  Bytes prefix(subject);
  prefix.push_back('\0');
  std::vector<StreamItem> out;
  ScanCursor it(*impl_->store, Column::kSubjects,
                cursors != nullptr ? &cursors->impl_->subjects : nullptr);
  uint64_t n = size();
  for (it->Seek(prefix); it->Valid() && it->key().substr(0, prefix.size()) == prefix; it->Next()) {
    if (it->key().size() != prefix.size() + 8 || it->value().size() != 18) {
      return Corruption("subject index row of '" + std::string(subject) + "' is malformed");
    }
    StreamItem item;
    item.sequence = GetBigEndian64(it->key().substr(prefix.size()));
    if (item.sequence >= n) continue;  // not yet committed
    ByteView v = it->value();
    item.occurred_at = Time{static_cast<int64_t>(GetBigEndian64(v)), 0};
    item.recorded_at = Time{static_cast<int64_t>(GetBigEndian64(v.substr(8))), 0};
    item.type = static_cast<uint16_t>((uint8_t(v[16]) << 8) | uint8_t(v[17]));
    out.push_back(item);
  }
  RETURN_IF_ERROR(it->status());
  return out;
}

Result<std::vector<EntryView>> Ledger::ReadEntries(const std::vector<uint64_t>& sequences) const {
  std::vector<Bytes> keys;
  keys.reserve(sequences.size());
  for (uint64_t s : sequences) keys.push_back(internal::SequenceKey(s));
  // Decoded straight from RocksDB's buffers: the one copy is into the message's aligned words.
  std::vector<std::optional<EntryView>> found(sequences.size());
  RETURN_IF_ERROR(
      impl_->store->MultiGetEach(Column::kEntries, keys, [&](size_t i, ByteView value) -> Status {
        auto entry = EntryView::Decode(value);
        if (!entry.ok()) return entry.status().WithContext("entry " + std::to_string(sequences[i]));
        if (entry->sequence() != sequences[i]) {
          return IntegrityViolation("entry " + std::to_string(sequences[i]) + " records sequence " +
                                    std::to_string(entry->sequence()));
        }
        found[i].emplace(std::move(*entry));
        return Status::Ok();
      }));
  std::vector<EntryView> out;
  out.reserve(found.size());
  for (size_t i = 0; i < found.size(); ++i) {
    if (!found[i]) return Corruption("entry " + std::to_string(sequences[i]) + " is missing");
    out.push_back(std::move(*found[i]));
  }
  return out;
}

Result<std::vector<std::shared_ptr<const StoredEvent>>> Ledger::ReadEvents(
    const std::vector<uint64_t>& sequences) const {
  std::vector<std::shared_ptr<const StoredEvent>> out;
  impl_->event_cache.FindMany(sequences, &out);
  std::vector<uint64_t> missing;
  for (size_t i = 0; i < out.size(); ++i) {
    if (!out[i]) missing.push_back(sequences[i]);
  }
  if (missing.empty()) return out;
  ASSIGN_OR_RETURN(auto entries, ReadEntries(missing));
  std::vector<std::shared_ptr<const StoredEvent>> read;
  read.reserve(entries.size());
  for (auto& e : entries) {
    auto body = EventView::DecodeBody(e);
    if (!body.ok()) return body.status().WithContext("entry " + std::to_string(e.sequence()));
    read.push_back(
        std::make_shared<const StoredEvent>(std::move(e), std::move(*body), impl_->hasher));
  }
  // Kept only once all of them are valid: a read that fails keeps nothing of it.
  impl_->event_cache.Insert(read);
  for (size_t i = 0, j = 0; i < out.size(); ++i) {
    if (!out[i]) out[i] = std::move(read[j++]);
  }
  return out;
}

Ledger::EventCacheStats Ledger::event_cache_stats() const { return impl_->event_cache.Stats(); }

std::shared_ptr<void> Ledger::Attachment(const std::string& name,
                                         const std::function<std::shared_ptr<void>()>& make) const {
  std::lock_guard<std::mutex> l(impl_->attachments_mu);
  auto& kept = impl_->attachments[name];
  if (!kept) kept = make();
  return kept;
}

size_t Ledger::memo_bytes() const { return impl_->options.memo_bytes; }

Result<uint64_t> Ledger::SizeKnownAt(Time t) const {
  // Binary search on recordedAt, which never decreases along the sequence.
  uint64_t lo = 0, hi = size();
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo) / 2;
    ASSIGN_OR_RETURN(EntryView e, ReadEntry(mid));
    if (ReadTime(e.entry().getRecordedAt()) <= t) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

Result<std::optional<KeyInfo>> Ledger::FindKey(const Digest& key_id) const {
  return impl_->CommittedKey(key_id);
}

Result<std::vector<KeyInfo>> Ledger::AllKeys() const {
  std::vector<KeyInfo> keys;
  auto it = impl_->store->NewIterator(Column::kKeys, Store::Scan::kLong);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ASSIGN_OR_RETURN(KeyInfo info, StoredKey(it->key(), it->value()));
    keys.push_back(std::move(info));
  }
  RETURN_IF_ERROR(it->status());
  std::sort(keys.begin(), keys.end(),
            [](const KeyInfo& a, const KeyInfo& b) { return a.valid_from < b.valid_from; });
  return keys;
}

Result<Digest> Ledger::RootAt(uint64_t n) const {
  if (n > size()) {
    return InvalidArgument("tree size " + std::to_string(n) + " is beyond the ledger's " +
                           std::to_string(size()) + " entries");
  }
  return impl_->RootAt(n);
}

Result<InclusionProofData> Ledger::ProveInclusion(uint64_t sequence, uint64_t tree_size) const {
  if (tree_size > size()) {
    return InvalidArgument("tree size " + std::to_string(tree_size) + " is beyond the ledger's " +
                           std::to_string(size()) + " entries");
  }
  if (sequence >= tree_size) {
    return InvalidArgument("entry " + std::to_string(sequence) + " is not in a tree of size " +
                           std::to_string(tree_size));
  }
  const Hasher& hasher = impl_->hasher;
  ASSIGN_OR_RETURN(InclusionProofData out,
                   impl_->WithNodes<InclusionProofData>(
                       [&](const NodeReader& nodes) -> Result<InclusionProofData> {
                         InclusionProofData d;
                         d.leaf_index = sequence;
                         d.tree_size = tree_size;
                         ASSIGN_OR_RETURN(d.leaf_hash, nodes.PerfectNode(0, sequence));
                         ASSIGN_OR_RETURN(d.proof,
                                          InclusionProof(hasher, nodes, sequence, tree_size));
                         ASSIGN_OR_RETURN(d.root, RangeRoot(hasher, nodes, 0, tree_size));
                         return d;
                       }));
  Status ok =
      VerifyInclusion(impl_->hasher, sequence, tree_size, out.leaf_hash, out.proof, out.root);
  if (!ok.ok()) return ok.WithContext("stored tree nodes are inconsistent; run verify");
  return out;
}

Result<ConsistencyProofData> Ledger::ProveConsistency(uint64_t size1, uint64_t size2) const {
  if (size2 > size()) {
    return InvalidArgument("tree size " + std::to_string(size2) + " is beyond the ledger's " +
                           std::to_string(size()) + " entries");
  }
  if (size1 == 0 || size1 > size2) {
    return InvalidArgument("need 0 < old size <= new size (got " + std::to_string(size1) + " and " +
                           std::to_string(size2) + ")");
  }
  const Hasher& hasher = impl_->hasher;
  ASSIGN_OR_RETURN(ConsistencyProofData out,
                   impl_->WithNodes<ConsistencyProofData>(
                       [&](const NodeReader& nodes) -> Result<ConsistencyProofData> {
                         ConsistencyProofData d;
                         d.size1 = size1;
                         d.size2 = size2;
                         ASSIGN_OR_RETURN(d.root1, RangeRoot(hasher, nodes, 0, size1));
                         ASSIGN_OR_RETURN(d.root2, RangeRoot(hasher, nodes, 0, size2));
                         if (size1 < size2) {
                           ASSIGN_OR_RETURN(d.proof, ConsistencyProof(hasher, nodes, size1, size2));
                         }
                         return d;
                       }));
  Status ok = VerifyConsistency(impl_->hasher, size1, size2, out.root1, out.root2, out.proof);
  if (!ok.ok()) return ok.WithContext("stored tree nodes are inconsistent; run verify");
  return out;
}

// ---------------------------------------------------------------------------------------------
// Projections

Result<std::optional<Bytes>> Ledger::GetProjection(ByteView key) const {
  return impl_->store->Get(Column::kProjections, key);
}

Result<std::vector<std::optional<Bytes>>> Ledger::GetProjections(
    const std::vector<Bytes>& keys) const {
  return impl_->store->MultiGet(Column::kProjections, keys);
}

Status Ledger::ScanProjections(ByteView prefix, const std::function<bool(ByteView, ByteView)>& fn,
                               Cursors* cursors) const {
  ScanCursor it(*impl_->store, Column::kProjections,
                cursors != nullptr ? &cursors->impl_->projections : nullptr);
  return internal::MergeScan({}, it.get(), prefix, fn);
}

Status Ledger::RebuildProjections(Admission& admission,
                                  const std::function<void(uint64_t, uint64_t)>& progress) {
  Impl& im = *impl_;
  if (im.options.read_only) return FailedPrecondition("the ledger is open read-only");
  // Hold the writer off: nothing is appended while the tables are rebuilt.
  std::lock_guard<std::mutex> group_lock(im.group_mu);
  im.rebuilding = true;
  {
    Store::Batch b = im.store->NewBatch();
    b.Put(Column::kMeta, kRebuildingKey, "1");
    RETURN_IF_ERROR(im.store->Write(b, true));
  }
  RETURN_IF_ERROR(im.store->DropColumn(Column::kProjections));
  RETURN_IF_ERROR(im.store->DropColumn(Column::kSubjects));
  uint64_t n = size();
  constexpr uint64_t kChunk = 4096;
  // The tables are empty now: the fold reads only rows it wrote, from memory, up to this budget
  // (the 869k-event benchmark ledger needs ~130 MiB of it), and holds the subject rows up to
  // theirs (32 bytes a row, ~3 rows an event; never read back, so a smaller budget only means
  // more table files). Both are loaded as sorted table files, not written in batches. At 10M
  // events the process peaks at ~850 MiB (~805 before FoldRows held the rows it reads back):
  // these 320 MiB with their allocator's overhead, the 256 MiB block cache (full of the spilled
  // rows the fold reads back) and the table readers.
  constexpr size_t kFoldBudget = 256 << 20, kSubjectBudget = 64 << 20;
  {
    internal::FoldRows rows(im.store.get(), Column::kProjections, kFoldBudget);
    internal::FoldSubjects subjects(im.store.get(), kSubjectBudget);
    for (uint64_t begin = 0; begin < n; begin += kChunk) {
      Txn txn(im.store.get(), nullptr);
      std::vector<KeyInfo> unused_changes;
      Status status;
      Status iter = ForEachEntry(begin, std::min(n, begin + kChunk), [&](const EntryView& e) {
        auto view = EventView::DecodeBody(e);
        if (!view.ok()) {
          status = view.status().WithContext("entry " + std::to_string(e.sequence()));
          return false;
        }
        auto key_id = Digest::FromBytes(AsView(view->body().getSignerKeyId()));
        std::optional<KeyInfo> signer;
        if (e.sequence() == 0) {
          TxnKeyTable keys(txn, im, &unused_changes);
          auto s = internal::ResolveSigner(*view, 0, keys);
          if (s.ok()) signer = *s;
        } else if (key_id) {
          auto committed = im.CommittedKey(*key_id);
          if (!committed.ok()) {
            status = committed.status();
            return false;
          }
          signer = *committed;
        }
        if (!signer) {
          status = IntegrityViolation("entry " + std::to_string(e.sequence()) +
                                      ": signer key is not in the key table; run verify");
          return false;
        }
        TxnKeyTable keys(txn, im, &unused_changes);
        Candidate c{&*view, e.sequence(), ReadTime(e.entry().getRecordedAt()), &*signer};
        RebuildAdmissionState state(txn, keys, c, rows, subjects);
        Status s = admission.Admit(c, state);
        if (!s.ok()) {
          status = s.WithContext("entry " + std::to_string(e.sequence()) +
                                 " is refused by the current rules");
          return false;
        }
        return true;
      });
      RETURN_IF_ERROR(iter);
      RETURN_IF_ERROR(status);
      // The chunk's txn holds only key rows the fold re-derived, identical to the stored ones.
      // Unlogged: until the flush below, a crash loses them, and the mark says to rebuild again.
      Store::Batch keys = im.store->NewBatch();
      txn.AddTo(keys);
      RETURN_IF_ERROR(im.store->WriteUnlogged(keys));
      RETURN_IF_ERROR(rows.MaybeSpill(false));
      RETURN_IF_ERROR(subjects.MaybeSpill(false));
      if (progress) progress(std::min(n, begin + kChunk), n);
    }
    RETURN_IF_ERROR(rows.MaybeSpill(true));
    RETURN_IF_ERROR(subjects.MaybeSpill(true));
  }
  // The fold's rows were millions of small allocations, now free: give their pages back, or a
  // process that goes on after a rebuild (the benchmark, a server) keeps them resident and
  // allocates anew around them (the 10M benchmark's process peaked at 1,083 MiB).
  ReturnFreeMemory();
  // Flushed before the mark goes: the unlogged writes are durable, and the next open (every
  // query's) does not replay the rebuild's log.
  RETURN_IF_ERROR(im.store->Flush());
  Store::Batch done = im.store->NewBatch();
  done.Delete(Column::kMeta, kRebuildingKey);
  RETURN_IF_ERROR(im.store->Write(done, true));
  im.rebuilding = false;
  return Status::Ok();
}

bool Ledger::projections_rebuilding() const { return impl_->rebuilding; }

Ledger::TableFiles Ledger::Tables() const {
  Store::TableStats t = impl_->store->Tables();
  return TableFiles{t.files, t.bytes};
}

Status Ledger::Compact() {
  if (impl_->options.read_only) return FailedPrecondition("the ledger is open read-only");
  return impl_->store->Compact();
}

Status Ledger::CompactProjections() {
  if (impl_->options.read_only) return FailedPrecondition("the ledger is open read-only");
  return impl_->store->Compact({Column::kProjections, Column::kSubjects});
}

Result<Digest> Ledger::ProjectionDigest() const {
  const Hasher& hasher = impl_->hasher;
  Digest acc = hasher.EmptyRoot();
  for (Column c : {Column::kProjections, Column::kSubjects}) {
    auto it = impl_->store->NewIterator(c, Store::Scan::kLong);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string k = BigEndian64(it->key().size()), v = BigEndian64(it->value().size());
      k.append(it->key());
      v.append(it->value());
      acc = hasher.Hash(acc.view(), k, v);
    }
    RETURN_IF_ERROR(it->status());
    acc = hasher.Hash(acc.view(), "end of column");
  }
  return acc;
}

// ---------------------------------------------------------------------------------------------
// Serving: commit listeners and tiles

uint64_t Ledger::AddCommitListener(std::function<void(uint64_t)> listener) {
  std::lock_guard<std::mutex> l(impl_->listeners_mu);
  uint64_t id = impl_->next_listener_id++;
  impl_->listeners.emplace(id, std::move(listener));
  return id;
}

void Ledger::RemoveCommitListener(uint64_t id) {
  std::lock_guard<std::mutex> l(impl_->listeners_mu);
  impl_->listeners.erase(id);
}

void Ledger::Impl::NotifyCommit() {
  uint64_t n = size.load(std::memory_order_acquire);
  std::lock_guard<std::mutex> l(listeners_mu);
  for (const auto& [id, listener] : listeners) listener(n);
}

Result<std::vector<Digest>> Ledger::PerfectNodes(int level, uint64_t first, size_t count) const {
  if (level < 0 || level > 63) return InvalidArgument("tree level must be 0..63");
  uint64_t n = size();
  uint64_t end = first + count;
  if (end < first || (end > (n >> level))) {
    return NotFound("nodes " + std::to_string(first) + ".." + std::to_string(end) + " of level " +
                    std::to_string(level) + " are not complete in the tree of size " +
                    std::to_string(n));
  }
  std::vector<Digest> out(count);
  std::vector<Bytes> keys;
  std::vector<size_t> fetch;  // positions in `out` read from the store
  for (size_t k = 0; k < count; ++k) {
    ASSIGN_OR_RETURN(auto cached, impl_->upper.Find(*impl_->store, n, level, first + k));
    if (cached) {
      out[k] = *cached;
      continue;
    }
    fetch.push_back(k);
    keys.push_back(internal::SequenceKey(internal::TreeRowLeaf(level, first + k)));
  }
  if (keys.empty()) return out;
  ASSIGN_OR_RETURN(auto rows, impl_->store->MultiGet(Column::kMerkle, keys));
  size_t at = static_cast<size_t>(level) * Digest::kSize;
  for (size_t j = 0; j < fetch.size(); ++j) {
    uint64_t leaf = internal::TreeRowLeaf(level, first + fetch[j]);
    const auto& row = rows[j];
    if (!row || row->size() != internal::TreeRowHashes(leaf) * Digest::kSize || at >= row->size()) {
      return Corruption("tree row for entry " + std::to_string(leaf) + " is missing or malformed");
    }
    out[fetch[j]] = *Digest::FromBytes(ByteView(*row).substr(at, Digest::kSize));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Mirrors

bool Ledger::is_mirror() const { return impl_->mirror; }

Result<std::unique_ptr<Ledger>> Ledger::CreateMirror(const std::string& path,
                                                     ByteView genesis_entry,
                                                     const Options& options) {
  if (options.clock == nullptr) return InvalidArgument("Ledger::Options.clock is required");
  if (options.read_only) return InvalidArgument("cannot create a mirror read-only");
  ASSIGN_OR_RETURN(EntryView entry, EntryView::Decode(genesis_entry));
  if (entry.sequence() != 0) {
    return IntegrityViolation("the source's first entry records sequence " +
                              std::to_string(entry.sequence()));
  }
  auto genesis = EventView::DecodeBody(entry);
  if (!genesis.ok()) return genesis.status().WithContext("entry 0");
  auto identity = internal::IdentityFromGenesis(*genesis);
  if (!identity.ok()) return identity.status().WithContext("entry 0");

  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(path, ec) && (!fs::is_directory(path, ec) || !fs::is_empty(path, ec))) {
    return AlreadyExists(path + ": exists and is not an empty folder");
  }
  bool created_dir = !fs::exists(path, ec);
  if (created_dir && !fs::create_directories(path, ec)) {
    return IOError(path + ": cannot create folder: " + ec.message());
  }
  ::chmod(path.c_str(), 0700);
  auto fail = [&](Status s) -> Status {
    if (created_dir) {
      fs::remove_all(path, ec);
    } else {
      for (auto& e : fs::directory_iterator(path, ec)) fs::remove_all(e.path(), ec);
    }
    return s;
  };
  Store::Options so;
  so.create = true;
  auto store = Store::Open(path, so);
  if (!store.ok()) return fail(store.status());
  {
    Store::Batch b = (*store)->NewBatch();
    b.Put(Column::kMeta, kFormatVersionKey, kFormatVersion);
    b.Put(Column::kMeta, kMirrorKey, "1");
    if (Status s = (*store)->Write(b, true); !s.ok()) return fail(s);
  }
  auto impl = std::make_unique<Impl>(options);
  impl->path = path;
  impl->mirror = true;
  impl->store = std::move(*store);
  impl->identity = std::move(*identity);
  impl->hasher = Hasher(impl->identity.hash_algorithm);
  impl->last_checkpoint_time = options.clock->Now();
  impl->StartWriter();
  std::unique_ptr<Ledger> ledger(new Ledger(std::move(impl)));
  auto appended = ledger->AppendVerbatim({Bytes(genesis_entry)});
  if (!appended.ok()) {
    ledger.reset();
    return fail(appended.status().WithContext("the source's genesis is refused"));
  }
  if (Status s = WriteNewFile(path + "/log.pub", ledger->log_key().ToPem(), 0644); !s.ok()) {
    ledger.reset();
    return fail(s);
  }
  return ledger;
}

Result<std::vector<AppendedEvent>> Ledger::AppendVerbatim(std::vector<Bytes> entries,
                                                          size_t* failed_index) {
  if (!impl_->mirror) return FailedPrecondition("only a mirror records another ledger's entries");
  std::vector<SignedEvent> events;
  std::vector<std::optional<EntryView>> views;
  events.reserve(entries.size());
  views.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    auto view = EntryView::Decode(entries[i]);
    if (!view.ok()) {
      if (failed_index != nullptr) *failed_index = i;
      return IntegrityViolation("entry " + std::to_string(size() + i) +
                                " from the source: " + view.status().message());
    }
    events.push_back(SignedEvent{Bytes(view->body_bytes()), Bytes(view->signature())});
    views.emplace_back(std::move(*view));
  }
  return impl_->SubmitAndWait(std::move(events), std::move(views), failed_index);
}

Status Ledger::Impl::CheckMirroredEntry(const EntryView& entry, uint64_t seq) const {
  // REQUIRES: the writer thread (last_leaf, last_recorded_at).
  if (entry.sequence() != seq) {
    return IntegrityViolation("the source sent sequence " + std::to_string(entry.sequence()) +
                              " where entry " + std::to_string(seq) +
                              " belongs (a gap or reorder)");
  }
  auto prev = entry.entry().getPrevLeafHash();
  if (AsView(prev) != last_leaf.view()) {
    return IntegrityViolation("field prevLeafHash: does not link to entry " +
                              std::to_string(seq == 0 ? 0 : seq - 1) +
                              " (the source's history differs: a fork)");
  }
  if (ReadTime(entry.entry().getRecordedAt()) < last_recorded_at) {
    return IntegrityViolation("field recordedAt: earlier than the previous entry's");
  }
  return Status::Ok();
}

Result<StoredCheckpoint> Ledger::ImportCheckpoint(std::string_view note_text) {
  Impl& im = *impl_;
  if (!im.mirror) return FailedPrecondition("only a mirror imports another ledger's checkpoints");
  auto note = ParseSignedNote(note_text);
  if (!note.ok()) return InvalidArgument("not a signed note: " + note.status().message());
  auto cp = ParseCheckpointBody(note->body);
  if (!cp.ok()) return InvalidArgument("not a checkpoint: " + cp.status().message());
  std::string label = "the source's checkpoint at size " + std::to_string(cp->size);
  if (cp->origin != im.identity.origin) {
    return IntegrityViolation(label + " is for origin '" + cp->origin + "', not '" +
                              im.identity.origin + "'");
  }
  RETURN_IF_ERROR(
      VerifyNoteSignature(*note, im.identity.origin, *im.identity.log_key).WithContext(label));
  if (cp->size > size()) {
    return FailedPrecondition(label + " is beyond the " + std::to_string(size()) +
                              " entries mirrored so far");
  }
  if (cp->size == 0) return InvalidArgument(label + ": an empty tree proves nothing");
  ASSIGN_OR_RETURN(Digest root, RootAt(cp->size));
  if (root != cp->root) {
    return IntegrityViolation(label + " signs root " + cp->root.Base64() +
                              " but its entries give " + root.Base64() +
                              " (the source signed a different tree: a fork)");
  }
  {
    std::lock_guard<std::mutex> l(im.checkpoint_mu);
    ASSIGN_OR_RETURN(auto latest, LatestCheckpoint());
    if (latest && latest->checkpoint.size != cp->size) {
      const Checkpoint& a = latest->checkpoint.size < cp->size ? latest->checkpoint : *cp;
      const Checkpoint& b = latest->checkpoint.size < cp->size ? *cp : latest->checkpoint;
      ASSIGN_OR_RETURN(auto proof, ProveConsistency(a.size, b.size));
      Status consistent = VerifyConsistency(im.hasher, a.size, b.size, a.root, b.root, proof.proof);
      if (!consistent.ok()) {
        return IntegrityViolation(label + " is not consistent with the checkpoint at size " +
                                  std::to_string(latest->checkpoint.size) + ": " +
                                  consistent.message());
      }
    }
    Store::Batch b = im.store->NewBatch();
    b.Put(Column::kCheckpoints, internal::SequenceKey(cp->size), note->Text());
    RETURN_IF_ERROR(im.store->Write(b, true));
  }
  im.NotifyCommit();
  return im.ReadCheckpoint(cp->size);
}

}  // namespace dutyledger
