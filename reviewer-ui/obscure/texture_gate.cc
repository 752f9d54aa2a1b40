#include "obscure/texture_gate.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace vigil::review {

void TextureGate::ShowObscured(const std::shared_ptr<const ObscuredImage>& obscured) {
  if (!obscured || obscured == item_shown_) return;
  const RgbImage& image = obscured->image();
  upload_({TextureSlot::kItem, image.width, image.height, image.pixels.data(), false});
  item_shown_ = obscured;
}

StatusOr<Rect> TextureGate::ShowReveal(const std::shared_ptr<const SourcePixels>& source_ptr,
                                       const RevealController& reveal) {
  if (!reveal.active() || !source_ptr) {
    return Status::InvalidArgument("no reveal is active: unobscured pixels stay on the CPU");
  }
  const SourcePixels& source = *source_ptr;
  const Rect& r = reveal.region();
  const int w = source.width(), h = source.height();
  const int x0 = std::clamp(static_cast<int>(std::floor(r.x * w)), 0, w);
  const int y0 = std::clamp(static_cast<int>(std::floor(r.y * h)), 0, h);
  const int x1 = std::clamp(static_cast<int>(std::ceil((r.x + r.w) * w)), x0, w);
  const int y1 = std::clamp(static_cast<int>(std::ceil((r.y + r.h) * h)), y0, h);
  if (x1 <= x0 || y1 <= y0) return Status::InvalidArgument("the reveal region is empty");
  const Rect snapped{static_cast<float>(x0) / w, static_cast<float>(y0) / h,
                     static_cast<float>(x1 - x0) / w, static_cast<float>(y1 - y0) / h};
  const int px[4] = {x0, y0, x1, y1};
  if (reveal_source_ == source_ptr && std::equal(px, px + 4, reveal_px_)) return snapped;
  const int cw = x1 - x0, ch = y1 - y0;
  crop_.resize(static_cast<size_t>(cw) * ch * 3);
  for (int y = 0; y < ch; ++y) {
    std::memcpy(&crop_[static_cast<size_t>(y) * cw * 3], source.image_.at(x0, y0 + y),
                static_cast<size_t>(cw) * 3);
  }
  upload_({TextureSlot::kReveal, cw, ch, crop_.data(), true});
  reveal_source_ = source_ptr;
  std::copy(px, px + 4, reveal_px_);
  return snapped;
}

void TextureGate::EndReveal() {
  if (!reveal_source_) return;
  static const uint8_t kBlack[3] = {0, 0, 0};
  upload_({TextureSlot::kReveal, 1, 1, kBlack, false});
  reveal_source_.reset();
}

void TextureGate::Forget() {
  item_shown_.reset();
  reveal_source_.reset();
}

}  // namespace vigil::review
