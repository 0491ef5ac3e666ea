#include "ledger/ledger.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include <capnp/message.h>

#include "ledger/codec.h"
#include "ledger/merkle.h"
#include "ledger/schema/event.capnp.h"
#include "ledger/uuid.h"
#include "ledger/verify.h"
#include "tests/support/test_util.h"

namespace dutyledger {
namespace {

using testing::KeyBoundJson;
using testing::KeyRevokedJson;
using testing::NewKey;
using testing::TestLedger;

std::string NoteJson(const std::string& text, Time at, const std::string& extra = "") {
  return "{" + extra + "\"occurredAt\": \"" + FormatRfc3339(at) + "\", \"note\": {\"text\": \"" +
         text + "\"}}";
}

void ExpectVerifies(const TestLedger& t) {
  auto report = VerifyLedgerFolder(t.path(), VerifyOptions{});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok) << report->Summary();
}

// Appending must refuse with `code`, name `reason`, and leave the ledger as it was.
void ExpectRefused(TestLedger& t, std::vector<SignedEvent> events, StatusCode code,
                   const std::string& reason, size_t want_index = 0) {
  uint64_t before = t.ledger().size();
  size_t failed = 999;
  auto r = t.ledger().Append(std::move(events), &failed);
  ASSERT_FALSE(r.ok()) << "expected a refusal: " << reason;
  EXPECT_EQ(r.status().code(), code) << r.status().ToString();
  EXPECT_NE(r.status().message().find(reason), std::string::npos)
      << "message: " << r.status().message() << "\nwanted: " << reason;
  EXPECT_EQ(failed, want_index);
  EXPECT_EQ(t.ledger().size(), before) << "a refusal wrote something";
}

TEST(Ledger, CreateWritesGenesisAndFirstCheckpoint) {
  TestLedger t;
  EXPECT_EQ(t.ledger().size(), 1u);
  auto e = t.ledger().ReadEntry(0);
  ASSERT_TRUE(e.ok());
  auto body = EventView::Decode(e->body_bytes());
  ASSERT_TRUE(body.ok());
  EXPECT_TRUE(body->body().isGenesis());
  EXPECT_TRUE(Digest::FromBytes(
                  ByteView(reinterpret_cast<const char*>(e->entry().getPrevLeafHash().begin()), 32))
                  ->IsZero());
  auto cp = t.ledger().LatestCheckpoint();
  ASSERT_TRUE(cp.ok() && *cp);
  EXPECT_EQ((*cp)->checkpoint.size, 1u);
  EXPECT_EQ((*cp)->checkpoint.origin, "test.example/park-1");
  ExpectVerifies(t);
}

TEST(Ledger, CreateRefusesNonEmptyFolderAndLeavesItAlone) {
  testing::TempDir dir;
  ASSERT_TRUE(WriteNewFile(dir.Sub("keep.txt"), "x", 0644).ok());
  auto root = NewKey();
  ManualClock clock(testing::TestEpoch());
  Ledger::InitParams p;
  p.origin = "o.example";
  p.authority = root.get();
  Ledger::Options o;
  o.clock = &clock;
  auto l = Ledger::Create(dir.path(), p, o);
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(ReadSmallFile(dir.Sub("keep.txt")).ok());
}

TEST(Ledger, AppendsAreGaplessAndChained) {
  TestLedger t;
  auto r = t.MustAppend({t.Note("a", t.root()), t.Note("b", t.root()), t.Note("c", t.root())});
  ASSERT_EQ(r.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(r[i].sequence, i + 1);
    EXPECT_FALSE(r[i].duplicate);
    auto leaf = t.ledger().LeafHash(r[i].sequence);
    ASSERT_TRUE(leaf.ok());
    EXPECT_EQ(*leaf, r[i].leaf_hash);
    auto e = t.ledger().ReadEntry(r[i].sequence);
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(t.ledger().hasher().LeafHash(e->bytes()), r[i].leaf_hash);
    auto prev = t.ledger().LeafHash(r[i].sequence - 1);
    EXPECT_EQ(ByteView(reinterpret_cast<const char*>(e->entry().getPrevLeafHash().begin()), 32),
              prev->view());
  }
  ExpectVerifies(t);
}

TEST(Ledger, ResubmittingIdenticalBytesReturnsTheOriginalSequence) {
  TestLedger t;
  SignedEvent e = t.Note("once", t.root());
  auto first = t.MustAppend({e});
  auto again = t.MustAppend({e, t.Note("new", t.root())});
  ASSERT_EQ(again.size(), 2u);
  EXPECT_TRUE(again[0].duplicate);
  EXPECT_EQ(again[0].sequence, first[0].sequence);
  EXPECT_EQ(again[0].leaf_hash, first[0].leaf_hash);
  EXPECT_EQ(again[1].sequence, first[0].sequence + 1);
  EXPECT_EQ(t.ledger().size(), 3u);
}

TEST(Ledger, ReusedEventIdWithOtherBytesIsRefused) {
  TestLedger t;
  std::string id = "\"eventId\": \"0190f7a2-6c1e-7b3a-9d2e-4f5a6b7c8d9e\", ";
  t.MustAppend({t.Sign(NoteJson("first", t.clock().Now(), id), t.root())});
  ExpectRefused(t, {t.Sign(NoteJson("second", t.clock().Now(), id), t.root())},
                StatusCode::kAlreadyExists, "was already used by entry 1 with different content");
}

TEST(Ledger, BatchIsAllOrNothing) {
  TestLedger t;
  auto stranger = NewKey();
  ExpectRefused(t, {t.Note("ok", t.root()), t.Note("ok too", t.root()), t.Note("bad", *stranger)},
                StatusCode::kPermissionDenied, "unknown key", 2);
  // The earlier events of the refused batch are not there either.
  EXPECT_EQ(t.ledger().size(), 1u);
  ExpectVerifies(t);
}

TEST(Ledger, UnknownKeyIsRefused) {
  TestLedger t;
  auto stranger = NewKey();
  ExpectRefused(t, {t.Note("x", *stranger)}, StatusCode::kPermissionDenied, "unknown key");
}

TEST(Ledger, SignatureByAnotherKeyIsRefused) {
  TestLedger t;
  auto other = NewKey();
  Bytes body = t.Body(NoteJson("x", t.clock().Now()), t.root());
  ExpectRefused(t, {TestLedger::SignBody(body, *other)}, StatusCode::kPermissionDenied,
                "signature does not verify under key");
}

// DESIGN.md pitfall: right after an event by key A is verified, an event signed by A but naming
// a bound key B must be refused. Both algorithms; both the parallel and the deferred path.
class WrongSignerKey : public ::testing::TestWithParam<SignatureAlgorithm> {};

TEST_P(WrongSignerKey, EventSignedByANamingBIsRefusedRightAfterAVerified) {
  TestLedger t;
  auto a = NewKey(GetParam());
  auto b = NewKey(GetParam());
  t.Bind(*a, "official:a");
  t.Bind(*b, "official:b");
  Bytes body_naming_b = t.Body(NoteJson("forged", t.clock().Now()), *b);
  SignedEvent forged = TestLedger::SignBody(body_naming_b, *a);
  // Same batch: A's event verified first, then the forged one.
  ExpectRefused(t, {t.Note("by a", *a), forged}, StatusCode::kPermissionDenied,
                "signature does not verify under key " + b->public_key().id().Hex().substr(0, 16),
                1);
  // And with keys bound in the same batch (signature checked by the writer, not in parallel).
  auto c = NewKey(GetParam());
  auto d = NewKey(GetParam());
  SignedEvent bind_c =
      t.Sign(KeyBoundJson(c->public_key(), "official:c", t.clock().Now()), t.root());
  SignedEvent bind_d =
      t.Sign(KeyBoundJson(d->public_key(), "official:d", t.clock().Now()), t.root());
  SignedEvent by_c = t.Note("by c", *c);
  SignedEvent forged_d = TestLedger::SignBody(t.Body(NoteJson("f", t.clock().Now()), *d), *c);
  ExpectRefused(t, {bind_c, bind_d, by_c, forged_d}, StatusCode::kPermissionDenied,
                "signature does not verify", 3);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, WrongSignerKey,
                         ::testing::Values(SignatureAlgorithm::kEd25519, SignatureAlgorithm::kSm2),
                         [](const auto& info) {
                           return std::string(SignatureAlgorithmName(info.param));
                         });

TEST(Ledger, BoundKeySignsUntilRevoked) {
  TestLedger t;
  auto k = NewKey();
  uint64_t bound = t.Bind(*k, "official:zhang-wei");
  auto info = t.ledger().FindKey(k->public_key().id());
  ASSERT_TRUE(info.ok() && *info);
  EXPECT_EQ((*info)->principal, "official:zhang-wei");
  EXPECT_EQ((*info)->valid_from, bound + 1);
  t.MustAppend({t.Note("signed by zhang", *k)});
  uint64_t revoked = t.MustAppend({t.Sign(
      KeyRevokedJson(k->public_key().id(), "left post", t.clock().Now()), t.root())})[0]
                         .sequence;
  ExpectRefused(t, {t.Note("after revocation", *k)}, StatusCode::kPermissionDenied,
                "was revoked at entry " + std::to_string(revoked));
  ExpectVerifies(t);
}

TEST(Ledger, KeyUsedBeforeItsBindingIsRefused) {
  TestLedger t;
  auto k = NewKey();
  SignedEvent early = t.Note("too early", *k);
  SignedEvent bind = t.Sign(KeyBoundJson(k->public_key(), "official:k", t.clock().Now()), t.root());
  ExpectRefused(t, {early, bind}, StatusCode::kPermissionDenied, "unknown key", 0);
  // Binding first, then use, in one batch, is fine.
  t.MustAppend({bind, early});
}

TEST(Ledger, OnlyTheRootBindsKeysWithoutDomainRules) {
  TestLedger t;
  auto k = NewKey();
  auto other = NewKey();
  t.Bind(*k, "official:k");
  ExpectRefused(t, {t.Sign(KeyBoundJson(other->public_key(), "official:o", t.clock().Now()), *k)},
                StatusCode::kPermissionDenied, "only a root authority key may bind");
}

TEST(Ledger, KeyMayRevokeItselfButNotOthers) {
  TestLedger t;
  auto a = NewKey();
  auto b = NewKey();
  t.Bind(*a, "official:a");
  t.Bind(*b, "official:b");
  ExpectRefused(t, {t.Sign(KeyRevokedJson(b->public_key().id(), "x", t.clock().Now()), *a)},
                StatusCode::kPermissionDenied, "only a root authority key");
  t.MustAppend({t.Sign(KeyRevokedJson(a->public_key().id(), "lost laptop", t.clock().Now()), *a)});
  ExpectRefused(t, {t.Note("x", *a)}, StatusCode::kPermissionDenied, "was revoked");
}

TEST(Ledger, BindingTheSameKeyTwiceIsRefused) {
  TestLedger t;
  auto k = NewKey();
  t.Bind(*k, "official:k");
  ExpectRefused(t,
                {t.Sign(KeyBoundJson(k->public_key(), "official:k2", t.clock().Now()), t.root())},
                StatusCode::kFailedPrecondition, "is already bound to 'official:k'");
}

TEST(Ledger, RootKeyRotation) {
  TestLedger t;
  auto new_root = NewKey();
  t.Bind(*new_root, "org:root");  // bound to the root principal by a root key: a root key
  auto info = t.ledger().FindKey(new_root->public_key().id());
  ASSERT_TRUE(info.ok() && *info);
  EXPECT_TRUE((*info)->is_root);
  // The old root cannot revoke itself; the new one revokes it.
  ExpectRefused(
      t, {t.Sign(KeyRevokedJson(t.root().public_key().id(), "x", t.clock().Now()), t.root())},
      StatusCode::kPermissionDenied, "revoked by another root key");
  t.MustAppend(
      {t.Sign(KeyRevokedJson(t.root().public_key().id(), "rotated", t.clock().Now()), *new_root)});
  ExpectRefused(t, {t.Note("old root", t.root())}, StatusCode::kPermissionDenied, "was revoked");
  auto k = NewKey();
  t.MustAppend({t.Sign(KeyBoundJson(k->public_key(), "official:k", t.clock().Now()), *new_root)});
  ExpectVerifies(t);
}

TEST(Ledger, GenesisOnlyAtEntryZero) {
  TestLedger t;
  auto first = t.ledger().ReadEntry(0);
  ASSERT_TRUE(first.ok());
  // A second genesis, freshly signed by the root: refused.
  auto body = EventView::Decode(first->body_bytes());
  capnp::MallocMessageBuilder m;
  m.setRoot(body->body());
  auto b = m.getRoot<schema::EventBody>();
  Bytes id = NewUuidV7(t.clock().Now());
  b.setEventId(capnp::Data::Reader(reinterpret_cast<const capnp::byte*>(id.data()), 16));
  ExpectRefused(t, {TestLedger::SignBody(CanonicalBytes(m), t.root())},
                StatusCode::kPermissionDenied, "genesis is only allowed as entry 0");
}

TEST(Ledger, OtherLedgersOriginIsRefused) {
  TestLedger t;
  ExpectRefused(
      t,
      {t.Sign(NoteJson("x", t.clock().Now(), "\"origin\": \"other.example/park-9\", "), t.root())},
      StatusCode::kPermissionDenied, "is not this ledger's origin");
}

TEST(Ledger, FutureOccurredAtIsRefusedPastIsAccepted) {
  TestLedger t;
  Time future = t.clock().Now().PlusNanos(10 * 60 * Time::kNanosPerSecond);
  ExpectRefused(t, {t.Sign(NoteJson("x", future), t.root())}, StatusCode::kInvalidArgument,
                "field occurredAt: ");
  Time long_ago = *ParseRfc3339("2001-01-01T00:00:00+08:00");
  t.MustAppend({t.Sign(NoteJson("back-dated", long_ago), t.root())});
}

TEST(Ledger, OversizedEntryIsRefused) {
  TestLedger t;
  std::string big(70000, 'x');
  ExpectRefused(t, {t.Note(big, t.root())}, StatusCode::kResourceExhausted, "65535-byte limit");
  // Just under the limit is fine.
  std::string fits(64000, 'y');
  t.MustAppend({t.Note(fits, t.root())});
}

TEST(Ledger, NonCanonicalBodyIsRefused) {
  TestLedger t;
  Bytes body = t.Body(NoteJson("x", t.clock().Now()), t.root()) + Bytes(8, '\0');
  ExpectRefused(t, {TestLedger::SignBody(body, t.root())}, StatusCode::kInvalidArgument,
                "not in Cap'n Proto canonical form");
}

TEST(Ledger, StateIsRederivedOnReopen) {
  TestLedger t;
  t.MustAppend({t.Note("a", t.root()), t.Note("b", t.root())});
  Digest root3 = *t.ledger().RootAt(3);
  t.Reopen();
  EXPECT_EQ(t.ledger().size(), 3u);
  EXPECT_EQ(*t.ledger().RootAt(3), root3);
  t.MustAppend({t.Note("c", t.root())});
  ExpectVerifies(t);
}

TEST(Ledger, ProofsVerifyAgainstEveryEarlierSize) {
  TestLedger t;
  std::vector<SignedEvent> batch;
  for (int i = 0; i < 40; ++i) batch.push_back(t.Note("n" + std::to_string(i), t.root()));
  t.MustAppend(std::move(batch));
  const Hasher& h = t.ledger().hasher();
  for (uint64_t size = 1; size <= t.ledger().size(); size += 3) {
    for (uint64_t seq = 0; seq < size; ++seq) {
      auto p = t.ledger().ProveInclusion(seq, size);
      ASSERT_TRUE(p.ok()) << p.status().ToString();
      EXPECT_TRUE(VerifyInclusion(h, seq, size, p->leaf_hash, p->proof, p->root).ok());
    }
    for (uint64_t old = 1; old <= size; ++old) {
      auto c = t.ledger().ProveConsistency(old, size);
      ASSERT_TRUE(c.ok());
      EXPECT_TRUE(VerifyConsistency(h, old, size, c->root1, c->root2, c->proof).ok());
    }
  }
  EXPECT_EQ(t.ledger().ProveInclusion(5, 3).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(t.ledger().ProveInclusion(0, 999).status().code(), StatusCode::kInvalidArgument);
}

// The upper tree levels come from memory once enough proofs have asked for them (read from the
// store then, and added to by the writer afterwards); before that, and after a reopen, proofs
// read the store. The same proofs must result either way.
TEST(Ledger, ProofsAboveTheCachedLevelsAreIdenticalAfterReopen) {
  TestLedger t;
  std::vector<SignedEvent> batch;
  for (int i = 0; i < 300; ++i) batch.push_back(t.Note("n" + std::to_string(i), t.root()));
  t.MustAppend(std::move(batch));
  // Enough proofs load the cache (the nodes of those 300 entries); the writer adds the rest.
  for (uint64_t seq = 0; seq < 300; ++seq) {
    ASSERT_TRUE(t.ledger().ProveInclusion(seq, t.ledger().size()).ok());
  }
  for (int b = 0; b < 8; ++b) {
    batch.clear();
    for (int i = 0; i < 100; ++i)
      batch.push_back(t.Note("m" + std::to_string(b * 100 + i), t.root()));
    t.MustAppend(std::move(batch));
  }
  const Hasher& h = t.ledger().hasher();
  std::vector<InclusionProofData> before;
  std::vector<ConsistencyProofData> consistency_before;
  for (uint64_t seq : {0, 255, 256, 511, 700, 1023, 1100}) {
    for (uint64_t size : {seq + 1, uint64_t{512}, uint64_t{1024}, t.ledger().size()}) {
      if (seq >= size) continue;
      auto p = t.ledger().ProveInclusion(seq, size);
      ASSERT_TRUE(p.ok()) << p.status().ToString();
      EXPECT_TRUE(VerifyInclusion(h, seq, size, p->leaf_hash, p->proof, p->root).ok());
      before.push_back(*p);
    }
    auto c = t.ledger().ProveConsistency(seq + 1, t.ledger().size());
    ASSERT_TRUE(c.ok());
    consistency_before.push_back(*c);
  }
  t.Reopen();
  size_t k = 0, m = 0;
  for (uint64_t seq : {0, 255, 256, 511, 700, 1023, 1100}) {
    for (uint64_t size : {seq + 1, uint64_t{512}, uint64_t{1024}, t.ledger().size()}) {
      if (seq >= size) continue;
      auto p = t.ledger().ProveInclusion(seq, size);
      ASSERT_TRUE(p.ok());
      EXPECT_EQ(p->root, before[k].root);
      EXPECT_EQ(p->proof, before[k].proof);
      ++k;
    }
    auto c = t.ledger().ProveConsistency(seq + 1, t.ledger().size());
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->proof, consistency_before[m++].proof);
  }
}

TEST(Ledger, CheckpointsAreSignedEveryNEntriesAndAllKept) {
  TestLedger::Config config;
  config.checkpoint_every_entries = 10;
  TestLedger t(config);
  for (int round = 0; round < 5; ++round) {
    std::vector<SignedEvent> batch;
    for (int i = 0; i < 6; ++i) batch.push_back(t.Note("n", t.root()));
    t.MustAppend(std::move(batch));
  }
  auto sizes = t.ledger().CheckpointSizes();
  ASSERT_TRUE(sizes.ok());
  EXPECT_GE(sizes->size(), 3u);  // size 1, then at least every 10 entries
  for (uint64_t s : *sizes) {
    auto cp = t.ledger().CheckpointAt(s);
    ASSERT_TRUE(cp.ok()) << cp.status().ToString();
    EXPECT_EQ(cp->checkpoint.root, *t.ledger().RootAt(s));
    EXPECT_TRUE(VerifyNoteSignature(cp->note, "test.example/park-1", t.ledger().log_key()).ok());
  }
  auto latest = t.ledger().SignCheckpoint();
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->checkpoint.size, t.ledger().size());
  ExpectVerifies(t);
}

TEST(Ledger, ConcurrentSubmittersShareGroupCommits) {
  TestLedger t;
  std::vector<std::unique_ptr<PrivateKey>> keys;
  for (int i = 0; i < 8; ++i) {
    keys.push_back(NewKey());
    t.Bind(*keys.back(), "official:" + std::to_string(i));
  }
  std::vector<std::vector<SignedEvent>> batches(8);
  for (int i = 0; i < 8; ++i) {
    for (int j = 0; j < 50; ++j) batches[i].push_back(t.Note("c", *keys[i]));
  }
  std::vector<std::thread> threads;
  std::vector<std::vector<AppendedEvent>> results(8);
  std::atomic<int> failures{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i]() {
      for (int half = 0; half < 2; ++half) {
        std::vector<SignedEvent> part(batches[i].begin() + half * 25,
                                      batches[i].begin() + (half + 1) * 25);
        auto r = t.ledger().Append(std::move(part));
        if (!r.ok()) {
          ++failures;
          continue;
        }
        results[i].insert(results[i].end(), r->begin(), r->end());
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  std::set<uint64_t> seqs;
  for (auto& r : results) {
    for (auto& a : r) seqs.insert(a.sequence);
  }
  EXPECT_EQ(seqs.size(), 400u);
  EXPECT_EQ(*seqs.rbegin() + 1, t.ledger().size());
  ExpectVerifies(t);
}

TEST(Ledger, ReadOnlyOpenCannotAppend) {
  TestLedger t;
  std::string path = t.path();
  t.Close();
  ManualClock clock(testing::TestEpoch());
  Ledger::Options o;
  o.clock = &clock;
  o.read_only = true;
  auto l = Ledger::Open(path, o);
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ((*l)->Append({SignedEvent{}}).status().code(), StatusCode::kFailedPrecondition);
}

TEST(Ledger, SecondWriterIsRefusedWithAClearMessage) {
  TestLedger t;
  ManualClock clock(testing::TestEpoch());
  Ledger::Options o;
  o.clock = &clock;
  auto second = Ledger::Open(t.path(), o);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find("locked by another process"), std::string::npos)
      << second.status().message();
}

TEST(Ledger, Sm3LedgerWithSm2RootWorksEndToEnd) {
  TestLedger::Config config;
  config.root_algorithm = SignatureAlgorithm::kSm2;
  config.hash = HashAlgorithm::kSm3;
  TestLedger t(config);
  EXPECT_EQ(t.ledger().hash_algorithm(), HashAlgorithm::kSm3);
  auto k = NewKey(SignatureAlgorithm::kSm2);
  t.Bind(*k, "official:sm2");
  t.MustAppend({t.Note("国密", *k), t.Note("second", t.root())});
  auto p = t.ledger().ProveInclusion(2, t.ledger().size());
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(
      VerifyInclusion(Hasher(HashAlgorithm::kSm3), 2, p->tree_size, p->leaf_hash, p->proof, p->root)
          .ok());
  EXPECT_EQ(p->leaf_hash, Hasher(HashAlgorithm::kSm3).LeafHash(t.ledger().ReadEntry(2)->bytes()));
  ExpectVerifies(t);
}

}  // namespace
}  // namespace dutyledger
