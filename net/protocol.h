// The values the dutyledger protocol carries (net/protocol.capnp), as plain C++ types, and the
// limits both ends enforce. No Asio or Cap'n Proto types appear here.
#ifndef DUTYLEDGER_NET_PROTOCOL_H_
#define DUTYLEDGER_NET_PROTOCOL_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ledger/bytes.h"

namespace dutyledger::net {

// Size and nesting limits for decoding frames. Checked from the segment table before anything
// is allocated, and by the Cap'n Proto reader while decoding.
struct FrameLimits {
  size_t max_frame_bytes = size_t{4} << 20;  // the whole message: segment table and segments
  uint32_t max_segments = 64;
  int nesting_limit = 16;
};

// What the server says about itself (the hello response).
struct ServerInfo {
  uint16_t protocol_version = 0;
  std::string origin;
  uint64_t size = 0;
  std::string hash_algorithm;    // "sha256" / "sm3"
  std::string log_verifier_key;  // signed-note verifier key text of the checkpoint key
  bool follower = false;         // a verified follower; it does not take appends
  uint32_t max_frame_bytes = 0;
};

// One push of a subscription: entries from `begin` (canonical Entry bytes), and a newly stored
// checkpoint (signed note text) covering only entries already pushed, when there is one.
struct SubscriptionUpdate {
  uint64_t source_size = 0;
  uint64_t begin = 0;
  std::vector<Bytes> entries;
  std::string checkpoint;
};

}  // namespace dutyledger::net

#endif  // DUTYLEDGER_NET_PROTOCOL_H_
