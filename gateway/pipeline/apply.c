/*
 * apply.c - the stage that does what a message says (stage.h): the only
 * one that writes reports.  Reports and their push events, CANCEL, the
 * classes (classes.c), TK, NAPTIEN; and the message.rejected event of a
 * message refused.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "digest.h"
#include "identity.h"
#include "json.h"
#include "log.h"
#include "parser.h"
#include "pipeline.h"
#include "stage.h"
#include "store.h"

static void
event_payload(struct buf *b, const struct store_report *r, int64_t ref, const char *text)
{

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
stage_push_rejected(struct msgctx *c, const char *error, const char *state)
{
	return push_rejected(&c->json, c->st, c->msg, error, state);
}

int
pipeline_reject(struct store *st, const struct store_inmsg *msg, const char *error)
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
store_items(struct msgctx *c)
{
	const struct parser *p = c->cfg->parser;
	const struct parser_result *res = &c->res;
	const struct store_inmsg *msg = c->msg;
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
		    .year = c->year,
		    .half = c->half,
		    .sender = msg->sender,
		    .created = now,
		};
		if (store_report_add(c->st, &r, &ref) == -1)
			return -1;
		if (it->class_code[0] != '\0' &&
		    store_report_set_class(c->st, ref, it->class_code) == -1)
			return -1;
		if (c->ref == 0)
			c->ref = ref;
		event_payload(&c->json, &r, ref, msg->text);
		payload = buf_str(&c->json);
		if (payload == NULL || store_push_add(c->st, "report.created", now, payload) == -1)
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
cancel(struct msgctx *c)
{
	const struct parser_item *it = &c->res.items[0];
	const struct store_inmsg *msg = c->msg;
	struct store_report_row row;
	char name[128];
	const char *payload;
	int r;

	r = store_report_cancel(c->st, msg->sender, it->ref, &row);
	if (r == -1)
		return -1;
	if (r == 0) {
		c->error = "nothing_to_cancel";
		if (it->ref > 0)
			snprintf(c->reply, sizeof(c->reply),
				 "Loi: khong co bao cao #%ld cua so nay de huy.", it->ref);
		else
			snprintf(c->reply, sizeof(c->reply),
				 "Loi: khong co bao cao nao cua so nay de huy.");
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
	event_payload(&c->json, &r2, row.ref, msg->text);
	payload = buf_str(&c->json);
	if (payload == NULL ||
	    store_push_add(c->st, "report.cancelled", clock_now(), payload) == -1)
		return -1;
	parser_ascii(row.commune, name, sizeof(name));
	snprintf(c->reply, sizeof(c->reply), "Da huy #%" PRId64 ": %s %ld %s, %s.", row.ref,
		 parser_keyword_form(c->cfg->parser, (enum parser_kind)kind_of(row.kind)),
		 row.count, row.trade_code[0] ? row.trade_code : "LD", name);
	log_info("  report #%" PRId64 " cancelled", row.ref);
	return 0;
}

/* TK without a commune: district staff get the district's digest, an
 * officer its own commune's figures, anyone else the district's totals. */
static int
status_reply(struct msgctx *c)
{
	const struct parser_result *res = &c->res;
	struct parser_result *mine;
	int r;

	if (res->nitems == 0 || res->items[0].commune >= 0 ||
	    (!identity_has(&c->who, IDENTITY_STAFF) &&
	     (!identity_has(&c->who, IDENTITY_OFFICER) || c->who.commune < 0)))
		return pipeline_status_reply(c->cfg, c->st, res, c->year, c->reply,
					     sizeof(c->reply));
	if (identity_has(&c->who, IDENTITY_STAFF))
		return digest_compose(c->cfg, c->st, clock_now(), c->reply, sizeof(c->reply));
	mine = malloc(sizeof(*mine));
	if (mine == NULL) {
		log_warn("status");
		return -1;
	}
	*mine = *res;
	mine->items[0].commune = c->who.commune;
	r = pipeline_status_reply(c->cfg, c->st, mine, c->year, c->reply, sizeof(c->reply));
	free(mine);
	return r;
}

int
pipeline_status_reply(const struct config *cfg, struct store *st, const struct parser_result *res,
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

/* A NAPTIEN the sender policy let through: dialled when the daemon kept
 * its PIN, else the admin is told to send it again. */
static int
apply_topup(struct msgctx *c)
{
	int r = -2;

	if (c->error != NULL)
		return 0;
	if (c->pl->topup != NULL)
		r = c->pl->topup(c->pl->topup_arg, c->msg, &c->who, c->reply, sizeof(c->reply));
	if (r == -1)
		return -1;
	if (r == -2)
		snprintf(c->reply, sizeof(c->reply),
			 "Loi: chua nap tien. Gui lai: NAPTIEN <ma the>");
	if (r != 1)
		c->error = "topup_failed";
	return 0;
}

int
stage_apply(struct msgctx *c)
{
	if (c->topup)
		return apply_topup(c);
	if (c->error == NULL && c->res.error == PARSER_OK && c->res.kind == PARSER_CANCEL) {
		if (cancel(c) == -1)
			return -1;
		if (c->error != NULL)
			log_info("  rejected: %s", c->error);
	}
	if (c->error != NULL) {
		/* Refused by the sender policy or what is stored (a class, a
		 * report to cancel). */
		if (!(c->flags & STAGE_NOPUSH) &&
		    stage_push_rejected(c, c->error, "rejected") == -1)
			return -1;
	} else if (c->res.error != PARSER_OK) {
		c->error = parser_error_name(c->res.error);
		if (!(c->flags & STAGE_NOPUSH) &&
		    stage_push_rejected(c, c->error, "rejected") == -1)
			return -1;
		log_info("  rejected: %s%s%s", c->error, c->res.bad[0] ? " " : "", c->res.bad);
	} else if (is_report(&c->res)) {
		if (stage_store_classes(c) == -1 || store_items(c) == -1)
			return -1;
	} else if (c->res.kind == PARSER_STATUS && c->reply[0] == '\0') {
		if (status_reply(c) == -1)
			return -1;
	}
	return 0;
}
