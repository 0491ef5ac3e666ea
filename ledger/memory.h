// The process's memory allocator, as the programs are linked (CMakeLists.txt,
// dutyledger_link_malloc): jemalloc for the programs users run, glibc's malloc in the sanitizer
// builds and the tests. Found at run time, so the libraries work under either.
#ifndef DUTYLEDGER_LEDGER_MEMORY_H_
#define DUTYLEDGER_LEDGER_MEMORY_H_

#include <string>

namespace dutyledger {

// "jemalloc 5.3.0-…" or "glibc".
std::string AllocatorName();

// Gives the pages of freed memory back to the system (after a fold of millions of small
// allocations, so that a process going on does not keep them resident).
void ReturnFreeMemory();

}  // namespace dutyledger

#endif  // DUTYLEDGER_LEDGER_MEMORY_H_
