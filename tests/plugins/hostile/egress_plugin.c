/* A cloud-style detector that uses the host's vigil.http/1 extension (plain C).
 *
 * The item's bytes say what to ask: "METHOD URL" with an optional body after a
 * newline ("POST https://127.0.0.1:4443/echo\nhello"). Any other item (the conformance
 * kit's inputs) asks GET https://127.0.0.1:9/conformance. The answer comes back as
 * signals: "status" (the HTTP status), "body" (up to 256 printable bytes of it) and
 * "header" (the response's X-Vigil-Test header, when there is one), or, when the host
 * refused or the request failed, "error" (the host's text) and "code" (the
 * vigil_status_t). analyze() itself succeeds either way.
 *
 * An item "attack" opens a socket itself instead, towards 127.0.0.1 (the sandbox
 * kills the worker for it): the sanctioned way out does not open any other. An item
 * "flood" asks for GET https://127.0.0.1:9/flood 100 times in one call. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vigil/ext/http.h"
#include "vigil/plugin.h"
#include "vigil/wire.h"

typedef struct egress_instance {
  const vigil_host_t *host;
  const vigil_http_ext_t *http;
} egress_instance;

static egress_instance g_instance;

static vigil_status_t describe(const vigil_detector_t *detector, const vigil_sink_t *out) {
  uint8_t storage[256], cost_storage[32];
  vigil_wire_buf b, cost;
  vigil_wire_init(&cost, cost_storage, sizeof cost_storage);
  vigil_wire_varint(&cost, 2, 3000); /* max_ms */
  vigil_wire_init(&b, storage, sizeof storage);
  vigil_wire_string(&b, 1, detector->id);
  vigil_wire_string(&b, 2, "0.0.1");
  vigil_wire_string(&b, 3, "Vigil egress tests");
  vigil_wire_varint(&b, 4, 15);
  vigil_wire_varint(&b, 5, VIGIL_MEDIA_BINARY);
  vigil_wire_bytes(&b, 8, cost.data, cost.size);
  return out->write(out, b.data, b.size);
}

static int read_varint(const uint8_t **p, const uint8_t *end, uint64_t *value) {
  *value = 0;
  for (int shift = 0; shift < 64 && *p < end; shift += 7) {
    uint8_t byte = *(*p)++;
    *value |= (uint64_t)(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return 1;
  }
  return 0;
}

/* The detector has no parameters, but a config that is not a protobuf message at all
 * (bad wire types, truncated fields) is refused, as the ABI asks. */
static int well_formed(const uint8_t *p, size_t size) {
  const uint8_t *end = p + size;
  while (p < end) {
    uint64_t tag, length;
    if (!read_varint(&p, end, &tag) || (tag >> 3) == 0 || (tag >> 3) > 536870911u) return 0;
    switch (tag & 7) {
      case 0:
        if (!read_varint(&p, end, &length)) return 0;
        break;
      case 1:
        if ((size_t)(end - p) < 8) return 0;
        p += 8;
        break;
      case 2:
        if (!read_varint(&p, end, &length) || length > (uint64_t)(end - p)) return 0;
        p += length;
        break;
      case 5:
        if ((size_t)(end - p) < 4) return 0;
        p += 4;
        break;
      default:
        return 0;
    }
  }
  return 1;
}

static vigil_status_t create(const vigil_detector_t *detector, const vigil_host_t *host,
                             const uint8_t *config, size_t config_size, void **instance,
                             const vigil_sink_t *err) {
  (void)detector;
  if (config_size > 0 && (config == NULL || !well_formed(config, config_size))) {
    const char *why = "the configuration is not a vigil.v1.DetectorConfig";
    err->write(err, why, strlen(why));
    return VIGIL_ERR_CONFIG;
  }
  g_instance.host = host;
  g_instance.http = host && host->get_extension ? host->get_extension(host, VIGIL_EXT_HTTP) : NULL;
  *instance = &g_instance;
  return VIGIL_OK;
}

static void destroy(void *instance) { (void)instance; }

static void add_signal(vigil_wire_buf *result, const char *type, const char *value) {
  uint8_t storage[1024];
  vigil_wire_buf signal;
  vigil_wire_init(&signal, storage, sizeof storage);
  vigil_wire_string(&signal, 1, type);
  vigil_wire_string(&signal, 2, value);
  vigil_wire_bytes(result, 1, signal.data, signal.size);
}

/* Printable ASCII only, so that the signal is valid UTF-8 whatever came back. */
static void printable(char *to, size_t capacity, const uint8_t *from, size_t size) {
  size_t n = size < capacity - 1 ? size : capacity - 1;
  for (size_t i = 0; i < n; ++i) to[i] = from[i] >= 0x20 && from[i] < 0x7f ? (char)from[i] : '?';
  to[n] = '\0';
}

static vigil_status_t attack(const vigil_sink_t *err) {
  int s = socket(AF_INET, SOCK_STREAM, 0); /* the sandbox kills the worker here */
  if (s < 0) {
    char text[128];
    snprintf(text, sizeof text, "socket failed: %s", strerror(errno));
    err->write(err, text, strlen(text));
    return VIGIL_ERR_INTERNAL;
  }
  struct sockaddr_in to;
  memset(&to, 0, sizeof to);
  to.sin_family = AF_INET;
  to.sin_port = htons(9);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  connect(s, (struct sockaddr *)&to, sizeof to);
  close(s);
  return VIGIL_OK; /* escaped: the test fails on this */
}

static vigil_status_t analyze(void *instance, const vigil_item_view_t *item,
                              const vigil_sink_t *out, const vigil_sink_t *err) {
  egress_instance *self = instance;
  const char *bytes = (const char *)item->bytes;
  size_t size = item->bytes ? item->bytes_size : 0;
  if (size == 6 && memcmp(bytes, "attack", 6) == 0) return attack(err);
  if (size == 5 && memcmp(bytes, "flood", 5) == 0 && self->http != NULL) {
    vigil_http_request_t request;
    memset(&request, 0, sizeof request);
    request.struct_size = sizeof request;
    request.method = "GET";
    request.url = "https://127.0.0.1:9/flood";
    vigil_http_response_t response;
    memset(&response, 0, sizeof response);
    response.struct_size = sizeof response;
    for (int i = 0; i < 100; ++i) self->http->request(self->host, &request, &response);
    return VIGIL_OK; /* not killed: the test fails on this */
  }

  char method[8] = "GET", url[2048] = "https://127.0.0.1:9/conformance";
  const uint8_t *body = NULL;
  size_t body_size = 0;
  const char *space = size > 0 ? memchr(bytes, ' ', size < 8 ? size : 8) : NULL;
  if (space != NULL && size > 8 && bytes[0] >= 'A' && bytes[0] <= 'Z') {
    memcpy(method, bytes, (size_t)(space - bytes));
    method[space - bytes] = '\0';
    const char *start = space + 1, *end = bytes + size;
    const char *newline = memchr(start, '\n', (size_t)(end - start));
    size_t url_size = (size_t)((newline ? newline : end) - start);
    if (url_size >= sizeof url) url_size = sizeof url - 1;
    memcpy(url, start, url_size);
    url[url_size] = '\0';
    if (newline) {
      body = (const uint8_t *)newline + 1;
      body_size = (size_t)(end - newline - 1);
    }
  }

  uint8_t result_storage[4096];
  vigil_wire_buf result;
  vigil_wire_init(&result, result_storage, sizeof result_storage);
  if (self->http == NULL) {
    add_signal(&result, "error", "the host offers no " VIGIL_EXT_HTTP);
    return out->write(out, result.data, result.size);
  }
  vigil_http_header_t headers[1] = {{"X-Vigil-Plugin", "egress-client"}};
  vigil_http_request_t request;
  memset(&request, 0, sizeof request);
  request.struct_size = sizeof request;
  request.method = method;
  request.url = url;
  request.headers = headers;
  request.header_count = 1;
  request.body = body;
  request.body_size = body_size;
  vigil_http_response_t response;
  memset(&response, 0, sizeof response);
  response.struct_size = sizeof response;
  vigil_status_t status = self->http->request(self->host, &request, &response);
  char text[512];
  if (status != VIGIL_OK) {
    snprintf(text, sizeof text, "%d", (int)status);
    add_signal(&result, "code", text);
    printable(text, sizeof text, (const uint8_t *)(response.error ? response.error : "(none)"),
              strlen(response.error ? response.error : "(none)"));
    add_signal(&result, "error", text);
    return out->write(out, result.data, result.size);
  }
  snprintf(text, sizeof text, "%d", (int)response.status);
  add_signal(&result, "status", text);
  printable(text, 257, response.body, response.body_size);
  add_signal(&result, "body", text);
  for (uint32_t i = 0; i < response.header_count; ++i) {
    if (strcasecmp(response.headers[i].name, "X-Vigil-Test") == 0) {
      printable(text, sizeof text, (const uint8_t *)response.headers[i].value,
                strlen(response.headers[i].value));
      add_signal(&result, "header", text);
    }
  }
  return out->write(out, result.data, result.size);
}

static const void *get_extension(void *instance, const char *id) {
  (void)instance;
  (void)id;
  return NULL;
}

static const vigil_detector_t detectors[] = {{sizeof(vigil_detector_t),
                                          0,
                                          "egress.client",
                                          0,
                                          describe,
                                          create,
                                          destroy,
                                          analyze,
                                          get_extension}};

#include "plugin_entry.h"
