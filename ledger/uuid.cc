#include "ledger/uuid.h"

#include <sodium.h>

#include "ledger/status.h"

namespace dutyledger {

std::string FormatUuid(ByteView bytes) {
  DL_CHECK(bytes.size() == kUuidSize);
  std::string hex = HexEncode(bytes);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

std::optional<Bytes> ParseUuid(std::string_view text) {
  if (text.size() != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' ||
      text[23] != '-') {
    return std::nullopt;
  }
  std::string hex;
  hex.reserve(32);
  for (size_t i = 0; i < text.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) continue;
    hex.push_back(text[i]);
  }
  return HexDecode(hex);
}

Bytes NewUuidV7(Time now) {
  DL_CHECK(sodium_init() >= 0);
  unsigned char b[kUuidSize];
  randombytes_buf(b, sizeof b);
  uint64_t ms = static_cast<uint64_t>(now.unix_nanos / 1'000'000);
  for (int i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(ms >> (40 - 8 * i));
  b[6] = static_cast<unsigned char>(0x70 | (b[6] & 0x0f));  // version 7
  b[8] = static_cast<unsigned char>(0x80 | (b[8] & 0x3f));  // variant 10
  return Bytes(reinterpret_cast<const char*>(b), sizeof b);
}

}  // namespace dutyledger
