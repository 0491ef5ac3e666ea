// The JSON event reader (ledger/json.h): what `append` reads from users and remote clients. A
// parsed event must be a valid canonical EventBody, and its JSON rendering must parse back to
// the same bytes.
#include <algorithm>

#include "ledger/codec.h"
#include "ledger/json.h"
#include "ledger/time.h"
#include "tests/fuzz/fuzz_check.h"

using namespace dutyledger;

namespace {

// Strict UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n = 0;
    unsigned char lo = 0x80, hi = 0xbf;  // the range of the second byte
    if (c >= 0xc2 && c <= 0xdf) {
      n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 3;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 4;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    } else {
      return false;
    }
    if (i + n > s.size()) return false;
    auto c1 = static_cast<unsigned char>(s[i + 1]);
    if (c1 < lo || c1 > hi) return false;
    for (size_t k = 2; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const EventJson* json = new EventJson();
  static ManualClock* clock = new ManualClock(Time{1488157200LL * 1000000000LL, 480});
  std::string_view text = fuzz::AsText(data, size);
  // Two known findings in ledger/json.cc, reported in notes/issue-8.md and left to its owner:
  //  A. invalid UTF-8 in a JSON string is accepted, and the body is then refused by the
  //     decoder (kCorruption at append) instead of by the reader (kInvalidArgument, the field);
  //  B. Cap'n Proto 0.9.2 decodes \uXXXX escapes wrongly (hex letters; code points from U+0080
  //     become one byte), so "\u00e9" is recorded as another character (bundle_json.h's
  //     DecodeJsonUnicodeEscapes is the fix ParseJson uses).
  // Inputs that can show these (invalid UTF-8; a \u escape; a control character, which the
  // writer escapes as \u00XX) are still run, but not held to the round trip.
  const bool known =
      !ValidUtf8(text) || text.find("\\u") != std::string_view::npos ||
      std::any_of(text.begin(), text.end(), [](char c) {
        return c == 0x7f || (c >= 0 && c < 0x20 && c != '\n' && c != '\t' && c != '\r' && c != ' ');
      });
  auto check = [&](const Result<Bytes>& parsed) {
    if (!parsed.ok()) {
      FUZZ_CHECK(!parsed.status().message().empty(), "a refusal says why");
      return;
    }
    auto event = EventView::Decode(*parsed);
    if (known && !event.ok()) return;
    FUZZ_CHECK(event.ok(), event.status().ToString());
    std::string rendered = json->EventBodyToJson(event->body());
    FUZZ_CHECK(rendered == json->StructToJsonWithCodec(event->body(), false),
               "the JSON writer and capnp's codec differ: " + rendered);
    auto back = json->ParseEventBodyAsIs(rendered);
    if (known) return;
    FUZZ_CHECK(back.ok(), rendered + ": " + back.status().ToString());
    FUZZ_CHECK(*back == *parsed, rendered);
  };
  check(json->ParseEventBodyAsIs(text));
  EventJson::Defaults defaults;
  defaults.origin = "fuzz.example/log";
  defaults.clock = clock;
  check(json->ParseEventBody(text, defaults));
  return 0;
}
