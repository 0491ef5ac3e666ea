// The projection rows and subject-index rows of a rebuild, held in memory while the whole log is
// folded again, and loaded into the store as sorted table files (Store::LoadSorted).
//
// A rebuild starts from an empty projections column, so every row the fold reads is one it
// wrote: reads are answered from memory without touching RocksDB. When the rows outgrow their
// budget they are spilled to the store (the rebuild's durable mark covers a crash) and later
// misses fall through to it. Subject-index rows are never read during the fold; they are
// grouped by subject and spilled the same way. Not thread-safe: owned by the rebuild.
#ifndef DUTYLEDGER_LEDGER_INTERNAL_FOLD_ROWS_H_
#define DUTYLEDGER_LEDGER_INTERNAL_FOLD_ROWS_H_

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ledger/internal/store.h"

namespace dutyledger::internal {

// Staged rows in key order; an empty optional is a deletion.
using StagedRows = std::map<Bytes, std::optional<Bytes>, std::less<>>;

// Visits, in key order, every live row with `prefix` of `staged` merged over `base` (which may
// be null: nothing below). Staged rows win over the base's. Stops when `fn` returns false.
Status MergeScan(const StagedRows& staged, Store::Iterator* base, ByteView prefix,
                 const std::function<bool(ByteView key, ByteView value)>& fn);

class FoldRows {
 public:
  // `column` must be empty when the fold starts.
  FoldRows(Store* store, Column column, size_t budget_bytes)
      : store_(store), column_(column), budget_(budget_bytes) {}

  Result<std::optional<Bytes>> Get(ByteView key) const;
  void Put(ByteView key, ByteView value);
  void Delete(ByteView key);
  Status Scan(ByteView prefix, const std::function<bool(ByteView, ByteView)>& fn) const;

  // Writes the rows to the store and forgets them, if they are over budget or `always`.
  Status MaybeSpill(bool always);

 private:
  void Stage(ByteView key, std::optional<Bytes> value);

  Store* store_;
  Column column_;
  size_t budget_;
  size_t bytes_ = 0;
  bool spilled_ = false;  // the store holds rows too
  StagedRows rows_;
  // The same rows by key, for point reads and writes: in the ordered map alone, each looked up
  // ~20 keys that share long prefixes, a fifth of a rebuild's time. Keys view rows_'s own.
  std::unordered_map<std::string_view, StagedRows::iterator> index_;
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
  // Looked up by string_view: no string is built for the subjects already seen.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, std::vector<Row>, Hash, std::equal_to<>> streams_;
};

}  // namespace dutyledger::internal

#endif  // DUTYLEDGER_LEDGER_INTERNAL_FOLD_ROWS_H_
