/*
 * push_json.c - the JSON protocol of docs/push-protocol.md: the batch's
 * body ({"gateway": ..., "events": [...]}), what the server's answer says
 * about it, and the SMS the district asks for in an accepted answer.  See
 * push_impl.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "parser.h"
#include "phone.h"
#include "push_impl.h"

#define OUTGOING_MAX 100       /* SMS taken from one answer */
#define OUTGOING_TEXT_MAX 1000 /* bytes of one such SMS */
#define OUTGOING_ID_MAX 64

/* ---- The body --------------------------------------------------------- */

void
push_json_begin(struct push *p)
{
	buf_puts(&p->body, "{");
	json_key(&p->body, "gateway", 1);
	json_str(&p->body, p->pc->gateway_id);
	json_key(&p->body, "events", 0);
	buf_puts(&p->body, "[");
}

void
push_json_end(struct push *p)
{
	buf_puts(&p->body, "]}");
}

int
push_json_row(void *arg, const struct store_push_row *row)
{
	struct push *p = arg;

	if (row->event == NULL) {
		push_add_local(p, row->id, 1, "gateway: the stored payload is not valid JSON");
		return 0;
	}
	if (p->nids > 0)
		buf_puts(&p->body, ",");
	buf_puts(&p->body, row->event);
	p->ids[p->nids++] = row->id;
	return 0;
}

/* ---- The verdict ------------------------------------------------------ */

/* 4xx that say nothing about the events: retrying later is right. */
static int
not_about_events(long code)
{
	switch (code) {
	case 401: /* FALLTHROUGH */
	case 403:
	case 404:
	case 405:
	case 407:
	case 408:
	case 421:
	case 425:
	case 429:
		return 1;
	}
	return 0;
}

void
push_answer_error(struct push *p, long code)
{
	char ex[EXCERPT_MAX + 8];

	push_excerpt(p->token, buf_str(&p->answer), ex, sizeof(ex));
	snprintf(p->err, sizeof(p->err), "HTTP %ld%s%.*s", code, ex[0] != '\0' ? ": " : "",
		 EXCERPT_MAX, ex);
}

int
push_blank(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}

/* The JSON protocol: 2xx with {"accepted":[...]} or an empty body. */
enum verdict
push_json_verdict(struct push *p, long code)
{
	const char *a = buf_str(&p->answer);
	char type[16];
	int r;

	if (code < 200 || code > 299) {
		push_answer_error(p, code);
		if (code >= 400 && code <= 499 && !not_about_events(code))
			return V_CONTENT;
		return V_FAIL;
	}
	if (push_blank(a))
		return V_OK;
	r = store_json_valid(p->st, a);
	if (r == 1)
		r = store_json_get(p->st, a, "$.accepted", type, sizeof(type), NULL, 0);
	if (r == 1 && strcmp(type, "array") == 0)
		return V_OK;
	push_answer_error(p, code);
	snprintf(p->err + strlen(p->err), sizeof(p->err) - strlen(p->err),
		 " (not an answer of the protocol)");
	return V_FAIL;
}

/* ---- The district's SMS ----------------------------------------------- */

static int
outgoing_field(struct push *p, const char *answer, int i, const char *field, char *val,
	       size_t valsz)
{
	char path[64], type[16];
	int r;

	snprintf(path, sizeof(path), "$.outgoing[%d].%s", i, field);
	r = store_json_get(p->st, answer, path, type, sizeof(type), val, valsz);
	if (r == 1 && strcmp(type, "text") != 0)
		return 0;
	return r;
}

/* Why the district's SMS number i cannot be sent, or NULL when it can. */
static const char *
outgoing_problem(struct push *p, const char *to, int to_ok, const char *text, int text_ok)
{
	if (!to_ok || !phone_replyable(to, p->cfg->own_number))
		return "not a phone number the gateway sends to";
	if (!text_ok || text[0] == '\0')
		return "no text";
	if (strlen(text) > OUTGOING_TEXT_MAX)
		return "text longer than 1000 bytes";
	if (!parser_utf8_valid(text, strlen(text)))
		return "text is not UTF-8";
	return NULL;
}

static int
refuse_outgoing(struct push *p, const char *id, const char *to, int to_ok, const char *why,
		int64_t now)
{
	struct buf b;
	int r;

	buf_init(&b);
	buf_puts(&b, "{");
	json_key(&b, "id", 1);
	json_str(&b, id);
	json_key(&b, "to", 0);
	if (to_ok)
		json_str(&b, to);
	else
		buf_puts(&b, "null");
	json_key(&b, "attempts", 0);
	buf_puts(&b, "0");
	json_key(&b, "error", 0);
	json_str(&b, why);
	buf_puts(&b, "}");
	r = buf_str(&b) == NULL ? -1 : store_push_outgoing_refuse(p->st, id, buf_str(&b), now);
	buf_free(&b);
	if (r == 1)
		log_warnx("push: district SMS %s to %s refused: %s", id, to_ok ? to : "?", why);
	return r;
}

static int
take_one(struct push *p, const char *answer, int i, int64_t now)
{
	char id[OUTGOING_ID_MAX + 2], to[40], text[OUTGOING_TEXT_MAX + 2];
	const char *why;
	int r, to_ok, text_ok;

	r = outgoing_field(p, answer, i, "id", id, sizeof(id));
	if (r == -1)
		return -1;
	if (r == 0 || id[0] == '\0' || strlen(id) > OUTGOING_ID_MAX) {
		log_warnx("push: district SMS number %d has no usable id; ignored", i);
		return 0;
	}
	to_ok = outgoing_field(p, answer, i, "to", to, sizeof(to));
	text_ok = outgoing_field(p, answer, i, "text", text, sizeof(text));
	if (to_ok == -1 || text_ok == -1)
		return -1;
	to_ok = to_ok == 1 && strlen(to) < sizeof(to) - 1;
	why = outgoing_problem(p, to, to_ok, text, text_ok == 1);
	if (why != NULL)
		return refuse_outgoing(p, id, to, to_ok, why, now) == -1 ? -1 : 0;
	r = store_push_outgoing_add(p->st, id, to, text, now);
	if (r == 1)
		log_info("push: district SMS %s to %s queued", id, to);
	return r == -1 ? -1 : 0;
}

int
push_take_outgoing(struct push *p, const char *answer, int64_t now)
{
	char type[16], path[32];
	int i, r;

	if (answer == NULL)
		return 0;
	r = store_json_get(p->st, answer, "$.outgoing", type, sizeof(type), NULL, 0);
	if (r != 1)
		return r;
	if (strcmp(type, "array") != 0) {
		log_warnx("push: the answer's \"outgoing\" is not an array; ignored");
		return 0;
	}
	for (i = 0; i < OUTGOING_MAX; i++) {
		snprintf(path, sizeof(path), "$.outgoing[%d]", i);
		r = store_json_get(p->st, answer, path, type, sizeof(type), NULL, 0);
		if (r != 1)
			return r;
		if (take_one(p, answer, i, now) == -1)
			return -1;
	}
	log_warnx("push: more than %d district SMS in one answer; the rest ignored", OUTGOING_MAX);
	return 0;
}
