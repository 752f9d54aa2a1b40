// Temporary files of atomic writes (bank files, and the URL lists, which follow the same
// convention): "<target>.tmp-<pid>-<random>", created next to the target and held under an
// exclusive flock(2) by the writing process until it is renamed into place or removed.
//
// An import killed mid-write leaves its temporary file behind; RemoveStaleTempFiles() (run
// by every `vigil lists import`) removes those of dead writers only: a file is stale when
// the process named in it is gone AND its lock can be taken (the lock is released by the
// kernel when the writer dies, whatever PID namespace it ran in). A file without a PID in
// its name (written by an older version: "<target>.tmp-XXXXXX" banks, "<target>.tmp" URL
// lists) is removed when its lock is free and it was last written more than ten minutes ago.
#ifndef VIGIL_HASHBANK_TEMP_FILES_H_
#define VIGIL_HASHBANK_TEMP_FILES_H_

#include <cstddef>
#include <string>
#include <vector>

#include "vigil/hashbank/status.h"

namespace vigil::hashbank {

struct LockedTempFile {
  int fd = -1;       // open for writing, exclusively locked; the caller closes it
  std::string path;  // "<target>.tmp-<pid>-XXXXXX"
};

// Creates and locks a temporary file next to `target`.
Result<LockedTempFile> CreateLockedTempFile(const std::string& target);

// Removes the stale temporary files ("*.tmp-*", "*.tmp") in `directory`; returns their paths.
std::vector<std::string> RemoveStaleTempFiles(const std::string& directory);

}  // namespace vigil::hashbank

#endif  // VIGIL_HASHBANK_TEMP_FILES_H_
