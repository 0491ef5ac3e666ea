// The ledger-core commands: keygen, init, append, show, verify, checkpoint, proof.
#include <capnp/compat/json.h>
#include <capnp/message.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "ledger/checkpoint.h"
#include "ledger/codec.h"
#include "ledger/json.h"
#include "ledger/keys.h"
#include "ledger/ledger.h"
#include "ledger/uuid.h"
#include "ledger/verify.h"
#include "tools/dutyledger/cli.h"
#include "tools/dutyledger/event_input.h"

namespace dutyledger::cli {
namespace {

ByteView AsView(capnp::Data::Reader d) {
  return ByteView(reinterpret_cast<const char*>(d.begin()), d.size());
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

// ---- keygen

void AddKeygen(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("keygen",
                                 "Create a signing key: <out>.key (PKCS#8 PEM, mode "
                                 "0600) and <out>.pub; prints the key id");
  static std::string out, alg = "ed25519";
  cmd->add_option("--out", out, "Path prefix of the key files")->required();
  cmd->add_option("--alg", alg, "Signature algorithm: ed25519 or sm2")->capture_default_str();
  cmd->callback([&ctx]() {
    auto algorithm = ParseSignatureAlgorithm(alg);
    if (!algorithm.ok()) {
      ctx.exit_code = UsageError(algorithm.status().message());
      return;
    }
    auto key = PrivateKey::Generate(*algorithm);
    if (!key.ok()) {
      ctx.exit_code = Fail(key.status());
      return;
    }
    if (Status s = (*key)->WritePemFile(out + ".key"); !s.ok()) {
      ctx.exit_code = Fail(s);
      return;
    }
    if (Status s = WriteNewFile(out + ".pub", (*key)->public_key().ToPem(), 0644); !s.ok()) {
      ctx.exit_code = Fail(s);
      return;
    }
    std::printf("%s\n", (*key)->public_key().id().Hex().c_str());
  });
}

// ---- init

void AddInit(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("init",
                                 "Create a ledger: its database, its checkpoint key "
                                 "(log.key), the genesis entry and a first checkpoint");
  static std::string data, origin, authority, hash = "sha256", principal = "root";
  cmd->add_option("--data", data, "Data folder (absent or empty)")->required();
  cmd->add_option("--origin", origin, "The ledger's origin, e.g. example.gov.cn/park-1")
      ->required();
  cmd->add_option("--authority-key", authority,
                  "The root authority's private key; it signs "
                  "the genesis")
      ->required();
  cmd->add_option("--hash", hash, "Tree and chain hash: sha256 or sm3")->capture_default_str();
  cmd->add_option("--root-principal", principal, "Who holds the root key, e.g. org:smx-ajj")
      ->capture_default_str();
  cmd->callback([&ctx]() {
    if (hash != "sha256" && hash != "sm3") {
      ctx.exit_code = UsageError("--hash must be sha256 or sm3");
      return;
    }
    auto key = PrivateKey::ReadPemFile(authority);
    if (!key.ok()) {
      ctx.exit_code = Fail(key.status());
      return;
    }
    Ledger::InitParams params;
    params.origin = origin;
    params.authority = key->get();
    params.root_principal = principal;
    params.hash_algorithm = hash == "sm3" ? HashAlgorithm::kSm3 : HashAlgorithm::kSha256;
    std::unique_ptr<Admission> admission;
    Ledger::Options options;
    options.clock = ctx.clock;
    if (ctx.make_admission) {
      admission = ctx.make_admission();
      options.admission = admission.get();
    }
    auto ledger = Ledger::Create(data, params, options);
    if (!ledger.ok()) {
      ctx.exit_code = Fail(ledger.status());
      return;
    }
    auto cp = (*ledger)->LatestCheckpoint();
    std::printf("created ledger %s in %s\n", origin.c_str(), data.c_str());
    std::printf("root key:    %s (%s)\n", (*key)->public_key().id().Hex().c_str(),
                principal.c_str());
    std::printf("log key:     %s\n", NoteVerifierKey(origin, (*ledger)->log_key()).c_str());
    if (cp.ok() && *cp) std::printf("checkpoint:\n%s", (*cp)->note.Text().c_str());
  });
}

// ---- append

void AddAppend(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("append",
                                 "Sign JSON events (one per line) and append them, "
                                 "all or none");
  static std::string data, key_path, file;
  cmd->add_option("--data", data, "Data folder")->required();
  cmd->add_option("--key", key_path, "The signer's private key")->required();
  cmd->add_option("--file", file, "JSON Lines file, or - for standard input")->required();
  cmd->callback([&ctx]() {
    auto key = PrivateKey::ReadPemFile(key_path);
    if (!key.ok()) {
      ctx.exit_code = Fail(key.status());
      return;
    }
    std::unique_ptr<Admission> admission;
    auto ledger = OpenLedger(ctx, data, false, &admission);
    if (!ledger.ok()) {
      ctx.exit_code = Fail(ledger.status());
      return;
    }
    EventJson json;
    EventJson::Defaults defaults{(*ledger)->origin(), (*key)->public_key().id(), ctx.clock};
    auto input = ReadAndSignEvents(file, json, defaults, **key);
    if (!input.ok()) {
      ctx.exit_code =
          Fail(Status(input.status().code(), input.status().message() + " (nothing was written)"));
      return;
    }
    size_t failed = 0;
    auto appended = (*ledger)->Append(std::move(input->events), &failed);
    if (!appended.ok()) {
      std::string line = failed < input->line_numbers.size()
                             ? "line " + std::to_string(input->line_numbers[failed]) + ": "
                             : "";
      ctx.exit_code = Fail(Status(appended.status().code(),
                                  line + appended.status().message() + " (nothing was written)"));
      return;
    }
    size_t fresh = 0;
    for (const auto& a : *appended) {
      std::printf("%llu %s%s\n", static_cast<unsigned long long>(a.sequence),
                  a.leaf_hash.Base64().c_str(), a.duplicate ? " (already recorded)" : "");
      if (!a.duplicate) ++fresh;
    }
    auto cp = (*ledger)->SignCheckpoint();
    if (!cp.ok()) {
      ctx.exit_code = Fail(cp.status().WithContext("appended, but no checkpoint was signed"));
      return;
    }
    std::fprintf(stderr, "appended %zu events (%zu already recorded); checkpoint at size %llu\n",
                 fresh, appended->size() - fresh,
                 static_cast<unsigned long long>(cp->checkpoint.size));
  });
}

// ---- show

void AddShow(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("show",
                                 "Print entries: show 42, show 0..10 (both ends "
                                 "included), show 100..");
  static std::string data, range;
  static bool as_json = false;
  cmd->add_option("--data", data, "Data folder")->required();
  cmd->add_option("range", range, "Sequence or range")->required();
  cmd->add_flag("--json", as_json, "One JSON object per entry");
  cmd->callback([&ctx]() {
    auto ledger = OpenLedger(ctx, data, true, nullptr);
    if (!ledger.ok()) {
      ctx.exit_code = Fail(ledger.status());
      return;
    }
    auto r = ParseRange(range, (*ledger)->size());
    if (!r.ok()) {
      ctx.exit_code = UsageError(r.status().message());
      return;
    }
    if (r->first >= (*ledger)->size()) {
      ctx.exit_code = Fail(NotFound("no entry " + std::to_string(r->first) + " (the ledger has " +
                                    std::to_string((*ledger)->size()) + " entries)"));
      return;
    }
    EventJson json;
    const Hasher& hasher = (*ledger)->hasher();
    Status s = (*ledger)->ForEachEntry(r->first, r->second + 1, [&](const EntryView& e) {
      Digest leaf = hasher.LeafHash(e.bytes());
      if (as_json) {
        std::printf("%s\n", json.EntryToJson(e, leaf).c_str());
        return true;
      }
      auto body = EventView::Decode(e.body_bytes());
      std::printf(
          "entry %llu  recorded %s  leaf %s\n", static_cast<unsigned long long>(e.sequence()),
          FormatRfc3339(ReadTime(e.entry().getRecordedAt())).c_str(), leaf.Base64().c_str());
      if (!body.ok()) {
        std::printf("  (body does not decode: %s)\n", body.status().message().c_str());
        return true;
      }
      auto b = body->body();
      auto signer = Digest::FromBytes(AsView(b.getSignerKeyId()));
      std::string principal;
      if (signer) {
        auto k = (*ledger)->FindKey(*signer);
        if (k.ok() && *k) principal = " (" + (*k)->principal + ")";
      }
      std::printf("  %s  event %s  occurred %s  signer %s%s\n", body->type_name().c_str(),
                  FormatUuid(AsView(b.getEventId())).c_str(),
                  FormatRfc3339(ReadTime(b.getOccurredAt())).c_str(),
                  signer ? signer->Hex().substr(0, 16).c_str() : "?", principal.c_str());
      std::printf("  %s\n", json.EventBodyToJson(b).c_str());
      return true;
    });
    if (!s.ok()) ctx.exit_code = Fail(s);
  });
}

// ---- verify

void AddVerify(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("verify",
                                 "Check everything: canonical form, signatures, key "
                                 "validity, chain, tree, checkpoints, indexes");
  static std::string data, trusted;
  static int threads = 0;
  cmd->add_option("--data", data, "Data folder")->required();
  cmd->add_option("--threads", threads, "Threads (default: all cores)");
  cmd->add_option("--trusted-checkpoint", trusted,
                  "A checkpoint obtained elsewhere; the ledger must be consistent with it");
  cmd->callback([&ctx]() {
    VerifyOptions options;
    options.threads = threads;
    if (!trusted.empty()) {
      auto text = ReadSmallFile(trusted);
      if (!text.ok()) {
        ctx.exit_code = UsageError(text.status().message());
        return;
      }
      auto note = ParseSignedNote(*text);
      if (!note.ok()) {
        ctx.exit_code = UsageError(trusted + ": " + note.status().message());
        return;
      }
      options.trusted_checkpoint = *note;
    }
    Progress progress("verifying");
    options.progress = [&](uint64_t done, uint64_t total) { progress.Update(done, total); };
    auto report = VerifyLedgerFolder(data, options);
    if (!report.ok()) {
      ctx.exit_code = Fail(report.status());
      return;
    }
    progress.Update(report->entries, report->entries);
    if (report->ok) {
      std::printf("%s\n", report->Summary().c_str());
    } else {
      std::fprintf(stderr, "%s\n", report->Summary().c_str());
      ctx.exit_code = kExitFailure;
    }
  });
}

// ---- checkpoint

void AddCheckpoint(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("checkpoint",
                                 "Print the latest signed checkpoint (signing one "
                                 "for the current size if needed)");
  static std::string data, cosignature;
  static uint64_t at_size = 0;
  static bool list = false;
  cmd->add_option("--data", data, "Data folder")->required();
  cmd->add_option("--size", at_size, "Print the stored checkpoint for this tree size");
  cmd->add_flag("--list", list, "List the sizes of all stored checkpoints");
  cmd->add_option("--add-cosignature", cosignature,
                  "Store a cosignature line beside the latest checkpoint");
  cmd->callback([&ctx, cmd]() {
    bool write = at_size == 0 && !list;
    auto ledger = OpenLedger(ctx, data, !write, nullptr);
    if (!ledger.ok()) {
      ctx.exit_code = Fail(ledger.status());
      return;
    }
    if (list) {
      auto sizes = (*ledger)->CheckpointSizes();
      if (!sizes.ok()) {
        ctx.exit_code = Fail(sizes.status());
        return;
      }
      for (uint64_t s : *sizes) std::printf("%llu\n", static_cast<unsigned long long>(s));
      return;
    }
    Result<StoredCheckpoint> cp =
        cmd->count("--size") > 0 ? (*ledger)->CheckpointAt(at_size) : (*ledger)->SignCheckpoint();
    if (!cp.ok()) {
      ctx.exit_code = Fail(cp.status());
      return;
    }
    if (!cosignature.empty()) {
      if (Status s = (*ledger)->AddCosignature(cp->checkpoint.size, cosignature); !s.ok()) {
        ctx.exit_code = Fail(s);
        return;
      }
      cp = (*ledger)->CheckpointAt(cp->checkpoint.size);
    }
    std::printf("%s", cp->note.Text().c_str());
  });
}

// ---- proof

Result<uint64_t> DefaultProofSize(const Ledger& ledger, uint64_t must_exceed) {
  ASSIGN_OR_RETURN(auto latest, ledger.LatestCheckpoint());
  if (!latest || latest->checkpoint.size <= must_exceed) {
    return FailedPrecondition("no signed checkpoint covers entry " + std::to_string(must_exceed) +
                              " yet; run `dutyledger checkpoint` first, or give --size");
  }
  return latest->checkpoint.size;
}

void AddProof(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("proof", "Merkle proofs (RFC 6962) against a tree size");
  cmd->require_subcommand(1);
  auto* inc = cmd->add_subcommand("inclusion", "Prove that an entry is in the tree of a size");
  static std::string data;
  static uint64_t seq = 0, size = 0, old_size = 0, new_size = 0;
  static bool as_json = false;
  inc->add_option("--data", data, "Data folder")->required();
  inc->add_option("--seq", seq, "The entry's sequence")->required();
  inc->add_option("--size", size, "Tree size (default: the latest checkpoint's)");
  inc->add_flag("--json", as_json, "Output in the field names of the RFC 6962 test vectors");
  inc->callback([&ctx, inc]() {
    auto ledger = OpenLedger(ctx, data, true, nullptr);
    if (!ledger.ok()) {
      ctx.exit_code = Fail(ledger.status());
      return;
    }
    uint64_t n = size;
    if (inc->count("--size") == 0) {
      auto d = DefaultProofSize(**ledger, seq);
      if (!d.ok()) {
        ctx.exit_code = Fail(d.status());
        return;
      }
      n = *d;
    }
    auto proof = (*ledger)->ProveInclusion(seq, n);
    if (!proof.ok()) {
      ctx.exit_code = proof.status().code() == StatusCode::kInvalidArgument
                          ? UsageError(proof.status().message())
                          : Fail(proof.status());
      return;
    }
    if (as_json) {
      JsonObject o;
      o.Number("leafIdx", proof->leaf_index);
      o.Number("treeSize", proof->tree_size);
      o.String("leafHash", proof->leaf_hash.Base64());
      o.String("root", proof->root.Base64());
      o.Strings("proof", Base64List(proof->proof));
      std::printf("%s\n", o.Encode().c_str());
      return;
    }
    std::printf("inclusion of entry %llu in the tree of size %llu\n",
                static_cast<unsigned long long>(proof->leaf_index),
                static_cast<unsigned long long>(proof->tree_size));
    std::printf("leaf hash: %s\nroot:      %s\nproof:\n", proof->leaf_hash.Base64().c_str(),
                proof->root.Base64().c_str());
    for (const auto& d : proof->proof) std::printf("  %s\n", d.Base64().c_str());
    auto cp = (*ledger)->CheckpointAt(n);
    if (cp.ok()) std::printf("signed checkpoint:\n%s", cp->note.Text().c_str());
  });

  auto* con = cmd->add_subcommand("consistency", "Prove that a tree extends an older one");
  con->add_option("--data", data, "Data folder")->required();
  con->add_option("--old", old_size, "The older tree size")->required();
  con->add_option("--new", new_size, "The newer tree size (default: the latest checkpoint's)");
  con->add_flag("--json", as_json, "Output in the field names of the RFC 6962 test vectors");
  con->callback([&ctx, con]() {
    auto ledger = OpenLedger(ctx, data, true, nullptr);
    if (!ledger.ok()) {
      ctx.exit_code = Fail(ledger.status());
      return;
    }
    uint64_t n = new_size;
    if (con->count("--new") == 0) {
      auto d = DefaultProofSize(**ledger, old_size == 0 ? 0 : old_size - 1);
      if (!d.ok()) {
        ctx.exit_code = Fail(d.status());
        return;
      }
      n = *d;
    }
    auto proof = (*ledger)->ProveConsistency(old_size, n);
    if (!proof.ok()) {
      ctx.exit_code = proof.status().code() == StatusCode::kInvalidArgument
                          ? UsageError(proof.status().message())
                          : Fail(proof.status());
      return;
    }
    if (as_json) {
      JsonObject o;
      o.Number("size1", proof->size1);
      o.Number("size2", proof->size2);
      o.String("root1", proof->root1.Base64());
      o.String("root2", proof->root2.Base64());
      o.Strings("proof", Base64List(proof->proof));
      std::printf("%s\n", o.Encode().c_str());
      return;
    }
    std::printf("consistency of the tree of size %llu with the tree of size %llu\n",
                static_cast<unsigned long long>(proof->size1),
                static_cast<unsigned long long>(proof->size2));
    std::printf("root1: %s\nroot2: %s\nproof:\n", proof->root1.Base64().c_str(),
                proof->root2.Base64().c_str());
    for (const auto& d : proof->proof) std::printf("  %s\n", d.Base64().c_str());
  });
}

}  // namespace

void RegisterLedgerCommands(CLI::App& app, Context& ctx) {
  AddKeygen(app, ctx);
  AddInit(app, ctx);
  AddAppend(app, ctx);
  AddShow(app, ctx);
  AddVerify(app, ctx);
  AddCheckpoint(app, ctx);
  AddProof(app, ctx);
}

}  // namespace dutyledger::cli
