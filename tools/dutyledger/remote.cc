#include "tools/dutyledger/remote.h"

#include <cstdlib>

#include "ledger/checkpoint.h"

namespace dutyledger::cli {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

}  // namespace

Result<net::ClientOptions> RemoteOptions(const std::string& server, const std::string& ca) {
  net::ClientOptions options;
  options.server = server;
  options.ca = ca;
  options.cert = Env("DUTYLEDGER_TLS_CLIENT_CERT");
  options.key = Env("DUTYLEDGER_TLS_CLIENT_KEY");
  options.plaintext = Env("DUTYLEDGER_PLAINTEXT_LOOPBACK") == "1";
  if (!options.plaintext && ca.empty()) {
    return InvalidArgument(
        "--ca is required with --server: the CA that signed the server's "
        "certificate");
  }
  return options;
}

Result<std::unique_ptr<net::Client>> ConnectRemote(const Location& location) {
  ASSIGN_OR_RETURN(net::ClientOptions options, RemoteOptions(location.server, location.ca));
  return net::Client::Connect(options);
}

QueryResponse RemoteQuery(const Location& location, const QueryRequest& request,
                          const QueryOutput* out) {
  auto client = ConnectRemote(location);
  if (!client.ok()) {
    return client.status().code() == StatusCode::kInvalidArgument
               ? QueryResponse::Usage(client.status().message())
               : QueryResponse::Failed(client.status());
  }
  return (*client)->Query(request, out);
}

Result<std::unique_ptr<RemoteAppender>> RemoteAppender::Connect(const Location& location) {
  auto appender = std::make_unique<RemoteAppender>();
  ASSIGN_OR_RETURN(appender->options_, RemoteOptions(location.server, location.ca));
  ASSIGN_OR_RETURN(appender->client_, net::Client::Connect(appender->options_));
  return appender;
}

Result<std::vector<AppendedEvent>> RemoteAppender::Append(std::vector<SignedEvent> events,
                                                          size_t* failed_index) {
  constexpr int kAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    auto result = client_->Append(events, failed_index);
    if (result.ok() || result.status().code() != StatusCode::kUnavailable || attempt == kAttempts) {
      return result;
    }
    auto reconnected = net::Client::Connect(options_);
    if (!reconnected.ok()) {
      return Unavailable(result.status().message() +
                         "; the events may or may not be recorded: run the same append again "
                         "only if the file gives every event an eventId");
    }
    client_ = std::move(*reconnected);
  }
}

Result<StoredCheckpoint> RemoteAppender::SignCheckpoint() {
  ASSIGN_OR_RETURN(std::string text, client_->Checkpoint(0, /*sign=*/true));
  ASSIGN_OR_RETURN(SignedNote note, ParseSignedNote(text));
  ASSIGN_OR_RETURN(Checkpoint cp, ParseCheckpointBody(note.body));
  ASSIGN_OR_RETURN(VerifierKey log_key, ParseVerifierKey(client_->info().log_verifier_key));
  RETURN_IF_ERROR(VerifyNoteSignature(note, cp.origin, log_key.key));
  return StoredCheckpoint{cp, note};
}

}  // namespace dutyledger::cli
