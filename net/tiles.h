// The C2SP tlog-tiles layout (c2sp.org/tlog-tiles) over a Ledger: paths, and the bytes of tiles
// and entry bundles. Level-l tile n holds, for i in 0..255, MTH(D[(n*256+i)*256^l :
// (n*256+i+1)*256^l]); a partial tile (".p/<W>", W in 1..255) holds the first W of them; an entry
// bundle holds the canonical Entry bytes of the level-0 tile's leaves, each behind a big-endian
// uint16 length. Note: the spec fixes SHA-256; a ledger created with SM3 serves SM3 tiles.
//
// Stateless and thread-safe.
#ifndef DUTYLEDGER_NET_TILES_H_
#define DUTYLEDGER_NET_TILES_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/ledger.h"

namespace dutyledger::net {

inline constexpr uint32_t kTileWidth = 256;

struct TilePath {
  bool entries = false;  // tile/entries/...: an entry bundle
  int level = 0;         // 0..63 (0 for entry bundles)
  uint64_t index = 0;
  uint32_t width = kTileWidth;  // kTileWidth: a full tile

  // "tile/<L>/<N>[.p/<W>]" or "tile/entries/<N>[.p/<W>]".
  std::string ToString() const;
};

// "1234067" -> "x001/x234/067".
std::string TileIndexPath(uint64_t index);

// Parses a path after the prefix ("tile/0/x001/234.p/7"). kInvalidArgument for anything the spec
// does not allow (leading zeros in L or W, missing 'x', W of 0 or 256, more than 63 levels).
Result<TilePath> ParseTilePath(std::string_view path);

// The bytes of the tile or bundle. kNotFound while the tree does not cover it.
Result<Bytes> ReadTile(const Ledger& ledger, const TilePath& tile);

}  // namespace dutyledger::net

#endif  // DUTYLEDGER_NET_TILES_H_
