// Audit bundles: a folder that lets anyone check entries of a ledger against a signed checkpoint
// without trusting dutyledger (FORMAT.md "Audit bundle"; DESIGN.md "Audit bundle"):
//
//   checkpoint    the signed note at the bundle's tree size, with its cosignatures
//   log-key.pub   the log's checkpoint key (PEM), as genesis.logKey names it
//   entries.bin   the entries, Cap'n Proto stream framing, in sequence order
//   keys.json     the signing keys the entries need: id -> PEM, principal, algorithm, binding
//   proofs.json   inclusion proofs (partial bundles) and consistency proofs
//   schema/       the .capnp files of the record
//   VERIFY.md     how to check it with openssl, sha256sum and a few lines of python3
//
// A FULL bundle holds every entry of the tree, so a verifier recomputes the root. A PARTIAL one
// holds chosen entries plus what justifies their signers (entry 0, and the key-binding and
// revocation entries of every key it lists), each with an inclusion proof.
//
// ExportBundle reads through the Ledger's public read API only. Checking a bundle is
// bundle_verify.h, which never opens a ledger.
#ifndef DUTYLEDGER_LEDGER_BUNDLE_H_
#define DUTYLEDGER_LEDGER_BUNDLE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/status.h"

namespace dutyledger {

struct BundleOptions {
  // The stored checkpoint the bundle is anchored to (its tree size); unset: the latest.
  std::optional<uint64_t> checkpoint_size;
  // Unset: a full bundle. Set: a partial bundle of these sequences (each below the checkpoint's
  // size; order and repeats do not matter), to which ExportBundle adds entry 0 and the entries
  // that bind (and revoke) each key the bundle lists, recursively up to the root key.
  std::optional<std::vector<uint64_t>> sequences;
  // Stored checkpoints, below the bundle's size, to include consistency proofs from. Unset: for a
  // partial bundle, the first stored checkpoint that covers every chosen entry (when it is not the
  // bundle's own); for a full bundle, none (a verifier recomputes any root it needs).
  std::optional<std::vector<uint64_t>> consistency_from;
  // The entry VERIFY.md walks through; unset: the first chosen entry after the genesis (or 0).
  std::optional<uint64_t> example_sequence;
  // Called as entries are written: (written, total).
  std::function<void(uint64_t, uint64_t)> progress;
};

struct BundleSummary {
  bool full = true;
  uint64_t tree_size = 0;
  std::vector<uint64_t> sequences;  // partial bundles: every entry written, in order
  uint64_t entries = 0;             // entries written
  uint64_t keys = 0;                // keys listed in keys.json
};

// Writes the bundle into `out_dir`, which must not exist or be an empty folder. The files are
// written into a temporary folder beside it and renamed into place at the end, so a failed export
// leaves no half bundle. kNotFound: no stored checkpoint of that size; kInvalidArgument: a
// sequence not below the checkpoint's size, a consistency size that is not an earlier stored
// checkpoint; kAlreadyExists: `out_dir` is not empty.
Result<BundleSummary> ExportBundle(const Ledger& ledger, const std::string& out_dir,
                                   const BundleOptions& options);

// The schema files a bundle's schema/ folder holds: paths relative to schema/ ("event.capnp",
// "domain/...", "capnp/c++.capnp", "capnp/compat/json.capnp") and their text, embedded at build
// time (ledger/bundle_schema.cmake).
struct BundleSchemaFile {
  const char* path;
  std::string_view text;
};
std::span<const BundleSchemaFile> BundleSchemaFiles();

}  // namespace dutyledger

#endif  // DUTYLEDGER_LEDGER_BUNDLE_H_
