/*
 * gateway.c - see gateway.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "backup.h"
#include "clock.h"
#include "config.h"
#include "crash.h"
#include "digest.h"
#include "gateway.h"
#include "health.h"
#include "json.h"
#include "quota.h"
#include "log.h"
#include "modem.h"
#include "outbox.h"
#include "parser.h"
#include "phone.h"
#include "push.h"
#include "report.h"
#include "senders.h"
#include "secure.h"
#include "store.h"
#include "ussd.h"

#define VN_UTC_OFFSET (7 * 3600) /* periods are counted in Vietnam's time */
/*
 * SMS committed per transaction.  Each commit is an fsync; one per SMS would
 * make the disk, not the modem, the bottleneck of a full SIM.  A batch is
 * atomic: a crash loses none of it (the SMS are still on the phone) and
 * half of it is never written.
 */
#define BATCH 64
#define SMS_MAX 160 /* one GSM 7-bit SMS */
/* A part that arrives after its message was processed without it is
 * processed at once (as an incomplete message of its own) when the message
 * was processed less than this long ago. */
#define LATE_PART_WINDOW (24 * 3600)

static volatile sig_atomic_t quit;
static volatile sig_atomic_t reload;

/* A NAPTIEN kept by receive(): its PIN lives only here, never on disk. */
struct topup {
	int64_t inbox_id;
	char sender[64];
	char modem[CONFIG_MODEM_NAME_MAX + 1]; /* the one it came in on: its SIM */
	char masked[MODEM_TEXT_MAX];
	char pin[USSD_PIN_MAX + 1];
};

/* One configured modem (config `modems`, or `gammu` as the one named
 * "modem").  Each is opened, scanned, reconnected on its own: one that fails
 * leaves the others working. */
struct gw_modem {
	char name[CONFIG_MODEM_NAME_MAX + 1];
	char *gammurc;
	int section;
	int send;	      /* replies may go out through it */
	struct health health; /* signal and network reads (health.h) */
	int64_t balance_next; /* clock seconds of the next balance check */
	struct modem *modem;  /* NULL while the connection is lost */
	int64_t reopen_at;    /* monotonic ms of the next attempt to reconnect */
	int reopen_wait;      /* ms, doubled after each failed attempt */
	int waiting;	      /* not connected since the start: tried quietly */
};

struct gw {
	struct config *cfg;
	struct store *st;
	struct gw_modem *modems; /* from the configuration at start */
	size_t nmodems;
	size_t next_sender; /* round-robin over the modems that may send */
	int incoming;	    /* a modem announced an SMS: scan now */
	struct push *push;  /* NULL when the configuration has no push */
	struct outbox *outbox;
	int64_t send_next; /* Unix time the outbox wants to send again, 0: nothing queued */
	struct buf json;
	struct topup topups[8]; /* NAPTIEN received, not yet dialled */
	int ntopups;
	struct backup *backup; /* the daily copy, made in steps */
	int64_t report_retry;  /* clock_now() time of the next attempt (report_tick) */
	/* The database cannot be written (disk full, read-only...): SMS stay on
	 * the phone, the next attempt is at db_retry_at (monotonic ms). */
	int db_down;
	int db_wait; /* ms, doubled after each failed attempt */
	int64_t db_retry_at;
	int db_alerted; /* the admins were told (the database could not record it) */
	/* A replay: the error the message had before, or NULL. */
	const char *replay_error;
	int damaged; /* the database file is damaged: the gateway stops */
	/* The longest time the loop went without reading the modems (ms), and
	 * when the last read ended (monotonic ms, 0 before the first). */
	int64_t read_gap, read_end;
};

/* The modems that are connected now. */
#define FOREACH_CONNECTED(gw, m)                                                                   \
	for ((m) = (gw)->modems; (m) < (gw)->modems + (gw)->nmodems; (m)++)                        \
		if ((m)->modem != NULL && !modem_lost((m)->modem))

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else
		quit = 1;
}

static void
set_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: poll() must return so that the loop sees the flag. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* A file-size limit shows as a write error (EFBIG), handled like a
	 * full disk, instead of killing the daemon. */
	signal(SIGXFSZ, SIG_IGN);
}

static int64_t
monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
gateway_period(int64_t t, int *year, int *half)
{
	time_t local = (time_t)(t + VN_UTC_OFFSET);
	struct tm tm;

	gmtime_r(&local, &tm);
	*year = tm.tm_year + 1900;
	*half = tm.tm_mon < 6 ? 1 : 2;
}

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
	struct topup t;
	char fp[24], canon[PHONE_MAX];
	int64_t id = 0;
	int r, topup;

	/* NAPTIEN <PIN>: from here on only the masked text exists (inbox,
	 * fingerprint, logs, events); the PIN stays in memory until the top-up
	 * is dialled (topups()). */
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
	 * places of an admin's (process() refuses them, PIN or not). */
	if (topup && r == 1 && sms->concat_ref == -1 &&
	    gw->ntopups < (int)(sizeof(gw->topups) / sizeof(gw->topups[0])) &&
	    ussd_is_admin(gw->cfg, gw->st, sms->sender)) {
		t.inbox_id = id;
		snprintf(t.sender, sizeof(t.sender), "%s", sms->sender);
		snprintf(t.modem, sizeof(t.modem), "%s", m->name);
		gw->topups[gw->ntopups++] = t;
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

/* Reads every SMS on the phone: commit, then delete.  Returns the number read. */
static int
receive(struct gw *gw, struct gw_modem *m)
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
	while (!quit) {
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

static void
event_payload(struct gw *gw, const struct store_report *r, int64_t ref, const char *text)
{
	struct buf *b = &gw->json;

	buf_reset(b);
	buf_puts(b, "{");
	json_key(b, "ref", 1);
	buf_printf(b, "%" PRId64, ref);
	json_key(b, "kind", 0);
	json_str(b, r->kind);
	json_key(b, "commune_code", 0);
	json_str(b, r->commune_code);
	json_key(b, "commune", 0);
	json_str(b, r->commune);
	if (r->trade_code != NULL) {
		json_key(b, "trade_code", 0);
		json_str(b, r->trade_code);
		json_key(b, "trade", 0);
		json_str(b, r->trade);
	}
	json_key(b, "count", 0);
	buf_printf(b, "%ld", r->count);
	if (strcmp(r->kind, "labour") == 0) {
		json_key(b, "trained", 0);
		buf_printf(b, "%ld", r->trained);
	}
	json_key(b, "period", 0);
	buf_printf(b, "\"%d-H%d\"", r->year, r->half);
	json_key(b, "sender", 0);
	json_str(b, r->sender);
	json_key(b, "text", 0);
	json_str(b, text);
	buf_puts(b, "}");
}

/* state: "rejected" (refused for good), or "held" (kept back unparsed: it
 * may be accepted or replayed later). */
static void
rejection_payload(struct buf *b, const struct store_inmsg *msg, const char *error,
		  const char *state)
{
	buf_reset(b);
	buf_puts(b, "{");
	json_key(b, "inbox_id", 1);
	buf_printf(b, "%" PRId64, msg->id);
	json_key(b, "error", 0);
	json_str(b, error);
	json_key(b, "state", 0);
	json_str(b, state);
	json_key(b, "sender", 0);
	json_str(b, msg->sender);
	json_key(b, "text", 0);
	json_str(b, msg->text);
	buf_puts(b, "}");
}

/* Queues the message.rejected event of msg, in the caller's transaction. */
static int
push_rejected(struct buf *b, struct store *st, const struct store_inmsg *msg, const char *error,
	      const char *state)
{
	const char *payload;

	rejection_payload(b, msg, error, state);
	payload = buf_str(b);
	if (payload == NULL || store_push_add(st, "message.rejected", clock_now(), payload) == -1)
		return -1;
	return 0;
}

int
gateway_push_rejected(struct store *st, const struct store_inmsg *msg, const char *error)
{
	struct buf b;
	int r;

	buf_init(&b);
	r = push_rejected(&b, st, msg, error, "rejected");
	buf_free(&b);
	return r;
}

/* Stores the items of an understood report; *first_ref gets the first reference. */
static int
store_items(struct gw *gw, const struct store_inmsg *msg, const struct parser_result *res, int year,
	    int half, int64_t *first_ref)
{
	const struct parser *p = gw->cfg->parser;
	const struct parser_item *it;
	const char *payload;
	int64_t ref, now = clock_now();
	size_t i;

	for (i = 0; i < res->nitems; i++) {
		it = &res->items[i];
		if (it->kind > PARSER_LABOUR)
			continue; /* classes, CANCEL: not reports */
		struct store_report r = {
		    .inbox_id = msg->id,
		    .kind = parser_kind_name(it->kind),
		    .commune_code = parser_commune_code(p, it->commune),
		    .commune = parser_commune_name(p, it->commune),
		    .trade_code = it->trade >= 0 ? parser_trade_code(p, it->trade) : NULL,
		    .trade = it->trade >= 0 ? parser_trade_name(p, it->trade) : NULL,
		    .count = it->count,
		    .trained = it->trained,
		    .year = year,
		    .half = half,
		    .sender = msg->sender,
		    .created = now,
		};
		if (store_report_add(gw->st, &r, &ref) == -1)
			return -1;
		if (it->class_code[0] != '\0' &&
		    store_report_set_class(gw->st, ref, it->class_code) == -1)
			return -1;
		if (*first_ref == 0)
			*first_ref = ref;
		event_payload(gw, &r, ref, msg->text);
		payload = buf_str(&gw->json);
		if (payload == NULL || store_push_add(gw->st, "report.created", now, payload) == -1)
			return -1;
		log_info("  report #%" PRId64 ": %s %s %s %ld", ref, r.kind, r.commune_code,
			 r.trade_code != NULL ? r.trade_code : "-", r.count);
	}
	return 0;
}

static int
is_report(const struct parser_result *res)
{
	return res->error == PARSER_OK && res->kind != PARSER_STATUS && res->kind != PARSER_HELP &&
	       res->kind != PARSER_CANCEL;
}

static int
commune_index(const struct parser *p, const char *code)
{
	size_t i, n = parser_ncommunes(p);

	for (i = 0; i < n; i++)
		if (strcmp(parser_commune_code(p, (int)i), code) == 0)
			return (int)i;
	return -1;
}

static int
trade_index(const struct parser *p, const char *code)
{
	size_t i, n = parser_ntrades(p);

	for (i = 0; i < n; i++)
		if (strcmp(parser_trade_code(p, (int)i), code) == 0)
			return (int)i;
	return -1;
}

/* The item before i in the same SMS that opens the class with this key. */
static const struct parser_item *
opened_before(const struct parser_result *res, size_t i, const char *key)
{
	char k[PARSER_MAX_CLASS + 1];
	size_t j;

	for (j = 0; j < i; j++) {
		if (res->items[j].kind != PARSER_CLASS_OPEN)
			continue;
		parser_class_key(res->items[j].class_code, k, sizeof(k));
		if (strcmp(k, key) == 0)
			return &res->items[j];
	}
	return NULL;
}

/* Takes the commune and trade of report item i from its class: one opened
 * earlier in the same SMS, or one in the database.  1 found, 0 not, -1. */
static int
class_item(const struct config *cfg, struct store *st, struct parser_result *res, size_t i)
{
	struct parser_item *it = &res->items[i];
	const struct parser_item *op;
	struct store_class_row row;
	char key[PARSER_MAX_CLASS + 1];
	int r;

	parser_class_key(it->class_code, key, sizeof(key));
	op = opened_before(res, i, key);
	if (op != NULL) {
		it->commune = op->commune;
		it->trade = op->trade;
		return 1;
	}
	if (st == NULL)
		return 0;
	r = store_class_find(st, key, &row);
	if (r != 1)
		return r;
	/* A class of a commune or trade since removed from the configuration. */
	it->commune = commune_index(cfg->parser, row.commune_code);
	it->trade = trade_index(cfg->parser, row.trade_code);
	return it->commune >= 0 && it->trade >= 0;
}

int
gateway_resolve_classes(const struct config *cfg, struct store *st, struct parser_result *res)
{
	size_t i;
	int r;

	if (res->error != PARSER_OK)
		return 0;
	for (i = 0; i < res->nitems; i++) {
		if (res->items[i].class_code[0] == '\0' || res->items[i].kind > PARSER_LABOUR)
			continue;
		r = class_item(cfg, st, res, i);
		if (r == -1)
			return -1;
		if (r == 0) {
			parser_unknown_class(res, i);
			return 0;
		}
	}
	return 0;
}

/* Whether sender may open and close classes: district staff and the
 * configured class numbers (the registry's: check_classes); anyone when
 * neither the configuration nor the registry names any.  1, 0 or -1. */
static int
may_manage_classes(const struct config *cfg, struct store *st, const char *sender)
{
	int64_t n;
	size_t i;

	if (cfg->digest.nrecipients == 0 && cfg->nclass_senders == 0) {
		n = store_sender_managers(st);
		if (n == -1)
			return -1;
		if (n == 0)
			return 1;
	}
	if (digest_is_staff(cfg, sender))
		return 1;
	for (i = 0; i < cfg->nclass_senders; i++)
		if (phone_same(sender, cfg->class_senders[i]))
			return 1;
	return 0;
}

/*
 * Checks what the database must allow before a CLASS OPEN or CLOSE is
 * stored, so that a message of several parts is stored whole or not at all.
 * Returns 0 (fine), 1 with *error and reply set, or -1.
 */
static int
check_classes(struct gw *gw, const char *sender, const struct senders_who *who,
	      const struct parser_result *res, const char **error, char *reply, size_t replysz)
{
	const struct parser_item *it;
	struct store_class_row row;
	char key[PARSER_MAX_CLASS + 1];
	size_t i;
	int r;

	for (i = 0; i < res->nitems; i++) {
		it = &res->items[i];
		if (it->kind != PARSER_CLASS_OPEN && it->kind != PARSER_CLASS_CLOSE)
			continue;
		r = senders_may_manage_classes(who) ? 1
						    : may_manage_classes(gw->cfg, gw->st, sender);
		if (r == -1)
			return -1;
		if (r == 0) {
			*error = "not_allowed";
			snprintf(reply, replysz,
				 "Loi: so nay khong duoc mo/dong lop. Lien he "
				 "Phong LDTBXH huyen.");
			return 1;
		}
		parser_class_key(it->class_code, key, sizeof(key));
		r = store_class_find(gw->st, key, &row);
		if (r == -1)
			return -1;
		if (it->kind == PARSER_CLASS_OPEN && (r == 1 || opened_before(res, i, key))) {
			*error = "class_exists";
			snprintf(reply, replysz, "Loi: lop %s da co. Dung ma lop khac.",
				 it->class_code);
			return 1;
		}
		if (it->kind == PARSER_CLASS_CLOSE && (r == 0 || !row.open) &&
		    opened_before(res, i, key) == NULL) {
			*error = "class_not_open";
			snprintf(reply, replysz, "Loi: khong co lop %s dang mo.", it->class_code);
			return 1;
		}
	}
	return 0;
}

/* Stores the CLASS OPEN and CLOSE items (checked by check_classes). */
static int
store_classes(struct gw *gw, const struct store_inmsg *msg, const struct parser_result *res)
{
	const struct parser *p = gw->cfg->parser;
	const struct parser_item *it;
	char key[PARSER_MAX_CLASS + 1];
	size_t i;

	for (i = 0; i < res->nitems; i++) {
		it = &res->items[i];
		parser_class_key(it->class_code, key, sizeof(key));
		if (it->kind == PARSER_CLASS_OPEN) {
			struct store_class c = {key,
						it->class_code,
						parser_commune_code(p, it->commune),
						parser_trade_code(p, it->trade),
						it->count,
						msg->sender,
						clock_now()};
			if (store_class_open(gw->st, &c) == -1)
				return -1;
			log_info("  class %s opened", it->class_code);
		} else if (it->kind == PARSER_CLASS_CLOSE) {
			if (store_class_close(gw->st, key, clock_now()) == -1)
				return -1;
			log_info("  class %s closed", it->class_code);
		}
	}
	return 0;
}

static int
kind_of(const char *name)
{
	int k;

	for (k = 0; k < PARSER_NKINDS; k++)
		if (strcmp(parser_kind_name((enum parser_kind)k), name) == 0)
			return k;
	return PARSER_ENROL;
}

/* CANCEL [#ref]: marks the sender's report cancelled, queues the event and
 * says so.  Returns 0 (*error set when there was nothing to cancel) or -1. */
static int
cancel(struct gw *gw, const struct store_inmsg *msg, const struct parser_item *it,
       const char **error, char *reply, size_t replysz)
{
	struct store_report_row row;
	char name[128];
	const char *payload;
	int r;

	r = store_report_cancel(gw->st, msg->sender, it->ref, &row);
	if (r == -1)
		return -1;
	if (r == 0) {
		*error = "nothing_to_cancel";
		if (it->ref > 0)
			snprintf(reply, replysz, "Loi: khong co bao cao #%ld cua so nay de huy.",
				 it->ref);
		else
			snprintf(reply, replysz, "Loi: khong co bao cao nao cua so nay de huy.");
		return 0;
	}
	struct store_report r2 = {row.inbox_id,
				  row.kind,
				  row.commune_code,
				  row.commune,
				  row.trade_code[0] ? row.trade_code : NULL,
				  row.trade[0] ? row.trade : NULL,
				  row.count,
				  row.trained,
				  row.year,
				  row.half,
				  row.sender,
				  row.created};
	event_payload(gw, &r2, row.ref, msg->text);
	payload = buf_str(&gw->json);
	if (payload == NULL ||
	    store_push_add(gw->st, "report.cancelled", clock_now(), payload) == -1)
		return -1;
	parser_ascii(row.commune, name, sizeof(name));
	snprintf(reply, replysz, "Da huy #%" PRId64 ": %s %ld %s, %s.", row.ref,
		 parser_keyword_form(gw->cfg->parser, (enum parser_kind)kind_of(row.kind)),
		 row.count, row.trade_code[0] ? row.trade_code : "LD", name);
	log_info("  report #%" PRId64 " cancelled", row.ref);
	return 0;
}

static int
status_reply(struct gw *gw, const struct store_inmsg *msg, const struct senders_who *who,
	     const struct parser_result *res, int year, char *reply, size_t replysz)
{
	struct parser_result mine;
	int c;

	if (res->nitems == 0 || res->items[0].commune >= 0)
		return gateway_status_reply(gw->cfg, gw->st, res, year, reply, replysz);
	if (digest_is_staff(gw->cfg, msg->sender) || senders_is_staff(who))
		return digest_compose(gw->cfg, gw->st, clock_now(), reply, replysz);
	c = digest_officer_commune(gw->cfg, msg->sender);
	if (c < 0)
		return gateway_status_reply(gw->cfg, gw->st, res, year, reply, replysz);
	mine = *res;
	mine.items[0].commune = c;
	return gateway_status_reply(gw->cfg, gw->st, &mine, year, reply, replysz);
}

/*
 * The reply to a message processed without some of its parts: the officer
 * is told which parts never came, in front of the usual reply when both fit
 * one SMS, else in an SMS of its own after it.
 */
static int
reply_incomplete(struct gw *gw, const struct store_inmsg *msg, const char *reply)
{
	char notice[SMS_MAX + 1], both[2 * SMS_MAX];
	int n;

	n = snprintf(both, sizeof(both), "Tin nhan thieu phan %s. %s", msg->missing, reply);
	if (n > 0 && n <= SMS_MAX) {
		if (store_outbox_add(gw->st, msg->sender, both, "reply", msg->id, NULL) == -1)
			return -1;
		log_info("  reply to %s: %s", msg->sender, both);
		return 0;
	}
	snprintf(notice, sizeof(notice),
		 "Tin nhan thieu phan %s (cho qua %d phut). Da xu ly phan nhan duoc; vui long "
		 "gui lai noi dung phan thieu.",
		 msg->missing, (gw->cfg->multipart_timeout + 59) / 60);
	if (store_outbox_add(gw->st, msg->sender, reply, "reply", msg->id, NULL) == -1 ||
	    store_outbox_add(gw->st, msg->sender, notice, "reply", msg->id, NULL) == -1)
		return -1;
	log_info("  reply to %s: %s / %s", msg->sender, reply, notice);
	return 0;
}

static int hold(struct gw *gw, const struct store_inmsg *msg, const char *why);
static int screen(struct gw *gw, const struct store_inmsg *msg);

/* Sets the state of a NAPTIEN row and queues the reply within the sender's
 * reply limits, as for any SMS, inside the caller's transaction.  flags:
 * those of process(). */
static int
topup_answer(struct gw *gw, const struct store_inmsg *msg, const char *error, const char *reply,
	     int flags)
{
	const char *why = NULL;
	int r;

	if (store_inbox_set_state(gw->st, msg->id, error == NULL ? "accepted" : "rejected",
				  error) == -1)
		return -1;
	if ((flags & GATEWAY_REPLAY) && !(flags & GATEWAY_REPLY)) {
		log_info("  no reply (replayed)");
		return 0;
	}
	if (!phone_replyable(msg->sender, gw->cfg->own_number))
		return 0;
	if (!(flags & GATEWAY_REPLAY)) {
		r = quota_hold_reply(gw->cfg, gw->st, msg, clock_now(), &why);
		if (r == -1)
			return -1;
		if (r == 1) {
			log_info("  no reply: limit %s", why);
			return 0;
		}
	}
	if (store_outbox_add(gw->st, msg->sender, reply, "reply", msg->id, NULL) == -1)
		return -1;
	log_info("  reply to %s: %s", msg->sender, reply);
	return 0;
}

/*
 * The sender policy for a NAPTIEN, which is never parsed: only an admin's
 * is dialled.  Anyone else's is refused and logged; an unknown number's is
 * first what senders.unknown says (held in quarantine by default, so that a
 * stranger's top-up requests cost no SMS).  0: an admin's, go on; 1:
 * refused (recorded, answered within the limits) or held; -1.
 */
static int
topup_policy(struct gw *gw, const struct store_inmsg *msg, int flags)
{
	struct parser_result none;
	struct senders_who who;
	const char *error = NULL;
	char reply[160];

	if (ussd_is_admin(gw->cfg, gw->st, msg->sender))
		return 0;
	log_warnx("NAPTIEN refused from %s", msg->sender);
	if (!(flags & GATEWAY_ACCEPT)) {
		if (senders_lookup(gw->cfg, gw->st, msg->sender, &who) == -1)
			return -1;
		memset(&none, 0, sizeof(none));
		none.error = PARSER_EMPTY;
		switch (senders_check(gw->cfg, &who, &none, &error, reply, sizeof(reply))) {
		case SENDERS_QUARANTINE:
			return hold(gw, msg, error) == -1 ? -1 : 1;
		case SENDERS_REJECT:
			return topup_answer(gw, msg, error, reply, flags) == -1 ? -1 : 1;
		case SENDERS_WARN:
		case SENDERS_OK:
			break;
		}
	}
	snprintf(reply, sizeof(reply), "Loi: so nay khong duoc phep nap tien cho modem.");
	return topup_answer(gw, msg, "not_allowed", reply, flags) == -1 ? -1 : 1;
}

/* The screen of a NAPTIEN kept by receive(), before anything is dialled, in
 * a transaction of its own: the limits of any SMS, then the sender policy.
 * 0: an admin's, to dial; 1: held or refused; -1. */
static int
topup_screen(struct gw *gw, const struct store_inmsg *msg)
{
	int r;

	if (store_begin(gw->st) == -1)
		return -1;
	r = screen(gw, msg);
	if (r == 0)
		r = topup_policy(gw, msg, 0);
	if (r == -1 || store_commit(gw->st) == -1) {
		store_rollback(gw->st);
		return -1;
	}
	return r;
}

/*
 * Dials the NAPTIEN kept by receive(), outside any transaction (a top-up
 * takes seconds and checks the balance, which may raise an alert), answers
 * them and forgets their PINs.
 */
static void
topups(struct gw *gw)
{
	struct store_inmsg msg;
	struct gw_modem *gm;
	struct modem *m;
	struct topup *t;
	char reply[256];
	const char *error;
	int i, r;

	memset(&msg, 0, sizeof(msg));
	for (i = 0; i < gw->ntopups; i++) {
		t = &gw->topups[i];
		/* The SIM to top up is the one of the modem it came in on. */
		m = NULL;
		FOREACH_CONNECTED(gw, gm)
		if (strcmp(gm->name, t->modem) == 0 && !modem_is_dummy(gm->modem))
			m = gm->modem;
		/* Still the row receive() stored: a batch rolled back left none. */
		r = store_inbox_next_new(gw->st, t->inbox_id - 1, &msg);
		if (r == 1 && msg.id == t->inbox_id && strcmp(msg.sender, t->sender) == 0 &&
		    strcmp(msg.text, t->masked) == 0) {
			log_info("SMS #%" PRId64 " from %s: \"%s\"", msg.id, msg.sender, msg.text);
			r = topup_screen(gw, &msg);
			if (r == 0)
				r = ussd_topup(gw->cfg, gw->st, m, t->modem, t->sender, t->pin,
					       clock_now(), reply, sizeof(reply));
			else
				r = -1; /* recorded by topup_screen(), or left for process() */
			error = r == 1 ? NULL : "topup_failed";
			if (r != -1 && store_begin(gw->st) == 0) {
				if (topup_answer(gw, &msg, error, reply, 0) == 0)
					store_commit(gw->st);
				else
					store_rollback(gw->st);
			}
		}
		store_inmsg_clear(&msg);
		explicit_bzero(t, sizeof(*t));
	}
	gw->ntopups = 0;
}

/* A NAPTIEN whose PIN is gone (the gateway stopped before dialling it, or
 * it came in several parts), past screen(): nothing is dialled; an admin
 * is told to send it again, anyone else refused as topup_policy() says. */
static int
topup_left(struct gw *gw, const struct store_inmsg *msg, int flags)
{
	char reply[160];
	int r;

	r = topup_policy(gw, msg, flags);
	if (r != 0)
		return r == -1 ? -1 : 0;
	snprintf(reply, sizeof(reply), "Loi: chua nap tien. Gui lai: NAPTIEN <ma the>");
	return topup_answer(gw, msg, "topup_failed", reply, flags);
}

/* A date typed in a report ("12/6") is when the figures were counted: the
 * period follows it when it lies in a year the configuration has a plan for
 * (without a year: the year of the message). */
static void
report_period(const struct config *cfg, const struct parser_result *res, int *year, int *half)
{
	const struct parser_item *it = &res->items[0];
	int y;

	if (res->error != PARSER_OK || res->nitems == 0 || it->day <= 0)
		return;
	y = it->year > 0 ? it->year : *year;
	if (config_plan_for(cfg, y) == NULL)
		return;
	*year = y;
	*half = it->month <= 6 ? 1 : 2;
}

/* Parses one inbox row and records everything it leads to (reports or the
 * rejection, push events, the reply), inside the caller's transaction. */
/*
 * Keeps a message back without parsing or answering it, and tells the
 * district server, once: a message held again for the same reason (replayed
 * to no effect) is not pushed again.  A data SMS is refused for good; the
 * others are "held" until staff accept them or a replay takes them.
 */
static int
hold(struct gw *gw, const struct store_inmsg *msg, const char *why)
{
	log_info("  held back: %s", why);
	if (store_inbox_set_state(gw->st, msg->id, "rejected", why) == -1)
		return -1;
	if (gw->replay_error != NULL && strcmp(gw->replay_error, why) == 0)
		return 0;
	return push_rejected(&gw->json, gw->st, msg, why,
			     strcmp(why, "data_sms") == 0 ? "rejected" : "held");
}

/* The limits a new message passes before it is parsed.  0 go on,
 * 1 held back, -1. */
static int
screen(struct gw *gw, const struct store_inmsg *msg)
{
	int r;

	r = quota_over_rate(gw->cfg, gw->st, msg, clock_now());
	if (r == 1)
		r = hold(gw, msg, "rate_limited") == -1 ? -1 : 1;
	if (r != 0)
		return r;
	r = quota_is_echo(gw->st, msg, clock_now());
	if (r == 1)
		r = hold(gw, msg, "loop") == -1 ? -1 : 1;
	return r;
}

/*
 * The text the parser reads: control characters (a NUL, which modem.c keeps
 * as U+2400, a tab, a bell...) are spaces to it, line breaks still separate
 * reports; the stored text keeps them.  A copy to free, or NULL (logged).
 */
static char *
parse_text(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i, o = 0, n = strlen(text);
	char *t = malloc(n + 1);

	if (t == NULL) {
		log_warn("parse");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (p[i] == 0xe2 && p[i + 1] == 0x90 && p[i + 2] == 0x80) {
			t[o++] = ' '; /* U+2400 */
			i += 2;
		} else if (p[i] < 0x20 && p[i] != '\n' && p[i] != '\r') {
			t[o++] = ' ';
		} else {
			t[o++] = (char)p[i];
		}
	}
	t[o] = '\0';
	return t;
}

/* Flags of process() besides GATEWAY_*: no message.rejected event (one was
 * queued when the message was first refused). */
#define NOPUSH 0x100

/* Parses one inbox row and records everything it leads to (reports or the
 * rejection, push events, the reply), inside the caller's transaction.
 * flags: GATEWAY_REPLAY, GATEWAY_ACCEPT, GATEWAY_REPLY, NOPUSH. */
static int
process(struct gw *gw, const struct store_inmsg *msg, int flags)
{
	const struct config *cfg = gw->cfg;
	struct parser_result res;
	struct senders_who who;
	char reply[DIGEST_BUF]; /* a reply, or the district digest for TK */
	const char *error = NULL, *why = NULL;
	int64_t ref = 0;
	int year, half, r, replyable, topup;
	char masked[64], pin[USSD_PIN_MAX + 1], *ptext;

	topup = ussd_topup_match(msg->text, masked, sizeof(masked), pin, sizeof(pin));
	explicit_bzero(pin, sizeof(pin));
	log_info("SMS #%" PRId64 " from %s: \"%s\"", msg->id, msg->sender, msg->text);
	/* Data for an application of the phone (8-bit), not a message from a
	 * person: kept (as hex), never parsed nor answered. */
	if (strcmp(msg->coding, "8bit") == 0)
		return hold(gw, msg, "data_sms");
	if (!(flags & GATEWAY_REPLAY)) {
		r = screen(gw, msg);
		if (r != 0)
			return r == -1 ? -1 : 0;
	}
	/* Never parsed: a NAPTIEN is a command to the gateway, not a report. */
	if (topup)
		return topup_left(gw, msg, flags);
	ptext = parse_text(msg->text);
	if (ptext == NULL)
		return -1;
	parser_parse(cfg->parser, ptext, strlen(ptext), &res);
	free(ptext);
	if (gateway_resolve_classes(cfg, gw->st, &res) == -1)
		return -1;
	gateway_period(msg->smsc_time != 0 ? msg->smsc_time : msg->received, &year, &half);
	report_period(cfg, &res, &year, &half);
	reply[0] = '\0';
	if (senders_lookup(cfg, gw->st, msg->sender, &who) == -1)
		return -1;
	if (!(flags & GATEWAY_ACCEPT)) {
		switch (senders_check(cfg, &who, &res, &error, reply, sizeof(reply))) {
		case SENDERS_QUARANTINE:
			return hold(gw, msg, error);
		case SENDERS_WARN:
			log_warnx("  %s reports for %s, not its commune %s: counted "
				  "(senders.other_commune = \"warn\")",
				  msg->sender, reply, who.commune_code);
			reply[0] = '\0';
			break;
		case SENDERS_REJECT:
			log_info("  rejected: %s", error);
			break;
		case SENDERS_OK:
			break;
		}
	}
	if (error == NULL && res.error == PARSER_OK) {
		r = res.kind == PARSER_CANCEL
			? cancel(gw, msg, &res.items[0], &error, reply, sizeof(reply))
			: check_classes(gw, msg->sender, &who, &res, &error, reply, sizeof(reply));
		if (r == -1)
			return -1;
		if (error != NULL)
			log_info("  rejected: %s", error);
	}
	if (error != NULL) {
		/* Refused by the sender policy or what is stored (a class, a
		 * report to cancel). */
		if (!(flags & NOPUSH) &&
		    push_rejected(&gw->json, gw->st, msg, error, "rejected") == -1)
			return -1;
	} else if (res.error != PARSER_OK) {
		error = parser_error_name(res.error);
		if (!(flags & NOPUSH) &&
		    push_rejected(&gw->json, gw->st, msg, error, "rejected") == -1)
			return -1;
		log_info("  rejected: %s%s%s", error, res.bad[0] ? " " : "", res.bad);
	} else if (is_report(&res) && (store_classes(gw, msg, &res) == -1 ||
				       store_items(gw, msg, &res, year, half, &ref) == -1)) {
		return -1;
	}
	if (reply[0] != '\0') {
		/* cancel() or check_classes() answered already. */
	} else if (res.error == PARSER_OK && res.kind == PARSER_STATUS) {
		if (status_reply(gw, msg, &who, &res, year, reply, sizeof(reply)) == -1)
			return -1;
	} else {
		/* Examples in error replies name the sender's own commune. */
		parser_reply_for(cfg->parser, &res, (long)ref, cfg->reply_diacritics,
				 commune_index(cfg->parser, who.commune_code), reply,
				 sizeof(reply));
		/* Reports of a commune (ENROL ... LABOUR) show its running total
		 * of the kind reported; a nicety: the confirmation goes without
		 * it if it fails. */
		if (ref > 0 && res.kind <= PARSER_LABOUR && res.items[0].commune >= 0 &&
		    digest_running_total_of(cfg, gw->st, res.items[0].kind, res.items[0].commune,
					    year, reply, sizeof(reply)) == -1)
			log_warnx("  reply without the running total");
	}
	if (store_inbox_set_state(gw->st, msg->id, error == NULL ? "accepted" : "rejected",
				  error) == -1)
		return -1;
	if (msg->missing[0] != '\0')
		log_info("  incomplete: part %s missing", msg->missing);
	/* The sender's reply limits count live messages only, not replays. */
	replyable = phone_replyable(msg->sender, cfg->own_number);
	r = 0;
	if (!(flags & GATEWAY_REPLAY) && replyable) {
		r = quota_hold_reply(cfg, gw->st, msg, clock_now(), &why);
		if (r == -1)
			return -1;
	}
	if ((flags & GATEWAY_REPLAY) && !(flags & GATEWAY_REPLY)) {
		log_info("  no reply (replayed)");
	} else if ((flags & GATEWAY_REPLAY) && error != NULL && gw->replay_error != NULL &&
		   strcmp(error, gw->replay_error) == 0) {
		/* The sender was told this already. */
		log_info("  no reply (replayed, still %s)", error);
	} else if (!replyable) {
		log_info("  no reply: %s is not a phone number we answer", msg->sender);
	} else if (r != 0) {
		log_info("  no reply: limit %s", why);
	} else if (msg->missing[0] != '\0') {
		if (reply_incomplete(gw, msg, reply) == -1)
			return -1;
	} else {
		if (store_outbox_add(gw->st, msg->sender, reply, "reply", msg->id, NULL) == -1)
			return -1;
		log_info("  reply to %s: %s", msg->sender, reply);
	}
	return 0;
}

/*
 * Processes new inbox rows, up to `batch` to a transaction.  A failure rolls
 * the batch back and returns -1.  With batch == 1 a message that fails is
 * left in state "new" and skipped, so that it cannot hold up the others.
 * Returns how many were processed.
 */
static int
process_batches(struct gw *gw, int batch)
{
	struct store_inmsg msg;
	int64_t after = 0;
	int r, n = 0, inbatch = 0;

	memset(&msg, 0, sizeof(msg));
	while (!quit) {
		r = store_inbox_next_new(gw->st, after, &msg);
		if (r != 1)
			break;
		after = msg.id;
		if (inbatch == 0 && store_begin(gw->st) == -1)
			return -1;
		r = process(gw, &msg, 0);
		store_inmsg_clear(&msg);
		if (r == -1) {
			store_rollback(gw->st);
			/* A damaged file fails every message alike. */
			if (batch > 1 || store_damaged(gw->st))
				return -1;
			log_warnx("SMS #%" PRId64 " could not be processed; will try again", after);
			inbatch = 0;
			continue;
		}
		if (++inbatch == batch) {
			if (store_commit(gw->st) == -1)
				goto fail;
			crash_point("processed");
			n += inbatch;
			inbatch = 0;
		}
	}
	if (inbatch > 0) {
		if (store_commit(gw->st) == -1)
			goto fail;
		crash_point("processed");
		n += inbatch;
	}
	return n;
fail:
	store_rollback(gw->st);
	return -1;
}

static int
process_new(struct gw *gw)
{
	int n = process_batches(gw, BATCH);

	if (n != -1 || store_damaged(gw->st))
		return n;
	/* Find the message at fault: one at a time, the others go through. */
	log_warnx("a batch of SMS could not be processed; retrying them one by one");
	return process_batches(gw, 1);
}

/*
 * Sends what is due, spread over the connected modems that may send: one
 * message at a time from each in turn (round-robin), each within its own
 * rate (outbox.h), until none has anything to send now.  gw->send_next gets
 * the soonest time any of them wants to send again.  Returns the number of
 * messages sent whole, or -1.
 */
static int
send_queued(struct gw *gw)
{
	struct gw_modem *m;
	int64_t next, soonest;
	size_t i, k, rounds;
	int r, n = 0, more = 1;

	gw->send_next = 0;
	/* Every round makes an attempt or ends: the bound is only a guard. */
	for (rounds = 0; more && !quit && rounds < 100000; rounds++) {
		more = 0;
		soonest = 0;
		for (k = 0; k < gw->nmodems && !quit; k++) {
			i = (gw->next_sender + k) % gw->nmodems;
			m = &gw->modems[i];
			if (!m->send || m->modem == NULL || modem_lost(m->modem))
				continue;
			r = outbox_send(gw->outbox, gw->cfg, m->modem, m->name, clock_now(), &quit,
					1, &next);
			if (r == -1)
				return -1;
			n += r;
			if (r > 0)
				gw->next_sender = (i + 1) % gw->nmodems;
			if (next != 0 && (soonest == 0 || next < soonest))
				soonest = next;
			if (next != 0 && next <= clock_now() && !modem_lost(m->modem))
				more = 1;
		}
		gw->send_next = soonest;
	}
	return n;
}

#define REOPEN_MIN_MS 1000
#define REOPEN_MAX_MS (5 * 60 * 1000)

/*
 * A modem vanished or stopped answering: close it, and open it again with a
 * growing wait (1 s, 2 s, ... 5 min).  The database work and the other
 * modems go on meanwhile; SMS stay on its SIM and replies in the outbox (or
 * go out through another modem) until it is back.
 */
/* Opens modem m, with the sending path's settings.  NULL (logged) on
 * failure. */
static struct modem *
open_modem(const struct config *cfg, const struct gw_modem *m)
{
	struct modem *mm = modem_open_flags(m->gammurc, m->section, m->waiting ? MODEM_QUIET : 0);

	if (mm != NULL)
		modem_set_ack_timeout(mm, cfg->sending.ack_timeout);
	return mm;
}

/* What `tinbao status` says of a modem's link; a database that cannot be
 * written now only loses that (logged by the store). */
static void
link_state(struct gw *gw, const struct gw_modem *m)
{
	store_modem_link_set(gw->st, m->name, m->modem != NULL, clock_now());
}

static void
keep_modem(struct gw *gw, struct gw_modem *m)
{
	int64_t now = monotonic_ms();

	if (m->modem != NULL && modem_lost(m->modem)) {
		modem_close(m->modem);
		m->modem = NULL;
		m->reopen_wait = REOPEN_MIN_MS;
		m->reopen_at = now + m->reopen_wait;
		log_warnx("modem %s: closed; reconnecting in %d ms", m->name, m->reopen_wait);
		link_state(gw, m);
		return;
	}
	if (m->modem != NULL || now < m->reopen_at)
		return;
	m->modem = open_modem(gw->cfg, m);
	if (m->modem != NULL) {
		log_info("modem %s: %s", m->name,
			 m->waiting ? "connected, working" : "reconnected");
		m->waiting = 0;
		link_state(gw, m);
		return;
	}
	m->reopen_wait = m->reopen_wait * 2 > REOPEN_MAX_MS ? REOPEN_MAX_MS : m->reopen_wait * 2;
	m->reopen_at = monotonic_ms() + m->reopen_wait;
	/* Waiting for a modem not plugged in yet was said once, at the start. */
	if (m->waiting)
		log_debug("modem %s: not there yet; next attempt in %d ms", m->name,
			  m->reopen_wait);
	else
		log_warnx("modem %s: still away; next attempt in %d ms", m->name, m->reopen_wait);
}

static void
keep_modems(struct gw *gw)
{
	size_t i;

	for (i = 0; i < gw->nmodems; i++)
		keep_modem(gw, &gw->modems[i]);
}

/*
 * After a scan, the SIM should have room: every SMS read was stored and
 * deleted.  A SIM still full (deleting fails, or storing does) refuses new
 * SMS: the admins are alerted once, and told when it has room again.
 */
static void
check_sim(struct gw *gw, struct gw_modem *m)
{
	char key[64], text[SMS_MAX + 1];
	int used, total;

	/* A size of 0 means the phone does not tell, not a SIM without room. */
	if (modem_is_dummy(m->modem) || modem_sim_status(m->modem, &used, &total) == -1 ||
	    total <= 0)
		return;
	if (gw->nmodems > 1)
		snprintf(key, sizeof(key), "sim_full:%s", m->name);
	else
		snprintf(key, sizeof(key), "sim_full");
	if (used >= total) {
		log_warnx("modem %s: SIM full (%d/%d) after the scan", m->name, used, total);
		snprintf(text, sizeof(text),
			 "Canh bao tinbao: SIM cua modem %s day (%d/%d), khong xoa duoc tin. "
			 "Tin moi se bi tu choi. Kiem tra modem va SIM.",
			 m->name, used, total);
		alert_raise(gw->cfg, gw->st, key, text, clock_now());
	} else {
		snprintf(text, sizeof(text),
			 "Het canh bao tinbao: SIM cua modem %s da co cho trong (%d/%d).", m->name,
			 used, total);
		alert_clear(gw->cfg, gw->st, key, text, clock_now());
	}
}

/*
 * Messages whose missing parts did not come within multipart_timeout (and
 * parts that came after their message was processed without them) become
 * inbox rows of their own, processed with the others.
 */
static int
expire_parts(struct gw *gw)
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

/* Signal, network and balance of each modem, each when due (health.h,
 * ussd.h).  Not on gammu's dummy phone, which has no network. */
static void
modem_checks(struct gw *gw)
{
	struct gw_modem *m;
	int64_t now = clock_now();

	FOREACH_CONNECTED(gw, m)
	{
		if (modem_is_dummy(m->modem))
			continue;
		ussd_requests(gw->cfg, gw->st, m->modem, m->name, now);
		if (modem_lost(m->modem))
			continue;
		health_tick(&m->health, gw->cfg, gw->st, m->modem, m->name, now);
		if (!modem_lost(m->modem))
			ussd_balance_tick(&m->balance_next, gw->cfg, gw->st, m->modem, m->name,
					  now);
	}
}

#define DB_RETRY_MIN_MS 2000
#define DB_RETRY_MAX_MS (2 * 60 * 1000)

#define DB_DOWN_TEXT                                                                               \
	"TINBAO: khong ghi duoc co so du lieu (o dia day hoac chi doc). Tin nhan den van giu "     \
	"tren SIM. Hay kiem tra may chu."
#define DB_UP_TEXT "TINBAO: co so du lieu ghi lai duoc binh thuong. Tin nhan tren SIM da duoc luu."
#define DB_DAMAGED_TEXT                                                                            \
	"TINBAO: co so du lieu bi hong, gateway da dung. Tin nhan den van giu tren SIM. Hay "      \
	"khoi phuc ban sao luu (xem nhat ky) roi chay lai."

/* Straight through the first modem that may send (alert.h's admins): the
 * database, which would queue the SMS, is what is broken. */
static void
alert_direct(struct gw *gw, const char *text)
{
	char *const *to;
	struct gw_modem *m, *via = NULL;
	size_t i, n;

	to = alert_recipients(gw->cfg, &n);
	FOREACH_CONNECTED(gw, m)
	if (via == NULL && m->send)
		via = m;
	for (i = 0; i < n; i++) {
		if (via == NULL || modem_send(via->modem, to[i], text) == -1)
			log_warnx("alert to %s not sent", to[i]);
		else
			log_info("alert sent to %s", to[i]);
	}
	if (n > 0)
		gw->db_alerted = 1;
}

/* A write failed for lack of space or permission: back off, tell once. */
static void
db_failed(struct gw *gw)
{
	if (!gw->db_down) {
		gw->db_down = 1;
		gw->db_wait = DB_RETRY_MIN_MS;
		log_warnx("database %s cannot be written; SMS stay on the phone until it can "
			  "(next attempt in %d ms)",
			  gw->cfg->database, gw->db_wait);
		if (!gw->db_alerted)
			alert_direct(gw, DB_DOWN_TEXT);
	} else {
		gw->db_wait = gw->db_wait * 2 > DB_RETRY_MAX_MS ? DB_RETRY_MAX_MS : gw->db_wait * 2;
		log_debug("database still not writable; next attempt in %d ms", gw->db_wait);
	}
	gw->db_retry_at = monotonic_ms() + gw->db_wait;
	/* The store may be reopened: no copy may hold on to it. */
	backup_abandon(gw->backup);
}

/* Writes work again: say so, and record the alert now that it can be. */
static void
db_recovered(struct gw *gw)
{
	char *const *to;
	size_t i, n;

	gw->db_down = 0;
	log_info("database %s is writable again", gw->cfg->database);
	if (!gw->db_alerted)
		return;
	to = alert_recipients(gw->cfg, &n);
	for (i = 0; i < n; i++)
		if (store_outbox_add(gw->st, to[i], DB_UP_TEXT, "alert", 0, NULL) == -1)
			return; /* still told next time */
	gw->db_alerted = 0;
}

/*
 * 1 when the database was found damaged (store_damaged()): unlike a full
 * disk, waiting cannot mend it, and every write from now on would fail or
 * make it worse.  The gateway stops: what is not stored stays on the SIM,
 * nothing more is sent or deleted, the admins are told once straight
 * through the modem, and the log names the copy to restore.
 */
static int
db_damaged(struct gw *gw)
{
	if (gw->damaged)
		return 1;
	if (!store_damaged(gw->st))
		return 0;
	gw->damaged = 1;
	log_warnx("database %s is damaged: stopping; SMS not yet stored stay on the phone",
		  gw->cfg->database);
	alert_direct(gw, DB_DAMAGED_TEXT);
	backup_damaged_hint(gw->cfg);
	return 1;
}

/* 1 when this turn must leave the database alone (it was not writable and
 * the next attempt is not due yet, or the handle is still read-only). */
static int
db_wait(struct gw *gw)
{
	if (!gw->db_down)
		return 0;
	if (monotonic_ms() < gw->db_retry_at)
		return 1;
	if (store_reopen(gw->st) == -1) {
		db_failed(gw);
		return 1;
	}
	return 0;
}

/* The loop starts (1) or stops (0) reading the modems: the longest gap
 * between two reads is kept, logged at exit. */
static void
reading(struct gw *gw, int start)
{
	int64_t now = monotonic_ms();

	if (!start)
		gw->read_end = now;
	else if (gw->read_end > 0 && now - gw->read_end > gw->read_gap)
		gw->read_gap = now - gw->read_end;
}

static void
turn(struct gw *gw)
{
	struct gw_modem *m;
	int64_t t0, t1, t2, t3;
	int got = 0, r, done, sent = 0;

	keep_modems(gw);
	gw->incoming = 0;
	if (db_wait(gw))
		return;
	t0 = monotonic_ms();
	reading(gw, 1);
	FOREACH_CONNECTED(gw, m)
	{
		/* What was announced so far is read by this scan. */
		modem_incoming(m->modem);
		r = receive(gw, m);
		if (r > 0)
			got += r;
		if (db_damaged(gw))
			return;
		if (!modem_lost(m->modem))
			check_sim(gw, m);
	}
	reading(gw, 0);
	if (gw->ntopups > 0)
		topups(gw);
	t1 = monotonic_ms();
	expire_parts(gw);
	done = process_new(gw);
	/* Digests and reminders due now go out with this turn's replies. */
	digest_tick(gw->cfg, gw->st, clock_now());
	/* The period's report once a deadline is past; its SMS goes with them. */
	report_tick(gw->cfg, gw->st, clock_now(), &gw->report_retry);
	modem_checks(gw);
	t2 = monotonic_ms();
	if (db_damaged(gw))
		return;
	if (store_disk_error(gw->st)) {
		/* Nothing is sent that could not be recorded as sent. */
		db_failed(gw);
		return;
	}
	if (gw->db_down)
		db_recovered(gw);
	sent = send_queued(gw);
	/* After the sends: a copy restored later resends as little as can be. */
	backup_tick(gw->backup, gw->cfg, gw->st, clock_now());
	if (db_damaged(gw))
		return;
	if (store_disk_error(gw->st))
		db_failed(gw);
	t3 = monotonic_ms();
	if (got > 0 || done > 0 || sent > 0)
		log_info("read %d SMS (%" PRId64 " ms), processed %d (%" PRId64
			 " ms), sent %d replies (%" PRId64 " ms)",
			 got, t1 - t0, done > 0 ? done : 0, t2 - t1, sent > 0 ? sent : 0, t3 - t2);
	keep_modems(gw);
}

/*
 * Sleeps until the next deadline (ms from now), reading the connected
 * modems meanwhile, so that an SMS they announce is read at once rather than
 * at the next scan.  Returns early when one is announced, a modem is due for
 * reconnection, or a signal came.
 */
static void
wait_events(struct gw *gw, int ms)
{
	struct gw_modem *m;
	int64_t now, deadline = monotonic_ms() + ms;
	size_t i;
	int reading;

	for (;;) {
		now = monotonic_ms();
		if (quit || reload || gw->incoming || now >= deadline)
			return;
		for (i = 0; i < gw->nmodems; i++)
			if (gw->modems[i].modem == NULL && now >= gw->modems[i].reopen_at) {
				gw->incoming = 1; /* a turn reconnects it */
				return;
			}
		reading = 0;
		FOREACH_CONNECTED(gw, m)
		{
			if (modem_is_dummy(m->modem))
				continue;
			reading = 1;
			/* One read of at most 50 ms (libgammu's select()). */
			if (modem_wait(m->modem, 0) == 1)
				gw->incoming = 1;
		}
		if (!reading) {
			now = monotonic_ms();
			for (i = 0; i < gw->nmodems; i++)
				if (gw->modems[i].modem == NULL &&
				    gw->modems[i].reopen_at < deadline)
					deadline = gw->modems[i].reopen_at;
			if (now < deadline && poll(NULL, 0, (int)(deadline - now)) == -1 &&
			    errno != EINTR)
				log_warn("poll");
			return;
		}
	}
}

static int
modems_changed(const struct gw *gw, const struct config *cfg)
{
	size_t i;

	if (cfg->nmodems != gw->nmodems)
		return 1;
	for (i = 0; i < cfg->nmodems; i++)
		if (strcmp(cfg->modems[i].name, gw->modems[i].name) != 0 ||
		    strcmp(cfg->modems[i].gammurc, gw->modems[i].gammurc) != 0 ||
		    cfg->modems[i].section != gw->modems[i].section ||
		    cfg->modems[i].send != gw->modems[i].send)
			return 1;
	return 0;
}

/* The modems of the configuration, each opened once.  The daemon starts
 * whether they answer or not: those that do not (a USB modem plugged in
 * later) are tried again with backoff while the rest of the loop works, as
 * for a modem lost on the way.  One pass (once) needs at least one. */
static int
open_modems(struct gw *gw, int once)
{
	const struct config *cfg = gw->cfg;
	struct gw_modem *m;
	size_t i, open = 0;

	gw->modems = calloc(cfg->nmodems, sizeof(*gw->modems));
	if (gw->modems == NULL) {
		log_warn("modems");
		return -1;
	}
	gw->nmodems = cfg->nmodems;
	for (i = 0; i < cfg->nmodems; i++) {
		m = &gw->modems[i];
		snprintf(m->name, sizeof(m->name), "%s", cfg->modems[i].name);
		m->gammurc = strdup(cfg->modems[i].gammurc);
		if (m->gammurc == NULL) {
			log_warn("modems");
			return -1;
		}
		m->section = cfg->modems[i].section;
		m->send = cfg->modems[i].send;
		m->modem = open_modem(cfg, m);
		link_state(gw, m);
		if (m->modem != NULL) {
			open++;
			continue;
		}
		m->reopen_wait = REOPEN_MIN_MS;
		m->reopen_at = monotonic_ms() + m->reopen_wait;
		m->waiting = 1;
		if (once)
			log_warnx("modem %s: cannot connect; left out of this pass", m->name);
		else
			log_warnx("modem %s: cannot connect; waiting for it (tried again after %d "
				  "ms, then less and less often, at least every %d s)",
				  m->name, m->reopen_wait, REOPEN_MAX_MS / 1000);
	}
	if (open == 0 && once) {
		log_warnx(
		    "tinbao: no modem answers: run --once gives up (the daemon, `tinbao run`, "
		    "waits for a modem)");
		return -1;
	}
	return 0;
}

static void
close_modems(struct gw *gw)
{
	size_t i;

	for (i = 0; i < gw->nmodems; i++) {
		modem_close(gw->modems[i].modem);
		free(gw->modems[i].gammurc);
	}
	free(gw->modems);
	gw->modems = NULL;
	gw->nmodems = 0;
}

static void
reload_config(struct gw *gw)
{
	struct config_diags diags = {NULL, 0};
	struct config *cfg;
	struct push *np;
	size_t i;

	if (secure_private_file(gw->cfg->path, "configuration") == -1) {
		log_warnx("reload: keeping the running configuration");
		return;
	}
	cfg = config_load(gw->cfg->path, &diags);
	for (i = 0; i < diags.n; i++)
		log_warnx("%s:%d: %s: %s", diags.v[i].file, diags.v[i].line,
			  diags.v[i].warning ? "warning" : "error", diags.v[i].msg);
	config_diags_free(&diags);
	if (cfg == NULL) {
		log_warnx("reload: %s has errors; keeping the running configuration",
			  gw->cfg->path);
		return;
	}
	if (secure_config_files(cfg) == -1) {
		log_warnx("reload: keeping the running configuration");
		config_free(cfg);
		return;
	}
	/* The push of the new configuration must be able to start (token
	 * file...) before it replaces the running one. */
	if (push_new(cfg, gw->st, &quit, &np) == -1) {
		log_warnx("reload: the push cannot start with %s; keeping the running "
			  "configuration",
			  cfg->path);
		config_free(cfg);
		return;
	}
	push_free(gw->push);
	gw->push = np;
	if (strcmp(cfg->database, gw->cfg->database) != 0 || modems_changed(gw, cfg))
		log_warnx("reload: database and modem changes take effect on restart");
	config_free(gw->cfg);
	gw->cfg = cfg;
	log_info("reload: configuration %s loaded", cfg->path);
}

int
gateway_run(struct config *cfg, int once)
{
	struct gw gw;
	int64_t next = 0, now, send_at;
	int wait, push_wait, backup_wait, status = 1, lock = -1;

	memset(&gw, 0, sizeof(gw));
	gw.cfg = cfg;
	buf_init(&gw.json);
	quit = reload = 0;
	set_signals();
	if (backup_check_database(cfg) == -1)
		goto done;
	gw.st = store_open(cfg->database, 0);
	if (gw.st == NULL) {
		backup_restore_hint(cfg);
		goto done;
	}
	lock = gateway_lock(cfg->database);
	if (lock == -1)
		goto done;
	gw.outbox = outbox_new(gw.st);
	if (gw.outbox == NULL)
		goto done;
	if (open_modems(&gw, once) == -1)
		goto done;
	/* Root opened the modem and the database; the rest runs as the user. */
	if (secure_drop(cfg) == -1)
		goto done;
	if (push_new(cfg, gw.st, &quit, &gw.push) == -1)
		goto done;
	gw.backup = backup_new(once);
	if (gw.backup == NULL)
		goto done;
	log_info("tinbao: gateway running (database %s)%s", cfg->database,
		 once ? ", one pass" : "");
	while (!quit && !gw.damaged) {
		if (reload) {
			reload = 0;
			reload_config(&gw);
		}
		now = monotonic_ms();
		if (now >= next || gw.incoming) {
			/* The full scan every poll_interval is the fallback for SMS
			 * that no modem announced. */
			if (now >= next)
				next = now + (int64_t)gw.cfg->poll_interval * 1000;
			turn(&gw);
			/* The outbox may want the modem before the next scan
			 * (not sooner than in a second). */
			send_at = now + (gw.send_next - clock_now()) * 1000;
			if (gw.send_next > 0 && send_at < next)
				next = send_at > now + 1000 ? send_at : now + 1000;
		}
		/* At most one bounded request; it says when it wants the next. */
		push_wait = push_step(gw.push);
		backup_wait = backup_step(gw.backup, gw.cfg, gw.st);
		if (db_damaged(&gw) || once)
			break;
		wait = (int)(next - monotonic_ms());
		if (push_wait >= 0 && push_wait < wait)
			wait = push_wait;
		if (backup_wait >= 0 && backup_wait < wait)
			wait = backup_wait;
		if (wait > 0) {
			reading(&gw, 1);
			wait_events(&gw, wait);
			reading(&gw, 0);
		}
	}
	status = gw.damaged ? GATEWAY_DAMAGED : 0;
	log_info("tinbao: stopping (the longest time without reading the modems: %" PRId64 " ms)",
		 gw.read_gap);
done:
	/* Damage found by the first statements at start (the outbox's
	 * recovery...): the same advice as in use. */
	if (status == 1 && gw.st != NULL && store_damaged(gw.st)) {
		backup_damaged_hint(gw.cfg);
		status = GATEWAY_DAMAGED;
	}
	/* Fixed order: the modem first (no more SMS arrive), then the database. */
	close_modems(&gw);
	outbox_free(gw.outbox);
	push_free(gw.push);
	backup_free(gw.backup);
	store_close(gw.st);
	if (lock != -1)
		close(lock);
	buf_free(&gw.json);
	config_free(gw.cfg);
	return status;
}

int
gateway_status_reply(const struct config *cfg, struct store *st, const struct parser_result *res,
		     int year, char *buf, size_t bufsz)
{
	const struct parser *p = cfg->parser;
	const struct config_plan *plan = config_plan_for(cfg, year);
	struct store_totals t;
	const char *code = NULL;
	char name[128], share[32] = "";
	long rate;
	int c = res->nitems > 0 ? res->items[0].commune : -1;

	if (c >= 0)
		code = parser_commune_code(p, c);
	/* The parser's communes are the configuration's, in the same order. */
	if (c >= 0 && (size_t)c < cfg->ncommunes && cfg->communes[c].plan_trained > 0)
		snprintf(share, sizeof(share), " (KH %d)", cfg->communes[c].plan_trained);
	if (store_totals(st, code, year, &t) == -1)
		return -1;
	rate = t.grad > 0 ? t.job * 100 / t.grad : 0;
	if (c >= 0) {
		parser_ascii(parser_commune_name(p, c), name, sizeof(name));
		snprintf(buf, bufsz,
			 "So lieu %d %s %s: ghi danh %ld HV%s, tot nghiep %ld, co viec lam %ld "
			 "(%ld%%), nhu cau %ld.",
			 year, strcmp(parser_commune_type(p, c), "tt") == 0 ? "TT" : "xa", name,
			 t.enrol, share, t.grad, t.job, rate, t.need);
	} else if (plan != NULL) {
		snprintf(buf, bufsz,
			 "So lieu %d toan huyen: ghi danh %ld HV (KH %d-%d), tot nghiep %ld, "
			 "co viec lam %ld (%ld%%, KH %d%%).",
			 year, t.enrol, plan->trained_min, plan->trained_max, t.grad, t.job, rate,
			 plan->employed_pct);
	} else {
		snprintf(buf, bufsz,
			 "So lieu %d toan huyen: ghi danh %ld HV, tot nghiep %ld, co viec lam %ld "
			 "(%ld%%). Chua co ke hoach nam %d.",
			 year, t.enrol, t.grad, t.job, rate, year);
	}
	return 0;
}

int
gateway_lock(const char *database)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s.lock", database);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1) {
		log_warn("%s", path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			log_warnx("%s: another tinbao gateway is running on this database", path);
		else
			log_warn("%s", path);
		close(fd);
		return -1;
	}
	return fd;
}

int
gateway_running(const char *database)
{
	char path[4096];
	int fd, r;

	snprintf(path, sizeof(path), "%s.lock", database);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return errno == ENOENT ? 0 : -1;
	r = flock(fd, LOCK_SH | LOCK_NB);
	close(fd); /* closing releases a lock taken here */
	if (r == 0)
		return 0;
	return errno == EWOULDBLOCK ? 1 : -1;
}

int
gateway_reprocess(struct config *cfg, struct store *st, const struct store_inmsg *msg,
		  const char *error, int flags)
{
	struct gw gw;
	int r;

	memset(&gw, 0, sizeof(gw));
	gw.cfg = cfg;
	gw.st = st;
	gw.replay_error = error;
	buf_init(&gw.json);
	/* A rejection the parser or the rules made was pushed for good the
	 * first time; a message held back (quarantined, over a limit) was
	 * pushed as held, and what it becomes now is pushed once more. */
	if (strcmp(error, "quarantined") != 0 && strcmp(error, "rate_limited") != 0 &&
	    strcmp(error, "loop") != 0)
		flags |= NOPUSH;
	r = process(&gw, msg, flags | GATEWAY_REPLAY);
	buf_free(&gw.json);
	return r;
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
	buf_init(&imp->gw.json);
	snprintf(imp->from.name, sizeof(imp->from.name), "%s", source);
	if (store_begin(st) == -1) {
		buf_free(&imp->gw.json);
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
			if (process(&imp->gw, &msg, GATEWAY_REPLAY) == -1)
				commit = 0;
			n++;
		}
		store_inmsg_clear(&msg);
	}
	if (r == -1 || !commit || store_commit(imp->gw.st) == -1) {
		store_rollback(imp->gw.st);
		n = -1;
	}
	explicit_bzero(imp->gw.topups, sizeof(imp->gw.topups));
	buf_free(&imp->gw.json);
	free(imp);
	return n;
}
