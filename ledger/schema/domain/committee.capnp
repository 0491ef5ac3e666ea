# Safety committees (安全生产委员会): constitution, meetings, decisions with tasks, task status.
# Taxonomy group B of reference/domain.md §4.
@0x8ad898ada35ff692;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("dutyledger::schema");

using Common = import "../common.capnp";

struct SafetyCommitteeConstituted {
  # 安委会成立 / 调整. Chair and members also hold committeeChair / committeeMember duties.
  committeeId @0 :Text;        # the committee's org id (kind safetyCommittee)
  jurisdiction @1 :Text;
  chair @2 :Text;              # official id (主任: the first responsible person, seed §3)
  viceChairs @3 :List(Text);
  members @4 :List(Text);      # official ids of member units' leaders
  memberUnits @5 :List(Text);  # org ids of member units (成员单位)
  officeOrg @6 :Text;          # 安委办, usually in the emergency management bureau
}

enum MeetingType {
  unspecified @0;
  plenary @1;      # 全体会议
  thematic @2;     # 专题会议
  liaison @3;      # 联络员会议
}

struct CommitteeMeetingHeld {
  # 安委会会议.
  meetingId @0 :Text;
  committeeId @1 :Text;
  type @2 :MeetingType;
  chair @3 :Text;              # official id who chaired
  attendees @4 :List(Text);    # official ids
  agenda @5 :List(AgendaItem);
  minutes @6 :Common.DocumentRef;  # 会议纪要

  struct AgendaItem {
    title @0 :Text;
    enterprises @1 :List(Text);    # enterprises named
    industryCodes @2 :List(Text);  # sectors discussed
  }
}

struct CommitteeDecisionRecorded {
  # 会议决定 with tasks (督办事项).
  decisionId @0 :Text;
  committeeId @1 :Text;
  meetingId @2 :Text;
  summary @3 :Text;
  tasks @4 :List(Task);
  document @5 :Common.DocumentRef;

  struct Task {
    taskId @0 :Text;
    description @1 :Text;
    owner @2 :Text;             # responsible unit or official: "org:<id>" / "official:<id>"
    due @3 :Common.Timestamp;
    enterprises @4 :List(Text);
  }
}

enum TaskStatus {
  unspecified @0;
  done @1;        # 已完成
  overdue @2;     # 逾期
  extended @3;    # 延期 (newDue set)
  cancelled @4;   # 撤销
  inProgress @5;  # 推进中
}

struct CommitteeTaskStatusChanged {
  # 任务落实情况.
  decisionId @0 :Text;
  taskId @1 :Text;
  status @2 :TaskStatus;
  newDue @3 :Common.Timestamp;
  evidence @4 :List(Common.DocumentRef);
  note @5 :Text;
}
