/*
 * webhttp.h - the web console spoken to as a browser speaks it, over
 * loopback, for the tests and the benchmark that drive `tinbao web` or
 * `tinbao run` with a web group.  One request a connection, no keep-alive.
 */
#ifndef TINBAO_WEBHTTP_H
#define TINBAO_WEBHTTP_H

#include <stddef.h>

/* A loopback port nobody listens on now, or -1. */
int webhttp_free_port(void);
/* A connection to 127.0.0.1:port, or -1. */
int webhttp_connect(int port);
/* 1 when something listens on 127.0.0.1:port. */
int webhttp_listening(int port);
/*
 * One request: the session cookie sid (or NULL), a form body (or NULL).
 * The answer's start (sz - 1 bytes at most, headers included) goes into
 * out, the rest is read and dropped.  Its status code, or -1.
 */
int webhttp_request(int port, const char *method, const char *path, const char *sid,
		    const char *form, char *out, size_t sz);
/* The same with a Cookie header's value of its own (NULL: none). */
int webhttp_send(int port, const char *method, const char *path, const char *cookie,
		 const char *form, char *out, size_t sz);
/* Logs in through the login form as user: the session's id into sid (sz
 * bytes).  0, or -1 when the form or the login failed. */
int webhttp_log_in(int port, const char *user, const char *password, char *sid, size_t sz);

#endif
