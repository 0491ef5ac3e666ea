// The entry decoder (ledger/codec.h): EntryView::Decode and EventView::Decode, the only way
// stored or received entry bytes become readers. A decoded message must be canonical (its bytes
// decode again to the same bytes) and render as JSON without failing, the same JSON as capnp's
// JsonCodec writes (ledger/internal/json_writer.h), pretty and compact. (JSON -> bytes -> JSON
// round trips are event_json's: a decodable body need not be one the JSON reader accepts, e.g.
// one with no event type or a null event struct, which the ledger's envelope checks refuse.)
#include "ledger/codec.h"
#include "ledger/json.h"
#include "tests/fuzz/fuzz_check.h"

using namespace dutyledger;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const EventJson* json = new EventJson();
  ByteView bytes = fuzz::AsText(data, size);
  if (auto entry = EntryView::Decode(bytes); entry.ok()) {
    FUZZ_CHECK(entry->bytes() == bytes, "a decoded entry is its input");
    auto again = EntryView::Decode(entry->bytes());
    FUZZ_CHECK(again.ok(), again.status().ToString());
    (void)EventView::Decode(entry->body_bytes());
    for (bool pretty : {false, true}) {
      FUZZ_CHECK(json->EntryToJson(*entry, Digest(), pretty) ==
                     json->EntryToJsonWithCodec(*entry, Digest(), pretty),
                 "the JSON writer and capnp's codec differ on an entry");
    }
  }
  if (auto event = EventView::Decode(bytes); event.ok()) {
    FUZZ_CHECK(event->bytes() == bytes, "a decoded event is its input");
    (void)event->type_name();
    for (bool pretty : {false, true}) {
      FUZZ_CHECK(json->EventBodyToJson(event->body(), pretty) ==
                     json->StructToJsonWithCodec(event->body(), pretty),
                 "the JSON writer and capnp's codec differ on an event");
    }
  }
  return 0;
}
