/*
 * stmt.c - the statement cache and the helpers to bind, step and read.
 *
 * A statement is prepared the first time it is used and kept until
 * store_close(): most runs use a fraction of the catalog (sql.c), and a
 * prepared statement costs some kilobytes.  Take it with stmt_get() (reset,
 * bindings cleared), bind, step, and give it back with stmt_put() so that
 * no read transaction stays open (an unfinished SELECT would hold back WAL
 * checkpoints).  When a statement cannot be prepared, stmt_get() logs it
 * and the bind and step helpers fail without touching it.
 */
#include <stdlib.h>
#include <string.h>

#include "impl.h"
#include "log.h"

/*
 * Checks every statement of the catalog against the file at open, one at a
 * time and none kept: a file whose tables do not match the schema version
 * it claims is refused at open, not on the day a rare statement first runs.
 */
int
stmt_check_all(struct store *st)
{
	sqlite3_stmt *s;
	size_t i;

	for (i = 0; i < S_NSTMTS; i++) {
		if (sqlite3_prepare_v2(st->db, stmt_defs[i].sql, -1, &s, NULL) != SQLITE_OK) {
			note_error(st);
			log_warnx("store: %s: prepare %s: %s", st->path, stmt_defs[i].what,
				  sqlite3_errmsg(st->db));
			return -1;
		}
		sqlite3_finalize(s);
	}
	return 0;
}

void
stmt_finalize_all(struct store *st)
{
	size_t i;

	for (i = 0; i < S_NSTMTS; i++) {
		sqlite3_finalize(st->stmt[i]);
		st->stmt[i] = NULL;
	}
}

/* Takes a statement, prepared now if it is its first use, ready for
 * binding; NULL after logging when it cannot be prepared. */
sqlite3_stmt *
stmt_get(struct store *st, enum stmt id)
{
	sqlite3_stmt *s = st->stmt[id];

	if (s != NULL) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return s;
	}
	/* Persistent: kept until store_close(), not taken from lookaside. */
	if (sqlite3_prepare_v3(st->db, stmt_defs[id].sql, -1, SQLITE_PREPARE_PERSISTENT, &s,
			       NULL) != SQLITE_OK) {
		note_error(st);
		log_warnx("store: %s: prepare %s: %s", st->path, stmt_defs[id].what,
			  sqlite3_errmsg(st->db));
		return NULL;
	}
	st->stmt[id] = s;
	return s;
}

/* Gives a statement back: ends its read and drops bound pointers. */
void
stmt_put(struct store *st, enum stmt id)
{
	if (st->stmt[id] == NULL)
		return;
	sqlite3_reset(st->stmt[id]);
	sqlite3_clear_bindings(st->stmt[id]);
}

/*
 * Starts a walk over the rows of a statement, for a function that calls back
 * for each row; returns the statement, or NULL after logging.  Statements
 * are shared: a callback that started another walk on the same one would
 * reset it under its caller, so that is refused.
 */
sqlite3_stmt *
walk_start(struct store *st, enum stmt id)
{
	if (st->stmt[id] != NULL && sqlite3_stmt_busy(st->stmt[id])) {
		log_warnx("store: %s: already running", stmt_defs[id].what);
		return NULL;
	}
	return stmt_get(st, id);
}

/*
 * Steps a walk started with walk_start() through its rows (bound: as for
 * stmt_exec() below): row() reads one and returns 0 to go on, 1 to stop
 * there, -1 on a failure it logged.  Gives the statement back; returns how
 * many rows row() was given, or -1.
 */
int
walk_rows(struct store *st, enum stmt id, int bound, int (*row)(void *ctx, sqlite3_stmt *s),
	  void *ctx)
{
	int rc = -1, r = 0, n = 0;

	while (bound) {
		rc = stmt_step(st, id);
		if (rc != SQLITE_ROW)
			break;
		n++;
		r = row(ctx, st->stmt[id]);
		if (r != 0)
			break;
	}
	stmt_put(st, id);
	return rc == -1 || r == -1 ? -1 : n;
}

/* Returns SQLITE_ROW or SQLITE_DONE, or -1 after logging. */
int
stmt_step(struct store *st, enum stmt id)
{
	int rc;

	if (st->stmt[id] == NULL)
		return -1;
	rc = sqlite3_step(st->stmt[id]);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		warn_db(st, stmt_defs[id].what);
		return -1;
	}
	return rc;
}

/* Runs a statement without parameters or result, such as COMMIT. */
int
stmt_run(struct store *st, enum stmt id)
{
	int rc;

	stmt_get(st, id);
	rc = stmt_step(st, id);
	stmt_put(st, id);
	return rc == -1 ? -1 : 0;
}

/* NULL binds SQL NULL.  The text must live until stmt_put(). */
int
bind_text(struct store *st, enum stmt id, int i, const char *v)
{
	int rc;

	if (st->stmt[id] == NULL)
		return -1;
	if (v == NULL)
		rc = sqlite3_bind_null(st->stmt[id], i);
	else
		rc = sqlite3_bind_text(st->stmt[id], i, v, -1, SQLITE_STATIC);
	if (rc != SQLITE_OK) {
		warn_db(st, stmt_defs[id].what);
		return -1;
	}
	return 0;
}

int
bind_int(struct store *st, enum stmt id, int i, int64_t v)
{
	if (st->stmt[id] == NULL)
		return -1;
	if (sqlite3_bind_int64(st->stmt[id], i, v) != SQLITE_OK) {
		warn_db(st, stmt_defs[id].what);
		return -1;
	}
	return 0;
}

/* A foreign key that is 0 (or less) means "none". */
int
bind_ref(struct store *st, enum stmt id, int i, int64_t v)
{
	if (v > 0)
		return bind_int(st, id, i, v);
	if (st->stmt[id] == NULL)
		return -1;
	if (sqlite3_bind_null(st->stmt[id], i) != SQLITE_OK) {
		warn_db(st, stmt_defs[id].what);
		return -1;
	}
	return 0;
}

const char *
column_text(sqlite3_stmt *s, int col)
{
	const unsigned char *v = sqlite3_column_text(s, col);

	return v != NULL ? (const char *)v : "";
}

/* Copies a text column into a fixed buffer; returns -1 when it had to be
 * cut (the buffer then holds the beginning). */
int
column_copy(sqlite3_stmt *s, int col, char *dst, size_t dstsz)
{
	const unsigned char *v;
	size_t len;

	v = sqlite3_column_text(s, col);
	len = (size_t)sqlite3_column_bytes(s, col);
	if (v == NULL)
		len = 0;
	if (len >= dstsz) {
		memcpy(dst, v, dstsz - 1);
		dst[dstsz - 1] = '\0';
		return -1;
	}
	if (v != NULL && len > 0)
		memcpy(dst, v, len);
	dst[len] = '\0';
	return 0;
}

char *
column_dup(struct store *st, sqlite3_stmt *s, int col)
{
	const unsigned char *v;
	char *p;
	size_t len;

	v = sqlite3_column_text(s, col);
	len = (size_t)sqlite3_column_bytes(s, col);
	if (v == NULL && sqlite3_errcode(st->db) == SQLITE_NOMEM) {
		log_warnx("store: out of memory");
		return NULL;
	}
	p = malloc(len + 1);
	if (p == NULL) {
		log_warn("store: malloc");
		return NULL;
	}
	if (v != NULL && len > 0)
		memcpy(p, v, len);
	p[len] = '\0';
	return p;
}

/*
 * The ends of a statement taken with stmt_get() and bound: bound is 0 when a
 * bind failed (logged), and then the statement is given back without being
 * run.  Each gives the statement back unless it says otherwise.
 */

/* Runs it: the number of rows it changed, or -1. */
int
stmt_exec(struct store *st, enum stmt id, int bound)
{
	int rc = bound ? stmt_step(st, id) : -1;

	stmt_put(st, id);
	return rc == -1 ? -1 : sqlite3_changes(st->db);
}

/* Gets statement id, binds an integer and a text as ?1 and ?2 and runs
 * it: the number of rows it changed, or -1. */
int
stmt_exec_int_text(struct store *st, enum stmt id, int64_t a, const char *b)
{
	int bound;

	stmt_get(st, id);
	bound = bind_int(st, id, 1, a) == 0 && bind_text(st, id, 2, b) == 0;
	return stmt_exec(st, id, bound);
}

/* Runs it: 0, or -1. */
int
stmt_done(struct store *st, enum stmt id, int bound)
{
	return stmt_exec(st, id, bound) == -1 ? -1 : 0;
}

/* Steps it to its first row: 1 when there is one, the statement left on it
 * for the caller to read and then give back; 0 when there is none; -1. */
int
stmt_row(struct store *st, enum stmt id, int bound)
{
	int rc = bound ? stmt_step(st, id) : -1;

	if (rc == SQLITE_ROW)
		return 1;
	stmt_put(st, id);
	return rc == -1 ? -1 : 0;
}

/* The integer in the first column of its row, such as a count(*); -1. */
int64_t
count_of(struct store *st, enum stmt id, int bound)
{
	int64_t n;

	if (stmt_row(st, id, bound) != 1)
		return -1;
	n = sqlite3_column_int64(st->stmt[id], 0);
	stmt_put(st, id);
	return n;
}
