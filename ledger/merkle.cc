#include "ledger/merkle.h"

#include <bit>

namespace dutyledger {
namespace {

// Largest power of two strictly smaller than n. REQUIRES: n > 1.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

Status Fail(std::string why) { return IntegrityViolation(std::move(why)); }

}  // namespace

Result<Digest> RangeRoot(const Hasher& hasher, const NodeReader& nodes, uint64_t begin,
                         uint64_t end) {
  DL_CHECK(begin < end);
  uint64_t n = end - begin;
  if (std::has_single_bit(n)) {
    int level = std::countr_zero(n);
    return nodes.PerfectNode(level, begin >> level);
  }
  uint64_t k = SplitPoint(n);
  ASSIGN_OR_RETURN(Digest left, RangeRoot(hasher, nodes, begin, begin + k));
  ASSIGN_OR_RETURN(Digest right, RangeRoot(hasher, nodes, begin + k, end));
  return hasher.NodeHash(left, right);
}

Result<std::vector<Digest>> InclusionProof(const Hasher& hasher, const NodeReader& nodes,
                                           uint64_t index, uint64_t size) {
  DL_CHECK(index < size);
  // PATH(m, D[begin:end]) built top-down; siblings are collected then reversed (leaf first).
  std::vector<Digest> path;
  uint64_t begin = 0, end = size, m = index;
  while (end - begin > 1) {
    uint64_t k = SplitPoint(end - begin);
    if (m < k) {
      ASSIGN_OR_RETURN(Digest sibling, RangeRoot(hasher, nodes, begin + k, end));
      path.push_back(sibling);
      end = begin + k;
    } else {
      ASSIGN_OR_RETURN(Digest sibling, RangeRoot(hasher, nodes, begin, begin + k));
      path.push_back(sibling);
      begin += k;
      m -= k;
    }
  }
  return std::vector<Digest>(path.rbegin(), path.rend());
}

Result<std::vector<Digest>> ConsistencyProof(const Hasher& hasher, const NodeReader& nodes,
                                             uint64_t size1, uint64_t size2) {
  DL_CHECK(size1 > 0 && size1 <= size2);
  std::vector<Digest> proof;
  // SUBPROOF(m, D[begin:end], b), iteratively; hashes are collected then reversed.
  uint64_t begin = 0, end = size2, m = size1;
  bool complete_subtree = true;
  while (true) {
    uint64_t n = end - begin;
    if (m == n) {
      if (!complete_subtree) {
        ASSIGN_OR_RETURN(Digest d, RangeRoot(hasher, nodes, begin, end));
        proof.push_back(d);
      }
      break;
    }
    uint64_t k = SplitPoint(n);
    if (m <= k) {
      ASSIGN_OR_RETURN(Digest right, RangeRoot(hasher, nodes, begin + k, end));
      proof.push_back(right);
      end = begin + k;
    } else {
      ASSIGN_OR_RETURN(Digest left, RangeRoot(hasher, nodes, begin, begin + k));
      proof.push_back(left);
      begin += k;
      m -= k;
      complete_subtree = false;
    }
  }
  return std::vector<Digest>(proof.rbegin(), proof.rend());
}

Status VerifyInclusion(const Hasher& hasher, uint64_t index, uint64_t size, ByteView leaf_hash,
                       std::span<const Bytes> proof, ByteView root) {
  if (index >= size) {
    return Fail("leaf index " + std::to_string(index) + " is not below tree size " +
                std::to_string(size));
  }
  auto leaf = Digest::FromBytes(leaf_hash);
  if (!leaf) return Fail("leaf hash is not 32 bytes");
  auto want_root = Digest::FromBytes(root);
  if (!want_root) return Fail("root hash is not 32 bytes");
  uint64_t fn = index, sn = size - 1;
  Digest r = *leaf;
  for (size_t i = 0; i < proof.size(); ++i) {
    auto p = Digest::FromBytes(proof[i]);
    if (!p) return Fail("proof hash " + std::to_string(i) + " is not 32 bytes");
    if (sn == 0) return Fail("proof has more hashes than the tree size allows");
    if ((fn & 1) || fn == sn) {
      r = hasher.NodeHash(*p, r);
      if (!(fn & 1)) {
        while (!(fn & 1) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = hasher.NodeHash(r, *p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Fail("proof has fewer hashes than the tree size needs");
  if (r != *want_root) return Fail("the proof does not lead to the root");
  return Status::Ok();
}

Status VerifyConsistency(const Hasher& hasher, uint64_t size1, uint64_t size2, ByteView root1,
                         ByteView root2, std::span<const Bytes> proof) {
  if (size2 < size1) {
    return Fail("size1 " + std::to_string(size1) + " is greater than size2 " +
                std::to_string(size2));
  }
  if (size1 == 0) {
    return Fail("size1 is 0: consistency with the empty tree proves nothing");
  }
  if (size1 == size2) {
    if (!proof.empty()) return Fail("sizes are equal but the proof is not empty");
    if (root1 != root2) return Fail("sizes are equal but the roots differ");
    return Status::Ok();
  }
  auto r1 = Digest::FromBytes(root1);
  auto r2 = Digest::FromBytes(root2);
  if (proof.empty()) return Fail("empty consistency proof");
  if (!r1) return Fail("root1 is not 32 bytes");
  if (!r2) return Fail("root2 is not 32 bytes");
  std::vector<Digest> path;
  path.reserve(proof.size() + 1);
  if (std::has_single_bit(size1)) path.push_back(*r1);
  for (size_t i = 0; i < proof.size(); ++i) {
    auto p = Digest::FromBytes(proof[i]);
    if (!p) return Fail("proof hash " + std::to_string(i) + " is not 32 bytes");
    path.push_back(*p);
  }
  uint64_t fn = size1 - 1, sn = size2 - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Digest fr = path[0], sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Digest& c = path[i];
    if (sn == 0) return Fail("proof has more hashes than the sizes allow");
    if ((fn & 1) || fn == sn) {
      fr = hasher.NodeHash(c, fr);
      sr = hasher.NodeHash(c, sr);
      if (!(fn & 1)) {
        while (!(fn & 1) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = hasher.NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Fail("proof has fewer hashes than the sizes need");
  if (fr != *r1) return Fail("the proof does not lead to root1");
  if (sr != *r2) return Fail("the proof does not lead to root2");
  return Status::Ok();
}

namespace {
std::vector<Bytes> AsBytes(std::span<const Digest> proof) {
  std::vector<Bytes> out;
  out.reserve(proof.size());
  for (const Digest& d : proof) out.push_back(d.bytes());
  return out;
}
}  // namespace

Status VerifyInclusion(const Hasher& hasher, uint64_t index, uint64_t size, const Digest& leaf,
                       std::span<const Digest> proof, const Digest& root) {
  return VerifyInclusion(hasher, index, size, leaf.view(), AsBytes(proof), root.view());
}

Status VerifyConsistency(const Hasher& hasher, uint64_t size1, uint64_t size2, const Digest& root1,
                         const Digest& root2, std::span<const Digest> proof) {
  return VerifyConsistency(hasher, size1, size2, root1.view(), root2.view(), AsBytes(proof));
}

Result<CompactRange> CompactRange::Load(const NodeReader& nodes, uint64_t size) {
  std::vector<Digest> hashes;
  uint64_t begin = 0;
  for (int level = 63; level >= 0; --level) {
    uint64_t bit = uint64_t{1} << level;
    if (size & bit) {
      ASSIGN_OR_RETURN(Digest d, nodes.PerfectNode(level, begin >> level));
      hashes.push_back(d);
      begin += bit;
    }
  }
  return CompactRange(size, std::move(hashes));
}

void CompactRange::Append(const Hasher& hasher, const Digest& leaf_hash,
                          const std::function<void(int, uint64_t, const Digest&)>& on_node) {
  Digest carry = leaf_hash;
  uint64_t index = size_;
  int level = 0;
  on_node(0, index, carry);
  // Merge with the smallest subtrees while the new node is a right child.
  while (index & 1) {
    carry = hasher.NodeHash(hashes_.back(), carry);
    hashes_.pop_back();
    index >>= 1;
    ++level;
    on_node(level, index, carry);
  }
  hashes_.push_back(carry);
  ++size_;
}

Digest CompactRange::Root(const Hasher& hasher) const {
  if (hashes_.empty()) return hasher.EmptyRoot();
  Digest root = hashes_.back();
  for (size_t i = hashes_.size() - 1; i-- > 0;) root = hasher.NodeHash(hashes_[i], root);
  return root;
}

}  // namespace dutyledger
