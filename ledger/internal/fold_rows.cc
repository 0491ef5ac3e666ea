#include "ledger/internal/fold_rows.h"

namespace dutyledger::internal {

namespace {
// What a staged row costs in memory beyond its bytes: the map node, two string headers and
// the index's node and bucket.
constexpr size_t kRowOverhead = 176;
}  // namespace

Status MergeScan(const StagedRows& staged, Store::Iterator* base, ByteView prefix,
                 const std::function<bool(ByteView, ByteView)>& fn) {
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
      if (st->second && !fn(st->first, *st->second)) return Status::Ok();
      if (same) base->Next();
      ++st;
    }
  }
  return base != nullptr ? base->status() : Status::Ok();
}

Result<std::optional<Bytes>> FoldRows::Get(ByteView key) const {
  auto it = index_.find(key);
  if (it != index_.end()) return it->second->second;
  if (!spilled_) return std::optional<Bytes>();
  return store_->Get(column_, key);
}

void FoldRows::Stage(ByteView key, std::optional<Bytes> value) {
  auto found = index_.find(key);
  if (found == index_.end()) {
    bytes_ += kRowOverhead + key.size() + (value ? value->size() : 0);
    auto row = rows_.emplace(Bytes(key), std::move(value)).first;
    index_.emplace(ByteView(row->first), row);
    return;
  }
  std::optional<Bytes>& held = found->second->second;
  bytes_ -= held ? held->size() : 0;
  bytes_ += value ? value->size() : 0;
  held = std::move(value);
}

void FoldRows::Put(ByteView key, ByteView value) { Stage(key, Bytes(value)); }

void FoldRows::Delete(ByteView key) {
  if (!spilled_) {
    // Nothing below: forgetting the row is deleting it.
    auto found = index_.find(key);
    if (found != index_.end()) {
      auto row = found->second;
      bytes_ -= kRowOverhead + row->first.size() + (row->second ? row->second->size() : 0);
      index_.erase(found);  // before the key it views goes
      rows_.erase(row);
    }
    return;
  }
  Stage(key, std::nullopt);
}

Status FoldRows::Scan(ByteView prefix, const std::function<bool(ByteView, ByteView)>& fn) const {
  if (!spilled_) return MergeScan(rows_, nullptr, prefix, fn);
  auto base = store_->NewIterator(column_);
  return MergeScan(rows_, base.get(), prefix, fn);
}

Status FoldRows::MaybeSpill(bool always) {
  if (rows_.empty() || (!always && bytes_ < budget_)) return Status::Ok();
  constexpr size_t kBatchRows = 65536;
  Store::Batch batch = store_->NewBatch();
  for (const auto& [k, v] : rows_) {
    if (v) {
      batch.Put(column_, k, *v);
    } else {
      batch.Delete(column_, k);
    }
    if (batch.Count() >= kBatchRows) {
      RETURN_IF_ERROR(store_->WriteUnlogged(batch));
      batch = store_->NewBatch();
    }
  }
  RETURN_IF_ERROR(store_->WriteUnlogged(batch));
  index_.clear();
  rows_.clear();
  bytes_ = 0;
  spilled_ = true;
  return Status::Ok();
}

}  // namespace dutyledger::internal
