/*
 * benchrun.h - processes for the benchmarks: the gateway as a daemon, or a
 * test server, started with its output in a file, waited for by what it
 * writes there, stopped as systemd stops it (SIGTERM), with its resource
 * usage (peak RSS).
 */
#ifndef TINBAO_BENCHRUN_H
#define TINBAO_BENCHRUN_H

#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

/* Runs argv (argv[0] looked up in PATH) with its standard output and error
 * in the file logpath (created or emptied).  Its pid, or -1. */
pid_t benchrun_start(char *const argv[], const char *logpath);

/* Waits until the file logpath holds text, at most ms milliseconds, and
 * not beyond the end of pid.  The file's start (sz - 1 bytes at most) goes
 * into buf.  1 when text came, 0 otherwise. */
int benchrun_wait(pid_t pid, const char *logpath, const char *text, int ms, char *buf, size_t sz);

/* SIGTERM, then SIGKILL after 10 s.  ru (or NULL) receives its resource
 * usage.  0 when it exited by itself with status 0, -1 otherwise. */
int benchrun_stop(pid_t pid, struct rusage *ru);

#endif
