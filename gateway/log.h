/*
 * log.h - logging for tinbao (after OpenBSD's log.c).
 *
 * stderr in the foreground, syslog when daemonized.  The level is checked
 * before anything is formatted.  log_warn() appends strerror(errno);
 * fatal()/fatalx() log and exit(1).
 */
#ifndef TINBAO_LOG_H
#define TINBAO_LOG_H

#include <stdarg.h>

enum log_level { LOG_LEVEL_WARN = 0, LOG_LEVEL_INFO = 1, LOG_LEVEL_DEBUG = 2 };

void log_init(int to_syslog, enum log_level level);
void log_setlevel(enum log_level level);
int log_getlevel(void);
/* "debug", "info", "warning" -> level; -1 for anything else. */
int log_parselevel(const char *name);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
