/*
 * cmd-send.c - tinbao send: queues a notice through the outbox for one
 * number, the officers of a commune or every number of a role, from the
 * configuration's lists and the registry, each number once (see outbox.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "phone.h"
#include "identity.h"
#include "outbox.h"
#include "store.h"

#define SEND_MAX 50 /* recipients of one command: a district's officers */

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
	return cli_usage("send NUMBER TEXT\n"
			 "send --to-commune COMMUNE TEXT\n"
			 "send --to-role officer|class|district|admin TEXT");
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
	why = outbox_notice_check(text);
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
	cfg = cli_config_quiet(conf);
	if (cfg == NULL)
		return 1;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		goto done;
	if (argc == 3) {
		to = argv[1];
		ok = recipient(r, argv[1]) == 0;
	} else if (strcmp(argv[1], "--to-commune") == 0) {
		if (cli_commune(cfg, argv[2], code, sizeof(code), &why) == -1) {
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
