/*
 * torture.c - kill -9 the gateway at random points, many times, and check
 * that nothing was lost or done twice, in the database and in the world.
 *
 * Usage: torture [CYCLES]   (TORTURE_SEED=N replays a run; the seed is
 * printed first.)  `make check` runs a short form, `make torture` 200 cycles.
 *
 * The world: the AT-modem simulator (tests/modemsim) as the modem, whose
 * SIM and log of sent SMS outlive every gateway process, and the district
 * server fixture (tests/district_server.py), which logs every event it
 * received and how many times.  Each cycle, from a seeded generator: put
 * 0-3 SMS on the SIM (valid reports, messages that are refused, long
 * multipart reports), start `tinbao run`, and kill it with SIGKILL either
 * after a random delay or at a random crash point (TINBAO_CRASH).  At the
 * end a last run goes on until everything is done, and then:
 *
 *   - every SMS is in the inbox exactly once, none is left on the SIM;
 *   - every valid one gave exactly one report (no report counted twice);
 *   - every sender got exactly one reply in the database, sent, and the
 *     modem sent exactly one SMS to each sender (no reply sent twice);
 *   - every event of the push queue was sent, and the server received every
 *     one of them (repeats are allowed: a batch in flight when the gateway
 *     died is sent again, docs/push-protocol.md).
 *
 * Each sender sends one SMS only, so "one reply per sender" is exact.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"

#define SIMBIN "build/tests/modemsim"
#define SERVER "tests/district_server.py"
#define TINBAO "./tinbao"
#define GW "hl"
#define IO_TIMEOUT_MS 10000
#define RUN_TIMEOUT_S 60
#define QUIET_TIMEOUT_MS 120000
#define MAX_SMS 4096
#define SIM_SLOTS 30

struct sim {
	pid_t pid;
	int ctl;
	char link[128], ctlpath[128];
	char reply[8192];
};

struct server {
	pid_t pid;
	int api, ctl;
};

/* What was put on the SIM. */
struct sent_sms {
	char from[24];
	int valid; /* the reports it gives */
	int count; /* the sum of their counts */
};

static struct fixture fx;
static struct sim sim;
static struct server srv;
static struct sent_sms sms[MAX_SMS];
static int nsms;
static uint64_t rng;

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "torture: FAIL: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	if (sim.pid > 0)
		kill(sim.pid, SIGKILL);
	if (srv.pid > 0)
		kill(srv.pid, SIGKILL);
	fprintf(stderr, "torture: files kept in %s\n", fx.dir);
	printf("[  FAILED  ] 1 test(s)\n");
	exit(1);
}

/* xorshift64*: the same seed, the same run. */
static uint32_t
rnd(uint32_t n)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 2685821657736338717ULL) >> 32) % n;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

static int
read_line(int fd, char *buf, size_t sz)
{
	int64_t deadline = now_ms() + IO_TIMEOUT_MS;
	struct pollfd pfd = {fd, POLLIN, 0};
	size_t n = 0;
	ssize_t got;
	char *nl;

	for (;;) {
		int left = (int)(deadline - now_ms());

		if (left <= 0 || poll(&pfd, 1, left) <= 0)
			return -1;
		got = read(fd, buf + n, 1); /* one byte: nothing after the line is taken */
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

static const char *ctl(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One command to the simulator; its "ok ..." answer. */
static const char *
ctl(const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n <= 0 || (size_t)n >= sizeof(line) - 1)
		die("control line too long");
	line[n++] = '\n';
	if (send(sim.ctl, line, (size_t)n, MSG_NOSIGNAL) != n ||
	    read_line(sim.ctl, sim.reply, sizeof(sim.reply)) == -1)
		die("no answer from the simulator to: %.*s", n - 1, line);
	if (strncmp(sim.reply, "ok", 2) != 0)
		die("simulator: %.*s -> %s", n - 1, line, sim.reply);
	return sim.reply;
}

static void
sim_start(void)
{
	struct sockaddr_un sun;
	char pty[64];
	int fds[2], devnull;

	snprintf(sim.link, sizeof(sim.link), "%s/modem", fx.dir);
	snprintf(sim.ctlpath, sizeof(sim.ctlpath), "%s/ctl", fx.dir);
	if (pipe(fds) == -1)
		die("pipe: %s", strerror(errno));
	sim.pid = fork();
	if (sim.pid == -1)
		die("fork: %s", strerror(errno));
	if (sim.pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		devnull = open("/dev/null", O_WRONLY);
		if (devnull != -1)
			dup2(devnull, STDERR_FILENO);
		execl(SIMBIN, "modemsim", "--link", sim.link, "--ctl", sim.ctlpath, "--timeout",
		      "7200", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	if (read_line(fds[0], pty, sizeof(pty)) == -1)
		die("%s did not start", SIMBIN);
	close(fds[0]);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(sim.ctlpath) >= sizeof(sun.sun_path))
		die("%s: path too long", sim.ctlpath);
	memcpy(sun.sun_path, sim.ctlpath, strlen(sim.ctlpath) + 1);
	sim.ctl = socket(AF_UNIX, SOCK_STREAM, 0);
	if (sim.ctl == -1 || connect(sim.ctl, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		die("simulator control socket: %s", strerror(errno));
}

static void
server_start(const char *token)
{
	char line[64];
	int fds[2], devnull;

	if (pipe(fds) == -1)
		die("pipe: %s", strerror(errno));
	srv.pid = fork();
	if (srv.pid == -1)
		die("fork: %s", strerror(errno));
	if (srv.pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		devnull = open("/dev/null", O_WRONLY);
		if (getenv("TEST_VERBOSE") == NULL && devnull != -1)
			dup2(devnull, STDERR_FILENO);
		execlp("python3", "python3", SERVER, token, GW, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	if (read_line(fds[0], line, sizeof(line)) == -1 ||
	    sscanf(line, "PORT %d %d", &srv.api, &srv.ctl) != 2)
		die("the district server did not start");
	close(fds[0]);
}

/* GET on the server's control port, plain HTTP/1.0. */
static char *
server_get(const char *path)
{
	struct sockaddr_in sa;
	char req[128], *buf, *body;
	size_t len = 0, cap = 1 << 16;
	ssize_t n;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)srv.ctl);
	sa.sin_addr.s_addr = htonl(0x7f000001);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd == -1 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1)
		die("district server control: %s", strerror(errno));
	n = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path);
	if (write(fd, req, (size_t)n) != n)
		die("district server control: write");
	buf = malloc(cap);
	if (buf == NULL)
		die("out of memory");
	for (;;) {
		struct pollfd pfd = {fd, POLLIN, 0};

		if (poll(&pfd, 1, IO_TIMEOUT_MS) != 1)
			die("district server control: no answer");
		if (len == cap - 1) {
			cap *= 2;
			if ((buf = realloc(buf, cap)) == NULL)
				die("out of memory");
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	body = strstr(buf, "\r\n\r\n");
	if (body == NULL)
		die("district server control: bad answer");
	memmove(buf, body + 4, strlen(body + 4) + 1);
	return buf;
}

static int64_t db(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int64_t
db(const char *fmt, ...)
{
	char sql[1024];
	va_list ap;
	int err;
	int64_t v;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	v = fixture_db_int(fx.db, sql, &err);
	if (err)
		die("%s: cannot be run", sql);
	return v;
}

static const char *const valid[] = {
    "ENROL xa Minh Son %d han",
    "GRAD Thien Tan %d maycn",
    "VL Do Luong %d tinhoc",
    "NEED tt Huu Lung %d rau",
};
static const char *const invalid[] = {
    "HELLO %d",
    "ENROL Dong Lai %d han",
    "ENROL Minh Son han %d han",
};
/* Over 160 characters: the simulator delivers it in parts. */
static const char *const longtext =
    "DK Minh Son %d han; TN Thien Tan 5 maycn; VL Do Luong 7 tinhoc; NEED tt Huu Lung 9 rau; "
    "DK Hoa Son 3 rau; TN Minh Son 4 han; DK Thien Tan 6 maycn; VL Hoa Son 2 rau; NEED Minh "
    "Son 8 han";
#define LONG_REPORTS 9
#define LONG_EXTRA 44 /* the counts after the first */

/* tmpl with its "%d" replaced by n. */
static void
fill(char *out, size_t outsz, const char *tmpl, int n)
{
	const char *at = strstr(tmpl, "%d");

	snprintf(out, outsz, "%.*s%d%s", (int)(at - tmpl), tmpl, n, at + 2);
}

/* Puts one SMS from a new sender on the SIM. */
static void
deliver(void)
{
	struct sent_sms *s;
	char text[512];
	int kind = (int)rnd(10), count = 1 + (int)rnd(40);

	if (nsms == MAX_SMS)
		die("too many SMS");
	s = &sms[nsms];
	snprintf(s->from, sizeof(s->from), "+8491%07d", 2000000 + nsms);
	if (kind < 6) {
		fill(text, sizeof(text), valid[rnd(4)], count);
		s->valid = 1;
		s->count = count;
	} else if (kind < 8) {
		fill(text, sizeof(text), invalid[rnd(3)], count);
		s->valid = 0;
	} else {
		fill(text, sizeof(text), longtext, count);
		s->valid = LONG_REPORTS;
		s->count = count + LONG_EXTRA;
	}
	ctl("deliver -t %d %s %s", 1772420400 + nsms * 60, s->from, text);
	nsms++;
}

static int
sim_used(void)
{
	int used = 0;

	sscanf(ctl("sim"), "ok %d", &used);
	return used;
}

/*
 * Where a cycle may be killed: after an inbox commit, after the phone
 * deleted the SMS, after processing, after the marker of a part was
 * committed and before the modem got it ("sending"), and after the modem
 * took a part and before its outcome was recorded ("sent": the outbox must
 * not send it again, gateway/outbound/outbox.h).
 */
static const char *const points[] = {"stored", "deleted", "processed", "sending", "sent"};
static const uint32_t npoints = 5;

/* Starts `tinbao run`; crash (or NULL) goes into TINBAO_CRASH. */
static pid_t
spawn(const char *crash)
{
	pid_t pid = fork();
	int devnull;

	if (pid == -1)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		if (crash != NULL)
			setenv("TINBAO_CRASH", crash, 1);
		else
			unsetenv("TINBAO_CRASH");
		devnull = open("/dev/null", O_WRONLY);
		if (getenv("TEST_VERBOSE") == NULL && devnull != -1)
			dup2(devnull, STDERR_FILENO);
		execl(TINBAO, TINBAO, "-c", fx.conf, "run", (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Waits for pid until deadline (monotonic ms); 1 when it ended. */
static int
reap(pid_t pid, int64_t deadline, int *status)
{
	while (now_ms() < deadline) {
		if (waitpid(pid, status, WNOHANG) == pid)
			return 1;
		sleep_ms(10);
	}
	return 0;
}

static void
cycle(int i)
{
	char crash[32];
	int n = (int)rnd(4), k, status, delay = 0;
	pid_t pid;

	for (k = 0; k < n && sim_used() < SIM_SLOTS - 6; k++)
		deliver();
	if (rnd(2) == 0) {
		snprintf(crash, sizeof(crash), "%s:%u", points[rnd(npoints)], 1 + rnd(4));
		pid = spawn(crash);
	} else {
		crash[0] = '\0';
		delay = 2000 + (int)rnd(5000);
		pid = spawn(NULL);
	}
	if (crash[0] != '\0') {
		/* The point may never be reached: then a timed kill after all. */
		if (!reap(pid, now_ms() + 12000, &status)) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
		}
	} else {
		sleep_ms(delay);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		die("cycle %d (%s): the gateway ended by itself (status %d)", i,
		    crash[0] ? crash : "timed", status);
	if (getenv("TEST_VERBOSE") != NULL)
		fprintf(stderr, "torture: cycle %d: %d SMS, %s %d\n", i, n,
			crash[0] ? crash : "kill after ms", delay);
}

/* The last run, until everything is done. */
/* Whether a gateway holds the lock on the database: it is past its start,
 * its signal handlers set.  A SIGTERM before that (the process still
 * loading its configuration, slow on a loaded machine) would find the
 * default action and kill it, which is not what the last run tests. */
static int
gateway_started(void)
{
	char path[512];
	int fd, r;

	snprintf(path, sizeof(path), "%s.lock", fx.db);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return 0;
	r = flock(fd, LOCK_SH | LOCK_NB);
	close(fd);
	return r == -1 && errno == EWOULDBLOCK;
}

static void
quiesce(void)
{
	int64_t deadline = now_ms() + QUIET_TIMEOUT_MS;
	pid_t pid = spawn(NULL);
	int status;

	for (;;) {
		if (now_ms() > deadline)
			die("not quiet after %d ms (inbox %" PRId64 " of %d)", QUIET_TIMEOUT_MS,
			    db("SELECT count(*) FROM inbox"), nsms);
		sleep_ms(300);
		if (gateway_started() &&
		    fixture_db_int(fx.db, "SELECT count(*) FROM inbox WHERE state != 'new'",
				   NULL) == nsms &&
		    fixture_db_int(fx.db, "SELECT count(*) FROM outbox WHERE state = 'queued'",
				   NULL) == 0 &&
		    fixture_db_int(fx.db, "SELECT count(*) FROM push_queue WHERE state = 'pending'",
				   NULL) == 0)
			break;
	}
	kill(pid, SIGTERM);
	if (!reap(pid, now_ms() + 10000, &status) || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("the last run did not stop cleanly");
}

static void
check(void)
{
	int64_t events, want;
	char *log, *line, *save = NULL;
	int i, k, valid_n = 0, sum = 0, sent, parts, part, failures = 0;
	char(*tos)[32];
	long long id;
	int count;
	char *seen;

	/* The SIM is empty: everything was stored before it was deleted. */
	if (sim_used() != 0)
		die("%d SMS left on the SIM", sim_used());
	/* Every SMS exactly once. */
	if (db("SELECT count(*) FROM inbox") != nsms)
		die("inbox has %" PRId64 " rows for %d SMS", db("SELECT count(*) FROM inbox"),
		    nsms);
	for (i = 0; i < nsms; i++) {
		if (db("SELECT count(*) FROM inbox WHERE sender = '%s'", sms[i].from) != 1)
			die("%s: %" PRId64 " inbox rows", sms[i].from,
			    db("SELECT count(*) FROM inbox WHERE sender = '%s'", sms[i].from));
		if (db("SELECT count(*) FROM reports r JOIN inbox i ON r.inbox_id = i.id WHERE "
		       "i.sender = '%s'",
		       sms[i].from) != sms[i].valid)
			die("%s: %" PRId64 " reports, expected %d", sms[i].from,
			    db("SELECT count(*) FROM reports r JOIN inbox i ON r.inbox_id = i.id "
			       "WHERE i.sender = '%s'",
			       sms[i].from),
			    sms[i].valid);
		if (db("SELECT count(*) FROM outbox WHERE recipient = '%s' AND state = 'sent'",
		       sms[i].from) != 1 ||
		    db("SELECT count(*) FROM outbox WHERE recipient = '%s'", sms[i].from) != 1)
			die("%s: not exactly one reply, sent, in the outbox (%" PRId64
			    " rows, %" PRId64 " sent, %" PRId64 " failed)",
			    sms[i].from,
			    db("SELECT count(*) FROM outbox WHERE recipient = '%s'", sms[i].from),
			    db("SELECT count(*) FROM outbox WHERE recipient = '%s' AND state = "
			       "'sent'",
			       sms[i].from),
			    db("SELECT count(*) FROM outbox WHERE recipient = '%s' AND state = "
			       "'failed'",
			       sms[i].from));
		valid_n += sms[i].valid;
		sum += sms[i].count;
	}
	if (db("SELECT count(*) FROM reports") != valid_n)
		die("%" PRId64 " reports for %d valid SMS", db("SELECT count(*) FROM reports"),
		    valid_n);
	/* The sums kept by triggers: no report counted twice. */
	if (db("SELECT coalesce(sum(reports), 0) FROM report_sums") != valid_n ||
	    db("SELECT coalesce(sum(count), 0) FROM report_sums") != sum)
		die("report_sums: %" PRId64 " reports, %" PRId64 " counted; expected %d and %d",
		    db("SELECT coalesce(sum(reports), 0) FROM report_sums"),
		    db("SELECT coalesce(sum(count), 0) FROM report_sums"), valid_n, sum);

	/* The district server: every event, at least once. */
	events = db("SELECT count(*) FROM push_queue");
	if (db("SELECT count(*) FROM push_queue WHERE state != 'sent'") != 0)
		die("events not sent");
	want = db("SELECT coalesce(max(id), 0) FROM push_queue");
	seen = calloc((size_t)want + 1, 1);
	if (seen == NULL)
		die("out of memory");
	log = server_get("/log");
	for (line = strtok_r(log, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, GW ":%lld %d", &id, &count) != 2 || id < 1 || id > want)
			die("server log line: %s", line);
		seen[id] = 1;
	}
	for (id = 1; id <= want; id++)
		if (!seen[id])
			die("event %s:%lld never reached the server", GW, id);
	free(seen);
	free(log);

	/* The world: what the modem sent (first parts), per recipient. */
	sent = atoi(ctl("sent") + 3);
	tos = calloc((size_t)sent + 1, sizeof(*tos));
	if (tos == NULL)
		die("out of memory");
	for (k = 0; k < sent; k++) {
		if (sscanf(ctl("sent %d", k), "ok %31s %*s %d/%d", tos[k], &part, &parts) != 3)
			die("simulator: sent %d -> %s", k, sim.reply);
		if (part != 1)
			tos[k][0] = '\0';
	}
	/*
	 * Exactly one reply each, never two.  None is right only for a reply
	 * the outbox marked unconfirmed: killed after its marker, before the
	 * modem answered, it may or may not have gone out and is never sent
	 * again (at most once, gateway/outbound/outbox.h).
	 */
	for (i = 0; i < nsms; i++) {
		int got = 0;

		for (k = 0; k < sent; k++)
			got += strcmp(tos[k], sms[i].from) == 0;
		if (got == 1 || (got == 0 && db("SELECT count(*) FROM outbox WHERE recipient = "
						"'%s' AND error = 'unconfirmed'",
						sms[i].from) == 1))
			continue;
		fprintf(stderr, "torture: %s was sent %d replies\n", sms[i].from, got);
		failures++;
	}
	free(tos);
	if (failures > 0)
		die("%d senders did not get exactly one reply (or an unconfirmed one) from the "
		    "modem",
		    failures);

	printf("torture: %d SMS (%d valid), %" PRId64 " events, %d SMS sent: OK\n", nsms, valid_n,
	       events, sent);
}

static void
write_conf(const char *token)
{
	FILE *f;

	f = fopen(fx.gammurc, "w");
	if (f == NULL)
		die("%s: %s", fx.gammurc, strerror(errno));
	fprintf(f, "[gammu]\ndevice = %s\nconnection = at\n", sim.link);
	fclose(f);
	f = fopen(fx.conf, "a");
	if (f == NULL)
		die("%s: %s", fx.conf, strerror(errno));
	fprintf(f,
		"push = {\n\turl = \"http://127.0.0.1:%d/events\";\n\tgateway_id = \"" GW "\";\n"
		"\ttoken_file = \"%s\";\n\tbatch = 5;\n\ttimeout_ms = 2000;\n"
		"\tretry_min_ms = 50;\n\tretry_max_ms = 500;\n\tstatus_interval = 0;\n};\n",
		srv.api, token);
	fclose(f);
	chmod(fx.conf, 0600);
}

int
main(int argc, char **argv)
{
	const char *s = getenv("TORTURE_SEED");
	char token[160];
	int cycles = argc > 1 ? atoi(argv[1]) : 6, i;
	FILE *t;

	rng = s != NULL ? strtoull(s, NULL, 10) : (uint64_t)time(NULL) ^ (uint64_t)getpid();
	if (rng == 0)
		rng = 1;
	printf("torture: TORTURE_SEED=%" PRIu64 ", %d cycles\n", rng, cycles);
	fflush(stdout);
	signal(SIGPIPE, SIG_IGN);
	if (fixture_setup(&fx, TINBAO, "contrib/tinbao.conf") == -1)
		die("fixture");
	snprintf(token, sizeof(token), "%s/push.token", fx.dir);
	t = fopen(token, "w");
	if (t == NULL)
		die("%s: %s", token, strerror(errno));
	fprintf(t, "tok-torture-5e1d\n");
	fclose(t);
	chmod(token, 0600);
	sim_start();
	server_start(token);
	write_conf(token);
	for (i = 0; i < cycles; i++)
		cycle(i);
	quiesce();
	check();
	kill(sim.pid, SIGTERM);
	kill(srv.pid, SIGTERM);
	waitpid(sim.pid, NULL, 0);
	waitpid(srv.pid, NULL, 0);
	fixture_teardown(&fx);
	printf("[  PASSED  ] 1 test(s).\n");
	return 0;
}
