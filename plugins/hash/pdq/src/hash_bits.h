// Thresholds 16x16 DCT coefficients at their median into a Hash256.
#ifndef VIGIL_PDQ_SRC_HASH_BITS_H_
#define VIGIL_PDQ_SRC_HASH_BITS_H_

#include "vigil/pdq/hash256.h"

namespace vigil::pdq::internal {

// Bit 16 i + j is set when coefficient [i][j] is strictly greater than the median.
// The median is the 128th smallest of the 256 values: what the reference's Torben
// routine returns for an even count (its loop ends with that order statistic).
Hash256 ThresholdAtMedian(const float dct[16][16]);

}  // namespace vigil::pdq::internal

#endif  // VIGIL_PDQ_SRC_HASH_BITS_H_
