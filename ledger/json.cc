#include "ledger/json.h"

#include "ledger/bundle_json.h"

#include <capnp/compat/json.h>
#include <capnp/message.h>
#include <capnp/schema.h>
#include <kj/exception.h>

#include <cmath>
#include <cstring>
#include <optional>
#include <set>
#include <vector>

#include "ledger/bundle_json.h"
#include "ledger/internal/json_writer.h"
#include "ledger/schema/common.capnp.h"
#include "ledger/uuid.h"

namespace dutyledger {
namespace {

constexpr uint64_t kUuidAnnotationId = 0xbd5c75c77fe9e790ull;  // common.capnp `uuid`
constexpr uint64_t kHexAnnotationId = 0xf061e22f0ae5c7b5ull;   // json.capnp `hex`
constexpr uint64_t kBase64AnnotationId = 0xd7d879450a253e4b;   // json.capnp `base64`
constexpr uint64_t kMaxExactJsonInteger = uint64_t{1} << 53;

[[noreturn]] void Throw(std::string message) {
  kj::throwFatalException(
      kj::Exception(kj::Exception::Type::FAILED, __FILE__, __LINE__, kj::heapString(message)));
}

class TimestampHandler final : public capnp::JsonCodec::Handler<schema::Timestamp> {
 public:
  explicit TimestampHandler(std::string field) : field_(std::move(field)) {}
  void encode(const capnp::JsonCodec&, schema::Timestamp::Reader input,
              capnp::JsonValue::Builder output) const override {
    output.setString(FormatRfc3339(ReadTime(input)));
  }
  void decode(const capnp::JsonCodec&, capnp::JsonValue::Reader input,
              schema::Timestamp::Builder output) const override {
    if (!input.isString()) Throw("field " + field_ + ": expected RFC 3339 time text");
    auto t = ParseRfc3339(input.getString().cStr());
    if (!t.ok()) Throw("field " + field_ + ": " + t.status().message());
    WriteTime(output, *t);
  }

 private:
  std::string field_;
};

// Data fields as text: UUID, hex or base64, decoded strictly (capnp's own hex and base64
// handlers accept malformed text silently, so the annotations are handled here instead).
class DataHandler final : public capnp::JsonCodec::Handler<capnp::Data> {
 public:
  enum class Form { kUuid, kHex, kBase64 };
  DataHandler(std::string field, Form form) : field_(std::move(field)), form_(form) {}
  void encode(const capnp::JsonCodec&, capnp::Data::Reader input,
              capnp::JsonValue::Builder output) const override {
    ByteView b(reinterpret_cast<const char*>(input.begin()), input.size());
    switch (form_) {
      case Form::kUuid:
        output.setString(b.size() == kUuidSize ? FormatUuid(b) : HexEncode(b));
        break;
      case Form::kHex:
        output.setString(HexEncode(b));
        break;
      case Form::kBase64:
        output.setString(Base64Encode(b));
        break;
    }
  }
  capnp::Orphan<capnp::Data> decode(const capnp::JsonCodec&, capnp::JsonValue::Reader input,
                                    capnp::Orphanage orphanage) const override {
    static const char* const kWhat[] = {"UUID text", "hex text", "base64 text"};
    if (!input.isString()) {
      Throw("field " + field_ + ": expected " + kWhat[static_cast<int>(form_)]);
    }
    std::string text = input.getString().cStr();
    std::optional<Bytes> bytes;
    switch (form_) {
      case Form::kUuid:
        bytes = ParseUuid(text);
        if (!bytes) {
          Throw("field " + field_ + ": not a UUID ('" + text +
                "'); expected 8-4-4-4-12 hex digits");
        }
        break;
      case Form::kHex:
        bytes = HexDecode(text);
        if (!bytes) Throw("field " + field_ + ": not hex text ('" + text + "')");
        break;
      case Form::kBase64:
        bytes = Base64Decode(text);
        if (!bytes) Throw("field " + field_ + ": not base64 text (RFC 4648, padded)");
        break;
    }
    auto orphan = orphanage.newOrphan<capnp::Data>(bytes->size());
    if (!bytes->empty()) std::memcpy(orphan.get().begin(), bytes->data(), bytes->size());
    return orphan;
  }

 private:
  std::string field_;
  Form form_;
};

template <typename T>
class IntegerHandler final : public capnp::JsonCodec::Handler<T> {
 public:
  void encode(const capnp::JsonCodec&, T input, capnp::JsonValue::Builder output) const override {
    bool exact = std::is_signed_v<T> ? (input >= -static_cast<int64_t>(kMaxExactJsonInteger) &&
                                        input <= static_cast<int64_t>(kMaxExactJsonInteger))
                                     : static_cast<uint64_t>(input) <= kMaxExactJsonInteger;
    if (exact) {
      output.setNumber(static_cast<double>(input));
    } else {
      output.setString(std::to_string(input));
    }
  }
  T decode(const capnp::JsonCodec&, capnp::JsonValue::Reader input) const override {
    if (input.isNumber()) {
      double d = input.getNumber();
      if (d != std::floor(d) || std::fabs(d) > static_cast<double>(kMaxExactJsonInteger) ||
          (!std::is_signed_v<T> && d < 0)) {
        Throw("expected an integer, got " + std::to_string(d));
      }
      return static_cast<T>(d);
    }
    if (input.isString()) {
      std::string s = input.getString().cStr();
      try {
        size_t used = 0;
        if constexpr (std::is_signed_v<T>) {
          long long v = std::stoll(s, &used);
          if (used == s.size()) return static_cast<T>(v);
        } else {
          if (!s.empty() && s[0] != '-') {
            unsigned long long v = std::stoull(s, &used);
            if (used == s.size()) return static_cast<T>(v);
          }
        }
      } catch (...) {
      }
      Throw("expected an integer, got '" + s + "'");
    }
    Throw("expected an integer");
  }
};

class EntryBodyHandler;

}  // namespace

struct EventJson::Impl {
  capnp::JsonCodec codec;
  capnp::JsonCodec pretty;
  std::vector<std::unique_ptr<TimestampHandler>> time_handlers;
  std::vector<std::unique_ptr<DataHandler>> data_handlers;
  IntegerHandler<uint64_t> u64;
  IntegerHandler<int64_t> i64;
  std::unique_ptr<EntryBodyHandler> entry_body;
  // Writes what `codec` and `pretty` would, faster; they stay for reading JSON and as the
  // reference the writer is tested against.
  internal::JsonWriter writer;
  std::set<uint64_t> seen;

  void Walk(capnp::StructSchema s);
  void RegisterTime(capnp::StructSchema::Field f);
  void RegisterData(capnp::StructSchema::Field f, DataHandler::Form form);
};

namespace {

class EntryBodyHandler final : public capnp::JsonCodec::Handler<capnp::Data> {
 public:
  void encode(const capnp::JsonCodec& codec, capnp::Data::Reader input,
              capnp::JsonValue::Builder output) const override {
    auto view =
        EventView::Decode(ByteView(reinterpret_cast<const char*>(input.begin()), input.size()));
    if (!view.ok()) {
      output.setString("(undecodable body: " + view.status().message() + ")");
      return;
    }
    codec.encode(view->body(), output);
  }
  capnp::Orphan<capnp::Data> decode(const capnp::JsonCodec&, capnp::JsonValue::Reader,
                                    capnp::Orphanage) const override {
    Throw("entries are not read from JSON");
  }
};

}  // namespace

void EventJson::Impl::Walk(capnp::StructSchema s) {
  if (!seen.insert(s.getProto().getId()).second) return;
  const uint64_t timestamp_id = capnp::Schema::from<schema::Timestamp>().getProto().getId();
  for (capnp::StructSchema::Field f : s.getFields()) {
    capnp::Type t = f.getType();
    std::optional<DataHandler::Form> form;
    for (auto a : f.getProto().getAnnotations()) {
      if (a.getId() == kUuidAnnotationId) form = DataHandler::Form::kUuid;
      if (a.getId() == kHexAnnotationId) form = DataHandler::Form::kHex;
      if (a.getId() == kBase64AnnotationId) form = DataHandler::Form::kBase64;
    }
    if (form && t.isData()) {
      RegisterData(f, *form);
    } else if (t.isStruct() && t.asStruct().getProto().getId() == timestamp_id) {
      RegisterTime(f);
    } else if (t.isStruct()) {
      Walk(t.asStruct());  // groups too: a group's type is its own struct schema
    } else if (t.isList()) {
      capnp::Type e = t.asList().getElementType();
      if (e.isStruct()) Walk(e.asStruct());
    }
  }
}

void EventJson::Impl::RegisterTime(capnp::StructSchema::Field f) {
  time_handlers.push_back(std::make_unique<TimestampHandler>(f.getProto().getName().cStr()));
  codec.addFieldHandler(f, *time_handlers.back());
  pretty.addFieldHandler(f, *time_handlers.back());
  writer.SetForm(f, internal::JsonWriter::Form::kTime);
}

void EventJson::Impl::RegisterData(capnp::StructSchema::Field f, DataHandler::Form form) {
  data_handlers.push_back(std::make_unique<DataHandler>(f.getProto().getName().cStr(), form));
  codec.addFieldHandler(f, *data_handlers.back());
  pretty.addFieldHandler(f, *data_handlers.back());
  static constexpr internal::JsonWriter::Form kForms[] = {internal::JsonWriter::Form::kUuid,
                                                          internal::JsonWriter::Form::kHex,
                                                          internal::JsonWriter::Form::kBase64};
  writer.SetForm(f, kForms[static_cast<int>(form)]);
}

EventJson::EventJson(std::vector<capnp::StructSchema> extra_roots)
    : impl_(std::make_unique<Impl>()) {
  Impl& i = *impl_;
  i.pretty.setPrettyPrint(true);
  i.entry_body = std::make_unique<EntryBodyHandler>();
  for (capnp::JsonCodec* c : {&i.codec, &i.pretty}) {
    c->setRejectUnknownFields(true);
    c->setMaxNestingDepth(32);
    c->addTypeHandler(i.u64);
    c->addTypeHandler(i.i64);
    c->addFieldHandler(capnp::Schema::from<schema::Entry>().getFieldByName("body"), *i.entry_body);
  }
  i.writer.SetForm(capnp::Schema::from<schema::Entry>().getFieldByName("body"),
                   internal::JsonWriter::Form::kEntryBody);
  i.Walk(capnp::Schema::from<schema::EventBody>());
  i.Walk(capnp::Schema::from<schema::Entry>());
  for (auto root : extra_roots) i.Walk(root);
}

EventJson::~EventJson() = default;

namespace {

// Checks the top level of an event object: known keys only, exactly one event type.
Status CheckTopLevel(capnp::JsonValue::Reader value) {
  if (!value.isObject()) return InvalidArgument("an event must be a JSON object");
  capnp::StructSchema schema = capnp::Schema::from<schema::EventBody>();
  std::vector<std::string> types;
  for (auto field : value.getObject()) {
    std::string name = field.getName().cStr();
    KJ_IF_MAYBE (f, schema.findFieldByName(field.getName())) {
      if (f->getProto().getDiscriminantValue() != capnp::schema::Field::NO_DISCRIMINANT) {
        types.push_back(name);
      }
    } else {
      return InvalidArgument("unknown field '" + name +
                             "': not an event type or an EventBody field");
    }
  }
  if (types.empty()) {
    return InvalidArgument("no event type given: the event needs one member such as \"note\"");
  }
  if (types.size() > 1) {
    return InvalidArgument("two event types given ('" + types[0] + "' and '" + types[1] +
                           "'); an event has exactly one");
  }
  if (types[0] == "unset") return InvalidArgument("'unset' is not an event type");
  return Status::Ok();
}

}  // namespace

Result<Bytes> EventJson::ParseEventBodyAsIs(std::string_view json) const {
  return ParseEventBody(json, Defaults{});
}

Result<Bytes> EventJson::ParseEventBody(std::string_view text, const Defaults& defaults) const {
  // Cap'n Proto 0.9.2's JSON parser decodes \uXXXX wrongly ("\u00e9" becomes another
  // character): escapes are decoded first, as for bundle JSON (ledger/bundle_json.h).
  ASSIGN_OR_RETURN(std::string decoded, DecodeJsonUnicodeEscapes(text));
  std::string_view json = decoded;
  capnp::MallocMessageBuilder raw;
  capnp::MallocMessageBuilder message;
  Status status;
  bool parsed = false;
  KJ_IF_MAYBE (exception, kj::runCatchingExceptions([&]() {
                 auto value = raw.initRoot<capnp::JsonValue>();
                 impl_->codec.decodeRaw(kj::ArrayPtr<const char>(json.data(), json.size()), value);
                 parsed = true;
                 status = CheckTopLevel(value.asReader());
                 if (!status.ok()) return;
                 auto body = message.initRoot<schema::EventBody>();
                 impl_->codec.decode(value.asReader(), capnp::DynamicStruct::Builder(body));
               })) {
    // KJ writes "expected <condition>; <message>": keep the message, on one line.
    std::string d = exception->getDescription().cStr();
    if (d.rfind("expected ", 0) == 0 && d.find("; ") != std::string::npos) {
      d = d.substr(d.find("; ") + 2);
    }
    for (char& c : d) {
      if (c == '\n') c = ' ';
    }
    return InvalidArgument(parsed ? d : "invalid JSON: " + d);
  }
  RETURN_IF_ERROR(status);
  auto body = message.getRoot<schema::EventBody>();
  if (!body.hasOccurredAt()) {
    return InvalidArgument("field occurredAt: required (RFC 3339 time the event happened)");
  }
  if (defaults.clock != nullptr) {
    if (!body.hasEventId()) {
      Bytes id = NewUuidV7(defaults.clock->Now());
      body.setEventId(
          capnp::Data::Reader(reinterpret_cast<const capnp::byte*>(id.data()), id.size()));
    }
    if (!body.hasOrigin()) body.setOrigin(defaults.origin);
    if (!body.hasSignerKeyId()) {
      body.setSignerKeyId(capnp::Data::Reader(defaults.signer_key_id.data(), Digest::kSize));
    }
    if (body.getSchemaVersion() == 0) body.setSchemaVersion(kSchemaVersion);
  }
  return CanonicalBytes(message);
}

std::string EventJson::StructToJson(capnp::DynamicStruct::Reader value, bool pretty) const {
  return impl_->writer.Write(value, pretty);
}

std::string EventJson::StructToJsonWithCodec(capnp::DynamicStruct::Reader value,
                                             bool pretty) const {
  const capnp::JsonCodec& c = pretty ? impl_->pretty : impl_->codec;
  return c.encode(value).cStr();
}

std::string EventJson::EventBodyToJson(schema::EventBody::Reader body, bool pretty) const {
  return StructToJson(body, pretty);
}

std::string EventJson::EntryToJson(const EntryView& entry, const Digest& leaf_hash,
                                   bool pretty) const {
  return impl_->writer.Write(entry.entry(), pretty, {{"leafHash", leaf_hash.Base64()}});
}

std::string EventJson::EntryToJsonWithCodec(const EntryView& entry, const Digest& leaf_hash,
                                            bool pretty) const {
  const capnp::JsonCodec& c = pretty ? impl_->pretty : impl_->codec;
  capnp::MallocMessageBuilder m;
  auto encoded = m.initRoot<capnp::JsonValue>();
  c.encode(entry.entry(), encoded);
  auto fields = encoded.asReader().getObject();
  capnp::MallocMessageBuilder out;
  auto root = out.initRoot<capnp::JsonValue>();
  auto obj = root.initObject(fields.size() + 1);
  for (uint i = 0; i < fields.size(); ++i) {
    obj[i].setName(fields[i].getName());
    obj[i].setValue(fields[i].getValue());
  }
  obj[fields.size()].setName("leafHash");
  obj[fields.size()].initValue().setString(leaf_hash.Base64());
  return c.encodeRaw(root.asReader()).cStr();
}

}  // namespace dutyledger
