// Event writers: one function per event type, filling the fields a realistic record has.
// Used by the fixture and by the demo generator.
#ifndef DUTYLEDGER_TOOLS_SCENARIO_WRITERS_H_
#define DUTYLEDGER_TOOLS_SCENARIO_WRITERS_H_

#include <string>
#include <vector>

#include "tools/scenario/scenario.h"

namespace dutyledger::scenario {

using Strings = std::vector<std::string>;

// A document reference with a SHA-256 derived from its type and number (the file itself is
// kept outside the ledger).
J Doc(const std::string& type, const std::string& number);

Time Days(Time t, double days);  // t + days

class Writer {
 public:
  explicit Writer(Scenario& s) : s_(s) {}
  Scenario& scenario() { return s_; }

  // Key binding and revocation.
  void BindKey(Time at, const std::string& signer, const std::string& actor,
               const std::string& principal);
  void RevokeKey(Time at, const std::string& signer, const std::string& actor,
                 const std::string& reason);
  void Note(Time at, const std::string& signer, const std::string& text);

  // A. organisation
  void Jurisdiction(Time at, const std::string& signer, const std::string& id,
                    const std::string& name, const std::string& kind, const std::string& parent,
                    bool dispatched = false);
  void Org(Time at, const std::string& signer, const std::string& id, const std::string& name,
           const std::string& kind, const std::string& jurisdiction, const std::string& parent);
  void Appoint(Time at, const std::string& signer, const std::string& official,
               const std::string& name, const std::string& org, const std::string& post,
               bool head = false);
  void LeavePost(Time at, const std::string& signer, const std::string& official,
                 const std::string& org, const std::string& post, const std::string& reason);
  struct Scope {
    Strings jurisdictions = {};
    Strings industries = {};
    Strings enterprises = {};
    Strings orgs = {};
    std::string committee = {};
    std::string portfolio = {};
  };
  void AssignDuty(Time at, const std::string& signer, const std::string& id,
                  const std::string& holder, const std::string& role, const Scope& scope,
                  const std::string& succeeds = "", Time effective = Time{});
  void RevokeDuty(Time at, const std::string& signer, const std::string& id,
                  const std::string& successor, const std::string& reason, Time effective = Time{});
  void MapIndustry(Time at, const std::string& signer, const std::string& code,
                   const std::string& org, const std::string& jurisdiction, bool ended = false);
  void PublishDutyList(Time at, const std::string& signer, const std::string& org,
                       const std::string& version, const Strings& items);
  void Resourcing(Time at, const std::string& signer, const std::string& org, Time from, Time to,
                  int authorized, int actual, int certified, int training_hours, int64_t budget);

  // B. committees
  void Constitute(Time at, const std::string& signer, const std::string& committee,
                  const std::string& jurisdiction, const std::string& chair, const Strings& members,
                  const Strings& units, const std::string& office);
  struct Agenda {
    std::string title;
    Strings enterprises, industries;
  };
  void Meeting(Time at, const std::string& signer, const std::string& id,
               const std::string& committee, const std::string& type, const std::string& chair,
               const Strings& attendees, const std::vector<Agenda>& agenda);
  struct Task {
    std::string id, description, owner;
    Time due;
    Strings enterprises;
  };
  void Decision(Time at, const std::string& signer, const std::string& id,
                const std::string& committee, const std::string& meeting,
                const std::string& summary, const std::vector<Task>& tasks);
  void TaskStatus(Time at, const std::string& signer, const std::string& decision,
                  const std::string& task, const std::string& status, Time new_due = Time{});

  // C. enterprises
  struct Enterprise {
    std::string id, name, jurisdiction;
    Strings industries;
    std::string source = "census";
    bool foreign = false, emerging = false, above_size = true;
    std::string risk = "general";
    int employees = 120;
  };
  void Register(Time at, const std::string& signer, const Enterprise& e);
  void UpdateProfile(Time at, const std::string& signer, const std::string& enterprise,
                     const Strings& industries, const std::string& risk, bool foreign,
                     bool emerging, const std::string& jurisdiction = "");  // "": unchanged
  void ChangePrincipal(Time at, const std::string& signer, const std::string& enterprise,
                       const std::string& principal, const std::string& legal_rep);
  void KeyTarget(Time at, const std::string& signer, const std::string& enterprise, bool designated,
                 const std::string& risk, const std::string& reason);
  struct ChecklistItem {
    std::string code, title, basis;
  };
  void Checklist(Time at, const std::string& signer, const std::string& version, Time due,
                 const std::vector<ChecklistItem>& items);
  void Declare(Time at, const std::string& signer, const std::string& enterprise,
               const std::string& version,
               const std::vector<std::pair<std::string, std::string>>& items);
  void Standardization(Time at, const std::string& signer, const std::string& enterprise,
                       int grade);
  void Permit(Time at, const std::string& signer, const std::string& id,
              const std::string& enterprise, const std::string& type, const std::string& status,
              const std::string& org, Time valid_until);

  // D. projects
  void ProposeProject(Time at, const std::string& signer, const std::string& id,
                      const std::string& name, const std::string& enterprise,
                      const std::string& jurisdiction, const Strings& industries,
                      const std::string& promoter, bool high_risk);
  void ReviewProject(Time at, const std::string& signer, const std::string& id,
                     const std::string& outcome, const Strings& signatories,
                     bool restricted = false);
  void PreAssess(Time at, const std::string& signer, const std::string& id,
                 const std::string& agency);
  void DesignReview(Time at, const std::string& signer, const std::string& id, bool approved,
                    const Strings& reviewers);
  void ProjectMilestone(Time at, const std::string& signer, const std::string& id,
                        const std::string& milestone);
  void Accept(Time at, const std::string& signer, const std::string& id, bool accepted,
              const std::string& organized_by, const Strings& signatories);
  void PhaseOut(Time at, const std::string& signer, const std::string& enterprise,
                const std::string& reason, Time deadline);

  // E. enforcement
  struct PlanTarget {
    std::string enterprise;
    int times_per_year;
  };
  void Plan(Time at, const std::string& signer, const std::string& id, const std::string& kind,
            const std::string& name, const std::string& org, const std::string& jurisdiction,
            Time from, Time to, const std::vector<PlanTarget>& targets);
  void Inspect(Time at, const std::string& signer, const std::string& id,
               const std::string& enterprise, const std::string& mode, const Strings& inspectors,
               bool no_findings, const std::string& plan = "", const std::string& project = "",
               bool signed_by_enterprise = true, int64_t delay = 2 * Time::kNanosPerHour);
  std::string Hazard(Time at, const std::string& signer, const std::string& id,
                     const std::string& enterprise, const std::string& grade,
                     const std::string& type, const std::string& description,
                     const std::string& source, const std::string& inspection,
                     const std::string& criteria = "", const J& extra = J());
  void SelfReport(Time at, const std::string& signer, const std::string& hazard,
                  const std::string& enterprise, const std::string& to);
  void Statistics(Time at, const std::string& signer, const std::string& enterprise, Time from,
                  Time to, int general_found, int general_fixed, int major_found, int major_fixed);
  void Order(Time at, const std::string& signer, const std::string& id,
             const std::string& enterprise, const Strings& hazards, Time deadline,
             const std::string& inspection, const std::string& owner);
  void SubmitPlan(Time at, const std::string& signer, const std::string& order,
                  const std::string& hazard, int64_t funding);
  void ExtendDeadline(Time at, const std::string& signer, const std::string& order,
                      Time new_deadline, const std::string& approver, const std::string& reason);
  void ReportRectification(Time at, const std::string& signer, const std::string& order,
                           const std::string& enterprise,
                           const std::string& purpose = "completion");
  void ReviewRectification(Time at, const std::string& signer, const std::string& order,
                           bool passed, const Strings& reviewers, const std::string& doc_no);
  void List(Time at, const std::string& signer, const std::string& hazard, bool listed,
            const std::string& level, const std::string& lead, const std::string& leader,
            Time deadline);

  // F. measures and sanctions
  void Measure(Time at, const std::string& signer, const std::string& id,
               const std::string& enterprise, bool imposed, const std::string& kind,
               const Strings& hazards);
  void Case(Time at, const std::string& signer, const std::string& id,
            const std::string& enterprise, bool open, const std::string& cause,
            const Strings& orders);
  void Notice(Time at, const std::string& signer, const std::string& case_id,
              const std::string& enterprise, const Strings& intended, Time reply_by);
  struct Penalty {
    std::string kind;
    int64_t amount = 0;
    std::string person;
  };
  void Penalize(Time at, const std::string& signer, const std::string& case_id,
                const std::string& enterprise, const std::vector<Penalty>& penalties,
                const std::string& decision_no);
  void Resume(Time at, const std::string& signer, const std::string& enterprise,
              const std::string& measure, const std::string& case_id, bool approved,
              const Strings& reviewers);
  void Closure(Time at, const std::string& signer, const std::string& enterprise, bool decided,
               const std::string& grounds, int disqualified_years);

  // G. accidents
  struct Accident {
    std::string id, enterprise;
    Time accident_at, known_at, reported_at;
    std::string reported_by, recipient_org, level = "county";
    int deaths = 0, serious = 0, missing = 0;
    int64_t loss = 0;
    std::string place, description;
  };
  void ReportAccident(Time at, const std::string& signer, const Accident& a);
  void UpdateCasualties(Time at, const std::string& signer, const std::string& accident, int deaths,
                        int serious, int missing, int64_t loss);
  void Investigation(Time at, const std::string& signer, const std::string& accident,
                     const std::string& stage, const std::string& team,
                     const std::string& lead = "", const std::string& level = "county");
  void Finding(Time at, const std::string& signer, const std::string& id,
               const std::string& accident, const std::string& subject_type,
               const std::string& subject, const std::string& finding, const std::string& measure,
               const std::string& deciding);

  // H. oversight and accountability
  void Oversight(Time at, const std::string& signer, const std::string& id, const std::string& kind,
                 const std::string& subject, Time from, Time to, double score,
                 const std::string& grade, bool veto, const Strings& findings);
  void Accountability(Time at, const std::string& signer, const std::string& id,
                      const std::string& regime, const std::string& kind,
                      const std::string& subject, const Strings& findings, int months);

  // Record-keeping
  void Withdraw(Time at, const std::string& signer, const std::string& event_id,
                const std::string& reason);
  void Parameters(Time at, const std::string& signer, const std::string& version, Time from,
                  const std::vector<std::tuple<std::string, std::string, double>>& params);
  void Accessed(Time at, const std::string& signer, const std::string& subject,
                const std::string& accessor, const std::string& purpose);

  // The id of the last event emitted.
  const std::string& last_event_id() const { return last_; }

 private:
  std::string Emit(Time at, const std::string& signer, const std::string& type, const J& body,
                   const J& extra = J(), int64_t delay = 2 * Time::kNanosPerHour);
  Scenario& s_;
  std::string last_;
};

}  // namespace dutyledger::scenario

#endif  // DUTYLEDGER_TOOLS_SCENARIO_WRITERS_H_
