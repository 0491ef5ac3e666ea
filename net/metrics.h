// Server counters and gauges, written as Prometheus text (the /metrics endpoint). Thread-safe:
// every field is atomic or guarded; recording never blocks for long.
#ifndef DUTYLEDGER_NET_METRICS_H_
#define DUTYLEDGER_NET_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "ledger/ledger.h"
#include "projections/lapse_memo.h"

namespace dutyledger::net {

class Metrics {
 public:
  // Upper bounds of the append latency histogram, in seconds (+Inf is implied).
  static constexpr std::array<double, 13> kLatencyBuckets = {
      0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5};

  // An append request finished: `events` acknowledged (0 when refused) after `seconds`.
  void RecordAppend(size_t events, double seconds, bool refused);
  void RecordRequest() { requests_.fetch_add(1, std::memory_order_relaxed); }
  void RecordProtocolError() { protocol_errors_.fetch_add(1, std::memory_order_relaxed); }
  void RecordVerify(bool ok, int64_t unix_seconds);

  void ConnectionOpened() {
    connections_.fetch_add(1);
    connections_total_.fetch_add(1);
  }
  void ConnectionClosed() { connections_.fetch_sub(1); }
  int64_t connections() const { return connections_.load(); }
  void AppendQueued(int delta) { append_queue_.fetch_add(delta); }
  int64_t append_queue() const { return append_queue_.load(); }

  // Follower state.
  struct Follower {
    bool enabled = false;
    bool mirroring = false;
    uint64_t source_size = 0;
    uint64_t verified_size = 0;
    uint64_t verified_checkpoint = 0;
    uint64_t integrity_failures = 0;
    std::string stopped_reason;
  };
  void SetFollower(const Follower& f);
  Follower follower() const;

  // The Prometheus text exposition, with `ledger_size` and `checkpoint_size` as gauges, the
  // ledger's event cache (Ledger::ReadEvents) and its lapse memo (LapseMemo).
  std::string Prometheus(uint64_t ledger_size, uint64_t checkpoint_size,
                         const Ledger::EventCacheStats& events = {},
                         const LapseMemo::Stats& lapse_memo = {}) const;

 private:
  std::atomic<uint64_t> appended_events_{0};
  std::atomic<uint64_t> append_requests_{0};
  std::atomic<uint64_t> append_refused_{0};
  std::array<std::atomic<uint64_t>, kLatencyBuckets.size() + 1> latency_{};
  std::atomic<uint64_t> latency_micros_sum_{0};
  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> protocol_errors_{0};
  std::atomic<int64_t> connections_{0};
  std::atomic<uint64_t> connections_total_{0};
  std::atomic<int64_t> append_queue_{0};
  std::atomic<int> last_verify_{-1};  // -1 never run, 0 failed, 1 ok
  std::atomic<int64_t> last_verify_time_{0};
  mutable std::mutex follower_mu_;  // guards follower_
  Follower follower_;
};

}  // namespace dutyledger::net

#endif  // DUTYLEDGER_NET_METRICS_H_
