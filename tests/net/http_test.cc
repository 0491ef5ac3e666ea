// The HTTP read API: the C2SP checkpoint and tlog-tiles layout (the root recomputed from tiles
// alone), entry bundles, JSON queries, metrics.
#include <gtest/gtest.h>

#include "ledger/checkpoint.h"
#include "net/tiles.h"
#include "tests/net/net_test_util.h"

namespace dutyledger {
namespace {

using testing::HttpGet;

TEST(Tiles, IndexPathsAsTheSpecWritesThem) {
  EXPECT_EQ(net::TileIndexPath(0), "000");
  EXPECT_EQ(net::TileIndexPath(67), "067");
  EXPECT_EQ(net::TileIndexPath(1234067), "x001/x234/067");
  EXPECT_EQ(net::TileIndexPath(1000), "x001/000");
  auto t = net::ParseTilePath("tile/entries/x001/234.p/7");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_TRUE(t->entries);
  EXPECT_EQ(t->index, 1234u);
  EXPECT_EQ(t->width, 7u);
  EXPECT_EQ(t->ToString(), "tile/entries/x001/234.p/7");
  t = net::ParseTilePath("tile/2/x001/x234/067");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->level, 2);
  EXPECT_EQ(t->index, 1234067u);
  EXPECT_EQ(t->width, 256u);
  for (const char* bad :
       {"tile/0/1234", "tile/00/000", "tile/0/000.p/256", "tile/0/000.p/0", "tile/0/000.p/07",
        "tile/64/000", "tile/0/x001", "tile/0/001/002", "tile/0/12", "tiles/0/000"}) {
    EXPECT_FALSE(net::ParseTilePath(bad).ok()) << bad;
  }
}

// RFC 6962 MTH over leaf hashes.
Digest Mth(const Hasher& h, const std::vector<Digest>& leaves, size_t begin, size_t end) {
  if (end - begin == 1) return leaves[begin];
  size_t k = 1;
  while (k * 2 < end - begin) k *= 2;
  return h.NodeHash(Mth(h, leaves, begin, begin + k), Mth(h, leaves, begin + k, end));
}

std::vector<Digest> Hashes(const Bytes& tile) {
  std::vector<Digest> out;
  for (size_t at = 0; at + 32 <= tile.size(); at += 32) {
    out.push_back(*Digest::FromBytes(ByteView(tile).substr(at, 32)));
  }
  return out;
}

class HttpApi : public ::testing::Test {
 protected:
  HttpApi() : s_([](net::ServerOptions& o) { o.http_listen = "127.0.0.1:0"; }) {}
  testing::HttpReply Get(const std::string& path) {
    return HttpGet(s_.server().http_port(), s_.certs().ca, path);
  }
  testing::ServedLedger s_;
};

TEST_F(HttpApi, RootRecomputedFromTilesEqualsTheCheckpoint) {
  // 600 entries: two full level-0 tiles, a partial one of 88, and a partial level-1 tile of 2.
  std::vector<SignedEvent> events;
  for (int i = 1; i < 600; ++i)
    events.push_back(s_.test().Note("e" + std::to_string(i), s_.test().root()));
  s_.test().MustAppend(std::move(events));
  ASSERT_EQ(s_.ledger().size(), 600u);
  ASSERT_TRUE(s_.ledger().SignCheckpoint().ok());

  auto cp = Get("/checkpoint");
  ASSERT_EQ(cp.status, 200) << cp.body;
  EXPECT_NE(cp.headers.find("text/plain; charset=utf-8"), std::string::npos);
  auto note = ParseSignedNote(cp.body);
  ASSERT_TRUE(note.ok());
  auto checkpoint = ParseCheckpointBody(note->body);
  ASSERT_TRUE(checkpoint.ok());
  ASSERT_EQ(checkpoint->size, 600u);

  std::vector<Digest> leaves;
  for (const char* path : {"/tile/0/000", "/tile/0/001", "/tile/0/002.p/88"}) {
    auto tile = Get(path);
    ASSERT_EQ(tile.status, 200) << path << ": " << tile.body;
    EXPECT_NE(tile.headers.find("immutable"), std::string::npos);
    auto hashes = Hashes(tile.body);
    leaves.insert(leaves.end(), hashes.begin(), hashes.end());
  }
  ASSERT_EQ(leaves.size(), 600u);
  const Hasher& h = s_.ledger().hasher();
  EXPECT_EQ(Mth(h, leaves, 0, 600), checkpoint->root);

  // Level 1 holds the roots of the full level-0 tiles.
  auto level1 = Get("/tile/1/000.p/2");
  ASSERT_EQ(level1.status, 200) << level1.body;
  auto upper = Hashes(level1.body);
  ASSERT_EQ(upper.size(), 2u);
  EXPECT_EQ(upper[0], Mth(h, leaves, 0, 256));
  EXPECT_EQ(upper[1], Mth(h, leaves, 256, 512));

  // Entry bundles: uint16 big-endian lengths, entries hashing to the level-0 tile.
  auto bundle = Get("/tile/entries/002.p/88");
  ASSERT_EQ(bundle.status, 200);
  size_t at = 0, n = 0;
  while (at + 2 <= bundle.body.size()) {
    size_t len =
        (static_cast<uint8_t>(bundle.body[at]) << 8) | static_cast<uint8_t>(bundle.body[at + 1]);
    ByteView entry = ByteView(bundle.body).substr(at + 2, len);
    EXPECT_EQ(h.LeafHash(entry), leaves[512 + n]) << "entry " << 512 + n;
    at += 2 + len;
    ++n;
  }
  EXPECT_EQ(n, 88u);
  EXPECT_EQ(at, bundle.body.size());

  // Not yet complete, or not a tile path.
  EXPECT_EQ(Get("/tile/0/002").status, 404);
  EXPECT_EQ(Get("/tile/0/002.p/89").status, 404);
  EXPECT_EQ(Get("/tile/1/000").status, 404);
  EXPECT_EQ(Get("/tile/0/2").status, 400);
}

// A chunked body (RFC 9112 §7.1) joined, or "" with *complete false when it is malformed or cut
// short (no last chunk); *chunks counts the chunks with data.
std::string Dechunk(const std::string& body, bool* complete, int* chunks) {
  std::string out;
  size_t at = 0;
  *complete = false;
  *chunks = 0;
  while (true) {
    size_t eol = body.find("\r\n", at);
    if (eol == std::string::npos) return "";
    size_t size = std::stoul(body.substr(at, eol - at), nullptr, 16);
    at = eol + 2;
    if (size == 0) {
      *complete = body.compare(at, std::string::npos, "\r\n") == 0;
      return out;
    }
    if (at + size + 2 > body.size() || body.compare(at + size, 2, "\r\n") != 0) return "";
    out.append(body, at, size);
    at += size + 2;
    ++*chunks;
  }
}

// A listing over a megabyte goes out chunked as it is produced, the same bytes as the query's;
// a small one as one body with its length.
TEST_F(HttpApi, LargeListingsAreSentChunked) {
  for (int batch = 0; batch < 8; ++batch) {
    std::vector<SignedEvent> notes;
    for (int i = 0; i < 500; ++i) {
      notes.push_back(s_.test().Note(
          "note " + std::to_string(batch * 500 + i) + std::string(200, 'x'), s_.test().root()));
    }
    s_.test().MustAppend(std::move(notes));
  }
  QueryRegistry registry = AllQueries();
  std::string all =
      registry.Run(s_.ledger(), {"show", {{"range", "0.."}, {"json", "true"}}}).output;
  ASSERT_GT(all.size(), size_t{2} << 20);
  auto big = Get("/entries/0..");
  ASSERT_EQ(big.status, 200) << big.headers;
  EXPECT_NE(big.headers.find("Transfer-Encoding: chunked"), std::string::npos) << big.headers;
  EXPECT_NE(big.headers.find("application/x-ndjson"), std::string::npos) << big.headers;
  bool complete = false;
  int chunks = 0;
  std::string joined = Dechunk(big.body, &complete, &chunks);
  EXPECT_TRUE(complete);
  EXPECT_EQ(joined.size(), all.size());
  EXPECT_TRUE(joined == all);
  EXPECT_GE(chunks, 2);  // handed on as produced, a megabyte at a time
  auto small = Get("/entries/1..2");
  ASSERT_EQ(small.status, 200);
  EXPECT_EQ(small.headers.find("chunked"), std::string::npos) << small.headers;
  EXPECT_NE(small.headers.find("Content-Length: " + std::to_string(small.body.size())),
            std::string::npos)
      << small.headers;
}

TEST_F(HttpApi, JsonQueriesAndMetrics) {
  s_.test().MustAppend(
      {s_.test().Note("x", s_.test().root()), s_.test().Note("y", s_.test().root())});
  ASSERT_TRUE(s_.ledger().SignCheckpoint().ok());
  QueryRegistry registry = AllQueries();
  auto entries = Get("/entries/1..2");
  ASSERT_EQ(entries.status, 200) << entries.body;
  EXPECT_EQ(entries.body,
            registry.Run(s_.ledger(), {"show", {{"range", "1..2"}, {"json", "true"}}}).output);
  auto proof = Get("/proof/inclusion?seq=1&size=3");
  ASSERT_EQ(proof.status, 200) << proof.body;
  EXPECT_NE(proof.headers.find("application/json"), std::string::npos);
  EXPECT_EQ(proof.body, registry
                            .Run(s_.ledger(), {"proof-inclusion",
                                               {{"seq", "1"}, {"size", "3"}, {"json", "true"}}})
                            .output);
  auto consistency = Get("/proof/consistency?old=1&new=3");
  EXPECT_EQ(consistency.status, 200) << consistency.body;
  auto query = Get("/query/checkpoint?size=3");
  ASSERT_EQ(query.status, 200);
  EXPECT_EQ(query.body, s_.ledger().CheckpointAt(3)->note.Text());
  auto verify = Get("/query/verify");
  EXPECT_EQ(verify.status, 200) << verify.body;
  EXPECT_EQ(Get("/query/no-such-query").status, 400);
  EXPECT_EQ(Get("/entries/99").status, 422);
  EXPECT_EQ(Get("/nothing-here").status, 404);
  auto metrics = Get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  for (const char* name :
       {"dutyledger_ledger_entries 3", "dutyledger_append_latency_seconds_bucket{le=\"0.001\"}",
        "dutyledger_append_queue_depth 0", "dutyledger_last_verify_ok 1",
        "# TYPE dutyledger_appended_events_total counter",
        "# TYPE dutyledger_event_cache_hits_total counter", "dutyledger_event_cache_bytes 0",
        "# TYPE dutyledger_lapse_memo_hits_total counter", "dutyledger_lapse_memo_bytes 0",
        "dutyledger_lapse_memo_carried_total 0", "dutyledger_lapse_memo_stale_total 0"}) {
    EXPECT_NE(metrics.body.find(name), std::string::npos) << name << "\n" << metrics.body;
  }
}

}  // namespace
}  // namespace dutyledger
