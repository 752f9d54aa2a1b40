#include "ui/screenshot.h"

#include <GL/gl.h>

#include <cstring>
#include <fstream>
#include <vector>

#include "image/png_io.h"

namespace vigil::review {

RgbImage CaptureFramebuffer(int width, int height) {
  RgbImage image(width, height);
  if (image.empty()) return image;
  std::vector<uint8_t> bottom_up(image.pixels.size());
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE, bottom_up.data());
  const size_t row = static_cast<size_t>(width) * 3;
  for (int y = 0; y < height; ++y) {
    std::memcpy(image.at(0, y), &bottom_up[static_cast<size_t>(height - 1 - y) * row], row);
  }
  return image;
}

Status SaveScreenshot(const std::string& dir, const std::string& name, const RgbImage& frame,
                      const std::string& sidecar_json) {
  if (Status s = WritePng(dir + "/" + name + ".png", frame); !s.ok()) return s;
  std::ofstream out(dir + "/" + name + ".json");
  out << sidecar_json << "\n";
  if (!out) return Status::IoError("cannot write " + dir + "/" + name + ".json");
  return Status::Ok();
}

}  // namespace vigil::review
