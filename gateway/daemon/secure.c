/*
 * secure.c - private files and the drop from root (secure.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "secure.h"

int
secure_private_file(const char *path, const char *what)
{
	struct stat sb;

	if (path == NULL || stat(path, &sb) == -1 || !S_ISREG(sb.st_mode))
		return 0;
	if ((sb.st_mode & 077) == 0)
		return 0;
	log_warnx("%s %s can be read or written by others (mode %03o); "
		  "run: chmod 600 %s",
		  what, path, (unsigned int)(sb.st_mode & 0777), path);
	return -1;
}

int
secure_config_files(const struct config *cfg)
{
	const char *what;
	size_t i, k;
	int r = 0;

	for (i = 0; i < cfg->nfiles; i++) {
		if (strcmp(cfg->files[i], cfg->path) == 0)
			continue;
		what = "configuration";
		if (cfg->push.token_file != NULL &&
		    strcmp(cfg->files[i], cfg->push.token_file) == 0)
			what = "token_file";
		for (k = 0; k < cfg->nmodems; k++) {
			if (cfg->modems[k].gammurc != NULL &&
			    strcmp(cfg->files[i], cfg->modems[k].gammurc) == 0)
				what = "gammurc";
		}
		if (secure_private_file(cfg->files[i], what) == -1)
			r = -1;
	}
	return r;
}

static int
allow_root(void)
{
	const char *v = getenv("TINBAO_ALLOW_ROOT");

	return v != NULL && strcmp(v, "1") == 0;
}

int
secure_drop(const struct config *cfg)
{
	const char *user = cfg->user;
	struct passwd *pw;
	uid_t uid;
	gid_t gid;

	if (geteuid() != 0) {
		if (user != NULL)
			log_debug("tinbao: not started as root: user \"%s\" ignored", user);
		return 0;
	}
	if (user == NULL) {
		if (allow_root()) {
			log_warnx("tinbao: running as root (TINBAO_ALLOW_ROOT=1)");
			return 0;
		}
		log_warnx("tinbao: started as root without a user to become: refused; "
			  "set user = \"tinbao\"; in %s (or user = \"root\"; to stay root)",
			  cfg->path);
		return -1;
	}
	if (strcmp(user, "root") == 0) {
		log_warnx("tinbao: running as root (user = \"root\" in %s)", cfg->path);
		return 0;
	}
	errno = 0;
	pw = getpwnam(user);
	if (pw == NULL) {
		if (errno != 0)
			log_warn("tinbao: user \"%s\"", user);
		else
			log_warnx("tinbao: user \"%s\" does not exist: refused", user);
		return -1;
	}
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (uid == 0) {
		log_warnx("tinbao: user \"%s\" is root: write user = \"root\"; to mean it", user);
		return -1;
	}
	if (initgroups(user, gid) == -1) {
		log_warn("tinbao: initgroups %s", user);
		return -1;
	}
	if (setgid(gid) == -1) {
		log_warn("tinbao: setgid %lu", (unsigned long)gid);
		return -1;
	}
	if (setuid(uid) == -1) {
		log_warn("tinbao: setuid %lu", (unsigned long)uid);
		return -1;
	}
	/* setuid() as root sets all three uids: root must be gone for good. */
	if (setuid(0) != -1 || seteuid(0) != -1 || getuid() != uid || geteuid() != uid ||
	    getegid() != gid) {
		log_warnx("tinbao: could not drop root for user \"%s\": refused", user);
		return -1;
	}
	log_info("tinbao: running as user %s (uid %lu, gid %lu)", user, (unsigned long)uid,
		 (unsigned long)gid);
	return 0;
}
