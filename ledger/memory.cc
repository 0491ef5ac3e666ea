#include "ledger/memory.h"

#include <dlfcn.h>
#include <malloc.h>

#include <cstddef>

namespace dutyledger {
namespace {

using Mallctl = int (*)(const char*, void*, size_t*, void*, size_t);

// jemalloc's control interface, when jemalloc is the process's malloc.
Mallctl JemallocControl() {
  static const Mallctl mallctl = reinterpret_cast<Mallctl>(dlsym(RTLD_DEFAULT, "mallctl"));
  return mallctl;
}

}  // namespace

std::string AllocatorName() {
  Mallctl mallctl = JemallocControl();
  const char* version = nullptr;
  size_t size = sizeof version;
  if (mallctl == nullptr || mallctl("version", &version, &size, nullptr, 0) != 0) return "glibc";
  return std::string("jemalloc ") + version;
}

void ReturnFreeMemory() {
  if (Mallctl mallctl = JemallocControl()) {
    // Every arena's unused pages ("arena.<MALLCTL_ARENAS_ALL>.purge"; MALLCTL_ARENAS_ALL is 4096).
    mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0);
  } else {
    malloc_trim(0);
  }
}

}  // namespace dutyledger
