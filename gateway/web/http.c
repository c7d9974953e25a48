/*
 * http.c - what a request carries, parsed: the fields of a form body
 * (application/x-www-form-urlencoded, or multipart/form-data for a file),
 * the cookies of a Cookie header and the name a Host header gives.
 * Lengths are checked before anything is copied.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

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

int
loopback_host(const char *host)
{
	char name[64];
	size_t n;

	if (host == NULL)
		return 0;
	n = host[0] == '[' ? strcspn(host, "]") : strcspn(host, ":");
	if (host[0] == '[' && host[n++] != ']')
		return 0; /* no end to the address: nothing past the name is read */
	if (n >= sizeof(name) || (host[n] != '\0' && host[n] != ':'))
		return 0;
	memcpy(name, host, n);
	name[n] = '\0';
	return strcasecmp(name, "localhost") == 0 || strcmp(name, "[::1]") == 0 ||
	       (strncmp(name, "127.", 4) == 0 && strspn(name, "0123456789.") == n);
}

int
multipart_boundary(const char *ctype, char *out, size_t size)
{
	const char *b, *end;
	size_t n;

	if (ctype == NULL || strncasecmp(ctype, "multipart/form-data", 19) != 0)
		return 0;
	b = strstr(ctype, "boundary=");
	if (b == NULL)
		return -1;
	b += 9;
	if (*b == '"') {
		end = strchr(++b, '"');
		if (end == NULL)
			return -1;
	} else {
		end = b + strcspn(b, "; \t");
	}
	n = (size_t)(end - b);
	if (n == 0 || n > 70 || n + 3 > size)
		return -1;
	memcpy(out, "--", 2);
	memcpy(out + 2, b, n);
	out[n + 2] = '\0';
	return 1;
}

/* Where needle (n bytes) first is in p (len bytes), or NULL. */
static const char *
find(const char *p, size_t len, const char *needle, size_t n)
{
	size_t i;

	for (i = 0; n <= len && i <= len - n; i++)
		if (memcmp(p + i, needle, n) == 0)
			return p + i;
	return NULL;
}

/* The quoted parameter key="..." of a part's headers (h, n bytes) into
 * out: 1, 0 absent, -1 too long. */
static int
header_param(const char *h, size_t n, const char *key, char *out, size_t size)
{
	char k[32];
	const char *v, *end;
	size_t klen = (size_t)snprintf(k, sizeof(k), "; %s=\"", key);

	v = find(h, n, k, klen);
	if (v == NULL)
		return 0;
	v += klen;
	end = memchr(v, '"', n - (size_t)(v - h));
	if (end == NULL || (size_t)(end - v) >= size)
		return -1;
	memcpy(out, v, (size_t)(end - v));
	out[end - v] = '\0';
	return 1;
}

int
multipart_part(const char *body, size_t len, const char *delim, const char *name, const char **val,
	       size_t *vlen, char *filename, size_t fnsize)
{
	char pname[64], end_delim[80];
	size_t dn = strlen(delim), en;
	const char *p = find(body, len, delim, dn), *stop = body + len, *h, *next;

	en = (size_t)snprintf(end_delim, sizeof(end_delim), "\r\n%s", delim);
	while (p != NULL) {
		p += dn;
		if (stop - p < 2 || memcmp(p, "\r\n", 2) != 0)
			return stop - p >= 2 && memcmp(p, "--", 2) == 0 ? 0 : -1;
		h = p + 2;
		p = find(h, (size_t)(stop - h), "\r\n\r\n", 4);
		if (p == NULL)
			return -1;
		p += 4;
		next = find(p, (size_t)(stop - p), end_delim, en);
		if (next == NULL)
			return -1;
		if (header_param(h, (size_t)(p - h), "name", pname, sizeof(pname)) == 1 &&
		    strcmp(pname, name) == 0) {
			*val = p;
			*vlen = (size_t)(next - p);
			if (filename != NULL &&
			    header_param(h, (size_t)(p - h), "filename", filename, fnsize) != 1)
				filename[0] = '\0';
			return 1;
		}
		p = next + 2;
	}
	return -1;
}
