# Accidents (生产安全事故报告和调查处理条例, 国务院令493号): reports, casualty updates (补报),
# investigation milestones, responsibility findings. Taxonomy group G of reference/domain.md §4.
@0xf19ed5d1f7acc746;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("dutyledger::schema");

using Common = import "../common.capnp";

enum ReportLevel {
  unspecified @0;
  unitHead @1;     # 单位负责人
  county @2;       # 县级
  city @3;         # 设区的市级
  province @4;     # 省级
  stateCouncil @5; # 国务院有关部门
}

struct AccidentReported {
  # 事故报告 (条例 Art 9–12). The event's occurredAt is when this report was made.
  accidentId @0 :Text;
  enterpriseId @1 :Text;
  accidentAt @2 :Common.Timestamp;        # when the accident happened
  knownToUnitHeadAt @3 :Common.Timestamp; # when the unit head learned of it
  reportedAt @4 :Common.Timestamp;        # when this report reached the recipient
  reportedBy @5 :Text;                    # official or enterprise person
  recipientOrg @6 :Text;
  recipientLevel @7 :ReportLevel;
  deaths @8 :UInt32;
  seriousInjuries @9 :UInt32;             # 重伤（包括急性工业中毒）
  missing @10 :UInt32;
  directLossYuan @11 :Int64;
  place @12 :Text;
  description @13 :Text;                  # 经过
  measuresTaken @14 :Text;
  roadOrFire @15 :Bool;                   # road traffic or fire: 7-day 补报 window
}

struct AccidentCasualtiesUpdated {
  # 补报: casualties or loss change (Art 13).
  accidentId @0 :Text;
  deaths @1 :UInt32;
  seriousInjuries @2 :UInt32;
  missing @3 :UInt32;
  directLossYuan @4 :Int64;
  note @5 :Text;
}

enum InvestigationStage {
  unspecified @0;
  opened @1;            # 成立调查组
  extended @2;          # 延长期限
  appraisalStarted @3;  # 技术鉴定开始 (not counted, Art 29)
  appraisalEnded @4;
  reportSubmitted @5;   # 调查报告提交
  reportApproved @6;    # 批复
  evaluationDone @7;    # 整改措施落实情况评估
}

struct InvestigationMilestone {
  accidentId @0 :Text;
  stage @1 :InvestigationStage;
  teamOrg @2 :Text;            # the investigation team's body (kind investigationTeam)
  leadOfficial @3 :Text;
  level @4 :ReportLevel;
  report @5 :Common.DocumentRef;
  newDeadline @6 :Common.Timestamp;
}

enum FindingSubject {
  unspecified @0;
  unit @1;          # 事故发生单位
  person @2;        # 单位人员
  intermediary @3;  # 中介机构
  department @4;    # 监管部门
  official @5;      # 公职人员
  government @6;    # 地方党委政府
}

struct ResponsibilityFindingRecorded {
  # 责任认定 in the investigation report, with the proposed handling.
  findingId @0 :Text;
  accidentId @1 :Text;
  subjectType @2 :FindingSubject;
  subjectId @3 :Text;          # enterprise, official, org or jurisdiction id
  finding @4 :Text;
  recommendedMeasure @5 :Text;
  decidingAuthority @6 :Text;  # org id
}
