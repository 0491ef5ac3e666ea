#include "ledger/internal/event_cache.h"

namespace dutyledger::internal {

void EventCache::FindMany(const std::vector<uint64_t>& sequences,
                          std::vector<std::shared_ptr<const StoredEvent>>* out) {
  out->assign(sequences.size(), nullptr);
  if (budget_ == 0) {  // a one-shot command's reads: nothing to look up
    misses_.fetch_add(sequences.size(), std::memory_order_relaxed);
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < sequences.size(); ++i) {
    auto it = kept_.find(sequences[i]);
    if (it == kept_.end()) {
      misses_.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    hits_.fetch_add(1, std::memory_order_relaxed);
    it->second.read_again = true;
    (*out)[i] = it->second.event;
  }
}

void EventCache::Insert(const std::vector<std::shared_ptr<const StoredEvent>>& events) {
  if (budget_ == 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& e : events) {
    size_t charge = Charge(*e);
    if (charge > budget_) continue;
    uint64_t seq = e->entry.sequence();
    auto [it, added] = kept_.try_emplace(seq);
    if (!added) {  // another reader kept it first: the same bytes, already validated
      it->second.read_again = true;
      continue;
    }
    it->second.event = e;
    turns_.push_back(seq);
    bytes_ += charge;
  }
  // Each turn either lets an event go or clears its mark: at most two rounds.
  while (bytes_ > budget_) {
    uint64_t seq = turns_.front();
    turns_.pop_front();
    auto it = kept_.find(seq);
    if (it->second.read_again) {
      it->second.read_again = false;
      turns_.push_back(seq);
      continue;
    }
    bytes_ -= Charge(*it->second.event);
    kept_.erase(it);
  }
}

Ledger::EventCacheStats EventCache::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return Ledger::EventCacheStats{hits_.load(), misses_.load(), kept_.size(), bytes_, budget_};
}

}  // namespace dutyledger::internal
