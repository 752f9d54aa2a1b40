// The [store] settings of the org config file and the scan's decision to keep
// media of queued items in the store (issue 13 item 3; store/media_vault.h).
#include <cstdlib>

#include "cli/commands.h"
#include "store/media_vault.h"

namespace vigil::cli {

StatusOr<host::StoreSettings> StoreSettingsOf(const GlobalOptions &options) {
  std::string path = options.config;
  if (path.empty()) {
    if (const char *env = std::getenv("VIGIL_CONFIG"); env != nullptr) path = env;
  }
  return host::LoadStoreSettings(path);
}

Status KeepMediaIfConfigured(const GlobalOptions &options, host::Store &store) {
  auto settings = StoreSettingsOf(options);
  if (!settings.ok()) return settings.status();
  const bool team = store.db().dialect() == host::Dialect::kPostgres;
  if (!team && !settings.value().keep_media) return Status::Ok();  // the console reads the file
  if (settings.value().media_key_file.empty()) {
    return Status::InvalidArgument(
        std::string(team ? "a team store keeps the media of items queued for review"
                         : "keep_media = true keeps the media of items queued for "
                           "review") +
        ": name a media key file ([store] media_key_file in the file given by "
        "--config or "
        "$VIGIL_CONFIG; docs/operations.md, \"Media in the store and "
        "retention\")");
  }
  auto key = host::MediaKey::Load(settings.value().media_key_file);
  if (!key.ok()) return key.status();
  store.KeepMediaOfQueuedItems(key.value());
  return Status::Ok();
}

StatusOr<std::optional<host::MediaKey>> ConfiguredMediaKey(const GlobalOptions &options) {
  auto settings = StoreSettingsOf(options);
  if (!settings.ok()) return settings.status();
  if (settings.value().media_key_file.empty()) return std::optional<host::MediaKey>();
  auto key = host::MediaKey::Load(settings.value().media_key_file);
  if (!key.ok()) return key.status();
  return std::optional<host::MediaKey>(key.value());
}

}  // namespace vigil::cli
