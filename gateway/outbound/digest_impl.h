/*
 * digest_impl.h - what the digest's files share (digest.c: the texts, the
 * district digest and the running totals; reminders.c: the reminders).
 */
#ifndef TINBAO_DIGEST_IMPL_H
#define TINBAO_DIGEST_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "digest.h"

struct config;
struct config_commune;
struct store;

#define SMS_GSM 160
#define SMS_UCS2 70
#define DAY (24 * 3600)
#define NKINDS 5 /* enrol, grad, job, need, labour: the kinds of reports */
#define NAME_BUF 128

enum { FULL, SHORT, TERSE, NLEVELS };

/* The same text in plain ASCII and with diacritics. */
#define T(t, ascii, utf8) ((t)->dia ? (utf8) : (ascii))

struct text {
	char s[DIGEST_BUF];
	size_t len;
	int dia;
};

/* An SMS text being composed: its units (digest_sms_units()) are what
 * must fit. */
size_t text_units(const struct text *t);
void text_reset(struct text *t, int dia);
void text_put(struct text *t, const char *s);
void text_putf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Cuts t to max units, at a word when it can. */
void text_cut(struct text *t, size_t max);
/* A name in ASCII, or as it is with diacritics. */
void text_name(struct text *t, const char *name);
/* "xa Minh Son", "TT Huu Lung". */
void text_commune(struct text *t, const struct config *cfg, int c);

/* The index of a commune code in the configuration, or -1. */
int digest_commune_index(const struct config *cfg, const char *code);
/* Whether the commune exists on day ("YYYY-MM-DD": merged communes end). */
int digest_commune_valid(const struct config_commune *c, const char *day);
/* Queues a scheduled SMS unless the recipient had its share today: 1
 * queued (*id gets its outbox id), 0 held back, -1. */
int digest_queue(const struct config *cfg, struct store *st, const char *to, const char *reason,
		 const char *text, int64_t now, int64_t *id);
/* The reminders due at now (reminders.c): how many queued, or -1. */
int digest_remind(const struct config *cfg, struct store *st, int64_t now);

#endif
