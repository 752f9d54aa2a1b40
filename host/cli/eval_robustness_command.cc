// vigil eval robustness PATH... [--transform NAME]... [--small] [--threshold N]
//                               [--min-quality N] [--json FILE] [--html DIR] [--threads N]
//
// Issue 17 item 4: edits benign images (resize, crop, JPEG quality, rotate, flip, watermark,
// letterbox) at several strengths and reports, per transform and strength, the PDQ distance
// between each edited copy and its original and the share that would still match at the
// threshold vigil.pdq uses. docs/evaluation.md "Robustness study".
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

namespace fs = std::filesystem;

namespace vigil::cli {
namespace {

struct RobustnessArgs {
  std::vector<std::string> inputs;
  eval::RobustnessOptions study;
  std::string json_file;
  std::string html_dir;
};

nlohmann::ordered_json StudyJson(const eval::RobustnessStudy& study, const RobustnessArgs& args) {
  nlohmann::ordered_json report;
  report["threshold"] = args.study.threshold;
  report["min_quality"] = args.study.min_quality;
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
  return report;
}

void PrintTable(const eval::RobustnessStudy& study, const RobustnessArgs& args) {
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

int RunRobustness(RobustnessArgs& args) {
  int skipped = 0;
  auto images = eval::CollectImages(args.inputs, &skipped);
  if (!images.ok()) {
    PrintError("eval robustness: " + images.status().message());
    return 1;
  }
  const bool tty = ::isatty(STDERR_FILENO);
  args.study.progress = [tty](size_t done, size_t total) {
    if (tty) std::fprintf(stderr, "\rvigil: robustness %zu/%zu images", done, total);
    if (tty && done == total) std::fprintf(stderr, "\n");
  };
  auto study = eval::RunRobustnessStudy(images.value(), args.study);
  if (!study.ok()) {
    PrintError("eval robustness: " + study.status().message());
    return 2;
  }
  study.value().skipped_files = skipped;
  for (const eval::ImageResult& image : study.value().images) {
    if (!image.error.empty()) PrintError(image.path + ": " + image.error + " (left out)");
  }
  const std::string json_text = StudyJson(study.value(), args).dump(2) + "\n";
  if (args.json_file == "-") {
    std::fwrite(json_text.data(), 1, json_text.size(), stdout);
  } else {
    PrintTable(study.value(), args);
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
  // Every image unreadable: nothing was measured.
  for (const eval::ImageResult& image : study.value().images) {
    if (image.error.empty()) return 0;
  }
  PrintError("eval robustness: no image could be read");
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
  CLI::App* cmd = eval.add_subcommand(
      "robustness",
      "How far PDQ moves when benign images are edited: each image (files, or every image "
      "under the folders given) is decoded as a scan decodes it, edited at each strength of "
      "each transform, and hashed again; per transform and strength it reports the "
      "distance to the original (all 8 rotations/mirrors, as vigil.pdq matches) and the "
      "share that would still match. Transforms" +
          transforms + ". docs/evaluation.md");
  cmd->add_option("PATH", args.inputs, "Image files or folders of them")->required();
  cmd->add_option("--transform", args.study.transforms,
                  "Run only this transform (repeatable; default: every one)")
      ->type_name("NAME");
  cmd->add_flag("--small", args.study.small,
                "Two strengths per transform (one for flip and letterbox): a quick study");
  cmd->add_option("--threshold", args.study.threshold,
                  "Distance that still matches, 0 to 256 (default 31, as vigil.pdq)")
      ->check(CLI::Range(0, 256));
  cmd->add_option("--min-quality", args.study.min_quality,
                  "An edited copy below this PDQ quality never matches, 0 to 100 (default 50, "
                  "as vigil.pdq)")
      ->check(CLI::Range(0, 100));
  cmd->add_option("--json", args.json_file,
                  "Write the study as JSON to FILE ('-': stdout instead of the table)")
      ->type_name("FILE");
  cmd->add_option("--html", args.html_dir,
                  "Write an HTML report with PNG plots (distance per strength, match rate) "
                  "into DIR; needs python3 with matplotlib")
      ->type_name("DIR");
  cmd->add_option("--threads", args.study.threads,
                  "Images studied at once, 1 to 256 (default, 0: one per CPU)")
      ->check(CLI::Range(0, 256));
  cmd->add_option("--max-pixels", args.study.max_pixels,
                  "Largest image (width x height) decoded, 1 to 900000000")
      ->check(CLI::Range(int64_t{1}, int64_t{900'000'000}));
  cmd->callback([&options] { options.exit_code = RunRobustness(args); });
  return cmd;
}

}  // namespace vigil::cli
