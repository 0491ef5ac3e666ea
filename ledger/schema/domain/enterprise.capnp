# Enterprises and their main responsibility (生产经营单位与主体责任): registration, principal
# persons, key-target designation, responsibility declarations against a versioned checklist,
# standardization grade, permits. Taxonomy group C of reference/domain.md §4.
@0xf9614681e8b5f783;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("dutyledger::schema");

using Common = import "../common.capnp";

enum RegistrationSource {
  unspecified @0;
  census @1;       # 摸底调查 (seed §4)
  licence @2;      # 许可 / 登记信息
  complaint @3;    # 举报
  referral @4;     # 部门移交
  projectLanded @5;  # 招商引资项目落地
}

enum RiskClass {
  unspecified @0;
  major @1;        # 重大风险 (red)
  high @2;         # 较大风险 (orange)
  general @3;      # 一般风险 (yellow)
  low @4;          # 低风险 (blue)
}

struct EnterpriseRegistered {
  # 企业登记 into supervision.
  enterpriseId @0 :Text;       # e.g. the 统一社会信用代码
  name @1 :Text;
  jurisdiction @2 :Text;       # where it is located (属地)
  industryCodes @3 :List(Text);  # GB/T 4754
  source @4 :RegistrationSource;
  foreignInvested @5 :Bool;    # 外资企业 (seed §3)
  emergingSector @6 :Bool;     # 新兴经济体 (seed §3)
  aboveDesignatedSize @7 :Bool;  # 规模以上
  riskClass @8 :RiskClass;
  employees @9 :UInt32;
  address @10 :Text;
}

struct EnterpriseProfileUpdated {
  # 企业信息变更: industries, flags or risk class change (the new values replace the old).
  enterpriseId @0 :Text;
  industryCodes @1 :List(Text);
  foreignInvested @2 :Bool;
  emergingSector @3 :Bool;
  riskClass @4 :RiskClass;
  employees @5 :UInt32;
  jurisdiction @6 :Text;       # empty: unchanged
}

struct EnterprisePrincipalChanged {
  # 主要负责人 / 法定代表人 / 实际控制人 / 安全总监 变更.
  enterpriseId @0 :Text;
  legalRepresentative @1 :Text;   # 法定代表人
  principalPerson @2 :Text;       # 主要负责人
  actualController @3 :Text;      # 实际控制人
  safetyDirector @4 :Text;        # 安全总监 / 安全管理负责人
}

struct KeyTargetChanged {
  # 重点监管对象 designated or removed (seed §4).
  enterpriseId @0 :Text;
  designated @1 :Bool;         # true: designated; false: removed
  riskClass @2 :RiskClass;
  reason @3 :Text;
}

struct ChecklistVersionPublished {
  # 主体责任清单版本: checklist items are data (五落实五到位, Law Art 21, the derived checklist of
  # reference/domain.md §1.3), never code.
  version @0 :Text;            # e.g. "derived-2021-v0"
  effectiveFrom @1 :Common.Timestamp;
  items @2 :List(Item);
  dueBy @3 :Common.Timestamp;  # declarations due by (e.g. 五落实五到位: end of 2016)

  struct Item {
    code @0 :Text;             # e.g. "WLS-1", "ART21-4", "CL-11"
    title @1 :Text;            # e.g. "党政同责"
    legalBasis @2 :Text;       # e.g. "SPL2021#21(4)"
  }
}

enum ItemStatus {
  unspecified @0;
  inPlace @1;      # 到位 / 落实
  partial @2;      # 部分落实
  missing @3;      # 未落实
  notApplicable @4;
}

struct EnterpriseResponsibilityDeclared {
  # 主体责任承诺 / 落实情况申报 against a checklist version, signed by the enterprise.
  enterpriseId @0 :Text;
  checklistVersion @1 :Text;
  items @2 :List(Declared);
  majorHazardInstallations @3 :List(Text);  # 重大危险源 registered
  riskRegister @4 :Common.DocumentRef;      # 风险分级管控清单

  struct Declared {
    code @0 :Text;
    status @1 :ItemStatus;
    evidence @2 :List(Common.DocumentRef);
  }
}

struct StandardizationGradeChanged {
  # 安全生产标准化等级.
  enterpriseId @0 :Text;
  grade @1 :UInt8;             # 1, 2 or 3 (一级/二级/三级); 0: none / withdrawn
  certificate @2 :Common.DocumentRef;
}

enum PermitStatus {
  unspecified @0;
  issued @1;       # 颁发
  suspended @2;    # 暂扣
  revoked @3;      # 吊销 / 撤销
  expired @4;      # 过期
  renewed @5;      # 延续
}

struct PermitStatusChanged {
  # 安全生产许可证等.
  permitId @0 :Text;
  enterpriseId @1 :Text;
  permitType @2 :Text;         # e.g. "安全生产许可证", "危险化学品经营许可证"
  status @3 :PermitStatus;
  validUntil @4 :Common.Timestamp;
  issuingOrg @5 :Text;
}
