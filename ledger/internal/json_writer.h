// JsonWriter: Cap'n Proto values to JSON text, byte for byte what capnp::JsonCodec (0.9.2) writes
// with EventJson's handlers, without building the JsonValue tree and StringTrees capnp builds
// first. A dossier's view is megabytes of JSON: through JsonCodec, writing it took as long as
// computing it. EventJson (ledger/json.h) is the seam: it decides which fields get which form;
// City.JsonWriterWritesWhatTheCodecWrites and the entry and event_json fuzzers compare this
// writer with JsonCodec on every entry, event and view they make.
#ifndef DUTYLEDGER_LEDGER_INTERNAL_JSON_WRITER_H_
#define DUTYLEDGER_LEDGER_INTERNAL_JSON_WRITER_H_

#include <capnp/dynamic.h>
#include <capnp/schema.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace dutyledger::internal {

class JsonWriter {
 public:
  // How a field is written when it is not written as its type says.
  enum class Form : uint8_t {
    kPlain,      // by type: the capnp codec's defaults, 64-bit integers as numbers up to 2^53
    kTime,       // a Timestamp struct as RFC 3339 text
    kUuid,       // Data as a UUID (other lengths as hex)
    kHex,        // Data as hex
    kBase64,     // Data as base64
    kEntryBody,  // Data holding a canonical EventBody, written as that event's object
  };
  void SetForm(capnp::StructSchema::Field field, Form form);

  // `extra`: string members appended to the top-level object (EntryToJson's "leafHash").
  std::string Write(capnp::DynamicStruct::Reader value, bool pretty,
                    const std::vector<std::pair<std::string, std::string>>& extra = {}) const;

 private:
  class Run;
  // Per struct id, the form of each field by index (absent: every field plain).
  std::unordered_map<uint64_t, std::vector<Form>> forms_;
};

}  // namespace dutyledger::internal

#endif  // DUTYLEDGER_LEDGER_INTERNAL_JSON_WRITER_H_
