// Crash-test child: appends to an existing ledger in a loop, in batches of random size, and
// prints "<sequence> <event id hex>" for every acknowledged event, flushed at once. The parent
// kills it with SIGKILL at random moments.
//
// usage: append_loop_child <data folder> <signer key file> <seed>
#include <cstdio>
#include <random>

#include "ledger/codec.h"
#include "ledger/json.h"
#include "ledger/ledger.h"
#include "ledger/uuid.h"

using namespace dutyledger;

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  SystemClock clock;
  auto key = PrivateKey::ReadPemFile(argv[2]);
  if (!key.ok()) {
    std::fprintf(stderr, "%s\n", key.status().ToString().c_str());
    return 1;
  }
  Ledger::Options options;
  options.clock = &clock;
  options.checkpoint_every_entries = 50;
  auto ledger = Ledger::Open(argv[1], options);
  if (!ledger.ok()) {
    std::fprintf(stderr, "%s\n", ledger.status().ToString().c_str());
    return 1;
  }
  std::mt19937_64 rng(std::strtoull(argv[3], nullptr, 10));
  EventJson json;
  EventJson::Defaults defaults{(*ledger)->origin(), (*key)->public_key().id(), &clock};
  for (uint64_t round = 0;; ++round) {
    size_t n = 1 + rng() % 40;
    std::vector<SignedEvent> batch;
    for (size_t i = 0; i < n; ++i) {
      auto body = json.ParseEventBody(
          "{\"occurredAt\": \"2017-02-27T09:00:00+08:00\", \"note\": {\"text\": \"round " +
              std::to_string(round) + " event " + std::to_string(i) + "\"}}",
          defaults);
      if (!body.ok()) return 1;
      auto sig = (*key)->Sign(EventSigningMessage(*body));
      batch.push_back(SignedEvent{*body, *sig});
    }
    std::vector<Bytes> ids;
    for (auto& e : batch) {
      auto v = EventView::Decode(e.body);
      ids.emplace_back(reinterpret_cast<const char*>(v->body().getEventId().begin()), 16);
    }
    auto r = (*ledger)->Append(std::move(batch));
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
      return 1;
    }
    for (size_t i = 0; i < r->size(); ++i) {
      std::printf("%llu %s\n", static_cast<unsigned long long>((*r)[i].sequence),
                  HexEncode(ids[i]).c_str());
    }
    std::fflush(stdout);
  }
}
