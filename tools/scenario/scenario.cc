#include "tools/scenario/scenario.h"

#include <sys/stat.h>

#include <filesystem>

#include "ledger/codec.h"
#include "ledger/hash.h"
#include "ledger/json.h"
#include "ledger/uuid.h"

namespace dutyledger::scenario {

Scenario::Scenario(uint64_t seed, std::string origin, std::string root_principal)
    : seed_(seed),
      origin_(std::move(origin)),
      root_principal_(std::move(root_principal)),
      start_(*ParseRfc3339("2017-02-27T09:00:00+08:00")) {
  AddActor("root", root_principal_);
}

const std::string& Scenario::AddActor(const std::string& actor, const std::string& principal) {
  auto it = actors_.find(actor);
  if (it != actors_.end()) return it->second.principal;
  Digest seed = Sha256("dutyledger-scenario/" + std::to_string(seed_) + "/" + actor);
  auto key = PrivateKey::FromEd25519Seed(seed.view());
  DL_CHECK(key.ok());
  actor_order_.push_back(actor);
  return actors_.emplace(actor, Actor{principal, std::move(*key)}).first->second.principal;
}

const PrivateKey& Scenario::KeyOf(const std::string& actor) const {
  auto it = actors_.find(actor);
  DL_CHECK(it != actors_.end());
  return *it->second.key;
}

const std::string& Scenario::PrincipalOf(const std::string& actor) const {
  auto it = actors_.find(actor);
  DL_CHECK(it != actors_.end());
  return it->second.principal;
}

std::vector<std::string> Scenario::Actors() const { return actor_order_; }

std::string Scenario::Emit(Time at, const std::string& actor, const std::string& type,
                           const J& body, const J& extra, int64_t delay_nanos) {
  Time recorded = at.PlusNanos(delay_nanos);
  // A deterministic UUIDv7: the recording time, then bits derived from the seed and a counter.
  Digest d = Sha256("dutyledger-scenario-event/" + std::to_string(seed_) + "/" +
                    std::to_string(counter_++));
  Bytes id = d.bytes().substr(0, kUuidSize);
  uint64_t ms = static_cast<uint64_t>(recorded.unix_nanos / 1'000'000);
  for (int k = 0; k < 6; ++k) id[k] = static_cast<char>(ms >> (40 - 8 * k));
  id[6] = static_cast<char>(0x70 | (id[6] & 0x0f));
  id[8] = static_cast<char>(0x80 | (id[8] & 0x3f));
  std::string uuid = FormatUuid(id);
  J event;
  event.s("eventId", uuid)
      .s("origin", origin_)
      .s("signerKeyId", KeyOf(actor).public_key().id().Hex())
      .t("occurredAt", at)
      .o(type, body);
  std::string json = event.str();
  if (!extra.empty()) {
    std::string e = extra.str();
    json = json.substr(0, json.size() - 1) + ", " + e.substr(1);
  }
  steps_.push_back(Step{at, recorded, actor, type, std::move(json)});
  return uuid;
}

J KeyBoundBody(const Scenario& s, const std::string& actor) {
  const PublicKey& key = s.KeyOf(actor).public_key();
  return J()
      .o("key", J().s("algorithm", SignatureAlgorithmName(key.algorithm()))
                    .s("spki", Base64Encode(key.spki())))
      .s("principal", s.PrincipalOf(actor));
}

Status WriteAppendInputs(const Scenario& s, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir + "/keys", ec);
  if (ec) return IOError(dir + ": " + ec.message());
  for (const auto& actor : s.Actors()) {
    RETURN_IF_ERROR(s.KeyOf(actor).WritePemFile(dir + "/keys/" + actor + ".key"));
  }
  std::string manifest;
  size_t i = 0, file = 0;
  const auto& steps = s.steps();
  while (i < steps.size()) {
    size_t j = i;
    std::string lines;
    while (j < steps.size() && steps[j].actor == steps[i].actor) lines += steps[j++].json + "\n";
    char name[32];
    std::snprintf(name, sizeof name, "%05zu.jsonl", file++);
    std::string path = dir + "/" + name;
    RETURN_IF_ERROR(WriteNewFile(path, lines, 0644));
    manifest += "keys/" + steps[i].actor + ".key " + name + "\n";
    i = j;
  }
  return WriteNewFile(dir + "/manifest.txt", manifest, 0644);
}

Result<std::unique_ptr<Ledger>> Play(const Scenario& s, const std::string& path, ManualClock& clock,
                                     Admission* admission, bool sync_commits,
                                     const std::function<void(size_t, size_t)>& progress) {
  clock.Set(s.start());
  Ledger::InitParams init;
  init.origin = s.origin();
  init.authority = &s.KeyOf("root");
  init.root_principal = s.root_principal();
  Ledger::Options options;
  options.clock = &clock;
  options.admission = admission;
  options.checkpoint_every_entries = 1000;
  options.checkpoint_every_nanos = 24 * Time::kNanosPerHour;
  options.sync_commits = sync_commits;
  ASSIGN_OR_RETURN(auto ledger, Ledger::Create(path, init, options));
  EventJson json;
  const auto& steps = s.steps();
  size_t i = 0, batches = 0;
  while (i < steps.size()) {
    size_t j = i;
    std::vector<SignedEvent> batch;
    const PrivateKey& key = s.KeyOf(steps[i].actor);
    EventJson::Defaults defaults{s.origin(), key.public_key().id(), &clock};
    while (j < steps.size() && steps[j].actor == steps[i].actor &&
           steps[j].recorded_at == steps[i].recorded_at) {
      auto body = json.ParseEventBody(steps[j].json, defaults);
      if (!body.ok()) {
        return body.status().WithContext("scenario step " + std::to_string(j) + " (" +
                                         steps[j].type + ")");
      }
      auto sig = key.Sign(EventSigningMessage(*body));
      if (!sig.ok()) return sig.status();
      batch.push_back(SignedEvent{std::move(*body), std::move(*sig)});
      ++j;
    }
    if (steps[i].recorded_at > clock.Now()) clock.Set(steps[i].recorded_at);
    size_t failed = 0;
    auto r = ledger->Append(std::move(batch), &failed);
    if (!r.ok()) {
      return r.status().WithContext("scenario step " + std::to_string(i + failed) + " (" +
                                    steps[i + failed].type + " by " + steps[i].actor + ")");
    }
    i = j;
    if (progress && (++batches % 256 == 0 || i == steps.size())) progress(i, steps.size());
  }
  RETURN_IF_ERROR(ledger->SignCheckpoint().status());
  return ledger;
}

}  // namespace dutyledger::scenario
