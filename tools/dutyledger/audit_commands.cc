// The audit commands: export (an audit bundle), verify-bundle, cosign (a witness's cosignature).
#include <charconv>
#include <cstdio>
#include <set>

#include "ledger/bundle.h"
#include "ledger/bundle_json.h"
#include "ledger/bundle_verify.h"
#include "ledger/checkpoint.h"
#include "ledger/keys.h"
#include "ledger/ledger.h"
#include "ledger/witness.h"
#include "ledger/witness_policy.h"
#include "tools/dutyledger/cli.h"

namespace dutyledger::cli {
namespace {

// "3,17,42" -> {3, 17, 42}; nullopt when malformed.
std::optional<std::vector<uint64_t>> ParseSequenceList(const std::string& text) {
  std::vector<uint64_t> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string::npos) comma = text.size();
    uint64_t v;
    auto [p, ec] = std::from_chars(text.data() + pos, text.data() + comma, v);
    if (ec != std::errc() || p != text.data() + comma || comma == pos) return std::nullopt;
    out.push_back(v);
    pos = comma + 1;
  }
  return out;
}

Result<SignedNote> ReadNoteFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadSmallFile(path));
  auto note = ParseSignedNote(text);
  if (!note.ok()) return note.status().WithContext(path);
  return note;
}

// ---- export

void AddExport(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "export",
      "Write an audit bundle: every entry (a full bundle), or a range or set of entries with "
      "inclusion proofs (a partial bundle), against a signed checkpoint");
  static std::string data, out, seqs, consistency;
  static uint64_t from = 0, to = 0, size = 0;
  cmd->add_option("--data", data, "Data folder")->required();
  cmd->add_option("--out", out, "The bundle folder to create (absent or empty)")->required();
  auto* from_opt = cmd->add_option("--from", from, "First entry of a range (partial bundle)");
  auto* to_opt = cmd->add_option("--to", to, "Last entry of a range, included");
  auto* seqs_opt = cmd->add_option("--seqs", seqs, "Entries to include, e.g. 3,17,42");
  cmd->add_option("--size", size, "The stored checkpoint to anchor to (default: the latest)");
  cmd->add_option("--consistency-from", consistency,
                  "Earlier checkpoint sizes to include consistency proofs from, e.g. 1000,2000");
  to_opt->needs(from_opt);
  seqs_opt->excludes(from_opt);
  cmd->callback([&ctx, cmd]() {
    auto ledger = OpenLedger(ctx, data, /*read_only=*/true, nullptr);
    if (!ledger.ok()) {
      ctx.exit_code = Fail(ledger.status());
      return;
    }
    BundleOptions options;
    if (cmd->count("--size") > 0) options.checkpoint_size = size;
    if (cmd->count("--seqs") > 0) {
      auto list = ParseSequenceList(seqs);
      if (!list) {
        ctx.exit_code = UsageError("--seqs: '" + seqs + "' is not a list like 3,17,42");
        return;
      }
      options.sequences = *list;
    } else if (cmd->count("--from") > 0) {
      uint64_t last = to;
      if (cmd->count("--to") == 0) {
        uint64_t n = options.checkpoint_size.value_or(0);
        if (n == 0) {
          auto latest = (*ledger)->LatestCheckpoint();
          n = latest.ok() && *latest ? (*latest)->checkpoint.size : 0;
        }
        last = n == 0 ? 0 : n - 1;
      }
      if (last < from) {
        ctx.exit_code = UsageError("--to must not be below --from");
        return;
      }
      if (last - from >= (uint64_t{1} << 24)) {
        ctx.exit_code = UsageError("a range of more than 2^24 entries: export a full bundle");
        return;
      }
      std::vector<uint64_t> range;
      for (uint64_t s = from; s <= last; ++s) range.push_back(s);
      options.sequences = std::move(range);
    }
    if (cmd->count("--consistency-from") > 0) {
      auto list = ParseSequenceList(consistency);
      if (!list) {
        ctx.exit_code = UsageError("--consistency-from: '" + consistency + "' is not a list");
        return;
      }
      options.consistency_from = *list;
    }
    Progress progress("exporting");
    options.progress = [&](uint64_t done, uint64_t total) { progress.Update(done, total); };
    auto summary = ExportBundle(**ledger, out, options);
    if (!summary.ok()) {
      ctx.exit_code = summary.status().code() == StatusCode::kInvalidArgument
                          ? UsageError(summary.status().message())
                          : Fail(summary.status());
      return;
    }
    std::printf("wrote a %s bundle to %s: %llu entries of the tree of size %llu, %llu keys\n",
                summary->full ? "full" : "partial", out.c_str(),
                static_cast<unsigned long long>(summary->entries),
                static_cast<unsigned long long>(summary->tree_size),
                static_cast<unsigned long long>(summary->keys));
  });
}

// ---- verify-bundle

void AddVerifyBundle(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "verify-bundle",
      "Check an audit bundle from its files alone: signatures, keys, chain, tree or proofs, "
      "checkpoint, cosignature policy");
  static std::string bundle, trusted, policy;
  static int threads = 0;
  cmd->add_option("bundle", bundle, "The bundle folder")->required();
  cmd->add_option("--trusted-checkpoint", trusted,
                  "A checkpoint obtained elsewhere; the bundle must be consistent with it");
  cmd->add_option("--policy", policy,
                  "Which logs and witness cosignatures to require (C2SP tlog-policy format)");
  cmd->add_option("--threads", threads, "Threads (default: all cores)");
  cmd->callback([&ctx]() {
    BundleVerifyOptions options;
    options.threads = threads;
    if (!trusted.empty()) {
      auto note = ReadNoteFile(trusted);
      if (!note.ok()) {
        ctx.exit_code = UsageError(note.status().message());
        return;
      }
      options.trusted_checkpoint = *note;
    }
    if (!policy.empty()) {
      auto text = ReadSmallFile(policy);
      auto parsed = text.ok() ? WitnessPolicy::Parse(*text) : Result<WitnessPolicy>(text.status());
      if (!parsed.ok()) {
        ctx.exit_code = UsageError(policy + ": " + parsed.status().message());
        return;
      }
      options.policy = *parsed;
    }
    Progress progress("verifying");
    options.progress = [&](uint64_t done, uint64_t total) { progress.Update(done, total); };
    auto report = VerifyBundle(bundle, options);
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

// ---- cosign

// A log verifier key given as vkey text, or a file holding a vkey or a PEM public key (named
// after the checkpoint's origin).
Result<VerifierKey> ReadLogKey(const std::string& value, const std::string& origin) {
  if (value.find('+') != std::string::npos && value.find('/') != 0) {
    auto v = ParseVerifierKey(value);
    if (v.ok()) return v;
  }
  ASSIGN_OR_RETURN(std::string text, ReadSmallFile(value));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.find("-----BEGIN") != std::string::npos) {
    ASSIGN_OR_RETURN(PublicKey key, PublicKey::FromPem(text));
    return ParseVerifierKey(NoteVerifierKey(origin, key, NoteKeyRole::kLog));
  }
  return ParseVerifierKey(text);
}

void AddCosign(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "cosign",
      "As a witness: cosign a checkpoint (C2SP tlog-cosignature) if it is consistent with the "
      "last one this witness cosigned for that log; prints the cosignature line");
  static std::string key_path, name, checkpoint, state, log_key, hash, proof_file;
  static Location loc;
  cmd->add_option("--key", key_path, "The witness's private key (Ed25519 or SM2)")->required();
  cmd->add_option("--name", name, "The witness's name, e.g. witness.example.gov.cn/w1")->required();
  static bool print_vkey = false;
  cmd->add_option("--checkpoint", checkpoint, "The signed checkpoint to cosign");
  cmd->add_flag("--print-vkey", print_vkey,
                "Print the witness's verifier key (for policies and --witness) and stop");
  cmd->add_option("--state", state, "The witness's state file (default: <key>.state)");
  cmd->add_option("--log-key", log_key,
                  "The log's verifier key (vkey text, or a file with a vkey or PEM key); default: "
                  "the one recorded in the state, or the ledger's with --data");
  cmd->add_option("--hash", hash, "The log's tree hash, sha256 or sm3 (default: as recorded)");
  auto* proof_opt = cmd->add_option(
      "--proof", proof_file,
      "A consistency proof (JSON, as `proof consistency --json` prints) from the last cosigned "
      "size");
  AddLocationOptions(cmd, &loc);
  proof_opt->excludes("--data");
  proof_opt->excludes("--server");
  cmd->callback([&ctx]() {
    auto key = PrivateKey::ReadPemFile(key_path);
    if (!key.ok()) {
      ctx.exit_code = Fail(key.status());
      return;
    }
    if (print_vkey) {
      auto vkey =
          ParseVerifierKey(NoteVerifierKey(name, (*key)->public_key(), NoteKeyRole::kCosigner));
      if (!vkey.ok()) {
        ctx.exit_code = UsageError("--name: " + vkey.status().message());
        return;
      }
      std::printf("%s\n",
                  NoteVerifierKey(name, (*key)->public_key(), NoteKeyRole::kCosigner).c_str());
      return;
    }
    if (checkpoint.empty()) {
      ctx.exit_code = UsageError("--checkpoint is required");
      return;
    }
    auto note = ReadNoteFile(checkpoint);
    if (!note.ok()) {
      ctx.exit_code = UsageError(note.status().message());
      return;
    }
    auto cp = ParseCheckpointBody(note->body);
    if (!cp.ok()) {
      ctx.exit_code = UsageError(checkpoint + ": " + cp.status().message());
      return;
    }
    std::unique_ptr<Ledger> ledger;
    if (!loc.data.empty()) {
      auto opened = OpenLedger(ctx, loc.data, /*read_only=*/true, nullptr);
      if (!opened.ok()) {
        ctx.exit_code = Fail(opened.status());
        return;
      }
      ledger = std::move(*opened);
    }
    auto witness = Witness::Open(state.empty() ? key_path + ".state" : state, name, key->get());
    if (!witness.ok()) {
      ctx.exit_code = Fail(witness.status());
      return;
    }
    auto last = (*witness)->Last(cp->origin);
    // The log's key and tree hash.
    Result<VerifierKey> vkey = InvalidArgument(
        "give the log's key with --log-key (or --data): this witness has not cosigned " +
        cp->origin + " before");
    if (!log_key.empty()) {
      vkey = ReadLogKey(log_key, cp->origin);
    } else if (last) {
      vkey = ParseVerifierKey(last->log_key);
    } else if (ledger) {
      vkey = ParseVerifierKey(NoteVerifierKey(ledger->origin(), ledger->log_key()));
    }
    if (!vkey.ok()) {
      ctx.exit_code = UsageError(vkey.status().message());
      return;
    }
    HashAlgorithm h = last     ? last->hash
                      : ledger ? ledger->hash_algorithm()
                               : HashAlgorithm::kSha256;
    if (!hash.empty()) {
      if (hash != "sha256" && hash != "sm3") {
        ctx.exit_code = UsageError("--hash must be sha256 or sm3");
        return;
      }
      h = hash == "sm3" ? HashAlgorithm::kSm3 : HashAlgorithm::kSha256;
    }
    // The consistency proof from the last cosigned checkpoint, when one is needed.
    std::vector<Digest> proof;
    if (last && last->size > 0 && last->size < cp->size) {
      std::string old_size = std::to_string(last->size), new_size = std::to_string(cp->size);
      std::string json;
      if (!proof_file.empty()) {
        auto text = ReadSmallFile(proof_file);
        if (!text.ok()) {
          ctx.exit_code = UsageError(text.status().message());
          return;
        }
        json = *text;
      } else if (ledger) {
        auto p = ledger->ProveConsistency(last->size, cp->size);
        if (!p.ok()) {
          ctx.exit_code = Fail(p.status().WithContext("consistency proof from the ledger"));
          return;
        }
        proof = p->proof;
      } else if (!loc.server.empty() && ctx.remote_query) {
        QueryResponse r =
            ctx.remote_query(loc,
                             QueryRequest{"proof-consistency",
                                          {{"old", old_size}, {"new", new_size}, {"json", "true"}}},
                             nullptr);
        if (r.exit_code != 0) {
          ctx.exit_code = Fail(IOError("consistency proof from the server: " + r.error));
          return;
        }
        json = r.output;
      } else {
        ctx.exit_code = UsageError("this witness last cosigned " + cp->origin + " at size " +
                                   old_size + ": give a consistency proof to size " + new_size +
                                   " with --proof FILE, --data DIR or --server HOST:PORT");
        return;
      }
      if (!json.empty()) {
        auto parsed = ParseJson(json);
        auto size1 = parsed.ok() ? JsonU64(*parsed, "size1") : Result<uint64_t>(parsed.status());
        auto size2 = parsed.ok() ? JsonU64(*parsed, "size2") : Result<uint64_t>(parsed.status());
        auto hashes = parsed.ok() ? JsonDigests(*parsed, "proof")
                                  : Result<std::vector<Digest>>(parsed.status());
        for (const Status& s : {size1.status(), size2.status(), hashes.status()}) {
          if (!s.ok()) {
            ctx.exit_code = UsageError("consistency proof: " + s.message());
            return;
          }
        }
        if (*size1 != last->size || *size2 != cp->size) {
          ctx.exit_code = UsageError("the consistency proof is from size " +
                                     std::to_string(*size1) + " to " + std::to_string(*size2) +
                                     "; this witness needs " + old_size + " to " + new_size);
          return;
        }
        proof = *hashes;
      }
    }
    uint64_t now = static_cast<uint64_t>(std::max<int64_t>(0, ctx.clock->Now().unix_nanos)) /
                   Time::kNanosPerSecond;
    auto line = (*witness)->Cosign(*note, *vkey, h, proof, now);
    if (!line.ok()) {
      ctx.exit_code = Fail(line.status());
      return;
    }
    std::printf("%s\n", line->c_str());
  });
}

}  // namespace

void RegisterAuditCommands(CLI::App& app, Context& ctx) {
  AddExport(app, ctx);
  AddVerifyBundle(app, ctx);
  AddCosign(app, ctx);
}

}  // namespace dutyledger::cli
