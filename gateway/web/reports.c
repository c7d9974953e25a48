/*
 * reports.c - the plan report of any period for download (gateway/report/
 * report.h): text, CSV, HTML or the xlsx workbook, as `tinbao report`
 * writes it.  The PDF needs Chromium printing on this PC: not offered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "report.h"
#include "web_impl.h"

#define FAILED "Không lập được báo cáo (xem nhật ký)."

static const struct {
	const char *name, *type, *label;
	enum report_format fmt;
} formats[] = {
    {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel (xlsx)",
     REPORT_XLSX},
    {"csv", "text/csv; charset=utf-8", "CSV", REPORT_CSV},
    {"html", "text/html; charset=utf-8", "HTML (để in)", REPORT_HTML},
    {"text", "text/plain; charset=utf-8", "Văn bản", REPORT_TEXT},
};

/* The form, with why something failed (NULL: nothing); answers status. */
static int
form(const struct web_request *r, struct html *h, const char *why, int status)
{
	struct tm tm;
	size_t i;

	clock_local(r->now, &tm);
	html_begin(h, "Báo cáo", r->session->user, r->session->csrf);
	if (why != NULL) {
		html_raw(h, "<p class=\"err\">");
		html_text(h, why);
		html_raw(h, "</p>");
	}
	html_fmt(h,
		 "<form method=\"get\" action=\"/reports\"><p><label>Kỳ báo cáo (2026, 2026-H1, "
		 "2026-H2) <input name=\"period\" value=\"%d\" required></label></p><p><label>"
		 "Định dạng <select name=\"format\">",
		 tm.tm_year + 1900);
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		html_fmt(h, "<option value=\"%s\">%s</option>", formats[i].name, formats[i].label);
	html_raw(h, "</select></label></p><p><button type=\"submit\">Tải về</button></p></form>");
	html_end(h);
	return status;
}

int
reports_page(const struct web_request *r, struct html *h)
{
	const char *period = r->arg(r->ctx, "period"), *format = r->arg(r->ctx, "format");
	struct report *rep;
	char *data = NULL;
	size_t len = 0, i;
	int year, half, rc = -1;
	FILE *f;

	if (period == NULL && format == NULL)
		return form(r, h, NULL, 200);
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (format != NULL && strcmp(format, formats[i].name) == 0)
			break;
	}
	if (period == NULL || report_parse_period(period, &year, &half) == -1 ||
	    i == sizeof(formats) / sizeof(formats[0]))
		return form(r, h, "Kỳ hoặc định dạng không hợp lệ.", 400);
	rep = report_build(r->cfg, r->st, year, half);
	if (rep == NULL)
		return form(r, h, FAILED, 500);
	f = open_memstream(&data, &len);
	if (f != NULL) {
		rc = report_write(rep, formats[i].fmt, f);
		if (fclose(f) != 0)
			rc = -1;
	}
	report_free(rep);
	if (rc == 0) {
		html_bytes(h, data, len);
		h->type = formats[i].type;
		snprintf(h->filename, sizeof(h->filename), "tinbao-%s.%s", period, formats[i].name);
	}
	free(data);
	return rc == 0 ? 200 : form(r, h, FAILED, 500);
}
