#include "bank_set.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>

#include "vigil/plugin.hpp"

namespace vigil::hashdetect {
namespace fs = std::filesystem;

std::string BankDirectory(const std::string& data_dir) {
  return (fs::path(data_dir) / "hash-banks").string();
}

std::string BankPath(const std::string& data_dir, const std::string& bank_name) {
  return (fs::path(BankDirectory(data_dir)) / (bank_name + ".bank")).string();
}

namespace {

std::vector<fs::path> BankFiles(const std::string& data_dir) {
  std::vector<fs::path> files;
  if (data_dir.empty()) return files;
  std::error_code ec;
  const fs::path dir = BankDirectory(data_dir);
  if (!fs::is_directory(dir, ec)) return files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".bank") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

std::vector<std::string> BankSet::Names(const std::string& data_dir) {
  std::vector<std::string> names;
  for (const fs::path& file : BankFiles(data_dir)) names.push_back(file.stem().string());
  return names;
}

BankSet::BankSet(const std::string& data_dir) : BankSet(data_dir, {}) {}

BankSet::BankSet(const std::string& data_dir, const std::vector<std::string>& only) {
  const std::vector<fs::path> files = BankFiles(data_dir);
  for (const std::string& wanted : only) {
    if (std::none_of(files.begin(), files.end(),
                     [&wanted](const fs::path& f) { return f.stem().string() == wanted; })) {
      std::string known;
      for (const fs::path& f : files) known += (known.empty() ? "" : ", ") + f.stem().string();
      throw vigil::sdk::ConfigError("no bank named '" + wanted +
                                    "'; banks: " + (known.empty() ? "none" : known));
    }
  }
  for (const fs::path& file : files) {
    if (!only.empty() && std::find(only.begin(), only.end(), file.stem().string()) == only.end()) {
      continue;
    }
    auto bank = hashbank::Bank::Open(file.string());
    if (!bank.ok()) {
      throw vigil::sdk::ConfigError("hash bank " + file.string() + " cannot be used: " +
                                    bank.status().message() +
                                    " (re-import it with `vigil lists import`)");
    }
    banks_.push_back(std::move(bank).value());
  }
  held_ = ReadHeldEntries(data_dir);
  for (const HeldEntry& h : held_) {
    int64_t& until = held_by_bank_[h.bank][h.entry];
    until = std::max(until, h.until_unix);
  }
}

namespace {

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string HeldText(const std::vector<HeldEntry>& held) {
  nlohmann::ordered_json entries = nlohmann::ordered_json::array();
  for (const HeldEntry& h : held) {
    entries.push_back({{"bank", h.bank}, {"entry", h.entry}, {"until", h.until_unix}});
  }
  return nlohmann::ordered_json{{"version", 1}, {"entries", entries}}.dump(1) + "\n";
}

}  // namespace

std::string HeldEntriesPath(const std::string& data_dir) {
  return (fs::path(BankDirectory(data_dir)) / "disabled-entries.json").string();
}

std::string WriteHeldEntries(const std::string& data_dir, const std::vector<HeldEntry>& held) {
  const std::string path = HeldEntriesPath(data_dir);
  const std::string text = HeldText(held);
  std::error_code ec;
  if (held.empty() && !fs::exists(path, ec)) return "";
  {
    std::ifstream in(path, std::ios::binary);
    if (in && std::string(std::istreambuf_iterator<char>(in), {}) == text) return "";
  }
  fs::create_directories(BankDirectory(data_dir), ec);
  // "<file>.tmp-<pid>-XXXXXX": the name imports' temporary files have (not list content).
  std::string temp = path + ".tmp-" + std::to_string(::getpid()) + "-XXXXXX";
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) return "cannot write " + path + ": " + std::strerror(errno);
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) {
      ::close(fd);
      ::unlink(temp.c_str());
      return "cannot write " + path + ": " + std::strerror(errno);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0 || ::rename(temp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(temp.c_str());
    return "cannot write " + path + ": " + why;
  }
  return "";
}

std::vector<HeldEntry> ReadHeldEntries(const std::string& data_dir) {
  std::vector<HeldEntry> held;
  if (data_dir.empty()) return held;
  const std::string path = HeldEntriesPath(data_dir);
  std::error_code ec;
  if (!fs::exists(path, ec)) return held;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw vigil::sdk::ConfigError("cannot read " + path);
  const auto json = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  const std::string bad = path + " is malformed (it lists the disabled bank entries; a " +
                          "`vigil scan` or `vigil match` with the store writes it again)";
  if (!json.is_object() || json.value("version", 0) != 1 || !json.contains("entries") ||
      !json["entries"].is_array()) {
    throw vigil::sdk::ConfigError(bad);
  }
  for (const auto& e : json["entries"]) {
    if (!e.is_object() || !e.contains("bank") || !e["bank"].is_string() || !e.contains("entry") ||
        !e["entry"].is_string() || !e.contains("until") || !e["until"].is_number_integer()) {
      throw vigil::sdk::ConfigError(bad);
    }
    held.push_back({e["bank"].get<std::string>(), e["entry"].get<std::string>(),
                    e["until"].get<int64_t>()});
  }
  return held;
}

bool BankSet::Disabled(const hashbank::Match& m, int64_t now_unix) const {
  auto bank = held_by_bank_.find(m.bank);
  if (bank == held_by_bank_.end()) return false;
  auto held = [&](const std::string& key) {
    auto it = bank->second.find(key);
    return it != bank->second.end() && it->second > now_unix;
  };
  const std::string id =
      m.entry.external_id.empty() ? std::to_string(m.entry_index) : m.entry.external_id;
  return held(id) || held(m.entry.value.ToHex()) || held(Lower(m.entry.value.ToHex()));
}

void BankSet::DropDisabled(std::vector<hashbank::Match>& matches) const {
  if (held_by_bank_.empty()) return;
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  matches.erase(std::remove_if(matches.begin(), matches.end(),
                               [&](const hashbank::Match& m) { return Disabled(m, now); }),
                matches.end());
}

int SeverityForEntry(int bank_severity) {
  switch (bank_severity) {
    case 5: return vigil::v1::SEVERITY_CRITICAL;
    case 4: return vigil::v1::SEVERITY_HIGH;
    case 2: return vigil::v1::SEVERITY_LOW;
    case 1: return vigil::v1::SEVERITY_NONE;
    default: return vigil::v1::SEVERITY_MEDIUM;
  }
}

void BankSet::AddDetections(const std::vector<hashbank::Match>& matches,
                            const std::string& signal_type, vigil::v1::AnalysisResult& result) {
  for (const hashbank::Match& m : matches) {
    auto* d = result.add_detections();
    d->set_label("hash-match");
    d->set_signal_type(signal_type);
    d->set_score(1.0 - static_cast<double>(m.distance) / 256.0);
    d->set_severity(static_cast<vigil::v1::Severity>(SeverityForEntry(m.entry.severity)));
    auto* match = d->mutable_match();
    match->set_bank(m.bank);
    match->set_entry_id(m.entry.external_id.empty() ? std::to_string(m.entry_index)
                                                    : m.entry.external_id);
    match->set_category(m.entry.category);
    match->set_distance(m.distance);
    match->set_dihedral(m.variant);
    match->set_source(m.entry.source);
    match->set_matched_value(m.entry.value.ToHex());
    d->set_reason("matches " + m.bank + " entry " + match->entry_id() +
                  (m.entry.category.empty() ? "" : " (" + m.entry.category + ")") +
                  (m.distance ? " at distance " + std::to_string(m.distance) : ""));
  }
}

}  // namespace vigil::hashdetect
