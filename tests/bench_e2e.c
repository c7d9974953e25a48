/*
 * bench_e2e.c - end-to-end benchmark: 1000 SMS in a dummy phone, one
 * `tinbao run --once`; prints the gateway's wall time, messages per second
 * and peak RSS (from the child's rusage).
 *
 * Usage: bench_e2e TINBAO TEMPLATE_CONF [N]
 *
 * BENCH_LIMITS=1 in the environment runs with the default limits
 * on (and unknown senders accepted) instead of the fixture's "no limits".
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "fixture.h"
#include "log.h"
#include "modem.h"

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

int
main(int argc, char *argv[])
{
	struct fixture f;
	struct rusage ru;
	struct modem *m;
	char text[128], from[32];
	int i, n = argc > 3 ? atoi(argv[3]) : 1000, status = 1, r;
	double t0, t1;

	if (argc < 3 || n < 1 || n > 100000) {
		fprintf(stderr, "usage: bench_e2e TINBAO TEMPLATE_CONF [N]\n");
		return 2;
	}
	log_init(0, LOG_LEVEL_WARN);
	if ((getenv("BENCH_LIMITS") != NULL
		 ? fixture_setup_with(&f, argv[1], argv[2],
				      "senders = { unknown = \"accept\"; };\n")
		 : fixture_setup(&f, argv[1], argv[2])) == -1) {
		perror("bench_e2e: setup");
		return 1;
	}
	m = modem_open(f.gammurc, 0);
	if (m == NULL)
		goto done;
	for (i = 0; i < n; i++) {
		const char *t = texts[i % (sizeof(texts) / sizeof(texts[0]))];

		/* The texts are this file's own constants, each with one %d. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		snprintf(text, sizeof(text), t, 1 + i % 50);
#pragma GCC diagnostic pop
		snprintf(from, sizeof(from), "+8491200%04d", i % 200);
		if (modem_inject(m, from, text, 1646100000 + i) == -1) {
			modem_close(m);
			goto done;
		}
	}
	modem_close(m);
	t0 = now_s();
	r = fixture_run(&f, NULL, 0, 600, &ru, "run", "--once", NULL);
	t1 = now_s();
	if (r != 0) {
		fprintf(stderr, "bench_e2e: tinbao run --once failed (%d)\n", r);
		goto done;
	}
	printf("end to end: %d SMS in %.3f s (%.0f SMS/s), peak RSS %.1f MB\n", n, t1 - t0,
	       n / (t1 - t0), ru.ru_maxrss / 1024.0);
	status = 0;
done:
	fixture_teardown(&f);
	return status;
}
