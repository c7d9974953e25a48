/*
 * webhttp.c - the web console spoken to as a browser speaks it (webhttp.h).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "webhttp.h"

int
webhttp_free_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

int
webhttp_connect(int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	if (fd >= 0)
		close(fd);
	return -1;
}

int
webhttp_listening(int port)
{
	int fd = webhttp_connect(port);

	if (fd == -1)
		return 0;
	close(fd);
	return 1;
}

int
webhttp_request(int port, const char *method, const char *path, const char *sid, const char *form,
		char *out, size_t sz)
{
	char cookie[160];

	if (sid == NULL)
		return webhttp_send(port, method, path, NULL, form, out, sz);
	snprintf(cookie, sizeof(cookie), "tinbao_sid=%s", sid);
	return webhttp_send(port, method, path, cookie, form, out, sz);
}

int
webhttp_send(int port, const char *method, const char *path, const char *cookie, const char *form,
	     char *out, size_t sz)
{
	char req[1024], drop[4096];
	size_t len = 0;
	ssize_t got;
	int fd = webhttp_connect(port), n, code = -1;

	if (fd == -1)
		return -1;
	n = snprintf(req, sizeof(req),
		     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
		     "%s%s%s"
		     "Content-Type: application/x-www-form-urlencoded\r\n"
		     "Content-Length: %zu\r\n\r\n%s",
		     method, path, cookie != NULL ? "Cookie: " : "", cookie != NULL ? cookie : "",
		     cookie != NULL ? "\r\n" : "", form != NULL ? strlen(form) : 0,
		     form != NULL ? form : "");
	if (n > 0 && (size_t)n < sizeof(req) && write(fd, req, (size_t)n) == n) {
		while ((got = len + 1 < sz ? read(fd, out + len, sz - 1 - len)
					   : read(fd, drop, sizeof(drop))) > 0)
			len += len + 1 < sz ? (size_t)got : 0;
		out[len] = '\0';
		if (sscanf(out, "HTTP/1.%*d %d", &code) != 1)
			code = -1;
	}
	close(fd);
	return code;
}

/* The hex value after key in text, into out (sz bytes); 0 or -1. */
static int
hex_after(const char *text, const char *key, char *out, size_t sz)
{
	const char *p = strstr(text, key);
	size_t n;

	if (p == NULL)
		return -1;
	p += strlen(key);
	n = strspn(p, "0123456789abcdef");
	if (n == 0 || n >= sz)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

int
webhttp_log_in(int port, const char *user, const char *password, char *sid, size_t sz)
{
	static char page[1 << 16];
	char csrf[128], token[128], cookie[160], form[512];
	int n;

	if (webhttp_request(port, "GET", "/login", NULL, NULL, page, sizeof(page)) != 200 ||
	    hex_after(page, "tinbao_login=", token, sizeof(token)) == -1 ||
	    hex_after(page, "name=\"csrf\" value=\"", csrf, sizeof(csrf)) == -1)
		return -1;
	snprintf(cookie, sizeof(cookie), "tinbao_login=%s", token);
	n = snprintf(form, sizeof(form), "user=%s&password=%s&csrf=%s", user, password, csrf);
	if (n < 0 || (size_t)n >= sizeof(form) ||
	    webhttp_send(port, "POST", "/login", cookie, form, page, sizeof(page)) != 303 ||
	    hex_after(page, "tinbao_sid=", sid, sz) == -1)
		return -1;
	return 0;
}
