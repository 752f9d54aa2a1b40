#include "fixture_store.h"

#include <cmath>
#include <cstdlib>

#include "image/png_io.h"

namespace vigil::review::testing {

RgbImage DrawPattern(int width, int height, int seed) {
  RgbImage image(width, height);
  const int cell = 4 + seed % 5;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      uint8_t* p = image.at(x, y);
      // A soft background gradient, a checkerboard on the left half, stripes on the
      // right, and a disc: sharp edges everywhere.
      int r = 40 + (x * 120) / width, g = 60 + (y * 100) / height, b = 90 + (seed * 37) % 120;
      const bool check = ((x / cell) + (y / cell)) % 2 == 0;
      if (x < width / 2 && check) r = g = b = 230;
      if (x >= width / 2 && (x / (cell / 2 + 1)) % 2 == 0) {
        r = 20;
        g = 20 + (seed * 53) % 200;
        b = 30;
      }
      const double dx = x - width * 0.5, dy = y - height * 0.5;
      if (dx * dx + dy * dy < (height * 0.2) * (height * 0.2)) {
        r = 200;
        g = 170;
        b = 40 + (seed * 29) % 200;
      }
      p[0] = static_cast<uint8_t>(r);
      p[1] = static_cast<uint8_t>(g);
      p[2] = static_cast<uint8_t>(b);
    }
  }
  return image;
}

double HighFrequencyEnergy(const RgbImage& image, int x0, int y0, int w, int h) {
  auto luma = [&image](int x, int y) {
    const uint8_t* p = image.at(x, y);
    return 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
  };
  double sum = 0;
  int n = 0;
  for (int y = std::max(1, y0); y < std::min(image.height - 1, y0 + h - 1); ++y) {
    for (int x = std::max(1, x0); x < std::min(image.width - 1, x0 + w - 1); ++x) {
      sum += std::fabs(4 * luma(x, y) - luma(x - 1, y) - luma(x + 1, y) - luma(x, y - 1) -
                       luma(x, y + 1));
      ++n;
    }
  }
  return n ? sum / n : 0;
}

int64_t AddQueuedItem(host::Store& store, const FixtureItem& item, int index) {
  host::ItemRecord record;
  char sha[65];
  std::snprintf(sha, sizeof sha, "%064x", index + 1);
  record.sha256 = sha;
  record.path = item.image_path;
  record.media_kind = item.media_kind;
  record.format = item.format;
  record.width = static_cast<uint32_t>(item.width);
  record.height = static_cast<uint32_t>(item.height);
  record.outcome.disposition = host::Disposition::kReview;
  record.outcome.priority = item.priority;
  record.outcome.severity = item.severity;
  record.outcome.obscure_level = item.obscure_level;
  record.outcome.category = item.category;
  record.outcome.rule = "fixture";
  record.outcome.reason = "fixture item " + std::to_string(index);
  host::DetectorRun run;
  run.detector = "vigil.test";
  auto* detection = run.result.add_detections();
  detection->set_detector("vigil.test");
  detection->set_label("fixture-match");
  detection->set_score(0.9f);
  detection->set_severity(static_cast<vigil::v1::Severity>(item.severity));
  detection->set_reason("drawn test pattern");
  for (const host::TimeSpan& span : item.item_ranges) {
    auto* range = detection->add_item_ranges();
    range->set_start_seconds(span.start_seconds);
    range->set_end_seconds(span.end_seconds);
  }
  auto* signal = run.result.add_signals();
  signal->set_type("pdq");
  signal->set_value(std::string(64, static_cast<char>('a' + index % 3)));
  record.runs.push_back(std::move(run));
  auto id = store.RecordItem(record);
  return id.ok() ? id.value() : 0;
}

std::vector<int64_t> MakeQueue(host::Store& store, const std::filesystem::path& dir, int count,
                               const std::vector<int>& severities, int width, int height) {
  std::filesystem::create_directories(dir);
  std::vector<int64_t> ids;
  for (int i = 0; i < count; ++i) {
    FixtureItem item;
    item.severity = severities.empty() ? 3 : severities[static_cast<size_t>(i) % severities.size()];
    item.priority = 100 - i;  // among equal severities, the creation order
    item.obscure_level = std::min(7, 2 + item.severity);
    item.width = width;
    item.height = height;
    item.image_path = (dir / ("item-" + std::to_string(i) + ".png")).string();
    if (!WritePng(item.image_path, DrawPattern(width, height, i)).ok()) return {};
    ids.push_back(AddQueuedItem(store, item, i));
  }
  return ids;
}

}  // namespace vigil::review::testing
