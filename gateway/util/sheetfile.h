/*
 * sheetfile.h - a table as spreadsheets save it: the rows of a CSV file or
 * of the first worksheet of an .xlsx workbook, as text cells.
 *
 * A CSV file is read as Excel and LibreOffice write it: UTF-8 with or
 * without a byte order mark; fields separated by ';', ',' or a tab, the one
 * the first line (the header) uses most outside quotes; double quotes around
 * a field that holds the separator, a quote ("" inside) or a line break.
 * Blank lines, lines of empty fields and lines starting with '#' are
 * skipped.  Cells are trimmed of spaces.
 *
 * A file whose name ends in ".xlsx" is a workbook: its first worksheet
 * (xl/worksheets/sheet1.xml, where Excel and LibreOffice put the first one)
 * is read with its shared strings.  The zip is opened with minizip
 * (libminizip.so.1, on first use: it comes with libxlsxwriter4, which the
 * workbook report needs already); the two XML parts are read by a scanner
 * of their own, for the few elements that hold cell values.  A number cell
 * gives the number as the workbook stores it, a formula its cached value.
 *
 * Each row carries where it was: the line of the CSV file where its record
 * starts, or the worksheet's row number, so that an error can name it.
 */
#ifndef TINBAO_SHEETFILE_H
#define TINBAO_SHEETFILE_H

#include <stddef.h>

#define SHEETFILE_MAX_BYTES (16 * 1024 * 1024) /* a file, or an XML part of a workbook */
#define SHEETFILE_MAX_CELLS 64		       /* in a row: more is an error */

struct sheetfile_row {
	int where; /* the CSV line, or the worksheet row */
	size_t ncells;
	char **cells; /* UTF-8 as read (a CSV's bytes are not checked here) */
};

struct sheetfile {
	int xlsx; /* 1: a workbook, rows are worksheet rows */
	char sep; /* a CSV's separator */
	struct sheetfile_row *rows;
	size_t nrows;
};

/* Reads the file at path.  The table, or NULL with err set to
 * "path:line: why" (or "path: why"). */
struct sheetfile *sheetfile_read(const char *path, char *err, size_t errsz);
void sheetfile_free(struct sheetfile *sf);

#endif
