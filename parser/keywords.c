/*
 * keywords.c - step 2 of parser_parse(): the keyword a part starts with,
 * one or more words ("dk", "tot nghiep") or a typo of them, or the
 * punctuation form ("?") found when the part was cut (words.c); CLASS's
 * second word (OPEN, CLOSE) and HELP's topic.
 */
#include <string.h>

#include "impl.h"
#include "parser.h"

/* The keyword kind of the longest run of tokens from i that is a keyword
 * form, its length in *nw; -1 when none. */
int
keyword_at(const struct parser *p, const struct tok *v, size_t i, size_t end, size_t *nw)
{
	char key[MAX_KEY];
	size_t k, len = 0;
	int kind = -1, x;

	for (k = i; k < end && k < i + PARSER_KEYWORD_WORDS; k++) {
		if (v[k].flags != 0 || len + v[k].len >= sizeof(key))
			break;
		memcpy(key + len, v[k].s, v[k].len);
		len += v[k].len;
		x = table_get(&p->keywords, key, len);
		if (x >= 0) {
			kind = x;
			*nw = k - i + 1;
		}
	}
	return kind;
}

/* The keyword of a part, and in *a where its fields start; -1 when its first
 * word is none (a typo of one is accepted when near is set). */
int
part_keyword(const struct parser *p, const struct msg *m, const struct part *pt, int near,
	     size_t *a)
{
	char key[MAX_KEY];
	size_t n, len;
	int k;

	*a = pt->a;
	if (pt->symbol != -1)
		return pt->symbol;
	if (pt->a == pt->b || (m->w[pt->a].flags & W_CLASS))
		return -1;
	for (n = PARSER_KEYWORD_WORDS; n > 0; n--) {
		if (pt->a + n > pt->b)
			continue;
		len = msg_join(m, pt->a, pt->a + n, key, sizeof(key));
		k = len > 0 ? table_get(&p->keywords, key, len) : -1;
		if (k != -1) {
			*a = pt->a + n;
			return k;
		}
	}
	/* A typo, also in the natural words ("tot ngiep"), never taking a
	 * number in ("nee 5": not NEED). */
	for (n = near ? PARSER_KEYWORD_WORDS : 0; n > 0; n--) {
		if (pt->a + n > pt->b)
			continue;
		len = msg_join(m, pt->a, pt->a + n, key, sizeof(key));
		k = len > 0 && (n == 1 || strpbrk(key, "0123456789") == NULL)
			? keyword_near(p, key, len)
			: -1;
		if (k != -1) {
			*a = pt->a + n;
			return k;
		}
	}
	return -1;
}

/* CLASS's second word: OPEN or MO, CLOSE or DONG (OPEN and CLOSE also with
 * one typo); the kind, or -1. */
static int
action(const struct msg *m, size_t i, size_t b)
{
	static const struct {
		const char *word;
		int kind;
	} words[] = {
	    {"open", PARSER_CLASS_OPEN},
	    {"mo", PARSER_CLASS_OPEN},
	    {"close", PARSER_CLASS_CLOSE},
	    {"dong", PARSER_CLASS_CLOSE},
	};
	size_t k, len;
	int kind = -1;

	if (i >= b || (m->w[i].flags & W_CLASS))
		return -1;
	len = m->w[i].len;
	for (k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
		if (strlen(words[k].word) == len && memcmp(words[k].word, wtext(m, i), len) == 0)
			return words[k].kind;
	}
	for (k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
		if (strlen(words[k].word) < FUZZY_MIN_KEY || len < FUZZY_MIN_KEY ||
		    fuzzy_distance(wtext(m, i), len, words[k].word, strlen(words[k].word), 1) > 1)
			continue;
		if (kind != -1)
			return -1;
		kind = words[k].kind;
	}
	return kind;
}

/* HELP [keyword]: anything else after it is no error, only no topic. */
int
read_help(const struct parser *p, const struct msg *m, size_t a, size_t b,
	  struct parser_result *res)
{
	struct parser_item *it = &res->items[0];
	int k = -1;

	if (a < b && !(m->w[a].flags & W_CLASS)) {
		k = table_get(&p->keywords, wtext(m, a), m->w[a].len);
		if (k == -1)
			k = keyword_near(p, wtext(m, a), m->w[a].len);
	}
	it->kind = PARSER_HELP;
	it->topic = k;
	res->kind = PARSER_HELP;
	res->nitems = 1;
	res->error = PARSER_OK;
	return 0;
}

/* The kind of a part whose keyword (or the one it takes from the part
 * before) is k, with CLASS's second word read: *a moves past it. */
int
part_kind(const struct msg *m, const struct part *pt, int k, int inherited, size_t *a,
	  struct parser_result *res)
{
	if (k != PARSER_KEYWORD_CLASS || inherited)
		return k;
	k = action(m, *a, pt->b);
	if (k == -1) {
		res->kind = PARSER_CLASS_OPEN;
		set_bad(res, m, *a, *a < pt->b ? *a + 1 : *a);
		fail(res, PARSER_UNKNOWN_ACTION);
		return -1;
	}
	(*a)++;
	return k;
}
