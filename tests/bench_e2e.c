/*
 * bench_e2e.c - end-to-end benchmark: 1000 SMS in a dummy phone, one
 * `tinbao run --once`; prints the gateway's wall time, messages per second
 * and peak RSS (from the child's rusage).  Then the peak RSS of the daemon
 * idle on that database (a few turns, stopped with SIGTERM), and of the
 * 1000-SMS run with a push group to the district server of the tests
 * (tests/district_server.py on 127.0.0.1), each with its goal.
 *
 * Usage: bench_e2e TINBAO TEMPLATE_CONF [N]
 *
 * BENCH_LIMITS=1 in the environment runs with the default limits
 * on (and unknown senders accepted) instead of the fixture's "no limits".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchrun.h"
#include "fixture.h"
#include "log.h"
#include "modem.h"

#define GOAL_MB 8
#define GOAL_IDLE_MB 7
#define GOAL_PUSH_MB 16
#define IDLE_TURNS 3
#define SERVER "tests/district_server.py"

static const char *texts[] = {
    "ENROL xã Minh Sơn %d hàn", "enrol xa minh son %d han", "GRAD Thiện Tân %d maycn",
    "VL Đô Lương %d tinhoc",	"NEED tt Hữu Lũng %d rau",  "LD Hoa Binh 3000 %d",
    "ENROL Minh %d han",	"ENROL Minh Son %d may",    "HELLO %d",
    "ENROL Dong Lai %d han",
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* n SMS in the dummy phone of f.  0 or -1. */
static int
inject(const struct fixture *f, int n)
{
	struct modem *m = modem_open(f->gammurc, 0);
	char text[128], from[32];
	int i, r = 0;

	if (m == NULL)
		return -1;
	for (i = 0; i < n && r == 0; i++) {
		const char *t = texts[i % (sizeof(texts) / sizeof(texts[0]))];

		/* The texts are this file's own constants, each with one %d. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		snprintf(text, sizeof(text), t, 1 + i % 50);
#pragma GCC diagnostic pop
		snprintf(from, sizeof(from), "+8491200%04d", i % 200);
		r = modem_inject(m, from, text, 1646100000 + i);
	}
	modem_close(m);
	return r;
}

/* `run --once` over n SMS: its time, and its peak RSS in MB.  0 or -1. */
static int
run_once(const struct fixture *f, int n, double *secs, double *rss)
{
	struct rusage ru;
	double t0;
	int r;

	if (inject(f, n) == -1)
		return -1;
	t0 = now_s();
	r = fixture_run(f, NULL, 0, 600, &ru, "run", "--once", NULL);
	*secs = now_s() - t0;
	*rss = ru.ru_maxrss / 1024.0;
	if (r != 0)
		fprintf(stderr, "bench_e2e: tinbao run --once failed (%d)\n", r);
	return r == 0 ? 0 : -1;
}

/* The daemon on f, IDLE_TURNS turns of one second with nothing to do, then
 * stopped as systemd stops it: its peak RSS in MB.  0 or -1. */
static int
run_idle(const struct fixture *f, double *rss)
{
	struct timespec idle = {IDLE_TURNS, 500000000L};
	char *argv[] = {(char *)f->tinbao, "-c", (char *)f->conf, "run", NULL};
	char logpath[160], log[8192];
	struct rusage ru;
	pid_t pid;

	snprintf(logpath, sizeof(logpath), "%s/idle.log", f->dir);
	if (fixture_conf_set(f, "poll_interval", "1") == -1 ||
	    (pid = benchrun_start(argv, logpath)) == -1)
		return -1;
	if (!benchrun_wait(pid, logpath, "gateway running", 30000, log, sizeof(log))) {
		benchrun_stop(pid, NULL);
		fprintf(stderr, "bench_e2e: the idle daemon did not start:\n%s", log);
		return -1;
	}
	nanosleep(&idle, NULL);
	if (benchrun_stop(pid, &ru) == -1)
		return -1;
	*rss = ru.ru_maxrss / 1024.0;
	return 0;
}

/* A push group in f's configuration, to the district server of the tests
 * on 127.0.0.1 (started; *srv its pid).  0 or -1. */
static int
with_push(const struct fixture *f, pid_t *srv)
{
	char token[160], logpath[160], log[4096], *argv[] = {"python3", SERVER, token, "hl", NULL};
	const char *at;
	int port = 0;
	FILE *fp;

	snprintf(token, sizeof(token), "%s/push.token", f->dir);
	snprintf(logpath, sizeof(logpath), "%s/server.log", f->dir);
	fp = fopen(token, "w");
	if (fp == NULL || fputs("tok-bench\n", fp) == EOF || fclose(fp) != 0)
		return -1;
	*srv = benchrun_start(argv, logpath);
	if (*srv == -1)
		return -1;
	if (benchrun_wait(*srv, logpath, "PORT ", 10000, log, sizeof(log)) &&
	    (at = strstr(log, "PORT ")) != NULL)
		port = atoi(at + 5);
	fp = fopen(f->conf, "a");
	if (port <= 0 || fp == NULL) {
		fprintf(stderr, "bench_e2e: the district server did not start:\n%s", log);
		return -1;
	}
	fprintf(fp,
		"push = {\n\turl = \"http://127.0.0.1:%d/events\";\n\tgateway_id = \"hl\";\n"
		"\ttoken_file = \"%s\";\n};\n",
		port, token);
	return fclose(fp) == 0 ? 0 : -1;
}

int
main(int argc, char *argv[])
{
	struct fixture f, fp;
	int n = argc > 3 ? atoi(argv[3]) : 1000, status = 1;
	double secs, rss, idle, push_secs, push_rss;
	pid_t srv = -1;

	if (argc < 3 || n < 1 || n > 100000) {
		fprintf(stderr, "usage: bench_e2e TINBAO TEMPLATE_CONF [N]\n");
		return 2;
	}
	log_init(0, LOG_LEVEL_WARN);
	memset(&fp, 0, sizeof(fp));
	if ((getenv("BENCH_LIMITS") != NULL
		 ? fixture_setup_with(&f, argv[1], argv[2],
				      "senders = { unknown = \"accept\"; };\n")
		 : fixture_setup(&f, argv[1], argv[2])) == -1 ||
	    fixture_setup(&fp, argv[1], argv[2]) == -1) {
		perror("bench_e2e: setup");
		goto done;
	}
	if (run_once(&f, n, &secs, &rss) == -1 || run_idle(&f, &idle) == -1 ||
	    with_push(&fp, &srv) == -1 || run_once(&fp, n, &push_secs, &push_rss) == -1)
		goto done;
	printf("end to end: %d SMS in %.3f s (%.0f SMS/s), peak RSS %.1f MB (goal <= %d MB)\n", n,
	       secs, n / secs, rss, GOAL_MB);
	printf("idle daemon: start, %d turns, stop: peak RSS %.1f MB (goal <= %d MB)\n", IDLE_TURNS,
	       idle, GOAL_IDLE_MB);
	printf("end to end with push to a local server: %d SMS in %.3f s, peak RSS %.1f MB (goal "
	       "<= %d MB)\n",
	       n, push_secs, push_rss, GOAL_PUSH_MB);
	status = 0;
done:
	if (srv > 0)
		benchrun_stop(srv, NULL);
	fixture_teardown(&f);
	fixture_teardown(&fp);
	return status;
}
