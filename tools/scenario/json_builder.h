// A small JSON object builder for generated events (escaping done right; no parsing).
#ifndef DUTYLEDGER_TOOLS_SCENARIO_JSON_BUILDER_H_
#define DUTYLEDGER_TOOLS_SCENARIO_JSON_BUILDER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/time.h"

namespace dutyledger::scenario {

class J {
 public:
  J& s(std::string_view key, std::string_view value);
  J& n(std::string_view key, double value);
  J& i(std::string_view key, int64_t value);
  J& b(std::string_view key, bool value);
  J& t(std::string_view key, Time value);  // RFC 3339
  J& o(std::string_view key, const J& value);
  J& strings(std::string_view key, const std::vector<std::string>& values);
  J& objects(std::string_view key, const std::vector<J>& values);
  J& raw(std::string_view key, std::string_view json);
  bool empty() const { return body_.empty(); }
  std::string str() const { return "{" + body_ + "}"; }

 private:
  void Key(std::string_view key);
  std::string body_;
};

}  // namespace dutyledger::scenario

#endif  // DUTYLEDGER_TOOLS_SCENARIO_JSON_BUILDER_H_
