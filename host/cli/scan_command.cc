// vigil scan PATH... | - | --manifest FILE   [--json] [--no-store] [--policy FILE] ...
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "cli/bank_holds_command.h"
#include "cli/commands.h"
#include "cli/scan_progress.h"
#include "core/terminal_text.h"
#include "isolation/isolation_runtime.h"
#include "pipeline/pipeline.h"
#include "policy/policy.h"
#include "scan/scan_json.h"
#include "store/named_queues.h"
#include "store/review_rounds.h"
#include "store/scan_ledger.h"
#include "store/store.h"

namespace vigil::cli {
namespace {

struct ScanOptions {
  std::vector<std::string> paths;
  std::string manifest;
  std::string policy;
  bool json = false;
  bool no_store = false;
  bool rescan = false;
  int threads = 0;
  int deadline_ms = 60000;
  uint64_t max_pixels = 100'000'000;
  int max_detections_per_detector = 256;
  int max_detections_per_item = 1024;
};

// What scans the items (store/scan_ledger.h): every detector's id and version, the
// SHA-256 of its plugin file and of its model files (each file hashed once per run,
// here, or taken from the signature check that already hashed it), the --set settings,
// the policy text and the lists' state. Without `files` (--no-store: nothing is recorded)
// no file is hashed.
StatusOr<host::DetectorSet> CurrentDetectorSet(const GlobalOptions& global,
                                               const host::PluginRegistry& registry,
                                               const std::string& policy_text, bool files) {
  host::DetectorSet set;
  for (const host::Detector& detector : registry.detectors()) {
    set.versions[detector.id()] = detector.info().version();
    if (!files || !global.isolation) continue;
    auto plugin = global.isolation->PluginDigest(detector.plugin_path());
    if (!plugin.ok()) {
      return Status::IoError("detector '" + detector.id() + "': " + plugin.status().message());
    }
    set.plugins[detector.id()] = plugin.value();
    auto model = global.isolation->ModelDigests(detector.id());
    if (!model.ok()) {
      return Status::IoError("detector '" + detector.id() + "': " + model.status().message());
    }
    if (!model.value().empty()) set.models[detector.id()] = model.value();
  }
  set.settings = global.settings;
  set.policy_text = policy_text;
  set.data_state = host::DataFolderState(DataDir(global));
  return set;
}

int RunScan(GlobalOptions& global, const ScanOptions& options) {
  host::DetectionLimits detection_limits;
  detection_limits.per_detector = static_cast<size_t>(options.max_detections_per_detector);
  detection_limits.per_item = static_cast<size_t>(options.max_detections_per_item);
  if (Status s = detection_limits.Validate(); !s.ok()) {
    PrintError(s.message());
    return 1;
  }
  host::Policy policy = host::Policy::Default();
  std::string policy_text = host::kDefaultPolicyToml;
  if (!options.policy.empty()) {
    auto loaded = host::Policy::Load(options.policy);
    if (!loaded.ok()) {
      PrintError(loaded.status().message());
      return 1;
    }
    policy = loaded.value();
    std::ifstream in(options.policy, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    policy_text = text.str();
  }
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

  host::PluginRegistry registry;
  LoadPlugins(global, registry);
  for (const auto& error : registry.errors()) PrintError("warning: " + error.status.message());
  if (registry.detectors().empty()) {
    PrintError("no detectors loaded: install plugins beside vigil, or name a directory with "
               "--plugin-dir or VIGIL_PLUGIN_PATH");
    return 1;
  }
  if (global.isolation) {
    if (Status model = global.isolation->ModelStatus(); !model.ok()) {
      PrintError(model.message() + "; nothing scanned");
      return 1;
    }
  }
  // A detector the policy names must be there: without it the policy would silently
  // decide differently (a missing hash matcher turns known matches into "clear").
  for (const std::string& id : policy.NamedDetectors()) {
    if (registry.Find(id) != nullptr) continue;
    std::string why;
    for (const auto& error : registry.errors()) {
      if (error.status.message().find("'" + id + "'") != std::string::npos) {
        why = " (" + error.status.message() + ")";
        break;
      }
    }
    PrintError("the policy relies on detector '" + id + "', which did not load" + why +
               "; nothing scanned: install it, or use a --policy that does not name it");
    return 1;
  }
  // After the model and policy checks, whose messages say why a detector is missing.
  if (Status settings = CheckSettings(global, registry); !settings.ok()) {
    PrintError(settings.message());
    return 1;
  }
  const std::set<std::string> first_party = registry.FirstPartyDetectorIds();
  std::unique_ptr<host::Store> store;
  if (!options.no_store) {
    auto opened = host::Store::Open(StorePath(global));
    if (!opened.ok()) {
      PrintError(opened.status().message());
      return 1;
    }
    store = std::move(opened).value();
    for (const auto& warning : store->schema_warnings()) PrintError("warning: " + warning);
    // Issue 13 item 3: a team store (or keep_media) keeps the media of queued items.
    if (Status s = KeepMediaIfConfigured(global, *store); !s.ok()) {
      PrintError(s.message());
      return 1;
    }
    // The policy's named queues, so the console and `vigil queues` know who works them.
    if (Status s = host::RecordQueueSpecs(store->db(), policy.routing().queues()); !s.ok()) {
      PrintError(s.message());
      return 1;
    }
    // Its [review] settings: second review, QA sampling, golden items (review_rounds.h).
    if (Status s = host::RecordReviewSettings(store->db(), policy.review()); !s.ok()) {
      PrintError(s.message());
      return 1;
    }
    // Issue 13 item 6: the policy's bank rules (reviewers' decisions apply them), then the
    // store's local banks and disabled entries into the lists folder before detectors load.
    if (Status s = host::RecordBankRules(store->db(), policy.bank_rules()); !s.ok()) {
      PrintError(s.message());
      return 1;
    }
    if (!SyncBanksFromStore(global, *store)) return 1;
    // Plugins' outbound HTTPS requests (vigil.http/1) go into this store's audit log.
    if (global.isolation) {
      auto audit = isolation::StoreEgressAudit::Open(StorePath(global));
      if (!audit.ok()) {
        PrintError(audit.status().message());
        return 1;
      }
      global.isolation->SetEgressAudit(audit.value());
    }
  }
  host::PipelineOptions pipeline_options =
      PipelineOptionsFor(global, options.threads, options.deadline_ms, options.max_pixels);
  pipeline_options.detections = detection_limits;
  // What scans the items: recorded with each one, so that the same scan run again
  // skips what is already done (store/scan_ledger.h; --rescan analyses everything).
  auto current = CurrentDetectorSet(global, registry, policy_text, store != nullptr);
  if (!current.ok()) {
    PrintError(current.status().message() + "; nothing scanned");
    return 1;
  }
  const host::DetectorSet& detector_set = current.value();
  const std::string scan_key = detector_set.Key();
  const std::string scanned_with = detector_set.Describe();
  std::unique_ptr<host::ScanLedger> ledger;
  std::string scan_run;
  if (store) {
    auto opened = host::ScanLedger::Open(StorePath(global), scan_key, scanned_with);
    if (!opened.ok()) {
      PrintError(opened.status().message());
      return 1;
    }
    ledger = std::move(opened).value();
    scan_run = ledger->run();
    // With --rescan nothing is skipped; the lookup still says why each item the store
    // had is analysed again.
    if (options.rescan) ledger->ForceRescan();
    pipeline_options.already_scanned = [&ledger](const std::string& sha256) {
      return ledger->AlreadyScanned(sha256);
    };
  }
  auto pipeline = host::Pipeline::Create(registry.detectors(), DetectorConfigs(global, registry),
                                         pipeline_options);
  if (!pipeline.ok()) {
    PrintError(pipeline.status().message());
    return 1;
  }

  int64_t scanned = 0, failed = 0, detections = 0, queued = 0, already = 0, rescanned = 0;
  std::map<std::string, int64_t> rescanned_because;  // reason -> items
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
  // Items are recorded in batches, one transaction each (Store::RecordItems): up to
  // kBatchItems, or fewer once kBatchWait has passed since the batch's first item (checked
  // when the next item is done, and at the end). Each is reported (counts, output) once its
  // batch is in the store, in the order analysed.
  constexpr size_t kBatchItems = 64;
  constexpr auto kBatchWait = std::chrono::milliseconds(250);
  std::vector<host::ItemRecord> batch;
  auto batch_started = std::chrono::steady_clock::now();
  auto flush = [&]() -> Status {
    std::vector<const host::ItemRecord*> to_record;
    for (const host::ItemRecord& record : batch) {
      if (!record.already_scanned && !record.sha256.empty()) to_record.push_back(&record);
    }
    if (store && !to_record.empty()) {
      auto recorded = store->RecordItems(to_record);
      if (!recorded.ok()) {
        const std::string what =
            to_record.size() == 1
                ? to_record.front()->path
                : std::to_string(to_record.size()) + " items (" + to_record.front()->path + " ...)";
        batch.clear();
        return Status::IoError("could not record " + what + ": " + recorded.status().message());
      }
    }
    for (host::ItemRecord& record : batch) report(record);
    batch.clear();
    return Status::Ok();
  };
  auto write = [&](host::ItemRecord& record) -> Status {
    if (!record.already_scanned) {
      record.outcome = policy.Decide(record, first_party);
      record.scan_key = scan_key;
      record.scanned_with = scanned_with;
      // The store had it from an earlier run: say why it was analysed again (the summary,
      // and the item's record for `vigil queue show --item`).
      if (const std::string why = ledger ? ledger->TakeRescanReason(record.sha256) : "";
          !why.empty()) {
        ++rescanned;
        ++rescanned_because[why];
        record.scanned_with = detector_set.Describe(why);
      }
      record.scan_run = scan_run;
    }
    const auto now = std::chrono::steady_clock::now();
    if (batch.empty()) batch_started = now;
    batch.push_back(std::move(record));
    if (!store || batch.size() >= kBatchItems || now - batch_started >= kBatchWait) {
      return flush();
    }
    return Status::Ok();
  };
  Status status = pipeline.value()->Run(std::move(items), write);
  // What was analysed is recorded, after an interrupt too.
  if (Status flushed = flush(); !flushed.ok() && status.ok()) status = flushed;
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
                 static_cast<long long>(scanned), registry.detectors().size(),
                 pipeline.value()->threads(), static_cast<long long>(failed),
                 static_cast<long long>(detections), static_cast<long long>(queued),
                 static_cast<long long>(already), static_cast<long long>(rescanned),
                 store ? "; store " : "",
                 store ? TerminalText(StorePath(global).string()).c_str() : "");
    // Why items the store already had were analysed again, one line per reason:
    // "vigil: 5 rescanned: model changed (vigil.classifier)".
    for (const auto& [why, count] : rescanned_because) {
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
                                        {"rescanned", rescanned},
                                        {"rescanned_because", rescanned_because}}}};
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
  cmd->add_flag("--no-store", scan.no_store, "Do not record anything");
  cmd->add_flag("--rescan", scan.rescan,
                "Analyse every item, even those the store already has from the same "
                "detector set (counted as rescanned: --rescan)");
  cmd->add_option("--policy", scan.policy,
                  "Policy file (TOML; default: the built-in policy). Every detector it names "
                  "must load, or nothing is scanned")
      ->type_name("FILE");
  cmd->add_option("--threads", scan.threads, "Worker threads, 1 to 256 (default, 0: one per CPU)")
      ->check(CLI::Range(0, 256));
  cmd->add_option("--deadline-ms", scan.deadline_ms,
                  "Per-detector deadline for one item, 1 to 3600000 ms; a later answer fails "
                  "the item")
      ->check(CLI::Range(1, 3600000));
  // Ranges are checked on the text, as signed numbers: "-1" must not wrap to 2^64 - 1
  // and turn the limit off. 900 MP is the decoder's own ceiling (30,000 px a side).
  cmd->add_option("--max-pixels", scan.max_pixels,
                  "Largest image (width x height) decoded, 1 to 900000000; larger images "
                  "fail with a reason")
      ->check(CLI::Range(int64_t{1}, int64_t{900'000'000}));
  cmd->add_option("--max-detections-per-detector", scan.max_detections_per_detector,
                  "Detections kept from one detector for one item (default 256); the most "
                  "severe, then highest-scoring are kept and the truncation is recorded")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--max-detections-per-item", scan.max_detections_per_item,
                  "Detections kept for one item over all detectors (default 1024)")
      ->check(CLI::Range(1, 1000000));
  cmd->callback([&options] { options.exit_code = RunScan(options, scan); });
}

}  // namespace vigil::cli
