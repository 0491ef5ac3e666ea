// Witnessing: signed-note key types, cosignatures (checked against torchwood's, the reference
// implementation of C2SP), the tlog-policy format, and the witness that refuses to cosign a
// rolled-back or forked log.
#include "ledger/witness.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "ledger/bundle_json.h"
#include "ledger/checkpoint.h"
#include "ledger/hash.h"
#include "ledger/merkle.h"
#include "ledger/witness_policy.h"
#include "tests/audit/audit_util.h"

namespace dutyledger {
namespace {

std::string Vector(const std::string& name) {
  return testing::ReadFile(std::string(DUTYLEDGER_AUDIT_DATA_DIR) + "/" + name);
}

// ---- interoperability with torchwood

TEST(TorchwoodVectors, CosignedCheckpointMeetsItsPolicy) {
  auto policy = WitnessPolicy::Parse(Vector("torchwood-policy.txt"));
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  auto note = ParseSignedNote(Vector("torchwood-cosigned.txt"));
  ASSERT_TRUE(note.ok()) << note.status().ToString();
  std::set<std::string> cosigners;
  Status s = policy->Check(*note, &cosigners);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(cosigners, (std::set<std::string>{"W1", "W2", "W3"}));
}

TEST(TorchwoodVectors, TheirKeyIdsAreOurs) {
  // ParseVerifierKey recomputes each key id from name, type and key.
  auto log =
      ParseVerifierKey("example.com/log+bff03704+ASCnxbDygGa23JIkY9tjqisWYoqagOS63fcd9daLrTE7");
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_EQ(log->role, NoteKeyRole::kLog);
  auto w1 =
      ParseVerifierKey("example.com/w1+a72856e1+BHjw7QAzt7GUhD5JnLF3XLaP6DpiJeWa9pnwQtbET3nu");
  ASSERT_TRUE(w1.ok()) << w1.status().ToString();
  EXPECT_EQ(w1->role, NoteKeyRole::kCosigner);
  EXPECT_EQ(w1->key_id, 0xa72856e1u);
  EXPECT_EQ(NoteVerifierKey("example.com/w1", w1->key, NoteKeyRole::kCosigner),
            "example.com/w1+a72856e1+BHjw7QAzt7GUhD5JnLF3XLaP6DpiJeWa9pnwQtbET3nu");
  auto note = ParseSignedNote(Vector("torchwood-cosigned.txt"));
  ASSERT_TRUE(note.ok());
  auto t = VerifyCosignature(*note, w1->name, w1->key);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_GT(*t, 1700000000u);
  EXPECT_TRUE(VerifyNoteSignature(*note, log->name, log->key).ok());
}

TEST(TorchwoodVectors, AlteredTimestampIsRefusedForTheWholeNote) {
  auto policy = WitnessPolicy::Parse(Vector("torchwood-policy.txt"));
  std::string text = Vector("torchwood-cosigned.txt");
  // W1's line: key id (4 bytes), then the timestamp; change the timestamp's last byte.
  size_t at = text.find("example.com/w1 ") + 15;
  std::string b64 = text.substr(at, text.find('\n', at) - at);
  Bytes raw = *Base64Decode(b64);
  raw[11] ^= 0x01;
  text.replace(at, b64.size(), Base64Encode(raw));
  Status s = policy->Check(*ParseSignedNote(text));
  EXPECT_EQ(s.code(), StatusCode::kIntegrityViolation);
  EXPECT_NE(s.message().find("witness W1: the cosignature by example.com/w1 does not verify"),
            std::string::npos)
      << s.ToString();
}

TEST(TorchwoodVectors, OneCosignatureDoesNotMeetTwoOfThree) {
  auto policy = WitnessPolicy::Parse(Vector("torchwood-policy.txt"));
  std::string text = Vector("torchwood-cosigned.txt");
  text = text.substr(0, text.find("— example.com/w2"));
  Status s = policy->Check(*ParseSignedNote(text));
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("quorum not met: group classical needs 2 of {W1, W2, W3}, has 1 "
                             "(valid cosignatures from: W1)"),
            std::string::npos)
      << s.ToString();
}

// ---- our key types

class CosignatureTest : public ::testing::TestWithParam<SignatureAlgorithm> {};

TEST_P(CosignatureTest, RoundTripAndKeyType) {
  auto key = testing::NewKey(GetParam());
  std::string body = Checkpoint{"log.example/x", 7, Sha256("r"), {}}.Body();
  auto line = SignCosignature(body, "w.example/1", *key, 1700000001);
  ASSERT_TRUE(line.ok()) << line.status().ToString();
  auto note = ParseSignedNote(body + "\n" + *line + "\n");
  ASSERT_TRUE(note.ok());
  auto t = VerifyCosignature(*note, "w.example/1", key->public_key());
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*t, 1700000001u);
  // The key id is SHA-256(name || 0x0A || type || key)[:4] with the cosigner type.
  Bytes type = GetParam() == SignatureAlgorithm::kEd25519
                   ? Bytes("\x04")
                   : Bytes("\xff") + "dutyledger-sm2-cosignature/v1";
  Bytes key_bytes = GetParam() == SignatureAlgorithm::kEd25519 ? key->public_key().raw()
                                                               : key->public_key().spki();
  Digest d = Sha256("w.example/1\n" + type + key_bytes);
  uint32_t want = uint32_t(d.data()[0]) << 24 | uint32_t(d.data()[1]) << 16 |
                  uint32_t(d.data()[2]) << 8 | d.data()[3];
  EXPECT_EQ(note->signatures[0].key_id, want);
  auto vkey =
      ParseVerifierKey(NoteVerifierKey("w.example/1", key->public_key(), NoteKeyRole::kCosigner));
  ASSERT_TRUE(vkey.ok()) << vkey.status().ToString();
  EXPECT_EQ(vkey->key, key->public_key());
  // Over another checkpoint it does not verify; as a log signature it is not found.
  std::string other = Checkpoint{"log.example/x", 8, Sha256("r"), {}}.Body();
  auto moved = ParseSignedNote(other + "\n" + *line + "\n");
  EXPECT_EQ(VerifyCosignature(*moved, "w.example/1", key->public_key()).status().code(),
            StatusCode::kIntegrityViolation);
  EXPECT_EQ(VerifyNoteSignature(*note, "w.example/1", key->public_key()).code(),
            StatusCode::kIntegrityViolation);
  EXPECT_TRUE(ParseCosignatureLine(*line).ok());
}

TEST_P(CosignatureTest, LogKeysSignNotes) {
  auto key = testing::NewKey(GetParam());
  std::string body = Checkpoint{"log.example/x", 7, Sha256("r"), {}}.Body();
  auto line = SignNoteLine(body, "log.example/x", *key);
  ASSERT_TRUE(line.ok());
  auto note = ParseSignedNote(body + "\n" + *line + "\n");
  EXPECT_TRUE(VerifyNoteSignature(*note, "log.example/x", key->public_key()).ok());
  auto vkey = ParseVerifierKey(NoteVerifierKey("log.example/x", key->public_key()));
  ASSERT_TRUE(vkey.ok()) << vkey.status().ToString();
  EXPECT_EQ(vkey->role, NoteKeyRole::kLog);
  EXPECT_EQ(vkey->key_id, note->signatures[0].key_id);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, CosignatureTest,
                         ::testing::Values(SignatureAlgorithm::kEd25519, SignatureAlgorithm::kSm2),
                         [](const auto& info) {
                           return std::string(SignatureAlgorithmName(info.param));
                         });

TEST(CosignatureLine, MalformedLinesAreRefused) {
  auto key = testing::NewKey();
  std::string body = Checkpoint{"l", 1, Sha256("r"), {}}.Body();
  std::string good = *SignCosignature(body, "w", *key, 5);
  EXPECT_TRUE(ParseCosignatureLine(good).ok());
  EXPECT_FALSE(ParseCosignatureLine("— w AAAA").ok());
  EXPECT_FALSE(ParseCosignatureLine("w " + good.substr(good.rfind(' ') + 1)).ok());
  EXPECT_FALSE(ParseCosignatureLine(good + "\n" + good).ok());
  // A plain (untimestamped) Ed25519 note signature is not a cosignature.
  EXPECT_FALSE(ParseCosignatureLine(*SignNoteLine(body, "w", *key)).ok());
  // A timestamp at or above 2^63.
  Bytes raw = *Base64Decode(good.substr(good.rfind(' ') + 1));
  raw[4] = static_cast<char>(0x80);
  EXPECT_FALSE(ParseCosignatureLine("\xe2\x80\x94 w " + Base64Encode(raw)).ok());
}

TEST(VerifierKeys, MalformedKeysAreRefused) {
  auto key = testing::NewKey();
  std::string good = NoteVerifierKey("n", key->public_key());
  EXPECT_TRUE(ParseVerifierKey(good).ok());
  std::string wrong_id = good;
  wrong_id[2] = wrong_id[2] == '0' ? '1' : '0';
  EXPECT_NE(ParseVerifierKey(wrong_id).status().message().find("key id does not match"),
            std::string::npos);
  EXPECT_FALSE(ParseVerifierKey("n+1234+" + good.substr(good.rfind('+') + 1)).ok());
  EXPECT_FALSE(ParseVerifierKey("n").ok());
  EXPECT_NE(ParseVerifierKey("n+00000000+" + Base64Encode("\x06" + std::string(32, 'k')))
                .status()
                .message()
                .find("unknown signature type"),
            std::string::npos);
}

// ---- policies

TEST(WitnessPolicy, MalformedPoliciesAreRefused) {
  auto w = testing::NewKey();
  std::string vk = NoteVerifierKey("w.example", w->public_key(), NoteKeyRole::kCosigner);
  std::string lk = NoteVerifierKey("w.example", w->public_key(), NoteKeyRole::kLog);
  struct Case {
    std::string text, reason;
  };
  for (const Case& c : std::vector<Case>{
           {"witness a " + vk + "\n", "no quorum line"},
           {"quorum a\n", "line 1: quorum 'a' is not defined on an earlier line"},
           {"witness a " + vk + "\nwitness b " + vk + "\nquorum a\n", "duplicate witness key"},
           {"witness a " + lk + "\nquorum a\n", "needs a cosigner key"},
           {"log " + vk + "\nquorum none\n", "a log needs a log key"},
           {"witness a " + vk + "\ngroup g 2 a\nquorum g\n",
            "threshold '2' is not all, any or 1..1"},
           {"witness a " + vk + "\ngroup g any a a\nquorum g\n", "member 'a' listed twice"},
           {"witness a " + vk + "\nquorum a\nquorum a\n", "a second quorum line"},
           {"witness none " + vk + "\nquorum none\n", "name 'none' already used"},
           {"frobnicate\nquorum none\n", "unknown keyword 'frobnicate'"},
       }) {
    auto p = WitnessPolicy::Parse(c.text);
    EXPECT_FALSE(p.ok()) << c.text;
    EXPECT_NE(p.status().message().find(c.reason), std::string::npos)
        << p.status().message() << "\nwanted: " << c.reason;
  }
  auto ok = WitnessPolicy::Parse("# comment\n\n  witness\ta " + vk +
                                 " https://w.example/\ngroup g all a\nquorum g\n");
  EXPECT_TRUE(ok.ok()) << ok.status().ToString();
}

// ---- the witness

class WitnessTest : public ::testing::TestWithParam<testing::Suite> {
 protected:
  void SetUp() override {
    l_ = std::make_unique<testing::AuditLedger>(GetParam(), dir_.Sub("ledger"));
    wkey_ = testing::NewKey(GetParam().signer);
    vkey_ = *ParseVerifierKey(NoteVerifierKey(l_->ledger().origin(), l_->ledger().log_key()));
  }
  std::unique_ptr<Witness> Open() {
    auto w = Witness::Open(dir_.Sub("state"), "witness.example/w", wkey_.get());
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w.ok() ? std::move(*w) : nullptr;
  }
  std::vector<Digest> Proof(uint64_t from, uint64_t to) {
    auto p = l_->ledger().ProveConsistency(from, to);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? p->proof : std::vector<Digest>{};
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::AuditLedger> l_;
  std::unique_ptr<PrivateKey> wkey_;
  std::optional<VerifierKey> vkey_;
};

TEST_P(WitnessTest, CosignsCheckpointsThatExtendTheLastOne) {
  HashAlgorithm h = GetParam().hash;
  l_->Notes(5);
  auto cp1 = l_->Checkpoint();
  auto w = Open();
  auto line1 = w->Cosign(cp1.note, *vkey_, h, {}, 1000);
  ASSERT_TRUE(line1.ok()) << line1.status().ToString();
  SignedNote with = cp1.note;
  with.signatures.push_back(*ParseCosignatureLine(*line1));
  EXPECT_TRUE(VerifyCosignature(with, "witness.example/w", wkey_->public_key()).ok());
  l_->Notes(7);
  auto cp2 = l_->Checkpoint();
  // Without a proof: refused; with the right one: cosigned and recorded.
  auto refused = w->Cosign(cp2.note, *vkey_, h, {}, 1001);
  EXPECT_EQ(refused.status().code(), StatusCode::kIntegrityViolation);
  EXPECT_NE(refused.status().message().find("is not shown consistent with the one cosigned at "
                                            "size 6"),
            std::string::npos)
      << refused.status().ToString();
  ASSERT_TRUE(w->Cosign(cp2.note, *vkey_, h, Proof(6, 13), 1002).ok());
  EXPECT_EQ(w->Last(l_->ledger().origin())->size, 13u);
  // The state survives a reopen, and was written in one piece (no temporary file left).
  w.reset();
  w = Open();
  EXPECT_EQ(w->Last(l_->ledger().origin())->size, 13u);
  EXPECT_EQ(w->Last(l_->ledger().origin())->root, cp2.checkpoint.root);
  for (const auto& e : std::filesystem::directory_iterator(dir_.path())) {
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
  }
}

TEST_P(WitnessTest, RefusesARolledBackLog) {
  l_->Notes(5);
  auto old = l_->Checkpoint();
  l_->Notes(5);
  auto cp = l_->Checkpoint();
  auto w = Open();
  ASSERT_TRUE(w->Cosign(cp.note, *vkey_, GetParam().hash, {}, 1000).ok());
  auto r = w->Cosign(old.note, *vkey_, GetParam().hash, {}, 1001);
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("rollback: the checkpoint's size 6 is below the size 11 "
                                      "this witness last cosigned"),
            std::string::npos)
      << r.status().ToString();
}

TEST_P(WitnessTest, RefusesAFork) {
  l_->Notes(5);
  auto base = l_->Checkpoint();
  auto fork = testing::AuditLedger::CopyOf(*l_, dir_.Sub("fork"));
  l_->Notes(3, nullptr, "here");
  auto here = l_->Checkpoint();
  fork->Notes(3, nullptr, "there");
  auto there = fork->Checkpoint();
  fork->Notes(4, nullptr, "there");
  auto there_later = fork->Checkpoint();
  auto w = Open();
  ASSERT_TRUE(w->Cosign(here.note, *vkey_, GetParam().hash, {}, 1000).ok());
  // The same size with another root.
  auto same = w->Cosign(there.note, *vkey_, GetParam().hash, {}, 1001);
  EXPECT_EQ(same.status().code(), StatusCode::kIntegrityViolation);
  EXPECT_NE(same.status().message().find("fork"), std::string::npos);
  // A larger tree that does not extend the cosigned one: no proof from the fork verifies.
  auto p = fork->ledger().ProveConsistency(9, 13);
  ASSERT_TRUE(p.ok());
  auto later = w->Cosign(there_later.note, *vkey_, GetParam().hash, p->proof, 1002);
  EXPECT_EQ(later.status().code(), StatusCode::kIntegrityViolation);
  EXPECT_NE(later.status().message().find("not shown consistent"), std::string::npos);
  EXPECT_EQ(w->Last(l_->ledger().origin())->root, here.checkpoint.root);
  (void)base;
}

TEST_P(WitnessTest, KnowsEachLogByOneKey) {
  auto w = Open();
  ASSERT_TRUE(w->Cosign(l_->Checkpoint().note, *vkey_, GetParam().hash, {}, 1000).ok());
  // Another ledger with the same origin but its own log key.
  testing::AuditLedger impostor(GetParam(), dir_.Sub("impostor"));
  auto ivkey =
      *ParseVerifierKey(NoteVerifierKey(impostor.ledger().origin(), impostor.ledger().log_key()));
  auto r = w->Cosign(impostor.Checkpoint().note, ivkey, GetParam().hash, {}, 1001);
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(r.status().message().find("this witness knows the log audit.example/park-1 by the key"),
            std::string::npos);
  // And a checkpoint not signed by the key it is given is refused.
  auto bad = w->Cosign(impostor.Checkpoint().note, *vkey_, GetParam().hash, {}, 1002);
  EXPECT_EQ(bad.status().code(), StatusCode::kIntegrityViolation);
}

TEST_P(WitnessTest, StateIsLockedAndMalformedStateIsNotReset) {
  auto w = Open();
  auto second = Witness::Open(dir_.Sub("state"), "witness.example/w", wkey_.get());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  ASSERT_TRUE(w->Cosign(l_->Checkpoint().note, *vkey_, GetParam().hash, {}, 1000).ok());
  w.reset();
  // A damaged state must never be taken for an empty one (that would allow a rollback).
  testing::WriteFile(dir_.Sub("state"), testing::ReadFile(dir_.Sub("state")) + "garbage\n");
  auto damaged = Witness::Open(dir_.Sub("state"), "witness.example/w", wkey_.get());
  EXPECT_EQ(damaged.status().code(), StatusCode::kCorruption);
  EXPECT_NE(damaged.status().message().find("line 3"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Suites, WitnessTest,
                         ::testing::Values(testing::kEd25519Sha256, testing::kSm2Sm3),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace dutyledger
