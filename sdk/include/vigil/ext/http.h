/* Host extension "vigil.http/1": outbound HTTPS performed by the host for the plugin.
 *
 * Rationale: cloud detectors (a hash-matching or classification service) must call an
 * HTTPS endpoint, and a sandboxed plugin may not open a socket (the worker is killed
 * with SIGSYS if it tries). Instead the plugin asks the host, which performs the request
 * only to origins (scheme://host:port) that are listed both in the plugin's signed
 * manifest (`vigil plugins sign --allow-origin ORIGIN`) and in the operator's host
 * config ([egress] allowed_origins), with the host's size and time limits, and records
 * every request (allowed or refused) in the audit log: plugin, detector, origin,
 * method, bytes and status, never the bodies. docs/isolation.md, "Outbound HTTPS".
 *
 * Getting it (a plugin that never asks never gets it; ABI 1.0 plugins are unaffected):
 *   const vigil_http_ext_t *http = host->get_extension(host, VIGIL_EXT_HTTP);
 * NULL means this host has no such service (an older host). The table is owned by the
 * host and valid until deinit; check `struct_size` before using fields newer than
 * this revision.
 *
 * Example:
 *   vigil_http_request_t req = {sizeof req};
 *   req.method = "POST";
 *   req.url = "https://api.example.org:443/v1/match";
 *   req.body = bytes; req.body_size = size;
 *   vigil_http_response_t res = {sizeof res};
 *   if (http->request(host, &req, &res) != VIGIL_OK) { ...res.error says why... }
 *   else if (res.status == 200) { ...res.body, res.body_size... }
 */
#ifndef VIGIL_EXT_HTTP_H
#define VIGIL_EXT_HTTP_H

#include "vigil/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VIGIL_EXT_HTTP "vigil.http/1"

/* One header. Both strings are NUL-terminated. In a request they are owned by the
 * plugin (borrowed for the call); in a response by the host. Names are HTTP tokens;
 * values may not contain CR, LF or NUL. */
typedef struct vigil_http_header {
  const char *name;
  const char *value;
} vigil_http_header_t;

/* What the plugin asks for. Owned by the plugin, borrowed for the call. */
typedef struct vigil_http_request {
  uint32_t struct_size; /* sizeof(vigil_http_request_t) */
  uint32_t timeout_ms;  /* 0: the host's limit; otherwise at most the host's limit */
  const char *method;   /* "GET", "HEAD", "POST", "PUT", "PATCH" or "DELETE" */
  const char *url;      /* https://host[:port]/path[?query]; no user info, no fragment */
  const vigil_http_header_t *headers; /* header_count entries, may be NULL when 0 */
  uint32_t header_count;
  uint32_t reserved;   /* 0 */
  const uint8_t *body; /* body_size bytes; NULL when 0 (GET and HEAD take no body) */
  size_t body_size;
} vigil_http_request_t;

/* What the host answers. The plugin sets `struct_size` (sizeof(vigil_http_response_t))
 * and the host fills the rest. Everything it points to is owned by the host and valid
 * until the next request() call on the same thread, or until the analyze() call that
 * made the request returns, whichever comes first: copy what you keep. */
typedef struct vigil_http_response {
  uint32_t struct_size;
  int32_t status; /* the HTTP status (200, 404, 302, ...); 0 when there was no response */
  const vigil_http_header_t *headers; /* the response's headers, in order */
  uint32_t header_count;
  uint32_t reserved;
  const uint8_t *body; /* body_size bytes (never NUL-terminated by contract) */
  size_t body_size;
  /* NULL on VIGIL_OK; otherwise one line saying why there is no response: the origin
   * is not allowed (and by whom), the limit that was passed, the TLS or connection
   * failure, the timeout. A request that got an answer is VIGIL_OK whatever its status
   * (a 404 is an answer; redirects are not followed, a 3xx comes back as is). */
  const char *error;
} vigil_http_response_t;

typedef struct vigil_http_ext {
  uint32_t struct_size;
  uint32_t reserved;

  /* [any-thread, during analyze only] Performs one request and blocks until the
   * answer, the timeout, or the call's deadline. Returns VIGIL_OK with `response`
   * filled, or:
   *   VIGIL_ERR_INVALID_ARGUMENT  malformed request (NULL fields, bad method, header,
   *                               URL, or a body on GET/HEAD)
   *   VIGIL_ERR_UNSUPPORTED       not allowed: not https, origin not in the signed
   *                               manifest or not in the host config, no egress
   *                               service here (e.g. the conformance kit), or called
   *                               outside analyze()
   *   VIGIL_ERR_RESOURCE          a size limit: request or response body too large
   *   VIGIL_ERR_CANCELLED         the timeout or the call's deadline passed
   *   VIGIL_ERR_INTERNAL          connection or TLS failure (certificate, host name)
   * with `response->error` saying why. Every call, allowed or not, is audited. */
  vigil_status_t (*request)(const vigil_host_t *host, const vigil_http_request_t *request,
                            vigil_http_response_t *response);
} vigil_http_ext_t;

#ifdef __cplusplus
}
#endif

#endif /* VIGIL_EXT_HTTP_H */
