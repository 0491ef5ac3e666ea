// The ledger-core commands: keygen, init, append, show, verify, compact, checkpoint, proof.
#include <chrono>
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
#include "ledger/witness.h"
#include "tools/dutyledger/cli.h"
#include "tools/dutyledger/event_input.h"
#include "tools/dutyledger/remote.h"

namespace dutyledger::cli {
namespace {

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
  static std::string log_key_alg = "ed25519";
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
  cmd->add_option("--log-key-alg", log_key_alg, "The checkpoint key's algorithm: ed25519 or sm2")
      ->capture_default_str();
  cmd->callback([&ctx]() {
    if (hash != "sha256" && hash != "sm3") {
      ctx.exit_code = UsageError("--hash must be sha256 or sm3");
      return;
    }
    auto log_algorithm = ParseSignatureAlgorithm(log_key_alg);
    if (!log_algorithm.ok()) {
      ctx.exit_code = UsageError("--log-key-alg: " + log_algorithm.status().message());
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
    params.log_key_algorithm = *log_algorithm;
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
  static Location loc;
  static std::string key_path, file;
  AddLocationOptions(cmd, &loc);
  cmd->add_option("--key", key_path, "The signer's private key")->required();
  cmd->add_option("--file", file, "JSON Lines file, or - for standard input")->required();
  cmd->callback([&ctx]() {
    auto key = PrivateKey::ReadPemFile(key_path);
    if (!key.ok()) {
      ctx.exit_code = Fail(key.status());
      return;
    }
    // With --server the events are signed here and appended there (RemoteAppender).
    std::unique_ptr<RemoteAppender> remote;
    if (!loc.server.empty()) {
      auto connected = RemoteAppender::Connect(loc);
      if (!connected.ok()) {
        ctx.exit_code = connected.status().code() == StatusCode::kInvalidArgument
                            ? UsageError(connected.status().message())
                            : Fail(connected.status());
        return;
      }
      remote = std::move(*connected);
    } else if (loc.data.empty()) {
      ctx.exit_code = UsageError("give --data DIR or --server HOST:PORT");
      return;
    }
    std::unique_ptr<Admission> admission;
    auto ledger = remote ? Result<std::unique_ptr<Ledger>>(nullptr)
                         : OpenLedger(ctx, loc.data, false, &admission);
    if (!ledger.ok()) {
      ctx.exit_code = Fail(ledger.status());
      return;
    }
    EventJson json;
    EventJson::Defaults defaults{remote ? remote->origin() : (*ledger)->origin(),
                                 (*key)->public_key().id(), ctx.clock};
    auto input = ReadAndSignEvents(file, json, defaults, **key);
    if (!input.ok()) {
      ctx.exit_code =
          Fail(Status(input.status().code(), input.status().message() + " (nothing was written)"));
      return;
    }
    size_t failed = 0;
    auto appended = remote ? remote->Append(std::move(input->events), &failed)
                           : (*ledger)->Append(std::move(input->events), &failed);
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
    auto cp = remote ? remote->SignCheckpoint() : (*ledger)->SignCheckpoint();
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
  static Location loc;
  static std::string range;
  static bool as_json = false;
  AddLocationOptions(cmd, &loc);
  cmd->add_option("range", range, "Sequence or range")->required();
  cmd->add_flag("--json", as_json, "One JSON object per entry");
  cmd->callback([&ctx]() {
    QueryRequest r{"show", {{"range", range}}};
    if (as_json) r.params["json"] = "true";
    RunQuery(ctx, loc, r);
  });
}

// ---- verify

void AddVerify(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("verify",
                                 "Check everything: canonical form, signatures, key "
                                 "validity, chain, tree, checkpoints, indexes");
  static Location loc;
  static std::string trusted;
  static int threads = 0;
  AddLocationOptions(cmd, &loc);
  cmd->add_option("--threads", threads, "Threads (default: all cores)");
  cmd->add_option("--trusted-checkpoint", trusted,
                  "A checkpoint obtained elsewhere; the ledger must be consistent with it");
  cmd->callback([&ctx]() {
    std::string trusted_text;
    if (!trusted.empty()) {
      auto text = ReadSmallFile(trusted);
      if (!text.ok()) {
        ctx.exit_code = UsageError(text.status().message());
        return;
      }
      trusted_text = *text;
    }
    if (!loc.server.empty()) {
      QueryRequest r{"verify", {}};
      if (!trusted_text.empty()) r.params["trusted-checkpoint"] = trusted_text;
      RunQuery(ctx, loc, r);
      return;
    }
    if (loc.data.empty()) {
      ctx.exit_code = UsageError("give --data DIR or --server HOST:PORT");
      return;
    }
    // Locally, verify reads the raw tables itself: it must work when the ledger cannot open.
    VerifyOptions options;
    options.threads = threads;
    if (!trusted_text.empty()) {
      auto note = ParseSignedNote(trusted_text);
      if (!note.ok()) {
        ctx.exit_code = UsageError(trusted + ": " + note.status().message());
        return;
      }
      options.trusted_checkpoint = *note;
    }
    Progress progress("verifying");
    options.progress = [&](uint64_t done, uint64_t total) { progress.Update(done, total); };
    auto report = VerifyLedgerFolder(loc.data, options);
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

// ---- compact

void AddCompact(CLI::App& app, Context& ctx) {
  AddMaintenanceCommand(
      app, ctx, "compact",
      "Rewrite the database's table files into one sorted run per column (after a rebuild or a "
      "large import: queries then read fewer files); the record is not changed",
      [&ctx](Ledger& ledger) {
        const Ledger::TableFiles before = ledger.Tables();
        auto start = std::chrono::steady_clock::now();
        Status s = ledger.Compact();
        if (!s.ok()) {
          ctx.exit_code = Fail(s);
          return;
        }
        double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const Ledger::TableFiles after = ledger.Tables();
        std::printf(
            "compacted in %.2f s: %llu table files (%.1f MB) before, %llu (%.1f MB) after\n",
            seconds, static_cast<unsigned long long>(before.count), before.bytes / 1e6,
            static_cast<unsigned long long>(after.count), after.bytes / 1e6);
      });
}

// ---- checkpoint

void AddCheckpoint(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("checkpoint",
                                 "Print the latest signed checkpoint (signing one "
                                 "for the current size if needed)");
  static Location loc;
  static std::string cosignature, witness;
  static uint64_t at_size = 0;
  static bool list = false;
  AddLocationOptions(cmd, &loc);
  cmd->add_option("--size", at_size, "Print the stored checkpoint for this tree size");
  cmd->add_flag("--list", list, "List the sizes of all stored checkpoints");
  cmd->add_option("--add-cosignature", cosignature,
                  "Store a witness's cosignature line (as `dutyledger cosign` prints it) beside "
                  "the checkpoint it cosigns (--size, or found with --witness, or the latest)");
  cmd->add_option("--witness", witness,
                  "The witness's verifier key: the cosignature must verify under it");
  cmd->callback([&ctx, cmd]() {
    QueryRequest r{"checkpoint", {}};
    if (list) r.params["list"] = "true";
    if (cmd->count("--size") > 0) r.params["size"] = std::to_string(at_size);
    if (!cosignature.empty()) {
      // Stored beside the checkpoint it cosigns. With the witness's key the line must verify
      // over that checkpoint; without it only its form is checked here, and the witness policy
      // decides at verification (verify-bundle --policy).
      if (loc.data.empty()) {
        ctx.exit_code = UsageError("--add-cosignature needs --data DIR");
        return;
      }
      auto ledger = OpenLedger(ctx, loc.data, false, nullptr);
      if (!ledger.ok()) {
        ctx.exit_code = Fail(ledger.status());
        return;
      }
      auto parsed = ParseCosignatureLine(cosignature);
      if (!parsed.ok()) {
        ctx.exit_code = Fail(parsed.status().WithContext("not a cosignature line"));
        return;
      }
      std::optional<VerifierKey> vkey;
      if (!witness.empty()) {
        auto v = ParseVerifierKey(witness);
        if (!v.ok() || v->role != NoteKeyRole::kCosigner || v->name != parsed->name ||
            v->key_id != parsed->key_id) {
          ctx.exit_code =
              UsageError("--witness: " + (v.ok() ? "not the cosigner key of " + parsed->name
                                                 : v.status().message()));
          return;
        }
        vkey = *v;
      }
      std::vector<uint64_t> candidates;
      if (cmd->count("--size") > 0) {
        candidates.push_back(at_size);
      } else if (vkey) {
        auto sizes = (*ledger)->CheckpointSizes();
        if (!sizes.ok()) {
          ctx.exit_code = Fail(sizes.status());
          return;
        }
        candidates.assign(sizes->rbegin(), sizes->rend());
      } else {
        auto latest = (*ledger)->LatestCheckpoint();
        if (!latest.ok() || !*latest) {
          ctx.exit_code = Fail(latest.ok() ? NotFound("no checkpoint") : latest.status());
          return;
        }
        candidates.push_back((*latest)->checkpoint.size);
      }
      std::optional<uint64_t> target;
      for (uint64_t size : candidates) {
        auto cp = (*ledger)->CheckpointAt(size);
        if (!cp.ok()) {
          ctx.exit_code = Fail(cp.status());
          return;
        }
        if (!vkey) {
          target = size;
          break;
        }
        // This line alone (the note may hold an older cosignature by the same witness).
        SignedNote with{cp->note.body, {*parsed}};
        if (VerifyCosignature(with, vkey->name, vkey->key).ok()) {
          target = size;
          break;
        }
      }
      if (!target) {
        ctx.exit_code = Fail(IntegrityViolation(
            "the cosignature by " + parsed->name + " does not verify over " +
            (candidates.size() == 1 ? "checkpoint " + std::to_string(candidates[0])
                                    : std::string("any stored checkpoint")) +
            " (it was made for another checkpoint, or altered)"));
        return;
      }
      if (Status s = (*ledger)->AddCosignature(*target, cosignature); !s.ok()) {
        ctx.exit_code = Fail(s);
        return;
      }
      if (!vkey) {
        std::fprintf(stderr,
                     "stored beside checkpoint %llu without checking its signature (no "
                     "--witness key given)\n",
                     static_cast<unsigned long long>(*target));
      }
      r.params["size"] = std::to_string(*target);
    } else if (r.params.empty() && loc.server.empty() && !loc.data.empty()) {
      // Sign a checkpoint for the current size (on request).
      auto ledger = OpenLedger(ctx, loc.data, false, nullptr);
      if (!ledger.ok()) {
        ctx.exit_code = Fail(ledger.status());
        return;
      }
      auto cp = (*ledger)->SignCheckpoint();
      if (!cp.ok()) {
        ctx.exit_code = Fail(cp.status());
        return;
      }
    }
    RunQuery(ctx, loc, r);
  });
}

// ---- proof

void AddProof(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("proof", "Merkle proofs (RFC 6962) against a tree size");
  cmd->require_subcommand(1);
  auto* inc = cmd->add_subcommand("inclusion", "Prove that an entry is in the tree of a size");
  static Location loc;
  static uint64_t seq = 0, size = 0, old_size = 0, new_size = 0;
  static bool as_json = false;
  AddLocationOptions(inc, &loc);
  inc->add_option("--seq", seq, "The entry's sequence")->required();
  inc->add_option("--size", size, "Tree size (default: the latest checkpoint's)");
  inc->add_flag("--json", as_json, "Output in the field names of the RFC 6962 test vectors");
  inc->callback([&ctx, inc]() {
    QueryRequest r{"proof-inclusion", {{"seq", std::to_string(seq)}}};
    if (inc->count("--size") > 0) r.params["size"] = std::to_string(size);
    if (as_json) r.params["json"] = "true";
    RunQuery(ctx, loc, r);
  });

  auto* con = cmd->add_subcommand("consistency", "Prove that a tree extends an older one");
  AddLocationOptions(con, &loc);
  con->add_option("--old", old_size, "The older tree size")->required();
  con->add_option("--new", new_size, "The newer tree size (default: the latest checkpoint's)");
  con->add_flag("--json", as_json, "Output in the field names of the RFC 6962 test vectors");
  con->callback([&ctx, con]() {
    QueryRequest r{"proof-consistency", {{"old", std::to_string(old_size)}}};
    if (con->count("--new") > 0) r.params["new"] = std::to_string(new_size);
    if (as_json) r.params["json"] = "true";
    RunQuery(ctx, loc, r);
  });
}

}  // namespace

void RegisterLedgerCommands(CLI::App& app, Context& ctx) {
  AddKeygen(app, ctx);
  AddInit(app, ctx);
  AddAppend(app, ctx);
  AddShow(app, ctx);
  AddVerify(app, ctx);
  AddCompact(app, ctx);
  AddCheckpoint(app, ctx);
  AddProof(app, ctx);
}

}  // namespace dutyledger::cli
