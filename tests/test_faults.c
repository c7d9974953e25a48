/*
 * test_faults.c - the gateway against its own storage failing: a disk that
 * fills (a file-size limit put on the running daemon with prlimit), a damaged
 * or missing database at start, and the copies that let it be restored
 * (`tinbao backup`, the daily copy, keeping N).
 *
 * Every run is the real binary on a gammu dummy phone and a real SQLite
 * file; its log is read through a pipe (a file would be under the same
 * size limit).
 */
#define _GNU_SOURCE /* prlimit() */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "fixture.h"
#include "log.h"
#include "modem.h"
#include "store.h"

#define RUN_TIMEOUT_S 60
#define DAY 86400
/* 2026-03-02 10:00 +07:00 (03:00 UTC) */
#define DAY1 1772420400

static const char *tinbao = "./tinbao";
static char tinbao_path[4096];
static uid_t run_as; /* when not 0, children run as this user and group */

/* A child whose stdout and stderr come back through a pipe. */
struct proc {
	pid_t pid;
	int fd;
	char out[65536];
	size_t len;
};

/* Reads what the child wrote, waiting up to ms for it. */
static void
drain(struct proc *p, int ms)
{
	struct pollfd pfd = {p->fd, POLLIN, 0};
	struct timespec nap = {0, (long)ms * 1000000};
	ssize_t n;

	while (poll(&pfd, 1, ms) == 1) {
		n = read(p->fd, p->out + p->len, sizeof(p->out) - 1 - p->len);
		if (n <= 0) {
			/* The end of the output: wait as asked all the same. */
			nanosleep(&nap, NULL);
			break;
		}
		p->len += (size_t)n;
		p->out[p->len] = '\0';
		if (getenv("TEST_VERBOSE") != NULL)
			fwrite(p->out + p->len - n, 1, (size_t)n, stderr);
		ms = 0;
	}
}

static void
start(struct proc *p, const struct fixture *f, int64_t now, const char **args)
{
	const char *argv[16];
	char nowbuf[32];
	int pfd[2], i, argc = 0;

	memset(p, 0, sizeof(*p));
	argv[argc++] = tinbao;
	argv[argc++] = "-c";
	argv[argc++] = f->conf;
	for (i = 0; args[i] != NULL && argc < 15; i++)
		argv[argc++] = args[i];
	argv[argc] = NULL;
	assert_int_equal(pipe(pfd), 0);
	p->pid = fork();
	assert_true(p->pid != -1);
	if (p->pid == 0) {
		dup2(pfd[1], STDOUT_FILENO);
		dup2(pfd[1], STDERR_FILENO);
		close(pfd[0]);
		close(pfd[1]);
		unsetenv("TINBAO_CRASH");
		if (run_as != 0 &&
		    (setgroups(0, NULL) == -1 || setgid(run_as) == -1 || setuid(run_as) == -1))
			_exit(126);
		if (now > 0) {
			snprintf(nowbuf, sizeof(nowbuf), "%lld", (long long)now);
			setenv("TINBAO_FAKE_NOW", nowbuf, 1);
		} else {
			unsetenv("TINBAO_FAKE_NOW");
		}
		execv(tinbao, (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	p->fd = pfd[0];
	fcntl(p->fd, F_SETFL, O_NONBLOCK);
}

/* Waits for the child to end (killing it after RUN_TIMEOUT_S); its status. */
static int
finish(struct proc *p)
{
	int status, waited;

	for (waited = 0; waited < RUN_TIMEOUT_S * 10; waited++) {
		drain(p, 100);
		if (waitpid(p->pid, &status, WNOHANG) == p->pid)
			break;
	}
	if (waited == RUN_TIMEOUT_S * 10) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, &status, 0);
		fail_msg("tinbao did not finish within %d s", RUN_TIMEOUT_S);
	}
	drain(p, 0);
	close(p->fd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Runs tinbao to the end; its status, its output in p->out. */
static int
run(struct proc *p, const struct fixture *f, int64_t now, ...)
{
	const char *args[12];
	va_list ap;
	int n = 0;

	va_start(ap, now);
	while (n < 11 && (args[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	args[n] = NULL;
	start(p, f, now, args);
	return finish(p);
}

static size_t
count_str(const char *s, const char *what)
{
	size_t n = 0;

	while ((s = strstr(s, what)) != NULL) {
		n++;
		s += strlen(what);
	}
	return n;
}

static int64_t
db_int(const char *db, const char *sql)
{
	int err;
	int64_t v = fixture_db_int(db, sql, &err);

	if (err)
		fail_msg("%s: cannot be run on %s", sql, db);
	return v;
}

static void
inject(const struct fixture *f, const char *from, const char *text)
{
	struct modem *m = modem_open(f->gammurc, 0);

	assert_non_null(m);
	assert_int_equal(modem_inject(m, from, text, DAY1), 0);
	modem_close(m);
}

static int
phone_count(const struct fixture *f)
{
	struct modem *m = modem_open(f->gammurc, 0);
	struct modem_sms *sms = malloc(sizeof(*sms));
	int n = 0, start = 1, bound = 100000;

	assert_non_null(m);
	assert_non_null(sms);
	while (bound-- > 0 && modem_next(m, start, sms) == 1) {
		start = 0;
		n++;
	}
	free(sms);
	modem_close(m);
	return n;
}

/* The copies in the backup folder, and the newest one's path. */
static int
copies(const struct fixture *f, char *newest, size_t newestsz)
{
	char cmd[256], line[128];
	FILE *ls;
	int n = 0;

	snprintf(cmd, sizeof(cmd), "ls -1r '%s/bk' 2>/dev/null", f->dir);
	ls = popen(cmd, "r");
	assert_non_null(ls);
	while (fgets(line, sizeof(line), ls) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (n == 0 && newest != NULL)
			snprintf(newest, newestsz, "%s/bk/%s", f->dir, line);
		n++;
	}
	pclose(ls);
	return n;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	FILE *c;

	assert_non_null(f);
	run_as = 0;
	assert_int_equal(fixture_setup(f, tinbao, "contrib/tinbao.conf"), 0);
	c = fopen(f->conf, "a");
	assert_non_null(c);
	fprintf(c, "digest = { recipients = [ \"+84912345001\" ]; };\n"
		   "backup = { dir = \"bk\"; keep = 2; hour = 2; };\n");
	assert_int_equal(fclose(c), 0);
	assert_int_equal(chmod(f->conf, 0600), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	fixture_teardown(f);
	free(f);
	return 0;
}

/* `tinbao backup --to FILE` and `tinbao backup`: complete databases of the
 * current schema, nothing left under a temporary name. */
static void
test_backup_command(void **state)
{
	struct fixture *f = *state;
	struct proc p;
	char to[192], tmp[200], newest[512];
	struct stat sb;

	inject(f, "+84912000001", "ENROL Minh Son 5 han");
	inject(f, "+84912000002", "GRAD Thien Tan 3 maycn");
	assert_int_equal(run(&p, f, DAY1 - 10 * 3600, "run", "--once", NULL), 0);
	snprintf(to, sizeof(to), "%s/copy.db", f->dir);
	assert_int_equal(run(&p, f, 0, "backup", "--to", to, NULL), 0);
	assert_non_null(strstr(p.out, to));
	assert_int_equal(db_int(to, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(db_int(to, "SELECT count(*) FROM inbox"), 2);
	assert_int_equal(db_int(to, "SELECT count(*) FROM reports"), 2);
	assert_int_equal(db_int(to, "SELECT count(*) FROM pragma_quick_check WHERE "
				    "quick_check = 'ok'"),
			 1);
	assert_int_equal(stat(to, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	snprintf(tmp, sizeof(tmp), "%s.tmp", to);
	assert_int_equal(stat(tmp, &sb), -1);

	/* Into the folder, under a dated name. */
	assert_int_equal(copies(f, NULL, 0), 0);
	assert_int_equal(run(&p, f, DAY1, "backup", NULL), 0);
	assert_int_equal(copies(f, newest, sizeof(newest)), 1);
	assert_non_null(strstr(newest, "/bk/tinbao-20260302-100000.db"));
	assert_int_equal(db_int(newest, "SELECT count(*) FROM inbox"), 2);

	/* Usage errors. */
	assert_int_equal(run(&p, f, 0, "backup", "--to", NULL), 2);
}

/* `tinbao backup --to` the live database, one of its companion files, or
 * the database under another name: refused, the database untouched. */
static void
test_backup_to_live(void **state)
{
	struct fixture *f = *state;
	char targets[6][192], link[192], cwd[4096];
	struct proc p;
	size_t i;
	int status;

	inject(f, "+84912000001", "ENROL Minh Son 5 han");
	assert_int_equal(run(&p, f, DAY1, "run", "--once", NULL), 0);
	snprintf(targets[0], sizeof(targets[0]), "%s", f->db);
	snprintf(targets[1], sizeof(targets[1]), "%s-wal", f->db);
	snprintf(targets[2], sizeof(targets[2]), "%s-shm", f->db);
	snprintf(targets[3], sizeof(targets[3]), "%s/./tinbao.db", f->dir);
	snprintf(targets[4], sizeof(targets[4]), "%s/../%s/tinbao.db", f->dir,
		 strrchr(f->dir, '/') + 1);
	snprintf(link, sizeof(link), "%s/link.db", f->dir);
	assert_int_equal(symlink(f->db, link), 0);
	snprintf(targets[5], sizeof(targets[5]), "%s", link);
	for (i = 0; i < 6; i++) {
		assert_int_not_equal(run(&p, f, DAY1 + 60, "backup", "--to", targets[i], NULL), 0);
		if (strstr(p.out, "is the live database") == NULL)
			fail_msg("backup --to %s: %s", targets[i], p.out);
	}
	assert_int_equal(access(targets[1], F_OK), -1);
	assert_int_equal(access(targets[2], F_OK), -1);
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM inbox"), 1);
	/* From the database's folder, by its bare name. */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(f->dir), 0);
	status = run(&p, f, DAY1 + 60, "backup", "--to", "tinbao.db", NULL);
	assert_int_equal(chdir(cwd), 0);
	assert_int_not_equal(status, 0);
	assert_non_null(strstr(p.out, "is the live database"));
}

/* The daemon makes one copy a day from the configured hour, across
 * restarts, and keeps `keep` of them. */
static void
test_backup_daily(void **state)
{
	struct fixture *f = *state;
	struct proc p;
	char newest[512];

	/* 01:00: before the hour. */
	assert_int_equal(run(&p, f, DAY1 - 9 * 3600, "run", "--once", NULL), 0);
	assert_int_equal(copies(f, NULL, 0), 0);
	/* 10:00: the day's copy; again at 11:00: none more. */
	assert_int_equal(run(&p, f, DAY1, "run", "--once", NULL), 0);
	assert_int_equal(copies(f, NULL, 0), 1);
	assert_int_equal(run(&p, f, DAY1 + 3600, "run", "--once", NULL), 0);
	assert_int_equal(copies(f, NULL, 0), 1);
	/* The next days: one each, the oldest removed beyond keep = 2. */
	inject(f, "+84912000001", "ENROL Minh Son 5 han");
	assert_int_equal(run(&p, f, DAY1 + DAY, "run", "--once", NULL), 0);
	assert_int_equal(copies(f, NULL, 0), 2);
	assert_int_equal(run(&p, f, DAY1 + 2 * DAY, "run", "--once", NULL), 0);
	assert_int_equal(copies(f, newest, sizeof(newest)), 2);
	assert_non_null(strstr(newest, "tinbao-20260304-"));
	assert_int_equal(db_int(newest, "SELECT count(*) FROM inbox"), 1);
	assert_int_equal(db_int(newest, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
}

static void
overwrite(const char *path, off_t at, size_t n)
{
	char junk[4096];
	int fd = open(path, O_WRONLY);

	assert_true(n <= sizeof(junk));
	memset(junk, 0xa5, n);
	assert_true(fd != -1);
	assert_int_equal(pwrite(fd, junk, n, at), (ssize_t)n);
	close(fd);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *b;

	assert_non_null(fp);
	b = malloc(1 << 20);
	assert_non_null(b);
	*len = fread(b, 1, 1 << 20, fp);
	fclose(fp);
	return b;
}

/* The file offset of the root page of table in db, and the page size. */
static off_t
root_page(const char *db, const char *table, int64_t *page)
{
	char sql[128];
	off_t at;

	*page = db_int(db, "PRAGMA page_size");
	snprintf(sql, sizeof(sql), "SELECT rootpage FROM sqlite_master WHERE name = '%s'", table);
	at = (off_t)(db_int(db, sql) - 1) * *page;
	assert_true(at > 0 && *page <= 4096);
	return at;
}

/* A damaged database: the gateway stops, names the file and the copy to
 * restore, and leaves the file as it was. */
static void
test_corrupt_database(void **state)
{
	struct fixture *f = *state;
	struct proc p;
	char newest[512], cp[1024];
	char *before, *after;
	size_t nb, na;

	inject(f, "+84912000001", "ENROL Minh Son 5 han");
	assert_int_equal(run(&p, f, DAY1, "run", "--once", NULL), 0);
	assert_int_equal(copies(f, newest, sizeof(newest)), 1);

	/* The schema page (after the 100-byte header) overwritten. */
	overwrite(f->db, 100, 2000);
	before = slurp(f->db, &nb);
	assert_int_not_equal(run(&p, f, DAY1 + 60, "run", "--once", NULL), 0);
	assert_non_null(strstr(p.out, f->db));
	snprintf(cp, sizeof(cp), "cp %s %s", newest, f->db);
	assert_non_null(strstr(p.out, cp));
	after = slurp(f->db, &na);
	assert_int_equal(na, nb);
	assert_memory_equal(before, after, nb);
	free(after);

	/* The header itself: not a database at all. */
	overwrite(f->db, 0, 16);
	assert_int_not_equal(run(&p, f, DAY1 + 60, "run", "--once", NULL), 0);
	assert_non_null(strstr(p.out, "not an SQLite database"));
	assert_non_null(strstr(p.out, cp));

	/* Restored as told: it works again, with the copy's SMS. */
	assert_int_equal(rename(newest, f->db), 0);
	assert_int_equal(run(&p, f, DAY1 + 120, "run", "--once", NULL), 0);
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM inbox"), 1);
	free(before);
}

/* The copy named for the restore is the newest one that passes PRAGMA
 * quick_check, not merely the newest. */
static void
test_restore_names_good_copy(void **state)
{
	struct fixture *f = *state;
	char older[512], newest[512], cp[1024];
	struct proc p;
	int64_t page;
	off_t at;

	assert_int_equal(run(&p, f, DAY1, "run", "--once", NULL), 0);
	assert_int_equal(copies(f, older, sizeof(older)), 1);
	assert_int_equal(run(&p, f, DAY1 + DAY, "run", "--once", NULL), 0);
	assert_int_equal(copies(f, newest, sizeof(newest)), 2);
	at = root_page(newest, "inbox", &page);
	overwrite(newest, at, (size_t)page);
	overwrite(f->db, 0, 16);
	assert_int_not_equal(run(&p, f, DAY1 + DAY + 60, "run", "--once", NULL), 0);
	snprintf(cp, sizeof(cp), "cp %s %s", older, f->db);
	assert_non_null(strstr(p.out, cp));
	snprintf(cp, sizeof(cp), "cp %s %s", newest, f->db);
	assert_null(strstr(p.out, cp));

	/* No sound copy at all: said so, none named. */
	at = root_page(older, "inbox", &page);
	overwrite(older, at, (size_t)page);
	assert_int_not_equal(run(&p, f, DAY1 + DAY + 60, "run", "--once", NULL), 0);
	assert_non_null(strstr(p.out, "none of the copies"));
	assert_null(strstr(p.out, "cp "));
}

/* After an unclean shutdown (a WAL file left behind) the whole file is
 * checked at start: damage beyond the first page is found there too. */
static void
test_unclean_damaged(void **state)
{
	struct fixture *f = *state;
	struct proc p;
	char wal[160];
	int64_t page;
	off_t at;
	int fd;

	inject(f, "+84912000001", "ENROL Minh Son 5 han");
	assert_int_equal(run(&p, f, DAY1, "run", "--once", NULL), 0);
	/* The inbox table's root page: the schema still reads fine. */
	page = db_int(f->db, "PRAGMA page_size");
	at = (off_t)(db_int(f->db, "SELECT rootpage FROM sqlite_master WHERE name = 'inbox'") - 1) *
	     page;
	assert_true(at > 0 && page <= 4096);
	overwrite(f->db, at, (size_t)page);
	snprintf(wal, sizeof(wal), "%s-wal", f->db);
	fd = open(wal, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd != -1);
	assert_int_equal(write(fd, "x", 1), 1);
	close(fd);
	assert_int_not_equal(run(&p, f, DAY1 + 60, "run", "--once", NULL), 0);
	assert_non_null(strstr(p.out, "not closed cleanly"));
	assert_non_null(strstr(p.out, "damaged"));
	assert_non_null(strstr(p.out, "to restore: stop tinbao"));
}

/* A database that vanished while copies exist is not replaced by an empty
 * one. */
static void
test_missing_database(void **state)
{
	struct fixture *f = *state;
	struct proc p;
	char newest[512], cp[1024];
	struct stat sb;

	assert_int_equal(run(&p, f, DAY1, "run", "--once", NULL), 0);
	assert_int_equal(copies(f, newest, sizeof(newest)), 1);
	assert_int_equal(unlink(f->db), 0);
	assert_int_not_equal(run(&p, f, DAY1 + 60, "run", "--once", NULL), 0);
	assert_int_equal(stat(f->db, &sb), -1);
	snprintf(cp, sizeof(cp), "cp %s %s", newest, f->db);
	assert_non_null(strstr(p.out, cp));
	assert_int_not_equal(run(&p, f, DAY1 + 60, "backup", NULL), 0);
	assert_int_equal(stat(f->db, &sb), -1);
}

/* An emptied database (0 bytes) is not taken for a new one while copies
 * exist: refused like a missing one, and left as it is. */
static void
test_empty_database(void **state)
{
	struct fixture *f = *state;
	struct proc p;
	char newest[512], cp[1024];
	struct stat sb;

	inject(f, "+84912000001", "ENROL Minh Son 5 han");
	assert_int_equal(run(&p, f, DAY1, "run", "--once", NULL), 0);
	assert_int_equal(copies(f, newest, sizeof(newest)), 1);
	assert_int_equal(truncate(f->db, 0), 0);
	assert_int_not_equal(run(&p, f, DAY1 + 60, "run", "--once", NULL), 0);
	assert_non_null(strstr(p.out, "empty (0 bytes)"));
	snprintf(cp, sizeof(cp), "cp %s %s", newest, f->db);
	assert_non_null(strstr(p.out, cp));
	assert_int_equal(stat(f->db, &sb), 0);
	assert_int_equal(sb.st_size, 0);
	assert_int_not_equal(run(&p, f, DAY1 + 60, "backup", NULL), 0);
	assert_int_equal(stat(f->db, &sb), 0);
	assert_int_equal(sb.st_size, 0);
	assert_int_equal(copies(f, NULL, 0), 1);
}

/*
 * The database's folder is not writable at start (SQLite cannot create the
 * -wal and -shm files): a matter of permissions, not damage.  The message
 * says which folder and for whom, and never advises a restore.  As root,
 * permissions do not stop writes: the gateway then runs as nobody in a
 * folder that belongs to root.
 */
static void
test_read_only_folder(void **state)
{
	struct fixture *f = *state;
	char cmd[256];
	struct proc p;
	int status;

	assert_int_equal(run(&p, f, 0, "run", "--once", NULL), 0);
	if (geteuid() == 0) {
		snprintf(cmd, sizeof(cmd), "chown -R 65534:65534 '%s'", f->dir);
		assert_int_equal(system(cmd), 0);
		assert_int_equal(chown(f->dir, 0, 0), 0);
		assert_int_equal(chmod(f->dir, 0755), 0);
		run_as = 65534;
	} else {
		assert_int_equal(chmod(f->dir, 0555), 0);
	}
	status = run(&p, f, 0, "run", "--once", NULL);
	run_as = 0;
	assert_int_equal(chmod(f->dir, 0700), 0);
	assert_int_not_equal(status, 0);
	assert_non_null(strstr(p.out, "is not writable by"));
	assert_non_null(strstr(p.out, "not damaged"));
	assert_null(strstr(p.out, "to restore"));
	assert_null(strstr(p.out, "cp "));
}

/*
 * A page damaged after a clean shutdown, in a table the schema check does
 * not read: the first statements at start find it.  The message says the
 * database is damaged and names the copy to restore.
 */
static void
test_damaged_at_start(void **state)
{
	struct fixture *f = *state;
	char newest[512], cp[1024];
	struct proc p;
	int64_t page;
	off_t at;

	inject(f, "+84912000001", "ENROL Minh Son 5 han");
	assert_int_equal(run(&p, f, DAY1, "run", "--once", NULL), 0);
	assert_int_equal(copies(f, newest, sizeof(newest)), 1);
	at = root_page(f->db, "outbox_parts", &page);
	overwrite(f->db, at, (size_t)page);
	assert_int_equal(run(&p, f, DAY1 + 60, "run", "--once", NULL), 3);
	assert_non_null(strstr(p.out, "damaged"));
	snprintf(cp, sizeof(cp), "cp %s %s", newest, f->db);
	assert_non_null(strstr(p.out, cp));
}

/* The soft limit only: raising a hard limit again needs a privilege. */
static void
set_fsize(pid_t pid, rlim_t lim)
{
	struct rlimit rl;

	assert_int_equal(prlimit(pid, RLIMIT_FSIZE, NULL, &rl), 0);
	rl.rlim_cur = lim;
	assert_int_equal(prlimit(pid, RLIMIT_FSIZE, &rl, NULL), 0);
}

/* Waits until db gives want, reading the daemon's log meanwhile. */
static int
wait_db(struct proc *p, const char *db, const char *sql, int64_t want, int ms)
{
	int waited;

	for (waited = 0; waited < ms; waited += 200) {
		if (fixture_db_int(db, sql, NULL) == want)
			return 0;
		drain(p, 200);
	}
	return -1;
}

static int
wait_log(struct proc *p, const char *what, int ms)
{
	int waited;

	for (waited = 0; waited < ms && strstr(p->out, what) == NULL; waited += 200)
		drain(p, 200);
	if (strstr(p->out, what) != NULL)
		return 0;
	fprintf(stderr, "no \"%s\" after %d ms in the gateway's output:\n%s\n", what, ms, p->out);
	return -1;
}

/*
 * The disk fills while the gateway runs (no write beyond the first byte of
 * any file): the SMS stay on the phone, the admins are told once, the
 * daemon keeps running and backs off; when space returns everything is
 * stored exactly once and the alert is recorded.
 */
static void
test_disk_full(void **state)
{
	struct fixture *f = *state;
	const char *args[] = {"run", NULL};
	struct proc p;
	int i;

	/* The day's copy made beforehand: the test is about the SMS. */
	assert_int_equal(run(&p, f, 0, "run", "--once", NULL), 0);
	start(&p, f, 0, args);
	assert_int_equal(wait_log(&p, "gateway running", 20000), 0);
	set_fsize(p.pid, 1);
	for (i = 0; i < 5; i++) {
		char text[64];

		snprintf(text, sizeof(text), "ENROL Minh Son %d han", i + 1);
		inject(f, "+84912000001", text);
	}
	assert_int_equal(wait_log(&p, "cannot be written", 20000), 0);
	/* Several attempts (2 s, 4 s apart): still running, nothing lost. */
	drain(&p, 7000);
	assert_int_equal(kill(p.pid, 0), 0);
	assert_int_equal(phone_count(f), 5);
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM inbox"), 0);
	assert_int_equal(count_str(p.out, "cannot be written"), 1);
	assert_int_equal(count_str(p.out, "alert sent to +84912345001"), 1);

	/* Space again: stored once, answered once, the alert recorded. */
	set_fsize(p.pid, RLIM_INFINITY);
	assert_int_equal(wait_db(&p, f->db,
				 "SELECT count(*) FROM outbox WHERE reason = 'reply' AND "
				 "state = 'sent'",
				 5, 30000),
			 0);
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM inbox"), 5);
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM reports"), 5);
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM outbox WHERE reason = 'alert' AND "
				       "recipient = '+84912345001'"),
			 1);
	assert_int_equal(phone_count(f), 0);
	assert_non_null(strstr(p.out, "writable again"));
	assert_int_equal(count_str(p.out, "alert sent to"), 1);
	kill(p.pid, SIGTERM);
	assert_int_equal(finish(&p), 0);
}

/*
 * The database file cannot be written when the gateway starts (it opens
 * read-only then, and stays so): the same as a full disk, and once the file
 * is writable the store is reopened by itself.  As root, permissions do not
 * stop writes: the gateway then runs as nobody on a file owned by root.
 */
static void
test_read_only(void **state)
{
	struct fixture *f = *state;
	const char *args[] = {"run", NULL};
	char cmd[256];
	struct proc p;
	int i;

	assert_int_equal(run(&p, f, 0, "run", "--once", NULL), 0);
	if (geteuid() == 0) {
		snprintf(cmd, sizeof(cmd), "chown -R 65534:65534 '%s'", f->dir);
		assert_int_equal(system(cmd), 0);
		assert_int_equal(chown(f->db, 0, 0), 0);
		run_as = 65534;
	}
	assert_int_equal(chmod(f->db, 0444), 0);
	start(&p, f, 0, args);
	assert_int_equal(wait_log(&p, "gateway running", 20000), 0);
	for (i = 0; i < 3; i++) {
		char text[64];

		snprintf(text, sizeof(text), "GRAD Thien Tan %d maycn", i + 1);
		inject(f, "+84912000002", text);
	}
	if (geteuid() == 0) {
		snprintf(cmd, sizeof(cmd), "chown -R 65534:65534 '%s/phone'", f->dir);
		assert_int_equal(system(cmd), 0);
	}
	assert_int_equal(wait_log(&p, "cannot be written", 20000), 0);
	drain(&p, 3000);
	assert_int_equal(kill(p.pid, 0), 0);
	assert_int_equal(phone_count(f), 3);
	assert_int_equal(count_str(p.out, "alert sent to +84912345001"), 1);

	if (geteuid() == 0)
		assert_int_equal(chown(f->db, 65534, 65534), 0);
	assert_int_equal(chmod(f->db, 0644), 0);
	assert_int_equal(wait_db(&p, f->db,
				 "SELECT count(*) FROM outbox WHERE reason = 'reply' AND "
				 "state = 'sent'",
				 3, 30000),
			 0);
	run_as = 0;
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM inbox"), 3);
	assert_int_equal(phone_count(f), 0);
	assert_non_null(strstr(p.out, "reopened read-write"));
	assert_int_equal(count_str(p.out, "alert sent to"), 1);
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM outbox WHERE reason = 'alert'"), 1);
	kill(p.pid, SIGTERM);
	assert_int_equal(finish(&p), 0);
}

/* A write through a connection of the test's own: the running gateway's
 * next read sees the file changed, and drops the pages it had cached. */
static void
db_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static void
touch_db(const char *path)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", STORE_SCHEMA_VERSION);
	db_exec(path, sql);
}

/*
 * The database is damaged under the running gateway (the inbox table's
 * root page overwritten) and an SMS comes: no endless retry.  The gateway
 * stops with its own status, the admins get one SMS through the modem, the
 * SMS stays on the phone, and the log names the file and the copy to
 * restore.
 */
static void
test_damaged_while_running(void **state)
{
	struct fixture *f = *state;
	const char *args[] = {"run", NULL};
	char newest[512], cp[1024];
	struct proc p;
	int64_t page;
	off_t at;

	/* The day's copy made beforehand, from the sound file. */
	assert_int_equal(run(&p, f, 0, "run", "--once", NULL), 0);
	assert_int_equal(copies(f, newest, sizeof(newest)), 1);
	at = root_page(f->db, "inbox", &page);
	start(&p, f, 0, args);
	assert_int_equal(wait_log(&p, "gateway running", 20000), 0);
	overwrite(f->db, at, (size_t)page);
	touch_db(f->db);
	inject(f, "+84912000001", "ENROL Minh Son 5 han");
	assert_int_equal(finish(&p), 3);
	assert_int_equal(phone_count(f), 1);
	assert_int_equal(count_str(p.out, "alert sent to +84912345001"), 1);
	assert_non_null(strstr(p.out, "is damaged: stopping"));
	assert_non_null(strstr(p.out, f->db));
	snprintf(cp, sizeof(cp), "cp %s %s", newest, f->db);
	assert_non_null(strstr(p.out, cp));
	/* One failed statement, not a retry loop. */
	assert_true(count_str(p.out, "malformed") <= 3);
}

/*
 * A damaged database gives a damaged copy (the backup API copies pages as
 * they are): each copy is checked before it counts.  A bad one is deleted
 * and reported, and the older good copies are not pruned for it.
 */
static void
test_backup_damaged_copy(void **state)
{
	struct fixture *f = *state;
	struct proc p;
	char newest[512], to[192];
	int64_t page;
	off_t at;

	/* Two good copies (keep = 2), on two days. */
	assert_int_equal(run(&p, f, DAY1, "run", "--once", NULL), 0);
	assert_int_equal(run(&p, f, DAY1 + DAY, "run", "--once", NULL), 0);
	assert_int_equal(copies(f, NULL, 0), 2);
	/* A table the dummy phone's gateway never reads: the run goes on. */
	at = root_page(f->db, "ussd", &page);
	overwrite(f->db, at, (size_t)page);

	/* `tinbao backup` (the admins alerted), and `--to` an existing good
	 * file. */
	assert_int_not_equal(run(&p, f, DAY1 + 2 * DAY, "backup", NULL), 0);
	assert_non_null(strstr(p.out, "fails PRAGMA quick_check"));
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM alerts WHERE key = 'backup_bad' AND "
				       "active = 1"),
			 1);
	assert_int_equal(copies(f, newest, sizeof(newest)), 2);
	assert_non_null(strstr(newest, "/bk/tinbao-20260303-"));
	snprintf(to, sizeof(to), "%s/keep.db", f->dir);
	assert_int_equal(rename(newest, to), 0);
	assert_int_not_equal(run(&p, f, DAY1 + 2 * DAY, "backup", "--to", to, NULL), 0);
	assert_int_equal(db_int(to, "SELECT count(*) FROM pragma_quick_check WHERE "
				    "quick_check = 'ok'"),
			 1);
	assert_int_equal(rename(to, newest), 0);

	/* The daily copy: deleted, both old copies kept, and again an hour
	 * later; the admins were alerted once in all. */
	assert_int_equal(run(&p, f, DAY1 + 2 * DAY, "run", "--once", NULL), 0);
	assert_non_null(strstr(p.out, "fails PRAGMA quick_check"));
	assert_int_equal(copies(f, newest, sizeof(newest)), 2);
	assert_non_null(strstr(newest, "/bk/tinbao-20260303-"));
	assert_int_equal(run(&p, f, DAY1 + 2 * DAY + 3600, "run", "--once", NULL), 0);
	assert_int_equal(copies(f, NULL, 0), 2);
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM outbox WHERE reason = 'alert' AND "
				       "text LIKE '%ban sao luu moi bi hong%'"),
			 1);
}

/* Waits until n replies were sent (20 s at most); 0 or -1. */
static int
wait_replies(struct proc *p, const struct fixture *f, int n)
{
	return wait_db(p, f->db,
		       "SELECT count(*) FROM outbox WHERE reason = 'reply' AND state = 'sent'", n,
		       20000);
}

/*
 * A database of `rows` pages more than the gateway's own (a table it never
 * reads), made at 00:00 before the day's copy is due, and the gateway
 * started at 10:00 with its copy slowed down to one page a step: the copy
 * is under way for several seconds.  Returns once its temporary file is
 * there, named in tmp.
 */
static void
start_slow_copy(struct proc *p, const struct fixture *f, int rows, char *tmp, size_t tmpsz)
{
	const char *args[] = {"run", NULL};
	char sql[256];
	struct stat sb;
	int waited;

	assert_int_equal(run(p, f, DAY1 - 10 * 3600, "run", "--once", NULL), 0);
	snprintf(sql, sizeof(sql),
		 "CREATE TABLE filler(b BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
		 "SELECT i + 1 FROM n WHERE i < %d) INSERT INTO filler SELECT randomblob(3000) "
		 "FROM n",
		 rows);
	db_exec(f->db, sql);
	setenv("TINBAO_BACKUP_PAGES", "1", 1);
	start(p, f, DAY1, args);
	unsetenv("TINBAO_BACKUP_PAGES");
	snprintf(tmp, tmpsz, "%s/bk/tinbao-20260302-100000.db.tmp", f->dir);
	for (waited = 0; waited < 20000 && stat(tmp, &sb) == -1; waited += 20)
		drain(p, 20);
	if (stat(tmp, &sb) == -1)
		fail_msg("no copy under way after %d ms:\n%s", waited, p->out);
}

/*
 * The daily copy is made in steps: an SMS that comes while it is under way
 * is read and answered before the copy is complete; a write by another
 * process starts the copy again.  The copy, once written, passes its check
 * and holds both, and the gateway logs the longest time it went without
 * reading the modem.
 */
static void
test_backup_steps(void **state)
{
	struct fixture *f = *state;
	char copy[512], tmp[512];
	struct proc p;
	struct stat sb;
	const char *gap;

	start_slow_copy(&p, f, 500, tmp, sizeof(tmp));
	snprintf(copy, sizeof(copy), "%.*s", (int)(strlen(tmp) - 4), tmp);
	inject(f, "+84912000001", "ENROL Minh Son 5 han");
	assert_int_equal(wait_replies(&p, f, 1), 0);
	assert_int_equal(stat(copy, &sb), -1);
	assert_int_equal(stat(tmp, &sb), 0);
	assert_int_equal(phone_count(f), 0);
	/* Another process writes: the next step starts the copy again. */
	db_exec(f->db, "INSERT INTO filler VALUES (x'6d61726b')");
	assert_int_equal(wait_log(&p, "written", 60000), 0);
	kill(p.pid, SIGTERM);
	assert_int_equal(finish(&p), 0);
	assert_int_equal(copies(f, NULL, 0), 1);
	assert_int_equal(stat(tmp, &sb), -1);
	assert_int_equal(db_int(copy, "SELECT count(*) FROM pragma_quick_check WHERE "
				      "quick_check = 'ok'"),
			 1);
	assert_int_equal(db_int(copy, "SELECT count(*) FROM inbox"), 1);
	assert_int_equal(db_int(copy, "SELECT count(*) FROM reports"), 1);
	assert_int_equal(db_int(copy, "SELECT count(*) FROM filler WHERE b = x'6d61726b'"), 1);
	assert_int_equal(db_int(copy, "SELECT count(*) FROM filler"), 501);
	gap = strstr(p.out, "the longest time without reading the modems: ");
	assert_non_null(gap);
	assert_true(atoi(gap + strlen("the longest time without reading the modems: ")) >= 0);
}

/* Stopped while a copy is under way: the copy is abandoned, nothing left
 * behind; the next run makes the day's copy. */
static void
test_backup_abandoned(void **state)
{
	char newest[512], tmp[512];
	struct proc p;
	struct stat sb;

	start_slow_copy(&p, *state, 300, tmp, sizeof(tmp));
	kill(p.pid, SIGTERM);
	assert_int_equal(finish(&p), 0);
	assert_non_null(strstr(p.out, "abandoned"));
	assert_int_equal(stat(tmp, &sb), -1);
	assert_int_equal(copies(*state, NULL, 0), 0);
	assert_int_equal(run(&p, *state, DAY1 + 60, "run", "--once", NULL), 0);
	assert_int_equal(copies(*state, newest, sizeof(newest)), 1);
	assert_int_equal(db_int(newest, "SELECT count(*) FROM filler"), 300);
}

/* The daemon's copy of a damaged database fails its check (made in a
 * process of its own): deleted, the admins alerted, the next attempt an
 * hour later, and the gateway goes on. */
static void
test_backup_steps_damaged(void **state)
{
	const char *args[] = {"run", NULL};
	struct fixture *f = *state;
	int64_t page;
	off_t at;
	struct proc p;

	assert_int_equal(run(&p, f, DAY1 - 10 * 3600, "run", "--once", NULL), 0);
	at = root_page(f->db, "ussd", &page);
	overwrite(f->db, at, (size_t)page);
	start(&p, f, DAY1, args);
	assert_int_equal(wait_log(&p, "next attempt in 3600 s", 30000), 0);
	assert_non_null(strstr(p.out, "fails PRAGMA quick_check"));
	inject(f, "+84912000001", "ENROL Minh Son 5 han");
	assert_int_equal(wait_replies(&p, f, 1), 0);
	kill(p.pid, SIGTERM);
	assert_int_equal(finish(&p), 0);
	assert_int_equal(copies(f, NULL, 0), 0);
	assert_int_equal(db_int(f->db, "SELECT count(*) FROM alerts WHERE key = 'backup_bad' AND "
				       "active = 1"),
			 1);
	assert_int_equal(count_str(p.out, "the daily copy failed"), 1);
}

/* The backup group is checked like the rest: file:line for each error. */
static void
test_backup_config(void **state)
{
	struct fixture *f = *state;
	struct proc p;
	char want[256], buf[2048], tmp[160];
	FILE *in, *out;
	int line = 0;

	/* The setup's backup group replaced by a wrong one. */
	snprintf(tmp, sizeof(tmp), "%s.new", f->conf);
	in = fopen(f->conf, "r");
	out = fopen(tmp, "w");
	assert_non_null(in);
	assert_non_null(out);
	while (fgets(buf, sizeof(buf), in) != NULL) {
		if (strncmp(buf, "backup = {", 10) == 0)
			continue;
		fputs(buf, out);
		line++;
	}
	fclose(in);
	fprintf(out, "backup = {\n\tdir = \"bk\";\n\tkeep = 0;\n\thour = 24;\n};\n");
	assert_int_equal(fclose(out), 0);
	assert_int_equal(rename(tmp, f->conf), 0);
	assert_int_equal(chmod(f->conf, 0600), 0);
	assert_int_not_equal(run(&p, f, 0, "check-config", NULL), 0);
	snprintf(want, sizeof(want), "%s:%d: error: \"keep\"", f->conf, line + 3);
	assert_non_null(strstr(p.out, want));
	snprintf(want, sizeof(want), "%s:%d: error: \"hour\"", f->conf, line + 4);
	assert_non_null(strstr(p.out, want));
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_backup_command, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backup_daily, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backup_steps, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backup_abandoned, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backup_steps_damaged, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backup_to_live, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_corrupt_database, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unclean_damaged, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_restore_names_good_copy, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_missing_database, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_disk_full, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backup_config, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_damaged_while_running, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backup_damaged_copy, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_empty_database, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_only_folder, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_damaged_at_start, setup, teardown),
	};

	if (argc > 1)
		tinbao = argv[1];
	/* Absolute: a test may run the binary from another folder. */
	if (realpath(tinbao, tinbao_path) != NULL)
		tinbao = tinbao_path;
	/* TEST_FILTER=test_backup_* runs only the tests whose names match. */
	if (getenv("TEST_FILTER") != NULL)
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	log_init(0, LOG_LEVEL_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
