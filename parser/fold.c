/*
 * fold.c - folding Vietnamese text for matching, and plain-ASCII copies for
 * replies.
 *
 * Phones send Vietnamese in every form: precomposed ("ơ" U+01A1, "ệ"
 * U+1EC7), decomposed ("o" + U+031B, from some keyboards), or without
 * diacritics at all, often in upper case.  Folding maps all of them to the
 * same lower-case ASCII word so that one lookup finds a name however it was
 * typed.  Bytes that are not UTF-8 (a truncated concatenated SMS, a bad
 * conversion upstream) must never stop that: they are only separators.
 */
#include <stddef.h>
#include <string.h>

#include "parser.h"

#define MARK (-1) /* a combining mark: dropped, joins the letters around it */

/*
 * The ASCII letter under each precomposed letter, with its case, for the
 * two ranges Vietnamese uses: U+00C0..U+01B0 (Latin-1 and Latin Extended-A,
 * up to ư) and U+1EA0..U+1EF9 (Latin Extended Additional, Vietnamese part).
 * '-' marks what is not a letter with a plain base (×, ÷, Æ, ß, ...).
 * Generated from the Unicode decompositions, plus đ, ø, ł, ı, ħ, ŧ.
 */
static const char latin[] = "AAAAAA-CEEEEIIII-NOOOOO-OUUUUY--aaaaaa-ceeeeiiii-nooooo-ouuuuy-y"
			    "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIi--JjKk-LlLlLl-"
			    "-LlNnNnNn---OoOoOo--RrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZz-"
			    "--------------------------------Oo-------------Uu";
static const char vietnamese[] = "AaAaAaAaAaAaAaAaAaAaAaAaEeEeEeEeEeEeEeEeIiIiOoOoOoOoOoOoOoOoOoOo"
				 "OoOoUuUuUuUuUuUuUuYyYyYyYy";

_Static_assert(sizeof(latin) - 1 == 0x1b0 - 0xc0 + 1, "latin table size");
_Static_assert(sizeof(vietnamese) - 1 == 0x1ef9 - 0x1ea0 + 1, "vietnamese table size");

/*
 * Decodes the UTF-8 sequence at s[0..len).  Returns its length and sets *cp,
 * or returns 0 when s[0] does not start a well-formed sequence (stray
 * continuation byte, truncated sequence, overlong form, surrogate, past
 * U+10FFFF); the caller then skips that one byte.
 */
static size_t
decode(const unsigned char *s, size_t len, unsigned long *cp)
{
	static const unsigned long min[] = {0, 0, 0x80, 0x800, 0x10000};
	unsigned long c;
	size_t n, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* The ASCII letter with its case under a non-ASCII code point, MARK for a
 * combining mark, 0 when there is none. */
static int
base(unsigned long cp)
{
	int c = '-';

	if (cp >= 0x300 && cp <= 0x36f)
		return MARK;
	if (cp >= 0xc0 && cp <= 0x1b0)
		c = latin[cp - 0xc0];
	else if (cp >= 0x1ea0 && cp <= 0x1ef9)
		c = vietnamese[cp - 0x1ea0];
	return c == '-' ? 0 : c;
}

/* The folded form of one ASCII byte: a lower-case letter or digit, or 0. */
static int
foldascii(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 'a';
	if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return c;
	return 0;
}

size_t
parser_fold(const char *in, size_t len, char *out, size_t outsz, int nospace)
{
	const unsigned char *s = (const unsigned char *)in;
	unsigned long cp;
	size_t i = 0, o = 0, n;
	int c, gap = 0;

	if (out == NULL || outsz == 0)
		return 0;
	while (in != NULL && i < len) {
		n = decode(s + i, len - i, &cp);
		if (n == 0) {
			n = 1;
			cp = '?'; /* not UTF-8: a separator */
		}
		i += n;
		c = cp < 0x80 ? (int)cp : base(cp);
		if (c == MARK)
			continue;
		c = foldascii(c);
		if (c == 0) {
			gap = 1;
			continue;
		}
		/* Spaces are written only between two words, so that nothing
		 * leads, trails or doubles, even when out fills up. */
		if (gap && o > 0 && !nospace) {
			if (o + 2 >= outsz)
				break;
			out[o++] = ' ';
		}
		gap = 0;
		if (o + 1 >= outsz)
			break;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return o;
}

/* One byte of reply text for one input code point ('?' when none), or 0 when
 * it is dropped. */
static int
ascii(unsigned long cp)
{
	int c;

	if (cp < 0x20 || cp == 0x7f)
		return ' ';
	if (cp == '`')
		return '\''; /* not in the GSM 7-bit alphabet */
	if (cp < 0x80)
		return (int)cp;
	c = base(cp);
	if (c == MARK)
		return 0;
	return c != 0 ? c : '?';
}

size_t
parser_ascii(const char *in, char *out, size_t outsz)
{
	const unsigned char *s = (const unsigned char *)in;
	unsigned long cp;
	size_t i = 0, o = 0, n, len;
	int c;

	if (out == NULL || outsz == 0)
		return 0;
	len = in != NULL ? strlen(in) : 0;
	while (i < len && o + 1 < outsz) {
		n = decode(s + i, len - i, &cp);
		if (n == 0) {
			n = 1;
			cp = 0xfffd; /* not UTF-8: shown as '?' */
		}
		i += n;
		c = ascii(cp);
		if (c != 0)
			out[o++] = (char)c;
	}
	out[o] = '\0';
	return o;
}

int
parser_utf8_valid(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned long cp;
	size_t i = 0, n;

	if (s == NULL)
		return len == 0;
	while (i < len) {
		n = decode(u + i, len - i, &cp);
		if (n == 0)
			return 0;
		i += n;
	}
	return 1;
}
