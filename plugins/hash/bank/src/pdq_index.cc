#include "vigil/hashbank/pdq_index.h"

#include <algorithm>

#include "mih.h"

namespace vigil::hashbank {

struct PdqIndex::Impl {
  std::vector<uint64_t> codes;  // 4 words per code
  internal::MihTables tables;
  internal::MihView view;
};

PdqIndex::PdqIndex(std::vector<PdqWords> codes) : impl_(std::make_unique<Impl>()) {
  const auto n = static_cast<uint32_t>(std::min<size_t>(codes.size(), UINT32_MAX));
  impl_->codes.resize(4 * size_t{n});
  for (uint32_t i = 0; i < n; ++i) {
    std::copy(codes[i].w.begin(), codes[i].w.end(), impl_->codes.begin() + 4 * size_t{i});
  }
  codes.clear();
  codes.shrink_to_fit();
  impl_->tables = internal::BuildMih(impl_->codes.data(), n, internal::ChooseSegmentsPerWord(n));
  impl_->view = internal::MihView::Of(impl_->tables, impl_->codes.data(), n);
}

PdqIndex::~PdqIndex() = default;

size_t PdqIndex::size() const { return impl_->view.n; }

size_t PdqIndex::memory_bytes() const {
  size_t bytes = impl_->codes.capacity() * sizeof(uint64_t);
  for (int s = 0; s < internal::kMaxSegments; ++s) {
    bytes += impl_->tables.directory[s].capacity() * sizeof(uint32_t) +
             impl_->tables.suffix[s].capacity() * sizeof(uint16_t) +
             impl_->tables.ids[s].capacity() * sizeof(uint32_t);
  }
  return bytes;
}

namespace {

void Convert(const std::vector<internal::CodeHit>& hits, std::vector<PdqIndexHit>& out) {
  out.clear();
  out.reserve(hits.size());
  for (const internal::CodeHit& h : hits) out.push_back({h.index, h.distance});
  std::sort(out.begin(), out.end(),
            [](const PdqIndexHit& a, const PdqIndexHit& b) { return a.index < b.index; });
}

std::vector<internal::CodeHit>& HitScratch() {
  thread_local std::vector<internal::CodeHit> hits;
  return hits;
}

}  // namespace

void PdqIndex::Query(const PdqWords& query, int threshold, std::vector<PdqIndexHit>& out) const {
  std::vector<internal::CodeHit>& hits = HitScratch();
  hits.clear();
  if (threshold >= 0 && threshold <= 256) impl_->view.Query(query.w.data(), threshold, hits);
  Convert(hits, out);
}

void PdqIndex::QueryBruteForce(const PdqWords& query, int threshold,
                               std::vector<PdqIndexHit>& out) const {
  std::vector<internal::CodeHit>& hits = HitScratch();
  hits.clear();
  if (threshold >= 0 && threshold <= 256) impl_->view.Scan(query.w.data(), threshold, hits);
  Convert(hits, out);
}

}  // namespace vigil::hashbank
