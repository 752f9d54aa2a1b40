// vigil.url: checks an item's URL (a bare URL item, or the URL a file came from, from
// its metadata) against the URL lists: Safe Browsing canonicalisation, up to 5 host
// suffixes x 6 path prefixes, entries that are exact URLs, path prefixes or whole
// domains, plain or SHA-256-hashed lists.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "url_lists.h"
#include "vigil/plugin.hpp"
#include "vigil/url/check.h"

namespace {

const char* KindName(vigil::url::EntryKind kind) {
  switch (kind) {
    case vigil::url::EntryKind::kUrl: return "url";
    case vigil::url::EntryKind::kPathPrefix: return "prefix";
    case vigil::url::EntryKind::kDomain: return "domain";
  }
  return "url";
}

class UrlDetector {
 public:
  static constexpr const char* kId = "vigil.url";

  static vigil::v1::DetectorInfo Describe() {
    vigil::v1::DetectorInfo info;
    info.set_id(kId);
    info.set_version("1.0.0");
    info.set_vendor("Vigil");
    info.set_kind(vigil::v1::DETECTOR_KIND_URL);
    info.set_description("URL blocklists: Safe Browsing canonicalisation, exact/prefix/domain entries");
    // URL items, and the source URL of any other item when its metadata carries one.
    for (auto kind : {vigil::v1::MEDIA_KIND_URL, vigil::v1::MEDIA_KIND_IMAGE,
                      vigil::v1::MEDIA_KIND_VIDEO, vigil::v1::MEDIA_KIND_BINARY}) {
      info.add_accepted_media(kind);
    }
    info.add_signal_types("url");
    info.set_config_schema(R"({"type":"object","properties":{},"additionalProperties":false})");
    info.mutable_cost()->set_typical_us(2);
    info.mutable_cost()->set_max_ms(1000);
    return info;
  }

  UrlDetector(const vigil::v1::DetectorConfig& config, const vigil::sdk::Host&) {
    vigil::sdk::RequireKnownParams(config, {});
    auto lists = vigil::urldetect::OpenLists(config.data_dir());
    if (!lists.ok()) throw vigil::sdk::ConfigError(lists.status().message());
    lists_ = std::move(lists).value();
    for (const auto& l : lists_) pointers_.push_back(&l.list);
  }

  void Analyze(const vigil::sdk::Item& item, vigil::v1::AnalysisResult& result) {
    const std::string url = item.Metadata().url();
    if (url.empty()) {
      if (item.media_kind() == VIGIL_MEDIA_URL) {
        throw vigil::sdk::Error(VIGIL_ERR_BAD_INPUT, "URL item without a URL in its metadata");
      }
      return;  // a file with no source URL: nothing to check
    }
    vigil::url::UrlChecker checker(pointers_);  // per call: holds scratch, cheap to make
    Report(item, checker.CheckToReport(url), result);
  }

  // The "vigil.batch/1" path: one checker and UrlChecker::CheckBatch for the whole batch.
  void AnalyzeBatch(const std::vector<vigil::sdk::Item>& items,
                    std::vector<vigil::sdk::BatchSlot>& slots) {
    std::vector<std::string> urls(items.size());
    std::vector<std::string_view> to_check;
    std::vector<size_t> index;
    for (size_t i = 0; i < items.size(); ++i) {
      urls[i] = items[i].Metadata().url();
      if (urls[i].empty()) {
        if (items[i].media_kind() == VIGIL_MEDIA_URL) {
          slots[i].status = VIGIL_ERR_BAD_INPUT;
          slots[i].error = "URL item without a URL in its metadata";
        }
        continue;
      }
      to_check.push_back(urls[i]);
      index.push_back(i);
    }
    vigil::url::UrlChecker checker(pointers_);
    std::vector<vigil::url::CheckReport> reports;
    checker.CheckBatch(to_check, &reports);
    for (size_t k = 0; k < reports.size(); ++k) {
      const size_t i = index[k];
      try {
        Report(items[i], reports[k], slots[i].result);
      } catch (const vigil::sdk::Error& e) {
        slots[i].status = e.status();
        slots[i].error = e.what();
      }
    }
  }

 private:
  void Report(const vigil::sdk::Item& item, const vigil::url::CheckReport& report,
              vigil::v1::AnalysisResult& result) const {
    if (!report.status.ok()) {
      if (item.media_kind() == VIGIL_MEDIA_URL) {
        throw vigil::sdk::Error(VIGIL_ERR_BAD_INPUT, "URL cannot be checked: " + report.status.message());
      }
      return;
    }
    auto* signal = result.add_signals();
    signal->set_type("url");
    signal->set_value(report.canonical_url);
    for (const auto& hit : report.hits) {
      auto* d = result.add_detections();
      d->set_label("url-listed");
      d->set_signal_type("url");
      d->set_score(1.0);
      d->set_severity(static_cast<vigil::v1::Severity>(hit.severity >= 1 && hit.severity <= 5 ? hit.severity : 3));
      auto* match = d->mutable_match();
      match->set_bank(lists_[hit.list_index].name);
      match->set_entry_id(hit.entry_id);
      match->set_category(hit.category);
      match->set_source(hit.source);
      match->set_matched_value(hit.expression);
      d->set_reason(std::string("listed (") + KindName(hit.kind) + " entry) as " + hit.expression);
    }
  }

  std::vector<vigil::urldetect::NamedList> lists_;
  std::vector<const vigil::url::Blocklist*> pointers_;
};

}  // namespace

VIGIL_PLUGIN(UrlDetector)
