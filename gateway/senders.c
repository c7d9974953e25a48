/*
 * senders.c - see senders.h.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "parser.h"
#include "phone.h"
#include "senders.h"
#include "store.h"

static const char *const role_names[] = {
    [SENDERS_UNKNOWN] = "unknown",   [SENDERS_OFFICER] = "officer", [SENDERS_CLASS] = "class",
    [SENDERS_DISTRICT] = "district", [SENDERS_ADMIN] = "admin",
};

const char *
senders_role_name(enum senders_role role)
{
	if ((int)role < 0 || (size_t)role >= sizeof(role_names) / sizeof(role_names[0]))
		return "unknown";
	return role_names[role];
}

int
senders_role_parse(const char *name)
{
	int r;

	for (r = SENDERS_OFFICER; r <= SENDERS_ADMIN; r++)
		if (strcmp(name, role_names[r]) == 0)
			return r;
	return -1;
}

static int
in_list(char *const *v, size_t n, const char *sender)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (phone_same(sender, v[i]))
			return 1;
	return 0;
}

/* Who the configuration's lists say sender is. */
static void
lookup_config(const struct config *cfg, const char *sender, struct senders_who *who)
{
	size_t i;

	if (in_list(cfg->admins, cfg->nadmins, sender)) {
		who->role = SENDERS_ADMIN;
		return;
	}
	if (in_list(cfg->digest.recipients, cfg->digest.nrecipients, sender)) {
		who->role = SENDERS_DISTRICT;
		return;
	}
	for (i = 0; i < cfg->ncommunes; i++) {
		if (in_list(cfg->communes[i].officers, cfg->communes[i].nofficers, sender)) {
			who->role = SENDERS_OFFICER;
			snprintf(who->commune_code, sizeof(who->commune_code), "%s",
				 cfg->communes[i].code);
			return;
		}
	}
	if (in_list(cfg->class_senders, cfg->nclass_senders, sender))
		who->role = SENDERS_CLASS;
}

int
senders_lookup(const struct config *cfg, struct store *st, const char *sender,
	       struct senders_who *who)
{
	struct store_sender snd;
	char number[24];
	int r, role;

	memset(who, 0, sizeof(*who));
	who->role = SENDERS_UNKNOWN;
	if (phone_e164(sender, number, sizeof(number)) == -1)
		return 0; /* an operator, a short code, another country */
	who->phone = 1;
	r = store_sender_get(st, number, &snd);
	if (r == -1)
		return -1;
	role = r == 1 ? senders_role_parse(snd.role) : -1;
	if (r == 1 && snd.active && role != -1) {
		who->role = (enum senders_role)role;
		snprintf(who->commune_code, sizeof(who->commune_code), "%s", snd.commune_code);
		snprintf(who->name, sizeof(who->name), "%s", snd.name);
		return 0;
	}
	lookup_config(cfg, sender, who);
	return 0;
}

/* The commune code of the first reported item that is not code, or NULL. */
static const char *
other_commune(const struct config *cfg, const struct parser_result *res, const char *code)
{
	const struct parser_item *it;
	const char *c;
	size_t i;

	if (res->error != PARSER_OK)
		return NULL;
	for (i = 0; i < res->nitems; i++) {
		it = &res->items[i];
		if (it->commune < 0 || (it->kind > PARSER_LABOUR && it->kind != PARSER_CLASS_OPEN))
			continue;
		c = parser_commune_code(cfg->parser, it->commune);
		if (strcmp(c, code) != 0)
			return c;
	}
	return NULL;
}

/* "xa Minh Son" for a commune code, in ASCII. */
static void
commune_label(const struct config *cfg, const char *code, char *buf, size_t bufsz)
{
	size_t i;

	for (i = 0; i < cfg->ncommunes; i++) {
		if (strcmp(cfg->communes[i].code, code) != 0)
			continue;
		char name[128];

		parser_ascii(cfg->communes[i].name, name, sizeof(name));
		snprintf(buf, bufsz, "%s %s",
			 strcmp(cfg->communes[i].type, "tt") == 0 ? "TT" : "xa", name);
		return;
	}
	snprintf(buf, bufsz, "ma %s", code);
}

enum senders_verdict
senders_check(const struct config *cfg, const struct senders_who *who,
	      const struct parser_result *res, const char **error, char *reply, size_t replysz)
{
	const char *unknown = cfg->senders.unknown != NULL ? cfg->senders.unknown : "quarantine";
	const char *other;
	char label[160];

	*error = NULL;
	if (who->role == SENDERS_UNKNOWN) {
		if (strcmp(unknown, "accept") == 0)
			return SENDERS_OK;
		if (strcmp(unknown, "reject") == 0 || !who->phone) {
			*error = "unknown_sender";
			snprintf(reply, replysz,
				 "Loi: so nay chua dang ky bao cao. Lien he Phong LDTBXH huyen.");
			return SENDERS_REJECT;
		}
		*error = "quarantined";
		return SENDERS_QUARANTINE;
	}
	if (who->role != SENDERS_OFFICER || who->commune_code[0] == '\0')
		return SENDERS_OK;
	other = other_commune(cfg, res, who->commune_code);
	if (other == NULL)
		return SENDERS_OK;
	if (cfg->senders.other_commune != NULL && strcmp(cfg->senders.other_commune, "warn") == 0) {
		snprintf(reply, replysz, "%s", other);
		return SENDERS_WARN;
	}
	*error = "other_commune";
	commune_label(cfg, who->commune_code, label, sizeof(label));
	snprintf(reply, replysz, "Loi: so nay chi bao cao cho %s. Lien he Phong LDTBXH huyen.",
		 label);
	return SENDERS_REJECT;
}

int
senders_is_staff(const struct senders_who *who)
{
	return who->role == SENDERS_DISTRICT || who->role == SENDERS_ADMIN;
}

int
senders_may_manage_classes(const struct senders_who *who)
{
	return senders_is_staff(who) || who->role == SENDERS_CLASS;
}
