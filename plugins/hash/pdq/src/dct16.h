// The partial 2D DCT of PDQ (coefficients 1..16 x 1..16 of a 64x64 DCT-II, DC
// skipped) and the dihedral transforms expressed on those coefficients.
#ifndef VIGIL_PDQ_SRC_DCT16_H_
#define VIGIL_PDQ_SRC_DCT16_H_

#include "vigil/pdq/pdq.h"

namespace vigil::pdq::internal {

// out = D * in * D^T with D the 16x64 matrix sqrt(2/64) cos(pi/128 (i+1)(2j+1)),
// stored as float like the reference's. Each sum runs k = 0..63 in float, in order.
void Dct64To16(const float in[64][64], float out[16][16]);

// The coefficients of the transformed image: a transform permutes pixels, which on
// DCT-II coefficients is a transpose and/or a sign flip on odd frequencies (Zauner 2010).
void DihedralTransform(Dihedral transform, const float in[16][16], float out[16][16]);

}  // namespace vigil::pdq::internal

#endif  // VIGIL_PDQ_SRC_DCT16_H_
