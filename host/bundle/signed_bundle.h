// Signed bundles (issue 15 item 4): a folder of files handed to someone else (an export,
// a report's evidence) with a manifest that lists each file's SHA-256 and size and the
// store's audit chain head when it was made, signed with Ed25519. `vigil bundle verify`
// checks one offline: the signature, every file, nothing added or missing (chain of
// custody: whoever holds the bundle can prove it is what the store's owner made).
//
//   DIR/manifest.json  {"format": "vigil.bundle/1", "created_at", "kind",
//                       "audit_head": {"seq", "hash"}, "files": [{"name", "size",
//                       "sha256"}], "signer": hex public key}
//   DIR/manifest.sig   hex Ed25519 signature over manifest.json's exact bytes
#ifndef VIGIL_HOST_BUNDLE_SIGNED_BUNDLE_H_
#define VIGIL_HOST_BUNDLE_SIGNED_BUNDLE_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"

namespace vigil::bundle {

inline constexpr char kManifestName[] = "manifest.json";
inline constexpr char kSignatureName[] = "manifest.sig";

struct BundleFile {
  std::string name;  // a plain file name inside the bundle folder
  uint64_t size = 0;
  std::string sha256;
};

struct AuditHead {
  int64_t seq = 0;
  std::string hash;  // "" for an empty log
};

// Hashes one file of the bundle folder (name must be plain: no '/', not '.' or '..').
StatusOr<BundleFile> DescribeFile(const std::filesystem::path& dir, const std::string& name);

// Writes DIR/manifest.json and DIR/manifest.sig (synced) for `files`, signed with the
// secret key file `secret_key` (`vigil plugins keygen`'s format).
Status WriteManifest(const std::filesystem::path& dir, const std::string& kind,
                     const std::vector<BundleFile>& files, const AuditHead& head,
                     const std::filesystem::path& secret_key);

struct Verification {
  std::string signer;  // hex public key named by the manifest
  std::string kind;
  std::string created_at;
  AuditHead head;
  std::vector<BundleFile> files;
  std::vector<std::string> problems;  // empty: the bundle verifies
  bool ok() const { return problems.empty(); }
};

// Checks a bundle folder. `expected_signer` (hex public key, may be empty) must be the
// manifest's signer when given. Problems are listed, one line each; the Status is an
// error only when the folder cannot be read at all.
StatusOr<Verification> VerifyBundle(const std::filesystem::path& dir,
                                    const std::string& expected_signer);

}  // namespace vigil::bundle

#endif  // VIGIL_HOST_BUNDLE_SIGNED_BUNDLE_H_
