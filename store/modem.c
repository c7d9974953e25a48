/*
 * modem.c - the modems' health (tables modem_readings, network_outages,
 * modem_links), USSD (ussd) and the alerts to the admins (alerts).
 */
#include <stdio.h>
#include <string.h>

#include "impl.h"
#include "log.h"

int
store_alert_get(struct store *st, const char *key, int64_t *since)
{
	enum stmt id = S_ALERT_GET;
	int bound, rc, active = 0;

	stmt_get(st, id);
	bound = bind_text(st, id, 1, key) == 0;
	rc = stmt_row(st, id, bound);
	if (rc == 1) {
		active = sqlite3_column_int(st->stmt[id], 0);
		if (since != NULL)
			*since = sqlite3_column_int64(st->stmt[id], 1);
		stmt_put(st, id);
	}
	return rc == -1 ? -1 : active;
}

int
store_alert_set(struct store *st, const char *key, int active, const char *text, int64_t now)
{
	enum stmt id = S_ALERT_SET;
	int bound;

	stmt_get(st, id);
	bound = bind_text(st, id, 1, key) == 0 && bind_int(st, id, 2, active != 0) == 0 &&
		bind_text(st, id, 3, text) == 0 && bind_int(st, id, 4, now) == 0;
	return stmt_done(st, id, bound);
}

int
store_reading_add(struct store *st, const struct store_reading *r, int64_t keep_from)
{
	enum stmt id = S_READING_ADD;
	int bound;

	stmt_get(st, id);
	bound = bind_text(st, id, 1, r->modem) == 0 && bind_int(st, id, 2, r->at) == 0 &&
		bind_int(st, id, 3, r->signal_pct) == 0 && bind_int(st, id, 4, r->dbm) == 0 &&
		bind_int(st, id, 5, r->ber) == 0 && bind_text(st, id, 6, r->reg) == 0 &&
		bind_text(st, id, 7, r->operator) == 0;
	if (stmt_done(st, id, bound) == -1)
		return -1;
	id = S_READING_PRUNE;
	stmt_get(st, id);
	bound = bind_text(st, id, 1, r->modem) == 0 && bind_int(st, id, 2, keep_from) == 0;
	return stmt_done(st, id, bound);
}

int
store_reading_last(struct store *st, const char *modem, struct store_reading_row *r)
{
	enum stmt id = S_READING_LAST;
	int bound, rc;

	memset(r, 0, sizeof(*r));
	stmt_get(st, id);
	bound = bind_text(st, id, 1, modem) == 0;
	rc = stmt_row(st, id, bound);
	if (rc == 1) {
		r->at = sqlite3_column_int64(st->stmt[id], 0);
		r->signal_pct = sqlite3_column_int(st->stmt[id], 1);
		r->dbm = sqlite3_column_int(st->stmt[id], 2);
		r->ber = sqlite3_column_int(st->stmt[id], 3);
		snprintf(r->reg, sizeof(r->reg), "%s",
			 (const char *)sqlite3_column_text(st->stmt[id], 4));
		snprintf(r->operator, sizeof(r->operator), "%s",
			 (const char *)sqlite3_column_text(st->stmt[id], 5));
		stmt_put(st, id);
	}
	return rc;
}

int
store_outage_set(struct store *st, const char *modem, int lost, int64_t at)
{
	enum stmt id = lost ? S_OUTAGE_OPEN : S_OUTAGE_CLOSE;
	int bound;

	stmt_get(st, id);
	bound = bind_text(st, id, 1, modem) == 0 && bind_int(st, id, 2, at) == 0;
	return stmt_done(st, id, bound);
}

int
store_modem_link_set(struct store *st, const char *modem, int connected, int64_t at)
{
	int rc;

	stmt_get(st, S_LINK_SET);
	rc = bind_text(st, S_LINK_SET, 1, modem) == -1 ||
		     bind_int(st, S_LINK_SET, 2, connected != 0) == -1 ||
		     bind_int(st, S_LINK_SET, 3, at) == -1
		 ? -1
		 : stmt_step(st, S_LINK_SET);
	stmt_put(st, S_LINK_SET);
	return rc == -1 ? -1 : 0;
}

int
store_modem_link_get(struct store *st, const char *modem, int *connected, int64_t *since)
{
	int bound, rc;

	*connected = 0;
	*since = 0;
	stmt_get(st, S_LINK_GET);
	bound = bind_text(st, S_LINK_GET, 1, modem) == 0;
	rc = stmt_row(st, S_LINK_GET, bound);
	if (rc == 1) {
		*connected = sqlite3_column_int(st->stmt[S_LINK_GET], 0);
		*since = sqlite3_column_int64(st->stmt[S_LINK_GET], 1);
		stmt_put(st, S_LINK_GET);
	}
	return rc;
}

int
store_outage_last(struct store *st, const char *modem, int64_t *lost_at, int64_t *back_at)
{
	enum stmt id = S_OUTAGE_LAST;
	int bound, rc;

	*lost_at = *back_at = 0;
	stmt_get(st, id);
	bound = bind_text(st, id, 1, modem) == 0;
	rc = stmt_row(st, id, bound);
	if (rc == 1) {
		*lost_at = sqlite3_column_int64(st->stmt[id], 0);
		*back_at = sqlite3_column_int64(st->stmt[id], 1);
		stmt_put(st, id);
	}
	return rc;
}

int
store_ussd_add(struct store *st, const struct store_ussd *u)
{
	enum stmt id = S_USSD_ADD;
	int bound;

	stmt_get(st, id);
	bound = bind_text(st, id, 1, u->modem) == 0 && bind_int(st, id, 2, u->at) == 0 &&
		bind_text(st, id, 3, u->purpose) == 0 && bind_text(st, id, 4, u->code) == 0 &&
		bind_text(st, id, 5, u->answer) == 0 &&
		bind_int(st, id, 6, u->has_amount != 0) == 0 &&
		bind_int(st, id, 7, u->amount) == 0 && bind_text(st, id, 8, u->status) == 0;
	return stmt_done(st, id, bound);
}

int
store_ussd_last(struct store *st, const char *modem, const char *purpose, int with_amount,
		struct store_ussd_row *r)
{
	enum stmt id = S_USSD_LAST;
	int bound, rc;

	memset(r, 0, sizeof(*r));
	stmt_get(st, id);
	bound = bind_text(st, id, 1, modem) == 0 && bind_text(st, id, 2, purpose) == 0 &&
		bind_int(st, id, 3, with_amount != 0) == 0;
	rc = stmt_row(st, id, bound);
	if (rc == 1) {
		r->at = sqlite3_column_int64(st->stmt[id], 0);
		snprintf(r->answer, sizeof(r->answer), "%s",
			 (const char *)sqlite3_column_text(st->stmt[id], 1));
		r->has_amount = sqlite3_column_int(st->stmt[id], 2);
		r->amount = sqlite3_column_int64(st->stmt[id], 3);
		snprintf(r->status, sizeof(r->status), "%s",
			 (const char *)sqlite3_column_text(st->stmt[id], 4));
		snprintf(r->code, sizeof(r->code), "%s",
			 (const char *)sqlite3_column_text(st->stmt[id], 5));
		stmt_put(st, id);
	}
	return rc;
}

int
store_ussd_request(struct store *st, const char *modem, const char *code, int64_t now, int64_t *id)
{
	enum stmt sid = S_USSD_REQUEST;
	int rc = -1;

	stmt_get(st, sid);
	if (bind_text(st, sid, 1, modem) == 0 && bind_int(st, sid, 2, now) == 0 &&
	    bind_text(st, sid, 3, code) == 0 && stmt_step(st, sid) != -1) {
		*id = sqlite3_last_insert_rowid(st->db);
		rc = 0;
	}
	stmt_put(st, sid);
	return rc;
}

int
store_ussd_next_request(struct store *st, const char *modem, int64_t since, int64_t *id, char *code,
			size_t codesz)
{
	enum stmt sid = S_USSD_NEXT_REQUEST;
	int bound, rc;

	stmt_get(st, sid);
	bound = bind_text(st, sid, 1, modem) == 0 && bind_int(st, sid, 2, since) == 0;
	rc = stmt_row(st, sid, bound);
	if (rc == 1) {
		*id = sqlite3_column_int64(st->stmt[sid], 0);
		snprintf(code, codesz, "%s", (const char *)sqlite3_column_text(st->stmt[sid], 1));
		stmt_put(st, sid);
	}
	return rc;
}

int
store_ussd_answer(struct store *st, int64_t id, const char *answer, const char *status,
		  int only_requested)
{
	enum stmt sid = S_USSD_ANSWER;
	int rc = -1;

	stmt_get(st, sid);
	if (bind_int(st, sid, 1, id) == 0 && bind_text(st, sid, 2, answer) == 0 &&
	    bind_text(st, sid, 3, status) == 0 && bind_int(st, sid, 4, only_requested != 0) == 0 &&
	    stmt_step(st, sid) != -1)
		rc = sqlite3_changes(st->db);
	stmt_put(st, sid);
	return rc;
}

int
store_ussd_get(struct store *st, int64_t id, char *status, size_t statussz, char *answer,
	       size_t answersz)
{
	enum stmt sid = S_USSD_GET;
	int bound, rc;

	stmt_get(st, sid);
	bound = bind_int(st, sid, 1, id) == 0;
	rc = stmt_row(st, sid, bound);
	if (rc == 1) {
		snprintf(status, statussz, "%s",
			 (const char *)sqlite3_column_text(st->stmt[sid], 0));
		snprintf(answer, answersz, "%s",
			 (const char *)sqlite3_column_text(st->stmt[sid], 1));
		stmt_put(st, sid);
	}
	return rc;
}
