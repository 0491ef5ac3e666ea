#include "ledger/hash.h"

#include <openssl/evp.h>

#include "ledger/status.h"

namespace dutyledger {
namespace {

// Digest contexts are reused per thread and per algorithm: re-initialising a context for the
// same keyless digest is safe (the OpenSSL pitfall in DESIGN.md concerns keyed contexts).
const EVP_MD* FetchedMd(HashAlgorithm a) {
  static const EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  static const EVP_MD* sm3 = EVP_MD_fetch(nullptr, "SM3", nullptr);
  const EVP_MD* md = a == HashAlgorithm::kSm3 ? sm3 : sha256;
  DL_CHECK(md != nullptr);
  return md;
}

struct ThreadContexts {
  EVP_MD_CTX* ctx[2] = {nullptr, nullptr};
  ~ThreadContexts() {
    for (auto* c : ctx) EVP_MD_CTX_free(c);
  }
};

EVP_MD_CTX* ContextFor(HashAlgorithm a) {
  thread_local ThreadContexts contexts;
  EVP_MD_CTX*& c = contexts.ctx[static_cast<int>(a)];
  if (c == nullptr) c = EVP_MD_CTX_new();
  DL_CHECK(c != nullptr);
  DL_CHECK(EVP_DigestInit_ex2(c, FetchedMd(a), nullptr) == 1);
  return c;
}

Digest Finish(EVP_MD_CTX* c) {
  Digest d;
  unsigned int len = 0;
  DL_CHECK(EVP_DigestFinal_ex(c, d.mutable_data(), &len) == 1 && len == Digest::kSize);
  return d;
}

}  // namespace

std::string_view HashAlgorithmName(HashAlgorithm a) {
  return a == HashAlgorithm::kSm3 ? "sm3" : "sha256";
}

Digest Hasher::Hash(ByteView data) const {
  EVP_MD_CTX* c = ContextFor(algorithm_);
  DL_CHECK(EVP_DigestUpdate(c, data.data(), data.size()) == 1);
  return Finish(c);
}

Digest Hasher::Hash(ByteView a, ByteView b, ByteView c3) const {
  EVP_MD_CTX* c = ContextFor(algorithm_);
  DL_CHECK(EVP_DigestUpdate(c, a.data(), a.size()) == 1);
  DL_CHECK(EVP_DigestUpdate(c, b.data(), b.size()) == 1);
  DL_CHECK(EVP_DigestUpdate(c, c3.data(), c3.size()) == 1);
  return Finish(c);
}

Digest Hasher::LeafHash(ByteView leaf) const {
  static constexpr char kLeafPrefix[1] = {0x00};
  return Hash(ByteView(kLeafPrefix, 1), leaf);
}

Digest Hasher::NodeHash(const Digest& left, const Digest& right) const {
  static constexpr char kNodePrefix[1] = {0x01};
  return Hash(ByteView(kNodePrefix, 1), left.view(), right.view());
}

}  // namespace dutyledger
