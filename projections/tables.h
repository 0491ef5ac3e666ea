// The projection tables: their keys, and typed reading and writing of their rows.
//
// Every row lives in the ledger's projections column, written in the same atomic batch as the
// entry it folds. Keys are "<table>\0<id>[\0<more>]": ids may hold any text but control
// characters (admission refuses those), so '\0' separates key parts unambiguously. Rows are
// canonical Cap'n Proto messages of projections/schema/tables.capnp, validated on every read
// (a damaged or altered row fails closed). Table versions: kProjectionVersion below; `rebuild`
// writes it, and a ledger whose tables have another version must be rebuilt before queries.
#ifndef DUTYLEDGER_PROJECTIONS_TABLES_H_
#define DUTYLEDGER_PROJECTIONS_TABLES_H_

#include <capnp/message.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/admission.h"
#include "ledger/codec.h"
#include "ledger/ledger.h"
#include "projections/schema/tables.capnp.h"

namespace dutyledger::tables {

inline constexpr int64_t kForever = std::numeric_limits<int64_t>::max();
inline constexpr uint64_t kNoSeq = std::numeric_limits<uint64_t>::max();
// The tables' layout. 2: mj/ added, dx/i/ narrowed. 3: ej/ keeps every place an enterprise had.
inline constexpr char kProjectionVersion[] = "3";
inline constexpr char kVersionKey[] = "version";  // meta/version holds kProjectionVersion

// Whether queries may read the tables: no rebuild in progress or interrupted, and the tables'
// version is the one this build writes. kFailedPrecondition says what to run otherwise.
Status CheckTables(const Ledger& ledger);

// Builds a key from parts joined by '\0'.
std::string Key(std::initializer_list<std::string_view> parts);
// Key(parts) followed by a trailing '\0': the prefix of every longer key with these parts.
std::string Prefix(std::initializer_list<std::string_view> parts);
// 8-byte big-endian, so that keys sort numerically.
std::string SeqPart(uint64_t seq);
std::string TimePart(int64_t nanos);  // sign-flipped big-endian: sorts by time

// Table names (the first key part), each with its key layout.
namespace name {
inline constexpr std::string_view kMeta = "meta";
inline constexpr std::string_view kJurisdiction = "j";   // j/<id>
inline constexpr std::string_view kOrg = "o";            // o/<id>
inline constexpr std::string_view kOfficial = "p";       // p/<officialId>
inline constexpr std::string_view kPost = "pp";          // pp/<officialId>/<seq>
inline constexpr std::string_view kOrgMember = "po";     // po/<org>/<officialId>/<seq>
inline constexpr std::string_view kDuty = "d";           // d/<dutyId>
inline constexpr std::string_view kDutyIndex = "dx";     // dx/<kind>/<value>/<dutyId>
                                                         // (kind i: placeless scopes only)
inline constexpr std::string_view kMapping = "m";        // m/<industryCode>/<org>/<seq>
inline constexpr std::string_view kMappingPlace = "mj";  // mj/<jurisdiction>/<industryCode>/<org>
                                                         // (jurisdiction "": mapped for none)
inline constexpr std::string_view kEnterprise = "e";     // e/<id>
inline constexpr std::string_view kEnterpriseVersion = "ev";  // ev/<id>/<seq>
inline constexpr std::string_view kEnterpriseByPlace = "ej";  // ej/<jurisdiction>/<id>: every
                                                              // place it has had, not only the
                                                              // latest (a query at T filters)
inline constexpr std::string_view kHazard = "h";              // h/<id>
inline constexpr std::string_view kOrder = "r";               // r/<id>
inline constexpr std::string_view kInspection = "i";          // i/<id>
inline constexpr std::string_view kPlan = "pl";               // pl/<id>
inline constexpr std::string_view kProject = "pr";            // pr/<id>
inline constexpr std::string_view kCommittee = "c";           // c/<id>
inline constexpr std::string_view kMeeting = "cm";            // cm/<id>
inline constexpr std::string_view kDecision = "cd";           // cd/<id>
inline constexpr std::string_view kCase = "k";                // k/<id>
inline constexpr std::string_view kMeasure = "ms";            // ms/<id>
inline constexpr std::string_view kPermit = "pm";             // pm/<id>
inline constexpr std::string_view kAccident = "a";            // a/<id>
inline constexpr std::string_view kFinding = "f";             // f/<id>
inline constexpr std::string_view kChecklist = "cl";          // cl/<version>
inline constexpr std::string_view kCorrection = "x";          // x/<event id, 16 bytes>
inline constexpr std::string_view kLate = "lt";               // lt/<seq>
inline constexpr std::string_view kParameters = "lp";         // lp/<from>/<seq>
}  // namespace name

// Duty index kinds (dx/<kind>/...).
namespace scope {
inline constexpr std::string_view kHolder = "h";
inline constexpr std::string_view kJurisdiction = "j";
inline constexpr std::string_view kIndustry = "i";
inline constexpr std::string_view kEnterprise = "e";
inline constexpr std::string_view kOrg = "o";
inline constexpr std::string_view kCommittee = "c";
}  // namespace scope

// Reads and validates a row; nullopt when absent, kCorruption when the row does not decode.
template <typename T>
Result<std::optional<MessageView<T>>> Read(
    const std::function<Result<std::optional<Bytes>>(ByteView)>& get, std::string_view key) {
  auto row = get(key);
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<MessageView<T>>();
  auto view = MessageView<T>::Decode(**row, "projection row");
  if (!view.ok()) return view.status();
  return std::optional<MessageView<T>>(std::move(*view));
}

template <typename T>
Result<std::optional<MessageView<T>>> Read(const AdmissionState& state, std::string_view key) {
  return Read<T>([&](ByteView k) { return state.Get(k); }, key);
}

// Scans the rows under `prefix` through `scan` (a row source's Scan, ScanPrefix or
// ScanProjections, as `(prefix, visitor) -> Status`), handing each key and its row decoded as T
// to `fn` (which returns false to stop). A row that does not decode ends the scan with its
// error: a damaged row fails the read, it is never skipped.
template <typename T, typename ScanFn, typename Fn>
Status ScanRows(const ScanFn& scan, std::string_view prefix, const Fn& fn) {
  Status bad;
  Status s = scan(prefix, [&](ByteView key, ByteView value) {
    auto row = MessageView<T>::Decode(value, "projection row");
    if (!row.ok()) {
      bad = row.status();
      return false;
    }
    return fn(key, std::move(*row));
  });
  if (!s.ok()) return s;
  return bad;
}

// The canonical bytes of a row built by `fill`.
template <typename T>
Bytes Build(const std::function<void(typename T::Builder)>& fill) {
  capnp::MallocMessageBuilder message;
  fill(message.initRoot<T>());
  return CanonicalBytes(message);
}

// A copy of `row` changed by `change`.
template <typename T>
Bytes Modify(typename T::Reader row, const std::function<void(typename T::Builder)>& change) {
  capnp::MallocMessageBuilder message;
  message.setRoot(row);
  change(message.getRoot<T>());
  return CanonicalBytes(message);
}

}  // namespace dutyledger::tables

#endif  // DUTYLEDGER_PROJECTIONS_TABLES_H_
