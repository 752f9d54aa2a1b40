#include "model/reveal_controller.h"

#include <algorithm>

namespace vigil::review {

Rect RegionAround(float u, float v, float fraction) {
  const float f = std::clamp(fraction, 0.05f, 1.0f);
  Rect r;
  r.w = f;
  r.h = f;
  r.x = std::clamp(u - f / 2, 0.0f, 1.0f - f);
  r.y = std::clamp(v - f / 2, 0.0f, 1.0f - f);
  return r;
}

Rect Union(const Rect& a, const Rect& b) {
  const float x0 = std::min(a.x, b.x), y0 = std::min(a.y, b.y);
  const float x1 = std::max(a.x + a.w, b.x + b.w), y1 = std::max(a.y + a.h, b.y + b.h);
  return Rect{x0, y0, x1 - x0, y1 - y0};
}

bool RevealController::Begin(const Rect& region) {
  if (active_ || latched_ || timeout_ <= 0) return false;
  active_ = true;
  started_ = clock_.Now();
  region_ = region;
  seen_ = region;
  return true;
}

void RevealController::Move(const Rect& region) {
  if (!active_) return;
  region_ = region;
  seen_ = Union(seen_, region);
}

std::optional<RevealRecord> RevealController::Release() {
  latched_ = false;
  return Finish();
}

std::optional<RevealRecord> RevealController::Tick() {
  if (active_ && clock_.Now() - started_ >= timeout_) {
    latched_ = true;
    return Finish();
  }
  return std::nullopt;
}

std::optional<RevealRecord> RevealController::Cancel() {
  if (active_) latched_ = true;  // the trigger is still held: it must be let go first
  return Finish();
}

double RevealController::remaining() const {
  return active_ ? std::max(0.0, timeout_ - (clock_.Now() - started_)) : 0.0;
}

std::optional<RevealRecord> RevealController::Finish() {
  if (!active_) return std::nullopt;
  active_ = false;
  // Never report more than the timeout: a late frame does not mean a longer reveal was
  // shown, and the gate refuses reveal uploads once Tick() has ended it.
  const double seconds = std::min(clock_.Now() - started_, timeout_);
  return RevealRecord{seen_, std::max(0.0, seconds)};
}

}  // namespace vigil::review
