/*
 * modem.c - see modem.h.
 *
 * libgammu facts this file relies on: ERR_NONE is 1, not 0; GetNextSMS uses
 * the Folder/Location left in its buffer as the cursor of a scan, so the
 * buffer is not touched between two calls of one scan; the dummy driver calls
 * the send-status callback without checking it, so it is registered first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <gammu.h>

#include "log.h"
#include "modem.h"

#define SEND_WAIT_SECONDS 60 /* longest wait for the network's answer to one part */
#define MAX_SEND_PARTS 10
#define READ_SLICE_MS 50 /* libgammu's own wait for serial data */

struct modem {
	GSM_StateMachine *sm;
	GSM_MultiSMSMessage *multi; /* the one big buffer (scan cursor) */
	int index;		    /* next part of multi to hand out */
	int dummy;
	volatile int send_status; /* -1 while waiting, else the network's status */
	volatile int send_mr;	  /* the message reference of the last answer */
	int lost;		  /* the connection failed: reopen it */
	volatile int incoming;	  /* the phone announced a new SMS (+CMTI) */
	int ack_timeout;	  /* seconds to wait for the answer to one part */
	int prepared;		  /* parts of the message modem_prepare() made */
};

/* Errors that mean the link to the phone is gone, not that one request was
 * refused. */
static void
check_link(struct modem *m, GSM_Error err)
{
	switch (err) {
	case ERR_DEVICEOPENERROR:
	case ERR_DEVICENOTEXIST:
	case ERR_DEVICENOTWORK:
	case ERR_DEVICEWRITEERROR:
	case ERR_DEVICEREADERROR:
	case ERR_DEVICECHANGESPEEDERROR:
	case ERR_DEVICEDTRRTSERROR:
	case ERR_TIMEOUT:
		if (!m->lost)
			log_warnx("modem: the connection is lost (%s)", GSM_ErrorString(err));
		m->lost = 1;
		break;
	default:
		break;
	}
}

int
modem_lost(const struct modem *m)
{
	return m->lost;
}

static void
send_status_cb(GSM_StateMachine *sm, int status, int reference, void *user)
{
	struct modem *m = user;

	log_debug("modem: send status %d, message reference %d", status, reference);
	m->send_status = status;
	m->send_mr = reference;
}

/* libgammu calls this when the phone announces an SMS (AT: +CMTI), while it
 * reads the device: in any libgammu call, or in GSM_ReadDevice. */
static void
incoming_sms_cb(GSM_StateMachine *sm, GSM_SMSMessage *sms, void *user)
{
	struct modem *m = user;

	log_debug("modem: new SMS announced at %d/%d", sms->Folder, sms->Location);
	m->incoming = 1;
}

struct modem *
modem_open(const char *gammurc, int section)
{
	return modem_open_flags(gammurc, section, 0);
}

struct modem *
modem_open_flags(const char *gammurc, int section, int flags)
{
	struct modem *m;
	INI_Section *ini = NULL;
	GSM_Config *gcfg;
	GSM_Error err;
	struct stat sb;

	if (stat(gammurc, &sb) == -1) {
		log_warn("modem: gammurc %s", gammurc);
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		log_warn("modem: calloc");
		return NULL;
	}
	m->multi = calloc(1, sizeof(*m->multi));
	m->sm = GSM_AllocStateMachine();
	if (m->multi == NULL || m->sm == NULL) {
		log_warnx("modem: out of memory");
		goto fail;
	}
	err = GSM_FindGammuRC(&ini, gammurc);
	if (err != ERR_NONE) {
		log_warnx("modem: %s: %s", gammurc, GSM_ErrorString(err));
		goto fail;
	}
	gcfg = GSM_GetConfig(m->sm, 0);
	err = GSM_ReadConfig(ini, gcfg, section);
	INI_Free(ini);
	if (err != ERR_NONE) {
		log_warnx("modem: %s, section %d: %s", gammurc, section, GSM_ErrorString(err));
		goto fail;
	}
	GSM_SetConfigNum(m->sm, 1);
	m->ack_timeout = SEND_WAIT_SECONDS;
	m->dummy = strcmp(gcfg->Model, "dummy") == 0;
	err = GSM_InitConnection(m->sm, 3);
	if (err != ERR_NONE && (flags & MODEM_QUIET)) {
		log_debug("modem: cannot connect (%s, device %s): %s", gcfg->Connection,
			  gcfg->Device, GSM_ErrorString(err));
		goto fail;
	}
	if (err != ERR_NONE) {
		log_warnx("modem: cannot connect (%s, device %s): %s", gcfg->Connection,
			  gcfg->Device, GSM_ErrorString(err));
		goto fail;
	}
	/* Registered before anything can send (the dummy driver calls it without
	 * checking), and after connecting, which resets the callbacks. */
	GSM_SetSendSMSStatusCallback(m->sm, send_status_cb, m);
	if (!m->dummy) {
		/* New SMS are announced; the periodic scan stays as the fallback
		 * for phones that never announce them. */
		GSM_SetIncomingSMSCallback(m->sm, incoming_sms_cb, m);
		err = GSM_SetIncomingSMS(m->sm, TRUE);
		if (err != ERR_NONE)
			log_info("modem: no notification of new SMS (%s); scanning only",
				 GSM_ErrorString(err));
	}
	log_info("modem: connected (%s, %s, device %s)", m->dummy ? "dummy" : gcfg->Model,
		 gcfg->Connection, gcfg->Device);
	return m;
fail:
	if (m->sm != NULL)
		GSM_FreeStateMachine(m->sm);
	free(m->multi);
	free(m);
	return NULL;
}

int
modem_config_is_dummy(const char *gammurc, int section)
{
	INI_Section *ini = NULL;
	GSM_Config *gcfg;
	GSM_StateMachine *sm;
	GSM_Error err;
	int dummy = -1;

	sm = GSM_AllocStateMachine();
	if (sm == NULL)
		return -1;
	if (GSM_FindGammuRC(&ini, gammurc) == ERR_NONE) {
		gcfg = GSM_GetConfig(sm, 0);
		err = GSM_ReadConfig(ini, gcfg, section);
		if (err == ERR_NONE)
			dummy = strcmp(gcfg->Model, "dummy") == 0;
		INI_Free(ini);
	}
	GSM_FreeStateMachine(sm);
	return dummy;
}

void
modem_close(struct modem *m)
{
	if (m == NULL)
		return;
	if (GSM_IsConnected(m->sm))
		GSM_TerminateConnection(m->sm);
	GSM_FreeStateMachine(m->sm);
	free(m->multi);
	free(m);
}

int
modem_is_dummy(const struct modem *m)
{
	return m->dummy;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
modem_wait(struct modem *m, int ms)
{
	struct timespec slice = {0, READ_SLICE_MS * 1000 * 1000};
	int64_t t0, deadline = now_ms() + ms;
	int r;

	if (m->dummy || m->lost) {
		/* Nothing to read: the dummy phone announces nothing. */
		if (ms > 0)
			nanosleep(&(struct timespec){ms / 1000, (long)(ms % 1000) * 1000000}, NULL);
		return modem_incoming(m);
	}
	do {
		if (m->incoming)
			break;
		t0 = now_ms();
		/* One read: libgammu waits for data up to 50 ms in select(). */
		r = GSM_ReadDevice(m->sm, FALSE);
		/* A device in error answers select() at once: no busy loop. */
		if (r <= 0 && now_ms() - t0 < READ_SLICE_MS / 2 && !m->incoming)
			nanosleep(&slice, NULL);
	} while (now_ms() < deadline);
	return modem_incoming(m);
}

int
modem_incoming(struct modem *m)
{
	int r = m->incoming;

	m->incoming = 0;
	return r;
}

int
modem_sim_status(struct modem *m, int *used, int *total)
{
	GSM_SMSMemoryStatus st;
	GSM_Error err;

	memset(&st, 0, sizeof(st));
	err = GSM_GetSMSStatus(m->sm, &st);
	if (err != ERR_NONE) {
		log_debug("modem: SIM status: %s", GSM_ErrorString(err));
		check_link(m, err);
		return -1;
	}
	*used = st.SIMUsed;
	*total = st.SIMSize;
	return 0;
}

/*
 * gammu's strings are UCS-2 big endian, NUL (two zero bytes) terminated.  A
 * number ends at its NUL (text = 0).  An SMS text is all its units (text =
 * 1): U+0000 is a character an SMS may hold, and what follows it is part of
 * the message; it is written U+2400 (the symbol for NUL, "␀"), since the
 * text is kept as a C string.
 */
static void
ucs2_to_utf8(const unsigned char *in, size_t units, int text, char *out, size_t outsz)
{
	size_t i, o = 0;
	unsigned int cp, lo;

	for (i = 0; i < units; i++) {
		cp = (unsigned int)in[2 * i] << 8 | in[2 * i + 1];
		if (cp == 0 && !text)
			break;
		if (cp == 0)
			cp = 0x2400;
		if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < units) {
			lo = (unsigned int)in[2 * i + 2] << 8 | in[2 * i + 3];
			if (lo >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				i++;
			}
		}
		if (cp >= 0xd800 && cp <= 0xdfff)
			cp = 0xfffd; /* a lone surrogate */
		if (o + 5 > outsz)
			break;
		if (cp < 0x80) {
			out[o++] = (char)cp;
		} else if (cp < 0x800) {
			out[o++] = (char)(0xc0 | cp >> 6);
			out[o++] = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			out[o++] = (char)(0xe0 | cp >> 12);
			out[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (cp & 0x3f));
		} else {
			out[o++] = (char)(0xf0 | cp >> 18);
			out[o++] = (char)(0x80 | ((cp >> 12) & 0x3f));
			out[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	out[o] = '\0';
}

static int64_t
smsc_unix_time(const GSM_DateTime *dt)
{
	struct tm tm;

	if (dt->Year < 1970 || dt->Month < 1 || dt->Month > 12 || dt->Day < 1)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = dt->Year - 1900;
	tm.tm_mon = dt->Month - 1;
	tm.tm_mday = dt->Day;
	tm.tm_hour = dt->Hour;
	tm.tm_min = dt->Minute;
	tm.tm_sec = dt->Second;
	/* The timestamp is local to the SMSC; Timezone is its offset in seconds. */
	return (int64_t)timegm(&tm) - dt->Timezone;
}

/* Whether a UDH makes the SMS part n of m of a concatenated message, and
 * which: libgammu decodes it (8-bit or 16-bit reference). */
static void
concat_parts(GSM_UDHHeader *udh, struct modem_sms *sms)
{
	GSM_DecodeUDHHeader(NULL, udh);
	if (udh->AllParts > 1 && udh->PartNumber >= 1 && udh->PartNumber <= udh->AllParts) {
		sms->concat_ref = udh->ID16bit != -1 ? udh->ID16bit : udh->ID8bit;
		sms->part_no = udh->PartNumber;
		sms->part_count = udh->AllParts;
	}
}

void
modem_udh_hex(const char *hex, struct modem_sms *sms)
{
	GSM_UDHHeader udh;
	size_t len = strlen(hex);

	sms->concat_ref = -1;
	memset(&udh, 0, sizeof(udh));
	if (len == 0 || len % 2 != 0 || len / 2 > sizeof(udh.Text) ||
	    !DecodeHexBin(udh.Text, (const unsigned char *)hex, len))
		return;
	udh.Type = UDH_UserUDH;
	udh.Length = (int)(len / 2);
	concat_parts(&udh, sms);
}

static void
fill_sms(const GSM_SMSMessage *g, struct modem_sms *sms)
{
	GSM_UDHHeader udh;
	size_t i, n;

	memset(sms, 0, sizeof(*sms));
	ucs2_to_utf8(g->Number, GSM_MAX_NUMBER_LENGTH + 1, 0, sms->sender, sizeof(sms->sender));
	sms->smsc_time = smsc_unix_time(&g->DateTime);
	sms->folder = g->Folder;
	sms->location = g->Location;
	switch (g->Coding) {
	case SMS_Coding_8bit:
		strcpy(sms->coding, "8bit");
		n = g->Length > 0 ? (size_t)g->Length : 0;
		for (i = 0; i < n && 2 * i + 2 < sizeof(sms->text); i++)
			snprintf(sms->text + 2 * i, 3, "%02x", g->Text[i]);
		break;
	case SMS_Coding_Unicode_No_Compression:
	case SMS_Coding_Unicode_Compression:
		strcpy(sms->coding, "ucs2");
		/* The length, not the first U+0000, says where the text ends. */
		if (g->Length > 0 && g->Length <= GSM_MAX_SMS_LENGTH)
			ucs2_to_utf8(g->Text, (size_t)g->Length, 1, sms->text, sizeof(sms->text));
		else
			ucs2_to_utf8(g->Text, GSM_MAX_SMS_LENGTH + 1, 0, sms->text,
				     sizeof(sms->text));
		break;
	default:
		strcpy(sms->coding, "gsm7");
		ucs2_to_utf8(g->Text, GSM_MAX_SMS_LENGTH + 1, 0, sms->text, sizeof(sms->text));
		break;
	}
	sms->concat_ref = -1;
	if (g->PDU == SMS_Status_Report) {
		sms->status_report = 1;
		sms->mr = g->MessageReference;
		sms->report_status = g->DeliveryStatus;
		snprintf(sms->text, sizeof(sms->text), "status report: reference %d, status %d",
			 sms->mr, sms->report_status);
		return;
	}
	udh = g->UDH;
	concat_parts(&udh, sms);
}

int
modem_next(struct modem *m, int start, struct modem_sms *sms)
{
	GSM_SMSMessage *g;
	GSM_Error err;

	if (start)
		m->index = m->multi->Number = 0;
	for (;;) {
		while (m->index < m->multi->Number) {
			g = &m->multi->SMS[m->index++];
			/* Received messages and delivery reports: not drafts or sent items. */
			if (!g->InboxFolder ||
			    (g->PDU != SMS_Deliver && g->PDU != SMS_Status_Report))
				continue;
			fill_sms(g, sms);
			return 1;
		}
		err = GSM_GetNextSMS(m->sm, m->multi, start ? TRUE : FALSE);
		start = 0;
		m->index = 0;
		if (err == ERR_EMPTY) {
			m->multi->Number = 0;
			return 0;
		}
		if (err != ERR_NONE) {
			m->multi->Number = 0;
			log_warnx("modem: reading SMS: %s", GSM_ErrorString(err));
			check_link(m, err);
			return -1;
		}
	}
}

int
modem_delete(struct modem *m, const struct modem_sms *sms)
{
	GSM_SMSMessage g;
	GSM_Error err;

	memset(&g, 0, sizeof(g));
	g.Folder = sms->folder;
	g.Location = sms->location;
	err = GSM_DeleteSMS(m->sm, &g);
	if (err != ERR_NONE) {
		log_warnx("modem: deleting SMS %d/%d: %s", sms->folder, sms->location,
			  GSM_ErrorString(err));
		check_link(m, err);
		return -1;
	}
	return 0;
}

/* Splits UTF-8 text into SMS parts in m->multi (which ends any scan). */
static int
encode(struct modem *m, const char *text)
{
	GSM_MultiPartSMSInfo info;
	unsigned char *ucs2;
	size_t len = strlen(text);
	GSM_Error err;

	/* Every UTF-8 byte gives at most one UCS-2 unit (4-byte sequences give two). */
	ucs2 = calloc(len + 2, 2);
	if (ucs2 == NULL) {
		log_warn("modem: calloc");
		return -1;
	}
	DecodeUTF8(ucs2, text, len);
	GSM_ClearMultiPartSMSInfo(&info);
	info.EntriesNum = 1;
	info.Entries[0].ID = SMS_ConcatenatedAutoTextLong;
	info.Entries[0].Buffer = ucs2;
	info.UnicodeCoding = FALSE;
	memset(m->multi, 0, sizeof(*m->multi));
	m->index = 0;
	err = GSM_EncodeMultiPartSMS(NULL, &info, m->multi);
	free(ucs2);
	if (err != ERR_NONE || m->multi->Number < 1 || m->multi->Number > MAX_SEND_PARTS) {
		log_warnx("modem: cannot encode a %zu-byte text into SMS: %s", len,
			  err != ERR_NONE ? GSM_ErrorString(err) : "too many parts");
		m->multi->Number = 0;
		return -1;
	}
	return 0;
}

void
modem_set_ack_timeout(struct modem *m, int seconds)
{
	m->ack_timeout = seconds > 0 ? seconds : SEND_WAIT_SECONDS;
}

/* Gives a part of a concatenated message the reference ref (8-bit UDH
 * 00 03 ref count number, as libgammu writes it). */
static void
set_concat_ref(GSM_SMSMessage *g, int ref)
{
	if (g->UDH.Type == UDH_ConcatenatedMessages && g->UDH.Length >= 6 &&
	    g->UDH.Text[1] == 0x00 && g->UDH.Text[2] == 0x03) {
		g->UDH.Text[3] = (unsigned char)ref;
		g->UDH.ID8bit = ref;
	}
}

static int
concat_ref_of(const GSM_SMSMessage *g)
{
	if (g->UDH.Type == UDH_ConcatenatedMessages && g->UDH.Length >= 6 &&
	    g->UDH.Text[1] == 0x00 && g->UDH.Text[2] == 0x03)
		return g->UDH.Text[3];
	return -1;
}

int
modem_prepare(struct modem *m, const char *to, const char *text, int report, int *concat_ref)
{
	GSM_SMSMessage *g;
	int i, n;

	m->prepared = 0;
	if (encode(m, text) == -1)
		return -1;
	n = m->multi->Number;
	if (*concat_ref < 0 && n > 1)
		*concat_ref = concat_ref_of(&m->multi->SMS[0]);
	for (i = 0; i < n; i++) {
		g = &m->multi->SMS[i];
		/* SMS_Status_Report on a message to send: libgammu sets the
		 * status report request (TP-SRR) of the SMS-SUBMIT. */
		g->PDU = report ? SMS_Status_Report : SMS_Submit;
		g->SMSC.Location = 1; /* the SMSC configured in the phone/SIM */
		EncodeUnicode(g->Number, to, strlen(to));
		if (n > 1 && *concat_ref >= 0)
			set_concat_ref(g, *concat_ref);
	}
	m->prepared = n;
	return n;
}

enum modem_outcome
modem_send_part(struct modem *m, int i, int *mr)
{
	GSM_SMSMessage *g;
	GSM_Error err;
	time_t deadline;

	*mr = -1;
	if (i < 0 || i >= m->prepared || i >= m->multi->Number) {
		log_warnx("modem: no part %d prepared", i + 1);
		return MODEM_REFUSED;
	}
	g = &m->multi->SMS[i];
	m->send_status = -1;
	err = GSM_SendSMS(m->sm, g);
	if (err != ERR_NONE) {
		/* The AT driver writes the SMS only after the modem's "> "
		 * prompt, and fails before it: an error here means the modem
		 * never took the SMS. */
		log_warnx("modem: sending SMS: %s", GSM_ErrorString(err));
		check_link(m, err);
		return MODEM_REFUSED;
	}
	/* The AT driver reports a refused AT+CMGS through the callback, then
	 * retries by itself: only what arrives after GSM_SendSMS returned is the
	 * answer for the SMS that went out.  (The dummy driver calls the callback
	 * with the final status before returning.) */
	if (!m->dummy)
		m->send_status = -1;
	/* The network's answer comes through the callback; wait for it, bounded. */
	deadline = time(NULL) + m->ack_timeout;
	while (m->send_status == -1 && time(NULL) < deadline)
		GSM_ReadDevice(m->sm, TRUE);
	if (m->send_status == -1) {
		/* The SMS was written: it may well have gone. */
		log_warnx("modem: no answer to an SMS sent %d s ago", m->ack_timeout);
		m->lost = 1;
		return MODEM_UNKNOWN;
	}
	if (m->send_status != 0) {
		log_warnx("modem: the network refused the SMS (status %d)", m->send_status);
		return MODEM_REFUSED;
	}
	*mr = m->send_mr;
	return MODEM_SENT;
}

int
modem_send(struct modem *m, const char *to, const char *text)
{
	int i, n, mr, ref = -1;

	n = modem_prepare(m, to, text, 0, &ref);
	for (i = 0; i < n; i++) {
		if (modem_send_part(m, i, &mr) != MODEM_SENT)
			break;
	}
	m->multi->Number = 0;
	m->prepared = 0;
	return n > 0 && i == n ? 0 : -1;
}

static void
fill_datetime(GSM_DateTime *dt, int64_t when)
{
	time_t t = (time_t)when;
	struct tm tm;

	gmtime_r(&t, &tm);
	memset(dt, 0, sizeof(*dt));
	dt->Year = tm.tm_year + 1900;
	dt->Month = tm.tm_mon + 1;
	dt->Day = tm.tm_mday;
	dt->Hour = tm.tm_hour;
	dt->Minute = tm.tm_min;
	dt->Second = tm.tm_sec;
	dt->Timezone = 0;
}

int
modem_inject(struct modem *m, const char *from, const char *text, int64_t when)
{
	GSM_SMSMessage *g;
	GSM_Error err;
	int i, n;

	if (!m->dummy) {
		log_warnx("modem: inject works only on gammu's dummy phone, not on a real modem");
		return -1;
	}
	if (encode(m, text) == -1)
		return -1;
	n = m->multi->Number;
	for (i = 0; i < n; i++) {
		g = &m->multi->SMS[i];
		g->PDU = SMS_Deliver;
		g->Folder = 1;
		g->InboxFolder = TRUE;
		g->State = SMS_UnRead;
		EncodeUnicode(g->Number, from, strlen(from));
		fill_datetime(&g->DateTime, when);
		err = GSM_AddSMS(m->sm, g);
		if (err != ERR_NONE) {
			log_warnx("modem: adding SMS to the phone: %s", GSM_ErrorString(err));
			m->multi->Number = 0;
			return -1;
		}
	}
	m->multi->Number = 0;
	return 0;
}

void *
modem_gammu(struct modem *m)
{
	return m->sm;
}

void
modem_gammu_error(struct modem *m, int err)
{
	check_link(m, (GSM_Error)err);
}
