/*
 * receive.c - the door: SMS from a modem (or imported from another program)
 * into the inbox.  Every SMS is committed before the phone may forget it;
 * parts are joined; the same SMS read twice is counted on its row; the
 * sender is written in one form (phone.h); a NAPTIEN's PIN never reaches
 * the disk.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "crash.h"
#include "daemon.h"
#include "gateway.h"
#include "identity.h"
#include "log.h"
#include "modem.h"
#include "outbox.h"
#include "phone.h"
#include "pipeline.h"
#include "store.h"
#include "ussd.h"

/* A part that arrives after its message was processed without it is
 * processed at once (as an incomplete message of its own) when the message
 * was processed less than this long ago. */
#define LATE_PART_WINDOW (24 * 3600)

static uint64_t
fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/*
 * What makes an SMS the same SMS when it is read again (the process died
 * between the inbox commit and the delete): sender, SMSC time, coding,
 * concatenation header and text.  Without an SMSC time, the place on the
 * phone stands in for it.
 */
static void
fingerprint(const struct modem_sms *sms, char *out, size_t outsz)
{
	char meta[96];
	uint64_t h = 14695981039346656037ULL;

	snprintf(meta, sizeof(meta), "%" PRId64 "|%s|%d|%d|%d|%d", sms->smsc_time, sms->coding,
		 sms->concat_ref, sms->part_no, sms->part_count,
		 sms->smsc_time == 0 ? sms->location : 0);
	h = fnv1a(h, sms->sender, strlen(sms->sender) + 1);
	h = fnv1a(h, meta, strlen(meta) + 1);
	h = fnv1a(h, sms->text, strlen(sms->text));
	snprintf(out, outsz, "%016" PRIx64, h);
}

/* Adds one SMS (or part) read from the phone, received at now, inside the
 * caller's transaction.  Returns 0 or -1. */
static int
keep_sms(struct gw *gw, const struct gw_modem *m, struct modem_sms *sms, int64_t now)
{
	struct identity who;
	struct topup t;
	char fp[24], canon[PHONE_MAX];
	int64_t id = 0;
	int r, topup;

	/* NAPTIEN <PIN>: from here on only the masked text exists (inbox,
	 * fingerprint, logs, events); the PIN stays in memory until the top-up
	 * is dialled (daemon_topup()). */
	memset(&t, 0, sizeof(t));
	topup = ussd_topup_match(sms->text, t.masked, sizeof(t.masked), t.pin, sizeof(t.pin));
	if (topup) {
		explicit_bzero(sms->text, sizeof(sms->text));
		snprintf(sms->text, sizeof(sms->text), "%s", t.masked);
	}
	/* The fingerprint stays on the number as the phone gives it, so that an
	 * SMS read again is recognised whatever the stored form; from here on
	 * the sender is one phone, one form (phone.h). */
	fingerprint(sms, fp, sizeof(fp));
	phone_canonical(sms->sender, canon, sizeof(canon));
	snprintf(sms->sender, sizeof(sms->sender), "%s", canon);
	if (sms->status_report) /* a delivery report: kept, not an officer's message */
		return outbox_report(gw->outbox, sms, m->name, fp, now);
	if (sms->concat_ref == -1) {
		struct store_sms s = {sms->sender, sms->smsc_time, now, sms->text, sms->coding, 1,
				      fp,	   m->name,	   NULL};
		r = store_inbox_add(gw->st, &s, &id);
	} else {
		struct store_part p = {sms->sender,	sms->concat_ref, sms->part_no,
				       sms->part_count, sms->smsc_time,	 now,
				       sms->text,	sms->coding,	 fp,
				       m->name};
		r = store_part_add(gw->st, &p, &id);
	}
	if (r == -1) {
		explicit_bzero(&t, sizeof(t));
		return -1;
	}
	/* Only an admin's PIN is kept: a stranger's requests cannot take the
	 * places of an admin's (the pipeline refuses them, PIN or not). */
	if (topup && r == 1 && sms->concat_ref == -1) {
		if (identity_resolve(gw->cfg, gw->st, sms->sender, &who) == -1) {
			explicit_bzero(&t, sizeof(t));
			return -1;
		}
		if (identity_has(&who, IDENTITY_ADMIN))
			daemon_keep_topup(gw, m, id, sms->sender, t.masked, t.pin);
	}
	explicit_bzero(&t, sizeof(t));
	if (sms->concat_ref != -1)
		log_info("SMS from %s: part %d/%d (ref %d)%s", sms->sender, sms->part_no,
			 sms->part_count, sms->concat_ref, r == 1 ? ", message complete" : "");
	else if (r == 0)
		log_info("SMS from %s already stored as #%" PRId64
			 " (read again, or sent twice in the same second: counted on its row)",
			 sms->sender, id);
	return 0;
}

/* Where the SMS of a batch are on the phone, to delete them once committed. */
struct batch {
	struct modem_sms where[BATCH]; /* only folder and location are used */
	int n;
};

/* Commits the batch, and only then lets the phone forget its SMS. */
static int
flush_batch(struct gw *gw, struct gw_modem *m, struct batch *b)
{
	int i;

	if (store_commit(gw->st) == -1) {
		store_rollback(gw->st);
		log_warnx("%d SMS could not be stored; left on the phone", b->n);
		b->n = 0;
		return -1;
	}
	crash_point("stored");
	for (i = 0; i < b->n; i++) {
		modem_delete(m->modem, &b->where[i]);
		crash_point("deleted");
	}
	b->n = 0;
	return 0;
}

int
daemon_receive(struct gw *gw, struct gw_modem *m)
{
	struct modem_sms *sms;
	struct batch *b;
	int n = 0, r, start = 1;

	sms = malloc(sizeof(*sms));
	b = calloc(1, sizeof(*b));
	if (sms == NULL || b == NULL) {
		log_warn("receive");
		goto done;
	}
	while (!daemon_quit) {
		r = modem_next(m->modem, start, sms);
		start = 0;
		if (r != 1)
			break;
		if (b->n == 0 && store_begin(gw->st) == -1)
			break;
		if (keep_sms(gw, m, sms, clock_now()) == -1) {
			/* Not stored: the whole batch stays on the phone, to be read again. */
			store_rollback(gw->st);
			log_warnx("SMS from %s could not be stored; left on the phone",
				  sms->sender);
			b->n = 0;
			break;
		}
		b->where[b->n].folder = sms->folder;
		b->where[b->n].location = sms->location;
		b->n++;
		n++;
		if (b->n == BATCH && flush_batch(gw, m, b) == -1)
			break;
	}
	if (b != NULL && b->n > 0 && flush_batch(gw, m, b) == -1)
		n = -1;
done:
	free(b);
	free(sms);
	return n;
}

/*
 * Messages whose missing parts did not come within multipart_timeout (and
 * parts that came after their message was processed without them) become
 * inbox rows of their own, processed with the others.
 */
int
daemon_expire_parts(struct gw *gw)
{
	int64_t id, now = clock_now();
	int r, n = 0;

	if (store_begin(gw->st) == -1)
		return -1;
	for (;;) {
		r = store_parts_expire(gw->st, now - gw->cfg->multipart_timeout,
				       now - LATE_PART_WINDOW, &id);
		if (r != 1)
			break;
		log_info("SMS #%" PRId64 ": incomplete message, processed without its missing "
			 "parts",
			 id);
		n++;
	}
	if (r == -1 || store_commit(gw->st) == -1) {
		store_rollback(gw->st);
		return -1;
	}
	return n;
}

/* ---- SMS another program received --------------------------------------- */

struct gateway_import {
	struct gw gw;
	struct gw_modem from; /* only its name: the source */
	int64_t newest;	      /* received time of the newest SMS taken */
};

struct gateway_import *
gateway_import_begin(struct config *cfg, struct store *st, const char *source)
{
	struct gateway_import *imp = calloc(1, sizeof(*imp));

	if (imp == NULL) {
		log_warn("import");
		return NULL;
	}
	imp->gw.cfg = cfg;
	imp->gw.st = st;
	snprintf(imp->from.name, sizeof(imp->from.name), "%s", source);
	if (store_begin(st) == -1) {
		free(imp);
		return NULL;
	}
	return imp;
}

int
gateway_import_sms(struct gateway_import *imp, const char *key, struct modem_sms *sms,
		   int64_t received)
{
	int r;

	r = store_import_mark(imp->gw.st, imp->from.name, key, clock_now());
	if (r != 1)
		return r;
	if (keep_sms(&imp->gw, &imp->from, sms, received) == -1)
		return -1;
	if (received > imp->newest)
		imp->newest = received;
	return 1;
}

/* The parts of the source that are still waiting will not come any more
 * (the other program has stopped): joined as incomplete messages. */
static int
import_expire(struct gateway_import *imp)
{
	int64_t id;
	int r;

	if (imp->newest == 0)
		return 0;
	do
		r = store_parts_expire(imp->gw.st, imp->newest + 1, clock_now() - LATE_PART_WINDOW,
				       &id);
	while (r == 1);
	return r;
}

long
gateway_import_end(struct gateway_import *imp, int commit)
{
	struct pipeline pl = {imp->gw.cfg, imp->gw.st, NULL, NULL};
	struct store_inmsg msg;
	int64_t after = 0;
	long n = 0;
	int r = 0;

	memset(&msg, 0, sizeof(msg));
	if (commit && import_expire(imp) == -1)
		commit = 0;
	/* The new rows of this source only: the modems' are the daemon's to
	 * answer.  As a replay: no limits, no reply. */
	while (commit && (r = store_inbox_next_new(imp->gw.st, after, &msg)) == 1) {
		after = msg.id;
		if (strcmp(msg.modem, imp->from.name) == 0) {
			if (pipeline_run(&pl, &msg, PIPELINE_REPLAY) == -1)
				commit = 0;
			n++;
		}
		store_inmsg_clear(&msg);
	}
	if (r == -1 || !commit || store_commit(imp->gw.st) == -1) {
		store_rollback(imp->gw.st);
		n = -1;
	}
	daemon_topups_clear(&imp->gw);
	free(imp);
	return n;
}
