// Test support: temporary folders, keys, ledgers and events built from JSON.
#ifndef DUTYLEDGER_TESTS_SUPPORT_TEST_UTIL_H_
#define DUTYLEDGER_TESTS_SUPPORT_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "ledger/json.h"
#include "ledger/keys.h"
#include "ledger/ledger.h"
#include "ledger/time.h"

namespace dutyledger::testing {

// The folder the test data was copied from (tests/data), set by CMake.
std::string TestDataDir();
// The folder holding the built binaries (dutyledger, helpers), set by CMake.
std::string BinaryDir();

// A fresh folder under $TMPDIR, removed with everything in it at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::unique_ptr<PrivateKey> NewKey(SignatureAlgorithm alg = SignatureAlgorithm::kEd25519);

// 2017-02-27T09:00:00+08:00, the seed notice's date: the default test clock.
Time TestEpoch();

// A ledger in a temporary folder with a manual clock and an Ed25519 (or SM2) root key.
class TestLedger {
 public:
  struct Config {
    SignatureAlgorithm root_algorithm = SignatureAlgorithm::kEd25519;
    HashAlgorithm hash = HashAlgorithm::kSha256;
    std::string origin = "test.example/park-1";
    Admission* admission = nullptr;
    uint64_t checkpoint_every_entries = 1000;
  };
  TestLedger() : TestLedger(Config{}) {}
  explicit TestLedger(Config config);

  Ledger& ledger() { return *ledger_; }
  ManualClock& clock() { return clock_; }
  const PrivateKey& root() const { return *root_; }
  const std::string& path() const { return data_; }
  const TempDir& dir() const { return dir_; }

  // Closes and reopens the ledger (re-deriving its state from the store).
  void Reopen();
  void Close() { ledger_.reset(); }

  // Builds the canonical body of a JSON event, filling eventId, origin, signerKeyId and
  // schemaVersion for `signer` when absent.
  Bytes Body(const std::string& json, const PrivateKey& signer);
  SignedEvent Sign(const std::string& json, const PrivateKey& signer);
  static SignedEvent SignBody(Bytes body, const PrivateKey& signer);
  // A note event signed by `signer`, occurred at the clock's time.
  SignedEvent Note(const std::string& text, const PrivateKey& signer);
  // Appends and expects success; returns the results.
  std::vector<AppendedEvent> MustAppend(std::vector<SignedEvent> events);
  // Binds `key` to `principal` with a KeyBound signed by the root key; returns its sequence.
  uint64_t Bind(const PrivateKey& key, const std::string& principal);

 private:
  Config config_;
  TempDir dir_;
  std::string data_;
  ManualClock clock_;
  std::unique_ptr<PrivateKey> root_;
  std::unique_ptr<Ledger> ledger_;
  EventJson json_;
};

// JSON for a KeyBound / KeyRevoked event.
std::string KeyBoundJson(const PublicKey& key, const std::string& principal, Time at);
std::string KeyRevokedJson(const Digest& key_id, const std::string& reason, Time at);

}  // namespace dutyledger::testing

#endif  // DUTYLEDGER_TESTS_SUPPORT_TEST_UTIL_H_
