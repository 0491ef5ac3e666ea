// DomainRules: who may sign what, and the fold of every domain event into the projection tables.
//
// Called by the ledger's single writer (through the Admission interface) for every event, after
// the ledger's own checks. In kAdmit mode it refuses events whose signer lacks the authority,
// whose references do not exist or whose transitions make no sense, naming the rule, the signer
// and the subject (projections/RULES.md is the table); then it writes the event's rows and
// subject-index rows. In kRefold mode (`dutyledger rebuild`) it skips the authority checks —
// they were made when the events were appended — and writes exactly the same rows.
//
// Not thread-safe; the ledger calls it from its writer thread only.
#ifndef DUTYLEDGER_PROJECTIONS_DOMAIN_RULES_H_
#define DUTYLEDGER_PROJECTIONS_DOMAIN_RULES_H_

#include <cstdint>
#include <string_view>

#include "ledger/admission.h"

namespace dutyledger {

class DomainRules final : public Admission {
 public:
  enum class Mode { kAdmit, kRefold };

  struct Options {
    Mode mode = Mode::kAdmit;
    // An event recorded this long after it occurred is marked late (lapse rule L30's default).
    int64_t late_threshold_nanos = 72 * 3600 * int64_t{1'000'000'000};
  };

  DomainRules() : DomainRules(Options{}) {}
  explicit DomainRules(Options options) : options_(options) {}

  Status Admit(const Candidate& candidate, AdmissionState& state) override;
  Status AuthorizeKeyEvent(const Candidate& candidate, std::string_view principal,
                           AdmissionState& state) override;

 private:
  Options options_;
};

}  // namespace dutyledger

#endif  // DUTYLEDGER_PROJECTIONS_DOMAIN_RULES_H_
