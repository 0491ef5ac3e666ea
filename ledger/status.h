// Status and Result<T>: errors as values.
//
// Codes say what the caller should do about the failure. kCorruption (the bytes are damaged,
// maybe bit-rot) is kept apart from kIntegrityViolation (the record disagrees with itself or with
// what was signed, maybe tampering). Each dependency's errors are converted to Status in exactly
// one place (RocksDB in internal/store.cc, OpenSSL in keys.cc and hash.cc, Cap'n Proto in
// codec.cc).
#ifndef DUTYLEDGER_LEDGER_STATUS_H_
#define DUTYLEDGER_LEDGER_STATUS_H_

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace dutyledger {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the input is malformed: fix it and try again
  kNotFound,            // what was asked for does not exist
  kAlreadyExists,       // it exists already (e.g. a ledger in that folder)
  kPermissionDenied,    // the signer has no authority for this event, or the key is not valid
  kFailedPrecondition,  // the state does not allow it (e.g. a review of an order never issued)
  kResourceExhausted,   // a size or count limit, or the disk, is full
  kCorruption,          // stored or supplied bytes do not decode: damage, maybe bit-rot
  kIntegrityViolation,  // the record contradicts itself or its signatures: maybe tampering
  kUnavailable,         // try again later (locked, shutting down)
  kIOError,             // the file system or network failed
  kInternal,            // a bug in dutyledger
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "<code name>: <message>", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "<prefix>: <message>", the same code.
  Status WithContext(std::string_view prefix) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status PermissionDenied(std::string m) {
  return {StatusCode::kPermissionDenied, std::move(m)};
}
inline Status FailedPrecondition(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status ResourceExhausted(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}
inline Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
inline Status IntegrityViolation(std::string m) {
  return {StatusCode::kIntegrityViolation, std::move(m)};
}
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// A value or the Status saying why there is none. Shaped like absl::StatusOr.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit, as absl::StatusOr
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    if (std::get<Status>(v_).ok()) std::get<Status>(v_) = Internal("Result built from OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  // REQUIRES: ok().
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<Status, T> v_;
};

[[noreturn]] void CheckFailed(const char* file, int line, const char* condition);

}  // namespace dutyledger

// Bugs abort; input never does.
#define DL_CHECK(cond)                                                 \
  do {                                                                 \
    if (!(cond)) ::dutyledger::CheckFailed(__FILE__, __LINE__, #cond); \
  } while (0)

#define DL_CONCAT_INNER(a, b) a##b
#define DL_CONCAT(a, b) DL_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                 \
  do {                                        \
    ::dutyledger::Status dl_status_ = (expr); \
    if (!dl_status_.ok()) return dl_status_;  \
  } while (0)

#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(DL_CONCAT(dl_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()

#endif  // DUTYLEDGER_LEDGER_STATUS_H_
