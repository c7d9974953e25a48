/*
 * gateway.c - the daemon's loop (gateway.h): one turn reads the modems
 * (receive.c), runs the new messages through the pipeline (pipeline.h),
 * runs what is due (digests, reminders, the period's report, the modems'
 * checks), sends the outbox (modems.c), advances the push and the daily
 * copy; between turns it waits for the nearest deadline while reading the
 * modems.  Signals, reloads, the lock, and a database that cannot be
 * written or is damaged.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "backup.h"
#include "clock.h"
#include "config.h"
#include "crash.h"
#include "daemon.h"
#include "digest.h"
#include "gateway.h"
#include "identity.h"
#include "log.h"
#include "modem.h"
#include "outbox.h"
#include "pipeline.h"
#include "push.h"
#include "report.h"
#include "secure.h"
#include "store.h"
#include "web.h"

volatile sig_atomic_t daemon_quit;
static volatile sig_atomic_t reload;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else
		daemon_quit = 1;
}

static void
set_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: poll() must return so that the loop sees the flag. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* A file-size limit shows as a write error (EFBIG), handled like a
	 * full disk, instead of killing the daemon. */
	signal(SIGXFSZ, SIG_IGN);
}

int64_t
daemon_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Processes new inbox rows, up to `batch` to a transaction.  A failure rolls
 * the batch back and returns -1.  With batch == 1 a message that fails is
 * left in state "new" and skipped, so that it cannot hold up the others.
 * Returns how many were processed.
 */
static int
process_batches(struct gw *gw, int batch)
{
	struct pipeline pl = {gw->cfg, gw->st, daemon_topup, gw};
	struct store_inmsg msg;
	int64_t after = 0;
	int r, n = 0, inbatch = 0, alone;

	memset(&msg, 0, sizeof(msg));
	while (!daemon_quit) {
		r = store_inbox_next_new(gw->st, after, &msg);
		if (r != 1)
			break;
		after = msg.id;
		/* A NAPTIEN to dial goes in a transaction of its own: what came
		 * before is committed first, and a failure after the dial cannot
		 * take other messages back with it. */
		alone = daemon_topup_kept(gw, msg.id);
		if (alone && inbatch > 0) {
			if (store_commit(gw->st) == -1)
				goto fail;
			crash_point("processed");
			n += inbatch;
			inbatch = 0;
		}
		if (inbatch == 0 && store_begin(gw->st) == -1)
			return -1;
		r = pipeline_run(&pl, &msg, 0);
		store_inmsg_clear(&msg);
		if (r == -1) {
			store_rollback(gw->st);
			/* A damaged file fails every message alike. */
			if ((batch > 1 && !alone) || store_damaged(gw->st))
				return -1;
			log_warnx("SMS #%" PRId64 " could not be processed; will try again", after);
			inbatch = 0;
			continue;
		}
		if (++inbatch == batch || alone) {
			if (store_commit(gw->st) == -1)
				goto fail;
			crash_point("processed");
			n += inbatch;
			inbatch = 0;
		}
	}
	if (inbatch > 0) {
		if (store_commit(gw->st) == -1)
			goto fail;
		crash_point("processed");
		n += inbatch;
	}
	return n;
fail:
	store_rollback(gw->st);
	return -1;
}

/* The new inbox rows through the pipeline.  The PINs kept by receive()
 * live until here: what was not dialled now never will be. */
static int
process_new(struct gw *gw)
{
	int n = process_batches(gw, BATCH);

	if (n == -1 && !store_damaged(gw->st)) {
		/* Find the message at fault: one at a time, the others go through. */
		log_warnx("a batch of SMS could not be processed; retrying them one by one");
		n = process_batches(gw, 1);
	}
	daemon_topups_clear(gw);
	return n;
}

#define DB_RETRY_MIN_MS 2000
#define DB_RETRY_MAX_MS (2 * 60 * 1000)

#define DB_DOWN_TEXT                                                                               \
	"TINBAO: khong ghi duoc co so du lieu (o dia day hoac chi doc). Tin nhan den van giu "     \
	"tren SIM. Hay kiem tra may chu."
#define DB_UP_TEXT "TINBAO: co so du lieu ghi lai duoc binh thuong. Tin nhan tren SIM da duoc luu."
#define DB_DAMAGED_TEXT                                                                            \
	"TINBAO: co so du lieu bi hong, gateway da dung. Tin nhan den van giu tren SIM. Hay "      \
	"khoi phuc ban sao luu (xem nhat ky) roi chay lai."

/* A write failed for lack of space or permission: back off, tell once. */
static void
db_failed(struct gw *gw)
{
	if (!gw->db_down) {
		gw->db_down = 1;
		gw->db_wait = DB_RETRY_MIN_MS;
		log_warnx("database %s cannot be written; SMS stay on the phone until it can "
			  "(next attempt in %d ms)",
			  gw->cfg->database, gw->db_wait);
		if (!gw->db_alerted && daemon_alert_direct(gw, DB_DOWN_TEXT) > 0)
			gw->db_alerted = 1;
	} else {
		gw->db_wait = gw->db_wait * 2 > DB_RETRY_MAX_MS ? DB_RETRY_MAX_MS : gw->db_wait * 2;
		log_debug("database still not writable; next attempt in %d ms", gw->db_wait);
	}
	gw->db_retry_at = daemon_ms() + gw->db_wait;
	/* The store may be reopened: no copy may hold on to it. */
	backup_abandon(gw->backup);
}

static int
queue_up(void *arg, const struct identity *id)
{
	return store_outbox_add(arg, id->number, DB_UP_TEXT, "alert", 0, NULL) == -1 ? -1 : 0;
}

/* Writes work again: say so, and record the alert now that it can be. */
static void
db_recovered(struct gw *gw)
{
	gw->db_down = 0;
	log_info("database %s is writable again", gw->cfg->database);
	if (!gw->db_alerted)
		return;
	if (alert_recipients(gw->cfg, gw->st, queue_up, gw->st) != 0)
		return; /* still told next time */
	gw->db_alerted = 0;
}

/*
 * 1 when the database was found damaged (store_damaged()): unlike a full
 * disk, waiting cannot mend it, and every write from now on would fail or
 * make it worse.  The gateway stops: what is not stored stays on the SIM,
 * nothing more is sent or deleted, the admins are told once straight
 * through the modem, and the log names the copy to restore.
 */
static int
db_damaged(struct gw *gw)
{
	if (gw->damaged)
		return 1;
	if (!store_damaged(gw->st))
		return 0;
	gw->damaged = 1;
	log_warnx("database %s is damaged: stopping; SMS not yet stored stay on the phone",
		  gw->cfg->database);
	daemon_alert_direct(gw, DB_DAMAGED_TEXT);
	backup_damaged_hint(gw->cfg);
	return 1;
}

/* 1 when this turn must leave the database alone (it was not writable and
 * the next attempt is not due yet, or the handle is still read-only). */
static int
db_wait(struct gw *gw)
{
	if (!gw->db_down)
		return 0;
	if (daemon_ms() < gw->db_retry_at)
		return 1;
	if (store_reopen(gw->st) == -1) {
		db_failed(gw);
		return 1;
	}
	return 0;
}

/* The loop starts (1) or stops (0) reading the modems: the longest gap
 * between two reads is kept, logged at exit. */
static void
reading(struct gw *gw, int start)
{
	int64_t now = daemon_ms();

	if (!start)
		gw->read_end = now;
	else if (gw->read_end > 0 && now - gw->read_end > gw->read_gap)
		gw->read_gap = now - gw->read_end;
}

static void
turn(struct gw *gw)
{
	struct gw_modem *m;
	int64_t t0, t1, t2, t3;
	int got = 0, r, done, sent = 0;

	daemon_keep_modems(gw);
	gw->incoming = 0;
	if (db_wait(gw))
		return;
	t0 = daemon_ms();
	reading(gw, 1);
	FOREACH_CONNECTED(gw, m)
	{
		/* What was announced so far is read by this scan. */
		modem_incoming(m->modem);
		r = daemon_receive(gw, m);
		if (r > 0)
			got += r;
		if (db_damaged(gw))
			return;
		if (!modem_lost(m->modem))
			daemon_check_sim(gw, m);
	}
	reading(gw, 0);
	t1 = daemon_ms();
	daemon_expire_parts(gw);
	done = process_new(gw);
	/* Digests and reminders due now go out with this turn's replies. */
	digest_tick(gw->cfg, gw->st, clock_now());
	/* The period's report once a deadline is past; its SMS goes with them. */
	report_tick(gw->cfg, gw->st, clock_now(), &gw->report_retry);
	daemon_modem_checks(gw);
	t2 = daemon_ms();
	if (db_damaged(gw))
		return;
	if (store_disk_error(gw->st)) {
		/* Nothing is sent that could not be recorded as sent. */
		db_failed(gw);
		return;
	}
	if (gw->db_down)
		db_recovered(gw);
	sent = daemon_send_queued(gw);
	/* After the sends: a copy restored later resends as little as can be. */
	backup_tick(gw->backup, gw->cfg, gw->st, clock_now());
	if (db_damaged(gw))
		return;
	if (store_disk_error(gw->st))
		db_failed(gw);
	t3 = daemon_ms();
	if (got > 0 || done > 0 || sent > 0)
		log_info("read %d SMS (%" PRId64 " ms), processed %d (%" PRId64
			 " ms), sent %d replies (%" PRId64 " ms)",
			 got, t1 - t0, done > 0 ? done : 0, t2 - t1, sent > 0 ? sent : 0, t3 - t2);
	daemon_keep_modems(gw);
}

/*
 * Sleeps until the next deadline (ms from now), reading the connected
 * modems meanwhile, so that an SMS they announce is read at once rather than
 * at the next scan.  Returns early when one is announced, a modem is due for
 * reconnection, or a signal came.
 */
static void
wait_events(struct gw *gw, int ms)
{
	struct gw_modem *m;
	int64_t now, deadline = daemon_ms() + ms;
	size_t i;
	int reading;

	for (;;) {
		now = daemon_ms();
		if (daemon_quit || reload || gw->incoming || now >= deadline)
			return;
		for (i = 0; i < gw->nmodems; i++)
			if (gw->modems[i].modem == NULL && now >= gw->modems[i].reopen_at) {
				gw->incoming = 1; /* a turn reconnects it */
				return;
			}
		reading = 0;
		FOREACH_CONNECTED(gw, m)
		{
			if (modem_is_dummy(m->modem))
				continue;
			reading = 1;
			/* One read of at most 50 ms (libgammu's select()). */
			if (modem_wait(m->modem, 0) == 1)
				gw->incoming = 1;
		}
		/* The push's request goes on between the modem reads. */
		if (push_wait(gw->push, 0) == 1)
			return;
		if (!reading) {
			now = daemon_ms();
			for (i = 0; i < gw->nmodems; i++)
				if (gw->modems[i].modem == NULL &&
				    gw->modems[i].reopen_at < deadline)
					deadline = gw->modems[i].reopen_at;
			/* Sleeps, or waits on the push's request. */
			if (now < deadline)
				push_wait(gw->push, (int)(deadline - now));
			return;
		}
	}
}

/* 0 when the configuration was replaced, -1 (logged) when the running one
 * stays. */
static int
reload_config(struct gw *gw)
{
	struct config_diags diags = {NULL, 0};
	struct config *cfg;
	struct push *np;
	size_t i;

	if (secure_private_file(gw->cfg->path, "configuration") == -1) {
		log_warnx("reload: keeping the running configuration");
		return -1;
	}
	cfg = config_load(gw->cfg->path, &diags);
	for (i = 0; i < diags.n; i++)
		log_warnx("%s:%d: %s: %s", diags.v[i].file, diags.v[i].line,
			  diags.v[i].warning ? "warning" : "error", diags.v[i].msg);
	config_diags_free(&diags);
	if (cfg == NULL) {
		log_warnx("reload: %s has errors; keeping the running configuration",
			  gw->cfg->path);
		return -1;
	}
	if (secure_config_files(cfg) == -1) {
		log_warnx("reload: keeping the running configuration");
		config_free(cfg);
		return -1;
	}
	/* The push of the new configuration must be able to start (token
	 * file...) before it replaces the running one. */
	if (push_new(cfg, gw->st, &daemon_quit, &np) == -1) {
		log_warnx("reload: the push cannot start with %s; keeping the running "
			  "configuration",
			  cfg->path);
		config_free(cfg);
		return -1;
	}
	push_free(gw->push);
	gw->push = np;
	if (strcmp(cfg->database, gw->cfg->database) != 0 || daemon_modems_changed(gw, cfg))
		log_warnx("reload: database and modem changes take effect on restart");
	config_free(gw->cfg);
	gw->cfg = cfg;
	log_info("reload: configuration %s loaded", cfg->path);
	return 0;
}

/* The console as the reloaded configuration wants it: started, stopped or
 * reloaded with its logins kept.  A console that cannot start then is
 * logged, and the gateway goes on without it. */
static struct web *
web_follow(struct web *web, const struct config *cfg)
{
	if (!cfg->web.enabled) {
		if (web != NULL)
			log_info("reload: no web group: the console stops");
		web_stop(web);
		return NULL;
	}
	if (web == NULL)
		return web_start(cfg);
	web_reload(web, cfg);
	return web;
}

int
gateway_run(struct config *cfg, int once)
{
	struct gw gw;
	struct web *web = NULL;
	int64_t next = 0, now, send_at;
	int wait, push_ms, backup_ms, status = 1, lock = -1;

	memset(&gw, 0, sizeof(gw));
	gw.cfg = cfg;
	daemon_quit = reload = 0;
	set_signals();
	if (backup_check_database(cfg) == -1)
		goto done;
	gw.st = store_open(cfg->database, 0);
	if (gw.st == NULL) {
		backup_restore_hint(cfg);
		goto done;
	}
	lock = gateway_lock(cfg->database);
	if (lock == -1)
		goto done;
	gw.outbox = outbox_new(gw.st);
	if (gw.outbox == NULL)
		goto done;
	if (daemon_open_modems(&gw, once) == -1)
		goto done;
	/* Root opened the modem and the database; the rest runs as the user. */
	if (secure_drop(cfg) == -1)
		goto done;
	if (push_new(cfg, gw.st, &daemon_quit, &gw.push) == -1)
		goto done;
	gw.backup = backup_new(once);
	if (gw.backup == NULL)
		goto done;
	/* The web console, when configured, in a thread of its own (web.h). */
	if (cfg->web.enabled && !once) {
		web = web_start(cfg);
		if (web == NULL)
			goto done;
	}
	log_info("tinbao: gateway running (database %s)%s", cfg->database,
		 once ? ", one pass" : "");
	while (!daemon_quit && !gw.damaged) {
		if (reload) {
			reload = 0;
			if (reload_config(&gw) == 0 && !once)
				web = web_follow(web, gw.cfg);
		}
		now = daemon_ms();
		if (now >= next || gw.incoming) {
			/* The full scan every poll_interval is the fallback for SMS
			 * that no modem announced. */
			if (now >= next)
				next = now + (int64_t)gw.cfg->poll_interval * 1000;
			turn(&gw);
			/* The outbox may want the modem before the next scan
			 * (not sooner than in a second). */
			send_at = now + (gw.send_next - clock_now()) * 1000;
			if (gw.send_next > 0 && send_at < next)
				next = send_at > now + 1000 ? send_at : now + 1000;
		}
		/* Starts or advances a request, never waits for the server; it
		 * says when it wants the next step. */
		push_ms = push_step(gw.push);
		if (once)
			push_finish(gw.push);
		/* The daily copy, a few pages at a time. */
		backup_ms = backup_step(gw.backup, gw.cfg, gw.st);
		if (db_damaged(&gw) || once)
			break;
		wait = (int)(next - daemon_ms());
		if (push_ms >= 0 && push_ms < wait)
			wait = push_ms;
		if (backup_ms >= 0 && backup_ms < wait)
			wait = backup_ms;
		if (wait > 0) {
			reading(&gw, 1);
			wait_events(&gw, wait);
			reading(&gw, 0);
		}
	}
	status = gw.damaged ? GATEWAY_DAMAGED : 0;
	log_info("tinbao: stopping (the longest time without reading the modems: %" PRId64 " ms)",
		 gw.read_gap);
done:
	/* Damage found by the first statements at start (the outbox's
	 * recovery...): the same advice as in use. */
	if (status == 1 && gw.st != NULL && store_damaged(gw.st)) {
		backup_damaged_hint(gw.cfg);
		status = GATEWAY_DAMAGED;
	}
	web_stop(web);
	/* Fixed order: the modem first (no more SMS arrive), then the database. */
	daemon_close_modems(&gw);
	outbox_free(gw.outbox);
	push_free(gw.push);
	backup_free(gw.backup);
	store_close(gw.st);
	if (lock != -1)
		close(lock);
	config_free(gw.cfg);
	return status;
}

int
gateway_lock(const char *database)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s.lock", database);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1) {
		log_warn("%s", path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			log_warnx("%s: another tinbao gateway is running on this database", path);
		else
			log_warn("%s", path);
		close(fd);
		return -1;
	}
	return fd;
}

int
gateway_running(const char *database)
{
	char path[4096];
	int fd, r;

	snprintf(path, sizeof(path), "%s.lock", database);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return errno == ENOENT ? 0 : -1;
	r = flock(fd, LOCK_SH | LOCK_NB);
	close(fd); /* closing releases a lock taken here */
	if (r == 0)
		return 0;
	return errno == EWOULDBLOCK ? 1 : -1;
}
