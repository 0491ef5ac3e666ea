# Types shared by every part of the record. See ledger/FORMAT.md.
@0xdbef534d501dcd09;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("dutyledger::schema");

using Json = import "/capnp/compat/json.capnp";

annotation uuid @0xbd5c75c77fe9e790 (field) :Void;
# On a Data field of 16 bytes: a UUID (RFC 9562). JSON form: the canonical
# 8-4-4-4-12 lower-case hex text, e.g. "0190f7a2-6c1e-7b3a-9d2e-4f5a6b7c8d9e".

struct Timestamp {
  # An instant, with the UTC offset it was written in (so that it reads back as written).
  # JSON form: RFC 3339 text, e.g. "2017-02-27T09:00:00+08:00"; "Z" when the offset is zero.
  # Fractions of a second are written with 3, 6 or 9 digits, as few as needed.
  unixNanos @0 :Int64;         # nanoseconds since 1970-01-01T00:00:00Z, leap seconds not counted
  utcOffsetMinutes @1 :Int16;  # the offset the time was written in, -1439..1439
}

enum HashAlgorithm {
  # The hash of the Merkle tree and of the hash chain, fixed at genesis.
  sha256 @0;   # FIPS 180-4 SHA-256 (RFC 6962's hash)
  sm3 @1;      # GB/T 32905-2016 SM3 (32-byte digest)
}

enum SignatureAlgorithm {
  ed25519 @0;  # RFC 8032 Ed25519 (pure), 64-byte signature
  sm2 @1;      # GB/T 32918 SM2 with SM3, distinguishing id "1234567812345678", DER signature
}

struct PublicKey {
  algorithm @0 :SignatureAlgorithm;
  spki @1 :Data $Json.base64;  # DER SubjectPublicKeyInfo; the key id is SHA-256 of these bytes
}

struct DocumentRef {
  # A document kept outside the ledger (an inspection record, an order, minutes), referenced
  # by its type, its number and the SHA-256 of its bytes. Documents are never stored inline.
  docType @0 :Text;           # e.g. "责令限期整改指令书" (rectification order)
  docNo @1 :Text;             # the number printed on the document, e.g. "(豫三)应急责改〔2017〕12号"
  sha256 @2 :Data $Json.hex;  # SHA-256 of the document file, 32 bytes
}
