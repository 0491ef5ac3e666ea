// The command line's side of the network: connecting to `dutyledger serve` from --server/--ca,
// and running queries there (Context::remote_query).
//
// A client certificate, for a server started with --client-ca, comes from the environment:
// DUTYLEDGER_TLS_CLIENT_CERT and DUTYLEDGER_TLS_CLIENT_KEY (PEM files). A server started with
// --plaintext-loopback is reached with DUTYLEDGER_PLAINTEXT_LOOPBACK=1 instead of --ca.
#ifndef DUTYLEDGER_TOOLS_DUTYLEDGER_REMOTE_H_
#define DUTYLEDGER_TOOLS_DUTYLEDGER_REMOTE_H_

#include <memory>
#include <string>

#include "net/client.h"
#include "tools/dutyledger/cli.h"

namespace dutyledger::cli {

// kInvalidArgument (a usage error) when neither --ca nor the plaintext variable is given.
Result<net::ClientOptions> RemoteOptions(const std::string& server, const std::string& ca);
Result<std::unique_ptr<net::Client>> ConnectRemote(const Location& location);

// Runs `request` on the server at `location`; connection failures are exit code 1.
QueryResponse RemoteQuery(const Location& location, const QueryRequest& request,
                          const QueryOutput* out = nullptr);

// `append --server`: events signed here, appended there. When the connection is lost before the
// answer, Append reconnects and resubmits the same signed bytes (the same event ids), which the
// ledger records at most once: a resubmission returns the original sequences as duplicates.
class RemoteAppender {
 public:
  static Result<std::unique_ptr<RemoteAppender>> Connect(const Location& location);
  const std::string& origin() const { return client_->info().origin; }
  Result<std::vector<AppendedEvent>> Append(std::vector<SignedEvent> events, size_t* failed_index);
  // Asks the server to sign a checkpoint for its current size; returns it.
  Result<StoredCheckpoint> SignCheckpoint();

 private:
  net::ClientOptions options_;
  std::unique_ptr<net::Client> client_;
};

// Registers serve, tail and bench-load (server_commands.cc).
void RegisterServerCommands(CLI::App& app, Context& ctx);

}  // namespace dutyledger::cli

#endif  // DUTYLEDGER_TOOLS_DUTYLEDGER_REMOTE_H_
