// The audit commands end to end, as an auditor, a log operator and two witnesses would run them:
// init, append, checkpoint, cosign, checkpoint --add-cosignature, export, verify-bundle (with a
// policy and a trusted checkpoint), verify --trusted-checkpoint. For both suites.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>

#include "ledger/checkpoint.h"
#include "ledger/keys.h"
#include "tests/audit/audit_util.h"

namespace dutyledger {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class AuditCli : public ::testing::TestWithParam<testing::Suite> {
 protected:
  void SetUp() override {
    alg_ = std::string(SignatureAlgorithmName(GetParam().signer));
    for (const char* k : {"root", "k", "w1", "w2"}) {
      ASSERT_EQ(Dl("keygen --alg " + alg_ + " --out " + dir_.Sub(k)).exit_code, 0);
    }
    CliRun r =
        Dl("init --data " + Data() + " --origin cli.example/park-1 --authority-key " +
           dir_.Sub("root.key") + " --hash " + std::string(HashAlgorithmName(GetParam().hash)) +
           " --log-key-alg " + std::string(SignatureAlgorithmName(GetParam().log)));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto k = PublicKey::ReadPemFile(dir_.Sub("k.pub"));
    ASSERT_TRUE(k.ok());
    r = Dl("append --data " + Data() + " --key " + dir_.Sub("root.key") + " --file -",
           testing::KeyBoundJson(*k, "official:k", testing::TestEpoch()) + "\n");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    Notes(6);
  }

  std::string Data() const { return dir_.Sub("ledger"); }
  CliRun Dl(const std::string& args, const std::string& input = "") {
    testing::WriteFile(dir_.Sub("in"), input);
    std::string cmd = testing::BinaryDir() + "/tools/dutyledger/dutyledger " + args + " <" +
                      dir_.Sub("in") + " >" + dir_.Sub("out") + " 2>" + dir_.Sub("err");
    int status = std::system(cmd.c_str());
    return CliRun{WIFEXITED(status) ? WEXITSTATUS(status) : -1, testing::ReadFile(dir_.Sub("out")),
                  testing::ReadFile(dir_.Sub("err"))};
  }
  void Notes(int n) {
    std::string lines;
    for (int i = 0; i < n; ++i) {
      lines += R"({"occurredAt": "2017-02-27T09:00:00+08:00", "note": {"text": "n)" +
               std::to_string(i) + "\"}}\n";
    }
    CliRun r = Dl("append --data " + Data() + " --key " + dir_.Sub("k.key") + " --file -", lines);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // The latest checkpoint, saved to `name`.
  std::string Checkpoint(const std::string& name) {
    CliRun r = Dl("checkpoint --data " + Data());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    testing::WriteFile(dir_.Sub(name), r.out);
    return dir_.Sub(name);
  }
  std::string Vkey(const std::string& witness) {
    CliRun r = Dl("cosign --key " + dir_.Sub(witness + ".key") + " --name " + witness +
                  ".example --print-vkey");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.substr(0, r.out.find('\n'));
  }
  CliRun Cosign(const std::string& witness, const std::string& checkpoint,
                const std::string& extra = "") {
    return Dl("cosign --key " + dir_.Sub(witness + ".key") + " --name " + witness +
              ".example --checkpoint " + checkpoint + " --data " + Data() + " " + extra);
  }
  std::string Line(const CliRun& r) { return r.out.substr(0, r.out.find('\n')); }

  testing::TempDir dir_;
  std::string alg_;
};

TEST_P(AuditCli, WitnessedBundleEndToEnd) {
  std::string cp1 = Checkpoint("cp1");  // size 8
  CliRun c = Cosign("w1", cp1);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  CliRun add = Dl("checkpoint --data " + Data() + " --add-cosignature '" + Line(c) +
                  "' --witness " + Vkey("w1"));
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_NE(add.out.find(Line(c)), std::string::npos) << add.out;
  testing::CopyFolder(Data(), dir_.Sub("backup"));  // an older copy, for later

  Notes(5);
  std::string cp2 = Checkpoint("cp2");  // size 13; w1 needs a consistency proof from 8
  CliRun c1 = Cosign("w1", cp2);
  ASSERT_EQ(c1.exit_code, 0) << c1.err;
  CliRun c2 = Cosign("w2", cp2);
  ASSERT_EQ(c2.exit_code, 0) << c2.err;
  ASSERT_EQ(Dl("checkpoint --data " + Data() + " --add-cosignature '" + Line(c1) + "' --witness " +
               Vkey("w1"))
                .exit_code,
            0);
  CliRun unchecked = Dl("checkpoint --data " + Data() + " --add-cosignature '" + Line(c2) + "'");
  ASSERT_EQ(unchecked.exit_code, 0) << unchecked.err;
  EXPECT_NE(unchecked.err.find("without checking its signature"), std::string::npos);

  // The auditor's policy: this log, and both witnesses.
  auto log_key = PublicKey::ReadPemFile(Data() + "/log.pub");
  ASSERT_TRUE(log_key.ok());
  std::string policy = "log " + NoteVerifierKey("cli.example/park-1", *log_key) + "\nwitness W1 " +
                       Vkey("w1") + "\nwitness W2 " + Vkey("w2") +
                       "\ngroup both all W1 W2\nquorum both\n";
  testing::WriteFile(dir_.Sub("policy.txt"), policy);

  ASSERT_EQ(Dl("export --data " + Data() + " --out " + dir_.Sub("full")).exit_code, 0);
  CliRun v = Dl("verify-bundle " + dir_.Sub("full") + " --policy " + dir_.Sub("policy.txt") +
                " --trusted-checkpoint " + cp1);
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("ok: full bundle of cli.example/park-1: 13 entries"), std::string::npos)
      << v.out;
  EXPECT_NE(v.out.find("cosigned by W1, W2"), std::string::npos) << v.out;

  CliRun e = Dl("export --data " + Data() + " --out " + dir_.Sub("partial") +
                " --seqs 3,10 --consistency-from 8");
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_NE(e.out.find("partial bundle"), std::string::npos);
  v = Dl("verify-bundle " + dir_.Sub("partial") + " --policy " + dir_.Sub("policy.txt") +
         " --trusted-checkpoint " + cp1);
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("consistent with checkpoint 8"), std::string::npos) << v.out;

  // A policy that wants a third witness is not met: exit 1, one line naming the reason.
  testing::WriteFile(dir_.Sub("strict.txt"), "witness W1 " + Vkey("w1") + "\nwitness W3 " +
                                                 Vkey("root") + "\ngroup g all W1 W3\nquorum g\n");
  v = Dl("verify-bundle " + dir_.Sub("full") + " --policy " + dir_.Sub("strict.txt"));
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_EQ(v.err,
            "checkpoint: cosignatures: policy: quorum not met: group g needs 2 of {W1, "
            "W3}, has 1 (valid cosignatures from: W1)\n");

  // The witness refuses to go back to the older checkpoint.
  CliRun back = Cosign("w1", cp1);
  EXPECT_EQ(back.exit_code, 1);
  EXPECT_NE(back.err.find("rollback: the checkpoint's size 8 is below the size 13"),
            std::string::npos)
      << back.err;

  // A cosignature is stored only beside the checkpoint it verifies over.
  CliRun wrong = Dl("checkpoint --data " + Data() + " --size 8 --add-cosignature '" + Line(c1) +
                    "' --witness " + Vkey("w1"));
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("does not verify over checkpoint 8"), std::string::npos) << wrong.err;

  // The restored older copy is caught by the checkpoint the witnesses cosigned.
  CliRun restored = Dl("verify --data " + dir_.Sub("backup") + " --trusted-checkpoint " + cp2);
  EXPECT_EQ(restored.exit_code, 1);
  EXPECT_NE(restored.err.find("trusted checkpoint: covers 13 entries but the ledger holds only 8"),
            std::string::npos)
      << restored.err;
  EXPECT_EQ(Dl("verify --data " + Data() + " --trusted-checkpoint " + cp2).exit_code, 0);
}

TEST_P(AuditCli, TamperedBundleExits1WithOneLine) {
  ASSERT_EQ(Dl("export --data " + Data() + " --out " + dir_.Sub("b")).exit_code, 0);
  auto frames = testing::ReadFrames(dir_.Sub("b"));
  size_t at = frames[4].find("n2");
  frames[4][at + 1] = '9';
  testing::WriteFrames(dir_.Sub("b"), frames);
  CliRun v = Dl("verify-bundle " + dir_.Sub("b"));
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_EQ(std::count(v.err.begin(), v.err.end(), '\n'), 1) << v.err;
  EXPECT_EQ(v.err.rfind("entries.bin: entry 4: signature: signature does not verify", 0), 0u)
      << v.err;
}

TEST_P(AuditCli, UsageErrorsExit2) {
  EXPECT_EQ(Dl("export --data " + Data() + " --out " + dir_.Sub("x") + " --seqs 3,,4").exit_code,
            2);
  EXPECT_EQ(Dl("export --data " + Data() + " --out " + dir_.Sub("x") + " --seqs 99").exit_code, 2);
  EXPECT_EQ(
      Dl("export --data " + Data() + " --out " + dir_.Sub("x") + " --from 5 --to 3").exit_code, 2);
  EXPECT_EQ(Dl("verify-bundle " + dir_.Sub("nothing")).exit_code, 1);
  testing::WriteFile(dir_.Sub("bad-policy"), "quorum nobody\n");
  ASSERT_EQ(Dl("export --data " + Data() + " --out " + dir_.Sub("b")).exit_code, 0);
  EXPECT_EQ(Dl("verify-bundle " + dir_.Sub("b") + " --policy " + dir_.Sub("bad-policy")).exit_code,
            2);
  EXPECT_EQ(Dl("init --data " + dir_.Sub("l2") + " --origin o --authority-key " +
               dir_.Sub("root.key") + " --log-key-alg rsa")
                .exit_code,
            2);
}

INSTANTIATE_TEST_SUITE_P(Suites, AuditCli,
                         ::testing::Values(testing::kEd25519Sha256, testing::kSm2Sm3),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace dutyledger
