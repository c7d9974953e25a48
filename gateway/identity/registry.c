/*
 * registry.c - registry entries from what staff typed (registry.h).
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "identity.h"
#include "parser.h"
#include "registry.h"
#include "store.h"

int
registry_commune(const struct config *cfg, const char *s, char *code, size_t codesz,
		 const char **why)
{
	struct parser_result res;
	char text[256];
	size_t i;

	for (i = 0; i < cfg->ncommunes; i++) {
		if (strcmp(cfg->communes[i].code, s) == 0) {
			snprintf(code, codesz, "%s", s);
			return 0;
		}
	}
	*why = "unknown commune";
	if (cfg->nkeywords[PARSER_STATUS] == 0 || strlen(s) > 128)
		return -1;
	snprintf(text, sizeof(text), "%s %s", cfg->keywords[PARSER_STATUS][0], s);
	parser_parse(cfg->parser, text, strlen(text), &res);
	if (res.error == PARSER_AMBIGUOUS_COMMUNE)
		*why = "ambiguous commune name";
	if (res.error != PARSER_OK || res.nitems != 1 || res.items[0].commune < 0)
		return -1;
	snprintf(code, codesz, "%s", parser_commune_code(cfg->parser, res.items[0].commune));
	return 0;
}

/* A role as staff type it: the registry's English name, or a Vietnamese
 * one (compared folded: any case, with or without diacritics). */
static const struct {
	const char *alias; /* folded, without spaces */
	const char *role;
} role_aliases[] = {
    {"canboxa", "officer"},	{"canbo", "officer"},  {"cbxa", "officer"},
    {"lop", "class"},		{"lophoc", "class"},   {"huyen", "district"},
    {"canbohuyen", "district"}, {"phong", "district"}, {"quantri", "admin"},
};

static void
fold(const char *s, char *out, size_t outsz)
{
	parser_fold(s, strlen(s), out, outsz, 1);
}

/* The registry's name of the role s, or NULL. */
static const char *
role_of(const char *s)
{
	char f[64];
	unsigned role;
	size_t i;

	fold(s, f, sizeof(f));
	role = identity_role_parse(f);
	if (role != 0)
		return identity_role_name(role);
	for (i = 0; i < sizeof(role_aliases) / sizeof(role_aliases[0]); i++)
		if (strcmp(f, role_aliases[i].alias) == 0)
			return role_aliases[i].role;
	return NULL;
}

/* 1, 0, or -1 for a word that says neither. */
static int
active_of(const char *s)
{
	static const char *const yes[] = {"", "1", "yes", "true", "co", "x"};
	static const char *const no[] = {"0", "no", "false", "khong"};
	char f[16];
	size_t i;

	fold(s, f, sizeof(f));
	if (strlen(s) >= sizeof(f))
		return -1;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (strcmp(f, yes[i]) == 0)
			return 1;
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (strcmp(f, no[i]) == 0)
			return 0;
	return -1;
}

int
registry_sender(const struct config *cfg, const char *number, const char *name, const char *role,
		const char *commune, const char *active, struct store_sender *snd, const char **why)
{
	const char *r = role_of(role);
	int a = active_of(active);

	memset(snd, 0, sizeof(*snd));
	if (phone_e164(number, snd->number, sizeof(snd->number)) == -1) {
		*why = "not a Vietnamese phone number";
		return -1;
	}
	if (strlen(name) >= sizeof(snd->name) || !parser_utf8_valid(name, strlen(name))) {
		*why = "name too long or not UTF-8";
		return -1;
	}
	snprintf(snd->name, sizeof(snd->name), "%s", name);
	if (r == NULL) {
		*why = "role must be officer, class, district or admin (can bo xa, lop, huyen, "
		       "quan tri)";
		return -1;
	}
	snprintf(snd->role, sizeof(snd->role), "%s", r);
	if (commune[0] != '\0' &&
	    registry_commune(cfg, commune, snd->commune_code, sizeof(snd->commune_code), why) == -1)
		return -1;
	if (strcmp(r, "officer") == 0 && snd->commune_code[0] == '\0') {
		*why = "an officer needs a commune";
		return -1;
	}
	if (a == -1) {
		*why = "active must be 1 or 0";
		return -1;
	}
	snd->active = a;
	return 0;
}

int
registry_register(const struct config *cfg, struct store *st, const char *number, const char *role,
		  const char *commune, const char *name, int64_t now, struct store_sender *snd,
		  const char **why)
{
	if (registry_sender(cfg, number, name, role, commune, "1", snd, why) == -1)
		return -1;
	*why = NULL;
	return store_sender_put(st, snd, now);
}

/* A CSV field, quoted when it holds a comma, a quote or a line break. */
static void
csv_field(FILE *out, const char *s, int last)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, out);
	} else {
		fputc('"', out);
		for (; *s != '\0'; s++) {
			if (*s == '"')
				fputc('"', out);
			fputc(*s, out);
		}
		fputc('"', out);
	}
	fputc(last ? '\n' : ',', out);
}

int
registry_formula_like(const char *s)
{
	s += strspn(s, "'");
	return *s != '\0' && strchr("=+-@\t\r", *s) != NULL;
}

static int
export_row(void *arg, const struct store_sender *snd)
{
	FILE *out = arg;
	char name[sizeof(snd->name) + 1];

	/* A spreadsheet runs a formula when the file is opened: the name is
	 * the one free text (the number's + is a number's). */
	snprintf(name, sizeof(name), "%s%s", registry_formula_like(snd->name) ? "'" : "",
		 snd->name);
	csv_field(out, snd->number, 0);
	csv_field(out, name, 0);
	csv_field(out, snd->role, 0);
	csv_field(out, snd->commune_code, 0);
	csv_field(out, snd->active ? "1" : "0", 1);
	return 0;
}

int
registry_export(struct store *st, FILE *out)
{
	fputs("\xef\xbb\xbfnumber,name,role,commune,active\n", out);
	return store_senders_foreach(st, export_row, out) == 0 ? 0 : -1;
}
