/*
 * pages.c - the console's pages, server-rendered HTML in Vietnamese:
 *   /          overview: the year's figures against the plan (the plan
 *              report, gateway/report/report.h, as text and with its
 *              charts), the communes
 *              that never reported, each modem's link, signal and SIM
 *              balance, the push, the active alerts
 *   /messages  every SMS, the last received first, a page at a time
 *              (the next one follows the last row shown), filtered by
 *              number, commune, state and dates received; each with what
 *              it became and the replies with their delivery state
 *   /number    one number's history: its registration and its SMS
 *   /quarantine  quarantine.c
 *   /reports   reports.c
 *   /send      send.c
 *   /senders   senders.c
 * Everything that came from outside is escaped (html_text).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "phone.h"
#include "push.h"
#include "report.h"
#include "report_impl.h"
#include "store.h"
#include "web_impl.h"

#define PAGE_ROWS 50

/* The store failed: said once on the page, answered with 500. */
static int
db_failed(struct html *h)
{
	html_raw(h, "<p class=\"err\">Không đọc được cơ sở dữ liệu (xem nhật ký).</p>");
	return 500;
}

static int
audit_row(void *arg, const struct store_audit_row *a)
{
	struct html *h = arg;

	html_raw(h, "<li>");
	html_time(h, a->at);
	html_raw(h, " ");
	html_text(h, a->who);
	html_raw(h, ": ");
	html_text(h, a->what);
	html_raw(h, "</li>");
	return 0;
}

int
page_audit(const struct web_request *r, struct html *h, const char *page)
{
	html_raw(h, "<h2>Thay đổi gần đây</h2><ul id=\"audit\">");
	if (store_audit_foreach(r->st, page, 20, audit_row, h) == -1)
		return -1;
	html_raw(h, "</ul>");
	return 0;
}

void
page_commune_options(const struct config *cfg, struct html *h)
{
	size_t i;

	for (i = 0; i < cfg->ncommunes; i++) {
		html_raw(h, "<option value=\"");
		html_text(h, cfg->communes[i].code);
		html_raw(h, "\">");
		html_text(h, cfg->communes[i].name);
		html_raw(h, "</option>");
	}
}

/* Overview ----------------------------------------------------------------- */

/* The plan report as text, then its charts as the HTML report draws them
 * (inline SVG): the charts come from report_html.c, already escaped. */
static int
figures(const struct web_request *r, struct html *h)
{
	struct report *rep;
	char *text = NULL;
	size_t len = 0, charts = 0;
	FILE *f;
	struct tm tm;
	int rc = -1;

	clock_local(r->now, &tm);
	rep = report_build(r->cfg, r->st, tm.tm_year + 1900, 0);
	if (rep == NULL)
		return -1;
	f = open_memstream(&text, &len);
	if (f != NULL) {
		rc = report_write(rep, REPORT_TEXT, f);
		if (fputc('\0', f) == EOF || fflush(f) != 0)
			rc = -1;
		charts = len;
		report_write_charts(rep, f);
		if (fclose(f) != 0)
			rc = -1;
	}
	report_free(rep);
	if (rc == 0) {
		html_fmt(h, "<h2>Số liệu năm %d so với kế hoạch</h2><pre>", tm.tm_year + 1900);
		html_text(h, text);
		html_raw(h, "</pre><style>");
		html_raw(h, report_chart_style);
		html_raw(h, "</style><div id=\"charts\">");
		html_raw(h, text + charts);
		html_raw(h, "</div>");
	}
	free(text);
	return rc;
}

static int
modem_state(const struct web_request *r, struct html *h, const char *name)
{
	struct store_reading_row rd;
	struct store_ussd_row u;
	int64_t since;
	int connected, n;

	html_raw(h, "<tr><td>");
	html_text(h, name);
	html_raw(h, "</td><td>");
	n = store_modem_link_get(r->st, name, &connected, &since);
	if (n == -1)
		return -1;
	html_raw(h, n == 0 ? "chưa rõ" : connected ? "đã kết nối từ " : "mất kết nối từ ");
	if (n == 1)
		html_time(h, since);
	html_raw(h, "</td><td>");
	n = store_reading_last(r->st, name, &rd);
	if (n == -1)
		return -1;
	if (n == 1) {
		html_fmt(h, "%d%% ", rd.signal_pct);
		html_text(h, rd.operator);
	} else {
		html_raw(h, "-");
	}
	html_raw(h, "</td><td>");
	n = store_ussd_last(r->st, name, "balance", 1, &u);
	if (n == -1)
		return -1;
	if (n == 1) {
		html_fmt(h, "%" PRId64 " đ (", u.amount);
		html_time(h, u.at);
		html_raw(h, ")");
	} else {
		html_raw(h, "-");
	}
	html_raw(h, "</td></tr>");
	return 0;
}

static int
push_state(const struct web_request *r, struct html *h)
{
	struct store_push_stats ps;
	struct store_push_state st;

	if (store_push_stats(r->st, &ps) == -1 || store_push_state_get(r->st, &st) == -1)
		return -1;
	html_raw(h, "<h2>Gửi lên huyện</h2><p>");
	if (r->cfg->push.url == NULL) {
		html_raw(h, "Không cấu hình.</p>");
		return 0;
	}
	html_fmt(h,
		 "Đang chờ: %" PRId64 ", bị giữ lại: %" PRId64 ", đã gửi: %" PRId64
		 ". Lần thành công cuối: ",
		 ps.pending, ps.parked, ps.sent);
	html_time(h, st.last_success);
	if (st.last_error_at > 0) {
		html_raw(h, ". <span class=\"err\">Lỗi cuối (");
		html_time(h, st.last_error_at);
		html_raw(h, "): ");
		html_text(h, st.last_error);
		html_raw(h, "</span>");
	}
	html_raw(h, "</p>");
	return 0;
}

static int
alert_row(void *arg, const char *key, const char *text, int64_t since)
{
	struct html *h = arg;

	html_raw(h, "<li>");
	html_time(h, since);
	html_raw(h, " ");
	html_text(h, text[0] != '\0' ? text : key);
	html_raw(h, "</li>");
	return 0;
}

static int
overview(const struct web_request *r, struct html *h)
{
	size_t i;

	html_begin(h, "Tổng quan", r->session->user, r->session->csrf);
	html_raw(h, "<h2>Cảnh báo</h2><ul>");
	if (store_alerts_active_foreach(r->st, alert_row, h) == -1)
		return db_failed(h);
	html_raw(h, "</ul><h2>Modem và SIM</h2><table><tr><th>Modem</th><th>Kết nối</th>"
		    "<th>Sóng</th><th>Số dư</th></tr>");
	for (i = 0; i < r->cfg->nmodems; i++) {
		if (modem_state(r, h, r->cfg->modems[i].name) == -1)
			return db_failed(h);
	}
	html_raw(h, "</table>");
	if (push_state(r, h) == -1 || figures(r, h) == -1)
		return db_failed(h);
	html_end(h);
	return 200;
}

/* Messages ------------------------------------------------------------------ */

static const char *
state_name(const char *state)
{
	if (strcmp(state, "new") == 0)
		return "mới";
	if (strcmp(state, "accepted") == 0)
		return "đã nhận";
	if (strcmp(state, "rejected") == 0)
		return "bị từ chối";
	return state;
}

static int
reply_row(void *arg, const struct store_reply_row *rp)
{
	struct html *h = arg;

	html_raw(h, "<li><span class=\"sms\">");
	html_text(h, rp->text);
	html_raw(h, "</span> <span class=\"small\">(");
	html_text(h, strcmp(rp->state, "queued") == 0 ? "chờ gửi"
		     : strcmp(rp->state, "sent") == 0 ? "đã gửi"
						      : "gửi lỗi");
	if (rp->delivery[0] != '\0')
		html_raw(h, strcmp(rp->delivery, "delivered") == 0 ? ", đã đến máy"
								   : ", không đến được");
	html_raw(h, ")</span></li>");
	return 0;
}

struct msg_list {
	const struct web_request *r;
	struct html *h;
	int64_t last_id;
	int rows, failed;
};

static int
msg_row(void *arg, const struct store_msg_row *m)
{
	struct msg_list *l = arg;
	struct html *h = l->h;

	l->last_id = m->id;
	l->rows++;
	html_fmt(h, "<tr id=\"m%" PRId64 "\"><td>", m->id);
	html_time(h, m->at);
	/* The rows are in the order they were received, the time shown; when
	 * the SMS centre took it in another minute (a modem's backlog, an
	 * import), that time too. */
	if (m->sent > 0 && m->sent / 60 != m->at / 60) {
		html_raw(h, "<br><span class=\"small\">gửi lúc ");
		html_time(h, m->sent);
		html_raw(h, "</span>");
	}
	html_raw(h, "</td><td><a href=\"/number?n=");
	html_url(h, m->sender);
	html_raw(h, "\">");
	html_text(h, m->sender);
	html_raw(h, "</a>");
	if (m->commune[0] != '\0') {
		html_raw(h, "<br><span class=\"small\">xã ");
		html_text(h, m->commune);
		html_raw(h, "</span>");
	}
	html_raw(h, "</td><td class=\"sms\">");
	html_text(h, m->text);
	html_raw(h, "</td><td>");
	html_text(h, state_name(m->state));
	if (m->error[0] != '\0') {
		html_raw(h, " <span class=\"err\">");
		html_text(h, m->error);
		html_raw(h, "</span>");
	}
	if (m->became[0] != '\0') {
		html_raw(h, "<br><span class=\"small\">");
		html_text(h, m->became);
		html_raw(h, "</span>");
	}
	html_raw(h, "<ul>");
	if (store_replies_foreach(l->r->st, m->id, reply_row, h) == -1) {
		l->failed = 1;
		return 1;
	}
	html_raw(h, "</ul></td></tr>");
	return 0;
}

/* "YYYY-MM-DD" -> midnight that day in Vietnam; 0 for empty or malformed. */
static int64_t
day_start(const char *s)
{
	int y, m, d;
	char tail;

	if (s == NULL || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 ||
	    d < 1 || d > 31 || y < 2000 || y > 2200)
		return 0;
	return clock_from_local(y, m, d, 0, 0);
}

static const char *
arg_or_null(const struct web_request *r, const char *name)
{
	const char *v = r->arg(r->ctx, name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

/* The query values names of this page, each escaped, each followed by
 * "&amp;": the start of the link to its next page. */
static void
query_html(const struct web_request *r, const char *const *names, struct html *h)
{
	const char *v;
	size_t i;

	for (i = 0; names[i] != NULL; i++) {
		v = arg_or_null(r, names[i]);
		if (v == NULL)
			continue;
		html_raw(h, names[i]);
		html_raw(h, "=");
		html_url(h, v);
		html_raw(h, "&amp;");
	}
}

/* The table of the SMS that pass f, and a link to the next page with the
 * same query values (names).  0 or -1. */
static int
msg_table(const struct web_request *r, struct html *h, struct store_msg_filter *f,
	  const char *const *query)
{
	struct msg_list l = {r, h, 0, 0, 0};

	html_raw(h, "<table><tr><th>Lúc</th><th>Số</th><th>Tin nhắn</th><th>Kết quả và trả "
		    "lời</th></tr>");
	f->limit = PAGE_ROWS;
	if (store_messages_foreach(r->st, f, msg_row, &l) == -1 || l.failed)
		return -1;
	html_raw(h, "</table>");
	if (l.rows == 0)
		html_raw(h, "<p>Không có tin nhắn nào.</p>");
	if (l.rows == PAGE_ROWS) {
		html_raw(h, "<p><a href=\"?");
		query_html(r, query, h);
		html_fmt(h, "before=%" PRId64 "\">Cũ hơn</a></p>", l.last_id);
	}
	return 0;
}

static void
filter_input(struct html *h, const char *label, const char *type, const char *name,
	     const char *value)
{
	html_raw(h, "<label>");
	html_raw(h, label);
	html_fmt(h, " <input type=\"%s\" name=\"%s\" value=\"", type, name);
	html_text(h, value != NULL ? value : "");
	html_raw(h, "\"></label> ");
}

static void
select_option(struct html *h, const char *value, const char *label, const char *chosen)
{
	html_raw(h, "<option value=\"");
	html_text(h, value);
	html_raw(h, chosen != NULL && strcmp(chosen, value) == 0 ? "\" selected>" : "\">");
	html_text(h, label);
	html_raw(h, "</option>");
}

static void
filter_form(const struct web_request *r, struct html *h, const struct store_msg_filter *f)
{
	static const char *const states[] = {"new", "accepted", "rejected"};
	size_t i;

	html_raw(h, "<form class=\"filter\" method=\"get\" action=\"/messages\">");
	filter_input(h, "Số", "text", "number", arg_or_null(r, "number"));
	html_raw(h, "<label>Xã <select name=\"commune\"><option value=\"\">tất cả</option>");
	for (i = 0; i < r->cfg->ncommunes; i++)
		select_option(h, r->cfg->communes[i].code, r->cfg->communes[i].name, f->commune);
	html_raw(h, "</select></label> <label>Trạng thái <select name=\"state\">"
		    "<option value=\"\">tất cả</option>");
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		select_option(h, states[i], state_name(states[i]), f->state);
	html_raw(h, "</select></label> ");
	filter_input(h, "Từ ngày", "date", "from", arg_or_null(r, "from"));
	filter_input(h, "Đến ngày", "date", "to", arg_or_null(r, "to"));
	html_raw(h, "<button type=\"submit\">Lọc</button></form>");
}

static int64_t
arg_id(const struct web_request *r, const char *name)
{
	const char *v = arg_or_null(r, name);
	char *end;
	long long id;

	if (v == NULL)
		return 0;
	id = strtoll(v, &end, 10);
	return *end == '\0' && id > 0 ? id : 0;
}

static int
messages(const struct web_request *r, struct html *h)
{
	static const char *const names[] = {"number", "commune", "state", "from", "to", NULL};
	struct store_msg_filter f = {0};
	char number[PHONE_MAX];
	const char *to = arg_or_null(r, "to");

	if (arg_or_null(r, "number") != NULL) {
		phone_canonical(arg_or_null(r, "number"), number, sizeof(number));
		f.number = number;
	}
	f.commune = arg_or_null(r, "commune");
	f.state = arg_or_null(r, "state");
	f.from = day_start(arg_or_null(r, "from"));
	f.to = day_start(to) > 0 ? day_start(to) + 86400 : 0;
	f.before_id = arg_id(r, "before");

	html_begin(h, "Tin nhắn", r->session->user, r->session->csrf);
	filter_form(r, h, &f);
	if (msg_table(r, h, &f, names) == -1)
		return db_failed(h);
	html_end(h);
	return 200;
}

static int
number_page(const struct web_request *r, struct html *h)
{
	static const char *const names[] = {"n", NULL};
	struct store_msg_filter f = {0};
	struct store_sender snd;
	char number[PHONE_MAX];
	int n;

	if (arg_or_null(r, "n") == NULL)
		return 404;
	phone_canonical(arg_or_null(r, "n"), number, sizeof(number));
	f.number = number;
	f.before_id = arg_id(r, "before");

	html_begin(h, "Lịch sử một số", r->session->user, r->session->csrf);
	html_raw(h, "<p><strong>");
	html_text(h, number);
	html_raw(h, "</strong>: ");
	n = store_sender_get(r->st, number, &snd);
	if (n == -1)
		return db_failed(h);
	if (n == 0) {
		html_raw(h, "chưa đăng ký.");
	} else {
		html_text(h, snd.name);
		html_raw(h, ", ");
		html_text(h, snd.role);
		if (snd.commune_code[0] != '\0') {
			html_raw(h, ", xã ");
			html_text(h, snd.commune_code);
		}
		html_raw(h, snd.active ? "" : " (đã ngừng)");
	}
	html_raw(h, "</p>");
	if (msg_table(r, h, &f, names) == -1)
		return db_failed(h);
	html_end(h);
	return 200;
}

int
page_render(const struct web_request *r, const char *path, struct html *h)
{
	if (strcmp(path, "/") == 0)
		return overview(r, h);
	if (strcmp(path, "/messages") == 0)
		return messages(r, h);
	if (strcmp(path, "/number") == 0)
		return number_page(r, h);
	if (strcmp(path, "/senders") == 0)
		return senders_page(r, h, NULL) == 500 ? db_failed(h) : 200;
	if (strcmp(path, "/send") == 0)
		return send_page(r, h, NULL) == 500 ? db_failed(h) : 200;
	if (strcmp(path, "/reports") == 0)
		return reports_page(r, h);
	if (strcmp(path, "/quarantine") == 0)
		return quarantine_page(r, h) == 500 ? db_failed(h) : 200;
	return 404;
}
