// Screenshots: the framebuffer as a PNG (glReadPixels + libpng), with a small JSON
// sidecar saying where the item's image and the reveal were drawn, so tests can measure
// exactly those pixels.
#ifndef VIGIL_REVIEWER_UI_UI_SCREENSHOT_H_
#define VIGIL_REVIEWER_UI_UI_SCREENSHOT_H_

#include <string>

#include "core/status.h"
#include "image/rgb_image.h"

namespace vigil::review {

// [GL context current] The back buffer as drawn this frame, top row first.
RgbImage CaptureFramebuffer(int width, int height);

// Writes <dir>/<name>.png and <dir>/<name>.json (`sidecar_json` is its whole text).
Status SaveScreenshot(const std::string& dir, const std::string& name, const RgbImage& frame,
                      const std::string& sidecar_json);

}  // namespace vigil::review

#endif  // VIGIL_REVIEWER_UI_UI_SCREENSHOT_H_
