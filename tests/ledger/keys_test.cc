#include "ledger/keys.h"

#include <capnp/compat/json.h>
#include <capnp/message.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include "ledger/codec.h"
#include "ledger/hash.h"
#include "tests/support/test_util.h"

namespace dutyledger {
namespace {

using testing::NewKey;
using testing::TempDir;

class KeysTest : public ::testing::TestWithParam<SignatureAlgorithm> {};

TEST_P(KeysTest, SignsAndVerifies) {
  auto key = NewKey(GetParam());
  auto sig = key->Sign("message");
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(key->public_key().Verify("message", *sig));
  EXPECT_FALSE(key->public_key().Verify("messagf", *sig));
  Bytes bad = *sig;
  bad[bad.size() / 2] ^= 1;
  EXPECT_FALSE(key->public_key().Verify("message", bad));
  EXPECT_FALSE(key->public_key().Verify("message", ""));
}

TEST_P(KeysTest, KeyIdIsSha256OfSpki) {
  auto key = NewKey(GetParam());
  EXPECT_EQ(key->public_key().id(), Sha256(key->public_key().spki()));
}

TEST_P(KeysTest, PemFilesRoundTripWithMode0600) {
  TempDir dir;
  auto key = NewKey(GetParam());
  std::string path = dir.Sub("k.key");
  ASSERT_TRUE(key->WritePemFile(path).ok());
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto loaded = PrivateKey::ReadPemFile(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->public_key().id(), key->public_key().id());
  // Never overwritten.
  EXPECT_EQ(key->WritePemFile(path).code(), StatusCode::kAlreadyExists);
  auto pub = PublicKey::FromPem(key->public_key().ToPem());
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(pub->id(), key->public_key().id());
}

TEST_P(KeysTest, KeyFileReadableByOthersIsRefused) {
  TempDir dir;
  auto key = NewKey(GetParam());
  std::string path = dir.Sub("k.key");
  ASSERT_TRUE(key->WritePemFile(path).ok());
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  auto loaded = PrivateKey::ReadPemFile(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(loaded.status().message().find("chmod 600"), std::string::npos);
}

// OpenSSL 3.0 pitfall (DESIGN.md): re-initialising a used context with another key keeps the
// old key. Verifying with key B right after key A must not accept A's signature.
TEST_P(KeysTest, VerificationNeverReusesAnotherKeysContext) {
  auto a = NewKey(GetParam());
  auto b = NewKey(GetParam());
  auto sig = a->Sign("same message");
  ASSERT_TRUE(sig.ok());
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(a->public_key().Verify("same message", *sig));
    EXPECT_FALSE(b->public_key().Verify("same message", *sig));
  }
}

INSTANTIATE_TEST_SUITE_P(Algorithms, KeysTest,
                         ::testing::Values(SignatureAlgorithm::kEd25519, SignatureAlgorithm::kSm2),
                         [](const auto& info) {
                           return std::string(SignatureAlgorithmName(info.param));
                         });

TEST(Keys, SpkiMustBeCanonicalDerOfASupportedKey) {
  auto key = NewKey();
  Bytes spki = key->public_key().spki();
  EXPECT_FALSE(PublicKey::FromSpki(spki + "x").ok());          // trailing bytes
  EXPECT_FALSE(PublicKey::FromSpki(spki.substr(0, 20)).ok());  // truncated
  EXPECT_FALSE(PublicKey::FromSpki("").ok());
  // An RSA or P-256 key is not an accepted signing key.
  auto p256 = Base64Decode(
      "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2adMrdG7aUfZH57aeKFFM01dPnkxC18ScRb4Z6poMBgJtYlVtd9ly63U"
      "RfZj2Mv3Prf8I7H8O0zqwu9QFFcI8Q==");
  ASSERT_TRUE(p256);
  auto r = PublicKey::FromSpki(*p256);
  EXPECT_FALSE(r.ok());
}

// Verifies an SM2 signature with OpenSSL directly, the id set on the key context before the
// init (EVP_PKEY_CTX_set1_id, OpenSSL 1.1.1's way): a path independent of ledger/keys.cc's.
bool OpenSslVerifiesSm2(const PublicKey& key, ByteView message, ByteView sig, ByteView id) {
  Bytes spki = key.spki();
  const auto* p = reinterpret_cast<const unsigned char*>(spki.data());
  EVP_PKEY* pkey = d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size()));
  EVP_PKEY_CTX* pctx = pkey ? EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr) : nullptr;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = pctx && ctx && EVP_PKEY_CTX_set1_id(pctx, id.data(), id.size()) == 1;
  if (ok) EVP_MD_CTX_set_pkey_ctx(ctx, pctx);  // ctx does not own it
  ok =
      ok && EVP_DigestVerifyInit(ctx, nullptr, EVP_sm3(), nullptr, pkey) == 1 &&
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                       reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_CTX_free(pctx);
  EVP_PKEY_free(pkey);
  ERR_clear_error();
  return ok;
}

TEST(Keys, Sm2SignatureInteroperatesWithOpenSslDistinguishingId) {
  // Our SM2 signatures use GB/T 32918's default id; a signature made with another id fails.
  EXPECT_EQ(kSm2DistinguishingId, "1234567812345678");
  auto key = NewKey(SignatureAlgorithm::kSm2);
  auto sig = key->Sign("abc");
  ASSERT_TRUE(sig.ok()) << sig.status().ToString();
  EXPECT_TRUE(key->public_key().Verify("abc", *sig));
  EXPECT_TRUE(OpenSslVerifiesSm2(key->public_key(), "abc", *sig, kSm2DistinguishingId));
  EXPECT_FALSE(OpenSslVerifiesSm2(key->public_key(), "abc", *sig, "another id"));
  EXPECT_FALSE(OpenSslVerifiesSm2(key->public_key(), "abd", *sig, kSm2DistinguishingId));
}

// Every vector of Wycheproof's Ed25519 file through the verifier the ledger uses.
TEST(Keys, WycheproofEd25519) {
  auto text = ReadSmallFile(
      testing::TestDataDir() + "/vectors/ed25519/wycheproof_ed25519_test.json", 1 << 22);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  capnp::JsonCodec codec;
  capnp::MallocMessageBuilder m;
  auto root = m.initRoot<capnp::JsonValue>();
  codec.decodeRaw(kj::ArrayPtr<const char>(text->data(), text->size()), root);
  int valid = 0, invalid = 0, total = 0;
  auto field = [](capnp::JsonValue::Reader obj, const char* name) {
    for (auto f : obj.getObject()) {
      if (f.getName() == name) return f.getValue();
    }
    ADD_FAILURE() << "no field " << name;
    return obj;
  };
  for (auto group : field(root.asReader(), "testGroups").getArray()) {
    auto der = HexDecode(field(group, "publicKeyDer").getString().cStr());
    ASSERT_TRUE(der);
    auto key = PublicKey::FromSpki(*der);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    for (auto t : field(group, "tests").getArray()) {
      ++total;
      auto msg = HexDecode(field(t, "msg").getString().cStr());
      auto sig = HexDecode(field(t, "sig").getString().cStr());
      ASSERT_TRUE(msg && sig);
      std::string result = field(t, "result").getString().cStr();
      bool ok = key->Verify(*msg, *sig);
      int id = static_cast<int>(field(t, "tcId").getNumber());
      if (result == "valid") {
        EXPECT_TRUE(ok) << "tcId " << id << " should verify";
        ++valid;
      } else {
        EXPECT_FALSE(ok) << "tcId " << id << " should be refused";
        ++invalid;
      }
    }
  }
  EXPECT_EQ(total, 151);
  EXPECT_EQ(valid, 88);
  EXPECT_EQ(invalid, 63);
}

}  // namespace
}  // namespace dutyledger
