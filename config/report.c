/*
 * report.c - the "report" group: who writes and signs the plan report, and
 * where the gateway files it (gateway/report/report.h).
 */
#include <string.h>

#include "impl.h"

/* The report's CSV field separator: "," for machines, ";" for the list
 * separator of a Vietnamese-locale Excel. */
static int
check_separator(struct loader *l, const config_setting_t *s, const char *v)
{
	if (strcmp(v, ",") == 0 || strcmp(v, ";") == 0)
		return 0;
	report(l, s, 0, "\"%s\" must be \",\" or \";\", not \"%s\"", label(s), v);
	return -1;
}

/* clang-format off */
#define ROFF(f) OFF(report.f)
const struct key report_keys[] = {
	KSTR("dir", 0, ROFF(dir), check_nonempty),
	KSTR("csv_separator", 0, ROFF(csv_separator), check_separator),
	KSTR("parent_agency", 0, ROFF(parent_agency), check_utf8),
	KSTR("agency", 0, ROFF(agency), check_utf8),
	KSTR("agency_short", 0, ROFF(agency_short), check_utf8),
	KSTR("place", 0, ROFF(place), check_utf8),
	KSTRS("recipients", 0, 0, ROFF(recipients), ROFF(nrecipients), check_utf8),
	KSTR("signer_authority", 0, ROFF(signer_authority), check_utf8),
	KSTR("signer_title", 0, ROFF(signer_title), check_utf8),
	KSTR("signer_name", 0, ROFF(signer_name), check_utf8),
	KEND,
};
/* clang-format on */
