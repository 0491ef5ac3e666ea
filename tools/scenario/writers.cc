#include "tools/scenario/writers.h"

#include "ledger/hash.h"

namespace dutyledger::scenario {

J Doc(const std::string& type, const std::string& number) {
  return J().s("docType", type).s("docNo", number).s("sha256", Sha256(type + "|" + number).Hex());
}

Time Days(Time t, double days) {
  return t.PlusNanos(static_cast<int64_t>(days * static_cast<double>(Time::kNanosPerDay)));
}

namespace {

J ScopeJson(const Writer::Scope& s) {
  J j;
  if (!s.jurisdictions.empty()) j.strings("jurisdictions", s.jurisdictions);
  if (!s.industries.empty()) j.strings("industryCodes", s.industries);
  if (!s.enterprises.empty()) j.strings("enterprises", s.enterprises);
  if (!s.orgs.empty()) j.strings("orgs", s.orgs);
  if (!s.committee.empty()) j.s("committee", s.committee);
  if (!s.portfolio.empty()) j.s("portfolio", s.portfolio);
  return j;
}

}  // namespace

std::string Writer::Emit(Time at, const std::string& signer, const std::string& type, const J& body,
                         const J& extra, int64_t delay) {
  last_ = s_.Emit(at, signer, type, body, extra, delay);
  return last_;
}

void Writer::BindKey(Time at, const std::string& signer, const std::string& actor,
                     const std::string& principal) {
  s_.AddActor(actor, principal);
  Emit(at, signer, "keyBound", KeyBoundBody(s_, actor));
}

void Writer::RevokeKey(Time at, const std::string& signer, const std::string& actor,
                       const std::string& reason) {
  Emit(at, signer, "keyRevoked",
       J().s("keyId", s_.KeyOf(actor).public_key().id().Hex()).s("reason", reason));
}

void Writer::Note(Time at, const std::string& signer, const std::string& text) {
  Emit(at, signer, "note", J().s("text", text));
}

void Writer::Jurisdiction(Time at, const std::string& signer, const std::string& id,
                          const std::string& name, const std::string& kind,
                          const std::string& parent, bool dispatched) {
  J j;
  j.s("jurisdictionId", id).s("name", name).s("kind", kind);
  if (!parent.empty()) j.s("parent", parent);
  if (dispatched) j.b("dispatchedBody", true);
  Emit(at, signer, "jurisdictionRegistered", j);
}

void Writer::Org(Time at, const std::string& signer, const std::string& id, const std::string& name,
                 const std::string& kind, const std::string& jurisdiction,
                 const std::string& parent) {
  J j;
  j.s("orgId", id).s("name", name).s("kind", kind).s("jurisdiction", jurisdiction);
  if (!parent.empty()) j.s("parentOrg", parent);
  Emit(at, signer, "organizationRegistered", j);
}

void Writer::Appoint(Time at, const std::string& signer, const std::string& official,
                     const std::string& name, const std::string& org, const std::string& post,
                     bool head) {
  J j;
  j.s("officialId", official).s("name", name).s("org", org).s("post", post);
  if (head) j.b("isHead", true);
  Emit(at, signer, "officialAppointed", j,
       J().objects("documents", {Doc("任职通知", official + "-" + org)}));
}

void Writer::LeavePost(Time at, const std::string& signer, const std::string& official,
                       const std::string& org, const std::string& post, const std::string& reason) {
  Emit(at, signer, "officialLeftPost",
       J().s("officialId", official).s("org", org).s("post", post).s("reason", reason));
}

void Writer::AssignDuty(Time at, const std::string& signer, const std::string& id,
                        const std::string& holder, const std::string& role, const Scope& scope,
                        const std::string& succeeds, Time effective) {
  J j;
  j.s("dutyId", id).s("holder", holder).s("role", role).o("scope", ScopeJson(scope));
  if (!succeeds.empty()) j.s("succeeds", succeeds);
  if (effective.unix_nanos != 0) j.t("effectiveFrom", effective);
  Emit(at, signer, "dutyAssigned", j);
}

void Writer::RevokeDuty(Time at, const std::string& signer, const std::string& id,
                        const std::string& successor, const std::string& reason, Time effective) {
  J j;
  j.s("dutyId", id).s("reason", reason);
  if (!successor.empty()) j.s("successorDutyId", successor);
  if (effective.unix_nanos != 0) j.t("effectiveFrom", effective);
  Emit(at, signer, "dutyRevoked", j);
}

void Writer::MapIndustry(Time at, const std::string& signer, const std::string& code,
                         const std::string& org, const std::string& jurisdiction, bool ended) {
  J j;
  j.s("industryCode", code).s("org", org).s("jurisdiction", jurisdiction);
  if (ended) j.b("ended", true);
  Emit(at, signer, "industrySupervisionMapped", j, J().strings("legalBasis", {"SPL2021#3"}));
}

void Writer::PublishDutyList(Time at, const std::string& signer, const std::string& org,
                             const std::string& version, const Strings& items) {
  Emit(at, signer, "dutyListPublished",
       J().s("org", org)
           .s("version", version)
           .strings("items", items)
           .o("document", Doc("权力和责任清单", org + "-" + version)),
       J().strings("legalBasis", {"SPL2021#17"}));
}

void Writer::Resourcing(Time at, const std::string& signer, const std::string& org, Time from,
                        Time to, int authorized, int actual, int certified, int training_hours,
                        int64_t budget) {
  Emit(at, signer, "resourcingRecorded",
       J().s("org", org)
           .t("periodStart", from)
           .t("periodEnd", to)
           .i("authorizedStaff", authorized)
           .i("actualStaff", actual)
           .i("certifiedInspectors", certified)
           .i("trainingHours", training_hours)
           .i("budgetYuan", budget));
}

void Writer::Constitute(Time at, const std::string& signer, const std::string& committee,
                        const std::string& jurisdiction, const std::string& chair,
                        const Strings& members, const Strings& units, const std::string& office) {
  Emit(at, signer, "safetyCommitteeConstituted",
       J().s("committeeId", committee)
           .s("jurisdiction", jurisdiction)
           .s("chair", chair)
           .strings("members", members)
           .strings("memberUnits", units)
           .s("officeOrg", office));
}

void Writer::Meeting(Time at, const std::string& signer, const std::string& id,
                     const std::string& committee, const std::string& type,
                     const std::string& chair, const Strings& attendees,
                     const std::vector<Agenda>& agenda) {
  std::vector<J> items;
  for (const auto& a : agenda) {
    J item;
    item.s("title", a.title);
    if (!a.enterprises.empty()) item.strings("enterprises", a.enterprises);
    if (!a.industries.empty()) item.strings("industryCodes", a.industries);
    items.push_back(item);
  }
  Emit(at, signer, "committeeMeetingHeld",
       J().s("meetingId", id)
           .s("committeeId", committee)
           .s("type", type)
           .s("chair", chair)
           .strings("attendees", attendees)
           .objects("agenda", items)
           .o("minutes", Doc("会议纪要", id)));
}

void Writer::Decision(Time at, const std::string& signer, const std::string& id,
                      const std::string& committee, const std::string& meeting,
                      const std::string& summary, const std::vector<Task>& tasks) {
  std::vector<J> list;
  for (const auto& t : tasks) {
    J j;
    j.s("taskId", t.id).s("description", t.description).s("owner", t.owner).t("due", t.due);
    if (!t.enterprises.empty()) j.strings("enterprises", t.enterprises);
    list.push_back(j);
  }
  J body;
  body.s("decisionId", id).s("committeeId", committee).s("summary", summary).objects("tasks", list);
  if (!meeting.empty()) body.s("meetingId", meeting);
  Emit(at, signer, "committeeDecisionRecorded", body);
}

void Writer::TaskStatus(Time at, const std::string& signer, const std::string& decision,
                        const std::string& task, const std::string& status, Time new_due) {
  J j;
  j.s("decisionId", decision).s("taskId", task).s("status", status);
  if (new_due.unix_nanos != 0) j.t("newDue", new_due);
  Emit(at, signer, "committeeTaskStatusChanged", j);
}

void Writer::Register(Time at, const std::string& signer, const Enterprise& e) {
  J j;
  j.s("enterpriseId", e.id)
      .s("name", e.name)
      .s("jurisdiction", e.jurisdiction)
      .strings("industryCodes", e.industries)
      .s("source", e.source)
      .s("riskClass", e.risk)
      .i("employees", e.employees);
  if (e.foreign) j.b("foreignInvested", true);
  if (e.emerging) j.b("emergingSector", true);
  if (e.above_size) j.b("aboveDesignatedSize", true);
  Emit(at, signer, "enterpriseRegistered", j);
}

void Writer::UpdateProfile(Time at, const std::string& signer, const std::string& enterprise,
                           const Strings& industries, const std::string& risk, bool foreign,
                           bool emerging, const std::string& jurisdiction) {
  J j;
  j.s("enterpriseId", enterprise).strings("industryCodes", industries).s("riskClass", risk);
  if (foreign) j.b("foreignInvested", true);
  if (emerging) j.b("emergingSector", true);
  if (!jurisdiction.empty()) j.s("jurisdiction", jurisdiction);
  Emit(at, signer, "enterpriseProfileUpdated", j);
}

void Writer::ChangePrincipal(Time at, const std::string& signer, const std::string& enterprise,
                             const std::string& principal, const std::string& legal_rep) {
  Emit(at, signer, "enterprisePrincipalChanged",
       J().s("enterpriseId", enterprise)
           .s("principalPerson", principal)
           .s("legalRepresentative", legal_rep)
           .s("safetyDirector", principal + "（兼）"));
}

void Writer::KeyTarget(Time at, const std::string& signer, const std::string& enterprise,
                       bool designated, const std::string& risk, const std::string& reason) {
  Emit(at, signer, "keyTargetChanged",
       J().s("enterpriseId", enterprise)
           .b("designated", designated)
           .s("riskClass", risk)
           .s("reason", reason));
}

void Writer::Checklist(Time at, const std::string& signer, const std::string& version, Time due,
                       const std::vector<ChecklistItem>& items) {
  std::vector<J> list;
  for (const auto& i : items) {
    list.push_back(J().s("code", i.code).s("title", i.title).s("legalBasis", i.basis));
  }
  Emit(at, signer, "checklistVersionPublished",
       J().s("version", version).t("effectiveFrom", at).t("dueBy", due).objects("items", list));
}

void Writer::Declare(Time at, const std::string& signer, const std::string& enterprise,
                     const std::string& version,
                     const std::vector<std::pair<std::string, std::string>>& items) {
  std::vector<J> list;
  for (const auto& [code, status] : items) {
    list.push_back(J().s("code", code).s("status", status));
  }
  Emit(at, signer, "enterpriseResponsibilityDeclared",
       J().s("enterpriseId", enterprise)
           .s("checklistVersion", version)
           .objects("items", list)
           .o("riskRegister", Doc("风险分级管控清单", enterprise + "-" + version)));
}

void Writer::Standardization(Time at, const std::string& signer, const std::string& enterprise,
                             int grade) {
  Emit(at, signer, "standardizationGradeChanged",
       J().s("enterpriseId", enterprise)
           .i("grade", grade)
           .o("certificate", Doc("安全生产标准化证书", enterprise + "-" + std::to_string(grade))));
}

void Writer::Permit(Time at, const std::string& signer, const std::string& id,
                    const std::string& enterprise, const std::string& type,
                    const std::string& status, const std::string& org, Time valid_until) {
  Emit(at, signer, "permitStatusChanged",
       J().s("permitId", id)
           .s("enterpriseId", enterprise)
           .s("permitType", type)
           .s("status", status)
           .t("validUntil", valid_until)
           .s("issuingOrg", org));
}

void Writer::ProposeProject(Time at, const std::string& signer, const std::string& id,
                            const std::string& name, const std::string& enterprise,
                            const std::string& jurisdiction, const Strings& industries,
                            const std::string& promoter, bool high_risk) {
  J j;
  j.s("projectId", id)
      .s("name", name)
      .s("enterpriseId", enterprise)
      .s("jurisdiction", jurisdiction)
      .s("kind", "newBuild")
      .strings("industryCodes", industries)
      .i("investmentYuan", 120'000'000);
  if (!promoter.empty()) j.s("promotingOfficial", promoter);
  if (high_risk) j.b("highRisk", true);
  Emit(at, signer, "projectProposed", j);
}

void Writer::ReviewProject(Time at, const std::string& signer, const std::string& id,
                           const std::string& outcome, const Strings& signatories,
                           bool restricted) {
  Emit(at, signer, "projectSafetyReviewed",
       J().s("projectId", id)
           .s("outcome", outcome)
           .b("restrictedIndustryChecked", true)
           .b("restrictedIndustry", restricted)
           .s("catalogueVersion", "产业结构调整指导目录（2011年本，2013年修正）")
           .strings("signatories", signatories));
}

void Writer::PreAssess(Time at, const std::string& signer, const std::string& id,
                       const std::string& agency) {
  Emit(at, signer, "safetyPreAssessmentFiled",
       J().s("projectId", id)
           .s("agency", agency)
           .o("report", Doc("安全预评价报告", id))
           .s("conclusion", "具备安全生产条件"));
}

void Writer::DesignReview(Time at, const std::string& signer, const std::string& id, bool approved,
                          const Strings& reviewers) {
  Emit(at, signer, "safetyFacilityDesignReviewed",
       J().s("projectId", id)
           .b("approved", approved)
           .strings("reviewers", reviewers)
           .o("document", Doc("安全设施设计审查意见书", id)));
}

void Writer::ProjectMilestone(Time at, const std::string& signer, const std::string& id,
                              const std::string& milestone) {
  Emit(at, signer, "projectMilestoneReported", J().s("projectId", id).s("milestone", milestone));
}

void Writer::Accept(Time at, const std::string& signer, const std::string& id, bool accepted,
                    const std::string& organized_by, const Strings& signatories) {
  Emit(at, signer, "safetyFacilityAccepted",
       J().s("projectId", id)
           .b("accepted", accepted)
           .s("organizedBy", organized_by)
           .strings("signatories", signatories)
           .o("document", Doc("安全设施竣工验收意见", id)));
}

void Writer::PhaseOut(Time at, const std::string& signer, const std::string& enterprise,
                      const std::string& reason, Time deadline) {
  Emit(at, signer, "phaseOutDecided",
       J().s("enterpriseId", enterprise).s("reason", reason).t("deadline", deadline));
}

void Writer::Plan(Time at, const std::string& signer, const std::string& id,
                  const std::string& kind, const std::string& name, const std::string& org,
                  const std::string& jurisdiction, Time from, Time to,
                  const std::vector<PlanTarget>& targets) {
  std::vector<J> list;
  for (const auto& t : targets) {
    list.push_back(J().s("enterpriseId", t.enterprise).i("timesPerYear", t.times_per_year));
  }
  Emit(at, signer, "inspectionPlanApproved",
       J().s("planId", id)
           .s("kind", kind)
           .s("name", name)
           .s("org", org)
           .s("jurisdiction", jurisdiction)
           .t("windowStart", from)
           .t("windowEnd", to)
           .objects("targets", list));
}

void Writer::Inspect(Time at, const std::string& signer, const std::string& id,
                     const std::string& enterprise, const std::string& mode,
                     const Strings& inspectors, bool no_findings, const std::string& plan,
                     const std::string& project, bool signed_by_enterprise, int64_t delay) {
  J j;
  j.s("inspectionId", id)
      .s("enterpriseId", enterprise)
      .s("mode", mode)
      .strings("inspectors", inspectors)
      .b("noFindings", no_findings)
      .o("record", Doc("现场检查记录", id))
      .b("enterpriseSigned", signed_by_enterprise)
      .s("enterpriseRepresentative", "安全管理负责人");
  if (!signed_by_enterprise) j.s("refusalNote", "企业负责人拒绝签字，已记录并报告");
  if (!plan.empty()) j.s("planId", plan);
  if (!project.empty()) j.s("projectId", project);
  Emit(at, signer, "inspectionConducted", j, J().strings("legalBasis", {"SPL2021#65"}), delay);
}

std::string Writer::Hazard(Time at, const std::string& signer, const std::string& id,
                           const std::string& enterprise, const std::string& grade,
                           const std::string& type, const std::string& description,
                           const std::string& source, const std::string& inspection,
                           const std::string& criteria, const J& extra) {
  J j;
  j.s("hazardId", id)
      .s("enterpriseId", enterprise)
      .s("grade", grade)
      .s("hazardType", type)
      .s("description", description)
      .s("source", source);
  if (!inspection.empty()) j.s("inspectionId", inspection);
  if (!criteria.empty()) j.s("criteriaRef", criteria);
  return Emit(at, signer, "hazardIdentified", j, extra);
}

void Writer::SelfReport(Time at, const std::string& signer, const std::string& hazard,
                        const std::string& enterprise, const std::string& to) {
  Emit(at, signer, "hazardSelfReported",
       J().s("hazardId", hazard)
           .s("enterpriseId", enterprise)
           .s("reportedTo", to)
           .b("workersCongressInformed", true)
           .o("treatmentPlan", Doc("重大事故隐患治理方案", hazard)),
       J().strings("legalBasis", {"SPL2021#41"}));
}

void Writer::Statistics(Time at, const std::string& signer, const std::string& enterprise,
                        Time from, Time to, int general_found, int general_fixed, int major_found,
                        int major_fixed) {
  Emit(at, signer, "hazardStatisticsFiled",
       J().s("enterpriseId", enterprise)
           .t("periodStart", from)
           .t("periodEnd", to)
           .i("generalFound", general_found)
           .i("generalFixed", general_fixed)
           .i("majorFound", major_found)
           .i("majorFixed", major_fixed)
           .b("signedByPrincipal", true));
}

void Writer::Order(Time at, const std::string& signer, const std::string& id,
                   const std::string& enterprise, const Strings& hazards, Time deadline,
                   const std::string& inspection, const std::string& owner) {
  J j;
  j.s("orderId", id)
      .s("enterpriseId", enterprise)
      .s("orderNo", "（陕）安监责改〔" + id + "〕")
      .strings("hazards", hazards)
      .t("deadline", deadline)
      .o("fiveFixes", J().s("owner", owner)
                          .s("measures", "按指令书整改")
                          .t("deadline", deadline)
                          .s("doer", "设备科")
                          .s("acceptor", owner));
  if (!inspection.empty()) j.s("inspectionId", inspection);
  Emit(at, signer, "rectificationOrdered", j,
       J().strings("legalBasis", {"SPL2021#65(2)"})
           .objects("documents", {Doc("责令限期整改指令书", id)}));
}

void Writer::SubmitPlan(Time at, const std::string& signer, const std::string& order,
                        const std::string& hazard, int64_t funding) {
  J j;
  if (!order.empty()) j.s("orderId", order);
  if (!hazard.empty()) j.s("hazardId", hazard);
  j.o("plan", Doc("整改方案", order + hazard)).i("fundingYuan", funding);
  Emit(at, signer, "rectificationPlanSubmitted", j);
}

void Writer::ExtendDeadline(Time at, const std::string& signer, const std::string& order,
                            Time new_deadline, const std::string& approver,
                            const std::string& reason) {
  Emit(at, signer, "rectificationDeadlineChanged",
       J().s("orderId", order)
           .t("newDeadline", new_deadline)
           .s("approver", approver)
           .s("reason", reason));
}

void Writer::ReportRectification(Time at, const std::string& signer, const std::string& order,
                                 const std::string& enterprise, const std::string& purpose) {
  Emit(at, signer, "rectificationReported",
       J().s("orderId", order)
           .s("enterpriseId", enterprise)
           .s("purpose", purpose)
           .objects("evidence", {Doc("整改完成报告", order)}));
}

void Writer::ReviewRectification(Time at, const std::string& signer, const std::string& order,
                                 bool passed, const Strings& reviewers, const std::string& doc_no) {
  Emit(at, signer, "rectificationReviewed",
       J().s("orderId", order)
           .s("result", passed ? "passed" : "failed")
           .strings("reviewers", reviewers)
           .s("documentNo", doc_no)
           .s("findings", passed ? "整改到位" : "整改不到位"));
}

void Writer::List(Time at, const std::string& signer, const std::string& hazard, bool listed,
                  const std::string& level, const std::string& lead, const std::string& leader,
                  Time deadline) {
  J j;
  j.s("hazardId", hazard)
      .s("action", listed ? "listed" : "delisted")
      .s("level", level)
      .s("leadUnit", lead)
      .s("responsibleLeader", leader)
      .t("deadline", deadline);
  if (!listed) j.s("basis", "复查合格，摘牌销号");
  Emit(at, signer, "hazardListing", j);
}

void Writer::Measure(Time at, const std::string& signer, const std::string& id,
                     const std::string& enterprise, bool imposed, const std::string& kind,
                     const Strings& hazards) {
  J j;
  j.s("measureId", id)
      .s("enterpriseId", enterprise)
      .s("action", imposed ? "imposed" : "lifted")
      .s("kind", kind)
      .strings("hazards", hazards)
      .o("document", Doc("现场处理措施决定书", id));
  Emit(at, signer, "onSiteMeasure", j, J().strings("legalBasis", {"SPL2021#65(3)"}));
}

void Writer::Case(Time at, const std::string& signer, const std::string& id,
                  const std::string& enterprise, bool open, const std::string& cause,
                  const Strings& orders) {
  Emit(at, signer, "caseAction",
       J().s("caseId", id)
           .s("enterpriseId", enterprise)
           .s("stage", open ? "opened" : "closed")
           .s("cause", cause)
           .strings("orders", orders));
}

void Writer::Notice(Time at, const std::string& signer, const std::string& case_id,
                    const std::string& enterprise, const Strings& intended, Time reply_by) {
  Emit(at, signer, "penaltyNoticeServed",
       J().s("caseId", case_id)
           .s("enterpriseId", enterprise)
           .strings("intended", intended)
           .b("hearingRight", true)
           .t("replyDeadline", reply_by));
}

void Writer::Penalize(Time at, const std::string& signer, const std::string& case_id,
                      const std::string& enterprise, const std::vector<Penalty>& penalties,
                      const std::string& decision_no) {
  std::vector<J> list;
  for (const auto& p : penalties) {
    J j;
    j.s("kind", p.kind).i("amountYuan", p.amount);
    if (!p.person.empty()) j.s("person", p.person);
    list.push_back(j);
  }
  Emit(at, signer, "penaltyDecided",
       J().s("caseId", case_id)
           .s("enterpriseId", enterprise)
           .objects("penalties", list)
           .s("decisionNo", decision_no),
       J().strings("legalBasis", {"SPL2021#102"}));
}

void Writer::Resume(Time at, const std::string& signer, const std::string& enterprise,
                    const std::string& measure, const std::string& case_id, bool approved,
                    const Strings& reviewers) {
  J j;
  j.s("enterpriseId", enterprise).b("approved", approved).strings("reviewers", reviewers);
  if (!measure.empty()) j.s("measureId", measure);
  if (!case_id.empty()) j.s("caseId", case_id);
  Emit(at, signer, "resumptionDecided", j);
}

void Writer::Closure(Time at, const std::string& signer, const std::string& enterprise,
                     bool decided, const std::string& grounds, int disqualified_years) {
  Emit(at, signer, "closureAction",
       J().s("enterpriseId", enterprise)
           .s("stage", decided ? "decided" : "requested")
           .s("grounds", grounds)
           .i("principalDisqualifiedYears", disqualified_years),
       J().strings("legalBasis", {"SPL2021#113"}));
}

void Writer::ReportAccident(Time at, const std::string& signer, const Accident& a) {
  Emit(at, signer, "accidentReported",
       J().s("accidentId", a.id)
           .s("enterpriseId", a.enterprise)
           .t("accidentAt", a.accident_at)
           .t("knownToUnitHeadAt", a.known_at)
           .t("reportedAt", a.reported_at)
           .s("reportedBy", a.reported_by)
           .s("recipientOrg", a.recipient_org)
           .s("recipientLevel", a.level)
           .i("deaths", a.deaths)
           .i("seriousInjuries", a.serious)
           .i("missing", a.missing)
           .i("directLossYuan", a.loss)
           .s("place", a.place)
           .s("description", a.description)
           .s("measuresTaken", "已组织救援，现场已封锁"),
       J().strings("legalBasis", {"493号令#9"}));
}

void Writer::UpdateCasualties(Time at, const std::string& signer, const std::string& accident,
                              int deaths, int serious, int missing, int64_t loss) {
  Emit(at, signer, "accidentCasualtiesUpdated",
       J().s("accidentId", accident)
           .i("deaths", deaths)
           .i("seriousInjuries", serious)
           .i("missing", missing)
           .i("directLossYuan", loss)
           .s("note", "补报"));
}

void Writer::Investigation(Time at, const std::string& signer, const std::string& accident,
                           const std::string& stage, const std::string& team,
                           const std::string& lead, const std::string& level) {
  J j;
  j.s("accidentId", accident).s("stage", stage).s("level", level);
  if (!team.empty()) j.s("teamOrg", team);
  if (!lead.empty()) j.s("leadOfficial", lead);
  if (stage == "reportSubmitted") j.o("report", Doc("事故调查报告", accident));
  Emit(at, signer, "investigationMilestone", j);
}

void Writer::Finding(Time at, const std::string& signer, const std::string& id,
                     const std::string& accident, const std::string& subject_type,
                     const std::string& subject, const std::string& finding,
                     const std::string& measure, const std::string& deciding) {
  Emit(at, signer, "responsibilityFindingRecorded",
       J().s("findingId", id)
           .s("accidentId", accident)
           .s("subjectType", subject_type)
           .s("subjectId", subject)
           .s("finding", finding)
           .s("recommendedMeasure", measure)
           .s("decidingAuthority", deciding),
       J().strings("legalBasis", {"SPL2021#90(4)"}));
}

void Writer::Oversight(Time at, const std::string& signer, const std::string& id,
                       const std::string& kind, const std::string& subject, Time from, Time to,
                       double score, const std::string& grade, bool veto, const Strings& findings) {
  Emit(at, signer, "oversightConducted",
       J().s("oversightId", id)
           .s("kind", kind)
           .s("subject", subject)
           .t("periodStart", from)
           .t("periodEnd", to)
           .n("score", score)
           .s("grade", grade)
           .b("veto", veto)
           .strings("findings", findings)
           .o("report", Doc("考核报告", id)));
}

void Writer::Accountability(Time at, const std::string& signer, const std::string& id,
                            const std::string& regime, const std::string& kind,
                            const std::string& subject, const Strings& findings, int months) {
  Emit(at, signer, "accountabilityMeasureImposed",
       J().s("measureId", id)
           .s("regime", regime)
           .s("kind", kind)
           .s("step", "imposed")
           .s("subject", subject)
           .strings("findings", findings)
           .i("influencePeriodMonths", months)
           .b("fileEntry", true)
           .o("decision", Doc("处分决定", id)));
}

void Writer::Withdraw(Time at, const std::string& signer, const std::string& event_id,
                      const std::string& reason) {
  Emit(at, signer, "recordWithdrawn", J().s("eventId", event_id).s("reason", reason));
}

void Writer::Parameters(Time at, const std::string& signer, const std::string& version, Time from,
                        const std::vector<std::tuple<std::string, std::string, double>>& params) {
  std::vector<J> list;
  for (const auto& [rule, name, value] : params) {
    list.push_back(J().s("rule", rule).s("name", name).n("value", value));
  }
  Emit(at, signer, "lapseRuleParametersSet",
       J().s("version", version).t("effectiveFrom", from).objects("parameters", list));
}

void Writer::Accessed(Time at, const std::string& signer, const std::string& subject,
                      const std::string& accessor, const std::string& purpose) {
  Emit(at, signer, "recordAccessed",
       J().s("subject", subject).s("accessor", accessor).s("purpose", purpose));
}

}  // namespace dutyledger::scenario
