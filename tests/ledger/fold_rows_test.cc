// FoldRows, the rebuild's in-memory projection rows: reads see exactly what the fold wrote,
// before and after the rows are spilled to the store, and deletions hide spilled rows.
#include "ledger/internal/fold_rows.h"

#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace dutyledger {
namespace {

using internal::Column;
using internal::FoldRows;
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

}  // namespace
}  // namespace dutyledger
