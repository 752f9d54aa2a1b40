// The vigil_host_t services the host hands every plugin: logging, cancellation and the
// vigil.http/1 extension (loader/http_service.h).
#ifndef VIGIL_HOST_LOADER_HOST_SERVICES_H_
#define VIGIL_HOST_LOADER_HOST_SERVICES_H_

#include <atomic>
#include <chrono>

#include "vigil/plugin.h"

namespace vigil::host {

// Process-wide: set by the Ctrl-C handler; every is_cancelled() then answers 1.
void RequestCancel();
bool CancelRequested();

// Per thread: analyze calls made by this thread after `deadline` see is_cancelled() = 1.
// A default-constructed time_point clears it.
void SetThreadDeadline(std::chrono::steady_clock::time_point deadline);
// This thread's deadline (a default-constructed time_point: none).
std::chrono::steady_clock::time_point ThreadDeadline();

// Log lines below this level are dropped (VIGIL_LOG_* values); from VIGIL_LOG_LEVEL.
void SetPluginLogLevel(int32_t level);

// The one vigil_host_t all plugins get; lives for the whole process.
const vigil_host_t* HostServices();

}  // namespace vigil::host

#endif  // VIGIL_HOST_LOADER_HOST_SERVICES_H_
