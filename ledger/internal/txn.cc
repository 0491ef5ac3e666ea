#include "ledger/internal/txn.h"

namespace dutyledger::internal {

std::optional<std::optional<Bytes>> Txn::GetStaged(Column c, ByteView key) const {
  Key k{c, Bytes(key)};
  for (const Txn* t = this; t != nullptr; t = t->parent_) {
    auto it = t->writes_.find(k);
    if (it != t->writes_.end()) return it->second;
  }
  return std::nullopt;
}

Result<std::optional<Bytes>> Txn::Get(Column c, ByteView key) const {
  if (auto staged = GetStaged(c, key)) return *staged;
  return store_->Get(c, key);
}

void Txn::CollectStaged(Column c, ByteView prefix, StagedRows* out) const {
  if (parent_ != nullptr) parent_->CollectStaged(c, prefix, out);
  for (auto it = writes_.lower_bound(Key{c, Bytes(prefix)});
       it != writes_.end() && it->first.first == c &&
       ByteView(it->first.second).substr(0, prefix.size()) == prefix;
       ++it) {
    (*out)[it->first.second] = it->second;  // nearer transactions override
  }
}

Status Txn::ScanPrefix(Column c, ByteView prefix,
                       const std::function<bool(ByteView, ByteView)>& fn) const {
  StagedRows staged;
  CollectStaged(c, prefix, &staged);
  auto it = store_->NewIterator(c);
  return MergeScan(staged, it.get(), prefix, fn);
}

void Txn::MergeIntoParent() {
  DL_CHECK(parent_ != nullptr);
  if (parent_->writes_.empty()) {
    parent_->writes_.swap(writes_);
    return;
  }
  // Splice the nodes across (no copies); where the parent has the key, the child's value wins.
  while (!writes_.empty()) {
    auto node = writes_.extract(writes_.begin());
    auto result = parent_->writes_.insert(std::move(node));
    if (!result.inserted) result.position->second = std::move(result.node.mapped());
  }
}

void Txn::AddTo(Store::Batch& batch) const {
  for (const auto& [k, v] : writes_) {
    if (v) {
      batch.Put(k.first, k.second, *v);
    } else {
      batch.Delete(k.first, k.second);
    }
  }
}

}  // namespace dutyledger::internal
