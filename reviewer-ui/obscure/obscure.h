// Fail-closed obscuring on the CPU: what the GPU receives for an item unless a reveal is
// active. Everything here works on a downscaled copy (a 1024 px blur costs ~200 ms on
// this CPU; the display copy is at most a few hundred pixels a side).
//
// Levels run 1 (lightest) .. 7 (strongest). Level 0 ("none") is never produced: a
// request for it is raised to 1, because the console never shows an item unobscured
// outside a reveal.
#ifndef VIGIL_REVIEWER_UI_OBSCURE_OBSCURE_H_
#define VIGIL_REVIEWER_UI_OBSCURE_OBSCURE_H_

#include <string>

#include "core/status.h"
#include "image/rgb_image.h"

namespace vigil::review {

inline constexpr int kMinObscureLevel = 1;
inline constexpr int kMaxObscureLevel = 7;

enum class ObscureStyle { kBlur, kPixelate };
enum class ColourMode { kColour, kGreyscale, kSepia };

// "blur" | "pixelate"; "colour" | "greyscale" | "sepia". False for anything else.
bool ParseObscureStyle(const std::string& text, ObscureStyle* style);
bool ParseColourMode(const std::string& text, ColourMode* mode);

struct ObscureSettings {
  int level = 5;
  ObscureStyle style = ObscureStyle::kBlur;
  ColourMode colour = ColourMode::kGreyscale;
  int max_side = 256;  // the obscured copy is downscaled to this first (itself a filter)
};

// Area-averaging downscale so the longer side is at most `max_side` (never upscales).
RgbImage Downscale(const RgbImage& image, int max_side);
// In-place separable box blur with edge clamping; radius 0 leaves the image unchanged.
void BoxBlur(RgbImage& image, int radius);
// Three box passes approximate a Gaussian of the given sigma (Wells 1986).
void GaussianBlur(RgbImage& image, double sigma);
void Pixelate(RgbImage& image, int block);
void Greyscale(RgbImage& image);
void Sepia(RgbImage& image);

// Gaussian sigma and pixelation block, in pixels, for a level on an image whose longer
// side is `side`; both grow strictly with the level.
double BlurSigmaForLevel(int level, int side);
int PixelBlockForLevel(int level, int side);

// Pixels that went through Obscure(). The type is the proof: only Obscure() makes one,
// and the texture gate uploads nothing else outside a reveal.
class ObscuredImage {
 public:
  const RgbImage& image() const { return image_; }
  int level() const { return level_; }

 private:
  friend StatusOr<ObscuredImage> Obscure(const RgbImage& source, const ObscureSettings& settings);
  ObscuredImage(RgbImage image, int level) : image_(std::move(image)), level_(level) {}
  RgbImage image_;
  int level_ = kMinObscureLevel;
};

// Downscales, blurs or pixelates at settings.level (clamped to 1..7), then applies the
// colour mode. kInvalidArgument for an empty or inconsistent source.
StatusOr<ObscuredImage> Obscure(const RgbImage& source, const ObscureSettings& settings);

}  // namespace vigil::review

#endif  // VIGIL_REVIEWER_UI_OBSCURE_OBSCURE_H_
