/*
 * smsd.c - reading gammu-smsd's database (see store.h): another program's
 * file, opened read-only, never written, with statements of its own.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "impl.h"
#include "store.h"

#define SMSD_VERSION_MIN 14
#define SMSD_VERSION_MAX 17

/* gammu.Version within the versions whose inbox we know.  0 or -1. */
static int
check_version(sqlite3 *db, char *why, size_t whysz)
{
	sqlite3_stmt *s = NULL;
	int v = -1;

	if (sqlite3_prepare_v2(db, "SELECT Version FROM gammu", -1, &s, NULL) != SQLITE_OK) {
		snprintf(why, whysz, "not a gammu-smsd database (no table \"gammu\": %s)",
			 sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (v < SMSD_VERSION_MIN || v > SMSD_VERSION_MAX) {
		snprintf(why, whysz,
			 "gammu-smsd schema version %d: this import reads versions %d to %d "
			 "(gammu up to 1.42)",
			 v, SMSD_VERSION_MIN, SMSD_VERSION_MAX);
		return -1;
	}
	return 0;
}

int
store_smsd_foreach(const char *path, int (*cb)(void *arg, const struct store_smsd_sms *sms),
		   void *arg, char *why, size_t whysz)
{
	struct store_smsd_sms sms;
	sqlite3_stmt *s = NULL;
	sqlite3 *db = NULL;
	int rc, r = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(why, whysz, "%s", db != NULL ? sqlite3_errmsg(db) : "out of memory");
		goto done;
	}
	if (check_version(db, why, whysz) == -1)
		goto done;
	if (sqlite3_prepare_v2(db,
			       "SELECT ID, SenderNumber, ReceivingDateTime, Coding, UDH, "
			       "TextDecoded, Text FROM inbox ORDER BY ID",
			       -1, &s, NULL) != SQLITE_OK) {
		snprintf(why, whysz, "its inbox table cannot be read: %s", sqlite3_errmsg(db));
		goto done;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		sms.id = sqlite3_column_int64(s, 0);
		sms.sender = column_text(s, 1);
		sms.when = column_text(s, 2);
		sms.coding = column_text(s, 3);
		sms.udh = column_text(s, 4);
		sms.decoded = column_text(s, 5);
		sms.hex = column_text(s, 6);
		if (cb(arg, &sms) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		snprintf(why, whysz, "reading its inbox: %s", sqlite3_errmsg(db));
		goto done;
	}
	r = 0;
done:
	sqlite3_finalize(s);
	sqlite3_close(db);
	return r;
}
