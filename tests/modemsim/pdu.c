/*
 * pdu.c - see pdu.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pdu.h"

#define MAX_CPS 2400   /* code points of one text */
#define MAX_OCTETS 200 /* SCA + TPDU */
#define SEPTETS_SINGLE 160
#define SEPTETS_PART 153 /* 160 minus the 7 septets a concatenation UDH takes */
#define UCS2_SINGLE 70
#define UCS2_PART 67	 /* (140 - 6) / 2 */
#define UDH_CONCAT_LEN 6 /* UDHL 05, IEI 00, IEDL 03, ref, count, number */
#define GSM7_ESC 0x1b
#define NONE 0xffff

/* The GSM 7-bit default alphabet (23.038 6.2.1), indexed by septet. */
static const unsigned short gsm7_basic[128] = {
    0x0040, 0x00a3, 0x0024, 0x00a5, 0x00e8, 0x00e9, 0x00f9, 0x00ec, 0x00f2, 0x00c7, 0x000a, 0x00d8,
    0x00f8, 0x000d, 0x00c5, 0x00e5, 0x0394, 0x005f, 0x03a6, 0x0393, 0x039b, 0x03a9, 0x03a0, 0x03a8,
    0x03a3, 0x0398, 0x039e, NONE,   0x00c6, 0x00e6, 0x00df, 0x00c9, 0x0020, 0x0021, 0x0022, 0x0023,
    0x00a4, 0x0025, 0x0026, 0x0027, 0x0028, 0x0029, 0x002a, 0x002b, 0x002c, 0x002d, 0x002e, 0x002f,
    0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037, 0x0038, 0x0039, 0x003a, 0x003b,
    0x003c, 0x003d, 0x003e, 0x003f, 0x00a1, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047,
    0x0048, 0x0049, 0x004a, 0x004b, 0x004c, 0x004d, 0x004e, 0x004f, 0x0050, 0x0051, 0x0052, 0x0053,
    0x0054, 0x0055, 0x0056, 0x0057, 0x0058, 0x0059, 0x005a, 0x00c4, 0x00d6, 0x00d1, 0x00dc, 0x00a7,
    0x00bf, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066, 0x0067, 0x0068, 0x0069, 0x006a, 0x006b,
    0x006c, 0x006d, 0x006e, 0x006f, 0x0070, 0x0071, 0x0072, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077,
    0x0078, 0x0079, 0x007a, 0x00e4, 0x00f6, 0x00f1, 0x00fc, 0x00e0,
};

/* The escape table (23.038 6.2.1.1): ESC followed by the septet. */
static const struct {
	unsigned char septet;
	unsigned short cp;
} gsm7_ext[] = {
    {0x0a, 0x000c}, {0x14, 0x005e}, {0x28, 0x007b}, {0x29, 0x007d}, {0x2f, 0x005c},
    {0x3c, 0x005b}, {0x3d, 0x007e}, {0x3e, 0x005d}, {0x40, 0x007c}, {0x65, 0x20ac},
};

#define NEXT (sizeof(gsm7_ext) / sizeof(gsm7_ext[0]))

/* Octets under construction; overflow is remembered, not written. */
struct octets {
	unsigned char b[MAX_OCTETS];
	size_t n;
	int overflow;
};

static void
put(struct octets *o, unsigned int v)
{
	if (o->n >= sizeof(o->b)) {
		o->overflow = 1;
		return;
	}
	o->b[o->n++] = (unsigned char)v;
}

/* UTF-8 -> code points; invalid sequences become U+FFFD.  Returns the count,
 * or -1 when there are more than max. */
static int
utf8_decode(const char *s, unsigned int *cp, int max)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned int c, need, i;
	int n = 0;

	while (*p != '\0') {
		if (n == max)
			return -1;
		c = *p++;
		need = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
		if (c >= 0x80 && c < 0xc0) {
			cp[n++] = 0xfffd;
			continue;
		}
		c &= need == 3 ? 0x07 : need == 2 ? 0x0f : need == 1 ? 0x1f : 0x7f;
		for (i = 0; i < need; i++) {
			if ((*p & 0xc0) != 0x80)
				break;
			c = c << 6 | (*p++ & 0x3f);
		}
		if (i < need || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			c = 0xfffd;
		cp[n++] = c;
	}
	return n;
}

/* Appends one code point as UTF-8; the output stays NUL-terminated. */
static void
utf8_put(char *out, size_t outsz, size_t *o, unsigned int cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | cp >> 18);
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	if (*o + n >= outsz)
		return;
	memcpy(out + *o, b, n);
	*o += n;
	out[*o] = '\0';
}

/* The septets of a code point: 1 (basic), 2 (ESC + extension) or 0. */
static int
gsm7_encode(unsigned int cp, unsigned char s[2])
{
	size_t i;

	for (i = 0; i < 128; i++) {
		if (gsm7_basic[i] == cp) {
			s[0] = (unsigned char)i;
			return 1;
		}
	}
	for (i = 0; i < NEXT; i++) {
		if (gsm7_ext[i].cp == cp) {
			s[0] = GSM7_ESC;
			s[1] = gsm7_ext[i].septet;
			return 2;
		}
	}
	return 0;
}

static unsigned int
gsm7_decode(unsigned int septet, int escaped)
{
	size_t i;

	if (escaped) {
		for (i = 0; i < NEXT; i++)
			if (gsm7_ext[i].septet == septet)
				return gsm7_ext[i].cp;
	}
	return gsm7_basic[septet] == NONE ? 0x20 : gsm7_basic[septet];
}

/* What one code point costs: septets in GSM 7-bit, UTF-16 units in UCS-2. */
static int
cost(unsigned int cp, int ucs2)
{
	unsigned char s[2];

	if (ucs2)
		return cp >= 0x10000 ? 2 : 1;
	return gsm7_encode(cp, s);
}

static int
all_gsm7(const unsigned int *cp, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (cost(cp[i], 0) == 0)
			return 0;
	return 1;
}

/* Packs septets into o starting at septet position `skip` of the user data
 * that begins at octet `base` (23.038 6.1.2.1). */
static void
pack7(struct octets *o, size_t base, int skip, const unsigned char *sep, int n)
{
	size_t bit, byte, end;
	int i, shift;

	end = base + ((size_t)(skip + n) * 7 + 7) / 8;
	while (o->n < end && !o->overflow)
		put(o, 0);
	if (o->overflow)
		return;
	for (i = 0; i < n; i++) {
		bit = (size_t)(skip + i) * 7;
		byte = base + bit / 8;
		shift = (int)(bit % 8);
		o->b[byte] |= (unsigned char)(sep[i] << shift);
		if (shift > 1)
			o->b[byte + 1] |= (unsigned char)(sep[i] >> (8 - shift));
	}
}

static int
semi_octet(int v)
{
	return (v % 10) << 4 | (v / 10);
}

/* A digits-only address ("+" allowed first) in BCD, F-padded. */
static void
put_bcd(struct octets *o, const char *digits)
{
	size_t i, n = strlen(digits);
	unsigned int lo, hi;

	for (i = 0; i < n; i += 2) {
		lo = (unsigned int)(digits[i] - '0');
		hi = i + 1 < n ? (unsigned int)(digits[i + 1] - '0') : 0xf;
		put(o, hi << 4 | lo);
	}
}

static int
is_number(const char *a)
{
	if (*a == '+')
		a++;
	return *a != '\0' && strspn(a, "0123456789") == strlen(a);
}

static int
put_sca(struct octets *o, const char *smsc)
{
	const char *digits = smsc[0] == '+' ? smsc + 1 : smsc;

	if (smsc[0] == '\0') {
		put(o, 0);
		return 0;
	}
	if (!is_number(smsc) || strlen(digits) > 20)
		return -1;
	put(o, 1 + (unsigned int)(strlen(digits) + 1) / 2);
	put(o, smsc[0] == '+' ? 0x91 : 0x81);
	put_bcd(o, digits);
	return 0;
}

/* TP-OA: a number, or an alphanumeric sender in packed GSM 7-bit. */
static int
put_oa(struct octets *o, const char *from)
{
	unsigned int cp[11];
	unsigned char sep[22];
	int i, n, k = 0;
	size_t base;

	if (is_number(from)) {
		n = (int)strlen(from[0] == '+' ? from + 1 : from);
		if (n > 20)
			return -1;
		put(o, (unsigned int)n);
		put(o, from[0] == '+' ? 0x91 : 0x81);
		put_bcd(o, from[0] == '+' ? from + 1 : from);
		return 0;
	}
	n = utf8_decode(from, cp, 11);
	if (n < 1)
		return -1;
	for (i = 0; i < n; i++) {
		if (gsm7_encode(cp[i], sep + k) == 0)
			return -1;
		k += sep[k] == GSM7_ESC ? 2 : 1;
	}
	if (k > 11)
		return -1;
	put(o, (unsigned int)(k * 7 + 3) / 4);
	put(o, 0xd0);
	base = o->n;
	pack7(o, base, 0, sep, k);
	return 0;
}

static void
put_scts(struct octets *o, int64_t when, int tzq)
{
	time_t t = (time_t)(when + (int64_t)tzq * 900);
	struct tm tm;

	gmtime_r(&t, &tm);
	put(o, (unsigned int)semi_octet(tm.tm_year % 100));
	put(o, (unsigned int)semi_octet(tm.tm_mon + 1));
	put(o, (unsigned int)semi_octet(tm.tm_mday));
	put(o, (unsigned int)semi_octet(tm.tm_hour));
	put(o, (unsigned int)semi_octet(tm.tm_min));
	put(o, (unsigned int)semi_octet(tm.tm_sec));
	put(o, (unsigned int)(semi_octet(abs(tzq)) | (tzq < 0 ? 0x08 : 0)));
}

/* The user data of one part: cp[0..n), after a concatenation UDH when
 * count > 1.  Writes TP-UDL and TP-UD. */
static void
put_ud(struct octets *o, const unsigned int *cp, int n, int ucs2, int ref, int no, int count)
{
	unsigned char sep[2 * SEPTETS_SINGLE];
	int i, k = 0, udh = count > 1 ? UDH_CONCAT_LEN : 0;
	int udh_septets = (udh * 8 + 6) / 7;
	size_t base;

	if (ucs2) {
		for (i = 0; i < n; i++)
			k += cost(cp[i], 1);
		put(o, (unsigned int)(udh + 2 * k));
	} else {
		for (i = 0; i < n && k < SEPTETS_SINGLE; i++)
			k += gsm7_encode(cp[i], sep + k);
		put(o, (unsigned int)(udh_septets + k));
	}
	base = o->n;
	if (udh > 0) {
		put(o, 5);
		put(o, 0);
		put(o, 3);
		put(o, (unsigned int)ref);
		put(o, (unsigned int)count);
		put(o, (unsigned int)no);
	}
	if (!ucs2) {
		pack7(o, base, udh > 0 ? udh_septets : 0, sep, k);
		return;
	}
	for (i = 0; i < n; i++) {
		if (cp[i] >= 0x10000) {
			put(o, (0xd800 + ((cp[i] - 0x10000) >> 10)) >> 8);
			put(o, (0xd800 + ((cp[i] - 0x10000) >> 10)) & 0xff);
			put(o, (0xdc00 + ((cp[i] - 0x10000) & 0x3ff)) >> 8);
			put(o, (0xdc00 + ((cp[i] - 0x10000) & 0x3ff)) & 0xff);
		} else {
			put(o, cp[i] >> 8);
			put(o, cp[i] & 0xff);
		}
	}
}

static void
to_hex(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

/* Splits cp[0..n) into parts of at most `room` units without cutting a
 * character; start[i] is where part i begins.  Returns the number of parts,
 * or -1 when more than max are needed. */
static int
split(const unsigned int *cp, int n, int ucs2, int room, int *start, int max)
{
	int i, used = 0, parts = 1;

	start[0] = 0;
	for (i = 0; i < n; i++) {
		if (used + cost(cp[i], ucs2) > room) {
			if (parts == max)
				return -1;
			start[parts++] = i;
			used = 0;
		}
		used += cost(cp[i], ucs2);
	}
	start[parts] = n;
	return parts;
}

static int
encode_part(const struct pdu_deliver *d, const unsigned int *cp, int n, int ucs2, int no, int count,
	    struct pdu_part *part)
{
	struct octets o;
	size_t sca;

	memset(&o, 0, sizeof(o));
	if (put_sca(&o, d->smsc) == -1)
		return -1;
	sca = o.n;
	put(&o, count > 1 ? 0x44 : 0x04); /* SMS-DELIVER, no more messages, UDHI */
	if (put_oa(&o, d->from) == -1)
		return -1;
	put(&o, 0x00);		     /* TP-PID */
	put(&o, ucs2 ? 0x08 : 0x00); /* TP-DCS */
	put_scts(&o, d->when, d->tz_quarters);
	put_ud(&o, cp, n, ucs2, d->ref & 0xff, no, count);
	if (o.overflow)
		return -1;
	to_hex(o.b, o.n, part->hex);
	part->tpdu_len = (int)(o.n - sca);
	return 0;
}

static int from_hex(const char *hex, unsigned char *b, size_t max);

/* An 8-bit data SMS (TP-DCS 0x04) of the bytes in d->text (hex). */
static int
encode_data(const struct pdu_deliver *d, struct pdu_part *part)
{
	unsigned char data[140];
	struct octets o;
	size_t sca;
	int i, n = from_hex(d->text, data, sizeof(data));

	memset(&o, 0, sizeof(o));
	if (n < 0 || put_sca(&o, d->smsc) == -1)
		return -1;
	sca = o.n;
	put(&o, 0x04); /* SMS-DELIVER, no more messages */
	if (put_oa(&o, d->from) == -1)
		return -1;
	put(&o, 0x00); /* TP-PID */
	put(&o, 0x04); /* TP-DCS: 8-bit data */
	put_scts(&o, d->when, d->tz_quarters);
	put(&o, (unsigned int)n); /* TP-UDL: octets */
	for (i = 0; i < n; i++)
		put(&o, data[i]);
	if (o.overflow)
		return -1;
	to_hex(o.b, o.n, part->hex);
	part->tpdu_len = (int)(o.n - sca);
	return 0;
}

int
pdu_deliver_encode(const struct pdu_deliver *d, struct pdu_part *parts, int max)
{
	static unsigned int cp[MAX_CPS];
	int start[PDU_MAX_PARTS + 1];
	int i, n, count, total = 0, ucs2;

	if (d->data)
		return max < 1 || encode_data(d, &parts[0]) == -1 ? -1 : 1;
	n = utf8_decode(d->text, cp, MAX_CPS);
	if (n < 0 || max < 1)
		return -1;
	if (max > PDU_MAX_PARTS)
		max = PDU_MAX_PARTS;
	ucs2 = d->force_ucs2 || !all_gsm7(cp, n);
	for (i = 0; i < n; i++)
		total += cost(cp[i], ucs2);
	if (total <= (ucs2 ? UCS2_SINGLE : SEPTETS_SINGLE)) {
		start[0] = 0;
		start[1] = n;
		count = 1;
	} else {
		count = split(cp, n, ucs2, ucs2 ? UCS2_PART : SEPTETS_PART, start, max);
		if (count == -1)
			return -1;
	}
	for (i = 0; i < count; i++) {
		if (encode_part(d, cp + start[i], start[i + 1] - start[i], ucs2, i + 1, count,
				&parts[i]) == -1)
			return -1;
	}
	return count;
}

int
pdu_status_report_encode(const char *smsc, const char *to, int mr, int status, int64_t when,
			 int tz_quarters, struct pdu_part *part)
{
	struct octets o;
	size_t sca;

	memset(&o, 0, sizeof(o));
	if (put_sca(&o, smsc) == -1)
		return -1;
	sca = o.n;
	put(&o, 0x06);				    /* SMS-STATUS-REPORT, no more messages */
	put(&o, (unsigned int)mr & 0xff);	    /* TP-MR */
	if (!is_number(to) || put_oa(&o, to) == -1) /* TP-RA */
		return -1;
	put_scts(&o, when, tz_quarters); /* TP-SCTS */
	put_scts(&o, when, tz_quarters); /* TP-DT */
	put(&o, (unsigned int)status & 0xff);
	if (o.overflow)
		return -1;
	to_hex(o.b, o.n, part->hex);
	part->tpdu_len = (int)(o.n - sca);
	return 0;
}

/* SMS-SUBMIT ---------------------------------------------------------- */

static int
from_hex(const char *hex, unsigned char *b, size_t max)
{
	size_t i, n = strlen(hex);
	unsigned int v;

	if (n % 2 != 0 || n / 2 > max)
		return -1;
	for (i = 0; i < n / 2; i++) {
		if (strspn(hex + 2 * i, "0123456789abcdefABCDEF") < 2)
			return -1;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		b[i] = (unsigned char)v;
	}
	return (int)(n / 2);
}

/* Unpacks n septets that start at septet `skip` of ud[0..len) as UTF-8. */
static int
unpack7(const unsigned char *ud, size_t len, int skip, int n, char *out, size_t outsz)
{
	size_t o = 0, bit, byte;
	unsigned int v;
	int i, shift, esc = 0;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		bit = (size_t)(skip + i) * 7;
		byte = bit / 8;
		shift = (int)(bit % 8);
		if (byte >= len || (shift > 1 && byte + 1 >= len))
			return -1;
		v = ud[byte] >> shift;
		if (shift > 1)
			v |= (unsigned int)ud[byte + 1] << (8 - shift);
		v &= 0x7f;
		if (v == GSM7_ESC && !esc) {
			esc = 1;
			continue;
		}
		utf8_put(out, outsz, &o, gsm7_decode(v, esc));
		esc = 0;
	}
	return 0;
}

static void
unpack_ucs2(const unsigned char *b, size_t len, char *out, size_t outsz)
{
	size_t i, o = 0;
	unsigned int u, lo;

	out[0] = '\0';
	for (i = 0; i + 1 < len; i += 2) {
		u = (unsigned int)b[i] << 8 | b[i + 1];
		if (u >= 0xd800 && u <= 0xdbff && i + 3 < len) {
			lo = (unsigned int)b[i + 2] << 8 | b[i + 3];
			if (lo >= 0xdc00 && lo <= 0xdfff) {
				u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
				i += 2;
			}
		}
		if (u >= 0xd800 && u <= 0xdfff)
			u = 0xfffd;
		utf8_put(out, outsz, &o, u);
	}
}

/* TP-DA: digits, or alphanumeric (which a real SMSC would refuse). */
static int
get_address(const unsigned char *b, size_t len, size_t *pos, char *out, size_t outsz)
{
	size_t n, octets, i, o = 0;
	unsigned int toa, d;

	if (*pos + 2 > len)
		return -1;
	n = b[*pos];
	toa = b[*pos + 1];
	octets = (n + 1) / 2;
	*pos += 2;
	if (*pos + octets > len || n + 2 > outsz)
		return -1;
	if ((toa & 0x70) == 0x50) {
		if (unpack7(b + *pos, octets, 0, (int)(n * 4 / 7), out, outsz) == -1)
			return -1;
		*pos += octets;
		return 0;
	}
	if ((toa & 0x70) == 0x10)
		out[o++] = '+';
	for (i = 0; i < n; i++) {
		d = (b[*pos + i / 2] >> (i % 2 ? 4 : 0)) & 0x0f;
		out[o++] = d < 10 ? (char)('0' + d) : d == 0xa ? '*' : d == 0xb ? '#' : '?';
	}
	out[o] = '\0';
	*pos += octets;
	return 0;
}

/* The concatenation element of a UDH (8- or 16-bit reference), if any. */
static void
get_concat(const unsigned char *udh, size_t udhl, struct pdu_submit *s)
{
	size_t i = 0, iel;

	while (i + 2 <= udhl) {
		iel = udh[i + 1];
		if (i + 2 + iel > udhl)
			return;
		if (udh[i] == 0x00 && iel == 3) {
			s->ref = udh[i + 2];
			s->parts = udh[i + 3];
			s->part = udh[i + 4];
		} else if (udh[i] == 0x08 && iel == 4) {
			s->ref = udh[i + 2] << 8 | udh[i + 3];
			s->parts = udh[i + 4];
			s->part = udh[i + 5];
		}
		i += 2 + iel;
	}
}

static enum pdu_coding
dcs_coding(unsigned int dcs)
{
	if ((dcs & 0xc0) == 0x00 || (dcs & 0xc0) == 0x40) {
		switch ((dcs >> 2) & 3) {
		case 1:
			return PDU_8BIT;
		case 2:
			return PDU_UCS2;
		default:
			return PDU_GSM7;
		}
	}
	if ((dcs & 0xf0) == 0xf0)
		return dcs & 0x04 ? PDU_8BIT : PDU_GSM7;
	if ((dcs & 0xf0) == 0xe0)
		return PDU_UCS2;
	return PDU_GSM7;
}

/* TP-UDL and TP-UD, from b[pos]. */
static int
get_ud(const unsigned char *b, size_t len, size_t pos, int udhi, struct pdu_submit *s)
{
	size_t udl, octets, udh = 0, i;

	if (pos >= len)
		return -1;
	udl = b[pos++];
	octets = s->coding == PDU_GSM7 ? (udl * 7 + 7) / 8 : udl;
	if (pos + octets > len)
		return -1;
	if (udhi) {
		if (octets < 1 || 1 + (size_t)b[pos] > octets)
			return -1;
		udh = 1 + (size_t)b[pos];
		get_concat(b + pos + 1, udh - 1, s);
	}
	if (s->coding == PDU_GSM7)
		return unpack7(b + pos, octets, (int)((udh * 8 + 6) / 7),
			       (int)(udl - (udh * 8 + 6) / 7), s->text, sizeof(s->text));
	if (s->coding == PDU_UCS2) {
		unpack_ucs2(b + pos + udh, octets - udh, s->text, sizeof(s->text));
		return 0;
	}
	for (i = udh; i < octets && 2 * (i - udh) + 2 < sizeof(s->text); i++)
		snprintf(s->text + 2 * (i - udh), 3, "%02x", b[pos + i]);
	return 0;
}

int
pdu_submit_decode(const char *hex, int tpdu_len, struct pdu_submit *s)
{
	unsigned char b[MAX_OCTETS];
	size_t pos, len;
	unsigned int fo, vpf;
	int n;

	memset(s, 0, sizeof(*s));
	s->ref = -1;
	s->part = s->parts = 1;
	n = from_hex(hex, b, sizeof(b));
	if (n < 1 || (size_t)b[0] + 1 + (size_t)tpdu_len != (size_t)n)
		return -1;
	len = (size_t)n;
	pos = (size_t)b[0] + 1;
	if (pos + 2 > len)
		return -1;
	fo = b[pos];
	if ((fo & 0x03) != 0x01) /* TP-MTI: SMS-SUBMIT */
		return -1;
	s->srr = (fo & 0x20) != 0;
	pos += 2; /* first octet, TP-MR */
	if (get_address(b, len, &pos, s->to, sizeof(s->to)) == -1)
		return -1;
	if (pos + 2 > len)
		return -1;
	s->coding = dcs_coding(b[pos + 1]);
	pos += 2; /* TP-PID, TP-DCS */
	vpf = (fo >> 3) & 3;
	pos += vpf == 2 ? 1 : vpf == 0 ? 0 : 7;
	return get_ud(b, len, pos, (fo & 0x40) != 0, s);
}

/* USSD ---------------------------------------------------------------- */

int
pdu_gsm7_fits(const char *utf8)
{
	static unsigned int cp[MAX_CPS];
	int n = utf8_decode(utf8, cp, MAX_CPS);

	return n >= 0 && all_gsm7(cp, n);
}

int
pdu_gsm7_packed_hex(const char *utf8, char *out, size_t outsz)
{
	static unsigned int cp[MAX_CPS];
	unsigned char sep[2 * 182 + 1];
	struct octets o;
	int i, n, k = 0;

	n = utf8_decode(utf8, cp, 182);
	if (n < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (k + 2 > 182 || gsm7_encode(cp[i], sep + k) == 0)
			return -1;
		k += sep[k] == GSM7_ESC ? 2 : 1;
	}
	if (k % 8 == 7) /* 23.038 6.1.2.3.1: CR fills 7 spare bits */
		sep[k++] = 0x0d;
	memset(&o, 0, sizeof(o));
	pack7(&o, 0, 0, sep, k);
	if (o.overflow || 2 * o.n + 1 > outsz)
		return -1;
	to_hex(o.b, o.n, out);
	return 0;
}

int
pdu_ucs2_hex(const char *utf8, char *out, size_t outsz)
{
	static unsigned int cp[MAX_CPS];
	static const char digits[] = "0123456789ABCDEF";
	unsigned int u[2];
	size_t o = 0;
	int i, j, k, n;

	n = utf8_decode(utf8, cp, MAX_CPS);
	if (n < 0)
		return -1;
	for (i = 0; i < n; i++) {
		k = 1;
		u[0] = cp[i];
		if (cp[i] >= 0x10000) {
			u[0] = 0xd800 + ((cp[i] - 0x10000) >> 10);
			u[1] = 0xdc00 + ((cp[i] - 0x10000) & 0x3ff);
			k = 2;
		}
		for (j = 0; j < k; j++) {
			if (o + 5 > outsz)
				return -1;
			out[o++] = digits[(u[j] >> 12) & 0xf];
			out[o++] = digits[(u[j] >> 8) & 0xf];
			out[o++] = digits[(u[j] >> 4) & 0xf];
			out[o++] = digits[u[j] & 0xf];
		}
	}
	out[o] = '\0';
	return 0;
}

const char *
pdu_coding_name(enum pdu_coding c)
{
	switch (c) {
	case PDU_UCS2:
		return "ucs2";
	case PDU_8BIT:
		return "8bit";
	default:
		return "gsm7";
	}
}
