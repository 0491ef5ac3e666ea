// Witnessing: C2SP tlog-cosignature v1 cosignatures over checkpoints, and the witness that makes
// them only for checkpoints consistent with the last one it cosigned (c2sp.org/tlog-witness).
//
// A cosignature line is a signed-note signature line
//
//   — <witness name> base64(key id || u64 timestamp, big-endian || signature)
//
// whose signature covers "cosignature/v1\ntime <timestamp>\n" followed by the checkpoint body.
// Ed25519 witnesses use C2SP's signature type 0x04; SM2 witnesses the type 0xff
// "dutyledger-sm2-cosignature/v1" with an SM2/SM3 DER signature (see checkpoint.h, FORMAT.md
// "Audit bundle").
#ifndef DUTYLEDGER_LEDGER_WITNESS_H_
#define DUTYLEDGER_LEDGER_WITNESS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "ledger/bytes.h"
#include "ledger/checkpoint.h"
#include "ledger/hash.h"
#include "ledger/keys.h"
#include "ledger/status.h"

namespace dutyledger {

// "cosignature/v1\ntime <timestamp>\n" || checkpoint body: what a cosignature signs.
Bytes CosignatureMessage(std::string_view checkpoint_body, uint64_t timestamp);

// A cosignature line by `key` (the witness's, Ed25519 or SM2) under `name`. kInvalidArgument for
// a bad name or a timestamp above 2^63 - 1.
Result<std::string> SignCosignature(std::string_view checkpoint_body, std::string_view name,
                                    const PrivateKey& key, uint64_t timestamp);

// Verifies the cosignature of the witness (name, key) on `note` and returns its timestamp.
// kNotFound: the note has no signature line with that name and cosigner key id.
// kIntegrityViolation: it has one, and it does not verify over this note's body (it was made for
// another checkpoint, or altered).
Result<uint64_t> VerifyCosignature(const SignedNote& note, std::string_view name,
                                   const PublicKey& key);

// What can be checked of a cosignature line without the witness's key: one signature line, whose
// signature is a timestamp (at most 2^63 - 1) followed by a 64-byte Ed25519 signature or a DER
// SM2 signature. kInvalidArgument naming the problem.
Result<NoteSignature> ParseCosignatureLine(std::string_view line);

// The last checkpoint a witness cosigned for one log.
struct WitnessRecord {
  std::string log_key;  // the log's verifier key (its name is the log's origin)
  HashAlgorithm hash = HashAlgorithm::kSha256;  // the log's tree hash
  uint64_t size = 0;
  Digest root;
};

// A witness: a cosigning key and its state file, which holds one WitnessRecord per log origin.
//
// Open() takes an exclusive lock (flock on "<state>.lock") held until destruction, so two
// processes never check-and-update the same state at once. Cosign() writes the new state
// atomically (a temporary file, fsync, rename over the old file, fsync of the folder) BEFORE it
// returns the cosignature, so a crash can never leave a cosignature the state does not reflect.
// Not thread-safe; one per process and state file.
//
// State file format (text): the line "dutyledger-witness-state/v1", then one line per log,
// "<log verifier key> <sha256|sm3> <size> <base64 root>", sorted by origin.
class Witness {
 public:
  // Creates the state file if absent. kUnavailable if another process holds the lock;
  // kCorruption if the state file is malformed.
  static Result<std::unique_ptr<Witness>> Open(const std::string& state_path, std::string name,
                                               const PrivateKey* key);
  ~Witness();
  Witness(const Witness&) = delete;
  Witness& operator=(const Witness&) = delete;

  // The last checkpoint cosigned for `origin`, if any.
  std::optional<WitnessRecord> Last(std::string_view origin) const;

  // Cosigns `checkpoint` (a signed note) at `timestamp` if:
  //   - it is signed by `log_key` (a log verifier key whose name is the checkpoint's origin), and
  //     that key and `hash` (the log's tree hash) are those recorded for this origin, if any
  //     (kPermissionDenied otherwise);
  //   - its size is not below the last cosigned size (kFailedPrecondition: "rollback");
  //   - at the same size, its root is the same (kIntegrityViolation: "fork");
  //   - at a larger size, `proof` is an RFC 6962 consistency proof from the last cosigned
  //     checkpoint to this one (kIntegrityViolation if it does not verify).
  // With no record for the origin, the checkpoint is accepted as the first (trust on first use).
  // Then records it and returns the cosignature line.
  Result<std::string> Cosign(const SignedNote& checkpoint, const VerifierKey& log_key,
                             HashAlgorithm hash, std::span<const Digest> proof, uint64_t timestamp);

 private:
  Witness(std::string state_path, std::string name, const PrivateKey* key, int lock_fd);
  Status Load();
  Status Save() const;

  std::string state_path_;
  std::string name_;
  const PrivateKey* key_;
  int lock_fd_;
  std::map<std::string, WitnessRecord, std::less<>> records_;  // by origin
};

// Writes `contents` to `path` atomically: a temporary file beside it, fsync, rename, fsync of the
// folder. Replaces an existing file.
Status ReplaceFileAtomically(const std::string& path, std::string_view contents, int mode);

}  // namespace dutyledger

#endif  // DUTYLEDGER_LEDGER_WITNESS_H_
