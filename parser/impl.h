/*
 * impl.h - the parser's private structures, shared by the files of the
 * module: parser.c builds the lookup tables, grammar.c reads messages with
 * them.  Nothing outside parser/ includes this.
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

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzzy.h"
#include "parser.h"

#define MAX_FORM 255   /* longest code, name, alias, keyword or filler, in bytes */
#define MAX_SYMBOLS 8  /* punctuation-only keyword forms ("?") */
#define MAX_SYMBOL 8   /* ... and their length */
#define MAX_DISPLAY 15 /* longest keyword form shown in replies */

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

#endif
