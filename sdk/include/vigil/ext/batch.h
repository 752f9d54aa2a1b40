/* Extension "vigil.batch/1": analyse several items in one call.
 *
 * Rationale: detectors that run a model (classifier) or probe a table (url) amortise
 * fixed costs over a batch. The host asks for it with
 *   detector->get_extension(instance, VIGIL_EXT_BATCH)
 * and falls back to one analyze() per item when it gets NULL.
 */
#ifndef VIGIL_EXT_BATCH_H
#define VIGIL_EXT_BATCH_H

#include "vigil/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VIGIL_EXT_BATCH "vigil.batch/1"

typedef struct vigil_batch_ext {
  uint32_t struct_size;
  uint32_t reserved;

  /* [thread-safe unless SERIAL] Analyses `count` items. For each i, writes item i's
   * serialized vigil.v1.AnalysisResult to outs[i] and stores its status in statuses[i];
   * error text for item i goes to errs[i]. Returns VIGIL_OK when every item was
   * attempted (individual failures are in statuses), or a status for the whole call.
   * All arrays have `count` elements and are owned by the host. */
  vigil_status_t (*analyze_batch)(void *instance, const vigil_item_view_t *const *items,
                                  uint32_t count, const vigil_sink_t *const *outs,
                                  const vigil_sink_t *const *errs, vigil_status_t *statuses);
} vigil_batch_ext_t;

#ifdef __cplusplus
}
#endif

#endif /* VIGIL_EXT_BATCH_H */
