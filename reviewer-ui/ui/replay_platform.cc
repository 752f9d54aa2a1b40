#include "ui/replay_platform.h"

namespace vigil::review {

void ReplayPlatform::PollEvents(std::vector<InputEvent>* out) {
  // Only a window close gets through from the real window.
  std::vector<InputEvent> real;
  window_.PollEvents(&real);
  for (InputEvent& e : real) {
    if (e.type == InputEvent::Type::kClose) out->push_back(std::move(e));
  }
  screenshots_.clear();
  for (InputEvent& e : taps_) out->push_back(std::move(e));
  taps_.clear();
  const double elapsed_ms = (clock_.Now() - start_) * 1000.0;
  while (next_ < steps_.size() && static_cast<double>(steps_[next_].at_ms) <= elapsed_ms + 1e-6) {
    const ReplayStep& step = steps_[next_++];
    switch (step.kind) {
      case ReplayStep::Kind::kInput:
        out->push_back(step.event);
        if (step.tap) {
          InputEvent up = step.event;
          up.down = false;
          taps_.push_back(up);
        }
        break;
      case ReplayStep::Kind::kScreenshot:
        screenshots_.push_back(step.name);
        break;
      case ReplayStep::Kind::kQuit: {
        InputEvent close;
        close.type = InputEvent::Type::kClose;
        out->push_back(close);
        break;
      }
    }
  }
}

void ReplayPlatform::Present() {
  window_.Present();
  clock_.Advance(1.0 / 60.0);
}

}  // namespace vigil::review
