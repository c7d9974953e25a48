/*
 * cmd-quarantine.c - the messages held back or rejected: tinbao quarantine
 * lists the SMS of unregistered numbers and accepts (registering the number
 * first, with --register) or rejects them; tinbao
 * replay parses the rejected ones again with today's configuration (see
 * gateway.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "clock.h"
#include "config.h"
#include "pipeline.h"
#include "log.h"
#include "phone.h"
#include "registry.h"
#include "store.h"

static void
print_when(int64_t t)
{
	struct tm tm;
	char when[32];

	clock_local(t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	printf("%s", when);
}

static int
print_held(void *arg, const struct store_held *h)
{
	int *count = arg;
	char sender[4 * sizeof(h->msg.sender)];

	/* A stranger's SMS and number: escaped, they cannot drive the terminal. */
	printf("%6" PRId64 "  ", h->msg.id);
	print_when(h->msg.received);
	printf("  %-13s  ", log_escape(h->msg.sender, sender, sizeof(sender)));
	log_fputs(h->msg.text, stdout);
	putchar('\n');
	(*count)++;
	return 0;
}

/* The ids of the held rows a walk selects. */
struct idlist {
	int64_t *v;
	size_t n;
	const char *sender; /* only this sender's, or NULL */
	int oom;
};

static int
collect(void *arg, const struct store_held *h)
{
	struct idlist *l = arg;
	int64_t *nv;

	if (l->sender != NULL && !phone_same(l->sender, h->msg.sender))
		return 0;
	nv = realloc(l->v, (l->n + 1) * sizeof(*l->v));
	if (nv == NULL) {
		l->oom = 1;
		return 1;
	}
	l->v = nv;
	l->v[l->n++] = h->msg.id;
	return 0;
}

/* What became of one message processed again. */
struct outcome {
	int changed;   /* 1 when it is now accepted */
	int64_t added; /* reports stored */
	char error[32];
};

/*
 * Processes inbox row id again in a transaction of its own, if it is still
 * rejected with error `want` (NULL: any error).  1 done, 0 not eligible
 * (*o untouched), -1.
 */
static int
again(struct config *cfg, struct store *st, int64_t id, const char *want, int flags,
      struct outcome *o)
{
	struct store_held h, after;
	int64_t before;
	int r = -1;

	memset(&after, 0, sizeof(after));
	if (store_begin(st) == -1)
		return -1;
	r = store_inbox_get(st, id, &h);
	if (r != 1 || strcmp(h.state, "rejected") != 0 || (want != NULL && strcmp(h.error, want))) {
		store_inmsg_clear(&h.msg);
		store_rollback(st);
		return r == -1 ? -1 : 0;
	}
	before = store_count(st, "reports", NULL);
	if (before == -1 || pipeline_replay(cfg, st, &h.msg, h.error, flags) == -1 ||
	    store_inbox_get(st, id, &after) != 1)
		goto fail;
	o->added = store_count(st, "reports", NULL) - before;
	o->changed = strcmp(after.state, "accepted") == 0;
	snprintf(o->error, sizeof(o->error), "%s", after.error);
	if (store_commit(st) == -1)
		goto fail;
	store_inmsg_clear(&h.msg);
	store_inmsg_clear(&after.msg);
	return 1;
fail:
	store_rollback(st);
	store_inmsg_clear(&h.msg);
	store_inmsg_clear(&after.msg);
	return -1;
}

static int
print_outcome(int64_t id, const char *was, const struct outcome *o)
{
	if (o->changed)
		printf("#%" PRId64 " %s -> accepted, %" PRId64 " report%s\n", id, was, o->added,
		       o->added == 1 ? "" : "s");
	else
		printf("#%" PRId64 " %s -> still rejected (%s)\n", id, was, o->error);
	return o->changed;
}

/* An inbox id, or a phone number (all its quarantined SMS). */
static int
parse_target(const char *s, int64_t *id, const char **sender)
{
	char *end;
	long long v;

	*id = 0;
	*sender = NULL;
	if (strlen(s) >= 9 || s[0] == '+') {
		*sender = s;
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0)
		return -1;
	*id = v;
	return 0;
}

static int
quarantine_decide(struct config *cfg, struct store *st, const char *verb, const char *target)
{
	struct idlist l = {NULL, 0, NULL, 0};
	struct outcome o;
	const char *sender;
	int64_t id;
	size_t i;
	int status = 0, r, done = 0;

	if (parse_target(target, &id, &sender) == -1) {
		fprintf(stderr, "tinbao: quarantine %s: \"%s\" is neither an SMS id nor a number\n",
			verb, target);
		return 2;
	}
	if (sender != NULL) {
		l.sender = sender;
		if (store_inbox_held_foreach(st, "quarantined", 0, collect, &l) == -1 || l.oom) {
			free(l.v);
			return 1;
		}
	} else {
		l.v = malloc(sizeof(*l.v));
		if (l.v == NULL)
			return 1;
		l.v[l.n++] = id;
	}
	for (i = 0; i < l.n; i++) {
		memset(&o, 0, sizeof(o));
		if (strcmp(verb, "accept") == 0) {
			r = again(cfg, st, l.v[i], "quarantined", PIPELINE_ACCEPT | PIPELINE_REPLY,
				  &o);
			if (r == 1)
				print_outcome(l.v[i], "quarantined", &o);
		} else {
			r = store_begin(st) == -1 ? -1 : 1;
			if (r == 1) {
				struct store_held h;

				r = store_inbox_get(st, l.v[i], &h);
				if (r == 1 && (strcmp(h.state, "rejected") != 0 ||
					       strcmp(h.error, "quarantined") != 0))
					r = 0;
				/* The district server saw it held: now it is refused. */
				if (r == 1 &&
				    (store_inbox_set_state(st, l.v[i], "rejected",
							   "quarantine_rejected") == -1 ||
				     pipeline_reject(st, &h.msg, "quarantine_rejected") == -1))
					r = -1;
				store_inmsg_clear(&h.msg);
				if (r == 1 && store_commit(st) == -1)
					r = -1;
				if (r != 1)
					store_rollback(st);
			}
			if (r == 1)
				printf("#%" PRId64 " rejected\n", l.v[i]);
		}
		if (r == -1) {
			status = 1;
			break;
		}
		done += r;
	}
	if (status == 0 && done == 0) {
		fprintf(stderr, "tinbao: quarantine %s: %s: nothing in quarantine\n", verb, target);
		status = 1;
	}
	free(l.v);
	return status;
}

/* The number a target names: itself, or the sender of SMS id.  0, or -1
 * (printed). */
static int
target_number(struct store *st, const char *target, char *number, size_t numbersz)
{
	struct store_held h;
	const char *sender;
	int64_t id;
	int r;

	if (parse_target(target, &id, &sender) == -1) {
		fprintf(stderr,
			"tinbao: quarantine accept: \"%s\" is neither an SMS id nor a number\n",
			target);
		return -1;
	}
	if (sender != NULL) {
		snprintf(number, numbersz, "%s", sender);
		return 0;
	}
	r = store_inbox_get(st, id, &h);
	if (r == 1)
		snprintf(number, numbersz, "%s", h.msg.sender);
	if (r == 1)
		store_inmsg_clear(&h.msg);
	else if (r == 0)
		fprintf(stderr, "tinbao: quarantine accept: no SMS #%" PRId64 "\n", id);
	return r == 1 ? 0 : -1;
}

/* Registers the number of every target with role (and commune and name),
 * all or none, before their messages are accepted.  0, or -1 (printed). */
static int
register_targets(const struct config *cfg, struct store *st, char **targets, int n,
		 const char *role, const char *commune, const char *name)
{
	struct store_sender snd;
	char number[PHONE_MAX];
	const char *why;
	int i;

	if (store_begin(st) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (target_number(st, targets[i], number, sizeof(number)) == -1)
			goto fail;
		if (registry_register(cfg, st, number, role, commune, name, clock_now(), &snd,
				      &why) == -1) {
			if (why != NULL)
				fprintf(stderr, "tinbao: quarantine accept --register: %s: %s\n",
					number, why);
			goto fail;
		}
		printf("%s: registered, %s%s%s\n", snd.number, snd.role,
		       snd.commune_code[0] ? " of " : "", snd.commune_code);
	}
	if (store_commit(st) == -1)
		goto fail;
	return 0;
fail:
	store_rollback(st);
	fprintf(stderr, "tinbao: quarantine accept: nothing registered nor accepted\n");
	return -1;
}

static int
quarantine_usage(void)
{
	return cli_usage("quarantine [list]\n"
			 "quarantine accept [--register ROLE [--commune C] [--name N]] "
			 "ID|NUMBER...\n"
			 "quarantine reject ID|NUMBER...");
}

/* accept and reject: options, then the targets, each decided in turn. */
static int
quarantine_targets(struct config *cfg, struct store *st, int argc, char **argv)
{
	const char *role = NULL, *commune = "", *name = "", **opt;
	char **targets = argv + 2;
	int n = 0, i, status = 0;

	for (i = 2; i < argc; i++) {
		opt = strcmp(argv[i], "--register") == 0  ? &role
		      : strcmp(argv[i], "--commune") == 0 ? &commune
		      : strcmp(argv[i], "--name") == 0	  ? &name
							  : NULL;
		if (opt == NULL) {
			targets[n++] = argv[i];
			continue;
		}
		if (strcmp(argv[1], "accept") != 0 || i + 1 == argc)
			return quarantine_usage();
		*opt = argv[++i];
	}
	if (n == 0 || (role == NULL && (commune[0] != '\0' || name[0] != '\0')))
		return quarantine_usage();
	if (role != NULL && register_targets(cfg, st, targets, n, role, commune, name) == -1)
		return 1;
	for (i = 0; i < n; i++) {
		int r = quarantine_decide(cfg, st, argv[1], targets[i]);

		if (r > status)
			status = r;
	}
	return status;
}

int
cli_quarantine(const char *conf, int argc, char **argv)
{
	struct config *cfg;
	struct store *st = NULL;
	int status = 1, count = 0, list;

	list = argc == 1 || (argc == 2 && strcmp(argv[1], "list") == 0);
	if (!list &&
	    !(argc >= 3 && (strcmp(argv[1], "accept") == 0 || strcmp(argv[1], "reject") == 0)))
		return quarantine_usage();
	cfg = cli_config_quiet(conf);
	if (cfg == NULL)
		return 1;
	st = store_open(cfg->database, list ? STORE_READONLY : 0);
	if (st == NULL)
		goto done;
	if (list) {
		if (store_inbox_held_foreach(st, "quarantined", 0, print_held, &count) == 0) {
			printf("%d message%s in quarantine\n", count, count == 1 ? "" : "s");
			status = 0;
		}
	} else {
		status = quarantine_targets(cfg, st, argc, argv);
	}
done:
	store_close(st);
	config_free(cfg);
	return status;
}

/* Errors replay leaves alone unless asked by --error: decisions of staff,
 * and the gateway's own SMS echoed back. */
static int
replayable(const char *error, const char *want)
{
	if (want != NULL)
		return strcmp(error, want) == 0;
	return strcmp(error, "quarantine_rejected") != 0 && strcmp(error, "loop") != 0;
}

int
cli_replay(const char *conf, int argc, char **argv)
{
	const char *want = NULL, *since_s = NULL;
	struct config *cfg;
	struct store *st = NULL;
	struct idlist l = {NULL, 0, NULL, 0};
	struct outcome o;
	struct store_held h;
	int64_t since = 0;
	int y, m, d, status = 1, flags = 0, reply = 0, r, accepted = 0, replayed = 0;
	const struct cli_option opts[] = {
	    {"--since", &since_s, NULL}, {"--error", &want, NULL}, {"--reply", NULL, &reply}};
	size_t k;

	if (cli_options(argc, argv, 1, opts, sizeof(opts) / sizeof(opts[0])) == -1)
		goto usage;
	if (reply)
		flags |= PIPELINE_REPLY;
	if (since_s != NULL) {
		if (strlen(since_s) != 10 || sscanf(since_s, "%4d-%2d-%2d", &y, &m, &d) != 3 ||
		    m < 1 || m > 12 || d < 1 || d > 31)
			goto usage;
		since = clock_from_local(y, m, d, 0, 0);
	}
	if (want != NULL && (strlen(want) == 0 || strlen(want) > 31))
		goto usage;
	cfg = cli_config_quiet(conf);
	if (cfg == NULL)
		return 1;
	st = store_open(cfg->database, 0);
	if (st == NULL || store_inbox_held_foreach(st, want, since, collect, &l) == -1 || l.oom)
		goto done;
	status = 0;
	for (k = 0; k < l.n; k++) {
		r = store_inbox_get(st, l.v[k], &h);
		if (r == -1) {
			status = 1;
			break;
		}
		if (r == 0 || !replayable(h.error, want)) {
			store_inmsg_clear(&h.msg);
			continue;
		}
		char was[32];

		snprintf(was, sizeof(was), "%s", h.error);
		store_inmsg_clear(&h.msg);
		memset(&o, 0, sizeof(o));
		r = again(cfg, st, l.v[k], was, flags, &o);
		if (r == -1) {
			status = 1;
			break;
		}
		if (r == 0)
			continue;
		replayed++;
		if (o.changed || strcmp(o.error, was) != 0)
			accepted += print_outcome(l.v[k], was, &o);
	}
	printf("replayed %d message%s: %d now accepted, %d still rejected%s\n", replayed,
	       replayed == 1 ? "" : "s", accepted, replayed - accepted,
	       (flags & PIPELINE_REPLY) ? "; replies queued for changed outcomes"
					: "; no replies sent (--reply)");
done:
	free(l.v);
	store_close(st);
	config_free(cfg);
	return status;
usage:
	return cli_usage("replay [--since YYYY-MM-DD] [--error CODE] [--reply]");
}
