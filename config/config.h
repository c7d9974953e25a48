/*
 * config.h - loading and validating tinbao's libconfig file.
 *
 * config_load() reads one file, checks every setting (unknown keys, wrong
 * types, out-of-range values, duplicate commune codes, an alias that folds to
 * the same form as another unit's name or alias, ...) and reports every
 * problem it finds with file:line, not only the first.  A file with errors
 * gives no config.  Referenced files (gammurc) that don't exist are warnings,
 * so that `parse` and `check-config` work on any machine.
 *
 * Relative paths in the file (database, gammu.rc) are resolved against the
 * directory of the configuration file.
 */
#ifndef TINBAO_CONFIG_H
#define TINBAO_CONFIG_H

#include <stddef.h>

#include "parser.h"

struct parser;

struct config_commune {
	char *code;	/* GSO code, 5 digits */
	char *type;	/* "xa" or "tt" */
	char *name;	/* UTF-8 */
	char **aliases; /* former names and other spellings */
	size_t naliases;
	char *valid_from; /* YYYY-MM-DD */
	char *valid_to;	  /* YYYY-MM-DD */
	char **officers;  /* numbers of its reporting officers (reminders, TK) */
	size_t nofficers;
	int plan_trained; /* its share of the plan's trainees; 0: none configured */
};

struct config_trade {
	char *code;
	char *level; /* "D3T" (under 3 months) or "SC" (elementary) */
	int agricultural;
	char *name; /* UTF-8 */
	char **aliases;
	size_t naliases;
};

/* The targets of one plan year.  A configuration holds one plan per year
 * (`plan = ( { year = 2022; ... }, { year = 2023; ... } );`, or a single
 * group for one year); reports count against the plan of their own year. */
struct config_plan {
	int year;
	int trained_min;	/* short-course trainees in the year, lower bound */
	int trained_max;	/* upper bound */
	int labour_trained_pct; /* share of the labour force trained */
	int employed_pct;	/* share of trainees employed afterwards */
};

/* DHIS2: the org unit of a commune. */
struct config_org_unit {
	char *commune;	/* GSO code of a configured commune */
	char *org_unit; /* DHIS2 code */
};

/* DHIS2: the data element and category option combo of a kind and trade. */
struct config_data_element {
	char *kind;	    /* enrol, grad, job, need, labour or trained */
	char *trade;	    /* trade code; NULL for labour and trained */
	char *data_element; /* DHIS2 codes */
	char *category_option_combo;
};

/* The push to the district server (gateway/push/push.h).  url is NULL when the
 * configuration has no push group: the push is off. */
struct config_push {
	char *url;
	char *format;	   /* "json" or "dhis2" */
	char *gateway_id;  /* letters, digits, '.', '_', '-' */
	char *token_file;  /* path, resolved */
	char *auth_scheme; /* "Bearer" (json default) or "ApiToken" (dhis2) */
	char *ca_file;	   /* path, resolved, or NULL for the system's CAs */
	int batch;	   /* events per request */
	int timeout_ms;	   /* one request, all included */
	int connect_timeout_ms;
	int retry_min_ms;    /* backoff after the first failure */
	int retry_max_ms;    /* the backoff's cap */
	int status_interval; /* seconds between gateway.status events, 0: none */
	char *data_set;	     /* dhis2 only */
	struct config_org_unit *org_units;
	size_t norg_units;
	struct config_data_element *data_elements;
	size_t ndata_elements;
};

/*
 * The SMS digest for district staff (gateway/outbound/digest.h).  No recipients: no
 * digest.  Times are minutes after midnight, Vietnam time.
 */
struct config_digest {
	char **recipients; /* district staff numbers */
	size_t nrecipients;
	char *schedule; /* "daily" or "weekly" */
	char *time;	/* "HH:MM" as written */
	char **days;	/* weekly: "mon" ... "sun" as written */
	size_t ndays;
	int diacritics;	 /* 0: plain ASCII, two SMS of 153 characters */
	int silent_days; /* list communes that sent nothing for this long */
	int at;		 /* time, in minutes */
	int weekdays;	 /* bit d set: send on weekday d (0 = Sunday) */
};

/* Reminders before reporting deadlines. */
#define CONFIG_MAX_DEADLINES 12
struct config_reminders {
	int enabled;
	char **deadlines; /* "MM-DD" as written */
	size_t ndeadlines;
	int days_before;
	int dates[CONFIG_MAX_DEADLINES]; /* month * 100 + day, in file order */
	size_t ndates;
};

/* Scheduled SMS (digests, reminders): quiet hours and a daily limit per
 * recipient (Decree 91/2020/ND-CP on unsolicited messages). */
struct config_scheduled {
	char *quiet_from; /* "HH:MM" as written */
	char *quiet_to;
	int from, to; /* minutes; nothing scheduled goes out in [from, to) */
	int max_per_day;
};

/* One GSM modem (gateway/daemon/loop.c).  Without a `modems` list the `gammu`
 * group gives one, named "modem", that may send. */
#define CONFIG_MODEM_NAME_MAX 31
struct config_modem {
	char *name;    /* letters, digits, '_', '-'; unique */
	char *gammurc; /* path, resolved; gammu.rc when not given */
	int section;   /* 0 for [gammu], N for [gammuN] */
	int send;      /* 1: replies and alerts may go out through it */
};

/* The modem's health checks (gateway/sim/health.h).  Times in seconds. */
struct config_modem_checks {
	int interval;		/* between two reads of signal and registration */
	int network_lost_alert; /* an outage longer than this alerts (once back); 0: never */
	int record_every;	/* a reading is stored on change, or this often */
	int keep_days;		/* readings older than this are forgotten */
};

/* The defaults of the balance group.  The pattern takes the first number
 * followed by d, đ or VND (Vietnamese operators: "TK chinh: 12.345d",
 * "12,345 VND", "So du 5000đ"); thousands separators are dropped. */
#define CONFIG_BALANCE_CODE "*101#"
#define CONFIG_BALANCE_PATTERN "([0-9][0-9.,]*) ?(vnd|d|đ)([^a-z]|$)"
#define CONFIG_TOPUP_CODE "*100*%s#"

/* USSD: the balance check and top-ups (gateway/sim/ussd.h). */
struct config_balance {
	int enabled;	  /* 0: no periodic balance check */
	char *code;	  /* "*101#" */
	int interval;	  /* seconds between two checks */
	char *pattern;	  /* POSIX extended regex; its first group (or match) is the amount */
	long threshold;	  /* alert below this; 0: never */
	char *topup_code; /* "*100*%s#": exactly one %s, the card's PIN */
	int timeout;	  /* seconds to wait for the network's answer */
};

/* The sending path (gateway/outbound/outbox.h): per modem, at most `rate` SMS parts
 * in any `per` seconds; a refused message is tried again after retry_min
 * seconds, doubled each time up to retry_max, `retries` attempts in all. */
struct config_sending {
	int rate;
	int per;
	int retries; /* 0 when not set: gateway.send_retries applies */
	int retry_min;
	int retry_max;
	int delivery_reports; /* ask the network for a report of every part */
	int ack_timeout;      /* seconds to wait for the modem's +CMGS answer */
};

/* Who may report (gateway/pipeline/senders.h): what to do with a sender the registry
 * does not know ("reject", "quarantine", "accept"; NULL: "quarantine") and
 * with an officer reporting for another commune ("reject", "warn"; NULL:
 * "reject").  A quarantined number is told once in unknown_reply_days (0:
 * never) that it is not registered, and whom to call (contact, or NULL). */
struct config_senders {
	char *unknown;
	char *other_commune;
	int unknown_reply_days;
	char *contact;
};

/* Abuse and loops (gateway/outbound/quota.h); 0 turns a limit off. */
struct config_limits {
	int per_sender_hour; /* SMS processed per sender in an hour */
	int replies_per_day; /* replies to one sender in 24 hours */
	int identical;	     /* identical SMS of one sender answered in 24 hours */
	int daily_cap;	     /* SMS sent by the gateway in a day (Vietnam time) */
};

/* Daily online backups of the database (store/backup.h).  dir is NULL when
 * the configuration has no backup group: no scheduled backups. */
struct config_backup {
	char *dir; /* path, resolved */
	int keep;  /* copies kept, newest first */
	int hour;  /* the hour of the day (Vietnam time) from which it is due */
};

/* The web console (gateway/web/web.h): `tinbao web`, and `tinbao run` too when
 * the file has a web group. */
struct config_web {
	int enabled;	   /* the file has a web group */
	char *listen;	   /* "HOST:PORT", IPv4; default "127.0.0.1:8080" */
	char *tls_cert;	   /* PEM files, resolved: both or neither, required */
	char *tls_key;	   /* when listen is not a loopback address */
	int session_hours; /* a session unused this long ends */
};

/* The plan report as a document (gateway/report/report.h): who writes it and who
 * signs it; where the gateway files it by itself.  Every string may be
 * NULL (a blank in the document). */
struct config_report {
	char *dir;	     /* path, resolved; NULL: no report written by itself */
	char *csv_separator; /* "," (NULL: the default) or ";" */
	char *parent_agency; /* "UBND HUYỆN HỮU LŨNG" */
	char *agency;	     /* "PHÒNG LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI - DÂN TỘC" */
	char *agency_short;  /* "LĐTBXH": in "Số: .../BC-LĐTBXH" and "Lưu: VT, LĐTBXH" */
	char *place;	     /* "Hữu Lũng", of the place and date line */
	char **recipients;   /* "Nơi nhận:" lines, before "Lưu: VT, ..." */
	size_t nrecipients;
	char *signer_authority; /* "KT. TRƯỞNG PHÒNG" */
	char *signer_title;	/* "PHÓ TRƯỞNG PHÒNG" */
	char *signer_name;
};

struct config {
	char *path;	      /* the file this was loaded from */
	char *database;	      /* absolute or relative to the cwd */
	char *gammurc;	      /* path of the gammurc file */
	int gammu_section;    /* 0 for [gammu], N for [gammuN] */
	char *own_number;     /* the gateway's own number, or NULL */
	int reply_diacritics; /* 0: ASCII replies (one 160-char SMS) */
	int poll_interval;    /* seconds between scans of the phone */
	int send_retries;     /* attempts before an outgoing SMS is failed */
	char *log_level;      /* "debug", "info", "warning" */
	char *user; /* run as root: the user to become (gateway/daemon/secure.h), or NULL */
	long max_count;
	struct config_plan *plans; /* one per year, in file order, years distinct */
	size_t nplans;
	struct config_plan plan; /* a copy of the newest year's plan */
	struct config_commune *communes;
	size_t ncommunes;
	struct config_trade *trades;
	size_t ntrades;
	/* Forms per keyword kind (enum parser_kind up to PARSER_KEYWORD_CLASS,
	 * the CLASS keyword), in file order; the defaults for cancel and class
	 * when the file has none. */
	char **keywords[PARSER_NKEYWORDS];
	size_t nkeywords[PARSER_NKEYWORDS];
	char **fillers;
	size_t nfillers;
	char **courtesy; /* words skipped around a report ("cam on") */
	size_t ncourtesy;
	char *class_pattern;   /* POSIX extended regex of class codes */
	struct parser *parser; /* built from the above, prepared; owned */
	struct config_push push;
	struct config_digest digest;
	/* Who may open and close training classes besides district staff (the
	 * digest's recipients): the classes' own numbers.  Neither configured:
	 * anyone may. */
	char **class_senders;
	size_t nclass_senders;
	struct config_reminders reminders;
	struct config_scheduled scheduled;
	/* The district admins: they get the gateway's alerts (gateway/outbound/alert.h).
	 * None configured: the digest's recipients get them. */
	char **admins;
	size_t nadmins;
	int multipart_timeout;	     /* seconds a message waits for its missing parts */
	struct config_modem *modems; /* at least one after loading */
	size_t nmodems;
	struct config_modem_checks modem_checks;
	struct config_balance balance;
	struct config_sending sending;
	struct config_senders senders;
	struct config_limits limits;
	struct config_backup backup;
	/* Every file the configuration reads: path, the files it @includes
	 * (those that hold a setting), each modem's gammurc, push.token_file;
	 * resolved, each once (gateway/daemon/secure.h checks who may write them). */
	char **files;
	size_t nfiles;
	struct config_report report;
	struct config_web web;
};

/* One problem found while loading. */
struct config_diag {
	char *file;
	int line;    /* 0 when no line applies */
	int warning; /* 1: warning (the config is still usable) */
	char *msg;
};

struct config_diags {
	struct config_diag *v;
	size_t n;
};

/* Loads path.  Returns the config, or NULL when there was at least one
 * error.  Every error and warning is appended to diags (which may be NULL;
 * the caller frees it with config_diags_free). */
struct config *config_load(const char *path, struct config_diags *diags);
void config_free(struct config *cfg); /* accepts NULL */
/* The plan of that year, or NULL when the configuration has none for it. */
const struct config_plan *config_plan_for(const struct config *cfg, int year);
void config_diags_free(struct config_diags *diags);
/* Counts the errors (not warnings) in diags. */
size_t config_diags_errors(const struct config_diags *diags);

struct sockaddr_in;
/* web.listen, "HOST:PORT" (IPv4, or localhost), into sa.  0 or -1. */
int config_web_address(const char *listen, struct sockaddr_in *sa);
/* 1 when sa is a loopback address (127.0.0.0/8): this PC alone. */
int config_web_loopback(const struct sockaddr_in *sa);

#endif
