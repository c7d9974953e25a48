/*
 * cmd-report.c - what the reports say: tinbao reports lists the stored
 * reports one a line; tinbao report prints or writes the plan report of a
 * half-year or a year for district staff (see report.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "report.h"
#include "store.h"

/* ---- reports ---------------------------------------------------------- */

static void
print_cell(const char *text, int width)
{
	char s[512];
	int chars = 0;
	const char *p;

	log_escape(text, s, sizeof(s));
	for (p = s; *p != '\0'; p++)
		if (((unsigned char)*p & 0xc0) != 0x80)
			chars++;
	printf("%s%*s  ", s, width > chars ? width - chars : 0, "");
}

static int
print_report(void *arg, const struct store_report_row *r)
{
	char when[32], num[64], sender[4 * sizeof(r->sender)];
	struct tm tm;
	int *count = arg;

	/* Vietnam time, like every time tinbao shows, whatever the machine's TZ. */
	clock_local(r->created, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	printf("%6" PRId64 "  %s  %-8s  %d-H%d  ", r->ref, when, r->kind, r->year, r->half);
	print_cell(r->commune_code, 5);
	print_cell(r->commune, 12);
	print_cell(r->trade_code[0] ? r->trade_code : "-", 9);
	if (strcmp(r->kind, "labour") == 0)
		snprintf(num, sizeof(num), "%ld/%ld", r->trained, r->count);
	else
		snprintf(num, sizeof(num), "%ld", r->count);
	printf("%9s  %-13s%s\n", num, log_escape(r->sender, sender, sizeof(sender)),
	       r->cancelled ? "  (cancelled)" : "");
	(*count)++;
	return 0;
}

int
cli_reports(const char *conf, int argc, char **argv)
{
	struct config *cfg;
	struct store *st;
	int count = 0, status = 1;

	if (argc != 1)
		return cli_usage("reports");
	if (cli_open(conf, STORE_READONLY, &cfg, &st) == -1)
		return 1;
	printf("%6s  %-16s  %-8s  %-7s  %-5s  %-12s  %-9s  %9s  %s\n", "ref", "received", "kind",
	       "period", "code", "commune", "trade", "count", "sender");
	if (store_reports_foreach(st, print_report, &count) == 0) {
		printf("%d report%s\n", count, count == 1 ? "" : "s");
		status = 0;
	}
	store_close(st);
	config_free(cfg);
	return status;
}

/* ---- report ----------------------------------------------------------- */

/* Writes FILE.tmp and renames it over FILE: a failed run leaves no half file. */
static int
report_to_file(const struct report *r, enum report_format fmt, const char *path)
{
	char tmp[4096];
	FILE *f;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		fprintf(stderr, "tinbao: report: %s: name too long\n", path);
		return -1;
	}
	f = fopen(tmp, "w");
	if (f == NULL) {
		fprintf(stderr, "tinbao: report: %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	if (report_write(r, fmt, f) == -1 || fclose(f) == EOF) {
		fprintf(stderr, "tinbao: report: cannot write %s\n", tmp);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) == -1) {
		fprintf(stderr, "tinbao: report: %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int
cli_report(const char *conf, int argc, char **argv)
{
	const char *period = NULL, *format = "text", *output = NULL, *sep = NULL;
	enum report_format fmt;
	struct config *cfg;
	struct store *st = NULL;
	struct report *r = NULL;
	const struct cli_option opts[] = {{"--period", &period, NULL},
					  {"--format", &format, NULL},
					  {"--output", &output, NULL},
					  {"--csv-sep", &sep, NULL}};
	int year, half, status = 1;

	if (cli_options(argc, argv, 1, opts, sizeof(opts) / sizeof(opts[0])) == -1 ||
	    period == NULL || report_parse_period(period, &year, &half) == -1 ||
	    report_parse_format(format, &fmt) == -1)
		return cli_usage(
		    "report --period YYYY-H1|YYYY-H2|YYYY "
		    "[--format text|csv|html|xlsx|pdf] [--csv-sep ,|;] [--output FILE]");
	cfg = cli_config(conf);
	if (cfg == NULL)
		return 1;
	cli_quiet();
	st = store_open(cfg->database, STORE_READONLY);
	if (st == NULL)
		goto done;
	r = report_build(cfg, st, year, half);
	if (r == NULL)
		goto done;
	if (sep != NULL && report_set_csv_separator(r, sep) == -1) {
		fprintf(stderr, "tinbao: report: --csv-sep must be \",\" or \";\"\n");
		goto done;
	}
	/* Like check-config: the figures that look wrong, on stderr. */
	report_checks_write(r, stderr);
	if (output == NULL)
		status = report_write(r, fmt, stdout) == 0 ? 0 : 1;
	else
		status = report_to_file(r, fmt, output) == 0 ? 0 : 1;
done:
	report_free(r);
	store_close(st);
	config_free(cfg);
	return status;
}
