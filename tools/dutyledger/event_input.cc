#include "tools/dutyledger/event_input.h"

#include <cstdio>
#include <iostream>
#include <iterator>

#include "ledger/codec.h"

namespace dutyledger::cli {
namespace {

constexpr size_t kMaxInputBytes = size_t{1} << 30;

Result<std::string> ReadAll(const std::string& path) {
  if (path == "-") {
    std::string data((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    if (data.size() > kMaxInputBytes) return ResourceExhausted("standard input is over 1 GiB");
    return data;
  }
  return ReadSmallFile(path, kMaxInputBytes);
}

bool IsBlank(std::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

}  // namespace

Result<SignedInput> ReadAndSignEvents(const std::string& path, const EventJson& json,
                                      const EventJson::Defaults& defaults, const PrivateKey& key) {
  ASSIGN_OR_RETURN(std::string data, ReadAll(path));
  std::vector<std::pair<size_t, std::string>> lines;
  size_t line_no = 0, start = 0;
  while (start < data.size()) {
    size_t nl = data.find('\n', start);
    bool last = nl == std::string::npos;
    if (last) nl = data.size();
    ++line_no;
    std::string_view line(data.data() + start, nl - start);
    if (!IsBlank(line) && line.front() != '#') lines.emplace_back(line_no, std::string(line));
    start = nl + 1;
  }
  SignedInput out;
  for (const auto& [n, text] : lines) {
    auto body = json.ParseEventBody(text, defaults);
    if (!body.ok()) {
      std::string why = body.status().message();
      // A JSON parse error on the file's final line without a newline: the file was cut short.
      if (n == line_no && !data.empty() && data.back() != '\n' &&
          why.find("field") == std::string::npos) {
        why = "truncated or malformed JSON (" + why + ")";
      }
      return InvalidArgument("line " + std::to_string(n) + ": " + why);
    }
    auto signature = key.Sign(EventSigningMessage(*body));
    if (!signature.ok()) return signature.status();
    out.events.push_back(SignedEvent{std::move(*body), std::move(*signature)});
    out.line_numbers.push_back(n);
  }
  if (out.events.empty()) return InvalidArgument(path + ": no events in the input");
  return out;
}

}  // namespace dutyledger::cli
