# The signed event body and the ledger entry that wraps it. See ledger/FORMAT.md.
@0xe0de2d95a0321e11;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("dutyledger::schema");

using Json = import "/capnp/compat/json.capnp";
using Common = import "common.capnp";
using Identity = import "identity.capnp";
using Org = import "domain/organisation.capnp";
using Committee = import "domain/committee.capnp";
using Enterprise = import "domain/enterprise.capnp";
using Project = import "domain/project.capnp";
using Enforcement = import "domain/enforcement.capnp";
using Accident = import "domain/accident.capnp";
using Oversight = import "domain/oversight.capnp";
using Meta = import "domain/meta.capnp";

struct EventBody {
  # What a signer signs, in Cap'n Proto canonical form. Fields are only ever added, never
  # renumbered; event types are added as new union members.
  eventId @0 :Data $Common.uuid;         # 16 bytes chosen by the signer (UUIDv7 by default)
  origin @1 :Text;                       # the ledger's origin; an event is valid in one ledger only
  signerKeyId @2 :Data $Json.hex;        # SHA-256 of the signing key's SPKI
  occurredAt @3 :Common.Timestamp;       # valid time: when the signer says it happened
  schemaVersion @4 :UInt16;              # 1 for this schema

  union {
    unset @5 :Void;                      # no event type: always refused
    genesis @6 :Identity.Genesis;
    keyBound @7 :Identity.KeyBound;
    keyRevoked @8 :Identity.KeyRevoked;
    note @9 :Identity.Note;

    # A. Organisation and duty (组织与职责)
    jurisdictionRegistered @10 :Org.JurisdictionRegistered;
    organizationRegistered @11 :Org.OrganizationRegistered;
    officialAppointed @12 :Org.OfficialAppointed;
    officialLeftPost @13 :Org.OfficialLeftPost;
    dutyAssigned @14 :Org.DutyAssigned;
    dutyRevoked @15 :Org.DutyRevoked;
    industrySupervisionMapped @16 :Org.IndustrySupervisionMapped;
    dutyListPublished @17 :Org.DutyListPublished;
    resourcingRecorded @18 :Org.ResourcingRecorded;

    # B. Safety committee (安委会)
    safetyCommitteeConstituted @19 :Committee.SafetyCommitteeConstituted;
    committeeMeetingHeld @20 :Committee.CommitteeMeetingHeld;
    committeeDecisionRecorded @21 :Committee.CommitteeDecisionRecorded;
    committeeTaskStatusChanged @22 :Committee.CommitteeTaskStatusChanged;

    # C. Enterprise registry and main responsibility (主体责任)
    enterpriseRegistered @23 :Enterprise.EnterpriseRegistered;
    enterpriseProfileUpdated @24 :Enterprise.EnterpriseProfileUpdated;
    enterprisePrincipalChanged @25 :Enterprise.EnterprisePrincipalChanged;
    keyTargetChanged @26 :Enterprise.KeyTargetChanged;
    checklistVersionPublished @27 :Enterprise.ChecklistVersionPublished;
    enterpriseResponsibilityDeclared @28 :Enterprise.EnterpriseResponsibilityDeclared;
    standardizationGradeChanged @29 :Enterprise.StandardizationGradeChanged;
    permitStatusChanged @30 :Enterprise.PermitStatusChanged;

    # D. Investment gate and projects (招商引资安全关, 三同时)
    projectProposed @31 :Project.ProjectProposed;
    projectSafetyReviewed @32 :Project.ProjectSafetyReviewed;
    safetyPreAssessmentFiled @33 :Project.SafetyPreAssessmentFiled;
    safetyFacilityDesignReviewed @34 :Project.SafetyFacilityDesignReviewed;
    projectMilestoneReported @35 :Project.ProjectMilestoneReported;
    safetyFacilityAccepted @36 :Project.SafetyFacilityAccepted;
    phaseOutDecided @37 :Project.PhaseOutDecided;

    # E. Inspection, hazards and rectification (检查、隐患、整改)
    inspectionPlanApproved @38 :Enforcement.InspectionPlanApproved;
    inspectionConducted @39 :Enforcement.InspectionConducted;
    hazardIdentified @40 :Enforcement.HazardIdentified;
    hazardSelfReported @41 :Enforcement.HazardSelfReported;
    hazardStatisticsFiled @42 :Enforcement.HazardStatisticsFiled;
    rectificationOrdered @43 :Enforcement.RectificationOrdered;
    rectificationPlanSubmitted @44 :Enforcement.RectificationPlanSubmitted;
    rectificationDeadlineChanged @45 :Enforcement.RectificationDeadlineChanged;
    rectificationReported @46 :Enforcement.RectificationReported;
    rectificationReviewed @47 :Enforcement.RectificationReviewed;
    hazardListing @48 :Enforcement.HazardListing;

    # F. Measures and sanctions (措施与处罚)
    onSiteMeasure @49 :Enforcement.OnSiteMeasure;
    caseAction @50 :Enforcement.CaseAction;
    penaltyNoticeServed @51 :Enforcement.PenaltyNoticeServed;
    penaltyDecided @52 :Enforcement.PenaltyDecided;
    resumptionDecided @53 :Enforcement.ResumptionDecided;
    closureAction @54 :Enforcement.ClosureAction;

    # G. Accidents (事故)
    accidentReported @55 :Accident.AccidentReported;
    accidentCasualtiesUpdated @56 :Accident.AccidentCasualtiesUpdated;
    investigationMilestone @57 :Accident.InvestigationMilestone;
    responsibilityFindingRecorded @58 :Accident.ResponsibilityFindingRecorded;

    # H. Oversight and accountability (监督问责)
    oversightConducted @59 :Oversight.OversightConducted;
    accountabilityMeasureImposed @60 :Oversight.AccountabilityMeasureImposed;

    # Record-keeping
    recordWithdrawn @61 :Meta.RecordWithdrawn;
    lapseRuleParametersSet @62 :Meta.LapseRuleParametersSet;
    recordAccessed @63 :Meta.RecordAccessed;
  }

  # Envelope fields added with the domain (all optional).
  legalBasis @64 :List(Text);            # e.g. ["SPL2021#65(3)"]: law version # article
  documents @65 :List(Common.DocumentRef);  # documents this event rests on (by hash)
  supersedes @66 :Data $Common.uuid;     # a correction: the event id this one replaces
  correctionReason @67 :Text;            # why (required with supersedes)
  onBehalfOf @68 :Text;                  # the body an official acts for ("org:<id>")
}

struct Entry {
  # The ledger's record of one accepted event. Its canonical bytes are the Merkle leaf data.
  sequence @0 :UInt64;                   # gapless, from 0
  recordedAt @1 :Common.Timestamp;       # transaction time: the ledger's clock, UTC
  prevLeafHash @2 :Data $Json.base64;    # the leaf hash of entry sequence-1; 32 zero bytes for 0
  signature @3 :Data $Json.base64;       # over "dutyledger/event/v1\n" || body
  body @4 :Data;                         # the canonical EventBody bytes, exactly as signed
}
