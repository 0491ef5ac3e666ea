#include "tests/audit/audit_util.h"

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "ledger/codec.h"

namespace dutyledger::testing {

namespace fs = std::filesystem;

AuditLedger::AuditLedger(const Suite& suite, const std::string& path, const std::string& origin)
    : suite_(suite), path_(path), clock_(TestEpoch()), root_(NewKey(suite.signer)) {
  Ledger::InitParams params;
  params.origin = origin;
  params.authority = root_.get();
  params.root_principal = "org:root";
  params.hash_algorithm = suite.hash;
  params.log_key_algorithm = suite.log;
  Ledger::Options options;
  options.clock = &clock_;
  auto ledger = Ledger::Create(path_, params, options);
  if (!ledger.ok()) {
    ADD_FAILURE() << ledger.status().ToString();
    std::abort();
  }
  ledger_ = std::move(*ledger);
}

AuditLedger::AuditLedger(const Suite& suite, std::string path, std::shared_ptr<PrivateKey> root,
                         Time now)
    : suite_(suite), path_(std::move(path)), clock_(now), root_(std::move(root)) {
  Reopen();
}

std::unique_ptr<AuditLedger> AuditLedger::CopyOf(AuditLedger& source, const std::string& path) {
  source.Close();
  CopyFolder(source.path(), path);
  source.Reopen();
  return std::unique_ptr<AuditLedger>(
      new AuditLedger(source.suite_, path, source.root_, source.clock_.Now()));
}

void AuditLedger::Reopen() {
  ledger_.reset();
  Ledger::Options options;
  options.clock = &clock_;
  auto ledger = Ledger::Open(path_, options);
  if (!ledger.ok()) {
    ADD_FAILURE() << ledger.status().ToString();
    std::abort();
  }
  ledger_ = std::move(*ledger);
}

SignedEvent AuditLedger::Sign(const std::string& json, const PrivateKey& signer) {
  EventJson::Defaults d{ledger_->origin(), signer.public_key().id(), &clock_};
  auto body = json_.ParseEventBody(json, d);
  if (!body.ok()) {
    ADD_FAILURE() << body.status().ToString() << "\n" << json;
    std::abort();
  }
  auto sig = signer.Sign(EventSigningMessage(*body));
  if (!sig.ok()) std::abort();
  return SignedEvent{std::move(*body), std::move(*sig)};
}

std::vector<uint64_t> AuditLedger::Notes(int n, const PrivateKey* signer, const std::string& text) {
  std::vector<SignedEvent> events;
  for (int i = 0; i < n; ++i) {
    clock_.Advance(Time::kNanosPerSecond);
    events.push_back(Sign("{\"occurredAt\": \"" + FormatRfc3339(clock_.Now().WithOffset(480)) +
                              "\", \"note\": {\"text\": \"" + text + " " + std::to_string(i) +
                              "\"}}",
                          signer != nullptr ? *signer : *root_));
  }
  auto r = ledger_->Append(std::move(events));
  if (!r.ok()) {
    ADD_FAILURE() << r.status().ToString();
    return {};
  }
  std::vector<uint64_t> out;
  for (const auto& a : *r) out.push_back(a.sequence);
  return out;
}

uint64_t AuditLedger::Bind(const PrivateKey& key, const std::string& principal) {
  auto r = ledger_->Append({Sign(KeyBoundJson(key.public_key(), principal, clock_.Now()), *root_)});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? (*r)[0].sequence : 0;
}

uint64_t AuditLedger::Revoke(const PublicKey& key) {
  auto r = ledger_->Append({Sign(KeyRevokedJson(key.id(), "left the post", clock_.Now()), *root_)});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? (*r)[0].sequence : 0;
}

StoredCheckpoint AuditLedger::Checkpoint() {
  auto cp = ledger_->SignCheckpoint();
  if (!cp.ok()) {
    ADD_FAILURE() << cp.status().ToString();
    std::abort();
  }
  return *cp;
}

void CopyFolder(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::copy(from, to, fs::copy_options::recursive, ec);
  ASSERT_FALSE(ec) << ec.message();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
}

std::vector<Bytes> ReadFrames(const std::string& bundle) {
  std::string all = ReadFile(bundle + "/entries.bin");
  std::vector<Bytes> out;
  size_t at = 0;
  while (at + 8 <= all.size()) {
    uint32_t words = 0;
    for (int i = 0; i < 4; ++i) words |= uint32_t(uint8_t(all[at + 4 + i])) << (8 * i);
    out.push_back(all.substr(at + 8, size_t{words} * 8));
    at += 8 + size_t{words} * 8;
  }
  EXPECT_EQ(at, all.size());
  return out;
}

void WriteFrames(const std::string& bundle, const std::vector<Bytes>& segments) {
  std::string all;
  for (const Bytes& s : segments) all += StreamFrame(s);
  WriteFile(bundle + "/entries.bin", all);
}

void ReplaceInFile(const std::string& path, const std::string& from, const std::string& to) {
  std::string text = ReadFile(path);
  size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << "'" << from << "' not in " << path;
  text.replace(at, from.size(), to);
  WriteFile(path, text);
}

BundleReport VerifyBundleReport(const std::string& bundle, BundleVerifyOptions options) {
  auto r = VerifyBundle(bundle, options);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : BundleReport{};
}

BundleReport VerifyBundleOk(const std::string& bundle, BundleVerifyOptions options) {
  BundleReport r = VerifyBundleReport(bundle, std::move(options));
  EXPECT_TRUE(r.ok) << r.Summary();
  return r;
}

void ExpectBundleBad(const BundleReport& r, const std::string& file, int64_t sequence,
                     const std::string& field, const std::string& reason) {
  EXPECT_FALSE(r.ok) << "expected a failure, got: " << r.Summary();
  EXPECT_EQ(r.file, file) << r.Summary();
  if (sequence >= 0) {
    EXPECT_TRUE(r.sequence.has_value() && *r.sequence == static_cast<uint64_t>(sequence))
        << r.Summary() << "\nwanted entry " << sequence;
  } else {
    EXPECT_FALSE(r.sequence.has_value()) << r.Summary();
  }
  if (!field.empty()) {
    EXPECT_EQ(r.field, field) << r.Summary();
  }
  EXPECT_NE(r.reason.find(reason), std::string::npos) << r.Summary() << "\nwanted: " << reason;
}

std::string ShellBlocks(const std::string& verify_md) {
  std::string out;
  size_t at = 0;
  while ((at = verify_md.find("```sh\n", at)) != std::string::npos) {
    at += 6;
    size_t end = verify_md.find("```\n", at);
    if (end == std::string::npos) break;
    out += verify_md.substr(at, end - at);
    at = end + 4;
  }
  return out;
}

ShellRun RunShell(const std::string& dir, const std::string& script) {
  std::string file = dir + "/../run-" + std::to_string(::getpid()) + ".sh";
  WriteFile(file, script);
  std::string out = file + ".out";
  std::string cmd = "cd '" + dir + "' && bash -euo pipefail '" + file + "' >'" + out + "' 2>&1";
  int status = std::system(cmd.c_str());
  ShellRun r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadFile(out);
  std::remove(file.c_str());
  std::remove(out.c_str());
  return r;
}

}  // namespace dutyledger::testing
