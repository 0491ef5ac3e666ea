# Oversight and accountability (监督与问责): duty checks, assessments, tours, and accountability
# measures linked to the findings they act on. Taxonomy group H of reference/domain.md §4.
@0xf94e3707f2df6693;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("dutyledger::schema");

using Common = import "../common.capnp";

enum OversightKind {
  unspecified @0;
  dutyCheck @1;    # 履职检查
  assessment @2;   # 考核 (score, grade, 一票否决)
  tour @3;         # 巡查 / 督查
}

enum AssessmentGrade {
  unspecified @0;
  excellent @1;    # 优秀
  good @2;         # 良好
  pass @3;         # 合格
  fail @4;         # 不合格
}

struct OversightConducted {
  # Oversight of an official, a body or a jurisdiction (never an enterprise).
  oversightId @0 :Text;
  kind @1 :OversightKind;
  subject @2 :Text;            # "official:<id>", "org:<id>" or "jurisdiction:<id>"
  periodStart @3 :Common.Timestamp;
  periodEnd @4 :Common.Timestamp;
  score @5 :Float32;           # assessment score (of 100)
  grade @6 :AssessmentGrade;
  veto @7 :Bool;               # 一票否决
  findings @8 :List(Text);
  report @9 :Common.DocumentRef;
}

enum AccountabilityRegime {
  unspecified @0;
  partyAccountability @1;  # 问责 (问责条例)
  partyDiscipline @2;      # 党纪处分
  govSanction @3;          # 政务处分 (公职人员政务处分法)
  orgHandling @4;          # 组织处理
  criminalReferral @5;     # 移送司法机关
}

enum AccountabilityMeasureKind {
  unspecified @0;
  circulatedCriticism @1;  # 通报
  admonition @2;           # 诫勉
  suspensionForExamination @3;  # 停职检查
  reassignment @4;         # 调整职务
  orderedResignation @5;   # 责令辞职
  dismissalFromPost @6;    # 免职
  demotion @7;             # 降职
  warning @8;              # 警告 (政务处分 6 months / 党纪)
  seriousWarning @9;       # 严重警告 (党纪)
  demerit @10;             # 记过 (12 months)
  majorDemerit @11;        # 记大过 (18 months)
  downgrade @12;           # 降级 (24 months)
  removalFromOffice @13;   # 撤职 (24 months)
  expulsion @14;           # 开除 / 开除党籍
  probation @15;           # 留党察看
  removalFromPartyPost @16;  # 撤销党内职务
  referral @17;            # 移送审查起诉
  writtenSelfExamination @18;  # 检查
}

enum CaseStep {
  unspecified @0;
  caseOpened @1;   # 立案审查
  imposed @2;      # 决定
}

struct AccountabilityMeasureImposed {
  # 问责 / 处分 / 组织处理 / 移送, by a discipline or organisation body.
  measureId @0 :Text;
  regime @1 :AccountabilityRegime;
  kind @2 :AccountabilityMeasureKind;
  step @3 :CaseStep;
  subject @4 :Text;            # "official:<id>" or "org:<id>"
  findings @5 :List(Text);     # responsibility finding ids it acts on
  influencePeriodMonths @6 :UInt16;
  fileEntry @7 :Bool;          # put in the cadre's personal file
  appealed @8 :Bool;
  decision @9 :Common.DocumentRef;
}
