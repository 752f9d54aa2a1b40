// ConsoleDriver: one frame of the console's logic, window or not. Pulls the platform's
// events, turns pointer positions into image coordinates (the renderer reports where it
// drew the image), routes everything through InputRouter and ticks the session.
#ifndef VIGIL_REVIEWER_UI_MODEL_CONSOLE_DRIVER_H_
#define VIGIL_REVIEWER_UI_MODEL_CONSOLE_DRIVER_H_

#include <vector>

#include "model/input_router.h"
#include "model/platform.h"
#include "model/review_session.h"

namespace vigil::review {

// Where the item's image was drawn last frame, in window pixels.
struct ImageRect {
  float x = 0, y = 0, w = 0, h = 0;
};

class ConsoleDriver {
 public:
  ConsoleDriver(Platform& platform, ReviewSession& session, InputRouter& router)
      : platform_(platform), session_(session), router_(router) {}

  // Handles the pending events and ticks the session. Returns the events (the UI layer
  // also feeds them to Dear ImGui). False once the window was closed or quit asked for.
  bool Step(std::vector<InputEvent>* events);
  void SetImageRect(const ImageRect& rect) { image_rect_ = rect; }
  float pointer_x() const { return pointer_x_; }
  float pointer_y() const { return pointer_y_; }

 private:
  void Pointer(float x, float y);

  Platform& platform_;
  ReviewSession& session_;
  InputRouter& router_;
  ImageRect image_rect_;
  float pointer_x_ = -1, pointer_y_ = -1;
  bool closed_ = false;
};

}  // namespace vigil::review

#endif  // VIGIL_REVIEWER_UI_MODEL_CONSOLE_DRIVER_H_
