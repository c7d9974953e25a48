/*
 * bench_web.c CONFIG [N] - the web console's messages page over N stored SMS
 * (default 1,000,000, a reply to every tenth): the page rendered as a
 * request renders it (pages.c on a read-only connection), without the HTTP
 * around it, newest first and with each filter.  Prints one line per case,
 * the best of RUNS runs (the first warms the cache); exit status 1 when one
 * is over BUDGET_MS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "config.h"
#include "log.h"
#include "store.h"
#include "web_impl.h"

#define RUNS 5
#define BUDGET_MS 100.0

/* N SMS from 5,000 numbers, one a minute, every tenth rejected and every
 * tenth answered; a report for every other one, over four communes. */
static const char fill_sql[] =
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1) "
    "INSERT INTO inbox(id, sender, received, text, coding, fingerprint, state) "
    "SELECT i, printf('+849120%05d', i % 5000), 1640000000 + i * 60, "
    "printf('DK Minh Son %d han <b>', i % 90), 'gsm7', 'f' || i, "
    "CASE WHEN i % 10 = 0 THEN 'rejected' ELSE 'accepted' END FROM n;"
    "INSERT INTO reports(inbox_id, kind, commune_code, commune, trade_code, trade, count, "
    "year, half, sender, created) SELECT id, 'enrol', "
    "CASE id % 4 WHEN 0 THEN '06448' WHEN 1 THEN '06451' WHEN 2 THEN '06433' "
    "ELSE '06436' END, 'x', 'HAN', 'Hàn', 5, 2022, 1, sender, received "
    "FROM inbox WHERE id % 2 = 0;"
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

/* The query of one case: "name=value&..." without escapes. */
static const char *
query_arg(void *ctx, const char *name)
{
	static char value[64];
	const char *q = ctx, *p;
	size_t n = strlen(name), len;

	for (p = q; p != NULL && *p != '\0';
	     p = strchr(p, '&') != NULL ? strchr(p, '&') + 1 : NULL) {
		if (strncmp(p, name, n) == 0 && p[n] == '=') {
			len = strcspn(p + n + 1, "&");
			if (len >= sizeof(value))
				return NULL;
			memcpy(value, p + n + 1, len);
			value[len] = '\0';
			return value;
		}
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	static const char *const cases[] = {
	    "",
	    "number=0912000123",
	    "commune=06448",
	    "state=rejected",
	    "before=500000",
	    "from=2022-01-01&to=2022-01-31",
	};
	struct web_session session = {.user = "bench", .role = "viewer", .csrf = "x"};
	char path[] = "/tmp/bench_web.XXXXXX", db[64];
	struct web_request r = {0};
	struct config *cfg;
	struct store *st;
	sqlite3 *raw;
	double best, t0;
	long n = argc > 2 ? atol(argv[2]) : 1000000;
	size_t c;
	int i, status = 0, code;

	if (argc < 2 || n < 1 || mkdtemp(path) == NULL) {
		fprintf(stderr, "usage: bench_web CONFIG [N]\n");
		return 2;
	}
	log_setlevel(LOG_LEVEL_WARN);
	cfg = config_load(argv[1], NULL);
	snprintf(db, sizeof(db), "%s/tinbao.db", path);
	st = store_open(db, 0); /* the schema */
	if (cfg == NULL || st == NULL)
		return 1;
	store_close(st);
	if (sqlite3_open(db, &raw) != SQLITE_OK)
		return 1;
	t0 = now_ms();
	{
		sqlite3_stmt *s;
		const char *tail;

		/* The first statement takes N; the rest run as they are. */
		if (sqlite3_exec(raw, "PRAGMA synchronous = OFF; BEGIN", NULL, NULL, NULL) != 0 ||
		    sqlite3_prepare_v2(raw, fill_sql, -1, &s, &tail) != 0)
			return 1;
		sqlite3_bind_int64(s, 1, n);
		if (sqlite3_step(s) != SQLITE_DONE || sqlite3_finalize(s) != 0 ||
		    sqlite3_exec(raw, tail, NULL, NULL, NULL) != SQLITE_OK) {
			fprintf(stderr, "bench_web: %s\n", sqlite3_errmsg(raw));
			return 1;
		}
	}
	sqlite3_close(raw);
	printf("web: %ld SMS stored in %.0f ms\n", n, now_ms() - t0);

	st = store_open(db, STORE_READONLY);
	if (st == NULL)
		return 1;
	r.cfg = cfg;
	r.st = st;
	r.session = &session;
	r.arg = query_arg;
	r.now = 1640000000 + n * 60;
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		r.ctx = (void *)cases[c];
		best = 1e9;
		for (i = 0; i < RUNS; i++) {
			struct html h = {0};

			t0 = now_ms();
			code = page_render(&r, "/messages", &h);
			t0 = now_ms() - t0;
			if (t0 < best)
				best = t0;
			if (code != 200 || strstr(h.p, "&lt;b&gt;") == NULL)
				status = 1;
			html_free(&h);
		}
		printf("web: messages page over %ld SMS, \"%s\": %.1f ms (budget %.0f ms)\n", n,
		       cases[c], best, BUDGET_MS);
		if (best > BUDGET_MS)
			status = 1;
	}
	store_close(st);
	config_free(cfg);
	unlink(db);
	snprintf(db, sizeof(db), "%s/tinbao.db-wal", path);
	unlink(db);
	snprintf(db, sizeof(db), "%s/tinbao.db-shm", path);
	unlink(db);
	rmdir(path);
	return status;
}
