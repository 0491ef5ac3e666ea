#include "projections/query.h"

#include <exception>

namespace dutyledger {

std::optional<std::string> QueryRequest::Get(const std::string& key) const {
  auto it = params.find(key);
  if (it == params.end()) return std::nullopt;
  return it->second;
}

bool QueryRequest::Flag(const std::string& key) const {
  auto v = Get(key);
  return v && *v != "false";
}

void QueryRegistry::Register(std::string name, QueryHandler handler) {
  handlers_[std::move(name)] = [handler = std::move(handler)](
                                   const Ledger& ledger, const QueryRequest& request,
                                   const QueryOutput&) { return handler(ledger, request); };
}

void QueryRegistry::RegisterStreaming(std::string name, StreamingQueryHandler handler) {
  handlers_[std::move(name)] = std::move(handler);
}

QueryResponse QueryRegistry::Run(const Ledger& ledger, const QueryRequest& request,
                                 const QueryOutput* out) const {
  auto it = handlers_.find(request.name);
  if (it == handlers_.end()) return QueryResponse::Usage("unknown query '" + request.name + "'");
  try {
    if (out != nullptr) return it->second(ledger, request, *out);
    std::string streamed;
    QueryResponse response = it->second(ledger, request, [&](std::string_view part) {
      streamed.append(part);
      return Status::Ok();
    });
    response.output.insert(0, streamed);
    return response;
  } catch (const std::exception& e) {
    // Handlers return errors as values; this is a bug, reported rather than crashing a server.
    return {1, {}, std::string("internal error in query '") + request.name + "': " + e.what()};
  }
}

QueryRegistry AllQueries() {
  QueryRegistry registry;
  RegisterLedgerQueries(registry);
  RegisterDomainQueries(registry);
  return registry;
}

std::vector<std::string> QueryRegistry::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, handler] : handlers_) names.push_back(name);
  return names;
}

}  // namespace dutyledger
