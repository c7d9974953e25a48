/*
 * test_cli.c - the command line an administrator meets first: --version,
 * --help, `help COMMAND` and `COMMAND --help` for every command (exit 0,
 * the command's usage on stdout), unknown commands (exit 2), the man page
 * tinbao(8), which must describe every command the binary lists, and
 * check-config on the gammurcs an administrator gets wrong.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"
#include "modemcheck.h"

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

/* A command line a command cannot read: exit 2 and the command's usage on
 * stderr, one "tinbao -c config NAME ..." line a form. */
static void
test_usage_every_command(void **state)
{
	char names[MAX_COMMANDS][32], out[8192], args[128], want[64], *line, *save;
	size_t n, i;
	int first;

	(void)state;
	n = commands(names);
	for (i = 0; i < n; i++) {
		snprintf(args, sizeof(args), "-c /nonexistent %s --no-such-option 1 2 3", names[i]);
		assert_int_equal(run(out, sizeof(out), args), 2);
		first = 1;
		for (line = strtok_r(out, "\n", &save); line != NULL;
		     line = strtok_r(NULL, "\n", &save)) {
			snprintf(want, sizeof(want), "%s tinbao -c config %s",
				 first ? "usage:" : "      ", names[i]);
			if (strncmp(line, want, strlen(want)) != 0 ||
			    (line[strlen(want)] != ' ' && line[strlen(want)] != '\0'))
				fail_msg("%s: \"%s\" is not \"%s ...\"", names[i], line, want);
			first = 0;
		}
		assert_int_equal(first, 0);
	}
}

/* Options with a value want it; flags take none; any order.  A command
 * line that reads right gets as far as the configuration (exit 1). */
static void
test_options(void **state)
{
	static const struct {
		const char *args;
		int status;
	} rows[] = {
	    {"report --period", 2},
	    {"report --period 2022 --format", 2},
	    {"report --format csv --period 2022", 1},
	    {"report --csv-sep , --output r.csv --period 2022-H1", 1},
	    {"report --period 2022 --period", 2},
	    {"replay --reply", 1},
	    {"replay --reply --since 2022-01-01 --error unknown_commune", 1},
	    {"replay --since", 2},
	    {"replay --reply x", 2},
	};
	char out[8192], args[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		snprintf(args, sizeof(args), "-c /nonexistent %s", rows[i].args);
		if (run(out, sizeof(out), args) != rows[i].status)
			fail_msg("%s: not exit %d: %s", rows[i].args, rows[i].status, out);
		if (rows[i].status == 2)
			assert_int_equal(strncmp(out, "usage: tinbao -c config ", 24), 0);
	}
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

/* Every setting the shipped configuration names (set or commented out) has
 * its "Ic name" in tinbao.conf(5). */
static void
test_man_page_lists_every_setting(void **state)
{
	char line[1024], name[64], want[80], *man;
	const char *p;
	size_t n, len;
	FILE *f;
	int missing = 0;

	(void)state;
	f = fopen("docs/tinbao.conf.5", "r");
	assert_non_null(f);
	man = calloc(1, 1 << 20);
	assert_non_null(man);
	n = fread(man, 1, (1 << 20) - 1, f);
	man[n] = '\0';
	fclose(f);
	f = fopen("contrib/tinbao.conf", "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		p = line + strspn(line, "#\t ");
		len = strspn(p, "abcdefghijklmnopqrstuvwxyz_0123456789");
		/* "name = value" or "name = {" / "name = (" at the start of a line. */
		if (len == 0 || len >= sizeof(name) || strncmp(p + len, " = ", 3) != 0)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)len, p);
		/* The gammurc's own keys, shown in a comment as an example. */
		if (strcmp(name, "device") == 0 || strcmp(name, "connection") == 0)
			continue;
		snprintf(want, sizeof(want), "Ic %s", name);
		if (strstr(man, want) == NULL) {
			fprintf(stderr, "tinbao.conf(5): no \"%s\"\n", want);
			missing++;
		}
	}
	fclose(f);
	free(man);
	assert_int_equal(missing, 0);
}

static void
test_connection_names(void **state)
{
	static const struct {
		const char *conn;
		int ok;
	} rows[] = {
	    {"at", 1},
	    {"AT", 1},
	    {"at115200", 1},
	    {"at19200-nodtr", 1},
	    {"fbus-nodtr-nopower", 1},
	    {"blueat", 1},
	    {"none", 1},
	    {"dku2phonet", 1},
	    {"att", 0},
	    {"at123", 0},
	    {"at115200x", 0},
	    {"", 0},
	    {"usb", 0},
	    {"-nodtr", 0},
	    {"serial", 0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (modemcheck_connection(rows[i].conn) != rows[i].ok)
			fail_msg("connection \"%s\": want %d", rows[i].conn, rows[i].ok);
	}
}

/* Writes the fixture's gammurc and runs check-config on it: its exit status,
 * and what it printed in out. */
static int
check_with(const struct fixture *f, const char *gammurc, char *out, size_t outsz)
{
	FILE *rc = fopen(f->gammurc, "w");

	assert_non_null(rc);
	fputs(gammurc, rc);
	assert_int_equal(fclose(rc), 0);
	return fixture_output(f, "check-config", out, outsz);
}

static void
test_check_config_gammurc(void **state)
{
	struct fixture f;
	char rc[512], out[4096], want[256], dev[160];

	(void)state;
	assert_int_equal(fixture_setup(&f, TINBAO, "contrib/tinbao.conf"), 0);
	/* The fixture's own: the dummy phone, a folder. */
	assert_int_equal(check_with(&f,
				    "[gammu]\nmodel = dummy\nconnection = none\n"
				    "device = /tmp\n",
				    out, sizeof(out)),
			 0);
	/* An unknown connection, named with its line. */
	assert_int_equal(
	    check_with(&f, "# modem\n[gammu]\nmodel = dummy\nconnection = att\ndevice = /tmp\n",
		       out, sizeof(out)),
	    1);
	snprintf(want, sizeof(want), "%s:4: error: [gammu] unknown connection \"att\"", f.gammurc);
	assert_non_null(strstr(out, want));
	/* No [gammu] section. */
	assert_int_equal(check_with(&f, "[gammu1]\ndevice = /tmp\n", out, sizeof(out)), 1);
	snprintf(want, sizeof(want), "%s: error: no section [gammu]", f.gammurc);
	assert_non_null(strstr(out, want));
	/* A device node that is not there: the modem unplugged, a typo. */
	assert_int_equal(check_with(&f, "[gammu]\nconnection = at\n\ndevice = /dev/ttyUSB97\n", out,
				    sizeof(out)),
			 1);
	snprintf(want, sizeof(want), "%s:4: error: device /dev/ttyUSB97: No such file", f.gammurc);
	assert_non_null(strstr(out, want));
	/* A file where the serial device should be. */
	assert_int_equal(
	    check_with(&f, "[gammu]\nconnection = at\ndevice = /etc/hostname\n", out, sizeof(out)),
	    1);
	assert_non_null(strstr(out, "not a serial device"));
	/* A device the gateway's user may not open (root makes one; the user is
	 * nobody, who is in no group of it). */
	if (geteuid() == 0) {
		snprintf(dev, sizeof(dev), "%s/ttyFAKE", f.dir);
		assert_int_equal(mknod(dev, S_IFCHR | 0660, makedev(1, 3)), 0);
		assert_int_equal(chmod(dev, 0660), 0);
		assert_int_equal(fixture_conf_set(&f, "user", "\"nobody\""), 0);
		snprintf(rc, sizeof(rc), "[gammu]\nconnection = at\ndevice = %s\n", dev);
		assert_int_equal(check_with(&f, rc, out, sizeof(out)), 1);
		assert_non_null(strstr(out, "cannot be opened by the user nobody"));
		assert_non_null(strstr(out, "usermod -aG"));
	} else {
		printf(
		    "test_check_config_gammurc: not root: the user's permission is not tested\n");
	}
	fixture_teardown(&f);
}

/* status says whether a gateway runs: whether its lock is held. */
static void
test_status_running(void **state)
{
	struct fixture f;
	char out[8192], lock[160];
	int fd;

	(void)state;
	assert_int_equal(fixture_setup(&f, TINBAO, "contrib/tinbao.conf"), 0);
	assert_int_equal(fixture_output(&f, "run --once", out, sizeof(out)), 0);
	assert_int_equal(fixture_output(&f, "status", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "gateway: not running"));
	/* What a running gateway holds. */
	snprintf(lock, sizeof(lock), "%s.lock", f.db);
	fd = open(lock, O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(fixture_output(&f, "status", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "gateway: running"));
	close(fd);
	assert_int_equal(fixture_output(&f, "status", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "gateway: not running"));
	fixture_teardown(&f);
}

/* The fixture's configuration with its plan replaced by plans for 2022 and
 * 2023: a new year is a new block. */
static void
two_plans(const struct fixture *f)
{
	char buf[65536], *a, *b;
	size_t n;
	FILE *c = fopen(f->conf, "r");

	assert_non_null(c);
	n = fread(buf, 1, sizeof(buf) - 1, c);
	buf[n] = '\0';
	fclose(c);
	a = strstr(buf, "\nplan = (");
	assert_non_null(a);
	b = strstr(a, "\n);");
	assert_non_null(b);
	c = fopen(f->conf, "w");
	assert_non_null(c);
	fprintf(c,
		"%.*s\nplan = (\n"
		"\t{ year = 2022; trained_min = 600; trained_max = 800;\n"
		"\t  labour_trained_pct = 60; employed_pct = 80; },\n"
		"\t{ year = 2023; trained_min = 650; trained_max = 850;\n"
		"\t  labour_trained_pct = 62; employed_pct = 82; }\n);%s",
		(int)(a - buf), buf, b + 3);
	assert_int_equal(fclose(c), 0);
}

/* Reports count against the plan of their own year: TK in 2023 answers
 * with 2023's targets, in 2022 with 2022's, in 2025 (no plan) without any;
 * check-config warns of a year without a plan and of communes that all
 * ended, not when today is in a planned year while the communes exist. */
static void
test_plan_per_year(void **state)
{
	struct fixture f;
	char out[16384];

	(void)state;
	assert_int_equal(fixture_setup(&f, TINBAO, "contrib/tinbao.conf"), 0);
	two_plans(&f);
	/* 2022-03-01, 2023-03-01, 2025-03-01, 09:00 Vietnam time. */
	assert_int_equal(
	    fixture_output(&f, "inject --from 0912000051 --at 1646100000 TK", out, sizeof(out)), 0);
	assert_int_equal(
	    fixture_output(&f, "inject --from 0912000052 --at 1677636000 TK", out, sizeof(out)), 0);
	assert_int_equal(
	    fixture_output(&f, "inject --from 0912000053 --at 1740794400 TK", out, sizeof(out)), 0);
	assert_int_equal(fixture_output(&f, "run --once", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "So lieu 2022 toan huyen: ghi danh 0 HV (KH 600-800)"));
	assert_non_null(strstr(out, "So lieu 2023 toan huyen: ghi danh 0 HV (KH 650-850)"));
	assert_non_null(strstr(out, "KH 82%"));
	assert_non_null(strstr(out, "So lieu 2025 toan huyen: ghi danh 0 HV, tot nghiep 0"));
	assert_non_null(strstr(out, "Chua co ke hoach nam 2025"));
	/* The plan report of each year against its own plan, or none. */
	assert_int_equal(fixture_output(&f, "report --period 2022", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "CHI TIEU KE HOACH NAM 2022\n"));
	assert_non_null(strstr(out, "(KH 600-800:"));
	assert_int_equal(fixture_output(&f, "report --period 2023-H1", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "CHI TIEU KE HOACH NAM 2023\n"));
	assert_non_null(strstr(out, "(KH 650-850:"));
	assert_non_null(strstr(out, "(KH 82%"));
	assert_int_equal(fixture_output(&f, "report --period 2025 --format html", out, sizeof(out)),
			 0);
	assert_non_null(strstr(out, "Chưa có kế hoạch năm 2025"));
	assert_null(strstr(out, "650"));
	assert_int_equal(fixture_output(&f, "report --period 2025", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "CHI TIEU KE HOACH NAM 2025: chua co"));

	setenv("TINBAO_FAKE_NOW", "1677636000", 1);
	assert_int_equal(fixture_output(&f, "check-config", out, sizeof(out)), 0);
	assert_null(strstr(out, "no plan for"));
	assert_null(strstr(out, "every commune's valid_to"));
	setenv("TINBAO_FAKE_NOW", "1740794400", 1);
	assert_int_equal(fixture_output(&f, "check-config", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "warning: no plan for 2025"));
	assert_non_null(
	    strstr(out, "warning: every commune's valid_to is before today (2025-03-01)"));
	unsetenv("TINBAO_FAKE_NOW");
	fixture_teardown(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_version),
	    cmocka_unit_test(test_help_every_command),
	    cmocka_unit_test(test_unknown_command),
	    cmocka_unit_test(test_usage_every_command),
	    cmocka_unit_test(test_options),
	    cmocka_unit_test(test_man_page_lists_every_command),
	    cmocka_unit_test(test_man_page_lists_every_setting),
	    cmocka_unit_test(test_connection_names),
	    cmocka_unit_test(test_check_config_gammurc),
	    cmocka_unit_test(test_status_running),
	    cmocka_unit_test(test_plan_per_year),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
