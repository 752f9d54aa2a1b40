// Video entries from the list formats used in the field (docs/hash-banks.md, "Video
// entries"): one parser per format, each returning the videos it holds, the deletions it
// asks for, and every bad or skipped record with its line.
//
//   kFrames     the reference per-frame file, `frame_number,quality,pdq_hex,timestamp`
//               (vpdq/cpp io/vpdqio.cpp; what `vigil video hash --every-frame` prints):
//               one video, its id given by the caller (the file's name)
//   kHmaVpdq    the pytx / HMA local file: one video per line, `vpdq <signal>` where the
//               signal is pytx's vPDQ JSON text (vigil/vpdq/vpdq_signal.h)
//   kTeCsvVpdq  ThreatExchange CSV (header line, RFC 4180) whose type column says vPDQ
//               (HASH_VIDEO_VPDQ, VIDEO_VPDQ or vpdq) and whose hash column holds the signal
//
// An entry's id is the record's id (te-csv `id` column) when it has one, else
// "vpdq-" + 16 hex digits of a digest of its frames (the same video gets the same id, as
// image entries without an id are identified by their value). Ids are file names in the
// video list folder: 1..100 of letters, digits, '-', '_', '.', not starting with '.'.
#ifndef VIGIL_VPDQ_VIDEO_LIST_IMPORT_H_
#define VIGIL_VPDQ_VIDEO_LIST_IMPORT_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/vpdq/vpdq.h"

namespace vigil::vpdq {

enum class VideoListFormat { kFrames, kHmaVpdq, kTeCsvVpdq };

// "vpdq", "hma-vpdq", "te-csv-vpdq".
std::optional<VideoListFormat> ParseVideoListFormat(std::string_view name);
std::string_view VideoListFormatName(VideoListFormat format);

struct VideoEntry {
  std::string id;
  std::vector<FrameHash> frames;
};

struct VideoListProblem {
  bool ignored = false;  // deliberately skipped (another signal type), not an error
  size_t line = 0;       // 1-based line where the record starts
  std::string message;
  std::string ToString() const;  // "line 4: ..."
};

struct VideoListImport {
  std::vector<VideoEntry> entries;
  std::vector<std::string> deletions;  // ids (te-csv should_delete)
  std::vector<VideoListProblem> problems;
  size_t error_count() const;
};

inline constexpr size_t kMaxVideoListBytes = size_t{1} << 30;

bool IsValidVideoEntryId(std::string_view id);
// "vpdq-" + 16 hex digits of a 64-bit FNV-1a digest of the frames' per-frame text.
std::string VideoEntryIdFor(const std::vector<FrameHash>& frames);

// kInvalidArgument when the document as a whole is unusable (kFrames with a bad line: the
// file is one video; te-csv without a hash column); bad records of hma-vpdq and te-csv-vpdq
// are problems and the others are kept. `frames_id` names the kFrames video.
StatusOr<VideoListImport> ParseVideoList(VideoListFormat format, std::string_view text,
                                         std::string_view frames_id);
StatusOr<VideoListImport> ReadVideoListFile(VideoListFormat format, const std::string& path);

}  // namespace vigil::vpdq

#endif  // VIGIL_VPDQ_VIDEO_LIST_IMPORT_H_
