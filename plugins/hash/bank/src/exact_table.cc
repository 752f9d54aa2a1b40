#include "exact_table.h"

namespace vigil::hashbank::internal {

std::vector<uint32_t> BuildExactSlots(const uint8_t* digests, size_t len, uint32_t rows) {
  const size_t capacity = ExactCapacity(rows);
  std::vector<uint32_t> slots(capacity, 0);
  for (uint32_t row = 0; row < rows; ++row) {
    size_t i = ExactSlotOf(digests + size_t{row} * len, len, capacity);
    while (slots[i] != 0) i = (i + 1) & (capacity - 1);
    slots[i] = row + 1;
  }
  return slots;
}

}  // namespace vigil::hashbank::internal
