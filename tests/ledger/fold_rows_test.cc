// FoldRows, the rebuild's in-memory projection rows: reads see exactly what the fold wrote,
// before and after the rows are spilled to the store, and deletions hide spilled rows.
// FoldSubjects, its subject-index rows: in the store in key order, however they were spilled.
#include "ledger/internal/fold_rows.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>

#include "tests/support/test_util.h"

namespace dutyledger {
namespace {

using internal::Column;
using internal::FoldRows;
using internal::FoldSubjects;
using internal::Store;

std::vector<std::pair<std::string, std::string>> ScanAll(const FoldRows& rows, ByteView prefix) {
  std::vector<std::pair<std::string, std::string>> out;
  Status s = rows.Scan(prefix, [&](ByteView k, ByteView v) {
    out.emplace_back(std::string(k), std::string(v));
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

std::optional<Bytes> StoreGet(const Store& store, ByteView key) {
  auto r = store.Get(Column::kProjections, key);
  EXPECT_TRUE(r.ok());
  return *r;
}

using Rows = std::vector<std::pair<std::string, std::string>>;

TEST(FoldRows, ReadsWhatItWroteWithoutTouchingTheStore) {
  testing::TempDir dir;
  auto store = Store::Open(dir.Sub("db"), Store::Options{.create = true});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  FoldRows rows(store->get(), Column::kProjections, 1 << 20);
  const std::string a("t\0a", 3), b("t\0b", 3), other("u\0a", 3);
  rows.Delete(a);  // never written: nothing to hide
  rows.Put(a, "1");
  rows.Put(b, "2");
  rows.Put(other, "9");
  rows.Delete(a);
  EXPECT_FALSE(*rows.Get(a));
  EXPECT_EQ(**rows.Get(b), "2");
  EXPECT_EQ(ScanAll(rows, std::string("t\0", 2)), (Rows{{b, "2"}}));
  ASSERT_TRUE(rows.MaybeSpill(false).ok());  // under budget: stays in memory
  EXPECT_FALSE(StoreGet(**store, b));
}

TEST(FoldRows, SpilledRowsMergeWithNewerOnesAndDeletionsHideThem) {
  testing::TempDir dir;
  auto store = Store::Open(dir.Sub("db"), Store::Options{.create = true});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  FoldRows rows(store->get(), Column::kProjections, /*budget_bytes=*/1);
  const std::string a("t\0a", 3), b("t\0b", 3), c("t\0c", 3), d("t\0d", 3);
  rows.Put(a, "1");
  rows.Put(c, "3");
  ASSERT_TRUE(rows.MaybeSpill(false).ok());  // over budget: written to the store
  EXPECT_EQ(*StoreGet(**store, a), "1");
  EXPECT_EQ(**rows.Get(a), "1");  // read back from the store

  rows.Put(b, "2");
  rows.Put(c, "3b");  // newer than the stored row
  rows.Delete(a);     // hides the stored row
  rows.Put(d, "4");
  EXPECT_FALSE(*rows.Get(a));
  EXPECT_EQ(**rows.Get(c), "3b");
  EXPECT_EQ(ScanAll(rows, std::string("t\0", 2)), (Rows{{b, "2"}, {c, "3b"}, {d, "4"}}));

  ASSERT_TRUE(rows.MaybeSpill(true).ok());
  EXPECT_FALSE(StoreGet(**store, a));
  EXPECT_EQ(*StoreGet(**store, c), "3b");
  EXPECT_EQ(ScanAll(rows, std::string("t\0", 2)), (Rows{{b, "2"}, {c, "3b"}, {d, "4"}}));
}

// After a spill, a row a miss finds in the store is held (an absence is not), and what was read
// between two spills is held across the second: each such row is read from the store once.
TEST(FoldRows, HoldsWhatItReadBackAcrossSpills) {
  testing::TempDir dir;
  auto store = Store::Open(dir.Sub("db"), Store::Options{.create = true});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  // ~13 rows of 140 bytes (their overhead counted): a quarter of it holds three.
  FoldRows rows(store->get(), Column::kProjections, /*budget_bytes=*/1800);
  auto fill = [&](char table, int n) {
    for (int i = 0; i < n; ++i) rows.Put(std::string{table, '\0', static_cast<char>('a' + i)}, "v");
  };
  const std::string a("t\0a", 3), b("t\0b", 3), missing("t\0~", 3);
  fill('t', 14);
  ASSERT_TRUE(rows.MaybeSpill(false).ok());  // over budget: all written, none read, none held
  EXPECT_EQ(StoreGet(**store, a), Bytes("v"));
  EXPECT_EQ(*rows.Get(a), Bytes("v"));
  EXPECT_EQ(*rows.Get(b), Bytes("v"));
  EXPECT_FALSE(*rows.Get(missing));
  EXPECT_EQ(rows.store_reads(), 3u);
  EXPECT_EQ(*rows.Get(a), Bytes("v"));
  EXPECT_EQ(*rows.Get(b), Bytes("v"));
  EXPECT_EQ(rows.store_reads(), 3u);  // both held
  EXPECT_FALSE(*rows.Get(missing));
  EXPECT_EQ(rows.store_reads(), 4u);  // an absence is not

  rows.Put(a, "w");  // a held row changed: written at the next spill
  fill('u', 14);
  ASSERT_TRUE(rows.MaybeSpill(false).ok());
  EXPECT_EQ(StoreGet(**store, a), Bytes("w"));
  EXPECT_EQ(*rows.Get(a), Bytes("w"));
  EXPECT_EQ(*rows.Get(b), Bytes("v"));
  EXPECT_EQ(rows.store_reads(), 4u);  // read since the last spill: still held
  EXPECT_EQ(*rows.Get(std::string("u\0b", 3)), Bytes("v"));
  EXPECT_EQ(rows.store_reads(), 5u);  // written, never read: not held

  // A held row deleted, a new one written: the store has both after the last spill.
  rows.Delete(a);
  rows.Put(missing, "x");
  EXPECT_FALSE(*rows.Get(a));
  EXPECT_EQ(*rows.Get(missing), Bytes("x"));
  ASSERT_TRUE(rows.MaybeSpill(true).ok());
  EXPECT_FALSE(StoreGet(**store, a));
  EXPECT_EQ(StoreGet(**store, missing), Bytes("x"));
  EXPECT_FALSE(*rows.Get(a));
  EXPECT_EQ(*rows.Get(missing), Bytes("x"));
}

Rows StoreRows(const Store& store, Column c) {
  Rows out;
  auto it = store.NewIterator(c);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    out.emplace_back(std::string(it->key()), std::string(it->value()));
  }
  EXPECT_TRUE(it->status().ok());
  return out;
}

// Random puts, deletions and spills over a few hundred keys that share long prefixes, as the
// fold's do, checked at every step against a plain map of what the fold wrote: point reads,
// prefix scans, and the store once everything is spilled.
TEST(FoldRows, AgreesWithAPlainMapUnderRandomWritesAndSpills) {
  testing::TempDir dir;
  auto store = Store::Open(dir.Sub("db"), Store::Options{.create = true});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  // A budget of ~40 rows: the run spills many times, and reads and scans cross the store.
  FoldRows rows(store->get(), Column::kProjections, /*budget_bytes=*/40 * 200);
  std::map<std::string, std::string> model;
  std::mt19937 rng(20261207);
  auto key = [&] {
    std::string table = std::string(1, static_cast<char>('a' + rng() % 3));
    // Some short keys (held inside the string), most longer than that.
    std::string id = rng() % 4 == 0 ? std::to_string(rng() % 10)
                                    : "enterprise-record-" + std::to_string(rng() % 100);
    return table + std::string(1, '\0') + id;
  };
  for (int step = 0; step < 5000; ++step) {
    std::string k = key();
    switch (rng() % 8) {
      case 0:
      case 1:
        rows.Delete(k);
        model.erase(k);
        break;
      case 2:
        if (Status s = rows.MaybeSpill(false); !s.ok()) FAIL() << s.ToString();
        break;
      default: {
        std::string v = "v" + std::to_string(step);
        rows.Put(k, v);
        model[k] = v;
      }
    }
    auto got = rows.Get(k);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    auto want = model.find(k);
    ASSERT_EQ(got->has_value(), want != model.end()) << "step " << step;
    if (*got) {
      ASSERT_EQ(**got, want->second) << "step " << step;
    }
    if (step % 97 == 0) {
      std::string prefix = k.substr(0, 2);
      Rows expected;
      for (auto it = model.lower_bound(prefix); it != model.end() && it->first.starts_with(prefix);
           ++it) {
        expected.emplace_back(it->first, it->second);
      }
      ASSERT_EQ(ScanAll(rows, prefix), expected) << "step " << step;
    }
  }
  // The budget was crossed: rows reached the store before the last spill, and reads went there.
  EXPECT_FALSE(StoreRows(**store, Column::kProjections).empty());
  EXPECT_GT(rows.store_reads(), 0u);
  ASSERT_TRUE(rows.MaybeSpill(true).ok());
  Rows expected(model.begin(), model.end());
  EXPECT_EQ(ScanAll(rows, ""), expected);
  EXPECT_EQ(StoreRows(**store, Column::kProjections), expected);
}

TEST(FoldSubjects, RowsReachTheStoreInKeyOrderAcrossSpills) {
  testing::TempDir dir;
  auto store = Store::Open(dir.Sub("db"), Store::Options{.create = true});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  // A subject that is a prefix of another ("enterprise:E1" of "enterprise:E10") sorts first:
  // the key is the text, then 0x00, then the sequence.
  const std::string e1 = "enterprise:E1", e10 = "enterprise:E10", park = "park:p1";
  Rows expected;
  {
    FoldSubjects subjects(store->get(), /*budget_bytes=*/1 << 20);
    subjects.Add(park, 0x0102, "v0");
    subjects.Add(e10, 0x0102, "v0");
    subjects.Add(e1, 0x0203, "v1");
    subjects.Add(park, 0x0203, "v1");
    ASSERT_TRUE(subjects.MaybeSpill(false).ok());  // under budget: nothing written yet
    EXPECT_TRUE(StoreRows(**store, Column::kSubjects).empty());
    subjects.Add(e1, 0x10000, std::string(FoldSubjects::kMaxValue, 'x'));
    ASSERT_TRUE(subjects.MaybeSpill(true).ok());
    expected = {{internal::SubjectKey(e1, 0x0203), "v1"},
                {internal::SubjectKey(e1, 0x10000), std::string(FoldSubjects::kMaxValue, 'x')},
                {internal::SubjectKey(e10, 0x0102), "v0"},
                {internal::SubjectKey(park, 0x0102), "v0"},
                {internal::SubjectKey(park, 0x0203), "v1"}};
    EXPECT_EQ(StoreRows(**store, Column::kSubjects), expected);
  }
  // Over budget, every chunk spills on its own; later rows interleave with the stored ones.
  FoldSubjects subjects(store->get(), /*budget_bytes=*/1);
  subjects.Add(e10, 0x20000, "v2");
  subjects.Add(park, 0x20000, "v2");
  ASSERT_TRUE(subjects.MaybeSpill(false).ok());
  subjects.Add(e1, 0x30000, "v3");
  ASSERT_TRUE(subjects.MaybeSpill(false).ok());
  ASSERT_TRUE(subjects.MaybeSpill(true).ok());  // nothing left: no empty table file
  expected.insert(expected.begin() + 2, {internal::SubjectKey(e1, 0x30000), "v3"});
  expected.insert(expected.begin() + 4, {internal::SubjectKey(e10, 0x20000), "v2"});
  expected.push_back({internal::SubjectKey(park, 0x20000), "v2"});
  EXPECT_EQ(StoreRows(**store, Column::kSubjects), expected);
  // The table files were moved in: nothing is left beside the database.
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("db") + "/ingest"));
}

// A crashed rebuild can leave its table file in ingest/, possibly as a second link to a file
// RocksDB already took in: the next load unlinks it and writes a new file, never through it.
TEST(FoldSubjects, LeftoverTableFileIsUnlinkedNotWrittenThrough) {
  testing::TempDir dir;
  auto store = Store::Open(dir.Sub("db"), Store::Options{.create = true});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const std::string live = dir.Sub("live.sst");
  { std::ofstream(live) << "a table file the database holds"; }
  std::filesystem::create_directories(dir.Sub("db") + "/ingest");
  std::filesystem::create_hard_link(live, dir.Sub("db") + "/ingest/subjects.sst");
  FoldSubjects subjects(store->get(), 1 << 20);
  subjects.Add("enterprise:E1", 7, "v");
  ASSERT_TRUE(subjects.MaybeSpill(true).ok());
  EXPECT_EQ(StoreRows(**store, Column::kSubjects),
            (Rows{{internal::SubjectKey("enterprise:E1", 7), "v"}}));
  std::ifstream in(live);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "a table file the database holds");
}

}  // namespace
}  // namespace dutyledger
