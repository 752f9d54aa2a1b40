#include "isolation/shared_media_pool.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <utility>

#include "isolation/media_buffer.h"

namespace vigil::isolation {
namespace {

// Regions are sized in 64 KiB steps, and one is reused for a request only when it is
// at most twice the size asked, so a large region is not tied up by a tiny item.
constexpr size_t kGranule = size_t{64} << 10;

size_t RoundUp(size_t bytes) {
  return (std::max<size_t>(bytes, 1) + kGranule - 1) / kGranule * kGranule;
}

// Every live region of every pool, by start address, for Locate().
struct Registry {
  std::mutex mutex;
  std::map<uintptr_t, std::pair<uintptr_t, int>> regions;  // start -> (end, fd)
};

Registry& TheRegistry() {
  static Registry* registry = new Registry();  // never destroyed: regions may outlive exit order
  return *registry;
}

}  // namespace

SharedRegion::~SharedRegion() {
  if (data_ == nullptr) return;
  {
    Registry& registry = TheRegistry();
    std::lock_guard<std::mutex> lock(registry.mutex);
    registry.regions.erase(reinterpret_cast<uintptr_t>(data_));
  }
  ::munmap(data_, capacity_);
}

struct SharedMediaPool::State {
  explicit State(size_t max_idle) : max_idle_bytes(max_idle) {}

  // Takes a released region back, or frees it when the pool is full.
  void Return(SharedRegion* region) {
    std::unique_ptr<SharedRegion> owned(region);
    std::lock_guard<std::mutex> lock(mutex);
    if (idle_bytes + owned->capacity() > max_idle_bytes) return;  // unmapped by owned
    idle_bytes += owned->capacity();
    idle.emplace(owned->capacity(), std::move(owned));
  }

  const size_t max_idle_bytes;
  mutable std::mutex mutex;
  std::multimap<size_t, std::unique_ptr<SharedRegion>> idle;  // by capacity
  size_t idle_bytes = 0;
  int created = 0;
};

SharedMediaPool::SharedMediaPool(size_t max_idle_bytes)
    : state_(std::make_shared<State>(max_idle_bytes)) {}

SharedMediaPool::~SharedMediaPool() = default;

StatusOr<std::shared_ptr<SharedRegion>> SharedMediaPool::Acquire(size_t bytes) {
  return AcquireFrom(state_, bytes);
}

StatusOr<std::shared_ptr<SharedRegion>> SharedMediaPool::AcquireFrom(
    const std::shared_ptr<State>& state, size_t bytes) {
  const size_t capacity = RoundUp(bytes);
  std::unique_ptr<SharedRegion> region;
  {
    std::lock_guard<std::mutex> lock(state->mutex);
    auto fit = state->idle.lower_bound(capacity);
    if (fit != state->idle.end() && fit->first <= 2 * capacity) {
      region = std::move(fit->second);
      state->idle_bytes -= fit->first;
      state->idle.erase(fit);
    }
  }
  if (region) {
    // A recycled region holds an earlier item; a fresh memfd is already zero.
    std::memset(region->data(), 0, bytes);
  } else {
    auto created = CreateSealedMemfd(capacity, "vigil-media");
    if (!created.ok()) return created.status();
    region.reset(new SharedRegion());
    region->fd_ = std::move(created.value().fd);
    region->data_ = created.value().data;
    region->capacity_ = capacity;
    {
      Registry& registry = TheRegistry();
      std::lock_guard<std::mutex> lock(registry.mutex);
      const uintptr_t start = reinterpret_cast<uintptr_t>(region->data_);
      registry.regions[start] = {start + capacity, region->fd()};
    }
    std::lock_guard<std::mutex> lock(state->mutex);
    ++state->created;
  }
  std::weak_ptr<State> pool = state;
  return std::shared_ptr<SharedRegion>(region.release(), [pool](SharedRegion* r) {
    if (auto state = pool.lock()) {
      state->Return(r);
    } else {
      delete r;
    }
  });
}

decode::PixelStorageFactory SharedMediaPool::Factory() {
  // Holds the pool's state, not the pool: the factory stays usable whatever the
  // order in which the pool and the factory's owner go away.
  std::shared_ptr<State> state = state_;
  return [state](size_t bytes) -> StatusOr<std::shared_ptr<decode::PixelStorage>> {
    auto region = AcquireFrom(state, bytes);
    if (!region.ok()) return region.status();
    return std::shared_ptr<decode::PixelStorage>(std::move(region).value());
  };
}

size_t SharedMediaPool::idle_bytes() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->idle_bytes;
}

int SharedMediaPool::regions_created() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->created;
}

bool SharedMediaPool::Locate(const void* data, size_t size, SharedLocation* location) {
  if (data == nullptr) return false;
  const uintptr_t begin = reinterpret_cast<uintptr_t>(data);
  Registry& registry = TheRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  auto after = registry.regions.upper_bound(begin);
  if (after == registry.regions.begin()) return false;
  const auto& [start, region] = *std::prev(after);
  const auto& [end, fd] = region;
  if (begin >= end || size > end - begin) return false;
  location->fd = fd;
  location->offset = begin - start;
  return true;
}

}  // namespace vigil::isolation
