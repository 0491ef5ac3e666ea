// The admission interface: how the ledger asks the domain whether an event may be recorded.
//
// The ledger knows nothing of the domain. For every event, after its own checks (canonical form,
// envelope, signature, key validity, the identity rules of FORMAT.md "Admission"), the single
// writer calls Admission::Admit in sequence order. The domain (projections/) decides and stages
// its projection rows and subject-index rows through AdmissionState; all of it is written in the
// same atomic batch as the entry, or dropped if the request is refused.
#ifndef DUTYLEDGER_LEDGER_ADMISSION_H_
#define DUTYLEDGER_LEDGER_ADMISSION_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/bytes.h"
#include "ledger/codec.h"
#include "ledger/keys.h"
#include "ledger/status.h"
#include "ledger/time.h"

namespace dutyledger {

inline constexpr uint64_t kNeverRevoked = std::numeric_limits<uint64_t>::max();

// A signing key as the ledger's key table records it.
struct KeyInfo {
  PublicKey key;
  std::string principal;    // e.g. "official:zhang-wei", "org:park-1-committee"
  uint64_t valid_from = 0;  // first sequence it may sign: its KeyBound entry + 1 (0: genesis)
  uint64_t valid_until = kNeverRevoked;  // first sequence it may not: its KeyRevoked entry + 1
  bool is_root = false;  // a root authority key (the genesis key, or one it bound to the root)

  // Whether the key may sign the entry at `sequence`.
  bool ValidAt(uint64_t sequence) const { return valid_from <= sequence && sequence < valid_until; }
};

// Read access to committed-plus-staged state, and staging of rows, for one admission call.
class AdmissionState {
 public:
  virtual ~AdmissionState() = default;

  // The projections column (keys chosen by the domain; see projections/).
  virtual Result<std::optional<Bytes>> Get(ByteView key) const = 0;
  virtual void Put(ByteView key, ByteView value) = 0;
  virtual void Delete(ByteView key) = 0;
  // Visits rows with `prefix` in key order until `fn` returns false. `fn` must not Put or
  // Delete: collect what to write, and write it after the scan (a rebuild's rows are held in a
  // B-tree whose entries move when a row is added).
  virtual Status ScanPrefix(ByteView prefix,
                            const std::function<bool(ByteView key, ByteView value)>& fn) const = 0;

  // Adds the event being admitted to a subject's stream (e.g. "enterprise:E-0001").
  virtual void IndexSubject(std::string_view subject) = 0;

  // The key table as of this event (including keys bound earlier in the same batch).
  virtual Result<std::optional<KeyInfo>> FindKey(const Digest& key_id) const = 0;

  // An earlier event of this ledger (or of the same batch) by its event id: its sequence, and
  // its body (for corrections and withdrawals, which must name what they supersede).
  virtual Result<std::optional<uint64_t>> FindEventSequence(ByteView event_id) const = 0;
  virtual Result<std::optional<EventView>> FindEvent(ByteView event_id) const = 0;
};

struct Candidate {
  const EventView* event = nullptr;
  uint64_t sequence = 0;
  Time recorded_at;
  const KeyInfo* signer = nullptr;  // the key that signed it, valid at `sequence`
};

class Admission {
 public:
  virtual ~Admission() = default;

  // Accept (OK, rows staged) or refuse: kPermissionDenied (no authority), kNotFound (a reference
  // to something that does not exist), kFailedPrecondition (a transition that makes no sense),
  // kInvalidArgument (malformed content). The message names the rule, the signer and the subject.
  // Called by the ledger's single writer only.
  virtual Status Admit(const Candidate& candidate, AdmissionState& state) = 0;

  // Whether a key that is not a root key may bind or revoke a key of `principal` (a body's key
  // registrar binding keys for its members). The ledger alone allows only root keys (and a key
  // revoking itself).
  virtual Status AuthorizeKeyEvent(const Candidate& candidate, std::string_view principal,
                                   AdmissionState& state) {
    (void)candidate;
    (void)state;
    return PermissionDenied("only a root authority key may bind or revoke keys (principal '" +
                            std::string(principal) + "')");
  }
};

}  // namespace dutyledger

#endif  // DUTYLEDGER_LEDGER_ADMISSION_H_
