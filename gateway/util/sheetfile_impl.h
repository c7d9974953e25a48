/*
 * sheetfile_impl.h - what sheetfile.c (CSV) and sheetfile_xlsx.c share.
 */
#ifndef TINBAO_SHEETFILE_IMPL_H
#define TINBAO_SHEETFILE_IMPL_H

#include <stddef.h>

#include "sheetfile.h"

/* Starts a new row at where.  0, or -1 (out of memory). */
int sheetfile_row_new(struct sheetfile *sf, int where);
/* Puts a copy of the n bytes at s, trimmed, in cell col (0-based) of the
 * last row, with empty cells before it.  0, or -1 (too many cells, out of
 * memory). */
int sheetfile_cell(struct sheetfile *sf, size_t col, const char *s, size_t n);
/* Drops the last row when all its cells are empty. */
void sheetfile_row_end(struct sheetfile *sf);

/* Reads the whole file at path (at most SHEETFILE_MAX_BYTES) into a
 * NUL-terminated buffer to free.  NULL with err set. */
char *sheetfile_slurp(const char *path, size_t *len, char *err, size_t errsz);

/* Reads the CSV text buf (NUL-terminated, taken apart in place) of the
 * file at path into sf.  0, or -1 with err set. */
int sheetfile_csv(struct sheetfile *sf, const char *path, char *buf, char *err, size_t errsz);

/* Reads the workbook at path into sf.  0, or -1 with err set. */
int sheetfile_xlsx(struct sheetfile *sf, const char *path, char *err, size_t errsz);
/* Reads the rows of a worksheet's XML (sheet) with the workbook's shared
 * strings (shared, or NULL) into sf: what sheetfile_xlsx() does once it has
 * unzipped them, apart for the fuzz target.  0, or -1 with err set. */
int sheetfile_xlsx_parts(struct sheetfile *sf, const char *shared, const char *sheet,
			 const char *path, char *err, size_t errsz);

#endif
