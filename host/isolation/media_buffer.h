// MediaBuffer: the shared memory an item's bytes and pixels travel through to a worker.
//
// One per worker, reused for every item: a memfd the host keeps mapped writable and
// that is sealed against everyone else (F_SEAL_FUTURE_WRITE, F_SEAL_SHRINK,
// F_SEAL_GROW). The worker receives the descriptor with each request and can only
// read it; the host refills it for the next item, after the worker answered, so no
// page is allocated again per item. It grows (a new memfd) when an item needs more.
#ifndef VIGIL_HOST_ISOLATION_MEDIA_BUFFER_H_
#define VIGIL_HOST_ISOLATION_MEDIA_BUFFER_H_

#include <cstddef>
#include <cstdint>

#include "core/status.h"
#include "isolation/unique_fd.h"

namespace vigil::isolation {

// A memfd of `capacity` bytes mapped writable here, then sealed (F_SEAL_FUTURE_WRITE,
// F_SEAL_SHRINK, F_SEAL_GROW, F_SEAL_SEAL): this mapping is the only writer there
// will ever be; others can map it read-only. Unmap `data` with munmap(capacity).
struct SealedMemfd {
  UniqueFd fd;
  uint8_t* data = nullptr;
};
StatusOr<SealedMemfd> CreateSealedMemfd(size_t capacity, const char* name);

class MediaBuffer {
 public:
  MediaBuffer() = default;
  ~MediaBuffer();
  MediaBuffer(const MediaBuffer&) = delete;
  MediaBuffer& operator=(const MediaBuffer&) = delete;

  // Makes room for `size` bytes (the old contents are not kept).
  Status Reserve(size_t size);
  uint8_t* data() { return data_; }
  int fd() const { return fd_.get(); }
  size_t capacity() const { return capacity_; }

 private:
  void Unmap();

  UniqueFd fd_;
  uint8_t* data_ = nullptr;
  size_t capacity_ = 0;
};

}  // namespace vigil::isolation

#endif  // VIGIL_HOST_ISOLATION_MEDIA_BUFFER_H_
