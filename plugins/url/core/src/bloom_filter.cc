#include "bloom_filter.h"

namespace vigil::url::internal {
namespace {

constexpr int kBitsPerKey = 6;

inline uint64_t Remix(uint64_t x) {
  x ^= x >> 31;
  x *= 0x7fb5d329728ea185ULL;
  x ^= x >> 27;
  x *= 0x81dadef4bc2dd44dULL;
  return x ^ (x >> 33);
}

}  // namespace

uint64_t BloomBlocksFor(uint64_t keys) {
  const uint64_t bits = keys * 12;
  uint64_t blocks = 1;
  while (blocks * 512 < bits) blocks <<= 1;
  return blocks;
}

void BloomInsert(uint64_t* blocks, uint64_t block_count, uint64_t fingerprint) {
  const uint64_t h = Remix(fingerprint);
  uint64_t* block = blocks + ((h >> 40) & (block_count - 1)) * kBloomBlockWords;
  uint64_t bits = Remix(h ^ 0x9e3779b97f4a7c15ULL);  // independent of the block index
  for (int i = 0; i < kBitsPerKey; ++i) {
    const unsigned pos = bits & 511;
    block[pos >> 6] |= uint64_t{1} << (pos & 63);
    bits >>= 9;
  }
}

void BloomPrefetch(const uint64_t* blocks, uint64_t block_count, uint64_t fingerprint) {
  const uint64_t h = Remix(fingerprint);
  __builtin_prefetch(blocks + ((h >> 40) & (block_count - 1)) * kBloomBlockWords);
}

bool BloomMayContain(const uint64_t* blocks, uint64_t block_count, uint64_t fingerprint) {
  const uint64_t h = Remix(fingerprint);
  const uint64_t* block = blocks + ((h >> 40) & (block_count - 1)) * kBloomBlockWords;
  uint64_t bits = Remix(h ^ 0x9e3779b97f4a7c15ULL);  // independent of the block index
  for (int i = 0; i < kBitsPerKey; ++i) {
    const unsigned pos = bits & 511;
    if ((block[pos >> 6] & (uint64_t{1} << (pos & 63))) == 0) return false;
    bits >>= 9;
  }
  return true;
}

}  // namespace vigil::url::internal
