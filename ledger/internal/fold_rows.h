// The projection rows of a rebuild, held in memory while the whole log is folded again.
//
// A rebuild starts from an empty projections column, so every row the fold reads is one it
// wrote: reads are answered from memory without touching RocksDB. When the rows outgrow their
// budget they are spilled to the store (unlogged: the rebuild's durable mark covers a crash)
// and later misses fall through to it. Not thread-safe: owned by the rebuild.
#ifndef DUTYLEDGER_LEDGER_INTERNAL_FOLD_ROWS_H_
#define DUTYLEDGER_LEDGER_INTERNAL_FOLD_ROWS_H_

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string_view>
#include <unordered_map>

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

  // Writes the rows to the store (unlogged) and forgets them, if they are over budget or
  // `always`.
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

}  // namespace dutyledger::internal

#endif  // DUTYLEDGER_LEDGER_INTERNAL_FOLD_ROWS_H_
