// The Cap'n Proto seam: the only code that turns bytes into schema readers, or builders into
// bytes. Everything that reads untrusted bytes goes through Decode here, which checks, inside
// kj::runCatchingExceptions, that the bytes are one canonical segment, that every pointer
// has the type the schema says, that every union and enum value is one this version knows, and
// that all text is UTF-8. After that, readers may be used without further checks.
//
// Views are movable, own their (word-aligned) bytes (an event view of an entry's body shares the
// entry's), and are thread-compatible.
#ifndef DUTYLEDGER_LEDGER_CODEC_H_
#define DUTYLEDGER_LEDGER_CODEC_H_

#include <capnp/any.h>
#include <capnp/message.h>
#include <capnp/schema.h>

#include <memory>
#include <string>
#include <string_view>

#include "ledger/bytes.h"
#include "ledger/schema/event.capnp.h"
#include "ledger/status.h"
#include "ledger/time.h"

namespace dutyledger {

// The largest entry the ledger accepts, in bytes: the C2SP tlog-tiles entry limit.
inline constexpr size_t kMaxEntryBytes = 65535;
// The current EventBody schema version.
inline constexpr uint16_t kSchemaVersion = 1;
// The domain-separation prefix of every event signature.
inline constexpr std::string_view kEventSignaturePrefix = "dutyledger/event/v1\n";

// "dutyledger/event/v1\n" || body: the bytes an event's signature covers.
Bytes EventSigningMessage(ByteView body);

Time ReadTime(schema::Timestamp::Reader t);
void WriteTime(schema::Timestamp::Builder b, Time t);

// The name of the active EventBody union member, e.g. "note", "keyBound"; "unset" if none.
std::string EventTypeName(schema::EventBody::Reader body);

// The words of a validated message (internal to the views): shared by the views that read them
// (an entry and its body). Moving a view does not move them, so its readers stay valid.
struct MessageWords {
  std::shared_ptr<const void> keep;  // owns (or shares) the words
  const capnp::word* begin = nullptr;
  size_t size = 0;  // in words
  ByteView bytes() const {
    return ByteView(reinterpret_cast<const char*>(begin), size * sizeof(capnp::word));
  }
};
class EntryView;

// A validated, canonical EventBody.
class EventView {
 public:
  // kCorruption (with the reason) unless `bytes` is a valid canonical EventBody message.
  static Result<EventView> Decode(ByteView bytes);
  // The same for an entry's body, which the view shares with the entry (nothing is copied; the
  // bytes live as long as either view).
  static Result<EventView> DecodeBody(const EntryView& entry);

  EventView(EventView&&) noexcept;
  EventView& operator=(EventView&&) noexcept;
  ~EventView();

  schema::EventBody::Reader body() const { return body_; }
  ByteView bytes() const;  // the canonical bytes, exactly as signed
  std::string type_name() const { return EventTypeName(body_); }

 private:
  EventView(MessageWords words, schema::EventBody::Reader body);
  MessageWords words_;
  schema::EventBody::Reader body_;
};

// A validated, canonical Entry.
class EntryView {
 public:
  static Result<EntryView> Decode(ByteView bytes);
  // The same, keeping `bytes` (no copy) when they are word-aligned.
  static Result<EntryView> Decode(Bytes&& bytes);

  EntryView(EntryView&&) noexcept;
  EntryView& operator=(EntryView&&) noexcept;
  ~EntryView();

  schema::Entry::Reader entry() const { return entry_; }
  ByteView bytes() const;
  uint64_t sequence() const { return entry_.getSequence(); }
  ByteView body_bytes() const;
  ByteView signature() const;

 private:
  friend class EventView;
  EntryView(MessageWords words, schema::Entry::Reader entry);
  MessageWords words_;
  schema::Entry::Reader entry_;
};

// A validated canonical message of any schema struct (projection rows, bundle files): the same
// checks as EventView. Movable; owns its bytes.
class DecodedStruct {
 public:
  static Result<DecodedStruct> Decode(ByteView bytes, capnp::StructSchema schema, const char* what);
  DecodedStruct(DecodedStruct&&) noexcept;
  DecodedStruct& operator=(DecodedStruct&&) noexcept;
  ~DecodedStruct();
  template <typename T>
  typename T::Reader As() const {
    return Root().template as<T>();
  }
  ByteView bytes() const;

 private:
  explicit DecodedStruct(MessageWords words);
  capnp::AnyStruct::Reader Root() const;
  MessageWords words_;
};

template <typename T>
class MessageView {
 public:
  static Result<MessageView> Decode(ByteView bytes, const char* what = "row") {
    auto d = DecodedStruct::Decode(bytes, capnp::Schema::from<T>(), what);
    if (!d.ok()) return d.status();
    return MessageView(std::move(*d));
  }
  typename T::Reader get() const { return reader_; }
  const typename T::Reader* operator->() const { return &reader_; }

 private:
  explicit MessageView(DecodedStruct d) : decoded_(std::move(d)), reader_(decoded_.As<T>()) {}
  DecodedStruct decoded_;
  typename T::Reader reader_;
};

struct EntryFields {
  uint64_t sequence = 0;
  Time recorded_at;
  Digest prev_leaf_hash;
  ByteView signature;
  ByteView body;
};

// The canonical bytes of an Entry (the Merkle leaf data).
Bytes EncodeEntry(const EntryFields& fields);

// Canonical single-segment bytes of whatever root a builder holds.
Bytes CanonicalBytes(capnp::MessageBuilder& builder);

// Validates a canonical message of the given struct type (same checks as the views).
Status ValidateCanonical(ByteView bytes, capnp::StructSchema schema);

// Cap'n Proto stream framing of a single-segment message: a 4-byte segment count minus one (0)
// and a 4-byte word count, both little-endian, then the segment. REQUIRES: size % 8 == 0.
Bytes StreamFrame(ByteView single_segment);

}  // namespace dutyledger

#endif  // DUTYLEDGER_LEDGER_CODEC_H_
