# Enforcement (监管执法): plans and campaigns, inspections, hazards, rectification orders and their
# follow-up, listed supervision, on-site measures, cases, penalties, resumption and closure.
# Taxonomy groups E and F of reference/domain.md §4.
@0xa3aedb2af2c7b402;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("dutyledger::schema");

using Common = import "../common.capnp";

enum PlanKind {
  unspecified @0;
  annual @1;       # 年度监督检查计划
  campaign @2;     # 专项整治
  census @3;       # 摸底调查 (seed §4)
  landedProjectReaudit @4;  # 已落地项目排查 (seed §5)
}

struct InspectionPlanApproved {
  # 检查计划 / 专项整治 / 摸底调查.
  planId @0 :Text;
  kind @1 :PlanKind;
  name @2 :Text;
  org @3 :Text;                # the body that carries it out
  jurisdiction @4 :Text;
  windowStart @5 :Common.Timestamp;
  windowEnd @6 :Common.Timestamp;
  targets @7 :List(Target);

  struct Target {
    enterpriseId @0 :Text;
    timesPerYear @1 :UInt16;   # planned frequency
  }
}

enum InspectionMode {
  unspecified @0;
  routine @1;             # 日常检查
  keyTarget @2;           # 重点检查
  campaign @3;            # 专项检查
  unannounced @4;         # 暗查暗访（四不两直）
  complaint @5;           # 举报核查
  referral @6;            # 移交核查
  accident @7;            # 事故后检查
  followUp @8;            # 复查
  projectReaudit @9;      # 已落地项目排查
  enterpriseSelfCheck @10; # 企业自查
}

struct InspectionConducted {
  # 监督检查, with the 现场检查记录 signed by the inspectors and the enterprise (or its refusal).
  inspectionId @0 :Text;
  enterpriseId @1 :Text;
  mode @2 :InspectionMode;
  inspectors @3 :List(Text);   # official ids (or the enterprise's staff for a self-check)
  planId @4 :Text;
  projectId @5 :Text;          # for a project re-audit
  enterpriseRepresentative @6 :Text;
  enterpriseSigned @7 :Bool;   # the enterprise's responsible person signed the record
  refusalNote @8 :Text;        # if they refused to sign: the refusal, recorded and reported
  record @9 :Common.DocumentRef;  # 现场检查记录
  noFindings @10 :Bool;        # nothing found
  summary @11 :Text;
}

enum HazardGrade {
  unspecified @0;
  general @1;      # 一般事故隐患
  major @2;        # 重大事故隐患
}

enum HazardSource {
  unspecified @0;
  inspection @1;   # found by an inspector
  selfCheck @2;    # found by the enterprise
  complaint @3;    # 举报
  tour @4;         # 巡查
  accident @5;     # found after an accident
}

struct HazardIdentified {
  # 隐患认定. Recording an existing hazard id again with another grade is a reclassification.
  hazardId @0 :Text;
  enterpriseId @1 :Text;
  grade @2 :HazardGrade;
  criteriaRef @3 :Text;        # e.g. "MEM10-2023#3" (重大事故隐患判定标准 item)
  hazardType @4 :Text;         # category, e.g. "粉尘涉爆", "有限空间", "液氨制冷" (for recurrence)
  description @5 :Text;
  source @6 :HazardSource;
  inspectionId @7 :Text;
  evidence @8 :List(Common.DocumentRef);
}

struct HazardSelfReported {
  # 重大事故隐患报告 by the enterprise to the department and the workers' congress (Art 41, 双报告).
  hazardId @0 :Text;
  enterpriseId @1 :Text;
  reportedTo @2 :Text;         # org id
  workersCongressInformed @3 :Bool;
  treatmentPlan @4 :Common.DocumentRef;  # 治理方案
}

struct HazardStatisticsFiled {
  # 隐患排查治理统计表, quarterly or yearly, signed by the principal person.
  enterpriseId @0 :Text;
  periodStart @1 :Common.Timestamp;
  periodEnd @2 :Common.Timestamp;
  generalFound @3 :UInt32;
  generalFixed @4 :UInt32;
  majorFound @5 :UInt32;
  majorFixed @6 :UInt32;
  signedByPrincipal @7 :Bool;
}

struct FiveFixes {
  # 隐患“五定”: who, how, by when, doer and acceptor of a rectification.
  owner @0 :Text;              # 整改责任人
  measures @1 :Text;           # 整改措施
  deadline @2 :Common.Timestamp;  # 整改时限
  doer @3 :Text;               # 整改实施人
  acceptor @4 :Text;           # 验收人
}

struct RectificationOrdered {
  # 责令限期整改指令书.
  orderId @0 :Text;
  enterpriseId @1 :Text;
  orderNo @2 :Text;            # document number
  hazards @3 :List(Text);      # hazard ids
  items @4 :List(Text);
  deadline @5 :Common.Timestamp;
  fiveFixes @6 :FiveFixes;
  inspectionId @7 :Text;
}

struct RectificationPlanSubmitted {
  # 整改方案 / 重大隐患治理方案, submitted by the enterprise.
  orderId @0 :Text;
  hazardId @1 :Text;
  plan @2 :Common.DocumentRef;
  fiveFixes @3 :FiveFixes;
  fundingYuan @4 :Int64;
}

struct RectificationDeadlineChanged {
  # 延期整改, with reason and approver.
  orderId @0 :Text;
  newDeadline @1 :Common.Timestamp;
  reason @2 :Text;
  approver @3 :Text;           # official id
}

enum ReportPurpose {
  unspecified @0;
  completion @1;   # 整改完成报告
  resumption @2;   # 复产申请 (after a suspension)
}

struct RectificationReported {
  # 整改报告 by the enterprise: the work is done (or it applies to resume).
  orderId @0 :Text;
  enterpriseId @1 :Text;
  purpose @2 :ReportPurpose;
  evidence @3 :List(Common.DocumentRef);
}

enum ReviewResult {
  unspecified @0;
  passed @1;       # 复查合格
  failed @2;       # 复查不合格
}

struct RectificationReviewed {
  # 整改复查意见书.
  orderId @0 :Text;
  result @1 :ReviewResult;
  reviewers @2 :List(Text);    # official ids
  documentNo @3 :Text;
  findings @4 :Text;
}

enum ListingAction {
  unspecified @0;
  listed @1;       # 挂牌督办
  delisted @2;     # 摘牌销号
}

struct HazardListing {
  # 挂牌督办 / 摘牌 of a major hazard.
  hazardId @0 :Text;
  action @1 :ListingAction;
  level @2 :Text;              # e.g. "市级", "县级"
  leadUnit @3 :Text;           # org id
  responsibleLeader @4 :Text;  # official id
  deadline @5 :Common.Timestamp;
  basis @6 :Text;              # delisting basis (verified fix)
}

enum MeasureKind {
  unspecified @0;
  withdrawWorkers @1;     # 从危险区域内撤出作业人员
  temporarySuspension @2; # 暂时停产停业
  stopEquipment @3;       # 停止使用相关设施、设备
  seal @4;                # 查封
  seize @5;               # 扣押
  powerCutoff @6;         # 停止供电
  banUnlicensed @7;       # 取缔非法生产经营
}

enum MeasureAction {
  unspecified @0;
  imposed @1;
  lifted @2;
}

struct OnSiteMeasure {
  # 现场处理措施决定书 / 查封扣押决定书 (Art 65(3), Art 70).
  measureId @0 :Text;
  enterpriseId @1 :Text;
  action @2 :MeasureAction;
  kind @3 :MeasureKind;
  scope @4 :Text;
  hazards @5 :List(Text);
  document @6 :Common.DocumentRef;
}

enum CaseStage {
  unspecified @0;
  opened @1;       # 立案
  closed @2;       # 结案
}

struct CaseAction {
  # 立案 / 结案.
  caseId @0 :Text;
  enterpriseId @1 :Text;
  stage @2 :CaseStage;
  cause @3 :Text;
  orders @4 :List(Text);
  hazards @5 :List(Text);
}

enum PenaltyKind {
  unspecified @0;
  warning @1;                  # 警告
  fine @2;                     # 罚款
  suspensionForRectification @3;  # 责令停产停业整顿
  licenceRevocation @4;        # 吊销许可证
  dailyContinuous @5;          # 按日连续处罚
  confiscation @6;             # 没收违法所得
}

struct PenaltyNoticeServed {
  # 行政处罚告知书 / 听证告知书.
  caseId @0 :Text;
  enterpriseId @1 :Text;
  intended @2 :List(PenaltyKind);
  hearingRight @3 :Bool;
  replyDeadline @4 :Common.Timestamp;
}

struct PenaltyDecided {
  # 行政处罚决定书.
  caseId @0 :Text;
  enterpriseId @1 :Text;
  penalties @2 :List(Penalty);
  decisionNo @3 :Text;

  struct Penalty {
    kind @0 :PenaltyKind;
    amountYuan @1 :Int64;
    person @2 :Text;           # a person fined (主要负责人 etc.); empty: the enterprise
  }
}

struct ResumptionDecided {
  # 复产审查: approval or refusal to resume after a suspension.
  enterpriseId @0 :Text;
  measureId @1 :Text;          # the suspension measure, or
  caseId @2 :Text;             # the suspension penalty's case
  approved @3 :Bool;
  reviewers @4 :List(Text);
}

enum ClosureStage {
  unspecified @0;
  requested @1;    # 提请关闭
  decided @2;      # 决定关闭
}

struct ClosureAction {
  # 关闭 (Art 113), with disqualification of the principal person.
  enterpriseId @0 :Text;
  stage @1 :ClosureStage;
  grounds @2 :Text;
  principalDisqualifiedYears @3 :UInt8;   # 0: none; 5 years; 255: for life in the sector
}
