/* The plugin entry every hostile test plugin shares: ABI 1.0, no state, the detectors
 * of the array `detectors` that the including file defines before including this.
 * Each plugin misbehaves in its detector functions, never in the entry. */
#ifndef VIGIL_TESTS_PLUGINS_HOSTILE_PLUGIN_ENTRY_H_
#define VIGIL_TESTS_PLUGINS_HOSTILE_PLUGIN_ENTRY_H_

#include <vigil/plugin.h>

static vigil_status_t negotiate(uint32_t host_major, uint32_t host_max_minor, uint32_t *chosen) {
  (void)host_major;
  (void)host_max_minor;
  *chosen = 0;
  return VIGIL_OK;
}
static vigil_status_t init(const vigil_host_t *host, const vigil_sink_t *err) {
  (void)host;
  (void)err;
  return VIGIL_OK;
}
static void deinit(void) {}
static uint32_t detector_count(void) { return sizeof detectors / sizeof detectors[0]; }
static const vigil_detector_t *get_detector(uint32_t index) {
  return index < detector_count() ? &detectors[index] : NULL;
}

VIGIL_EXPORT const vigil_plugin_entry_t vigil_entry_v1 = {
    sizeof(vigil_plugin_entry_t),
    0,
    {VIGIL_ABI_MAJOR, VIGIL_ABI_MINOR, VIGIL_ABI_PATCH},
    negotiate,
    init,
    deinit,
    detector_count,
    get_detector};

#endif /* VIGIL_TESTS_PLUGINS_HOSTILE_PLUGIN_ENTRY_H_ */
