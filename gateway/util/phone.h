/*
 * phone.h - phone numbers: the one place that knows how a Vietnamese number
 * can be written.
 *
 * "+84912000001", "84912000001", "0912000001", "0084912000001" and
 * "912000001" are one phone.  Every sender is turned into its E.164 form
 * ("+84912000001") once, when its SMS is stored, and only that form is kept
 * and compared afterwards (inbox, reports, outbox, the registry...).
 * Anything that is not a Vietnamese number written in one of those ways (an
 * operator's name, a short code, a foreign number, a garbled "00..." string)
 * is kept exactly as the network gave it.
 */
#ifndef TINBAO_PHONE_H
#define TINBAO_PHONE_H

#include <stddef.h>

#define PHONE_MAX 64 /* a sender as the network gives it, with its NUL */

/* Writes the stored form of n to out: "+84" and the national significant
 * number (9 or 10 digits, not starting with 0) when n is a Vietnamese number
 * in any of its forms, else n unchanged (cut to outsz). */
void phone_canonical(const char *n, char *out, size_t outsz);
/* Writes the E.164 form of n to out (at least 16 bytes).  0, or -1 when n is
 * not a Vietnamese number (nothing written). */
int phone_e164(const char *n, char *out, size_t outsz);
/* Writes the national form ("0912000001") of a Vietnamese number.  0 or -1. */
int phone_national(const char *n, char *out, size_t outsz);
/* 1 when a and b are the same phone, however each is written; 0 otherwise
 * (and when either is empty). */
int phone_same(const char *a, const char *b);
/* 1 when a reply may go to n: a Vietnamese subscriber number (not a
 * premium-rate or toll-free 1800/1900 number) or a foreign number in
 * international form; never an operator's name, a short code, a "00..."
 * string that is no Vietnamese number, nor own (the gateway's number, or
 * NULL). */
int phone_replyable(const char *n, const char *own);

#endif
