/*
 * report.c - see report.h.
 *
 * report_build() reads report_sums (one row per commune, kind and trade of
 * the period, whatever the number of reports) and the latest LABOUR report
 * of each commune, into a table of communes x trades, and the half-year
 * before for the checks.  The writers only format that table; every form
 * takes its figures from the same helpers (report_impl.h), so they cannot
 * disagree.  Here: building, the shared helpers, text and CSV; the
 * document, the PDF and the workbook have files of their own.
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
	else if (strcmp(s, "xlsx") == 0)
		*fmt = REPORT_XLSX;
	else if (strcmp(s, "pdf") == 0)
		*fmt = REPORT_PDF;
	else
		return -1;
	return 0;
}

int
report_set_csv_separator(struct report *r, const char *sep)
{
	if (strcmp(sep, ",") != 0 && strcmp(sep, ";") != 0)
		return -1;
	r->csv_sep = sep[0];
	return 0;
}

/* "YYYY-MM-DD" of the period's first and last days. */
void
report_period_days(int year, int half, char *from, char *to, size_t sz)
{
	snprintf(from, sz, "%04d-%s", year, half == 2 ? "07-01" : "01-01");
	snprintf(to, sz, "%04d-%s", year, half == 1 ? "06-30" : "12-31");
}

/* "2022-H1" or "2022". */
void
report_period_name(const struct report *r, char *buf, size_t sz)
{
	if (r->half == 0)
		snprintf(buf, sz, "%d", r->year);
	else
		snprintf(buf, sz, "%d-H%d", r->year, r->half);
}

void
report_period_words(const struct report *r, int ascii, char *buf, size_t sz)
{
	static const char *const vi[] = {"năm", "6 tháng đầu năm", "6 tháng cuối năm"};
	static const char *const en[] = {"nam", "6 thang dau nam", "6 thang cuoi nam"};

	snprintf(buf, sz, "%s %d", (ascii ? en : vi)[r->half], r->year);
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

	report_period_days(r->year, r->half, from, to, sizeof(from));
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

/* The trainees of each commune in another half-year, into enrol_before
 * (which 0) or enrol_after (1). */
struct jump_arg {
	struct report *r;
	int which;
};

static int
add_jump(void *arg, const struct store_sum *s)
{
	struct jump_arg *j = arg;
	int c = find_commune(j->r, s->commune_code);

	if (c < 0 || strcmp(s->kind, "enrol") != 0)
		return 0;
	if (j->which == 0)
		j->r->communes[c].enrol_before += s->count;
	else
		j->r->communes[c].enrol_after += s->count;
	return 0;
}

/* A half-year against the one before it; a year: its second half against
 * its first. */
static int
read_jumps(struct report *r, struct store *st)
{
	struct jump_arg before = {r, 0}, after = {r, 1};
	size_t i;

	if (r->half == 0)
		return store_sums_foreach(st, r->year, 1, add_jump, &before) == -1 ||
			       store_sums_foreach(st, r->year, 2, add_jump, &after) == -1
			   ? -1
			   : 0;
	if (r->half == 1 && store_sums_foreach(st, r->year - 1, 2, add_jump, &before) == -1)
		return -1;
	if (r->half == 2 && store_sums_foreach(st, r->year, 1, add_jump, &before) == -1)
		return -1;
	for (i = 0; i < r->ncommunes; i++)
		r->communes[i].enrol_after = r->communes[i].c.enrol;
	return 0;
}

static int
add_check(struct report *r, enum check_kind kind, size_t commune, long a, long b)
{
	struct rcheck *v;

	v = reallocarray(r->checks, r->nchecks + 1, sizeof(*v));
	if (v == NULL) {
		log_warn("report");
		return -1;
	}
	r->checks = v;
	v[r->nchecks].kind = kind;
	v[r->nchecks].commune = commune;
	v[r->nchecks].a = a;
	v[r->nchecks].b = b;
	r->nchecks++;
	return 0;
}

/* The figures that cannot be right as sent, commune by commune. */
static int
find_checks(struct report *r)
{
	const struct rcommune *c;
	size_t i;
	int rc = 0;

	for (i = 0; i < r->ncommunes && rc == 0; i++) {
		c = &r->communes[i];
		if (c->c.grad > c->c.enrol)
			rc |= add_check(r, CHECK_GRAD_OVER_ENROL, i, c->c.grad, c->c.enrol);
		if (c->c.job > c->c.grad)
			rc |= add_check(r, CHECK_JOB_OVER_GRAD, i, c->c.job, c->c.grad);
		if (c->has_labour && c->trained > c->labour)
			rc |= add_check(r, CHECK_SHARE_OVER_100, i, c->trained, c->labour);
		if (c->enrol_before > 0 && c->enrol_after >= 10 * c->enrol_before)
			rc |= add_check(r, CHECK_JUMP, i, c->enrol_after, c->enrol_before);
	}
	return rc;
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
	r->plan = config_plan_for(cfg, year);
	r->made = clock_now();
	r->csv_sep = cfg->report.csv_separator != NULL ? cfg->report.csv_separator[0] : ',';
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
	if (read_jumps(r, st) == -1 || find_checks(r) == -1)
		goto fail;
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
	free(r->checks);
	free(r);
}

/* ---- Figures common to every form ------------------------------------- */

/* A whole percent, rounded down; -1 when there is nothing to divide by. */
long
report_percent(long part, long whole)
{
	return whole > 0 ? part * 100 / whole : -1;
}

/* -1 for "no value" (a rate without its base, no labour report). */
void
report_values(const struct counts *c, long v[NCOLS])
{
	int i;

	for (i = 0; i < NCOLS; i++)
		v[i] = -1;
	v[C_ENROL] = c->enrol;
	v[C_GRAD] = c->grad;
	v[C_JOB] = c->job;
	v[C_RATE] = report_percent(c->job, c->grad);
	v[C_NEED] = c->need;
}

void
report_commune_values(const struct rcommune *c, long v[NCOLS])
{
	report_values(&c->c, v);
	if (c->has_labour) {
		v[C_LABOUR] = c->labour;
		v[C_TRAINED] = c->trained;
		v[C_SHARE] = report_percent(c->trained, c->labour);
	}
	v[C_REPORTS] = c->reports;
}

void
report_district_values(const struct report *r, long v[NCOLS])
{
	report_values(&r->total, v);
	v[C_LABOUR] = r->labour;
	v[C_TRAINED] = r->trained;
	v[C_SHARE] = report_percent(r->trained, r->labour);
	v[C_REPORTS] = r->reports;
}

int
report_empty(const struct counts *c)
{
	return c->enrol == 0 && c->grad == 0 && c->job == 0 && c->need == 0;
}

const struct counts *
report_cell(const struct report *r, size_t i, size_t j, long v[NCOLS])
{
	const struct counts *cell = &r->cells[i * r->ntrades + j];

	if (report_empty(cell))
		return NULL;
	report_values(cell, v);
	return cell;
}

size_t
report_never_reported(const struct report *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->ncommunes; i++)
		n += r->communes[i].configured && r->communes[i].reports == 0;
	return n;
}

/* Where the trainees stand against the plan: -1 under, 0 within, 1 over. */
int
report_against_band(const struct report *r)
{
	if (r->plan == NULL)
		return 0;
	if (r->ytd < r->plan->trained_min)
		return -1;
	return r->ytd > r->plan->trained_max ? 1 : 0;
}

size_t
report_trades_left_out(const struct report *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->ntrades; i++)
		n += report_empty(&r->trades[i].c);
	return n;
}

void
report_vn_number(long v, char *buf, size_t sz)
{
	char digits[32];
	size_t n, i, k = 0;

	if (v < 0) {
		snprintf(buf, sz, "-");
		return;
	}
	n = (size_t)snprintf(digits, sizeof(digits), "%ld", v);
	for (i = 0; i < n && k + 2 < sz; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf[k++] = '.';
		buf[k++] = digits[i];
	}
	buf[k] = '\0';
}

void
report_vn_rate(long part, long whole, char *buf, size_t sz)
{
	long permille;
	char whole_part[32];

	if (whole <= 0) {
		snprintf(buf, sz, "-");
		return;
	}
	permille = part * 1000 / whole;
	report_vn_number(permille / 10, whole_part, sizeof(whole_part));
	if (permille % 10 == 0)
		snprintf(buf, sz, "%s%%", whole_part);
	else
		snprintf(buf, sz, "%s,%ld%%", whole_part, permille % 10);
}

void
report_check_words(const struct report *r, const struct rcheck *c, int ascii, char *buf, size_t sz)
{
	const struct rcommune *rc = &r->communes[c->commune];
	char name[NAME_BUF], a[32], b[32];

	if (ascii)
		parser_ascii(rc->name, name, sizeof(name));
	else
		snprintf(name, sizeof(name), "%s", rc->name);
	report_vn_number(c->a, a, sizeof(a));
	report_vn_number(c->b, b, sizeof(b));
	switch (c->kind) {
	case CHECK_GRAD_OVER_ENROL:
		snprintf(buf, sz,
			 ascii ? "%s (%s): %s hoc vien tot nghiep, nhieu hon %s ghi danh"
			       : "%s (%s): %s học viên tốt nghiệp, nhiều hơn %s ghi danh",
			 name, rc->code, a, b);
		break;
	case CHECK_JOB_OVER_GRAD:
		snprintf(buf, sz,
			 ascii ? "%s (%s): %s co viec lam, nhieu hon %s tot nghiep"
			       : "%s (%s): %s có việc làm, nhiều hơn %s tốt nghiệp",
			 name, rc->code, a, b);
		break;
	case CHECK_SHARE_OVER_100:
		snprintf(
		    buf, sz,
		    ascii ? "%s (%s): %s lao dong qua dao tao, nhieu hon %s lao dong (tren 100%%)"
			  : "%s (%s): %s lao động qua đào tạo, nhiều hơn %s lao động (trên 100%%)",
		    name, rc->code, a, b);
		break;
	case CHECK_JUMP:
		snprintf(buf, sz,
			 ascii ? "%s (%s): %s hoc vien ghi danh, gap %ld lan 6 thang truoc (%s)"
			       : "%s (%s): %s học viên ghi danh, gấp %ld lần 6 tháng trước (%s)",
			 name, rc->code, a, c->a / c->b, b);
		break;
	}
}

int
report_write(const struct report *r, enum report_format fmt, FILE *out)
{
	switch (fmt) {
	case REPORT_TEXT:
		report_write_text(r, out);
		break;
	case REPORT_CSV:
		report_write_csv(r, out);
		break;
	case REPORT_HTML:
		if (report_write_html(r, out) == -1)
			return -1;
		break;
	case REPORT_XLSX:
		if (report_write_xlsx(r, out) == -1)
			return -1;
		break;
	case REPORT_PDF:
		if (report_write_pdf(r, out) == -1)
			return -1;
		break;
	}
	if (fflush(out) == EOF || ferror(out)) {
		log_warn("report: write");
		return -1;
	}
	return 0;
}
