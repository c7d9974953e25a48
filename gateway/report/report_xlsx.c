/*
 * report_xlsx.c - the report as an Excel workbook (libxlsxwriter): one
 * sheet per table (Tổng hợp, Theo xã, Theo nghề, Xã × nghề), Vietnamese
 * headers, codes as text ("06385" keeps its zero), counts as numbers,
 * rates as percentage cells holding the exact ratio, a total row under
 * each table, frozen header rows repeated on printed pages, column widths
 * that fit the longest value.
 *
 * libxlsxwriter writes to a file name: the workbook is written in a
 * private temporary folder, then copied to the caller's stream.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <xlsxwriter.h>

#include "config.h"
#include "dynlib.h"
#include "log.h"
#include "report_impl.h"

/*
 * libxlsxwriter's functions, from libxlsxwriter.so.4 opened by the first
 * workbook (the binary is not linked with it: see dynlib.h); the header
 * still gives the types and constants.  lxw.workbook_new() is
 * workbook_new().
 */
static struct {
	lxw_workbook *(*workbook_new)(const char *path);
	lxw_format *(*workbook_add_format)(lxw_workbook *wb);
	lxw_worksheet *(*workbook_add_worksheet)(lxw_workbook *wb, const char *name);
	lxw_error (*workbook_set_properties)(lxw_workbook *wb, lxw_doc_properties *props);
	lxw_error (*workbook_close)(lxw_workbook *wb);
	void (*format_set_bold)(lxw_format *f);
	void (*format_set_text_wrap)(lxw_format *f);
	void (*format_set_align)(lxw_format *f, uint8_t align);
	void (*format_set_bg_color)(lxw_format *f, lxw_color_t color);
	void (*format_set_border)(lxw_format *f, uint8_t style);
	void (*format_set_num_format)(lxw_format *f, const char *num_format);
	lxw_error (*worksheet_write_string)(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
					    const char *v, lxw_format *f);
	lxw_error (*worksheet_write_number)(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
					    double v, lxw_format *f);
	void (*worksheet_freeze_panes)(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col);
	lxw_error (*worksheet_repeat_rows)(lxw_worksheet *ws, lxw_row_t first, lxw_row_t last);
	void (*worksheet_set_paper)(lxw_worksheet *ws, uint8_t paper);
	void (*worksheet_set_landscape)(lxw_worksheet *ws);
	void (*worksheet_fit_to_pages)(lxw_worksheet *ws, uint16_t width, uint16_t height);
	lxw_error (*worksheet_set_column)(lxw_worksheet *ws, lxw_col_t first, lxw_col_t last,
					  double width, lxw_format *f);
	char *(*lxw_strerror)(lxw_error err);
} lxw;

/* clang-format off */
#define SYM(f) {#f, (void **)&lxw.f}
static const struct dynlib_sym lxw_syms[] = {
	SYM(workbook_new), SYM(workbook_add_format), SYM(workbook_add_worksheet),
	SYM(workbook_set_properties), SYM(workbook_close),
	SYM(format_set_bold), SYM(format_set_text_wrap), SYM(format_set_align),
	SYM(format_set_bg_color), SYM(format_set_border), SYM(format_set_num_format),
	SYM(worksheet_write_string), SYM(worksheet_write_number), SYM(worksheet_freeze_panes),
	SYM(worksheet_repeat_rows), SYM(worksheet_set_paper), SYM(worksheet_set_landscape),
	SYM(worksheet_fit_to_pages), SYM(worksheet_set_column),
	SYM(lxw_strerror),
};
#undef SYM
/* clang-format on */

/* Once loaded, the library stays; from either thread: see dynlib.h. */
static int
load(void)
{
	return dynlib_load("report", "libxlsxwriter.so.4", "libxlsxwriter4", lxw_syms,
			   sizeof(lxw_syms) / sizeof(lxw_syms[0]));
}

#define MAX_COLS 16
#define MAX_WIDTH 60

struct sheet {
	lxw_worksheet *ws;
	lxw_row_t row;
	double width[MAX_COLS]; /* characters */
};

struct formats {
	lxw_format *head, *text, *num, *pct, *total_text, *total_num, *total_pct;
};

/* The width a text needs, in characters: UTF-8 continuation bytes do not
 * count. */
static void
fit(struct sheet *s, lxw_col_t col, const char *text)
{
	double n = 0;

	for (; *text != '\0'; text++)
		n += ((unsigned char)*text & 0xc0) != 0x80;
	if (col < MAX_COLS && n + 2 > s->width[col])
		s->width[col] = n + 2 > MAX_WIDTH ? MAX_WIDTH : n + 2;
}

static void
text(struct sheet *s, lxw_col_t col, const char *v, lxw_format *fmt)
{
	if (v == NULL)
		return;
	lxw.worksheet_write_string(s->ws, s->row, col, v, fmt);
	fit(s, col, v);
}

static void
number(struct sheet *s, lxw_col_t col, long v, lxw_format *fmt)
{
	char buf[32];

	if (v < 0)
		return; /* no value: an empty cell */
	lxw.worksheet_write_number(s->ws, s->row, col, (double)v, fmt);
	snprintf(buf, sizeof(buf), "%ld", v);
	fit(s, col, buf);
}

static void
ratio(struct sheet *s, lxw_col_t col, long part, long whole, lxw_format *fmt)
{
	if (whole <= 0)
		return;
	lxw.worksheet_write_number(s->ws, s->row, col, (double)part / (double)whole, fmt);
	fit(s, col, "100,0%");
}

static const char *const cols[NCOLS] = {
    "Ghi danh", "Tốt nghiệp",	  "Có việc làm",       "Tỷ lệ việc làm", "Nhu cầu",
    "Lao động", "LĐ qua đào tạo", "Tỷ lệ qua đào tạo", "Số báo cáo",
};

/* A header row, frozen and repeated on every printed page. */
static int
start(lxw_workbook *wb, const struct formats *fm, struct sheet *s, const char *name,
      const char *const *first, int nfirst, int ncols, const char *last)
{
	lxw_col_t c = 0;
	int i;

	memset(s, 0, sizeof(*s));
	s->ws = lxw.workbook_add_worksheet(wb, name);
	if (s->ws == NULL)
		return -1;
	for (i = 0; i < nfirst; i++)
		text(s, c++, first[i], fm->head);
	for (i = 0; i < ncols; i++)
		text(s, c++, cols[i], fm->head);
	if (last != NULL)
		text(s, c++, last, fm->head);
	lxw.worksheet_freeze_panes(s->ws, 1, (lxw_col_t)nfirst);
	lxw.worksheet_repeat_rows(s->ws, 0, 0);
	lxw.worksheet_set_paper(s->ws, 9); /* A4 */
	lxw.worksheet_set_landscape(s->ws);
	lxw.worksheet_fit_to_pages(s->ws, 1, 0);
	s->row = 1;
	return 0;
}

static void
finish(struct sheet *s)
{
	lxw_col_t c;

	for (c = 0; c < MAX_COLS; c++) {
		if (s->width[c] > 0)
			lxw.worksheet_set_column(s->ws, c, c, s->width[c], NULL);
	}
}

/* The figures of a row from column col: counts, and rates from their
 * parts. */
static void
figures(struct sheet *s, lxw_col_t col, const struct counts *c, const long v[NCOLS], int ncols,
	long trained, long labour, int total, const struct formats *fm)
{
	lxw_format *num = total ? fm->total_num : fm->num, *pct = total ? fm->total_pct : fm->pct;
	int i;

	for (i = 0; i < ncols; i++) {
		if (i == C_RATE)
			ratio(s, col + (lxw_col_t)i, c->job, c->grad, pct);
		else if (i == C_SHARE)
			ratio(s, col + (lxw_col_t)i, v[C_SHARE] < 0 ? 0 : trained,
			      v[C_SHARE] < 0 ? 0 : labour, pct);
		else
			number(s, col + (lxw_col_t)i, v[i], num);
	}
}

static int
sheet_summary(lxw_workbook *wb, const struct report *r, const struct formats *fm)
{
	static const char *const head[] = {"Chỉ tiêu", "Thực hiện", "Kế hoạch", "Kế hoạch tối đa"};
	const struct config_plan *p = r->plan;
	char period[64], label[128];
	struct sheet s;
	lxw_col_t c;

	memset(&s, 0, sizeof(s));
	s.ws = lxw.workbook_add_worksheet(wb, "Tổng hợp");
	if (s.ws == NULL)
		return -1;
	for (c = 0; c < 4; c++)
		text(&s, c, head[c], fm->head);
	lxw.worksheet_freeze_panes(s.ws, 1, 0);
	lxw.worksheet_set_paper(s.ws, 9);
	report_period_words(r, 0, period, sizeof(period));
	s.row = 1;
	text(&s, 0, "Kỳ báo cáo", fm->text);
	text(&s, 1, period, fm->text);
	s.row++;
	snprintf(label, sizeof(label), "Học viên lũy kế năm %d đến hết kỳ", r->year);
	text(&s, 0, label, fm->text);
	number(&s, 1, r->ytd, fm->num);
	if (p != NULL) { /* a year without a plan: empty target cells */
		number(&s, 2, p->trained_min, fm->num);
		number(&s, 3, p->trained_max, fm->num);
	}
	s.row++;
	text(&s, 0, "Học viên ghi danh trong kỳ", fm->text);
	number(&s, 1, r->total.enrol, fm->num);
	s.row++;
	text(&s, 0, "Trong đó khóa dưới 3 tháng", fm->text);
	number(&s, 1, r->short_enrol, fm->num);
	s.row++;
	text(&s, 0, "Tỷ lệ có việc làm sau đào tạo", fm->text);
	ratio(&s, 1, r->total.job, r->total.grad, fm->pct);
	if (p != NULL)
		ratio(&s, 2, p->employed_pct, 100, fm->pct);
	s.row++;
	text(&s, 0, "Tỷ lệ lao động qua đào tạo", fm->text);
	ratio(&s, 1, r->trained, r->labour, fm->pct);
	if (p != NULL)
		ratio(&s, 2, p->labour_trained_pct, 100, fm->pct);
	s.row++;
	text(&s, 0, "Xã, thị trấn chưa báo cáo", fm->text);
	number(&s, 1, (long)report_never_reported(r), fm->num);
	s.row++;
	text(&s, 0, "Báo cáo đã hủy, không tính", fm->text);
	number(&s, 1, r->cancelled, fm->num);
	finish(&s);
	return 0;
}

static int
sheet_communes(lxw_workbook *wb, const struct report *r, const struct formats *fm)
{
	static const char *const first[] = {"Mã", "Xã, thị trấn"};
	const struct rcommune *c;
	struct sheet s;
	long v[NCOLS];
	size_t i;

	if (start(wb, fm, &s, "Theo xã", first, 2, NCOLS, "Kế hoạch xã") == -1)
		return -1;
	for (i = 0; i < r->ncommunes; i++, s.row++) {
		c = &r->communes[i];
		report_commune_values(c, v);
		text(&s, 0, c->code, fm->text);
		text(&s, 1, c->name, fm->text);
		figures(&s, 2, &c->c, v, NCOLS, c->trained, c->labour, 0, fm);
		number(&s, 2 + NCOLS, c->plan > 0 ? c->plan : -1, fm->num);
	}
	report_district_values(r, v);
	text(&s, 0, "", fm->total_text);
	text(&s, 1, "Toàn huyện", fm->total_text);
	figures(&s, 2, &r->total, v, NCOLS, r->trained, r->labour, 1, fm);
	finish(&s);
	return 0;
}

static int
sheet_trades(lxw_workbook *wb, const struct report *r, const struct formats *fm)
{
	static const char *const first[] = {"Mã", "Nghề", "Cấp"};
	const struct rtrade *t;
	struct sheet s;
	long v[NCOLS];
	size_t i;

	if (start(wb, fm, &s, "Theo nghề", first, 3, C_NEED + 1, NULL) == -1)
		return -1;
	for (i = 0; i < r->ntrades; i++) {
		t = &r->trades[i];
		if (report_empty(&t->c))
			continue;
		report_values(&t->c, v);
		text(&s, 0, t->code, fm->text);
		text(&s, 1, t->name, fm->text);
		text(&s, 2, t->level, fm->text);
		figures(&s, 3, &t->c, v, C_NEED + 1, 0, 0, 0, fm);
		s.row++;
	}
	report_values(&r->total, v);
	text(&s, 1, "Cộng", fm->total_text);
	figures(&s, 3, &r->total, v, C_NEED + 1, 0, 0, 1, fm);
	finish(&s);
	return 0;
}

static int
sheet_cells(lxw_workbook *wb, const struct report *r, const struct formats *fm)
{
	static const char *const first[] = {"Mã xã", "Xã, thị trấn", "Mã nghề", "Nghề"};
	const struct counts *cell;
	struct sheet s;
	long v[NCOLS];
	size_t i, j;

	if (start(wb, fm, &s, "Xã × nghề", first, 4, C_NEED + 1, NULL) == -1)
		return -1;
	for (i = 0; i < r->ncommunes; i++) {
		for (j = 0; j < r->ntrades; j++) {
			cell = report_cell(r, i, j, v);
			if (cell == NULL)
				continue;
			text(&s, 0, r->communes[i].code, fm->text);
			text(&s, 1, r->communes[i].name, fm->text);
			text(&s, 2, r->trades[j].code, fm->text);
			text(&s, 3, r->trades[j].name, fm->text);
			figures(&s, 4, cell, v, C_NEED + 1, 0, 0, 0, fm);
			s.row++;
		}
	}
	report_values(&r->total, v);
	text(&s, 1, "Cộng", fm->total_text);
	figures(&s, 4, &r->total, v, C_NEED + 1, 0, 0, 1, fm);
	finish(&s);
	return 0;
}

static void
make_formats(lxw_workbook *wb, struct formats *fm)
{
	fm->head = lxw.workbook_add_format(wb);
	lxw.format_set_bold(fm->head);
	lxw.format_set_text_wrap(fm->head);
	lxw.format_set_align(fm->head, LXW_ALIGN_CENTER);
	lxw.format_set_align(fm->head, LXW_ALIGN_VERTICAL_CENTER);
	lxw.format_set_bg_color(fm->head, 0xEEEEEE);
	lxw.format_set_border(fm->head, LXW_BORDER_THIN);
	fm->text = lxw.workbook_add_format(wb);
	lxw.format_set_num_format(fm->text, "@");
	fm->num = lxw.workbook_add_format(wb);
	lxw.format_set_num_format(fm->num, "#,##0");
	fm->pct = lxw.workbook_add_format(wb);
	lxw.format_set_num_format(fm->pct, "0.0%");
	fm->total_text = lxw.workbook_add_format(wb);
	lxw.format_set_bold(fm->total_text);
	fm->total_num = lxw.workbook_add_format(wb);
	lxw.format_set_bold(fm->total_num);
	lxw.format_set_num_format(fm->total_num, "#,##0");
	fm->total_pct = lxw.workbook_add_format(wb);
	lxw.format_set_bold(fm->total_pct);
	lxw.format_set_num_format(fm->total_pct, "0.0%");
}

int
report_write_xlsx(const struct report *r, FILE *out)
{
	char dir[4096], path[4200], title[192], period[64];
	lxw_doc_properties props;
	struct formats fm;
	lxw_workbook *wb;
	lxw_error err;
	int rc = -1;

	if (load() == -1 || report_tmpdir_new(dir, sizeof(dir)) == -1)
		return -1;
	snprintf(path, sizeof(path), "%s/report.xlsx", dir);
	wb = lxw.workbook_new(path);
	if (wb == NULL) {
		log_warnx("report: cannot start the workbook %s", path);
		goto done;
	}
	make_formats(wb, &fm);
	report_period_words(r, 0, period, sizeof(period));
	snprintf(title, sizeof(title), "Kết quả thực hiện Kế hoạch giáo dục nghề nghiệp %s",
		 period);
	memset(&props, 0, sizeof(props));
	props.title = title;
	props.company = r->cfg->report.agency;
	lxw.workbook_set_properties(wb, &props);
	if (sheet_summary(wb, r, &fm) == -1 || sheet_communes(wb, r, &fm) == -1 ||
	    sheet_trades(wb, r, &fm) == -1 || sheet_cells(wb, r, &fm) == -1) {
		log_warnx("report: cannot add a sheet to the workbook");
		lxw.workbook_close(wb);
		goto done;
	}
	err = lxw.workbook_close(wb);
	if (err != LXW_NO_ERROR) {
		log_warnx("report: workbook: %s", lxw.lxw_strerror(err));
		goto done;
	}
	rc = report_copy_file(path, out);
done:
	report_tmpdir_remove(dir);
	return rc;
}
