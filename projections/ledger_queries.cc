// The ledger's own read queries: entries, checkpoints, proofs, verify.
#include <capnp/compat/json.h>
#include <capnp/message.h>

#include <charconv>

#include "ledger/checkpoint.h"
#include "ledger/codec.h"
#include "ledger/json.h"
#include "ledger/uuid.h"
#include "ledger/verify.h"
#include "projections/query.h"

namespace dutyledger {
namespace {

ByteView AsView(capnp::Data::Reader d) {
  return ByteView(reinterpret_cast<const char*>(d.begin()), d.size());
}

bool ParseU64(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

// Reads an unsigned parameter; nullopt with *error set when it is present but malformed.
std::optional<uint64_t> U64Param(const QueryRequest& r, const std::string& key,
                                 std::string* error) {
  auto v = r.Get(key);
  if (!v) return std::nullopt;
  uint64_t out;
  if (!ParseU64(*v, &out)) {
    *error = "--" + key + ": '" + *v + "' is not a non-negative integer";
    return std::nullopt;
  }
  return out;
}

// Small fixed JSON documents (proofs) through capnp's JSON writer, for correct escaping.
class JsonObject {
 public:
  JsonObject() : root_(message_.initRoot<capnp::JsonValue>()) {}
  void Number(const char* name, uint64_t v) { fields_.push_back({name, Kind::kNumber, v, {}, {}}); }
  void String(const char* name, std::string v) {
    fields_.push_back({name, Kind::kString, 0, std::move(v), {}});
  }
  void Strings(const char* name, std::vector<std::string> v) {
    fields_.push_back({name, Kind::kStrings, 0, {}, std::move(v)});
  }
  std::string Encode() {
    auto obj = root_.initObject(static_cast<unsigned>(fields_.size()));
    for (size_t i = 0; i < fields_.size(); ++i) {
      const Field& f = fields_[i];
      obj[i].setName(f.name);
      auto v = obj[i].initValue();
      if (f.kind == Kind::kNumber) {
        v.setNumber(static_cast<double>(f.number));
      } else if (f.kind == Kind::kString) {
        v.setString(f.text);
      } else {
        auto arr = v.initArray(static_cast<unsigned>(f.list.size()));
        for (size_t j = 0; j < f.list.size(); ++j) arr[j].setString(f.list[j]);
      }
    }
    capnp::JsonCodec codec;
    return codec.encodeRaw(root_.asReader()).cStr();
  }

 private:
  enum class Kind { kNumber, kString, kStrings };
  struct Field {
    const char* name;
    Kind kind;
    uint64_t number;
    std::string text;
    std::vector<std::string> list;
  };
  capnp::MallocMessageBuilder message_;
  capnp::JsonValue::Builder root_;
  std::vector<Field> fields_;
};

std::vector<std::string> Base64List(const std::vector<Digest>& v) {
  std::vector<std::string> out;
  for (const auto& d : v) out.push_back(d.Base64());
  return out;
}

// "A..B" (both ends included), "A..", or "A".
Result<std::pair<uint64_t, uint64_t>> ParseRange(const std::string& text, uint64_t size) {
  uint64_t a = 0, b = 0;
  size_t dots = text.find("..");
  if (dots == std::string::npos) {
    if (!ParseU64(text, &a)) return InvalidArgument("not a sequence or range: '" + text + "'");
    return std::make_pair(a, a);
  }
  if (!ParseU64(text.substr(0, dots), &a)) {
    return InvalidArgument("range '" + text + "' needs a start (A..B, A..)");
  }
  std::string rest = text.substr(dots + 2);
  if (rest.empty()) {
    if (size == 0) return InvalidArgument("the ledger is empty");
    b = size - 1;
  } else if (!ParseU64(rest, &b)) {
    return InvalidArgument("range '" + text + "' has a bad end");
  }
  if (b < a) return InvalidArgument("range '" + text + "' ends before it starts");
  return std::make_pair(a, b);
}

// Written as it goes, a megabyte at a time: `show 0..` over a large ledger is gigabytes. A read
// failure part-way ends it with the entries before it written and the error naming the entry.
QueryResponse Show(const Ledger& ledger, const QueryRequest& r, const QueryOutput& write) {
  auto text = r.Get("range");
  if (!text) return QueryResponse::Usage("show needs a sequence or range (42, 0..10, 100..)");
  auto range = ParseRange(*text, ledger.size());
  if (!range.ok()) return QueryResponse::Usage(range.status().message());
  if (range->first >= ledger.size()) {
    return QueryResponse::Failed(NotFound("no entry " + std::to_string(range->first) +
                                          " (the ledger has " + std::to_string(ledger.size()) +
                                          " entries)"));
  }
  bool json = r.Flag("json");
  EventJson codec;
  std::string out;
  Status written;
  // Hands `out` on once it passes a megabyte (or at the end); false once the reader is gone.
  auto flush = [&](bool end) {
    if (out.size() < (size_t{1} << 20) && !end) return true;
    written = write(out);
    out.clear();
    return written.ok();
  };
  const Hasher& hasher = ledger.hasher();
  Status s = ledger.ForEachEntry(range->first, range->second + 1, [&](const EntryView& e) {
    Digest leaf = hasher.LeafHash(e.bytes());
    if (json) {
      out += codec.EntryToJson(e, leaf) + "\n";
      return flush(false);
    }
    auto body = EventView::DecodeBody(e);
    out += "entry " + std::to_string(e.sequence()) + "  recorded " +
           FormatRfc3339(ReadTime(e.entry().getRecordedAt())) + "  leaf " + leaf.Base64() + "\n";
    if (!body.ok()) {
      out += "  (body does not decode: " + body.status().message() + ")\n";
      return true;
    }
    auto b = body->body();
    auto signer = Digest::FromBytes(AsView(b.getSignerKeyId()));
    std::string principal;
    if (signer) {
      // Shown as found, like a body that does not decode: this listing is how a damaged
      // ledger is looked at.
      auto k = ledger.FindKey(*signer);
      if (!k.ok()) {
        principal = " (key row unreadable: " + k.status().message() + ")";
      } else {
        principal = *k ? " (" + (*k)->principal + ")" : " (not in the key table)";
      }
    }
    out += "  " + body->type_name() + "  event " + FormatUuid(AsView(b.getEventId())) +
           "  occurred " + FormatRfc3339(ReadTime(b.getOccurredAt())) + "  signer " +
           (signer ? signer->Hex().substr(0, 16) : std::string("?")) + principal + "\n";
    out += "  " + codec.EventBodyToJson(b) + "\n";
    return flush(false);
  });
  if (written.ok()) flush(true);  // the entries before a read failure, too
  if (!written.ok()) return QueryResponse::Failed(written);
  if (!s.ok()) return QueryResponse::Failed(s);
  return QueryResponse::Ok("");
}

QueryResponse CheckpointQuery(const Ledger& ledger, const QueryRequest& r) {
  if (r.Flag("list")) {
    auto sizes = ledger.CheckpointSizes();
    if (!sizes.ok()) return QueryResponse::Failed(sizes.status());
    std::string out;
    for (uint64_t s : *sizes) out += std::to_string(s) + "\n";
    return QueryResponse::Ok(std::move(out));
  }
  std::string error;
  auto size = U64Param(r, "size", &error);
  if (!error.empty()) return QueryResponse::Usage(error);
  if (size) {
    auto cp = ledger.CheckpointAt(*size);
    if (!cp.ok()) return QueryResponse::Failed(cp.status());
    return QueryResponse::Ok(cp->note.Text());
  }
  auto latest = ledger.LatestCheckpoint();
  if (!latest.ok()) return QueryResponse::Failed(latest.status());
  if (!*latest) return QueryResponse::Failed(NotFound("no checkpoint has been signed"));
  return QueryResponse::Ok((*latest)->note.Text());
}

// The size of the latest signed checkpoint, which must cover `index`.
Result<uint64_t> DefaultProofSize(const Ledger& ledger, uint64_t index) {
  ASSIGN_OR_RETURN(auto latest, ledger.LatestCheckpoint());
  if (!latest || latest->checkpoint.size <= index) {
    return FailedPrecondition("no signed checkpoint covers entry " + std::to_string(index) +
                              " yet; run `dutyledger checkpoint` first, or give --size");
  }
  return latest->checkpoint.size;
}

QueryResponse Failure(const Status& s) {
  return s.code() == StatusCode::kInvalidArgument ? QueryResponse::Usage(s.message())
                                                  : QueryResponse::Failed(s);
}

QueryResponse Inclusion(const Ledger& ledger, const QueryRequest& r) {
  std::string error;
  auto seq = U64Param(r, "seq", &error);
  if (!error.empty()) return QueryResponse::Usage(error);
  if (!seq) return QueryResponse::Usage("--seq is required");
  auto size = U64Param(r, "size", &error);
  if (!error.empty()) return QueryResponse::Usage(error);
  if (!size) {
    auto d = DefaultProofSize(ledger, *seq);
    if (!d.ok()) return QueryResponse::Failed(d.status());
    size = *d;
  }
  auto proof = ledger.ProveInclusion(*seq, *size);
  if (!proof.ok()) return Failure(proof.status());
  if (r.Flag("json")) {
    JsonObject o;
    o.Number("leafIdx", proof->leaf_index);
    o.Number("treeSize", proof->tree_size);
    o.String("leafHash", proof->leaf_hash.Base64());
    o.String("root", proof->root.Base64());
    o.Strings("proof", Base64List(proof->proof));
    return QueryResponse::Ok(o.Encode() + "\n");
  }
  std::string out = "inclusion of entry " + std::to_string(proof->leaf_index) +
                    " in the tree of size " + std::to_string(proof->tree_size) + "\n" +
                    "leaf hash: " + proof->leaf_hash.Base64() + "\n" +
                    "root:      " + proof->root.Base64() + "\nproof:\n";
  for (const auto& d : proof->proof) out += "  " + d.Base64() + "\n";
  auto cp = ledger.CheckpointAt(*size);
  if (cp.ok()) out += "signed checkpoint:\n" + cp->note.Text();
  return QueryResponse::Ok(std::move(out));
}

QueryResponse Consistency(const Ledger& ledger, const QueryRequest& r) {
  std::string error;
  auto old_size = U64Param(r, "old", &error);
  if (!error.empty()) return QueryResponse::Usage(error);
  if (!old_size) return QueryResponse::Usage("--old is required");
  auto new_size = U64Param(r, "new", &error);
  if (!error.empty()) return QueryResponse::Usage(error);
  if (!new_size) {
    auto d = DefaultProofSize(ledger, *old_size == 0 ? 0 : *old_size - 1);
    if (!d.ok()) return QueryResponse::Failed(d.status());
    new_size = *d;
  }
  auto proof = ledger.ProveConsistency(*old_size, *new_size);
  if (!proof.ok()) return Failure(proof.status());
  if (r.Flag("json")) {
    JsonObject o;
    o.Number("size1", proof->size1);
    o.Number("size2", proof->size2);
    o.String("root1", proof->root1.Base64());
    o.String("root2", proof->root2.Base64());
    o.Strings("proof", Base64List(proof->proof));
    return QueryResponse::Ok(o.Encode() + "\n");
  }
  std::string out = "consistency of the tree of size " + std::to_string(proof->size1) +
                    " with the tree of size " + std::to_string(proof->size2) + "\n" +
                    "root1: " + proof->root1.Base64() + "\nroot2: " + proof->root2.Base64() +
                    "\nproof:\n";
  for (const auto& d : proof->proof) out += "  " + d.Base64() + "\n";
  return QueryResponse::Ok(std::move(out));
}

QueryResponse VerifyQuery(const Ledger& ledger, const QueryRequest& r) {
  VerifyOptions options;
  if (auto t = r.Get("trusted-checkpoint")) {
    auto note = ParseSignedNote(*t);
    if (!note.ok()) return QueryResponse::Usage("trusted checkpoint: " + note.status().message());
    options.trusted_checkpoint = *note;
  }
  auto report = VerifyLedgerFolder(ledger.path(), options);
  if (!report.ok()) return QueryResponse::Failed(report.status());
  if (!report->ok) return {1, {}, report->Summary()};
  return QueryResponse::Ok(report->Summary() + "\n");
}

}  // namespace

void RegisterLedgerQueries(QueryRegistry& registry) {
  registry.RegisterStreaming("show", Show);
  registry.Register("checkpoint", CheckpointQuery);
  registry.Register("proof-inclusion", Inclusion);
  registry.Register("proof-consistency", Consistency);
  registry.Register("verify", VerifyQuery);
}

}  // namespace dutyledger
