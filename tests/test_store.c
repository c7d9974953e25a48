/*
 * test_store.c - tests of the SQLite store on real files.
 *
 * Every test gets a fresh directory from mkdtemp() under /tmp, removed with
 * everything in it afterwards.  What the store wrote is checked through a
 * second, plain SQLite connection to the same file ("raw"), so that a test
 * does not only trust the store to read back its own mistakes.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "../store/impl.h" /* the statements, for their plans */
#include "log.h"
#include "store.h"

struct fixture {
	char dir[64];
	char path[128];
	struct store *st;
};

/* ---- Helpers ---------------------------------------------------------- */

static int
setup(void **state)
{
	struct fixture *f;

	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_store.XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/tinbao.db", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	struct dirent *de;
	char p[512];
	DIR *d;

	store_close(f->st);
	d = opendir(f->dir);
	if (d != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(p, sizeof(p), "%s/%s", f->dir, de->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Opens the fixture's store read-write; the test fails if it cannot. */
static struct store *
open_rw(struct fixture *f)
{
	f->st = store_open(f->path, 0);
	assert_non_null(f->st);
	return f->st;
}

static void
reopen(struct fixture *f, int flags)
{
	store_close(f->st);
	f->st = store_open(f->path, flags);
	assert_non_null(f->st);
}

static sqlite3 *
raw_open(const char *path)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		fail_msg("raw open %s: %s", path, db != NULL ? sqlite3_errmsg(db) : "?");
	sqlite3_busy_timeout(db, 5000);
	return db;
}

static void
raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = raw_open(path);

	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("raw exec %s: %s", sql, sqlite3_errmsg(db));
	sqlite3_close(db);
}

/* The first column of the first row as text (malloc'd; NULL for SQL NULL). */
static char *
raw_text(const char *path, const char *sql)
{
	sqlite3 *db = raw_open(path);
	sqlite3_stmt *s = NULL;
	const unsigned char *v;
	char *r = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("raw prepare %s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(s) != SQLITE_ROW)
		fail_msg("raw step %s: no row (%s)", sql, sqlite3_errmsg(db));
	v = sqlite3_column_text(s, 0);
	if (v != NULL)
		r = strdup((const char *)v);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return r;
}

static int64_t
raw_int(const char *path, const char *sql)
{
	sqlite3 *db = raw_open(path);
	sqlite3_stmt *s = NULL;
	int64_t v;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("raw prepare %s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(s) != SQLITE_ROW)
		fail_msg("raw step %s: no row (%s)", sql, sqlite3_errmsg(db));
	v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static void
assert_raw_text(const char *path, const char *sql, const char *want)
{
	char *got = raw_text(path, sql);

	if (want == NULL) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
write_file(const char *path, const void *buf, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(buf, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* Whether the file holds exactly buf. */
static int
file_is(const char *path, const void *buf, size_t len)
{
	char got[8192];
	size_t n;
	FILE *fp;

	fp = fopen(path, "rb");
	if (fp == NULL)
		return 0;
	n = fread(got, 1, sizeof(got), fp);
	fclose(fp);
	return n == len && memcmp(got, buf, len) == 0;
}

static int
dir_entries(const char *dir)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	}
	closedir(d);
	return n;
}

static int64_t
add_sms(struct store *st, const char *sender, const char *text, const char *fp)
{
	struct store_sms sms = {sender, 1700000000, 1700000005, text, "gsm7", 1, fp, NULL, NULL};
	int64_t id = 0;

	assert_int_equal(store_inbox_add(st, &sms, &id), 1);
	assert_true(id > 0);
	return id;
}

static int
add_part(struct store *st, const char *sender, int ref, int no, int count, const char *text,
	 const char *fp, int64_t *id)
{
	/* Part 1 is "ucs2" to show that the joined row takes part 1's coding;
	 * the times show which part each joined field came from. */
	struct store_part p = {
	    .sender = sender,
	    .concat_ref = ref,
	    .part_no = no,
	    .part_count = count,
	    .smsc_time = 1000 + no,
	    .received = 2000 + no,
	    .text = text,
	    .coding = no == 1 ? "ucs2" : "gsm7",
	    .fingerprint = fp,
	};

	return store_part_add(st, &p, id);
}

static struct store_report
report(int64_t inbox_id, const char *kind, const char *commune, const char *trade, long count,
       long trained, int year, int half)
{
	struct store_report r = {0};

	r.inbox_id = inbox_id;
	r.kind = kind;
	r.commune_code = commune;
	r.commune = "Minh Sơn";
	r.trade_code = trade;
	r.trade = trade != NULL ? "Hàn điện" : NULL;
	r.count = count;
	r.trained = trained;
	r.year = year;
	r.half = half;
	r.sender = "+84901234567";
	r.created = 1700000100;
	return r;
}

static int64_t
add_report(struct store *st, int64_t inbox_id, const char *kind, const char *commune,
	   const char *trade, long count, long trained, int year, int half)
{
	struct store_report r;
	int64_t ref = 0;

	r = report(inbox_id, kind, commune, trade, count, trained, year, half);
	assert_int_equal(store_report_add(st, &r, &ref), 0);
	assert_true(ref > 0);
	return ref;
}

static void
raw_cancel(const char *path, int64_t ref)
{
	char sql[96];

	snprintf(sql, sizeof(sql), "UPDATE reports SET cancelled = 1 WHERE id = %lld",
		 (long long)ref);
	raw_exec(path, sql);
}

/* ---- Opening and migration -------------------------------------------- */

static void
test_open_creates_schema(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);

	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
					  "AND name IN ('inbox', 'inbox_parts', 'reports', "
					  "'outbox', 'push_queue')"),
			 5);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sqlite_master WHERE type = 'index' "
					  "AND name IN ('inbox_state', 'inbox_parts_message', "
					  "'reports_year_commune', 'reports_inbox', "
					  "'outbox_state', 'push_queue_state')"),
			 6);
	/* The journal mode is stored in the file: a new connection sees it. */
	assert_raw_text(f->path, "PRAGMA journal_mode", "wal");
	assert_int_equal(store_count(st, "inbox", NULL), 0);
}

/* A new database and its -wal and -shm files are private to the
 * gateway's user, whatever the umask lets through. */
static void
test_open_creates_private(void **state)
{
	struct fixture *f = *state;
	const char *suffix[] = {"", "-wal", "-shm"};
	char p[160];
	struct stat sb;
	mode_t old = umask(022);
	size_t i;

	open_rw(f);
	umask(old);
	store_begin(f->st);
	assert_int_equal(store_commit(f->st), 0);
	for (i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", f->path, suffix[i]);
		assert_int_equal(stat(p, &sb), 0);
		if ((sb.st_mode & 0777) != 0600)
			fail_msg("%s: mode %03o, not 600", p, (unsigned int)(sb.st_mode & 0777));
	}
}

static void
test_open_empty_file(void **state)
{
	struct fixture *f = *state;

	/* An empty file is an empty database (touch(1) then tinbao). */
	write_file(f->path, "", 0);
	open_rw(f);
	assert_int_equal(store_schema_version(f->st), STORE_SCHEMA_VERSION);
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
}

static void
test_reopen_keeps_data(void **state)
{
	struct fixture *f = *state;
	int64_t id;

	open_rw(f);
	id = add_sms(f->st, "+84901", "ENROL MS 5 HAN", "fp1");
	/* Running step 0 -> 1 again would fail on the existing tables. */
	reopen(f, 0);
	assert_int_equal(store_schema_version(f->st), STORE_SCHEMA_VERSION);
	assert_int_equal(store_count(f->st, "inbox", NULL), 1);
	assert_int_equal(raw_int(f->path, "SELECT id FROM inbox WHERE fingerprint = 'fp1'"), id);
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
}

/* The number of SMS another process sees (sqlite3(1), a program of its
 * own as `tinbao web-user list` is: a forked child would share this
 * process's idea of its locks), its connection then closed. */
static int
count_elsewhere(const char *path)
{
	char cmd[256];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "sqlite3 '%s' 'SELECT count(*) FROM inbox'", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	if (fscanf(p, "%d", &n) != 1)
		n = -1;
	assert_int_equal(pclose(p), 0);
	return n;
}

/* A second connection of the process (the console's beside the
 * gateway's) must leave the first one's locks: without them another
 * process closing its connection takes the database for unused and
 * deletes the WAL the first one still writes to. */
static void
test_second_connection_keeps_locks(void **state)
{
	struct fixture *f = *state;
	char wal[160];
	struct store *second;

	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	open_rw(f);
	add_sms(f->st, "+84901", "ENROL MS 5 HAN", "fp1");
	second = store_open(f->path, STORE_READONLY);
	assert_non_null(second);
	assert_int_equal(count_elsewhere(f->path), 1);
	assert_int_equal(access(wal, F_OK), 0);
	add_sms(f->st, "+84902", "ENROL MS 6 HAN", "fp2");
	assert_int_equal(count_elsewhere(f->path), 2);
	store_close(second);
}

/* What store_open logs (at the info level) into text. */
static void
open_logged(const char *path, char *text, size_t size)
{
	char logpath[160];
	struct store *st;
	FILE *fp;
	size_t n;
	int saved, level;

	snprintf(logpath, sizeof(logpath), "%s.log", path);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_non_null(freopen(logpath, "w", stderr));
	level = log_getlevel();
	log_setlevel(LOG_LEVEL_INFO);
	st = store_open(path, 0);
	log_setlevel(level);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	assert_non_null(st);
	store_close(st);
	fp = fopen(logpath, "r");
	assert_non_null(fp);
	n = fread(text, 1, size - 1, fp);
	fclose(fp);
	text[n] = '\0';
	unlink(logpath);
}

/* The WAL of a file this process already has open is that connection's,
 * not a crash's: a second connection (the console's) checks nothing. */
static void
test_second_connection_checks_nothing(void **state)
{
	struct fixture *f = *state;
	char text[4096];

	open_rw(f);
	add_sms(f->st, "+84901", "ENROL MS 5 HAN", "fp1");
	open_logged(f->path, text, sizeof(text));
	assert_null(strstr(text, "not closed cleanly"));
}

/* The WAL of a file another process has open (the gateway, beside a
 * command) is that process's, not a crash's: nothing is checked. */
static void
test_open_beside_another_process(void **state)
{
	struct fixture *f = *state;
	struct timespec tick = {0, 20 * 1000 * 1000};
	char cmd[512], ready[160], text[4096];
	FILE *p;
	int i;

	open_rw(f);
	store_close(f->st);
	f->st = NULL;
	snprintf(ready, sizeof(ready), "%s/ready", f->dir);
	/* A writer that keeps its connection until its standard input ends. */
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import sqlite3, sys; db = sqlite3.connect(\"%s\"); "
		 "db.execute(\"PRAGMA user_version\"); db.execute(\"INSERT INTO audit(who, page, "
		 "what, at) VALUES (1, 2, 3, 4)\"); db.commit(); open(\"%s\", \"w\").close(); "
		 "sys.stdin.read()'",
		 f->path, ready);
	p = popen(cmd, "w");
	assert_non_null(p);
	for (i = 0; i < 500 && access(ready, F_OK) != 0; i++)
		nanosleep(&tick, NULL);
	assert_int_equal(access(ready, F_OK), 0);
	open_logged(f->path, text, sizeof(text));
	assert_int_equal(pclose(p), 0);
	assert_null(strstr(text, "not closed cleanly"));
}

static void
test_newer_schema_refused(void **state)
{
	struct fixture *f = *state;

	open_rw(f);
	add_sms(f->st, "+84901", "x", "fp1");
	store_close(f->st);
	f->st = NULL;
	raw_exec(f->path, "PRAGMA user_version = 99");

	assert_null(store_open(f->path, 0));
	assert_null(store_open(f->path, STORE_READONLY));
	/* Left as it was. */
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 99);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM inbox"), 1);
}

/* A file of the current version whose tables do not match it (a table or a
 * column gone, by hand) is refused at open, not when a statement that needs
 * them first runs: here statements that a day of work may never use. */
static void
test_damaged_schema_refused(void **state)
{
	static const char *const cuts[] = {
	    "DROP TABLE modem_links",
	    "ALTER TABLE ussd DROP COLUMN amount",
	};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		unlink(f->path);
		open_rw(f);
		store_close(f->st);
		f->st = NULL;
		raw_exec(f->path, cuts[i]);
		assert_null(store_open(f->path, 0));
		assert_null(store_open(f->path, STORE_READONLY));
		assert_int_equal(raw_int(f->path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	}
}

/*
 * Statements are prepared when first used, not all at open: an open store
 * holds SQLite's schema and little more (all of them prepared were about
 * 480 KiB more), and using a few of them adds only their own.
 */
static void
test_open_memory(void **state)
{
	struct fixture *f = *state;
	sqlite3_int64 before, opened, used;

	open_rw(f);
	store_close(f->st);
	f->st = NULL;
	before = sqlite3_memory_used();
	open_rw(f);
	opened = sqlite3_memory_used() - before;
	add_sms(f->st, "+84901", "x", "fp1");
	assert_int_equal(store_count(f->st, "inbox", NULL), 1);
	used = sqlite3_memory_used() - before;
	print_message("open store: %lld bytes, after two statements: %lld\n", (long long)opened,
		      (long long)used);
	assert_true(opened < 256 * 1024);
	assert_true(used - opened < 64 * 1024);
}

static void
check_not_a_database(struct fixture *f, const void *buf, size_t len)
{
	write_file(f->path, buf, len);
	assert_null(store_open(f->path, 0));
	assert_null(store_open(f->path, STORE_READONLY));
	assert_true(file_is(f->path, buf, len));
	/* No -wal, -shm or -journal beside it either. */
	assert_int_equal(dir_entries(f->dir), 1);
}

static void
test_not_a_database_text(void **state)
{
	static const char text[] = "communes = ( { code = \"08215\"; } );\n";

	check_not_a_database(*state, text, sizeof(text) - 1);
}

static void
test_not_a_database_random(void **state)
{
	unsigned char buf[4096];
	uint32_t x = 2463534242u;
	size_t i;

	for (i = 0; i < sizeof(buf); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (unsigned char)x;
	}
	check_not_a_database(*state, buf, sizeof(buf));
}

static void
test_not_a_database_one_byte(void **state)
{
	/* SQLite alone would take this for an empty database and write over
	 * it. */
	check_not_a_database(*state, "x", 1);
}

static void
test_foreign_database_refused(void **state)
{
	struct fixture *f = *state;

	write_file(f->path, "", 0);
	raw_exec(f->path, "CREATE TABLE notes(x TEXT); INSERT INTO notes VALUES ('keep')");
	assert_null(store_open(f->path, 0));
	assert_int_equal(
	    raw_int(f->path, "SELECT count(*) FROM sqlite_master WHERE name = 'inbox'"), 0);
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 0);
	assert_raw_text(f->path, "SELECT x FROM notes", "keep");
}

static void
test_readonly_missing_file(void **state)
{
	struct fixture *f = *state;
	struct stat sb;

	assert_null(store_open(f->path, STORE_READONLY));
	assert_int_equal(stat(f->path, &sb), -1);
	assert_int_equal(dir_entries(f->dir), 0);
}

static void
test_readonly_old_schema_refused(void **state)
{
	struct fixture *f = *state;
	struct stat sb;

	write_file(f->path, "", 0);
	assert_null(store_open(f->path, STORE_READONLY));
	/* Not migrated: still the empty file. */
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_size, 0);
}

static void
test_readonly_existing(void **state)
{
	struct fixture *f = *state;
	struct store_sms sms = {"+84902", 1, 2, "more", "gsm7", 1, "fp2", NULL, NULL};
	struct store_totals t;
	int64_t id;

	open_rw(f);
	id = add_sms(f->st, "+84901", "ENROL MS 5 HAN", "fp1");
	add_report(f->st, id, "enrol", "08215", "HAN", 5, 0, 2025, 1);
	reopen(f, STORE_READONLY);

	assert_int_equal(store_schema_version(f->st), STORE_SCHEMA_VERSION);
	assert_int_equal(store_count(f->st, "inbox", NULL), 1);
	assert_int_equal(store_count(f->st, "reports", NULL), 1);
	assert_int_equal(store_totals(f->st, NULL, 2025, &t), 0);
	assert_int_equal(t.enrol, 5);
	/* Writing is refused by SQLite itself. */
	assert_int_equal(store_inbox_add(f->st, &sms, &id), -1);
	assert_int_equal(store_outbox_add(f->st, "+84901", "x", "reply", 0, NULL), -1);
	assert_int_equal(store_count(f->st, "inbox", NULL), 1);
	assert_int_equal(store_count(f->st, "outbox", NULL), 0);
}

static void
test_close_null(void **state)
{
	store_close(NULL);
	(void)state;
}

/* ---- Inbox ------------------------------------------------------------ */

static void
test_inbox_add_duplicate(void **state)
{
	struct fixture *f = *state;
	struct store_sms sms = {"+84901", 1700000000, 1700000005, "ENROL Minh Sơn 5 hàn", "ucs2", 1,
				"fpA",	  NULL,	      NULL};
	struct store *st = open_rw(f);
	int64_t id1 = 0, id2 = 0, id3 = 0;

	assert_int_equal(store_inbox_add(st, &sms, &id1), 1);
	assert_true(id1 > 0);
	/* The same SMS read again: not added, the first row is given back. */
	assert_int_equal(store_inbox_add(st, &sms, &id2), 0);
	assert_int_equal(id2, id1);
	/* ... and counted on the row: nothing leaves the phone without a trace. */
	assert_int_equal(raw_int(f->path, "SELECT copies FROM inbox WHERE fingerprint = 'fpA'"), 2);
	sms.fingerprint = "fpB";
	assert_int_equal(store_inbox_add(st, &sms, &id3), 1);
	assert_true(id3 > id1);

	assert_int_equal(store_count(st, "inbox", NULL), 2);
	assert_int_equal(store_count(st, "inbox", "new"), 2);
	assert_raw_text(f->path, "SELECT text FROM inbox WHERE fingerprint = 'fpA'",
			"ENROL Minh Sơn 5 hàn");
	assert_raw_text(f->path,
			"SELECT coding || ' ' || parts || ' ' || smsc_time || ' ' || "
			"received || ' ' || state FROM inbox WHERE fingerprint = 'fpA'",
			"ucs2 1 1700000000 1700000005 new");
	assert_raw_text(f->path, "SELECT error FROM inbox WHERE fingerprint = 'fpA'", NULL);
}

static void
test_inbox_not_null(void **state)
{
	struct fixture *f = *state;
	struct store_sms sms = {"+84901", 1, 2, NULL, "gsm7", 1, "fpA", NULL, NULL};
	struct store *st = open_rw(f);
	int64_t id = 0;

	assert_int_equal(store_inbox_add(st, &sms, &id), -1);
	sms.text = "x";
	sms.fingerprint = NULL;
	assert_int_equal(store_inbox_add(st, &sms, &id), -1);
	assert_int_equal(store_count(st, "inbox", NULL), 0);
}

static void
test_inbox_next_new_and_state(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	struct store_inmsg msg;
	int64_t a, b, c;

	a = add_sms(st, "+84901", "first", "f1");
	b = add_sms(st, "+84902", "second", "f2");
	c = add_sms(st, "+84903", "third", "f3");

	assert_int_equal(store_inbox_next_new(st, 0, &msg), 1);
	assert_int_equal(msg.id, a);
	assert_string_equal(msg.sender, "+84901");
	assert_string_equal(msg.text, "first");
	assert_int_equal(msg.smsc_time, 1700000000);
	assert_int_equal(msg.received, 1700000005);
	store_inmsg_clear(&msg);
	assert_null(msg.text);

	assert_int_equal(store_inbox_set_state(st, a, "accepted", NULL), 0);
	assert_int_equal(store_inbox_next_new(st, 0, &msg), 1);
	assert_int_equal(msg.id, b);
	store_inmsg_clear(&msg);
	assert_int_equal(store_inbox_next_new(st, b, &msg), 1);
	assert_int_equal(msg.id, c);
	assert_string_equal(msg.text, "third");
	store_inmsg_clear(&msg);

	assert_int_equal(store_inbox_set_state(st, c, "rejected", "unknown_commune"), 0);
	assert_int_equal(store_inbox_next_new(st, b, &msg), 0);
	assert_int_equal(store_count(st, "inbox", "new"), 1);
	assert_int_equal(store_count(st, "inbox", "accepted"), 1);
	assert_int_equal(store_count(st, "inbox", "rejected"), 1);
	assert_raw_text(f->path, "SELECT state || ' ' || error FROM inbox WHERE fingerprint = 'f3'",
			"rejected unknown_commune");
	assert_true(raw_int(f->path, "SELECT processed FROM inbox WHERE fingerprint = 'f1'") >=
		    1700000000);
	assert_int_equal(raw_int(f->path, "SELECT processed IS NULL FROM inbox WHERE "
					  "fingerprint = 'f2'"),
			 1);

	/* No such row; a state the CHECK does not allow. */
	assert_int_equal(store_inbox_set_state(st, c + 100, "accepted", NULL), -1);
	assert_int_equal(store_inbox_set_state(st, b, "sent", NULL), -1);
	assert_int_equal(store_count(st, "inbox", "new"), 1);
}

/* The ids of the rows of every page that f asks for, PAGE rows a page,
 * each page following the last row of the one before, until one is empty:
 * how many into ids. */
#define PAGE 2
struct msg_ids {
	int64_t ids[32], at[32], sent[32];
	size_t n;
};

static int
msg_id(void *arg, const struct store_msg_row *m)
{
	struct msg_ids *l = arg;

	assert_true(l->n < sizeof(l->ids) / sizeof(l->ids[0]));
	l->ids[l->n] = m->id;
	l->at[l->n] = m->at;
	l->sent[l->n] = m->sent;
	l->n++;
	return 0;
}

static void
pages_of(struct store *st, struct store_msg_filter f, struct msg_ids *l)
{
	size_t before;

	memset(l, 0, sizeof(*l));
	f.limit = PAGE;
	do {
		before = l->n;
		assert_int_equal(store_messages_foreach(st, &f, msg_id, l), 0);
		assert_true(l->n - before <= PAGE);
		if (l->n > before)
			f.before_id = l->ids[l->n - 1];
	} while (l->n > before);
}

static void
assert_ids(const struct msg_ids *l, const int64_t *want, size_t n)
{
	size_t i;

	assert_int_equal(l->n, n);
	for (i = 0; i < n; i++) {
		if (l->ids[i] != want[i])
			fail_msg("row %zu: id %lld, not %lld", i, (long long)l->ids[i],
				 (long long)want[i]);
	}
}

/* Rows 1..9 of the console's list: their received time and sender, and
 * their order on its pages. */
static const int64_t list_received[] = {100, 400, 200, 400, 50, 300, 400, 250, 150};
static const char *const list_senders[] = {"+84901", "+84901", "+84901", "+84902", "+84902",
					   "+84901", "+84901", "+84902", "+84901"};
static const int64_t list_all[] = {7, 4, 2, 6, 8, 3, 9, 1, 5};
static const int64_t list_rejected[] = {2, 6, 9};

static void
add_list_rows(struct store *st)
{
	char fp[16];
	int64_t id;
	size_t i;

	for (i = 0; i < 9; i++) {
		struct store_sms sms = {list_senders[i],
					list_received[i] - (i == 4 ? 86400 : 0),
					list_received[i],
					"x",
					"gsm7",
					1,
					fp,
					NULL,
					NULL};

		snprintf(fp, sizeof(fp), "fp%zu", i);
		assert_int_equal(store_inbox_add(st, &sms, &id), 1);
		assert_int_equal(id, (int64_t)i + 1);
	}
	for (i = 0; i < 3; i++)
		assert_int_equal(store_inbox_set_state(st, list_rejected[i], "rejected", "x"), 0);
}

/*
 * The console's list of SMS: received times out of id order (an import, a
 * modem's backlog read after a restart) and equal at a page's end come
 * back the last received first, then by id; the next page follows the
 * last row of the one before, with each filter's own index.
 */
static void
test_messages_received_order(void **state)
{
	static const int64_t range[] = {6, 8, 3, 9};
	static const int64_t number[] = {4, 8, 5};
	static const int64_t after4[] = {2, 6, 8, 3, 9, 1, 5};
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	struct store_msg_filter filter = {0};
	struct msg_ids l;

	add_list_rows(st);
	pages_of(st, filter, &l);
	assert_ids(&l, list_all, 9);
	/* The time it was received, the order's, and the SMS centre's. */
	assert_int_equal(l.at[8], 50);
	assert_int_equal(l.sent[8], 50 - 86400);
	filter.from = 150;
	filter.to = 400;
	pages_of(st, filter, &l);
	assert_ids(&l, range, 4);
	filter.from = filter.to = 0;
	filter.state = "rejected";
	pages_of(st, filter, &l);
	assert_ids(&l, list_rejected, 3);
	filter.state = NULL;
	filter.number = "+84902";
	pages_of(st, filter, &l);
	assert_ids(&l, number, 3);
	/* A page after a given row; after one that does not exist, from the
	 * newest. */
	filter.number = NULL;
	filter.before_id = 4;
	pages_of(st, filter, &l);
	assert_ids(&l, after4, 7);
	filter.before_id = 99;
	pages_of(st, filter, &l);
	assert_ids(&l, list_all, 9);
}

/*
 * A commune's SMS on the console's list: those its officers sent (recorded
 * by the pipeline) and those that became its reports, in the list's order,
 * each once however many reasons it has; with every other filter.
 */
static void
test_messages_commune(void **state)
{
	static const int64_t commune[] = {7, 4, 3, 9, 1}, range[] = {3, 9}, rejected[] = {9},
			     unprocessed[] = {7, 4, 3, 1}, number[] = {4}, after4[] = {3, 9, 1},
			     other[] = {2};
	/* Each filter and the rows it lists; the rows in state new by their
	 * own index, the commune a row test. */
	static const struct {
		struct store_msg_filter f;
		const int64_t *want;
		size_t n;
	} cases[] = {
	    {{.commune = "06448"}, commune, 5},
	    {{.commune = "06448", .from = 150, .to = 400}, range, 2},
	    {{.commune = "06448", .state = "rejected"}, rejected, 1},
	    {{.commune = "06448", .state = "new"}, unprocessed, 4},
	    {{.commune = "06448", .number = "+84902"}, number, 1},
	    {{.commune = "06448", .before_id = 4}, after4, 3},
	    {{.commune = "06451"}, other, 1},
	    {{.commune = "06385"}, other, 0},
	};
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	struct msg_ids l;
	size_t i;

	add_list_rows(st);
	/* By its sender: 3, 7 and 9 (and 7 twice); by a report: 1, 4 (two
	 * reports) and 7; 2 by a report of another commune. */
	assert_int_equal(store_inbox_commune_add(st, 3, "06448"), 0);
	assert_int_equal(store_inbox_commune_add(st, 7, "06448"), 0);
	assert_int_equal(store_inbox_commune_add(st, 7, "06448"), 0);
	assert_int_equal(store_inbox_commune_add(st, 9, "06448"), 0);
	add_report(st, 1, "enrol", "06448", "HAN", 5, 0, 2022, 1);
	add_report(st, 4, "enrol", "06448", "HAN", 5, 0, 2022, 1);
	add_report(st, 4, "grad", "06448", "HAN", 2, 0, 2022, 1);
	add_report(st, 7, "enrol", "06448", "HAN", 5, 0, 2022, 1);
	add_report(st, 2, "enrol", "06451", "HAN", 5, 0, 2022, 1);
	/* Not an inbox row: nothing recorded. */
	assert_int_equal(store_inbox_commune_add(st, 99, "06448"), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM inbox_communes"), 6);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pages_of(st, cases[i].f, &l);
		assert_ids(&l, cases[i].want, cases[i].n);
	}
}

/*
 * Over a million SMS the console's list reads a range of one index in its
 * order, whatever the filter: never the whole table, never a sort (a date
 * range in the past, a year of SMS, one state's rows).  The quarantine
 * page's oldest held SMS come in id order, the first hundred read and no
 * more; how many wait is counted over the held ones only, not every
 * rejected SMS (the one sort allowed: the distinct senders').
 */
static void
test_messages_plan(void **state)
{
	static const struct {
		enum stmt id;
		const char *index;
		const char *sort; /* a sort it may do, or NULL */
	} plans[] = {
	    {S_WEB_MESSAGES, "SEARCH i USING INDEX inbox_received (", NULL},
	    {S_WEB_STATE_MESSAGES, "SEARCH i USING INDEX inbox_state_received (state=? AND ", NULL},
	    {S_WEB_NUMBER_MESSAGES, "SEARCH i USING INDEX inbox_sender (sender=? AND ", NULL},
	    {S_WEB_COMMUNE_MESSAGES, "SEARCH c USING PRIMARY KEY (commune_code=? AND ", NULL},
	    {S_INBOX_HELD, "SEARCH inbox USING INDEX inbox_state (state=?)", NULL},
	    {S_INBOX_HELD_ERROR, "SEARCH inbox USING INDEX inbox_error (error=?)", NULL},
	    {S_INBOX_HELD_COUNT, "SEARCH inbox USING INDEX inbox_error (error=?)",
	     "USE TEMP B-TREE FOR count(DISTINCT)"},
	};
	struct fixture *f = *state;
	char sql[4096];
	sqlite3_stmt *s;
	sqlite3 *db;
	const char *detail;
	size_t i;
	int lead;

	open_rw(f);
	db = raw_open(f->path);
	for (i = 0; i < sizeof(plans) / sizeof(plans[0]); i++) {
		snprintf(sql, sizeof(sql), "EXPLAIN QUERY PLAN %s", stmt_defs[plans[i].id].sql);
		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
		lead = 0;
		while (sqlite3_step(s) == SQLITE_ROW) {
			detail = (const char *)sqlite3_column_text(s, 3);
			if ((strstr(detail, "TEMP B-TREE") != NULL &&
			     (plans[i].sort == NULL || strcmp(detail, plans[i].sort) != 0)) ||
			    strncmp(detail, "SCAN", 4) == 0)
				fail_msg("%s: %s", stmt_defs[plans[i].id].what, detail);
			lead += strncmp(detail, plans[i].index, strlen(plans[i].index)) == 0;
		}
		sqlite3_finalize(s);
		if (lead != 1)
			fail_msg("%s: not led by %s", stmt_defs[plans[i].id].what, plans[i].index);
	}
	sqlite3_close(db);
}

/* ---- Multipart SMS ---------------------------------------------------- */

static void
test_parts_in_order(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	struct store_inmsg msg;
	int64_t id = -1;

	assert_int_equal(store_begin(st), 0);
	assert_int_equal(add_part(st, "+84901", 42, 1, 3, "ENROL Minh ", "p1", &id), 0);
	assert_int_equal(id, 0);
	assert_int_equal(add_part(st, "+84901", 42, 2, 3, "Sơn 5 ", "p2", &id), 0);
	assert_int_equal(store_count(st, "inbox", NULL), 0);
	assert_int_equal(add_part(st, "+84901", 42, 3, 3, "hàn", "p3", &id), 1);
	assert_int_equal(store_commit(st), 0);
	assert_true(id > 0);

	assert_int_equal(store_inbox_next_new(st, 0, &msg), 1);
	assert_int_equal(msg.id, id);
	assert_string_equal(msg.text, "ENROL Minh Sơn 5 hàn");
	assert_string_equal(msg.sender, "+84901");
	assert_int_equal(msg.smsc_time, 1001); /* part 1's */
	assert_int_equal(msg.received, 2003);  /* when it was complete */
	store_inmsg_clear(&msg);
	assert_raw_text(f->path, "SELECT fingerprint || ' ' || coding || ' ' || parts FROM inbox",
			"p1/m ucs2 3");
	assert_int_equal(store_count(st, "inbox_parts", "joined"), 3);
	assert_int_equal(store_count(st, "inbox_parts", "pending"), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM inbox_parts WHERE inbox_id = "
					  "(SELECT id FROM inbox)"),
			 3);
}

static void
test_parts_out_of_order(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	int64_t id = 0;

	assert_int_equal(store_begin(st), 0);
	assert_int_equal(add_part(st, "+84901", 7, 3, 3, "C", "p3", &id), 0);
	assert_int_equal(add_part(st, "+84901", 7, 1, 3, "A", "p1", &id), 0);
	assert_int_equal(add_part(st, "+84901", 7, 2, 3, "B", "p2", &id), 1);
	assert_int_equal(store_commit(st), 0);
	assert_true(id > 0);
	assert_raw_text(f->path, "SELECT text FROM inbox", "ABC");
	assert_raw_text(f->path,
			"SELECT fingerprint || ' ' || smsc_time || ' ' || received FROM inbox",
			"p1/m 1001 2003");
}

static void
test_parts_many(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	char text[8], fp[8], want[64] = "";
	int64_t id = 0;
	int i, order[12] = {12, 3, 1, 11, 10, 2, 9, 4, 8, 5, 7, 6};

	/* Part numbers past 9 must not sort as text ("10" < "2"). */
	assert_int_equal(store_begin(st), 0);
	for (i = 0; i < 12; i++) {
		snprintf(text, sizeof(text), "<%d>", order[i]);
		snprintf(fp, sizeof(fp), "m%d", order[i]);
		assert_int_equal(add_part(st, "+84901", 200, order[i], 12, text, fp, &id),
				 i == 11 ? 1 : 0);
	}
	assert_int_equal(store_commit(st), 0);
	for (i = 1; i <= 12; i++) {
		snprintf(text, sizeof(text), "<%d>", i);
		strcat(want, text);
	}
	assert_raw_text(f->path, "SELECT text FROM inbox", want);
	assert_raw_text(f->path, "SELECT fingerprint FROM inbox", "m1/m");
}

static void
test_parts_duplicates(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	int64_t id = 0, joined;

	assert_int_equal(store_begin(st), 0);
	assert_int_equal(add_part(st, "+84901", 9, 1, 2, "AB", "d1", &id), 0);
	/* The same part read twice: one row, and it does not complete. */
	assert_int_equal(add_part(st, "+84901", 9, 1, 2, "AB", "d1", &id), 0);
	assert_int_equal(store_count(st, "inbox_parts", NULL), 1);
	assert_int_equal(store_count(st, "inbox", NULL), 0);
	assert_int_equal(add_part(st, "+84901", 9, 2, 2, "CD", "d2", &id), 1);
	joined = id;
	/* Parts read again after the join: nothing new. */
	assert_int_equal(add_part(st, "+84901", 9, 2, 2, "CD", "d2", &id), 0);
	assert_int_equal(id, 0);
	assert_int_equal(add_part(st, "+84901", 9, 1, 2, "AB", "d1", &id), 0);
	assert_int_equal(store_commit(st), 0);

	assert_int_equal(store_count(st, "inbox", NULL), 1);
	assert_int_equal(store_count(st, "inbox_parts", NULL), 2);
	assert_int_equal(raw_int(f->path, "SELECT id FROM inbox"), joined);
	assert_raw_text(f->path, "SELECT text FROM inbox", "ABCD");
	/* Each reading counted on its part. */
	assert_int_equal(
	    raw_int(f->path, "SELECT copies FROM inbox_parts WHERE fingerprint = 'd1'"), 3);
}

static void
test_parts_interleaved_senders(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	int64_t a = 0, b = 0;

	/* Same reference and part count, different phones. */
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(add_part(st, "+84901", 5, 1, 2, "A1 ", "a1", &a), 0);
	assert_int_equal(add_part(st, "+84902", 5, 2, 2, "B2", "b2", &b), 0);
	assert_int_equal(add_part(st, "+84902", 5, 1, 2, "B1 ", "b1", &b), 1);
	assert_int_equal(add_part(st, "+84901", 5, 2, 2, "A2", "a2", &a), 1);
	assert_int_equal(store_commit(st), 0);
	assert_true(a > 0 && b > 0 && a != b);

	assert_raw_text(f->path, "SELECT text FROM inbox WHERE sender = '+84901'", "A1 A2");
	assert_raw_text(f->path, "SELECT text FROM inbox WHERE sender = '+84902'", "B1 B2");
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM inbox_parts p JOIN inbox i ON "
					  "p.inbox_id = i.id AND p.sender = i.sender"),
			 4);
	assert_int_equal(store_count(st, "inbox_parts", "pending"), 0);
}

static void
test_parts_incomplete_pending(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	int64_t id = 0;

	assert_int_equal(store_begin(st), 0);
	assert_int_equal(add_part(st, "+84901", 3, 1, 3, "A", "i1", &id), 0);
	assert_int_equal(add_part(st, "+84901", 3, 3, 3, "C", "i3", &id), 0);
	/* Another set: same reference, other part count. */
	assert_int_equal(add_part(st, "+84901", 3, 2, 2, "x", "j2", &id), 0);
	/* And another: other reference. */
	assert_int_equal(add_part(st, "+84901", 4, 2, 3, "y", "k2", &id), 0);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(store_count(st, "inbox", NULL), 0);
	assert_int_equal(store_count(st, "inbox_parts", "pending"), 4);

	reopen(f, 0);
	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(add_part(f->st, "+84901", 3, 2, 3, "B", "i2", &id), 1);
	assert_int_equal(store_commit(f->st), 0);
	assert_raw_text(f->path, "SELECT text FROM inbox", "ABC");
	assert_int_equal(store_count(f->st, "inbox_parts", "pending"), 2);
}

/* Missing parts waited for long enough: what is there is joined, the gaps
 * marked; a part that comes after that is a message of its own at once. */
static void
test_parts_expire(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	struct store_inmsg msg;
	int64_t id = 0, late;

	assert_int_equal(store_begin(st), 0);
	assert_int_equal(add_part(st, "+84901", 9, 1, 3, "A", "e1", &id), 0);  /* received 2001 */
	assert_int_equal(add_part(st, "+84901", 9, 3, 3, "C", "e3", &id), 0);  /* 2003 */
	assert_int_equal(add_part(st, "+84901", 10, 2, 2, "y", "f2", &id), 0); /* 2002 */
	assert_int_equal(store_commit(st), 0);
	reopen(f, 0); /* they wait in the database */
	st = f->st;
	assert_int_equal(store_begin(st), 0);
	/* Not yet: the first part came at 2001, ref 10's at 2002. */
	assert_int_equal(store_parts_expire(st, 2000, 0, &id), 0);
	assert_int_equal(store_parts_expire(st, 2001, 0, &id), 1);
	assert_true(id > 0);
	assert_int_equal(store_parts_expire(st, 2001, 0, &id), 0);
	assert_int_equal(store_commit(st), 0);
	assert_raw_text(
	    f->path,
	    "SELECT text || '|' || missing || '|' || fingerprint || '|' || coding || '|' "
	    "|| parts FROM inbox",
	    "A … C|2/3|e1/p|ucs2|3");
	assert_int_equal(store_inbox_next_new(st, 0, &msg), 1);
	assert_string_equal(msg.missing, "2/3");
	assert_string_equal(msg.modem, "");
	store_inmsg_clear(&msg);
	assert_int_equal(store_count(st, "inbox_parts", "pending"), 1);

	/* Part 2 comes late: due at once while the message is recent. */
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(add_part(st, "+84901", 9, 2, 3, "B", "e2", &id), 0);
	assert_int_equal(store_parts_expire(st, 2000, 5000, &id), 0); /* too old for that */
	assert_int_equal(store_parts_expire(st, 2000, 0, &late), 1);
	assert_int_equal(store_parts_expire(st, 2000, 0, &id), 0);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM inbox WHERE text = ' … B … ' AND "
					  "missing = '1,3/3' AND fingerprint = 'e2/p'"),
			 1);
	/* Ref 10 still waits for its time. */
	assert_int_equal(store_count(st, "inbox_parts", "pending"), 1);
}

/* The missing parts of a long message, as the sender is told them: runs
 * shortened, a list too long cut at a whole number with ",...", never a
 * dangling comma, and short enough for the reply's one SMS. */
static void
test_parts_missing_list(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	struct store_inmsg msg;
	char fp[16];
	int64_t id = 0, after = 0;
	int i;

	assert_int_equal(store_begin(st), 0);
	assert_int_equal(add_part(st, "+84901", 20, 1, 20, "A", "r1", &id), 0);
	assert_int_equal(add_part(st, "+84901", 20, 20, 20, "Z", "r20", &id), 0);
	for (i = 1; i <= 40; i += 2) {
		snprintf(fp, sizeof(fp), "s%d", i);
		assert_int_equal(add_part(st, "+84902", 21, i, 40, "x", fp, &id), 0);
	}
	assert_int_equal(add_part(st, "+84903", 22, 2, 5, "b", "t2", &id), 0);
	assert_int_equal(add_part(st, "+84903", 22, 4, 5, "d", "t4", &id), 0);
	assert_int_equal(store_parts_expire(st, 5000, 0, &id), 1);
	assert_int_equal(store_parts_expire(st, 5000, 0, &id), 1);
	assert_int_equal(store_parts_expire(st, 5000, 0, &id), 1);
	assert_int_equal(store_parts_expire(st, 5000, 0, &id), 0);
	assert_int_equal(store_commit(st), 0);
	assert_raw_text(f->path, "SELECT missing FROM inbox WHERE sender = '+84901'", "2-19/20");
	assert_raw_text(f->path, "SELECT missing FROM inbox WHERE sender = '+84902'",
			"2,4,6,8,10,12,14,16,.../40");
	assert_raw_text(f->path, "SELECT missing FROM inbox WHERE sender = '+84903'", "1,3,5/5");
	/* Read back whole. */
	for (i = 0; i < 3; i++) {
		assert_int_equal(store_inbox_next_new(st, after, &msg), 1);
		after = msg.id;
		assert_true(strlen(msg.missing) > 0);
		assert_true(strstr(msg.missing, ",/") == NULL);
		assert_true(msg.missing[strlen(msg.missing) - 1] != ',');
		store_inmsg_clear(&msg);
	}
}

static void
test_parts_reused_reference(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	int64_t id = 0;

	/* An old message whose part 2 never came, then a new one with the same
	 * 8-bit reference: the old part 1 becomes a message of its own
	 * (incomplete, part 2 missing) instead of being left out, and the new
	 * parts are joined together. */
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(add_part(st, "+84901", 1, 1, 2, "OLD ", "o1", &id), 0);
	assert_int_equal(add_part(st, "+84901", 1, 1, 2, "NEW ", "n1", &id), 0);
	assert_int_equal(store_count(st, "inbox", NULL), 1);
	assert_int_equal(add_part(st, "+84901", 1, 2, 2, "msg", "n2", &id), 1);
	assert_int_equal(store_commit(st), 0);
	assert_raw_text(f->path,
			"SELECT text || '|' || missing || '|' || fingerprint FROM inbox WHERE id = "
			"(SELECT min(id) FROM inbox)",
			"OLD  … |2/2|o1/p");
	assert_raw_text(f->path,
			"SELECT text || ' ' || fingerprint FROM inbox WHERE id = (SELECT "
			"max(id) FROM inbox)",
			"NEW msg n1/m");
	assert_int_equal(store_count(st, "inbox_parts", "pending"), 0);
	/* Every part is in exactly one message. */
	assert_int_equal(
	    raw_int(f->path, "SELECT count(*) FROM inbox_parts WHERE inbox_id IS NULL"), 0);

	/* A part read again is no new message. */
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(add_part(st, "+84901", 1, 1, 2, "NEW ", "n1", &id), 0);
	assert_int_equal(add_part(st, "+84901", 1, 2, 2, "later", "l2", &id), 0);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(store_count(st, "inbox", NULL), 2);

	/* Two different part 2 with one reference, no part 1 yet: both kept. */
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(add_part(st, "+84901", 1, 2, 2, "other", "x2", &id), 0);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(store_count(st, "inbox", NULL), 3);
	assert_raw_text(f->path,
			"SELECT text || '|' || missing FROM inbox WHERE id = (SELECT "
			"max(id) FROM inbox)",
			" … later|1/2");
	assert_int_equal(store_count(st, "inbox_parts", "pending"), 1);
}

/* A database of schema 9 (before one form per phone) with numbers as the
 * network and the configuration wrote them: every stored number becomes
 * the one form, nothing else changes. */
static void
test_migration_phone_forms(void **state)
{
	struct fixture *f = *state;
	struct store *st;

	open_rw(f);
	store_close(f->st);
	f->st = NULL;
	/* Back to schema 9 exactly: step 10 adds the copies columns, the later
	 * steps their tables and indexes. */
	raw_exec(f->path, "ALTER TABLE inbox DROP COLUMN copies;"
			  "ALTER TABLE inbox_parts DROP COLUMN copies;"
			  "DROP TABLE imports;"
			  "DROP TABLE modem_links;"
			  "DROP TABLE web_users;"
			  "DROP TABLE audit;"
			  "DROP INDEX outbox_inbox;"
			  "DROP INDEX inbox_received;"
			  "DROP INDEX inbox_state_received;"
			  "DROP TABLE inbox_communes;"
			  "DROP TRIGGER inbox_communes_report;"
			  "PRAGMA user_version = 9;");
	raw_exec(
	    f->path,
	    "INSERT INTO inbox(id, sender, received, text, coding, fingerprint) VALUES "
	    "(1, '0912000001', 1, 'a', 'gsm7', 'f1'), (2, '84912000001', 1, 'b', 'gsm7', 'f2'),"
	    "(3, '+84912000001', 1, 'c', 'gsm7', 'f3'), (4, 'Viettel', 1, 'd', 'gsm7', 'f4'),"
	    "(5, '0084912000001', 1, 'e', 'gsm7', 'f5'), (6, '9029', 1, 'f', 'gsm7', 'f6');"
	    "INSERT INTO inbox_parts(sender, concat_ref, part_no, part_count, received, text, "
	    "coding, fingerprint) VALUES ('0912000001', 7, 1, 2, 1, 'x', 'gsm7', 'p1');"
	    "INSERT INTO reports(inbox_id, kind, commune_code, commune, trade_code, trade, "
	    "count, year, half, sender, created) VALUES "
	    "(1, 'enrol', '06448', 'Minh Sơn', 'HAN', 'Hàn', 5, 2022, 1, '0912000001', 1),"
	    "(2, 'enrol', '06448', 'Minh Sơn', 'HAN', 'Hàn', 6, 2022, 1, '84912000001', 1);"
	    "INSERT INTO outbox(recipient, text, reason, created, updated) VALUES "
	    "('0084912000001', 'r', 'reply', 1, 1), ('Viettel', 'r', 'reply', 1, 1);"
	    "INSERT INTO scheduled_sms(number, day, reason, at) VALUES "
	    "('912000001', '2022-03-01', 'digest', 1);"
	    "INSERT INTO reminders(date, commune_code, recipient, at) VALUES "
	    "('2022-06-10', '06448', '0912000001', 1), ('2022-06-10', '06448', "
	    "'+84912000001', 1), ('2022-06-11', '06448', '84912000001', 1);"
	    "INSERT INTO classes(key, code, commune_code, trade_code, opened_by, opened_at) "
	    "VALUES ('HL2205', 'HL22-05', '06448', 'HAN', '0912000001', 1);"
	    "INSERT INTO senders(number, name, role, commune_code, updated) VALUES "
	    "('+84912000001', 'An', 'officer', '06451', 1), ('+84912000009', 'Ba', 'district', "
	    "NULL, 1);");

	st = open_rw(f);
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM inbox WHERE sender = "
					  "'+84912000001'"),
			 4);
	assert_raw_text(f->path, "SELECT sender FROM inbox WHERE id = 4", "Viettel");
	assert_raw_text(f->path, "SELECT sender FROM inbox WHERE id = 6", "9029");
	assert_raw_text(f->path, "SELECT group_concat(text, '') FROM inbox", "abcdef");
	assert_int_equal(raw_int(f->path, "SELECT sum(copies) FROM inbox"), 6);
	assert_raw_text(f->path, "SELECT sender FROM inbox_parts", "+84912000001");
	assert_int_equal(raw_int(f->path, "SELECT count(DISTINCT sender) FROM reports"), 1);
	assert_raw_text(f->path, "SELECT sender FROM reports LIMIT 1", "+84912000001");
	/* The totals are untouched by the change of sender. */
	assert_int_equal(raw_int(f->path, "SELECT sum(count) FROM report_sums"), 11);
	assert_raw_text(f->path, "SELECT group_concat(recipient, ',') FROM outbox",
			"+84912000001,Viettel");
	assert_raw_text(f->path, "SELECT number FROM scheduled_sms", "+84912000001");
	assert_raw_text(f->path,
			"SELECT group_concat(date || ' ' || recipient, ',') FROM (SELECT * FROM "
			"reminders ORDER BY date)",
			"2022-06-10 +84912000001,2022-06-11 +84912000001");
	assert_raw_text(f->path, "SELECT opened_by FROM classes", "+84912000001");
	/* Its SMS belong to the communes of their reports, and to the commune
	 * of their sender in the one form, once each. */
	assert_raw_text(f->path,
			"SELECT group_concat(commune_code || ':' || inbox_id, ',') FROM (SELECT "
			"c.* FROM inbox_communes c JOIN inbox i ON i.id = c.inbox_id AND "
			"i.received = c.received ORDER BY commune_code, inbox_id)",
			"06448:1,06448:2,06451:1,06451:2,06451:3,06451:5");

	/* A recipient given in any form is queued in the one form. */
	assert_int_equal(store_outbox_add(st, "0912000001", "t", "digest", 0, NULL), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM outbox WHERE recipient = "
					  "'+84912000001'"),
			 2);
}

static void
test_parts_bad_numbering(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	int64_t id = 0;

	assert_int_equal(add_part(st, "+84901", 1, 0, 2, "x", "b0", &id), -1);
	assert_int_equal(add_part(st, "+84901", 1, 3, 2, "x", "b3", &id), -1);
	assert_int_equal(add_part(st, "+84901", 1, 1, 0, "x", "b1", &id), -1);
	assert_int_equal(store_count(st, "inbox_parts", NULL), 0);
}

static void
test_parts_without_transaction(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	int64_t id = 0;

	/* Outside a transaction each call commits on its own. */
	assert_int_equal(add_part(st, "+84901", 8, 2, 2, "B", "w2", &id), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM inbox_parts"), 1);
	assert_int_equal(add_part(st, "+84901", 8, 1, 2, "A", "w1", &id), 1);
	assert_raw_text(f->path, "SELECT text FROM inbox", "AB");
	assert_int_equal(store_begin(st), 0); /* no transaction was left open */
	assert_int_equal(store_rollback(st), 0);
}

static void
test_part_failure_keeps_transaction(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	int64_t id = 0;

	/* A failing part undoes only itself: what the caller did before in
	 * the same transaction stays and can be committed. */
	assert_int_equal(store_begin(st), 0);
	add_sms(st, "+84901", "whole", "s1");
	assert_int_equal(add_part(st, "+84901", 8, 1, 2, NULL, "t1", &id), -1);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM inbox"), 1);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM inbox_parts"), 0);
}

static void
test_part_join_failure_undone(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	int64_t id = 0;

	/* Make the join fail after the completing part was inserted: that
	 * part must go with it, and the caller's transaction must survive. */
	raw_exec(f->path,
		 "CREATE TRIGGER no_join BEFORE INSERT ON inbox "
		 "WHEN NEW.fingerprint LIKE '%/m' BEGIN SELECT RAISE(ABORT, 'no join'); END");
	assert_int_equal(store_begin(st), 0);
	add_sms(st, "+84901", "whole", "s1");
	assert_int_equal(add_part(st, "+84902", 8, 1, 2, "A", "t1", &id), 0);
	assert_int_equal(add_part(st, "+84902", 8, 2, 2, "B", "t2", &id), -1);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM inbox"), 1);
	assert_raw_text(f->path, "SELECT group_concat(fingerprint) FROM inbox_parts", "t1");

	/* Once joins work again, the part read again completes the message. */
	raw_exec(f->path, "DROP TRIGGER no_join");
	assert_int_equal(add_part(st, "+84902", 8, 2, 2, "B", "t2", &id), 1);
	assert_raw_text(f->path, "SELECT text FROM inbox WHERE id = (SELECT max(id) FROM inbox)",
			"AB");
}

/* ---- Reports ---------------------------------------------------------- */

struct collect {
	struct store_report_row rows[8];
	int n;
	int stop_after;
};

static int
collect_cb(void *arg, const struct store_report_row *r)
{
	struct collect *c = arg;

	if (c->n < 8)
		c->rows[c->n] = *r;
	c->n++;
	return c->stop_after != 0 && c->n >= c->stop_after;
}

static void
test_reports_add_foreach(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	struct collect c = {0};
	int64_t in, r1, r2, r3;

	in = add_sms(st, "+84901", "ENROL MS 5 HAN; LABOUR MS 900 300", "fp1");
	r1 = add_report(st, in, "enrol", "08215", "HAN", 5, 0, 2025, 1);
	r2 = add_report(st, in, "labour", "08215", NULL, 900, 300, 2025, 2);
	r3 = add_report(st, in, "grad", "08216", "MAY", 4, 0, 2024, 2);
	assert_true(r1 < r2 && r2 < r3);
	raw_cancel(f->path, r3);

	assert_int_equal(store_reports_foreach(st, collect_cb, &c), 0);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.rows[0].ref, r1);
	assert_int_equal(c.rows[0].inbox_id, in);
	assert_string_equal(c.rows[0].kind, "enrol");
	assert_string_equal(c.rows[0].commune_code, "08215");
	assert_string_equal(c.rows[0].commune, "Minh Sơn");
	assert_string_equal(c.rows[0].trade_code, "HAN");
	assert_string_equal(c.rows[0].trade, "Hàn điện");
	assert_int_equal(c.rows[0].count, 5);
	assert_int_equal(c.rows[0].year, 2025);
	assert_int_equal(c.rows[0].half, 1);
	assert_string_equal(c.rows[0].sender, "+84901234567");
	assert_int_equal(c.rows[0].created, 1700000100);
	assert_int_equal(c.rows[0].cancelled, 0);

	assert_int_equal(c.rows[1].ref, r2);
	assert_string_equal(c.rows[1].kind, "labour");
	assert_string_equal(c.rows[1].trade_code, "");
	assert_string_equal(c.rows[1].trade, "");
	assert_int_equal(c.rows[1].count, 900);
	assert_int_equal(c.rows[1].trained, 300);
	assert_int_equal(c.rows[1].half, 2);

	assert_int_equal(c.rows[2].ref, r3);
	assert_int_equal(c.rows[2].cancelled, 1);
	assert_int_equal(store_count(st, "reports", "cancelled"), 1);
	assert_int_equal(store_count(st, "reports", "active"), 2);
}

static void
test_reports_foreach_stops(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	struct collect c = {0};
	int64_t in;
	int i;

	in = add_sms(st, "+84901", "x", "fp1");
	for (i = 0; i < 5; i++)
		add_report(st, in, "enrol", "08215", "HAN", i + 1, 0, 2025, 1);
	c.stop_after = 2;
	assert_int_equal(store_reports_foreach(st, collect_cb, &c), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.rows[1].count, 2);
	/* The walk was ended properly: writing and a new walk both work. */
	add_report(st, in, "enrol", "08215", "HAN", 6, 0, 2025, 1);
	c.n = 0;
	c.stop_after = 0;
	assert_int_equal(store_reports_foreach(st, collect_cb, &c), 0);
	assert_int_equal(c.n, 6);
}

static void
test_totals(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	struct store_totals t;
	int64_t in, ref;

	in = add_sms(st, "+84901", "x", "fp1");
	add_report(st, in, "enrol", "C1", "T1", 10, 0, 2025, 1);
	add_report(st, in, "enrol", "C1", "T2", 5, 0, 2025, 2);
	add_report(st, in, "enrol", "C2", "T1", 7, 0, 2025, 1);
	add_report(st, in, "grad", "C1", "T1", 3, 0, 2025, 2);
	add_report(st, in, "job", "C1", "T1", 2, 0, 2025, 2);
	add_report(st, in, "need", "C2", "T1", 20, 0, 2025, 1);
	add_report(st, in, "enrol", "C1", "T1", 100, 0, 2024, 2);
	ref = add_report(st, in, "enrol", "C1", "T1", 1000, 0, 2025, 1);
	raw_cancel(f->path, ref);
	/* Labour: the latest per commune, summed over communes. */
	add_report(st, in, "labour", "C1", NULL, 500, 100, 2025, 1);
	add_report(st, in, "labour", "C1", NULL, 600, 150, 2025, 2);
	add_report(st, in, "labour", "C2", NULL, 300, 30, 2025, 1);
	ref = add_report(st, in, "labour", "C2", NULL, 999, 999, 2025, 2);
	raw_cancel(f->path, ref); /* C2 falls back to its previous report */
	add_report(st, in, "labour", "C1", NULL, 800, 800, 2024, 2);

	assert_int_equal(store_totals(st, NULL, 2025, &t), 0);
	assert_int_equal(t.enrol, 22);
	assert_int_equal(t.grad, 3);
	assert_int_equal(t.job, 2);
	assert_int_equal(t.need, 20);
	assert_int_equal(t.labour, 900);
	assert_int_equal(t.trained, 180);
	assert_int_equal(t.reports, 9);

	assert_int_equal(store_totals(st, "C1", 2025, &t), 0);
	assert_int_equal(t.enrol, 15);
	assert_int_equal(t.grad, 3);
	assert_int_equal(t.job, 2);
	assert_int_equal(t.need, 0);
	assert_int_equal(t.labour, 600);
	assert_int_equal(t.trained, 150);
	assert_int_equal(t.reports, 6);

	assert_int_equal(store_totals(st, "C2", 2025, &t), 0);
	assert_int_equal(t.enrol, 7);
	assert_int_equal(t.need, 20);
	assert_int_equal(t.labour, 300);
	assert_int_equal(t.trained, 30);
	assert_int_equal(t.reports, 3);

	assert_int_equal(store_totals(st, NULL, 2024, &t), 0);
	assert_int_equal(t.enrol, 100);
	assert_int_equal(t.labour, 800);
	assert_int_equal(t.trained, 800);
	assert_int_equal(t.reports, 2);

	memset(&t, 0xff, sizeof(t));
	assert_int_equal(store_totals(st, NULL, 2023, &t), 0);
	assert_int_equal(t.enrol + t.grad + t.job + t.need + t.labour + t.trained + t.reports, 0);
	assert_int_equal(store_totals(st, "C9", 2025, &t), 0);
	assert_int_equal(t.reports, 0);
	assert_int_equal(t.labour, 0);
}

static void
test_report_check_violations(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	struct store_report r;
	int64_t in, ref = 0;

	in = add_sms(st, "+84901", "x", "fp1");
	r = report(in, "enrol", "C1", "T1", 5, 0, 2025, 3);
	assert_int_equal(store_report_add(st, &r, &ref), -1); /* half */
	r = report(in, "enrol", "C1", "T1", 5, 0, 2025, 0);
	assert_int_equal(store_report_add(st, &r, &ref), -1);
	r = report(in, "status", "C1", "T1", 5, 0, 2025, 1);
	assert_int_equal(store_report_add(st, &r, &ref), -1); /* kind */
	r = report(in, "labour", "C1", "T1", 5, 0, 2025, 1);
	assert_int_equal(store_report_add(st, &r, &ref), -1); /* labour has no trade */
	r = report(in, "enrol", "C1", NULL, 5, 0, 2025, 1);
	assert_int_equal(store_report_add(st, &r, &ref), -1); /* enrol needs one */
	r = report(in, "enrol", "C1", "T1", -1, 0, 2025, 1);
	assert_int_equal(store_report_add(st, &r, &ref), -1); /* count */
	r = report(in + 100, "enrol", "C1", "T1", 5, 0, 2025, 1);
	assert_int_equal(store_report_add(st, &r, &ref), -1); /* no such inbox row */
	r = report(in, "enrol", NULL, "T1", 5, 0, 2025, 1);
	assert_int_equal(store_report_add(st, &r, &ref), -1); /* NOT NULL */
	assert_int_equal(ref, 0);
	assert_int_equal(store_count(st, "reports", NULL), 0);

	/* And the store still works after all those failures. */
	r = report(in, "enrol", "C1", "T1", 5, 0, 2025, 1);
	assert_int_equal(store_report_add(st, &r, &ref), 0);
	assert_int_equal(store_count(st, "reports", NULL), 1);
}

/* ---- Outbox and push queue -------------------------------------------- */

static void
test_outbox(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	struct store_outmsg out;
	int64_t in, a = 0, b = 0;
	time_t before = time(NULL);

	in = add_sms(st, "+84901", "x", "fp1");
	assert_int_equal(store_outbox_add(st, "+84901", "Da nhan: #1", "reply", in, &a), 0);
	assert_int_equal(store_outbox_add(st, "+84902", "Tổng: 5", "status", 0, &b), 0);
	assert_true(a > 0 && b > a);
	assert_int_equal(store_count(st, "outbox", "queued"), 2);
	assert_int_equal(raw_int(f->path, "SELECT inbox_id IS NULL FROM outbox WHERE "
					  "recipient = '+84902'"),
			 1);
	assert_true(raw_int(f->path, "SELECT min(created) FROM outbox") >= before);

	assert_int_equal(store_outbox_next(st, 0, &out), 1);
	assert_int_equal(out.id, a);
	assert_string_equal(out.to, "+84901");
	assert_string_equal(out.text, "Da nhan: #1");
	assert_int_equal(out.attempts, 0);
	store_outmsg_clear(&out);
	assert_null(out.text);

	/* A failed attempt: still queued, one attempt, the error kept. */
	assert_int_equal(store_outbox_set_state(st, a, "queued", "modem refused"), 0);
	assert_int_equal(store_outbox_next(st, 0, &out), 1);
	assert_int_equal(out.id, a);
	assert_int_equal(out.attempts, 1);
	store_outmsg_clear(&out);
	assert_raw_text(f->path, "SELECT error FROM outbox WHERE recipient = '+84901'",
			"modem refused");

	assert_int_equal(store_outbox_set_state(st, a, "sent", NULL), 0);
	assert_int_equal(store_outbox_next(st, 0, &out), 1);
	assert_int_equal(out.id, b);
	assert_string_equal(out.text, "Tổng: 5");
	store_outmsg_clear(&out);
	assert_int_equal(store_outbox_next(st, b, &out), 0);
	assert_int_equal(store_outbox_set_state(st, b, "failed", "too many attempts"), 0);
	assert_int_equal(store_outbox_next(st, 0, &out), 0);

	assert_raw_text(f->path,
			"SELECT state || ' ' || attempts || ' ' || (error IS NULL) FROM "
			"outbox WHERE recipient = '+84901'",
			"sent 2 1");
	assert_true(raw_int(f->path, "SELECT min(updated) FROM outbox") >= before);
	assert_int_equal(store_count(st, "outbox", "sent"), 1);
	assert_int_equal(store_count(st, "outbox", "failed"), 1);
	assert_int_equal(store_count(st, "outbox", "queued"), 0);

	/* A sent message is never queued again; unknown ids and states fail. */
	assert_int_equal(store_outbox_set_state(st, a, "queued", NULL), -1);
	assert_int_equal(store_outbox_set_state(st, b + 100, "sent", NULL), -1);
	assert_int_equal(raw_int(f->path, "SELECT attempts FROM outbox WHERE recipient = '+84901'"),
			 2);
}

static void
test_outbox_rejects(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	int64_t id = 0;

	assert_int_equal(store_outbox_add(st, "+84901", "x", "reply", 12345, &id), -1); /* FK */
	assert_int_equal(store_outbox_add(st, "", "x", "reply", 0, &id), -1);
	assert_int_equal(
	    store_outbox_add(st, "+8490123456789012345678901234567890", "x", "reply", 0, &id),
	    -1); /* would not fit store_outmsg.to */
	assert_int_equal(store_outbox_add(st, "+84901", NULL, "reply", 0, &id), -1);
	assert_int_equal(store_count(st, "outbox", NULL), 0);

	assert_int_equal(store_outbox_add(st, "+84901", "x", "reply", 0, &id), 0);
	assert_int_equal(store_outbox_set_state(st, id, "lost", NULL), -1); /* CHECK */
	assert_int_equal(raw_int(f->path, "SELECT attempts FROM outbox"), 0);
	assert_int_equal(store_count(st, "outbox", "queued"), 1);
}

static void
test_push(void **state)
{
	static const char payload[] = "{\"ref\":1,\"commune\":\"Minh Sơn\",\"text\":\"a\\\"b\"}";
	struct fixture *f = *state;
	struct store *st = open_rw(f);

	assert_int_equal(store_push_add(st, "report.created", 1700000200, payload), 0);
	assert_int_equal(store_push_add(st, "message.rejected", 1700000300, "{}"), 0);
	assert_int_equal(store_count(st, "push_queue", NULL), 2);
	assert_int_equal(store_count(st, "push_queue", "pending"), 2);
	assert_int_equal(store_count(st, "push_queue", "sent"), 0);
	assert_raw_text(f->path, "SELECT payload FROM push_queue ORDER BY id LIMIT 1", payload);
	assert_raw_text(f->path, "SELECT type || ' ' || at FROM push_queue ORDER BY id LIMIT 1",
			"report.created 1700000200");
	assert_int_equal(raw_int(f->path, "SELECT max(id) - min(id) FROM push_queue"), 1);
	assert_int_equal(store_push_add(st, NULL, 1, "{}"), -1);
	assert_int_equal(store_count(st, "push_queue", NULL), 2);
}

static void
test_count_whitelist(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);

	add_sms(st, "+84901", "x", "fp1");
	assert_int_equal(store_count(st, "inbox", NULL), 1);
	assert_int_equal(store_count(st, "inbox", "accepted"), 0);
	assert_int_equal(store_count(st, "sqlite_master", NULL), -1);
	assert_int_equal(store_count(st, "inbox; DROP TABLE inbox", NULL), -1);
	assert_int_equal(store_count(st, "INBOX", NULL), -1);
	assert_int_equal(store_count(st, NULL, NULL), -1);
	assert_int_equal(store_count(st, "inbox", "new' OR '1'='1"), 0);
	assert_int_equal(store_count(st, "inbox", NULL), 1);
}

/* ---- Transactions ----------------------------------------------------- */

static void
test_transaction_rollback(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	int64_t in, id = 0;

	assert_int_equal(store_begin(st), 0);
	in = add_sms(st, "+84901", "x", "fp1");
	add_report(st, in, "enrol", "C1", "T1", 5, 0, 2025, 1);
	assert_int_equal(store_outbox_add(st, "+84901", "ok", "reply", in, NULL), 0);
	assert_int_equal(store_push_add(st, "report.created", 1, "{}"), 0);
	assert_int_equal(add_part(st, "+84902", 1, 1, 2, "A", "p1", &id), 0);
	assert_int_equal(add_part(st, "+84902", 1, 2, 2, "B", "p2", &id), 1);
	assert_int_equal(store_count(st, "inbox", NULL), 2);
	assert_int_equal(store_rollback(st), 0);

	assert_int_equal(store_count(st, "inbox", NULL), 0);
	assert_int_equal(store_count(st, "inbox_parts", NULL), 0);
	assert_int_equal(store_count(st, "reports", NULL), 0);
	assert_int_equal(store_count(st, "outbox", NULL), 0);
	assert_int_equal(store_count(st, "push_queue", NULL), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM inbox"), 0);
}

static void
test_transaction_commit(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);

	assert_int_equal(store_begin(st), 0);
	add_sms(st, "+84901", "x", "fp1");
	/* Not visible to another connection before the commit. */
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM inbox"), 0);
	assert_int_equal(store_begin(st), -1); /* no nesting */
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM inbox"), 1);
	assert_int_equal(store_commit(st), -1);	 /* nothing to commit */
	assert_int_equal(store_rollback(st), 0); /* nothing to undo */
	assert_int_equal(store_count(st, "inbox", NULL), 1);
}

/*
 * The sending path (schema 6): a part is sent at most once, whatever the
 * caller does (a unique index); a refused attempt may be tried again; a
 * part left "sending" by a dead process becomes "unknown" and its message
 * "unconfirmed"; a delivery report finds its part by reference and
 * recipient (in any form of the number) and marks the message.
 */
static void
test_outbox_parts_once(void **state)
{
	struct fixture *f = *state;
	struct store *st = open_rw(f);
	struct store_outdue m;
	struct store_outbox_stats o;
	int64_t id1 = 0, id2 = 0, p1, p2, p3, n, oldest;

	assert_int_equal(store_outbox_add(st, "+84912000001", "OK #1", "reply", 0, &id1), 0);
	assert_int_equal(store_outbox_add(st, "+84912000002", "OK #2", "reply", 0, &id2), 0);
	assert_int_equal(store_outbox_due(st, 0, 1000, &m), 1);
	assert_int_equal(m.id, id1);
	assert_int_equal(m.parts, 0);
	assert_int_equal(m.concat_ref, -1);
	store_outdue_clear(&m);
	assert_int_equal(store_outbox_set_parts(st, id1, 2, 77, 1), 0);

	/* Part 1: refused, then sent; a third attempt is refused by the database. */
	assert_int_equal(store_outbox_part_mark(st, id1, 1, "modem", 1000, &p1), 0);
	assert_int_equal(store_outbox_part_mark(st, id1, 1, "modem", 1000, &p2), -1);
	assert_int_equal(store_outbox_part_outcome(st, p1, "refused", -1, "modem refused", 1001),
			 0);
	assert_int_equal(store_outbox_retry(st, id1, 1031, "modem refused", 1001), 0);
	assert_int_equal(store_outbox_due(st, 0, 1030, &m), 1);
	assert_int_equal(m.id, id2); /* id1 waits for its backoff */
	store_outdue_clear(&m);
	assert_int_equal(store_outbox_due(st, 0, 1031, &m), 1);
	assert_int_equal(m.id, id1);
	assert_int_equal(m.parts, 2);
	assert_int_equal(m.concat_ref, 77);
	assert_int_equal(m.attempts, 1);
	store_outdue_clear(&m);
	assert_int_equal(store_outbox_part_mark(st, id1, 1, "modem", 1031, &p2), 0);
	assert_int_equal(store_outbox_part_outcome(st, p2, "sent", 42, NULL, 1032), 0);
	assert_int_equal(store_outbox_part_outcome(st, p2, "sent", 42, NULL, 1032), -1);
	assert_int_equal(store_outbox_part_mark(st, id1, 1, "modem", 1033, &p3), -1);
	assert_int_equal(store_outbox_due(st, 0, 1031, &m), 1);
	assert_int_equal(m.parts_sent, 1); /* resumes at part 2 */
	store_outdue_clear(&m);
	/* Part 2 in flight when the process dies. */
	assert_int_equal(store_outbox_part_mark(st, id1, 2, "modem", 1033, &p3), 0);
	assert_int_equal(store_outbox_rate(st, "modem", 1000, &n, &oldest), 0);
	assert_int_equal(n, 2); /* attempts after 1000: p2, p3 */
	assert_int_equal(oldest, 1031);
	assert_int_equal(store_outbox_rate(st, "other", 0, &n, &oldest), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_outbox_recover(st, 2000), 1);
	assert_int_equal(store_outbox_recover(st, 2000), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM outbox WHERE state='sent' AND "
					  "error='unconfirmed'"),
			 1);
	assert_int_equal(
	    raw_int(f->path, "SELECT count(*) FROM outbox_parts WHERE state='unknown'"), 1);
	assert_int_equal(store_outbox_due(st, 0, 5000, &m), 1);
	assert_int_equal(m.id, id2); /* never id1 again */
	store_outdue_clear(&m);

	/* Message 2 sent; its delivery report names the number another way. */
	assert_int_equal(store_outbox_part_mark(st, id2, 1, "modem", 3000, &p1), 0);
	assert_int_equal(store_outbox_part_outcome(st, p1, "sent", 43, NULL, 3000), 0);
	assert_int_equal(store_outbox_set_state(st, id2, "sent", NULL), 0);
	struct store_status_report r = {"modem", "0912000002", 43, 0, 3100, 3100, "fp1"};
	struct store_status_report wrong = {"modem", "0912000009", 43, 0, 3100, 3100, "fp2"};
	assert_int_equal(store_status_report_add(st, &wrong, 0), 0);
	assert_int_equal(store_status_report_add(st, &r, 0), 1);
	assert_int_equal(store_status_report_add(st, &r, 0), 0); /* read twice: once */
	assert_int_equal(store_outbox_stats(st, &o), 0);
	assert_int_equal(o.queued, 0);
	assert_int_equal(o.sent, 1);
	assert_int_equal(o.unconfirmed, 1);
	assert_int_equal(o.delivered, 1);
	assert_int_equal(o.undelivered, 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM status_reports"), 2);
	/* The sms.sent push trigger is kept: no push_outgoing rows, no events. */
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM push_queue"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_open_creates_schema, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_outbox_parts_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_open_creates_private, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_open_empty_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reopen_keeps_data, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_second_connection_keeps_locks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_second_connection_checks_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_open_beside_another_process, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_damaged_schema_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_open_memory, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_not_a_database_text, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_not_a_database_random, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_not_a_database_one_byte, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_foreign_database_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_readonly_missing_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_readonly_old_schema_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_readonly_existing, setup, teardown),
	    cmocka_unit_test(test_close_null),
	    cmocka_unit_test_setup_teardown(test_inbox_add_duplicate, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_inbox_not_null, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_inbox_next_new_and_state, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_messages_received_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_messages_commune, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_messages_plan, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_parts_in_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_parts_out_of_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_parts_many, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_parts_duplicates, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_parts_interleaved_senders, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_parts_incomplete_pending, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_parts_missing_list, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_parts_reused_reference, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_migration_phone_forms, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_parts_expire, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_parts_bad_numbering, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_parts_without_transaction, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_part_failure_keeps_transaction, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_part_join_failure_undone, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reports_add_foreach, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reports_foreach_stops, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_totals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_report_check_violations, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_outbox, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_outbox_rejects, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_push, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_count_whitelist, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_transaction_rollback, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_transaction_commit, setup, teardown),
	};

	/* Expected failures log warnings; keep the output to those. */
	log_init(0, LOG_LEVEL_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
