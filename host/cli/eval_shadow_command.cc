// vigil eval shadow [--detector ID] [--min-score S] [--examples N] [--json]
//
// Issue 17 item 5: how candidate detectors run with `vigil scan --shadow ID` agree with
// production on the items they both saw. Per shadow detector and its latest run on each
// item: both flagged, only production, only the shadow, neither (flagged: at least one
// detection scoring >= --min-score; production: every detection the store has for the
// item), its failed runs, and examples of each kind of disagreement with the item's path,
// SHA-256, production's outcome and both sides' detections. Reads the store only.
// docs/evaluation.md.

#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "core/terminal_text.h"
#include "scan/scan_json.h"
#include "store/shadow_results.h"

namespace vigil::cli {
namespace {

struct ShadowArgs {
  std::string detector;
  double min_score = 0;
  int examples = 5;
  bool json = false;
};

nlohmann::ordered_json DetectionsJson(const std::vector<host::ShadowDetection>& detections) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const host::ShadowDetection& d : detections) {
    out.push_back({{"detector", d.detector},
                   {"label", d.label},
                   {"score", d.score},
                   {"category", d.category}});
  }
  return out;
}

nlohmann::ordered_json ExamplesJson(const std::vector<host::ShadowExample>& examples) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const host::ShadowExample& e : examples) {
    out.push_back({{"path", e.path},
                   {"sha256", e.sha256},
                   {"outcome", e.outcome},
                   {"production", DetectionsJson(e.production)},
                   {"shadow", DetectionsJson(e.shadow)}});
  }
  return out;
}

std::string DetectionsText(const std::vector<host::ShadowDetection>& detections) {
  if (detections.empty()) return "nothing";
  std::string out;
  for (const host::ShadowDetection& d : detections) {
    char score[32];
    std::snprintf(score, sizeof score, "%.3f", d.score);
    out += (out.empty() ? "" : ", ") + d.detector + " " + d.label + " " + score +
           (d.category.empty() ? "" : " " + d.category);
  }
  return out;
}

int RunShadow(const GlobalOptions& global, const ShadowArgs& args) {
  auto store = OpenStoreOrSay(global, host::OpenMode::kReadWrite, /*reads=*/true);
  if (!store) return 1;
  auto report =
      host::CompareShadowResults(store->db(), args.detector, args.min_score, args.examples);
  if (!report.ok()) {
    PrintError(report.status().message());
    return 1;
  }
  if (report.value().empty()) {
    PrintError(args.detector.empty()
                   ? "no shadow results in the store: run `vigil scan --shadow ID ...` first"
                   : "no shadow results of " + args.detector +
                         " in the store: run `vigil scan --shadow " + args.detector +
                         " ...` first");
    return 1;
  }
  if (args.json) {
    nlohmann::ordered_json out = {{"min_score", args.min_score}};
    nlohmann::ordered_json detectors = nlohmann::ordered_json::array();
    for (const host::ShadowAgreement& a : report.value()) {
      const int64_t compared = a.compared();
      detectors.push_back(
          {{"detector", a.detector},
           {"version", a.version},
           {"items", a.items},
           {"shadow_failed", a.shadow_failed},
           {"compared", compared},
           {"both", a.both},
           {"only_production", a.only_production},
           {"only_shadow", a.only_shadow},
           {"neither", a.neither},
           {"agreement", compared == 0 ? nlohmann::ordered_json(nullptr)
                                       : nlohmann::ordered_json(
                                             static_cast<double>(a.both + a.neither) / compared)},
           {"only_production_examples", ExamplesJson(a.only_production_examples)},
           {"only_shadow_examples", ExamplesJson(a.only_shadow_examples)}});
    }
    out["shadows"] = detectors;
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  for (const host::ShadowAgreement& a : report.value()) {
    const int64_t compared = a.compared();
    std::printf(
        "%s %s: %lld items, %lld shadow runs failed; of %lld compared: both flagged %lld, "
        "only production %lld, only shadow %lld, neither %lld (agreement %s)\n",
        TerminalText(a.detector).c_str(), TerminalText(a.version).c_str(),
        static_cast<long long>(a.items), static_cast<long long>(a.shadow_failed),
        static_cast<long long>(compared), static_cast<long long>(a.both),
        static_cast<long long>(a.only_production), static_cast<long long>(a.only_shadow),
        static_cast<long long>(a.neither),
        compared == 0
            ? "-"
            : (std::to_string((100 * (a.both + a.neither) + compared / 2) / compared) + "%")
                  .c_str());
    auto print = [](const char* kind, const std::vector<host::ShadowExample>& examples) {
      for (const host::ShadowExample& e : examples) {
        std::printf("  %s: %s (%s, %s)\n    production: %s\n    shadow: %s\n", kind,
                    TerminalText(e.path).c_str(), e.sha256.substr(0, 16).c_str(),
                    TerminalText(e.outcome).c_str(),
                    TerminalText(DetectionsText(e.production)).c_str(),
                    TerminalText(DetectionsText(e.shadow)).c_str());
      }
    };
    print("only production", a.only_production_examples);
    print("only shadow", a.only_shadow_examples);
  }
  return 0;
}

}  // namespace

CLI::App* RegisterEvalShadowCommand(CLI::App& eval, GlobalOptions& options) {
  static ShadowArgs args;
  CLI::App* cmd = eval.add_subcommand(
      "shadow",
      "How shadow detectors (`vigil scan --shadow ID`) agree with production, per item "
      "both saw: both flagged, only production, only the shadow, neither. Flagged: at "
      "least one detection scoring at least --min-score (production: any detector's "
      "detections the store has for the item; the shadow: its latest run on it). Failed "
      "shadow runs are counted apart. Disagreements are listed with the item's path, "
      "SHA-256, production's outcome and both sides' detections. Reads the store only. "
      "docs/evaluation.md");
  cmd->add_option("--detector", args.detector, "Only this shadow detector")->type_name("ID");
  cmd->add_option("--min-score", args.min_score,
                  "A detection flags an item when its score is at least this, 0 to 1 "
                  "(default 0: any detection)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--examples", args.examples,
                  "Disagreements listed per kind and detector, 0 to 1000 (default 5)")
      ->check(CLI::Range(0, 1000));
  cmd->add_flag("--json", args.json, "The report as JSON on stdout");
  cmd->callback([&options] { options.exit_code = RunShadow(options, args); });
  return cmd;
}

}  // namespace vigil::cli
