// Multi-index hashing over 256-bit PDQ codes (internal).
//
// The 256 bits are cut into m = 4k segments (k per 64-bit word, 12..32 bits each). Table s
// lists every code under the value of its segment s (a counting sort: a directory of bucket
// offsets plus the code indexes in bucket order). Pigeonhole, refined (Norouzi et al. 2012):
// with threshold r = q*m + a (0 <= a < m), a code within r of the query has distance <= q to
// the query in one of segments 0..a, or <= q-1 in one of segments a+1..m-1 (otherwise the
// total would be >= (a+1)(q+1) + (m-a-1)q = r+1). So probing every key within those radii
// in those tables and verifying each candidate's full distance finds every match: exact.
//
// When the directory is narrower than the segment (small banks), a bucket holds several keys
// and a 16-bit suffix per row tells them apart.
#ifndef VIGIL_HASHBANK_SRC_MIH_H_
#define VIGIL_HASHBANK_SRC_MIH_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "distance_kernels.h"

namespace vigil::hashbank::internal {

inline constexpr int kMaxSegments = 20;
inline constexpr int kMinSegmentsPerWord = 2;
inline constexpr int kMaxSegmentsPerWord = 5;
inline constexpr int kMaxDirectoryBits = 22;

struct MihLayout {
  int segments_per_word = 0;
  int segments = 0;
  int bits[kMaxSegments] = {};
  int shift[kMaxSegments] = {};
  int word[kMaxSegments] = {};
  int dir_bits[kMaxSegments] = {};

  // REQUIRES: kMinSegmentsPerWord <= segments_per_word <= kMaxSegmentsPerWord.
  static MihLayout Make(int segments_per_word, uint32_t n);
  // The directory width a table of `n` codes gets for a segment of `bits` bits.
  static int DirectoryBits(int bits, uint32_t n);
  uint32_t Key(const uint64_t* code, int s) const {
    return static_cast<uint32_t>((code[word[s]] >> shift[s]) & ((uint64_t{1} << bits[s]) - 1));
  }
  bool has_suffix(int s) const { return dir_bits[s] < bits[s]; }
  size_t directory_size(int s) const { return (size_t{1} << dir_bits[s]) + 1; }
};

int ChooseSegmentsPerWord(uint32_t n);

struct MihTables {
  MihLayout layout;
  std::vector<uint32_t> directory[kMaxSegments];
  std::vector<uint16_t> suffix[kMaxSegments];  // empty when !layout.has_suffix(s)
  std::vector<uint32_t> ids[kMaxSegments];
};

// Table s alone (what BuildMih does for each s), so a writer can build, write and free one table at
// a time. `bucket_of` is scratch space.
void BuildMihSegment(const uint64_t* codes, uint32_t n, const MihLayout& layout, int s,
                     std::vector<uint32_t>& bucket_of, std::vector<uint32_t>& dir,
                     std::vector<uint32_t>& ids, std::vector<uint16_t>& suffix);

// `codes` holds n codes of 4 words each.
MihTables BuildMih(const uint64_t* codes, uint32_t n, int segments_per_word);

// A read-only view over tables that live elsewhere (a mapped bank file or MihTables).
struct MihView {
  MihLayout layout;
  uint32_t n = 0;
  const uint64_t* codes = nullptr;
  const uint32_t* directory[kMaxSegments] = {};
  const uint16_t* suffix[kMaxSegments] = {};
  const uint32_t* ids[kMaxSegments] = {};

  static MihView Of(const MihTables& tables, const uint64_t* codes, uint32_t n);

  // Every code within `threshold` of `query`, once each, in `out` (cleared first).
  void Query(const uint64_t* query, int threshold, std::vector<CodeHit>& out) const;
  // Same answer by comparing against every code.
  void Scan(const uint64_t* query, int threshold, std::vector<CodeHit>& out) const;
  // Whether the tables beat a scan at this threshold (estimated probes and candidates).
  bool TablesPayOff(int threshold) const;
};

// Radius to probe in segment s for threshold r over m segments; -1 means skip the segment.
inline int SegmentRadius(int s, int r, int m) {
  const int q = r / m;
  const int a = r % m;
  return s <= a ? q : q - 1;
}

}  // namespace vigil::hashbank::internal

#endif  // VIGIL_HASHBANK_SRC_MIH_H_
