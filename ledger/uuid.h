// UUIDs (RFC 9562): the text form, and version 7 generation for event ids.
#ifndef DUTYLEDGER_LEDGER_UUID_H_
#define DUTYLEDGER_LEDGER_UUID_H_

#include <optional>
#include <string>
#include <string_view>

#include "ledger/bytes.h"
#include "ledger/time.h"

namespace dutyledger {

constexpr size_t kUuidSize = 16;

// "0190f7a2-6c1e-7b3a-9d2e-4f5a6b7c8d9e" from 16 bytes. REQUIRES: bytes.size() == 16.
std::string FormatUuid(ByteView bytes);
// The 16 bytes of a UUID in 8-4-4-4-12 hex form (either case); nullopt otherwise.
std::optional<Bytes> ParseUuid(std::string_view text);

// A version 7 UUID: 48-bit Unix milliseconds of `now`, then random bits (libsodium's CSPRNG).
Bytes NewUuidV7(Time now);

}  // namespace dutyledger

#endif  // DUTYLEDGER_LEDGER_UUID_H_
