#include "eval/robustness.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <numeric>
#include <string_view>
#include <thread>

#include "eval/image_transforms.h"
#include "scan/media_sniff.h"
#include "vigil/decode/image_decoder.h"
#include "vigil/pdq/pdq.h"
#include "vigil/plugin.h"

namespace fs = std::filesystem;

namespace vigil::eval {
namespace {

// Whether the file starts like an image the decoder reads (folders hold READMEs too).
bool LooksLikeImage(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  uint8_t head[32] = {};
  in.read(reinterpret_cast<char*>(head), sizeof head);
  return decode::SniffImageFormat(head, static_cast<size_t>(in.gcount())) !=
         decode::ImageFormat::kUnknown;
}

enum class FileKind { kImage, kVideo, kOther };

// As the scan: by the first bytes; a video-named file that is neither is a (damaged) video.
FileKind KindOf(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  char head[64] = {};
  in.read(head, sizeof head);
  const uint32_t kind =
      host::SniffMediaKind(std::string_view(head, static_cast<size_t>(in.gcount())));
  if (kind == VIGIL_MEDIA_IMAGE) return FileKind::kImage;
  if (kind == VIGIL_MEDIA_VIDEO) return FileKind::kVideo;
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* video :
       {".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi", ".ts", ".flv", ".ogv"}) {
    if (ext == video) return FileKind::kVideo;
  }
  return FileKind::kOther;
}

pdq::ImageView ViewOf(const RgbImage& image) {
  pdq::ImageView view;
  view.pixels = image.pixels.data();
  view.size_bytes = image.pixels.size();
  view.width = image.width;
  view.height = image.height;
  view.stride = static_cast<size_t>(image.width) * 3;
  view.format = pdq::PixelFormat::kRgb8;
  return view;
}

struct Work {
  const TransformSpec* spec;
  TransformStrength strength;
};

// Hashes one image and each of its edits, as vigil.pdq would see them: the stored pixels
// (vigil.pdq hashes what the decoder lends, EXIF orientation not applied), all 8
// rotations/mirrors of the copy compared with the original.
ImageResult StudyImage(const std::string& path, const std::vector<Work>& work,
                       const RobustnessOptions& options, pdq::PdqHasher& hasher) {
  ImageResult result;
  result.path = path;
  decode::DecodeLimits limits;
  limits.max_pixels = options.max_pixels;
  auto decoded = decode::DecodeImageFile(path, limits);
  if (!decoded.ok()) {
    result.error = decoded.status().message();
    return result;
  }
  RgbImage original;
  original.width = decoded.value().width;
  original.height = decoded.value().height;
  const uint8_t* rows = decoded.value().pixel_data();
  original.pixels.assign(rows, rows + decoded.value().pixel_bytes());
  result.width = original.width;
  result.height = original.height;
  auto hashed = hasher.Hash(ViewOf(original));
  if (!hashed.ok()) {
    result.error = "pdq: " + hashed.status().message();
    return result;
  }
  result.quality = hashed.value().quality;
  result.pdq = hashed.value().hash.ToHex();
  for (const Work& w : work) {
    EditResult edit;
    edit.transform = w.spec->name;
    edit.strength = w.strength.label;
    edit.value = w.strength.value;
    auto copy = ApplyTransform(original, w.spec->name, w.strength.value);
    if (!copy.ok()) {
      edit.error = copy.status().message();
      result.edits.push_back(std::move(edit));
      continue;
    }
    auto variants = hasher.HashDihedral(ViewOf(copy.value()));
    if (!variants.ok()) {
      edit.error = "pdq: " + variants.status().message();
      result.edits.push_back(std::move(edit));
      continue;
    }
    edit.quality = variants.value().quality;
    edit.distance = pdq::HammingDistance(variants.value().hashes[0], hashed.value().hash);
    edit.dihedral_distance = edit.distance;
    for (const pdq::Hash256& variant : variants.value().hashes) {
      edit.dihedral_distance =
          std::min(edit.dihedral_distance, pdq::HammingDistance(variant, hashed.value().hash));
    }
    const bool good = edit.quality >= options.min_quality;
    edit.matched = good && edit.dihedral_distance <= options.threshold;
    edit.matched_plain = good && edit.distance <= options.threshold;
    result.edits.push_back(std::move(edit));
  }
  return result;
}

}  // namespace

StatusOr<std::vector<std::string>> CollectImages(const std::vector<std::string>& inputs,
                                                 int* skipped) {
  std::vector<std::string> images;
  *skipped = 0;
  for (const std::string& input : inputs) {
    std::error_code ec;
    if (fs::is_directory(input, ec)) {
      std::vector<std::string> found;
      for (fs::recursive_directory_iterator it(input, ec), end; !ec && it != end;
           it.increment(ec)) {
        if (!it->is_regular_file(ec)) continue;
        if (LooksLikeImage(it->path())) {
          found.push_back(it->path().string());
        } else {
          ++*skipped;
        }
      }
      if (ec) return Status::IoError(input + ": " + ec.message());
      std::sort(found.begin(), found.end());
      images.insert(images.end(), found.begin(), found.end());
    } else if (fs::exists(input, ec)) {
      images.push_back(input);
    } else {
      return Status::NotFound(input + ": no such file or folder");
    }
  }
  if (images.empty()) return Status::InvalidArgument("no images in the paths given");
  return images;
}

StatusOr<StudyFiles> CollectStudyFiles(const std::vector<std::string>& inputs) {
  StudyFiles files;
  for (const std::string& input : inputs) {
    std::error_code ec;
    if (fs::is_directory(input, ec)) {
      std::vector<fs::path> found;
      for (fs::recursive_directory_iterator it(input, ec), end; !ec && it != end;
           it.increment(ec)) {
        if (it->is_regular_file(ec)) found.push_back(it->path());
      }
      if (ec) return Status::IoError(input + ": " + ec.message());
      std::sort(found.begin(), found.end());
      for (const fs::path& path : found) {
        switch (KindOf(path)) {
          case FileKind::kImage:
            files.images.push_back(path.string());
            break;
          case FileKind::kVideo:
            files.videos.push_back(path.string());
            break;
          case FileKind::kOther:
            ++files.skipped;
            break;
        }
      }
    } else if (fs::exists(input, ec)) {
      (KindOf(input) == FileKind::kVideo ? files.videos : files.images).push_back(input);
    } else {
      return Status::NotFound(input + ": no such file or folder");
    }
  }
  if (files.images.empty() && files.videos.empty()) {
    return Status::InvalidArgument("no images or videos in the paths given");
  }
  return files;
}

StatusOr<RobustnessStudy> RunRobustnessStudy(const std::vector<std::string>& images,
                                             const RobustnessOptions& options) {
  if (options.threshold < 0 || options.threshold > 256) {
    return Status::InvalidArgument("the threshold must be 0..256");
  }
  std::vector<Work> work;
  std::vector<const TransformSpec*> specs;
  if (options.transforms.empty()) {
    for (const TransformSpec& spec : Transforms()) specs.push_back(&spec);
  } else {
    for (const std::string& name : options.transforms) {
      const TransformSpec* spec = FindTransform(name);
      if (!spec) {
        std::string known;
        for (const TransformSpec& s : Transforms()) known += (known.empty() ? "" : ", ") + s.name;
        return Status::InvalidArgument("unknown transform '" + name + "' (known: " + known + ")");
      }
      if (std::find(specs.begin(), specs.end(), spec) == specs.end()) specs.push_back(spec);
    }
  }
  for (const TransformSpec* spec : specs) {
    for (const TransformStrength& s : options.small ? spec->small : spec->full) {
      work.push_back({spec, s});
    }
  }

  RobustnessStudy study;
  study.images.resize(images.size());
  std::atomic<size_t> next{0};
  std::mutex progress_mutex;
  size_t done = 0;
  auto run = [&] {
    pdq::PdqHasher hasher;
    for (size_t i; (i = next.fetch_add(1)) < images.size();) {
      study.images[i] = StudyImage(images[i], work, options, hasher);
      std::lock_guard<std::mutex> lock(progress_mutex);
      ++done;
      if (options.progress) options.progress(done, images.size());
    }
  };
  unsigned threads = options.threads > 0 ? static_cast<unsigned>(options.threads)
                                         : std::max(1u, std::thread::hardware_concurrency());
  threads = std::min<unsigned>(threads, static_cast<unsigned>(images.size()));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(run);
  run();
  for (std::thread& t : pool) t.join();

  for (size_t w = 0; w < work.size(); ++w) {
    StrengthSummary s;
    s.transform = work[w].spec->name;
    s.strength = work[w].strength.label;
    s.value = work[w].strength.value;
    for (const ImageResult& image : study.images) {
      if (!image.error.empty()) continue;
      const EditResult& edit = image.edits[w];
      if (!edit.error.empty()) {
        ++s.failed;
        continue;
      }
      ++s.images;
      s.distances.push_back(edit.dihedral_distance);
      if (edit.quality < options.min_quality) ++s.low_quality;
      if (edit.matched) ++s.matched;
      if (edit.matched_plain) ++s.matched_plain;
    }
    if (s.images > 0) {
      s.match_rate = static_cast<double>(s.matched) / s.images;
      s.match_rate_plain = static_cast<double>(s.matched_plain) / s.images;
      static_cast<DistanceSummary&>(s) = SummariseDistances(s.distances);
    }
    study.summaries.push_back(std::move(s));
  }
  return study;
}

}  // namespace vigil::eval
