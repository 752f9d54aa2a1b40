// Fuzzes decode-then-hash, the path every scanned image takes: whatever vigil_decode
// accepts, vigil_pdq must hash without crashing, in all eight dihedral variants, and
// the dihedral original must equal the plain hash.
#include <cstddef>
#include <cstdint>

#include "vigil/decode/image_decoder.h"
#include "vigil/pdq/pdq.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vigil::decode::DecodeLimits limits;
  limits.max_pixels = 4'000'000;
  limits.max_dimension = 8'192;
  limits.max_input_bytes = 1u << 20;
  auto decoded = vigil::decode::DecodeImage(data, size, limits);
  if (!decoded.ok()) return 0;
  const auto& image = decoded.value();
  const vigil::pdq::ImageView view{image.pixels.data(), image.pixels.size(),
                                   image.width,         image.height,
                                   image.stride,        vigil::pdq::PixelFormat::kRgb8};
  static vigil::pdq::PdqHasher hasher;
  auto single = hasher.Hash(view);
  auto all = hasher.HashDihedral(view);
  if (!single.ok() || !all.ok()) __builtin_trap();  // a decoded image is always hashable
  if (all->hashes[0] != single->hash || all->quality != single->quality) __builtin_trap();
  if (single->quality < 0 || single->quality > 100) __builtin_trap();
  return 0;
}
