#include "projections/enterprise_file.h"

namespace dutyledger {

namespace sc = schema;
using Which = sc::EventBody::Which;

namespace {

std::string Str(capnp::Text::Reader t) { return t.cStr(); }

std::vector<std::string> Strs(capnp::List<capnp::Text>::Reader list) {
  std::vector<std::string> out;
  for (auto t : list) out.emplace_back(t.cStr());
  return out;
}

Time At(sc::Timestamp::Reader t) { return ReadTime(t); }

// The level an accident's reports must reach, by its class (条例 Art 10).
sc::ReportLevel RequiredLevel(uint32_t deaths, uint32_t serious, int64_t loss_yuan) {
  switch (ClassOf(deaths, serious, loss_yuan)) {
    case AccidentClass::kGeneral:
      return sc::ReportLevel::CITY;
    case AccidentClass::kLarger:
      return sc::ReportLevel::PROVINCE;
    default:
      return sc::ReportLevel::STATE_COUNCIL;
  }
}

}  // namespace

AccidentClass ClassOf(uint32_t deaths, uint32_t serious, int64_t loss_yuan) {
  if (deaths >= 30 || serious >= 100 || loss_yuan >= 100'000'000) {
    return AccidentClass::kExtraordinary;
  }
  if (deaths >= 10 || serious >= 50 || loss_yuan >= 50'000'000) return AccidentClass::kMajor;
  if (deaths >= 3 || serious >= 10 || loss_yuan >= 10'000'000) return AccidentClass::kLarger;
  return AccidentClass::kGeneral;
}

bool EnterpriseFile::SuspendedAt(Time t) const {
  for (const auto& s : suspensions) {
    if (s.from <= t && (!s.until || t < *s.until)) return true;
  }
  return false;
}

const PlaceVersion& EnterpriseFile::PlaceAt(Time t) const {
  size_t i = 0;
  while (i + 1 < places.size() && places[i + 1].from <= t) ++i;
  return places[i];
}

std::string EnterpriseFile::Status() const {
  if (closed) return "closed";
  for (const auto& s : suspensions) {
    if (!s.until) return "suspended";
  }
  return "active";
}

Result<EnterpriseFile> EnterpriseFile::Load(History& history, const std::string& enterprise) {
  ASSIGN_OR_RETURN(auto stream, history.Stream("enterprise:" + enterprise));
  EnterpriseFile f;
  f.id = enterprise;
  bool registered = false;
  for (const Record* r : stream) {
    if (!r->effective()) {
      f.corrections.push_back(r);
      continue;
    }
    if (r->late || r->after_valid) f.corrections.push_back(r);
    auto b = r->body();
    Time t = r->occurred;
    f.records.push_back(r);
    switch (b.which()) {
      case Which::ENTERPRISE_REGISTERED: {
        auto e = b.getEnterpriseRegistered();
        if (Str(e.getEnterpriseId()) != enterprise) break;
        registered = true;
        f.registered = t;
        f.name = Str(e.getName());
        f.jurisdiction = Str(e.getJurisdiction());
        f.industries = Strs(e.getIndustryCodes());
        f.risk = e.getRiskClass();
        f.foreign = e.getForeignInvested();
        f.emerging = e.getEmergingSector();
        f.places.assign(1, PlaceVersion{t, f.jurisdiction, f.industries, r});
        break;
      }
      case Which::ENTERPRISE_PROFILE_UPDATED: {
        auto e = b.getEnterpriseProfileUpdated();
        if (e.getIndustryCodes().size() > 0) f.industries = Strs(e.getIndustryCodes());
        if (e.getRiskClass() != sc::RiskClass::UNSPECIFIED) f.risk = e.getRiskClass();
        f.foreign = e.getForeignInvested();
        f.emerging = e.getEmergingSector();
        if (e.hasJurisdiction() && !Str(e.getJurisdiction()).empty()) {
          f.jurisdiction = Str(e.getJurisdiction());
        }
        if (!f.places.empty() && (f.places.back().jurisdiction != f.jurisdiction ||
                                  f.places.back().industries != f.industries)) {
          if (f.places.back().from == t) f.places.pop_back();  // same instant: the later wins
          f.places.push_back(PlaceVersion{t, f.jurisdiction, f.industries, r});
        }
        break;
      }
      case Which::ENTERPRISE_PRINCIPAL_CHANGED: {
        auto e = b.getEnterprisePrincipalChanged();
        if (e.hasPrincipalPerson()) f.principal_person = Str(e.getPrincipalPerson());
        if (e.hasLegalRepresentative()) f.legal_rep = Str(e.getLegalRepresentative());
        break;
      }
      case Which::KEY_TARGET_CHANGED: {
        auto e = b.getKeyTargetChanged();
        f.key_target = e.getDesignated();
        f.key_target_changes.emplace_back(t, e.getDesignated());
        if (e.getRiskClass() != sc::RiskClass::UNSPECIFIED) f.risk = e.getRiskClass();
        break;
      }
      case Which::STANDARDIZATION_GRADE_CHANGED:
        f.standardization = b.getStandardizationGradeChanged().getGrade();
        break;
      case Which::ENTERPRISE_RESPONSIBILITY_DECLARED: {
        auto e = b.getEnterpriseResponsibilityDeclared();
        for (auto item : e.getItems()) {
          f.checklist.emplace_back(Str(e.getChecklistVersion()), Str(item.getCode()),
                                   item.getStatus(), t);
        }
        break;
      }
      case Which::PERMIT_STATUS_CHANGED: {
        auto e = b.getPermitStatusChanged();
        PermitFact p{Str(e.getPermitId()),
                     Str(e.getPermitType()),
                     Str(e.getIssuingOrg()),
                     e.getStatus(),
                     t,
                     r};
        f.permits[p.id] = p;
        f.permit_changes.push_back(std::move(p));
        break;
      }
      case Which::INSPECTION_CONDUCTED: {
        auto e = b.getInspectionConducted();
        f.inspections.push_back(InspectionFact{
            Str(e.getInspectionId()), t, e.getMode(), Strs(e.getInspectors()), e.getNoFindings(),
            e.getEnterpriseSigned(), Str(e.getPlanId()), Str(e.getProjectId()), r});
        break;
      }
      case Which::HAZARD_IDENTIFIED: {
        auto e = b.getHazardIdentified();
        std::string id = Str(e.getHazardId());
        auto it = f.hazards.find(id);
        if (it == f.hazards.end()) {
          HazardFact h;
          h.id = id;
          h.identified = t;
          h.source = e.getSource();
          h.inspection = Str(e.getInspectionId());
          it = f.hazards.emplace(id, std::move(h)).first;
        }
        HazardFact& h = it->second;
        h.grade = e.getGrade();
        h.grades.emplace_back(t, e.getGrade());
        h.type = Str(e.getHazardType());
        h.description = Str(e.getDescription());
        h.criteria = Str(e.getCriteriaRef());
        if (e.getGrade() == sc::HazardGrade::MAJOR && !h.major_since) h.major_since = t;
        h.records.push_back(r);
        break;
      }
      case Which::HAZARD_SELF_REPORTED: {
        auto it = f.hazards.find(Str(b.getHazardSelfReported().getHazardId()));
        if (it != f.hazards.end()) {
          if (!it->second.self_reported) it->second.self_reported = t;
          it->second.records.push_back(r);
        }
        break;
      }
      case Which::HAZARD_STATISTICS_FILED:
        f.statistics.emplace_back(t, r);
        break;
      case Which::HAZARD_LISTING: {
        auto e = b.getHazardListing();
        auto it = f.hazards.find(Str(e.getHazardId()));
        if (it == f.hazards.end()) break;
        if (e.getAction() == sc::ListingAction::LISTED) {
          it->second.listed = t;
        } else {
          it->second.delisted = t;
          if (!it->second.closed) it->second.closed = t;
        }
        it->second.records.push_back(r);
        break;
      }
      case Which::RECTIFICATION_ORDERED: {
        auto e = b.getRectificationOrdered();
        OrderFact o;
        o.id = Str(e.getOrderId());
        o.order_no = Str(e.getOrderNo());
        o.issued_by = r->signer();
        o.issued = t;
        o.deadline = At(e.getDeadline());
        o.deadlines.push_back({t, o.deadline, r});
        o.hazards = Strs(e.getHazards());
        o.issued_record = r;
        o.records.push_back(r);
        f.orders[o.id] = std::move(o);
        break;
      }
      case Which::RECTIFICATION_PLAN_SUBMITTED: {
        auto it = f.orders.find(Str(b.getRectificationPlanSubmitted().getOrderId()));
        if (it != f.orders.end()) it->second.records.push_back(r);
        break;
      }
      case Which::RECTIFICATION_DEADLINE_CHANGED: {
        auto e = b.getRectificationDeadlineChanged();
        auto it = f.orders.find(Str(e.getOrderId()));
        if (it != f.orders.end()) {
          it->second.deadline = At(e.getNewDeadline());
          it->second.deadlines.push_back({t, it->second.deadline, r});
          it->second.records.push_back(r);
        }
        break;
      }
      case Which::RECTIFICATION_REPORTED: {
        auto it = f.orders.find(Str(b.getRectificationReported().getOrderId()));
        if (it != f.orders.end()) {
          it->second.reports.push_back(t);
          it->second.records.push_back(r);
        }
        break;
      }
      case Which::RECTIFICATION_REVIEWED: {
        auto e = b.getRectificationReviewed();
        auto it = f.orders.find(Str(e.getOrderId()));
        if (it == f.orders.end()) break;
        bool passed = e.getResult() == sc::ReviewResult::PASSED;
        it->second.reviews.emplace_back(t, passed);
        it->second.records.push_back(r);
        if (passed) {
          for (const auto& h : it->second.hazards) {
            auto hz = f.hazards.find(h);
            if (hz != f.hazards.end() && !hz->second.closed) hz->second.closed = t;
          }
        }
        break;
      }
      case Which::ON_SITE_MEASURE: {
        auto e = b.getOnSiteMeasure();
        std::string id = Str(e.getMeasureId());
        bool suspension = e.getKind() == sc::MeasureKind::TEMPORARY_SUSPENSION;
        if (e.getAction() == sc::MeasureAction::IMPOSED) {
          f.measures[id] = MeasureFact{id, e.getKind(), t, std::nullopt, Strs(e.getHazards()), {r}};
          if (suspension) f.suspensions.push_back(Suspension{t, std::nullopt, r});
        } else if (auto it = f.measures.find(id); it != f.measures.end()) {
          it->second.lifted = t;
          it->second.records.push_back(r);
          if (suspension && !f.suspensions.empty() && !f.suspensions.back().until) {
            f.suspensions.back().until = t;
          }
        }
        break;
      }
      case Which::CASE_ACTION: {
        auto e = b.getCaseAction();
        std::string id = Str(e.getCaseId());
        if (e.getStage() == sc::CaseStage::OPENED) {
          f.cases[id] = CaseFact{id, t, std::nullopt, {}, {r}};
        } else if (auto it = f.cases.find(id); it != f.cases.end()) {
          it->second.closed = t;
          it->second.records.push_back(r);
        }
        break;
      }
      case Which::PENALTY_NOTICE_SERVED: {
        auto it = f.cases.find(Str(b.getPenaltyNoticeServed().getCaseId()));
        if (it != f.cases.end()) it->second.records.push_back(r);
        break;
      }
      case Which::PENALTY_DECIDED: {
        auto e = b.getPenaltyDecided();
        auto it = f.cases.find(Str(e.getCaseId()));
        if (it == f.cases.end()) break;
        PenaltyFact p{it->first, Str(e.getDecisionNo()), t, {}, 0, r};
        bool suspension = false;
        for (auto pen : e.getPenalties()) {
          p.kinds.push_back(pen.getKind());
          p.total_yuan += pen.getAmountYuan();
          suspension |= pen.getKind() == sc::PenaltyKind::SUSPENSION_FOR_RECTIFICATION;
        }
        it->second.penalties.push_back(p);
        it->second.records.push_back(r);
        if (suspension) f.suspensions.push_back(Suspension{t, std::nullopt, r});
        break;
      }
      case Which::RESUMPTION_DECIDED: {
        auto e = b.getResumptionDecided();
        if (e.getApproved()) {
          for (auto& s : f.suspensions) {
            if (!s.until) s.until = t;
          }
          if (auto it = f.measures.find(Str(e.getMeasureId())); it != f.measures.end()) {
            if (!it->second.lifted) it->second.lifted = t;
            it->second.records.push_back(r);
          }
        }
        break;
      }
      case Which::CLOSURE_ACTION: {
        auto e = b.getClosureAction();
        if (e.getStage() == sc::ClosureStage::REQUESTED) {
          f.closure_requested = true;
          if (!f.closure_requested_at) f.closure_requested_at = t;
        } else {
          f.closed = true;
          if (!f.closed_at) {
            f.closed_at = t;
            f.closure = r;
          }
        }
        break;
      }
      case Which::PROJECT_PROPOSED: {
        auto e = b.getProjectProposed();
        ProjectFact p;
        p.id = Str(e.getProjectId());
        p.name = Str(e.getName());
        p.promoter = Str(e.getPromotingOfficial());
        p.high_risk = e.getHighRisk();
        p.proposed = t;
        p.records.push_back(r);
        f.projects[p.id] = std::move(p);
        break;
      }
      case Which::PROJECT_SAFETY_REVIEWED: {
        auto e = b.getProjectSafetyReviewed();
        auto it = f.projects.find(Str(e.getProjectId()));
        if (it == f.projects.end()) break;
        it->second.reviewed = t;
        it->second.outcome = e.getOutcome();
        for (auto s : e.getSignatories()) it->second.approvals.emplace_back(Str(s), r);
        it->second.records.push_back(r);
        break;
      }
      case Which::SAFETY_PRE_ASSESSMENT_FILED: {
        auto it = f.projects.find(Str(b.getSafetyPreAssessmentFiled().getProjectId()));
        if (it == f.projects.end()) break;
        if (!it->second.pre_assessed) it->second.pre_assessed = t;
        it->second.records.push_back(r);
        break;
      }
      case Which::SAFETY_FACILITY_DESIGN_REVIEWED: {
        auto e = b.getSafetyFacilityDesignReviewed();
        auto it = f.projects.find(Str(e.getProjectId()));
        if (it == f.projects.end()) break;
        it->second.design_reviewed = t;
        it->second.design_approved = e.getApproved();
        it->second.design_reviews.push_back({t, e.getApproved(), r});
        for (auto s : e.getReviewers()) it->second.approvals.emplace_back(Str(s), r);
        it->second.records.push_back(r);
        break;
      }
      case Which::PROJECT_MILESTONE_REPORTED: {
        auto e = b.getProjectMilestoneReported();
        auto it = f.projects.find(Str(e.getProjectId()));
        if (it == f.projects.end()) break;
        it->second.milestones.emplace(e.getMilestone(), t);
        it->second.records.push_back(r);
        break;
      }
      case Which::SAFETY_FACILITY_ACCEPTED: {
        auto e = b.getSafetyFacilityAccepted();
        auto it = f.projects.find(Str(e.getProjectId()));
        if (it == f.projects.end()) break;
        it->second.accepted_at = t;
        it->second.accepted = e.getAccepted();
        it->second.acceptances.push_back({t, e.getAccepted(), r});
        for (auto s : e.getSignatories()) it->second.approvals.emplace_back(Str(s), r);
        it->second.records.push_back(r);
        break;
      }
      case Which::ACCIDENT_REPORTED: {
        auto e = b.getAccidentReported();
        std::string id = Str(e.getAccidentId());
        auto it = f.accidents.find(id);
        if (it == f.accidents.end()) {
          AccidentFact a;
          a.id = id;
          a.accident_at = At(e.getAccidentAt());
          a.known_at = e.hasKnownToUnitHeadAt() ? At(e.getKnownToUnitHeadAt()) : a.accident_at;
          a.road_or_fire = e.getRoadOrFire();
          a.deaths = e.getDeaths();
          a.serious = e.getSeriousInjuries();
          a.missing = e.getMissing();
          a.loss = e.getDirectLossYuan();
          a.required_level.push_back({t, RequiredLevel(a.deaths, a.serious, a.loss), r});
          it = f.accidents.emplace(id, std::move(a)).first;
        }
        it->second.reports.push_back(
            AccidentFact::Report{At(e.getReportedAt()), e.getRecipientLevel(),
                                 Str(e.getReportedBy()), Str(e.getRecipientOrg()), r});
        it->second.records.push_back(r);
        break;
      }
      case Which::ACCIDENT_CASUALTIES_UPDATED: {
        auto e = b.getAccidentCasualtiesUpdated();
        auto it = f.accidents.find(Str(e.getAccidentId()));
        if (it == f.accidents.end()) break;
        it->second.deaths = e.getDeaths();
        it->second.serious = e.getSeriousInjuries();
        it->second.missing = e.getMissing();
        it->second.loss = e.getDirectLossYuan();
        it->second.casualty_updates.emplace_back(t, r);
        it->second.required_level.push_back(
            {t, RequiredLevel(it->second.deaths, it->second.serious, it->second.loss), r});
        it->second.records.push_back(r);
        break;
      }
      case Which::INVESTIGATION_MILESTONE: {
        auto e = b.getInvestigationMilestone();
        auto it = f.accidents.find(Str(e.getAccidentId()));
        if (it == f.accidents.end()) break;
        it->second.stages.emplace_back(e.getStage(), t, r);
        it->second.records.push_back(r);
        break;
      }
      default:
        break;  // duties, committee business, findings...: other views read them
    }
  }
  // Orders name hazards; a hazard may be recorded (or corrected) after an order that names it
  // occurred the same moment, so the links are made once everything is folded.
  for (const auto& [oid, o] : f.orders) {
    for (const auto& h : o.hazards) {
      auto it = f.hazards.find(h);
      if (it != f.hazards.end()) it->second.orders.push_back(oid);
    }
  }
  if (!registered) {
    return NotFound("enterprise " + enterprise + " is not registered as of " +
                    FormatRfc3339(history.time().valid_at));
  }
  return f;
}

}  // namespace dutyledger
