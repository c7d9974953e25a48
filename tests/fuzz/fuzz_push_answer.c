/*
 * fuzz_push_answer.c - libFuzzer target for push_answer_verdict(), what the
 * push makes of the district server's answer: the JSON protocol and the
 * DHIS2 ImportSummary (`make fuzz`; seeds from tests/fuzz/push-seeds/).
 *
 * Input: byte 0 chooses the protocol (bit 0: DHIS2), bytes 1-2 the HTTP
 * status (100-599), the rest is the body as the server sent it (NUL bytes
 * and all).  The answer is read with SQLite's JSON functions on a store in
 * a private temporary folder.
 *
 * Besides memory errors it checks: one of the three verdicts; a 2xx empty
 * body accepted; no acceptance outside 2xx; the reason kept with the events
 * is one line of text (no control characters), bounded, and never holds the
 * token even when the server echoes it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "push.h"
#include "store.h"

#define TOKEN "s3cr3t-T0KEN-fuzz"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], db[96];
static struct store *st;

static void
cleanup(void)
{
	char p[128];

	store_close(st);
	unlink(db);
	snprintf(p, sizeof(p), "%s-wal", db);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", db);
	unlink(p);
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	strcpy(dir, "/tmp/tinbao-fuzzpush-XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(db, sizeof(db), "%s/t.db", dir);
	log_init(0, LOG_LEVEL_WARN);
	st = store_open(db, 0);
	if (st == NULL)
		abort();
	atexit(cleanup);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024];
	const char *body;
	size_t len, i, n;
	long code;
	int dhis2, v, blank = 1;

	if (size < 3 || size > 256 * 1024)
		return 0;
	dhis2 = data[0] & 1;
	code = 100 + (long)(((unsigned)data[1] << 8 | data[2]) % 500);
	body = (const char *)data + 3;
	len = size - 3;
	memset(err, 'x', sizeof(err));
	v = push_answer_verdict(st, dhis2, code, body, len, TOKEN, err, sizeof(err));
	if (v != PUSH_ANSWER_OK && v != PUSH_ANSWER_CONTENT && v != PUSH_ANSWER_FAIL)
		abort();
	n = strnlen(err, sizeof(err));
	if (n == sizeof(err) || strstr(err, TOKEN) != NULL)
		abort();
	for (i = 0; i < n; i++) {
		if ((unsigned char)err[i] < 0x20 || err[i] == 0x7f)
			abort();
	}
	for (i = 0; i < len && body[i] != '\0'; i++)
		blank &= strchr(" \t\r\n", body[i]) != NULL;
	if (v == PUSH_ANSWER_OK && (code < 200 || code > 299))
		abort();
	if (blank && code >= 200 && code <= 299 && v != PUSH_ANSWER_OK)
		abort();
	return 0;
}
