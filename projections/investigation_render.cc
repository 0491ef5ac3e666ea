// The investigation report as text (100 columns) and as one self-contained HTML page with an SVG
// timeline; the committee replay and its diff. They render the messages and add nothing.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "ledger/codec.h"
#include "ledger/uuid.h"
#include "projections/investigation.h"

namespace dutyledger {
namespace {

constexpr int64_t kDay = Time::kNanosPerDay;
constexpr size_t kColumns = 100;

struct Tr {
  bool zh;
  const char* operator()(const char* en, const char* zh_text) const { return zh ? zh_text : en; }
};

std::string Str(capnp::Text::Reader t) { return t.cStr(); }
std::string DayOf(schema::Timestamp::Reader t) { return FormatRfc3339(ReadTime(t)).substr(0, 10); }
int64_t Nanos(schema::Timestamp::Reader t) { return ReadTime(t).unix_nanos; }

// Display columns of a code point: East Asian wide characters take two.
int Width(char32_t c) {
  return (c >= 0x1100 &&
          (c <= 0x115f || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) ||
           (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) ||
           (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6)))
             ? 2
             : 1;
}

// Splits `text` into lines of at most `width` columns: at spaces where it can, anywhere between
// wide characters (Chinese has no spaces), never inside a UTF-8 sequence.
std::vector<std::string> Wrap(const std::string& text, size_t width) {
  std::vector<std::string> lines;
  std::string line;
  size_t cols = 0, i = 0;
  size_t break_at = std::string::npos, cols_at_break = 0;
  while (i < text.size()) {
    unsigned char b = static_cast<unsigned char>(text[i]);
    size_t len = b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
    len = std::min(len, text.size() - i);
    char32_t c = b < 0x80 ? b : b < 0xe0 ? (b & 0x1f) : b < 0xf0 ? (b & 0x0f) : (b & 0x07);
    for (size_t k = 1; k < len; ++k)
      c = (c << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3f);
    int w = Width(c);
    if (cols + w > width && !line.empty()) {
      if (break_at != std::string::npos && break_at > 0) {
        std::string rest = line.substr(break_at);
        std::string head = line.substr(0, break_at);
        while (!head.empty() && head.back() == ' ') head.pop_back();
        lines.push_back(head);
        while (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
        line = rest;
        cols -= cols_at_break;
      } else {
        lines.push_back(line);
        line.clear();
        cols = 0;
      }
      break_at = std::string::npos;
      if (c == ' ' && line.empty()) {  // a space at the break is not carried over
        i += len;
        continue;
      }
    }
    line.append(text, i, len);
    cols += w;
    if (c == ' ' || w == 2) {
      break_at = line.size();
      cols_at_break = cols;
    }
    i += len;
  }
  if (!line.empty() || lines.empty()) lines.push_back(line);
  return lines;
}

void Para(std::string& out, const std::string& text, const std::string& first,
          const std::string& rest) {
  auto lines = Wrap(text, kColumns - first.size());
  for (size_t i = 0; i < lines.size(); ++i) out += (i ? rest : first) + lines[i] + "\n";
}

std::string Refs(capnp::List<views::Evidence>::Reader list) {
  std::string out;
  for (auto e : list) out += (out.empty() ? "" : " ") + ("#" + std::to_string(e.getSequence()));
  return out;
}

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string LeafBase64(views::Evidence::Reader e) {
  auto d = e.getLeafHash();
  return Base64Encode(ByteView(reinterpret_cast<const char*>(d.begin()), d.size()));
}

// ---- the SVG timeline

struct Mark {
  int64_t at;
  std::string kind;  // inspection, hazard, major, order, measure, accident
  std::string label;
  bool hollow = false, late = false;
};

std::string Timeline(views::InvestigationReport::Reader r, const Tr& t) {
  auto ent = r.getEnterprise();
  const int64_t T = Nanos(r.getAt());
  const int64_t from = T - 400 * kDay, to = T + 10 * kDay;
  const int left = 230, width = 640, row = 18;
  auto x = [&](int64_t at) {
    at = std::clamp(at, from, to);
    return left + static_cast<int>(static_cast<double>(at - from) / (to - from) * width);
  };
  std::vector<views::DutyHolder::Reader> bars;
  for (auto h : ent.getResponsibility()) {
    int64_t until = h.hasUntil() ? Nanos(h.getUntil()) : to;
    if (until > from && Nanos(h.getFrom()) < to) bars.push_back(h);
  }
  std::vector<Mark> marks;
  auto late = [&](views::Evidence::Reader e) { return e.getRecordedAfterQuery() || e.getLate(); };
  for (auto i : ent.getInspections()) {
    marks.push_back({Nanos(i.getAt()), "inspection", Str(i.getInspectionId()), i.getNoFindings(),
                     late(i.getEvidence())});
  }
  for (auto h : ent.getHazards()) {
    bool l = false;
    for (auto e : h.getEvidence()) l |= late(e);
    marks.push_back({Nanos(h.getIdentifiedAt()), Str(h.getGrade()) == "major" ? "major" : "hazard",
                     Str(h.getHazardId()), false, l});
  }
  for (auto o : ent.getOrders()) {
    bool l = false;
    for (auto e : o.getEvidence()) l |= late(e);
    marks.push_back({Nanos(o.getIssuedAt()), "order", Str(o.getOrderId()), false, l});
  }
  for (auto m : ent.getMeasures()) {
    marks.push_back({Nanos(m.getImposedAt()), "measure", Str(m.getMeasureId()), false, false});
  }
  // Records made after the moment about the time before it (for the incident: the accident).
  for (auto e : ent.getLateRecords()) {
    if (Nanos(e.getRecordedAt()) > T && Nanos(e.getOccurredAt()) <= T) {
      marks.push_back({Nanos(e.getOccurredAt()), "late", Str(e.getType()), false, true});
    }
  }
  const int kinds = 6;
  int height = 40 + row * static_cast<int>(bars.size()) + row * kinds + 30;
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 900 " +
                  std::to_string(height) + "\" width=\"900\" height=\"" + std::to_string(height) +
                  "\" role=\"img\" aria-label=\"" + Escape(t("timeline", "时间线")) + "\">\n";
  s += "<style>text{font:11px sans-serif}.bar{fill:#4a78b0}.bar.org{fill:#8aa6c8}"
       ".late{stroke:#e08000;stroke-width:3}.major{fill:#c00}.hazard{fill:#e0a000}"
       ".inspection{fill:#333}.inspection.hollow{fill:#fff;stroke:#333}.order{fill:#6a3d9a}"
       ".measure{fill:#008060}.acc{stroke:#c00;stroke-width:2}</style>\n";
  // Axis: months.
  int y = 20;
  for (int64_t m = from; m <= to; m += 30 * kDay) {
    s += "<line x1=\"" + std::to_string(x(m)) + "\" y1=\"" + std::to_string(y) + "\" x2=\"" +
         std::to_string(x(m)) + "\" y2=\"" + std::to_string(height - 20) + "\" stroke=\"#ddd\"/>\n";
    s += "<text x=\"" + std::to_string(x(m)) + "\" y=\"14\">" +
         FormatRfc3339(Time{m, 480}).substr(0, 7) + "</text>\n";
  }
  y = 30;
  for (auto h : bars) {
    int64_t until = h.hasUntil() ? Nanos(h.getUntil()) : to;
    std::string label = Str(h.getHolder()) + " · " +
                        ChannelLabel(Str(h.getChannel()), t.zh ? Lang::kZh : Lang::kEn);
    if (label.size() > 60) label = label.substr(0, 57) + "...";
    s += "<text x=\"4\" y=\"" + std::to_string(y + 11) + "\">" + Escape(label) + "</text>\n";
    bool org = Str(h.getHolder()).starts_with("org:");
    s += "<rect class=\"bar" + std::string(org ? " org" : "") + "\" x=\"" +
         std::to_string(x(Nanos(h.getFrom()))) + "\" y=\"" + std::to_string(y + 2) + "\" width=\"" +
         std::to_string(std::max(1, x(until) - x(Nanos(h.getFrom())))) +
         "\" height=\"12\"><title>" +
         Escape(label + " " + DayOf(h.getFrom()) + " – " +
                (h.hasUntil() ? DayOf(h.getUntil()) : "")) +
         "</title></rect>\n";
    y += row;
  }
  const std::vector<std::pair<std::string, std::pair<const char*, const char*>>> rows = {
      {"inspection", {"inspections (hollow: no findings)", "检查（空心：未发现问题）"}},
      {"hazard", {"general hazards", "一般隐患"}},
      {"major", {"major hazards", "重大事故隐患"}},
      {"order", {"rectification orders", "整改指令"}},
      {"measure", {"on-site measures", "现场处置措施"}},
      {"late", {"recorded after the moment (late)", "事后补录"}},
  };
  std::map<std::string, int> row_y;
  for (const auto& [kind, name] : rows) {
    row_y[kind] = y;
    s += "<text x=\"4\" y=\"" + std::to_string(y + 11) + "\">" +
         Escape(t(name.first, name.second)) + "</text>\n";
    y += row;
  }
  for (const auto& m : marks) {
    if (m.at < from || m.at > to) continue;
    int cx = x(m.at), cy = row_y[m.kind] + 8;
    std::string cls = m.kind + (m.hollow ? " hollow" : "") + (m.late ? " late" : "");
    std::string title = "<title>" + Escape(m.label + " " + FormatRfc3339(Time{m.at, 480})) +
                        (m.late ? Escape(t(" (late record)", "（迟录）")) : "") + "</title>";
    if (m.kind == "inspection" || m.kind == "late") {
      s += "<circle class=\"" + cls + "\" cx=\"" + std::to_string(cx) + "\" cy=\"" +
           std::to_string(cy) + "\" r=\"5\">" + title + "</circle>\n";
    } else {
      s += "<rect class=\"" + cls + "\" x=\"" + std::to_string(cx - 5) + "\" y=\"" +
           std::to_string(cy - 5) + "\" width=\"10\" height=\"10\">" + title + "</rect>\n";
    }
  }
  s += "<line class=\"acc\" x1=\"" + std::to_string(x(T)) + "\" y1=\"20\" x2=\"" +
       std::to_string(x(T)) + "\" y2=\"" + std::to_string(height - 20) + "\"/>\n";
  s += "<text x=\"" + std::to_string(x(T) + 4) + "\" y=\"" + std::to_string(height - 8) +
       "\" fill=\"#c00\">" +
       Escape(r.getIncident().size() ? t("accident", "事故") : t("the moment", "查询时点")) + " " +
       DayOf(r.getAt()) + "</text>\n";
  s += "</svg>\n";
  return s;
}

}  // namespace

Status CheckInvestigationFormat(const std::string& format) {
  if (format == "text" || format == "json" || format == "html") return Status::Ok();
  return InvalidArgument("--format must be text, json or html, not '" + format + "'");
}

Result<std::string> RenderInvestigation(views::InvestigationReport::Reader report,
                                        const std::string& format) {
  RETURN_IF_ERROR(CheckInvestigationFormat(format));
  if (format == "json") return ViewToJson(report);
  if (format == "html") return RenderInvestigationHtml(report);
  return RenderInvestigationText(report);
}

std::string RenderInvestigationText(views::InvestigationReport::Reader r) {
  Tr t{Str(r.getLanguage()) == "zh-CN"};
  std::string out;
  Para(out,
       std::string(t("Investigation report — ", "事故调查报告 — ")) + Str(r.getEnterpriseId()) +
           " " + Str(r.getEnterpriseName()),
       "", "  ");
  if (r.getIncident().size()) {
    Para(out,
         std::string(t("Incident ", "事故 ")) + Str(r.getIncident()) + t(" at ", "，发生于 ") +
             FormatRfc3339(ReadTime(r.getAt())) + t(" (event ", "（事件 ") +
             FormatUuid(ByteView(reinterpret_cast<const char*>(r.getIncidentEventId().begin()),
                                 r.getIncidentEventId().size())) +
             t(")", "）"),
         "  ", "    ");
  } else {
    Para(out, std::string(t("The moment: ", "查询时点：")) + FormatRfc3339(ReadTime(r.getAt())),
         "  ", "    ");
  }
  Para(
      out,
      std::string(t("Computed against the signed checkpoint of size ", "依据签名检查点（树大小 ")) +
          std::to_string(r.getCheckpointSize()) +
          t(" quoted at the end; [#N] are ledger entries (sequence numbers).",
            "），全文见报告末尾；[#N] 为账本记录序号。"),
      "  ", "    ");
  for (auto q : r.getQuestions()) {
    out += "\n";
    Para(out, std::to_string(q.getNumber()) + ". " + Str(q.getTitle()), "", "   ");
    for (auto f : q.getFindings()) {
      std::string text = Str(f.getText());
      if (f.getEvidence().size()) text += " [" + Refs(f.getEvidence()) + "]";
      Para(out, text, f.getConcern() ? "   ! " : "   - ", "     ");
    }
  }
  out += "\n" +
         std::string(t("Lapse signals per duty holder (for a person to judge, never findings)",
                       "各责任人的履职异常信号（供人工判断，不是结论）")) +
         "\n";
  for (auto h : r.getLapsesByHolder()) {
    std::string rules;
    for (auto x : h.getRules()) rules += " " + Str(x);
    Para(out,
         Str(h.getHolder()) + (h.getName().size() ? " " + Str(h.getName()) : "") + ":" + rules +
             " (" + std::to_string(h.getLapses()) + ")",
         "  ", "    ");
  }
  if (r.getLapsesByHolder().size() == 0) out += std::string("  ") + t("(none)", "（无）") + "\n";
  out += "\n" + std::string(t("Signed checkpoint", "签名检查点")) + "\n";
  std::string note = Str(r.getCheckpoint());
  size_t pos = 0;
  while (pos < note.size()) {
    size_t nl = note.find('\n', pos);
    if (nl == std::string::npos) nl = note.size();
    out += "  " + note.substr(pos, nl - pos) + "\n";
    pos = nl + 1;
  }
  return out;
}

std::string RenderInvestigationHtml(views::InvestigationReport::Reader r) {
  Tr t{Str(r.getLanguage()) == "zh-CN"};
  std::string title = std::string(t("Investigation report — ", "事故调查报告 — ")) +
                      Str(r.getEnterpriseId()) + " " + Str(r.getEnterpriseName());
  std::string h = "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"" +
                  Str(r.getLanguage()) + "\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>" +
                  Escape(title) + "</title>\n";
  h += "<style>body{font:14px/1.5 \"Noto Sans CJK SC\",\"Source Han Sans\",sans-serif;"
       "max-width:60em;margin:2em auto;color:#111}h1{font-size:1.4em}h2{font-size:1.1em;"
       "border-bottom:1px solid #999;margin-top:1.6em}li{margin:.3em 0}li.concern{color:#900}"
       "li.concern::marker{content:\"! \"}code{font-size:.85em;color:#555}pre{font-size:.8em;"
       "background:#f4f4f4;padding:.5em;white-space:pre-wrap}table{border-collapse:collapse}"
       "td,th{border:1px solid #bbb;padding:.2em .5em;font-size:.9em}svg{max-width:100%;"
       "height:auto}@media print{body{margin:0;max-width:none}h2{break-after:avoid}"
       "section{break-inside:avoid-page}a{color:inherit}}</style>\n</head>\n<body>\n";
  h += "<h1>" + Escape(title) + "</h1>\n<p>";
  if (r.getIncident().size()) {
    h += Escape(std::string(t("Incident ", "事故 ")) + Str(r.getIncident()) +
                t(" at ", "，发生于 ") + FormatRfc3339(ReadTime(r.getAt())));
  } else {
    h += Escape(std::string(t("The moment: ", "查询时点：")) + FormatRfc3339(ReadTime(r.getAt())));
  }
  h += "<br/>" +
       Escape(std::string(
                  t("Computed against the signed checkpoint of size ", "依据签名检查点，树大小 ")) +
              std::to_string(r.getCheckpointSize())) +
       ". " +
       Escape(t("Entries are cited by sequence number; hover for the leaf hash.",
                "记录以序号引用，悬停可见叶哈希。")) +
       "</p>\n";
  h += "<h2>" + Escape(t("Timeline", "时间线")) + "</h2>\n" + Timeline(r, t);
  for (auto q : r.getQuestions()) {
    h += "<section>\n<h2>" + std::to_string(q.getNumber()) + ". " + Escape(Str(q.getTitle())) +
         "</h2>\n<ul>\n";
    for (auto f : q.getFindings()) {
      h += std::string("<li") + (f.getConcern() ? " class=\"concern\"" : "") + ">" +
           Escape(Str(f.getText()));
      for (auto e : f.getEvidence()) {
        h += " <code title=\"" + Escape(Str(e.getType()) + " leaf " + LeafBase64(e)) + "\">#" +
             std::to_string(e.getSequence()) + "</code>";
      }
      h += "</li>\n";
    }
    h += "</ul>\n</section>\n";
  }
  h += "<section>\n<h2>" + Escape(t("Lapse signals per duty holder", "各责任人的履职异常信号")) +
       "</h2>\n<table>\n<tr><th>" + Escape(t("duty holder", "责任人")) + "</th><th>" +
       Escape(t("rules", "规则")) + "</th><th>" + Escape(t("signals", "信号数")) + "</th></tr>\n";
  for (auto x : r.getLapsesByHolder()) {
    std::string rules;
    for (auto rule : x.getRules()) rules += (rules.empty() ? "" : " ") + Str(rule);
    h += "<tr><td>" + Escape(Str(x.getHolder()) + " " + Str(x.getName())) + "</td><td>" +
         Escape(rules) + "</td><td>" + std::to_string(x.getLapses()) + "</td></tr>\n";
  }
  h += "</table>\n</section>\n<section>\n<h2>" + Escape(t("Signed checkpoint", "签名检查点")) +
       "</h2>\n<pre>" + Escape(Str(r.getCheckpoint())) + "</pre>\n</section>\n</body>\n</html>\n";
  return h;
}

void DiffDecisions(views::DecisionsView::Reader a, views::DecisionsView::Reader b,
                   views::DecisionsView::Builder out) {
  struct Change {
    std::string kind, summary;
    capnp::List<views::Evidence>::Reader list;
    std::optional<views::Evidence::Reader> one;
  };
  std::vector<Change> changes;
  std::map<std::string, views::Meeting::Reader> am, bm;
  for (auto m : a.getMeetings()) am.emplace(Str(m.getMeetingId()), m);
  for (auto m : b.getMeetings()) bm.emplace(Str(m.getMeetingId()), m);
  for (const auto& [id, m] : bm) {
    if (!am.count(id)) {
      changes.push_back({"meetingAdded", id + " (" + DayOf(m.getAt()) + ")", {}, m.getEvidence()});
    }
  }
  for (const auto& [id, m] : am) {
    if (!bm.count(id)) {
      changes.push_back(
          {"meetingRemoved", id + " (" + DayOf(m.getAt()) + ")", {}, m.getEvidence()});
    }
  }
  std::map<std::string, views::Task::Reader> at, bt;
  for (auto k : a.getTasks()) at.emplace(Str(k.getDecisionId()) + "/" + Str(k.getTaskId()), k);
  for (auto k : b.getTasks()) bt.emplace(Str(k.getDecisionId()) + "/" + Str(k.getTaskId()), k);
  for (const auto& [id, k] : bt) {
    auto it = at.find(id);
    if (it == at.end()) {
      changes.push_back({"taskAdded",
                         id + " \"" + Str(k.getDescription()) + "\" owner " + Str(k.getOwner()) +
                             ", due " + DayOf(k.getDue()) + ", " + Str(k.getStatus()),
                         k.getEvidence(), std::nullopt});
    } else if (Str(it->second.getStatus()) != Str(k.getStatus()) ||
               Nanos(it->second.getDue()) != Nanos(k.getDue())) {
      changes.push_back({"taskChanged",
                         id + ": " + Str(it->second.getStatus()) + " → " + Str(k.getStatus()) +
                             ", due " + DayOf(it->second.getDue()) + " → " + DayOf(k.getDue()),
                         k.getEvidence(), std::nullopt});
    }
  }
  for (const auto& [id, k] : at) {
    if (!bt.count(id)) {
      changes.push_back({"taskRemoved", id + " \"" + Str(k.getDescription()) + "\"",
                         k.getEvidence(), std::nullopt});
    }
  }
  auto cl = out.initChanges(static_cast<unsigned>(changes.size()));
  for (size_t i = 0; i < changes.size(); ++i) {
    cl[i].setKind(changes[i].kind);
    cl[i].setSummary(changes[i].summary);
    if (changes[i].one) {
      auto ev = cl[i].initEvidence(1);
      ev.setWithCaveats(0, *changes[i].one);
    } else {
      cl[i].setEvidence(changes[i].list);
    }
  }
}

std::string RenderDecisions(views::DecisionsView::Reader v, Lang lang) {
  Tr t{lang == Lang::kZh};
  std::string out;
  out += std::string(t("Safety committee ", "安全生产委员会 ")) + Str(v.getCommitteeId()) + "\n";
  out += std::string(t("  as of ", "  有效时点 ")) + FormatRfc3339(ReadTime(v.getValidAt())) +
         t(", as recorded by ", "，录入截至 ") + FormatRfc3339(ReadTime(v.getKnownAt())) + "\n";
  out += "\n" + std::string(t("Meetings", "会议")) + " (" + std::to_string(v.getMeetings().size()) +
         ")\n";
  for (auto m : v.getMeetings()) {
    std::string att;
    for (auto a : m.getAttendees()) att += (att.empty() ? "" : ", ") + Str(a);
    Para(out,
         DayOf(m.getAt()) + " " + Str(m.getMeetingId()) + " (" + Str(m.getType()) +
             t(") chair ", "）主持 ") + Str(m.getChair()) + t(", attending ", "，出席 ") + att +
             " [#" + std::to_string(m.getEvidence().getSequence()) + "]",
         "  ", "    ");
  }
  out += "\n" + std::string(t("Decisions and tasks", "决定与督办事项")) + " (" +
         std::to_string(v.getTasks().size()) + ")\n";
  const int64_t valid = Nanos(v.getValidAt());
  for (auto k : v.getTasks()) {
    bool overdue = Str(k.getStatus()) != "done" && Nanos(k.getDue()) < valid;
    Para(out,
         Str(k.getDecisionId()) + "/" + Str(k.getTaskId()) + " \"" + Str(k.getDescription()) +
             "\"" + t(" owner ", "，责任人 ") + Str(k.getOwner()) + t(", due ", "，期限 ") +
             DayOf(k.getDue()) + t(", status ", "，状态 ") + Str(k.getStatus()) +
             (overdue ? t(" — OVERDUE", " — 逾期") : "") + " [" + Refs(k.getEvidence()) + "]",
         overdue ? "  ! " : "  - ", "    ");
  }
  if (v.hasDiffKnownAt()) {
    out += "\n" + std::string(t("Changes in the record from ", "记录变化：自 ")) +
           FormatRfc3339(ReadTime(v.getKnownAt())) + t(" to ", " 至 ") +
           FormatRfc3339(ReadTime(v.getDiffKnownAt())) + " (" +
           std::to_string(v.getChanges().size()) + ")\n";
    for (auto c : v.getChanges()) {
      Para(out, Str(c.getKind()) + ": " + Str(c.getSummary()) + " [" + Refs(c.getEvidence()) + "]",
           "  ", "    ");
    }
    if (v.getChanges().size() == 0) out += std::string("  ") + t("(none)", "（无）") + "\n";
  }
  return out;
}

}  // namespace dutyledger
