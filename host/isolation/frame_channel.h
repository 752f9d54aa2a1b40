// Length-prefixed frames over a connected socket, optionally carrying one descriptor.
//
// A frame is a 4-byte little-endian length and that many bytes. A descriptor (the
// sealed memfd of an image) rides on the first byte of its frame as SCM_RIGHTS, so
// it can never be paired with the wrong message.
#ifndef VIGIL_HOST_ISOLATION_FRAME_CHANNEL_H_
#define VIGIL_HOST_ISOLATION_FRAME_CHANNEL_H_

#include <chrono>
#include <cstddef>
#include <string>

#include "core/status.h"
#include "isolation/unique_fd.h"

namespace vigil::isolation {

// Frames larger than this are refused on both sides (results are capped at 16 MiB).
inline constexpr size_t kMaxFrameBytes = 64u << 20;

// No deadline: wait as long as it takes.
inline constexpr std::chrono::steady_clock::time_point kNoDeadline{};

// Writes one frame; `pass_fd` >= 0 is sent along with it.
Status SendFrame(int socket, const std::string& payload, int pass_fd = -1);

// Reads one frame into `payload`. A descriptor that came with it lands in
// `received_fd` (when given; otherwise it is closed). Returns Cancelled when the
// deadline passes, IoError with "closed" when the peer is gone, Corruption for a
// malformed frame.
Status ReceiveFrame(int socket, std::string& payload,
                    std::chrono::steady_clock::time_point deadline,
                    UniqueFd* received_fd = nullptr);

}  // namespace vigil::isolation

#endif  // VIGIL_HOST_ISOLATION_FRAME_CHANNEL_H_
