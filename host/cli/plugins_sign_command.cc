// vigil plugins keygen --out DIR | sign --key KEY [--allow-origin ORIGIN]... PLUGIN.so|MODEL |
//               trust KEY.pub [--revoke]
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cli/commands.h"
#include "isolation/confine.h"
#include "isolation/isolation_runtime.h"
#include "isolation/plugin_trust.h"

namespace vigil::cli {
namespace {

std::filesystem::path DefaultTrustDir() {
  const auto exe_dir = host::ExecutableDir();
  auto config = isolation::HostConfig::Load(isolation::HostConfig::DefaultFile(exe_dir), exe_dir);
  return config.ok() ? config->trust_dir : std::filesystem::path();
}

int Keygen(const std::string& out) {
  Status status = isolation::GenerateSigningKey(out);
  if (!status.ok()) {
    PrintError(status.message());
    return 1;
  }
  std::printf(
      "wrote %s/vigil-signing.key (secret: keep it off reviewer machines) and "
      "%s/vigil-signing.pub\n",
      out.c_str(), out.c_str());
  return 0;
}

// A model file (anything but a .so: a vendor's .onnx, its manifest.json) is signed by
// its hash alone: nothing in it is run to describe it.
int SignModel(const std::string& key, const std::string& file) {
  Status status = isolation::SignModelFile(file, key);
  if (!status.ok()) {
    PrintError(status.message());
    return 1;
  }
  std::printf("signed model file %s: %s, %s\n", file.c_str(), isolation::ManifestPath(file).c_str(),
              isolation::SignaturePath(file).c_str());
  return 0;
}

int Sign(const std::string& key, const std::string& plugin,
         const std::vector<std::string>& origins) {
  if (std::filesystem::path(plugin).extension() != ".so") {
    if (!origins.empty()) {
      PrintError("--allow-origin is for plugins; a model file makes no requests");
      return 1;
    }
    return SignModel(key, plugin);
  }
  // Checked first: a typo must not cost a worker start.
  for (const std::string& origin : origins) {
    if (auto normal = isolation::NormalizeOrigin(origin); !normal.ok()) {
      PrintError("--allow-origin: " + normal.status().message());
      return 1;
    }
  }
  // The plugin is described by a sandboxed worker: signing never loads vendor code here.
  // That worker can read its plugin's folder and the system's library folders: a key
  // there would be within its reach.
  isolation::WorkerOptions options;
  if (isolation::WorkerMayRead(key, {isolation::PluginFolder(plugin)})) {
    PrintError("the signing key " + key +
               " lies in a folder the plugin being signed can read (its own folder or a "
               "system library folder); keep the key elsewhere");
    return 1;
  }
  // The worker is stopped and reaped when this returns; only then is the key read
  // (SignPlugin), so it is never in this process's memory while plugin code runs.
  auto described = isolation::DescribeUntrustedPlugin(plugin, options);
  if (!described.ok()) {
    PrintError(described.status().message());
    return 1;
  }
  std::vector<isolation::DetectorStamp> stamps;
  for (const auto& d : described->detectors) stamps.push_back({d.id(), d.info().version()});
  const std::string abi =
      std::to_string(described->abi.major) + "." + std::to_string(described->abi.minor);
  Status status = isolation::SignPlugin(plugin, key, abi, stamps, origins);
  if (!status.ok()) {
    PrintError(status.message());
    return 1;
  }
  std::printf("signed %s (%zu detectors, ABI %s, %zu egress origins): %s, %s\n", plugin.c_str(),
              stamps.size(), abi.c_str(), origins.size(), isolation::ManifestPath(plugin).c_str(),
              isolation::SignaturePath(plugin).c_str());
  return 0;
}

int TrustKey(const std::string& key, std::string dir, bool revoke) {
  if (dir.empty()) dir = DefaultTrustDir().string();
  if (!revoke) {
    // A revoked key stays revoked (the `revoked` list wins over any .pub): adding it again
    // would not make it trusted, so say so instead of "trusted".
    std::ifstream in(key);
    std::string hex;
    in >> hex;
    for (char& c : hex) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto current = isolation::TrustStore::Load(dir);
    if (current.ok() && !hex.empty() && current.value().Revoked(hex)) {
      PrintError(key + " is revoked in " + (std::filesystem::path(dir) / "revoked").string() +
                 " and stays untrusted: its plugins do not load. Remove its line there first "
                 "to trust it again");
      return 1;
    }
  }
  Status status = isolation::TrustStore::AddKey(dir, key, revoke);
  if (!status.ok()) {
    PrintError(status.message());
    return 1;
  }
  std::printf("%s %s in %s\n", revoke ? "revoked" : "trusted", key.c_str(), dir.c_str());
  return 0;
}

}  // namespace

void RegisterPluginSigningCommands(CLI::App& plugins, GlobalOptions& options) {
  // CLI11 binds options to variables that must outlive parsing: one per process.
  static std::string out, key, plugin, public_key, trust_dir;
  static std::vector<std::string> origins;
  static bool revoke = false;

  CLI::App* keygen =
      plugins.add_subcommand("keygen", "Make an Ed25519 key pair for signing plugins");
  keygen->add_option("--out", out, "Directory for vigil-signing.key and .pub")->required();
  keygen->callback([&options] { options.exit_code = Keygen(out); });

  CLI::App* sign = plugins.add_subcommand(
      "sign",
      "Write PLUGIN.so.manifest (ids, version, ABI, SHA-256, egress origins) and "
      "PLUGIN.so.sig; for any other file (a vendor's model.onnx, its manifest.json) "
      "FILE.manifest (SHA-256) and FILE.sig. A model that is not shipped with Vigil loads "
      "only when both its files are signed by a trusted key");
  sign->add_option("--key", key, "The secret key (vigil-signing.key)")->required();
  sign->add_option("--allow-origin", origins,
                   "An origin (https://host[:port]) the plugin's vigil.http/1 requests may reach, "
                   "written into the signed manifest as egress_origins (repeatable); the host "
                   "config's [egress] allowed_origins must allow it too")
      ->type_name("ORIGIN")
      ->allow_extra_args(false);
  sign->add_option("PLUGIN", plugin, "The plugin .so, or a model file")->required();
  sign->callback([&options] { options.exit_code = Sign(key, plugin, origins); });

  CLI::App* trust = plugins.add_subcommand(
      "trust", "Add a public key to the trust store, or revoke it with --revoke");
  trust->add_option("KEY", public_key, "A public key file (vigil-signing.pub)")->required();
  trust->add_option("--trust-dir", trust_dir,
                    "The trust store (default: the host config's [trust] keys)");
  trust->add_flag("--revoke", revoke, "List the key as revoked: its plugins stop loading");
  trust->callback([&options] { options.exit_code = TrustKey(public_key, trust_dir, revoke); });
}

}  // namespace vigil::cli
