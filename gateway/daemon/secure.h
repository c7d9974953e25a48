/*
 * secure.h - what the gateway does to protect itself: files with secrets
 * that only their owner may read, and the drop from root to the configured
 * user once the modem and the database are open.
 */
#ifndef TINBAO_SECURE_H
#define TINBAO_SECURE_H

struct config;

/*
 * Refuses (-1, after logging the file, its mode and the fix) a regular file
 * that its group or others may read, write or execute; 0 otherwise, also
 * when path does not exist (its reader says so).  what names it in the
 * message ("configuration", "token_file").
 */
int secure_private_file(const char *path, const char *what);

/*
 * secure_private_file() on every other file than cfg->path that cfg was
 * read from or names (cfg->files: its @includes, the gammurc(s), the token
 * file), as the callers check cfg->path before loading it: anyone who may
 * write one of them could point the push at their own server or turn the
 * limits off.  Each file that fails is logged; -1 when one did, 0
 * otherwise.
 */
int secure_config_files(const struct config *cfg);

/*
 * Run as root (euid 0): becomes cfg->user (initgroups, setgid, setuid) and
 * checks that root cannot be had back; cfg->user "root" stays root on
 * purpose.  Without cfg->user it refuses, unless TINBAO_ALLOW_ROOT=1 is in
 * the environment.  Not run as root: nothing to do.  Returns 0, or -1 after
 * logging why the gateway must not go on.
 */
int secure_drop(const struct config *cfg);

#endif
