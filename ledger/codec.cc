#include "ledger/codec.h"

#include <capnp/any.h>
#include <capnp/dynamic.h>
#include <capnp/schema.h>
#include <kj/exception.h>

#include <cstring>
#include <optional>
#include <vector>

namespace dutyledger {

class DecodedMessage {
 public:
  explicit DecodedMessage(ByteView bytes)
      : words_(kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word))) {
    std::memcpy(words_.begin(), bytes.data(), bytes.size());
    segments_[0] = words_.asPtr();
  }
  // A reader with a fresh traversal budget (canonicalize() and isCanonical() spend it).
  std::unique_ptr<capnp::SegmentArrayMessageReader> NewReader() const {
    capnp::ReaderOptions options;
    options.traversalLimitInWords = words_.size() * 2 + 16;
    options.nestingLimit = 32;
    return std::make_unique<capnp::SegmentArrayMessageReader>(kj::arrayPtr(segments_, 1), options);
  }
  ByteView bytes() const {
    return ByteView(reinterpret_cast<const char*>(words_.begin()),
                    words_.size() * sizeof(capnp::word));
  }
  capnp::MessageReader& reader() { return *reader_; }
  void Open() { reader_ = NewReader(); }

 private:
  kj::Array<capnp::word> words_;
  kj::ArrayPtr<const capnp::word> segments_[1];
  std::unique_ptr<capnp::SegmentArrayMessageReader> reader_;
};

namespace {

bool IsValidUtf8(kj::ArrayPtr<const char> s, std::string* why) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(s.begin());
  size_t n = s.size(), i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c == 0) {
      *why = "text contains a NUL character";
      return false;
    }
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else {
      *why = "text is not UTF-8";
      return false;
    }
    if (i + len > n) {
      *why = "text is not UTF-8 (truncated sequence)";
      return false;
    }
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xc0) != 0x80) {
        *why = "text is not UTF-8";
        return false;
      }
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      *why = "text is not UTF-8 (overlong or invalid code point)";
      return false;
    }
    i += len;
  }
  return true;
}

// Walks a message against its schema, touching every field. Throws kj exceptions on pointer-type
// mismatches (caught by the caller); returns a description of the first other problem.
class SchemaWalker {
 public:
  std::optional<std::string> Struct(capnp::DynamicStruct::Reader s) {
    capnp::StructSchema schema = s.getSchema();
    auto proto = schema.getProto().getStruct();
    capnp::AnyStruct::Reader any = s;
    if (any.getDataSection().size() > proto.getDataWordCount() * sizeof(capnp::word) ||
        any.getPointerSection().size() > proto.getPointerCount()) {
      return Error("has fields this version of the schema does not define");
    }
    for (capnp::StructSchema::Field f : schema.getNonUnionFields()) {
      if (auto e = Field(s, f)) return e;
    }
    if (proto.getDiscriminantCount() > 0) {
      KJ_IF_MAYBE (active, s.which()) {
        if (auto e = Field(s, *active)) return e;
      } else {
        return Error("the active union member is not one this version of the schema defines");
      }
    }
    return std::nullopt;
  }

 private:
  std::optional<std::string> Field(capnp::DynamicStruct::Reader s, capnp::StructSchema::Field f) {
    path_.push_back({f.getProto().getName().cStr(), -1});
    std::optional<std::string> e;
    if (f.getProto().isGroup()) {
      e = Struct(s.get(f).as<capnp::DynamicStruct>());
    } else if (IsPointer(f.getType()) && !s.has(f, capnp::HasMode::NON_NULL)) {
      // Null pointer: the default value; nothing to check.
    } else {
      e = Value(s.get(f), f.getType());
    }
    path_.pop_back();
    return e;
  }

  static bool IsPointer(capnp::Type t) {
    return t.isText() || t.isData() || t.isList() || t.isStruct() || t.isAnyPointer() ||
           t.isInterface();
  }

  std::optional<std::string> Value(capnp::DynamicValue::Reader v, capnp::Type t) {
    switch (t.which()) {
      case capnp::schema::Type::TEXT: {
        capnp::Text::Reader text = v.as<capnp::Text>();
        std::string why;
        if (!IsValidUtf8(text, &why)) return Error(why);
        return std::nullopt;
      }
      case capnp::schema::Type::DATA:
        (void)v.as<capnp::Data>();
        return std::nullopt;
      case capnp::schema::Type::STRUCT:
        return Struct(v.as<capnp::DynamicStruct>());
      case capnp::schema::Type::LIST: {
        capnp::DynamicList::Reader list = v.as<capnp::DynamicList>();
        capnp::Type element = t.asList().getElementType();
        for (uint i = 0; i < list.size(); ++i) {
          path_.back().index = static_cast<int>(i);
          if (auto e = Value(list[i], element)) return e;
        }
        path_.back().index = -1;
        return std::nullopt;
      }
      case capnp::schema::Type::ENUM: {
        capnp::DynamicEnum e = v.as<capnp::DynamicEnum>();
        if (e.getEnumerant() == nullptr) {
          return Error("enum value " + std::to_string(e.getRaw()) +
                       " is not one this version of the schema defines");
        }
        return std::nullopt;
      }
      case capnp::schema::Type::ANY_POINTER:
      case capnp::schema::Type::INTERFACE:
        return Error("capabilities and untyped pointers are not allowed");
      default:
        return std::nullopt;  // numbers, bools, void: any bits are valid
    }
  }

  std::string Error(const std::string& what) const {
    std::string where;
    for (const auto& p : path_) {
      if (!where.empty()) where += '.';
      where += p.name;
      if (p.index >= 0) where += "[" + std::to_string(p.index) + "]";
    }
    return (where.empty() ? std::string("message") : "field " + where) + ": " + what;
  }

  struct PathPart {
    const char* name;
    int index;
  };
  std::vector<PathPart> path_;
};

Result<std::unique_ptr<DecodedMessage>> DecodeCanonical(ByteView bytes, capnp::StructSchema schema,
                                                        const char* what) {
  if (bytes.empty()) return Corruption(std::string(what) + " is empty");
  if (bytes.size() % sizeof(capnp::word) != 0) {
    return Corruption(std::string(what) + " is " + std::to_string(bytes.size()) +
                      " bytes, not a whole number of 8-byte words");
  }
  if (bytes.size() > 4 * kMaxEntryBytes) {
    return Corruption(std::string(what) + " is too large (" + std::to_string(bytes.size()) +
                      " bytes)");
  }
  auto message = std::make_unique<DecodedMessage>(bytes);
  std::optional<std::string> problem;
  bool canonical = false;
  KJ_IF_MAYBE (exception, kj::runCatchingExceptions([&]() {
                 auto check = message->NewReader();
                 canonical = check->isCanonical();
                 if (!canonical) return;
                 auto walk = message->NewReader();
                 SchemaWalker walker;
                 problem = walker.Struct(walk->getRoot<capnp::DynamicStruct>(schema));
               })) {
    return Corruption(std::string(what) +
                      " does not decode: " + exception->getDescription().cStr());
  }
  if (!canonical) {
    return Corruption(std::string(what) + " is not in Cap'n Proto canonical form");
  }
  if (problem) return Corruption(std::string(what) + ": " + *problem);
  message->Open();
  return message;
}

}  // namespace

Bytes EventSigningMessage(ByteView body) {
  Bytes m;
  m.reserve(kEventSignaturePrefix.size() + body.size());
  m.append(kEventSignaturePrefix);
  m.append(body);
  return m;
}

Time ReadTime(schema::Timestamp::Reader t) {
  return Time{t.getUnixNanos(), t.getUtcOffsetMinutes()};
}

void WriteTime(schema::Timestamp::Builder b, Time t) {
  b.setUnixNanos(t.unix_nanos);
  b.setUtcOffsetMinutes(t.utc_offset_minutes);
}

std::string EventTypeName(schema::EventBody::Reader body) {
  capnp::DynamicStruct::Reader d = body;
  KJ_IF_MAYBE (f, d.which()) {
    return f->getProto().getName().cStr();
  }
  return "unknown";
}

// ---------------------------------------------------------------------------------------------

EventView::EventView(std::unique_ptr<DecodedMessage> m, schema::EventBody::Reader body)
    : message_(std::move(m)), body_(body) {}
EventView::EventView(EventView&&) noexcept = default;
EventView& EventView::operator=(EventView&&) noexcept = default;
EventView::~EventView() = default;

Result<EventView> EventView::Decode(ByteView bytes) {
  ASSIGN_OR_RETURN(auto m,
                   DecodeCanonical(bytes, capnp::Schema::from<schema::EventBody>(), "event body"));
  auto body = m->reader().getRoot<schema::EventBody>();
  return EventView(std::move(m), body);
}

ByteView EventView::bytes() const { return message_->bytes(); }

EntryView::EntryView(std::unique_ptr<DecodedMessage> m, schema::Entry::Reader entry)
    : message_(std::move(m)), entry_(entry) {}
EntryView::EntryView(EntryView&&) noexcept = default;
EntryView& EntryView::operator=(EntryView&&) noexcept = default;
EntryView::~EntryView() = default;

Result<EntryView> EntryView::Decode(ByteView bytes) {
  ASSIGN_OR_RETURN(auto m, DecodeCanonical(bytes, capnp::Schema::from<schema::Entry>(), "entry"));
  auto entry = m->reader().getRoot<schema::Entry>();
  return EntryView(std::move(m), entry);
}

ByteView EntryView::bytes() const { return message_->bytes(); }

ByteView EntryView::body_bytes() const {
  auto d = entry_.getBody();
  return ByteView(reinterpret_cast<const char*>(d.begin()), d.size());
}

ByteView EntryView::signature() const {
  auto d = entry_.getSignature();
  return ByteView(reinterpret_cast<const char*>(d.begin()), d.size());
}

namespace {
capnp::Data::Reader AsData(ByteView b) {
  return capnp::Data::Reader(reinterpret_cast<const capnp::byte*>(b.data()), b.size());
}
}  // namespace

Bytes EncodeEntry(const EntryFields& f) {
  capnp::MallocMessageBuilder builder(
      static_cast<uint>((f.body.size() + f.signature.size()) / sizeof(capnp::word) + 16));
  auto e = builder.initRoot<schema::Entry>();
  e.setSequence(f.sequence);
  WriteTime(e.initRecordedAt(), f.recorded_at);
  e.setPrevLeafHash(AsData(f.prev_leaf_hash.view()));
  e.setSignature(AsData(f.signature));
  e.setBody(AsData(f.body));
  return CanonicalBytes(builder);
}

Bytes CanonicalBytes(capnp::MessageBuilder& builder) {
  kj::Array<capnp::word> words = builder.getRoot<capnp::AnyStruct>().asReader().canonicalize();
  return Bytes(reinterpret_cast<const char*>(words.begin()), words.size() * sizeof(capnp::word));
}

Status ValidateCanonical(ByteView bytes, capnp::StructSchema schema) {
  auto m = DecodeCanonical(bytes, schema, "message");
  return m.ok() ? Status::Ok() : m.status();
}

Bytes StreamFrame(ByteView segment) {
  DL_CHECK(segment.size() % 8 == 0);
  Bytes out;
  out.reserve(8 + segment.size());
  uint32_t words = static_cast<uint32_t>(segment.size() / 8);
  const uint32_t header[2] = {0, words};
  for (uint32_t v : header) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  out.append(segment);
  return out;
}

}  // namespace dutyledger
