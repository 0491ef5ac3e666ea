#include "projections/lapse_spill.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "ledger/codec.h"
#include "projections/lapses.h"

namespace dutyledger {

LapseSpill::~LapseSpill() {
  if (file_ != nullptr) std::fclose(file_);
}

// An unnamed file in $TMPDIR (or /tmp): nothing to remove, however the process ends.
Status LapseSpill::OpenTemporary() {
  const char* env = std::getenv("TMPDIR");
  std::string dir = env != nullptr && *env != '\0' ? env : "/tmp";
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR)) {  // no O_TMPFILE there: name, unlink
    std::string path = dir + "/dutyledger-lapses-XXXXXX";
    fd = ::mkostemp(path.data(), O_CLOEXEC);
    if (fd >= 0) ::unlink(path.c_str());
  }
  if (fd >= 0) file_ = ::fdopen(fd, "w+");
  if (file_ == nullptr) {
    int err = errno;
    if (fd >= 0) ::close(fd);
    return IOError("lapse report: cannot create a temporary file in " + dir +
                   " (TMPDIR) to set lapses aside: " + std::strerror(err));
  }
  return Status::Ok();
}

Status LapseSpill::Write(const void* data, size_t bytes) {
  if (file_ == nullptr && memory_.size() + bytes > memory_bytes_) {
    RETURN_IF_ERROR(OpenTemporary());
    if (!memory_.empty() &&
        std::fwrite(memory_.data(), 1, memory_.size(), file_) != memory_.size()) {
      return IOError(std::string("lapse report: cannot write the temporary file: ") +
                     std::strerror(errno));
    }
    std::string().swap(memory_);
  }
  if (file_ == nullptr) {
    memory_.append(static_cast<const char*>(data), bytes);
  } else if (std::fwrite(data, 1, bytes, file_) != bytes) {
    return IOError(std::string("lapse report: cannot write the temporary file: ") +
                   std::strerror(errno));
  }
  written_ += bytes;
  return Status::Ok();
}

Status LapseSpill::Add(views::Lapse::Reader lapse) {
  capnp::MallocMessageBuilder message;
  message.setRoot(lapse);
  kj::Array<capnp::word> words = capnp::messageToFlatArray(message);
  keys_.push_back(Key{ReadTime(lapse.getWindowStart()), lapse.getRule().cStr(),
                      lapse.getSubject().cStr(), written_, words.size()});
  return Write(words.begin(), words.size() * sizeof(capnp::word));
}

Status LapseSpill::Each(const std::function<Status(views::Lapse::Reader)>& fn) {
  std::stable_sort(keys_.begin(), keys_.end(), LapseBefore<Key>);
  if (file_ != nullptr && std::fflush(file_) != 0) {
    return IOError(std::string("lapse report: cannot write the temporary file: ") +
                   std::strerror(errno));
  }
  kj::Array<capnp::word> buffer;
  for (const Key& k : keys_) {
    if (buffer.size() < k.words) buffer = kj::heapArray<capnp::word>(k.words);
    size_t bytes = k.words * sizeof(capnp::word);
    if (file_ == nullptr) {
      std::memcpy(buffer.begin(), memory_.data() + k.offset, bytes);
    } else {
      ssize_t n = ::pread(fileno(file_), buffer.begin(), bytes, static_cast<off_t>(k.offset));
      if (n != static_cast<ssize_t>(bytes)) {
        return IOError("lapse report: cannot read back the temporary file at byte " +
                       std::to_string(k.offset) + ": " +
                       (n < 0 ? std::strerror(errno) : "short read"));
      }
    }
    capnp::ReaderOptions options;
    options.traversalLimitInWords = k.words * 2;
    capnp::FlatArrayMessageReader reader(buffer.slice(0, k.words), options);
    RETURN_IF_ERROR(fn(reader.getRoot<views::Lapse>()));
  }
  return Status::Ok();
}

}  // namespace dutyledger
