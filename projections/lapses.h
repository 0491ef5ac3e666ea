// Lapse rules (reference/domain.md §5): signals for a person to judge, never findings.
//
// Each rule has versioned parameters: the defaults of the domain study, replaced from their
// effective date on by lapseRuleParametersSet events (as recorded by K). Each lapse names the
// rule, the parameter version used, its window (start; end, or open at T), the subject, and the
// records it rests on; the views add the duty holders during the window.
//
// Implemented: L1–L12, L14, L15, L17, L18, L21, L22, L26, L29, L30.
#ifndef DUTYLEDGER_PROJECTIONS_LAPSES_H_
#define DUTYLEDGER_PROJECTIONS_LAPSES_H_

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "projections/enterprise_file.h"
#include "projections/history.h"

namespace dutyledger {

class LapseParameters {
 public:
  // The defaults plus every parameter set recorded by K.
  static Result<LapseParameters> Load(History& history);

  struct Value {
    double value;
    std::string version;  // "default" or the set's version
  };
  // The value of (rule, name) in force at t.
  Value Get(const std::string& rule, const std::string& name, Time t) const;

 private:
  struct Set {
    std::string version;
    int64_t from;
    std::map<std::pair<std::string, std::string>, double> values;
  };
  std::vector<Set> sets_;  // by effective time
};

struct LapseFinding {
  std::string rule;
  Time window_start;
  std::optional<Time> window_end;  // none: open at T
  std::string subject;             // "enterprise:E05", "jurisdiction:...", "duty:..."
  std::string summary;
  std::string summary_zh;  // the same in Chinese, in the terms of reference/domain.md §1
  std::string parameter_version = "default";
  std::vector<std::tuple<std::string, std::string, double>> parameters;
  std::vector<const Record*> evidence;
  std::optional<Place> place;              // whose duty holders to list
  std::vector<std::string> extra_holders;  // principals (signatories, owners, holders)
  // The places the subject had from later instants while the window was open (a move, an
  // industry changed), in time order: their duty holders answer for the window from then on.
  struct Move {
    Time at;
    Place place;
    const Record* record = nullptr;  // the profile update that made it
  };
  std::vector<Move> moves;

  // How the record comes to show the lapse (projections/RULES.md, "What a rule knew at T").
  enum class Shown {
    kAfterStart,     // a deadline running out at the window's start: reported after it (L3–L5,
                     // L9–L12, L15, L22, L21's relays)
    kAtStart,        // by the record at the window's start (L7 with no grace, L17, L18)
    kByLaterRecord,  // by the first evidence at or after the window's end (L6, L14, L29, L21's
                     // late unit report and late casualty update)
    kAfterGrace,     // the window's start plus `grace_nanos` running out (L1, L2, L8, L26, L7
                     // with a grace)
    kUndated,        // L30: about record time, its window ends at T
  };
  Shown shown = Shown::kAfterStart;
  int64_t grace_nanos = 0;

  // The instant the record showed the lapse, and the record that did (a report at valid time
  // `at` holds the lapse) or none (a deadline or a grace ran out at `at`: only a report after
  // it holds the lapse). None for kUndated.
  struct Sighting {
    Time at;
    const Record* by = nullptr;
  };
  std::optional<Sighting> ShownAt() const;
};

// The order a report lists lapses in: by window start, rule, subject (a stable sort keeps the
// order found among equals). Any type with those three members.
template <typename L>
bool LapseBefore(const L& a, const L& b) {
  if (a.window_start != b.window_start) return a.window_start < b.window_start;
  if (a.rule != b.rule) return a.rule < b.rule;
  return a.subject < b.subject;
}

struct RuleInfo {
  const char* id;
  const char* title;
  const char* title_zh;
};
const std::vector<RuleInfo>& LapseRules();
const RuleInfo* FindRule(const std::string& id);

class LapseEngine {
 public:
  LapseEngine(History& history, const LapseParameters& parameters)
      : history_(history), params_(parameters) {}

  // Enterprise rules: L1, L5–L12, L14, L15, L17, L18, L21, L22, L26 (its duties), L29, L30.
  Status Enterprise(const EnterpriseFile& file, std::vector<LapseFinding>* out);
  // Place rules for a jurisdiction: L2 (first responsible, committee chair), L3 (meetings),
  // L4 (committee tasks), L26 (duties over the place).
  Status Jurisdiction(const std::string& jurisdiction, std::vector<LapseFinding>* out);

 private:
  struct Param {
    double value;
  };
  double P(LapseFinding* f, const std::string& rule, const std::string& name, Time at);
  // L26 for the duties of `coverage` that ended in [ended_from, ended_before).
  Status Handovers(const std::vector<Coverage>& coverage, const std::string& subject,
                   const std::optional<Place>& place, int64_t ended_from, int64_t ended_before,
                   std::vector<LapseFinding>* out);
  Result<const Record*> DutyRecord(uint64_t seq);

  History& history_;
  const LapseParameters& params_;
  std::set<std::string> reported_duties_;
};

}  // namespace dutyledger

#endif  // DUTYLEDGER_PROJECTIONS_LAPSES_H_
