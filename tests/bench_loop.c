/*
 * bench_loop.c - the gateway's loop while the daily copy of a large
 * database is made.
 *
 * Stores N reports (1,000,000 by default) in a fresh database the way
 * bench_report does, configures a backup folder with the day's copy due,
 * and runs `tinbao run` on a dummy phone until its log says the copy was
 * written (at most RUN_S seconds); then stops it with SIGTERM.  The gateway
 * logs, when it stops, the longest time its loop went without reading the
 * modem: printed with its goal.  Exits 1 when it is over the goal or the
 * copy was not written.
 *
 * Usage: bench_loop TINBAO TEMPLATE_CONF [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "benchdb.h"
#include "benchrun.h"
#include "config.h"
#include "fixture.h"
#include "log.h"

#define GOAL_MS 100
#define RUN_S 120
#define GAP_TEXT "the longest time without reading the modems: "
#define COPY_TEXT " written ("

static int
bench(const struct fixture *f, long n)
{
	static char log[1 << 20];
	char logpath[160], *argv[] = {(char *)f->tinbao, "-c", (char *)f->conf, "run", NULL};
	const char *at;
	struct config *cfg;
	struct stat sb;
	double copy_s = -1;
	long gap = -1;
	pid_t pid;
	int r;
	FILE *c;

	c = fopen(f->conf, "a");
	if (c == NULL)
		return -1;
	fprintf(c, "backup = { dir = \"bk\"; keep = 1; hour = 0; };\n");
	if (fclose(c) != 0 || (cfg = config_load(f->conf, NULL)) == NULL)
		return -1;
	r = benchdb_create(f->db, cfg, n);
	config_free(cfg);
	if (r == -1 || stat(f->db, &sb) == -1)
		return -1;
	snprintf(logpath, sizeof(logpath), "%s/run.log", f->dir);
	pid = benchrun_start(argv, logpath);
	if (pid == -1)
		return -1;
	r = benchrun_wait(pid, logpath, COPY_TEXT, RUN_S * 1000, log, sizeof(log));
	if (benchrun_stop(pid, NULL) == -1)
		r = 0;
	benchrun_wait(pid, logpath, GAP_TEXT, 0, log, sizeof(log));
	at = strstr(log, COPY_TEXT);
	if (r == 1 && at != NULL && sscanf(at, COPY_TEXT "%lf s)", &copy_s) != 1)
		r = 0;
	at = strstr(log, GAP_TEXT);
	if (at != NULL)
		gap = strtol(at + strlen(GAP_TEXT), NULL, 10);
	if (r != 1 || gap < 0) {
		fprintf(stderr,
			"bench_loop: the copy was not written, or the gateway did not stop "
			"as asked; its log:\n%s",
			log);
		return -1;
	}
	printf("loop: longest time without reading the modem during the daily copy of %ld "
	       "reports (%.0f MB, copied in %.1f s): %ld ms (goal < %d ms)\n",
	       n, (double)sb.st_size / (1024.0 * 1024.0), copy_s, gap, GOAL_MS);
	if (gap >= GOAL_MS)
		printf("loop: OVER THE GOAL\n");
	return gap < GOAL_MS ? 0 : -1;
}

int
main(int argc, char *argv[])
{
	struct fixture f;
	long n = 1000000;
	int rc;

	if (argc > 3)
		n = atol(argv[3]);
	if (argc < 3 || n < 1) {
		fputs("usage: bench_loop TINBAO TEMPLATE_CONF [N]\n", stderr);
		return 2;
	}
	log_init(0, LOG_LEVEL_WARN);
	rc = fixture_setup(&f, argv[1], argv[2]) == -1 ? -1 : bench(&f, n);
	fixture_teardown(&f);
	return rc == 0 ? 0 : 1;
}
