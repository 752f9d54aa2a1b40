// Length-prefixed frames over a connected socket, optionally carrying one descriptor.
//
// A frame is a 4-byte little-endian length and that many bytes. Descriptors (the
// sealed memfds of an item's bytes and pixels) ride on the first byte of their frame
// as SCM_RIGHTS, so they can never be paired with the wrong message.
#ifndef VIGIL_HOST_ISOLATION_FRAME_CHANNEL_H_
#define VIGIL_HOST_ISOLATION_FRAME_CHANNEL_H_

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "core/status.h"
#include "isolation/unique_fd.h"

namespace vigil::isolation {

// Frames larger than this are refused on both sides (results are capped at 16 MiB).
inline constexpr size_t kMaxFrameBytes = 64u << 20;

// No deadline: wait as long as it takes.
inline constexpr std::chrono::steady_clock::time_point kNoDeadline{};

// Descriptors one frame may carry; a frame with more is refused as Corruption.
inline constexpr size_t kMaxFrameDescriptors = 4;

// Writes one frame with `pass_fds` (at most kMaxFrameDescriptors) sent along with it.
Status SendFrame(int socket, const std::string& payload, const std::vector<int>& pass_fds = {});

// How a receiver waits before it sleeps for good: first `nap` asleep (woken early if
// the frame comes), then `spin` busy-polling, then asleep until the frame or the
// deadline. See AdaptiveSpin.
struct WaitPlan {
  std::chrono::nanoseconds nap{0};
  std::chrono::nanoseconds spin{0};
};

// Reads one frame into `payload`. Descriptors that came with it land in
// `received_fds` in the order they were sent (when given; otherwise they are closed).
// `plan` says how to wait (by default: asleep); `spun` (when given) tells whether it
// busy-polled before the frame was there. Returns Cancelled when the deadline passes,
// IoError with "closed" when the peer is gone, Corruption for a malformed frame.
Status ReceiveFrame(int socket, std::string& payload,
                    std::chrono::steady_clock::time_point deadline,
                    std::vector<UniqueFd>* received_fds = nullptr, WaitPlan plan = {},
                    bool* spun = nullptr);

// The longest the host busy-polls for a reply, and a worker for its next request:
// about two wake-ups of a sleeping vCPU.
inline constexpr std::chrono::microseconds kReplySpin{50};

// How a receiver waits for the peer's next frame. Waking a sleeping process costs
// 20-70 us on an idle VM (a halted vCPU has to be kicked): more than a whole small
// plugin call, and a round trip pays it twice. So:
//   - when recent waits were short, it busy-polls up to `max` before sleeping;
//   - when they were longer (a PDQ hash, ~0.7 ms), it naps until `lead` before the
//     answer is due and busy-polls from there, so that it is awake when the answer
//     comes. Waking from a nap is as slow as any wake-up, so when it finds the answer
//     already waiting it woke too late and doubles `lead` (up to 8 x `max`); each
//     answer caught while spinning shortens `lead` a little (down to `max`);
//   - an answer that comes after the window backs the spinning off: the next 2, 4,
//     ... 64 waits just sleep. A detector whose time varies widely or a saturated
//     machine (where the spinner takes the core the peer needs) thus costs at most one
//     wasted spin per 64 calls. Answers that come during a nap are neutral.
// [not thread-safe: one per receiving end]
class AdaptiveSpin {
 public:
  explicit AdaptiveSpin(std::chrono::nanoseconds max) : max_(max), lead_(2 * max) {}

  WaitPlan plan() const {
    if (skip_ > 0) return {};
    if (expected_ <= max_) return {std::chrono::nanoseconds::zero(), max_};
    const auto nap = expected_ > lead_ ? expected_ - lead_ : std::chrono::nanoseconds::zero();
    return {nap, expected_ - nap + max_};  // awake from `lead` early to `max` late
  }

  // Records how the wait that followed plan() went: how long it took and whether it
  // busy-polled before the frame was there.
  void Observe(std::chrono::nanoseconds waited, bool spun) {
    const WaitPlan used = plan();
    if (skip_ > 0) {
      --skip_;
    } else if (waited > used.nap + used.spin) {  // spun in vain
      backoff_ = backoff_ == 0 ? 2 : std::min(backoff_ * 2, kMaxBackoff);
      skip_ = backoff_;
    } else if (waited >= used.nap) {  // answered within the window
      backoff_ = 0;
      if (used.nap.count() > 0 && !spun) {
        lead_ = std::min(2 * lead_, 8 * max_);  // it was already there: woke too late
      } else if (used.nap.count() > 0) {
        lead_ = std::max(lead_ - lead_ / 16, max_);
      }
    }
    expected_ = (expected_ * 3 + waited) / 4;
  }

  std::chrono::nanoseconds lead() const { return lead_; }

 private:
  static constexpr int kMaxBackoff = 64;
  std::chrono::nanoseconds max_;
  std::chrono::nanoseconds lead_;         // how long before the expected answer to wake
  std::chrono::nanoseconds expected_{0};  // moving average of the last few waits
  int backoff_ = 0;  // waits to sleep through after the next failed spin
  int skip_ = 0;     // waits left that sleep without spinning
};

}  // namespace vigil::isolation

#endif  // VIGIL_HOST_ISOLATION_FRAME_CHANNEL_H_
