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
      out->string = in.getString().cStr();
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
        out->object[i].first = o[i].getName().cStr();
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

Result<JsonNode> ParseJson(std::string_view text) {
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

std::string JsonQuote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out + "\"";
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
