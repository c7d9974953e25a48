/*
 * modemcheck.c - see modemcheck.h.
 */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gammu.h>

#include "config.h"
#include "modemcheck.h"

#define MAX_GROUPS 64

/* The connection types of libgammu 1.42 on Linux (gammurc(5)); "at" may
 * carry a serial speed, any of them the suffixes -nodtr and -nopower. */
static const char *const connections[] = {
    "at",	    "mbus",	  "fbus",	  "fbususb",	 "fbuspl2303",
    "dlr3",	    "fbusdlr3",	  "dku5",	  "fbusdku5",	 "dku5fbus",
    "ark3116fbus",  "dku2",	  "dku2phonet",	  "dku2at",	 "fbusblue",
    "phonetblue",   "blueobex",	  "bluephonet",	  "blueat",	 "bluerfobex",
    "bluefbus",	    "bluerffbus", "bluerfphonet", "bluerfat",	 "bluerfgnapbus",
    "blues60",	    "bluerfs60",  "proxyobex",	  "proxyphonet", "proxyat",
    "proxygnapbus", "proxyfbus",  "proxys60",	  "infrared",	 "fbusirda",
    "irda",	    "irdaphonet", "irdaat",	  "irdaobex",	 "irdagnapbus",
    "none",
};

static const long speeds[] = {50,      75,	110,	 134,	  150,	   200,	   300,	    600,
			      1200,    1800,	2400,	 4800,	  9600,	   19200,  38400,   57600,
			      115200,  230400,	460800,	 500000,  576000,  921600, 1000000, 1152000,
			      1500000, 2000000, 2500000, 3000000, 3500000, 4000000};

int
modemcheck_connection(const char *conn)
{
	char c[64], *p, *end;
	size_t i;
	long speed;

	if (strlen(conn) >= sizeof(c))
		return 0;
	for (i = 0; conn[i] != '\0'; i++)
		c[i] = (char)tolower((unsigned char)conn[i]);
	c[i] = '\0';
	/* -nodtr and -nopower, in either order. */
	for (i = 0; i < 2; i++) {
		p = strrchr(c, '-');
		if (p != NULL && (strcmp(p, "-nodtr") == 0 || strcmp(p, "-nopower") == 0))
			*p = '\0';
	}
	for (i = 0; i < sizeof(connections) / sizeof(connections[0]); i++) {
		if (strcmp(c, connections[i]) == 0)
			return 1;
	}
	if (strncmp(c, "at", 2) != 0 || !isdigit((unsigned char)c[2]))
		return 0;
	errno = 0;
	speed = strtol(c + 2, &end, 10);
	if (errno != 0 || *end != '\0')
		return 0;
	for (i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++) {
		if (speeds[i] == speed)
			return 1;
	}
	return 0;
}

/* Where "[name]" and, below it, "key =" stand in the file (1-based; 0 when
 * not found).  libgammu's parser gives no line numbers: this only finds
 * them again, case-insensitively as libgammu reads keys. */
static void
lines_of(const char *path, const char *section, const char *key, int *sline, int *kline)
{
	char buf[512], want[48];
	const char *p;
	size_t klen = key != NULL ? strlen(key) : 0;
	int n = 0, in = 0;
	FILE *f;

	*sline = 0;
	*kline = 0;
	snprintf(want, sizeof(want), "[%s]", section);
	f = fopen(path, "r");
	if (f == NULL)
		return;
	while (fgets(buf, sizeof(buf), f) != NULL) {
		n++;
		p = buf + strspn(buf, " \t");
		if (*p == '[') {
			in = strncasecmp(p, want, strlen(want)) == 0;
			if (in && *sline == 0)
				*sline = n;
			continue;
		}
		if (in && klen > 0 && strncasecmp(p, key, klen) == 0 &&
		    strchr(" \t=", p[klen]) != NULL && *kline == 0)
			*kline = n;
	}
	fclose(f);
}

static void diag(FILE *out, const char *path, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
diag(FILE *out, const char *path, int line, const char *fmt, ...)
{
	va_list ap;

	if (line > 0)
		fprintf(out, "%s:%d: error: ", path, line);
	else
		fprintf(out, "%s: error: ", path);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
}

/* Whether uid (with its groups) may read and write a file of that mode and
 * owner.  Root may. */
static int
may_open(const struct stat *sb, uid_t uid, const gid_t *groups, int ngroups)
{
	int i;

	if (uid == 0)
		return 1;
	if (sb->st_uid == uid)
		return (sb->st_mode & (S_IRUSR | S_IWUSR)) == (S_IRUSR | S_IWUSR);
	for (i = 0; i < ngroups; i++) {
		if (groups[i] == sb->st_gid)
			return (sb->st_mode & (S_IRGRP | S_IWGRP)) == (S_IRGRP | S_IWGRP);
	}
	return (sb->st_mode & (S_IROTH | S_IWOTH)) == (S_IROTH | S_IWOTH);
}

/* Who opens the device: the user named, or the one running.  0, or -1 when
 * the named user does not exist (config's own check says so). */
static int
opener(const char *user, uid_t *uid, char *name, size_t namesz, gid_t *groups, int *ngroups)
{
	struct passwd *pw;

	pw = user != NULL ? getpwnam(user) : getpwuid(geteuid());
	if (pw == NULL)
		return -1;
	*uid = pw->pw_uid;
	snprintf(name, namesz, "%s", pw->pw_name);
	*ngroups = MAX_GROUPS;
	if (getgrouplist(pw->pw_name, pw->pw_gid, groups, ngroups) == -1)
		*ngroups = 0;
	return 0;
}

/* The device of one section: there, of the right kind, and openable. */
static int
check_device(FILE *out, const char *path, int line, const char *device, int dummy, const char *user)
{
	char name[64], grname[64];
	gid_t groups[MAX_GROUPS];
	int ngroups = 0;
	struct stat sb;
	struct group *gr;
	uid_t uid;

	if (stat(device, &sb) == -1) {
		diag(out, path, line, "device %s: %s%s", device, strerror(errno),
		     dummy ? "" : " (is the modem plugged in? ls -l /dev/serial/by-id/)");
		return 1;
	}
	if (dummy && !S_ISDIR(sb.st_mode)) {
		diag(out, path, line, "device %s: the dummy phone's device must be a folder",
		     device);
		return 1;
	}
	if (!dummy && !S_ISCHR(sb.st_mode)) {
		diag(out, path, line, "device %s: not a serial device (a character device)",
		     device);
		return 1;
	}
	if (opener(user, &uid, name, sizeof(name), groups, &ngroups) == -1)
		return 0;
	if (may_open(&sb, uid, groups, ngroups))
		return 0;
	gr = getgrgid(sb.st_gid);
	snprintf(grname, sizeof(grname), "%s", gr != NULL ? gr->gr_name : "?");
	diag(out, path, line,
	     "device %s (group %s, mode %03o) cannot be opened by the user %s: add it to "
	     "that group (usermod -aG %s %s)",
	     device, grname, (unsigned)(sb.st_mode & 0777), name, grname, name);
	return 1;
}

/* One modem's section.  Returns the number of errors. */
static int
check_section(FILE *out, const char *path, int section, const char *user)
{
	INI_Section *ini = NULL;
	char name[32];
	const char *conn, *device, *model;
	int sline, kline, errors = 0;
	struct stat sb;

	if (stat(path, &sb) == -1)
		return 0; /* the configuration warns of a missing gammurc */
	if (S_ISDIR(sb.st_mode)) {
		diag(out, path, 0, "is a directory, not a gammurc file");
		return 1;
	}
	if (GSM_FindGammuRC(&ini, path) != ERR_NONE || ini == NULL) {
		diag(out, path, 0, "cannot be read as a gammurc (INI) file");
		return 1;
	}
	if (section == 0)
		snprintf(name, sizeof(name), "gammu");
	else
		snprintf(name, sizeof(name), "gammu%d", section);
	if (INI_FindLastSectionEntry(ini, (const unsigned char *)name, FALSE) == NULL) {
		lines_of(path, name, NULL, &sline, &kline);
		if (sline == 0) {
			diag(out, path, 0, "no section [%s] (the modem's settings go under it)",
			     name);
			INI_Free(ini);
			return 1;
		}
	}
	conn = (const char *)INI_GetValue(ini, (const unsigned char *)name,
					  (const unsigned char *)"connection", FALSE);
	model = (const char *)INI_GetValue(ini, (const unsigned char *)name,
					   (const unsigned char *)"model", FALSE);
	device = (const char *)INI_GetValue(ini, (const unsigned char *)name,
					    (const unsigned char *)"device", FALSE);
	if (device == NULL) /* the older name */
		device = (const char *)INI_GetValue(ini, (const unsigned char *)name,
						    (const unsigned char *)"port", FALSE);
	if (conn != NULL && !modemcheck_connection(conn)) {
		lines_of(path, name, "connection", &sline, &kline);
		diag(out, path, kline,
		     "[%s] unknown connection \"%s\" (a USB modem: connection = at)", name, conn);
		errors++;
	}
	if (device == NULL || device[0] == '\0') {
		lines_of(path, name, NULL, &sline, &kline);
		diag(out, path, sline, "[%s] has no device (e.g. device = /dev/ttyUSB0)", name);
		errors++;
	} else {
		lines_of(path, name, "device", &sline, &kline);
		if (kline == 0)
			lines_of(path, name, "port", &sline, &kline);
		errors += check_device(out, path, kline, device,
				       (model != NULL && strcasecmp(model, "dummy") == 0) ||
					   (conn != NULL && strcasecmp(conn, "none") == 0),
				       user);
	}
	INI_Free(ini);
	return errors;
}

int
modemcheck_rc(const struct config *cfg, const char *user, FILE *out)
{
	size_t i, j;
	int errors = 0, seen;

	for (i = 0; i < cfg->nmodems; i++) {
		/* Two modems in one file: each section once. */
		seen = 0;
		for (j = 0; j < i; j++) {
			if (strcmp(cfg->modems[j].gammurc, cfg->modems[i].gammurc) == 0 &&
			    cfg->modems[j].section == cfg->modems[i].section)
				seen = 1;
		}
		if (!seen)
			errors += check_section(out, cfg->modems[i].gammurc, cfg->modems[i].section,
						user);
	}
	return errors;
}
