// vigil plugins list [--json] | vigil plugins check PATH.so (keygen|sign|trust: plugins_sign_command.cc)
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "scan/scan_json.h"

#include "cli/commands.h"
#include "core/terminal_text.h"
#include "conformance.h"
#include "isolation/isolation_runtime.h"
#include "vigil/v1/detector.pb.h"

namespace vigil::cli {
namespace {

std::string KindName(int kind) {
  switch (kind) {
    case vigil::v1::DETECTOR_KIND_HASH: return "hash";
    case vigil::v1::DETECTOR_KIND_CLASSIFIER: return "classifier";
    case vigil::v1::DETECTOR_KIND_URL: return "url";
    default: return "other";
  }
}

std::string MediaName(int kind) {
  switch (kind) {
    case vigil::v1::MEDIA_KIND_IMAGE: return "image";
    case vigil::v1::MEDIA_KIND_VIDEO: return "video";
    case vigil::v1::MEDIA_KIND_URL: return "url";
    case vigil::v1::MEDIA_KIND_TEXT: return "text";
    case vigil::v1::MEDIA_KIND_BINARY: return "binary";
    default: return "unknown";
  }
}

int ListPlugins(GlobalOptions& options, bool json) {
  host::PluginRegistry registry;
  LoadPlugins(options, registry);
  if (Status settings = CheckSettings(options, registry); !settings.ok()) {
    PrintError(settings.message());
    // With a plugin refused, the detector a --set names may be the refused one: the
    // listing below says why it did not load, which is what this command is for.
    if (registry.errors().empty()) return 1;
  }
  const bool developer = options.isolation && options.isolation->developer_mode();
  if (json) {
    nlohmann::json out = {{"plugins", nlohmann::json::array()},
                          {"errors", nlohmann::json::array()},
                          {"developer_mode", developer}};
    for (const auto& plugin : registry.files()) {
      nlohmann::json detectors = nlohmann::json::array();
      for (const auto& d : plugin.detectors) {
        nlohmann::json media = nlohmann::json::array();
        for (int m : d.info().accepted_media()) media.push_back(MediaName(m));
        detectors.push_back({{"id", d.id()},
                             {"version", d.info().version()},
                             {"vendor", d.info().vendor()},
                             {"kind", KindName(d.info().kind())},
                             {"description", d.info().description()},
                             {"accepted_media", media},
                             {"signal_types", d.info().signal_types()}});
      }
      nlohmann::json entry = {{"path", plugin.path.string()},
                              {"abi", std::to_string(plugin.abi.major) + "." +
                                          std::to_string(plugin.abi.minor)},
                              {"detectors", detectors}};
      // isolation, trust and quarantined: what the console shows beside each plugin.
      for (const auto& [key, value] : plugin.notes) entry[key] = value;
      out["plugins"].push_back(entry);
    }
    for (const auto& error : registry.errors()) {
      out["errors"].push_back({{"path", error.path.string()}, {"error", error.status.message()}});
    }
    std::cout << host::JsonText(out) << "\n";
  } else {
    if (developer) std::printf("DEVELOPER MODE: plugin signatures are not enforced\n");
    if (registry.detectors().empty()) {
      std::printf("No detectors loaded. Put plugins in a directory named by --plugin-dir or "
                  "VIGIL_PLUGIN_PATH.\n");
    }
    for (const auto& plugin : registry.files()) {
      std::string notes;
      for (const auto& [key, value] : plugin.notes) {
        notes += (notes.empty() ? "" : ", ") + key + ": " + value;
      }
      for (const auto& d : plugin.detectors) {
        // Everything here but the kind is the plugin's own text, or a path: escaped.
        std::printf("%-24s %-8s %-10s %-10s %s\n    %s\n", TerminalText(d.id()).c_str(),
                    TerminalText(d.info().version()).c_str(), KindName(d.info().kind()).c_str(),
                    TerminalText(d.info().vendor()).c_str(),
                    TerminalText(d.info().description()).c_str(),
                    TerminalText(d.plugin_path().string()).c_str());
        if (!notes.empty()) std::printf("    %s\n", TerminalText(notes).c_str());
      }
    }
    for (const auto& error : registry.errors()) {
      std::printf("NOT LOADED %s\n    %s\n", TerminalText(error.path.string()).c_str(),
                  TerminalText(error.status.message()).c_str());
    }
  }
  return 0;
}

int CheckPlugin(const std::string& path) {
  return testkit::PrintConformance(testkit::RunConformance(path));
}

}  // namespace

void RegisterPluginsCommand(CLI::App& app, GlobalOptions& options) {
  CLI::App* plugins = app.add_subcommand("plugins", "List or check detector plugins");
  plugins->require_subcommand(1);

  CLI::App* list = plugins->add_subcommand(
      "list", "List loaded detectors and any plugin that was refused, with the reason");
  // CLI11 binds options to variables that must outlive parsing: one per process.
  static bool json = false;
  list->add_flag("--json", json, "One JSON object: plugins, their detectors, and errors");
  list->callback([&options] { options.exit_code = ListPlugins(options, json); });

  CLI::App* check = plugins->add_subcommand(
      "check", "Run the conformance kit on a plugin (same as vigil-plugin-check)");
  static std::string path;
  check->add_option("PATH", path, "The plugin .so")->required();
  check->callback([&options] { options.exit_code = CheckPlugin(path); });

  RegisterPluginSigningCommands(*plugins, options);
}

}  // namespace vigil::cli
