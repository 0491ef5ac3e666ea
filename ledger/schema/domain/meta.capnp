# Record-keeping events: withdrawal of a record, lapse-rule parameter versions, and who
# accessed a file (evidence of "what did they know").
@0xc727ca284f437c8d;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("dutyledger::schema");

using Common = import "../common.capnp";

struct RecordWithdrawn {
  # 撤回记录: an earlier event should not have been recorded. Nothing is deleted: the original
  # stays in the ledger and is shown as withdrawn. (A correction with a replacement is a new
  # event of the same type whose envelope names `supersedes`.)
  eventId @0 :Data $Common.uuid;
  reason @1 :Text;
}

struct LapseRuleParametersSet {
  # 失职风险规则参数 (versioned): from effectiveFrom on, these values replace the defaults or the
  # previous version for the named rules.
  version @0 :Text;
  effectiveFrom @1 :Common.Timestamp;
  parameters @2 :List(Parameter);

  struct Parameter {
    rule @0 :Text;             # e.g. "L10"
    name @1 :Text;             # e.g. "grace_days"
    value @2 :Float64;
  }
}

struct RecordAccessed {
  # 查阅记录: an official viewed an enterprise's file or a document.
  subject @0 :Text;            # e.g. "enterprise:<id>"
  accessor @1 :Text;           # official id
  purpose @2 :Text;
  documents @3 :List(Common.DocumentRef);
}
