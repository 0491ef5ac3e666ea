// Shared pieces of the dutyledger command line: exit codes, error reporting, progress, and the
// injected clock. Each command group registers its subcommands on the CLI11 app.
#ifndef DUTYLEDGER_TOOLS_DUTYLEDGER_CLI_H_
#define DUTYLEDGER_TOOLS_DUTYLEDGER_CLI_H_

#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "ledger/ledger.h"
#include "ledger/status.h"
#include "ledger/time.h"
#include "projections/query.h"

namespace dutyledger::cli {

// Exit status: 0 success, 1 an integrity failure or a refused event, 2 a usage error.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Where a command finds its ledger: a local data folder, or a server (`dutyledger serve`).
struct Location {
  std::string data;    // --data DIR
  std::string server;  // --server HOST:PORT
  std::string ca;      // --ca FILE: the CA certificate that signed the server's
};

// What every command gets from main().
struct Context {
  Clock* clock = nullptr;
  // The exit status the chosen command sets.
  int exit_code = kExitOk;
  // The domain's admission rules, when the projections library is linked in; else null.
  std::function<std::unique_ptr<Admission>()> make_admission;
  // Runs a query on a server; set by main() when the network client is linked in.
  // `out`: where a streamed reply goes as it arrives (nullptr: into the response).
  std::function<QueryResponse(const Location&, const QueryRequest&, const QueryOutput* out)>
      remote_query;
};

// Adds --data, --server and --ca to a command.
void AddLocationOptions(CLI::App* command, Location* location);

// Runs a query where `location` says (locally: a read-only open of the folder), prints its
// output and error, and sets ctx.exit_code.
void RunQuery(Context& ctx, const Location& location, const QueryRequest& request);
// The same, returning the response instead of printing it.
// With `out`, a streaming query run locally writes its output there as it goes.
QueryResponse AskQuery(Context& ctx, const Location& location, const QueryRequest& request,
                       const QueryOutput* out = nullptr);

// Prints "dutyledger: <message>" on stderr and returns the exit status for it: kExitUsage for a
// usage error, kExitFailure otherwise.
int Fail(const Status& status);
int UsageError(const std::string& message);

// Opens the ledger at `data` with the context's clock (and admission rules, when writing),
// keeping up to `event_cache_bytes` of the events its queries read and `memo_bytes` of the lapse
// memo (Ledger::Options).
Result<std::unique_ptr<Ledger>> OpenLedger(Context& ctx, const std::string& data, bool read_only,
                                           std::unique_ptr<Admission>* admission_out,
                                           size_t event_cache_bytes = 0, size_t memo_bytes = 0);

// Adds a command that works on a local ledger folder as its writer (rebuild, compact): --data
// DIR, the open and its failure, then `run` on the ledger (which sets ctx.exit_code if it fails).
void AddMaintenanceCommand(CLI::App& app, Context& ctx, const std::string& name,
                           const std::string& help, std::function<void(Ledger&)> run);

// A one-line progress indicator on stderr, shown only when stderr is a terminal.
class Progress {
 public:
  explicit Progress(std::string label);
  ~Progress();
  void Update(uint64_t done, uint64_t total);

 private:
  std::string label_;
  bool tty_;
  int64_t last_ms_ = 0;
  bool shown_ = false;
};

void RegisterLedgerCommands(CLI::App& app, Context& ctx);
void RegisterAuditCommands(CLI::App& app, Context& ctx);
void RegisterDomainCommands(CLI::App& app, Context& ctx);
void RegisterInvestigationCommands(CLI::App& app, Context& ctx);

}  // namespace dutyledger::cli

#endif  // DUTYLEDGER_TOOLS_DUTYLEDGER_CLI_H_
