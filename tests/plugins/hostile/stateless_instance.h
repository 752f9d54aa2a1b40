/* create() and destroy() for a hostile test plugin whose detector keeps no state: every
 * instance is the same token. Include after vigil/plugin.h, before the detector table. */
#ifndef VIGIL_TESTS_PLUGINS_HOSTILE_STATELESS_INSTANCE_H_
#define VIGIL_TESTS_PLUGINS_HOSTILE_STATELESS_INSTANCE_H_

#include <vigil/plugin.h>

static int g_token;

static vigil_status_t create(const vigil_detector_t *detector, const vigil_host_t *host,
                             const uint8_t *config, size_t config_size, void **instance,
                             const vigil_sink_t *err) {
  (void)detector;
  (void)host;
  (void)config;
  (void)config_size;
  (void)err;
  *instance = &g_token;
  return VIGIL_OK;
}

static void destroy(void *instance) { (void)instance; }

#endif /* VIGIL_TESTS_PLUGINS_HOSTILE_STATELESS_INSTANCE_H_ */
