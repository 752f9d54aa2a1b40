// WorkerMappings: a worker's read-only mappings of the memfds the host sends it, kept
// from call to call. The host recycles its shared regions (SharedMediaPool), so an
// item usually arrives in a region this worker has mapped before: then the call costs
// an fstat, not an mmap, a page fault per 4 KiB read and an munmap.
#ifndef VIGIL_HOST_ISOLATION_WORKER_MAPPINGS_H_
#define VIGIL_HOST_ISOLATION_WORKER_MAPPINGS_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <list>
#include <vector>

#include "core/status.h"

namespace vigil::isolation {

struct MappedRegion {
  const uint8_t* data = nullptr;
  size_t size = 0;  // the memfd's whole size
};

class WorkerMappings {
 public:
  // Keeps at most `max_regions` mappings and `max_bytes` mapped (the worker lives
  // under RLIMIT_AS); the least recently used go first.
  explicit WorkerMappings(size_t max_bytes = size_t{512} << 20, size_t max_regions = 8);
  ~WorkerMappings();
  WorkerMappings(const WorkerMappings&) = delete;
  WorkerMappings& operator=(const WorkerMappings&) = delete;

  // The whole files behind `fds` (one request's descriptors), mapped read-only, in
  // order; valid until the next call. The descriptors may be closed afterwards. A
  // size-0 file maps to {nullptr, 0}.
  StatusOr<std::vector<MappedRegion>> Map(const std::vector<int>& fds);

  size_t mapped_regions() const { return entries_.size(); }

 private:
  struct Entry {
    dev_t device;
    ino_t inode;
    MappedRegion region;
  };
  void Evict(std::list<Entry>::iterator entry);
  // Makes room for `size` more bytes, never evicting the first `keep` entries.
  void MakeRoom(size_t size, size_t keep);

  size_t max_bytes_;
  size_t max_regions_;
  size_t mapped_bytes_ = 0;
  std::list<Entry> entries_;  // most recently used first
};

}  // namespace vigil::isolation

#endif  // VIGIL_HOST_ISOLATION_WORKER_MAPPINGS_H_
