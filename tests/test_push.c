/*
 * test_push.c - the push to the district server, against a real
 * HTTP server on 127.0.0.1: tests/district_server.py, started for each test
 * on port 0, told over its control port to misbehave (500, 503 with
 * Retry-After, hang past the timeout, reset mid-answer, a poison event, not
 * listening), and asked afterwards what it received.  The push module runs
 * in this process on a real SQLite file, or as the ./tinbao binary (kill -9,
 * crash points, the CLI).  Every wait is bounded.
 *
 * Run from the root of the repository.  `test_push --bench N` is the
 * benchmark of `make bench`: N queued events pushed, events/s and batches.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <sqlite3.h>

#include "config.h"
#include "dynlib.h"
#include "fixture.h"
#include "json.h"
#include "log.h"
#include "push.h"
#include "store.h"

#define GW "hl"
#define TINBAO "./tinbao"
#define TEMPLATE "contrib/tinbao.conf"
#define SERVER "tests/district_server.py"
#define TLS_CERT "tests/fixtures/config/push-tls.pem"
#define TLS_KEY "tests/fixtures/config/push-tls.key"
#define FIX "tests/fixtures/config/"
#define TOKEN "tok-3f9a2c7e51b8d4"
#define DRAIN_MS 30000 /* no drain may take longer */
#define RUN_S 30       /* nor any run of the binary */
/* A host name glibc refuses without asking any DNS server (a label over 63
 * bytes): a DNS failure that stays on this machine. */
#define NO_HOST "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.invalid"

struct server {
	pid_t pid;
	int api;
	int ctl;
};

struct env {
	struct fixture fx;
	char *base;	 /* the configuration without a push group */
	char token[160]; /* path of the token file */
	struct server srv;
	struct config *cfg;
	struct store *st;
	struct push *push;
};

/* ---- Small helpers ---------------------------------------------------- */

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static char *
read_file(const char *path)
{
	struct buf b;
	char chunk[4096];
	size_t n;
	FILE *f;

	f = fopen(path, "r");
	if (f == NULL)
		return NULL;
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	if (buf_str(&b) == NULL)
		return NULL;
	return b.p != NULL ? b.p : strdup("");
}

static void
write_text(const char *path, const char *text, mode_t mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd != -1);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

/* An integer from the database, through a connection of its own. */
static int64_t
db_int(const char *path, const char *sql)
{
	int err;
	int64_t v = fixture_db_int(path, sql, &err);

	if (v == -1 && !err)
		fprintf(stderr, "db_int: %s: no row\n", sql);
	return v;
}

/* Text from the database (malloc'd, "" when NULL). */
static char *
db_text(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	const unsigned char *t;
	char *v = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW) {
		t = sqlite3_column_text(s, 0);
		v = strdup(t != NULL ? (const char *)t : "");
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	assert_non_null(v);
	return v;
}

/* The whole standard output of a command (malloc'd) and its status. */
static char *
capture(const char *cmd, int *status)
{
	struct buf b;
	char chunk[4096];
	size_t n;
	FILE *f;
	int rc;

	f = popen(cmd, "r");
	assert_non_null(f);
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	rc = pclose(f);
	*status = WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
	assert_non_null(buf_str(&b));
	return b.p != NULL ? b.p : strdup("");
}

static pid_t spawn(struct env *, const char *, const char *);

/* ---- The district server ---------------------------------------------- */

/* Starts the server and reads its ports (bounded). */
static void
server_start(struct server *s, const char *token, int tls)
{
	char line[64];
	struct pollfd pfd;
	size_t len = 0;
	ssize_t n;
	int fd[2], devnull;

	assert_int_equal(pipe(fd), 0);
	s->pid = fork();
	assert_true(s->pid != -1);
	if (s->pid == 0) {
		dup2(fd[1], STDOUT_FILENO);
		close(fd[0]);
		close(fd[1]);
		devnull = open("/dev/null", O_WRONLY);
		if (getenv("TEST_VERBOSE") == NULL && devnull != -1)
			dup2(devnull, STDERR_FILENO);
		if (tls)
			execlp("python3", "python3", SERVER, token, GW, TLS_CERT, TLS_KEY,
			       (char *)NULL);
		else
			execlp("python3", "python3", SERVER, token, GW, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	pfd.fd = fd[0];
	pfd.events = POLLIN;
	while (len < sizeof(line) - 1 && memchr(line, '\n', len) == NULL) {
		assert_int_equal(poll(&pfd, 1, 10000), 1);
		n = read(fd[0], line + len, sizeof(line) - 1 - len);
		assert_true(n > 0);
		len += (size_t)n;
	}
	line[len] = '\0';
	close(fd[0]);
	assert_int_equal(sscanf(line, "PORT %d %d", &s->api, &s->ctl), 2);
}

static void
server_stop(struct server *s)
{
	int i, status;

	if (s->pid <= 0)
		return;
	kill(s->pid, SIGTERM);
	for (i = 0; i < 200; i++) {
		if (waitpid(s->pid, &status, WNOHANG) == s->pid)
			break;
		sleep_ms(10);
	}
	if (i == 200) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, &status, 0);
	}
	s->pid = 0;
}

static size_t
on_body(char *data, size_t size, size_t n, void *arg)
{
	buf_add(arg, data, n);
	return n;
}

/* A request to the control port; the answer (malloc'd). */
static char *
ctl_request(struct env *e, const char *path, const char *json)
{
	char url[128];
	struct buf b;
	long code = 0;
	CURL *c;

	buf_init(&b);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", e->srv.ctl, path);
	c = curl_easy_init();
	assert_non_null(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
	if (json != NULL)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	assert_int_equal(code, 200);
	assert_non_null(buf_str(&b));
	return b.p != NULL ? b.p : strdup("");
}

static void
ctl(struct env *e, const char *path, const char *json)
{
	free(ctl_request(e, path, json));
}

/* One counter of GET /stats. */
static int64_t
stat_of(struct env *e, const char *key)
{
	char *text = ctl_request(e, "/stats", NULL), *line, *save = NULL;
	char k[64];
	long long v;
	int64_t r = -1;

	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%63s %lld", k, &v) == 2 && strcmp(k, key) == 0)
			r = v;
	}
	free(text);
	return r;
}

/* Waits until the server has seen n faults: the push's request is there. */
static void
wait_faults(struct env *e, int64_t n)
{
	int64_t start = now_ms();

	while (stat_of(e, "faults") < n) {
		if (now_ms() - start > 10000)
			fail_msg("the push did not reach the server within 10 s");
		sleep_ms(20);
	}
}

/* What the server received: ids in first-arrival order, with counts. */
struct arrivals {
	int64_t *id;
	int *count;
	size_t n;
};

static void
arrivals_read(struct env *e, struct arrivals *a)
{
	char *text = ctl_request(e, "/log", NULL), *line, *save = NULL;
	long long id;
	size_t cap = 1024;
	int count;

	a->n = 0;
	a->id = malloc(cap * sizeof(*a->id));
	a->count = malloc(cap * sizeof(*a->count));
	assert_true(a->id != NULL && a->count != NULL);
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		assert_int_equal(sscanf(line, GW ":%lld %d", &id, &count), 2);
		if (a->n == cap) {
			cap *= 2;
			a->id = realloc(a->id, cap * sizeof(*a->id));
			a->count = realloc(a->count, cap * sizeof(*a->count));
			assert_true(a->id != NULL && a->count != NULL);
		}
		a->id[a->n] = id;
		a->count[a->n++] = count;
	}
	free(text);
}

static void
arrivals_free(struct arrivals *a)
{
	free(a->id);
	free(a->count);
}

/*
 * Events 1..n arrived exactly once each and in order, except `parked` (0:
 * none), which did not arrive, and ids up to `repeats_upto`, which may have
 * arrived twice (a crash).  Returns the number of repeats.
 */
static int
check_arrivals(struct env *e, int64_t n, int64_t parked, int64_t repeats_upto)
{
	struct arrivals a;
	int64_t want = 1;
	int repeats = 0;
	size_t i;

	arrivals_read(e, &a);
	for (i = 0; i < a.n; i++) {
		if (want == parked)
			want++;
		if (a.id[i] != want)
			fail_msg("arrival %zu is %s:%" PRId64 ", expected %s:%" PRId64, i, GW,
				 a.id[i], GW, want);
		if (a.count[i] != 1 && !(a.count[i] == 2 && a.id[i] <= repeats_upto))
			fail_msg("%s:%" PRId64 " arrived %d times", GW, a.id[i], a.count[i]);
		repeats += a.count[i] - 1;
		want++;
	}
	if (want == parked)
		want++;
	assert_int_equal(want, n + 1);
	assert_int_equal(a.n, (size_t)(parked != 0 ? n - 1 : n));
	arrivals_free(&a);
	return repeats;
}

/* ---- The gateway's side ----------------------------------------------- */

/* Settings of the tests' push group, unless extra sets them. */
static const char *const push_defaults[] = {
    "\ttimeout_ms = 300;\n",   "\tconnect_timeout_ms = 300;\n", "\tretry_min_ms = 20;\n",
    "\tretry_max_ms = 200;\n", "\tstatus_interval = 0;\n",
};

static void
write_conf(struct env *e, const char *url, const char *extra)
{
	char u[512], key[64];
	struct buf b;
	size_t i;
	FILE *f;

	if (url == NULL) {
		snprintf(u, sizeof(u), "http://127.0.0.1:%d/events", e->srv.api);
		url = u;
	}
	if (extra == NULL)
		extra = "";
	buf_init(&b);
	buf_printf(&b,
		   "%s\npush = {\n\turl = \"%s\";\n\tgateway_id = \"" GW "\";\n"
		   "\ttoken_file = \"%s\";\n%s",
		   e->base, url, e->token, extra);
	for (i = 0; i < sizeof(push_defaults) / sizeof(push_defaults[0]); i++) {
		snprintf(key, sizeof(key), "%.*s", (int)strcspn(push_defaults[i], "="),
			 push_defaults[i]);
		if (strstr(extra, key) == NULL)
			buf_puts(&b, push_defaults[i]);
	}
	buf_puts(&b, "};\n");
	f = fopen(e->fx.conf, "w");
	assert_non_null(f);
	assert_non_null(buf_str(&b));
	fputs(buf_str(&b), f);
	fclose(f);
	buf_free(&b);
}

static void
env_close(struct env *e)
{
	push_free(e->push);
	store_close(e->st);
	config_free(e->cfg);
	e->push = NULL;
	e->st = NULL;
	e->cfg = NULL;
}

/* Loads the configuration and opens the store and the push. */
static void
env_open(struct env *e)
{
	struct config_diags d = {NULL, 0};
	size_t i;

	env_close(e);
	e->cfg = config_load(e->fx.conf, &d);
	for (i = 0; i < d.n; i++)
		fprintf(stderr, "%s:%d: %s\n", d.v[i].file, d.v[i].line, d.v[i].msg);
	config_diags_free(&d);
	assert_non_null(e->cfg);
	e->st = store_open(e->cfg->database, 0);
	assert_non_null(e->st);
	assert_int_equal(push_new(e->cfg, e->st, NULL, &e->push), 0);
	assert_non_null(e->push);
}

static int
setup(void **state)
{
	struct env *e;

	e = calloc(1, sizeof(*e));
	if (e == NULL || fixture_setup(&e->fx, TINBAO, TEMPLATE) == -1)
		return -1;
	e->base = read_file(e->fx.conf);
	if (e->base == NULL)
		return -1;
	snprintf(e->token, sizeof(e->token), "%s/push.token", e->fx.dir);
	write_text(e->token, TOKEN "\n", 0600);
	server_start(&e->srv, e->token, 0);
	write_conf(e, NULL, NULL);
	*state = e;
	return 0;
}

static int
teardown(void **state)
{
	struct env *e = *state;

	env_close(e);
	server_stop(&e->srv);
	fixture_teardown(&e->fx);
	free(e->base);
	free(e);
	return 0;
}

/* Queues n events as the gateway writes them: reports, and every seventh
 * a rejection. */
static void
queue(struct env *e, int n)
{
	char payload[512];
	int i;

	assert_int_equal(store_begin(e->st), 0);
	for (i = 1; i <= n; i++) {
		if (i % 7 == 0) {
			snprintf(payload, sizeof(payload),
				 "{\"inbox_id\":%d,\"error\":\"unknown_commune\",\"sender\":"
				 "\"+84912000001\",\"text\":\"ENROL xa Minh Sonn %d han\"}",
				 i, i);
			assert_int_equal(
			    store_push_add(e->st, "message.rejected", 1651370400 + i, payload), 0);
			continue;
		}
		snprintf(payload, sizeof(payload),
			 "{\"ref\":%d,\"kind\":\"enrol\",\"commune_code\":\"06448\",\"commune\":"
			 "\"Minh Sơn\",\"trade_code\":\"HAN\",\"trade\":\"Hàn điện\",\"count\":%d,"
			 "\"period\":\"2022-H1\",\"sender\":\"+84912000001\",\"text\":\"ENROL xa "
			 "Minh Son %d han\"}",
			 i, i % 50 + 1, i % 50 + 1);
		assert_int_equal(store_push_add(e->st, "report.created", 1651370400 + i, payload),
				 0);
	}
	assert_int_equal(store_commit(e->st), 0);
}

static int64_t
pending(struct env *e)
{
	return store_count(e->st, "push_queue", "pending");
}

/* Runs push_step() like the daemon's loop until the queue is empty. */
static void
drain(struct env *e)
{
	int64_t start = now_ms();
	int w;

	for (;;) {
		w = push_step(e->push);
		if (w == -1 && pending(e) == 0)
			return;
		if (now_ms() - start > DRAIN_MS)
			fail_msg("the queue did not drain in %d ms (%" PRId64 " pending)", DRAIN_MS,
				 pending(e));
		if (w > 0)
			push_wait(e->push, w < 20 ? w : 20);
	}
}

/* One step and, when it started a request, the steps that follow it to its
 * end, as the daemon's loop makes them: a whole attempt, bounded.  What the
 * last step returned. */
static int
step(struct env *e)
{
	int64_t start = now_ms();
	int w = push_step(e->push);

	while (push_busy(e->push)) {
		if (now_ms() - start > DRAIN_MS)
			fail_msg("the request did not end in %d ms", DRAIN_MS);
		push_wait(e->push, w < 1000 ? w : 1000);
		w = push_step(e->push);
	}
	return w;
}

static struct store_push_state
state_of(struct env *e)
{
	struct store_push_state ps;

	assert_int_equal(store_push_state_get(e->st, &ps), 0);
	return ps;
}

/* ---- Delivery --------------------------------------------------------- */

static void
test_batches_keepalive(void **state)
{
	struct env *e = *state;
	struct store_push_state ps;
	char *dump;

	env_open(e);
	queue(e, 450);
	drain(e);
	assert_int_equal(check_arrivals(e, 450, 0, 0), 0);
	/* Oldest first in batches of 200, over one connection. */
	assert_int_equal(stat_of(e, "requests"), 3);
	assert_int_equal(stat_of(e, "max_batch"), 200);
	assert_int_equal(stat_of(e, "connections"), 1);
	assert_int_equal(store_count(e->st, "push_queue", "sent"), 450);
	ps = state_of(e);
	assert_true(ps.last_success > 0);
	assert_int_equal(ps.failures, 0);
	/* The body as the protocol says (the server checked the rest). */
	dump = ctl_request(e, "/dump", NULL);
	assert_non_null(strstr(dump, "{\"id\": \"hl:1\", \"type\": \"report.created\", \"at\": "
				     "\"2022-05-01T09:00:01+07:00\", \"data\": {\"ref\": 1, "
				     "\"kind\": \"enrol\", \"commune_code\": \"06448\", "
				     "\"commune\": \"Minh Sơn\", \"trade_code\": \"HAN\""));
	assert_non_null(strstr(dump, "\"id\": \"hl:7\", \"type\": \"message.rejected\""));
	free(dump);
	/* Nothing left: an idle step makes no request. */
	assert_int_equal(step(e), -1);
	assert_int_equal(stat_of(e, "requests"), 3);
}

static void
test_empty_answer_accepts_all(void **state)
{
	struct env *e = *state;

	ctl(e, "/fault", "{\"kind\": \"empty\"}");
	env_open(e);
	queue(e, 30);
	drain(e);
	assert_int_equal(check_arrivals(e, 30, 0, 0), 0);
	assert_int_equal(store_count(e->st, "push_queue", "sent"), 30);
}

/* ---- Faults ----------------------------------------------------------- */

static void
test_fault_500(void **state)
{
	struct env *e = *state;
	struct store_push_state ps;

	ctl(e, "/fault", "{\"kind\": \"500\", \"count\": 3}");
	env_open(e);
	queue(e, 250);
	assert_true(step(e) >= 0);
	ps = state_of(e);
	assert_int_equal(ps.failures, 1);
	assert_non_null(strstr(ps.last_error, "HTTP 500"));
	assert_true(ps.next_attempt > 0);
	drain(e);
	assert_int_equal(check_arrivals(e, 250, 0, 0), 0);
	assert_int_equal(stat_of(e, "faults"), 3);
	ps = state_of(e);
	assert_int_equal(ps.failures, 0);
	assert_true(ps.last_error_at > 0); /* the last error is kept for `status` */
}

static void
test_fault_503_retry_after(void **state)
{
	struct env *e = *state;
	int64_t start;
	int w;

	write_conf(e, NULL, "\tretry_max_ms = 5000;\n");
	ctl(e, "/fault", "{\"kind\": \"503\", \"count\": 1, \"retry_after\": 1}");
	env_open(e);
	queue(e, 20);
	start = now_ms();
	w = step(e);
	/* Retry-After: 1 wins over a 20 ms backoff. */
	assert_in_range(w, 900, 1000);
	while (now_ms() - start < 700) {
		assert_true(step(e) > 0);
		sleep_ms(20);
	}
	assert_int_equal(stat_of(e, "requests"), 1);
	drain(e);
	assert_true(now_ms() - start >= 950);
	assert_int_equal(check_arrivals(e, 20, 0, 0), 0);
	assert_int_equal(stat_of(e, "requests"), 2);
}

static void
test_fault_hang(void **state)
{
	struct env *e = *state;
	struct store_push_state ps;
	int64_t start;

	ctl(e, "/fault", "{\"kind\": \"hang\", \"hang\": 3, \"count\": 2}");
	env_open(e);
	queue(e, 60);
	/* One step is one bounded request: the timeout, not the server. */
	start = now_ms();
	assert_true(step(e) >= 0);
	assert_true(now_ms() - start < 1500);
	ps = state_of(e);
	assert_non_null(strstr(ps.last_error, "imed out"));
	drain(e);
	assert_int_equal(check_arrivals(e, 60, 0, 0), 0);
}

/*
 * A step never waits for the server: with a server that takes the request
 * and never answers, push_step() returns at once with the request under
 * way, and the waits between steps are waits, not a spin.  The stop flag
 * abandons the request and records it as a failed attempt.
 */
static void
test_step_returns_at_once(void **state)
{
	static volatile sig_atomic_t stop;
	struct env *e = *state;
	struct store_push_state ps;
	struct push *p = NULL;
	int64_t start;
	int w, steps;

	write_conf(e, NULL, "\ttimeout_ms = 20000;\n");
	ctl(e, "/fault", "{\"kind\": \"hang\", \"hang\": 30}");
	env_open(e);
	queue(e, 60);
	stop = 0;
	assert_int_equal(push_new(e->cfg, e->st, &stop, &p), 0);
	start = now_ms();
	w = push_step(p);
	assert_true(now_ms() - start < 200);
	assert_true(w >= 0);
	assert_int_equal(push_busy(p), 1);
	/* A second of the daemon's loop on the push alone: few wake-ups. */
	for (steps = 0; now_ms() - start < 1000; steps++) {
		push_wait(p, w < 200 ? w : 200);
		w = push_step(p);
		assert_true(w >= 0);
		assert_int_equal(push_busy(p), 1);
	}
	assert_true(steps < 50);
	assert_true(stat_of(e, "faults") >= 1);
	assert_int_equal(state_of(e).failures, 0);
	assert_int_equal(pending(e), 60);
	/* A signal: the request is abandoned like a lost connection. */
	stop = 1;
	start = now_ms();
	push_finish(p);
	assert_true(now_ms() - start < 500);
	assert_int_equal(push_busy(p), 0);
	ps = state_of(e);
	assert_int_equal(ps.failures, 1);
	assert_non_null(strstr(ps.last_error, "request abandoned: stopping"));
	assert_int_equal(pending(e), 60);
	push_free(p);
}

static void
test_fault_reset(void **state)
{
	struct env *e = *state;
	struct store_push_state ps;

	ctl(e, "/fault", "{\"kind\": \"reset\", \"count\": 2}");
	env_open(e);
	queue(e, 300);
	assert_true(step(e) >= 0);
	ps = state_of(e);
	assert_int_equal(ps.failures, 1);
	assert_int_equal(pending(e), 300);
	drain(e);
	assert_int_equal(check_arrivals(e, 300, 0, 0), 0);
	assert_int_equal(stat_of(e, "faults"), 2);
}

static void
test_fault_garbage_2xx(void **state)
{
	struct env *e = *state;
	struct store_push_state ps;

	/* A captive portal's page is not "all accepted". */
	ctl(e, "/fault", "{\"kind\": \"garbage\", \"count\": 1}");
	env_open(e);
	queue(e, 10);
	assert_true(step(e) >= 0);
	assert_int_equal(pending(e), 10);
	ps = state_of(e);
	assert_non_null(strstr(ps.last_error, "not an answer of the protocol"));
	drain(e);
	assert_int_equal(check_arrivals(e, 10, 0, 0), 0);
}

static void
test_poison_parked(void **state)
{
	struct env *e = *state;
	char cmd[512], *out;
	int status;

	ctl(e, "/fault", "{\"kind\": \"poison\", \"poison\": \"hl:237\"}");
	env_open(e);
	queue(e, 450);
	drain(e);
	assert_int_equal(check_arrivals(e, 450, 237, 0), 0);
	assert_int_equal(store_count(e->st, "push_queue", "parked"), 1);
	out =
	    db_text(e->fx.db, "SELECT answer FROM push_queue WHERE state = 'parked' AND id = 237");
	assert_non_null(strstr(out, "HTTP 400"));
	assert_non_null(strstr(out, "event hl:237: commune unknown to the district"));
	free(out);
	/* Bisection: a handful of requests, not one per event. */
	assert_true(stat_of(e, "requests") < 30);

	snprintf(cmd, sizeof(cmd), TINBAO " -c %s push --failed 2>/dev/null", e->fx.conf);
	out = capture(cmd, &status);
	assert_int_equal(status, 0);
	assert_non_null(strstr(out, "hl:237\treport.created\t2022-05-01T09:03:57+07:00\tHTTP 400"));
	assert_non_null(strstr(out, "1 parked event\n"));
	free(out);

	/* Fixed on the server's side: --retry, and it goes. */
	ctl(e, "/fault", "{\"kind\": \"ok\"}");
	snprintf(cmd, sizeof(cmd), TINBAO " -c %s push --retry hl:999 2>/dev/null", e->fx.conf);
	free(capture(cmd, &status));
	assert_int_equal(status, 1);
	snprintf(cmd, sizeof(cmd), TINBAO " -c %s push --retry hl:237", e->fx.conf);
	free(capture(cmd, &status));
	assert_int_equal(status, 0);
	assert_int_equal(fixture_run(&e->fx, NULL, 0, RUN_S, NULL, "push", "--once", NULL), 0);
	assert_int_equal(db_int(e->fx.db, "SELECT count(*) FROM push_queue WHERE state <> 'sent'"),
			 0);
	out = ctl_request(e, "/log", NULL);
	assert_non_null(strstr(out, "hl:450 1\nhl:237 1\n"));
	free(out);
}

static void
test_two_poisons_auth_4xx_not_parked(void **state)
{
	struct env *e = *state;
	struct store_push_state ps;

	/* A 401 is about the gateway, not an event: nothing is parked. */
	write_text(e->token, "wrong-token\n", 0600);
	env_open(e);
	queue(e, 40);
	assert_true(step(e) >= 0);
	assert_int_equal(pending(e), 40);
	assert_int_equal(store_count(e->st, "push_queue", "parked"), 0);
	ps = state_of(e);
	assert_non_null(strstr(ps.last_error, "HTTP 401"));
	/* Then two bad events in one batch: both parked, the rest arrive. */
	write_text(e->token, TOKEN "\n", 0600);
	env_open(e);
	ctl(e, "/fault", "{\"kind\": \"poison\", \"poison\": [\"hl:3\", \"hl:38\"]}");
	drain(e);
	assert_int_equal(store_count(e->st, "push_queue", "parked"), 2);
	assert_int_equal(db_int(e->fx.db, "SELECT group_concat(id, '') FROM push_queue WHERE "
					  "state = 'parked'"),
			 338);
	assert_int_equal(stat_of(e, "events"), 38);
	assert_int_equal(stat_of(e, "repeats"), 0);
}

static void
test_outage_10000(void **state)
{
	struct env *e = *state;
	struct store_push_state ps;
	int i;

	/* The server is gone (connection refused) for a long time... */
	ctl(e, "/stop", "{}");
	env_open(e);
	queue(e, 10000);
	for (i = 0; i < 6; i++) {
		assert_true(step(e) >= 0);
		sleep_ms(210); /* past the 200 ms cap */
	}
	ps = state_of(e);
	assert_int_equal(ps.failures, 6);
	assert_non_null(strstr(ps.last_error, "onnect"));
	assert_int_equal(pending(e), 10000);
	/* ...and comes back. */
	ctl(e, "/start", "{}");
	drain(e);
	assert_int_equal(check_arrivals(e, 10000, 0, 0), 0);
	assert_int_equal(stat_of(e, "requests"), 50);
	assert_int_equal(state_of(e).failures, 0);
}

static void
test_stop_listening_midway(void **state)
{
	struct env *e = *state;
	int i;

	env_open(e);
	queue(e, 600);
	assert_int_equal(step(e), 0); /* one batch */
	ctl(e, "/stop", "{}");	      /* keep-alive connection dropped too */
	for (i = 0; i < 3; i++) {
		assert_true(step(e) >= 0);
		sleep_ms(210);
	}
	assert_int_equal(pending(e), 400);
	ctl(e, "/start", "{}");
	drain(e);
	assert_int_equal(check_arrivals(e, 600, 0, 0), 0);
}

static void
test_dns_failure(void **state)
{
	struct env *e = *state;
	struct store_push_state ps;

	write_conf(e, "https://" NO_HOST "/events", NULL);
	env_open(e);
	queue(e, 5);
	assert_true(step(e) >= 0);
	ps = state_of(e);
	assert_int_equal(ps.failures, 1);
	assert_non_null(strstr(ps.last_error, "resolve"));
	assert_int_equal(fixture_run(&e->fx, NULL, 0, RUN_S, NULL, "push", "--once", NULL), 1);
	/* The right address again: everything goes (at once, not after the
	 * backoff). */
	write_conf(e, NULL, NULL);
	assert_int_equal(fixture_run(&e->fx, NULL, 0, RUN_S, NULL, "push", "--once", "--now", NULL),
			 0);
	assert_int_equal(check_arrivals(e, 5, 0, 0), 0);
}

/* push --once after failed attempts waits for the backoff, as the daemon
 * does (a cron job must not hammer a server that is down), unless --now. */
static void
test_push_once_backoff(void **state)
{
	struct env *e = *state;
	int64_t before;

	write_conf(e, NULL, "\tretry_min_ms = 600000;\n\tretry_max_ms = 600000;\n");
	ctl(e, "/fault", "{\"kind\": \"500\", \"count\": 1}");
	env_open(e);
	queue(e, 5);
	assert_true(step(e) > 0);
	assert_int_equal(state_of(e).failures, 1);
	env_close(e);
	before = stat_of(e, "requests");
	assert_int_equal(fixture_run(&e->fx, NULL, 0, RUN_S, NULL, "push", "--once", NULL), 1);
	assert_int_equal(stat_of(e, "requests"), before);
	assert_int_equal(
	    db_int(e->fx.db, "SELECT count(*) FROM push_queue WHERE state = 'pending'"), 5);
	assert_int_equal(fixture_run(&e->fx, NULL, 0, RUN_S, NULL, "push", "--once", "--now", NULL),
			 0);
	assert_int_equal(check_arrivals(e, 5, 0, 0), 0);
}

/* ---- Crashes ---------------------------------------------------------- */

static void
test_kill9_during_push(void **state)
{
	struct env *e = *state;
	int repeats, status;
	pid_t pid;

	env_open(e);
	queue(e, 450);
	env_close(e);
	/* The server takes the first batch, then hangs before answering. */
	write_conf(e, NULL, "\ttimeout_ms = 10000;\n");
	ctl(e, "/fault", "{\"kind\": \"hang\", \"hang\": 5, \"record\": true, \"count\": 1}");
	pid = spawn(e, "push", "--once");
	wait_faults(e, 1);
	sleep_ms(100);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_int_equal(
	    db_int(e->fx.db, "SELECT count(*) FROM push_queue WHERE state = 'pending'"), 450);
	assert_int_equal(fixture_run(&e->fx, NULL, 0, RUN_S, NULL, "push", "--once", NULL), 0);
	/* Nothing lost; repeats only of the batch in flight. */
	repeats = check_arrivals(e, 450, 0, 200);
	assert_int_equal(repeats, 200);
	assert_int_equal(db_int(e->fx.db, "SELECT count(*) FROM push_queue WHERE state = 'sent'"),
			 450);
}

static void
test_crash_before_commit(void **state)
{
	struct env *e = *state;

	env_open(e);
	queue(e, 450);
	env_close(e);
	/* The second batch was accepted, the process dies before recording it. */
	assert_int_equal(fixture_run(&e->fx, "pushed:2", 0, RUN_S, NULL, "push", "--once", NULL),
			 128 + SIGKILL);
	assert_int_equal(db_int(e->fx.db, "SELECT count(*) FROM push_queue WHERE state = 'sent'"),
			 200);
	assert_int_equal(fixture_run(&e->fx, NULL, 0, RUN_S, NULL, "push", "--once", NULL), 0);
	assert_int_equal(check_arrivals(e, 450, 0, 400), 200);
}

/* ---- The district's SMS ----------------------------------------------- */

static void
test_outgoing_sms(void **state)
{
	struct env *e = *state;
	char *dump;

	ctl(e, "/outgoing",
	    "[{\"id\": \"d1\", \"to\": \"+84912000009\", \"text\": \"Họp lúc 8h "
	    "sáng mai tại UBND huyện\"}, {\"id\": \"d2\", \"to\": \"Viettel\", "
	    "\"text\": \"x\"}, {\"to\": \"+84912000009\"}, 42]");
	env_open(e);
	queue(e, 3);
	drain(e);
	/* d1 queued once, d2 refused (sms.failed queued and pushed). */
	assert_int_equal(db_int(e->fx.db, "SELECT count(*) FROM outbox WHERE reason = 'district'"),
			 1);
	assert_int_equal(db_int(e->fx.db, "SELECT count(*) FROM push_outgoing"), 2);
	queue(e, 2);
	drain(e);
	assert_int_equal(db_int(e->fx.db, "SELECT count(*) FROM outbox WHERE reason = 'district'"),
			 1);
	env_close(e);
	/* The gateway sends it; its outcome becomes an sms.sent event. */
	ctl(e, "/outgoing", "[]");
	assert_int_equal(fixture_run(&e->fx, NULL, 0, RUN_S, NULL, "run", "--once", NULL), 0);
	assert_int_equal(db_int(e->fx.db, "SELECT count(*) FROM outbox WHERE reason = 'district' "
					  "AND state = 'sent'"),
			 1);
	assert_int_equal(fixture_run(&e->fx, NULL, 0, RUN_S, NULL, "push", "--once", NULL), 0);
	dump = ctl_request(e, "/dump", NULL);
	assert_non_null(strstr(dump, "\"type\": \"sms.failed\", \"at\""));
	assert_non_null(strstr(dump, "\"id\": \"d2\", \"to\": \"Viettel\", \"attempts\": 0, "
				     "\"error\": \"not a phone number the gateway sends to\""));
	assert_non_null(strstr(dump, "\"type\": \"sms.sent\""));
	assert_non_null(strstr(dump, "\"data\": {\"id\": \"d1\", \"to\": \"+84912000009\", "
				     "\"attempts\": 1, \"error\": null}"));
	free(dump);
	assert_int_equal(check_arrivals(e, 7, 0, 0), 0);
}

/* ---- Secrets and TLS -------------------------------------------------- */

static void
test_token_file_refused(void **state)
{
	struct env *e = *state;
	struct config *cfg;
	struct store *st;
	struct push *p = NULL;
	char cmd[512], *out;
	int status;

	write_text(e->token, TOKEN "\n", 0640);
	cfg = config_load(e->fx.conf, NULL);
	assert_null(cfg); /* check-config says it too */
	assert_int_equal(fixture_run(&e->fx, NULL, 0, RUN_S, NULL, "run", "--once", NULL), 1);
	assert_int_equal(fixture_run(&e->fx, NULL, 0, RUN_S, NULL, "push", "--once", NULL), 1);
	snprintf(cmd, sizeof(cmd), TINBAO " -c %s check-config 2>&1", e->fx.conf);
	out = capture(cmd, &status);
	assert_int_equal(status, 1);
	assert_non_null(strstr(out, "can be read or written by others (mode 640); chmod 600 it"));
	free(out);

	/* Made unsafe after the configuration was read: push_new refuses too. */
	write_text(e->token, TOKEN "\n", 0600);
	cfg = config_load(e->fx.conf, NULL);
	assert_non_null(cfg);
	st = store_open(cfg->database, 0);
	assert_non_null(st);
	chmod(e->token, 0604);
	assert_int_equal(push_new(cfg, st, NULL, &p), -1);
	assert_null(p);
	write_text(e->token, "\n", 0600);
	assert_int_equal(push_new(cfg, st, NULL, &p), -1);
	write_text(e->token, "two words\n", 0600);
	assert_int_equal(push_new(cfg, st, NULL, &p), -1);
	unlink(e->token);
	assert_int_equal(push_new(cfg, st, NULL, &p), -1);
	store_close(st);
	config_free(cfg);
}

static void
test_token_never_logged(void **state)
{
	struct env *e = *state;
	char logpath[160], *log, *answer;
	int saved, fd;

	/* A server that echoes the Authorization header in its errors. */
	ctl(e, "/fault", "{\"kind\": \"poison\", \"poison\": \"hl:2\", \"echo_auth\": true}");
	env_open(e);
	queue(e, 3);
	snprintf(logpath, sizeof(logpath), "%s/stderr.log", e->fx.dir);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(saved != -1 && fd != -1);
	dup2(fd, STDERR_FILENO);
	close(fd);
	log_setlevel(LOG_LEVEL_DEBUG);
	drain(e);
	log_setlevel(LOG_LEVEL_WARN);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);

	log = read_file(logpath);
	assert_non_null(log);
	assert_non_null(strstr(log, "parked"));
	assert_null(strstr(log, TOKEN));
	free(log);
	answer = db_text(e->fx.db, "SELECT answer FROM push_queue WHERE id = 2");
	assert_non_null(strstr(answer, "Bearer [token]"));
	assert_null(strstr(answer, TOKEN));
	free(answer);
	answer = db_text(e->fx.db, "SELECT last_error FROM push_state");
	assert_null(strstr(answer, TOKEN));
	free(answer);
}

/*
 * The token in every form a server can give it back in: raw, JSON-escaped
 * (a token may hold \ and "), with \uXXXX or \/, URL-encoded, inside the
 * base64 of "Bearer <token>" (standard and base64url), and what Basic
 * credentials decode to.  None of it reaches the error that is stored and
 * logged.
 */
static void
test_token_forms_masked(void **state)
{
	static const struct {
		const char *token, *answer, *leak;
	} cases[] = {
	    {"Tok\\en\"Xyz-91c4", "{\"error\":\"bad: Tok\\\\en\\\"Xyz-91c4\"}", "Xyz-91c4"},
	    {"Tok\\en\"Xyz-91c4", "{\"e\":\"Tok\\u005cen\\u0022Xyz-91c4\"}", "Xyz-91c4"},
	    {"a/b+c=d-77f2e9", "{\"e\":\"a\\/b+c=d-77f2e9\"}", "c=d-77f2e9"},
	    {"Tok\\en\"Xyz/91c4", "auth=Tok%5Cen%22Xyz%2f91c4&x=1", "Xyz"},
	    {"Tok\\en\"Xyz-91c4", "auth=Tok%5cen%22Xyz-91c4", "Xyz-91c4"},
	    /* base64("Bearer tok-3f9a2c7e51b8d4") */
	    {"tok-3f9a2c7e51b8d4", "seen QmVhcmVyIHRvay0zZjlhMmM3ZTUxYjhkNA== here",
	     "0zZjlhMmM3ZTUxYjhk"},
	    /* base64("Basic Tok\en\"Xyz?>91c4"), the last two in base64url */
	    {"Tok\\en\"Xyz?>91c4", "seen QmFzaWMgVG9rXGVuIlh5ej8-OTFjNA", "VG9rXGVuIlh5ej8"},
	    /* Basic credentials, and what they decode to (user:pa"ss\word) */
	    {"dXNlcjpwYSJzc1x3b3Jk", "{\"user\":\"user:pa\\\"ss\\\\word\"}", "ss\\\\word"},
	};
	char err[1024];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		push_answer_verdict(NULL, 0, 401, cases[i].answer, strlen(cases[i].answer),
				    cases[i].token, err, sizeof(err));
		if (strstr(err, cases[i].leak) != NULL || strstr(err, "[token]") == NULL)
			fail_msg("case %zu: \"%s\" answered with \"%s\"", i, cases[i].answer, err);
	}
}

/* End to end: a token with \ and ", echoed JSON-escaped by the server. */
static void
test_token_escaped_never_stored(void **state)
{
	struct env *e = *state;
	char *answer;

	server_stop(&e->srv);
	write_text(e->token, "Tok\\en\"Xyz-3f9a2c7e\n", 0600);
	server_start(&e->srv, e->token, 0);
	write_conf(e, NULL, NULL);
	ctl(e, "/fault", "{\"kind\": \"poison\", \"poison\": \"hl:2\", \"echo_auth\": true}");
	env_open(e);
	queue(e, 3);
	drain(e);
	answer = db_text(e->fx.db, "SELECT answer FROM push_queue WHERE id = 2");
	assert_non_null(strstr(answer, "Bearer [token]"));
	assert_null(strstr(answer, "Xyz-3f9a2c7e"));
	free(answer);
	answer = db_text(e->fx.db, "SELECT last_error FROM push_state");
	assert_null(strstr(answer, "Xyz-3f9a2c7e"));
	free(answer);
}

static void
test_tls_verified(void **state)
{
	struct env *e = *state;
	char url[128], extra[1024], cwd[512];
	struct store_push_state ps;

	server_stop(&e->srv);
	server_start(&e->srv, e->token, 1);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/events", e->srv.api);
	/* A certificate nobody vouches for is refused... (handshakes are slow
	 * under valgrind: longer timeouts) */
	write_conf(e, url, "\ttimeout_ms = 5000;\n\tconnect_timeout_ms = 5000;\n");
	env_open(e);
	queue(e, 5);
	assert_true(step(e) >= 0);
	ps = state_of(e);
	assert_non_null(strstr(ps.last_error, "certificate"));
	assert_int_equal(pending(e), 5);
	/* ...unless the configured CA file does. */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(extra, sizeof(extra),
		 "\tca_file = \"%s/" TLS_CERT "\";\n\ttimeout_ms = 5000;\n"
		 "\tconnect_timeout_ms = 5000;\n",
		 cwd);
	write_conf(e, url, extra);
	env_open(e);
	drain(e);
	assert_int_equal(check_arrivals(e, 5, 0, 0), 0);
}

/* ---- The daemon and the CLI ------------------------------------------- */

/* Starts `tinbao -c conf cmd [arg]` in the background. */
static pid_t
spawn(struct env *e, const char *cmd, const char *arg)
{
	int devnull;
	pid_t pid;

	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		devnull = open("/dev/null", O_WRONLY);
		if (getenv("TEST_VERBOSE") == NULL && devnull != -1)
			dup2(devnull, STDERR_FILENO);
		unsetenv("TINBAO_CRASH");
		execl(TINBAO, TINBAO, "-c", e->fx.conf, cmd, arg, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static pid_t
spawn_run(struct env *e)
{
	return spawn(e, "run", NULL);
}

/* SIGTERM, and the exit status within a bound. */
static int
stop_run(pid_t pid, int bound_ms)
{
	int status, waited;

	kill(pid, SIGTERM);
	for (waited = 0; waited < bound_ms; waited += 10) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		sleep_ms(10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

/* The daemon with the push's first request (the start's gateway.status
 * event) under way, and the server doing `fault` to it. */
static pid_t
spawn_run_faulty(struct env *e, const char *fault, const char *poll_interval)
{
	pid_t pid;

	write_conf(e, NULL, "\ttimeout_ms = 20000;\n\tstatus_interval = 3600;\n");
	assert_int_equal(fixture_conf_set(&e->fx, "poll_interval", poll_interval), 0);
	ctl(e, "/fault", fault);
	pid = spawn_run(e);
	wait_faults(e, 1);
	return pid;
}

static void
test_daemon_replies_while_server_hangs(void **state)
{
	struct env *e = *state;
	int64_t start;
	pid_t pid;

	write_conf(e, NULL, "\ttimeout_ms = 1000;\n\tstatus_interval = 3600;\n");
	ctl(e, "/fault", "{\"kind\": \"hang\", \"hang\": 30}");
	pid = spawn_run(e);
	sleep_ms(300);
	assert_int_equal(fixture_run(&e->fx, NULL, 0, RUN_S, NULL, "inject", "--from",
				     "+84912000001", "ENROL xa Minh Son 35 han", NULL),
			 0);
	/* The reply goes out although every push hangs until its timeout. */
	start = now_ms();
	while (db_int(e->fx.db, "SELECT count(*) FROM outbox WHERE state = 'sent'") != 1) {
		if (now_ms() - start > 8000)
			fail_msg("no reply within 8 s while the push hung");
		sleep_ms(50);
	}
	/* SIGTERM ends a request under way: no waiting for its timeout. */
	assert_int_equal(stop_run(pid, 3000), 0);
	ctl(e, "/fault", "{\"kind\": \"ok\"}");
	pid = spawn_run(e);
	start = now_ms();
	while (db_int(e->fx.db, "SELECT count(*) FROM push_queue WHERE state = 'pending'") != 0) {
		if (now_ms() - start > 8000)
			fail_msg("the daemon did not push within 8 s");
		sleep_ms(50);
	}
	assert_int_equal(stop_run(pid, 3000), 0);
	/* The report and a gateway.status event per start (interval 1 h). */
	assert_int_equal(db_int(e->fx.db, "SELECT count(*) FROM push_queue WHERE type = "
					  "'gateway.status'"),
			 1);
	assert_int_equal(stat_of(e, "events"), 2);
}

/* CPU time (user and system, in clock ticks) the process pid used so far. */
static long
cpu_ticks(pid_t pid)
{
	char path[64], *stat, *p;
	unsigned long user, sys;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	stat = read_file(path);
	assert_non_null(stat);
	/* After the command's name, in parentheses: fields 3 to 15. */
	p = strrchr(stat, ')');
	assert_non_null(p);
	assert_int_equal(
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &user, &sys), 2);
	free(stat);
	return (long)(user + sys);
}

/*
 * A server that takes the push's request and never answers holds up
 * nothing: an SMS that reaches the dummy phone while the request is under
 * way (a 20 s timeout) is answered within 2 s of the scan that reads it,
 * the next one, at most poll_interval (2 s) later; meanwhile the daemon
 * sleeps rather than spins, and SIGTERM ends it at once.
 */
static void
test_daemon_answers_while_push_hangs(void **state)
{
	struct env *e = *state;
	int64_t injected;
	long ticks;
	char *err;
	pid_t pid;

	pid = spawn_run_faulty(e, "{\"kind\": \"hang\", \"hang\": 30}", "2");
	injected = now_ms();
	assert_int_equal(fixture_run(&e->fx, NULL, 0, RUN_S, NULL, "inject", "--from",
				     "+84912000001", "ENROL xa Minh Son 35 han", NULL),
			 0);
	/* The next scan reads it (poll_interval: 2 s), the reply follows
	 * within 2 s. */
	while (db_int(e->fx.db, "SELECT count(*) FROM outbox WHERE state = 'sent'") != 1) {
		if (now_ms() - injected > 2000 + 2000)
			fail_msg("no reply within 2 s of the scan while the push's request hung");
		sleep_ms(20);
	}
	assert_int_equal(stat_of(e, "events"), 0);
	/* A second of waiting on the hanging request: a few ticks at most. */
	ticks = cpu_ticks(pid);
	sleep_ms(1000);
	assert_true(cpu_ticks(pid) - ticks < 30);
	assert_int_equal(stop_run(pid, 3000), 0);
	err = db_text(e->fx.db, "SELECT last_error FROM push_state");
	assert_non_null(strstr(err, "request abandoned: stopping"));
	free(err);
}

/* The answer is acted on when it comes, not at the next scan (here every
 * 30 s): a request that fails after 1 s is tried again at once (the 20-200
 * ms backoff), and the second one's answer is recorded. */
static void
test_daemon_push_on_answer(void **state)
{
	struct env *e = *state;
	int64_t start;
	pid_t pid;

	pid = spawn_run_faulty(e, "{\"kind\": \"hang\", \"hang\": 1, \"count\": 1}", "30");
	start = now_ms();
	while (stat_of(e, "events") != 1 ||
	       db_int(e->fx.db, "SELECT count(*) FROM push_queue WHERE state = 'pending'") != 0) {
		if (now_ms() - start > 4000)
			fail_msg("the push waited past the server's answer");
		sleep_ms(20);
	}
	assert_int_equal(stop_run(pid, 3000), 0);
	assert_int_equal(stat_of(e, "requests"), 2);
}

static int64_t
wait_pending(struct env *e, int64_t want, int bound_ms)
{
	int64_t start = now_ms(), n;

	for (;;) {
		n = db_int(e->fx.db, "SELECT count(*) FROM push_queue WHERE state = 'pending'");
		if (n == want || now_ms() - start > bound_ms)
			return n;
		sleep_ms(50);
	}
}

static void
test_daemon_reload(void **state)
{
	struct env *e = *state;
	char url[128];
	pid_t pid;

	/* Started with a wrong address: the report waits. */
	write_conf(e, "http://127.0.0.1:9/events", NULL);
	pid = spawn_run(e);
	assert_int_equal(fixture_run(&e->fx, NULL, 0, RUN_S, NULL, "inject", "--from",
				     "+84912000001", "ENROL xa Minh Son 35 han", NULL),
			 0);
	assert_int_equal(wait_pending(e, 1, 8000), 1);
	/* A reload whose token file is unsafe is refused as a whole... */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/events", e->srv.api);
	write_conf(e, url, NULL);
	chmod(e->token, 0644);
	kill(pid, SIGHUP);
	sleep_ms(700);
	assert_int_equal(wait_pending(e, 0, 10), 1);
	assert_int_equal(stat_of(e, "requests"), 0);
	/* ...a good one takes effect at once. */
	chmod(e->token, 0600);
	kill(pid, SIGHUP);
	assert_int_equal(wait_pending(e, 0, 8000), 0);
	assert_int_equal(stop_run(pid, 3000), 0);
	assert_int_equal(check_arrivals(e, 1, 0, 0), 0);
}

/* A reload that reads a file others may write (here an @include) is
 * refused as a whole, as `run` refuses it at start. */
static void
test_daemon_reload_include(void **state)
{
	struct env *e = *state;
	char url[128], local[192];
	pid_t pid;
	FILE *f;

	write_conf(e, "http://127.0.0.1:9/events", NULL);
	pid = spawn_run(e);
	assert_int_equal(fixture_run(&e->fx, NULL, 0, RUN_S, NULL, "inject", "--from",
				     "+84912000001", "ENROL xa Minh Son 35 han", NULL),
			 0);
	assert_int_equal(wait_pending(e, 1, 8000), 1);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/events", e->srv.api);
	write_conf(e, url, NULL);
	snprintf(local, sizeof(local), "%s/local.conf", e->fx.dir);
	write_text(local, "own_number = \"+84912999999\";\n", 0666);
	f = fopen(e->fx.conf, "a");
	assert_non_null(f);
	fputs("@include \"local.conf\"\n", f);
	assert_int_equal(fclose(f), 0);
	kill(pid, SIGHUP);
	sleep_ms(700);
	assert_int_equal(wait_pending(e, 0, 10), 1);
	assert_int_equal(stat_of(e, "requests"), 0);
	assert_int_equal(chmod(local, 0600), 0);
	kill(pid, SIGHUP);
	assert_int_equal(wait_pending(e, 0, 8000), 0);
	assert_int_equal(stop_run(pid, 3000), 0);
	assert_int_equal(check_arrivals(e, 1, 0, 0), 0);
}

/* 1 when the process maps a file whose name has name in it, else 0. */
static int
maps_has(pid_t pid, const char *name)
{
	char path[64], line[1024];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	assert_non_null(f);
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, name) != NULL;
	fclose(f);
	return found;
}

/* libcurl, and the TLS libraries behind it, are opened by the first push:
 * a daemon without a push group does not map them; the reload that adds
 * one opens them and the push works. */
static void
test_daemon_opens_libcurl_for_push(void **state)
{
	struct env *e = *state;
	int before_curl, before_tls, after_curl, waited;
	pid_t pid;

	write_text(e->fx.conf, e->base, 0600);
	pid = spawn_run(e);
	assert_int_equal(fixture_run(&e->fx, NULL, 0, RUN_S, NULL, "inject", "--from",
				     "+84912000001", "ENROL xa Minh Son 35 han", NULL),
			 0);
	before_curl = maps_has(pid, "/libcurl");
	before_tls = maps_has(pid, "/libgnutls");
	write_conf(e, NULL, NULL);
	kill(pid, SIGHUP);
	for (waited = 0; waited < 8000 && stat_of(e, "requests") == 0; waited += 50)
		sleep_ms(50);
	after_curl = maps_has(pid, "/libcurl");
	assert_int_equal(stop_run(pid, 3000), 0);
	assert_int_equal(before_curl, 0);
	assert_int_equal(before_tls, 0);
	assert_true(stat_of(e, "requests") > 0);
	assert_int_equal(after_curl, 1);
}

/* The symbols of a library opened on first use: all of them, or none. */
static void
test_dynlib_all_or_none(void **state)
{
	double (*cosine)(double) = NULL;
	double (*other)(double) = NULL;
	const struct dynlib_sym missing_lib[] = {{"cos", (void **)&cosine}};
	const struct dynlib_sym missing_sym[] = {{"cos", (void **)&cosine},
						 {"tinbao_no_such_function", (void **)&other}};

	assert_int_equal(dynlib_load("test", "libtinbao-none.so.0", "nothing", missing_lib, 1), -1);
	assert_null(cosine);
	assert_int_equal(dynlib_load("test", "libm.so.6", "libc6", missing_sym, 2), -1);
	assert_null(cosine);
	assert_null(other);
	assert_int_equal(dynlib_load("test", "libm.so.6", "libc6", missing_lib, 1), 0);
	assert_non_null(cosine);
	assert_true(cosine(0.0) == 1.0);
}

static void
test_status_command(void **state)
{
	struct env *e = *state;
	char cmd[512], *out;
	int status;

	ctl(e, "/fault", "{\"kind\": \"503\", \"retry_after\": 120}");
	env_open(e);
	queue(e, 12);
	env_close(e);
	assert_int_equal(fixture_run(&e->fx, NULL, 0, RUN_S, NULL, "push", "--once", NULL), 1);
	snprintf(cmd, sizeof(cmd), TINBAO " -c %s status", e->fx.conf);
	out = capture(cmd, &status);
	assert_int_equal(status, 0);
	assert_non_null(strstr(out, "push: json to http://127.0.0.1:"));
	assert_non_null(strstr(out, "push_queue_length: 12\n"));
	assert_non_null(strstr(out, "push_oldest_pending_age: "));
	assert_non_null(strstr(out, "push_last_success: never\n"));
	assert_non_null(strstr(out, "push_last_error: "));
	assert_non_null(strstr(out, " HTTP 503"));
	assert_non_null(strstr(out, "push_consecutive_failures: 1\n"));
	/* When the retry falls (Retry-After, capped at 200 ms in tests) depends on
	 * how long this took: only its presence is certain. */
	assert_non_null(strstr(out, "push_next_attempt: "));
	assert_null(strstr(out, TOKEN));
	free(out);
	ctl(e, "/fault", "{\"kind\": \"ok\"}");
	/* Without waiting for the backoff. */
	assert_int_equal(fixture_run(&e->fx, NULL, 0, RUN_S, NULL, "push", "--once", "--now", NULL),
			 0);
	out = capture(cmd, &status);
	assert_non_null(strstr(out, "push_queue_length: 0\n"));
	assert_non_null(strstr(out, "push_oldest_pending_age: -\n"));
	assert_null(strstr(out, "push_last_success: never"));
	assert_non_null(strstr(out, "push_consecutive_failures: 0\n"));
	free(out);
}

/* ---- Schema and configuration ----------------------------------------- */

/* Schema version 1, as released (store/schema.c's first migration step), and two
 * events queued by a gateway of that version. */
static const char v1_schema[] =
    "CREATE TABLE inbox ("
    " id INTEGER PRIMARY KEY,"
    " sender TEXT NOT NULL,"
    " smsc_time INTEGER,"
    " received INTEGER NOT NULL,"
    " text TEXT NOT NULL,"
    " coding TEXT NOT NULL,"
    " parts INTEGER NOT NULL DEFAULT 1,"
    " fingerprint TEXT NOT NULL UNIQUE,"
    " state TEXT NOT NULL DEFAULT 'new' CHECK(state IN ('new', 'accepted', 'rejected')),"
    " error TEXT,"
    " processed INTEGER);"
    "CREATE INDEX inbox_state ON inbox(state);"
    "CREATE TABLE inbox_parts ("
    " id INTEGER PRIMARY KEY,"
    " sender TEXT NOT NULL,"
    " concat_ref INTEGER NOT NULL,"
    " part_no INTEGER NOT NULL,"
    " part_count INTEGER NOT NULL,"
    " smsc_time INTEGER,"
    " received INTEGER NOT NULL,"
    " text TEXT NOT NULL,"
    " coding TEXT NOT NULL,"
    " fingerprint TEXT NOT NULL UNIQUE,"
    " inbox_id INTEGER REFERENCES inbox(id),"
    " CHECK(part_count >= 1 AND part_no BETWEEN 1 AND part_count));"
    "CREATE INDEX inbox_parts_message ON inbox_parts(sender, concat_ref, part_count);"
    "CREATE TABLE reports ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " inbox_id INTEGER NOT NULL REFERENCES inbox(id),"
    " kind TEXT NOT NULL CHECK(kind IN ('enrol', 'grad', 'job', 'need', 'labour')),"
    " commune_code TEXT NOT NULL,"
    " commune TEXT NOT NULL,"
    " trade_code TEXT,"
    " trade TEXT,"
    " count INTEGER NOT NULL CHECK(count >= 0),"
    " trained INTEGER NOT NULL DEFAULT 0 CHECK(trained >= 0),"
    " year INTEGER NOT NULL,"
    " half INTEGER NOT NULL CHECK(half IN (1, 2)),"
    " sender TEXT NOT NULL,"
    " created INTEGER NOT NULL,"
    " cancelled INTEGER NOT NULL DEFAULT 0 CHECK(cancelled IN (0, 1)),"
    " CHECK((kind = 'labour') = (trade_code IS NULL)),"
    " CHECK((trade_code IS NULL) = (trade IS NULL)));"
    "CREATE INDEX reports_year_commune ON reports(year, commune_code);"
    "CREATE INDEX reports_inbox ON reports(inbox_id);"
    "CREATE TABLE outbox ("
    " id INTEGER PRIMARY KEY,"
    " recipient TEXT NOT NULL CHECK(recipient <> ''),"
    " text TEXT NOT NULL,"
    " reason TEXT NOT NULL,"
    " inbox_id INTEGER REFERENCES inbox(id),"
    " state TEXT NOT NULL DEFAULT 'queued' CHECK(state IN ('queued', 'sent', 'failed')),"
    " attempts INTEGER NOT NULL DEFAULT 0 CHECK(attempts >= 0),"
    " created INTEGER NOT NULL,"
    " updated INTEGER NOT NULL,"
    " error TEXT);"
    "CREATE INDEX outbox_state ON outbox(state);"
    "CREATE TABLE push_queue ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " type TEXT NOT NULL,"
    " at INTEGER NOT NULL,"
    " payload TEXT NOT NULL,"
    " state TEXT NOT NULL DEFAULT 'pending' CHECK(state IN ('pending', 'sent', 'parked')),"
    " created INTEGER NOT NULL);"
    "CREATE INDEX push_queue_state ON push_queue(state);"
    "PRAGMA user_version = 1;"
    "INSERT INTO push_queue(type, at, payload, created) VALUES ('message.rejected', 1651370400,"
    " '{\"inbox_id\":1,\"error\":\"empty\",\"sender\":\"+84912000001\",\"text\":\"\"}', 1),"
    " ('message.rejected', 1651370401, '{\"inbox_id\":2,\"error\":\"empty\",\"sender\":"
    "\"+84912000001\",\"text\":\" \"}', 1);";

static void
test_migration_keeps_queue(void **state)
{
	struct env *e = *state;
	sqlite3 *db;

	assert_int_equal(sqlite3_open(e->fx.db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, v1_schema, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	env_open(e);
	assert_int_equal(store_schema_version(e->st), STORE_SCHEMA_VERSION);
	assert_int_equal(pending(e), 2);
	drain(e);
	assert_int_equal(check_arrivals(e, 2, 0, 0), 0);
}

static void
test_config_fixtures(void **state)
{
	struct config_diags d = {NULL, 0};
	struct config *cfg;

	cfg = config_load(FIX "good.conf", NULL);
	assert_non_null(cfg);
	assert_null(cfg->push.url); /* no group: push off */
	config_free(cfg);

	cfg = config_load(FIX "push-good.conf", &d);
	assert_non_null(cfg);
	assert_int_equal(config_diags_errors(&d), 0);
	assert_int_equal(d.n, 1); /* the missing token file: a warning */
	assert_string_equal(cfg->push.format, "json");
	assert_string_equal(cfg->push.auth_scheme, "Bearer");
	assert_string_equal(cfg->push.token_file, FIX "push-missing.token");
	assert_int_equal(cfg->push.batch, 200);
	assert_int_equal(cfg->push.retry_max_ms, 3600000);
	config_free(cfg);
	config_diags_free(&d);

	cfg = config_load(FIX "push-dhis2.conf", &d);
	assert_non_null(cfg);
	assert_string_equal(cfg->push.auth_scheme, "ApiToken");
	assert_int_equal(cfg->push.norg_units, 2);
	assert_int_equal(cfg->push.ndata_elements, 3);
	assert_null(cfg->push.data_elements[1].trade);
	config_free(cfg);
	config_diags_free(&d);

	assert_null(config_load(FIX "push-bad.conf", &d));
	assert_int_equal(config_diags_errors(&d), 9);
	config_diags_free(&d);
	assert_null(config_load(FIX "push-dhis2-bad.conf", &d));
	assert_int_equal(config_diags_errors(&d), 7);
	config_diags_free(&d);
	assert_null(config_load(FIX "push-dhis2-missing.conf", &d));
	assert_int_equal(config_diags_errors(&d), 1);
	config_diags_free(&d);
}

/* ---- DHIS2 ------------------------------------------------------------ */

static const char dhis2_group[] =
    "\tformat = \"dhis2\";\n"
    "\tdhis2 = {\n"
    "\t\tdata_set = \"VT_MONTHLY\";\n"
    "\t\torg_units = (\n"
    "\t\t\t{ commune = \"06448\"; org_unit = \"OU_MINHSON\"; },\n"
    "\t\t\t{ commune = \"06385\"; org_unit = \"OU_HUULUNG\"; }\n"
    "\t\t);\n"
    "\t\tdata_elements = (\n"
    "\t\t\t{ kind = \"enrol\"; trade = \"HAN\"; data_element = \"VT_ENROL\"; "
    "category_option_combo = \"HAN\"; },\n"
    "\t\t\t{ kind = \"grad\"; trade = \"HAN\"; data_element = \"VT_GRAD\"; "
    "category_option_combo = \"HAN\"; },\n"
    "\t\t\t{ kind = \"job\"; trade = \"HAN\"; data_element = \"VT_JOB\"; "
    "category_option_combo = \"HAN\"; },\n"
    "\t\t\t{ kind = \"labour\"; data_element = \"VT_LABOUR\"; "
    "category_option_combo = \"default\"; },\n"
    "\t\t\t{ kind = \"trained\"; data_element = \"VT_TRAINED\"; "
    "category_option_combo = \"default\"; }\n"
    "\t\t);\n"
    "\t};\n";

static void
inject_at(struct env *e, const char *at, const char *text)
{
	assert_int_equal(fixture_run(&e->fx, NULL, 0, RUN_S, NULL, "inject", "--from",
				     "+84912000001", "--at", at, text, NULL),
			 0);
}

static void
dhis2_scenario(struct env *e, int wrapped)
{
	char url[128], *values, *out;
	int parked;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d", e->srv.api);
	write_conf(e, url, dhis2_group);
	ctl(e, "/dhis2",
	    wrapped ? "{\"data_set\": \"VT_MONTHLY\", \"org_units\": [\"OU_MINHSON\", "
		      "\"OU_HUULUNG\"], \"elements\": [[\"VT_ENROL\", \"HAN\"], "
		      "[\"VT_GRAD\", \"HAN\"], [\"VT_LABOUR\", \"default\"], "
		      "[\"VT_TRAINED\", \"default\"]], \"conflict\": \"VT_JOB\", "
		      "\"wrapped\": true}"
		    : "{\"data_set\": \"VT_MONTHLY\", \"org_units\": [\"OU_MINHSON\", "
		      "\"OU_HUULUNG\"], \"elements\": [[\"VT_ENROL\", \"HAN\"], "
		      "[\"VT_GRAD\", \"HAN\"], [\"VT_LABOUR\", \"default\"], "
		      "[\"VT_TRAINED\", \"default\"]], \"conflict\": \"VT_JOB\", "
		      "\"wrapped\": false}");
	/* May 2022 (Vietnam time), and one in June. */
	inject_at(e, "1652150000", "ENROL xa Minh Son 35 han");
	inject_at(e, "1652150100", "ENROL Minh Son 5 han");
	inject_at(e, "1652150200", "GRAD Minh Son 10 han");
	inject_at(e, "1652150300", "ENROL Huu Lung 7 han");
	inject_at(e, "1652150400", "LABOUR Minh Son 1000 600");
	inject_at(e, "1652150500", "LABOUR Minh Son 1200 700");
	inject_at(e, "1652150600", "JOB Minh Son 3 han");
	inject_at(e, "1652150700", "ENROL Yen Binh 4 han");
	inject_at(e, "1652150800", "NEED Minh Son 2 han");
	inject_at(e, "1652150900", "XYZ");
	inject_at(e, "1655000000", "ENROL Minh Son 3 han");
	assert_int_equal(fixture_run(&e->fx, NULL, 0, RUN_S, NULL, "run", "--once", NULL), 0);
	assert_int_equal(fixture_run(&e->fx, NULL, 0, RUN_S, NULL, "push", "--once", NULL), 0);
	values = ctl_request(e, "/dhis2", NULL);
	assert_string_equal(values, "VT_ENROL HAN OU_HUULUNG 202205 7\n"
				    "VT_ENROL HAN OU_MINHSON 202205 40\n"
				    "VT_ENROL HAN OU_MINHSON 202206 3\n"
				    "VT_GRAD HAN OU_MINHSON 202205 10\n"
				    "VT_LABOUR default OU_MINHSON 202205 1200\n"
				    "VT_TRAINED default OU_MINHSON 202205 700\n");
	free(values);
	assert_int_equal(stat_of(e, "refused"), 0);
	/* Parked: the conflict (with the server's message), the commune and
	 * the kind without a mapping.  The rejection had no place there. */
	parked = (int)db_int(e->fx.db, "SELECT count(*) FROM push_queue WHERE state = 'parked'");
	assert_int_equal(parked, 3);
	out = db_text(e->fx.db, "SELECT group_concat(answer, '|') FROM push_queue WHERE state = "
				"'parked'");
	assert_non_null(strstr(out, "Data element not found or not accessible"));
	assert_non_null(strstr(out, wrapped ? "HTTP 409" : "HTTP 200"));
	assert_non_null(strstr(out, "no DHIS2 org unit for commune 06391"));
	assert_non_null(strstr(out, "no DHIS2 data element for need HAN"));
	free(out);
	out = db_text(e->fx.db, "SELECT answer FROM push_queue WHERE type = 'message.rejected'");
	assert_string_equal(out, "not sent: no DHIS2 value for this event");
	free(out);
	assert_int_equal(
	    db_int(e->fx.db, "SELECT count(*) FROM push_queue WHERE state = 'pending'"), 0);
}

static void
test_dhis2(void **state)
{
	dhis2_scenario(*state, 0);
}

static void
test_dhis2_wrapped_409(void **state)
{
	dhis2_scenario(*state, 1);
}

/* ---- The benchmark ---------------------------------------------------- */

static int
bench(int n)
{
	struct push_report r;
	struct env *e = NULL;
	void *state;
	int64_t t0, t1;
	double s;
	int rc;

	if (setup(&state) == -1)
		return 1;
	e = state;
	write_conf(e, NULL, "\ttimeout_ms = 30000;\n");
	env_open(e);
	queue(e, n);
	t0 = now_ms();
	rc = push_run(e->push, &r);
	t1 = now_ms();
	s = (double)(t1 - t0) / 1000.0;
	printf("push: %d events in %" PRId64 " batches, %.2f s: %.0f events/s (%" PRId64
	       " connections, %" PRId64 " repeats; target: under 10 s)\n",
	       n, r.requests, s, (double)n / (s > 0 ? s : 0.001), stat_of(e, "connections"),
	       stat_of(e, "repeats"));
	if (rc != 0 || r.sent != n || stat_of(e, "events") != n) {
		printf("push: FAILED: %" PRId64 " sent, %" PRId64 " received\n", r.sent,
		       stat_of(e, "events"));
		rc = 1;
	}
	teardown(&state);
	return rc == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_batches_keepalive, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_empty_answer_accepts_all, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fault_500, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fault_503_retry_after, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fault_hang, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_step_returns_at_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fault_reset, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fault_garbage_2xx, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_poison_parked, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_two_poisons_auth_4xx_not_parked, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_outage_10000, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stop_listening_midway, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dns_failure, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_push_once_backoff, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kill9_during_push, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_crash_before_commit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_outgoing_sms, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_token_file_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_token_never_logged, setup, teardown),
	    cmocka_unit_test(test_token_forms_masked),
	    cmocka_unit_test_setup_teardown(test_token_escaped_never_stored, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tls_verified, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_daemon_replies_while_server_hangs, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_daemon_answers_while_push_hangs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_daemon_push_on_answer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_daemon_reload, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_daemon_reload_include, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_daemon_opens_libcurl_for_push, setup, teardown),
	    cmocka_unit_test(test_dynlib_all_or_none),
	    cmocka_unit_test_setup_teardown(test_status_command, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_migration_keeps_queue, setup, teardown),
	    cmocka_unit_test(test_config_fixtures),
	    cmocka_unit_test_setup_teardown(test_dhis2, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dhis2_wrapped_409, setup, teardown),
	};
	int rc;

	/* Expected failures log warnings; keep the output to those. */
	log_init(0, getenv("TEST_VERBOSE") != NULL ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARN);
	if (getenv("TEST_VERBOSE") == NULL)
		log_setlevel(LOG_LEVEL_WARN);
	signal(SIGPIPE, SIG_IGN);
	if (push_global_init() == -1)
		return 1;
	if (argc == 3 && strcmp(argv[1], "--bench") == 0)
		rc = bench(atoi(argv[2]));
	else
		rc = cmocka_run_group_tests(tests, NULL, NULL);
	push_global_cleanup();
	return rc;
}
