/*
 * http.c - what a request carries, parsed: the fields of a form body
 * (application/x-www-form-urlencoded) and the cookies of a Cookie header.
 * Lengths are checked before anything is copied.
 */
#include <ctype.h>
#include <string.h>

#include "web_impl.h"

/* The value of the hex digits s[0] and s[1], or -1. */
static int
hex_byte(const char *s)
{
	static const char digits[] = "0123456789abcdef";
	const char *hi, *lo;

	if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]))
		return -1;
	hi = strchr(digits, tolower((unsigned char)s[0]));
	lo = strchr(digits, tolower((unsigned char)s[1]));
	return (int)((hi - digits) * 16 + (lo - digits));
}

int
url_decode(const char *s, size_t n, char *out, size_t size)
{
	size_t i, o = 0;
	int byte;
	char c;

	for (i = 0; i < n; i++) {
		c = s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			if (i + 2 >= n)
				return -1;
			byte = hex_byte(s + i + 1);
			if (byte < 0)
				return -1;
			c = (char)byte;
			i += 2;
		}
		if (c == '\0' || o + 1 >= size)
			return -1;
		out[o++] = c;
	}
	if (o >= size)
		return -1;
	out[o] = '\0';
	return 0;
}

int
form_value(const char *body, size_t len, const char *name, char *out, size_t size)
{
	size_t nlen = strlen(name), flen;
	const char *p = body, *end = body + len, *amp;

	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		flen = (size_t)((amp != NULL ? amp : end) - p);
		if (flen > nlen && memcmp(p, name, nlen) == 0 && p[nlen] == '=')
			return url_decode(p + nlen + 1, flen - nlen - 1, out, size) == 0 ? 1 : -1;
		if (amp == NULL)
			break;
		p = amp + 1;
	}
	return 0;
}

int
cookie_value(const char *header, const char *name, char *out, size_t size)
{
	size_t nlen = strlen(name), vlen;
	const char *p = header, *semi;

	if (header == NULL)
		return 0;
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t')
			p++;
		semi = strchr(p, ';');
		vlen = semi != NULL ? (size_t)(semi - p) : strlen(p);
		if (vlen > nlen && memcmp(p, name, nlen) == 0 && p[nlen] == '=') {
			vlen -= nlen + 1;
			while (vlen > 0 && (p[nlen + 1 + vlen - 1] == ' '))
				vlen--;
			if (vlen + 1 > size)
				return -1;
			memcpy(out, p + nlen + 1, vlen);
			out[vlen] = '\0';
			return 1;
		}
		if (semi == NULL)
			break;
		p = semi + 1;
	}
	return 0;
}
