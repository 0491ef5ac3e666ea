// The checks of FORMAT.md §2–§4 on recorded entries, shared by `verify` (a ledger folder) and
// `verify-bundle` (an audit bundle), so both apply the same rules with the same words.
//
// CheckEntry runs on any thread, one entry at a time, and does the expensive part (decoding,
// hashing, the signature when the signer's key is known in advance). ReplayEntry runs in sequence
// order on one thread and applies what needs the entries before: the chain, the clock's order,
// the key table (who could sign at that sequence) and the identity rules.
#ifndef DUTYLEDGER_LEDGER_INTERNAL_ENTRY_CHECKS_H_
#define DUTYLEDGER_LEDGER_INTERNAL_ENTRY_CHECKS_H_

#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ledger/admission.h"
#include "ledger/codec.h"
#include "ledger/hash.h"
#include "ledger/internal/identity.h"
#include "ledger/keys.h"
#include "ledger/time.h"

namespace dutyledger::internal {

struct DigestHash {
  size_t operator()(const Digest& d) const {
    size_t h;
    std::memcpy(&h, d.data(), sizeof h);
    return h;
  }
};

// Keys whose ids are known to be SHA-256 of their SPKI: a signature checked with one of them is a
// signature by that key id. Whether the key could sign at that sequence is ReplayEntry's question.
using KeyHints = std::unordered_map<Digest, PublicKey, DigestHash>;

// What CheckEntry learns about one entry.
struct CheckedEntry {
  Digest leaf;
  Digest prev;
  Digest signer;
  Time recorded_at;
  Bytes event_id;
  bool signature_checked = false;      // verified with the key whose id is `signer`
  std::optional<EventView> key_event;  // genesis / keyBound / keyRevoked, for the key table
  Bytes body;                          // only when the signature could not be checked yet
  Bytes signature;
};

// Checks one decoded entry on its own (the caller has checked its sequence): a canonical
// EventBody, the envelope (origin, ids, schema version), a 32-byte prevLeafHash, its leaf hash,
// and its signature when `hints` holds the signer's key. kCorruption (undecodable body) or
// kIntegrityViolation, with the reason.
Result<CheckedEntry> CheckEntry(const EntryView& entry, const std::string& origin,
                                const Hasher& hasher, const KeyHints& hints);

// The key table as replaying the log (or a bundle's entries) rebuilds it.
class RebuiltKeys final : public KeyTable {
 public:
  Result<std::optional<KeyInfo>> Find(const Digest& id) const override;
  void Save(const KeyInfo& info) override { keys_.insert_or_assign(info.key.id(), info); }
  const std::unordered_map<Digest, KeyInfo, DigestHash>& all() const { return keys_; }

 private:
  std::unordered_map<Digest, KeyInfo, DigestHash> keys_;
};

// Applies entry `sequence` in order: its prevLeafHash equals `prev_leaf` (the leaf hash of the
// entry before, when the caller has it; zeros for entry 0), its recordedAt is not before
// `prev_recorded_at` (when given), its signer's key is in `keys` and valid at `sequence` (entry 0:
// the genesis root key), its signature verifies (if CheckEntry could not check it), and the
// identity rules (FORMAT.md §4.1) update `keys`. `unbound_where` completes "signer key ... was
// never bound <unbound_where>". kIntegrityViolation with the reason; on success *signer (if
// given) is the signing key.
Status ReplayEntry(uint64_t sequence, const CheckedEntry& entry,
                   const std::optional<Digest>& prev_leaf,
                   const std::optional<Time>& prev_recorded_at, RebuiltKeys& keys,
                   std::string_view unbound_where, std::optional<KeyInfo>* signer = nullptr);

}  // namespace dutyledger::internal

#endif  // DUTYLEDGER_LEDGER_INTERNAL_ENTRY_CHECKS_H_
