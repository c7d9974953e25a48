/*
 * report_html.c - the report as a document to file (see report.h): the
 * layout of Decree 30/2020/ND-CP for an administrative document, printed on
 * A4 by any browser (and by report_pdf.c).
 *
 * From top to bottom: the agencies and the national title side by side,
 * the number and the place and date, the title and its subject, a body in
 * words drawn from the figures, the tables and charts, then "Nơi nhận" and
 * the signature block.  Names and titles come from the configuration's
 * `report` group; an unset one is left blank, to be filled in by hand.
 *
 * Each table row of figures is on its own line with data-row attributes,
 * so that a test can read the numbers back (tests/test_report.c).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "config.h"
#include "report_impl.h"

static void
str(FILE *f, const char *s)
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

/* A configured text, or a blank line to fill in by hand. */
static void
setting(FILE *f, const char *s)
{
	if (s != NULL)
		str(f, s);
	else
		fputs("&nbsp;", f);
}

static void
num(FILE *f, long v)
{
	char buf[32];

	report_vn_number(v, buf, sizeof(buf));
	fputs(buf, f);
}

static void
rate(FILE *f, long part, long whole)
{
	char buf[32];

	report_vn_rate(part, whole, buf, sizeof(buf));
	fputs(buf, f);
}

/* "dd/mm/yyyy" of "YYYY-MM-DD". */
static void
date(FILE *f, const char *iso)
{
	fprintf(f, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
}

/* ---- Tables ----------------------------------------------------------- */

static const char *const cols[NCOLS] = {
    "Ghi danh", "Tốt nghiệp",	  "Có việc làm",       "Tỷ lệ việc làm", "Nhu cầu",
    "Lao động", "LĐ qua đào tạo", "Tỷ lệ qua đào tạo", "Số báo cáo",
};

/* The cells of a row: counts with '.' for thousands, rates from their
 * parts with one decimal. */
static void
values(FILE *f, const struct counts *c, const long v[NCOLS], int ncols, long trained, long labour)
{
	int i;

	for (i = 0; i < ncols; i++) {
		fputs("<td class=\"n\">", f);
		if (v[i] < 0)
			fputs("-", f);
		else if (i == C_RATE)
			rate(f, c->job, c->grad);
		else if (i == C_SHARE)
			rate(f, trained, labour);
		else
			num(f, v[i]);
		fputs("</td>", f);
	}
}

/* The header row, in a thead that a browser repeats on every printed page. */
static void
head_row(FILE *f, const char *const *first, int nfirst, int ncols, const char *last)
{
	int i;

	fputs("<thead><tr>", f);
	for (i = 0; i < nfirst; i++)
		fprintf(f, "<th>%s</th>", first[i]);
	for (i = 0; i < ncols; i++)
		fprintf(f, "<th>%s</th>", cols[i]);
	if (last != NULL)
		fprintf(f, "<th>%s</th>", last);
	fputs("</tr></thead>\n<tbody>\n", f);
}

static void
caption(FILE *f, int n, const char *title)
{
	fprintf(f, "<p class=\"caption\">Biểu %d. %s</p>\n", n, title);
}

static void
table_targets(FILE *f, const struct report *r)
{
	static const char *const band[] = {"Chưa đạt", "Đạt", "Vượt"};
	const struct config_plan *p = r->plan;
	long emp = report_percent(r->total.job, r->total.grad);
	long lab = report_percent(r->trained, r->labour);

	caption(f, 1, "Tổng hợp kết quả so với chỉ tiêu kế hoạch");
	if (p == NULL) {
		fprintf(f,
			"<p id=\"no-plan\">Chưa có kế hoạch năm %d: số liệu không so sánh với chỉ "
			"tiêu. Lũy kế năm đến hết kỳ: ",
			r->year);
		num(f, r->ytd);
		fputs(" học viên.</p>\n", f);
		return;
	}
	fputs("<table id=\"targets\">\n<thead><tr><th>Chỉ tiêu</th><th>Thực hiện</th>"
	      "<th>Kế hoạch</th><th>Đánh giá</th></tr></thead>\n<tbody>\n",
	      f);
	fprintf(f,
		"<tr data-target=\"trainees\"><td>Học viên lũy kế năm %d đến hết kỳ</td>"
		"<td class=\"n\">",
		r->year);
	num(f, r->ytd);
	fprintf(f, "</td><td class=\"c\">%d–%d</td><td class=\"c\">%s</td></tr>\n", p->trained_min,
		p->trained_max, band[report_against_band(r) + 1]);
	fputs("<tr><td>Học viên ghi danh trong kỳ (khóa dưới 3 tháng: ", f);
	num(f, r->short_enrol);
	fputs(")</td><td class=\"n\">", f);
	num(f, r->total.enrol);
	fputs("</td><td></td><td></td></tr>\n", f);
	fputs("<tr data-target=\"employment\"><td>Tỷ lệ có việc làm sau đào tạo</td>"
	      "<td class=\"n\">",
	      f);
	rate(f, r->total.job, r->total.grad);
	fprintf(f, "</td><td class=\"c\">≥ %d%%</td><td class=\"c\">%s</td></tr>\n",
		p->employed_pct,
		emp < 0 || emp > 100	 ? ""
		: emp >= p->employed_pct ? "Đạt"
					 : "Chưa đạt");
	fputs("<tr data-target=\"trained\"><td>Tỷ lệ lao động qua đào tạo</td><td class=\"n\">", f);
	rate(f, r->trained, r->labour);
	fprintf(f, "</td><td class=\"c\">%d%%</td><td class=\"c\">%s</td></tr>\n",
		p->labour_trained_pct,
		lab < 0 || lab > 100	       ? ""
		: lab >= p->labour_trained_pct ? "Đạt"
					       : "Chưa đạt");
	fputs("</tbody>\n</table>\n", f);
}

static void
table_communes(FILE *f, const struct report *r)
{
	static const char *const first[] = {"Mã", "Xã, thị trấn"};
	const struct rcommune *c;
	long v[NCOLS];
	size_t i;

	caption(f, 2, "Kết quả theo xã, thị trấn");
	fputs("<table id=\"communes\" class=\"figures\">\n", f);
	head_row(f, first, 2, NCOLS, "Kế hoạch xã");
	for (i = 0; i < r->ncommunes; i++) {
		c = &r->communes[i];
		report_commune_values(c, v);
		fprintf(f, "<tr data-row=\"commune\" data-commune=\"%s\"%s><td>%s</td><td>",
			c->code, c->configured && c->reports == 0 ? " class=\"silent\"" : "",
			c->code);
		if (c->configured)
			fputs(c->township ? "TT " : "Xã ", f);
		str(f, c->name);
		fputs("</td>", f);
		values(f, &c->c, v, NCOLS, c->trained, c->labour);
		fputs("<td class=\"n\">", f);
		if (c->plan > 0)
			num(f, c->plan);
		else
			fputs("-", f);
		fputs("</td></tr>\n", f);
	}
	report_district_values(r, v);
	fputs("<tr data-row=\"district\" class=\"total\"><td></td><td>Toàn huyện</td>", f);
	values(f, &r->total, v, NCOLS, r->trained, r->labour);
	if (r->plan != NULL)
		fprintf(f, "<td class=\"n\">%d–%d</td></tr>\n</tbody>\n</table>\n",
			r->plan->trained_min, r->plan->trained_max);
	else
		fputs("<td class=\"n\">-</td></tr>\n</tbody>\n</table>\n", f);
}

static void
table_trades(FILE *f, const struct report *r)
{
	static const char *const first[] = {"Mã", "Nghề", "Cấp"};
	const struct rtrade *t;
	long v[NCOLS];
	size_t i, out = report_trades_left_out(r);

	caption(f, 3, "Kết quả theo nghề");
	fputs("<table id=\"trades\" class=\"figures\">\n", f);
	head_row(f, first, 3, C_NEED + 1, NULL);
	for (i = 0; i < r->ntrades; i++) {
		t = &r->trades[i];
		if (report_empty(&t->c))
			continue;
		report_values(&t->c, v);
		fputs("<tr data-row=\"trade\" data-trade=\"", f);
		str(f, t->code);
		fputs("\"><td>", f);
		str(f, t->code);
		fputs("</td><td>", f);
		str(f, t->name);
		fprintf(f, "</td><td>%s</td>", t->level);
		values(f, &t->c, v, C_NEED + 1, 0, 0);
		fputs("</tr>\n", f);
	}
	report_values(&r->total, v);
	fputs("<tr class=\"total\"><td></td><td>Cộng</td><td></td>", f);
	values(f, &r->total, v, C_NEED + 1, 0, 0);
	fputs("</tr>\n</tbody>\n</table>\n", f);
	if (out > 0)
		fprintf(f,
			"<p class=\"note\" id=\"trades-left-out\">Ghi chú: %zu nghề không có số "
			"liệu trong kỳ, không đưa vào biểu.</p>\n",
			out);
}

static void
table_cells(FILE *f, const struct report *r)
{
	static const char *const first[] = {"Xã, thị trấn", "Nghề"};
	const struct counts *cell;
	long v[NCOLS];
	size_t i, j;

	caption(f, 4, "Kết quả theo xã và nghề");
	fputs("<table id=\"cells\" class=\"figures\">\n", f);
	head_row(f, first, 2, C_NEED + 1, NULL);
	for (i = 0; i < r->ncommunes; i++) {
		for (j = 0; j < r->ntrades; j++) {
			cell = report_cell(r, i, j, v);
			if (cell == NULL)
				continue;
			fprintf(f,
				"<tr data-row=\"commune_trade\" data-commune=\"%s\" data-trade=\"",
				r->communes[i].code);
			str(f, r->trades[j].code);
			fputs("\"><td>", f);
			str(f, r->communes[i].name);
			fputs("</td><td>", f);
			str(f, r->trades[j].name);
			fputs("</td>", f);
			values(f, cell, v, C_NEED + 1, 0, 0);
			fputs("</tr>\n", f);
		}
	}
	report_values(&r->total, v);
	fputs("<tr class=\"total\"><td>Cộng</td><td></td>", f);
	values(f, &r->total, v, C_NEED + 1, 0, 0);
	fputs("</tr>\n</tbody>\n</table>\n", f);
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
	size_t i, ticks = 0;
	int h = 40 + (int)r->ncommunes * ROW_H, y, w;

	for (i = 0; i < r->ncommunes; i++) {
		top = max_long(top, max_long(r->communes[i].c.enrol, r->communes[i].plan));
		ticks += r->communes[i].plan > 0;
	}
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
		str(f, c->name);
		fprintf(f,
			"</text><rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\">"
			"<title>",
			LABEL_W, y + 2, w, ROW_H - 4);
		num(f, c->c.enrol);
		fprintf(f, " HV</title></rect><text x=\"%d\" y=\"%d\">", LABEL_W + w + 4, y + 14);
		num(f, c->c.enrol);
		fputs("</text>\n", f);
		if (c->plan > 0)
			fprintf(f,
				"<line class=\"plan\" x1=\"%ld\" x2=\"%ld\" y1=\"%d\" y2=\"%d\">"
				"<title>Kế hoạch xã: %d HV</title></line>\n",
				LABEL_W + c->plan * BAR_W / top, LABEL_W + c->plan * BAR_W / top, y,
				y + ROW_H, c->plan);
	}
	fputs("</svg>", f);
	/* The legend names only what is drawn. */
	fputs("<figcaption><svg class=\"key\" width=\"14\" height=\"12\"><rect class=\"bar\" "
	      "x=\"0\" y=\"2\" width=\"14\" height=\"8\"/></svg> học viên ghi danh trong kỳ",
	      f);
	if (ticks > 0)
		fputs(
		    "; <svg class=\"key\" width=\"6\" height=\"12\"><line class=\"plan\" x1=\"3\" "
		    "x2=\"3\" y1=\"0\" y2=\"12\"/></svg> vạch đỏ: kế hoạch năm của xã",
		    f);
	fputs(".</figcaption></figure>\n", f);
}

/* Employment rate per trade (trades with learners who completed), with the
 * target as a line. */
static void
chart_trades(FILE *f, const struct report *r)
{
	const struct rtrade *t;
	long top = 100, rate, target = r->plan != NULL ? r->plan->employed_pct : 0;
	size_t i, n = 0, low = 0;
	int h, y = 30, w, x80;

	for (i = 0; i < r->ntrades; i++) {
		if (r->trades[i].c.grad > 0) {
			n++;
			low += report_percent(r->trades[i].c.job, r->trades[i].c.grad) < target;
			top =
			    max_long(top, report_percent(r->trades[i].c.job, r->trades[i].c.grad));
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
		rate = report_percent(t->c.job, t->c.grad);
		w = (int)(rate * BAR_W / top);
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", LABEL_W - 6, y + 14);
		str(f, t->code);
		fprintf(f,
			"</text><rect class=\"%s\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\">"
			"<title>",
			rate >= target ? "bar" : "low", LABEL_W, y + 2, w, ROW_H - 4);
		str(f, t->name);
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
	/* The legend names only what is drawn. */
	fputs("</svg><figcaption>", f);
	if (n > low)
		fputs("<svg class=\"key\" width=\"14\" height=\"12\"><rect class=\"bar\" x=\"0\" "
		      "y=\"2\" width=\"14\" height=\"8\"/></svg> đạt mục tiêu; ",
		      f);
	if (low > 0)
		fputs("<svg class=\"key\" width=\"14\" height=\"12\"><rect class=\"low\" x=\"0\" "
		      "y=\"2\" width=\"14\" height=\"8\"/></svg> dưới mục tiêu; ",
		      f);
	fputs("đường đỏ đứt nét: mục tiêu.</figcaption></figure>\n", f);
}

/* The year's trainees so far against the plan's band. */
static void
chart_plan(FILE *f, const struct report *r)
{
	const struct config_plan *p = r->plan;
	long top;
	int x0, x1, w;

	if (p == NULL) /* no band to draw the year against */
		return;
	top = max_long(p->trained_max + p->trained_max / 4, r->ytd + r->ytd / 10);

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
		"<rect class=\"bar\" x=\"%d\" y=\"40\" width=\"%d\" height=\"26\"><title>",
		LABEL_W - 6, LABEL_W, w);
	num(f, r->ytd);
	fprintf(f, " HV</title></rect><text x=\"%d\" y=\"58\">", LABEL_W + w + 4);
	num(f, r->ytd);
	fputs(" HV</text>\n", f);
	fprintf(f,
		"<line class=\"axis\" x1=\"%d\" x2=\"%d\" y1=\"78\" y2=\"78\"/></svg></figure>\n",
		LABEL_W, LABEL_W + BAR_W);
}

/* ---- The document ----------------------------------------------------- */

/* The agencies (left) and the national title (right), then the number and
 * the place and date. */
static void
heading(FILE *f, const struct report *r)
{
	const struct config_report *c = &r->cfg->report;
	struct tm tm;

	clock_local(r->made, &tm);
	fputs("<table class=\"heading\"><tr><td class=\"agency\"><div class=\"parent\">", f);
	setting(f, c->parent_agency);
	fputs("</div><div class=\"org\">", f);
	setting(f, c->agency);
	fputs("</div><div class=\"rule\"></div></td>\n<td class=\"nation\"><div class=\"nat\">"
	      "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</div><div class=\"motto\"><span>Độc lập - Tự "
	      "do - Hạnh phúc</span></div></td></tr>\n",
	      f);
	fputs("<tr><td class=\"number\">Số: <span class=\"blank\"></span>/BC-", f);
	if (c->agency_short != NULL)
		str(f, c->agency_short);
	fputs("</td><td class=\"date\" id=\"date\">", f);
	if (c->place != NULL) {
		str(f, c->place);
		fputs(", ", f);
	}
	/* The decree writes days under 10 and the months 1 and 2 with a 0. */
	fprintf(f, "ngày %02d tháng %0*d năm %d</td></tr>\n</table>\n", tm.tm_mday,
		tm.tm_mon + 1 <= 2 ? 2 : 1, tm.tm_mon + 1, tm.tm_year + 1900);
}

static void
title(FILE *f, const struct report *r)
{
	char period[64];

	report_period_words(r, 0, period, sizeof(period));
	fprintf(f,
		"<h1>BÁO CÁO</h1>\n<p class=\"subject\" id=\"subject\">Kết quả thực hiện Kế "
		"hoạch giáo dục nghề nghiệp %s</p>\n<div class=\"rule short\"></div>\n",
		period);
}

static size_t
communes_reporting(const struct report *r, size_t *configured)
{
	size_t i, n = 0;

	*configured = 0;
	for (i = 0; i < r->ncommunes; i++) {
		*configured += r->communes[i].configured;
		n += r->communes[i].configured && r->communes[i].reports > 0;
	}
	return n;
}

static void
body_reports(FILE *f, const struct report *r)
{
	char from[16], to[16];
	size_t i, k = 0, configured, reporting = communes_reporting(r, &configured);

	report_period_days(r->year, r->half, from, to, sizeof(from));
	fputs("<h2>I. Tình hình báo cáo</h2>\n<p id=\"body-reports\">Trong kỳ báo cáo (từ ", f);
	date(f, from);
	fputs(" đến ", f);
	date(f, to);
	fputs("), đã nhận ", f);
	num(f, r->reports);
	fprintf(f, " báo cáo của %zu/%zu xã, thị trấn", reporting, configured);
	if (r->cancelled > 0) {
		fputs("; ", f);
		num(f, r->cancelled);
		fputs(" báo cáo đã hủy không được tính", f);
	}
	fputs(".", f);
	if (reporting == configured) {
		fputs(" Tất cả các xã, thị trấn đều đã báo cáo.</p>\n", f);
		return;
	}
	fprintf(f, "</p>\n<p id=\"silent\">Có %zu xã, thị trấn chưa báo cáo trong kỳ: ",
		configured - reporting);
	for (i = 0; i < r->ncommunes; i++) {
		if (!r->communes[i].configured || r->communes[i].reports > 0)
			continue;
		if (k++ > 0)
			fputs(", ", f);
		str(f, r->communes[i].name);
		fprintf(f, " (%s)", r->communes[i].code);
	}
	fputs("; số liệu toàn huyện vì vậy chưa đầy đủ.</p>\n", f);
}

static void
body_results(FILE *f, const struct report *r)
{
	static const char *const band[] = {"chưa đạt", "đạt", "vượt"};
	const struct config_plan *p = r->plan;
	long emp = report_percent(r->total.job, r->total.grad);
	long lab = report_percent(r->trained, r->labour);

	fputs("<h2>II. Kết quả thực hiện</h2>\n<p id=\"body-trainees\">1. Đào tạo: trong kỳ có ",
	      f);
	num(f, r->total.enrol);
	fputs(" học viên ghi danh (khóa dưới 3 tháng: ", f);
	num(f, r->short_enrol);
	fprintf(f, "). Lũy kế năm %d đến hết kỳ: ", r->year);
	num(f, r->ytd);
	if (p != NULL)
		fprintf(f, " học viên, %s kế hoạch năm (%d–%d học viên).</p>\n",
			band[report_against_band(r) + 1], p->trained_min, p->trained_max);
	else
		fprintf(f, " học viên; chưa có kế hoạch năm %d để so sánh.</p>\n", r->year);
	fputs("<p id=\"body-employment\">2. Việc làm sau đào tạo: ", f);
	if (emp < 0) {
		fputs("chưa có học viên tốt nghiệp trong kỳ", f);
		if (p != NULL)
			fprintf(f, ", chưa đánh giá được so với mục tiêu %d%%", p->employed_pct);
		fputs(".</p>\n", f);
	} else {
		num(f, r->total.grad);
		fputs(" học viên tốt nghiệp, trong đó ", f);
		num(f, r->total.job);
		fputs(" người có việc làm, đạt tỷ lệ ", f);
		rate(f, r->total.job, r->total.grad);
		if (emp > 100 && p != NULL)
			fprintf(f,
				"; không so được với mục tiêu %d%%: số có việc làm nhiều hơn "
				"số tốt nghiệp (xem mục III).</p>\n",
				p->employed_pct);
		else if (emp > 100)
			fputs("; số có việc làm nhiều hơn số tốt nghiệp (xem mục III).</p>\n", f);
		else if (p != NULL)
			fprintf(f, " (mục tiêu %d%%: %s).</p>\n", p->employed_pct,
				emp >= p->employed_pct ? "đạt" : "chưa đạt");
		else
			fputs(".</p>\n", f);
	}
	fputs("<p id=\"body-labour\">3. Lao động qua đào tạo: ", f);
	if (lab < 0) {
		fputs("chưa có xã báo cáo số lao động", f);
		if (p != NULL)
			fprintf(f, ", chưa đánh giá được so với mục tiêu %d%%",
				p->labour_trained_pct);
		fputs(".</p>\n", f);
	} else {
		num(f, r->trained);
		fputs("/", f);
		num(f, r->labour);
		fputs(" lao động của các xã đã báo cáo, đạt tỷ lệ ", f);
		rate(f, r->trained, r->labour);
		if (lab > 100 && p != NULL)
			fprintf(f,
				"; không so được với mục tiêu %d%%: số lao động qua đào tạo "
				"nhiều hơn số lao động (xem mục III).</p>\n",
				p->labour_trained_pct);
		else if (lab > 100)
			fputs(
			    "; số lao động qua đào tạo nhiều hơn số lao động (xem mục III).</p>\n",
			    f);
		else if (p != NULL)
			fprintf(f, " (mục tiêu %d%%: %s).</p>\n", p->labour_trained_pct,
				lab >= p->labour_trained_pct ? "đạt" : "chưa đạt");
		else
			fputs(".</p>\n", f);
	}
	fputs("<p id=\"body-demand\">4. Nhu cầu đào tạo do các xã báo cáo: ", f);
	num(f, r->total.need);
	fputs(" người.</p>\n", f);
}

static void
body_checks(FILE *f, const struct report *r)
{
	char line[2 * NAME_BUF];
	size_t i;

	fputs("<h2>III. Số liệu cần xem lại</h2>\n", f);
	if (r->nchecks == 0) {
		fputs(
		    "<p id=\"checks\">Số liệu được tổng hợp nguyên trạng như các xã đã gửi; không "
		    "phát hiện số liệu bất thường.</p>\n",
		    f);
		return;
	}
	fputs("<p>Số liệu được tổng hợp nguyên trạng như các xã đã gửi. Các số liệu sau chưa "
	      "hợp lý: chưa thể dùng để đánh giá kết quả của các xã này, và các tỷ lệ toàn huyện "
	      "có tính các số liệu đó, cho đến khi xã kiểm tra lại:</p>\n"
	      "<ul id=\"checks\">\n",
	      f);
	for (i = 0; i < r->nchecks; i++) {
		report_check_words(r, &r->checks[i], 0, line, sizeof(line));
		fputs("<li>", f);
		str(f, line);
		fputs(i + 1 < r->nchecks ? ";</li>\n" : ".</li>\n", f);
	}
	fputs("</ul>\n", f);
}

/* "Nơi nhận:" and the signature block, kept together on the last page. */
static void
signature(FILE *f, const struct report *r)
{
	const struct config_report *c = &r->cfg->report;
	size_t i;

	fputs("<table class=\"closing\" id=\"closing\"><tr><td class=\"recipients\">"
	      "<p class=\"nn\">Nơi nhận:</p>\n",
	      f);
	for (i = 0; i < c->nrecipients; i++) {
		fputs("<p>- ", f);
		str(f, c->recipients[i]);
		fputs(";</p>\n", f);
	}
	fputs("<p>- Lưu: VT", f);
	if (c->agency_short != NULL) {
		fputs(", ", f);
		str(f, c->agency_short);
	}
	fputs(".</p></td>\n<td class=\"signer\" id=\"signer\"><p class=\"authority\">", f);
	setting(f, c->signer_authority);
	fputs("</p><p class=\"position\">", f);
	setting(f, c->signer_title);
	fputs("</p><div class=\"space\"></div><p class=\"name\">", f);
	setting(f, c->signer_name);
	fputs("</p></td></tr></table>\n", f);
}

/* What the charts' shapes need, wherever they are shown. */
#define CHART_STYLE                                                                                \
	"svg text.t{font-size:14px;font-weight:bold}svg.key{vertical-align:middle}"                \
	".bar{fill:#3b7dd8}.low{fill:#e0a030}.band{fill:#cde8c8}.plan{stroke:#d00;stroke-width:2}" \
	".target{stroke:#d00;stroke-width:2;stroke-dasharray:4 3}.axis{stroke:#666}"

const char report_chart_style[] = CHART_STYLE;

void
report_write_charts(const struct report *r, FILE *f)
{
	chart_plan(f, r);
	chart_communes(f, r);
	chart_trades(f, r);
}

/* Decree 30: A4; margins top and bottom 20-25 mm, left 30-35 mm, right
 * 15-20 mm; Times New Roman 13-14 pt; page numbers centred in the top
 * margin from page 2. */
static const char style[] =
    "@page{size:A4;margin:20mm 15mm 20mm 30mm;"
    "@top-center{content:counter(page);font:13pt 'Times New Roman','Liberation Serif',serif}}"
    "@page:first{@top-center{content:none}}"
    "body{font-family:'Times New Roman','Liberation Serif','Tinos',serif;font-size:14pt;"
    "line-height:1.25;color:#000;max-width:165mm;margin:0 auto}"
    "table.heading{width:100%;border-collapse:collapse}"
    "table.heading td{border:0;padding:0;vertical-align:top;text-align:center}"
    "td.agency{width:45%;font-size:12pt}td.nation{width:55%;font-size:12pt}"
    ".parent{text-transform:uppercase}.org{text-transform:uppercase;font-weight:bold}"
    ".nat{font-weight:bold}.motto{font-weight:bold;font-size:13.5pt}"
    ".motto span{border-bottom:1px solid #000;padding-bottom:1px}"
    ".rule{border-top:1px solid #000;width:35%;margin:2px auto 0}"
    ".rule.short{width:30%;margin:4pt auto 12pt}"
    "td.number{font-size:13pt;padding-top:8pt!important}"
    "td.date{font-style:italic;font-size:14pt;padding-top:8pt!important}"
    ".blank{display:inline-block;width:3em}"
    "h1{font-size:14pt;font-weight:bold;text-align:center;margin:22pt 0 0}"
    "p.subject{font-weight:bold;text-align:center;text-indent:0;margin:0;text-wrap:balance}"
    "h2{font-size:14pt;font-weight:bold;margin:10pt 0 4pt;text-indent:1cm}"
    "p{margin:0 0 6pt;text-align:justify;text-indent:1cm}"
    "ul{margin:0 0 6pt;padding-left:1.6cm;list-style:none}li{text-align:justify}"
    "li::before{content:'- ';margin-left:-0.6em}"
    "p.caption{font-weight:bold;text-indent:0;margin:8pt 0 2pt;break-after:avoid}"
    "p.note{font-size:12pt;font-style:italic}"
    "table.figures,#targets{border-collapse:collapse;width:100%;margin:0 0 8pt;font-size:10pt;"
    "line-height:1.15}"
    "table.figures th,table.figures td,#targets th,#targets td{border:1px solid #000;"
    "padding:1px 3px}th{font-weight:bold;text-align:center;background:#eee}"
    "thead{display:table-header-group}tr{break-inside:avoid}"
    "td.n{text-align:right;white-space:nowrap}td.c{text-align:center}"
    "table.figures td:nth-child(2){white-space:nowrap}table.figures th{font-size:9pt}"
    "tr.total td{font-weight:bold}tr.silent td{font-style:italic}"
    "figure{margin:0 0 8pt;break-inside:avoid}svg{max-width:100%;height:auto}"
    "svg text{font-size:12px;font-family:'Times New Roman','Liberation Serif',serif}" CHART_STYLE
    "figcaption{font-size:11pt;font-style:italic}"
    "table.closing{width:100%;border-collapse:collapse;margin-top:12pt;break-inside:avoid}"
    "table.closing td{border:0;vertical-align:top;padding:0}"
    "td.recipients{width:45%}td.recipients p{font-size:11pt;margin:0;text-indent:0;"
    "text-align:left}td.recipients p.nn{font-size:12pt;font-weight:bold;font-style:italic}"
    "td.signer{text-align:center}td.signer p{text-align:center;text-indent:0;margin:0;"
    "font-weight:bold;text-transform:uppercase}td.signer p.name{text-transform:none}"
    ".space{height:28mm}"
    "@media screen{body{margin:2em auto;max-width:180mm}}";

int
report_write_html(const struct report *r, FILE *f)
{
	char period[64];

	report_period_words(r, 0, period, sizeof(period));
	fprintf(f,
		"<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<title>Báo cáo kết quả thực hiện Kế hoạch giáo dục nghề nghiệp %s</title>\n"
		"<style>%s</style>\n</head>\n<body>\n",
		period, style);
	heading(f, r);
	title(f, r);
	body_reports(f, r);
	body_results(f, r);
	body_checks(f, r);
	fputs("<h2>IV. Biểu số liệu</h2>\n", f);
	table_targets(f, r);
	chart_plan(f, r);
	table_communes(f, r);
	chart_communes(f, r);
	table_trades(f, r);
	chart_trades(f, r);
	table_cells(f, r);
	fputs("<p class=\"end\">Trên đây là báo cáo kết quả thực hiện Kế hoạch giáo dục nghề "
	      "nghiệp ",
	      f);
	fputs(period, f);
	fputs(" trên địa bàn huyện./.</p>\n", f);
	signature(f, r);
	fputs("</body>\n</html>\n", f);
	return 0;
}
