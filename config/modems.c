/*
 * modems.c - the modems: the "gammu" group (the one modem of a file without
 * "modems"), the "modems" list and "modem_checks" (gateway/sim/health.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impl.h"

static int
check_modem_name(struct loader *l, const config_setting_t *s, const char *v)
{
	size_t n = strlen(v);

	if (n >= 1 && n <= CONFIG_MODEM_NAME_MAX &&
	    strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n)
		return 0;
	report(l, s, 0,
	       "\"%s\" must be 1 to %d letters, digits, '_' or '-' (\"viettel\", \"modem-2\"), "
	       "not \"%s\"",
	       label(s), CONFIG_MODEM_NAME_MAX, v);
	return -1;
}

#define MOFF(f) offsetof(struct config_modem, f)

/* clang-format off */
const struct key gammu_keys[] = {
	KSTR("rc", 1, OFF(gammurc), check_nonempty),
	KINT("section", 0, 0, INT_MAX, OFF(gammu_section)),
	KEND,
};

const struct key modem_keys[] = {
	KSTR("name", 1, MOFF(name), check_modem_name),
	KSTR("rc", 0, MOFF(gammurc), check_nonempty),
	KINT("section", 0, 0, 1000, MOFF(section)),
	KBOOL("send", 0, MOFF(send)),
	KEND,
};

const struct key modem_checks_keys[] = {
	KINT("interval", 0, 1, 86400, OFF(modem_checks.interval)),
	KINT("network_lost_alert", 0, 0, 7 * 86400, OFF(modem_checks.network_lost_alert)),
	KINT("record_every", 0, 1, 86400, OFF(modem_checks.record_every)),
	KINT("keep_days", 0, 1, 3660, OFF(modem_checks.keep_days)),
	KEND,
};
/* clang-format on */

/* Whether the gammurc at path has a section [gammu] (0) or [gammuN]:
 * 1 yes, 0 no, -1 unreadable. */
static int
has_section(const char *path, int section)
{
	char line[256], want[32];
	FILE *f;
	int found = 0;

	if (section == 0)
		snprintf(want, sizeof(want), "[gammu]");
	else
		snprintf(want, sizeof(want), "[gammu%d]", section);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strncmp(line + strspn(line, " \t"), want, strlen(want)) == 0;
	fclose(f);
	return found;
}

/*
 * The modems: the `modems` list, or the `gammu` group as one modem named
 * "modem".  A warning when gammu.rc is missing; names unique, each section
 * present in its gammurc (when the file can be read), and a warning when none
 * may send.
 */
void
finish_modems(struct loader *l, const config_t *cf)
{
	struct config *cfg = l->cfg;
	const config_setting_t *list = config_lookup(cf, "modems"), *e, *o;
	struct config_modem *m;
	char at[PATH_MAX + 16];
	size_t i, j, nsend = 0;
	struct stat st;

	/* Only a warning: check-config and parse must work on a machine that
	 * has no modem. */
	if (cfg->gammurc != NULL && cfg->gammurc[0] != '\0' && stat(cfg->gammurc, &st) == -1)
		report(l, config_lookup(cf, "gammu.rc"), 1,
		       "gammu.rc file \"%s\": %s; the gateway cannot reach the modem without it",
		       cfg->gammurc, strerror(errno));
	if (list == NULL || cfg->nmodems == 0) {
		cfg->modems = calloc(1, sizeof(*cfg->modems));
		if (cfg->modems == NULL) {
			report(l, NULL, 0, "out of memory");
			return;
		}
		cfg->nmodems = 1;
		cfg->modems[0].name = copy(l, "modem");
		cfg->modems[0].gammurc = cfg->gammurc != NULL ? copy(l, cfg->gammurc) : NULL;
		cfg->modems[0].section = cfg->gammu_section;
		cfg->modems[0].send = 1;
		return;
	}
	for (i = 0; i < cfg->nmodems; i++) {
		m = &cfg->modems[i];
		e = config_setting_get_elem(list, (unsigned int)i);
		if (config_setting_get_member(e, "send") == NULL)
			m->send = 1;
		nsend += m->send != 0;
		if (m->gammurc == NULL)
			m->gammurc = cfg->gammurc != NULL ? copy(l, cfg->gammurc) : NULL;
		else
			resolve(l, &m->gammurc);
		if (m->name == NULL || m->gammurc == NULL)
			continue;
		for (j = 0; j < i; j++) {
			if (cfg->modems[j].name == NULL ||
			    strcmp(cfg->modems[j].name, m->name) != 0)
				continue;
			o = string_member(config_setting_get_elem(list, (unsigned int)j), "name");
			where(l, string_member(e, "name"), o, at, sizeof(at));
			report(l, string_member(e, "name"), 0,
			       "duplicate modem name \"%s\" (first at %s)", m->name, at);
			break;
		}
		if (has_section(m->gammurc, m->section) == 0)
			report(l, e, 0, "modem \"%s\": %s has no section [gammu%.0d]", m->name,
			       m->gammurc, m->section);
	}
	if (nsend == 0)
		report(l, list, 1,
		       "no modem has \"send = true\": replies, digests and alerts stay in the "
		       "outbox");
}
