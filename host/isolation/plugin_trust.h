// Signed plugins: Ed25519 (libsodium) over a small manifest beside the .so.
//
//   PLUGIN.so.manifest  JSON: format, file, sha256, abi, detectors [{id, version}], signer
//   PLUGIN.so.sig       hex Ed25519 signature over the manifest's exact bytes
//
// The host opens the plugin once, copies it into a sealed memfd while hashing it, and
// checks the hash against the signed manifest. Every later load (in a worker, or in
// process) uses THAT memfd through /proc/self/fd/N, so swapping or rewriting the file
// after the check changes nothing.
//
// A trust store is a directory of public keys (*.pub, hex) plus an optional file
// `revoked` with one hex public key per line.
#ifndef VIGIL_HOST_ISOLATION_PLUGIN_TRUST_H_
#define VIGIL_HOST_ISOLATION_PLUGIN_TRUST_H_

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "isolation/unique_fd.h"

namespace vigil::isolation {

std::filesystem::path ManifestPath(const std::filesystem::path& plugin);
std::filesystem::path SignaturePath(const std::filesystem::path& plugin);

// Writes DIR/vigil-signing.key (secret, mode 0600) and DIR/vigil-signing.pub; refuses
// to overwrite an existing key.
Status GenerateSigningKey(const std::filesystem::path& dir);

struct DetectorStamp {
  std::string id;
  std::string version;
};

// Writes the manifest and signature beside `plugin`. `detectors` and `abi` describe the
// plugin (the CLI asks a worker); the hash is computed here. `egress_origins` (each
// https://host[:port]) are the origins its vigil.http/1 requests may reach, written as
// the manifest's `egress_origins` in normal form (omitted when empty).
Status SignPlugin(const std::filesystem::path& plugin, const std::filesystem::path& secret_key,
                  const std::string& abi, const std::vector<DetectorStamp>& detectors,
                  const std::vector<std::string>& egress_origins = {});

class TrustStore {
 public:
  // A missing directory is an empty store (nothing is trusted).
  static StatusOr<TrustStore> Load(const std::filesystem::path& dir);
  // Adds a public key file to the store; with `revoke`, lists it as revoked instead.
  static Status AddKey(const std::filesystem::path& dir, const std::filesystem::path& public_key,
                       bool revoke);

  bool Trusts(const std::string& public_key_hex) const { return keys_.count(public_key_hex) > 0; }
  bool Revoked(const std::string& public_key_hex) const {
    return revoked_.count(public_key_hex) > 0;
  }
  const std::set<std::string>& keys() const { return keys_; }

 private:
  std::set<std::string> keys_;
  std::set<std::string> revoked_;
};

enum class TrustState {
  kFirstParty,  // named in the host configuration: not checked
  kSigned,      // a valid signature by a trusted, unrevoked key
  kDeveloper,   // the check failed, loaded anyway because of developer mode
};

// An opened, checked plugin. `fd` is a sealed memfd with the plugin's bytes (or the
// opened file itself for first-party plugins): load it through LoadPath().
struct VerifiedPlugin {
  std::filesystem::path path;
  UniqueFd fd;
  std::string sha256;  // hex, of the bytes in `fd`
  TrustState state = TrustState::kSigned;
  std::string signer;   // hex public key, when signed
  std::string problem;  // developer mode: why the check failed
  // The signed manifest's egress_origins (normal form); empty unless kSigned.
  std::set<std::string> egress_origins;
  std::string LoadPath() const { return "/proc/self/fd/" + std::to_string(fd.get()); }
};

struct TrustOptions {
  bool developer_mode = false;
  bool first_party = false;
};

// Opens `plugin`, hashes it into a sealed memfd and checks its signature against
// `store`. Refuses (with the reason) unless the check passes or developer mode is on.
StatusOr<VerifiedPlugin> OpenVerifiedPlugin(const std::filesystem::path& plugin,
                                            const TrustStore& store, const TrustOptions& options);

const char* TrustStateName(TrustState state);

// Model files (e.g. a vendor's ONNX model and its manifest.json) are signed like
// plugins: FILE.manifest (JSON: format, "kind": "model", file, sha256, signer) and
// FILE.sig, written by `vigil plugins sign --key KEY FILE`.
Status SignModelFile(const std::filesystem::path& file, const std::filesystem::path& secret_key);

struct VerifiedModelFile {
  std::filesystem::path copy;  // the verified bytes: load this, never the original
  std::string sha256;
  TrustState state = TrustState::kSigned;
  std::string signer;
  std::string problem;  // developer mode: why the check failed
};

// Copies `file` to `copy` (created, mode 0400) while hashing it, then checks the copy's
// hash against FILE.manifest signed by a key in `store`. Refuses (and removes the copy)
// unless the check passes or `developer_mode`. The copy is what the detector loads, so
// changing the original after the check changes nothing.
StatusOr<VerifiedModelFile> CopyVerifiedModelFile(const std::filesystem::path& file,
                                                  const std::filesystem::path& copy,
                                                  const TrustStore& store, bool developer_mode);

// Ed25519 over arbitrary text with a key of `vigil plugins keygen` (also signed export
// bundles, issue 15 item 4): the signer's public key (hex), the hex signature over the
// text's exact bytes, and the check of one.
StatusOr<std::string> SigningPublicKey(const std::filesystem::path& secret_key);
StatusOr<std::string> SignText(const std::filesystem::path& secret_key, const std::string& text);
bool VerifyTextSignature(const std::string& public_key_hex, const std::string& text,
                         const std::string& signature_hex);

}  // namespace vigil::isolation

#endif  // VIGIL_HOST_ISOLATION_PLUGIN_TRUST_H_
