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

void Txn::CollectStaged(Column c, ByteView prefix,
                        std::map<Bytes, std::optional<Bytes>>* out) const {
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
  std::map<Bytes, std::optional<Bytes>> staged;
  CollectStaged(c, prefix, &staged);
  auto it = store_->NewIterator(c);
  it->Seek(prefix);
  auto st = staged.begin();
  while (true) {
    bool store_ok = it->Valid() && it->key().substr(0, prefix.size()) == prefix;
    bool staged_ok = st != staged.end();
    if (!store_ok && !staged_ok) break;
    if (store_ok && (!staged_ok || it->key() < ByteView(st->first))) {
      if (!fn(it->key(), it->value())) return Status::Ok();
      it->Next();
    } else {
      bool same = store_ok && it->key() == ByteView(st->first);
      if (st->second && !fn(st->first, *st->second)) return Status::Ok();
      if (same) it->Next();
      ++st;
    }
  }
  return it->status();
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
