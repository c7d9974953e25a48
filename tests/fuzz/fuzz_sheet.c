/*
 * fuzz_sheet.c - libFuzzer target for the tables staff import
 * (gateway/util/sheetfile.h): the bytes are read as a CSV file and, split at
 * the first NUL byte, as a workbook's shared strings and first worksheet
 * (the XML sheetfile_xlsx() reads once it has unzipped them; the zip itself
 * is minizip's).  Seeds: tests/fuzz/sheet-seeds.
 *
 * Besides memory errors it checks the contract: a table or an error
 * message, never both nor neither; every cell of a row is a string; a row
 * is where it was, CSV lines counting up.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sheetfile_impl.h"

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
	strcpy(dir, "/tmp/tinbao-fuzzsheet-XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/f.csv", dir);
	atexit(cleanup);
	log_init(0, LOG_LEVEL_WARN);
	return 0;
}

static void
check(const struct sheetfile *sf, int csv)
{
	size_t r, c;

	for (r = 0; r < sf->nrows; r++) {
		if (sf->rows[r].ncells == 0 || sf->rows[r].ncells > SHEETFILE_MAX_CELLS)
			abort();
		for (c = 0; c < sf->rows[r].ncells; c++)
			if (sf->rows[r].cells[c] == NULL)
				abort();
		if (csv && r > 0 && sf->rows[r].where <= sf->rows[r - 1].where)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sheetfile *sf, *xl;
	char err[512], *shared, *sheet;
	const uint8_t *nul;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd == -1 || write(fd, data, size) != (ssize_t)size || close(fd) != 0)
		abort();
	err[0] = '\0';
	sf = sheetfile_read(path, err, sizeof(err));
	if ((sf == NULL) == (err[0] == '\0'))
		abort();
	if (sf != NULL)
		check(sf, 1);
	sheetfile_free(sf);

	nul = memchr(data, '\0', size);
	shared = nul != NULL ? strndup((const char *)data, (size_t)(nul - data)) : NULL;
	sheet = nul != NULL ? strndup((const char *)nul + 1, size - (size_t)(nul - data) - 1)
			    : strndup((const char *)data, size);
	if (sheet == NULL || (nul != NULL && shared == NULL))
		abort();
	xl = calloc(1, sizeof(*xl));
	if (xl == NULL)
		abort();
	xl->xlsx = 1;
	err[0] = '\0';
	if (sheetfile_xlsx_parts(xl, shared, sheet, "f.xlsx", err, sizeof(err)) == 0) {
		if (err[0] != '\0')
			abort();
		check(xl, 0);
	} else if (err[0] == '\0') {
		abort();
	}
	sheetfile_free(xl);
	free(shared);
	free(sheet);
	return 0;
}
