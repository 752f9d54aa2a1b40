// vigil scan PATH... | - | --manifest FILE   [--json] [--no-store] [--policy FILE] ...
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/scan_progress.h"
#include "cli/scan_session.h"
#include "core/terminal_text.h"
#include "scan/scan_json.h"
#include "store/store.h"

namespace vigil::cli {
namespace {

struct ScanOptions {
  std::vector<std::string> paths;
  std::string manifest;
  bool json = false;
  ScanSessionOptions session;
};

int RunScan(GlobalOptions& global, const ScanOptions& options) {
  // Intake: paths, "-" (a list on stdin), and/or a manifest.
  std::vector<host::IntakeItem> items;
  std::vector<std::filesystem::path> paths;
  for (const std::string& p : options.paths) {
    if (p == "-") {
      auto listed = host::ItemsFromList(std::cin);
      items.insert(items.end(), listed.begin(), listed.end());
    } else if (host::LooksLikeUrl(p)) {
      host::IntakeItem url;
      url.url = p;
      items.push_back(url);
    } else {
      paths.emplace_back(p);
    }
  }
  auto from_paths = host::ItemsFromPaths(paths);
  items.insert(items.end(), from_paths.begin(), from_paths.end());
  if (!options.manifest.empty()) {
    std::ifstream in(options.manifest);
    if (!in) {
      PrintError("cannot read the manifest " + options.manifest);
      return 1;
    }
    auto listed = host::ItemsFromManifest(in, options.manifest);
    items.insert(items.end(), listed.begin(), listed.end());
  }
  if (items.empty()) {
    PrintError("nothing to scan: give files, directories, URLs, '-' or --manifest");
    return 1;
  }

  auto opened = ScanSession::Open(global, options.session);
  if (!opened.ok()) {
    if (!opened.status().message().empty()) PrintError(opened.status().message());
    return 1;
  }
  ScanSession& session = *opened.value();

  int64_t scanned = 0, failed = 0, detections = 0, queued = 0, already = 0;
  ScanProgress progress(static_cast<int64_t>(items.size()), isatty(STDERR_FILENO) != 0);
  const bool human = !options.json;
  // What a recorded (or already scanned) item adds to the counts and the output.
  auto report = [&](host::ItemRecord& record) {
    if (record.already_scanned) {
      // Read and hashed only: the store has it from this detector set. Nothing changes.
      ++scanned;
      ++already;
      if (!human) {
        nlohmann::ordered_json line = {{"item", record.path},
                                       {"sha256", record.sha256},
                                       {"media_kind", record.media_kind},
                                       {"status", "already-scanned"}};
        std::cout << host::JsonText(line) << "\n";
      }
      progress.Update(scanned, failed, detections);
      return;
    }
    nlohmann::ordered_json line = host::ItemRecordToJson(record);
    ++scanned;
    failed += record.failed() ? 1 : 0;
    detections += static_cast<int64_t>(line["detections"].size());
    queued += record.outcome.disposition == host::Disposition::kReview ||
              record.outcome.disposition == host::Disposition::kFailed;
    if (!human) {
      std::cout << host::JsonText(line) << "\n";
    } else if (record.failed() || !line["detections"].empty()) {
      progress.Finish();  // keep the line readable above the progress bar
      // Paths and reasons (plugins' words) are untrusted: one line per item, no controls.
      std::cout << TerminalText(record.path.empty() ? record.url : record.path) << ": "
                << host::DispositionName(record.outcome.disposition)
                << (record.outcome.reason.empty()
                        ? ""
                        : " (" + TerminalText(record.outcome.reason) + ")")
                << "\n";
    }
    progress.Update(scanned, failed, detections);
  };
  Status status = session.Run(std::move(items), report);
  progress.Finish();
  std::cout.flush();
  if (!status.ok()) {
    PrintError(status.message());
    return status.code() == Status::Code::kCancelled ? 130 : 1;
  }
  if (human) {
    std::fprintf(stderr,
                 "vigil: scanned %lld items with %zu detectors on %d threads: %lld failed, "
                 "%lld detections, %lld queued for review, %lld already scanned, %lld "
                 "rescanned%s%s\n",
                 static_cast<long long>(scanned), session.detector_count(), session.threads(),
                 static_cast<long long>(failed), static_cast<long long>(detections),
                 static_cast<long long>(queued), static_cast<long long>(already),
                 static_cast<long long>(session.rescanned()),
                 session.store() ? "; store " : "",
                 session.store() ? TerminalText(StorePath(global).string()).c_str() : "");
    // Why items the store already had were analysed again, one line per reason:
    // "vigil: 5 rescanned: model changed (vigil.classifier)".
    if (session.shadow_count() > 0) {
      std::fprintf(stderr, "vigil: %zu shadow detector%s ran beside them (`vigil eval shadow`)\n",
                   session.shadow_count(), session.shadow_count() == 1 ? "" : "s");
    }
    for (const auto& [why, count] : session.rescanned_because()) {
      std::fprintf(stderr, "vigil: %lld rescanned: %s\n", static_cast<long long>(count),
                   TerminalText(why).c_str());
    }
  }
  if (!human) {
    // --json: the summary as one JSON object on stderr (stdout holds one line per item).
    nlohmann::ordered_json summary = {{"summary",
                                       {{"items", scanned},
                                        {"failed", failed},
                                        {"detections", detections},
                                        {"queued", queued},
                                        {"already_scanned", already},
                                        {"rescanned", session.rescanned()},
                                        {"rescanned_because", session.rescanned_because()}}}};
    std::cerr << host::JsonText(summary) << "\n";
  }
  return 0;
}

}  // namespace

void RegisterScanCommand(CLI::App& app, GlobalOptions& options) {
  static ScanOptions scan;
  CLI::App* cmd = app.add_subcommand(
      "scan",
      "Scan items with every loaded detector, decide each with the policy and record the "
      "results in the store. Items that fail are reported with a reason and recorded as "
      "failed, never as clean. Exit status 0 when the scan completed (failed items "
      "included), 130 when interrupted (what was scanned is recorded; run again to "
      "continue: items the store already has from the same detectors, versions, plugin "
      "and model files (by SHA-256), settings, policy and lists are read and hashed only, "
      "and counted as already scanned; items it has from a different set are rescanned, "
      "and the summary says why), 1 on errors. A file that claims to be an image (by "
      "extension, a manifest content_type or a partial header) but does not decode is "
      "failed, never clear. Paths are "
      "printed and stored as real paths (symbolic links resolved).");
  cmd->add_option("PATH", scan.paths,
                  "Files, directories (recursive), URLs, or '-' for a list of paths/URLs on stdin");
  cmd->add_option("--manifest", scan.manifest,
                  "JSON lines with path or url, source, uploader_id, received, content_type, "
                  "attributes")
      ->type_name("FILE");
  cmd->add_flag("--json", scan.json, "One JSON object per item on stdout");
  cmd->add_flag("--no-store", scan.session.no_store, "Do not record anything");
  cmd->add_flag("--rescan", scan.session.rescan,
                "Analyse every item, even those the store already has from the same "
                "detector set (counted as rescanned: --rescan)");
  cmd->add_option("--shadow", scan.session.shadow,
                  "Run this loaded detector as a shadow (repeatable; issue 17): beside the "
                  "others on the same decoded pixels, its results recorded as shadow results "
                  "only, never used by the policy, queued, acted on or sent to webhooks; its "
                  "failures never fail an item. Items the store already has are skipped as "
                  "usual (add --rescan). Compare with `vigil eval shadow`")
      ->type_name("ID")
      ->allow_extra_args(false);
  cmd->add_option("--policy", scan.session.policy,
                  "Policy file (TOML; default: the built-in policy). Every detector it names "
                  "must load, or nothing is scanned")
      ->type_name("FILE");
  cmd->add_option("--threads", scan.session.threads, "Worker threads, 1 to 256 (default, 0: one per CPU)")
      ->check(CLI::Range(0, 256));
  cmd->add_option("--deadline-ms", scan.session.deadline_ms,
                  "Per-detector deadline for one item, 1 to 3600000 ms; a later answer fails "
                  "the item")
      ->check(CLI::Range(1, 3600000));
  // Ranges are checked on the text, as signed numbers: "-1" must not wrap to 2^64 - 1
  // and turn the limit off. 900 MP is the decoder's own ceiling (30,000 px a side).
  cmd->add_option("--max-pixels", scan.session.max_pixels,
                  "Largest image (width x height) decoded, 1 to 900000000; larger images "
                  "fail with a reason")
      ->check(CLI::Range(int64_t{1}, int64_t{900'000'000}));
  cmd->add_option("--max-detections-per-detector", scan.session.max_detections_per_detector,
                  "Detections kept from one detector for one item (default 256); the most "
                  "severe, then highest-scoring are kept and the truncation is recorded")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--max-detections-per-item", scan.session.max_detections_per_item,
                  "Detections kept for one item over all detectors (default 1024)")
      ->check(CLI::Range(1, 1000000));
  cmd->callback([&options] { options.exit_code = RunScan(options, scan); });
}

}  // namespace vigil::cli
