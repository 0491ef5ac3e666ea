#include "ledger/keys.h"

#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "ledger/hash.h"

namespace dutyledger {
namespace {

// The one place OpenSSL's error queue becomes a Status.
Status OpenSslError(StatusCode code, std::string what) {
  unsigned long e;
  std::string detail;
  while ((e = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!detail.empty()) detail += "; ";
    detail += buf;
  }
  if (!detail.empty()) what += " (" + detail + ")";
  return Status(code, std::move(what));
}

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

void EnsureSodium() { DL_CHECK(sodium_init() >= 0); }

bool IsSm2(EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "SM2")) return true;
  if (!EVP_PKEY_is_a(pkey, "EC")) return false;
  char group[64];
  size_t len = 0;
  if (EVP_PKEY_get_group_name(pkey, group, sizeof group, &len) != 1) return false;
  return std::string_view(group, len) == "SM2";
}

Result<SignatureAlgorithm> AlgorithmOf(EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "ED25519")) return SignatureAlgorithm::kEd25519;
  if (IsSm2(pkey)) return SignatureAlgorithm::kSm2;
  return InvalidArgument("unsupported key type (only Ed25519 and SM2 keys are accepted)");
}

Result<Bytes> SpkiOf(EVP_PKEY* pkey) {
  int len = i2d_PUBKEY(pkey, nullptr);
  if (len <= 0) return OpenSslError(StatusCode::kInternal, "cannot encode public key");
  Bytes out(static_cast<size_t>(len), '\0');
  unsigned char* p = reinterpret_cast<unsigned char*>(out.data());
  if (i2d_PUBKEY(pkey, &p) != len) return OpenSslError(StatusCode::kInternal, "i2d_PUBKEY");
  return out;
}

// The distinguishing id every SM2 operation uses, on a fresh context (InitSm2).
OSSL_PARAM* Sm2Params() {
  static OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_DIST_ID,
                                        const_cast<char*>(kSm2DistinguishingId.data()),
                                        kSm2DistinguishingId.size()),
      OSSL_PARAM_construct_end()};
  return params;
}

// Readies `ctx` to sign (or verify) with SM3 and the distinguishing id. The id is set on the
// context after the init, not passed to it: OpenSSL 3.0.19 (Debian 12's in 2026) refuses it at
// init, silently (openssl/openssl#30131); set before the first update it is what the Z digest
// uses, in every 3.0 release.
bool InitSm2(EVP_MD_CTX* ctx, EVP_PKEY* pkey, bool sign) {
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  int init = sign ? EVP_DigestSignInit_ex(ctx, &pctx, "SM3", nullptr, nullptr, pkey, nullptr)
                  : EVP_DigestVerifyInit_ex(ctx, &pctx, "SM3", nullptr, nullptr, pkey, nullptr);
  return init == 1 && pctx != nullptr && EVP_PKEY_CTX_set_params(pctx, Sm2Params()) == 1;
}

}  // namespace

std::string_view SignatureAlgorithmName(SignatureAlgorithm a) {
  return a == SignatureAlgorithm::kSm2 ? "sm2" : "ed25519";
}

Result<SignatureAlgorithm> ParseSignatureAlgorithm(std::string_view name) {
  if (name == "ed25519" || name == "Ed25519") return SignatureAlgorithm::kEd25519;
  if (name == "sm2" || name == "SM2") return SignatureAlgorithm::kSm2;
  return InvalidArgument("unknown signature algorithm '" + std::string(name) +
                         "' (expected ed25519 or sm2)");
}

// ---------------------------------------------------------------------------------------------
// PublicKey

struct PublicKey::Impl {
  SignatureAlgorithm algorithm;
  Bytes spki;
  Digest id;
  Bytes raw;
  EVP_PKEY* pkey = nullptr;  // owned; SM2 only (Ed25519 verifies with libsodium)
  ~Impl() { EVP_PKEY_free(pkey); }
};

// The canonical DER of an Ed25519 SubjectPublicKeyInfo (RFC 8410): this prefix, then the key.
constexpr char kEd25519SpkiPrefix[] = "\x30\x2a\x30\x05\x06\x03\x2b\x65\x70\x03\x21\x00";
constexpr size_t kEd25519SpkiPrefixSize = sizeof kEd25519SpkiPrefix - 1;

Result<PublicKey> PublicKey::FromSpki(ByteView der) {
  EnsureSodium();
  // Ed25519 keys need no OpenSSL object (libsodium verifies): opening a ledger decodes its whole
  // key table, and d2i_PUBKEY plus re-encoding cost ~130 us a key.
  if (der.size() == kEd25519SpkiPrefixSize + 32 &&
      der.substr(0, kEd25519SpkiPrefixSize) ==
          ByteView(kEd25519SpkiPrefix, kEd25519SpkiPrefixSize)) {
    auto impl = std::make_shared<Impl>();
    impl->algorithm = SignatureAlgorithm::kEd25519;
    impl->spki = Bytes(der);
    impl->id = Sha256(der);
    impl->raw = Bytes(der.substr(kEd25519SpkiPrefixSize));
    return PublicKey(std::move(impl));
  }
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  PkeyPtr pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  ERR_clear_error();
  if (!pkey) return InvalidArgument("not a DER SubjectPublicKeyInfo");
  if (p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    return InvalidArgument("trailing bytes after the SubjectPublicKeyInfo");
  }
  ASSIGN_OR_RETURN(SignatureAlgorithm alg, AlgorithmOf(pkey.get()));
  ASSIGN_OR_RETURN(Bytes canonical, SpkiOf(pkey.get()));
  if (canonical != der) return InvalidArgument("SubjectPublicKeyInfo is not in canonical DER");
  auto impl = std::make_shared<Impl>();
  impl->algorithm = alg;
  impl->spki = Bytes(der);
  impl->id = Sha256(der);
  if (alg == SignatureAlgorithm::kEd25519) {
    unsigned char raw[32];
    size_t len = sizeof raw;
    if (EVP_PKEY_get_raw_public_key(pkey.get(), raw, &len) != 1 || len != 32) {
      return OpenSslError(StatusCode::kInvalidArgument, "bad Ed25519 public key");
    }
    impl->raw.assign(reinterpret_cast<const char*>(raw), len);
  } else {
    unsigned char point[133];
    size_t len = 0;
    if (EVP_PKEY_get_octet_string_param(pkey.get(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point,
                                        sizeof point, &len) != 1) {
      return OpenSslError(StatusCode::kInvalidArgument, "bad SM2 public key");
    }
    impl->raw.assign(reinterpret_cast<const char*>(point), len);
  }
  impl->pkey = pkey.release();
  return PublicKey(std::move(impl));
}

Result<PublicKey> PublicKey::FromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!pkey) return InvalidArgument("not a PEM public key (expected -----BEGIN PUBLIC KEY-----)");
  ASSIGN_OR_RETURN(Bytes spki, SpkiOf(pkey.get()));
  return FromSpki(spki);
}

Result<PublicKey> PublicKey::ReadPemFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string pem, ReadSmallFile(path));
  auto key = FromPem(pem);
  if (!key.ok()) return key.status().WithContext(path);
  return key;
}

SignatureAlgorithm PublicKey::algorithm() const { return impl_->algorithm; }
const Bytes& PublicKey::spki() const { return impl_->spki; }
const Digest& PublicKey::id() const { return impl_->id; }
const Bytes& PublicKey::raw() const { return impl_->raw; }

std::string PublicKey::ToPem() const {
  // RFC 7468: the canonical DER in base64, 64 characters a line.
  std::string b64 = Base64Encode(impl_->spki);
  std::string pem = "-----BEGIN PUBLIC KEY-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) pem.append(b64, i, 64).push_back('\n');
  return pem + "-----END PUBLIC KEY-----\n";
}

bool PublicKey::Verify(ByteView message, ByteView signature) const {
  if (impl_->algorithm == SignatureAlgorithm::kEd25519) {
    if (signature.size() != crypto_sign_BYTES) return false;
    return crypto_sign_verify_detached(
               reinterpret_cast<const unsigned char*>(signature.data()),
               reinterpret_cast<const unsigned char*>(message.data()), message.size(),
               reinterpret_cast<const unsigned char*>(impl_->raw.data())) == 0;
  }
  // A fresh context for every verification: never re-initialise one with another key.
  MdCtxPtr ctx(EVP_MD_CTX_new());
  bool ok =
      ctx && InitSm2(ctx.get(), impl_->pkey, /*sign=*/false) &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) == 1;
  ERR_clear_error();
  return ok;
}

// ---------------------------------------------------------------------------------------------
// PrivateKey

struct PrivateKey::Impl {
  EVP_PKEY* pkey = nullptr;                                  // owned
  unsigned char sodium_sk[crypto_sign_SECRETKEYBYTES] = {};  // Ed25519 only
  ~Impl() {
    sodium_memzero(sodium_sk, sizeof sodium_sk);
    EVP_PKEY_free(pkey);
  }
};

PrivateKey::PrivateKey(std::unique_ptr<Impl> impl, PublicKey public_key)
    : impl_(std::move(impl)), public_key_(std::move(public_key)) {}
PrivateKey::~PrivateKey() = default;

namespace {

Result<std::unique_ptr<PrivateKey::Impl>> ImplFromPkey(PkeyPtr pkey, SignatureAlgorithm* alg,
                                                       Bytes* spki) {
  ASSIGN_OR_RETURN(*alg, AlgorithmOf(pkey.get()));
  ASSIGN_OR_RETURN(*spki, SpkiOf(pkey.get()));
  auto impl = std::make_unique<PrivateKey::Impl>();
  if (*alg == SignatureAlgorithm::kEd25519) {
    unsigned char seed[32];
    size_t len = sizeof seed;
    if (EVP_PKEY_get_raw_private_key(pkey.get(), seed, &len) != 1 || len != 32) {
      return OpenSslError(StatusCode::kInvalidArgument, "bad Ed25519 private key");
    }
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    crypto_sign_seed_keypair(pk, impl->sodium_sk, seed);
    sodium_memzero(seed, sizeof seed);
  }
  impl->pkey = pkey.release();
  return impl;
}

}  // namespace

Result<std::unique_ptr<PrivateKey>> PrivateKey::Generate(SignatureAlgorithm algorithm) {
  EnsureSodium();
  PkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr,
                                 algorithm == SignatureAlgorithm::kSm2 ? "SM2" : "ED25519"));
  if (!pkey) return OpenSslError(StatusCode::kInternal, "key generation failed");
  SignatureAlgorithm alg;
  Bytes spki;
  ASSIGN_OR_RETURN(auto impl, ImplFromPkey(std::move(pkey), &alg, &spki));
  ASSIGN_OR_RETURN(PublicKey pub, PublicKey::FromSpki(spki));
  return std::unique_ptr<PrivateKey>(new PrivateKey(std::move(impl), std::move(pub)));
}

Result<std::unique_ptr<PrivateKey>> PrivateKey::FromPem(std::string_view pem) {
  EnsureSodium();
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!pkey) {
    return InvalidArgument(
        "not an unencrypted PKCS#8 PEM private key "
        "(expected -----BEGIN PRIVATE KEY-----)");
  }
  SignatureAlgorithm alg;
  Bytes spki;
  ASSIGN_OR_RETURN(auto impl, ImplFromPkey(std::move(pkey), &alg, &spki));
  ASSIGN_OR_RETURN(PublicKey pub, PublicKey::FromSpki(spki));
  return std::unique_ptr<PrivateKey>(new PrivateKey(std::move(impl), std::move(pub)));
}

Result<std::unique_ptr<PrivateKey>> PrivateKey::FromEd25519Seed(ByteView seed) {
  EnsureSodium();
  if (seed.size() != 32) return InvalidArgument("an Ed25519 seed is 32 bytes");
  PkeyPtr pkey(EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()), 32));
  if (!pkey) return OpenSslError(StatusCode::kInternal, "cannot make an Ed25519 key");
  SignatureAlgorithm alg;
  Bytes spki;
  ASSIGN_OR_RETURN(auto impl, ImplFromPkey(std::move(pkey), &alg, &spki));
  ASSIGN_OR_RETURN(PublicKey pub, PublicKey::FromSpki(spki));
  return std::unique_ptr<PrivateKey>(new PrivateKey(std::move(impl), std::move(pub)));
}

Result<std::unique_ptr<PrivateKey>> PrivateKey::ReadPemFile(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return NotFound(path + ": cannot read private key: " + std::strerror(errno));
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return PermissionDenied(path + ": private key file may be read by others (mode " + mode +
                            "); run chmod 600 " + path);
  }
  ASSIGN_OR_RETURN(std::string pem, ReadSmallFile(path));
  auto key = FromPem(pem);
  sodium_memzero(pem.data(), pem.size());
  if (!key.ok()) return key.status().WithContext(path);
  return key;
}

Result<Bytes> PrivateKey::Sign(ByteView message) const {
  if (algorithm() == SignatureAlgorithm::kEd25519) {
    Bytes sig(crypto_sign_BYTES, '\0');
    crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr,
                         reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                         impl_->sodium_sk);
    return sig;
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  size_t len = 0;
  if (!ctx || !InitSm2(ctx.get(), impl_->pkey, /*sign=*/true) ||
      EVP_DigestSign(ctx.get(), nullptr, &len,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1) {
    return OpenSslError(StatusCode::kInternal, "SM2 signing failed");
  }
  Bytes sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1) {
    return OpenSslError(StatusCode::kInternal, "SM2 signing failed");
  }
  sig.resize(len);
  return sig;
}

Status PrivateKey::WritePemFile(const std::string& path) const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(bio.get(), impl_->pkey, nullptr, nullptr, 0, nullptr, nullptr) !=
      1) {
    return OpenSslError(StatusCode::kInternal, "cannot encode private key");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  Status s = WriteNewFile(path, std::string_view(data, static_cast<size_t>(len)), 0600);
  OPENSSL_cleanse(data, static_cast<size_t>(len));
  return s;
}

// ---------------------------------------------------------------------------------------------
// Files

Status WriteNewFile(const std::string& path, std::string_view contents, int mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == EEXIST) return AlreadyExists(path + ": file exists; not overwriting it");
    return IOError(path + ": cannot create: " + std::strerror(errno));
  }
  Status status;
  if (::fchmod(fd, static_cast<mode_t>(mode)) != 0) {
    status = IOError(path + ": cannot set mode: " + std::strerror(errno));
  }
  size_t done = 0;
  while (status.ok() && done < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      status = IOError(path + ": write failed: " + std::strerror(errno));
    } else {
      done += static_cast<size_t>(n);
    }
  }
  if (status.ok() && ::fsync(fd) != 0) {
    status = IOError(path + ": fsync failed: " + std::strerror(errno));
  }
  ::close(fd);
  if (!status.ok()) {
    ::unlink(path.c_str());
    return status;
  }
  std::string dir = std::filesystem::path(path).parent_path().string();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NotFound(path + ": cannot open: " + std::strerror(errno));
  std::string out;
  char buf[8192];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      return IOError(path + ": read failed: " + std::strerror(e));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > max_bytes) {
      ::close(fd);
      return ResourceExhausted(path + ": larger than " + std::to_string(max_bytes) + " bytes");
    }
  }
  ::close(fd);
  return out;
}

}  // namespace dutyledger
