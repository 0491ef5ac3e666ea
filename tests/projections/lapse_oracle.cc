#include "tests/projections/lapse_oracle.h"

#include <capnp/message.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

#include "ledger/codec.h"
#include "projections/views.h"

namespace dutyledger::testing {
namespace {

constexpr int64_t kHour = Time::kNanosPerHour;
constexpr int64_t kDay = 24 * kHour;

struct Window {
  std::string key;
  Time start, detected;
  std::optional<Time> end;
  bool at_trigger;  // detectable at the instant of a record (inclusive), else strictly after
  std::string said, said_open;                      // Said(), closed and open
  std::vector<std::pair<Time, uint64_t>> evidence;  // (occurred, sequence)
};

// What a lapse says besides its window: its parameters, and its summary once the window has
// closed (an open window's summary describes the open state, counting to T; the whole record's
// describes how it ended). Then (Cited) its evidence that had occurred by T.
std::string Said(views::Lapse::Reader l, bool closed) {
  std::string out = std::string(" | ") + l.getParameterVersion().cStr();
  for (auto p : l.getParameters()) {
    out += std::string(" ") + p.getName().cStr() + "=" + std::to_string(p.getValue());
  }
  return out + " | " + (closed ? l.getSummary().cStr() : "(open)") + " |";
}
std::string Cited(const std::vector<std::pair<Time, uint64_t>>& evidence, std::optional<Time> T) {
  std::string out;
  for (const auto& [at, seq] : evidence) {
    if (!T || at <= *T) out += " #" + std::to_string(seq);
  }
  return out;
}
std::vector<std::pair<Time, uint64_t>> Evidence(views::Lapse::Reader l) {
  std::vector<std::pair<Time, uint64_t>> out;
  for (auto e : l.getEvidence()) out.emplace_back(ReadTime(e.getOccurredAt()), e.getSequence());
  return out;
}

std::string Show(const std::string& key, Time start, std::optional<Time> end) {
  return key + " " + FormatRfc3339(start) + " .. " + (end ? FormatRfc3339(*end) : "open");
}

// Every lapse of the whole record at T, as recorded by `now`, as Show() strings; L30 left out.
template <typename Fn>
void ForEachLapse(Ledger& ledger, Time now, Time T, Fn&& fn) {
  QueryTime q;
  q.valid_at = T.WithOffset(480);
  q.known_at = now;
  q.known_size = ledger.size();
  History history(ledger, q);
  ViewBuilder builder(history);
  capnp::MallocMessageBuilder message;
  auto report = message.initRoot<views::LapseReport>();
  Status s = builder.Lapses("", "", report);
  ASSERT_TRUE(s.ok()) << s.ToString();
  for (auto l : report.asReader().getLapses()) {
    if (l.getRule() != "L30") fn(l);
  }
}

double Parameter(views::Lapse::Reader l, const char* name) {
  for (auto p : l.getParameters()) {
    if (p.getName() == name) return p.getValue();
  }
  ADD_FAILURE() << l.getRule().cStr() << " has no parameter " << name;
  return 0.0;
}

}  // namespace

std::string OracleResult::Describe(size_t shown) const {
  std::string out = std::to_string(differences.size()) + " differences over " +
                    std::to_string(instants) + " instants, " + std::to_string(windows) +
                    " windows:\n";
  for (size_t i = 0; i < std::min(shown, differences.size()); ++i) out += differences[i] + "\n";
  return out;
}

OracleResult CheckLapseCausality(Ledger& ledger, Time now, Time far, std::set<Time> grid,
                                 size_t boundary_every) {
  OracleResult result;
  std::vector<Window> windows;
  size_t n = 0;
  ForEachLapse(ledger, now, far, [&](views::Lapse::Reader l) {
    std::string rule = l.getRule().cStr();
    Time start = ReadTime(l.getWindowStart());
    std::optional<Time> end;
    if (l.hasWindowEnd()) end = ReadTime(l.getWindowEnd());
    Window w{rule + " " + l.getSubject().cStr(),
             start,
             start,
             end,
             false,
             Said(l, true),
             Said(l, false),
             Evidence(l)};
    // The window's start plus the parameter `name`, counted in `unit`.
    auto after_grace = [&](const char* name, int64_t unit) {
      return start.PlusNanos(static_cast<int64_t>(Parameter(l, name) * unit));
    };
    const bool relay =
        rule == "L21" && std::string(l.getSummary().cStr()).find("relay") != std::string::npos;
    if (relay) {
      // A relay late or never made: known once the relay time has run (window start).
    } else if (rule == "L6" || rule == "L14" || rule == "L21" || rule == "L29") {
      // Detected by the record that ends the window: the first of its evidence at or after the
      // window's end (an accident's report comes after the accident; later evidence, such as
      // the recurring hazard's order, comes after the detection).
      if (!end) {
        ADD_FAILURE() << rule << " with no end: " << l.getSummary().cStr();
        return;
      }
      std::optional<Time> trigger;
      for (auto e : l.getEvidence()) {
        Time at = ReadTime(e.getOccurredAt());
        if (at >= *end && (!trigger || at < *trigger)) trigger = at;
      }
      w.detected = trigger.value_or(*end);
      w.at_trigger = true;
    } else if (rule == "L7" && Parameter(l, "self_report_grace_days") > 0) {
      // Not self-reported within the grace: known once the grace has run.
      w.detected = after_grace("self_report_grace_days", kDay);
    } else if (rule == "L7" || rule == "L17" || rule == "L18") {
      w.at_trigger = true;      // by the record at the window's start
    } else if (rule == "L1") {  // a gap is one once the grace has run (none by default)
      w.detected = after_grace("blind_spot_grace_days", kDay);
    } else if (rule == "L26") {
      w.detected = after_grace("handover_grace_days", kDay);
    } else if (rule == "L2") {
      w.detected = after_grace("vacancy_grace_days", kDay);
    } else if (rule == "L8") {
      w.detected = after_grace("major_action_hours", kHour);
    }
    // What the lapse says of itself agrees (shownAt): the instant, whether a record showed it,
    // and that record among its evidence.
    if (!l.hasShownAt()) {
      result.differences.push_back("no shownAt: " + w.key);
    } else {
      std::string claim = FormatRfc3339(ReadTime(l.getShownAt())) +
                          (l.getShownByRecord() ? " by a record" : " after a time limit");
      std::string want =
          FormatRfc3339(w.detected) + (w.at_trigger ? " by a record" : " after a time limit");
      if (claim != want) {
        result.differences.push_back("shownAt " + claim + ", the rule says " + want + ": " +
                                     Show(w.key, w.start, w.end));
      }
      if (l.getShownByRecord()) {
        bool cited = false;
        for (auto e : l.getEvidence()) cited = cited || e.getSequence() == l.getShownBy();
        if (!cited) result.differences.push_back("shownBy not in the evidence: " + w.key);
      }
    }
    if (n++ % boundary_every == 0) {
      for (Time t : {w.start, w.detected, w.end.value_or(w.start)}) {
        for (int64_t d : {-Time::kNanosPerSecond, int64_t{0}, Time::kNanosPerSecond}) {
          grid.insert(t.PlusNanos(d));
        }
      }
    }
    windows.push_back(std::move(w));
  });
  result.windows = windows.size();
  result.instants = grid.size();
  for (Time T : grid) {
    std::multiset<std::string> want, got;
    for (const auto& w : windows) {
      if (w.at_trigger ? w.detected <= T : w.detected < T) {
        const bool closed = w.end && *w.end <= T;
        want.insert(Show(w.key, w.start, closed ? w.end : std::nullopt) +
                    (closed ? w.said : w.said_open) + Cited(w.evidence, T));
      }
    }
    ForEachLapse(ledger, now, T, [&](views::Lapse::Reader l) {
      std::optional<Time> end;
      if (l.hasWindowEnd()) end = ReadTime(l.getWindowEnd());
      got.insert(Show(std::string(l.getRule().cStr()) + " " + l.getSubject().cStr(),
                      ReadTime(l.getWindowStart()), end) +
                 Said(l, l.hasWindowEnd()) + Cited(Evidence(l), std::nullopt));
    });
    for (const auto& k : want) {
      if (!got.count(k)) result.differences.push_back("at " + FormatRfc3339(T) + " missing: " + k);
    }
    for (const auto& k : got) {
      if (!want.count(k)) {
        result.differences.push_back("at " + FormatRfc3339(T) + " unexpected: " + k);
      }
    }
  }
  return result;
}

}  // namespace dutyledger::testing
