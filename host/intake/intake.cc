#include "intake/intake.h"

#include <algorithm>
#include <ctime>

#include <nlohmann/json.hpp>

namespace vigil::host {
namespace fs = std::filesystem;
namespace {

IntakeItem Failed(const fs::path& path, Status error) {
  IntakeItem item;
  item.path = path.string();
  item.error = std::move(error);
  return item;
}

using Found = std::vector<std::pair<fs::path, IntakeItem>>;  // sorted by path later

// The path as printed and stored: absolute, without "." and "..", symbolic links
// resolved (weakly_canonical: the part that does not exist is kept, made lexically
// normal). "/srv/scans/../shared/a.png" is "/srv/shared/a.png" when /srv/scans is a
// folder, and wherever the link points when it is a link: ".." after a link goes up
// from the link's target, as the kernel does, so the printed path is the file read.
fs::path RealPath(const fs::path& path) {
  std::error_code ec;
  fs::path real = fs::weakly_canonical(path, ec);
  if (!ec) return real;
  fs::path absolute = fs::absolute(path, ec);
  return (ec ? path : absolute).lexically_normal();
}

// Every regular file below `root`, and a failed item for each folder that cannot be
// listed and each entry whose type cannot be read (no permission, I/O error): evidence
// under them would otherwise vanish without a word. Symbolic links to folders are not
// followed (as before); links to files are scanned.

void Walk(const fs::path& root, Found& found) {
  std::vector<fs::path> pending = {root};
  while (!pending.empty()) {
    const fs::path dir = std::move(pending.back());
    pending.pop_back();
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
      std::error_code type_ec;
      const fs::file_status own = it->symlink_status(type_ec);
      if (type_ec) {
        found.emplace_back(
            it->path(), Failed(it->path(), Status::IoError("cannot read: " + type_ec.message())));
        continue;
      }
      if (fs::is_directory(own)) {
        pending.push_back(it->path());
        continue;
      }
      const bool regular = it->is_regular_file(type_ec);  // follows a link to a file
      if (type_ec && type_ec != std::errc::no_such_file_or_directory) {
        // A link whose target cannot be reached; a dangling link is no evidence.
        found.emplace_back(
            it->path(), Failed(it->path(), Status::IoError("cannot read: " + type_ec.message())));
      } else if (regular) {
        IntakeItem item;
        // The folder is already real: only a link needs resolving.
        item.path = (fs::is_symlink(own) ? RealPath(it->path()) : it->path()).string();
        found.emplace_back(it->path(), std::move(item));
      }
    }
    if (ec) {
      found.emplace_back(dir, Failed(dir, Status::IoError("cannot read folder: " + ec.message())));
    }
  }
}

void AddPath(const fs::path& given, std::vector<IntakeItem>& out) {
  const fs::path path = RealPath(given);
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  if (ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory) {
    out.push_back(Failed(path, Status::IoError("cannot read: " + ec.message())));
    return;
  }
  if (ec || !fs::exists(status)) {
    out.push_back(Failed(path, Status::NotFound("no such file or directory")));
    return;
  }
  if (!fs::is_directory(status)) {
    IntakeItem item;
    item.path = path.string();
    out.push_back(std::move(item));
    return;
  }
  Found found;
  Walk(path, found);
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [where, item] : found) out.push_back(std::move(item));
}

// Unix milliseconds from a number or an ISO-8601 UTC text ("2026-11-29T10:00:00Z").
bool ParseTime(const nlohmann::json& value, int64_t* out) {
  if (value.is_number_integer()) {
    *out = value.get<int64_t>();
    return true;
  }
  if (!value.is_string()) return false;
  std::tm tm{};
  const std::string text = value.get<std::string>();
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (end == nullptr || (*end != '\0' && *end != 'Z')) return false;
  *out = static_cast<int64_t>(timegm(&tm)) * 1000;
  return true;
}

}  // namespace

bool LooksLikeUrl(const std::string& text) {
  size_t colon = text.find("://");
  if (colon == std::string::npos || colon == 0) return false;
  return std::all_of(text.begin(), text.begin() + static_cast<long>(colon), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
  });
}

std::vector<IntakeItem> ItemsFromPaths(const std::vector<fs::path>& paths) {
  std::vector<IntakeItem> out;
  for (const fs::path& path : paths) AddPath(path, out);
  return out;
}

std::vector<IntakeItem> ItemsFromList(std::istream& in) {
  std::vector<IntakeItem> out;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    if (LooksLikeUrl(line)) {
      IntakeItem item;
      item.url = line;
      out.push_back(std::move(item));
    } else {
      AddPath(line, out);
    }
  }
  return out;
}

std::vector<IntakeItem> ItemsFromManifest(std::istream& in, const std::string& name) {
  std::vector<IntakeItem> out;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    IntakeItem item;
    const std::string where = name + ":" + std::to_string(number);
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) {
      item.path = where;
      item.error = Status::InvalidArgument(where + ": not a JSON object");
      out.push_back(std::move(item));
      continue;
    }
    auto text = [&](const char* key, std::string* target) {
      if (!j.contains(key)) return true;
      if (!j[key].is_string()) return false;
      *target = j[key].get<std::string>();
      return true;
    };
    bool ok = text("path", &item.path) && text("url", &item.url) && text("source", &item.source) &&
              text("uploader_id", &item.uploader_id) && text("content_type", &item.content_type);
    if (ok && j.contains("received")) ok = ParseTime(j["received"], &item.received_unix_ms);
    if (ok && j.contains("attributes")) {
      if (!j["attributes"].is_object()) ok = false;
      else {
        for (const auto& [key, value] : j["attributes"].items()) {
          item.attributes[key] = value.is_string() ? value.get<std::string>() : value.dump();
        }
      }
    }
    if (!ok) {
      item.error = Status::InvalidArgument(
          where + ": path, url, source, uploader_id and content_type must be strings, "
                  "received a number or ISO-8601 time, attributes an object");
    } else if (item.path.empty() && item.url.empty()) {
      item.error = Status::InvalidArgument(where + ": needs a \"path\" or a \"url\"");
    }
    if (item.path.empty() && item.url.empty()) {
      item.path = where;
    } else if (item.error.ok() && !item.path.empty()) {
      item.path = RealPath(item.path).string();
    }
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace vigil::host
