/*
 * report_job.c - the period's report filed without asking (report_tick in
 * report.h): on the day after each reporting deadline of the configuration
 * (reminders.deadlines, by default 15 June and 15 December) the half-year's
 * report, and on 31 December the year's, written into report.dir as
 * bao-cao-2022-H1.xlsx, .pdf (when Chromium is there) and .html, and one
 * SMS to each of the digest's recipients saying so.
 *
 * The HTML is written last, by rename: its presence is the record that the
 * period is done, so that a restart writes nothing and sends nothing
 * again, without a table of its own.  A gateway that was off on the day
 * catches up on its first turn after it, within the same year.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "digest.h"
#include "identity.h"
#include "log.h"
#include "report.h"
#include "store.h"

#define RETRY_SECONDS 3600 /* after a failure, e.g. a folder not there */

/* Writes the report in fmt to path, through path.tmp: a failure leaves
 * nothing half-written under the final name.  0 or -1 (logged). */
static int
write_one(const struct report *r, enum report_format fmt, const char *path)
{
	char tmp[4200];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL) {
		log_warn("report: %s", tmp);
		return -1;
	}
	if (report_write(r, fmt, f) == -1) {
		fclose(f);
		unlink(tmp);
		return -1;
	}
	if (fclose(f) == EOF || rename(tmp, path) == -1) {
		log_warn("report: %s", path);
		unlink(tmp);
		return -1;
	}
	return 0;
}

struct notice {
	struct store *st;
	const char *text;
};

/* The notice to one of district staff. */
static int
notify(void *arg, const struct identity *id)
{
	struct notice *n = arg;
	int64_t oid;

	if (store_outbox_add(n->st, id->number, n->text, "report", 0, &oid) == -1)
		return -1;
	log_info("report notice to %s queued (outbox #%" PRId64 ")", id->number, oid);
	return 0;
}

/* Tells the district staff; the SMS is ASCII, one part. */
static int
announce(const struct config *cfg, struct store *st, const char *period, int pdf)
{
	char text[161];
	struct notice nt = {st, text};
	int n;

	n = snprintf(text, sizeof(text), "Tinbao: bao cao %s da luu (html, xlsx%s) tai %s", period,
		     pdf ? ", pdf" : "", cfg->report.dir);
	if (n < 0 || (size_t)n >= sizeof(text))
		snprintf(text, sizeof(text),
			 "Tinbao: bao cao %s da luu (html, xlsx%s) trong thu "
			 "muc bao cao",
			 period, pdf ? ", pdf" : "");
	if (store_begin(st) == -1)
		return -1;
	if (identity_foreach(cfg, st, IDENTITY_DISTRICT, NULL, notify, &nt) != 0) {
		store_rollback(st);
		return -1;
	}
	return store_commit(st);
}

/* Files the report of year and half unless its HTML is there: 1 written,
 * 0 already there, -1. */
static int
file_period(const struct config *cfg, struct store *st, int year, int half)
{
	static const char *const words[] = {"nam", "6 thang dau nam", "6 thang cuoi nam"};
	char base[4096], path[4200], period[64];
	struct report *r;
	struct stat sb;
	int pdf;

	if (half == 0)
		snprintf(base, sizeof(base), "%s/bao-cao-%d", cfg->report.dir, year);
	else
		snprintf(base, sizeof(base), "%s/bao-cao-%d-H%d", cfg->report.dir, year, half);
	snprintf(path, sizeof(path), "%s.html", base);
	if (stat(path, &sb) == 0)
		return 0;
	if (errno != ENOENT) {
		log_warn("report: %s", path);
		return -1;
	}
	r = report_build(cfg, st, year, half);
	if (r == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s.xlsx", base);
	if (write_one(r, REPORT_XLSX, path) == -1)
		goto fail;
	snprintf(path, sizeof(path), "%s.pdf", base);
	pdf = write_one(r, REPORT_PDF, path) == 0;
	snprintf(path, sizeof(path), "%s.html", base);
	if (write_one(r, REPORT_HTML, path) == -1)
		goto fail;
	report_free(r);
	snprintf(period, sizeof(period), "%s %d", words[half], year);
	log_info("report: %s filed in %s", period, cfg->report.dir);
	if (announce(cfg, st, period, pdf) == -1)
		return -1;
	return 1;
fail:
	report_free(r);
	return -1;
}

int
report_tick(const struct config *cfg, struct store *st, int64_t now, int64_t *retry_at)
{
	struct tm tm;
	int64_t due, next_year;
	size_t i;
	int year, deadline, rc = 0;

	if (cfg->report.dir == NULL || now < *retry_at || digest_quiet(cfg, now))
		return 0;
	clock_local(now, &tm);
	year = tm.tm_year + 1900;
	next_year = clock_from_local(year + 1, 1, 1, 0, 0);
	for (i = 0; i < cfg->reminders.ndates && rc != -1; i++) {
		deadline = cfg->reminders.dates[i];
		due = clock_from_local(year, deadline / 100, deadline % 100 + 1, 0, 0);
		if (now >= due && due < next_year)
			rc = file_period(cfg, st, year, deadline / 100 <= 6 ? 1 : 2);
	}
	if (rc != -1 && now >= clock_from_local(year, 12, 31, 0, 0))
		rc = file_period(cfg, st, year, 0);
	if (rc == -1) {
		*retry_at = now + RETRY_SECONDS;
		log_warnx("report: the period's report is not filed; next attempt in an hour");
	}
	return rc == -1 ? -1 : 0;
}
