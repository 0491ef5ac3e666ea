#include "ledger/codec.h"

#include <capnp/any.h>
#include <capnp/dynamic.h>
#include <capnp/schema.h>
#include <kj/exception.h>

#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

namespace dutyledger {

// The words of a message being decoded, word-aligned, and the reader options its checks use.
class DecodedMessage {
 public:
  // The bytes are copied to aligned words.
  explicit DecodedMessage(ByteView bytes) { Copy(bytes); }
  // The bytes are kept as they are when their buffer is word-aligned (a heap string's is),
  // else copied.
  explicit DecodedMessage(Bytes&& bytes) {
    if (reinterpret_cast<uintptr_t>(bytes.data()) % alignof(capnp::word) != 0) {
      Copy(bytes);
      return;
    }
    auto owned = std::make_shared<const Bytes>(std::move(bytes));
    Point(owned->data(), owned->size());
    keep_ = std::move(owned);
  }
  // A message inside `outer`'s words (an entry's body), sharing them: nothing is copied.
  DecodedMessage(const MessageWords& outer, ByteView inner) {
    if (reinterpret_cast<uintptr_t>(inner.data()) % alignof(capnp::word) != 0 || !outer.keep) {
      Copy(inner);
      return;
    }
    keep_ = outer.keep;
    Point(inner.data(), inner.size());
  }
  DecodedMessage(const DecodedMessage&) = delete;
  DecodedMessage& operator=(const DecodedMessage&) = delete;

  // The checking reader's options: a traversal budget of twice the message (a canonical message
  // is read once), and at most 32 levels of nesting.
  capnp::ReaderOptions Options() const {
    capnp::ReaderOptions options;
    options.traversalLimitInWords = segments_[0].size() * 2 + 16;
    options.nestingLimit = 32;
    return options;
  }
  kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>> segments() const {
    return kj::arrayPtr(segments_, 1);
  }
  // The words, once validated.
  MessageWords Release() && {
    return MessageWords{std::move(keep_), segments_[0].begin(), segments_[0].size()};
  }

 private:
  void Copy(ByteView bytes) {  // one allocation: the words with their count
    std::shared_ptr<capnp::word[]> words =
        std::make_shared_for_overwrite<capnp::word[]>(bytes.size() / sizeof(capnp::word));
    std::memcpy(words.get(), bytes.data(), bytes.size());
    Point(words.get(), bytes.size());
    keep_ = std::move(words);
  }
  void Point(const void* data, size_t size) {
    segments_[0] = kj::arrayPtr(static_cast<const capnp::word*>(data), size / sizeof(capnp::word));
  }

  std::shared_ptr<const void> keep_;  // owns (or shares) the words
  kj::ArrayPtr<const capnp::word> segments_[1];
};

// A reader of validated words. Validate() has checked, with bounds-checking readers, that they
// are one canonical segment (every pointer in bounds, each object read once, no far pointers)
// and that every pointer has its schema type: reading them again needs no bounds checks, and
// skips building a checking reader (an arena, an allocation) for each message.
template <typename T>
typename T::Reader ReadValidated(const MessageWords& words) {
  return capnp::readMessageUnchecked<T>(words.begin);
}

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

// A schema compiled for validation: where each field lives in the wire struct and what kind of
// pointer or value it must be. Validation then reads the message's structure directly (much
// cheaper than the dynamic API) and touches every pointer the schema defines.
struct StructPlan;

struct TypePlan {
  capnp::schema::Type::Which which = capnp::schema::Type::VOID;
  const StructPlan* structure = nullptr;  // STRUCT, and list elements of struct type
  uint16_t enum_count = 0;                // ENUM
  std::unique_ptr<TypePlan> element;      // LIST
};

struct FieldPlan {
  const char* name = "";
  const StructPlan* group = nullptr;  // a group: its fields live in the same struct
  TypePlan type;
  uint32_t offset = 0;  // pointer index, or data offset in units of the field's size
  uint16_t enum_default = 0;
  bool in_union = false;
  uint16_t discriminant = 0;
};

struct StructPlan {
  size_t data_bytes = 0;
  size_t pointer_count = 0;
  bool has_union = false;
  uint32_t discriminant_offset = 0;  // in 16-bit units
  uint16_t discriminant_count = 0;
  std::vector<FieldPlan> fields;
};

class PlanCache {
 public:
  const StructPlan& For(capnp::StructSchema s) {
    std::lock_guard<std::mutex> l(mu_);
    return Build(s);
  }

 private:
  const StructPlan& Build(capnp::StructSchema s) {
    uint64_t id = s.getProto().getId();
    auto it = plans_.find(id);
    if (it != plans_.end()) return *it->second;
    auto& plan = plans_[id];
    plan = std::make_unique<StructPlan>();
    auto proto = s.getProto().getStruct();
    plan->data_bytes = proto.getDataWordCount() * sizeof(capnp::word);
    plan->pointer_count = proto.getPointerCount();
    plan->has_union = proto.getDiscriminantCount() > 0;
    plan->discriminant_offset = proto.getDiscriminantOffset();
    plan->discriminant_count = static_cast<uint16_t>(proto.getDiscriminantCount());
    for (capnp::StructSchema::Field f : s.getFields()) {
      FieldPlan fp;
      auto fproto = f.getProto();
      fp.name = fproto.getName().cStr();
      fp.in_union = fproto.getDiscriminantValue() != capnp::schema::Field::NO_DISCRIMINANT;
      fp.discriminant = fproto.getDiscriminantValue();
      if (fproto.isGroup()) {
        fp.group = &Build(f.getType().asStruct());
      } else {
        fp.offset = fproto.getSlot().getOffset();
        fp.type = TypeOf(f.getType());
        if (fp.type.which == capnp::schema::Type::ENUM) {
          fp.enum_default = fproto.getSlot().getDefaultValue().getEnum();
        }
      }
      plan->fields.push_back(std::move(fp));
    }
    return *plan;
  }

  TypePlan TypeOf(capnp::Type t) {
    TypePlan p;
    p.which = t.which();
    if (t.isStruct()) p.structure = &Build(t.asStruct());
    if (t.isEnum()) p.enum_count = static_cast<uint16_t>(t.asEnum().getEnumerants().size());
    if (t.isList()) p.element = std::make_unique<TypePlan>(TypeOf(t.asList().getElementType()));
    return p;
  }

  std::mutex mu_;  // guards plans_
  std::map<uint64_t, std::unique_ptr<StructPlan>> plans_;
};

PlanCache& Plans() {
  static PlanCache* cache = new PlanCache();  // built on first use, never destroyed
  return *cache;
}

uint16_t Read16(kj::ArrayPtr<const capnp::byte> data, uint32_t index) {
  size_t at = size_t{index} * 2;
  if (at + 2 > data.size()) return 0;
  return static_cast<uint16_t>(data[at] | (data[at + 1] << 8));
}

capnp::ElementSize ElementSizeOf(capnp::schema::Type::Which w) {
  using W = capnp::schema::Type;
  switch (w) {
    case W::VOID:
      return capnp::ElementSize::VOID;
    case W::BOOL:
      return capnp::ElementSize::BIT;
    case W::INT8:
    case W::UINT8:
      return capnp::ElementSize::BYTE;
    case W::INT16:
    case W::UINT16:
    case W::ENUM:
      return capnp::ElementSize::TWO_BYTES;
    case W::INT32:
    case W::UINT32:
    case W::FLOAT32:
      return capnp::ElementSize::FOUR_BYTES;
    case W::INT64:
    case W::UINT64:
    case W::FLOAT64:
      return capnp::ElementSize::EIGHT_BYTES;
    case W::STRUCT:
      return capnp::ElementSize::INLINE_COMPOSITE;
    default:
      return capnp::ElementSize::POINTER;
  }
}

// Validates a message against a StructPlan. Reading a malformed pointer throws a kj exception
// (the caller catches it); other problems are returned as text naming the field.
class PlanWalker {
 public:
  std::optional<std::string> Struct(capnp::AnyStruct::Reader s, const StructPlan& plan,
                                    bool is_group) {
    auto data = s.getDataSection();
    auto ptrs = s.getPointerSection();
    if (!is_group && (data.size() > plan.data_bytes || ptrs.size() > plan.pointer_count)) {
      return Error("has fields this version of the schema does not define");
    }
    uint16_t active = 0;
    if (plan.has_union) {
      active = Read16(data, plan.discriminant_offset);
      if (active >= plan.discriminant_count) {
        return Error("the active union member is not one this version of the schema defines");
      }
    }
    for (const FieldPlan& f : plan.fields) {
      if (f.in_union && f.discriminant != active) continue;
      path_.push_back({f.name, -1});
      std::optional<std::string> e;
      if (f.group != nullptr) {
        e = Struct(s, *f.group, true);
      } else if (f.type.which == capnp::schema::Type::ENUM) {
        uint16_t v = Read16(data, f.offset) ^ f.enum_default;
        if (v >= f.type.enum_count) {
          e = Error("enum value " + std::to_string(v) +
                    " is not one this version of the schema defines");
        }
      } else if (IsPointer(f.type.which) && f.offset < ptrs.size()) {
        e = Pointer(ptrs[f.offset], f.type);
      }
      path_.pop_back();
      if (e) return e;
    }
    return std::nullopt;
  }

 private:
  static bool IsPointer(capnp::schema::Type::Which w) {
    using W = capnp::schema::Type;
    return w == W::TEXT || w == W::DATA || w == W::LIST || w == W::STRUCT || w == W::ANY_POINTER ||
           w == W::INTERFACE;
  }

  std::optional<std::string> Pointer(capnp::AnyPointer::Reader p, const TypePlan& t) {
    using W = capnp::schema::Type;
    if (p.isNull()) return std::nullopt;
    switch (t.which) {
      case W::TEXT: {
        if (!p.isList()) return Error("expected text");
        capnp::Text::Reader text = p.getAs<capnp::Text>();
        std::string why;
        if (!IsValidUtf8(text, &why)) return Error(why);
        return std::nullopt;
      }
      case W::DATA:
        if (!p.isList()) return Error("expected data");
        (void)p.getAs<capnp::Data>();
        return std::nullopt;
      case W::STRUCT:
        if (!p.isStruct()) return Error("expected a struct");
        return Struct(p.getAs<capnp::AnyStruct>(), *t.structure, false);
      case W::LIST: {
        if (!p.isList()) return Error("expected a list");
        capnp::AnyList::Reader list = p.getAs<capnp::AnyList>();
        const TypePlan& e = *t.element;
        if (list.getElementSize() != ElementSizeOf(e.which)) {
          return Error("list elements are not of the schema's type");
        }
        if (e.which == W::STRUCT) {
          auto items = list.as<capnp::List<capnp::AnyStruct>>();
          for (uint i = 0; i < items.size(); ++i) {
            path_.back().index = static_cast<int>(i);
            if (auto err = Struct(items[i], *e.structure, false)) return err;
          }
        } else if (e.which == W::ENUM) {
          auto items = list.as<capnp::List<uint16_t>>();
          for (uint i = 0; i < items.size(); ++i) {
            if (items[i] >= e.enum_count) {
              path_.back().index = static_cast<int>(i);
              return Error("enum value " + std::to_string(items[i]) +
                           " is not one this version of the schema defines");
            }
          }
        } else if (IsPointer(e.which)) {
          auto items = list.as<capnp::List<capnp::AnyPointer>>();
          for (uint i = 0; i < items.size(); ++i) {
            path_.back().index = static_cast<int>(i);
            if (auto err = Pointer(items[i], e)) return err;
          }
        }
        path_.back().index = -1;
        return std::nullopt;
      }
      default:
        return Error("capabilities and untyped pointers are not allowed");
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

// Validates `message` (whose bytes the caller checked for size) as a canonical `schema` struct
// and opens it for reading.
Result<MessageWords> Validate(DecodedMessage&& message, capnp::StructSchema schema,
                              const char* what) {
  std::optional<std::string> problem;
  bool canonical = false;
  KJ_IF_MAYBE (exception, kj::runCatchingExceptions([&]() {
                 {
                   capnp::SegmentArrayMessageReader check(message.segments(), message.Options());
                   canonical = check.isCanonical();
                 }
                 if (!canonical) return;
                 // Canonical, as read by a bounds-checking reader within the limits above: every
                 // pointer is in bounds, each object read once, nesting at most 32 deep. The
                 // schema walk reads it without bounds checks (pointer kinds are still checked).
                 PlanWalker walker;
                 problem = walker.Struct(
                     capnp::readMessageUnchecked<capnp::AnyStruct>(message.segments()[0].begin()),
                     Plans().For(schema), false);
               })) {
    return Corruption(std::string(what) +
                      " does not decode: " + exception->getDescription().cStr());
  }
  if (!canonical) {
    return Corruption(std::string(what) + " is not in Cap'n Proto canonical form");
  }
  if (problem) return Corruption(std::string(what) + ": " + *problem);
  return std::move(message).Release();
}

// Why `bytes` cannot be a message at all, if they cannot.
Status CheckSize(ByteView bytes, const char* what) {
  if (bytes.empty()) return Corruption(std::string(what) + " is empty");
  if (bytes.size() % sizeof(capnp::word) != 0) {
    return Corruption(std::string(what) + " is " + std::to_string(bytes.size()) +
                      " bytes, not a whole number of 8-byte words");
  }
  if (bytes.size() > 4 * kMaxEntryBytes) {
    return Corruption(std::string(what) + " is too large (" + std::to_string(bytes.size()) +
                      " bytes)");
  }
  return Status::Ok();
}

Result<MessageWords> DecodeCanonical(ByteView bytes, capnp::StructSchema schema, const char* what) {
  RETURN_IF_ERROR(CheckSize(bytes, what));
  return Validate(DecodedMessage(bytes), schema, what);
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

EventView::EventView(MessageWords words, schema::EventBody::Reader body)
    : words_(std::move(words)), body_(body) {}
EventView::EventView(EventView&&) noexcept = default;
EventView& EventView::operator=(EventView&&) noexcept = default;
EventView::~EventView() = default;

Result<EventView> EventView::Decode(ByteView bytes) {
  ASSIGN_OR_RETURN(auto m,
                   DecodeCanonical(bytes, capnp::Schema::from<schema::EventBody>(), "event body"));
  auto body = ReadValidated<schema::EventBody>(m);
  return EventView(std::move(m), body);
}

Result<EventView> EventView::DecodeBody(const EntryView& entry) {
  ByteView bytes = entry.body_bytes();
  RETURN_IF_ERROR(CheckSize(bytes, "event body"));
  ASSIGN_OR_RETURN(auto m, Validate(DecodedMessage(entry.words_, bytes),
                                    capnp::Schema::from<schema::EventBody>(), "event body"));
  auto body = ReadValidated<schema::EventBody>(m);
  return EventView(std::move(m), body);
}

ByteView EventView::bytes() const { return words_.bytes(); }

EntryView::EntryView(MessageWords words, schema::Entry::Reader entry)
    : words_(std::move(words)), entry_(entry) {}
EntryView::EntryView(EntryView&&) noexcept = default;
EntryView& EntryView::operator=(EntryView&&) noexcept = default;
EntryView::~EntryView() = default;

Result<EntryView> EntryView::Decode(ByteView bytes) {
  ASSIGN_OR_RETURN(auto m, DecodeCanonical(bytes, capnp::Schema::from<schema::Entry>(), "entry"));
  auto entry = ReadValidated<schema::Entry>(m);
  return EntryView(std::move(m), entry);
}

Result<EntryView> EntryView::Decode(Bytes&& bytes) {
  RETURN_IF_ERROR(CheckSize(bytes, "entry"));
  ASSIGN_OR_RETURN(auto m, Validate(DecodedMessage(std::move(bytes)),
                                    capnp::Schema::from<schema::Entry>(), "entry"));
  auto entry = ReadValidated<schema::Entry>(m);
  return EntryView(std::move(m), entry);
}

ByteView EntryView::bytes() const { return words_.bytes(); }

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

DecodedStruct::DecodedStruct(MessageWords words) : words_(std::move(words)) {}
DecodedStruct::DecodedStruct(DecodedStruct&&) noexcept = default;
DecodedStruct& DecodedStruct::operator=(DecodedStruct&&) noexcept = default;
DecodedStruct::~DecodedStruct() = default;

Result<DecodedStruct> DecodedStruct::Decode(ByteView bytes, capnp::StructSchema schema,
                                            const char* what) {
  ASSIGN_OR_RETURN(auto m, DecodeCanonical(bytes, schema, what));
  return DecodedStruct(std::move(m));
}

capnp::AnyStruct::Reader DecodedStruct::Root() const {
  return ReadValidated<capnp::AnyStruct>(words_);
}

ByteView DecodedStruct::bytes() const { return words_.bytes(); }

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
