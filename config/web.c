/*
 * web.c - the "web" group: where the web console listens (gateway/web/web.h),
 * with TLS when that is not this PC alone, and how long a session lasts.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impl.h"

int
config_web_address(const char *listen, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon;
	char *end;
	long port;

	if (listen == NULL || strlen(listen) >= sizeof(host))
		return -1;
	colon = strrchr(listen, ':');
	if (colon == NULL || colon == listen || colon - listen >= (long)sizeof(host))
		return -1;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || port < 1 || port > 65535)
		return -1;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (strcmp(host, "localhost") == 0)
		strcpy(host, "127.0.0.1");
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return -1;
	return 0;
}

int
config_web_loopback(const struct sockaddr_in *sa)
{
	return (ntohl(sa->sin_addr.s_addr) >> 24) == 127;
}

static int
check_listen(struct loader *l, const config_setting_t *s, const char *v)
{
	struct sockaddr_in sa;

	if (config_web_address(v, &sa) == 0)
		return 0;
	report(l, s, 0,
	       "\"%s\" must be an IPv4 address and a port, e.g. \"127.0.0.1:8080\", not "
	       "\"%s\"",
	       label(s), v);
	return -1;
}

/* clang-format off */
#define WOFF(f) OFF(web.f)
const struct key web_keys[] = {
	KSTR("listen", 0, WOFF(listen), check_listen),
	KSTR("tls_cert", 0, WOFF(tls_cert), check_nonempty),
	KSTR("tls_key", 0, WOFF(tls_key), check_nonempty),
	KINT("session_hours", 0, 1, 72, WOFF(session_hours)),
	KEND,
};
/* clang-format on */

/* The default address; TLS files as a pair, and required off this PC. */
void
finish_web(struct loader *l, const config_t *cf)
{
	struct config_web *w = &l->cfg->web;
	const config_setting_t *g = config_lookup(cf, "web");
	struct sockaddr_in sa;

	w->enabled = g != NULL;
	if (w->listen == NULL)
		w->listen = copy(l, "127.0.0.1:8080");
	resolve(l, &w->tls_cert);
	resolve(l, &w->tls_key);
	if (g == NULL)
		return;
	if ((w->tls_cert == NULL) != (w->tls_key == NULL))
		report(l, g, 0, "\"tls_cert\" and \"tls_key\" go together: set both or neither");
	else if (w->listen != NULL && config_web_address(w->listen, &sa) == 0 &&
		 !config_web_loopback(&sa) && w->tls_cert == NULL)
		report(l, g, 0,
		       "listening on %s, beyond this PC, needs \"tls_cert\" and \"tls_key\"",
		       w->listen);
}
