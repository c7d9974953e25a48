/*
 * auth.c - who is at the other end: passwords (Argon2id, libargon2),
 * sessions with their CSRF tokens, and the throttle of failed logins.
 *
 * Sessions live in memory only: a restart of the console logs everyone
 * out, which is what an office PC wants.  Ids and tokens are 32 bytes from
 * getrandom(), compared in constant time.
 */
#include <argon2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "log.h"
#include "web_impl.h"

/*
 * The cost of a hash: 19 MiB and two passes (OWASP's first Argon2id
 * setting), about a tenth of a second on an office PC: a guess costs an
 * attacker who took the database as much, a login is not slowed.
 */
#define HASH_T_COST 2
#define HASH_M_COST (19 * 1024)
#define HASH_LANES 1
#define HASH_LEN 32
#define SALT_LEN 16

/* Failed logins from one address before it must wait, and how long. */
#define FREE_FAILURES 5
#define FIRST_WAIT 30
#define LONGEST_WAIT 900

static int
random_bytes(unsigned char *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = getrandom(buf + got, n - got, 0);
		if (r < 0) {
			log_warn("web: getrandom");
			return -1;
		}
		got += (size_t)r;
	}
	return 0;
}

static void
hex(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

int
random_hex(char *out, size_t n)
{
	unsigned char buf[64];

	if (n > sizeof(buf) || random_bytes(buf, n) == -1)
		return -1;
	hex(buf, n, out);
	return 0;
}

int
web_password_hash(const char *password, char *encoded, size_t size)
{
	unsigned char salt[SALT_LEN];
	int rc;

	if (random_bytes(salt, sizeof(salt)) == -1)
		return -1;
	rc = argon2id_hash_encoded(HASH_T_COST, HASH_M_COST, HASH_LANES, password, strlen(password),
				   salt, sizeof(salt), HASH_LEN, encoded, size);
	if (rc != ARGON2_OK) {
		log_warnx("web: cannot hash the password: %s", argon2_error_message(rc));
		return -1;
	}
	return 0;
}

int
web_password_check(const char *encoded, const char *password)
{
	return argon2id_verify(encoded, password, strlen(password)) == ARGON2_OK;
}

/* Equal strings of the same length, in time that does not depend on where
 * they differ. */
int
token_same(const char *a, const char *b)
{
	size_t i, n = strlen(a);
	unsigned char d = 0;

	if (n != strlen(b) || n == 0)
		return 0;
	for (i = 0; i < n; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

/* The keyed hash of a login token's first half (made, random) into mac. */
static int
login_mac(const struct web_auth *a, const char *half, unsigned char mac[16])
{
	static const char salt[] = "tinbao-login-form";
	argon2_context ctx = {0};

	ctx.out = mac;
	ctx.outlen = 16;
	ctx.pwd = (uint8_t *)(uintptr_t)half;
	ctx.pwdlen = WEB_TOKEN_HEX / 2;
	ctx.salt = (uint8_t *)(uintptr_t)salt;
	ctx.saltlen = sizeof(salt) - 1;
	ctx.secret = (uint8_t *)(uintptr_t)a->login_key;
	ctx.secretlen = sizeof(a->login_key);
	ctx.t_cost = 1;
	ctx.m_cost = 8; /* KiB, the least: a MAC, not a password's hash */
	ctx.lanes = 1;
	ctx.threads = 1;
	ctx.version = ARGON2_VERSION_NUMBER;
	return argon2_ctx(&ctx, Argon2_id) == ARGON2_OK ? 0 : -1;
}

int
login_token_new(struct web_auth *a, int64_t now, char *out)
{
	unsigned char mac[16];

	if (!a->login_keyed) {
		if (random_bytes(a->login_key, sizeof(a->login_key)) == -1)
			return -1;
		a->login_keyed = 1;
	}
	/* 16 digits of when, 16 random, 32 of the keyed hash of those. */
	snprintf(out, 17, "%016llx", (unsigned long long)now);
	if (random_hex(out + 16, 8) == -1 || login_mac(a, out, mac) == -1)
		return -1;
	hex(mac, sizeof(mac), out + WEB_TOKEN_HEX / 2);
	return 0;
}

int
login_token_ok(const struct web_auth *a, const char *token, int64_t now)
{
	unsigned char mac[16];
	char half[WEB_TOKEN_HEX / 2 + 1], want[WEB_TOKEN_HEX / 2 + 1];
	unsigned long long made;

	if (!a->login_keyed || token == NULL || strlen(token) != WEB_TOKEN_HEX ||
	    strspn(token, "0123456789abcdef") != WEB_TOKEN_HEX)
		return 0;
	memcpy(half, token, WEB_TOKEN_HEX / 2);
	half[WEB_TOKEN_HEX / 2] = '\0';
	if (sscanf(half, "%16llx", &made) != 1 || (int64_t)made > now ||
	    now - (int64_t)made > LOGIN_TOKEN_AGE || login_mac(a, half, mac) == -1)
		return 0;
	hex(mac, sizeof(mac), want);
	return token_same(want, token + WEB_TOKEN_HEX / 2);
}

/* A free or expired slot, else the least recently used session. */
static struct web_session *
slot(struct web_auth *a, int64_t now)
{
	struct web_session *s, *any = NULL;
	size_t i;

	for (i = 0; i < WEB_SESSIONS; i++) {
		s = &a->sessions[i];
		if (s->id[0] == '\0' || now - s->last >= a->idle)
			return s;
		if (any == NULL || s->last < any->last)
			any = s;
	}
	return any;
}

struct web_session *
session_new(struct web_auth *a, const char *user, const char *role, const char *hash, int64_t now)
{
	struct web_session *s = slot(a, now);

	session_end(s);
	if (random_hex(s->id, WEB_TOKEN_HEX / 2) == -1 ||
	    random_hex(s->csrf, WEB_TOKEN_HEX / 2) == -1) {
		session_end(s);
		return NULL;
	}
	snprintf(s->user, sizeof(s->user), "%s", user);
	snprintf(s->role, sizeof(s->role), "%s", role);
	snprintf(s->hash, sizeof(s->hash), "%s", hash);
	s->last = now;
	return s;
}

struct web_session *
session_find(struct web_auth *a, const char *id, int64_t now)
{
	struct web_session *s;
	size_t i;
	struct web_session *found = NULL;

	if (id == NULL || strlen(id) != WEB_TOKEN_HEX)
		return NULL;
	/* Every session unused too long ends here, the upload it held freed,
	 * not only when its slot is wanted again. */
	for (i = 0; i < WEB_SESSIONS; i++) {
		s = &a->sessions[i];
		if (s->id[0] == '\0')
			continue;
		if (now - s->last >= a->idle) {
			session_end(s);
			continue;
		}
		if (found == NULL && token_same(s->id, id))
			found = s;
	}
	if (found != NULL && now < found->last) {
		session_end(found); /* the clock went back: no telling how old */
		found = NULL;
	}
	if (found != NULL)
		found->last = now;
	return found;
}

void
session_end(struct web_session *s)
{
	session_drop_upload(s);
	explicit_bzero(s, sizeof(*s));
}

int
session_keep_upload(struct web_session *s, const char *data, size_t len, const char *name)
{
	session_drop_upload(s);
	s->upload = malloc(len > 0 ? len : 1);
	if (s->upload == NULL)
		return -1;
	memcpy(s->upload, data, len);
	s->upload_len = len;
	snprintf(s->upload_name, sizeof(s->upload_name), "%s", name);
	return 0;
}

void
session_drop_upload(struct web_session *s)
{
	free(s->upload);
	s->upload = NULL;
	s->upload_len = 0;
	s->upload_name[0] = '\0';
}

int
session_csrf_ok(const struct web_session *s, const char *token)
{
	return s != NULL && token != NULL && token_same(s->csrf, token);
}

static struct web_throttle *
throttle_slot(const struct web_auth *a, const char *addr)
{
	size_t i;

	for (i = 0; i < WEB_THROTTLED; i++) {
		if (strcmp(a->throttle[i].addr, addr) == 0)
			return (struct web_throttle *)&a->throttle[i];
	}
	return NULL;
}

int64_t
throttle_wait(const struct web_auth *a, const char *addr, int64_t now)
{
	const struct web_throttle *t = throttle_slot(a, addr);

	return t != NULL && t->until > now ? t->until - now : 0;
}

void
throttle_fail(struct web_auth *a, const char *addr, const char *user, int64_t now)
{
	struct web_throttle *t = throttle_slot(a, addr);
	int64_t wait;
	size_t i;

	if (t == NULL) {
		/* A free slot, or the one whose wait ended longest ago. */
		t = &a->throttle[0];
		for (i = 0; i < WEB_THROTTLED; i++) {
			if (a->throttle[i].addr[0] == '\0') {
				t = &a->throttle[i];
				break;
			}
			if (a->throttle[i].until < t->until)
				t = &a->throttle[i];
		}
		memset(t, 0, sizeof(*t));
		strncpy(t->addr, addr, sizeof(t->addr) - 1);
	}
	if (t->failures > 0 && now - t->last >= LONGEST_WAIT) {
		t->failures = 0;
		t->user[0] = '\0';
		t->several = 0;
	}
	if (t->failures == 0)
		snprintf(t->user, sizeof(t->user), "%s", user);
	else if (strcmp(t->user, user) != 0)
		t->several = 1;
	t->failures++;
	t->last = now;
	if (t->failures < FREE_FAILURES)
		return;
	wait = FIRST_WAIT;
	for (i = FREE_FAILURES; i < (size_t)t->failures && wait < LONGEST_WAIT; i++)
		wait *= 2;
	t->until = now + (wait < LONGEST_WAIT ? wait : LONGEST_WAIT);
}

void
throttle_clear(struct web_auth *a, const char *addr, const char *user)
{
	struct web_throttle *t = throttle_slot(a, addr);

	if (t != NULL && !t->several && strcmp(t->user, user) == 0)
		memset(t, 0, sizeof(*t));
}
