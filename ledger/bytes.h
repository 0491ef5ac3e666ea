// Byte strings and their text forms (hex, standard base64 with padding).
//
// Bytes are held in std::string, as LevelDB does: it owns, copies and compares bytes, and
// std::string_view is the non-owning view.
#ifndef DUTYLEDGER_LEDGER_BYTES_H_
#define DUTYLEDGER_LEDGER_BYTES_H_

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace dutyledger {

using Bytes = std::string;
using ByteView = std::string_view;

std::string HexEncode(ByteView bytes);
// Accepts upper or lower case; nullopt on odd length or a non-hex character.
std::optional<Bytes> HexDecode(std::string_view text);

// RFC 4648 §4 base64 with padding.
std::string Base64Encode(ByteView bytes);
// Strict: padding required, no whitespace, no non-zero trailing bits; nullopt otherwise.
std::optional<Bytes> Base64Decode(std::string_view text);

inline void PutBigEndian64(Bytes* out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
inline uint64_t GetBigEndian64(ByteView in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}
inline Bytes BigEndian64(uint64_t v) {
  Bytes out;
  PutBigEndian64(&out, v);
  return out;
}

// A 32-byte hash value (SHA-256 or SM3). A cheap value type.
class Digest {
 public:
  static constexpr size_t kSize = 32;

  Digest() { bytes_.fill(0); }
  // nullopt unless `bytes` is exactly 32 bytes long.
  static std::optional<Digest> FromBytes(ByteView bytes);
  static std::optional<Digest> FromBase64(std::string_view text);
  static std::optional<Digest> FromHex(std::string_view text);

  ByteView view() const { return ByteView(reinterpret_cast<const char*>(bytes_.data()), kSize); }
  Bytes bytes() const { return Bytes(view()); }
  const uint8_t* data() const { return bytes_.data(); }
  uint8_t* mutable_data() { return bytes_.data(); }
  std::string Hex() const { return HexEncode(view()); }
  std::string Base64() const { return Base64Encode(view()); }
  bool IsZero() const;

  friend bool operator==(const Digest& a, const Digest& b) { return a.bytes_ == b.bytes_; }
  friend bool operator!=(const Digest& a, const Digest& b) { return !(a == b); }
  friend bool operator<(const Digest& a, const Digest& b) { return a.bytes_ < b.bytes_; }

 private:
  std::array<uint8_t, kSize> bytes_;
};

}  // namespace dutyledger

#endif  // DUTYLEDGER_LEDGER_BYTES_H_
