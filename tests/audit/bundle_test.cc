// Audit bundles: export, and verify-bundle refusing each tampering with the precise reason and
// place. Every test runs for both suites (Ed25519/SHA-256 and SM2/SM3 with an SM2 log key).
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "ledger/bundle.h"
#include "ledger/bundle_json.h"
#include "ledger/bundle_verify.h"
#include "ledger/codec.h"
#include "ledger/witness.h"
#include "ledger/witness_policy.h"
#include "tests/audit/audit_util.h"

namespace dutyledger {
namespace {

using testing::AuditLedger;
using testing::ExpectBundleBad;
using testing::ReadFile;
using testing::ReadFrames;
using testing::Suite;
using testing::VerifyBundleOk;
using testing::VerifyBundleReport;
using testing::WriteFile;
using testing::WriteFrames;

class BundleTest : public ::testing::TestWithParam<Suite> {
 protected:
  // genesis (0), key k bound at 1, notes 2..21 alternating root / k, a checkpoint at 22, then
  // notes 22..29 and a checkpoint at 30.
  void SetUp() override {
    l_ = std::make_unique<AuditLedger>(GetParam(), dir_.Sub("ledger"));
    key_ = testing::NewKey(GetParam().signer);
    bound_at_ = l_->Bind(*key_, "official:k");
    for (int i = 0; i < 10; ++i) {
      l_->Notes(1);
      k_notes_.push_back(l_->Notes(1, key_.get())[0]);
    }
    first_ = l_->Checkpoint();
    l_->Notes(8, key_.get());
    latest_ = l_->Checkpoint();
  }

  std::string Export(const std::string& name, BundleOptions options = {}) {
    std::string out = dir_.Sub(name);
    auto r = ExportBundle(l_->ledger(), out, options);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return out;
  }
  std::string Partial(const std::string& name, std::vector<uint64_t> seqs) {
    BundleOptions o;
    o.sequences = std::move(seqs);
    return Export(name, o);
  }

  testing::TempDir dir_;
  std::unique_ptr<AuditLedger> l_;
  std::unique_ptr<PrivateKey> key_;
  uint64_t bound_at_ = 0;
  std::vector<uint64_t> k_notes_;  // entries signed by key_
  StoredCheckpoint first_, latest_;
};

TEST_P(BundleTest, IntactFullBundleVerifies) {
  std::string b = Export("full");
  BundleReport r = VerifyBundleOk(b);
  EXPECT_TRUE(r.full);
  EXPECT_EQ(r.entries, 30u);
  EXPECT_EQ(r.tree_size, 30u);
  EXPECT_EQ(r.keys, 2u);
  EXPECT_EQ(r.root_base64, latest_.checkpoint.root.Base64());
  EXPECT_FALSE(r.log_key_pinned);
  for (const char* f :
       {"checkpoint", "log-key.pub", "entries.bin", "keys.json", "proofs.json", "VERIFY.md",
        "schema/event.capnp", "schema/common.capnp", "schema/identity.capnp",
        "schema/capnp/c++.capnp", "schema/capnp/compat/json.capnp"}) {
    EXPECT_TRUE(std::filesystem::exists(b + "/" + f)) << f;
  }
  EXPECT_EQ(ReadFile(b + "/checkpoint"), latest_.note.Text());
  EXPECT_EQ(ReadFrames(b).size(), 30u);
}

TEST_P(BundleTest, PartialBundleCarriesTheKeysThatJustifyItsSigners) {
  uint64_t cited = k_notes_[3];
  std::string b = Partial("partial", {cited});
  // Entry 0 (the root key) and the binding of key k come with the cited entry.
  auto frames = ReadFrames(b);
  ASSERT_EQ(frames.size(), 3u);
  std::vector<uint64_t> seqs;
  for (const auto& f : frames) seqs.push_back(EntryView::Decode(f)->sequence());
  EXPECT_EQ(seqs, (std::vector<uint64_t>{0, bound_at_, cited}));
  std::string keys = ReadFile(b + "/keys.json");
  EXPECT_NE(keys.find(key_->public_key().id().Hex()), std::string::npos);
  EXPECT_NE(keys.find("\"boundAt\": " + std::to_string(bound_at_)), std::string::npos);
  BundleReport r = VerifyBundleOk(b);
  EXPECT_FALSE(r.full);
  EXPECT_EQ(r.entries, 3u);
  // The default consistency proof: from the first checkpoint covering the cited entry.
  EXPECT_EQ(r.consistency, (std::vector<uint64_t>{first_.checkpoint.size}));
}

TEST_P(BundleTest, RangeBundleVerifies) {
  std::vector<uint64_t> range;
  for (uint64_t s = 10; s <= 20; ++s) range.push_back(s);
  BundleReport r = VerifyBundleOk(Partial("range", range));
  EXPECT_EQ(r.entries, 13u);  // 0, the binding at 1, and 10..20
}

TEST_P(BundleTest, AlteredEntry) {
  std::string b = Export("full");
  auto frames = ReadFrames(b);
  uint64_t s = k_notes_[2];
  size_t at = frames[s].find("note 0");
  ASSERT_NE(at, std::string::npos);
  frames[s][at + 5] = '7';  // still valid text: only the signature can tell
  WriteFrames(b, frames);
  ExpectBundleBad(
      VerifyBundleReport(b), "entries.bin", s, "signature",
      "signature does not verify under key " + key_->public_key().id().Hex().substr(0, 16));
}

TEST_P(BundleTest, AlteredRecordedAtBreaksTheChain) {
  // recordedAt is the ledger's, not the signer's: the next entry's prevLeafHash catches it.
  std::string b = Export("full");
  auto frames = ReadFrames(b);
  auto e = EntryView::Decode(frames[12]);
  ASSERT_TRUE(e.ok());
  EntryFields f{12, ReadTime(e->entry().getRecordedAt()), Digest(), e->signature(),
                e->body_bytes()};
  f.recorded_at.unix_nanos += 1;
  f.prev_leaf_hash = *Digest::FromBytes(
      ByteView(reinterpret_cast<const char*>(e->entry().getPrevLeafHash().begin()), Digest::kSize));
  frames[12] = EncodeEntry(f);
  WriteFrames(b, frames);
  ExpectBundleBad(VerifyBundleReport(b), "entries.bin", 13, "prevLeafHash",
                  "chain broken: prevLeafHash is not the leaf hash of entry 12");
}

TEST_P(BundleTest, AlteredLastEntryChangesTheRoot) {
  std::string b = Export("full");
  auto frames = ReadFrames(b);
  auto e = EntryView::Decode(frames.back());
  EntryFields f{29, ReadTime(e->entry().getRecordedAt()), Digest(), e->signature(),
                e->body_bytes()};
  f.recorded_at.unix_nanos += 1;
  f.prev_leaf_hash = *Digest::FromBytes(
      ByteView(reinterpret_cast<const char*>(e->entry().getPrevLeafHash().begin()), Digest::kSize));
  frames.back() = EncodeEntry(f);
  WriteFrames(b, frames);
  ExpectBundleBad(VerifyBundleReport(b), "checkpoint", -1, "",
                  "is not the root of the entries in entries.bin");
}

TEST_P(BundleTest, DroppedEntry) {
  std::string b = Export("full");
  auto frames = ReadFrames(b);
  frames.erase(frames.begin() + 17);
  WriteFrames(b, frames);
  ExpectBundleBad(VerifyBundleReport(b), "entries.bin", 17, "sequence",
                  "missing: entry 17 was dropped (the next frame holds entry 18)");
}

TEST_P(BundleTest, DroppedTailEntry) {
  std::string b = Export("full");
  auto frames = ReadFrames(b);
  frames.pop_back();
  WriteFrames(b, frames);
  ExpectBundleBad(VerifyBundleReport(b), "entries.bin", 29, "",
                  "entries.bin holds 29 entries but the checkpoint's tree has 30");
}

TEST_P(BundleTest, DroppedEntryFromPartialBundle) {
  std::string b = Partial("partial", {k_notes_[1], k_notes_[4], k_notes_[6]});
  auto frames = ReadFrames(b);
  ASSERT_EQ(frames.size(), 5u);
  frames.erase(frames.begin() + 3);  // k_notes_[4]; its proof stays
  WriteFrames(b, frames);
  ExpectBundleBad(VerifyBundleReport(b), "proofs.json", k_notes_[6], "inclusion proof 3",
                  "is for entry " + std::to_string(k_notes_[4]) +
                      " but entries.bin's frame 3 holds entry " + std::to_string(k_notes_[6]));
}

TEST_P(BundleTest, SwappedEntries) {
  std::string b = Export("full");
  auto frames = ReadFrames(b);
  std::swap(frames[8], frames[9]);
  WriteFrames(b, frames);
  ExpectBundleBad(VerifyBundleReport(b), "entries.bin", 8, "sequence",
                  "entries 8 and 9 are swapped");
}

TEST_P(BundleTest, SwappedEntriesInPartialBundle) {
  std::string b = Partial("partial", {k_notes_[1], k_notes_[4]});
  auto frames = ReadFrames(b);
  std::swap(frames[2], frames[3]);
  WriteFrames(b, frames);
  // The proofs stay in place, so the first frame out of place no longer matches its proof.
  ExpectBundleBad(VerifyBundleReport(b), "proofs.json", k_notes_[4], "inclusion proof 2",
                  "is for entry " + std::to_string(k_notes_[1]) +
                      " but entries.bin's frame 2 holds entry " + std::to_string(k_notes_[4]) +
                      " (entries swapped: the next proof is for this entry)");
  // Swapped together with their proofs, the order itself is refused.
  std::string proofs = ReadFile(b + "/proofs.json");
  size_t a = proofs.find("{\"leafIdx\": " + std::to_string(k_notes_[1]));
  size_t c = proofs.find("{\"leafIdx\": " + std::to_string(k_notes_[4]));
  std::string pa = proofs.substr(a, proofs.find("]}", a) + 2 - a);
  std::string pc = proofs.substr(c, proofs.find("]}", c) + 2 - c);
  proofs.replace(c, pc.size(), pa);
  proofs.replace(a, pa.size(), pc);
  WriteFile(b + "/proofs.json", proofs);
  ExpectBundleBad(VerifyBundleReport(b), "entries.bin", k_notes_[1], "sequence",
                  "out of order: it follows entry " + std::to_string(k_notes_[4]));
}

TEST_P(BundleTest, AlteredProofHash) {
  uint64_t cited = k_notes_[5];
  std::string b = Partial("partial", {cited});
  std::string proofs = ReadFile(b + "/proofs.json");
  // The cited entry's inclusion proof is the third; alter its second hash.
  size_t at = proofs.find("\"leafIdx\": " + std::to_string(cited));
  ASSERT_NE(at, std::string::npos);
  at = proofs.find("\"proof\": [\"", at) + 11;
  at = proofs.find("\", \"", at) + 4;
  proofs[at] = proofs[at] == 'A' ? 'B' : 'A';
  WriteFile(b + "/proofs.json", proofs);
  ExpectBundleBad(VerifyBundleReport(b), "proofs.json", cited, "inclusion proof 2",
                  "does not lead to the checkpoint's root");
}

TEST_P(BundleTest, KeySwappedForAnother) {
  std::string b = Export("full");
  auto stranger = testing::NewKey(GetParam().signer);
  testing::ReplaceInFile(b + "/keys.json", JsonQuote(key_->public_key().ToPem()),
                         JsonQuote(stranger->public_key().ToPem()));
  ExpectBundleBad(VerifyBundleReport(b), "keys.json", -1, "",
                  "key " + key_->public_key().id().Hex().substr(0, 16) +
                      ": pem: the key's SPKI hashes to " +
                      stranger->public_key().id().Hex().substr(0, 16) + ", not to its key id");
}

TEST_P(BundleTest, KeyRowReplacedByAnotherKeysRow) {
  // The row is swapped whole (id and PEM) for a key nobody bound: the entries still name the
  // real key, so the binding entry finds no row for it.
  std::string b = Export("full");
  auto stranger = testing::NewKey(GetParam().signer);
  testing::ReplaceInFile(b + "/keys.json", key_->public_key().id().Hex(),
                         stranger->public_key().id().Hex());
  testing::ReplaceInFile(b + "/keys.json", JsonQuote(key_->public_key().ToPem()),
                         JsonQuote(stranger->public_key().ToPem()));
  BundleReport r = VerifyBundleReport(b);
  ExpectBundleBad(r, "keys.json", bound_at_, "key " + key_->public_key().id().Hex().substr(0, 16),
                  "binds this key (official:k) but keys.json does not list it");
}

TEST_P(BundleTest, PartialBundleWithoutTheSignersBinding) {
  uint64_t cited = k_notes_[2];
  std::string b = Partial("partial", {cited});
  auto frames = ReadFrames(b);
  frames.erase(frames.begin() + 1);  // the keyBound of key k
  WriteFrames(b, frames);
  std::string proofs = ReadFile(b + "/proofs.json");
  size_t from = proofs.find("{\"leafIdx\": " + std::to_string(bound_at_));
  size_t to = proofs.find("{\"leafIdx\": " + std::to_string(cited));
  proofs.erase(from, to - from);
  WriteFile(b + "/proofs.json", proofs);
  ExpectBundleBad(VerifyBundleReport(b), "entries.bin", cited, "signerKeyId",
                  "was never bound by an entry of the bundle");
}

TEST_P(BundleTest, KeysJsonListsAKeyNoEntryBinds) {
  std::string b = Partial("partial", {2});  // a note by the root key: keys.json has the root only
  std::string keys = ReadFile(b + "/keys.json");
  auto extra = testing::NewKey(GetParam().signer);
  std::string row = "\"" + extra->public_key().id().Hex() + "\": {\"algorithm\": \"" +
                    std::string(SignatureAlgorithmName(extra->algorithm())) +
                    "\", \"principal\": \"official:ghost\", \"root\": false, \"boundAt\": 5, "
                    "\"revokedAt\": null, \"pem\": " +
                    JsonQuote(extra->public_key().ToPem()) + "},\n    ";
  keys.insert(keys.find("\"keys\": {") + 14, row);
  WriteFile(b + "/keys.json", keys);
  ExpectBundleBad(VerifyBundleReport(b), "keys.json", -1,
                  "key " + extra->public_key().id().Hex().substr(0, 16),
                  "no entry of the bundle binds it (boundAt 5, principal 'official:ghost')");
}

TEST_P(BundleTest, RevocationTravelsWithAPartialBundle) {
  uint64_t cited = k_notes_[0];
  uint64_t revoked_at = l_->Revoke(key_->public_key());
  l_->Notes(2);
  l_->Checkpoint();
  std::string b = Partial("partial", {cited});
  auto frames = ReadFrames(b);
  ASSERT_EQ(frames.size(), 4u);  // 0, binding, cited, revocation
  VerifyBundleOk(b);
  testing::ReplaceInFile(b + "/keys.json", "\"revokedAt\": " + std::to_string(revoked_at),
                         "\"revokedAt\": null");
  ExpectBundleBad(
      VerifyBundleReport(b), "keys.json", revoked_at,
      "key " + key_->public_key().id().Hex().substr(0, 16),
      "entry " + std::to_string(revoked_at) + " revokes it but keys.json says revokedAt null");
}

TEST_P(BundleTest, FlippedCheckpointSignature) {
  std::string b = Export("full");
  std::string cp = ReadFile(b + "/checkpoint");
  size_t at = cp.rfind(' ') + 12;  // inside the signature's base64, past the key id
  cp[at] = cp[at] == 'A' ? 'B' : 'A';
  WriteFile(b + "/checkpoint", cp);
  ExpectBundleBad(VerifyBundleReport(b), "checkpoint", -1, "log signature",
                  "the signature by audit.example/park-1 does not verify");
}

TEST_P(BundleTest, LogKeyFileIsNotTheGenesisLogKey) {
  std::string b = Export("full");
  WriteFile(b + "/log-key.pub", testing::NewKey(GetParam().log)->public_key().ToPem());
  ExpectBundleBad(VerifyBundleReport(b), "log-key.pub", -1, "",
                  "is not the log key that entry 0's genesis names");
}

TEST_P(BundleTest, TruncatedEntriesFile) {
  std::string b = Export("full");
  std::string all = ReadFile(b + "/entries.bin");
  WriteFile(b + "/entries.bin", all.substr(0, all.size() - 20));
  ExpectBundleBad(VerifyBundleReport(b), "entries.bin", 29, "", "frame 29");
  EXPECT_NE(VerifyBundleReport(b).reason.find("truncated segment"), std::string::npos);
}

// ---- cosignatures and policies

class BundlePolicyTest : public BundleTest {
 protected:
  struct W {
    std::string name;
    std::unique_ptr<PrivateKey> key;
    std::string vkey;
  };
  W NewWitness(const std::string& name) {
    W w{name, testing::NewKey(GetParam().signer), ""};
    w.vkey = NoteVerifierKey(name, w.key->public_key(), NoteKeyRole::kCosigner);
    return w;
  }
  std::string Cosign(const W& w, const StoredCheckpoint& cp) {
    auto line = SignCosignature(cp.note.body, w.name, *w.key, 1700000000);
    EXPECT_TRUE(line.ok()) << line.status().ToString();
    return *line;
  }
  WitnessPolicy Policy(const std::string& text) {
    auto p = WitnessPolicy::Parse(text);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return *p;
  }
  std::string LogLine() {
    return "log " + NoteVerifierKey(l_->ledger().origin(), l_->ledger().log_key()) + "\n";
  }
};

TEST_P(BundlePolicyTest, PolicyMet) {
  W a = NewWitness("w.example/a"), b = NewWitness("w.example/b"), c = NewWitness("w.example/c");
  ASSERT_TRUE(l_->ledger().AddCosignature(latest_.checkpoint.size, Cosign(a, latest_)).ok());
  ASSERT_TRUE(l_->ledger().AddCosignature(latest_.checkpoint.size, Cosign(c, latest_)).ok());
  std::string bundle = Export("full");
  BundleVerifyOptions o;
  o.policy = Policy(LogLine() + "witness A " + a.vkey + "\nwitness B " + b.vkey + "\nwitness C " +
                    c.vkey + "\ngroup all3 2 A B C\nquorum all3\n");
  BundleReport r = VerifyBundleOk(bundle, o);
  EXPECT_EQ(r.cosigners, (std::set<std::string>{"A", "C"}));
  EXPECT_TRUE(r.log_key_pinned);
}

TEST_P(BundlePolicyTest, PolicyNotMet) {
  W a = NewWitness("w.example/a"), b = NewWitness("w.example/b"), c = NewWitness("w.example/c");
  ASSERT_TRUE(l_->ledger().AddCosignature(latest_.checkpoint.size, Cosign(b, latest_)).ok());
  std::string bundle = Export("full");
  BundleVerifyOptions o;
  o.policy = Policy("witness A " + a.vkey + "\nwitness B " + b.vkey + "\nwitness C " + c.vkey +
                    "\ngroup all3 2 A B C\nquorum all3\n");
  ExpectBundleBad(VerifyBundleReport(bundle, o), "checkpoint", -1, "cosignatures",
                  "policy: quorum not met: group all3 needs 2 of {A, B, C}, has 1 (valid "
                  "cosignatures from: B)");
}

TEST_P(BundlePolicyTest, CosignatureOverAnInconsistentCheckpoint) {
  // A fork: a copy of the ledger that recorded other entries, at the same size. Witness A
  // cosigned the fork's checkpoint; its line is pasted onto this ledger's checkpoint.
  auto fork = AuditLedger::CopyOf(*l_, dir_.Sub("fork"));
  l_->Notes(3, nullptr, "here");
  StoredCheckpoint here = l_->Checkpoint();
  fork->Notes(3, nullptr, "there");
  auto there = fork->Checkpoint();
  ASSERT_EQ(here.checkpoint.size, there.checkpoint.size);
  ASSERT_NE(here.checkpoint.root, there.checkpoint.root);
  W a = NewWitness("w.example/a");
  std::string bundle = Export("full");
  std::string cp = ReadFile(bundle + "/checkpoint");
  WriteFile(bundle + "/checkpoint", cp + Cosign(a, there) + "\n");
  BundleVerifyOptions o;
  o.policy = Policy("witness A " + a.vkey + "\nquorum A\n");
  ExpectBundleBad(VerifyBundleReport(bundle, o), "checkpoint", -1, "cosignatures",
                  "witness A: the cosignature by w.example/a does not verify over this "
                  "checkpoint");
}

TEST_P(BundlePolicyTest, LogNotListedByThePolicy) {
  std::string bundle = Export("full");
  auto other = testing::NewKey(GetParam().log);
  BundleVerifyOptions o;
  o.policy = Policy("log " + NoteVerifierKey(l_->ledger().origin(), other->public_key()) +
                    "\nquorum none\n");
  ExpectBundleBad(VerifyBundleReport(bundle, o), "checkpoint", -1, "cosignatures",
                  "not signed by a log the policy lists");
}

// ---- trusted checkpoints: rollback and fork

TEST_P(BundleTest, TrustedCheckpointConsistentWithTheBundle) {
  BundleVerifyOptions o;
  o.trusted_checkpoint = first_.note;
  BundleReport r = VerifyBundleOk(Export("full"), o);
  EXPECT_TRUE(r.log_key_pinned);
  BundleOptions p;
  p.sequences = std::vector<uint64_t>{k_notes_[9]};
  p.consistency_from = std::vector<uint64_t>{first_.checkpoint.size};
  VerifyBundleOk(Export("partial", p), o);
}

TEST_P(BundleTest, BundleFromARolledBackLedger) {
  // The bundle was exported from an older state than a checkpoint the auditor holds.
  BundleOptions p;
  p.checkpoint_size = first_.checkpoint.size;
  std::string b = Export("old", p);
  BundleVerifyOptions o;
  o.trusted_checkpoint = latest_.note;
  ExpectBundleBad(VerifyBundleReport(b, o), "trusted checkpoint", -1, "",
                  "covers 30 entries but the bundle's checkpoint only 22: the bundle is from an "
                  "older state of the ledger (a rollback?)");
}

TEST_P(BundleTest, BundleFromAForkedLedger) {
  auto fork = AuditLedger::CopyOf(*l_, dir_.Sub("fork"));
  fork->Notes(2, nullptr, "there");
  auto trusted = fork->Checkpoint();  // size 32, what the auditor holds
  l_->Notes(2, nullptr, "here");
  l_->Checkpoint();  // 32, another root
  l_->Notes(5);
  l_->Checkpoint();  // 37
  BundleVerifyOptions o;
  o.trusted_checkpoint = trusted.note;
  ExpectBundleBad(VerifyBundleReport(Export("full"), o), "trusted checkpoint", -1, "",
                  "its root at size 32 differs from the root of the bundle's first 32 entries: "
                  "the history was rewritten (a fork)");
  BundleOptions p;
  p.sequences = std::vector<uint64_t>{33};
  p.consistency_from = std::vector<uint64_t>{32};
  ExpectBundleBad(VerifyBundleReport(Export("partial", p), o), "trusted checkpoint", -1, "",
                  "differs from the one the bundle's consistency proof starts from: the history "
                  "was rewritten (a fork)");
  p.consistency_from.reset();
  ExpectBundleBad(VerifyBundleReport(Export("partial-without", p), o), "trusted checkpoint", -1, "",
                  "proofs.json has no consistency proof from size 32");
}

TEST_P(BundleTest, TrustedCheckpointOfTheSameSizeButAnotherRoot) {
  auto fork = AuditLedger::CopyOf(*l_, dir_.Sub("fork"));
  fork->Notes(2, nullptr, "there");
  auto trusted = fork->Checkpoint();
  l_->Notes(2, nullptr, "here");
  l_->Checkpoint();
  BundleVerifyOptions o;
  o.trusted_checkpoint = trusted.note;
  ExpectBundleBad(VerifyBundleReport(Export("full"), o), "trusted checkpoint", -1, "",
                  "has a different root at the same size 32: the history was rewritten (a fork)");
}

TEST_P(BundleTest, TrustedCheckpointOfAnotherLedger) {
  AuditLedger other(GetParam(), dir_.Sub("other"));
  BundleVerifyOptions o;
  o.trusted_checkpoint = other.Checkpoint().note;
  ExpectBundleBad(VerifyBundleReport(Export("full"), o), "trusted checkpoint", -1, "",
                  "not signed by the bundle's log key");
}

TEST_P(BundleTest, TrustedCheckpointOfTheEmptyTree) {
  // The ledger never signs size 0 (its genesis comes first), but a checkpoint of the empty tree
  // is extended by every tree: accepted for full and partial bundles alike, if its root is H("").
  auto log_key = PrivateKey::ReadPemFile(l_->path() + "/log.key");
  ASSERT_TRUE(log_key.ok()) << log_key.status().ToString();
  auto signed_at_zero = [&](const Digest& root) {
    Checkpoint empty{l_->ledger().origin(), 0, root, {}};
    auto line = SignNoteLine(empty.Body(), empty.origin, **log_key);
    EXPECT_TRUE(line.ok()) << line.status().ToString();
    auto note = ParseSignedNote(empty.Body() + "\n" + *line + "\n");
    EXPECT_TRUE(note.ok()) << note.status().ToString();
    return *note;
  };
  Hasher hasher(GetParam().hash);
  BundleVerifyOptions o;
  o.trusted_checkpoint = signed_at_zero(hasher.EmptyRoot());
  EXPECT_TRUE(VerifyBundleOk(Export("full"), o).log_key_pinned);
  VerifyBundleOk(Partial("partial", {k_notes_[4]}), o);
  o.trusted_checkpoint = signed_at_zero(latest_.checkpoint.root);
  ExpectBundleBad(VerifyBundleReport(Export("full-2"), o), "trusted checkpoint", -1, "",
                  "has size 0 but its root is not the empty tree's hash");
}

// ---- export arguments

TEST_P(BundleTest, ExportRefusesBadArguments) {
  BundleOptions o;
  o.sequences = std::vector<uint64_t>{30};
  auto r = ExportBundle(l_->ledger(), dir_.Sub("x"), o);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("entry 30 is not in the tree"), std::string::npos);
  o = BundleOptions{};
  o.checkpoint_size = 23;
  EXPECT_EQ(ExportBundle(l_->ledger(), dir_.Sub("y"), o).status().code(), StatusCode::kNotFound);
  o = BundleOptions{};
  o.consistency_from = std::vector<uint64_t>{30};
  EXPECT_EQ(ExportBundle(l_->ledger(), dir_.Sub("z"), o).status().code(),
            StatusCode::kInvalidArgument);
  WriteFile(dir_.Sub("occupied"), "x");
  EXPECT_EQ(ExportBundle(l_->ledger(), dir_.Sub("occupied"), {}).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("x")));
}

TEST_P(BundleTest, ParallelAndSingleThreadedAgree) {
  l_->Notes(3000, key_.get());
  l_->Checkpoint();
  std::string b = Export("big");
  auto frames = ReadFrames(b);
  size_t at = frames[2500].find("note ");
  frames[2500][at + 1] ^= 0x20;  // 'o' -> 'O'
  WriteFrames(b, frames);
  for (int threads : {1, 2, 4}) {
    BundleVerifyOptions o;
    o.threads = threads;
    ExpectBundleBad(VerifyBundleReport(b, o), "entries.bin", 2500, "signature",
                    "signature does not verify");
  }
}

INSTANTIATE_TEST_SUITE_P(Suites, BundleTest,
                         ::testing::Values(testing::kEd25519Sha256, testing::kSm2Sm3),
                         [](const auto& info) { return std::string(info.param.name); });
INSTANTIATE_TEST_SUITE_P(Suites, BundlePolicyTest,
                         ::testing::Values(testing::kEd25519Sha256, testing::kSm2Sm3),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace dutyledger
