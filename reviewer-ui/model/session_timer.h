// SessionTimer: working time in this sitting, and the breaks that follow it.
//
// Working time accumulates only while the reviewer works (not during a break, not while
// the panic screen is up). At the org's limit a break starts that cannot be ended early;
// a break the reviewer chose can be ended at any time.
#ifndef VIGIL_REVIEWER_UI_MODEL_SESSION_TIMER_H_
#define VIGIL_REVIEWER_UI_MODEL_SESSION_TIMER_H_

#include "model/clock.h"

namespace vigil::review {

class SessionTimer {
 public:
  SessionTimer(const Clock& clock, double limit_seconds, double break_seconds);

  // Call every frame. Starts the mandatory break when working time reaches the limit.
  void Tick();
  void Pause();   // panic: working time stops
  void Resume();

  void StartBreak();  // voluntary: can be ended at once
  // Ends the break. False (still on break) for a mandatory break that is not over.
  bool EndBreak();

  bool on_break() const { return on_break_; }
  bool break_mandatory() const { return on_break_ && mandatory_; }
  bool paused() const { return paused_; }
  double worked_seconds() const { return worked_; }
  double remaining_seconds() const;        // working time left before the next break
  double break_remaining_seconds() const;  // of a mandatory break; 0 otherwise

 private:
  const Clock& clock_;
  double limit_;
  double break_length_;
  double last_;
  double worked_ = 0;
  bool paused_ = false;
  bool on_break_ = false;
  bool mandatory_ = false;
  double break_started_ = 0;
};

}  // namespace vigil::review

#endif  // VIGIL_REVIEWER_UI_MODEL_SESSION_TIMER_H_
