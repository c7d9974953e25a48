/*
 * bench_report.c - the plan report and the digest over 1,000,000 stored
 * reports.
 *
 * Generates the reports in a temporary SQLite file (one INSERT ... SELECT
 * in one transaction, so the triggers of report_sums run as they do for
 * every report the gateway stores), all of them in the year 2022 so that
 * the period asked for holds them all; then times report_build() (every
 * SQLite query of a report), the writing of each form, a digest, a
 * confirmation's running total and an officer's TK totals.  Budgets: 50 ms
 * for the report's queries, 10 ms for a digest.  Exits 1 when one is over.
 *
 * Usage: bench_report CONF [N]   (CONF: contrib/tinbao.conf)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "benchdb.h"
#include "clock.h"
#include "config.h"
#include "digest.h"
#include "log.h"
#include "report.h"
#include "store.h"

#define RUNS 7
#define REPORT_BUDGET_MS 50.0
#define DIGEST_BUDGET_MS 10.0

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* For comparison: the report's sums straight from the reports table. */
static double
time_without_sums(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	double t0, t = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
			       "SELECT commune_code, kind, trade_code, count(*), sum(count), "
			       "sum(trained) FROM reports WHERE cancelled = 0 AND year = 2022 "
			       "GROUP BY commune_code, kind, trade_code",
			       -1, &st, NULL) != SQLITE_OK)
		goto done;
	t0 = now_ms();
	while (sqlite3_step(st) == SQLITE_ROW)
		;
	t = now_ms() - t0;
done:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return t;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of RUNS times. */
static double
median(double *v)
{
	qsort(v, RUNS, sizeof(*v), cmp);
	return v[RUNS / 2];
}

static int
time_report(const struct config *cfg, struct store *st, int half, double *build, double *write)
{
	double b[RUNS], w[RUNS], t0;
	struct report *r;
	FILE *null = fopen("/dev/null", "w");
	int i, f;

	if (null == NULL)
		return -1;
	for (i = 0; i < RUNS; i++) {
		t0 = now_ms();
		r = report_build(cfg, st, 2022, half);
		b[i] = now_ms() - t0;
		if (r == NULL) {
			fclose(null);
			return -1;
		}
		t0 = now_ms();
		for (f = REPORT_TEXT; f <= REPORT_HTML; f++)
			report_write(r, (enum report_format)f, null);
		w[i] = now_ms() - t0;
		report_free(r);
	}
	fclose(null);
	*build = median(b);
	*write = median(w);
	return 0;
}

static int
time_digest(const struct config *cfg, struct store *st, double *digest, double *total,
	    double *status)
{
	int64_t now = clock_from_local(2022, 12, 20, 17, 0);
	double d[RUNS], t[RUNS], s[RUNS], t0;
	char buf[DIGEST_BUF];
	struct store_totals tt;
	int i;

	for (i = 0; i < RUNS; i++) {
		t0 = now_ms();
		if (digest_compose(cfg, st, now, buf, sizeof(buf)) == -1)
			return -1;
		d[i] = now_ms() - t0;
		snprintf(buf, sizeof(buf), "OK #1: ghi danh 35 HV nghe Han dien, xa Minh Son");
		t0 = now_ms();
		if (digest_running_total(cfg, st, 19, 2022, buf, sizeof(buf)) == -1)
			return -1;
		t[i] = now_ms() - t0;
		t0 = now_ms();
		if (store_totals(st, cfg->communes[19].code, 2022, &tt) == -1)
			return -1;
		s[i] = now_ms() - t0;
	}
	*digest = median(d);
	*total = median(t);
	*status = median(s);
	if (digest_compose(cfg, st, now, buf, sizeof(buf)) == 0)
		printf("  the digest: %s\n", buf);
	return 0;
}

static int
bench(const struct config *cfg, const char *path, long n)
{
	double t0, gen, b[3], w[3], dg, rt, ts;
	struct store *st;
	int h, over = 0;

	t0 = now_ms();
	if (benchdb_create(path, cfg, n) == -1)
		return -1;
	gen = now_ms() - t0;
	st = store_open(path, STORE_READONLY);
	if (st == NULL)
		return -1;
	for (h = 0; h < 3; h++) {
		if (time_report(cfg, st, (h + 1) % 3, &b[h], &w[h]) == -1)
			goto fail;
	}
	if (time_digest(cfg, st, &dg, &rt, &ts) == -1)
		goto fail;
	store_close(st);
	printf("report: %ld reports generated and stored in %.1f s\n", n, gen / 1e3);
	printf("report: SQLite queries (report_build, median of %d): 2022-H1 %.2f ms, 2022-H2 "
	       "%.2f ms, 2022 %.2f ms (budget %.0f ms)\n",
	       RUNS, b[0], b[1], b[2], REPORT_BUDGET_MS);
	printf("report: writing text + csv + html: %.2f ms\n", w[2]);
	printf("report: for comparison, the same sums from the reports table without "
	       "report_sums: %.0f ms\n",
	       time_without_sums(path));
	printf("digest: %.2f ms (budget %.0f ms); running total %.2f ms; officer TK totals %.2f "
	       "ms\n",
	       dg, DIGEST_BUDGET_MS, rt, ts);
	for (h = 0; h < 3; h++)
		over |= b[h] > REPORT_BUDGET_MS;
	over |= dg > DIGEST_BUDGET_MS;
	if (over)
		printf("report/digest: OVER BUDGET\n");
	return over ? -1 : 0;
fail:
	store_close(st);
	return -1;
}

int
main(int argc, char *argv[])
{
	char dir[] = "/tmp/tinbao-bench-XXXXXX", path[64], wal[80], shm[80];
	struct config *cfg;
	long n = argc > 2 ? atol(argv[2]) : 1000000;
	int rc;

	if (argc < 2 || n < 1) {
		fprintf(stderr, "usage: bench_report CONF [N]\n");
		return 2;
	}
	log_init(0, LOG_LEVEL_WARN);
	cfg = config_load(argv[1], NULL);
	if (cfg == NULL || mkdtemp(dir) == NULL) {
		fprintf(stderr, "bench_report: cannot load %s or make a folder\n", argv[1]);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/bench.db", dir);
	rc = bench(cfg, path, n);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	snprintf(shm, sizeof(shm), "%s-shm", path);
	unlink(path);
	unlink(wal);
	unlink(shm);
	rmdir(dir);
	config_free(cfg);
	return rc == 0 ? 0 : 1;
}
