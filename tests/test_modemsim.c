/*
 * test_modemsim.c - tinbao's modem code and libgammu's real AT driver against
 * the AT-modem simulator (tests/modemsim): a pseudo-terminal that answers AT
 * commands like a GSM modem, driven from here through its control socket.
 *
 * The first group goes through gateway/modem/modem.c (modem_open, modem_next,
 * modem_delete, modem_send); the second calls libgammu directly for what
 * modem.c does not wrap (USSD, signal, network, SMSC, +CMTI).  Each group
 * starts one simulator and connects once: libgammu's AT initialisation alone
 * takes about 3 s (it writes slowly until it knows the phone).
 *
 * Usage: test_modemsim [path-to-modemsim]   (default build/tests/modemsim)
 * TEST_VERBOSE=1 shows the simulator's and the modem code's log;
 * TEST_GAMMU_LOG=/tmp/gammu.log writes libgammu's own log there;
 * TEST_FILTER=test_daemon_* runs only the tests whose names match.
 */
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <gammu.h>

#include "log.h"
#include "fixture.h"
#include "modem.h"

#define IO_TIMEOUT_MS 5000    /* one control reply, the simulator's pty path */
#define CALLBACK_WAIT_MS 5000 /* an unsolicited +CUSD or +CMTI */
#define TEST_ALARM_S 30	      /* no single test may take longer */
/* The simulator exits by itself after this: a guard for a test program that
 * died without killing it.  One simulator serves a whole group, whose tests
 * of the daemon take minutes on a loaded machine. */
#define SIM_TIMEOUT_S "900"
#define BASE_TIME 1646100000 /* 2022-03-01 09:00 +07:00 */

struct sim {
	pid_t pid;
	int ctl;
	char dir[64];
	char link[96], ctlpath[96], gammurc[96];
	char pty[64];
	char reply[4096];
};

/* What libgammu's callbacks saw (group 2). */
struct ussd_got {
	int done;
	GSM_USSDStatus status;
	char text[4 * (GSM_MAX_USSD_LENGTH + 1)]; /* UTF-8 */
};

struct cmti_got {
	int n;
	int location[8];
};

struct fix {
	struct sim sim;
	struct modem *modem;  /* group 1: through gateway/modem/modem.c */
	GSM_StateMachine *sm; /* group 2: libgammu directly */
	struct ussd_got ussd;
	struct cmti_got cmti;
};

static const char *simbin = "build/tests/modemsim";
static volatile sig_atomic_t alarm_victim; /* the simulator's pid */

/* The safety net: a test that hangs takes the simulator down with it. */
static void
on_alarm(int sig)
{
	static const char msg[] = "test_modemsim: a test took too long, giving up\n";

	if (alarm_victim > 0)
		kill((pid_t)alarm_victim, SIGKILL);
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds until deadline, never negative (poll would wait forever). */
static int
ms_left(int64_t deadline)
{
	int64_t left = deadline - now_ms();

	return left > 0 ? (int)left : 0;
}

/* Reads one line from fd within IO_TIMEOUT_MS; -1 on timeout or EOF. */
static int
read_line(int fd, char *buf, size_t sz)
{
	int64_t deadline = now_ms() + IO_TIMEOUT_MS;
	struct pollfd pfd = {fd, POLLIN, 0};
	size_t n = 0;
	ssize_t got;
	char *nl;

	for (;;) {
		if (poll(&pfd, 1, ms_left(deadline)) <= 0)
			return -1;
		got = read(fd, buf + n, sz - 1 - n);
		if (got <= 0)
			return -1;
		n += (size_t)got;
		buf[n] = '\0';
		nl = strchr(buf, '\n');
		if (nl != NULL) {
			*nl = '\0';
			return 0;
		}
		if (n == sz - 1)
			return -1;
	}
}

/* Sends one control command; returns the reply line. */
static const char *ctl(struct sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static const char *
ctl(struct sim *s, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof(line) - 1);
	line[n++] = '\n';
	assert_int_equal(send(s->ctl, line, (size_t)n, MSG_NOSIGNAL), n);
	if (read_line(s->ctl, s->reply, sizeof(s->reply)) == -1)
		fail_msg("no answer from the simulator to: %.*s", n - 1, line);
	return s->reply;
}

/* A control command that must answer "ok" or start with "ok ". */
static const char *ctl_ok(struct sim *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static const char *
ctl_ok(struct sim *s, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ctl(s, "%s", line);
	if (strcmp(s->reply, "ok") != 0 && strncmp(s->reply, "ok ", 3) != 0)
		fail_msg("simulator: %s -> %s", line, s->reply);
	return s->reply;
}

/* How many AT commands beginning with prefix the simulator received. */
static int
seen(struct sim *s, const char *prefix)
{
	return atoi(ctl_ok(s, "seen %s", prefix) + 3);
}

static void
child(const struct sim *s, int fds[2])
{
	int devnull = open("/dev/null", O_WRONLY);
	const char *verbose = getenv("TEST_VERBOSE") != NULL ? "-v" : NULL;

#ifdef __linux__
	prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
	dup2(fds[1], STDOUT_FILENO);
	close(fds[0]);
	close(fds[1]);
	if (verbose == NULL && devnull != -1)
		dup2(devnull, STDERR_FILENO);
	if (devnull != -1)
		close(devnull);
	execl(simbin, "modemsim", "--link", s->link, "--ctl", s->ctlpath, "--timeout",
	      SIM_TIMEOUT_S, verbose, (char *)NULL);
	_exit(127);
}

static int
connect_ctl(struct sim *s)
{
	struct sockaddr_un sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", s->ctlpath);
	s->ctl = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s->ctl == -1)
		return -1;
	return connect(s->ctl, (struct sockaddr *)&sun, sizeof(sun));
}

static int
write_gammurc(const struct sim *s)
{
	FILE *f = fopen(s->gammurc, "w");

	if (f == NULL)
		return -1;
	/* What a deployment's gammurc says for a USB modem, the device aside. */
	fprintf(f, "[gammu]\ndevice = %s\nconnection = at\n", s->link);
	return fclose(f);
}

/* The simulator's folder and paths, its pty not there yet. */
static void
sim_prepare(struct sim *s)
{
	memset(s, 0, sizeof(*s));
	s->ctl = -1;
	strcpy(s->dir, "/tmp/tinbao-modemsim-XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->link, sizeof(s->link), "%s/modem", s->dir);
	snprintf(s->ctlpath, sizeof(s->ctlpath), "%s/ctl", s->dir);
	snprintf(s->gammurc, sizeof(s->gammurc), "%s/gammurc", s->dir);
	assert_int_equal(write_gammurc(s), 0);
}

/* Starts the simulator of a prepared s: its pty appears at s->link. */
static void
sim_spawn(struct sim *s)
{
	int fds[2];

	assert_int_equal(pipe(fds), 0);
	s->pid = fork();
	assert_true(s->pid != -1);
	if (s->pid == 0)
		child(s, fds);
	alarm_victim = s->pid;
	close(fds[1]);
	if (read_line(fds[0], s->pty, sizeof(s->pty)) == -1)
		fail_msg("%s did not print its pty", simbin);
	close(fds[0]);
	assert_true(strncmp(s->pty, "/dev/", 5) == 0);
	assert_int_equal(connect_ctl(s), 0);
}

static void
sim_start(struct sim *s)
{
	sim_prepare(s);
	sim_spawn(s);
}

static void
sim_stop(struct sim *s)
{
	int64_t deadline = now_ms() + 2000;
	struct timespec step = {0, 10 * 1000 * 1000};
	int status;

	if (s->ctl != -1)
		close(s->ctl);
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		while (waitpid(s->pid, &status, WNOHANG) == 0 && now_ms() < deadline)
			nanosleep(&step, NULL);
		if (kill(s->pid, SIGKILL) == 0)
			waitpid(s->pid, &status, 0);
		alarm_victim = 0;
	}
	unlink(s->gammurc);
	unlink(s->link);
	unlink(s->ctlpath);
	if (s->dir[0] != '\0' && rmdir(s->dir) == -1)
		fprintf(stderr, "test_modemsim: could not remove %s: %s\n", s->dir,
			strerror(errno));
}

/* Group 0: the simulator alone, spoken to directly --------------------- */

static int
sim_group_setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	alarm(TEST_ALARM_S);
	sim_start(&f->sim);
	alarm(0);
	*state = f;
	return 0;
}

/* Sends an AT command line; returns everything the modem said until a final
 * result code, or what came within 300 ms when none came. */
static const char *
at(int fd, const char *cmd)
{
	static char buf[4096];
	int64_t deadline = now_ms() + 300;
	struct pollfd pfd = {fd, POLLIN, 0};
	size_t n = 0;
	ssize_t got;

	assert_int_equal(write(fd, cmd, strlen(cmd)), (ssize_t)strlen(cmd));
	assert_int_equal(write(fd, "\r", 1), 1);
	buf[0] = '\0';
	while (poll(&pfd, 1, ms_left(deadline)) > 0) {
		got = read(fd, buf + n, sizeof(buf) - 1 - n);
		if (got <= 0)
			break;
		n += (size_t)got;
		buf[n] = '\0';
		if (n >= 2 && strcmp(buf + n - 2, "\r\n") == 0 &&
		    (strstr(buf, "OK\r\n") != NULL || strstr(buf, "ERROR") != NULL))
			break; /* a final result code, complete */
	}
	return buf;
}

static void
test_raw_commands(void **state)
{
	struct fix *f = *state;
	int fd = open(f->sim.link, O_RDWR | O_NOCTTY);

	assert_true(fd != -1);
	/* Echo is on when the modem starts; ATE0 turns it off. */
	assert_string_equal(at(fd, "ATE0"), "ATE0\r\r\nOK\r\n");
	assert_string_equal(at(fd, "AT+CGMI"), "\r\ntinbao\r\n\r\nOK\r\n");
	assert_string_equal(at(fd, "AT+CMGF=1"), "\r\nERROR\r\n");
	/* SMSC +84980200030, SMS-DELIVER from +84912000001, GSM 7-bit, time
	 * 22-03-01 09:00:00 +07:00 (28 quarters: 0x82), 2 septets "hi". */
	ctl_ok(&f->sim, "deliver -t %d +84912000001 hi", BASE_TIME);
	assert_string_equal(at(fd, "AT+CMGL=4"),
			    "\r\n+CMGL: 1,0,,21\r\n07914889200030F0040B914819020000F100002230"
			    "109000008202E834\r\n\r\nOK\r\n");
	ctl_ok(&f->sim, "error 1");
	assert_string_equal(at(fd, "AT"), "\r\nERROR\r\n");
	ctl_ok(&f->sim, "cms 1 500");
	assert_string_equal(at(fd, "AT"), "\r\n+CMS ERROR: 500\r\n");
	ctl_ok(&f->sim, "hang");
	assert_string_equal(at(fd, "AT"), "");
	ctl_ok(&f->sim, "unhang");
	assert_string_equal(at(fd, "AT"), "\r\nOK\r\n");
	assert_int_equal(seen(&f->sim, "AT+CM"), 2);
	close(fd);
}

static void
test_raw_vanish(void **state)
{
	struct fix *f = *state;
	char target[64], path[64];
	ssize_t n;
	int fd = open(f->sim.link, O_RDWR | O_NOCTTY);

	assert_true(fd != -1);
	ctl_ok(&f->sim, "vanish");
	assert_true(access(f->sim.link, F_OK) == -1);
	assert_true(read(fd, target, sizeof(target)) <= 0); /* EIO: the line is gone */
	close(fd);
	snprintf(path, sizeof(path), "%s", ctl_ok(&f->sim, "back") + 3);
	n = readlink(f->sim.link, target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_string_equal(target, path);
	fd = open(f->sim.link, O_RDWR | O_NOCTTY);
	assert_true(fd != -1);
	assert_string_equal(at(fd, "AT"), "AT\r\r\nOK\r\n");
	close(fd);
}

/* Group 1: gateway/modem/modem.c ------------------------------------------- */

static int
modem_group_setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	alarm(TEST_ALARM_S);
	sim_start(&f->sim);
	f->modem = modem_open(f->sim.gammurc, 0);
	assert_non_null(f->modem);
	assert_false(modem_is_dummy(f->modem));
	alarm(0);
	*state = f;
	return 0;
}

static int
group_teardown(void **state)
{
	struct fix *f = *state;

	alarm(TEST_ALARM_S);
	modem_close(f->modem);
	if (f->sm != NULL) {
		if (GSM_IsConnected(f->sm))
			GSM_TerminateConnection(f->sm);
		GSM_FreeStateMachine(f->sm);
	}
	sim_stop(&f->sim);
	alarm(0);
	free(f);
	return 0;
}

/* Every test starts from a fresh simulator state, under the alarm. */
static int
test_setup(void **state)
{
	struct fix *f = *state;

	alarm(TEST_ALARM_S);
	ctl_ok(&f->sim, "reset");
	return 0;
}

static int
test_teardown(void **state)
{
	struct fix *f = *state;

	if (f->sm != NULL) {
		GSM_SetIncomingSMS(f->sm, FALSE);
		GSM_SetIncomingSMSCallback(f->sm, NULL, NULL);
		GSM_SetIncomingUSSDCallback(f->sm, NULL, NULL);
	}
	alarm(0);
	return 0;
}

static int
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void
test_receive_gsm7(void **state)
{
	struct fix *f = *state;
	struct modem_sms sms;

	assert_string_equal(
	    ctl_ok(&f->sim, "deliver -t %d +84912000001 ENROL xa Minh Son 35 han", BASE_TIME),
	    "ok 1 1");
	/* The escape table: each of these takes two septets. */
	ctl_ok(&f->sim, "deliver -t %d Viettel KM [20%%] {x} a|b ~c ^d \\\\e 5€", BASE_TIME);
	assert_int_equal(modem_next(f->modem, 1, &sms), 1);
	assert_string_equal(sms.sender, "+84912000001");
	assert_string_equal(sms.text, "ENROL xa Minh Son 35 han");
	assert_string_equal(sms.coding, "gsm7");
	assert_int_equal(sms.smsc_time, BASE_TIME);
	assert_int_equal(sms.concat_ref, -1);
	assert_int_equal(sms.location, 1);
	assert_int_equal(modem_next(f->modem, 0, &sms), 1);
	assert_string_equal(sms.sender, "Viettel");
	assert_string_equal(sms.text, "KM [20%] {x} a|b ~c ^d \\e 5€");
	assert_string_equal(sms.coding, "gsm7");
	assert_int_equal(modem_next(f->modem, 0, &sms), 0);
}

static void
test_receive_ucs2(void **state)
{
	static const char text[] = "ENROL xã Minh Sơn 35 hàn – Báo cáo đợt 1, Hữu Lũng";
	struct fix *f = *state;
	struct modem_sms sms;

	/* An SMSC west of Greenwich: the time zone's sign bit. */
	ctl_ok(&f->sim, "deliver -t %d -z -20 +84912000002 %s", BASE_TIME, text);
	assert_int_equal(modem_next(f->modem, 1, &sms), 1);
	assert_string_equal(sms.sender, "+84912000002");
	assert_string_equal(sms.coding, "ucs2");
	assert_string_equal(sms.text, text);
	assert_int_equal(sms.smsc_time, BASE_TIME);
	assert_int_equal(modem_next(f->modem, 0, &sms), 0);
}

/* U+0000 inside a UCS-2 SMS: the whole text is read (the length says where
 * it ends), the NUL kept as U+2400. */
static void
test_receive_ucs2_nul(void **state)
{
	struct fix *f = *state;
	struct modem_sms sms;

	ctl_ok(&f->sim, "deliver -u -t %d +84912000002 ENROL Minh Sơn\\0 5 hàn", BASE_TIME);
	assert_int_equal(modem_next(f->modem, 1, &sms), 1);
	assert_string_equal(sms.coding, "ucs2");
	assert_string_equal(sms.text, "ENROL Minh Sơn\u2400 5 hàn");
	assert_string_equal(sms.sender, "+84912000002");
	assert_int_equal(modem_next(f->modem, 0, &sms), 0);
}

static void
test_receive_concatenated(void **state)
{
	static const char line[] = "Bao cao tuan 12: xa Minh Son, 35 hoc vien nghe han dien. ";
	char text[8 * sizeof(line)], got[3][MODEM_TEXT_MAX];
	int order[3], i;
	struct fix *f = *state;
	struct modem_sms sms;

	text[0] = '\0';
	for (i = 0; i < 7; i++)
		strcat(text, line); /* 399 characters: three parts of <= 153 */
	/* Stored out of order: part 3 lands in slot 1. */
	assert_string_equal(ctl_ok(&f->sim, "deliver -n 77 -o 3,1,2 +84912000003 %s", text),
			    "ok 3 1 2 3");
	for (i = 0; i < 3; i++) {
		assert_int_equal(modem_next(f->modem, i == 0, &sms), 1);
		assert_int_equal(sms.concat_ref, 77);
		assert_int_equal(sms.part_count, 3);
		assert_in_range(sms.part_no, 1, 3);
		assert_int_equal(sms.location, i + 1);
		order[i] = sms.part_no;
		snprintf(got[sms.part_no - 1], sizeof(got[0]), "%s", sms.text);
	}
	assert_int_equal(modem_next(f->modem, 0, &sms), 0);
	assert_int_equal(order[0], 3);
	assert_int_equal(order[1], 1);
	assert_int_equal(order[2], 2);
	assert_int_equal(strlen(got[0]), 153);
	assert_int_equal(strlen(got[1]), 153);
	assert_true(strncmp(text, got[0], 153) == 0);
	assert_true(strncmp(text + 153, got[1], 153) == 0);
	assert_string_equal(text + 306, got[2]);
}

static void
test_delete(void **state)
{
	struct fix *f = *state;
	struct modem_sms sms[2];

	ctl_ok(&f->sim, "deliver +84912000001 GRAD xa Minh Son 20 han");
	ctl_ok(&f->sim, "deliver +84912000002 JOB xa Minh Son 12 han");
	assert_string_equal(ctl_ok(&f->sim, "sim"), "ok 2/30 1 2");
	assert_int_equal(modem_next(f->modem, 1, &sms[0]), 1);
	assert_int_equal(modem_next(f->modem, 0, &sms[1]), 1);
	assert_int_equal(modem_delete(f->modem, &sms[0]), 0);
	assert_string_equal(ctl_ok(&f->sim, "sim"), "ok 1/30 2");
	assert_int_equal(modem_delete(f->modem, &sms[1]), 0);
	assert_string_equal(ctl_ok(&f->sim, "sim"), "ok 0/30");
	assert_string_equal(ctl_ok(&f->sim, "seen AT+CMGD=1"), "ok 1");
	assert_int_equal(modem_next(f->modem, 1, &sms[0]), 0);
}

static void
test_send(void **state)
{
	static const char reply[] = "OK #12: ghi danh 35 HV nghe Han dien, xa Minh Son";
	struct fix *f = *state;
	char longtext[200], expect[300];

	assert_int_equal(modem_send(f->modem, "+84912000001", reply), 0);
	assert_string_equal(ctl_ok(&f->sim, "sent"), "ok 1");
	snprintf(expect, sizeof(expect), "ok +84912000001 gsm7 1/1 -1 %s", reply);
	assert_string_equal(ctl_ok(&f->sim, "sent 0"), expect);

	assert_int_equal(modem_send(f->modem, "0912000002", "Đã nhận báo cáo xã Minh Sơn"), 0);
	assert_string_equal(ctl_ok(&f->sim, "sent 1"),
			    "ok 0912000002 ucs2 1/1 -1 Đã nhận báo cáo xã Minh Sơn");

	memset(longtext, 'x', sizeof(longtext) - 1);
	longtext[sizeof(longtext) - 1] = '\0';
	assert_int_equal(modem_send(f->modem, "+84912000003", longtext), 0);
	assert_string_equal(ctl_ok(&f->sim, "sent"), "ok 4");
	assert_true(starts_with(ctl_ok(&f->sim, "sent 2"), "ok +84912000003 gsm7 1/2 "));
	assert_true(starts_with(ctl_ok(&f->sim, "sent 3"), "ok +84912000003 gsm7 2/2 "));
}

static void
test_faults(void **state)
{
	struct fix *f = *state;
	struct modem_sms sms;
	int n;

	ctl_ok(&f->sim, "deliver +84912000001 STATUS");
	/* libgammu retries a failed AT+CPMS; three in a row fail the scan. */
	ctl_ok(&f->sim, "error 3 AT+CPMS");
	assert_int_equal(modem_next(f->modem, 1, &sms), -1);
	/* When AT+CMGL=4 fails, libgammu tries a bare AT+CMGL, then reads the
	 * SIM location by location with AT+CMGR. */
	n = seen(&f->sim, "AT+CMGR=1");
	ctl_ok(&f->sim, "error 2 AT+CMGL");
	assert_int_equal(modem_next(f->modem, 1, &sms), 1);
	assert_string_equal(sms.text, "STATUS");
	assert_int_equal(seen(&f->sim, "AT+CMGR=1"), n + 1);

	/* 321: invalid memory index; 330: SMSC address unknown. */
	ctl_ok(&f->sim, "cms 1 321 AT+CMGD");
	assert_int_equal(modem_delete(f->modem, &sms), -1);
	ctl_ok(&f->sim, "cms 3 330 AT+CMGS");
	assert_int_equal(modem_send(f->modem, "+84912000001", "OK"), -1);
	assert_string_equal(ctl_ok(&f->sim, "sent"), "ok 0");
	/* Any command at all failing fails the operation. */
	ctl_ok(&f->sim, "error 1");
	assert_int_equal(modem_send(f->modem, "+84912000001", "OK"), -1);
	/* Nothing stuck: the SMS is still there and can go now. */
	assert_int_equal(modem_next(f->modem, 1, &sms), 1);
	assert_int_equal(modem_delete(f->modem, &sms), 0);
	assert_string_equal(ctl_ok(&f->sim, "sim"), "ok 0/30");
}

/*
 * libgammu answers a refused AT+CMGS=<len> by calling the send-status
 * callback with the error, then escapes and tries again by itself; the retry
 * sends the SMS.  Only the status that comes after GSM_SendSMS returned is
 * the network's answer: modem.c must report this SMS as sent, or the outbox
 * would send it a second time.
 */
static void
test_send_retried(void **state)
{
	struct fix *f = *state;
	int r;

	ctl_ok(&f->sim, "cms 1 304 AT+CMGS");
	r = modem_send(f->modem, "+84912000001", "OK #13");
	assert_string_equal(ctl_ok(&f->sim, "sent 0"), "ok +84912000001 gsm7 1/1 -1 OK #13");
	assert_string_equal(ctl_ok(&f->sim, "sent"), "ok 1");
	assert_int_equal(r, 0);
}

static void
test_reconnect_vanish_back(void **state)
{
	struct fix *f = *state;
	struct modem_sms sms;
	int64_t t0;

	ctl_ok(&f->sim, "deliver +84912000001 NEED xa Minh Son 40 han");
	/* The same pty again, as after a gateway restart (libgammu locks the
	 * line with TIOCEXCL; the simulator lifts that for the next one). */
	modem_close(f->modem);
	f->modem = modem_open(f->sim.gammurc, 0);
	assert_non_null(f->modem);
	ctl_ok(&f->sim, "vanish");
	t0 = now_ms();
	assert_int_equal(modem_next(f->modem, 1, &sms), -1);
	assert_true(now_ms() - t0 < 20000);
	assert_true(starts_with(ctl_ok(&f->sim, "back"), "ok /dev/"));
	modem_close(f->modem);
	f->modem = modem_open(f->sim.gammurc, 0);
	assert_non_null(f->modem);
	/* The SIM kept its SMS across the modem's absence. */
	assert_int_equal(modem_next(f->modem, 1, &sms), 1);
	assert_string_equal(sms.text, "NEED xa Minh Son 40 han");
}

/* The reference a sent part got ("ok <to> <coding> <part>/<parts> <ref> ..."). */
static int
sent_ref(struct sim *s, int i)
{
	const char *r = ctl_ok(s, "sent %d", i);
	int part, parts, ref;
	char to[32], coding[8];

	assert_int_equal(sscanf(r, "ok %31s %7s %d/%d %d", to, coding, &part, &parts, &ref), 5);
	return ref;
}

/* The text of sent part i (after the fifth space of the reply). */
static const char *
sent_text(struct sim *s, int i)
{
	const char *a = ctl_ok(s, "sent %d", i);
	int k;

	for (k = 0; k < 5 && a != NULL; k++) {
		a = strchr(a, ' ');
		if (a != NULL)
			a++;
	}
	assert_non_null(a);
	return a;
}

/*
 * Long replies go out as concatenated parts: a GSM 7-bit text over 160
 * characters and a UCS-2 text over 70, each part numbered, all parts of a
 * message with one reference, the texts joined back as sent.  A message
 * resumed after a refusal (modem_prepare with the reference kept) keeps it.
 */
static void
test_send_long_parts(void **state)
{
	struct fix *f = *state;
	char gsm[400], ucs[400], expect[1200], got[600];
	int i, mr, ref = -1, ref2;

	snprintf(gsm, sizeof(gsm), "%s", "");
	for (i = 0; i < 20; i++)
		strcat(gsm, "Minh Son ");
	snprintf(ucs, sizeof(ucs), "%s", "");
	for (i = 0; i < 10; i++)
		strcat(ucs, "Hàn điện ");
	/* 180 GSM characters: two parts (153 + 27). */
	assert_int_equal(modem_prepare(f->modem, "+84912000001", gsm, 0, &ref), 2);
	assert_true(ref >= 0 && ref <= 255);
	assert_int_equal(modem_send_part(f->modem, 0, &mr), MODEM_SENT);
	assert_int_equal(modem_send_part(f->modem, 1, &mr), MODEM_SENT);
	assert_int_equal(sent_ref(&f->sim, 0), ref);
	assert_int_equal(sent_ref(&f->sim, 1), ref);
	assert_true(starts_with(ctl_ok(&f->sim, "sent 0"), "ok +84912000001 gsm7 1/2 "));
	assert_true(starts_with(ctl_ok(&f->sim, "sent 1"), "ok +84912000001 gsm7 2/2 "));
	/* The two texts, joined, are the message. */
	snprintf(got, sizeof(got), "%s", sent_text(&f->sim, 0));
	snprintf(expect, sizeof(expect), "%s%s", got, sent_text(&f->sim, 1));
	assert_string_equal(expect, gsm);
	/* 90 UCS-2 characters: two parts (67 + 23), one reference. */
	ref2 = -1;
	assert_int_equal(modem_prepare(f->modem, "0912000002", ucs, 0, &ref2), 2);
	assert_true(ref2 >= 0 && ref2 <= 255);
	assert_int_equal(modem_send_part(f->modem, 0, &mr), MODEM_SENT);
	assert_int_equal(modem_send_part(f->modem, 1, &mr), MODEM_SENT);
	assert_true(starts_with(ctl_ok(&f->sim, "sent 2"), "ok 0912000002 ucs2 1/2 "));
	assert_true(starts_with(ctl_ok(&f->sim, "sent 3"), "ok 0912000002 ucs2 2/2 "));
	assert_int_equal(sent_ref(&f->sim, 2), ref2);
	assert_int_equal(sent_ref(&f->sim, 3), ref2);
	snprintf(got, sizeof(got), "%s", sent_text(&f->sim, 2));
	snprintf(expect, sizeof(expect), "%s%s", got, sent_text(&f->sim, 3));
	assert_string_equal(expect, ucs);
	/* Resumed at part 2 with the reference of the first attempt: kept. */
	assert_int_equal(modem_prepare(f->modem, "0912000003", ucs, 0, &ref), 2);
	assert_int_equal(modem_send_part(f->modem, 1, &mr), MODEM_SENT);
	assert_true(starts_with(ctl_ok(&f->sim, "sent 4"), "ok 0912000003 ucs2 2/2 "));
	assert_int_equal(sent_ref(&f->sim, 4), ref);
	assert_string_equal(ctl_ok(&f->sim, "sent"), "ok 5");
}

/*
 * Each part says what became of it: sent with the modem's message reference
 * (and the status report request when asked), refused when the modem said
 * +CMS ERROR before taking it (nothing went out), unknown when it took the
 * SMS and never answered (a lost acknowledgement).
 */
static void
test_send_outcomes(void **state)
{
	struct fix *f = *state;
	char expect[32];
	int mr, ref = -1;

	assert_int_equal(modem_prepare(f->modem, "+84912000001", "OK #1", 1, &ref), 1);
	assert_int_equal(modem_send_part(f->modem, 0, &mr), MODEM_SENT);
	snprintf(expect, sizeof(expect), "ok %d 1", mr);
	assert_string_equal(ctl_ok(&f->sim, "sentinfo 0"), expect);
	assert_int_equal(modem_prepare(f->modem, "+84912000001", "OK #2", 0, &ref), 1);
	assert_int_equal(modem_send_part(f->modem, 0, &mr), MODEM_SENT);
	snprintf(expect, sizeof(expect), "ok %d 0", mr);
	assert_string_equal(ctl_ok(&f->sim, "sentinfo 1"), expect);

	/* libgammu tries AT+CMGS three times; three refusals refuse the part. */
	ctl_ok(&f->sim, "cms 3 500 AT+CMGS");
	assert_int_equal(modem_prepare(f->modem, "+84912000001", "OK #3", 0, &ref), 1);
	assert_int_equal(modem_send_part(f->modem, 0, &mr), MODEM_REFUSED);
	assert_int_equal(mr, -1);
	assert_string_equal(ctl_ok(&f->sim, "sent"), "ok 2");
	assert_false(modem_lost(f->modem));

	/* The modem takes the PDU and the answer is lost. */
	modem_set_ack_timeout(f->modem, 5);
	ctl_ok(&f->sim, "noack 1");
	assert_int_equal(modem_prepare(f->modem, "+84912000001", "OK #4", 0, &ref), 1);
	assert_int_equal(modem_send_part(f->modem, 0, &mr), MODEM_UNKNOWN);
	assert_string_equal(ctl_ok(&f->sim, "sent"), "ok 3");
	assert_true(modem_lost(f->modem));
	ctl_ok(&f->sim, "unhang");
	modem_close(f->modem);
	f->modem = modem_open(f->sim.gammurc, 0);
	assert_non_null(f->modem);
}

/* A delivery report in the SIM is handed over as one, with the reference
 * and the recipient of the SMS it is about. */
static void
test_status_report(void **state)
{
	struct fix *f = *state;
	struct modem_sms sms;
	int mr, ref = -1;

	assert_int_equal(modem_prepare(f->modem, "+84912000001", "OK #5", 1, &ref), 1);
	assert_int_equal(modem_send_part(f->modem, 0, &mr), MODEM_SENT);
	ctl_ok(&f->sim, "report 0 failed");
	ctl_ok(&f->sim, "deliver +84912000002 ENROL Minh Son 5 han");
	assert_int_equal(modem_next(f->modem, 1, &sms), 1);
	assert_int_equal(sms.status_report, 1);
	assert_int_equal(sms.mr, mr);
	assert_int_equal(sms.report_status, 0x41);
	assert_string_equal(sms.sender, "+84912000001");
	assert_int_equal(modem_next(f->modem, 0, &sms), 1);
	assert_int_equal(sms.status_report, 0);
	assert_string_equal(sms.text, "ENROL Minh Son 5 han");
	assert_int_equal(modem_next(f->modem, 0, &sms), 0);
}

/* Group 2: libgammu directly ----------------------------------------- */

static int
gammu_group_setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	INI_Section *ini = NULL;

	assert_non_null(f);
	alarm(TEST_ALARM_S);
	sim_start(&f->sim);
	f->sm = GSM_AllocStateMachine();
	assert_non_null(f->sm);
	assert_int_equal(GSM_FindGammuRC(&ini, f->sim.gammurc), ERR_NONE);
	assert_int_equal(GSM_ReadConfig(ini, GSM_GetConfig(f->sm, 0), 0), ERR_NONE);
	INI_Free(ini);
	GSM_SetConfigNum(f->sm, 1);
	assert_int_equal(GSM_InitConnection(f->sm, 1), ERR_NONE);
	alarm(0);
	*state = f;
	return 0;
}

static void
ussd_cb(GSM_StateMachine *sm, GSM_USSDMessage *ussd, void *user)
{
	struct ussd_got *got = user;

	got->status = ussd->Status;
	EncodeUTF8(got->text, ussd->Text);
	got->done = 1;
}

/* Reads from the modem until *count reaches want, at most CALLBACK_WAIT_MS. */
static void
wait_for(GSM_StateMachine *sm, const int *count, int want)
{
	int64_t deadline = now_ms() + CALLBACK_WAIT_MS;

	while (*count < want && now_ms() < deadline)
		GSM_ReadDevice(sm, TRUE);
	assert_int_equal(*count, want);
}

/* Dials a USSD code; the answer, if any, is in f->ussd. */
static GSM_Error
ussd(struct fix *f, const char *code)
{
	char number[32];
	GSM_Error err;

	memset(&f->ussd, 0, sizeof(f->ussd));
	snprintf(number, sizeof(number), "%s", code);
	GSM_SetIncomingUSSDCallback(f->sm, ussd_cb, &f->ussd);
	assert_int_equal(GSM_SetIncomingUSSD(f->sm, TRUE), ERR_NONE);
	err = GSM_DialService(f->sm, number);
	if (err == ERR_NONE)
		wait_for(f->sm, &f->ussd.done, 1);
	assert_int_equal(GSM_SetIncomingUSSD(f->sm, FALSE), ERR_NONE);
	return err;
}

static void
test_ussd(void **state)
{
	static const char vi[] = "TK chính: 10.000đ, hạn dùng 31/12/2022. Khuyến mãi: 5.000đ";
	struct fix *f = *state;

	ctl_ok(&f->sim, "ussd *101# gsm7 TK chinh: 10000d, HSD 31/12/2022");
	ctl_ok(&f->sim, "ussd *102# ucs2 %s", vi);
	assert_int_equal(ussd(f, "*101#"), ERR_NONE);
	assert_int_equal(f->ussd.status, USSD_NoActionNeeded);
	assert_string_equal(f->ussd.text, "TK chinh: 10000d, HSD 31/12/2022");
	assert_int_equal(ussd(f, "*102#"), ERR_NONE);
	assert_string_equal(f->ussd.text, vi);
	/* libgammu sends the code in UCS-2 hex: it switches to AT+CSCS="UCS2". */
	assert_string_equal(ctl_ok(&f->sim, "seen AT+CUSD=1,\"002A0031003000310023\""), "ok 1");
}

static void
test_ussd_refused(void **state)
{
	struct fix *f = *state;

	ctl_ok(&f->sim, "ussd *103# error");
	assert_int_equal(ussd(f, "*103#"), ERR_UNKNOWN);
	assert_int_equal(f->ussd.done, 0);
	/* A code the network does not know: +CUSD: 4, which libgammu reports
	 * through the callback and as a network error. */
	assert_int_equal(ussd(f, "*999#"), ERR_NETWORK_ERROR);
	assert_int_equal(f->ussd.done, 1);
	assert_int_equal(f->ussd.status, USSD_NotSupported);
}

/* GSM_GetSMS: AT+CMGR of one location; an empty one answers OK alone. */
static void
test_get_sms(void **state)
{
	static const char text[] = "LABOUR xã Hữu Liên 1200 850";
	struct fix *f = *state;
	GSM_MultiSMSMessage *multi = calloc(1, sizeof(*multi));
	char utf8[4 * (GSM_MAX_SMS_LENGTH + 1)];
	GSM_Error err;

	assert_non_null(multi);
	ctl_ok(&f->sim, "deliver +84912000004 %s", text);
	multi->Number = 1;
	multi->SMS[0].Folder = 1;
	multi->SMS[0].Location = 1;
	err = GSM_GetSMS(f->sm, multi);
	utf8[0] = '\0';
	if (err == ERR_NONE) {
		EncodeUTF8(utf8, multi->SMS[0].Text);
		multi->SMS[0].Location = 2;
		err = GSM_GetSMS(f->sm, multi);
	}
	free(multi);
	assert_string_equal(utf8, text);
	assert_int_equal(err, ERR_EMPTY);
	assert_int_equal(seen(&f->sim, "AT+CMGR="), 2);
}

static void
test_signal_and_network(void **state)
{
	struct fix *f = *state;
	GSM_SignalQuality sig;
	GSM_NetworkInfo net;

	ctl_ok(&f->sim, "csq 25 0");
	assert_int_equal(GSM_GetSignalQuality(f->sm, &sig), ERR_NONE);
	assert_int_equal(sig.SignalStrength, -113 + 2 * 25);
	assert_int_equal(sig.BitErrorRate, 0);

	memset(&net, 0, sizeof(net));
	assert_int_equal(GSM_GetNetworkInfo(f->sm, &net), ERR_NONE);
	assert_int_equal(net.State, GSM_HomeNetwork);
	assert_string_equal(net.NetworkCode, "452 04");
	assert_string_equal(net.LAC, "3A9C");
	assert_string_equal(net.CID, "1B2F");

	ctl_ok(&f->sim, "creg 5 0x1234 0xBEEF");
	memset(&net, 0, sizeof(net));
	assert_int_equal(GSM_GetNetworkInfo(f->sm, &net), ERR_NONE);
	assert_int_equal(net.State, GSM_RoamingNetwork);
	assert_string_equal(net.LAC, "1234");

	ctl_ok(&f->sim, "creg 0");
	ctl_ok(&f->sim, "csq 99 99");
	memset(&net, 0, sizeof(net));
	assert_int_equal(GSM_GetNetworkInfo(f->sm, &net), ERR_NONE);
	assert_int_equal(net.State, GSM_NoNetwork);
	assert_int_equal(GSM_GetSignalQuality(f->sm, &sig), ERR_NONE);
	assert_int_equal(sig.SignalPercent, -1);
}

static void
test_smsc(void **state)
{
	struct fix *f = *state;
	GSM_SMSC smsc;
	char number[4 * (GSM_MAX_NUMBER_LENGTH + 1)];

	memset(&smsc, 0, sizeof(smsc));
	smsc.Location = 1;
	assert_int_equal(GSM_GetSMSC(f->sm, &smsc), ERR_NONE);
	EncodeUTF8(number, smsc.Number);
	assert_string_equal(number, "+84980200030");
}

static void
sms_cb(GSM_StateMachine *sm, GSM_SMSMessage *sms, void *user)
{
	struct cmti_got *got = user;

	if (got->n < 8)
		got->location[got->n++] = sms->Location;
}

static void
test_cmti(void **state)
{
	struct fix *f = *state;

	memset(&f->cmti, 0, sizeof(f->cmti));
	GSM_SetIncomingSMSCallback(f->sm, sms_cb, &f->cmti);
	assert_int_equal(GSM_SetIncomingSMS(f->sm, TRUE), ERR_NONE);
	assert_string_equal(ctl_ok(&f->sim, "seen AT+CNMI=2,1"), "ok 1");
	ctl_ok(&f->sim, "deliver +84912000001 ENROL xa Minh Son 35 han");
	ctl_ok(&f->sim, "deliver +84912000001 GRAD xa Minh Son 30 han");
	wait_for(f->sm, &f->cmti.n, 2);
	assert_int_equal(f->cmti.location[0], 1);
	assert_int_equal(f->cmti.location[1], 2);
	/* Incoming SMS off: no more +CMTI reaches the callback. */
	assert_int_equal(GSM_SetIncomingSMS(f->sm, FALSE), ERR_NONE);
	ctl_ok(&f->sim, "deliver +84912000001 JOB xa Minh Son 9 han");
	GSM_ReadDevice(f->sm, TRUE);
	assert_int_equal(f->cmti.n, 2);
}

static void
test_sim_full(void **state)
{
	struct fix *f = *state;
	GSM_SMSMemoryStatus st;

	/* A SIM that is really full. */
	ctl_ok(&f->sim, "slots 2");
	ctl_ok(&f->sim, "deliver +84912000001 one");
	ctl_ok(&f->sim, "deliver +84912000001 two");
	assert_string_equal(ctl(&f->sim, "deliver +84912000001 three"),
			    "err sim full: stored 0 of 1");
	memset(&st, 0, sizeof(st));
	assert_int_equal(GSM_GetSMSStatus(f->sm, &st), ERR_NONE);
	assert_int_equal(st.SIMUsed, 2);
	assert_int_equal(st.SIMSize, 2);

	/* The "simfull" fault: a SIM that says it is full. */
	ctl_ok(&f->sim, "reset");
	ctl_ok(&f->sim, "deliver +84912000001 one");
	ctl_ok(&f->sim, "simfull on");
	assert_string_equal(ctl(&f->sim, "deliver +84912000001 two"),
			    "err sim full: stored 0 of 1");
	assert_int_equal(GSM_GetSMSStatus(f->sm, &st), ERR_NONE);
	assert_int_equal(st.SIMUsed, st.SIMSize);
}

/* Group 3: the gateway daemon on the simulator ------------------------- */

/*
 * The modem vanishes under the running gateway and comes back: the gateway
 * notices, reconnects by itself (with backoff), and the SMS that arrives
 * afterwards is stored and answered, with nothing lost or repeated.
 */
static void
test_daemon_reconnects(void **state)
{
	struct fix *f = *state;
	struct fixture fx;
	struct timespec pause = {1, 500 * 1000 * 1000};
	FILE *rc;
	pid_t pid;
	int status;

	alarm(120);
	assert_int_equal(fixture_setup(&fx, "./tinbao", "contrib/tinbao.conf"), 0);
	rc = fopen(fx.gammurc, "w");
	assert_non_null(rc);
	fprintf(rc, "[gammu]\ndevice = %s\nconnection = at\n", f->sim.link);
	assert_int_equal(fclose(rc), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		if (getenv("TEST_VERBOSE") == NULL && freopen("/dev/null", "w", stderr) == NULL)
			_exit(126);
		execl(fx.tinbao, fx.tinbao, "-c", fx.conf, "run", (char *)NULL);
		_exit(127);
	}
	ctl_ok(&f->sim, "deliver -t %d +84912000001 DK Minh Son 5 han", BASE_TIME);
	assert_int_equal(
	    fixture_wait_db(fx.db, "SELECT count(*) FROM outbox WHERE state='sent'", 1, 30000), 0);
	ctl_ok(&f->sim, "vanish");
	nanosleep(&pause, NULL);
	nanosleep(&pause, NULL);
	ctl_ok(&f->sim, "back");
	ctl_ok(&f->sim, "deliver -t %d +84912000002 DK Hoa Son 7 rau", BASE_TIME + 60);
	assert_int_equal(
	    fixture_wait_db(fx.db, "SELECT count(*) FROM outbox WHERE state='sent'", 2, 60000), 0);
	assert_int_equal(fixture_db_int(fx.db, "SELECT count(*) FROM inbox", NULL), 2);
	assert_int_equal(fixture_db_int(fx.db, "SELECT count(*) FROM reports", NULL), 2);
	assert_string_equal(ctl_ok(&f->sim, "sent"), "ok 2");
	assert_string_equal(ctl_ok(&f->sim, "sim"), "ok 0/30");
	kill(pid, SIGTERM);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	fixture_teardown(&fx);
	alarm(0);
}

/* Group 4: the gateway daemon, announced SMS, parts and several modems -- */

/* A gateway on one or more simulators: the fixture's copy of
 * contrib/tinbao.conf, with `gateway` in place of its poll_interval and
 * multipart_timeout lines and `top` appended (mode 0600), and a gammurc with one section a
 * simulator. */
struct daemon {
	struct fixture fx;
	pid_t pid;
};

static void
daemon_setup(struct daemon *d, struct sim *const *sims, int nsims, const char *gateway,
	     const char *top)
{
	char line[1024], path[160];
	FILE *in, *out, *rc;
	int fd, i;

	memset(d, 0, sizeof(*d));
	assert_int_equal(fixture_setup(&d->fx, "./tinbao", "contrib/tinbao.conf"), 0);
	rc = fopen(d->fx.gammurc, "w");
	assert_non_null(rc);
	for (i = 0; i < nsims; i++) {
		if (i == 0)
			fprintf(rc, "[gammu]\n");
		else
			fprintf(rc, "[gammu%d]\n", i);
		fprintf(rc, "device = %s\nconnection = at\n\n", sims[i]->link);
	}
	assert_int_equal(fclose(rc), 0);
	snprintf(path, sizeof(path), "%s.new", d->fx.conf);
	in = fopen(d->fx.conf, "r");
	assert_non_null(in);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd != -1);
	out = fdopen(fd, "w");
	assert_non_null(out);
	while (fgets(line, sizeof(line), in) != NULL) {
		if (strstr(line, "poll_interval =") != NULL && strchr(line, '#') == NULL)
			fprintf(out, "\t%s\n", gateway);
		else if (strstr(line, "multipart_timeout =") != NULL && strchr(line, '#') == NULL)
			continue; /* the default; `gateway` may set it */
		else
			fputs(line, out);
	}
	fprintf(out, "%s\n", top);
	fclose(in);
	assert_int_equal(fclose(out), 0);
	assert_int_equal(rename(path, d->fx.conf), 0);
}

/* Starts `tinbao run`; fake_now (or NULL) goes into TINBAO_FAKE_NOW. */
static void
daemon_start(struct daemon *d, const char *fake_now)
{
	d->pid = fork();
	assert_true(d->pid != -1);
	if (d->pid == 0) {
#ifdef __linux__
		prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
		if (fake_now != NULL)
			setenv("TINBAO_FAKE_NOW", fake_now, 1);
		if (getenv("TEST_VERBOSE") == NULL && freopen("/dev/null", "w", stderr) == NULL)
			_exit(126);
		execl(d->fx.tinbao, d->fx.tinbao, "-c", d->fx.conf, "run", (char *)NULL);
		_exit(127);
	}
}

/* SIGTERM; it must exit 0 within 10 s. */
/* Runs `tinbao -c conf ARGS` (a shell word list) to the end, its standard
 * output into out; returns its exit status. */
static int
daemon_cli(struct daemon *d, const char *args, char *out, size_t outsz)
{
	char cmd[1024];
	size_t n;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "%s -c %s %s 2>/dev/null", d->fx.tinbao, d->fx.conf, args);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, outsz - 1, p);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
daemon_stop(struct daemon *d)
{
	struct timespec step = {0, 10 * 1000 * 1000};
	int64_t deadline = now_ms() + 10000;
	int status = 0;
	pid_t r = 0;

	if (d->pid <= 0)
		return;
	kill(d->pid, SIGTERM);
	while ((r = waitpid(d->pid, &status, WNOHANG)) == 0 && now_ms() < deadline)
		nanosleep(&step, NULL);
	if (r == 0) {
		kill(d->pid, SIGKILL);
		waitpid(d->pid, &status, 0);
	}
	d->pid = 0;
	if (r == 0)
		fail_msg("the gateway did not stop within 10 s");
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Group 5: the modem's health and USSD through the gateway ---- */

#define ADMIN "+84912000009"
#define PIN "123456789012"

/* A gateway on the simulator: the fixture's files, its gammurc pointing at
 * the simulator, extra settings appended to the configuration (mode 0600). */
static void
gw_setup(struct fix *f, struct fixture *fx, const char *extra)
{
	FILE *fp;

	assert_int_equal(fixture_setup(fx, "./tinbao", "contrib/tinbao.conf"), 0);
	fp = fopen(fx->gammurc, "w");
	assert_non_null(fp);
	fprintf(fp, "[gammu]\ndevice = %s\nconnection = at\n", f->sim.link);
	assert_int_equal(fclose(fp), 0);
	fp = fopen(fx->conf, "a");
	assert_non_null(fp);
	fprintf(fp, "\nadmins = [\"" ADMIN "\"];\n%s\n", extra);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(chmod(fx->conf, 0600), 0);
}

/* Starts `tinbao -d -c conf run`, its log (stderr) into errpath. */
static pid_t
gw_start(const struct fixture *fx, const char *errpath)
{
	pid_t pid = fork();
	int fd;

	assert_true(pid != -1);
	if (pid == 0) {
		fd = open(errpath, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd == -1 || dup2(fd, STDERR_FILENO) == -1)
			_exit(126);
		execl(fx->tinbao, fx->tinbao, "-d", "-c", fx->conf, "run", (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* A gateway whose modem is the simulator; set: key, value pairs for the
 * configuration, NULL-terminated (or NULL). */
static void
ob_setup(const struct fix *f, struct fixture *fx, const char *const *set)
{
	FILE *rc;

	assert_int_equal(fixture_setup(fx, "./tinbao", "contrib/tinbao.conf"), 0);
	rc = fopen(fx->gammurc, "w");
	assert_non_null(rc);
	fprintf(rc, "[gammu]\ndevice = %s\nconnection = at\n", f->sim.link);
	assert_int_equal(fclose(rc), 0);
	for (; set != NULL && *set != NULL; set += 2)
		if (fixture_conf_set(fx, set[0], set[1]) == -1)
			fail_msg("cannot set %s in %s", set[0], fx->conf);
}

/* Starts `tinbao run` in the background. */
static pid_t
ob_spawn(const struct fixture *fx)
{
	pid_t pid = fork();

	assert_true(pid != -1);
	if (pid == 0) {
		if (getenv("TEST_VERBOSE") == NULL && freopen("/dev/null", "w", stderr) == NULL)
			_exit(126);
		unsetenv("TINBAO_CRASH");
		execl(fx->tinbao, fx->tinbao, "-c", fx->conf, "run", (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* SIGTERM, and the gateway must stop cleanly. */
static void
gw_stop(pid_t pid)
{
	int status;

	kill(pid, SIGTERM);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static int64_t
db(struct daemon *d, const char *sql)
{
	return fixture_db_int(d->fx.db, sql, NULL);
}

static void
wait_db(struct daemon *d, const char *sql, int64_t want, int ms)
{
	if (fixture_wait_db(d->fx.db, sql, want, ms) == -1)
		fail_msg("after %d ms, %s gives %lld, not %lld", ms, sql, (long long)db(d, sql),
			 (long long)want);
}

/* Waits until the simulator has received at least n SMS-SUBMIT; -1 when
 * ms ran out. */
static int
wait_sent(struct sim *s, int n, int ms)
{
	struct timespec step = {0, 10 * 1000 * 1000};
	int64_t deadline = now_ms() + ms;

	do {
		if (atoi(ctl_ok(s, "sent") + 3) >= n)
			return 0;
		nanosleep(&step, NULL);
	} while (now_ms() < deadline);
	return -1;
}

/* Waits until the gateway has connected (its AT+CNMI) and had time for its
 * first scan. */
static void
wait_connected(struct sim *s)
{
	struct timespec step = {0, 50 * 1000 * 1000}, settle = {1, 0};
	int64_t deadline = now_ms() + 20000;

	while (seen(s, "AT+CNMI") == 0 && now_ms() < deadline)
		nanosleep(&step, NULL);
	assert_true(seen(s, "AT+CNMI") > 0);
	nanosleep(&settle, NULL);
}

/* utime + stime of a process, in clock ticks. */
static long
cpu_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	p = strrchr(buf, ')'); /* the command name may hold spaces */
	assert_non_null(p);
	/* Fields 3.. after the name; utime and stime are fields 14 and 15. */
	assert_int_equal(
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st), 2);
	return (long)(ut + st);
}

static int
count_in(const char *s, const char *what)
{
	int n = 0;

	while ((s = strstr(s, what)) != NULL) {
		n++;
		s += strlen(what);
	}
	return n;
}

/* The whole of a file (a gateway's log) into buf. */
static void
read_log(const char *path, char *buf, size_t bufsz)
{
	FILE *fp = fopen(path, "r");
	size_t n = 0;

	if (fp != NULL) {
		n = fread(buf, 1, bufsz - 1, fp);
		fclose(fp);
	}
	buf[n] = '\0';
}

/*
 * No modem when the gateway starts (a USB modem not plugged in yet: its
 * device does not exist).  `run --once` gives up in one line; the daemon
 * says once that it waits, keeps working meanwhile, and answers through
 * the modem as soon as it appears.
 */
static void
test_daemon_modem_later(void **state)
{
	struct timespec pause = {2, 500 * 1000 * 1000};
	struct fixture fx;
	struct sim late;
	char errpath[160], cmd[512], *out;
	FILE *fp;
	size_t n;
	pid_t pid;
	int status, fd;

	alarm(120);
	out = malloc(65536);
	assert_non_null(out);
	sim_prepare(&late);
	assert_int_equal(fixture_setup(&fx, "./tinbao", "contrib/tinbao.conf"), 0);
	fp = fopen(fx.gammurc, "w");
	assert_non_null(fp);
	fprintf(fp, "[gammu]\ndevice = %s\nconnection = at\n", late.link);
	assert_int_equal(fclose(fp), 0);

	snprintf(cmd, sizeof(cmd), "%s -c %s run --once 2>&1", fx.tinbao, fx.conf);
	fp = popen(cmd, "r");
	assert_non_null(fp);
	n = fread(out, 1, 65535, fp);
	out[n] = '\0';
	status = pclose(fp);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	assert_non_null(strstr(out, "run --once gives up"));

	snprintf(errpath, sizeof(errpath), "%s/gateway.log", fx.dir);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		fd = open(errpath, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd == -1 || dup2(fd, STDERR_FILENO) == -1)
			_exit(126);
		execl(fx.tinbao, fx.tinbao, "-c", fx.conf, "run", (char *)NULL);
		_exit(127);
	}
	nanosleep(&pause, NULL);
	read_log(errpath, out, 65536);
	if (waitpid(pid, &status, WNOHANG) != 0)
		fail_msg("the gateway stopped without a modem:\n%s", out);
	assert_non_null(strstr(out, "gateway running"));
	assert_int_equal(count_in(out, "waiting for it"), 1);

	sim_spawn(&late);
	ctl_ok(&late, "deliver -t %d +84912000001 DK Minh Son 5 han", BASE_TIME);
	if (wait_sent(&late, 1, 40000) == -1) {
		read_log(errpath, out, 65536);
		fail_msg("no reply through the modem that appeared:\n%s", out);
	}
	assert_int_equal(
	    fixture_wait_db(fx.db, "SELECT count(*) FROM outbox WHERE state='sent'", 1, 10000), 0);
	gw_stop(pid);
	read_log(errpath, out, 65536);
	assert_int_equal(count_in(out, "waiting for it"), 1);
	assert_int_equal(count_in(out, "still away"), 0);
	assert_non_null(strstr(out, "connected, working"));
	sim_stop(&late);
	fixture_teardown(&fx);
	free(out);
	alarm(0);
}

/*
 * An SMS the modem announces (+CMTI) is answered at once, not at the next
 * scan: poll_interval is 60 s, the reply must reach the simulator within the
 * 2 s the issue asks for.  The idle daemon, which reads the modem in 50 ms
 * slices, must not spin.
 */
static void
test_daemon_announced(void **state)
{
	struct fix *f = *state;
	struct sim *sims[] = {&f->sim};
	struct timespec idle = {5, 0};
	struct daemon d;
	int64_t t0, took;
	long ticks, hz = sysconf(_SC_CLK_TCK);

	alarm(90);
	daemon_setup(&d, sims, 1, "poll_interval = 60;", "");
	daemon_start(&d, NULL);
	wait_connected(&f->sim);
	t0 = now_ms();
	ctl_ok(&f->sim, "deliver +84912000001 DK Minh Son 5 han");
	assert_int_equal(wait_sent(&f->sim, 1, 10000), 0);
	took = now_ms() - t0;
	print_message("    announced SMS answered in %lld ms\n", (long long)took);
	assert_true(took <= 2000);
	wait_db(&d, "SELECT count(*) FROM outbox WHERE state='sent'", 1, 5000);
	assert_int_equal(db(&d, "SELECT count(*) FROM inbox WHERE modem='modem'"), 1);

	ticks = cpu_ticks(d.pid);
	nanosleep(&idle, NULL);
	ticks = cpu_ticks(d.pid) - ticks;
	print_message("    idle daemon: %ld ticks of CPU in 5 s (%.2f%%)\n", ticks,
		      100.0 * (double)ticks / (double)(5 * hz));
	assert_true(ticks * 100 < 5 * hz * 5); /* under 5% of a core */
	daemon_stop(&d);
	fixture_teardown(&d.fx);
	alarm(0);
}

/* A modem that does not announce SMS (AT+CNMI refused): the scan every
 * poll_interval still finds them. */
static void
test_daemon_scan_fallback(void **state)
{
	struct fix *f = *state;
	struct sim *sims[] = {&f->sim};
	struct daemon d;

	alarm(90);
	ctl_ok(&f->sim, "error 100 AT+CNMI");
	daemon_setup(&d, sims, 1, "poll_interval = 2;", "");
	daemon_start(&d, NULL);
	ctl_ok(&f->sim, "deliver +84912000001 DK Minh Son 5 han");
	assert_int_equal(wait_sent(&f->sim, 1, 30000), 0);
	wait_db(&d, "SELECT count(*) FROM outbox WHERE state='sent'", 1, 5000);
	daemon_stop(&d);
	fixture_teardown(&d.fx);
	alarm(0);
}

/* Three parts, each a report of its own (153 characters a part). */
static void
three_parts(char *buf, size_t sz)
{
	snprintf(buf, sz, "%-153s%-153s%s", "DK xa Minh Son 5 han;", "DK xa Hoa Son 7 rau;",
		 "TN xa Minh Son 3 han");
}

/*
 * Part 2 of 3 never comes: the two others wait in the database (across a
 * restart), and once multipart_timeout (600 s by default) has passed since
 * the first, the message is processed as it is and the officer told that
 * part 2 is missing.  Part 2 coming afterwards is processed on its own.
 */
static void
test_daemon_multipart_timeout(void **state)
{
	struct fix *f = *state;
	struct sim *sims[] = {&f->sim};
	char text[512], now[32];
	struct daemon d;

	alarm(120);
	three_parts(text, sizeof(text));
	daemon_setup(&d, sims, 1, "poll_interval = 1;", "");
	snprintf(now, sizeof(now), "%d", BASE_TIME);
	daemon_start(&d, now);
	ctl_ok(&f->sim, "deliver -t %d -n 42 -x 2 +84912000001 %s", BASE_TIME, text);
	wait_db(&d, "SELECT count(*) FROM inbox_parts WHERE inbox_id IS NULL", 2, 30000);
	daemon_stop(&d);
	assert_int_equal(db(&d, "SELECT count(*) FROM inbox"), 0);
	assert_string_equal(ctl_ok(&f->sim, "sim"), "ok 0/30"); /* they are in the database */

	/* 599 s later: still waiting. */
	snprintf(now, sizeof(now), "%d", BASE_TIME + 599);
	daemon_start(&d, now);
	wait_connected(&f->sim);
	daemon_stop(&d);
	assert_int_equal(db(&d, "SELECT count(*) FROM inbox"), 0);

	snprintf(now, sizeof(now), "%d", BASE_TIME + 601);
	daemon_start(&d, now);
	wait_db(&d,
		"SELECT count(*) FROM outbox WHERE state='sent' AND text LIKE 'Tin nhan thieu "
		"phan 2/3%'",
		1, 30000);
	assert_int_equal(db(&d, "SELECT count(*) FROM inbox WHERE missing='2/3' AND parts=3"), 1);
	assert_int_equal(db(&d, "SELECT count(*) FROM reports"), 2);
	assert_int_equal(db(&d, "SELECT count(*) FROM inbox_parts WHERE inbox_id IS NULL"), 0);

	/* The lost part comes after all: answered at once, its report kept. */
	ctl_ok(&f->sim, "deliver -t %d -n 42 -x 1,3 +84912000001 %s", BASE_TIME, text);
	wait_db(&d,
		"SELECT count(*) FROM outbox WHERE state='sent' AND text LIKE 'Tin nhan thieu "
		"phan 1,3/3%'",
		1, 30000);
	assert_int_equal(db(&d, "SELECT count(*) FROM reports"), 3);
	assert_int_equal(db(&d, "SELECT count(*) FROM inbox"), 2);
	daemon_stop(&d);
	fixture_teardown(&d.fx);
	alarm(0);
}

/*
 * Parts that come out of order and hours apart, with a restart in between,
 * are joined into one message when multipart_timeout allows it (here 4 h):
 * the usual reply, nothing said about missing parts.
 */
static void
test_daemon_multipart_hours_apart(void **state)
{
	struct fix *f = *state;
	struct sim *sims[] = {&f->sim};
	char text[512], now[32];
	struct daemon d;

	alarm(120);
	three_parts(text, sizeof(text));
	daemon_setup(&d, sims, 1, "poll_interval = 1; multipart_timeout = 14400;", "");
	snprintf(now, sizeof(now), "%d", BASE_TIME);
	daemon_start(&d, now);
	ctl_ok(&f->sim, "deliver -t %d -n 7 -o 3,2,1 -x 1 +84912000001 %s", BASE_TIME, text);
	wait_db(&d, "SELECT count(*) FROM inbox_parts WHERE inbox_id IS NULL", 2, 30000);
	daemon_stop(&d);

	snprintf(now, sizeof(now), "%d", BASE_TIME + 3 * 3600);
	daemon_start(&d, now);
	wait_connected(&f->sim);
	assert_int_equal(db(&d, "SELECT count(*) FROM inbox"), 0);
	ctl_ok(&f->sim, "deliver -t %d -n 7 -x 2,3 +84912000001 %s", BASE_TIME + 3 * 3600, text);
	wait_db(&d, "SELECT count(*) FROM outbox WHERE state='sent'", 1, 30000);
	assert_int_equal(db(&d, "SELECT count(*) FROM inbox WHERE parts=3 AND missing IS NULL"), 1);
	assert_int_equal(db(&d, "SELECT count(*) FROM reports"), 3);
	assert_int_equal(db(&d, "SELECT count(*) FROM outbox WHERE text LIKE 'Tin nhan thieu%'"),
			 0);
	daemon_stop(&d);
	fixture_teardown(&d.fx);
	alarm(0);
}

#define ALERTS_UP "SELECT count(*) FROM outbox WHERE reason='alert' AND text LIKE 'Canh bao%'"
#define ALERTS_DOWN "SELECT count(*) FROM outbox WHERE reason='alert' AND text LIKE 'Het canh%'"

/*
 * A SIM that stays full after the scan (its SMS cannot be deleted, or it
 * says it is full) raises the sim_full alert once, cleared when the gateway
 * has emptied it; every SMS is stored once.
 */
static void
test_daemon_sim_full(void **state)
{
	struct fix *f = *state;
	struct sim *sims[] = {&f->sim};
	struct timespec turns = {3, 0};
	struct daemon d;

	alarm(120);
	ctl_ok(&f->sim, "slots 2");
	ctl_ok(&f->sim, "deliver +84912000001 DK Minh Son 5 han");
	ctl_ok(&f->sim, "deliver +84912000002 DK Hoa Son 7 rau");
	ctl_ok(&f->sim, "cms 100000 321 AT+CMGD");
	daemon_setup(&d, sims, 1, "poll_interval = 1;", "admins = [\"+84912999999\"];");
	daemon_start(&d, NULL);
	wait_db(&d, "SELECT count(*) FROM alerts WHERE key='sim_full' AND active=1", 1, 30000);
	wait_db(&d, ALERTS_UP " AND state='sent' AND recipient='+84912999999'", 1, 10000);
	nanosleep(&turns, NULL); /* several scans: still one alert */
	assert_int_equal(db(&d, ALERTS_UP), 1);
	assert_int_equal(db(&d, "SELECT count(*) FROM inbox"), 2);

	/* Deleting works again: the gateway empties the SIM, the alert ends. */
	ctl_ok(&f->sim, "cms 0 0");
	wait_db(&d, "SELECT count(*) FROM alerts WHERE key='sim_full' AND active=0", 1, 10000);
	wait_db(&d, ALERTS_DOWN, 1, 10000);
	assert_string_equal(ctl_ok(&f->sim, "sim"), "ok 0/2");
	assert_int_equal(db(&d, "SELECT count(*) FROM inbox"), 2);
	assert_int_equal(db(&d, "SELECT count(*) FROM outbox WHERE reason='reply'"), 2);

	/* Full again (the SIM says so and one SMS cannot be deleted): raised
	 * again, since it was cleared, and cleared again. */
	ctl_ok(&f->sim, "cms 100000 321 AT+CMGD");
	ctl_ok(&f->sim, "deliver +84912000003 DK Minh Son 2 han");
	ctl_ok(&f->sim, "simfull on");
	wait_db(&d, ALERTS_UP, 2, 10000);
	ctl_ok(&f->sim, "simfull off");
	ctl_ok(&f->sim, "cms 0 0");
	wait_db(&d, ALERTS_DOWN, 2, 10000);
	assert_int_equal(db(&d, "SELECT count(*) FROM inbox"), 3);
	daemon_stop(&d);
	fixture_teardown(&d.fx);
	alarm(0);
}

/* Group 5: two simulators as two modems ------------------------------- */

struct fix2 {
	struct sim a, b;
};

static int
two_group_setup(void **state)
{
	struct fix2 *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	alarm(TEST_ALARM_S);
	sim_start(&f->a);
	sim_start(&f->b);
	alarm(0);
	*state = f;
	return 0;
}

static int
two_group_teardown(void **state)
{
	struct fix2 *f = *state;

	alarm(TEST_ALARM_S);
	sim_stop(&f->b);
	alarm_victim = f->a.pid;
	sim_stop(&f->a);
	alarm(0);
	free(f);
	return 0;
}

static int
two_setup(void **state)
{
	struct fix2 *f = *state;

	alarm(TEST_ALARM_S);
	ctl_ok(&f->a, "reset");
	ctl_ok(&f->b, "reset");
	if (strcmp(ctl_ok(&f->b, "ping"), "ok (vanished)") == 0)
		ctl_ok(&f->b, "back");
	return 0;
}

static int
two_teardown(void **state)
{
	alarm(0);
	return 0;
}

#define MODEMS_AB(bsend)                                                                           \
	"modems = ( { name = \"a\"; section = 0; }, { name = \"b\"; section = 1; send = " bsend    \
	"; } );"

/* Both receive; only the one allowed to send sends, also the replies to
 * what the other received. */
static void
test_two_receive_only(void **state)
{
	struct fix2 *f = *state;
	struct sim *sims[] = {&f->a, &f->b};
	struct daemon d;
	char out[4096];

	alarm(90);
	daemon_setup(&d, sims, 2, "poll_interval = 60;", MODEMS_AB("false"));
	daemon_start(&d, NULL);
	wait_connected(&f->a);
	wait_connected(&f->b);
	ctl_ok(&f->a, "deliver +84912000001 DK Minh Son 5 han");
	ctl_ok(&f->b, "deliver +84912000002 DK Hoa Son 7 rau");
	wait_db(&d, "SELECT count(*) FROM outbox WHERE state='sent'", 2, 20000);
	assert_int_equal(db(&d, "SELECT count(*) FROM inbox WHERE modem='a'"), 1);
	assert_int_equal(db(&d, "SELECT count(*) FROM inbox WHERE modem='b'"), 1);
	assert_int_equal(db(&d, "SELECT count(*) FROM inbox"), 2);
	assert_string_equal(ctl_ok(&f->a, "sent"), "ok 2");
	assert_string_equal(ctl_ok(&f->b, "sent"), "ok 0");
	assert_string_equal(ctl_ok(&f->a, "sim"), "ok 0/30");
	assert_string_equal(ctl_ok(&f->b, "sim"), "ok 0/30");
	daemon_stop(&d);
	/* `tinbao status` shows each modem under its name; `tinbao ussd
	 * --modem` dials through the one named. */
	assert_int_equal(daemon_cli(&d, "status", out, sizeof(out)), 0);
	if (strstr(out, "modem_network[a]: ") == NULL ||
	    strstr(out, "modem_network[b]: ") == NULL || strstr(out, "balance[b]: ") == NULL)
		fail_msg("status: %s", out);
	ctl_ok(&f->b, "ussd *101# gsm7 TK chinh: 12.345d");
	assert_int_equal(daemon_cli(&d, "ussd --modem b '*101#'", out, sizeof(out)), 0);
	assert_string_equal(out, "TK chinh: 12.345d\n");
	assert_int_equal(db(&d,
			    "SELECT count(*) FROM ussd WHERE modem = 'b' AND purpose = 'manual' "
			    "AND status = 'ok'"),
			 1);
	assert_int_not_equal(daemon_cli(&d, "ussd --modem zz '*101#'", out, sizeof(out)), 0);
	fixture_teardown(&d.fx);
	alarm(0);
}

/* Replies are spread over the modems that may send; one vanishes, the other
 * still receives and sends; it comes back and receives again. */
static void
test_two_spread_and_vanish(void **state)
{
	struct fix2 *f = *state;
	struct sim *sims[] = {&f->a, &f->b};
	struct timespec pause = {1, 0};
	struct daemon d;
	int i;

	alarm(120);
	daemon_setup(&d, sims, 2, "poll_interval = 60;", MODEMS_AB("true"));
	daemon_start(&d, NULL);
	wait_connected(&f->a);
	wait_connected(&f->b);
	for (i = 0; i < 2; i++) {
		ctl_ok(&f->a, "deliver +8491200001%d DK Minh Son %d han", i, i + 1);
		ctl_ok(&f->b, "deliver +8491200002%d DK Hoa Son %d rau", i, i + 1);
	}
	wait_db(&d, "SELECT count(*) FROM outbox WHERE state='sent'", 4, 20000);
	assert_string_equal(ctl_ok(&f->a, "sent"), "ok 2");
	assert_string_equal(ctl_ok(&f->b, "sent"), "ok 2");

	ctl_ok(&f->b, "vanish");
	nanosleep(&pause, NULL);
	ctl_ok(&f->a, "deliver +84912000031 DK Minh Son 9 han");
	ctl_ok(&f->a, "deliver +84912000032 DK Minh Son 8 han");
	wait_db(&d, "SELECT count(*) FROM outbox WHERE state='sent'", 6, 30000);
	assert_string_equal(ctl_ok(&f->a, "sent"), "ok 4");
	assert_int_equal(db(&d, "SELECT count(*) FROM inbox WHERE modem='a'"), 4);

	ctl_ok(&f->b, "back");
	ctl_ok(&f->b, "deliver +84912000041 DK Hoa Son 4 rau");
	wait_db(&d, "SELECT count(*) FROM outbox WHERE state='sent'", 7, 60000);
	assert_int_equal(db(&d, "SELECT count(*) FROM inbox WHERE modem='b'"), 3);
	assert_int_equal(db(&d, "SELECT count(*) FROM inbox"), 7);
	daemon_stop(&d);
	fixture_teardown(&d.fx);
	alarm(0);
}

/*
 * Runs `tinbao -c conf ARGS...` (NULL-terminated), bounded to 60 s: its
 * stdout into out, its stderr appended to errpath.  Returns the exit status,
 * or -1 when it did not exit in time.
 */
static int
tinbao(const struct fixture *fx, char *out, size_t outsz, const char *errpath, ...)
{
	const char *argv[16];
	int64_t deadline = now_ms() + 60000;
	struct pollfd pfd;
	int fds[2], argc = 0, status, fd;
	size_t n = 0;
	ssize_t got;
	va_list ap;
	pid_t pid;

	argv[argc++] = fx->tinbao;
	argv[argc++] = "-c";
	argv[argc++] = fx->conf;
	va_start(ap, errpath);
	while (argc < 15 && (argv[argc] = va_arg(ap, const char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		fd = open(errpath, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd == -1 || dup2(fd, STDERR_FILENO) == -1 || dup2(fds[1], STDOUT_FILENO) == -1)
			_exit(126);
		close(fds[0]);
		execv(fx->tinbao, (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	out[0] = '\0';
	while (now_ms() < deadline) {
		if (poll(&pfd, 1, ms_left(deadline)) <= 0)
			break;
		got = read(fds[0], out + n, outsz - 1 - n);
		if (got <= 0)
			break;
		n += (size_t)got;
		out[n] = '\0';
		if (n == outsz - 1)
			break;
	}
	close(fds[0]);
	if (now_ms() >= deadline)
		kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Whether the file at path contains needle (bytes, anywhere). */
static int
file_has(const char *path, const char *needle)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long len;
	size_t i;
	int found;

	if (fp == NULL)
		return 0;
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	found = 0;
	for (i = 0; !found && i + strlen(needle) <= (size_t)len; i++)
		found = memcmp(buf + i, needle, strlen(needle)) == 0;
	free(buf);
	return found;
}

static int64_t
fxdb(const struct fixture *fx, const char *sql)
{
	int err = 0;
	int64_t v = fixture_db_int(fx->db, sql, &err);

	assert_int_equal(err, 0);
	return v;
}

#define WAIT_DB(fx, sql, want) assert_int_equal(fixture_wait_db((fx)->db, sql, want, 30000), 0)

/*
 * Signal and registration are read and kept (on change only); the network
 * goes away for longer than network_lost_alert and comes back: one alert,
 * raised once it is back, saying how long; `tinbao status` shows it all.
 */
static void
test_health_network_lost(void **state)
{
	struct fix *f = *state;
	struct fixture fx;
	char out[4096], log[192];
	struct timespec pause = {3, 500 * 1000 * 1000};
	pid_t pid;

	alarm(120);
	gw_setup(f, &fx,
		 "modem_checks = { interval = 1; network_lost_alert = 2; };\n"
		 "balance = { enabled = false; };");
	snprintf(log, sizeof(log), "%s/log", fx.dir);
	ctl_ok(&f->sim, "csq 20 0");
	pid = gw_start(&fx, log);
	WAIT_DB(&fx,
		"SELECT count(*) FROM modem_readings WHERE reg = 'home' AND signal_pct >= 0 "
		"AND dbm = -73 AND operator LIKE '452 04%'",
		1);
	ctl_ok(&f->sim, "creg 0");
	WAIT_DB(&fx, "SELECT count(*) FROM network_outages WHERE back_at IS NULL", 1);
	WAIT_DB(&fx, "SELECT count(*) FROM modem_readings WHERE reg = 'none'", 1);
	nanosleep(&pause, NULL);
	/* Lost, but no alert yet: the SMS could not go out. */
	assert_int_equal(fxdb(&fx, "SELECT count(*) FROM outbox WHERE reason = 'alert'"), 0);
	ctl_ok(&f->sim, "creg 1");
	WAIT_DB(&fx,
		"SELECT count(*) FROM outbox WHERE reason = 'alert' AND recipient = '" ADMIN
		"' AND text LIKE '%mat song%co song lai%'",
		1);
	WAIT_DB(&fx, "SELECT count(*) FROM network_outages WHERE back_at - lost_at >= 3", 1);
	/* More reads while registered: no second alert, and readings are kept
	 * on change only (home, none, home), not at every read. */
	nanosleep(&pause, NULL);
	assert_int_equal(fxdb(&fx, "SELECT count(*) FROM outbox WHERE reason = 'alert'"), 1);
	assert_int_equal(fxdb(&fx, "SELECT count(*) FROM modem_readings"), 3);
	assert_int_equal(fxdb(&fx, "SELECT active FROM alerts WHERE key = 'network_lost'"), 0);
	assert_true(file_has(log, "health modem: network home -> none"));
	/* The running gateway holds the modem: tinbao ussd hands the code to it
	 * through the database, and prints the answer it got. */
	ctl_ok(&f->sim, "ussd *102# gsm7 Goi MAX100 con 3 ngay");
	assert_int_equal(tinbao(&fx, out, sizeof(out), log, "ussd", "*102#", (char *)NULL), 0);
	assert_string_equal(out, "Goi MAX100 con 3 ngay\n");
	assert_int_equal(fxdb(&fx,
			      "SELECT count(*) FROM ussd WHERE purpose = 'manual' AND code = "
			      "'*102#' AND status = 'ok' AND answer = 'Goi MAX100 con 3 ngay'"),
			 1);
	assert_int_equal(tinbao(&fx, out, sizeof(out), log, "ussd", "*999#", (char *)NULL), 1);
	assert_true(file_has(log, "tinbao: ussd: *999#: the network refused the code"));
	/* A code with a card PIN is not written to the database for it. */
	assert_int_equal(tinbao(&fx, out, sizeof(out), log, "ussd", "*100*" PIN "#", (char *)NULL),
			 1);
	assert_true(file_has(log, "a code with a card PIN is not handed to it"));
	assert_false(file_has(log, PIN));
	gw_stop(pid);
	assert_int_equal(tinbao(&fx, out, sizeof(out), log, "status", (char *)NULL), 0);
	assert_non_null(strstr(out, "modem_signal: 60% (-73 dBm) at "));
	assert_non_null(strstr(out, "modem_network: home 452 04"));
	assert_non_null(strstr(out, "modem_network_last_lost: 20"));
	assert_non_null(strstr(out, " for 1 min"));
	assert_non_null(strstr(out, "balance: unknown"));
	fixture_teardown(&fx);
	alarm(0);
}

static void
ob_wait_db(const struct fixture *fx, const char *sql, int64_t want, int ms)
{
	if (fixture_wait_db(fx->db, sql, want, ms) == -1)
		fail_msg("%s: not %lld after %d ms (now %lld)", sql, (long long)want, ms,
			 (long long)fixture_db_int(fx->db, sql, NULL));
}

/* The line of `tinbao status` that starts with key, or fails. */
static void
status_has(const struct fixture *fx, const char *line)
{
	char cmd[256], buf[256];
	FILE *p;
	int found = 0;

	snprintf(cmd, sizeof(cmd), "%s -c %s status 2>/dev/null", fx->tinbao, fx->conf);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(buf, sizeof(buf), p) != NULL) {
		buf[strcspn(buf, "\n")] = '\0';
		if (strcmp(buf, line) == 0)
			found = 1;
	}
	assert_int_equal(pclose(p), 0);
	if (!found)
		fail_msg("`tinbao status` has no line \"%s\"", line);
}

/*
 * A lost acknowledgement: the modem takes the reply's PDU and the +CMGS
 * answer never comes (then it hangs).  The gateway must not send the reply
 * again: the row is "sent" with error "unconfirmed", shown by `tinbao
 * status`.  When the modem comes back, the gateway reconnects, the next
 * reply goes out normally, and the simulator has each reply exactly once.
 */
static void
test_daemon_lost_ack(void **state)
{
	static const char *const set[] = {"ack_timeout", "5", NULL};
	struct fix *f = *state;
	struct fixture fx;
	pid_t pid;

	alarm(150);
	ob_setup(f, &fx, set);
	ctl_ok(&f->sim, "noack 1");
	ctl_ok(&f->sim, "deliver -t %d +84912000001 DK Minh Son 5 han", BASE_TIME);
	pid = ob_spawn(&fx);
	ob_wait_db(&fx, "SELECT count(*) FROM outbox WHERE state='sent' AND error='unconfirmed'", 1,
		   60000);
	assert_string_equal(ctl_ok(&f->sim, "sent"), "ok 1");
	ctl_ok(&f->sim, "unhang");
	ctl_ok(&f->sim, "deliver -t %d +84912000002 DK Hoa Son 7 rau", BASE_TIME + 60);
	ob_wait_db(&fx, "SELECT count(*) FROM outbox WHERE state='sent' AND error IS NULL", 1,
		   90000);
	gw_stop(pid);
	assert_string_equal(ctl_ok(&f->sim, "sent"), "ok 2");
	assert_true(starts_with(ctl_ok(&f->sim, "sent 0"), "ok +84912000001 gsm7 1/1 -1 OK #1"));
	assert_true(starts_with(ctl_ok(&f->sim, "sent 1"), "ok +84912000002 gsm7 1/1 -1 OK #2"));
	assert_int_equal(fixture_db_int(fx.db,
					"SELECT count(*) FROM outbox_parts WHERE outbox_id=1 AND "
					"state='unknown'",
					NULL),
			 1);
	assert_int_equal(fixture_db_int(fx.db, "SELECT count(*) FROM outbox_parts", NULL), 2);
	status_has(&fx, "outbox_unconfirmed: 1");
	status_has(&fx, "outbox_sent: 1");
	fixture_teardown(&fx);
	alarm(0);
}

/*
 * The balance is checked every interval; below the threshold the admins get
 * one alert per crossing (not at every check); an unreadable answer is kept
 * and changes nothing; a top-up above the threshold ends the alert, and the
 * next crossing alerts again.  Answers in GSM 7-bit, packed hex and UCS-2.
 */
static void
test_balance_low_once(void **state)
{
	struct fix *f = *state;
	struct fixture fx;
	char out[4096], log[192];
	pid_t pid;

	alarm(120);
	gw_setup(f, &fx,
		 "modem_checks = { interval = 3600; };\n"
		 "balance = { interval = 1; threshold = 20000; timeout = 5; };");
	snprintf(log, sizeof(log), "%s/log", fx.dir);
	ctl_ok(&f->sim, "ussd *101# gsm7 TK chinh: 10.000d, HSD 31/12/2022");
	pid = gw_start(&fx, log);
	WAIT_DB(&fx, "SELECT count(*) FROM ussd WHERE purpose = 'balance' AND amount = 10000", 3);
	ctl_ok(&f->sim, "ussd *101# packed TK chinh: 9.500d");
	WAIT_DB(&fx, "SELECT count(*) FROM ussd WHERE amount = 9500", 2);
	assert_int_equal(fxdb(&fx, "SELECT count(*) FROM outbox WHERE reason = 'alert' AND text "
				   "LIKE '%con 10000d, duoi muc 20000d%'"),
			 1);
	ctl_ok(&f->sim, "ussd *101# gsm7 He thong dang ban, vui long thu lai sau");
	WAIT_DB(&fx,
		"SELECT count(*) FROM ussd WHERE status = 'unreadable' AND amount IS NULL AND "
		"answer = 'He thong dang ban, vui long thu lai sau'",
		2);
	assert_int_equal(fxdb(&fx, "SELECT active FROM alerts WHERE key = 'balance_low'"), 1);
	ctl_ok(&f->sim, "ussd *101# gsm7 TK chinh: 50,000 VND");
	WAIT_DB(&fx, "SELECT count(*) FROM ussd WHERE amount = 50000", 2);
	WAIT_DB(&fx, "SELECT active FROM alerts WHERE key = 'balance_low'", 0);
	ctl_ok(&f->sim, "ussd *101# ucs2 Số dư tài khoản chính: 5.000đ");
	WAIT_DB(&fx, "SELECT count(*) FROM ussd WHERE amount = 5000", 2);
	gw_stop(pid);
	assert_int_equal(fxdb(&fx, "SELECT count(*) FROM outbox WHERE reason = 'alert'"), 2);
	assert_int_equal(fxdb(&fx, "SELECT count(*) FROM outbox WHERE reason = 'alert' AND text "
				   "LIKE '%con 5000d%'"),
			 1);
	assert_true(file_has(log, "no amount in the answer to *101#"));
	assert_int_equal(tinbao(&fx, out, sizeof(out), log, "status", (char *)NULL), 0);
	assert_non_null(strstr(out, "balance: 5000 d at 20"));
	fixture_teardown(&fx);
	alarm(0);
}

/*
 * The modem refuses AT+CMGS (ERROR, three times: one attempt of libgammu's,
 * which tries the command three times): the reply is tried again after the
 * backoff and sent once.  A reply refused (+CMS ERROR: 500) at every attempt
 * is failed after sending.retries, with the error kept, and never sent.
 */
static void
test_daemon_refused_retried(void **state)
{
	static const char *const set[] = {"retries", "2", "retry_min", "1", "retry_max", "2", NULL};
	struct fix *f = *state;
	struct fixture fx;
	pid_t pid;

	alarm(150);
	ob_setup(f, &fx, set);
	ctl_ok(&f->sim, "error 3 AT+CMGS");
	ctl_ok(&f->sim, "deliver -t %d +84912000001 DK Minh Son 5 han", BASE_TIME);
	pid = ob_spawn(&fx);
	ob_wait_db(&fx, "SELECT count(*) FROM outbox WHERE state='sent'", 1, 60000);
	assert_string_equal(ctl_ok(&f->sim, "sent"), "ok 1");
	assert_int_equal(fixture_db_int(fx.db, "SELECT attempts FROM outbox WHERE id=1", NULL), 2);
	assert_int_equal(fixture_db_int(fx.db,
					"SELECT count(*) FROM outbox_parts WHERE outbox_id=1 AND "
					"state='refused'",
					NULL),
			 1);
	/* The second attempt waited for the backoff (retry_min, 1 s). */
	assert_true(
	    fixture_db_int(fx.db,
			   "SELECT (SELECT attempted FROM outbox_parts WHERE state='sent') - "
			   "(SELECT answered FROM outbox_parts WHERE state='refused')",
			   NULL) >= 1);

	ctl_ok(&f->sim, "cms 6 500 AT+CMGS");
	ctl_ok(&f->sim, "deliver -t %d +84912000002 DK Hoa Son 7 rau", BASE_TIME + 60);
	ob_wait_db(&fx,
		   "SELECT count(*) FROM outbox WHERE state='failed' AND error='modem refused'", 1,
		   60000);
	gw_stop(pid);
	assert_string_equal(ctl_ok(&f->sim, "sent"), "ok 1");
	assert_int_equal(fixture_db_int(fx.db, "SELECT attempts FROM outbox WHERE id=2", NULL), 2);
	status_has(&fx, "outbox_failed: 1");
	fixture_teardown(&fx);
	alarm(0);
}

/* The UCS-2 hex of a code as libgammu sends it in AT+CUSD. */
static void
ucs2_hex(const char *code, char *buf, size_t bufsz)
{
	size_t i, n = strlen(code);

	assert_true(4 * n < bufsz);
	for (i = 0; i < n; i++)
		snprintf(buf + 4 * i, 5, "%04X", (unsigned char)code[i]);
}

/*
 * NAPTIEN from an admin dials the top-up code and answers with the
 * operator's answer, then checks the balance; from anyone else it is refused
 * and logged.  The PIN is never in the inbox, the outbox, the USSD rows,
 * the push queue, the log, or anywhere in the database files.  Then
 * `tinbao ussd CODE` prints an answer, or fails with the reason.
 */
static void
test_topup_and_ussd_command(void **state)
{
	struct fix *f = *state;
	struct fixture fx;
	char out[4096], log[192], path[192], hex[128], seen_cmd[160];
	pid_t pid;

	alarm(120);
	gw_setup(f, &fx,
		 "modem_checks = { interval = 3600; };\n"
		 "balance = { interval = 86400; threshold = 20000; timeout = 2; };");
	snprintf(log, sizeof(log), "%s/log", fx.dir);
	ctl_ok(&f->sim, "ussd *101# gsm7 TK chinh: 10.000d");
	ctl_ok(&f->sim, "ussd *100*" PIN "# gsm7 Nap the thanh cong 50.000d. TK chinh: 60.000d");
	pid = gw_start(&fx, log);
	WAIT_DB(&fx, "SELECT count(*) FROM ussd WHERE purpose = 'balance'", 1);
	ctl_ok(&f->sim, "ussd *101# gsm7 TK chinh: 60.000d");
	ctl_ok(&f->sim, "deliver " ADMIN " NAP TIEN 1234 5678 9012");
	ctl_ok(&f->sim, "deliver +84912000001 naptien123456789099");
	WAIT_DB(&fx, "SELECT count(*) FROM outbox WHERE reason = 'reply' AND state = 'sent'", 2);
	WAIT_DB(&fx, "SELECT count(*) FROM ussd WHERE purpose = 'balance'", 2);
	gw_stop(pid);
	/* The admin's top-up: dialled, stored masked, answered. */
	ucs2_hex("*100*" PIN "#", hex, sizeof(hex));
	snprintf(seen_cmd, sizeof(seen_cmd), "AT+CUSD=1,\"%s\"", hex);
	seen_cmd[63] = '\0'; /* what the simulator keeps of a command */
	assert_int_equal(seen(&f->sim, seen_cmd), 1);
	assert_int_equal(fxdb(&fx, "SELECT count(*) FROM inbox WHERE sender = '" ADMIN
				   "' AND text = 'NAP TIEN **** **** 9012' AND state = 'accepted'"),
			 1);
	assert_int_equal(
	    fxdb(&fx,
		 "SELECT count(*) FROM ussd WHERE purpose = 'topup' AND code = "
		 "'*100*********9012#' AND answer LIKE 'Nap the thanh cong%' AND status = 'ok'"),
	    1);
	assert_int_equal(fxdb(&fx, "SELECT count(*) FROM outbox WHERE recipient = '" ADMIN
				   "' AND text = 'Nap tien: Nap the thanh cong 50.000d. TK chinh: "
				   "60.000d'"),
			 1);
	/* ... and the balance read again ends the alert of the first check. */
	assert_int_equal(fxdb(&fx, "SELECT amount FROM ussd WHERE purpose = 'balance' "
				   "ORDER BY id DESC LIMIT 1"),
			 60000);
	assert_int_equal(fxdb(&fx, "SELECT active FROM alerts WHERE key = 'balance_low'"), 0);
	/* Anyone else: refused, logged without the PIN, nothing dialled. */
	assert_int_equal(fxdb(&fx, "SELECT count(*) FROM inbox WHERE text = 'naptien********9099' "
				   "AND state = 'rejected' AND error = 'not_allowed'"),
			 1);
	assert_int_equal(fxdb(&fx, "SELECT count(*) FROM outbox WHERE recipient = '+84912000001' "
				   "AND text LIKE '%khong duoc phep nap tien%'"),
			 1);
	assert_int_equal(seen(&f->sim, "AT+CUSD=1,\"002A0031003000300"), 1);
	assert_true(file_has(log, "NAPTIEN refused from +84912000001"));
	/* Nowhere: not the log, not the database (any table, the WAL). */
	assert_int_equal(fxdb(&fx, "SELECT count(*) FROM push_queue WHERE payload LIKE '%5678%'"),
			 0);
	assert_false(file_has(log, PIN));
	assert_false(file_has(log, "1234 5678"));
	assert_false(file_has(log, "12345678909"));
	assert_false(file_has(fx.db, PIN));
	assert_false(file_has(fx.db, "1234 5678"));
	assert_false(file_has(fx.db, "12345678909"));
	snprintf(path, sizeof(path), "%s-wal", fx.db);
	assert_false(file_has(path, PIN));
	assert_false(file_has(path, "1234 5678"));
	assert_false(file_has(path, "12345678909"));

	/* tinbao ussd, the gateway stopped. */
	ctl_ok(&f->sim, "ussd *102# ucs2 Gói cước: MAX100, hết hạn 31/12");
	ctl_ok(&f->sim, "ussd *103# silent");
	assert_int_equal(tinbao(&fx, out, sizeof(out), log, "ussd", "*102#", (char *)NULL), 0);
	assert_string_equal(out, "Gói cước: MAX100, hết hạn 31/12\n");
	assert_int_equal(tinbao(&fx, out, sizeof(out), log, "ussd", "*999#", (char *)NULL), 1);
	assert_true(file_has(log, "tinbao: ussd: *999#: the network refused the code"));
	assert_int_equal(tinbao(&fx, out, sizeof(out), log, "ussd", "*103#", (char *)NULL), 1);
	assert_true(file_has(log, "tinbao: ussd: *103#: no answer within 2 s"));
	assert_int_equal(tinbao(&fx, out, sizeof(out), log, "ussd", "12ab", (char *)NULL), 2);
	assert_int_equal(fxdb(&fx, "SELECT count(*) FROM ussd WHERE purpose = 'manual'"), 3);
	assert_int_equal(fxdb(&fx, "SELECT count(*) FROM ussd WHERE purpose = 'manual' AND "
				   "status IN ('refused', 'no_answer')"),
			 2);
	fixture_teardown(&fx);
	alarm(0);
}

/*
 * Delivery reports: each reply asks for one (TP-SRR); the report that comes
 * back (an SMS-STATUS-REPORT in the SIM) is stored, matched to the reply by
 * its message reference and recipient, and marks it delivered (or failed);
 * it is not taken for an officer's message and not answered.
 */
static void
test_daemon_delivery_reports(void **state)
{
	static const char *const set[] = {"delivery_reports", "true", NULL};
	struct fix *f = *state;
	struct fixture fx;
	pid_t pid;

	alarm(150);
	ob_setup(f, &fx, set);
	ctl_ok(&f->sim, "deliver -t %d +84912000001 DK Minh Son 5 han", BASE_TIME);
	ctl_ok(&f->sim, "deliver -t %d +84912000002 DK Hoa Son 7 rau", BASE_TIME + 1);
	pid = ob_spawn(&fx);
	ob_wait_db(&fx, "SELECT count(*) FROM outbox WHERE state='sent'", 2, 60000);
	assert_true(starts_with(ctl_ok(&f->sim, "sentinfo 0"), "ok "));
	assert_int_equal(atoi(strrchr(ctl_ok(&f->sim, "sentinfo 0"), ' ') + 1), 1); /* TP-SRR */
	assert_true(starts_with(ctl_ok(&f->sim, "sent 0"), "ok +84912000001 "));
	assert_true(starts_with(ctl_ok(&f->sim, "sent 1"), "ok +84912000002 "));
	ctl_ok(&f->sim, "report 0 delivered");
	ctl_ok(&f->sim, "report 1 failed");
	ob_wait_db(&fx, "SELECT count(*) FROM status_reports WHERE part_id IS NOT NULL", 2, 30000);
	gw_stop(pid);
	assert_int_equal(fixture_db_int(fx.db,
					"SELECT count(*) FROM outbox WHERE id=1 AND "
					"delivery='delivered' AND report=1",
					NULL),
			 1);
	assert_int_equal(
	    fixture_db_int(fx.db, "SELECT count(*) FROM outbox WHERE id=2 AND delivery='failed'",
			   NULL),
	    1);
	assert_int_equal(fixture_db_int(fx.db, "SELECT count(*) FROM inbox", NULL), 2);
	assert_int_equal(fixture_db_int(fx.db, "SELECT count(*) FROM outbox", NULL), 2);
	assert_string_equal(ctl_ok(&f->sim, "sent"), "ok 2");
	assert_string_equal(ctl_ok(&f->sim, "sim"), "ok 0/30");
	status_has(&fx, "outbox_delivered: 1");
	status_has(&fx, "outbox_delivery_failed: 1");
	fixture_teardown(&fx);
	alarm(0);
}

/*
 * What an SMS really holds reaches the store: a UCS-2 text with U+0000 in
 * it is read whole (stored with U+2400, parsed with a space), the same text
 * twice from one phone in one SMSC second leaves a count on its row, and
 * two messages of one phone with one concatenation reference are both kept.
 */
static void
test_daemon_messages_kept_whole(void **state)
{
	static const char line[] = "ENROL xa Minh Son 5 han, lop hoc buoi toi tai nha van hoa. ";
	char older[4 * sizeof(line)], newer[4 * sizeof(line)];
	struct fix *f = *state;
	struct fixture fx;
	int i;

	alarm(150);
	ob_setup(f, &fx, NULL);
	ctl_ok(&f->sim, "deliver -u -t %d +84912000001 ENROL Minh Sơn\\0 5 hàn", BASE_TIME);
	ctl_ok(&f->sim, "deliver -t %d +84912000002 GRAD Hoa Son 3 rau", BASE_TIME + 5);
	ctl_ok(&f->sim, "deliver -t %d +84912000002 GRAD Hoa Son 3 rau", BASE_TIME + 5);
	/* An older message whose part 2 is lost, then a newer one with the
	 * same reference. */
	older[0] = newer[0] = '\0';
	for (i = 0; i < 3; i++) {
		strcat(older, line);
		strcat(newer, "NEED xa Hoa Son 9 han, khao sat nhu cau hoc nghe thang ba. ");
	}
	ctl_ok(&f->sim, "deliver -n 42 -x 2 -t %d +84912000003 %s", BASE_TIME + 10, older);
	ctl_ok(&f->sim, "deliver -n 42 -t %d +84912000003 %s", BASE_TIME + 20, newer);
	assert_int_equal(fixture_run(&fx, NULL, 0, 60, NULL, "run", "--once", NULL), 0);
	assert_string_equal(ctl_ok(&f->sim, "sim"), "ok 0/30");

	assert_int_equal(fixture_db_int(fx.db,
					"SELECT count(*) FROM inbox WHERE text = "
					"'ENROL Minh Sơn\u2400 5 hàn' AND state = 'accepted'",
					NULL),
			 1);
	assert_int_equal(fixture_db_int(fx.db,
					"SELECT count(*) FROM reports WHERE kind = 'enrol' AND "
					"count = 5 AND sender = '+84912000001'",
					NULL),
			 1);
	assert_int_equal(
	    fixture_db_int(fx.db, "SELECT copies FROM inbox WHERE sender = '+84912000002'", NULL),
	    2);
	assert_int_equal(
	    fixture_db_int(fx.db, "SELECT count(*) FROM inbox WHERE sender = '+84912000002'", NULL),
	    1);
	/* Both multipart messages: the older one incomplete, the newer whole. */
	assert_int_equal(fixture_db_int(fx.db,
					"SELECT count(*) FROM inbox WHERE sender = '+84912000003' "
					"AND missing = '2/2' AND text LIKE 'ENROL xa Minh Son%'",
					NULL),
			 1);
	assert_int_equal(fixture_db_int(fx.db,
					"SELECT count(*) FROM inbox WHERE sender = '+84912000003' "
					"AND missing IS NULL AND text LIKE 'NEED xa Hoa Son%'",
					NULL),
			 1);
	assert_int_equal(
	    fixture_db_int(fx.db, "SELECT count(*) FROM inbox_parts WHERE inbox_id IS NULL", NULL),
	    0);
	fixture_teardown(&fx);
	alarm(0);
}

/* A long message that lost most of its parts: the officer is told which,
 * as a run, in one SMS, without a dangling comma. */
static void
test_daemon_missing_parts_reply(void **state)
{
	struct fix *f = *state;
	struct fixture fx;
	char text[12 * 153 + 1];
	int i;

	alarm(150);
	ob_setup(f, &fx, NULL);
	snprintf(text, sizeof(text), "%-153s", "DK xa Minh Son 5 han;");
	for (i = 1; i < 11; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%-153s", "ghi chu;");
	snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s", "TN xa Minh Son 3 han");
	ctl_ok(&f->sim, "deliver -n 9 -x 2,3,4,5,6,7,8,9,10,11 -t %d +84912000001 %s", BASE_TIME,
	       text);
	setenv("TINBAO_FAKE_NOW", "1646100010", 1); /* BASE_TIME + 10 */
	assert_int_equal(fixture_run(&fx, NULL, 0, 60, NULL, "run", "--once", NULL), 0);
	assert_int_equal(fixture_db_int(fx.db, "SELECT count(*) FROM inbox_parts", NULL), 2);
	setenv("TINBAO_FAKE_NOW", "1646100700", 1); /* past multipart_timeout */
	assert_int_equal(fixture_run(&fx, NULL, 0, 60, NULL, "run", "--once", NULL), 0);
	unsetenv("TINBAO_FAKE_NOW");
	assert_int_equal(
	    fixture_db_int(fx.db, "SELECT count(*) FROM inbox WHERE missing = '2-11/12'", NULL), 1);
	assert_int_equal(fixture_db_int(fx.db,
					"SELECT count(*) FROM outbox WHERE text LIKE 'Tin nhan "
					"thieu phan 2-11/12%'",
					NULL),
			 1);
	assert_int_equal(fixture_db_int(fx.db,
					"SELECT count(*) FROM outbox WHERE text LIKE '%,.%' OR "
					"length(text) > 160",
					NULL),
			 0);
	fixture_teardown(&fx);
	alarm(0);
}

/* An 8-bit data SMS (a WAP push here) is stored, its bytes as hex, and never
 * answered; the text SMS next to it is. */
static void
test_daemon_data_sms(void **state)
{
	struct fix *f = *state;
	struct fixture fx;

	alarm(150);
	ob_setup(f, &fx, NULL);
	ctl_ok(&f->sim, "deliver -b -t %d +84912000001 0605040b8423f0dc0601ae", BASE_TIME);
	ctl_ok(&f->sim, "deliver -t %d +84912000002 DK Hoa Son 7 rau", BASE_TIME + 5);
	assert_int_equal(fixture_run(&fx, NULL, 0, 60, NULL, "run", "--once", NULL), 0);
	assert_string_equal(ctl_ok(&f->sim, "sim"), "ok 0/30");
	assert_int_equal(
	    fixture_db_int(fx.db,
			   "SELECT count(*) FROM inbox WHERE coding = '8bit' AND "
			   "text = '0605040b8423f0dc0601ae' AND state = 'rejected' AND "
			   "error = 'data_sms'",
			   NULL),
	    1);
	assert_int_equal(fixture_db_int(fx.db, "SELECT count(*) FROM outbox", NULL), 1);
	assert_int_equal(
	    fixture_db_int(fx.db, "SELECT count(*) FROM outbox WHERE recipient = '+84912000002'",
			   NULL),
	    1);
	fixture_teardown(&fx);
	alarm(0);
}

/*
 * kill -9 while sending, through the simulator (which counts what really
 * went out): after the modem took the reply and before the outcome was
 * recorded ("sent"), and after the marker was committed and before the
 * reply was handed over ("sending").  After a restart neither reply is sent
 * (again): both are "unconfirmed".
 */
static void
test_daemon_crash_while_sending(void **state)
{
	struct fix *f = *state;
	struct fixture fx;

	alarm(150);
	ob_setup(f, &fx, NULL);
	ctl_ok(&f->sim, "deliver -t %d +84912000001 DK Minh Son 5 han", BASE_TIME);
	assert_int_equal(fixture_run(&fx, "sent:1", 0, 60, NULL, "run", "--once", NULL),
			 128 + SIGKILL);
	assert_string_equal(ctl_ok(&f->sim, "sent"), "ok 1");
	assert_int_equal(fixture_run(&fx, NULL, 0, 60, NULL, "run", "--once", NULL), 0);
	assert_string_equal(ctl_ok(&f->sim, "sent"), "ok 1");

	ctl_ok(&f->sim, "deliver -t %d +84912000002 DK Hoa Son 7 rau", BASE_TIME + 60);
	assert_int_equal(fixture_run(&fx, "sending:1", 0, 60, NULL, "run", "--once", NULL),
			 128 + SIGKILL);
	assert_int_equal(fixture_run(&fx, NULL, 0, 60, NULL, "run", "--once", NULL), 0);
	assert_int_equal(fixture_run(&fx, NULL, 0, 60, NULL, "run", "--once", NULL), 0);
	assert_string_equal(ctl_ok(&f->sim, "sent"), "ok 1");
	assert_int_equal(fixture_db_int(fx.db,
					"SELECT count(*) FROM outbox WHERE state='sent' AND "
					"error='unconfirmed'",
					NULL),
			 2);
	assert_int_equal(fixture_db_int(fx.db, "SELECT count(*) FROM outbox_parts", NULL), 2);
	assert_int_equal(
	    fixture_db_int(fx.db, "SELECT count(*) FROM outbox_parts WHERE state='unknown'", NULL),
	    2);
	fixture_teardown(&fx);
	alarm(0);
}

/*
 * kill -9 between the parts of a long reply (UCS-2 with diacritics: over
 * 70 characters, two parts or more): the first part went out; after the
 * restart it is not sent again, nor are the others (the reply may have
 * been seen in part: "unconfirmed").
 */
static void
test_daemon_crash_between_parts(void **state)
{
	static const char *const set[] = {"diacritics", "true", NULL};
	struct fix *f = *state;
	struct fixture fx;
	int parts;

	alarm(150);
	ob_setup(f, &fx, set);
	/* The help reply, with diacritics: 134 characters, two UCS-2 parts. */
	ctl_ok(&f->sim, "deliver -t %d +84912000001 HELP", BASE_TIME);
	assert_int_equal(fixture_run(&fx, "sent:1", 0, 60, NULL, "run", "--once", NULL),
			 128 + SIGKILL);
	assert_string_equal(ctl_ok(&f->sim, "sent"), "ok 1");
	assert_true(starts_with(ctl_ok(&f->sim, "sent 0"), "ok +84912000001 ucs2 1/2 "));
	assert_int_equal(fixture_run(&fx, NULL, 0, 60, NULL, "run", "--once", NULL), 0);
	assert_int_equal(fixture_run(&fx, NULL, 0, 60, NULL, "run", "--once", NULL), 0);
	parts = (int)fixture_db_int(fx.db, "SELECT parts FROM outbox WHERE id=1", NULL);
	assert_int_equal(parts, 2);
	assert_string_equal(ctl_ok(&f->sim, "sent"), "ok 1");
	assert_int_equal(fixture_db_int(fx.db,
					"SELECT count(*) FROM outbox WHERE state='sent' AND "
					"error='unconfirmed'",
					NULL),
			 1);
	assert_int_equal(fixture_db_int(fx.db, "SELECT count(*) FROM outbox_parts", NULL), 1);
	fixture_teardown(&fx);
	alarm(0);
}

/* Group 6: the administrator's commands on a real-looking modem --------- */

/* modem-test opens the modem as `gammu identify` does and prints what it
 * says; a question the modem refuses is shown with libgammu's error, the
 * rest still answered; check-config accepts the simulator's gammurc and
 * --modem goes on to the same test. */
static void
test_modem_test(void **state)
{
	struct fix *f = *state;
	struct fixture fx;
	char out[4096];
	FILE *rc;

	alarm(120);
	assert_int_equal(fixture_setup(&fx, "./tinbao", "contrib/tinbao.conf"), 0);
	rc = fopen(fx.gammurc, "w");
	assert_non_null(rc);
	fprintf(rc, "[gammu]\ndevice = %s\nconnection = at\n", f->sim.link);
	assert_int_equal(fclose(rc), 0);
	ctl_ok(&f->sim, "csq 21");
	ctl_ok(&f->sim, "creg 1");
	ctl_ok(&f->sim, "smsc +84980200030");
	assert_int_equal(fixture_output(&fx, "modem-test", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "manufacturer  tinbao"));
	assert_non_null(strstr(out, "model         SIM800-sim"));
	assert_non_null(strstr(out, "IMEI          356938035643809"));
	assert_non_null(strstr(out, "SIM (IMSI)    452040000000001"));
	assert_non_null(strstr(out, "network       452 04"));
	assert_non_null(strstr(out, "home"));
	assert_non_null(strstr(out, "SMSC          +84980200030"));
	/* The SIM refuses its IMSI: said, and the rest answered. */
	ctl_ok(&f->sim, "error 1 AT+CIMI");
	assert_int_equal(fixture_output(&fx, "modem-test", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "SIM (IMSI)    ("));
	assert_non_null(strstr(out, "SMSC          +84980200030"));
	assert_int_equal(fixture_output(&fx, "check-config --modem", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "configuration OK"));
	assert_non_null(strstr(out, "model         SIM800-sim"));
	/* No modem there: the exact error, exit 1. */
	ctl_ok(&f->sim, "vanish");
	assert_int_equal(fixture_output(&fx, "modem-test", out, sizeof(out)), 1);
	assert_non_null(strstr(out, "cannot connect"));
	assert_non_null(strstr(out, "cannot be opened"));
	ctl_ok(&f->sim, "back");
	fixture_teardown(&fx);
	alarm(0);
}

/* status tells the modem's link as the daemon saw it: connected since,
 * lost since, and readings older than the last connection marked stale. */
static void
test_status_modem_link(void **state)
{
	struct fix *f = *state;
	struct fixture fx;
	char out[8192], log[192];
	pid_t pid;

	alarm(120);
	gw_setup(f, &fx, "modem_checks = { interval = 1; };\nbalance = { enabled = false; };");
	snprintf(log, sizeof(log), "%s/log", fx.dir);
	pid = gw_start(&fx, log);
	WAIT_DB(&fx, "SELECT connected FROM modem_links WHERE modem = 'modem'", 1);
	WAIT_DB(&fx, "SELECT count(*) > 0 FROM modem_readings", 1);
	assert_int_equal(fixture_output(&fx, "status", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "gateway: running"));
	assert_non_null(strstr(out, "modem_link: connected since "));
	assert_null(strstr(out, "stale"));
	ctl_ok(&f->sim, "vanish");
	WAIT_DB(&fx, "SELECT connected FROM modem_links WHERE modem = 'modem'", 0);
	assert_int_equal(fixture_output(&fx, "status", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "modem_link: lost since "));
	assert_non_null(strstr(out, "(stale: the modem is away)"));
	ctl_ok(&f->sim, "back");
	WAIT_DB(&fx, "SELECT connected FROM modem_links WHERE modem = 'modem'", 1);
	/* The signal has not changed: no new reading, the last one is older. */
	assert_int_equal(fixture_output(&fx, "status", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "modem_link: connected since "));
	assert_non_null(strstr(out, "(stale: read before the last connection)"));
	gw_stop(pid);
	assert_int_equal(fixture_output(&fx, "status", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "(the gateway is not running)"));
	fixture_teardown(&fx);
	alarm(0);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest sim_tests[] = {
	    cmocka_unit_test_setup_teardown(test_raw_commands, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_raw_vanish, test_setup, test_teardown),
	};
	const struct CMUnitTest modem_tests[] = {
	    cmocka_unit_test_setup_teardown(test_receive_gsm7, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_receive_ucs2, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_receive_ucs2_nul, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_receive_concatenated, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_delete, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_send, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_faults, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_send_retried, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_reconnect_vanish_back, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_send_long_parts, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_send_outcomes, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_status_report, test_setup, test_teardown),
	};
	const struct CMUnitTest gammu_tests[] = {
	    cmocka_unit_test_setup_teardown(test_ussd, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_ussd_refused, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_get_sms, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_signal_and_network, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_smsc, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_cmti, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_sim_full, test_setup, test_teardown),
	};
	const struct CMUnitTest daemon_tests[] = {
	    cmocka_unit_test_setup_teardown(test_daemon_reconnects, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_daemon_lost_ack, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_daemon_refused_retried, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_daemon_delivery_reports, test_setup,
					    test_teardown),
	    cmocka_unit_test_setup_teardown(test_daemon_messages_kept_whole, test_setup,
					    test_teardown),
	    cmocka_unit_test_setup_teardown(test_daemon_data_sms, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_daemon_missing_parts_reply, test_setup,
					    test_teardown),
	    cmocka_unit_test_setup_teardown(test_daemon_crash_while_sending, test_setup,
					    test_teardown),
	    cmocka_unit_test_setup_teardown(test_daemon_crash_between_parts, test_setup,
					    test_teardown),
	    cmocka_unit_test_setup_teardown(test_daemon_announced, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_daemon_scan_fallback, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_daemon_multipart_timeout, test_setup,
					    test_teardown),
	    cmocka_unit_test_setup_teardown(test_daemon_multipart_hours_apart, test_setup,
					    test_teardown),
	    cmocka_unit_test_setup_teardown(test_daemon_sim_full, test_setup, test_teardown),
	};
	/* A simulator of its own, started during the test. */
	const struct CMUnitTest late_tests[] = {
	    cmocka_unit_test(test_daemon_modem_later),
	};
	const struct CMUnitTest two_tests[] = {
	    cmocka_unit_test_setup_teardown(test_two_receive_only, two_setup, two_teardown),
	    cmocka_unit_test_setup_teardown(test_two_spread_and_vanish, two_setup, two_teardown),
	};
	const struct CMUnitTest issue6_tests[] = {
	    cmocka_unit_test_setup_teardown(test_health_network_lost, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_balance_low_once, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_topup_and_ussd_command, test_setup, test_teardown),
	};
	const struct CMUnitTest admin_tests[] = {
	    cmocka_unit_test_setup_teardown(test_modem_test, test_setup, test_teardown),
	    cmocka_unit_test_setup_teardown(test_status_modem_link, test_setup, test_teardown),
	};
	int failed;

	if (argc > 1)
		simbin = argv[1];
	/* TEST_FILTER=test_daemon_* runs only the tests whose names match. */
	if (getenv("TEST_FILTER") != NULL)
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	signal(SIGALRM, on_alarm);
	signal(SIGPIPE, SIG_IGN);
	log_init(0, getenv("TEST_VERBOSE") != NULL ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARN);
	if (getenv("TEST_GAMMU_LOG") != NULL) {
		GSM_SetDebugFile(getenv("TEST_GAMMU_LOG"), GSM_GetGlobalDebug());
		GSM_SetDebugLevel("textalldate", GSM_GetGlobalDebug());
	}
	failed =
	    cmocka_run_group_tests_name("simulator", sim_tests, sim_group_setup, group_teardown);
	failed += cmocka_run_group_tests_name("modem.c on the AT driver", modem_tests,
					      modem_group_setup, group_teardown);
	failed += cmocka_run_group_tests_name("libgammu AT driver", gammu_tests, gammu_group_setup,
					      group_teardown);
	failed += cmocka_run_group_tests_name("the gateway on the AT driver", daemon_tests,
					      sim_group_setup, group_teardown);
	failed +=
	    cmocka_run_group_tests_name("the gateway before its modem", late_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("the gateway on two modems", two_tests,
					      two_group_setup, two_group_teardown);
	failed += cmocka_run_group_tests_name("health and USSD through the gateway", issue6_tests,
					      sim_group_setup, group_teardown);
	failed += cmocka_run_group_tests_name("the administrator's commands", admin_tests,
					      sim_group_setup, group_teardown);
	return failed == 0 ? 0 : 1;
}
