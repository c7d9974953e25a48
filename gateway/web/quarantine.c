/*
 * quarantine.c - the page of the SMS held back from unregistered numbers
 * (senders.unknown = "quarantine"), and an admin's decision on one: accept
 * (processed again through the pipeline as `tinbao quarantine accept`
 * does: parsed, counted once, answered), accept and register (the number
 * first registered with a role and commune, as `quarantine accept
 * --register` does through registry.h) or reject (refused, the district
 * server told).  Each decision is recorded in the audit, in the same
 * transaction, and listed under the page.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "pipeline.h"
#include "registry.h"
#include "store.h"
#include "web_impl.h"

#define HELD "quarantined" /* the error of a held message */
/* Rows a page shows, the oldest first: a flood of strangers' SMS makes
 * the next ones show as these are decided, not one page too big for a
 * phone. */
#define PAGE_ROWS 100

struct held_list {
	const struct config *cfg;
	struct html *h;
	const char *csrf; /* the decision forms' token; NULL: a viewer's page */
	int rows;
};

static void
decision_button(struct held_list *l, int64_t id, const char *action, const char *label)
{
	html_raw(l->h, "<form method=\"post\" action=\"/quarantine\" style=\"display:inline\">"
		       "<input type=\"hidden\" name=\"csrf\" value=\"");
	html_text(l->h, l->csrf);
	html_fmt(l->h,
		 "\"><input type=\"hidden\" name=\"id\" value=\"%" PRId64 "\">"
		 "<button type=\"submit\" name=\"action\" value=\"%s\">%s</button></form> ",
		 id, action, label);
}

/* Accept and register: the role, the commune and the name. */
static void
register_form(struct held_list *l, int64_t id)
{
	html_raw(l->h, "<form method=\"post\" action=\"/quarantine\" class=\"register\">"
		       "<input type=\"hidden\" name=\"csrf\" value=\"");
	html_text(l->h, l->csrf);
	html_fmt(l->h,
		 "\"><input type=\"hidden\" name=\"id\" value=\"%" PRId64 "\">"
		 "<select name=\"role\"><option value=\"officer\">cán bộ xã</option>"
		 "<option value=\"class\">lớp học</option><option value=\"district\">cán bộ "
		 "huyện</option><option value=\"admin\">quản trị</option></select> "
		 "<select name=\"commune\"><option value=\"\">(không có xã)</option>",
		 id);
	page_commune_options(l->cfg, l->h);
	html_raw(l->h, "</select> <input name=\"name\" placeholder=\"Họ tên\"> <button "
		       "type=\"submit\" name=\"action\" value=\"register\">Nhận và đăng "
		       "ký</button></form>");
}

static int
held_row(void *arg, const struct store_held *m)
{
	struct held_list *l = arg;

	if (l->rows == PAGE_ROWS)
		return 1;
	l->rows++;
	html_fmt(l->h, "<tr id=\"q%" PRId64 "\"><td>", m->msg.id);
	html_time(l->h, m->msg.received);
	html_raw(l->h, "</td><td>");
	html_text(l->h, m->msg.sender);
	html_raw(l->h, "</td><td class=\"sms\">");
	html_text(l->h, m->msg.text);
	html_raw(l->h, "</td><td>");
	if (l->csrf != NULL) {
		decision_button(l, m->msg.id, "accept", "Nhận");
		decision_button(l, m->msg.id, "reject", "Từ chối");
		register_form(l, m->msg.id);
	}
	html_raw(l->h, "</td></tr>");
	return 0;
}

int
quarantine_page(const struct web_request *r, struct html *h)
{
	struct held_list l = {r->cfg, h, NULL, 0};
	int64_t held, senders;

	if (strcmp(r->session->role, WEB_ROLE_ADMIN) == 0)
		l.csrf = r->session->csrf;
	html_begin(h, "Tin chờ duyệt", r->session->user, r->session->csrf);
	html_raw(h, "<p>Tin nhắn của các số chưa đăng ký, giữ lại chờ duyệt.</p><table><tr>"
		    "<th>Lúc</th><th>Số</th><th>Tin nhắn</th><th></th></tr>");
	if (store_inbox_held_foreach(r->st, HELD, 0, held_row, &l) == -1)
		return 500;
	html_raw(h, "</table>");
	if (l.rows == 0)
		html_raw(h, "<p>Không có tin nào chờ duyệt.</p>");
	if (l.rows == PAGE_ROWS) {
		if (store_inbox_held_count(r->st, HELD, &held, &senders) == -1)
			return 500;
		if (held > PAGE_ROWS)
			html_fmt(h,
				 "<p id=\"more\">Đang chờ %" PRId64 " tin của %" PRId64
				 " số; đây là %d tin cũ nhất, các tin sau hiện ra khi những tin "
				 "này đã được duyệt.</p>",
				 held, senders, PAGE_ROWS);
	}
	if (page_audit(r, h, "quarantine") == -1)
		return 500;
	html_end(h);
	return 200;
}

/* What a decision is: accept, reject, or register (with role, commune
 * and name) then accept. */
struct decision {
	const char *action;
	char role[16], commune[64], name[96];
	const char *why; /* why a registration was refused */
};

/* In the caller's transaction: the decision on held row h, and its record.
 * 0, or -1 (d->why set when the registration was refused). */
static int
decide(const struct config *cfg, struct store *rw, const struct store_held *h, struct decision *d,
       const char *user, int64_t now)
{
	struct store_sender snd;
	char what[256];
	int n = 0;

	if (strcmp(d->action, "register") == 0) {
		if (registry_register(cfg, rw, h->msg.sender, d->role, d->commune, d->name, now,
				      &snd, &d->why) == -1)
			return -1;
		n = snprintf(what, sizeof(what), "registered %s as %s%s%s and ", snd.number,
			     snd.role, snd.commune_code[0] ? " of " : "", snd.commune_code);
	}
	if (strcmp(d->action, "reject") != 0) {
		if (pipeline_replay(cfg, rw, &h->msg, h->error, PIPELINE_ACCEPT | PIPELINE_REPLY) ==
		    -1)
			return -1;
	} else if (store_inbox_set_state(rw, h->msg.id, "rejected", "quarantine_rejected") == -1 ||
		   pipeline_reject(rw, &h->msg, "quarantine_rejected") == -1) {
		return -1;
	}
	snprintf(what + n, sizeof(what) - (size_t)n, "%s SMS #%" PRId64 " of %s",
		 strcmp(d->action, "reject") != 0 ? "accepted" : "rejected", h->msg.id,
		 h->msg.sender);
	return store_audit_add(rw, user, "quarantine", what, now);
}

static int
quarantine_decide(const struct config *cfg, struct store *rw, int64_t id, struct decision *d,
		  const char *user, int64_t now)
{
	struct store_held h;
	int r;

	if (store_begin(rw) == -1)
		return -1;
	memset(&h, 0, sizeof(h));
	r = store_inbox_get(rw, id, &h);
	/* Still held: another admin, or the command line, may have decided. */
	if (r == 1 && (strcmp(h.state, "rejected") != 0 || strcmp(h.error, HELD) != 0))
		r = 0;
	if (r == 1 && decide(cfg, rw, &h, d, user, now) == -1)
		r = -1;
	store_inmsg_clear(&h.msg);
	if (r == 1 && store_commit(rw) == -1)
		r = -1;
	if (r != 1)
		store_rollback(rw);
	return r;
}

/* The form's decision, or -1 when it is malformed. */
static int
decision_of(const char *body, size_t len, struct decision *d, char *action, size_t size)
{
	memset(d, 0, sizeof(*d));
	d->action = action;
	if (form_value(body, len, "action", action, size) != 1)
		return -1;
	if (strcmp(action, "accept") == 0 || strcmp(action, "reject") == 0)
		return 0;
	if (strcmp(action, "register") != 0 ||
	    form_value(body, len, "role", d->role, sizeof(d->role)) != 1 ||
	    form_value(body, len, "commune", d->commune, sizeof(d->commune)) == -1 ||
	    form_value(body, len, "name", d->name, sizeof(d->name)) == -1)
		return -1;
	return 0;
}

static int
refused(const struct web_request *r, struct html *h, const char *why)
{
	html_begin(h, "Yêu cầu không hợp lệ", r->session->user, r->session->csrf);
	html_error(h, why);
	html_raw(h, "<p><a href=\"/quarantine\">Tin chờ duyệt</a></p>");
	html_end(h);
	return 400;
}

int
quarantine_post(const struct web_request *r, struct store *rw, const char *body, size_t len,
		struct html *h)
{
	char id[24], action[16], *end = NULL;
	struct decision d;
	long long v = 0;
	int n;

	if (form_value(body, len, "id", id, sizeof(id)) == 1 &&
	    decision_of(body, len, &d, action, sizeof(action)) == 0)
		v = strtoll(id, &end, 10);
	if (v <= 0 || *end != '\0')
		return refused(r, h, NULL);
	n = quarantine_decide(r->cfg, rw, v, &d, r->session->user, r->now);
	if (n == -1 && d.why != NULL)
		return refused(r, h, d.why);
	if (n == 1)
		log_info("web: %s: quarantined SMS #%lld: %s", r->session->user, v, action);
	return n == -1 ? 500 : 303;
}
