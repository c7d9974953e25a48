/*
 * cmd-push.c - tinbao push: the events for the district server (see
 * push.h): send the queue once, list the events the server refused, queue
 * them again.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "log.h"
#include "push.h"
#include "store.h"

/*
 * Whether the backoff after failed attempts (the running gateway's or an
 * earlier push --once's) still holds: 1 (said on stderr), 0, -1.  A push
 * --once every minute from cron must not hammer a server that is down.
 */
static int
push_backoff(struct store *st)
{
	struct store_push_state ps;
	struct store_push_stats s;
	char when[40];

	if (store_push_state_get(st, &ps) == -1 || store_push_stats(st, &s) == -1)
		return -1;
	if (s.pending == 0 || ps.failures == 0 || ps.next_attempt <= (int64_t)time(NULL))
		return 0;
	push_time(ps.next_attempt, when, sizeof(when));
	fprintf(stderr,
		"tinbao: push: %d failed attempt%s, the next one is not before %s: nothing sent; "
		"push --once --now tries at once\n",
		ps.failures, ps.failures == 1 ? "" : "s", when);
	return 1;
}

static int
push_once(const struct config *cfg, int now)
{
	struct push_report r;
	struct store *st;
	struct push *p = NULL;
	int status = 1, rc;

	st = store_open(cfg->database, 0);
	if (st == NULL)
		goto done;
	if (!now) {
		rc = push_backoff(st);
		if (rc != 0)
			goto done;
	}
	if (push_new(cfg, st, NULL, &p) == -1)
		goto done;
	rc = push_run(p, &r);
	printf("pushed %" PRId64 " event%s in %" PRId64 " request%s; %" PRId64 " parked, %" PRId64
	       " pending\n",
	       r.sent, r.sent == 1 ? "" : "s", r.requests, r.requests == 1 ? "" : "s", r.parked,
	       r.pending);
	if (rc == 0)
		status = 0;
	else
		fprintf(stderr, "tinbao: push: the server could not be reached or refused; the "
				"events stay queued\n");
done:
	push_free(p);
	store_close(st);
	return status;
}

static int
print_parked(void *arg, int64_t id, const char *type, int64_t at, const char *answer)
{
	const char *gateway = ((const char **)arg)[0];
	char when[40];

	/* The answer is the district server's text. */
	push_time(at, when, sizeof(when));
	printf("%s:%" PRId64 "\t", gateway, id);
	log_fputs(type, stdout);
	printf("\t%s\t", when);
	log_fputs(answer, stdout);
	putchar('\n');
	return 0;
}

static int
push_failed(const struct config *cfg)
{
	const char *arg[1] = {cfg->push.gateway_id != NULL ? cfg->push.gateway_id : "-"};
	struct store_push_stats s;
	struct store *st;
	int status = 1;

	st = store_open(cfg->database, STORE_READONLY);
	if (st == NULL)
		return 1;
	if (store_push_parked_foreach(st, print_parked, arg) == 0 &&
	    store_push_stats(st, &s) == 0) {
		printf("%" PRId64 " parked event%s\n", s.parked, s.parked == 1 ? "" : "s");
		status = 0;
	}
	store_close(st);
	return status;
}

/* "all" (0), "<gateway id>:<n>" or "<n>"; -1 when it is none of them. */
static int64_t
event_id(const struct config *cfg, const char *s)
{
	const char *gw = cfg->push.gateway_id, *colon = strrchr(s, ':');
	char *end;
	long long v;

	if (strcmp(s, "all") == 0)
		return 0;
	if (colon != NULL) {
		if (gw == NULL || (size_t)(colon - s) != strlen(gw) ||
		    strncmp(s, gw, strlen(gw)) != 0)
			return -1;
		s = colon + 1;
	}
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0)
		return -1;
	return (int64_t)v;
}

static int
push_retry(const struct config *cfg, const char *arg)
{
	struct store *st;
	int64_t id = event_id(cfg, arg);
	int n;

	if (id == -1) {
		fprintf(stderr,
			"tinbao: push --retry: \"%s\" is not an event id (%s:N, N or all)\n", arg,
			cfg->push.gateway_id != NULL ? cfg->push.gateway_id : "gateway");
		return 2;
	}
	st = store_open(cfg->database, 0);
	if (st == NULL)
		return 1;
	n = store_push_retry(st, id);
	store_close(st);
	if (n == -1)
		return 1;
	if (n == 0) {
		fprintf(stderr, "tinbao: push --retry: %s: no such parked event\n", arg);
		return 1;
	}
	printf("%d event%s back in the queue\n", n, n == 1 ? "" : "s");
	return 0;
}

int
cli_push(const char *conf, int argc, char **argv)
{
	struct config *cfg;
	int status;

	if (!((argc == 2 && (strcmp(argv[1], "--once") == 0 || strcmp(argv[1], "--failed") == 0)) ||
	      (argc == 3 && strcmp(argv[1], "--once") == 0 && strcmp(argv[2], "--now") == 0) ||
	      (argc == 3 && strcmp(argv[1], "--retry") == 0)))
		return cli_usage("push --once [--now] | --failed | --retry ID|all");
	cfg = cli_config_private(conf);
	if (cfg == NULL)
		return 1;
	if (strcmp(argv[1], "--once") == 0 && cfg->push.url == NULL) {
		fprintf(stderr, "tinbao: push: %s has no push group\n", conf);
		status = 1;
	} else if (strcmp(argv[1], "--once") == 0) {
		status = push_once(cfg, argc == 3);
	} else if (strcmp(argv[1], "--failed") == 0) {
		status = push_failed(cfg);
	} else {
		status = push_retry(cfg, argv[2]);
	}
	config_free(cfg);
	return status;
}
