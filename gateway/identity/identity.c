/*
 * identity.c - see identity.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "identity.h"
#include "log.h"
#include "phone.h"
#include "store.h"

static const struct {
	unsigned role;
	const char *name;
} roles[] = {
    {IDENTITY_OFFICER, "officer"},
    {IDENTITY_CLASS, "class"},
    {IDENTITY_DISTRICT, "district"},
    {IDENTITY_ADMIN, "admin"},
};

const char *
identity_role_name(unsigned role)
{
	size_t i;

	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (roles[i].role == role)
			return roles[i].name;
	return "unknown";
}

unsigned
identity_role_parse(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (strcmp(roles[i].name, name) == 0)
			return roles[i].role;
	return 0;
}

static int
in_list(char *const *v, size_t n, const char *number)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (phone_same(number, v[i]))
			return 1;
	return 0;
}

static int
commune_index(const struct config *cfg, const char *code)
{
	size_t i;

	for (i = 0; i < cfg->ncommunes; i++)
		if (strcmp(cfg->communes[i].code, code) == 0)
			return (int)i;
	return -1;
}

static void
add_commune(struct identity *id, const char *code)
{
	if (identity_officer_of(id, code) || id->ncommunes == IDENTITY_MAX_COMMUNES)
		return;
	snprintf(id->communes[id->ncommunes++], sizeof(id->communes[0]), "%s", code);
}

/* The roles the configuration's lists give number. */
static void
from_config(const struct config *cfg, const char *number, struct identity *id)
{
	size_t i;

	if (in_list(cfg->admins, cfg->nadmins, number))
		id->roles |= IDENTITY_ADMIN;
	if (in_list(cfg->digest.recipients, cfg->digest.nrecipients, number))
		id->roles |= IDENTITY_DISTRICT;
	if (in_list(cfg->class_senders, cfg->nclass_senders, number))
		id->roles |= IDENTITY_CLASS;
	for (i = 0; i < cfg->ncommunes; i++) {
		if (!in_list(cfg->communes[i].officers, cfg->communes[i].nofficers, number))
			continue;
		id->roles |= IDENTITY_OFFICER;
		add_commune(id, cfg->communes[i].code);
	}
}

int
identity_resolve(const struct config *cfg, struct store *st, const char *number,
		 struct identity *id)
{
	struct store_sender snd;
	char e164[PHONE_MAX];
	unsigned role;
	int r;

	memset(id, 0, sizeof(*id));
	id->commune = -1;
	phone_canonical(number, id->number, sizeof(id->number));
	if (phone_e164(number, e164, sizeof(e164)) == -1)
		return 0; /* an operator, a short code, another country: nobody */
	id->phone = 1;
	if (st != NULL) {
		r = store_sender_get(st, e164, &snd);
		if (r == -1)
			return -1;
		role = r == 1 && snd.active ? identity_role_parse(snd.role) : 0;
		if (role != 0) {
			id->registered = 1;
			id->roles |= role;
			snprintf(id->name, sizeof(id->name), "%s", snd.name);
			if (role == IDENTITY_OFFICER && snd.commune_code[0] != '\0')
				add_commune(id, snd.commune_code);
		}
	}
	from_config(cfg, e164, id);
	if (id->ncommunes > 0) {
		snprintf(id->commune_code, sizeof(id->commune_code), "%s", id->communes[0]);
		id->commune = commune_index(cfg, id->commune_code);
	}
	return 0;
}

int
identity_has(const struct identity *id, unsigned r)
{
	return (id->roles & r) != 0;
}

int
identity_officer_of(const struct identity *id, const char *code)
{
	size_t i;

	for (i = 0; i < id->ncommunes; i++)
		if (strcmp(id->communes[i], code) == 0)
			return 1;
	return 0;
}

int
identity_may_manage_classes(const struct config *cfg, struct store *st, const struct identity *id)
{
	int64_t n;

	if (identity_has(id, IDENTITY_STAFF | IDENTITY_CLASS))
		return 1;
	if (cfg->digest.nrecipients > 0 || cfg->nclass_senders > 0)
		return 0;
	n = store_sender_managers(st);
	if (n == -1)
		return -1;
	return n == 0;
}

/* ---- Enumeration ------------------------------------------------------ */

/* The candidate numbers of identity_foreach(), each once. */
struct numbers {
	char (*v)[PHONE_MAX];
	size_t n, cap;
	int failed;
};

static void
add_number(struct numbers *l, const char *number)
{
	char canon[PHONE_MAX];
	void *nv;
	size_t i;

	phone_canonical(number, canon, sizeof(canon));
	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], canon) == 0)
			return;
	if (l->n == l->cap) {
		nv = reallocarray(l->v, l->cap ? l->cap * 2 : 32, sizeof(*l->v));
		if (nv == NULL) {
			log_warn("identity");
			l->failed = 1;
			return;
		}
		l->v = nv;
		l->cap = l->cap ? l->cap * 2 : 32;
	}
	snprintf(l->v[l->n++], PHONE_MAX, "%s", canon);
}

static void
add_list(struct numbers *l, char *const *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		add_number(l, v[i]);
}

static int
add_entry(void *arg, const struct store_sender *snd)
{
	if (snd->active)
		add_number(arg, snd->number);
	return 0;
}

int
identity_foreach(const struct config *cfg, struct store *st, unsigned r, const char *commune_code,
		 int (*cb)(void *arg, const struct identity *id), void *arg)
{
	struct numbers l = {NULL, 0, 0, 0};
	struct identity id;
	size_t i;
	int ret = 0;

	add_list(&l, cfg->admins, cfg->nadmins);
	add_list(&l, cfg->digest.recipients, cfg->digest.nrecipients);
	for (i = 0; i < cfg->ncommunes; i++)
		add_list(&l, cfg->communes[i].officers, cfg->communes[i].nofficers);
	add_list(&l, cfg->class_senders, cfg->nclass_senders);
	if (st != NULL && store_senders_foreach(st, add_entry, &l) == -1)
		ret = -1;
	if (l.failed)
		ret = -1;
	for (i = 0; ret == 0 && i < l.n; i++) {
		if (identity_resolve(cfg, st, l.v[i], &id) == -1) {
			ret = -1;
			break;
		}
		if (!identity_has(&id, r))
			continue;
		if (commune_code != NULL && !identity_officer_of(&id, commune_code))
			continue;
		ret = cb(arg, &id);
	}
	free(l.v);
	return ret;
}
