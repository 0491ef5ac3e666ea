# The dutyledger wire protocol: Request and Response messages in Cap'n Proto stream framing
# (a segment table, then the segments), one message after another, over TLS 1.3.
#
# A client may send many requests without waiting (pipelining); each carries an id that its
# response(s) repeat, and responses may come in any order. A subscription and a large query
# answer with several responses under one id; the last has `final` set. Errors are responses
# too: the connection stays usable unless the framing itself is broken (then the server sends one
# error with id 0 and closes).
#
# Limits (the server's defaults; the hello response says what they are): a frame of at most
# 4 MiB and 64 segments, checked from the segment table before anything is allocated; decoding
# with a traversal limit of 2x the frame and a nesting limit of 16; at most 64 requests in flight
# per connection (beyond that the server stops reading: backpressure).
@0xd5e117f6ef49b608;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("dutyledger::net::proto");

const protocolVersion :UInt16 = 1;

struct Request {
  id @0 :UInt64;
  union {
    hello @1 :Void;
    append @2 :AppendRequest;
    readEntries @3 :ReadEntriesRequest;
    checkpoint @4 :CheckpointRequest;
    inclusionProof @5 :InclusionProofRequest;
    consistencyProof @6 :ConsistencyProofRequest;
    query @7 :QueryRequest;
    subscribe @8 :SubscribeRequest;
    cancel @9 :UInt64;  # ends the subscription with this request id
  }
}

struct SignedEvent {
  body @0 :Data;       # canonical EventBody bytes (ledger/FORMAT.md §2)
  signature @1 :Data;  # over "dutyledger/event/v1\n" || body
}

struct AppendRequest {
  events @0 :List(SignedEvent);  # appended atomically: all or none
}

struct ReadEntriesRequest {
  begin @0 :UInt64;
  count @1 :UInt32;  # at most this many; the server may return fewer (size limits)
}

struct CheckpointRequest {
  size @0 :UInt64;  # 0: the latest
  sign @1 :Bool;    # sign one for the current size first (if none exists for it)
}

struct InclusionProofRequest {
  sequence @0 :UInt64;
  treeSize @1 :UInt64;  # 0: the latest checkpoint's size
}

struct ConsistencyProofRequest {
  size1 @0 :UInt64;
  size2 @1 :UInt64;  # 0: the latest checkpoint's size
}

struct QueryRequest {
  name @0 :Text;
  params @1 :List(Param);
  struct Param {
    key @0 :Text;
    value @1 :Text;
  }
}

struct SubscribeRequest {
  from @0 :UInt64;  # the first sequence wanted
}

enum ErrorCode {
  unknown @0;
  invalidArgument @1;
  notFound @2;
  alreadyExists @3;
  permissionDenied @4;
  failedPrecondition @5;
  resourceExhausted @6;
  corruption @7;
  integrityViolation @8;
  unavailable @9;
  ioError @10;
  internal @11;
}

struct Error {
  code @0 :ErrorCode;
  message @1 :Text;
  failedIndex @2 :UInt32;  # for a refused append: the index of the refused event
  hasFailedIndex @3 :Bool;
}

struct Response {
  id @0 :UInt64;
  final @1 :Bool = true;  # false: more responses follow for this id
  union {
    error @2 :Error;
    hello @3 :ServerInfo;
    append @4 :List(AppendAck);
    entries @5 :Entries;
    checkpoint @6 :Text;  # the signed note (C2SP tlog-checkpoint)
    inclusionProof @7 :InclusionProof;
    consistencyProof @8 :ConsistencyProof;
    query @9 :QueryResult;
    subscription @10 :SubscriptionUpdate;
  }
}

struct ServerInfo {
  protocolVersion @0 :UInt16;
  origin @1 :Text;
  size @2 :UInt64;
  hashAlgorithm @3 :Text;     # "sha256" or "sm3"
  logVerifierKey @4 :Text;    # the checkpoint key, signed-note verifier text
  follower @5 :Bool;          # a verified follower: it does not take appends
  maxFrameBytes @6 :UInt32;
}

struct AppendAck {
  sequence @0 :UInt64;
  leafHash @1 :Data;
  duplicate @2 :Bool;  # identical bytes were recorded before; `sequence` is the original
}

struct Entries {
  begin @0 :UInt64;
  entries @1 :List(Data);  # canonical Entry bytes, sequences begin, begin + 1, ...
}

struct InclusionProof {
  leafIndex @0 :UInt64;
  treeSize @1 :UInt64;
  leafHash @2 :Data;
  root @3 :Data;
  proof @4 :List(Data);
}

struct ConsistencyProof {
  size1 @0 :UInt64;
  size2 @1 :UInt64;
  root1 @2 :Data;
  root2 @3 :Data;
  proof @4 :List(Data);
}

struct QueryResult {
  exitCode @0 :Int32;
  output @1 :Text;  # a chunk of the output; chunks concatenate in order (final: the last)
  error @2 :Text;
}

struct SubscriptionUpdate {
  size @0 :UInt64;       # the source's committed size when this was sent
  entries @1 :Entries;   # may be empty
  checkpoint @2 :Text;   # a newly stored checkpoint covering only entries already sent, or empty
}
