#include "bank_set.h"

#include <algorithm>
#include <filesystem>

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
