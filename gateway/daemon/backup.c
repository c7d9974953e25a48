/*
 * backup.c - see backup.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "backup.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "store.h"

#define PREFIX "tinbao-"
#define SUFFIX ".db"
#define NAME_LEN (sizeof(PREFIX) - 1 + 15 + sizeof(SUFFIX) - 1) /* YYYYMMDD-HHMMSS */
#define STEP_PAGES 1024 /* `tinbao backup`: nothing waits for it */
#define RETRY_S 3600
/* The daemon's copy: a step copies pages STEP_CHUNK at a time for at most
 * STEP_MS, then the loop reads the modems for PAUSE_MS before the next;
 * the child that checks a complete copy is looked at every CHECK_MS. */
#define STEP_MS 20
#define STEP_CHUNK 64
#define PAUSE_MS 10
#define CHECK_MS 50
#define CHECK_BAD 2 /* the checker's status: the copy fails quick_check */

#define BAD_COPY_TEXT                                                                              \
	"Canh bao tinbao: ban sao luu moi bi hong (co so du lieu co the da hong), da xoa; "        \
	"cac ban sao cu van giu. Kiem tra may chu."
#define GOOD_COPY_TEXT "Het canh bao tinbao: ban sao luu hang ngay da binh thuong tro lai."

/* tinbao-YYYYMMDD-HHMMSS.db */
static int
is_copy(const char *name)
{
	size_t i;

	if (strlen(name) != NAME_LEN || strncmp(name, PREFIX, sizeof(PREFIX) - 1) != 0 ||
	    strcmp(name + NAME_LEN - (sizeof(SUFFIX) - 1), SUFFIX) != 0)
		return 0;
	for (i = sizeof(PREFIX) - 1; i < sizeof(PREFIX) - 1 + 15; i++) {
		if (i == sizeof(PREFIX) - 1 + 8 ? name[i] != '-' : (name[i] < '0' || name[i] > '9'))
			return 0;
	}
	return 1;
}

static int
by_name_desc(const void *a, const void *b)
{
	return strcmp(*(char *const *)b, *(char *const *)a);
}

/* The copies in dir, newest first.  0 or -1 (*n is 0 when dir is missing). */
static int
list_copies(const char *dir, char ***v, size_t *n)
{
	struct dirent *de;
	DIR *d;
	char **nv;
	size_t cap = 0;

	*v = NULL;
	*n = 0;
	d = opendir(dir);
	if (d == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)) != NULL) {
		if (!is_copy(de->d_name))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			nv = realloc(*v, cap * sizeof(**v));
			if (nv == NULL)
				goto fail;
			*v = nv;
		}
		if (((*v)[*n] = strdup(de->d_name)) == NULL)
			goto fail;
		(*n)++;
	}
	closedir(d);
	if (*n > 0)
		qsort(*v, *n, sizeof(**v), by_name_desc);
	return 0;

fail:
	closedir(d);
	return -1;
}

static void
free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int
sync_path(const char *path, int flags)
{
	int fd, r;

	fd = open(path, flags | O_CLOEXEC);
	if (fd == -1) {
		log_warn("backup: %s", path);
		return -1;
	}
	r = fsync(fd);
	if (r == -1)
		log_warn("backup: fsync %s", path);
	close(fd);
	return r;
}

/* The folder part of path, "." when there is none. */
static void
dir_of(const char *path, char *out, size_t outsz)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(out, outsz, ".");
	else if (slash == path)
		snprintf(out, outsz, "/");
	else
		snprintf(out, outsz, "%.*s", (int)(slash - path), path);
}

/* tmp is file with ".tmp" after it.  0, or -1 (logged) when too long. */
static int
tmp_name(const char *file, char *tmp, size_t tmpsz)
{
	if ((size_t)snprintf(tmp, tmpsz, "%s.tmp", file) < tmpsz)
		return 0;
	log_warnx("backup: %s: name too long", file);
	return -1;
}

/* Starts a copy of st into tmp.  NULL on failure (logged). */
static struct store_copy *
copy_start(struct store *st, const char *tmp)
{
	char journal[4096 + 16];

	/* A leftover of an interrupted copy would be taken as the start of a
	 * database, and its journal played back into the new one. */
	snprintf(journal, sizeof(journal), "%s-journal", tmp);
	if ((unlink(tmp) == -1 && errno != ENOENT) || (unlink(journal) == -1 && errno != ENOENT)) {
		log_warn("backup: %s", tmp);
		return NULL;
	}
	return store_copy_start(st, tmp);
}

/* Closes a copy whose last step gave r (1: complete) and makes it private.
 * 0, or -1 with tmp removed. */
static int
copy_end(struct store_copy *c, const char *tmp, int r)
{
	if (store_copy_finish(c) == -1 || r != 1)
		goto fail;
	/* Phone numbers and reports: readable by the gateway's user only. */
	if (chmod(tmp, 0600) == -1) {
		log_warn("backup: %s", tmp);
		goto fail;
	}
	return 0;

fail:
	unlink(tmp);
	return -1;
}

/*
 * What cannot be done in steps, on a complete copy tmp: synced, checked,
 * renamed to file, its folder synced.  0, or -1 with tmp removed (*bad set
 * when the copy failed its check).
 */
static int
seal(const char *tmp, const char *file, int *bad)
{
	char dir[4096];

	*bad = 0;
	if (sync_path(tmp, O_RDONLY) == -1)
		goto fail;
	/* The backup API copies pages as they are: a damaged database gives a
	 * damaged copy, which must neither take a good copy's place nor count
	 * as the day's copy that lets the oldest be removed. */
	if (store_check_file(tmp) == -1) {
		log_warnx("backup: the copy for %s fails PRAGMA quick_check (the database itself "
			  "may be damaged): deleted, the existing copies are kept",
			  file);
		*bad = 1;
		goto fail;
	}
	if (rename(tmp, file) == -1) {
		log_warn("backup: rename %s to %s", tmp, file);
		goto fail;
	}
	dir_of(file, dir, sizeof(dir));
	return sync_path(dir, O_RDONLY | O_DIRECTORY);

fail:
	unlink(tmp);
	return -1;
}

int
backup_write(struct store *st, const char *file, int *bad)
{
	struct store_copy *c;
	char tmp[4096];
	int r, b;

	if (bad != NULL)
		*bad = 0;
	if (tmp_name(file, tmp, sizeof(tmp)) == -1)
		return -1;
	c = copy_start(st, tmp);
	if (c == NULL)
		return -1;
	while ((r = store_copy_step(c, STEP_PAGES)) == 0)
		;
	if (copy_end(c, tmp, r) == -1)
		return -1;
	r = seal(tmp, file, &b);
	if (bad != NULL)
		*bad = b;
	return r;
}

/* Removes the oldest copies beyond keep. */
static void
prune(const char *dir, int keep)
{
	char **v, path[4096];
	size_t n, i;

	if (list_copies(dir, &v, &n) == -1) {
		log_warn("backup: %s", dir);
		free_list(v, n);
		return;
	}
	for (i = (size_t)keep; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, v[i]);
		if (unlink(path) == -1)
			log_warn("backup: remove %s", path);
		else
			log_info("backup: removed the old copy %s", path);
	}
	free_list(v, n);
}

/* The path of a copy made at now in cfg->backup.dir (created when
 * missing) into out.  0 or -1 (logged). */
static int
dated_name(const struct config *cfg, int64_t now, char *out, size_t outsz)
{
	const char *dir = cfg->backup.dir;
	struct tm tm;

	if (dir == NULL) {
		log_warnx("backup: no backup folder configured (backup.dir in %s)", cfg->path);
		return -1;
	}
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		log_warn("backup: %s", dir);
		return -1;
	}
	clock_local(now, &tm);
	if ((size_t)snprintf(out, outsz, "%s/" PREFIX "%04d%02d%02d-%02d%02d%02d" SUFFIX, dir,
			     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			     tm.tm_sec) >= outsz) {
		log_warnx("backup: %s: name too long", dir);
		return -1;
	}
	return 0;
}

int
backup_now(const struct config *cfg, struct store *st, int64_t now, char *out, size_t outsz,
	   int *bad)
{
	if (bad != NULL)
		*bad = 0;
	if (dated_name(cfg, now, out, outsz) == -1 || backup_write(st, out, bad) == -1)
		return -1;
	prune(cfg->backup.dir, cfg->backup.keep);
	return 0;
}

int
backup_report_bad(const struct config *cfg, struct store *st, int64_t now)
{
	return alert_raise(cfg, st, "backup_bad", BAD_COPY_TEXT, now) == -1 ? -1 : 0;
}

/* path with its folder made absolute and free of symbolic links (the last
 * component kept as it is), into out.  0, or -1 when the folder does not
 * resolve. */
static int
canonical(const char *path, char *out, size_t outsz)
{
	char dir[4096], *real;
	const char *base = strrchr(path, '/');
	int n;

	dir_of(path, dir, sizeof(dir));
	base = base == NULL ? path : base + 1;
	real = realpath(dir, NULL);
	if (real == NULL)
		return -1;
	n = snprintf(out, outsz, "%s/%s", strcmp(real, "/") == 0 ? "" : real, base);
	free(real);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

/* 1 when file is the database itself or one of its companions, by name
 * (also through ./, ../ or a linked folder) or by inode (a symbolic or hard
 * link to it). */
static int
is_live(const char *db, const char *file)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal", ".lock"};
	char live[4096], canon_db[4096], canon_file[4096];
	struct stat sf, sl;
	size_t i;
	int named;

	named = canonical(db, canon_db, sizeof(canon_db)) == 0 &&
		canonical(file, canon_file, sizeof(canon_file)) == 0;
	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		if (named &&
		    (size_t)snprintf(live, sizeof(live), "%s%s", canon_db, suffixes[i]) <
			sizeof(live) &&
		    strcmp(live, canon_file) == 0)
			return 1;
		snprintf(live, sizeof(live), "%s%s", db, suffixes[i]);
		if (stat(file, &sf) == 0 && stat(live, &sl) == 0 && sf.st_dev == sl.st_dev &&
		    sf.st_ino == sl.st_ino)
			return 1;
	}
	return 0;
}

int
backup_check_target(const struct config *cfg, const char *file)
{
	char tmp[4096];

	/* The copy is first written to FILE.tmp, which is removed when it
	 * fails. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	if (!is_live(cfg->database, file) && !is_live(cfg->database, tmp))
		return 0;
	log_warnx("backup: %s is the live database %s (or its -wal, -shm, -journal or lock "
		  "file): a copy is never written over it; give another file",
		  file, cfg->database);
	return -1;
}

int
backup_newest(const char *dir, char *out, size_t outsz)
{
	char **v;
	size_t n;
	int found = 0;

	if (dir == NULL || list_copies(dir, &v, &n) == -1)
		return 0;
	if (n > 0) {
		snprintf(out, outsz, "%s/%s", dir, v[0]);
		found = 1;
	}
	free_list(v, n);
	return found;
}

struct backup {
	int once;
	int pages;		 /* pages per step (TINBAO_BACKUP_PAGES), 0: by time */
	int64_t retry_at;	 /* clock_now() time of the next attempt after a failure */
	struct store_copy *copy; /* the copy under way, NULL when none */
	pid_t checker;		 /* the child sealing a complete copy, 0 when none */
	int64_t started;	 /* monotonic ms */
	int keep;
	char dir[4096], file[4096], tmp[4096];
};

static int64_t
elapsed_ms(int64_t since)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - since;
}

struct backup *
backup_new(int once)
{
	struct backup *b = calloc(1, sizeof(*b));
	const char *pages = getenv("TINBAO_BACKUP_PAGES");

	if (b == NULL) {
		log_warn("backup");
		return NULL;
	}
	b->once = once;
	/* A test facility: a copy slowed down to a few pages a step, to see the
	 * loop go on while it is under way. */
	if (pages != NULL && atoi(pages) > 0)
		b->pages = atoi(pages);
	return b;
}

void
backup_abandon(struct backup *b)
{
	if (b == NULL || (b->copy == NULL && b->checker == 0))
		return;
	if (b->checker > 0) {
		kill(b->checker, SIGKILL);
		while (waitpid(b->checker, NULL, 0) == -1 && errno == EINTR)
			;
		b->checker = 0;
	}
	store_copy_finish(b->copy);
	b->copy = NULL;
	unlink(b->tmp);
	log_info("backup: the copy %s under way is abandoned", b->file);
}

void
backup_free(struct backup *b)
{
	backup_abandon(b);
	free(b);
}

/* A copy ended (r: 0 or -1, bad: it failed its check): logged, the alert
 * raised or cleared, the next attempt set. */
static void
ended(struct backup *b, const struct config *cfg, struct store *st, int r, int bad)
{
	int64_t now = clock_now();

	if (r == -1) {
		b->retry_at = now + RETRY_S;
		log_warnx("backup: the daily copy failed; next attempt in %d s", RETRY_S);
		if (bad)
			backup_report_bad(cfg, st, now);
		return;
	}
	log_info("backup: daily copy %s written (%.1f s)", b->file,
		 (double)elapsed_ms(b->started) / 1000.0);
	alert_clear(cfg, st, "backup_bad", GOOD_COPY_TEXT, now);
}

/* 1 when the day's copy is due at now. */
static int
due(const struct backup *b, const struct config *cfg, int64_t now)
{
	char newest[4096], today[48];
	struct tm tm;

	if (cfg->backup.dir == NULL || now < b->retry_at || b->copy != NULL || b->checker > 0)
		return 0;
	clock_local(now, &tm);
	if (tm.tm_hour < cfg->backup.hour)
		return 0;
	snprintf(today, sizeof(today), PREFIX "%04d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday);
	/* today's copy (or a later one: the clock went back) */
	return !backup_newest(cfg->backup.dir, newest, sizeof(newest)) ||
	       strncmp(strrchr(newest, '/') + 1, today, strlen(today)) < 0;
}

int
backup_tick(struct backup *b, const struct config *cfg, struct store *st, int64_t now)
{
	int bad = 0, r;

	if (!due(b, cfg, now))
		return 0;
	b->started = elapsed_ms(0);
	if (b->once) {
		r = backup_now(cfg, st, now, b->file, sizeof(b->file), &bad);
		ended(b, cfg, st, r, bad);
		return r == -1 ? -1 : 1;
	}
	if (dated_name(cfg, now, b->file, sizeof(b->file)) == -1 ||
	    tmp_name(b->file, b->tmp, sizeof(b->tmp)) == -1 ||
	    (b->copy = copy_start(st, b->tmp)) == NULL) {
		ended(b, cfg, st, -1, 0);
		return -1;
	}
	snprintf(b->dir, sizeof(b->dir), "%s", cfg->backup.dir);
	b->keep = cfg->backup.keep;
	log_info("backup: daily copy %s under way", b->file);
	return 1;
}

/*
 * The seal of a complete copy, in a child process.  A thread could not be
 * stopped at shutdown in the middle of an fsync or of a long quick_check; a
 * child is killed and reaped at once, and its crash would not take the
 * gateway with it.  The child never touches the gateway's own connection
 * (it opens the copy on a connection of its own) and ends with _exit(), so
 * that nothing of the parent's (stdio buffers, SQLite handles) is flushed
 * or closed twice.  It is forked from the loop's thread, the only one that
 * uses SQLite; glibc's malloc stays usable in a child even when another
 * thread (libcurl's resolver) was allocating.  Returns the wait before the
 * next look at it, or -1 when the seal was done here (no child could be
 * made).
 */
static int
check(struct backup *b, const struct config *cfg, struct store *st)
{
	pid_t pid;
	int bad, r;

	pid = fork();
	if (pid == 0) {
		/* Stopped with the gateway (systemd, Ctrl-C), not left behind. */
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		r = seal(b->tmp, b->file, &bad);
		if (r == 0)
			prune(b->dir, b->keep);
		_exit(r == 0 ? 0 : bad ? CHECK_BAD : 1);
	}
	if (pid > 0) {
		b->checker = pid;
		return CHECK_MS;
	}
	log_warn("backup: fork (the copy is checked within the loop)");
	r = seal(b->tmp, b->file, &bad);
	if (r == 0)
		prune(b->dir, b->keep);
	ended(b, cfg, st, r, bad);
	return -1;
}

/* Looks whether the checker is done; the wait before the next look, or
 * -1 when the copy ended. */
static int
collect(struct backup *b, const struct config *cfg, struct store *st)
{
	pid_t r;
	int status = 0, code = 1;

	r = waitpid(b->checker, &status, WNOHANG);
	if (r == 0 || (r == -1 && errno == EINTR))
		return CHECK_MS;
	b->checker = 0;
	if (r == -1)
		log_warn("backup: the check of %s", b->file);
	else if (WIFSIGNALED(status))
		log_warnx("backup: the check of %s was killed by signal %d", b->file,
			  WTERMSIG(status));
	else if (WIFEXITED(status))
		code = WEXITSTATUS(status);
	if (code != 0)
		unlink(b->tmp);
	ended(b, cfg, st, code == 0 ? 0 : -1, code == CHECK_BAD);
	return -1;
}

int
backup_step(struct backup *b, const struct config *cfg, struct store *st)
{
	int64_t t0;
	int r;

	if (b->checker > 0)
		return collect(b, cfg, st);
	if (b->copy == NULL)
		return -1;
	/* By time rather than by a count of pages: a step must stay short on
	 * a slow card as on a fast disk. */
	t0 = elapsed_ms(0);
	do
		r = store_copy_step(b->copy, b->pages > 0 ? b->pages : STEP_CHUNK);
	while (r == 0 && b->pages == 0 && elapsed_ms(t0) < STEP_MS);
	if (r == 0)
		return PAUSE_MS;
	r = copy_end(b->copy, b->tmp, r);
	b->copy = NULL;
	if (r == -1) {
		ended(b, cfg, st, -1, 0);
		return -1;
	}
	return check(b, cfg, st);
}

int
backup_newest_good(const char *dir, char *out, size_t outsz)
{
	char **v;
	size_t n, i;
	int found = 0;

	if (dir == NULL)
		return 0;
	if (list_copies(dir, &v, &n) == -1) {
		free_list(v, n);
		return 0;
	}
	for (i = 0; i < n && !found; i++) {
		snprintf(out, outsz, "%s/%s", dir, v[i]);
		found = store_check_file(out) == 0;
	}
	free_list(v, n);
	return found;
}

static void
hint(const struct config *cfg, const char *why)
{
	char newest[4096];
	const char *db = cfg->database;
	int have;

	log_warnx("database %s: %s", db, why);
	/* The copy named must be one that would work: each is checked. */
	have = cfg->backup.dir != NULL && backup_newest(cfg->backup.dir, newest, sizeof(newest));
	if (have && !backup_newest_good(cfg->backup.dir, newest, sizeof(newest))) {
		log_warnx("to restore: stop tinbao, move %s (and %s-wal, %s-shm) aside and copy "
			  "your latest backup of it in its place; none of the copies in %s passes "
			  "PRAGMA quick_check",
			  db, db, db, cfg->backup.dir);
		return;
	}
	if (!have) {
		log_warnx("to restore: stop tinbao, move %s (and %s-wal, %s-shm) aside and copy "
			  "your latest backup of it in its place; no backup folder with copies "
			  "is configured (backup.dir in %s)",
			  db, db, db, cfg->path);
		return;
	}
	log_warnx("to restore: stop tinbao; mv %s %s.damaged (and %s-wal, %s-shm if present); "
		  "cp %s %s; then start tinbao again.  The copies in %s are named by date, "
		  "newest first: take an older one if this one fails too",
		  db, db, db, db, newest, db, cfg->backup.dir);
}

int
backup_check_database(const struct config *cfg)
{
	char newest[4096];
	struct stat sb;
	int empty = 0;

	if (cfg->backup.dir == NULL || strcmp(cfg->database, ":memory:") == 0 ||
	    strncmp(cfg->database, "file:", 5) == 0)
		return 0;
	/* SQLite takes an empty file for a new database: emptied by accident
	 * (a truncating copy, a full disk while restoring), it would start
	 * afresh just as a missing one would. */
	if (stat(cfg->database, &sb) == 0) {
		if (!S_ISREG(sb.st_mode) || sb.st_size > 0)
			return 0;
		empty = 1;
	} else if (errno != ENOENT) {
		return 0;
	}
	if (!backup_newest(cfg->backup.dir, newest, sizeof(newest)))
		return 0; /* a first start */
	hint(cfg, empty ? "empty (0 bytes), but backups of it exist; refusing to start with a "
			  "new empty database (the file is left as it is)"
			: "missing, but backups of it exist; refusing to start with a new empty "
			  "database");
	return -1;
}

/* The user the process runs as, for the messages: its name, or its uid. */
static void
user_name(char *out, size_t outsz)
{
	struct passwd *pw = getpwuid(geteuid());

	if (pw != NULL)
		snprintf(out, outsz, "%s", pw->pw_name);
	else
		snprintf(out, outsz, "uid %u", (unsigned int)geteuid());
}

/*
 * A database that cannot be opened because of permissions is not damaged:
 * advice to restore a copy over it would replace a good file.  0 when the
 * folder and the file can be written, -1 after saying which cannot, and by
 * whom it must be writable.
 */
static int
check_writable(const char *db)
{
	char dir[4096], user[64];

	if (strcmp(db, ":memory:") == 0 || strncmp(db, "file:", 5) == 0)
		return 0;
	dir_of(db, dir, sizeof(dir));
	user_name(user, sizeof(user));
	/* SQLite creates the -wal and -shm files next to the database. */
	if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) == -1) {
		log_warnx("database %s: its folder %s is not writable by %s, the user tinbao runs "
			  "as (SQLite creates %s-wal and %s-shm there).  The database is not "
			  "damaged: do not restore it; make the folder writable by %s (e.g. "
			  "chown %s %s; chmod u+rwx %s)",
			  db, dir, user, db, db, user, user, dir, dir);
		return -1;
	}
	if (faccessat(AT_FDCWD, db, R_OK | W_OK, AT_EACCESS) == -1 && errno == EACCES) {
		log_warnx(
		    "database %s: the file is not readable and writable by %s, the user "
		    "tinbao runs as.  The database is not damaged: do not restore it; give it "
		    "to %s (e.g. chown %s %s; chmod 600 %s)",
		    db, user, user, user, db, db);
		return -1;
	}
	return 0;
}

void
backup_restore_hint(const struct config *cfg)
{
	if (check_writable(cfg->database) == -1)
		return;
	hint(cfg, "cannot be used (see above); it is left untouched");
}

void
backup_damaged_hint(const struct config *cfg)
{
	hint(cfg, "damaged (SQLite found a malformed page); it is left untouched and must be "
		  "restored from a copy");
}
