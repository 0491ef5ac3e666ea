// The domain's read queries: "official", "enterprise", "park" and "lapses". Parameters are
// those of the commands of the same names: "id", "valid-at", "known-at", "json", "lang",
// "scope", "rule".
#include <capnp/message.h>

#include "ledger/json.h"
#include "projections/investigation.h"
#include "projections/query.h"
#include "projections/tables.h"
#include "projections/views.h"

namespace dutyledger {
namespace {

const EventJson& ViewJson() {
  static const EventJson* codec = new EventJson({
      capnp::Schema::from<views::EnterpriseView>(),
      capnp::Schema::from<views::OfficialView>(),
      capnp::Schema::from<views::ParkView>(),
      capnp::Schema::from<views::LapseReport>(),
      capnp::Schema::from<views::InvestigationReport>(),
      capnp::Schema::from<views::DecisionsView>(),
  });
  return *codec;
}

QueryResponse FromStatus(const Status& s) {
  if (s.code() == StatusCode::kInvalidArgument) return QueryResponse::Usage(s.message());
  return QueryResponse::Failed(s);
}

// Builds view V with `build` at the request's times and renders it as JSON or text.
template <typename V>
QueryResponse RunView(const Ledger& ledger, const QueryRequest& r,
                      const std::function<Status(ViewBuilder&, typename V::Builder)>& build,
                      std::string (*render)(typename V::Reader, Lang)) {
  if (Status s = tables::CheckTables(ledger); !s.ok()) return FromStatus(s);
  auto lang = ParseLang(r.Get("lang").value_or("en"));
  if (!lang.ok()) return FromStatus(lang.status());
  SystemClock clock;
  auto time = QueryTime::Parse(ledger, clock, r.Get("valid-at").value_or(""),
                               r.Get("known-at").value_or(""));
  if (!time.ok()) return FromStatus(time.status());
  History history(ledger, *time);
  ViewBuilder builder(history);
  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<V>();
  if (Status s = build(builder, root); !s.ok()) return FromStatus(s);
  if (r.Flag("json")) {
    return QueryResponse::Ok(ViewJson().StructToJson(root.asReader(), true) + "\n");
  }
  return QueryResponse::Ok(render(root.asReader(), *lang));
}

std::optional<QueryResponse> NeedId(const QueryRequest& r, const char* what) {
  if (!r.Get("id") || r.Get("id")->empty()) {
    return QueryResponse::Usage(std::string("needs the ") + what + " id");
  }
  return std::nullopt;
}

QueryResponse OfficialQuery(const Ledger& ledger, const QueryRequest& r) {
  if (auto bad = NeedId(r, "official")) return *bad;
  return RunView<views::OfficialView>(
      ledger, r, [&](ViewBuilder& b, auto out) { return b.Official(*r.Get("id"), out); },
      RenderOfficial);
}

QueryResponse EnterpriseQuery(const Ledger& ledger, const QueryRequest& r) {
  if (auto bad = NeedId(r, "enterprise")) return *bad;
  return RunView<views::EnterpriseView>(
      ledger, r, [&](ViewBuilder& b, auto out) { return b.Enterprise(*r.Get("id"), out); },
      RenderEnterprise);
}

QueryResponse ParkQuery(const Ledger& ledger, const QueryRequest& r) {
  if (auto bad = NeedId(r, "park")) return *bad;
  return RunView<views::ParkView>(
      ledger, r, [&](ViewBuilder& b, auto out) { return b.Park(*r.Get("id"), out); }, RenderPark);
}

QueryResponse LapsesQuery(const Ledger& ledger, const QueryRequest& r) {
  return RunView<views::LapseReport>(
      ledger, r,
      [&](ViewBuilder& b, auto out) {
        return b.Lapses(r.Get("scope").value_or(""), r.Get("rule").value_or(""), out);
      },
      RenderLapseReport);
}

QueryResponse InvestigateQuery(const Ledger& ledger, const QueryRequest& r) {
  InvestigationRequest q;
  q.incident = r.Get("incident").value_or("");
  q.enterprise = r.Get("enterprise").value_or("");
  q.at = r.Get("at").value_or("");
  auto lang = ParseLang(r.Get("lang").value_or("en"));
  if (!lang.ok()) return FromStatus(lang.status());
  q.lang = *lang;
  std::string format = r.Get("format").value_or("text");
  if (Status s = CheckInvestigationFormat(format); !s.ok()) return FromStatus(s);
  auto inv = Investigate(ledger, q);
  if (!inv.ok()) return FromStatus(inv.status());
  auto text = RenderInvestigation(inv->report, format);
  if (!text.ok()) return FromStatus(text.status());
  return QueryResponse::Ok(std::move(*text));
}

// decisions: the committee's record as known at K; with diff-known-at, what changed by K2.
QueryResponse DecisionsQuery(const Ledger& ledger, const QueryRequest& r) {
  std::string committee = r.Get("committee").value_or("");
  if (committee.empty()) return QueryResponse::Usage("needs --committee <id>");
  if (Status s = tables::CheckTables(ledger); !s.ok()) return FromStatus(s);
  auto lang = ParseLang(r.Get("lang").value_or("en"));
  if (!lang.ok()) return FromStatus(lang.status());
  SystemClock clock;
  auto build = [&](const std::string& known,
                   capnp::MallocMessageBuilder& m) -> Result<views::DecisionsView::Builder> {
    ASSIGN_OR_RETURN(auto time,
                     QueryTime::Parse(ledger, clock, r.Get("valid-at").value_or(""), known));
    History history(ledger, time);
    ViewBuilder builder(history);
    auto root = m.initRoot<views::DecisionsView>();
    RETURN_IF_ERROR(builder.Decisions(committee, root));
    return root;
  };
  capnp::MallocMessageBuilder first;
  auto a = build(r.Get("known-at").value_or(""), first);
  if (!a.ok()) return FromStatus(a.status());
  views::DecisionsView::Builder out = *a;
  capnp::MallocMessageBuilder second;
  if (auto k2 = r.Get("diff-known-at")) {
    auto b = build(*k2, second);
    if (!b.ok()) return FromStatus(b.status());
    out.setDiffKnownAt(b->asReader().getKnownAt());
    DiffDecisions(a->asReader(), b->asReader(), out);
  }
  if (r.Flag("json")) {
    return QueryResponse::Ok(ViewJson().StructToJson(out.asReader(), true) + "\n");
  }
  return QueryResponse::Ok(RenderDecisions(out.asReader(), *lang));
}

}  // namespace

std::string ViewToJson(capnp::DynamicStruct::Reader view) {
  return ViewJson().StructToJson(view, true) + "\n";
}

void RegisterDomainQueries(QueryRegistry& registry) {
  registry.Register("investigate", InvestigateQuery);
  registry.Register("decisions", DecisionsQuery);
  registry.Register("official", OfficialQuery);
  registry.Register("enterprise", EnterpriseQuery);
  registry.Register("park", ParkQuery);
  registry.Register("lapses", LapsesQuery);
}

}  // namespace dutyledger
