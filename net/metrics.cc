#include "net/metrics.h"

#include <cstdio>

namespace dutyledger::net {
namespace {

void Line(std::string* out, const char* name, const char* type, const char* help) {
  *out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

void Value(std::string* out, const std::string& name, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, " %.17g\n", v);
  *out += name + buf;
}

// A metric of one value: its help and type lines, then the value.
void Metric(std::string* out, const char* name, const char* type, const char* help, double v) {
  Line(out, name, type, help);
  Value(out, name, v);
}

}  // namespace

void Metrics::RecordAppend(size_t events, double seconds, bool refused) {
  append_requests_.fetch_add(1, std::memory_order_relaxed);
  if (refused) append_refused_.fetch_add(1, std::memory_order_relaxed);
  appended_events_.fetch_add(events, std::memory_order_relaxed);
  size_t bucket = 0;
  while (bucket < kLatencyBuckets.size() && seconds > kLatencyBuckets[bucket]) ++bucket;
  latency_[bucket].fetch_add(1, std::memory_order_relaxed);
  latency_micros_sum_.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

void Metrics::RecordVerify(bool ok, int64_t unix_seconds) {
  last_verify_.store(ok ? 1 : 0);
  last_verify_time_.store(unix_seconds);
}

void Metrics::SetFollower(const Follower& f) {
  std::lock_guard<std::mutex> l(follower_mu_);
  follower_ = f;
}

Metrics::Follower Metrics::follower() const {
  std::lock_guard<std::mutex> l(follower_mu_);
  return follower_;
}

std::string Metrics::Prometheus(uint64_t ledger_size, uint64_t checkpoint_size,
                                const Ledger::EventCacheStats& events,
                                const LapseMemo::Stats& lapse_memo) const {
  std::string out;
  Metric(&out, "dutyledger_ledger_entries", "gauge", "Committed entries (the tree size).",
         static_cast<double>(ledger_size));
  Metric(&out, "dutyledger_checkpoint_size", "gauge", "Tree size of the latest stored checkpoint.",
         static_cast<double>(checkpoint_size));
  Metric(&out, "dutyledger_appended_events_total", "counter",
         "Events acknowledged durable (including resubmitted duplicates).",
         static_cast<double>(appended_events_.load()));
  Metric(&out, "dutyledger_append_requests_total", "counter", "Append requests answered.",
         static_cast<double>(append_requests_.load()));
  Metric(&out, "dutyledger_append_refused_total", "counter", "Append requests refused.",
         static_cast<double>(append_refused_.load()));
  Line(&out, "dutyledger_append_latency_seconds", "histogram",
       "Time from an append request's arrival to its durable acknowledgement.");
  uint64_t cumulative = 0;
  for (size_t i = 0; i < latency_.size(); ++i) {
    cumulative += latency_[i].load();
    char le[32];
    if (i < kLatencyBuckets.size()) {
      std::snprintf(le, sizeof le, "%g", kLatencyBuckets[i]);
    } else {
      std::snprintf(le, sizeof le, "+Inf");
    }
    Value(&out, std::string("dutyledger_append_latency_seconds_bucket{le=\"") + le + "\"}",
          static_cast<double>(cumulative));
  }
  Value(&out, "dutyledger_append_latency_seconds_sum",
        static_cast<double>(latency_micros_sum_.load()) / 1e6);
  Value(&out, "dutyledger_append_latency_seconds_count", static_cast<double>(cumulative));
  Metric(&out, "dutyledger_append_queue_depth", "gauge",
         "Append requests received and not yet durable.",
         static_cast<double>(append_queue_.load()));
  Metric(&out, "dutyledger_event_cache_hits_total", "counter",
         "Events a query found kept, validated, from an earlier read.",
         static_cast<double>(events.hits));
  Metric(&out, "dutyledger_event_cache_misses_total", "counter",
         "Events a query read from the store and validated.", static_cast<double>(events.misses));
  Metric(&out, "dutyledger_event_cache_bytes", "gauge",
         "What the events kept cost (--event-cache-mib is the bound).",
         static_cast<double>(events.bytes));
  Metric(&out, "dutyledger_lapse_memo_hits_total", "counter",
         "Enterprises whose whole-record lapses a dossier or park report found kept.",
         static_cast<double>(lapse_memo.hits));
  Metric(&out, "dutyledger_lapse_memo_misses_total", "counter",
         "Enterprises whose whole-record lapses were not kept (derived, then kept).",
         static_cast<double>(lapse_memo.misses));
  Metric(&out, "dutyledger_lapse_memo_carried_total", "counter",
         "Of the hits, those kept as recorded by an earlier size of the ledger: no entry "
         "appended since could change them.",
         static_cast<double>(lapse_memo.carried));
  Metric(&out, "dutyledger_lapse_memo_stale_total", "counter",
         "Of the misses, those kept at another size that an entry between changed.",
         static_cast<double>(lapse_memo.stale));
  Metric(&out, "dutyledger_lapse_memo_lapses_taken_total", "counter",
         "Lapses a view took from the memo instead of deriving them at its valid time.",
         static_cast<double>(lapse_memo.taken));
  Metric(&out, "dutyledger_lapse_memo_bytes", "gauge",
         "What the kept lapses cost (--lapse-memo-mib is the bound).",
         static_cast<double>(lapse_memo.bytes));
  Metric(&out, "dutyledger_requests_total", "counter", "Protocol requests received.",
         static_cast<double>(requests_.load()));
  Metric(&out, "dutyledger_protocol_errors_total", "counter",
         "Malformed, oversized or truncated frames and failed handshakes.",
         static_cast<double>(protocol_errors_.load()));
  Metric(&out, "dutyledger_connections", "gauge", "Open protocol connections.",
         static_cast<double>(connections_.load()));
  Metric(&out, "dutyledger_connections_total", "counter", "Protocol connections accepted.",
         static_cast<double>(connections_total_.load()));
  Metric(&out, "dutyledger_last_verify_ok", "gauge",
         "Result of the last verify run through this server: 1 ok, 0 failed, -1 never run.",
         last_verify_.load());
  Metric(&out, "dutyledger_last_verify_timestamp_seconds", "gauge", "When the last verify ran.",
         static_cast<double>(last_verify_time_.load()));
  Follower f = follower();
  if (f.enabled) {
    Line(&out, "dutyledger_follower_mirroring", "gauge",
         "1 while the follower mirrors its source; 0 once it stopped on an inconsistency.");
    Value(&out, "dutyledger_follower_mirroring", f.mirroring ? 1 : 0);
    Line(&out, "dutyledger_follower_lag_entries", "gauge",
         "Entries the source has that the follower has not verified yet.");
    Value(&out, "dutyledger_follower_lag_entries",
          f.source_size > f.verified_size ? static_cast<double>(f.source_size - f.verified_size)
                                          : 0.0);
    Line(&out, "dutyledger_follower_verified_checkpoint_size", "gauge",
         "Size of the latest source checkpoint the follower verified and stored.");
    Value(&out, "dutyledger_follower_verified_checkpoint_size",
          static_cast<double>(f.verified_checkpoint));
    Line(&out, "dutyledger_follower_integrity_failures_total", "counter",
         "Inconsistencies found in the source (forks, rollbacks, bad entries).");
    Value(&out, "dutyledger_follower_integrity_failures_total",
          static_cast<double>(f.integrity_failures));
  }
  return out;
}

}  // namespace dutyledger::net
