// The one call a plugin or the CLI needs: canonicalise a URL, generate its lookup
// expressions and match them against one or more lists, singly or in batches.
//
// Thread safety: a UrlChecker holds per-call scratch; use one per thread. The lists
// it points to are shared, immutable and must outlive it.
#ifndef VIGIL_URL_CHECK_H_
#define VIGIL_URL_CHECK_H_

#include <string>
#include <string_view>
#include <vector>

#include "vigil/url/blocklist.h"
#include "vigil/url/safe_browsing.h"
#include "vigil/url/status.h"

namespace vigil::url {

struct ListMatch {
  size_t list_index = 0;  // position of the list in the checker's list vector
  Match match;
};

// A self-contained result (owns its strings) for batch checks and reports.
struct CheckReport {
  Status status;              // not ok: the URL could not be canonicalised
  std::string canonical_url;  // CanonicalUrl::Spec()
  struct Hit {
    size_t list_index;
    std::string expression;
    EntryKind kind;
    uint8_t severity;
    std::string source, category, date_added, entry_id;
  };
  std::vector<Hit> hits;
};

class UrlChecker {
 public:
  // REQUIRES: every list outlives the checker.
  explicit UrlChecker(std::vector<const Blocklist*> lists);

  // Canonicalises and looks `url` up. On success *matches holds every hit; their
  // string_views stay valid until the next Check on this object.
  Status Check(std::string_view url, std::vector<ListMatch>* matches);

  // After a successful Check: the canonical URL and the expressions tried.
  const CanonicalUrl& canonical() const { return canonical_; }
  const LookupExpressions& expressions() const { return expressions_; }

  // Checks many URLs in one call (the ABI batch extension maps onto this).
  void CheckBatch(const std::vector<std::string_view>& urls, std::vector<CheckReport>* out);
  CheckReport CheckToReport(std::string_view url);

 private:
  std::vector<const Blocklist*> lists_;
  bool want_extra_suffixes_ = true;
  CanonicalUrl canonical_;
  LookupExpressions expressions_;
  std::vector<Match> scratch_;
};

}  // namespace vigil::url

#endif  // VIGIL_URL_CHECK_H_
