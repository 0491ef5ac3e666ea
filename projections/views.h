// The views: an enterprise's compliance history, an official's dossier, a park, and lapse
// reports, built at valid time T as recorded by K into projections/schema/views.capnp messages.
// Their text forms (Chinese or English, views_text.cc) render the same messages.
//
// Every view reads only the subject streams it names (the enterprise's, the official's, the
// park's and its committees'), never the whole log.
#ifndef DUTYLEDGER_PROJECTIONS_VIEWS_H_
#define DUTYLEDGER_PROJECTIONS_VIEWS_H_

#include <capnp/dynamic.h>
#include <capnp/message.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "projections/enterprise_file.h"
#include "projections/history.h"
#include "projections/lapse_memo.h"
#include "projections/lapses.h"
#include "projections/schema/views.capnp.h"

namespace dutyledger {

enum class Lang { kEn, kZh };
Result<Lang> ParseLang(const std::string& text);  // "en", "zh-CN" (or "zh")

// One way a duty reached a place during an interval (a duty, an industry mapping, a body's duty
// reaching its head, an approval signed, or a principal a lapse names).
struct HolderFact {
  std::string holder;   // "official:<id>" / "org:<id>"
  std::string channel;  // ChannelName, "approval", or "named"
  std::string duty_id;
  std::string via;
  std::string through;  // for a head reached through a body's duty: "org:<id>"
  int64_t from = 0;
  int64_t until = INT64_MAX;
  std::vector<const Record*> evidence;
};

// Receives a lapse report in report order (window start, rule, subject): Begin with the
// report's header (validAt, knownAt, scope; no lapses) and how many lapses follow, each lapse,
// then End.
class LapseReportWriter {
 public:
  virtual ~LapseReportWriter() = default;
  virtual Status Begin(views::LapseReport::Reader header, uint64_t count) = 0;
  virtual Status Lapse(views::Lapse::Reader lapse) = 0;
  virtual Status End() = 0;
};

// Collects a report into one message (ViewBuilder::Lapses).
class LapseReportCollector : public LapseReportWriter {
 public:
  explicit LapseReportCollector(views::LapseReport::Builder out) : out_(out) {}
  Status Begin(views::LapseReport::Reader header, uint64_t count) override;
  Status Lapse(views::Lapse::Reader lapse) override;
  Status End() override { return Status::Ok(); }

 private:
  views::LapseReport::Builder out_;
  capnp::List<views::Lapse>::Builder list_;
  unsigned next_ = 0;
};

// What a lapse report may hold in memory while it is derived (StreamLapses).
struct ReportLimits {
  // Records read (History) before they are dropped, between one subject and the next.
  size_t held_records = 65536;
  // Lapses set aside (flat messages) before they move to an unnamed temporary file.
  size_t set_aside_bytes = size_t{32} << 20;
};

// Builds views over one History (one valid time, one known time). Caches what it has folded,
// so a park view and its lapses read each enterprise once. Not thread-safe; one per query.
class ViewBuilder {
 public:
  explicit ViewBuilder(History& history);
  ~ViewBuilder();

  Status Enterprise(const std::string& enterprise, views::EnterpriseView::Builder out);
  Status Official(const std::string& official, views::OfficialView::Builder out);
  Status Park(const std::string& jurisdiction, views::ParkView::Builder out);
  // `scope`: "" (everything), "park:<id>" / "jurisdiction:<id>", "enterprise:<id>",
  // "official:<id>"; `rule`: "" or one rule id. kInvalidArgument for a malformed scope or an
  // unknown rule.
  Status Lapses(const std::string& scope, const std::string& rule, views::LapseReport::Builder out);
  // The same report handed to `out` piece by piece. It is derived subject by subject (the
  // places' rules, then each enterprise), each subject's lapses are set aside as they are found,
  // and the records read are dropped between subjects once more than the limits allow are held;
  // so a report over a whole city needs the memory of a few subjects, not of the city. Nothing
  // reaches `out` until every lapse is derived: a failure writes nothing.
  Status StreamLapses(const std::string& scope, const std::string& rule, LapseReportWriter& out,
                      const ReportLimits& limits = {});

  // A committee's meetings, decisions and tasks (with their latest status) as known at K.
  Status Decisions(const std::string& committee, views::DecisionsView::Builder out);
  // The resourcing records (staff, training, budget) of these bodies; `init(n)` sizes the list.
  Status Resourcing(const std::set<std::string>& orgs,
                    const std::function<capnp::List<views::Resourcing>::Builder(unsigned)>& init);

  // Where a dossier's or a park's lapses are taken from, enterprise by enterprise, when the
  // record had shown them and their windows had closed by T (LapseMemo): the ledger's memo by
  // default (Options::memo_bytes), this one instead, or none (nullptr: all derived at T).
  void UseLapseMemo(std::shared_ptr<LapseMemo> memo);

  // The duty holders of a place during [start, end] (closed), as known at K: duties and
  // mappings overlapping the window, and the heads of the bodies among them.
  Result<std::vector<HolderFact>> Holders(const Place& place, int64_t start, int64_t end);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The meetings of `committees` held from `since` on and the tasks of the decisions taken from
// then, with their latest status; `init(meetings, tasks)` sizes the lists. Records written are
// appended to `cited` when given.
using BusinessLists =
    std::pair<capnp::List<views::Meeting>::Builder, capnp::List<views::Task>::Builder>;
Status WriteCommitteeBusiness(History& h, const std::vector<std::string>& committees, int64_t since,
                              std::vector<const Record*>* cited,
                              const std::function<BusinessLists(unsigned, unsigned)>& init);

// A view's JSON form (the views.capnp schema through the events' JSON codec), with a newline.
std::string ViewToJson(capnp::DynamicStruct::Reader view);

// A channel's name ("inspectorInCharge") as the reader's language says it.
std::string ChannelLabel(const std::string& channel, Lang lang);

std::string RenderEnterprise(views::EnterpriseView::Reader v, Lang lang);
std::string RenderOfficial(views::OfficialView::Reader v, Lang lang);
std::string RenderPark(views::ParkView::Reader v, Lang lang);
std::string RenderLapseReport(views::LapseReport::Reader v, Lang lang);
// The same text in pieces, as StreamLapses hands a report over: the heading (from the report's
// header), each lapse, and the count at the end.
std::string RenderLapseReportHead(views::LapseReport::Reader header, Lang lang);
std::string RenderLapse(views::Lapse::Reader lapse, Lang lang, const std::string& indent = "  ");
std::string RenderLapseReportTail(uint64_t count, Lang lang);
// The lapse list alone (each view's lapse section uses it). A dossier's lapses name how the
// duty reached the official by number (`reachedThrough`, its `reaches` from [1]).
std::string RenderLapses(capnp::List<views::Lapse>::Reader lapses, Lang lang,
                         const std::string& indent = "  ");

}  // namespace dutyledger

#endif  // DUTYLEDGER_PROJECTIONS_VIEWS_H_
