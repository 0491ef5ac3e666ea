#include "ledger/internal/store.h"

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/slice.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/options_util.h>
#include <rocksdb/write_batch.h>

#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <thread>

namespace dutyledger::internal {
namespace {

rocksdb::Slice S(ByteView b) { return rocksdb::Slice(b.data(), b.size()); }
ByteView V(const rocksdb::Slice& s) { return ByteView(s.data(), s.size()); }

// The one place a RocksDB status becomes a Status.
Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  std::string m = what + ": " + s.ToString();
  if (s.IsNotFound()) return NotFound(m);
  if (s.IsCorruption()) return Corruption(m);
  if (s.IsIOError()) {
    const std::string text = s.ToString();
    // Before the lock test: on read-only media taking the lock fails too ("While lock file: ...
    // Read-only file system"), and that is not another process.
    if (s.IsNoSpace() || text.find("No space") != std::string::npos) {
      return ResourceExhausted(what + ": the disk is full: " + s.ToString());
    }
    if (text.find("Read-only") != std::string::npos ||
        text.find("Permission denied") != std::string::npos) {
      return PermissionDenied(what + ": the data folder cannot be written: " + s.ToString());
    }
    if (text.find("lock") != std::string::npos ||
        text.find("Resource temporarily") != std::string::npos) {
      return Unavailable(what + ": the data folder is locked by another process (a running " +
                         "server or command); stop it or use --server");
    }
    return IOError(m);
  }
  if (s.IsInvalidArgument()) return InvalidArgument(m);
  if (s.IsBusy() || s.IsTryAgain()) return Unavailable(m);
  return IOError(m);
}

const char* const kColumnNames[kColumnCount] = {
    "default", "entries", "merkle", "event_ids", "subjects", "checkpoints", "projections", "keys"};

rocksdb::ColumnFamilyOptions ColumnOptions(Column c, const std::shared_ptr<rocksdb::Cache>& cache,
                                           bool read_only) {
  rocksdb::ColumnFamilyOptions o;
  rocksdb::BlockBasedTableOptions t;
  t.block_cache = cache;
  // A writer keeps index and filter blocks with its table readers (at most max_open_files of
  // them): kept in the shared cache they were evicted by entry blocks and read again,
  // checksummed, per Get. A read-only open opens every table file at once (below), and loading
  // every file's index and filter there cost a one-shot query at 10M events (~500 files) 0.1 s
  // and 100 MB before it read anything; it loads them as it needs them, into the cache, where
  // they are evicted last.
  t.cache_index_and_filter_blocks = read_only;
  t.cache_index_and_filter_blocks_with_high_priority = true;
  t.pin_l0_filter_and_index_blocks_in_cache = read_only;
  if (c == Column::kEventIds || c == Column::kKeys || c == Column::kMerkle ||
      c == Column::kProjections) {
    t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  }
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  // Entries hold signatures and hashes; they barely compress.
  o.compression = c == Column::kProjections || c == Column::kSubjects ? rocksdb::kLZ4Compression
                                                                      : rocksdb::kNoCompression;
  o.write_buffer_size = 32 << 20;
  if (c == Column::kEventIds && !read_only) {
    // Most of a writer's lookups are for new (absent) ids: a memtable Bloom filter answers them
    // without searching the skiplist. A reader looks up ids that exist, and its filter (3 MB,
    // zeroed at open) was 8% of a one-shot query's time.
    o.memtable_whole_key_filtering = true;
    o.memtable_prefix_bloom_size_ratio = 0.1;
  }
  return o;
}

// RocksDB's own log, on stderr instead of <data>/LOG, errors only: RocksDB 7.8's file logger
// aborts the process (an assertion) when it writes again after a failed write, which a full disk
// makes happen, and the store's errors reach the user as Statuses anyway.
class StderrLogger final : public rocksdb::Logger {
 public:
  StderrLogger() : rocksdb::Logger(rocksdb::ERROR_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    char line[1024];
    std::vsnprintf(line, sizeof line, format, ap);
    std::fprintf(stderr, "dutyledger: rocksdb: %s\n", line);
  }
};

}  // namespace

const char* ColumnName(Column c) { return kColumnNames[static_cast<int>(c)]; }

Result<std::unique_ptr<Store>> Store::Open(const std::string& path, const Options& options) {
  std::error_code ec;
  bool exists = std::filesystem::exists(path + "/CURRENT", ec);
  if (options.create && exists) {
    return AlreadyExists(path + ": a ledger already exists here");
  }
  if (!options.create && !exists) {
    return NotFound(path + ": not a dutyledger data folder (no database; run `dutyledger init`)");
  }
  rocksdb::DBOptions db;
  db.create_if_missing = options.create;
  db.create_missing_column_families = options.create;
  db.error_if_exists = options.create;
  db.paranoid_checks = true;
  db.max_background_jobs = 2;
  db.IncreaseParallelism(static_cast<int>(std::max(2u, std::thread::hardware_concurrency())));
  db.keep_log_file_num = 4;
  db.info_log_level = rocksdb::ERROR_LEVEL;
  db.info_log = std::make_shared<StderrLogger>();
  db.max_open_files = 512;
  // Every open, read-only ones too (each CLI query), replays the WAL that memtables have not yet
  // flushed: bound it, or a query after a large write starts with seconds of replay.
  db.max_total_wal_size = 64 << 20;
  // No mmap reads: every page of the log a scan touched counted in the process's resident memory
  // (a query process after a rebuild held ~1.1 GiB), and blocks read through mmap were not cached.
  db.allow_mmap_reads = false;
  auto cache = rocksdb::NewLRUCache(256 << 20);
  std::vector<rocksdb::ColumnFamilyDescriptor> columns;
  for (int i = 0; i < kColumnCount; ++i) {
    columns.emplace_back(kColumnNames[i],
                         ColumnOptions(static_cast<Column>(i), cache, options.read_only));
  }
  auto store = std::unique_ptr<Store>(new Store());
  store->path_ = path;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s;
  if (options.read_only) {
    // Beside a live writer (a server, whose verify query opens the folder this way too), the
    // writer's flushes and compactions delete files: every table file is opened at once, so
    // none can vanish under a read afterwards, and an open that raced with a deletion is tried
    // again with the newer file list. Without this, verify said "corruption" that was not there.
    db.max_open_files = -1;
    // One thread opens them: the default (16 per column family) started ~120 threads for each
    // one-shot query, a third of its time at 1M events, to open files already in the page cache.
    db.max_file_opening_threads = 1;
    for (int attempt = 0; attempt < 8; ++attempt) {
      store->handles_.clear();
      s = rocksdb::DB::OpenForReadOnly(db, path, columns, &store->handles_, &raw);
      if (s.ok() || s.ToString().find("No such file or directory") == std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10 << attempt));
    }
  } else {
    s = rocksdb::DB::Open(db, path, columns, &store->handles_, &raw);
  }
  if (!s.ok()) return FromRocks(s, path + ": cannot open the ledger database");
  store->db_.reset(raw);
  return store;
}

Store::~Store() {
  if (db_) {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
    db_->Close().PermitUncheckedError();
  }
}

rocksdb::ColumnFamilyHandle* Store::handle(Column c) const {
  return handles_[static_cast<size_t>(c)];
}

Result<std::optional<Bytes>> Store::Get(Column c, ByteView key) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handle(c), S(key), &value);
  if (s.IsNotFound()) return std::optional<Bytes>();
  if (!s.ok()) return FromRocks(s, std::string("read from ") + ColumnName(c));
  return std::optional<Bytes>(std::move(value));
}

Result<std::vector<std::optional<Bytes>>> Store::MultiGet(Column c,
                                                          const std::vector<Bytes>& keys) const {
  std::vector<std::optional<Bytes>> out(keys.size());
  RETURN_IF_ERROR(MultiGetEach(c, keys, [&](size_t i, ByteView value) {
    out[i] = Bytes(value);
    return Status::Ok();
  }));
  return out;
}

Status Store::MultiGetEach(Column c, const std::vector<Bytes>& keys,
                           const std::function<Status(size_t, ByteView)>& fn) const {
  std::vector<rocksdb::Slice> slices;
  slices.reserve(keys.size());
  for (const auto& k : keys) slices.emplace_back(k.data(), k.size());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db_->MultiGet(rocksdb::ReadOptions(), handle(c), keys.size(), slices.data(), values.data(),
                statuses.data());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    if (!statuses[i].ok()) return FromRocks(statuses[i], std::string("read from ") + ColumnName(c));
    RETURN_IF_ERROR(fn(i, ByteView(values[i].data(), values[i].size())));
  }
  return Status::Ok();
}

Store::Batch::Batch() : batch_(std::make_unique<rocksdb::WriteBatch>()) {}
Store::Batch::~Batch() = default;
Store::Batch::Batch(Batch&&) noexcept = default;
Store::Batch& Store::Batch::operator=(Batch&&) noexcept = default;
void Store::Batch::Put(Column c, ByteView key, ByteView value) {
  batch_->Put(store_->handle(c), S(key), S(value)).PermitUncheckedError();
}
void Store::Batch::Delete(Column c, ByteView key) {
  batch_->Delete(store_->handle(c), S(key)).PermitUncheckedError();
}
size_t Store::Batch::Count() const { return static_cast<size_t>(batch_->Count()); }

Store::Batch Store::NewBatch() const {
  Batch b;
  b.store_ = this;
  return b;
}

Status Store::Write(Batch& batch, bool sync) {
  rocksdb::WriteOptions w;
  w.sync = sync;
  return FromRocks(db_->Write(w, batch.batch_.get()), "write to the ledger database");
}

Status Store::WriteUnlogged(Batch& batch) {
  rocksdb::WriteOptions w;
  w.disableWAL = true;
  return FromRocks(db_->Write(w, batch.batch_.get()), "write to the ledger database");
}

Store::Iterator::Iterator(rocksdb::Iterator* it) : it_(it) {}
Store::Iterator::~Iterator() = default;
void Store::Iterator::Seek(ByteView key) { it_->Seek(S(key)); }
void Store::Iterator::SeekToFirst() { it_->SeekToFirst(); }
void Store::Iterator::SeekToLast() { it_->SeekToLast(); }
bool Store::Iterator::Valid() const { return it_->Valid(); }
void Store::Iterator::Next() { it_->Next(); }
void Store::Iterator::Prev() { it_->Prev(); }
ByteView Store::Iterator::key() const { return V(it_->key()); }
ByteView Store::Iterator::value() const { return V(it_->value()); }
Status Store::Iterator::status() const { return FromRocks(it_->status(), "iterate"); }

std::unique_ptr<Store::Iterator> Store::NewIterator(Column c, Scan scan) const {
  rocksdb::ReadOptions r;
  if (scan == Scan::kLong) {
    r.readahead_size = 2 << 20;
    // Its blocks are read once: kept in the block cache, they evicted what reads come back to
    // (the rows a rebuild has spilled, the keys), and a rebuild held the cache full of entries.
    r.fill_cache = false;
  }
  return std::unique_ptr<Iterator>(new Iterator(db_->NewIterator(r, handle(c))));
}

Store::TableStats Store::Tables() const {
  std::vector<rocksdb::LiveFileMetaData> files;
  db_->GetLiveFilesMetaData(&files);
  TableStats t;
  for (const auto& f : files) {
    ++t.files;
    t.bytes += f.size;
  }
  return t;
}

uint64_t Store::BlockCacheBytes() const {
  uint64_t bytes = 0;
  db_->GetIntProperty(rocksdb::DB::Properties::kBlockCacheUsage, &bytes);
  return bytes;
}

Status Store::DropColumn(Column c) {
  auto it = NewIterator(c);
  it->SeekToFirst();
  if (!it->Valid()) return it->status();
  std::string first(it->key());
  it->SeekToLast();
  std::string last(it->key());
  rocksdb::WriteOptions w;
  w.sync = true;
  last.push_back('\xff');
  RETURN_IF_ERROR(
      FromRocks(db_->DeleteRange(w, handle(c), S(first), S(last)), "drop projection rows"));
  // DeleteRange's end is exclusive; the last key itself is covered by last + 0xff.
  return Status::Ok();
}

Store::TableFile::TableFile() = default;
Store::TableFile::~TableFile() = default;

Status Store::TableFile::Put(ByteView key, ByteView value) {
  ++rows_;
  return FromRocks(writer_->Put(S(key), S(value)), "write a table file");
}

Status Store::TableFile::Delete(ByteView key) {
  ++rows_;
  return FromRocks(writer_->Delete(S(key)), "write a table file");
}

Status Store::LoadSorted(Column c, const std::function<Status(TableFile&)>& fill) {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::path(path_) / "ingest";
  std::filesystem::create_directories(dir, ec);
  if (ec) return IOError(dir.string() + ": cannot create: " + ec.message());
  std::string file = (dir / (std::string(ColumnName(c)) + ".sst")).string();
  // A crashed rebuild's: unlinked, never written over (it may be a second link to a table file
  // RocksDB already took in, which writing would truncate).
  std::filesystem::remove(file, ec);
  if (ec) return IOError(file + ": cannot remove: " + ec.message());
  rocksdb::Options options(db_->GetDBOptions(), db_->GetOptions(handle(c)));
  TableFile table;
  table.writer_ =
      std::make_unique<rocksdb::SstFileWriter>(rocksdb::EnvOptions(), options, handle(c));
  RETURN_IF_ERROR(FromRocks(table.writer_->Open(file), "create " + file));
  Status filled = fill(table);
  if (filled.ok() && table.rows_ > 0) {
    filled = FromRocks(table.writer_->Finish(), "finish " + file);
    if (filled.ok()) {
      rocksdb::IngestExternalFileOptions ingest;
      ingest.move_files = true;
      filled = FromRocks(db_->IngestExternalFile(handle(c), {file}, ingest),
                         "load " + file + " into the database");
    }
  }
  table.writer_.reset();
  std::filesystem::remove(file, ec);  // moved in (hard-linked) or abandoned
  std::filesystem::remove(dir, ec);   // if empty
  return filled;
}

Status Store::Flush() {
  rocksdb::FlushOptions f;
  return FromRocks(db_->Flush(f, handles_), "flush");
}

Status Store::Compact() {
  for (int i = 0; i < kColumnCount; ++i) RETURN_IF_ERROR(Compact({static_cast<Column>(i)}));
  return Status::Ok();
}

Status Store::Compact(std::initializer_list<Column> columns) {
  // The last level's files too (RocksDB leaves them by default): merged into full-sized files,
  // there are fewer for a read-only open to open (at 10M events, most of a one-shot query).
  rocksdb::CompactRangeOptions o;
  o.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (Column c : columns) {
    rocksdb::Status s = db_->CompactRange(o, handle(c), nullptr, nullptr);
    if (!s.ok()) return FromRocks(s, std::string("compact ") + ColumnName(c));
  }
  return Status::Ok();
}

Bytes SubjectKey(std::string_view subject, uint64_t seq) {
  Bytes k(subject);
  k.push_back('\0');
  PutBigEndian64(&k, seq);
  return k;
}

}  // namespace dutyledger::internal
