// Network frames and messages (net/internal/wire.cc): the stream framing the server and client
// read (segment table, limits checked before allocating) and the Request/Response decoders, as
// FramedChannel::ReadFrame feeds them; and the HTTP API's tile paths (net/tiles.h). The first
// byte picks the parser. A decoded message re-encodes to a frame that decodes, and re-encoding
// that gives the same bytes.
#include <cstring>
#include <optional>

#include "net/internal/wire.h"
#include "net/tiles.h"
#include "tests/fuzz/fuzz_check.h"

using namespace dutyledger;
using namespace dutyledger::net;
using namespace dutyledger::net::internal;

namespace {

// The frame at the start of `in`, read as the transport reads it; nullopt when a limit refuses
// it or the bytes end first.
std::optional<Frame> ReadFrame(ByteView in, const FrameLimits& limits) {
  if (in.size() < 4) return std::nullopt;
  auto rest = FrameHeader::RestOfTable(reinterpret_cast<const uint8_t*>(in.data()), limits);
  if (!rest.ok()) return std::nullopt;
  if (in.size() < 4 + *rest) return std::nullopt;
  auto words = FrameHeader::SegmentWords(in.substr(0, 4 + *rest), limits);
  if (!words.ok()) return std::nullopt;
  size_t total = 0;
  for (uint32_t w : *words) total += w;
  FUZZ_CHECK(total * 8 + 4 + *rest <= limits.max_frame_bytes, "the limit holds");
  ByteView body = in.substr(4 + *rest);
  if (body.size() < total * 8) return std::nullopt;
  Frame frame;
  frame.segment_words = std::move(*words);
  frame.words.resize(total);
  if (total > 0) std::memcpy(frame.words.data(), body.data(), total * 8);
  return frame;
}

template <typename Decode, typename Encode>
void RoundTrip(ByteView in, const FrameLimits& limits, Decode decode, Encode encode) {
  auto frame = ReadFrame(in, limits);
  if (!frame) return;
  auto message = decode(*frame, limits);
  if (!message.ok()) {
    FUZZ_CHECK(!message.status().message().empty(), "a refusal says why");
    return;
  }
  Bytes once = encode(*message);
  auto frame2 = ReadFrame(once, FrameLimits{size_t{64} << 20, 64, 64});
  FUZZ_CHECK(frame2.has_value(), "a re-encoded message is one frame");
  auto again = decode(*frame2, FrameLimits{size_t{64} << 20, 64, 64});
  FUZZ_CHECK(again.ok(), again.status().ToString());
  // Text with an embedded NUL loses its tail once when encoded (kj::StringPtr); after that the
  // encoding must not change.
  Bytes twice = encode(*again);
  auto frame3 = ReadFrame(twice, FrameLimits{size_t{64} << 20, 64, 64});
  FUZZ_CHECK(frame3.has_value(), "a re-encoded message is one frame");
  auto third = decode(*frame3, FrameLimits{size_t{64} << 20, 64, 64});
  FUZZ_CHECK(third.ok(), third.status().ToString());
  FUZZ_CHECK(encode(*third) == twice, "re-encoding is stable");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  ByteView in = fuzz::AsText(data + 1, size - 1);
  FrameLimits limits;
  if (data[0] & 0x80) limits = FrameLimits{4096, 4, 4};  // small limits, so they are reached
  switch (data[0] & 0x3) {
    case 0:
      RoundTrip(in, limits, DecodeRequest, EncodeRequest);
      break;
    case 1:
      RoundTrip(in, limits, DecodeResponse, EncodeResponse);
      break;
    default:
      if (auto tile = ParseTilePath(in); tile.ok()) {
        std::string text = tile->ToString();
        auto again = ParseTilePath(text);
        FUZZ_CHECK(again.ok() && again->ToString() == text, text);
      }
      break;
  }
  return 0;
}
