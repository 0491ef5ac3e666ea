#include "projections/tables.h"

namespace dutyledger::tables {

std::string Key(std::initializer_list<std::string_view> parts) {
  std::string key;
  bool first = true;
  for (std::string_view p : parts) {
    if (!first) key.push_back('\0');
    key.append(p);
    first = false;
  }
  return key;
}

std::string Prefix(std::initializer_list<std::string_view> parts) {
  std::string key = Key(parts);
  key.push_back('\0');
  return key;
}

std::string SeqPart(uint64_t seq) { return BigEndian64(seq); }

std::string TimePart(int64_t nanos) {
  return BigEndian64(static_cast<uint64_t>(nanos) ^ (uint64_t{1} << 63));
}

Status CheckTables(const Ledger& ledger) {
  if (ledger.projections_rebuilding()) {
    return FailedPrecondition(
        "the projection tables are incomplete (a rebuild is running or was interrupted): run "
        "`dutyledger rebuild --data DIR` before querying");
  }
  if (ledger.size() == 0) return Status::Ok();
  ASSIGN_OR_RETURN(auto version, ledger.GetProjection(Key({name::kMeta, kVersionKey})));
  std::string found = version.value_or("none");
  if (found != kProjectionVersion) {
    return FailedPrecondition(
        "the projection tables are version '" + found + "' and this dutyledger reads version '" +
        kProjectionVersion +
        "': run `dutyledger rebuild --data DIR` to fold the log into the current layout");
  }
  return Status::Ok();
}

}  // namespace dutyledger::tables
