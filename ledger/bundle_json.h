// JSON for the audit bundle's files (keys.json, proofs.json) and for proofs given on the command
// line: a small parsed tree and a writer. Parsing runs capnp's JSON parser
// (capnp/compat/json.h) inside kj::runCatchingExceptions, with a nesting limit, and copies the
// result into plain values, so no Cap'n Proto type leaves this seam.
//
// Values are plain data; thread-compatible.
#ifndef DUTYLEDGER_LEDGER_BUNDLE_JSON_H_
#define DUTYLEDGER_LEDGER_BUNDLE_JSON_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/status.h"

namespace dutyledger {

struct JsonNode {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<JsonNode> array;
  std::vector<std::pair<std::string, JsonNode>> object;  // in document order

  // Out of line: the members hold JsonNode, complete only after this definition (clang with
  // libstdc++ refuses the implicit ones).
  JsonNode();
  JsonNode(const JsonNode&);
  JsonNode(JsonNode&&) noexcept;
  JsonNode& operator=(const JsonNode&);
  JsonNode& operator=(JsonNode&&) noexcept;
  ~JsonNode();

  // The member `key` of an object; null if absent or not an object.
  const JsonNode* Find(std::string_view key) const;
};

// Replaces every \uXXXX escape inside JSON strings (surrogate pairs included) by the character's
// UTF-8 bytes (\" and \\ for the quote and backslash), for Cap'n Proto 0.9.2's JSON parser,
// which decodes such escapes wrongly. kInvalidArgument for a bad escape or a lone surrogate.
Result<std::string> DecodeJsonUnicodeEscapes(std::string_view text);

// kInvalidArgument if `text` is not one JSON value (or nests deeper than 32).
Result<JsonNode> ParseJson(std::string_view text);

// Typed members of an object. kInvalidArgument "<key>: <what is wrong>".
Result<const JsonNode*> JsonMember(const JsonNode& object, std::string_view key,
                                   JsonNode::Kind kind);
// A non-negative integer no larger than 2^53.
Result<uint64_t> JsonU64(const JsonNode& object, std::string_view key);
Result<std::string> JsonString(const JsonNode& object, std::string_view key);
// A standard-base64 32-byte hash.
Result<Digest> JsonDigest(const JsonNode& object, std::string_view key);
// An array of standard-base64 32-byte hashes.
Result<std::vector<Digest>> JsonDigests(const JsonNode& object, std::string_view key);

// `s` as a JSON string literal, quotes included: " and \ escaped, control characters as
// \b \f \n \r \t or \u00XX, everything else as is — exactly as capnp's JSON codec writes strings
// (the JSON writer of ledger/internal/json_writer.h relies on it).
std::string JsonQuote(std::string_view s);
void AppendJsonQuoted(std::string* out, std::string_view s);
// ["<base64>", ...]
std::string JsonDigestArray(const std::vector<Digest>& digests);

}  // namespace dutyledger

#endif  // DUTYLEDGER_LEDGER_BUNDLE_JSON_H_
