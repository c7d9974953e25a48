/*
 * fuzz_config.c - libFuzzer target for config_load(): the bytes are a
 * configuration file (`make fuzz`, seeds: contrib/tinbao.conf and
 * the configurations of tests/fixtures/config).
 *
 * The file is written 0600 into a private temporary folder, and relative
 * paths in it (database, gammu.rc, token_file) are taken from there.  Inputs with "@include" are
 * skipped: an include would read whatever file the fuzzer names (the loader's include handling is
 * covered by the unit tests instead).  The loader only stats the other paths it names, it opens
 * none of them.
 *
 * Besides memory errors it checks the contract of config_load(): a config
 * exactly when no diagnostic is an error, every diagnostic with a file and
 * a message, and a config whose parser and gazetteer are usable.
 */
#define _GNU_SOURCE /* memmem */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "parser.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], path[96];

static void
cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	strcpy(dir, "/tmp/tinbao-fuzzcfg-XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/f.conf", dir);
	atexit(cleanup);
	log_init(0, LOG_LEVEL_WARN);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_diags d = {NULL, 0};
	struct parser_result res;
	struct config *cfg;
	size_t i, errors = 0;
	int fd;

	if (size > 64 * 1024 || memmem(data, size, "include", 7) != NULL)
		return 0;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd == -1 || write(fd, data, size) != (ssize_t)size || close(fd) == -1)
		abort();
	cfg = config_load(path, &d);
	for (i = 0; i < d.n; i++) {
		if (d.v[i].file == NULL || d.v[i].msg == NULL || d.v[i].msg[0] == '\0' ||
		    d.v[i].line < 0)
			abort();
		errors += !d.v[i].warning;
	}
	if ((cfg == NULL) != (errors > 0) || errors != config_diags_errors(&d))
		abort();
	if (cfg != NULL) {
		if (cfg->parser == NULL || cfg->database == NULL)
			abort();
		/* The parser built from it answers. */
		parser_parse(cfg->parser, "DK 1 2 3", 8, &res);
		for (i = 0; i < cfg->ncommunes; i++) {
			if (cfg->communes[i].code == NULL)
				abort();
		}
	}
	config_free(cfg);
	config_diags_free(&d);
	return 0;
}
