#include "ledger/checkpoint.h"

#include <charconv>
#include <optional>

#include "ledger/hash.h"

namespace dutyledger {
namespace {

constexpr std::string_view kEmDashSpace = "\xe2\x80\x94 ";  // U+2014 and a space
constexpr uint8_t kEd25519SignatureType = 0x01;
constexpr uint8_t kEd25519CosignatureType = 0x04;
constexpr std::string_view kSm2NoteTypeId = "dutyledger-sm2/v1";
constexpr std::string_view kSm2CosignatureTypeId = "dutyledger-sm2-cosignature/v1";
// DER SubjectPublicKeyInfo of an Ed25519 key, up to the 32 key bytes (RFC 8410).
constexpr std::string_view kEd25519SpkiPrefix("\x30\x2a\x30\x05\x06\x03\x2b\x65\x70\x03\x21\x00",
                                              12);

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

Status CheckName(std::string_view name) {
  if (name.empty()) return InvalidArgument("note key name is empty");
  for (unsigned char c : name) {
    if (c <= 0x20 || c == '+' || c == 0x7f) {
      return InvalidArgument("note key name '" + std::string(name) +
                             "' has a space, a control character or '+'");
    }
  }
  return Status::Ok();
}

}  // namespace

std::string Checkpoint::Body() const {
  std::string b = origin + "\n" + std::to_string(size) + "\n" + root.Base64() + "\n";
  for (const auto& e : extensions) b += e + "\n";
  return b;
}

Result<Checkpoint> ParseCheckpointBody(std::string_view body) {
  if (body.empty() || body.back() != '\n') {
    return InvalidArgument("checkpoint body must end with a newline");
  }
  auto lines = SplitLines(body);
  if (lines.size() < 3) return InvalidArgument("checkpoint body needs origin, size and root lines");
  Checkpoint c;
  c.origin = std::string(lines[0]);
  if (c.origin.empty()) return InvalidArgument("checkpoint origin line is empty");
  std::string_view size = lines[1];
  if (size.empty() || (size.size() > 1 && size[0] == '0')) {
    return InvalidArgument("checkpoint size line '" + std::string(size) +
                           "' is not a decimal number without leading zeros");
  }
  auto [ptr, ec] = std::from_chars(size.data(), size.data() + size.size(), c.size);
  if (ec != std::errc() || ptr != size.data() + size.size()) {
    return InvalidArgument("checkpoint size line '" + std::string(size) + "' is not a number");
  }
  auto root = Digest::FromBase64(lines[2]);
  if (!root) return InvalidArgument("checkpoint root line is not a base64 32-byte hash");
  c.root = *root;
  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) return InvalidArgument("checkpoint has an empty extension line");
    c.extensions.emplace_back(lines[i]);
  }
  return c;
}

std::string SignedNote::Text() const {
  std::string t = body + "\n";
  for (const auto& s : signatures) t += s.line + "\n";
  return t;
}

Result<SignedNote> ParseSignedNote(std::string_view text) {
  if (text.size() > 1 << 20) return InvalidArgument("signed note is larger than 1 MiB");
  for (unsigned char c : text) {
    if ((c < 0x20 && c != '\n') || c == 0x7f) {
      return InvalidArgument("signed note contains a control character");
    }
  }
  if (text.empty() || text.back() != '\n')
    return InvalidArgument("signed note must end with a newline");
  size_t split = text.rfind("\n\n");
  if (split == std::string_view::npos) {
    return InvalidArgument("signed note has no blank line before its signatures");
  }
  SignedNote note;
  note.body = std::string(text.substr(0, split + 1));
  std::string_view sigs = text.substr(split + 2);
  if (sigs.empty()) return InvalidArgument("signed note has no signature lines");
  for (std::string_view line : SplitLines(sigs)) {
    if (line.substr(0, kEmDashSpace.size()) != kEmDashSpace) {
      return InvalidArgument("signature line does not start with '— ': '" + std::string(line) +
                             "'");
    }
    std::string_view rest = line.substr(kEmDashSpace.size());
    size_t space = rest.find(' ');
    if (space == std::string_view::npos || space == 0) {
      return InvalidArgument("signature line needs a name and a signature");
    }
    NoteSignature s;
    s.name = std::string(rest.substr(0, space));
    RETURN_IF_ERROR(CheckName(s.name));
    auto raw = Base64Decode(rest.substr(space + 1));
    if (!raw || raw->size() < 5) {
      return InvalidArgument("signature by " + s.name + " is not base64 of key id and signature");
    }
    s.key_id = (uint32_t(uint8_t((*raw)[0])) << 24) | (uint32_t(uint8_t((*raw)[1])) << 16) |
               (uint32_t(uint8_t((*raw)[2])) << 8) | uint32_t(uint8_t((*raw)[3]));
    s.signature = raw->substr(4);
    s.line = std::string(line);
    note.signatures.push_back(std::move(s));
  }
  return note;
}

Bytes NoteSignatureType(SignatureAlgorithm algorithm, NoteKeyRole role) {
  if (algorithm == SignatureAlgorithm::kEd25519) {
    return Bytes(1, static_cast<char>(role == NoteKeyRole::kLog ? kEd25519SignatureType
                                                                : kEd25519CosignatureType));
  }
  return "\xff" + std::string(role == NoteKeyRole::kLog ? kSm2NoteTypeId : kSm2CosignatureTypeId);
}

Bytes NoteKeyMaterial(const PublicKey& key) {
  return key.algorithm() == SignatureAlgorithm::kEd25519 ? key.raw() : key.spki();
}

uint32_t NoteKeyId(std::string_view name, const PublicKey& key, NoteKeyRole role) {
  std::string prefix(name);
  prefix.push_back('\n');
  prefix += NoteSignatureType(key.algorithm(), role);
  Digest d = Sha256(prefix + NoteKeyMaterial(key));
  const uint8_t* p = d.data();
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

std::string NoteVerifierKey(std::string_view name, const PublicKey& key, NoteKeyRole role) {
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", NoteKeyId(name, key, role));
  return std::string(name) + "+" + hex + "+" +
         Base64Encode(NoteSignatureType(key.algorithm(), role) + NoteKeyMaterial(key));
}

Result<VerifierKey> ParseVerifierKey(std::string_view text) {
  size_t plus1 = text.find('+');
  size_t plus2 = plus1 == std::string_view::npos ? plus1 : text.find('+', plus1 + 1);
  if (plus2 == std::string_view::npos) {
    return InvalidArgument("verifier key '" + std::string(text) +
                           "' is not <name>+<key id hex>+<base64 key>");
  }
  std::string_view name = text.substr(0, plus1);
  RETURN_IF_ERROR(CheckName(name));
  std::string_view hex = text.substr(plus1 + 1, plus2 - plus1 - 1);
  auto id_bytes = HexDecode(hex);
  if (hex.size() != 8 || !id_bytes) {
    return InvalidArgument("verifier key of " + std::string(name) +
                           ": the key id is not 8 hex digits");
  }
  auto typed = Base64Decode(text.substr(plus2 + 1));
  if (!typed || typed->empty()) {
    return InvalidArgument("verifier key of " + std::string(name) + ": the key is not base64");
  }
  struct Type {
    SignatureAlgorithm algorithm;
    NoteKeyRole role;
  };
  std::optional<Type> type;
  Bytes material;
  for (auto alg : {SignatureAlgorithm::kEd25519, SignatureAlgorithm::kSm2}) {
    for (auto role : {NoteKeyRole::kLog, NoteKeyRole::kCosigner}) {
      Bytes t = NoteSignatureType(alg, role);
      if (typed->compare(0, t.size(), t) == 0) {
        type = Type{alg, role};
        material = typed->substr(t.size());
      }
    }
  }
  if (!type) {
    return InvalidArgument("verifier key of " + std::string(name) +
                           ": unknown signature type (known: 0x01, 0x04, and 0xff "
                           "dutyledger-sm2/v1 or dutyledger-sm2-cosignature/v1)");
  }
  Result<PublicKey> key = InvalidArgument("");
  if (type->algorithm == SignatureAlgorithm::kEd25519) {
    if (material.size() != 32) {
      return InvalidArgument("verifier key of " + std::string(name) +
                             ": an Ed25519 key is 32 bytes");
    }
    key = PublicKey::FromSpki(std::string(kEd25519SpkiPrefix) + material);
  } else {
    key = PublicKey::FromSpki(material);
  }
  if (!key.ok() || key->algorithm() != type->algorithm) {
    return InvalidArgument("verifier key of " + std::string(name) + ": not a valid " +
                           std::string(SignatureAlgorithmName(type->algorithm)) + " key");
  }
  uint32_t id = (uint32_t(uint8_t((*id_bytes)[0])) << 24) |
                (uint32_t(uint8_t((*id_bytes)[1])) << 16) |
                (uint32_t(uint8_t((*id_bytes)[2])) << 8) | uint32_t(uint8_t((*id_bytes)[3]));
  if (id != NoteKeyId(name, *key, type->role)) {
    return InvalidArgument("verifier key of " + std::string(name) +
                           ": the key id does not match the name and key");
  }
  return VerifierKey{std::string(name), id, type->role, *key};
}

Result<std::string> SignNoteLine(std::string_view body, std::string_view name,
                                 const PrivateKey& key) {
  RETURN_IF_ERROR(CheckName(name));
  ASSIGN_OR_RETURN(Bytes sig, key.Sign(body));
  return NoteSignatureLine(name, NoteKeyId(name, key.public_key()), sig);
}

std::string NoteSignatureLine(std::string_view name, uint32_t key_id, ByteView signature) {
  Bytes raw;
  for (int i = 3; i >= 0; --i) raw.push_back(static_cast<char>((key_id >> (8 * i)) & 0xff));
  raw += signature;
  return std::string(kEmDashSpace) + std::string(name) + " " + Base64Encode(raw);
}

std::vector<const NoteSignature*> FindNoteSignatures(const SignedNote& note, std::string_view name,
                                                     uint32_t key_id) {
  std::vector<const NoteSignature*> found;
  for (const auto& s : note.signatures) {
    if (s.name == name && s.key_id == key_id) found.push_back(&s);
  }
  return found;
}

Status VerifyNoteSignature(const SignedNote& note, std::string_view name, const PublicKey& key) {
  auto found = FindNoteSignatures(note, name, NoteKeyId(name, key));
  for (const NoteSignature* s : found) {
    if (key.Verify(note.body, s->signature)) return Status::Ok();
  }
  if (found.empty()) {
    return IntegrityViolation("no signature by " + std::string(name) + " on the note");
  }
  return IntegrityViolation("the signature by " + std::string(name) + " does not verify");
}

}  // namespace dutyledger
