/*
 * test_smsd.c - tinbao import-smsd on a database written by the real
 * gammu-smsd (Debian's gammu-smsd, its SQL service on the sqlite3 backend)
 * from a dummy phone: every SMS processed once as if just received, parts
 * joined, nobody answered, the events queued for the district; a second
 * import changes nothing; a running gateway and a file that is no such
 * database are refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"

#define TINBAO "./tinbao"
#define SCHEMA "/usr/share/doc/gammu-smsd/examples/sqlite.sql"
#define WAIT_MS 30000
/* 2022-03-01 09:00 +07:00, then an hour apart. */
#define AT0 "1646100000"
#define AT1 "1646103600"
#define AT2 "1646107200"
#define LONG_TEXT                                                                                  \
	"DK Minh Son 35 han; TN Minh Son 20 han; VL Minh Son 12 han; DK Yen Binh 10 nuoi ga; "     \
	"TN Yen Binh 8 nuoi ga; NC Hoa Son 40 rau; DK Cai Kinh 15 nau an; TN Cai Kinh 14 nau an"

static char *
slurp(const char *path)
{
	char *buf;
	long size;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)size + 1);
	if (buf != NULL && fread(buf, 1, (size_t)size, f) != (size_t)size) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* An empty gammu-smsd database, from the schema gammu-smsd ships. */
static void
smsd_db(const char *path)
{
	char *schema = slurp(SCHEMA), *err = NULL;
	sqlite3 *db;

	if (schema == NULL)
		fail_msg("%s: missing (sh contrib/install-deps.sh --test installs gammu-smsd)",
			 SCHEMA);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, schema, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", SCHEMA, err);
	sqlite3_close(db);
	free(schema);
}

/* Runs gammu-smsd on the fixture's dummy phone until its inbox table has
 * want rows (bounded), then stops it. */
static void
run_smsd(const struct fixture *f, const char *db, int64_t want)
{
	char rc[256], sql[] = "SELECT count(*) FROM inbox";
	struct timespec tick = {0, 100 * 1000 * 1000};
	FILE *c;
	pid_t pid;
	int status, i;

	snprintf(rc, sizeof(rc), "%s/smsdrc", f->dir);
	c = fopen(rc, "w");
	assert_non_null(c);
	fprintf(c,
		"[gammu]\nmodel = dummy\nconnection = none\ndevice = %s/phone\n\n"
		"[smsd]\nservice = sql\ndriver = sqlite3\nsql = sqlite\ndatabase = smsd.db\n"
		"dbdir = %s\nlogfile = %s/smsd.log\ndebuglevel = 0\nreceivefrequency = 1\n"
		"checksecurity = 0\ncheckbattery = 0\nchecksignal = 0\ncheckNetwork = 0\n"
		"hangupcalls = 0\n",
		f->dir, f->dir, f->dir);
	assert_int_equal(fclose(c), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		if (freopen("/dev/null", "w", stdout) == NULL ||
		    freopen("/dev/null", "w", stderr) == NULL)
			_exit(126);
		execlp("gammu-smsd", "gammu-smsd", "-c", rc, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < WAIT_MS / 100; i++) {
		if (fixture_db_int(db, sql, NULL) == want)
			break;
		if (waitpid(pid, &status, WNOHANG) == pid)
			fail_msg("gammu-smsd exited (status %d): see %s/smsd.log", status, f->dir);
		nanosleep(&tick, NULL);
	}
	kill(pid, SIGTERM);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(fixture_db_int(db, sql, NULL), want);
}

static int64_t
db_int(const struct fixture *f, const char *sql)
{
	int err;
	int64_t v = fixture_db_int(f->db, sql, &err);

	if (err)
		fail_msg("%s: cannot be run on %s", sql, f->db);
	return v;
}

static void
test_import_smsd(void **state)
{
	struct fixture f;
	char db[160], args[256], out[16384], lock[160];
	int fd;

	(void)state;
	assert_int_equal(fixture_setup(&f, TINBAO, "contrib/tinbao.conf"), 0);
	snprintf(db, sizeof(db), "%s/smsd.db", f.dir);
	smsd_db(db);
	assert_int_equal(
	    fixture_output(&f, "inject --from 0912000001 --at " AT0 " 'DK Minh Son 35 han'", out,
			   sizeof(out)),
	    0);
	assert_int_equal(fixture_output(&f,
					"inject --from +84912000002 --at " AT1 " '" LONG_TEXT "'",
					out, sizeof(out)),
			 0);
	assert_int_equal(fixture_output(&f,
					"inject --from 0912000003 --at " AT2 " 'VL Hòa Sơn 7 rau'",
					out, sizeof(out)),
			 0);
	/* One, two parts, one. */
	run_smsd(&f, db, 4);

	/* Refused while a gateway runs: it would answer what is imported. */
	snprintf(lock, sizeof(lock), "%s.lock", f.db);
	fd = open(lock, O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	snprintf(args, sizeof(args), "import-smsd %s", db);
	assert_int_equal(fixture_output(&f, args, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "stop the gateway first"));
	close(fd);

	assert_int_equal(fixture_output(&f, args, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "4 SMS read, 4 taken over (3 messages processed"));
	/* 1 + 8 + 1 reports, each counted once, the long one joined whole. */
	assert_int_equal(db_int(&f, "SELECT count(*) FROM reports"), 10);
	assert_int_equal(db_int(&f, "SELECT count FROM reports WHERE kind = 'job' AND "
				    "commune_code = '06445'"),
			 7);
	assert_int_equal(db_int(&f, "SELECT count(*) FROM inbox WHERE modem = 'gammu-smsd' "
				    "AND state = 'accepted' AND sender LIKE '+849120000%'"),
			 3);
	assert_int_equal(db_int(&f, "SELECT count(*) FROM reports WHERE year = 2022 AND half = 1"),
			 10);
	/* Nobody answered; the district told. */
	assert_int_equal(db_int(&f, "SELECT count(*) FROM outbox"), 0);
	assert_true(db_int(&f, "SELECT count(*) FROM push_queue") >= 10);

	/* Again: nothing changes. */
	assert_int_equal(fixture_output(&f, args, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "4 SMS read, 0 taken over (0 messages processed"));
	assert_non_null(strstr(out, "4 imported before"));
	assert_int_equal(db_int(&f, "SELECT count(*) FROM reports"), 10);
	assert_int_equal(db_int(&f, "SELECT count(*) FROM inbox"), 3);
	assert_int_equal(db_int(&f, "SELECT max(copies) FROM inbox"), 1);
	assert_int_equal(db_int(&f, "SELECT count(*) FROM outbox"), 0);

	/* Not such a database: tinbao's own. */
	snprintf(args, sizeof(args), "import-smsd %s", f.db);
	assert_int_equal(fixture_output(&f, args, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "not a gammu-smsd database"));
	fixture_teardown(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_import_smsd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
