// SharedMediaPool: shared memory for items' bytes and decoded pixels, so that a
// sandboxed worker reads the very pages the host read the file and decoded into: no
// copy per worker, and a worker keeps its mapping of a region from item to item.
//
// A region is a memfd the host maps writable and then seals against every other
// writer (F_SEAL_FUTURE_WRITE, F_SEAL_SHRINK, F_SEAL_GROW), as MediaBuffer does. A
// released region goes back to the pool and is handed out again, zero-filled, for a
// later item it fits; so after the first few items no page is allocated, faulted in
// or mapped again, here or in the workers.
//
// What a worker can see: a worker that mapped a region once can read whatever later
// items the host puts there, which are other items' bytes and pixels. Every worker
// that is sent an image is sent every image of the scan anyway; docs/isolation.md
// says so.
#ifndef VIGIL_HOST_ISOLATION_SHARED_MEDIA_POOL_H_
#define VIGIL_HOST_ISOLATION_SHARED_MEDIA_POOL_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/status.h"
#include "isolation/unique_fd.h"
#include "vigil/decode/image_decoder.h"

namespace vigil::isolation {

// One sealed memfd and the host's writable mapping of it.
class SharedRegion : public decode::PixelStorage {
 public:
  ~SharedRegion() override;
  SharedRegion(const SharedRegion&) = delete;
  SharedRegion& operator=(const SharedRegion&) = delete;

  uint8_t* data() override { return data_; }
  size_t capacity() const { return capacity_; }
  int fd() const { return fd_.get(); }

 private:
  friend class SharedMediaPool;
  SharedRegion() = default;

  UniqueFd fd_;
  uint8_t* data_ = nullptr;
  size_t capacity_ = 0;
};

// Where a range of host memory lives when it is inside a live SharedRegion.
struct SharedLocation {
  int fd = -1;          // the region's memfd (owned by the region: dup or send, never close)
  uint64_t offset = 0;  // of the range's first byte in the memfd
};

class SharedMediaPool {
 public:
  // Keeps at most `max_idle_bytes` of released regions for reuse; more are unmapped.
  explicit SharedMediaPool(size_t max_idle_bytes = size_t{256} << 20);
  ~SharedMediaPool();
  SharedMediaPool(const SharedMediaPool&) = delete;
  SharedMediaPool& operator=(const SharedMediaPool&) = delete;

  // A zero-filled region of at least `bytes` bytes. It returns to the pool when the
  // last reference goes (the pool may be gone by then: the region is then unmapped).
  // [thread-safe]
  StatusOr<std::shared_ptr<SharedRegion>> Acquire(size_t bytes);

  // Acquire() as a decode::PixelStorageFactory.
  decode::PixelStorageFactory Factory();

  // Bytes of released regions kept for reuse, and regions created so far.
  size_t idle_bytes() const;
  int regions_created() const;

  // The region holding all of [data, data + size), if any region of any pool does.
  // [thread-safe]
  static bool Locate(const void* data, size_t size, SharedLocation* location);

 private:
  struct State;
  static StatusOr<std::shared_ptr<SharedRegion>> AcquireFrom(const std::shared_ptr<State>& state,
                                                             size_t bytes);
  std::shared_ptr<State> state_;
};

}  // namespace vigil::isolation

#endif  // VIGIL_HOST_ISOLATION_SHARED_MEDIA_POOL_H_
