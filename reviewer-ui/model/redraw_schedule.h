// When the console must draw its next frame. The console draws on input and
// otherwise only when something visible changes: the session clock's displayed
// second, the mandatory break's countdown, a running reveal's
// tenths-of-a-second countdown and its timeout, the queue list's refresh. It
// never wakes on a timer while the window is hidden or iconified (only to end a
// running reveal at its timeout; nothing is drawn). The frame loop waits for
// input until the deadline (glfwWaitEventsTimeout).
#ifndef VIGIL_REVIEWER_UI_MODEL_REDRAW_SCHEDULE_H_
#define VIGIL_REVIEWER_UI_MODEL_REDRAW_SCHEDULE_H_

#include <limits>

#include "model/review_session.h"

namespace vigil::review {

// No deadline: wait for input only.
inline constexpr double kNoRedraw = std::numeric_limits<double>::infinity();
// While the item's picture is being prepared on the worker thread, look again
// this often.
inline constexpr double kPendingPictureSeconds = 1.0 / 30;
// A deadline lands this far after the displayed value changes, so the frame
// shows it.
inline constexpr double kRedrawSlack = 0.002;

struct RedrawState {
  bool visible = true;           // shown and not iconified
  bool had_input = false;        // events were handled in the frame just drawn
  bool picture_pending = false;  // the obscured picture is still being prepared
};

// The time (clock seconds, like `now`) by which the next frame must be drawn:
// `now` to draw again at once (after input, so the UI settles), a later time,
// or kNoRedraw.
double NextRedraw(const ReviewSession& session, double now, const RedrawState& state);

// Seconds until a countdown of `remaining` seconds, shown rounded to the
// nearest 1/`steps_per_second`, shows a different value (or reaches 0).
// kNoRedraw when it has already reached 0.
double NextDisplayChange(double remaining, double steps_per_second);

}  // namespace vigil::review

#endif  // VIGIL_REVIEWER_UI_MODEL_REDRAW_SCHEDULE_H_
