/*
 * web_impl.h - what the files of the web console share (the contract is
 * web.h):
 *   html.c     the page being written: a growing buffer, HTML escaping,
 *              the frame of every page (style, menu, logout form)
 *   http.c     form bodies, query values and cookies, parsed
 *   auth.c     passwords, sessions and their CSRF tokens, login throttle
 *   server.c   libmicrohttpd: the daemon, routing, login and logout
 *   pages.c    the pages: overview, messages, one number's history
 *   quarantine.c  the held SMS of unregistered numbers: accept (and
 *              register the number), reject
 *   reports.c  the plan report of a period for download
 *   send.c     an SMS to one number, a commune's officers or all
 *              officers, through the outbox
 *   senders.c  the registry: list, add, edit, deactivate, import (a
 *              preview, then the confirmation), export
 * html.c, http.c and auth.c hold no I/O but random bytes: the unit tests
 * use them as they are.
 */
#ifndef TINBAO_WEB_IMPL_H
#define TINBAO_WEB_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "web.h"

struct config;
struct store;

/* html.c ------------------------------------------------------------------ */

/* A page being written.  A failed allocation sets oom and stops the
 * writing; the page is then answered with 500. */
struct html {
	char *p;
	size_t len, size;
	int oom;
	const char *type;  /* a download's Content-Type; NULL: an HTML page */
	char filename[64]; /* a download's file name */
};

void html_raw(struct html *h, const char *s);		  /* as it is */
void html_bytes(struct html *h, const char *p, size_t n); /* a download's bytes */
void html_text(struct html *h, const char *s);		  /* escaped */
void html_url(struct html *h, const char *s);		  /* a query value's */
void html_fmt(struct html *h, const char *fmt, ...)	  /* formatted: */
    __attribute__((format(printf, 2, 3)));		  /* no outside text */
void html_time(struct html *h, int64_t t);		  /* Vietnam time */
void html_free(struct html *h);
/* The start of every page: title (escaped), the style, the menu and, with
 * csrf, the logout form; html_end closes it. */
void html_begin(struct html *h, const char *title, const char *user, const char *csrf);
void html_end(struct html *h);
/* Why a request was refused (escaped), as the tests find it; NULL: nothing. */
void html_error(struct html *h, const char *why);

/* http.c ------------------------------------------------------------------ */

/* Decodes application/x-www-form-urlencoded text (n bytes) into out
 * ('+' is a space, %XX a byte).  0, or -1 when it does not fit, a %
 * escape is malformed or it decodes to a NUL byte. */
int url_decode(const char *s, size_t n, char *out, size_t size);
/* The value of field name in a form body (len bytes): 1 found (decoded into
 * out), 0 absent, -1 malformed or too long. */
int form_value(const char *body, size_t len, const char *name, char *out, size_t size);
/* The value of cookie name in a Cookie header (NULL: none): 1 found, 0
 * absent, -1 too long. */
int cookie_value(const char *header, const char *name, char *out, size_t size);
/* 1 when a Host header (NULL: none) names this PC by a loopback name:
 * localhost, [::1] or 127.x.x.x, with or without a port; else 0. */
int loopback_host(const char *host);

/* A multipart/form-data Content-Type's boundary, as the delimiter "--"
 * boundary into out: 1, 0 when ctype is no multipart form, -1 malformed. */
int multipart_boundary(const char *ctype, char *out, size_t size);
/* The part name of a multipart body (len bytes) delimited by delim: 1 found
 * (*val, *vlen: its bytes in body; filename, when not NULL, gets its file
 * name or ""), 0 absent, -1 malformed. */
int multipart_part(const char *body, size_t len, const char *delim, const char *name,
		   const char **val, size_t *vlen, char *filename, size_t fnsize);

/* auth.c ------------------------------------------------------------------ */

#define WEB_TOKEN_HEX 64 /* a session id or CSRF token: 32 random bytes */
#define WEB_SESSIONS 64	 /* at most this many at once; the oldest goes */
#define WEB_THROTTLED 64 /* client addresses remembered by the throttle */
#define WEB_HASH_MAX 160 /* a password hash as the database holds it */
/* An uploaded file's name, whole: its ending (.xlsx) says how it is read,
 * and a Vietnamese name takes two or three bytes a letter. */
#define WEB_UPLOAD_NAME_MAX 128

/* A logged-in user's.  The login form has none: its token is a cookie of
 * its own (server.c), so that no one can push sessions out by asking for
 * the form. */
struct web_session {
	char id[WEB_TOKEN_HEX + 1]; /* "" when the slot is free */
	char csrf[WEB_TOKEN_HEX + 1];
	char user[64];
	char role[16]; /* as the database says at each request */
	/* The password hash at login: another (a new password, the user
	 * removed) ends the session. */
	char hash[WEB_HASH_MAX];
	int64_t last; /* last use */
	/* A registry file uploaded and previewed, until this session confirms
	 * it, uploads another or ends: its bytes (malloc'd) and its name. */
	char *upload;
	size_t upload_len;
	char upload_name[WEB_UPLOAD_NAME_MAX];
};

struct web_throttle {
	char addr[48];
	int failures;  /* none older than LONGEST_WAIT apart */
	int64_t until; /* no login tried before this */
	int64_t last;  /* the last failure */
	char user[64]; /* the name the failures were for */
	int several;   /* they were for several names */
};

struct web_auth {
	struct web_session sessions[WEB_SESSIONS];
	struct web_throttle throttle[WEB_THROTTLED];
	int64_t idle; /* seconds after which an unused session ends */
	/* The key of the login form's tokens: random, this process's own
	 * (0 until the first login_token_new). */
	unsigned char login_key[32];
	int login_keyed;
};

#define LOGIN_TOKEN_AGE 3600 /* seconds a login form's token is good for */

/* n random bytes as 2n hex digits and a NUL into out.  0 or -1. */
int random_hex(char *out, size_t n);
/* A new session for user (role, password hash); when all are taken, the
 * least recently used goes.  NULL when there are no random bytes. */
struct web_session *session_new(struct web_auth *a, const char *user, const char *role,
				const char *hash, int64_t now);
/* The live session with this id, its use noted; NULL when there is none or
 * it has been unused too long (then dropped). */
struct web_session *session_find(struct web_auth *a, const char *id, int64_t now);
/* Ends s: its slot free, its upload freed. */
void session_end(struct web_session *s);
/* Keeps len bytes of data as s's upload, named name (its last one
 * replaced).  0, or -1 when out of memory (s keeps none). */
int session_keep_upload(struct web_session *s, const char *data, size_t len, const char *name);
void session_drop_upload(struct web_session *s);
/* 1 when a and b are the same token, not empty (compared in constant
 * time). */
int token_same(const char *a, const char *b);
/* 1 when token is the session's CSRF token (compared in constant time). */
int session_csrf_ok(const struct web_session *s, const char *token);
/* The login form's token into out (WEB_TOKEN_HEX digits): when it was
 * made, a random part, and a keyed hash of both (Argon2id keyed with the
 * process's secret, libargon2): only this console makes tokens it takes.
 * 0 or -1. */
int login_token_new(struct web_auth *a, int64_t now, char *out);
/* 1 when token is one of this console's, made at most LOGIN_TOKEN_AGE
 * seconds before now. */
int login_token_ok(const struct web_auth *a, const char *token, int64_t now);
/* Failed logins: after a few from one address, each further one makes it
 * wait longer; they are forgotten once none came for the longest wait.
 * throttle_wait: seconds addr must still wait (0: may try).  A login as
 * user clears the failures of addr only when they were all for user: one
 * account's password does not buy guesses at another's. */
int64_t throttle_wait(const struct web_auth *a, const char *addr, int64_t now);
void throttle_fail(struct web_auth *a, const char *addr, const char *user, int64_t now);
void throttle_clear(struct web_auth *a, const char *addr, const char *user);

/* pages.c ----------------------------------------------------------------- */

/* What a page is given: the request's query values, the database, who. */
struct web_request {
	const struct config *cfg;
	struct store *st; /* read-only */
	const struct web_session *session;
	/* A query value (decoded), or NULL. */
	const char *(*arg)(void *ctx, const char *name);
	void *ctx;
	int64_t now;
};

/* The latest changes recorded for page (the audit), as a list.  0 or -1. */
int page_audit(const struct web_request *r, struct html *h, const char *page);
/* The configuration's communes as the options of a select: code, name. */
void page_commune_options(const struct config *cfg, struct html *h);

/* Writes the page at path into h: 200, or 404 when there is no such page,
 * 500 when the database failed (the page says so). */
int page_render(const struct web_request *r, const char *path, struct html *h);

/* reports.c: the form, or (query period and format) the report as a
 * download: 200, 400 for a bad period or format, 500. */
int reports_page(const struct web_request *r, struct html *h);

/* quarantine.c -------------------------------------------------------------- */

/* The held SMS, with the decision buttons for an admin, and the latest
 * decisions (the audit).  200, or 500 when the database failed. */
int quarantine_page(const struct web_request *r, struct html *h);
/* An admin's decision, form fields id and action (accept, reject, or
 * register: accept once the number is registered with the fields role,
 * commune and name, as `tinbao quarantine accept --register` does), made
 * through the writable rw in a transaction with its audit record: 303 (done,
 * or no longer held), 400 (h says why), 500. */
int quarantine_post(const struct web_request *r, struct store *rw, const char *body, size_t len,
		    struct html *h);

/* send.c -------------------------------------------------------------------- */

/* The form to send an SMS to one number, a commune's officers or all
 * officers (an admin's), with why the last one was refused (NULL: none),
 * and the SMS sent so far.  200 or 500. */
int send_page(const struct web_request *r, struct html *h, const char *why);
/* An admin's SMS, form fields to (number, commune, all; absent: number),
 * number or commune (its code) and text, queued in the outbox as a notice
 * for each recipient (its limits apply) with one audit record: 303, 400 (h:
 * the form saying why), 500. */
int send_post(const struct web_request *r, struct store *rw, const char *body, size_t len,
	      struct html *h);

/* senders.c ----------------------------------------------------------------- */

/* The registry (the table and the configuration's entries), the form to
 * add a number or edit it (query edit=NUMBER) for an admin, with why the
 * last change was refused (NULL: none), and the changes made so far; or,
 * with query export, the table as a CSV download.  200 or 500. */
int senders_page(const struct web_request *r, struct html *h, const char *why);
/* An admin's change, form field action: save (number, name, role,
 * commune: added or replaced, active) or deactivate (number), made through
 * rw with its audit record: 303, 400 (h: the page saying why), 500. */
int senders_post(const struct web_request *r, struct store *rw, const char *body, size_t len,
		 struct html *h);
/* An uploaded registry file at path (name: as the admin's computer named
 * it), read as `senders import --dry-run` reads it: each error, or else
 * each change, and the confirm form.  200, or 400 when the file has
 * errors. */
int senders_import_preview(const struct web_request *r, const char *path, const char *name,
			   struct html *h);
/* The file imported through rw, all or nothing, with its audit record:
 * 303, 400 (h: the errors), 500. */
int senders_import_confirm(const struct web_request *r, struct store *rw, const char *path,
			   const char *name, struct html *h);

#endif
