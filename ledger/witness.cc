#include "ledger/witness.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <limits>
#include <vector>

#include "ledger/merkle.h"

namespace dutyledger {
namespace {

constexpr std::string_view kStateHeader = "dutyledger-witness-state/v1";
constexpr uint64_t kMaxTimestamp = std::numeric_limits<int64_t>::max();

Status Errno(const std::string& what) { return IOError(what + ": " + std::strerror(errno)); }

uint64_t ReadBigEndian64(ByteView b) { return GetBigEndian64(b); }

bool ParseU64(std::string_view s, uint64_t* out) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool PlausibleSignature(ByteView sig) {
  if (sig.size() == 64) return true;  // Ed25519
  // SM2: DER SEQUENCE { INTEGER r, INTEGER s }, at most 72 bytes.
  return sig.size() >= 8 && sig.size() <= 72 && static_cast<uint8_t>(sig[0]) == 0x30 &&
         static_cast<size_t>(static_cast<uint8_t>(sig[1])) + 2 == sig.size();
}

}  // namespace

Bytes CosignatureMessage(std::string_view checkpoint_body, uint64_t timestamp) {
  return "cosignature/v1\ntime " + std::to_string(timestamp) + "\n" + std::string(checkpoint_body);
}

Result<std::string> SignCosignature(std::string_view checkpoint_body, std::string_view name,
                                    const PrivateKey& key, uint64_t timestamp) {
  if (timestamp > kMaxTimestamp) return InvalidArgument("cosignature timestamp above 2^63 - 1");
  ASSIGN_OR_RETURN(Bytes sig, key.Sign(CosignatureMessage(checkpoint_body, timestamp)));
  Bytes payload = BigEndian64(timestamp) + sig;
  std::string line =
      NoteSignatureLine(name, NoteKeyId(name, key.public_key(), NoteKeyRole::kCosigner), payload);
  // The same checks a verifier applies to the name.
  RETURN_IF_ERROR(ParseCosignatureLine(line).status());
  return line;
}

Result<uint64_t> VerifyCosignature(const SignedNote& note, std::string_view name,
                                   const PublicKey& key) {
  auto found = FindNoteSignatures(note, name, NoteKeyId(name, key, NoteKeyRole::kCosigner));
  if (found.empty()) {
    return NotFound("no cosignature by " + std::string(name) + " on the checkpoint");
  }
  for (const NoteSignature* s : found) {
    if (s->signature.size() < 8) continue;
    uint64_t t = ReadBigEndian64(s->signature);
    if (t > kMaxTimestamp) continue;
    if (key.Verify(CosignatureMessage(note.body, t), ByteView(s->signature).substr(8))) return t;
  }
  return IntegrityViolation("the cosignature by " + std::string(name) +
                            " does not verify over this checkpoint (it was made for another "
                            "checkpoint, or altered)");
}

Result<NoteSignature> ParseCosignatureLine(std::string_view line) {
  auto note = ParseSignedNote("cosigned checkpoint\n\n" + std::string(line) + "\n");
  if (!note.ok()) return note.status();
  if (note->signatures.size() != 1) return InvalidArgument("not a single signature line");
  NoteSignature s = note->signatures[0];
  if (s.signature.size() < 8 + 8) {
    return InvalidArgument("the signature by " + s.name +
                           " is too short for a timestamped cosignature");
  }
  if (ReadBigEndian64(s.signature) > kMaxTimestamp) {
    return InvalidArgument("the cosignature by " + s.name + " has a timestamp above 2^63 - 1");
  }
  if (!PlausibleSignature(ByteView(s.signature).substr(8))) {
    return InvalidArgument("the cosignature by " + s.name +
                           " holds neither an Ed25519 nor a DER SM2 signature after its timestamp");
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Witness

Status ReplaceFileAtomically(const std::string& path, std::string_view contents, int mode) {
  namespace fs = std::filesystem;
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Errno(tmp);
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = Errno(tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return s;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Status s = Errno(tmp + ": fsync");
    ::close(fd);
    ::unlink(tmp.c_str());
    return s;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = Errno("rename " + tmp + " to " + path);
    ::unlink(tmp.c_str());
    return s;
  }
  std::string dir = fs::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Errno(dir);
  int rc = ::fsync(dfd);
  ::close(dfd);
  if (rc != 0) return Errno(dir + ": fsync");
  return Status::Ok();
}

Witness::Witness(std::string state_path, std::string name, const PrivateKey* key, int lock_fd)
    : state_path_(std::move(state_path)), name_(std::move(name)), key_(key), lock_fd_(lock_fd) {}

Witness::~Witness() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

Result<std::unique_ptr<Witness>> Witness::Open(const std::string& state_path, std::string name,
                                               const PrivateKey* key) {
  if (key == nullptr) return InvalidArgument("a witness needs its cosigning key");
  std::string lock_path = state_path + ".lock";
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Errno(lock_path);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int e = errno;
    ::close(fd);
    if (e == EWOULDBLOCK) {
      return Unavailable(state_path + ": another cosign is using this witness state");
    }
    errno = e;
    return Errno(lock_path);
  }
  std::unique_ptr<Witness> w(new Witness(state_path, std::move(name), key, fd));
  RETURN_IF_ERROR(w->Load());
  return w;
}

Status Witness::Load() {
  std::error_code ec;
  if (!std::filesystem::exists(state_path_, ec)) return Save();
  ASSIGN_OR_RETURN(std::string text, ReadSmallFile(state_path_, 16 << 20));
  size_t pos = 0;
  int line_no = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) return Corruption(state_path_ + ": last line has no newline");
    std::string_view line(text.data() + pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    auto bad = [&](const std::string& why) {
      return Corruption(state_path_ + ": line " + std::to_string(line_no) + ": " + why);
    };
    if (line_no == 1) {
      if (line != kStateHeader) return bad("not a dutyledger witness state file");
      continue;
    }
    std::vector<std::string_view> parts;
    for (size_t at = 0; at <= line.size();) {
      size_t sp = line.find(' ', at);
      if (sp == std::string_view::npos) sp = line.size();
      parts.push_back(line.substr(at, sp - at));
      at = sp + 1;
    }
    if (parts.size() != 4) return bad("expected '<log key> <hash> <size> <root>'");
    auto vkey = ParseVerifierKey(parts[0]);
    if (!vkey.ok()) return bad(vkey.status().message());
    WitnessRecord r;
    r.log_key = std::string(parts[0]);
    if (parts[1] == "sm3") {
      r.hash = HashAlgorithm::kSm3;
    } else if (parts[1] != "sha256") {
      return bad("unknown hash '" + std::string(parts[1]) + "'");
    }
    auto root = Digest::FromBase64(parts[3]);
    if (!ParseU64(parts[2], &r.size) || !root) return bad("malformed size or root");
    r.root = *root;
    if (!records_.emplace(vkey->name, r).second) return bad("a second line for " + vkey->name);
  }
  if (line_no == 0) return Corruption(state_path_ + ": empty (not a witness state file)");
  return Status::Ok();
}

Status Witness::Save() const {
  std::string text(kStateHeader);
  text += "\n";
  for (const auto& [origin, r] : records_) {
    text += r.log_key + " " + std::string(HashAlgorithmName(r.hash)) + " " +
            std::to_string(r.size) + " " + r.root.Base64() + "\n";
  }
  return ReplaceFileAtomically(state_path_, text, 0600);
}

std::optional<WitnessRecord> Witness::Last(std::string_view origin) const {
  auto it = records_.find(origin);
  if (it == records_.end()) return std::nullopt;
  return it->second;
}

Result<std::string> Witness::Cosign(const SignedNote& checkpoint, const VerifierKey& log_key,
                                    HashAlgorithm hash, std::span<const Digest> proof,
                                    uint64_t timestamp) {
  ASSIGN_OR_RETURN(Checkpoint cp, ParseCheckpointBody(checkpoint.body));
  if (log_key.role != NoteKeyRole::kLog) {
    return InvalidArgument("the log key " + log_key.name + " is a cosigner key, not a log key");
  }
  if (log_key.name != cp.origin) {
    return PermissionDenied("the checkpoint is for origin '" + cp.origin +
                            "' but the log key is named '" + log_key.name + "'");
  }
  std::string vkey = NoteVerifierKey(log_key.name, log_key.key, NoteKeyRole::kLog);
  auto last = Last(cp.origin);
  if (last && last->log_key != vkey) {
    return PermissionDenied("this witness knows the log " + cp.origin + " by the key " +
                            last->log_key + ", not " + vkey);
  }
  if (last && last->hash != hash) {
    return PermissionDenied("this witness knows the log " + cp.origin + " with tree hash " +
                            std::string(HashAlgorithmName(last->hash)) + ", not " +
                            std::string(HashAlgorithmName(hash)));
  }
  Status sig = VerifyNoteSignature(checkpoint, log_key.name, log_key.key);
  if (!sig.ok()) return Status(sig.code(), "checkpoint: " + sig.message());
  if (last) {
    if (cp.size < last->size) {
      return FailedPrecondition("rollback: the checkpoint's size " + std::to_string(cp.size) +
                                " is below the size " + std::to_string(last->size) +
                                " this witness last cosigned for " + cp.origin);
    }
    if (cp.size == last->size) {
      if (cp.root != last->root) {
        return IntegrityViolation("fork: the checkpoint's root at size " + std::to_string(cp.size) +
                                  " differs from the one this witness cosigned at that size");
      }
    } else if (last->size > 0) {  // every tree extends the empty tree
      Status consistent =
          VerifyConsistency(Hasher(hash), last->size, cp.size, last->root, cp.root, proof);
      if (!consistent.ok()) {
        return IntegrityViolation("the checkpoint at size " + std::to_string(cp.size) +
                                  " is not shown consistent with the one cosigned at size " +
                                  std::to_string(last->size) + ": " + consistent.message());
      }
    }
  }
  ASSIGN_OR_RETURN(std::string line, SignCosignature(checkpoint.body, name_, *key_, timestamp));
  if (!last || last->size != cp.size) {
    records_[cp.origin] = WitnessRecord{vkey, hash, cp.size, cp.root};
    Status saved = Save();
    if (!saved.ok()) {
      records_.erase(cp.origin);
      if (last) records_[cp.origin] = *last;
      return saved.WithContext("the witness state could not be updated; no cosignature");
    }
  }
  return line;
}

}  // namespace dutyledger
