// Near-duplicates of a stored item: the other items whose PDQ hash is within
// the threshold of this item's in any of the 8 orientations (rotations and
// mirrors), and the items that carry the same exact digest (MD5, SHA-1,
// SHA-256), nearest first. Shared by the reviewer console's evidence panel and
// `vigil queue show --item`.
//
// Orientations: the store keeps each item's PDQ hash of the pixels as decoded
// (signal "pdq"). The 7 rotated/mirrored variants are computed from this item's
// media with the PDQ library (HashDihedral, from the DCT coefficients) when the
// file at its last path still decodes to the stored hash; otherwise only the
// stored orientation is compared and `orientations_checked` says 1 (with a note
// why).
//
// Cost: one indexed SQL pass over the stored PDQ signals (signals_by_value_item,
// type = 'pdq': one row per item with a PDQ hash) with 8 in-memory Hamming
// distances per row, one indexed join for the digests, and one decision lookup
// per listed item. No SQL round trip per stored item.
#ifndef VIGIL_HOST_STORE_NEAR_DUPLICATES_H_
#define VIGIL_HOST_STORE_NEAR_DUPLICATES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace vigil::host {

struct NearDuplicate {
  int64_t item_id = 0;
  std::string match;        // "pdq", or the digest type: "md5", "sha1", "sha256"
  int distance = 0;         // PDQ bits apart (0..256); 0 for a digest match
  std::string orientation;  // pdq: the orientation of this item that matched
                            // ("original", "rotate90", ...); "" for a digest match
  std::string decision;     // the latest decision on the other item, "" when none
};

struct NearDuplicateOptions {
  int pdq_threshold = 31;  // the vigil.pdq default (hashbank::kDefaultPdqThreshold)
  size_t limit = 20;       // the nearest this many
};

struct NearDuplicates {
  std::vector<NearDuplicate> items;  // nearest first (digest matches, then by distance, id)
  int orientations_checked = 0;      // 8 with the media, 1 without, 0: the item has no PDQ
  std::string note;                  // why fewer than 8 orientations were compared ("" if 8)
};

// The two passes (?1 = the item id), exposed so tests can check their query plans: each
// must read the covering index signals_by_value_item alone (schema migration 5).
inline constexpr char kPdqPassSql[] =
    "SELECT item_id, value FROM signals WHERE type = 'pdq' AND item_id != ?1";
inline constexpr char kDigestMatchSql[] =
    "SELECT b.item_id, a.type FROM signals a JOIN signals b "
    "ON b.type = a.type AND b.value = a.value AND b.item_id != a.item_id "
    "WHERE a.item_id = ?1 AND a.type IN ('sha256', 'sha1', 'md5') "
    "ORDER BY CASE a.type WHEN 'sha256' THEN 0 WHEN 'sha1' THEN 1 ELSE 2 END";

// Errors: kNotFound "item N is not in the store"; kIoError for the database.
StatusOr<NearDuplicates> FindNearDuplicates(Store& store, int64_t item_id,
                                            const NearDuplicateOptions& options = {});

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_NEAR_DUPLICATES_H_
