/*
 * phone.c - see phone.h.
 */
#include <stdio.h>
#include <string.h>

#include "phone.h"

static int
all_digits(const char *p)
{
	size_t n = strlen(p);

	return n > 0 && strspn(p, "0123456789") == n;
}

/* The national significant number in n (a pointer into n), or NULL when n
 * is no Vietnamese number. */
static const char *
national(const char *n)
{
	const char *p;
	size_t len;

	if (n == NULL)
		return NULL;
	if (n[0] == '+') {
		if (strncmp(n, "+84", 3) != 0 || !all_digits(n + 1))
			return NULL; /* another country, or not a number */
		p = n + 3;
	} else {
		if (!all_digits(n))
			return NULL; /* an operator's or a service's name */
		len = strlen(n);
		if (strncmp(n, "0084", 4) == 0)
			p = n + 4; /* the international prefix dialled */
		else if (strncmp(n, "00", 2) == 0)
			return NULL;
		else if (strncmp(n, "84", 2) == 0 && (len == 11 || len == 12))
			p = n + 2; /* the country code without its "+" */
		else if (n[0] == '0')
			p = n + 1; /* the national form */
		else
			p = n; /* the national number without its "0" */
	}
	len = strlen(p);
	if (len < 9 || len > 10 || p[0] == '0')
		return NULL;
	return p;
}

int
phone_e164(const char *n, char *out, size_t outsz)
{
	const char *p = national(n);

	if (p == NULL || (size_t)snprintf(out, outsz, "+84%s", p) >= outsz)
		return -1;
	return 0;
}

int
phone_national(const char *n, char *out, size_t outsz)
{
	const char *p = national(n);

	if (p == NULL || (size_t)snprintf(out, outsz, "0%s", p) >= outsz)
		return -1;
	return 0;
}

void
phone_canonical(const char *n, char *out, size_t outsz)
{
	if (outsz == 0)
		return;
	if (phone_e164(n, out, outsz) == -1)
		snprintf(out, outsz, "%s", n != NULL ? n : "");
}

int
phone_same(const char *a, const char *b)
{
	char ca[PHONE_MAX], cb[PHONE_MAX];

	if (a == NULL || b == NULL || *a == '\0' || *b == '\0')
		return 0;
	phone_canonical(a, ca, sizeof(ca));
	phone_canonical(b, cb, sizeof(cb));
	return strcmp(ca, cb) == 0;
}

int
phone_replyable(const char *n, const char *own)
{
	const char *p = national(n);
	size_t digits;

	if (p != NULL) {
		/* 1800 and 1900 numbers are toll-free and premium-rate services. */
		if (p[0] == '1')
			return 0;
	} else {
		/* Only a foreign number in international form: a bare string of
		 * digits (a short code, "00..." garbage) is never answered. */
		if (n == NULL || n[0] != '+' || strncmp(n, "+84", 3) == 0 || !all_digits(n + 1))
			return 0;
		digits = strlen(n + 1);
		if (digits < 9 || digits > 15)
			return 0;
	}
	if (own != NULL && *own != '\0' && phone_same(n, own))
		return 0;
	return 1;
}
