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
 * header.  0, or -1 when the database failed. */
int registry_export(struct store *st, FILE *out);

/* What an import does, or would do, to the table. */
struct registry_changes {
	size_t n; /* rows read */
	size_t added, changed, deactivated, unchanged;
};

/* Where an import says what is wrong (a line, "label:line: why") and, when
 * change is not NULL, each change (what: "added", "deactivated", "changed"
 * with the entry as it was, then "  now" with it as it will be). */
struct registry_report {
	void (*error)(void *arg, const char *msg);
	void (*change)(void *arg, const char *what, const struct store_sender *snd);
	void *arg;
};

/*
 * Reads the registry file at path (a CSV file or an .xlsx workbook,
 * sheetfile.h; named label in the messages): a header naming the columns
 * (number, name, role, commune, active, or the Vietnamese names), a row a
 * number, read as registry_sender() reads what staff type, numbers as a
 * spreadsheet leaves them (spaces and dots dropped; scientific notation
 * refused).  Every row is checked first; with write, all are then
 * written, in the caller's transaction (all or nothing), else nothing is
 * written (a dry run).
 * 0 (ch filled), the number of errors found (each reported, nothing
 * written), or -1 (reported when it is the file's fault).
 */
int registry_import(const struct config *cfg, struct store *st, const char *path, const char *label,
		    int write, const struct registry_report *rep, struct registry_changes *ch);

#endif
