// verify-bundle: checks an audit bundle folder (bundle.h, FORMAT.md "Audit bundle") from its
// files alone. It is written against FORMAT.md: it never opens a ledger or its store, and shares
// with dutyledger only the primitives (hashes, the Cap'n Proto codec, signatures, RFC 6962 proofs,
// signed notes, and the entry rules of internal/entry_checks.h).
//
// Checks, in this order (the FIRST problem is reported, with its file, entry and field):
//   1. checkpoint: a signed note whose body is a tlog checkpoint;
//   2. log-key.pub: a PEM public key;
//   3. proofs.json: well formed; its tree size and root are the checkpoint's;
//   4. keys.json: well formed; every key's PEM hashes to its id and has its algorithm;
//   5. entry 0 is the genesis; log-key.pub is its logKey, its origin the checkpoint's, its hash
//      algorithm the one proofs.json names;
//   6. the checkpoint is signed by the log key;
//   7. with a policy: the log key is one it lists (when it lists logs), and the cosignatures meet
//      its quorum;
//   8. with a trusted checkpoint: same origin, signed by the log key, not larger than the bundle's
//      (else the bundle comes from an older copy: a rollback), same root at the same size; at
//      size 0, the empty tree's root (every tree extends it);
//   9. every entry in order: framing, canonical form, sequence order (no gaps in a full bundle),
//      envelope, chain link (to the entry before, when the bundle has it), recordedAt order, the
//      signer's key bound and valid at that sequence (as the bundle's own key entries bind them),
//      the signature, keys.json's row for each key entry, and (partial) the inclusion proof;
//  10. full: the recomputed root is the checkpoint's;
//  11. each consistency proof, and the earlier checkpoint it starts from (signed by the log key);
//  12. with a trusted checkpoint smaller than the bundle's: consistency with it (full: from the
//      recomputed tree; partial: a consistency proof from its size must be in proofs.json);
//  13. keys.json lists no key that no entry of the bundle binds.
// Signatures are checked on all cores; entries.bin is streamed, never held in memory whole.
#ifndef DUTYLEDGER_LEDGER_BUNDLE_VERIFY_H_
#define DUTYLEDGER_LEDGER_BUNDLE_VERIFY_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>

#include "ledger/checkpoint.h"
#include "ledger/status.h"
#include "ledger/witness_policy.h"

namespace dutyledger {

struct BundleVerifyOptions {
  int threads = 0;  // 0: hardware concurrency
  // A checkpoint obtained elsewhere: the bundle must be consistent with it.
  std::optional<SignedNote> trusted_checkpoint;
  // Which logs and cosignatures to require.
  std::optional<WitnessPolicy> policy;
  // Called from the verifying thread as entries are checked: (done, total in the bundle if
  // known, else 0).
  std::function<void(uint64_t, uint64_t)> progress;
};

struct BundleReport {
  bool ok = true;
  StatusCode code = StatusCode::kOk;
  std::string file;                  // "entries.bin", "keys.json", "checkpoint", "policy", ...
  std::optional<uint64_t> sequence;  // the entry, when the problem is one
  std::string field;                 // "signature", "prevLeafHash", "inclusion proof", ...
  std::string reason;

  bool full = false;
  uint64_t tree_size = 0;
  uint64_t entries = 0;  // entries checked
  uint64_t keys = 0;
  std::string root_base64;
  std::string origin;
  bool log_key_pinned = false;        // by the policy or the trusted checkpoint
  std::set<std::string> cosigners;    // witnesses whose cosignatures met the policy
  std::vector<uint64_t> consistency;  // earlier checkpoint sizes shown consistent

  // "<file>: entry <s>: <field>: <reason>" (parts that apply), or a summary when ok.
  std::string Summary() const;
};

// Operational failures (no such folder) are a Status; everything wrong with the bundle is a
// report.
Result<BundleReport> VerifyBundle(const std::string& dir, const BundleVerifyOptions& options);

}  // namespace dutyledger

#endif  // DUTYLEDGER_LEDGER_BUNDLE_VERIFY_H_
