#include "ledger/internal/event_cache.h"

namespace dutyledger::internal {

void EventCache::FindMany(const std::vector<uint64_t>& sequences,
                          std::vector<std::shared_ptr<const StoredEvent>>* out) {
  out->assign(sequences.size(), nullptr);
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < sequences.size(); ++i) {
    auto it = index_.find(sequences[i]);
    if (it == index_.end()) {
      misses_++;
      continue;
    }
    hits_++;
    lru_.splice(lru_.begin(), lru_, it->second);
    (*out)[i] = *it->second;
  }
}

void EventCache::Insert(const std::vector<std::shared_ptr<const StoredEvent>>& events) {
  if (budget_ == 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& e : events) {
    size_t charge = Charge(*e);
    if (charge > budget_) continue;
    uint64_t seq = e->entry.sequence();
    auto [it, added] = index_.try_emplace(seq);
    if (!added) {  // another reader kept it first: the same bytes, already validated
      lru_.splice(lru_.begin(), lru_, it->second);
      continue;
    }
    lru_.push_front(e);
    it->second = lru_.begin();
    bytes_ += charge;
  }
  while (bytes_ > budget_) {
    const auto& last = lru_.back();
    bytes_ -= Charge(*last);
    index_.erase(last->entry.sequence());
    lru_.pop_back();
  }
}

Ledger::EventCacheStats EventCache::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return Ledger::EventCacheStats{hits_, misses_, index_.size(), bytes_, budget_};
}

}  // namespace dutyledger::internal
