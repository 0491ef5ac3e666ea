// The Cap'n Proto seam of the protocol: frames (stream framing) and the Request/Response
// messages of net/protocol.capnp, turned into plain structs and back. Every Cap'n Proto reader of
// untrusted bytes lives in wire.cc, inside kj::runCatchingExceptions; errors come out as Status.
// No Asio here: the transports read frames with FrameHeader and hand the bytes to Decode*.
#ifndef DUTYLEDGER_NET_INTERNAL_WIRE_H_
#define DUTYLEDGER_NET_INTERNAL_WIRE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/status.h"
#include "net/protocol.h"
#include "projections/query.h"

namespace dutyledger::net::internal {

// Stream framing: a little-endian uint32 segment count minus one, a uint32 word count per
// segment, padding to 8 bytes, then the segments.
class FrameHeader {
 public:
  // From the first 4 bytes: how many more header bytes follow (the rest of the segment table,
  // padded). kResourceExhausted when the segment count is over the limit.
  static Result<size_t> RestOfTable(const uint8_t first4[4], const FrameLimits& limits);
  // From the whole table: the segment sizes in words. kResourceExhausted when the message would
  // be larger than max_frame_bytes (nothing has been allocated for it yet).
  static Result<std::vector<uint32_t>> SegmentWords(ByteView table, const FrameLimits& limits);
};

// The segments of one received frame, word-aligned.
struct Frame {
  std::vector<uint32_t> segment_words;
  std::vector<uint64_t> words;  // all segments back to back (8-byte aligned storage)
};

enum class RequestKind {
  kHello,
  kAppend,
  kReadEntries,
  kCheckpoint,
  kInclusionProof,
  kConsistencyProof,
  kQuery,
  kSubscribe,
  kCancel,
};

struct WireRequest {
  uint64_t id = 0;
  RequestKind kind = RequestKind::kHello;
  std::vector<SignedEvent> events;  // kAppend
  // kReadEntries: begin, count; kCheckpoint: size; kInclusionProof: sequence, tree size;
  // kConsistencyProof: size1, size2; kSubscribe: from; kCancel: the request id.
  uint64_t a = 0;
  uint64_t b = 0;
  bool sign = false;  // kCheckpoint
  QueryRequest query;
};

enum class ResponseKind {
  kError,
  kHello,
  kAppend,
  kEntries,
  kCheckpoint,
  kInclusionProof,
  kConsistencyProof,
  kQuery,
  kSubscription,
};

struct WireResponse {
  uint64_t id = 0;
  bool final = true;
  ResponseKind kind = ResponseKind::kError;
  Status error;  // kError
  std::optional<uint32_t> failed_index;
  ServerInfo info;                   // kHello
  std::vector<AppendedEvent> acks;   // kAppend
  SubscriptionUpdate entries;        // kEntries (begin, entries) and kSubscription
  std::string text;                  // kCheckpoint: the note; kQuery: an output chunk
  InclusionProofData inclusion;      // kInclusionProof
  ConsistencyProofData consistency;  // kConsistencyProof
  int exit_code = 0;                 // kQuery
  std::string query_error;           // kQuery

  static WireResponse Error(uint64_t id, const Status& status);
};

// Encoded frames (segment table included).
Bytes EncodeRequest(const WireRequest& request);
Bytes EncodeResponse(const WireResponse& response);

// kInvalidArgument with the reason when the frame is not a valid message of the type, or
// exceeds the traversal or nesting limits. Hashes must be 32 bytes.
Result<WireRequest> DecodeRequest(const Frame& frame, const FrameLimits& limits);
Result<WireResponse> DecodeResponse(const Frame& frame, const FrameLimits& limits);

// Approximate encoded size of an entries list, for keeping responses under the frame limit.
inline size_t EncodedEntryBytes(size_t entry_bytes) { return entry_bytes + 16; }

}  // namespace dutyledger::net::internal

#endif  // DUTYLEDGER_NET_INTERNAL_WIRE_H_
