/*
 * config.c - the top level of the configuration file: its table of settings
 * and groups (each group's table and checks are in the file of that name:
 * push.c for "push", ...), the settings outside any group and the small
 * "reply", "gateway" and "log" groups, the defaults, the paths, and
 * config_free().  Loading is load.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "impl.h"
#include "parser.h"

static int
check_level(struct loader *l, const config_setting_t *s, const char *v)
{
	static const char *const w[] = {"debug", "info", "warning", NULL};

	return one_of(l, s, v, w, "\"debug\", \"info\" or \"warning\"");
}

/* clang-format off */
static const struct key reply_keys[] = {
	KBOOL("diacritics", 0, OFF(reply_diacritics)),
	KEND,
};

static const struct key gateway_keys[] = {
	KINT("poll_interval", 0, 1, 3600, OFF(poll_interval)),
	KINT("send_retries", 0, 1, 20, OFF(send_retries)),
	KINT("multipart_timeout", 0, 10, 86400, OFF(multipart_timeout)),
	KEND,
};

static const struct key log_keys[] = {
	KSTR("level", 0, OFF(log_level), check_level),
	KEND,
};

const struct key top_keys[] = {
	KSTR("database", 1, OFF(database), check_nonempty),
	KGROUP("gammu", 1, gammu_keys),
	KLIST_OPT("modems", modem_keys, struct config_modem, OFF(modems), OFF(nmodems)),
	KSTR("own_number", 0, OFF(own_number), check_phone),
	KSTR("user", 0, OFF(user), check_nonempty),
	KGROUP("reply", 0, reply_keys),
	KGROUP("gateway", 0, gateway_keys),
	KGROUP("sending", 0, sending_keys),
	KGROUP("log", 0, log_keys),
	KGROUP("parser", 0, parser_keys),
	KGROUP("keywords", 1, keyword_keys),
	KLIST_ONE("plan", plan_keys, struct config_plan, OFF(plans), OFF(nplans)),
	KLIST("communes", commune_keys, struct config_commune, OFF(communes), OFF(ncommunes)),
	KLIST("trades", trade_keys, struct config_trade, OFF(trades), OFF(ntrades)),
	KGROUP("push", 0, push_keys),
	KGROUP("digest", 0, digest_keys),
	KGROUP("reminders", 0, reminders_keys),
	KGROUP("scheduled", 0, scheduled_keys),
	KGROUP("classes", 0, classes_keys),
	KSTRS("admins", 0, 1, OFF(admins), OFF(nadmins), check_phone),
	KGROUP("modem_checks", 0, modem_checks_keys),
	KGROUP("balance", 0, balance_keys),
	KGROUP("senders", 0, senders_keys),
	KGROUP("limits", 0, limits_keys),
	KGROUP("backup", 0, backup_keys),
	KGROUP("report", 0, report_keys),
	KGROUP("web", 0, web_keys),
	KEND,
};
/* clang-format on */

/* Every setting's default, before the file is read; those that depend on
 * other settings are set by the group's finish_ function. */
void
set_defaults(struct config *cfg)
{
	cfg->gammu_section = 0;
	cfg->reply_diacritics = 0;
	cfg->poll_interval = 2;
	cfg->send_retries = 3;
	cfg->multipart_timeout = 600;
	cfg->sending.rate = 6;
	cfg->sending.per = 60;
	cfg->sending.retry_min = 30;
	cfg->sending.retry_max = 3600;
	cfg->sending.ack_timeout = 60;
	cfg->max_count = PARSER_DEFAULT_MAX_COUNT;
	cfg->push.batch = 200;
	cfg->push.timeout_ms = 10000;
	cfg->push.connect_timeout_ms = 5000;
	cfg->push.retry_min_ms = 2000;
	cfg->push.retry_max_ms = 3600 * 1000;
	cfg->push.status_interval = 3600;
	cfg->digest.at = 17 * 60;
	cfg->digest.weekdays = 0x7f;
	cfg->digest.silent_days = 14;
	cfg->reminders.enabled = 1;
	cfg->reminders.days_before = 7;
	cfg->reminders.dates[0] = 615; /* 15 June and 15 December */
	cfg->reminders.dates[1] = 1215;
	cfg->reminders.ndates = 2;
	cfg->scheduled.from = 22 * 60;
	cfg->scheduled.to = 7 * 60;
	cfg->scheduled.max_per_day = 1;
	cfg->modem_checks.interval = 300;
	cfg->modem_checks.network_lost_alert = 600;
	cfg->modem_checks.record_every = 3600;
	cfg->modem_checks.keep_days = 90;
	cfg->balance.enabled = 1;
	cfg->balance.interval = 86400;
	cfg->balance.threshold = 0;
	cfg->balance.timeout = 30;
	cfg->senders.unknown_reply_days = 7;
	cfg->limits.per_sender_hour = 30;
	cfg->limits.replies_per_day = 50;
	cfg->limits.identical = 3;
	cfg->limits.daily_cap = 300;
	cfg->backup.keep = 7;
	cfg->backup.hour = 2;
	cfg->web.session_hours = 8;
}

/*
 * The log level's default, and the paths: in the file they are relative to
 * the file's directory, not to the cwd.
 */
void
finish_top(struct loader *l, const config_t *cf)
{
	struct config *cfg = l->cfg;

	if (cfg->log_level == NULL)
		cfg->log_level = copy(l, "info");
	/* SQLite's special names are not files. */
	if (cfg->database != NULL && strcmp(cfg->database, ":memory:") != 0 &&
	    strncmp(cfg->database, "file:", 5) != 0)
		resolve(l, &cfg->database);
	resolve(l, &cfg->gammurc);
	resolve(l, &cfg->push.token_file);
	resolve(l, &cfg->push.ca_file);
	resolve(l, &cfg->backup.dir);
	resolve(l, &cfg->report.dir);
}

static void
free_push(struct config_push *p)
{
	size_t i;

	for (i = 0; i < p->norg_units; i++) {
		free(p->org_units[i].commune);
		free(p->org_units[i].org_unit);
	}
	free(p->org_units);
	for (i = 0; i < p->ndata_elements; i++) {
		free(p->data_elements[i].kind);
		free(p->data_elements[i].trade);
		free(p->data_elements[i].data_element);
		free(p->data_elements[i].category_option_combo);
	}
	free(p->data_elements);
	free(p->url);
	free(p->format);
	free(p->gateway_id);
	free(p->token_file);
	free(p->auth_scheme);
	free(p->ca_file);
	free(p->data_set);
}

static void
free_strings(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
free_report(struct config_report *r)
{
	free(r->dir);
	free(r->csv_separator);
	free(r->parent_agency);
	free(r->agency);
	free(r->agency_short);
	free(r->place);
	free_strings(r->recipients, r->nrecipients);
	free(r->signer_authority);
	free(r->signer_title);
	free(r->signer_name);
}

void
config_free(struct config *cfg)
{
	struct config_commune *c;
	struct config_trade *t;
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->ncommunes; i++) {
		c = &cfg->communes[i];
		free(c->code);
		free(c->type);
		free(c->name);
		free_strings(c->aliases, c->naliases);
		free(c->valid_from);
		free(c->valid_to);
		free_strings(c->officers, c->nofficers);
	}
	free(cfg->communes);
	free(cfg->plans);
	for (i = 0; i < cfg->ntrades; i++) {
		t = &cfg->trades[i];
		free(t->code);
		free(t->level);
		free(t->name);
		free_strings(t->aliases, t->naliases);
	}
	free(cfg->trades);
	for (i = 0; i < PARSER_NKEYWORDS; i++)
		free_strings(cfg->keywords[i], cfg->nkeywords[i]);
	free(cfg->class_pattern);
	free_strings(cfg->fillers, cfg->nfillers);
	free_strings(cfg->courtesy, cfg->ncourtesy);
	parser_free(cfg->parser);
	free(cfg->path);
	free_strings(cfg->files, cfg->nfiles);
	free(cfg->database);
	free(cfg->gammurc);
	for (i = 0; i < cfg->nmodems; i++) {
		free(cfg->modems[i].name);
		free(cfg->modems[i].gammurc);
	}
	free(cfg->modems);
	free(cfg->own_number);
	free(cfg->log_level);
	free(cfg->user);
	free_push(&cfg->push);
	free_strings(cfg->digest.recipients, cfg->digest.nrecipients);
	free_strings(cfg->class_senders, cfg->nclass_senders);
	free_strings(cfg->admins, cfg->nadmins);
	free(cfg->digest.schedule);
	free(cfg->digest.time);
	free_strings(cfg->digest.days, cfg->digest.ndays);
	free_strings(cfg->reminders.deadlines, cfg->reminders.ndeadlines);
	free(cfg->backup.dir);
	free_report(&cfg->report);
	free(cfg->scheduled.quiet_from);
	free(cfg->scheduled.quiet_to);
	free(cfg->balance.code);
	free(cfg->balance.pattern);
	free(cfg->balance.topup_code);
	free(cfg->senders.unknown);
	free(cfg->senders.contact);
	free(cfg->senders.other_commune);
	free(cfg->web.listen);
	free(cfg->web.tls_cert);
	free(cfg->web.tls_key);
	free(cfg);
}
