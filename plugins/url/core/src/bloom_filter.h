// A blocked Bloom filter over 64-bit fingerprints: one 64-byte cache line per key,
// 6 bits set per key, about 12 bits per key (~1% false positives). It sits in front
// of the fingerprint table so most misses cost one cache line.
#ifndef VIGIL_URL_SRC_BLOOM_FILTER_H_
#define VIGIL_URL_SRC_BLOOM_FILTER_H_

#include <cstddef>
#include <cstdint>

namespace vigil::url::internal {

constexpr size_t kBloomBlockWords = 8;  // 512 bits = one cache line

// Number of 64-byte blocks (a power of two) for `keys` keys.
uint64_t BloomBlocksFor(uint64_t keys);
void BloomInsert(uint64_t* blocks, uint64_t block_count, uint64_t fingerprint);
// Starts loading the cache line a later BloomMayContain(fingerprint) will read.
void BloomPrefetch(const uint64_t* blocks, uint64_t block_count, uint64_t fingerprint);
bool BloomMayContain(const uint64_t* blocks, uint64_t block_count, uint64_t fingerprint);

}  // namespace vigil::url::internal

#endif  // VIGIL_URL_SRC_BLOOM_FILTER_H_
