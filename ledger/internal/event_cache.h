// The events a ledger has read and validated, kept for the next reader (Ledger::ReadEvents).
//
// An entry never changes once appended, so a kept event is never stale: the cache has no
// invalidation, only a budget. Once the budget is spent, events leave in the order they came,
// but an event read again since its last turn gets another (a second-chance FIFO, or CLOCK):
// what a server's queries read again stays, and one large query's events, read once, leave
// first. Thread-safe: a server's queries share it.
#ifndef DUTYLEDGER_LEDGER_INTERNAL_EVENT_CACHE_H_
#define DUTYLEDGER_LEDGER_INTERNAL_EVENT_CACHE_H_

#include <absl/container/flat_hash_map.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
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
  // the others are left null. The ones found are marked read again.
  void FindMany(const std::vector<uint64_t>& sequences,
                std::vector<std::shared_ptr<const StoredEvent>>* out);
  // Keeps `events`, then lets events go until the budget holds. An event larger than the whole
  // budget is not kept.
  void Insert(const std::vector<std::shared_ptr<const StoredEvent>>& events);

  Ledger::EventCacheStats Stats() const;

 private:
  // The shared event with its control block, its slot in the map at the map's load, and its
  // place in the queue.
  static constexpr size_t kOverhead = sizeof(StoredEvent) + 16 + 48 + 8;
  struct Slot {
    std::shared_ptr<const StoredEvent> event;
    bool read_again = false;
  };

  const size_t budget_;
  mutable std::mutex mu_;
  size_t bytes_ = 0;
  std::atomic<uint64_t> hits_{0}, misses_{0};  // counted without the lock when none are kept
  // No node per event: a flat map, and the sequences in the order of their turns.
  absl::flat_hash_map<uint64_t, Slot> kept_;
  std::deque<uint64_t> turns_;
};

}  // namespace dutyledger::internal

#endif  // DUTYLEDGER_LEDGER_INTERNAL_EVENT_CACHE_H_
