#include "isolation/worker_mappings.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace vigil::isolation {

WorkerMappings::WorkerMappings(size_t max_bytes, size_t max_regions)
    : max_bytes_(max_bytes), max_regions_(max_regions == 0 ? 1 : max_regions) {}

WorkerMappings::~WorkerMappings() {
  while (!entries_.empty()) Evict(entries_.begin());
}

void WorkerMappings::Evict(std::list<Entry>::iterator entry) {
  ::munmap(const_cast<uint8_t*>(entry->region.data), entry->region.size);
  mapped_bytes_ -= entry->region.size;
  entries_.erase(entry);
}

void WorkerMappings::MakeRoom(size_t size, size_t keep) {
  while (entries_.size() > keep &&
         (entries_.size() >= max_regions_ || mapped_bytes_ + size > max_bytes_)) {
    Evict(std::prev(entries_.end()));
  }
}

StatusOr<std::vector<MappedRegion>> WorkerMappings::Map(const std::vector<int>& fds) {
  std::vector<MappedRegion> out;
  size_t in_use = 0;  // entries at the front that this request uses: never evicted now
  for (int fd : fds) {
    struct stat st;
    if (::fstat(fd, &st) != 0) return Status::IoError("fstat of the media memfd failed");
    if (st.st_size <= 0) {
      out.push_back(MappedRegion{});
      continue;
    }
    const size_t size = static_cast<size_t>(st.st_size);
    // A mapping keeps its file alive, so while it is here its inode number cannot be
    // reused by another memfd: (device, inode) names the same memory. The host seals
    // its regions against resizing, so the size cannot have changed either.
    auto hit = entries_.begin();
    for (; hit != entries_.end(); ++hit) {
      if (hit->device == st.st_dev && hit->inode == st.st_ino && hit->region.size == size) break;
    }
    if (hit != entries_.end()) {
      entries_.splice(entries_.begin(), entries_, hit);
    } else {
      MakeRoom(size, in_use);
      // Shared and read-only: the host's later writes show through (it refills a
      // region for the next item), and the memfd's seal forbids making it writable.
      // MAP_POPULATE sets up every page now, in one call, not a fault per page.
      void* data = ::mmap(nullptr, size, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
      if (data == MAP_FAILED) {
        return Status::Resource(std::string("cannot map the media memfd: ") +
                                std::strerror(errno));
      }
      entries_.push_front(
          Entry{st.st_dev, st.st_ino, MappedRegion{static_cast<uint8_t*>(data), size}});
      mapped_bytes_ += size;
    }
    ++in_use;
    out.push_back(entries_.front().region);
  }
  return out;
}

}  // namespace vigil::isolation
