// TextureGate: the only path from item pixels to the GPU, and where obscuring fails
// closed. It uploads an ObscuredImage (the type only Obscure() can make) to the item
// texture, and the unobscured source only for the region of an active reveal, read from
// the RevealController itself so a caller cannot widen it. When no reveal is active the
// reveal texture is not uploaded at all.
//
// The upload function is injected: the console passes one that calls glTexImage2D,
// tests pass one that records every byte that would have reached the GPU.
#ifndef VIGIL_REVIEWER_UI_OBSCURE_TEXTURE_GATE_H_
#define VIGIL_REVIEWER_UI_OBSCURE_TEXTURE_GATE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "core/status.h"
#include "model/reveal_controller.h"
#include "obscure/obscure.h"
#include "obscure/obscured_cache.h"

namespace vigil::review {

enum class TextureSlot { kItem = 0, kReveal = 1 };

struct TextureUpload {
  TextureSlot slot = TextureSlot::kItem;
  int width = 0;
  int height = 0;
  const uint8_t* rgb = nullptr;  // width * height * 3 bytes, valid during the call only
  bool unobscured = false;       // true only for a reveal region
};

using UploadFunction = std::function<void(const TextureUpload&)>;

class TextureGate {
 public:
  explicit TextureGate(UploadFunction upload) : upload_(std::move(upload)) {}

  // Uploads `obscured` to the item slot unless it is already there.
  void ShowObscured(const std::shared_ptr<const ObscuredImage>& obscured);
  // Uploads the part of `source` under the active reveal to the reveal slot and returns
  // that region (snapped to whole source pixels). kInvalidArgument, and nothing
  // uploaded, when no reveal is active.
  StatusOr<Rect> ShowReveal(const std::shared_ptr<const SourcePixels>& source,
                            const RevealController& reveal);
  // No reveal is active: overwrite the reveal texture with one black pixel so revealed
  // pixels do not linger in GPU memory. Uploads only when something was revealed.
  void EndReveal();
  // The item changed or the screen was blanked: nothing is considered uploaded.
  void Forget();

 private:
  UploadFunction upload_;
  // Held, not just compared, so a freed image's address cannot pass for it.
  std::shared_ptr<const ObscuredImage> item_shown_;
  std::shared_ptr<const SourcePixels> reveal_source_;
  int reveal_px_[4] = {0, 0, 0, 0};
  std::vector<uint8_t> crop_;
};

}  // namespace vigil::review

#endif  // VIGIL_REVIEWER_UI_OBSCURE_TEXTURE_GATE_H_
