// ConsoleApp: the frame loop. Per frame: the driver handles input and ticks the model;
// the obscured texture (and the reveal region, only while a reveal is active) goes up
// through the TextureGate; ImGui draws the model's state, or, in panic, nothing at all:
// the frame is cleared to black and no texture is drawn.
#ifndef VIGIL_REVIEWER_UI_UI_CONSOLE_APP_H_
#define VIGIL_REVIEWER_UI_UI_CONSOLE_APP_H_

#include <string>

#include "model/clock.h"
#include "model/platform.h"
#include "model/review_session.h"
#include "obscure/obscured_cache.h"

namespace vigil::review {

class ReplayPlatform;

struct AppOptions {
  std::string screenshot_dir;      // "" for none
  int max_frames = 0;              // 0: until quit
  ReplayPlatform* replay = nullptr;  // screenshots come from its script
  // Where the item's bytes come from (empty: the file at its path); issue 13 item 3.
  ObscuredCache::ItemBytes item_bytes;
};

struct FrameStats {
  int frames = 0;
  double seconds = 0;        // wall time spent in frames
  double worst_ms = 0;
  double mean_ms() const { return frames ? seconds * 1000 / frames : 0; }
};

// [main-thread] Runs until the window closes, the reviewer quits, the replay ends or
// max_frames. `clock` is the model's clock (virtual under a replay).
StatusOr<FrameStats> RunConsole(Platform& platform, ReviewSession& session, const Clock& clock,
                                const AppOptions& options);

}  // namespace vigil::review

#endif  // VIGIL_REVIEWER_UI_UI_CONSOLE_APP_H_
