/*
 * html.c - the page being written: a buffer that grows, the escaping of
 * every text that comes from outside (an SMS, a number, a name, a query
 * value), and the frame every page shares: one small inline stylesheet,
 * readable on a phone, no script and nothing fetched from elsewhere.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "web_impl.h"

static int
grow(struct html *h, size_t more)
{
	size_t size;
	char *p;

	if (h->oom)
		return -1;
	if (h->len + more + 1 <= h->size)
		return 0;
	size = h->size > 0 ? h->size : 4096;
	while (size < h->len + more + 1)
		size *= 2;
	p = realloc(h->p, size);
	if (p == NULL) {
		h->oom = 1;
		return -1;
	}
	h->p = p;
	h->size = size;
	return 0;
}

void
html_bytes(struct html *h, const char *s, size_t n)
{
	if (grow(h, n) == -1)
		return;
	memcpy(h->p + h->len, s, n);
	h->len += n;
	h->p[h->len] = '\0';
}

void
html_raw(struct html *h, const char *s)
{
	html_bytes(h, s, strlen(s));
}

void
html_text(struct html *h, const char *s)
{
	const char *run = s;

	for (; *s != '\0'; s++) {
		const char *esc;

		switch (*s) {
		case '&':
			esc = "&amp;";
			break;
		case '<':
			esc = "&lt;";
			break;
		case '>':
			esc = "&gt;";
			break;
		case '"':
			esc = "&quot;";
			break;
		case '\'':
			esc = "&#39;";
			break;
		default:
			continue;
		}
		html_bytes(h, run, (size_t)(s - run));
		html_raw(h, esc);
		run = s + 1;
	}
	html_bytes(h, run, (size_t)(s - run));
}

/* Every byte but letters, digits and "-._~" as %XX: safe in a query and
 * in an attribute. */
void
html_url(struct html *h, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	char esc[4] = "%";

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (isalnum(*p) || strchr("-._~", *p) != NULL) {
			html_bytes(h, (const char *)p, 1);
			continue;
		}
		esc[1] = hex[*p >> 4];
		esc[2] = hex[*p & 15];
		html_bytes(h, esc, 3);
	}
}

void
html_fmt(struct html *h, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(h, (size_t)n) == -1)
		return;
	va_start(ap, fmt);
	vsnprintf(h->p + h->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	h->len += (size_t)n;
}

void
html_time(struct html *h, int64_t t)
{
	struct tm tm;
	char buf[32];

	if (t <= 0) {
		html_raw(h, "-");
		return;
	}
	clock_local(t, &tm);
	strftime(buf, sizeof(buf), "%d/%m/%Y %H:%M", &tm);
	html_raw(h, buf);
}

void
html_free(struct html *h)
{
	free(h->p);
	memset(h, 0, sizeof(*h));
}

static const char style[] =
    "body{font-family:sans-serif;margin:0;color:#222;background:#fafafa}"
    "header{background:#1b4f72;color:#fff;padding:.5em 1em;display:flex;flex-wrap:wrap;"
    "gap:1em;align-items:center}"
    "header a{color:#fff}header form{margin-left:auto}"
    "main{padding:1em;max-width:60em}"
    "table{border-collapse:collapse;width:100%}"
    "td,th{border-bottom:1px solid #ccc;padding:.3em;text-align:left;vertical-align:top}"
    "pre{white-space:pre-wrap;font-size:.85em}"
    ".sms{white-space:pre-wrap;word-break:break-word}"
    ".err{color:#a00}.small{font-size:.85em;color:#555}"
    "form.filter input,form.filter select{margin:.2em;max-width:12em}"
    "@media(max-width:40em){td,th{display:block;border:0}tr{border-bottom:1px solid #ccc;"
    "display:block}}";

void
html_begin(struct html *h, const char *title, const char *user, const char *csrf)
{
	html_raw(h, "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		    "<title>");
	html_text(h, title);
	html_raw(h, " - tinbao</title><style>");
	html_raw(h, style);
	html_raw(h, "</style></head><body><header><strong>tinbao</strong>");
	if (csrf != NULL) {
		html_raw(h, "<a href=\"/\">Tổng quan</a><a href=\"/messages\">Tin nhắn</a>"
			    "<a href=\"/quarantine\">Tin chờ duyệt</a><a href=\"/reports\">Báo "
			    "cáo</a><a href=\"/senders\">Danh bạ</a><a href=\"/send\">Gửi tin</a>"
			    "<form method=\"post\" action=\"/logout\"><span class=\"small\">");
		html_text(h, user);
		html_raw(h, "</span> <input type=\"hidden\" name=\"csrf\" value=\"");
		html_text(h, csrf);
		html_raw(h, "\"><button type=\"submit\">Đăng xuất</button></form>");
	}
	html_raw(h, "</header><main><h1>");
	html_text(h, title);
	html_raw(h, "</h1>\n");
}

void
html_end(struct html *h)
{
	html_raw(h, "</main></body></html>\n");
}

void
html_error(struct html *h, const char *why)
{
	if (why == NULL)
		return;
	html_raw(h, "<p class=\"err\" id=\"error\">");
	html_text(h, why);
	html_raw(h, "</p>");
}
