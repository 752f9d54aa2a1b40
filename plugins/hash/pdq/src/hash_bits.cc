#include "hash_bits.h"

#include <algorithm>
#include <array>

namespace vigil::pdq::internal {

Hash256 ThresholdAtMedian(const float dct[16][16]) {
  std::array<float, 256> values;
  for (int i = 0; i < 16; ++i) {
    for (int j = 0; j < 16; ++j) values[static_cast<size_t>(16 * i + j)] = dct[i][j];
  }
  std::nth_element(values.begin(), values.begin() + 127, values.end());
  const float median = values[127];

  Hash256 hash;
  for (int i = 0; i < 16; ++i) {
    for (int j = 0; j < 16; ++j) {
      if (dct[i][j] > median) hash.SetBit(16 * i + j);
    }
  }
  return hash;
}

}  // namespace vigil::pdq::internal
