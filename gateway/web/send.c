/*
 * send.c - an SMS to one number from the console, as `tinbao send NUMBER
 * TEXT` queues it: a notice in the outbox, sent within the sending rate and
 * the daily cap.  Each one is recorded in the audit and listed on the page.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "outbox.h"
#include "phone.h"
#include "store.h"
#include "web_impl.h"

int
send_page(const struct web_request *r, struct html *h, const char *why)
{
	html_begin(h, "Gửi tin nhắn", r->session->user, r->session->csrf);
	if (why != NULL) {
		html_raw(h, "<p class=\"err\" id=\"error\">");
		html_text(h, why);
		html_raw(h, "</p>");
	}
	if (strcmp(r->session->role, WEB_ROLE_ADMIN) == 0) {
		html_raw(h, "<form method=\"post\" action=\"/send\"><input type=\"hidden\" "
			    "name=\"csrf\" value=\"");
		html_text(h, r->session->csrf);
		html_raw(h, "\"><p><label>Số điện thoại<br><input name=\"number\" required>"
			    "</label></p><p><label>Nội dung<br><textarea name=\"text\" rows=\"4\" "
			    "cols=\"40\" required></textarea></label></p><p><button "
			    "type=\"submit\">Gửi</button></p></form>");
	} else {
		html_raw(h, "<p>Chỉ quản trị viên được gửi tin.</p>");
	}
	if (page_audit(r, h, "send") == -1)
		return 500;
	html_end(h);
	return 200;
}

/* Queues it with its record, in one transaction.  0 or -1. */
static int
queue(struct store *rw, const char *number, const char *text, const char *user, int64_t now)
{
	char what[128];
	int64_t id;

	if (store_begin(rw) == -1)
		return -1;
	if (store_outbox_add(rw, number, text, "notice", 0, &id) == -1)
		goto fail;
	/* The text itself is in the outbox; the record says where. */
	snprintf(what, sizeof(what), "SMS #%" PRId64 " to %s", id, number);
	if (store_audit_add(rw, user, "send", what, now) == -1 || store_commit(rw) == -1)
		goto fail;
	log_info("web: %s: %s queued", user, what);
	return 0;
fail:
	store_rollback(rw);
	return -1;
}

int
send_post(const struct web_request *r, struct store *rw, const char *body, size_t len,
	  struct html *h)
{
	char number[PHONE_MAX], to[PHONE_MAX], text[OUTBOX_NOTICE_MAX + 1];
	const char *why = NULL;

	if (form_value(body, len, "number", number, sizeof(number)) != 1 ||
	    phone_e164(number, to, sizeof(to)) == -1 || !phone_replyable(to, r->cfg->own_number))
		why = "Số điện thoại không hợp lệ.";
	else if (form_value(body, len, "text", text, sizeof(text)) != 1)
		why = "Nội dung quá dài (tối đa 10 tin).";
	else
		why = outbox_notice_check(text);
	if (why != NULL)
		return send_page(r, h, why) == 500 ? 500 : 400;
	return queue(rw, to, text, r->session->user, r->now) == -1 ? 500 : 303;
}
