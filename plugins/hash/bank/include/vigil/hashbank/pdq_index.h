// PdqIndex: an in-memory multi-index over a set of PDQ hashes that is not a
// bank file (e.g. the hashes a store kept for past items), built with the same
// multi-index hashing tables (src/mih.h) a bank file holds and answered by the
// same query: exact, every code within the threshold, no other distance code.
//
// `vigil rematch` uses it to turn a retro-hunt around: instead of one bank
// query per stored hash, the stored hashes are indexed once and each (new) bank
// entry queries them.
#ifndef VIGIL_HASHBANK_PDQ_INDEX_H_
#define VIGIL_HASHBANK_PDQ_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "vigil/hashbank/signal.h"

namespace vigil::hashbank {

struct PdqIndexHit {
  uint32_t index = 0;     // into the codes the index was built from
  uint32_t distance = 0;  // 0..256
};

class PdqIndex {
 public:
  // Indexes `codes` (up to 2^32 - 1 of them); the index keeps its own copy.
  explicit PdqIndex(std::vector<PdqWords> codes);
  ~PdqIndex();
  PdqIndex(const PdqIndex&) = delete;
  PdqIndex& operator=(const PdqIndex&) = delete;

  size_t size() const;
  // Bytes held: the codes' copy and the multi-index tables.
  size_t memory_bytes() const;

  // Every code within `threshold` (0..256; outside that range nothing) of
  // `query`, once each, sorted by index, in `out` (cleared first). Thread-safe
  // (const; per-thread scratch), so several threads may query one index.
  void Query(const PdqWords& query, int threshold, std::vector<PdqIndexHit>& out) const;
  // The same answer by comparing against every code; for tests.
  void QueryBruteForce(const PdqWords& query, int threshold, std::vector<PdqIndexHit>& out) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::hashbank

#endif  // VIGIL_HASHBANK_PDQ_INDEX_H_
