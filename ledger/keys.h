// Signing keys: Ed25519 (libsodium on the hot path) and SM2 with SM3 (OpenSSL 3).
//
// A key id is the SHA-256 of the key's DER SubjectPublicKeyInfo. Private keys live in PKCS#8 PEM
// files written with mode 0600; they are never logged and never leave the machine that signs.
#ifndef DUTYLEDGER_LEDGER_KEYS_H_
#define DUTYLEDGER_LEDGER_KEYS_H_

#include <memory>
#include <string>
#include <string_view>

#include "ledger/bytes.h"
#include "ledger/status.h"

namespace dutyledger {

enum class SignatureAlgorithm { kEd25519 = 0, kSm2 = 1 };

std::string_view SignatureAlgorithmName(SignatureAlgorithm a);  // "ed25519" / "sm2"
Result<SignatureAlgorithm> ParseSignatureAlgorithm(std::string_view name);

// The SM2 distinguishing identifier used for every SM2 signature (GB/T 32918's default).
inline constexpr std::string_view kSm2DistinguishingId = "1234567812345678";

// A public key. A cheap, immutable, thread-safe value (shares its parsed form).
class PublicKey {
 public:
  // Parses DER SubjectPublicKeyInfo. The encoding must be the canonical DER of an Ed25519 or
  // SM2 key (so one key has one id). kInvalidArgument otherwise.
  static Result<PublicKey> FromSpki(ByteView der);
  static Result<PublicKey> FromPem(std::string_view pem);
  static Result<PublicKey> ReadPemFile(const std::string& path);

  SignatureAlgorithm algorithm() const;
  const Bytes& spki() const;
  const Digest& id() const;  // SHA-256 of spki()
  std::string ToPem() const;
  // For Ed25519 the raw 32-byte key (RFC 8032); for SM2 the uncompressed point (65 bytes).
  const Bytes& raw() const;

  // True when `signature` is a valid signature of `message` under this key. Each call uses its
  // own OpenSSL contexts (never reused across keys; see DESIGN.md "Known pitfalls").
  bool Verify(ByteView message, ByteView signature) const;

  friend bool operator==(const PublicKey& a, const PublicKey& b) { return a.id() == b.id(); }

  struct Impl;

 private:
  explicit PublicKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// A private signing key. Not copyable. Signing is thread-safe.
class PrivateKey {
 public:
  static Result<std::unique_ptr<PrivateKey>> Generate(SignatureAlgorithm algorithm);
  // Reads a PKCS#8 PEM file. Refuses a file that others may read (mode beyond 0600).
  static Result<std::unique_ptr<PrivateKey>> ReadPemFile(const std::string& path);
  static Result<std::unique_ptr<PrivateKey>> FromPem(std::string_view pem);
  // An Ed25519 key from its 32-byte RFC 8032 seed (test vectors, deterministic fixtures).
  static Result<std::unique_ptr<PrivateKey>> FromEd25519Seed(ByteView seed);

  ~PrivateKey();
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;

  const PublicKey& public_key() const { return public_key_; }
  SignatureAlgorithm algorithm() const { return public_key_.algorithm(); }

  // Ed25519: the 64-byte signature (deterministic). SM2: a DER ECDSA-Sig-Value over SM3 with the
  // distinguishing id above (randomised).
  Result<Bytes> Sign(ByteView message) const;

  // Writes the key as unencrypted PKCS#8 PEM to a new file created with mode 0600 (refuses to
  // overwrite), and fsyncs it.
  Status WritePemFile(const std::string& path) const;

  struct Impl;

 private:
  PrivateKey(std::unique_ptr<Impl> impl, PublicKey public_key);
  std::unique_ptr<Impl> impl_;
  PublicKey public_key_;
};

// Writes `contents` to a new file `path` with `mode`, fsyncs it and its folder; refuses to
// overwrite an existing file (kAlreadyExists).
Status WriteNewFile(const std::string& path, std::string_view contents, int mode);
Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes = 1 << 20);

}  // namespace dutyledger

#endif  // DUTYLEDGER_LEDGER_KEYS_H_
