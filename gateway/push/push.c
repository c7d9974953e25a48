/*
 * push.c - see push.h: the step machine.
 *
 * One attempt = collect a batch from push_queue, one POST, then act on the
 * answer in one transaction: mark what was accepted, queue the SMS the
 * district asked for, record the outcome in push_state.  Nothing is marked
 * before the server answered, so a crash at any point leaves the batch
 * pending, to be sent again.  The POST goes through libcurl's multi
 * interface (push_http.c): the daemon's steps start it, advance it and act
 * on its answer, and never wait for the server.
 *
 * Bisection: a 4xx about the content halves the batch size (`limit`) and
 * remembers the last id of the batch that failed (`suspect`).  The next
 * attempts send the first half, then the rest; the limit comes back to
 * `batch` once the suspect range is past or its culprit was parked.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "crash.h"
#include "log.h"
#include "push_impl.h"

#define VN_UTC_OFFSET (7 * 3600)

enum outcome {
	O_IDLE,	    /* nothing pending */
	O_PROGRESS, /* something was sent, parked or bisected: go on */
	O_FAIL,	    /* retry after the backoff */
	O_BUSY,	    /* a request is under way */
};

static void abandon(struct push *);

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
	p->token = push_read_token(p->pc->token_file);
	if (p->token == NULL)
		goto fail;
	p->url = make_url(p->pc);
	p->prefix = concat(p->pc->gateway_id, ":");
	if (p->url == NULL || p->prefix == NULL || alloc_batch(p) == -1 || push_http_new(p) == -1 ||
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
	if (p == NULL)
		return;
	/* Stopped by a signal with a request under way: recorded as a failed
	 * attempt, as when the signal comes while push_run() waits. */
	if (p->busy && p->stop != NULL && *p->stop)
		abandon(p);
	push_http_free(p);
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

void
push_add_local(struct push *p, int64_t id, int park, const char *why)
{
	struct local *l;

	if (p->nlocal >= (size_t)p->pc->batch)
		return;
	l = &p->local[p->nlocal++];
	l->id = id;
	l->park = park;
	snprintf(l->why, sizeof(l->why), "%s", why);
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
	if (!p->dhis2)
		push_json_begin(p);
	n = store_push_pending(p->st, p->pc->gateway_id, p->limit,
			       p->dhis2 ? push_dhis2_row : push_json_row, p);
	if (n == -1 || apply_local(p) == -1)
		return -1;
	*decided = p->nlocal > 0;
	if (p->nids == 0)
		return 0;
	if (p->dhis2) {
		if (push_dhis2_body(p) == -1)
			return -1;
	} else {
		push_json_end(p);
	}
	if (buf_str(&p->body) == NULL) {
		log_warnx("push: out of memory");
		return -1;
	}
	return (int)p->nids;
}

static enum verdict
verdict(struct push *p, long code)
{
	return p->dhis2 ? push_dhis2_verdict(p, code) : push_json_verdict(p, code);
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
	v = verdict(p, code);
	r = v == V_OK ? PUSH_ANSWER_OK : v == V_CONTENT ? PUSH_ANSWER_CONTENT : PUSH_ANSWER_FAIL;
	if (errsz > 0)
		snprintf(err, errsz, "%s", p->err);
fail:
	buf_free(&p->answer);
	free(p);
	return r;
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

	if (p->dhis2 || push_blank(answer))
		answer = NULL;
	crash_point("pushed");
	if (store_begin(p->st) == -1)
		return O_FAIL;
	n = mark_accepted(p, answer, now);
	if (n == -1 || (!p->dhis2 && push_take_outgoing(p, answer, now) == -1))
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

/* Acts on the answer to the request that ended. */
static enum outcome
answered(struct push *p, long code)
{
	switch (verdict(p, code)) {
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

/* Lets the request under way go on, without waiting; its outcome once it
 * ended, O_BUSY until then. */
static enum outcome
advance(struct push *p)
{
	long code;

	switch (push_http_advance(p, &code)) {
	case 1:
		return O_BUSY;
	case 0:
		return answered(p, code);
	}
	return failed(p);
}

/* Collects a batch and starts its request (or decides the batch without
 * one). */
static enum outcome
begin(struct push *p)
{
	int n, decided;

	p->err[0] = '\0';
	p->retry_after = 0;
	n = collect(p, &decided);
	if (n == -1) {
		snprintf(p->err, sizeof(p->err), "the queue could not be read");
		return failed(p);
	}
	if (n == 0)
		return decided ? O_PROGRESS : O_IDLE;
	if (push_http_start(p) == -1)
		return failed(p);
	return advance(p);
}

/* A request under way given up because of the stop flag: a failed
 * attempt, like a lost connection. */
static void
abandon(struct push *p)
{
	push_http_abandon(p);
	snprintf(p->err, sizeof(p->err), "request abandoned: stopping");
	failed(p);
}

/* Waits for the request under way to end (bounded by timeout_ms) and acts
 * on it: push_run() and push_finish(), which have nothing else to do. */
static enum outcome
settle(struct push *p, enum outcome o)
{
	while (o == O_BUSY) {
		if (p->stop != NULL && *p->stop) {
			abandon(p);
			return O_FAIL;
		}
		push_wait(p, push_http_timeout(p));
		o = advance(p);
	}
	return o;
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

static int
clamp_wait(int64_t ms)
{
	if (ms < 0)
		return 0;
	return ms > WAIT_MAX_MS ? WAIT_MAX_MS : (int)ms;
}

int
push_step(struct push *p)
{
	int64_t now;
	enum outcome o;

	if (p == NULL)
		return -1;
	if (p->busy) {
		o = advance(p);
	} else {
		status_event(p);
		now = monotonic_ms();
		if (now < p->next_ms)
			return clamp_wait(p->next_ms - now);
		o = begin(p);
	}
	switch (o) {
	case O_IDLE:
		return -1;
	case O_PROGRESS:
		return 0;
	case O_BUSY:
		return push_http_timeout(p);
	case O_FAIL:
		break;
	}
	return clamp_wait(p->next_ms - monotonic_ms());
}

int
push_busy(const struct push *p)
{
	return p != NULL && p->busy;
}

void
push_finish(struct push *p)
{
	if (p != NULL && p->busy)
		settle(p, O_BUSY);
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
	/* Each attempt sends or parks at least one event, or halves the
	 * batch: never more attempts than this. */
	bound = (s.pending + 2) * 16;
	for (i = 0; i < bound && o == O_PROGRESS; i++) {
		if (p->stop != NULL && *p->stop)
			break;
		o = settle(p, p->busy ? O_BUSY : begin(p));
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
