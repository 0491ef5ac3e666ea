// The bundle's JSON (ledger/bundle_json.h): keys.json, proofs.json and proofs given on the
// command line go through ParseJson and the typed accessors. Parsed values re-serialise as
// strings and digests without loss.
#include "ledger/bundle_json.h"
#include "tests/fuzz/fuzz_check.h"

using namespace dutyledger;

namespace {

void Walk(const JsonNode& node, int depth) {
  FUZZ_CHECK(depth <= 64, "the nesting limit holds");
  if (node.kind == JsonNode::Kind::kString) {
    auto back = ParseJson(JsonQuote(node.string));
    FUZZ_CHECK(back.ok() && back->string == node.string, JsonQuote(node.string));
  }
  for (const auto& item : node.array) Walk(item, depth + 1);
  for (const auto& [key, value] : node.object) {
    (void)JsonU64(node, key);
    (void)JsonString(node, key);
    (void)JsonDigest(node, key);
    if (auto digests = JsonDigests(node, key); digests.ok()) {
      auto back = ParseJson(JsonDigestArray(*digests));
      FUZZ_CHECK(back.ok() && back->array.size() == digests->size(), key);
    }
    Walk(value, depth + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parsed = ParseJson(fuzz::AsText(data, size));
  if (parsed.ok()) Walk(*parsed, 0);
  return 0;
}
