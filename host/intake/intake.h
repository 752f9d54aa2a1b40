// Intake: what to scan. Files and directories from the command line, a list of paths or
// URLs on stdin, or a JSON-lines manifest that carries item metadata.
#ifndef VIGIL_HOST_INTAKE_INTAKE_H_
#define VIGIL_HOST_INTAKE_INTAKE_H_

#include <cstdint>
#include <filesystem>
#include <istream>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace vigil::host {

struct IntakeItem {
  std::string path;         // a file to read, or empty for a bare URL item
  std::string url;          // the item's URL (a bare URL item, or where the file came from)
  std::string source;       // intake channel
  std::string uploader_id;
  int64_t received_unix_ms = 0;
  std::map<std::string, std::string> attributes;
  std::string content_type;  // declared by the manifest ("image/jpeg"): an image claim
  std::string submission_id;  // issue 14: the `vigil serve` submission it carries, if any
  Status error;             // set when the intake line itself was bad: the item fails
};

// Every regular file below the given paths (directories recursive, sorted); a path that
// does not exist, a folder that cannot be listed (no permission, I/O error) and an entry
// whose type cannot be read each become an item with an error naming the reason, so it
// is reported as failed and the scan goes on. Paths are real: absolute, without "." and
// "..", symbolic links resolved (std::filesystem::weakly_canonical); the same holds for
// ItemsFromList and for a manifest's "path".
std::vector<IntakeItem> ItemsFromPaths(const std::vector<std::filesystem::path>& paths);

// One path or URL per line ("scheme://..." is a URL); blank lines and "#" comments are
// skipped; a path to a directory expands like ItemsFromPaths.
std::vector<IntakeItem> ItemsFromList(std::istream& in);

// JSON lines: {"path": ..., "url": ..., "source": ..., "uploader_id": ...,
// "received": <unix ms or ISO-8601 text>, "content_type": "image/jpeg", "attributes": {...}}. At
// least one of path or url. A malformed line becomes a failed item naming the line number.
std::vector<IntakeItem> ItemsFromManifest(std::istream& in, const std::string& name);

// True for "http://...", "https://..." and other "scheme://" strings.
bool LooksLikeUrl(const std::string& text);

}  // namespace vigil::host

#endif  // VIGIL_HOST_INTAKE_INTAKE_H_
