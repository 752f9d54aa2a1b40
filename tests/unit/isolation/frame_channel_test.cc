// Framing: round trips, descriptors, and malformed or truncated frames.
#include "isolation/frame_channel.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

namespace vigil::isolation {
namespace {

struct Pair {
  Pair() {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    a.reset(fds[0]);
    b.reset(fds[1]);
  }
  UniqueFd a, b;
};

auto Soon() { return std::chrono::steady_clock::now() + std::chrono::milliseconds(500); }

TEST(FrameChannel, RoundTripsLargeFramesAndADescriptor) {
  Pair pair;
  std::string big(3 << 20, 'q');
  big[12345] = 'z';
  UniqueFd file(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  std::thread sender([&] { EXPECT_TRUE(SendFrame(pair.a.get(), big, file.get()).ok()); });
  std::string got;
  UniqueFd received;
  Status status = ReceiveFrame(pair.b.get(), got, Soon(), &received);
  sender.join();
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(got, big);
  EXPECT_TRUE(received.valid());
}

TEST(FrameChannel, EmptyFrame) {
  Pair pair;
  ASSERT_TRUE(SendFrame(pair.a.get(), "").ok());
  std::string got = "x";
  ASSERT_TRUE(ReceiveFrame(pair.b.get(), got, Soon()).ok());
  EXPECT_TRUE(got.empty());
}

TEST(FrameChannel, OversizedLengthIsCorruption) {
  Pair pair;
  const unsigned char header[4] = {0xff, 0xff, 0xff, 0x7f};
  ASSERT_EQ(::write(pair.a.get(), header, 4), 4);
  std::string got;
  Status status = ReceiveFrame(pair.b.get(), got, Soon());
  EXPECT_EQ(status.code(), Status::Code::kCorruption);
}

TEST(FrameChannel, TruncatedFrameIsClosed) {
  Pair pair;
  const unsigned char partial[6] = {10, 0, 0, 0, 'a', 'b'};
  ASSERT_EQ(::write(pair.a.get(), partial, 6), 6);
  pair.a.reset();
  std::string got;
  Status status = ReceiveFrame(pair.b.get(), got, Soon());
  EXPECT_EQ(status.code(), Status::Code::kIoError);
}

TEST(FrameChannel, SilentPeerHitsTheDeadline) {
  Pair pair;
  std::string got;
  Status status = ReceiveFrame(pair.b.get(), got,
                               std::chrono::steady_clock::now() + std::chrono::milliseconds(20));
  EXPECT_EQ(status.code(), Status::Code::kCancelled);
}

TEST(FrameChannel, RefusesToSendOversizedFrames) {
  Pair pair;
  EXPECT_FALSE(SendFrame(pair.a.get(), std::string(kMaxFrameBytes + 1, 'x')).ok());
}

}  // namespace
}  // namespace vigil::isolation
