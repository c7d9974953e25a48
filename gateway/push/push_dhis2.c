/*
 * push_dhis2.c - the DHIS2 format (push.format "dhis2"): aggregate data
 * values to {url}/api/dataValueSets, and the ImportSummary that decides.
 *
 * A data value is a total, not an increment, so the value sent for a cell
 * (data element, category option combo, org unit, month) is the sum of the
 * stored reports of that cell, read when the request is made.  Sending it
 * again is harmless, which is what makes the import exactly-once.  A
 * request carries the report events of one commune and one month (the
 * body's orgUnit and period), oldest first; events with no DHIS2 value
 * (rejections, SMS outcomes, status) are marked sent with a note, reports
 * of a commune or trade without a mapping are parked.  See push_impl.h.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "push_impl.h"

#define NOT_FOR_DHIS2 "not sent: no DHIS2 value for this event"

/* ---- The body --------------------------------------------------------- */

static const char *
org_unit(const struct config_push *pc, const char *commune)
{
	size_t i;

	for (i = 0; i < pc->norg_units; i++) {
		if (strcmp(pc->org_units[i].commune, commune) == 0)
			return pc->org_units[i].org_unit;
	}
	return NULL;
}

static int
element_is(const struct config_data_element *e, const char *kind, const char *trade)
{
	if (strcmp(e->kind, kind) != 0)
		return 0;
	if (e->trade == NULL || trade == NULL)
		return e->trade == trade;
	return strcmp(e->trade, trade) == 0;
}

/* Marks the data elements a report feeds; returns how many. */
static int
mark_elements(struct push *p, const struct store_push_row *row)
{
	const struct config_push *pc = p->pc;
	int labour = strcmp(row->kind, "labour") == 0, n = 0;
	size_t i;

	for (i = 0; i < pc->ndata_elements; i++) {
		if (element_is(&pc->data_elements[i], row->kind, row->trade_code) ||
		    (labour && element_is(&pc->data_elements[i], "trained", NULL))) {
			p->used[i] = 1;
			n++;
		}
	}
	return n;
}

static int
has_elements(const struct push *p, const struct store_push_row *row)
{
	const struct config_push *pc = p->pc;
	int labour = strcmp(row->kind, "labour") == 0;
	size_t i;

	for (i = 0; i < pc->ndata_elements; i++) {
		if (element_is(&pc->data_elements[i], row->kind, row->trade_code) ||
		    (labour && element_is(&pc->data_elements[i], "trained", NULL)))
			return 1;
	}
	return 0;
}

/* Decides an event that cannot go to DHIS2 locally; 1 when it did. */
static int
dhis2_local(struct push *p, const struct store_push_row *row)
{
	char why[160];

	if (row->event == NULL) {
		push_add_local(p, row->id, 1, "gateway: the stored payload is not valid JSON");
		return 1;
	}
	if (row->kind == NULL) {
		if (strncmp(row->type, "report.", 7) == 0)
			push_add_local(p, row->id, 1,
				       "gateway: the event's report is not in the database");
		else
			push_add_local(p, row->id, 0, NOT_FOR_DHIS2);
		return 1;
	}
	if (org_unit(p->pc, row->commune_code) == NULL) {
		snprintf(why, sizeof(why), "gateway: no DHIS2 org unit for commune %s",
			 row->commune_code);
		push_add_local(p, row->id, 1, why);
		return 1;
	}
	if (!has_elements(p, row)) {
		snprintf(why, sizeof(why), "gateway: no DHIS2 data element for %s %s", row->kind,
			 row->trade_code != NULL ? row->trade_code : "");
		push_add_local(p, row->id, 1, why);
		return 1;
	}
	return 0;
}

int
push_dhis2_row(void *arg, const struct store_push_row *row)
{
	struct push *p = arg;

	if (dhis2_local(p, row))
		return 0;
	if (row->month == NULL || strlen(row->commune_code) >= sizeof(p->commune) ||
	    strlen(row->month) >= sizeof(p->month)) {
		push_add_local(p, row->id, 1, "gateway: the event's report has no usable month");
		return 0;
	}
	if (p->nids == 0) {
		snprintf(p->commune, sizeof(p->commune), "%s", row->commune_code);
		snprintf(p->month, sizeof(p->month), "%s", row->month);
		p->org_unit = org_unit(p->pc, row->commune_code);
	} else if (strcmp(p->commune, row->commune_code) != 0 ||
		   strcmp(p->month, row->month) != 0) {
		return 1; /* another body: the next batch */
	}
	mark_elements(p, row);
	p->ids[p->nids++] = row->id;
	return 0;
}

static int
dhis2_values(struct push *p)
{
	const struct config_push *pc = p->pc;
	const struct config_data_element *e;
	long count, trained;
	int first = 1;
	size_t i;

	for (i = 0; i < pc->ndata_elements; i++) {
		if (!p->used[i])
			continue;
		e = &pc->data_elements[i];
		if (store_push_cell(p->st, strcmp(e->kind, "trained") == 0 ? "labour" : e->kind,
				    p->commune, e->trade, p->month, &count, &trained) == -1)
			return -1;
		buf_puts(&p->body, first ? "{" : ",{");
		first = 0;
		json_key(&p->body, "dataElement", 1);
		json_str(&p->body, e->data_element);
		json_key(&p->body, "categoryOptionCombo", 0);
		json_str(&p->body, e->category_option_combo);
		json_key(&p->body, "value", 0);
		buf_printf(&p->body, "\"%ld\"}", strcmp(e->kind, "trained") == 0 ? trained : count);
	}
	return 0;
}

int
push_dhis2_body(struct push *p)
{
	buf_puts(&p->body, "{");
	json_key(&p->body, "dataSet", 1);
	json_str(&p->body, p->pc->data_set);
	json_key(&p->body, "period", 0);
	json_str(&p->body, p->month);
	json_key(&p->body, "orgUnit", 0);
	json_str(&p->body, p->org_unit);
	json_key(&p->body, "dataValues", 0);
	buf_puts(&p->body, "[");
	if (dhis2_values(p) == -1)
		return -1;
	buf_puts(&p->body, "]}");
	return 0;
}

/* ---- The verdict ------------------------------------------------------ */

/*
 * DHIS2: the ImportSummary, at the top (older servers) or under "response"
 * (2.38 and later, which also answer 409 when there are conflicts).
 */
enum verdict
push_dhis2_verdict(struct push *p, long code)
{
	const char *a = buf_str(&p->answer);
	char type[16], status[32], conflicts[8];
	const char *at = "$.response";
	char path[64];

	if ((code < 200 || code > 299) && code != 409)
		return push_json_verdict(p, code);
	if (store_json_valid(p->st, a) != 1)
		return push_json_verdict(p, code);
	if (store_json_get(p->st, a, "$.response.responseType", type, sizeof(type), status,
			   sizeof(status)) != 1 ||
	    strcmp(status, "ImportSummary") != 0)
		at = "$";
	snprintf(path, sizeof(path), "%s.status", at);
	if (store_json_get(p->st, a, path, type, sizeof(type), status, sizeof(status)) != 1 ||
	    strcmp(type, "text") != 0) {
		if (code == 409)
			return push_json_verdict(p, code);
		push_answer_error(p, code);
		snprintf(p->err + strlen(p->err), sizeof(p->err) - strlen(p->err),
			 " (not an ImportSummary)");
		return V_FAIL;
	}
	snprintf(path, sizeof(path), "%s.conflicts[0]", at);
	if (store_json_get(p->st, a, path, type, sizeof(type), conflicts, sizeof(conflicts)) == -1)
		return V_FAIL;
	/* A 409 accepts nothing, whatever the summary says (found by the fuzzer:
	 * a 409 with a summary the server mangled marked the batch sent). */
	if (type[0] == '\0' && code != 409 &&
	    (strcmp(status, "SUCCESS") == 0 || strcmp(status, "WARNING") == 0))
		return V_OK;
	push_answer_error(p, code);
	return V_CONTENT;
}
