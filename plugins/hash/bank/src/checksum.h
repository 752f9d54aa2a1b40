// A fast 64-bit checksum for bank file sections (internal). It detects damage (bit rot,
// truncation inside a section, a half-copied file); it is not a signature and does not stop a
// deliberate forgery, which plugin/bank signing is for.
#ifndef VIGIL_HASHBANK_SRC_CHECKSUM_H_
#define VIGIL_HASHBANK_SRC_CHECKSUM_H_

#include <cstddef>
#include <cstdint>

namespace vigil::hashbank::internal {

uint64_t Checksum64(const void* data, size_t size);

}  // namespace vigil::hashbank::internal

#endif  // VIGIL_HASHBANK_SRC_CHECKSUM_H_
