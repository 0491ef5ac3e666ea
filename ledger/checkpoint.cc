#include "ledger/checkpoint.h"

#include <charconv>

#include "ledger/hash.h"

namespace dutyledger {
namespace {

constexpr std::string_view kEmDashSpace = "\xe2\x80\x94 ";  // U+2014 and a space
constexpr uint8_t kEd25519SignatureType = 0x01;

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

uint32_t NoteKeyId(std::string_view name, const PublicKey& key) {
  std::string prefix(name);
  prefix.push_back('\n');
  prefix.push_back(static_cast<char>(kEd25519SignatureType));
  Digest d = Sha256(prefix + key.raw());
  const uint8_t* p = d.data();
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

std::string NoteVerifierKey(std::string_view name, const PublicKey& key) {
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", NoteKeyId(name, key));
  std::string typed(1, static_cast<char>(kEd25519SignatureType));
  typed += key.raw();
  return std::string(name) + "+" + hex + "+" + Base64Encode(typed);
}

Result<std::string> SignNoteLine(std::string_view body, std::string_view name,
                                 const PrivateKey& key) {
  RETURN_IF_ERROR(CheckName(name));
  if (key.algorithm() != SignatureAlgorithm::kEd25519) {
    return InvalidArgument("signed notes are signed with Ed25519 keys");
  }
  ASSIGN_OR_RETURN(Bytes sig, key.Sign(body));
  uint32_t id = NoteKeyId(name, key.public_key());
  Bytes raw;
  for (int i = 3; i >= 0; --i) raw.push_back(static_cast<char>((id >> (8 * i)) & 0xff));
  raw += sig;
  return std::string(kEmDashSpace) + std::string(name) + " " + Base64Encode(raw);
}

Status VerifyNoteSignature(const SignedNote& note, std::string_view name, const PublicKey& key) {
  if (key.algorithm() != SignatureAlgorithm::kEd25519) {
    return InvalidArgument("signed notes are verified with Ed25519 keys");
  }
  uint32_t id = NoteKeyId(name, key);
  bool found = false;
  for (const auto& s : note.signatures) {
    if (s.name != name || s.key_id != id) continue;
    found = true;
    if (key.Verify(note.body, s.signature)) return Status::Ok();
  }
  if (!found) return IntegrityViolation("no signature by " + std::string(name) + " on the note");
  return IntegrityViolation("the signature by " + std::string(name) + " does not verify");
}

}  // namespace dutyledger
