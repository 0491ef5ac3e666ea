# The views' output: what `official`, `enterprise`, `park`, `lapses` and `investigate` return.
# Their JSON form (--json) is this schema's, through the same codec as events (RFC 3339 times,
# base64 hashes, UUID text); fields are only ever added. The text forms render the same data.
@0xe2bfaafe97b445c0;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("dutyledger::views");

using Json = import "/capnp/compat/json.capnp";
using Common = import "/ledger/schema/common.capnp";

struct Evidence {
  # An entry a statement rests on.
  sequence @0 :UInt64;
  leafHash @1 :Data $Json.base64;   # RFC 6962 leaf hash: check it with `proof inclusion`
  eventId @2 :Data $Common.uuid;
  type @3 :Text;                    # event type
  signer @4 :Text;                  # the signer's principal
  occurredAt @5 :Common.Timestamp;
  recordedAt @6 :Common.Timestamp;
  late @7 :Bool;                    # recorded more than the late threshold after it occurred
  recordedAfterQuery @8 :Bool;      # recorded after the --valid-at time it is about
  superseded @9 :Bool;              # corrected by a later event (as known at --known-at)
  withdrawn @10 :Bool;
}

struct DutyHolder {
  # One way a duty reaches an enterprise (or place), with the interval it was held.
  holder @0 :Text;                  # "official:<id>" or "org:<id>"
  name @1 :Text;
  channel @2 :Text;                 # territorial, sector, comprehensive, inspectorInCharge, grid,
                                    # firstResponsible, partyFirstResponsible, portfolio,
                                    # committee, approval
  dutyId @3 :Text;                  # empty for an industry mapping or an approval
  via @4 :Text;                     # what matched: jurisdiction, industry code, enterprise...
  from @5 :Common.Timestamp;
  until @6 :Common.Timestamp;       # absent: still held
  throughBody @7 :Text;             # for an official reached through a body's duty: the body
  evidence @8 :List(Evidence);      # the assignment (and revocation) entries
}

struct Parameter {
  rule @0 :Text;
  name @1 :Text;
  value @2 :Float64;
}

struct Lapse {
  # A signal for a person to judge, never a finding.
  rule @0 :Text;                    # "L10"
  title @1 :Text;                   # "Order overdue"
  titleZh @2 :Text;                 # "整改逾期"
  parameterVersion @3 :Text;        # "default" or the LapseRuleParametersSet version
  parameters @4 :List(Parameter);
  windowStart @5 :Common.Timestamp;
  windowEnd @6 :Common.Timestamp;   # absent: still open at --valid-at
  subject @7 :Text;                 # "enterprise:E05", "jurisdiction:...", "committee:...", "duty:..."
  summary @8 :Text;
  holders @9 :List(DutyHolder);     # the duty holders during the window
  evidence @10 :List(Evidence);
  summaryZh @11 :Text;              # the summary in Chinese
  reachedThrough @12 :List(UInt32); # in an official's dossier (holders then empty): how the duty
                                    # reached the official, as indexes into its `reaches`
  shownAt @13 :Common.Timestamp;    # when the record showed the lapse (projections/RULES.md, "What
                                    # a rule knew at T"): a report at a valid time before it does
                                    # not hold the lapse. Absent for L30 (about record time)
  shownByRecord @14 :Bool;          # true: a record showed it (entry `shownBy`), and a report at
                                    # shownAt holds it; false: a deadline or grace ran out at
                                    # shownAt, and only a report after it holds it
  shownBy @15 :UInt64;              # with shownByRecord: the entry (also in `evidence`)
}

struct LapseReport {
  validAt @0 :Common.Timestamp;
  knownAt @1 :Common.Timestamp;
  scope @2 :Text;
  lapses @3 :List(Lapse);
}

struct Inspection {
  inspectionId @0 :Text;
  at @1 :Common.Timestamp;
  mode @2 :Text;
  inspectors @3 :List(Text);
  noFindings @4 :Bool;
  enterpriseSigned @5 :Bool;
  evidence @6 :Evidence;
}

struct Hazard {
  hazardId @0 :Text;
  grade @1 :Text;                   # as of --valid-at (reclassifications applied)
  hazardType @2 :Text;
  description @3 :Text;
  source @4 :Text;
  identifiedAt @5 :Common.Timestamp;
  selfReported @6 :Bool;
  listed @7 :Bool;
  closedAt @8 :Common.Timestamp;    # absent: open at --valid-at
  daysOpen @9 :Float64;
  orders @10 :List(Text);
  evidence @11 :List(Evidence);
}

struct Order {
  orderId @0 :Text;
  orderNo @1 :Text;
  issuedAt @2 :Common.Timestamp;
  issuedBy @3 :Text;
  deadline @4 :Common.Timestamp;    # as extended, as of --valid-at
  hazards @5 :List(Text);
  state @6 :Text;                   # issued, reported, passed, failed
  reportedAt @7 :Common.Timestamp;
  reviewedAt @8 :Common.Timestamp;
  daysOverdue @9 :Float64;          # past the deadline with no report
  evidence @10 :List(Evidence);
  deadlineChanges @11 :List(DeadlineChange);  # each extension (or shortening), in time order
}

struct DeadlineChange {
  # A rectification deadline changed (整改期限延长) as of --valid-at.
  changedAt @0 :Common.Timestamp;
  from @1 :Common.Timestamp;        # the deadline it replaced
  to @2 :Common.Timestamp;
  afterItPassed @3 :Bool;           # granted after the deadline it replaced had passed: the days
                                    # overdue before it stand (rule L10)
  evidence @4 :Evidence;
}

struct Measure {
  measureId @0 :Text;
  kind @1 :Text;
  imposedAt @2 :Common.Timestamp;
  liftedAt @3 :Common.Timestamp;
  evidence @4 :List(Evidence);
}

struct Penalty {
  caseId @0 :Text;
  decidedAt @1 :Common.Timestamp;
  kinds @2 :List(Text);
  totalYuan @3 :Int64;
  decisionNo @4 :Text;
  evidence @5 :Evidence;
}

struct Permit {
  permitId @0 :Text;
  permitType @1 :Text;
  status @2 :Text;
  changedAt @3 :Common.Timestamp;
  issuingOrg @4 :Text;
}

struct Project {
  projectId @0 :Text;
  name @1 :Text;
  stage @2 :Text;                   # proposed, reviewed, designApproved, underConstruction,
                                    # trialRun, accepted, inProduction
  reviewOutcome @3 :Text;
  preAssessed @4 :Bool;
  designApproved @5 :Bool;
  accepted @6 :Bool;
  productionStarted @7 :Bool;
  approvals @8 :List(DutyHolder);   # who signed what (channel "approval")
  evidence @9 :List(Evidence);
}

struct Accident {
  accidentId @0 :Text;
  accidentAt @1 :Common.Timestamp;
  knownToUnitHeadAt @2 :Common.Timestamp;
  reports @3 :List(Report);
  deaths @4 :UInt32;
  seriousInjuries @5 :UInt32;
  missing @6 :UInt32;
  directLossYuan @7 :Int64;
  grade @8 :Text;                   # 一般 / 较大 / 重大 / 特别重大, from the latest counts
  investigation @9 :List(Text);     # stages reached
  evidence @10 :List(Evidence);

  struct Report {
    reportedAt @0 :Common.Timestamp;
    level @1 :Text;
    by @2 :Text;
    recipient @3 :Text;
  }
}

struct ChecklistItem {
  version @0 :Text;
  code @1 :Text;
  status @2 :Text;
  declaredAt @3 :Common.Timestamp;
}

struct Correction {
  eventId @0 :Data $Common.uuid;
  type @1 :Text;
  withdrawn @2 :Bool;
  reason @3 :Text;
  original @4 :Evidence;
  by @5 :Evidence;
}

struct EnterpriseView {
  enterpriseId @0 :Text;
  name @1 :Text;
  jurisdiction @2 :Text;
  industryCodes @3 :List(Text);
  riskClass @4 :Text;
  keyTarget @5 :Bool;
  foreignInvested @6 :Bool;
  emergingSector @7 :Bool;
  status @8 :Text;                  # active, suspended, closed
  principalPerson @9 :Text;
  legalRepresentative @10 :Text;
  validAt @11 :Common.Timestamp;
  knownAt @12 :Common.Timestamp;
  responsibility @13 :List(DutyHolder);
  inspections @14 :List(Inspection);
  hazards @15 :List(Hazard);
  orders @16 :List(Order);
  measures @17 :List(Measure);
  penalties @18 :List(Penalty);
  permits @19 :List(Permit);
  projects @20 :List(Project);
  accidents @21 :List(Accident);
  checklist @22 :List(ChecklistItem);
  lateRecords @23 :List(Evidence);  # recorded after --valid-at, or late by the threshold
  corrections @24 :List(Correction);
  lapses @25 :List(Lapse);
  registeredAt @26 :Common.Timestamp;
  standardizationGrade @27 :UInt8;
}

struct Post {
  org @0 :Text;
  orgName @1 :Text;
  post @2 :Text;
  head @3 :Bool;
  from @4 :Common.Timestamp;
  until @5 :Common.Timestamp;
}

struct Action {
  # Something the official did or took part in.
  role @0 :Text;                    # signed, inspector, reviewer, signatory, chair, attendee, ...
  evidence @1 :Evidence;
  subject @2 :Text;                 # enterprise / committee / project it concerned
  summary @3 :Text;
}

struct Resourcing {
  org @0 :Text;
  periodStart @1 :Common.Timestamp;
  periodEnd @2 :Common.Timestamp;
  authorizedStaff @3 :UInt32;
  actualStaff @4 :UInt32;
  certifiedInspectors @5 :UInt32;
  trainingHours @6 :UInt32;
  budgetYuan @7 :Int64;
  evidence @8 :Evidence;
}

struct Received {
  # Oversight, findings and accountability the official received.
  kind @0 :Text;
  summary @1 :Text;
  evidence @2 :Evidence;
}

struct OfficialView {
  officialId @0 :Text;
  name @1 :Text;
  validAt @2 :Common.Timestamp;
  knownAt @3 :Common.Timestamp;
  posts @4 :List(Post);
  duties @5 :List(DutyHolder);      # duties held, directly or through a body, over time
  actions @6 :List(Action);
  actionCounts @7 :List(Count);
  resourcing @8 :List(Resourcing);
  received @9 :List(Received);
  lapses @10 :List(Lapse);          # lapses in the scope of the duties they held personally
                                    # (each lapse's `reachedThrough`: how the duty reached this
                                    # official; every holder: `lapses --scope official:<id>`)
  lateRecords @11 :List(Evidence);
  reaches @12 :List(DutyHolder);    # each way a duty reached the official that a lapse above
                                    # names, once, with its evidence (lapses refer to it by index)

  struct Count {
    role @0 :Text;
    type @1 :Text;
    count @2 :UInt32;
  }
}

struct Meeting {
  meetingId @0 :Text;
  at @1 :Common.Timestamp;
  type @2 :Text;
  chair @3 :Text;
  attendees @4 :List(Text);
  evidence @5 :Evidence;
}

struct Task {
  decisionId @0 :Text;
  taskId @1 :Text;
  description @2 :Text;
  owner @3 :Text;
  due @4 :Common.Timestamp;
  status @5 :Text;
  evidence @6 :List(Evidence);
}

struct Coverage {
  enterpriseId @0 :Text;
  name @1 :Text;
  keyTarget @2 :Bool;
  lastInspection @3 :Common.Timestamp;
  inspectionsLastYear @4 :UInt32;
  blindSpot @5 :Bool;               # no territorial or no sector supervisor at --valid-at
  blindSpotReason @6 :Text;
  riskClass @7 :Text;
  industryCodes @8 :List(Text);
  hazardsLastYear @9 :UInt32;       # in the year before --valid-at
  ordersLastYear @10 :UInt32;
  penaltiesLastYear @11 :UInt32;
  meanOrderDays @12 :Float64;       # mean days given to rectify (deadline - issue)
}

struct ParkView {
  jurisdictionId @0 :Text;
  name @1 :Text;
  validAt @2 :Common.Timestamp;
  knownAt @3 :Common.Timestamp;
  firstResponsible @4 :List(DutyHolder);   # 第一责任人 and 党政同责 over time
  committees @5 :List(Text);
  meetings @6 :List(Meeting);
  tasks @7 :List(Task);
  enterprises @8 :List(Coverage);
  lapses @9 :List(Lapse);
}

struct Peer {
  # An enterprise of the same park, industry class and risk class, for equal treatment (一视同仁).
  enterpriseId @0 :Text;
  name @1 :Text;
  riskClass @2 :Text;
  industryCodes @3 :List(Text);
  inspectionsLastYear @4 :UInt32;     # in the year before the report's moment
  hazardsLastYear @5 :UInt32;
  ordersLastYear @6 :UInt32;
  penaltiesLastYear @7 :UInt32;
  meanOrderDays @8 :Float64;          # mean days given to rectify (deadline - issue)
  subjectOfReport @9 :Bool;           # the enterprise the report is about
}

struct Finding {
  # One statement of an investigation report, with the entries it rests on.
  text @0 :Text;                      # in the report's language
  concern @1 :Bool;                   # a lapse signal or irregularity (false: a fact, or one
                                      # that weighs for the duty holder)
  evidence @2 :List(Evidence);
  holders @3 :List(Text);             # the duty holders it concerns
}

struct HolderLapses {
  holder @0 :Text;
  name @1 :Text;
  rules @2 :List(Text);               # the rules of the lapses naming them, e.g. "L8"
  lapses @3 :UInt32;
}

struct InvestigationReport {
  # `dutyledger investigate`: the twelve questions of reference/domain.md §6 for one enterprise
  # and moment, computed against one signed checkpoint.
  language @0 :Text;                  # "en" or "zh-CN"
  enterpriseId @1 :Text;
  enterpriseName @2 :Text;
  jurisdiction @3 :Text;
  incident @4 :Text;                  # the accident id, or empty (--enterprise --at)
  incidentEventId @5 :Data $Common.uuid;
  at @6 :Common.Timestamp;            # the moment investigated (the accident, or --at)
  checkpoint @7 :Text;                # the signed checkpoint (C2SP signed note) it rests on
  checkpointSize @8 :UInt64;          # only entries below this size are read
  questions @9 :List(Question);       # the twelve, in order
  enterprise @10 :EnterpriseView;     # at the moment, as recorded by the checkpoint
  responsibilityKnownThen @11 :List(DutyHolder);  # the map at the moment, as recorded by then
  meetings @12 :List(Meeting);        # the park's committee meetings in the year before
  tasks @13 :List(Task);              # their tasks
  resourcing @14 :List(Resourcing);   # of the bodies in the responsibility map
  peers @15 :List(Peer);              # the enterprise first, then its peers
  parkLapses @16 :List(Lapse);        # the park's own lapses (L2-L4) at the moment
  lapsesByHolder @17 :List(HolderLapses);
  evidenceSequences @18 :List(UInt64);  # every entry cited (what --bundle exports)

  struct Question {
    number @0 :UInt8;                 # 1..12
    title @1 :Text;
    findings @2 :List(Finding);
  }
}

struct DecisionsView {
  # `dutyledger decisions`: a committee's meetings, decisions and tasks as recorded by K, and
  # with --diff-known-at, what the record gained between K and K2.
  committeeId @0 :Text;
  validAt @1 :Common.Timestamp;
  knownAt @2 :Common.Timestamp;
  meetings @3 :List(Meeting);
  tasks @4 :List(Task);
  diffKnownAt @5 :Common.Timestamp;   # present with --diff-known-at
  changes @6 :List(Change);

  struct Change {
    kind @0 :Text;                    # meetingAdded, decisionAdded, taskAdded, taskChanged,
                                      # taskRemoved, meetingRemoved (K2 before K)
    summary @1 :Text;
    evidence @2 :List(Evidence);
  }
}
