// InputRouter: the console's keymap. Turns key, text and pointer events into calls on
// ReviewSession according to the screen. The panic keys are checked first, on every
// screen, dialogs included: F12, or Escape twice within 0.6 s. F12 again leaves panic.
//
// Working screen:  1 A1 · 2 A2 · 3 B1 · 4 B2 · 0 or C not illegal · E escalate
//                  N or Right next (skip) · P or Left previous · hold Space reveal
//                  [ ] weaker/stronger obscuring · B break · Up/Down scroll the list
//                  F cycle the list filter · Ctrl+Q quit
// Reason dialog:   type, Backspace, Enter submits, F1..F9 pick a listed reason,
//                  Escape cancels
// Check-in:        1 fine · 2 heavier than usual · 3 rough day · Enter skips
// Break:           Enter resumes (when allowed)   No work: R retry · B break
// Browse (a read-only store): the working keys; N/P and Up/Down open the next or
//                  previous listed item; decisions, reveals and weaker obscuring are
//                  refused with the reason in the notice
#ifndef VIGIL_REVIEWER_UI_MODEL_INPUT_ROUTER_H_
#define VIGIL_REVIEWER_UI_MODEL_INPUT_ROUTER_H_

#include <cstdint>
#include <string>

#include "model/clock.h"
#include "model/review_session.h"

namespace vigil::review {

class InputRouter {
 public:
  InputRouter(ReviewSession& session, const Clock& clock) : session_(session), clock_(clock) {}

  // A key went down or up (repeats are not passed). `mods`: keys::kMod* bits.
  void OnKey(int key, bool down, int mods);
  // Text typed (UTF-8 of one code point), for the reason dialog.
  void OnText(const std::string& utf8);
  // Where the pointer is over the image, in normalised image coordinates; `inside`
  // false when it is elsewhere.
  void OnPointer(bool inside, float u, float v);
  // The primary mouse button over the image holds a reveal like Space does.
  void OnMouseButton(bool down);

  bool quit_requested() const { return quit_; }

 private:
  Rect RegionAtPointer() const;
  void OnWorkingKey(int key, int mods);

  ReviewSession& session_;
  const Clock& clock_;
  double last_escape_ = -1e9;
  bool inside_ = false;
  float u_ = 0.5f, v_ = 0.5f;
  bool space_held_ = false;
  bool mouse_held_ = false;
  bool quit_ = false;
};

}  // namespace vigil::review

#endif  // VIGIL_REVIEWER_UI_MODEL_INPUT_ROUTER_H_
