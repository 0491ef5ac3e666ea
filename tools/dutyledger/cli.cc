#include "tools/dutyledger/cli.h"

#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdio>

namespace dutyledger::cli {

int Fail(const Status& status) {
  std::fprintf(stderr, "dutyledger: %s\n", status.message().c_str());
  return kExitFailure;
}

int UsageError(const std::string& message) {
  std::fprintf(stderr, "dutyledger: %s\n", message.c_str());
  return kExitUsage;
}

Result<std::unique_ptr<Ledger>> OpenLedger(Context& ctx, const std::string& data, bool read_only,
                                           std::unique_ptr<Admission>* admission_out) {
  Ledger::Options options;
  options.clock = ctx.clock;
  options.read_only = read_only;
  if (!read_only && ctx.make_admission && admission_out != nullptr) {
    *admission_out = ctx.make_admission();
    options.admission = admission_out->get();
  }
  return Ledger::Open(data, options);
}

Progress::Progress(std::string label) : label_(std::move(label)), tty_(::isatty(2) != 0) {}

Progress::~Progress() {
  if (shown_) std::fprintf(stderr, "\r\033[K");
}

void Progress::Update(uint64_t done, uint64_t total) {
  if (!tty_) return;
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now().time_since_epoch())
                    .count();
  if (done < total && now - last_ms_ < 100) return;
  last_ms_ = now;
  shown_ = true;
  double pct = total == 0 ? 100.0 : 100.0 * static_cast<double>(done) / static_cast<double>(total);
  std::fprintf(stderr, "\r%s: %llu/%llu (%.0f%%)\033[K", label_.c_str(),
               static_cast<unsigned long long>(done), static_cast<unsigned long long>(total), pct);
  std::fflush(stderr);
}

namespace {
bool ParseU64(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}
}  // namespace

Result<std::pair<uint64_t, uint64_t>> ParseRange(const std::string& text, uint64_t size) {
  uint64_t a = 0, b = 0;
  size_t dots = text.find("..");
  if (dots == std::string::npos) {
    if (!ParseU64(text, &a)) return InvalidArgument("not a sequence or range: '" + text + "'");
    return std::make_pair(a, a);
  }
  if (!ParseU64(text.substr(0, dots), &a)) {
    return InvalidArgument("range '" + text + "' needs a start (A..B, A..)");
  }
  std::string rest = text.substr(dots + 2);
  if (rest.empty()) {
    if (size == 0) return InvalidArgument("the ledger is empty");
    b = size - 1;
  } else if (!ParseU64(rest, &b)) {
    return InvalidArgument("range '" + text + "' has a bad end");
  }
  if (b < a) return InvalidArgument("range '" + text + "' ends before it starts");
  return std::make_pair(a, b);
}

}  // namespace dutyledger::cli
