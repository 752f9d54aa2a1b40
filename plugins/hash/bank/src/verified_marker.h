// The verified marker of a bank file (internal): `<bank>.verified` records which version of
// the file (device, inode, size, mtime, ctime, header checksum) was last fully verified, so
// Bank::Open can skip re-reading an unchanged bank. See OpenOptions in bank.h.
#ifndef VIGIL_HASHBANK_SRC_VERIFIED_MARKER_H_
#define VIGIL_HASHBANK_SRC_VERIFIED_MARKER_H_

#include <sys/stat.h>

#include <cstdint>
#include <string>

namespace vigil::hashbank::internal {

// Nanoseconds since the epoch, CLOCK_REALTIME (the clock file timestamps use).
int64_t RealtimeNanos();

// True when the marker for `bank_path` exists, is intact and describes the file `st`
// (with this header checksum).
bool MarkerMatches(const std::string& bank_path, const struct stat& st, uint64_t header_checksum);

// Records that the file `st` (header checksum) was fully verified; best effort (false when
// the marker could not be written). Writes nothing, returning false, when the file's contents
// changed (mtime) within `racy_window_ns` before `verify_started_ns`: a second change in the
// same timestamp tick would leave every recorded field as it was. WriteBankFile sets a new
// bank's mtime back past the window, so the marker it records is trusted at once.
bool RecordMarker(const std::string& bank_path, const struct stat& st, uint64_t header_checksum,
                  int64_t verify_started_ns, int64_t racy_window_ns);

}  // namespace vigil::hashbank::internal

#endif  // VIGIL_HASHBANK_SRC_VERIFIED_MARKER_H_
