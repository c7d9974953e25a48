/*
 * cmd-run.c - tinbao run [--once]: the gateway in the foreground (see
 * gateway.h).
 */
#include <string.h>

#include "cli.h"
#include "gateway.h"

int
cli_run(const char *conf, int argc, char **argv)
{
	struct config *cfg;
	int once = 0;

	if (argc == 2 && strcmp(argv[1], "--once") == 0)
		once = 1;
	else if (argc != 1)
		return cli_usage("run [--once]");
	cfg = cli_config_private(conf);
	if (cfg == NULL)
		return 1;
	return gateway_run(cfg, once);
}
