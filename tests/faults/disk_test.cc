// Faults on disk: a file system that fills up under appends, a data folder on read-only media,
// and a data folder another process holds. Each is refused with a Status a user can act on, no
// append is acknowledged that is not durable, and the ledger verifies once the fault is gone.
//
// The full and read-only file systems are tmpfs mounts the test makes (it needs root or
// CAP_SYS_ADMIN; elsewhere those tests are skipped and say why).
#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <string>

#include "ledger/verify.h"
#include "tests/support/test_util.h"

namespace dutyledger {
namespace {

// A tmpfs of `bytes` mounted on a fresh folder; unmounted (lazily, if still busy) at the end.
class Tmpfs {
 public:
  Tmpfs(const testing::TempDir& dir, size_t bytes) : path_(dir.Sub("mnt")) {
    std::filesystem::create_directories(path_);
    std::string opts = "size=" + std::to_string(bytes) + ",mode=0755";
    if (::mount("tmpfs", path_.c_str(), "tmpfs", 0, opts.c_str()) != 0) {
      error_ = std::strerror(errno);
      return;
    }
    mounted_ = true;
  }
  ~Tmpfs() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }
  // Grows (or shrinks) the file system.
  bool Resize(size_t bytes) {
    std::string opts = "size=" + std::to_string(bytes);
    return ::mount("tmpfs", path_.c_str(), "tmpfs", MS_REMOUNT, opts.c_str()) == 0;
  }
  // Remounts read-only (or back to read-write).
  bool SetReadOnly(bool ro) {
    unsigned long flags = MS_REMOUNT | (ro ? MS_RDONLY : 0);
    return ::mount("tmpfs", path_.c_str(), "tmpfs", flags, nullptr) == 0;
  }
  uint64_t FreeBytes() const {
    struct statvfs s;
    return ::statvfs(path_.c_str(), &s) == 0 ? uint64_t{s.f_bavail} * s.f_frsize : 0;
  }

 private:
  std::string path_;
  bool mounted_ = false;
  std::string error_;
};

#define SKIP_UNLESS_MOUNTED(fs)                                                                   \
  if (!(fs).mounted()) {                                                                          \
    GTEST_SKIP() << "cannot mount a tmpfs on " << (fs).path() << " (" << (fs).error()             \
                 << "): this test needs root or CAP_SYS_ADMIN; the disk-fault tests did not run"; \
  }

std::unique_ptr<PrivateKey> Root() { return testing::NewKey(); }

Result<std::unique_ptr<Ledger>> CreateAt(const std::string& path, const PrivateKey& root,
                                         Clock* clock) {
  Ledger::InitParams params;
  params.origin = "test.example/park-1";
  params.authority = &root;
  params.root_principal = "org:root";
  Ledger::Options options;
  options.clock = clock;
  return Ledger::Create(path, params, options);
}

Result<std::unique_ptr<Ledger>> OpenAt(const std::string& path, Clock* clock,
                                       bool read_only = false) {
  Ledger::Options options;
  options.clock = clock;
  options.read_only = read_only;
  return Ledger::Open(path, options);
}

// Notes of about `text_bytes` each, signed by `root`.
std::vector<SignedEvent> Notes(int n, size_t text_bytes, const PrivateKey& root, ManualClock& clock,
                               const EventJson& json, uint64_t* counter) {
  std::vector<SignedEvent> out;
  EventJson::Defaults d{"test.example/park-1", root.public_key().id(), &clock};
  for (int i = 0; i < n; ++i) {
    clock.Advance(1000);
    std::string text = "n" + std::to_string((*counter)++) + std::string(text_bytes, 'x');
    auto body = json.ParseEventBody(
        R"({"occurredAt": "2017-02-27T09:00:00+08:00", "note": {"text": ")" + text + "\"}}", d);
    EXPECT_TRUE(body.ok()) << body.status().ToString();
    out.push_back(SignedEvent{*body, *root.Sign(EventSigningMessage(*body))});
  }
  return out;
}

// Fills the file system up to `leave` free bytes with a file.
void Fill(const Tmpfs& fs, const std::string& name, uint64_t leave) {
  uint64_t free = fs.FreeBytes();
  ASSERT_GT(free, leave);
  int fd = ::open(fs.Sub(name).c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  std::string block(1 << 16, 'f');
  uint64_t want = free - leave;
  while (want > 0) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(want, block.size()));
    ssize_t w = ::write(fd, block.data(), n);
    if (w <= 0) break;
    want -= static_cast<uint64_t>(w);
  }
  ::close(fd);
}

TEST(DiskFaults, FullDiskRefusesAppendsAcknowledgesOnlyDurableOnesAndVerifiesAfterSpaceReturns) {
  testing::TempDir dir;
  Tmpfs fs(dir, size_t{48} << 20);
  SKIP_UNLESS_MOUNTED(fs);
  auto root = Root();
  ManualClock clock(testing::TestEpoch());
  EventJson json;
  std::string data = fs.Sub("ledger");
  std::map<uint64_t, Digest> acked;  // sequence -> leaf hash
  uint64_t counter = 0;
  Status refusal;
  {
    auto ledger = CreateAt(data, *root, &clock);
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    auto first = (*ledger)->Append(Notes(50, 200, *root, clock, json, &counter));
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    for (const auto& a : *first) acked[a.sequence] = a.leaf_hash;
    // Leave 256 KiB. RocksDB has preallocated its write-ahead log (about the 32 MiB memtable
    // size), so appends go on until that is used up and the log or a flush cannot grow.
    Fill(fs, "filler", 256 << 10);
    for (int round = 0; round < 2000 && refusal.ok(); ++round) {
      auto r = (*ledger)->Append(Notes(20, 4000, *root, clock, json, &counter));
      if (!r.ok()) {
        refusal = r.status();
        break;
      }
      for (const auto& a : *r) acked[a.sequence] = a.leaf_hash;
    }
    ASSERT_FALSE(refusal.ok()) << "the disk never filled (" << fs.FreeBytes() << " bytes free)";
    std::printf("refused after %zu acknowledged events: %s\n", acked.size(),
                refusal.ToString().c_str());
    EXPECT_EQ(refusal.code(), StatusCode::kResourceExhausted) << refusal.ToString();
    EXPECT_NE(refusal.message().find("disk is full"), std::string::npos) << refusal.ToString();
    // While the disk stays full, appends keep being refused (none is acknowledged).
    auto again = (*ledger)->Append(Notes(1, 10, *root, clock, json, &counter));
    EXPECT_FALSE(again.ok());
  }  // closed on the full disk
  // Space returns (recovery replays the log into tables beside it: it needs about as much
  // again). Everything acknowledged is there with its leaf hash; verify passes.
  std::filesystem::remove(fs.Sub("filler"));
  ASSERT_TRUE(fs.Resize(size_t{256} << 20)) << std::strerror(errno);
  auto reopened = OpenAt(data, &clock);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  Ledger& l = **reopened;
  // Genesis and the acknowledged events: nothing of the refused appends was recorded.
  EXPECT_EQ(l.size(), acked.size() + 1);
  Hasher hasher;
  for (const auto& [seq, leaf] : acked) {
    auto e = l.ReadEntry(seq);
    ASSERT_TRUE(e.ok()) << "entry " << seq << ": " << e.status().ToString();
    EXPECT_EQ(hasher.LeafHash(e->bytes()), leaf) << "entry " << seq;
  }
  // Appends work again.
  auto r = l.Append(Notes(5, 10, *root, clock, json, &counter));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  reopened->reset();
  auto report = VerifyLedgerFolder(data, {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok) << report->Summary();
}

TEST(DiskFaults, ReadOnlyDataFolderIsRefusedForWritingAtOpenAndStillVerifies) {
  testing::TempDir dir;
  Tmpfs fs(dir, size_t{32} << 20);
  SKIP_UNLESS_MOUNTED(fs);
  auto root = Root();
  ManualClock clock(testing::TestEpoch());
  std::string data = fs.Sub("ledger");
  {
    auto ledger = CreateAt(data, *root, &clock);
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
  }
  ASSERT_TRUE(fs.SetReadOnly(true)) << std::strerror(errno);
  auto opened = OpenAt(data, &clock);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kPermissionDenied) << opened.status().ToString();
  EXPECT_NE(opened.status().message().find("cannot be written"), std::string::npos)
      << opened.status().ToString();
  // Reading (an auditor's copy on read-only media) works: verify opens read-only.
  auto report = VerifyLedgerFolder(data, {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok) << report->Summary();
  ASSERT_TRUE(fs.SetReadOnly(false));
}

TEST(DiskFaults, DataFolderLockedByAnotherProcessIsRefusedAtOpen) {
  testing::TempDir dir;
  auto root = Root();
  ManualClock clock(testing::TestEpoch());
  std::string data = dir.Sub("ledger");
  {
    auto ledger = CreateAt(data, *root, &clock);
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
  }
  // Another process opens it and holds it until told to stop.
  int ready[2], stop[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(stop), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ManualClock c(testing::TestEpoch());
    auto held = OpenAt(data, &c);
    char ok = held.ok() ? 'y' : 'n';
    (void)!::write(ready[1], &ok, 1);
    char b;
    (void)!::read(stop[0], &b, 1);
    ::_exit(0);
  }
  char ok = 0;
  ASSERT_EQ(::read(ready[0], &ok, 1), 1);
  ASSERT_EQ(ok, 'y');
  auto opened = OpenAt(data, &clock);
  auto read_only = OpenAt(data, &clock, true);
  (void)!::write(stop[1], "x", 1);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kUnavailable) << opened.status().ToString();
  EXPECT_NE(opened.status().message().find("locked by another process"), std::string::npos)
      << opened.status().ToString();
  // Read-only opens (verify, show) do not take the lock.
  EXPECT_TRUE(read_only.ok()) << read_only.status().ToString();
  // Once the other process is gone, it opens.
  if (read_only.ok()) read_only->reset();
  auto later = OpenAt(data, &clock);
  EXPECT_TRUE(later.ok()) << later.status().ToString();
}

}  // namespace
}  // namespace dutyledger
