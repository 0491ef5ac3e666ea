// Staged writes over the store, so that one request of a group commit can be refused and
// dropped while the others go on. Not thread-safe: owned by the single writer.
#ifndef DUTYLEDGER_LEDGER_INTERNAL_TXN_H_
#define DUTYLEDGER_LEDGER_INTERNAL_TXN_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "ledger/internal/fold_rows.h"
#include "ledger/internal/store.h"

namespace dutyledger::internal {

class Txn {
 public:
  // Reads fall through to `parent` (if any), then to `store`.
  Txn(const Store* store, Txn* parent) : store_(store), parent_(parent) {}

  Result<std::optional<Bytes>> Get(Column c, ByteView key) const;
  // Only the staged rows of this and its ancestors: nullopt when nothing is staged for the key;
  // a staged deletion is an engaged empty optional.
  std::optional<std::optional<Bytes>> GetStaged(Column c, ByteView key) const;
  void Put(Column c, ByteView key, ByteView value) { writes_[{c, Bytes(key)}] = Bytes(value); }
  void Delete(Column c, ByteView key) { writes_[{c, Bytes(key)}] = std::nullopt; }

  // Visits, in key order, every live row of `c` whose key starts with `prefix`, merging staged
  // writes with the store. Stops early when `fn` returns false.
  Status ScanPrefix(Column c, ByteView prefix,
                    const std::function<bool(ByteView key, ByteView value)>& fn) const;

  // Moves the staged writes into the parent. REQUIRES: parent != nullptr.
  void MergeIntoParent();
  void AddTo(Store::Batch& batch) const;
  bool empty() const { return writes_.empty(); }
  void Clear() { writes_.clear(); }

 private:
  using Key = std::pair<Column, Bytes>;
  // Collects staged rows of this and every ancestor (nearest wins) with the prefix.
  void CollectStaged(Column c, ByteView prefix, StagedRows* out) const;

  const Store* store_;
  Txn* parent_;
  std::map<Key, std::optional<Bytes>> writes_;
};

}  // namespace dutyledger::internal

#endif  // DUTYLEDGER_LEDGER_INTERNAL_TXN_H_
