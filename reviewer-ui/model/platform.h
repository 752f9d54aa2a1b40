// Platform: the console's one seam to the window system (GLFW's habit): open a window,
// hand over input events, present frames. GlfwPlatform (ui/) is the real one;
// NullPlatform has no window and plays injected events, so the whole input path is
// tested headless.
#ifndef VIGIL_REVIEWER_UI_MODEL_PLATFORM_H_
#define VIGIL_REVIEWER_UI_MODEL_PLATFORM_H_

#include <deque>
#include <string>
#include <vector>

#include "core/status.h"

namespace vigil::review {

struct InputEvent {
  enum class Type { kKey, kText, kPointer, kButton, kClose };
  Type type = Type::kKey;
  int key = 0;        // kKey: keys:: code
  bool down = false;  // kKey, kButton
  int mods = 0;       // kKey: keys::kMod* bits
  std::string text;   // kText: UTF-8
  float x = 0, y = 0; // kPointer: window pixels (framebuffer scale), or
  bool image_coords = false;  // x, y in 0..1 over the item's image (replay scripts)
};

class Platform {
 public:
  virtual ~Platform() = default;
  // [init-only] Creates the window. kIoError with a one-line message when there is no
  // display.
  virtual Status Open(int width, int height, const std::string& title) = 0;
  // [main-thread] Appends the events since the last call.
  virtual void PollEvents(std::vector<InputEvent>* out) = 0;
  virtual void FramebufferSize(int* width, int* height) const = 0;
  // Pixels per logical unit (DPI scaling); 1 on a classic display.
  virtual float ContentScale() const = 0;
  virtual void Present() = 0;
  // [main-thread] Sleeps until input arrives or `timeout_seconds` pass (infinity: until
  // input). The events are then read by PollEvents().
  virtual void WaitEvents(double timeout_seconds) = 0;
  // False while the window is hidden or iconified: nothing is drawn then.
  virtual bool Visible() const = 0;
};

// No window: events come from Inject(); frames are counted.
class NullPlatform : public Platform {
 public:
  Status Open(int width, int height, const std::string&) override {
    width_ = width;
    height_ = height;
    return Status::Ok();
  }
  void PollEvents(std::vector<InputEvent>* out) override {
    while (!pending_.empty()) {
      out->push_back(std::move(pending_.front()));
      pending_.pop_front();
    }
  }
  void FramebufferSize(int* width, int* height) const override {
    *width = width_;
    *height = height_;
  }
  float ContentScale() const override { return 1.0f; }
  void Present() override { ++frames_; }
  void WaitEvents(double timeout_seconds) override { waits_.push_back(timeout_seconds); }
  bool Visible() const override { return visible_; }

  void Inject(InputEvent event) { pending_.push_back(std::move(event)); }
  int frames() const { return frames_; }
  void set_visible(bool visible) { visible_ = visible; }
  // The timeouts WaitEvents() was called with, in order.
  const std::vector<double>& waits() const { return waits_; }

 private:
  std::deque<InputEvent> pending_;
  int width_ = 0;
  int height_ = 0;
  int frames_ = 0;
  bool visible_ = true;
  std::vector<double> waits_;
};

}  // namespace vigil::review

#endif  // VIGIL_REVIEWER_UI_MODEL_PLATFORM_H_
