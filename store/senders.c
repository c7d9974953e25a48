/*
 * senders.c - the registered senders (table senders).
 */
#include <string.h>

#include "impl.h"
#include "log.h"

int
store_sender_put(struct store *st, const struct store_sender *snd, int64_t now)
{
	enum stmt id = S_SENDER_PUT;
	int rc = -1;

	stmt_get(st, id);
	if (bind_text(st, id, 1, snd->number) == 0 && bind_text(st, id, 2, snd->name) == 0 &&
	    bind_text(st, id, 3, snd->role) == 0 &&
	    bind_text(st, id, 4, snd->commune_code[0] != '\0' ? snd->commune_code : NULL) == 0 &&
	    bind_int(st, id, 5, snd->active) == 0 && bind_int(st, id, 6, now) == 0)
		rc = stmt_step(st, id) == -1 ? -1 : 0;
	stmt_put(st, id);
	return rc;
}

static void
sender_row(sqlite3_stmt *s, struct store_sender *snd)
{
	memset(snd, 0, sizeof(*snd));
	column_copy(s, 0, snd->number, sizeof(snd->number));
	column_copy(s, 1, snd->name, sizeof(snd->name));
	column_copy(s, 2, snd->role, sizeof(snd->role));
	column_copy(s, 3, snd->commune_code, sizeof(snd->commune_code));
	snd->active = sqlite3_column_int(s, 4);
}

int
store_sender_get(struct store *st, const char *number, struct store_sender *snd)
{
	enum stmt id = S_SENDER_GET;
	int bound, rc;

	stmt_get(st, id);
	bound = bind_text(st, id, 1, number) == 0;
	rc = stmt_row(st, id, bound);
	if (rc == 1) {
		sender_row(st->stmt[id], snd);
		stmt_put(st, id);
	}
	return rc;
}

int
store_sender_remove(struct store *st, const char *number, int64_t now)
{
	enum stmt id = S_SENDER_REMOVE;
	int rc = -1;

	stmt_get(st, id);
	if (bind_text(st, id, 1, number) == 0 && bind_int(st, id, 2, now) == 0 &&
	    stmt_step(st, id) != -1)
		rc = sqlite3_changes(st->db) > 0 ? 1 : 0;
	stmt_put(st, id);
	return rc;
}

struct sender_walk {
	int (*cb)(void *arg, const struct store_sender *snd);
	void *arg;
};

static int
sender_walk_row(void *ctx, sqlite3_stmt *s)
{
	struct sender_walk *w = ctx;
	struct store_sender snd;

	sender_row(s, &snd);
	return w->cb(w->arg, &snd) != 0;
}

int
store_senders_foreach(struct store *st, int (*cb)(void *arg, const struct store_sender *snd),
		      void *arg)
{
	struct sender_walk w = {cb, arg};

	if (walk_start(st, S_SENDER_ALL) == NULL)
		return -1;
	return walk_rows(st, S_SENDER_ALL, 1, sender_walk_row, &w) == -1 ? -1 : 0;
}

int64_t
store_sender_managers(struct store *st)
{
	stmt_get(st, S_SENDER_MANAGERS);
	return count_of(st, S_SENDER_MANAGERS, 1);
}
