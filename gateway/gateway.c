/*
 * gateway.c - see gateway.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "config.h"
#include "digest.h"
#include "gateway.h"
#include "json.h"
#include "log.h"
#include "modem.h"
#include "parser.h"
#include "push.h"
#include "secure.h"
#include "store.h"

#define VN_UTC_OFFSET (7 * 3600) /* periods are counted in Vietnam's time */
/*
 * SMS committed per transaction.  Each commit is an fsync; one per SMS would
 * make the disk, not the modem, the bottleneck of a full SIM.  A batch is
 * atomic: a crash loses none of it (the SMS are still on the phone) and
 * half of it is never written.
 */
#define BATCH 64

static volatile sig_atomic_t quit;
static volatile sig_atomic_t reload;

struct gw {
	struct config *cfg;
	struct store *st;
	struct modem *modem; /* NULL while the connection is lost */
	int64_t reopen_at;   /* monotonic ms of the next attempt to reconnect */
	int reopen_wait;     /* ms, doubled after each failed attempt */
	struct push *push;   /* NULL when the configuration has no push */
	struct buf json;
};

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
}

/*
 * Test hook: TINBAO_CRASH="point:n" kills the process with SIGKILL the n-th
 * time it passes `point`, so that the crash tests can stop the gateway at an
 * exact place (after an inbox commit, before the phone deletes the SMS...).
 */
static void
crashpoint(const char *point)
{
	static long hits;
	const char *spec = getenv("TINBAO_CRASH");
	size_t len = strlen(point);

	if (spec == NULL || strncmp(spec, point, len) != 0 || spec[len] != ':')
		return;
	if (++hits == strtol(spec + len + 1, NULL, 10))
		raise(SIGKILL);
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

const char *
gateway_national(const char *n)
{
	if (n[0] == '+')
		n++;
	if (strncmp(n, "84", 2) == 0 && strlen(n) > 9)
		return n + 2;
	if (n[0] == '0')
		return n + 1;
	return n;
}

int
gateway_same_number(const char *a, const char *b)
{
	return *a != '\0' && *b != '\0' && strcmp(gateway_national(a), gateway_national(b)) == 0;
}

int
gateway_replyable(const char *sender, const char *own)
{
	const char *p = sender;
	size_t digits = 0;

	if (*p == '+')
		p++;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return 0; /* alphanumeric sender: an operator or a service */
		digits++;
	}
	/* Short codes (e.g. 1414, 9029) are at most 6 digits; subscriber numbers 9+. */
	if (digits < 9 || digits > 15)
		return 0;
	if (own != NULL && *own != '\0' && gateway_same_number(sender, own))
		return 0;
	return 1;
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

/* Adds one SMS (or part) read from the phone, inside the caller's
 * transaction.  Returns 0 or -1. */
static int
keep_sms(struct gw *gw, const struct modem_sms *sms)
{
	char fp[24];
	int64_t id = 0, now = clock_now();
	int r;

	fingerprint(sms, fp, sizeof(fp));
	if (sms->concat_ref == -1) {
		struct store_sms s = {sms->sender, sms->smsc_time, now, sms->text, sms->coding, 1,
				      fp};
		r = store_inbox_add(gw->st, &s, &id);
	} else {
		struct store_part p = {sms->sender,	sms->concat_ref, sms->part_no,
				       sms->part_count, sms->smsc_time,	 now,
				       sms->text,	sms->coding,	 fp};
		r = store_part_add(gw->st, &p, &id);
	}
	if (r == -1)
		return -1;
	if (sms->concat_ref != -1)
		log_info("SMS from %s: part %d/%d (ref %d)%s", sms->sender, sms->part_no,
			 sms->part_count, sms->concat_ref, r == 1 ? ", message complete" : "");
	else if (r == 0)
		log_info("SMS from %s already stored as #%" PRId64 " (read again)", sms->sender,
			 id);
	return 0;
}

/* Where the SMS of a batch are on the phone, to delete them once committed. */
struct batch {
	struct modem_sms where[BATCH]; /* only folder and location are used */
	int n;
};

/* Commits the batch, and only then lets the phone forget its SMS. */
static int
flush_batch(struct gw *gw, struct batch *b)
{
	int i;

	if (store_commit(gw->st) == -1) {
		store_rollback(gw->st);
		log_warnx("%d SMS could not be stored; left on the phone", b->n);
		b->n = 0;
		return -1;
	}
	crashpoint("stored");
	for (i = 0; i < b->n; i++) {
		modem_delete(gw->modem, &b->where[i]);
		crashpoint("deleted");
	}
	b->n = 0;
	return 0;
}

/* Reads every SMS on the phone: commit, then delete.  Returns the number read. */
static int
receive(struct gw *gw)
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
		r = modem_next(gw->modem, start, sms);
		start = 0;
		if (r != 1)
			break;
		if (b->n == 0 && store_begin(gw->st) == -1)
			break;
		if (keep_sms(gw, sms) == -1) {
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
		if (b->n == BATCH && flush_batch(gw, b) == -1)
			break;
	}
	if (b != NULL && b->n > 0 && flush_batch(gw, b) == -1)
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

static void
rejection_payload(struct gw *gw, const struct store_inmsg *msg, const char *error)
{
	struct buf *b = &gw->json;

	buf_reset(b);
	buf_puts(b, "{");
	json_key(b, "inbox_id", 1);
	buf_printf(b, "%" PRId64, msg->id);
	json_key(b, "error", 0);
	json_str(b, error);
	json_key(b, "sender", 0);
	json_str(b, msg->sender);
	json_key(b, "text", 0);
	json_str(b, msg->text);
	buf_puts(b, "}");
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
 * configured class numbers; anyone when neither is configured. */
static int
may_manage_classes(const struct config *cfg, const char *sender)
{
	size_t i;

	if (cfg->digest.nrecipients == 0 && cfg->nclass_senders == 0)
		return 1;
	if (digest_is_staff(cfg, sender))
		return 1;
	for (i = 0; i < cfg->nclass_senders; i++)
		if (gateway_same_number(sender, cfg->class_senders[i]))
			return 1;
	return 0;
}

/*
 * Checks what the database must allow before a CLASS OPEN or CLOSE is
 * stored, so that a message of several parts is stored whole or not at all.
 * Returns 0 (fine), 1 with *error and reply set, or -1.
 */
static int
check_classes(struct gw *gw, const char *sender, const struct parser_result *res,
	      const char **error, char *reply, size_t replysz)
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
		if (!may_manage_classes(gw->cfg, sender)) {
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
status_reply(struct gw *gw, const struct store_inmsg *msg, const struct parser_result *res,
	     int year, char *reply, size_t replysz)
{
	struct parser_result mine;
	int c;

	if (res->nitems == 0 || res->items[0].commune >= 0)
		return gateway_status_reply(gw->cfg, gw->st, res, year, reply, replysz);
	if (digest_is_staff(gw->cfg, msg->sender))
		return digest_compose(gw->cfg, gw->st, clock_now(), reply, replysz);
	c = digest_officer_commune(gw->cfg, msg->sender);
	if (c < 0)
		return gateway_status_reply(gw->cfg, gw->st, res, year, reply, replysz);
	mine = *res;
	mine.items[0].commune = c;
	return gateway_status_reply(gw->cfg, gw->st, &mine, year, reply, replysz);
}

/* Parses one inbox row and records everything it leads to (reports or the
 * rejection, push events, the reply), inside the caller's transaction. */
static int
process(struct gw *gw, const struct store_inmsg *msg)
{
	const struct config *cfg = gw->cfg;
	struct parser_result res;
	char reply[DIGEST_BUF]; /* a reply, or the district digest for TK */
	const char *error = NULL, *payload;
	int64_t ref = 0;
	int year, half, r;

	parser_parse(cfg->parser, msg->text, strlen(msg->text), &res);
	if (gateway_resolve_classes(cfg, gw->st, &res) == -1)
		return -1;
	gateway_period(msg->smsc_time != 0 ? msg->smsc_time : msg->received, &year, &half);
	log_info("SMS #%" PRId64 " from %s: \"%s\"", msg->id, msg->sender, msg->text);
	reply[0] = '\0';
	if (res.error == PARSER_OK) {
		r = res.kind == PARSER_CANCEL
			? cancel(gw, msg, &res.items[0], &error, reply, sizeof(reply))
			: check_classes(gw, msg->sender, &res, &error, reply, sizeof(reply));
		if (r == -1)
			return -1;
		if (error != NULL)
			log_info("  rejected: %s", error);
	}
	if (error != NULL) {
		/* Refused by what is stored (a class, a report to cancel). */
		rejection_payload(gw, msg, error);
		payload = buf_str(&gw->json);
		if (payload == NULL ||
		    store_push_add(gw->st, "message.rejected", clock_now(), payload) == -1)
			return -1;
	} else if (res.error != PARSER_OK) {
		error = parser_error_name(res.error);
		rejection_payload(gw, msg, error);
		payload = buf_str(&gw->json);
		if (payload == NULL ||
		    store_push_add(gw->st, "message.rejected", clock_now(), payload) == -1)
			return -1;
		log_info("  rejected: %s%s%s", error, res.bad[0] ? " " : "", res.bad);
	} else if (is_report(&res) && (store_classes(gw, msg, &res) == -1 ||
				       store_items(gw, msg, &res, year, half, &ref) == -1)) {
		return -1;
	}
	if (reply[0] != '\0') {
		/* cancel() or check_classes() answered already. */
	} else if (res.error == PARSER_OK && res.kind == PARSER_STATUS) {
		if (status_reply(gw, msg, &res, year, reply, sizeof(reply)) == -1)
			return -1;
	} else {
		parser_reply(cfg->parser, &res, (long)ref, cfg->reply_diacritics, reply,
			     sizeof(reply));
		/* Reports of a commune (ENROL ... LABOUR) show its running total;
		 * a nicety: the confirmation goes without it if it fails. */
		if (ref > 0 && res.kind <= PARSER_LABOUR && res.items[0].commune >= 0 &&
		    digest_running_total(cfg, gw->st, res.items[0].commune, year, reply,
					 sizeof(reply)) == -1)
			log_warnx("  reply without the running total");
	}
	if (store_inbox_set_state(gw->st, msg->id, error == NULL ? "accepted" : "rejected",
				  error) == -1)
		return -1;
	if (!gateway_replyable(msg->sender, cfg->own_number)) {
		log_info("  no reply: %s is not a phone number we answer", msg->sender);
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
		r = process(gw, &msg);
		store_inmsg_clear(&msg);
		if (r == -1) {
			store_rollback(gw->st);
			if (batch > 1)
				return -1;
			log_warnx("SMS #%" PRId64 " could not be processed; will try again", after);
			inbatch = 0;
			continue;
		}
		if (++inbatch == batch) {
			if (store_commit(gw->st) == -1)
				goto fail;
			crashpoint("processed");
			n += inbatch;
			inbatch = 0;
		}
	}
	if (inbatch > 0) {
		if (store_commit(gw->st) == -1)
			goto fail;
		crashpoint("processed");
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

	if (n != -1)
		return n;
	/* Find the message at fault: one at a time, the others go through. */
	log_warnx("a batch of SMS could not be processed; retrying them one by one");
	return process_batches(gw, 1);
}

static int
send_queued(struct gw *gw)
{
	struct store_outmsg out;
	int64_t after = 0;
	const char *state;
	int r, n = 0;

	memset(&out, 0, sizeof(out));
	while (!quit) {
		r = store_outbox_next(gw->st, after, &out);
		if (r != 1)
			break;
		after = out.id;
		if (modem_send(gw->modem, out.to, out.text) == 0) {
			state = "sent";
			n++;
		} else if (modem_lost(gw->modem)) {
			/* Not the message's fault: it waits for the modem, its attempts
			 * untouched. */
			store_outmsg_clear(&out);
			break;
		} else {
			state = out.attempts + 1 >= gw->cfg->send_retries ? "failed" : "queued";
		}
		crashpoint("sent");
		if (store_outbox_set_state(gw->st, out.id, state,
					   strcmp(state, "sent") == 0 ? NULL : "modem refused") ==
		    -1) {
			store_outmsg_clear(&out);
			return -1;
		}
		log_debug("outbox #%" PRId64 " to %s: %s", out.id, out.to, state);
		store_outmsg_clear(&out);
	}
	return n;
}

#define REOPEN_MIN_MS 1000
#define REOPEN_MAX_MS (5 * 60 * 1000)

/*
 * The modem vanished or stopped answering: close it, and open it again with
 * a growing wait (1 s, 2 s, ... 5 min).  The database work goes on meanwhile;
 * SMS stay on the SIM and replies in the outbox until it is back.
 */
static void
keep_modem(struct gw *gw)
{
	int64_t now = monotonic_ms();

	if (gw->modem != NULL && modem_lost(gw->modem)) {
		modem_close(gw->modem);
		gw->modem = NULL;
		gw->reopen_wait = REOPEN_MIN_MS;
		gw->reopen_at = now + gw->reopen_wait;
		log_warnx("modem: closed; reconnecting in %d ms", gw->reopen_wait);
		return;
	}
	if (gw->modem != NULL || now < gw->reopen_at)
		return;
	gw->modem = modem_open(gw->cfg->gammurc, gw->cfg->gammu_section);
	if (gw->modem != NULL) {
		log_info("modem: reconnected");
		return;
	}
	gw->reopen_wait = gw->reopen_wait * 2 > REOPEN_MAX_MS ? REOPEN_MAX_MS : gw->reopen_wait * 2;
	gw->reopen_at = monotonic_ms() + gw->reopen_wait;
	log_warnx("modem: still away; next attempt in %d ms", gw->reopen_wait);
}

static void
turn(struct gw *gw)
{
	int64_t t0, t1, t2, t3;
	int got = 0, done, sent = 0;

	keep_modem(gw);
	t0 = monotonic_ms();
	if (gw->modem != NULL)
		got = receive(gw);
	t1 = monotonic_ms();
	done = process_new(gw);
	/* Digests and reminders due now go out with this turn's replies. */
	digest_tick(gw->cfg, gw->st, clock_now());
	t2 = monotonic_ms();
	if (gw->modem != NULL && !modem_lost(gw->modem))
		sent = send_queued(gw);
	t3 = monotonic_ms();
	if (got > 0 || done > 0 || sent > 0)
		log_info("read %d SMS (%" PRId64 " ms), processed %d (%" PRId64
			 " ms), sent %d replies (%" PRId64 " ms)",
			 got > 0 ? got : 0, t1 - t0, done > 0 ? done : 0, t2 - t1,
			 sent > 0 ? sent : 0, t3 - t2);
	keep_modem(gw);
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
	if (strcmp(cfg->database, gw->cfg->database) != 0 ||
	    strcmp(cfg->gammurc, gw->cfg->gammurc) != 0 ||
	    cfg->gammu_section != gw->cfg->gammu_section)
		log_warnx("reload: database and modem changes take effect on restart");
	config_free(gw->cfg);
	gw->cfg = cfg;
	log_info("reload: configuration %s loaded", cfg->path);
}

int
gateway_run(struct config *cfg, int once)
{
	struct gw gw;
	int64_t next = 0, now;
	int wait, push_wait, status = 1;

	memset(&gw, 0, sizeof(gw));
	gw.cfg = cfg;
	buf_init(&gw.json);
	quit = reload = 0;
	set_signals();
	gw.st = store_open(cfg->database, 0);
	if (gw.st == NULL)
		goto done;
	gw.modem = modem_open(cfg->gammurc, cfg->gammu_section);
	if (gw.modem == NULL)
		goto done;
	/* Root opened the modem and the database; the rest runs as the user. */
	if (secure_drop(cfg) == -1)
		goto done;
	if (push_new(cfg, gw.st, &quit, &gw.push) == -1)
		goto done;
	log_info("tinbao: gateway running (database %s)%s", cfg->database,
		 once ? ", one pass" : "");
	while (!quit) {
		if (reload) {
			reload = 0;
			reload_config(&gw);
		}
		now = monotonic_ms();
		if (now >= next) {
			next = now + (int64_t)gw.cfg->poll_interval * 1000;
			turn(&gw);
		}
		/* At most one bounded request; it says when it wants the next. */
		push_wait = push_step(gw.push);
		if (once)
			break;
		wait = (int)(next - monotonic_ms());
		if (push_wait >= 0 && push_wait < wait)
			wait = push_wait;
		if (wait > 0 && poll(NULL, 0, wait) == -1 && errno != EINTR)
			log_warn("poll");
	}
	status = 0;
	log_info("tinbao: stopping");
done:
	/* Fixed order: the modem first (no more SMS arrive), then the database. */
	modem_close(gw.modem);
	push_free(gw.push);
	store_close(gw.st);
	buf_free(&gw.json);
	config_free(gw.cfg);
	return status;
}

int
gateway_status_reply(const struct config *cfg, struct store *st, const struct parser_result *res,
		     int year, char *buf, size_t bufsz)
{
	const struct parser *p = cfg->parser;
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
	} else {
		snprintf(buf, bufsz,
			 "So lieu %d toan huyen: ghi danh %ld HV (KH %d-%d), tot nghiep %ld, "
			 "co viec lam %ld (%ld%%, KH %d%%).",
			 year, t.enrol, cfg->plan.trained_min, cfg->plan.trained_max, t.grad, t.job,
			 rate, cfg->plan.employed_pct);
	}
	return 0;
}
