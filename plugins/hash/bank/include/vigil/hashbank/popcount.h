// Runtime CPU dispatch for the Hamming-distance kernels of the PDQ index.
//
// Paths: portable SWAR (any x86-64), hardware POPCNT, AVX2 (nibble-table popcount, Mula et
// al.), AVX-512 VPOPCNTDQ. The best path the CPU supports is chosen once
// (__builtin_cpu_supports); all paths give identical results, which the tests check by forcing
// each available path in turn.
#ifndef VIGIL_HASHBANK_POPCOUNT_H_
#define VIGIL_HASHBANK_POPCOUNT_H_

#include <string_view>
#include <vector>

namespace vigil::hashbank {

enum class PopcountPath { kScalar, kPopcnt, kAvx2, kAvx512Vpopcntdq };

std::string_view PopcountPathName(PopcountPath path);
std::vector<PopcountPath> AvailablePopcountPaths();  // in increasing preference
PopcountPath ActivePopcountPath();
// For tests and benchmarks: use `path` from now on (process-wide). Returns false, changing
// nothing, when the CPU lacks it. Not thread-safe against concurrent queries.
bool ForcePopcountPath(PopcountPath path);

}  // namespace vigil::hashbank

#endif  // VIGIL_HASHBANK_POPCOUNT_H_
