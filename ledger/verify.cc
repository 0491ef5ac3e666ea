#include "ledger/verify.h"

#include <algorithm>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "ledger/codec.h"
#include "ledger/internal/entry_checks.h"
#include "ledger/internal/identity.h"
#include "ledger/internal/ordered_pipeline.h"
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

struct Finding {
  StatusCode code = StatusCode::kOk;
  uint64_t sequence = 0;
  std::string where;
  std::string reason;
};

Finding EntryFinding(uint64_t seq, StatusCode code, std::string reason) {
  return Finding{code, seq, "entry " + std::to_string(seq), std::move(reason)};
}

struct ChunkResult {
  uint64_t begin = 0;
  std::vector<internal::CheckedEntry> entries;  // entries[0 .. first error)
  std::optional<Finding> error;                 // the first problem the worker found in the chunk
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
                                           const std::vector<internal::CheckedEntry>& entries);
  std::optional<Finding> Consume(ChunkResult& chunk);
  std::optional<Finding> Finish();
  std::optional<Finding> CheckTrusted();

  const Store& store_;
  const VerifyOptions& options_;
  Hasher hasher_;
  internal::LedgerIdentity identity_;
  uint64_t n_ = 0;

  // Read-only after setup; used by workers.
  internal::KeyHints key_hints_;

  // Consumer state.
  internal::RebuiltKeys keys_;
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
  auto body = EventView::DecodeBody(*entry);
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
  auto it = store_.NewIterator(Column::kKeys, Store::Scan::kLong);
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
  auto it = store_.NewIterator(Column::kEntries, Store::Scan::kLong);
  it->Seek(internal::SequenceKey(begin));
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
    auto checked = internal::CheckEntry(*entry, identity_.origin, hasher_, key_hints_);
    if (!checked.ok()) {
      fail(checked.status().code(), checked.status().message());
      break;
    }
    // The event-id index must point back at this entry (checked below, in one batch).
    event_ids.push_back(checked->event_id);
    out->entries.push_back(std::move(*checked));
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

std::optional<Finding> Verifier::CheckNodesInChunk(
    uint64_t begin, uint64_t end, const std::vector<internal::CheckedEntry>& entries) {
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
  auto it = store_.NewIterator(Column::kMerkle, Store::Scan::kLong);
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
    internal::CheckedEntry& r = chunk.entries[i];
    Status replayed = internal::ReplayEntry(
        s, r, s == 0 ? std::nullopt : std::optional<Digest>(last_leaf_),
        s == 0 ? std::nullopt : std::optional<Time>(last_recorded_at_), keys_, "in this ledger");
    if (!replayed.ok()) return EntryFinding(s, replayed.code(), replayed.message());
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
  auto kit = store_.NewIterator(Column::kKeys, Store::Scan::kLong);
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
  auto iit = store_.NewIterator(Column::kEventIds, Store::Scan::kLong);
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
            auto b = EventView::DecodeBody(*e);
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
  if (cp->size == 0) {
    // Every tree extends the empty one, whose root is H("") (FORMAT.md §5).
    if (cp->root == hasher_.EmptyRoot()) return std::nullopt;
    return fail("is for size 0 but its root is not the empty tree's");
  }
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

  auto it = store_.NewIterator(Column::kEntries, Store::Scan::kLong);
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
  std::optional<Finding> finding;
  internal::OrderedPipeline<uint64_t, std::unique_ptr<ChunkResult>> pipeline;
  pipeline.take = [&](uint64_t c) {
    return c < chunks ? std::optional<uint64_t>(c) : std::nullopt;
  };
  pipeline.work = [&](uint64_t c, uint64_t&) {
    return CheckChunk(c * kChunk, std::min(n_, (c + 1) * kChunk));
  };
  pipeline.consume = [&](uint64_t, std::unique_ptr<ChunkResult>& chunk) {
    finding = Consume(*chunk);
    if (options_.progress) options_.progress(checked_, n_);
    return !finding;
  };
  pipeline.Run(threads, threads * 2);
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
