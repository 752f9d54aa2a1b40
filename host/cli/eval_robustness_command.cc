// vigil eval robustness PATH... [--transform NAME]... [--small] [--threshold N]
//                               [--min-quality N] [--match-percent P] [--fps N]
//                               [--json FILE] [--html DIR] [--threads N]
//
// Issue 17 item 4: edits benign images (resize, crop, JPEG quality, rotate, flip, watermark,
// letterbox) and re-encodes benign videos (H.264 CRF, scaled, lower frame rate, MPEG-4) at
// several strengths and reports, per transform and strength, the PDQ (vPDQ: per frame)
// distance between each copy and its original and the share that would still match at the
// thresholds vigil.pdq and `vigil video match` use. docs/evaluation.md "Robustness study".
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/report_script.h"
#include "core/terminal_text.h"
#include "eval/image_transforms.h"
#include "eval/robustness.h"
#include "eval/video_robustness.h"
#include "eval/video_transforms.h"

namespace fs = std::filesystem;

namespace vigil::cli {
namespace {

struct RobustnessArgs {
  std::vector<std::string> inputs;
  eval::RobustnessOptions study;
  std::vector<std::string> transforms;  // --transform: image and video names together
  double match_percent = 80;
  double fps = 0;
  std::string json_file;
  std::string html_dir;
};

// Adds the video part of the study to `report`.
void AddVideoJson(const eval::VideoRobustnessStudy& study, nlohmann::ordered_json& report) {
  int read = 0;
  nlohmann::ordered_json failed = nlohmann::ordered_json::array();
  for (const eval::VideoResult& video : study.videos) {
    if (video.error.empty()) {
      ++read;
    } else {
      failed.push_back({{"path", video.path}, {"error", video.error}});
    }
  }
  report["videos"] = read;
  report["failed_videos"] = failed;
  nlohmann::ordered_json transforms = nlohmann::ordered_json::array();
  for (const eval::VideoStrengthSummary& s : study.summaries) {
    if (transforms.empty() || transforms.back()["name"] != s.transform) {
      const eval::VideoTransformSpec* spec = eval::FindVideoTransform(s.transform);
      transforms.push_back({{"name", s.transform},
                            {"meaning", spec ? spec->meaning : ""},
                            {"strengths", nlohmann::ordered_json::array()}});
    }
    transforms.back()["strengths"].push_back(
        {{"strength", s.strength},
         {"value", s.value},
         {"videos", s.videos},
         {"failed", s.failed},
         {"matched", s.matched},
         {"match_rate", s.match_rate},
         {"mean_query_matched_percent", s.mean_query_matched_percent},
         {"frames", s.frames},
         {"frames_within", s.frames_within},
         {"frame_match_rate", s.frame_match_rate},
         {"low_quality_frames", s.low_quality},
         {"bytes_ratio", s.bytes_ratio},
         {"distance",
          {{"min", s.min}, {"p50", s.p50}, {"p90", s.p90}, {"max", s.max}, {"mean", s.mean}}},
         {"distances", s.distances}});
  }
  report["video_transforms"] = transforms;
  nlohmann::ordered_json items = nlohmann::ordered_json::array();
  for (const eval::VideoResult& video : study.videos) {
    if (!video.error.empty()) continue;
    nlohmann::ordered_json edits = nlohmann::ordered_json::array();
    for (const eval::VideoEditResult& e : video.edits) {
      nlohmann::ordered_json edit = {{"transform", e.transform}, {"strength", e.strength}};
      if (!e.error.empty()) {
        edit["error"] = e.error;
      } else {
        edit["bytes"] = e.bytes;
        edit["width"] = e.width;
        edit["height"] = e.height;
        edit["frames"] = e.frames;
        edit["low_quality_frames"] = e.low_quality;
        edit["frames_compared"] = e.distances.size();
        edit["frames_within"] = e.frames_within;
        edit["query_matched_percent"] = e.query_matched_percent;
        edit["compared_matched_percent"] = e.compared_matched_percent;
        edit["matched"] = e.matched;
      }
      edits.push_back(edit);
    }
    items.push_back({{"path", video.path},
                     {"width", video.width},
                     {"height", video.height},
                     {"frame_rate", video.frame_rate},
                     {"bytes", video.bytes},
                     {"frames", video.frames},
                     {"low_quality_frames", video.low_quality},
                     {"edits", edits}});
  }
  report["video_items"] = items;
}

nlohmann::ordered_json StudyJson(const eval::RobustnessStudy& study,
                                 const eval::VideoRobustnessStudy& videos,
                                 const RobustnessArgs& args) {
  nlohmann::ordered_json report;
  report["threshold"] = args.study.threshold;
  report["min_quality"] = args.study.min_quality;
  report["match_percent"] = args.match_percent;
  report["fps"] = args.fps;
  report["small"] = args.study.small;
  int hashed = 0;
  nlohmann::ordered_json failed = nlohmann::ordered_json::array();
  for (const eval::ImageResult& image : study.images) {
    if (image.error.empty()) {
      ++hashed;
    } else {
      failed.push_back({{"path", image.path}, {"error", image.error}});
    }
  }
  report["images"] = hashed;
  report["failed_images"] = failed;
  report["skipped_files"] = study.skipped_files;
  nlohmann::ordered_json transforms = nlohmann::ordered_json::array();
  for (const eval::StrengthSummary& s : study.summaries) {
    if (transforms.empty() || transforms.back()["name"] != s.transform) {
      const eval::TransformSpec* spec = eval::FindTransform(s.transform);
      transforms.push_back({{"name", s.transform},
                            {"meaning", spec ? spec->meaning : ""},
                            {"strengths", nlohmann::ordered_json::array()}});
    }
    transforms.back()["strengths"].push_back(
        {{"strength", s.strength},
         {"value", s.value},
         {"images", s.images},
         {"failed", s.failed},
         {"low_quality", s.low_quality},
         {"matched", s.matched},
         {"match_rate", s.match_rate},
         {"matched_plain", s.matched_plain},
         {"match_rate_plain", s.match_rate_plain},
         {"distance",
          {{"min", s.min}, {"p50", s.p50}, {"p90", s.p90}, {"max", s.max}, {"mean", s.mean}}},
         {"distances", s.distances}});
  }
  report["transforms"] = transforms;
  nlohmann::ordered_json items = nlohmann::ordered_json::array();
  for (const eval::ImageResult& image : study.images) {
    if (!image.error.empty()) continue;
    nlohmann::ordered_json edits = nlohmann::ordered_json::array();
    for (const eval::EditResult& e : image.edits) {
      nlohmann::ordered_json edit = {{"transform", e.transform}, {"strength", e.strength}};
      if (!e.error.empty()) {
        edit["error"] = e.error;
      } else {
        edit["distance"] = e.distance;
        edit["dihedral_distance"] = e.dihedral_distance;
        edit["quality"] = e.quality;
        edit["matched"] = e.matched;
      }
      edits.push_back(edit);
    }
    items.push_back({{"path", image.path},
                     {"width", image.width},
                     {"height", image.height},
                     {"quality", image.quality},
                     {"pdq", image.pdq},
                     {"edits", edits}});
  }
  report["items"] = items;
  AddVideoJson(videos, report);
  return report;
}

void PrintVideoTable(const eval::VideoRobustnessStudy& study, const RobustnessArgs& args) {
  std::printf("%-10s %-12s %6s %8s %8s %8s %5s %5s %5s %6s %6s\n", "video", "strength", "videos",
              "match", "query", "frames", "p50", "p90", "max", "lowq", "failed");
  for (const eval::VideoStrengthSummary& s : study.summaries) {
    std::printf("%-10s %-12s %6d %7.1f%% %7.1f%% %7.1f%% %5d %5d %5d %6lld %6d\n",
                s.transform.c_str(), s.strength.c_str(), s.videos, 100 * s.match_rate,
                s.mean_query_matched_percent, 100 * s.frame_match_rate, s.p50, s.p90, s.max,
                static_cast<long long>(s.low_quality), s.failed);
  }
  std::printf(
      "match: videos whose copy has >= %g%% of its frames within distance %d of the original "
      "(quality >= %d; `vigil video match`); query: mean query-matched share; frames: copy "
      "frames within the distance of the original frame at the same time; p50/p90/max: that "
      "distance\n",
      args.match_percent, args.study.threshold, args.study.min_quality);
}

void PrintTable(const eval::RobustnessStudy& study, const RobustnessArgs& args) {
  if (study.images.empty()) return;
  std::printf("%-10s %-12s %6s %8s %8s %5s %5s %5s %6s %6s\n", "transform", "strength", "images",
              "match", "plain", "p50", "p90", "max", "lowq", "failed");
  for (const eval::StrengthSummary& s : study.summaries) {
    std::printf("%-10s %-12s %6d %7.1f%% %7.1f%% %5d %5d %5d %6d %6d\n", s.transform.c_str(),
                s.strength.c_str(), s.images, 100 * s.match_rate, 100 * s.match_rate_plain, s.p50,
                s.p90, s.max, s.low_quality, s.failed);
  }
  std::printf(
      "match: dihedral distance <= %d and quality >= %d (vigil.pdq's defaults); plain: without "
      "the 7 rotations/mirrors; p50/p90/max: dihedral distance\n",
      args.study.threshold, args.study.min_quality);
}

// --transform names image and video transforms alike: each goes to its own study. Named
// transforms of one kind only leave the other kind's files unstudied.
bool SplitTransforms(RobustnessArgs& args, eval::VideoRobustnessOptions& video) {
  args.study.transforms.clear();
  for (const std::string& name : args.transforms) {
    if (eval::FindTransform(name)) {
      args.study.transforms.push_back(name);
    } else if (eval::FindVideoTransform(name)) {
      video.transforms.push_back(name);
    } else {
      std::string known;
      for (const eval::TransformSpec& t : eval::Transforms()) known += ", " + t.name;
      for (const eval::VideoTransformSpec& t : eval::VideoTransforms()) known += ", " + t.name;
      PrintError("eval robustness: unknown transform '" + name + "' (known: " + known.substr(2) +
                 ")");
      return false;
    }
  }
  return true;
}

int RunRobustness(RobustnessArgs& args) {
  eval::VideoRobustnessOptions video;
  if (!SplitTransforms(args, video)) return 2;
  auto files = eval::CollectStudyFiles(args.inputs);
  if (!files.ok()) {
    PrintError("eval robustness: " + files.status().message());
    return 1;
  }
  const bool all = args.transforms.empty();
  if (!all && args.study.transforms.empty()) files.value().images.clear();
  if (!all && video.transforms.empty()) files.value().videos.clear();
  if (files.value().images.empty() && files.value().videos.empty()) {
    PrintError("eval robustness: no " +
               std::string(args.study.transforms.empty() ? "videos" : "images") +
               " for the transforms named");
    return 1;
  }
  const bool tty = ::isatty(STDERR_FILENO);
  args.study.progress = [tty](size_t done, size_t total) {
    if (tty) std::fprintf(stderr, "\rvigil: robustness %zu/%zu images", done, total);
    if (tty && done == total) std::fprintf(stderr, "\n");
  };
  eval::RobustnessStudy images;
  if (!files.value().images.empty()) {
    auto study = eval::RunRobustnessStudy(files.value().images, args.study);
    if (!study.ok()) {
      PrintError("eval robustness: " + study.status().message());
      return 2;
    }
    images = std::move(study.value());
  }
  images.skipped_files = files.value().skipped;
  for (const eval::ImageResult& image : images.images) {
    if (!image.error.empty()) PrintError(image.path + ": " + image.error + " (left out)");
  }
  video.small = args.study.small;
  video.max_distance = args.study.threshold;
  video.min_quality = args.study.min_quality;
  video.match_percent = args.match_percent;
  video.frames_per_second = args.fps;
  video.threads = args.study.threads;
  video.progress = [tty](size_t done, size_t total) {
    if (tty) std::fprintf(stderr, "\rvigil: robustness %zu/%zu videos", done, total);
    if (tty && done == total) std::fprintf(stderr, "\n");
  };
  eval::VideoRobustnessStudy videos;
  if (!files.value().videos.empty()) {
    auto study = eval::RunVideoRobustnessStudy(files.value().videos, video);
    if (!study.ok()) {
      PrintError("eval robustness: " + study.status().message());
      return 2;
    }
    videos = std::move(study.value());
  }
  for (const eval::VideoResult& v : videos.videos) {
    if (!v.error.empty()) PrintError(v.path + ": " + v.error + " (left out)");
  }
  const std::string json_text = StudyJson(images, videos, args).dump(2) + "\n";
  if (args.json_file == "-") {
    std::fwrite(json_text.data(), 1, json_text.size(), stdout);
  } else {
    PrintTable(images, args);
    if (!videos.videos.empty()) PrintVideoTable(videos, args);
  }
  std::fflush(stdout);
  if (!args.json_file.empty() && args.json_file != "-" && !WriteText(args.json_file, json_text)) {
    PrintError("cannot write " + args.json_file + ": " + std::strerror(errno));
    return 1;
  }
  if (!args.html_dir.empty()) {
    std::error_code ec;
    fs::create_directories(args.html_dir, ec);
    const fs::path json_path = fs::path(args.html_dir) / "robustness.json";
    if (ec || !WriteText(json_path, json_text)) {
      PrintError("cannot write " + json_path.string() + ": " +
                 (ec ? ec.message() : std::strerror(errno)));
      return 1;
    }
    if (std::string why = RunReportScript("robustness_report.py", json_path, args.html_dir);
        !why.empty()) {
      PrintError(
          "the HTML report needs python3 with matplotlib (Debian python3-matplotlib; "
          "$VIGIL_PYTHON names another interpreter): " +
          why);
      return 1;
    }
    std::fprintf(stderr, "vigil: report %s\n",
                 TerminalText((fs::path(args.html_dir) / "index.html").string()).c_str());
  }
  // Every file unreadable: nothing was measured.
  for (const eval::ImageResult& image : images.images) {
    if (image.error.empty()) return 0;
  }
  for (const eval::VideoResult& v : videos.videos) {
    if (v.error.empty()) return 0;
  }
  PrintError(std::string("eval robustness: no ") +
             (images.images.empty()   ? "video"
              : videos.videos.empty() ? "image"
                                      : "image or video") +
             " could be read");
  return 1;
}

}  // namespace

CLI::App* RegisterEvalRobustnessCommand(CLI::App& eval, GlobalOptions& options) {
  static RobustnessArgs args;
  std::string transforms;
  for (const eval::TransformSpec& spec : eval::Transforms()) {
    std::string strengths;
    for (const eval::TransformStrength& s : spec.full) {
      strengths += (strengths.empty() ? "" : ", ") + s.label;
    }
    transforms += (transforms.empty() ? ": " : "; ") + spec.name + " (" + spec.meaning + ": " +
                  strengths + ")";
  }
  std::string video_transforms;
  for (const eval::VideoTransformSpec& spec : eval::VideoTransforms()) {
    std::string strengths;
    for (const eval::TransformStrength& s : spec.full) {
      strengths += (strengths.empty() ? "" : ", ") + s.label;
    }
    video_transforms += (video_transforms.empty() ? ": " : "; ") + spec.name + " (" + spec.meaning +
                        ": " + strengths + ")";
  }
  CLI::App* cmd = eval.add_subcommand(
      "robustness",
      "How far PDQ moves when benign images are edited, and vPDQ when benign videos are "
      "re-encoded: each image (files, or every image under the folders given) is decoded as "
      "a scan decodes it, edited at each strength of each transform, and hashed again; per "
      "transform and strength it reports the distance to the original (all 8 "
      "rotations/mirrors, as vigil.pdq matches) and the share that would still match. Each "
      "video (told apart from images by its first bytes, as a scan does, or by a video file "
      "name) is decoded once, re-encoded into memory at each strength, hashed with vPDQ and "
      "compared with the original frame by frame at the same time and as `vigil video "
      "match` matches. Image transforms" +
          transforms + ". Video transforms" + video_transforms + ". docs/evaluation.md");
  cmd->add_option("PATH", args.inputs, "Image or video files, or folders of them")->required();
  cmd->add_option("--transform", args.transforms,
                  "Run only this transform, image or video (repeatable; default: every one; "
                  "naming only image transforms leaves videos out, and the reverse)")
      ->type_name("NAME");
  cmd->add_flag("--small", args.study.small,
                "Fewer strengths per transform (two, or one for flip, letterbox, scale, fps "
                "and mpeg4): a quick study");
  cmd->add_option("--threshold", args.study.threshold,
                  "Distance that still matches, 0 to 256 (default 31, as vigil.pdq; for videos "
                  "the per-frame distance, as `vigil video match --distance`)")
      ->check(CLI::Range(0, 256));
  cmd->add_option("--min-quality", args.study.min_quality,
                  "An edited copy (a video frame) below this PDQ quality never matches, 0 to "
                  "100 (default 50, as vigil.pdq and `vigil video match --quality`)")
      ->check(CLI::Range(0, 100));
  cmd->add_option("--match-percent", args.match_percent,
                  "A video copy matches when at least this share of its frames match, 0 to "
                  "100 (default 80, as `vigil video match`)")
      ->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--fps", args.fps,
                  "Hash videos and their copies at N frames per second, above 0 and at most "
                  "1000 (default: every frame, as `vigil video match`)")
      ->check(CLI::Range(0.001, 1000.0))
      ->type_name("N");
  cmd->add_option("--json", args.json_file,
                  "Write the study as JSON to FILE ('-': stdout instead of the table)")
      ->type_name("FILE");
  cmd->add_option("--html", args.html_dir,
                  "Write an HTML report with PNG plots (distance per strength, match rate) "
                  "into DIR; needs python3 with matplotlib")
      ->type_name("DIR");
  cmd->add_option("--threads", args.study.threads,
                  "Images (videos) studied at once, 1 to 256 (default, 0: one per CPU)")
      ->check(CLI::Range(0, 256));
  cmd->add_option("--max-pixels", args.study.max_pixels,
                  "Largest image (width x height) decoded, 1 to 900000000")
      ->check(CLI::Range(int64_t{1}, int64_t{900'000'000}));
  cmd->callback([&options] { options.exit_code = RunRobustness(args); });
  return cmd;
}

}  // namespace vigil::cli
