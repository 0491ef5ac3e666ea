// Reading JSON Lines event files and signing them on the client, for local and remote append.
#ifndef DUTYLEDGER_TOOLS_DUTYLEDGER_EVENT_INPUT_H_
#define DUTYLEDGER_TOOLS_DUTYLEDGER_EVENT_INPUT_H_

#include <string>
#include <vector>

#include "ledger/json.h"
#include "ledger/keys.h"
#include "ledger/ledger.h"

namespace dutyledger::cli {

struct SignedInput {
  std::vector<SignedEvent> events;
  std::vector<size_t> line_numbers;  // the input line of each event (1-based)
};

// Reads `path` ('-' for standard input): one JSON event per line; blank lines and lines starting
// with '#' are skipped. Each event gets the defaults of EventJson::ParseEventBody and is signed
// by `key`. Errors name the line.
Result<SignedInput> ReadAndSignEvents(const std::string& path, const EventJson& json,
                                      const EventJson::Defaults& defaults, const PrivateKey& key);

}  // namespace dutyledger::cli

#endif  // DUTYLEDGER_TOOLS_DUTYLEDGER_EVENT_INPUT_H_
