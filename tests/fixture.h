/*
 * fixture.h - a gateway in a temporary folder for the integration tests and
 * the end-to-end benchmark: a gammu dummy phone, its gammurc, a copy of
 * contrib/tinbao.conf pointing at them and at a fresh SQLite file, and a way
 * to run the real binary on it, bounded in time.
 */
#ifndef TINBAO_FIXTURE_H
#define TINBAO_FIXTURE_H

#include <stdint.h>
#include <sys/resource.h>

struct fixture {
	char dir[64];
	char conf[128];
	char gammurc[128];
	char db[128];
	const char *tinbao; /* the binary under test */
};

/* Creates the folder, phone, gammurc and configuration (mode 0600).  The
 * configuration sends at up to 1000 SMS a minute (sending.rate), so that
 * tests not about the rate limit are not slowed by it, accepts unknown
 * senders and has no limits: the tests of everything else send
 * from unregistered numbers.  0 or -1. */
int fixture_setup(struct fixture *f, const char *tinbao, const char *template_conf);
/* The same with extra appended to the configuration instead (NULL: nothing,
 * i.e. the defaults: unknown senders quarantined, limits on). */
int fixture_setup_with(struct fixture *f, const char *tinbao, const char *template_conf,
		       const char *extra);
/* Sets `key = value;` on the first line of the configuration that sets key
 * (also a commented-out "# key = ..."), e.g. ("retry_min", "1").  0, or -1
 * when there is no such line. */
int fixture_conf_set(const struct fixture *f, const char *key, const char *value);
/* Removes the folder and everything in it. */
void fixture_teardown(struct fixture *f);

/*
 * Runs `tinbao -c conf cmd args... NULL`.  crash (or NULL) goes into
 * TINBAO_CRASH; kill_after_ms > 0 sends SIGKILL after that long; any run is
 * killed after timeout_s.  ru (or NULL) receives the child's resource usage.
 * Returns the exit status, 128 + signal when killed, or -1 on timeout or
 * when the child could not be started.
 */
int fixture_run(const struct fixture *f, const char *crash, int kill_after_ms, int timeout_s,
		struct rusage *ru, const char *cmd, ...);

/* Runs `tinbao -c conf ARGS` through the shell (args: words as a shell
 * reads them), keeps what it printed, stdout and stderr, in out; returns its
 * exit status, or -1 when it did not exit. */
int fixture_output(const struct fixture *f, const char *args, char *out, size_t outsz);

/*
 * The first column of the first row of sql, read through a connection of its
 * own (read-only) on the database at path; -1 when there is no row.  *err
 * (when not NULL) is set to 1 when the file cannot be opened or the query
 * prepared (e.g. the gateway is still creating its schema), 0 otherwise.
 */
int64_t fixture_db_int(const char *path, const char *sql, int *err);
/* Waits until fixture_db_int(path, sql) gives want, at most ms
 * milliseconds.  0 when it did, -1 when the time ran out. */
int fixture_wait_db(const char *path, const char *sql, int64_t want, int ms);

#endif
