/*
 * trustcli.c - the registry's subcommands: senders, quarantine, replay (see
 * cli.h, senders.h, quota.h).
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
#include "gateway.h"
#include "identity.h"
#include "pipeline.h"
#include "log.h"
#include "parser.h"
#include "phone.h"
#include "store.h"

#define CSV_FIELDS 5
#define CSV_LINE 1024

/* Loads the configuration, printing every diagnostic as file:line. */
static struct config *
load(const char *path)
{
	struct config_diags diags = {NULL, 0};
	struct config *cfg;
	size_t i;

	cfg = config_load(path, &diags);
	for (i = 0; i < diags.n; i++)
		fprintf(stderr, "%s:%d: %s: %s\n", diags.v[i].file, diags.v[i].line,
			diags.v[i].warning ? "warning" : "error", diags.v[i].msg);
	config_diags_free(&diags);
	/* One-shot tools: say only what went wrong (or everything with -d). */
	if (cfg != NULL && log_getlevel() != LOG_LEVEL_DEBUG)
		log_setlevel(LOG_LEVEL_WARN);
	return cfg;
}

/*
 * A commune by its code or its name, resolved like an officer's SMS names
 * it (the parser's matching, through a STATUS message).  Writes the code;
 * 0, or -1 with *why set.
 */
static int
resolve_commune(const struct config *cfg, const char *s, char *code, size_t codesz,
		const char **why)
{
	struct parser_result res;
	char text[256];
	size_t i;

	for (i = 0; i < cfg->ncommunes; i++) {
		if (strcmp(cfg->communes[i].code, s) == 0) {
			snprintf(code, codesz, "%s", s);
			return 0;
		}
	}
	*why = "unknown commune";
	if (cfg->nkeywords[PARSER_STATUS] == 0 || strlen(s) > 128)
		return -1;
	snprintf(text, sizeof(text), "%s %s", cfg->keywords[PARSER_STATUS][0], s);
	parser_parse(cfg->parser, text, strlen(text), &res);
	if (res.error == PARSER_AMBIGUOUS_COMMUNE)
		*why = "ambiguous commune name";
	if (res.error != PARSER_OK || res.nitems != 1 || res.items[0].commune < 0)
		return -1;
	snprintf(code, codesz, "%s", parser_commune_code(cfg->parser, res.items[0].commune));
	return 0;
}

/* Checks one sender's fields and fills snd.  0, or -1 with *why set. */
static int
make_sender(const struct config *cfg, const char *number, const char *name, const char *role,
	    const char *commune, const char *active, struct store_sender *snd, const char **why)
{
	memset(snd, 0, sizeof(*snd));
	if (phone_e164(number, snd->number, sizeof(snd->number)) == -1) {
		*why = "not a Vietnamese phone number";
		return -1;
	}
	if (strlen(name) >= sizeof(snd->name) || !parser_utf8_valid(name, strlen(name))) {
		*why = "name too long or not UTF-8";
		return -1;
	}
	snprintf(snd->name, sizeof(snd->name), "%s", name);
	if (identity_role_parse(role) == 0) {
		*why = "role must be officer, class, district or admin";
		return -1;
	}
	snprintf(snd->role, sizeof(snd->role), "%s", role);
	if (commune[0] != '\0' &&
	    resolve_commune(cfg, commune, snd->commune_code, sizeof(snd->commune_code), why) == -1)
		return -1;
	if (strcmp(role, "officer") == 0 && snd->commune_code[0] == '\0') {
		*why = "an officer needs a commune";
		return -1;
	}
	if (active[0] == '\0' || strcmp(active, "1") == 0 || strcmp(active, "yes") == 0 ||
	    strcmp(active, "true") == 0) {
		snd->active = 1;
	} else if (strcmp(active, "0") == 0 || strcmp(active, "no") == 0 ||
		   strcmp(active, "false") == 0) {
		snd->active = 0;
	} else {
		*why = "active must be 1 or 0";
		return -1;
	}
	return 0;
}

/* Splits a CSV line into at most max fields (double quotes allowed, ""
 * inside them), in place.  Returns the number of fields, or -1. */
static int
csv_split(char *line, char **f, int max)
{
	char *r = line, *w = line;
	int n = 0, quoted;

	for (;;) {
		if (n == max)
			return -1;
		f[n++] = w;
		quoted = *r == '"';
		if (quoted)
			r++;
		for (;;) {
			if (*r == '\0') {
				if (quoted)
					return -1;
				*w = '\0';
				return n;
			}
			if (quoted && r[0] == '"' && r[1] == '"') {
				*w++ = '"';
				r += 2;
			} else if (quoted && *r == '"') {
				quoted = 0;
				r++;
				if (*r != ',' && *r != '\0')
					return -1;
			} else if (!quoted && *r == ',') {
				r++;
				*w++ = '\0';
				break;
			} else {
				*w++ = *r++;
			}
		}
	}
}

static void
trim(char *s)
{
	size_t len = strlen(s), i = 0;

	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' ||
			   s[len - 1] == '\n'))
		s[--len] = '\0';
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	memmove(s, s + i, len - i + 1);
}

/* Reads and checks the whole file first; imports nothing unless every row
 * is right, in one transaction. */
static int
senders_import(const struct config *cfg, struct store *st, const char *path)
{
	static const char *const header[CSV_FIELDS] = {"number", "name", "role", "commune",
						       "active"};
	struct store_sender *v = NULL, *nv;
	char line[CSV_LINE], *f[CSV_FIELDS];
	const char *why;
	size_t n = 0, i, j;
	int lineno = 0, errors = 0, nf;
	FILE *in;

	in = fopen(path, "r");
	if (in == NULL) {
		fprintf(stderr, "tinbao: senders import: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), in) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(in)) {
			fprintf(stderr, "%s:%d: line too long\n", path, lineno);
			errors++;
			break;
		}
		trim(line);
		if (line[0] == '\0' || line[0] == '#')
			continue;
		nf = csv_split(line, f, CSV_FIELDS);
		for (i = 0; nf > 0 && i < (size_t)nf; i++)
			trim(f[i]);
		if (lineno == 1) {
			for (i = 0; nf == CSV_FIELDS && i < CSV_FIELDS; i++)
				if (strcmp(f[i], header[i]) != 0)
					break;
			if (nf != CSV_FIELDS || i < CSV_FIELDS) {
				fprintf(stderr,
					"%s:1: the header must be number,name,role,commune,"
					"active\n",
					path);
				errors++;
				break;
			}
			continue;
		}
		if (nf != CSV_FIELDS) {
			fprintf(stderr, "%s:%d: want %d comma-separated fields\n", path, lineno,
				CSV_FIELDS);
			errors++;
			continue;
		}
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (nv == NULL) {
			fprintf(stderr, "tinbao: senders import: out of memory\n");
			errors++;
			break;
		}
		v = nv;
		if (make_sender(cfg, f[0], f[1], f[2], f[3], f[4], &v[n], &why) == -1) {
			fprintf(stderr, "%s:%d: %s: %s\n", path, lineno, f[0], why);
			errors++;
			continue;
		}
		for (j = 0; j < n; j++)
			if (strcmp(v[j].number, v[n].number) == 0)
				break;
		if (j < n) {
			fprintf(stderr, "%s:%d: %s: listed twice\n", path, lineno, f[0]);
			errors++;
			continue;
		}
		n++;
	}
	if (ferror(in)) {
		fprintf(stderr, "tinbao: senders import: %s: read error\n", path);
		errors++;
	}
	fclose(in);
	if (lineno == 0) {
		fprintf(stderr, "%s: empty file\n", path);
		errors++;
	}
	if (errors > 0) {
		fprintf(stderr, "%s: %d error%s; nothing imported\n", path, errors,
			errors == 1 ? "" : "s");
		free(v);
		return 1;
	}
	if (store_begin(st) == -1)
		goto fail;
	for (i = 0; i < n; i++)
		if (store_sender_put(st, &v[i], clock_now()) == -1) {
			store_rollback(st);
			goto fail;
		}
	if (store_commit(st) == -1) {
		store_rollback(st);
		goto fail;
	}
	printf("imported %zu sender%s from %s\n", n, n == 1 ? "" : "s", path);
	free(v);
	return 0;
fail:
	fprintf(stderr, "tinbao: senders import: nothing imported\n");
	free(v);
	return 1;
}

static int
print_sender(void *arg, const struct store_sender *snd)
{
	int *count = arg;
	char name[4 * sizeof(snd->name)];

	printf("%-13s  %-8s  %-5s  %-6s  %s\n", snd->number, snd->role,
	       snd->commune_code[0] ? snd->commune_code : "-", snd->active ? "active" : "off",
	       log_escape(snd->name, name, sizeof(name)));
	(*count)++;
	return 0;
}

static int
senders_usage(void)
{
	fprintf(stderr, "usage: tinbao -c config senders list\n"
			"       tinbao -c config senders add NUMBER ROLE [--commune C] [--name N]\n"
			"       tinbao -c config senders remove NUMBER\n"
			"       tinbao -c config senders import FILE.csv\n");
	return 2;
}

static int
senders_add(const struct config *cfg, struct store *st, int argc, char **argv)
{
	const char *commune = "", *name = "", *why;
	struct store_sender snd;
	int i;

	for (i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--commune") == 0 && i + 1 < argc)
			commune = argv[++i];
		else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
			name = argv[++i];
		else
			return senders_usage();
	}
	if (make_sender(cfg, argv[1], name, argv[2], commune, "1", &snd, &why) == -1) {
		fprintf(stderr, "tinbao: senders add: %s: %s\n", argv[1], why);
		return 1;
	}
	if (store_sender_put(st, &snd, clock_now()) == -1)
		return 1;
	printf("%s: %s%s%s\n", snd.number, snd.role, snd.commune_code[0] ? " of " : "",
	       snd.commune_code);
	return 0;
}

int
cli_senders(const char *conf, int argc, char **argv)
{
	struct config *cfg;
	struct store *st = NULL;
	char number[24];
	int status = 1, count = 0, r;

	if (argc < 2)
		return senders_usage();
	if (!((strcmp(argv[1], "list") == 0 && argc == 2) ||
	      (strcmp(argv[1], "add") == 0 && argc >= 4) ||
	      (strcmp(argv[1], "remove") == 0 && argc == 3) ||
	      (strcmp(argv[1], "import") == 0 && argc == 3)))
		return senders_usage();
	cfg = load(conf);
	if (cfg == NULL)
		return 1;
	st = store_open(cfg->database, strcmp(argv[1], "list") == 0 ? STORE_READONLY : 0);
	if (st == NULL)
		goto done;
	if (strcmp(argv[1], "list") == 0) {
		if (store_senders_foreach(st, print_sender, &count) == 0) {
			printf("%d sender%s\n", count, count == 1 ? "" : "s");
			status = 0;
		}
	} else if (strcmp(argv[1], "add") == 0) {
		status = senders_add(cfg, st, argc - 1, argv + 1);
	} else if (strcmp(argv[1], "import") == 0) {
		status = senders_import(cfg, st, argv[2]);
	} else if (phone_e164(argv[2], number, sizeof(number)) == -1) {
		fprintf(stderr, "tinbao: senders remove: %s: not a Vietnamese phone number\n",
			argv[2]);
	} else {
		r = store_sender_remove(st, number, clock_now());
		if (r == 1) {
			printf("%s: removed (kept, inactive)\n", number);
			status = 0;
		} else if (r == 0) {
			fprintf(stderr, "tinbao: senders remove: %s: no such active sender\n",
				number);
		}
	}
done:
	store_close(st);
	config_free(cfg);
	return status;
}

/* ---- quarantine and replay -------------------------------------------- */

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

int
cli_quarantine(const char *conf, int argc, char **argv)
{
	struct config *cfg;
	struct store *st = NULL;
	int status = 1, count = 0, list;

	list = argc == 1 || (argc == 2 && strcmp(argv[1], "list") == 0);
	if (!list &&
	    !(argc == 3 && (strcmp(argv[1], "accept") == 0 || strcmp(argv[1], "reject") == 0))) {
		fprintf(stderr, "usage: tinbao -c config quarantine [list | accept ID|NUMBER | "
				"reject ID|NUMBER]\n");
		return 2;
	}
	cfg = load(conf);
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
		status = quarantine_decide(cfg, st, argv[1], argv[2]);
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
	int i, y, m, d, status = 1, flags = 0, r, accepted = 0, replayed = 0;
	size_t k;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--since") == 0 && i + 1 < argc)
			since_s = argv[++i];
		else if (strcmp(argv[i], "--error") == 0 && i + 1 < argc)
			want = argv[++i];
		else if (strcmp(argv[i], "--reply") == 0)
			flags |= PIPELINE_REPLY;
		else
			goto usage;
	}
	if (since_s != NULL) {
		if (strlen(since_s) != 10 || sscanf(since_s, "%4d-%2d-%2d", &y, &m, &d) != 3 ||
		    m < 1 || m > 12 || d < 1 || d > 31)
			goto usage;
		since = clock_from_local(y, m, d, 0, 0);
	}
	if (want != NULL && (strlen(want) == 0 || strlen(want) > 31))
		goto usage;
	cfg = load(conf);
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
	fprintf(stderr, "usage: tinbao -c config replay [--since YYYY-MM-DD] [--error CODE] "
			"[--reply]\n");
	return 2;
}

/* ---- send: a notice to one number, a commune's officers or a role ------ */

#define SEND_MAX 50    /* recipients of one command: a district's officers */
#define SEND_TEXT 1530 /* bytes: ten SMS parts of GSM 7-bit at the most */

struct recipients {
	char v[SEND_MAX][24];
	size_t n;
	const char *role;    /* the role wanted, or NULL */
	const char *commune; /* the commune whose officers are wanted, or NULL */
	int failed;	     /* set by identity_recipient() */
};

/* Adds number in +84 form once.  0, or -1 when it is no phone number or
 * there are too many. */
static int
recipient(struct recipients *r, const char *number)
{
	char e164[24];
	size_t i;

	if (phone_e164(number, e164, sizeof(e164)) == -1) {
		fprintf(stderr, "tinbao: send: %s: not a Vietnamese phone number\n", number);
		return -1;
	}
	for (i = 0; i < r->n; i++) {
		if (strcmp(r->v[i], e164) == 0)
			return 0;
	}
	if (r->n == SEND_MAX) {
		fprintf(stderr, "tinbao: send: more than %d recipients\n", SEND_MAX);
		return -1;
	}
	snprintf(r->v[r->n++], sizeof(r->v[0]), "%s", e164);
	return 0;
}

/* Everyone of the role (or the commune's officers) in the registry. */
static int
identity_recipient(void *arg, const struct identity *id)
{
	struct recipients *r = arg;

	if (recipient(r, id->number) == -1) {
		r->failed = 1;
		return 1;
	}
	return 0;
}

static int
send_usage(void)
{
	fprintf(stderr,
		"usage: tinbao -c config send NUMBER TEXT\n"
		"       tinbao -c config send --to-commune COMMUNE TEXT\n"
		"       tinbao -c config send --to-role officer|class|district|admin TEXT\n");
	return 2;
}

/* Checks the text of a notice: UTF-8, no control characters but line
 * breaks, at most SEND_TEXT bytes.  NULL, or why not. */
static const char *
bad_notice(const char *text)
{
	const unsigned char *p;
	size_t len = strlen(text);

	if (len == 0)
		return "empty text";
	if (len > SEND_TEXT)
		return "text too long (at most 10 SMS)";
	if (!parser_utf8_valid(text, len))
		return "text is not valid UTF-8";
	for (p = (const unsigned char *)text; *p != '\0'; p++) {
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
			return "control character in the text";
	}
	return NULL;
}

int
cli_send(const char *conf, int argc, char **argv)
{
	struct recipients *r = NULL;
	struct config *cfg;
	struct store *st = NULL;
	const char *text, *why, *to = NULL;
	char code[16];
	int64_t id;
	size_t i;
	int status = 1, ok = 1;

	if (argc == 4 &&
	    (strcmp(argv[1], "--to-commune") == 0 || strcmp(argv[1], "--to-role") == 0))
		text = argv[3];
	else if (argc == 3 && argv[1][0] != '-')
		text = argv[2];
	else
		return send_usage();
	why = bad_notice(text);
	if (why != NULL) {
		fprintf(stderr, "tinbao: send: %s\n", why);
		return 2;
	}
	if (argc == 4 && strcmp(argv[1], "--to-role") == 0 && identity_role_parse(argv[2]) == 0) {
		fprintf(stderr,
			"tinbao: send: unknown role \"%s\" (officer, class, district, admin)\n",
			argv[2]);
		return 2;
	}
	cfg = load(conf);
	if (cfg == NULL)
		return 1;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		goto done;
	if (argc == 3) {
		to = argv[1];
		ok = recipient(r, argv[1]) == 0;
	} else if (strcmp(argv[1], "--to-commune") == 0) {
		if (resolve_commune(cfg, argv[2], code, sizeof(code), &why) == -1) {
			fprintf(stderr, "tinbao: send: %s: %s\n", argv[2], why);
			goto done;
		}
		r->commune = code;
	} else {
		r->role = argv[2];
	}
	st = store_open(cfg->database, 0);
	if (st == NULL || !ok)
		goto done;
	if (to == NULL &&
	    (identity_foreach(cfg, st,
			      r->role != NULL ? identity_role_parse(r->role) : IDENTITY_OFFICER,
			      r->commune, identity_recipient, r) != 0 ||
	     r->failed))
		goto done;
	if (r->n == 0) {
		fprintf(stderr, "tinbao: send: nobody to send to: no %s number%s%s\n",
			r->role != NULL ? r->role : "officer",
			r->commune != NULL ? " for commune " : "",
			r->commune != NULL ? r->commune : "");
		goto done;
	}
	if (store_begin(st) == -1)
		goto done;
	for (i = 0; i < r->n; i++) {
		if (store_outbox_add(st, r->v[i], text, "notice", 0, &id) == -1) {
			store_rollback(st);
			goto done;
		}
		printf("outbox #%" PRId64 " to %s\n", id, r->v[i]);
	}
	if (store_commit(st) == -1)
		goto done;
	printf("queued %zu SMS; the gateway sends them within the sending rate and the daily cap\n",
	       r->n);
	status = 0;
done:
	free(r);
	store_close(st);
	config_free(cfg);
	return status;
}
