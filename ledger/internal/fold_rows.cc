#include "ledger/internal/fold_rows.h"

namespace dutyledger::internal {

namespace {
// What a staged row costs in memory beyond its bytes: the map node and two string headers.
constexpr size_t kRowOverhead = 112;
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
  auto it = rows_.find(key);
  if (it != rows_.end()) return it->second;
  if (!spilled_) return std::optional<Bytes>();
  return store_->Get(column_, key);
}

void FoldRows::Stage(ByteView key, std::optional<Bytes> value) {
  auto it = rows_.find(key);
  if (it == rows_.end()) {
    bytes_ += kRowOverhead + key.size() + (value ? value->size() : 0);
    rows_.emplace(Bytes(key), std::move(value));
    return;
  }
  bytes_ -= it->second ? it->second->size() : 0;
  bytes_ += value ? value->size() : 0;
  it->second = std::move(value);
}

void FoldRows::Put(ByteView key, ByteView value) { Stage(key, Bytes(value)); }

void FoldRows::Delete(ByteView key) {
  if (!spilled_) {
    // Nothing below: forgetting the row is deleting it.
    auto it = rows_.find(key);
    if (it != rows_.end()) {
      bytes_ -= kRowOverhead + it->first.size() + (it->second ? it->second->size() : 0);
      rows_.erase(it);
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
  rows_.clear();
  bytes_ = 0;
  spilled_ = true;
  return Status::Ok();
}

}  // namespace dutyledger::internal
