// Instants, RFC 3339 text, and the injected clock.
#ifndef DUTYLEDGER_LEDGER_TIME_H_
#define DUTYLEDGER_LEDGER_TIME_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/status.h"

namespace dutyledger {

// An instant plus the UTC offset it was written in. Comparison is by instant only.
struct Time {
  int64_t unix_nanos = 0;
  int16_t utc_offset_minutes = 0;

  static constexpr int64_t kNanosPerSecond = 1'000'000'000;
  static constexpr int64_t kNanosPerHour = 3600 * kNanosPerSecond;
  static constexpr int64_t kNanosPerDay = 24 * kNanosPerHour;

  static Time FromUnixSeconds(int64_t s, int16_t offset = 0) {
    return Time{s * kNanosPerSecond, offset};
  }
  int64_t unix_seconds() const { return unix_nanos / kNanosPerSecond; }
  Time WithOffset(int16_t offset) const { return Time{unix_nanos, offset}; }
  Time PlusNanos(int64_t n) const { return Time{unix_nanos + n, utc_offset_minutes}; }

  friend bool operator==(const Time& a, const Time& b) { return a.unix_nanos == b.unix_nanos; }
  friend auto operator<=>(const Time& a, const Time& b) { return a.unix_nanos <=> b.unix_nanos; }
};

// Parses RFC 3339 date-time text: "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)". 't'/'z'
// and a space for 'T' are accepted (RFC 3339 §5.6 note). Years 1678..2261 (the range of int64
// nanoseconds). A leap second (:60) is refused. Returns kInvalidArgument naming what is wrong.
Result<Time> ParseRfc3339(std::string_view text);

// Formats in the instant's own offset: "2017-02-27T09:00:00+08:00", "Z" for offset 0; a fraction
// of 3, 6 or 9 digits only when non-zero.
std::string FormatRfc3339(Time t);

// Parses a --valid-at/--known-at style argument: RFC 3339, or a bare date "YYYY-MM-DD" meaning
// the end of that day (23:59:59.999999999) in `default_offset_minutes`.
Result<Time> ParseTimeArgument(std::string_view text, int16_t default_offset_minutes);

// The source of "now". Injected everywhere (never a global) so tests and the demo are
// deterministic. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Time Now() = 0;
};

// The system's real-time clock, UTC.
class SystemClock final : public Clock {
 public:
  Time Now() override;
};

// A clock that stands still until told to move. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Time start) : nanos_(start.unix_nanos) {}
  Time Now() override { return Time{nanos_.load(), 0}; }
  void Set(Time t) { nanos_.store(t.unix_nanos); }
  void Advance(int64_t nanos) { nanos_.fetch_add(nanos); }

 private:
  std::atomic<int64_t> nanos_;
};

}  // namespace dutyledger

#endif  // DUTYLEDGER_LEDGER_TIME_H_
