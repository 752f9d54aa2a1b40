// StoreSettings: the [store] table of the org config file (issue 13 item 3),
// read by `vigil`
// (--config FILE or $VIGIL_CONFIG) and by the console (vigil-review --config,
// the same file: each reads its own table and ignores the others).
//
//   [store]
//   media_key_file = "/etc/vigil/media.key"  # 32 random bytes, mode 0600;
//   relative to the file keep_media = false                        # a
//   workstation store keeps queued items' media retention_days = 90 # media
//   kept this long after the decision
//
// A team store (PostgreSQL) always keeps the media of items queued for review,
// so a scan into one needs media_key_file; a workstation store only with
// keep_media = true.
#ifndef VIGIL_HOST_STORE_STORE_SETTINGS_H_
#define VIGIL_HOST_STORE_STORE_SETTINGS_H_

#include <filesystem>
#include <string>

#include "core/status.h"

namespace vigil::host {

inline constexpr int kDefaultRetentionDays = 90;

struct StoreSettings {
  std::filesystem::path media_key_file;  // empty: none named
  bool keep_media = false;
  int retention_days = kDefaultRetentionDays;
  std::string origin;  // the file they came from ("" for the defaults)
};

// Parses the text of an org config file; `origin` names it in errors and is the
// folder a relative media_key_file is resolved against. Unknown keys in [store]
// are errors.
StatusOr<StoreSettings> ParseStoreSettings(const std::string &toml_text,
                                           const std::filesystem::path &origin);
// Reads the file; an empty path gives the defaults.
StatusOr<StoreSettings> LoadStoreSettings(const std::filesystem::path &path);

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_STORE_SETTINGS_H_
