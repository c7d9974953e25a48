/*
 * backup.h - copies of the database: daily into the configured folder, and
 * on demand (`tinbao backup`).
 *
 * A copy is made online with SQLite's backup API from the gateway's own
 * connection, written under a temporary name, synced, and renamed into
 * place, so a copy that exists under its final name is complete.  Copies in
 * the folder are named tinbao-YYYYMMDD-HHMMSS.db (Vietnam time); the names
 * sort by age, and the newest one's date says whether today's copy exists,
 * across restarts.  Beyond config.backup.keep the oldest are removed.
 */
#ifndef TINBAO_BACKUP_H
#define TINBAO_BACKUP_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct store;

/* Copies st into file (replaced when it exists).  The copy must pass
 * PRAGMA quick_check first: a damaged one is deleted (logged), file is left
 * as it was, and *bad (when not NULL) set to 1.  0 or -1. */
int backup_write(struct store *st, const char *file, int *bad);

/* Before backup_write() into a file the user named: -1 (logged) when file
 * is the live database or one of its companion files (-wal, -shm...), by
 * name or through a link; 0 otherwise. */
int backup_check_target(const struct config *cfg, const char *file);

/* Makes a dated copy in cfg->backup.dir now and, once it passed its check,
 * removes the oldest beyond keep; the new copy's path goes into out.  0 or
 * -1 (a damaged copy is deleted, no older one removed, *bad set as by
 * backup_write()). */
int backup_now(const struct config *cfg, struct store *st, int64_t now, char *out, size_t outsz,
	       int *bad);

/* A copy failed its check: raises the alert "backup_bad" to the admins
 * (once; the next good daily copy clears it).  st must be writable.  0 or
 * -1. */
int backup_report_bad(const struct config *cfg, struct store *st, int64_t now);

/*
 * The daemon's daily copy, made over many times round the loop so that the
 * modems are read all along: a step copies pages for at most about 20 ms,
 * and the loop reads the modems between two steps.  What cannot be cut into
 * steps (the fsync of the whole file, PRAGMA quick_check of the copy, the
 * rename, the removal of the oldest copies) runs in a child process that a
 * later step collects.
 *
 * Writes made while a copy is under way: those of the gateway itself (its
 * connection is the one copied from) are carried into the pages already
 * copied as they commit; a write by another process (a command such as
 * `tinbao send`) makes the next step start the copy again from its first
 * page.  Either way the copy is the database as it stood at its last step.
 */
struct backup;

/* once: a single pass (`run --once`), which ends with the turn; a copy due
 * is then made whole within backup_tick(), as `tinbao backup` does.
 * TINBAO_BACKUP_PAGES=N in the environment (a test facility) makes every
 * step copy N pages, however short that is.  NULL when out of memory
 * (logged). */
struct backup *backup_new(int once);
/* Abandons a copy under way (its check stopped, its FILE.tmp removed) and
 * frees b.  Before store_close() of the store it copies.  Accepts NULL. */
void backup_free(struct backup *b);
/* The store is going away or being reopened (it cannot be written): a copy
 * under way is abandoned as by backup_free(); the next turn that finds the
 * day's copy due starts a new one. */
void backup_abandon(struct backup *b);

/* Called every turn: starts the day's copy when it is due (from the
 * configured hour, none yet today, no failure in the last hour).  A copy
 * that fails its check raises the alert "backup_bad" (cleared by the next
 * good copy).  1 when a copy was started (once: made), 0 when none was due
 * or one is under way, -1 when it failed. */
int backup_tick(struct backup *b, const struct config *cfg, struct store *st, int64_t now);

/* Called every time round the loop: advances a copy under way by one step,
 * or collects its check.  Returns the milliseconds after which it wants to
 * be called again (the loop reads the modems meanwhile), or -1 when no copy
 * is under way. */
int backup_step(struct backup *b, const struct config *cfg, struct store *st);

/* The newest copy in dir into out: 1 found, 0 none (or no such folder). */
int backup_newest(const char *dir, char *out, size_t outsz);

/* The newest copy in dir that passes PRAGMA quick_check into out: 1 found,
 * 0 none. */
int backup_newest_good(const char *dir, char *out, size_t outsz);

/* Before the database is opened for the first time: a missing or empty
 * (0-byte) database file while copies exist in the backup folder is refused (it must be restored,
 * not replaced by a new empty one).  0, or -1 after logging how to restore. */
int backup_check_database(const struct config *cfg);

/* After the database could not be opened (damaged, not a database...):
 * logs the file and the way to restore it, naming the newest copy; or,
 * when the file or its folder is not writable by the user the process runs
 * as, says that instead (a matter of permissions, not of a restore). */
void backup_restore_hint(const struct config *cfg);
/* The same for a database found damaged (store_damaged()) while in use or
 * at start: says so, names the file and the newest sound copy to restore. */
void backup_damaged_hint(const struct config *cfg);

#endif
