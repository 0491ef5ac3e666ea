// The investigation report (`dutyledger investigate`): for an accident, or an enterprise and a
// moment, the answers to the twelve questions of reference/domain.md §6, each statement citing
// the entries it rests on, computed against one signed checkpoint. Text (100 columns), JSON
// (views.capnp InvestigationReport) and a self-contained HTML page with an SVG timeline.
#ifndef DUTYLEDGER_PROJECTIONS_INVESTIGATION_H_
#define DUTYLEDGER_PROJECTIONS_INVESTIGATION_H_

#include <capnp/message.h>

#include <memory>
#include <string>

#include "ledger/ledger.h"
#include "projections/schema/views.capnp.h"
#include "projections/views.h"

namespace dutyledger {

struct InvestigationRequest {
  std::string incident;    // the accident's event id (UUID) or accident id; or empty and:
  std::string enterprise;  // an enterprise id, with
  std::string at;          // an RFC 3339 time
  Lang lang = Lang::kEn;
};

struct Investigation {
  std::unique_ptr<capnp::MallocMessageBuilder> message;
  views::InvestigationReport::Reader report;
};

// Reads only entries below the latest signed checkpoint's size (kFailedPrecondition when there
// is none). kInvalidArgument for a malformed request, kNotFound for an unknown incident or
// enterprise.
Result<Investigation> Investigate(const Ledger& ledger, const InvestigationRequest& request);

// The report in `format`: "text", "json" or "html" (kInvalidArgument names any other).
Status CheckInvestigationFormat(const std::string& format);
Result<std::string> RenderInvestigation(views::InvestigationReport::Reader report,
                                        const std::string& format);
std::string RenderInvestigationText(views::InvestigationReport::Reader report);
std::string RenderInvestigationHtml(views::InvestigationReport::Reader report);

// Committee replay with a diff: what the record of `a` (known at K) gained or lost by `b`
// (known at K2), written into `out`'s changes.
void DiffDecisions(views::DecisionsView::Reader a, views::DecisionsView::Reader b,
                   views::DecisionsView::Builder out);
std::string RenderDecisions(views::DecisionsView::Reader v, Lang lang);

}  // namespace dutyledger

#endif  // DUTYLEDGER_PROJECTIONS_INVESTIGATION_H_
