// The robustness study (issue 17 item 4): how far PDQ moves when benign images are edited,
// and whether the edited copy would still match its original at the threshold the hash
// detector uses. docs/evaluation.md "Robustness study".
#ifndef VIGIL_HOST_EVAL_ROBUSTNESS_H_
#define VIGIL_HOST_EVAL_ROBUSTNESS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "eval/distance_summary.h"

namespace vigil::eval {

struct RobustnessOptions {
  std::vector<std::string> transforms;  // names (image_transforms.h); empty: every one
  bool small = false;                   // each transform's short list of strengths
  int threshold = 31;                   // vigil.pdq's default
  int min_quality = 50;                 // vigil.pdq's default: a query below it never matches
  uint64_t max_pixels = 100'000'000;    // decode limit, as `vigil scan --max-pixels`
  int threads = 0;                      // 0: one per CPU
  // Called after each image (from the calling thread's point of view, serialised).
  std::function<void(size_t done, size_t total)> progress;
};

// One edited copy of one image.
struct EditResult {
  std::string transform;
  std::string strength;       // its label
  double value = 0;           // the number the label stands for
  std::string error;          // non-empty: the edit or its hash failed (then nothing below)
  int distance = 0;           // PDQ Hamming distance, edited copy to original
  int dihedral_distance = 0;  // the least over the copy's 8 rotations/mirrors (vigil.pdq's default)
  int quality = 0;            // the copy's PDQ quality
  bool matched = false;       // quality >= min_quality and dihedral_distance <= threshold
  bool matched_plain = false;  // the same without the 7 variants (dihedral "false")
};

struct ImageResult {
  std::string path;
  std::string error;  // non-empty: unreadable or not decodable; no edits were made
  uint32_t width = 0, height = 0;
  int quality = 0;  // the original's PDQ quality
  std::string pdq;  // the original's hash (hex)
  std::vector<EditResult> edits;
};

// Everything one transform at one strength did over the images that were hashed.
struct StrengthSummary : DistanceSummary {  // min, p50, p90, max, mean of `distances`
  std::string transform;
  std::string strength;
  double value = 0;
  int images = 0;       // edited and hashed
  int failed = 0;       // the edit or its hash failed
  int low_quality = 0;  // copies under min_quality (never matched)
  int matched = 0;
  int matched_plain = 0;
  double match_rate = 0;  // matched / images (0 without images)
  double match_rate_plain = 0;
  std::vector<int> distances;  // dihedral distances, in image order (for the plots)
};

struct RobustnessStudy {
  std::vector<ImageResult> images;
  std::vector<StrengthSummary> summaries;  // transform order, then strength order
  int skipped_files = 0;                   // files in the folders given that are not images
};

// The image files: each path given that is a file, and every file under each folder
// given (recursively, sorted) that starts like an image format the decoder reads.
StatusOr<std::vector<std::string>> CollectImages(const std::vector<std::string>& inputs,
                                                 int* skipped);

// What a study is given: the images and the videos, told apart as `vigil scan` tells them
// (by their first bytes; a file that starts like neither but whose name ends like a
// video, .mp4 .mov .m4v .mkv .webm .avi .ts .flv .ogv, is taken as a video so that a
// damaged one is reported rather than skipped). Each path given that is a file is studied
// (an image unless it is a video as above); under each folder given, recursively and
// sorted, the files that are neither are counted in `skipped`.
struct StudyFiles {
  std::vector<std::string> images;
  std::vector<std::string> videos;
  int skipped = 0;
};
StatusOr<StudyFiles> CollectStudyFiles(const std::vector<std::string>& inputs);

// Runs the study. Errors only for bad options (an unknown transform, a threshold out of
// 0..256); an image that cannot be read is reported in its ImageResult.
StatusOr<RobustnessStudy> RunRobustnessStudy(const std::vector<std::string>& images,
                                             const RobustnessOptions& options);

}  // namespace vigil::eval

#endif  // VIGIL_HOST_EVAL_ROBUSTNESS_H_
