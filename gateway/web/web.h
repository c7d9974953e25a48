/*
 * web.h - the web console: district staff read the gateway from a browser,
 * in Vietnamese, on this PC or the office network.
 *
 * Served by libmicrohttpd in a thread of its own (MHD's internal polling
 * thread: one thread runs every request, one after the other), so that the
 * gateway's loop never waits for a page.  libmicrohttpd, and GnuTLS behind
 * it, is opened when the console starts (gateway/util/dynlib.h): a gateway
 * without a web group does not carry it.  Pages read the database through a
 * read-only connection of their own (WAL: the gateway writes meanwhile);
 * changes (an admin's decision on a quarantined SMS) go through a writable
 * connection of the console's, each in one
 * transaction with its record in the audit table, shown on the page.
 *
 * Users are in the database (web_users, `tinbao web-user`), their
 * passwords hashed with Argon2id.  A login gives a random session id in a
 * cookie (HttpOnly, SameSite=Strict, Secure with TLS) and a CSRF token that
 * every POST carries; a session unused web.session_hours ends.  Failed
 * logins are throttled per client address.  Every page without a session
 * redirects to /login.  Listening beyond loopback needs TLS (config/web.c).
 */
#ifndef TINBAO_WEB_H
#define TINBAO_WEB_H

#include <stddef.h>

struct config;
struct web;

/* Starts the console as cfg->web says, with a configuration of its own
 * loaded again from cfg->path (a SIGHUP of the gateway does not pull it
 * from under a page).  NULL (logged) when it cannot: libmicrohttpd
 * missing, the address taken, the TLS files unreadable, the database not
 * there. */
struct web *web_start(const struct config *cfg);
/* The configuration reloaded (SIGHUP): loaded again from cfg->path, with
 * its address, certificate and session_hours; the sessions stay logged
 * in.  -1 (logged) when the console keeps its running configuration: the
 * file or the certificate unreadable, the database changed (a restart
 * changes it), the new address not to be had; if even the old one cannot
 * be listened on again, nothing is served until a reload that works. */
int web_reload(struct web *w, const struct config *cfg);
/* Stops serving and frees everything; accepts NULL. */
void web_stop(struct web *w);

/* Roles of the console's users. */
#define WEB_ROLE_VIEWER "viewer" /* reads every page */
#define WEB_ROLE_ADMIN "admin"	 /* also changes what a page changes */

/* An Argon2id hash of password (libargon2), in its encoded form
 * "$argon2id$v=19$m=...", with a random salt.  0, or -1 logged. */
int web_password_hash(const char *password, char *encoded, size_t size);
/* 1 when password matches the encoded hash, 0 when it does not. */
int web_password_check(const char *encoded, const char *password);

#endif
