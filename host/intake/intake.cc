#include "intake/intake.h"

#include <algorithm>
#include <ctime>

#include <nlohmann/json.hpp>

namespace vigil::host {
namespace fs = std::filesystem;
namespace {

void AddPath(const fs::path& path, std::vector<IntakeItem>& out) {
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    IntakeItem item;
    item.path = path.string();
    item.error = Status::NotFound("no such file or directory");
    out.push_back(std::move(item));
    return;
  }
  if (!fs::is_directory(status)) {
    IntakeItem item;
    item.path = path.string();
    out.push_back(std::move(item));
    return;
  }
  std::vector<fs::path> found;
  fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code file_ec;
    if (it->is_regular_file(file_ec)) found.push_back(it->path());
  }
  if (ec) {
    IntakeItem item;
    item.path = path.string();
    item.error = Status::IoError("cannot list: " + ec.message());
    out.push_back(std::move(item));
  }
  std::sort(found.begin(), found.end());
  for (const fs::path& file : found) {
    IntakeItem item;
    item.path = file.string();
    out.push_back(std::move(item));
  }
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
    bool ok = text("path", &item.path) && text("url", &item.url) &&
              text("source", &item.source) && text("uploader_id", &item.uploader_id);
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
          where + ": path, url, source and uploader_id must be strings, received a number "
                  "or ISO-8601 time, attributes an object");
    } else if (item.path.empty() && item.url.empty()) {
      item.error = Status::InvalidArgument(where + ": needs a \"path\" or a \"url\"");
    }
    if (item.path.empty() && item.url.empty()) item.path = where;
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace vigil::host
