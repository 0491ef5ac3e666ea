#include "tools/dutyledger/cli.h"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>

namespace dutyledger::cli {

int Fail(const Status& status) {
  std::fprintf(stderr, "dutyledger: %s\n", status.message().c_str());
  return kExitFailure;
}

int UsageError(const std::string& message) {
  std::fprintf(stderr, "dutyledger: %s\n", message.c_str());
  return kExitUsage;
}

Result<std::unique_ptr<Ledger>> OpenLedger(Context& ctx, const std::string& data, bool read_only,
                                           std::unique_ptr<Admission>* admission_out,
                                           size_t event_cache_bytes, size_t memo_bytes) {
  Ledger::Options options;
  options.clock = ctx.clock;
  options.read_only = read_only;
  options.event_cache_bytes = event_cache_bytes;
  options.memo_bytes = memo_bytes;
  if (!read_only && ctx.make_admission && admission_out != nullptr) {
    *admission_out = ctx.make_admission();
    options.admission = admission_out->get();
  }
  return Ledger::Open(data, options);
}

void AddMaintenanceCommand(CLI::App& app, Context& ctx, const std::string& name,
                           const std::string& help, std::function<void(Ledger&)> run) {
  auto* cmd = app.add_subcommand(name, help);
  auto data = std::make_shared<std::string>();
  cmd->add_option("--data", *data, "Ledger folder")->required();
  cmd->callback([&ctx, data, run = std::move(run)]() {
    auto ledger = OpenLedger(ctx, *data, /*read_only=*/false, nullptr);
    if (!ledger.ok()) {
      ctx.exit_code = Fail(ledger.status());
      return;
    }
    run(**ledger);
  });
}

Progress::Progress(std::string label) : label_(std::move(label)), tty_(::isatty(2) != 0) {}

Progress::~Progress() {
  if (shown_) std::fprintf(stderr, "\r\033[K");
}

void Progress::Update(uint64_t done, uint64_t total) {
  if (!tty_) return;
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now().time_since_epoch())
                    .count();
  if (done < total && now - last_ms_ < 100) return;
  last_ms_ = now;
  shown_ = true;
  double pct = total == 0 ? 100.0 : 100.0 * static_cast<double>(done) / static_cast<double>(total);
  std::fprintf(stderr, "\r%s: %llu/%llu (%.0f%%)\033[K", label_.c_str(),
               static_cast<unsigned long long>(done), static_cast<unsigned long long>(total), pct);
  std::fflush(stderr);
}

void AddLocationOptions(CLI::App* command, Location* location) {
  auto* data = command->add_option("--data", location->data, "Data folder");
  auto* server = command->add_option("--server", location->server,
                                     "A dutyledger server, HOST:PORT, instead of --data");
  command->add_option("--ca", location->ca, "CA certificate for the server's TLS certificate")
      ->needs(server);
  data->excludes(server);
}

QueryResponse AskQuery(Context& ctx, const Location& location, const QueryRequest& request,
                       const QueryOutput* out) {
  QueryResponse response;
  if (!location.server.empty()) {
    if (!ctx.remote_query) {
      response = QueryResponse::Usage("this dutyledger was built without the network client");
    } else {
      response = ctx.remote_query(location, request, out);
    }
  } else if (location.data.empty()) {
    response = QueryResponse::Usage("give --data DIR or --server HOST:PORT");
  } else {
    auto ledger = OpenLedger(ctx, location.data, /*read_only=*/true, nullptr);
    if (!ledger.ok()) {
      response = QueryResponse::Failed(ledger.status());
    } else {
      static const QueryRegistry registry = AllQueries();
      response = registry.Run(**ledger, request, out);
    }
  }
  return response;
}

void RunQuery(Context& ctx, const Location& location, const QueryRequest& request) {
  // Locally, a large report goes out as it is produced rather than held whole.
  const QueryOutput out = [](std::string_view part) {
    if (std::fwrite(part.data(), 1, part.size(), stdout) != part.size()) {
      return IOError(std::string("cannot write the output: ") + std::strerror(errno));
    }
    return Status::Ok();
  };
  QueryResponse response = AskQuery(ctx, location, request, &out);
  std::fwrite(response.output.data(), 1, response.output.size(), stdout);
  if (response.exit_code != 0) std::fprintf(stderr, "dutyledger: %s\n", response.error.c_str());
  ctx.exit_code = response.exit_code;
}

}  // namespace dutyledger::cli
