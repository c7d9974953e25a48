/*
 * push.h - store-and-forward of the push_queue events to the district server.
 *
 * Every accepted report, every rejected message and every outcome of an SMS
 * the district asked for is an event in push_queue, written in the same
 * transaction as the change it describes.  The push sends them, oldest
 * first, in batches of up to `batch` events, over one connection kept
 * alive, and marks them sent only when the server has said it accepted
 * them.  The daemon's loop never waits for the server: a step starts a
 * request or lets the one under way go on (libcurl's multi interface), and
 * push_wait() waits on its sockets alongside the loop's other deadlines.  Event ids ("<gateway
 * id>:<sequence>") are never reused: after a crash a batch may be sent again, and the server drops
 * the repeats.  docs/push-protocol.md describes the protocol.
 *
 *  - Server down, 5xx, timeouts, refused or reset connections, DNS failure,
 *    an answer that is not what the protocol says: retry later, with an
 *    exponential backoff with jitter from retry_min_ms up to retry_max_ms,
 *    never earlier than a Retry-After asks.  The schedule and the last
 *    outcomes are kept in the database (push_state), for `tinbao status`
 *    and across restarts.
 *  - 4xx about the content (400, 409, 413, 422...): the batch is halved
 *    until the offending event is alone; it is then parked with the
 *    server's answer and the others carry on.  4xx that are not about the
 *    events (401, 403, 404, 405, 407, 408, 429) are retried like a 5xx:
 *    a wrong token must not park the whole queue.
 *  - DHIS2 (format "dhis2"): aggregate values to {url}/api/dataValueSets,
 *    see push_dhis2.c; the ImportSummary decides, conflicts park.
 *
 * TLS certificates are always verified; the token is read from a file only
 * its owner can read, and never logged.  libcurl is set up only for a
 * configuration with a push group.
 */
#ifndef TINBAO_PUSH_H
#define TINBAO_PUSH_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct store;
struct push;

/* libcurl and its global state.  push_new() opens libcurl-gnutls.so.4 and sets it
 * up the first time a configuration has a push group (push_global_init()
 * does it sooner, e.g. for a program that uses libcurl itself); without
 * the library it logs which package to install and fails, and so does
 * push_new().  push_global_cleanup(), once at the end of the process,
 * releases the global state, and does nothing when it was never set up. */
int push_global_init(void);
void push_global_cleanup(void);

/*
 * Prepares the push of cfg's push group over st.  Both must outlive the
 * push (which copies neither).  Returns 0 with *out set, or with *out NULL
 * when the configuration has no push group; -1 when the push cannot start
 * (token file readable by others, empty or missing; libcurl refused a
 * setting), after logging why.  When *stop becomes non-zero (a signal), a
 * request under way is abandoned like a lost connection (and recorded so).
 */
int push_new(const struct config *cfg, struct store *st, const volatile sig_atomic_t *stop,
	     struct push **out);
/* Accepts NULL.  A request under way is dropped, to be sent again by the
 * next push; when *stop is set, it counts as a failed attempt. */
void push_free(struct push *p);

/*
 * One step of the daemon's loop, which never waits for the server.  Without
 * a request under way: queues a gateway.status event when one is due, then,
 * when the backoff allows, collects a batch and starts its request.  With
 * one: lets it go on, and acts on the answer once it came (bounded by
 * timeout_ms).  Returns how many milliseconds the push wants to wait before
 * its next step: while a request is under way, until libcurl's next timer
 * (push_wait() returns sooner when the server answers); 0 when more events
 * are waiting; the backoff after a failure; -1 when the queue is empty (no
 * deadline).  p may be NULL (push off): -1.
 */
int push_step(struct push *p);

/* 1 while a request is under way, else 0 (p may be NULL). */
int push_busy(const struct push *p);

/*
 * Waits at most ms milliseconds for the request under way: returns 1 as soon
 * as it wants a step (the server wrote, a timer of libcurl's is due), 0 when
 * the time ran out or a signal came.  Without a request under way (or p
 * NULL) it sleeps ms with poll() and returns 0.  ms 0: a look, no wait.
 */
int push_wait(struct push *p, int ms);

/* Waits for the request under way to end and acts on its answer, as the
 * steps would (`run --once`: the pass ends with its request).  Bounded by
 * timeout_ms; the stop flag abandons it.  p may be NULL. */
void push_finish(struct push *p);

/* What push_run() did. */
struct push_report {
	int64_t sent;	  /* events the server accepted */
	int64_t parked;	  /* events parked with the server's answer */
	int64_t requests; /* requests answered by the server */
	int64_t pending;  /* events left pending */
};

/*
 * Pushes what is queued until nothing is pending (`tinbao push --once`),
 * without waiting for the backoff, one request at a time, each waited for;
 * stops at the first failure.  Returns 0
 * when the queue was drained, -1 when the server could not be reached or
 * did not accept (the failure is recorded like push_step's).  r may be NULL.
 */
int push_run(struct push *p, struct push_report *r);

/* "2022-05-01T08:30:00+07:00": a Unix time in Vietnam, RFC 3339. */
void push_time(int64_t t, char *buf, size_t bufsz);

/*
 * What the district server's answer (HTTP code, body of len bytes, which
 * may hold NUL bytes: the text stops there) says about a batch, as the push
 * decides it: PUSH_ANSWER_OK accepted, PUSH_ANSWER_CONTENT refused because
 * of an event (bisect, park), PUSH_ANSWER_FAIL retry later; -1 out of
 * memory.  dhis2: the DHIS2 ImportSummary, else the JSON protocol.  err
 * gets the reason kept with the events (an excerpt of the answer, with the
 * token, when it is not NULL, masked).  For the fuzzer and the tests.
 */
enum { PUSH_ANSWER_OK, PUSH_ANSWER_CONTENT, PUSH_ANSWER_FAIL };
int push_answer_verdict(struct store *st, int dhis2, long code, const char *answer, size_t len,
			const char *token, char *err, size_t errsz);

#endif
