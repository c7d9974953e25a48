/*
 * fuzz_sheet.c - libFuzzer target for the tables staff import
 * (gateway/util/sheetfile.h): the bytes are read as a CSV file's text and,
 * split at the first NUL byte, as a workbook's shared strings and first
 * worksheet (the XML sheetfile_xlsx() reads once it has unzipped them; the
 * zip itself is minizip's).  Seeds: tests/fuzz/sheet-seeds.
 *
 * Besides memory errors it checks the contract: a table or an error
 * message, never both nor neither; every cell of a row is a string; a row
 * is where it was, CSV lines counting up.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sheetfile_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

/* Reads text as a CSV file's ("csv") or as a worksheet's XML with the
 * workbook's shared strings ("xlsx"), and checks the contract. */
static void
read_as(const char *what, char *text, const char *shared)
{
	struct sheetfile *sf = calloc(1, sizeof(*sf));
	char err[512] = "";
	int r;

	if (sf == NULL)
		abort();
	sf->xlsx = what[0] == 'x';
	r = sf->xlsx ? sheetfile_xlsx_parts(sf, shared, text, "f.xlsx", err, sizeof(err))
		     : sheetfile_csv(sf, "f.csv", text, err, sizeof(err));
	if ((r == 0) != (err[0] == '\0'))
		abort();
	if (r == 0)
		check(sf, !sf->xlsx);
	sheetfile_free(sf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	char *all, *shared, *sheet;

	all = strndup((const char *)data, size);
	shared = nul != NULL ? strndup((const char *)data, (size_t)(nul - data)) : NULL;
	sheet = nul != NULL ? strndup((const char *)nul + 1, size - (size_t)(nul - data) - 1)
			    : strndup((const char *)data, size);
	if (all == NULL || sheet == NULL || (nul != NULL && shared == NULL))
		abort();
	read_as("csv", all, NULL);
	read_as("xlsx", sheet, shared);
	free(all);
	free(shared);
	free(sheet);
	return 0;
}
