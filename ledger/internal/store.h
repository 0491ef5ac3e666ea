// The RocksDB store: column families, reads, atomic batches, iterators. Internal to ledger/.
//
// This is the one place RocksDB statuses become Status. Thread-safe (RocksDB is); a Store is
// opened once per process per folder (RocksDB's LOCK file refuses a second writer).
#ifndef DUTYLEDGER_LEDGER_INTERNAL_STORE_H_
#define DUTYLEDGER_LEDGER_INTERNAL_STORE_H_

#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/status.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Iterator;
class SstFileWriter;
class WriteBatch;
}  // namespace rocksdb

namespace dutyledger::internal {

// The column families of DESIGN.md "Storage and the write path". Keys and values are described
// in ledger/FORMAT.md, "Storage".
enum class Column {
  kMeta = 0,     // "default": format version
  kEntries,      // 8-byte BE sequence -> canonical Entry bytes
  kMerkle,       // 8-byte BE leaf index -> the perfect-node hashes that leaf completes
  kEventIds,     // 16-byte event id -> 8-byte BE sequence
  kSubjects,     // subject text || 0x00 || 8-byte BE sequence -> empty
  kCheckpoints,  // 8-byte BE tree size -> signed note text (and cosignatures)
  kProjections,  // projection tables (keys defined by projections/)
  kKeys,         // 32-byte key id -> KeyRecord (state.capnp)
};
inline constexpr int kColumnCount = 8;
const char* ColumnName(Column c);

class Store {
 public:
  struct Options {
    bool create = false;     // create the folder's database (it must not exist)
    bool read_only = false;  // open without taking the writer's lock
  };
  static Result<std::unique_ptr<Store>> Open(const std::string& path, const Options& options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  Result<std::optional<Bytes>> Get(Column c, ByteView key) const;
  // Reads many keys of one column in one call (RocksDB batches the lookups).
  Result<std::vector<std::optional<Bytes>>> MultiGet(Column c,
                                                     const std::vector<Bytes>& keys) const;
  // The same, handing each value found to `fn(index of its key, value)` without copying it
  // (the bytes are valid during the call only); keys not found are skipped. The first error
  // (RocksDB's or fn's) ends it.
  Status MultiGetEach(Column c, const std::vector<Bytes>& keys,
                      const std::function<Status(size_t, ByteView)>& fn) const;

  class Batch {
   public:
    Batch();
    ~Batch();
    Batch(Batch&&) noexcept;
    Batch& operator=(Batch&&) noexcept;
    void Put(Column c, ByteView key, ByteView value);
    void Delete(Column c, ByteView key);
    size_t Count() const;

   private:
    friend class Store;
    std::unique_ptr<rocksdb::WriteBatch> batch_;
    const Store* store_ = nullptr;
  };
  Batch NewBatch() const;
  // Atomic. With sync, the WAL is fsynced before this returns.
  Status Write(Batch& batch, bool sync);
  // Without the WAL: lost if the process dies before a Flush. Only for writes that a durable
  // mark already covers (a projection rebuild, redone after a crash).
  Status WriteUnlogged(Batch& batch);

  class Iterator {
   public:
    ~Iterator();
    void Seek(ByteView key);
    void SeekToFirst();
    void SeekToLast();
    bool Valid() const;
    void Next();
    void Prev();
    ByteView key() const;
    ByteView value() const;
    Status status() const;

   private:
    friend class Store;
    explicit Iterator(rocksdb::Iterator* it);
    std::unique_ptr<rocksdb::Iterator> it_;
  };
  // How far an iterator will go: a long scan (verify, rebuild, a table's digest) reads ahead
  // 2 MiB at a time and leaves the block cache alone; a short one (a prefix, a stream) reads only
  // the blocks it needs, or every seek would copy megabytes.
  enum class Scan { kShort, kLong };
  // Iterates a consistent snapshot of one column.
  std::unique_ptr<Iterator> NewIterator(Column c, Scan scan = Scan::kShort) const;

  // Drops every row of a column (used by projection rebuild). Not atomic with other writes.
  Status DropColumn(Column c);

  // A table file of one column being written for LoadSorted: rows in strictly increasing key
  // order (RocksDB's SstFileWriter refuses anything else).
  class TableFile {
   public:
    ~TableFile();
    Status Put(ByteView key, ByteView value);
    Status Delete(ByteView key);

   private:
    friend class Store;
    TableFile();
    std::unique_ptr<rocksdb::SstFileWriter> writer_;
    uint64_t rows_ = 0;
  };
  // Loads many rows into a column at once: `fill` writes them in key order into a table file
  // beside the database (<path>/ingest/), which RocksDB then moves in whole, atomically, newer
  // than every row already there (RocksDB's external file ingestion). Far cheaper than batches
  // for a bulk load: no memtable, no flush, no compaction of the same rows. For the projection
  // rebuild, whose durable mark covers a crash before it is done.
  Status LoadSorted(Column c, const std::function<Status(TableFile&)>& fill);

  Status Flush();
  // Rewrites every column (or those given) into its last level, with the table options in
  // force (a full compaction). Reads are consistent throughout; writes may go on.
  Status Compact();
  Status Compact(std::initializer_list<Column> columns);
  const std::string& path() const { return path_; }
  // The live table files of every column: how many, and their bytes.
  struct TableStats {
    uint64_t files = 0, bytes = 0;
  };
  TableStats Tables() const;
  // Bytes held in the block cache (shared by every column).
  uint64_t BlockCacheBytes() const;

 private:
  Store() = default;
  rocksdb::ColumnFamilyHandle* handle(Column c) const;
  std::string path_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

// Key helpers (FORMAT.md "Storage").
inline Bytes SequenceKey(uint64_t seq) { return BigEndian64(seq); }
// Tree rows: the row of leaf i holds the hashes of every perfect node that leaf i completes,
// level 0 (the leaf hash) first: 32 * (1 + trailing one bits of i) bytes. Node (level, index)
// is in the row of leaf TreeRowLeaf(level, index), at byte offset 32 * level.
inline uint64_t TreeRowLeaf(int level, uint64_t index) { return ((index + 1) << level) - 1; }
inline size_t TreeRowHashes(uint64_t leaf) {
  return 1 + static_cast<size_t>(__builtin_ctzll(~leaf));
}
Bytes SubjectKey(std::string_view subject, uint64_t seq);

}  // namespace dutyledger::internal

#endif  // DUTYLEDGER_LEDGER_INTERNAL_STORE_H_
