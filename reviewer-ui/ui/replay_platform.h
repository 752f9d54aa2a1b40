// ReplayPlatform: plays a ReplayScript through another platform's window. Real input is
// ignored; the clock is virtual and advances one 60 Hz frame per Present(), so replays
// are deterministic however slow rendering is.
#ifndef VIGIL_REVIEWER_UI_UI_REPLAY_PLATFORM_H_
#define VIGIL_REVIEWER_UI_UI_REPLAY_PLATFORM_H_

#include <string>
#include <vector>

#include "model/clock.h"
#include "model/platform.h"
#include "model/replay_script.h"

namespace vigil::review {

class ReplayPlatform : public Platform {
 public:
  ReplayPlatform(Platform& window, ManualClock& clock, std::vector<ReplayStep> steps)
      : window_(window), clock_(clock), steps_(std::move(steps)), start_(clock.Now()) {}

  Status Open(int width, int height, const std::string& title) override {
    return window_.Open(width, height, title);
  }
  void PollEvents(std::vector<InputEvent>* out) override;
  void FramebufferSize(int* width, int* height) const override {
    window_.FramebufferSize(width, height);
  }
  float ContentScale() const override { return window_.ContentScale(); }
  void Present() override;
  // A replay never waits: its clock moves one frame per Present().
  void WaitEvents(double) override {}
  bool Visible() const override { return true; }

  // Screenshots due this frame (taken after drawing, before Present()).
  const std::vector<std::string>& screenshots() const { return screenshots_; }
  bool finished() const { return next_ >= steps_.size() && taps_.empty(); }

 private:
  Platform& window_;
  ManualClock& clock_;
  std::vector<ReplayStep> steps_;
  double start_;
  size_t next_ = 0;
  std::vector<InputEvent> taps_;  // key-ups for taps, sent on the next frame
  std::vector<std::string> screenshots_;
};

}  // namespace vigil::review

#endif  // VIGIL_REVIEWER_UI_UI_REPLAY_PLATFORM_H_
