#include "isolation/plugin_trust.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "isolation/describe_check.h"
#include "isolation/output_relay.h"
#include "isolation/http_egress.h"

namespace vigil::isolation {
namespace fs = std::filesystem;
namespace {

constexpr size_t kMaxPluginBytes = 1ull << 30;
constexpr size_t kMaxManifestBytes = 64u << 10;

Status InitSodium() {
  if (sodium_init() < 0) return Status::IoError("libsodium could not initialise");
  return Status::Ok();
}

std::string Hex(const unsigned char* data, size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, size);
  out.pop_back();
  return out;
}

bool FromHex(const std::string& hex, unsigned char* out, size_t size) {
  size_t written = 0;
  std::string trimmed = hex;
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) {
    trimmed.pop_back();
  }
  return sodium_hex2bin(out, size, trimmed.data(), trimmed.size(), nullptr, &written, nullptr) ==
             0 &&
         written == size && trimmed.size() == size * 2;
}

StatusOr<std::string> ReadSmallFile(const fs::path& path, size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path.string() + " is missing");
  std::string data;
  char buffer[4096];
  while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) {
    data.append(buffer, static_cast<size_t>(in.gcount()));
    if (data.size() > limit) return Status::Corruption(path.string() + " is too large");
  }
  return data;
}

Status WriteFile(const fs::path& path, const std::string& data, mode_t mode) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
  if (!fd.valid())
    return Status::IoError("cannot write " + path.string() + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd.get(), data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return Status::IoError("cannot write " + path.string() + ": " + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

// Copies the open file into a sealed memfd, hashing what was copied.
StatusOr<std::string> CopyIntoSealedMemfd(int source, const fs::path& path, UniqueFd& memfd) {
  struct stat st;
  if (::fstat(source, &st) != 0 || !S_ISREG(st.st_mode)) {
    return Status::PluginError("plugin " + path.string() + " is not a regular file");
  }
  if (static_cast<uint64_t>(st.st_size) > kMaxPluginBytes) {
    return Status::Resource("plugin " + path.string() + " is larger than 1 GiB");
  }
  memfd.reset(::memfd_create("vigil-plugin", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!memfd.valid()) return Status::IoError(std::string("memfd_create: ") + std::strerror(errno));
  crypto_hash_sha256_state hash;
  crypto_hash_sha256_init(&hash);
  std::vector<unsigned char> buffer(1 << 20);
  for (;;) {
    ssize_t n = ::read(source, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IoError("cannot read " + path.string() + ": " + std::strerror(errno));
    if (n == 0) break;
    crypto_hash_sha256_update(&hash, buffer.data(), static_cast<unsigned long long>(n));
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(memfd.get(), buffer.data() + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return Status::IoError("cannot copy the plugin into memory");
      done += w;
    }
  }
  if (::fcntl(memfd.get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) !=
      0) {
    return Status::IoError(std::string("cannot seal the plugin copy: ") + std::strerror(errno));
  }
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&hash, digest);
  return Hex(digest, sizeof(digest));
}

StatusOr<std::string> HashFile(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return Status::NotFound("cannot open " + path.string());
  UniqueFd memfd;
  return CopyIntoSealedMemfd(fd.get(), path, memfd);
}

// Checks manifest + signature against the copied bytes; returns the signer.
// `noun` words the messages ("plugin", "model file"); a model's manifest says
// "kind": "model", a plugin's does not, so neither signature passes for the other.
StatusOr<std::string> CheckSignature(const fs::path& plugin, const std::string& sha256,
                                     const TrustStore& store,
                                     std::set<std::string>* egress_origins,
                                     const std::string& noun = "plugin") {
  const bool model = noun != "plugin";
  auto manifest = ReadSmallFile(ManifestPath(plugin), kMaxManifestBytes);
  if (!manifest.ok()) {
    return Status::PluginError(noun + " " + plugin.string() + " is unsigned (no " +
                               ManifestPath(plugin).filename().string() +
                               "); sign it with `vigil plugins sign`, or run with "
                               "--developer-mode");
  }
  auto signature_hex = ReadSmallFile(SignaturePath(plugin), 1024);
  if (!signature_hex.ok()) {
    return Status::PluginError(noun + " " + plugin.string() + " has a manifest but no signature (" +
                               SignaturePath(plugin).filename().string() + ")");
  }
  unsigned char signature[crypto_sign_BYTES];
  if (!FromHex(signature_hex.value(), signature, sizeof(signature))) {
    return Status::PluginError(noun + " " + plugin.string() + ": the signature file is malformed");
  }
  nlohmann::json json = nlohmann::json::parse(manifest.value(), nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains("signer") ||
      !json["signer"].is_string() || !json.contains("sha256") || !json["sha256"].is_string()) {
    return Status::PluginError(noun + " " + plugin.string() + ": the manifest is malformed");
  }
  const std::string signer = json["signer"].get<std::string>();
  unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
  if (!FromHex(signer, public_key, sizeof(public_key))) {
    return Status::PluginError(noun + " " + plugin.string() +
                               ": the manifest's signer is malformed");
  }
  if (crypto_sign_verify_detached(signature,
                                  reinterpret_cast<const unsigned char*>(manifest.value().data()),
                                  manifest.value().size(), public_key) != 0) {
    return Status::PluginError(noun + " " + plugin.string() +
                               ": the signature does not match the manifest (tampered manifest "
                               "or wrong signature)");
  }
  if (store.Revoked(signer)) {
    return Status::PluginError(noun + " " + plugin.string() + " is signed by key " +
                               signer.substr(0, 16) + "..., which is revoked");
  }
  if (!store.Trusts(signer)) {
    return Status::PluginError(noun + " " + plugin.string() + " is signed by key " +
                               signer.substr(0, 16) +
                               "..., which is not in the trust store (add it with `vigil "
                               "plugins trust`)");
  }
  if (json["sha256"].get<std::string>() != sha256) {
    return Status::PluginError(noun + " " + plugin.string() +
                               " does not match its signed manifest (" +
                               (model ? "the file" : "the .so") + " was changed after signing)");
  }
  const bool says_model = json.contains("kind") && json["kind"] == "model";
  if (says_model != model) {
    return Status::PluginError(noun + " " + plugin.string() + ": the signed manifest is for " +
                               (says_model ? "a model file" : "a plugin"));
  }
  if (!json.contains("file") || json["file"] != plugin.filename().string()) {
    return Status::PluginError(noun + " " + plugin.string() +
                               ": the signed manifest names another file");
  }
  if (json.contains("egress_origins")) {
    const nlohmann::json& origins = json["egress_origins"];
    for (size_t i = 0; origins.is_array() && i < origins.size(); ++i) {
      auto normal = origins[i].is_string() ? NormalizeOrigin(origins[i].get<std::string>())
                                           : StatusOr<std::string>(Status::InvalidArgument(""));
      if (!normal.ok() || normal.value() != origins[i].get<std::string>()) break;
      egress_origins->insert(normal.value());
    }
    if (!origins.is_array() || egress_origins->size() != origins.size()) {
      egress_origins->clear();
      return Status::PluginError(noun + " " + plugin.string() +
                                 ": the signed manifest's egress_origins is malformed");
    }
  }
  return signer;
}

// Completes `manifest` with the file's SHA-256 and the signer's public key, signs its
// exact bytes and writes FILE.manifest and FILE.sig. The secret key is read here, as late
// as possible, and wiped before returning.
// Reads a secret key file into `secret_key` (the caller wipes it).
Status ReadSecretKey(const fs::path& secret_key_path,
                     unsigned char (&secret_key)[crypto_sign_SECRETKEYBYTES]) {
  if (Status s = InitSodium(); !s.ok()) return s;
  auto secret_hex = ReadSmallFile(secret_key_path, 1024);
  if (!secret_hex.ok()) return secret_hex.status();
  const bool parsed = FromHex(secret_hex.value(), secret_key, sizeof(secret_key));
  sodium_memzero(secret_hex.value().data(), secret_hex.value().size());
  if (!parsed) {
    sodium_memzero(secret_key, sizeof(secret_key));
    return Status::InvalidArgument(secret_key_path.string() + " is not a vigil signing key");
  }
  return Status::Ok();
}

Status WriteSignedManifest(const fs::path& file, const fs::path& secret_key_path,
                           nlohmann::json manifest) {
  unsigned char secret_key[crypto_sign_SECRETKEYBYTES];
  if (Status s = ReadSecretKey(secret_key_path, secret_key); !s.ok()) return s;
  unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
  crypto_sign_ed25519_sk_to_pk(public_key, secret_key);
  auto sha256 = HashFile(file);
  if (!sha256.ok()) {
    sodium_memzero(secret_key, sizeof(secret_key));
    return sha256.status();
  }
  manifest["sha256"] = sha256.value();
  manifest["signer"] = Hex(public_key, sizeof(public_key));
  const std::string text = manifest.dump(2) + "\n";
  unsigned char signature[crypto_sign_BYTES];
  crypto_sign_detached(signature, nullptr, reinterpret_cast<const unsigned char*>(text.data()),
                       text.size(), secret_key);
  sodium_memzero(secret_key, sizeof(secret_key));
  if (Status s = WriteFile(ManifestPath(file), text, 0644); !s.ok()) return s;
  return WriteFile(SignaturePath(file), Hex(signature, sizeof(signature)) + "\n", 0644);
}

}  // namespace

StatusOr<std::string> SigningPublicKey(const fs::path& secret_key_path) {
  unsigned char secret_key[crypto_sign_SECRETKEYBYTES];
  if (Status s = ReadSecretKey(secret_key_path, secret_key); !s.ok()) return s;
  unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
  crypto_sign_ed25519_sk_to_pk(public_key, secret_key);
  sodium_memzero(secret_key, sizeof(secret_key));
  return Hex(public_key, sizeof(public_key));
}

StatusOr<std::string> SignText(const fs::path& secret_key_path, const std::string& text) {
  unsigned char secret_key[crypto_sign_SECRETKEYBYTES];
  if (Status s = ReadSecretKey(secret_key_path, secret_key); !s.ok()) return s;
  unsigned char signature[crypto_sign_BYTES];
  crypto_sign_detached(signature, nullptr, reinterpret_cast<const unsigned char*>(text.data()),
                       text.size(), secret_key);
  sodium_memzero(secret_key, sizeof(secret_key));
  return Hex(signature, sizeof(signature));
}

bool VerifyTextSignature(const std::string& public_key_hex, const std::string& text,
                         const std::string& signature_hex) {
  if (!InitSodium().ok()) return false;
  unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
  unsigned char signature[crypto_sign_BYTES];
  if (!FromHex(public_key_hex, public_key, sizeof(public_key)) ||
      !FromHex(signature_hex, signature, sizeof(signature))) {
    return false;
  }
  return crypto_sign_verify_detached(signature, reinterpret_cast<const unsigned char*>(text.data()),
                                     text.size(), public_key) == 0;
}

fs::path ManifestPath(const fs::path& plugin) { return plugin.string() + ".manifest"; }
fs::path SignaturePath(const fs::path& plugin) { return plugin.string() + ".sig"; }

const char* TrustStateName(TrustState state) {
  switch (state) {
    case TrustState::kFirstParty:
      return "first-party";
    case TrustState::kSigned:
      return "signed";
    case TrustState::kDeveloper:
      return "UNVERIFIED (developer mode)";
  }
  return "unknown";
}

Status GenerateSigningKey(const fs::path& dir) {
  if (Status s = InitSodium(); !s.ok()) return s;
  std::error_code ec;
  fs::create_directories(dir, ec);
  const fs::path secret_path = dir / "vigil-signing.key";
  const fs::path public_path = dir / "vigil-signing.pub";
  if (fs::exists(secret_path, ec) || fs::exists(public_path, ec)) {
    return Status::InvalidArgument(secret_path.string() + " already exists; not overwriting a key");
  }
  unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
  unsigned char secret_key[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(public_key, secret_key);
  std::string secret_hex = Hex(secret_key, sizeof(secret_key)) + "\n";
  sodium_memzero(secret_key, sizeof(secret_key));
  Status s = WriteFile(secret_path, secret_hex, 0600);
  sodium_memzero(secret_hex.data(), secret_hex.size());
  if (!s.ok()) return s;
  return WriteFile(public_path, Hex(public_key, sizeof(public_key)) + "\n", 0644);
}

Status SignPlugin(const fs::path& plugin, const fs::path& secret_key_path, const std::string& abi,
                  const std::vector<DetectorStamp>& detectors,
                  const std::vector<std::string>& egress_origins) {
  // What the plugin said about itself is checked before the key is even read.
  for (const DetectorStamp& d : detectors) {
    std::string why = DetectorIdProblem(d.id);
    if (why.empty()) why = VersionProblem(d.version);
    if (!why.empty()) {
      return Status::InvalidArgument("not signing " + plugin.string() + ": detector " +
                                     TerminalText(d.id) + " (version " +
                                     TerminalText(d.version) + ") " + why);
    }
  }
  if (Status s = InitSodium(); !s.ok()) return s;
  std::set<std::string> origins;
  for (const std::string& origin : egress_origins) {
    auto normal = NormalizeOrigin(origin);
    if (!normal.ok()) return normal.status();
    origins.insert(normal.value());
  }
  nlohmann::json list = nlohmann::json::array();
  for (const DetectorStamp& d : detectors) list.push_back({{"id", d.id}, {"version", d.version}});
  nlohmann::json manifest = {
      {"format", 1}, {"file", plugin.filename().string()}, {"abi", abi}, {"detectors", list}};
  if (!origins.empty()) manifest["egress_origins"] = origins;
  return WriteSignedManifest(plugin, secret_key_path, std::move(manifest));
}

Status SignModelFile(const fs::path& file, const fs::path& secret_key_path) {
  if (Status s = InitSodium(); !s.ok()) return s;
  nlohmann::json manifest = {{"format", 1}, {"kind", "model"}, {"file", file.filename().string()}};
  return WriteSignedManifest(file, secret_key_path, std::move(manifest));
}

StatusOr<VerifiedModelFile> CopyVerifiedModelFile(const fs::path& file, const fs::path& copy,
                                                  const TrustStore& store, bool developer_mode) {
  if (Status s = InitSodium(); !s.ok()) return s;
  UniqueFd source(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!source.valid()) {
    return Status::NotFound("model file " + file.string() + ": " + std::strerror(errno));
  }
  struct stat st;
  if (::fstat(source.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Status::InvalidArgument("model file " + file.string() + " is not a regular file");
  }
  if (static_cast<uint64_t>(st.st_size) > kMaxPluginBytes) {
    return Status::Resource("model file " + file.string() + " is larger than 1 GiB");
  }
  UniqueFd target(::open(copy.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0400));
  if (!target.valid()) {
    return Status::IoError("cannot write " + copy.string() + ": " + std::strerror(errno));
  }
  crypto_hash_sha256_state hash;
  crypto_hash_sha256_init(&hash);
  std::vector<unsigned char> buffer(1 << 20);
  for (;;) {
    ssize_t n = ::read(source.get(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IoError("cannot read " + file.string() + ": " + std::strerror(errno));
    if (n == 0) break;
    crypto_hash_sha256_update(&hash, buffer.data(), static_cast<unsigned long long>(n));
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(target.get(), buffer.data() + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0)
        return Status::IoError("cannot write " + copy.string() + ": " + std::strerror(errno));
      done += w;
    }
  }
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&hash, digest);
  VerifiedModelFile verified;
  verified.copy = copy;
  verified.sha256 = Hex(digest, sizeof(digest));
  std::set<std::string> no_origins;  // a model asks for nothing; any listed would be ignored
  auto signer = CheckSignature(file, verified.sha256, store, &no_origins, "model file");
  if (signer.ok()) {
    verified.state = TrustState::kSigned;
    verified.signer = signer.value();
    return verified;
  }
  if (!developer_mode) {
    ::unlink(copy.c_str());
    return signer.status();
  }
  verified.state = TrustState::kDeveloper;
  verified.problem = signer.status().message();
  return verified;
}

StatusOr<TrustStore> TrustStore::Load(const fs::path& dir) {
  TrustStore store;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return store;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".pub") continue;
    auto text = ReadSmallFile(entry.path(), 1024);
    unsigned char key[crypto_sign_PUBLICKEYBYTES];
    if (!text.ok() || !FromHex(text.value(), key, sizeof(key))) {
      return Status::Corruption("trust store: " + entry.path().string() +
                                " is not a hex Ed25519 public key");
    }
    store.keys_.insert(Hex(key, sizeof(key)));
  }
  if (ec) return Status::IoError("cannot read the trust store " + dir.string());
  if (auto revoked = ReadSmallFile(dir / "revoked", 1 << 20); revoked.ok()) {
    std::istringstream lines(revoked.value());
    for (std::string line; std::getline(lines, line);) {
      unsigned char key[crypto_sign_PUBLICKEYBYTES];
      if (FromHex(line, key, sizeof(key))) store.revoked_.insert(Hex(key, sizeof(key)));
    }
  }
  return store;
}

Status TrustStore::AddKey(const fs::path& dir, const fs::path& public_key, bool revoke) {
  auto text = ReadSmallFile(public_key, 1024);
  if (!text.ok()) return text.status();
  unsigned char key[crypto_sign_PUBLICKEYBYTES];
  if (!FromHex(text.value(), key, sizeof(key))) {
    return Status::InvalidArgument(public_key.string() + " is not a hex Ed25519 public key");
  }
  const std::string hex = Hex(key, sizeof(key));
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (revoke) {
    std::ofstream out(dir / "revoked", std::ios::app);
    out << hex << "\n";
    if (!out) return Status::IoError("cannot write " + (dir / "revoked").string());
    return Status::Ok();
  }
  return WriteFile(dir / (hex.substr(0, 16) + ".pub"), hex + "\n", 0644);
}

StatusOr<VerifiedPlugin> OpenVerifiedPlugin(const fs::path& plugin, const TrustStore& store,
                                            const TrustOptions& options) {
  if (Status s = InitSodium(); !s.ok()) return s;
  VerifiedPlugin verified;
  verified.path = plugin;
  UniqueFd file(::open(plugin.c_str(), O_RDONLY | O_CLOEXEC));
  if (!file.valid()) {
    return Status::NotFound("plugin " + plugin.string() + ": " + std::strerror(errno));
  }
  auto sha256 = CopyIntoSealedMemfd(file.get(), plugin, verified.fd);
  if (!sha256.ok()) return sha256.status();
  verified.sha256 = sha256.value();
  if (options.first_party) {
    verified.state = TrustState::kFirstParty;
    return verified;
  }
  auto signer = CheckSignature(plugin, verified.sha256, store, &verified.egress_origins);
  if (signer.ok()) {
    verified.state = TrustState::kSigned;
    verified.signer = signer.value();
    return verified;
  }
  if (!options.developer_mode) return signer.status();
  verified.egress_origins.clear();  // nothing unverified is trusted
  verified.state = TrustState::kDeveloper;
  verified.problem = signer.status().message();
  return verified;
}

}  // namespace vigil::isolation
