/*
 * json.c - see json.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

void
buf_init(struct buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
buf_free(struct buf *b)
{
	free(b->p);
	buf_init(b);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->oom = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

static int
grow(struct buf *b, size_t more)
{
	size_t cap;
	char *p;

	if (b->oom)
		return -1;
	if (b->len + more + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + more + 1)
		cap *= 2;
	p = realloc(b->p, cap);
	if (p == NULL) {
		b->oom = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

void
buf_add(struct buf *b, const char *s, size_t len)
{
	if (grow(b, len) == -1)
		return;
	memcpy(b->p + b->len, s, len);
	b->len += len;
	b->p[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(b, (size_t)n) == -1)
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

const char *
buf_str(struct buf *b)
{
	if (b->oom)
		return NULL;
	return b->p != NULL ? b->p : "";
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is invalid. */
static size_t
utf8_seq(const unsigned char *s)
{
	size_t n, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void
json_str(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	buf_add(b, "\"", 1);
	while (*p != '\0') {
		if (*p == '"' || *p == '\\') {
			buf_add(b, "\\", 1);
			buf_add(b, (const char *)p, 1);
			p++;
		} else if (*p == '\n') {
			buf_add(b, "\\n", 2), p++;
		} else if (*p == '\r') {
			buf_add(b, "\\r", 2), p++;
		} else if (*p == '\t') {
			buf_add(b, "\\t", 2), p++;
		} else if (*p < 0x20 || *p == 0x7f) {
			buf_printf(b, "\\u%04x", *p);
			p++;
		} else {
			n = utf8_seq(p);
			if (n == 0) {
				buf_add(b, "\xef\xbf\xbd", 3);
				p++;
			} else {
				buf_add(b, (const char *)p, n);
				p += n;
			}
		}
	}
	buf_add(b, "\"", 1);
}

void
json_key(struct buf *b, const char *key, int first)
{
	if (!first)
		buf_add(b, ",", 1);
	json_str(b, key);
	buf_add(b, ":", 1);
}
