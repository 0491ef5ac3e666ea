// Tampering tests: rows are rewritten through RocksDB itself, as someone with access to the
// files would, and verify must name the first bad entry and the reason.
#include "ledger/verify.h"

#include <gtest/gtest.h>

#include "ledger/internal/store.h"
#include "ledger/ledger.h"
#include "tests/support/test_util.h"

namespace dutyledger {
namespace {

using internal::Column;
using internal::Store;
using testing::TestLedger;

class VerifyTest : public ::testing::Test {
 protected:
  // A ledger of `n` entries (genesis + notes + one bound key), closed, with checkpoints.
  void Build(int notes, uint64_t checkpoint_every = 1000) {
    TestLedger::Config c;
    c.checkpoint_every_entries = checkpoint_every;
    t_ = std::make_unique<TestLedger>(c);
    key_ = testing::NewKey();
    t_->Bind(*key_, "official:k");
    std::vector<SignedEvent> batch;
    for (int i = 0; i < notes; ++i) {
      batch.push_back(t_->Note("note " + std::to_string(i), i % 2 ? *key_ : t_->root()));
      if (batch.size() == 500) t_->MustAppend(std::move(batch)), batch.clear();
    }
    if (!batch.empty()) t_->MustAppend(std::move(batch));
    ASSERT_TRUE(t_->ledger().SignCheckpoint().ok());
    n_ = t_->ledger().size();
    t_->Close();
  }

  std::unique_ptr<Store> OpenStore() {
    auto s = Store::Open(t_->path(), Store::Options{});
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(*s);
  }
  Bytes Get(Store& s, Column c, const Bytes& key) {
    auto v = s.Get(c, key);
    EXPECT_TRUE(v.ok() && *v);
    return v.ok() && *v ? **v : Bytes();
  }
  void Put(Store& s, Column c, const Bytes& key, const Bytes& value) {
    auto b = s.NewBatch();
    b.Put(c, key, value);
    ASSERT_TRUE(s.Write(b, true).ok());
  }
  void Delete(Store& s, Column c, const Bytes& key) {
    auto b = s.NewBatch();
    b.Delete(c, key);
    ASSERT_TRUE(s.Write(b, true).ok());
  }

  VerifyReport Verify(VerifyOptions o = {}) {
    auto r = VerifyLedgerFolder(t_->path(), o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : VerifyReport{};
  }
  void ExpectBad(const VerifyReport& r, uint64_t seq, const std::string& where,
                 const std::string& reason) {
    EXPECT_FALSE(r.ok);
    ASSERT_TRUE(r.sequence.has_value()) << r.Summary();
    EXPECT_EQ(*r.sequence, seq) << r.Summary();
    EXPECT_EQ(r.where, where) << r.Summary();
    EXPECT_NE(r.reason.find(reason), std::string::npos) << r.Summary() << "\nwanted: " << reason;
  }

  std::unique_ptr<TestLedger> t_;
  std::unique_ptr<PrivateKey> key_;
  uint64_t n_ = 0;
};

TEST_F(VerifyTest, IntactLedgerVerifies) {
  Build(100);
  auto r = Verify();
  EXPECT_TRUE(r.ok) << r.Summary();
  EXPECT_EQ(r.entries, n_);
  EXPECT_EQ(r.keys, 2u);
}

TEST_F(VerifyTest, FlippedEntryByte) {
  Build(30);
  // Every byte position of one entry, one at a time: the report always names entry 17.
  auto s = OpenStore();
  Bytes original = Get(*s, Column::kEntries, internal::SequenceKey(17));
  for (size_t i = 0; i < original.size(); i += 7) {
    Bytes tampered = original;
    tampered[i] ^= 0x01;
    Put(*s, Column::kEntries, internal::SequenceKey(17), tampered);
    s.reset();
    auto r = Verify();
    EXPECT_FALSE(r.ok) << "byte " << i;
    ASSERT_TRUE(r.sequence) << r.Summary();
    EXPECT_EQ(*r.sequence, 17u) << "byte " << i << ": " << r.Summary();
    EXPECT_EQ(r.where, "entry 17") << r.Summary();
    s = OpenStore();
  }
  Put(*s, Column::kEntries, internal::SequenceKey(17), original);
  s.reset();
  EXPECT_TRUE(Verify().ok);
}

TEST_F(VerifyTest, FlippedSignatureByteNamesTheSignature) {
  Build(10);
  auto s = OpenStore();
  Bytes e = Get(*s, Column::kEntries, internal::SequenceKey(5));
  auto view = EntryView::Decode(e);
  ASSERT_TRUE(view.ok());
  Bytes sig(view->signature());
  size_t at = e.find(sig);
  ASSERT_NE(at, std::string::npos);
  e[at + 10] ^= 0x20;
  Put(*s, Column::kEntries, internal::SequenceKey(5), e);
  s.reset();
  ExpectBad(Verify(), 5, "entry 5", "signature does not verify");
}

TEST_F(VerifyTest, DeletedEntry) {
  Build(30);
  auto s = OpenStore();
  Delete(*s, Column::kEntries, internal::SequenceKey(12));
  s.reset();
  ExpectBad(Verify(), 12, "entry 12", "missing");
}

TEST_F(VerifyTest, SwappedEntries) {
  Build(30);
  auto s = OpenStore();
  Bytes a = Get(*s, Column::kEntries, internal::SequenceKey(8));
  Bytes b = Get(*s, Column::kEntries, internal::SequenceKey(9));
  Put(*s, Column::kEntries, internal::SequenceKey(8), b);
  Put(*s, Column::kEntries, internal::SequenceKey(9), a);
  s.reset();
  ExpectBad(Verify(), 8, "entry 8", "records sequence 9");
}

// What the views read through (Ledger::ReadEntries, straight from RocksDB's buffers) fails
// closed on the same damage, naming the entry: missing, swapped, not an entry at all.
TEST_F(VerifyTest, ReadingDamagedEntriesFailsNamingThem) {
  Build(30);
  auto s = OpenStore();
  Delete(*s, Column::kEntries, internal::SequenceKey(12));
  Bytes a = Get(*s, Column::kEntries, internal::SequenceKey(8));
  Bytes b = Get(*s, Column::kEntries, internal::SequenceKey(9));
  Put(*s, Column::kEntries, internal::SequenceKey(8), b);
  Put(*s, Column::kEntries, internal::SequenceKey(9), a);
  Put(*s, Column::kEntries, internal::SequenceKey(20), Bytes("not an entry"));
  s.reset();
  SystemClock clock;
  Ledger::Options lo;
  lo.clock = &clock;
  lo.read_only = true;
  auto ledger = Ledger::Open(t_->path(), lo);
  ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
  auto whole = (*ledger)->ReadEntries({3, 4, 5, 21});
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  ASSERT_EQ(whole->size(), 4u);
  EXPECT_EQ((*whole)[0].sequence(), 3u);
  EXPECT_EQ((*whole)[3].sequence(), 21u);
  struct Case {
    std::vector<uint64_t> read;
    StatusCode code;
    std::string says;
  };
  for (const Case& c : {Case{{3, 12, 4}, StatusCode::kCorruption, "entry 12 is missing"},
                        Case{{8}, StatusCode::kIntegrityViolation, "entry 8 records sequence 9"},
                        Case{{5, 20}, StatusCode::kCorruption, "entry 20"}}) {
    auto r = (*ledger)->ReadEntries(c.read);
    ASSERT_FALSE(r.ok()) << c.says;
    EXPECT_EQ(r.status().code(), c.code) << r.status().ToString();
    EXPECT_NE(r.status().ToString().find(c.says), std::string::npos) << r.status().ToString();
  }
}

TEST_F(VerifyTest, TruncatedTail) {
  Build(30);
  auto s = OpenStore();
  // Remove the last two entries and every row that would betray them but the checkpoint:
  // their event-id rows and every tree node that is not complete without them.
  for (uint64_t seq = n_ - 2; seq < n_; ++seq) {
    Bytes e = Get(*s, Column::kEntries, internal::SequenceKey(seq));
    auto body = EventView::Decode(EntryView::Decode(e)->body_bytes());
    Delete(*s, Column::kEventIds,
           Bytes(reinterpret_cast<const char*>(body->body().getEventId().begin()), 16));
    Delete(*s, Column::kEntries, internal::SequenceKey(seq));
  }
  for (uint64_t seq = n_ - 2; seq < n_; ++seq) {
    Delete(*s, Column::kMerkle, internal::SequenceKey(seq));
  }
  s.reset();
  ExpectBad(Verify(), n_ - 2, "entry " + std::to_string(n_ - 2), "truncated tail");
}

TEST_F(VerifyTest, TruncatedTailAgainstATrustedCheckpoint) {
  Build(30);
  // Take the latest checkpoint away too: only a checkpoint kept elsewhere can tell.
  auto s = OpenStore();
  Bytes note_text = Get(*s, Column::kCheckpoints, internal::SequenceKey(n_));
  Delete(*s, Column::kCheckpoints, internal::SequenceKey(n_));
  for (uint64_t seq = n_ - 3; seq < n_; ++seq) {
    Bytes e = Get(*s, Column::kEntries, internal::SequenceKey(seq));
    auto body = EventView::Decode(EntryView::Decode(e)->body_bytes());
    Delete(*s, Column::kEventIds,
           Bytes(reinterpret_cast<const char*>(body->body().getEventId().begin()), 16));
    Delete(*s, Column::kEntries, internal::SequenceKey(seq));
  }
  for (uint64_t seq = n_ - 3; seq < n_; ++seq) {
    Delete(*s, Column::kMerkle, internal::SequenceKey(seq));
  }
  s.reset();
  EXPECT_TRUE(Verify().ok) << "without a trusted checkpoint the cut is invisible locally";
  VerifyOptions o;
  o.trusted_checkpoint = *ParseSignedNote(note_text);
  auto r = Verify(o);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.where, "trusted checkpoint");
  EXPECT_NE(r.reason.find("an older copy restored"), std::string::npos) << r.Summary();
}

TEST_F(VerifyTest, AlteredTreeNode) {
  Build(30);
  auto s = OpenStore();
  // Node (level 2, index 3) covers entries 12..15; it lives in the tree row of entry 15.
  Bytes row = Get(*s, Column::kMerkle, internal::SequenceKey(internal::TreeRowLeaf(2, 3)));
  row[2 * 32] ^= 0xff;
  Put(*s, Column::kMerkle, internal::SequenceKey(15), row);
  s.reset();
  ExpectBad(Verify(), 15, "tree node level 2 index 3", "differs from the hash recomputed");
}

TEST_F(VerifyTest, AlteredLeafHashInTreeRow) {
  Build(30);
  auto s = OpenStore();
  Bytes row = Get(*s, Column::kMerkle, internal::SequenceKey(9));
  row[0] ^= 0x01;
  Put(*s, Column::kMerkle, internal::SequenceKey(9), row);
  s.reset();
  ExpectBad(Verify(), 9, "entry 9", "differs from the stored tree row");
}

TEST_F(VerifyTest, AlteredHighTreeNode) {
  Build(8200);  // levels above the verifier's 4096-entry chunks
  auto s = OpenStore();
  Bytes row = Get(*s, Column::kMerkle, internal::SequenceKey(8191));  // node (13, 0): 0..8191
  row[13 * 32 + 3] ^= 0x10;
  Put(*s, Column::kMerkle, internal::SequenceKey(8191), row);
  s.reset();
  ExpectBad(Verify(), 8191, "tree node level 13 index 0", "differs from the recomputed");
}

TEST_F(VerifyTest, AlteredIndexRow) {
  Build(30);
  auto s = OpenStore();
  Bytes e = Get(*s, Column::kEntries, internal::SequenceKey(20));
  auto body = EventView::Decode(EntryView::Decode(e)->body_bytes());
  Bytes id(reinterpret_cast<const char*>(body->body().getEventId().begin()), 16);
  Put(*s, Column::kEventIds, id, internal::SequenceKey(3));
  s.reset();
  ExpectBad(Verify(), 20, "entry 20", "event-id index row for its event id points at entry 3");
}

TEST_F(VerifyTest, AddedIndexRow) {
  Build(30);
  auto s = OpenStore();
  Put(*s, Column::kEventIds, Bytes(16, '\x42'), internal::SequenceKey(4));
  s.reset();
  auto r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.where, "event-id index");
  EXPECT_NE(r.reason.find("added row"), std::string::npos) << r.Summary();
}

TEST_F(VerifyTest, AlteredKeyRow) {
  Build(10);
  auto s = OpenStore();
  // Claim the bound key was never revoked... by pointing its row at another principal.
  auto other = testing::NewKey();
  Bytes row = Get(*s, Column::kKeys, key_->public_key().id().bytes());
  Bytes tampered = row;
  size_t at = tampered.find("official:k");
  ASSERT_NE(at, std::string::npos);
  tampered[at + 9] = 'x';
  Put(*s, Column::kKeys, key_->public_key().id().bytes(), tampered);
  s.reset();
  auto r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.where, "key table");
  EXPECT_NE(r.reason.find("does not match the key events"), std::string::npos) << r.Summary();
}

TEST_F(VerifyTest, FlippedCheckpointSignature) {
  Build(10);
  auto s = OpenStore();
  Bytes note = Get(*s, Column::kCheckpoints, internal::SequenceKey(n_));
  note[note.size() - 4] = note[note.size() - 4] == 'A' ? 'B' : 'A';
  Put(*s, Column::kCheckpoints, internal::SequenceKey(n_), note);
  s.reset();
  auto r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.where, "checkpoint " + std::to_string(n_));
  EXPECT_NE(r.reason.find("does not verify"), std::string::npos) << r.Summary();
}

TEST_F(VerifyTest, ParallelAndSingleThreadedAgree) {
  Build(5000);
  auto s = OpenStore();
  Delete(*s, Column::kEntries, internal::SequenceKey(4500));
  Bytes e = Get(*s, Column::kEntries, internal::SequenceKey(4200));
  e[e.size() - 20] ^= 1;
  Put(*s, Column::kEntries, internal::SequenceKey(4200), e);
  s.reset();
  for (int threads : {1, 2, 4}) {
    VerifyOptions o;
    o.threads = threads;
    auto r = Verify(o);
    ExpectBad(r, 4200, "entry 4200", "");
  }
}

}  // namespace
}  // namespace dutyledger
