/*
 * push.c - see push.h.
 *
 * One attempt = collect a batch from push_queue, one POST, then act on the
 * answer in one transaction: mark what was accepted, queue the SMS the
 * district asked for, record the outcome in push_state.  Nothing is marked
 * before the server answered, so a crash at any point leaves the batch
 * pending, to be sent again.
 *
 * Bisection: a 4xx about the content halves the batch size (`limit`) and
 * remembers the last id of the batch that failed (`suspect`).  The next
 * attempts send the first half, then the rest; the limit comes back to
 * `batch` once the suspect range is past or its culprit was parked.
 *
 * DHIS2: a data value is a total, not an increment, so the value sent for a
 * cell (data element, category option combo, org unit, month) is the sum of
 * the stored reports of that cell, read when the request is made.  Sending
 * it again is harmless, which is what makes the import exactly-once.  A
 * request carries the report events of one commune and one month (the
 * body's orgUnit and period), oldest first; events with no DHIS2 value
 * (rejections, SMS outcomes, status) are marked sent with a note, reports
 * of a commune or trade without a mapping are parked.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "config.h"
#include "crash.h"
#include "gateway.h"
#include "json.h"
#include "log.h"
#include "parser.h"
#include "phone.h"
#include "push.h"
#include "store.h"

#define VN_UTC_OFFSET (7 * 3600)
#define TOKEN_MAX 4096
#define ANSWER_MAX (1024 * 1024) /* bytes of an answer we read */
#define EXCERPT_MAX 400		 /* bytes of an answer kept with a parked event */
#define OUTGOING_MAX 100	 /* SMS taken from one answer */
#define OUTGOING_TEXT_MAX 1000	 /* bytes of one such SMS */
#define OUTGOING_ID_MAX 64
#define DHIS2_PATH "/api/dataValueSets?idScheme=CODE"
#define NOT_FOR_DHIS2 "not sent: no DHIS2 value for this event"

enum outcome {
	O_IDLE,	    /* nothing pending */
	O_PROGRESS, /* something was sent, parked or bisected: go on */
	O_FAIL,	    /* retry after the backoff */
};

enum verdict {
	V_OK,	   /* accepted (json: those listed) */
	V_CONTENT, /* refused because of an event: bisect */
	V_FAIL,	   /* transient: back off */
};

/* An event of the batch decided without a request (DHIS2, bad payload). */
struct local {
	int64_t id;
	int park; /* 1: park, 0: mark sent with the note */
	char why[160];
};

struct push {
	const struct config *cfg;
	const struct config_push *pc;
	struct store *st;
	const volatile sig_atomic_t *stop;
	int dhis2;
	char *url;
	char *prefix; /* "<gateway id>:" */
	char *token;
	CURL *curl;
	struct curl_slist *headers;
	char errbuf[CURL_ERROR_SIZE];
	int too_large;

	/* The batch being sent. */
	struct buf body;
	struct buf answer;
	int64_t *ids;
	size_t nids;
	struct local *local;
	size_t nlocal;
	unsigned char *used; /* DHIS2: data elements of the batch */
	char commune[16];
	char month[8];
	const char *org_unit;

	int limit;
	int64_t suspect;
	int64_t next_ms; /* monotonic: no attempt before */
	uint64_t rng;
	struct store_push_state ps;
	char err[512];
	long retry_after;
	struct push_report tally;
};

/* ---- Small helpers ---------------------------------------------------- */

static int64_t
monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
push_time(int64_t t, char *buf, size_t bufsz)
{
	time_t local = (time_t)(t + VN_UTC_OFFSET);
	struct tm tm;

	gmtime_r(&local, &tm);
	strftime(buf, bufsz, "%Y-%m-%dT%H:%M:%S+07:00", &tm);
}

/* xorshift64*: jitter needs no cryptography, only no two gateways in step. */
static uint64_t
rng_next(struct push *p)
{
	p->rng ^= p->rng >> 12;
	p->rng ^= p->rng << 25;
	p->rng ^= p->rng >> 27;
	return p->rng * 2685821657736338717ULL;
}

static void
rng_seed(struct push *p)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	p->rng = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40);
	if (p->rng == 0)
		p->rng = 88172645463325252ULL;
}

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
static void
excerpt(const struct push *p, const char *text, char *out, size_t outsz)
{
	struct token_forms f;
	size_t i = 0, o = 0, n;
	unsigned char c;

	forms_init(&f, p->token);
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
static char *
read_token(const char *path)
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

/* ---- libcurl ---------------------------------------------------------- */

int
push_global_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_warnx("push: libcurl cannot be initialised");
		return -1;
	}
	return 0;
}

void
push_global_cleanup(void)
{
	curl_global_cleanup();
}

static size_t
on_data(char *data, size_t size, size_t n, void *arg)
{
	struct push *p = arg;

	if (p->answer.len + n > ANSWER_MAX) {
		p->too_large = 1;
		return 0; /* curl aborts the transfer */
	}
	buf_add(&p->answer, data, n);
	return p->answer.oom ? 0 : n;
}

static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	const struct push *p = arg;

	return p->stop != NULL && *p->stop;
}

static int
add_header(struct push *p, const char *name, const char *value)
{
	struct curl_slist *l;
	struct buf h;

	buf_init(&h);
	buf_printf(&h, "%s: %s", name, value);
	l = buf_str(&h) != NULL ? curl_slist_append(p->headers, buf_str(&h)) : NULL;
	if (h.p != NULL)
		explicit_bzero(h.p, h.cap);
	buf_free(&h);
	if (l == NULL) {
		log_warnx("push: out of memory");
		return -1;
	}
	p->headers = l;
	return 0;
}

static int
set_headers(struct push *p)
{
	struct buf auth;
	int rc;

	buf_init(&auth);
	buf_printf(&auth, "%s %s", p->pc->auth_scheme, p->token);
	rc = buf_str(&auth) == NULL ? -1 : 0;
	if (rc == 0)
		rc = add_header(p, "Authorization", buf_str(&auth));
	if (auth.p != NULL)
		explicit_bzero(auth.p, auth.cap);
	buf_free(&auth);
	/* No "Expect: 100-continue": a round trip per batch for nothing. */
	if (rc == -1 || add_header(p, "Content-Type", "application/json") == -1 ||
	    add_header(p, "Accept", "application/json") == -1 || add_header(p, "Expect", "") == -1)
		return -1;
	return 0;
}

/* Options that are about safety are checked: never run without them. */
static int
setopt_checked(CURL *c, CURLoption opt, long v, const char *what)
{
	if (curl_easy_setopt(c, opt, v) != CURLE_OK) {
		log_warnx("push: libcurl refused %s", what);
		return -1;
	}
	return 0;
}

static int
setup_curl(struct push *p)
{
	CURL *c;

	c = curl_easy_init();
	if (c == NULL) {
		log_warnx("push: libcurl: no handle");
		return -1;
	}
	p->curl = c;
	if (set_headers(p) == -1)
		return -1;
	curl_easy_setopt(c, CURLOPT_URL, p->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, p->headers);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, p);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, p);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, p->errbuf);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "tinbao/0.1");
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	if (setopt_checked(c, CURLOPT_NOSIGNAL, 1L, "NOSIGNAL") == -1 ||
	    setopt_checked(c, CURLOPT_TIMEOUT_MS, p->pc->timeout_ms, "TIMEOUT_MS") == -1 ||
	    setopt_checked(c, CURLOPT_CONNECTTIMEOUT_MS, p->pc->connect_timeout_ms,
			   "CONNECTTIMEOUT_MS") == -1 ||
	    setopt_checked(c, CURLOPT_SSL_VERIFYPEER, 1L, "SSL_VERIFYPEER") == -1 ||
	    setopt_checked(c, CURLOPT_SSL_VERIFYHOST, 2L, "SSL_VERIFYHOST") == -1)
		return -1;
	if (curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK) {
		log_warnx("push: libcurl refused PROTOCOLS_STR");
		return -1;
	}
	if (p->pc->ca_file != NULL &&
	    curl_easy_setopt(c, CURLOPT_CAINFO, p->pc->ca_file) != CURLE_OK) {
		log_warnx("push: libcurl refused ca_file %s", p->pc->ca_file);
		return -1;
	}
	return 0;
}

/* ---- Setting up ------------------------------------------------------- */

static char *
concat(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 1;
	char *s;

	s = malloc(n);
	if (s == NULL) {
		log_warn("push: malloc");
		return NULL;
	}
	snprintf(s, n, "%s%s", a, b);
	return s;
}

/* The DHIS2 endpoint is under the server's base URL. */
static char *
make_url(const struct config_push *pc)
{
	size_t n = strlen(pc->url);
	char *base, *u;

	if (strcmp(pc->format, "dhis2") != 0)
		return concat(pc->url, "");
	base = strndup(pc->url, n > 0 && pc->url[n - 1] == '/' ? n - 1 : n);
	if (base == NULL) {
		log_warn("push: strndup");
		return NULL;
	}
	u = concat(base, DHIS2_PATH);
	free(base);
	return u;
}

/* Picks up the schedule where the last process left it. */
static int
load_state(struct push *p)
{
	int64_t now = time(NULL), wait_ms;

	if (store_push_state_get(p->st, &p->ps) == -1)
		return -1;
	p->next_ms = monotonic_ms();
	if (p->ps.next_attempt > now) {
		wait_ms = (p->ps.next_attempt - now) * 1000;
		/* A clock that jumped back must not stop the push for long. */
		if (wait_ms > p->pc->retry_max_ms)
			wait_ms = p->pc->retry_max_ms;
		p->next_ms += wait_ms;
	}
	return 0;
}

static int
alloc_batch(struct push *p)
{
	size_t n = (size_t)p->pc->batch;

	p->ids = calloc(n, sizeof(*p->ids));
	p->local = calloc(n, sizeof(*p->local));
	p->used = calloc(p->pc->ndata_elements + 1, 1);
	if (p->ids == NULL || p->local == NULL || p->used == NULL) {
		log_warn("push: calloc");
		return -1;
	}
	return 0;
}

int
push_new(const struct config *cfg, struct store *st, const volatile sig_atomic_t *stop,
	 struct push **out)
{
	struct push *p;

	*out = NULL;
	if (cfg->push.url == NULL)
		return 0;
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		log_warn("push: calloc");
		return -1;
	}
	p->cfg = cfg;
	p->pc = &cfg->push;
	p->st = st;
	p->stop = stop;
	p->dhis2 = strcmp(p->pc->format, "dhis2") == 0;
	p->limit = p->pc->batch;
	buf_init(&p->body);
	buf_init(&p->answer);
	rng_seed(p);
	p->token = read_token(p->pc->token_file);
	if (p->token == NULL)
		goto fail;
	p->url = make_url(p->pc);
	p->prefix = concat(p->pc->gateway_id, ":");
	if (p->url == NULL || p->prefix == NULL || alloc_batch(p) == -1 || setup_curl(p) == -1 ||
	    load_state(p) == -1)
		goto fail;
	log_debug("push: %s events to %s as %s, batches of %d", p->pc->format, p->url,
		  p->pc->gateway_id, p->pc->batch);
	*out = p;
	return 0;

fail:
	log_warnx("push: cannot start");
	push_free(p);
	return -1;
}

void
push_free(struct push *p)
{
	struct curl_slist *l;

	if (p == NULL)
		return;
	if (p->curl != NULL)
		curl_easy_cleanup(p->curl);
	for (l = p->headers; l != NULL; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(p->headers);
	if (p->token != NULL)
		explicit_bzero(p->token, TOKEN_MAX + 1);
	free(p->token);
	free(p->url);
	free(p->prefix);
	free(p->ids);
	free(p->local);
	free(p->used);
	buf_free(&p->body);
	buf_free(&p->answer);
	free(p);
}

/* ---- Collecting a batch ----------------------------------------------- */

static void
add_local(struct push *p, int64_t id, int park, const char *why)
{
	struct local *l;

	if (p->nlocal >= (size_t)p->pc->batch)
		return;
	l = &p->local[p->nlocal++];
	l->id = id;
	l->park = park;
	snprintf(l->why, sizeof(l->why), "%s", why);
}

static int
json_row(void *arg, const struct store_push_row *row)
{
	struct push *p = arg;

	if (row->event == NULL) {
		add_local(p, row->id, 1, "gateway: the stored payload is not valid JSON");
		return 0;
	}
	if (p->nids > 0)
		buf_puts(&p->body, ",");
	buf_puts(&p->body, row->event);
	p->ids[p->nids++] = row->id;
	return 0;
}

static const char *
org_unit(const struct config_push *pc, const char *commune)
{
	size_t i;

	for (i = 0; i < pc->norg_units; i++) {
		if (strcmp(pc->org_units[i].commune, commune) == 0)
			return pc->org_units[i].org_unit;
	}
	return NULL;
}

static int
element_is(const struct config_data_element *e, const char *kind, const char *trade)
{
	if (strcmp(e->kind, kind) != 0)
		return 0;
	if (e->trade == NULL || trade == NULL)
		return e->trade == trade;
	return strcmp(e->trade, trade) == 0;
}

/* Marks the data elements a report feeds; returns how many. */
static int
mark_elements(struct push *p, const struct store_push_row *row)
{
	const struct config_push *pc = p->pc;
	int labour = strcmp(row->kind, "labour") == 0, n = 0;
	size_t i;

	for (i = 0; i < pc->ndata_elements; i++) {
		if (element_is(&pc->data_elements[i], row->kind, row->trade_code) ||
		    (labour && element_is(&pc->data_elements[i], "trained", NULL))) {
			p->used[i] = 1;
			n++;
		}
	}
	return n;
}

static int
has_elements(const struct push *p, const struct store_push_row *row)
{
	const struct config_push *pc = p->pc;
	int labour = strcmp(row->kind, "labour") == 0;
	size_t i;

	for (i = 0; i < pc->ndata_elements; i++) {
		if (element_is(&pc->data_elements[i], row->kind, row->trade_code) ||
		    (labour && element_is(&pc->data_elements[i], "trained", NULL)))
			return 1;
	}
	return 0;
}

/* Decides an event that cannot go to DHIS2 locally; 1 when it did. */
static int
dhis2_local(struct push *p, const struct store_push_row *row)
{
	char why[160];

	if (row->event == NULL) {
		add_local(p, row->id, 1, "gateway: the stored payload is not valid JSON");
		return 1;
	}
	if (row->kind == NULL) {
		if (strncmp(row->type, "report.", 7) == 0)
			add_local(p, row->id, 1,
				  "gateway: the event's report is not in the database");
		else
			add_local(p, row->id, 0, NOT_FOR_DHIS2);
		return 1;
	}
	if (org_unit(p->pc, row->commune_code) == NULL) {
		snprintf(why, sizeof(why), "gateway: no DHIS2 org unit for commune %s",
			 row->commune_code);
		add_local(p, row->id, 1, why);
		return 1;
	}
	if (!has_elements(p, row)) {
		snprintf(why, sizeof(why), "gateway: no DHIS2 data element for %s %s", row->kind,
			 row->trade_code != NULL ? row->trade_code : "");
		add_local(p, row->id, 1, why);
		return 1;
	}
	return 0;
}

static int
dhis2_row(void *arg, const struct store_push_row *row)
{
	struct push *p = arg;

	if (dhis2_local(p, row))
		return 0;
	if (row->month == NULL || strlen(row->commune_code) >= sizeof(p->commune) ||
	    strlen(row->month) >= sizeof(p->month)) {
		add_local(p, row->id, 1, "gateway: the event's report has no usable month");
		return 0;
	}
	if (p->nids == 0) {
		snprintf(p->commune, sizeof(p->commune), "%s", row->commune_code);
		snprintf(p->month, sizeof(p->month), "%s", row->month);
		p->org_unit = org_unit(p->pc, row->commune_code);
	} else if (strcmp(p->commune, row->commune_code) != 0 ||
		   strcmp(p->month, row->month) != 0) {
		return 1; /* another body: the next batch */
	}
	mark_elements(p, row);
	p->ids[p->nids++] = row->id;
	return 0;
}

/* Applies the decisions taken without a request, in one transaction. */
static int
apply_local(struct push *p)
{
	int64_t now = time(NULL);
	size_t i;
	int r;

	if (p->nlocal == 0)
		return 0;
	if (store_begin(p->st) == -1)
		return -1;
	for (i = 0; i < p->nlocal; i++) {
		if (p->local[i].park)
			r = store_push_park(p->st, p->local[i].id, p->local[i].why);
		else
			r = store_push_done(p->st, p->local[i].id, now, p->local[i].why);
		if (r == -1)
			goto fail;
		if (p->local[i].park) {
			log_warnx("push: event %s%" PRId64 " parked: %s", p->prefix, p->local[i].id,
				  p->local[i].why);
			p->tally.parked++;
		}
	}
	if (store_commit(p->st) == -1)
		goto fail;
	return 0;

fail:
	store_rollback(p->st);
	return -1;
}

static int
dhis2_values(struct push *p)
{
	const struct config_push *pc = p->pc;
	const struct config_data_element *e;
	long count, trained;
	int first = 1;
	size_t i;

	for (i = 0; i < pc->ndata_elements; i++) {
		if (!p->used[i])
			continue;
		e = &pc->data_elements[i];
		if (store_push_cell(p->st, strcmp(e->kind, "trained") == 0 ? "labour" : e->kind,
				    p->commune, e->trade, p->month, &count, &trained) == -1)
			return -1;
		buf_puts(&p->body, first ? "{" : ",{");
		first = 0;
		json_key(&p->body, "dataElement", 1);
		json_str(&p->body, e->data_element);
		json_key(&p->body, "categoryOptionCombo", 0);
		json_str(&p->body, e->category_option_combo);
		json_key(&p->body, "value", 0);
		buf_printf(&p->body, "\"%ld\"}", strcmp(e->kind, "trained") == 0 ? trained : count);
	}
	return 0;
}

static int
dhis2_body(struct push *p)
{
	buf_puts(&p->body, "{");
	json_key(&p->body, "dataSet", 1);
	json_str(&p->body, p->pc->data_set);
	json_key(&p->body, "period", 0);
	json_str(&p->body, p->month);
	json_key(&p->body, "orgUnit", 0);
	json_str(&p->body, p->org_unit);
	json_key(&p->body, "dataValues", 0);
	buf_puts(&p->body, "[");
	if (dhis2_values(p) == -1)
		return -1;
	buf_puts(&p->body, "]}");
	return 0;
}

/*
 * Reads up to `limit` pending events into the body.  Returns the number of
 * events in the batch, 0 when there is none, -1 on error.  *decided is set
 * when events were parked or marked without a request.
 */
static int
collect(struct push *p, int *decided)
{
	int n;

	*decided = 0;
	p->nids = p->nlocal = 0;
	memset(p->used, 0, p->pc->ndata_elements + 1);
	buf_reset(&p->body);
	if (!p->dhis2) {
		buf_puts(&p->body, "{");
		json_key(&p->body, "gateway", 1);
		json_str(&p->body, p->pc->gateway_id);
		json_key(&p->body, "events", 0);
		buf_puts(&p->body, "[");
	}
	n = store_push_pending(p->st, p->pc->gateway_id, p->limit, p->dhis2 ? dhis2_row : json_row,
			       p);
	if (n == -1 || apply_local(p) == -1)
		return -1;
	*decided = p->nlocal > 0;
	if (p->nids == 0)
		return 0;
	if (p->dhis2) {
		if (dhis2_body(p) == -1)
			return -1;
	} else {
		buf_puts(&p->body, "]}");
	}
	if (buf_str(&p->body) == NULL) {
		log_warnx("push: out of memory");
		return -1;
	}
	return (int)p->nids;
}

/* ---- The request ------------------------------------------------------ */

/* 0 with the HTTP status in *code, or -1 when there was no answer (p->err
 * says why). */
static int
perform(struct push *p, long *code)
{
	curl_off_t ra = 0;
	CURLcode rc;

	buf_reset(&p->answer);
	p->errbuf[0] = '\0';
	p->too_large = 0;
	p->retry_after = 0;
	*code = 0;
	curl_easy_setopt(p->curl, CURLOPT_POSTFIELDS, buf_str(&p->body));
	curl_easy_setopt(p->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)p->body.len);
	rc = curl_easy_perform(p->curl);
	if (curl_easy_getinfo(p->curl, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0)
		p->retry_after = ra > 86400 ? 86400 : (long)ra;
	if (rc != CURLE_OK) {
		if (p->too_large)
			snprintf(p->err, sizeof(p->err), "answer longer than %d bytes", ANSWER_MAX);
		else if (rc == CURLE_ABORTED_BY_CALLBACK)
			snprintf(p->err, sizeof(p->err), "request abandoned: stopping");
		else
			snprintf(p->err, sizeof(p->err), "%s",
				 p->errbuf[0] != '\0' ? p->errbuf : curl_easy_strerror(rc));
		return -1;
	}
	curl_easy_getinfo(p->curl, CURLINFO_RESPONSE_CODE, code);
	if (buf_str(&p->answer) == NULL) {
		snprintf(p->err, sizeof(p->err), "out of memory reading the answer");
		return -1;
	}
	return 0;
}

/* 4xx that say nothing about the events: retrying later is right. */
static int
not_about_events(long code)
{
	switch (code) {
	case 401: /* FALLTHROUGH */
	case 403:
	case 404:
	case 405:
	case 407:
	case 408:
	case 421:
	case 425:
	case 429:
		return 1;
	}
	return 0;
}

static void
http_error(struct push *p, long code)
{
	char ex[EXCERPT_MAX + 8];

	excerpt(p, buf_str(&p->answer), ex, sizeof(ex));
	snprintf(p->err, sizeof(p->err), "HTTP %ld%s%.*s", code, ex[0] != '\0' ? ": " : "",
		 EXCERPT_MAX, ex);
}

static int
blank(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}

/* The JSON protocol: 2xx with {"accepted":[...]} or an empty body. */
static enum verdict
json_verdict(struct push *p, long code)
{
	const char *a = buf_str(&p->answer);
	char type[16];
	int r;

	if (code < 200 || code > 299) {
		http_error(p, code);
		if (code >= 400 && code <= 499 && !not_about_events(code))
			return V_CONTENT;
		return V_FAIL;
	}
	if (blank(a))
		return V_OK;
	r = store_json_valid(p->st, a);
	if (r == 1)
		r = store_json_get(p->st, a, "$.accepted", type, sizeof(type), NULL, 0);
	if (r == 1 && strcmp(type, "array") == 0)
		return V_OK;
	http_error(p, code);
	snprintf(p->err + strlen(p->err), sizeof(p->err) - strlen(p->err),
		 " (not an answer of the protocol)");
	return V_FAIL;
}

/*
 * DHIS2: the ImportSummary, at the top (older servers) or under "response"
 * (2.38 and later, which also answer 409 when there are conflicts).
 */
static enum verdict
dhis2_verdict(struct push *p, long code)
{
	const char *a = buf_str(&p->answer);
	char type[16], status[32], conflicts[8];
	const char *at = "$.response";
	char path[64];

	if ((code < 200 || code > 299) && code != 409)
		return json_verdict(p, code);
	if (store_json_valid(p->st, a) != 1)
		return json_verdict(p, code);
	if (store_json_get(p->st, a, "$.response.responseType", type, sizeof(type), status,
			   sizeof(status)) != 1 ||
	    strcmp(status, "ImportSummary") != 0)
		at = "$";
	snprintf(path, sizeof(path), "%s.status", at);
	if (store_json_get(p->st, a, path, type, sizeof(type), status, sizeof(status)) != 1 ||
	    strcmp(type, "text") != 0) {
		if (code == 409)
			return json_verdict(p, code);
		http_error(p, code);
		snprintf(p->err + strlen(p->err), sizeof(p->err) - strlen(p->err),
			 " (not an ImportSummary)");
		return V_FAIL;
	}
	snprintf(path, sizeof(path), "%s.conflicts[0]", at);
	if (store_json_get(p->st, a, path, type, sizeof(type), conflicts, sizeof(conflicts)) == -1)
		return V_FAIL;
	/* A 409 accepts nothing, whatever the summary says (found by the fuzzer:
	 * a 409 with a summary the server mangled marked the batch sent). */
	if (type[0] == '\0' && code != 409 &&
	    (strcmp(status, "SUCCESS") == 0 || strcmp(status, "WARNING") == 0))
		return V_OK;
	http_error(p, code);
	return V_CONTENT;
}

int
push_answer_verdict(struct store *st, int dhis2, long code, const char *answer, size_t len,
		    const char *token, char *err, size_t errsz)
{
	struct push *p = calloc(1, sizeof(*p));
	enum verdict v;
	int r = -1;

	if (p == NULL)
		return -1;
	p->st = st;
	p->dhis2 = dhis2;
	p->token = (char *)token;
	buf_init(&p->answer);
	buf_add(&p->answer, answer, len);
	if (buf_str(&p->answer) == NULL)
		goto fail;
	v = dhis2 ? dhis2_verdict(p, code) : json_verdict(p, code);
	r = v == V_OK ? PUSH_ANSWER_OK : v == V_CONTENT ? PUSH_ANSWER_CONTENT : PUSH_ANSWER_FAIL;
	if (errsz > 0)
		snprintf(err, errsz, "%s", p->err);
fail:
	buf_free(&p->answer);
	free(p);
	return r;
}

/* ---- Acting on the answer --------------------------------------------- */

static int
outgoing_field(struct push *p, const char *answer, int i, const char *field, char *val,
	       size_t valsz)
{
	char path[64], type[16];
	int r;

	snprintf(path, sizeof(path), "$.outgoing[%d].%s", i, field);
	r = store_json_get(p->st, answer, path, type, sizeof(type), val, valsz);
	if (r == 1 && strcmp(type, "text") != 0)
		return 0;
	return r;
}

/* Why the district's SMS number i cannot be sent, or NULL when it can. */
static const char *
outgoing_problem(struct push *p, const char *to, int to_ok, const char *text, int text_ok)
{
	if (!to_ok || !phone_replyable(to, p->cfg->own_number))
		return "not a phone number the gateway sends to";
	if (!text_ok || text[0] == '\0')
		return "no text";
	if (strlen(text) > OUTGOING_TEXT_MAX)
		return "text longer than 1000 bytes";
	if (!parser_utf8_valid(text, strlen(text)))
		return "text is not UTF-8";
	return NULL;
}

static int
refuse_outgoing(struct push *p, const char *id, const char *to, int to_ok, const char *why,
		int64_t now)
{
	struct buf b;
	int r;

	buf_init(&b);
	buf_puts(&b, "{");
	json_key(&b, "id", 1);
	json_str(&b, id);
	json_key(&b, "to", 0);
	if (to_ok)
		json_str(&b, to);
	else
		buf_puts(&b, "null");
	json_key(&b, "attempts", 0);
	buf_puts(&b, "0");
	json_key(&b, "error", 0);
	json_str(&b, why);
	buf_puts(&b, "}");
	r = buf_str(&b) == NULL ? -1 : store_push_outgoing_refuse(p->st, id, buf_str(&b), now);
	buf_free(&b);
	if (r == 1)
		log_warnx("push: district SMS %s to %s refused: %s", id, to_ok ? to : "?", why);
	return r;
}

static int
take_one(struct push *p, const char *answer, int i, int64_t now)
{
	char id[OUTGOING_ID_MAX + 2], to[40], text[OUTGOING_TEXT_MAX + 2];
	const char *why;
	int r, to_ok, text_ok;

	r = outgoing_field(p, answer, i, "id", id, sizeof(id));
	if (r == -1)
		return -1;
	if (r == 0 || id[0] == '\0' || strlen(id) > OUTGOING_ID_MAX) {
		log_warnx("push: district SMS number %d has no usable id; ignored", i);
		return 0;
	}
	to_ok = outgoing_field(p, answer, i, "to", to, sizeof(to));
	text_ok = outgoing_field(p, answer, i, "text", text, sizeof(text));
	if (to_ok == -1 || text_ok == -1)
		return -1;
	to_ok = to_ok == 1 && strlen(to) < sizeof(to) - 1;
	why = outgoing_problem(p, to, to_ok, text, text_ok == 1);
	if (why != NULL)
		return refuse_outgoing(p, id, to, to_ok, why, now) == -1 ? -1 : 0;
	r = store_push_outgoing_add(p->st, id, to, text, now);
	if (r == 1)
		log_info("push: district SMS %s to %s queued", id, to);
	return r == -1 ? -1 : 0;
}

/* Queues the SMS the district asked for (once per id). */
static int
take_outgoing(struct push *p, const char *answer, int64_t now)
{
	char type[16], path[32];
	int i, r;

	if (answer == NULL)
		return 0;
	r = store_json_get(p->st, answer, "$.outgoing", type, sizeof(type), NULL, 0);
	if (r != 1)
		return r;
	if (strcmp(type, "array") != 0) {
		log_warnx("push: the answer's \"outgoing\" is not an array; ignored");
		return 0;
	}
	for (i = 0; i < OUTGOING_MAX; i++) {
		snprintf(path, sizeof(path), "$.outgoing[%d]", i);
		r = store_json_get(p->st, answer, path, type, sizeof(type), NULL, 0);
		if (r != 1)
			return r;
		if (take_one(p, answer, i, now) == -1)
			return -1;
	}
	log_warnx("push: more than %d district SMS in one answer; the rest ignored", OUTGOING_MAX);
	return 0;
}

/* Marks the batch's accepted events; answer NULL: all of them. */
static int64_t
mark_accepted(struct push *p, const char *answer, int64_t now)
{
	int64_t n = 0;
	size_t i;
	int r;

	if (answer != NULL)
		return store_push_accept(p->st, p->prefix, p->ids[0], p->ids[p->nids - 1], answer,
					 now);
	for (i = 0; i < p->nids; i++) {
		r = store_push_done(p->st, p->ids[i], now, NULL);
		if (r == -1)
			return -1;
		n += r;
	}
	return n;
}

static int
save_state(struct push *p)
{
	if (store_push_state_put(p->st, &p->ps) == -1) {
		log_warnx("push: the push state could not be saved");
		return -1;
	}
	return 0;
}

/* The batch was accepted (all or part): one transaction. */
static enum outcome
accepted(struct push *p)
{
	const char *answer = buf_str(&p->answer);
	int64_t now = time(NULL), n;

	if (p->dhis2 || blank(answer))
		answer = NULL;
	crash_point("pushed");
	if (store_begin(p->st) == -1)
		return O_FAIL;
	n = mark_accepted(p, answer, now);
	if (n == -1 || (!p->dhis2 && take_outgoing(p, answer, now) == -1))
		goto fail;
	if (n == 0) {
		store_rollback(p->st);
		snprintf(p->err, sizeof(p->err), "the server accepted none of the %zu events",
			 p->nids);
		return O_FAIL;
	}
	p->ps.failures = 0;
	p->ps.next_attempt = 0;
	p->ps.last_attempt = p->ps.last_success = now;
	if (save_state(p) == -1 || store_commit(p->st) == -1)
		goto fail;
	p->tally.sent += n;
	p->tally.requests++;
	if (p->suspect != 0 && p->ids[p->nids - 1] >= p->suspect) {
		p->limit = p->pc->batch;
		p->suspect = 0;
	}
	log_debug("push: %" PRId64 " of %zu events accepted (%s%" PRId64 "..%" PRId64 ")", n,
		  p->nids, p->prefix, p->ids[0], p->ids[p->nids - 1]);
	return O_PROGRESS;

fail:
	store_rollback(p->st);
	snprintf(p->err, sizeof(p->err), "the answer could not be recorded");
	return O_FAIL;
}

/* A 4xx about the content: halve, or park the culprit once alone. */
static enum outcome
refused(struct push *p)
{
	p->tally.requests++;
	if (p->nids > 1) {
		p->limit = (int)(p->nids / 2);
		if (p->ids[p->nids - 1] > p->suspect)
			p->suspect = p->ids[p->nids - 1];
		log_info("push: %s for %zu events; trying %d at a time", p->err, p->nids, p->limit);
		return O_PROGRESS;
	}
	p->ps.last_attempt = p->ps.last_error_at = time(NULL);
	snprintf(p->ps.last_error, sizeof(p->ps.last_error),
		 "event %.64s%" PRId64 " parked: %.400s", p->prefix, p->ids[0], p->err);
	if (store_begin(p->st) == -1)
		return O_FAIL;
	if (store_push_park(p->st, p->ids[0], p->err) == -1 || save_state(p) == -1 ||
	    store_commit(p->st) == -1) {
		store_rollback(p->st);
		return O_FAIL;
	}
	log_warnx("push: event %s%" PRId64 " parked: %s", p->prefix, p->ids[0], p->err);
	p->tally.parked++;
	p->limit = p->pc->batch;
	p->suspect = 0;
	return O_PROGRESS;
}

static int64_t
backoff_ms(struct push *p)
{
	int64_t d = p->pc->retry_min_ms, cap = p->pc->retry_max_ms, ra;
	int i;

	for (i = 1; i < p->ps.failures && d < cap; i++)
		d *= 2;
	if (d > cap)
		d = cap;
	/* Equal jitter: between half and all of the step. */
	d = d / 2 + (int64_t)(rng_next(p) % (uint64_t)(d / 2 + 1));
	if (p->retry_after > 0) {
		ra = (int64_t)p->retry_after * 1000;
		if (ra > cap)
			ra = cap;
		if (ra > d)
			d = ra;
	}
	return d;
}

static enum outcome
failed(struct push *p)
{
	int64_t now = time(NULL), d;

	p->ps.failures++;
	d = backoff_ms(p);
	p->next_ms = monotonic_ms() + d;
	p->ps.next_attempt = now + (d + 999) / 1000;
	p->ps.last_attempt = p->ps.last_error_at = now;
	snprintf(p->ps.last_error, sizeof(p->ps.last_error), "%.480s", p->err);
	save_state(p);
	log_warnx("push: %s: %s; attempt %d failed, next in %" PRId64 " ms", p->pc->url, p->err,
		  p->ps.failures, d);
	return O_FAIL;
}

static enum outcome
attempt(struct push *p)
{
	enum verdict v;
	int n, decided;
	long code;

	p->err[0] = '\0';
	p->retry_after = 0;
	n = collect(p, &decided);
	if (n == -1) {
		snprintf(p->err, sizeof(p->err), "the queue could not be read");
		return failed(p);
	}
	if (n == 0)
		return decided ? O_PROGRESS : O_IDLE;
	if (perform(p, &code) == -1)
		return failed(p);
	v = p->dhis2 ? dhis2_verdict(p, code) : json_verdict(p, code);
	switch (v) {
	case V_OK:
		if (accepted(p) == O_PROGRESS)
			return O_PROGRESS;
		return failed(p);
	case V_CONTENT:
		if (refused(p) == O_PROGRESS)
			return O_PROGRESS;
		return failed(p);
	case V_FAIL:
		break;
	}
	return failed(p);
}

/* ---- gateway.status --------------------------------------------------- */

static int
status_payload(struct push *p, int64_t now, struct buf *b)
{
	struct store_push_stats s;
	char when[40];
	int64_t inbox, outbox;

	if (store_push_stats(p->st, &s) == -1)
		return -1;
	inbox = store_count(p->st, "inbox", NULL);
	outbox = store_count(p->st, "outbox", "queued");
	push_time(now, when, sizeof(when));
	buf_puts(b, "{");
	json_key(b, "version", 1);
	json_str(b, "0.1");
	json_key(b, "time", 0);
	json_str(b, when);
	json_key(b, "pending", 0);
	buf_printf(b, "%" PRId64, s.pending);
	json_key(b, "parked", 0);
	buf_printf(b, "%" PRId64, s.parked);
	json_key(b, "inbox", 0);
	buf_printf(b, "%" PRId64, inbox);
	json_key(b, "outbox_queued", 0);
	buf_printf(b, "%" PRId64, outbox);
	json_key(b, "push_failures", 0);
	buf_printf(b, "%d", p->ps.failures);
	buf_puts(b, "}");
	return buf_str(b) == NULL ? -1 : 0;
}

/* Queues a gateway.status event every status_interval seconds. */
static void
status_event(struct push *p)
{
	int64_t now = time(NULL);
	struct buf b;

	if (p->pc->status_interval == 0 ||
	    (p->ps.last_status != 0 && now - p->ps.last_status < p->pc->status_interval &&
	     now >= p->ps.last_status))
		return;
	buf_init(&b);
	if (status_payload(p, now, &b) == -1 || store_begin(p->st) == -1)
		goto fail;
	p->ps.last_status = now;
	if (store_push_add(p->st, "gateway.status", now, buf_str(&b)) == -1 ||
	    save_state(p) == -1 || store_commit(p->st) == -1) {
		store_rollback(p->st);
		goto fail;
	}
	buf_free(&b);
	return;

fail:
	log_warnx("push: the gateway.status event could not be queued");
	/* Not before the next interval: no storm of warnings. */
	p->ps.last_status = now;
	buf_free(&b);
}

/* ---- Entry points ----------------------------------------------------- */

int
push_step(struct push *p)
{
	int64_t now, wait;

	if (p == NULL)
		return -1;
	status_event(p);
	now = monotonic_ms();
	if (now < p->next_ms) {
		wait = p->next_ms - now;
		return wait > 86400000 ? 86400000 : (int)wait;
	}
	switch (attempt(p)) {
	case O_IDLE:
		return -1;
	case O_PROGRESS:
		return 0;
	case O_FAIL:
		break;
	}
	wait = p->next_ms - monotonic_ms();
	return wait < 0 ? 0 : (int)(wait > 86400000 ? 86400000 : wait);
}

int
push_run(struct push *p, struct push_report *r)
{
	struct store_push_stats s;
	enum outcome o = O_PROGRESS;
	int64_t bound, i;
	int rc = -1;

	memset(&p->tally, 0, sizeof(p->tally));
	if (store_push_stats(p->st, &s) == -1)
		goto done;
	/* Each step sends or parks at least one event, or halves the batch:
	 * never more steps than this. */
	bound = (s.pending + 2) * 16;
	for (i = 0; i < bound && o == O_PROGRESS; i++) {
		if (p->stop != NULL && *p->stop)
			break;
		o = attempt(p);
	}
	if (o == O_IDLE)
		rc = 0;
	else if (o == O_PROGRESS)
		log_warnx("push: stopped after %" PRId64 " requests with events still pending", i);
done:
	if (store_push_stats(p->st, &s) == 0)
		p->tally.pending = s.pending;
	if (r != NULL)
		*r = p->tally;
	return rc;
}
