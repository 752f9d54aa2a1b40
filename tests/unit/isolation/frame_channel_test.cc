// Framing: round trips, descriptors, and malformed or truncated frames.
#include "isolation/frame_channel.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

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
  std::thread sender([&] { EXPECT_TRUE(SendFrame(pair.a.get(), big, {file.get()}).ok()); });
  std::string got;
  std::vector<UniqueFd> received;
  Status status = ReceiveFrame(pair.b.get(), got, Soon(), &received);
  sender.join();
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(got, big);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_TRUE(received[0].valid());
}

TEST(FrameChannel, SeveralDescriptorsArriveInOrder) {
  Pair pair;
  // Four different files, told apart by their inode numbers.
  std::vector<UniqueFd> files;
  std::vector<int> raw;
  for (const char* path : {"/dev/null", "/dev/zero", "/proc/self/stat", "/dev/urandom"}) {
    files.emplace_back(::open(path, O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(files.back().valid()) << path;
    raw.push_back(files.back().get());
  }
  ASSERT_TRUE(SendFrame(pair.a.get(), "four", raw).ok());
  std::string got;
  std::vector<UniqueFd> received;
  ASSERT_TRUE(ReceiveFrame(pair.b.get(), got, Soon(), &received).ok());
  ASSERT_EQ(received.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    struct stat sent_st, got_st;
    ASSERT_EQ(::fstat(raw[i], &sent_st), 0);
    ASSERT_EQ(::fstat(received[i].get(), &got_st), 0);
    EXPECT_EQ(sent_st.st_ino, got_st.st_ino) << i;
    EXPECT_EQ(sent_st.st_rdev, got_st.st_rdev) << i;
  }
}

TEST(FrameChannel, TooManyDescriptorsAreRefusedBothWays) {
  Pair pair;
  UniqueFd file(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  std::vector<int> five(kMaxFrameDescriptors + 1, file.get());
  EXPECT_EQ(SendFrame(pair.a.get(), "x", five).code(), Status::Code::kInvalidArgument);
  // A hostile peer sending more than fit is caught on receipt.
  const int count = 16;
  std::vector<int> many(count, file.get());
  const unsigned char frame[5] = {1, 0, 0, 0, 'x'};
  iovec iov{const_cast<unsigned char*>(frame), sizeof(frame)};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * count)] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int) * count);
  std::memcpy(CMSG_DATA(c), many.data(), sizeof(int) * count);
  ASSERT_EQ(::sendmsg(pair.a.get(), &msg, 0), static_cast<ssize_t>(sizeof(frame)));
  std::string got;
  std::vector<UniqueFd> received;
  EXPECT_EQ(ReceiveFrame(pair.b.get(), got, Soon(), &received).code(), Status::Code::kCorruption);
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

TEST(FrameChannel, SpinningReceiverStillSleepsForALateFrameAndKeepsTheDescriptor) {
  Pair pair;
  UniqueFd file(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  std::thread sender([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));  // long after the spin
    EXPECT_TRUE(SendFrame(pair.a.get(), "late", {file.get()}).ok());
  });
  std::string got;
  std::vector<UniqueFd> received;
  Status status = ReceiveFrame(pair.b.get(), got, Soon(), &received,
                               {std::chrono::milliseconds(5), kReplySpin});
  sender.join();
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(got, "late");
  ASSERT_EQ(received.size(), 1u);
}

TEST(FrameChannel, ANapEndsAsSoonAsTheFrameArrives) {
  Pair pair;
  std::thread sender([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_TRUE(SendFrame(pair.a.get(), "early").ok());
  });
  std::string got;
  const auto start = std::chrono::steady_clock::now();
  Status status = ReceiveFrame(pair.b.get(), got, start + std::chrono::seconds(60), nullptr,
                               {std::chrono::seconds(30), kReplySpin});
  sender.join();
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(got, "early");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(FrameChannel, NapAndSpinNeverOutlastTheDeadline) {
  Pair pair;
  std::string got;
  const auto start = std::chrono::steady_clock::now();
  // A nap and a spin far longer than the deadline: the deadline wins.
  for (WaitPlan plan : {WaitPlan{std::chrono::seconds(0), std::chrono::seconds(30)},
                        WaitPlan{std::chrono::seconds(30), std::chrono::seconds(30)}}) {
    Status status = ReceiveFrame(pair.b.get(), got,
                                 std::chrono::steady_clock::now() + std::chrono::milliseconds(20),
                                 nullptr, plan);
    EXPECT_EQ(status.code(), Status::Code::kCancelled);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

TEST(AdaptiveSpin, SpinsWhileAnswersComeQuickly) {
  AdaptiveSpin spin(microseconds(50));
  for (int i = 0; i < 100; ++i) {
    const WaitPlan plan = spin.plan();
    ASSERT_EQ(plan.nap, nanoseconds(0)) << i;
    ASSERT_EQ(plan.spin, microseconds(50)) << i;
    spin.Observe(microseconds(5), true);
  }
}

TEST(AdaptiveSpin, NapsThroughASteadySlowCallAndSpinsAcrossItsEnd) {
  AdaptiveSpin spin(microseconds(50));
  for (int i = 0; i < 60; ++i) spin.Observe(microseconds(700), /*spun=*/true);
  const WaitPlan plan = spin.plan();
  // Caught while spinning every time: the lead shrinks to its floor of 50 us. Asleep for
  // most of the expected 700 us, awake from 50 us before to 50 us after.
  EXPECT_EQ(spin.lead(), microseconds(50));
  EXPECT_GT(plan.nap, microseconds(640));
  EXPECT_LT(plan.nap, microseconds(660));
  EXPECT_GE(plan.nap + plan.spin, microseconds(740));
}

TEST(AdaptiveSpin, WakesEarlierWhileItKeepsFindingTheAnswerWaiting) {
  AdaptiveSpin spin(microseconds(50));
  for (int i = 0; i < 20; ++i) spin.Observe(microseconds(700), /*spun=*/true);
  const auto before = spin.lead();
  // The answer was there when the nap ended: woke too late, so the lead doubles...
  spin.Observe(microseconds(700), /*spun=*/false);
  EXPECT_EQ(spin.lead(), 2 * before);
  // ... up to 8 x the spin limit, however often it happens.
  for (int i = 0; i < 20; ++i) spin.Observe(microseconds(700), /*spun=*/false);
  EXPECT_EQ(spin.lead(), microseconds(400));
  EXPECT_GT(spin.plan().nap, microseconds(250));
  EXPECT_LT(spin.plan().nap, microseconds(350));
}

TEST(AdaptiveSpin, BacksOffExponentiallyAfterSpinningInVainUpTo64Waits) {
  AdaptiveSpin spin(microseconds(50));
  std::vector<int> slept_without_spinning;  // after each failed spin
  for (int failure = 0; failure < 8; ++failure) {
    const WaitPlan plan = spin.plan();
    ASSERT_GT(plan.spin.count(), 0);
    spin.Observe(plan.nap + plan.spin + milliseconds(10), true);  // the answer came much later
    int skipped = 0;
    while (spin.plan().spin.count() == 0) {
      spin.Observe(milliseconds(50), true);
      ++skipped;
    }
    slept_without_spinning.push_back(skipped);
  }
  EXPECT_EQ(slept_without_spinning, (std::vector<int>{2, 4, 8, 16, 32, 64, 64, 64}));
}

TEST(AdaptiveSpin, ErraticCallsRarelySpinInVain) {
  AdaptiveSpin spin(microseconds(50));
  int wasted = 0;
  for (int i = 0; i < 1000; ++i) {
    const WaitPlan plan = spin.plan();
    const nanoseconds waited = microseconds(i % 2 == 0 ? 300 : 9000);  // never as predicted
    if (plan.spin.count() > 0 && waited > plan.nap + plan.spin) ++wasted;
    spin.Observe(waited, true);
  }
  EXPECT_LT(wasted, 30) << "of 1000 waits";
}

TEST(AdaptiveSpin, OneAnswerInTheWindowEndsTheBackOff) {
  AdaptiveSpin spin(microseconds(50));
  for (int i = 0; i < 5; ++i) {  // fail repeatedly: back-off at 32
    const WaitPlan plan = spin.plan();
    spin.Observe(plan.nap + plan.spin + milliseconds(1), true);
    while (spin.plan().spin.count() == 0) spin.Observe(microseconds(3), true);
  }
  spin.Observe(microseconds(3), true);  // a spin that caught its answer
  const WaitPlan plan = spin.plan();
  spin.Observe(plan.nap + plan.spin + milliseconds(1), true);  // one failure: the first step again
  int skipped = 0;
  while (spin.plan().spin.count() == 0) {
    spin.Observe(microseconds(3), true);
    ++skipped;
  }
  EXPECT_EQ(skipped, 2);
}

}  // namespace
}  // namespace vigil::isolation
