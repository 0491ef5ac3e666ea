// Audit bundle files (ledger/bundle_verify.h): VerifyBundle reads checkpoint, log-key.pub,
// proofs.json, keys.json and entries.bin from a folder that anyone may have written. The input is
// the five files joined by kSeparator (in that order; missing ones stay absent); the harness
// writes them to a private folder and verifies it. Whatever they hold, the answer is a report (a
// failed one names its file and reason) or a Status, never a crash.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "ledger/bundle_verify.h"
#include "tests/fuzz/fuzz_check.h"

using namespace dutyledger;

namespace {

constexpr std::string_view kSeparator = "\n==> next bundle file <==\n";
constexpr const char* kFiles[] = {"checkpoint", "log-key.pub", "proofs.json", "keys.json",
                                  "entries.bin"};

// A folder of our own for the process's life (libFuzzer exits through exit(), so it is removed).
struct Folder {
  Folder() {
    const char* base = std::getenv("TMPDIR");
    std::string root = std::filesystem::is_directory("/dev/shm") ? "/dev/shm"
                       : base != nullptr                         ? base
                                                                 : "/tmp";
    path = root + "/dutyledger-bundle-fuzz-" + std::to_string(getpid());
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~Folder() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string path;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Folder folder;
  std::string_view in = fuzz::AsText(data, size);
  for (const char* name : kFiles) std::filesystem::remove(folder.path + "/" + name);
  for (const char* name : kFiles) {
    size_t end = in.find(kSeparator);
    std::ofstream(folder.path + "/" + name, std::ios::binary) << in.substr(0, end);
    if (end == std::string_view::npos) break;
    in.remove_prefix(end + kSeparator.size());
  }
  BundleVerifyOptions options;
  options.threads = 1;
  auto report = VerifyBundle(folder.path, options);
  if (report.ok() && !report->ok) {
    FUZZ_CHECK(!report->file.empty(), report->Summary());
    FUZZ_CHECK(!report->reason.empty(), report->Summary());
  }
  return 0;
}
