/*
 * parser.h - the SMS report grammar of tinbao.
 *
 * Pure module: no I/O, no SQLite, no gammu, no global state.  A parser is
 * built once from the configuration (communes, trades, keyword forms, filler
 * words, the count maximum) and is then read-only: parser_parse() may be
 * called on it from anywhere.
 *
 * Input is the UTF-8 text of one SMS.  Matching happens on a "folded" copy:
 * lowercase ASCII, Vietnamese diacritics removed (precomposed and combining
 * forms, d-stroke -> d), punctuation turned into spaces, whitespace collapsed.
 * The raw text is never modified; the caller stores it as it came.
 *
 * Grammar (first version):
 *   ENROL  commune count trade     learners enrolled in a short course
 *   GRAD   commune count trade     learners who completed
 *   JOB    commune count trade     trained workers employed afterwards
 *   NEED   commune count trade     training demand surveyed
 *   LABOUR commune total trained   labour force and how many are trained
 *   STATUS [commune]               ask for totals
 *   HELP   [keyword]               ask for the syntax
 * Keyword forms are configured (parser_add_keyword); a commune may be
 * preceded by "xa"/"thi tran"/"tt"; names, aliases and codes match on the
 * folded, space-less form.
 */
#ifndef TINBAO_PARSER_H
#define TINBAO_PARSER_H

#include <stddef.h>

enum parser_kind {
	PARSER_ENROL,
	PARSER_GRAD,
	PARSER_JOB,
	PARSER_NEED,
	PARSER_LABOUR,
	PARSER_STATUS,
	PARSER_HELP,
	PARSER_NKINDS
};

enum parser_error {
	PARSER_OK = 0,
	PARSER_EMPTY,
	PARSER_UNKNOWN_KEYWORD,
	PARSER_MISSING_COMMUNE,
	PARSER_UNKNOWN_COMMUNE,
	PARSER_AMBIGUOUS_COMMUNE,
	PARSER_MISSING_COUNT,
	PARSER_BAD_COUNT,
	PARSER_MISSING_TRADE,
	PARSER_UNKNOWN_TRADE,
	PARSER_AMBIGUOUS_TRADE,
	PARSER_NERRORS
};

#define PARSER_MAX_ITEMS 8
#define PARSER_MAX_CANDIDATES 8
#define PARSER_MAX_TEXT 2048 /* longer input is cut here (16 parts of SMS) */
#define PARSER_DEFAULT_MAX_COUNT 500

struct parser_item {
	enum parser_kind kind;
	int commune;  /* index, or -1 (STATUS without commune, HELP) */
	int trade;    /* index, or -1 (LABOUR, STATUS, HELP) */
	long count;   /* learners; labour force for LABOUR; 0 when none */
	long trained; /* LABOUR only: trained workers */
	int topic;    /* HELP only: enum parser_kind asked about, or -1 */
};

struct parser_result {
	enum parser_error error; /* PARSER_OK when the message parsed */
	int kind;		 /* keyword recognised, or -1 */
	size_t nitems;
	struct parser_item items[PARSER_MAX_ITEMS];
	/* Ambiguous commune or trade: indexes of the candidates. */
	size_t ncandidates;
	int candidates[PARSER_MAX_CANDIDATES];
	/* The folded word(s) the error is about ("minh sonn"), or "". */
	char bad[64];
};

struct parser;

/* Construction.  Every add function returns the new entry's index (or 0 for
 * keywords and fillers) and -1 on failure (out of memory, empty or over-long
 * text, a folded form that already names something else of the same class). */
struct parser *parser_new(void);
void parser_free(struct parser *p); /* accepts NULL */
/* A commune: code (GSO, "06448"), type ("xa" or "tt", any case or with
 * diacritics) and UTF-8 name.  Name and code both match in messages.  Returns
 * the commune's index: 0 for the first, then 1, 2, ... */
int parser_add_commune(struct parser *p, const char *code, const char *type, const char *name);
/* Another form the commune answers to (a former name, another spelling).
 * Returns the commune's index; a form the commune already has is accepted. */
int parser_add_commune_alias(struct parser *p, int commune, const char *alias);
/* A trade: its code (matched like an alias) and UTF-8 name; returns its index. */
int parser_add_trade(struct parser *p, const char *code, const char *name);
int parser_add_trade_alias(struct parser *p, int trade, const char *alias); /* as above */
/* A word that may start a message of that kind ("DK" for PARSER_ENROL).  A
 * form that folds to nothing ("?") is compared as written, at the start of
 * the message.  A form must be one word; one form belongs to one kind. */
int parser_add_keyword(struct parser *p, enum parser_kind kind, const char *form);
/* Word(s) skipped before a commune name ("xa", "thi tran"). */
int parser_add_filler(struct parser *p, const char *word);
/* Largest count accepted in an ENROL/GRAD/JOB/NEED report (default
 * PARSER_DEFAULT_MAX_COUNT); values below 1 are ignored. */
void parser_set_max_count(struct parser *p, long max);
/* Builds the lookup tables; call after the last add and before parsing.
 * (An unprepared parser still parses correctly, only slower on errors.) */
int parser_prepare(struct parser *p);

/* Parses one SMS.  Returns 0 when it was understood (res->error ==
 * PARSER_OK, res->nitems >= 1) and -1 otherwise (res->error says why,
 * res->nitems is 0).  res is always fully set: unused indexes are -1.
 * Text past PARSER_MAX_TEXT bytes is ignored.  A dot between digits that
 * groups thousands is dropped, as Vietnamese write them ("3.200" = 3200).
 * Ambiguous names list at most PARSER_MAX_CANDIDATES candidates, the first
 * ones in the order they were added. */
int parser_parse(const struct parser *p, const char *text, size_t len, struct parser_result *res);

/* Accessors for what the indexes in a result refer to.  An index out of
 * range gives NULL. */
size_t parser_ncommunes(const struct parser *p);
size_t parser_ntrades(const struct parser *p);
const char *parser_commune_code(const struct parser *p, int commune);
const char *parser_commune_type(const struct parser *p, int commune); /* "xa" or "tt" */
const char *parser_commune_name(const struct parser *p, int commune); /* UTF-8 */
const char *parser_trade_code(const struct parser *p, int trade);
const char *parser_trade_name(const struct parser *p, int trade); /* UTF-8 */
long parser_max_count(const struct parser *p);
/* The keyword form replies show for a kind: the shortest word form
 * configured, in upper case ("DK"), or the kind's name ("ENROL") when none. */
const char *parser_keyword_form(const struct parser *p, enum parser_kind kind);

/* Stable lower-case names, e.g. for storage and logs; "unknown" when out of
 * range. */
const char *parser_kind_name(enum parser_kind kind);  /* "enrol", "labour", ... */
const char *parser_error_name(enum parser_error err); /* "unknown_commune", ... */

/* Folding.  Writes the folded form of in[0..len) to out (always NUL-
 * terminated when outsz > 0) and returns its length.  With nospace set,
 * spaces are dropped too ("Minh Sơn" -> "minhson").  Combining marks
 * (U+0300..U+036F) are dropped; other characters that are not letters or
 * digits, and bytes that are not UTF-8, separate words.  Output that does not
 * fit is cut at a character, never leaving a trailing space. */
size_t parser_fold(const char *in, size_t len, char *out, size_t outsz, int nospace);
/* Removes diacritics but keeps case and punctuation ("Hàn điện" -> "Han
 * dien"); the output is plain ASCII, safe for the GSM 7-bit alphabet:
 * control characters become spaces, '`' becomes '\'', and what cannot be
 * mapped (other scripts, bytes that are not UTF-8) becomes '?'.  in is NUL-
 * terminated; out as for parser_fold(). */
size_t parser_ascii(const char *in, char *out, size_t outsz);
/* Whether s[0..len) is well-formed UTF-8 (no overlong forms, surrogates or
 * code points past U+10FFFF): 1 or 0. */
int parser_utf8_valid(const char *s, size_t len);

/*
 * Replies.  parser_reply() writes the SMS answer to a parsed message into
 * buf (NUL-terminated) and returns its length.  ref is the reference number
 * of the first stored report, or 0 when nothing was stored (the `parse`
 * command).  With diacritics == 0 the reply is plain ASCII of at most 160
 * characters (one GSM 7-bit SMS); otherwise UTF-8 of at most 70 characters.
 * Confirmations name kind, commune, trade and count as understood; errors say
 * what was wrong, list the candidates when ambiguous, and give an example.
 * STATUS answers are composed by the caller (they need stored totals); for a
 * STATUS result this writes a placeholder saying no totals are available.
 */
#define PARSER_REPLY_MAX 480
size_t parser_reply(const struct parser *p, const struct parser_result *res, long ref,
		    int diacritics, char *buf, size_t bufsz);

#endif
