/*
 * benchdb.c - see benchdb.h.
 */
#include <stdio.h>

#include <sqlite3.h>

#include "benchdb.h"
#include "clock.h"
#include "config.h"
#include "store.h"

/* The reports: commune, trade and kind cycle with coprime periods; 10% are
 * LABOUR, 1% cancelled; stored (and sent) through 2022 in Vietnam.  ?1
 * reports, ?2 and ?3 the numbers of communes and trades, ?4 the first time,
 * ?5 the time between two reports, ?6 the start of the second half. */
static const char generate[] =
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)"
    " INSERT INTO reports(inbox_id, kind, commune_code, commune, trade_code, trade, count,"
    " trained, year, half, sender, created, cancelled)"
    " SELECT 1, CASE WHEN i % 10 = 0 THEN 'labour' WHEN i % 5 < 2 THEN 'enrol'"
    " WHEN i % 5 = 2 THEN 'grad' WHEN i % 5 = 3 THEN 'job' ELSE 'need' END,"
    " (SELECT code FROM bench_c WHERE k = i % ?2), 'Xa',"
    " CASE WHEN i % 10 = 0 THEN NULL ELSE (SELECT code FROM bench_t WHERE k = i % ?3) END,"
    " CASE WHEN i % 10 = 0 THEN NULL ELSE 'Nghe' END,"
    " CASE WHEN i % 10 = 0 THEN 2000 + i % 3000 ELSE 1 + i % 40 END,"
    " CASE WHEN i % 10 = 0 THEN 500 + i % 1500 ELSE 0 END, 2022,"
    " CASE WHEN ?4 + i * ?5 < ?6 THEN 1 ELSE 2 END, '+84913000001', ?4 + i * ?5,"
    " i % 100 = 7 FROM n";

/* ["06385","06388",...] and ["HAN",...] from the configuration. */
static void
codes(const struct config *cfg, int trades, char *buf, size_t size)
{
	size_t i, n = trades ? cfg->ntrades : cfg->ncommunes, len = 0;

	len += (size_t)snprintf(buf, size, "[");
	for (i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s\"%s\"", i > 0 ? "," : "",
					trades ? cfg->trades[i].code : cfg->communes[i].code);
	if (len < size)
		snprintf(buf + len, size - len, "]");
}

/* Fills a temporary table k -> code from a JSON array of codes. */
static int
codes_table(sqlite3 *db, const char *table, const char *json)
{
	char sql[128];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql), "INSERT INTO %s SELECT key, value FROM json_each(?1)", table);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

static int
fill(const char *path, const struct config *cfg, long n)
{
	char communes[4096], trades[4096];
	int64_t from = clock_from_local(2022, 1, 1, 0, 0), to = clock_from_local(2023, 1, 1, 0, 0);
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	int rc = -1;

	codes(cfg, 0, communes, sizeof(communes));
	codes(cfg, 1, trades, sizeof(trades));
	if (sqlite3_open(path, &db) != SQLITE_OK)
		goto done;
	if (sqlite3_exec(db,
			 "PRAGMA synchronous = OFF; BEGIN; INSERT INTO inbox(sender, received, "
			 "text, coding, fingerprint) VALUES ('+84913000001', 0, 'x', 'gsm7', 'b');"
			 "CREATE TEMP TABLE bench_c(k INTEGER PRIMARY KEY, code TEXT);"
			 "CREATE TEMP TABLE bench_t(k INTEGER PRIMARY KEY, code TEXT)",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    codes_table(db, "bench_c", communes) == -1 ||
	    codes_table(db, "bench_t", trades) == -1 ||
	    sqlite3_prepare_v2(db, generate, -1, &st, NULL) != SQLITE_OK)
		goto done;
	sqlite3_bind_int64(st, 1, n);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)cfg->ncommunes);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)cfg->ntrades);
	sqlite3_bind_int64(st, 4, from);
	sqlite3_bind_int64(st, 5, (to - from) / (n + 1));
	sqlite3_bind_int64(st, 6, clock_from_local(2022, 7, 1, 0, 0));
	if (sqlite3_step(st) != SQLITE_DONE ||
	    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto done;
	rc = 0;
done:
	if (rc == -1)
		fprintf(stderr, "benchdb: %s\n", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

int
benchdb_create(const char *path, const struct config *cfg, long n)
{
	struct store *st = store_open(path, 0); /* creates the schema */

	if (st == NULL)
		return -1;
	store_close(st);
	return fill(path, cfg, n);
}
