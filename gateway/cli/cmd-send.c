/*
 * cmd-send.c - tinbao send: queues a notice through the outbox for one
 * number, the officers of a commune or every number of a role, from the
 * configuration's lists and the registry, each number once (recipients.h).
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
#include "recipients.h"
#include "registry.h"
#include "store.h"

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
	const char *text, *why, *role = NULL, *commune = NULL;
	char code[16];
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
		ok = recipients_add(r, argv[1]) == 0;
	} else if (strcmp(argv[1], "--to-commune") == 0) {
		if (registry_commune(cfg, argv[2], code, sizeof(code), &why) == -1) {
			fprintf(stderr, "tinbao: send: %s: %s\n", argv[2], why);
			goto done;
		}
		commune = code;
	} else {
		role = argv[2];
	}
	if (!ok)
		fprintf(stderr, "tinbao: send: %s\n", r->why);
	st = store_open(cfg->database, 0);
	if (st == NULL || !ok)
		goto done;
	if (argc == 4 &&
	    recipients_of(cfg, st, role != NULL ? identity_role_parse(role) : IDENTITY_OFFICER,
			  commune, r) == -1) {
		if (r->why[0] != '\0')
			fprintf(stderr, "tinbao: send: %s\n", r->why);
		goto done;
	}
	if (r->n == 0) {
		fprintf(stderr, "tinbao: send: nobody to send to: no %s number%s%s\n",
			role != NULL ? role : "officer", commune != NULL ? " for commune " : "",
			commune != NULL ? commune : "");
		goto done;
	}
	if (store_begin(st) == -1)
		goto done;
	if (recipients_queue(st, r, text) == -1) {
		store_rollback(st);
		goto done;
	}
	for (i = 0; i < r->n; i++)
		printf("outbox #%" PRId64 " to %s\n", r->id[i], r->v[i]);
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
