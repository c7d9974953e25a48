/*
 * server.c - the console's HTTP server: libmicrohttpd in its internal
 * polling thread (one thread, one request at a time: the sessions and the
 * read-only database connection need no lock), the routes, login and
 * logout.  See web.h.
 *
 * GET shows a page; every POST changes something and must carry the
 * session's CSRF token (403 otherwise).  Without a session every page
 * answers 303 to /login.  The login form keeps nothing: its token is a
 * cookie of its own that its POST must repeat (login_form); a successful
 * login makes a new session, whose id no one knew before.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>
#include <pthread.h>

#include "clock.h"
#include "config.h"
#include "dynlib.h"
#include "log.h"
#include "store.h"
#include "web_impl.h"

#define BODY_MAX 16384		    /* bytes of a form */
#define UPLOAD_MAX (4 << 20)	    /* bytes of a form with a file: a registry */
#define COOKIE "tinbao_sid"	    /* the session id's cookie */
#define LOG_PER_MINUTE 10	    /* warnings of the HTTP library logged a minute */
#define LOGIN_COOKIE "tinbao_login" /* the login form's token, on /login only */

/*
 * libmicrohttpd's functions, from libmicrohttpd.so.12 opened when the
 * console starts (the binary is not linked with it, nor with the GnuTLS it
 * pulls: see dynlib.h).  <microhttpd.h> gives the types and constants.
 */
static struct {
	struct MHD_Daemon *(*start_daemon)(unsigned int flags, uint16_t port,
					   MHD_AcceptPolicyCallback apc, void *apc_cls,
					   MHD_AccessHandlerCallback dh, void *dh_cls, ...);
	void (*stop_daemon)(struct MHD_Daemon *d);
	struct MHD_Response *(*create_response_from_buffer)(size_t size, void *buffer,
							    enum MHD_ResponseMemoryMode mode);
	enum MHD_Result (*add_response_header)(struct MHD_Response *r, const char *header,
					       const char *content);
	enum MHD_Result (*queue_response)(struct MHD_Connection *c, unsigned int status,
					  struct MHD_Response *r);
	void (*destroy_response)(struct MHD_Response *r);
	const char *(*lookup_connection_value)(struct MHD_Connection *c, enum MHD_ValueKind kind,
					       const char *key);
	const union MHD_ConnectionInfo *(*get_connection_info)(struct MHD_Connection *c,
							       enum MHD_ConnectionInfoType type,
							       ...);
} mhd;

/* clang-format off */
#define SYM(f) {"MHD_" #f, (void **)&mhd.f}
static const struct dynlib_sym mhd_syms[] = {
	SYM(start_daemon), SYM(stop_daemon), SYM(create_response_from_buffer),
	SYM(add_response_header), SYM(queue_response), SYM(destroy_response),
	SYM(lookup_connection_value), SYM(get_connection_info),
};
#undef SYM
/* clang-format on */

struct web {
	struct config *cfg; /* its own copy */
	struct store *st;   /* read-only */
	struct store *rw;   /* for changes */
	struct MHD_Daemon *daemon;
	struct web_auth auth;
	char *tls_cert, *tls_key; /* PEM, held while the daemon runs */
	int tls;
	/* A hash checked when the user does not exist, so that a wrong name
	 * takes as long as a wrong password. */
	char dummy_hash[STORE_WEB_HASH_MAX];
	/* The HTTP library's warnings (a malformed request each): at most
	 * LOG_PER_MINUTE a minute, then how many were left out. */
	int64_t log_minute;
	int log_lines;
	long log_dropped;
};

/* One request: its form body as it arrives. */
struct request {
	char *body;
	size_t len, size, max;
	int too_big;
	char delim[80]; /* a multipart form's delimiter, or "" */
};

/* What a response carries besides its status. */
struct reply {
	struct html h;
	const char *location;	       /* 303 to here */
	const struct web_session *set; /* its cookie is set */
	int clear;		       /* the cookie is cleared */
	const char *login;	       /* the login form's token: its cookie set */
	int login_clear;	       /* the login form's cookie cleared */
};

static const char *
query_arg(void *ctx, const char *name)
{
	return mhd.lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result
send_reply(struct web *w, struct MHD_Connection *c, unsigned int status, struct reply *rp)
{
	static const char *const headers[][2] = {
	    {"Content-Type", "text/html; charset=utf-8"},
	    {"Cache-Control", "no-store"},
	    {"X-Content-Type-Options", "nosniff"},
	    {"X-Frame-Options", "DENY"},
	    {"Referrer-Policy", "no-referrer"},
	    {"Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; "
					"form-action 'self'; frame-ancestors 'none'"},
	};
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char cookie[256];
	size_t i;

	if (rp->h.oom) {
		html_free(&rp->h);
		status = 500;
	}
	if (rp->h.p == NULL)
		html_raw(&rp->h, "");
	if (rp->h.oom)
		return MHD_NO;
	/* MHD frees the page with free() once it is sent. */
	resp = mhd.create_response_from_buffer(rp->h.len, rp->h.p, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		html_free(&rp->h);
		return MHD_NO;
	}
	rp->h.p = NULL;
	/* A download: its own type and name, the rest as for a page. */
	for (i = rp->h.type != NULL; i < sizeof(headers) / sizeof(headers[0]); i++)
		mhd.add_response_header(resp, headers[i][0], headers[i][1]);
	if (rp->h.type != NULL) {
		mhd.add_response_header(resp, "Content-Type", rp->h.type);
		snprintf(cookie, sizeof(cookie), "attachment; filename=\"%s\"", rp->h.filename);
		mhd.add_response_header(resp, "Content-Disposition", cookie);
	}
	if (rp->location != NULL)
		mhd.add_response_header(resp, "Location", rp->location);
	if (rp->set != NULL || rp->clear) {
		snprintf(cookie, sizeof(cookie),
			 COOKIE "=%s; HttpOnly; SameSite=Strict; Path=/; Max-Age=%lld%s",
			 rp->set != NULL ? rp->set->id : "",
			 rp->set != NULL ? (long long)w->auth.idle : 0LL, w->tls ? "; Secure" : "");
		mhd.add_response_header(resp, "Set-Cookie", cookie);
	}
	if (rp->login != NULL || rp->login_clear) {
		snprintf(cookie, sizeof(cookie),
			 LOGIN_COOKIE "=%s; HttpOnly; SameSite=Strict; Path=/login; Max-Age=%d%s",
			 rp->login != NULL ? rp->login : "", rp->login != NULL ? 3600 : 0,
			 w->tls ? "; Secure" : "");
		mhd.add_response_header(resp, "Set-Cookie", cookie);
	}
	ret = mhd.queue_response(c, status, resp);
	mhd.destroy_response(resp);
	return ret;
}

static enum MHD_Result
redirect(struct web *w, struct MHD_Connection *c, const char *to, struct reply *rp)
{
	rp->location = to;
	return send_reply(w, c, 303, rp);
}

static enum MHD_Result
refuse(struct web *w, struct MHD_Connection *c, unsigned int status, const char *why)
{
	struct reply rp = {0};

	html_begin(&rp.h, why, NULL, NULL);
	html_raw(&rp.h, "<p><a href=\"/\">Về trang đầu</a></p>");
	html_end(&rp.h);
	return send_reply(w, c, status, &rp);
}

static void
client_address(struct MHD_Connection *c, char *out, size_t size)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;

	snprintf(out, size, "?");
	ci = mhd.get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || ci->client_addr == NULL)
		return;
	sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
			  (socklen_t)size);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
			  out, (socklen_t)size);
}

/*
 * The login form; why: what went wrong.  Its token is random, in a cookie
 * of its own (HttpOnly, SameSite=Strict, for /login only) and in the form:
 * the login posted must carry both, equal, so that another site cannot
 * post one.  Nothing is kept here until someone logs in.
 */
static enum MHD_Result
login_form(struct web *w, struct MHD_Connection *c, unsigned int status, const char *why)
{
	char token[WEB_TOKEN_HEX + 1];
	struct reply rp = {0};

	if (login_token_new(&w->auth, clock_now(), token) == -1)
		return refuse(w, c, 500, "Lỗi máy chủ");
	html_begin(&rp.h, "Đăng nhập", NULL, NULL);
	html_error(&rp.h, why);
	html_raw(&rp.h, "<form method=\"post\" action=\"/login\">"
			"<p><label>Tên đăng nhập<br><input name=\"user\" id=\"user\" "
			"autocomplete=\"username\" required></label></p>"
			"<p><label>Mật khẩu<br><input type=\"password\" name=\"password\" "
			"id=\"password\" autocomplete=\"current-password\" required></label></p>"
			"<input type=\"hidden\" name=\"csrf\" value=\"");
	html_text(&rp.h, token);
	html_raw(&rp.h, "\"><p><button type=\"submit\" id=\"login\">Đăng nhập</button></p></form>");
	html_end(&rp.h);
	rp.login = token;
	return send_reply(w, c, status, &rp);
}

/* 1 when the login posted carries the form's token in its cookie and its
 * csrf field, the same, and the token is one this console made within the
 * hour (auth.c): a cookie another site on this PC set is none of them. */
static int
login_posted_ok(struct web *w, struct MHD_Connection *c, const struct request *rq)
{
	char cookie[WEB_TOKEN_HEX + 1], field[WEB_TOKEN_HEX + 1];

	if (cookie_value(mhd.lookup_connection_value(c, MHD_HEADER_KIND, "Cookie"), LOGIN_COOKIE,
			 cookie, sizeof(cookie)) != 1 ||
	    form_value(rq->body, rq->len, "csrf", field, sizeof(field)) != 1)
		return 0;
	return token_same(cookie, field) && login_token_ok(&w->auth, field, clock_now());
}

static enum MHD_Result
login(struct web *w, struct MHD_Connection *c, struct request *rq)
{
	char addr[48], name[STORE_WEB_NAME_MAX], password[256], why[96];
	struct store_web_user u;
	struct reply rp = {0};
	int64_t now = clock_now(), wait;
	const char *key;
	int found, ok;

	client_address(c, addr, sizeof(addr));
	/* The throttle's: every address of 127.0.0.0/8 is this PC, and a
	 * program on it may speak from any of them. */
	key = strncmp(addr, "127.", 4) == 0 ? "127.0.0.0/8" : addr;
	wait = throttle_wait(&w->auth, key, now);
	if (wait > 0) {
		snprintf(why, sizeof(why), "Sai quá nhiều lần: hãy thử lại sau %lld giây.",
			 (long long)wait);
		return login_form(w, c, 429, why);
	}
	if (!login_posted_ok(w, c, rq))
		return login_form(w, c, 403, "Phiên đăng nhập đã hết hạn, hãy thử lại.");
	if (form_value(rq->body, rq->len, "user", name, sizeof(name)) != 1 ||
	    form_value(rq->body, rq->len, "password", password, sizeof(password)) != 1)
		return login_form(w, c, 400, "Hãy nhập tên và mật khẩu.");
	found = store_web_user_get(w->st, name, &u);
	if (found == -1)
		return refuse(w, c, 500, "Không đọc được cơ sở dữ liệu");
	ok = web_password_check(found == 1 ? u.hash : w->dummy_hash, password) && found == 1;
	explicit_bzero(password, sizeof(password));
	if (!ok) {
		throttle_fail(&w->auth, key, name, now);
		log_info("web: failed login as \"%s\" from %s", name, addr);
		return login_form(w, c, 200, "Sai tên đăng nhập hoặc mật khẩu.");
	}
	throttle_clear(&w->auth, key, u.name);
	rp.set = session_new(&w->auth, u.name, u.role, u.hash, now);
	if (rp.set == NULL)
		return refuse(w, c, 500, "Lỗi máy chủ");
	rp.login_clear = 1;
	log_info("web: %s logged in from %s", u.name, addr);
	return redirect(w, c, "/", &rp);
}

/*
 * The session s still stands for its user: the user is still in the
 * database, with the password it logged in with (else the session ends:
 * a user removed, a password changed), and has the role the database now
 * gives (a demotion counts at once).  s, or NULL.
 */
static struct web_session *
session_current(struct web *w, struct web_session *s)
{
	struct store_web_user u;
	int found;

	if (s == NULL)
		return NULL;
	found = store_web_user_get(w->st, s->user, &u);
	if (found == 1 && strcmp(u.hash, s->hash) == 0) {
		snprintf(s->role, sizeof(s->role), "%s", u.role);
		return s;
	}
	if (found == -1)
		return NULL; /* the database unreadable now: not this request */
	log_info("web: %s's session ends: %s", s->user,
		 found == 0 ? "the user was removed" : "the password changed");
	session_end(s);
	return NULL;
}

_Static_assert(STORE_WEB_HASH_MAX <= WEB_HASH_MAX, "a session holds its user's hash");

/* An admin's change through the page at url (quarantine.c, send.c,
 * senders.c), with
 * the console's writable connection: back to the page when done, or the
 * page saying what is wrong. */
static enum MHD_Result
change(struct web *w, struct MHD_Connection *c, const char *url, struct request *rq,
       const struct web_session *s)
{
	struct web_request r = {w->cfg, w->st, s, NULL, NULL, clock_now()};
	struct reply rp = {0};
	int status;

	if (strcmp(s->role, WEB_ROLE_ADMIN) != 0)
		return refuse(w, c, 403, "Chỉ quản trị viên được thay đổi");
	if (strcmp(url, "/quarantine") == 0)
		status = quarantine_post(&r, w->rw, rq->body, rq->len, &rp.h);
	else if (strcmp(url, "/senders") == 0)
		status = senders_post(&r, w->rw, rq->body, rq->len, &rp.h);
	else
		status = send_post(&r, w->rw, rq->body, rq->len, &rp.h);
	if (status == 303)
		return redirect(w, c, url, &rp);
	if (status == 500) {
		html_free(&rp.h);
		return refuse(w, c, 500, "Không ghi được cơ sở dữ liệu");
	}
	return send_reply(w, c, (unsigned int)status, &rp);
}

/* The form's csrf field, urlencoded or multipart: 1, 0 absent, -1. */
static int
csrf_field(const struct request *rq, char *out, size_t size)
{
	const char *v;
	size_t n;
	int r;

	if (rq->delim[0] == '\0')
		return form_value(rq->body, rq->len, "csrf", out, size);
	r = multipart_part(rq->body, rq->len, rq->delim, "csrf", &v, &n, NULL, 0);
	if (r != 1 || n >= size)
		return r == 1 ? -1 : r;
	memcpy(out, v, n);
	out[n] = '\0';
	return 1;
}

/* The session's upload, as the file registry.h reads (the name's ending,
 * .csv or .xlsx, tells which), for as long as preview or confirm reads it;
 * removed afterwards.  Their status, or 500 when no file could be written. */
static int
with_upload(struct web *w, const struct web_request *r, struct html *h,
	    int (*fn)(struct web *, const struct web_request *, const char *, struct html *))
{
	const struct web_session *s = r->session;
	size_t n = strlen(s->upload_name);
	int xlsx = n >= 5 && strcasecmp(s->upload_name + n - 5, ".xlsx") == 0, fd, status;
	char path[64];

	snprintf(path, sizeof(path), "/tmp/tinbao-import-XXXXXX%s", xlsx ? ".xlsx" : ".csv");
	fd = mkstemps(path, xlsx ? 5 : 4);
	if (fd == -1) {
		log_warn("web: %s", path);
		return 500;
	}
	if (write(fd, s->upload, s->upload_len) != (ssize_t)s->upload_len) {
		log_warn("web: %s", path);
		status = 500;
	} else
		status = fn(w, r, path, h);
	close(fd);
	if (unlink(path) == -1)
		log_warn("web: %s", path);
	return status;
}

static int
preview(struct web *w, const struct web_request *r, const char *path, struct html *h)
{
	(void)w;
	return senders_import_preview(r, path, r->session->upload_name, h);
}

static int
confirm(struct web *w, const struct web_request *r, const char *path, struct html *h)
{
	return senders_import_confirm(r, w->rw, path, r->session->upload_name, h);
}

/* A registry file: uploaded (multipart), shown as a preview and kept; or
 * confirmed (a form), imported. */
static enum MHD_Result
import(struct web *w, struct MHD_Connection *c, struct request *rq, struct web_session *s)
{
	struct web_request r = {w->cfg, w->st, s, NULL, NULL, clock_now()};
	struct reply rp = {0};
	char filename[WEB_UPLOAD_NAME_MAX];
	const char *data;
	size_t len;
	int status;

	if (strcmp(s->role, WEB_ROLE_ADMIN) != 0)
		return refuse(w, c, 403, "Chỉ quản trị viên được thay đổi");
	if (rq->delim[0] != '\0') {
		if (multipart_part(rq->body, rq->len, rq->delim, "file", &data, &len, filename,
				   sizeof(filename)) != 1 ||
		    len == 0)
			return refuse(w, c, 400, "Hãy chọn một tệp");
		if (session_keep_upload(s, data, len, filename) == -1)
			return refuse(w, c, 500, "Không lưu được tệp");
		status = with_upload(w, &r, &rp.h, preview);
		if (status != 200)
			session_drop_upload(s);
	} else {
		if (s->upload == NULL)
			return refuse(w, c, 400, "Không có tệp nào chờ nhập");
		status = with_upload(w, &r, &rp.h, confirm);
		session_drop_upload(s);
		if (status == 303)
			return redirect(w, c, "/senders", &rp);
	}
	if (status == 500) {
		html_free(&rp.h);
		return refuse(w, c, 500,
			      rq->delim[0] != '\0' ? "Không lưu được tệp"
						   : "Không ghi được cơ sở dữ liệu");
	}
	return send_reply(w, c, (unsigned int)status, &rp);
}

static enum MHD_Result
post(struct web *w, struct MHD_Connection *c, const char *url, struct request *rq,
     struct web_session *s)
{
	char csrf[WEB_TOKEN_HEX + 1];
	struct reply rp = {0};

	if (rq->too_big)
		return refuse(w, c, 413, "Yêu cầu quá lớn");
	if (strcmp(url, "/login") == 0)
		return login(w, c, rq);
	if (s == NULL || csrf_field(rq, csrf, sizeof(csrf)) != 1 || !session_csrf_ok(s, csrf))
		return refuse(w, c, 403, "Yêu cầu bị từ chối");
	if (strcmp(url, "/senders/import") == 0)
		return import(w, c, rq, s);
	if (strcmp(url, "/quarantine") == 0 || strcmp(url, "/send") == 0 ||
	    strcmp(url, "/senders") == 0)
		return change(w, c, url, rq, s);
	if (strcmp(url, "/logout") == 0) {
		log_info("web: %s logged out", s->user);
		session_end(s);
		rp.clear = 1;
		return redirect(w, c, "/login", &rp);
	}
	return refuse(w, c, 404, "Không có trang này");
}

static enum MHD_Result
get(struct web *w, struct MHD_Connection *c, const char *url, struct web_session *s)
{
	struct web_request r = {w->cfg, w->st, s, query_arg, c, clock_now()};
	struct reply rp = {0};
	int status;

	if (strcmp(url, "/login") == 0) {
		if (s != NULL)
			return redirect(w, c, "/", &rp);
		return login_form(w, c, 200, NULL);
	}
	if (s == NULL)
		return redirect(w, c, "/login", &rp);
	status = page_render(&r, url, &rp.h);
	if (status == 404) {
		html_free(&rp.h);
		return refuse(w, c, 404, "Không có trang này");
	}
	return send_reply(w, c, (unsigned int)status, &rp);
}

/* Room for n bytes in the body.  0 or -1. */
static int
body_grow(struct request *rq, size_t n)
{
	size_t size = rq->size > 0 ? rq->size : 4096;
	char *p;

	if (rq->body != NULL && n < rq->size)
		return 0;
	while (size <= n)
		size *= 2;
	p = realloc(rq->body, size);
	if (p == NULL) {
		log_warn("web");
		return -1;
	}
	rq->body = p;
	rq->size = size;
	return 0;
}

/* The logged-in session of the request's cookie, as it stands now. */
static struct web_session *
request_session(struct web *w, struct MHD_Connection *c)
{
	char sid[WEB_TOKEN_HEX + 1];

	if (cookie_value(mhd.lookup_connection_value(c, MHD_HEADER_KIND, "Cookie"), COOKIE, sid,
			 sizeof(sid)) != 1)
		return NULL;
	return session_current(w, session_find(&w->auth, sid, clock_now()));
}

/*
 * A console on a loopback address answers only requests that name one
 * (127.x.x.x, localhost, [::1]): a page of another site whose name was
 * made to point at 127.0.0.1 (DNS rebinding) gets nothing, not even the
 * login form to guess passwords through.
 */
static int
host_ok(struct web *w, struct MHD_Connection *c)
{
	struct sockaddr_in sa;

	if (config_web_address(w->cfg->web.listen, &sa) == -1 || !config_web_loopback(&sa))
		return 1;
	return loopback_host(mhd.lookup_connection_value(c, MHD_HEADER_KIND, "Host"));
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
       const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct web *w = cls;
	struct request *rq = *con_cls;
	struct web_session *s;

	if (rq == NULL) {
		rq = calloc(1, sizeof(*rq));
		if (rq == NULL)
			return MHD_NO;
		*con_cls = rq;
		rq->max = BODY_MAX;
		/* A file's room only for an admin's upload: anyone else's body
		 * is read into a form's. */
		if (multipart_boundary(
			mhd.lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type"), rq->delim,
			sizeof(rq->delim)) != 1)
			rq->delim[0] = '\0';
		else if ((s = request_session(w, c)) != NULL &&
			 strcmp(s->role, WEB_ROLE_ADMIN) == 0)
			rq->max = UPLOAD_MAX;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (rq->len + *upload_size >= rq->max)
			rq->too_big = 1;
		else if (body_grow(rq, rq->len + *upload_size) == -1)
			return MHD_NO;
		if (!rq->too_big) {
			memcpy(rq->body + rq->len, upload, *upload_size);
			rq->len += *upload_size;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (rq->body == NULL && body_grow(rq, 0) == -1)
		return MHD_NO;
	if (!host_ok(w, c))
		return refuse(w, c, 421, "Địa chỉ không đúng");
	s = request_session(w, c);
	if (strcmp(method, "POST") == 0)
		return post(w, c, url, rq, s);
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		return get(w, c, url, s);
	return refuse(w, c, 405, "Phương thức không được phép");
}

static void
completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct request *rq = *con_cls;

	if (rq != NULL)
		free(rq->body);
	free(rq);
	*con_cls = NULL;
}

/* How many of the HTTP library's warnings were left out, said once. */
static void
mhd_log_dropped(struct web *w)
{
	if (w->log_dropped > 0)
		log_warnx(
		    "web: %ld more warnings of the HTTP library (malformed requests) left out",
		    w->log_dropped);
	w->log_dropped = 0;
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct web *w = cls;
	int64_t minute = clock_now() / 60;
	char msg[512];

	if (minute != w->log_minute) {
		mhd_log_dropped(w);
		w->log_minute = minute;
		w->log_lines = 0;
	}
	if (w->log_lines++ >= LOG_PER_MINUTE) {
		w->log_dropped++;
		return;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_warnx("web: %s", msg);
}

/* The whole of a small file (a PEM), or NULL logged. */
static char *
read_file(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "r"), *m;
	int ch;

	if (f == NULL) {
		log_warn("web: %s", path);
		return NULL;
	}
	m = open_memstream(&buf, &len);
	while (m != NULL && len < 1 << 20 && (ch = fgetc(f)) != EOF)
		fputc(ch, m);
	if (m == NULL || fclose(m) != 0 || ferror(f)) {
		log_warnx("web: cannot read %s", path);
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* The certificate and key of cfg's web group (none without TLS) into
 * *cert and *key.  0, or -1 logged. */
static int
tls_read(const struct config *cfg, char **cert, char **key)
{
	*cert = *key = NULL;
	if (cfg->web.tls_cert == NULL)
		return 0;
	*cert = read_file(cfg->web.tls_cert);
	*key = read_file(cfg->web.tls_key);
	if (*cert != NULL && *key != NULL)
		return 0;
	free(*cert);
	free(*key);
	*cert = *key = NULL;
	return -1;
}

/* MHD's thread, on w->cfg's address with w's certificate, started with
 * every signal blocked: the gateway's signals go to its loop, which they
 * must wake. */
static int
start_daemon(struct web *w)
{
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ERROR_LOG;
	struct sockaddr_in sa;
	sigset_t all, old;
	struct MHD_OptionItem tls[3] = {
	    {MHD_OPTION_END, 0, NULL}, {MHD_OPTION_END, 0, NULL}, {MHD_OPTION_END, 0, NULL}};

	if (config_web_address(w->cfg->web.listen, &sa) == -1) {
		log_warnx("web: bad address \"%s\"", w->cfg->web.listen);
		return -1;
	}
	if (!config_web_loopback(&sa) && w->tls_cert == NULL) {
		log_warnx("web: %s is beyond this PC: web.tls_cert and web.tls_key are needed",
			  w->cfg->web.listen);
		return -1;
	}
	w->tls = w->tls_cert != NULL;
	/* Before MHD's thread starts: it reads the sessions' lifetime. */
	w->auth.idle = (int64_t)w->cfg->web.session_hours * 3600;
	if (w->tls) {
		flags |= MHD_USE_TLS;
		tls[0] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, w->tls_cert};
		tls[1] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, w->tls_key};
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	/* The logger first, so that MHD says nothing on stderr by itself. */
	w->daemon = mhd.start_daemon(
	    flags, ntohs(sa.sin_port), NULL, NULL, handle, w, MHD_OPTION_EXTERNAL_LOGGER, mhd_log,
	    w, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
	    MHD_OPTION_CONNECTION_TIMEOUT, 30U, MHD_OPTION_CONNECTION_LIMIT, 64U,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, 8U, MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (w->daemon == NULL) {
		log_warnx("web: cannot listen on %s", w->cfg->web.listen);
		return -1;
	}
	log_info("web: console on %s://%s/", w->tls ? "https" : "http", w->cfg->web.listen);
	return 0;
}

struct web *
web_start(const struct config *cfg)
{
	struct web *w;

	if (dynlib_load("web", "libmicrohttpd.so.12", "libmicrohttpd12", mhd_syms,
			sizeof(mhd_syms) / sizeof(mhd_syms[0])) == -1)
		return NULL;
	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		log_warn("web");
		return NULL;
	}
	w->cfg = config_load(cfg->path, NULL);
	if (w->cfg == NULL) {
		log_warnx("web: cannot load %s again", cfg->path);
		goto fail;
	}
	/* The writable connection first: it brings the schema up to date
	 * (and checks a database left unclean, before anything is served);
	 * pages then read through their own. */
	w->rw = store_open(w->cfg->database, 0);
	if (w->rw == NULL)
		goto fail;
	w->st = store_open(w->cfg->database, STORE_READONLY);
	if (w->st == NULL || web_password_hash("-", w->dummy_hash, sizeof(w->dummy_hash)) == -1 ||
	    tls_read(w->cfg, &w->tls_cert, &w->tls_key) == -1 || start_daemon(w) == -1)
		goto fail;
	return w;
fail:
	web_stop(w);
	return NULL;
}

/* Swaps w's configuration and certificate with those in the arguments. */
static void
swap(struct web *w, struct config **cfg, char **cert, char **key)
{
	struct config *c = w->cfg;
	char *tc = w->tls_cert, *tk = w->tls_key;

	w->cfg = *cfg;
	w->tls_cert = *cert;
	w->tls_key = *key;
	*cfg = c;
	*cert = tc;
	*key = tk;
}

int
web_reload(struct web *w, const struct config *cfg)
{
	struct config *ncfg;
	char *cert, *key;
	int rc = 0;

	ncfg = config_load(cfg->path, NULL);
	if (ncfg == NULL || tls_read(ncfg, &cert, &key) == -1) {
		log_warnx("web: cannot load %s again; the console keeps its configuration",
			  cfg->path);
		config_free(ncfg);
		return -1;
	}
	if (strcmp(ncfg->database, w->cfg->database) != 0) {
		log_warnx("web: a change of database takes effect on restart; the console keeps "
			  "its configuration");
		rc = -1;
		goto done;
	}
	/* Once MHD's thread has stopped no request reads the configuration:
	 * it is swapped, and the sessions outlive the change. */
	if (w->daemon != NULL)
		mhd.stop_daemon(w->daemon);
	w->daemon = NULL;
	swap(w, &ncfg, &cert, &key);
	if (start_daemon(w) == 0) {
		log_info("web: configuration %s loaded", cfg->path);
		goto done;
	}
	swap(w, &ncfg, &cert, &key);
	rc = -1;
	if (start_daemon(w) == 0)
		log_warnx("web: the console keeps its configuration");
	else
		log_warnx("web: the console is not served until its configuration is fixed");
done:
	config_free(ncfg);
	free(cert);
	free(key);
	return rc;
}

void
web_stop(struct web *w)
{
	size_t i;

	if (w == NULL)
		return;
	if (w->daemon != NULL)
		mhd.stop_daemon(w->daemon);
	mhd_log_dropped(w);
	for (i = 0; i < WEB_SESSIONS; i++)
		session_end(&w->auth.sessions[i]);
	store_close(w->st);
	store_close(w->rw);
	config_free(w->cfg);
	free(w->tls_cert);
	free(w->tls_key);
	explicit_bzero(&w->auth, sizeof(w->auth));
	free(w);
}
