// The investigation commands: investigate (the report, optionally with its evidence bundle),
// decisions (committee replay), and demo (a generated city ending in an accident, then the
// report on it).
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "ledger/bundle.h"
#include "ledger/witness.h"
#include "projections/domain_rules.h"
#include "projections/investigation.h"
#include "tools/dutyledger/cli.h"
#include "tools/scenario/city.h"

namespace dutyledger::cli {
namespace {

namespace fs = std::filesystem;

struct InvestigateOptions {
  Location loc;
  std::string incident, enterprise, at, format = "text", out, bundle, lang = "en";
};

// Writes the report where asked: --out FILE (replaced atomically) or standard output.
Status Emit(const std::string& out, const std::string& text) {
  if (out.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return Status::Ok();
  }
  return ReplaceFileAtomically(out, text, 0644);
}

// The report computed here (local ledger), with its evidence bundle when asked.
int InvestigateLocally(Context& ctx, const InvestigateOptions& o) {
  auto lang = ParseLang(o.lang);
  if (!lang.ok()) return Fail(lang.status());
  if (Status s = CheckInvestigationFormat(o.format); !s.ok()) return UsageError(s.message());
  if (o.incident.empty() == (o.enterprise.empty() || o.at.empty()) ||
      (!o.incident.empty() && (!o.enterprise.empty() || !o.at.empty()))) {
    return UsageError("give --incident <event-id>, or --enterprise <id> with --at <time>");
  }
  auto ledger = OpenLedger(ctx, o.loc.data, /*read_only=*/true, nullptr);
  if (!ledger.ok()) return Fail(ledger.status());
  InvestigationRequest request{o.incident, o.enterprise, o.at, *lang};
  auto inv = Investigate(**ledger, request);
  if (!inv.ok()) return Fail(inv.status());
  if (!o.bundle.empty()) {
    BundleOptions bo;
    bo.checkpoint_size = inv->report.getCheckpointSize();
    std::vector<uint64_t> seqs;
    for (uint64_t s : inv->report.getEvidenceSequences()) seqs.push_back(s);
    bo.sequences = seqs;
    Progress progress("bundle");
    bo.progress = [&](uint64_t done, uint64_t total) { progress.Update(done, total); };
    auto summary = ExportBundle(**ledger, o.bundle, bo);
    if (!summary.ok()) return Fail(summary.status().WithContext("--bundle " + o.bundle));
    std::fprintf(stderr,
                 "evidence bundle: %s (%llu entries cited, %llu written with key bindings, "
                 "checkpoint size %llu); check it with `dutyledger verify-bundle %s`\n",
                 o.bundle.c_str(), static_cast<unsigned long long>(seqs.size()),
                 static_cast<unsigned long long>(summary->entries),
                 static_cast<unsigned long long>(summary->tree_size), o.bundle.c_str());
  }
  auto text = RenderInvestigation(inv->report, o.format);
  if (!text.ok()) return UsageError(text.status().message());
  Status s = Emit(o.out, *text);
  return s.ok() ? kExitOk : Fail(s);
}

void AddInvestigate(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "investigate",
      "The duty-of-care report on an accident (or an enterprise at a moment): the twelve "
      "questions, each statement citing its entries, against a signed checkpoint");
  static InvestigateOptions o;
  AddLocationOptions(cmd, &o.loc);
  cmd->add_option("--incident", o.incident, "The accident: its event id (UUID) or accident id");
  cmd->add_option("--enterprise", o.enterprise, "An enterprise id (with --at)");
  cmd->add_option("--at", o.at, "The moment, RFC 3339 (with --enterprise)");
  cmd->add_option("--format", o.format, "text, json or html")->capture_default_str();
  cmd->add_option("--out", o.out, "Write the report to this file instead of standard output");
  cmd->add_option("--bundle", o.bundle,
                  "Also write the cited entries as an audit bundle in this folder (with --data)");
  cmd->add_option("--lang", o.lang, "en or zh-CN")->capture_default_str();
  cmd->callback([&ctx]() {
    if (o.loc.server.empty()) {
      ctx.exit_code = o.loc.data.empty() ? UsageError("give --data DIR or --server HOST:PORT")
                                         : InvestigateLocally(ctx, o);
      return;
    }
    if (!o.bundle.empty()) {
      ctx.exit_code = UsageError(
          "--bundle needs --data: export the bundle where the ledger is, or run `dutyledger "
          "export --seqs` there");
      return;
    }
    QueryRequest r{"investigate", {{"format", o.format}, {"lang", o.lang}}};
    if (!o.incident.empty()) r.params["incident"] = o.incident;
    if (!o.enterprise.empty()) r.params["enterprise"] = o.enterprise;
    if (!o.at.empty()) r.params["at"] = o.at;
    QueryResponse response = AskQuery(ctx, o.loc, r);
    if (response.exit_code != 0) {
      std::fprintf(stderr, "dutyledger: %s\n", response.error.c_str());
      ctx.exit_code = response.exit_code;
      return;
    }
    Status s = Emit(o.out, response.output);
    ctx.exit_code = s.ok() ? kExitOk : Fail(s);
  });
}

void AddDecisions(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "decisions",
      "A safety committee's meetings, decisions, tasks and follow-up as recorded by "
      "a time; with --diff-known-at, what the record gained between two times");
  static Location loc;
  static std::string committee, valid_at, known_at, diff, lang = "en";
  static bool json = false;
  AddLocationOptions(cmd, &loc);
  cmd->add_option("--committee", committee, "Committee id")->required();
  cmd->add_option("--valid-at", valid_at, "Task status as of this time (default: now)");
  cmd->add_option("--known-at", known_at, "As recorded by this time (default: everything)");
  cmd->add_option("--diff-known-at", diff, "Compare with the record as of this later time");
  cmd->add_flag("--json", json, "JSON (views.capnp DecisionsView)");
  cmd->add_option("--lang", lang, "en or zh-CN")->capture_default_str();
  cmd->callback([&ctx]() {
    QueryRequest r{"decisions", {{"committee", committee}, {"lang", lang}}};
    if (!valid_at.empty()) r.params["valid-at"] = valid_at;
    if (!known_at.empty()) r.params["known-at"] = known_at;
    if (!diff.empty()) r.params["diff-known-at"] = diff;
    if (json) r.params["json"] = "true";
    RunQuery(ctx, loc, r);
  });
}

struct DemoOptions {
  std::string data, format = "text", out, lang = "en";
  uint64_t seed = 1;
  int enterprises = 300, years = 3;
  bool without_failures = false;
};

int RunDemo(Context& ctx, const DemoOptions& o) {
  if (o.format != "text" && o.format != "html") {
    return UsageError("--format must be text or html, not '" + o.format + "'");
  }
  if (o.enterprises < 1 || o.enterprises > 100000) {
    return UsageError("--enterprises must be between 1 and 100000");
  }
  if (o.years < 1 || o.years > 30) return UsageError("--years must be between 1 and 30");
  auto lang = ParseLang(o.lang);
  if (!lang.ok()) return Fail(lang.status());
  std::string data = o.data;
  bool temporary = data.empty();
  if (temporary) {
    char tmpl[] = "/tmp/dutyledger-demo-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) return Fail(Internal("cannot make a temporary folder"));
    data = tmpl;
  }
  auto start = std::chrono::steady_clock::now();
  auto seconds = [&]() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  scenario::CityOptions co;
  co.seed = o.seed;
  co.enterprises = o.enterprises;
  co.years = o.years;
  co.failures = !o.without_failures;
  scenario::CityStory story;
  scenario::Scenario s = scenario::CityScenario(co, &story);
  std::fprintf(
      stderr, "generated %zu signed events: %d enterprises, %d years, seed %llu (%.1f s)\n",
      s.steps().size(), o.enterprises, o.years, static_cast<unsigned long long>(o.seed), seconds());
  {
    ManualClock clock(s.start());
    DomainRules rules;
    Progress progress("demo");
    auto ledger = scenario::Play(s, data, clock, &rules, /*sync_commits=*/false,
                                 [&](size_t done, size_t total) { progress.Update(done, total); });
    if (!ledger.ok()) {
      if (temporary) fs::remove_all(data);
      return Fail(ledger.status().WithContext("demo"));
    }
    std::fprintf(stderr, "recorded %llu entries in %s (%.1f s)\n",
                 static_cast<unsigned long long>((*ledger)->size()), data.c_str(), seconds());
  }
  InvestigateOptions io;
  io.loc.data = data;
  io.incident = story.accident;
  io.format = o.format;
  io.out = o.out;
  io.lang = o.lang;
  int code = InvestigateLocally(ctx, io);
  std::fprintf(
      stderr, "demo done in %.1f s%s\n", seconds(),
      temporary ? " (the ledger was temporary; pass --data DIR to keep it)"
                : (" — explore it: dutyledger park --data " + data + " " + story.park +
                   "; dutyledger lapses --data " + data + " --scope enterprise:" + story.enterprise)
                      .c_str());
  if (temporary) fs::remove_all(data);
  return code;
}

void AddDemo(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "demo",
      "Generate a city's supervision record, signed and verified, ending in an accident, "
      "and print the investigation report on it");
  static DemoOptions o;
  cmd->add_option("--data", o.data, "Keep the ledger in this (new or empty) folder");
  cmd->add_option("--seed", o.seed, "Seed: the same seed gives the same city")
      ->capture_default_str();
  cmd->add_option("--enterprises", o.enterprises, "Enterprises in the city")->capture_default_str();
  cmd->add_option("--years", o.years, "Years of supervision")->capture_default_str();
  cmd->add_option("--format", o.format, "text or html")->capture_default_str();
  cmd->add_option("--out", o.out, "Write the report to this file");
  cmd->add_option("--lang", o.lang, "en or zh-CN")->capture_default_str();
  cmd->add_flag("--without-failures", o.without_failures,
                "Handle the accident enterprise's last year by the book (for comparison)");
  cmd->callback([&ctx]() { ctx.exit_code = RunDemo(ctx, o); });
}

}  // namespace

void RegisterInvestigationCommands(CLI::App& app, Context& ctx) {
  AddInvestigate(app, ctx);
  AddDecisions(app, ctx);
  AddDemo(app, ctx);
}

}  // namespace dutyledger::cli
