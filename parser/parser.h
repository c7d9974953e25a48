/*
 * parser.h - the SMS report grammar of tinbao.
 *
 * Pure module: no I/O, no SQLite, no gammu, no global state.  A parser is
 * built once from the configuration (communes, trades, keyword forms, filler
 * words, the count maximum, the class code pattern) and is then read-only:
 * parser_parse() may be called on it from anywhere.
 *
 * Input is the UTF-8 text of one SMS.  Matching happens on a "folded" copy:
 * lowercase ASCII, Vietnamese diacritics removed (precomposed and combining
 * forms, d-stroke -> d), punctuation turned into spaces, whitespace collapsed.
 * The raw text is never modified; the caller stores it as it came.
 *
 * Grammar.  The first word is the keyword (a form may have several words,
 * "đăng ký"; it may be glued to what follows, "dk35han", or come after the
 * commune, "Xa Minh Son bao cao: DK 35 han"; courtesy words around a report
 * are skipped, see parser_add_courtesy()); the fields after it come in any
 * order, separated by spaces or punctuation:
 *   ENROL  commune count trade     learners enrolled in a short course
 *   GRAD   commune count trade     learners who completed
 *   JOB    commune count trade     trained workers employed afterwards
 *   NEED   commune count trade     training demand surveyed
 *   LABOUR commune total trained   labour force and how many are trained
 *   STATUS [commune]               ask for totals
 *   HELP   [keyword]               ask for the syntax
 *   CANCEL [#ref]                  cancel the sender's last report, or #ref
 *   CLASS OPEN code commune trade [planned count]     register a class
 *   CLASS CLOSE code                                  close it
 *   ENROL|GRAD|JOB class-code count                   a report for a class
 * CLASS's second word is OPEN or MO (mở) to open, CLOSE or DONG (đóng) to
 * close (fixed words; OPEN and CLOSE also with one typo).
 *
 * Fields: a word starting with a digit is a number (a commune's code when it
 * is one, the count otherwise; "35hv", "sl35": a count glued to a filler;
 * "ba muoi lam": 35, numbers in words of two words or more).  A
 * count is never read without what was typed with it: a sign ("-5", a dash
 * right before the digits), a decimal part ("3.5", "3,5") or a letter for a
 * digit ("3o", "l5") make it a bad_count.  A date ("12/6", "12/6/2022",
 * "30-6-2022") is the date the figures refer to, at most one a report; a
 * word
 * with letters and digits that matches the class pattern is a class code;
 * the other words are split between a commune and a trade by matching the
 * configured names, aliases and codes, the longest match first, filler words
 * ("xa", "nguoi", "nghe"...) skipped.  What no exact match explains may still
 * be a small typo (fuzzy.h: distance 1, 2 for names of 8+ letters) or a
 * prefix of at least 4 letters (5 for the start of an alias or of a trade's
 * name without its first words: "nuoi trau bo"), of exactly one unit; when two units or more
 * fit, the message is ambiguous and nothing is guessed.  A value no field
 * wants (a second count, a second commune) is an error that names it.
 *
 * Several reports in one SMS are separated by ';' or a line break, or by a
 * comma followed by a keyword or a count; a part without a keyword takes
 * the keyword of the part before, and its commune too when it has a count
 * and a trade only ("DK Minh Son 35 han, 20 maycn").  A message not
 * understood with its commas as separators is read again with them as
 * commas between fields.  If one part is
 * wrong the whole message is (no item), and res->part says which.  When no
 * later part has a keyword of its own and the parts only make sense together
 * ("DK Minh Son: 35; han"), the separators are read as spaces instead.
 * STATUS and CANCEL must be alone in their SMS; HELP ignores what follows.
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
	PARSER_CANCEL,	    /* items[0].ref: the report to cancel, 0 for the last one */
	PARSER_CLASS_OPEN,  /* class_code, commune, trade, count (planned, 0: none) */
	PARSER_CLASS_CLOSE, /* class_code */
	PARSER_NKINDS
};

/* The keyword kinds: what the first word of a message can be.  Both CLASS
 * kinds share one keyword (its second word tells them apart), which is
 * PARSER_KEYWORD_CLASS in parser_add_keyword() and parser_keyword_form(). */
#define PARSER_KEYWORD_CLASS PARSER_CLASS_OPEN
#define PARSER_NKEYWORDS (PARSER_CLASS_OPEN + 1)

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
	PARSER_EXTRA_VALUE,    /* a value no field wants: a second count or commune */
	PARSER_UNKNOWN_CLASS,  /* set by the caller: parser_unknown_class() */
	PARSER_MISSING_CLASS,  /* CLASS without a class code */
	PARSER_BAD_CLASS,      /* letters and digits where a class code stands, but
				  not of the configured pattern */
	PARSER_UNKNOWN_ACTION, /* CLASS without OPEN or CLOSE */
	PARSER_BAD_REF,	       /* CANCEL: not a reference number */
	PARSER_NOT_ALONE,      /* STATUS or CANCEL with other parts, HELP after one */
	PARSER_TOO_MANY,       /* more than PARSER_MAX_ITEMS parts */
	PARSER_NERRORS
};

#define PARSER_MAX_ITEMS 16
#define PARSER_MAX_CANDIDATES 8
#define PARSER_MAX_TEXT 2048 /* longer input is cut here (16 parts of SMS) */
#define PARSER_DEFAULT_MAX_COUNT 500
#define PARSER_MAX_CLASS 23 /* longest class code */
/* Letters, two digits, an optional dash and 1-3 digits: HL22-05, HL2205. */
#define PARSER_DEFAULT_CLASS_PATTERN "^[A-Z]{1,4}[0-9]{2}-?[0-9]{1,3}$"

struct parser_item {
	enum parser_kind kind;
	int commune;  /* index, or -1 (STATUS without commune, HELP, a class) */
	int trade;    /* index, or -1 (LABOUR, STATUS, HELP, a class) */
	long count;   /* learners; labour force for LABOUR; 0 when none */
	long trained; /* LABOUR only: trained workers */
	int topic;    /* HELP only: the keyword kind asked about, or -1 */
	/* The class named, upper case as typed ("HL22-05"), or "".  A report
	 * naming a class has commune = trade = -1: the caller resolves them. */
	char class_code[PARSER_MAX_CLASS + 1];
	long ref; /* CANCEL only: the reference typed, 0 when none */
	/* Reports: the date the figures refer to ("12/6", "ngay 12/6/2022"),
	 * or 0 when none was typed; year 0 when only day and month were. */
	int day, month, year;
};

struct parser_result {
	enum parser_error error; /* PARSER_OK when the message parsed */
	int kind;		 /* keyword recognised, or -1 */
	size_t nitems;
	struct parser_item items[PARSER_MAX_ITEMS];
	/* Ambiguous commune or trade: indexes of the candidates (2 or more).
	 * Unknown commune or trade: the one unit the words are the start of,
	 * too short to be sure ("cai": Cai Kinh), to suggest; or none.  Extra
	 * value that is a second trade: the two trades found (in order). */
	size_t ncandidates;
	int candidates[PARSER_MAX_CANDIDATES];
	/* The folded word(s) the error is about ("minh sonn"), or "". */
	char bad[64];
	/* Which part of a message of several reports is wrong (1 for the
	 * first); 0 when the message has one part. */
	int part;
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
/* A word that may start a message of that kind ("DK" for PARSER_ENROL;
 * PARSER_CLASS_OPEN or PARSER_CLASS_CLOSE: the class keyword).  A form that
 * folds to nothing ("?") is compared as written, at the start of a part of
 * the message.  A form has at most PARSER_KEYWORD_WORDS words ("đăng ký",
 * compared with or without the spaces); one form belongs to one kind. */
#define PARSER_KEYWORD_WORDS 3
int parser_add_keyword(struct parser *p, enum parser_kind kind, const char *form);
/* Word(s) that carry no value and are skipped ("xa", "thi tran", "nguoi"),
 * unless they are part of a name. */
int parser_add_filler(struct parser *p, const char *word);
/* Word(s) of courtesy or framing that carry no report: skipped at the start
 * of a part and at its end ("bao cao", "xin chao", "cam on", "a"), and
 * between a commune written first and the keyword after it. */
int parser_add_courtesy(struct parser *p, const char *words);
/* The pattern of class codes: a POSIX extended regular expression, matched
 * case-insensitively against a word as typed (letters, digits and '-').  A
 * word is only taken for a class code when it also has a letter and a digit
 * and at most PARSER_MAX_CLASS characters.  NULL or "" turns classes off.
 * Returns 0, or -1 when it does not compile (the old pattern stays); err
 * (when not NULL) then gets regerror()'s text.  Default:
 * PARSER_DEFAULT_CLASS_PATTERN. */
int parser_set_class_pattern(struct parser *p, const char *pattern, char *err, size_t errsz);
/* Whether the class pattern matches text (the pattern alone: check-config
 * uses it to refuse a pattern matching a name or a code): 1 or 0. */
int parser_class_match(const struct parser *p, const char *text);
/* Largest count accepted in an ENROL/GRAD/JOB/NEED report (default
 * PARSER_DEFAULT_MAX_COUNT); values below 1 are ignored. */
void parser_set_max_count(struct parser *p, long max);
/* Builds the lookup tables (prefixes, typos); call after the last add and
 * before parsing.  (An unprepared parser still parses correctly, only slower
 * on messages that are not exact.) */
int parser_prepare(struct parser *p);

/* Parses one SMS.  Returns 0 when it was understood (res->error ==
 * PARSER_OK, res->nitems >= 1) and -1 otherwise (res->error says why,
 * res->nitems is 0).  res is always fully set: unused indexes are -1.
 * Text past PARSER_MAX_TEXT bytes is ignored.  A dot between digits that
 * groups thousands is dropped, as Vietnamese write them ("3.200" = 3200).
 * Ambiguous names list at most PARSER_MAX_CANDIDATES candidates, the first
 * ones in the order they were added.  res->kind is the kind of the first
 * part (of the wrong part on error). */
int parser_parse(const struct parser *p, const char *text, size_t len, struct parser_result *res);

/* For the caller that found no class for items[i].class_code: the result
 * becomes an unknown_class error naming it (res->bad, res->part), with no
 * item, ready for parser_reply(). */
void parser_unknown_class(struct parser_result *res, size_t i);
/* The form of a class code to compare in storage: upper case, without '-'
 * ("hl22-05" -> "HL2205"); out always NUL-terminated when outsz > 0.
 * Returns its length. */
size_t parser_class_key(const char *code, char *out, size_t outsz);

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
 * configured, in upper case ("DK"), or the keyword's name ("ENROL") when
 * none.  Both CLASS kinds give the class keyword ("LOP"). */
const char *parser_keyword_form(const struct parser *p, enum parser_kind kind);

/* Stable lower-case names, e.g. for storage and logs; "unknown" when out of
 * range. */
const char *parser_kind_name(enum parser_kind kind); /* "enrol", "class_open", ... */
/* The name of a keyword kind, as in the configuration: the kind's name, or
 * "class" for PARSER_KEYWORD_CLASS. */
const char *parser_keyword_name(int keyword);
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
 * of the first stored report (the items are numbered ref, ref + 1, ...), or
 * 0 when nothing was stored (the `parse` command).  With diacritics == 0 the
 * reply is plain ASCII of at most 160 characters (one GSM 7-bit SMS);
 * otherwise UTF-8 of at most 70 characters (one UCS-2 SMS).  The one
 * exception is HELP without a keyword: the syntax of every keyword, in at
 * most PARSER_HELP_SMS concatenated SMS (153 or 67 characters each).
 *
 * Confirmations name kind, commune, trade and count as understood (several
 * items: "OK #12-#14: DK Minh Son 35 HAN; ...", shortened to whole items
 * and "..." when they do not fit); a report for a class names the class,
 * and the commune and trade too when the caller set them from the class.
 * Errors say what was wrong ("Loi phan 2: ..." for a part), list the
 * candidates when ambiguous, and give an example.  STATUS and CANCEL answers
 * are composed by the caller (they need the database); for those results
 * this writes a placeholder: no totals available, the cancellation asked.
 */
#define PARSER_HELP_SMS 2
#define PARSER_REPLY_MAX 480
size_t parser_reply(const struct parser *p, const struct parser_result *res, long ref,
		    int diacritics, char *buf, size_t bufsz);
/* The same, with the examples of error replies naming commune (the
 * sender's, "VD: DK Minh Son 35 HAN"); -1 or out of range: the first. */
size_t parser_reply_for(const struct parser *p, const struct parser_result *res, long ref,
			int diacritics, int commune, char *buf, size_t bufsz);

#endif
