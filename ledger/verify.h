// verify: checks a ledger folder from its raw tables, trusting nothing derived or cached.
//
// It checks every entry's canonical form and schema, every signature against the key bound at
// that sequence (the key table rebuilt from the log itself), the hash chain, gaps, every stored
// tree node against the recomputed tree, every stored checkpoint's signature and root, and the
// consistency of the event-id index and key table with the entries. Signature checks run on all
// cores. The FIRST problem in sequence order is reported with its sequence and reason.
//
// It does not check projection tables: those are derived, and `rebuild` re-derives them.
#ifndef DUTYLEDGER_LEDGER_VERIFY_H_
#define DUTYLEDGER_LEDGER_VERIFY_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "ledger/checkpoint.h"
#include "ledger/status.h"

namespace dutyledger {

struct VerifyOptions {
  int threads = 0;  // 0: hardware concurrency
  // Called from the verifying thread as entries are checked.
  std::function<void(uint64_t done, uint64_t total)> progress;
  // A checkpoint obtained elsewhere (e.g. cosigned by a witness): the ledger must contain it and
  // be consistent with it, which catches a restored older copy or a rewritten history.
  std::optional<SignedNote> trusted_checkpoint;
};

struct VerifyReport {
  bool ok = true;
  StatusCode code = StatusCode::kOk;
  std::optional<uint64_t> sequence;  // the first bad entry, when the problem is one
  std::string where;                 // "entry 42", "checkpoint 1000", "event-id index", ...
  std::string reason;
  uint64_t entries = 0;      // entries checked
  uint64_t checkpoints = 0;  // checkpoints checked
  uint64_t keys = 0;         // keys in the rebuilt key table
  std::string root_base64;   // the root at the full size, when ok

  // "<where>: <reason>" (e.g. "entry 42: signature does not verify ..."), or a summary when ok.
  std::string Summary() const;
};

// Operational failures (cannot open the folder) are a Status; integrity findings are a report.
Result<VerifyReport> VerifyLedgerFolder(const std::string& path, const VerifyOptions& options);

}  // namespace dutyledger

#endif  // DUTYLEDGER_LEDGER_VERIFY_H_
