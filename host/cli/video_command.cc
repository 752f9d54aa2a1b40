// `vigil video hash|match` (issue 16, item 2 foundation): vPDQ of a video file in the
// reference per-frame format, and matching two videos (or their vPDQ files) the reference
// way, with both shares and the matching time ranges in each.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/terminal_text.h"
#include "scan/scan_json.h"
#include "vigil/vpdq/vpdq_hash.h"

namespace vigil::cli {
namespace {

struct SamplingFlags {
  bool every_frame = false;
  double fps = 1.0;
  video::SamplingOptions Options() const {
    video::SamplingOptions s;
    s.every_frame = every_frame;
    s.frames_per_second = fps;
    return s;
  }
};

// A vPDQ text file starts with a frame number; no video container starts with an ASCII
// digit (MP4/MOV box sizes, Matroska, MPEG-TS, AVI and raw H.264 all start with other
// bytes), so the first byte decides how FILE is read.
bool LooksLikeVpdqText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char first = 0;
  return in.get(first) && first >= '0' && first <= '9';
}

StatusOr<std::vector<vpdq::FrameHash>> HashesOf(const std::string& path,
                                                const SamplingFlags& sampling,
                                                vpdq::HashStats* stats = nullptr) {
  if (LooksLikeVpdqText(path)) return vpdq::ReadFrameHashesFile(path);
  auto hashes = vpdq::HashVideoFile(path, sampling.Options(), {}, stats);
  if (!hashes.ok()) return Status::InvalidArgument(path + ": " + hashes.status().message());
  return hashes;
}

std::string Stamp(double seconds) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.3f", seconds);
  return text;
}

std::string RangesText(const std::vector<vpdq::TimeRange>& ranges) {
  if (ranges.empty()) return "";
  std::string out = ", at ";
  bool first = true;
  for (const vpdq::TimeRange& r : ranges) {
    if (!first) out += ", ";
    first = false;
    out += Stamp(r.start_seconds) + "-" + Stamp(r.end_seconds) + " s";
  }
  return out;
}

// Seconds to the millisecond, as the text format prints them (timestamps are computed in
// float, as the reference does, and would otherwise print as 18.766666412353516).
double Millis(double seconds) { return std::round(seconds * 1000.0) / 1000.0; }

nlohmann::ordered_json RangesJson(const std::vector<vpdq::TimeRange>& ranges) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const vpdq::TimeRange& r : ranges) {
    out.push_back(
        {{"start_seconds", Millis(r.start_seconds)}, {"end_seconds", Millis(r.end_seconds)}});
  }
  return out;
}

int Hash(const std::string& path, const SamplingFlags& sampling, bool json) {
  if (LooksLikeVpdqText(path)) {
    PrintError(path + ": not a video (it starts like a vPDQ text file)");
    return 1;
  }
  vpdq::HashStats stats;
  auto hashes = vpdq::HashVideoFile(path, sampling.Options(), {}, &stats);
  if (!hashes.ok()) {
    PrintError(path + ": " + hashes.status().message());
    return 1;
  }
  if (!json) {
    std::fputs(vpdq::FormatFrameHashes(*hashes).c_str(), stdout);
    return 0;
  }
  nlohmann::ordered_json frames = nlohmann::ordered_json::array();
  for (const vpdq::FrameHash& f : *hashes) {
    frames.push_back({{"frame_number", f.frame_number},
                      {"quality", f.quality},
                      {"pdq", f.hash.ToHex()},
                      {"timestamp_seconds", Millis(f.timestamp_seconds)}});
  }
  nlohmann::ordered_json out = {
      {"file", path},
      {"width", stats.width},
      {"height", stats.height},
      {"frame_rate", stats.frame_rate},
      {"sampling",
       sampling.every_frame
           ? nlohmann::ordered_json{{"every_frame", true}}
           : nlohmann::ordered_json{{"every_frame", false}, {"frames_per_second", sampling.fps}}},
      {"frames_decoded", stats.decode.frames_decoded},
      {"frames", frames}};
  std::printf("%s\n", host::JsonText(out).c_str());
  return 0;
}

int Match(const std::string& a, const std::string& b, const SamplingFlags& sampling,
          const vpdq::MatchOptions& options, double match_percent, bool json) {
  auto query = HashesOf(a, sampling);
  if (!query.ok()) {
    PrintError(query.status().message());
    return 1;
  }
  auto compared = HashesOf(b, sampling);
  if (!compared.ok()) {
    PrintError(compared.status().message());
    return 1;
  }
  auto m = vpdq::MatchVideos(*query, *compared, options);
  if (!m.ok()) {
    PrintError(m.status().message());
    return 1;
  }
  bool matched = m->query_frames_compared > 0 && m->query_matched_percent >= match_percent;
  if (json) {
    nlohmann::ordered_json out = {{"query",
                                   {{"file", a},
                                    {"frames_compared", m->query_frames_compared},
                                    {"frames_matched", m->query_frames_matched},
                                    {"matched_percent", m->query_matched_percent},
                                    {"ranges", RangesJson(m->query_ranges)}}},
                                  {"compared",
                                   {{"file", b},
                                    {"frames_compared", m->compared_frames_compared},
                                    {"frames_matched", m->compared_frames_matched},
                                    {"matched_percent", m->compared_matched_percent},
                                    {"ranges", RangesJson(m->compared_ranges)}}},
                                  {"max_distance", options.max_distance},
                                  {"min_quality", options.min_quality},
                                  {"match_percent", match_percent},
                                  {"matched", matched}};
    std::printf("%s\n", host::JsonText(out).c_str());
    return 0;
  }
  char share[64];
  std::snprintf(share, sizeof(share), "%.1f%%", m->query_matched_percent);
  std::printf("query    %s: %zu of %zu frames match (%s)%s\n", TerminalText(a).c_str(),
              m->query_frames_matched, m->query_frames_compared, share,
              RangesText(m->query_ranges).c_str());
  std::snprintf(share, sizeof(share), "%.1f%%", m->compared_matched_percent);
  std::printf("compared %s: %zu of %zu frames match (%s)%s\n", TerminalText(b).c_str(),
              m->compared_frames_matched, m->compared_frames_compared, share,
              RangesText(m->compared_ranges).c_str());
  std::printf("%s (%s: at least %g%% of the query's frames within distance %d, quality >= %d)\n",
              matched ? "match" : "no match", matched ? "yes" : "needs", match_percent,
              options.max_distance, options.min_quality);
  return 0;
}

}  // namespace

void RegisterVideoCommand(CLI::App& app, GlobalOptions& options) {
  CLI::App* video = app.add_subcommand(
      "video", "vPDQ of videos: per-frame hashes (`hash`) and matching two videos (`match`)");
  video->require_subcommand(1);

  static std::string hash_file;
  static SamplingFlags hash_sampling;
  static bool hash_json = false;
  CLI::App* hash = video->add_subcommand(
      "hash",
      "Prints the vPDQ of FILE: one line per sampled frame, frame_number,quality,pdq_hex,"
      "timestamp (the reference's per-frame format; quality under 50 means the frame has "
      "too little detail to match on). Frames are decoded with FFmpeg under limits "
      "(docs/video.md); a bad or oversized video is one error line and exit status 1");
  hash->add_option("FILE", hash_file, "The video (MP4, MOV, Matroska/WebM, AVI, ...)")
      ->required()
      ->type_name("FILE");
  CLI::Option* every =
      hash->add_flag("--every-frame", hash_sampling.every_frame,
                     "Hash every frame at the native rate (as the reference files are made)");
  hash->add_option("--fps", hash_sampling.fps,
                   "Frames per second to sample (default 1: frames whose number is a "
                   "multiple of floor(frame rate / N), as the reference samples)")
      ->type_name("N")
      ->check(CLI::PositiveNumber)
      ->excludes(every);
  hash->add_flag("--json", hash_json,
                 "One JSON object: the video's size and frame rate, the sampling and "
                 "every frame's number, quality, pdq and timestamp_seconds");
  hash->callback([&options] { options.exit_code = Hash(hash_file, hash_sampling, hash_json); });

  static std::string match_a, match_b;
  static SamplingFlags match_sampling;
  static vpdq::MatchOptions match_options;
  static double match_percent = 80.0;
  static bool match_json = false;
  CLI::App* match = video->add_subcommand(
      "match",
      "Matches two videos the vPDQ way: each video's repeated frames count once, frames "
      "under --quality are left out, and a frame matches when a frame of the other video is "
      "within --distance. Prints the share of each video's frames that match and where they "
      "are (time ranges in each video), then \"match\" when at least --match-percent of A's "
      "frames match. A or B may be a vPDQ file (the `video hash` format) instead of a video");
  match->add_option("A", match_a, "The query: a video or a vPDQ file")
      ->required()
      ->type_name("FILE");
  match->add_option("B", match_b, "The video compared with: a video or a vPDQ file")
      ->required()
      ->type_name("FILE");
  match
      ->add_option("--distance", match_options.max_distance,
                   "Frames match at a PDQ Hamming distance up to N (0..256, default 31)")
      ->type_name("N")
      ->check(CLI::Range(0, 256));
  match
      ->add_option("--quality", match_options.min_quality,
                   "Leave out frames of quality under N (0..100, default 50)")
      ->type_name("N")
      ->check(CLI::Range(0, 100));
  match
      ->add_option("--match-percent", match_percent,
                   "Say \"match\" when at least P% of A's frames match (default 80)")
      ->type_name("P")
      ->check(CLI::Range(0.0, 100.0));
  // Every frame by default: vPDQ frames only match frames shown at nearly the same moment,
  // and two copies sampled at 1 fps with a different start rarely sample the same moments
  // (docs/video.md, "Sampling and matching").
  // Assigned on every BuildCli (tests build the app more than once).
  static CLI::Option* match_fps = nullptr;
  match_fps = match->add_option(
      "--fps", match_sampling.fps,
      "Sample videos at N frames per second instead of hashing every frame (faster, but "
      "copies that start at different moments may then sample different frames)");
  match_fps->type_name("N")->check(CLI::PositiveNumber);
  match->add_flag("--json", match_json,
                  "One JSON object: query and compared, each with frames_compared, "
                  "frames_matched, matched_percent and ranges; the thresholds and matched");
  match->callback([&options] {
    match_sampling.every_frame = match_fps->count() == 0;
    options.exit_code =
        Match(match_a, match_b, match_sampling, match_options, match_percent, match_json);
  });
}

}  // namespace vigil::cli
