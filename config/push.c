/*
 * push.c - the "push" group: the district server's URL and token, the
 * request settings, and the "dhis2" group's org units and data elements,
 * checked against the communes and trades.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "impl.h"

static int
check_format(struct loader *l, const config_setting_t *s, const char *v)
{
	static const char *const w[] = {"json", "dhis2", NULL};

	return one_of(l, s, v, w, "\"json\" or \"dhis2\"");
}

static int
check_scheme(struct loader *l, const config_setting_t *s, const char *v)
{
	static const char *const w[] = {"Bearer", "ApiToken", NULL};

	return one_of(l, s, v, w, "\"Bearer\" or \"ApiToken\"");
}

static int
check_dhis2_kind(struct loader *l, const config_setting_t *s, const char *v)
{
	static const char *const w[] = {"enrol", "grad", "job", "need", "labour", "trained", NULL};

	return one_of(l, s, v, w,
		      "\"enrol\", \"grad\", \"job\", \"need\", \"labour\" or \"trained\"");
}

/* Goes into a header or a JSON body: printable ASCII, bounded. */
static int
check_printable(struct loader *l, const config_setting_t *s, const char *v, size_t max)
{
	size_t i, n = strlen(v);

	if (n == 0 || n > max) {
		report(l, s, 0, "\"%s\" must have 1 to %zu characters", label(s), max);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (v[i] <= ' ' || v[i] > '~' || v[i] == '"' || v[i] == '\\') {
			report(l, s, 0, "\"%s\" must be printable ASCII without spaces or quotes",
			       label(s));
			return -1;
		}
	}
	return 0;
}

static int
check_url(struct loader *l, const config_setting_t *s, const char *v)
{
	static const char *const loopback[] = {"127.0.0.1", "localhost", "[::1]", NULL};
	const char *host = v + 7;
	size_t i, n;

	if (check_printable(l, s, v, 1024) == -1)
		return -1;
	if (strncmp(v, "https://", 8) == 0 && v[8] != '\0' && v[8] != '/')
		return 0;
	/* Plain HTTP would show the token to the network: loopback only. */
	if (strncmp(v, "http://", 7) == 0) {
		for (i = 0; loopback[i] != NULL; i++) {
			n = strlen(loopback[i]);
			if (strncmp(host, loopback[i], n) == 0 &&
			    (host[n] == ':' || host[n] == '/' || host[n] == '\0'))
				return 0;
		}
	}
	report(l, s, 0,
	       "\"%s\" must be an https:// URL (http:// only to 127.0.0.1 or localhost), "
	       "not \"%s\"",
	       label(s), v);
	return -1;
}

static int
check_gateway_id(struct loader *l, const config_setting_t *s, const char *v)
{
	static const char ok[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";
	size_t n = strlen(v);

	if (n >= 1 && n <= 64 && strspn(v, ok) == n)
		return 0;
	report(l, s, 0, "\"%s\" must be 1 to 64 ASCII letters, digits, '.', '_' or '-', not \"%s\"",
	       label(s), v);
	return -1;
}

static int
check_dhis2_code(struct loader *l, const config_setting_t *s, const char *v)
{
	return check_printable(l, s, v, 50);
}

/* clang-format off */
#define UOFF(f) offsetof(struct config_org_unit, f)
#define EOFF(f) offsetof(struct config_data_element, f)

static const struct key org_unit_keys[] = {
	KSTR("commune", 1, UOFF(commune), check_gso),
	KSTR("org_unit", 1, UOFF(org_unit), check_dhis2_code),
	KEND,
};

static const struct key data_element_keys[] = {
	KSTR("kind", 1, EOFF(kind), check_dhis2_kind),
	KSTR("trade", 0, EOFF(trade), check_code),
	KSTR("data_element", 1, EOFF(data_element), check_dhis2_code),
	KSTR("category_option_combo", 1, EOFF(category_option_combo), check_dhis2_code),
	KEND,
};

static const struct key dhis2_keys[] = {
	KSTR("data_set", 1, OFF(push.data_set), check_dhis2_code),
	KLIST("org_units", org_unit_keys, struct config_org_unit, OFF(push.org_units),
	      OFF(push.norg_units)),
	KLIST("data_elements", data_element_keys, struct config_data_element,
	      OFF(push.data_elements), OFF(push.ndata_elements)),
	KEND,
};

const struct key push_keys[] = {
	KSTR("url", 1, OFF(push.url), check_url),
	KSTR("format", 0, OFF(push.format), check_format),
	KSTR("gateway_id", 1, OFF(push.gateway_id), check_gateway_id),
	KSTR("token_file", 1, OFF(push.token_file), check_nonempty),
	KSTR("auth_scheme", 0, OFF(push.auth_scheme), check_scheme),
	KSTR("ca_file", 0, OFF(push.ca_file), check_nonempty),
	KINT("batch", 0, 1, 10000, OFF(push.batch)),
	KINT("timeout_ms", 0, 100, 600000, OFF(push.timeout_ms)),
	KINT("connect_timeout_ms", 0, 100, 600000, OFF(push.connect_timeout_ms)),
	KINT("retry_min_ms", 0, 10, 3600000, OFF(push.retry_min_ms)),
	KINT("retry_max_ms", 0, 10, 86400000, OFF(push.retry_max_ms)),
	KINT("status_interval", 0, 0, 86400, OFF(push.status_interval)),
	KGROUP("dhis2", 0, dhis2_keys),
	KEND,
};
/* clang-format on */

/* The secret's file must exist for the gateway to start, and must not be
 * readable by anybody else (gateway/push/push.c refuses it too). */
static void
check_token_file(struct loader *l, const config_t *cf)
{
	const char *path = l->cfg->push.token_file;
	const config_setting_t *s = config_lookup(cf, "push.token_file");
	struct stat sb;

	if (path == NULL || path[0] == '\0')
		return;
	if (stat(path, &sb) == -1) {
		report(l, s, 1, "token_file \"%s\": %s; the push cannot start without it", path,
		       strerror(errno));
		return;
	}
	if (!S_ISREG(sb.st_mode))
		report(l, s, 0, "token_file \"%s\" is not a regular file", path);
	else if (sb.st_mode & 077)
		report(l, s, 0,
		       "token_file \"%s\" can be read or written by others (mode %03o); "
		       "chmod 600 it",
		       path, (unsigned int)(sb.st_mode & 0777));
}

static int
has_commune(const struct config *cfg, const char *code)
{
	size_t i;

	for (i = 0; i < cfg->ncommunes; i++) {
		if (cfg->communes[i].code != NULL && strcmp(cfg->communes[i].code, code) == 0)
			return 1;
	}
	return 0;
}

static int
has_trade(const struct config *cfg, const char *code)
{
	size_t i;

	for (i = 0; i < cfg->ntrades; i++) {
		if (cfg->trades[i].code != NULL && strcmp(cfg->trades[i].code, code) == 0)
			return 1;
	}
	return 0;
}

static void
check_org_units(struct loader *l, const config_t *cf)
{
	const struct config_push *p = &l->cfg->push;
	const config_setting_t *ls = config_lookup(cf, "push.dhis2.org_units"), *g;
	size_t i, j;

	for (i = 0; i < p->norg_units; i++) {
		g = ls != NULL ? config_setting_get_elem(ls, (unsigned int)i) : NULL;
		if (p->org_units[i].commune == NULL)
			continue;
		if (!has_commune(l->cfg, p->org_units[i].commune))
			report(l, g, 0, "org unit of commune %s: no such commune in \"communes\"",
			       p->org_units[i].commune);
		for (j = 0; j < i; j++) {
			if (p->org_units[j].commune != NULL &&
			    strcmp(p->org_units[j].commune, p->org_units[i].commune) == 0) {
				report(l, g, 0, "commune %s has two org units",
				       p->org_units[i].commune);
				break;
			}
		}
	}
}

static int
same_element(const struct config_data_element *a, const struct config_data_element *b)
{
	if (a->kind == NULL || b->kind == NULL || strcmp(a->kind, b->kind) != 0)
		return 0;
	if (a->trade == NULL || b->trade == NULL)
		return a->trade == b->trade;
	return strcmp(a->trade, b->trade) == 0;
}

static void
check_data_elements(struct loader *l, const config_t *cf)
{
	const struct config_push *p = &l->cfg->push;
	const config_setting_t *ls = config_lookup(cf, "push.dhis2.data_elements"), *g;
	const struct config_data_element *e;
	int stock;
	size_t i, j;

	for (i = 0; i < p->ndata_elements; i++) {
		e = &p->data_elements[i];
		g = ls != NULL ? config_setting_get_elem(ls, (unsigned int)i) : NULL;
		if (e->kind == NULL)
			continue;
		stock = strcmp(e->kind, "labour") == 0 || strcmp(e->kind, "trained") == 0;
		if (stock && e->trade != NULL)
			report(l, g, 0, "the %s data element takes no \"trade\"", e->kind);
		else if (!stock && e->trade == NULL)
			report(l, g, 0, "the %s data element needs a \"trade\"", e->kind);
		else if (e->trade != NULL && !has_trade(l->cfg, e->trade))
			report(l, g, 0, "data element of trade %s: no such trade in \"trades\"",
			       e->trade);
		for (j = 0; j < i; j++) {
			if (same_element(&p->data_elements[j], e)) {
				report(l, g, 0, "%s %s has two data elements", e->kind,
				       e->trade != NULL ? e->trade : "");
				break;
			}
		}
	}
}

/* The defaults that depend on the format, then the checks that need several
 * settings at once. */
void
finish_push(struct loader *l, const config_t *cf)
{
	struct config_push *p = &l->cfg->push;
	const config_setting_t *g = config_lookup(cf, "push");
	struct stat sb;

	if (g == NULL || p->url == NULL)
		return;
	if (p->format == NULL)
		p->format = copy(l, "json");
	if (p->auth_scheme == NULL)
		p->auth_scheme = copy(l, strcmp(p->format, "dhis2") == 0 ? "ApiToken" : "Bearer");
	if (p->retry_min_ms > p->retry_max_ms)
		report(l, config_lookup(cf, "push.retry_max_ms"), 0,
		       "\"retry_min_ms\" (%d) must not be greater than \"retry_max_ms\" (%d)",
		       p->retry_min_ms, p->retry_max_ms);
	check_token_file(l, cf);
	if (p->ca_file != NULL && stat(p->ca_file, &sb) == -1)
		report(l, config_lookup(cf, "push.ca_file"), 1, "ca_file \"%s\": %s", p->ca_file,
		       strerror(errno));
	if (p->format == NULL || strcmp(p->format, "dhis2") != 0) {
		if (config_lookup(cf, "push.dhis2") != NULL)
			report(l, config_lookup(cf, "push.dhis2"), 1,
			       "\"dhis2\" is ignored unless format = \"dhis2\"");
		return;
	}
	if (config_lookup(cf, "push.dhis2") == NULL) {
		report(l, g, 0,
		       "format \"dhis2\" needs a \"dhis2\" group (data set, org units, "
		       "data elements)");
		return;
	}
	check_org_units(l, cf);
	check_data_elements(l, cf);
}
