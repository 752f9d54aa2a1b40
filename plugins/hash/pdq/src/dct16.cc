#include "dct16.h"

#include <array>
#include <cmath>
#include <cstddef>

namespace vigil::pdq::internal {
namespace {

constexpr double kPi = 3.14159265358979323846;

struct DctTables {
  float d[16][64];   // D, row i = frequency i + 1
  float dt[64][16];  // D transposed, for the second product
};

// The reference builds each entry as (float scale) * cos(double) rounded to float.
DctTables MakeTables() {
  DctTables t{};
  const float scale = static_cast<float>(std::sqrt(2.0 / 64.0));
  for (int i = 0; i < 16; ++i) {
    for (int j = 0; j < 64; ++j) {
      const double angle = (kPi / 2.0 / 64.0) * (i + 1) * (2 * j + 1);
      t.d[i][j] = static_cast<float>(static_cast<double>(scale) * std::cos(angle));
      t.dt[j][i] = t.d[i][j];
    }
  }
  return t;
}

const DctTables& Tables() {
  static const DctTables tables = MakeTables();
  return tables;
}

}  // namespace

void Dct64To16(const float in[64][64], float out[16][16]) {
  const DctTables& t = Tables();
  // First product T = D A: for each row of D, accumulate rows of A scaled by D[i][k]
  // (k ascending), which is the reference's per-element sum order with 64 lanes.
  float temp[16][64];
  for (int i = 0; i < 16; ++i) {
    float acc[64] = {};
    for (int k = 0; k < 64; ++k) {
      const float dik = t.d[i][k];
      for (int j = 0; j < 64; ++j) acc[j] += dik * in[k][j];
    }
    for (int j = 0; j < 64; ++j) temp[i][j] = acc[j];
  }
  // Second product B = T D^T: B[i][j] = sum_k T[i][k] D[j][k], again k ascending.
  for (int i = 0; i < 16; ++i) {
    float acc[16] = {};
    for (int k = 0; k < 64; ++k) {
      const float tik = temp[i][k];
      for (int j = 0; j < 16; ++j) acc[j] += tik * t.dt[k][j];
    }
    for (int j = 0; j < 16; ++j) out[i][j] = acc[j];
  }
}

void DihedralTransform(Dihedral transform, const float in[16][16], float out[16][16]) {
  // Index parity: row/column index i holds frequency i + 1, so an odd index is an even
  // frequency (symmetric under reflection) and keeps its sign.
  for (int i = 0; i < 16; ++i) {
    for (int j = 0; j < 16; ++j) {
      const float v = in[i][j];
      const bool i_odd = (i & 1) != 0;
      const bool j_odd = (j & 1) != 0;
      switch (transform) {
        case Dihedral::kOriginal:
          out[i][j] = v;
          break;
        case Dihedral::kRotate90:
          out[j][i] = j_odd ? v : -v;
          break;
        case Dihedral::kRotate180:
          out[i][j] = (i_odd != j_odd) ? -v : v;
          break;
        case Dihedral::kRotate270:
          out[j][i] = i_odd ? v : -v;
          break;
        case Dihedral::kFlipX:
          out[i][j] = i_odd ? v : -v;
          break;
        case Dihedral::kFlipY:
          out[i][j] = j_odd ? v : -v;
          break;
        case Dihedral::kFlipPlus1:
          out[j][i] = v;
          break;
        case Dihedral::kFlipMinus1:
          out[j][i] = (i_odd != j_odd) ? -v : v;
          break;
      }
    }
  }
}

}  // namespace vigil::pdq::internal
