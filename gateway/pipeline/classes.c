/*
 * classes.c - training classes in the pipeline (stage.h): the reports that
 * name a class take its commune and trade; who may open and close classes,
 * and storing them.
 */
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "identity.h"
#include "log.h"
#include "parser.h"
#include "pipeline.h"
#include "stage.h"
#include "store.h"

int
stage_commune_index(const struct parser *p, const char *code)
{
	size_t i, n = parser_ncommunes(p);

	for (i = 0; i < n; i++)
		if (strcmp(parser_commune_code(p, (int)i), code) == 0)
			return (int)i;
	return -1;
}

static int
trade_index(const struct parser *p, const char *code)
{
	size_t i, n = parser_ntrades(p);

	for (i = 0; i < n; i++)
		if (strcmp(parser_trade_code(p, (int)i), code) == 0)
			return (int)i;
	return -1;
}

/* The item before i in the same SMS that opens the class with this key. */
static const struct parser_item *
opened_before(const struct parser_result *res, size_t i, const char *key)
{
	char k[PARSER_MAX_CLASS + 1];
	size_t j;

	for (j = 0; j < i; j++) {
		if (res->items[j].kind != PARSER_CLASS_OPEN)
			continue;
		parser_class_key(res->items[j].class_code, k, sizeof(k));
		if (strcmp(k, key) == 0)
			return &res->items[j];
	}
	return NULL;
}

/* Takes the commune and trade of report item i from its class: one opened
 * earlier in the same SMS, or one in the database.  1 found, 0 not, -1. */
static int
class_item(const struct config *cfg, struct store *st, struct parser_result *res, size_t i)
{
	struct parser_item *it = &res->items[i];
	const struct parser_item *op;
	struct store_class_row row;
	char key[PARSER_MAX_CLASS + 1];
	int r;

	parser_class_key(it->class_code, key, sizeof(key));
	op = opened_before(res, i, key);
	if (op != NULL) {
		it->commune = op->commune;
		it->trade = op->trade;
		return 1;
	}
	if (st == NULL)
		return 0;
	r = store_class_find(st, key, &row);
	if (r != 1)
		return r;
	/* A class of a commune or trade since removed from the configuration. */
	it->commune = stage_commune_index(cfg->parser, row.commune_code);
	it->trade = trade_index(cfg->parser, row.trade_code);
	return it->commune >= 0 && it->trade >= 0;
}

int
pipeline_resolve_classes(const struct config *cfg, struct store *st, struct parser_result *res)
{
	size_t i;
	int r;

	if (res->error != PARSER_OK)
		return 0;
	for (i = 0; i < res->nitems; i++) {
		if (res->items[i].class_code[0] == '\0' || res->items[i].kind > PARSER_LABOUR)
			continue;
		r = class_item(cfg, st, res, i);
		if (r == -1)
			return -1;
		if (r == 0) {
			parser_unknown_class(res, i);
			return 0;
		}
	}
	return 0;
}

/*
 * Checks what the database must allow before a CLASS OPEN or CLOSE is
 * stored, so that a message of several parts is stored whole or not at all.
 * Returns 0 (fine), 1 with *error and reply set, or -1.
 */
int
stage_check_classes(struct msgctx *c)
{
	const struct parser_result *res = &c->res;
	const struct parser_item *it;
	struct store_class_row row;
	char key[PARSER_MAX_CLASS + 1];
	size_t i;
	int r;

	for (i = 0; i < res->nitems; i++) {
		it = &res->items[i];
		if (it->kind != PARSER_CLASS_OPEN && it->kind != PARSER_CLASS_CLOSE)
			continue;
		r = identity_may_manage_classes(c->cfg, c->st, &c->who);
		if (r == -1)
			return -1;
		if (r == 0) {
			c->error = "not_allowed";
			snprintf(c->reply, sizeof(c->reply),
				 "Loi: so nay khong duoc mo/dong lop. Lien he "
				 "Phong LDTBXH huyen.");
			return 1;
		}
		parser_class_key(it->class_code, key, sizeof(key));
		r = store_class_find(c->st, key, &row);
		if (r == -1)
			return -1;
		if (it->kind == PARSER_CLASS_OPEN && (r == 1 || opened_before(res, i, key))) {
			c->error = "class_exists";
			snprintf(c->reply, sizeof(c->reply), "Loi: lop %s da co. Dung ma lop khac.",
				 it->class_code);
			return 1;
		}
		if (it->kind == PARSER_CLASS_CLOSE && (r == 0 || !row.open) &&
		    opened_before(res, i, key) == NULL) {
			c->error = "class_not_open";
			snprintf(c->reply, sizeof(c->reply), "Loi: khong co lop %s dang mo.",
				 it->class_code);
			return 1;
		}
	}
	return 0;
}

/* Stores the CLASS OPEN and CLOSE items (checked by stage_check_classes()). */
int
stage_store_classes(struct msgctx *c)
{
	const struct parser *p = c->cfg->parser;
	const struct parser_result *res = &c->res;
	const struct parser_item *it;
	char key[PARSER_MAX_CLASS + 1];
	size_t i;

	for (i = 0; i < res->nitems; i++) {
		it = &res->items[i];
		parser_class_key(it->class_code, key, sizeof(key));
		if (it->kind == PARSER_CLASS_OPEN) {
			struct store_class cl = {key,
						 it->class_code,
						 parser_commune_code(p, it->commune),
						 parser_trade_code(p, it->trade),
						 it->count,
						 c->msg->sender,
						 clock_now()};
			if (store_class_open(c->st, &cl) == -1)
				return -1;
			log_info("  class %s opened", it->class_code);
		} else if (it->kind == PARSER_CLASS_CLOSE) {
			if (store_class_close(c->st, key, clock_now()) == -1)
				return -1;
			log_info("  class %s closed", it->class_code);
		}
	}
	return 0;
}
