// BankSet: the hash banks a hash detector matches against, opened (memory-mapped) from
// <data_dir>/hash-banks/*.bank when the detector instance is created, and turned into
// vigil.v1 detections.
#ifndef VIGIL_PLUGINS_HASH_BANKSET_BANK_SET_H_
#define VIGIL_PLUGINS_HASH_BANKSET_BANK_SET_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "vigil/hashbank/bank.h"
#include "vigil/v1/result.pb.h"

namespace vigil::hashdetect {

// Where `vigil lists import` writes banks and hash detectors read them.
std::string BankDirectory(const std::string& data_dir);
std::string BankPath(const std::string& data_dir, const std::string& bank_name);

// Disabled bank entries (issue 13 item 6): <data_dir>/hash-banks/disabled-entries.json,
// written by the host from its store before detectors load, read by every BankSet.
// {"version": 1, "entries": [{"bank": NAME, "entry": ID-OR-VALUE, "until": UNIX}]}. An
// entry is an entry id as matches report it (the external id, else the entry's index) or
// a hash value (hex, any case). It does not match before `until`, and matches again after
// it with no one doing anything. Kept out of the bank file: a hold is a decision about a
// list that someone else publishes, and changes without rebuilding the bank.
struct HeldEntry {
  std::string bank;
  std::string entry;
  int64_t until_unix = 0;
};
std::string HeldEntriesPath(const std::string& data_dir);
// Writes the file atomically (temp file + rename) when its content differs; "" or why not.
std::string WriteHeldEntries(const std::string& data_dir, const std::vector<HeldEntry>& held);
// The file's entries (none when it is absent). Throws vigil::sdk::ConfigError when it is
// unreadable or malformed: a hold is never dropped silently.
std::vector<HeldEntry> ReadHeldEntries(const std::string& data_dir);

class BankSet {
 public:
  // Opens every bank file in the directory (none is fine). Throws vigil::sdk::ConfigError
  // naming the file when a bank is damaged, so a scan never runs silently without it.
  explicit BankSet(const std::string& data_dir);
  // Opens only the banks named in `only` (every bank when it is empty), as the constructor
  // above opens them; `vigil rematch --bank` chooses with it. Throws ConfigError for a name
  // with no bank file, listing the banks there are.
  BankSet(const std::string& data_dir, const std::vector<std::string>& only);

  // The names of the banks in the directory (the *.bank files' stems), sorted.
  static std::vector<std::string> Names(const std::string& data_dir);

  const std::vector<std::unique_ptr<hashbank::Bank>>& banks() const { return banks_; }

  // True when the match's entry is disabled at `now_unix` (HeldEntry above).
  bool Disabled(const hashbank::Match& match, int64_t now_unix) const;
  // Removes the matches whose entries are disabled now.
  void DropDisabled(std::vector<hashbank::Match>& matches) const;
  const std::vector<HeldEntry>& held() const { return held_; }

  // Appends one "hash-match" detection per match.
  static void AddDetections(const std::vector<hashbank::Match>& matches,
                            const std::string& signal_type, vigil::v1::AnalysisResult& result);

 private:
  std::vector<std::unique_ptr<hashbank::Bank>> banks_;
  std::vector<HeldEntry> held_;
  // bank -> entry text -> until
  std::map<std::string, std::map<std::string, int64_t>> held_by_bank_;
};

// vigil.v1.Severity for a bank entry's 0..5 severity (0, unknown, counts as medium: a
// known match is never less than worth a look).
int SeverityForEntry(int bank_severity);

}  // namespace vigil::hashdetect

#endif  // VIGIL_PLUGINS_HASH_BANKSET_BANK_SET_H_
