// Checkpoints as C2SP signed notes (c2sp.org/signed-note, c2sp.org/tlog-checkpoint), and
// cosignature lines (c2sp.org/tlog-cosignature).
//
//   <origin>\n<tree size, decimal>\n<root hash, base64>\n\n— <name> <base64(key id || sig)>\n
//
// The note key id is the first 4 bytes of SHA-256(name || 0x0A || 0x01 || Ed25519 public key).
#ifndef DUTYLEDGER_LEDGER_CHECKPOINT_H_
#define DUTYLEDGER_LEDGER_CHECKPOINT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/keys.h"
#include "ledger/status.h"

namespace dutyledger {

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Digest root;
  std::vector<std::string> extensions;  // extra body lines (we write none)

  // "<origin>\n<size>\n<base64 root>\n" plus extension lines.
  std::string Body() const;
};

// Parses a checkpoint body (the part of a note before the blank line). kInvalidArgument.
Result<Checkpoint> ParseCheckpointBody(std::string_view body);

struct NoteSignature {
  std::string name;
  uint32_t key_id = 0;
  Bytes signature;   // after the 4-byte key id
  std::string line;  // the whole line, as it appeared (without the newline)
};

struct SignedNote {
  std::string body;  // text up to and including the newline before the blank line
  std::vector<NoteSignature> signatures;

  std::string Text() const;  // body + "\n" + signature lines
};

// Parses a signed note: valid UTF-8 text with no control characters other than newline, a body,
// a blank line, then one or more "— name base64" lines. kInvalidArgument.
Result<SignedNote> ParseSignedNote(std::string_view text);

// The 4-byte note key id of an Ed25519 key under `name`. Signature type 0x01.
uint32_t NoteKeyId(std::string_view name, const PublicKey& key);
// "<name>+<8 hex digits>+<base64(0x01 || key)>": the verifier key text of the signed-note spec.
std::string NoteVerifierKey(std::string_view name, const PublicKey& key);

// A signature line "— <name> <base64>" for `body` by `key` (Ed25519). kInvalidArgument for a
// non-Ed25519 key or a name with spaces or '+'.
Result<std::string> SignNoteLine(std::string_view body, std::string_view name,
                                 const PrivateKey& key);

// Verifies that `note` carries a valid signature by `key` under `name`. kIntegrityViolation:
// "no signature by <name>" or "the signature by <name> does not verify".
Status VerifyNoteSignature(const SignedNote& note, std::string_view name, const PublicKey& key);

}  // namespace dutyledger

#endif  // DUTYLEDGER_LEDGER_CHECKPOINT_H_
