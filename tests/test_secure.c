/*
 * test_secure.c - the gateway's defences: a configuration others
 * can read is refused, the drop from root to the configured user, and the
 * regressions of what the fuzzers found.
 *
 * The drop is tested for real when the tests run as root (CI does): the
 * gateway, started as root with user = "nobody", must process an SMS as
 * nobody; an unknown user and a missing user must make it refuse.  Not run
 * as root, those tests say so and check the non-root path instead.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "log.h"
#include "push.h"
#include "store.h"

#define TINBAO "./tinbao"
#define CONF "contrib/tinbao.conf"

static const char *
db_reports(void)
{
	return "SELECT count(*) FROM reports";
}

static void
append(const char *path, const char *text)
{
	FILE *f = fopen(path, "a");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* The gateway's stderr goes to dir/stderr.log, through whatever wrapper
 * (valgrind) the run already has. */
static void
capture(const struct fixture *f, char *log, size_t logsz)
{
	char script[160];
	const char *outer = getenv("TRUST_OUTER_WRAPPER");
	FILE *s;

	snprintf(log, logsz, "%s/stderr.log", f->dir);
	snprintf(script, sizeof(script), "%s/wrap.sh", f->dir);
	s = fopen(script, "w");
	assert_non_null(s);
	fprintf(s, "#!/bin/sh\nexec %s \"$@\" 2>>%s\n", outer != NULL ? outer : "", log);
	assert_int_equal(fclose(s), 0);
	assert_int_equal(chmod(script, 0700), 0);
	assert_int_equal(setenv("TINBAO_WRAPPER", script, 1), 0);
}

static void
uncapture(void)
{
	const char *outer = getenv("TRUST_OUTER_WRAPPER");

	if (outer != NULL)
		setenv("TINBAO_WRAPPER", outer, 1);
	else
		unsetenv("TINBAO_WRAPPER");
}

static int
file_has(const char *path, const char *needle)
{
	char buf[16384];
	size_t n;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (strstr(buf, needle) == NULL) {
		fprintf(stderr, "# %s lacks \"%s\"; it has:\n%s\n", path, needle, buf);
		return 0;
	}
	return 1;
}

static int
file_lacks(const char *path, const char *needle)
{
	char buf[16384];
	size_t n;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return 1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, needle) == NULL;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *w = getenv("TINBAO_WRAPPER");

	if (f == NULL || fixture_setup(f, TINBAO, CONF) == -1)
		return -1;
	/* Remember make valgrind's wrapper: capture() chains it. */
	if (w != NULL && getenv("TRUST_OUTER_WRAPPER") == NULL)
		setenv("TRUST_OUTER_WRAPPER", w, 1);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	uncapture();
	unsetenv("TINBAO_ALLOW_ROOT");
	fixture_teardown(f);
	free(f);
	return 0;
}

/* A configuration its group or others can read: run and push refuse it,
 * naming the file, its mode and the fix; check-config only warns. */
static void
config_readable_refused(void **state)
{
	struct fixture *f = *state;
	char log[128], want[256];
	struct stat sb;

	assert_int_equal(stat(f->conf, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600); /* the fixture writes it so */
	assert_int_equal(chmod(f->conf, 0640), 0);
	capture(f, log, sizeof(log));
	assert_int_not_equal(fixture_run(f, NULL, 0, 30, NULL, "run", "--once", NULL), 0);
	snprintf(want, sizeof(want), "configuration %s can be read or written by others (mode 640)",
		 f->conf);
	assert_true(file_has(log, want));
	snprintf(want, sizeof(want), "chmod 600 %s", f->conf);
	assert_true(file_has(log, want));
	assert_int_equal(access(f->db, F_OK), -1); /* refused before the database */
	assert_int_not_equal(fixture_run(f, NULL, 0, 30, NULL, "push", "--once", NULL), 0);
	/* Writable by others is as bad. */
	assert_int_equal(chmod(f->conf, 0602), 0);
	assert_int_not_equal(fixture_run(f, NULL, 0, 30, NULL, "run", "--once", NULL), 0);
	assert_int_equal(access(f->db, F_OK), -1);
	/* check-config on a copy under review: a warning, not a failure. */
	assert_int_equal(fixture_run(f, NULL, 0, 30, NULL, "check-config", NULL), 0);
	assert_true(file_has(log, "refuse this file until it is private"));
	assert_int_equal(chmod(f->conf, 0600), 0);
	assert_int_equal(fixture_run(f, NULL, 0, 30, NULL, "run", "--once", NULL), 0);
	assert_int_equal(access(f->db, F_OK), 0);
}

/* Every file the configuration reads passes the same rule: a file it
 * @includes (which could point the push elsewhere or turn the limits off)
 * and the gammurc; run and push refuse, naming the file, check-config
 * warns. */
static void
include_readable_refused(void **state)
{
	struct fixture *f = *state;
	char log[128], local[128], want[512];

	snprintf(local, sizeof(local), "%s/local.conf", f->dir);
	append(local, "own_number = \"+84912999999\";\n");
	append(f->conf, "\n@include \"local.conf\"\n");
	assert_int_equal(chmod(local, 0666), 0);
	capture(f, log, sizeof(log));
	assert_int_not_equal(fixture_run(f, NULL, 0, 30, NULL, "run", "--once", NULL), 0);
	snprintf(want, sizeof(want),
		 "configuration %s can be read or written by others (mode 666); "
		 "run: chmod 600 %s",
		 local, local);
	assert_true(file_has(log, want));
	assert_int_equal(access(f->db, F_OK), -1); /* refused before the database */
	assert_int_not_equal(fixture_run(f, NULL, 0, 30, NULL, "push", "--once", NULL), 0);
	assert_int_equal(fixture_run(f, NULL, 0, 30, NULL, "check-config", NULL), 0);
	assert_true(file_has(log, "refuse this configuration until the files above are private"));
	assert_int_equal(chmod(local, 0600), 0);
	/* The gammurc. */
	assert_int_equal(chmod(f->gammurc, 0644), 0);
	assert_int_not_equal(fixture_run(f, NULL, 0, 30, NULL, "run", "--once", NULL), 0);
	snprintf(want, sizeof(want),
		 "gammurc %s can be read or written by others (mode 644); run: chmod 600 %s",
		 f->gammurc, f->gammurc);
	assert_true(file_has(log, want));
	assert_int_equal(access(f->db, F_OK), -1);
	assert_int_equal(chmod(f->gammurc, 0600), 0);
	assert_int_equal(fixture_run(f, NULL, 0, 30, NULL, "run", "--once", NULL), 0);
	assert_int_equal(access(f->db, F_OK), 0);
}

/* The token file was already checked by the loader and the push: still. */
static void
token_readable_refused(void **state)
{
	struct fixture *f = *state;
	char tok[128], conf[512], log[128];

	snprintf(tok, sizeof(tok), "%s/token", f->dir);
	append(tok, "abc123\n");
	assert_int_equal(chmod(tok, 0644), 0);
	snprintf(conf, sizeof(conf),
		 "push = { url = \"http://127.0.0.1:9/\"; gateway_id = \"hl01\"; "
		 "token_file = \"%s\"; };\n",
		 tok);
	append(f->conf, conf);
	capture(f, log, sizeof(log));
	assert_int_not_equal(fixture_run(f, NULL, 0, 30, NULL, "run", "--once", NULL), 0);
	assert_true(file_has(log, "can be read or written by others (mode 644)"));
	assert_true(file_lacks(log, "abc123"));
}

static int
root(void)
{
	if (geteuid() == 0)
		return 1;
	fprintf(stderr, "# not running as root: the drop from root is not tested here "
			"(CI runs as root); testing the non-root path\n");
	return 0;
}

/* Root with user = "nobody": opens modem and database, becomes nobody, and
 * still processes an SMS (the folder belongs to nobody, as documented). */
static void
drop_to_nobody(void **state)
{
	struct fixture *f = *state;
	struct passwd *pw = getpwnam("nobody");
	char log[128], want[160], cmd[256];

	assert_non_null(pw);
	assert_int_equal(fixture_run(f, NULL, 0, 30, NULL, "inject", "--from", "+84912000001",
				     "DK xa Minh Son 35 han", NULL),
			 0);
	append(f->conf, "user = \"nobody\";\n");
	capture(f, log, sizeof(log));
	if (!root()) {
		/* Not root: the setting is ignored and the gateway runs. */
		assert_int_equal(fixture_run(f, NULL, 0, 30, NULL, "run", "--once", NULL), 0);
		assert_int_equal(fixture_db_int(f->db, db_reports(), NULL), 1);
		return;
	}
	snprintf(cmd, sizeof(cmd), "chown -R %lu:%lu '%s'", (unsigned long)pw->pw_uid,
		 (unsigned long)pw->pw_gid, f->dir);
	assert_int_equal(system(cmd), 0);
	setenv("TINBAO_ALLOW_ROOT", "0", 1);
	assert_int_equal(fixture_run(f, NULL, 0, 60, NULL, "run", "--once", NULL), 0);
	snprintf(want, sizeof(want), "running as user nobody (uid %lu, gid %lu)",
		 (unsigned long)pw->pw_uid, (unsigned long)pw->pw_gid);
	assert_true(file_has(log, want));
	/* The SMS was stored and parsed after the drop. */
	assert_int_equal(fixture_db_int(f->db, db_reports(), NULL), 1);
}

static void
drop_unknown_user_refused(void **state)
{
	struct fixture *f = *state;
	char log[128];

	append(f->conf, "user = \"tinbao-no-such-user\";\n");
	capture(f, log, sizeof(log));
	setenv("TINBAO_ALLOW_ROOT", "0", 1);
	if (!root()) {
		assert_int_equal(fixture_run(f, NULL, 0, 30, NULL, "run", "--once", NULL), 0);
		return;
	}
	assert_int_not_equal(fixture_run(f, NULL, 0, 30, NULL, "run", "--once", NULL), 0);
	assert_true(file_has(log, "user \"tinbao-no-such-user\" does not exist: refused"));
}

/* Root without a user: refused unless said on purpose. */
static void
root_without_user(void **state)
{
	struct fixture *f = *state;
	char log[128];

	capture(f, log, sizeof(log));
	setenv("TINBAO_ALLOW_ROOT", "0", 1);
	if (!root()) {
		assert_int_equal(fixture_run(f, NULL, 0, 30, NULL, "run", "--once", NULL), 0);
		return;
	}
	assert_int_not_equal(fixture_run(f, NULL, 0, 30, NULL, "run", "--once", NULL), 0);
	assert_true(file_has(log, "started as root without a user to become: refused"));
	setenv("TINBAO_ALLOW_ROOT", "1", 1);
	assert_int_equal(fixture_run(f, NULL, 0, 30, NULL, "run", "--once", NULL), 0);
	unsetenv("TINBAO_ALLOW_ROOT");
	append(f->conf, "user = \"root\";\n");
	setenv("TINBAO_ALLOW_ROOT", "0", 1);
	assert_int_equal(fixture_run(f, NULL, 0, 30, NULL, "run", "--once", NULL), 0);
	assert_true(file_has(log, "running as root (user = \"root\""));
}

/* fuzz_push_answer: a DHIS2 409 whose summary lost its responseType (so the
 * top level was read, status WARNING, no conflicts there) was taken as
 * accepted, and the batch marked sent.  A 409 never accepts. */
static void
dhis2_409_never_accepted(void **state)
{
	struct fixture *f = *state;
	struct store *st = store_open(f->db, 0);
	static const char mangled[] =
	    "{\"httpStatus\":\"Conflict\",\"httpStatusCode\":409,\"status\":\"WARNING\","
	    "\"response\":{\"responseTypn\":\"ImportSummary\",\"xtatus\":\"WARNING\","
	    "\"conflicts\":[{\"object\":\"XYZ\",\"value\":\"Data element not found\"}]}}";
	static const char ok[] = "{\"responseType\":\"ImportSummary\",\"status\":\"SUCCESS\","
				 "\"conflicts\":[]}";
	char err[512];

	assert_non_null(st);
	assert_int_equal(
	    push_answer_verdict(st, 1, 409, mangled, sizeof(mangled) - 1, NULL, err, sizeof(err)),
	    PUSH_ANSWER_CONTENT);
	assert_int_equal(
	    push_answer_verdict(st, 1, 200, ok, sizeof(ok) - 1, NULL, err, sizeof(err)),
	    PUSH_ANSWER_OK);
	/* The token, echoed by a server, is masked in what is kept. */
	assert_int_equal(
	    push_answer_verdict(st, 0, 500, "bad tok-XYZ here", 16, "tok-XYZ", err, sizeof(err)),
	    PUSH_ANSWER_FAIL);
	assert_null(strstr(err, "tok-XYZ"));
	assert_non_null(strstr(err, "[token]"));
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(config_readable_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(include_readable_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(token_readable_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(drop_to_nobody, setup, teardown),
	    cmocka_unit_test_setup_teardown(drop_unknown_user_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(root_without_user, setup, teardown),
	    cmocka_unit_test_setup_teardown(dhis2_409_never_accepted, setup, teardown),
	};

	log_init(0, LOG_LEVEL_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
