#include "projections/lapse_memo.h"

#include "projections/tables.h"

namespace dutyledger {
namespace {

size_t Cost(const std::string& s) { return sizeof(std::string) + s.capacity(); }

size_t Cost(const Place& p) {
  size_t n = Cost(p.enterprise) + Cost(p.jurisdiction);
  for (const auto& i : p.industries) n += Cost(i);
  return n;
}

// What a kept lapse costs, roughly: its strings and vectors with their heap blocks.
size_t Cost(const LapseMemo::Lapse& l) {
  const LapseFinding& f = l.finding;
  size_t n = sizeof(LapseMemo::Lapse) + Cost(f.rule) + Cost(f.subject) + Cost(f.summary) +
             Cost(f.summary_zh) + Cost(f.parameter_version) +
             l.evidence.capacity() * sizeof(l.evidence[0]) +
             l.moved_by.capacity() * sizeof(uint64_t);
  for (const auto& [rule, name, value] : f.parameters) n += Cost(rule) + Cost(name) + 8;
  if (f.place) n += Cost(*f.place);
  for (const auto& p : f.extra_holders) n += Cost(p);
  for (const auto& m : f.moves) n += sizeof(m) + Cost(m.place);
  return n;
}

}  // namespace

LapseMemo::Lapse::At LapseMemo::Lapse::When(Time T) const {
  if (shown_by_record ? shown > T : shown >= T) return At::kNotShown;
  return finding.window_end && *finding.window_end <= T ? At::kClosed : At::kOpen;
}

std::shared_ptr<const LapseMemo::Enterprise> LapseMemo::Make(
    std::optional<Time> registered, std::optional<Time> first_accident,
    const std::vector<LapseFinding>& found) {
  auto e = std::make_shared<Enterprise>();
  e->registered = registered;
  e->first_accident = first_accident;
  e->bytes = sizeof(Enterprise);
  e->lapses.reserve(found.size());
  for (const LapseFinding& f : found) {
    auto sighting = f.ShownAt();
    if (!sighting) continue;  // L30: derived at T whenever an accident had happened by T
    Lapse& l = e->lapses.emplace_back();
    l.finding = f;
    l.finding.evidence.clear();
    for (const Record* r : f.evidence) l.evidence.emplace_back(r->seq, r->occurred);
    for (auto& m : l.finding.moves) {
      l.moved_by.push_back(m.record != nullptr ? m.record->seq : tables::kNoSeq);
      m.record = nullptr;
    }
    l.shown = sighting->at;
    l.shown_by_record =
        f.shown == LapseFinding::Shown::kAtStart || f.shown == LapseFinding::Shown::kByLaterRecord;
    e->bytes += Cost(l);
  }
  return e;
}

std::shared_ptr<LapseMemo> LapseMemo::For(const Ledger& ledger) {
  if (ledger.memo_bytes() == 0) return nullptr;
  return std::static_pointer_cast<LapseMemo>(ledger.Attachment("projections.lapse_memo", [&] {
    return std::static_pointer_cast<void>(std::make_shared<LapseMemo>(ledger.memo_bytes()));
  }));
}

std::shared_ptr<const LapseMemo::Enterprise> LapseMemo::Find(const std::string& enterprise,
                                                             uint64_t known_size) {
  std::lock_guard<std::mutex> l(mu_);
  if (known_size == known_size_) {
    if (auto it = kept_.find(enterprise); it != kept_.end()) {
      ++hits_;
      return it->second;
    }
  }
  ++misses_;
  return nullptr;
}

void LapseMemo::MoveTo(uint64_t known_size) {
  kept_.clear();
  asked_.clear();
  bytes_ = 0;
  full_ = false;
  known_size_ = known_size;
}

bool LapseMemo::AskedBefore(const std::string& enterprise, uint64_t known_size) {
  std::lock_guard<std::mutex> l(mu_);
  if (known_size < known_size_) return false;
  if (known_size > known_size_) MoveTo(known_size);
  // A remembered id costs ~80 bytes: they may take a twelfth more than the budget, then are
  // forgotten at once (64 MiB: 65,536 of them; a city of 1M events has ~25,000 enterprises).
  if (asked_.size() >= budget_ / 1024) asked_.clear();
  const bool again = !asked_.insert(enterprise).second;
  return again && !full_;  // once full, nothing more is derived to be kept
}

void LapseMemo::Keep(const std::string& enterprise, uint64_t known_size,
                     std::shared_ptr<const Enterprise> kept) {
  std::lock_guard<std::mutex> l(mu_);
  if (known_size < known_size_ || kept->bytes > budget_) return;
  if (known_size > known_size_) MoveTo(known_size);
  auto it = kept_.find(enterprise);
  const size_t replaced = it != kept_.end() ? it->second->bytes : 0;
  if (bytes_ - replaced + kept->bytes > budget_) {
    // Full: what is kept stays (until an append), and AskedBefore asks for no more. Dropping
    // everything instead would have each enterprise asked about before derived over its whole
    // record again, one query after another, each costing more than a derivation up to T.
    full_ = true;
    return;
  }
  bytes_ = bytes_ - replaced + kept->bytes;
  kept_[enterprise] = std::move(kept);
}

void LapseMemo::CountTaken(size_t lapses) {
  std::lock_guard<std::mutex> l(mu_);
  taken_ += lapses;
}

LapseMemo::Stats LapseMemo::stats() const {
  std::lock_guard<std::mutex> l(mu_);
  return Stats{hits_, misses_, taken_, kept_.size(), bytes_, budget_};
}

}  // namespace dutyledger
