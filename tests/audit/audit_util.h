// Support for the audit tests: ledgers of either crypto suite (Ed25519/SHA-256 or SM2/SM3, log
// key included), bundles exported from them, and the bundle's files as bytes to tamper with.
#ifndef DUTYLEDGER_TESTS_AUDIT_AUDIT_UTIL_H_
#define DUTYLEDGER_TESTS_AUDIT_AUDIT_UTIL_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "ledger/bundle.h"
#include "ledger/bundle_verify.h"
#include "ledger/json.h"
#include "ledger/keys.h"
#include "ledger/ledger.h"
#include "ledger/time.h"
#include "tests/support/test_util.h"

namespace dutyledger::testing {

// The two suites of FORMAT.md: what signs events, what hashes the tree, what signs checkpoints.
struct Suite {
  const char* name;
  SignatureAlgorithm signer;
  HashAlgorithm hash;
  SignatureAlgorithm log;
};
inline constexpr Suite kEd25519Sha256{"Ed25519Sha256", SignatureAlgorithm::kEd25519,
                                      HashAlgorithm::kSha256, SignatureAlgorithm::kEd25519};
inline constexpr Suite kSm2Sm3{"Sm2Sm3", SignatureAlgorithm::kSm2, HashAlgorithm::kSm3,
                               SignatureAlgorithm::kSm2};

// A ledger in its own folder with a manual clock, made with the suite's algorithms.
class AuditLedger {
 public:
  AuditLedger(const Suite& suite, const std::string& path,
              const std::string& origin = "audit.example/park-1");
  // A copy of `source`'s folder at `path`, opened, with the same keys and clock time: appending
  // different entries to each makes a fork; keeping the copy and appending to the source makes
  // an older copy to restore.
  static std::unique_ptr<AuditLedger> CopyOf(AuditLedger& source, const std::string& path);

  Ledger& ledger() { return *ledger_; }
  const PrivateKey& root() const { return *root_; }
  const std::string& path() const { return path_; }
  ManualClock& clock() { return clock_; }

  // Appends `n` notes signed by `signer` (the root key if null); returns their sequences.
  std::vector<uint64_t> Notes(int n, const PrivateKey* signer = nullptr,
                              const std::string& text = "note");
  // Binds `key` to `principal` (signed by the root key); returns the entry's sequence.
  uint64_t Bind(const PrivateKey& key, const std::string& principal);
  uint64_t Revoke(const PublicKey& key);
  StoredCheckpoint Checkpoint();
  void Close() { ledger_.reset(); }
  void Reopen();

 private:
  AuditLedger(const Suite& suite, std::string path, std::shared_ptr<PrivateKey> root, Time now);
  SignedEvent Sign(const std::string& json, const PrivateKey& signer);

  Suite suite_;
  std::string path_;
  ManualClock clock_;
  std::shared_ptr<PrivateKey> root_;
  std::unique_ptr<Ledger> ledger_;
  EventJson json_;
};

// Copies a folder recursively (a ledger, or a bundle to tamper with).
void CopyFolder(const std::string& from, const std::string& to);

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& contents);

// entries.bin split into its frames' segments, and joined again.
std::vector<Bytes> ReadFrames(const std::string& bundle);
void WriteFrames(const std::string& bundle, const std::vector<Bytes>& segments);

// Replaces the first occurrence of `from` by `to` in a file; fails the test if absent.
void ReplaceInFile(const std::string& path, const std::string& from, const std::string& to);

BundleReport VerifyBundleOk(const std::string& bundle, BundleVerifyOptions options = {});
BundleReport VerifyBundleReport(const std::string& bundle, BundleVerifyOptions options = {});

// Expects a failed report naming `file`, the entry (if `sequence` >= 0), `field` (if not empty)
// and containing `reason`.
void ExpectBundleBad(const BundleReport& r, const std::string& file, int64_t sequence,
                     const std::string& field, const std::string& reason);

// The shell blocks (```sh) of a VERIFY.md, joined in order.
std::string ShellBlocks(const std::string& verify_md);

struct ShellRun {
  int exit_code = -1;
  std::string out;
};
// Runs `script` with bash -euo pipefail in `dir`, capturing stdout and stderr together.
ShellRun RunShell(const std::string& dir, const std::string& script);

}  // namespace dutyledger::testing

#endif  // DUTYLEDGER_TESTS_AUDIT_AUDIT_UTIL_H_
