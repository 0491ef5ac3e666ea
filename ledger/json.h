// JSON in and out, driven by the Cap'n Proto schema through capnp's JsonCodec
// (capnp/compat/json.h); written out by a faster writer that produces the same bytes. No per-type
// converters: every struct of the schema, including event types added later, is handled by the same
// walk. Conventions (see FORMAT.md, "JSON form"):
//   - an event is the JSON object of EventBody, its event type's union member name as the key;
//   - Timestamp fields are RFC 3339 text; Data fields marked $uuid are UUID text, $Json.hex hex,
//     $Json.base64 base64; 64-bit integers are JSON numbers up to 2^53, strings beyond;
//   - unknown fields are refused, not dropped.
//
// EventJson is immutable after construction and thread-safe to use.
#ifndef DUTYLEDGER_LEDGER_JSON_H_
#define DUTYLEDGER_LEDGER_JSON_H_

#include <capnp/dynamic.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/codec.h"
#include "ledger/status.h"
#include "ledger/time.h"

namespace dutyledger {

class EventJson {
 public:
  // `extra_roots`: further structs whose JSON follows the same conventions (the views).
  explicit EventJson(std::vector<capnp::StructSchema> extra_roots = {});
  ~EventJson();
  EventJson(const EventJson&) = delete;
  EventJson& operator=(const EventJson&) = delete;

  // What `append` fills in when the JSON leaves it out.
  struct Defaults {
    std::string origin;      // the ledger's origin
    Digest signer_key_id;    // the key that will sign
    Clock* clock = nullptr;  // for the UUIDv7 event id
  };

  // Parses one event and returns its canonical EventBody bytes. eventId (UUIDv7), origin,
  // signerKeyId and schemaVersion are filled in when absent. kInvalidArgument names the field
  // and the reason (unknown field or event type, bad time, bad UUID, missing occurredAt, ...).
  Result<Bytes> ParseEventBody(std::string_view json, const Defaults& defaults) const;

  // Parses without filling anything in (the bytes are exactly what the JSON says).
  Result<Bytes> ParseEventBodyAsIs(std::string_view json) const;

  std::string EventBodyToJson(schema::EventBody::Reader body, bool pretty = false) const;
  // The entry as JSON with its body decoded, plus "leafHash" (base64).
  std::string EntryToJson(const EntryView& entry, const Digest& leaf_hash,
                          bool pretty = false) const;
  // Any struct of the schema (views built on it use the same conventions).
  std::string StructToJson(capnp::DynamicStruct::Reader value, bool pretty = false) const;

  // The same texts through capnp's JsonCodec, the reference: the methods above use a writer of
  // their own (ledger/internal/json_writer.h) that must match it byte for byte, and the tests
  // and fuzzers check that it does. Several times slower; not for production use.
  std::string StructToJsonWithCodec(capnp::DynamicStruct::Reader value, bool pretty) const;
  std::string EntryToJsonWithCodec(const EntryView& entry, const Digest& leaf_hash,
                                   bool pretty) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace dutyledger

#endif  // DUTYLEDGER_LEDGER_JSON_H_
