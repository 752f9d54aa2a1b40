// vigil scan PATH... [--json] [--no-store]
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "loader/host_services.h"
#include "scan/scan_json.h"
#include "scan/scanner.h"
#include "store/store.h"

namespace vigil::cli {
namespace {

struct ScanOptions {
  std::vector<std::string> paths;
  bool json = false;
  bool no_store = false;
};

int RunScan(const GlobalOptions& global, const ScanOptions& options) {
  host::PluginRegistry registry;
  LoadPlugins(global, registry);
  for (const auto& error : registry.errors()) PrintError("warning: " + error.status.message());
  if (registry.detectors().empty()) {
    PrintError("no detectors loaded: install plugins beside vigil, or name a directory with "
               "--plugin-dir or VIGIL_PLUGIN_PATH");
    return 1;
  }
  std::unique_ptr<host::Store> store;
  if (!options.no_store) {
    auto opened = host::Store::Open(StorePath(global));
    if (!opened.ok()) {
      PrintError(opened.status().message());
      return 1;
    }
    store = std::move(opened).value();
  }
  auto scanner = host::Scanner::Create(registry.detectors());
  if (!scanner.ok()) {
    PrintError(scanner.status().message());
    return 1;
  }
  std::vector<std::filesystem::path> inputs(options.paths.begin(), options.paths.end());
  host::ExpandedPaths expanded = host::ExpandPaths(inputs);

  int64_t scanned = 0, failed = 0, detections = 0;
  auto emit = [&](const host::ItemRecord& record) {
    nlohmann::ordered_json line = host::ItemRecordToJson(record);
    const bool ok = line["status"] == "ok";
    ++scanned;
    failed += ok ? 0 : 1;
    detections += static_cast<int64_t>(line["detections"].size());
    if (options.json) {
      std::cout << line.dump() << "\n";
    } else {
      std::cout << record.path << ": " << (ok ? "ok" : "FAILED") << ", "
                << line["signals"].size() << " signals, " << line["detections"].size()
                << " detections";
      if (!ok) std::cout << " (" << line["error"].get<std::string>() << ")";
      std::cout << "\n";
    }
  };
  for (const auto& failure : expanded.failures) emit(failure);
  for (const auto& file : expanded.files) {
    if (host::CancelRequested()) {
      PrintError("interrupted: " + std::to_string(scanned) +
                 " items were recorded; run the same scan again to continue");
      return 130;
    }
    host::ItemRecord record = scanner.value()->ScanFile(file);
    if (store && !record.sha256.empty()) {
      auto recorded = store->RecordItem(record);
      if (!recorded.ok()) {
        PrintError("could not record " + record.path + ": " + recorded.status().message());
        return 1;
      }
    }
    emit(record);
  }
  std::cout.flush();
  if (!options.json || isatty(STDERR_FILENO)) {
    std::fprintf(stderr, "vigil: scanned %lld items: %lld failed, %lld detections%s%s\n",
                 static_cast<long long>(scanned), static_cast<long long>(failed),
                 static_cast<long long>(detections), store ? "; store " : "",
                 store ? StorePath(global).c_str() : "");
  }
  return 0;
}

}  // namespace

void RegisterScanCommand(CLI::App& app, GlobalOptions& options) {
  static ScanOptions scan_options;
  CLI::App* scan = app.add_subcommand(
      "scan",
      "Scan files and directories (recursively) with every loaded detector and record the "
      "results in the store. Items that fail are reported with a reason and recorded as "
      "failed, never as clean; the exit status is 0 when the scan itself completed.");
  scan->add_option("PATH", scan_options.paths, "Files or directories")->required();
  scan->add_flag("--json", scan_options.json, "One JSON object per item on stdout");
  scan->add_flag("--no-store", scan_options.no_store, "Do not record anything");
  scan->callback([&options] { options.exit_code = RunScan(options, scan_options); });
}

}  // namespace vigil::cli
