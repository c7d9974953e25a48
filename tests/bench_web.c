/*
 * bench_web.c TINBAO CONFIG [N] - the web console over N stored SMS
 * (default 1,000,000, a reply to every tenth).
 *
 * First the messages page rendered as a request renders it (pages.c on a
 * read-only connection), without the HTTP around it, newest first and with
 * each filter: one line per case, the best of RUNS runs (the first warms
 * the cache), against BUDGET_MS.
 *
 * Then `tinbao run` with a web group on the same database: the console is
 * served in the HTTP library's own thread while the loop reads the modem.
 * A user logs in and REQUESTS pages (the overview and the messages page,
 * with filters) are asked for one after the other; the gateway is stopped
 * and logs the longest time its loop went without reading the modem: that
 * line, against GOAL_MS.
 *
 * Exit status 1 when a figure is over its budget or a page failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "benchrun.h"
#include "config.h"
#include "fixture.h"
#include "log.h"
#include "store.h"
#include "webhttp.h"
#include "web_impl.h"

#define RUNS 5
#define BUDGET_MS 100.0
#define GOAL_MS 100
#define REQUESTS 400
#define PASSWORD "bench-password"
#define GAP_TEXT "the longest time without reading the modems: "

/* N SMS from 5,000 numbers, one a minute, every tenth rejected and every
 * tenth answered, one in 100,000 not yet processed; every fiftieth stored
 * late (an import, a modem's backlog read after a restart), out of id
 * order: received before the SMS stored around it, by up to half of the
 * time before it (so that the oldest month is not found among the newest
 * ids).  A report for every other one, over two communes; in the oldest
 * month, a report of a third commune for every seventh odd one (a commune
 * that went silent).  Nobody texts about the others. */
static const char fill_sql[] =
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1) "
    "INSERT INTO inbox(id, sender, received, text, coding, fingerprint, state) "
    "SELECT i, printf('+849120%05d', i % 5000), "
    "1640000000 + CASE i % 50 WHEN 25 THEN i - i * 7919 % (i / 2 + 1) ELSE i END * 60, "
    "printf('DK Minh Son %d han <b>', i % 90), 'gsm7', 'f' || i, "
    "CASE WHEN i % 10 = 0 THEN 'rejected' WHEN i % 100000 = 1 THEN 'new' "
    "ELSE 'accepted' END FROM n;"
    "INSERT INTO reports(inbox_id, kind, commune_code, commune, trade_code, trade, count, "
    "year, half, sender, created) SELECT id, 'enrol', "
    "CASE id % 4 WHEN 0 THEN '06448' WHEN 1 THEN '06451' WHEN 2 THEN '06433' "
    "ELSE '06436' END, 'x', 'HAN', 'Hàn', 5, 2022, 1, sender, received "
    "FROM inbox WHERE id % 2 = 0;"
    "INSERT INTO reports(inbox_id, kind, commune_code, commune, trade_code, trade, count, "
    "year, half, sender, created) SELECT id, 'enrol', '06460', 'x', 'HAN', 'Hàn', 5, 2021, 2, "
    "sender, received FROM inbox WHERE id % 14 = 7 AND received < 1640000000 + 30 * 86400;"
    "INSERT INTO outbox(recipient, text, reason, inbox_id, created, updated, state) "
    "SELECT sender, 'Da nhan', 'reply', id, received, received, 'sent' FROM inbox "
    "WHERE id % 10 = 0;"
    "COMMIT;";

static double
now_ms(void)
{
	struct timespec ts;

	return clock_gettime(CLOCK_MONOTONIC, &ts) == 0 ? ts.tv_sec * 1e3 + ts.tv_nsec / 1e6 : 0;
}

/* The query of one case, "name=value&..." without escapes, cut at each '='
 * and '&': the values stay in place for the whole page, as a request's
 * do (the page keeps what it read of one while it reads the others). */
struct query {
	char text[256];
	size_t len;
};

static void
query_set(struct query *q, const char *s)
{
	size_t i;

	snprintf(q->text, sizeof(q->text), "%s", s);
	q->len = strlen(q->text);
	for (i = 0; i < q->len; i++) {
		if (q->text[i] == '=' || q->text[i] == '&')
			q->text[i] = '\0';
	}
}

static const char *
query_arg(void *ctx, const char *name)
{
	const struct query *q = ctx;
	const char *p = q->text, *value;

	while (p < q->text + q->len) {
		value = p + strlen(p) + 1;
		if (value > q->text + q->len)
			return NULL;
		if (strcmp(p, name) == 0)
			return value;
		p = value + strlen(value) + 1;
	}
	return NULL;
}

/* Stores the N SMS in the database at db (its schema made first). */
static int
fill(const char *db, long n)
{
	struct store *st = store_open(db, 0);
	sqlite3_stmt *s;
	sqlite3 *raw;
	const char *tail;
	int rc = -1;

	if (st == NULL)
		return -1;
	store_close(st);
	if (sqlite3_open(db, &raw) != SQLITE_OK)
		return -1;
	/* The first statement takes N; the rest run as they are. */
	if (sqlite3_exec(raw, "PRAGMA synchronous = OFF; BEGIN", NULL, NULL, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(raw, fill_sql, -1, &s, &tail) == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, n);
		if (sqlite3_step(s) == SQLITE_DONE && sqlite3_finalize(s) == SQLITE_OK &&
		    sqlite3_exec(raw, tail, NULL, NULL, NULL) == SQLITE_OK)
			rc = 0;
	}
	if (rc == -1)
		fprintf(stderr, "bench_web: %s\n", sqlite3_errmsg(raw));
	sqlite3_close(raw);
	return rc;
}

/* The messages page rendered in this process, each case. */
static int
bench_pages(const struct config *cfg, const char *db, long n)
{
	/* Each case, and whether its page has SMS. */
	static const struct {
		const char *query;
		int rows;
	} cases[] = {
	    {"", 1},
	    {"number=0912000123", 1},
	    {"commune=06448", 1},
	    {"state=rejected", 1},
	    {"state=new", 1},
	    {"before=500000", 1},
	    {"from=2022-01-01&to=2022-01-31", 1},
	    {"from=2022-01-01&to=2022-01-31&before=40000", 1},
	    {"from=2022-01-01&to=2022-12-31", 1},
	    {"commune=06448&from=2022-01-01&to=2022-01-31", 1},
	    /* Nobody texts about it. */
	    {"commune=06385", 0},
	    {"commune=06385&from=2022-01-01&to=2022-12-31", 0},
	    /* Its SMS are all in the oldest month. */
	    {"commune=06460", 1},
	    {"commune=06460&from=2022-01-01&to=2022-01-31", 1},
	    {"commune=06460&from=2022-06-01&to=2022-06-30", 0},
	    {"commune=06460&state=rejected", 0},
	    {"commune=06448&state=new", 0},
	    {"commune=06433&to=2022-12-31&before=500000", 1},
	};
	struct web_session session = {.user = "bench", .role = "viewer", .csrf = "x"};
	struct web_request r = {0};
	struct query query;
	struct store *st = store_open(db, STORE_READONLY);
	double best, t0;
	size_t c;
	int i, status = 0, code;

	if (st == NULL)
		return -1;
	r.cfg = cfg;
	r.st = st;
	r.session = &session;
	r.arg = query_arg;
	r.now = 1640000000 + n * 60;
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		query_set(&query, cases[c].query);
		r.ctx = &query;
		best = 1e9;
		for (i = 0; i < RUNS; i++) {
			struct html h = {0};

			t0 = now_ms();
			code = page_render(&r, "/messages", &h);
			t0 = now_ms() - t0;
			if (t0 < best)
				best = t0;
			if (code != 200 || (strstr(h.p, "&lt;b&gt;") != NULL) != cases[c].rows)
				status = -1;
			html_free(&h);
		}
		printf("web: messages page over %ld SMS, \"%s\": %.1f ms (budget %.0f ms)\n", n,
		       cases[c].query, best, BUDGET_MS);
		if (best > BUDGET_MS)
			status = -1;
	}
	store_close(st);
	return status;
}

/* The console asked for REQUESTS pages while the gateway runs; the longest
 * gap of its loop into *gap.  0 or -1 (said). */
static int
hammer(const struct fixture *f, int port, long *gap, double *slowest)
{
	static const char *const paths[] = {
	    "/",
	    "/messages",
	    "/messages?state=rejected",
	    "/messages?number=0912000123",
	    "/messages?commune=06448&before=500000",
	};
	static char page[1 << 20], log[1 << 20];
	char *argv[] = {(char *)f->tinbao, "-c", (char *)f->conf, "run", NULL};
	char logpath[160], sid[128];
	const char *at;
	double t0;
	pid_t pid;
	int i, ok = 0;

	snprintf(logpath, sizeof(logpath), "%s/run.log", f->dir);
	pid = benchrun_start(argv, logpath);
	if (pid == -1)
		return -1;
	for (i = 0; i < 1500 && !webhttp_listening(port); i++)
		usleep(20000);
	ok = webhttp_log_in(port, "bench", PASSWORD, sid, sizeof(sid)) == 0;
	if (!ok)
		fprintf(stderr, "bench_web: could not log in on port %d\n", port);
	*slowest = 0;
	for (i = 0; ok && i < REQUESTS; i++) {
		t0 = now_ms();
		ok = webhttp_request(port, "GET", paths[i % 5], sid, NULL, page, sizeof(page)) ==
		     200;
		t0 = now_ms() - t0;
		if (t0 > *slowest)
			*slowest = t0;
		if (!ok)
			fprintf(stderr, "bench_web: GET %s:\n%.2000s\n", paths[i % 5], page);
	}
	if (benchrun_stop(pid, NULL) == -1)
		ok = 0;
	benchrun_wait(pid, logpath, GAP_TEXT, 0, log, sizeof(log));
	at = strstr(log, GAP_TEXT);
	*gap = at != NULL ? strtol(at + strlen(GAP_TEXT), NULL, 10) : -1;
	if (!ok || *gap < 0) {
		fprintf(stderr,
			"bench_web: the console failed, or the gateway did not stop "
			"as asked; its log:\n%s",
			log);
		return -1;
	}
	return 0;
}

static int
bench(struct fixture *f, const char *tinbao, const char *template_conf, long n)
{
	char extra[128], cmd[256], out[1024];
	struct config *cfg;
	double t0, slowest;
	long gap;
	int port = webhttp_free_port(), status;
	FILE *pw;

	snprintf(extra, sizeof(extra), "web = { listen = \"127.0.0.1:%d\"; };\n", port);
	if (port == -1 || fixture_setup_with(f, tinbao, template_conf, extra) == -1 ||
	    (cfg = config_load(f->conf, NULL)) == NULL)
		return -1;
	t0 = now_ms();
	if (fill(f->db, n) == -1) {
		config_free(cfg);
		return -1;
	}
	printf("web: %ld SMS stored in %.0f ms\n", n, now_ms() - t0);
	status = bench_pages(cfg, f->db, n);
	config_free(cfg);

	snprintf(cmd, sizeof(cmd), "%s/pw", f->dir);
	pw = fopen(cmd, "w");
	if (pw == NULL || fputs(PASSWORD "\n", pw) == EOF || fclose(pw) != 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "web-user add bench viewer < %s/pw", f->dir);
	if (fixture_output(f, cmd, out, sizeof(out)) != 0) {
		fprintf(stderr, "bench_web: web-user add: %s\n", out);
		return -1;
	}
	if (hammer(f, port, &gap, &slowest) == -1)
		return -1;
	printf("web: longest time without reading the modem while the console served %d pages "
	       "over %ld SMS (the slowest in %.0f ms): %ld ms (goal < %d ms)\n",
	       REQUESTS, n, slowest, gap, GOAL_MS);
	if (gap >= GOAL_MS) {
		printf("web: OVER THE GOAL\n");
		status = -1;
	}
	return status;
}

int
main(int argc, char **argv)
{
	struct fixture f = {.dir = ""};
	int rc = 2;

	log_init(0, LOG_LEVEL_WARN);
	if (argc == 3 || (argc == 4 && atol(argv[3]) > 0))
		rc = bench(&f, argv[1], argv[2], argc == 4 ? atol(argv[3]) : 1000000) == 0 ? 0 : 1;
	else
		fputs("usage: bench_web TINBAO CONFIG [N]\n", stderr);
	if (f.dir[0] != '\0')
		fixture_teardown(&f);
	return rc;
}
