// The projection rows and subject-index rows of a rebuild, held in memory while the whole log is
// folded again, and loaded into the store as sorted table files (Store::LoadSorted).
//
// A rebuild starts from an empty projections column, so every row the fold reads is one it
// wrote: reads are answered from memory without touching RocksDB. When the rows outgrow their
// budget they are spilled to the store (the rebuild's durable mark covers a crash) and later
// misses fall through to it; a row a miss finds there is then held, and the rows read between
// two spills stay held across the second (up to a quarter of the budget), so that the rows the
// fold keeps asking about (the officials, bodies and enterprises events name) are read from the
// store once, not at every mention (a third as many reads from the store, and a fifth less time,
// folding 1M events in a budget of 32 MiB). Subject-index rows are never read during the fold;
// they are grouped by subject and spilled the same way. Not thread-safe: owned by the rebuild.
#ifndef DUTYLEDGER_LEDGER_INTERNAL_FOLD_ROWS_H_
#define DUTYLEDGER_LEDGER_INTERNAL_FOLD_ROWS_H_

#include <absl/container/btree_map.h>
#include <absl/container/flat_hash_map.h>

#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/internal/store.h"

namespace dutyledger::internal {

// Staged rows in key order; an empty optional is a deletion.
using StagedRows = std::map<Bytes, std::optional<Bytes>, std::less<>>;

// Visits, in key order, every live row with `prefix` of `staged` merged over `base` (which may
// be null: nothing below). Staged rows win over the base's. Stops when `fn` returns false.
Status MergeScan(const StagedRows& staged, Store::Iterator* base, ByteView prefix,
                 const std::function<bool(ByteView key, ByteView value)>& fn);

// The same over any map from key to staged row in key order: `value(mapped)` is the row's
// `const std::optional<Bytes>&` (none: a deletion).
template <typename Map, typename ValueOf>
Status MergeScanOf(const Map& staged, const ValueOf& value, Store::Iterator* base, ByteView prefix,
                   const std::function<bool(ByteView key, ByteView value)>& fn) {
  auto in_prefix = [&](ByteView k) { return k.substr(0, prefix.size()) == prefix; };
  auto st = staged.lower_bound(prefix);
  if (base != nullptr) base->Seek(prefix);
  while (true) {
    bool base_ok = base != nullptr && base->Valid() && in_prefix(base->key());
    bool staged_ok = st != staged.end() && in_prefix(st->first);
    if (!base_ok && !staged_ok) break;
    if (base_ok && (!staged_ok || base->key() < ByteView(st->first))) {
      if (!fn(base->key(), base->value())) return Status::Ok();
      base->Next();
    } else {
      bool same = base_ok && base->key() == ByteView(st->first);
      const std::optional<Bytes>& v = value(st->second);
      if (v && !fn(st->first, *v)) return Status::Ok();
      if (same) base->Next();
      ++st;
    }
  }
  return base != nullptr ? base->status() : Status::Ok();
}

class FoldRows {
 public:
  // `column` must be empty when the fold starts.
  FoldRows(Store* store, Column column, size_t budget_bytes)
      : store_(store), column_(column), budget_(budget_bytes) {}

  // Not const: a row a miss finds in the store is held.
  Result<std::optional<Bytes>> Get(ByteView key);
  void Put(ByteView key, ByteView value);
  void Delete(ByteView key);
  // `fn` must not write rows: a new row moves the B-tree's entries under the scan.
  Status Scan(ByteView prefix, const std::function<bool(ByteView, ByteView)>& fn) const;

  // If they are over budget or `always`: writes the rows changed since the last spill to the
  // store, and forgets all but those read since then (none if `always`).
  Status MaybeSpill(bool always);

  // Reads that fell through to the store (tests and benchmarks).
  uint64_t store_reads() const { return store_reads_; }

 private:
  struct Row {
    Bytes key;
    std::optional<Bytes> value;  // none: a deletion, hiding a row spilled before (or none there)
    bool changed = true;         // since the last spill: else the store holds the same
    bool read = false;           // since the last spill
  };
  static size_t Cost(const Row& row) {
    return kRowOverhead + row.key.size() + (row.value ? row.value->size() : 0);
  }
  // What a held row costs in memory beyond its bytes: its slot (two string headers and flags),
  // the hash index's slot at its load factor and the B-tree's entry at its fill.
  static constexpr size_t kRowOverhead = 136;
  Row* Hold(Row row);
  void Stage(ByteView key, std::optional<Bytes> value);

  Store* store_;
  Column column_;
  size_t budget_;
  size_t bytes_ = 0;
  bool spilled_ = false;  // the store holds rows too
  uint64_t store_reads_ = 0;
  // The rows, at addresses that stay put (a row forgotten by Delete leaves its slot until the
  // spill clears them all). Both maps below view their keys.
  std::deque<Row> storage_;
  // By key, for point reads and writes (in an ordered map alone, each looked up ~20 keys that
  // share long prefixes, a fifth of a rebuild's time).
  absl::flat_hash_map<std::string_view, Row*> index_;
  // In key order, for scans and the spill. A B-tree: as a std::map, inserting each new row in
  // order was a tenth of a rebuild, most of it cache misses.
  absl::btree_map<std::string_view, Row*> order_;
};

// The subject-index rows of a rebuild (Column::kSubjects, FORMAT.md "Storage"): each event's
// rows arrive in sequence order, so grouping them by subject is sorting them by key.
class FoldSubjects {
 public:
  FoldSubjects(Store* store, size_t budget_bytes) : store_(store), budget_(budget_bytes) {}

  // The row of the event at `seq` in `subject`'s stream; `seq` never decreases between calls,
  // and `value` is at most kMaxValue bytes.
  void Add(std::string_view subject, uint64_t seq, ByteView value);
  static constexpr size_t kMaxValue = 23;

  // Writes the rows to the store and forgets them, if they are over budget or `always`.
  Status MaybeSpill(bool always);

 private:
  struct Row {
    uint64_t seq;
    uint8_t size;
    char value[kMaxValue];
  };
  Store* store_;
  size_t budget_;
  size_t bytes_ = 0;
  // Looked up by string_view (absl's string hashing is transparent): no string is built for
  // the subjects already seen. Open addressing: as a std::unordered_map, its lookups were a
  // tenth of a rebuild.
  absl::flat_hash_map<std::string, std::vector<Row>> streams_;
};

}  // namespace dutyledger::internal

#endif  // DUTYLEDGER_LEDGER_INTERNAL_FOLD_ROWS_H_
