// Queries: the read-only questions every front end asks the same way.
//
// A command such as `dutyledger official <id> --valid-at T --json` becomes a QueryRequest
// {name: "official", params: {id, valid-at, json}}. Locally the CLI runs it through the
// registry against its own ledger; remotely it sends the same request to `dutyledger serve`,
// which runs the same handler. So every query behaves identically wherever it runs, and a new
// query needs no server code.
//
// QueryRegistry is immutable after registration and thread-safe to run.
#ifndef DUTYLEDGER_PROJECTIONS_QUERY_H_
#define DUTYLEDGER_PROJECTIONS_QUERY_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/status.h"

namespace dutyledger {

struct QueryRequest {
  std::string name;
  // Named parameters, as the CLI spells its flags without dashes ("valid-at", "json", "seq").
  // Flags without a value have the value "true". Positional arguments use their help name.
  std::map<std::string, std::string> params;

  std::optional<std::string> Get(const std::string& key) const;
  bool Flag(const std::string& key) const;  // present and not "false"
};

struct QueryResponse {
  int exit_code = 0;   // 0 success, 1 integrity failure or not found, 2 usage error
  std::string output;  // what the CLI prints on standard output
  std::string error;   // one line for standard error when exit_code != 0

  static QueryResponse Ok(std::string output) { return {0, std::move(output), {}}; }
  static QueryResponse Usage(std::string error) { return {2, {}, std::move(error)}; }
  static QueryResponse Failed(const Status& s) { return {1, {}, s.message()}; }
};

using QueryHandler = std::function<QueryResponse(const Ledger&, const QueryRequest&)>;

// Where a query's output goes as it is produced (the CLI: standard output; a server: the
// client). An error stops the query (the reader is gone).
using QueryOutput = std::function<Status(std::string_view)>;
// A query whose output may be too large to hold (a lapse report over a whole city) writes it to
// `out` as it goes and leaves the response's output empty.
using StreamingQueryHandler =
    std::function<QueryResponse(const Ledger&, const QueryRequest&, const QueryOutput& out)>;

class QueryRegistry {
 public:
  void Register(std::string name, QueryHandler handler);
  void RegisterStreaming(std::string name, StreamingQueryHandler handler);
  // Unknown names give exit code 2. Never throws. With `out`, a streaming query's output goes
  // there as it is produced (and response.output holds only what other queries return);
  // without, every query's whole output is in response.output.
  QueryResponse Run(const Ledger& ledger, const QueryRequest& request,
                    const QueryOutput* out = nullptr) const;
  std::vector<std::string> Names() const;

 private:
  std::map<std::string, StreamingQueryHandler> handlers_;
};

// The ledger's own read queries: "show", "checkpoint", "proof-inclusion", "proof-consistency",
// "verify". Parameters are those of the commands of the same names.
void RegisterLedgerQueries(QueryRegistry& registry);

// The domain's views: "official", "enterprise", "park", "lapses" (projections/views.h).
void RegisterDomainQueries(QueryRegistry& registry);

// Every query dutyledger knows (ledger and domain), in one registry.
QueryRegistry AllQueries();

}  // namespace dutyledger

#endif  // DUTYLEDGER_PROJECTIONS_QUERY_H_
