// The demo's generated city: counties, parks, bodies, officials with turnover, enterprises
// across industries and risk classes, and years of supervision, all signed by generated keys.
// The first park's first enterprise ends in an accident; with `failures` on, six failures of
// supervision are woven into the year before it (see CityStory).
//
// Deterministic for a seed: the same options give the same keys, ids and events.
#ifndef DUTYLEDGER_TOOLS_SCENARIO_CITY_H_
#define DUTYLEDGER_TOOLS_SCENARIO_CITY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tools/scenario/scenario.h"

namespace dutyledger::scenario {

struct CityOptions {
  uint64_t seed = 1;
  int enterprises = 300;  // across the city's parks (about 150 per park, two parks per county)
  int years = 3;          // of supervision before the accident
  bool failures = true;   // weave the failures into the accident enterprise's last year
};

// What the generator wove in, for the demo's report and the tests that check it is found.
struct CityStory {
  std::string park;                  // jurisdiction id
  std::string enterprise;            // the accident enterprise
  std::string accident;              // accident id
  Time accident_at;                  // when it happened
  std::string departing_inspector;   // inspector in charge who left (official id)
  std::string successor_inspector;   // inspector in charge after the handover
  std::string county_inspector;      // the county inspector who found the major hazard
  std::string park_safety_head;      // head of the park's safety-supervision body
  std::string county_safety_head;    // head of the county emergency management bureau
  std::string committee;             // the park's safety committee
  std::string major_hazard;          // (failure) found and not acted on
  std::string overdue_order;         // (failure) overdue and never followed up
  std::string project;               // (failure) accepted without a design review
  std::string backdated_inspection;  // (failure) recorded after the accident about before it
  std::vector<std::string> empty_inspections;  // (failure) no findings before the hazard
};

Scenario CityScenario(const CityOptions& options, CityStory* story);

}  // namespace dutyledger::scenario

#endif  // DUTYLEDGER_TOOLS_SCENARIO_CITY_H_
