#include "net/tiles.h"

#include <charconv>
#include <vector>

namespace dutyledger::net {
namespace {

bool ParseDecimal(std::string_view s, uint64_t* out) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    parts.push_back(path.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) return parts;
    start = slash + 1;
  }
}

}  // namespace

std::string TileIndexPath(uint64_t index) {
  std::vector<std::string> groups;
  do {
    char buf[4];
    std::snprintf(buf, sizeof buf, "%03u", static_cast<unsigned>(index % 1000));
    groups.insert(groups.begin(), buf);
    index /= 1000;
  } while (index > 0);
  std::string out;
  for (size_t i = 0; i < groups.size(); ++i) {
    if (i + 1 < groups.size()) {
      out += "x" + groups[i] + "/";
    } else {
      out += groups[i];
    }
  }
  return out;
}

std::string TilePath::ToString() const {
  std::string out = entries ? "tile/entries/" : "tile/" + std::to_string(level) + "/";
  out += TileIndexPath(index);
  if (width != kTileWidth) out += ".p/" + std::to_string(width);
  return out;
}

Result<TilePath> ParseTilePath(std::string_view path) {
  auto bad = [&](const std::string& why) {
    return InvalidArgument("not a tile path '" + std::string(path) + "': " + why);
  };
  std::vector<std::string_view> parts = Split(path);
  if (parts.size() < 3 || parts[0] != "tile") return bad("expected tile/<L>/<N>");
  TilePath tile;
  size_t at = 2;
  if (parts[1] == "entries") {
    tile.entries = true;
  } else {
    uint64_t level;
    if (!ParseDecimal(parts[1], &level) || level > 63) return bad("level must be 0..63");
    tile.level = static_cast<int>(level);
  }
  // Index elements: "xNNN"/... then "NNN" (or "NNN.p" followed by "<W>").
  uint64_t index = 0;
  bool last = false;
  for (; at < parts.size() && !last; ++at) {
    std::string_view e = parts[at];
    bool x = !e.empty() && e[0] == 'x';
    if (x) {
      e.remove_prefix(1);
    } else {
      last = true;
      if (e.size() > 2 && e.substr(e.size() - 2) == ".p") {
        e.remove_suffix(2);
        tile.width = 0;  // a width follows
      }
    }
    if (e.size() != 3 || e.find_first_not_of("0123456789") != std::string_view::npos) {
      return bad("index elements are 3 digits");
    }
    if (index > (UINT64_MAX - 999) / 1000) return bad("index too large");
    index = index * 1000 + static_cast<uint64_t>(std::stoul(std::string(e)));
  }
  if (!last) return bad("the index's last element has no 'x'");
  tile.index = index;
  if (tile.width == 0) {
    uint64_t w;
    if (at + 1 != parts.size() || !ParseDecimal(parts[at], &w) || w == 0 || w >= kTileWidth) {
      return bad("a partial tile's width is 1..255");
    }
    tile.width = static_cast<uint32_t>(w);
  } else if (at != parts.size()) {
    return bad("unexpected elements after the index");
  }
  return tile;
}

Result<Bytes> ReadTile(const Ledger& ledger, const TilePath& tile) {
  uint64_t first = tile.index * kTileWidth;
  if (tile.index > (UINT64_MAX / kTileWidth)) return NotFound("no such tile");
  if (tile.entries) {
    uint64_t end = first + tile.width;
    if (end > ledger.size()) return NotFound(tile.ToString() + " is not complete yet");
    Bytes out;
    Status s = ledger.ForEachEntry(first, end, [&](const EntryView& e) {
      ByteView b = e.bytes();
      out.push_back(static_cast<char>((b.size() >> 8) & 0xff));
      out.push_back(static_cast<char>(b.size() & 0xff));
      out.append(b);
      return true;
    });
    RETURN_IF_ERROR(s);
    return out;
  }
  int level = tile.level * 8;
  if (level > 63) return NotFound(tile.ToString() + " is beyond any tree");
  ASSIGN_OR_RETURN(std::vector<Digest> nodes, ledger.PerfectNodes(level, first, tile.width));
  Bytes out;
  out.reserve(nodes.size() * Digest::kSize);
  for (const Digest& d : nodes) out.append(d.view());
  return out;
}

}  // namespace dutyledger::net
