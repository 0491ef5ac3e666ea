// The ledger's own rules: the envelope every event must have, who signed it and whether that
// key could sign then, and the identity events (genesis, key binding and revocation).
// Shared by the append path and by verify, so both apply exactly the same rules.
#ifndef DUTYLEDGER_LEDGER_INTERNAL_IDENTITY_H_
#define DUTYLEDGER_LEDGER_INTERNAL_IDENTITY_H_

#include <functional>
#include <optional>
#include <string>

#include "ledger/admission.h"
#include "ledger/codec.h"
#include "ledger/hash.h"
#include "ledger/keys.h"

namespace dutyledger::internal {

// What the genesis entry fixes for the life of a ledger.
struct LedgerIdentity {
  std::string origin;
  std::string root_principal;
  HashAlgorithm hash_algorithm = HashAlgorithm::kSha256;
  std::optional<PublicKey> root_key;
  std::optional<PublicKey> log_key;
};

Result<LedgerIdentity> IdentityFromGenesis(const EventView& genesis);

// The key table as the rules see it (committed plus staged rows, or verify's rebuilt table).
class KeyTable {
 public:
  virtual ~KeyTable() = default;
  virtual Result<std::optional<KeyInfo>> Find(const Digest& id) const = 0;
  virtual void Save(const KeyInfo& info) = 0;
};

// Envelope rules for every event: a 16-byte event id, this ledger's origin, a 32-byte signer key
// id, an occurred-at no later than recorded_at + max_future_skew, a known schema version, and an
// event type. kInvalidArgument / kPermissionDenied naming the field.
Status CheckEnvelope(const EventView& event, const std::string& origin, Time recorded_at,
                     int64_t max_future_skew_nanos);

// The key that signed `event` at `sequence`, valid at that sequence. At sequence 0 it is the
// root key the genesis names. kPermissionDenied: unknown key, revoked, not yet bound.
Result<KeyInfo> ResolveSigner(const EventView& event, uint64_t sequence, const KeyTable& keys);

// Applies genesis / keyBound / keyRevoked (other event types pass). Key changes are saved into
// `keys`. `authorize_delegated(principal)` decides key events signed by non-root keys.
Status ApplyIdentityRules(
    const EventView& event, uint64_t sequence, const KeyInfo& signer, KeyTable& keys,
    const std::function<Status(std::string_view principal)>& authorize_delegated);

Bytes EncodeKeyRecord(const KeyInfo& info);
Result<KeyInfo> DecodeKeyRecord(ByteView bytes);

}  // namespace dutyledger::internal

#endif  // DUTYLEDGER_LEDGER_INTERNAL_IDENTITY_H_
