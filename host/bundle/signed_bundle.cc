#include "bundle/signed_bundle.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "isolation/plugin_trust.h"
#include "store/store.h"

namespace vigil::bundle {
namespace fs = std::filesystem;
namespace {

constexpr char kFormat[] = "vigil.bundle/1";
constexpr size_t kMaxManifestBytes = 16u << 20;  // ~100k files; a bigger one is hostile
constexpr size_t kMaxFiles = 100000;

bool PlainName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

// SHA-256 (hex) and size of a regular file, streamed.
Status HashFile(const fs::path& path, BundleFile& out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return Status::IoError("cannot read " + path.string() + ": " + std::strerror(errno));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  char buffer[1 << 16];
  uint64_t size = 0;
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      return Status::IoError("cannot read " + path.string() + ": " + why);
    }
    if (n == 0) break;
    EVP_DigestUpdate(ctx.get(), buffer, static_cast<size_t>(n));
    size += static_cast<uint64_t>(n);
  }
  ::close(fd);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &length);
  static const char kHex[] = "0123456789abcdef";
  out.sha256.clear();
  for (unsigned int i = 0; i < length; ++i) {
    out.sha256 += kHex[digest[i] >> 4];
    out.sha256 += kHex[digest[i] & 15];
  }
  out.size = size;
  return Status::Ok();
}

Status WriteSynced(const fs::path& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IoError("cannot write " + path.string() + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      return Status::IoError("cannot write " + path.string() + ": " + why);
    }
    done += static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  const std::string why = std::strerror(errno);
  ::close(fd);
  if (!synced) return Status::IoError("cannot write " + path.string() + ": " + why);
  return Status::Ok();
}

StatusOr<std::string> ReadBounded(const fs::path& path, size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path.filename().string() + " is missing");
  std::string data;
  char buffer[1 << 14];
  while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) {
    data.append(buffer, static_cast<size_t>(in.gcount()));
    if (data.size() > limit) return Status::Corruption(path.filename().string() + " is too large");
  }
  return data;
}

}  // namespace

StatusOr<BundleFile> DescribeFile(const fs::path& dir, const std::string& name) {
  if (!PlainName(name)) return Status::InvalidArgument("'" + name + "' is not a plain file name");
  BundleFile file;
  file.name = name;
  if (Status s = HashFile(dir / name, file); !s.ok()) return s;
  return file;
}

Status WriteManifest(const fs::path& dir, const std::string& kind,
                     const std::vector<BundleFile>& files, const AuditHead& head,
                     const fs::path& secret_key) {
  auto signer = isolation::SigningPublicKey(secret_key);
  if (!signer.ok()) return signer.status();
  nlohmann::ordered_json manifest = {{"format", kFormat},
                                     {"kind", kind},
                                     {"created_at", host::NowUtc()},
                                     {"audit_head", {{"seq", head.seq}, {"hash", head.hash}}}};
  nlohmann::ordered_json listed = nlohmann::ordered_json::array();
  for (const BundleFile& file : files) {
    if (!PlainName(file.name) || file.name == kManifestName || file.name == kSignatureName) {
      return Status::InvalidArgument("'" + file.name + "' cannot be a bundle file's name");
    }
    listed.push_back({{"name", file.name}, {"size", file.size}, {"sha256", file.sha256}});
  }
  manifest["files"] = listed;
  manifest["signer"] = signer.value();
  const std::string text = manifest.dump(2) + "\n";
  auto signature = isolation::SignText(secret_key, text);
  if (!signature.ok()) return signature.status();
  if (Status s = WriteSynced(dir / kManifestName, text); !s.ok()) return s;
  return WriteSynced(dir / kSignatureName, signature.value() + "\n");
}

StatusOr<Verification> VerifyBundle(const fs::path& dir, const std::string& expected_signer) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::NotFound(dir.string() + " is not a folder");
  Verification result;
  auto text = ReadBounded(dir / kManifestName, kMaxManifestBytes);
  if (!text.ok()) {
    result.problems.push_back(text.status().message());
    return result;
  }
  auto signature = ReadBounded(dir / kSignatureName, 1024);
  if (!signature.ok()) result.problems.push_back(signature.status().message());

  nlohmann::json manifest = nlohmann::json::parse(text.value(), nullptr, /*allow_exceptions=*/false);
  if (!manifest.is_object() || manifest.value("format", "") != kFormat ||
      !manifest.contains("files") || !manifest["files"].is_array() ||
      !manifest.contains("signer") || !manifest["signer"].is_string()) {
    result.problems.push_back("manifest.json is not a " + std::string(kFormat) + " manifest");
    return result;
  }
  result.signer = manifest["signer"].get<std::string>();
  result.kind = manifest.value("kind", "");
  result.created_at = manifest.value("created_at", "");
  if (manifest.contains("audit_head") && manifest["audit_head"].is_object()) {
    const auto& head = manifest["audit_head"];
    if (head.contains("seq") && head["seq"].is_number_integer()) {
      result.head.seq = head["seq"].get<int64_t>();
    }
    if (head.contains("hash") && head["hash"].is_string()) {
      result.head.hash = head["hash"].get<std::string>();
    }
  }
  if (signature.ok() &&
      !isolation::VerifyTextSignature(result.signer, text.value(), signature.value())) {
    result.problems.push_back("the signature does not match manifest.json (changed, or not "
                              "signed by the key it names)");
  }
  if (!expected_signer.empty() && expected_signer != result.signer) {
    result.problems.push_back("signed by " + result.signer + ", not by the expected key " +
                              expected_signer);
  }
  std::set<std::string> listed = {kManifestName, kSignatureName};
  if (manifest["files"].size() > kMaxFiles) {
    result.problems.push_back("the manifest lists more than " + std::to_string(kMaxFiles) +
                              " files");
    return result;
  }
  for (const auto& entry : manifest["files"]) {
    if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string() ||
        !entry.contains("sha256") || !entry["sha256"].is_string() || !entry.contains("size") ||
        !entry["size"].is_number_unsigned()) {
      result.problems.push_back("the manifest has a malformed file entry");
      continue;
    }
    BundleFile want;
    want.name = entry["name"].get<std::string>();
    want.sha256 = entry["sha256"].get<std::string>();
    want.size = entry["size"].get<uint64_t>();
    if (!PlainName(want.name) || !listed.insert(want.name).second) {
      result.problems.push_back("the manifest names '" + want.name +
                                "', which is not a plain, unique file name");
      continue;
    }
    result.files.push_back(want);
    auto have = DescribeFile(dir, want.name);
    if (!have.ok()) {
      result.problems.push_back(want.name + ": " + have.status().message());
    } else if (have->size != want.size || have->sha256 != want.sha256) {
      result.problems.push_back(want.name + " changed: SHA-256 " + have->sha256 + " (" +
                                std::to_string(have->size) + " bytes), the manifest says " +
                                want.sha256 + " (" + std::to_string(want.size) + " bytes)");
    }
  }
  for (const auto& found : fs::directory_iterator(dir, ec)) {
    const std::string name = found.path().filename().string();
    if (!listed.count(name)) result.problems.push_back(name + " is not in the manifest");
  }
  if (ec) result.problems.push_back("cannot list " + dir.string() + ": " + ec.message());
  return result;
}

}  // namespace vigil::bundle
