/*
 * report.h - the plan report district staff file every six months and every
 * year (`tinbao report`).
 *
 * For a period (a half-year or a year), per commune and per trade: learners
 * enrolled, completed and employed, the employment rate, the training
 * demand, and per commune the labour force and its trained share; totals
 * against the plan's targets (trainees 600-800 in the year, 80% employed,
 * 60% of the labour force trained); the communes that never reported in the
 * period; how many cancelled reports were left out.
 *
 * The figures are read once (report_build) and written in forms that
 * always agree: plain text (ASCII, for a terminal or a printer), CSV (UTF-8
 * with a BOM and CRLF line ends so that Excel and LibreOffice open the
 * Vietnamese names correctly; one header row, stable column names; ',' or
 * ';' between fields), HTML (the document to file, laid out as Decree
 * 30/2020/ND-CP asks: report_html.c; one self-contained file, no scripts,
 * no network), PDF (that document printed by headless Chromium:
 * report_pdf.c) and an Excel workbook (report_xlsx.c).  Trades without
 * figures are left out of the tables of text, HTML and workbook; the CSV
 * keeps a row for every trade.  Figures that look wrong are kept as
 * sent and named (report_checks_write).
 *
 * Definitions.  Trainees are the learners enrolled (ENROL); the employment
 * rate is employed / completed; a commune's labour force is a stock, taken
 * from its latest LABOUR report of the year up to the end of the period.
 * Rates are whole percents rounded down, so that a rate shown as meeting
 * its target does.  Communes are the configured ones that exist during the
 * period, followed by any other code found in the reports.
 */
#ifndef TINBAO_REPORT_H
#define TINBAO_REPORT_H

#include <stdint.h>
#include <stdio.h>

struct config;
struct store;
struct report;

enum report_format { REPORT_TEXT, REPORT_CSV, REPORT_HTML, REPORT_XLSX, REPORT_PDF };

/* "2022-H1", "2022-H2" or "2022" -> year and half (0 for the year).  0, or
 * -1 when s is none of these. */
int report_parse_period(const char *s, int *year, int *half);
/* "text", "csv", "html", "xlsx" or "pdf".  0 or -1. */
int report_parse_format(const char *s, enum report_format *fmt);

/* Reads the period's figures: every SQLite query of a report happens here.
 * Returns NULL (logged) on failure.  cfg must outlive the report. */
struct report *report_build(const struct config *cfg, struct store *st, int year, int half);
void report_free(struct report *r); /* accepts NULL */

/* The CSV's field separator, "," (the default, or report.csv_separator)
 * or ";" (the list separator of a Vietnamese-locale Excel).  0 or -1. */
int report_set_csv_separator(struct report *r, const char *sep);

/* Writes the report; 0, or -1 when out could not be written (or, for a
 * PDF, when there is no Chromium to print it: logged with how to print the
 * HTML instead). */
int report_write(const struct report *r, enum report_format fmt, FILE *out);

/* The figures that look wrong (more completed than enrolled, more employed
 * than completed, a trained share over 100%, a commune's trainees ten times
 * those of the half-year before), one "warning: ..." line each, ASCII. */
void report_checks_write(const struct report *r, FILE *f);

/* The gateway's turn (report_job.c): from the day after each reporting
 * deadline (reminders.deadlines) the half-year's report, from 31 December
 * the year's, written once into report.dir (html, xlsx, and pdf when
 * Chromium is there), and an SMS to the digest's recipients saying so.
 * The workbook needs libxlsxwriter.so.4, opened when the first one is
 * written: without it the report is not filed (logged, tried again).
 * Nothing without report.dir, nothing in quiet hours.  After a failure
 * (logged) nothing is tried before *retry_at.  0 or -1. */
int report_tick(const struct config *cfg, struct store *st, int64_t now, int64_t *retry_at);

#endif
