/*
 * push_http.c - the push's transport: libcurl's multi interface, so that a
 * request under way never holds up the daemon's loop.  One easy handle is
 * set up once (headers, TLS verification, timeouts) and added to the multi
 * handle for each request; the multi handle's connection cache keeps the
 * connection to the server alive between batches.  See push_impl.h.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "dynlib.h"
#include "log.h"
#include "push_impl.h"

/*
 * libcurl's functions, from libcurl-gnutls.so.4 opened by the first push (the
 * binary is not linked with it: see dynlib.h).  <curl/curl.h> still gives
 * the types and constants; curl.easy_setopt() is curl_easy_setopt().
 */
static struct {
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *c, CURLoption opt, ...);
	CURLcode (*easy_getinfo)(CURL *c, CURLINFO info, ...);
	const char *(*easy_strerror)(CURLcode rc);
	void (*easy_cleanup)(CURL *c);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_add_handle)(CURLM *m, CURL *c);
	CURLMcode (*multi_remove_handle)(CURLM *m, CURL *c);
	CURLMcode (*multi_perform)(CURLM *m, int *running);
	CURLMsg *(*multi_info_read)(CURLM *m, int *left);
	CURLMcode (*multi_timeout)(CURLM *m, long *ms);
	CURLMcode (*multi_poll)(CURLM *m, struct curl_waitfd *fds, unsigned int nfds, int ms,
				int *n);
	const char *(*multi_strerror)(CURLMcode mc);
	CURLMcode (*multi_cleanup)(CURLM *m);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
} curl;

/* clang-format off */
#define SYM(f) {"curl_" #f, (void **)&curl.f}
static const struct dynlib_sym curl_syms[] = {
	SYM(global_init), SYM(global_cleanup),
	SYM(easy_init), SYM(easy_setopt), SYM(easy_getinfo), SYM(easy_strerror),
	SYM(easy_cleanup),
	SYM(multi_init), SYM(multi_add_handle), SYM(multi_remove_handle),
	SYM(multi_perform), SYM(multi_info_read), SYM(multi_timeout), SYM(multi_poll),
	SYM(multi_strerror), SYM(multi_cleanup),
	SYM(slist_append), SYM(slist_free_all),
};
#undef SYM
/* clang-format on */

/* libcurl's global state (the TLS library's above all): set up only by a
 * configuration with a push group. */
static int curl_ready;

int
push_global_init(void)
{
	if (curl_ready)
		return 0;
	if (dynlib_load("push", "libcurl-gnutls.so.4", "libcurl3-gnutls", curl_syms,
			sizeof(curl_syms) / sizeof(curl_syms[0])) == -1)
		return -1;
	if (curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_warnx("push: libcurl cannot be initialised");
		return -1;
	}
	curl_ready = 1;
	return 0;
}

void
push_global_cleanup(void)
{
	if (!curl_ready)
		return;
	curl.global_cleanup();
	curl_ready = 0;
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
	l = buf_str(&h) != NULL ? curl.slist_append(p->headers, buf_str(&h)) : NULL;
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
	if (curl.easy_setopt(c, opt, v) != CURLE_OK) {
		log_warnx("push: libcurl refused %s", what);
		return -1;
	}
	return 0;
}

/* The easy handle, set up once: every request of the push reuses it. */
static int
setup_easy(struct push *p)
{
	CURL *c;

	c = curl.easy_init();
	if (c == NULL) {
		log_warnx("push: libcurl: no handle");
		return -1;
	}
	p->curl = c;
	if (set_headers(p) == -1)
		return -1;
	curl.easy_setopt(c, CURLOPT_URL, p->url);
	curl.easy_setopt(c, CURLOPT_HTTPHEADER, p->headers);
	curl.easy_setopt(c, CURLOPT_POST, 1L);
	curl.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl.easy_setopt(c, CURLOPT_WRITEDATA, p);
	curl.easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl.easy_setopt(c, CURLOPT_XFERINFODATA, p);
	curl.easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl.easy_setopt(c, CURLOPT_ERRORBUFFER, p->errbuf);
	curl.easy_setopt(c, CURLOPT_USERAGENT, "tinbao/0.1");
	curl.easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	if (setopt_checked(c, CURLOPT_NOSIGNAL, 1L, "NOSIGNAL") == -1 ||
	    setopt_checked(c, CURLOPT_TIMEOUT_MS, p->pc->timeout_ms, "TIMEOUT_MS") == -1 ||
	    setopt_checked(c, CURLOPT_CONNECTTIMEOUT_MS, p->pc->connect_timeout_ms,
			   "CONNECTTIMEOUT_MS") == -1 ||
	    setopt_checked(c, CURLOPT_SSL_VERIFYPEER, 1L, "SSL_VERIFYPEER") == -1 ||
	    setopt_checked(c, CURLOPT_SSL_VERIFYHOST, 2L, "SSL_VERIFYHOST") == -1)
		return -1;
	if (curl.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK) {
		log_warnx("push: libcurl refused PROTOCOLS_STR");
		return -1;
	}
	if (p->pc->ca_file != NULL &&
	    curl.easy_setopt(c, CURLOPT_CAINFO, p->pc->ca_file) != CURLE_OK) {
		log_warnx("push: libcurl refused ca_file %s", p->pc->ca_file);
		return -1;
	}
	return 0;
}

int
push_http_new(struct push *p)
{
	if (push_global_init() == -1 || setup_easy(p) == -1)
		return -1;
	p->multi = curl.multi_init();
	if (p->multi == NULL) {
		log_warnx("push: libcurl: no multi handle");
		return -1;
	}
	return 0;
}

void
push_http_free(struct push *p)
{
	struct curl_slist *l;

	push_http_abandon(p);
	if (p->multi != NULL)
		curl.multi_cleanup(p->multi);
	if (p->curl != NULL)
		curl.easy_cleanup(p->curl);
	for (l = p->headers; l != NULL; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	if (p->headers != NULL) /* none when libcurl could not be loaded */
		curl.slist_free_all(p->headers);
	p->multi = NULL;
	p->curl = NULL;
	p->headers = NULL;
}

int
push_http_start(struct push *p)
{
	CURLMcode mc;

	buf_reset(&p->answer);
	p->errbuf[0] = '\0';
	p->too_large = 0;
	p->retry_after = 0;
	curl.easy_setopt(p->curl, CURLOPT_POSTFIELDS, buf_str(&p->body));
	curl.easy_setopt(p->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)p->body.len);
	mc = curl.multi_add_handle(p->multi, p->curl);
	if (mc != CURLM_OK) {
		snprintf(p->err, sizeof(p->err), "libcurl: %s", curl.multi_strerror(mc));
		return -1;
	}
	p->busy = 1;
	return 0;
}

void
push_http_abandon(struct push *p)
{
	if (!p->busy)
		return;
	curl.multi_remove_handle(p->multi, p->curl);
	p->busy = 0;
}

/* The end of a request: 0 with the HTTP status in *code, or -1 when there
 * was no answer (p->err says why). */
static int
ended(struct push *p, CURLcode rc, long *code)
{
	curl_off_t ra = 0;

	*code = 0;
	if (curl.easy_getinfo(p->curl, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0)
		p->retry_after = ra > 86400 ? 86400 : (long)ra;
	if (rc != CURLE_OK) {
		if (p->too_large)
			snprintf(p->err, sizeof(p->err), "answer longer than %d bytes", ANSWER_MAX);
		else if (rc == CURLE_ABORTED_BY_CALLBACK)
			snprintf(p->err, sizeof(p->err), "request abandoned: stopping");
		else
			snprintf(p->err, sizeof(p->err), "%s",
				 p->errbuf[0] != '\0' ? p->errbuf : curl.easy_strerror(rc));
		return -1;
	}
	curl.easy_getinfo(p->curl, CURLINFO_RESPONSE_CODE, code);
	if (buf_str(&p->answer) == NULL) {
		snprintf(p->err, sizeof(p->err), "out of memory reading the answer");
		return -1;
	}
	return 0;
}

int
push_http_advance(struct push *p, long *code)
{
	CURLMcode mc;
	CURLcode rc = CURLE_OK;
	CURLMsg *m;
	int running, left, done = 0;

	mc = curl.multi_perform(p->multi, &running);
	if (mc != CURLM_OK) {
		snprintf(p->err, sizeof(p->err), "libcurl: %s", curl.multi_strerror(mc));
		push_http_abandon(p);
		return -1;
	}
	for (m = curl.multi_info_read(p->multi, &left); m != NULL;
	     m = curl.multi_info_read(p->multi, &left)) {
		if (m->msg == CURLMSG_DONE && m->easy_handle == p->curl) {
			rc = m->data.result;
			done = 1;
		}
	}
	if (!done)
		return 1;
	push_http_abandon(p); /* out of the multi handle, ready for the next */
	return ended(p, rc, code);
}

int
push_http_timeout(struct push *p)
{
	long t = -1;

	if (curl.multi_timeout(p->multi, &t) != CURLM_OK || t < 0)
		return 1000; /* no timer of libcurl's: the sockets will say */
	return t > WAIT_MAX_MS ? WAIT_MAX_MS : (int)t;
}

int
push_wait(struct push *p, int ms)
{
	long t = -1;
	int n = 0;

	if (ms < 0)
		ms = 0;
	if (p == NULL || !p->busy) {
		if (ms > 0 && poll(NULL, 0, ms) == -1 && errno != EINTR)
			log_warn("poll");
		return 0;
	}
	/* Returns early on the request's sockets, on libcurl's next timer and
	 * on a signal (EINTR ends the wait). */
	if (curl.multi_poll(p->multi, NULL, 0, ms, &n) != CURLM_OK) {
		log_warnx("push: libcurl cannot wait for the request");
		return 1;
	}
	if (n > 0)
		return 1;
	return curl.multi_timeout(p->multi, &t) == CURLM_OK && t == 0;
}
