/*
 * registry.h - entries of the senders table (identity.h) from what staff
 * typed, on the command line or in the web console: the same words are
 * taken the same way in both.
 */
#ifndef TINBAO_REGISTRY_H
#define TINBAO_REGISTRY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct config;
struct store;
struct store_sender;

/* A commune by its code or its name, resolved like an officer's SMS names
 * it (the parser's matching, through a STATUS message).  Writes the code;
 * 0, or -1 with *why set. */
int registry_commune(const struct config *cfg, const char *s, char *code, size_t codesz,
		     const char **why);

/* A registry entry from what staff typed: the number in any form, the role
 * by its name or a Vietnamese one ("can bo xa"...), the commune by code or
 * name (required for an officer), active "1"/"0" ("": 1).  0, or -1 with
 * *why set. */
int registry_sender(const struct config *cfg, const char *number, const char *name,
		    const char *role, const char *commune, const char *active,
		    struct store_sender *snd, const char **why);

/* Registers number, active, with role, commune ("": none) and name, as
 * registry_sender() reads them, in the caller's transaction; snd gets the
 * entry.  0, or -1 with *why set (NULL: the database failed). */
int registry_register(const struct config *cfg, struct store *st, const char *number,
		      const char *role, const char *commune, const char *name, int64_t now,
		      struct store_sender *snd, const char **why);

/* The senders table as a CSV file that imports back unchanged: UTF-8 with
 * a byte order mark (so that Excel reads the names right), the English
 * header.  A name a spreadsheet would take for a formula (see
 * registry_formula_like) is written behind a quote, Excel's mark of text,
 * so that opening the file runs nothing; numbers and codes are written as
 * they are.  0, or -1 when the database failed. */
int registry_export(struct store *st, FILE *out);

/* 1 when a cell holding s, after any quotes it starts with, starts as a
 * spreadsheet's formula does (= + - @, or a tab or a carriage return),
 * else 0.  The export puts a quote in front of such a name; the import
 * takes one off a name that starts with a quote and is such a name. */
int registry_formula_like(const char *s);

/* What an import does, or would do, to the table. */
struct registry_changes {
	size_t n; /* rows read */
	size_t added, changed, deactivated, unchanged;
};

/* Where an import says what is wrong (a line, "label:line: why") and, when
 * change is not NULL, each change (what: "added", "deactivated", "changed"
 * with the entry as it was, then "  now" with it as it will be).  With
 * vietnamese, a file past the cap is told in Vietnamese (the console). */
struct registry_report {
	void (*error)(void *arg, const char *msg);
	void (*change)(void *arg, const char *what, const struct store_sender *snd);
	void *arg;
	int vietnamese;
};

/* The rows a registry file may hold: a district has a few hundred
 * numbers. */
#define REGISTRY_MAX_ROWS 10000

/* A registry file read and checked, not yet compared with the table. */
struct registry_file;

/*
 * Reads the registry file at path (a CSV file or an .xlsx workbook,
 * sheetfile.h; named label in the messages): a header naming the columns
 * (number, name, role, commune, active, or the Vietnamese names), a row a
 * number, read as registry_sender() reads what staff type, numbers as a
 * spreadsheet leaves them (spaces and dots dropped; scientific notation
 * refused), at most REGISTRY_MAX_ROWS rows (a file of more is refused at
 * its first row past them), no number twice.  Touches no database: a
 * caller reads the file before it takes the write lock.
 * 0 with *rf set (the caller's, to registry_file_free), the number of
 * errors found (each reported), or -1 (reported when it is the file's
 * fault); *rf is NULL but for 0.
 */
int registry_read(const struct config *cfg, const char *path, const char *label,
		  const struct registry_report *rep, struct registry_file **rf);

/* Compares rf's rows with the table (ch, and rep's change) and, with
 * write, writes them all, in the caller's transaction (all or nothing);
 * else writes nothing (a dry run).  0, or -1 when the database failed. */
int registry_apply(struct store *st, const struct registry_file *rf, int write,
		   const struct registry_report *rep, struct registry_changes *ch);

void registry_file_free(struct registry_file *rf);

/* registry_read() then registry_apply(), for a dry run above all: a write
 * holds the caller's transaction while the file is read.  0 (ch filled),
 * the number of errors found (each reported, nothing written), or -1. */
int registry_import(const struct config *cfg, struct store *st, const char *path, const char *label,
		    int write, const struct registry_report *rep, struct registry_changes *ch);

#endif
