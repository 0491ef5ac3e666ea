// The RFC 6962 / RFC 9162 Merkle tree: proofs, their verification, and the compact range that
// the append path extends.
//
// A "perfect node" (level L, index i) is the root of the perfect subtree over leaves
// [i * 2^L, (i + 1) * 2^L); level 0 nodes are leaf hashes. Every such node is stored once its
// subtree is complete, so any proof needs O(log n) node reads.
#ifndef DUTYLEDGER_LEDGER_MERKLE_H_
#define DUTYLEDGER_LEDGER_MERKLE_H_

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "ledger/bytes.h"
#include "ledger/hash.h"
#include "ledger/status.h"

namespace dutyledger {

// Source of stored perfect nodes. Implementations return kNotFound or kCorruption as needed.
class NodeReader {
 public:
  virtual ~NodeReader() = default;
  virtual Result<Digest> PerfectNode(int level, uint64_t index) const = 0;
};

// The root of leaves [begin, end) as RFC 6962 defines MTH over that range. REQUIRES: the range is
// one that RFC 6962's recursion produces (begin is a multiple of the largest power of two that is
// smaller than end - begin, rounded up), which holds for every range used below.
Result<Digest> RangeRoot(const Hasher& hasher, const NodeReader& nodes, uint64_t begin,
                         uint64_t end);

// RFC 6962 §2.1.1 PATH(index, D[size]). REQUIRES: index < size.
Result<std::vector<Digest>> InclusionProof(const Hasher& hasher, const NodeReader& nodes,
                                           uint64_t index, uint64_t size);

// RFC 6962 §2.1.2 PROOF(size1, D[size2]). REQUIRES: 0 < size1 <= size2.
Result<std::vector<Digest>> ConsistencyProof(const Hasher& hasher, const NodeReader& nodes,
                                             uint64_t size1, uint64_t size2);

// RFC 9162 §2.1.3.2. Hashes are taken as given bytes (any length is refused but 32). OK, or
// kIntegrityViolation saying what does not hold.
Status VerifyInclusion(const Hasher& hasher, uint64_t index, uint64_t size, ByteView leaf_hash,
                       std::span<const Bytes> proof, ByteView root);
// RFC 9162 §2.1.4.2, with the size checks of the public vectors: 0 < size1 <= size2 (consistency
// with the empty tree proves nothing); equal sizes need an empty proof and identical roots.
Status VerifyConsistency(const Hasher& hasher, uint64_t size1, uint64_t size2, ByteView root1,
                         ByteView root2, std::span<const Bytes> proof);

// Convenience overloads for Digest proofs.
Status VerifyInclusion(const Hasher& hasher, uint64_t index, uint64_t size, const Digest& leaf,
                       std::span<const Digest> proof, const Digest& root);
Status VerifyConsistency(const Hasher& hasher, uint64_t size1, uint64_t size2, const Digest& root1,
                         const Digest& root2, std::span<const Digest> proof);

// The roots of the perfect subtrees that make up a tree of `size` leaves (one per set bit of
// size, largest first): enough to append and to compute the root. A cheap value.
class CompactRange {
 public:
  CompactRange() = default;
  // REQUIRES: hashes.size() == popcount(size), largest subtree first.
  CompactRange(uint64_t size, std::vector<Digest> hashes)
      : size_(size), hashes_(std::move(hashes)) {}

  // Loads the range for `size` from stored nodes.
  static Result<CompactRange> Load(const NodeReader& nodes, uint64_t size);

  uint64_t size() const { return size_; }
  const std::vector<Digest>& hashes() const { return hashes_; }

  // Appends one leaf hash; `on_node(level, index, hash)` is called for every perfect node this
  // completes, the leaf itself (level 0) first.
  void Append(const Hasher& hasher, const Digest& leaf_hash,
              const std::function<void(int, uint64_t, const Digest&)>& on_node);

  // The RFC 6962 root of the tree of size() leaves (the empty-tree hash for size 0).
  Digest Root(const Hasher& hasher) const;

 private:
  uint64_t size_ = 0;
  std::vector<Digest> hashes_;
};

}  // namespace dutyledger

#endif  // DUTYLEDGER_LEDGER_MERKLE_H_
