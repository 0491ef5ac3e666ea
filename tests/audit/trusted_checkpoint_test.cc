// verify with a trusted checkpoint (one obtained elsewhere, e.g. cosigned by a witness): a
// restored older copy of the ledger and a rewritten history are caught, for both suites.
#include <gtest/gtest.h>

#include <filesystem>

#include "ledger/verify.h"
#include "tests/audit/audit_util.h"

namespace dutyledger {
namespace {

class TrustedCheckpointTest : public ::testing::TestWithParam<testing::Suite> {
 protected:
  VerifyReport Verify(const std::string& path, const SignedNote& trusted) {
    VerifyOptions o;
    o.trusted_checkpoint = trusted;
    auto r = VerifyLedgerFolder(path, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : VerifyReport{};
  }
  void ExpectBad(const VerifyReport& r, const std::string& reason) {
    EXPECT_FALSE(r.ok) << r.Summary();
    EXPECT_EQ(r.where, "trusted checkpoint") << r.Summary();
    EXPECT_NE(r.reason.find(reason), std::string::npos) << r.Summary() << "\nwanted: " << reason;
  }
  testing::TempDir dir_;
};

TEST_P(TrustedCheckpointTest, ConsistentLedgerVerifies) {
  testing::AuditLedger l(GetParam(), dir_.Sub("ledger"));
  l.Notes(10);
  auto trusted = l.Checkpoint();
  l.Notes(10);
  l.Checkpoint();
  l.Close();
  VerifyReport r = Verify(l.path(), trusted.note);
  EXPECT_TRUE(r.ok) << r.Summary();
}

TEST_P(TrustedCheckpointTest, RestoredOlderCopy) {
  testing::AuditLedger l(GetParam(), dir_.Sub("ledger"));
  l.Notes(10);
  l.Checkpoint();
  auto old_copy = testing::AuditLedger::CopyOf(l, dir_.Sub("backup"));
  old_copy->Close();
  l.Notes(10);
  auto trusted = l.Checkpoint();  // size 21: what a witness cosigned
  l.Close();
  // The older copy verifies on its own, but not against the checkpoint the auditor holds.
  VerifyOptions plain;
  EXPECT_TRUE(VerifyLedgerFolder(dir_.Sub("backup"), plain)->ok);
  ExpectBad(Verify(dir_.Sub("backup"), trusted.note),
            "covers 21 entries but the ledger holds only 11 (an older copy restored, or entries "
            "removed)");
}

TEST_P(TrustedCheckpointTest, RewrittenHistory) {
  testing::AuditLedger l(GetParam(), dir_.Sub("ledger"));
  l.Notes(10);
  l.Checkpoint();
  auto fork = testing::AuditLedger::CopyOf(l, dir_.Sub("fork"));
  l.Notes(4, nullptr, "as it happened");
  auto trusted = l.Checkpoint();
  fork->Notes(4, nullptr, "as rewritten");
  fork->Notes(6);
  fork->Checkpoint();
  fork->Close();
  VerifyOptions plain;
  EXPECT_TRUE(VerifyLedgerFolder(dir_.Sub("fork"), plain)->ok);
  ExpectBad(Verify(dir_.Sub("fork"), trusted.note),
            "its root at size 15 differs from this ledger's: the history was rewritten (a fork)");
}

TEST_P(TrustedCheckpointTest, CheckpointOfAnotherLedger) {
  testing::AuditLedger l(GetParam(), dir_.Sub("ledger"));
  testing::AuditLedger other(GetParam(), dir_.Sub("other"));
  auto trusted = other.Checkpoint();
  l.Close();
  ExpectBad(Verify(l.path(), trusted.note), "not signed by this ledger's log key");
}

TEST_P(TrustedCheckpointTest, CheckpointOfTheEmptyTree) {
  // The ledger never signs size 0, but its log key could: accepted only with the root H("").
  testing::AuditLedger l(GetParam(), dir_.Sub("ledger"));
  l.Notes(3);
  auto latest = l.Checkpoint();
  l.Close();
  auto log_key = PrivateKey::ReadPemFile(l.path() + "/log.key");
  ASSERT_TRUE(log_key.ok()) << log_key.status().ToString();
  auto signed_at_zero = [&](const Digest& root) {
    Checkpoint empty{latest.checkpoint.origin, 0, root, {}};
    auto line = SignNoteLine(empty.Body(), empty.origin, **log_key);
    EXPECT_TRUE(line.ok()) << line.status().ToString();
    auto note = ParseSignedNote(empty.Body() + "\n" + *line + "\n");
    EXPECT_TRUE(note.ok()) << note.status().ToString();
    return *note;
  };
  Hasher hasher(GetParam().hash);
  EXPECT_TRUE(Verify(l.path(), signed_at_zero(hasher.EmptyRoot())).ok);
  ExpectBad(Verify(l.path(), signed_at_zero(latest.checkpoint.root)),
            "is for size 0 but its root is not the empty tree's");
}

INSTANTIATE_TEST_SUITE_P(Suites, TrustedCheckpointTest,
                         ::testing::Values(testing::kEd25519Sha256, testing::kSm2Sm3),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace dutyledger
