# Projection table rows: the domain state folded from the log (not part of the record; derived,
# written in the same batch as the entries, rebuilt byte for byte by `dutyledger rebuild`).
# Keys are listed in projections/tables.h. Times are Unix nanoseconds (valid time); `seq` fields
# are ledger sequences (transaction order). kForever = 0x7fffffffffffffff marks an open interval.
@0xbe90bf5eeba7d9d1;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("dutyledger::tables");

using Org = import "/ledger/schema/domain/organisation.capnp";
using Ent = import "/ledger/schema/domain/enterprise.capnp";
using Enf = import "/ledger/schema/domain/enforcement.capnp";
using Acc = import "/ledger/schema/domain/accident.capnp";
using Com = import "/ledger/schema/domain/committee.capnp";
using Prj = import "/ledger/schema/domain/project.capnp";

struct JurisdictionRow {
  name @0 :Text;
  kind @1 :Org.JurisdictionKind;
  parent @2 :Text;
  seq @3 :UInt64;
}

struct OrgRow {
  name @0 :Text;
  kind @1 :Org.OrganizationKind;
  jurisdiction @2 :Text;
  parentOrg @3 :Text;
  seq @4 :UInt64;
}

struct OfficialRow {
  name @0 :Text;
  seq @1 :UInt64;
}

struct PostRow {
  officialId @0 :Text;
  org @1 :Text;
  post @2 :Text;
  isHead @3 :Bool;
  from @4 :Int64;
  until @5 :Int64 = 0x7fffffffffffffff;
  fromSeq @6 :UInt64;
  untilSeq @7 :UInt64 = 0xffffffffffffffff;
}

struct DutyRow {
  dutyId @0 :Text;
  holder @1 :Text;
  role @2 :Org.DutyRole;
  scope @3 :Org.DutyScope;
  from @4 :Int64;
  until @5 :Int64 = 0x7fffffffffffffff;
  assignedSeq @6 :UInt64;
  revokedSeq @7 :UInt64 = 0xffffffffffffffff;
  succeeds @8 :Text;
  successor @9 :Text;
  revokedReason @10 :Text;
  plannedUntil @11 :Int64 = 0x7fffffffffffffff;
}

struct MappingRow {
  industryCode @0 :Text;
  org @1 :Text;
  jurisdiction @2 :Text;
  from @3 :Int64;
  ended @4 :Bool;
  closestBusiness @5 :Bool;
  seq @6 :UInt64;
}

enum EnterpriseStatus {
  active @0;
  suspended @1;   # a temporary suspension or a suspension-for-rectification is in force
  closed @2;
}

struct EnterpriseRow {
  name @0 :Text;
  jurisdiction @1 :Text;
  industryCodes @2 :List(Text);
  source @3 :Ent.RegistrationSource;
  foreignInvested @4 :Bool;
  emergingSector @5 :Bool;
  riskClass @6 :Ent.RiskClass;
  keyTarget @7 :Bool;
  employees @8 :UInt32;
  status @9 :EnterpriseStatus;
  seq @10 :UInt64;
  principalPerson @11 :Text;
  legalRepresentative @12 :Text;
  closureRequested @13 :Bool;
}

struct EnterpriseVersionRow {
  # The enterprise's attributes from `from` on (valid time), as recorded at `seq`.
  from @0 :Int64;
  seq @1 :UInt64;
  jurisdiction @2 :Text;
  industryCodes @3 :List(Text);
  riskClass @4 :Ent.RiskClass;
  keyTarget @5 :Bool;
  foreignInvested @6 :Bool;
  emergingSector @7 :Bool;
}

struct HazardRow {
  enterprise @0 :Text;
  grade @1 :Enf.HazardGrade;
  hazardType @2 :Text;
  criteriaRef @3 :Text;
  source @4 :Enf.HazardSource;
  identifiedAt @5 :Int64;
  seq @6 :UInt64;
  selfReported @7 :Bool;
  listed @8 :Bool;
  closed @9 :Bool;     # an order covering it passed review, or it was delisted
}

enum OrderState {
  issued @0;
  reported @1;    # the enterprise reported completion
  passed @2;      # review passed
  failed @3;      # review failed
}

struct OrderRow {
  enterprise @0 :Text;
  hazards @1 :List(Text);
  deadline @2 :Int64;
  issuedAt @3 :Int64;
  seq @4 :UInt64;
  state @5 :OrderState;
}

struct InspectionRow {
  enterprise @0 :Text;
  mode @1 :Enf.InspectionMode;
  at @2 :Int64;
  seq @3 :UInt64;
}

struct PlanRow {
  org @0 :Text;
  jurisdiction @1 :Text;
  kind @2 :Enf.PlanKind;
  seq @3 :UInt64;
}

struct ProjectRow {
  enterprise @0 :Text;
  jurisdiction @1 :Text;
  reviewOutcome @2 :Prj.ReviewOutcome;
  preAssessed @3 :Bool;
  designReviewed @4 :Bool;
  designApproved @5 :Bool;
  acceptance @6 :UInt8;         # 0 none, 1 accepted, 2 refused
  milestones @7 :UInt16;        # bit i set: Milestone ordinal i reported
  highRisk @8 :Bool;
  seq @9 :UInt64;
}

struct CommitteeRow {
  jurisdiction @0 :Text;
  chair @1 :Text;
  officeOrg @2 :Text;
  members @3 :List(Text);
  seq @4 :UInt64;
}

struct MeetingRow {
  committee @0 :Text;
  seq @1 :UInt64;
}

struct DecisionRow {
  committee @0 :Text;
  tasks @1 :List(Task);
  seq @2 :UInt64;

  struct Task {
    taskId @0 :Text;
    owner @1 :Text;
    due @2 :Int64;
    status @3 :Com.TaskStatus;
  }
}

struct CaseRow {
  enterprise @0 :Text;
  open @1 :Bool;
  suspension @2 :Bool;          # a suspension for rectification was decided
  seq @3 :UInt64;
}

struct MeasureRow {
  enterprise @0 :Text;
  kind @1 :Enf.MeasureKind;
  active @2 :Bool;
  seq @3 :UInt64;
}

struct PermitRow {
  enterprise @0 :Text;
  permitType @1 :Text;
  status @2 :Ent.PermitStatus;
  issuingOrg @3 :Text;
  seq @4 :UInt64;
}

struct AccidentRow {
  enterprise @0 :Text;
  accidentAt @1 :Int64;
  teamOrg @2 :Text;
  investigationOpened @3 :Bool;
  seq @4 :UInt64;
}

struct FindingRow {
  accident @0 :Text;
  subjectType @1 :Acc.FindingSubject;
  subjectId @2 :Text;
  seq @3 :UInt64;
}

struct ChecklistRow {
  version @0 :Text;
  codes @1 :List(Text);
  from @2 :Int64;
  seq @3 :UInt64;
}

struct CorrectionRow {
  # The event this row is filed under was superseded by (or withdrawn at) `seq`.
  seq @0 :UInt64;
  withdrawn @1 :Bool;
  reason @2 :Text;
}

struct LateRow {
  occurredAt @0 :Int64;
  recordedAt @1 :Int64;
  subjects @2 :List(Text);
}

struct ParameterSetRow {
  version @0 :Text;
  from @1 :Int64;
  parameters @2 :List(Parameter);
  seq @3 :UInt64;

  struct Parameter {
    rule @0 :Text;
    name @1 :Text;
    value @2 :Float64;
  }
}
