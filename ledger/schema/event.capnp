# The signed event body and the ledger entry that wraps it. See ledger/FORMAT.md.
@0xe0de2d95a0321e11;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("dutyledger::schema");

using Json = import "/capnp/compat/json.capnp";
using Common = import "common.capnp";
using Identity = import "identity.capnp";

struct EventBody {
  # What a signer signs, in Cap'n Proto canonical form. Fields are only ever added, never
  # renumbered; event types are added as new union members.
  eventId @0 :Data $Common.uuid;         # 16 bytes chosen by the signer (UUIDv7 by default)
  origin @1 :Text;                       # the ledger's origin; an event is valid in one ledger only
  signerKeyId @2 :Data $Json.hex;        # SHA-256 of the signing key's SPKI
  occurredAt @3 :Common.Timestamp;       # valid time: when the signer says it happened
  schemaVersion @4 :UInt16;              # 1 for this schema

  union {
    unset @5 :Void;                      # no event type: always refused
    genesis @6 :Identity.Genesis;
    keyBound @7 :Identity.KeyBound;
    keyRevoked @8 :Identity.KeyRevoked;
    note @9 :Identity.Note;
  }
}

struct Entry {
  # The ledger's record of one accepted event. Its canonical bytes are the Merkle leaf data.
  sequence @0 :UInt64;                   # gapless, from 0
  recordedAt @1 :Common.Timestamp;       # transaction time: the ledger's clock, UTC
  prevLeafHash @2 :Data $Json.base64;    # the leaf hash of entry sequence-1; 32 zero bytes for 0
  signature @3 :Data $Json.base64;       # over "dutyledger/event/v1\n" || body
  body @4 :Data;                         # the canonical EventBody bytes, exactly as signed
}
