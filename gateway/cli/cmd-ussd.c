/*
 * cmd-ussd.c - tinbao ussd [--modem NAME] CODE: dials a USSD code (the
 * balance, a top-up) and prints the network's answer, directly or through
 * the running gateway (see ussd.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "config.h"
#include "gateway.h"
#include "log.h"
#include "modem.h"
#include "store.h"
#include "ussd.h"

/* Dials code on the modem, the gateway not running.  0 or -1 with why. */
static int
ussd_direct(const struct config *cfg, const struct config_modem *cm, const char *code,
	    const char *masked, char *answer, size_t answersz, const char **why)
{
	struct modem *m;
	struct store *st;
	int r;

	*why = "error";
	m = modem_open(cm->gammurc, cm->section);
	if (m == NULL) {
		fprintf(stderr, "tinbao: ussd: cannot open the modem\n");
		return -1;
	}
	r = ussd_dial(m, code, cfg->balance.timeout, answer, answersz, why);
	modem_close(m);
	st = store_open(cfg->database, 0);
	if (st != NULL) {
		struct store_ussd u = {
		    cm->name, clock_now(),	   "manual", masked, r == 0 ? answer : NULL, 0,
		    0,	      r == 0 ? "ok" : *why};
		store_ussd_add(st, &u);
	}
	store_close(st);
	return r;
}

/*
 * The gateway runs and holds the modem: the request goes through the
 * database, the gateway dials it at its next turn, and the answer comes back
 * the same way.  0 or -1 with why.
 */
static int
ussd_through_gateway(const struct config *cfg, const struct config_modem *cm, const char *code,
		     char *answer, size_t answersz, const char **why)
{
	static char status[16];
	struct timespec step = {0, 200 * 1000 * 1000};
	struct store *st;
	int64_t id, waited_ms = 0, max_ms;
	int r = -1;

	*why = "no_gateway";
	st = store_open(cfg->database, 0);
	if (st == NULL || store_ussd_request(st, cm->name, code, clock_now(), &id) == -1) {
		store_close(st);
		*why = "error";
		return -1;
	}
	/* A turn, the dial, and some slack for a busy gateway. */
	max_ms = ((int64_t)cfg->poll_interval + cfg->balance.timeout + 15) * 1000;
	while (waited_ms < max_ms) {
		nanosleep(&step, NULL);
		waited_ms += 200;
		if (store_ussd_get(st, id, status, sizeof(status), answer, answersz) != 1)
			break;
		if (strcmp(status, "requested") == 0)
			continue;
		*why = status;
		r = strcmp(status, "ok") == 0 ? 0 : -1;
		break;
	}
	if (strcmp(*why, "no_gateway") == 0)
		store_ussd_answer(st, id, NULL, "expired", 1);
	store_close(st);
	return r;
}

int
cli_ussd(const char *conf, int argc, char **argv)
{
	struct config *cfg;
	const struct config_modem *cm = NULL;
	char answer[USSD_ANSWER_MAX], masked[64];
	const char *code, *why = "error", *name = NULL;
	size_t n, i;
	int r, status = 1, lock;

	if (argc == 4 && strcmp(argv[1], "--modem") == 0) {
		name = argv[2];
		code = argv[3];
	} else if (argc == 2) {
		code = argv[1];
	} else {
		return cli_usage("ussd [--modem NAME] CODE");
	}
	n = strlen(code);
	if (n < 2 || n > 40 || strspn(code, "0123456789*#") != n || code[n - 1] != '#') {
		fprintf(stderr,
			"tinbao: ussd: \"%s\" is not a USSD code (digits, * and #, "
			"ending in #)\n",
			code);
		return 2;
	}
	ussd_mask(code, masked, sizeof(masked));
	cfg = cli_config(conf);
	if (cfg == NULL)
		return 1;
	/* The first configured modem, or the one named. */
	for (i = 0; i < cfg->nmodems && cm == NULL; i++)
		if (name == NULL || strcmp(cfg->modems[i].name, name) == 0)
			cm = &cfg->modems[i];
	if (cm == NULL) {
		fprintf(stderr, "tinbao: ussd: no modem named \"%s\" in %s\n", name, conf);
		goto done;
	}
	if (modem_config_is_dummy(cm->gammurc, cm->section) == 1) {
		fprintf(stderr, "tinbao: ussd: %s is gammu's dummy phone, which has no network\n",
			cm->gammurc);
		goto done;
	}
	/* The running gateway holds the modem: never talk to it behind its back. */
	lock = gateway_lock(cfg->database);
	if (lock != -1) {
		r = ussd_direct(cfg, cm, code, masked, answer, sizeof(answer), &why);
		close(lock);
	} else if (strcmp(masked, code) != 0) {
		fprintf(stderr, "tinbao: ussd: the gateway is running; a code with a card PIN is "
				"not handed to it through the database (send NAPTIEN by SMS, or "
				"stop the gateway)\n");
		goto done;
	} else {
		r = ussd_through_gateway(cfg, cm, code, answer, sizeof(answer), &why);
	}
	if (r == 0) {
		/* The network's text, for a terminal. */
		log_fputs(answer, stdout);
		putchar('\n');
		status = 0;
	} else if (strcmp(why, "refused") == 0) {
		fprintf(stderr, "tinbao: ussd: %s: the network refused the code\n", masked);
	} else if (strcmp(why, "no_answer") == 0) {
		fprintf(stderr, "tinbao: ussd: %s: no answer within %d s\n", masked,
			cfg->balance.timeout);
	} else if (strcmp(why, "no_gateway") == 0) {
		fprintf(stderr, "tinbao: ussd: %s: the running gateway did not dial it in time\n",
			masked);
	} else {
		fprintf(stderr, "tinbao: ussd: %s: the modem failed\n", masked);
	}
done:
	config_free(cfg);
	return status;
}
