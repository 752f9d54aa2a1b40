// IsolationRuntime::PluginDigest and ModelDigests (isolation_runtime.h): the SHA-256 of
// the files that decide a scan's results beyond the detectors' versions, for the scan key
// (store/scan_ledger.h). A vendor replacing a model or a plugin binary without a new
// version changes them, so a scan run again analyses its items instead of skipping them.
#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>

#include "isolation/isolation_runtime.h"
#include "isolation/unique_fd.h"

namespace vigil::isolation {
namespace fs = std::filesystem;
namespace {

// The hex SHA-256 of a file's bytes, read in 1 MiB blocks.
StatusOr<std::string> Sha256OfFile(const fs::path& path) {
  if (::sodium_init() < 0) return Status::Internal("libsodium could not be initialised");
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    return Status::IoError("cannot read " + path.string() + ": " + std::strerror(errno));
  }
  crypto_hash_sha256_state hash;
  crypto_hash_sha256_init(&hash);
  std::vector<unsigned char> buffer(1 << 20);
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return Status::IoError("cannot read " + path.string() + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    crypto_hash_sha256_update(&hash, buffer.data(), static_cast<unsigned long long>(n));
  }
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&hash, digest);
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  ::sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
  return std::string(hex);
}

// Sha256OfFile, once per path (REQUIRES: the caller holds the runtime's mutex).
StatusOr<std::string> CachedDigest(std::map<fs::path, std::string>& cache, const fs::path& path) {
  if (auto it = cache.find(path); it != cache.end()) return it->second;
  auto digest = Sha256OfFile(path);
  if (digest.ok()) cache[path] = digest.value();
  return digest;
}

}  // namespace

StatusOr<std::string> IsolationRuntime::PluginDigest(const fs::path& canonical) {
  std::lock_guard<std::mutex> lock(mutex_);
  // Verified plugins (vendor plugins, first-party ones given an untrusted model) were
  // hashed as their bytes were sealed: that digest is of exactly what runs.
  if (auto it = verified_.find(canonical); it != verified_.end()) return it->second->sha256;
  return CachedDigest(file_digests_, canonical);
}

StatusOr<std::map<std::string, std::string>> IsolationRuntime::ModelDigests(
    const std::string& detector_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto it = models_.find(detector_id); it != models_.end()) {
    if (!it->second.refused.ok()) return it->second.refused;
    return it->second.digests;  // taken while the verified copies were made
  }
  std::map<std::string, std::string> digests;
  auto shipped = shipped_models_.find(detector_id);
  if (shipped == shipped_models_.end()) return digests;
  const fs::path& manifest = shipped->second;
  auto manifest_digest = CachedDigest(file_digests_, manifest);
  if (!manifest_digest.ok()) return manifest_digest.status();
  digests[manifest.filename().string()] = manifest_digest.value();
  // The model file the manifest names, resolved as the classifier resolves it (relative
  // to the manifest). A manifest that names none fails in the detector; its bytes alone
  // are then what decides.
  std::ifstream in(manifest);
  const nlohmann::json json = nlohmann::json::parse(in, nullptr, false);
  if (!json.is_object() || !json.contains("model") || !json["model"].is_string()) return digests;
  const std::string name = json["model"].get<std::string>();
  if (name.empty()) return digests;
  const fs::path model =
      fs::path(name).is_absolute() ? fs::path(name) : manifest.parent_path() / name;
  auto model_digest = CachedDigest(file_digests_, model);
  if (!model_digest.ok()) return model_digest.status();
  digests[name] = model_digest.value();
  return digests;
}

}  // namespace vigil::isolation
