// Importers for the list formats hotlines and vendors ship:
//   kUrlList     one URL per line
//   kDomainList  one domain per line (whole domain including sub-domains); "*.example.test"
//                means the same as "example.test". Host names are checked (IDNA to ASCII,
//                then DNS rules: labels of 1..63 letters, digits, '-' or '_', at most 253
//                bytes); a bad one is an error on its line.
//   kSha256List  one 64-hex SHA-256 of a canonical expression per line (hashed lists)
// Blank lines and lines starting with '#' are skipped. After the value, optional
// TAB-separated key=value columns override the defaults: kind=url|prefix|domain,
// source=, category=, severity=0..5, date=YYYY-MM-DD, id=. sha256 lists also accept
// spaces or commas between columns. Every malformed line is reported with its line
// number; none is dropped silently (the caller decides whether errors abort).
#ifndef VIGIL_URL_LIST_IMPORT_H_
#define VIGIL_URL_LIST_IMPORT_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/url/blocklist.h"
#include "vigil/url/status.h"

namespace vigil::url {

enum class ImportFormat { kUrlList, kDomainList, kSha256List };

struct ImportOptions {
  EntryMetadata defaults;                // source/category/severity/date for every line
  EntryKind url_kind = EntryKind::kUrl;  // kind of kUrlList lines without kind=
  size_t max_line_length = 1 << 20;      // longer lines are errors
};

struct ImportError {
  size_t line = 0;  // 1-based
  std::string message;
};

struct ImportReport {
  size_t lines = 0;    // lines read
  size_t added = 0;    // entries handed to the builder
  size_t skipped = 0;  // blank and comment lines
  std::vector<ImportError> errors;
};

// The host a bare domain-list entry stands for ("*.Example.TEST" -> "example.test"), or the
// reason it is not a valid host name.
Result<std::string> DomainEntryHost(std::string_view text);

// Parses `text` into `builder`. A kSha256List needs a kHashed builder.
Result<ImportReport> ImportList(std::string_view text, ImportFormat format,
                                const ImportOptions& options, BlocklistBuilder* builder);
Result<ImportReport> ImportListFile(const std::string& path, ImportFormat format,
                                    const ImportOptions& options, BlocklistBuilder* builder);

}  // namespace vigil::url

#endif  // VIGIL_URL_LIST_IMPORT_H_
