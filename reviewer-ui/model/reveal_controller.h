// RevealController: shows one region of the item unobscured while the reviewer holds a
// key or the pointer over it, for at most `timeout` seconds. At the timeout the region
// re-obscures by itself and stays obscured until the trigger is let go and pressed
// again (holding a key never extends a reveal). Every finished reveal is reported once,
// with the bounding box of every region shown and its duration, for the ledger and log.
#ifndef VIGIL_REVIEWER_UI_MODEL_REVEAL_CONTROLLER_H_
#define VIGIL_REVIEWER_UI_MODEL_REVEAL_CONTROLLER_H_

#include <optional>

#include "model/clock.h"

namespace vigil::review {

// In image coordinates normalised to 0..1 (x right, y down).
struct Rect {
  float x = 0, y = 0, w = 0, h = 0;
  bool operator==(const Rect& o) const { return x == o.x && y == o.y && w == o.w && h == o.h; }
};

// A square-ish region of `fraction` of each side centred on (u, v), kept inside 0..1.
Rect RegionAround(float u, float v, float fraction);
// The smallest rectangle holding both.
Rect Union(const Rect& a, const Rect& b);

struct RevealRecord {
  Rect region;             // everything shown during the reveal
  double seconds = 0;      // how long pixels were unobscured
};

class RevealController {
 public:
  RevealController(const Clock& clock, double timeout_seconds)
      : clock_(clock), timeout_(timeout_seconds) {}

  // Starts a reveal of `region`. False (nothing shown) while one is active, or after a
  // timeout until Release().
  bool Begin(const Rect& region);
  // The pointer moved while revealing: show `region` instead.
  void Move(const Rect& region);
  // The trigger was let go: ends an active reveal and re-arms.
  std::optional<RevealRecord> Release();
  // Call every frame: ends a reveal that reached its timeout (the trigger stays latched).
  std::optional<RevealRecord> Tick();
  // Ends at once without re-arming (panic, leaving the item).
  std::optional<RevealRecord> Cancel();

  bool active() const { return active_; }
  const Rect& region() const { return region_; }
  double timeout() const { return timeout_; }
  // Seconds left in the active reveal (0 when none).
  double remaining() const;

 private:
  std::optional<RevealRecord> Finish();

  const Clock& clock_;
  double timeout_;
  bool active_ = false;
  bool latched_ = false;  // timed out; needs a Release() before the next Begin()
  double started_ = 0;
  Rect region_;
  Rect seen_;
};

}  // namespace vigil::review

#endif  // VIGIL_REVIEWER_UI_MODEL_REVEAL_CONTROLLER_H_
