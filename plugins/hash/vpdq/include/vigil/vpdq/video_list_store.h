// A bank's video entries on disk: DATA_DIR/video-lists/BANK/ID.vpdq, one reference
// per-frame file per listed video (what vigil.vpdq loads and indexes). Applying an import
// writes each entry's file atomically (temp file + rename), so a scan never reads half an
// entry.
#ifndef VIGIL_VPDQ_VIDEO_LIST_STORE_H_
#define VIGIL_VPDQ_VIDEO_LIST_STORE_H_

#include <cstddef>
#include <string>

#include "vigil/vpdq/video_list_import.h"

namespace vigil::vpdq {

struct VideoListStats {
  size_t added = 0;      // entries not there before
  size_t updated = 0;    // there before with other frames
  size_t unchanged = 0;  // kept as they were (not mentioned, or re-imported the same)
  size_t deleted = 0;    // removed by a deletion, or (replace) not in the import
  size_t now = 0;        // entries in the folder afterwards
};

// Applies `import` to the folder `dir` (created when missing). Merge: entries are added or
// replaced by id, deletions remove. `replace`: the folder holds exactly the import's entries.
// Entries and deletions apply in order (a later mention of an id wins).
StatusOr<VideoListStats> ApplyVideoList(const std::string& dir, const VideoListImport& import,
                                        bool replace);

}  // namespace vigil::vpdq

#endif  // VIGIL_VPDQ_VIDEO_LIST_STORE_H_
