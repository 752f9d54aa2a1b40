// vigil eval CORPUS.csv [--detector ID]... [--negative LABEL]... [--policy FILE]
//                      [--json FILE] [--html DIR] [--threads N]
//                      [--detector ID --compare KEY=VALUE[,KEY=VALUE]...]
//
// Issue 17 item 3: runs the loaded detectors once over a labelled corpus through the scan
// pipeline's read + decode + detect path (in workers, as a scan runs them; nothing is
// written to the store) and reports, per detector and truth label, precision, recall and
// F1 over every threshold, the PR and ROC curves with their areas, the confusion matrix
// at the policy's decision, and latency per item. With --compare, the one --detector runs
// once per configuration (the same plugin, one instance each, on the same decoded pixels),
// each reported as its own row "ID[KEY=VALUE,...]". docs/evaluation.md.

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "cli/commands.h"
#include "cli/report_script.h"
#include "core/terminal_text.h"
#include "eval/eval_corpus.h"
#include "eval/eval_metrics.h"
#include "isolation/isolation_runtime.h"
#include "pipeline/pipeline.h"
#include "policy/policy.h"
#include "scan/scan_json.h"

namespace fs = std::filesystem;

namespace vigil::cli {
namespace {

struct EvalOptions {
  std::string corpus;
  std::vector<std::string> detectors;
  std::vector<std::string> compare;  // --compare KEY=VALUE[,KEY=VALUE]: one configuration each
  std::vector<std::string> negatives;
  std::string policy;
  std::string json_file;
  std::string html_dir;
  int threads = 0;
  int deadline_ms = 60000;
  uint64_t max_pixels = 100'000'000;
};

const std::vector<std::string> kDefaultNegatives = {"benign", "clean", "negative"};

// What one detector did on one item.
struct DetectorResult {
  bool ran = false;     // the detector accepts the item's media and was offered it
  bool failed = false;  // it failed on the item (then the item is not counted for it)
  std::optional<double> score;
  bool flagged = false;  // the policy, given only this detector's run, would not clear it
  double latency_ms = 0;
};

struct ItemResult {
  const eval::CorpusItem* row = nullptr;
  bool done = false;
  bool failed = false;  // the item itself (unreadable, undecodable)
  std::string error;
  std::string outcome;  // the policy's disposition with every detector
  bool failed_any = false;
  double prepare_ms = 0;
  std::map<std::string, DetectorResult> detectors;
};

nlohmann::ordered_json OptionalNumber(const std::optional<double>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json ConfusionJson(const eval::Confusion& c) {
  return {{"tp", c.tp},
          {"fp", c.fp},
          {"fn", c.fn},
          {"tn", c.tn},
          {"precision", c.precision()},
          {"recall", c.recall()},
          {"f1", c.f1()},
          {"false_positive_rate", c.false_positive_rate()}};
}

nlohmann::ordered_json LatencyJson(const std::vector<double>& ms) {
  double sum = 0;
  for (double v : ms) sum += v;
  return {{"items", ms.size()},
          {"p50_ms", eval::Percentile(ms, 50)},
          {"p99_ms", eval::Percentile(ms, 99)},
          {"mean_ms", ms.empty() ? 0.0 : sum / static_cast<double>(ms.size())}};
}

// One (detector, label) row: the scored curve and the policy's confusion
// matrix, over the items the detector did not fail on.
nlohmann::ordered_json LabelJson(const std::vector<ItemResult>& items, const std::string& id,
                                 const std::string& label, bool overall) {
  std::vector<eval::Scored> scored;
  std::vector<bool> flagged, truth;
  std::map<std::string, std::pair<int64_t, int64_t>> by_category;  // positives, flagged
  int64_t failed = 0;
  for (const ItemResult& item : items) {
    const bool positive = item.row->label == label;
    if (overall) {
      if (item.failed || item.failed_any) {
        ++failed;
        continue;
      }
      flagged.push_back(item.outcome != "clear");
    } else {
      auto it = item.detectors.find(id);
      if (item.failed || (it != item.detectors.end() && it->second.failed)) {
        ++failed;
        continue;
      }
      const bool ran = it != item.detectors.end() && it->second.ran;
      scored.push_back({ran ? it->second.score : std::nullopt, positive});
      flagged.push_back(ran && it->second.flagged);
    }
    truth.push_back(positive);
    if (positive && !item.row->category.empty()) {
      auto& counts = by_category[item.row->category];
      ++counts.first;
      counts.second += flagged.back() ? 1 : 0;
    }
  }
  nlohmann::ordered_json row = {{"label", label}};
  const eval::Confusion at_policy = eval::Count(flagged, truth);
  row["positives"] = at_policy.tp + at_policy.fn;
  row["negatives"] = at_policy.fp + at_policy.tn;
  row["failed_items"] = failed;
  row["at_policy"] = ConfusionJson(at_policy);
  nlohmann::ordered_json categories = nlohmann::ordered_json::object();
  for (const auto& [category, counts] : by_category) {
    categories[category] = {{"positives", counts.first},
                            {"flagged", counts.second},
                            {"recall", static_cast<double>(counts.second) / counts.first}};
  }
  row["recall_by_category"] = categories;
  if (overall) return row;
  const eval::Curve curve = eval::ComputeCurve(scored);
  row["roc_auc"] = OptionalNumber(curve.roc_auc);
  row["average_precision"] = OptionalNumber(curve.average_precision);
  if (curve.best_f1) {
    nlohmann::ordered_json best = ConfusionJson(curve.best_f1->confusion);
    best["threshold"] = curve.best_f1->threshold;
    row["best_f1"] = best;
  } else {
    row["best_f1"] = nullptr;
  }
  nlohmann::ordered_json points = nlohmann::ordered_json::array();
  for (const eval::CurvePoint& p : curve.points) {
    nlohmann::ordered_json point = {{"threshold", p.threshold}};
    point.update(ConfusionJson(p.confusion));
    points.push_back(point);
  }
  row["curve"] = points;
  return row;
}

// One row of the report: a detector, or one --compare configuration of it.
struct EvalEntry {
  std::string id;  // the row's id: the detector's, or "ID[KEY=VALUE,...]"
  const host::Detector* detector = nullptr;
  std::vector<std::string> settings;  // --compare: ID.KEY=VALUE, appended to --set
};

// "threshold=16,min_quality=40" -> {"threshold=16", "min_quality=40"}; empty on a bad one.
std::vector<std::string> SplitCompare(const std::string& text) {
  std::vector<std::string> pairs;
  std::stringstream in(text);
  std::string pair;
  while (std::getline(in, pair, ',')) {
    const size_t eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) return {};
    pairs.push_back(pair);
  }
  if (text.empty() || text.back() == ',') return {};
  return pairs;
}

int RunEval(GlobalOptions& global, const EvalOptions& options) {
  // 1. The corpus: every bad line is reported, and nothing runs.
  const eval::Corpus corpus = eval::ReadCorpus(options.corpus);
  if (!corpus.problems.empty()) {
    for (const std::string& problem : corpus.problems) PrintError(problem);
    PrintError(std::to_string(corpus.problems.size()) + " problem" +
               (corpus.problems.size() == 1 ? "" : "s") + " in the corpus; nothing evaluated");
    return 1;
  }
  const std::vector<std::string>& negatives =
      options.negatives.empty() ? kDefaultNegatives : options.negatives;
  std::map<std::string, int64_t> label_counts;
  for (const eval::CorpusItem& item : corpus.items) ++label_counts[item.label];
  std::vector<std::string> labels;  // the positive labels measured
  for (const auto& [label, count] : label_counts) {
    if (std::find(negatives.begin(), negatives.end(), label) == negatives.end()) {
      labels.push_back(label);
    }
  }
  if (labels.empty()) {
    PrintError(
        "every item's label is a negative one (--negative; default "
        "benign, clean, "
        "negative): label the items a detector should find");
    return 1;
  }

  // 2. Policy and detectors, as `vigil scan` loads them.
  host::Policy policy = host::Policy::Default();
  std::string policy_name = "built-in";
  if (!options.policy.empty()) {
    auto loaded = host::Policy::Load(options.policy);
    if (!loaded.ok()) {
      PrintError(loaded.status().message());
      return 1;
    }
    policy = loaded.value();
    policy_name = options.policy;
  }
  host::PluginRegistry registry;
  LoadPlugins(global, registry);
  for (const auto& error : registry.errors()) PrintError("warning: " + error.status.message());
  std::vector<host::Detector> detectors;
  if (options.detectors.empty()) {
    detectors = registry.detectors();
  } else {
    for (const std::string& id : options.detectors) {
      const host::Detector* found = registry.Find(id);
      if (found == nullptr) {
        std::string known;
        for (const auto& d : registry.detectors()) known += (known.empty() ? "" : ", ") + d.id();
        PrintError("--detector " + id +
                   ": no such detector loaded (loaded: " + (known.empty() ? "none" : known) + ")");
        return 1;
      }
      if (std::none_of(detectors.begin(), detectors.end(),
                       [&id](const host::Detector& d) { return d.id() == id; })) {
        detectors.push_back(*found);
      }
    }
  }
  if (detectors.empty()) {
    PrintError(
        "no detectors loaded: install plugins beside vigil, or name a "
        "directory with "
        "--plugin-dir or VIGIL_PLUGIN_PATH");
    return 1;
  }
  if (global.isolation) {
    if (Status model = global.isolation->ModelStatus(); !model.ok()) {
      PrintError(model.message() + "; nothing evaluated");
      return 1;
    }
  }
  if (Status settings = CheckSettings(global, registry); !settings.ok()) {
    PrintError(settings.message());
    return 1;
  }
  const std::set<std::string> first_party = registry.FirstPartyDetectorIds();
  // The rows: every detector, or (--compare) one per configuration of the one --detector.
  std::vector<EvalEntry> entries;
  const bool comparing = !options.compare.empty();
  if (comparing) {
    if (options.detectors.size() != 1) {
      PrintError(
          "--compare needs exactly one --detector: the detector whose configurations "
          "are compared");
      return 1;
    }
    for (const std::string& text : options.compare) {
      const std::vector<std::string> pairs = SplitCompare(text);
      if (pairs.empty()) {
        PrintError("--compare " + text +
                   ": expected KEY=VALUE[,KEY=VALUE...], e.g. "
                   "--compare threshold=16");
        return 1;
      }
      EvalEntry entry{detectors.front().id() + "[" + text + "]", &detectors.front(), {}};
      for (const std::string& pair : pairs)
        entry.settings.push_back(entry.detector->id() + "." + pair);
      if (std::any_of(entries.begin(), entries.end(),
                      [&entry](const EvalEntry& e) { return e.id == entry.id; })) {
        PrintError("--compare " + text + " is given twice");
        return 1;
      }
      entries.push_back(entry);
    }
  } else {
    for (const host::Detector& detector : detectors)
      entries.push_back({detector.id(), &detector, {}});
  }
  std::vector<host::PipelineInstance> instances;
  const auto configs = DetectorConfigs(global, registry);
  for (const EvalEntry& entry : entries) {
    host::PipelineInstance instance(*entry.detector);
    instance.run_id = entry.id;
    if (auto it = configs.find(entry.detector->id()); it != configs.end())
      instance.config = it->second;
    if (!entry.settings.empty()) {
      // The configuration: --set, then this --compare's settings (checked as --set is).
      GlobalOptions with = global;
      with.settings.insert(with.settings.end(), entry.settings.begin(), entry.settings.end());
      if (Status settings = CheckSettings(with, registry); !settings.ok()) {
        PrintError("--compare: " + settings.message());
        return 1;
      }
      instance.config = DetectorConfigs(with, registry)[entry.detector->id()];
      for (const std::string& setting : entry.settings) {
        const size_t dot = entry.detector->id().size();
        const size_t eq = setting.find('=');
        const std::string key = setting.substr(dot + 1, eq - dot - 1);
        auto kept = instance.config.params().find(key);
        if (kept == instance.config.params().end() || kept->second != setting.substr(eq + 1)) {
          PrintError("--compare " + setting.substr(dot + 1) + ": the host replaces '" + key +
                     "' (a verified model copy); compare two models in two runs");
          return 1;
        }
      }
    }
    instances.push_back(std::move(instance));
  }

  // 3. Each distinct file once through read + decode + detect; nothing is
  // stored.
  std::vector<ItemResult> results(corpus.items.size());
  std::map<std::string, std::vector<size_t>> rows_by_path;
  std::vector<host::IntakeItem> intake;
  for (size_t i = 0; i < corpus.items.size(); ++i) {
    results[i].row = &corpus.items[i];
    auto& rows = rows_by_path[corpus.items[i].path];
    if (rows.empty()) {
      host::IntakeItem item;
      item.path = corpus.items[i].path;
      intake.push_back(item);
    }
    rows.push_back(i);
  }
  host::PipelineOptions pipeline_options =
      PipelineOptionsFor(global, options.threads, options.deadline_ms, options.max_pixels);
  auto pipeline = host::Pipeline::Create(std::move(instances), pipeline_options);
  if (!pipeline.ok()) {
    PrintError(pipeline.status().message());
    return 1;
  }
  auto write = [&](host::ItemRecord& record) -> Status {
    auto rows = rows_by_path.find(record.path);
    if (rows == rows_by_path.end()) {
      return Status::Internal("an item the corpus does not name came back: " + record.path);
    }
    ItemResult result;
    result.done = true;
    result.failed = !record.status.ok();
    result.error = record.status.ok() ? "" : record.status.message();
    result.prepare_ms = static_cast<double>(record.prepare_ns) / 1e6;
    result.failed_any = record.failed();
    // With --compare the runs are one detector's configurations, not a scan's detectors:
    // there is no overall decision (each row has its own at_policy).
    std::map<std::string, std::string> real_ids;  // run id -> detector id
    for (const EvalEntry& entry : entries) real_ids[entry.id] = entry.detector->id();
    if (!comparing) {
      const host::Outcome overall = policy.Decide(record, first_party);
      result.outcome = host::DispositionName(overall.disposition);
    }
    // The policy's decision had each detector been the only one: its run is lent to a
    // record of its own (moved, not copied, and given back).
    host::ItemRecord alone;
    alone.sha256 = record.sha256;
    alone.path = record.path;
    alone.media_kind = record.media_kind;
    alone.status = record.status;
    alone.runs.resize(1);
    for (host::DetectorRun& run : record.runs) {
      DetectorResult d;
      d.ran = true;
      d.failed = !run.status.ok();
      d.latency_ms = static_cast<double>(run.elapsed_ns) / 1e6;
      for (const auto& detection : run.result.detections()) {
        if (!d.score || detection.score() > *d.score) d.score = detection.score();
      }
      std::swap(alone.runs[0], run);
      const std::string run_id = alone.runs[0].detector;
      alone.runs[0].detector = real_ids[run_id];  // the policy knows the detector's id
      d.flagged = policy.Decide(alone, first_party).disposition != host::Disposition::kClear;
      alone.runs[0].detector = run_id;
      std::swap(alone.runs[0], run);
      result.detectors[run.detector] = d;
    }
    for (size_t index : rows->second) {
      const eval::CorpusItem* row = results[index].row;
      results[index] = result;
      results[index].row = row;
    }
    return Status::Ok();
  };
  if (Status status = pipeline.value()->Run(std::move(intake), write); !status.ok()) {
    PrintError(status.message());
    return status.code() == Status::Code::kCancelled ? 130 : 1;
  }

  // 4. The numbers.
  nlohmann::ordered_json report;
  int64_t failed_items = 0;
  std::vector<double> prepare_ms;
  for (const ItemResult& r : results) {
    failed_items += r.failed ? 1 : 0;
    if (!r.failed) prepare_ms.push_back(r.prepare_ms);
  }
  report["corpus"] = {{"file", fs::weakly_canonical(options.corpus).string()},
                      {"items", corpus.items.size()},
                      {"labels", label_counts},
                      {"negative_labels", negatives},
                      {"failed_items", failed_items}};
  report["policy"] = policy_name;
  nlohmann::ordered_json detectors_json = nlohmann::ordered_json::array();
  for (const EvalEntry& entry : entries) {
    std::vector<double> latency;
    for (const ItemResult& r : results) {
      auto it = r.detectors.find(entry.id);
      if (it != r.detectors.end() && it->second.ran && !it->second.failed) {
        latency.push_back(it->second.latency_ms);
      }
    }
    nlohmann::ordered_json d = {{"id", entry.id},
                                {"version", entry.detector->info().version()},
                                {"latency", LatencyJson(latency)}};
    if (comparing) {
      d["detector"] = entry.detector->id();
      nlohmann::ordered_json settings = nlohmann::ordered_json::object();
      for (const std::string& setting : entry.settings) {
        const size_t dot = entry.detector->id().size();
        const size_t eq = setting.find('=');
        settings[setting.substr(dot + 1, eq - dot - 1)] = setting.substr(eq + 1);
      }
      d["settings"] = settings;
    }
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    for (const std::string& label : labels)
      rows.push_back(LabelJson(results, entry.id, label, false));
    d["labels"] = rows;
    detectors_json.push_back(d);
  }
  report["detectors"] = detectors_json;
  nlohmann::ordered_json overall = nlohmann::ordered_json::array();
  if (!comparing) {
    for (const std::string& label : labels) overall.push_back(LabelJson(results, "", label, true));
  }
  report["policy_overall"] = overall;
  std::vector<double> item_ms;
  for (const ItemResult& r : results) {
    if (r.failed) continue;
    double total = r.prepare_ms;
    for (const auto& [id, d] : r.detectors) total += d.latency_ms;
    item_ms.push_back(total);
  }
  report["latency"] = {{"decode", LatencyJson(prepare_ms)}, {"item", LatencyJson(item_ms)}};
  nlohmann::ordered_json items_json = nlohmann::ordered_json::array();
  for (const ItemResult& r : results) {
    nlohmann::ordered_json scores = nlohmann::ordered_json::object();
    for (const EvalEntry& entry : entries) {
      auto it = r.detectors.find(entry.id);
      if (it == r.detectors.end() || !it->second.ran) {
        scores[entry.id] = nullptr;
      } else if (it->second.failed) {
        scores[entry.id] = "failed";
      } else {
        scores[entry.id] = OptionalNumber(it->second.score);
      }
    }
    items_json.push_back({{"line", r.row->line},
                          {"path", r.row->path},
                          {"label", r.row->label},
                          {"category", r.row->category},
                          {"status", r.failed ? "failed" : "ok"},
                          {"error", r.failed ? nlohmann::ordered_json(r.error) : nullptr},
                          {"outcome", comparing ? nlohmann::ordered_json(nullptr)
                                                : nlohmann::ordered_json(r.outcome)},
                          {"scores", scores}});
  }
  report["items"] = items_json;

  // 5. Output: a summary on stdout; the JSON and the HTML report when asked.
  const std::string json_text = report.dump(2) + "\n";
  if (options.json_file == "-") {
    std::cout << json_text;
  } else {
    std::printf("vigil eval: %zu items (", corpus.items.size());
    bool first = true;
    for (const auto& [label, count] : label_counts) {
      std::printf("%s%s %lld", first ? "" : ", ", TerminalText(label).c_str(),
                  static_cast<long long>(count));
      first = false;
    }
    std::printf("), %lld failed, %zu%s%s, policy %s\n", static_cast<long long>(failed_items),
                entries.size(), comparing ? " configuration" : " detector",
                entries.size() == 1 ? "" : "s", TerminalText(policy_name).c_str());
    std::printf("%-30s %-12s %5s %5s %7s %7s %15s   %-20s %6s %6s %6s %9s\n", "detector", "label",
                "pos", "neg", "ROC-AUC", "AP", "best F1 (score)", "policy TP/FP/FN/TN", "prec",
                "recall", "F1", "p50/p99ms");
    auto number = [](const nlohmann::ordered_json& v) {
      char buf[32];
      if (v.is_null()) return std::string("-");
      std::snprintf(buf, sizeof buf, "%.3f", v.get<double>());
      return std::string(buf);
    };
    for (const auto& d : report["detectors"]) {
      char latency[48];
      std::snprintf(latency, sizeof latency, "%.2f/%.2f", d["latency"]["p50_ms"].get<double>(),
                    d["latency"]["p99_ms"].get<double>());
      for (const auto& row : d["labels"]) {
        const auto& p = row["at_policy"];
        std::string best = row["best_f1"].is_null() ? "-"
                                                    : number(row["best_f1"]["f1"]) + " (" +
                                                          number(row["best_f1"]["threshold"]) + ")";
        std::string counts = std::to_string(p["tp"].get<int64_t>()) + "/" +
                             std::to_string(p["fp"].get<int64_t>()) + "/" +
                             std::to_string(p["fn"].get<int64_t>()) + "/" +
                             std::to_string(p["tn"].get<int64_t>());
        std::printf("%-30s %-12s %5lld %5lld %7s %7s %15s   %-20s %6s %6s %6s %9s\n",
                    TerminalText(d["id"].get<std::string>()).c_str(),
                    TerminalText(row["label"].get<std::string>()).c_str(),
                    static_cast<long long>(row["positives"].get<int64_t>()),
                    static_cast<long long>(row["negatives"].get<int64_t>()),
                    number(row["roc_auc"]).c_str(), number(row["average_precision"]).c_str(),
                    best.c_str(), counts.c_str(), number(p["precision"]).c_str(),
                    number(p["recall"]).c_str(), number(p["f1"]).c_str(), latency);
      }
    }
    for (const auto& row : report["policy_overall"]) {
      const auto& p = row["at_policy"];
      std::string counts = std::to_string(p["tp"].get<int64_t>()) + "/" +
                           std::to_string(p["fp"].get<int64_t>()) + "/" +
                           std::to_string(p["fn"].get<int64_t>()) + "/" +
                           std::to_string(p["tn"].get<int64_t>());
      std::printf("%-30s %-12s %5lld %5lld %7s %7s %15s   %-20s %6s %6s %6s\n", "(policy, all)",
                  TerminalText(row["label"].get<std::string>()).c_str(),
                  static_cast<long long>(row["positives"].get<int64_t>()),
                  static_cast<long long>(row["negatives"].get<int64_t>()), "-", "-", "-",
                  counts.c_str(), number(p["precision"]).c_str(), number(p["recall"]).c_str(),
                  number(p["f1"]).c_str());
    }
    std::fflush(stdout);
  }
  if (!options.json_file.empty() && options.json_file != "-") {
    if (!WriteText(options.json_file, json_text)) {
      PrintError("cannot write " + options.json_file + ": " + std::strerror(errno));
      return 1;
    }
  }
  if (!options.html_dir.empty()) {
    std::error_code ec;
    fs::create_directories(options.html_dir, ec);
    if (ec) {
      PrintError("cannot create " + options.html_dir + ": " + ec.message());
      return 1;
    }
    const fs::path json_path = fs::path(options.html_dir) / "eval.json";
    if (!WriteText(json_path, json_text)) {
      PrintError("cannot write " + json_path.string() + ": " + std::strerror(errno));
      return 1;
    }
    if (std::string why = RunReportScript("eval_report.py", json_path, options.html_dir);
        !why.empty()) {
      PrintError(
          "the HTML report needs python3 with matplotlib (Debian "
          "python3-matplotlib; "
          "$VIGIL_PYTHON names another interpreter): " +
          why);
      return 1;
    }
    std::fprintf(stderr, "vigil: report %s\n",
                 TerminalText((fs::path(options.html_dir) / "index.html").string()).c_str());
  }
  return 0;
}

}  // namespace

void RegisterEvalCommand(CLI::App& app, GlobalOptions& options) {
  static EvalOptions eval_options;
  CLI::App* cmd =
      app.add_subcommand("eval",
                         "Measure the detectors on a labelled corpus (CSV: "
                         "path,label[,category], paths relative "
                         "to the CSV): each file is read, decoded and analysed once by "
                         "every loaded detector "
                         "(or those --detector names), as `vigil scan` does, and nothing "
                         "is stored. For each "
                         "detector and each positive label: precision, recall and F1 at "
                         "every distinct score, "
                         "PR and ROC curves (ROC-AUC, average precision), the confusion "
                         "matrix at the policy's "
                         "decision (flagged = not cleared) and latency per item "
                         "(p50/p99). A detector's score "
                         "for an item is its highest detection score; no detection, no "
                         "score. Labels named by "
                         "--negative (default benign, clean, negative) are never "
                         "positive. Bad CSV lines are "
                         "reported with their line numbers and nothing is evaluated. "
                         "`vigil eval robustness`: how PDQ holds up when images are edited. "
                         "`vigil eval shadow`: shadow detectors against production. "
                         "docs/evaluation.md");
  // Not required by CLI11: `vigil eval robustness ...` has no corpus (checked below).
  cmd->add_option("CORPUS", eval_options.corpus, "The labelled corpus (CSV)");
  CLI::App* robustness = RegisterEvalRobustnessCommand(*cmd, options);
  CLI::App* shadow = RegisterEvalShadowCommand(*cmd, options);
  cmd->add_option("--detector", eval_options.detectors,
                  "Evaluate only this detector (repeatable; default: every loaded one)")
      ->type_name("ID");
  cmd->add_option("--compare", eval_options.compare,
                  "One configuration of the one --detector, as --set settings without the "
                  "detector (repeatable): each is its own instance on the same decoded items and "
                  "its own row 'ID[SETTINGS]', e.g. --detector vigil.pdq --compare threshold=16 "
                  "--compare threshold=40; no overall policy row")
      ->type_name("KEY=VALUE[,KEY=VALUE]")
      ->allow_extra_args(false);
  cmd->add_option("--negative", eval_options.negatives,
                  "A label that means 'nothing to find' (repeatable; default: "
                  "benign, clean, "
                  "negative)")
      ->type_name("LABEL");
  cmd->add_option("--policy", eval_options.policy,
                  "Policy file for the confusion matrix at the policy's "
                  "decision (default: the "
                  "built-in policy)")
      ->type_name("FILE");
  cmd->add_option("--json", eval_options.json_file,
                  "Write the full report as JSON to FILE ('-': stdout instead "
                  "of the table)")
      ->type_name("FILE");
  cmd->add_option("--html", eval_options.html_dir,
                  "Write an HTML report with PNG plots (PR, ROC, latency) into "
                  "DIR; needs "
                  "python3 with matplotlib")
      ->type_name("DIR");
  cmd->add_option("--threads", eval_options.threads,
                  "Worker threads, 1 to 256 (default, 0: one per CPU)")
      ->check(CLI::Range(0, 256));
  cmd->add_option("--deadline-ms", eval_options.deadline_ms,
                  "Per-detector deadline for one item, 1 to 3600000 ms; a "
                  "later answer fails "
                  "the item for that detector")
      ->check(CLI::Range(1, 3600000));
  cmd->add_option("--max-pixels", eval_options.max_pixels,
                  "Largest image (width x height) decoded, 1 to 900000000")
      ->check(CLI::Range(int64_t{1}, int64_t{900'000'000}));
  cmd->callback([&options, robustness, shadow] {
    if (robustness->parsed() || shadow->parsed()) return;  // its own callback ran
    if (eval_options.corpus.empty()) {
      PrintError("eval: CORPUS is required (a CSV file; or `vigil eval robustness`)");
      options.exit_code = 2;
      return;
    }
    options.exit_code = RunEval(options, eval_options);
  });
}

}  // namespace vigil::cli
