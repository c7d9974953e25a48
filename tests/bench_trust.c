/*
 * bench_trust.c - what the sender checks add to each message: the sender lookup and
 * policy, the rate limit, the loop guard and the reply limits, on a
 * database of N inbox rows from 500 senders (a fifth of them registered)
 * and N/2 outbox rows (real SQLite file, in a temporary folder); each
 * checked message repeats one of our replies, so that the loop guard's
 * query finds rows.  Prints the time per message.
 *
 * Usage: bench_trust CONF [N]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "log.h"
#include "parser.h"
#include "quota.h"
#include "identity.h"
#include "senders.h"
#include "store.h"

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
	char dir[] = "/tmp/tinbao-bench-XXXXXX", db[128], from[32], text[96], fp[32], cmd[160],
	     out[64];
	struct config *cfg;
	struct store *st;
	struct store_inmsg msg;
	struct identity who;
	struct parser_result res;
	const char *why, *error;
	char reply[256];
	int64_t id, t = 1646100000;
	int i, n = argc > 2 ? atoi(argv[2]) : 100000, rounds = 2000;
	double t0, t1;

	if (argc < 2 || n < 1000 || n > 10000000 || mkdtemp(dir) == NULL) {
		fprintf(stderr, "usage: bench_trust CONF [N >= 1000]\n");
		return 2;
	}
	log_init(0, LOG_LEVEL_WARN);
	snprintf(db, sizeof(db), "%s/b.db", dir);
	cfg = config_load(argv[1], NULL);
	st = store_open(db, 0);
	if (cfg == NULL || st == NULL || store_begin(st) == -1)
		return 1;
	for (i = 0; i < n; i++) {
		snprintf(from, sizeof(from), "+849120%05d", i % 500);
		snprintf(text, sizeof(text), "ENROL Minh Son %d han", i % 97);
		snprintf(fp, sizeof(fp), "b%d", i);
		struct store_sms sms = {from, t + i, t + i, text, "gsm7", 1, fp, NULL, NULL};
		if (store_inbox_add(st, &sms, &id) != 1)
			return 1;
		/* Replies: many alike (the same error), the others numbered. */
		snprintf(out, sizeof(out), "OK #%d: ghi danh %d HV nghe Han dien, xa Minh Son",
			 i % 3 == 0 ? 0 : i, i % 97);
		if (i % 2 == 0 && store_outbox_add(st, from, out, "reply", id, NULL) == -1)
			return 1;
		if (i % 5 == 0) {
			struct store_sender s = {"", "x", "officer", "06448", 1};

			strcpy(s.number, from);
			if (store_sender_put(st, &s, t) == -1)
				return 1;
		}
	}
	if (store_commit(st) == -1)
		return 1;
	t0 = now_s();
	for (i = 0; i < rounds; i++) {
		snprintf(msg.sender, sizeof(msg.sender), "+849120%05d", i % 500);
		snprintf(text, sizeof(text), "OK #0: ghi danh %d HV nghe Han dien, xa Minh Son",
			 i % 97);
		msg.id = n - i;
		msg.text = text;
		if (quota_over_rate(cfg, st, &msg, t + n) == -1 ||
		    quota_is_echo(st, &msg, t + n) == -1 ||
		    identity_resolve(cfg, st, msg.sender, &who) == -1 ||
		    quota_hold_reply(cfg, st, &msg, t + n, &why) == -1)
			return 1;
		parser_parse(cfg->parser, text, strlen(text), &res);
		senders_check(cfg, &who, &res, &error, reply, sizeof(reply));
	}
	t1 = now_s();
	printf("sender checks: %.1f us per message (%d inbox rows, %d outbox rows)\n",
	       (t1 - t0) * 1e6 / rounds, n, (n + 1) / 2);
	store_close(st);
	config_free(cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
