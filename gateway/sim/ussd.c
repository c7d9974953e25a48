/*
 * ussd.c - see ussd.h.
 */
#include <ctype.h>
#include <inttypes.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <gammu.h>

#include "alert.h"
#include "config.h"
#include "log.h"
#include "modem.h"
#include "parser.h"
#include "identity.h"
#include "store.h"
#include "ussd.h"

#define SMS_MAX 160 /* one GSM 7-bit SMS */

/* What the USSD callback saw. */
struct got {
	int done;
	GSM_USSDStatus status;
	char text[4 * (GSM_MAX_USSD_LENGTH + 1)]; /* UTF-8 */
};

static int unpack_hex(char *text, size_t textsz);

/*
 * libgammu reads a hex answer of packed septets (Huawei sticks) as UCS-2 hex
 * when its length allows: CJK and other characters no Vietnamese operator
 * sends.  Such text is turned back into its hex, to be unpacked.  Returns 1
 * when text got the hex.
 */
static int
rehex(const unsigned char *ucs2, char *text, size_t textsz)
{
	size_t i, o = 0;
	unsigned int cp;
	int odd = 0;

	for (i = 0; ucs2[2 * i] != 0 || ucs2[2 * i + 1] != 0; i++) {
		cp = (unsigned int)ucs2[2 * i] << 8 | ucs2[2 * i + 1];
		if (cp >= 0x0800 && !(cp >= 0x1e00 && cp <= 0x1eff) && cp != 0x20ac)
			odd = 1;
		if (o + 5 > textsz)
			return 0;
		snprintf(text + o, 5, "%04X", cp);
		o += 4;
	}
	return odd;
}

static void
ussd_cb(GSM_StateMachine *sm, GSM_USSDMessage *u, void *user)
{
	struct got *g = user;

	g->status = u->Status;
	if (!rehex(u->Text, g->text, sizeof(g->text)) || !unpack_hex(g->text, sizeof(g->text)))
		EncodeUTF8(g->text, u->Text);
	g->done = 1;
}

/* GSM 03.38 default alphabet, as UTF-8. */
static const char *const gsm7[128] = {
    "@", "£", "$",  "¥", "è", "é", "ù", "ì", "ò", "Ç", "\n", "Ø", "ø", "\r", "Å", "å",
    "Δ", "_", "Φ",  "Γ", "Λ", "Ω", "Π", "Ψ", "Σ", "Θ", "Ξ",  "",  "Æ", "æ",  "ß", "É",
    " ", "!", "\"", "#", "¤", "%", "&", "'", "(", ")", "*",  "+", ",", "-",  ".", "/",
    "0", "1", "2",  "3", "4", "5", "6", "7", "8", "9", ":",  ";", "<", "=",  ">", "?",
    "¡", "A", "B",  "C", "D", "E", "F", "G", "H", "I", "J",  "K", "L", "M",  "N", "O",
    "P", "Q", "R",  "S", "T", "U", "V", "W", "X", "Y", "Z",  "Ä", "Ö", "Ñ",  "Ü", "§",
    "¿", "a", "b",  "c", "d", "e", "f", "g", "h", "i", "j",  "k", "l", "m",  "n", "o",
    "p", "q", "r",  "s", "t", "u", "v", "w", "x", "y", "z",  "ä", "ö", "ñ",  "ü", "à",
};

static const char *
gsm7_escape(unsigned int c)
{
	switch (c) {
	case 0x0a:
		return "\f";
	case 0x14:
		return "^";
	case 0x28:
		return "{";
	case 0x29:
		return "}";
	case 0x2f:
		return "\\";
	case 0x3c:
		return "[";
	case 0x3d:
		return "~";
	case 0x3e:
		return "]";
	case 0x40:
		return "|";
	case 0x65:
		return "€";
	default:
		return " ";
	}
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * Some modems (Huawei sticks) give the answer as the hex of packed GSM 7-bit
 * septets, which libgammu passes on as is.  An answer that is only hex
 * digits (at least 8, one a letter) is unpacked in place.  Returns 1 when
 * it was unpacked.
 */
static int
unpack_hex(char *text, size_t textsz)
{
	unsigned char bytes[GSM_MAX_USSD_LENGTH];
	char out[4 * (GSM_MAX_USSD_LENGTH + 1)];
	size_t n = strlen(text), nb, ns, i, o = 0;
	unsigned int sept[GSM_MAX_USSD_LENGTH * 8 / 7 + 1];
	const char *u;
	int letter = 0;

	if (n < 8 || n % 2 != 0 || n / 2 > sizeof(bytes))
		return 0;
	for (i = 0; i < n; i++) {
		if (hexval((unsigned char)text[i]) < 0)
			return 0;
		letter |= !isdigit((unsigned char)text[i]);
	}
	if (!letter)
		return 0;
	nb = n / 2;
	for (i = 0; i < nb; i++)
		bytes[i] = (unsigned char)(hexval((unsigned char)text[2 * i]) << 4 |
					   hexval((unsigned char)text[2 * i + 1]));
	ns = nb * 8 / 7;
	for (i = 0; i < ns; i++) {
		size_t bit = i * 7, byte = bit / 8, shift = bit % 8;
		unsigned int v = bytes[byte] >> shift;

		if (shift > 1 && byte + 1 < nb)
			v |= (unsigned int)bytes[byte + 1] << (8 - shift);
		sept[i] = v & 0x7f;
	}
	/* Padding: a last septet of 0 (or CR when 7 bits were spare). */
	if (ns > 0 && (sept[ns - 1] == 0 || (nb % 7 == 0 && sept[ns - 1] == 0x0d)))
		ns--;
	for (i = 0; i < ns; i++) {
		if (sept[i] == 0x1b && i + 1 < ns)
			u = gsm7_escape(sept[++i]);
		else
			u = gsm7[sept[i]];
		if (o + strlen(u) + 1 > sizeof(out))
			break;
		memcpy(out + o, u, strlen(u));
		o += strlen(u);
	}
	out[o] = '\0';
	snprintf(text, textsz, "%s", out);
	return 1;
}

static int64_t
monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
ussd_dial(struct modem *m, const char *code, int timeout_s, char *answer, size_t answersz,
	  const char **why)
{
	GSM_StateMachine *sm = modem_gammu(m);
	char number[GSM_MAX_USSD_LENGTH + 1];
	struct got *g;
	GSM_Error err;
	int64_t deadline;
	int rc = -1;

	answer[0] = '\0';
	*why = "error";
	g = calloc(1, sizeof(*g));
	if (g == NULL) {
		log_warn("ussd: calloc");
		return -1;
	}
	snprintf(number, sizeof(number), "%s", code);
	/* Connecting resets the callbacks: registered at every dial. */
	GSM_SetIncomingUSSDCallback(sm, ussd_cb, g);
	err = GSM_SetIncomingUSSD(sm, TRUE);
	if (err != ERR_NONE) {
		log_warnx("ussd: cannot enable USSD answers: %s", GSM_ErrorString(err));
		modem_gammu_error(m, err);
		goto done;
	}
	err = GSM_DialService(sm, number);
	if (err == ERR_NONE) {
		deadline = monotonic_ms() + (int64_t)timeout_s * 1000;
		while (!g->done && monotonic_ms() < deadline)
			GSM_ReadDevice(sm, TRUE);
	}
	if (err == ERR_NONE && g->done &&
	    (g->status == USSD_NoActionNeeded || g->status == USSD_ActionNeeded ||
	     (g->status == USSD_Terminated && g->text[0] != '\0'))) {
		unpack_hex(g->text, sizeof(g->text));
		snprintf(answer, answersz, "%s", g->text);
		rc = 0;
	} else if (err == ERR_NETWORK_ERROR || g->done) {
		*why = "refused";
		log_warnx("ussd: the network refused the code (status %d)", (int)g->status);
	} else if (err == ERR_NONE) {
		*why = "no_answer";
		log_warnx("ussd: no answer within %d s", timeout_s);
	} else {
		log_warnx("ussd: dialling: %s", GSM_ErrorString(err));
		modem_gammu_error(m, err);
	}
	/* Ends a session that waits for a reply (a menu), and AT+CUSD=0. */
	if (!modem_lost(m))
		GSM_SetIncomingUSSD(sm, FALSE);
done:
	GSM_SetIncomingUSSDCallback(sm, NULL, NULL);
	free(g);
	return rc;
}

int
ussd_amount(const char *pattern, const char *answer, int64_t *amount)
{
	regmatch_t pm[2];
	regex_t re;
	regoff_t i, from, to;
	int64_t v = 0;
	int digits = 0;

	if (regcomp(&re, pattern, REG_EXTENDED | REG_ICASE) != 0) {
		log_warnx("ussd: bad balance pattern \"%s\"", pattern);
		return -1;
	}
	if (regexec(&re, answer, 2, pm, 0) != 0) {
		regfree(&re);
		return 0;
	}
	regfree(&re);
	from = pm[1].rm_so != -1 ? pm[1].rm_so : pm[0].rm_so;
	to = pm[1].rm_so != -1 ? pm[1].rm_eo : pm[0].rm_eo;
	/* Thousands separators ("12.345", "12,345") are dropped. */
	for (i = from; i < to; i++) {
		if (!isdigit((unsigned char)answer[i]))
			continue;
		if (++digits > 15)
			return 0;
		v = v * 10 + (answer[i] - '0');
	}
	if (digits == 0)
		return 0;
	*amount = v;
	return 1;
}

/* The alert key of a modem: "key" for the one named "modem", else "key:name". */
static void
alert_key(const char *key, const char *name, char *buf, size_t bufsz)
{
	if (strcmp(name, "modem") == 0)
		snprintf(buf, bufsz, "%s", key);
	else
		snprintf(buf, bufsz, "%s:%s", key, name);
}

int
ussd_balance_check(const struct config *cfg, struct store *st, struct modem *m,
		   const char *modem_name, int64_t now)
{
	const struct config_balance *b = &cfg->balance;
	char answer[USSD_ANSWER_MAX], key[80], text[200];
	const char *why = "ok";
	int64_t amount = 0;
	int r, has = 0;

	r = ussd_dial(m, b->code, b->timeout, answer, sizeof(answer), &why);
	if (r == 0) {
		has = ussd_amount(b->pattern, answer, &amount) == 1;
		why = has ? "ok" : "unreadable";
		if (!has)
			log_warnx("balance %s: no amount in the answer to %s: \"%s\"", modem_name,
				  b->code, answer);
	} else {
		log_warnx("balance %s: %s: %s", modem_name, b->code, why);
	}
	struct store_ussd u = {modem_name, now,	   "balance", b->code, r == 0 ? answer : NULL,
			       has,	   amount, why};
	if (store_ussd_add(st, &u) == -1)
		return -1;
	if (!has)
		return -1;
	log_info("balance %s: %" PRId64 " d", modem_name, amount);
	if (b->threshold <= 0)
		return 0;
	alert_key("balance_low", modem_name, key, sizeof(key));
	if (amount < b->threshold) {
		snprintf(text, sizeof(text),
			 "Canh bao tinbao: tai khoan SIM modem%s%s con %" PRId64
			 "d, duoi muc %ldd. Nap the: NAPTIEN <ma the>",
			 strcmp(modem_name, "modem") == 0 ? "" : " ",
			 strcmp(modem_name, "modem") == 0 ? "" : modem_name, amount, b->threshold);
		alert_raise(cfg, st, key, text, now);
	} else {
		alert_clear(cfg, st, key, NULL, now);
	}
	return 0;
}

int64_t
ussd_balance_tick(int64_t *next, const struct config *cfg, struct store *st, struct modem *m,
		  const char *modem_name, int64_t now)
{
	struct store_ussd_row last;

	if (!cfg->balance.enabled)
		return INT64_MAX;
	if (*next == 0)
		*next = store_ussd_last(st, modem_name, "balance", 0, &last) == 1
			    ? last.at + cfg->balance.interval
			    : now;
	if (now < *next)
		return *next;
	*next = now + cfg->balance.interval;
	ussd_balance_check(cfg, st, m, modem_name, now);
	return *next;
}

void
ussd_requests(const struct config *cfg, struct store *st, struct modem *m, const char *modem_name,
	      int64_t now)
{
	char code[64], answer[USSD_ANSWER_MAX];
	const char *why;
	int64_t id;
	int i, r;

	for (i = 0; i < 4 && !modem_lost(m); i++) {
		if (store_ussd_next_request(st, modem_name, now - USSD_REQUEST_MAX_AGE, &id, code,
					    sizeof(code)) != 1)
			return;
		log_info("ussd %s: dialling %s (tinbao ussd)", modem_name, code);
		r = ussd_dial(m, code, cfg->balance.timeout, answer, sizeof(answer), &why);
		if (store_ussd_answer(st, id, r == 0 ? answer : NULL, r == 0 ? "ok" : why, 0) == -1)
			return;
	}
}

/* Case-insensitive prefix: the length matched, or 0. */
static size_t
prefix(const char *s, const char *word)
{
	size_t n = strlen(word);

	return strncasecmp(s, word, n) == 0 ? n : 0;
}

int
ussd_topup_match(const char *text, char *masked, size_t maskedsz, char *pin, size_t pinsz)
{
	const char *p = text, *rest;
	size_t n, o, digits = 0, seen = 0, np = 0;
	int valid = 1;

	while (isspace((unsigned char)*p))
		p++;
	n = prefix(p, "nap");
	if (n == 0)
		return 0;
	p += n;
	while (*p == ' ' || *p == '\t')
		p++;
	n = prefix(p, "tien");
	if (n == 0)
		return 0;
	p += n;
	/* '*': the form stored, PIN masked ("naptien********9012"), which is
	 * processed again after a restart. */
	if (*p != '\0' && !isspace((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '*')
		return 0; /* another word */
	rest = p;
	for (; *p != '\0'; p++) {
		if (isdigit((unsigned char)*p))
			digits++;
		else if (!isspace((unsigned char)*p))
			valid = 0;
	}
	valid = valid && digits >= 12 && digits <= USSD_PIN_MAX && pinsz > USSD_PIN_MAX;
	/* The keyword as typed; every digit but the last 4 of a PIN masked. */
	o = (size_t)(rest - text);
	if (o >= maskedsz)
		o = maskedsz - 1;
	memcpy(masked, text, o);
	for (p = rest; *p != '\0' && o + 1 < maskedsz; p++) {
		if (!isdigit((unsigned char)*p)) {
			masked[o++] = *p;
			continue;
		}
		seen++;
		if (valid)
			pin[np++] = *p;
		masked[o++] = digits >= 12 && seen + 4 > digits ? *p : '*';
	}
	masked[o] = '\0';
	if (pinsz > 0)
		pin[valid ? np : 0] = '\0';
	return 1;
}

void
ussd_mask(const char *code, char *out, size_t outsz)
{
	size_t i, j, run, o = 0;

	for (i = 0; code[i] != '\0' && o + 1 < outsz;) {
		for (run = 0; isdigit((unsigned char)code[i + run]); run++)
			;
		if (run == 0) {
			out[o++] = code[i++];
			continue;
		}
		for (j = 0; j < run && o + 1 < outsz; j++)
			out[o++] = run >= 10 && j + 4 < run ? '*' : code[i + j];
		i += run;
	}
	out[o] = '\0';
}

/* The top-up code with s in place of its one "%s". */
static void
topup_code(const char *fmt, const char *s, char *buf, size_t bufsz)
{
	const char *p = strstr(fmt, "%s");

	if (p == NULL) {
		snprintf(buf, bufsz, "%s", fmt);
		return;
	}
	snprintf(buf, bufsz, "%.*s%s%s", (int)(p - fmt), fmt, s, p + 2);
}

int
ussd_topup(const struct config *cfg, struct store *st, struct modem *m, const char *modem_name,
	   const struct identity *who, const char *pin, int64_t now, char *reply, size_t replysz)
{
	const char *sender = who->number;
	char code[128], masked_code[128], stars[USSD_PIN_MAX + 1], answer[USSD_ANSWER_MAX];
	char ascii[USSD_ANSWER_MAX];
	const char *why;
	size_t n, i;
	int r;

	if (!identity_has(who, IDENTITY_ADMIN)) {
		log_warnx("NAPTIEN refused from %s", sender);
		snprintf(reply, replysz, "Loi: so nay khong duoc phep nap tien cho modem.");
		return 0;
	}
	if (pin[0] == '\0') {
		log_warnx("NAPTIEN from %s: not a card PIN of 12 to 16 digits", sender);
		snprintf(reply, replysz, "Loi: ma the phai co 12-16 chu so. Gui: NAPTIEN <ma the>");
		return 0;
	}
	if (m == NULL || modem_lost(m) || modem_is_dummy(m)) {
		log_warnx("NAPTIEN from %s: no modem to dial with", sender);
		snprintf(reply, replysz, "Loi: modem chua san sang, chua nap tien. Gui lai sau.");
		return 0;
	}
	n = strlen(pin);
	for (i = 0; i < n; i++)
		stars[i] = i + 4 < n ? '*' : pin[i];
	stars[n] = '\0';
	topup_code(cfg->balance.topup_code, pin, code, sizeof(code));
	topup_code(cfg->balance.topup_code, stars, masked_code, sizeof(masked_code));
	log_info("NAPTIEN from %s: dialling %s", sender, masked_code);
	r = ussd_dial(m, code, cfg->balance.timeout, answer, sizeof(answer), &why);
	explicit_bzero(code, sizeof(code));
	struct store_ussd u = {
	    modem_name,		now, "topup", masked_code, r == 0 ? answer : NULL, 0, 0,
	    r == 0 ? "ok" : why};
	if (store_ussd_add(st, &u) == -1)
		return -1;
	if (r == -1) {
		log_warnx("NAPTIEN from %s: %s", sender, why);
		snprintf(reply, replysz, "Loi: nap tien khong thanh cong (%s).",
			 strcmp(why, "refused") == 0	 ? "mang tu choi"
			 : strcmp(why, "no_answer") == 0 ? "mang khong tra loi"
							 : "loi modem");
		return 0;
	}
	log_info("NAPTIEN from %s: %s", sender, answer);
	parser_ascii(answer, ascii, sizeof(ascii));
	/* Cut to one SMS. */
	if (replysz > SMS_MAX + 1)
		replysz = SMS_MAX + 1;
	n = strlen("Nap tien: ");
	if (replysz > n) {
		memcpy(reply, "Nap tien: ", n);
		i = strlen(ascii);
		if (i > replysz - n - 1)
			i = replysz - n - 1;
		memcpy(reply + n, ascii, i);
		reply[n + i] = '\0';
	}
	ussd_balance_check(cfg, st, m, modem_name, now);
	return 1;
}
