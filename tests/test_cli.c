/*
 * test_cli.c - the command line an administrator meets first: --version,
 * --help, `help COMMAND` and `COMMAND --help` for every command (exit 0,
 * the command's usage on stdout), unknown commands (exit 2), and the man
 * page tinbao(8), which must describe every command the binary lists.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define TINBAO "./tinbao"
#define MAN8 "docs/tinbao.8"
#define MAX_COMMANDS 64

/* Runs `./tinbao ARGS` (stderr to stdout), keeps what it prints in out and
 * returns its exit status. */
static int
run(char *out, size_t outsz, const char *args)
{
	char cmd[512];
	FILE *p;
	size_t n;
	int status;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1",
		 getenv("TINBAO_BIN") != NULL ? getenv("TINBAO_BIN") : TINBAO, args);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, outsz - 1, p);
	out[n] = '\0';
	status = pclose(p);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* The command names of `tinbao --help`: the lines after "commands:" that
 * start with two spaces and a name. */
static size_t
commands(char names[][32])
{
	char out[8192], *line, *save;
	size_t n = 0;
	int in = 0;

	assert_int_equal(run(out, sizeof(out), "--help"), 0);
	for (line = strtok_r(out, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (strcmp(line, "commands:") == 0) {
			in = 1;
			continue;
		}
		if (!in || strncmp(line, "  ", 2) != 0 || line[2] == ' ')
			continue;
		assert_true(n < MAX_COMMANDS);
		assert_int_equal(sscanf(line + 2, "%31s", names[n]), 1);
		n++;
	}
	return n;
}

static void
test_version(void **state)
{
	char out[256];

	(void)state;
	assert_int_equal(run(out, sizeof(out), "--version"), 0);
	assert_int_equal(strncmp(out, "tinbao ", 7), 0);
	assert_null(strstr(out, "unknown"));
	assert_int_equal(run(out, sizeof(out), "-v"), 0);
	assert_int_equal(strncmp(out, "tinbao ", 7), 0);
}

static void
test_help_every_command(void **state)
{
	char names[MAX_COMMANDS][32], out[8192], args[128];
	size_t n, i;

	(void)state;
	n = commands(names);
	assert_true(n >= 13); /* run ... backup */
	for (i = 0; i < n; i++) {
		snprintf(args, sizeof(args), "help %s", names[i]);
		assert_int_equal(run(out, sizeof(out), args), 0);
		assert_int_equal(strncmp(out, "usage: tinbao ", 14), 0);
		assert_non_null(strstr(out, names[i]));
		snprintf(args, sizeof(args), "-c /nonexistent %s --help", names[i]);
		assert_int_equal(run(out, sizeof(out), args), 0);
		assert_int_equal(strncmp(out, "usage: tinbao ", 14), 0);
	}
}

static void
test_unknown_command(void **state)
{
	char out[8192];

	(void)state;
	assert_int_equal(run(out, sizeof(out), "frobnicate"), 2);
	assert_non_null(strstr(out, "unknown command \"frobnicate\""));
	assert_int_equal(run(out, sizeof(out), "help frobnicate"), 2);
	assert_int_equal(run(out, sizeof(out), ""), 2);
}

/* Every command the binary lists has an `.It Cm NAME` entry in tinbao(8). */
static void
test_man_page_lists_every_command(void **state)
{
	char names[MAX_COMMANDS][32], line[512], want[64];
	int found[MAX_COMMANDS] = {0};
	size_t n, i;
	FILE *f;

	(void)state;
	n = commands(names);
	f = fopen(MAN8, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		for (i = 0; i < n; i++) {
			snprintf(want, sizeof(want), ".It Cm %s", names[i]);
			if (strncmp(line, want, strlen(want)) == 0 &&
			    (line[strlen(want)] == ' ' || line[strlen(want)] == '\n'))
				found[i] = 1;
		}
	}
	fclose(f);
	for (i = 0; i < n; i++) {
		if (!found[i])
			fail_msg("%s: no \".It Cm %s\" entry", MAN8, names[i]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_version),
	    cmocka_unit_test(test_help_every_command),
	    cmocka_unit_test(test_unknown_command),
	    cmocka_unit_test(test_man_page_lists_every_command),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
