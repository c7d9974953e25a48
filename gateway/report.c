/*
 * report.c - see report.h.
 *
 * report_build() reads report_sums (one row per commune, kind and trade of
 * the period, whatever the number of reports) and the latest LABOUR report
 * of each commune, into a table of communes x trades.  The writers only
 * format that table; the three forms take their figures from the same
 * helpers, so they cannot disagree.
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
#include "store.h"

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
	long reports, count, trained, cancelled;
};

struct report {
	const struct config *cfg;
	int year, half;
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
};

/* ---- Periods ---------------------------------------------------------- */

int
report_parse_period(const char *s, int *year, int *half)
{
	size_t n = strlen(s);

	if (n < 4 || strspn(s, "0123456789") != 4)
		return -1;
	*year = atoi(s);
	if (*year < 2000 || *year > 2100)
		return -1;
	if (n == 4) {
		*half = 0;
		return 0;
	}
	if (n == 7 && s[4] == '-' && (s[5] == 'H' || s[5] == 'h') && (s[6] == '1' || s[6] == '2')) {
		*half = s[6] - '0';
		return 0;
	}
	return -1;
}

int
report_parse_format(const char *s, enum report_format *fmt)
{
	if (strcmp(s, "text") == 0)
		*fmt = REPORT_TEXT;
	else if (strcmp(s, "csv") == 0)
		*fmt = REPORT_CSV;
	else if (strcmp(s, "html") == 0)
		*fmt = REPORT_HTML;
	else
		return -1;
	return 0;
}

/* "YYYY-MM-DD" of the period's first and last days. */
static void
period_days(int year, int half, char *from, char *to, size_t sz)
{
	snprintf(from, sz, "%04d-%s", year, half == 2 ? "07-01" : "01-01");
	snprintf(to, sz, "%04d-%s", year, half == 1 ? "06-30" : "12-31");
}

/* "2022-H1" or "2022". */
static void
period_name(const struct report *r, char *buf, size_t sz)
{
	if (r->half == 0)
		snprintf(buf, sz, "%d", r->year);
	else
		snprintf(buf, sz, "%d-H%d", r->year, r->half);
}

/* ---- Building --------------------------------------------------------- */

static int
keep_row(void *arg, const struct store_sum *s)
{
	struct report *r = arg;
	struct srow *v, *row;

	v = reallocarray(r->rows, r->nrows + 1, sizeof(*v));
	if (v == NULL)
		goto oom;
	r->rows = v;
	row = &v[r->nrows];
	memset(row, 0, sizeof(*row));
	row->commune = strdup(s->commune_code);
	row->kind = strdup(s->kind);
	row->trade = s->trade_code != NULL ? strdup(s->trade_code) : NULL;
	row->reports = s->reports;
	row->count = s->count;
	row->trained = s->trained;
	row->cancelled = s->cancelled;
	r->nrows++;
	if (row->commune == NULL || row->kind == NULL ||
	    (s->trade_code != NULL && row->trade == NULL))
		goto oom;
	return 0;
oom:
	log_warn("report");
	return -1;
}

static int
find_commune(const struct report *r, const char *code)
{
	size_t i;

	for (i = 0; i < r->ncommunes; i++) {
		if (strcmp(r->communes[i].code, code) == 0)
			return (int)i;
	}
	return -1;
}

static int
find_trade(const struct report *r, const char *code)
{
	size_t i;

	for (i = 0; i < r->ntrades; i++) {
		if (strcmp(r->trades[i].code, code) == 0)
			return (int)i;
	}
	return -1;
}

static void
add_configured_commune(struct report *r, const struct config_commune *c)
{
	struct rcommune *rc = &r->communes[r->ncommunes++];

	rc->code = c->code;
	rc->name = c->name;
	rc->township = strcmp(c->type, "tt") == 0;
	rc->configured = 1;
	rc->plan = c->plan_trained;
}

/* The communes: the configured ones that exist during the period, then
 * the configured ones that don't but have reports, then unknown codes. */
static void
list_communes(struct report *r)
{
	const struct config *cfg = r->cfg;
	char from[16], to[16];
	size_t i;
	int c;

	period_days(r->year, r->half, from, to, sizeof(from));
	for (i = 0; i < cfg->ncommunes; i++) {
		if (strcmp(cfg->communes[i].valid_from, to) <= 0 &&
		    strcmp(cfg->communes[i].valid_to, from) >= 0)
			add_configured_commune(r, &cfg->communes[i]);
	}
	for (i = 0; i < r->nrows; i++) {
		if (find_commune(r, r->rows[i].commune) >= 0)
			continue;
		for (c = 0; c < (int)cfg->ncommunes; c++) {
			if (strcmp(cfg->communes[c].code, r->rows[i].commune) == 0)
				break;
		}
		if (c < (int)cfg->ncommunes) {
			add_configured_commune(r, &cfg->communes[c]);
			continue;
		}
		r->communes[r->ncommunes].code = r->rows[i].commune;
		r->communes[r->ncommunes].name = r->rows[i].commune;
		r->ncommunes++;
	}
}

static void
list_trades(struct report *r)
{
	const struct config *cfg = r->cfg;
	struct rtrade *t;
	size_t i;

	for (i = 0; i < cfg->ntrades; i++) {
		t = &r->trades[r->ntrades++];
		t->code = cfg->trades[i].code;
		t->name = cfg->trades[i].name;
		t->level = cfg->trades[i].level;
	}
	for (i = 0; i < r->nrows; i++) {
		if (r->rows[i].trade == NULL || find_trade(r, r->rows[i].trade) >= 0)
			continue;
		t = &r->trades[r->ntrades++];
		t->code = t->name = r->rows[i].trade;
		t->level = "";
	}
}

static void
add_count(struct counts *c, const char *kind, long n)
{
	if (strcmp(kind, "enrol") == 0)
		c->enrol += n;
	else if (strcmp(kind, "grad") == 0)
		c->grad += n;
	else if (strcmp(kind, "job") == 0)
		c->job += n;
	else if (strcmp(kind, "need") == 0)
		c->need += n;
}

static void
add_counts(struct counts *to, const struct counts *c)
{
	to->enrol += c->enrol;
	to->grad += c->grad;
	to->job += c->job;
	to->need += c->need;
}

/* Puts the rows into the table; the sums of communes, trades and district. */
static void
tally(struct report *r)
{
	const struct srow *row;
	struct rcommune *c;
	size_t i;
	int t;

	for (i = 0; i < r->nrows; i++) {
		row = &r->rows[i];
		c = &r->communes[find_commune(r, row->commune)];
		c->reports += row->reports;
		c->cancelled += row->cancelled;
		if (row->trade == NULL)
			continue;
		t = find_trade(r, row->trade);
		add_count(&r->cells[(size_t)(c - r->communes) * r->ntrades + (size_t)t], row->kind,
			  row->count);
		add_count(&c->c, row->kind, row->count);
		add_count(&r->trades[t].c, row->kind, row->count);
		if (strcmp(row->kind, "enrol") == 0 && strcmp(r->trades[t].level, "D3T") == 0)
			r->short_enrol += row->count;
	}
	for (i = 0; i < r->ncommunes; i++) {
		c = &r->communes[i];
		add_counts(&r->total, &c->c);
		r->reports += c->reports;
		r->cancelled += c->cancelled;
		r->labour += c->labour;
		r->trained += c->trained;
	}
}

static int
read_labour(struct report *r, struct store *st)
{
	struct rcommune *c;
	size_t i;
	int found;

	for (i = 0; i < r->ncommunes; i++) {
		c = &r->communes[i];
		found = store_labour_latest(st, c->code, r->year, r->half, &c->labour, &c->trained);
		if (found == -1)
			return -1;
		c->has_labour = found;
	}
	return 0;
}

static int
add_ytd(void *arg, const struct store_sum *s)
{
	long *ytd = arg;

	if (strcmp(s->kind, "enrol") == 0)
		*ytd += s->count;
	return 0;
}

static int
read_ytd(struct report *r, struct store *st)
{
	r->ytd = 0;
	if (r->half == 1)
		return store_sums_foreach(st, r->year, 1, add_ytd, &r->ytd);
	return store_sums_foreach(st, r->year, 0, add_ytd, &r->ytd);
}

struct report *
report_build(const struct config *cfg, struct store *st, int year, int half)
{
	struct report *r;

	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		log_warn("report");
		return NULL;
	}
	r->cfg = cfg;
	r->year = year;
	r->half = half;
	r->made = clock_now();
	if (store_sums_foreach(st, year, half, keep_row, r) == -1)
		goto fail;
	/* At most one commune and one trade per row besides the configured. */
	r->communes = calloc(cfg->ncommunes + r->nrows + 1, sizeof(*r->communes));
	r->trades = calloc(cfg->ntrades + r->nrows + 1, sizeof(*r->trades));
	if (r->communes == NULL || r->trades == NULL) {
		log_warn("report");
		goto fail;
	}
	list_communes(r);
	list_trades(r);
	r->cells = calloc(r->ncommunes * r->ntrades + 1, sizeof(*r->cells));
	if (r->cells == NULL) {
		log_warn("report");
		goto fail;
	}
	if (read_labour(r, st) == -1 || read_ytd(r, st) == -1)
		goto fail;
	tally(r);
	return r;

fail:
	report_free(r);
	return NULL;
}

void
report_free(struct report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nrows; i++) {
		free(r->rows[i].commune);
		free(r->rows[i].kind);
		free(r->rows[i].trade);
	}
	free(r->rows);
	free(r->communes);
	free(r->trades);
	free(r->cells);
	free(r);
}

/* ---- Figures common to every form ------------------------------------- */

/* A whole percent, rounded down; -1 when there is nothing to divide by. */
static long
percent(long part, long whole)
{
	return whole > 0 ? part * 100 / whole : -1;
}

/* The numbers of a row, in the order every form shows them. */
enum col { C_ENROL, C_GRAD, C_JOB, C_RATE, C_NEED, C_LABOUR, C_TRAINED, C_SHARE, C_REPORTS, NCOLS };

/* -1 for "no value" (a rate without its base, no labour report). */
static void
values(const struct counts *c, long v[NCOLS])
{
	int i;

	for (i = 0; i < NCOLS; i++)
		v[i] = -1;
	v[C_ENROL] = c->enrol;
	v[C_GRAD] = c->grad;
	v[C_JOB] = c->job;
	v[C_RATE] = percent(c->job, c->grad);
	v[C_NEED] = c->need;
}

static void
commune_values(const struct rcommune *c, long v[NCOLS])
{
	values(&c->c, v);
	if (c->has_labour) {
		v[C_LABOUR] = c->labour;
		v[C_TRAINED] = c->trained;
		v[C_SHARE] = percent(c->trained, c->labour);
	}
	v[C_REPORTS] = c->reports;
}

static void
district_values(const struct report *r, long v[NCOLS])
{
	values(&r->total, v);
	v[C_LABOUR] = r->labour;
	v[C_TRAINED] = r->trained;
	v[C_SHARE] = percent(r->trained, r->labour);
	v[C_REPORTS] = r->reports;
}

static int
empty(const struct counts *c)
{
	return c->enrol == 0 && c->grad == 0 && c->job == 0 && c->need == 0;
}

static size_t
never_reported(const struct report *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->ncommunes; i++)
		n += r->communes[i].configured && r->communes[i].reports == 0;
	return n;
}

/* Where the trainees stand against the plan: -1 under, 0 within, 1 over. */
static int
against_band(const struct report *r)
{
	if (r->ytd < r->cfg->plan.trained_min)
		return -1;
	return r->ytd > r->cfg->plan.trained_max ? 1 : 0;
}

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
	const struct config_plan *p = &r->cfg->plan;
	long emp = percent(r->total.job, r->total.grad), lab = percent(r->trained, r->labour);
	static const char *const band[] = {"duoi ke hoach", "dat ke hoach", "vuot ke hoach"};

	fprintf(f, "CHI TIEU KE HOACH NAM %d\n", p->year);
	fprintf(f, "  Hoc vien luy ke nam %d den het ky:  %ld  (KH %d-%d: %s)\n", r->year, r->ytd,
		p->trained_min, p->trained_max, band[against_band(r) + 1]);
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
		commune_values(c, v);
		fprintf(f, "%-5s %-18.18s", c->code, name);
		text_values(f, v, NCOLS);
		text_value(f, c->plan > 0 ? c->plan : -1, 0);
		fprintf(f, "\n");
	}
	district_values(r, v);
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
		ascii(t->name, name, sizeof(name));
		values(&t->c, v);
		fprintf(f, "%-9s %-30.30s", t->code, name);
		text_values(f, v, C_NEED + 1);
		fprintf(f, "  %s\n", t->level[0] != '\0' ? t->level : "-");
	}
	values(&r->total, v);
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
			if (empty(cell))
				continue;
			ascii(r->communes[i].name, name, sizeof(name));
			values(cell, v);
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
	size_t i, n = never_reported(r), k = 0;

	fprintf(f, "\nXA CHUA BAO CAO TRONG KY (%zu)%s", n, n > 0 ? ":" : "");
	for (i = 0; i < r->ncommunes; i++) {
		if (!r->communes[i].configured || r->communes[i].reports > 0)
			continue;
		ascii(r->communes[i].name, name, sizeof(name));
		fprintf(f, "%s %s (%s)", k++ > 0 ? "," : "", name, r->communes[i].code);
	}
	fprintf(f, "\nBao cao da huy, khong tinh: %ld\n", r->cancelled);
}

static void
write_text(const struct report *r, FILE *f)
{
	char period[16], from[16], to[16], made[32];
	struct tm tm;

	period_name(r, period, sizeof(period));
	period_days(r->year, r->half, from, to, sizeof(from));
	clock_local(r->made, &tm);
	strftime(made, sizeof(made), "%Y-%m-%d %H:%M", &tm);
	fprintf(f, "BAO CAO DAO TAO NGHE - KY %s (%s den %s)\n", period, from, to);
	fprintf(f, "Lap luc %s (gio Viet Nam), tu %ld bao cao.\n\n", made, r->reports);
	text_targets(f, r);
	text_communes(f, r);
	text_trades(f, r);
	text_cells(f, r);
	text_silent(f, r);
}

/* ---- CSV -------------------------------------------------------------- */

static const char csv_header[] =
    "period,row,commune_code,commune,trade_code,trade,level,enrolled,completed,employed,"
    "employment_rate_pct,demand,labour_force,trained_labour,trained_share_pct,reports,"
    "cancelled_reports,plan_trained,plan_trained_max,plan_employment_pct,"
    "plan_trained_share_pct,year_to_date_enrolled";

/* A text field, quoted when it must be. */
static void
csv_str(FILE *f, const char *s)
{
	const char *p;

	fputc(',', f);
	if (s == NULL)
		return;
	if (strpbrk(s, ",\"\r\n") == NULL) {
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
csv_num(FILE *f, long v)
{
	if (v < 0)
		fputc(',', f);
	else
		fprintf(f, ",%ld", v);
}

/* period,row,commune_code,commune,trade_code,trade,level */
static void
csv_keys(FILE *f, const struct report *r, const char *row, const struct rcommune *c,
	 const struct rtrade *t)
{
	char period[16];

	period_name(r, period, sizeof(period));
	fputs(period, f);
	csv_str(f, row);
	csv_str(f, c != NULL ? c->code : NULL);
	csv_str(f, c != NULL ? c->name : NULL);
	csv_str(f, t != NULL ? t->code : NULL);
	csv_str(f, t != NULL ? t->name : NULL);
	csv_str(f, t != NULL ? t->level : NULL);
}

/* The figures, then cancelled_reports and the plan columns. */
static void
csv_values(FILE *f, const long v[NCOLS], long cancelled, long plan, long plan_max, long plan_emp,
	   long plan_share, long ytd)
{
	int i;

	for (i = 0; i < NCOLS; i++)
		csv_num(f, v[i]);
	csv_num(f, cancelled);
	csv_num(f, plan);
	csv_num(f, plan_max);
	csv_num(f, plan_emp);
	csv_num(f, plan_share);
	csv_num(f, ytd);
	fputs("\r\n", f);
}

static void
write_csv(const struct report *r, FILE *f)
{
	const struct config_plan *p = &r->cfg->plan;
	const struct counts *cell;
	long v[NCOLS];
	size_t i, j;

	fputs("\xef\xbb\xbf", f);
	fputs(csv_header, f);
	fputs("\r\n", f);
	for (i = 0; i < r->ncommunes; i++) {
		csv_keys(f, r, "commune", &r->communes[i], NULL);
		commune_values(&r->communes[i], v);
		csv_values(f, v, r->communes[i].cancelled,
			   r->communes[i].plan > 0 ? r->communes[i].plan : -1, -1, -1, -1, -1);
	}
	for (j = 0; j < r->ntrades; j++) {
		csv_keys(f, r, "trade", NULL, &r->trades[j]);
		values(&r->trades[j].c, v);
		csv_values(f, v, -1, -1, -1, -1, -1, -1);
	}
	for (i = 0; i < r->ncommunes; i++) {
		for (j = 0; j < r->ntrades; j++) {
			cell = &r->cells[i * r->ntrades + j];
			if (empty(cell))
				continue;
			csv_keys(f, r, "commune_trade", &r->communes[i], &r->trades[j]);
			values(cell, v);
			csv_values(f, v, -1, -1, -1, -1, -1, -1);
		}
	}
	csv_keys(f, r, "district", NULL, NULL);
	district_values(r, v);
	csv_values(f, v, r->cancelled, p->trained_min, p->trained_max, p->employed_pct,
		   p->labour_trained_pct, r->ytd);
}

/* ---- HTML ------------------------------------------------------------- */

static void
html_str(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

static const char *const html_cols[NCOLS] = {
    "Ghi danh", "Tốt nghiệp",	  "Có việc làm",       "Tỷ lệ việc làm", "Nhu cầu",
    "Lao động", "LĐ qua đào tạo", "Tỷ lệ qua đào tạo", "Số báo cáo",
};

static void
html_values(FILE *f, const long v[NCOLS], int ncols)
{
	int i;

	for (i = 0; i < ncols; i++) {
		if (v[i] < 0)
			fputs("<td class=\"n\">-</td>", f);
		else
			fprintf(f, "<td class=\"n\">%ld%s</td>", v[i],
				i == C_RATE || i == C_SHARE ? "%" : "");
	}
}

static void
html_head_row(FILE *f, const char *const *first, int nfirst, int ncols, const char *last)
{
	int i;

	fputs("<tr>", f);
	for (i = 0; i < nfirst; i++)
		fprintf(f, "<th>%s</th>", first[i]);
	for (i = 0; i < ncols; i++)
		fprintf(f, "<th>%s</th>", html_cols[i]);
	if (last != NULL)
		fprintf(f, "<th>%s</th>", last);
	fputs("</tr>\n", f);
}

static void
html_communes(FILE *f, const struct report *r)
{
	static const char *const first[] = {"Mã", "Xã"};
	const struct rcommune *c;
	long v[NCOLS];
	size_t i;

	fputs("<h2>Theo xã</h2>\n<table id=\"communes\">\n", f);
	html_head_row(f, first, 2, NCOLS, "Kế hoạch xã");
	for (i = 0; i < r->ncommunes; i++) {
		c = &r->communes[i];
		commune_values(c, v);
		fprintf(f, "<tr data-row=\"commune\" data-commune=\"%s\"%s><td>%s</td><td>",
			c->code, c->configured && c->reports == 0 ? " class=\"silent\"" : "",
			c->code);
		if (c->configured)
			fputs(c->township ? "TT " : "xã ", f);
		html_str(f, c->name);
		fputs("</td>", f);
		html_values(f, v, NCOLS);
		if (c->plan > 0)
			fprintf(f, "<td class=\"n\">%d</td>", c->plan);
		else
			fputs("<td class=\"n\">-</td>", f);
		fputs("</tr>\n", f);
	}
	district_values(r, v);
	fputs("<tr data-row=\"district\" class=\"total\"><td></td><td>Toàn huyện</td>", f);
	html_values(f, v, NCOLS);
	fprintf(f, "<td class=\"n\">%d-%d</td></tr>\n</table>\n", r->cfg->plan.trained_min,
		r->cfg->plan.trained_max);
}

static void
html_trades(FILE *f, const struct report *r)
{
	static const char *const first[] = {"Mã", "Nghề", "Cấp"};
	const struct rtrade *t;
	long v[NCOLS];
	size_t i;

	fputs("<h2>Theo nghề</h2>\n<table id=\"trades\">\n", f);
	html_head_row(f, first, 3, C_NEED + 1, NULL);
	for (i = 0; i < r->ntrades; i++) {
		t = &r->trades[i];
		values(&t->c, v);
		fputs("<tr data-row=\"trade\" data-trade=\"", f);
		html_str(f, t->code);
		fputs("\"><td>", f);
		html_str(f, t->code);
		fputs("</td><td>", f);
		html_str(f, t->name);
		fprintf(f, "</td><td>%s</td>", t->level);
		html_values(f, v, C_NEED + 1);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void
html_cells(FILE *f, const struct report *r)
{
	static const char *const first[] = {"Xã", "Nghề"};
	const struct counts *cell;
	long v[NCOLS];
	size_t i, j;

	fputs("<h2>Theo xã và nghề</h2>\n<table id=\"cells\">\n", f);
	html_head_row(f, first, 2, C_NEED + 1, NULL);
	for (i = 0; i < r->ncommunes; i++) {
		for (j = 0; j < r->ntrades; j++) {
			cell = &r->cells[i * r->ntrades + j];
			if (empty(cell))
				continue;
			values(cell, v);
			fprintf(f,
				"<tr data-row=\"commune_trade\" data-commune=\"%s\" data-trade=\"",
				r->communes[i].code);
			html_str(f, r->trades[j].code);
			fputs("\"><td>", f);
			html_str(f, r->communes[i].name);
			fputs("</td><td>", f);
			html_str(f, r->trades[j].name);
			fputs("</td>", f);
			html_values(f, v, C_NEED + 1);
			fputs("</tr>\n", f);
		}
	}
	fputs("</table>\n", f);
}

static void
html_targets(FILE *f, const struct report *r)
{
	static const char *const band[] = {"dưới kế hoạch", "đạt kế hoạch", "vượt kế hoạch"};
	const struct config_plan *p = &r->cfg->plan;
	long emp = percent(r->total.job, r->total.grad), lab = percent(r->trained, r->labour);

	fprintf(f, "<h2>Chỉ tiêu kế hoạch năm %d</h2>\n<table id=\"targets\">\n", p->year);
	fputs("<tr><th>Chỉ tiêu</th><th>Thực hiện</th><th>Kế hoạch</th><th>Đánh giá</th></tr>\n",
	      f);
	fprintf(f,
		"<tr data-target=\"trainees\"><td>Học viên lũy kế năm %d đến hết kỳ</td>"
		"<td class=\"n\">%ld</td><td>%d–%d</td><td>%s</td></tr>\n",
		r->year, r->ytd, p->trained_min, p->trained_max, band[against_band(r) + 1]);
	fprintf(f,
		"<tr><td>Học viên trong kỳ (khóa dưới 3 tháng: %ld)</td><td class=\"n\">%ld</td>"
		"<td></td><td></td></tr>\n",
		r->short_enrol, r->total.enrol);
	fprintf(f, "<tr data-target=\"employment\"><td>Tỷ lệ có việc làm sau đào tạo</td>");
	if (emp < 0)
		fprintf(f, "<td class=\"n\">-</td><td>≥ %d%%</td><td></td></tr>\n",
			p->employed_pct);
	else
		fprintf(f, "<td class=\"n\">%ld%%</td><td>≥ %d%%</td><td>%s</td></tr>\n", emp,
			p->employed_pct, emp >= p->employed_pct ? "đạt" : "chưa đạt");
	fprintf(f, "<tr data-target=\"trained\"><td>Tỷ lệ lao động qua đào tạo</td>");
	if (lab < 0)
		fprintf(f, "<td class=\"n\">-</td><td>%d%%</td><td></td></tr>\n",
			p->labour_trained_pct);
	else
		fprintf(f, "<td class=\"n\">%ld%%</td><td>%d%%</td><td>%s</td></tr>\n", lab,
			p->labour_trained_pct, lab >= p->labour_trained_pct ? "đạt" : "chưa đạt");
	fputs("</table>\n", f);
}

static void
html_silent(FILE *f, const struct report *r)
{
	size_t i, n = never_reported(r), k = 0;

	fprintf(f, "<h2>Xã chưa báo cáo trong kỳ (%zu)</h2>\n<p id=\"silent\">", n);
	for (i = 0; i < r->ncommunes; i++) {
		if (!r->communes[i].configured || r->communes[i].reports > 0)
			continue;
		if (k++ > 0)
			fputs(", ", f);
		html_str(f, r->communes[i].name);
		fprintf(f, " (%s)", r->communes[i].code);
	}
	if (n == 0)
		fputs("Không có.", f);
	fprintf(f, "</p>\n<p id=\"cancelled\">Báo cáo đã hủy, không tính: %ld.</p>\n",
		r->cancelled);
}

/* ---- HTML charts (inline SVG) ----------------------------------------- */

#define CW 760	    /* chart width */
#define LABEL_W 170 /* names on the left */
#define BAR_W 500   /* the bars' area */
#define ROW_H 20

static long
max_long(long a, long b)
{
	return a > b ? a : b;
}

/* Trainees per commune, with the commune's share of the plan as a tick. */
static void
chart_communes(FILE *f, const struct report *r)
{
	const struct rcommune *c;
	long top = 1;
	size_t i;
	int h = 40 + (int)r->ncommunes * ROW_H, y, w;

	for (i = 0; i < r->ncommunes; i++)
		top = max_long(top, max_long(r->communes[i].c.enrol, r->communes[i].plan));
	fprintf(f,
		"<figure><svg id=\"chart-communes\" xmlns=\"http://www.w3.org/2000/svg\" "
		"width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">"
		"<title>Số học viên ghi danh theo xã</title>\n",
		CW, h, CW, h);
	fprintf(f, "<text x=\"0\" y=\"16\" class=\"t\">Số học viên ghi danh theo xã</text>\n");
	for (i = 0; i < r->ncommunes; i++) {
		c = &r->communes[i];
		y = 30 + (int)i * ROW_H;
		w = (int)(c->c.enrol * BAR_W / top);
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", LABEL_W - 6, y + 14);
		html_str(f, c->name);
		fprintf(f,
			"</text><rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\">"
			"<title>%ld HV</title></rect><text x=\"%d\" y=\"%d\">%ld</text>\n",
			LABEL_W, y + 2, w, ROW_H - 4, c->c.enrol, LABEL_W + w + 4, y + 14,
			c->c.enrol);
		if (c->plan > 0)
			fprintf(f,
				"<line class=\"plan\" x1=\"%ld\" x2=\"%ld\" y1=\"%d\" y2=\"%d\">"
				"<title>Kế hoạch xã: %d HV</title></line>\n",
				LABEL_W + c->plan * BAR_W / top, LABEL_W + c->plan * BAR_W / top, y,
				y + ROW_H, c->plan);
	}
	fputs("</svg><figcaption>Vạch đỏ: kế hoạch của xã.</figcaption></figure>\n", f);
}

/* Employment rate per trade (trades with learners who completed), with the
 * target as a line. */
static void
chart_trades(FILE *f, const struct report *r)
{
	const struct rtrade *t;
	long top = 100, rate, target = r->cfg->plan.employed_pct;
	size_t i, n = 0;
	int h, y = 30, w, x80;

	for (i = 0; i < r->ntrades; i++) {
		if (r->trades[i].c.grad > 0) {
			n++;
			top = max_long(top, percent(r->trades[i].c.job, r->trades[i].c.grad));
		}
	}
	h = 50 + (int)n * ROW_H;
	fprintf(f,
		"<figure><svg id=\"chart-employment\" xmlns=\"http://www.w3.org/2000/svg\" "
		"width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">"
		"<title>Tỷ lệ có việc làm sau đào tạo theo nghề</title>\n",
		CW, h, CW, h);
	fprintf(f,
		"<text x=\"0\" y=\"16\" class=\"t\">Tỷ lệ có việc làm sau đào tạo theo nghề "
		"(mục tiêu %ld%%)</text>\n",
		target);
	for (i = 0; i < r->ntrades; i++) {
		t = &r->trades[i];
		if (t->c.grad == 0)
			continue;
		rate = percent(t->c.job, t->c.grad);
		w = (int)(rate * BAR_W / top);
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", LABEL_W - 6, y + 14);
		html_str(f, t->code);
		fprintf(f,
			"</text><rect class=\"%s\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\">"
			"<title>",
			rate >= target ? "bar" : "low", LABEL_W, y + 2, w, ROW_H - 4);
		html_str(f, t->name);
		fprintf(f, ": %ld%%</title></rect><text x=\"%d\" y=\"%d\">%ld%%</text>\n", rate,
			LABEL_W + w + 4, y + 14, rate);
		y += ROW_H;
	}
	if (n == 0)
		fprintf(f, "<text x=\"%d\" y=\"44\">Chưa có học viên tốt nghiệp.</text>\n",
			LABEL_W);
	x80 = LABEL_W + (int)(target * BAR_W / top);
	fprintf(f,
		"<line class=\"target\" x1=\"%d\" x2=\"%d\" y1=\"24\" y2=\"%d\"/>"
		"<text x=\"%d\" y=\"%d\" class=\"target-label\">Mục tiêu %ld%%</text>\n",
		x80, x80, y + 4, x80 + 4, y + 16, target);
	fputs("</svg></figure>\n", f);
}

/* The year's trainees so far against the plan's band. */
static void
chart_plan(FILE *f, const struct report *r)
{
	const struct config_plan *p = &r->cfg->plan;
	long top = max_long(p->trained_max + p->trained_max / 4, r->ytd + r->ytd / 10);
	int x0, x1, w;

	if (top <= 0)
		top = 1;
	x0 = LABEL_W + (int)(p->trained_min * BAR_W / top);
	x1 = LABEL_W + (int)(p->trained_max * BAR_W / top);
	w = (int)(r->ytd * BAR_W / top);
	fprintf(f,
		"<figure><svg id=\"chart-plan\" xmlns=\"http://www.w3.org/2000/svg\" "
		"width=\"%d\" height=\"110\" viewBox=\"0 0 %d 110\" role=\"img\">"
		"<title>Học viên lũy kế năm %d so với kế hoạch %d–%d</title>\n",
		CW, CW, r->year, p->trained_min, p->trained_max);
	fprintf(f,
		"<text x=\"0\" y=\"16\" class=\"t\">Học viên lũy kế năm %d so với kế hoạch "
		"%d–%d</text>\n",
		r->year, p->trained_min, p->trained_max);
	fprintf(f,
		"<rect class=\"band\" x=\"%d\" y=\"28\" width=\"%d\" height=\"50\">"
		"<title>Kế hoạch %d–%d HV</title></rect>"
		"<text x=\"%d\" y=\"96\" class=\"band-label\">Kế hoạch %d–%d</text>\n",
		x0, x1 - x0 > 1 ? x1 - x0 : 2, p->trained_min, p->trained_max, x0, p->trained_min,
		p->trained_max);
	fprintf(f,
		"<text x=\"%d\" y=\"58\" text-anchor=\"end\">Lũy kế</text>"
		"<rect class=\"bar\" x=\"%d\" y=\"40\" width=\"%d\" height=\"26\">"
		"<title>%ld HV</title></rect><text x=\"%d\" y=\"58\">%ld HV</text>\n",
		LABEL_W - 6, LABEL_W, w, r->ytd, LABEL_W + w + 4, r->ytd);
	fprintf(f,
		"<line class=\"axis\" x1=\"%d\" x2=\"%d\" y1=\"78\" y2=\"78\"/></svg></figure>\n",
		LABEL_W, LABEL_W + BAR_W);
}

static const char html_style[] =
    "body{font-family:sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse;margin:0 0 1.5em}"
    "th,td{border:1px solid #bbb;padding:2px 6px}th{background:#eee}"
    "td.n{text-align:right}td:nth-child(2){white-space:nowrap}tr.total td{font-weight:bold}"
    "tr.silent td{color:#a00}"
    "svg text{font-size:12px;font-family:sans-serif}svg text.t{font-size:14px;font-weight:bold}"
    ".bar{fill:#3b7dd8}.low{fill:#e0a030}.band{fill:#cde8c8}.plan{stroke:#d00;stroke-width:2}"
    ".target{stroke:#d00;stroke-width:2;stroke-dasharray:4 3}.axis{stroke:#666}"
    "figure{margin:0 0 1.5em}figcaption{font-size:12px;color:#555}"
    "@media print{body{margin:0}}";

static void
write_html(const struct report *r, FILE *f)
{
	char period[16], from[16], to[16], made[32];
	struct tm tm;

	period_name(r, period, sizeof(period));
	period_days(r->year, r->half, from, to, sizeof(from));
	clock_local(r->made, &tm);
	strftime(made, sizeof(made), "%Y-%m-%d %H:%M", &tm);
	fprintf(f,
		"<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<title>Báo cáo đào tạo nghề %s</title>\n<style>%s</style>\n</head>\n<body>\n",
		period, html_style);
	fprintf(f,
		"<h1>Báo cáo đào tạo nghề – kỳ %s</h1>\n<p>Từ %s đến %s. Lập lúc %s (giờ Việt "
		"Nam), từ %ld báo cáo.</p>\n",
		period, from, to, made, r->reports);
	html_targets(f, r);
	chart_plan(f, r);
	chart_communes(f, r);
	chart_trades(f, r);
	html_communes(f, r);
	html_trades(f, r);
	html_cells(f, r);
	html_silent(f, r);
	fputs("</body>\n</html>\n", f);
}

int
report_write(const struct report *r, enum report_format fmt, FILE *out)
{
	switch (fmt) {
	case REPORT_TEXT:
		write_text(r, out);
		break;
	case REPORT_CSV:
		write_csv(r, out);
		break;
	case REPORT_HTML:
		write_html(r, out);
		break;
	}
	if (fflush(out) == EOF || ferror(out)) {
		log_warn("report: write");
		return -1;
	}
	return 0;
}
