/*
 * push_impl.h - what the push's files share (gateway/push*.c): the state of
 * a push and the steps each file provides.  Not for callers of push.h.
 *
 *   push.c        the step machine: queue -> batch -> request -> verdict ->
 *                 mark, park or back off; push_state; push.h's entry points
 *   push_json.c   the JSON protocol: the batch's events, the verdict, the
 *                 SMS the district asks for
 *   push_dhis2.c  the DHIS2 format: data values, the ImportSummary
 *   push_http.c   libcurl: the request under way on a multi handle, TLS,
 *                 headers, timeouts
 *   push_token.c  the token: read from its file, masked in server text
 */
#ifndef TINBAO_PUSH_IMPL_H
#define TINBAO_PUSH_IMPL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "json.h"
#include "push.h"
#include "store.h"

struct config;
struct config_push;

#define TOKEN_MAX 4096
#define ANSWER_MAX (1024 * 1024) /* bytes of an answer we read */
#define EXCERPT_MAX 400		 /* bytes of an answer kept with a parked event */
#define DHIS2_PATH "/api/dataValueSets?idScheme=CODE"
#define WAIT_MAX_MS 86400000 /* the longest wait a step asks for: a day */

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
	CURLM *multi; /* its connection cache keeps the connection alive */
	struct curl_slist *headers;
	char errbuf[CURL_ERROR_SIZE];
	int too_large;
	int busy; /* the easy handle is in the multi: a request under way */

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

/* push.c: an event of the batch decided without a request. */
void push_add_local(struct push *p, int64_t id, int park, const char *why);

/* push_json.c */
void push_json_begin(struct push *p); /* the body up to the events */
int push_json_row(void *arg, const struct store_push_row *row);
void push_json_end(struct push *p);
enum verdict push_json_verdict(struct push *p, long code);
/* Queues the SMS the district asked for in answer (once per id); 0 or -1. */
int push_take_outgoing(struct push *p, const char *answer, int64_t now);
/* p->err: "HTTP <code>: <excerpt of the answer>". */
void push_answer_error(struct push *p, long code);
int push_blank(const char *s);

/* push_dhis2.c */
int push_dhis2_row(void *arg, const struct store_push_row *row);
int push_dhis2_body(struct push *p); /* 0 or -1 */
enum verdict push_dhis2_verdict(struct push *p, long code);

/*
 * push_http.c.  push_http_new() sets up p->curl and p->multi (and, the
 * first time, opens libcurl and sets up its global state: push.h);
 * push_http_free() releases them, abandoning a request under way.
 * push_http_start() adds the request for p->body to
 * the multi handle (0, or -1 with p->err); push_http_advance() lets libcurl
 * work without waiting: 1 while the request is under way, 0 with the HTTP
 * status in *code once answered (p->answer, p->retry_after), -1 when there
 * was no answer (p->err says why).  push_http_timeout(): milliseconds until
 * libcurl wants push_http_advance() even without news from the server.
 */
int push_http_new(struct push *p);
void push_http_free(struct push *p);
int push_http_start(struct push *p);
int push_http_advance(struct push *p, long *code);
void push_http_abandon(struct push *p);
int push_http_timeout(struct push *p);

/* push_token.c.  The token from a file only its owner can read (TOKEN_MAX
 * + 1 bytes, to be cleared before free), or NULL after logging why. */
char *push_read_token(const char *path);
/* An excerpt of server text for the database and the log: control
 * characters as spaces, the token (in any form a server may give it back
 * in) as "[token]", no UTF-8 character cut. */
void push_excerpt(const char *token, const char *text, char *out, size_t outsz);

#endif
