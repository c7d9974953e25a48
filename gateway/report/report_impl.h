/*
 * report_impl.h - what the report's writers share (gateway/report*.c): the
 * table of figures report_build() fills, and the helpers every form takes
 * its numbers from, so that the forms cannot disagree.  Not for callers of
 * report.h.
 */
#ifndef TINBAO_REPORT_IMPL_H
#define TINBAO_REPORT_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "report.h"

struct config;

#define NAME_BUF 160

struct counts {
	long enrol, grad, job, need;
};

struct rcommune {
	const char *code;
	const char *name; /* UTF-8 */
	int township;	  /* thi tran */
	int configured;
	int plan; /* its share of the trainees, 0: none */
	long reports, cancelled;
	int has_labour;
	long labour, trained;
	struct counts c;
	/* Trainees of the half-year before and of this one (for a year: the
	 * first and the second half), for the tenfold-jump check. */
	long enrol_before, enrol_after;
};

struct rtrade {
	const char *code;
	const char *name;
	const char *level; /* "D3T", "SC", or "" when not configured */
	struct counts c;
};

/* A row of report_sums, copied. */
struct srow {
	char *commune, *kind, *trade;
	long reports, count, trained;
	long cancelled;
};

/* A figure that cannot be right as sent: the report shows it as sent and
 * says so. */
enum check_kind {
	CHECK_GRAD_OVER_ENROL, /* a: completed, b: enrolled */
	CHECK_JOB_OVER_GRAD,   /* a: employed, b: completed */
	CHECK_SHARE_OVER_100,  /* a: trained labour, b: labour force */
	CHECK_JUMP,	       /* a: trainees now, b: the half-year before */
};

struct rcheck {
	enum check_kind kind;
	size_t commune;
	long a, b;
};

struct report {
	const struct config *cfg;
	int year, half;
	/* The targets the year's figures are compared with: the plan of that
	 * year, or NULL when the configuration has none for it (the figures
	 * are shown, compared with nothing). */
	const struct config_plan *plan;
	int64_t made;
	struct rcommune *communes;
	size_t ncommunes;
	struct rtrade *trades;
	size_t ntrades;
	struct counts *cells; /* [commune * ntrades + trade] */
	struct counts total;
	long labour, trained, reports, cancelled;
	long ytd;	  /* trainees of the year up to the end of the period */
	long short_enrol; /* of which in courses under 3 months (D3T) */
	struct srow *rows;
	size_t nrows;
	struct rcheck *checks;
	size_t nchecks;
	char csv_sep; /* ',' or ';' */
};

/* The numbers of a row, in the order every form shows them. */
enum col { C_ENROL, C_GRAD, C_JOB, C_RATE, C_NEED, C_LABOUR, C_TRAINED, C_SHARE, C_REPORTS, NCOLS };

/* "YYYY-MM-DD" of the period's first and last days. */
void report_period_days(int year, int half, char *from, char *to, size_t sz);
/* "2022-H1" or "2022". */
void report_period_name(const struct report *r, char *buf, size_t sz);
/* "6 tháng đầu năm 2022", "6 tháng cuối năm 2022", "năm 2022" (UTF-8), or
 * without diacritics when ascii. */
void report_period_words(const struct report *r, int ascii, char *buf, size_t sz);

/* A whole percent, rounded down; -1 when there is nothing to divide by. */
long report_percent(long part, long whole);
/* -1 for "no value" (a rate without its base, no labour report). */
void report_values(const struct counts *c, long v[NCOLS]);
void report_commune_values(const struct rcommune *c, long v[NCOLS]);
void report_district_values(const struct report *r, long v[NCOLS]);
int report_empty(const struct counts *c);
/* The counts of commune i in trade j, their values in v; NULL (v
 * untouched) when that cell has no figures. */
const struct counts *report_cell(const struct report *r, size_t i, size_t j, long v[NCOLS]);
size_t report_never_reported(const struct report *r);
/* Where the trainees stand against the plan: -1 under, 0 within, 1 over. */
int report_against_band(const struct report *r);
/* Trades with no figure in the period, which the tables leave out. */
size_t report_trades_left_out(const struct report *r);

/* Vietnamese numbers: thousands with '.' ("1.559"); a rate with one
 * decimal after ',' when it is not whole ("84,6%", "80%"), rounded down
 * like report_percent, "-" without a base. */
void report_vn_number(long v, char *buf, size_t sz);
void report_vn_rate(long part, long whole, char *buf, size_t sz);

/* One check as a sentence: Vietnamese (UTF-8), or without diacritics. */
/* The text and CSV forms (report_text.c). */
void report_write_text(const struct report *r, FILE *f);
void report_write_csv(const struct report *r, FILE *f);
void report_check_words(const struct report *r, const struct rcheck *c, int ascii, char *buf,
			size_t sz);

/* A new private folder under TMPDIR (or /tmp), into buf; 0 or -1.  Removed
 * with everything in it by report_tmpdir_remove. */
int report_tmpdir_new(char *buf, size_t sz);
void report_tmpdir_remove(const char *dir);
/* Copies the file at path to out; 0 or -1 (logged). */
int report_copy_file(const char *path, FILE *out);

/* The forms; each 0, or -1 (logged). */
int report_write_html(const struct report *r, FILE *f);
/* The HTML report's charts alone (inline SVG, no external assets), for a
 * page of the console, and the stylesheet rules they need. */
void report_write_charts(const struct report *r, FILE *f);
extern const char report_chart_style[];
int report_write_xlsx(const struct report *r, FILE *f);
int report_write_pdf(const struct report *r, FILE *f);

#endif
