/*
 * reports.c - the reports (tables reports and report_sums), their
 * totals and sums, cancellations, and the classes (table classes).
 */
#include <stdio.h>
#include <string.h>

#include "impl.h"
#include "log.h"

int
store_report_add(struct store *st, const struct store_report *r, int64_t *ref)
{
	enum stmt id = S_REPORT_ADD;

	stmt_get(st, id);
	if (bind_int(st, id, 1, r->inbox_id) == -1 || bind_text(st, id, 2, r->kind) == -1 ||
	    bind_text(st, id, 3, r->commune_code) == -1 || bind_text(st, id, 4, r->commune) == -1 ||
	    bind_text(st, id, 5, r->trade_code) == -1 || bind_text(st, id, 6, r->trade) == -1 ||
	    bind_int(st, id, 7, r->count) == -1 || bind_int(st, id, 8, r->trained) == -1 ||
	    bind_int(st, id, 9, r->year) == -1 || bind_int(st, id, 10, r->half) == -1 ||
	    bind_text(st, id, 11, r->sender) == -1 || bind_int(st, id, 12, r->created) == -1 ||
	    stmt_step(st, id) == -1) {
		stmt_put(st, id);
		return -1;
	}
	stmt_put(st, id);
	if (ref != NULL)
		*ref = sqlite3_last_insert_rowid(st->db);
	return 0;
}

static void
read_report(sqlite3_stmt *s, struct store_report_row *r)
{
	memset(r, 0, sizeof(*r));
	/* Display fields: a cut name is still useful. */
	r->ref = sqlite3_column_int64(s, 0);
	r->inbox_id = sqlite3_column_int64(s, 1);
	column_copy(s, 2, r->kind, sizeof(r->kind));
	column_copy(s, 3, r->commune_code, sizeof(r->commune_code));
	column_copy(s, 4, r->commune, sizeof(r->commune));
	column_copy(s, 5, r->trade_code, sizeof(r->trade_code));
	column_copy(s, 6, r->trade, sizeof(r->trade));
	r->count = (long)sqlite3_column_int64(s, 7);
	r->trained = (long)sqlite3_column_int64(s, 8);
	r->year = sqlite3_column_int(s, 9);
	r->half = sqlite3_column_int(s, 10);
	column_copy(s, 11, r->sender, sizeof(r->sender));
	r->created = sqlite3_column_int64(s, 12);
	r->cancelled = sqlite3_column_int(s, 13);
}

struct report_walk {
	int (*cb)(void *arg, const struct store_report_row *r);
	void *arg;
};

static int
report_row(void *ctx, sqlite3_stmt *s)
{
	struct report_walk *w = ctx;
	struct store_report_row row;

	read_report(s, &row);
	return w->cb(w->arg, &row) != 0;
}

int
store_reports_foreach(struct store *st, int (*cb)(void *arg, const struct store_report_row *r),
		      void *arg)
{
	struct report_walk w = {cb, arg};

	if (walk_start(st, S_REPORT_ALL) == NULL)
		return -1;
	return walk_rows(st, S_REPORT_ALL, 1, report_row, &w) == -1 ? -1 : 0;
}

/* Runs a COUNTED statement for a year and a commune code (NULL: all) and
 * leaves it on its row. */
static int
query_counted(struct store *st, enum stmt id, const char *commune_code, int year)
{
	stmt_get(st, id);
	if (bind_int(st, id, 1, year) == -1 || bind_text(st, id, 2, commune_code) == -1 ||
	    stmt_step(st, id) != SQLITE_ROW) {
		stmt_put(st, id);
		return -1;
	}
	return 0;
}

int
store_totals(struct store *st, const char *commune_code, int year, struct store_totals *t)
{
	sqlite3_stmt *s;

	memset(t, 0, sizeof(*t));
	if (query_counted(st, S_TOTALS, commune_code, year) == -1)
		return -1;
	s = st->stmt[S_TOTALS];
	t->enrol = (long)sqlite3_column_int64(s, 0);
	t->grad = (long)sqlite3_column_int64(s, 1);
	t->job = (long)sqlite3_column_int64(s, 2);
	t->need = (long)sqlite3_column_int64(s, 3);
	t->reports = (long)sqlite3_column_int64(s, 4);
	stmt_put(st, S_TOTALS);

	if (query_counted(st, S_TOTALS_LABOUR, commune_code, year) == -1)
		return -1;
	s = st->stmt[S_TOTALS_LABOUR];
	t->labour = (long)sqlite3_column_int64(s, 0);
	t->trained = (long)sqlite3_column_int64(s, 1);
	stmt_put(st, S_TOTALS_LABOUR);
	return 0;
}

struct sum_walk {
	int (*cb)(void *arg, const struct store_sum *sum);
	void *arg;
};

static int
sum_row(void *ctx, sqlite3_stmt *s)
{
	struct sum_walk *w = ctx;
	struct store_sum sum;

	sum.commune_code = (const char *)sqlite3_column_text(s, 0);
	sum.kind = (const char *)sqlite3_column_text(s, 1);
	sum.trade_code = (const char *)sqlite3_column_text(s, 2);
	sum.reports = (long)sqlite3_column_int64(s, 3);
	sum.count = (long)sqlite3_column_int64(s, 4);
	sum.trained = (long)sqlite3_column_int64(s, 5);
	sum.cancelled = (long)sqlite3_column_int64(s, 6);
	if (sum.commune_code == NULL || sum.kind == NULL) {
		log_warnx("store: period sums: out of memory");
		return -1;
	}
	return w->cb(w->arg, &sum) != 0;
}

int
store_sums_foreach(struct store *st, int year, int half,
		   int (*cb)(void *arg, const struct store_sum *sum), void *arg)
{
	enum stmt id = S_SUMS;
	struct sum_walk w = {cb, arg};
	int bound;

	if (walk_start(st, id) == NULL)
		return -1;
	bound = bind_int(st, id, 1, year) == 0 && bind_int(st, id, 2, half) == 0;
	return walk_rows(st, id, bound, sum_row, &w) == -1 ? -1 : 0;
}

int
store_commune_sum(struct store *st, const char *commune_code, const char *kind, int year,
		  long *count)
{
	enum stmt id = S_COMMUNE_SUM;

	*count = 0;
	stmt_get(st, id);
	if (bind_int(st, id, 1, year) == -1 || bind_text(st, id, 2, commune_code) == -1 ||
	    bind_text(st, id, 3, kind) == -1 || stmt_step(st, id) != SQLITE_ROW) {
		stmt_put(st, id);
		return -1;
	}
	*count = (long)sqlite3_column_int64(st->stmt[id], 0);
	stmt_put(st, id);
	return 0;
}

int
store_labour_latest(struct store *st, const char *commune_code, int year, int half, long *labour,
		    long *trained)
{
	enum stmt id = S_LABOUR_LATEST;
	sqlite3_stmt *s;
	int rc;

	*labour = *trained = 0;
	s = stmt_get(st, id);
	if (bind_int(st, id, 1, year) == -1 || bind_text(st, id, 2, commune_code) == -1 ||
	    bind_int(st, id, 3, half == 1 ? 1 : 2) == -1)
		goto fail;
	rc = stmt_step(st, id);
	if (rc == -1)
		goto fail;
	if (rc == SQLITE_ROW) {
		*labour = (long)sqlite3_column_int64(s, 0);
		*trained = (long)sqlite3_column_int64(s, 1);
	}
	stmt_put(st, id);
	return rc == SQLITE_ROW;

fail:
	stmt_put(st, id);
	return -1;
}

int
store_last_report(struct store *st, const char *commune_code, int64_t *at)
{
	enum stmt id = S_LAST_REPORT;
	sqlite3_stmt *s;
	int found;

	*at = 0;
	s = stmt_get(st, id);
	if (bind_text(st, id, 1, commune_code) == -1 || stmt_step(st, id) != SQLITE_ROW) {
		stmt_put(st, id);
		return -1;
	}
	found = sqlite3_column_type(s, 0) != SQLITE_NULL;
	if (found)
		*at = sqlite3_column_int64(s, 0);
	stmt_put(st, id);
	return found;
}

struct since_walk {
	int (*cb)(void *arg, const char *kind, long reports, long count);
	void *arg;
};

static int
since_row(void *ctx, sqlite3_stmt *s)
{
	struct since_walk *w = ctx;
	const char *kind = (const char *)sqlite3_column_text(s, 0);

	if (kind == NULL) {
		log_warnx("store: reports since: out of memory");
		return -1;
	}
	return w->cb(w->arg, kind, (long)sqlite3_column_int64(s, 1),
		     (long)sqlite3_column_int64(s, 2)) != 0;
}

int
store_reports_since(struct store *st, int64_t after, int64_t until,
		    int (*cb)(void *arg, const char *kind, long reports, long count), void *arg)
{
	enum stmt id = S_SINCE;
	struct since_walk w = {cb, arg};
	int bound;

	if (walk_start(st, id) == NULL)
		return -1;
	bound = bind_int(st, id, 1, after) == 0 && bind_int(st, id, 2, until) == 0;
	return walk_rows(st, id, bound, since_row, &w) == -1 ? -1 : 0;
}

int
store_report_set_class(struct store *st, int64_t ref, const char *class_code)
{
	return stmt_exec_int_text(st, S_REPORT_CLASS, ref, class_code) == -1 ? -1 : 0;
}

int
store_report_cancel(struct store *st, const char *sender, int64_t ref, struct store_report_row *row)
{
	enum stmt id = S_REPORT_LAST;
	int rc;

	stmt_get(st, id);
	if (bind_text(st, id, 1, sender) == -1 || bind_int(st, id, 2, ref) == -1) {
		stmt_put(st, id);
		return -1;
	}
	rc = stmt_step(st, id);
	if (rc == SQLITE_ROW)
		read_report(st->stmt[id], row);
	stmt_put(st, id);
	if (rc != SQLITE_ROW)
		return rc == -1 ? -1 : 0;
	id = S_REPORT_CANCEL;
	stmt_get(st, id);
	if (bind_int(st, id, 1, row->ref) == -1 || stmt_step(st, id) == -1) {
		stmt_put(st, id);
		return -1;
	}
	stmt_put(st, id);
	row->cancelled = 1;
	return 1;
}

int
store_class_open(struct store *st, const struct store_class *c)
{
	enum stmt id = S_CLASS_OPEN;
	int bound, n;

	stmt_get(st, id);
	bound = bind_text(st, id, 1, c->key) == 0 && bind_text(st, id, 2, c->code) == 0 &&
		bind_text(st, id, 3, c->commune_code) == 0 &&
		bind_text(st, id, 4, c->trade_code) == 0 && bind_int(st, id, 5, c->planned) == 0 &&
		bind_text(st, id, 6, c->opened_by) == 0 && bind_int(st, id, 7, c->opened_at) == 0;
	n = stmt_exec(st, id, bound);
	return n == -1 ? -1 : n > 0 ? 1 : 0;
}

int
store_class_close(struct store *st, const char *key, int64_t at)
{
	enum stmt id = S_CLASS_CLOSE;
	int bound, n;

	stmt_get(st, id);
	bound = bind_text(st, id, 1, key) == 0 && bind_int(st, id, 2, at) == 0;
	n = stmt_exec(st, id, bound);
	return n == -1 ? -1 : n > 0 ? 1 : 0;
}

int
store_class_find(struct store *st, const char *key, struct store_class_row *c)
{
	enum stmt id = S_CLASS_FIND;
	int bound, rc;

	stmt_get(st, id);
	bound = bind_text(st, id, 1, key) == 0;
	rc = stmt_row(st, id, bound);
	if (rc == 1) {
		column_copy(st->stmt[id], 0, c->commune_code, sizeof(c->commune_code));
		column_copy(st->stmt[id], 1, c->trade_code, sizeof(c->trade_code));
		c->open = sqlite3_column_int(st->stmt[id], 2);
		stmt_put(st, id);
	}
	return rc;
}
