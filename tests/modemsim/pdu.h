/*
 * pdu.h - SMS PDUs for the modem simulator (3GPP TS 23.040, 23.038).
 *
 * Out: SMS-DELIVER PDUs as a modem lists them with +CMGL/+CMGR in PDU mode,
 * GSM 7-bit (default alphabet and its escape table) or UCS-2, split into
 * concatenated parts (8-bit reference UDH) when the text is too long.
 * In: the SMS-SUBMIT PDU a client hands to AT+CMGS, decoded enough to know
 * who it goes to and what it says.  Text is UTF-8 on both sides.
 */
#ifndef MODEMSIM_PDU_H
#define MODEMSIM_PDU_H

#include <stddef.h>
#include <stdint.h>

#define PDU_HEX_MAX 400	  /* SCA (12) + TPDU (<= 164 octets), as hex, + NUL */
#define PDU_TEXT_MAX 2048 /* UTF-8 text of one decoded part */
#define PDU_MAX_PARTS 16

enum pdu_coding { PDU_GSM7, PDU_UCS2, PDU_8BIT };

/* One SMS-DELIVER to encode. */
struct pdu_deliver {
	const char *smsc; /* "+84980200030" */
	const char *from; /* "+84912000001", "1234" or "Viettel" (alphanumeric) */
	const char *text; /* UTF-8 */
	int64_t when;	  /* SMSC time stamp, Unix time */
	int tz_quarters;  /* SMSC time zone, quarters of an hour (+28 = +07:00) */
	int force_ucs2;	  /* UCS-2 even when GSM 7-bit would do */
	int data;	  /* 8-bit data: text is its bytes in hex, one SMS */
	int ref;	  /* concatenation reference, 0-255 */
};

/* One encoded part: SCA + TPDU in hex, and the TPDU length in octets that
 * +CMGL/+CMGR report. */
struct pdu_part {
	char hex[PDU_HEX_MAX];
	int tpdu_len;
};

/* Encodes d into 1..max parts.  Returns the number of parts, or -1 when the
 * text needs more than max parts or an address does not fit. */
int pdu_deliver_encode(const struct pdu_deliver *d, struct pdu_part *parts, int max);

/* A decoded SMS-SUBMIT. */
struct pdu_submit {
	char to[32];
	enum pdu_coding coding;
	int ref;		 /* concatenation reference, -1 when not a part */
	int part, parts;	 /* 1/1 when not a part */
	char text[PDU_TEXT_MAX]; /* UTF-8 (8-bit data as hex) */
	int srr;		 /* TP-SRR: a status report was requested */
};

/* Decodes hex (SCA + TPDU) whose TPDU is tpdu_len octets, as AT+CMGS=<len>
 * announced.  Returns 0, or -1 when the PDU is malformed or not a SUBMIT. */
int pdu_submit_decode(const char *hex, int tpdu_len, struct pdu_submit *s);

/* An SMS-STATUS-REPORT about the SMS with reference mr sent to `to`:
 * status is TP-ST (0 delivered, 0x40.. failed), SMSC and discharge time
 * `when`.  0, or -1 when an address does not fit. */
int pdu_status_report_encode(const char *smsc, const char *to, int mr, int status, int64_t when,
			     int tz_quarters, struct pdu_part *part);

/* USSD strings.  The UTF-8 text as GSM 7-bit septets packed and hex-encoded
 * (-1 when a character is not in the GSM alphabet), or as UCS-2 hex. */
int pdu_gsm7_packed_hex(const char *utf8, char *out, size_t outsz);
int pdu_ucs2_hex(const char *utf8, char *out, size_t outsz);
/* 1 when every character of the UTF-8 text is in the GSM 7-bit alphabet. */
int pdu_gsm7_fits(const char *utf8);

const char *pdu_coding_name(enum pdu_coding c);

#endif
