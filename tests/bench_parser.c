/*
 * bench_parser.c - parser throughput: realistic messages against the
 * configured gazetteer, then against a synthetic one of 10,000 communes.
 * Both sets mix exact reports with what the parser tolerates: typos, prefixes,
 * fields in any order, several reports in one SMS, classes, and errors that
 * search the typo index without finding anything.
 *
 * Usage: bench_parser CONFIG
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "log.h"
#include "parser.h"

#define ROUNDS 100000

static const char *msgs[] = {
    "ENROL xã Minh Sơn 35 hàn",
    "enrol xa minh son 35 han",
    "DK Thiện Tân 20 maycn",
    "TN tan lap 18 theu ren",
    "VL Đô Lương 15 tinhoc",
    "NEED tt Hữu Lũng 40 điện dân dụng",
    "LD Hữu Lũng 5200 3100",
    "ENROL Minh 35 han",
    "ENROL Minh Son 35 may",
    "HELLO can bo xa",
    "ENROL Dong Lai 20 han",
    "TK Minh Son",
    "GRAD Yên Thịnh 22 chăn nuôi gà",
    "ENROL    Cai Kinh,   28,  mây tre đan",
    "ENROL Mihn Sonn 35 hann",
    "ENROL 35 học viên nghề hàn xã Minh Sơn",
    "DK Minh Son 35 han; TN Hoa Son 20 maycn\nVL Cai Kinh 5 mtd",
    "LOP MO HL22-05 Minh Son han 30",
    "ENROL HL22-05 35",
    "ENROL Dong Tin 20 han",
};
#define NMSGS (sizeof(msgs) / sizeof(msgs[0]))

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Parses every message ROUNDS times; returns messages per second. */
static double
rate(const struct parser *p, const char **texts, size_t ntexts, long *ok)
{
	struct parser_result res;
	size_t lens[64], i;
	double t0;
	long r;

	for (i = 0; i < ntexts; i++)
		lens[i] = strlen(texts[i]);
	*ok = 0;
	t0 = now_s();
	for (r = 0; r < ROUNDS; r++)
		for (i = 0; i < ntexts; i++)
			*ok += parser_parse(p, texts[i], lens[i], &res) == 0;
	return (double)ROUNDS * (double)ntexts / (now_s() - t0);
}

/* A gazetteer of 10,000 made-up communes of three syllables (and the
 * configured trades). */
static struct parser *
synthetic(const struct config *cfg)
{
	static const char *syl[] = {
	    "Minh",  "Sơn",  "Hòa", "Tân", "Yên",  "Đồng", "Thanh", "Vân",  "Hữu",   "Bình", "Lạc",
	    "Thắng", "Tiến", "Hồ",  "Cai", "Kinh", "Nham", "Quyết", "Liên", "Vượng", "Lũng", "Kỵ"};
	struct parser *p = parser_new();
	char name[64], code[8];
	size_t i, j, k, n = 0, ns = sizeof(syl) / sizeof(syl[0]);
	int t;

	if (p == NULL)
		return NULL;
	for (i = 0; i < ns && n < 10000; i++)
		for (j = 0; j < ns && n < 10000; j++)
			for (k = 0; k < ns && n < 10000; k++, n++) {
				snprintf(name, sizeof(name), "%s %s %s", syl[i], syl[j], syl[k]);
				snprintf(code, sizeof(code), "%05zu", 10000 + n);
				if (parser_add_commune(p, code, "xa", name) == -1)
					goto fail;
			}
	for (i = 0; i < cfg->ntrades; i++) {
		t = parser_add_trade(p, cfg->trades[i].code, cfg->trades[i].name);
		for (j = 0; t != -1 && j < cfg->trades[i].naliases; j++)
			parser_add_trade_alias(p, t, cfg->trades[i].aliases[j]);
	}
	for (i = 0; i < PARSER_NKEYWORDS; i++)
		for (j = 0; j < cfg->nkeywords[i]; j++)
			parser_add_keyword(p, (enum parser_kind)i, cfg->keywords[i][j]);
	for (i = 0; i < cfg->nfillers; i++)
		parser_add_filler(p, cfg->fillers[i]);
	if (parser_set_class_pattern(p, cfg->class_pattern, NULL, 0) == -1)
		goto fail;
	if (parser_prepare(p) == -1)
		goto fail;
	return p;
fail:
	parser_free(p);
	return NULL;
}

int
main(int argc, char *argv[])
{
	static const char *big[] = {
	    "ENROL xa Minh Son Hoa 35 han",
	    "DK Dong Tan Lac 20 maycn",
	    "TN Yen Binh Kinh 18 theu",
	    "VL Ho Kinh Vuong 15 tinhoc",
	    "ENROL Thanh Lac Ky 22 rau",
	    "HELLO can bo xa",
	    "ENROL Dong Lai 20 han",
	    "LD Cai Vuong Lung 5200 3100",
	    "ENROL 35 han Quyet Vuong Vuongg",
	    "ENROL Minh Son Hoaa 35 han",
	    "DK Yen Binh Kinh 5 han; Ho Kinh Vuong 7 theu",
	    "ENROL HL22-05 35",
	};
	struct config_diags diags = {NULL, 0};
	struct config *cfg;
	struct parser *p;
	long ok;
	double r;

	if (argc != 2) {
		fprintf(stderr, "usage: bench_parser CONFIG\n");
		return 2;
	}
	log_init(0, LOG_LEVEL_WARN);
	cfg = config_load(argv[1], &diags);
	config_diags_free(&diags);
	if (cfg == NULL) {
		fprintf(stderr, "bench_parser: %s does not load\n", argv[1]);
		return 1;
	}
	r = rate(cfg->parser, msgs, NMSGS, &ok);
	printf("parser, %zu communes: %.0f messages/s (%ld understood)\n",
	       parser_ncommunes(cfg->parser), r, ok);
	p = synthetic(cfg);
	if (p == NULL) {
		fprintf(stderr, "bench_parser: synthetic gazetteer failed\n");
		config_free(cfg);
		return 1;
	}
	r = rate(p, big, sizeof(big) / sizeof(big[0]), &ok);
	printf("parser, %zu communes: %.0f messages/s (%ld understood)\n", parser_ncommunes(p), r,
	       ok);
	parser_free(p);
	config_free(cfg);
	return 0;
}
