/*
 * test_web.c - the web console (gateway/web/web.h).
 *
 * Unit tests of its pure parts: escaping, form and cookie parsing,
 * sessions and their CSRF tokens, the login throttle, passwords, the
 * listen address.  Then the real thing: `tinbao web` on 127.0.0.1 and a
 * free port, over a database holding an SMS with <script> in it and its
 * reply and an unregistered number's report held in quarantine, driven by
 * tests/web_client.py (HTTP as a browser speaks it) and
 * tests/web_browser.py (headless Chromium; skipped without it unless
 * TINBAO_REQUIRE_BROWSER=1); a SIGHUP that moves the console (logins
 * kept), stops and starts it; HTTPS with a certificate made by openssl
 * (tests/web_tls.py), renewed by a SIGHUP.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "fixture.h"
#include "webhttp.h"
#include "store.h"
#include "web_impl.h"

static const char *tinbao = "./tinbao";

/* Unit tests ----------------------------------------------------------------- */

static void
test_escape(void **state)
{
	struct html h = {0};

	html_text(&h, "<script>alert('x&y')</script> \"q\"");
	assert_string_equal(h.p,
			    "&lt;script&gt;alert(&#39;x&amp;y&#39;)&lt;/script&gt; &quot;q&quot;");
	html_free(&h);
	html_text(&h, "Xã Vân Nham");
	assert_string_equal(h.p, "Xã Vân Nham");
	html_free(&h);
	html_url(&h, "+84 9\"&<x>ã-._~");
	assert_string_equal(h.p, "%2B84%209%22%26%3Cx%3E%C3%A3-._~");
	html_free(&h);
}

static void
test_url_decode(void **state)
{
	char out[8];

	assert_int_equal(url_decode("a+b%41", 6, out, sizeof(out)), 0);
	assert_string_equal(out, "a bA");
	assert_int_equal(url_decode("%4", 2, out, sizeof(out)), -1);
	assert_int_equal(url_decode("%zz", 3, out, sizeof(out)), -1);
	assert_int_equal(url_decode("a%00b", 5, out, sizeof(out)), -1);
	assert_int_equal(url_decode("12345678", 8, out, sizeof(out)), -1);
	assert_int_equal(url_decode("1234567", 7, out, sizeof(out)), 0);
	assert_int_equal(url_decode("", 0, out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

static void
test_form_value(void **state)
{
	const char body[] = "username=eve&user=anna&password=p%26w+x&csrf=";
	char out[32];

	assert_int_equal(form_value(body, strlen(body), "user", out, sizeof(out)), 1);
	assert_string_equal(out, "anna");
	assert_int_equal(form_value(body, strlen(body), "password", out, sizeof(out)), 1);
	assert_string_equal(out, "p&w x");
	assert_int_equal(form_value(body, strlen(body), "csrf", out, sizeof(out)), 1);
	assert_string_equal(out, "");
	assert_int_equal(form_value(body, strlen(body), "name", out, sizeof(out)), 0);
	/* Only the bytes given count: no field beyond them. */
	assert_int_equal(form_value(body, 12, "user", out, sizeof(out)), 0);
	assert_int_equal(form_value("user=%zz", 8, "user", out, sizeof(out)), -1);
}

static void
test_cookie_value(void **state)
{
	char out[8];

	assert_int_equal(cookie_value("a=1; tinbao_sid=abc; b=2", "tinbao_sid", out, sizeof(out)),
			 1);
	assert_string_equal(out, "abc");
	assert_int_equal(cookie_value("tinbao_sid=xyz", "tinbao_sid", out, sizeof(out)), 1);
	assert_string_equal(out, "xyz");
	assert_int_equal(cookie_value("xtinbao_sid=abc", "tinbao_sid", out, sizeof(out)), 0);
	assert_int_equal(cookie_value("tinbao_sid=12345678", "tinbao_sid", out, sizeof(out)), -1);
	assert_int_equal(cookie_value(NULL, "tinbao_sid", out, sizeof(out)), 0);
	assert_int_equal(cookie_value("", "tinbao_sid", out, sizeof(out)), 0);
}

/* The names a loopback console answers to; a name cut short is read no
 * further than its end. */
static void
test_loopback_host(void **state)
{
	static const char *const yes[] = {"localhost",	  "LocalHost:8080", "127.0.0.1",
					  "127.1.2.3:80", "[::1]",	    "[::1]:8080"};
	static const char *const no[] = {
	    "evil.example",
	    "127.0.0.1.evil.example",
	    "localhost.",
	    "[::1]x",
	    "[::2]",
	    "[::1",
	    "[",
	    "",
	    "127.0.0.1x",
	    "x127.0.0.1",
	};
	char *copy;
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!loopback_host(yes[i]))
			fail_msg("not a loopback name: %s", yes[i]);
	/* Each in a buffer of its own size, for the address sanitizer. */
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		copy = strdup(no[i]);
		assert_non_null(copy);
		if (loopback_host(copy))
			fail_msg("taken for a loopback name: %s", no[i]);
		free(copy);
	}
	assert_false(loopback_host(NULL));
}

static void
test_multipart(void **state)
{
	const char body[] = "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n"
			    "abc\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
			    "filename=\"a.xlsx\"\r\nContent-Type: x\r\n\r\nPK\r\n--X\0y"
			    "\r\n--XyZ--\r\n";
	size_t len = sizeof(body) - 1, n;
	char delim[16], name[16];
	const char *v;

	assert_int_equal(
	    multipart_boundary("multipart/form-data; boundary=XyZ", delim, sizeof(delim)), 1);
	assert_string_equal(delim, "--XyZ");
	assert_int_equal(
	    multipart_boundary("multipart/form-data; boundary=\"XyZ\"; x=1", delim, sizeof(delim)),
	    1);
	assert_string_equal(delim, "--XyZ");
	assert_int_equal(
	    multipart_boundary("application/x-www-form-urlencoded", delim, sizeof(delim)), 0);
	assert_int_equal(multipart_boundary("multipart/form-data", delim, sizeof(delim)), -1);
	assert_int_equal(multipart_part(body, len, "--XyZ", "csrf", &v, &n, NULL, 0), 1);
	assert_int_equal(n, 3);
	assert_memory_equal(v, "abc", 3);
	/* A file's bytes as they are, a NUL and a line break in them too. */
	assert_int_equal(multipart_part(body, len, "--XyZ", "file", &v, &n, name, sizeof(name)), 1);
	assert_string_equal(name, "a.xlsx");
	assert_int_equal(n, 9);
	assert_memory_equal(v, "PK\r\n--X\0y", 9);
	assert_int_equal(multipart_part(body, len, "--XyZ", "name", &v, &n, NULL, 0), 0);
	/* Cut short: no closing delimiter. */
	assert_int_equal(multipart_part(body, 60, "--XyZ", "file", &v, &n, NULL, 0), -1);
}

/* multipart_part on a copy of body of exactly its length, so that a read
 * past its end is caught by the sanitizers. */
static int
part_of(const char *body, const char *name, size_t *n, char *filename, size_t fnsize)
{
	size_t len = strlen(body);
	char *copy = malloc(len > 0 ? len : 1);
	const char *v;
	int r;

	assert_non_null(copy);
	memcpy(copy, body, len);
	r = multipart_part(copy, len, "--XyZ", name, &v, n, filename, fnsize);
	free(copy);
	return r;
}

/* What a hostile or broken client may send: never a read past the body,
 * never a part where there is none. */
static void
test_multipart_hostile(void **state)
{
	char delim[80], longb[71], ctype[128], name[8];
	size_t n = 99;

	/* Cut at any point of the delimiter line or the part's headers. */
	assert_int_equal(part_of("", "csrf", &n, NULL, 0), -1);
	assert_int_equal(part_of("--XyZ", "csrf", &n, NULL, 0), -1);
	assert_int_equal(part_of("--XyZ\r", "csrf", &n, NULL, 0), -1);
	assert_int_equal(
	    part_of("--XyZ\r\nContent-Disposition: form-data; name=\"csrf", "csrf", &n, NULL, 0),
	    -1);
	assert_int_equal(part_of("--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nab",
				 "csrf", &n, NULL, 0),
			 -1);
	/* Only the closing delimiter, after a preamble: no part at all. */
	assert_int_equal(part_of("preamble\r\n--XyZ--\r\n", "csrf", &n, NULL, 0), 0);
	/* A name never closed names nothing: the next part is looked at. */
	assert_int_equal(
	    part_of("--XyZ\r\nContent-Disposition: form-data; name=\"csrf\r\n\r\nx"
		    "\r\n--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n"
		    "yz\r\n--XyZ--\r\n",
		    "csrf", &n, NULL, 0),
	    1);
	assert_int_equal(n, 2);
	/* An empty value is a value. */
	assert_int_equal(part_of("--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n"
				 "\r\n--XyZ--\r\n",
				 "csrf", &n, NULL, 0),
			 1);
	assert_int_equal(n, 0);
	/* A file name too long for the caller is no file name. */
	assert_int_equal(part_of("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
				 "filename=\"a-long-name.csv\"\r\n\r\nx\r\n--XyZ--\r\n",
				 "file", &n, name, sizeof(name)),
			 1);
	assert_string_equal(name, "");
	/* The longest boundary RFC 2046 allows fits the delimiter; one more
	 * byte is refused. */
	memset(longb, 'b', 70);
	longb[70] = '\0';
	snprintf(ctype, sizeof(ctype), "multipart/form-data; boundary=%s", longb);
	assert_int_equal(multipart_boundary(ctype, delim, sizeof(delim)), 1);
	assert_int_equal(strlen(delim), 72);
	snprintf(ctype, sizeof(ctype), "multipart/form-data; boundary=%sb", longb);
	assert_int_equal(multipart_boundary(ctype, delim, sizeof(delim)), -1);
	assert_int_equal(multipart_boundary("multipart/form-data; boundary=", delim, sizeof(delim)),
			 -1);
	assert_int_equal(
	    multipart_boundary("multipart/form-data; boundary=\"XyZ", delim, sizeof(delim)), -1);
}

static void
test_sessions(void **state)
{
	static struct web_auth a;
	struct web_session *s, *first;
	char id[WEB_TOKEN_HEX + 1], csrf[WEB_TOKEN_HEX + 1];
	int i;

	memset(&a, 0, sizeof(a));
	a.idle = 3600;
	s = session_new(&a, "anna", "admin", "h", 1000);
	assert_non_null(s);
	assert_int_equal(strlen(s->id), WEB_TOKEN_HEX);
	assert_string_not_equal(s->id, s->csrf);
	strcpy(id, s->id);
	strcpy(csrf, s->csrf);
	assert_ptr_equal(session_find(&a, id, 2000), s);
	assert_string_equal(s->user, "anna");
	/* Used at 2000: alive until 2000 + idle. */
	assert_ptr_equal(session_find(&a, id, 5599), s);
	assert_true(session_csrf_ok(s, csrf));
	csrf[0] = csrf[0] == 'a' ? 'b' : 'a';
	assert_false(session_csrf_ok(s, csrf));
	assert_false(session_csrf_ok(s, ""));
	assert_false(session_csrf_ok(s, NULL));
	assert_false(session_csrf_ok(NULL, s->csrf));
	id[5] = id[5] == 'a' ? 'b' : 'a';
	assert_null(session_find(&a, id, 5600));
	assert_null(session_find(&a, "short", 5600));
	id[5] = s->id[5];
	assert_null(session_find(&a, id, 5599 + 3600));
	assert_null(session_find(&a, id, 5600)); /* gone for good */

	s = session_new(&a, "vic", "viewer", "$argon2id$x", 10000);
	assert_non_null(s);
	assert_string_equal(s->hash, "$argon2id$x");
	session_end(s);
	assert_string_equal(s->id, "");
	assert_string_equal(s->hash, "");

	/* All taken: the least recently used one goes. */
	first = session_new(&a, "u0", "viewer", "h", 20000);
	strcpy(id, first->id);
	for (i = 1; i < WEB_SESSIONS; i++)
		assert_non_null(session_new(&a, "u", "viewer", "h", 20000 + i));
	s = session_new(&a, "late", "viewer", "h", 20000 + i + 1);
	assert_non_null(s);
	assert_null(session_find(&a, id, 20000 + i + 2));

	/* A session's upload: replaced by the next, gone with the session;
	 * one whose slot is taken is freed (the sanitizer's leak check). */
	assert_int_equal(session_keep_upload(s, "a,b\n", 4, "x.csv"), 0);
	assert_int_equal(session_keep_upload(s, "number\n", 7, "y.csv"), 0);
	assert_int_equal(s->upload_len, 7);
	assert_memory_equal(s->upload, "number\n", 7);
	assert_string_equal(s->upload_name, "y.csv");
	session_end(s);
	assert_null(s->upload);
	assert_string_equal(s->upload_name, "");
	/* A session unused too long ends, and its upload goes, at the next
	 * look-up of any session. */
	s = session_new(&a, "anna", "admin", "h", 30000);
	assert_int_equal(session_keep_upload(s, "number\n", 7, "old.csv"), 0);
	assert_null(session_find(
	    &a, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", 30000 + 3600));
	assert_null(s->upload);
	assert_string_equal(s->id, "");
	s = session_new(&a, "anna", "admin", "h", 40000);
	assert_int_equal(session_keep_upload(s, "number\n", 7, "z.csv"), 0);
	for (i = 0; i < WEB_SESSIONS; i++)
		assert_non_null(session_new(&a, "u", "viewer", "h", 40001 + i));
}

/* The login form's tokens: this console's own, for an hour. */
static void
test_login_token(void **state)
{
	static struct web_auth a, b;
	char t[WEB_TOKEN_HEX + 1], forged[WEB_TOKEN_HEX + 1];

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	assert_false(login_token_ok(&a, "00", 1000));
	assert_int_equal(login_token_new(&a, 1000, t), 0);
	assert_int_equal(strlen(t), WEB_TOKEN_HEX);
	assert_true(login_token_ok(&a, t, 1000));
	assert_true(login_token_ok(&a, t, 1000 + LOGIN_TOKEN_AGE));
	assert_false(login_token_ok(&a, t, 1001 + LOGIN_TOKEN_AGE));
	assert_false(login_token_ok(&a, t, 999)); /* made in the future */
	/* Another console's (another key), or any part changed. */
	assert_int_equal(login_token_new(&b, 1000, forged), 0);
	assert_false(login_token_ok(&a, forged, 1000));
	memcpy(forged, t, sizeof(forged));
	forged[20] = forged[20] == 'a' ? 'b' : 'a';
	assert_false(login_token_ok(&a, forged, 1000));
	memcpy(forged, t, sizeof(forged));
	forged[40] = forged[40] == 'a' ? 'b' : 'a';
	assert_false(login_token_ok(&a, forged, 1000));
	memset(forged, 'a', WEB_TOKEN_HEX);
	assert_false(login_token_ok(&a, forged, 1000));
	memcpy(forged, t, sizeof(forged));
	forged[3] = 'G';
	assert_false(login_token_ok(&a, forged, 1000));
}

static void
test_throttle(void **state)
{
	static struct web_auth a;
	int i;

	memset(&a, 0, sizeof(a));
	for (i = 0; i < 4; i++)
		throttle_fail(&a, "10.0.0.1", "anna", 100);
	assert_int_equal(throttle_wait(&a, "10.0.0.1", 100), 0);
	throttle_fail(&a, "10.0.0.1", "anna", 100);
	assert_int_equal(throttle_wait(&a, "10.0.0.1", 100), 30);
	assert_int_equal(throttle_wait(&a, "10.0.0.1", 129), 1);
	assert_int_equal(throttle_wait(&a, "10.0.0.1", 130), 0);
	throttle_fail(&a, "10.0.0.1", "anna", 200);
	assert_int_equal(throttle_wait(&a, "10.0.0.1", 200), 60);
	for (i = 0; i < 20; i++)
		throttle_fail(&a, "10.0.0.1", "anna", 300);
	assert_int_equal(throttle_wait(&a, "10.0.0.1", 300), 900);
	assert_int_equal(throttle_wait(&a, "10.0.0.2", 300), 0);
	throttle_clear(&a, "10.0.0.1", "anna");
	assert_int_equal(throttle_wait(&a, "10.0.0.1", 300), 0);
	/* Another account's login clears nothing: vic's password buys no
	 * guesses at anna's; nor when the failures were for several names. */
	for (i = 0; i < 4; i++)
		throttle_fail(&a, "10.0.0.1", "anna", 300);
	throttle_clear(&a, "10.0.0.1", "vic");
	throttle_fail(&a, "10.0.0.1", "anna", 300);
	assert_int_equal(throttle_wait(&a, "10.0.0.1", 300), 30);
	throttle_fail(&a, "10.0.0.3", "anna", 300);
	throttle_fail(&a, "10.0.0.3", "vic", 300);
	throttle_clear(&a, "10.0.0.3", "vic");
	for (i = 0; i < 3; i++)
		throttle_fail(&a, "10.0.0.3", "vic", 300);
	assert_int_equal(throttle_wait(&a, "10.0.0.3", 300), 30);
	/* Failures are forgotten once none came for the longest wait. */
	throttle_fail(&a, "10.0.0.3", "vic", 300 + 900 + 900);
	assert_int_equal(throttle_wait(&a, "10.0.0.3", 300 + 900 + 900), 0);
	/* More addresses than slots: each still counted from its own failures. */
	for (i = 0; i < WEB_THROTTLED + 10; i++) {
		char addr[32];

		snprintf(addr, sizeof(addr), "10.1.0.%d", i);
		throttle_fail(&a, addr, "anna", 400);
	}
	assert_int_equal(throttle_wait(&a, "10.1.0.70", 400), 0);
}

static void
test_password(void **state)
{
	char h1[STORE_WEB_HASH_MAX], h2[STORE_WEB_HASH_MAX];

	assert_int_equal(web_password_hash("correct horse", h1, sizeof(h1)), 0);
	assert_int_equal(web_password_hash("correct horse", h2, sizeof(h2)), 0);
	assert_true(strncmp(h1, "$argon2id$", 10) == 0);
	assert_string_not_equal(h1, h2); /* salted */
	assert_true(web_password_check(h1, "correct horse"));
	assert_true(web_password_check(h2, "correct horse"));
	assert_false(web_password_check(h1, "correct horse "));
	assert_false(web_password_check(h1, ""));
	assert_false(web_password_check("not a hash", "correct horse"));
	assert_int_equal(web_password_hash("x", h1, 10), -1);
}

static void
test_web_address(void **state)
{
	struct sockaddr_in sa;

	assert_int_equal(config_web_address("127.0.0.1:8080", &sa), 0);
	assert_int_equal(ntohs(sa.sin_port), 8080);
	assert_true(config_web_loopback(&sa));
	assert_int_equal(config_web_address("localhost:1", &sa), 0);
	assert_true(config_web_loopback(&sa));
	assert_int_equal(config_web_address("127.8.0.3:443", &sa), 0);
	assert_true(config_web_loopback(&sa));
	assert_int_equal(config_web_address("0.0.0.0:8443", &sa), 0);
	assert_false(config_web_loopback(&sa));
	assert_int_equal(config_web_address("192.168.1.10:80", &sa), 0);
	assert_false(config_web_loopback(&sa));
	assert_int_equal(config_web_address("1.2.3.4", &sa), -1);
	assert_int_equal(config_web_address(":80", &sa), -1);
	assert_int_equal(config_web_address("1.2.3.4:", &sa), -1);
	assert_int_equal(config_web_address("1.2.3.4:0", &sa), -1);
	assert_int_equal(config_web_address("1.2.3.4:65536", &sa), -1);
	assert_int_equal(config_web_address("1.2.3.4:80x", &sa), -1);
	assert_int_equal(config_web_address("office:80", &sa), -1);
}

/* The console, running -------------------------------------------------------- */

/* A port nobody listens on now. */
static int
free_port(void)
{
	int port = webhttp_free_port();

	assert_true(port > 0);
	return port;
}

#define listening webhttp_listening

/* The running console, stopped by the teardown when a check failed. */
static pid_t web_pid;

static int
stop_web(void **state)
{
	int status;

	if (web_pid > 0) {
		kill(web_pid, SIGTERM);
		waitpid(web_pid, &status, 0);
		web_pid = 0;
	}
	return 0;
}

/* `tinbao CMD` (web, run) in a child, once it listens on port: its pid. */
static pid_t
start_web(const struct fixture *f, int port, const char *cmd)
{
	struct timespec tick = {0, 50 * 1000 * 1000};
	pid_t pid = fork();
	int i;

	assert_true(pid >= 0);
	if (pid == 0) {
		char logpath[300];

		/* Its log in the fixture's folder, for the tests that read it. */
		snprintf(logpath, sizeof(logpath), "%s/web.log", f->dir);
		if (getenv("TEST_VERBOSE") == NULL && (freopen("/dev/null", "w", stdout) == NULL ||
						       freopen(logpath, "w", stderr) == NULL))
			_exit(127);
		execl(f->tinbao, "tinbao", "-c", f->conf, cmd, (char *)NULL);
		_exit(127);
	}
	web_pid = pid;
	for (i = 0; i < 200 && !listening(port); i++)
		nanosleep(&tick, NULL);
	assert_true(listening(port));
	return pid;
}

/* Debian's python3-selenium goes with the system's python3. */
static const char *
python(void)
{
	return access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

static void
test_console(void **state)
{
	struct fixture f;
	char extra[512], cmd[1024], out[4096];
	int port = free_port(), status, rc;
	int64_t reports;
	pid_t pid;

	snprintf(extra, sizeof(extra),
		 "senders = { unknown = \"quarantine\"; };\n"
		 "limits = { per_sender_hour = 0; replies_per_day = 0; identical = 0; "
		 "daily_cap = 0; };\n"
		 "web = { listen = \"127.0.0.1:%d\"; };\n",
		 port);
	assert_int_equal(fixture_setup_with(&f, tinbao, "contrib/tinbao.conf", extra), 0);

	/* A user, and an SMS with a script in it, answered. */
	snprintf(cmd, sizeof(cmd), "%s/pw", f.dir);
	FILE *pw = fopen(cmd, "w");
	assert_non_null(pw);
	fputs("secret-pass\n", pw);
	fclose(pw);
	snprintf(cmd, sizeof(cmd), "web-user add anna admin < %s/pw", f.dir);
	assert_int_equal(fixture_output(&f, cmd, out, sizeof(out)), 0);
	assert_int_equal(
	    fixture_output(&f, "web-user add '<b>' admin < /dev/null", out, sizeof(out)), 2);
	snprintf(cmd, sizeof(cmd), "web-user add vic viewer < %s/pw", f.dir);
	assert_int_equal(fixture_output(&f, cmd, out, sizeof(out)), 0);
	assert_int_equal(fixture_output(&f, "web-user list", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "anna admin"));
	assert_non_null(strstr(out, "vic viewer"));
	/* A registered number's SMS with a script in it, answered; an
	 * unregistered one's report, held in quarantine. */
	assert_int_equal(
	    fixture_run(&f, NULL, 0, 60, NULL, "senders", "add", "0912000001", "district", NULL),
	    0);
	/* Two officers of two communes, for the sending to officers. */
	assert_int_equal(fixture_run(&f, NULL, 0, 60, NULL, "senders", "add", "0912000003",
				     "officer", "--commune", "06388", NULL),
			 0);
	assert_int_equal(fixture_run(&f, NULL, 0, 60, NULL, "senders", "add", "0912000004",
				     "officer", "--commune", "06391", NULL),
			 0);
	assert_int_equal(fixture_run(&f, NULL, 0, 60, NULL, "inject", "--from", "0912000001",
				     "<script>alert(1)</script>", NULL),
			 0);
	assert_int_equal(fixture_run(&f, NULL, 0, 60, NULL, "inject", "--from", "0912000002",
				     "--at", "1646100000", "ENROL xã Minh Sơn 7 hàn", NULL),
			 0);
	assert_int_equal(fixture_run(&f, NULL, 0, 60, NULL, "run", "--once", NULL), 0);
	assert_true(fixture_db_int(f.db, "SELECT count(*) FROM outbox", NULL) > 0);
	assert_int_equal(
	    fixture_db_int(f.db, "SELECT count(*) FROM inbox WHERE error = 'quarantined'", NULL),
	    1);
	assert_int_equal(fixture_db_int(f.db, "SELECT count(*) FROM reports", NULL), 0);
	/* A second unregistered number's report, for accept and register. */
	assert_int_equal(fixture_run(&f, NULL, 0, 60, NULL, "inject", "--from", "0912000005",
				     "--at", "1646100000", "ENROL xã Minh Sơn 3 hàn", NULL),
			 0);
	assert_int_equal(fixture_run(&f, NULL, 0, 60, NULL, "run", "--once", NULL), 0);
	assert_int_equal(
	    fixture_db_int(f.db, "SELECT count(*) FROM inbox WHERE error = 'quarantined'", NULL),
	    2);

	pid = start_web(&f, port, "web");

	snprintf(cmd, sizeof(cmd),
		 "timeout 120 %s tests/web_client.py http://127.0.0.1:%d anna "
		 "secret-pass %s",
		 python(), port, f.db);
	rc = system(cmd);
	assert_int_equal(WEXITSTATUS(rc), 0);
	/* The quarantined reports, accepted by the admin through the console,
	 * the second number registered first. */
	assert_int_equal(fixture_db_int(f.db, "SELECT count(*) FROM reports", NULL), 2);
	assert_int_equal(fixture_db_int(f.db, "SELECT count(*) FROM audit", NULL), 11);
	assert_int_equal(
	    fixture_db_int(f.db,
			   "SELECT count(*) FROM senders WHERE number = '+84912000005' "
			   "AND role = 'officer' AND commune_code = '06448' AND active = 1",
			   NULL),
	    1);
	/* The client's failed logins throttled this address: a console of
	 * its own for the browser. */
	kill(pid, SIGTERM);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	web_pid = 0;
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	/* Another unregistered number's report, for the browser to accept. */
	assert_int_equal(fixture_run(&f, NULL, 0, 60, NULL, "inject", "--from", "0912000006",
				     "--at", "1646100000", "ENROL xã Minh Sơn 3 hàn", NULL),
			 0);
	assert_int_equal(fixture_run(&f, NULL, 0, 60, NULL, "run", "--once", NULL), 0);
	reports = fixture_db_int(f.db, "SELECT count(*) FROM reports", NULL);

	pid = start_web(&f, port, "web");
	snprintf(cmd, sizeof(cmd),
		 "timeout 180 %s tests/web_browser.py http://127.0.0.1:%d anna "
		 "secret-pass %s",
		 python(), port, f.db);
	rc = WEXITSTATUS(system(cmd));
	stop_web(NULL);
	/* The browser accepted the second quarantined report. */
	if (rc == 0)
		assert_int_equal(fixture_db_int(f.db, "SELECT count(*) FROM reports", NULL),
				 reports + 1);
	fixture_teardown(&f);
	if (rc == 77)
		skip();
	assert_int_equal(rc, 0);
}

/* A web group: the gateway serves the console beside its loop, and stops
 * both on SIGTERM. */
static void
test_run_serves(void **state)
{
	struct fixture f;
	char extra[128];
	int port = free_port(), status;
	pid_t pid;

	snprintf(extra, sizeof(extra), "web = { listen = \"127.0.0.1:%d\"; };\n", port);
	assert_int_equal(fixture_setup_with(&f, tinbao, "contrib/tinbao.conf", extra), 0);
	pid = start_web(&f, port, "run");
	kill(pid, SIGTERM);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	web_pid = 0;
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_false(listening(port));
	fixture_teardown(&f);
}

/* Replaces the first from in file path with to (both short).  0 or -1. */
static int
replace_in(const char *path, const char *from, const char *to)
{
	char text[1 << 16], out[1 << 16];
	FILE *fp = fopen(path, "r");
	size_t n;
	char *at;

	if (fp == NULL)
		return -1;
	n = fread(text, 1, sizeof(text) - 1, fp);
	fclose(fp);
	text[n] = '\0';
	at = strstr(text, from);
	if (at == NULL || n - strlen(from) + strlen(to) >= sizeof(out))
		return -1;
	snprintf(out, sizeof(out), "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	fp = fopen(path, "w");
	if (fp == NULL)
		return -1;
	fputs(out, fp);
	return fclose(fp) == 0 ? 0 : -1;
}

/* Signals SIGHUP to pid and waits up to ticks 50 ms ticks until port is
 * listened on (up) or not (!up): 1 when it came to that. */
static int
hup_until(pid_t pid, int port, int up, int ticks)
{
	struct timespec tick = {0, 50 * 1000 * 1000};
	int i;

	kill(pid, SIGHUP);
	for (i = 0; i < ticks && listening(port) != up; i++)
		nanosleep(&tick, NULL);
	return listening(port) == up;
}

/* SIGHUP rereads the console's configuration, in `tinbao web` and in
 * `tinbao run`: a new address is served and the old one no longer, the
 * logged-in stay logged in; a file with errors changes nothing; run stops
 * the console when its web group goes, and starts it when it comes back. */
static void
test_reload(void **state)
{
	static const char *const cmds[] = {"web", "run"};
	static char page[1 << 16];
	struct fixture f;
	char extra[128], listen_a[64], listen_b[64], cmd[512], sid[128];
	int a, b, status;
	size_t c;
	pid_t pid;

	for (c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
		a = free_port();
		b = free_port();
		snprintf(listen_a, sizeof(listen_a), "web = { listen = \"127.0.0.1:%d\"; };", a);
		snprintf(listen_b, sizeof(listen_b), "web = { listen = \"127.0.0.1:%d\"; };", b);
		snprintf(extra, sizeof(extra), "%s\n", listen_a);
		assert_int_equal(fixture_setup_with(&f, tinbao, "contrib/tinbao.conf", extra), 0);
		snprintf(cmd, sizeof(cmd), "echo secret-pass | %s -c %s web-user add anna admin",
			 f.tinbao, f.conf);
		assert_int_equal(system(cmd), 0);
		pid = start_web(&f, a, cmds[c]);
		assert_int_equal(webhttp_log_in(a, "anna", "secret-pass", sid, sizeof(sid)), 0);
		assert_int_equal(webhttp_request(a, "GET", "/", sid, NULL, page, sizeof(page)),
				 200);

		assert_int_equal(replace_in(f.conf, listen_a, listen_b), 0);
		assert_true(hup_until(pid, b, 1, 200));
		assert_false(listening(a));
		assert_int_equal(webhttp_request(b, "GET", "/", sid, NULL, page, sizeof(page)),
				 200);

		/* Errors: the running configuration stays. */
		assert_int_equal(replace_in(f.conf, listen_b, "web = { listen = 5; };"), 0);
		assert_false(hup_until(pid, b, 0, 40));
		assert_int_equal(webhttp_request(b, "GET", "/", sid, NULL, page, sizeof(page)),
				 200);

		if (strcmp(cmds[c], "run") == 0) {
			assert_int_equal(replace_in(f.conf, "web = { listen = 5; };", "# no web"),
					 0);
			assert_true(hup_until(pid, b, 0, 200));
			assert_int_equal(replace_in(f.conf, "# no web", listen_a), 0);
			assert_true(hup_until(pid, a, 1, 200));
			/* A console started anew: its logins start anew too. */
			assert_int_equal(
			    webhttp_request(a, "GET", "/", sid, NULL, page, sizeof(page)), 303);
		}
		kill(pid, SIGTERM);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		web_pid = 0;
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		fixture_teardown(&f);
	}
}

/* A self-signed certificate for 127.0.0.1 into dir/NAME.crt and its key
 * into dir/NAME.key.  0, or -1 when openssl could not make one. */
static int
make_cert(const char *dir, const char *name)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		 "-days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
		 "-keyout %s/%s.key -out %s/%s.crt >/dev/null 2>&1",
		 dir, name, dir, name);
	return system(cmd) == 0 ? 0 : -1;
}

/* 1 when the console on port answers over TLS with the certificate
 * dir/NAME.crt (tests/web_tls.py). */
static int
serves_with(int port, const char *dir, const char *name)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "timeout 30 %s tests/web_tls.py %d %s/%s.crt 2>/dev/null",
		 python(), port, dir, name);
	return system(cmd) == 0;
}

/* With tls_cert and tls_key the console speaks HTTPS only, its cookie
 * Secure; a renewed certificate is served after a SIGHUP. */
static void
test_console_tls(void **state)
{
	struct timespec tick = {0, 100 * 1000 * 1000};
	struct fixture f;
	char extra[512], old[256], new[256];
	int port = free_port(), i;
	pid_t pid;

	if (access("/usr/bin/openssl", X_OK) != 0)
		skip();
	/* Relative to the configuration's folder, where they are made. */
	snprintf(old, sizeof(old), "tls_cert = \"one.crt\"; tls_key = \"one.key\";");
	snprintf(new, sizeof(new), "tls_cert = \"two.crt\"; tls_key = \"two.key\";");
	snprintf(extra, sizeof(extra), "web = { listen = \"127.0.0.1:%d\"; %s };\n", port, old);
	assert_int_equal(fixture_setup_with(&f, tinbao, "contrib/tinbao.conf", extra), 0);
	assert_int_equal(make_cert(f.dir, "one"), 0);
	assert_int_equal(make_cert(f.dir, "two"), 0);
	pid = start_web(&f, port, "web");
	assert_true(serves_with(port, f.dir, "one"));
	assert_false(serves_with(port, f.dir, "two"));
	/* Plain HTTP gets no page. */
	assert_int_equal(webhttp_request(port, "GET", "/login", NULL, NULL, extra, sizeof(extra)),
			 -1);

	assert_int_equal(replace_in(f.conf, old, new), 0);
	kill(pid, SIGHUP);
	for (i = 0; i < 50 && !serves_with(port, f.dir, "two"); i++)
		nanosleep(&tick, NULL);
	assert_true(serves_with(port, f.dir, "two"));
	stop_web(NULL);
	fixture_teardown(&f);
}

/* A flood of malformed requests: the HTTP library's warnings are logged at
 * most 10 a minute, then how many were left out. */
static void
test_log_flood(void **state)
{
	static const char bad[] = "GET / HTTP/9.9\r\n\r\n";
	char extra[128], path[300], text[16384], buf[256];
	struct fixture f;
	int port = free_port(), i, fd, status, lines = 0;
	const char *p;
	FILE *fp;
	size_t n;
	pid_t pid;

	snprintf(extra, sizeof(extra), "web = { listen = \"127.0.0.1:%d\"; };\n", port);
	assert_int_equal(fixture_setup_with(&f, tinbao, "contrib/tinbao.conf", extra), 0);
	pid = start_web(&f, port, "web");
	for (i = 0; i < 30; i++) {
		fd = webhttp_connect(port);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, bad, sizeof(bad) - 1), (ssize_t)(sizeof(bad) - 1));
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
	kill(pid, SIGTERM);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	web_pid = 0;
	snprintf(path, sizeof(path), "%s/web.log", f.dir);
	fp = fopen(path, "r");
	assert_non_null(fp);
	n = fread(text, 1, sizeof(text) - 1, fp);
	fclose(fp);
	text[n] = '\0';
	for (p = text; (p = strstr(p, "web: Error processing request")) != NULL; p++)
		lines++;
	/* Ten, or twenty when the minute turned during the flood. */
	assert_true(lines >= 1 && lines <= 20);
	assert_non_null(strstr(text, "left out"));
	fixture_teardown(&f);
}

/* Beyond this PC without TLS: the configuration is refused. */
static void
test_console_needs_tls(void **state)
{
	struct fixture f;
	char out[4096];

	assert_int_equal(fixture_setup_with(&f, tinbao, "contrib/tinbao.conf",
					    "web = { listen = \"0.0.0.0:8443\"; };\n"),
			 0);
	assert_int_not_equal(fixture_output(&f, "check-config", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "tls_cert"));
	assert_int_not_equal(fixture_output(&f, "web", out, sizeof(out)), 0);
	fixture_teardown(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape),
	    cmocka_unit_test(test_url_decode),
	    cmocka_unit_test(test_form_value),
	    cmocka_unit_test(test_cookie_value),
	    cmocka_unit_test(test_loopback_host),
	    cmocka_unit_test(test_multipart),
	    cmocka_unit_test(test_multipart_hostile),
	    cmocka_unit_test(test_sessions),
	    cmocka_unit_test(test_login_token),
	    cmocka_unit_test(test_throttle),
	    cmocka_unit_test(test_password),
	    cmocka_unit_test(test_web_address),
	    cmocka_unit_test(test_console_needs_tls),
	    cmocka_unit_test_teardown(test_run_serves, stop_web),
	    cmocka_unit_test_teardown(test_reload, stop_web),
	    cmocka_unit_test_teardown(test_console_tls, stop_web),
	    cmocka_unit_test_teardown(test_log_flood, stop_web),
	    cmocka_unit_test_teardown(test_console, stop_web),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
