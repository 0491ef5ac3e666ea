// Witness policies: which logs to accept and which cosignatures a checkpoint needs, in the text
// format of C2SP tlog-policy (c2sp.org/tlog-policy):
//
//   # comment
//   log <log verifier key> [url]
//   witness <name> <cosigner verifier key> [url]
//   group <name> all|any|<k> <member>...
//   quorum <name>|none
//
// Lines are split on spaces and tabs; `group` and `quorum` refer only to names defined on earlier
// lines; a member appears at most once per group; exactly one quorum line. Verifier keys are
// those of checkpoint.h: logs use type 0x01 (Ed25519) or 0xff "dutyledger-sm2/v1", witnesses type
// 0x04 (Ed25519, C2SP tlog-cosignature) or 0xff "dutyledger-sm2-cosignature/v1".
//
// A WitnessPolicy is an immutable value; thread-safe.
#ifndef DUTYLEDGER_LEDGER_WITNESS_POLICY_H_
#define DUTYLEDGER_LEDGER_WITNESS_POLICY_H_

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/checkpoint.h"
#include "ledger/status.h"

namespace dutyledger {

class WitnessPolicy {
 public:
  // kInvalidArgument: "line <n>: <reason>".
  static Result<WitnessPolicy> Parse(std::string_view text);

  const std::vector<VerifierKey>& logs() const { return logs_; }

  // Checks a checkpoint note against the policy:
  //   - when the policy lists logs, one whose name is the checkpoint's origin must have signed it
  //     (kPermissionDenied "not signed by a log the policy lists");
  //   - every cosignature line by a listed witness (same name and key id) must verify over this
  //     checkpoint (kIntegrityViolation naming the witness: the signed-note rule that a failing
  //     known signature rejects the note);
  //   - the quorum must be met by the witnesses whose cosignatures verify
  //     (kPermissionDenied "quorum not met: ..." naming the group and who cosigned).
  // On success, *cosigners (if given) holds the names of the witnesses whose cosignatures verify.
  Status Check(const SignedNote& note, std::set<std::string>* cosigners = nullptr) const;

 private:
  struct Witness {
    std::string name;
    VerifierKey key;
  };
  struct Group {
    std::string name;
    size_t threshold = 0;
    std::vector<std::string> members;
  };

  bool Met(const std::string& name, const std::set<std::string>& cosigned, int depth) const;
  std::string Explain(const std::string& name, const std::set<std::string>& cosigned) const;

  std::vector<VerifierKey> logs_;
  std::vector<Witness> witnesses_;
  std::vector<Group> groups_;
  std::string quorum_;  // "none", a witness or a group
};

}  // namespace dutyledger

#endif  // DUTYLEDGER_LEDGER_WITNESS_POLICY_H_
