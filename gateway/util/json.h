/*
 * json.h - a growable text buffer and the little JSON writing tinbao needs
 * (JSON Lines output of `parse`, push event payloads).
 */
#ifndef TINBAO_JSON_H
#define TINBAO_JSON_H

#include <stddef.h>

struct buf {
	char *p; /* NUL-terminated once anything was appended */
	size_t len;
	size_t cap;
	int oom; /* set when an append failed; later appends do nothing */
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);  /* releases the text; the buf can be reused */
void buf_reset(struct buf *b); /* empties it, keeps the memory */
void buf_add(struct buf *b, const char *s, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text so far ("" when empty), or NULL after an allocation failure. */
const char *buf_str(struct buf *b);

/* Appends s as a quoted JSON string: escapes quotes, backslashes and control
 * characters; invalid UTF-8 bytes become U+FFFD so the output is valid. */
void json_str(struct buf *b, const char *s);
/* Appends "key": (with a leading comma unless first). */
void json_key(struct buf *b, const char *key, int first);

#endif
