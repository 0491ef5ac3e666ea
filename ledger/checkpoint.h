// Checkpoints as C2SP signed notes (c2sp.org/signed-note, c2sp.org/tlog-checkpoint), and
// cosignature lines (c2sp.org/tlog-cosignature).
//
//   <origin>\n<tree size, decimal>\n<root hash, base64>\n\n— <name> <base64(key id || sig)>\n
//
// The note key id is the first 4 bytes of SHA-256(name || 0x0A || signature type || key), where
// the signature type and key encoding depend on the key's algorithm and role (FORMAT.md §6):
//
//   role       algorithm  signature type                          key encoding
//   log        Ed25519    0x01 (C2SP signed-note)                 32-byte RFC 8032 key
//   log        SM2        0xff "dutyledger-sm2/v1"                DER SubjectPublicKeyInfo
//   cosigner   Ed25519    0x04 (C2SP tlog-cosignature)            32-byte RFC 8032 key
//   cosigner   SM2        0xff "dutyledger-sm2-cosignature/v1"    DER SubjectPublicKeyInfo
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

// What a note key signs: checkpoints (the log's key) or cosignatures (a witness's key).
enum class NoteKeyRole { kLog, kCosigner };

// The signature type of the table above: one byte, or 0xff followed by an identifier.
Bytes NoteSignatureType(SignatureAlgorithm algorithm, NoteKeyRole role);
// The key as key ids and verifier keys encode it: Ed25519 raw, SM2 DER SPKI.
Bytes NoteKeyMaterial(const PublicKey& key);

// The 4-byte note key id of `key` under `name` in `role`.
uint32_t NoteKeyId(std::string_view name, const PublicKey& key,
                   NoteKeyRole role = NoteKeyRole::kLog);
// "<name>+<8 hex digits>+<base64(signature type || key)>": the verifier key ("vkey") text of the
// signed-note spec.
std::string NoteVerifierKey(std::string_view name, const PublicKey& key,
                            NoteKeyRole role = NoteKeyRole::kLog);

// A parsed verifier key.
struct VerifierKey {
  std::string name;
  uint32_t key_id = 0;
  NoteKeyRole role = NoteKeyRole::kLog;
  PublicKey key;
};
// Parses a verifier key of one of the four types above and checks that its key id is the one
// the name, type and key give. kInvalidArgument naming what is wrong.
Result<VerifierKey> ParseVerifierKey(std::string_view text);

// A signature line "— <name> <base64>" for `body` by `key` (Ed25519 or SM2), as a log key.
// kInvalidArgument for a name with spaces or '+'.
Result<std::string> SignNoteLine(std::string_view body, std::string_view name,
                                 const PrivateKey& key);

// "— <name> base64(key id, big-endian || signature)".
std::string NoteSignatureLine(std::string_view name, uint32_t key_id, ByteView signature);

// Verifies that `note` carries a valid signature by the log key `key` under `name`.
// kIntegrityViolation: "no signature by <name>" or "the signature by <name> does not verify".
Status VerifyNoteSignature(const SignedNote& note, std::string_view name, const PublicKey& key);

// The signature lines of `note` by (name, key id), in order.
std::vector<const NoteSignature*> FindNoteSignatures(const SignedNote& note, std::string_view name,
                                                     uint32_t key_id);

}  // namespace dutyledger

#endif  // DUTYLEDGER_LEDGER_CHECKPOINT_H_
