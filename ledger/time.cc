#include "ledger/time.h"

#include <chrono>
#include <cstdio>

namespace dutyledger {
namespace {

// Howard Hinnant's days_from_civil: days since 1970-01-01 of a proleptic Gregorian date.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2);
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  bool Digits(int n, int* out) {
    int v = 0;
    for (int i = 0; i < n; ++i) {
      if (pos_ >= s_.size() || s_[pos_] < '0' || s_[pos_] > '9') return false;
      v = v * 10 + (s_[pos_++] - '0');
    }
    *out = v;
    return true;
  }
  bool Char(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool AnyOf(std::string_view cs, char* got) {
    if (pos_ < s_.size() && cs.find(s_[pos_]) != std::string_view::npos) {
      *got = s_[pos_++];
      return true;
    }
    return false;
  }
  bool AtEnd() const { return pos_ == s_.size(); }
  char Peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void Skip() { ++pos_; }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

Status Bad(std::string_view text, std::string_view why) {
  return InvalidArgument("not an RFC 3339 time ('" + std::string(text) + "'): " + std::string(why));
}

}  // namespace

Result<Time> ParseRfc3339(std::string_view text) {
  Scanner sc(text);
  int year, month, day, hour, minute, second;
  char sep;
  if (!sc.Digits(4, &year) || !sc.Char('-') || !sc.Digits(2, &month) || !sc.Char('-') ||
      !sc.Digits(2, &day)) {
    return Bad(text, "expected a date YYYY-MM-DD");
  }
  if (!sc.AnyOf("Tt ", &sep)) return Bad(text, "expected 'T' and a time of day after the date");
  if (!sc.Digits(2, &hour) || !sc.Char(':') || !sc.Digits(2, &minute) || !sc.Char(':') ||
      !sc.Digits(2, &second)) {
    return Bad(text, "expected a time of day HH:MM:SS");
  }
  if (year < 1678 || year > 2261) return Bad(text, "year outside 1678..2261");
  if (month < 1 || month > 12) return Bad(text, "month outside 01..12");
  if (day < 1 || static_cast<unsigned>(day) > DaysInMonth(year, month)) {
    return Bad(text, "no such day in that month");
  }
  if (hour > 23) return Bad(text, "hour outside 00..23");
  if (minute > 59) return Bad(text, "minute outside 00..59");
  if (second == 60) return Bad(text, "leap seconds are not supported");
  if (second > 59) return Bad(text, "second outside 00..59");
  int64_t frac_nanos = 0;
  if (sc.Char('.')) {
    int digits = 0;
    while (sc.Peek() >= '0' && sc.Peek() <= '9') {
      if (digits < 9)
        frac_nanos = frac_nanos * 10 + (sc.Peek() - '0');
      else if (sc.Peek() != '0')
        return Bad(text, "more precision than nanoseconds");
      ++digits;
      sc.Skip();
    }
    if (digits == 0) return Bad(text, "expected digits after '.'");
    for (int i = digits; i < 9; ++i) frac_nanos *= 10;
  }
  int offset = 0;
  char zc;
  if (sc.AnyOf("Zz", &zc)) {
    offset = 0;
  } else {
    char sign;
    int oh, om;
    if (!sc.AnyOf("+-", &sign) || !sc.Digits(2, &oh) || !sc.Char(':') || !sc.Digits(2, &om)) {
      return Bad(text, "expected a UTC offset: 'Z' or +HH:MM / -HH:MM");
    }
    if (oh > 23 || om > 59) return Bad(text, "UTC offset out of range");
    offset = (sign == '-' ? -1 : 1) * (oh * 60 + om);
  }
  if (!sc.AtEnd()) return Bad(text, "unexpected text after the time");
  int64_t days = DaysFromCivil(year, month, day);
  int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - int64_t{offset} * 60;
  // Range of int64 nanoseconds: 1677-09-21 .. 2262-04-11; years 1678..2261 are inside it.
  return Time{secs * Time::kNanosPerSecond + frac_nanos, static_cast<int16_t>(offset)};
}

std::string FormatRfc3339(Time t) {
  // The offset is added in seconds: in nanoseconds it could overflow near the ends of int64
  // (a time read from untrusted bytes can be anything).
  int64_t secs = t.unix_nanos / Time::kNanosPerSecond;
  int64_t nanos = t.unix_nanos % Time::kNanosPerSecond;
  if (nanos < 0) {
    nanos += Time::kNanosPerSecond;
    secs -= 1;
  }
  secs += int64_t{t.utc_offset_minutes} * 60;
  int64_t days = secs / 86400;
  int64_t sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    days -= 1;
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  // Written digit by digit: snprintf was a tenth of a large view's JSON. The year has four
  // digits (int64 nanoseconds reach 1677..2262, an offset moves it by days at most).
  char buf[64];
  char* p = buf;
  auto put = [&p](int64_t v, int width) {
    for (int i = width - 1; i >= 0; --i, v /= 10) p[i] = static_cast<char>('0' + v % 10);
    p += width;
  };
  put(y, 4);
  *p++ = '-';
  put(m, 2);
  *p++ = '-';
  put(d, 2);
  *p++ = 'T';
  put(sod / 3600, 2);
  *p++ = ':';
  put(sod / 60 % 60, 2);
  *p++ = ':';
  put(sod % 60, 2);
  if (nanos != 0) {
    *p++ = '.';
    if (nanos % 1'000'000 == 0) {
      put(nanos / 1'000'000, 3);
    } else if (nanos % 1000 == 0) {
      put(nanos / 1000, 6);
    } else {
      put(nanos, 9);
    }
  }
  if (t.utc_offset_minutes == 0) {
    *p++ = 'Z';
  } else {
    int off = t.utc_offset_minutes;
    *p++ = off < 0 ? '-' : '+';
    if (off < 0) off = -off;
    if (off / 60 < 100) {
      put(off / 60, 2);
      *p++ = ':';
      put(off % 60, 2);
    } else {  // an offset of 100 hours or more (only from untrusted bytes)
      p += std::snprintf(p, 16, "%02d:%02d", off / 60, off % 60);
    }
  }
  return std::string(buf, p);
}

Result<Time> ParseTimeArgument(std::string_view text, int16_t default_offset_minutes) {
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    char buf[40];
    int sign = default_offset_minutes < 0 ? -1 : 1;
    int off = sign * default_offset_minutes;
    std::snprintf(buf, sizeof buf, "%.*sT23:59:59.999999999%c%02d:%02d", 10, text.data(),
                  sign < 0 ? '-' : '+', off / 60, off % 60);
    return ParseRfc3339(buf);
  }
  return ParseRfc3339(text);
}

Time SystemClock::Now() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return Time{std::chrono::duration_cast<std::chrono::nanoseconds>(now).count(), 0};
}

}  // namespace dutyledger
