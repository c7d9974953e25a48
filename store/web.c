/*
 * web.c - the web console's users (web_users), the record of the changes
 * made through it (audit), and what its pages read of the inbox and outbox.
 */
#include <stdint.h>
#include <string.h>

#include "impl.h"

/* A walk over rows: the caller's callback, of the type of its rows, and
 * its argument. */
struct walk {
	union {
		int (*user)(void *arg, const struct store_web_user *u);
		int (*audit)(void *arg, const struct store_audit_row *a);
		int (*msg)(void *arg, const struct store_msg_row *m);
		int (*reply)(void *arg, const struct store_reply_row *r);
		int (*alert)(void *arg, const char *key, const char *text, int64_t since);
	} cb;
	void *arg;
};

int
store_web_user_put(struct store *st, const char *name, const char *role, const char *hash,
		   int64_t now)
{
	enum stmt id = S_WEB_USER_PUT;
	int bound;

	stmt_get(st, id);
	bound = bind_text(st, id, 1, name) == 0 && bind_text(st, id, 2, role) == 0 &&
		bind_text(st, id, 3, hash) == 0 && bind_int(st, id, 4, now) == 0;
	return stmt_done(st, id, bound);
}

static void
user_row(sqlite3_stmt *s, struct store_web_user *u)
{
	memset(u, 0, sizeof(*u));
	column_copy(s, 0, u->name, sizeof(u->name));
	column_copy(s, 1, u->role, sizeof(u->role));
	column_copy(s, 2, u->hash, sizeof(u->hash));
	u->created = sqlite3_column_int64(s, 3);
}

int
store_web_user_get(struct store *st, const char *name, struct store_web_user *u)
{
	enum stmt id = S_WEB_USER_GET;
	int bound, rc;

	stmt_get(st, id);
	bound = bind_text(st, id, 1, name) == 0;
	rc = stmt_row(st, id, bound);
	if (rc == 1) {
		user_row(st->stmt[id], u);
		stmt_put(st, id);
	}
	return rc;
}

int
store_web_user_remove(struct store *st, const char *name)
{
	enum stmt id = S_WEB_USER_REMOVE;
	int n;

	stmt_get(st, id);
	n = stmt_exec(st, id, bind_text(st, id, 1, name) == 0);
	return n == -1 ? -1 : n > 0;
}

static int
user_walk_row(void *ctx, sqlite3_stmt *s)
{
	struct walk *w = ctx;
	struct store_web_user u;

	user_row(s, &u);
	return w->cb.user(w->arg, &u) != 0;
}

int
store_web_users_foreach(struct store *st, int (*cb)(void *arg, const struct store_web_user *u),
			void *arg)
{
	struct walk w = {.cb.user = cb, .arg = arg};

	if (walk_start(st, S_WEB_USER_ALL) == NULL)
		return -1;
	return walk_rows(st, S_WEB_USER_ALL, 1, user_walk_row, &w) == -1 ? -1 : 0;
}

int
store_audit_add(struct store *st, const char *who, const char *page, const char *what, int64_t now)
{
	enum stmt id = S_AUDIT_ADD;
	int bound;

	stmt_get(st, id);
	bound = bind_int(st, id, 1, now) == 0 && bind_text(st, id, 2, who) == 0 &&
		bind_text(st, id, 3, page) == 0 && bind_text(st, id, 4, what) == 0;
	return stmt_done(st, id, bound);
}

static int
audit_walk_row(void *ctx, sqlite3_stmt *s)
{
	struct walk *w = ctx;
	struct store_audit_row a;

	a.at = sqlite3_column_int64(s, 0);
	a.who = column_text(s, 1);
	a.what = column_text(s, 2);
	return w->cb.audit(w->arg, &a) != 0;
}

int
store_audit_foreach(struct store *st, const char *page, int limit,
		    int (*cb)(void *arg, const struct store_audit_row *a), void *arg)
{
	enum stmt id = S_AUDIT_PAGE;
	struct walk w = {.cb.audit = cb, .arg = arg};
	int bound;

	if (walk_start(st, id) == NULL)
		return -1;
	bound = bind_text(st, id, 1, page) == 0 && bind_int(st, id, 2, limit) == 0;
	return walk_rows(st, id, bound, audit_walk_row, &w) == -1 ? -1 : 0;
}

static int
msg_walk_row(void *ctx, sqlite3_stmt *s)
{
	struct walk *w = ctx;
	struct store_msg_row m;

	m.id = sqlite3_column_int64(s, 0);
	m.at = sqlite3_column_int64(s, 1);
	m.sent = sqlite3_column_int64(s, 2);
	m.sender = column_text(s, 3);
	m.text = column_text(s, 4);
	m.state = column_text(s, 5);
	m.error = column_text(s, 6);
	m.became = column_text(s, 7);
	m.commune = column_text(s, 8);
	return w->cb.msg(w->arg, &m) != 0;
}

/*
 * The first (received, id) past the end of the page f asks for, into end:
 * the end of its date range, or the row the page follows when that comes
 * first (received < to is (received, id) < (to, INT64_MIN)).  A row that
 * does not exist is followed by every row.  0 or -1.
 */
static int
page_end(struct store *st, const struct store_msg_filter *f, int64_t end[2])
{
	enum stmt id = S_INBOX_RECEIVED;
	int64_t at;
	int rc;

	end[0] = f->to > 0 ? f->to : INT64_MAX;
	end[1] = f->to > 0 ? INT64_MIN : INT64_MAX;
	if (f->before_id <= 0)
		return 0;
	stmt_get(st, id);
	rc = stmt_row(st, id, bind_int(st, id, 1, f->before_id) == 0);
	if (rc != 1)
		return rc;
	at = sqlite3_column_int64(st->stmt[id], 0);
	stmt_put(st, id);
	if (at < end[0] || (at == end[0] && f->before_id < end[1])) {
		end[0] = at;
		end[1] = f->before_id;
	}
	return 0;
}

/*
 * The statement of the narrowest index range f allows, the others' filters
 * then row tests: a number's rows; the rows in state "new", which only
 * wait for the next turn of the loop (and belong to no commune by their
 * sender before the pipeline has seen them); a commune's, where the other
 * states are a row test over the commune's range (most of a commune's SMS
 * are accepted, and its officers' typos rejected: a page fills soon; a
 * commune of 250,000 SMS none of them in that state is read to its end,
 * under 0.1 s); one state's; any row.
 */
static enum stmt
messages_stmt(const struct store_msg_filter *f)
{
	if (f->number != NULL)
		return S_WEB_NUMBER_MESSAGES;
	if (f->state != NULL && strcmp(f->state, "new") == 0)
		return S_WEB_STATE_MESSAGES;
	if (f->commune != NULL)
		return S_WEB_COMMUNE_MESSAGES;
	return f->state != NULL ? S_WEB_STATE_MESSAGES : S_WEB_MESSAGES;
}

int
store_messages_foreach(struct store *st, const struct store_msg_filter *f,
		       int (*cb)(void *arg, const struct store_msg_row *m), void *arg)
{
	enum stmt id = messages_stmt(f);
	struct walk w = {.cb.msg = cb, .arg = arg};
	int64_t end[2];
	int bound;

	if (page_end(st, f, end) == -1 || walk_start(st, id) == NULL)
		return -1;
	bound = bind_text(st, id, 1, f->number) == 0 && bind_text(st, id, 2, f->commune) == 0 &&
		bind_text(st, id, 3, f->state) == 0 && bind_int(st, id, 4, f->from) == 0 &&
		bind_int(st, id, 5, end[0]) == 0 && bind_int(st, id, 6, end[1]) == 0 &&
		bind_int(st, id, 7, f->limit) == 0;
	return walk_rows(st, id, bound, msg_walk_row, &w) == -1 ? -1 : 0;
}

static int
reply_walk_row(void *ctx, sqlite3_stmt *s)
{
	struct walk *w = ctx;
	struct store_reply_row r;

	r.id = sqlite3_column_int64(s, 0);
	r.created = sqlite3_column_int64(s, 1);
	r.recipient = column_text(s, 2);
	r.text = column_text(s, 3);
	r.reason = column_text(s, 4);
	r.state = column_text(s, 5);
	r.delivery = column_text(s, 6);
	return w->cb.reply(w->arg, &r) != 0;
}

int
store_replies_foreach(struct store *st, int64_t inbox_id,
		      int (*cb)(void *arg, const struct store_reply_row *r), void *arg)
{
	enum stmt id = S_WEB_REPLIES;
	struct walk w = {.cb.reply = cb, .arg = arg};

	if (walk_start(st, id) == NULL)
		return -1;
	return walk_rows(st, id, bind_int(st, id, 1, inbox_id) == 0, reply_walk_row, &w) == -1 ? -1
											       : 0;
}

static int
alert_walk_row(void *ctx, sqlite3_stmt *s)
{
	struct walk *w = ctx;

	return w->cb.alert(w->arg, column_text(s, 0), column_text(s, 1),
			   sqlite3_column_int64(s, 2)) != 0;
}

int
store_alerts_active_foreach(struct store *st,
			    int (*cb)(void *arg, const char *key, const char *text, int64_t since),
			    void *arg)
{
	struct walk w = {.cb.alert = cb, .arg = arg};

	if (walk_start(st, S_ALERTS_ACTIVE) == NULL)
		return -1;
	return walk_rows(st, S_ALERTS_ACTIVE, 1, alert_walk_row, &w) == -1 ? -1 : 0;
}
