/*
 * digest.c - see digest.h.
 *
 * Texts are composed at the most helpful level first and again with less
 * (shorter words, no zero counts) when that does not fit; lists of communes
 * take what room is left, with "+N" for the names that did not fit.
 */
#include <inttypes.h>
#include <stdarg.h>
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
#include "phone.h"
#include "store.h"

/* What a digest says, gathered from the store. */
struct figures {
	int year;
	int64_t since, now;
	long new_reports[NKINDS], new_count[NKINDS];
	long enrol, grad, job;
	long labour, trained;
	char **labour_codes; /* communes with a LABOUR report this year */
	size_t nlabour_codes;
	int *silent; /* commune indexes */
	size_t nsilent;
	int *reminded;
	size_t nreminded;
	int64_t held, held_senders; /* quarantined SMS and their senders */
	int oom;
};

/* ---- Text ------------------------------------------------------------- */

/* The SMS characters the character at s takes: GSM septets (two for the
 * extension table) or UTF-16 units (two for a surrogate pair); *len gets
 * its length in bytes.  s is not at its end. */
static size_t
char_units(const char *s, int dia, size_t *len)
{
	const unsigned char *p = (const unsigned char *)s;

	*len = 1;
	if (!dia)
		return strchr("[]{}\\^~|", *p) != NULL ? 2 : 1;
	while ((p[*len] & 0xc0) == 0x80)
		(*len)++;
	return *p >= 0xf0 ? 2 : 1;
}

size_t
digest_sms_units(const char *s, int dia)
{
	size_t n = 0, len;

	for (; *s != '\0'; s += len)
		n += char_units(s, dia, &len);
	return n;
}

size_t
text_units(const struct text *t)
{
	return digest_sms_units(t->s, t->dia);
}

void
text_reset(struct text *t, int dia)
{
	t->s[0] = '\0';
	t->len = 0;
	t->dia = dia;
}

/* Appends s; what does not fit the buffer is dropped, at a character. */
void
text_put(struct text *t, const char *s)
{
	size_t n = strlen(s), room = sizeof(t->s) - 1 - t->len;

	if (n > room) {
		n = room;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

void
text_putf(struct text *t, const char *fmt, ...)
{
	char buf[DIGEST_BUF];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	text_put(t, buf);
}

/* Cuts t to at most max SMS characters, after a word when there is one. */
void
text_cut(struct text *t, size_t max)
{
	size_t i = 0, used = 0, len, w;

	while (i < t->len) {
		w = char_units(t->s + i, t->dia, &len);
		if (used + w > max)
			break;
		used += w;
		i += len;
	}
	if (i < t->len && t->s[i] != ' ') {
		while (i > 0 && t->s[i - 1] != ' ')
			i--;
	}
	while (i > 0 && strchr(" ,;:(", t->s[i - 1]) != NULL)
		i--;
	t->len = i;
	t->s[i] = '\0';
}

/* A commune's name as staff read it: with diacritics or plain ASCII. */
void
text_name(struct text *t, const char *name)
{
	char a[NAME_BUF];

	if (t->dia) {
		text_put(t, name);
		return;
	}
	parser_ascii(name, a, sizeof(a));
	text_put(t, a);
}

/* "xa Minh Son", "TT Huu Lung". */
void
text_commune(struct text *t, const struct config *cfg, int c)
{
	text_put(t, strcmp(cfg->communes[c].type, "tt") == 0 ? "TT " : T(t, "xa ", "xã "));
	text_name(t, cfg->communes[c].name);
}

/* "75%", or "-" when there is nothing to divide by. */
static void
rate(char *buf, size_t bufsz, long part, long whole)
{
	if (whole <= 0)
		snprintf(buf, bufsz, "-");
	else
		snprintf(buf, bufsz, "%ld%%", part * 100 / whole);
}

int
digest_commune_index(const struct config *cfg, const char *code)
{
	size_t i;

	for (i = 0; i < cfg->ncommunes; i++) {
		if (strcmp(cfg->communes[i].code, code) == 0)
			return (int)i;
	}
	return -1;
}

/* Whether the commune exists on day ("YYYY-MM-DD"). */
int
digest_commune_valid(const struct config_commune *c, const char *day)
{
	if (c->valid_from != NULL && strcmp(day, c->valid_from) < 0)
		return 0;
	if (c->valid_to != NULL && strcmp(day, c->valid_to) > 0)
		return 0;
	return 1;
}

/* ---- Schedule --------------------------------------------------------- */

int
digest_quiet(const struct config *cfg, int64_t now)
{
	int from = cfg->scheduled.from, to = cfg->scheduled.to, m;
	struct tm tm;

	clock_local(now, &tm);
	m = tm.tm_hour * 60 + tm.tm_min;
	if (from == to)
		return 0;
	if (from < to)
		return m >= from && m < to;
	return m >= from || m < to; /* over midnight */
}

/* The latest scheduled digest time at or before t, or 0 when there is none
 * in the week before. */
static int64_t
last_slot(const struct config_digest *d, int64_t t)
{
	int64_t day = clock_day_start(t), slot;
	struct tm tm;
	int i;

	for (i = 0; i <= 7; i++) {
		/* Vietnam has no daylight saving time: every day has 24 hours. */
		slot = day - (int64_t)i * DAY + (int64_t)d->at * 60;
		clock_local(slot, &tm);
		if (slot <= t && (d->weekdays & (1 << tm.tm_wday)))
			return slot;
	}
	return 0;
}

/* Where "new reports" start when no digest was ever sent: the scheduled
 * time before t, or a day before it. */
static int64_t
first_since(const struct config_digest *d, int64_t t)
{
	int64_t s = last_slot(d, t - 1);

	return s > 0 ? s : t - DAY;
}

/* ---- Figures ---------------------------------------------------------- */

static int
kind_index(const char *kind)
{
	int k;

	for (k = 0; k < NKINDS; k++) {
		if (strcmp(kind, parser_kind_name((enum parser_kind)k)) == 0)
			return k;
	}
	return -1;
}

static int
add_new(void *arg, const char *kind, long reports, long count)
{
	struct figures *f = arg;
	int k = kind_index(kind);

	if (k >= 0) {
		f->new_reports[k] += reports;
		f->new_count[k] += count;
	}
	return 0;
}

static int
add_year(void *arg, const struct store_sum *s)
{
	struct figures *f = arg;
	char **v;

	if (strcmp(s->kind, "enrol") == 0)
		f->enrol += s->count;
	else if (strcmp(s->kind, "grad") == 0)
		f->grad += s->count;
	else if (strcmp(s->kind, "job") == 0)
		f->job += s->count;
	if (strcmp(s->kind, "labour") != 0 || s->reports == 0)
		return 0;
	/* Rows come by commune: one LABOUR row per commune. */
	v = reallocarray(f->labour_codes, f->nlabour_codes + 1, sizeof(*v));
	if (v == NULL)
		goto oom;
	f->labour_codes = v;
	v[f->nlabour_codes] = strdup(s->commune_code);
	if (v[f->nlabour_codes] == NULL)
		goto oom;
	f->nlabour_codes++;
	return 0;
oom:
	log_warn("digest");
	f->oom = 1;
	return 1;
}

struct reminded_walk {
	const struct config *cfg;
	struct figures *f;
};

static int
add_reminded_commune(void *arg, const char *code)
{
	struct reminded_walk *w = arg;
	int c = digest_commune_index(w->cfg, code);

	if (c >= 0 && w->f->nreminded < w->cfg->ncommunes)
		w->f->reminded[w->f->nreminded++] = c;
	return 0;
}

/* The labour force and trained workers of the year: the latest LABOUR
 * report of each commune that sent one. */
static int
gather_labour(struct store *st, struct figures *f)
{
	long labour, trained;
	size_t i;

	for (i = 0; i < f->nlabour_codes; i++) {
		if (store_labour_latest(st, f->labour_codes[i], f->year, 0, &labour, &trained) ==
		    -1)
			return -1;
		f->labour += labour;
		f->trained += trained;
	}
	return 0;
}

static int
gather_silent(const struct config *cfg, struct store *st, struct figures *f)
{
	int64_t at, limit = f->now - (int64_t)cfg->digest.silent_days * DAY;
	char today[16];
	size_t i;
	int r;

	clock_date(f->now, today, sizeof(today));
	for (i = 0; i < cfg->ncommunes; i++) {
		if (!digest_commune_valid(&cfg->communes[i], today))
			continue;
		r = store_last_report(st, cfg->communes[i].code, &at);
		if (r == -1)
			return -1;
		if (r == 0 || at <= limit)
			f->silent[f->nsilent++] = (int)i;
	}
	return 0;
}

static void
figures_free(struct figures *f)
{
	size_t i;

	for (i = 0; i < f->nlabour_codes; i++)
		free(f->labour_codes[i]);
	free(f->labour_codes);
	free(f->silent);
	free(f->reminded);
}

static int
gather(const struct config *cfg, struct store *st, int64_t now, int64_t since, struct figures *f)
{
	struct reminded_walk w = {cfg, f};
	struct tm tm;

	memset(f, 0, sizeof(*f));
	clock_local(now, &tm);
	f->year = tm.tm_year + 1900;
	f->now = now;
	f->since = since;
	f->silent = calloc(cfg->ncommunes + 1, sizeof(*f->silent));
	f->reminded = calloc(cfg->ncommunes + 1, sizeof(*f->reminded));
	if (f->silent == NULL || f->reminded == NULL) {
		log_warn("digest");
		return -1;
	}
	if (store_reports_since(st, since, now, add_new, f) == -1 ||
	    store_sums_foreach(st, f->year, 0, add_year, f) == -1 || f->oom ||
	    gather_labour(st, f) == -1 || gather_silent(cfg, st, f) == -1)
		return -1;
	if (store_reminded_foreach(st, since, now, add_reminded_commune, &w) == -1)
		return -1;
	if (store_inbox_held_count(st, "quarantined", &f->held, &f->held_senders) == -1)
		return -1;
	return 0;
}

/* ---- The digest ------------------------------------------------------- */

/* What the people of a report kind are called. */
static const char *
people(const struct text *t, int kind)
{
	switch (kind) {
	case PARSER_JOB:
		return T(t, "LD", "LĐ");
	case PARSER_NEED:
		return T(t, "nguoi", "người");
	default:
		return "HV";
	}
}

/* "Ban tin 15/03: Moi tu 14/03: DK 3 (85 HV), TN 1 (20 HV), VL 0, ..." */
static void
put_new(struct text *t, const struct config *cfg, const struct figures *f, int level)
{
	struct tm now, since;
	long total = 0;
	int k, first = 1;

	clock_local(f->now, &now);
	clock_local(f->since, &since);
	for (k = 0; k < NKINDS; k++)
		total += f->new_reports[k];
	if (level == FULL)
		text_putf(t, T(t, "Ban tin %02d/%02d: ", "Bản tin %02d/%02d: "), now.tm_mday,
			  now.tm_mon + 1);
	else
		text_putf(t, "%02d/%02d: ", now.tm_mday, now.tm_mon + 1);
	if (total == 0) {
		if (level == FULL)
			text_putf(t,
				  T(t, "khong co bao cao moi tu %02d/%02d.",
				    "không có báo cáo mới từ %02d/%02d."),
				  since.tm_mday, since.tm_mon + 1);
		else
			text_put(t, T(t, "0 bao cao moi.", "0 báo cáo mới."));
		return;
	}
	if (level == FULL)
		text_putf(t, T(t, "moi tu %02d/%02d: ", "mới từ %02d/%02d: "), since.tm_mday,
			  since.tm_mon + 1);
	else
		text_put(t, T(t, "moi: ", "mới: "));
	for (k = 0; k < NKINDS; k++) {
		if (level == TERSE && f->new_reports[k] == 0)
			continue;
		if (!first)
			text_put(t, ", ");
		first = 0;
		text_putf(t, "%s %ld", parser_keyword_form(cfg->parser, (enum parser_kind)k),
			  f->new_reports[k]);
		if (k == PARSER_LABOUR || f->new_reports[k] == 0)
			continue;
		if (level == FULL)
			text_putf(t, " (%ld %s)", f->new_count[k], people(t, k));
		else
			text_putf(t, "/%ld", f->new_count[k]);
	}
	text_put(t, ".");
}

/* " Nam 2022: 350 HV/KH 600-800; viec lam 75%/KH 80%; LD qua DT 45%/KH 60%." */
static void
put_year(struct text *t, const struct config *cfg, const struct figures *f, int level)
{
	const struct config_plan *p = config_plan_for(cfg, f->year);
	char emp[16], lab[16];

	rate(emp, sizeof(emp), f->job, f->grad);
	rate(lab, sizeof(lab), f->trained, f->labour);
	if (p == NULL) /* the figures, with nothing to compare them with */
		text_putf(t,
			  T(t, " Nam %d: %ld HV; viec lam %s; LD qua DT %s (chua co KH).",
			    " Năm %d: %ld HV; việc làm %s; LĐ qua ĐT %s (chưa có KH)."),
			  f->year, f->enrol, emp, lab);
	else if (level == FULL)
		text_putf(t,
			  T(t,
			    " Nam %d: %ld HV/KH %d-%d; viec lam %s/KH %d%%; LD qua DT %s/KH %d%%.",
			    " Năm %d: %ld HV/KH %d-%d; việc làm %s/KH %d%%; LĐ qua ĐT %s/KH %d%%."),
			  f->year, f->enrol, p->trained_min, p->trained_max, emp, p->employed_pct,
			  lab, p->labour_trained_pct);
	else if (level == SHORT)
		text_putf(t,
			  T(t, " %d: %ld HV (KH %d-%d), VL %s (KH %d%%), LD-DT %s (KH %d%%).",
			    " %d: %ld HV (KH %d-%d), VL %s (KH %d%%), LĐ-ĐT %s (KH %d%%)."),
			  f->year, f->enrol, p->trained_min, p->trained_max, emp, p->employed_pct,
			  lab, p->labour_trained_pct);
	else
		text_putf(t,
			  T(t, " %d: %ld HV/%d-%d, VL %s/%d%%, DT %s/%d%%.",
			    " %d: %ld HV/%d-%d, VL %s/%d%%, ĐT %s/%d%%."),
			  f->year, f->enrol, p->trained_min, p->trained_max, emp, p->employed_pct,
			  lab, p->labour_trained_pct);
}

/* " Label (5): A, B +3." with the first k of n names, or " Label: 5 xa."
 * when k is 0. */
static void
put_names(struct text *t, const struct config *cfg, const char *label, const int *v, size_t n,
	  size_t k)
{
	size_t i;

	if (k == 0) {
		text_putf(t, " %s: %zu %s.", label, n, T(t, "xa", "xã"));
		return;
	}
	text_putf(t, " %s (%zu): ", label, n);
	for (i = 0; i < k; i++) {
		if (i > 0)
			text_put(t, ", ");
		text_name(t, cfg->communes[v[i]].name);
	}
	if (k < n)
		text_putf(t, " +%zu", n - k);
	text_put(t, ".");
}

/* The shortest form of a list: nothing when it is empty. */
static size_t
list_min(const struct text *t, const struct config *cfg, const char *label, size_t n)
{
	struct text *s;
	size_t u;

	if (n == 0)
		return 0;
	s = malloc(sizeof(*s));
	if (s == NULL)
		return DIGEST_BUF; /* nothing will fit: the caller shortens */
	text_reset(s, t->dia);
	put_names(s, cfg, label, NULL, n, 0);
	u = text_units(s);
	free(s);
	return u;
}

/* Appends as many names of the list as fit in budget characters. */
static void
put_list(struct text *t, const struct config *cfg, const char *label, const int *v, size_t n,
	 size_t budget)
{
	struct text *s;
	size_t k;

	if (n == 0)
		return;
	s = malloc(sizeof(*s));
	if (s == NULL) {
		log_warn("digest");
		return;
	}
	for (k = n; k > 0; k--) {
		text_reset(s, t->dia);
		put_names(s, cfg, label, v, n, k);
		if (text_units(s) <= budget)
			break;
	}
	if (k == 0) {
		text_reset(s, t->dia);
		put_names(s, cfg, label, v, n, 0);
	}
	text_put(t, s->s);
	free(s);
}

static void
compose(const struct config *cfg, const struct figures *f, struct text *t)
{
	char silent[64];
	const char *reminded;
	size_t max, need, used;
	int level;

	text_reset(t, cfg->digest.diacritics);
	max = t->dia ? DIGEST_UCS2 : DIGEST_GSM;
	reminded = T(t, "Da nhac", "Đã nhắc");
	snprintf(silent, sizeof(silent), T(t, "Chua gui %d ngay", "Chưa gửi %d ngày"),
		 cfg->digest.silent_days);
	for (level = FULL; level < NLEVELS; level++) {
		text_reset(t, t->dia);
		put_new(t, cfg, f, level);
		put_year(t, cfg, f, level);
		if (f->held > 0)
			text_putf(t,
				  T(t, " Cho duyet: %" PRId64 " tin tu %" PRId64 " so la.",
				    " Chờ duyệt: %" PRId64 " tin từ %" PRId64 " số lạ."),
				  f->held, f->held_senders);
		need = text_units(t) + list_min(t, cfg, reminded, f->nreminded) +
		       list_min(t, cfg, silent, f->nsilent);
		if (need <= max)
			break;
	}
	used = text_units(t);
	if (used < max) {
		put_list(t, cfg, reminded, f->reminded, f->nreminded,
			 max - used - list_min(t, cfg, silent, f->nsilent));
		used = text_units(t);
	}
	if (used < max)
		put_list(t, cfg, silent, f->silent, f->nsilent, max - used);
	if (text_units(t) > max)
		text_cut(t, max);
}

static int
compose_since(const struct config *cfg, struct store *st, int64_t now, int64_t since,
	      struct text *t)
{
	struct figures f;
	int rc = -1;

	if (gather(cfg, st, now, since, &f) == 0) {
		compose(cfg, &f, t);
		rc = 0;
	}
	figures_free(&f);
	return rc;
}

int
digest_compose(const struct config *cfg, struct store *st, int64_t now, char *buf, size_t bufsz)
{
	struct text *t;
	int64_t at, slot;
	int rc = -1;

	if (bufsz > 0)
		buf[0] = '\0';
	if (store_digest_last(st, &at, &slot) == -1)
		return -1;
	t = malloc(sizeof(*t));
	if (t == NULL) {
		log_warn("digest");
		return -1;
	}
	if (compose_since(cfg, st, now, at > 0 ? at : first_since(&cfg->digest, now), t) == 0) {
		snprintf(buf, bufsz, "%s", t->s);
		rc = 0;
	}
	free(t);
	return rc;
}

/* ---- Scheduled SMS ---------------------------------------------------- */

/* Queues a scheduled SMS unless the recipient had its share today: 1
 * queued (*id gets its outbox id), 0 held back, -1. */
int
digest_queue(const struct config *cfg, struct store *st, const char *to, const char *reason,
	     const char *text, int64_t now, int64_t *id)
{
	char key[PHONE_MAX], day[16];
	int n;

	/* "0912..." and "+84912..." in the configuration are one phone. */
	phone_canonical(to, key, sizeof(key));

	clock_date(now, day, sizeof(day));
	n = store_scheduled_count(st, key, day);
	if (n == -1)
		return -1;
	if (n >= cfg->scheduled.max_per_day) {
		log_debug("%s to %s held back: %d scheduled SMS today already", reason, to, n);
		return 0;
	}
	if (store_scheduled_add(st, key, key, day, reason, text, now, id) == -1)
		return -1;
	log_info("%s to %s queued (outbox #%" PRId64 ")", reason, to, *id);
	return 1;
}

/* Queues the digest to each of district staff (identity.h). */
struct to_staff {
	const struct config *cfg;
	struct store *st;
	const char *reason, *text;
	int64_t now;
	int n;
};

static int
queue_to(void *arg, const struct identity *id)
{
	struct to_staff *q = arg;
	int64_t oid;
	int r;

	r = digest_queue(q->cfg, q->st, id->number, q->reason, q->text, q->now, &oid);
	if (r == -1)
		return -1;
	q->n += r;
	return 0;
}

static int
send_digest(const struct config *cfg, struct store *st, int64_t now, int64_t slot, int64_t since,
	    struct text *t)
{
	struct to_staff q = {cfg, st, "digest", NULL, now, 0};

	if (compose_since(cfg, st, now, since, t) == -1 || store_begin(st) == -1)
		return -1;
	q.text = t->s;
	if (identity_foreach(cfg, st, IDENTITY_DISTRICT, NULL, queue_to, &q) != 0)
		goto fail;
	if (store_digest_add(st, now, slot, q.n, t->s) == -1 || store_commit(st) == -1)
		goto fail;
	log_info("digest for %d recipient%s: %s", q.n, q.n == 1 ? "" : "s", t->s);
	return q.n;

fail:
	store_rollback(st);
	return -1;
}

static int
any(void *arg, const struct identity *id)
{
	return 1;
}

/* The digest, when a scheduled time passed since the last one, and there
 * is district staff to send it to. */
static int
scheduled_digest(const struct config *cfg, struct store *st, int64_t now)
{
	struct text *t;
	int64_t slot, at, last;
	int n;

	slot = last_slot(&cfg->digest, now);
	if (slot == 0 || store_digest_last(st, &at, &last) == -1)
		return slot == 0 ? 0 : -1;
	if (last >= slot)
		return 0;
	/* A first start sends today's digest, not one of days ago. */
	if (last == 0 && slot < clock_day_start(now))
		return 0;
	/* Only now that one is due: is there anybody to send it to? */
	n = identity_foreach(cfg, st, IDENTITY_DISTRICT, NULL, any, NULL);
	if (n != 1)
		return n;
	t = malloc(sizeof(*t));
	if (t == NULL) {
		log_warn("digest");
		return -1;
	}
	n = send_digest(cfg, st, now, slot, at > 0 ? at : first_since(&cfg->digest, slot), t);
	free(t);
	return n;
}

int
digest_tick(const struct config *cfg, struct store *st, int64_t now)
{
	int n = 0, r;

	if (digest_quiet(cfg, now))
		return 0;
	/* Reminders first: the digest of the same turn lists them. */
	if (cfg->reminders.enabled) {
		r = digest_remind(cfg, st, now);
		if (r == -1)
			return -1;
		n += r;
	}
	r = scheduled_digest(cfg, st, now);
	if (r == -1)
		return -1;
	return n + r;
}

/* ---- Running totals in confirmations ---------------------------------- */

/* "Luy ke 2022 xa Minh Son: 120 HV/KH 150"; without the commune when short.
 * The total is of the kind reported: completions after a GRAD, the employed
 * and their share of the completions after a JOB, the demand after a NEED
 * (v[0] the sum of that kind, v[1] the completions for JOB's rate). */
static void
put_total(struct text *t, const struct config *cfg, int c, int year, int kind, const long *v,
	  int with_name)
{
	text_putf(t, T(t, "Luy ke %d", "Lũy kế %d"), year);
	if (with_name) {
		text_put(t, " ");
		text_commune(t, cfg, c);
	}
	switch (kind) {
	case PARSER_GRAD:
		text_putf(t, T(t, ": %ld HV tot nghiep", ": %ld HV tốt nghiệp"), v[0]);
		break;
	case PARSER_JOB:
		text_putf(t, T(t, ": %ld co viec lam", ": %ld có việc làm"), v[0]);
		if (v[1] > 0)
			text_putf(t, " (%ld%%)", v[0] * 100 / v[1]);
		break;
	case PARSER_NEED:
		text_putf(t, T(t, ": nhu cau %ld nguoi", ": nhu cầu %ld người"), v[0]);
		break;
	default:
		text_putf(t, ": %ld HV", v[0]);
		if (cfg->communes[c].plan_trained > 0)
			text_putf(t, "/KH %d", cfg->communes[c].plan_trained);
		break;
	}
}

/* reply + ". " + total, in t. */
static void
join(struct text *t, const char *reply, const struct text *total)
{
	size_t n = strlen(reply);

	text_reset(t, t->dia);
	text_put(t, reply);
	if (n > 0)
		text_put(t, reply[n - 1] == '.' ? " " : ". ");
	text_put(t, total->s);
}

int
digest_running_total(const struct config *cfg, struct store *st, int commune, int year, char *reply,
		     size_t replysz)
{
	return digest_running_total_of(cfg, st, PARSER_ENROL, commune, year, reply, replysz);
}

int
digest_running_total_of(const struct config *cfg, struct store *st, int kind, int commune, int year,
			char *reply, size_t replysz)
{
	struct text *t = NULL, *total = NULL;
	char head[DIGEST_BUF];
	size_t max;
	long v[2] = {0, 0};
	int rc = -1;

	if (commune < 0 || (size_t)commune >= cfg->ncommunes)
		return -1;
	if (kind != PARSER_GRAD && kind != PARSER_JOB && kind != PARSER_NEED)
		kind = PARSER_ENROL;
	if (store_commune_sum(st, cfg->communes[commune].code, parser_kind_name(kind), year,
			      &v[0]) == -1)
		return -1;
	if (kind == PARSER_JOB &&
	    store_commune_sum(st, cfg->communes[commune].code, "grad", year, &v[1]) == -1)
		return -1;
	t = malloc(sizeof(*t));
	total = malloc(sizeof(*total));
	if (t == NULL || total == NULL) {
		log_warn("running total");
		goto done;
	}
	text_reset(t, cfg->reply_diacritics);
	text_reset(total, t->dia);
	max = t->dia ? SMS_UCS2 : SMS_GSM;
	put_total(total, cfg, commune, year, kind, v, 1);
	join(t, reply, total);
	if (text_units(t) > max) {
		text_reset(total, t->dia);
		put_total(total, cfg, commune, year, kind, v, 0);
		join(t, reply, total);
	}
	if (text_units(t) > max) {
		/* The confirmation (its reference number first) gives way. */
		text_reset(t, t->dia);
		text_put(t, reply);
		text_cut(t, max - 2 - text_units(total));
		snprintf(head, sizeof(head), "%s", t->s);
		join(t, head, total);
	}
	snprintf(reply, replysz, "%s", t->s);
	rc = 0;
done:
	free(t);
	free(total);
	return rc;
}
