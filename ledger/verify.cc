#include "ledger/verify.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "ledger/codec.h"
#include "ledger/internal/identity.h"
#include "ledger/internal/store.h"
#include "ledger/merkle.h"
#include "ledger/schema/event.capnp.h"

namespace dutyledger {

using internal::Column;
using internal::Store;

namespace {

// Entries are checked in chunks of 2^kChunkLevel; workers check tree nodes up to that level.
constexpr int kChunkLevel = 12;
constexpr uint64_t kChunk = uint64_t{1} << kChunkLevel;

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

struct Finding {
  StatusCode code = StatusCode::kOk;
  uint64_t sequence = 0;
  std::string where;
  std::string reason;
};

Finding EntryFinding(uint64_t seq, StatusCode code, std::string reason) {
  return Finding{code, seq, "entry " + std::to_string(seq), std::move(reason)};
}

struct EntryResult {
  Digest leaf;
  Digest prev;
  Digest signer;
  Time recorded_at;
  bool signature_checked = false;      // verified with a key whose id is `signer`
  std::optional<EventView> key_event;  // genesis / keyBound / keyRevoked, for the key table
  Bytes body;                          // only when the signature could not be checked yet
  Bytes signature;
};

struct ChunkResult {
  uint64_t begin = 0;
  std::vector<EntryResult> entries;  // entries[0 .. first error)
  std::optional<Finding> error;      // the first problem the worker found in the chunk
};

// The key table as verify rebuilds it from the log.
class RebuiltKeys final : public internal::KeyTable {
 public:
  Result<std::optional<KeyInfo>> Find(const Digest& id) const override {
    auto it = keys_.find(id);
    if (it == keys_.end()) return std::optional<KeyInfo>();
    return std::optional<KeyInfo>(it->second);
  }
  void Save(const KeyInfo& info) override { keys_.insert_or_assign(info.key.id(), info); }
  const std::unordered_map<Digest, KeyInfo, DigestHash>& all() const { return keys_; }

 private:
  std::unordered_map<Digest, KeyInfo, DigestHash> keys_;
};

class Verifier {
 public:
  Verifier(const Store& store, const VerifyOptions& options) : store_(store), options_(options) {}

  Result<VerifyReport> Run();

 private:
  std::optional<Finding> ReadGenesis();
  void LoadKeyHints();
  std::unique_ptr<ChunkResult> CheckChunk(uint64_t begin, uint64_t end);
  std::optional<Finding> CheckNodesInChunk(uint64_t begin, uint64_t end,
                                           const std::vector<EntryResult>& entries);
  std::optional<Finding> Consume(ChunkResult& chunk);
  std::optional<Finding> Finish();
  std::optional<Finding> CheckTrusted();

  const Store& store_;
  const VerifyOptions& options_;
  Hasher hasher_;
  internal::LedgerIdentity identity_;
  uint64_t n_ = 0;

  // Read-only after setup; used by workers.
  std::unordered_map<Digest, PublicKey, DigestHash> key_hints_;

  // Consumer state.
  RebuiltKeys keys_;
  CompactRange range_;
  Digest last_leaf_;
  Time last_recorded_at_{INT64_MIN, 0};
  std::map<uint64_t, Checkpoint> checkpoints_;  // size -> parsed, signature checked
  std::vector<Finding> checkpoint_problems_;
  uint64_t checked_ = 0;
};

std::optional<Finding> Verifier::ReadGenesis() {
  auto row = store_.Get(Column::kEntries, internal::SequenceKey(0));
  if (!row.ok()) return EntryFinding(0, row.status().code(), row.status().message());
  if (!*row) return EntryFinding(0, StatusCode::kIntegrityViolation, "missing (no genesis)");
  auto entry = EntryView::Decode(**row);
  if (!entry.ok()) return EntryFinding(0, StatusCode::kCorruption, entry.status().message());
  auto body = EventView::Decode(entry->body_bytes());
  if (!body.ok()) return EntryFinding(0, StatusCode::kCorruption, body.status().message());
  auto id = internal::IdentityFromGenesis(*body);
  if (!id.ok()) return EntryFinding(0, StatusCode::kIntegrityViolation, id.status().message());
  identity_ = *id;
  hasher_ = Hasher(identity_.hash_algorithm);
  return std::nullopt;
}

void Verifier::LoadKeyHints() {
  // Key material from the key table is only a hint: a row is used only if its key hashes to the
  // id it is filed under, so a signature checked with it is a signature by that key id. Whether
  // that key could sign at that sequence is decided by the key table rebuilt from the log.
  key_hints_.emplace(identity_.root_key->id(), *identity_.root_key);
  auto it = store_.NewIterator(Column::kKeys);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto info = internal::DecodeKeyRecord(it->value());
    if (info.ok() && info->key.id().view() == it->key()) {
      key_hints_.emplace(info->key.id(), info->key);
    }
  }
}

std::unique_ptr<ChunkResult> Verifier::CheckChunk(uint64_t begin, uint64_t end) {
  auto out = std::make_unique<ChunkResult>();
  out->begin = begin;
  out->entries.reserve(end - begin);
  std::vector<Bytes> event_ids;
  event_ids.reserve(end - begin);
  auto it = store_.NewIterator(Column::kEntries);
  it->Seek(internal::SequenceKey(begin));
  const int64_t no_future_check = INT64_MAX / 4;
  for (uint64_t s = begin; s < end; ++s, it->Next()) {
    auto fail = [&](StatusCode code, std::string reason) {
      out->error = EntryFinding(s, code, std::move(reason));
    };
    if (!it->Valid() || it->key().size() != 8 || GetBigEndian64(it->key()) != s) {
      Status st = it->status();
      if (!st.ok()) {
        fail(st.code(), st.message());
      } else if (it->Valid() && it->key().size() == 8 && GetBigEndian64(it->key()) < end) {
        fail(StatusCode::kIntegrityViolation, "missing (the next stored entry is " +
                                                  std::to_string(GetBigEndian64(it->key())) + ")");
      } else {
        fail(StatusCode::kIntegrityViolation, "missing");
      }
      break;
    }
    auto entry = EntryView::Decode(it->value());
    if (!entry.ok()) {
      fail(StatusCode::kCorruption, entry.status().message());
      break;
    }
    if (entry->sequence() != s) {
      fail(StatusCode::kIntegrityViolation,
           "stored under sequence " + std::to_string(s) + " but records sequence " +
               std::to_string(entry->sequence()) + " (entries moved or swapped)");
      break;
    }
    auto body = EventView::Decode(entry->body_bytes());
    if (!body.ok()) {
      fail(StatusCode::kCorruption, body.status().message());
      break;
    }
    Status env = internal::CheckEnvelope(*body, identity_.origin,
                                         ReadTime(entry->entry().getRecordedAt()), no_future_check);
    if (!env.ok()) {
      fail(StatusCode::kIntegrityViolation, env.message());
      break;
    }
    auto prev = Digest::FromBytes(AsView(entry->entry().getPrevLeafHash()));
    if (!prev) {
      fail(StatusCode::kIntegrityViolation, "prevLeafHash is not 32 bytes");
      break;
    }
    EntryResult r;
    r.leaf = hasher_.LeafHash(entry->bytes());
    r.prev = *prev;
    r.signer = *Digest::FromBytes(AsView(body->body().getSignerKeyId()));
    r.recorded_at = ReadTime(entry->entry().getRecordedAt());
    auto hint = key_hints_.find(r.signer);
    if (hint != key_hints_.end()) {
      if (!hint->second.Verify(EventSigningMessage(entry->body_bytes()), entry->signature())) {
        fail(StatusCode::kIntegrityViolation, "signature does not verify under key " +
                                                  r.signer.Hex().substr(0, 16) +
                                                  " named in signerKeyId");
        break;
      }
      r.signature_checked = true;
    } else {
      r.body = Bytes(entry->body_bytes());
      r.signature = Bytes(entry->signature());
    }
    // The event-id index must point back at this entry (checked below, in one batch).
    event_ids.emplace_back(AsView(body->body().getEventId()));
    auto which = body->body().which();
    if (which == schema::EventBody::GENESIS || which == schema::EventBody::KEY_BOUND ||
        which == schema::EventBody::KEY_REVOKED) {
      r.key_event.emplace(std::move(*body));
    }
    out->entries.push_back(std::move(r));
  }
  auto rows = store_.MultiGet(Column::kEventIds, event_ids);
  for (size_t i = 0; i < event_ids.size(); ++i) {
    uint64_t s = begin + i;
    std::optional<Finding> bad;
    if (!rows.ok()) {
      bad = EntryFinding(s, rows.status().code(), rows.status().message());
    } else if (!(*rows)[i]) {
      bad = EntryFinding(s, StatusCode::kIntegrityViolation,
                         "event-id index has no row for its event id");
    } else if ((*rows)[i]->size() != 8 || GetBigEndian64(*(*rows)[i]) != s) {
      bad = EntryFinding(
          s, StatusCode::kIntegrityViolation,
          "event-id index row for its event id points at " +
              ((*rows)[i]->size() == 8 ? "entry " + std::to_string(GetBigEndian64(*(*rows)[i]))
                                       : std::string("a malformed value")) +
              " (altered index row, or a duplicate event id)");
    }
    if (bad) {
      if (!out->error || bad->sequence < out->error->sequence) out->error = bad;
      out->entries.resize(i);
      break;
    }
  }
  if (auto node_error = CheckNodesInChunk(begin, begin + out->entries.size(), out->entries)) {
    if (!out->error || node_error->sequence < out->error->sequence) out->error = node_error;
  }
  return out;
}

std::optional<Finding> Verifier::CheckNodesInChunk(uint64_t begin, uint64_t end,
                                                   const std::vector<EntryResult>& entries) {
  // Recompute the perfect nodes of levels 0..kChunkLevel inside [begin, end) and compare them
  // with the tree rows of those leaves (levels above are checked by the consumer).
  std::vector<std::vector<Digest>> levels(1);
  levels[0].reserve(entries.size());
  for (const auto& e : entries) levels[0].push_back(e.leaf);
  for (int l = 1; l <= kChunkLevel && levels.back().size() > 1; ++l) {
    const auto& below = levels.back();
    std::vector<Digest> up;
    for (size_t i = 0; i + 1 < below.size(); i += 2)
      up.push_back(hasher_.NodeHash(below[i], below[i + 1]));
    levels.push_back(std::move(up));
  }
  auto it = store_.NewIterator(Column::kMerkle);
  it->Seek(internal::SequenceKey(begin));
  for (uint64_t leaf = begin; leaf < end; ++leaf, it->Next()) {
    if (!it->Valid() || it->key() != ByteView(internal::SequenceKey(leaf))) {
      Status st = it->status();
      it->Seek(internal::SequenceKey(leaf));  // keep the position for the next leaf
      it->Prev();
      return Finding{StatusCode::kIntegrityViolation, leaf,
                     "tree row for entry " + std::to_string(leaf),
                     st.ok() ? "is missing" : st.message()};
    }
    ByteView row = it->value();
    size_t hashes = internal::TreeRowHashes(leaf);
    if (row.size() != hashes * Digest::kSize) {
      return Finding{StatusCode::kIntegrityViolation, leaf,
                     "tree row for entry " + std::to_string(leaf),
                     "holds " + std::to_string(row.size()) + " bytes, not " +
                         std::to_string(hashes * Digest::kSize)};
    }
    for (size_t l = 0; l < hashes && l < levels.size(); ++l) {
      uint64_t index = (leaf >> l) - (begin >> l);
      if (index >= levels[l].size()) break;
      if (row.substr(l * Digest::kSize, Digest::kSize) == levels[l][index].view()) continue;
      if (l == 0) {
        // The entry and its leaf hash disagree: name the entry (either may have been altered).
        return EntryFinding(leaf, StatusCode::kIntegrityViolation,
                            "its leaf hash differs from the stored tree row: the entry or the "
                            "tree row was altered");
      }
      uint64_t node = leaf >> l;
      return Finding{StatusCode::kIntegrityViolation, leaf,
                     "tree node level " + std::to_string(l) + " index " + std::to_string(node),
                     "stored hash differs from the hash recomputed from the entries (covers "
                     "entries " +
                         std::to_string(node << l) + ".." + std::to_string(leaf) + ")"};
    }
  }
  return std::nullopt;
}

std::optional<Finding> Verifier::Consume(ChunkResult& chunk) {
  uint64_t stop = chunk.error ? chunk.error->sequence : chunk.begin + chunk.entries.size();
  for (size_t i = 0; i < chunk.entries.size() && chunk.begin + i < stop; ++i) {
    uint64_t s = chunk.begin + i;
    EntryResult& r = chunk.entries[i];
    Digest want_prev = s == 0 ? Digest() : last_leaf_;
    if (r.prev != want_prev) {
      return EntryFinding(s, StatusCode::kIntegrityViolation,
                          s == 0 ? "prevLeafHash of entry 0 is not all zeros"
                                 : "chain broken: prevLeafHash is not the leaf hash of entry " +
                                       std::to_string(s - 1));
    }
    if (r.recorded_at < last_recorded_at_) {
      return EntryFinding(
          s, StatusCode::kIntegrityViolation,
          "recordedAt " + FormatRfc3339(r.recorded_at) + " is earlier than the previous entry's");
    }
    // The signer's key as the log itself bound it.
    std::optional<KeyInfo> signer_storage;
    if (s == 0) {
      if (!r.key_event) {
        return EntryFinding(0, StatusCode::kIntegrityViolation, "is not the genesis event");
      }
      auto resolved = internal::ResolveSigner(*r.key_event, 0, keys_);
      if (!resolved.ok()) {
        return EntryFinding(0, StatusCode::kIntegrityViolation, resolved.status().message());
      }
      signer_storage = *resolved;
    } else {
      auto found = keys_.Find(r.signer);
      if (!found.ok() || !*found) {
        return EntryFinding(
            s, StatusCode::kIntegrityViolation,
            "signer key " + r.signer.Hex().substr(0, 16) + " was never bound in this ledger");
      }
      signer_storage = **found;
      const KeyInfo& signer = *signer_storage;
      if (!signer.ValidAt(s)) {
        return EntryFinding(
            s, StatusCode::kIntegrityViolation,
            "signer key " + r.signer.Hex().substr(0, 16) + " (" + signer.principal +
                ") was not valid at this entry (valid from " + std::to_string(signer.valid_from) +
                " until " +
                (signer.valid_until == kNeverRevoked ? std::string("never revoked")
                                                     : std::to_string(signer.valid_until)) +
                ")");
      }
    }
    const KeyInfo& signer = *signer_storage;
    if (!r.signature_checked) {
      if (!signer.key.Verify(EventSigningMessage(r.body), r.signature)) {
        return EntryFinding(s, StatusCode::kIntegrityViolation,
                            "signature does not verify under key " + r.signer.Hex().substr(0, 16) +
                                " named in signerKeyId");
      }
    }
    if (r.key_event) {
      Status applied = internal::ApplyIdentityRules(
          *r.key_event, s, signer, keys_,
          // Key events by non-root keys were authorized by the domain at append time.
          [](std::string_view) { return Status::Ok(); });
      if (!applied.ok()) {
        return EntryFinding(s, StatusCode::kIntegrityViolation, applied.message());
      }
    } else if (s == 0) {
      return EntryFinding(0, StatusCode::kIntegrityViolation, "is not the genesis event");
    }
    // The tree: nodes above the chunk level are checked here, below it by the workers.
    std::optional<Finding> node_problem;
    range_.Append(hasher_, r.leaf, [&](int level, uint64_t index, const Digest& h) {
      if (level <= kChunkLevel || node_problem) return;
      uint64_t leaf = internal::TreeRowLeaf(level, index);
      auto row = store_.Get(Column::kMerkle, internal::SequenceKey(leaf));
      size_t at = static_cast<size_t>(level) * Digest::kSize;
      if (!row.ok() || !*row || (*row)->size() < at + Digest::kSize ||
          ByteView(**row).substr(at, Digest::kSize) != h.view()) {
        node_problem =
            Finding{StatusCode::kIntegrityViolation, s,
                    "tree node level " + std::to_string(level) + " index " + std::to_string(index),
                    std::string("stored hash ") +
                        (row.ok() && *row ? "differs from the recomputed one" : "is missing")};
      }
    });
    if (node_problem) return node_problem;
    last_leaf_ = r.leaf;
    last_recorded_at_ = r.recorded_at;
    ++checked_;
    // Every checkpoint signed at this size must carry this root.
    auto cp = checkpoints_.find(s + 1);
    if (cp != checkpoints_.end()) {
      Digest root = range_.Root(hasher_);
      if (root != cp->second.root) {
        return Finding{StatusCode::kIntegrityViolation, s, "checkpoint " + std::to_string(s + 1),
                       "its signed root " + cp->second.root.Base64() +
                           " is not the root of the stored entries " + root.Base64() +
                           " (history rewritten?)"};
      }
    }
  }
  if (chunk.error) return chunk.error;
  return std::nullopt;
}

std::optional<Finding> Verifier::Finish() {
  // Checkpoints beyond the stored entries: the tail was cut off.
  for (const auto& [size, cp] : checkpoints_) {
    if (size > n_) {
      return Finding{StatusCode::kIntegrityViolation, n_, "entry " + std::to_string(n_),
                     "missing: checkpoint " + std::to_string(size) + " was signed over " +
                         std::to_string(size) + " entries but only " + std::to_string(n_) +
                         " are stored (truncated tail)"};
    }
  }
  if (!checkpoint_problems_.empty()) return checkpoint_problems_.front();
  // No tree row beyond the tree.
  {
    auto it = store_.NewIterator(Column::kMerkle);
    it->Seek(internal::SequenceKey(n_));
    if (it->Valid()) {
      uint64_t leaf = it->key().size() == 8 ? GetBigEndian64(it->key()) : n_;
      return Finding{StatusCode::kIntegrityViolation, n_,
                     "tree row for entry " + std::to_string(leaf),
                     "exists beyond the " + std::to_string(n_) +
                         " stored entries (entries removed from the tail?)"};
    }
  }
  // Key table rows must be exactly the rebuilt key table.
  size_t rows = 0;
  auto kit = store_.NewIterator(Column::kKeys);
  for (kit->SeekToFirst(); kit->Valid(); kit->Next(), ++rows) {
    auto id = Digest::FromBytes(kit->key());
    auto stored = internal::DecodeKeyRecord(kit->value());
    auto want = id ? keys_.Find(*id) : Result<std::optional<KeyInfo>>(std::optional<KeyInfo>());
    bool same = stored.ok() && want.ok() && *want && stored->key.id() == (*want)->key.id() &&
                stored->principal == (*want)->principal &&
                stored->valid_from == (*want)->valid_from &&
                stored->valid_until == (*want)->valid_until && stored->is_root == (*want)->is_root;
    if (!same) {
      uint64_t seq = want.ok() && *want ? (*want)->valid_from : n_;
      return Finding{StatusCode::kIntegrityViolation, seq == 0 ? 0 : seq - 1, "key table",
                     "row for key " + HexEncode(kit->key()).substr(0, 16) +
                         " does not match the key events in the log"};
    }
  }
  if (rows != keys_.all().size()) {
    return Finding{StatusCode::kIntegrityViolation, n_, "key table",
                   std::to_string(rows) + " rows but the log binds " +
                       std::to_string(keys_.all().size()) + " keys"};
  }
  // The event-id index has exactly one row per entry.
  uint64_t id_rows = 0;
  auto iit = store_.NewIterator(Column::kEventIds);
  for (iit->SeekToFirst(); iit->Valid(); iit->Next()) ++id_rows;
  if (id_rows != n_) {
    // Find the row that points nowhere sensible.
    for (iit->SeekToFirst(); iit->Valid(); iit->Next()) {
      uint64_t seq = iit->value().size() == 8 ? GetBigEndian64(iit->value()) : n_;
      bool good = false;
      if (seq < n_) {
        auto row = store_.Get(Column::kEntries, internal::SequenceKey(seq));
        if (row.ok() && *row) {
          auto e = EntryView::Decode(**row);
          if (e.ok()) {
            auto b = EventView::Decode(e->body_bytes());
            good = b.ok() && AsView(b->body().getEventId()) == iit->key();
          }
        }
      }
      if (!good) {
        return Finding{
            StatusCode::kIntegrityViolation, seq < n_ ? seq : n_, "event-id index",
            "row for event " + HexEncode(iit->key()) + " does not belong to any entry (added row)"};
      }
    }
    return Finding{StatusCode::kIntegrityViolation, n_, "event-id index",
                   std::to_string(id_rows) + " rows for " + std::to_string(n_) + " entries"};
  }
  return CheckTrusted();
}

std::optional<Finding> Verifier::CheckTrusted() {
  if (!options_.trusted_checkpoint) return std::nullopt;
  const SignedNote& note = *options_.trusted_checkpoint;
  Status sig = VerifyNoteSignature(note, identity_.origin, *identity_.log_key);
  auto cp = ParseCheckpointBody(note.body);
  auto fail = [&](std::string why) {
    return Finding{StatusCode::kIntegrityViolation, n_, "trusted checkpoint", std::move(why)};
  };
  if (!cp.ok()) return fail(cp.status().message());
  if (cp->origin != identity_.origin) {
    return fail("is for origin '" + cp->origin + "', not this ledger's '" + identity_.origin + "'");
  }
  if (!sig.ok()) return fail("not signed by this ledger's log key: " + sig.message());
  if (cp->size > n_) {
    return fail("covers " + std::to_string(cp->size) + " entries but the ledger holds only " +
                std::to_string(n_) + " (an older copy restored, or entries removed)");
  }
  class Nodes final : public NodeReader {
   public:
    explicit Nodes(const Store& s) : s_(s) {}
    Result<Digest> PerfectNode(int level, uint64_t index) const override {
      uint64_t leaf = internal::TreeRowLeaf(level, index);
      auto row = s_.Get(Column::kMerkle, internal::SequenceKey(leaf));
      if (!row.ok()) return row.status();
      size_t at = static_cast<size_t>(level) * Digest::kSize;
      if (!*row || (*row)->size() < at + Digest::kSize) return Corruption("tree node missing");
      return *Digest::FromBytes(ByteView(**row).substr(at, Digest::kSize));
    }

   private:
    const Store& s_;
  } nodes(store_);
  if (cp->size == 0) return std::nullopt;
  auto root = RangeRoot(hasher_, nodes, 0, cp->size);
  if (!root.ok()) return fail(root.status().message());
  if (*root != cp->root) {
    return fail("its root at size " + std::to_string(cp->size) +
                " differs from this ledger's: the history was rewritten (a fork)");
  }
  return std::nullopt;
}

Result<VerifyReport> Verifier::Run() {
  VerifyReport report;
  auto finish = [&](std::optional<Finding> f) -> Result<VerifyReport> {
    report.entries = checked_;
    report.checkpoints = checkpoints_.size();
    report.keys = keys_.all().size();
    if (f) {
      report.ok = false;
      report.code = f->code;
      report.sequence = f->sequence;
      report.where = f->where;
      report.reason = f->reason;
    } else {
      report.root_base64 = range_.Root(hasher_).Base64();
    }
    return report;
  };
  if (auto f = ReadGenesis()) return finish(f);

  auto it = store_.NewIterator(Column::kEntries);
  it->SeekToLast();
  RETURN_IF_ERROR(it->status());
  if (!it->Valid() || it->key().size() != 8)
    return finish(EntryFinding(0, StatusCode::kCorruption, "entries table is empty"));
  n_ = GetBigEndian64(it->key()) + 1;

  // Checkpoints: parse and check the log's signature up front; roots are checked in order.
  auto cit = store_.NewIterator(Column::kCheckpoints);
  for (cit->SeekToFirst(); cit->Valid(); cit->Next()) {
    uint64_t size = cit->key().size() == 8 ? GetBigEndian64(cit->key()) : 0;
    std::string where = "checkpoint " + std::to_string(size);
    auto note = ParseSignedNote(cit->value());
    if (!note.ok()) {
      checkpoint_problems_.push_back(
          Finding{StatusCode::kCorruption, size, where, note.status().message()});
      continue;
    }
    Status sig = VerifyNoteSignature(*note, identity_.origin, *identity_.log_key);
    auto cp = ParseCheckpointBody(note->body);
    if (!sig.ok() || !cp.ok() || cp->size != size || cp->origin != identity_.origin) {
      checkpoint_problems_.push_back(
          Finding{StatusCode::kIntegrityViolation, size, where,
                  !sig.ok()  ? sig.message()
                  : !cp.ok() ? cp.status().message()
                             : "stored under size " + std::to_string(size) + " but says size " +
                                   std::to_string(cp->size)});
      continue;
    }
    checkpoints_.emplace(size, *cp);
  }
  RETURN_IF_ERROR(cit->status());
  LoadKeyHints();

  // Workers check chunks ahead of the consumer, which takes them in order.
  uint64_t chunks = (n_ + kChunk - 1) / kChunk;
  size_t threads = options_.threads > 0 ? static_cast<size_t>(options_.threads)
                                        : std::max(1u, std::thread::hardware_concurrency());
  const uint64_t window = threads * 2;
  std::mutex mu;  // guards results, consumed, stop
  std::condition_variable cv;
  std::map<uint64_t, std::unique_ptr<ChunkResult>> results;
  uint64_t consumed = 0;
  bool stop = false;
  std::atomic<uint64_t> next{0};
  std::vector<std::thread> workers;
  for (size_t t = 0; t < threads; ++t) {
    workers.emplace_back([&]() {
      while (true) {
        uint64_t c = next.fetch_add(1);
        if (c >= chunks) return;
        {
          std::unique_lock<std::mutex> l(mu);
          cv.wait(l, [&] { return stop || c < consumed + window; });
          if (stop) return;
        }
        auto r = CheckChunk(c * kChunk, std::min(n_, (c + 1) * kChunk));
        std::lock_guard<std::mutex> l(mu);
        results[c] = std::move(r);
        cv.notify_all();
      }
    });
  }
  std::optional<Finding> finding;
  for (uint64_t c = 0; c < chunks && !finding; ++c) {
    std::unique_ptr<ChunkResult> chunk;
    {
      std::unique_lock<std::mutex> l(mu);
      cv.wait(l, [&] { return results.count(c) > 0; });
      chunk = std::move(results[c]);
      results.erase(c);
    }
    finding = Consume(*chunk);
    {
      std::lock_guard<std::mutex> l(mu);
      consumed = c + 1;
      if (finding) stop = true;
    }
    cv.notify_all();
    if (options_.progress) options_.progress(checked_, n_);
  }
  {
    std::lock_guard<std::mutex> l(mu);
    stop = true;
  }
  cv.notify_all();
  for (auto& w : workers) w.join();
  if (!finding) finding = Finish();
  return finish(finding);
}

}  // namespace

std::string VerifyReport::Summary() const {
  if (!ok) return where + ": " + reason;
  return "ok: " + std::to_string(entries) + " entries, " + std::to_string(checkpoints) +
         " checkpoints, " + std::to_string(keys) + " keys; root " + root_base64;
}

Result<VerifyReport> VerifyLedgerFolder(const std::string& path, const VerifyOptions& options) {
  Store::Options so;
  so.read_only = true;
  ASSIGN_OR_RETURN(auto store, Store::Open(path, so));
  Verifier verifier(*store, options);
  return verifier.Run();
}

}  // namespace dutyledger
