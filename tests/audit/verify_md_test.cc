// VERIFY.md: the shell blocks of a generated bundle's VERIFY.md, run exactly as written (bash,
// openssl, sha256sum, xxd, dd, python3, capnp), check the bundle without dutyledger, and fail on
// a tampered one.
#include <gtest/gtest.h>

#include <sstream>

#include "ledger/bundle.h"
#include "ledger/codec.h"
#include "tests/audit/audit_util.h"

namespace dutyledger {
namespace {

class VerifyMdTest : public ::testing::TestWithParam<testing::Suite> {
 protected:
  void SetUp() override {
    l_ = std::make_unique<testing::AuditLedger>(GetParam(), dir_.Sub("ledger"));
    key_ = testing::NewKey(GetParam().signer);
    l_->Bind(*key_, "official:k");
    l_->Notes(5, key_.get());
    l_->Notes(5);
    l_->Checkpoint();
  }
  std::string Export(const std::string& name, std::optional<std::vector<uint64_t>> seqs) {
    BundleOptions o;
    o.sequences = std::move(seqs);
    std::string out = dir_.Sub(name);
    auto r = ExportBundle(l_->ledger(), out, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return out;
  }
  void ExpectVerifies(const std::string& bundle, const std::string& tree_line) {
    std::string script = testing::ShellBlocks(testing::ReadFile(bundle + "/VERIFY.md"));
    ASSERT_NE(script.find("openssl pkeyutl -verify -rawin"), std::string::npos);
    testing::ShellRun r = testing::RunShell(bundle, script);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    size_t first = r.out.find("Signature Verified Successfully");
    EXPECT_NE(first, std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Signature Verified Successfully", first + 1), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(tree_line), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("signerKeyId = "), std::string::npos) << r.out;  // capnp decode
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::AuditLedger> l_;
  std::unique_ptr<PrivateKey> key_;
};

TEST_P(VerifyMdTest, CommandsCheckAFullBundle) {
  std::string b = Export("full", std::nullopt);
  ExpectVerifies(b, "OK: 12 entries, chain links hold, the root is the checkpoint's");
}

TEST_P(VerifyMdTest, CommandsCheckAPartialBundle) {
  std::string b = Export("partial", std::vector<uint64_t>{4});
  ExpectVerifies(b, "OK: 3 entries, chain links hold, each inclusion proof leads to its root");
  EXPECT_NE(testing::ReadFile(b + "/VERIFY.md").find("locate 4"), std::string::npos);
}

TEST_P(VerifyMdTest, ProseIsWrappedAt99ColumnsAndCodeIsLeftAlone) {
  for (const char* name : {"full", "partial"}) {
    std::string b =
        Export(name, name == std::string("full")
                         ? std::nullopt
                         : std::optional<std::vector<uint64_t>>(std::vector<uint64_t>{4}));
    std::string md = testing::ReadFile(b + "/VERIFY.md");
    bool code = false;
    size_t code_lines = 0;
    std::istringstream in(md);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("```", 0) == 0) code = !code;
      if (code) ++code_lines;
      if (code || line.rfind("|", 0) == 0) continue;  // code blocks and table rows stay whole
      EXPECT_LE(line.size(), 99u) << name << ": " << line;
      if (line.rfind("#", 0) == 0) {  // only the title and the section headings
        EXPECT_TRUE(line.rfind("# Verifying", 0) == 0 || line.rfind("## ", 0) == 0) << line;
      }
    }
    EXPECT_FALSE(code) << name << ": an unclosed code block";
    EXPECT_GT(code_lines, 100u) << name;  // the script is there, unwrapped
    EXPECT_NE(md.find("\n| `entries.bin` | the entries in Cap'n Proto stream framing"),
              std::string::npos);
  }
}

TEST_P(VerifyMdTest, CommandsFailOnAnAlteredSignature) {
  std::string b = Export("full", std::nullopt);
  auto frames = testing::ReadFrames(b);
  auto e = EntryView::Decode(frames[1]);
  ASSERT_TRUE(e.ok());
  size_t at = frames[1].find(Bytes(e->signature()));
  frames[1][at + 20] ^= 0x01;
  testing::WriteFrames(b, frames);
  testing::ShellRun r =
      testing::RunShell(b, testing::ShellBlocks(testing::ReadFile(b + "/VERIFY.md")));
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("Signature Verification Failure"), std::string::npos) << r.out;
}

TEST_P(VerifyMdTest, CommandsFailOnAnAlteredEntry) {
  std::string b = Export("full", std::nullopt);
  auto frames = testing::ReadFrames(b);
  size_t at = frames[6].find("note ");
  frames[6][at] = 'N';
  testing::WriteFrames(b, frames);
  // Step 5 recomputes the tree: the root is no longer the checkpoint's.
  testing::ShellRun r =
      testing::RunShell(b, testing::ShellBlocks(testing::ReadFile(b + "/VERIFY.md")));
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("FAILED: entry 7: chain broken"), std::string::npos) << r.out;
}

INSTANTIATE_TEST_SUITE_P(Suites, VerifyMdTest,
                         ::testing::Values(testing::kEd25519Sha256, testing::kSm2Sm3),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace dutyledger
