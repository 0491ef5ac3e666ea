// Harness support: FUZZ_CHECK aborts (a finding) when an invariant of a parser does not hold, so
// libFuzzer saves the input; the replay driver (replay_main.cc) runs the same entry point over
// checked-in files in ordinary builds.
#ifndef DUTYLEDGER_TESTS_FUZZ_FUZZ_CHECK_H_
#define DUTYLEDGER_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FUZZ_CHECK(cond, what)                                                              \
  do {                                                                                      \
    if (!(cond)) {                                                                          \
      std::fprintf(stderr, "%s:%d: invariant failed: %s (%s)\n", __FILE__, __LINE__, #cond, \
                   std::string(what).c_str());                                              \
      std::abort();                                                                         \
    }                                                                                       \
  } while (0)

namespace dutyledger::fuzz {

// The input as text.
inline std::string_view AsText(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

}  // namespace dutyledger::fuzz

#endif  // DUTYLEDGER_TESTS_FUZZ_FUZZ_CHECK_H_
