/*
 * impl.h - the parser's private structures, shared by the files of the
 * module: parser.c builds the lookup tables, and the others read messages
 * with them, one step of parser_parse() each (grammar.c describes the
 * steps): words.c cuts a message into parts and words, rewrite.c puts each
 * part in the order the grammar reads (glued words cut, numbers in words as
 * digits, courtesy dropped, the keyword first), keywords.c finds a part's
 * keyword, names.c its segments (names, numbers, codes, dates), fields.c a
 * report item's fields; numbers.c reads numbers and dates for them.
 * Nothing outside parser/ includes this.
 *
 * Every name, alias, code and keyword form is stored folded and without
 * spaces ("Minh Sơn" -> "minhson") in a hash table per class (communes,
 * trades, keywords), so that an exact match costs one hash whatever the size
 * of the gazetteer.  parser_prepare() adds what is needed when there is no
 * exact match: a sorted array of names and codes for prefixes ("minh" starts
 * three communes) and a typo index (fuzzy.h) of names, aliases and codes.
 */
#ifndef TINBAO_PARSER_IMPL_H
#define TINBAO_PARSER_IMPL_H

#include <limits.h>
#include <regex.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzzy.h"
#include "parser.h"

#define MAX_FORM 255   /* longest code, name, alias, keyword or filler, in bytes */
#define MAX_SYMBOLS 8  /* punctuation-only keyword forms ("?") */
#define MAX_SYMBOL 8   /* ... and their length */
#define MAX_DISPLAY 15 /* longest keyword form shown in replies */

/* The largest number a message may give: LABOUR's figures, and the most
 * max_count may be. */
#define MAX_LABOUR 999999999L

struct slot {
	char *key; /* folded, space-less, owned; NULL when the slot is free */
	size_t len;
	uint32_t hash;
	int id;
};

/* Open addressing with linear probing, kept at most half full. */
struct table {
	struct slot *slots;
	size_t cap; /* 0 or a power of two */
	size_t n;
	size_t maxlen; /* longest key: longer text cannot match */
};

/* One entry of the prefix index. */
struct prefix {
	const char *form; /* a unit's fname or fcode */
	int id;
};

struct unit {
	char *code;
	char *name;
	char *fcode; /* folded, space-less: what prefix search looks at */
	char *fname;
	char type[3]; /* communes: "xa" or "tt"; trades: "" */
	/* What longer starts (START_MIN letters or more) are also looked up
	 * in: the aliases, and for trades the name without its first words
	 * ("nuoitraubo" of "Chăn nuôi trâu, bò"); folded, space-less, owned. */
	char **starts;
	size_t nstarts;
};

#define START_MIN 5

struct units {
	struct unit *v;
	size_t n, cap;
	struct table forms;   /* folded codes, names and aliases -> index */
	struct prefix *index; /* names and codes, sorted; NULL until prepared */
	size_t nindex;
	struct prefix *sindex; /* the units' starts, sorted; NULL until prepared */
	size_t nsindex;
	int suffixes;	     /* names without their first words are starts too */
	struct fuzzy *typos; /* names, aliases and letter codes */
};

struct symbol {
	char form[MAX_SYMBOL + 1];
	size_t len;
	int kind;
};

struct filler {
	char *text; /* folded, words separated by one space */
	size_t len;
	size_t nwords;
};

struct parser {
	struct units communes;
	struct units trades;
	struct table keywords; /* folded word forms -> keyword kind */
	struct symbol symbols[MAX_SYMBOLS];
	size_t nsymbols;
	struct filler *fillers;
	size_t nfillers;
	struct filler *courtesy; /* skipped around a report: "cam on", "bao cao" */
	size_t ncourtesy;
	long max_count;
	char display[PARSER_NKEYWORDS][MAX_DISPLAY + 1]; /* "" until a word form is added */
	regex_t class_re;
	int has_class_re;
	int example_ok; /* the class code replies show as an example matches */
};

/* The example class code of replies and documentation. */
#define CLASS_EXAMPLE "HL22-05"

/* The id key[0..len) names in t, or -1. */
int table_get(const struct table *t, const char *key, size_t len);
/* Units whose folded name or code starts with key[0..len), or one of their
 * starts when key has START_MIN letters or more: the smallest
 * PARSER_MAX_CANDIDATES indexes go to c, ascending; returns how many went. */
size_t units_prefix(const struct units *u, const char *key, size_t len, int *c);
/* Units with a form of 2 or 3 letters one edit from key[0..len) ("hna",
 * "nhan": han), too short to be accepted as typos but worth suggesting:
 * the smallest PARSER_MAX_CANDIDATES indexes go to c, ascending; returns
 * how many there are.  Of several, the one form as long as the key (a
 * swapped or replaced letter) is the one. */
size_t units_short_near(const struct units *u, const char *key, size_t len, int *c);
/* The keyword kind of a word within typing distance of exactly one kind's
 * forms, or -1 (fuzzy.h's rules). */
int keyword_near(const struct parser *p, const char *w, size_t len);

/* Reading a message ---------------------------------------------------------
 *
 * Nothing here allocates: a message and its words live in a struct msg on
 * the caller's stack.
 */

#define MAX_WORDS (PARSER_MAX_TEXT / 2 + 2)
#define MAX_SEGS 32	       /* segments of one part (a report has at most 5) */
#define WINDOW 12	       /* words of names looked at together for typos */
#define MAX_KEY (MAX_FORM + 1) /* joined words looked up */

_Static_assert(PARSER_MAX_TEXT <= USHRT_MAX, "word offsets are 16 bits");

#define W_CLASS 1 /* a class code as typed, in lower case */
#define W_DATE 2  /* a date as typed: "12/6", "12/6/2022" */

struct word {
	unsigned short off;
	unsigned short len;
	unsigned char flags;
};

struct part {
	size_t a, b; /* its words */
	int symbol;  /* the keyword of a punctuation form at its start, or -1 */
};

struct msg {
	char text[PARSER_MAX_TEXT + 1]; /* the words, separated by one space */
	size_t len;
	struct word w[MAX_WORDS];
	size_t n;
	struct part parts[PARSER_MAX_ITEMS + 1];
	size_t nparts;
	int toomany; /* there were more parts than that */
	int commas;  /* parts begun at a comma; 2 when one has a keyword */
};

struct tok {
	const char *s;
	size_t len;
	int flags;
};

struct toks {
	struct tok v[MAX_WORDS];
	size_t n;
	char pool[PARSER_MAX_TEXT]; /* numbers written out as digits */
	size_t npool;
};

enum seg_type { S_UNIT, S_NUM, S_CLASS, S_UNKNOWN, S_DATE };

struct seg {
	unsigned char type;
	unsigned char exact; /* S_UNIT: an exact form */
	unsigned short a, b; /* its words */
	int commune, trade;  /* S_UNIT: the unit of each class it names, or -1 */
	int nc, nt;	     /* S_UNIT: how many units of each class it may name */
};

struct segs {
	struct seg v[MAX_SEGS];
	size_t n;
	size_t more;	/* the first word left out for want of room, or SIZE_MAX */
	size_t windows; /* typo searches done */
};

static inline int
digit(int c)
{
	return c >= '0' && c <= '9';
}

static inline int
letter(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline const char *
wtext(const struct msg *m, size_t i)
{
	return m->text + m->w[i].off;
}

/* Words [a, b) joined without spaces into key; 0 when they do not fit. */
static inline size_t
msg_join(const struct msg *m, size_t a, size_t b, char *key, size_t size)
{
	size_t i, n = 0;

	for (i = a; i < b; i++) {
		if (n + m->w[i].len >= size)
			return 0;
		memcpy(key + n, wtext(m, i), m->w[i].len);
		n += m->w[i].len;
	}
	key[n] = '\0';
	return n;
}

static inline int
fail(struct parser_result *res, enum parser_error err)
{
	res->error = err;
	return -1;
}

/* words.c: the parts and words of raw[0..len) to m (step 1).  Reading stops
 * once there are too many parts to take.  With commas set, a comma followed
 * by a keyword or a number ends a part too. */
void msg_split(const struct parser *p, const char *raw, size_t len, int commas, struct msg *m);
/* Appends s[0..len), already a word, to the text of m. */
void msg_add_word(struct msg *m, const char *s, size_t len, int flags);

/* rewrite.c: m rewritten into out, each part in the order the grammar reads
 * (step 1b); t is room to work in. */
void msg_normalise(const struct parser *p, const struct msg *m, struct msg *out, struct toks *t);
/* Whether s[0..len) is one filler word, written with or without its spaces
 * ("hv", "hocvien"); *f gets it. */
int glued_filler(const struct parser *p, const char *s, size_t len, const struct filler **f);

/* numbers.c: whether s[0..n) is a date: day/month or day/month/year. */
int date_word(const char *s, size_t n);
/* The day, month and year of date word x to it. */
void set_date(const struct msg *m, const struct seg *x, struct parser_item *it);
/* Whether word i is a count, or stands where one does and must never be
 * read as a name ("-5", "3.5", "3o"). */
int word_numeric(const struct msg *m, size_t i);
/* Word x as a number from min to max to *v: 0, or -1 when it is not one;
 * with suffix set a filler word may follow the digits ("35hv"). */
int word_number(const struct parser *p, const struct msg *m, size_t x, int suffix, long min,
		long max, long *v);
/* Whether word x is five digits starting with 0, as GSO codes are. */
int code_shaped(const struct msg *m, size_t x);

/* keywords.c: the keyword kind of the longest run of tokens from i (before
 * end) that is a keyword form, its length in *nw; -1 when none. */
int keyword_at(const struct parser *p, const struct tok *v, size_t i, size_t end, size_t *nw);
/* The keyword of part pt, and in *a where its fields start; -1 when there
 * is none (a typo of one is accepted when near is set). */
int part_keyword(const struct parser *p, const struct msg *m, const struct part *pt, int near,
		 size_t *a);
/* The kind of part pt whose keyword is k (inherited: taken from the part
 * before), CLASS's second word read: *a moves past it.  -1, res telling
 * why, when that word is none. */
int part_kind(const struct msg *m, const struct part *pt, int k, int inherited, size_t *a,
	      struct parser_result *res);
/* res gets HELP with the topic of words [a, b); 0. */
int read_help(const struct parser *p, const struct msg *m, size_t a, size_t b,
	      struct parser_result *res);

/* names.c: the units of u that key[0..len) could mean without being one of
 * their forms (prefixes and typos): the smallest PARSER_MAX_CANDIDATES go to
 * c; returns how many there are in all. */
size_t near_units(const struct units *u, const char *key, size_t len, int *c);
/* Whether a single-word filler is s[0..len). */
int filler_word(const struct parser *p, const char *s, size_t len);
/* The segments of words [a, b) to s (step 3). */
void msg_segment(const struct parser *p, const struct msg *m, size_t a, size_t b, struct segs *s);

/* fields.c: the fields of kind in words [a, b) go to it, or res gets the
 * error (step 4); commune: the one a part without its own takes, or -1.
 * 0 or -1. */
int part_fields(const struct parser *p, const struct msg *m, int kind, size_t a, size_t b,
		int commune, struct parser_item *it, struct parser_result *res);
/* res->bad gets words [a, b) of m, cut after a whole word if they don't
 * fit. */
void set_bad(struct parser_result *res, const struct msg *m, size_t a, size_t b);

#endif
