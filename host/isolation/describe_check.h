// Nothing a plugin says about itself is trusted unchecked: what describe() returned is
// checked on the host side, for every load (first-party, worker, --in-process) and
// again before it is signed, before it reaches a manifest, a terminal or the store.
//
//   id             1-64 bytes of A-Z a-z 0-9 . _ -, starting with a letter or digit
//   version        1-64 bytes of A-Z a-z 0-9 . _ + ~ -
//   vendor         at most 128 bytes, description at most 512, each label at most
//                  128: printable UTF-8 (no control, bidi or invalid bytes: text
//                  TerminalText leaves unchanged)
//   signal_types   at most 64, each like an id; labels at most 4096
//   config_schema  at most 64 KiB
#ifndef VIGIL_HOST_ISOLATION_DESCRIBE_CHECK_H_
#define VIGIL_HOST_ISOLATION_DESCRIBE_CHECK_H_

#include <string>
#include <string_view>

#include "core/status.h"
#include "vigil/v1/detector.pb.h"

namespace vigil::isolation {

inline constexpr size_t kMaxIdBytes = 64;
inline constexpr size_t kMaxVersionBytes = 64;

// An empty string when `id` is a valid detector id, else why not.
std::string DetectorIdProblem(std::string_view id);
std::string VersionProblem(std::string_view version);

// Refuses (PluginError, naming `plugin` and the field, the bad value escaped
// and cut) any field of `info` outside the rules above.
Status CheckDetectorInfo(const vigil::v1::DetectorInfo& info, const std::string& plugin);

}  // namespace vigil::isolation

#endif  // VIGIL_HOST_ISOLATION_DESCRIBE_CHECK_H_
