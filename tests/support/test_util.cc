#include "tests/support/test_util.h"

#include <stdlib.h>

#include <filesystem>

#include "ledger/codec.h"

namespace dutyledger::testing {

std::string TestDataDir() { return DUTYLEDGER_TEST_DATA_DIR; }
std::string BinaryDir() { return DUTYLEDGER_BINARY_DIR; }

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/dutyledger-test-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  char* made = ::mkdtemp(buf.data());
  if (made == nullptr) std::abort();
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::unique_ptr<PrivateKey> NewKey(SignatureAlgorithm alg) {
  auto key = PrivateKey::Generate(alg);
  if (!key.ok()) std::abort();
  return std::move(*key);
}

Time TestEpoch() { return *ParseRfc3339("2017-02-27T09:00:00+08:00"); }

TestLedger::TestLedger(Config config)
    : config_(std::move(config)), data_(dir_.Sub("ledger")), clock_(TestEpoch()) {
  root_ = NewKey(config_.root_algorithm);
  Ledger::InitParams params;
  params.origin = config_.origin;
  params.authority = root_.get();
  params.root_principal = "org:root";
  params.hash_algorithm = config_.hash;
  Ledger::Options options;
  options.clock = &clock_;
  options.admission = config_.admission;
  options.checkpoint_every_entries = config_.checkpoint_every_entries;
  auto ledger = Ledger::Create(data_, params, options);
  if (!ledger.ok()) {
    ADD_FAILURE() << ledger.status().ToString();
    std::abort();
  }
  ledger_ = std::move(*ledger);
}

void TestLedger::Reopen() {
  ledger_.reset();
  Ledger::Options options;
  options.clock = &clock_;
  options.admission = config_.admission;
  options.checkpoint_every_entries = config_.checkpoint_every_entries;
  auto ledger = Ledger::Open(data_, options);
  if (!ledger.ok()) {
    ADD_FAILURE() << ledger.status().ToString();
    std::abort();
  }
  ledger_ = std::move(*ledger);
}

Bytes TestLedger::Body(const std::string& json, const PrivateKey& signer) {
  EventJson::Defaults d{config_.origin, signer.public_key().id(), &clock_};
  auto body = json_.ParseEventBody(json, d);
  if (!body.ok()) {
    ADD_FAILURE() << "bad test JSON: " << body.status().ToString() << "\n" << json;
    return Bytes();
  }
  return *body;
}

SignedEvent TestLedger::SignBody(Bytes body, const PrivateKey& signer) {
  auto sig = signer.Sign(EventSigningMessage(body));
  if (!sig.ok()) std::abort();
  return SignedEvent{std::move(body), std::move(*sig)};
}

SignedEvent TestLedger::Sign(const std::string& json, const PrivateKey& signer) {
  return SignBody(Body(json, signer), signer);
}

SignedEvent TestLedger::Note(const std::string& text, const PrivateKey& signer) {
  return Sign("{\"occurredAt\": \"" + FormatRfc3339(clock_.Now().WithOffset(480)) +
                  "\", \"note\": {\"text\": \"" + text + "\"}}",
              signer);
}

std::vector<AppendedEvent> TestLedger::MustAppend(std::vector<SignedEvent> events) {
  auto r = ledger_->Append(std::move(events));
  if (!r.ok()) {
    ADD_FAILURE() << r.status().ToString();
    return {};
  }
  return *r;
}

uint64_t TestLedger::Bind(const PrivateKey& key, const std::string& principal) {
  auto r = MustAppend({Sign(KeyBoundJson(key.public_key(), principal, clock_.Now()), *root_)});
  return r.empty() ? 0 : r[0].sequence;
}

std::string KeyBoundJson(const PublicKey& key, const std::string& principal, Time at) {
  return "{\"occurredAt\": \"" + FormatRfc3339(at) +
         "\", \"keyBound\": {\"key\": {\"algorithm\": \"" +
         std::string(SignatureAlgorithmName(key.algorithm())) + "\", \"spki\": \"" +
         Base64Encode(key.spki()) + "\"}, \"principal\": \"" + principal + "\"}}";
}

std::string KeyRevokedJson(const Digest& key_id, const std::string& reason, Time at) {
  return "{\"occurredAt\": \"" + FormatRfc3339(at) + "\", \"keyRevoked\": {\"keyId\": \"" +
         key_id.Hex() + "\", \"reason\": \"" + reason + "\"}}";
}

}  // namespace dutyledger::testing
