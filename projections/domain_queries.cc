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

// What every view checks and reads first: the tables are current, the language, T and K.
Result<std::pair<QueryTime, Lang>> SetUp(const Ledger& ledger, const QueryRequest& r) {
  RETURN_IF_ERROR(tables::CheckTables(ledger));
  ASSIGN_OR_RETURN(Lang lang, ParseLang(r.Get("lang").value_or("en")));
  SystemClock clock;
  ASSIGN_OR_RETURN(QueryTime time, QueryTime::Parse(ledger, clock, r.Get("valid-at").value_or(""),
                                                    r.Get("known-at").value_or("")));
  return std::make_pair(time, lang);
}

// Builds view V with `build` at the request's times and renders it as JSON or text.
template <typename V>
QueryResponse RunView(const Ledger& ledger, const QueryRequest& r,
                      const std::function<Status(ViewBuilder&, typename V::Builder)>& build,
                      std::string (*render)(typename V::Reader, Lang)) {
  auto setup = SetUp(ledger, r);
  if (!setup.ok()) return FromStatus(setup.status());
  auto [time, lang] = *setup;
  History history(ledger, time);
  ViewBuilder builder(history);
  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<V>();
  if (Status s = build(builder, root); !s.ok()) return FromStatus(s);
  if (r.Flag("json")) {
    return QueryResponse::Ok(ViewJson().StructToJson(root.asReader(), true) + "\n");
  }
  return QueryResponse::Ok(render(root.asReader(), lang));
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

// A value's JSON as the writer puts it `depth` lists and objects deep: capnp's layout indents
// every line after the first by two spaces a level, and decides nothing else by depth.
std::string Indented(const std::string& json, int depth) {
  std::string out;
  out.reserve(json.size() + json.size() / 16);
  const std::string pad(static_cast<size_t>(depth) * 2, ' ');
  for (char c : json) {
    out += c;
    if (c == '\n') out += pad;
  }
  return out;
}

// A lapse report's JSON written lapse by lapse, byte for byte what ViewToJson writes for the
// whole report (City.StreamedLapseReportIsTheWholeReport checks it): the head is taken from the
// report with its first lapse alone; a list of more than one has each element on its own line,
// one level deeper.
class JsonLapseWriter : public LapseReportWriter {
 public:
  explicit JsonLapseWriter(const QueryOutput& out) : out_(out) {}

  Status Begin(views::LapseReport::Reader header, uint64_t count) override {
    count_ = count;
    header_->setRoot(header);
    if (count == 0) {
      header_->getRoot<views::LapseReport>().initLapses(0);
      return out_(ViewToJson(header_->getRoot<views::LapseReport>().asReader()));
    }
    return Status::Ok();
  }

  Status Lapse(views::Lapse::Reader lapse) override {
    std::string json = ViewJson().StructToJson(lapse, true);
    if (written_++ > 0) return out_(",\n    " + Indented(json, 2));
    auto report = header_->getRoot<views::LapseReport>();
    report.initLapses(1).setWithCaveats(0, lapse);
    std::string alone = ViewJson().StructToJson(report.asReader(), true);
    const std::string tail = Indented(json, 1) + "] }";
    if (alone.size() < tail.size() ||
        alone.compare(alone.size() - tail.size(), tail.size(), tail)) {
      return Internal("lapse report: the JSON of a lapse is not laid out as in the whole report");
    }
    if (count_ == 1) return out_(alone + "\n");
    return out_(alone.substr(0, alone.size() - tail.size()) + "\n    " + Indented(json, 2));
  }

  Status End() override { return count_ > 1 ? out_(" ] }\n") : Status::Ok(); }

 private:
  const QueryOutput& out_;
  // Held by pointer: a message builder's destructor may throw, a writer's may not.
  std::unique_ptr<capnp::MallocMessageBuilder> header_ =
      std::make_unique<capnp::MallocMessageBuilder>();
  uint64_t count_ = 0;
  uint64_t written_ = 0;
};

class TextLapseWriter : public LapseReportWriter {
 public:
  TextLapseWriter(const QueryOutput& out, Lang lang) : out_(out), lang_(lang) {}
  Status Begin(views::LapseReport::Reader header, uint64_t count) override {
    count_ = count;
    return out_(RenderLapseReportHead(header, lang_));
  }
  Status Lapse(views::Lapse::Reader lapse) override { return out_(RenderLapse(lapse, lang_)); }
  Status End() override { return out_(RenderLapseReportTail(count_, lang_)); }

 private:
  const QueryOutput& out_;
  Lang lang_;
  uint64_t count_ = 0;
};

// lapses: derived subject by subject and written as it goes (a whole city's report is hundreds
// of megabytes); nothing is written unless every lapse was derived.
QueryResponse LapsesQuery(const Ledger& ledger, const QueryRequest& r, const QueryOutput& out) {
  auto setup = SetUp(ledger, r);
  if (!setup.ok()) return FromStatus(setup.status());
  auto [time, lang] = *setup;
  History history(ledger, time);
  ViewBuilder builder(history);
  JsonLapseWriter json(out);
  TextLapseWriter text(out, lang);
  LapseReportWriter& writer = r.Flag("json") ? static_cast<LapseReportWriter&>(json) : text;
  Status s = builder.StreamLapses(r.Get("scope").value_or(""), r.Get("rule").value_or(""), writer);
  if (!s.ok()) return FromStatus(s);
  return QueryResponse::Ok("");
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
  registry.RegisterStreaming("lapses", LapsesQuery);
}

}  // namespace dutyledger
