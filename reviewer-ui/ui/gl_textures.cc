#include "ui/gl_textures.h"

#include <GL/gl.h>

#include <cstdint>

namespace vigil::review {

GlTextures::~GlTextures() {
  if (textures_[0] != 0) glDeleteTextures(2, textures_);
}

void GlTextures::Create() {
  glGenTextures(2, textures_);
  for (unsigned int texture : textures_) {
    glBindTexture(GL_TEXTURE_2D, texture);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    static const uint8_t kBlack[3] = {0, 0, 0};
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGB, 1, 1, 0, GL_RGB, GL_UNSIGNED_BYTE, kBlack);
  }
}

UploadFunction GlTextures::Uploader() {
  return [this](const TextureUpload& upload) { Upload(upload); };
}

void GlTextures::Upload(const TextureUpload& upload) {
  glBindTexture(GL_TEXTURE_2D, textures_[static_cast<int>(upload.slot)]);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGB, upload.width, upload.height, 0, GL_RGB,
               GL_UNSIGNED_BYTE, upload.rgb);
  if (upload.slot == TextureSlot::kItem) {
    item_width_ = upload.width;
    item_height_ = upload.height;
  }
}

void* GlTextures::item() const {
  return reinterpret_cast<void*>(static_cast<intptr_t>(textures_[0]));
}

void* GlTextures::reveal() const {
  return reinterpret_cast<void*>(static_cast<intptr_t>(textures_[1]));
}

}  // namespace vigil::review
