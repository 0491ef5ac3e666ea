// The text forms of the views, in English or Chinese. They render the view messages and add
// nothing: whatever the text says, --json says too.
#include <cstdio>
#include <map>

#include "ledger/codec.h"
#include "projections/views.h"

namespace dutyledger {

namespace {

struct Text {
  Lang lang;
  const char* operator()(const char* en, const char* zh) const {
    return lang == Lang::kZh ? zh : en;
  }
};

std::string TimeText(schema::Timestamp::Reader t) { return FormatRfc3339(ReadTime(t)); }

// "2025-03-01" in the time's own offset.
std::string DayText(schema::Timestamp::Reader t) { return TimeText(t).substr(0, 10); }

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string Ref(views::Evidence::Reader e) { return "#" + std::to_string(e.getSequence()); }

std::string Refs(capnp::List<views::Evidence>::Reader list) {
  std::string out;
  for (auto e : list) out += (out.empty() ? "" : " ") + Ref(e);
  return out;
}

// Marks on a fact whose record was late, recorded after T, or corrected.
std::string Marks(views::Evidence::Reader e, const Text& t) {
  std::string out;
  if (e.getRecordedAfterQuery())
    out += t(" [recorded after the valid-at time]", " 〔在查询时点之后录入〕");
  if (e.getLate()) out += t(" [late record]", " 〔迟录〕");
  if (e.getSuperseded()) out += t(" [superseded]", " 〔已更正〕");
  if (e.getWithdrawn()) out += t(" [withdrawn]", " 〔已撤回〕");
  return out;
}

std::string Marks(capnp::List<views::Evidence>::Reader list, const Text& t) {
  for (auto e : list) {
    std::string m = Marks(e, t);
    if (!m.empty()) return m;
  }
  return "";
}

std::string Interval(views::DutyHolder::Reader h, const Text& t) {
  return DayText(h.getFrom()) + " – " +
         (h.hasUntil() ? DayText(h.getUntil()) : t("(held)", "（在任）"));
}

std::string ChannelText(const std::string& c, const Text& t) {
  static const std::map<std::string, std::pair<const char*, const char*>> names = {
      {"territorial", {"territorial (属地)", "属地监管"}},
      {"firstResponsible", {"first responsible person", "第一责任人"}},
      {"partyFirstResponsible", {"Party first responsible (党政同责)", "党政同责"}},
      {"portfolio", {"portfolio lead (一岗双责)", "分管领导（一岗双责）"}},
      {"grid", {"grid officer", "网格员"}},
      {"inspectorInCharge", {"inspector in charge", "包保/驻企监管员"}},
      {"sector", {"sector supervisor (三个必须)", "行业监管（三个必须）"}},
      {"comprehensive", {"comprehensive supervisor", "综合监管"}},
      {"committee", {"safety committee", "安委会"}},
      {"approval", {"approval signed (谁审批谁负责)", "审批签字（谁审批谁负责）"}},
      {"named", {"named in the records", "记录所涉人员"}},
  };
  auto it = names.find(c);
  return it == names.end() ? c : t(it->second.first, it->second.second);
}

void Holder(std::string& out, views::DutyHolder::Reader h, const Text& t, const std::string& ind) {
  out += ind + ChannelText(h.getChannel(), t) + ": " + h.getHolder().cStr();
  if (h.getName().size()) out += std::string(" ") + h.getName().cStr();
  if (h.getThroughBody().size()) {
    out += t(" (head of ", "（") + std::string(h.getThroughBody().cStr()) + t(")", " 负责人）");
  }
  out += "  " + Interval(h, t);
  if (h.getDutyId().size()) out += std::string(t("  duty ", "  职责 ")) + h.getDutyId().cStr();
  if (h.getVia().size()) out += std::string(t("  via ", "  依据 ")) + h.getVia().cStr();
  if (h.getEvidence().size()) out += "  " + Refs(h.getEvidence());
  out += Marks(h.getEvidence(), t) + "\n";
}

void Header(std::string& out, const std::string& title, schema::Timestamp::Reader valid,
            schema::Timestamp::Reader known, const Text& t) {
  out += title + "\n";
  out += std::string(t("  as of ", "  有效时点 ")) + TimeText(valid) +
         t(", as recorded by ", "，录入截至 ") + TimeText(known) + "\n";
}

void Section(std::string& out, const char* en, const char* zh, size_t n, const Text& t) {
  out += "\n" + std::string(t(en, zh)) + " (" + std::to_string(n) + ")\n";
}

// Records apart: what was recorded after T or late, with the delay.
void Apart(std::string& out, capnp::List<views::Evidence>::Reader list, const Text& t) {
  Section(out, "Records made late or after the valid-at time (listed apart)",
          "迟录或在查询时点之后录入的记录（单列）", list.size(), t);
  for (auto e : list) {
    int64_t delay = ReadTime(e.getRecordedAt()).unix_nanos - ReadTime(e.getOccurredAt()).unix_nanos;
    out += "  " + Ref(e) + " " + e.getType().cStr() + t(" occurred ", " 发生于 ") +
           TimeText(e.getOccurredAt()) + t(", recorded ", "，录入于 ") +
           TimeText(e.getRecordedAt()) + t(" (", "（迟 ") +
           Num(static_cast<double>(delay) / Time::kNanosPerDay) + t(" days later)", " 天）") +
           t(" by ", " 签名 ") + e.getSigner().cStr() + Marks(e, t) + "\n";
  }
}

}  // namespace

std::string ChannelLabel(const std::string& channel, Lang lang) {
  return ChannelText(channel, Text{lang});
}

std::string RenderLapse(views::Lapse::Reader l, Lang lang, const std::string& ind) {
  Text t{lang};
  std::string out;
  out += ind + l.getRule().cStr() + " " +
         (lang == Lang::kZh ? l.getTitleZh() : l.getTitle()).cStr() + " — " +
         l.getSubject().cStr() + "\n";
  out += ind + "  " + (lang == Lang::kZh ? l.getSummaryZh() : l.getSummary()).cStr() + "\n";
  out += ind + "  " + t("window ", "期间 ") + TimeText(l.getWindowStart()) + " – " +
         (l.hasWindowEnd() ? TimeText(l.getWindowEnd()) : t("(open)", "（持续中）")) + "\n";
  if (l.hasShownAt()) {
    out += ind + "  " + t("on the record ", "显现于 ");
    if (l.getShownByRecord()) {
      out += t("from ", "") + TimeText(l.getShownAt()) + t(" by #", "，记录 #") +
             std::to_string(l.getShownBy()) + "\n";
    } else {
      out += t("after ", "") + TimeText(l.getShownAt()) +
             t(" (a time limit ran out)", "之后（期限届满）") + "\n";
    }
  }
  out += ind + "  " + t("parameters ", "参数 ") + l.getParameterVersion().cStr() + ":";
  for (auto p : l.getParameters())
    out += std::string(" ") + p.getName().cStr() + "=" + Num(p.getValue());
  out += "\n";
  if (l.getHolders().size()) {
    out += ind + "  " + t("duty holders during the window:", "期间的责任人：") + "\n";
    for (auto h : l.getHolders()) Holder(out, h, t, ind + "    ");
  }
  if (l.getReachedThrough().size()) {  // an official's dossier: its `reaches`, numbered from 1
    out += ind + "  " + t("how the duty reached them:", "其责任来源：");
    for (uint32_t i : l.getReachedThrough()) out += " [" + std::to_string(i + 1) + "]";
    out += "\n";
  }
  out += ind + "  " + t("evidence ", "依据记录 ") + Refs(l.getEvidence()) +
         Marks(l.getEvidence(), t) + "\n";
  return out;
}

namespace {

std::string NoLapses(const std::string& ind, Lang lang) {
  Text t{lang};
  return ind + t("(none)", "（无）") + "\n";
}

}  // namespace

std::string RenderLapses(capnp::List<views::Lapse>::Reader lapses, Lang lang,
                         const std::string& ind) {
  std::string out;
  for (auto l : lapses) out += RenderLapse(l, lang, ind);
  if (lapses.size() == 0) out += NoLapses(ind, lang);
  return out;
}

std::string RenderLapseReportHead(views::LapseReport::Reader v, Lang lang) {
  Text t{lang};
  std::string out;
  Header(out, std::string(t("Lapses — scope ", "履职异常信号 — 范围 ")) + v.getScope().cStr(),
         v.getValidAt(), v.getKnownAt(), t);
  out += std::string(t("  signals for a person to judge, not findings",
                       "  供人工研判的信号，不是认定结论")) +
         "\n\n";
  return out;
}

std::string RenderLapseReportTail(uint64_t count, Lang lang) {
  Text t{lang};
  return (count == 0 ? NoLapses("  ", lang) : "") + "\n" + std::to_string(count) +
         t(" lapse signal(s)\n", " 条信号\n");
}

std::string RenderLapseReport(views::LapseReport::Reader v, Lang lang) {
  std::string out = RenderLapseReportHead(v, lang);
  for (auto l : v.getLapses()) out += RenderLapse(l, lang);
  return out + RenderLapseReportTail(v.getLapses().size(), lang);
}

std::string RenderEnterprise(views::EnterpriseView::Reader v, Lang lang) {
  Text t{lang};
  std::string out;
  Header(out,
         std::string(t("Enterprise ", "企业 ")) + v.getEnterpriseId().cStr() + " " +
             v.getName().cStr(),
         v.getValidAt(), v.getKnownAt(), t);
  std::string codes;
  for (auto c : v.getIndustryCodes()) codes += (codes.empty() ? "" : ",") + std::string(c.cStr());
  out += std::string(t("  jurisdiction ", "  属地 ")) + v.getJurisdiction().cStr() +
         t("  industries ", "  行业 ") + codes + t("  risk ", "  风险 ") + v.getRiskClass().cStr() +
         (v.getKeyTarget() ? t("  key target", "  重点监管") : "") + t("  status ", "  状态 ") +
         v.getStatus().cStr() + "\n";
  out += std::string(t("  principal person ", "  主要负责人 ")) + v.getPrincipalPerson().cStr() +
         t("  registered ", "  登记 ") + DayText(v.getRegisteredAt()) + "\n";

  // The responsibility map: held at T first, then earlier holders.
  auto valid = ReadTime(v.getValidAt());
  std::vector<views::DutyHolder::Reader> now, before;
  for (auto h : v.getResponsibility()) {
    bool held = !h.hasUntil() || ReadTime(h.getUntil()) > valid;
    (held ? now : before).push_back(h);
  }
  Section(out, "Duty holders at the valid-at time", "查询时点的责任人", now.size(), t);
  for (auto h : now) Holder(out, h, t, "  ");
  Section(out, "Earlier duty holders", "此前的责任人", before.size(), t);
  for (auto h : before) Holder(out, h, t, "  ");

  Section(out, "Inspections", "监督检查", v.getInspections().size(), t);
  for (auto i : v.getInspections()) {
    std::string who;
    for (auto p : i.getInspectors()) who += (who.empty() ? "" : ",") + std::string(p.cStr());
    out += "  " + DayText(i.getAt()) + " " + i.getInspectionId().cStr() + " " + i.getMode().cStr() +
           " [" + who + "]" + (i.getNoFindings() ? t(" no findings", " 未发现问题") : "") +
           (i.getEnterpriseSigned() ? "" : t(" enterprise did not sign", " 企业拒签")) + "  " +
           Ref(i.getEvidence()) + Marks(i.getEvidence(), t) + "\n";
  }
  Section(out, "Hazards", "事故隐患", v.getHazards().size(), t);
  for (auto h : v.getHazards()) {
    out += "  " + std::string(h.getHazardId().cStr()) + " " + h.getGrade().cStr() + " " +
           h.getHazardType().cStr() + t(" identified ", " 发现于 ") + DayText(h.getIdentifiedAt()) +
           (h.hasClosedAt() ? std::string(t(" closed ", " 销号于 ")) + DayText(h.getClosedAt())
                            : std::string(t(" OPEN", " 未销号"))) +
           " (" + Num(h.getDaysOpen()) + t(" days)", " 天）") +
           (h.getSelfReported() ? t(" self-reported", " 企业自报") : "") +
           (h.getListed() ? t(" listed", " 挂牌督办") : "") + "  " + Refs(h.getEvidence()) +
           Marks(h.getEvidence(), t) + "\n";
  }
  Section(out, "Rectification orders", "整改指令", v.getOrders().size(), t);
  for (auto o : v.getOrders()) {
    std::string hz;
    for (auto h : o.getHazards()) hz += (hz.empty() ? "" : ",") + std::string(h.cStr());
    out += "  " + std::string(o.getOrderId().cStr()) + " " + o.getOrderNo().cStr() +
           t(" issued ", " 下达 ") + DayText(o.getIssuedAt()) + t(" due ", " 期限 ") +
           DayText(o.getDeadline()) + " [" + hz + "] " + o.getState().cStr() +
           (o.getDaysOverdue() > 0 ? std::string(t(" OVERDUE ", " 逾期 ")) +
                                         Num(o.getDaysOverdue()) + t(" days", " 天")
                                   : "") +
           "  " + Refs(o.getEvidence()) + Marks(o.getEvidence(), t) + "\n";
    for (auto c : o.getDeadlineChanges()) {
      out += "    " + DayText(c.getChangedAt()) + t(" deadline changed from ", " 期限由 ") +
             DayText(c.getFrom()) + t(" to ", " 改为 ") + DayText(c.getTo()) +
             (c.getAfterItPassed() ? t(", after it had passed", "（原期限已过）") : "") + "  " +
             Ref(c.getEvidence()) + Marks(c.getEvidence(), t) + "\n";
    }
  }
  Section(out, "On-site measures", "现场处理措施", v.getMeasures().size(), t);
  for (auto m : v.getMeasures()) {
    out += "  " + std::string(m.getMeasureId().cStr()) + " " + m.getKind().cStr() + " " +
           DayText(m.getImposedAt()) + " – " +
           (m.hasLiftedAt() ? DayText(m.getLiftedAt()) : t("(in force)", "（执行中）")) + "  " +
           Refs(m.getEvidence()) + "\n";
  }
  Section(out, "Penalties", "行政处罚", v.getPenalties().size(), t);
  for (auto p : v.getPenalties()) {
    std::string kinds;
    for (auto k : p.getKinds()) kinds += (kinds.empty() ? "" : ",") + std::string(k.cStr());
    out += "  " + DayText(p.getDecidedAt()) + " " + p.getCaseId().cStr() + " " +
           p.getDecisionNo().cStr() + " [" + kinds + "] " + std::to_string(p.getTotalYuan()) +
           t(" yuan", " 元") + "  " + Ref(p.getEvidence()) + "\n";
  }
  Section(out, "Permits", "许可证", v.getPermits().size(), t);
  for (auto p : v.getPermits()) {
    out += "  " + std::string(p.getPermitId().cStr()) + " " + p.getPermitType().cStr() + " " +
           p.getStatus().cStr() + " " + DayText(p.getChangedAt()) + " " + p.getIssuingOrg().cStr() +
           "\n";
  }
  Section(out, "Projects (三同时)", "建设项目（三同时）", v.getProjects().size(), t);
  for (auto p : v.getProjects()) {
    out += "  " + std::string(p.getProjectId().cStr()) + " " + p.getName().cStr() +
           t(" stage ", " 阶段 ") + p.getStage().cStr() + t(" review ", " 评审 ") +
           p.getReviewOutcome().cStr() +
           (p.getDesignApproved() ? t(" design approved", " 设计已审")
                                  : t(" design not approved", " 设计未审")) +
           (p.getAccepted() ? t(" accepted", " 已验收") : "") + "  " + Refs(p.getEvidence()) + "\n";
    for (auto a : p.getApprovals()) Holder(out, a, t, "    ");
  }
  Section(out, "Accidents", "生产安全事故", v.getAccidents().size(), t);
  for (auto a : v.getAccidents()) {
    out += "  " + std::string(a.getAccidentId().cStr()) + " " + TimeText(a.getAccidentAt()) + " " +
           a.getGrade().cStr() + t(" deaths ", " 死亡 ") + std::to_string(a.getDeaths()) +
           t(" serious injuries ", " 重伤 ") + std::to_string(a.getSeriousInjuries()) +
           t(" missing ", " 失踪 ") + std::to_string(a.getMissing()) + "  " +
           Refs(a.getEvidence()) + "\n";
    for (auto r : a.getReports()) {
      out += std::string("    ") + t("reported ", "报告 ") + TimeText(r.getReportedAt()) + " " +
             r.getLevel().cStr() + " " + r.getBy().cStr() + " → " + r.getRecipient().cStr() + "\n";
    }
  }
  Section(out, "Responsibility checklist", "安全生产责任清单", v.getChecklist().size(), t);
  for (auto c : v.getChecklist()) {
    out += "  " + std::string(c.getVersion().cStr()) + " " + c.getCode().cStr() + " " +
           c.getStatus().cStr() + " " + DayText(c.getDeclaredAt()) + "\n";
  }
  Apart(out, v.getLateRecords(), t);
  Section(out, "Corrections and withdrawals", "更正与撤回", v.getCorrections().size(), t);
  for (auto c : v.getCorrections()) {
    out += "  " + Ref(c.getOriginal()) + " " + c.getType().cStr() +
           (c.getWithdrawn() ? t(" withdrawn by ", " 被撤回，见 ")
                             : t(" superseded by ", " 被更正，见 ")) +
           (c.hasBy() ? Ref(c.getBy()) : "?") + ": " + c.getReason().cStr() + "\n";
  }
  Section(out, "Lapse signals", "履职异常信号", v.getLapses().size(), t);
  out += RenderLapses(v.getLapses(), lang);
  return out;
}

std::string RenderOfficial(views::OfficialView::Reader v, Lang lang) {
  Text t{lang};
  std::string out;
  Header(out,
         std::string(t("Official ", "公职人员 ")) + v.getOfficialId().cStr() + " " +
             v.getName().cStr(),
         v.getValidAt(), v.getKnownAt(), t);
  Section(out, "Posts", "任职", v.getPosts().size(), t);
  for (auto p : v.getPosts()) {
    out += "  " + std::string(p.getOrg().cStr()) + " " + p.getOrgName().cStr() + " " +
           p.getPost().cStr() + (p.getHead() ? t(" (head)", "（主要负责人）") : "") + "  " +
           DayText(p.getFrom()) + " – " +
           (p.hasUntil() ? DayText(p.getUntil()) : t("(held)", "（在任）")) + "\n";
  }
  Section(out, "Duties held", "承担的职责", v.getDuties().size(), t);
  for (auto h : v.getDuties()) Holder(out, h, t, "  ");
  Section(out, "Actions", "履职记录", v.getActions().size(), t);
  for (auto c : v.getActionCounts()) {
    out += "  " + std::string(c.getRole().cStr()) + " " + c.getType().cStr() + ": " +
           std::to_string(c.getCount()) + "\n";
  }
  for (auto a : v.getActions()) {
    out += "    " + DayText(a.getEvidence().getOccurredAt()) + " " + a.getRole().cStr() + " " +
           a.getEvidence().getType().cStr() + " " + a.getSubject().cStr() +
           (a.getSummary().size() ? std::string(" — ") + a.getSummary().cStr() : "") + "  " +
           Ref(a.getEvidence()) + Marks(a.getEvidence(), t) + "\n";
  }
  Section(out, "Resourcing of their bodies", "所在机构的履职条件", v.getResourcing().size(), t);
  for (auto r : v.getResourcing()) {
    out += "  " + std::string(r.getOrg().cStr()) + " " + DayText(r.getPeriodStart()) + " – " +
           DayText(r.getPeriodEnd()) + t(": staff ", "：在岗 ") +
           std::to_string(r.getActualStaff()) + "/" + std::to_string(r.getAuthorizedStaff()) +
           t(", certified inspectors ", "，持证执法 ") +
           std::to_string(r.getCertifiedInspectors()) + t(", training hours ", "，培训学时 ") +
           std::to_string(r.getTrainingHours()) + t(", budget ", "，经费 ") +
           std::to_string(r.getBudgetYuan()) + "  " + Ref(r.getEvidence()) + "\n";
  }
  Section(out, "Assessments and accountability received", "考核与问责", v.getReceived().size(), t);
  for (auto r : v.getReceived()) {
    out += "  " + DayText(r.getEvidence().getOccurredAt()) + " " + r.getKind().cStr() + ": " +
           r.getSummary().cStr() + "  " + Ref(r.getEvidence()) + "\n";
  }
  Apart(out, v.getLateRecords(), t);
  Section(out, "How their duties reached the lapses below", "下列异常信号的责任来源",
          v.getReaches().size(), t);
  for (unsigned i = 0; i < v.getReaches().size(); ++i) {
    Holder(out, v.getReaches()[i], t, "  [" + std::to_string(i + 1) + "] ");
  }
  Section(out, "Lapse signals in the scope of their duties", "职责范围内的履职异常信号",
          v.getLapses().size(), t);
  out += RenderLapses(v.getLapses(), lang);
  return out;
}

std::string RenderPark(views::ParkView::Reader v, Lang lang) {
  Text t{lang};
  std::string out;
  Header(out,
         std::string(t("Park ", "园区 ")) + v.getJurisdictionId().cStr() + " " + v.getName().cStr(),
         v.getValidAt(), v.getKnownAt(), t);
  Section(out, "First responsible persons, committee and territorial duties",
          "第一责任人、安委会与属地职责", v.getFirstResponsible().size(), t);
  for (auto h : v.getFirstResponsible()) Holder(out, h, t, "  ");
  Section(out, "Committee meetings", "安委会会议", v.getMeetings().size(), t);
  for (auto m : v.getMeetings()) {
    out += "  " + DayText(m.getAt()) + " " + m.getMeetingId().cStr() + " " + m.getType().cStr() +
           t(" chair ", " 主持 ") + m.getChair().cStr() + t(", attendees ", "，出席 ") +
           std::to_string(m.getAttendees().size()) + "  " + Ref(m.getEvidence()) + "\n";
  }
  Section(out, "Committee tasks", "安委会督办事项", v.getTasks().size(), t);
  for (auto k : v.getTasks()) {
    out += "  " + std::string(k.getDecisionId().cStr()) + "/" + k.getTaskId().cStr() + " " +
           k.getOwner().cStr() + t(" due ", " 期限 ") + DayText(k.getDue()) + " " +
           k.getStatus().cStr() + " — " + k.getDescription().cStr() + "  " + Refs(k.getEvidence()) +
           "\n";
  }
  size_t blind = 0, key_uninspected = 0;
  for (auto e : v.getEnterprises()) {
    blind += e.getBlindSpot();
    key_uninspected += e.getKeyTarget() && e.getInspectionsLastYear() == 0;
  }
  Section(out, "Enterprises: inspection coverage", "企业监督检查覆盖", v.getEnterprises().size(),
          t);
  out += std::string(t("  blind spots: ", "  监管盲区：")) + std::to_string(blind) +
         t("; key targets not inspected in the last year: ", "；近一年未检查的重点企业：") +
         std::to_string(key_uninspected) + "\n";
  for (auto e : v.getEnterprises()) {
    out += "  " + std::string(e.getEnterpriseId().cStr()) + " " + e.getName().cStr() +
           (e.getKeyTarget() ? t(" [key target]", " 〔重点〕") : "") +
           t(" last inspected ", " 最近检查 ") +
           (e.hasLastInspection() ? DayText(e.getLastInspection()) : t("never", "从未")) +
           t(", in the last year ", "，近一年 ") + std::to_string(e.getInspectionsLastYear()) +
           (e.getBlindSpot()
                ? std::string(t(" BLIND SPOT: ", " 盲区：")) + e.getBlindSpotReason().cStr()
                : "") +
           "\n";
  }
  Section(out, "Lapse signals", "履职异常信号", v.getLapses().size(), t);
  out += RenderLapses(v.getLapses(), lang);
  return out;
}

}  // namespace dutyledger
