// Clock: the console's only source of time, injectable so timers are tested without
// sleeping and replays run on a virtual clock that advances one frame at a time.
#ifndef VIGIL_REVIEWER_UI_MODEL_CLOCK_H_
#define VIGIL_REVIEWER_UI_MODEL_CLOCK_H_

#include <chrono>

namespace vigil::review {

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic seconds since an arbitrary origin.
  virtual double Now() const = 0;
};

class SteadyClock : public Clock {
 public:
  double Now() const override {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
};

// Time moves only when told to (tests, replays).
class ManualClock : public Clock {
 public:
  double Now() const override { return now_; }
  void Advance(double seconds) { now_ += seconds; }

 private:
  double now_ = 1000.0;
};

}  // namespace vigil::review

#endif  // VIGIL_REVIEWER_UI_MODEL_CLOCK_H_
