// Randomized robustness: every parser of untrusted audit input (the bundle's files, policies,
// verifier keys, cosignature lines, witness state) is fed mutated copies of valid input and must
// answer with a Status or a failed report, never crash or hang (run under ASan+UBSan in CI).
// The seed is printed; set DUTYLEDGER_SEED to replay one.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "ledger/bundle.h"
#include "ledger/bundle_json.h"
#include "ledger/bundle_verify.h"
#include "ledger/checkpoint.h"
#include "ledger/witness.h"
#include "ledger/witness_policy.h"
#include "tests/audit/audit_util.h"

namespace dutyledger {
namespace {

uint64_t Seed() {
  const char* s = std::getenv("DUTYLEDGER_SEED");
  uint64_t seed = s != nullptr ? std::strtoull(s, nullptr, 10) : std::random_device{}();
  std::printf("DUTYLEDGER_SEED=%llu\n", static_cast<unsigned long long>(seed));
  return seed;
}

std::string Mutate(std::string s, std::mt19937_64& rng) {
  int edits = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < edits && !s.empty(); ++i) {
    size_t at = rng() % s.size();
    switch (rng() % 5) {
      case 0:
        s[at] = static_cast<char>(s[at] ^ (1 << (rng() % 8)));
        break;
      case 1:
        s[at] = static_cast<char>(rng());
        break;
      case 2:
        s.erase(at, 1 + rng() % 8);
        break;
      case 3:
        s.insert(at, s.substr(rng() % s.size(), 1 + rng() % 16));
        break;
      case 4:
        s.resize(at);
        break;
    }
  }
  return s;
}

TEST(Mutation, MutatedBundlesAreRefusedOrVerifiedNeverCrash) {
  auto seed = Seed();
  std::mt19937_64 rng(seed);
  testing::TempDir dir;
  testing::AuditLedger l(testing::kEd25519Sha256, dir.Sub("ledger"));
  auto key = testing::NewKey();
  l.Bind(*key, "official:k");
  l.Notes(6, key.get());
  l.Checkpoint();
  std::string full = dir.Sub("full"), partial = dir.Sub("partial");
  ASSERT_TRUE(ExportBundle(l.ledger(), full, {}).ok());
  BundleOptions p;
  p.sequences = std::vector<uint64_t>{4};
  ASSERT_TRUE(ExportBundle(l.ledger(), partial, p).ok());
  const char* files[] = {"checkpoint", "log-key.pub", "entries.bin", "keys.json", "proofs.json"};
  int refused = 0;
  for (int i = 0; i < 200; ++i) {
    std::string source = i % 2 ? full : partial;
    std::string work = dir.Sub("m" + std::to_string(i));
    testing::CopyFolder(source, work);
    std::string file = work + "/" + files[rng() % 5];
    testing::WriteFile(file, Mutate(testing::ReadFile(file), rng));
    BundleVerifyOptions o;
    o.threads = 2;
    auto r = VerifyBundle(work, o);
    ASSERT_TRUE(r.ok()) << "seed " << seed << " iteration " << i << ": " << r.status().ToString();
    if (!r->ok) {
      ++refused;
      EXPECT_FALSE(r->file.empty()) << r->Summary();
      EXPECT_FALSE(r->reason.empty()) << r->Summary();
    }
    std::filesystem::remove_all(work);
  }
  EXPECT_GT(refused, 150) << "seed " << seed;
}

TEST(Mutation, MutatedTextInputsNeverCrash) {
  auto seed = Seed();
  std::mt19937_64 rng(seed);
  auto w = testing::NewKey(SignatureAlgorithm::kSm2);
  auto e = testing::NewKey();
  std::string vk = NoteVerifierKey("w.example", w->public_key(), NoteKeyRole::kCosigner);
  std::string policy = "log " + NoteVerifierKey("l.example", e->public_key()) + "\nwitness a " +
                       vk + " https://w.example/\ngroup g any a\nquorum g\n";
  std::string body = Checkpoint{"l.example", 3, Sha256("r"), {}}.Body();
  std::string line = *SignCosignature(body, "w.example", *w, 99);
  std::string json = "{\"size1\": 1, \"size2\": 3, \"proof\": [\"" + Sha256("x").Base64() + "\"]}";
  for (int i = 0; i < 2000; ++i) {
    (void)ParseVerifierKey(Mutate(vk, rng));
    (void)WitnessPolicy::Parse(Mutate(policy, rng));
    (void)ParseCosignatureLine(Mutate(line, rng));
    auto note = ParseSignedNote(Mutate(body + "\n" + line + "\n", rng));
    if (note.ok()) (void)VerifyCosignature(*note, "w.example", w->public_key());
    auto parsed = ParseJson(Mutate(json, rng));
    if (parsed.ok()) (void)JsonDigests(*parsed, "proof");
  }
  SUCCEED() << "seed " << seed;
}

}  // namespace
}  // namespace dutyledger
