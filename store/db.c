/*
 * db.c - the database as a whole: opening (checks, pragmas, migration),
 * closing, reopening, copies, transactions, and what a failure says about
 * the disk or the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "impl.h"
#include "log.h"
#include "phone.h"

#define BUSY_TIMEOUT_MS 5000

/*
 * SQLite's page cache, in KiB (SQLite's default is 2,000).  The gateway's
 * work is a few rows per SMS through the indexes of a handful of tables,
 * and the plan report reads report_sums, not the reports: what it touches
 * again and again is the upper levels of those b-trees, a few dozen pages.
 * 256 KiB (64 pages of 4 KiB) holds them with room for a transaction's
 * dirty pages (measured: the sender checks over 100,000 inbox rows and the
 * report's queries over 1,000,000 reports take as long as with 512 KiB, and
 * the 1000-SMS run peaks 0.8 MB lower); a one-off scan of a big table reads through the kernel's
 * cache of the file anyway.  The cache only grows as pages are read, so
 * this is a ceiling on a long run's memory, not an allocation.
 */
#define CACHE_KIB 256

/* The tables store_count() accepts, and the states it knows for each
 * ("pending"/"joined" for parts, "active"/"cancelled" for reports). */
static const struct {
	const char *table;
	enum stmt all;
	enum stmt bystate;
} count_tables[] = {
    {"inbox", S_COUNT_INBOX, S_COUNT_INBOX_STATE},
    {"inbox_parts", S_COUNT_PARTS, S_COUNT_PARTS_STATE},
    {"reports", S_COUNT_REPORTS, S_COUNT_REPORTS_STATE},
    {"outbox", S_COUNT_OUTBOX, S_COUNT_OUTBOX_STATE},
    {"push_queue", S_COUNT_PUSH, S_COUNT_PUSH_STATE},
};

/* The errors that say the file cannot be written now, not that a statement
 * is wrong: they go away when space or permission comes back. */
static int
is_disk_error(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		return 1;
	default:
		return 0;
	}
}

/* The errors that say the file itself is damaged: no retry makes them go
 * away, only a restored copy. */
static int
is_damage(int rc)
{
	return (rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB;
}

/* Remembers what kind of failure the last error on st was. */
void
note_error(struct store *st)
{
	int rc = sqlite3_extended_errcode(st->db);

	if (is_disk_error(rc))
		st->disk_error = 1;
	if (is_damage(rc))
		st->damaged = 1;
}

void
warn_db(struct store *st, const char *what)
{
	note_error(st);
	log_warnx("store: %s: %s", what, sqlite3_errmsg(st->db));
}

/*
 * SQLite takes a very short file (one byte) for an empty database and would
 * write a header over it, so whatever the file holds is checked here first:
 * an existing, non-empty file must start with the SQLite magic.
 */
static int
check_header(const char *path)
{
	static const char magic[16] = "SQLite format 3";
	char buf[sizeof(magic)];
	sqlite3_vfs *vfs = sqlite3_vfs_find(NULL);
	sqlite3_file *f;
	sqlite3_int64 size;
	struct stat sb;
	int rc, out;

	/* Read through SQLite's VFS, never open() and close(): a close() of
	 * the file drops every POSIX lock this process's connections hold on
	 * it, and another process closing its connection would then delete
	 * the WAL they still write to. */
	if (stat(path, &sb) == -1) {
		if (errno == ENOENT)
			return 0; /* to be created, or refused by sqlite */
		log_warn("store: %s", path);
		return -1;
	}
	f = calloc(1, (size_t)vfs->szOsFile);
	if (f == NULL) {
		log_warn("store: calloc");
		return -1;
	}
	/* The size as stat() says it: SQLite's own takes one byte for none. */
	size = (sqlite3_int64)sb.st_size;
	rc = vfs->xOpen(vfs, path, f, SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_READONLY, &out);
	if (rc == SQLITE_OK && size > 0)
		rc = f->pMethods->xRead(f, buf, sizeof(buf), 0);
	if (f->pMethods != NULL)
		f->pMethods->xClose(f);
	free(f);
	if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) {
		log_warnx("store: %s: cannot read it", path);
		return -1;
	}
	if (size == 0)
		return 0;
	if (rc != SQLITE_OK || memcmp(buf, magic, sizeof(magic)) != 0) {
		log_warnx("store: %s: not an SQLite database; refusing to use it (file left "
			  "untouched)",
			  path);
		return -1;
	}
	return 0;
}

/*
 * Names, phone numbers and reports: a new database is created here, mode
 * 0600 (SQLite would make it 0644 less the umask), before SQLite opens it
 * as an empty file.  Its -wal and -shm files take the database's mode.
 */
static int
create_private(const char *path)
{
	int fd;

	if (strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0)
		return 0;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1) {
		if (errno == EEXIST)
			return 0;
		log_warn("store: %s", path);
		return -1;
	}
	close(fd);
	return 0;
}

/* Runs a statement known at compile time that gives one integer. */
static int
query_int(struct store *st, const char *sql, int64_t *v)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		goto fail;
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		goto fail;
	*v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return 0;

fail:
	note_error(st);
	if (sqlite3_errcode(st->db) == SQLITE_NOTADB)
		log_warnx("store: %s: not an SQLite database; refusing to use it", st->path);
	else
		log_warnx("store: %s: %s: %s", st->path, sql, sqlite3_errmsg(st->db));
	sqlite3_finalize(s);
	return -1;
}

static int
exec(struct store *st, const char *sql, const char *what)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		note_error(st);
		log_warnx("store: %s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}

/* Durability settings of a read-write connection, each checked: a pragma
 * SQLite does not know is silently ignored. */
static int
set_pragmas(struct store *st)
{
	sqlite3_stmt *s = NULL;
	const char *mode;
	int64_t v;

	/* journal_mode answers with the mode actually in effect. */
	if (sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW) {
		log_warnx("store: %s: journal_mode: %s", st->path, sqlite3_errmsg(st->db));
		goto fail;
	}
	mode = (const char *)sqlite3_column_text(s, 0);
	if (mode == NULL || strcmp(mode, "wal") != 0) {
		log_warnx("store: %s: cannot use WAL mode (journal mode is %s)", st->path,
			  mode == NULL ? "unknown" : mode);
		goto fail;
	}
	sqlite3_finalize(s);
	s = NULL;

	/* FULL: in WAL mode NORMAL may lose the last transactions on power
	 * loss, and every SMS that was taken off the phone must survive. */
	if (exec(st, "PRAGMA synchronous = FULL", "synchronous") == -1 ||
	    query_int(st, "PRAGMA synchronous", &v) == -1)
		goto fail;
	if (v != 2) {
		log_warnx("store: %s: synchronous is %lld, not FULL", st->path, (long long)v);
		goto fail;
	}
	return 0;

fail:
	sqlite3_finalize(s);
	return -1;
}

/* tinbao_phone(number): the stored form of a number (phone.h), for the
 * migration that brought every stored number to it. */
static void
sql_phone(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *n = sqlite3_value_text(argv[0]);
	char out[PHONE_MAX];

	if (n == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	phone_canonical((const char *)n, out, sizeof(out));
	sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

static int
add_functions(struct store *st)
{
	if (sqlite3_create_function(st->db, "tinbao_phone", 1,
				    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
				    sql_phone, NULL, NULL) != SQLITE_OK) {
		log_warnx("store: %s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}

static int
set_foreign_keys(struct store *st)
{
	int64_t v;

	if (exec(st, "PRAGMA foreign_keys = ON", "foreign_keys") == -1 ||
	    query_int(st, "PRAGMA foreign_keys", &v) == -1)
		return -1;
	if (v != 1) {
		log_warnx("store: %s: foreign keys cannot be enabled", st->path);
		return -1;
	}
	return 0;
}

static int
set_cache_size(struct store *st)
{
	char sql[64];
	int64_t v;

	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", CACHE_KIB);
	if (exec(st, sql, "cache_size") == -1 || query_int(st, "PRAGMA cache_size", &v) == -1)
		return -1;
	if (v != -CACHE_KIB) {
		log_warnx("store: %s: cache_size is %lld, not -%d", st->path, (long long)v,
			  CACHE_KIB);
		return -1;
	}
	return 0;
}

/*
 * Runs the missing migration steps.  The version is read again inside each
 * write transaction, so that two processes opening a new file at once do not
 * both run the same step.
 */
static int
migrate(struct store *st)
{
	int64_t v, nv;

	for (;;) {
		if (exec(st, "BEGIN IMMEDIATE", "begin migration") == -1)
			return -1;
		if (query_int(st, "PRAGMA user_version", &v) == -1)
			goto fail;
		if (v >= STORE_SCHEMA_VERSION)
			break;
		log_info("store: %s: migrating schema %lld -> %lld", st->path, (long long)v,
			 (long long)v + 1);
		if (exec(st, schema_step((int)v), "migration") == -1 ||
		    query_int(st, "PRAGMA user_version", &nv) == -1)
			goto fail;
		if (nv != v + 1) {
			log_warnx("store: %s: migration %lld did not set version %lld", st->path,
				  (long long)v, (long long)v + 1);
			goto fail;
		}
		if (exec(st, "COMMIT", "commit migration") == -1)
			goto fail;
	}
	if (v > STORE_SCHEMA_VERSION) {
		log_warnx("store: %s: schema version %lld is newer than this tinbao knows (%d)",
			  st->path, (long long)v, STORE_SCHEMA_VERSION);
		goto fail;
	}
	if (exec(st, "COMMIT", "commit migration") == -1)
		goto fail;
	st->version = (int)v;
	return 0;

fail:
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* Reads the version and decides whether this file can be used at all. */
static int
check_version(struct store *st, int flags)
{
	int64_t objects, v;

	/* The first read of the file: this is where a damaged one shows. */
	if (query_int(st,
		      "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' "
		      "ESCAPE '\\'",
		      &objects) == -1 ||
	    query_int(st, "PRAGMA user_version", &v) == -1)
		return -1;
	if (v > STORE_SCHEMA_VERSION) {
		log_warnx("store: %s: schema version %lld is newer than this tinbao knows (%d); "
			  "refusing to open it",
			  st->path, (long long)v, STORE_SCHEMA_VERSION);
		return -1;
	}
	if (v == 0 && objects > 0) {
		log_warnx("store: %s: a database with tables but no tinbao schema version; "
			  "not a tinbao database?",
			  st->path);
		return -1;
	}
	if ((flags & STORE_READONLY) && v < STORE_SCHEMA_VERSION) {
		log_warnx("store: %s: schema version %lld, expected %d; open it read-write once "
			  "to upgrade it",
			  st->path, (long long)v, STORE_SCHEMA_VERSION);
		return -1;
	}
	st->version = (int)v;
	return 0;
}

/*
 * A WAL file left at open, when no other connection has the file open
 * (another store of this process, or another process: a command run
 * beside the gateway), means the last run did not close the database
 * (store_close() removes it): a crash or a power cut.  SQLite recovers from
 * that by itself; the quick check is for the damage it cannot undo (a disk
 * that lied about fsync, a bad sector), found now rather than mid-batch.
 */
/* The stores this process has open, for left_unclean: the WAL of a file
 * another of them has open is that one's.  The console opens its own in
 * another thread than the gateway's. */
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static struct store *open_stores;

static int
open_here(const char *path)
{
	struct store *o;
	int found = 0;

	pthread_mutex_lock(&open_lock);
	for (o = open_stores; o != NULL && !found; o = o->next_open)
		found = strcmp(o->path, path) == 0;
	pthread_mutex_unlock(&open_lock);
	return found;
}

static void
open_note(struct store *st, int open)
{
	struct store **o;

	pthread_mutex_lock(&open_lock);
	if (open) {
		st->next_open = open_stores;
		open_stores = st;
	} else {
		for (o = &open_stores; *o != NULL; o = &(*o)->next_open) {
			if (*o == st) {
				*o = st->next_open;
				break;
			}
		}
	}
	pthread_mutex_unlock(&open_lock);
}

/*
 * 1 when another process has the database open (the gateway, while a
 * command runs beside it): every connection to a WAL database holds a
 * read lock on one byte of its -shm file for as long as it is open (the
 * byte SQLite's unix layer calls DMS, after the WAL's eight locks).
 * Called only while this process has no connection to the file, so that
 * the close() here drops no lock of ours.
 */
static int
open_elsewhere(const char *path)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 128, .l_len = 1};
	char shm[4096];
	int fd, held;

	if ((size_t)snprintf(shm, sizeof(shm), "%s-shm", path) >= sizeof(shm))
		return 0;
	fd = open(shm, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return 0;
	held = fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
	close(fd);
	return held;
}

static int
left_unclean(const char *path)
{
	char wal[4096];
	struct stat sb;

	if (open_here(path) || (size_t)snprintf(wal, sizeof(wal), "%s-wal", path) >= sizeof(wal))
		return 0;
	return stat(wal, &sb) == 0 && sb.st_size > 0 && !open_elsewhere(path);
}

static int
quick_check(struct store *st)
{
	sqlite3_stmt *s = NULL;
	const char *v;
	int rc, r = 0;

	if (sqlite3_prepare_v2(st->db, "PRAGMA quick_check(5)", -1, &s, NULL) != SQLITE_OK) {
		log_warnx("store: %s: quick_check: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		v = (const char *)sqlite3_column_text(s, 0);
		if (v != NULL && strcmp(v, "ok") == 0)
			continue;
		log_warnx("store: %s: damaged: %s", st->path, v != NULL ? v : "?");
		r = -1;
	}
	if (rc != SQLITE_DONE) {
		log_warnx("store: %s: damaged: %s", st->path, sqlite3_errmsg(st->db));
		r = -1;
	}
	sqlite3_finalize(s);
	return r;
}

int
store_check_file(const char *path)
{
	struct store tmp;
	int r;

	memset(&tmp, 0, sizeof(tmp));
	tmp.path = (char *)path;
	if (sqlite3_open_v2(path, &tmp.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		log_warnx("store: %s: %s", path,
			  tmp.db != NULL ? sqlite3_errmsg(tmp.db) : "out of memory");
		sqlite3_close(tmp.db);
		return -1;
	}
	r = quick_check(&tmp);
	sqlite3_close(tmp.db);
	return r;
}

struct store *
store_open(const char *path, int flags)
{
	struct store *st;
	int oflags, unclean;

	if (path == NULL || *path == '\0') {
		log_warnx("store: no database file given");
		return NULL;
	}
	if (check_header(path) == -1)
		return NULL;
	if (!(flags & STORE_READONLY) && create_private(path) == -1)
		return NULL;
	unclean = !(flags & STORE_READONLY) && left_unclean(path);
	st = calloc(1, sizeof(*st));
	if (st == NULL) {
		log_warn("store: calloc");
		return NULL;
	}
	st->path = strdup(path);
	if (st->path == NULL) {
		log_warn("store: strdup");
		goto fail;
	}

	if (flags & STORE_READONLY)
		oflags = SQLITE_OPEN_READONLY;
	else
		oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	/* A handle comes back even on failure; store_close() releases it. */
	if (sqlite3_open_v2(path, &st->db, oflags, NULL) != SQLITE_OK) {
		log_warnx("store: %s: %s", path,
			  st->db != NULL ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);

	if (check_version(st, flags) == -1 || set_foreign_keys(st) == -1 || add_functions(st) == -1)
		goto fail;
	if (unclean) {
		log_info("store: %s: not closed cleanly last time; checking it", path);
		if (quick_check(st) == -1)
			goto fail;
	}
	if (!(flags & STORE_READONLY)) {
		if (set_pragmas(st) == -1)
			goto fail;
		if (st->version < STORE_SCHEMA_VERSION && migrate(st) == -1)
			goto fail;
	}
	if (set_cache_size(st) == -1 || stmt_check_all(st) == -1)
		goto fail;
	open_note(st, 1);
	return st;

fail:
	store_close(st);
	return NULL;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	stmt_finalize_all(st);
	/* Closing the last connection also checkpoints and removes the WAL. */
	if (st->db != NULL && sqlite3_close(st->db) != SQLITE_OK)
		log_warnx("store: %s: close: %s", st->path, sqlite3_errmsg(st->db));
	/* Listed until its locks are gone: a store opened meanwhile in
	 * another thread must not look at (and close) the -shm file. */
	open_note(st, 0);
	free(st->path);
	free(st);
}

int
store_disk_error(struct store *st)
{
	int e = st->disk_error;

	st->disk_error = 0;
	return e;
}

int
store_damaged(const struct store *st)
{
	return st->damaged;
}

int
store_reopen(struct store *st)
{
	struct store *n, tmp;

	if (sqlite3_db_readonly(st->db, "main") != 1)
		return 0;
	/* A fresh handle, swapped in only once it works in full. */
	n = store_open(st->path, 0);
	if (n == NULL)
		return -1;
	if (sqlite3_db_readonly(n->db, "main") == 1) {
		log_warnx("store: %s: still read-only", st->path);
		store_close(n);
		return -1;
	}
	tmp = *st;
	*st = *n;
	*n = tmp;
	store_close(n);
	log_info("store: %s: reopened read-write", st->path);
	return 1;
}

struct store_copy {
	sqlite3 *dst;
	sqlite3_backup *b;
	char *path;
};

struct store_copy *
store_copy_start(struct store *st, const char *dest)
{
	struct store_copy *c;

	c = calloc(1, sizeof(*c));
	if (c == NULL || (c->path = strdup(dest)) == NULL) {
		log_warn("store: copy");
		free(c);
		return NULL;
	}
	if (sqlite3_open_v2(dest, &c->dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		log_warnx("store: copy to %s: %s", dest,
			  c->dst != NULL ? sqlite3_errmsg(c->dst) : "out of memory");
		goto fail;
	}
	/* The caller syncs the complete copy itself, away from the daemon's
	 * loop: SQLite's own fsync at the last step would hold the loop. */
	sqlite3_exec(c->dst, "PRAGMA synchronous = OFF", NULL, NULL, NULL);
	c->b = sqlite3_backup_init(c->dst, "main", st->db, "main");
	if (c->b == NULL) {
		log_warnx("store: copy to %s: %s", dest, sqlite3_errmsg(c->dst));
		goto fail;
	}
	return c;

fail:
	sqlite3_close(c->dst);
	free(c->path);
	free(c);
	return NULL;
}

int
store_copy_step(struct store_copy *c, int pages)
{
	int rc = sqlite3_backup_step(c->b, pages);

	if (rc == SQLITE_DONE)
		return 1;
	if (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return 0;
	log_warnx("store: copy to %s: %s", c->path, sqlite3_errstr(rc));
	return -1;
}

int
store_copy_finish(struct store_copy *c)
{
	int r = 0;

	if (c == NULL)
		return 0;
	if (sqlite3_backup_finish(c->b) != SQLITE_OK) {
		log_warnx("store: copy to %s: %s", c->path, sqlite3_errmsg(c->dst));
		r = -1;
	}
	/* The copy is a plain rollback-journal file: one file to carry away. */
	if (r == 0 &&
	    sqlite3_exec(c->dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK) {
		log_warnx("store: copy to %s: %s", c->path, sqlite3_errmsg(c->dst));
		r = -1;
	}
	if (sqlite3_close(c->dst) != SQLITE_OK) {
		log_warnx("store: copy to %s: close failed", c->path);
		r = -1;
	}
	free(c->path);
	free(c);
	return r;
}

int
store_schema_version(struct store *st)
{
	return st->version;
}

int
store_begin(struct store *st)
{
	return stmt_run(st, S_BEGIN);
}

int
store_commit(struct store *st)
{
	return stmt_run(st, S_COMMIT);
}

int
store_rollback(struct store *st)
{
	/* Some errors (disk full, I/O) already rolled the transaction back;
	 * there is nothing left to undo then. */
	if (sqlite3_get_autocommit(st->db))
		return 0;
	return stmt_run(st, S_ROLLBACK);
}

int64_t
store_count(struct store *st, const char *table, const char *state)
{
	enum stmt id;
	int64_t n;
	size_t i;

	for (i = 0; i < nitems(count_tables); i++) {
		if (table != NULL && strcmp(table, count_tables[i].table) == 0)
			break;
	}
	if (i == nitems(count_tables)) {
		log_warnx("store: count: unknown table %s", table != NULL ? table : "(null)");
		return -1;
	}
	id = state == NULL ? count_tables[i].all : count_tables[i].bystate;
	stmt_get(st, id);
	if ((state != NULL && bind_text(st, id, 1, state) == -1) ||
	    stmt_step(st, id) != SQLITE_ROW) {
		stmt_put(st, id);
		return -1;
	}
	n = sqlite3_column_int64(st->stmt[id], 0);
	stmt_put(st, id);
	return n;
}
