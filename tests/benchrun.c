/*
 * benchrun.c - see benchrun.h.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "benchrun.h"

#define STEP_MS 20

static void
nap(void)
{
	struct timespec ts = {0, STEP_MS * 1000000L};

	nanosleep(&ts, NULL);
}

pid_t
benchrun_start(char *const argv[], const char *logpath)
{
	pid_t pid = fork();
	int fd;

	if (pid != 0)
		return pid;
	fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd == -1 || dup2(fd, STDOUT_FILENO) == -1 || dup2(fd, STDERR_FILENO) == -1)
		_exit(126);
	execvp(argv[0], argv);
	_exit(127);
}

int
benchrun_wait(pid_t pid, const char *logpath, const char *text, int ms, char *buf, size_t sz)
{
	siginfo_t info;
	FILE *fp;
	size_t n;
	int waited, ended = 0;

	for (waited = 0;; waited += STEP_MS) {
		n = 0;
		fp = fopen(logpath, "r");
		if (fp != NULL) {
			n = fread(buf, 1, sz - 1, fp);
			fclose(fp);
		}
		buf[n] = '\0';
		if (strstr(buf, text) != NULL)
			return 1;
		/* What it wrote before it ended is read once more. */
		if (ended || waited >= ms)
			return 0;
		/* Ended, but left to benchrun_stop() to reap. */
		memset(&info, 0, sizeof(info));
		ended = waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == -1 ||
			info.si_pid == pid;
		nap();
	}
}

int
benchrun_stop(pid_t pid, struct rusage *ru)
{
	struct rusage usage;
	int status, i;
	pid_t r;

	kill(pid, SIGTERM);
	for (i = 0; i < 10000 / STEP_MS; i++) {
		r = wait4(pid, &status, WNOHANG, &usage);
		if (r == -1)
			return -1;
		if (r == pid) {
			if (ru != NULL)
				*ru = usage;
			return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
		}
		nap();
	}
	kill(pid, SIGKILL);
	wait4(pid, &status, 0, ru);
	return -1;
}
