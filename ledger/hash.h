// Hash functions: SHA-256 and SM3, and the RFC 6962 leaf and node hashes built on them.
//
// Hasher is a cheap value; it is thread-safe (each thread uses its own digest context).
#ifndef DUTYLEDGER_LEDGER_HASH_H_
#define DUTYLEDGER_LEDGER_HASH_H_

#include <string_view>

#include "ledger/bytes.h"

namespace dutyledger {

enum class HashAlgorithm { kSha256 = 0, kSm3 = 1 };

std::string_view HashAlgorithmName(HashAlgorithm a);  // "sha256" / "sm3"

class Hasher {
 public:
  explicit Hasher(HashAlgorithm algorithm = HashAlgorithm::kSha256) : algorithm_(algorithm) {}

  HashAlgorithm algorithm() const { return algorithm_; }

  Digest Hash(ByteView data) const;
  // H(a || b || c): the parts hashed as if concatenated.
  Digest Hash(ByteView a, ByteView b, ByteView c = {}) const;

  // RFC 6962 §2.1: leaf hash H(0x00 || leaf), node hash H(0x01 || left || right), and the hash
  // of the empty tree H("").
  Digest LeafHash(ByteView leaf) const;
  Digest NodeHash(const Digest& left, const Digest& right) const;
  Digest EmptyRoot() const { return Hash(ByteView()); }

 private:
  HashAlgorithm algorithm_;
};

inline Digest Sha256(ByteView data) { return Hasher(HashAlgorithm::kSha256).Hash(data); }

}  // namespace dutyledger

#endif  // DUTYLEDGER_LEDGER_HASH_H_
