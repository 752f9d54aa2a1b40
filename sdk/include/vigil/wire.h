/* Minimal protobuf wire-format writer for plugins written in C.
 *
 * Rationale: the vigil.v1 messages cross the ABI as bytes, so a C plugin needs no
 * protobuf library at all; these few inline functions write the fields it needs
 * (varints, strings, doubles and nested messages) into a caller buffer.
 *
 * Usage: vigil_wire_buf b; vigil_wire_init(&b, storage, sizeof storage);
 *        vigil_wire_string(&b, 1, "id"); ... if (b.overflow) error; then write
 *        b.data[0..b.size) to the sink. Field numbers are those of sdk/proto/vigil/v1.
 * Nested messages: build the inner message in its own buffer, then
 *        vigil_wire_bytes(&outer, field, inner.data, inner.size).
 */
#ifndef VIGIL_WIRE_H
#define VIGIL_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vigil_wire_buf {
  uint8_t *data;   /* caller-owned storage */
  size_t capacity;
  size_t size;
  int overflow;    /* set once a write did not fit; later writes are ignored */
} vigil_wire_buf;

static inline void vigil_wire_init(vigil_wire_buf *b, void *storage, size_t capacity) {
  b->data = (uint8_t *)storage;
  b->capacity = capacity;
  b->size = 0;
  b->overflow = 0;
}

static inline void vigil_wire_raw(vigil_wire_buf *b, const void *p, size_t n) {
  if (b->overflow || n > b->capacity - b->size) {
    b->overflow = 1;
    return;
  }
  if (n) memcpy(b->data + b->size, p, n);
  b->size += n;
}

static inline void vigil_wire_varint_raw(vigil_wire_buf *b, uint64_t v) {
  uint8_t tmp[10];
  size_t n = 0;
  do {
    uint8_t byte = (uint8_t)(v & 0x7f);
    v >>= 7;
    tmp[n++] = (uint8_t)(byte | (v ? 0x80 : 0));
  } while (v);
  vigil_wire_raw(b, tmp, n);
}

/* Wire types: 0 varint, 1 fixed64, 2 length-delimited. */
static inline void vigil_wire_tag(vigil_wire_buf *b, uint32_t field, uint32_t wire_type) {
  vigil_wire_varint_raw(b, ((uint64_t)field << 3) | wire_type);
}

/* int32/int64/uint32/uint64/bool/enum fields (negative int32 values use 10 bytes, as
 * protobuf does). */
static inline void vigil_wire_varint(vigil_wire_buf *b, uint32_t field, int64_t v) {
  vigil_wire_tag(b, field, 0);
  vigil_wire_varint_raw(b, (uint64_t)v);
}

static inline void vigil_wire_bytes(vigil_wire_buf *b, uint32_t field, const void *p, size_t n) {
  vigil_wire_tag(b, field, 2);
  vigil_wire_varint_raw(b, (uint64_t)n);
  vigil_wire_raw(b, p, n);
}

/* A UTF-8 string field. */
static inline void vigil_wire_string(vigil_wire_buf *b, uint32_t field, const char *s) {
  vigil_wire_bytes(b, field, s, strlen(s));
}

static inline void vigil_wire_double(vigil_wire_buf *b, uint32_t field, double v) {
  uint64_t bits;
  uint8_t le[8];
  int i;
  memcpy(&bits, &v, sizeof bits);
  for (i = 0; i < 8; ++i) le[i] = (uint8_t)(bits >> (8 * i));
  vigil_wire_tag(b, field, 1);
  vigil_wire_raw(b, le, 8);
}

#ifdef __cplusplus
}
#endif

#endif /* VIGIL_WIRE_H */
