// BankSet: the hash banks a hash detector matches against, opened (memory-mapped) from
// <data_dir>/hash-banks/*.bank when the detector instance is created, and turned into
// vigil.v1 detections.
#ifndef VIGIL_PLUGINS_HASH_BANKSET_BANK_SET_H_
#define VIGIL_PLUGINS_HASH_BANKSET_BANK_SET_H_

#include <memory>
#include <string>
#include <vector>

#include "vigil/hashbank/bank.h"
#include "vigil/v1/result.pb.h"

namespace vigil::hashdetect {

// Where `vigil lists import` writes banks and hash detectors read them.
std::string BankDirectory(const std::string& data_dir);
std::string BankPath(const std::string& data_dir, const std::string& bank_name);

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

  // Appends one "hash-match" detection per match.
  static void AddDetections(const std::vector<hashbank::Match>& matches,
                            const std::string& signal_type, vigil::v1::AnalysisResult& result);

 private:
  std::vector<std::unique_ptr<hashbank::Bank>> banks_;
};

// vigil.v1.Severity for a bank entry's 0..5 severity (0, unknown, counts as medium: a
// known match is never less than worth a look).
int SeverityForEntry(int bank_severity);

}  // namespace vigil::hashdetect

#endif  // VIGIL_PLUGINS_HASH_BANKSET_BANK_SET_H_
