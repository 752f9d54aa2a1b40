#include "verified_marker.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <ctime>

#include "checksum.h"
#include "vigil/hashbank/bank.h"

namespace vigil::hashbank {

std::string VerifiedMarkerPath(const std::string& bank_path) { return bank_path + ".verified"; }

namespace internal {
namespace {

constexpr char kMarkerMagic[8] = {'V', 'G', 'B', 'K', 'V', 'E', 'R', '1'};

struct MarkerRecord {
  char magic[8];
  uint64_t device;
  uint64_t inode;
  uint64_t size;
  int64_t mtime_ns;
  int64_t ctime_ns;
  uint64_t header_checksum;
  uint64_t checksum;  // of the bytes before this field
};

int64_t Nanos(const struct timespec& t) {
  return static_cast<int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

MarkerRecord Describe(const struct stat& st, uint64_t header_checksum) {
  MarkerRecord m{};
  std::memcpy(m.magic, kMarkerMagic, sizeof m.magic);
  m.device = static_cast<uint64_t>(st.st_dev);
  m.inode = static_cast<uint64_t>(st.st_ino);
  m.size = static_cast<uint64_t>(st.st_size);
  m.mtime_ns = Nanos(st.st_mtim);
  m.ctime_ns = Nanos(st.st_ctim);
  m.header_checksum = header_checksum;
  m.checksum = Checksum64(&m, offsetof(MarkerRecord, checksum));
  return m;
}

}  // namespace

int64_t RealtimeNanos() {
  struct timespec now {};
  ::clock_gettime(CLOCK_REALTIME, &now);
  return Nanos(now);
}

bool MarkerMatches(const std::string& bank_path, const struct stat& st, uint64_t header_checksum) {
  const int fd = ::open(VerifiedMarkerPath(bank_path).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  MarkerRecord stored{};
  const ssize_t n = ::read(fd, &stored, sizeof stored);
  ::close(fd);
  if (n != static_cast<ssize_t>(sizeof stored)) return false;
  const MarkerRecord expected = Describe(st, header_checksum);
  return std::memcmp(&stored, &expected, sizeof stored) == 0;
}

bool RecordMarker(const std::string& bank_path, const struct stat& st, uint64_t header_checksum,
                  int64_t verify_started_ns, int64_t racy_window_ns) {
  const std::string marker = VerifiedMarkerPath(bank_path);
  // Every change of the contents sets the mtime to the current time: a file whose mtime is
  // older than the window cannot change without its mtime moving past the recorded one.
  if (Nanos(st.st_mtim) >= verify_started_ns - racy_window_ns) {
    ::unlink(marker.c_str());  // an older marker describes another version: drop it
    return false;
  }
  const MarkerRecord m = Describe(st, header_checksum);
  // A torn or partial write fails the record's checksum, which reads as "no marker".
  const int fd = ::open(marker.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  const bool ok = ::write(fd, &m, sizeof m) == static_cast<ssize_t>(sizeof m);
  ::close(fd);
  if (!ok) ::unlink(marker.c_str());
  return ok;
}

}  // namespace internal
}  // namespace vigil::hashbank
