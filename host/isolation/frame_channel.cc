#include "isolation/frame_channel.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vigil::isolation {
namespace {

std::string Errno(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

// Waits until `socket` is readable or the deadline passes.
Status WaitReadable(int socket, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    int timeout_ms = -1;
    if (deadline != kNoDeadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return Status::Cancelled("deadline passed");
      timeout_ms = static_cast<int>(left.count()) + 1;
    }
    pollfd pfd{socket, POLLIN, 0};
    int ready = ::poll(&pfd, 1, timeout_ms);
    if (ready > 0) return Status::Ok();
    if (ready == 0) continue;  // re-check the deadline
    if (errno != EINTR) return Status::IoError(Errno("poll"));
  }
}

// Sleeps until `socket` is readable or `until` (nanosecond precision), whichever
// comes first.
void NapUntilReadable(int socket, std::chrono::steady_clock::time_point until) {
  const auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(
      until - std::chrono::steady_clock::now());
  if (left.count() <= 0) return;
  timespec timeout{static_cast<time_t>(left.count() / 1000000000),
                   static_cast<long>(left.count() % 1000000000)};
  pollfd pfd{socket, POLLIN, 0};
  ::ppoll(&pfd, 1, &timeout, nullptr);  // EINTR or timeout: the caller just reads again
}

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// When a receiver naps and until when it spins (both never past the deadline).
struct WaitTimes {
  std::chrono::steady_clock::time_point nap_until{}, spin_until{};
};

// Reads exactly `size` bytes; the first read may bring descriptors along. Until
// `times.nap_until` it sleeps lightly, until `times.spin_until` it retries the
// non-blocking read, then it sleeps until the data or the deadline.
Status ReadExactly(int socket, char* data, size_t size,
                   std::chrono::steady_clock::time_point deadline,
                   std::vector<UniqueFd>* received_fds, WaitTimes times = {},
                   bool* spun = nullptr) {
  size_t done = 0;
  bool wait = false;  // try to read first: poll only when nothing is there yet
  while (done < size) {
    if (wait) {
      const auto now = std::chrono::steady_clock::now();
      if (now < times.nap_until) {
        NapUntilReadable(socket, times.nap_until);
        wait = false;
        continue;
      }
      if (now < times.spin_until) {
        if (spun != nullptr) *spun = true;
        for (int i = 0; i < 64; ++i) CpuRelax();
        wait = false;
        continue;
      }
      Status ready = WaitReadable(socket, deadline);
      if (!ready.ok()) return ready;
    }
    iovec iov{data + done, size - done};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFrameDescriptors)];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    ssize_t n = ::recvmsg(socket, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
    if (n < 0) {
      wait = errno == EAGAIN || errno == EWOULDBLOCK;
      if (wait || errno == EINTR) continue;
      return Status::IoError(Errno("recvmsg"));
    }
    wait = false;
    if (n == 0) return Status::IoError("the peer closed the connection");
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
      const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < count; ++i) {
        int fd = -1;
        std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
        UniqueFd owned(fd);  // closed here unless the caller takes it
        if (received_fds != nullptr) received_fds->push_back(std::move(owned));
      }
    }
    if (msg.msg_flags & MSG_CTRUNC)
      return Status::Corruption("a frame carried too many descriptors");
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace

Status SendFrame(int socket, const std::string& payload, const std::vector<int>& pass_fds) {
  if (pass_fds.size() > kMaxFrameDescriptors) {
    return Status::InvalidArgument("a frame can carry at most " +
                                   std::to_string(kMaxFrameDescriptors) + " descriptors");
  }
  if (payload.size() > kMaxFrameBytes) {
    return Status::Resource("a frame of " + std::to_string(payload.size()) +
                            " bytes is over the limit of " + std::to_string(kMaxFrameBytes));
  }
  const uint32_t size = static_cast<uint32_t>(payload.size());
  const unsigned char header[4] = {
      static_cast<unsigned char>(size), static_cast<unsigned char>(size >> 8),
      static_cast<unsigned char>(size >> 16), static_cast<unsigned char>(size >> 24)};
  iovec iov[2] = {{const_cast<unsigned char*>(header), sizeof(header)},
                  {const_cast<char*>(payload.data()), payload.size()}};
  size_t total = sizeof(header) + payload.size();
  size_t sent = 0;
  bool fds_sent = pass_fds.empty();
  while (sent < total) {
    // Rebuild the iovec past what is already sent.
    iovec rest[2];
    int count = 0;
    size_t skip = sent;
    for (const iovec& part : iov) {
      if (skip >= part.iov_len) {
        skip -= part.iov_len;
        continue;
      }
      rest[count++] = {static_cast<char*>(part.iov_base) + skip, part.iov_len - skip};
      skip = 0;
    }
    msghdr msg{};
    msg.msg_iov = rest;
    msg.msg_iovlen = static_cast<size_t>(count);
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFrameDescriptors)];
    if (!fds_sent) {
      const size_t fd_bytes = sizeof(int) * pass_fds.size();
      std::memset(control, 0, sizeof(control));
      msg.msg_control = control;
      msg.msg_controllen = CMSG_SPACE(fd_bytes);
      cmsghdr* c = CMSG_FIRSTHDR(&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(fd_bytes);
      std::memcpy(CMSG_DATA(c), pass_fds.data(), fd_bytes);
    }
    ssize_t n = ::sendmsg(socket, &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EPIPE || errno == ECONNRESET) {
        return Status::IoError("the peer closed the connection");
      }
      return Status::IoError(Errno("sendmsg"));
    }
    fds_sent = true;
    sent += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status ReceiveFrame(int socket, std::string& payload,
                    std::chrono::steady_clock::time_point deadline,
                    std::vector<UniqueFd>* received_fds, WaitPlan plan, bool* spun) {
  if (spun != nullptr) *spun = false;
  unsigned char header[4];
  WaitTimes times;
  if (plan.nap.count() > 0 || plan.spin.count() > 0) {
    const auto now = std::chrono::steady_clock::now();
    times.nap_until = now + plan.nap;
    times.spin_until = times.nap_until + plan.spin;
    if (deadline != kNoDeadline) {
      times.nap_until = std::min(times.nap_until, deadline);
      times.spin_until = std::min(times.spin_until, deadline);
    }
  }
  Status status = ReadExactly(socket, reinterpret_cast<char*>(header), sizeof(header), deadline,
                              received_fds, times, spun);
  if (!status.ok()) return status;
  const uint32_t size = static_cast<uint32_t>(header[0]) | static_cast<uint32_t>(header[1]) << 8 |
                        static_cast<uint32_t>(header[2]) << 16 |
                        static_cast<uint32_t>(header[3]) << 24;
  if (size > kMaxFrameBytes) {
    return Status::Corruption("a frame announced " + std::to_string(size) +
                              " bytes, over the limit of " + std::to_string(kMaxFrameBytes));
  }
  payload.resize(size);
  if (size == 0) return Status::Ok();
  return ReadExactly(socket, payload.data(), size, deadline, nullptr);
}

}  // namespace vigil::isolation
