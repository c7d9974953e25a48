/*
 * cmd-config.c - is the configuration right, and do the modems answer?
 * tinbao check-config [--modem] validates the configuration and the modems'
 * gammurcs (modemcheck.h) and says what it makes of today; tinbao
 * modem-test [--modem NAME] opens each modem as `gammu identify` does and
 * prints what it says of itself, its SIM and its network.
 */
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gammu.h>

#include "cli.h"
#include "clock.h"
#include "config.h"
#include "health.h"
#include "modem.h"
#include "modemcheck.h"
#include "secure.h"

/*
 * Who will open the modems' devices: run as root, the configuration's
 * `user`; without one, the owner of the configuration file when that is not
 * root (the package's unit runs the gateway as the owner of
 * /etc/tinbao/tinbao.conf); otherwise whoever runs this.
 */
static const char *
check_user(const char *conf, const struct config *cfg)
{
	static char owner[64];
	struct passwd *pw;
	struct stat sb;

	if (geteuid() != 0)
		return NULL;
	if (cfg->user != NULL)
		return cfg->user;
	if (stat(conf, &sb) == -1 || sb.st_uid == 0)
		return NULL;
	pw = getpwuid(sb.st_uid);
	if (pw == NULL)
		return NULL;
	snprintf(owner, sizeof(owner), "%s", pw->pw_name);
	return owner;
}

/*
 * What the configuration says of today (Vietnam time): a year without a plan
 * (its reports are counted, not compared with targets), and communes that
 * all ended (the administrative map changed: a later period needs its own
 * configuration and database).  Warnings only.
 */
static void
check_today(const char *conf, const struct config *cfg)
{
	int64_t now = clock_now();
	char today[16];
	struct tm tm;
	size_t i, ended = 0;

	clock_local(now, &tm);
	clock_date(now, today, sizeof(today));
	if (config_plan_for(cfg, tm.tm_year + 1900) == NULL)
		fprintf(stderr,
			"%s: warning: no plan for %d, this year: its reports are counted but not "
			"compared with targets; add a block { year = %d; ... } to plan\n",
			conf, tm.tm_year + 1900, tm.tm_year + 1900);
	for (i = 0; i < cfg->ncommunes; i++) {
		if (cfg->communes[i].valid_to != NULL &&
		    strcmp(cfg->communes[i].valid_to, today) < 0)
			ended++;
	}
	if (cfg->ncommunes > 0 && ended == cfg->ncommunes)
		fprintf(
		    stderr,
		    "%s: warning: every commune's valid_to is before today (%s): the district's "
		    "units have changed since; a later period needs its own configuration "
		    "and database\n",
		    conf, today);
}

int
cli_check_config(const char *conf, int argc, char **argv)
{
	struct config *cfg;
	size_t errors = 0;
	int modem = 0;

	if (argc == 2 && strcmp(argv[1], "--modem") == 0)
		modem = 1;
	else if (argc != 1)
		return cli_usage("check-config [--modem]");
	/* A copy under review may be readable; the one `run` reads may not. */
	if (secure_private_file(conf, "configuration") == -1)
		fprintf(stderr,
			"%s: warning: `run` and `push` refuse this file until it is "
			"private: chmod 600 %s\n",
			conf, conf);
	cfg = cli_config_errors(conf, &errors);
	/* The modems' gammurcs, as the user that will open the devices. */
	if (cfg != NULL)
		errors += (size_t)modemcheck_rc(cfg, check_user(conf, cfg), stderr);
	if (cfg == NULL || errors > 0) {
		fprintf(stderr, "%s: %zu error%s\n", conf, errors, errors == 1 ? "" : "s");
		config_free(cfg);
		return 1;
	}
	/* The files it includes and names, as `run` checks them. */
	if (secure_config_files(cfg) == -1)
		fprintf(stderr,
			"%s: warning: `run` and `push` refuse this configuration until the "
			"files above are private\n",
			conf);
	check_today(conf, cfg);
	printf("configuration OK\n");
	config_free(cfg);
	return modem ? cli_modem_test(conf, 1, argv) : 0;
}

/* ---- modem-test ------------------------------------------------------- */

static void
show(const char *what, GSM_Error err, const char *value)
{
	if (err == ERR_NONE)
		printf("  %-13s %s\n", what, value);
	else
		printf("  %-13s (%s)\n", what, GSM_ErrorString(err));
}

/* Asks one open modem what `gammu identify` and `gammu networkinfo` ask. */
static void
identify(struct modem *m)
{
	GSM_StateMachine *sm = modem_gammu(m);
	GSM_SignalQuality sig;
	GSM_NetworkInfo net;
	GSM_SMSC smsc;
	char buf[GSM_MAX_INFO_LENGTH + 64], number[4 * (GSM_MAX_NUMBER_LENGTH + 1)];
	const unsigned char *u;
	GSM_Error err;

	buf[0] = '\0';
	show("manufacturer", GSM_GetManufacturer(sm, buf), buf);
	buf[0] = '\0';
	show("model", GSM_GetModel(sm, buf), buf);
	buf[0] = '\0';
	show("IMEI", GSM_GetIMEI(sm, buf), buf);
	buf[0] = '\0';
	show("SIM (IMSI)", GSM_GetSIMIMSI(sm, buf), buf);
	memset(&sig, 0, sizeof(sig));
	err = GSM_GetSignalQuality(sm, &sig);
	snprintf(buf, sizeof(buf), "%d%% (%d dBm)", sig.SignalPercent, sig.SignalStrength);
	show("signal", err, buf);
	memset(&net, 0, sizeof(net));
	err = GSM_GetNetworkInfo(sm, &net);
	u = err == ERR_NONE && net.NetworkCode[0] != '\0' ? GSM_GetNetworkName(net.NetworkCode)
							  : NULL;
	number[0] = '\0';
	if (u != NULL)
		EncodeUTF8(number, u);
	snprintf(buf, sizeof(buf), "%s%s%s, %s", net.NetworkCode, number[0] ? " " : "", number,
		 health_reg_name(net.State));
	show("network", err, buf);
	memset(&smsc, 0, sizeof(smsc));
	smsc.Location = 1;
	err = GSM_GetSMSC(sm, &smsc);
	number[0] = '\0';
	if (err == ERR_NONE)
		EncodeUTF8(number, smsc.Number);
	show("SMSC", err, number);
}

int
cli_modem_test(const char *conf, int argc, char **argv)
{
	struct config *cfg;
	struct modem *m;
	const char *only = NULL;
	size_t i, tried = 0;
	int lock, failed = 0;

	if (argc == 3 && strcmp(argv[1], "--modem") == 0)
		only = argv[2];
	else if (argc != 1)
		return cli_usage("modem-test [--modem NAME]");
	/* The running gateway holds the modems: opening them twice would
	 * garble both conversations. */
	cfg = cli_config_alone(conf, "modem-test",
			       "no lock on the database (above): a running gateway holds the "
			       "modems; stop it first",
			       &lock);
	if (cfg == NULL)
		return 1;
	for (i = 0; i < cfg->nmodems; i++) {
		if (only != NULL && strcmp(only, cfg->modems[i].name) != 0)
			continue;
		tried++;
		printf("%s (%s, section %d):\n", cfg->modems[i].name, cfg->modems[i].gammurc,
		       cfg->modems[i].section);
		m = modem_open(cfg->modems[i].gammurc, cfg->modems[i].section);
		if (m == NULL) {
			printf("  cannot be opened (the error is above)\n");
			failed = 1;
			continue;
		}
		identify(m);
		modem_close(m);
	}
	close(lock);
	if (only != NULL && tried == 0) {
		fprintf(stderr, "tinbao: modem-test: no modem named \"%s\"\n", only);
		failed = 1;
	}
	config_free(cfg);
	return failed;
}
