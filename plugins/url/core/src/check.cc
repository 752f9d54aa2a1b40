#include "vigil/url/check.h"

namespace vigil::url {

UrlChecker::UrlChecker(std::vector<const Blocklist*> lists) : lists_(std::move(lists)) {}

Status UrlChecker::Check(std::string_view url, std::vector<ListMatch>* matches) {
  matches->clear();
  if (Status st = CanonicalizeUrl(url, &canonical_); !st.ok()) return st;
  // Longer host suffixes only matter to whole-domain entries; they cost a filter
  // probe each, so they are always generated (a host rarely has > 6 labels).
  expressions_.Generate(canonical_, want_extra_suffixes_);
  for (size_t li = 0; li < lists_.size(); ++li) {
    scratch_.clear();
    lists_[li]->Lookup(expressions_, &scratch_);
    for (const Match& m : scratch_) matches->push_back(ListMatch{li, m});
  }
  return Status::Ok();
}

CheckReport UrlChecker::CheckToReport(std::string_view url) {
  CheckReport report;
  std::vector<ListMatch> matches;
  report.status = Check(url, &matches);
  if (!report.status.ok()) return report;
  report.canonical_url = canonical_.Spec();
  for (const ListMatch& lm : matches) {
    const Match& m = lm.match;
    report.hits.push_back(CheckReport::Hit{
        lm.list_index, std::string(m.expression), m.kind, m.severity, std::string(m.source),
        std::string(m.category), std::string(m.date_added), std::string(m.entry_id)});
  }
  return report;
}

void UrlChecker::CheckBatch(const std::vector<std::string_view>& urls,
                            std::vector<CheckReport>* out) {
  out->clear();
  out->reserve(urls.size());
  for (std::string_view u : urls) out->push_back(CheckToReport(u));
}

}  // namespace vigil::url
