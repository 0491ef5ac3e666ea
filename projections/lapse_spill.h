// LapseSpill: the lapses of a report set aside while it is derived, read back in report order.
//
// A report over a whole city has tens of thousands of lapses, each kilobytes with its holders and
// evidence (610 MB of JSON at 1M events). They are found subject by subject, but listed by window
// start, rule and subject; so each is kept as a flat Cap'n Proto message, in memory up to a limit
// and then in an unnamed temporary file in $TMPDIR or /tmp (gone when the process ends, however
// it ends), with a small key; the keys are sorted at the end and the messages read back one at a
// time.
#ifndef DUTYLEDGER_PROJECTIONS_LAPSE_SPILL_H_
#define DUTYLEDGER_PROJECTIONS_LAPSE_SPILL_H_

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "ledger/status.h"
#include "ledger/time.h"
#include "projections/schema/views.capnp.h"

namespace dutyledger {

class LapseSpill {
 public:
  // `memory_bytes`: what is kept in memory before the messages move to a temporary file.
  explicit LapseSpill(size_t memory_bytes) : memory_bytes_(memory_bytes) {}
  ~LapseSpill();
  LapseSpill(const LapseSpill&) = delete;
  LapseSpill& operator=(const LapseSpill&) = delete;

  Status Add(views::Lapse::Reader lapse);
  uint64_t size() const { return keys_.size(); }
  bool in_file() const { return file_ != nullptr; }

  // Every lapse added, by window start, rule and subject; lapses equal in all three in the order
  // they were added.
  Status Each(const std::function<Status(views::Lapse::Reader)>& fn);

 private:
  struct Key {
    Time window_start;
    std::string rule, subject;
    uint64_t offset;  // bytes into the messages
    size_t words;
  };
  Status OpenTemporary();
  Status Write(const void* data, size_t bytes);

  size_t memory_bytes_;
  std::vector<Key> keys_;
  std::string memory_;         // the messages, until they pass memory_bytes_
  std::FILE* file_ = nullptr;  // then all of them
  uint64_t written_ = 0;       // bytes of messages so far
};

}  // namespace dutyledger

#endif  // DUTYLEDGER_PROJECTIONS_LAPSE_SPILL_H_
