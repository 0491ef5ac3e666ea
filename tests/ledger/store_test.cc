// Store: what the RocksDB seam promises beyond reads and writes. A long scan (rebuild, verify, a
// table's digest) must not fill the block cache with blocks it reads once: on a 10M-event ledger
// a rebuild held the whole 256 MiB cache in entries.
#include "ledger/internal/store.h"

#include <gtest/gtest.h>

#include "ledger/bytes.h"
#include "tests/support/test_util.h"

namespace dutyledger {
namespace {

using internal::Column;
using internal::Store;

// Reads every row of the entries column with `scan`; returns the rows seen.
uint64_t ScanEntries(const Store& store, Store::Scan scan) {
  auto it = store.NewIterator(Column::kEntries, scan);
  uint64_t rows = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++rows;
  EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  return rows;
}

TEST(Store, LongScansLeaveTheBlockCacheAloneShortOnesFillIt) {
  testing::TempDir dir;
  auto opened = Store::Open(dir.Sub("db"), Store::Options{.create = true});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Store& store = **opened;
  // 8 MiB of rows in table files (not the memtable, which the cache does not hold).
  constexpr uint64_t kRows = 8192;
  const std::string value(1024, 'x');
  Status s = store.LoadSorted(Column::kEntries, [&](Store::TableFile& file) -> Status {
    for (uint64_t i = 0; i < kRows; ++i) {
      RETURN_IF_ERROR(file.Put(internal::SequenceKey(i), value));
    }
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  const uint64_t before = store.BlockCacheBytes();

  EXPECT_EQ(ScanEntries(store, Store::Scan::kLong), kRows);
  EXPECT_LT(store.BlockCacheBytes(), before + (256 << 10)) << "a long scan filled the cache";

  // The same rows read by a short scan are cached: the measure above can see a cache fill.
  EXPECT_EQ(ScanEntries(store, Store::Scan::kShort), kRows);
  EXPECT_GT(store.BlockCacheBytes(), before + (4 << 20));
}

}  // namespace
}  // namespace dutyledger
