// Open-addressing hash table over fixed-length digests (internal): md5 / sha1 / sha256.
// slots[i] = 0 for empty, else digest row + 1; linear probing; capacity a power of two at
// least twice the row count, so every probe sequence ends at an empty slot.
#ifndef VIGIL_HASHBANK_SRC_EXACT_TABLE_H_
#define VIGIL_HASHBANK_SRC_EXACT_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "checksum.h"

namespace vigil::hashbank::internal {

inline size_t ExactCapacity(uint32_t rows) {
  size_t capacity = 16;
  while (capacity < 2 * size_t{rows}) capacity *= 2;
  return capacity;
}

inline size_t ExactSlotOf(const uint8_t* digest, size_t len, size_t capacity) {
  return Checksum64(digest, len) & (capacity - 1);
}

std::vector<uint32_t> BuildExactSlots(const uint8_t* digests, size_t len, uint32_t rows);

// Calls found(row) for every row whose digest equals `digest`.
// REQUIRES: slots validated (power-of-two size with at least one empty slot, rows in range).
template <typename Found>
void ExactLookup(const uint8_t* digests, size_t len, const uint32_t* slots, size_t capacity,
                 const uint8_t* digest, Found&& found) {
  for (size_t i = ExactSlotOf(digest, len, capacity);; i = (i + 1) & (capacity - 1)) {
    const uint32_t slot = slots[i];
    if (slot == 0) return;
    const uint32_t row = slot - 1;
    if (std::memcmp(digests + size_t{row} * len, digest, len) == 0) found(row);
  }
}

}  // namespace vigil::hashbank::internal

#endif  // VIGIL_HASHBANK_SRC_EXACT_TABLE_H_
