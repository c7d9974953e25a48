/*
 * push_token.c - the push's token: read from a file only its owner can
 * read, and masked in whatever a server answers, so that it never reaches
 * the database or the log.  See push_impl.h.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "push_impl.h"

/* ---- Masking ---------------------------------------------------------- */

/*
 * The forms in which a server can give the token back: the token itself,
 * the base64 of any text it is part of ("Bearer <token>" encoded whole: the
 * characters that depend on the token alone, for each of the 3 places it
 * can start at in a 3-byte group), and, when the token is itself base64
 * (Basic credentials), what it decodes to.  Each is looked for raw,
 * JSON-escaped and URL-encoded (spelt()).
 */
#define TOKEN_FORMS 5
#define FORM_MIN 4 /* shorter base64 or decoded forms would mask chance text */

struct token_forms {
	char *v[TOKEN_FORMS];
	int b64[TOKEN_FORMS]; /* base64: '-' and '_' (base64url) count as '+' and '/' */
	size_t n;
};

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
add_form(struct token_forms *f, char *form, int b64)
{
	if (form == NULL)
		return;
	if (strlen(form) < FORM_MIN || f->n == TOKEN_FORMS) {
		free(form);
		return;
	}
	f->v[f->n] = form;
	f->b64[f->n] = b64;
	f->n++;
}

/* The base64 characters that depend on tok alone when it starts at byte
 * `skip` (0..2) of a 3-byte group. */
static char *
b64_core(const char *tok, size_t skip)
{
	size_t n = strlen(tok), total = skip + n, i, o = 0, first, last;
	unsigned char *in = calloc(total + 3, 1);
	char *out = malloc((total + 3) / 3 * 4 + 1), *core;
	uint32_t v;

	if (in == NULL || out == NULL) {
		free(in);
		free(out);
		return NULL;
	}
	memcpy(in + skip, tok, n);
	for (i = 0; i + 3 <= total; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64_alphabet[v >> 18 & 63];
		out[o++] = b64_alphabet[v >> 12 & 63];
		out[o++] = b64_alphabet[v >> 6 & 63];
		out[o++] = b64_alphabet[v & 63];
	}
	out[o] = '\0';
	/* Character k covers bits 6k..6k+5: it is the token's alone from the
	 * first one after the skipped bytes to the last whole group. */
	first = (skip * 8 + 5) / 6;
	last = o;
	core = first < last ? strndup(out + first, last - first) : NULL;
	explicit_bzero(in, total + 3);
	explicit_bzero(out, (total + 3) / 3 * 4 + 1);
	free(in);
	free(out);
	return core;
}

/* What tok decodes to as base64 (Basic credentials, "user:password"), when
 * it is base64 of printable text; NULL otherwise. */
static char *
b64_decoded(const char *tok)
{
	size_t n = strlen(tok), i, o = 0, bits = 0;
	const char *c;
	uint32_t acc = 0;
	char *out = malloc(n + 1);

	if (out == NULL)
		return NULL;
	for (i = 0; i < n && tok[i] != '='; i++) {
		c = strchr(b64_alphabet, tok[i] == '-' ? '+' : tok[i] == '_' ? '/' : tok[i]);
		if (c == NULL || tok[i] == '\0')
			goto fail;
		acc = (acc << 6 | (uint32_t)(c - b64_alphabet)) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o] = (char)(acc >> bits & 0xff);
			if (out[o] < ' ' || out[o] > '~')
				goto fail;
			o++;
		}
	}
	out[o] = '\0';
	return out;
fail:
	explicit_bzero(out, n + 1);
	free(out);
	return NULL;
}

static void
forms_init(struct token_forms *f, const char *tok)
{
	size_t k;

	memset(f, 0, sizeof(*f));
	if (tok == NULL || tok[0] == '\0')
		return;
	/* The token itself, however short. */
	f->v[0] = strdup(tok);
	f->n = f->v[0] != NULL;
	for (k = 0; k < 3; k++)
		add_form(f, b64_core(tok, k), 1);
	add_form(f, b64_decoded(tok), 0);
}

static void
forms_free(struct token_forms *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		explicit_bzero(f->v[i], strlen(f->v[i]));
		free(f->v[i]);
	}
	f->n = 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

enum spelling { RAW, JSON, URL };

/* Length of the text at s that spells form, written as `how` says, or 0.
 * JSON: \" \\ \/ and \uXXXX for any character; URL: %XX for any. */
static size_t
spelt(const char *s, const char *form, int b64, enum spelling how)
{
	size_t i = 0, k;
	int c, h[4];

	for (k = 0; form[k] != '\0'; k++) {
		c = (unsigned char)s[i];
		if (c == '\0')
			return 0;
		if (how == JSON && c == '\\') {
			if (s[i + 1] == 'u') {
				h[0] = hexval(s[i + 2]);
				h[1] = h[0] == -1 ? -1 : hexval(s[i + 3]);
				h[2] = h[1] == -1 ? -1 : hexval(s[i + 4]);
				h[3] = h[2] == -1 ? -1 : hexval(s[i + 5]);
				if (h[3] == -1 || h[0] != 0 || h[1] != 0)
					return 0;
				c = h[2] << 4 | h[3];
				i += 6;
			} else if (s[i + 1] == '"' || s[i + 1] == '\\' || s[i + 1] == '/') {
				c = (unsigned char)s[i + 1];
				i += 2;
			} else {
				return 0;
			}
		} else if (how == URL && c == '%') {
			h[0] = hexval(s[i + 1]);
			h[1] = h[0] == -1 ? -1 : hexval(s[i + 2]);
			if (h[1] == -1)
				return 0;
			c = h[0] << 4 | h[1];
			i += 3;
		} else {
			i++;
		}
		if (b64 && c == '-')
			c = '+';
		else if (b64 && c == '_')
			c = '/';
		if (c != (unsigned char)form[k])
			return 0;
	}
	return i;
}

/* Length of the token in one of its forms at s, or 0. */
static size_t
token_at(const struct token_forms *f, const char *s)
{
	static const enum spelling how[] = {RAW, JSON, URL};
	size_t i, k, n;

	for (i = 0; i < f->n; i++) {
		for (k = 0; k < sizeof(how) / sizeof(how[0]); k++) {
			n = spelt(s, f->v[i], f->b64[i], how[k]);
			if (n > 0)
				return n;
		}
	}
	return 0;
}

/*
 * Copies an excerpt of server text into out: control characters become
 * spaces, the token (should a server echo it, in any of its forms) becomes
 * "[token]", and a cut never splits a UTF-8 character.
 */
void
push_excerpt(const char *token, const char *text, char *out, size_t outsz)
{
	struct token_forms f;
	size_t i = 0, o = 0, n;
	unsigned char c;

	forms_init(&f, token);
	while (text[i] != '\0' && o + 8 < outsz && i < EXCERPT_MAX) {
		n = token_at(&f, text + i);
		if (n > 0) {
			memcpy(out + o, "[token]", 7);
			o += 7;
			i += n;
			continue;
		}
		c = (unsigned char)text[i++];
		out[o++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	forms_free(&f);
	/* Back to the start of a character if the last one was cut. */
	if (text[i] != '\0') {
		while (o > 0 && ((unsigned char)out[o - 1] & 0xc0) == 0x80)
			o--;
		if (o > 0 && ((unsigned char)out[o - 1] & 0x80))
			o--;
	}
	out[o] = '\0';
}

/* ---- The token -------------------------------------------------------- */

static int
read_all(int fd, const char *path, char *buf, size_t bufsz, size_t *len)
{
	ssize_t n;

	*len = 0;
	for (;;) {
		n = read(fd, buf + *len, bufsz - 1 - *len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_warn("push: token_file %s", path);
			return -1;
		}
		if (n == 0)
			break;
		*len += (size_t)n;
		if (*len == bufsz - 1) {
			log_warnx("push: token_file %s: longer than %d bytes", path, TOKEN_MAX);
			return -1;
		}
	}
	buf[*len] = '\0';
	return 0;
}

/* Checks the token: printable ASCII without spaces, since it goes into a
 * header line. */
static int
token_ok(const char *path, char *tok, size_t len)
{
	size_t i;

	while (len > 0 && (tok[len - 1] == '\n' || tok[len - 1] == '\r' || tok[len - 1] == ' ' ||
			   tok[len - 1] == '\t'))
		tok[--len] = '\0';
	if (len == 0) {
		log_warnx("push: token_file %s is empty", path);
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (tok[i] <= ' ' || tok[i] > '~') {
			log_warnx("push: token_file %s: the token must be one line of printable "
				  "ASCII",
				  path);
			return -1;
		}
	}
	return 0;
}

/* Reads the token from a file that only its owner may read. */
char *
push_read_token(const char *path)
{
	struct stat sb;
	char *tok = NULL;
	size_t len;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		log_warn("push: token_file %s", path);
		return NULL;
	}
	if (fstat(fd, &sb) == -1) {
		log_warn("push: token_file %s", path);
		goto fail;
	}
	if (!S_ISREG(sb.st_mode)) {
		log_warnx("push: token_file %s is not a regular file", path);
		goto fail;
	}
	if (sb.st_mode & 077) {
		log_warnx("push: token_file %s can be read or written by others (mode %03o); "
			  "refusing it: chmod 600 %s",
			  path, (unsigned int)(sb.st_mode & 0777), path);
		goto fail;
	}
	tok = calloc(1, TOKEN_MAX + 1);
	if (tok == NULL) {
		log_warn("push: calloc");
		goto fail;
	}
	if (read_all(fd, path, tok, TOKEN_MAX + 1, &len) == -1 || token_ok(path, tok, len) == -1)
		goto fail;
	close(fd);
	return tok;

fail:
	if (tok != NULL)
		explicit_bzero(tok, TOKEN_MAX + 1);
	free(tok);
	close(fd);
	return NULL;
}
