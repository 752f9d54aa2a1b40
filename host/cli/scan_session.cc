#include "cli/scan_session.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

#include "cli/bank_holds_command.h"
#include "isolation/isolation_runtime.h"
#include "store/named_queues.h"
#include "store/review_rounds.h"
#include "store/shadow_results.h"
#include "store/submissions.h"

namespace vigil::cli {
namespace {

// What scans the items (store/scan_ledger.h): every detector's id and version, the
// SHA-256 of its plugin file and of its model files (each file hashed once per run,
// here, or taken from the signature check that already hashed it), the --set settings,
// the policy text and the lists' state. Without `files` (--no-store: nothing is recorded)
// no file is hashed. Shadows are not part of it: they change nothing a scan decides.
StatusOr<host::DetectorSet> CurrentDetectorSet(const GlobalOptions& global,
                                               const std::vector<host::Detector>& detectors,
                                               const std::string& policy_text, bool files) {
  host::DetectorSet set;
  for (const host::Detector& detector : detectors) {
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

// Items are recorded in batches, one transaction each (Store::RecordItems): up to
// kBatchItems, or fewer once kBatchWait has passed since the batch's first item (checked
// when the next item is done, and at the end).
constexpr size_t kBatchItems = 64;
constexpr auto kBatchWait = std::chrono::milliseconds(250);

}  // namespace

ScanSession::~ScanSession() = default;

StatusOr<std::unique_ptr<ScanSession>> ScanSession::Open(GlobalOptions& global,
                                                         const ScanSessionOptions& options) {
  std::unique_ptr<ScanSession> session(new ScanSession());
  session->options_ = options;
  host::DetectionLimits detection_limits;
  detection_limits.per_detector = static_cast<size_t>(options.max_detections_per_detector);
  detection_limits.per_item = static_cast<size_t>(options.max_detections_per_item);
  if (Status s = detection_limits.Validate(); !s.ok()) return s;
  std::string policy_text = host::kDefaultPolicyToml;
  if (!options.policy.empty()) {
    auto loaded = host::Policy::Load(options.policy);
    if (!loaded.ok()) return loaded.status();
    session->policy_ = loaded.value();
    std::ifstream in(options.policy, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    policy_text = text.str();
  }
  const host::Policy& policy = session->policy_;
  host::PluginRegistry& registry = session->registry_;
  LoadPlugins(global, registry);
  for (const auto& error : registry.errors()) PrintError("warning: " + error.status.message());
  if (registry.detectors().empty()) {
    return Status::NotFound(
        "no detectors loaded: install plugins beside vigil, or name a directory with "
        "--plugin-dir or VIGIL_PLUGIN_PATH");
  }
  if (global.isolation) {
    if (Status model = global.isolation->ModelStatus(); !model.ok()) {
      return Status::Unavailable(model.message() + "; nothing scanned");
    }
  }
  // Shadows (issue 17 item 5): loaded detectors taken out of production.
  for (const std::string& id : options.shadow) {
    if (registry.Find(id) == nullptr) {
      std::string known;
      for (const auto& d : registry.detectors()) known += (known.empty() ? "" : ", ") + d.id();
      return Status::NotFound("--shadow " + id + ": no such detector loaded (loaded: " +
                              (known.empty() ? "none" : known) + "); nothing scanned");
    }
    if (policy.NamedDetectors().count(id) != 0) {
      return Status::InvalidArgument("--shadow " + id +
                                     ": the policy relies on it, so it cannot be a shadow; "
                                     "nothing scanned");
    }
  }
  if (!options.shadow.empty() && options.no_store) {
    return Status::InvalidArgument(
        "--shadow records shadow results in the store; it cannot be "
        "used with --no-store");
  }
  for (const host::Detector& detector : registry.detectors()) {
    if (std::find(options.shadow.begin(), options.shadow.end(), detector.id()) !=
        options.shadow.end()) {
      session->shadow_versions_[detector.id()] = detector.info().version();
    } else {
      session->production_.push_back(detector);
    }
  }
  if (session->production_.empty()) {
    return Status::NotFound(
        "every loaded detector is a --shadow: nothing would scan in "
        "production; nothing scanned");
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
    return Status::NotFound("the policy relies on detector '" + id + "', which did not load" +
                            why +
                            "; nothing scanned: install it, or use a --policy that does not "
                            "name it");
  }
  // After the model and policy checks, whose messages say why a detector is missing.
  if (Status settings = CheckSettings(global, registry); !settings.ok()) return settings;
  session->first_party_ = registry.FirstPartyDetectorIds();
  if (!options.no_store) {
    auto opened = host::Store::Open(StorePath(global));
    if (!opened.ok()) return opened.status();
    session->store_ = std::move(opened).value();
    host::Store& store = *session->store_;
    for (const auto& warning : store.schema_warnings()) PrintError("warning: " + warning);
    // Issue 13 item 3: a team store (or keep_media) keeps the media of queued items.
    if (Status s = KeepMediaIfConfigured(global, store); !s.ok()) return s;
    // The policy's named queues, so the console and `vigil queues` know who works them.
    if (Status s = host::RecordQueueSpecs(store.db(), policy.routing().queues()); !s.ok()) {
      return s;
    }
    // Its [review] settings: second review, QA sampling, golden items (review_rounds.h).
    if (Status s = host::RecordReviewSettings(store.db(), policy.review()); !s.ok()) return s;
    // Issue 13 item 6: the policy's bank rules (reviewers' decisions apply them), then the
    // store's local banks and disabled entries into the lists folder before detectors load.
    if (Status s = host::RecordBankRules(store.db(), policy.bank_rules()); !s.ok()) return s;
    if (!SyncBanksFromStore(global, store)) return Status::IoError("");  // printed
    // Plugins' outbound HTTPS requests (vigil.http/1) go into this store's audit log.
    if (global.isolation) {
      auto audit = isolation::StoreEgressAudit::Open(StorePath(global));
      if (!audit.ok()) return audit.status();
      global.isolation->SetEgressAudit(audit.value());
    }
  }
  host::PipelineOptions pipeline_options =
      PipelineOptionsFor(global, options.threads, options.deadline_ms, options.max_pixels);
  pipeline_options.detections = detection_limits;
  // What scans the items: recorded with each one, so that the same scan run again
  // skips what is already done (store/scan_ledger.h; --rescan analyses everything).
  auto current =
      CurrentDetectorSet(global, session->production_, policy_text, session->store_ != nullptr);
  if (!current.ok()) return Status::IoError(current.status().message() + "; nothing scanned");
  session->detector_set_ = current.value();
  session->scan_key_ = session->detector_set_.Key();
  session->scanned_with_ = session->detector_set_.Describe();
  if (session->store_) {
    auto opened = host::ScanLedger::Open(StorePath(global), session->scan_key_,
                                         session->scanned_with_);
    if (!opened.ok()) return opened.status();
    session->ledger_ = std::move(opened).value();
    session->scan_run_ = session->ledger_->run();
    // With --rescan nothing is skipped; the lookup still says why each item the store
    // had is analysed again.
    if (options.rescan) session->ledger_->ForceRescan();
    host::ScanLedger* ledger = session->ledger_.get();
    pipeline_options.already_scanned = [ledger](const std::string& sha256) {
      return ledger->AlreadyScanned(sha256);
    };
  }
  const auto configs = DetectorConfigs(global, registry);
  std::vector<host::PipelineInstance> instances;
  for (const host::Detector& detector : registry.detectors()) {
    host::PipelineInstance instance(detector);
    if (auto it = configs.find(detector.id()); it != configs.end()) instance.config = it->second;
    instance.shadow = session->shadow_versions_.count(detector.id()) != 0;
    instances.push_back(std::move(instance));
  }
  auto pipeline = host::Pipeline::Create(std::move(instances), pipeline_options);
  if (!pipeline.ok()) return pipeline.status();
  session->pipeline_ = std::move(pipeline).value();
  return session;
}

Status ScanSession::Flush(std::vector<host::ItemRecord>& batch, const Recorded& recorded) {
  std::vector<const host::ItemRecord*> to_record;
  std::vector<const host::ItemRecord*> to_fail;  // submissions whose bytes were unreadable
  for (const host::ItemRecord& record : batch) {
    const bool submission = !record.submission_id.empty();
    if (record.sha256.empty()) {
      if (submission) to_fail.push_back(&record);
    } else if (!record.already_scanned || submission) {
      to_record.push_back(&record);
    }
  }
  if (store_ && !to_record.empty()) {
    auto done = store_->RecordItems(to_record);
    if (!done.ok()) {
      const std::string what =
          to_record.size() == 1
              ? to_record.front()->path
              : std::to_string(to_record.size()) + " items (" + to_record.front()->path + " ...)";
      batch.clear();
      return Status::IoError("could not record " + what + ": " + done.status().message());
    }
  }
  // Shadow results after their items (store/shadow_results.h). Production is recorded
  // already: a shadow result that cannot be written is a warning, never a failed scan.
  if (store_ && !to_record.empty() && !shadow_versions_.empty()) {
    Status shadow = host::RecordShadowResults(store_->db(), to_record, shadow_versions_, scan_run_);
    if (!shadow.ok() && !shadow_store_warned_) {
      shadow_store_warned_ = true;
      PrintError("warning: shadow results not recorded: " + shadow.message());
    }
  }
  for (const host::ItemRecord* record : store_ ? to_fail : decltype(to_fail)()) {
    host::SubmissionRecord submission;
    submission.id = record->submission_id;
    submission.url = record->url;
    submission.uploader_id = record->uploader_id;
    submission.source = record->source;
    auto failed = host::FailSubmission(store_->db(), submission, record->status.message());
    if (!failed.ok()) {
      batch.clear();
      return Status::IoError("could not record submission " + record->submission_id +
                             " as failed: " + failed.status().message());
    }
  }
  for (host::ItemRecord& record : batch) recorded(record);
  batch.clear();
  return Status::Ok();
}

Status ScanSession::Run(std::vector<host::IntakeItem> items, const Recorded& recorded) {
  std::vector<host::ItemRecord> batch;
  auto batch_started = std::chrono::steady_clock::now();
  auto write = [&](host::ItemRecord& record) -> Status {
    if (!record.already_scanned) {
      record.outcome = policy_.Decide(record, first_party_);
      record.scan_key = scan_key_;
      record.scanned_with = scanned_with_;
      // The store had it from an earlier run: say why it was analysed again (the summary,
      // and the item's record for `vigil queue show --item`).
      if (const std::string why = ledger_ ? ledger_->TakeRescanReason(record.sha256) : "";
          !why.empty()) {
        ++rescanned_;
        ++rescanned_because_[why];
        record.scanned_with = detector_set_.Describe(why);
      }
      record.scan_run = scan_run_;
    }
    const auto now = std::chrono::steady_clock::now();
    if (batch.empty()) batch_started = now;
    batch.push_back(std::move(record));
    if (!store_ || batch.size() >= kBatchItems || now - batch_started >= kBatchWait) {
      return Flush(batch, recorded);
    }
    return Status::Ok();
  };
  Status status = pipeline_->Run(std::move(items), write);
  // What was analysed is recorded, after an interrupt too.
  if (Status flushed = Flush(batch, recorded); !flushed.ok() && status.ok()) status = flushed;
  return status;
}

}  // namespace vigil::cli
