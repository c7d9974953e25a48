/*
 * identity.h - who a number is: answered here and nowhere else.
 *
 * One registry answers "who is this number?" for every part of the gateway
 * (the sender policy, TK, classes, NAPTIEN, reminders, digests, alerts, the
 * report's SMS): the union of
 *
 *   - the configuration's lists, taken as registry entries of their own:
 *     `communes.officers` (officer of that commune), `digest.recipients`
 *     (district staff), `admins` (admin), `classes.senders` (class);
 *   - the active entries of the senders table (`tinbao senders add`,
 *     `senders import`, `quarantine accept --register`).
 *
 * A number has every role any of them gives it.  The commune of an officer
 * is the table's when the table names one (what staff typed last), else the
 * first the configuration lists it for; a number the lists name for several
 * communes (one officer for two communes) reports for, is reminded for and
 * counts as the officer of each of them.  An inactive table entry gives no role; a number listed
 * in the configuration keeps the roles listed there until it is removed from
 * the file.
 *
 * A sender is resolved once, when its message enters the pipeline, into a
 * struct identity that every later stage reads; the lists of numbers to send
 * to (officers of a commune, district staff, admins) come from
 * identity_foreach(), which resolves each candidate number the same way, so
 * that the two can never disagree.
 */
#ifndef TINBAO_IDENTITY_H
#define TINBAO_IDENTITY_H

#include <stddef.h>

#include "phone.h"

struct config;
struct store;

/* Roles: a number may have several. */
#define IDENTITY_OFFICER 0x1  /* reports for its commune */
#define IDENTITY_CLASS 0x2    /* a training class's number */
#define IDENTITY_DISTRICT 0x4 /* district staff: digests, TK of the district */
#define IDENTITY_ADMIN 0x8    /* the gateway's administrators: alerts, NAPTIEN */
#define IDENTITY_STAFF (IDENTITY_DISTRICT | IDENTITY_ADMIN)

#define IDENTITY_MAX_COMMUNES 8

struct identity {
	char number[PHONE_MAX]; /* the stored form (phone.h): E.164 for a Vietnamese number */
	unsigned roles;		/* IDENTITY_*, 0: nobody knows it */
	char commune_code[16];	/* an officer's (first) commune, or "" */
	int commune;		/* its index in the configuration's communes, or -1 */
	/* Every commune it is officer of: the table's, then the lists'. */
	char communes[IDENTITY_MAX_COMMUNES][16];
	size_t ncommunes;
	char name[96];	/* from the table, or "" */
	int phone;	/* a Vietnamese subscriber number: one that can be registered */
	int registered; /* an active entry of the senders table */
};

/* Resolves number (in any form) against the registry.  0, or -1 on a
 * database error (st may be NULL: the configuration alone). */
int identity_resolve(const struct config *cfg, struct store *st, const char *number,
		     struct identity *id);

/* 1 when id has any of roles. */
int identity_has(const struct identity *id, unsigned roles);
/* 1 when id is an officer of the commune with that code. */
int identity_officer_of(const struct identity *id, const char *code);

/* Whether id may open and close classes: staff and class numbers; anyone
 * when the registry names no staff nor class at all.  1, 0 or -1. */
int identity_may_manage_classes(const struct config *cfg, struct store *st,
				const struct identity *id);

/*
 * Calls cb once for every number whose identity has a role in roles (and,
 * when commune_code is not NULL, is an officer of that commune), in the
 * order the configuration lists them, then the table's: each number once,
 * in its stored form.  Stops when cb returns non-zero and returns that;
 * 0 when all were called, -1 on a database or memory error.
 */
int identity_foreach(const struct config *cfg, struct store *st, unsigned roles,
		     const char *commune_code, int (*cb)(void *arg, const struct identity *id),
		     void *arg);

/* The role's name in the senders table and the CLI ("officer", "class",
 * "district", "admin"), and back (one IDENTITY_* bit, or 0). */
const char *identity_role_name(unsigned role);
unsigned identity_role_parse(const char *name);

#endif
