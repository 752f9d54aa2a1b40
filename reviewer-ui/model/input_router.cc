#include "model/input_router.h"

#include "model/keys.h"

namespace vigil::review {
namespace {

constexpr double kDoubleEscapeSeconds = 0.6;

}  // namespace

Rect InputRouter::RegionAtPointer() const { return session_.RevealRegionAt(inside_, u_, v_); }

void InputRouter::OnKey(int key, bool down, int mods) {
  // Panic first, on every screen.
  if (down && key == keys::kF12) {
    if (session_.screen() == Screen::kPanic) {
      session_.LeavePanic();
    } else {
      session_.Panic();
    }
    return;
  }
  if (down && key == keys::kEscape) {
    const double now = clock_.Now();
    if (now - last_escape_ <= kDoubleEscapeSeconds) {
      last_escape_ = -1e9;
      session_.Panic();
      return;
    }
    last_escape_ = now;
  }
  if (session_.screen() == Screen::kPanic) return;

  // Letting go of Space always ends a reveal, whatever the screen is now.
  if (key == keys::kSpace && !down) {
    space_held_ = false;
    if (!mouse_held_) session_.EndReveal();
    return;
  }
  if (!down) return;

  switch (session_.screen()) {
    case Screen::kWorking:
    case Screen::kBrowse:  // the same keys; the session refuses those that would write
      OnWorkingKey(key, mods);
      break;
    case Screen::kReason:
      if (key == keys::kEscape) session_.CancelReason();
      else if (key == keys::kEnter || key == keys::kKeypadEnter) session_.SubmitReason();
      else if (key == keys::kBackspace) session_.EraseReason();
      else if (key >= keys::kF1 && key < keys::kF1 + 9) session_.ChooseReason(key - keys::kF1);
      break;
    case Screen::kCheckIn:
      if (key >= '1' && key <= '3') session_.CheckIn(key - '0');
      else if (key == keys::kEnter || key == keys::kEscape) session_.CheckIn(0);
      break;
    case Screen::kBreak:
      if (key == keys::kEnter) session_.EndBreak();
      break;
    case Screen::kNoWork:
      if (key == 'R') session_.Retry();
      else if (key == 'B') session_.TakeBreak();
      else if (key == 'Q' && (mods & keys::kModControl)) quit_ = true;
      break;
    case Screen::kPanic:
      break;
  }
}

void InputRouter::OnWorkingKey(int key, int mods) {
  if (mods & keys::kModControl) {
    if (key == 'Q') quit_ = true;
    return;
  }
  int digit = -1;
  if (key >= '0' && key <= '9') digit = key - '0';
  if (key >= keys::kKeypad0 && key <= keys::kKeypad0 + 9) digit = key - keys::kKeypad0;
  switch (digit) {
    case 1: session_.Decide("A1"); return;
    case 2: session_.Decide("A2"); return;
    case 3: session_.Decide("B1"); return;
    case 4: session_.Decide("B2"); return;
    case 0: session_.Decide("not-illegal"); return;
    default: break;
  }
  switch (key) {
    case 'C': session_.Decide("not-illegal"); break;
    case 'E': session_.Decide("escalate"); break;
    case 'K': session_.ToggleAddToBank(); break;  // hashes to the local bank (issue 13 item 6)
    case 'N': case keys::kRight: session_.Next(); break;
    case 'P': case keys::kLeft: session_.Previous(); break;
    case 'B': session_.TakeBreak(); break;
    case 'F': session_.CycleListFilter(); break;
    case 'M':
      session_.MoreFrames();
      break;  // a video's storyboard: more evenly spaced frames
    case keys::kUp: session_.ScrollList(-1); break;
    case keys::kDown: session_.ScrollList(1); break;
    case keys::kLeftBracket: session_.ChangeObscureLevel(-1); break;
    case keys::kRightBracket: session_.ChangeObscureLevel(1); break;
    case keys::kSpace:
      space_held_ = true;
      session_.BeginReveal(RegionAtPointer());
      break;
    default: break;
  }
}

void InputRouter::OnText(const std::string& utf8) {
  if (session_.screen() == Screen::kReason) session_.TypeReason(utf8);
}

void InputRouter::OnPointer(bool inside, float u, float v) {
  const bool was_inside = inside_;
  inside_ = inside;
  if (inside) {
    u_ = u;
    v_ = v;
  }
  if (session_.screen() != Screen::kWorking && session_.screen() != Screen::kBrowse) return;
  if (session_.reveal().active() && inside) session_.MoveReveal(RegionAtPointer());
  if (session_.settings().reveal_on_hover && !space_held_ && !mouse_held_) {
    if (inside && !was_inside) session_.BeginReveal(RegionAtPointer());
    if (!inside && was_inside) session_.EndReveal();
  } else if (!inside && mouse_held_) {
    mouse_held_ = false;
    if (!space_held_) session_.EndReveal();
  }
}

void InputRouter::OnMouseButton(bool down) {
  if (session_.screen() == Screen::kPanic) return;
  if (down && inside_ &&
      (session_.screen() == Screen::kWorking || session_.screen() == Screen::kBrowse)) {
    mouse_held_ = true;
    session_.BeginReveal(RegionAtPointer());
  } else if (!down && mouse_held_) {
    mouse_held_ = false;
    if (!space_held_) session_.EndReveal();
  }
}

}  // namespace vigil::review
