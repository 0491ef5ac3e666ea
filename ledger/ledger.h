// Ledger: the signed, hash-chained, Merkle-tree event log on RocksDB.
//
// One Ledger per data folder per process. Appends from any number of threads are sequenced by
// ONE writer thread, which group-commits: it drains the queue of pending requests into one
// RocksDB WriteBatch (entries, tree nodes, index rows, projection rows) and one synced WAL write.
// An append is acknowledged only after that write is durable. Each Append call is atomic: all
// its events are recorded, or none is and the Status names the first refused event and why.
// Signatures are checked in parallel on the callers' threads (and a small pool) before
// sequencing; they are the cost.
//
// Reads (entries, proofs, checkpoints) are thread-safe and see only committed entries.
#ifndef DUTYLEDGER_LEDGER_LEDGER_H_
#define DUTYLEDGER_LEDGER_LEDGER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ledger/admission.h"
#include "ledger/bytes.h"
#include "ledger/checkpoint.h"
#include "ledger/codec.h"
#include "ledger/hash.h"
#include "ledger/keys.h"
#include "ledger/status.h"
#include "ledger/time.h"

namespace dutyledger {

namespace internal {
class Store;
}

// A signed event as submitted: the canonical EventBody bytes and the signature over
// EventSigningMessage(body).
struct SignedEvent {
  Bytes body;
  Bytes signature;
};

struct AppendedEvent {
  uint64_t sequence = 0;
  Digest leaf_hash;
  bool duplicate = false;  // identical bytes were already recorded; `sequence` is the original
};

// A recorded entry and its event body, both validated (the body shares the entry's bytes).
struct StoredEvent {
  StoredEvent(EntryView e, EventView v, Hasher hasher)
      : entry(std::move(e)), event(std::move(v)), hasher_(hasher) {}

  EntryView entry;
  EventView event;

  // The entry's leaf hash, computed the first time any reader asks (views cite it; most events
  // a view reads it does not cite), then kept with the event. Thread-safe.
  const Digest& leaf() const {
    std::call_once(leaf_once_, [this] { leaf_ = hasher_.LeafHash(entry.bytes()); });
    return leaf_;
  }

 private:
  Hasher hasher_;
  mutable std::once_flag leaf_once_;
  mutable Digest leaf_;
};

struct StoredCheckpoint {
  Checkpoint checkpoint;
  SignedNote note;  // the log's signature plus any cosignatures
};

struct InclusionProofData {
  uint64_t leaf_index = 0;
  uint64_t tree_size = 0;
  Digest leaf_hash;
  Digest root;
  std::vector<Digest> proof;
};

struct ConsistencyProofData {
  uint64_t size1 = 0;
  uint64_t size2 = 0;
  Digest root1;
  Digest root2;
  std::vector<Digest> proof;
};

class Ledger {
 public:
  struct Options {
    Clock* clock = nullptr;          // required
    Admission* admission = nullptr;  // the domain rules; none: identity rules only
    bool read_only = false;          // open without the writer (no appends, no checkpoints)
    uint64_t checkpoint_every_entries = 1000;
    int64_t checkpoint_every_nanos = 60 * Time::kNanosPerSecond;
    int64_t max_future_skew_nanos = 5 * 60 * Time::kNanosPerSecond;
    size_t max_group_events = 8192;  // events per group commit
    int verify_threads = 0;          // signature-check pool size; 0: hardware concurrency
    std::string log_key_path;        // default: <folder>/log.key
    // false: group commits are not fsynced (a power loss may lose the newest entries). Only for
    // generating scenarios (the demo, benchmarks); never for a ledger of record.
    bool sync_commits = true;
    // ReadEvents keeps up to this many bytes of the events it validated for later reads (a
    // server's queries: `serve --event-cache-mib`); 0, the default, keeps none (a one-shot
    // command reads each event once).
    size_t event_cache_bytes = 0;
    // What the layers above may keep of what they derive from the record, between queries, in
    // bytes (the projections' lapse memo: `serve --lapse-memo-mib`); 0, the default, nothing.
    size_t memo_bytes = 0;
  };

  struct InitParams {
    std::string origin;                     // e.g. "example.gov.cn/park-1"
    const PrivateKey* authority = nullptr;  // signs the genesis; becomes the root key
    std::string root_principal = "root";
    HashAlgorithm hash_algorithm = HashAlgorithm::kSha256;
    // The checkpoint (log) key made for the ledger: Ed25519, or SM2 (FORMAT.md §6).
    SignatureAlgorithm log_key_algorithm = SignatureAlgorithm::kEd25519;
  };

  // Creates a ledger in `path` (absent or empty): the log's checkpoint key (log.key, mode 0600;
  // log.pub), the database, the genesis entry signed by the authority, and the first checkpoint.
  // On failure nothing is left behind.
  static Result<std::unique_ptr<Ledger>> Create(const std::string& path, const InitParams& params,
                                                const Options& options);
  // Opens an existing ledger. The head, the tree's compact range and the chain's last hash are
  // re-derived from what is stored (never taken from a cached value).
  static Result<std::unique_ptr<Ledger>> Open(const std::string& path, const Options& options);

  ~Ledger();  // stops the writer after the queued requests
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Appends a batch atomically. On refusal, the Status message starts with
  // "event <i> (<event id>)" and names the field or rule, nothing is written, and
  // *failed_index (if given) is i.
  Result<std::vector<AppendedEvent>> Append(std::vector<SignedEvent> events,
                                            size_t* failed_index = nullptr);

  // ---- identity
  const std::string& origin() const;
  HashAlgorithm hash_algorithm() const;
  const Hasher& hasher() const;
  const PublicKey& root_key() const;
  const PublicKey& log_key() const;
  const std::string& path() const;

  // ---- reads
  uint64_t size() const;  // committed entries (the tree size)
  Result<EntryView> ReadEntry(uint64_t sequence) const;
  Result<Digest> LeafHash(uint64_t sequence) const;
  // Calls fn for entries [begin, end) in order until it returns false.
  Status ForEachEntry(uint64_t begin, uint64_t end,
                      const std::function<bool(const EntryView&)>& fn) const;
  Result<std::optional<uint64_t>> FindEvent(ByteView event_id) const;
  // The events indexed under `subject` (by the admission rules), in sequence order, with what
  // the index keeps of each: enough to filter by valid time and known-at without reading them.
  struct StreamItem {
    uint64_t sequence = 0;
    Time occurred_at;
    Time recorded_at;
    uint16_t type = 0;  // the EventBody union discriminant
  };
  // Iterators one reader (a query, on one thread) keeps across its scans: creating a RocksDB
  // iterator is much of a short scan's cost. Each iterator reads the tables as they were when
  // it was first used (a query filters what it reads by its known-at size anyway).
  class Cursors {
   public:
    Cursors();
    ~Cursors();
    Cursors(const Cursors&) = delete;
    Cursors& operator=(const Cursors&) = delete;
    struct Impl;  // ledger.cc's

   private:
    friend class Ledger;
    std::unique_ptr<Impl> impl_;
  };
  Result<std::vector<StreamItem>> SubjectStream(std::string_view subject,
                                                Cursors* cursors = nullptr) const;
  // Reads many entries at once (one batched lookup). Missing entries are kCorruption.
  Result<std::vector<EntryView>> ReadEntries(const std::vector<uint64_t>& sequences) const;
  // The same with each entry's body decoded, every one validated (EntryView::Decode,
  // EventView::DecodeBody), in the order asked. Shared: those kept from an earlier read
  // (Options::event_cache_bytes) are not read or validated again; an entry never changes.
  Result<std::vector<std::shared_ptr<const StoredEvent>>> ReadEvents(
      const std::vector<uint64_t>& sequences) const;
  struct EventCacheStats {
    uint64_t hits = 0;    // events ReadEvents found kept
    uint64_t misses = 0;  // events it read and validated
    size_t events = 0;    // kept now
    size_t bytes = 0;     // what they cost the budget
    size_t budget = 0;    // Options::event_cache_bytes
  };
  EventCacheStats event_cache_stats() const;
  // Something a layer above keeps with this ledger while it is open (the projections' lapse
  // memo), made by `make` the first time `name` is asked for, then the same object for every
  // caller and thread. Options::memo_bytes is what it may spend.
  std::shared_ptr<void> Attachment(const std::string& name,
                                   const std::function<std::shared_ptr<void>()>& make) const;
  size_t memo_bytes() const;
  // The number of entries recorded at or before `t` (recordedAt never decreases): the
  // sequence bound of "known at t".
  Result<uint64_t> SizeKnownAt(Time t) const;
  // The key as recorded now (with its validity interval).
  Result<std::optional<KeyInfo>> FindKey(const Digest& key_id) const;
  Result<std::vector<KeyInfo>> AllKeys() const;

  // ---- tree
  Result<Digest> RootAt(uint64_t size) const;
  // REQUIRES nothing: bad arguments give kInvalidArgument.
  Result<InclusionProofData> ProveInclusion(uint64_t sequence, uint64_t tree_size) const;
  Result<ConsistencyProofData> ProveConsistency(uint64_t size1, uint64_t size2) const;

  // ---- checkpoints
  // Signs a checkpoint for the current size unless one exists; returns the one for that size.
  // Refuses (kIntegrityViolation) to sign a root that is not consistent with the latest stored
  // checkpoint. Not available read-only.
  Result<StoredCheckpoint> SignCheckpoint();
  Result<std::optional<StoredCheckpoint>> LatestCheckpoint() const;
  Result<StoredCheckpoint> CheckpointAt(uint64_t size) const;
  Result<std::vector<uint64_t>> CheckpointSizes() const;
  // Stores a cosignature line (C2SP tlog-cosignature) beside the checkpoint of that size.
  Status AddCosignature(uint64_t size, const std::string& line);

  // ---- projections
  // Drops the projection and subject tables and folds the whole log through `admission`
  // again (no signature checks: verify does those). `progress(done, total)` is called as it goes.
  // While it runs, and after one was interrupted until one completes, appends are refused and
  // projections_rebuilding() is true (queries must refuse to read partial tables).
  Status RebuildProjections(Admission& admission,
                            const std::function<void(uint64_t, uint64_t)>& progress);
  bool projections_rebuilding() const;
  // A digest of every projection and subject-index row (a hash chain over the rows in key
  // order): equal digests mean byte-identical tables. `rebuild` prints it before and after.
  Result<Digest> ProjectionDigest() const;
  // Read-only access to the projections column for queries.
  Result<std::optional<Bytes>> GetProjection(ByteView key) const;
  // Many rows at once (RocksDB batches the lookups), in the order of `keys`.
  Result<std::vector<std::optional<Bytes>>> GetProjections(const std::vector<Bytes>& keys) const;
  Status ScanProjections(ByteView prefix,
                         const std::function<bool(ByteView key, ByteView value)>& fn,
                         Cursors* cursors = nullptr) const;

  // ---- storage
  // The database's table files (RocksDB's), every column: how many, and their bytes.
  struct TableFiles {
    uint64_t count = 0, bytes = 0;
  };
  TableFiles Tables() const;
  // Rewrites every column's table files into full-sized files in its last level (a full
  // compaction), as `compact` does: afterwards a read looks in one sorted run per column, and a
  // read-only open has fewer files to open. Reads and writes the whole database once, every
  // time; appends may go on meanwhile. Writable ledgers only.
  Status Compact();
  // The same for the projection and subject-index columns alone: what `rebuild` rewrote, which
  // it leaves as the overlapping table files it loaded (a query then looks in each of them).
  Status CompactProjections();

  // ---- serving: asynchronous append, commit notification, tiles
  // (Used by net/. A server must not block its I/O threads on the group commit.)

  // Called exactly once with what Append would return and, on refusal, the failed index.
  using AppendDone =
      std::function<void(Result<std::vector<AppendedEvent>> result, size_t failed_index)>;
  // Append without waiting. Decoding and signature checks run on the calling thread (and the
  // signature pool) before this returns; `done` is then called either on the calling thread,
  // before AppendAsync returns (refused before sequencing, or shutting down), or on the writer
  // thread once the group commit is durable. `done` runs on the single writer: it must be quick
  // and must not wait for another append.
  void AppendAsync(std::vector<SignedEvent> events, AppendDone done);

  // Calls `listener(size)` on the writer thread after each durable group commit, and on the
  // storing thread after each checkpoint is stored (signed or imported), with the committed size.
  // Listeners must be quick and must not call Add/RemoveCommitListener. Returns an id for
  // RemoveCommitListener, after which the listener is never called again (it may be running
  // until RemoveCommitListener returns).
  uint64_t AddCommitListener(std::function<void(uint64_t size)> listener);
  void RemoveCommitListener(uint64_t id);

  // The stored perfect nodes (RFC 6962 subtree roots) of tree level `level`, indices
  // [first, first + count): node i is MTH(D[i * 2^level : (i + 1) * 2^level]). These are what
  // C2SP tlog-tiles serves. kNotFound unless every node is complete in the committed tree.
  Result<std::vector<Digest>> PerfectNodes(int level, uint64_t first, size_t count) const;

  // ---- mirrors (a verified follower's copy of another ledger)
  // A mirror holds another ledger's entries byte for byte, so its roots and proofs equal the
  // source's. It never signs checkpoints (it has no log key); it stores the source's signed
  // checkpoints after checking them. Open() recognises a mirror folder.

  // Creates a mirror in `path` (absent or empty) from the source's entry 0, checked as the source
  // checked it (canonical form, genesis rules, root key signature). On failure nothing is left.
  static Result<std::unique_ptr<Ledger>> CreateMirror(const std::string& path,
                                                      ByteView genesis_entry,
                                                      const Options& options);
  bool is_mirror() const;
  // Appends the source's entries (canonical Entry bytes, next sequence first) through the single
  // writer with every check of Append (signature under the key valid at that sequence, key
  // rules, admission), plus: the sequence is the next one, prevLeafHash links to the previous
  // entry, recordedAt never decreases, and the bytes are exactly the canonical encoding. Atomic.
  // kIntegrityViolation (or the refusal's code) names the entry; nothing is written.
  // kFailedPrecondition on a ledger that is not a mirror.
  Result<std::vector<AppendedEvent>> AppendVerbatim(std::vector<Bytes> entries,
                                                    size_t* failed_index = nullptr);
  // Stores the source's signed checkpoint (with its cosignatures) after checking: signed by
  // genesis.logKey under the origin; its size is within the mirrored entries and its root is the
  // mirrored tree's root at that size; it is consistent (RFC 9162) with the latest stored
  // checkpoint. kIntegrityViolation when any fails (a forked or rewritten source),
  // kFailedPrecondition when the size is beyond what is mirrored yet, kInvalidArgument when the
  // text is not a checkpoint.
  Result<StoredCheckpoint> ImportCheckpoint(std::string_view note_text);

  // For verify and tests inside ledger/ only.
  internal::Store& store_for_internal_use() const;

  struct Impl;

 private:
  explicit Ledger(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dutyledger

#endif  // DUTYLEDGER_LEDGER_LEDGER_H_
