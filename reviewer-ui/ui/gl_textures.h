// GlTextures: the two OpenGL textures the console draws an item with (the obscured
// image and the reveal region), and the upload function TextureGate calls. Nothing else
// in the console calls glTexImage2D.
#ifndef VIGIL_REVIEWER_UI_UI_GL_TEXTURES_H_
#define VIGIL_REVIEWER_UI_UI_GL_TEXTURES_H_

#include <cstdint>

#include "obscure/texture_gate.h"

namespace vigil::review {

class GlTextures {
 public:
  GlTextures() = default;
  ~GlTextures();
  GlTextures(const GlTextures&) = delete;
  GlTextures& operator=(const GlTextures&) = delete;

  // [main-thread, GL context current]
  void Create();
  UploadFunction Uploader();
  // ImGui texture ids (GLuint widened).
  void* item() const;
  void* reveal() const;
  bool has_item() const { return item_width_ > 0; }
  int item_width() const { return item_width_; }
  int item_height() const { return item_height_; }

 private:
  void Upload(const TextureUpload& upload);
  unsigned int textures_[2] = {0, 0};
  int item_width_ = 0;
  int item_height_ = 0;
};

}  // namespace vigil::review

#endif  // VIGIL_REVIEWER_UI_UI_GL_TEXTURES_H_
