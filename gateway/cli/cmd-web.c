/*
 * cmd-web.c - tinbao web: the web console alone (web.h), until SIGTERM or
 * SIGINT, its configuration reread on SIGHUP; tinbao web-user: its users (add, list, remove).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "secure.h"
#include "store.h"
#include "web.h"

#define PASSWORD_MIN 8
#define PASSWORD_MAX 128

int
cli_web(const char *conf, int argc, char **argv)
{
	struct config *cfg, *ncfg;
	struct web *w;
	sigset_t set;
	int sig = 0;

	if (argc != 1)
		return cli_usage("web");
	cfg = cli_config_private(conf);
	if (cfg == NULL)
		return 1;
	/* Started by root, it serves as the gateway's user (cfg->user). */
	if (secure_drop(cfg) == -1) {
		config_free(cfg);
		return 1;
	}
	/* Blocked before the console's thread starts: it inherits the mask,
	 * and the signals wait here for sigwait(). */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	w = web_start(cfg);
	if (w == NULL) {
		config_free(cfg);
		return 1;
	}
	while (sig != SIGINT && sig != SIGTERM) {
		if (sigwait(&set, &sig) != 0)
			break;
		if (sig == SIGHUP) {
			/* As run rereads it: a file with errors changes nothing. */
			ncfg = cli_config_private(conf);
			if (ncfg == NULL) {
				log_warnx("reload: keeping the running configuration");
				continue;
			}
			web_reload(w, ncfg);
			config_free(cfg);
			cfg = ncfg;
		}
	}
	log_info("web: stopping");
	web_stop(w);
	config_free(cfg);
	return 0;
}

/* One line of standard input without its end, without echo on a terminal.
 * 0, or -1 at the end of input or when it is too long. */
static int
read_line(const char *prompt, char *buf, size_t size)
{
	struct termios old, quiet;
	int tty = isatty(STDIN_FILENO), rc = 0;
	size_t n;

	if (tty) {
		fputs(prompt, stderr);
		tcgetattr(STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	if (fgets(buf, (int)size, stdin) == NULL)
		rc = -1;
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (rc == -1)
		return -1;
	n = strcspn(buf, "\r\n");
	if (buf[n] == '\0' && n + 1 >= size)
		return -1;
	buf[n] = '\0';
	return 0;
}

static int
read_password(char *pw, size_t size)
{
	char again[PASSWORD_MAX + 2];
	int rc = 0;

	if (read_line("Password: ", pw, size) == -1) {
		fprintf(stderr, "tinbao: web-user: no password given (at most %d bytes)\n",
			PASSWORD_MAX);
		return -1;
	}
	if (strlen(pw) < PASSWORD_MIN) {
		fprintf(stderr, "tinbao: web-user: the password needs at least %d characters\n",
			PASSWORD_MIN);
		return -1;
	}
	if (isatty(STDIN_FILENO)) {
		if (read_line("Again: ", again, sizeof(again)) == -1 || strcmp(again, pw) != 0) {
			fprintf(stderr, "tinbao: web-user: the passwords differ\n");
			rc = -1;
		}
		explicit_bzero(again, sizeof(again));
	}
	return rc;
}

/* Letters, digits and . _ - @, 1 to 63 of them. */
static int
valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= STORE_WEB_NAME_MAX)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@") == n;
}

static int
user_add(struct store *st, const char *name, const char *role)
{
	char pw[PASSWORD_MAX + 2], hash[STORE_WEB_HASH_MAX];
	int rc = -1;

	if (!valid_name(name)) {
		fprintf(stderr,
			"tinbao: web-user: \"%s\": a name is 1 to %d letters, digits, "
			"'.', '_', '-' or '@'\n",
			name, STORE_WEB_NAME_MAX - 1);
		return 2;
	}
	if (strcmp(role, WEB_ROLE_VIEWER) != 0 && strcmp(role, WEB_ROLE_ADMIN) != 0) {
		fprintf(stderr, "tinbao: web-user: the role is viewer or admin, not \"%s\"\n",
			role);
		return 2;
	}
	if (read_password(pw, sizeof(pw)) == 0 && web_password_hash(pw, hash, sizeof(hash)) == 0)
		rc = store_web_user_put(st, name, role, hash, clock_now());
	explicit_bzero(pw, sizeof(pw));
	if (rc == 0)
		printf("web user %s (%s) saved\n", name, role);
	return rc == 0 ? 0 : 1;
}

static int
print_user(void *arg, const struct store_web_user *u)
{
	char day[16];

	clock_date(u->created, day, sizeof(day));
	printf("%s %s %s\n", u->name, u->role, day);
	return 0;
}

int
cli_web_user(const char *conf, int argc, char **argv)
{
	struct config *cfg;
	struct store *st;
	int rc, n;

	if (!(argc == 2 && strcmp(argv[1], "list") == 0) &&
	    !(argc == 3 && strcmp(argv[1], "remove") == 0) &&
	    !(argc == 4 && strcmp(argv[1], "add") == 0))
		return cli_usage(
		    "web-user add NAME viewer|admin\nweb-user list\nweb-user remove NAME");
	cli_quiet();
	if (cli_open(conf, 0, &cfg, &st) == -1)
		return 1;
	if (strcmp(argv[1], "add") == 0) {
		rc = user_add(st, argv[2], argv[3]);
	} else if (strcmp(argv[1], "list") == 0) {
		rc = store_web_users_foreach(st, print_user, NULL) == 0 ? 0 : 1;
	} else {
		n = store_web_user_remove(st, argv[2]);
		if (n == 0)
			fprintf(stderr, "tinbao: web-user: no user %s\n", argv[2]);
		else if (n == 1)
			printf("web user %s removed\n", argv[2]);
		rc = n == 1 ? 0 : 1;
	}
	store_close(st);
	config_free(cfg);
	return rc;
}
