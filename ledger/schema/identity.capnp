# The ledger's own events: its genesis, the binding and revocation of signing keys, and notes.
@0xffd223c8f57d2e38;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("dutyledger::schema");

using Json = import "/capnp/compat/json.capnp";
using Common = import "common.capnp";

struct Genesis {
  # Entry 0 of every ledger (创世记录), signed by the root authority key it names.
  rootKey @0 :Common.PublicKey;          # the root authority: it binds the first keys
  rootPrincipal @1 :Text;                # who holds the root key, e.g. "org:smx-ajj" (市应急管理局)
  hashAlgorithm @2 :Common.HashAlgorithm;
  logKey @3 :Common.PublicKey;           # the key that signs this ledger's checkpoints
}

struct KeyBound {
  # Binds a signing key to a principal (a person or a body) from this entry on.
  key @0 :Common.PublicKey;
  principal @1 :Text;                    # e.g. "official:zhang-wei", "org:park-1-committee"
}

struct KeyRevoked {
  # The key may not sign from this entry on. Entries it signed before stay valid.
  keyId @0 :Data $Json.hex;              # SHA-256 of the key's SPKI
  reason @1 :Text;
}

struct Note {
  # Free text with document references. Carries no authority; used by tests and for remarks.
  text @0 :Text;
  documents @1 :List(Common.DocumentRef);
}
