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

// Reads one frame into `payload`. Descriptors that came with it land in
// `received_fds` in the order they were sent (when given; otherwise they are closed). Before sleeping in poll() it
// busy-polls the socket for up to `spin` (see AdaptiveSpin). Returns Cancelled when
// the deadline passes, IoError with "closed" when the peer is gone, Corruption for a
// malformed frame.
Status ReceiveFrame(int socket, std::string& payload,
                    std::chrono::steady_clock::time_point deadline,
                    std::vector<UniqueFd>* received_fds = nullptr,
                    std::chrono::nanoseconds spin = std::chrono::nanoseconds::zero());

// The longest the host busy-polls for a reply, and a worker for its next request:
// about two wake-ups of a sleeping vCPU.
inline constexpr std::chrono::microseconds kReplySpin{50};

// How long a receiver busy-polls before it sleeps. Waking a sleeping process costs
// 20-30 us on an idle VM (a halted vCPU has to be kicked), more than a whole small
// plugin call, and a round trip pays it twice. Spinning only pays when the answer is
// about to come, and on a busy machine it takes the core the peer needs, so a spin
// that ends without an answer backs off: the next 2, 4, ... 64 waits sleep at once. A
// slow detector or a saturated machine thus costs at most one spin per 64 calls.
// [not thread-safe: one per receiving end]
class AdaptiveSpin {
 public:
  explicit AdaptiveSpin(std::chrono::nanoseconds max) : max_(max) {}
  std::chrono::nanoseconds budget() const {
    return skip_ > 0 ? std::chrono::nanoseconds::zero() : max_;
  }
  // Records how long the wait that used `budget()` took.
  void Observe(std::chrono::nanoseconds waited) {
    if (skip_ > 0) {
      --skip_;
    } else if (waited > max_) {  // spun in vain
      backoff_ = backoff_ == 0 ? 2 : std::min(backoff_ * 2, kMaxBackoff);
      skip_ = backoff_;
    } else {
      backoff_ = 0;
    }
  }

 private:
  static constexpr int kMaxBackoff = 64;
  std::chrono::nanoseconds max_;
  int backoff_ = 0;  // waits to sleep through after the next failed spin
  int skip_ = 0;     // waits left that sleep without spinning
};

}  // namespace vigil::isolation

#endif  // VIGIL_HOST_ISOLATION_FRAME_CHANNEL_H_
