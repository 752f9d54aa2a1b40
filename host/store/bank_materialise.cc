#include "store/bank_materialise.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <vector>

#include "bank_set.h"
#include "scan/sha256.h"
#include "store/local_banks.h"
#include "vigil/hashbank/bank.h"
#include "vigil/hashbank/importers.h"
#include "vigil/hashbank/signal.h"

namespace vigil::host {
namespace {
namespace fs = std::filesystem;

int64_t ParseStoreTime(const std::string &text) {
  std::tm tm{};
  const char *end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return end == nullptr ? 0 : static_cast<int64_t>(timegm(&tm));
}

std::string ReadText(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return in ? std::string(std::istreambuf_iterator<char>(in), {}) : std::string();
}

// Temp file beside `path` + rename (the temp name is the one imports use: not
// list content).
Status WriteAtomically(const std::string &path, const std::string &text) {
  std::string temp = path + ".tmp-" + std::to_string(::getpid()) + "-XXXXXX";
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) return Status::IoError("cannot write " + path + ": " + std::strerror(errno));
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  if (!written || ::fsync(fd) != 0 || ::close(fd) != 0 ||
      ::rename(temp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(temp.c_str());
    return Status::IoError("cannot write " + path + ": " + why);
  }
  return Status::Ok();
}

}  // namespace

StatusOr<MaterialiseReport> MaterialiseBanks(Database &db, const std::string &data_dir,
                                             int64_t now_unix) {
  MaterialiseReport report;
  auto entries = ListLocalBankEntries(db);
  if (!entries.ok()) return entries.status();
  std::map<std::string, std::vector<LocalBankEntry>> by_bank;
  for (LocalBankEntry &e : entries.value()) by_bank[e.bank].push_back(std::move(e));
  std::error_code ec;
  if (!by_bank.empty()) fs::create_directories(hashdetect::BankDirectory(data_dir), ec);
  for (const auto &[bank, rows] : by_bank) {
    const std::string path = hashdetect::BankPath(data_dir, bank);
    const std::string stamp_path = path + ".local";
    // Which entries the file holds: their count, last id and a digest of what is matched
    // (two stores in one folder share its lists, so the count alone could be another's).
    std::string content;
    for (const LocalBankEntry &row : rows) {
      content += std::to_string(row.id) + " " + row.type + " " + row.value + " " + row.category +
                 " " + std::to_string(row.decision_id) + "\n";
    }
    const std::string stamp = "vigil local bank 1: " + std::to_string(rows.size()) +
                              " entries, last id " + std::to_string(rows.back().id) + ", sha256 " +
                              Sha256Hex(content) + "\n";
    const bool file = fs::exists(path, ec), stamped = fs::exists(stamp_path, ec);
    if (file && !stamped) {
      return Status::InvalidArgument(
          "bank file " + path + " was not written from the store's decisions, so the local " +
          "bank " + bank + " is not written over it: move it away (local-* names are for " +
          "banks decisions fill)");
    }
    if (file && ReadText(stamp_path) == stamp) continue;
    std::vector<hashbank::Entry> bank_entries;
    for (const LocalBankEntry &row : rows) {
      auto type = hashbank::ParseSignalType(row.type);
      if (!type)
        continue;  // the store holds only the four types; nothing else is
                   // matched
      auto value = hashbank::ParseHashValue(*type, row.value);
      if (!value.ok()) {
        return Status::InvalidArgument("local bank " + bank + " entry " + std::to_string(row.id) +
                                       ": " + value.status().message());
      }
      hashbank::Entry entry;
      entry.value = value.value();
      entry.source = "decision";
      entry.category = row.category;
      entry.severity = hashbank::DefaultSeverityForCategory(row.category);
      entry.added_unix = ParseStoreTime(row.added_at);
      // Entries of one decision share its id, as an NCMEC record's fingerprints
      // do.
      entry.external_id = "decision-" + std::to_string(row.decision_id);
      bank_entries.push_back(std::move(entry));
    }
    if (Status s = hashbank::WriteBankFile(path, bank, bank_entries); !s.ok()) {
      return Status::IoError("cannot write local bank " + bank + ": " + s.message());
    }
    if (Status s = WriteAtomically(stamp_path, stamp); !s.ok()) return s;
    ++report.banks_written;
  }
  auto holds = ActiveHolds(db, now_unix);
  if (!holds.ok()) return holds.status();
  std::vector<hashdetect::HeldEntry> held;
  for (const EntryHold &h : holds.value()) held.push_back({h.bank, h.entry, h.until_unix});
  if (const std::string error = hashdetect::WriteHeldEntries(data_dir, held); !error.empty()) {
    return Status::IoError(error);
  }
  report.held_entries = static_cast<int>(held.size());
  return report;
}

}  // namespace vigil::host
