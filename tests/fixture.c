/*
 * fixture.c - see fixture.h.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "fixture.h"

#define MAX_ARGS 16
#define STEP_MS 5

/*
 * What fixture_setup() adds to every configuration: the tests of other
 * things than the sender policy take SMS from numbers nobody registered, many of them
 * from one number, so the sender policy accepts everyone and the limits are
 * off.  The tests of the limits give their own (fixture_setup_with).
 */
#define OPEN_DOORS                                                                                 \
	"senders = { unknown = \"accept\"; };\n"                                                   \
	"limits = { per_sender_hour = 0; replies_per_day = 0; identical = 0; daily_cap = 0; };\n"

static int
write_files(const struct fixture *f, const char *template_conf, const char *extra)
{
	char line[1024], phone[128];
	FILE *in, *out;
	const char *p;
	int skip = 0;

	snprintf(phone, sizeof(phone), "%s/phone", f->dir);
	if (mkdir(phone, 0700) == -1)
		return -1;
	out = fopen(f->gammurc, "w");
	if (out == NULL)
		return -1;
	fprintf(out, "[gammu]\nmodel = dummy\nconnection = none\ndevice = %s\n", phone);
	fclose(out);

	in = fopen(template_conf, "r");
	if (in == NULL)
		return -1;
	out = fopen(f->conf, "w");
	if (out == NULL) {
		fclose(in);
		return -1;
	}
	while (fgets(line, sizeof(line), in) != NULL) {
		p = line + strspn(line, " \t");
		/* The shipped file's daily backups: a test that wants them
		 * configures its own (extra). */
		if (strncmp(line, "backup = {", 10) == 0)
			skip = 1;
		if (skip) {
			skip = strncmp(line, "};", 2) != 0;
			continue;
		}
		if (strncmp(p, "database =", 10) == 0)
			fprintf(out, "database = \"%s\";\n", f->db);
		else if (strncmp(p, "rc =", 4) == 0)
			fprintf(out, "rc = \"%s\";\n", f->gammurc);
		else if (strncmp(p, "rate =", 6) == 0)
			fputs("rate = 1000;\n", out); /* sending.rate: see fixture.h */
		else
			fputs(line, out);
	}
	fclose(in);
	if (extra != NULL)
		fputs(extra, out);
	if (fchmod(fileno(out), 0600) == -1) {
		fclose(out);
		return -1;
	}
	return fclose(out) == 0 ? 0 : -1;
}

int
fixture_conf_set(const struct fixture *f, const char *key, const char *value)
{
	char line[1024], tmp[160];
	FILE *in, *out;
	const char *p;
	size_t klen = strlen(key);
	int found = 0;

	snprintf(tmp, sizeof(tmp), "%s.new", f->conf);
	in = fopen(f->conf, "r");
	if (in == NULL)
		return -1;
	out = fopen(tmp, "w");
	if (out == NULL || fchmod(fileno(out), 0600) == -1) {
		fclose(in);
		if (out != NULL)
			fclose(out);
		return -1;
	}
	while (fgets(line, sizeof(line), in) != NULL) {
		p = line + strspn(line, " \t#");
		if (!found && strncmp(p, key, klen) == 0 && strncmp(p + klen, " =", 2) == 0) {
			fprintf(out, "%s = %s;\n", key, value);
			found = 1;
		} else {
			fputs(line, out);
		}
	}
	fclose(in);
	if (fclose(out) != 0 || !found || rename(tmp, f->conf) == -1) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

int
fixture_setup(struct fixture *f, const char *tinbao, const char *template_conf)
{
	return fixture_setup_with(f, tinbao, template_conf, OPEN_DOORS);
}

int
fixture_setup_with(struct fixture *f, const char *tinbao, const char *template_conf,
		   const char *extra)
{
	memset(f, 0, sizeof(*f));
	/* make valgrind runs another build of the binary. */
	f->tinbao = getenv("TINBAO_BIN") != NULL ? getenv("TINBAO_BIN") : tinbao;
	/* Every file a test writes (configurations, token files) is private,
	 * as the gateway demands of them. */
	umask(077);
	/* Tests run as root in CI, and start the gateway in several ways (the
	 * fixture, fork and exec, popen): it may stay root for all of them.  A
	 * test of the drop from root sets TINBAO_ALLOW_ROOT=0 itself. */
	setenv("TINBAO_ALLOW_ROOT", "1", 0);
	strcpy(f->dir, "/tmp/tinbao-test-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->conf, sizeof(f->conf), "%s/tinbao.conf", f->dir);
	snprintf(f->gammurc, sizeof(f->gammurc), "%s/gammurc", f->dir);
	snprintf(f->db, sizeof(f->db), "%s/tinbao.db", f->dir);
	return write_files(f, template_conf, extra);
}

void
fixture_teardown(struct fixture *f)
{
	char cmd[160];

	if (f->dir[0] == '\0')
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fixture: could not remove %s\n", f->dir);
	f->dir[0] = '\0';
}

/*
 * TINBAO_WRAPPER="valgrind --leak-check=full ...": the gateway runs under
 * that command (words split at spaces), e.g. `make valgrind`.  Returns only
 * when there is no wrapper.
 */
static void
wrapped(const char **argv)
{
	const char *w = getenv("TINBAO_WRAPPER");
	const char *v[MAX_ARGS + 32];
	char *copy, *word, *save;
	size_t n = 0, i;

	if (w == NULL || w[strspn(w, " ")] == '\0' || (copy = strdup(w)) == NULL)
		return;
	for (word = strtok_r(copy, " ", &save); word != NULL && n < 31;
	     word = strtok_r(NULL, " ", &save))
		v[n++] = word;
	for (i = 0; argv[i] != NULL && n < MAX_ARGS + 31; i++)
		v[n++] = argv[i];
	v[n] = NULL;
	execvp(v[0], (char *const *)v);
	_exit(127);
}

static void
child(const struct fixture *f, const char *crash, const char **argv)
{
	int devnull = open("/dev/null", O_WRONLY);

	if (crash != NULL)
		setenv("TINBAO_CRASH", crash, 1);
	else
		unsetenv("TINBAO_CRASH");
	/* The gateway's log only when asked: TEST_VERBOSE=1 make check. */
	if (getenv("TEST_VERBOSE") == NULL && devnull != -1)
		dup2(devnull, STDERR_FILENO);
	wrapped(argv);
	execv(f->tinbao, (char *const *)argv);
	_exit(127);
}

int
fixture_run(const struct fixture *f, const char *crash, int kill_after_ms, int timeout_s,
	    struct rusage *ru, const char *cmd, ...)
{
	struct timespec step = {0, STEP_MS * 1000 * 1000};
	const char *argv[MAX_ARGS + 1];
	struct rusage usage;
	int argc = 0, status, waited_ms = 0;
	va_list ap;
	pid_t pid, r;

	argv[argc++] = f->tinbao;
	argv[argc++] = "-c";
	argv[argc++] = f->conf;
	argv[argc++] = cmd;
	va_start(ap, cmd);
	while (argc < MAX_ARGS) {
		argv[argc] = va_arg(ap, const char *);
		if (argv[argc] == NULL)
			break;
		argc++;
	}
	va_end(ap);
	argv[argc] = NULL;

	pid = fork();
	if (pid == -1)
		return -1;
	if (pid == 0)
		child(f, crash, argv);
	for (;;) {
		r = wait4(pid, &status, WNOHANG, &usage);
		if (r == pid)
			break;
		if (r == -1)
			return -1;
		if (kill_after_ms > 0 && waited_ms >= kill_after_ms) {
			kill(pid, SIGKILL);
			kill_after_ms = 0;
		}
		if (waited_ms > timeout_s * 1000) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			fprintf(stderr, "fixture: tinbao %s did not finish within %d s\n", cmd,
				timeout_s);
			return -1;
		}
		nanosleep(&step, NULL);
		waited_ms += STEP_MS;
	}
	if (ru != NULL)
		*ru = usage;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int64_t
fixture_db_int(const char *path, const char *sql, int *err)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	int64_t v = -1;
	int failed = 1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
		sqlite3_busy_timeout(db, 5000);
		if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK) {
			failed = 0;
			if (sqlite3_step(stmt) == SQLITE_ROW)
				v = sqlite3_column_int64(stmt, 0);
		} else if (err != NULL) {
			fprintf(stderr, "fixture: %s: %s\n", sql, sqlite3_errmsg(db));
		}
	}
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	if (err != NULL)
		*err = failed;
	return v;
}

int
fixture_wait_db(const char *path, const char *sql, int64_t want, int ms)
{
	struct timespec step = {0, 100 * 1000 * 1000};
	int waited;

	for (waited = 0; waited < ms; waited += 100) {
		/* Not there yet, or its schema not yet created: not an error. */
		if (access(path, F_OK) == 0 && fixture_db_int(path, sql, NULL) == want)
			return 0;
		nanosleep(&step, NULL);
	}
	return -1;
}

int
fixture_output(const struct fixture *f, const char *args, char *out, size_t outsz)
{
	char cmd[1024];
	size_t n;
	FILE *p;
	int status;

	snprintf(cmd, sizeof(cmd), "%s -c %s %s 2>&1", f->tinbao, f->conf, args);
	p = popen(cmd, "r");
	if (p == NULL)
		return -1;
	n = fread(out, 1, outsz - 1, p);
	out[n] = '\0';
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
