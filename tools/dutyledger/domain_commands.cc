// The domain's commands: the views (official, enterprise, park, lapses), which run as queries
// locally or on a server, and rebuild, which refolds the projection tables from the log.
#include <chrono>
#include <cstdio>
#include <list>
#include <optional>

#include "projections/domain_rules.h"
#include "tools/dutyledger/cli.h"

namespace dutyledger::cli {
namespace {

// The options every view shares.
struct ViewOptions {
  Location loc;
  std::string id, valid_at, known_at, lang = "en";
  bool json = false;
};

void AddViewOptions(CLI::App* cmd, ViewOptions* o) {
  AddLocationOptions(cmd, &o->loc);
  cmd->add_option("--valid-at", o->valid_at,
                  "The world as it was at this time, by when things occurred (RFC 3339, or a "
                  "date: the end of that day, UTC+8). Default: now");
  cmd->add_option("--known-at", o->known_at,
                  "Count only what was recorded by this time (RFC 3339 or a date). Default: "
                  "everything recorded");
  cmd->add_flag("--json", o->json, "JSON (projections/schema/views.capnp) instead of text");
  cmd->add_option("--lang", o->lang, "Language of the text: en or zh-CN")->capture_default_str();
}

QueryRequest ViewRequest(const std::string& name, const ViewOptions& o) {
  QueryRequest r{name, {}};
  if (!o.id.empty()) r.params["id"] = o.id;
  if (!o.valid_at.empty()) r.params["valid-at"] = o.valid_at;
  if (!o.known_at.empty()) r.params["known-at"] = o.known_at;
  if (o.json) r.params["json"] = "true";
  r.params["lang"] = o.lang;
  return r;
}

void AddView(CLI::App& app, Context& ctx, const char* name, const char* help, const char* id_help) {
  auto* cmd = app.add_subcommand(name, help);
  static std::list<ViewOptions> all;  // one per view command, as long as the app
  ViewOptions* o = &all.emplace_back();
  cmd->add_option("id", o->id, id_help)->required();
  AddViewOptions(cmd, o);
  cmd->callback([&ctx, o, name]() { RunQuery(ctx, o->loc, ViewRequest(name, *o)); });
}

void AddLapses(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "lapses",
      "Lapse signals (reference/domain.md §5) with their windows, duty holders and evidence");
  static ViewOptions o;
  static std::string scope, rule;
  AddViewOptions(cmd, &o);
  cmd->add_option("--scope", scope,
                  "park:ID (or jurisdiction:ID), enterprise:ID or official:ID. Default: all");
  cmd->add_option("--rule", rule, "One rule only, e.g. L8");
  cmd->callback([&ctx]() {
    QueryRequest r = ViewRequest("lapses", o);
    if (!scope.empty()) r.params["scope"] = scope;
    if (!rule.empty()) r.params["rule"] = rule;
    RunQuery(ctx, o.loc, r);
  });
}

void AddRebuild(CLI::App& app, Context& ctx) {
  AddMaintenanceCommand(
      app, ctx, "rebuild",
      "Drop every projection table and fold the whole log again (appends wait meanwhile)",
      [&ctx](Ledger& ledger) {
        // The digest before (when the tables are complete) shows whether the fold changed them.
        std::optional<Digest> before;
        if (!ledger.projections_rebuilding()) {
          auto d = ledger.ProjectionDigest();
          if (d.ok()) before = *d;
        }
        DomainRules rules(DomainRules::Options{DomainRules::Mode::kRefold});
        Progress progress("rebuild");
        auto start = std::chrono::steady_clock::now();
        Status s = ledger.RebuildProjections(
            rules, [&](uint64_t done, uint64_t total) { progress.Update(done, total); });
        if (!s.ok()) {
          ctx.exit_code = Fail(s);
          return;
        }
        double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        uint64_t n = ledger.size();
        std::printf("rebuilt the projection tables from %llu entries in %.2f s (%.0f entries/s)\n",
                    static_cast<unsigned long long>(n), seconds,
                    seconds > 0 ? static_cast<double>(n) / seconds : 0.0);
        auto after = ledger.ProjectionDigest();
        if (!after.ok()) {
          ctx.exit_code = Fail(after.status());
          return;
        }
        std::printf("projection digest %s%s\n", after->Hex().c_str(),
                    !before             ? " (the tables before were incomplete)"
                    : *before == *after ? " (identical to the tables before)"
                                        : " (the tables before differed: they were stale or "
                                          "altered)");
        // The fold loaded its rows as overlapping table files; merged, queries read one run.
        start = std::chrono::steady_clock::now();
        s = ledger.CompactProjections();
        if (!s.ok()) {
          ctx.exit_code = Fail(s);
          return;
        }
        std::printf(
            "compacted the tables in %.2f s\n",
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      });
}

}  // namespace

void RegisterDomainCommands(CLI::App& app, Context& ctx) {
  AddView(app, ctx, "official",
          "An official's dossier: posts, duties, actions, resourcing, accountability, lapses",
          "Official id");
  AddView(app, ctx, "enterprise", "An enterprise's compliance history and responsibility map",
          "Enterprise id");
  AddView(app, ctx, "park",
          "A park: first responsible persons, committee meetings and tasks, inspection coverage, "
          "blind spots, lapses",
          "Park (jurisdiction) id");
  AddLapses(app, ctx);
  AddRebuild(app, ctx);
}

}  // namespace dutyledger::cli
