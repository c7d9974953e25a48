/*
 * values.c - checks of one value that several groups share: not empty, text
 * a message can match, phone numbers, GSO and trade codes, times, regular
 * expressions, one word of a list.  The checks of one group's values are in
 * its own file.
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "impl.h"
#include "parser.h"

int
check_nonempty(struct loader *l, const config_setting_t *s, const char *v)
{
	if (v[0] != '\0')
		return 0;
	report(l, s, 0, "\"%s\" must not be empty", label(s));
	return -1;
}

/* Short, valid UTF-8: anything that ends up in the parser or in replies. */
int
check_utf8(struct loader *l, const config_setting_t *s, const char *v)
{
	if (check_nonempty(l, s, v) == -1)
		return -1;
	if (strlen(v) > TEXT_MAX) {
		report(l, s, 0, "\"%s\" value is too long (%zu bytes, at most %d)", label(s),
		       strlen(v), TEXT_MAX);
		return -1;
	}
	if (!parser_utf8_valid(v, strlen(v))) {
		report(l, s, 0, "\"%s\" value is not valid UTF-8 (save the file as UTF-8)",
		       label(s));
		return -1;
	}
	return 0;
}

/* Anything matched in messages: its folded form must not be empty. */
int
check_text(struct loader *l, const config_setting_t *s, const char *v)
{
	char folded[FOLD_MAX];

	if (check_utf8(l, s, v) == -1)
		return -1;
	if (parser_fold(v, strlen(v), folded, sizeof(folded), 1) == 0) {
		report(l, s, 0, "\"%s\" value \"%s\" has no letter or digit a message could match",
		       label(s), v);
		return -1;
	}
	return 0;
}

int
check_phone(struct loader *l, const config_setting_t *s, const char *v)
{
	size_t n;

	n = strspn(v + (v[0] == '+'), "0123456789");
	if (v[(v[0] == '+') + n] == '\0' && n >= 3 && n <= 20)
		return 0;
	report(l, s, 0, "\"%s\" must be an optional \"+\" and 3 to 20 digits, not \"%s\"", label(s),
	       v);
	return -1;
}

int
one_of(struct loader *l, const config_setting_t *s, const char *v, const char *const *words,
       const char *wanted)
{
	for (; *words != NULL; words++) {
		if (strcmp(v, *words) == 0)
			return 0;
	}
	report(l, s, 0, "\"%s\" must be %s, not \"%s\"", label(s), wanted, v);
	return -1;
}

int
check_gso(struct loader *l, const config_setting_t *s, const char *v)
{
	if (strlen(v) == 5 && strspn(v, "0123456789") == 5)
		return 0;
	report(l, s, 0, "\"%s\" must be the 5-digit GSO code, not \"%s\"", label(s), v);
	return -1;
}

int
check_code(struct loader *l, const config_setting_t *s, const char *v)
{
	static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				    "0123456789";
	size_t n = strlen(v);

	if (n >= 1 && n <= CODE_MAX && strspn(v, alnum) == n)
		return 0;
	report(l, s, 0, "\"%s\" must be 1 to %d ASCII letters or digits, not \"%s\"", label(s),
	       CODE_MAX, v);
	return -1;
}

/* "HH:MM", 00:00 to 23:59: the minutes after midnight, or -1. */
int
hhmm(const char *v)
{
	int h, m;

	if (strlen(v) != 5 || v[2] != ':' || strspn(v, "0123456789") != 2 ||
	    strspn(v + 3, "0123456789") != 2)
		return -1;
	h = atoi(v);
	m = atoi(v + 3);
	if (h > 23 || m > 59)
		return -1;
	return h * 60 + m;
}

int
check_hhmm(struct loader *l, const config_setting_t *s, const char *v)
{
	if (hhmm(v) != -1)
		return 0;
	report(l, s, 0, "\"%s\" must be a time \"HH:MM\" (00:00 to 23:59), not \"%s\"", label(s),
	       v);
	return -1;
}

int
check_regex(struct loader *l, const config_setting_t *s, const char *v, int flags)
{
	char err[256];
	regex_t re;
	int rc;

	if (check_utf8(l, s, v) == -1)
		return -1;
	rc = regcomp(&re, v, flags);
	if (rc != 0) {
		regerror(rc, &re, err, sizeof(err));
		report(l, s, 0, "\"%s\" \"%s\" is not a POSIX extended regular expression: %s",
		       label(s), v, err);
		return -1;
	}
	regfree(&re);
	return 0;
}
