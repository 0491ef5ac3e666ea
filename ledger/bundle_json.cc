#include "ledger/bundle_json.h"

#include <capnp/compat/json.h>
#include <capnp/message.h>
#include <kj/exception.h>

#include <cmath>
#include <cstdio>

namespace dutyledger {

JsonNode::JsonNode() = default;
JsonNode::JsonNode(const JsonNode&) = default;
JsonNode::JsonNode(JsonNode&&) noexcept = default;
JsonNode& JsonNode::operator=(const JsonNode&) = default;
JsonNode& JsonNode::operator=(JsonNode&&) noexcept = default;
JsonNode::~JsonNode() = default;

namespace {

constexpr int kMaxDepth = 32;

void Copy(capnp::JsonValue::Reader in, JsonNode* out) {
  switch (in.which()) {
    case capnp::JsonValue::NULL_:
      out->kind = JsonNode::Kind::kNull;
      break;
    case capnp::JsonValue::BOOLEAN:
      out->kind = JsonNode::Kind::kBool;
      out->boolean = in.getBoolean();
      break;
    case capnp::JsonValue::NUMBER:
      out->kind = JsonNode::Kind::kNumber;
      out->number = in.getNumber();
      break;
    case capnp::JsonValue::STRING:
      out->kind = JsonNode::Kind::kString;
      out->string = std::string(in.getString().cStr(), in.getString().size());
      break;
    case capnp::JsonValue::ARRAY: {
      out->kind = JsonNode::Kind::kArray;
      auto a = in.getArray();
      out->array.resize(a.size());
      for (unsigned i = 0; i < a.size(); ++i) Copy(a[i], &out->array[i]);
      break;
    }
    case capnp::JsonValue::OBJECT: {
      out->kind = JsonNode::Kind::kObject;
      auto o = in.getObject();
      out->object.resize(o.size());
      for (unsigned i = 0; i < o.size(); ++i) {
        out->object[i].first = std::string(o[i].getName().cStr(), o[i].getName().size());
        Copy(o[i].getValue(), &out->object[i].second);
      }
      break;
    }
    case capnp::JsonValue::CALL:
      out->kind = JsonNode::Kind::kNull;  // refused by ParseJson before copying
      break;
  }
}

bool HasCall(capnp::JsonValue::Reader in) {
  switch (in.which()) {
    case capnp::JsonValue::CALL:
      return true;
    case capnp::JsonValue::ARRAY:
      for (auto v : in.getArray())
        if (HasCall(v)) return true;
      return false;
    case capnp::JsonValue::OBJECT:
      for (auto f : in.getObject())
        if (HasCall(f.getValue())) return true;
      return false;
    default:
      return false;
  }
}

const char* KindName(JsonNode::Kind k) {
  switch (k) {
    case JsonNode::Kind::kNull:
      return "null";
    case JsonNode::Kind::kBool:
      return "a boolean";
    case JsonNode::Kind::kNumber:
      return "a number";
    case JsonNode::Kind::kString:
      return "a string";
    case JsonNode::Kind::kArray:
      return "an array";
    case JsonNode::Kind::kObject:
      return "an object";
  }
  return "?";
}

Status Bad(std::string_view key, const std::string& why) {
  return InvalidArgument(std::string(key) + ": " + why);
}

}  // namespace

const JsonNode* JsonNode::Find(std::string_view key) const {
  if (kind != Kind::kObject) return nullptr;
  for (const auto& [name, value] : object) {
    if (name == key) return &value;
  }
  return nullptr;
}

Result<std::string> DecodeJsonUnicodeEscapes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  auto hex4 = [&](size_t at, uint32_t* v) {
    if (at + 4 > text.size()) return false;
    *v = 0;
    for (size_t k = at; k < at + 4; ++k) {
      char c = text[k];
      int d = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (d < 0) return false;
      *v = *v * 16 + static_cast<uint32_t>(d);
    }
    return true;
  };
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (!in_string) {
      if (c == '"') in_string = true;
      out.push_back(c);
      continue;
    }
    if (c == '"') in_string = false;
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (i + 1 >= text.size()) return InvalidArgument("not valid JSON: a string ends in '\\'");
    if (text[i + 1] != 'u') {
      out.append(text.substr(i, 2));
      ++i;
      continue;
    }
    uint32_t cp = 0;
    if (!hex4(i + 2, &cp)) return InvalidArgument("not valid JSON: a bad \\u escape");
    i += 5;
    if (cp >= 0xd800 && cp <= 0xdbff) {
      uint32_t low = 0;
      if (i + 6 >= text.size() || text[i + 1] != '\\' || text[i + 2] != 'u' || !hex4(i + 3, &low) ||
          low < 0xdc00 || low > 0xdfff) {
        return InvalidArgument("not valid JSON: a lone UTF-16 surrogate in a \\u escape");
      }
      cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
      i += 6;
    } else if (cp >= 0xdc00 && cp <= 0xdfff) {
      return InvalidArgument("not valid JSON: a lone UTF-16 surrogate in a \\u escape");
    }
    if (cp == '"' || cp == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(cp));
    } else if (cp == 0) {
      out += "\\u0000";  // a raw NUL would end the parser's input; this escape it reads right
    } else if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }
  return out;
}

Result<JsonNode> ParseJson(std::string_view raw) {
  // Cap'n Proto 0.9.2's JSON parser decodes \uXXXX wrongly (hex letters, and code points from
  // U+0080 become one byte): escapes are decoded here first.
  ASSIGN_OR_RETURN(std::string decoded, DecodeJsonUnicodeEscapes(raw));
  std::string_view text = decoded;
  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<capnp::JsonValue>();
  capnp::JsonCodec codec;
  codec.setMaxNestingDepth(kMaxDepth);
  kj::Maybe<kj::Exception> error = kj::runCatchingExceptions(
      [&]() { codec.decodeRaw(kj::ArrayPtr<const char>(text.data(), text.size()), root); });
  KJ_IF_MAYBE (e, error) {
    return InvalidArgument(std::string("not valid JSON: ") + e->getDescription().cStr());
  }
  if (HasCall(root.asReader())) return InvalidArgument("not valid JSON (a function call)");
  JsonNode out;
  Copy(root.asReader(), &out);
  return out;
}

Result<const JsonNode*> JsonMember(const JsonNode& object, std::string_view key,
                                   JsonNode::Kind kind) {
  const JsonNode* v = object.Find(key);
  if (v == nullptr) return Bad(key, "missing");
  if (v->kind != kind) {
    return Bad(key, std::string("is ") + KindName(v->kind) + ", not " + KindName(kind));
  }
  return v;
}

Result<uint64_t> JsonU64(const JsonNode& object, std::string_view key) {
  ASSIGN_OR_RETURN(const JsonNode* v, JsonMember(object, key, JsonNode::Kind::kNumber));
  double d = v->number;
  if (!(d >= 0) || d > 9007199254740992.0 || std::floor(d) != d) {
    return Bad(key, "is not a non-negative integer up to 2^53");
  }
  return static_cast<uint64_t>(d);
}

Result<std::string> JsonString(const JsonNode& object, std::string_view key) {
  ASSIGN_OR_RETURN(const JsonNode* v, JsonMember(object, key, JsonNode::Kind::kString));
  return v->string;
}

Result<Digest> JsonDigest(const JsonNode& object, std::string_view key) {
  ASSIGN_OR_RETURN(const JsonNode* v, JsonMember(object, key, JsonNode::Kind::kString));
  auto d = Digest::FromBase64(v->string);
  if (!d) return Bad(key, "is not a base64 32-byte hash");
  return *d;
}

Result<std::vector<Digest>> JsonDigests(const JsonNode& object, std::string_view key) {
  ASSIGN_OR_RETURN(const JsonNode* v, JsonMember(object, key, JsonNode::Kind::kArray));
  std::vector<Digest> out;
  out.reserve(v->array.size());
  for (size_t i = 0; i < v->array.size(); ++i) {
    const JsonNode& h = v->array[i];
    auto d = h.kind == JsonNode::Kind::kString ? Digest::FromBase64(h.string) : std::nullopt;
    if (!d) {
      return Bad(std::string(key) + "[" + std::to_string(i) + "]", "is not a base64 32-byte hash");
    }
    out.push_back(*d);
  }
  return out;
}

void AppendJsonQuoted(std::string* out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  *out += '"';
  size_t run = 0;  // the start of the characters not yet copied
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s, run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\b':
        *out += "\\b";
        break;
      case '\f':
        *out += "\\f";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        *out += "\\u00";
        *out += kHex[c / 16];
        *out += kHex[c % 16];
    }
  }
  out->append(s, run, s.size() - run);
  *out += '"';
}

std::string JsonQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  AppendJsonQuoted(&out, s);
  return out;
}

std::string JsonDigestArray(const std::vector<Digest>& digests) {
  std::string out = "[";
  for (size_t i = 0; i < digests.size(); ++i) {
    if (i > 0) out += ", ";
    out += "\"" + digests[i].Base64() + "\"";
  }
  return out + "]";
}

}  // namespace dutyledger
