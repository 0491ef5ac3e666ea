#include "ledger/bundle.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "ledger/bundle_json.h"
#include "ledger/codec.h"
#include "ledger/keys.h"
#include "ledger/schema/event.capnp.h"

namespace dutyledger {
namespace {

namespace fs = std::filesystem;

ByteView AsView(capnp::Data::Reader d) {
  return ByteView(reinterpret_cast<const char*>(d.begin()), d.size());
}

// The python3 script VERIFY.md writes to check/dlbundle.py: enough of Cap'n Proto, RFC 6962 and
// the bundle's files to check an entry with standard tools. Kept under 100 columns.
constexpr std::string_view kScript =
    R"py(# dlbundle.py: reads a dutyledger audit bundle (FORMAT.md "Audit bundle"); run it from the bundle.
import base64, hashlib, json, sys

proofs = json.load(open("proofs.json"))
keys = json.load(open("keys.json"))["keys"]
HASH = proofs["hashAlgorithm"]  # "sha256" or "sm3" (the ledger's tree hash)
H = lambda b: hashlib.new(HASH, b).digest()
PREFIX = b"dutyledger/event/v1\n"  # what an event signature covers: PREFIX || body

def fail(why):
    sys.exit("FAILED: " + why)

def frames():  # (offset, leaf data) per entry: Cap'n Proto stream framing, one segment each
    with open("entries.bin", "rb") as f:
        offset = 0
        while head := f.read(8):
            words = int.from_bytes(head[4:8], "little")
            if len(head) != 8 or head[:4] != bytes(4): fail("entries.bin: bad frame header")
            yield offset, f.read(8 * words)
            offset += 8 + 8 * words

def word(seg, i): return int.from_bytes(seg[8 * i:8 * i + 8], "little")
def rel(p): o = (p >> 2) & 0x3FFFFFFF; return o - (1 << 30) if o >> 29 else o

def struct(seg, at):  # the struct a pointer word points to: (data start, pointers start, count)
    p = word(seg, at)
    if p & 3 != 0: fail("not a struct pointer")
    start = at + 1 + rel(p)
    return start, start + ((p >> 32) & 0xFFFF), p >> 48

def data(seg, s, i):  # pointer field i of struct s, a Data (list of bytes)
    if i >= s[2] or word(seg, s[1] + i) == 0: return b""
    at = s[1] + i; p = word(seg, at)
    if p & 3 != 1 or (p >> 32) & 7 != 2: fail("not a byte list")
    begin = at + 1 + rel(p)
    return seg[8 * begin:8 * begin + (p >> 35)]

# Entry: sequence (data word 0); pointers 0-3: recordedAt, prevLeafHash, signature, body
def entry(seg):
    e = struct(seg, 0)
    seq = word(seg, e[0]) if e[1] > e[0] else 0
    return seq, data(seg, e, 1), data(seg, e, 2), data(seg, e, 3)

def der(pem): return base64.b64decode("".join(l for l in pem.splitlines() if "-----" not in l))

cmd = sys.argv[1]
if cmd == "locate":  # prints OFFSET and WORDS of entry <seq> for the shell
    for offset, seg in frames():
        if entry(seg)[0] == int(sys.argv[2]):
            print("OFFSET=%d WORDS=%d" % (offset, len(seg) // 8)); sys.exit(0)
    fail("no entry %s in entries.bin" % sys.argv[2])
elif cmd == "fields":  # splits an entry's leaf data into the files openssl needs
    seq, prev, sig, body = entry(open(sys.argv[2], "rb").read())
    key_id = data(body, struct(body, 0), 2).hex()  # EventBody.signerKeyId (pointer 2)
    k = keys.get(key_id) or fail("keys.json has no key " + key_id)
    if hashlib.sha256(der(k["pem"])).hexdigest() != key_id:
        fail("keys.json: the PEM is not key " + key_id)
    for name, b in (("body", body), ("signature", sig), ("message", PREFIX + body)):
        open("check/%s.bin" % name, "wb").write(b)
    open("check/signer.pem", "w").write(k["pem"])
    print("entry %d signed by key %s (%s, %s)" % (seq, key_id, k["principal"], k["algorithm"]))
elif cmd == "checkpoint":  # splits the checkpoint note into its body and the log's signature
    text = open("checkpoint", encoding="utf-8").read()
    body, sigs = text[:text.rindex("\n\n") + 1], text[text.rindex("\n\n") + 2:]
    origin, spki = body.split("\n")[0], der(open("log-key.pub").read())
    typed = b"\x01" + spki[-32:] if len(spki) == 44 else b"\xffdutyledger-sm2/v1" + spki
    key_id = hashlib.sha256(origin.encode() + b"\n" + typed).digest()[:4]
    for line in sigs.splitlines():
        raw = base64.b64decode(line.split(" ")[2])
        if line.split(" ")[1] == origin and raw[:4] == key_id:
            open("check/checkpoint.body", "wb").write(body.encode())
            open("check/checkpoint.sig", "wb").write(raw[4:])
            print("checkpoint of %s at size %s, log key id %s"
                  % (origin, body.split("\n")[1], key_id.hex()))
            sys.exit(0)
    fail("no signature by the log key on the checkpoint")
elif cmd == "tree":  # leaf hashes, chain links, and the root (full) or inclusion proofs (partial)
    want_seq, want_leaf = int(sys.argv[2]), bytes.fromhex(sys.argv[3])
    root = base64.b64decode(open("checkpoint").read().split("\n")[2])
    size, leaves, last = proofs["treeSize"], [], None
    for i, (offset, seg) in enumerate(frames()):
        seq, prev, sig, body = entry(seg)
        leaf = H(b"\x00" + seg)
        if last and last[0] + 1 == seq and prev != last[1]: fail("entry %d: chain broken" % seq)
        if seq == want_seq and leaf != want_leaf: fail("entry %d: leaf hash differs" % seq)
        if proofs["bundle"] == "partial":
            p = proofs["inclusion"][i]
            fn, sn, r = seq, size - 1, leaf
            for h in map(base64.b64decode, p["proof"]):  # RFC 9162 section 2.1.3.2
                if sn == 0: fail("entry %d: inclusion proof too long" % seq)
                if fn & 1 or fn == sn:
                    r = H(b"\x01" + h + r)
                    while fn & 1 == 0 and fn != 0: fn, sn = fn >> 1, sn >> 1
                else:
                    r = H(b"\x01" + r + h)
                fn, sn = fn >> 1, sn >> 1
            if p["leafIdx"] != seq or sn != 0 or r != root:
                fail("entry %d: inclusion proof fails" % seq)
        else:
            if seq != i: fail("entry %d missing" % i)
            leaves.append(leaf)
        last = (seq, leaf)
    if proofs["bundle"] == "full":
        if len(leaves) != size: fail("%d entries, tree size %d" % (len(leaves), size))
        while len(leaves) > 1:  # RFC 6962 MTH, level by level (a last odd node moves up)
            leaves = [H(b"\x01" + leaves[j] + leaves[j + 1]) if j + 1 < len(leaves)
                      else leaves[j] for j in range(0, len(leaves), 2)]
        if leaves[0] != root: fail("the root of the entries is not the checkpoint's")
    print("OK: %d entries, chain links hold, %s" % (i + 1, "the root is the checkpoint's"
          if proofs["bundle"] == "full" else "each inclusion proof leads to its root"))
)py";

// A key as keys.json lists it, at the bundle's tree size.
struct ListedKey {
  KeyInfo info;
  uint64_t bound_at = 0;               // the genesis (0) or keyBound entry
  std::optional<uint64_t> revoked_at;  // the keyRevoked entry, when below the tree size
};

ListedKey Listed(const KeyInfo& k, uint64_t tree_size) {
  ListedKey l{k, k.valid_from == 0 ? 0 : k.valid_from - 1, std::nullopt};
  if (k.valid_until != kNeverRevoked && k.valid_until - 1 < tree_size) {
    l.revoked_at = k.valid_until - 1;
  }
  return l;
}

// What the closure of a partial bundle needs to know about an entry.
struct EntryKeys {
  Digest signer;
  std::optional<Digest> target;  // the key a keyBound / keyRevoked names
};

Result<EntryKeys> KeysOfEntry(const Ledger& ledger, uint64_t s) {
  ASSIGN_OR_RETURN(EntryView e, ledger.ReadEntry(s));
  ASSIGN_OR_RETURN(EventView body, EventView::DecodeBody(e));
  auto b = body.body();
  EntryKeys k;
  k.signer = *Digest::FromBytes(AsView(b.getSignerKeyId()));
  if (b.isKeyBound()) {
    ASSIGN_OR_RETURN(PublicKey key,
                     PublicKey::FromSpki(AsView(b.getKeyBound().getKey().getSpki())));
    k.target = key.id();
  } else if (b.isKeyRevoked()) {
    k.target = Digest::FromBytes(AsView(b.getKeyRevoked().getKeyId()));
  } else if (b.isGenesis()) {
    ASSIGN_OR_RETURN(PublicKey key,
                     PublicKey::FromSpki(AsView(b.getGenesis().getRootKey().getSpki())));
    k.target = key.id();
  }
  return k;
}

// Adds to `sequences` (which holds the chosen entries) entry 0 and, until nothing changes, the
// binding and revocation entries of every key that signs or is named by an entry in the set.
// Returns the keys so listed.
Result<std::vector<ListedKey>> CloseOverKeys(const Ledger& ledger, uint64_t tree_size,
                                             std::set<uint64_t>& sequences) {
  sequences.insert(0);
  std::map<Digest, ListedKey> listed;
  std::vector<uint64_t> todo(sequences.begin(), sequences.end());
  auto need_key = [&](const Digest& id) -> Status {
    if (listed.count(id)) return Status::Ok();
    ASSIGN_OR_RETURN(std::optional<KeyInfo> info, ledger.FindKey(id));
    if (!info) return Corruption("key " + id.Hex().substr(0, 16) + " is not in the key table");
    ListedKey l = Listed(*info, tree_size);
    for (std::optional<uint64_t> s : {std::optional<uint64_t>(l.bound_at), l.revoked_at}) {
      if (s && sequences.insert(*s).second) todo.push_back(*s);
    }
    listed.emplace(id, std::move(l));
    return Status::Ok();
  };
  while (!todo.empty()) {
    uint64_t s = todo.back();
    todo.pop_back();
    ASSIGN_OR_RETURN(EntryKeys k, KeysOfEntry(ledger, s));
    if (s > 0) RETURN_IF_ERROR(need_key(k.signer));
    if (k.target) RETURN_IF_ERROR(need_key(*k.target));
  }
  std::vector<ListedKey> out;
  for (auto& [id, l] : listed) out.push_back(std::move(l));
  return out;
}

std::string KeysJson(std::vector<ListedKey> keys) {
  std::sort(keys.begin(), keys.end(), [](const ListedKey& a, const ListedKey& b) {
    return std::tie(a.bound_at, a.info.key.id()) < std::tie(b.bound_at, b.info.key.id());
  });
  std::string out = "{\n  \"format\": \"dutyledger-bundle-keys/v1\",\n  \"keys\": {";
  for (size_t i = 0; i < keys.size(); ++i) {
    const ListedKey& k = keys[i];
    out += std::string(i ? "," : "") + "\n    \"" + k.info.key.id().Hex() + "\": {" +
           "\"algorithm\": \"" + std::string(SignatureAlgorithmName(k.info.key.algorithm())) +
           "\", \"principal\": " + JsonQuote(k.info.principal) +
           ", \"root\": " + (k.info.is_root ? "true" : "false") +
           ", \"boundAt\": " + std::to_string(k.bound_at) + ", \"revokedAt\": " +
           (k.revoked_at ? std::to_string(*k.revoked_at) : std::string("null")) +
           ", \"pem\": " + JsonQuote(k.info.key.ToPem()) + "}";
  }
  return out + "\n  }\n}\n";
}

std::string InclusionJson(const InclusionProofData& p) {
  return "{\"leafIdx\": " + std::to_string(p.leaf_index) +
         ", \"treeSize\": " + std::to_string(p.tree_size) + ", \"leafHash\": \"" +
         p.leaf_hash.Base64() + "\", \"root\": \"" + p.root.Base64() +
         "\", \"proof\": " + JsonDigestArray(p.proof) + "}";
}

std::string ConsistencyJson(const ConsistencyProofData& p, const std::string& checkpoint) {
  return "{\"size1\": " + std::to_string(p.size1) + ", \"size2\": " + std::to_string(p.size2) +
         ", \"root1\": \"" + p.root1.Base64() + "\", \"root2\": \"" + p.root2.Base64() +
         "\", \"proof\": " + JsonDigestArray(p.proof) +
         ", \"checkpoint\": " + JsonQuote(checkpoint) + "}";
}

// Writes entries as stream frames, with fsync at the end.
class FrameWriter {
 public:
  static Result<std::unique_ptr<FrameWriter>> Create(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "wbx");
    if (f == nullptr) return IOError(path + ": cannot create");
    return std::unique_ptr<FrameWriter>(new FrameWriter(path, f));
  }
  ~FrameWriter() {
    if (f_ != nullptr) std::fclose(f_);
  }
  Status Write(ByteView leaf) {
    Bytes frame = StreamFrame(leaf);
    if (std::fwrite(frame.data(), 1, frame.size(), f_) != frame.size()) {
      return IOError(path_ + ": write failed");
    }
    return Status::Ok();
  }
  Status Close() {
    bool ok = std::fflush(f_) == 0 && ::fsync(fileno(f_)) == 0;
    ok = std::fclose(f_) == 0 && ok;
    f_ = nullptr;
    return ok ? Status::Ok() : IOError(path_ + ": write failed");
  }

 private:
  FrameWriter(std::string path, FILE* f) : path_(std::move(path)), f_(f) {
    std::setvbuf(f_, nullptr, _IOFBF, 1 << 20);
  }
  std::string path_;
  FILE* f_;
};

struct ReadmeFacts {
  std::string origin;
  bool full = true;
  uint64_t tree_size = 0;
  uint64_t entries = 0;
  uint64_t example = 0;
  std::string example_signer;  // principal
  SignatureAlgorithm example_algorithm = SignatureAlgorithm::kEd25519;
  HashAlgorithm hash = HashAlgorithm::kSha256;
  SignatureAlgorithm log_algorithm = SignatureAlgorithm::kEd25519;
};

std::string OpensslVerify(SignatureAlgorithm alg, const std::string& key, const std::string& in,
                          const std::string& sig) {
  std::string cmd =
      "openssl pkeyutl -verify -rawin -pubin -inkey " + key + " -in " + in + " -sigfile " + sig;
  if (alg == SignatureAlgorithm::kSm2) {
    cmd += " \\\n  -digest sm3 -pkeyopt distid:" + std::string(kSm2DistinguishingId);
  }
  return cmd;
}

// Whether a line starting with `text` would begin a markdown block (heading, list, quote, table,
// code fence) rather than continue a paragraph.
bool StartsBlock(std::string_view text) {
  auto then_space = [&](size_t at) { return at < text.size() && text[at] == ' '; };
  if (text.empty()) return false;
  if (text[0] == '#' || text[0] == '|' || text[0] == '>' || text.rfind("```", 0) == 0) return true;
  if ((text[0] == '-' || text[0] == '*' || text[0] == '+') && then_space(1)) return true;
  size_t digits = text.find_first_not_of("0123456789");
  return digits > 0 && digits != std::string_view::npos &&
         (text[digits] == '.' || text[digits] == ')') && then_space(digits + 1);
}

// Wraps the prose lines of a markdown text at 99 columns (code blocks and tables stay as they are),
// never so that a continuation line would start a block of its own.
std::string WrapProse(const std::string& md) {
  constexpr size_t kColumns = 99;
  std::string out;
  bool code = false;
  std::istringstream lines(md);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("```", 0) == 0) code = !code;
    while (!code && line.size() > kColumns && line[0] != '|') {
      size_t cut = line.rfind(' ', kColumns);
      while (cut != std::string::npos && cut > 0 &&
             StartsBlock(std::string_view(line).substr(cut + 1))) {
        cut = line.rfind(' ', cut - 1);
      }
      if (cut == std::string::npos || cut == 0) break;
      out += line.substr(0, cut) + "\n";
      line = line.substr(cut + 1);
    }
    out += line + "\n";
  }
  return out;
}

std::string VerifyMd(const ReadmeFacts& f) {
  std::string seq = std::to_string(f.example);
  std::string hash_cmd = f.hash == HashAlgorithm::kSm3 ? "openssl dgst -sm3 -binary | xxd -p -c 32"
                                                       : "sha256sum | cut -d' ' -f1";
  std::string md;
  md += "# Verifying this audit bundle\n\n";
  md += "This folder is a " + std::string(f.full ? "full" : "partial") +
        " audit bundle of the dutyledger ledger `" + f.origin + "`: " + std::to_string(f.entries) +
        " entries of the tree of size " + std::to_string(f.tree_size) +
        ", anchored to the signed " + "checkpoint in `checkpoint`. " +
        (f.full ? "It holds every entry, so the tree's root can be recomputed from them."
                : "Each entry comes with an inclusion proof against the checkpoint's root; entry 0 "
                  "and the entries that bind the signers' keys are included so that every "
                  "signature can be traced to the root key.") +
        "\n\n";
  md += R"(`dutyledger verify-bundle .` checks all of it. You do not have to trust that program: the
files are specified byte for byte in dutyledger's `ledger/FORMAT.md` ("Audit bundle"), and the
steps below check one entry, the chain and the tree, and the checkpoint's signature with
`openssl` (3.0 or later), `sha256sum`, `xxd`, `dd` and a short python3 script. Run the blocks in
order, in one shell, from this folder; they write only into `check/`.

| file | content |
|---|---|
| `checkpoint` | the C2SP signed note: origin, tree size, base64 root, a blank line, signature lines (the log's, then witnesses' cosignatures) |
| `log-key.pub` | the log's checkpoint key (PEM), named by the genesis entry |
| `entries.bin` | the entries in Cap'n Proto stream framing: per entry the 4 bytes `00 00 00 00` (one segment), the segment's length in 8-byte words (4 bytes, little-endian), then the segment: the entry's canonical bytes, which are the Merkle leaf data |
| `keys.json` | signing keys by key id (SHA-256 of the key's DER SubjectPublicKeyInfo): PEM, principal, algorithm, the entry that bound it and the one that revoked it |
| `proofs.json` | the tree hash, size and root; inclusion proofs (partial bundles); consistency proofs from earlier checkpoints |
| `schema/` | the Cap'n Proto schema of the record (`event.capnp` defines `Entry` and `EventBody`) |

## 1. The script

)";
  md += "```sh\nmkdir -p check\ncat > check/dlbundle.py <<'EOF'\n" + std::string(kScript) +
        "EOF\n```\n\n";
  md += "## 2. Find entry " + seq + " in entries.bin\n\n";
  md += "The script walks the frames and prints where entry " + seq +
        " starts and its length in words; `xxd` shows the frame header and `dd` cuts the entry "
        "out.\n\n";
  md += "```sh\neval \"$(python3 check/dlbundle.py locate " + seq +
        ")\"   # sets OFFSET and WORDS\n"
        "xxd -s \"$OFFSET\" -l 8 entries.bin   # 00000000, then WORDS as 4 little-endian bytes\n"
        "dd if=entries.bin of=check/entry.bin bs=8 skip=$(( OFFSET / 8 + 1 )) count=\"$WORDS\" "
        "status=none\n```\n\n";
  md += "## 3. Its leaf hash\n\n";
  md += "The Merkle leaf hash is " + std::string(HashAlgorithmName(f.hash)) +
        "(0x00 || entry), RFC 6962 (the tree hash is fixed by the genesis entry; proofs.json "
        "names it).\n\n";
  md += "```sh\nLEAF=$( { printf '\\000'; cat check/entry.bin; } | " + hash_cmd + " )\n" +
        "echo \"leaf hash of entry " + seq + ": $LEAF\"\n```\n\n";
  md += "## 4. Its signature\n\n";
  md +=
      "The signer signed `dutyledger/event/v1\\n` followed by the entry's `body` field (the "
      "canonical EventBody). The script writes the body, the signature, the signed message and "
      "the signer's public key (looked up in keys.json by the body's `signerKeyId`, after "
      "checking that the PEM hashes to that id). The signer is " +
      f.example_signer + ", an " + std::string(SignatureAlgorithmName(f.example_algorithm)) +
      " key" +
      (f.example_algorithm == SignatureAlgorithm::kSm2
           ? " (SM2 with SM3 and the distinguishing id 1234567812345678, GB/T 32918)"
           : "") +
      ".\n\n";
  md +=
      "```sh\npython3 check/dlbundle.py fields check/entry.bin\n"
      "openssl pkey -pubin -in check/signer.pem -outform DER | sha256sum   # the key id\n" +
      OpensslVerify(f.example_algorithm, "check/signer.pem", "check/message.bin",
                    "check/signature.bin") +
      "\n```\n\n";
  md += "## 5. The chain and the tree\n\n";
  md += std::string("Each entry's `prevLeafHash` must be the leaf hash of the entry before it. ") +
        (f.full ? "The script recomputes every leaf hash and the RFC 6962 root of all entries, "
                  "and compares it with the checkpoint's root."
                : "The script recomputes every leaf hash and runs each entry's inclusion proof "
                  "(RFC 9162 §2.1.3.2) up to the checkpoint's root.") +
        " It also checks that entry " + seq + "'s leaf hash is the one computed above.\n\n";
  md += "```sh\npython3 check/dlbundle.py tree " + seq + " \"$LEAF\"\n```\n\n";
  md += "## 6. The checkpoint's signature\n\n";
  md += std::string("The log key signs the checkpoint's body (the text before the blank line). ") +
        "The signature line's 4-byte key id is SHA-256(origin || 0x0A || " +
        (f.log_algorithm == SignatureAlgorithm::kSm2
             ? "0xff || \"dutyledger-sm2/v1\" || DER SubjectPublicKeyInfo"
             : "0x01 || the 32-byte Ed25519 key") +
        ")[:4].\n\n";
  md += "```sh\npython3 check/dlbundle.py checkpoint\n" +
        OpensslVerify(f.log_algorithm, "log-key.pub", "check/checkpoint.body",
                      "check/checkpoint.sig") +
        "\n```\n\n";
  md += R"(Witness cosignatures (C2SP tlog-cosignature) follow the log's signature line; each signs
`cosignature/v1\ntime <t>\n` followed by the checkpoint's body. Which witnesses you require is
your policy (`dutyledger verify-bundle . --policy FILE`, C2SP tlog-policy format).

## 7. Any Cap'n Proto implementation

The schema decodes the same bytes (the `capnp` tool reads stream framing; `--flat` reads one
segment without framing, as `body` is stored):

```sh
dd if=entries.bin bs=8 skip=$(( OFFSET / 8 )) count=$(( WORDS + 1 )) status=none |
  capnp decode --short -I schema --no-standard-import schema/event.capnp Entry
capnp decode --flat --short -I schema --no-standard-import schema/event.capnp EventBody \
  < check/body.bin
```

What these steps do not check, and `dutyledger verify-bundle` does: that every entry is in
canonical form, the envelope rules (origin, ids), that each signer's key was bound and not
revoked at that entry (replaying the key events in the bundle), every signature, keys.json
against the key events, and the consistency proofs.
)";
  return WrapProse(md);
}

Status WriteSchema(const std::string& dir) {
  for (const BundleSchemaFile& f : BundleSchemaFiles()) {
    fs::path p = fs::path(dir) / "schema" / f.path;
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    if (ec) return IOError(p.parent_path().string() + ": " + ec.message());
    RETURN_IF_ERROR(WriteNewFile(p.string(), f.text, 0644));
  }
  return Status::Ok();
}

}  // namespace

Result<BundleSummary> ExportBundle(const Ledger& ledger, const std::string& out_dir,
                                   const BundleOptions& options) {
  // The checkpoint.
  StoredCheckpoint cp;
  if (options.checkpoint_size) {
    ASSIGN_OR_RETURN(cp, ledger.CheckpointAt(*options.checkpoint_size));
  } else {
    ASSIGN_OR_RETURN(std::optional<StoredCheckpoint> latest, ledger.LatestCheckpoint());
    if (!latest) return NotFound("the ledger has no signed checkpoint");
    cp = std::move(*latest);
  }
  const uint64_t n = cp.checkpoint.size;
  BundleSummary summary;
  summary.full = !options.sequences.has_value();
  summary.tree_size = n;

  // The entries and the keys.
  std::set<uint64_t> chosen;
  std::vector<ListedKey> keys;
  if (summary.full) {
    ASSIGN_OR_RETURN(std::vector<KeyInfo> all, ledger.AllKeys());
    for (const KeyInfo& k : all) {
      ListedKey l = Listed(k, n);
      if (l.bound_at < n) keys.push_back(std::move(l));
    }
  } else {
    for (uint64_t s : *options.sequences) {
      if (s >= n) {
        return InvalidArgument("entry " + std::to_string(s) +
                               " is not in the tree of the checkpoint (size " + std::to_string(n) +
                               ")");
      }
      chosen.insert(s);
    }
    ASSIGN_OR_RETURN(keys, CloseOverKeys(ledger, n, chosen));
    summary.sequences.assign(chosen.begin(), chosen.end());
  }
  summary.keys = keys.size();

  // Consistency proofs.
  std::vector<uint64_t> from;
  if (options.consistency_from) {
    from = *options.consistency_from;
  } else if (!summary.full && options.sequences && !options.sequences->empty()) {
    uint64_t highest = *std::max_element(options.sequences->begin(), options.sequences->end());
    ASSIGN_OR_RETURN(std::vector<uint64_t> sizes, ledger.CheckpointSizes());
    for (uint64_t size : sizes) {
      if (size > highest) {
        if (size < n) from.push_back(size);
        break;
      }
    }
  }
  std::string consistency;
  for (uint64_t m : from) {
    if (m == 0 || m >= n) {
      return InvalidArgument("a consistency proof needs an earlier checkpoint size in 1.." +
                             std::to_string(n - 1) + ", not " + std::to_string(m));
    }
    ASSIGN_OR_RETURN(StoredCheckpoint old, ledger.CheckpointAt(m));
    ASSIGN_OR_RETURN(ConsistencyProofData p, ledger.ProveConsistency(m, n));
    consistency += std::string(consistency.empty() ? "" : ",") + "\n    " +
                   ConsistencyJson(p, old.note.Text());
  }

  // Write into a temporary folder, then move it into place.
  std::error_code ec;
  if (fs::exists(out_dir, ec) && (!fs::is_directory(out_dir, ec) || !fs::is_empty(out_dir, ec))) {
    return AlreadyExists(out_dir + ": exists and is not an empty folder");
  }
  fs::path out = fs::absolute(out_dir, ec);
  std::string tmp = out.string() + ".tmp-" + std::to_string(::getpid());
  fs::remove_all(tmp, ec);
  if (!fs::create_directories(tmp, ec)) return IOError(tmp + ": cannot create: " + ec.message());
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code e;
      if (!dir.empty()) fs::remove_all(dir, e);
    }
  } cleanup{tmp};

  RETURN_IF_ERROR(WriteNewFile(tmp + "/checkpoint", cp.note.Text(), 0644));
  RETURN_IF_ERROR(WriteNewFile(tmp + "/log-key.pub", ledger.log_key().ToPem(), 0644));
  RETURN_IF_ERROR(WriteNewFile(tmp + "/keys.json", KeysJson(keys), 0644));

  ReadmeFacts facts;
  facts.origin = ledger.origin();
  facts.full = summary.full;
  facts.tree_size = n;
  facts.hash = ledger.hash_algorithm();
  facts.log_algorithm = ledger.log_key().algorithm();
  if (options.example_sequence) {
    facts.example = *options.example_sequence;
    if (facts.example >= n || (!summary.full && !chosen.count(facts.example))) {
      return InvalidArgument("the example entry " + std::to_string(facts.example) +
                             " is not in the bundle");
    }
  } else if (summary.full) {
    facts.example = n > 1 ? 1 : 0;
  } else {
    facts.example = 0;  // the first chosen entry after the genesis, if any
    for (uint64_t s : *options.sequences) {
      if (s > 0 && (facts.example == 0 || s < facts.example)) facts.example = s;
    }
  }

  ASSIGN_OR_RETURN(auto frames, FrameWriter::Create(tmp + "/entries.bin"));
  std::string inclusion;
  uint64_t total = summary.full ? n : summary.sequences.size();
  auto write_entry = [&](const EntryView& e) -> Status {
    RETURN_IF_ERROR(frames->Write(e.bytes()));
    if (e.sequence() == facts.example) {
      ASSIGN_OR_RETURN(EntryKeys k, KeysOfEntry(ledger, e.sequence()));
      ASSIGN_OR_RETURN(std::optional<KeyInfo> signer, ledger.FindKey(k.signer));
      if (signer) {
        facts.example_signer = signer->principal;
        facts.example_algorithm = signer->key.algorithm();
      }
    }
    ++summary.entries;
    if (options.progress && (summary.entries % 4096 == 0 || summary.entries == total)) {
      options.progress(summary.entries, total);
    }
    return Status::Ok();
  };
  if (summary.full) {
    Status inner = Status::Ok();
    RETURN_IF_ERROR(ledger.ForEachEntry(0, n, [&](const EntryView& e) {
      inner = write_entry(e);
      return inner.ok();
    }));
    RETURN_IF_ERROR(inner);
  } else {
    for (uint64_t s : summary.sequences) {
      ASSIGN_OR_RETURN(EntryView e, ledger.ReadEntry(s));
      RETURN_IF_ERROR(write_entry(e));
      ASSIGN_OR_RETURN(InclusionProofData p, ledger.ProveInclusion(s, n));
      inclusion += std::string(inclusion.empty() ? "" : ",") + "\n    " + InclusionJson(p);
    }
  }
  RETURN_IF_ERROR(frames->Close());
  facts.entries = summary.entries;

  std::string proofs = "{\n  \"format\": \"dutyledger-bundle-proofs/v1\",\n  \"bundle\": \"" +
                       std::string(summary.full ? "full" : "partial") +
                       "\",\n  \"hashAlgorithm\": \"" +
                       std::string(HashAlgorithmName(ledger.hash_algorithm())) +
                       "\",\n  \"treeSize\": " + std::to_string(n) + ",\n  \"root\": \"" +
                       cp.checkpoint.root.Base64() + "\",\n  \"inclusion\": [" + inclusion +
                       (inclusion.empty() ? "" : "\n  ") + "],\n  \"consistency\": [" +
                       consistency + (consistency.empty() ? "" : "\n  ") + "]\n}\n";
  RETURN_IF_ERROR(WriteNewFile(tmp + "/proofs.json", proofs, 0644));
  RETURN_IF_ERROR(WriteSchema(tmp));
  RETURN_IF_ERROR(WriteNewFile(tmp + "/VERIFY.md", VerifyMd(facts), 0644));

  if (fs::exists(out, ec)) fs::remove(out, ec);  // an empty folder
  fs::rename(tmp, out, ec);
  if (ec) return IOError("cannot move the bundle to " + out.string() + ": " + ec.message());
  cleanup.dir.clear();
  return summary;
}

}  // namespace dutyledger
