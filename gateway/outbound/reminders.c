/*
 * reminders.c - the reminders before a reporting deadline (digest.h): from
 * reminders.days_before a deadline until the deadline itself, each commune
 * that has reported nothing in the deadline's half-year gets one SMS at
 * each of its officers' numbers in the registry (identity.h), at most once
 * per reminder date, within the limits of scheduled SMS.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "config.h"
#include "digest.h"
#include "digest_impl.h"
#include "identity.h"
#include "log.h"
#include "parser.h"
#include "store.h"

/* ---- Reminders -------------------------------------------------------- */

int
digest_reminder_text(const struct config *cfg, int commune, int year, int deadline, char *buf,
		     size_t bufsz)
{
	struct text *t;
	size_t max;
	int level, h1 = deadline / 100 <= 6;

	if (commune < 0 || (size_t)commune >= cfg->ncommunes)
		return -1;
	t = malloc(sizeof(*t));
	if (t == NULL) {
		log_warn("digest");
		return -1;
	}
	t->dia = cfg->reply_diacritics;
	max = t->dia ? SMS_UCS2 : SMS_GSM;
	for (level = FULL; level < NLEVELS; level++) {
		text_reset(t, t->dia);
		text_put(t, level == TERSE ? T(t, "Nhac: ", "Nhắc: ")
					   : T(t, "Nhac bao cao: ", "Nhắc báo cáo: "));
		text_commune(t, cfg, commune);
		if (level == TERSE)
			text_putf(t, T(t, " chua bao cao 6T %s %d", " chưa báo cáo 6T %s %d"),
				  h1 ? T(t, "dau", "đầu") : T(t, "cuoi", "cuối"), year);
		else
			text_putf(t,
				  T(t, " chua gui so lieu 6 thang %s nam %d",
				    " chưa gửi số liệu 6 tháng %s năm %d"),
				  h1 ? T(t, "dau", "đầu") : T(t, "cuoi", "cuối"), year);
		text_putf(t, T(t, ", han %02d/%02d.", ", hạn %02d/%02d."), deadline % 100,
			  deadline / 100);
		if (level == FULL && cfg->ntrades > 0) {
			text_put(t, " VD: ");
			text_put(t, parser_keyword_form(cfg->parser, PARSER_ENROL));
			text_put(t, " ");
			text_name(t, cfg->communes[commune].name);
			text_putf(t, " 35 %s", cfg->trades[0].code);
		}
		if (text_units(t) <= max)
			break;
	}
	if (text_units(t) > max)
		text_cut(t, max);
	snprintf(buf, bufsz, "%s", t->s);
	free(t);
	return 0;
}

struct reported {
	const struct config *cfg;
	char *v; /* per commune: 1 when it reported in the period */
};

static int
mark_reported(void *arg, const struct store_sum *s)
{
	struct reported *r = arg;
	int c;

	c = digest_commune_index(r->cfg, s->commune_code);
	if (c >= 0 && s->reports > 0)
		r->v[c] = 1;
	return 0;
}

/* The reminder of one commune to one of its officers, once a date. */
struct remind {
	const struct config *cfg;
	struct store *st;
	const char *date, *code, *text;
	int64_t now;
	int n;
};

static int
remind_officer(void *arg, const struct identity *id)
{
	struct remind *rm = arg;
	int64_t oid;
	int r;

	r = store_reminder_seen(rm->st, rm->date, rm->code, id->number);
	if (r != 0)
		return r == 1 ? 0 : -1;
	r = digest_queue(rm->cfg, rm->st, id->number, "reminder", rm->text, rm->now, &oid);
	if (r == -1)
		return -1;
	if (r == 1 &&
	    store_reminder_add(rm->st, rm->date, rm->code, id->number, oid, rm->now) == -1)
		return -1;
	rm->n += r;
	return 0;
}

/* The reminders of one commune for the reminder date, to its officers in
 * the registry: 0 or more queued, -1. */
static int
remind_commune(const struct config *cfg, struct store *st, int c, const char *date, int year,
	       int deadline, int64_t now)
{
	char text[DIGEST_BUF];
	struct remind rm = {cfg, st, date, cfg->communes[c].code, text, now, 0};

	if (digest_reminder_text(cfg, c, year, deadline, text, sizeof(text)) == -1)
		return -1;
	if (identity_foreach(cfg, st, IDENTITY_OFFICER, rm.code, remind_officer, &rm) != 0)
		return -1;
	return rm.n;
}

/* The first day of the reminders of a deadline (month * 100 + day) of year. */
static int64_t
remind_from(const struct config *cfg, int year, int deadline)
{
	int64_t due = clock_from_local(year, deadline / 100, deadline % 100, 0, 0);

	return due - (int64_t)cfg->reminders.days_before * DAY;
}

static int
in_window(const struct config *cfg, int64_t now, int year, int deadline)
{
	int64_t today = clock_day_start(now);

	return today >= remind_from(cfg, year, deadline) &&
	       today <= clock_from_local(year, deadline / 100, deadline % 100, 0, 0);
}

/* The reminders of one deadline, inside the caller's transaction. */
static int
remind_deadline(const struct config *cfg, struct store *st, int64_t now, int year, int deadline,
		char *reported)
{
	struct reported r = {cfg, reported};
	char date[16], today[16];
	size_t c;
	int n = 0, k;

	clock_date(remind_from(cfg, year, deadline), date, sizeof(date));
	clock_date(now, today, sizeof(today));
	memset(reported, 0, cfg->ncommunes);
	if (store_sums_foreach(st, year, deadline / 100 <= 6 ? 1 : 2, mark_reported, &r) == -1)
		return -1;
	for (c = 0; c < cfg->ncommunes; c++) {
		if (reported[c] || !digest_commune_valid(&cfg->communes[c], today))
			continue;
		k = remind_commune(cfg, st, (int)c, date, year, deadline, now);
		if (k == -1)
			return -1;
		n += k;
	}
	return n;
}

/* The reminders due at now: deadlines of this year and of the next (a
 * window may start in December). */
int
digest_remind(const struct config *cfg, struct store *st, int64_t now)
{
	char *reported = NULL;
	struct tm tm;
	size_t i;
	int y, n = 0, k, due = 0;

	clock_local(now, &tm);
	for (y = tm.tm_year + 1900; y <= tm.tm_year + 1901; y++) {
		for (i = 0; i < cfg->reminders.ndates; i++)
			due |= in_window(cfg, now, y, cfg->reminders.dates[i]);
	}
	if (!due || cfg->ncommunes == 0)
		return 0;
	reported = malloc(cfg->ncommunes);
	if (reported == NULL) {
		log_warn("reminders");
		return -1;
	}
	if (store_begin(st) == -1)
		goto fail;
	for (y = tm.tm_year + 1900; y <= tm.tm_year + 1901; y++) {
		for (i = 0; i < cfg->reminders.ndates; i++) {
			if (!in_window(cfg, now, y, cfg->reminders.dates[i]))
				continue;
			k = remind_deadline(cfg, st, now, y, cfg->reminders.dates[i], reported);
			if (k == -1)
				goto fail;
			n += k;
		}
	}
	if (store_commit(st) == -1)
		goto fail;
	free(reported);
	return n;

fail:
	store_rollback(st);
	free(reported);
	return -1;
}
