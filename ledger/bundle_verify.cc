#include "ledger/bundle_verify.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <thread>

#include "ledger/bundle_json.h"
#include "ledger/codec.h"
#include "ledger/hash.h"
#include "ledger/internal/entry_checks.h"
#include "ledger/internal/identity.h"
#include "ledger/internal/ordered_pipeline.h"
#include "ledger/keys.h"
#include "ledger/merkle.h"

namespace dutyledger {
namespace {

constexpr size_t kChunkEntries = 1024;

ByteView AsView(capnp::Data::Reader d) {
  return ByteView(reinterpret_cast<const char*>(d.begin()), d.size());
}
constexpr size_t kMaxJsonBytes = size_t{256} << 20;

struct Finding {
  StatusCode code = StatusCode::kIntegrityViolation;
  std::string file;
  std::optional<uint64_t> sequence;
  std::string field;
  std::string reason;
};

Finding FileFinding(std::string file, std::string reason,
                    StatusCode code = StatusCode::kIntegrityViolation) {
  return Finding{code, std::move(file), std::nullopt, "", std::move(reason)};
}

Finding EntryFinding(uint64_t seq, std::string field, std::string reason,
                     StatusCode code = StatusCode::kIntegrityViolation) {
  return Finding{code, "entries.bin", seq, std::move(field), std::move(reason)};
}

// Names the entry field a CheckEntry / ReplayEntry reason is about.
std::string FieldOf(const std::string& reason) {
  static const char* const kFields[][2] = {
      {"signature does not verify", "signature"},
      {"chain broken", "prevLeafHash"},
      {"prevLeafHash", "prevLeafHash"},
      {"recordedAt", "recordedAt"},
      {"signer key", "signerKeyId"},
      {"field origin", "origin"},
      {"field eventId", "eventId"},
      {"field signerKeyId", "signerKeyId"},
      {"field occurredAt", "occurredAt"},
      {"field schemaVersion", "schemaVersion"},
      {"keyBound", "keyBound"},
      {"keyRevoked", "keyRevoked"},
      {"genesis", "genesis"},
  };
  for (const auto& f : kFields) {
    if (reason.find(f[0]) != std::string::npos) return f[1];
  }
  return "";
}

// A key row of keys.json.
struct KeyRow {
  std::optional<PublicKey> key;
  std::string algorithm;
  std::string principal;
  bool root = false;
  uint64_t bound_at = 0;
  std::optional<uint64_t> revoked_at;
  bool bound_seen = false;
  bool revoked_seen = false;
};

struct InclusionItem {
  uint64_t leaf_index = 0;
  Digest leaf_hash;
  std::vector<Digest> proof;
};

struct ConsistencyItem {
  uint64_t size1 = 0;
  Digest root1;
  std::vector<Digest> proof;
  std::string checkpoint;
};

// Reads entries.bin's frames in order.
class FrameReader {
 public:
  explicit FrameReader(FILE* f) : f_(f) { std::setvbuf(f_, nullptr, _IOFBF, 1 << 20); }
  ~FrameReader() { std::fclose(f_); }
  FrameReader(const FrameReader&) = delete;
  FrameReader& operator=(const FrameReader&) = delete;

  // The next frame's segment; nullopt at the end. A malformed frame gives kCorruption.
  Result<std::optional<Bytes>> Next() {
    unsigned char head[8];
    size_t got = std::fread(head, 1, 8, f_);
    if (got == 0 && std::feof(f_)) return std::optional<Bytes>();
    std::string at = "frame " + std::to_string(index_) + " (byte " + std::to_string(offset_) + ")";
    if (got != 8) return Corruption(at + ": truncated frame header");
    uint32_t segments = head[0] | head[1] << 8 | head[2] << 16 | uint32_t{head[3]} << 24;
    uint32_t words = head[4] | head[5] << 8 | head[6] << 16 | uint32_t{head[7]} << 24;
    if (segments != 0) {
      return Corruption(at + ": " + std::to_string(uint64_t{segments} + 1) +
                        " segments; an entry is one segment");
    }
    if (words == 0 || uint64_t{words} * 8 > kMaxEntryBytes + 7) {
      return Corruption(at + ": a segment of " + std::to_string(words) +
                        " words is not an entry (at most 65535 bytes)");
    }
    Bytes seg(size_t{words} * 8, '\0');
    if (std::fread(seg.data(), 1, seg.size(), f_) != seg.size()) {
      return Corruption(at + ": truncated segment");
    }
    offset_ += 8 + seg.size();
    ++index_;
    return std::optional<Bytes>(std::move(seg));
  }

 private:
  FILE* f_;
  uint64_t offset_ = 0;
  uint64_t index_ = 0;
};

struct ChunkInput {
  uint64_t first = 0;  // position in entries.bin of frames[0]
  std::vector<Bytes> frames;
  std::optional<Status> read_error;  // after the frames
};

struct Item {
  uint64_t sequence = 0;
  bool decoded = false;  // `sequence` is known
  internal::CheckedEntry entry;
  std::optional<Finding> error;  // the last item of its chunk when set
};

class BundleVerifier {
 public:
  BundleVerifier(std::string dir, const BundleVerifyOptions& options)
      : dir_(std::move(dir)), options_(options) {}

  Result<BundleReport> Run();

 private:
  std::string Path(const char* file) const { return dir_ + "/" + file; }
  std::optional<Finding> ReadCheckpoint();
  std::optional<Finding> ReadProofs();
  std::optional<Finding> ReadKeys();
  std::optional<Finding> ReadGenesis();
  std::optional<Finding> CheckSignaturesOnCheckpoint();
  std::optional<Finding> CheckTrustedStatic();
  std::vector<Item> Work(ChunkInput& input);
  std::optional<Finding> Consume(std::vector<Item>& items);
  std::optional<Finding> CheckKeyEvent(uint64_t s, const internal::CheckedEntry& e);
  std::optional<Finding> Finish();

  std::string dir_;
  const BundleVerifyOptions& options_;
  BundleReport report_;

  SignedNote note_;
  Checkpoint checkpoint_;
  std::optional<PublicKey> log_key_file_;
  bool full_ = true;
  HashAlgorithm hash_ = HashAlgorithm::kSha256;
  Hasher hasher_;
  std::vector<InclusionItem> inclusion_;
  std::vector<ConsistencyItem> consistency_;
  std::map<Digest, KeyRow> key_rows_;
  internal::KeyHints hints_;
  internal::LedgerIdentity identity_;
  std::optional<Checkpoint> trusted_;

  // Consumer state.
  internal::RebuiltKeys keys_;
  CompactRange range_;
  std::map<uint64_t, Digest> roots_at_;  // full bundles: the roots at the sizes of interest
  uint64_t count_ = 0;
  std::optional<uint64_t> last_seq_;
  Digest last_leaf_;
  Time last_recorded_at_{INT64_MIN, 0};
};

std::optional<Finding> BundleVerifier::ReadCheckpoint() {
  auto text = ReadSmallFile(Path("checkpoint"));
  if (!text.ok()) return FileFinding("checkpoint", text.status().message(), StatusCode::kNotFound);
  auto note = ParseSignedNote(*text);
  if (!note.ok()) return FileFinding("checkpoint", note.status().message());
  auto cp = ParseCheckpointBody(note->body);
  if (!cp.ok()) return FileFinding("checkpoint", cp.status().message());
  note_ = *note;
  checkpoint_ = *cp;
  report_.tree_size = cp->size;
  report_.origin = cp->origin;
  auto key = PublicKey::ReadPemFile(Path("log-key.pub"));
  if (!key.ok()) return FileFinding("log-key.pub", key.status().message());
  log_key_file_ = *key;
  return std::nullopt;
}

std::optional<Finding> BundleVerifier::ReadProofs() {
  auto bad = [](const std::string& why) { return FileFinding("proofs.json", why); };
  auto text = ReadSmallFile(Path("proofs.json"), kMaxJsonBytes);
  if (!text.ok()) return bad(text.status().message());
  auto json = ParseJson(*text);
  if (!json.ok()) return bad(json.status().message());
  auto format = JsonString(*json, "format");
  if (!format.ok()) return bad(format.status().message());
  if (*format != "dutyledger-bundle-proofs/v1") return bad("unknown format '" + *format + "'");
  auto kind = JsonString(*json, "bundle");
  if (!kind.ok()) return bad(kind.status().message());
  if (*kind != "full" && *kind != "partial")
    return bad("bundle: '" + *kind + "' is not full or partial");
  full_ = *kind == "full";
  report_.full = full_;
  auto hash = JsonString(*json, "hashAlgorithm");
  if (!hash.ok()) return bad(hash.status().message());
  if (*hash == "sm3") {
    hash_ = HashAlgorithm::kSm3;
  } else if (*hash != "sha256") {
    return bad("hashAlgorithm: '" + *hash + "' is not sha256 or sm3");
  }
  hasher_ = Hasher(hash_);
  auto size = JsonU64(*json, "treeSize");
  if (!size.ok()) return bad(size.status().message());
  auto root = JsonDigest(*json, "root");
  if (!root.ok()) return bad(root.status().message());
  if (*size != checkpoint_.size || *root != checkpoint_.root) {
    return bad("treeSize and root are not the checkpoint's (" + std::to_string(checkpoint_.size) +
               ", " + checkpoint_.root.Base64() + ")");
  }
  auto inclusion = JsonMember(*json, "inclusion", JsonNode::Kind::kArray);
  if (!inclusion.ok()) return bad(inclusion.status().message());
  if (full_ && !(*inclusion)->array.empty()) return bad("a full bundle has no inclusion proofs");
  for (size_t i = 0; i < (*inclusion)->array.size(); ++i) {
    const JsonNode& p = (*inclusion)->array[i];
    std::string where = "inclusion[" + std::to_string(i) + "]: ";
    InclusionItem item;
    auto idx = JsonU64(p, "leafIdx");
    auto tsize = JsonU64(p, "treeSize");
    auto leaf = JsonDigest(p, "leafHash");
    auto proot = JsonDigest(p, "root");
    auto proof = JsonDigests(p, "proof");
    for (const Status& s :
         {idx.status(), tsize.status(), leaf.status(), proot.status(), proof.status()}) {
      if (!s.ok()) return bad(where + s.message());
    }
    if (*tsize != checkpoint_.size || *proot != checkpoint_.root) {
      return bad(where + "treeSize and root are not the checkpoint's");
    }
    inclusion_.push_back(InclusionItem{*idx, *leaf, std::move(*proof)});
  }
  auto consistency = JsonMember(*json, "consistency", JsonNode::Kind::kArray);
  if (!consistency.ok()) return bad(consistency.status().message());
  for (size_t i = 0; i < (*consistency)->array.size(); ++i) {
    const JsonNode& p = (*consistency)->array[i];
    std::string where = "consistency[" + std::to_string(i) + "]: ";
    auto size1 = JsonU64(p, "size1");
    auto size2 = JsonU64(p, "size2");
    auto root1 = JsonDigest(p, "root1");
    auto root2 = JsonDigest(p, "root2");
    auto proof = JsonDigests(p, "proof");
    auto cp = JsonString(p, "checkpoint");
    for (const Status& s : {size1.status(), size2.status(), root1.status(), root2.status(),
                            proof.status(), cp.status()}) {
      if (!s.ok()) return bad(where + s.message());
    }
    if (*size2 != checkpoint_.size || *root2 != checkpoint_.root) {
      return bad(where + "size2 and root2 are not the checkpoint's");
    }
    if (*size1 == 0 || *size1 >= checkpoint_.size) {
      return bad(where + "size1 " + std::to_string(*size1) + " is not an earlier tree size");
    }
    consistency_.push_back(ConsistencyItem{*size1, *root1, std::move(*proof), std::move(*cp)});
  }
  return std::nullopt;
}

std::optional<Finding> BundleVerifier::ReadKeys() {
  auto bad = [](const std::string& why) { return FileFinding("keys.json", why); };
  auto text = ReadSmallFile(Path("keys.json"), kMaxJsonBytes);
  if (!text.ok()) return bad(text.status().message());
  auto json = ParseJson(*text);
  if (!json.ok()) return bad(json.status().message());
  auto format = JsonString(*json, "format");
  if (!format.ok()) return bad(format.status().message());
  if (*format != "dutyledger-bundle-keys/v1") return bad("unknown format '" + *format + "'");
  auto keys = JsonMember(*json, "keys", JsonNode::Kind::kObject);
  if (!keys.ok()) return bad(keys.status().message());
  for (const auto& [id_hex, row] : (*keys)->object) {
    std::string where = "key " + id_hex.substr(0, 16) + ": ";
    auto id = Digest::FromHex(id_hex);
    if (!id || id_hex.size() != 64 || id->Hex() != id_hex) {
      return bad("'" + id_hex + "' is not a key id (64 lower-case hex digits)");
    }
    KeyRow k;
    auto alg = JsonString(row, "algorithm");
    auto principal = JsonString(row, "principal");
    auto root = JsonMember(row, "root", JsonNode::Kind::kBool);
    auto bound = JsonU64(row, "boundAt");
    auto pem = JsonString(row, "pem");
    for (const Status& s :
         {alg.status(), principal.status(), root.status(), bound.status(), pem.status()}) {
      if (!s.ok()) return bad(where + s.message());
    }
    const JsonNode* revoked = row.Find("revokedAt");
    if (revoked == nullptr) return bad(where + "revokedAt: missing");
    if (revoked->kind != JsonNode::Kind::kNull) {
      auto r = JsonU64(row, "revokedAt");
      if (!r.ok()) return bad(where + r.status().message());
      k.revoked_at = *r;
    }
    auto key = PublicKey::FromPem(*pem);
    if (!key.ok()) return bad(where + "pem: " + key.status().message());
    if (key->id() != *id) {
      return bad(where + "pem: the key's SPKI hashes to " + key->id().Hex().substr(0, 16) +
                 ", not to its key id (a key swapped for another?)");
    }
    if (*alg != SignatureAlgorithmName(key->algorithm())) {
      return bad(where + "algorithm '" + *alg + "' but the key is " +
                 std::string(SignatureAlgorithmName(key->algorithm())));
    }
    k.key = *key;
    k.algorithm = *alg;
    k.principal = *principal;
    k.root = (*root)->boolean;
    k.bound_at = *bound;
    hints_.emplace(*id, *key);
    key_rows_.emplace(*id, std::move(k));
  }
  report_.keys = key_rows_.size();
  return std::nullopt;
}

std::optional<Finding> BundleVerifier::ReadGenesis() {
  FILE* f = std::fopen(Path("entries.bin").c_str(), "rb");
  if (f == nullptr) return FileFinding("entries.bin", "cannot open", StatusCode::kNotFound);
  FrameReader reader(f);
  auto frame = reader.Next();
  if (!frame.ok()) return EntryFinding(0, "", frame.status().message(), StatusCode::kCorruption);
  if (!*frame) return EntryFinding(0, "", "missing: entries.bin is empty (no genesis)");
  auto entry = EntryView::Decode(**frame);
  if (!entry.ok()) return EntryFinding(0, "", entry.status().message(), StatusCode::kCorruption);
  if (entry->sequence() != 0) {
    return EntryFinding(0, "sequence",
                        "missing: the first entry is entry " + std::to_string(entry->sequence()) +
                            "; every bundle starts with the genesis entry 0");
  }
  auto body = EventView::DecodeBody(*entry);
  if (!body.ok()) return EntryFinding(0, "body", body.status().message(), StatusCode::kCorruption);
  auto id = internal::IdentityFromGenesis(*body);
  if (!id.ok()) return EntryFinding(0, "genesis", id.status().message());
  identity_ = *id;
  if (*identity_.log_key != *log_key_file_) {
    return FileFinding("log-key.pub", "is not the log key that entry 0's genesis names (" +
                                          identity_.log_key->id().Hex().substr(0, 16) + ")");
  }
  if (identity_.origin != checkpoint_.origin) {
    return FileFinding("checkpoint", "is for origin '" + checkpoint_.origin +
                                         "' but the genesis names '" + identity_.origin + "'");
  }
  if (identity_.hash_algorithm != hash_) {
    return FileFinding("proofs.json", "hashAlgorithm is " + std::string(HashAlgorithmName(hash_)) +
                                          " but the genesis fixes " +
                                          std::string(HashAlgorithmName(identity_.hash_algorithm)));
  }
  return std::nullopt;
}

std::optional<Finding> BundleVerifier::CheckSignaturesOnCheckpoint() {
  Status sig = VerifyNoteSignature(note_, identity_.origin, *identity_.log_key);
  if (!sig.ok())
    return Finding{sig.code(), "checkpoint", std::nullopt, "log signature", sig.message()};
  if (options_.policy) {
    Status met = options_.policy->Check(note_, &report_.cosigners);
    if (!met.ok()) {
      return Finding{met.code(), "checkpoint", std::nullopt, "cosignatures",
                     "policy: " + met.message()};
    }
    if (!options_.policy->logs().empty()) report_.log_key_pinned = true;
  }
  return std::nullopt;
}

std::optional<Finding> BundleVerifier::CheckTrustedStatic() {
  if (!options_.trusted_checkpoint) return std::nullopt;
  auto fail = [](std::string why) { return FileFinding("trusted checkpoint", std::move(why)); };
  auto cp = ParseCheckpointBody(options_.trusted_checkpoint->body);
  if (!cp.ok()) return fail(cp.status().message());
  if (cp->origin != identity_.origin) {
    return fail("is for origin '" + cp->origin + "', not the bundle's '" + identity_.origin + "'");
  }
  Status sig =
      VerifyNoteSignature(*options_.trusted_checkpoint, identity_.origin, *identity_.log_key);
  if (!sig.ok()) {
    return fail("not signed by the bundle's log key (" + sig.message() +
                "): the bundle comes from a different or re-created ledger");
  }
  if (cp->size > checkpoint_.size) {
    return fail("covers " + std::to_string(cp->size) +
                " entries but the bundle's checkpoint only " + std::to_string(checkpoint_.size) +
                ": the bundle is from an older state of the ledger (a rollback?) and cannot show "
                "consistency with it");
  }
  if (cp->size == checkpoint_.size && cp->root != checkpoint_.root) {
    return fail("has a different root at the same size " + std::to_string(cp->size) +
                ": the history was rewritten (a fork)");
  }
  report_.log_key_pinned = true;
  if (cp->size == 0) {
    // Every tree extends the empty one, whose root is H("") (RFC 9162 §2.1.1).
    if (cp->root == hasher_.EmptyRoot()) return std::nullopt;
    return fail(
        "has size 0 but its root is not the empty tree's hash: the log signed an "
        "impossible checkpoint");
  }
  trusted_ = *cp;
  if (full_ && cp->size < checkpoint_.size) roots_at_[cp->size] = Digest();
  return std::nullopt;
}

std::vector<Item> BundleVerifier::Work(ChunkInput& input) {
  std::vector<Item> items;
  items.reserve(input.frames.size() + 1);
  for (size_t i = 0; i < input.frames.size(); ++i) {
    uint64_t position = input.first + i;
    Item item;
    auto entry = EntryView::Decode(input.frames[i]);
    if (!entry.ok()) {
      item.error = Finding{StatusCode::kCorruption, "entries.bin",
                           full_ ? std::optional<uint64_t>(position) : std::nullopt, "",
                           "frame " + std::to_string(position) +
                               " is not a canonical Entry: " + entry.status().message()};
      items.push_back(std::move(item));
      return items;
    }
    item.sequence = entry->sequence();
    item.decoded = true;
    auto checked = internal::CheckEntry(*entry, identity_.origin, hasher_, hints_);
    if (!checked.ok()) {
      item.error = EntryFinding(item.sequence, FieldOf(checked.status().message()),
                                checked.status().message(), checked.status().code());
      items.push_back(std::move(item));
      return items;
    }
    item.entry = std::move(*checked);
    if (!full_) {
      std::string where = "inclusion proof " + std::to_string(position);
      if (position >= inclusion_.size()) {
        item.error = Finding{StatusCode::kIntegrityViolation, "proofs.json", item.sequence, where,
                             "missing: proofs.json has " + std::to_string(inclusion_.size()) +
                                 " inclusion proofs for more entries"};
      } else {
        const InclusionItem& p = inclusion_[position];
        if (p.leaf_index != item.sequence) {
          item.error = Finding{StatusCode::kIntegrityViolation, "proofs.json", item.sequence, where,
                               "is for entry " + std::to_string(p.leaf_index) +
                                   " but entries.bin's frame " + std::to_string(position) +
                                   " holds entry " + std::to_string(item.sequence) +
                                   (position + 1 < inclusion_.size() &&
                                            inclusion_[position + 1].leaf_index == item.sequence
                                        ? " (entries swapped: the next proof is for this entry)"
                                        : " (an entry dropped, added or moved)")};
        } else if (p.leaf_hash != item.entry.leaf) {
          item.error = Finding{StatusCode::kIntegrityViolation, "proofs.json", item.sequence, where,
                               "leafHash is not the leaf hash of the entry"};
        } else if (Status v = VerifyInclusion(hasher_, item.sequence, checkpoint_.size,
                                              item.entry.leaf, p.proof, checkpoint_.root);
                   !v.ok()) {
          item.error = Finding{StatusCode::kIntegrityViolation, "proofs.json", item.sequence, where,
                               "does not lead to the checkpoint's root: " + v.message()};
        }
      }
    }
    bool stop = item.error.has_value();
    items.push_back(std::move(item));
    if (stop) return items;
  }
  if (input.read_error) {
    Item item;
    uint64_t position = input.first + input.frames.size();
    item.error = Finding{StatusCode::kCorruption, "entries.bin",
                         full_ ? std::optional<uint64_t>(position) : std::nullopt, "",
                         input.read_error->message()};
    items.push_back(std::move(item));
  }
  return items;
}

std::optional<Finding> BundleVerifier::CheckKeyEvent(uint64_t s, const internal::CheckedEntry& e) {
  auto body = e.key_event->body();
  std::optional<Digest> id;
  if (body.isGenesis()) {
    id = identity_.root_key->id();
  } else if (body.isKeyBound()) {
    auto key = PublicKey::FromSpki(AsView(body.getKeyBound().getKey().getSpki()));
    if (key.ok()) id = key->id();
  } else {
    id = Digest::FromBytes(AsView(body.getKeyRevoked().getKeyId()));
  }
  if (!id) return std::nullopt;
  auto info = keys_.Find(*id);
  if (!info.ok() || !*info) return std::nullopt;
  auto fail = [&](const std::string& why) {
    return Finding{StatusCode::kIntegrityViolation, "keys.json", s,
                   "key " + id->Hex().substr(0, 16), why};
  };
  auto row = key_rows_.find(*id);
  if (row == key_rows_.end()) {
    return fail("missing: entry " + std::to_string(s) + " " +
                (body.isKeyRevoked() ? "revokes" : "binds") + " this key (" + (*info)->principal +
                ") but keys.json does not list it");
  }
  KeyRow& k = row->second;
  if (body.isKeyRevoked()) {
    if (k.revoked_at != s) {
      return fail("entry " + std::to_string(s) + " revokes it but keys.json says revokedAt " +
                  (k.revoked_at ? std::to_string(*k.revoked_at) : std::string("null")));
    }
    k.revoked_seen = true;
    return std::nullopt;
  }
  if (k.bound_at != s || k.principal != (*info)->principal || k.root != (*info)->is_root) {
    return fail("keys.json says boundAt " + std::to_string(k.bound_at) + ", principal '" +
                k.principal + "', root " + (k.root ? "true" : "false") + "; entry " +
                std::to_string(s) + " binds it to '" + (*info)->principal + "'" +
                ((*info)->is_root ? " as a root key" : ""));
  }
  k.bound_seen = true;
  return std::nullopt;
}

std::optional<Finding> BundleVerifier::Consume(std::vector<Item>& items) {
  for (size_t i = 0; i < items.size(); ++i) {
    Item& item = items[i];
    if (item.decoded) {
      uint64_t s = item.sequence;
      std::optional<uint64_t> next;
      if (i + 1 < items.size() && items[i + 1].decoded) next = items[i + 1].sequence;
      if (full_ && s != count_) {
        std::string why =
            next && *next == count_
                ? "entries " + std::to_string(count_) + " and " + std::to_string(s) +
                      " are swapped (entry " + std::to_string(s) + " comes first)"
            : s > count_ ? "missing: entry " + std::to_string(count_) +
                               " was dropped (the next frame holds entry " + std::to_string(s) + ")"
                         : "entry " + std::to_string(s) + " appears again at position " +
                               std::to_string(count_) + " (entries repeated or out of order)";
        return EntryFinding(count_, "sequence", why);
      }
      if (!full_ && last_seq_ && s <= *last_seq_) {
        return EntryFinding(s, "sequence",
                            "out of order: it follows entry " + std::to_string(*last_seq_) +
                                " (entries swapped or repeated)");
      }
      if (s >= checkpoint_.size) {
        return EntryFinding(
            s, "sequence",
            "is beyond the checkpoint's tree size " + std::to_string(checkpoint_.size));
      }
    }
    if (item.error) return item.error;
    uint64_t s = item.sequence;
    internal::CheckedEntry& e = item.entry;
    bool contiguous = s == 0 || (last_seq_ && *last_seq_ + 1 == s);
    Status replayed = internal::ReplayEntry(
        s, e, contiguous && s > 0 ? std::optional<Digest>(last_leaf_) : std::nullopt,
        last_seq_ ? std::optional<Time>(last_recorded_at_) : std::nullopt, keys_,
        "by an entry of the bundle");
    if (!replayed.ok()) {
      return EntryFinding(s, FieldOf(replayed.message()), replayed.message(), replayed.code());
    }
    if (e.key_event) {
      if (auto f = CheckKeyEvent(s, e)) return f;
    }
    if (full_) {
      range_.Append(hasher_, e.leaf, [](int, uint64_t, const Digest&) {});
      auto at = roots_at_.find(range_.size());
      if (at != roots_at_.end()) at->second = range_.Root(hasher_);
    }
    last_seq_ = s;
    last_leaf_ = e.leaf;
    last_recorded_at_ = e.recorded_at;
    ++count_;
  }
  return std::nullopt;
}

std::optional<Finding> BundleVerifier::Finish() {
  report_.entries = count_;
  if (full_) {
    if (count_ != checkpoint_.size) {
      return EntryFinding(count_, "",
                          "missing: entries.bin holds " + std::to_string(count_) +
                              " entries but the checkpoint's tree has " +
                              std::to_string(checkpoint_.size) + " (entries dropped at the end)");
    }
    Digest root = range_.Root(hasher_);
    if (root != checkpoint_.root) {
      return FileFinding("checkpoint", "its root " + checkpoint_.root.Base64() +
                                           " is not the root of the entries in entries.bin " +
                                           root.Base64() + " (entries altered or replaced)");
    }
    report_.root_base64 = root.Base64();
  } else {
    if (count_ != inclusion_.size()) {
      return FileFinding("proofs.json", std::to_string(inclusion_.size()) +
                                            " inclusion proofs for " + std::to_string(count_) +
                                            " entries (an entry dropped from entries.bin?)");
    }
    report_.root_base64 = checkpoint_.root.Base64();
  }
  for (size_t i = 0; i < consistency_.size(); ++i) {
    const ConsistencyItem& c = consistency_[i];
    std::string where =
        "consistency[" + std::to_string(i) + "] (from size " + std::to_string(c.size1) + ")";
    auto fail = [&](const std::string& why) {
      return Finding{StatusCode::kIntegrityViolation, "proofs.json", std::nullopt, where, why};
    };
    auto note = ParseSignedNote(c.checkpoint);
    if (!note.ok()) return fail("checkpoint: " + note.status().message());
    auto cp = ParseCheckpointBody(note->body);
    if (!cp.ok()) return fail("checkpoint: " + cp.status().message());
    if (cp->origin != identity_.origin || cp->size != c.size1 || cp->root != c.root1) {
      return fail("its checkpoint is not of this origin, size1 and root1");
    }
    Status sig = VerifyNoteSignature(*note, identity_.origin, *identity_.log_key);
    if (!sig.ok()) return fail("checkpoint: " + sig.message());
    Status v =
        VerifyConsistency(hasher_, c.size1, checkpoint_.size, c.root1, checkpoint_.root, c.proof);
    if (!v.ok()) return fail(v.message());
    if (full_ && roots_at_[c.size1] != c.root1) {
      return fail("root1 is not the root of the bundle's first " + std::to_string(c.size1) +
                  " entries");
    }
    report_.consistency.push_back(c.size1);
  }
  if (trusted_ && trusted_->size < checkpoint_.size) {
    auto fail = [](std::string why) { return FileFinding("trusted checkpoint", std::move(why)); };
    if (full_) {
      if (roots_at_[trusted_->size] != trusted_->root) {
        return fail("its root at size " + std::to_string(trusted_->size) +
                    " differs from the root of the bundle's first " +
                    std::to_string(trusted_->size) +
                    " entries: the history was rewritten (a fork)");
      }
    } else {
      bool shown = false;
      for (const ConsistencyItem& c : consistency_) {
        if (c.size1 != trusted_->size) continue;
        if (c.root1 != trusted_->root) {
          return fail("its root at size " + std::to_string(trusted_->size) +
                      " differs from the one the bundle's consistency proof starts from: the "
                      "history was rewritten (a fork)");
        }
        shown = true;
      }
      if (!shown) {
        return fail("proofs.json has no consistency proof from size " +
                    std::to_string(trusted_->size) + " (export with --consistency-from " +
                    std::to_string(trusted_->size) + ")");
      }
    }
  }
  for (const auto& [id, k] : key_rows_) {
    std::string where = "key " + id.Hex().substr(0, 16);
    if (!k.bound_seen) {
      return Finding{StatusCode::kIntegrityViolation, "keys.json", std::nullopt, where,
                     "no entry of the bundle binds it (boundAt " + std::to_string(k.bound_at) +
                         ", principal '" + k.principal + "')"};
    }
    if (k.revoked_at && !k.revoked_seen) {
      return Finding{StatusCode::kIntegrityViolation, "keys.json", std::nullopt, where,
                     "revokedAt " + std::to_string(*k.revoked_at) +
                         " but no entry of the bundle revokes it there"};
    }
  }
  return std::nullopt;
}

Result<BundleReport> BundleVerifier::Run() {
  auto finish = [&](std::optional<Finding> f) -> Result<BundleReport> {
    report_.entries = count_;
    if (f) {
      report_.ok = false;
      report_.code = f->code;
      report_.file = f->file;
      report_.sequence = f->sequence;
      report_.field = f->field;
      report_.reason = f->reason;
    }
    return report_;
  };
  std::error_code ec;
  if (!std::filesystem::is_directory(dir_, ec)) return NotFound(dir_ + ": no such folder");
  for (auto step :
       {&BundleVerifier::ReadCheckpoint, &BundleVerifier::ReadProofs, &BundleVerifier::ReadKeys,
        &BundleVerifier::ReadGenesis, &BundleVerifier::CheckSignaturesOnCheckpoint,
        &BundleVerifier::CheckTrustedStatic}) {
    if (auto f = (this->*step)()) return finish(f);
  }
  for (const ConsistencyItem& c : consistency_) {
    if (full_) roots_at_[c.size1] = Digest();
  }

  FILE* f = std::fopen(Path("entries.bin").c_str(), "rb");
  if (f == nullptr) return finish(FileFinding("entries.bin", "cannot open", StatusCode::kNotFound));
  FrameReader reader(f);
  uint64_t position = 0;
  bool read_failed = false;
  size_t threads = options_.threads > 0 ? static_cast<size_t>(options_.threads)
                                        : std::max(1u, std::thread::hardware_concurrency());
  std::optional<Finding> finding;
  internal::OrderedPipeline<ChunkInput, std::vector<Item>> pipeline;
  pipeline.take = [&](uint64_t) -> std::optional<ChunkInput> {
    if (read_failed) return std::nullopt;
    ChunkInput in;
    in.first = position;
    while (in.frames.size() < kChunkEntries) {
      auto frame = reader.Next();
      if (!frame.ok()) {
        in.read_error = frame.status();
        read_failed = true;
        break;
      }
      if (!*frame) break;
      in.frames.push_back(std::move(**frame));
    }
    position += in.frames.size();
    if (in.frames.empty() && !in.read_error) return std::nullopt;
    return in;
  };
  pipeline.work = [&](uint64_t, ChunkInput& in) { return Work(in); };
  pipeline.consume = [&](uint64_t, std::vector<Item>& items) {
    finding = Consume(items);
    if (options_.progress) options_.progress(count_, full_ ? checkpoint_.size : inclusion_.size());
    return !finding;
  };
  pipeline.Run(threads, threads * 2);
  if (finding) return finish(finding);
  return finish(Finish());
}

}  // namespace

std::string BundleReport::Summary() const {
  if (!ok) {
    std::string s = file;
    if (sequence) s += ": entry " + std::to_string(*sequence);
    if (!field.empty()) s += ": " + field;
    return s + ": " + reason;
  }
  std::string s = "ok: " + std::string(full ? "full" : "partial") + " bundle of " + origin + ": " +
                  std::to_string(entries) + " entries of the tree of size " +
                  std::to_string(tree_size) + ", " + std::to_string(keys) + " keys; root " +
                  root_base64 + "; checkpoint signed by the log key";
  if (!cosigners.empty()) {
    std::string who;
    for (const auto& c : cosigners) who += (who.empty() ? "" : ", ") + c;
    s += "; cosigned by " + who;
  }
  for (uint64_t c : consistency) s += "; consistent with checkpoint " + std::to_string(c);
  if (!log_key_pinned) {
    s += "\nnote: the log key was taken from the bundle itself; give --policy (with a log line) "
         "or --trusted-checkpoint to tie the bundle to a log you know";
  }
  return s;
}

Result<BundleReport> VerifyBundle(const std::string& dir, const BundleVerifyOptions& options) {
  BundleVerifier verifier(dir, options);
  return verifier.Run();
}

}  // namespace dutyledger
