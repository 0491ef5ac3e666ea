# Rows the ledger keeps beside its entries (not part of the record; rebuilt and checked by verify).
@0xe4d4cf58dcd668f9;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("dutyledger::schema");

using Common = import "common.capnp";

struct KeyRecord {
  key @0 :Common.PublicKey;
  principal @1 :Text;
  validFrom @2 :UInt64;                  # first sequence the key may sign (its KeyBound entry + 1; 0 for genesis)
  validUntil @3 :UInt64 = 0xffffffffffffffff;  # first sequence it may not sign (KeyRevoked entry + 1)
  isRoot @4 :Bool;
}
