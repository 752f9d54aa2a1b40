#include "model/session_timer.h"

#include <algorithm>

namespace vigil::review {

SessionTimer::SessionTimer(const Clock& clock, double limit_seconds, double break_seconds)
    : clock_(clock), limit_(limit_seconds), break_length_(break_seconds), last_(clock.Now()) {}

void SessionTimer::Tick() {
  const double now = clock_.Now();
  const double elapsed = std::max(0.0, now - last_);
  last_ = now;
  if (paused_ || on_break_) return;
  worked_ += elapsed;
  if (limit_ > 0 && worked_ >= limit_) {
    worked_ = limit_;
    on_break_ = true;
    mandatory_ = true;
    break_started_ = now;
  }
}

void SessionTimer::Pause() {
  Tick();
  paused_ = true;
}

void SessionTimer::Resume() {
  last_ = clock_.Now();  // the paused interval is not working time
  paused_ = false;
}

void SessionTimer::StartBreak() {
  Tick();
  if (on_break_) return;
  on_break_ = true;
  mandatory_ = false;
  break_started_ = clock_.Now();
}

bool SessionTimer::EndBreak() {
  if (!on_break_) return true;
  if (mandatory_ && break_remaining_seconds() > 0) return false;
  // A full break resets the sitting; a short voluntary pause does not.
  if (mandatory_ || clock_.Now() - break_started_ >= break_length_) worked_ = 0;
  on_break_ = false;
  mandatory_ = false;
  last_ = clock_.Now();
  return true;
}

double SessionTimer::remaining_seconds() const { return std::max(0.0, limit_ - worked_); }

double SessionTimer::break_remaining_seconds() const {
  if (!on_break_ || !mandatory_) return 0;
  return std::max(0.0, break_length_ - (clock_.Now() - break_started_));
}

}  // namespace vigil::review
