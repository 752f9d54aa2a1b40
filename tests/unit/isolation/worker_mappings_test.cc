// The worker's mapping cache: one mapping per memfd however often it is sent, the
// host's later writes visible, least recently used evicted by count and by bytes but
// never a region the same request needs.
#include "isolation/worker_mappings.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <sys/mman.h>

#include <cstring>
#include <string>
#include <vector>

#include "isolation/media_buffer.h"

namespace vigil::isolation {
namespace {

SealedMemfd Memfd(size_t size, const char* text = "") {
  auto created = CreateSealedMemfd(size, "vigil-test");
  EXPECT_TRUE(created.ok()) << created.status().message();
  std::memcpy(created.value().data, text, std::strlen(text));
  return std::move(created).value();
}

// A received descriptor: a fresh duplicate each call, as SCM_RIGHTS gives.
int Received(const SealedMemfd& m) { return ::dup(m.fd.get()); }

TEST(WorkerMappings, OneMappingPerMemfdAndTheHostsWritesShowThrough) {
  WorkerMappings mappings;
  SealedMemfd a = Memfd(65536, "first item");
  const uint8_t* seen = nullptr;
  for (int call = 0; call < 5; ++call) {
    UniqueFd fd(Received(a));
    auto mapped = mappings.Map({fd.get()});
    ASSERT_TRUE(mapped.ok()) << mapped.status().message();
    ASSERT_EQ(mapped.value().size(), 1u);
    if (seen == nullptr) seen = mapped.value()[0].data;
    EXPECT_EQ(mapped.value()[0].data, seen) << "mapped again on call " << call;
    EXPECT_EQ(mapped.value()[0].size, 65536u);
  }
  EXPECT_EQ(std::memcmp(seen, "first item", 10), 0);
  std::memcpy(a.data, "next item!", 10);  // the host refills the region
  EXPECT_EQ(std::memcmp(seen, "next item!", 10), 0);
  EXPECT_EQ(mappings.mapped_regions(), 1u);
  ::munmap(a.data, 65536);
}

TEST(WorkerMappings, LeastRecentlyUsedGoFirstByCountAndByBytes) {
  WorkerMappings mappings(/*max_bytes=*/2 * 65536, /*max_regions=*/2);
  SealedMemfd a = Memfd(65536, "a"), b = Memfd(65536, "b"), c = Memfd(2 * 65536, "c");
  auto map = [&](const SealedMemfd& m) {
    UniqueFd fd(Received(m));
    auto mapped = mappings.Map({fd.get()});
    EXPECT_TRUE(mapped.ok());
    return mapped.ok() ? mapped.value()[0].data : nullptr;
  };
  const uint8_t* a1 = map(a);
  map(b);
  EXPECT_EQ(map(a), a1) << "a was still cached";
  map(c);  // over both limits: b (least recent) goes, then a for the bytes
  EXPECT_EQ(mappings.mapped_regions(), 1u);
  EXPECT_EQ(*map(c), 'c');
  EXPECT_EQ(*map(a), 'a');
  for (SealedMemfd* m : {&a, &b}) ::munmap(m->data, 65536);
  ::munmap(c.data, 2 * 65536);
}

TEST(WorkerMappings, ARequestsOwnRegionsAreNeverEvictedForEachOther) {
  WorkerMappings mappings(/*max_bytes=*/65536, /*max_regions=*/1);
  SealedMemfd bytes = Memfd(65536, "bytes"), pixels = Memfd(65536, "pixels");
  UniqueFd fd1(Received(bytes)), fd2(Received(pixels));
  auto mapped = mappings.Map({fd1.get(), fd2.get()});  // both, though the cap says one
  ASSERT_TRUE(mapped.ok());
  EXPECT_EQ(std::memcmp(mapped.value()[0].data, "bytes", 5), 0);
  EXPECT_EQ(std::memcmp(mapped.value()[1].data, "pixels", 6), 0);
  ::munmap(bytes.data, 65536);
  ::munmap(pixels.data, 65536);
}

TEST(WorkerMappings, EmptyAndInvalidDescriptors) {
  WorkerMappings mappings;
  UniqueFd fd(::memfd_create("vigil-empty", MFD_CLOEXEC));
  ASSERT_TRUE(fd.valid());
  auto mapped = mappings.Map({fd.get()});
  ASSERT_TRUE(mapped.ok());
  EXPECT_EQ(mapped.value()[0].data, nullptr);
  EXPECT_EQ(mapped.value()[0].size, 0u);
  EXPECT_FALSE(mappings.Map({-1}).ok());
  EXPECT_EQ(mappings.mapped_regions(), 0u);
}

}  // namespace
}  // namespace vigil::isolation
