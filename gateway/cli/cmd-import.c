/*
 * cmd-import.c - tinbao import-smsd DATABASE: takes over the SMS a gammu-smsd
 * installation received (its SQL service, sqlite3 backend), as if the modem
 * had just given them, without answering anyone (see gateway.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gammu.h>

#include "cli.h"
#include "clock.h"
#include "config.h"
#include "gateway.h"
#include "log.h"
#include "modem.h"
#include "store.h"

#define SOURCE "gammu-smsd"
/* UCS-2 units of one SMS part: 160 GSM 7-bit characters at the most. */
#define SMSD_UNITS_MAX 160

struct import {
	struct gateway_import *imp;
	struct modem_sms sms;
	long read, taken, known;
	int failed;
};

/* UCS-2 big-endian in hex to UTF-8, with libgammu's own decoders.  0, or
 * -1 when it is not such a text or longer than an SMS part can be. */
static int
ucs2_hex(const char *hex, char *out, size_t outsz)
{
	unsigned char ucs[2 * (SMSD_UNITS_MAX + 1)];
	size_t len = strlen(hex);

	/* Up to 3 UTF-8 bytes a unit (4 for a pair of 2). */
	if (len % 4 != 0 || len / 4 > SMSD_UNITS_MAX || 3 * (len / 4) + 1 > outsz)
		return -1;
	if (!DecodeHexUnicode(ucs, hex, len))
		return -1;
	/* Its result says whether any character needed more than a byte. */
	EncodeUTF8(out, ucs);
	return 0;
}

/*
 * The text as tinbao keeps it: 8-bit data as hex, like the modem gives it;
 * a text SMS decoded from the row's own Text.  Not from TextDecoded: for a
 * message of several parts gammu-smsd puts the whole joined text in the
 * first part's TextDecoded and leaves the others' empty, while tinbao
 * joins the parts itself.  TextDecoded only stands in for a single SMS
 * whose Text cannot be read.  0 or -1.
 */
static int
text(const struct store_smsd_sms *row, struct modem_sms *sms)
{
	if (strcmp(sms->coding, "8bit") == 0) {
		if (strlen(row->hex) >= sizeof(sms->text))
			return -1;
		snprintf(sms->text, sizeof(sms->text), "%s", row->hex);
		return 0;
	}
	if (ucs2_hex(row->hex, sms->text, sizeof(sms->text)) == 0)
		return 0;
	if (sms->concat_ref != -1 || row->decoded[0] == '\0' ||
	    strlen(row->decoded) >= sizeof(sms->text))
		return -1;
	snprintf(sms->text, sizeof(sms->text), "%s", row->decoded);
	return 0;
}

/* gammu-smsd writes the SMSC time in the local time of its machine, this PC
 * (TZ says otherwise for a database from elsewhere).  0 when unreadable. */
static int64_t
when(const char *s)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
		   &tm.tm_min, &tm.tm_sec) != 6 ||
	    tm.tm_year < 1990 || tm.tm_mon < 1 || tm.tm_mon > 12)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon--;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	return t == (time_t)-1 ? 0 : (int64_t)t;
}

static int
take(void *arg, const struct store_smsd_sms *row)
{
	struct import *im = arg;
	struct modem_sms *sms = &im->sms;
	char key[160];
	int64_t t;
	int r;

	im->read++;
	memset(sms, 0, sizeof(*sms));
	snprintf(sms->sender, sizeof(sms->sender), "%s", row->sender);
	t = when(row->when);
	sms->smsc_time = t;
	if (strstr(row->coding, "Unicode") != NULL)
		snprintf(sms->coding, sizeof(sms->coding), "ucs2");
	else if (strcmp(row->coding, "8bit") == 0)
		snprintf(sms->coding, sizeof(sms->coding), "8bit");
	else
		snprintf(sms->coding, sizeof(sms->coding), "gsm7");
	modem_udh_hex(row->udh, sms);
	if (text(row, sms) == -1) {
		log_warnx("gammu-smsd inbox #%" PRId64 ": text that is no SMS text (%zu hex "
			  "digits): nothing imported",
			  row->id, strlen(row->hex));
		im->failed = 1;
		return 1;
	}
	snprintf(key, sizeof(key), "%" PRId64 "|%.20s|%.64s", row->id, row->when, row->sender);
	r = gateway_import_sms(im->imp, key, sms, t != 0 ? t : clock_now());
	explicit_bzero(sms, sizeof(*sms)); /* a NAPTIEN's PIN, among others */
	if (r == -1) {
		im->failed = 1;
		return 1;
	}
	if (r == 1)
		im->taken++;
	else
		im->known++;
	return 0;
}

int
cli_import_smsd(const char *conf, int argc, char **argv)
{
	struct import *im = NULL;
	struct config *cfg;
	struct store *st = NULL;
	char why[256];
	int lock = -1, status = 1;
	long n;

	if (argc != 2)
		return cli_usage("import-smsd DATABASE");
	/* A running gateway would answer what is imported. */
	cfg = cli_config_alone(conf, "import-smsd",
			       "stop the gateway first (it would answer the imported SMS)", &lock);
	if (cfg == NULL)
		return 1;
	st = store_open(cfg->database, 0);
	im = calloc(1, sizeof(*im));
	if (st == NULL || im == NULL)
		goto done;
	im->imp = gateway_import_begin(cfg, st, SOURCE);
	if (im->imp == NULL)
		goto done;
	if (store_smsd_foreach(argv[1], take, im, why, sizeof(why)) == -1) {
		fprintf(stderr, "tinbao: import-smsd: %s: %s\n", argv[1], why);
		im->failed = 1;
	}
	n = gateway_import_end(im->imp, !im->failed);
	if (n == -1 || im->failed) {
		fprintf(stderr, "tinbao: import-smsd: %s: nothing imported\n", argv[1]);
		goto done;
	}
	printf("%s: %ld SMS read, %ld taken over (%ld messages processed, nobody answered), "
	       "%ld imported before\n",
	       argv[1], im->read, im->taken, n, im->known);
	status = 0;
done:
	free(im);
	store_close(st);
	if (lock != -1)
		close(lock);
	config_free(cfg);
	return status;
}
