#include "tools/scenario/json_builder.h"

#include <cmath>
#include <cstdio>

#include "ledger/bundle_json.h"

namespace dutyledger::scenario {

void J::Key(std::string_view key) {
  if (!body_.empty()) body_ += ", ";
  body_ += JsonQuote(key) + ": ";
}

J& J::s(std::string_view key, std::string_view value) {
  Key(key);
  body_ += JsonQuote(value);
  return *this;
}

J& J::n(std::string_view key, double value) {
  Key(key);
  char buf[64];
  if (std::floor(value) == value && std::fabs(value) < 1e15) {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(value));
  } else {
    std::snprintf(buf, sizeof buf, "%.6g", value);
  }
  body_ += buf;
  return *this;
}

J& J::i(std::string_view key, int64_t value) {
  Key(key);
  body_ += std::to_string(value);
  return *this;
}

J& J::b(std::string_view key, bool value) {
  Key(key);
  body_ += value ? "true" : "false";
  return *this;
}

J& J::t(std::string_view key, Time value) {
  Key(key);
  body_ += JsonQuote(FormatRfc3339(value));
  return *this;
}

J& J::o(std::string_view key, const J& value) {
  Key(key);
  body_ += value.str();
  return *this;
}

J& J::strings(std::string_view key, const std::vector<std::string>& values) {
  Key(key);
  body_ += "[";
  for (size_t k = 0; k < values.size(); ++k) body_ += (k ? ", " : "") + JsonQuote(values[k]);
  body_ += "]";
  return *this;
}

J& J::objects(std::string_view key, const std::vector<J>& values) {
  Key(key);
  body_ += "[";
  for (size_t k = 0; k < values.size(); ++k) body_ += (k ? ", " : "") + values[k].str();
  body_ += "]";
  return *this;
}

J& J::raw(std::string_view key, std::string_view json) {
  Key(key);
  body_ += json;
  return *this;
}

}  // namespace dutyledger::scenario
