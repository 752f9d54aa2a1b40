// The media buffer: reused, grown, and read-only for everyone but the host.
#include "isolation/media_buffer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace vigil::isolation {
namespace {

TEST(MediaBuffer, GrowsAndIsReused) {
  MediaBuffer buffer;
  ASSERT_TRUE(buffer.Reserve(10).ok());
  const int first = buffer.fd();
  EXPECT_GE(buffer.capacity(), 10u);
  ASSERT_TRUE(buffer.Reserve(buffer.capacity()).ok());
  EXPECT_EQ(buffer.fd(), first) << "a size that fits must not make a new memfd";
  ASSERT_TRUE(buffer.Reserve(buffer.capacity() + 1).ok());
  EXPECT_GT(buffer.capacity(), 1u << 20);
  buffer.data()[buffer.capacity() - 1] = 7;  // the host's mapping stays writable
}

TEST(MediaBuffer, OthersCannotWriteOrResize) {
  MediaBuffer buffer;
  ASSERT_TRUE(buffer.Reserve(4096).ok());
  std::memcpy(buffer.data(), "item", 4);
  // What a worker gets: the descriptor. Reopening it writable gives no way to write.
  const std::string path = "/proc/self/fd/" + std::to_string(buffer.fd());
  UniqueFd other(::open(path.c_str(), O_RDWR | O_CLOEXEC));
  ASSERT_TRUE(other.valid());
  EXPECT_EQ(::write(other.get(), "evil", 4), -1);
  EXPECT_EQ(errno, EPERM);
  void* shared = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, other.get(), 0);
  EXPECT_EQ(shared, MAP_FAILED);
  EXPECT_NE(::ftruncate(other.get(), 1), 0);
  EXPECT_EQ(::fcntl(other.get(), F_ADD_SEALS, F_SEAL_WRITE), -1);  // the seals are sealed
  void* readable = ::mmap(nullptr, 4096, PROT_READ, MAP_SHARED, other.get(), 0);
  ASSERT_NE(readable, MAP_FAILED);
  EXPECT_EQ(std::string(static_cast<const char*>(readable), 4), "item");
  ::munmap(readable, 4096);
}

}  // namespace
}  // namespace vigil::isolation
