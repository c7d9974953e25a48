/*
 * senders.c - see senders.h.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "identity.h"
#include "log.h"
#include "parser.h"
#include "senders.h"

/* The commune code of the first reported item for a commune who is not
 * the officer of, or NULL. */
static const char *
other_commune(const struct config *cfg, const struct parser_result *res, const struct identity *who)
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
		if (!identity_officer_of(who, c))
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
senders_check(const struct config *cfg, const struct identity *who, const struct parser_result *res,
	      const char **error, char *reply, size_t replysz)
{
	const char *unknown = cfg->senders.unknown != NULL ? cfg->senders.unknown : "quarantine";
	const char *other;
	char label[160];

	*error = NULL;
	if (who->roles == 0) {
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
	if (!identity_has(who, IDENTITY_OFFICER) || identity_has(who, IDENTITY_STAFF) ||
	    who->commune_code[0] == '\0')
		return SENDERS_OK;
	other = other_commune(cfg, res, who);
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
