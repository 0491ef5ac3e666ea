// Scenarios: deterministic, signed histories of work-safety supervision, for the fixture of the
// domain tests and for `dutyledger demo`.
//
// A Scenario is a list of steps — (when it occurred, when it is recorded, who signs it, the event
// in its JSON form) — plus the actors' keys, all derived from a seed: the same seed gives the
// same keys, event ids and events.
#ifndef DUTYLEDGER_TOOLS_SCENARIO_SCENARIO_H_
#define DUTYLEDGER_TOOLS_SCENARIO_SCENARIO_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ledger/keys.h"
#include "ledger/ledger.h"
#include "ledger/time.h"
#include "tools/scenario/json_builder.h"

namespace dutyledger::scenario {

struct Step {
  Time at;            // occurredAt
  Time recorded_at;   // when the scenario records it (at + a delay; late records much later)
  std::string actor;  // who signs
  std::string type;   // the event type
  std::string json;   // the event (eventId and signerKeyId included)
};

class Scenario {
 public:
  Scenario(uint64_t seed, std::string origin, std::string root_principal);
  Scenario(Scenario&&) = default;
  Scenario& operator=(Scenario&&) = default;

  // Adds an actor with a key derived from the seed; returns its principal.
  const std::string& AddActor(const std::string& actor, const std::string& principal);
  const PrivateKey& KeyOf(const std::string& actor) const;
  const std::string& PrincipalOf(const std::string& actor) const;
  bool HasActor(const std::string& actor) const { return actors_.count(actor) > 0; }
  std::vector<std::string> Actors() const;  // in the order added

  // Appends a step: `type` is the union member, `body` its fields, `extra` envelope fields.
  // Recorded `delay` after `at` (default: 2 hours). Returns the event id (UUID text).
  std::string Emit(Time at, const std::string& actor, const std::string& type, const J& body,
                   const J& extra = J(), int64_t delay_nanos = 2 * Time::kNanosPerHour);

  const std::vector<Step>& steps() const { return steps_; }
  std::vector<Step>& mutable_steps() { return steps_; }
  const std::string& origin() const { return origin_; }
  const std::string& root_principal() const { return root_principal_; }
  uint64_t seed() const { return seed_; }
  // The ledger's genesis is made by `Ledger::Create` with KeyOf("root") at this time.
  Time start() const { return start_; }
  void set_start(Time t) { start_ = t; }

 private:
  struct Actor {
    std::string principal;
    std::unique_ptr<PrivateKey> key;
  };
  uint64_t seed_;
  std::string origin_;
  std::string root_principal_;
  Time start_;
  std::map<std::string, Actor> actors_;
  std::vector<std::string> actor_order_;
  std::vector<Step> steps_;
  uint64_t counter_ = 0;
};

// Keys and JSON for a KeyBound of `actor`'s key (signed by whoever emits it).
J KeyBoundBody(const Scenario& s, const std::string& actor);

// The fixture of the accountability-domain issue: one county, one park, three departments, eight
// officials, twenty enterprises, two years of events using every event type.
Scenario FixtureScenario(uint64_t seed);

// Writes a scenario as `dutyledger append` inputs: <dir>/keys/<actor>.key (mode 0600), and one
// JSON Lines file per run of consecutive steps by the same actor, listed in order in
// <dir>/manifest.txt as "<key file> <events file>" lines.
Status WriteAppendInputs(const Scenario& s, const std::string& dir);

// Plays a scenario into a ledger in process: creates it in `path` with the scenario's root key
// and appends the steps in order, moving `clock` to each step's recorded time. Batches
// consecutive steps by one actor recorded at the same time. Returns the ledger.
// `sync_commits` false: faster, not durable against power loss (Ledger::Options); `progress`
// (optional) is called with (steps done, steps) as it goes.
Result<std::unique_ptr<Ledger>> Play(const Scenario& s, const std::string& path, ManualClock& clock,
                                     Admission* admission, bool sync_commits = true,
                                     const std::function<void(size_t, size_t)>& progress = nullptr);

}  // namespace dutyledger::scenario

#endif  // DUTYLEDGER_TOOLS_SCENARIO_SCENARIO_H_
