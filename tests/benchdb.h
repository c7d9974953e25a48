/*
 * benchdb.h - a database of many stored reports for the benchmarks (the
 * plan report's queries, the loop during the daily copy).
 */
#ifndef TINBAO_BENCHDB_H
#define TINBAO_BENCHDB_H

struct config;

/*
 * Creates the gateway's schema in path and stores n reports in it, all in
 * the year 2022, through one INSERT ... SELECT in one transaction (the
 * triggers of report_sums run as they do for every report the gateway
 * stores).  The communes and trades are those of cfg.  0 or -1 (logged).
 */
int benchdb_create(const char *path, const struct config *cfg, long n);

#endif
