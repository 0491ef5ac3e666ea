// EnterpriseFile: an enterprise's history folded at valid time T, as recorded by K — its
// profile, inspections, hazards, orders, measures, cases, permits, projects, accidents,
// declarations — with, for every fact, the records it rests on. The enterprise view and the
// lapse rules both read it; nothing else interprets an enterprise's events.
#ifndef DUTYLEDGER_PROJECTIONS_ENTERPRISE_FILE_H_
#define DUTYLEDGER_PROJECTIONS_ENTERPRISE_FILE_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "projections/history.h"

namespace dutyledger {

struct InspectionFact {
  std::string id;
  Time at;
  schema::InspectionMode mode;
  std::vector<std::string> inspectors;
  bool no_findings = false;
  bool enterprise_signed = true;
  std::string plan, project;
  const Record* record = nullptr;
};

struct HazardFact {
  std::string id;
  schema::HazardGrade grade;  // as of T
  std::vector<std::pair<Time, schema::HazardGrade>> grades;
  std::string type, description, criteria, inspection;
  schema::HazardSource source;
  Time identified;
  std::optional<Time> major_since;  // when it was first known as major
  std::optional<Time> self_reported;
  std::optional<Time> listed, delisted;
  std::optional<Time> closed;  // review passed or delisted
  std::vector<std::string> orders;
  std::vector<const Record*> records;
};

struct OrderFact {
  std::string id, order_no, issued_by;
  Time issued;
  Time deadline;  // as extended, as of T
  struct Deadline {
    Time from;      // when it was set (the order's date, or the change's)
    Time deadline;  // the deadline set
    const Record* record;
  };
  std::vector<Deadline> deadlines;  // the first as ordered, then each change, in time order
  std::vector<std::string> hazards;
  std::vector<Time> reports;
  std::vector<std::pair<Time, bool>> reviews;  // (when, passed)
  const Record* issued_record = nullptr;
  std::vector<const Record*> records;
  bool passed() const { return !reviews.empty() && reviews.back().second; }
};

struct MeasureFact {
  std::string id;
  schema::MeasureKind kind;
  Time imposed;
  std::optional<Time> lifted;
  std::vector<std::string> hazards;
  std::vector<const Record*> records;
};

struct PenaltyFact {
  std::string case_id, decision_no;
  Time decided;
  std::vector<schema::PenaltyKind> kinds;
  int64_t total_yuan = 0;
  const Record* record = nullptr;
};

struct CaseFact {
  std::string id;
  Time opened;
  std::optional<Time> closed;
  std::vector<PenaltyFact> penalties;
  std::vector<const Record*> records;
};

struct ProjectFact {
  std::string id, name, promoter;
  bool high_risk = false;
  Time proposed;
  std::optional<Time> reviewed;
  schema::ReviewOutcome outcome = schema::ReviewOutcome::UNSPECIFIED;
  std::optional<Time> pre_assessed;
  std::optional<Time> design_reviewed;
  bool design_approved = false;
  std::map<schema::Milestone, Time> milestones;  // first time each was reported
  std::optional<Time> accepted_at;
  bool accepted = false;
  std::vector<std::pair<std::string, const Record*>> approvals;  // (signatory, record)
  struct Decision {
    Time at;
    bool approved;
    const Record* record;
  };
  std::vector<Decision> design_reviews, acceptances;  // every one, in time order
  std::vector<const Record*> records;
};

// An accident's class (《生产安全事故报告和调查处理条例》 Art 3) by its deaths, serious injuries
// and direct loss: 一般, 较大, 重大, 特别重大.
enum class AccidentClass { kGeneral, kLarger, kMajor, kExtraordinary };
AccidentClass ClassOf(uint32_t deaths, uint32_t serious, int64_t loss_yuan);

struct AccidentFact {
  std::string id;
  Time accident_at, known_at;
  bool road_or_fire = false;
  struct Report {
    Time reported_at;
    schema::ReportLevel level;
    std::string by, recipient;
    const Record* record;
  };
  std::vector<Report> reports;
  uint32_t deaths = 0, serious = 0, missing = 0;  // as of T
  int64_t loss = 0;
  std::vector<std::pair<Time, const Record*>> casualty_updates;
  // The accident's class over time (条例 Art 3), from the first report and each update: when it
  // was known, and the level the reports had to reach then (条例 Art 10: 一般 the city, 较大 the
  // province, 重大 and 特别重大 the State Council).
  struct Required {
    Time from;
    schema::ReportLevel level;
    const Record* record;  // the first report, or the update
  };
  std::vector<Required> required_level;
  std::vector<std::tuple<schema::InvestigationStage, Time, const Record*>> stages;
  std::vector<const Record*> records;
};

struct PermitFact {
  std::string id, type, org;
  schema::PermitStatus status;
  Time changed;
  const Record* record = nullptr;
};

// The enterprise's place from a date on: its registration, and every profile update that
// changed its jurisdiction or industry codes.
struct PlaceVersion {
  Time from;
  std::string jurisdiction;
  std::vector<std::string> industries;
  const Record* record = nullptr;
};

// An interval during which the enterprise was suspended (measure or penalty), for L14.
struct Suspension {
  Time from;
  std::optional<Time> until;
  const Record* record = nullptr;
};

class EnterpriseFile {
 public:
  // Folds the enterprise's stream up to T (as recorded by K). kNotFound if it was not
  // registered by then.
  static Result<EnterpriseFile> Load(History& history, const std::string& enterprise);

  std::string id, name, jurisdiction;
  std::vector<std::string> industries;  // as of T
  std::vector<PlaceVersion> places;     // over time, the last as of T
  schema::RiskClass risk = schema::RiskClass::UNSPECIFIED;
  bool key_target = false;
  std::vector<std::pair<Time, bool>> key_target_changes;
  bool foreign = false, emerging = false;
  std::string principal_person, legal_rep;
  uint8_t standardization = 0;
  bool closed = false, closure_requested = false;
  std::optional<Time> closure_requested_at;
  std::optional<Time> closed_at;    // the first closure action past the request
  const Record* closure = nullptr;  // its record
  Time registered;

  std::vector<InspectionFact> inspections;
  std::map<std::string, HazardFact> hazards;
  std::map<std::string, OrderFact> orders;
  std::map<std::string, MeasureFact> measures;
  std::map<std::string, CaseFact> cases;
  std::map<std::string, ProjectFact> projects;
  std::map<std::string, AccidentFact> accidents;
  std::map<std::string, PermitFact> permits;  // each permit's status as of T
  std::vector<PermitFact> permit_changes;     // every status change, in time order
  std::vector<Suspension> suspensions;
  std::vector<std::tuple<std::string, std::string, schema::ItemStatus, Time>> checklist;
  std::vector<std::pair<Time, const Record*>> statistics;
  std::vector<const Record*> records;      // everything folded (effective, occurred <= T)
  std::vector<const Record*> corrections;  // superseded or withdrawn records, and late ones

  bool SuspendedAt(Time t) const;
  // The place version in force at t (the first one before the registration).
  const PlaceVersion& PlaceAt(Time t) const;
  std::string Status() const;  // "active", "suspended", "closed" at T
};

}  // namespace dutyledger

#endif  // DUTYLEDGER_PROJECTIONS_ENTERPRISE_FILE_H_
