// dutyledger: the command line. Thin: it wires the clock and the command groups together.
#include <CLI/CLI.hpp>

#include "projections/domain_rules.h"
#include "tools/dutyledger/cli.h"
#include "tools/dutyledger/remote.h"

int main(int argc, char** argv) {
  dutyledger::SystemClock clock;
  dutyledger::cli::Context ctx;
  ctx.clock = &clock;
  ctx.remote_query = dutyledger::cli::RemoteQuery;
  ctx.make_admission = [] { return std::make_unique<dutyledger::DomainRules>(); };
  CLI::App app{"dutyledger: a tamper-evident accountability ledger for work-safety supervision"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every command");
  dutyledger::cli::RegisterLedgerCommands(app, ctx);
  dutyledger::cli::RegisterAuditCommands(app, ctx);
  dutyledger::cli::RegisterDomainCommands(app, ctx);
  dutyledger::cli::RegisterInvestigationCommands(app, ctx);
  dutyledger::cli::RegisterServerCommands(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : dutyledger::cli::kExitUsage;
  }
  return ctx.exit_code;
}
