/*
 * senders.c - the registry page, /senders: the senders table and the
 * configuration's entries (as `tinbao senders list`), an admin's add or
 * edit (number, name, role, commune: registry.h reads them as `senders add`
 * does) and deactivation, a file imported as `senders import` does it
 * (registry.h: a preview of what would change, then the admin's
 * confirmation), and the table as a CSV download that imports back (as
 * `senders export`).  Each change is recorded in the audit, in
 * its transaction, and listed on the page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "identity.h"
#include "log.h"
#include "phone.h"
#include "registry.h"
#include "store.h"
#include "web_impl.h"

struct rows {
	struct html *h;
	const char *csrf; /* the deactivate forms' token; NULL: a viewer's page */
};

static void
cell(struct html *h, const char *s)
{
	html_raw(h, "<td>");
	html_text(h, s);
	html_raw(h, "</td>");
}

static int
sender_row(void *arg, const struct store_sender *snd)
{
	struct rows *l = arg;

	html_raw(l->h, "<tr class=\"sender\"><td><a href=\"/senders?edit=");
	html_url(l->h, snd->number);
	html_raw(l->h, "\">");
	html_text(l->h, snd->number);
	html_raw(l->h, "</a></td>");
	cell(l->h, snd->name);
	cell(l->h, snd->role);
	cell(l->h, snd->commune_code);
	cell(l->h, snd->active ? "đang dùng" : "đã ngừng");
	html_raw(l->h, "<td>");
	if (l->csrf != NULL && snd->active) {
		html_raw(l->h, "<form method=\"post\" action=\"/senders\"><input type=\"hidden\" "
			       "name=\"csrf\" value=\"");
		html_text(l->h, l->csrf);
		html_raw(l->h, "\"><input type=\"hidden\" name=\"number\" value=\"");
		html_text(l->h, snd->number);
		html_raw(l->h, "\"><button type=\"submit\" name=\"action\" "
			       "value=\"deactivate\">Ngừng</button></form>");
	}
	html_raw(l->h, "</td></tr>");
	return 0;
}

/* The configuration's entries: one row a role (and an officer's commune). */
static int
config_row(void *arg, const struct identity *id)
{
	static const unsigned roles[] = {IDENTITY_OFFICER, IDENTITY_CLASS, IDENTITY_DISTRICT,
					 IDENTITY_ADMIN};
	struct rows *l = arg;
	size_t i, c;

	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		for (c = 0; identity_has(id, roles[i]) &&
			    c < (roles[i] == IDENTITY_OFFICER ? id->ncommunes : 1);
		     c++) {
			html_raw(l->h, "<tr class=\"config\">");
			cell(l->h, id->number);
			cell(l->h, "");
			cell(l->h, identity_role_name(roles[i]));
			cell(l->h, roles[i] == IDENTITY_OFFICER ? id->communes[c] : "");
			html_raw(l->h, "<td>cấu hình</td><td></td></tr>");
		}
	}
	return 0;
}

static void
option(struct html *h, const char *value, const char *label, const char *selected)
{
	html_raw(h, "<option value=\"");
	html_text(h, value);
	html_raw(h, strcmp(value, selected) == 0 ? "\" selected>" : "\">");
	html_text(h, label);
	html_raw(h, "</option>");
}

/* Add, or edit snd (NULL: a new number). */
static void
edit_form(const struct web_request *r, struct html *h, const struct store_sender *snd)
{
	static const char *const roles[][2] = {{"officer", "cán bộ xã"},
					       {"class", "lớp học"},
					       {"district", "cán bộ huyện"},
					       {"admin", "quản trị"}};
	const char *role = snd != NULL ? snd->role : "officer";
	size_t i;

	html_raw(h, "<h2>Thêm / sửa</h2><form method=\"post\" action=\"/senders\" "
		    "id=\"edit\"><input type=\"hidden\" name=\"csrf\" value=\"");
	html_text(h, r->session->csrf);
	html_raw(h, "\"><p><label>Số điện thoại<br><input name=\"number\" required value=\"");
	html_text(h, snd != NULL ? snd->number : "");
	html_raw(h, "\"></label></p><p><label>Họ tên<br><input name=\"name\" value=\"");
	html_text(h, snd != NULL ? snd->name : "");
	html_raw(h, "\"></label></p><p><label>Vai trò<br><select name=\"role\">");
	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		option(h, roles[i][0], roles[i][1], role);
	html_raw(h, "</select></label></p><p><label>Xã<br><select name=\"commune\">");
	option(h, "", "(không có xã)", snd != NULL ? snd->commune_code : "");
	for (i = 0; i < r->cfg->ncommunes; i++)
		option(h, r->cfg->communes[i].code, r->cfg->communes[i].name,
		       snd != NULL ? snd->commune_code : "");
	html_raw(h, "</select></label></p><p><button type=\"submit\" name=\"action\" "
		    "value=\"save\">Lưu</button></p></form>");
}

/* The table as CSV, for download. */
static int export(const struct web_request *r, struct html *h)
{
	char *data = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&data, &len);
	int rc = f == NULL ? -1 : registry_export(r->st, f);

	if (f != NULL && fclose(f) != 0)
		rc = -1;
	if (rc == 0) {
		html_bytes(h, data, len);
		h->type = "text/csv; charset=utf-8";
		snprintf(h->filename, sizeof(h->filename), "tinbao-senders.csv");
	}
	free(data);
	return rc == 0 ? 200 : 500;
}

int
senders_page(const struct web_request *r, struct html *h, const char *why)
{
	struct rows l = {h, NULL};
	struct store_sender snd, *edit = NULL;
	const char *arg = r->arg != NULL ? r->arg(r->ctx, "export") : NULL;
	char number[PHONE_MAX];
	int admin = strcmp(r->session->role, WEB_ROLE_ADMIN) == 0;

	if (arg != NULL)
		return export(r, h);
	arg = r->arg != NULL ? r->arg(r->ctx, "edit") : NULL;
	if (admin && arg != NULL && phone_e164(arg, number, sizeof(number)) == 0 &&
	    store_sender_get(r->st, number, &snd) == 1)
		edit = &snd;
	if (admin)
		l.csrf = r->session->csrf;
	html_begin(h, "Danh bạ", r->session->user, r->session->csrf);
	html_error(h, why);
	html_raw(h, "<p><a href=\"/senders?export=csv\" id=\"export\">Tải danh bạ (CSV)</a></p>"
		    "<table id=\"senders\"><tr><th>Số</th><th>Họ tên</th><th>Vai trò</th>"
		    "<th>Xã</th><th>Trạng thái</th><th></th></tr>");
	if (store_senders_foreach(r->st, sender_row, &l) == -1 ||
	    identity_foreach(r->cfg, NULL, IDENTITY_OFFICER | IDENTITY_CLASS | IDENTITY_STAFF, NULL,
			     config_row, &l) != 0)
		return 500;
	html_raw(h, "</table>");
	if (admin) {
		edit_form(r, h, edit);
		html_raw(h, "<h2>Nhập từ tệp (CSV, .xlsx)</h2><form method=\"post\" "
			    "action=\"/senders/import\" enctype=\"multipart/form-data\" "
			    "id=\"import-form\"><input type=\"hidden\" name=\"csrf\" value=\"");
		html_text(h, r->session->csrf);
		html_raw(h, "\"><input type=\"file\" name=\"file\" accept=\".csv,.xlsx\" "
			    "required> <button type=\"submit\">Xem trước</button></form>");
	} else
		html_raw(h, "<p>Chỉ quản trị viên được sửa danh bạ.</p>");
	if (page_audit(r, h, "senders") == -1)
		return 500;
	html_end(h);
	return 200;
}

/* In one transaction, the change and its record: 0, 1 (nothing to
 * deactivate), or -1. */
static int
apply(struct store *rw, const struct store_sender *snd, int deactivate, const char *user,
      int64_t now)
{
	char what[192];
	int r = 1;

	if (store_begin(rw) == -1)
		return -1;
	if (deactivate) {
		r = store_sender_remove(rw, snd->number, now);
		snprintf(what, sizeof(what), "deactivated %s", snd->number);
	} else {
		r = store_sender_put(rw, snd, now) == -1 ? -1 : 1;
		snprintf(what, sizeof(what), "saved %s: %s%s%s", snd->number, snd->role,
			 snd->commune_code[0] ? " of " : "", snd->commune_code);
	}
	if (r == 1 && store_audit_add(rw, user, "senders", what, now) == 0 &&
	    store_commit(rw) == 0) {
		log_info("web: %s: %s", user, what);
		return 0;
	}
	store_rollback(rw);
	return r == 0 ? 1 : -1;
}

/* A form field that may be absent (then ""): 0, or -1 when malformed. */
static int
optional(const char *body, size_t len, const char *name, char *out, size_t size)
{
	int r = form_value(body, len, name, out, size);

	if (r == 0)
		out[0] = '\0';
	return r == -1 ? -1 : 0;
}

int
senders_post(const struct web_request *r, struct store *rw, const char *body, size_t len,
	     struct html *h)
{
	char action[16], number[PHONE_MAX], name[96], role[32], commune[64];
	struct store_sender snd;
	const char *why = "Yêu cầu không hợp lệ.";
	int rc;

	if (form_value(body, len, "action", action, sizeof(action)) != 1 ||
	    form_value(body, len, "number", number, sizeof(number)) != 1)
		return senders_page(r, h, why) == 500 ? 500 : 400;
	if (strcmp(action, "deactivate") == 0) {
		memset(&snd, 0, sizeof(snd));
		if (phone_e164(number, snd.number, sizeof(snd.number)) == -1)
			return senders_page(r, h, "Số điện thoại không hợp lệ.") == 500 ? 500 : 400;
		rc = apply(rw, &snd, 1, r->session->user, r->now);
		if (rc == 1)
			why = "Số này không có trong danh bạ, hoặc đã ngừng.";
	} else if (strcmp(action, "save") == 0 &&
		   optional(body, len, "name", name, sizeof(name)) == 0 &&
		   form_value(body, len, "role", role, sizeof(role)) == 1 &&
		   optional(body, len, "commune", commune, sizeof(commune)) == 0) {
		rc = registry_sender(r->cfg, number, name, role, commune, "1", &snd, &why);
		if (rc == 0)
			rc = apply(rw, &snd, 0, r->session->user, r->now);
		else
			rc = 1;
	} else {
		rc = 1;
	}
	if (rc == 1)
		return senders_page(r, h, why) == 500 ? 500 : 400;
	return rc == -1 ? 500 : 303;
}

/* An import's errors, or else its changes, as the rows of one table. */
static void
import_error(void *arg, const char *msg)
{
	struct html *h = arg;

	html_raw(h, "<tr class=\"import-error\"><td colspan=\"6\">");
	html_text(h, msg);
	html_raw(h, "</td></tr>");
}

static void
import_change(void *arg, const char *what, const struct store_sender *snd)
{
	struct html *h = arg;

	html_raw(h, "<tr>");
	cell(h, what);
	cell(h, snd->number);
	cell(h, snd->name);
	cell(h, snd->role);
	cell(h, snd->commune_code);
	cell(h, snd->active ? "đang dùng" : "đã ngừng");
	html_raw(h, "</tr>");
}

static void
import_summary(struct html *h, const struct registry_changes *ch, const char *verb)
{
	html_fmt(h,
		 "<p id=\"summary\">%s %zu số: %zu thêm, %zu sửa, %zu ngừng, %zu không "
		 "đổi.</p>",
		 verb, ch->n, ch->added, ch->changed, ch->deactivated, ch->unchanged);
}

int
senders_import_preview(const struct web_request *r, const char *path, const char *name,
		       struct html *h)
{
	struct registry_report rep = {import_error, import_change, h, 1};
	struct registry_changes ch;
	int rc;

	html_begin(h, "Nhập danh bạ", r->session->user, r->session->csrf);
	html_raw(h, "<p>Tệp ");
	html_text(h, name);
	html_raw(h, "</p><table id=\"import\"><tr><th></th><th>Số</th><th>Họ tên</th>"
		    "<th>Vai trò</th><th>Xã</th><th>Trạng thái</th></tr>");
	rc = registry_import(r->cfg, r->st, path, name, 0, &rep, &ch);
	html_raw(h, "</table>");
	if (rc != 0) {
		html_error(h, rc > 0 ? "Tệp có lỗi: không nhập gì." : "Không đọc được tệp.");
		html_raw(h, "<p><a href=\"/senders\">Danh bạ</a></p>");
		html_end(h);
		return 400;
	}
	import_summary(h, &ch, "Sẽ nhập");
	html_raw(h, "<form method=\"post\" action=\"/senders/import\"><input "
		    "type=\"hidden\" name=\"csrf\" value=\"");
	html_text(h, r->session->csrf);
	html_raw(h, "\"><button type=\"submit\" name=\"confirm\" value=\"1\">Nhập</button> "
		    "<a href=\"/senders\">Huỷ</a></form>");
	html_end(h);
	return 200;
}

int
senders_import_confirm(const struct web_request *r, struct store *rw, const char *path,
		       const char *name, struct html *h)
{
	struct registry_report rep = {import_error, NULL, h, 1};
	struct registry_changes ch;
	struct registry_file *rf;
	char what[256];
	int rc;

	html_begin(h, "Nhập danh bạ", r->session->user, r->session->csrf);
	html_raw(h, "<table id=\"import\">");
	/* The file is read before the write lock is taken, which is then held
	 * only for the writes. */
	rc = registry_read(r->cfg, path, name, &rep, &rf);
	if (rc == 0 && store_begin(rw) == -1) {
		registry_file_free(rf);
		return 500;
	}
	if (rc == 0)
		rc = registry_apply(rw, rf, 1, &rep, &ch);
	registry_file_free(rf);
	if (rc == 0) {
		snprintf(what, sizeof(what),
			 "imported %zu senders from %.100s: %zu added, %zu changed, %zu "
			 "deactivated, %zu unchanged",
			 ch.n, name, ch.added, ch.changed, ch.deactivated, ch.unchanged);
		if (store_audit_add(rw, r->session->user, "senders", what, r->now) == -1 ||
		    store_commit(rw) == -1)
			rc = -1;
	}
	if (rc == 0) {
		log_info("web: %s: %s", r->session->user, what);
		return 303;
	}
	store_rollback(rw);
	/* The file read at the preview no longer reads the same way. */
	html_raw(h, "</table>");
	html_error(h, "Không nhập được: không nhập gì.");
	html_end(h);
	return rc == -1 ? 500 : 400;
}
