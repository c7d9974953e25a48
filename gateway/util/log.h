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
#include <stddef.h>
#include <stdio.h>

enum log_level { LOG_LEVEL_WARN = 0, LOG_LEVEL_INFO = 1, LOG_LEVEL_DEBUG = 2 };

void log_init(int to_syslog, enum log_level level);
void log_setlevel(enum log_level level);
int log_getlevel(void);
/* "debug", "info", "warning" -> level; -1 for anything else. */
int log_parselevel(const char *name);

/*
 * Writes text into out (outsz bytes) for a log or a terminal: control
 * characters as \n, \r, \t or \xNN (ESC is \x1b), C1 controls as \u0080..
 * \u009f, bytes that are not UTF-8 as \xNN; everything else as it is.  A
 * text too long is cut between two characters (never inside a character or
 * an escape).  Every log line goes through it; printers of text of outside
 * origin (SMS, senders, server and USSD answers, registry names) call it.
 * Returns out.
 */
char *log_escape(const char *text, char *out, size_t outsz);
/* Writes all of text to f as log_escape() would, however long.  0 or -1. */
int log_fputs(const char *text, FILE *f);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
