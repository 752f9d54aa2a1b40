#include "model/console_driver.h"

namespace vigil::review {

void ConsoleDriver::Pointer(float x, float y) {
  pointer_x_ = x;
  pointer_y_ = y;
  const ImageRect& r = image_rect_;
  const bool inside = r.w > 0 && r.h > 0 && x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;
  router_.OnPointer(inside, inside ? (x - r.x) / r.w : 0.5f, inside ? (y - r.y) / r.h : 0.5f);
}

bool ConsoleDriver::Step(std::vector<InputEvent>* events) {
  events->clear();
  platform_.PollEvents(events);
  for (const InputEvent& e : *events) {
    switch (e.type) {
      case InputEvent::Type::kKey: router_.OnKey(e.key, e.down, e.mods); break;
      case InputEvent::Type::kText: router_.OnText(e.text); break;
      case InputEvent::Type::kPointer:
        if (e.image_coords) {
          Pointer(image_rect_.x + e.x * image_rect_.w, image_rect_.y + e.y * image_rect_.h);
        } else {
          Pointer(e.x, e.y);
        }
        break;
      case InputEvent::Type::kButton: router_.OnMouseButton(e.down); break;
      case InputEvent::Type::kClose: closed_ = true; break;
    }
  }
  // The image may have moved under a still pointer (a new item, a resize).
  if (pointer_x_ >= 0) Pointer(pointer_x_, pointer_y_);
  session_.Tick();
  return !closed_ && !router_.quit_requested();
}

}  // namespace vigil::review
