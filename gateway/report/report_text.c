/*
 * report_text.c - the report as plain text (the console, an SMS-less
 * office's printout) and as CSV (a spreadsheet's import), from the figures
 * of report.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "clock.h"
#include "config.h"
#include "log.h"
#include "parser.h"
#include "report.h"
#include "report_impl.h"
#include "store.h"

/* ---- Text ------------------------------------------------------------- */

static void
ascii(const char *s, char *buf, size_t sz)
{
	parser_ascii(s, buf, sz);
}

static const char *const text_cols[NCOLS] = {
    "Ghi danh", "Tot nghiep", "Viec lam", "Ty le VL", "Nhu cau",
    "Lao dong", "Qua DT",     "Ty le DT", "So BC",
};

static void
text_value(FILE *f, long v, int pct)
{
	char buf[32];

	if (v < 0)
		snprintf(buf, sizeof(buf), "-");
	else
		snprintf(buf, sizeof(buf), pct ? "%ld%%" : "%ld", v);
	fprintf(f, " %10s", buf);
}

static void
text_values(FILE *f, const long v[NCOLS], int ncols)
{
	int i;

	for (i = 0; i < ncols; i++)
		text_value(f, v[i], i == C_RATE || i == C_SHARE);
}

static void
text_header(FILE *f, const char *first, int width, int ncols)
{
	int i;

	fprintf(f, "%-*s", width, first);
	for (i = 0; i < ncols; i++)
		fprintf(f, " %10s", text_cols[i]);
}

static void
text_targets(FILE *f, const struct report *r)
{
	const struct config_plan *p = r->plan;
	long emp = report_percent(r->total.job, r->total.grad),
	     lab = report_percent(r->trained, r->labour);
	static const char *const band[] = {"duoi ke hoach", "dat ke hoach", "vuot ke hoach"};

	if (p == NULL) {
		fprintf(f,
			"CHI TIEU KE HOACH NAM %d: chua co (cau hinh chua co ke hoach nam nay)\n",
			r->year);
		fprintf(f, "  Hoc vien luy ke nam %d den het ky:  %ld\n", r->year, r->ytd);
		return;
	}
	fprintf(f, "CHI TIEU KE HOACH NAM %d\n", p->year);
	fprintf(f, "  Hoc vien luy ke nam %d den het ky:  %ld  (KH %d-%d: %s)\n", r->year, r->ytd,
		p->trained_min, p->trained_max, band[report_against_band(r) + 1]);
	fprintf(f, "    trong ky: %ld, trong do khoa duoi 3 thang (D3T): %ld\n", r->total.enrol,
		r->short_enrol);
	if (emp < 0)
		fprintf(f, "  Ty le co viec lam sau dao tao:  -  (KH %d%%)\n", p->employed_pct);
	else
		fprintf(f, "  Ty le co viec lam sau dao tao:  %ld%%  (KH %d%%: %s)\n", emp,
			p->employed_pct, emp >= p->employed_pct ? "dat" : "chua dat");
	if (lab < 0)
		fprintf(f, "  Ty le lao dong qua dao tao:  -  (KH %d%%)\n", p->labour_trained_pct);
	else
		fprintf(f, "  Ty le lao dong qua dao tao:  %ld%%  (KH %d%%: %s)\n", lab,
			p->labour_trained_pct, lab >= p->labour_trained_pct ? "dat" : "chua dat");
}

static void
text_communes(FILE *f, const struct report *r)
{
	const struct rcommune *c;
	char name[NAME_BUF];
	long v[NCOLS];
	size_t i;

	fprintf(f, "\nTHEO XA\n");
	text_header(f, "Ma    Xa", 24, NCOLS);
	fprintf(f, " %10s\n", "KH xa");
	for (i = 0; i < r->ncommunes; i++) {
		c = &r->communes[i];
		ascii(c->name, name, sizeof(name));
		report_commune_values(c, v);
		fprintf(f, "%-5s %-18.18s", c->code, name);
		text_values(f, v, NCOLS);
		text_value(f, c->plan > 0 ? c->plan : -1, 0);
		fprintf(f, "\n");
	}
	report_district_values(r, v);
	fprintf(f, "%-24s", "TONG");
	text_values(f, v, NCOLS);
	fprintf(f, "\n");
}

static void
text_trades(FILE *f, const struct report *r)
{
	const struct rtrade *t;
	char name[NAME_BUF];
	long v[NCOLS];
	size_t i;

	fprintf(f, "\nTHEO NGHE\n");
	text_header(f, "Ma        Nghe", 40, C_NEED + 1);
	fprintf(f, "  Cap\n");
	for (i = 0; i < r->ntrades; i++) {
		t = &r->trades[i];
		if (report_empty(&t->c))
			continue;
		ascii(t->name, name, sizeof(name));
		report_values(&t->c, v);
		fprintf(f, "%-9s %-30.30s", t->code, name);
		text_values(f, v, C_NEED + 1);
		fprintf(f, "  %s\n", t->level[0] != '\0' ? t->level : "-");
	}
	report_values(&r->total, v);
	fprintf(f, "%-40s", "TONG");
	text_values(f, v, C_NEED + 1);
	fprintf(f, "\n");
}

static void
text_cells(FILE *f, const struct report *r)
{
	const struct counts *cell;
	char name[NAME_BUF];
	long v[NCOLS];
	size_t i, j;

	fprintf(f, "\nTHEO XA VA NGHE\n");
	text_header(f, "Ma    Xa                 Nghe", 34, C_NEED + 1);
	fprintf(f, "\n");
	for (i = 0; i < r->ncommunes; i++) {
		for (j = 0; j < r->ntrades; j++) {
			cell = &r->cells[i * r->ntrades + j];
			if (report_empty(cell))
				continue;
			ascii(r->communes[i].name, name, sizeof(name));
			report_values(cell, v);
			fprintf(f, "%-5s %-18.18s %-9s", r->communes[i].code, name,
				r->trades[j].code);
			text_values(f, v, C_NEED + 1);
			fprintf(f, "\n");
		}
	}
}

static void
text_silent(FILE *f, const struct report *r)
{
	char name[NAME_BUF];
	size_t i, n = report_never_reported(r), k = 0;

	fprintf(f, "\nXA CHUA BAO CAO TRONG KY (%zu)%s", n, n > 0 ? ":" : "");
	for (i = 0; i < r->ncommunes; i++) {
		if (!r->communes[i].configured || r->communes[i].reports > 0)
			continue;
		ascii(r->communes[i].name, name, sizeof(name));
		fprintf(f, "%s %s (%s)", k++ > 0 ? "," : "", name, r->communes[i].code);
	}
	fprintf(f, "\nBao cao da huy, khong tinh: %ld\n", r->cancelled);
}

void
report_checks_write(const struct report *r, FILE *f)
{
	char line[2 * NAME_BUF];
	size_t i;

	for (i = 0; i < r->nchecks; i++) {
		report_check_words(r, &r->checks[i], 1, line, sizeof(line));
		fprintf(f, "warning: %s\n", line);
	}
}

/* Reported as sent: the figures that look wrong are only named. */
static void
text_checks(FILE *f, const struct report *r)
{
	char line[2 * NAME_BUF];
	size_t i;

	fprintf(f, "\nSO LIEU CAN XEM LAI (%zu)\n", r->nchecks);
	for (i = 0; i < r->nchecks; i++) {
		report_check_words(r, &r->checks[i], 1, line, sizeof(line));
		fprintf(f, "  %s\n", line);
	}
}

void
report_write_text(const struct report *r, FILE *f)
{
	char period[16], from[16], to[16], made[32];
	struct tm tm;

	report_period_name(r, period, sizeof(period));
	report_period_days(r->year, r->half, from, to, sizeof(from));
	clock_local(r->made, &tm);
	strftime(made, sizeof(made), "%Y-%m-%d %H:%M", &tm);
	fprintf(f, "BAO CAO DAO TAO NGHE - KY %s (%s den %s)\n", period, from, to);
	fprintf(f, "Lap luc %s (gio Viet Nam), tu %ld bao cao.\n\n", made, r->reports);
	text_targets(f, r);
	text_communes(f, r);
	text_trades(f, r);
	text_cells(f, r);
	text_silent(f, r);
	text_checks(f, r);
}

/* ---- CSV -------------------------------------------------------------- */

static const char csv_header[] =
    "period,row,commune_code,commune,trade_code,trade,level,enrolled,completed,employed,"
    "employment_rate_pct,demand,labour_force,trained_labour,trained_share_pct,reports,"
    "cancelled_reports,plan_trained,plan_trained_max,plan_employment_pct,"
    "plan_trained_share_pct,year_to_date_enrolled";

/* A text field, quoted when it must be. */
static void
csv_str(FILE *f, char sep, const char *s)
{
	const char special[] = {sep, '"', '\r', '\n', '\0'};
	const char *p;

	fputc(sep, f);
	if (s == NULL)
		return;
	if (strpbrk(s, special) == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (p = s; *p != '\0'; p++) {
		if (*p == '"')
			fputc('"', f);
		fputc(*p, f);
	}
	fputc('"', f);
}

/* A number, or an empty field for "no value". */
static void
csv_num(FILE *f, char sep, long v)
{
	if (v < 0)
		fputc(sep, f);
	else
		fprintf(f, "%c%ld", sep, v);
}

/* period,row,commune_code,commune,trade_code,trade,level */
static void
csv_keys(FILE *f, const struct report *r, const char *row, const struct rcommune *c,
	 const struct rtrade *t)
{
	char period[16];

	report_period_name(r, period, sizeof(period));
	fputs(period, f);
	csv_str(f, r->csv_sep, row);
	csv_str(f, r->csv_sep, c != NULL ? c->code : NULL);
	csv_str(f, r->csv_sep, c != NULL ? c->name : NULL);
	csv_str(f, r->csv_sep, t != NULL ? t->code : NULL);
	csv_str(f, r->csv_sep, t != NULL ? t->name : NULL);
	csv_str(f, r->csv_sep, t != NULL ? t->level : NULL);
}

/* The figures, then cancelled_reports and the plan columns. */
static void
csv_values(FILE *f, char sep, const long v[NCOLS], long cancelled, long plan, long plan_max,
	   long plan_emp, long plan_share, long ytd)
{
	int i;

	for (i = 0; i < NCOLS; i++)
		csv_num(f, sep, v[i]);
	csv_num(f, sep, cancelled);
	csv_num(f, sep, plan);
	csv_num(f, sep, plan_max);
	csv_num(f, sep, plan_emp);
	csv_num(f, sep, plan_share);
	csv_num(f, sep, ytd);
	fputs("\r\n", f);
}

void
report_write_csv(const struct report *r, FILE *f)
{
	const struct counts *cell;
	long v[NCOLS];
	size_t i, j;

	fputs("\xef\xbb\xbf", f);
	for (i = 0; csv_header[i] != '\0'; i++)
		fputc(csv_header[i] == ',' ? r->csv_sep : csv_header[i], f);
	fputs("\r\n", f);
	for (i = 0; i < r->ncommunes; i++) {
		csv_keys(f, r, "commune", &r->communes[i], NULL);
		report_commune_values(&r->communes[i], v);
		csv_values(f, r->csv_sep, v, r->communes[i].cancelled,
			   r->communes[i].plan > 0 ? r->communes[i].plan : -1, -1, -1, -1, -1);
	}
	/* Every trade, figures or not: programs reading it rely on the rows. */
	for (j = 0; j < r->ntrades; j++) {
		csv_keys(f, r, "trade", NULL, &r->trades[j]);
		report_values(&r->trades[j].c, v);
		csv_values(f, r->csv_sep, v, -1, -1, -1, -1, -1, -1);
	}
	for (i = 0; i < r->ncommunes; i++) {
		for (j = 0; j < r->ntrades; j++) {
			cell = &r->cells[i * r->ntrades + j];
			if (report_empty(cell))
				continue;
			csv_keys(f, r, "commune_trade", &r->communes[i], &r->trades[j]);
			report_values(cell, v);
			csv_values(f, r->csv_sep, v, -1, -1, -1, -1, -1, -1);
		}
	}
	csv_keys(f, r, "district", NULL, NULL);
	report_district_values(r, v);
	/* No plan for the year: empty target cells. */
	if (r->plan == NULL)
		csv_values(f, r->csv_sep, v, r->cancelled, -1, -1, -1, -1, r->ytd);
	else
		csv_values(f, r->csv_sep, v, r->cancelled, r->plan->trained_min,
			   r->plan->trained_max, r->plan->employed_pct, r->plan->labour_trained_pct,
			   r->ytd);
}
