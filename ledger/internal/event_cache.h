// The events a ledger has read and validated, kept for the next reader (Ledger::ReadEvents).
//
// An entry never changes once appended, so a kept event is never stale: the cache has no
// invalidation, only a budget. The least recently used events go first once the budget is
// spent. Thread-safe: a server's queries share it.
#ifndef DUTYLEDGER_LEDGER_INTERNAL_EVENT_CACHE_H_
#define DUTYLEDGER_LEDGER_INTERNAL_EVENT_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "ledger/ledger.h"

namespace dutyledger::internal {

class EventCache {
 public:
  explicit EventCache(size_t budget_bytes) : budget_(budget_bytes) {}

  // What an event costs the budget: its entry's bytes (the body shares them) and the
  // bookkeeping around them.
  static size_t Charge(const StoredEvent& e) { return e.entry.bytes().size() + kOverhead; }

  // Each of `sequences` that is kept, at the same index of `out` (which is resized to match);
  // the others are left null. The ones found become the most recently used.
  void FindMany(const std::vector<uint64_t>& sequences,
                std::vector<std::shared_ptr<const StoredEvent>>* out);
  // Keeps `events` as the most recently used, then drops the least recently used until the
  // budget holds. An event larger than the whole budget is not kept.
  void Insert(const std::vector<std::shared_ptr<const StoredEvent>>& events);

  Ledger::EventCacheStats Stats() const;

 private:
  static constexpr size_t kOverhead = 160;  // the shared event, its map node and list node
  using Lru = std::list<std::shared_ptr<const StoredEvent>>;  // front: most recently used

  const size_t budget_;
  mutable std::mutex mu_;
  size_t bytes_ = 0;
  uint64_t hits_ = 0, misses_ = 0;
  Lru lru_;
  std::unordered_map<uint64_t, Lru::iterator> index_;
};

}  // namespace dutyledger::internal

#endif  // DUTYLEDGER_LEDGER_INTERNAL_EVENT_CACHE_H_
