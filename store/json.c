/*
 * json.c - JSON read through SQLite's JSON1 functions.
 */
#include <string.h>

#include "impl.h"
#include "log.h"

int
store_json_valid(struct store *st, const char *json)
{
	enum stmt id = S_JSON_VALID;
	int v;

	stmt_get(st, id);
	if (bind_text(st, id, 1, json) == -1 || stmt_step(st, id) != SQLITE_ROW) {
		stmt_put(st, id);
		return -1;
	}
	v = sqlite3_column_int(st->stmt[id], 0);
	stmt_put(st, id);
	return v != 0;
}

int
store_json_get(struct store *st, const char *json, const char *path, char *type, size_t typesz,
	       char *val, size_t valsz)
{
	enum stmt id = S_JSON_GET;
	sqlite3_stmt *s;

	if (typesz > 0)
		type[0] = '\0';
	if (valsz > 0)
		val[0] = '\0';
	s = stmt_get(st, id);
	if (bind_text(st, id, 1, json) == -1 || bind_text(st, id, 2, path) == -1 ||
	    stmt_step(st, id) != SQLITE_ROW) {
		stmt_put(st, id);
		return -1;
	}
	if (sqlite3_column_type(s, 0) == SQLITE_NULL) {
		stmt_put(st, id);
		return 0;
	}
	if (typesz > 0)
		column_copy(s, 0, type, typesz);
	if (valsz > 0)
		column_copy(s, 1, val, valsz);
	stmt_put(st, id);
	return 1;
}
