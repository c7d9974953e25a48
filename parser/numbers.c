/*
 * numbers.c - numbers and dates as officers type them: dates ("12/6",
 * "12/6/2022"), a count with a filler glued after it ("35hv"), GSO commune
 * codes ("06999"), and what stands where a count does and is never a name
 * ("-5", "3.5", "3o").  Numbers in words ("ba muoi lam") are rewritten as
 * digits before (rewrite.c).
 */
#include <string.h>

#include "impl.h"
#include "parser.h"

#define MAX_DIGITS 9 /* longest number: fits a 32-bit long */

/* The numbers of s[0..n) separated by sep: how many (at most 3) to v. */
static size_t
numbers(const char *s, size_t n, char sep, long *v)
{
	size_t i = 0, k = 0, d;

	while (k < 3) {
		v[k] = 0;
		for (d = 0; i < n && digit(s[i]) && d < 5; i++, d++)
			v[k] = v[k] * 10 + (s[i] - '0');
		if (d == 0 || d == 5)
			return 0;
		k++;
		if (i == n)
			return k;
		if (s[i] != sep)
			return 0;
		i++;
	}
	return 0;
}

/* Whether s[0..n) is a date: day/month or day/month/year (2 or 4 digits),
 * also with '-' or '.' when the year is there. */
int
date_word(const char *s, size_t n)
{
	static const char seps[] = "/-.";
	long v[3];
	size_t k, i;

	for (i = 0; i < sizeof(seps) - 1; i++) {
		k = numbers(s, n, seps[i], v);
		if (k < 2 || (k == 2 && seps[i] != '/'))
			continue;
		if (v[0] < 1 || v[0] > 31 || v[1] < 1 || v[1] > 12)
			return 0;
		return k == 2 || (v[2] >= 0 && v[2] < 100) || (v[2] >= 2000 && v[2] <= 2099);
	}
	return 0;
}

void
set_date(const struct msg *m, const struct seg *x, struct parser_item *it)
{
	const char *s = wtext(m, x->a);
	size_t len = m->w[x->a].len;
	long v[3];
	size_t n, k = 0;

	while (k < len && digit(s[k]))
		k++;
	n = k < len ? numbers(s, len, s[k], v) : 0;
	if (n < 2)
		return; /* cannot be: date_word() took it */
	it->day = (int)v[0];
	it->month = (int)v[1];
	it->year = n == 3 ? (int)(v[2] < 100 ? 2000 + v[2] : v[2]) : 0;
}

/* A count, or what stands where one does and must never be read as a
 * name: a sign or a decimal part ("-5", "3.5"), a letter for a digit ("3o",
 * "l5"). */
int
word_numeric(const struct msg *m, size_t i)
{
	const char *s = wtext(m, i);
	size_t k, len = m->w[i].len;
	int digits = 0;

	if (digit(s[0]) || (s[0] == '-' && len > 1))
		return 1;
	for (k = 0; k < len; k++) {
		if (digit(s[k]))
			digits = 1;
		else if (s[k] != 'o' && s[k] != 'l' && s[k] != 'i')
			return 0;
	}
	return digits;
}

/* Word x as a number from min to max: 0, or -1 when it is not one (too many
 * digits, out of range, letters after the digits other than a filler word
 * when suffix is set: "35hv"). */
int
word_number(const struct parser *p, const struct msg *m, size_t x, int suffix, long min, long max,
	    long *v)
{
	const char *s = wtext(m, x);
	size_t k, len = m->w[x].len;
	long n = 0;

	for (k = 0; k < len && digit(s[k]); k++) {
		if (k == MAX_DIGITS)
			return -1;
		n = n * 10 + (s[k] - '0');
	}
	if (k == 0 || (k < len && !(suffix && filler_word(p, s + k, len - k))))
		return -1;
	if (n < min || n > max)
		return -1;
	*v = n;
	return 0;
}

/* Five digits starting with 0, as GSO codes are ("06999", "06448a"). */
int
code_shaped(const struct msg *m, size_t x)
{
	const char *s = wtext(m, x);
	size_t k, len = m->w[x].len;

	if (len < 5 || s[0] != '0')
		return 0;
	for (k = 0; k < 5; k++) {
		if (!digit(s[k]))
			return 0;
	}
	return len == 5 || !digit(s[5]);
}
