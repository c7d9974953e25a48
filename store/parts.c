/*
 * parts.c - multipart SMS (table inbox_parts): the parts kept until
 * their message is complete, or joined with gaps when it never will be.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impl.h"
#include "log.h"

/* Binds ?1..?3, the parts set of a part, on a PART_SET statement. */
static int
bind_set(struct store *st, enum stmt id, const struct store_part *part)
{
	if (bind_text(st, id, 1, part->sender) == -1 ||
	    bind_int(st, id, 2, part->concat_ref) == -1 ||
	    bind_int(st, id, 3, part->part_count) == -1)
		return -1;
	return 0;
}

/* Returns 1 when the part was new, 0 when its fingerprint was known. */
static int
insert_part(struct store *st, const struct store_part *part)
{
	enum stmt id = S_PART_ADD;

	stmt_get(st, id);
	if (bind_text(st, id, 1, part->sender) == -1 ||
	    bind_int(st, id, 2, part->concat_ref) == -1 ||
	    bind_int(st, id, 3, part->part_no) == -1 ||
	    bind_int(st, id, 4, part->part_count) == -1 ||
	    bind_int(st, id, 5, part->smsc_time) == -1 ||
	    bind_int(st, id, 6, part->received) == -1 || bind_text(st, id, 7, part->text) == -1 ||
	    bind_text(st, id, 8, part->coding) == -1 ||
	    bind_text(st, id, 9, part->fingerprint) == -1 ||
	    bind_text(st, id, 10, part->modem) == -1 || stmt_step(st, id) == -1) {
		stmt_put(st, id);
		return -1;
	}
	stmt_put(st, id);
	if (sqlite3_changes(st->db) == 1)
		return 1;
	stmt_get(st, S_PART_COPY);
	if (bind_text(st, S_PART_COPY, 1, part->fingerprint) == -1 ||
	    stmt_step(st, S_PART_COPY) == -1) {
		stmt_put(st, S_PART_COPY);
		return -1;
	}
	stmt_put(st, S_PART_COPY);
	return 0;
}

/* Returns 1 when every part number of the set is there. */
static int
set_complete(struct store *st, const struct store_part *part)
{
	int64_t n;

	stmt_get(st, S_PART_COUNT);
	if (bind_set(st, S_PART_COUNT, part) == -1 || stmt_step(st, S_PART_COUNT) != SQLITE_ROW) {
		stmt_put(st, S_PART_COUNT);
		return -1;
	}
	n = sqlite3_column_int64(st->stmt[S_PART_COUNT], 0);
	stmt_put(st, S_PART_COUNT);
	/* The CHECK keeps part numbers within 1..part_count, so as many
	 * distinct numbers as parts means all of them. */
	return n == part->part_count;
}

/* The joined message while it is being read from the parts. */
struct joined {
	char *text;
	size_t len, size;
	char *coding;
	char *fingerprint;
	char *modem;
	int64_t smsc_time;
	int64_t received;
	unsigned char gaps[256]; /* partial joins: gaps[k], part k is missing */
};

static int
append(struct joined *j, const char *s, size_t len)
{
	size_t nsize;
	char *p;

	if (j->len + len + 1 > j->size) {
		nsize = j->size == 0 ? 512 : j->size;
		while (nsize < j->len + len + 1)
			nsize *= 2;
		p = realloc(j->text, nsize);
		if (p == NULL) {
			log_warn("store: realloc");
			return -1;
		}
		j->text = p;
		j->size = nsize;
	}
	memcpy(j->text + j->len, s, len);
	j->len += len;
	j->text[j->len] = '\0';
	return 0;
}

#define GAP " … " /* where a missing part was */

/* Marks part k missing in a partial join. */
static int
gap(struct joined *j, int64_t k)
{
	if (k > 0 && k < (int64_t)sizeof(j->gaps))
		j->gaps[k] = 1;
	return append(j, GAP, strlen(GAP));
}

/*
 * The missing parts of j as the sender is told them: "2", "2,3", runs of
 * three or more as "2-14", at most MISSING_MAX characters; what does not
 * fit becomes a final ",...", never a number cut or a dangling comma.
 */
#define MISSING_MAX 24
static void
missing_list(const struct joined *j, int count, char *out, size_t outsz)
{
	char item[24];
	size_t len = 0, max = outsz - 1 < MISSING_MAX ? outsz - 1 : MISSING_MAX;
	int i, k, end, more, n = count < (int)sizeof(j->gaps) ? count : (int)sizeof(j->gaps) - 1;

	out[0] = '\0';
	for (k = 1; k <= n; k = end + 1) {
		end = k;
		if (!j->gaps[k])
			continue;
		while (end < n && j->gaps[end + 1])
			end++;
		if (end - k >= 2)
			snprintf(item, sizeof(item), "%s%d-%d", len > 0 ? "," : "", k, end);
		else if (end > k)
			snprintf(item, sizeof(item), "%s%d,%d", len > 0 ? "," : "", k, end);
		else
			snprintf(item, sizeof(item), "%s%d", len > 0 ? "," : "", k);
		for (more = 0, i = end + 1; i <= n && !more; i++)
			more = j->gaps[i];
		/* Room left for ",..." after this item, unless it is the last. */
		if (len + strlen(item) + (more ? 4 : 0) > max) {
			snprintf(out + len, outsz - len, ",...");
			return;
		}
		memcpy(out + len, item, strlen(item) + 1);
		len += strlen(item);
	}
}

/*
 * Reads a complete set in part order (group_concat() has no reliable order)
 * into j.  A part number may appear twice with different fingerprints when a
 * phone reused its 8-bit reference before an older message was complete:
 * the rows come highest id first within a number, and the most recent one is
 * taken.
 */
static int
read_parts(struct store *st, const struct store_part *part, struct joined *j, int partial)
{
	sqlite3_stmt *s;
	const char *text;
	int64_t no, k, last = 0;
	int rc;

	s = stmt_get(st, S_PART_LIST);
	if (bind_set(st, S_PART_LIST, part) == -1)
		goto fail;
	for (;;) {
		rc = stmt_step(st, S_PART_LIST);
		if (rc == -1)
			goto fail;
		if (rc == SQLITE_DONE)
			break;
		no = sqlite3_column_int64(s, 0);
		if (no == last)
			continue;
		for (k = last + 1; partial && k < no; k++)
			if (gap(j, k) == -1)
				goto fail;
		last = no;
		if (j->fingerprint == NULL) {
			/* The first part there (part 1 of a complete set). */
			j->smsc_time = sqlite3_column_int64(s, 1);
			j->coding = column_dup(st, s, 4);
			j->fingerprint = column_dup(st, s, 5);
			if (j->coding == NULL || j->fingerprint == NULL)
				goto fail;
			if (sqlite3_column_type(s, 6) != SQLITE_NULL) {
				j->modem = column_dup(st, s, 6);
				if (j->modem == NULL)
					goto fail;
			}
		}
		if (sqlite3_column_int64(s, 2) > j->received)
			j->received = sqlite3_column_int64(s, 2);
		text = (const char *)sqlite3_column_text(s, 3);
		if (text != NULL && append(j, text, (size_t)sqlite3_column_bytes(s, 3)) == -1)
			goto fail;
	}
	stmt_put(st, S_PART_LIST);
	for (k = last + 1; partial && j->fingerprint != NULL && k <= part->part_count; k++)
		if (gap(j, k) == -1)
			return -1;
	if (j->fingerprint == NULL || (!partial && last != part->part_count)) {
		log_warnx("store: parts of %s ref %d: set incomplete when joined", part->sender,
			  part->concat_ref);
		return -1;
	}
	return append(j, "", 0);

fail:
	stmt_put(st, S_PART_LIST);
	return -1;
}

/* Joins a complete set (or, partial = 1, what is there of one) into an
 * inbox row and marks its parts with it. */
static int
join_parts(struct store *st, const struct store_part *part, int64_t *id, int partial)
{
	struct joined j = {0};
	struct store_sms sms;
	char *fp = NULL, missing[48], list[MISSING_MAX + 1];
	size_t fplen;
	int rc = -1, added;

	if (read_parts(st, part, &j, partial) == -1)
		goto out;
	fplen = strlen(j.fingerprint) + sizeof("/m");
	fp = malloc(fplen);
	if (fp == NULL) {
		log_warn("store: malloc");
		goto out;
	}
	snprintf(fp, fplen, "%s/%c", j.fingerprint, partial ? 'p' : 'm');
	memset(&sms, 0, sizeof(sms));
	sms.modem = part->modem != NULL ? part->modem : j.modem;
	if (partial) {
		missing_list(&j, part->part_count, list, sizeof(list));
		snprintf(missing, sizeof(missing), "%s/%d", list, part->part_count);
		sms.missing = missing;
	}

	sms.sender = part->sender;
	sms.smsc_time = j.smsc_time;
	sms.received = j.received;
	sms.text = j.text;
	sms.coding = j.coding;
	sms.parts = part->part_count;
	sms.fingerprint = fp;
	added = store_inbox_add(st, &sms, id);
	if (added == -1)
		goto out;

	/* Every pending row of the set, superseded duplicates included, so
	 * that none of them is joined again into a later message. */
	stmt_get(st, S_PART_JOIN);
	if (bind_set(st, S_PART_JOIN, part) == -1 || bind_int(st, S_PART_JOIN, 4, *id) == -1 ||
	    stmt_step(st, S_PART_JOIN) == -1) {
		stmt_put(st, S_PART_JOIN);
		goto out;
	}
	stmt_put(st, S_PART_JOIN);
	rc = added;

out:
	free(fp);
	free(j.text);
	free(j.coding);
	free(j.fingerprint);
	free(j.modem);
	return rc;
}

/* 1 when the pending set already has another part with this part's
 * number (and this part was never seen), 0 when not, -1. */
static int
part_clash(struct store *st, const struct store_part *part)
{
	int rc;

	stmt_get(st, S_PART_CLASH);
	if (bind_set(st, S_PART_CLASH, part) == -1 ||
	    bind_int(st, S_PART_CLASH, 4, part->part_no) == -1 ||
	    bind_text(st, S_PART_CLASH, 5, part->fingerprint) == -1) {
		stmt_put(st, S_PART_CLASH);
		return -1;
	}
	rc = stmt_step(st, S_PART_CLASH);
	stmt_put(st, S_PART_CLASH);
	return rc == -1 ? -1 : rc == SQLITE_ROW;
}

static int
part_add(struct store *st, const struct store_part *part, int64_t *id)
{
	int64_t older;
	int rc;

	/*
	 * A phone reused its concatenation reference before the parts of an
	 * older message were all there (or two messages cross): the older
	 * parts become a message of their own now, processed as incomplete,
	 * and this part starts the next one.  Joining by guess would drop one
	 * of the two texts.
	 */
	rc = part_clash(st, part);
	if (rc == -1)
		return -1;
	if (rc == 1) {
		log_warnx("store: SMS from %s: a second part %d/%d with reference %d; the "
			  "message waiting for its other parts is kept as it is (incomplete), "
			  "this part begins a new one",
			  part->sender, part->part_no, part->part_count, part->concat_ref);
		if (join_parts(st, part, &older, 1) == -1)
			return -1;
	}
	rc = insert_part(st, part);
	if (rc != 1)
		return rc;
	rc = set_complete(st, part);
	if (rc != 1)
		return rc;
	return join_parts(st, part, id, 0);
}

int
store_parts_expire(struct store *st, int64_t before, int64_t late_since, int64_t *id)
{
	struct store_part set;
	sqlite3_stmt *s;
	char *sender = NULL;
	int rc;

	*id = 0;
	s = stmt_get(st, S_PART_EXPIRED);
	if (bind_int(st, S_PART_EXPIRED, 1, before) == -1 ||
	    bind_int(st, S_PART_EXPIRED, 2, late_since) == -1)
		goto fail;
	rc = stmt_step(st, S_PART_EXPIRED);
	if (rc == -1)
		goto fail;
	if (rc == SQLITE_DONE) {
		stmt_put(st, S_PART_EXPIRED);
		return 0;
	}
	memset(&set, 0, sizeof(set));
	sender = column_dup(st, s, 0);
	if (sender == NULL)
		goto fail;
	set.sender = sender;
	set.concat_ref = sqlite3_column_int(s, 1);
	set.part_count = sqlite3_column_int(s, 2);
	stmt_put(st, S_PART_EXPIRED);
	rc = join_parts(st, &set, id, 1);
	free(sender);
	return rc == -1 ? -1 : 1;

fail:
	stmt_put(st, S_PART_EXPIRED);
	free(sender);
	return -1;
}

int
store_part_add(struct store *st, const struct store_part *part, int64_t *id)
{
	int64_t joined = 0;
	int rc;

	if (id != NULL)
		*id = 0;
	if (part->part_count < 1 || part->part_no < 1 || part->part_no > part->part_count) {
		log_warnx("store: part %d of %d from %s: bad numbering", part->part_no,
			  part->part_count, part->sender != NULL ? part->sender : "?");
		return -1;
	}
	/* A savepoint makes the part and its join one change, whether or not
	 * the caller opened a transaction. */
	if (stmt_run(st, S_SAVEPOINT) == -1)
		return -1;
	rc = part_add(st, part, &joined);
	if (rc == -1 || stmt_run(st, S_RELEASE) == -1)
		goto fail;
	if (rc == 1 && id != NULL)
		*id = joined;
	return rc;

fail:
	/* ROLLBACK TO keeps the savepoint open, hence the RELEASE.  After some
	 * errors (disk full, I/O) SQLite has already rolled the whole
	 * transaction back, and there is no savepoint left. */
	if (!sqlite3_get_autocommit(st->db)) {
		stmt_run(st, S_ROLLBACK_TO);
		stmt_run(st, S_RELEASE);
	}
	return -1;
}
