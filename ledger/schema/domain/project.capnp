# The investment safety gate (招商引资安全关) and 三同时: projects from proposal to completion
# acceptance, and their phase-out. Taxonomy group D of reference/domain.md §4. Landed-project
# re-audits are inspections with mode projectReaudit.
@0xc967efbf91bc63a7;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("dutyledger::schema");

using Common = import "../common.capnp";

enum ProjectKind {
  unspecified @0;
  newBuild @1;     # 新建
  rebuild @2;      # 改建
  expansion @3;    # 扩建
}

struct ProjectProposed {
  # 项目引进 (investment intake).
  projectId @0 :Text;
  name @1 :Text;
  enterpriseId @2 :Text;       # the enterprise building it (registered before or with it)
  jurisdiction @3 :Text;
  kind @4 :ProjectKind;
  industryCodes @5 :List(Text);
  promotingOfficial @6 :Text;  # official id who promoted the investment
  highRisk @7 :Bool;           # mines, metal smelting, hazardous chemicals...: needs pre-assessment (Art 32)
  investmentYuan @8 :Int64;
}

enum ReviewOutcome {
  unspecified @0;
  approved @1;       # 通过
  conditional @2;    # 有条件通过
  rejected @3;       # 不通过
}

struct ProjectSafetyReviewed {
  # 项目安全生产审查 (seed §5), with the restricted-industry check (国家明令限制/淘汰).
  projectId @0 :Text;
  outcome @1 :ReviewOutcome;
  conditions @2 :List(Text);
  restrictedIndustryChecked @3 :Bool;
  restrictedIndustry @4 :Bool;       # the project is in a restricted / eliminated catalogue
  catalogueVersion @5 :Text;         # e.g. "产业结构调整指导目录（2019年本）"
  signatories @6 :List(Text);        # official ids who signed the review
}

struct SafetyPreAssessmentFiled {
  # 安全条件论证 / 安全预评价.
  projectId @0 :Text;
  agency @1 :Text;             # assessment agency (org id or name)
  report @2 :Common.DocumentRef;
  conclusion @3 :Text;
}

struct SafetyFacilityDesignReviewed {
  # 安全设施设计审查 (Art 33). No construction before approval.
  projectId @0 :Text;
  approved @1 :Bool;
  reviewers @2 :List(Text);    # official ids
  designChanges @3 :Text;
  document @4 :Common.DocumentRef;
}

enum Milestone {
  unspecified @0;
  constructionStarted @1;  # 开工
  trialRun @2;             # 试生产 / 试运行
  productionStarted @3;    # 投产使用
  constructionFinished @4; # 竣工
}

struct ProjectMilestoneReported {
  # 项目节点 (reported by the enterprise or observed by an inspector).
  projectId @0 :Text;
  milestone @1 :Milestone;
}

struct SafetyFacilityAccepted {
  # 安全设施竣工验收 (Art 34).
  projectId @0 :Text;
  accepted @1 :Bool;
  organizedBy @2 :Text;        # who organised the acceptance (enterprise or department)
  signatories @3 :List(Text);
  document @4 :Common.DocumentRef;
}

struct PhaseOutDecided {
  # 淘汰退出 of backward, high-risk capacity (seed §5).
  enterpriseId @0 :Text;
  projectId @1 :Text;          # optional
  reason @2 :Text;
  deadline @3 :Common.Timestamp;
}
