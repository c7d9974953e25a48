/*
 * test_report.c - the plan report: its figures against ones computed here
 * from the same reports, the three forms agreeing number for number, the
 * CSV's bytes (BOM, CRLF, header), the HTML being self-contained, and the
 * HTML rendered by a real browser (tests/report_render.sh, headless
 * Chromium; skipped when there is none, unless TINBAO_REQUIRE_BROWSER=1).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "clock.h"
#include "config.h"
#include "fixture.h"
#include "log.h"
#include "plantest.h"
#include "report.h"
#include "report_impl.h"
#include "store.h"

#define TEMPLATE "contrib/tinbao.conf"
#define ROWCOLS 10 /* the figures of a row, plus a commune's share of the plan */
#define MAXROWS 256

/* ---- Set-up ----------------------------------------------------------- */

/* Every other commune has a share of the plan. */
static void
shares(int i, char *buf, size_t size)
{
	if (i % 2 == 0)
		snprintf(buf, size, "plan_trained = %d; ", 20 + i);
}

struct env {
	struct fixture f;
	struct config *cfg;
	struct store *st;
	char tmpl[64];
};

/* A report of the test: commune index (-1: a code no configuration has),
 * trade code, half, and whether it is cancelled. */
struct rep {
	const char *kind;
	int commune;
	const char *trade;
	long count, trained;
	int half;
	int cancelled;
};

static const struct rep reps[] = {
    {"enrol", 5, "HAN", 30, 0, 1, 0},	   {"enrol", 5, "HAN", 12, 0, 1, 0},
    {"grad", 5, "HAN", 25, 0, 1, 0},	   {"job", 5, "HAN", 21, 0, 1, 0},
    {"need", 5, "RAU", 40, 0, 1, 0},	   {"enrol", 5, "THUY", 8, 0, 2, 0},
    {"grad", 5, "THUY", 8, 0, 2, 0},	   {"job", 5, "THUY", 5, 0, 2, 0},
    {"labour", 5, NULL, 3000, 1200, 1, 0}, {"labour", 5, NULL, 3100, 1500, 2, 0},
    {"labour", 6, NULL, 2000, 800, 1, 0},  {"enrol", 6, "MAYCN", 15, 0, 1, 0},
    {"enrol", 6, "MAYCN", 99, 0, 1, 1},	   {"grad", 6, "MAYCN", 15, 0, 2, 0},
    {"job", 6, "MAYCN", 11, 0, 2, 0},	   {"labour", 7, NULL, 1000, 100, 1, 0},
    {"labour", 7, NULL, 1200, 300, 1, 1},  {"enrol", 7, "NE", 10, 0, 2, 0},
    {"enrol", -1, "HAN", 4, 0, 1, 0},	   {"enrol", 9, "XYZ", 3, 0, 1, 0},
    {"need", 10, "CCM", 7, 0, 1, 1},
};
#define NREPS (sizeof(reps) / sizeof(reps[0]))

/* The test configuration, with extra groups appended (or NULL). */
static struct env *
env_new_extra(const char *extra)
{
	struct env *e = calloc(1, sizeof(*e));
	int fd;

	assert_non_null(e);
	strcpy(e->tmpl, "/tmp/tinbao-conf-XXXXXX");
	fd = mkstemp(e->tmpl);
	assert_true(fd != -1);
	close(fd);
	assert_int_equal(plantest_conf(TEMPLATE, e->tmpl, shares, extra), 0);
	assert_int_equal(fixture_setup(&e->f, "./tinbao", e->tmpl), 0);
	e->cfg = config_load(e->f.conf, NULL);
	assert_non_null(e->cfg);
	e->st = store_open(e->f.db, 0);
	assert_non_null(e->st);
	return e;
}

static struct env *
env_new(void)
{
	return env_new_extra(NULL);
}

static void
env_free(struct env *e)
{
	store_close(e->st);
	config_free(e->cfg);
	fixture_teardown(&e->f);
	unlink(e->tmpl);
	free(e);
}

static const char *
code_of(const struct env *e, int c)
{
	return c < 0 ? "99999" : e->cfg->communes[c].code;
}

/* Stores the reports of reps (SMS, report, cancellation). */
static void
store_reps(struct env *e)
{
	static int seq;
	char fp[16], sql[128];
	int64_t id, ref[NREPS];
	sqlite3 *db;
	size_t i;

	assert_int_equal(store_begin(e->st), 0);
	for (i = 0; i < NREPS; i++) {
		const struct rep *r = &reps[i];
		int64_t at = clock_from_local(2022, r->half == 1 ? 3 : 9, 1, 9, (int)i);

		snprintf(fp, sizeof(fp), "fp%d", ++seq);
		struct store_sms sms = {"+84913000001", at, at, "x", "gsm7", 1, fp, NULL, NULL};
		assert_int_equal(store_inbox_add(e->st, &sms, &id), 1);
		struct store_report sr = {id,	    r->kind,	 code_of(e, r->commune),
					  "Xa",	    r->trade,	 r->trade,
					  r->count, r->trained,	 2022,
					  r->half,  "+84913001", at};
		assert_int_equal(store_report_add(e->st, &sr, &ref[i]), 0);
	}
	assert_int_equal(store_commit(e->st), 0);
	/* Cancelled the way the district does it: a change of state. */
	assert_int_equal(sqlite3_open(e->f.db, &db), SQLITE_OK);
	for (i = 0; i < NREPS; i++) {
		if (!reps[i].cancelled)
			continue;
		snprintf(sql, sizeof(sql), "UPDATE reports SET cancelled = 1 WHERE id = %lld",
			 (long long)ref[i]);
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	}
	sqlite3_close(db);
}

/* Writes the report to a string (the caller frees it). */
static char *
render(struct env *e, int year, int half, enum report_format fmt)
{
	struct report *r;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	r = report_build(e->cfg, e->st, year, half);
	assert_non_null(r);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(report_write(r, fmt, f), 0);
	fclose(f);
	report_free(r);
	return buf;
}

/* ---- Rows of figures, from any form ----------------------------------- */

struct row {
	char key[64]; /* "commune 06448", "trade HAN", "cell 06448 HAN", "district" */
	long v[ROWCOLS];
	int n;
};

struct table {
	struct row r[MAXROWS];
	int n;
};

static struct row *
add_row(struct table *t, const char *key)
{
	struct row *r;

	assert_true(t->n < MAXROWS);
	r = &t->r[t->n++];
	memset(r, 0, sizeof(*r));
	snprintf(r->key, sizeof(r->key), "%s", key);
	return r;
}

static const struct row *
find_row(const struct table *t, const char *key)
{
	int i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->r[i].key, key) == 0)
			return &t->r[i];
	return NULL;
}

/* "-" or empty: -1; "85%": 85; "84,6%": 84; the HTML's "1.559": 1559. */
static long
value(const char *s)
{
	long v = 0;

	if (*s == '\0' || *s == '-')
		return -1;
	for (; (*s >= '0' && *s <= '9') || *s == '.'; s++) {
		if (*s != '.')
			v = v * 10 + (*s - '0');
	}
	return v;
}

/* The last n whitespace-separated words of line, as values. */
static void
last_words(const char *line, int n, long *v)
{
	char copy[1024], *w[64], *save, *tok;
	int k = 0, i;

	snprintf(copy, sizeof(copy), "%s", line);
	for (tok = strtok_r(copy, " ", &save); tok != NULL && k < 64;
	     tok = strtok_r(NULL, " ", &save))
		w[k++] = tok;
	assert_true(k >= n);
	for (i = 0; i < n; i++)
		v[i] = value(w[k - n + i]);
}

static void
text_line(struct table *t, const char *section, const char *line)
{
	char key[64], code[16], trade[16];
	struct row *r;

	if (strncmp(line, "TONG", 4) == 0 && strcmp(section, "THEO XA") == 0) {
		r = add_row(t, "district");
		last_words(line, r->n = 9, r->v);
		return;
	}
	if (strlen(line) < 40 || line[0] < '0' || line[0] > '9')
		return;
	snprintf(code, sizeof(code), "%.5s", line);
	if (strcmp(section, "THEO XA") == 0) {
		snprintf(key, sizeof(key), "commune %s", code);
		r = add_row(t, key);
		last_words(line, r->n = 10, r->v);
	} else if (strcmp(section, "THEO XA VA NGHE") == 0) {
		sscanf(line + 25, "%15s", trade);
		snprintf(key, sizeof(key), "cell %s %s", code, trade);
		r = add_row(t, key);
		last_words(line, r->n = 5, r->v);
	}
}

static void
text_trade_line(struct table *t, const char *line)
{
	char key[64], code[16];
	long v[6];
	struct row *r;

	if (strncmp(line, "Ma ", 3) == 0 || strncmp(line, "TONG", 4) == 0 || strlen(line) < 40)
		return;
	sscanf(line, "%15s", code);
	snprintf(key, sizeof(key), "trade %s", code);
	r = add_row(t, key);
	last_words(line, 6, v); /* the figures, then the level */
	memcpy(r->v, v, 5 * sizeof(long));
	r->n = 5;
}

static void
parse_text(char *s, struct table *t)
{
	char *line, *save, section[32] = "";

	for (line = strtok_r(s, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (strcmp(line, "THEO XA") == 0 || strcmp(line, "THEO NGHE") == 0 ||
		    strcmp(line, "THEO XA VA NGHE") == 0 ||
		    strncmp(line, "XA CHUA BAO CAO", 15) == 0) {
			snprintf(section, sizeof(section), "%s", line);
			continue;
		}
		if (strcmp(section, "THEO NGHE") == 0)
			text_trade_line(t, line);
		else
			text_line(t, section, line);
	}
}

static void
parse_csv(char *s, struct table *t)
{
	char *line, *save, *f[32], key[64];
	struct row *r;
	int n, i;

	assert_true(strncmp(s, "\xef\xbb\xbf", 3) == 0);
	for (line = strtok_r(s + 3, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		assert_true(line[strlen(line) - 1] == '\r');
		line[strlen(line) - 1] = '\0';
		n = plantest_csv_split(line, f, 32);
		assert_int_equal(n, 22);
		if (strcmp(f[0], "period") == 0)
			continue;
		if (strcmp(f[1], "commune") == 0)
			snprintf(key, sizeof(key), "commune %s", f[2]);
		else if (strcmp(f[1], "trade") == 0)
			snprintf(key, sizeof(key), "trade %s", f[4]);
		else if (strcmp(f[1], "commune_trade") == 0)
			snprintf(key, sizeof(key), "cell %s %s", f[2], f[4]);
		else
			snprintf(key, sizeof(key), "district");
		r = add_row(t, key);
		r->n = strcmp(f[1], "commune") == 0 ? 10 : strcmp(f[1], "district") == 0 ? 9 : 5;
		for (i = 0; i < 9 && i < r->n; i++)
			r->v[i] = value(f[7 + i]);
		if (r->n == 10)
			r->v[9] = value(f[17]);
	}
}

/* The value of attribute name in the tag at p, into buf. */
static void
attr(const char *p, const char *name, char *buf, size_t size)
{
	char pat[32];
	const char *a, *end;

	snprintf(pat, sizeof(pat), "%s=\"", name);
	a = strstr(p, pat);
	assert_non_null(a);
	a += strlen(pat);
	end = strchr(a, '"');
	snprintf(buf, size, "%.*s", (int)(end - a), a);
}

static void
html_line(struct table *t, const char *line)
{
	char kind[32], c[16] = "", tr[16] = "", key[48];
	const char *p;
	struct row *r;

	attr(line, "data-row", kind, sizeof(kind));
	if (strcmp(kind, "district") != 0 && strcmp(kind, "trade") != 0)
		attr(line, "data-commune", c, sizeof(c));
	if (strcmp(kind, "trade") == 0 || strcmp(kind, "commune_trade") == 0)
		attr(line, "data-trade", tr, sizeof(tr));
	if (strcmp(kind, "commune") == 0)
		snprintf(key, sizeof(key), "commune %s", c);
	else if (strcmp(kind, "trade") == 0)
		snprintf(key, sizeof(key), "trade %s", tr);
	else if (strcmp(kind, "commune_trade") == 0)
		snprintf(key, sizeof(key), "cell %s %s", c, tr);
	else
		snprintf(key, sizeof(key), "district");
	r = add_row(t, key);
	for (p = strstr(line, "<td class=\"n\">"); p != NULL && r->n < ROWCOLS;
	     p = strstr(p + 1, "<td class=\"n\">"))
		r->v[r->n++] = value(p + 14);
	if (strcmp(kind, "district") == 0)
		r->n = 9; /* then the plan's band, "600-800" */
}

static void
parse_html(char *s, struct table *t)
{
	char *line, *save;

	for (line = strtok_r(s, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "<tr data-row=", 13) == 0)
			html_line(t, line);
	}
}

/* The workbook read back by openpyxl (tests/report_xlsx.py): "key|n|v..."
 * lines.  0, or 77 when there is no openpyxl (and it is not required). */
static int
parse_xlsx(struct env *e, int half, struct table *t)
{
	char path[160], cmd[256], line[1024], *f[16], *save, *tok;
	const char *python;
	struct report *r;
	struct row *row;
	FILE *out, *p;
	int n, i, st;

	snprintf(path, sizeof(path), "%s/report.xlsx", e->f.dir);
	out = fopen(path, "w");
	assert_non_null(out);
	r = report_build(e->cfg, e->st, 2022, half);
	assert_non_null(r);
	assert_int_equal(report_write(r, REPORT_XLSX, out), 0);
	report_free(r);
	assert_int_equal(fclose(out), 0);
	/* Debian's python3-openpyxl is for Debian's python3, which another
	 * python3 earlier on PATH would hide; PYTHON overrides both. */
	python = getenv("PYTHON");
	if (python == NULL)
		python = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
	snprintf(cmd, sizeof(cmd), "%s tests/report_xlsx.py '%s'", python, path);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		n = 0;
		for (tok = strtok_r(line, "|", &save); tok != NULL && n < 16;
		     tok = strtok_r(NULL, "|", &save))
			f[n++] = tok;
		assert_true(n >= 2);
		row = add_row(t, f[0]);
		row->n = atoi(f[1]);
		assert_int_equal(n, row->n + 2);
		for (i = 0; i < row->n; i++)
			row->v[i] = atol(f[2 + i]);
	}
	st = pclose(p);
	assert_true(st != -1 && WIFEXITED(st));
	if (WEXITSTATUS(st) == 77)
		return 77;
	assert_int_equal(WEXITSTATUS(st), 0);
	return 0;
}

/* ---- Tests ------------------------------------------------------------ */

static void
test_periods(void **state)
{
	enum report_format fmt;
	int y, h;

	assert_int_equal(report_parse_period("2022-H1", &y, &h), 0);
	assert_int_equal(y, 2022);
	assert_int_equal(h, 1);
	assert_int_equal(report_parse_period("2022-h2", &y, &h), 0);
	assert_int_equal(h, 2);
	assert_int_equal(report_parse_period("2022", &y, &h), 0);
	assert_int_equal(h, 0);
	assert_int_equal(report_parse_period("2022-H3", &y, &h), -1);
	assert_int_equal(report_parse_period("22-H1", &y, &h), -1);
	assert_int_equal(report_parse_period("2022H1", &y, &h), -1);
	assert_int_equal(report_parse_period("", &y, &h), -1);
	assert_int_equal(report_parse_format("csv", &fmt), 0);
	assert_int_equal(fmt, REPORT_CSV);
	assert_int_equal(report_parse_format("xlsx", &fmt), 0);
	assert_int_equal(fmt, REPORT_XLSX);
	assert_int_equal(report_parse_format("pdf", &fmt), 0);
	assert_int_equal(fmt, REPORT_PDF);
	assert_int_equal(report_parse_format("doc", &fmt), -1);
}

/* What the reports of reps add up to, computed here. */
static void
expect(const struct env *e, int half, const char *code, const char *trade, long v[5])
{
	size_t i;
	int k;

	memset(v, 0, 5 * sizeof(long));
	for (i = 0; i < NREPS; i++) {
		const struct rep *r = &reps[i];

		if (r->cancelled || r->trade == NULL || (half != 0 && r->half != half))
			continue;
		if (code != NULL && strcmp(code_of(e, r->commune), code) != 0)
			continue;
		if (trade != NULL && strcmp(trade, r->trade) != 0)
			continue;
		k = strcmp(r->kind, "enrol") == 0  ? 0
		    : strcmp(r->kind, "grad") == 0 ? 1
		    : strcmp(r->kind, "job") == 0  ? 2
						   : 4;
		v[k] += r->count;
	}
	v[3] = v[1] > 0 ? v[2] * 100 / v[1] : -1;
}

static void
check_same(const struct row *r, const char *key, const long want[5])
{
	int i;

	if (r == NULL)
		fail_msg("no row %s", key);
	for (i = 0; i < 5; i++)
		if (r->v[i] != want[i])
			fail_msg("%s: column %d is %ld, not %ld", r->key, i, r->v[i], want[i]);
}

static void
check_period(struct env *e, int half)
{
	struct table *t = calloc(1, sizeof(*t));
	const char *const codes[] = {"06400", "06403", "06406", "06415", "99999"};
	const char *const trades[] = {"HAN", "THUY", "MAYCN", "NE", "RAU", "XYZ"};
	char *csv, key[48];
	long v[5];
	size_t i, j;

	assert_non_null(t);
	csv = render(e, 2022, half, REPORT_CSV);
	parse_csv(csv, t);
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		snprintf(key, sizeof(key), "commune %s", codes[i]);
		expect(e, half, codes[i], NULL, v);
		/* A code no configuration has is listed when it has reports. */
		if (strcmp(codes[i], "99999") == 0 && v[0] == 0)
			assert_null(find_row(t, key));
		else
			check_same(find_row(t, key), key, v);
		for (j = 0; j < sizeof(trades) / sizeof(trades[0]); j++) {
			expect(e, half, codes[i], trades[j], v);
			snprintf(key, sizeof(key), "cell %s %s", codes[i], trades[j]);
			if (v[0] == 0 && v[1] == 0 && v[2] == 0 && v[4] == 0)
				assert_null(find_row(t, key));
			else
				check_same(find_row(t, key), key, v);
		}
	}
	for (j = 0; j < sizeof(trades) / sizeof(trades[0]); j++) {
		snprintf(key, sizeof(key), "trade %s", trades[j]);
		expect(e, half, NULL, trades[j], v);
		if (strcmp(trades[j], "XYZ") == 0 && v[0] == 0)
			assert_null(find_row(t, key));
		else
			check_same(find_row(t, key), key, v);
	}
	expect(e, half, NULL, NULL, v);
	check_same(find_row(t, "district"), "district", v);
	free(csv);
	free(t);
}

static void
test_figures(void **state)
{
	struct env *e = env_new();
	struct table *t = calloc(1, sizeof(*t));
	const struct row *r;
	char *csv;

	assert_non_null(t);
	store_reps(e);
	check_period(e, 1);
	check_period(e, 2);
	check_period(e, 0);
	/* Labour: the latest report not cancelled up to the period's end. */
	csv = render(e, 2022, 1, REPORT_CSV);
	parse_csv(csv, t);
	r = find_row(t, "commune 06400"); /* 5: 3000/1200 */
	assert_int_equal(r->v[5], 3000);
	assert_int_equal(r->v[6], 1200);
	assert_int_equal(r->v[7], 40);
	assert_int_equal(r->v[9], -1);	  /* no share (odd index) */
	r = find_row(t, "commune 06403"); /* 6 */
	assert_int_equal(r->v[5], 2000);
	assert_int_equal(r->v[9], 26);
	r = find_row(t, "commune 06406"); /* 7: the cancelled 1200/300 left out */
	assert_int_equal(r->v[5], 1000);
	assert_int_equal(r->v[6], 100);
	r = find_row(t, "commune 06385"); /* never reported */
	assert_int_equal(r->v[8], 0);
	assert_int_equal(r->v[5], -1);
	r = find_row(t, "district");
	assert_int_equal(r->v[5], 6000);
	assert_int_equal(r->v[6], 2100);
	assert_int_equal(r->v[7], 35);
	free(csv);
	memset(t, 0, sizeof(*t));
	csv = render(e, 2022, 2, REPORT_CSV);
	parse_csv(csv, t);
	r = find_row(t, "commune 06400"); /* the second half's 3100/1500 */
	assert_int_equal(r->v[5], 3100);
	assert_int_equal(r->v[6], 1500);
	r = find_row(t, "commune 06403"); /* a stock: the first half's still holds */
	assert_int_equal(r->v[5], 2000);
	free(csv);
	free(t);
	env_free(e);
}

/* Text, CSV, HTML and the workbook show the same numbers, row for row. */
static void
check_agree(struct env *e, int half)
{
	struct table *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b)),
		     *c = calloc(1, sizeof(*c)), *d = calloc(1, sizeof(*d));
	const struct row *rb, *rc, *rd;
	char *text, *csv, *html;
	int i, k, xlsx, left_out = 0;

	assert_true(a != NULL && b != NULL && c != NULL && d != NULL);
	xlsx = parse_xlsx(e, half, d) == 0;
	text = render(e, 2022, half, REPORT_TEXT);
	csv = render(e, 2022, half, REPORT_CSV);
	html = render(e, 2022, half, REPORT_HTML);
	parse_text(text, a);
	parse_csv(csv, b);
	parse_html(html, c);
	/* The CSV has a row for every trade; the others leave out those
	 * without figures. */
	for (i = 0; i < b->n; i++) {
		if (find_row(a, b->r[i].key) != NULL)
			continue;
		if (strncmp(b->r[i].key, "trade ", 6) != 0 || b->r[i].v[0] != 0 ||
		    b->r[i].v[1] != 0 || b->r[i].v[2] != 0 || b->r[i].v[4] != 0)
			fail_msg("%s: only in the CSV", b->r[i].key);
		left_out++;
	}
	assert_true(left_out > 0);
	assert_int_equal(a->n, c->n);
	if (xlsx)
		assert_int_equal(a->n, d->n);
	assert_true(a->n > 24 + 5); /* the communes, the trades with figures, cells */
	for (i = 0; i < a->n; i++) {
		rb = find_row(b, a->r[i].key);
		rc = find_row(c, a->r[i].key);
		if (rb == NULL || rc == NULL)
			fail_msg("%s: not in every form", a->r[i].key);
		assert_int_equal(a->r[i].n, rb->n);
		assert_int_equal(a->r[i].n, rc->n);
		for (k = 0; k < a->r[i].n; k++) {
			if (a->r[i].v[k] != rb->v[k] || a->r[i].v[k] != rc->v[k])
				fail_msg("%s column %d: text %ld, csv %ld, html %ld", a->r[i].key,
					 k, a->r[i].v[k], rb->v[k], rc->v[k]);
		}
		if (!xlsx)
			continue;
		rd = find_row(d, a->r[i].key);
		if (rd == NULL)
			fail_msg("%s: not in the workbook", a->r[i].key);
		assert_int_equal(a->r[i].n, rd->n);
		for (k = 0; k < a->r[i].n; k++) {
			if (a->r[i].v[k] != rd->v[k])
				fail_msg("%s column %d: text %ld, xlsx %ld", a->r[i].key, k,
					 a->r[i].v[k], rd->v[k]);
		}
	}
	free(text);
	free(csv);
	free(html);
	free(a);
	free(b);
	free(c);
	free(d);
}

static void
test_forms_agree(void **state)
{
	struct env *e = env_new();

	store_reps(e);
	check_agree(e, 1);
	check_agree(e, 2);
	check_agree(e, 0);
	env_free(e);
}

static void
test_csv_bytes(void **state)
{
	static const char header[] =
	    "\xef\xbb\xbf"
	    "period,row,commune_code,commune,trade_code,trade,level,enrolled,completed,employed,"
	    "employment_rate_pct,demand,labour_force,trained_labour,trained_share_pct,reports,"
	    "cancelled_reports,plan_trained,plan_trained_max,plan_employment_pct,"
	    "plan_trained_share_pct,year_to_date_enrolled\r\n";
	struct env *e = env_new();
	char *csv, *p;
	int lines = 0;

	store_reps(e);
	csv = render(e, 2022, 0, REPORT_CSV);
	/* The BOM, then the one header row: these names do not change. */
	assert_true(strncmp(csv, header, strlen(header)) == 0);
	assert_null(strstr(csv + strlen(header), "period,"));
	/* Every line ends in CRLF; no bare LF; Vietnamese names as UTF-8. */
	for (p = csv; *p != '\0'; p++) {
		if (*p == '\n') {
			assert_true(p > csv && p[-1] == '\r');
			lines++;
		}
	}
	assert_int_equal(p[-1], '\n');
	assert_non_null(strstr(csv, ",06400,Yên Thịnh,"));
	/* A name with a comma is quoted. */
	assert_non_null(strstr(csv, ",\"Thú y (phòng trị bệnh gia súc, gia cầm)\","));
	assert_true(lines > 24 + 30 + 1);
	free(csv);
	env_free(e);
}

static void
test_html_self_contained(void **state)
{
	struct env *e = env_new();
	char *html, *p;

	store_reps(e);
	html = render(e, 2022, 1, REPORT_HTML);
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<link"));
	assert_null(strstr(html, "src="));
	assert_null(strstr(html, "href="));
	assert_null(strstr(html, "url("));
	assert_null(strstr(html, "@import"));
	/* The only URL is SVG's namespace name, which nothing fetches. */
	for (p = strstr(html, "http"); p != NULL; p = strstr(p + 1, "http"))
		assert_true(strncmp(p, "http://www.w3.org/2000/svg\"", 27) == 0);
	assert_non_null(strstr(html, "<meta charset=\"utf-8\">"));
	assert_non_null(strstr(html, "<svg id=\"chart-communes\""));
	assert_non_null(strstr(html, "<svg id=\"chart-employment\""));
	assert_non_null(strstr(html, "<svg id=\"chart-plan\""));
	assert_non_null(strstr(html, "Số học viên ghi danh theo xã"));
	assert_non_null(strstr(html, "Mục tiêu 80%"));
	assert_non_null(strstr(html, "Kế hoạch 600–800"));
	assert_non_null(strstr(html, "xã, thị trấn chưa báo cáo trong kỳ"));
	free(html);
	env_free(e);
}

/* The count of rows of a query, on db. */
static long
rows_of(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/*
 * report_sums follows the reports through whatever happens to them
 * (cancelled, restored, corrected, moved, deleted by hand): it always equals
 * the same sums computed from the reports table.
 */
static void
test_sums_follow_reports(void **state)
{
	static const char *const ops[] = {
	    "UPDATE reports SET cancelled = 1 - cancelled WHERE id % 7 = ?1",
	    "UPDATE reports SET count = count + 3 WHERE id % 5 = ?1",
	    "UPDATE reports SET commune_code = '06448' WHERE id % 11 = ?1",
	    "UPDATE reports SET half = 3 - half WHERE id % 13 = ?1",
	    "UPDATE reports SET kind = 'need' WHERE kind = 'enrol' AND id % 3 = ?1",
	    "UPDATE reports SET trained = trained + 1 WHERE kind = 'labour' AND id % 2 = ?1",
	    "DELETE FROM reports WHERE id % 17 = ?1",
	};
	/* The rows of report_sums that the reports do not give, and back. */
	static const char sums[] =
	    "SELECT year, half, commune_code, kind, coalesce(trade_code, ''), sum(cancelled = 0), "
	    "sum(CASE cancelled WHEN 0 THEN count ELSE 0 END), "
	    "sum(CASE cancelled WHEN 0 THEN trained ELSE 0 END), sum(cancelled <> 0) "
	    "FROM reports GROUP BY 1, 2, 3, 4, 5";
	static const char kept[] = "SELECT * FROM report_sums WHERE reports <> 0 OR cancelled <> 0";
	struct env *e = env_new();
	char a[1024], b[1024];
	sqlite3_stmt *st;
	sqlite3 *db;
	size_t round, i;

	snprintf(a, sizeof(a), "SELECT count(*) FROM (%s EXCEPT %s)", sums, kept);
	snprintf(b, sizeof(b), "SELECT count(*) FROM (%s EXCEPT %s)", kept, sums);
	store_reps(e);
	assert_int_equal(sqlite3_open(e->f.db, &db), SQLITE_OK);
	for (round = 0; round < 3; round++) {
		store_reps(e);
		for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
			assert_int_equal(sqlite3_prepare_v2(db, ops[i], -1, &st, NULL), SQLITE_OK);
			sqlite3_bind_int(st, 1, (int)(round + i) % 3);
			assert_int_equal(sqlite3_step(st), SQLITE_DONE);
			sqlite3_finalize(st);
			assert_int_equal(rows_of(db, a), 0);
			assert_int_equal(rows_of(db, b), 0);
		}
	}
	assert_true(rows_of(db, "SELECT count(*) FROM report_sums") > 10);
	sqlite3_close(db);
	env_free(e);
}

/* A real browser renders it: tests/report_render.sh with headless Chromium. */
static void
test_html_in_browser(void **state)
{
	struct env *e = env_new();
	char path[160], cmd[256];
	struct report *r;
	FILE *f;
	int st;

	store_reps(e);
	snprintf(path, sizeof(path), "%s/report.html", e->f.dir);
	f = fopen(path, "w");
	assert_non_null(f);
	r = report_build(e->cfg, e->st, 2022, 1);
	assert_non_null(r);
	assert_int_equal(report_write(r, REPORT_HTML, f), 0);
	report_free(r);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "sh tests/report_render.sh '%s'", path);
	st = system(cmd);
	env_free(e);
	assert_true(st != -1 && WIFEXITED(st));
	if (WEXITSTATUS(st) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* One report, not cancelled, stored on the first day of its half-year's
 * third month. */
static void
store_one(struct env *e, const struct rep *r, int year)
{
	static int seq;
	char fp[16];
	int64_t id, ref;
	int64_t at = clock_from_local(year, r->half == 1 ? 3 : 9, 1, 9, seq % 60);

	snprintf(fp, sizeof(fp), "one%d", ++seq);
	struct store_sms sms = {"+84913000003", at, at, "x", "gsm7", 1, fp, NULL, NULL};
	assert_int_equal(store_inbox_add(e->st, &sms, &id), 1);
	struct store_report sr = {id,	    r->kind,	 code_of(e, r->commune),
				  "Xa",	    r->trade,	 r->trade,
				  r->count, r->trained,	 year,
				  r->half,  "+84913003", at};
	assert_int_equal(store_report_add(e->st, &sr, &ref), 0);
}

/* Reports from every commune in three trades, so that the document's last
 * table goes on over a page break; the first commune's say more were
 * employed than completed, for the document to name. */
static void
store_many(struct env *e)
{
	static const char *const trades[] = {"HAN", "MAYCN", "RAU"};
	char fp[16];
	int64_t id, ref;
	size_t c, t;

	assert_int_equal(store_begin(e->st), 0);
	for (c = 0; c < e->cfg->ncommunes; c++) {
		for (t = 0; t < 3; t++) {
			int64_t at = clock_from_local(2022, 4, 1, 9, (int)(c * 3 + t));

			snprintf(fp, sizeof(fp), "many%zu", c * 3 + t);
			struct store_sms sms = {"+84913000002", at,  at, "x", "gsm7", 1, fp,
						NULL,		NULL};
			assert_int_equal(store_inbox_add(e->st, &sms, &id), 1);
			struct store_report sr = {id,
						  "enrol",
						  e->cfg->communes[c].code,
						  "Xa",
						  trades[t],
						  trades[t],
						  (long)(5 + c + 7 * t),
						  0,
						  2022,
						  1,
						  "+84913002",
						  at};
			assert_int_equal(store_report_add(e->st, &sr, &ref), 0);
		}
	}
	assert_int_equal(store_commit(e->st), 0);
	store_one(e, &(struct rep){"job", 0, "HAN", 12, 0, 1, 0}, 2022);
}

/*
 * The document printed to PDF by headless Chromium (report_write's PDF):
 * A4, the national title on page 1, the signature block on the last page,
 * page numbers, repeated table headers (tests/report_pdf.sh, poppler).
 * The PDF and its page 1 are left in build/ (report.pdf, report-page1.png)
 * to look at.
 */
static void
test_pdf(void **state)
{
	struct env *e = env_new();
	char path[160], cmd[512];
	struct report *r;
	FILE *f;
	int st, rc;

	store_reps(e);
	store_many(e);
	snprintf(path, sizeof(path), "build/report.pdf");
	f = fopen(path, "w");
	assert_non_null(f);
	r = report_build(e->cfg, e->st, 2022, 1);
	assert_non_null(r);
	rc = report_write(r, REPORT_PDF, f);
	report_free(r);
	fclose(f);
	if (rc == -1 && system("command -v chromium >/dev/null 2>&1") != 0 &&
	    getenv("TINBAO_REQUIRE_BROWSER") == NULL) {
		env_free(e);
		skip();
	}
	assert_int_equal(rc, 0);
	snprintf(cmd, sizeof(cmd), "sh tests/report_pdf.sh '%s' build/report-page1.png", path);
	st = system(cmd);
	env_free(e);
	assert_true(st != -1 && WIFEXITED(st));
	if (WEXITSTATUS(st) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* Without Chromium, --format pdf fails and writes nothing (it logs how to
 * print the HTML instead). */
static void
test_pdf_no_browser(void **state)
{
	struct env *e = env_new();
	char *old = strdup(getenv("PATH")), *buf = NULL;
	struct report *r;
	size_t len = 0;
	FILE *f;

	assert_non_null(old);
	store_reps(e);
	r = report_build(e->cfg, e->st, 2022, 1);
	assert_non_null(r);
	setenv("PATH", "/nonexistent", 1);
	f = open_memstream(&buf, &len);
	assert_int_equal(report_write(r, REPORT_PDF, f), -1);
	fclose(f);
	setenv("PATH", old, 1);
	assert_int_equal(len, 0);
	report_free(r);
	free(buf);
	free(old);
	env_free(e);
}

/*
 * The figures that cannot be right are reported as sent and named, in the
 * document, the text form and report_checks_write: more completed than
 * enrolled, more employed than completed, a trained share over 100%, a
 * commune's trainees ten times those of the half-year before.
 */
static void
test_checks(void **state)
{
	static const struct rep list[] = {
	    {"enrol", 2, "HAN", 3, 0, 1, 0},	 {"enrol", 2, "HAN", 36, 0, 2, 0},
	    {"grad", 2, "HAN", 40, 0, 2, 0},	 {"job", 2, "HAN", 45, 0, 2, 0},
	    {"labour", 3, NULL, 100, 150, 2, 0}, {"enrol", 4, "HAN", 10, 0, 1, 0},
	    {"enrol", 4, "HAN", 90, 0, 2, 0},	 {"grad", 4, "HAN", 10, 0, 2, 0},
	    {"job", 4, "HAN", 9, 0, 2, 0},
	};
	struct env *e = env_new();
	char *text, *html, *out = NULL;
	struct report *r;
	size_t i, len = 0;
	FILE *f;

	for (i = 0; i < sizeof(list) / sizeof(list[0]); i++)
		store_one(e, &list[i], 2022);
	r = report_build(e->cfg, e->st, 2022, 2);
	assert_non_null(r);
	f = open_memstream(&out, &len);
	report_checks_write(r, f);
	fclose(f);
	report_free(r);
	/* Commune 2 (06391, Yên Bình): all three; 3 (06394): the share; 4: none
	 * (90 is nine times 10, and its figures hold together). */
	assert_non_null(strstr(out, "warning: Yen Binh (06391): 40 hoc vien tot nghiep, nhieu hon "
				    "36 ghi danh\n"));
	assert_non_null(strstr(out, "warning: Yen Binh (06391): 45 co viec lam, nhieu hon 40 "
				    "tot nghiep\n"));
	assert_non_null(strstr(out, "warning: Yen Binh (06391): 36 hoc vien ghi danh, gap 12 lan "
				    "6 thang truoc (3)\n"));
	assert_non_null(strstr(out, "warning: Quyet Thang (06394): 150 lao dong qua dao tao, "
				    "nhieu hon 100 lao dong (tren 100%)\n"));
	assert_null(strstr(out, "06397"));
	text = render(e, 2022, 2, REPORT_TEXT);
	assert_non_null(strstr(text, "SO LIEU CAN XEM LAI (4)"));
	assert_non_null(strstr(text, "  Yen Binh (06391): 40 hoc vien tot nghiep"));
	html = render(e, 2022, 2, REPORT_HTML);
	assert_non_null(strstr(html, "<li>Yên Bình (06391): 40 học viên tốt nghiệp, nhiều hơn 36 "
				     "ghi danh;</li>"));
	assert_non_null(strstr(html, "Quyết Thắng (06394): 150 lao động qua đào tạo"));
	/* The district's 54 employed of 50 completed is not called a success. */
	assert_non_null(strstr(html, "không so được với mục tiêu 80%: số có việc làm nhiều hơn"));
	/* As sent: the figures themselves are not changed. */
	assert_non_null(strstr(html, "<td class=\"n\">40</td><td class=\"n\">45</td>"));
	free(out);
	free(text);
	free(html);
	env_free(e);
}

/* The document's own parts: heading and signature from the configuration,
 * Vietnamese period, dates, numbers and rates, the note on the trades left
 * out, legends that name only what is drawn. */
static void
test_document(void **state)
{
	struct env *e = env_new();
	char buf[64], *html;
	struct env *bare;

	store_reps(e);
	html = render(e, 2022, 1, REPORT_HTML);
	assert_non_null(strstr(html, "<div class=\"parent\">UBND HUYỆN HỮU LŨNG</div>"));
	assert_non_null(strstr(html, "PHÒNG LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI - DÂN TỘC"));
	assert_non_null(strstr(html, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
	assert_non_null(strstr(html, "Độc lập - Tự do - Hạnh phúc"));
	assert_non_null(strstr(html, "/BC-LĐTBXH</td>"));
	assert_non_null(strstr(html, ">Hữu Lũng, ngày "));
	assert_non_null(strstr(html, "Kết quả thực hiện Kế hoạch giáo dục nghề nghiệp 6 tháng đầu "
				     "năm 2022</p>"));
	assert_non_null(strstr(html, "(từ 01/01/2022 đến 30/06/2022)"));
	assert_non_null(strstr(html, "<p>- UBND huyện (b/c);</p>"));
	assert_non_null(strstr(html, "<p>- Lưu: VT, LĐTBXH.</p>"));
	assert_non_null(strstr(html, "<p class=\"authority\">KT. TRƯỞNG PHÒNG</p>"));
	assert_non_null(strstr(html, "<p class=\"position\">PHÓ TRƯỞNG PHÒNG</p>"));
	/* No signer_name in the file: a blank to sign above. */
	assert_non_null(strstr(html, "<p class=\"name\">&nbsp;</p>"));
	assert_non_null(strstr(html, "Ghi chú: 27 nghề không có số liệu trong kỳ"));
	/* Shares of the plan exist (every other commune): the red ticks and
	 * their legend; no trade below the target: no legend for it. */
	assert_non_null(strstr(html, "<line class=\"plan\""));
	assert_non_null(strstr(html, "vạch đỏ: kế hoạch năm của xã"));
	assert_null(strstr(html, "dưới mục tiêu"));
	free(html);
	html = render(e, 2022, 0, REPORT_HTML);
	assert_non_null(strstr(html, "giáo dục nghề nghiệp năm 2022</p>"));
	free(html);
	html = render(e, 2022, 2, REPORT_HTML);
	assert_non_null(strstr(html, "6 tháng cuối năm 2022</p>"));
	/* H2: THUY 5 of 8 and MAYCN 11 of 15 employed, under 80%. */
	assert_non_null(strstr(html, "dưới mục tiêu"));
	assert_non_null(strstr(html, "<td class=\"n\">62,5%</td>"));
	free(html);
	env_free(e);

	/* Without shares of the plan, no red tick and no word of one. */
	bare = calloc(1, sizeof(*bare));
	assert_non_null(bare);
	strcpy(bare->tmpl, "/tmp/tinbao-conf-XXXXXX");
	close(mkstemp(bare->tmpl));
	assert_int_equal(plantest_conf(TEMPLATE, bare->tmpl, NULL, NULL), 0);
	assert_int_equal(fixture_setup(&bare->f, "./tinbao", bare->tmpl), 0);
	bare->cfg = config_load(bare->f.conf, NULL);
	assert_non_null(bare->cfg);
	bare->st = store_open(bare->f.db, 0);
	assert_non_null(bare->st);
	store_reps(bare);
	html = render(bare, 2022, 1, REPORT_HTML);
	assert_null(strstr(html, "<line class=\"plan\""));
	assert_null(strstr(html, "vạch đỏ"));
	free(html);
	env_free(bare);

	report_vn_number(1559, buf, sizeof(buf));
	assert_string_equal(buf, "1.559");
	report_vn_number(1234567, buf, sizeof(buf));
	assert_string_equal(buf, "1.234.567");
	report_vn_number(999, buf, sizeof(buf));
	assert_string_equal(buf, "999");
	report_vn_rate(21, 25, buf, sizeof(buf));
	assert_string_equal(buf, "84%");
	report_vn_rate(2, 3, buf, sizeof(buf));
	assert_string_equal(buf, "66,6%");
	report_vn_rate(1, 0, buf, sizeof(buf));
	assert_string_equal(buf, "-");
}

/* --csv-sep ';' (or report.csv_separator): the same CSV with ';' between
 * fields, a name with ';' quoted instead of one with ','. */
static void
test_csv_separator(void **state)
{
	static const char head[] = "\xef\xbb\xbfperiod;row;commune_code;commune;";
	struct config_diags d = {NULL, 0};
	struct env *e = env_new();
	struct report *r;
	int found = 0;
	size_t i;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	store_reps(e);
	r = report_build(e->cfg, e->st, 2022, 0);
	assert_non_null(r);
	assert_int_equal(report_set_csv_separator(r, "|"), -1);
	assert_int_equal(report_set_csv_separator(r, ";"), 0);
	f = open_memstream(&buf, &len);
	assert_int_equal(report_write(r, REPORT_CSV, f), 0);
	fclose(f);
	report_free(r);
	assert_true(strncmp(buf, head, strlen(head)) == 0);
	assert_non_null(strstr(buf, ";06400;Yên Thịnh;"));
	assert_non_null(strstr(buf, ";Thú y (phòng trị bệnh gia súc, gia cầm);"));
	assert_null(strstr(buf, "\"Thú y"));
	free(buf);
	env_free(e);

	/* The same from the configuration; anything but ',' or ';' is refused
	 * by name. */
	e = env_new_extra("report = { csv_separator = \";\"; };\n");
	store_reps(e);
	buf = render(e, 2022, 0, REPORT_CSV);
	assert_true(strncmp(buf, head, strlen(head)) == 0);
	free(buf);
	assert_int_equal(
	    plantest_conf(TEMPLATE, e->tmpl, shares, "report = { csv_separator = \"|\"; };\n"), 0);
	assert_null(config_load(e->tmpl, &d));
	for (i = 0; i < d.n; i++)
		found |= strstr(d.v[i].msg, "must be \",\" or \";\", not \"|\"") != NULL;
	assert_true(found);
	config_diags_free(&d);
	env_free(e);
}

static long
report_notices(struct env *e)
{
	sqlite3 *db;
	long n;

	assert_int_equal(sqlite3_open(e->f.db, &db), SQLITE_OK);
	n = rows_of(db, "SELECT count(*) FROM outbox WHERE reason = 'report'");
	sqlite3_close(db);
	return n;
}

static int
exists(const char *dir, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

/*
 * The gateway files the period's report by itself: from the day after each
 * deadline (16 June, 16 December), outside quiet hours, and on 31 December
 * the year's; html, xlsx and pdf in report.dir; one SMS per staff number;
 * nothing written or sent twice, also by a fresh process; a folder that is
 * not there is an error tried again an hour later, with nothing left
 * behind.
 */
static void
test_report_tick(void **state)
{
	static const char extra_fmt[] =
	    "digest = { recipients = [ \"+84912345001\", \"0912345002\" ]; };\n"
	    "report = { dir = \"%s\"; agency_short = \"LĐTBXH\"; };\n";
	char dir[128], extra[512], html[192];
	struct env *e;
	struct stat before, after;
	int64_t retry = 0;
	struct config *cfg;

	snprintf(dir, sizeof(dir), "/tmp/tinbao-reports-%d", (int)getpid());
	snprintf(extra, sizeof(extra), extra_fmt, dir);
	e = env_new_extra(extra);
	store_reps(e);
	/* No folder: an error, tried again in an hour. */
	assert_int_equal(report_tick(e->cfg, e->st, clock_from_local(2022, 6, 16, 10, 0), &retry),
			 -1);
	assert_int_equal(retry, clock_from_local(2022, 6, 16, 11, 0));
	assert_int_equal(report_notices(e), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(report_tick(e->cfg, e->st, clock_from_local(2022, 6, 16, 10, 30), &retry),
			 0);
	assert_false(exists(dir, "bao-cao-2022-H1.html"));
	/* The deadline itself: not yet. */
	retry = 0;
	assert_int_equal(report_tick(e->cfg, e->st, clock_from_local(2022, 6, 15, 12, 0), &retry),
			 0);
	assert_false(exists(dir, "bao-cao-2022-H1.html"));
	assert_int_equal(report_tick(e->cfg, e->st, clock_from_local(2022, 6, 16, 11, 0), &retry),
			 0);
	assert_true(exists(dir, "bao-cao-2022-H1.html"));
	assert_true(exists(dir, "bao-cao-2022-H1.xlsx"));
	if (system("command -v chromium >/dev/null 2>&1") == 0)
		assert_true(exists(dir, "bao-cao-2022-H1.pdf"));
	assert_false(exists(dir, "bao-cao-2022-H1.html.tmp"));
	assert_false(exists(dir, "bao-cao-2022-H2.html"));
	assert_int_equal(report_notices(e), 2);
	snprintf(html, sizeof(html), "%s/bao-cao-2022-H1.html", dir);
	assert_int_equal(stat(html, &before), 0);
	/* Later that day, and a fresh process the next day: nothing again. */
	assert_int_equal(report_tick(e->cfg, e->st, clock_from_local(2022, 6, 16, 17, 0), &retry),
			 0);
	cfg = config_load(e->f.conf, NULL);
	assert_non_null(cfg);
	retry = 0;
	assert_int_equal(report_tick(cfg, e->st, clock_from_local(2022, 6, 17, 9, 0), &retry), 0);
	config_free(cfg);
	assert_int_equal(stat(html, &after), 0);
	assert_true(before.st_ino == after.st_ino && before.st_mtime == after.st_mtime);
	assert_int_equal(report_notices(e), 2);
	/* 16 December in the quiet hours: later; then the second half. */
	assert_int_equal(report_tick(e->cfg, e->st, clock_from_local(2022, 12, 16, 23, 0), &retry),
			 0);
	assert_false(exists(dir, "bao-cao-2022-H2.html"));
	assert_int_equal(report_tick(e->cfg, e->st, clock_from_local(2022, 12, 17, 8, 0), &retry),
			 0);
	assert_true(exists(dir, "bao-cao-2022-H2.html"));
	assert_false(exists(dir, "bao-cao-2022.html"));
	assert_int_equal(report_notices(e), 4);
	/* 31 December: the year's. */
	assert_int_equal(report_tick(e->cfg, e->st, clock_from_local(2022, 12, 31, 9, 0), &retry),
			 0);
	assert_true(exists(dir, "bao-cao-2022.html"));
	assert_true(exists(dir, "bao-cao-2022.xlsx"));
	assert_int_equal(report_notices(e), 6);
	env_free(e);
	snprintf(extra, sizeof(extra), "rm -rf '%s'", dir);
	assert_int_equal(system(extra), 0);
}

/* The running gateway does it: one `tinbao run --once` on 16 June 2022
 * files the first half's report and queues its notices. */
static void
test_report_by_gateway(void **state)
{
	char dir[128], extra[512], now[32];
	struct env *e;
	int rc;

	snprintf(dir, sizeof(dir), "/tmp/tinbao-reports-gw-%d", (int)getpid());
	snprintf(extra, sizeof(extra),
		 "digest = { recipients = [ \"+84912345001\" ]; };\n"
		 "report = { dir = \"%s\"; };\n",
		 dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	e = env_new_extra(extra);
	store_reps(e);
	snprintf(now, sizeof(now), "%lld", (long long)clock_from_local(2022, 6, 16, 10, 0));
	setenv("TINBAO_FAKE_NOW", now, 1);
	rc = fixture_run(&e->f, NULL, 0, 120, NULL, "run", "--once", NULL);
	unsetenv("TINBAO_FAKE_NOW");
	assert_int_equal(rc, 0);
	assert_true(exists(dir, "bao-cao-2022-H1.html"));
	assert_true(exists(dir, "bao-cao-2022-H1.xlsx"));
	assert_int_equal(report_notices(e), 1);
	env_free(e);
	snprintf(extra, sizeof(extra), "rm -rf '%s'", dir);
	assert_int_equal(system(extra), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_periods),
	    cmocka_unit_test(test_figures),
	    cmocka_unit_test(test_forms_agree),
	    cmocka_unit_test(test_csv_bytes),
	    cmocka_unit_test(test_html_self_contained),
	    cmocka_unit_test(test_sums_follow_reports),
	    cmocka_unit_test(test_html_in_browser),
	    cmocka_unit_test(test_pdf),
	    cmocka_unit_test(test_pdf_no_browser),
	    cmocka_unit_test(test_checks),
	    cmocka_unit_test(test_document),
	    cmocka_unit_test(test_csv_separator),
	    cmocka_unit_test(test_report_tick),
	    cmocka_unit_test(test_report_by_gateway),
	};

	log_init(0, getenv("TEST_VERBOSE") != NULL ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARN);
	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
