#include "net/internal/wire.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <cstring>

#include "net/protocol.capnp.h"

namespace dutyledger::net::internal {
namespace {

namespace proto = ::dutyledger::net::proto;

constexpr StatusCode kCodes[] = {
    StatusCode::kInternal,          StatusCode::kInvalidArgument,  StatusCode::kNotFound,
    StatusCode::kAlreadyExists,     StatusCode::kPermissionDenied, StatusCode::kFailedPrecondition,
    StatusCode::kResourceExhausted, StatusCode::kCorruption,       StatusCode::kIntegrityViolation,
    StatusCode::kUnavailable,       StatusCode::kIOError,          StatusCode::kInternal,
};

proto::ErrorCode ToWire(StatusCode code) {
  for (size_t i = 1; i < std::size(kCodes); ++i) {
    if (kCodes[i] == code) return static_cast<proto::ErrorCode>(i);
  }
  return proto::ErrorCode::UNKNOWN;
}

StatusCode FromWire(proto::ErrorCode code) {
  auto i = static_cast<size_t>(code);
  return i < std::size(kCodes) ? kCodes[i] : StatusCode::kInternal;
}

capnp::Data::Reader AsData(ByteView b) {
  return capnp::Data::Reader(reinterpret_cast<const capnp::byte*>(b.data()), b.size());
}
Bytes ToBytes(capnp::Data::Reader d) {
  return Bytes(reinterpret_cast<const char*>(d.begin()), d.size());
}
std::string ToText(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }

Result<Digest> ToDigest(capnp::Data::Reader d, const char* field) {
  auto digest = Digest::FromBytes(ByteView(reinterpret_cast<const char*>(d.begin()), d.size()));
  if (!digest) return InvalidArgument(std::string(field) + ": a hash must be 32 bytes");
  return *digest;
}

Result<std::vector<Digest>> ToDigests(capnp::List<capnp::Data>::Reader list, const char* field) {
  std::vector<Digest> out;
  out.reserve(list.size());
  for (auto d : list) {
    ASSIGN_OR_RETURN(Digest digest, ToDigest(d, field));
    out.push_back(digest);
  }
  return out;
}

void SetDigests(capnp::List<capnp::Data>::Builder list, const std::vector<Digest>& v) {
  for (size_t i = 0; i < v.size(); ++i) list.set(static_cast<unsigned>(i), AsData(v[i].view()));
}

Bytes Encode(capnp::MallocMessageBuilder& message) {
  kj::Array<capnp::word> flat = capnp::messageToFlatArray(message);
  auto bytes = flat.asBytes();
  return Bytes(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

// Runs `fn(reader)` over the frame with the limits; kj exceptions become kInvalidArgument.
template <typename T, typename Fn>
Result<T> WithReader(const Frame& frame, const FrameLimits& limits, Fn&& fn) {
  std::vector<kj::ArrayPtr<const capnp::word>> segments;
  auto* base = reinterpret_cast<const capnp::word*>(frame.words.data());
  size_t at = 0;
  for (uint32_t w : frame.segment_words) {
    segments.push_back(kj::arrayPtr(base + at, w));
    at += w;
  }
  capnp::ReaderOptions options;
  options.traversalLimitInWords = frame.words.size() * 2 + 64;
  options.nestingLimit = limits.nesting_limit;
  std::optional<Result<T>> out;
  auto exception = kj::runCatchingExceptions([&] {
    capnp::SegmentArrayMessageReader reader(kj::arrayPtr(segments.data(), segments.size()),
                                            options);
    out.emplace(fn(reader));
  });
  KJ_IF_MAYBE (e, exception) {
    return InvalidArgument(std::string("malformed message: ") + e->getDescription().cStr());
  }
  return std::move(*out);
}

}  // namespace

Result<size_t> FrameHeader::RestOfTable(const uint8_t first4[4], const FrameLimits& limits) {
  uint32_t count_minus_one;
  std::memcpy(&count_minus_one, first4, 4);
  uint64_t count = uint64_t{count_minus_one} + 1;
  if (count > limits.max_segments) {
    return ResourceExhausted("a frame of " + std::to_string(count) + " segments is over the " +
                             std::to_string(limits.max_segments) + "-segment limit");
  }
  size_t table = 4 * (count + 1);
  table = (table + 7) / 8 * 8;
  return table - 4;
}

Result<std::vector<uint32_t>> FrameHeader::SegmentWords(ByteView table, const FrameLimits& limits) {
  uint32_t count_minus_one;
  std::memcpy(&count_minus_one, table.data(), 4);
  size_t count = size_t{count_minus_one} + 1;
  if (table.size() < 4 * (count + 1)) return Internal("segment table is short");
  std::vector<uint32_t> words(count);
  uint64_t total = table.size();
  for (size_t i = 0; i < count; ++i) {
    std::memcpy(&words[i], table.data() + 4 * (i + 1), 4);
    total += uint64_t{words[i]} * 8;
  }
  if (total > limits.max_frame_bytes) {
    return ResourceExhausted("a frame of " + std::to_string(total) + " bytes is over the " +
                             std::to_string(limits.max_frame_bytes) + "-byte limit");
  }
  return words;
}

WireResponse WireResponse::Error(uint64_t id, const Status& status) {
  WireResponse r;
  r.id = id;
  r.kind = ResponseKind::kError;
  r.error = status;
  return r;
}

Bytes EncodeRequest(const WireRequest& request) {
  capnp::MallocMessageBuilder message;
  auto r = message.initRoot<proto::Request>();
  r.setId(request.id);
  switch (request.kind) {
    case RequestKind::kHello:
      r.setHello();
      break;
    case RequestKind::kAppend: {
      auto events = r.initAppend().initEvents(static_cast<unsigned>(request.events.size()));
      for (size_t i = 0; i < request.events.size(); ++i) {
        events[i].setBody(AsData(request.events[i].body));
        events[i].setSignature(AsData(request.events[i].signature));
      }
      break;
    }
    case RequestKind::kReadEntries: {
      auto e = r.initReadEntries();
      e.setBegin(request.a);
      e.setCount(static_cast<uint32_t>(std::min<uint64_t>(request.b, UINT32_MAX)));
      break;
    }
    case RequestKind::kCheckpoint: {
      auto c = r.initCheckpoint();
      c.setSize(request.a);
      c.setSign(request.sign);
      break;
    }
    case RequestKind::kInclusionProof: {
      auto p = r.initInclusionProof();
      p.setSequence(request.a);
      p.setTreeSize(request.b);
      break;
    }
    case RequestKind::kConsistencyProof: {
      auto p = r.initConsistencyProof();
      p.setSize1(request.a);
      p.setSize2(request.b);
      break;
    }
    case RequestKind::kQuery: {
      auto q = r.initQuery();
      q.setName(request.query.name);
      auto params = q.initParams(static_cast<unsigned>(request.query.params.size()));
      unsigned i = 0;
      for (const auto& [k, v] : request.query.params) {
        params[i].setKey(k);
        params[i].setValue(v);
        ++i;
      }
      break;
    }
    case RequestKind::kSubscribe:
      r.initSubscribe().setFrom(request.a);
      break;
    case RequestKind::kCancel:
      r.setCancel(request.a);
      break;
  }
  return Encode(message);
}

Result<WireRequest> DecodeRequest(const Frame& frame, const FrameLimits& limits) {
  return WithReader<WireRequest>(
      frame, limits, [](capnp::MessageReader& reader) -> Result<WireRequest> {
        auto r = reader.getRoot<proto::Request>();
        WireRequest out;
        out.id = r.getId();
        switch (r.which()) {
          case proto::Request::HELLO:
            out.kind = RequestKind::kHello;
            break;
          case proto::Request::APPEND: {
            out.kind = RequestKind::kAppend;
            auto events = r.getAppend().getEvents();
            out.events.reserve(events.size());
            for (auto e : events) {
              out.events.push_back(SignedEvent{ToBytes(e.getBody()), ToBytes(e.getSignature())});
            }
            break;
          }
          case proto::Request::READ_ENTRIES:
            out.kind = RequestKind::kReadEntries;
            out.a = r.getReadEntries().getBegin();
            out.b = r.getReadEntries().getCount();
            break;
          case proto::Request::CHECKPOINT:
            out.kind = RequestKind::kCheckpoint;
            out.a = r.getCheckpoint().getSize();
            out.sign = r.getCheckpoint().getSign();
            break;
          case proto::Request::INCLUSION_PROOF:
            out.kind = RequestKind::kInclusionProof;
            out.a = r.getInclusionProof().getSequence();
            out.b = r.getInclusionProof().getTreeSize();
            break;
          case proto::Request::CONSISTENCY_PROOF:
            out.kind = RequestKind::kConsistencyProof;
            out.a = r.getConsistencyProof().getSize1();
            out.b = r.getConsistencyProof().getSize2();
            break;
          case proto::Request::QUERY: {
            out.kind = RequestKind::kQuery;
            auto q = r.getQuery();
            out.query.name = ToText(q.getName());
            for (auto p : q.getParams())
              out.query.params[ToText(p.getKey())] = ToText(p.getValue());
            break;
          }
          case proto::Request::SUBSCRIBE:
            out.kind = RequestKind::kSubscribe;
            out.a = r.getSubscribe().getFrom();
            break;
          case proto::Request::CANCEL:
            out.kind = RequestKind::kCancel;
            out.a = r.getCancel();
            break;
          default:
            return InvalidArgument("unknown request type " + std::to_string(r.which()) +
                                   " (a newer client?)");
        }
        return out;
      });
}

Bytes EncodeResponse(const WireResponse& response) {
  capnp::MallocMessageBuilder message;
  auto r = message.initRoot<proto::Response>();
  r.setId(response.id);
  r.setFinal(response.final);
  auto set_entries = [](proto::Entries::Builder b, const SubscriptionUpdate& u) {
    b.setBegin(u.begin);
    auto list = b.initEntries(static_cast<unsigned>(u.entries.size()));
    for (size_t i = 0; i < u.entries.size(); ++i) {
      list.set(static_cast<unsigned>(i), AsData(u.entries[i]));
    }
  };
  switch (response.kind) {
    case ResponseKind::kError: {
      auto e = r.initError();
      e.setCode(ToWire(response.error.code()));
      e.setMessage(response.error.message());
      if (response.failed_index) {
        e.setFailedIndex(*response.failed_index);
        e.setHasFailedIndex(true);
      }
      break;
    }
    case ResponseKind::kHello: {
      auto h = r.initHello();
      const ServerInfo& i = response.info;
      h.setProtocolVersion(i.protocol_version);
      h.setOrigin(i.origin);
      h.setSize(i.size);
      h.setHashAlgorithm(i.hash_algorithm);
      h.setLogVerifierKey(i.log_verifier_key);
      h.setFollower(i.follower);
      h.setMaxFrameBytes(i.max_frame_bytes);
      break;
    }
    case ResponseKind::kAppend: {
      auto acks = r.initAppend(static_cast<unsigned>(response.acks.size()));
      for (size_t i = 0; i < response.acks.size(); ++i) {
        acks[i].setSequence(response.acks[i].sequence);
        acks[i].setLeafHash(AsData(response.acks[i].leaf_hash.view()));
        acks[i].setDuplicate(response.acks[i].duplicate);
      }
      break;
    }
    case ResponseKind::kEntries:
      set_entries(r.initEntries(), response.entries);
      break;
    case ResponseKind::kCheckpoint:
      r.setCheckpoint(response.text);
      break;
    case ResponseKind::kInclusionProof: {
      auto p = r.initInclusionProof();
      const InclusionProofData& d = response.inclusion;
      p.setLeafIndex(d.leaf_index);
      p.setTreeSize(d.tree_size);
      p.setLeafHash(AsData(d.leaf_hash.view()));
      p.setRoot(AsData(d.root.view()));
      SetDigests(p.initProof(static_cast<unsigned>(d.proof.size())), d.proof);
      break;
    }
    case ResponseKind::kConsistencyProof: {
      auto p = r.initConsistencyProof();
      const ConsistencyProofData& d = response.consistency;
      p.setSize1(d.size1);
      p.setSize2(d.size2);
      p.setRoot1(AsData(d.root1.view()));
      p.setRoot2(AsData(d.root2.view()));
      SetDigests(p.initProof(static_cast<unsigned>(d.proof.size())), d.proof);
      break;
    }
    case ResponseKind::kQuery: {
      auto q = r.initQuery();
      q.setExitCode(response.exit_code);
      q.setOutput(response.text);
      q.setError(response.query_error);
      break;
    }
    case ResponseKind::kSubscription: {
      auto s = r.initSubscription();
      s.setSize(response.entries.source_size);
      set_entries(s.initEntries(), response.entries);
      s.setCheckpoint(response.entries.checkpoint);
      break;
    }
  }
  return Encode(message);
}

Result<WireResponse> DecodeResponse(const Frame& frame, const FrameLimits& limits) {
  return WithReader<WireResponse>(
      frame, limits, [](capnp::MessageReader& reader) -> Result<WireResponse> {
        auto r = reader.getRoot<proto::Response>();
        WireResponse out;
        out.id = r.getId();
        out.final = r.getFinal();
        auto get_entries = [](proto::Entries::Reader e, SubscriptionUpdate* u) {
          u->begin = e.getBegin();
          for (auto d : e.getEntries()) u->entries.push_back(ToBytes(d));
        };
        switch (r.which()) {
          case proto::Response::ERROR: {
            out.kind = ResponseKind::kError;
            auto e = r.getError();
            std::string message = ToText(e.getMessage());
            if (message.empty()) message = "(no message)";
            out.error = Status(FromWire(e.getCode()), std::move(message));
            if (e.getHasFailedIndex()) out.failed_index = e.getFailedIndex();
            break;
          }
          case proto::Response::HELLO: {
            out.kind = ResponseKind::kHello;
            auto h = r.getHello();
            out.info.protocol_version = h.getProtocolVersion();
            out.info.origin = ToText(h.getOrigin());
            out.info.size = h.getSize();
            out.info.hash_algorithm = ToText(h.getHashAlgorithm());
            out.info.log_verifier_key = ToText(h.getLogVerifierKey());
            out.info.follower = h.getFollower();
            out.info.max_frame_bytes = h.getMaxFrameBytes();
            break;
          }
          case proto::Response::APPEND: {
            out.kind = ResponseKind::kAppend;
            for (auto a : r.getAppend()) {
              ASSIGN_OR_RETURN(Digest leaf, ToDigest(a.getLeafHash(), "leafHash"));
              out.acks.push_back(AppendedEvent{a.getSequence(), leaf, a.getDuplicate()});
            }
            break;
          }
          case proto::Response::ENTRIES:
            out.kind = ResponseKind::kEntries;
            get_entries(r.getEntries(), &out.entries);
            break;
          case proto::Response::CHECKPOINT:
            out.kind = ResponseKind::kCheckpoint;
            out.text = ToText(r.getCheckpoint());
            break;
          case proto::Response::INCLUSION_PROOF: {
            out.kind = ResponseKind::kInclusionProof;
            auto p = r.getInclusionProof();
            InclusionProofData& d = out.inclusion;
            d.leaf_index = p.getLeafIndex();
            d.tree_size = p.getTreeSize();
            ASSIGN_OR_RETURN(d.leaf_hash, ToDigest(p.getLeafHash(), "leafHash"));
            ASSIGN_OR_RETURN(d.root, ToDigest(p.getRoot(), "root"));
            ASSIGN_OR_RETURN(d.proof, ToDigests(p.getProof(), "proof"));
            break;
          }
          case proto::Response::CONSISTENCY_PROOF: {
            out.kind = ResponseKind::kConsistencyProof;
            auto p = r.getConsistencyProof();
            ConsistencyProofData& d = out.consistency;
            d.size1 = p.getSize1();
            d.size2 = p.getSize2();
            ASSIGN_OR_RETURN(d.root1, ToDigest(p.getRoot1(), "root1"));
            ASSIGN_OR_RETURN(d.root2, ToDigest(p.getRoot2(), "root2"));
            ASSIGN_OR_RETURN(d.proof, ToDigests(p.getProof(), "proof"));
            break;
          }
          case proto::Response::QUERY: {
            out.kind = ResponseKind::kQuery;
            auto q = r.getQuery();
            out.exit_code = q.getExitCode();
            out.text = ToText(q.getOutput());
            out.query_error = ToText(q.getError());
            break;
          }
          case proto::Response::SUBSCRIPTION: {
            out.kind = ResponseKind::kSubscription;
            auto s = r.getSubscription();
            out.entries.source_size = s.getSize();
            get_entries(s.getEntries(), &out.entries);
            out.entries.checkpoint = ToText(s.getCheckpoint());
            break;
          }
          default:
            return InvalidArgument("unknown response type " + std::to_string(r.which()));
        }
        return out;
      });
}

}  // namespace dutyledger::net::internal
