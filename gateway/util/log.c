/*
 * log.c - see log.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static int use_syslog;
static int verbose = LOG_LEVEL_INFO;

void
log_init(int to_syslog, enum log_level level)
{
	use_syslog = to_syslog;
	verbose = level;
	if (use_syslog)
		openlog("tinbao", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_setlevel(enum log_level level)
{
	verbose = level;
}

int
log_getlevel(void)
{
	return verbose;
}

int
log_parselevel(const char *name)
{
	if (name == NULL)
		return -1;
	if (strcasecmp(name, "debug") == 0)
		return LOG_LEVEL_DEBUG;
	if (strcasecmp(name, "info") == 0)
		return LOG_LEVEL_INFO;
	if (strcasecmp(name, "warning") == 0 || strcasecmp(name, "warn") == 0)
		return LOG_LEVEL_WARN;
	return -1;
}

/* The length of the UTF-8 character at s (2 to 4), or 0 when s does not
 * start one (a stray byte, an overlong form, a surrogate, a cut sequence). */
static size_t
utf8_len(const unsigned char *s)
{
	size_t n, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	/* The second byte's range rules out overlongs, surrogates and code
	 * points past U+10FFFF. */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	}
	return n;
}

/* log_escape(), which also gives how many bytes of text went in. */
static size_t
escape(const char *text, char *out, size_t outsz)
{
	const unsigned char *s = (const unsigned char *)text;
	char unit[8];
	size_t i = 0, o = 0, n;

	while (s[i] != '\0') {
		if (s[i] >= 0x20 && s[i] < 0x7f) { /* most of it */
			if (o + 1 >= outsz)
				break;
			out[o++] = (char)s[i++];
			continue;
		}
		n = s[i] < 0x80 ? 1 : utf8_len(s + i);
		if (s[i] == '\n')
			snprintf(unit, sizeof(unit), "\\n");
		else if (s[i] == '\r')
			snprintf(unit, sizeof(unit), "\\r");
		else if (s[i] == '\t')
			snprintf(unit, sizeof(unit), "\\t");
		else if (s[i] < 0x20 || s[i] == 0x7f || n == 0)
			snprintf(unit, sizeof(unit), "\\x%02x", s[i]);
		else if (n == 2 && s[i] == 0xc2 && s[i + 1] < 0xa0) /* C1: U+0080..U+009F */
			snprintf(unit, sizeof(unit), "\\u%04x", s[i + 1]);
		else
			snprintf(unit, sizeof(unit), "%.*s", (int)n, (const char *)s + i);
		/* A character or an escape goes whole, or the text is cut there. */
		if (o + strlen(unit) >= outsz)
			break;
		memcpy(out + o, unit, strlen(unit));
		o += strlen(unit);
		i += n == 0 ? 1 : n;
	}
	out[o] = '\0';
	return i;
}

char *
log_escape(const char *text, char *out, size_t outsz)
{
	if (outsz > 0)
		escape(text, out, outsz);
	return out;
}

int
log_fputs(const char *text, FILE *f)
{
	char chunk[1024];
	size_t n;

	while (*text != '\0') {
		n = escape(text, chunk, sizeof(chunk));
		if (fputs(chunk, f) == EOF)
			return -1;
		text += n;
	}
	return 0;
}

static void vlog(int pri, const char *fmt, va_list ap, const char *suffix)
    __attribute__((format(printf, 2, 0)));

static void
vlog(int pri, const char *fmt, va_list ap, const char *suffix)
{
	/* Escaping only makes a text longer: raw text beyond msg's size is
	 * never needed, and the cut happens in msg, at a character. */
	char raw[4096], msg[1024];
	char stamp[32];
	struct tm tm;
	time_t now;

	vsnprintf(raw, sizeof(raw), fmt, ap);
	/* SMS texts and senders, server and USSD answers, registry names: a
	 * newline or an ESC in them must not forge a line or drive the
	 * terminal that shows the log. */
	log_escape(raw, msg, sizeof(msg));
	if (use_syslog) {
		if (suffix != NULL)
			syslog(pri, "%s: %s", msg, suffix);
		else
			syslog(pri, "%s", msg);
		return;
	}
	now = time(NULL);
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
	if (suffix != NULL)
		fprintf(stderr, "%s %s: %s\n", stamp, msg, suffix);
	else
		fprintf(stderr, "%s %s\n", stamp, msg);
}

void
log_warn(const char *fmt, ...)
{
	const char *err = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, err);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (verbose < LOG_LEVEL_INFO)
		return;
	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (verbose < LOG_LEVEL_DEBUG)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	const char *err = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, err);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
