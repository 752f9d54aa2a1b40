// Per-frame agreement of vigil_vpdq with the reference hashes (issue 16, "Measure"): every
// clip in ../shared/testdata/video hashed at every frame, full size, and compared line by
// line with vpdq-hashes/NAME.txt. Prints a Markdown table: frames, bit-exact frames, the
// largest distance over all frames and over frames of quality >= 50 on both sides, and
// whether the clip is within the reference's regression tolerance (distance < 10 where both
// qualities are >= 50; vpdq/python/tests/test_vpdq_hash.py). Exit status 1 when not.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "vigil/vpdq/vpdq_hash.h"

int main() {
  namespace fs = std::filesystem;
  const std::string dir = std::string(VIGIL_TESTDATA) + "/video";
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir + "/videos", ec)) {
    if (e.path().extension() == ".mp4") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  if (names.empty()) {
    std::fprintf(stderr, "vpdq_agreement: no clips in %s/videos\n", dir.c_str());
    return 1;
  }
  vigil::video::SamplingOptions every;
  every.every_frame = true;
  bool all_within = true;
  size_t total = 0, total_exact = 0;
  std::printf("| clip | frames | bit-exact | max distance | max distance, quality >= 50 |\n");
  std::printf("|---|---|---|---|---|\n");
  for (const std::string& name : names) {
    auto ours = vigil::vpdq::HashVideoFile(dir + "/videos/" + name + ".mp4", every);
    auto ref = vigil::vpdq::ReadFrameHashesFile(dir + "/vpdq-hashes/" + name + ".txt");
    if (!ours.ok() || !ref.ok()) {
      std::fprintf(stderr, "vpdq_agreement: %s: %s\n", name.c_str(),
                   (!ours.ok() ? ours.status() : ref.status()).message().c_str());
      return 1;
    }
    if (ours->size() != ref->size()) {
      std::printf("| %s | %zu (reference %zu) | - | - | - |\n", name.c_str(), ours->size(),
                  ref->size());
      all_within = false;
      continue;
    }
    size_t exact = 0;
    int max_all = 0, max_q = 0;
    for (size_t i = 0; i < ours->size(); ++i) {
      int d = vigil::pdq::HammingDistance((*ours)[i].hash, (*ref)[i].hash);
      if (d == 0) ++exact;
      max_all = std::max(max_all, d);
      if ((*ours)[i].quality >= 50 && (*ref)[i].quality >= 50) {
        max_q = std::max(max_q, d);
        if (d >= 10) all_within = false;
      }
    }
    total += ours->size();
    total_exact += exact;
    std::printf("| %s | %zu | %zu | %d | %d |\n", name.c_str(), ours->size(), exact, max_all,
                max_q);
  }
  std::printf("| all %zu clips | %zu | %zu (%.1f%%) | | |\n", names.size(), total, total_exact,
              100.0 * static_cast<double>(total_exact) / static_cast<double>(total));
  std::printf("\nwithin the reference's regression tolerance: %s\n", all_within ? "yes" : "NO");
  return all_within ? 0 : 1;
}
