// The shared media pool: zeroed, sealed regions that are recycled, and Locate() that
// finds which region (and where in it) a pointer lives.
#include "isolation/shared_media_pool.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace vigil::isolation {
namespace {

bool AllZero(const uint8_t* data, size_t size) {
  for (size_t i = 0; i < size; ++i) {
    if (data[i] != 0) return false;
  }
  return true;
}

TEST(SharedMediaPool, RegionsAreZeroedSealedAndReadableThroughTheirDescriptor) {
  SharedMediaPool pool;
  auto region = pool.Acquire(100000);
  ASSERT_TRUE(region.ok()) << region.status().message();
  SharedRegion& r = *region.value();
  ASSERT_GE(r.capacity(), 100000u);
  EXPECT_TRUE(AllZero(r.data(), 100000));
  std::memcpy(r.data() + 5000, "pixels", 6);
  // What a worker does with the descriptor: it can map it to read, never to write.
  const int seals = ::fcntl(r.fd(), F_GET_SEALS);
  EXPECT_TRUE(seals & F_SEAL_FUTURE_WRITE);
  EXPECT_TRUE(seals & F_SEAL_GROW);
  EXPECT_TRUE(seals & F_SEAL_SHRINK);
  void* writable = ::mmap(nullptr, r.capacity(), PROT_READ | PROT_WRITE, MAP_SHARED, r.fd(), 0);
  EXPECT_EQ(writable, MAP_FAILED);
  EXPECT_EQ(::pwrite(r.fd(), "x", 1, 0), -1);
  void* readable = ::mmap(nullptr, r.capacity(), PROT_READ, MAP_SHARED, r.fd(), 0);
  ASSERT_NE(readable, MAP_FAILED);
  EXPECT_EQ(std::memcmp(static_cast<uint8_t*>(readable) + 5000, "pixels", 6), 0);
  // The host writes on; a mapping made earlier sees it (workers keep theirs).
  std::memcpy(r.data() + 5000, "PIXELS", 6);
  EXPECT_EQ(std::memcmp(static_cast<uint8_t*>(readable) + 5000, "PIXELS", 6), 0);
  ::munmap(readable, r.capacity());
}

TEST(SharedMediaPool, ReleasedRegionsAreReusedAndZeroedAgain) {
  SharedMediaPool pool;
  int fd = -1;
  {
    auto first = pool.Acquire(1 << 20);
    ASSERT_TRUE(first.ok());
    std::memset(first.value()->data(), 0xAB, 1 << 20);
    fd = first.value()->fd();
  }
  EXPECT_GE(pool.idle_bytes(), size_t{1} << 20);
  auto second = pool.Acquire((1 << 20) - 100);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second.value()->fd(), fd) << "a released region that fits must be reused";
  EXPECT_EQ(pool.regions_created(), 1);
  EXPECT_TRUE(AllZero(second.value()->data(), (1 << 20) - 100)) << "an earlier item leaked through";
  EXPECT_EQ(pool.idle_bytes(), 0u);
}

TEST(SharedMediaPool, SizesThatDoNotFitGetTheirOwnRegion) {
  SharedMediaPool pool;
  { auto big = pool.Acquire(8 << 20); ASSERT_TRUE(big.ok()); }
  { auto small = pool.Acquire(1000); ASSERT_TRUE(small.ok()); }  // 8 MiB is too wasteful
  EXPECT_EQ(pool.regions_created(), 2);
  { auto bigger = pool.Acquire(9 << 20); ASSERT_TRUE(bigger.ok()); }  // 8 MiB is too small
  EXPECT_EQ(pool.regions_created(), 3);
}

TEST(SharedMediaPool, IdleRegionsBeyondTheCapAreUnmapped) {
  SharedMediaPool pool(/*max_idle_bytes=*/1 << 20);
  auto a = pool.Acquire(1 << 20);
  auto b = pool.Acquire(1 << 20);
  ASSERT_TRUE(a.ok() && b.ok());
  const uint8_t* data = b.value()->data();
  a.value().reset();  // kept: the pool had room
  b.value().reset();  // over the cap: unmapped
  EXPECT_EQ(pool.idle_bytes(), size_t{1} << 20);
  SharedLocation where;
  EXPECT_FALSE(SharedMediaPool::Locate(data, 1, &where)) << "the second region must be gone";
}

TEST(SharedMediaPool, LocateFindsTheRegionAndOffsetOfAWholeRange) {
  SharedMediaPool pool;
  auto region = pool.Acquire(300000);
  ASSERT_TRUE(region.ok());
  SharedRegion& r = *region.value();
  SharedLocation where;
  ASSERT_TRUE(SharedMediaPool::Locate(r.data() + 1234, 5000, &where));
  EXPECT_EQ(where.fd, r.fd());
  EXPECT_EQ(where.offset, 1234u);
  EXPECT_TRUE(SharedMediaPool::Locate(r.data(), r.capacity(), &where));
  EXPECT_FALSE(SharedMediaPool::Locate(r.data() + 1, r.capacity(), &where)) << "runs past the end";
  EXPECT_FALSE(SharedMediaPool::Locate(r.data() + r.capacity(), 1, &where));
  std::vector<uint8_t> heap(100);
  EXPECT_FALSE(SharedMediaPool::Locate(heap.data(), heap.size(), &where));
  EXPECT_FALSE(SharedMediaPool::Locate(nullptr, 0, &where));
}

TEST(SharedMediaPool, RegionsOutliveThePool) {
  std::shared_ptr<SharedRegion> kept;
  {
    SharedMediaPool pool;
    auto region = pool.Acquire(4096);
    ASSERT_TRUE(region.ok());
    kept = std::move(region).value();
  }
  kept->data()[4095] = 1;  // still mapped
  const uint8_t* data = kept->data();
  kept.reset();            // unmapped now, not returned to a dead pool
  SharedLocation where;
  EXPECT_FALSE(SharedMediaPool::Locate(data, 1, &where));
}

TEST(SharedMediaPool, TheFactoryOutlivesThePool) {
  decode::PixelStorageFactory factory;
  {
    SharedMediaPool pool;
    factory = pool.Factory();
  }
  auto storage = factory(100);
  ASSERT_TRUE(storage.ok());
  EXPECT_TRUE(AllZero(storage.value()->data(), 100));
}

}  // namespace
}  // namespace vigil::isolation
