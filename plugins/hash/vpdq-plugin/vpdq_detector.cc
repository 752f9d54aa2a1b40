// vigil.vpdq: vPDQ (PDQ per sampled frame, as vigil_vpdq and the reference compute it)
// of each video item, through the vigil.frames/1 extension (the host decodes the video
// once and lends the frames), matched against the listed videos the reference way
// (query-matched and compared-matched shares of frames within the distance), reporting
// a detection with both shares and the matching time ranges in both videos.
//
// Listed videos: a bank's video entries, reference per-frame files
// (`frame_number,quality,pdq_hex,timestamp`, what `vigil video hash --every-frame` prints)
// in DATA_DIR/video-lists/BANK/ENTRY.vpdq, written by `vigil lists import --format vpdq |
// hma-vpdq | te-csv-vpdq --bank BANK` or placed by hand; the bank is BANK, the entry id
// ENTRY. Their frames go into the exact PDQ index the hash banks use (VideoIndex), so a
// scanned video is compared with MatchVideos only against the listed videos the index
// finds. Hash a listed video at every frame: the scanned item is sampled at `fps`, and its
// frames then find their moments in the listed one.
//
// Configuration (DetectorConfig.params):
//   fps            frames per second hashed from a scanned video (default 1; 0 < fps <= 1000)
//   every_frame    "true": hash every frame (default "false")
//   distance       Hamming distance at which frames match, 0..256 (default 31)
//   quality        frames below this PDQ quality are not compared, 0..100 (default 50)
//   match_percent  a listed video matches when at least this share of the scanned
//                  video's frames match it, 0..100 (default 80)
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "vigil/plugin.hpp"
#include "vigil/vpdq/frame_hasher.h"
#include "vigil/vpdq/vpdq.h"
#include "vigil/vpdq/vpdq_index.h"

namespace {

namespace fs = std::filesystem;

double NumberParam(const vigil::v1::DetectorConfig& config, const char* key, double fallback,
                   double low, double high, bool low_inclusive = true) {
  auto it = config.params().find(key);
  if (it == config.params().end()) return fallback;
  try {
    size_t used = 0;
    double value = std::stod(it->second, &used);
    if (used == it->second.size() && std::isfinite(value) &&
        (low_inclusive ? value >= low : value > low) && value <= high) {
      return value;
    }
  } catch (const std::exception&) {
  }
  throw vigil::sdk::ConfigError(std::string(key) + " must be a number " +
                                (low_inclusive ? "from " : "above ") + std::to_string(low) +
                                " to " + std::to_string(high) + ", not '" + it->second + "'");
}

std::string Seconds(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", s);
  return text;
}

std::string Ranges(const std::vector<vigil::vpdq::TimeRange>& ranges) {
  std::string out;
  for (const auto& r : ranges) {
    if (!out.empty()) out += ", ";
    out += Seconds(r.start_seconds) + "-" + Seconds(r.end_seconds) + " s";
  }
  return out.empty() ? "none" : out;
}

struct ListedVideo {
  std::string list;
  std::string entry_id;
};

class VpdqDetector {
 public:
  static constexpr const char* kId = "vigil.vpdq";

  static vigil::v1::DetectorInfo Describe() {
    vigil::v1::DetectorInfo info;
    info.set_id(kId);
    info.set_version("1.0.0");
    info.set_vendor("Vigil");
    info.set_kind(vigil::v1::DETECTOR_KIND_HASH);
    info.set_description(
        "vPDQ (PDQ per sampled frame) of videos, matched against listed videos by the share of "
        "frames within a distance, with the matching seconds of both");
    info.add_accepted_media(vigil::v1::MEDIA_KIND_VIDEO);
    info.add_signal_types("vpdq");
    info.set_config_schema(
        R"({"type":"object","properties":{"fps":{"type":"string"},)"
        R"("every_frame":{"enum":["true","false"]},"distance":{"type":"string"},)"
        R"("quality":{"type":"string"},"match_percent":{"type":"string"}},)"
        R"("additionalProperties":false})");
    info.mutable_cost()->set_typical_us(200000);
    info.mutable_cost()->set_max_ms(30000);
    return info;
  }

  VpdqDetector(const vigil::v1::DetectorConfig& config, const vigil::sdk::Host&) {
    vigil::sdk::RequireKnownParams(config,
                                   {"fps", "every_frame", "distance", "quality", "match_percent"});
    fps_ = NumberParam(config, "fps", 1.0, 0, 1000, /*low_inclusive=*/false);
    auto every = config.params().find("every_frame");
    if (every != config.params().end()) {
      if (every->second != "true" && every->second != "false") {
        throw vigil::sdk::ConfigError("every_frame must be \"true\" or \"false\"");
      }
      every_frame_ = every->second == "true";
    }
    options_.max_distance = static_cast<int>(NumberParam(config, "distance", 31, 0, 256));
    options_.min_quality = static_cast<int>(NumberParam(config, "quality", 50, 0, 100));
    match_percent_ = NumberParam(config, "match_percent", 80, 0, 100);
    if (!config.data_dir().empty()) LoadLists(fs::path(config.data_dir()) / "video-lists");
  }

  // ABI 1.0 path (a host without vigil.frames/1): nothing to hash without frames.
  void Analyze(const vigil::sdk::Item&, vigil::v1::AnalysisResult&) {
    throw vigil::sdk::Error(VIGIL_ERR_UNSUPPORTED,
                            "vigil.vpdq needs a host that lends video frames (vigil.frames/1)");
  }

  struct Video {
    explicit Video(double frame_rate) : hasher(frame_rate) {}
    vigil::vpdq::FrameHasher hasher;
    std::vector<vigil::vpdq::FrameHash> frames;
  };

  void FrameRequest(vigil_frame_request_t& request) {
    request.flags = every_frame_ ? VIGIL_FRAMES_EVERY_FRAME : 0;
    request.frames_per_second = fps_;
    request.max_side = 0;
    request.pixel_format = VIGIL_PIXEL_RGB8;
  }

  std::unique_ptr<Video> BeginVideo(const vigil::sdk::Item&, const vigil_video_info_t& info) {
    return std::make_unique<Video>(info.frame_rate);
  }

  void AnalyzeFrame(Video& video, const vigil_frame_view_t& frame) {
    auto hashed =
        video.hasher.Hash(frame.image.pixels, frame.image.width, frame.image.height,
                          frame.image.stride, frame.frame_number, frame.timestamp_seconds);
    if (!hashed.ok()) throw vigil::sdk::Error(VIGIL_ERR_BAD_INPUT, hashed.status().message());
    video.frames.push_back(*hashed);
  }

  void EndVideo(Video& video, vigil_status_t decode_status, vigil::v1::AnalysisResult& result) {
    if (decode_status != VIGIL_OK) return;  // the host records the item failed
    auto* signal = result.add_signals();
    signal->set_type("vpdq");
    signal->set_value(std::to_string(video.frames.size()) + " frames");
    if (!index_) return;  // nothing listed
    // Only the listed videos the frame index finds near one of this video's frames can
    // reach the share; the same answer as MatchVideos against every listed video.
    auto matches = index_->Match(video.frames, match_percent_);
    if (!matches.ok()) throw vigil::sdk::Error(VIGIL_ERR_INTERNAL, matches.status().message());
    for (const vigil::vpdq::VideoMatch& found : matches.value()) {
      const ListedVideo& listed = listed_[found.video];
      const vigil::vpdq::MatchResult& m = found.result;
      auto* detection = result.add_detections();
      detection->set_label("hash-match");
      detection->set_score(m.query_matched_percent / 100.0);
      detection->set_severity(vigil::v1::SEVERITY_HIGH);
      detection->set_signal_type("vpdq");
      auto* match = detection->mutable_match();
      match->set_bank(listed.list);
      match->set_entry_id(listed.entry_id);
      match->set_distance(options_.max_distance);
      char shares[96];
      std::snprintf(shares, sizeof shares, "%.1f%% of %zu frames (listed video: %.1f%% of %zu)",
                    m.query_matched_percent, m.query_frames_compared, m.compared_matched_percent,
                    m.compared_frames_compared);
      detection->set_reason("vPDQ match with " + listed.list + "/" + listed.entry_id + ": " +
                            shares + "; this video at " + Ranges(m.query_ranges) +
                            ", the listed video at " + Ranges(m.compared_ranges));
      // The same ranges as data, for the console's storyboard and the store.
      for (const auto& r : m.query_ranges) {
        auto* range = detection->add_item_ranges();
        range->set_start_seconds(r.start_seconds);
        range->set_end_seconds(r.end_seconds);
      }
      for (const auto& r : m.compared_ranges) {
        auto* range = match->add_ranges();
        range->set_start_seconds(r.start_seconds);
        range->set_end_seconds(r.end_seconds);
      }
    }
  }

 private:
  void LoadLists(const fs::path& root) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) return;  // no video lists: hash only
    std::vector<fs::path> files;
    for (const auto& list : fs::directory_iterator(root, ec)) {
      if (!list.is_directory()) continue;
      for (const auto& entry : fs::directory_iterator(list.path(), ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".vpdq") {
          files.push_back(entry.path());
        }
      }
    }
    std::sort(files.begin(), files.end());
    std::vector<std::vector<vigil::vpdq::FrameHash>> videos;
    videos.reserve(files.size());
    for (const fs::path& file : files) {
      auto frames = vigil::vpdq::ReadFrameHashesFile(file.string());
      if (!frames.ok()) {
        throw vigil::sdk::ConfigError("video list entry " + file.string() + ": " +
                                      frames.status().message());
      }
      listed_.push_back({file.parent_path().filename().string(), file.stem().string()});
      videos.push_back(std::move(frames).value());
    }
    if (videos.empty()) return;
    // Every listed frame (quality >= the threshold, deduped) in the exact PDQ index.
    auto index = vigil::vpdq::VideoIndex::Build(std::move(videos), options_);
    if (!index.ok()) throw vigil::sdk::ConfigError("video lists: " + index.status().message());
    index_ = std::move(index).value();
  }

  double fps_ = 1.0;
  bool every_frame_ = false;
  vigil::vpdq::MatchOptions options_;
  double match_percent_ = 80;
  std::vector<ListedVideo> listed_;                 // by video index in index_
  std::unique_ptr<vigil::vpdq::VideoIndex> index_;  // null when nothing is listed
};

}  // namespace

VIGIL_PLUGIN(VpdqDetector)
