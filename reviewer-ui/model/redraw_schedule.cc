#include "model/redraw_schedule.h"

#include <algorithm>
#include <cmath>

namespace vigil::review {

double NextDisplayChange(double remaining, double steps_per_second) {
  if (!(remaining > 0)) return kNoRedraw;
  // Shown: round(remaining * steps) / steps; it drops a step when remaining
  // falls below (shown_steps - 0.5) / steps, and the countdown ends at 0.
  const double steps = std::round(remaining * steps_per_second);
  const double boundary = std::max(0.0, (steps - 0.5) / steps_per_second);
  return std::max(0.0, remaining - boundary);
}

double NextRedraw(const ReviewSession& session, double now, const RedrawState& state) {
  const RevealController& reveal = session.reveal();
  if (!state.visible) {
    // Nothing is drawn, but a running reveal still ends (and is logged) at its
    // timeout.
    return reveal.active() ? now + reveal.remaining() + kRedrawSlack : kNoRedraw;
  }
  if (state.had_input) return now;
  double due = kNoRedraw;
  auto consider = [&](double seconds_from_now) {
    if (seconds_from_now != kNoRedraw) due = std::min(due, now + seconds_from_now + kRedrawSlack);
  };
  if (state.picture_pending) due = std::min(due, now + kPendingPictureSeconds);
  const SessionTimer& timer = session.timer();
  if (session.screen() != Screen::kPanic) {
    if (!timer.paused() && !timer.on_break()) {
      // The status line's "Session m:ss left", and the mandatory break at 0.
      consider(NextDisplayChange(timer.remaining_seconds(), 1));
    }
    if (timer.break_mandatory()) consider(NextDisplayChange(timer.break_remaining_seconds(), 1));
    if (reveal.active()) {
      // "re-obscures in 1.2 s", and the timeout itself.
      consider(NextDisplayChange(reveal.remaining(), 10));
      consider(reveal.remaining());
    }
    // The queue list reloads (other reviewers' work appears) every few seconds.
    consider(std::max(0.0, session.next_refresh_at() - now));
  }
  return due;
}

}  // namespace vigil::review
