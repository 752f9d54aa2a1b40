#include "store/near_duplicates.h"

#include <algorithm>
#include <array>
#include <map>
#include <optional>

#include "store/db/database.h"
#include "store/review_rounds.h"
#include "vigil/decode/image_decoder.h"
#include "vigil/pdq/pdq.h"

namespace vigil::host {
namespace {

struct Variant {
  pdq::Hash256 hash;
  const char* orientation;
};

// This item's PDQ hash in every orientation: computed from its media when the
// file at its last path still decodes to the stored hash; else the stored hash
// alone.
std::vector<Variant> Orientations(const std::vector<pdq::Hash256>& stored, const std::string& path,
                                  std::string* note) {
  std::vector<Variant> out;
  for (const pdq::Hash256& h : stored)
    out.push_back({h, pdq::DihedralName(pdq::Dihedral::kOriginal)});
  auto decoded = decode::DecodeImageFile(path);
  if (!decoded.ok()) {
    *note =
        "rotations and mirrors not compared: the media at its last path is "
        "not readable (" +
        decoded.status().message() + ")";
    return out;
  }
  const decode::DecodedImage& image = decoded.value();
  pdq::ImageView view;
  view.pixels = image.pixel_data();
  view.size_bytes = image.pixel_bytes();
  view.width = image.width;
  view.height = image.height;
  view.stride = image.stride;
  view.format = pdq::PixelFormat::kRgb8;
  pdq::PdqHasher hasher;
  auto hashes = hasher.HashDihedral(view);
  if (!hashes.ok()) {
    *note = "rotations and mirrors not compared: " + hashes.status().message();
    return out;
  }
  const auto& h = hashes.value().hashes;
  if (std::find(stored.begin(), stored.end(), h[0]) == stored.end()) {
    *note =
        "rotations and mirrors not compared: the media at its last path "
        "has changed since the scan";
    return out;
  }
  out.clear();
  for (int d = 0; d < pdq::kDihedralCount; ++d) {
    out.push_back({h[d], pdq::DihedralName(static_cast<pdq::Dihedral>(d))});
  }
  return out;
}

}  // namespace

StatusOr<NearDuplicates> FindNearDuplicates(Store& store, int64_t item_id,
                                            const NearDuplicateOptions& options) {
  NearDuplicates result;
  std::string path;
  {
    Statement row(store.db(), "SELECT last_path FROM items WHERE id = ?1");
    if (!row.ok()) return row.Error("reading an item");
    row.Bind(1, item_id);
    const int rc = row.Step();
    if (rc == kDone) {
      return Status::NotFound("item " + std::to_string(item_id) + " is not in the store");
    }
    if (rc != kRow) return row.Error("reading an item");
    path = row.ColumnText(0);
  }

  // Best match per other item: digest matches (distance 0) win over PDQ.
  std::map<int64_t, NearDuplicate> best;
  {
    Statement rows(store.db(), kDigestMatchSql);
    if (!rows.ok()) return rows.Error("reading digest matches");
    rows.Bind(1, item_id);
    int rc;
    while ((rc = rows.Step()) == kRow) {
      const int64_t other = rows.ColumnInt(0);
      if (!best.count(other)) best[other] = {other, rows.ColumnText(1), 0, "", ""};
    }
    if (rc != kDone) return rows.Error("reading digest matches");
  }

  std::vector<pdq::Hash256> stored;
  {
    Statement rows(store.db(), "SELECT value FROM signals WHERE item_id = ?1 AND type = 'pdq'");
    if (!rows.ok()) return rows.Error("reading the PDQ hash");
    rows.Bind(1, item_id);
    int rc;
    while ((rc = rows.Step()) == kRow) {
      auto hash = pdq::Hash256::FromHex(rows.ColumnText(0));
      if (hash.ok()) stored.push_back(hash.value());
    }
    if (rc != kDone) return rows.Error("reading the PDQ hash");
  }
  if (!stored.empty()) {
    const std::vector<Variant> variants = Orientations(stored, path, &result.note);
    result.orientations_checked =
        static_cast<int>(variants.size()) >= pdq::kDihedralCount ? pdq::kDihedralCount : 1;
    // One pass over the PDQ signals in index order (type, value).
    Statement rows(store.db(), kPdqPassSql);
    if (!rows.ok()) return rows.Error("reading PDQ hashes");
    rows.Bind(1, item_id);
    int rc;
    while ((rc = rows.Step()) == kRow) {
      auto hash = pdq::Hash256::FromHex(rows.ColumnText(1));
      if (!hash.ok()) continue;  // not written by vigil.pdq: nothing to compare
      int distance = pdq::Hash256::kBits + 1;
      const char* orientation = "";
      for (const Variant& v : variants) {
        const int d = pdq::HammingDistance(v.hash, hash.value());
        if (d < distance) {
          distance = d;
          orientation = v.orientation;
        }
      }
      if (distance > options.pdq_threshold) continue;
      const int64_t other = rows.ColumnInt(0);
      auto it = best.find(other);
      if (it == best.end()) {
        best[other] = {other, "pdq", distance, orientation, ""};
      } else if (it->second.match == "pdq" && distance < it->second.distance) {
        it->second.distance = distance;
        it->second.orientation = orientation;
      }
    }
    if (rc != kDone) return rows.Error("reading PDQ hashes");
  }

  for (auto& [id, dup] : best) result.items.push_back(std::move(dup));
  std::stable_sort(result.items.begin(), result.items.end(),
                   [](const NearDuplicate& a, const NearDuplicate& b) {
                     const bool ad = a.match != "pdq", bd = b.match != "pdq";
                     if (a.distance != b.distance) return a.distance < b.distance;
                     if (ad != bd) return ad;  // an exact digest before a PDQ distance of 0
                     return a.item_id < b.item_id;
                   });
  if (result.items.size() > options.limit) result.items.resize(options.limit);

  // The latest decision on each listed item (at most `limit` indexed look-ups).
  for (NearDuplicate& dup : result.items) {
    Statement one(store.db(), "SELECT decision FROM decisions WHERE item_id = ?1 AND " +
                                  DecisionVisibleSql("decisions") + " ORDER BY id DESC LIMIT 1");
    if (!one.ok()) return one.Error("reading decisions");
    one.Bind(1, dup.item_id);
    const int rc = one.Step();
    if (rc == kRow) {
      dup.decision = one.ColumnText(0);
    } else if (rc != kDone) {
      return one.Error("reading decisions");
    }
  }
  return result;
}

}  // namespace vigil::host
