/*
 * report_pdf.c - the report as a PDF: the HTML document (report_html.c)
 * printed by headless Chromium, which lays it out on A4 with the page
 * margins, page numbers and repeated table headers its style asks for.
 *
 * Everything happens in a temporary folder (the HTML, the browser's fresh
 * profile, the PDF), removed afterwards; the PDF is then copied to the
 * caller's stream.  Chromium is looked for on PATH; without it the caller
 * is told how to print the HTML by hand.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "report_impl.h"

#define PRINT_TIMEOUT 120 /* seconds Chromium may take */

static const char *const browsers[] = {"chromium", "chromium-browser", "google-chrome"};

/* The first browser on PATH, into buf; 0, or -1 when there is none. */
static int
find_browser(char *buf, size_t sz)
{
	const char *path = getenv("PATH");
	char dir[1024];
	const char *p, *end;
	size_t i, n;

	if (path == NULL)
		path = "/usr/bin:/bin";
	for (i = 0; i < sizeof(browsers) / sizeof(browsers[0]); i++) {
		for (p = path; *p != '\0'; p = *end == ':' ? end + 1 : end) {
			end = strchr(p, ':');
			if (end == NULL)
				end = p + strlen(p);
			n = (size_t)(end - p);
			if (n == 0 || n >= sizeof(dir))
				continue;
			memcpy(dir, p, n);
			dir[n] = '\0';
			if ((size_t)snprintf(buf, sz, "%s/%s", dir, browsers[i]) < sz &&
			    access(buf, X_OK) == 0)
				return 0;
		}
	}
	return -1;
}

static int
remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (remove(path) == -1)
		log_warn("report: remove %s", path);
	return 0;
}

void
report_tmpdir_remove(const char *dir)
{
	if (dir != NULL && dir[0] != '\0')
		nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
report_tmpdir_new(char *buf, size_t sz)
{
	const char *tmp = getenv("TMPDIR");

	if (tmp == NULL || tmp[0] == '\0')
		tmp = "/tmp";
	if ((size_t)snprintf(buf, sz, "%s/tinbao-report-XXXXXX", tmp) >= sz) {
		log_warnx("report: TMPDIR too long");
		return -1;
	}
	if (mkdtemp(buf) == NULL) {
		log_warn("report: mkdtemp %s", buf);
		return -1;
	}
	return 0;
}

int
report_copy_file(const char *path, FILE *out)
{
	char buf[8192];
	size_t n;
	FILE *in;
	int rc = 0;

	in = fopen(path, "rb");
	if (in == NULL) {
		log_warn("report: %s", path);
		return -1;
	}
	for (;;) {
		n = fread(buf, 1, sizeof(buf), in);
		if (n == 0)
			break;
		if (fwrite(buf, 1, n, out) != n) {
			log_warn("report: write");
			rc = -1;
			break;
		}
	}
	if (ferror(in)) {
		log_warn("report: read %s", path);
		rc = -1;
	}
	fclose(in);
	return rc;
}

/* Runs the browser on dir/report.html into dir/report.pdf; its output goes
 * to dir/browser.log.  0, or -1 (logged). */
static int
print(const char *browser, const char *dir)
{
	char profile[4200], pdf[4200], url[4200], log[4200];
	struct timespec pause = {0, 100 * 1000 * 1000};
	char *argv[16];
	pid_t pid, done;
	int st, fd, i, n = 0;

	snprintf(profile, sizeof(profile), "--user-data-dir=%s/profile", dir);
	snprintf(pdf, sizeof(pdf), "--print-to-pdf=%s/report.pdf", dir);
	snprintf(url, sizeof(url), "file://%s/report.html", dir);
	snprintf(log, sizeof(log), "%s/browser.log", dir);
	argv[n++] = (char *)browser;
	argv[n++] = "--headless";
	argv[n++] = "--disable-gpu";
	argv[n++] = "--disable-dev-shm-usage";
	argv[n++] = "--disable-background-networking";
	argv[n++] = "--disable-component-update";
	argv[n++] = "--disable-sync";
	argv[n++] = "--no-first-run";
	argv[n++] = "--no-pdf-header-footer";
	/* Chromium's sandbox refuses to run as root. */
	if (geteuid() == 0)
		argv[n++] = "--no-sandbox";
	argv[n++] = profile;
	argv[n++] = pdf;
	argv[n++] = url;
	argv[n] = NULL;
	pid = fork();
	if (pid == -1) {
		log_warn("report: fork");
		return -1;
	}
	if (pid == 0) {
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd != -1) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(browser, argv);
		_exit(127);
	}
	for (i = 0; i < PRINT_TIMEOUT * 10; i++) {
		done = waitpid(pid, &st, WNOHANG);
		if (done == pid)
			break;
		if (done == -1 && errno != EINTR) {
			log_warn("report: waitpid");
			return -1;
		}
		nanosleep(&pause, NULL);
	}
	if (i == PRINT_TIMEOUT * 10) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		log_warnx("report: %s took more than %d s to print the PDF", browser,
			  PRINT_TIMEOUT);
		return -1;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		log_warnx("report: %s failed to print the PDF (%s %d); print the HTML from a "
			  "browser instead",
			  browser, WIFEXITED(st) ? "status" : "signal",
			  WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		return -1;
	}
	return 0;
}

int
report_write_pdf(const struct report *r, FILE *out)
{
	char browser[1024], dir[4096], path[4200];
	FILE *f;
	int rc = -1;

	if (find_browser(browser, sizeof(browser)) == -1) {
		log_warnx("report: no Chromium to print the PDF: write the report with --format "
			  "html, open it in a browser and print it to PDF (A4, no headers and "
			  "footers), or install chromium");
		return -1;
	}
	if (report_tmpdir_new(dir, sizeof(dir)) == -1)
		return -1;
	snprintf(path, sizeof(path), "%s/report.html", dir);
	f = fopen(path, "w");
	if (f == NULL) {
		log_warn("report: %s", path);
		goto done;
	}
	if (report_write_html(r, f) == -1 || fclose(f) == EOF) {
		log_warn("report: %s", path);
		goto done;
	}
	if (print(browser, dir) == -1)
		goto done;
	snprintf(path, sizeof(path), "%s/report.pdf", dir);
	rc = report_copy_file(path, out);
done:
	report_tmpdir_remove(dir);
	return rc;
}
