#include "ledger/internal/fold_rows.h"

#include <algorithm>
#include <cstring>

namespace dutyledger::internal {

namespace {
// What a staged row costs in memory beyond its bytes: the map node, two string headers and
// the index's node and bucket.
constexpr size_t kRowOverhead = 176;
// What a subject's stream costs beyond its text and rows: the map's node, the string header and
// the vector header.
constexpr size_t kStreamOverhead = 96;
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
  RETURN_IF_ERROR(store_->LoadSorted(column_, [&](Store::TableFile& file) -> Status {
    for (const auto& [k, v] : rows_) RETURN_IF_ERROR(v ? file.Put(k, *v) : file.Delete(k));
    return Status::Ok();
  }));
  index_.clear();
  rows_.clear();
  bytes_ = 0;
  spilled_ = true;
  return Status::Ok();
}

void FoldSubjects::Add(std::string_view subject, uint64_t seq, ByteView value) {
  DL_CHECK(value.size() <= kMaxValue);
  Row row{seq, static_cast<uint8_t>(value.size()), {}};
  std::memcpy(row.value, value.data(), value.size());
  auto it = streams_.find(subject);
  if (it == streams_.end()) {
    it = streams_.emplace(std::string(subject), std::vector<Row>()).first;
    bytes_ += kStreamOverhead + subject.size();
  }
  // Counted by capacity: a stream's vector holds up to twice its rows.
  size_t capacity = it->second.capacity();
  it->second.push_back(row);
  bytes_ += (it->second.capacity() - capacity) * sizeof(Row);
}

Status FoldSubjects::MaybeSpill(bool always) {
  if (streams_.empty() || (!always && bytes_ < budget_)) return Status::Ok();
  // Key order is subject order: the key is the subject's text, a 0x00 byte, then the sequence.
  std::vector<const std::pair<const std::string, std::vector<Row>>*> order;
  order.reserve(streams_.size());
  for (const auto& s : streams_) order.push_back(&s);
  std::sort(order.begin(), order.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  RETURN_IF_ERROR(store_->LoadSorted(Column::kSubjects, [&](Store::TableFile& file) -> Status {
    Bytes key;
    for (const auto* stream : order) {
      key = SubjectKey(stream->first, 0);
      for (const Row& r : stream->second) {
        key.resize(key.size() - 8);
        PutBigEndian64(&key, r.seq);
        RETURN_IF_ERROR(file.Put(key, ByteView(r.value, r.size)));
      }
    }
    return Status::Ok();
  }));
  streams_.clear();
  bytes_ = 0;
  return Status::Ok();
}

}  // namespace dutyledger::internal
