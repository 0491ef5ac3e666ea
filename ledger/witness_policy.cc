#include "ledger/witness_policy.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "ledger/witness.h"

namespace dutyledger {
namespace {

std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

}  // namespace

Result<WitnessPolicy> WitnessPolicy::Parse(std::string_view text) {
  WitnessPolicy p;
  std::map<std::string, size_t, std::less<>> defined;  // witness and group names
  bool quorum_seen = false;
  size_t pos = 0;
  int n = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++n;
    auto bad = [&](const std::string& why) {
      return InvalidArgument("line " + std::to_string(n) + ": " + why);
    };
    for (unsigned char c : line) {
      if ((c < 0x20 && c != '\t') || c == 0x7f) return bad("control character");
    }
    auto f = Fields(line);
    if (f.empty() || f[0][0] == '#') continue;
    if (f[0] == "log") {
      if (f.size() < 2 || f.size() > 3) return bad("expected 'log <vkey> [url]'");
      auto key = ParseVerifierKey(f[1]);
      if (!key.ok()) return bad(key.status().message());
      if (key->role != NoteKeyRole::kLog) return bad("a log needs a log key (type 0x01 or SM2)");
      for (const auto& l : p.logs_) {
        if (l.key == key->key) return bad("duplicate log key");
      }
      p.logs_.push_back(*key);
    } else if (f[0] == "witness") {
      if (f.size() < 3 || f.size() > 4) return bad("expected 'witness <name> <vkey> [url]'");
      std::string name(f[1]);
      if (name == "none" || defined.count(name)) return bad("name '" + name + "' already used");
      auto key = ParseVerifierKey(f[2]);
      if (!key.ok()) return bad(key.status().message());
      if (key->role != NoteKeyRole::kCosigner) {
        return bad("witness " + name + " needs a cosigner key (type 0x04 or SM2 cosignature)");
      }
      for (const auto& w : p.witnesses_) {
        if (w.key.key == key->key) return bad("duplicate witness key (also " + w.name + ")");
      }
      defined[name] = 0;
      p.witnesses_.push_back(Witness{name, *key});
    } else if (f[0] == "group") {
      if (f.size() < 4) return bad("expected 'group <name> all|any|<k> <member>...'");
      std::string name(f[1]);
      if (name == "none" || defined.count(name)) return bad("name '" + name + "' already used");
      Group g;
      g.name = name;
      for (size_t i = 3; i < f.size(); ++i) {
        std::string m(f[i]);
        if (!defined.count(m)) return bad("member '" + m + "' is not defined on an earlier line");
        if (std::find(g.members.begin(), g.members.end(), m) != g.members.end()) {
          return bad("member '" + m + "' listed twice");
        }
        g.members.push_back(m);
      }
      if (f[2] == "all") {
        g.threshold = g.members.size();
      } else if (f[2] == "any") {
        g.threshold = 1;
      } else {
        auto [ptr, ec] = std::from_chars(f[2].data(), f[2].data() + f[2].size(), g.threshold);
        if (ec != std::errc() || ptr != f[2].data() + f[2].size() || g.threshold < 1 ||
            g.threshold > g.members.size()) {
          return bad("threshold '" + std::string(f[2]) + "' is not all, any or 1.." +
                     std::to_string(g.members.size()));
        }
      }
      defined[name] = 0;
      p.groups_.push_back(std::move(g));
    } else if (f[0] == "quorum") {
      if (f.size() != 2) return bad("expected 'quorum <name>'");
      if (quorum_seen) return bad("a second quorum line");
      std::string name(f[1]);
      if (name != "none" && !defined.count(name)) {
        return bad("quorum '" + name + "' is not defined on an earlier line");
      }
      p.quorum_ = name;
      quorum_seen = true;
    } else {
      return bad("unknown keyword '" + std::string(f[0]) + "'");
    }
  }
  if (!quorum_seen) return InvalidArgument("the policy has no quorum line");
  return p;
}

bool WitnessPolicy::Met(const std::string& name, const std::set<std::string>& cosigned,
                        int depth) const {
  if (name == "none") return true;
  if (depth > 64) return false;
  for (const auto& g : groups_) {
    if (g.name != name) continue;
    size_t have = 0;
    for (const auto& m : g.members) have += Met(m, cosigned, depth + 1) ? 1 : 0;
    return have >= g.threshold;
  }
  return cosigned.count(name) > 0;
}

std::string WitnessPolicy::Explain(const std::string& name,
                                   const std::set<std::string>& cosigned) const {
  for (const auto& g : groups_) {
    if (g.name != name) continue;
    size_t have = 0;
    std::string members;
    for (const auto& m : g.members) {
      have += Met(m, cosigned, 0) ? 1 : 0;
      members += (members.empty() ? "" : ", ") + m;
    }
    return "group " + g.name + " needs " + std::to_string(g.threshold) + " of {" + members +
           "}, has " + std::to_string(have);
  }
  return "witness " + name + " has not cosigned";
}

Status WitnessPolicy::Check(const SignedNote& note, std::set<std::string>* cosigners) const {
  ASSIGN_OR_RETURN(Checkpoint cp, ParseCheckpointBody(note.body));
  if (!logs_.empty()) {
    bool signed_by_log = false;
    std::string why = "no log the policy lists is named '" + cp.origin + "'";
    for (const auto& l : logs_) {
      if (l.name != cp.origin) continue;
      Status s = VerifyNoteSignature(note, l.name, l.key);
      if (s.ok()) {
        signed_by_log = true;
        break;
      }
      why = s.message();
    }
    if (!signed_by_log) {
      return PermissionDenied("not signed by a log the policy lists: " + why);
    }
  }
  std::set<std::string> cosigned;
  for (const auto& w : witnesses_) {
    auto t = VerifyCosignature(note, w.key.name, w.key.key);
    if (t.ok()) {
      cosigned.insert(w.name);
    } else if (t.status().code() != StatusCode::kNotFound) {
      return Status(t.status().code(), "witness " + w.name + ": " + t.status().message());
    }
  }
  if (!Met(quorum_, cosigned, 0)) {
    std::string who;
    for (const auto& c : cosigned) who += (who.empty() ? "" : ", ") + c;
    return PermissionDenied("quorum not met: " + Explain(quorum_, cosigned) +
                            " (valid cosignatures from: " + (who.empty() ? "nobody" : who) + ")");
  }
  if (cosigners != nullptr) *cosigners = std::move(cosigned);
  return Status::Ok();
}

}  // namespace dutyledger
