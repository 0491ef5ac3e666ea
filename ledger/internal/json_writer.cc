#include "ledger/internal/json_writer.h"

#include <kj/exception.h>
#include <kj/string.h>

#include <cassert>
#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>

#include "ledger/bundle_json.h"
#include "ledger/bytes.h"
#include "ledger/codec.h"
#include "ledger/schema/common.capnp.h"
#include "ledger/time.h"
#include "ledger/uuid.h"

namespace dutyledger::internal {
namespace {

constexpr uint64_t kMaxExactJsonInteger = uint64_t{1} << 53;

std::string_view View(capnp::Text::Reader t) { return {t.cStr(), t.size()}; }

}  // namespace

void JsonWriter::SetForm(capnp::StructSchema::Field field, Form form) {
  auto& forms = forms_[field.getContainingStruct().getProto().getId()];
  forms.resize(field.getContainingStruct().getFields().size(), Form::kPlain);
  forms[field.getIndex()] = form;
}

// One Write: the text so far and the layout bookkeeping. The layout is capnp's encodeRaw: an
// array or object is written on one line unless, pretty-printed, it has two or more members and
// one of them spans lines or is longer than 50 characters; then each member gets its own line.
// Members are written with the one-line delimiter first and re-laid out when the list closes.
class JsonWriter::Run {
 public:
  Run(const JsonWriter& writer, bool pretty) : writer_(writer), pretty_(pretty) {}

  std::string out;

  void Struct(capnp::DynamicStruct::Reader value, unsigned indent, bool& multiline, bool has_prefix,
              const std::vector<std::pair<std::string, std::string>>* extra) {
    const Plan& plan = PlanOf(value.getSchema());
    // The members, in capnp's order: non-union fields that are set (primitives always), with
    // the active union member among them by index, or last; a null union member is written
    // as null unless it is the union's default member.
    const size_t base = pending_.size();
    constexpr uint32_t kNone = UINT32_MAX;
    uint32_t member = kNone;  // the union's, while still to be placed
    bool member_null = false;
    KJ_IF_MAYBE (field, value.which()) {
      member_null = !value.has(*field);
      if (field->getProto().getDiscriminantValue() != 0 || !member_null) {
        member = field->getIndex();
      }
    }
    for (uint32_t index : plan.non_union) {
      if (member != kNone && member < index) {
        pending_.push_back({member, member_null});
        member = kNone;
      }
      if (value.has(plan.members[index].field)) pending_.push_back({index, false});
    }
    if (member != kNone) pending_.push_back({member, member_null});
    const size_t count = pending_.size() - base + (extra != nullptr ? extra->size() : 0);

    const unsigned sub = indent + (count > 1);
    bool child_multiline = false;
    const size_t list = Open('{');
    const size_t end = pending_.size();  // members' own members come and go above it
    for (size_t i = base; i < end; ++i) {
      const Pending p = pending_[i];
      const Member& m = plan.members[p.index];
      Next(list);
      out += m.key;
      if (p.null) {
        out += "null";
      } else {
        Field(m, value.get(m.field), sub, child_multiline);
      }
      Done(list);
    }
    pending_.resize(base);
    if (extra != nullptr) {
      for (const auto& [name, text] : *extra) {
        Next(list);
        Key(name);
        String(text);
        Done(list);
      }
    }
    Close(list, '}', child_multiline, indent, multiline, has_prefix);
  }

 private:
  struct Pending {
    uint32_t index;  // the field's, in its Plan
    bool null;
  };
  // A struct type's fields as this run writes them, worked out once per type: capnp's schema
  // lookups (a field's type, its name, the forms set for it) per value were a fifth of the
  // instructions writing a dossier's JSON.
  struct Member {
    capnp::StructSchema::Field field;
    capnp::Type type;
    Form form;
    std::string key;  // the quoted name and the separator after it
  };
  struct Plan {
    std::vector<Member> members;      // by field index
    std::vector<uint32_t> non_union;  // their indexes, in order
  };
  const Plan& PlanOf(capnp::StructSchema schema) {
    if (auto it = plans_.find(schema); it != plans_.end()) return it->second;
    const uint64_t id = schema.getProto().getId();
    Plan plan;
    const std::vector<Form>* forms = nullptr;
    if (auto it = writer_.forms_.find(id); it != writer_.forms_.end()) forms = &it->second;
    for (capnp::StructSchema::Field field : schema.getFields()) {
      Member m{field, field.getType(), forms != nullptr ? (*forms)[field.getIndex()] : Form::kPlain,
               std::string()};
      AppendJsonQuoted(&m.key, View(field.getProto().getName()));
      m.key += pretty_ ? ": " : ":";
      plan.members.push_back(std::move(m));
    }
    for (capnp::StructSchema::Field field : schema.getNonUnionFields()) {
      plan.non_union.push_back(field.getIndex());
    }
    return plans_.emplace(schema, std::move(plan)).first->second;
  }

  void Field(const Member& m, capnp::DynamicValue::Reader value, unsigned indent, bool& multiline) {
    switch (m.form) {
      case Form::kPlain:
        Value(value, m.type, indent, multiline, true);
        return;
      case Form::kTime:
        String(FormatRfc3339(ReadTime(value.as<schema::Timestamp>())));
        return;
      case Form::kUuid:
      case Form::kHex:
      case Form::kBase64: {
        auto data = value.as<capnp::Data>();
        ByteView b(reinterpret_cast<const char*>(data.begin()), data.size());
        if (m.form == Form::kBase64) {
          String(Base64Encode(b));
        } else {
          String(m.form == Form::kUuid && b.size() == kUuidSize ? FormatUuid(b) : HexEncode(b));
        }
        return;
      }
      case Form::kEntryBody: {
        auto data = value.as<capnp::Data>();
        auto event =
            EventView::Decode(ByteView(reinterpret_cast<const char*>(data.begin()), data.size()));
        if (!event.ok()) {
          String("(undecodable body: " + event.status().message() + ")");
        } else {
          Struct(event->body(), indent, multiline, true, nullptr);
        }
        return;
      }
    }
  }

  void Value(capnp::DynamicValue::Reader value, capnp::Type type, unsigned indent, bool& multiline,
             bool has_prefix) {
    switch (type.which()) {
      case capnp::schema::Type::VOID:
        out += "null";
        return;
      case capnp::schema::Type::BOOL:
        out += value.as<bool>() ? "true" : "false";
        return;
      case capnp::schema::Type::INT8:
      case capnp::schema::Type::INT16:
      case capnp::schema::Type::INT32:
      case capnp::schema::Type::UINT8:
      case capnp::schema::Type::UINT16:
      case capnp::schema::Type::UINT32:
        Number(value.as<double>());
        return;
      case capnp::schema::Type::INT64: {
        int64_t v = value.as<int64_t>();
        if (v >= -static_cast<int64_t>(kMaxExactJsonInteger) &&
            v <= static_cast<int64_t>(kMaxExactJsonInteger)) {
          Number(static_cast<double>(v));
        } else {
          String(std::to_string(v));
        }
        return;
      }
      case capnp::schema::Type::UINT64: {
        uint64_t v = value.as<uint64_t>();
        if (v <= kMaxExactJsonInteger) {
          Number(static_cast<double>(v));
        } else {
          String(std::to_string(v));
        }
        return;
      }
      case capnp::schema::Type::FLOAT32:
      case capnp::schema::Type::FLOAT64: {
        double v = value.as<double>();
        if (std::isinf(v)) {
          String(v > 0 ? "Infinity" : "-Infinity");
        } else if (std::isnan(v)) {
          String("NaN");
        } else {
          Number(v);
        }
        return;
      }
      case capnp::schema::Type::TEXT:
        String(View(value.as<capnp::Text>()));
        return;
      case capnp::schema::Type::DATA: {
        auto bytes = value.as<capnp::Data>();
        bool child_multiline = false;
        const size_t list = Open('[');
        for (capnp::byte b : bytes) {
          Next(list);
          Number(b);
          Done(list);
        }
        Close(list, ']', child_multiline, indent, multiline, has_prefix);
        return;
      }
      case capnp::schema::Type::LIST: {
        auto elements = value.as<capnp::DynamicList>();
        capnp::Type element_type = type.asList().getElementType();
        const unsigned sub = indent + (elements.size() > 1);
        bool child_multiline = false;
        const size_t list = Open('[');
        for (auto element : elements) {
          Next(list);
          Value(element, element_type, sub, child_multiline, false);
          Done(list);
        }
        Close(list, ']', child_multiline, indent, multiline, has_prefix);
        return;
      }
      case capnp::schema::Type::ENUM: {
        auto e = value.as<capnp::DynamicEnum>();
        KJ_IF_MAYBE (symbol, e.getEnumerant()) {
          String(View(symbol->getProto().getName()));
        } else {
          Number(e.getRaw());
        }
        return;
      }
      case capnp::schema::Type::STRUCT:
        Struct(value.as<capnp::DynamicStruct>(), indent, multiline, has_prefix, nullptr);
        return;
      case capnp::schema::Type::INTERFACE:
      case capnp::schema::Type::ANY_POINTER:
        break;
    }
    KJ_FAIL_REQUIRE("don't know how to JSON-encode capabilities or AnyPointer");
  }

  // Numbers as kj prints doubles ("%.15g", or "%.17g" when that does not round-trip): integers
  // below 10^15 are their digits.
  void Number(double v) {
    if (v == std::trunc(v) && std::fabs(v) < 1e15 && !(v == 0 && std::signbit(v))) {
      char buf[24];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<int64_t>(v));
      out.append(buf, end);
    } else {
      out += kj::str(v).cStr();
    }
  }

  void String(std::string_view s) { AppendJsonQuoted(&out, s); }

  void Key(std::string_view name) {
    String(name);
    out += pretty_ ? ": " : ":";
  }

  // A list being written: where its members start, in spans_ from `base` on.
  size_t Open(char bracket) {
    out += bracket;
    spans_.push_back({out.size(), 0});  // the list's own record: where its members begin
    return spans_.size() - 1;
  }
  void Next(size_t list) {
    if (spans_.size() - 1 > list) out += pretty_ ? ", " : ",";
    spans_.push_back({out.size(), 0});
  }
  void Done(size_t) { spans_.back().second = out.size(); }
  void Close(size_t list, char bracket, bool child_multiline, unsigned indent, bool& multiline,
             bool has_prefix) {
    const size_t first = list + 1, n = spans_.size() - first;
    size_t widest = 0;
    for (size_t i = first; i < spans_.size(); ++i) {
      widest = std::max(widest, spans_[i].second - spans_[i].first);
    }
    if (pretty_ && n > 1 && (child_multiline || widest > 50)) {
      multiline = true;
      // In place, from the back: each member moves right by what the new delimiters before it
      // add (", " becomes ",\n" and the indentation; the first gets the prefix).
      const size_t space = (indent + 1) * 2;
      const size_t prefix = has_prefix ? 1 + space : 1;
      const size_t grow = prefix + (n - 1) * space + 1;  // ", " -> ",\n" + space: +space each
      const size_t old_end = out.size();
      out.resize(old_end + grow);
      char* text = out.data();
      size_t write = old_end + grow;
      text[--write] = ' ';
      for (size_t i = spans_.size(); i-- > first;) {
        const size_t len = spans_[i].second - spans_[i].first;
        write -= len;
        std::memmove(text + write, text + spans_[i].first, len);
        if (i == first && !has_prefix) {
          text[--write] = ' ';  // the first member follows the bracket after one space
          break;
        }
        write -= space;
        std::memset(text + write, ' ', space);
        text[--write] = '\n';
        if (i > first) text[--write] = ',';
      }
      assert(write == spans_[list].first);
    }
    out += bracket;
    spans_.resize(list);
  }

  const JsonWriter& writer_;
  const bool pretty_;
  std::vector<Pending> pending_;  // a stack: each struct's members
  // By schema, brand included (a generic struct's field types depend on its brand).
  struct SchemaHash {
    size_t operator()(const capnp::StructSchema& s) const { return s.hashCode(); }
  };
  std::unordered_map<capnp::StructSchema, Plan, SchemaHash> plans_;
  std::vector<std::pair<size_t, size_t>> spans_;  // a stack: each open list, then its members
};

std::string JsonWriter::Write(capnp::DynamicStruct::Reader value, bool pretty,
                              const std::vector<std::pair<std::string, std::string>>& extra) const {
  Run run(*this, pretty);
  bool multiline = false;
  run.Struct(value, 0, multiline, false, extra.empty() ? nullptr : &extra);
  return std::move(run.out);
}

}  // namespace dutyledger::internal
