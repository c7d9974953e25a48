/*
 * modemsim - a GSM modem that answers AT commands on a pseudo-terminal, so
 * that libgammu (connection = at, device = the pty or --link) drives it as it
 * would a USB modem.  A test tool, not a product.
 *
 * Usage: modemsim [-v] [-l|--link PATH] [-c|--ctl SOCKET] [-n|--slots N]
 *		   [-t|--timeout SECONDS]
 *
 * Prints the slave path ("/dev/pts/N") on stdout, then serves AT commands
 * until SIGTERM/SIGINT, the control command "quit", or --timeout.  --link
 * makes PATH a symlink to the slave (re-pointed by "back").  -v logs every
 * AT line and control command to stderr.
 *
 * The modem: manufacturer "tinbao", model "SIM800-sim"; PDU mode only
 * (AT+CMGF=1 is refused); one storage, "SM", of N slots (default 30);
 * character sets GSM and UCS2.  Incoming SMS are real SMS-DELIVER PDUs (GSM
 * 7-bit or UCS-2, long texts as concatenated parts with an 8-bit reference);
 * AT+CMGS decodes the SMS-SUBMIT and records it.  With AT+CNMI=<m>,1 a stored
 * SMS is announced by +CMTI: "SM",<index>.
 *
 * Control protocol: a Unix-domain stream socket (--ctl), one command a line,
 * one reply line: "ok[ ...]" or "err <why>".  Texts in replies escape
 * newline, CR and backslash as \n, \r, \\; "deliver" unescapes the same,
 * and \0 as the character U+0000 (sent in a UCS-2 SMS with -u).
 *
 *   ping				ok <slave path>
 *   deliver [opts] FROM TEXT		an SMS arrives: ok <parts> [<index>...]
 *	-t UNIXTIME   SMSC time stamp (default now)
 *	-z QUARTERS   SMSC time zone in quarter hours (default 28, +07:00)
 *	-u            UCS-2 even when GSM 7-bit would do
 *	-b            8-bit data: TEXT is its bytes in hex (one SMS)
 *	-n REF        concatenation reference (default: a counter)
 *	-o 3,1,2      store the parts in this order
 *	-x 2          part 2 is lost on the way (never arrives)
 *	-d MS         store one part every MS milliseconds ("ok <parts> pending")
 *   sim				ok <used>/<total> [<index>...]
 *   sim INDEX			ok <stat> <tpdu length> <pdu hex>
 *   sent				ok <count of SMS-SUBMIT received>
 *   sent I			ok <to> <coding> <part>/<parts> <ref> <text>
 *   clear sim|sent		forget the SIM contents or the sent log
 *   ussd CODE gsm7|packed|ucs2 TEXT	answer of AT+CUSD=1,"CODE": the text
 *				as GSM characters (dcs 15), as packed GSM 7-bit
 *				hex (dcs 15) or as UCS-2 hex (dcs 72)
 *   ussd CODE error|silent|reject	ERROR; OK and no +CUSD; +CUSD: 4
 *   csq RSSI [BER]			what AT+CSQ reports (default 20,0)
 *   creg STAT [LAC CI]		registration (default 1, 0x3A9C, 0x1B2F)
 *   smsc NUMBER			the SMSC (AT+CSCA?, and in delivered PDUs)
 *   slots N			resize the SIM (only free slots may go)
 *   seen PREFIX			ok <how many AT commands began with PREFIX>
 *				(of the last 256 since the start or "reset")
 *   sentinfo I			ok <message reference> <1 if a status report was asked>
 *   report I delivered|failed	an SMS-STATUS-REPORT about sent SMS I arrives
 *				in the SIM: ok <index>
 *   noack N			the next N SMS given to AT+CMGS are recorded as
 *				sent, but the +CMGS answer is lost and the modem
 *				hangs (as after "hang") until "unhang"
 *   hang | unhang		stop answering anything | answer again
 *   error N [PREFIX]		the next N commands (beginning with PREFIX)
 *				answer ERROR
 *   cms N CODE [PREFIX]		the same with +CMS ERROR: CODE
 *   simfull on|off		storage full: +CPMS total = used, SMS rejected
 *   vanish			close the pty (the link goes too)
 *   back				a new pty, the link re-pointed: ok <path>
 *   reset			as started: empty SIM, no sent log, no USSD
 *				answers, no faults, default network
 *   quit				ok, and exit
 *
 * Example: echo 'deliver +84912000001 ENROL xa Minh Son 35 han' | socat - UNIX:ctl
 */
#define _XOPEN_SOURCE 700 /* posix_openpt, grantpt, unlockpt, ptsname */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "pdu.h"

#define LINE_MAX_AT 1024
#define PDU_INPUT_MAX 512
#define OUT_MAX 65536
#define MAX_SLOTS 255
#define MAX_SENT 65536 /* the log of sent SMS grows up to this */
#define MAX_USSD 16
#define MAX_PENDING 64
#define MAX_CLIENTS 4
#define HISTORY 256
#define CTL_LINE_MAX 4096
#define REPLY_MAX 4600
#define CTRL_Z 0x1a
#define ESC 0x1b

enum final { AT_OK, AT_ERROR, AT_NONE };
enum ussd_kind { U_GSM7, U_PACKED, U_UCS2, U_ERROR, U_SILENT, U_REJECT };

struct slot {
	int used;
	int stat; /* 0 REC UNREAD, 1 REC READ */
	struct pdu_part pdu;
};

struct ussd {
	char code[32];
	enum ussd_kind kind;
	char text[512];
};

struct pending {
	int64_t due_ms;
	struct pdu_part pdu;
};

struct client {
	int fd;
	char buf[CTL_LINE_MAX];
	size_t len;
};

static struct {
	int master, slave;
	char path[64];
	const char *link;
	int verbose;

	/* AT side */
	char line[LINE_MAX_AT];
	size_t len;
	int echo, cmgf, cnmi[5], cscs_ucs2, cops_format, creg_n, cusd_n;
	int cmgs_len; /* > 0 while reading the PDU after the "> " prompt */
	char pdu[PDU_INPUT_MAX];
	size_t pdulen;
	int info_started;
	char out[OUT_MAX];
	size_t outlen;

	/* faults */
	int hang, errors, cms_count, cms_code, simfull, noack;
	char error_prefix[32], cms_prefix[32]; /* "" or the commands they hit */

	/* SIM and network */
	struct slot slots[MAX_SLOTS + 1]; /* 1-based */
	int nslots, nslots_start, rejected, next_ref, next_mr;
	struct pdu_submit *sent; /* every SMS given to AT+CMGS, in order */
	int *sent_mr;
	int nsent, sent_cap;
	struct ussd ussd[MAX_USSD];
	int nussd;
	struct pending pending[MAX_PENDING];
	int npending;
	int rssi, ber, creg, lac, ci;
	char smsc[24];

	char history[HISTORY][64];
	int nhistory;

	int listen_fd;
	const char *ctl_path;
	struct client clients[MAX_CLIENTS];
	int64_t deadline_ms;
} sim;

static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
	quit = 1;
}

static void vlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
vlog(const char *fmt, ...)
{
	va_list ap;

	if (!sim.verbose)
		return;
	fputs("modemsim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Output to the modem's line ---------------------------------------- */

static void
out(const char *s, size_t n)
{
	if (sim.master == -1 || sim.outlen + n > sizeof(sim.out))
		return; /* nobody there, or nobody reading: the bytes are lost */
	memcpy(sim.out + sim.outlen, s, n);
	sim.outlen += n;
}

static void outf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
outf(const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		out(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* One line of an information response: "\r\n" before the first line, "\r\n"
 * after each (V1 format, as real modems send it). */
static void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
info(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (!sim.info_started)
		out("\r\n", 2);
	sim.info_started = 1;
	outf("%s\r\n", buf);
	vlog("> %s", buf);
}

static void
final(const char *s)
{
	outf("\r\n%s\r\n", s);
	vlog("> %s", s);
}

static enum final
cms(int code)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "+CMS ERROR: %d", code);
	final(buf);
	return AT_NONE;
}

static void
unsolicited(const char *s)
{
	outf("\r\n%s\r\n", s);
	vlog("> (unsolicited) %s", s);
}

static void
flush_out(void)
{
	ssize_t n;

	if (sim.master == -1 || sim.outlen == 0)
		return;
	n = write(sim.master, sim.out, sim.outlen);
	if (n <= 0)
		return; /* EAGAIN: the client is not reading; try again later */
	memmove(sim.out, sim.out + n, sim.outlen - (size_t)n);
	sim.outlen -= (size_t)n;
}

/* The SIM ------------------------------------------------------------- */

static int
used_slots(void)
{
	int i, n = 0;

	for (i = 1; i <= sim.nslots; i++)
		n += sim.slots[i].used;
	return n;
}

/* What +CPMS reports as the size: the used count when "simfull" is on. */
static int
total_slots(void)
{
	return sim.simfull ? used_slots() : sim.nslots;
}

/* Stores one part; returns its index or -1 when the SIM is full. */
static int
store(const struct pdu_part *p)
{
	char buf[32];
	int i;

	if (sim.simfull)
		return -1;
	for (i = 1; i <= sim.nslots; i++) {
		if (!sim.slots[i].used)
			break;
	}
	if (i > sim.nslots)
		return -1;
	sim.slots[i].used = 1;
	sim.slots[i].stat = 0;
	sim.slots[i].pdu = *p;
	if (sim.cnmi[1] != 0) {
		snprintf(buf, sizeof(buf), "+CMTI: \"SM\",%d", i);
		unsolicited(buf);
	}
	return i;
}

/* AT commands --------------------------------------------------------- */

static int
is_read(const char *a)
{
	return strcmp(a, "?") == 0;
}

static int
is_test(const char *a)
{
	return strcmp(a, "=?") == 0;
}

/* The value of "=value", or NULL. */
static const char *
setting(const char *a)
{
	return a[0] == '=' && a[1] != '?' ? a + 1 : NULL;
}

/* Copies the first quoted string of s into buf; returns the rest or NULL. */
static const char *
quoted(const char *s, char *buf, size_t sz)
{
	const char *q, *e;

	q = strchr(s, '"');
	if (q == NULL)
		return NULL;
	e = strchr(q + 1, '"');
	if (e == NULL || (size_t)(e - q - 1) >= sz)
		return NULL;
	memcpy(buf, q + 1, (size_t)(e - q - 1));
	buf[e - q - 1] = '\0';
	return e + 1;
}

static enum final
at_ok(const char *a)
{
	return AT_OK;
}

static enum final
at_error(const char *a)
{
	return AT_ERROR;
}

static enum final
at_echo(const char *a)
{
	sim.echo = a[0] == '1';
	return AT_OK;
}

static enum final
at_reset(const char *a)
{
	sim.echo = 1;
	sim.cscs_ucs2 = 0;
	memset(sim.cnmi, 0, sizeof(sim.cnmi));
	return AT_OK;
}

static enum final
at_cpin(const char *a)
{
	if (is_read(a))
		info("+CPIN: READY");
	return AT_OK;
}

static enum final
at_cscs(const char *a)
{
	char cs[16];

	if (is_test(a)) {
		info("+CSCS: (\"GSM\",\"UCS2\",\"IRA\")");
		return AT_OK;
	}
	if (is_read(a)) {
		info("+CSCS: \"%s\"", sim.cscs_ucs2 ? "UCS2" : "GSM");
		return AT_OK;
	}
	if (setting(a) == NULL || quoted(a, cs, sizeof(cs)) == NULL)
		return AT_ERROR;
	if (strcmp(cs, "UCS2") == 0)
		sim.cscs_ucs2 = 1;
	else if (strcmp(cs, "GSM") == 0 || strcmp(cs, "IRA") == 0)
		sim.cscs_ucs2 = 0;
	else
		return AT_ERROR;
	return AT_OK;
}

static enum final
at_cmgf(const char *a)
{
	if (is_test(a))
		info("+CMGF: (0)");
	else if (is_read(a))
		info("+CMGF: %d", sim.cmgf);
	else if (setting(a) == NULL || strcmp(setting(a), "0") != 0)
		return AT_ERROR; /* PDU mode only */
	return AT_OK;
}

static enum final
at_cpms(const char *a)
{
	const char *v = setting(a);
	int u = used_slots(), t = total_slots();

	if (is_test(a)) {
		info("+CPMS: (\"SM\"),(\"SM\"),(\"SM\")");
		return AT_OK;
	}
	if (is_read(a)) {
		info("+CPMS: \"SM\",%d,%d,\"SM\",%d,%d,\"SM\",%d,%d", u, t, u, t, u, t);
		return AT_OK;
	}
	if (v == NULL)
		return AT_ERROR;
	/* Every memory named must be "SM". */
	for (; *v != '\0'; v++) {
		if (*v == '"' && strncmp(v, "\"SM\"", 4) != 0)
			return cms(302);
		if (*v == '"')
			v += 3;
	}
	info("+CPMS: %d,%d,%d,%d,%d,%d", u, t, u, t, u, t);
	return AT_OK;
}

static void
list_slot(const char *prefix, int i, int with_index)
{
	if (with_index)
		info("%s: %d,%d,,%d", prefix, i, sim.slots[i].stat, sim.slots[i].pdu.tpdu_len);
	else
		info("%s: %d,,%d", prefix, sim.slots[i].stat, sim.slots[i].pdu.tpdu_len);
	info("%s", sim.slots[i].pdu.hex);
	sim.slots[i].stat = 1;
}

static enum final
at_cmgl(const char *a)
{
	const char *v = setting(a);
	int i, stat = 0;

	if (is_test(a)) {
		info("+CMGL: (0-4)");
		return AT_OK;
	}
	if (v != NULL)
		stat = atoi(v);
	if (stat < 0 || stat > 4)
		return cms(302);
	for (i = 1; i <= sim.nslots; i++) {
		if (sim.slots[i].used && (stat == 4 || stat == sim.slots[i].stat))
			list_slot("+CMGL", i, 1);
	}
	return AT_OK;
}

static int
index_arg(const char *a)
{
	const char *v = setting(a);
	char *end;
	long i;

	if (v == NULL)
		return -1;
	i = strtol(v, &end, 10);
	if (end == v || i < 1 || i > sim.nslots)
		return -1;
	return (int)i;
}

static enum final
at_cmgr(const char *a)
{
	int i = index_arg(a);

	if (i == -1)
		return cms(321);
	if (sim.slots[i].used)
		list_slot("+CMGR", i, 0);
	return AT_OK; /* an empty slot: OK alone, as SIM800 answers */
}

static enum final
at_cmgd(const char *a)
{
	const char *comma;
	int i, flag = 0;

	if (is_test(a)) {
		info("+CMGD: (1-%d),(0-4)", sim.nslots);
		return AT_OK;
	}
	i = index_arg(a);
	comma = strchr(a, ',');
	if (comma != NULL)
		flag = atoi(comma + 1);
	if (flag > 0) {
		/* 1 read, 2 read and sent, 3 all but unsent, 4 all: only read and
		 * unread exist here */
		for (i = 1; i <= sim.nslots; i++)
			if (flag >= 3 || sim.slots[i].stat == 1)
				sim.slots[i].used = 0;
		return AT_OK;
	}
	if (i == -1)
		return cms(321);
	sim.slots[i].used = 0;
	return AT_OK;
}

static enum final
at_cmgs(const char *a)
{
	const char *v = setting(a);
	int len = v != NULL ? atoi(v) : 0;

	if (is_test(a))
		return AT_OK;
	if (len < 7 || len > 164)
		return cms(304);
	sim.cmgs_len = len;
	sim.pdulen = 0;
	out("\r\n> ", 4);
	vlog("> (prompt)");
	return AT_NONE;
}

static enum final
at_cnmi(const char *a)
{
	const char *v = setting(a);
	int i;

	if (is_test(a)) {
		info("+CNMI: (0-3),(0-3),(0,2),(0-2),(0,1)");
		return AT_OK;
	}
	if (is_read(a)) {
		info("+CNMI: %d,%d,%d,%d,%d", sim.cnmi[0], sim.cnmi[1], sim.cnmi[2], sim.cnmi[3],
		     sim.cnmi[4]);
		return AT_OK;
	}
	if (v == NULL)
		return AT_ERROR;
	for (i = 0; i < 5; i++) {
		sim.cnmi[i] = atoi(v);
		v = strchr(v, ',');
		if (v == NULL)
			break;
		v++;
	}
	if (sim.cnmi[1] > 1) /* +CMT direct delivery is not simulated */
		return cms(303);
	return AT_OK;
}

static enum final
at_csq(const char *a)
{
	if (is_test(a))
		info("+CSQ: (0-31,99),(0-7,99)");
	else
		info("+CSQ: %d,%d", sim.rssi, sim.ber);
	return AT_OK;
}

static enum final
at_creg(const char *a)
{
	const char *v = setting(a);

	if (is_test(a)) {
		info("+CREG: (0-2)");
	} else if (is_read(a)) {
		if (sim.creg_n == 2 && (sim.creg == 1 || sim.creg == 5))
			info("+CREG: %d,%d,\"%04X\",\"%04X\"", sim.creg_n, sim.creg, sim.lac,
			     sim.ci);
		else
			info("+CREG: %d,%d", sim.creg_n, sim.creg);
	} else if (v != NULL) {
		sim.creg_n = atoi(v);
	} else {
		return AT_ERROR;
	}
	return AT_OK;
}

static enum final
at_cgreg(const char *a)
{
	if (is_read(a))
		info("+CGREG: 0,%d", sim.creg);
	else if (is_test(a))
		info("+CGREG: (0-2)");
	return AT_OK;
}

static enum final
at_cgatt(const char *a)
{
	if (is_read(a))
		info("+CGATT: %d", sim.creg == 1 || sim.creg == 5);
	return AT_OK;
}

static enum final
at_cops(const char *a)
{
	const char *v = setting(a);
	const char *comma;

	if (is_test(a)) {
		info("+COPS: (2,\"Viettel\",\"VIETTEL\",\"45204\"),,(0-4),(0-2)");
		return AT_OK;
	}
	if (is_read(a)) {
		if (sim.creg != 1 && sim.creg != 5)
			info("+COPS: 0");
		else if (sim.cops_format == 2)
			info("+COPS: 0,2,\"45204\"");
		else
			info("+COPS: 0,%d,\"%s\"", sim.cops_format,
			     sim.cops_format == 1 ? "VIETTEL" : "Viettel");
		return AT_OK;
	}
	if (v == NULL)
		return AT_ERROR;
	comma = strchr(v, ',');
	if (comma != NULL)
		sim.cops_format = atoi(comma + 1);
	return AT_OK;
}

static enum final
at_csca(const char *a)
{
	char buf[32], hex[128];
	const char *v = setting(a);

	if (is_read(a)) {
		if (sim.cscs_ucs2 && pdu_ucs2_hex(sim.smsc, hex, sizeof(hex)) == 0)
			info("+CSCA: \"%s\",%d", hex, sim.smsc[0] == '+' ? 145 : 129);
		else
			info("+CSCA: \"%s\",%d", sim.smsc, sim.smsc[0] == '+' ? 145 : 129);
		return AT_OK;
	}
	if (v == NULL || quoted(v, buf, sizeof(buf)) == NULL || strlen(buf) >= sizeof(sim.smsc))
		return AT_ERROR;
	strcpy(sim.smsc, buf);
	return AT_OK;
}

/* The USSD code as the client sent it: plain, or UCS-2 hex under CSCS UCS2. */
static void
ussd_code(const char *raw, char *code, size_t sz)
{
	size_t i, n = strlen(raw), o = 0;
	unsigned int u;

	if (!sim.cscs_ucs2 || n % 4 != 0 || strspn(raw, "0123456789abcdefABCDEF") != n) {
		snprintf(code, sz, "%.*s", (int)sz - 1, raw);
		return;
	}
	for (i = 0; i < n && o + 1 < sz; i += 4) {
		if (sscanf(raw + i, "%4x", &u) == 1 && u < 0x80)
			code[o++] = (char)u;
	}
	code[o] = '\0';
}

static const struct ussd *
ussd_find(const char *code)
{
	int i;

	for (i = 0; i < sim.nussd; i++)
		if (strcmp(sim.ussd[i].code, code) == 0)
			return &sim.ussd[i];
	return NULL;
}

/* The +CUSD: line for an answer. */
static void
ussd_answer(const struct ussd *u)
{
	char hex[4 * 512 + 1], buf[4 * 512 + 32];

	if (u == NULL || u->kind == U_REJECT) {
		unsolicited("+CUSD: 4");
		return;
	}
	if (u->kind == U_UCS2 || (u->kind == U_GSM7 && sim.cscs_ucs2)) {
		if (pdu_ucs2_hex(u->text, hex, sizeof(hex)) == -1)
			hex[0] = '\0';
		snprintf(buf, sizeof(buf), "+CUSD: 0,\"%s\",%d", hex, u->kind == U_UCS2 ? 72 : 15);
	} else if (u->kind == U_PACKED) {
		if (pdu_gsm7_packed_hex(u->text, hex, sizeof(hex)) == -1)
			hex[0] = '\0';
		snprintf(buf, sizeof(buf), "+CUSD: 0,\"%s\",15", hex);
	} else {
		snprintf(buf, sizeof(buf), "+CUSD: 0,\"%s\",15", u->text);
	}
	unsolicited(buf);
}

static enum final
at_cusd(const char *a)
{
	const char *v = setting(a);
	const struct ussd *u;
	char raw[128], code[64];

	if (is_test(a)) {
		info("+CUSD: (0-2)");
		return AT_OK;
	}
	if (is_read(a)) {
		info("+CUSD: %d", sim.cusd_n);
		return AT_OK;
	}
	if (v == NULL)
		return AT_ERROR;
	sim.cusd_n = atoi(v);
	if (quoted(v, raw, sizeof(raw)) == NULL)
		return AT_OK; /* AT+CUSD=1: presentation only */
	ussd_code(raw, code, sizeof(code));
	vlog("USSD request %s", code);
	u = ussd_find(code);
	if (u != NULL && u->kind == U_ERROR)
		return AT_ERROR;
	final("OK");
	if (u == NULL || u->kind != U_SILENT)
		ussd_answer(u);
	return AT_NONE;
}

static enum final
at_cfun(const char *a)
{
	if (is_read(a))
		info("+CFUN: 1");
	return AT_OK;
}

/*
 * The commands, matched by whole name ("+CMGL", "E").  A command with a text
 * answers it (lines separated by '\n') and OK, whatever its arguments.
 */
static const struct at_cmd {
	const char *name;
	enum final (*fn)(const char *arg);
	const char *text;
} at_cmds[] = {
    {"I", NULL, "tinbao SIM800-sim\nRevision:tinbao-modemsim-1"},
    {"+CGMI", NULL, "tinbao"},
    {"+GMI", NULL, "tinbao"},
    {"+CGMM", NULL, "SIM800-sim"},
    {"+GMM", NULL, "SIM800-sim"},
    {"+CGMR", NULL, "Revision:tinbao-modemsim-1"},
    {"+GMR", NULL, "Revision:tinbao-modemsim-1"},
    {"+CGSN", NULL, "356938035643809"},
    {"+GSN", NULL, "356938035643809"},
    {"+CIMI", NULL, "452040000000001"},
    {"+GCAP", NULL, "+GCAP: +CGSM"},
    {"+CBC", NULL, "+CBC: 0,100,4200"},
    {"E", at_echo, NULL},
    {"Z", at_reset, NULL},
    {"&F", at_reset, NULL},
    {"V", at_ok, NULL},
    {"Q", at_ok, NULL},
    {"X", at_ok, NULL},
    {"&C", at_ok, NULL},
    {"&D", at_ok, NULL},
    {"&W", at_ok, NULL},
    {"+CMEE", at_ok, NULL},
    {"+CNMA", at_ok, NULL},
    {"+CSMS", at_ok, NULL},
    {"+CLIP", at_ok, NULL},
    {"+CPIN", at_cpin, NULL},
    {"+CFUN", at_cfun, NULL},
    {"+CSCS", at_cscs, NULL},
    {"+CMGF", at_cmgf, NULL},
    {"+CPMS", at_cpms, NULL},
    {"+CMGL", at_cmgl, NULL},
    {"+CMGR", at_cmgr, NULL},
    {"+CMGD", at_cmgd, NULL},
    {"+CMGS", at_cmgs, NULL},
    {"+CNMI", at_cnmi, NULL},
    {"+CSQ", at_csq, NULL},
    {"+CREG", at_creg, NULL},
    {"+CGREG", at_cgreg, NULL},
    {"+CGATT", at_cgatt, NULL},
    {"+COPS", at_cops, NULL},
    {"+CSCA", at_csca, NULL},
    {"+CUSD", at_cusd, NULL},
    {"+MODE", at_error, NULL},	/* not a Motorola */
    {"+CPROT", at_error, NULL}, /* no OBEX */
};

static enum final
at_text(const char *text)
{
	const char *p = text;
	size_t n;

	while (*p != '\0') {
		n = strcspn(p, "\n");
		info("%.*s", (int)n, p);
		p += n;
		p += *p == '\n';
	}
	return AT_OK;
}

/* Splits "+CMGL=4" into name "+CMGL" and argument "=4"; "E1" into "E", "1". */
static const char *
split_command(const char *rest, char *name, size_t sz)
{
	size_t n = 1;

	if (rest[0] == '+' || rest[0] == '^' || rest[0] == '&' || rest[0] == '%') {
		while (isalnum((unsigned char)rest[n]) && n + 1 < sz)
			n++;
		if (rest[0] == '&')
			n = 2;
	}
	memcpy(name, rest, n);
	name[n] = '\0';
	return rest + n;
}

static void
dispatch(const char *rest)
{
	char name[32];
	const char *arg;
	size_t i;
	enum final r = AT_ERROR;

	if (rest[0] == '\0') {
		final("OK");
		return;
	}
	arg = split_command(rest, name, sizeof(name));
	for (i = 0; i < sizeof(at_cmds) / sizeof(at_cmds[0]); i++) {
		if (strcasecmp(at_cmds[i].name, name) == 0) {
			r = at_cmds[i].text != NULL ? at_text(at_cmds[i].text) : at_cmds[i].fn(arg);
			break;
		}
	}
	if (i == sizeof(at_cmds) / sizeof(at_cmds[0]))
		vlog("unknown command AT%s", rest);
	if (r == AT_OK)
		final("OK");
	else if (r == AT_ERROR)
		final("ERROR");
}

static void
remember(const char *line)
{
	snprintf(sim.history[sim.nhistory % HISTORY], sizeof(sim.history[0]), "%.*s",
		 (int)sizeof(sim.history[0]) - 1, line);
	sim.nhistory++;
}

static int
prefixed(const char *line, const char *prefix)
{
	return strncasecmp(line, prefix, strlen(prefix)) == 0;
}

static void
line_done(void)
{
	char *line = sim.line;

	line[sim.len] = '\0';
	sim.len = 0;
	sim.info_started = 0;
	if (line[0] == '\0')
		return;
	if (sim.echo)
		outf("%s\r", line);
	vlog("< %s", line);
	if (strncasecmp(line, "AT", 2) != 0)
		return; /* noise: a modem ignores it */
	remember(line);
	if (sim.errors > 0 && prefixed(line, sim.error_prefix)) {
		sim.errors--;
		final("ERROR");
	} else if (sim.cms_count > 0 && prefixed(line, sim.cms_prefix)) {
		sim.cms_count--;
		cms(sim.cms_code);
	} else {
		dispatch(line + 2);
	}
}

/* Room for one more sent SMS: 0, or -1 (memory full) at MAX_SENT. */
static int
sent_grow(void)
{
	struct pdu_submit *s;
	int *mr, cap;

	if (sim.nsent < sim.sent_cap)
		return 0;
	if (sim.sent_cap == MAX_SENT)
		return -1;
	cap = sim.sent_cap == 0 ? 64 : sim.sent_cap * 2;
	s = realloc(sim.sent, (size_t)cap * sizeof(*s));
	if (s == NULL)
		return -1;
	sim.sent = s;
	mr = realloc(sim.sent_mr, (size_t)cap * sizeof(*mr));
	if (mr == NULL)
		return -1;
	sim.sent_mr = mr;
	sim.sent_cap = cap;
	return 0;
}

/* The PDU after "> ": hex up to Ctrl-Z (send) or ESC (cancel). */
static void
pdu_done(void)
{
	struct pdu_submit *s;

	sim.pdu[sim.pdulen] = '\0';
	vlog("< PDU %s", sim.pdu);
	sim.info_started = 0;
	if (sent_grow() == -1) {
		cms(322);
		return;
	}
	s = &sim.sent[sim.nsent];
	if (pdu_submit_decode(sim.pdu, sim.cmgs_len, s) == -1) {
		cms(304);
		return;
	}
	sim.next_mr = (sim.next_mr + 1) % 256;
	sim.sent_mr[sim.nsent++] = sim.next_mr;
	if (sim.noack > 0) {
		/* The SMS went; the answer is lost (and the modem is deaf until
		 * "unhang": gammu's next command must not get a stray answer). */
		sim.noack--;
		sim.hang = 1;
		vlog("(noack: +CMGS: %d not sent)", sim.next_mr);
		return;
	}
	info("+CMGS: %d", sim.next_mr);
	final("OK");
}

static void
pdu_byte(char c)
{
	if (c == CTRL_Z || c == ESC) {
		if (sim.echo)
			out("\r\n", 2);
		if (c == CTRL_Z)
			pdu_done();
		else
			final("OK");
		sim.cmgs_len = 0;
		return;
	}
	if (c == '\r' || c == '\n')
		return;
	if (sim.echo)
		out(&c, 1);
	if (sim.pdulen + 1 < sizeof(sim.pdu))
		sim.pdu[sim.pdulen++] = c;
}

static void
feed(const char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (sim.hang)
			continue;
		if (sim.cmgs_len > 0)
			pdu_byte(buf[i]);
		else if (buf[i] == '\r')
			line_done();
		else if (buf[i] == ESC)
			sim.len = 0;
		else if (buf[i] == '\b' && sim.len > 0)
			sim.len--;
		else if (buf[i] != '\n' && sim.len + 1 < sizeof(sim.line))
			sim.line[sim.len++] = buf[i];
	}
}

/* The pty ------------------------------------------------------------- */

static int
make_link(void)
{
	char tmp[512];

	if (sim.link == NULL)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.new", sim.link);
	unlink(tmp);
	if (symlink(sim.path, tmp) == -1 || rename(tmp, sim.link) == -1) {
		fprintf(stderr, "modemsim: link %s: %s\n", sim.link, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The master is in packet mode: a client that opens the slave (gammu flushes
 * it) shows up as a status byte.  We keep a slave descriptor of our own, so
 * the master never sees a hangup between two clients, and through it clear
 * the TIOCEXCL a client sets, so that the next client (not root) can open it.
 */
static int
pty_open(void)
{
	struct termios t;
	const char *p;
	int one = 1;

	sim.master = posix_openpt(O_RDWR | O_NOCTTY);
	if (sim.master == -1 || grantpt(sim.master) == -1 || unlockpt(sim.master) == -1)
		goto fail;
	p = ptsname(sim.master);
	if (p == NULL || strlen(p) >= sizeof(sim.path))
		goto fail;
	strcpy(sim.path, p);
	if (ioctl(sim.master, TIOCPKT, &one) == -1)
		goto fail;
	sim.slave = open(sim.path, O_RDWR | O_NOCTTY | O_NONBLOCK);
	if (sim.slave == -1 || tcgetattr(sim.slave, &t) == -1)
		goto fail;
	cfmakeraw(&t);
	if (tcsetattr(sim.slave, TCSANOW, &t) == -1)
		goto fail;
	if (fcntl(sim.master, F_SETFL, O_NONBLOCK) == -1)
		goto fail;
	sim.len = sim.outlen = 0;
	sim.cmgs_len = 0;
	sim.echo = 1;
	memset(sim.cnmi, 0, sizeof(sim.cnmi));
	sim.cscs_ucs2 = 0;
	return make_link();
fail:
	fprintf(stderr, "modemsim: pty: %s\n", strerror(errno));
	return -1;
}

static void
pty_close(void)
{
	if (sim.slave != -1)
		close(sim.slave);
	if (sim.master != -1)
		close(sim.master);
	sim.master = sim.slave = -1;
	sim.outlen = 0;
	if (sim.link != NULL)
		unlink(sim.link);
}

static void
pty_read(void)
{
	char buf[512];
	ssize_t n;

	n = read(sim.master, buf, sizeof(buf));
	if (n <= 0)
		return;
	if (buf[0] != TIOCPKT_DATA) {
		/* A new client flushed the line: start clean, allow the next one. */
		if (buf[0] & (TIOCPKT_FLUSHREAD | TIOCPKT_FLUSHWRITE)) {
			ioctl(sim.slave, TIOCNXCL);
			sim.len = sim.outlen = 0;
			sim.cmgs_len = 0;
		}
		return;
	}
	feed(buf + 1, (size_t)n - 1);
}

/* Control commands ---------------------------------------------------- */

/* The next space-separated word of *p into buf; "" at the end. */
static const char *
word(const char **p, char *buf, size_t sz)
{
	size_t n;

	*p += strspn(*p, " \t");
	n = strcspn(*p, " \t");
	if (n >= sz)
		n = sz - 1;
	memcpy(buf, *p, n);
	buf[n] = '\0';
	*p += strcspn(*p, " \t");
	*p += strspn(*p, " \t");
	return buf;
}

static void
unescape(const char *in, char *outp, size_t sz)
{
	size_t o = 0;

	for (; *in != '\0' && o + 1 < sz; in++) {
		if (in[0] == '\\' && in[1] == 'n') {
			outp[o++] = '\n';
			in++;
		} else if (in[0] == '\\' && in[1] == 'r') {
			outp[o++] = '\r';
			in++;
		} else if (in[0] == '\\' && in[1] == '\\') {
			outp[o++] = '\\';
			in++;
		} else if (in[0] == '\\' && in[1] == '0' && o + 2 < sz) {
			/* U+0000 in a C string: its two-byte ("modified UTF-8")
			 * form, which the PDU encoder reads as U+0000. */
			outp[o++] = (char)0xc0;
			outp[o++] = (char)0x80;
			in++;
		} else {
			outp[o++] = *in;
		}
	}
	outp[o] = '\0';
}

static void
escape(const char *in, char *outp, size_t sz)
{
	size_t o = 0;

	for (; *in != '\0' && o + 3 < sz; in++) {
		if (*in == '\n' || *in == '\r' || *in == '\\') {
			outp[o++] = '\\';
			outp[o++] = *in == '\n' ? 'n' : *in == '\r' ? 'r' : '\\';
		} else {
			outp[o++] = *in;
		}
	}
	outp[o] = '\0';
}

struct deliver_opts {
	struct pdu_deliver d;
	int order[PDU_MAX_PARTS];
	int norder;
	int delay_ms;
	int drop[PDU_MAX_PARTS + 1]; /* -x: parts lost on the way (1-based) */
	int ndrop;
};

static int
deliver_option(const char *opt, const char **p, struct deliver_opts *o)
{
	char v[64], *s;
	int k;

	if (strcmp(opt, "-u") == 0) {
		o->d.force_ucs2 = 1;
		return 0;
	}
	if (strcmp(opt, "-b") == 0) {
		o->d.data = 1;
		return 0;
	}
	word(p, v, sizeof(v));
	if (strcmp(opt, "-t") == 0)
		o->d.when = strtoll(v, NULL, 10);
	else if (strcmp(opt, "-z") == 0)
		o->d.tz_quarters = atoi(v);
	else if (strcmp(opt, "-n") == 0)
		o->d.ref = atoi(v);
	else if (strcmp(opt, "-d") == 0)
		o->delay_ms = atoi(v);
	else if (strcmp(opt, "-o") == 0)
		for (s = v; *s != '\0' && o->norder < PDU_MAX_PARTS; s += strspn(s, ","))
			o->order[o->norder++] = (int)strtol(s, &s, 10);
	else if (strcmp(opt, "-x") == 0)
		for (s = v; *s != '\0'; s += strspn(s, ",")) {
			k = (int)strtol(s, &s, 10);
			if (k >= 1 && k <= PDU_MAX_PARTS && !o->drop[k]) {
				o->drop[k] = 1;
				o->ndrop++;
			}
		}
	else
		return -1;
	return 0;
}

static void
store_parts(const struct pdu_part *parts, int n, const struct deliver_opts *o, char *r, size_t rsz)
{
	int i, k, idx, stored = 0;
	size_t len;

	snprintf(r, rsz, "ok %d", n);
	for (i = 0; i < n; i++) {
		k = i < o->norder && o->order[i] >= 1 && o->order[i] <= n ? o->order[i] - 1 : i;
		if (o->drop[k + 1])
			continue; /* lost on the way: never arrives */
		if (o->delay_ms > 0 && sim.npending < MAX_PENDING) {
			sim.pending[sim.npending].due_ms = now_ms() + (int64_t)o->delay_ms * i;
			sim.pending[sim.npending++].pdu = parts[k];
			continue;
		}
		idx = store(&parts[k]);
		if (idx == -1) {
			sim.rejected++;
			continue;
		}
		stored++;
		len = strlen(r);
		snprintf(r + len, rsz - len, " %d", idx);
	}
	if (o->delay_ms > 0)
		snprintf(r, rsz, "ok %d pending", n);
	else if (stored < n - o->ndrop)
		snprintf(r, rsz, "err sim full: stored %d of %d", stored, n - o->ndrop);
}

static void
ctl_deliver(const char *cmd, const char *p, char *r, size_t rsz)
{
	static struct pdu_part parts[PDU_MAX_PARTS];
	static char text[CTL_LINE_MAX];
	struct deliver_opts o;
	char from[32], opt[8];
	int n;

	memset(&o, 0, sizeof(o));
	o.d.when = time(NULL);
	o.d.tz_quarters = 28;
	o.d.ref = sim.next_ref;
	while (*p == '-') {
		if (deliver_option(word(&p, opt, sizeof(opt)), &p, &o) == -1) {
			snprintf(r, rsz, "err unknown option %s", opt);
			return;
		}
	}
	word(&p, from, sizeof(from));
	unescape(p, text, sizeof(text));
	o.d.smsc = sim.smsc;
	o.d.from = from;
	o.d.text = text;
	n = pdu_deliver_encode(&o.d, parts, PDU_MAX_PARTS);
	if (from[0] == '\0' || n < 1) {
		snprintf(r, rsz, "err cannot encode this SMS");
		return;
	}
	if (n > 1)
		sim.next_ref = (o.d.ref + 1) % 256;
	store_parts(parts, n, &o, r, rsz);
}

static void
ctl_sim(const char *cmd, const char *p, char *r, size_t rsz)
{
	size_t len;
	int i = atoi(p);

	if (*p != '\0') {
		if (i < 1 || i > sim.nslots || !sim.slots[i].used) {
			snprintf(r, rsz, "err no SMS at %s", p);
			return;
		}
		snprintf(r, rsz, "ok %d %d %s", sim.slots[i].stat, sim.slots[i].pdu.tpdu_len,
			 sim.slots[i].pdu.hex);
		return;
	}
	snprintf(r, rsz, "ok %d/%d", used_slots(), sim.nslots);
	for (i = 1; i <= sim.nslots; i++) {
		len = strlen(r);
		if (sim.slots[i].used)
			snprintf(r + len, rsz - len, " %d", i);
	}
}

static void
ctl_sent(const char *cmd, const char *p, char *r, size_t rsz)
{
	char text[2 * PDU_TEXT_MAX];
	const struct pdu_submit *s;
	int i = atoi(p);

	if (*p == '\0') {
		snprintf(r, rsz, "ok %d", sim.nsent);
		return;
	}
	if (i < 0 || i >= sim.nsent) {
		snprintf(r, rsz, "err no sent SMS %s", p);
		return;
	}
	s = &sim.sent[i];
	escape(s->text, text, sizeof(text));
	snprintf(r, rsz, "ok %s %s %d/%d %d %s", s->to, pdu_coding_name(s->coding), s->part,
		 s->parts, s->ref, text);
}

/* sentinfo I: ok <mr> <srr>; report I delivered|failed: a status report
 * about sent SMS I arrives in the SIM. */
static void
ctl_sentinfo(const char *cmd, const char *p, char *r, size_t rsz)
{
	struct pdu_part part;
	char w[16];
	int i = atoi(word(&p, w, sizeof(w)));
	int idx;

	if (w[0] == '\0' || i < 0 || i >= sim.nsent) {
		snprintf(r, rsz, "err no sent SMS %s", w);
		return;
	}
	if (strcmp(cmd, "sentinfo") == 0) {
		snprintf(r, rsz, "ok %d %d", sim.sent_mr[i], sim.sent[i].srr);
		return;
	}
	if (strcmp(p, "delivered") != 0 && strcmp(p, "failed") != 0) {
		snprintf(r, rsz, "err report I delivered|failed");
		return;
	}
	if (pdu_status_report_encode(sim.smsc, sim.sent[i].to, sim.sent_mr[i],
				     strcmp(p, "delivered") == 0 ? 0x00 : 0x41, time(NULL), 28,
				     &part) == -1) {
		snprintf(r, rsz, "err cannot encode the report");
		return;
	}
	idx = store(&part);
	if (idx == -1)
		snprintf(r, rsz, "err sim full");
	else
		snprintf(r, rsz, "ok %d", idx);
}

static void
ctl_clear(const char *cmd, const char *p, char *r, size_t rsz)
{
	int i;

	if (strcmp(p, "sent") == 0) {
		sim.nsent = 0;
	} else if (strcmp(p, "sim") == 0) {
		for (i = 1; i <= sim.nslots; i++)
			sim.slots[i].used = 0;
		sim.npending = 0;
	} else {
		snprintf(r, rsz, "err clear sim|sent");
		return;
	}
	snprintf(r, rsz, "ok");
}

static void
ctl_ussd(const char *cmd, const char *p, char *r, size_t rsz)
{
	static const char *kinds[] = {"gsm7", "packed", "ucs2", "error", "silent", "reject"};
	struct ussd u;
	char kind[16];
	size_t k;
	int i;

	memset(&u, 0, sizeof(u));
	word(&p, u.code, sizeof(u.code));
	word(&p, kind, sizeof(kind));
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (strcmp(kind, kinds[k]) == 0)
			break;
	if (u.code[0] == '\0' || k == sizeof(kinds) / sizeof(kinds[0])) {
		snprintf(r, rsz, "err ussd CODE gsm7|packed|ucs2|error|silent|reject [TEXT]");
		return;
	}
	u.kind = (enum ussd_kind)k;
	unescape(p, u.text, sizeof(u.text));
	if (u.kind == U_GSM7 && (!pdu_gsm7_fits(u.text) || strchr(u.text, '"') != NULL)) {
		snprintf(r, rsz, "err not in the GSM alphabet, or a quote");
		return;
	}
	for (i = 0; i < sim.nussd && strcmp(sim.ussd[i].code, u.code) != 0; i++)
		;
	if (i == MAX_USSD) {
		snprintf(r, rsz, "err too many USSD codes");
		return;
	}
	sim.ussd[i] = u;
	if (i == sim.nussd)
		sim.nussd++;
	snprintf(r, rsz, "ok");
}

static void
ctl_csq(const char *cmd, const char *p, char *r, size_t rsz)
{
	char w[16];

	sim.rssi = atoi(word(&p, w, sizeof(w)));
	sim.ber = *p != '\0' ? atoi(p) : 0;
	snprintf(r, rsz, "ok");
}

static void
ctl_creg(const char *cmd, const char *p, char *r, size_t rsz)
{
	char w[16];

	sim.creg = atoi(word(&p, w, sizeof(w)));
	if (*p != '\0')
		sim.lac = (int)strtol(word(&p, w, sizeof(w)), NULL, 0);
	if (*p != '\0')
		sim.ci = (int)strtol(word(&p, w, sizeof(w)), NULL, 0);
	snprintf(r, rsz, "ok");
}

static void
ctl_smsc(const char *cmd, const char *p, char *r, size_t rsz)
{
	if (*p == '\0' || strlen(p) >= sizeof(sim.smsc)) {
		snprintf(r, rsz, "err smsc NUMBER");
		return;
	}
	strcpy(sim.smsc, p);
	snprintf(r, rsz, "ok");
}

/* The state a fresh simulator starts with, but the pty and the SIM size. */
static void
initial_state(void)
{
	int i;

	for (i = 1; i <= MAX_SLOTS; i++)
		sim.slots[i].used = 0;
	sim.nslots = sim.nslots_start;
	sim.npending = sim.nsent = sim.nussd = sim.rejected = sim.nhistory = 0;
	sim.hang = sim.errors = sim.cms_count = sim.simfull = sim.noack = 0;
	sim.rssi = 20;
	sim.ber = 0;
	sim.creg = 1;
	sim.lac = 0x3a9c;
	sim.ci = 0x1b2f;
	strcpy(sim.smsc, "+84980200030");
}

static void
ctl_reset(const char *cmd, const char *p, char *r, size_t rsz)
{
	initial_state();
	snprintf(r, rsz, "ok");
}

static void
ctl_slots(const char *cmd, const char *p, char *r, size_t rsz)
{
	int i, n = atoi(p);

	if (n < 1 || n > MAX_SLOTS) {
		snprintf(r, rsz, "err slots 1..%d", MAX_SLOTS);
		return;
	}
	for (i = n + 1; i <= sim.nslots; i++) {
		if (sim.slots[i].used) {
			snprintf(r, rsz, "err slot %d is used", i);
			return;
		}
	}
	sim.nslots = n;
	snprintf(r, rsz, "ok");
}

static void
ctl_seen(const char *cmd, const char *p, char *r, size_t rsz)
{
	int i, n = 0, first = sim.nhistory > HISTORY ? sim.nhistory - HISTORY : 0;

	for (i = first; i < sim.nhistory; i++)
		if (strncasecmp(sim.history[i % HISTORY], p, strlen(p)) == 0)
			n++;
	snprintf(r, rsz, "ok %d", n);
}

static void
ctl_fault(const char *cmd, const char *p, char *r, size_t rsz)
{
	char w[16];

	snprintf(r, rsz, "ok");
	if (strcmp(cmd, "hang") == 0) {
		sim.hang = 1;
	} else if (strcmp(cmd, "unhang") == 0) {
		sim.hang = 0;
		sim.len = 0;
	} else if (strcmp(cmd, "error") == 0) {
		sim.errors = atoi(word(&p, w, sizeof(w)));
		word(&p, sim.error_prefix, sizeof(sim.error_prefix));
	} else if (strcmp(cmd, "cms") == 0) {
		sim.cms_count = atoi(word(&p, w, sizeof(w)));
		sim.cms_code = atoi(word(&p, w, sizeof(w)));
		word(&p, sim.cms_prefix, sizeof(sim.cms_prefix));
	} else if (strcmp(cmd, "simfull") == 0) {
		sim.simfull = strcmp(p, "off") != 0;
	} else if (strcmp(cmd, "noack") == 0) {
		sim.noack = atoi(word(&p, w, sizeof(w)));
	}
}

static void
ctl_pty(const char *cmd, const char *p, char *r, size_t rsz)
{
	if (strcmp(cmd, "vanish") == 0) {
		pty_close();
		snprintf(r, rsz, "ok");
	} else if (sim.master != -1) {
		snprintf(r, rsz, "err the pty is there");
	} else if (pty_open() == -1) {
		pty_close();
		snprintf(r, rsz, "err cannot open a pty");
	} else {
		snprintf(r, rsz, "ok %s", sim.path);
	}
}

static void
ctl_misc(const char *cmd, const char *p, char *r, size_t rsz)
{
	if (strcmp(cmd, "ping") == 0) {
		snprintf(r, rsz, "ok %s", sim.master != -1 ? sim.path : "(vanished)");
	} else if (strcmp(cmd, "quit") == 0) {
		quit = 1;
		snprintf(r, rsz, "ok");
	}
}

/* Control commands; the handler gets the command word and what follows it. */
static const struct ctl_cmd {
	const char *name;
	void (*fn)(const char *cmd, const char *args, char *reply, size_t sz);
} ctl_cmds[] = {
    {"deliver", ctl_deliver},	{"sim", ctl_sim},	  {"sent", ctl_sent},
    {"clear", ctl_clear},	{"ussd", ctl_ussd},	  {"csq", ctl_csq},
    {"creg", ctl_creg},		{"smsc", ctl_smsc},	  {"slots", ctl_slots},
    {"seen", ctl_seen},		{"hang", ctl_fault},	  {"unhang", ctl_fault},
    {"error", ctl_fault},	{"cms", ctl_fault},	  {"simfull", ctl_fault},
    {"vanish", ctl_pty},	{"back", ctl_pty},	  {"ping", ctl_misc},
    {"reset", ctl_reset},	{"quit", ctl_misc},	  {"noack", ctl_fault},
    {"sentinfo", ctl_sentinfo}, {"report", ctl_sentinfo},
};

static void
ctl_execute(const char *line, char *r, size_t rsz)
{
	const char *p = line;
	char cmd[16];
	size_t i;

	vlog("ctl: %s", line);
	word(&p, cmd, sizeof(cmd));
	for (i = 0; i < sizeof(ctl_cmds) / sizeof(ctl_cmds[0]); i++) {
		if (strcmp(cmd, ctl_cmds[i].name) == 0) {
			ctl_cmds[i].fn(cmd, p, r, rsz);
			return;
		}
	}
	snprintf(r, rsz, "err unknown command %s", cmd);
}

static void
client_close(struct client *c)
{
	close(c->fd);
	c->fd = -1;
	c->len = 0;
}

static void
client_read(struct client *c)
{
	static char reply[REPLY_MAX];
	char *nl;
	size_t n;
	ssize_t got;

	got = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
	if (got <= 0) {
		client_close(c);
		return;
	}
	c->len += (size_t)got;
	c->buf[c->len] = '\0';
	for (;;) {
		nl = memchr(c->buf, '\n', c->len);
		if (nl == NULL)
			break;
		*nl = '\0';
		if (nl > c->buf && nl[-1] == '\r')
			nl[-1] = '\0';
		ctl_execute(c->buf, reply, sizeof(reply) - 1);
		n = strlen(reply);
		reply[n++] = '\n';
		if (send(c->fd, reply, n, MSG_NOSIGNAL) != (ssize_t)n) {
			client_close(c);
			return;
		}
		n = (size_t)(nl + 1 - c->buf);
		memmove(c->buf, nl + 1, c->len - n);
		c->len -= n;
	}
	if (c->len == sizeof(c->buf) - 1)
		client_close(c); /* a line too long for anyone */
}

static int
ctl_listen(void)
{
	struct sockaddr_un sun;

	if (sim.ctl_path == NULL)
		return 0;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(sim.ctl_path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "modemsim: %s: path too long\n", sim.ctl_path);
		return -1;
	}
	strcpy(sun.sun_path, sim.ctl_path);
	unlink(sim.ctl_path);
	sim.listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (sim.listen_fd == -1 ||
	    bind(sim.listen_fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(sim.listen_fd, MAX_CLIENTS) == -1) {
		fprintf(stderr, "modemsim: %s: %s\n", sim.ctl_path, strerror(errno));
		return -1;
	}
	return 0;
}

static void
ctl_accept(void)
{
	int fd, i;

	fd = accept(sim.listen_fd, NULL, NULL);
	if (fd == -1)
		return;
	for (i = 0; i < MAX_CLIENTS; i++) {
		if (sim.clients[i].fd == -1) {
			sim.clients[i].fd = fd;
			sim.clients[i].len = 0;
			return;
		}
	}
	close(fd);
}

/* The loop ------------------------------------------------------------ */

/* Stores the delayed parts that are due; returns ms to the next one or -1. */
static int
fire_pending(void)
{
	int64_t now = now_ms(), next = -1;
	int i = 0;

	while (i < sim.npending) {
		if (sim.pending[i].due_ms <= now) {
			if (store(&sim.pending[i].pdu) == -1)
				sim.rejected++;
			sim.pending[i] = sim.pending[--sim.npending];
			continue;
		}
		if (next == -1 || sim.pending[i].due_ms - now < next)
			next = sim.pending[i].due_ms - now;
		i++;
	}
	return (int)next;
}

static int
poll_timeout(void)
{
	int t = fire_pending();
	int64_t left;

	if (sim.deadline_ms > 0) {
		left = sim.deadline_ms - now_ms();
		if (left <= 0)
			quit = 1;
		else if (t == -1 || left < t)
			t = (int)left;
	}
	return t;
}

static void
loop(void)
{
	struct pollfd pfd[2 + MAX_CLIENTS];
	int i, n, timeout;

	while (!quit) {
		timeout = poll_timeout();
		flush_out();
		n = 0;
		pfd[n].fd = sim.master;
		pfd[n++].events = POLLIN | (sim.outlen > 0 ? POLLOUT : 0);
		pfd[n].fd = sim.listen_fd;
		pfd[n++].events = POLLIN;
		for (i = 0; i < MAX_CLIENTS; i++) {
			pfd[n].fd = sim.clients[i].fd;
			pfd[n++].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)n, timeout) == -1) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "modemsim: poll: %s\n", strerror(errno));
			return;
		}
		if (sim.master != -1 && (pfd[0].revents & POLLIN))
			pty_read();
		if (sim.listen_fd != -1 && (pfd[1].revents & POLLIN))
			ctl_accept();
		for (i = 0; i < MAX_CLIENTS; i++)
			if (sim.clients[i].fd != -1 && (pfd[2 + i].revents & (POLLIN | POLLHUP)))
				client_read(&sim.clients[i]);
	}
}

static void
usage(void)
{
	fprintf(stderr, "usage: modemsim [-v] [--link PATH] [--ctl SOCKET] [--slots N] "
			"[--timeout SECONDS]\n");
	exit(2);
}

static void
defaults(void)
{
	int i;

	sim.master = sim.slave = sim.listen_fd = -1;
	for (i = 0; i < MAX_CLIENTS; i++)
		sim.clients[i].fd = -1;
	sim.nslots_start = 30;
	sim.next_ref = 1;
}

static void
options(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"link", required_argument, NULL, 'l'},
	    {"ctl", required_argument, NULL, 'c'},
	    {"slots", required_argument, NULL, 'n'},
	    {"timeout", required_argument, NULL, 't'},
	    {NULL, 0, NULL, 0},
	};
	int ch;

	for (;;) {
		ch = getopt_long(argc, argv, "vl:c:n:t:", longopts, NULL);
		if (ch == -1)
			break;
		switch (ch) {
		case 'v':
			sim.verbose = 1;
			break;
		case 'l':
			sim.link = optarg;
			break;
		case 'c':
			sim.ctl_path = optarg;
			break;
		case 'n':
			sim.nslots_start = atoi(optarg);
			if (sim.nslots_start < 1 || sim.nslots_start > MAX_SLOTS)
				usage();
			break;
		case 't':
			sim.deadline_ms = now_ms() + 1000 * (int64_t)atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
}

int
main(int argc, char **argv)
{
	struct sigaction sa;

	defaults();
	options(argc, argv);
	initial_state();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (pty_open() == -1 || ctl_listen() == -1) {
		pty_close();
		return 1;
	}
	printf("%s\n", sim.path);
	fflush(stdout);
	loop();
	pty_close();
	if (sim.ctl_path != NULL)
		unlink(sim.ctl_path);
	free(sim.sent);
	free(sim.sent_mr);
	return 0;
}
