# Organisation and duty (组织与职责): jurisdictions, bodies, officials and their posts, duties with
# validity intervals, the industry-to-department mapping (三个必须), and the resourcing of
# supervision bodies (履职条件). Taxonomy group A of reference/domain.md §4.
@0xdcdf9d3ed09915e6;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("dutyledger::schema");

using Common = import "../common.capnp";

enum JurisdictionKind {
  unspecified @0;
  province @1;       # 省
  city @2;           # 市（地级市）
  county @3;         # 县（市、区）
  industrialPark @4; # 产业集聚区 / 开发区 / 工业园区
  township @5;       # 乡镇 / 街道
  gridCell @6;       # 网格
}

struct JurisdictionRegistered {
  # 辖区登记. A place whose government or management body answers for the enterprises in it
  # (属地管理).
  jurisdictionId @0 :Text;     # e.g. "smx/shanzhou/park-1"
  name @1 :Text;               # e.g. "陕州区产业集聚区"
  kind @2 :JurisdictionKind;
  parent @3 :Text;             # enclosing jurisdiction id; empty only for the top
  dispatchedBody @4 :Bool;     # governed by a 派出机构 (a park committee sent by the county)
}

enum OrganizationKind {
  unspecified @0;
  government @1;            # 人民政府
  partyCommittee @2;        # 党委
  parkCommittee @3;         # 产业集聚区管理委员会 (a 派出机构 of the county government)
  parkSafetyBody @4;        # 产业集聚区安全生产监管机构
  emergencyManagement @5;   # 应急管理局 (formerly 安全生产监督管理局): comprehensive supervision
  sectorDepartment @6;      # 负有安全生产监督管理职责的部门 (housing, transport, market regulation...)
  safetyCommittee @7;       # 安全生产委员会（安委会）
  safetyCommitteeOffice @8; # 安委会办公室（安委办）
  disciplineBody @9;        # 纪委监委 (discipline inspection and supervision)
  organisationDept @10;     # 组织部 (organisation department)
  investigationTeam @11;    # 事故调查组
  assessmentAgency @12;     # 安全评价机构 (intermediary)
}

struct OrganizationRegistered {
  # 机构登记.
  orgId @0 :Text;              # e.g. "smx-shanzhou-ajj"
  name @1 :Text;               # e.g. "陕州区应急管理局"
  kind @2 :OrganizationKind;
  jurisdiction @3 :Text;       # the jurisdiction it serves
  parentOrg @4 :Text;          # the body it belongs to or reports to (empty: none)
}

struct OfficialAppointed {
  # 任职: an official takes a post in a body. The first appointment also registers the person.
  officialId @0 :Text;         # stable person id, e.g. "zhang-wei-1972"
  name @1 :Text;               # 姓名
  org @2 :Text;                # the body
  post @3 :Text;               # 职务, e.g. "管委会主任", "安监科科长", "执法人员"
  effectiveFrom @4 :Common.Timestamp;  # default: occurredAt
  isHead @5 :Bool;             # 主要负责人 of that body
  lawEnforcementCert @6 :Text; # 执法证号, where the post is an enforcement post
}

struct OfficialLeftPost {
  # 离任 (transfer, retirement, dismissal).
  officialId @0 :Text;
  org @1 :Text;
  post @2 :Text;
  effectiveFrom @3 :Common.Timestamp;  # default: occurredAt
  reason @4 :Text;
}

enum DutyRole {
  unspecified @0;
  firstResponsible @1;        # 第一责任人 (the park committee's / government's principal head)
  partyFirstResponsible @2;   # 党委（党工委）书记 — 党政同责
  portfolioLead @3;           # 分管领导 — 一岗双责 within a portfolio
  gridOfficer @4;             # 网格员
  inspectorInCharge @5;       # 驻企 / 包保 inspector in charge of named enterprises
  sectorSupervisor @6;        # 行业监管 (三个必须), by industry codes
  comprehensiveSupervisor @7; # 综合监管 (应急管理部门)
  territorialSupervision @8;  # 属地监管
  committeeChair @9;          # 安委会主任
  committeeMember @10;        # 安委会成员
  keyRegistrar @11;           # 密钥登记员: binds keys for a body's members and enterprises
  appointingAuthority @12;    # 任免权: appoints officials and assigns duties in the scoped bodies
}

struct DutyScope {
  # What a duty covers. Empty lists cover nothing of that kind.
  jurisdictions @0 :List(Text);  # and everything inside them
  industryCodes @1 :List(Text);  # GB/T 4754 codes (prefix match: "C26" covers "C2614")
  enterprises @2 :List(Text);
  orgs @3 :List(Text);
  committee @4 :Text;
  portfolio @5 :Text;            # description of a leader's portfolio (分管范围)
}

struct DutyAssigned {
  # 职责分配. The holder is an official ("official:<id>") or a body ("org:<id>").
  dutyId @0 :Text;
  holder @1 :Text;
  role @2 :DutyRole;
  scope @3 :DutyScope;
  effectiveFrom @4 :Common.Timestamp;  # default: occurredAt
  effectiveUntil @5 :Common.Timestamp; # optional planned end
  succeeds @6 :Text;                   # the duty this one takes over (handover)
}

struct DutyRevoked {
  # 职责解除. A handover names its successor; without one the scope may become a blind spot.
  dutyId @0 :Text;
  effectiveFrom @1 :Common.Timestamp;  # default: occurredAt
  successorDutyId @2 :Text;
  reason @3 :Text;
}

struct IndustrySupervisionMapped {
  # 行业监管职责划分 (三个必须): whoever manages an industry supervises its safety.
  industryCode @0 :Text;       # GB/T 4754, e.g. "C26" (化学原料和化学制品制造业)
  org @1 :Text;                # the sector department
  jurisdiction @2 :Text;       # where the mapping applies
  effectiveFrom @3 :Common.Timestamp;  # default: occurredAt
  ended @4 :Bool;              # the mapping ends at effectiveFrom (reassigned)
  closestBusiness @5 :Bool;    # assigned on the 业务相近 principle (a new sector)
}

struct DutyListPublished {
  # 权力和责任清单: a body's published list of powers and responsibilities (Law Art 17).
  org @0 :Text;
  version @1 :Text;
  items @2 :List(Text);
  document @3 :Common.DocumentRef;
}

struct ResourcingRecorded {
  # 履职条件: staffing, training, budget and equipment of a supervision body.
  org @0 :Text;
  periodStart @1 :Common.Timestamp;
  periodEnd @2 :Common.Timestamp;
  authorizedStaff @3 :UInt32;     # 编制
  actualStaff @4 :UInt32;         # 在岗
  certifiedInspectors @5 :UInt32; # 持执法证人员
  trainingHours @6 :UInt32;       # total training hours in the period
  budgetYuan @7 :Int64;
  vehicles @8 :UInt32;
  notes @9 :Text;
}
