/*
 * send.c - an SMS from the console to one number, a commune's officers or
 * all officers, as `tinbao send` queues it (recipients.h): a notice in the
 * outbox, sent within the sending rate and the daily cap.  Each sending is
 * recorded in the audit and listed on the page.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "outbox.h"
#include "identity.h"
#include "phone.h"
#include "recipients.h"
#include "store.h"
#include "web_impl.h"

int
send_page(const struct web_request *r, struct html *h, const char *why)
{
	html_begin(h, "Gửi tin nhắn", r->session->user, r->session->csrf);
	html_error(h, why);
	if (strcmp(r->session->role, WEB_ROLE_ADMIN) == 0) {
		html_raw(h, "<form method=\"post\" action=\"/send\"><input type=\"hidden\" "
			    "name=\"csrf\" value=\"");
		html_text(h, r->session->csrf);
		html_raw(h, "\"><p><label>Gửi cho<br><select name=\"to\"><option "
			    "value=\"number\">một số</option><option value=\"commune\">cán bộ "
			    "một xã</option><option value=\"all\">tất cả cán bộ</option></select>"
			    "</label></p><p><label>Số điện thoại<br><input name=\"number\">"
			    "</label></p><p><label>Xã<br><select name=\"commune\">");
		page_commune_options(r->cfg, h);
		html_raw(h, "</select></label></p><p><label>Nội dung<br><textarea name=\"text\" "
			    "rows=\"4\" cols=\"40\" required></textarea></label></p><p><button "
			    "type=\"submit\">Gửi</button></p></form>");
	} else {
		html_raw(h, "<p>Chỉ quản trị viên được gửi tin.</p>");
	}
	if (page_audit(r, h, "send") == -1)
		return 500;
	html_end(h);
	return 200;
}

/* Queues it for each with one record, in one transaction.  to: whom, as
 * the record says it.  0 or -1. */
static int
queue(struct store *rw, struct recipients *rc, const char *to, const char *text, const char *user,
      int64_t now)
{
	char what[160];

	if (store_begin(rw) == -1)
		return -1;
	if (recipients_queue(rw, rc, text) == -1)
		goto fail;
	/* The text itself is in the outbox; the record says where. */
	if (strcmp(to, rc->v[0]) == 0)
		snprintf(what, sizeof(what), "SMS #%" PRId64 " to %s", rc->id[0], rc->v[0]);
	else
		snprintf(what, sizeof(what), "%zu SMS #%" PRId64 "-#%" PRId64 " to %s", rc->n,
			 rc->id[0], rc->id[rc->n - 1], to);
	if (store_audit_add(rw, user, "send", what, now) == -1 || store_commit(rw) == -1)
		goto fail;
	log_info("web: %s: %s queued", user, what);
	return 0;
fail:
	store_rollback(rw);
	return -1;
}

/* The commune whose code is code, or NULL. */
static const struct config_commune *
commune_of(const struct config *cfg, const char *code)
{
	size_t i;

	for (i = 0; i < cfg->ncommunes; i++) {
		if (strcmp(cfg->communes[i].code, code) == 0)
			return &cfg->communes[i];
	}
	return NULL;
}

/* Fills rc as the form asks, with whom into to.  NULL, or why not. */
static const char *
recipients_asked(const struct web_request *r, struct store *rw, const char *body, size_t len,
		 struct recipients *rc, char *to, size_t tosize)
{
	char kind[16], v[PHONE_MAX], e164[PHONE_MAX];
	const struct config_commune *c = NULL;

	if (form_value(body, len, "to", kind, sizeof(kind)) != 1)
		snprintf(kind, sizeof(kind), "number");
	if (strcmp(kind, "number") == 0) {
		if (form_value(body, len, "number", v, sizeof(v)) != 1 ||
		    phone_e164(v, e164, sizeof(e164)) == -1 ||
		    !phone_replyable(e164, r->cfg->own_number) || recipients_add(rc, e164) == -1)
			return "Số điện thoại không hợp lệ.";
		snprintf(to, tosize, "%s", e164);
		return NULL;
	}
	if (strcmp(kind, "commune") == 0) {
		if (form_value(body, len, "commune", v, sizeof(v)) != 1 ||
		    (c = commune_of(r->cfg, v)) == NULL)
			return "Không có xã này.";
		snprintf(to, tosize, "the officers of commune %s", c->code);
	} else if (strcmp(kind, "all") == 0) {
		snprintf(to, tosize, "all officers");
	} else {
		return "Yêu cầu không hợp lệ.";
	}
	if (recipients_of(r->cfg, rw, IDENTITY_OFFICER, c != NULL ? c->code : NULL, rc) == -1)
		return rc->why[0] != '\0' ? "Quá nhiều người nhận (tối đa 50)." : "";
	return rc->n == 0 ? "Không có cán bộ nào để gửi." : NULL;
}

int
send_post(const struct web_request *r, struct store *rw, const char *body, size_t len,
	  struct html *h)
{
	char to[64], text[OUTBOX_NOTICE_MAX + 1];
	struct recipients *rc;
	const char *why;
	int status;

	if (form_value(body, len, "text", text, sizeof(text)) != 1)
		return send_page(r, h, "Nội dung quá dài (tối đa 10 tin).") == 500 ? 500 : 400;
	why = outbox_notice_check(text);
	if (why != NULL)
		return send_page(r, h, why) == 500 ? 500 : 400;
	rc = calloc(1, sizeof(*rc));
	if (rc == NULL)
		return 500;
	why = recipients_asked(r, rw, body, len, rc, to, sizeof(to));
	if (why != NULL && why[0] == '\0')
		status = 500;
	else if (why != NULL)
		status = send_page(r, h, why) == 500 ? 500 : 400;
	else
		status = queue(rw, rc, to, text, r->session->user, r->now) == -1 ? 500 : 303;
	free(rc);
	return status;
}
