/*
 * test_parser.c - the SMS grammar against the real gazetteer of Hữu Lũng
 * district (/work/shared/reference: 24 communes with their former names, 30
 * trades with their aliases) and the keyword forms of contrib/tinbao.conf.
 *
 * The heart of it is one table of messages and what they must give; every
 * row is also answered by parser_reply(), whose limits are checked on all of
 * them.  Separate tests cover folding, construction and its refusals, the
 * result's initialisation, long input and exact reply texts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fuzzy.h"
#include "parser.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* The gazetteer ------------------------------------------------------------ */

struct commune_row {
	const char *code;
	const char *type;
	const char *name;
	const char *aliases[3]; /* former names merged into it */
};

struct trade_row {
	const char *code;
	const char *name;
	const char *aliases[6];
};

static const struct commune_row communes[] = {
    {"06385", "tt", "Hữu Lũng", {NULL}},
    {"06388", "xa", "Hữu Liên", {NULL}},
    {"06391", "xa", "Yên Bình", {NULL}},
    {"06394", "xa", "Quyết Thắng", {NULL}},
    {"06397", "xa", "Hòa Bình", {NULL}},
    {"06400", "xa", "Yên Thịnh", {NULL}},
    {"06403", "xa", "Yên Sơn", {NULL}},
    {"06406", "xa", "Thiện Tân", {"Thiện Kỵ", "Tân Lập", NULL}},
    {"06412", "xa", "Yên Vượng", {NULL}},
    {"06415", "xa", "Minh Tiến", {NULL}},
    {"06418", "xa", "Nhật Tiến", {NULL}},
    {"06421", "xa", "Thanh Sơn", {NULL}},
    {"06424", "xa", "Đồng Tân", {NULL}},
    {"06427", "xa", "Cai Kinh", {NULL}},
    {"06430", "xa", "Hòa Lạc", {NULL}},
    {"06433", "xa", "Vân Nham", {"Đô Lương", NULL}},
    {"06436", "xa", "Đồng Tiến", {NULL}},
    {"06442", "xa", "Tân Thành", {NULL}},
    {"06445", "xa", "Hòa Sơn", {NULL}},
    {"06448", "xa", "Minh Sơn", {NULL}},
    {"06451", "xa", "Hồ Sơn", {NULL}},
    {"06454", "xa", "Sơn Hà", {NULL}},
    {"06457", "xa", "Minh Hòa", {NULL}},
    {"06460", "xa", "Hòa Thắng", {NULL}},
};

static const struct trade_row trades[] = {
    {"HAN", "Hàn điện", {"han", "handien", "thohan", NULL}},
    {"MAYCN", "May công nghiệp", {"maycn", "maycongnghiep", NULL}},
    {"MAYDD", "May dân dụng", {"maydd", "maydandung", "maymac", NULL}},
    {"THEU", "Thêu ren", {"theu", "theuren", NULL}},
    {"DIENDD", "Điện dân dụng", {"dien", "diendd", "diendandung", NULL}},
    {"DIENCN", "Điện công nghiệp", {"diencn", "diencongnghiep", NULL}},
    {"SCXM", "Sửa chữa xe máy", {"scxm", "xemay", "suaxemay", "suachuaxemay", NULL}},
    {"SCMNN", "Sửa chữa máy nông nghiệp", {"scmnn", "maynongnghiep", "suamaynongnghiep", NULL}},
    {"SCDT", "Sửa chữa điện thoại di động", {"scdt", "suadienthoai", NULL}},
    {"NAUAN", "Kỹ thuật nấu ăn", {"nauan", "kythuatnauan", "chebienmonan", NULL}},
    {"NE", "Kỹ thuật xây dựng (nề)", {"ne", "lamne", "thone", "xaydung", NULL}},
    {"MOC", "Mộc dân dụng", {"moc", "thomoc", "mocdandung", NULL}},
    {"MTD", "Mây tre đan", {"mtd", "maytre", "maytredan", "danlat", NULL}},
    {"TINHOC", "Tin học văn phòng", {"tinhoc", "thvp", "vitinh", "tinhocvanphong", NULL}},
    {"VHMX", "Vận hành máy xúc, máy đào", {"vhmx", "mayxuc", "maydao", NULL}},
    {"CNLON", "Kỹ thuật chăn nuôi lợn", {"cnlon", "nuoilon", "channuoilon", NULL}},
    {"CNGA", "Chăn nuôi gà, gia cầm", {"cnga", "nuoiga", "giacam", "channuoiga", NULL}},
    {"CNTB", "Chăn nuôi trâu, bò", {"cntb", "traubo", "nuoibo", "giasuc", NULL}},
    {"CNDE", "Chăn nuôi dê", {"cnde", "nuoide", NULL}},
    {"THUY", "Thú y (phòng trị bệnh gia súc, gia cầm)", {"thuyy", "phongtribenh", NULL}},
    {"NUOICA", "Nuôi cá nước ngọt", {"nuoica", "ca", NULL}},
    {"CAQ", "Trồng cây ăn quả", {"caq", "cayanqua", "trongcayanqua", NULL}},
    {"NA", "Trồng, chăm sóc cây na", {"trongna", "cayna", NULL}},
    {"CCM", "Trồng cây có múi (cam, bưởi)", {"ccm", "cam", "buoi", "caycomui", NULL}},
    {"RAU", "Trồng rau an toàn", {"rau", "rauantoan", "trongrau", NULL}},
    {"LUA", "Trồng lúa năng suất cao", {"lua", "tronglua", NULL}},
    {"CHE", "Trồng, chế biến chè", {"che", "trongche", NULL}},
    {"NAM", "Trồng nấm ăn", {"trongnam", "naman", NULL}},
    {"LAMNGHIEP",
     "Trồng rừng, cây lâm nghiệp (keo, hồi, quế)",
     {"lamnghiep", "trongrung", "keo", "hoi", "que", NULL}},
    {"BQNS", "Bảo quản, chế biến nông sản", {"bqns", "chebiennongsan", NULL}},
};

static const char *const keywords[PARSER_NKEYWORDS][9] = {
    {"ENROL", "ENROLL", "DK", "TS", "đăng ký", "đăng kí", "ghi danh", "tuyển sinh", NULL},
    {"GRAD", "TN", "tốt nghiệp", NULL},
    {"JOB", "VL", "việc làm", "có việc làm", NULL},
    {"NEED", "NC", "nhu cầu", NULL},
    {"LABOUR", "LABOR", "LD", "lao động", NULL},
    {"STATUS", "TK", "thống kê", "tổng hợp", NULL},
    {"HELP", "HD", "?", "hướng dẫn", NULL},
    {"CANCEL", "HUY", "hủy bỏ", NULL},
    {"CLASS", "LOP", NULL},
};

static const char *const fillers[] = {
    "xa",
    "thi tran",
    "tt",
    "hv",
    "hoc vien",
    "nguoi",
    "lao dong",
    "nghe",
    "lop",
    "ngay",
    "so luong",
    "sl",
    "tong",
    "tong so",
    "hoc nghe",
    "co",
    "dao tao",
    "da dao tao",
    "da qua dao tao",
    "bao cao",
};

static const char *const courtesy[] = {
    "bao cao", "bc",	    "xin chao", "chao",	      "kinh gui", "cam on", "xin cam on",
    "thanks",  "thank you", "tks",	"tran trong", "a",	  "nhe",    "nha",
    "em",      "da",	    "xin",	"gui",	      "ok",
};

/* Builds the district's parser; prepared or not (both must parse alike). */
static struct parser *
build(int prepare)
{
	struct parser *p = parser_new();
	size_t i, j;

	assert_non_null(p);
	for (i = 0; i < NELEMS(communes); i++) {
		assert_int_equal(
		    parser_add_commune(p, communes[i].code, communes[i].type, communes[i].name),
		    (int)i);
		for (j = 0; communes[i].aliases[j] != NULL; j++)
			assert_int_equal(
			    parser_add_commune_alias(p, (int)i, communes[i].aliases[j]), (int)i);
	}
	for (i = 0; i < NELEMS(trades); i++) {
		assert_int_equal(parser_add_trade(p, trades[i].code, trades[i].name), (int)i);
		for (j = 0; trades[i].aliases[j] != NULL; j++)
			assert_int_equal(parser_add_trade_alias(p, (int)i, trades[i].aliases[j]),
					 (int)i);
	}
	for (i = 0; i < PARSER_NKEYWORDS; i++) {
		for (j = 0; keywords[i][j] != NULL; j++)
			assert_int_equal(parser_add_keyword(p, (enum parser_kind)i, keywords[i][j]),
					 0);
	}
	for (i = 0; i < NELEMS(fillers); i++)
		assert_int_equal(parser_add_filler(p, fillers[i]), 0);
	for (i = 0; i < NELEMS(courtesy); i++)
		assert_int_equal(parser_add_courtesy(p, courtesy[i]), 0);
	if (prepare)
		assert_int_equal(parser_prepare(p), 0);
	return p;
}

static int
setup(void **state)
{
	*state = build(1);
	return 0;
}

static int
teardown(void **state)
{
	parser_free(*state);
	return 0;
}

/* The table ---------------------------------------------------------------- */

#define NONE (-1)

struct row {
	const char *in;
	enum parser_error err;
	int kind;	     /* enum parser_kind, or NONE */
	const char *commune; /* expected commune code, or NULL for none */
	const char *trade;   /* expected trade code, or NULL */
	long count;
	long trained;
	int topic;		/* HELP: enum parser_kind, or NONE */
	const char *candidates; /* codes, comma separated, "" for none */
	const char *bad;	/* res->bad */
	const char *klass;	/* class code, or NULL for none */
	long ref;		/* CANCEL's reference */
};

/* Understood reports, LABOUR, STATUS and HELP. */
#define OK(in, kind, c, t, n)                                                                      \
	{                                                                                          \
		in, PARSER_OK, PARSER_##kind, c, t, n, 0, NONE, "", "", NULL, 0                    \
	}
#define LAB(in, c, n, tr)                                                                          \
	{                                                                                          \
		in, PARSER_OK, PARSER_LABOUR, c, NULL, n, tr, NONE, "", "", NULL, 0                \
	}
#define STAT(in, c)                                                                                \
	{                                                                                          \
		in, PARSER_OK, PARSER_STATUS, c, NULL, 0, 0, NONE, "", "", NULL, 0                 \
	}
#define HELP(in, topic)                                                                            \
	{                                                                                          \
		in, PARSER_OK, PARSER_HELP, NULL, NULL, 0, 0, topic, "", "", NULL, 0               \
	}
/* Errors: kind is the keyword recognised (NONE when none), bad the words
 * named, cand the candidates of an ambiguous name. */
#define ERR(in, err, kind, bad)                                                                    \
	{                                                                                          \
		in, PARSER_##err, kind, NULL, NULL, 0, 0, NONE, "", bad, NULL, 0                   \
	}
#define AMB(in, err, kind, bad, cand)                                                              \
	{                                                                                          \
		in, PARSER_##err, kind, NULL, NULL, 0, 0, NONE, cand, bad, NULL, 0                 \
	}

#define EN PARSER_ENROL
#define GR PARSER_GRAD
#define JO PARSER_JOB
#define NE PARSER_NEED
#define LA PARSER_LABOUR
#define ST PARSER_STATUS
#define CA PARSER_CANCEL
#define CO PARSER_CLASS_OPEN
#define CC PARSER_CLASS_CLOSE

/* Reports of a class, opening and closing one, cancelling. */
#define CLS(in, kind, klass, n)                                                                    \
	{                                                                                          \
		in, PARSER_OK, PARSER_##kind, NULL, NULL, n, 0, NONE, "", "", klass, 0             \
	}
#define OPEN(in, c, t, n, klass)                                                                   \
	{                                                                                          \
		in, PARSER_OK, PARSER_CLASS_OPEN, c, t, n, 0, NONE, "", "", klass, 0               \
	}
#define CLOSE(in, klass)                                                                           \
	{                                                                                          \
		in, PARSER_OK, PARSER_CLASS_CLOSE, NULL, NULL, 0, 0, NONE, "", "", klass, 0        \
	}
#define CAN(in, ref)                                                                               \
	{                                                                                          \
		in, PARSER_OK, PARSER_CANCEL, NULL, NULL, 0, 0, NONE, "", "", NULL, ref            \
	}
/* A message of 17 parts. */
#define R17(x) x x x x x x x x x x x x x x x x x

static const struct row rows[] = {
    /* Every commune, in every form of writing. */
    OK("ENROL xã Minh Sơn 35 hàn", ENROL, "06448", "HAN", 35),
    OK("enrol xa minh son 35 han", ENROL, "06448", "HAN", 35),
    OK("DK Hữu Lũng 20 maycn", ENROL, "06385", "MAYCN", 20),
    OK("DK thị trấn Hữu Lũng 12 may công nghiệp", ENROL, "06385", "MAYCN", 12),
    OK("TS TT Huu Lung 7 MAYDD", ENROL, "06385", "MAYDD", 7),
    OK("GRAD Hữu Liên 18 may dân dụng", GRAD, "06388", "MAYDD", 18),
    OK("TN Yên Bình 9 maymac", GRAD, "06391", "MAYDD", 9),
    OK("JOB Quyết Thắng 15 thêu ren", JOB, "06394", "THEU", 15),
    OK("VL Hòa Bình 4 theu", JOB, "06397", "THEU", 4),
    OK("NEED Yên Thịnh 40 điện dân dụng", NEED, "06400", "DIENDD", 40),
    OK("NC yen thinh 41 dien", NEED, "06400", "DIENDD", 41),
    OK("ENROLL Yên Sơn 25 điện công nghiệp", ENROL, "06403", "DIENCN", 25),
    OK("DK Thiện Tân 20 sửa chữa xe máy", ENROL, "06406", "SCXM", 20),
    OK("DK Thiện Kỵ 21 xe may", ENROL, "06406", "SCXM", 21),
    OK("DK tan lap 11 SCXM", ENROL, "06406", "SCXM", 11),
    OK("TN Yên Vượng 16 sửa máy nông nghiệp", GRAD, "06412", "SCMNN", 16),
    OK("TN Minh Tiến 13 máy nông nghiệp", GRAD, "06415", "SCMNN", 13),
    OK("VL Nhật Tiến 5 sửa điện thoại", JOB, "06418", "SCDT", 5),
    OK("VL Thanh Sơn 6 SCDT", JOB, "06421", "SCDT", 6),
    OK("NC Đồng Tân 30 nấu ăn", NEED, "06424", "NAUAN", 30),
    OK("NC Cai Kinh 28 chế biến món ăn", NEED, "06427", "NAUAN", 28),
    OK("ENROL Hòa Lạc 14 nề", ENROL, "06430", "NE", 14),
    OK("ENROL Vân Nham 8 xây dựng", ENROL, "06433", "NE", 8),
    OK("DK Đô Lương 19 thợ mộc", ENROL, "06433", "MOC", 19),
    OK("DK Đồng Tiến 22 mộc dân dụng", ENROL, "06436", "MOC", 22),
    OK("TN Tân Thành 17 mây tre đan", GRAD, "06442", "MTD", 17),
    OK("TN Hòa Sơn 10 đan lát", GRAD, "06445", "MTD", 10),
    OK("VL Minh Sơn 3 tin học", JOB, "06448", "TINHOC", 3),
    OK("VL Hồ Sơn 12 vi tính", JOB, "06451", "TINHOC", 12),
    OK("NC Sơn Hà 9 máy xúc", NEED, "06454", "VHMX", 9),
    OK("NC Minh Hòa 2 vận hành máy xúc, máy đào", NEED, "06457", "VHMX", 2),
    OK("DK Hòa Thắng 30 chăn nuôi lợn", ENROL, "06460", "CNLON", 30),
    /* Every trade, by name, alias and code. */
    OK("DK Minh Son 31 ky thuat chan nuoi lon", ENROL, "06448", "CNLON", 31),
    OK("DK Minh Son 32 nuôi gà", ENROL, "06448", "CNGA", 32),
    OK("DK Minh Son 33 gia cầm", ENROL, "06448", "CNGA", 33),
    OK("TN Minh Son 34 trâu, bò", GRAD, "06448", "CNTB", 34),
    OK("TN Minh Son 36 gia súc", GRAD, "06448", "CNTB", 36),
    OK("VL Minh Son 37 nuôi dê", JOB, "06448", "CNDE", 37),
    OK("VL Minh Son 38 CNDE", JOB, "06448", "CNDE", 38),
    OK("NC Minh Son 39 thú y", NEED, "06448", "THUY", 39),
    OK("NC Minh Son 41 phòng trị bệnh", NEED, "06448", "THUY", 41),
    OK("NC Minh Son 42 Thú y (phòng trị bệnh gia súc, gia cầm)", NEED, "06448", "THUY", 42),
    OK("DK Minh Son 43 nuôi cá", ENROL, "06448", "NUOICA", 43),
    OK("DK Minh Son 44 cá", ENROL, "06448", "NUOICA", 44),
    OK("DK Minh Son 45 cây ăn quả", ENROL, "06448", "CAQ", 45),
    OK("DK Minh Son 46 trồng na", ENROL, "06448", "NA", 46),
    OK("DK Minh Son 47 NA", ENROL, "06448", "NA", 47),
    OK("DK Minh Son 48 cam", ENROL, "06448", "CCM", 48),
    OK("DK Minh Son 49 bưởi", ENROL, "06448", "CCM", 49),
    OK("DK Minh Son 50 rau an toàn", ENROL, "06448", "RAU", 50),
    OK("DK Minh Son 51 lúa", ENROL, "06448", "LUA", 51),
    OK("DK Minh Son 52 chè", ENROL, "06448", "CHE", 52),
    OK("DK Minh Son 53 trồng nấm", ENROL, "06448", "NAM", 53),
    OK("DK Minh Son 54 nấm ăn", ENROL, "06448", "NAM", 54),
    OK("DK Minh Son 55 keo", ENROL, "06448", "LAMNGHIEP", 55),
    OK("DK Minh Son 56 Trồng rừng, cây lâm nghiệp (keo, hồi, quế)", ENROL, "06448", "LAMNGHIEP",
       56),
    OK("DK Minh Son 57 bảo quản, chế biến nông sản", ENROL, "06448", "BQNS", 57),
    OK("DK Minh Son 58 bqns", ENROL, "06448", "BQNS", 58),
    OK("DK Minh Son 59 Kỹ thuật xây dựng (nề)", ENROL, "06448", "NE", 59),
    OK("DK Minh Son 60 Tin học văn phòng", ENROL, "06448", "TINHOC", 60),
    /* Case, spacing, punctuation, decomposed (NFD) and mixed forms. */
    OK("  dk   MINH   SƠN   35   HÀN  ", ENROL, "06448", "HAN", 35),
    OK("DK\tMinh\tSon\t35\than", ENROL, "06448", "HAN", 35),
    OK("DK,Minh Son,35,han.", ENROL, "06448", "HAN", 35),
    OK("DK Minh-Son: 35; han-dien!", ENROL, "06448", "HAN", 35),
    OK("DK Minh So\u031bn 35 ha\u0300n", ENROL, "06448", "HAN", 35),
    OK("DK Nha\u0323\u0302t Tie\u0302\u0301n 5 \u0111ie\u0323\u0302n", ENROL, "06418", "DIENDD", 5),
    OK("DK Nhật Tie\u0302\u0301n 6 ĐIỆN", ENROL, "06418", "DIENDD", 6),
    OK("DK Ho\u0300a Bi\u0300nh 7 han", ENROL, "06397", "HAN", 7),
    OK("DK Hoà Bình 8 han", ENROL, "06397", "HAN", 8),
    OK("dK mInH sOn 35 HaN", ENROL, "06448", "HAN", 35),
    OK("DK MinhSon 35 HanDien", ENROL, "06448", "HAN", 35),
    OK("ĐK Minh Sơn 35 hàn", ENROL, "06448", "HAN", 35),
    OK("DK Minh Son 35 han\r\n", ENROL, "06448", "HAN", 35),
    OK("DK\u00a0Minh\u00a0Son 35 han", ENROL, "06448", "HAN", 35),
    OK("ENROL    Cai Kinh,   28,  mây tre đan", ENROL, "06427", "MTD", 28),
    OK("DK Minh Son - 35 - han", ENROL, "06448", "HAN", 35),
    OK("DK \"Minh Son\" 35 (han)", ENROL, "06448", "HAN", 35),
    /* Fillers. */
    OK("DK xa Minh Son 35 han", ENROL, "06448", "HAN", 35),
    OK("DK Xã Minh Sơn 35 han", ENROL, "06448", "HAN", 35),
    OK("DK thi tran Huu Lung 35 han", ENROL, "06385", "HAN", 35),
    OK("DK Thị Trấn Hữu Lũng 35 han", ENROL, "06385", "HAN", 35),
    OK("DK TT. Hữu Lũng 35 han", ENROL, "06385", "HAN", 35),
    OK("DK xa tt Huu Lung 35 han", ENROL, "06385", "HAN", 35),
    /* Codes, and counts at their limits. */
    OK("DK 06448 35 han", ENROL, "06448", "HAN", 35),
    OK("DK xa 06448 35 han", ENROL, "06448", "HAN", 35),
    OK("TN 06460 1 HAN", GRAD, "06460", "HAN", 1),
    OK("DK Minh Son 1 han", ENROL, "06448", "HAN", 1),
    OK("DK Minh Son 500 han", ENROL, "06448", "HAN", 500),
    OK("DK Minh Son 035 han", ENROL, "06448", "HAN", 35),
    /* Bytes that are not UTF-8 only separate words. */
    OK("DK Minh Son 35 han\xff", ENROL, "06448", "HAN", 35),
    OK("\xff"
       "DK Minh Son 35 han",
       ENROL, "06448", "HAN", 35),
    OK("\xc0\x80"
       "DK Minh Son 35 han",
       ENROL, "06448", "HAN", 35),
    OK("DK Minh Son 35 han\xed\xa0\x80", ENROL, "06448", "HAN", 35),
    OK("DK Minh Son 35 \xf4\x90\x80\x80han", ENROL, "06448", "HAN", 35),
    OK("DK Minh Son 35 han \xe2\x82", ENROL, "06448", "HAN", 35),

    /* LABOUR. */
    LAB("LD Minh Son 3200 1900", "06448", 3200, 1900),
    LAB("LABOUR xã Hữu Liên 5200 3100", "06388", 5200, 3100),
    LAB("LABOR 06385 4000 0", "06385", 4000, 0),
    LAB("LD Minh Son 3.200 1.900", "06448", 3200, 1900),
    LAB("LD Minh Son 1.250.000 900.000", "06448", 1250000, 900000),
    LAB("LD Minh Son 1 1", "06448", 1, 1),
    LAB("LD Minh Son 999999999 999999999", "06448", 999999999, 999999999),
    LAB("ld thien ky 800 800", "06406", 800, 800),
    LAB("LD TT Hữu Lũng, 5200, 3100.", "06385", 5200, 3100),
    LAB("LD Minh Son 3200 3200", "06448", 3200, 3200),
    ERR("LD Minh Son 3200 3500", BAD_COUNT, LA, "3200 3500"),
    ERR("LD Minh Son 3200 3201", BAD_COUNT, LA, "3200 3201"),
    ERR("LD Minh Son 0 0", BAD_COUNT, LA, "0"),
    ERR("LD Minh Son 3200 19oo", BAD_COUNT, LA, "19oo"),
    ERR("LD Minh Son 3200 1900 50", EXTRA_VALUE, LA, "50"),
    LAB("LD Minh Son 3200 1900 nguoi", "06448", 3200, 1900),
    ERR("LD Minh Son 3200 nguoi", MISSING_COUNT, LA, ""),
    ERR("LD 06448 nguoi 3200", MISSING_COUNT, LA, ""),
    ERR("LD Minh Son 1234567890 1", BAD_COUNT, LA, "1234567890"),
    ERR("LD Minh Son 3,200 1,900", BAD_COUNT, LA, "3,200"),
    ERR("LD Minh Son 3200", MISSING_COUNT, LA, ""),
    ERR("LD Minh Son", MISSING_COUNT, LA, ""),
    ERR("LD 3200 1900", MISSING_COMMUNE, LA, ""),
    ERR("LD", MISSING_COMMUNE, LA, ""),
    ERR("LD Hanoi 3200 1900", UNKNOWN_COMMUNE, LA, "hanoi"),
    AMB("LD xa Hoa 3200 1900", AMBIGUOUS_COMMUNE, LA, "hoa", "06397,06430,06445,06460"),

    /* STATUS. */
    STAT("STATUS", NULL),
    STAT("TK", NULL),
    STAT("tk!", NULL),
    STAT("TK Minh Son", "06448"),
    STAT("TK xa Minh Son", "06448"),
    STAT("tk 06448", "06448"),
    STAT("TK thi tran", NULL),
    STAT("TK tt Huu Lung", "06385"),
    STAT("TK Đô Lương", "06433"),
    STAT("STATUS Tân Lập", "06406"),
    AMB("TK Minh", AMBIGUOUS_COMMUNE, ST, "minh", "06415,06448,06457"),
    AMB("TK 064", AMBIGUOUS_COMMUNE, ST, "064", "06400,06403,06406,06412,06415,06418,06421,06424"),
    ERR("TK Ha Noi", UNKNOWN_COMMUNE, ST, "ha noi"),
    ERR("TK Minh Son 5", EXTRA_VALUE, ST, "5"),
    ERR("TK 06999", UNKNOWN_COMMUNE, ST, "06999"),

    /* HELP. */
    HELP("HELP", NONE),
    HELP("HD", NONE),
    HELP("?", NONE),
    HELP("  ?  ", NONE),
    HELP("??", NONE),
    HELP("? DK", PARSER_ENROL),
    HELP("?DK", PARSER_ENROL),
    HELP("HD DK", PARSER_ENROL),
    HELP("HELP ENROLL", PARSER_ENROL),
    HELP("HD TN", PARSER_GRAD),
    HELP("hd vl", PARSER_JOB),
    HELP("HD NEED", PARSER_NEED),
    HELP("hd ld", PARSER_LABOUR),
    HELP("HD TK", PARSER_STATUS),
    HELP("HD HD", PARSER_HELP),
    HELP("HD ?", NONE),
    HELP("HD xyz", NONE),
    HELP("HD dk minh son", PARSER_ENROL),
    HELP("Help me please", NONE),

    /* Nothing to read. */
    ERR("", EMPTY, NONE, ""),
    ERR("   ", EMPTY, NONE, ""),
    ERR("!!!", EMPTY, NONE, ""),
    ERR("\t\r\n", EMPTY, NONE, ""),
    ERR("...", EMPTY, NONE, ""),
    ERR("\xff\xfe", EMPTY, NONE, ""),
    ERR("\u0301\u0300", EMPTY, NONE, ""),
    ERR("\xf0\x9f\x98\x80", EMPTY, NONE, ""),
    ERR("\u00bf", EMPTY, NONE, ""),

    /* Unknown keywords. */
    ERR("HELLO can bo xa", UNKNOWN_KEYWORD, NONE, "hello"),
    OK("Minh Son DK 35 han", ENROL, "06448", "HAN", 35),
    ERR("Minh Son 35 DK han", UNKNOWN_KEYWORD, NONE, "minh"),
    ERR("ENROLMENT Minh Son 35 han", UNKNOWN_KEYWORD, NONE, "enrolment"),
    OK("D K Minh Son 35 han", ENROL, "06448", "HAN", 35),
    ERR("D X Minh Son 35 han", UNKNOWN_KEYWORD, NONE, "d"),
    ERR("35 Minh Son han", UNKNOWN_KEYWORD, NONE, "35"),
    ERR("xa Minh Son 35 han", UNKNOWN_KEYWORD, NONE, "xa"),
    ERR("DKMinh Son 35 han", UNKNOWN_KEYWORD, NONE, "dkminh"),
    OK("Đăng kí Minh Sơn 35 hàn", ENROL, "06448", "HAN", 35),
    OK("tot ngiep Minh Son 35 han", GRAD, "06448", "HAN", 35),
    OK("nhu cauu Minh Son 35 han", NEED, "06448", "HAN", 35),
    ERR("nee 5 Minh Son 20 han", UNKNOWN_KEYWORD, NONE, "nee"),
    ERR("Đăng nhập Minh Sơn 35 hàn", UNKNOWN_KEYWORD, NONE, "dang"),

    /* Missing commune. */
    ERR("DK", MISSING_COMMUNE, EN, ""),
    ERR("DK   ...", MISSING_COMMUNE, EN, ""),
    ERR("DK 35 han", MISSING_COMMUNE, EN, ""),
    ERR("DK xa 35 han", MISSING_COMMUNE, EN, ""),
    ERR("TN thi tran 35 han", MISSING_COMMUNE, GR, ""),
    ERR("GRAD 12345 35 han", BAD_COUNT, GR, "12345"),
    ERR("VL 6448 35 han", BAD_COUNT, JO, "6448"),
    ERR("NC xa", MISSING_COMMUNE, NE, ""),
    ERR("DK 06448a 35 han", UNKNOWN_COMMUNE, EN, "06448a"),

    /* Unknown commune (one candidate too short to be sure: suggested). */
    ERR("DK Minh Son 35n han", BAD_COUNT, EN, "35n"),
    ERR("ENROL Dong Lai 20 han", UNKNOWN_COMMUNE, EN, "dong lai"),
    ERR("DK 06999 35 han", UNKNOWN_COMMUNE, EN, "06999"),
    AMB("DK xa Son 5 han", UNKNOWN_COMMUNE, EN, "son", "06454"),
    ERR("DK Minh S0n 35 han", UNKNOWN_COMMUNE, EN, "minh s0n"),
    ERR("DK m 5 han", UNKNOWN_COMMUNE, EN, "m"),
    AMB("DK tan 5 han", UNKNOWN_COMMUNE, EN, "tan", "06442"),
    ERR("DK Minx 5 han", UNKNOWN_COMMUNE, EN, "minx"),
    ERR("DK Minh Sxx\xc6n 35 han", UNKNOWN_COMMUNE, EN, "minh sxx n"),
    ERR("TN Minh Son han 35 han", EXTRA_VALUE, GR, "han"),
    AMB("TN Minh Son han 35 theu", EXTRA_VALUE, GR, "theu", "HAN,THEU"),
    AMB("DK Minh Son 35 han dien dan dung", EXTRA_VALUE, EN, "dien dan dung", "HAN,DIENDD"),

    /* Ambiguous commune: candidates in table order. */
    AMB("DK minh 35 han", AMBIGUOUS_COMMUNE, EN, "minh", "06415,06448,06457"),
    AMB("DK Hòa 20 han", AMBIGUOUS_COMMUNE, EN, "hoa", "06397,06430,06445,06460"),
    AMB("DK yen 5 lua", AMBIGUOUS_COMMUNE, EN, "yen", "06391,06400,06403,06412"),
    AMB("DK Đồng 5 lua", AMBIGUOUS_COMMUNE, EN, "dong", "06424,06436"),
    AMB("DK Ho 5 han", AMBIGUOUS_COMMUNE, EN, "ho", "06397,06430,06445,06451,06460"),
    AMB("DK th 5 han", AMBIGUOUS_COMMUNE, EN, "th", "06406,06421"),
    AMB("VL huu 5 han", AMBIGUOUS_COMMUNE, JO, "huu", "06385,06388"),

    /* Missing count. */
    ERR("DK Minh Son", MISSING_COUNT, EN, ""),
    ERR("DK Minh Son han", MISSING_COUNT, EN, ""),
    ERR("DK Minhh Son", MISSING_COUNT, EN, ""),
    ERR("NC xa Minh Son dien", MISSING_COUNT, NE, ""),
    ERR("DK 06448", MISSING_COUNT, EN, ""),
    ERR("DK 06448 han", MISSING_COUNT, EN, ""),

    /* Bad count. */
    ERR("DK Minh Son 501 han", BAD_COUNT, EN, "501"),
    ERR("DK Minh Son 0 han", BAD_COUNT, EN, "0"),
    ERR("DK Minh Son 000 han", BAD_COUNT, EN, "000"),
    ERR("DK Minh Son 1000000000 han", BAD_COUNT, EN, "1000000000"),
    ERR("DK Minh Son 99999999999999999999 han", BAD_COUNT, EN, "99999999999999999999"),
    ERR("DK Minh Son 35a han", BAD_COUNT, EN, "35a"),
    ERR("DK Minh Son 3o han", BAD_COUNT, EN, "3o"),
    /* A sign or a decimal part is never dropped; a letter for a digit is
     * never read as one. */
    ERR("DK Minh Son -5 han", BAD_COUNT, EN, "-5"),
    ERR("DK Minh Son (-5) han", BAD_COUNT, EN, "-5"),
    ERR("VL Cai Kinh -5 nau an", BAD_COUNT, JO, "-5"),
    ERR("dk minh son --12 han", BAD_COUNT, EN, "-12"),
    ERR("DK Minh Son han -5hv", BAD_COUNT, EN, "-5hv"),
    ERR("DK Minh Son -5người han", BAD_COUNT, EN, "-5ngi"),
    ERR("LD Minh Son 3200 -100", BAD_COUNT, LA, "-100"),
    ERR("DK Minh Son 3.5 han", BAD_COUNT, EN, "3.5"),
    ERR("DK Minh Son 3,5 han", BAD_COUNT, EN, "3,5"),
    ERR("TN Hoa Son 12,25 theu", BAD_COUNT, GR, "12,25"),
    ERR("DK Minh Son l5 han", BAD_COUNT, EN, "l5"),
    ERR("DK Minh Son 1o han", BAD_COUNT, EN, "1o"),
    ERR("DK Minh Son I5 han", BAD_COUNT, EN, "i5"),
    /* A dash between two fields is no sign. */
    OK("DK Minh Son-5 han", ENROL, "06448", "HAN", 5),
    OK("DK Minh Son - 5 - han", ENROL, "06448", "HAN", 5),
    OK("DK Minh Son 5, han", ENROL, "06448", "HAN", 5),
    ERR("DK Minh Son 1.000 han", BAD_COUNT, EN, "1000"),
    ERR("TN 06448 600 han", BAD_COUNT, GR, "600"),

    /* Missing trade. */
    ERR("DK Minh Son 35", MISSING_TRADE, EN, ""),
    ERR("DK Minh Son 35 !!!", MISSING_TRADE, EN, ""),
    ERR("TN 06448 35", MISSING_TRADE, GR, ""),
    ERR("VL xa Minh Son 35 ...", MISSING_TRADE, JO, ""),

    /* Unknown trade, and words after the trade. */
    ERR("DK Minh Son 35 hanxx", UNKNOWN_TRADE, EN, "hanxx"),
    ERR("DK Minh Son 35 han 20", EXTRA_VALUE, EN, "20"),
    ERR("DK Minh Son 35 han dien xyz", EXTRA_VALUE, EN, "xyz"),
    ERR("DK Minh Son 35 hàn 20 lúa", EXTRA_VALUE, EN, "20"),
    ERR("DK Minh Son 35 35 han", EXTRA_VALUE, EN, "35"),
    ERR("DK Minh Son 35 n", UNKNOWN_TRADE, EN, "n"),
    ERR("DK Minh Son 35 tho", UNKNOWN_TRADE, EN, "tho"),
    ERR("DK Minh Son 35 may x", UNKNOWN_TRADE, EN, "may x"),
    AMB("DK Minh Son 35 h\xe0n", UNKNOWN_TRADE, EN, "h n", "HAN"),
    ERR("DK Minh Son 3\xff"
	"5 han",
	EXTRA_VALUE, EN, "5"),
    ERR("DK Minh Son 35 h\xe1\xbb", UNKNOWN_TRADE, EN, "h"),
    ERR("DK Minh Son 35 HV han xx", EXTRA_VALUE, EN, "xx"),

    /* Ambiguous trade. */
    AMB("DK Minh Son 35 may", AMBIGUOUS_TRADE, EN, "may", "MAYCN,MAYDD,MTD"),
    AMB("DK Minh Son 35 mây", AMBIGUOUS_TRADE, EN, "may", "MAYCN,MAYDD,MTD"),
    AMB("GRAD Minh Son 35 MAY", AMBIGUOUS_TRADE, GR, "may", "MAYCN,MAYDD,MTD"),
    AMB("DK Minh Son 35 ma", AMBIGUOUS_TRADE, EN, "ma", "MAYCN,MAYDD,MTD"),
    AMB("DK Minh Son 35 cn", AMBIGUOUS_TRADE, EN, "cn", "CNLON,CNGA,CNTB,CNDE"),
    AMB("DK Minh Son 35 sửa chữa", AMBIGUOUS_TRADE, EN, "sua chua", "SCXM,SCMNN,SCDT"),
    AMB("DK Minh Son 35 sc", AMBIGUOUS_TRADE, EN, "sc", "SCXM,SCMNN,SCDT"),
    AMB("DK Minh Son 35 trồng", AMBIGUOUS_TRADE, EN, "trong",
	"CAQ,NA,CCM,RAU,LUA,CHE,NAM,LAMNGHIEP"),
    AMB("DK Minh Son 35 chăn nuôi", AMBIGUOUS_TRADE, EN, "chan nuoi", "CNLON,CNGA,CNTB,CNDE"),
    AMB("DK Minh Son 35 kỹ thuật", AMBIGUOUS_TRADE, EN, "ky thuat", "NAUAN,NE,CNLON"),
    AMB("NC Minh Son 35 th", AMBIGUOUS_TRADE, NE, "th", "THEU,THUY"),
    /* An alias wins over the names it starts. */
    OK("VL Minh Son 35 điện", JOB, "06448", "DIENDD", 35),

    /* Fields in any order, separators, fillers anywhere. */
    OK("ENROL 35 han Minh Son", ENROL, "06448", "HAN", 35),
    OK("ENROL han 35 xa Minh Son", ENROL, "06448", "HAN", 35),
    OK("ENROL: Minh Son - 35 - han", ENROL, "06448", "HAN", 35),
    OK("ENROL#Minh Son#35#han", ENROL, "06448", "HAN", 35),
    OK("DK 35 học viên nghề hàn xã Minh Sơn", ENROL, "06448", "HAN", 35),
    OK("DK Minh Son 35hv han", ENROL, "06448", "HAN", 35),
    OK("DK Minh Son 35 HV han", ENROL, "06448", "HAN", 35),
    OK("VL Minh Son 12 lao dong nghe han", JOB, "06448", "HAN", 12),
    OK("NC 40 người Minh Sơn điện", NEED, "06448", "DIENDD", 40),
    OK("DK 06448 han 35", ENROL, "06448", "HAN", 35),
    OK("DK han 35 06448", ENROL, "06448", "HAN", 35),
    LAB("LD 3200 1900 Minh Son", "06448", 3200, 1900),
    STAT("TK xã Minh Sơn!", "06448"),
    /* Typos of one letter (two in long names), prefixes of 4 letters. */
    OK("DK Minh Sonn 35 han", ENROL, "06448", "HAN", 35),
    OK("DK Mihn Son 35 han", ENROL, "06448", "HAN", 35),
    OK("DK Minh S\xc6n 35 han", ENROL, "06448", "HAN", 35),
    OK("DK Minhs 5 han", ENROL, "06448", "HAN", 5),
    OK("DK Quyet 5 han", ENROL, "06394", "HAN", 5),
    OK("DK Ca Kinh 20 han", ENROL, "06427", "HAN", 20),
    OK("DK Quyett Thangg 7 han", ENROL, "06394", "HAN", 7),
    OK("DK Hoa Sonn 5 han", ENROL, "06445", "HAN", 5),
    OK("DK Ho Sonn 5 han", ENROL, "06451", "HAN", 5),
    OK("DK Huu Lng 5 han", ENROL, "06385", "HAN", 5),
    OK("DK Tan Than 5 han", ENROL, "06442", "HAN", 5),
    /* The natural words for the keywords, with or without diacritics. */
    OK("đăng ký Minh Sơn 35 hàn", ENROL, "06448", "HAN", 35),
    OK("Dang ky Minh Son 35 han", ENROL, "06448", "HAN", 35),
    OK("DANGKY minh son 35 han", ENROL, "06448", "HAN", 35),
    OK("ghi danh Hoa Son 12 theu", ENROL, "06445", "THEU", 12),
    OK("tuyển sinh Hoa Son 12 theu", ENROL, "06445", "THEU", 12),
    OK("tốt nghiệp Yên Bình 18 nuôi gà", GRAD, "06391", "CNGA", 18),
    OK("tot nghiep yen binh 18 nuoi ga", GRAD, "06391", "CNGA", 18),
    OK("việc làm Cai Kinh 8 nấu ăn", JOB, "06427", "NAUAN", 8),
    OK("co viec lam Cai Kinh 8 nau an", JOB, "06427", "NAUAN", 8),
    OK("có việc làm Cai Kinh 8 nau an", JOB, "06427", "NAUAN", 8),
    OK("nhu cầu Yên Sơn 40 rau", NEED, "06403", "RAU", 40),
    OK("Nhu cau yen son 40 rau", NEED, "06403", "RAU", 40),
    LAB("lao động Minh Sơn 3200 1900", "06448", 3200, 1900),
    LAB("lao dong minh son 3200 1900", "06448", 3200, 1900),
    STAT("thống kê", NULL),
    STAT("thong ke Minh Son", "06448"),
    STAT("tổng hợp Hòa Sơn", "06445"),
    HELP("hướng dẫn", NONE),
    HELP("huong dan dk", EN),
    CAN("hủy bỏ", 0),
    CAN("hủy báo cáo #15", 15),
    CAN("hủy", 0),
    /* Courtesy and framing around a report. */
    OK("DK Minh Son 35 han cam on", ENROL, "06448", "HAN", 35),
    OK("DK Minh Son 35 han. Cảm ơn ạ!", ENROL, "06448", "HAN", 35),
    OK("bc DK Minh Son 35 han", ENROL, "06448", "HAN", 35),
    OK("Báo cáo: DK Minh Son 35 han nhé", ENROL, "06448", "HAN", 35),
    OK("Xin chào, DK Minh Son 35 han. Thanks", ENROL, "06448", "HAN", 35),
    OK("kinh gui: TN Hoa Son 20 theu tran trong", GRAD, "06445", "THEU", 20),
    /* Courtesy at the end never takes a word of a name. */
    OK("TN 20 han, xa Cai Kinh", GRAD, "06427", "HAN", 20),
    ERR("cam on", UNKNOWN_KEYWORD, NONE, "cam"),
    ERR("bao cao", UNKNOWN_KEYWORD, NONE, "bao"),
    /* The keyword after the commune. */
    OK("Xa Minh Son bao cao: DK 35 han", ENROL, "06448", "HAN", 35),
    OK("Xã Hòa Sơn báo cáo tốt nghiệp 20 thêu", GRAD, "06445", "THEU", 20),
    OK("Minh Son: VL 8 han", JOB, "06448", "HAN", 8),
    ERR("Minh Son 35 han DK", UNKNOWN_KEYWORD, NONE, "minh"),
    /* A keyword glued to the rest, when the cut is unique. */
    OK("DKMinhSon35han", ENROL, "06448", "HAN", 35),
    OK("dk35han minh son", ENROL, "06448", "HAN", 35),
    OK("TN35 Hoa Son theu", GRAD, "06445", "THEU", 35),
    OK("dkminhson 35 han", ENROL, "06448", "HAN", 35),
    ERR("dkminhsonx 35 han", UNKNOWN_KEYWORD, NONE, "dkminhsonx"),
    ERR("dk35hanx minh son", UNKNOWN_KEYWORD, NONE, "dk35hanx"),
    /* Quantity words are fillers, also glued to the count. */
    OK("DK Minh Son sl 35 han", ENROL, "06448", "HAN", 35),
    OK("DK Minh Son SL: 35 han", ENROL, "06448", "HAN", 35),
    OK("DK Minh Son số lượng 35 han", ENROL, "06448", "HAN", 35),
    OK("DK Minh Son sl35 han", ENROL, "06448", "HAN", 35),
    OK("DK Minh Son 20hocvien han", ENROL, "06448", "HAN", 20),
    OK("DK Minh Son 20nguoi han", ENROL, "06448", "HAN", 20),
    OK("DK Minh Son 20hv han", ENROL, "06448", "HAN", 20),
    OK("DK Minh Son 35han", ENROL, "06448", "HAN", 35),
    OK("DK Minh Son tổng số 35 han", ENROL, "06448", "HAN", 35),
    ERR("DK Minh Son 35hanx", BAD_COUNT, EN, "35hanx"),
    /* Numbers in words when unambiguous. */
    OK("DK Minh Son ba mươi lăm han", ENROL, "06448", "HAN", 35),
    OK("DK Minh Son ba muoi lam hoc vien han", ENROL, "06448", "HAN", 35),
    OK("DK Minh Son mot tram han", ENROL, "06448", "HAN", 100),
    OK("DK Minh Son hai muoi han", ENROL, "06448", "HAN", 20),
    OK("DK Minh Son mười lăm han", ENROL, "06448", "HAN", 15),
    OK("DK Minh Son hai mươi mốt han", ENROL, "06448", "HAN", 21),
    OK("DK Minh Son một trăm linh năm han", ENROL, "06448", "HAN", 105),
    OK("DK Minh Son hai trăm ba mươi han", ENROL, "06448", "HAN", 230),
    ERR("DK Minh Son han ba", EXTRA_VALUE, EN, "ba"),
    ERR("DK Minh Son 35 ba muoi han", EXTRA_VALUE, EN, "30"),
    /* Trade names written out, a unique start of them, a typo in a word. */
    OK("DK Minh Son 5 van hanh may xuc", ENROL, "06448", "VHMX", 5),
    OK("DK Minh Son 5 vận hành máy", ENROL, "06448", "VHMX", 5),
    OK("DK Minh Son 5 sua chua dien thoai", ENROL, "06448", "SCDT", 5),
    OK("DK Minh Son 5 sua dien thaoi", ENROL, "06448", "SCDT", 5),
    OK("DK Minh Son 5 truong cay an qua", ENROL, "06448", "CAQ", 5),
    OK("NC Minh Son 5 sua chua may nong ngiep", NEED, "06448", "SCMNN", 5),
    OK("TN Minh Son 5 bao quan che bien nong san", GRAD, "06448", "BQNS", 5),
    OK("TN Minh Son 5 nuoi ca nuoc ngot", GRAD, "06448", "NUOICA", 5),
    AMB("DK Minh Son 5 sua chua", AMBIGUOUS_TRADE, EN, "sua chua", "SCXM,SCMNN,SCDT"),
    /* The end of a trade's name, the start of an alias. */
    OK("DK Minh Son 5 nuoi trau bo", ENROL, "06448", "CNTB", 5),
    OK("DK Minh Son 5 dien thoai", ENROL, "06448", "SCDT", 5),
    OK("DK Minh Son 5 nong san", ENROL, "06448", "BQNS", 5),
    OK("DK Minh Son 5 thohan", ENROL, "06448", "HAN", 5),
    /* Two edits from "sua xe may", the start of "sua may nong nghiep":
     * asked, never taken for the first. */
    AMB("DK Minh Son 5 sua may", AMBIGUOUS_TRADE, EN, "sua may", "SCXM,SCMNN"),
    AMB("DK Minh Son 5 cong nghiep", AMBIGUOUS_TRADE, EN, "cong nghiep", "MAYCN,DIENCN"),
    /* A name of 3 letters is too short for a typo: suggested, not taken. */
    AMB("DK Minh Son 35 hann", UNKNOWN_TRADE, EN, "hann", "HAN"),
    AMB("DK Minh Son 35 nhan", UNKNOWN_TRADE, EN, "nhan", "HAN"),
    AMB("DK Minh Son 35 hna", UNKNOWN_TRADE, EN, "hna", "HAN"),
    AMB("VL Minh Son 35 mco", UNKNOWN_TRADE, JO, "mco", "MOC"),
    ERR("VL Minh Son 35 lau", UNKNOWN_TRADE, JO, "lau"),
    AMB("DK Minh Son 35 mocc", UNKNOWN_TRADE, EN, "mocc", "MOC"),
    /* The closer name wins; two as close are asked. */
    OK("DK Minh Son 5 may cong ngiep", ENROL, "06448", "MAYCN", 5),
    OK("DK Dong Tann 12 han", ENROL, "06424", "HAN", 12),
    AMB("DK Hoa Sang 5 han", AMBIGUOUS_COMMUNE, EN, "hoa sang", "06445,06460"),
    OK("DK Minh Son 35 may c", ENROL, "06448", "MAYCN", 35),
    OK("DK Minh Son 35 maycnn", ENROL, "06448", "MAYCN", 35),
    OK("ENROLE Minh Son 35 han", ENROL, "06448", "HAN", 35),
    OK("GRADE Hoa Son 5 theu", GRAD, "06445", "THEU", 5),
    AMB("DK Dong Tin 5 han", AMBIGUOUS_COMMUNE, EN, "dong tin", "06424,06436"),
    AMB("DK Hoa Son 5 cngb", AMBIGUOUS_TRADE, EN, "cngb", "CNGA,CNTB"),
    /* Counts and codes are never guessed. */
    ERR("DK Minh Son 3o han", BAD_COUNT, EN, "3o"),
    /* A sign or a decimal part is never dropped; a letter for a digit is
     * never read as one. */
    ERR("DK Minh Son -5 han", BAD_COUNT, EN, "-5"),
    ERR("DK Minh Son (-5) han", BAD_COUNT, EN, "-5"),
    ERR("VL Cai Kinh -5 nau an", BAD_COUNT, JO, "-5"),
    ERR("dk minh son --12 han", BAD_COUNT, EN, "-12"),
    ERR("DK Minh Son han -5hv", BAD_COUNT, EN, "-5hv"),
    ERR("DK Minh Son -5người han", BAD_COUNT, EN, "-5ngi"),
    ERR("LD Minh Son 3200 -100", BAD_COUNT, LA, "-100"),
    ERR("DK Minh Son 3.5 han", BAD_COUNT, EN, "3.5"),
    ERR("DK Minh Son 3,5 han", BAD_COUNT, EN, "3,5"),
    ERR("TN Hoa Son 12,25 theu", BAD_COUNT, GR, "12,25"),
    ERR("DK Minh Son l5 han", BAD_COUNT, EN, "l5"),
    ERR("DK Minh Son 1o han", BAD_COUNT, EN, "1o"),
    ERR("DK Minh Son I5 han", BAD_COUNT, EN, "i5"),
    /* A dash between two fields is no sign. */
    OK("DK Minh Son-5 han", ENROL, "06448", "HAN", 5),
    OK("DK Minh Son - 5 - han", ENROL, "06448", "HAN", 5),
    OK("DK Minh Son 5, han", ENROL, "06448", "HAN", 5),
    ERR("DK 06449 5 han", UNKNOWN_COMMUNE, EN, "06449"),
    /* A value no field wants. */
    ERR("DK Minh Son Hoa Son 35 han", EXTRA_VALUE, EN, "hoa son"),
    AMB("DK Minh Son 35 han maycn", EXTRA_VALUE, EN, "maycn", "HAN,MAYCN"),
    ERR("DK HL22-05 35 Minh Son", EXTRA_VALUE, EN, "minh son"),
    ERR("NC HL22-05 35 han Minh Son", EXTRA_VALUE, NE, "hl22-05"),
    ERR("LD Minh Son 3200 1900 han", EXTRA_VALUE, LA, "han"),
    /* CANCEL. */
    CAN("HUY", 0),
    CAN("CANCEL", 0),
    CAN("HUY #12", 12),
    CAN("huy 12", 12),
    CAN("Hủy #7", 7),
    ERR("HUY #0", BAD_REF, CA, "0"),
    ERR("HUY 12a", BAD_REF, CA, "12a"),
    ERR("CANCEL #1234567890", BAD_REF, CA, "1234567890"),
    ERR("HUY 12 13", EXTRA_VALUE, CA, "13"),
    ERR("HUY Minh Son", EXTRA_VALUE, CA, "minh son"),
    /* Classes. */
    OPEN("LOP MO HL22-05 Minh Son han 30", "06448", "HAN", 30, "HL22-05"),
    OPEN("CLASS OPEN hl2205 han Minh Son", "06448", "HAN", 0, "HL2205"),
    OPEN("Lớp mở HL22-05 Hữu Lũng hàn", "06385", "HAN", 0, "HL22-05"),
    OPEN("LOP OPNE HL22-05 06448 maycn 25", "06448", "MAYCN", 25, "HL22-05"),
    CLOSE("LOP DONG HL22-05", "HL22-05"),
    CLOSE("CLASS CLOSE HL22-05", "HL22-05"),
    CLOSE("lop đóng hl22-05", "HL22-05"),
    CLS("ENROL HL22-05 35", ENROL, "HL22-05", 35),
    CLS("TN 30 HL22-05", GRAD, "HL22-05", 30),
    CLS("VL HL22-05 25 nguoi", JOB, "HL22-05", 25),
    CLS("DK lop HL22-05 35 hv", ENROL, "HL22-05", 35),
    ERR("LOP MO Minh Son han 30", MISSING_CLASS, CO, ""),
    ERR("LOP DONG", MISSING_CLASS, CC, ""),
    ERR("CLASS CLOSE !", MISSING_CLASS, CC, ""),
    ERR("LOP MO HL2205X Minh Son han", BAD_CLASS, CO, "hl2205x"),
    ERR("DK HL2205X 35", BAD_CLASS, EN, "hl2205x"),
    ERR("LOP DONG H22", BAD_CLASS, CC, "h22"),
    ERR("LOP HL22-05", UNKNOWN_ACTION, CO, "hl22-05"),
    ERR("LOP", UNKNOWN_ACTION, CO, ""),
    ERR("CLASS START HL22-05", UNKNOWN_ACTION, CO, "start"),
    ERR("LOP MO HL22-05 Minh Son han 600", BAD_COUNT, CO, "600"),
    ERR("LOP MO HL22-05 han", MISSING_COMMUNE, CO, ""),
    ERR("LOP MO HL22-05 Minh Son", MISSING_TRADE, CO, ""),
    ERR("DK HL22-05", MISSING_COUNT, EN, ""),
    ERR("LOP DONG HL22-05 HL22-06", EXTRA_VALUE, CC, "hl22-06"),
    /* STATUS and CANCEL alone; at most 16 parts. */
    ERR("TK; DK Minh Son 35 han", NOT_ALONE, ST, ""),
    ERR("DK Minh Son 35 han\nTK", NOT_ALONE, ST, ""),
    ERR("DK Minh Son 35 han; HUY", NOT_ALONE, CA, ""),
    ERR(R17("DK Minh Son 1 han;"), TOO_MANY, EN, ""),
    ERR(R17("TN Hoa Son 2 theu\n"), TOO_MANY, GR, ""),
    ERR(R17("LOP DONG HL22-05;"), TOO_MANY, CC, ""),
};

/* Compares one result with its row; the failure message names the row. */
static void
check_row(const struct parser *p, const struct row *r, size_t i)
{
	struct parser_result res;
	char cand[256] = "";
	const char *code;
	size_t k;
	int rc;

	rc = parser_parse(p, r->in, strlen(r->in), &res);
	if (res.error != r->err)
		fail_msg("row %zu \"%s\": %s, expected %s (bad \"%s\")", i, r->in,
			 parser_error_name(res.error), parser_error_name(r->err), res.bad);
	if (rc != (r->err == PARSER_OK ? 0 : -1))
		fail_msg("row %zu \"%s\": returned %d", i, r->in, rc);
	if (res.kind != r->kind)
		fail_msg("row %zu \"%s\": kind %d, expected %d", i, r->in, res.kind, r->kind);
	if (strcmp(res.bad, r->bad) != 0)
		fail_msg("row %zu \"%s\": bad \"%s\", expected \"%s\"", i, r->in, res.bad, r->bad);
	for (k = 0; k < res.ncandidates; k++) {
		code = res.error == PARSER_AMBIGUOUS_TRADE || res.error == PARSER_UNKNOWN_TRADE ||
			       res.error == PARSER_EXTRA_VALUE
			   ? parser_trade_code(p, res.candidates[k])
			   : parser_commune_code(p, res.candidates[k]);
		snprintf(cand + strlen(cand), sizeof(cand) - strlen(cand), "%s%s", k ? "," : "",
			 code);
	}
	if (strcmp(cand, r->candidates) != 0)
		fail_msg("row %zu \"%s\": candidates \"%s\", expected \"%s\"", i, r->in, cand,
			 r->candidates);
	if (r->err != PARSER_OK) {
		if (res.nitems != 0 || res.items[0].commune != -1 || res.items[0].trade != -1)
			fail_msg("row %zu \"%s\": an error with an item", i, r->in);
		return;
	}
	if (res.nitems != 1 || (int)res.items[0].kind != r->kind)
		fail_msg("row %zu \"%s\": %zu items of kind %d", i, r->in, res.nitems,
			 (int)res.items[0].kind);
	code = parser_commune_code(p, res.items[0].commune);
	if ((code == NULL) != (r->commune == NULL) ||
	    (code != NULL && strcmp(code, r->commune) != 0))
		fail_msg("row %zu \"%s\": commune %s, expected %s", i, r->in, code ? code : "-",
			 r->commune ? r->commune : "-");
	code = parser_trade_code(p, res.items[0].trade);
	if ((code == NULL) != (r->trade == NULL) || (code != NULL && strcmp(code, r->trade) != 0))
		fail_msg("row %zu \"%s\": trade %s, expected %s", i, r->in, code ? code : "-",
			 r->trade ? r->trade : "-");
	if (res.items[0].count != r->count || res.items[0].trained != r->trained)
		fail_msg("row %zu \"%s\": count %ld/%ld, expected %ld/%ld", i, r->in,
			 res.items[0].count, res.items[0].trained, r->count, r->trained);
	if (res.items[0].topic != r->topic)
		fail_msg("row %zu \"%s\": topic %d, expected %d", i, r->in, res.items[0].topic,
			 r->topic);
	if (strcmp(res.items[0].class_code, r->klass != NULL ? r->klass : "") != 0)
		fail_msg("row %zu \"%s\": class \"%s\", expected \"%s\"", i, r->in,
			 res.items[0].class_code, r->klass != NULL ? r->klass : "");
	if (res.items[0].ref != r->ref)
		fail_msg("row %zu \"%s\": ref %ld, expected %ld", i, r->in, res.items[0].ref,
			 r->ref);
}

static void
test_table(void **state)
{
	size_t i;

	for (i = 0; i < NELEMS(rows); i++)
		check_row(*state, &rows[i], i);
}

/* Without parser_prepare() the prefix search runs over the units in order:
 * the answers must be the same. */
static void
test_table_unprepared(void **state)
{
	struct parser *p = build(0);
	size_t i;

	(void)state;
	for (i = 0; i < NELEMS(rows); i++)
		check_row(p, &rows[i], i);
	parser_free(p);
}

/* Whether the first word of a message is the keyword form. */
static int
starts_with(const char *in, const char *form)
{
	char a[64], b[64];
	size_t n;

	if (strcmp(form, "?") == 0)
		return in[strspn(in, " ")] == '?';
	parser_fold(in, strlen(in), a, sizeof(a), 0);
	n = parser_fold(form, strlen(form), b, sizeof(b), 0);
	return strncmp(a, b, n) == 0 && (a[n] == ' ' || a[n] == '\0');
}

/* The table itself: big enough, and every commune, trade, keyword form and
 * error in it (several times for errors). */
static void
test_table_coverage(void **state)
{
	size_t i, j, k, errs[PARSER_NERRORS] = {0};
	int seen;

	(void)state;
	assert_true(NELEMS(rows) >= 150);
	for (i = 0; i < NELEMS(rows); i++)
		errs[rows[i].err]++;
	for (i = 0; i < PARSER_NERRORS; i++) {
		if (errs[i] < 3 && i != PARSER_UNKNOWN_CLASS) /* the caller's */
			fail_msg("only %zu rows for %s", errs[i],
				 parser_error_name((enum parser_error)i));
	}
	for (i = 0; i < NELEMS(communes); i++) {
		seen = 0;
		for (j = 0; j < NELEMS(rows) && !seen; j++)
			seen = rows[j].commune != NULL &&
			       strcmp(rows[j].commune, communes[i].code) == 0;
		if (!seen)
			fail_msg("commune %s is in no row", communes[i].code);
	}
	for (i = 0; i < NELEMS(trades); i++) {
		seen = 0;
		for (j = 0; j < NELEMS(rows) && !seen; j++)
			seen = rows[j].trade != NULL && strcmp(rows[j].trade, trades[i].code) == 0;
		if (!seen)
			fail_msg("trade %s is in no row", trades[i].code);
	}
	for (i = 0; i < PARSER_NKEYWORDS; i++) {
		for (k = 0; keywords[i][k] != NULL; k++) {
			seen = 0;
			for (j = 0; j < NELEMS(rows) && !seen; j++)
				seen = rows[j].kind == (int)i &&
				       starts_with(rows[j].in, keywords[i][k]);
			if (!seen)
				fail_msg("keyword form %s starts no row", keywords[i][k]);
		}
	}
}

/* Folding ------------------------------------------------------------------- */

struct fold_row {
	const char *in;
	int nospace;
	const char *out;
};

static const struct fold_row fold_rows[] = {
    {"Minh Sơn", 0, "minh son"},
    {"Minh Sơn", 1, "minhson"},
    {"  HÀN   ĐIỆN  ", 0, "han dien"},
    {"  HÀN   ĐIỆN  ", 1, "handien"},
    {"Đồng Tân", 0, "dong tan"},
    /* Every precomposed letter of Vietnamese, upper and lower case. */
    {"ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯư", 0,
     "aaaaeeeiioooouuyaaaaeeeiioooouuyaaddiiuuoouu"},
    {"ẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ",
     0,
     "aaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyy"},
    /* Decomposed: the marks vanish without splitting the word. */
    {"Nha\u0323\u0302t Tie\u0302\u0301n", 0, "nhat tien"},
    {"o\u0302\u0301", 0, "o"},
    {"a\u0300\u0301\u0303\u0309\u0323\u031b\u0306b", 0, "ab"},
    {"\u0301a", 0, "a"},
    {"S\u01a1n vs So\u031bn", 0, "son vs son"},
    /* Punctuation and white space separate words, once. */
    {"a,b;c.d", 0, "a b c d"},
    {"a,b;c.d", 1, "abcd"},
    {"\t\n a \r", 0, "a"},
    {"a\u00a0b", 0, "a b"},
    {"x\u00d7y\u00f7z", 0, "x y z"},
    {"06448", 0, "06448"},
    {"", 0, ""},
    {"?!.", 0, ""},
    /* Other letters with a plain base fold too; the rest separate. */
    {"ÇÑÜ", 0, "cnu"},
    {"Æsir", 0, "sir"},
    {"Ωmega", 0, "mega"},
    {"\xef\xbc\x91\xef\xbc\x92", 0, ""},
    /* Not UTF-8: separators, never more. */
    {"\xff", 0, ""},
    {"a\xff"
     "b",
     0, "a b"},
    {"a\xc3", 0, "a"},
    {"a\xc3(b", 0, "a b"},
    {"a\xc0\x80"
     "b",
     0, "a b"},
    {"a\xed\xa0\x80"
     "b",
     0, "a b"},
    {"a\xf4\x90\x80\x80"
     "b",
     0, "a b"},
    {"a\x80\x80"
     "b",
     0, "a b"},
    {"a\xf0\x9f\x98\x80"
     "b",
     0, "a b"},
};

static void
test_fold(void **state)
{
	char out[512];
	size_t i, n;

	(void)state;
	for (i = 0; i < NELEMS(fold_rows); i++) {
		memset(out, 'X', sizeof(out));
		n = parser_fold(fold_rows[i].in, strlen(fold_rows[i].in), out, sizeof(out),
				fold_rows[i].nospace);
		if (strcmp(out, fold_rows[i].out) != 0 || n != strlen(out))
			fail_msg("fold row %zu: \"%s\" (%zu), expected \"%s\"", i, out, n,
				 fold_rows[i].out);
	}
}

/* Small output buffers and lengths shorter than the string. */
static void
test_fold_limits(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(parser_fold("minh son", 8, out, 6, 0), 4);
	assert_string_equal(out, "minh"); /* no trailing space */
	assert_int_equal(parser_fold("minh son", 8, out, 7, 0), 6);
	assert_string_equal(out, "minh s");
	assert_int_equal(parser_fold("minh son", 8, out, 4, 0), 3);
	assert_string_equal(out, "min");
	assert_int_equal(parser_fold("minh son", 8, out, 1, 0), 0);
	assert_string_equal(out, "");
	out[0] = 'X';
	assert_int_equal(parser_fold("minh son", 8, out, 0, 0), 0);
	assert_int_equal(out[0], 'X');
	assert_int_equal(parser_fold("abcdef", 3, out, sizeof(out), 0), 3);
	assert_string_equal(out, "abc");
	/* "Sơn" cut inside "ơ": the lone lead byte separates. */
	assert_int_equal(parser_fold("S\xc6\xa1n", 2, out, sizeof(out), 0), 1);
	assert_string_equal(out, "s");
	assert_int_equal(parser_fold(NULL, 0, out, sizeof(out), 0), 0);
	assert_string_equal(out, "");
	assert_int_equal(parser_fold("a", 1, NULL, 5, 0), 0);
}

struct ascii_row {
	const char *in;
	const char *out;
};

static const struct ascii_row ascii_rows[] = {
    {"Hàn điện", "Han dien"},
    {"Đồng Tân", "Dong Tan"},
    {"Trồng rừng, cây lâm nghiệp (keo, hồi, quế)", "Trong rung, cay lam nghiep (keo, hoi, que)"},
    {"ƯỚC LƯỢNG", "UOC LUONG"},
    {"ẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ",
     "AaAaAaAaAaAaAaAaAaAaAaAaEeEeEeEeEeEeEeEeIiIiOoOoOoOoOoOoOoOoOoOoOoOoUuUuUuUuUuUuUuYyYyYyYy"},
    {"Nha\u0323\u0302t", "Nhat"},
    {"100% [ok] - \"a\" <b>", "100% [ok] - \"a\" <b>"},
    {"a\tb\nc\rd", "a b c d"},
    {"`x`", "'x'"},
    {"Ωmega", "?mega"},
    {"Æsir", "?sir"},
    {"x\u00d7y", "x?y"},
    {"\xf0\x9f\x98\x80", "?"},
    {"a\xff"
     "b",
     "a?b"},
    {"a\xc3", "a?"},
    {"", ""},
};

static void
test_ascii(void **state)
{
	char out[512];
	size_t i, n;

	(void)state;
	for (i = 0; i < NELEMS(ascii_rows); i++) {
		n = parser_ascii(ascii_rows[i].in, out, sizeof(out));
		if (strcmp(out, ascii_rows[i].out) != 0 || n != strlen(out))
			fail_msg("ascii row %zu: \"%s\", expected \"%s\"", i, out,
				 ascii_rows[i].out);
	}
	assert_int_equal(parser_ascii("Hàn điện", out, 4), 3);
	assert_string_equal(out, "Han");
	out[0] = 'X';
	assert_int_equal(parser_ascii("Hàn", out, 0), 0);
	assert_int_equal(out[0], 'X');
	assert_int_equal(parser_ascii(NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

static void
test_utf8_valid(void **state)
{
	static const struct {
		const char *s;
		int valid;
	} v[] = {
	    {"", 1},
	    {"abc", 1},
	    {"Sơn Hà ệ", 1},
	    {"\xf0\x9f\x98\x80", 1},
	    {"\xf4\x8f\xbf\xbf", 1},
	    {"\xff", 0},
	    {"\x80", 0},
	    {"\xc0\x80", 0},
	    {"\xc1\xbf", 0},
	    {"\xe0\x80\x80", 0},
	    {"\xf0\x80\x80\x80", 0},
	    {"\xed\xa0\x80", 0},
	    {"\xf4\x90\x80\x80", 0},
	    {"\xe1\xbb", 0},
	    {"S\xc6n", 0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEMS(v); i++) {
		if (parser_utf8_valid(v[i].s, strlen(v[i].s)) != v[i].valid)
			fail_msg("utf8 row %zu: expected %d", i, v[i].valid);
	}
	assert_int_equal(parser_utf8_valid(NULL, 0), 1);
	assert_int_equal(parser_utf8_valid("\xe1\xbb\x87", 2), 0); /* len is respected */
}

/* Construction -------------------------------------------------------------- */

static void
test_duplicates(void **state)
{
	struct parser_result res;
	struct parser *p = parser_new();
	char big[300];

	(void)state;
	assert_non_null(p);
	assert_int_equal(parser_add_commune(p, "06448", "xa", "Minh Sơn"), 0);
	assert_int_equal(parser_add_commune(p, "06415", "xã", "Minh Tiến"), 1);
	/* A name or code that already names the other commune. */
	assert_int_equal(parser_add_commune(p, "06999", "xa", "MINH SON"), -1);
	assert_int_equal(parser_add_commune(p, "06448", "xa", "Minh Khai"), -1);
	assert_int_equal(parser_add_commune(p, "06500", "xa", "06448"), -1);
	assert_int_equal(parser_ncommunes(p), 2);
	assert_int_equal(parser_add_commune_alias(p, 1, "minh  sơn"), -1);
	assert_int_equal(parser_add_commune_alias(p, 1, "Minh-Son"), -1);
	assert_int_equal(parser_add_commune_alias(p, 1, "06448"), -1);
	/* The same form for the same commune is no error. */
	assert_int_equal(parser_add_commune_alias(p, 0, "Minh-Sơn"), 0);
	assert_int_equal(parser_add_commune_alias(p, 0, "06448"), 0);
	assert_int_equal(parser_add_commune_alias(p, 0, "Minh Sơn cũ"), 0);
	assert_int_equal(parser_add_commune_alias(p, 0, "minh son cu"), 0);
	assert_int_equal(parser_add_commune_alias(p, 1, "Minh Son cu"), -1);
	/* Bad index, nothing to match, not UTF-8, too long. */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(parser_add_commune_alias(p, 2, "Minh Khai"), -1);
	assert_int_equal(parser_add_commune_alias(p, -1, "Minh Khai"), -1);
	assert_int_equal(parser_add_commune_alias(p, 0, ""), -1);
	assert_int_equal(parser_add_commune_alias(p, 0, "!!"), -1);
	assert_int_equal(parser_add_commune_alias(p, 0, "Minh S\xc6n"), -1);
	assert_int_equal(parser_add_commune_alias(p, 0, big), -1);
	assert_int_equal(parser_add_commune_alias(p, 0, NULL), -1);
	assert_int_equal(parser_add_commune(p, "06500", "xa", big), -1);
	assert_int_equal(parser_add_commune(p, "06500", "xa", NULL), -1);
	assert_int_equal(parser_add_commune(p, NULL, "xa", "Minh Khai"), -1);
	/* Types. */
	assert_int_equal(parser_add_commune(p, "06500", "phuong", "Phường Một"), -1);
	assert_int_equal(parser_add_commune(p, "06500", NULL, "Phường Một"), -1);
	assert_int_equal(parser_add_commune(p, "06385", "Thị trấn", "Hữu Lũng"), 2);
	assert_string_equal(parser_commune_type(p, 2), "tt");
	assert_int_equal(parser_add_commune(p, "06388", "XÃ", "Hữu Liên"), 3);
	assert_string_equal(parser_commune_type(p, 3), "xa");
	assert_int_equal(parser_ncommunes(p), 4);

	/* Trades are another class: a commune's name is free for them. */
	assert_int_equal(parser_add_trade(p, "MS", "Minh Sơn"), 0);
	assert_int_equal(parser_add_trade(p, "HAN", "Hàn điện"), 1);
	assert_int_equal(parser_add_trade_alias(p, 1, "ms"), -1);
	assert_int_equal(parser_add_trade_alias(p, 1, "minh son"), -1);
	assert_int_equal(parser_add_trade(p, "han", "Hàn khác"), -1);
	assert_int_equal(parser_add_trade(p, "HAN2", "Minh Sơn"), -1);
	assert_int_equal(parser_add_trade_alias(p, 1, "Hàn"), 1);
	assert_int_equal(parser_add_trade_alias(p, 1, "thợ hàn"), 1);
	assert_int_equal(parser_add_trade_alias(p, 0, "Thợ Hàn"), -1);
	assert_int_equal(parser_add_trade_alias(p, 2, "x"), -1);
	assert_int_equal(parser_ntrades(p), 2);

	/* Keywords: one form, one kind; up to 3 words; "?" as written. */
	assert_int_equal(parser_add_keyword(p, PARSER_ENROL, "DK"), 0);
	assert_int_equal(parser_add_keyword(p, PARSER_ENROL, "dk"), 0);
	assert_int_equal(parser_add_keyword(p, PARSER_GRAD, "Dk"), -1);
	assert_int_equal(parser_add_keyword(p, PARSER_GRAD, "ĐK"), -1);
	assert_int_equal(parser_add_keyword(p, PARSER_ENROL, "ghi danh"), 0);
	assert_int_equal(parser_add_keyword(p, PARSER_GRAD, "ghidanh"), -1);
	assert_int_equal(parser_add_keyword(p, PARSER_ENROL, "dang ky hoc nghe"), -1);
	assert_int_equal(parser_add_keyword(p, PARSER_ENROL, ""), -1);
	assert_int_equal(parser_add_keyword(p, PARSER_ENROL, "   "), -1);
	assert_int_equal(parser_add_keyword(p, PARSER_ENROL, NULL), -1);
	assert_int_equal(parser_add_keyword(p, PARSER_NKINDS, "X"), -1);
	assert_int_equal(parser_add_keyword(p, PARSER_HELP, "?"), 0);
	assert_int_equal(parser_add_keyword(p, PARSER_HELP, " ? "), 0);
	assert_int_equal(parser_add_keyword(p, PARSER_STATUS, "?"), -1);
	assert_int_equal(parser_add_keyword(p, PARSER_STATUS, "?????????"), -1);
	assert_int_equal(parser_add_keyword(p, PARSER_STATUS, "#"), 0);
	/* Fillers: twice is once. */
	assert_int_equal(parser_add_filler(p, "xa"), 0);
	assert_int_equal(parser_add_filler(p, "XÃ"), 0);
	assert_int_equal(parser_add_filler(p, ""), -1);
	assert_int_equal(parser_add_filler(p, "!"), -1);
	assert_int_equal(parser_add_filler(p, NULL), -1);
	/* No parser. */
	assert_int_equal(parser_add_commune(NULL, "1", "xa", "A"), -1);
	assert_int_equal(parser_add_commune_alias(NULL, 0, "A"), -1);
	assert_int_equal(parser_add_trade(NULL, "A", "A"), -1);
	assert_int_equal(parser_add_trade_alias(NULL, 0, "A"), -1);
	assert_int_equal(parser_add_keyword(NULL, PARSER_ENROL, "A"), -1);
	assert_int_equal(parser_add_filler(NULL, "A"), -1);
	assert_int_equal(parser_prepare(NULL), -1);
	assert_int_equal(parser_prepare(p), 0);

	/* What was refused matches nothing ("minh" of "Minh Khai" is only the
	 * start of two others); what was accepted does. */
	assert_int_equal(parser_parse(p, "DK Minh Khai 5 han", 18, &res), -1);
	assert_int_equal(res.error, PARSER_AMBIGUOUS_COMMUNE);
	assert_int_equal(res.ncandidates, 2);
	assert_int_equal(parser_parse(p, "DK 06999 5 han", 14, &res), -1);
	assert_int_equal(res.error, PARSER_UNKNOWN_COMMUNE);
	assert_int_equal(parser_parse(p, "GRAD Minh Son 5 han", 19, &res), -1);
	assert_int_equal(res.error, PARSER_UNKNOWN_KEYWORD);
	assert_int_equal(parser_parse(p, "dk xa minh son cu 5 tho han", 27, &res), 0);
	assert_int_equal(res.items[0].commune, 0);
	assert_int_equal(res.items[0].trade, 1);
	assert_int_equal(parser_parse(p, "# minh son", 10, &res), 0);
	assert_int_equal(res.items[0].kind, PARSER_STATUS);
	assert_int_equal(res.items[0].commune, 0);
	assert_int_equal(parser_parse(p, "DK minh 5 han", 13, &res), -1);
	assert_int_equal(res.error, PARSER_AMBIGUOUS_COMMUNE);
	assert_int_equal(res.ncandidates, 2);

	/* A commune added after parser_prepare() is found by prefix too. */
	assert_int_equal(parser_add_commune(p, "06457", "xa", "Minh Hòa"), 4);
	assert_int_equal(parser_parse(p, "DK minh 5 han", 13, &res), -1);
	assert_int_equal(res.ncandidates, 3);
	assert_int_equal(res.candidates[2], 4);
	assert_int_equal(parser_prepare(p), 0);
	assert_int_equal(parser_parse(p, "DK minh 5 han", 13, &res), -1);
	assert_int_equal(res.ncandidates, 3);
	assert_int_equal(res.candidates[2], 4);
	parser_free(p);
	parser_free(NULL);
}

/* A name that starts with a filler word still matches: the fillers are only
 * skipped when the words with them name nothing. */
static void
test_filler_in_name(void **state)
{
	struct parser_result res;
	struct parser *p = parser_new();

	(void)state;
	assert_int_equal(parser_add_commune(p, "17000", "xa", "Xá Lượng"), 0);
	assert_int_equal(parser_add_commune(p, "17001", "xa", "Lượng"), 1);
	assert_int_equal(parser_add_trade(p, "HAN", "Hàn"), 0);
	assert_int_equal(parser_add_keyword(p, PARSER_ENROL, "DK"), 0);
	assert_int_equal(parser_add_filler(p, "xa"), 0);
	assert_int_equal(parser_add_filler(p, "thi"), 0);
	assert_int_equal(parser_add_filler(p, "thi tran"), 0);
	assert_int_equal(parser_prepare(p), 0);
	assert_int_equal(parser_parse(p, "DK Xa Luong 5 han", 17, &res), 0);
	assert_int_equal(res.items[0].commune, 0);
	assert_int_equal(parser_parse(p, "DK xa Xa Luong 5 han", 20, &res), 0);
	assert_int_equal(res.items[0].commune, 0);
	assert_int_equal(parser_parse(p, "DK xa xa xa Luong 5 han", 23, &res), 0);
	assert_int_equal(res.items[0].commune, 0);
	assert_int_equal(parser_parse(p, "DK thi Luong 5 han", 18, &res), 0);
	assert_int_equal(res.items[0].commune, 1);
	/* The longest filler wins: "thi tran" over "thi". */
	assert_int_equal(parser_parse(p, "DK thi tran Luong 5 han", 23, &res), 0);
	assert_int_equal(res.items[0].commune, 1);
	/* A typo of both "Xá Lượng" and, after a filler, "Lượng": asked. */
	assert_int_equal(parser_prepare(p), 0);
	assert_int_equal(parser_parse(p, "DK xa Luongg 5 han", 18, &res), -1);
	assert_int_equal(res.error, PARSER_UNKNOWN_COMMUNE);
	assert_string_equal(res.bad, "luongg");
	assert_int_equal(res.ncandidates, 0);
	assert_int_equal(parser_parse(p, "DK xa Luongg 5 hann", 19, &res), -1);
	assert_int_equal(res.error, PARSER_UNKNOWN_COMMUNE);
	assert_int_equal(parser_parse(p, "DK Xa Luongx 5 han", 18, &res), -1);
	/* One edit from a name of 3 letters is never taken for it. */
	assert_int_equal(parser_parse(p, "DK Xa Luong 5 hann", 18, &res), -1);
	assert_int_equal(res.error, PARSER_UNKNOWN_TRADE);
	parser_free(p);
}

static void
test_accessors(void **state)
{
	static const char *errs[PARSER_NERRORS] = {
	    "ok",
	    "empty",
	    "unknown_keyword",
	    "missing_commune",
	    "unknown_commune",
	    "ambiguous_commune",
	    "missing_count",
	    "bad_count",
	    "missing_trade",
	    "unknown_trade",
	    "ambiguous_trade",
	    "extra_value",
	    "unknown_class",
	    "missing_class",
	    "bad_class",
	    "unknown_action",
	    "bad_ref",
	    "not_alone",
	    "too_many",
	};
	static const char *kinds[PARSER_NKINDS] = {"enrol",	 "grad",       "job",  "need",
						   "labour",	 "status",     "help", "cancel",
						   "class_open", "class_close"};
	const struct parser *p = *state;
	struct parser *q;
	int i;

	assert_int_equal(parser_ncommunes(p), 24);
	assert_int_equal(parser_ntrades(p), 30);
	assert_int_equal(parser_ncommunes(NULL), 0);
	assert_int_equal(parser_ntrades(NULL), 0);
	assert_string_equal(parser_commune_code(p, 19), "06448");
	assert_string_equal(parser_commune_name(p, 7), "Thiện Tân");
	assert_string_equal(parser_commune_type(p, 0), "tt");
	assert_string_equal(parser_commune_type(p, 1), "xa");
	assert_string_equal(parser_trade_code(p, 29), "BQNS");
	assert_string_equal(parser_trade_name(p, 0), "Hàn điện");
	assert_null(parser_commune_code(p, -1));
	assert_null(parser_commune_code(p, 24));
	assert_null(parser_commune_name(p, 24));
	assert_null(parser_commune_type(p, -1));
	assert_null(parser_trade_code(p, 30));
	assert_null(parser_trade_name(p, -1));
	assert_null(parser_commune_code(NULL, 0));
	assert_null(parser_trade_code(NULL, 0));
	for (i = 0; i < PARSER_NERRORS; i++)
		assert_string_equal(parser_error_name((enum parser_error)i), errs[i]);
	for (i = 0; i < PARSER_NKINDS; i++)
		assert_string_equal(parser_kind_name((enum parser_kind)i), kinds[i]);
	assert_string_equal(parser_error_name(PARSER_NERRORS), "unknown");
	assert_string_equal(parser_kind_name(PARSER_NKINDS), "unknown");
	assert_string_equal(parser_kind_name((enum parser_kind) - 1), "unknown");

	/* The keyword form replies show: the shortest, the first on a tie. */
	assert_string_equal(parser_keyword_form(p, PARSER_ENROL), "DK");
	assert_string_equal(parser_keyword_form(p, PARSER_LABOUR), "LD");
	assert_string_equal(parser_keyword_form(p, PARSER_HELP), "HD");
	assert_string_equal(parser_keyword_form(p, PARSER_CANCEL), "HUY");
	assert_string_equal(parser_keyword_form(p, PARSER_CLASS_OPEN), "LOP");
	assert_string_equal(parser_keyword_form(p, PARSER_CLASS_CLOSE), "LOP");
	assert_null(parser_keyword_form(p, PARSER_NKINDS));
	assert_string_equal(parser_keyword_name(PARSER_ENROL), "enrol");
	assert_string_equal(parser_keyword_name(PARSER_CANCEL), "cancel");
	assert_string_equal(parser_keyword_name(PARSER_KEYWORD_CLASS), "class");
	assert_string_equal(parser_keyword_name(PARSER_NKEYWORDS), "unknown");
	assert_string_equal(parser_keyword_name(-1), "unknown");
	q = parser_new();
	assert_string_equal(parser_keyword_form(q, PARSER_ENROL), "ENROL");
	assert_string_equal(parser_keyword_form(q, PARSER_CLASS_CLOSE), "CLASS");
	assert_int_equal(parser_add_keyword(q, PARSER_CLASS_CLOSE, "Lớp"), 0);
	assert_string_equal(parser_keyword_form(q, PARSER_CLASS_OPEN), "LOP");
	assert_int_equal(parser_add_keyword(q, PARSER_ENROL, "Enroll"), 0);
	assert_string_equal(parser_keyword_form(q, PARSER_ENROL), "ENROLL");
	assert_int_equal(parser_add_keyword(q, PARSER_ENROL, "enrol"), 0);
	assert_string_equal(parser_keyword_form(q, PARSER_ENROL), "ENROL");
	assert_int_equal(parser_add_keyword(q, PARSER_ENROL, "đk"), 0);
	assert_string_equal(parser_keyword_form(q, PARSER_ENROL), "DK");
	assert_int_equal(parser_add_keyword(q, PARSER_ENROL, "ts"), 0);
	assert_string_equal(parser_keyword_form(q, PARSER_ENROL), "DK");
	assert_int_equal(parser_add_keyword(q, PARSER_HELP, "?"), 0);
	assert_string_equal(parser_keyword_form(q, PARSER_HELP), "HELP");
	parser_free(q);
}

static void
test_max_count(void **state)
{
	struct parser_result res;
	struct parser *p = build(1);

	(void)state;
	assert_int_equal(parser_max_count(p), PARSER_DEFAULT_MAX_COUNT);
	assert_int_equal(parser_max_count(NULL), PARSER_DEFAULT_MAX_COUNT);
	parser_set_max_count(p, 0);
	parser_set_max_count(p, -3);
	assert_int_equal(parser_max_count(p), 500);
	parser_set_max_count(p, 1000);
	assert_int_equal(parser_max_count(p), 1000);
	assert_int_equal(parser_parse(p, "DK Minh Son 800 han", 19, &res), 0);
	assert_int_equal(res.items[0].count, 800);
	assert_int_equal(parser_parse(p, "DK Minh Son 1001 han", 20, &res), -1);
	assert_int_equal(res.error, PARSER_BAD_COUNT);
	parser_set_max_count(p, 1);
	assert_int_equal(parser_parse(p, "DK Minh Son 1 han", 17, &res), 0);
	assert_int_equal(parser_parse(p, "DK Minh Son 2 han", 17, &res), -1);
	assert_int_equal(res.error, PARSER_BAD_COUNT);
	/* LABOUR has no such limit. */
	assert_int_equal(parser_parse(p, "LD Minh Son 5000 20", 19, &res), 0);
	parser_set_max_count(NULL, 5);
	parser_free(p);
}

/* The result ---------------------------------------------------------------- */

static void
assert_clean_items(const struct parser_result *res, size_t from)
{
	size_t i;

	for (i = from; i < PARSER_MAX_ITEMS; i++) {
		assert_int_equal(res->items[i].commune, -1);
		assert_int_equal(res->items[i].trade, -1);
		assert_int_equal(res->items[i].topic, -1);
		assert_int_equal(res->items[i].count, 0);
		assert_int_equal(res->items[i].trained, 0);
	}
}

static void
test_result_init(void **state)
{
	const struct parser *p = *state;
	struct parser_result res;
	const char *s;

	memset(&res, 0x5a, sizeof(res));
	assert_int_equal(parser_parse(p, "DK Minh Soxx 35 han", 19, &res), -1);
	assert_int_equal(res.error, PARSER_UNKNOWN_COMMUNE);
	assert_int_equal(res.kind, PARSER_ENROL);
	assert_int_equal(res.nitems, 0);
	assert_int_equal(res.ncandidates, 0);
	assert_clean_items(&res, 0);

	/* A result reused after an ambiguous one keeps nothing of it. */
	s = "DK minh 35 han";
	assert_int_equal(parser_parse(p, s, strlen(s), &res), -1);
	assert_int_equal(res.ncandidates, 3);
	s = "LD Minh Son 3200 1900";
	assert_int_equal(parser_parse(p, s, strlen(s), &res), 0);
	assert_int_equal(res.ncandidates, 0);
	assert_int_equal(res.candidates[0], 0);
	assert_string_equal(res.bad, "");
	assert_int_equal(res.nitems, 1);
	assert_clean_items(&res, 1);
	s = "hello";
	assert_int_equal(parser_parse(p, s, strlen(s), &res), -1);
	assert_int_equal(res.kind, -1);
	assert_clean_items(&res, 0);

	/* No parser, no text, no result. */
	assert_int_equal(parser_parse(NULL, "DK", 2, &res), -1);
	assert_int_equal(res.error, PARSER_EMPTY);
	assert_int_equal(parser_parse(p, NULL, 5, &res), -1);
	assert_int_equal(res.error, PARSER_EMPTY);
	assert_int_equal(parser_parse(p, "DK Minh Son 35 han", 0, &res), -1);
	assert_int_equal(res.error, PARSER_EMPTY);
	assert_int_equal(parser_parse(p, "DK", 2, NULL), -1);

	/* len, not the NUL, ends the text. */
	assert_int_equal(parser_parse(p, "DK Minh Son\0 35 han", 19, &res), 0);
	assert_int_equal(res.items[0].trade, 0);
	assert_int_equal(parser_parse(p, "DK Minh Son 35 han dien xyz", 18, &res), 0);
	assert_int_equal(res.items[0].trade, 0);
}

/* Long input: cut at PARSER_MAX_TEXT bytes, never read or written past. */
static void
test_long_input(void **state)
{
	const struct parser *p = *state;
	static const char msg[] = "DK Minh Son 35 han";
	struct parser_result res;
	char *s = malloc(8192);
	size_t n, i;

	assert_non_null(s);
	/* The message, then white space past the cut. */
	n = (size_t)snprintf(s, 8192, "%s", msg);
	memset(s + n, ' ', 3000);
	assert_int_equal(parser_parse(p, s, n + 3000, &res), 0);

	/* One endless word: bad is cut to fit. */
	memset(s + n, 'a', 3000);
	s[n] = ' ';
	assert_int_equal(parser_parse(p, s, n + 3000, &res), -1);
	assert_int_equal(res.error, PARSER_EXTRA_VALUE);
	assert_int_equal(strlen(res.bad), sizeof(res.bad) - 1);
	assert_int_equal(strspn(res.bad, "a"), sizeof(res.bad) - 1);
	memset(s, 'a', 5000);
	assert_int_equal(parser_parse(p, s, 5000, &res), -1);
	assert_int_equal(res.error, PARSER_UNKNOWN_KEYWORD);
	assert_int_equal(strlen(res.bad), sizeof(res.bad) - 1);

	/* Many words: the first that is too many is named; many that name
	 * nothing: bad ends after a whole word. */
	n = (size_t)snprintf(s, 8192, "DK Minh Son 35 ");
	for (i = 0; i < 700; i++)
		n += (size_t)snprintf(s + n, 8192 - n, "han ");
	assert_int_equal(parser_parse(p, s, n, &res), -1);
	assert_int_equal(res.error, PARSER_EXTRA_VALUE);
	assert_string_equal(res.bad, "han");
	n = (size_t)snprintf(s, 8192, "DK Minh Son 35 han ");
	for (i = 0; i < 700; i++)
		n += (size_t)snprintf(s + n, 8192 - n, "xyz ");
	assert_int_equal(parser_parse(p, s, n, &res), -1);
	assert_int_equal(res.error, PARSER_EXTRA_VALUE);
	assert_true(strlen(res.bad) <= sizeof(res.bad) - 1);
	assert_int_equal(strncmp(res.bad, "xyz xyz", 7), 0);
	assert_int_equal(res.bad[strlen(res.bad) - 1], 'z');

	/* The cut is at exactly PARSER_MAX_TEXT: "han" loses its "n". */
	n = PARSER_MAX_TEXT - strlen(msg) + 1;
	memset(s, ' ', n);
	memcpy(s + n, msg, sizeof(msg));
	assert_int_equal(parser_parse(p, s, strlen(s), &res), -1);
	assert_int_equal(res.error, PARSER_UNKNOWN_TRADE);
	assert_string_equal(res.bad, "ha");
	n--;
	memset(s, ' ', n);
	memcpy(s + n, msg, sizeof(msg));
	assert_int_equal(parser_parse(p, s, strlen(s), &res), 0);
	/* ... and may fall inside a character: "hà" keeps only "h". */
	n = PARSER_MAX_TEXT - strlen("DK Minh Son 35 h\xc3");
	memset(s, ' ', n);
	strcpy(s + n, "DK Minh Son 35 h\xc3\xa0");
	assert_int_equal(parser_parse(p, s, strlen(s), &res), -1);
	assert_string_equal(res.bad, "h");

	/* As many words as fit, and many fillers. */
	n = (size_t)snprintf(s, 8192, "DK ");
	for (i = 0; i < 1100; i++)
		n += (size_t)snprintf(s + n, 8192 - n, "b ");
	assert_int_equal(parser_parse(p, s, n, &res), -1);
	assert_int_equal(res.error, PARSER_UNKNOWN_COMMUNE);
	assert_int_equal(strncmp(res.bad, "b b b", 5), 0);
	n = (size_t)snprintf(s, 8192, "DK ");
	for (i = 0; i < 600; i++)
		n += (size_t)snprintf(s + n, 8192 - n, "xa ");
	n += (size_t)snprintf(s + n, 8192 - n, "Minh Son 35 han");
	assert_true(n < PARSER_MAX_TEXT);
	assert_int_equal(parser_parse(p, s, n, &res), 0);
	assert_int_equal(res.items[0].commune, 19);
	n = (size_t)snprintf(s, 8192, "LD Minh Son 3200 1900");
	for (i = 0; i < 1000; i++)
		n += (size_t)snprintf(s + n, 8192 - n, " 9");
	assert_int_equal(parser_parse(p, s, n, &res), -1);
	assert_int_equal(res.error, PARSER_EXTRA_VALUE);
	assert_string_equal(res.bad, "9");
	free(s);
}

/* A gazetteer of 10,000 communes: every one is found, and prefix search
 * gives the first candidates in table order, prepared or not. */
static void
test_big_gazetteer(void **state)
{
	static const char *syl[] = {
	    "Minh",  "Sơn",  "Hòa", "Tân", "Yên",  "Đồng", "Thanh", "Vân",  "Hữu",   "Bình", "Lạc",
	    "Thắng", "Tiến", "Hồ",  "Cai", "Kinh", "Nham", "Quyết", "Liên", "Vượng", "Lũng", "Kỵ"};
	struct parser_result res, res2;
	struct parser *p = parser_new(), *q = parser_new();
	char name[64], code[8], msg[96];
	size_t i, n = 0, ns = NELEMS(syl);

	(void)state;
	for (i = 0; i < 10000; i++, n++) {
		snprintf(name, sizeof(name), "%s %s %s", syl[i / (ns * ns)], syl[i / ns % ns],
			 syl[i % ns]);
		snprintf(code, sizeof(code), "%05zu", 10000 + i);
		if (parser_add_commune(p, code, "xa", name) != (int)i ||
		    parser_add_commune(q, code, "xa", name) != (int)i)
			fail_msg("commune %zu \"%s\" refused", i, name);
	}
	assert_int_equal(parser_add_trade(p, "HAN", "Hàn điện"), 0);
	assert_int_equal(parser_add_trade(q, "HAN", "Hàn điện"), 0);
	assert_int_equal(parser_add_keyword(p, PARSER_ENROL, "DK"), 0);
	assert_int_equal(parser_add_keyword(q, PARSER_ENROL, "DK"), 0);
	assert_int_equal(parser_prepare(p), 0);
	for (i = 0; i < 10000; i += 37) {
		snprintf(msg, sizeof(msg), "DK %s 5 han", parser_commune_name(p, (int)i));
		if (parser_parse(p, msg, strlen(msg), &res) != 0 || res.items[0].commune != (int)i)
			fail_msg("\"%s\" not found", msg);
		snprintf(msg, sizeof(msg), "DK %05zu 5 han", 10000 + i);
		if (parser_parse(p, msg, strlen(msg), &res) != 0 || res.items[0].commune != (int)i)
			fail_msg("\"%s\" not found", msg);
	}
	/* "Minh Sơn" starts communes 22..43. */
	assert_int_equal(parser_parse(p, "DK Minh Son 5 han", 17, &res), -1);
	assert_int_equal(res.error, PARSER_AMBIGUOUS_COMMUNE);
	assert_int_equal(res.ncandidates, PARSER_MAX_CANDIDATES);
	for (i = 0; i < PARSER_MAX_CANDIDATES; i++)
		assert_int_equal(res.candidates[i], 22 + (int)i);
	assert_int_equal(parser_parse(q, "DK Minh Son 5 han", 17, &res2), -1);
	assert_memory_equal(res.candidates, res2.candidates, sizeof(res.candidates));
	/* Codes: "1999" starts 19990..19999, the last ones. */
	assert_int_equal(parser_parse(p, "DK 1999 5 han", 13, &res), -1);
	assert_int_equal(res.error, PARSER_BAD_COUNT);
	parser_free(p);
	parser_free(q);
}

/* Several reports in one SMS ------------------------------------------------ */

/* The items of a message: "kind commune trade count" each, ';' between. */
static void
check_items(const struct parser *p, const char *in, const char *want)
{
	struct parser_result res;
	char got[512] = "";
	const struct parser_item *it;
	size_t i;

	if (parser_parse(p, in, strlen(in), &res) != 0)
		fail_msg("\"%s\": %s part %d bad \"%s\"", in, parser_error_name(res.error),
			 res.part, res.bad);
	assert_int_equal(res.part, 0);
	assert_int_equal(res.kind, (int)res.items[0].kind);
	for (i = 0; i < res.nitems; i++) {
		it = &res.items[i];
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s %s %s %ld%s%s",
			 i > 0 ? ";" : "", parser_kind_name(it->kind),
			 it->commune >= 0 ? parser_commune_code(p, it->commune) : "-",
			 it->trade >= 0 ? parser_trade_code(p, it->trade) : "-", it->count,
			 it->class_code[0] != '\0' ? " " : "", it->class_code);
		if (it->day > 0)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), " @%d/%d/%d",
				 it->day, it->month, it->year);
	}
	if (strcmp(got, want) != 0)
		fail_msg("\"%s\":\n  got      \"%s\"\n  expected \"%s\"", in, got, want);
}

static void
check_part(const struct parser *p, const char *in, enum parser_error err, int part, int kind,
	   const char *bad)
{
	struct parser_result res;

	assert_int_equal(parser_parse(p, in, strlen(in), &res), -1);
	if (res.error != err || res.part != part || res.kind != kind || strcmp(res.bad, bad) != 0)
		fail_msg("\"%s\": %s part %d kind %d bad \"%s\", expected %s part %d kind %d bad "
			 "\"%s\"",
			 in, parser_error_name(res.error), res.part, res.kind, res.bad,
			 parser_error_name(err), part, kind, bad);
	assert_int_equal(res.nitems, 0);
	assert_int_equal(res.items[0].commune, -1);
}

/* A date says when the figures were counted: never a count, never extra. */
static void
test_dates(void **state)
{
	const struct parser *p = *state;

	check_items(p, "DK Minh Son 12/6 35 han", "enrol 06448 HAN 35 @12/6/0");
	check_items(p, "DK Minh Son 35 han ngay 12/6/2022", "enrol 06448 HAN 35 @12/6/2022");
	check_items(p, "TN ngày 1/12/22 Hoa Son 20 theu", "grad 06445 THEU 20 @1/12/2022");
	check_items(p, "VL 30-6-2022 Minh Son 8 han", "job 06448 HAN 8 @30/6/2022");
	check_items(p, "LD Minh Son 31.12.2022 3200 1900", "labour 06448 - 3200 @31/12/2022");
	check_items(p, "DK Minh Son 35 han; TN Hoa Son 12/6 20 theu",
		    "enrol 06448 HAN 35;grad 06445 THEU 20 @12/6/0");
	/* Not a date: two numbers, or an error. */
	check_part(p, "DK Minh Son 35/6 han", PARSER_EXTRA_VALUE, 0, PARSER_ENROL, "6");
	check_part(p, "DK Minh Son 12/6 han", PARSER_MISSING_COUNT, 0, PARSER_ENROL, "");
	check_part(p, "DK Minh Son 12/6 1/7 5 han", PARSER_EXTRA_VALUE, 0, PARSER_ENROL, "1/7");
	check_part(p, "TK Minh Son 12/6", PARSER_EXTRA_VALUE, 0, PARSER_STATUS, "12/6");
	check_part(p, "DK Minh Son 12-6 5 han", PARSER_EXTRA_VALUE, 0, PARSER_ENROL, "6");
}

static void
test_multi(void **state)
{
	const struct parser *p = *state;
	struct parser_result res;
	char big[2048];
	size_t i, n;

	/* ';' and line breaks, with or without a keyword of their own. */
	check_items(p, "DK Minh Son 35 han; TN Hoa Son 20 maycn",
		    "enrol 06448 HAN 35;grad 06445 MAYCN 20");
	check_items(p, "DK Minh Son 35 han\nHo Son 20 maycn\r\nTan Thanh 3 theu",
		    "enrol 06448 HAN 35;enrol 06451 MAYCN 20;enrol 06442 THEU 3");
	check_items(p, "DK Minh Son 35 han;;\n; TN 06445 2 ne;\n",
		    "enrol 06448 HAN 35;grad 06445 NE 2");
	check_items(p, "LOP MO HL22-05 Minh Son han 30; HL22-06 Hoa Son theu",
		    "class_open 06448 HAN 30 HL22-05;class_open 06445 THEU 0 HL22-06");
	check_items(p, "LD Huu Lien 5200 3100\nDK HL22-05 28",
		    "labour 06388 - 5200;enrol - - 28 HL22-05");
	/* A comma followed by a keyword or a count may start a report; a
	 * part with a count and a trade only takes the commune before. */
	check_items(p, "dk yen binh 20 nuoi ga, tn yen binh 18 nuoi ga",
		    "enrol 06391 CNGA 20;grad 06391 CNGA 18");
	check_items(p, "DK Minh Son 35 han, 20 maycn", "enrol 06448 HAN 35;enrol 06448 MAYCN 20");
	check_items(p, "DK Minh Son 35 han; 20 maycn", "enrol 06448 HAN 35;enrol 06448 MAYCN 20");
	check_items(p, "TN Hoa Son 20 theu, tốt nghiệp Hoa Son 5 han, cam on",
		    "grad 06445 THEU 20;grad 06445 HAN 5");
	check_items(p, "DK xa Minh Son, 35 HV, nghe han", "enrol 06448 HAN 35");
	check_items(p, "DK Minh Son 35 han. TN Minh Son 20 han",
		    "enrol 06448 HAN 35;grad 06448 HAN 20");
	check_items(p, "DK Minh Son 35 han / TN Minh Son 20 han",
		    "enrol 06448 HAN 35;grad 06448 HAN 20");
	check_items(p, "DK Minh Son 35 han + tot nghiep Minh Son 20 han",
		    "enrol 06448 HAN 35;grad 06448 HAN 20");
	/* Lines of courtesy only around the reports. */
	check_items(p, "Bao cao:\nDK Minh Son 35 han\nCam on!", "enrol 06448 HAN 35");
	check_items(p, "Kinh gui\nDK Minh Son 35 han\nTN Hoa Son 20 theu\nTran trong",
		    "enrol 06448 HAN 35;grad 06445 THEU 20");
	check_items(p, "Dạ em báo cáo: DK Minh Sơn 35 hàn ạ", "enrol 06448 HAN 35");
	/* The natural words of the keyword said again. */
	check_items(p, "VL xa Hoa Son co 12 lao dong co viec lam nghe theu", "job 06445 THEU 12");
	check_items(p, "NC xa Yen Binh nhu cau 40 nguoi hoc nghe trong rau", "need 06391 RAU 40");
	/* "Lop" after a full stop is a class (lớp), not the class keyword. */
	check_part(p, "DK Cai Kinh 28 may tre dan. Lop hoc o thon", PARSER_EXTRA_VALUE, 0,
		   PARSER_ENROL, "hoc o");
	check_items(p, "Dang ky hoc nghe Minh Son 35 han", "enrol 06448 HAN 35");
	check_items(p, "DK xa Minh Son co 35 hoc vien hoc nghe han", "enrol 06448 HAN 35");
	check_items(p, "LD Minh Son tong 3200 da dao tao 1900", "labour 06448 - 3200");
	check_items(p, "LD TT Huu Lung, 5200, 3100.", "labour 06385 - 5200");
	check_items(p, "DK Minh Son, 35 han", "enrol 06448 HAN 35");
	check_part(p, "DK Minh Son 35 han, 20", PARSER_EXTRA_VALUE, 0, PARSER_ENROL, "20");
	check_part(p, "DK Minh Son 35 han, TN Hoa Son 20 xyz", PARSER_UNKNOWN_TRADE, 2, PARSER_GRAD,
		   "xyz");
	check_part(p, "DK Minh Son 35 han, 20 maycn 5", PARSER_EXTRA_VALUE, 0, PARSER_ENROL, "20");
	/* Parts that only make sense together are one report. */
	check_items(p, "DK Minh-Son: 35; han-dien!", "enrol 06448 HAN 35");
	check_items(p, "DK Minh Son\n35 han", "enrol 06448 HAN 35");
	/* ... but not when a later part has a keyword of its own. */
	check_part(p, "DK Minh Son; DK 35 han", PARSER_MISSING_COUNT, 1, PARSER_ENROL, "");
	/* The first wrong part is named, its kind given; nothing is kept. */
	check_part(p, "DK Minh Son 35 han\nHoa Sonn 20 xyz", PARSER_UNKNOWN_TRADE, 2, PARSER_ENROL,
		   "xyz");
	check_part(p, "DK Minh Son 35 han; TN Minh 20 han; VL x", PARSER_AMBIGUOUS_COMMUNE, 2,
		   PARSER_GRAD, "minh");
	check_part(p, "DK Minh Son 35 han; LOP MO Minh Son han", PARSER_MISSING_CLASS, 2,
		   PARSER_CLASS_OPEN, "");
	check_part(p, "DK Minh Son 35 han; LOP Minh Son han", PARSER_UNKNOWN_ACTION, 2,
		   PARSER_CLASS_OPEN, "minh");
	check_part(p, "DK Minh Son 35 han; 20", PARSER_MISSING_COMMUNE, 2, PARSER_ENROL, "");
	check_part(p, "TK Minh Son\nTK Hoa Son", PARSER_NOT_ALONE, 1, PARSER_STATUS, "");
	check_part(p, "DK Minh Son 35 han\n?", PARSER_NOT_ALONE, 2, PARSER_HELP, "");
	/* HELP first: the rest is not read. */
	assert_int_equal(parser_parse(p, "HD DK\nxyz; 1; 2", 15, &res), 0);
	assert_int_equal(res.nitems, 1);
	assert_int_equal(res.items[0].topic, PARSER_ENROL);
	/* 16 parts are fine, 17 are too many, whatever follows. */
	for (n = 0, i = 0; i < PARSER_MAX_ITEMS; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "DK Minh Son %zu han;", i + 1);
	assert_int_equal(parser_parse(p, big, n, &res), 0);
	assert_int_equal(res.nitems, PARSER_MAX_ITEMS);
	assert_int_equal(res.items[15].count, 16);
	n += (size_t)snprintf(big + n, sizeof(big) - n, "\n\n ");
	assert_int_equal(parser_parse(p, big, n, &res), 0);
	n += (size_t)snprintf(big + n, sizeof(big) - n, "x;y;z");
	assert_int_equal(parser_parse(p, big, n, &res), -1);
	assert_int_equal(res.error, PARSER_TOO_MANY);
	assert_int_equal(res.part, PARSER_MAX_ITEMS + 1);
}

/* Classes ----------------------------------------------------------------------- */

static void
test_classes(void **state)
{
	struct parser_result res;
	struct parser *p = build(1);
	char err[128], key[32], buf[PARSER_REPLY_MAX + 1];

	(void)state;
	/* The default pattern. */
	assert_int_equal(parser_class_match(p, "HL22-05"), 1);
	assert_int_equal(parser_class_match(p, "hl2205"), 1);
	assert_int_equal(parser_class_match(p, "06448"), 0);
	assert_int_equal(parser_class_match(p, "HAN"), 0);
	assert_int_equal(parser_class_match(p, "maycn"), 0);
	assert_int_equal(parser_class_match(NULL, "HL22-05"), 0);
	assert_int_equal(parser_class_match(p, NULL), 0);
	/* A word needs a letter and a digit, and at most 23 characters. */
	assert_int_equal(parser_set_class_pattern(p, "^[a-z0-9-]+$", err, sizeof(err)), 0);
	assert_int_equal(parser_parse(p, "DK HL22-05 35", 13, &res), 0);
	assert_string_equal(res.items[0].class_code, "HL22-05");
	assert_int_equal(parser_parse(p, "DK 123-45 35", 12, &res), -1);
	assert_int_equal(res.error, PARSER_EXTRA_VALUE); /* no letter: 123 and 45 */
	assert_string_equal(res.bad, "45");
	assert_int_equal(parser_parse(p, "DK Minh Son 35 han", 18, &res), 0);
	assert_int_equal(parser_parse(p, "DK ABCDEFGHIJKLMNOPQRSTUVW1 5", 29, &res), -1);
	assert_int_equal(res.error, PARSER_BAD_CLASS);
	assert_int_equal(parser_parse(p, "DK ABCDEFGHIJKLMNOPQRSTUV1 5", 28, &res), 0);
	assert_string_equal(res.items[0].class_code, "ABCDEFGHIJKLMNOPQRSTUV1");
	/* A pattern that does not compile leaves the old one. */
	assert_int_equal(parser_set_class_pattern(p, "^[A-Z", err, sizeof(err)), -1);
	assert_true(strlen(err) > 0);
	assert_int_equal(parser_set_class_pattern(p, "(", NULL, 0), -1);
	assert_int_equal(parser_class_match(p, "x1"), 1);
	/* Another pattern: replies have no example code that does not fit. */
	assert_int_equal(parser_set_class_pattern(p, "^K[0-9]+$", NULL, 0), 0);
	assert_int_equal(parser_parse(p, "TN k7 30", 8, &res), 0);
	assert_string_equal(res.items[0].class_code, "K7");
	assert_int_equal(parser_parse(p, "TN HL22-05 30", 13, &res), -1);
	assert_int_equal(res.error, PARSER_BAD_CLASS);
	parser_reply(p, &res, 0, 0, buf, sizeof(buf));
	assert_string_equal(buf, "Loi: ma lop \"hl22-05\" khong hop le.");
	/* No pattern: no classes. */
	assert_int_equal(parser_set_class_pattern(p, "", NULL, 0), 0);
	assert_int_equal(parser_class_match(p, "K7"), 0);
	assert_int_equal(parser_parse(p, "TN k7 30", 8, &res), -1);
	assert_int_equal(res.error, PARSER_BAD_CLASS);
	assert_int_equal(parser_set_class_pattern(p, NULL, NULL, 0), 0);
	assert_int_equal(parser_set_class_pattern(NULL, "x", NULL, 0), -1);
	assert_int_equal(parser_set_class_pattern(p, PARSER_DEFAULT_CLASS_PATTERN, NULL, 0), 0);

	/* The key of a code. */
	assert_int_equal(parser_class_key("hl22-05", key, sizeof(key)), 6);
	assert_string_equal(key, "HL2205");
	assert_int_equal(parser_class_key("HL2205", key, 4), 3);
	assert_string_equal(key, "HL2");
	assert_int_equal(parser_class_key(NULL, key, sizeof(key)), 0);
	assert_string_equal(key, "");
	assert_int_equal(parser_class_key("x", NULL, 5), 0);

	/* The caller found no such class. */
	assert_int_equal(parser_parse(p, "DK HL22-05 35", 13, &res), 0);
	parser_unknown_class(&res, 0);
	assert_int_equal(res.error, PARSER_UNKNOWN_CLASS);
	assert_int_equal(res.kind, PARSER_ENROL);
	assert_int_equal(res.nitems, 0);
	assert_int_equal(res.part, 0);
	assert_string_equal(res.bad, "HL22-05");
	assert_int_equal(res.items[0].commune, -1);
	parser_reply(p, &res, 0, 0, buf, sizeof(buf));
	assert_string_equal(buf,
			    "Loi: khong tim thay lop \"HL22-05\". Mo lop truoc: LOP MO <ma lop> "
			    "<xa> <nghe> (so HV).");
	parser_reply(p, &res, 0, 1, buf, sizeof(buf));
	assert_string_equal(buf, "Lỗi: không tìm thấy lớp \"HL22-05\". Mở lớp trước bằng LOP MO.");
	assert_int_equal(parser_parse(p, "DK Minh Son 5 han; TN HL22-06 30", 33, &res), 0);
	parser_unknown_class(&res, 1);
	assert_int_equal(res.part, 2);
	assert_int_equal(res.kind, PARSER_GRAD);
	assert_string_equal(res.bad, "HL22-06");
	parser_reply(p, &res, 0, 0, buf, sizeof(buf));
	assert_int_equal(strncmp(buf, "Loi phan 2 (chua luu): khong tim thay lop", 41), 0);
	parser_unknown_class(&res, 0); /* no item left: nothing happens */
	assert_int_equal(res.error, PARSER_UNKNOWN_CLASS);
	parser_unknown_class(NULL, 0);

	/* The caller may name the class's commune and trade in the reply. */
	assert_int_equal(parser_parse(p, "DK HL22-05 35", 13, &res), 0);
	res.items[0].commune = 19;
	res.items[0].trade = 0;
	parser_reply(p, &res, 3, 0, buf, sizeof(buf));
	assert_string_equal(buf, "OK #3: ghi danh 35 HV lop HL22-05, nghe Han dien, xa Minh Son");
	parser_free(p);
}

/* Typos --------------------------------------------------------------------- */

static void
test_distance(void **state)
{
	static const struct {
		const char *a, *b;
		int d;
	} v[] = {
	    {"minhson", "minhson", 0},
	    {"minhson", "minhsonn", 1},
	    {"minhson", "mihnson", 1},
	    {"minhson", "minson", 1},
	    {"minhson", "mlnhson", 1},
	    {"minhson", "nimhson", 2},
	    {"ab", "ba", 1},
	    {"abc", "ca", 3},
	    {"", "abc", 3},
	    {"dongtan", "dongtien", 2},
	    {"hoason", "hoson", 1},
	    {"enroll", "enrol", 1},
	};
	char l1[FUZZY_MAX + 2];
	size_t i;

	(void)state;
	for (i = 0; i < NELEMS(v); i++) {
		if (fuzzy_distance(v[i].a, strlen(v[i].a), v[i].b, strlen(v[i].b), 3) != v[i].d ||
		    fuzzy_distance(v[i].b, strlen(v[i].b), v[i].a, strlen(v[i].a), 3) != v[i].d)
			fail_msg("distance \"%s\" \"%s\": expected %d", v[i].a, v[i].b, v[i].d);
	}
	/* Bounded: more than max is max + 1. */
	assert_int_equal(fuzzy_distance("abcdef", 6, "uvwxyz", 6, 2), 3);
	assert_int_equal(fuzzy_distance("a", 1, "abcd", 4, 1), 2);
	memset(l1, 'a', sizeof(l1));
	assert_int_equal(fuzzy_distance(l1, FUZZY_MAX, l1, FUZZY_MAX, 1), 0);
	assert_int_equal(fuzzy_distance(l1, FUZZY_MAX + 1, l1, FUZZY_MAX + 1, 1), 2);
}

/* The deletion index finds what comparing with every word finds. */
static void
test_fuzzy_index(void **state)
{
	static const char *syl[] = {"minh",  "son", "hoa", "tan",  "yen", "dong",
				    "thanh", "van", "huu", "binh", "lac", "thang",
				    "tien",  "ho",  "cai", "kinh"};
	struct fuzzy *a = fuzzy_new(), *b = fuzzy_new();
	char w[64], k[64];
	int ia[8], ib[8];
	size_t i, j, n, na, nb, len;
	unsigned int seed = 1;

	(void)state;
	assert_non_null(a);
	for (i = 0; i < 16 * 16; i++) {
		n = (size_t)snprintf(w, sizeof(w), "%s%s", syl[i / 16], syl[i % 16]);
		assert_int_equal(fuzzy_add(a, w, n, (int)i), 0);
		assert_int_equal(fuzzy_add(b, w, n, (int)i), 0);
	}
	/* Not stored: too short, digits, too long. */
	assert_int_equal(fuzzy_add(a, "ab", 2, 999), 0);
	assert_int_equal(fuzzy_add(a, "abc1", 4, 999), 0);
	memset(w, 'q', sizeof(w));
	assert_int_equal(fuzzy_add(a, w, FUZZY_MAX + 1, 999), 0);
	assert_int_equal(fuzzy_add(NULL, "abc", 3, 1), -1);
	assert_int_equal(fuzzy_build(a), 0);
	for (i = 0; i < 3000; i++) {
		/* A word with up to three random edits. */
		j = (size_t)(rand_r(&seed) % 256);
		len = (size_t)snprintf(k, sizeof(k), "%s%s", syl[j / 16], syl[j % 16]);
		for (n = (size_t)(rand_r(&seed) % 4); n > 0 && len > 1; n--) {
			j = (size_t)rand_r(&seed) % len;
			switch (rand_r(&seed) % 3) {
			case 0:
				memmove(k + j, k + j + 1, len - j);
				len--;
				break;
			case 1:
				k[j] = (char)('a' + rand_r(&seed) % 26);
				break;
			default:
				if (j + 1 < len) {
					char c = k[j];
					k[j] = k[j + 1];
					k[j + 1] = c;
				}
			}
		}
		na = fuzzy_find(a, k, len, ia, 8);
		nb = fuzzy_find(b, k, len, ib, 8);
		if (na != nb || memcmp(ia, ib, (na < 8 ? na : 8) * sizeof(int)) != 0)
			fail_msg("\"%.*s\": %zu found, %zu without the index", (int)len, k, na, nb);
	}
	/* Keys: at least 4 letters, no digit. */
	assert_int_equal(fuzzy_find(a, "son", 3, ia, 8), 0);
	assert_int_equal(fuzzy_find(a, "minhs0n", 7, ia, 8), 0);
	/* minhson (1 apart) hides minhdong (2 apart, and 8 letters long):
	 * the closer word wins. */
	assert_int_equal(fuzzy_find(a, "minhsonn", 8, ia, 8), 1);
	assert_int_equal(ia[0], 1);
	/* minhson, minhtan and minhvan, all 1 apart: a tie, all given. */
	assert_int_equal(fuzzy_find(a, "minhsan", 7, ia, 8), 3);
	assert_int_equal(ia[0], 1);
	assert_int_equal(ia[1], 3);
	assert_int_equal(ia[2], 7);
	assert_int_equal(fuzzy_find(a, "minhsan", 7, ia, 1), 3);
	/* Words of 3 letters are never matched. */
	assert_int_equal(fuzzy_add(a, "han", 3, 998), 0);
	assert_int_equal(fuzzy_find(a, "hann", 4, ia, 8), 0);
	assert_int_equal(fuzzy_find(NULL, "minhson", 7, ia, 8), 0);
	fuzzy_free(a);
	fuzzy_free(b);
	fuzzy_free(NULL);
}

/* Typos in a gazetteer of 10,000 names that differ by one syllable: found
 * when they are unique, ambiguous when not, the same prepared or not. */
static void
test_big_typos(void **state)
{
	static const char *syl[] = {
	    "Minh",  "Sơn",  "Hòa", "Tân", "Yên",  "Đồng", "Thanh", "Vân",  "Hữu",   "Bình", "Lạc",
	    "Thắng", "Tiến", "Hồ",  "Cai", "Kinh", "Nham", "Quyết", "Liên", "Vượng", "Lũng", "Kỵ"};
	static const struct {
		const char *in;
		enum parser_error err;
		int commune;
	} v[] = {
	    {"DK Quyết Vượng Vượngg 5 han", PARSER_OK, 17 * 484 + 19 * 22 + 19},
	    {"DK Quyet Vuong Vuong 5 han dienn", PARSER_OK, 17 * 484 + 19 * 22 + 19},
	    {"DK Quyết Vượgn Vượng 5 han", PARSER_OK, 17 * 484 + 19 * 22 + 19},
	    /* Liên and Tiến are one letter apart: Xiên is 1 from both, Liênn
	     * closer to Liên. */
	    {"DK Quyết Vượng Xiên 5 han", PARSER_AMBIGUOUS_COMMUNE, -1},
	    {"DK Quyết Vượng Liênn 5 han", PARSER_OK, 17 * 484 + 19 * 22 + 18},
	    {"DK Minh Son Hoaa 5 han", PARSER_OK, 0 * 484 + 1 * 22 + 2},
	    {"DK Minh Son Ho 5 han", PARSER_OK, 0 * 484 + 1 * 22 + 13},
	    {"DK Minh Son Hx 5 han", PARSER_OK, 0 * 484 + 1 * 22 + 13},
	    {"DK Minh Son Hôx 5 han", PARSER_AMBIGUOUS_COMMUNE, -1},
	    {"DK Qxyz Vuong 5 han", PARSER_UNKNOWN_COMMUNE, -1},
	};
	struct parser_result res, res2;
	struct parser *p = parser_new(), *q = parser_new();
	char name[64], code[8];
	size_t i, ns = NELEMS(syl);

	(void)state;
	for (i = 0; i < 10000; i++) {
		snprintf(name, sizeof(name), "%s %s %s", syl[i / (ns * ns)], syl[i / ns % ns],
			 syl[i % ns]);
		snprintf(code, sizeof(code), "%05zu", 10000 + i);
		assert_int_equal(parser_add_commune(p, code, "xa", name), (int)i);
		assert_int_equal(parser_add_commune(q, code, "xa", name), (int)i);
	}
	assert_int_equal(parser_add_trade(p, "HAN", "Hàn điện"), 0);
	assert_int_equal(parser_add_trade(q, "HAN", "Hàn điện"), 0);
	assert_int_equal(parser_add_keyword(p, PARSER_ENROL, "DK"), 0);
	assert_int_equal(parser_add_keyword(q, PARSER_ENROL, "DK"), 0);
	assert_int_equal(parser_prepare(p), 0);
	for (i = 0; i < NELEMS(v); i++) {
		parser_parse(p, v[i].in, strlen(v[i].in), &res);
		parser_parse(q, v[i].in, strlen(v[i].in), &res2);
		if (res.error != v[i].err || res.items[0].commune != v[i].commune)
			fail_msg("\"%s\": %s commune %d bad \"%s\", expected %s %d", v[i].in,
				 parser_error_name(res.error), res.items[0].commune, res.bad,
				 parser_error_name(v[i].err), v[i].commune);
		if (res2.error != res.error || res2.items[0].commune != res.items[0].commune ||
		    res2.ncandidates != res.ncandidates ||
		    memcmp(res2.candidates, res.candidates, sizeof(res.candidates)) != 0)
			fail_msg("\"%s\": not the same unprepared", v[i].in);
	}
	parser_free(p);
	parser_free(q);
}

/* Replies ------------------------------------------------------------------- */

/* SMS characters: GSM septets (two for the extension table) in ASCII mode,
 * UTF-16 units with diacritics; -1 when the text is not what the mode
 * allows (non-printable ASCII, or not UTF-8). */
static long
sms_length(const char *s, int dia)
{
	const unsigned char *u = (const unsigned char *)s;
	long n = 0;

	if (dia) {
		if (!parser_utf8_valid(s, strlen(s)))
			return -1;
		for (; *u != '\0'; u++) {
			if ((*u & 0xc0) != 0x80)
				n += *u >= 0xf0 ? 2 : 1;
		}
		return n;
	}
	for (; *u != '\0'; u++) {
		if (*u < 0x20 || *u > 0x7e || *u == '`')
			return -1;
		n += strchr("[]{}\\^~|", *u) != NULL ? 2 : 1;
	}
	return n;
}

/* One reply's limits, whatever the message: one SMS, two for HELP alone. */
static void
check_reply(const struct parser *p, const struct parser_result *res, long ref, int dia,
	    const char *in)
{
	char buf[PARSER_REPLY_MAX + 1], quoted[80], head[32];
	size_t n = parser_reply(p, res, ref, dia, buf, sizeof(buf));
	long len = sms_length(buf, dia), max = dia ? 70 : 160;

	if (res->error == PARSER_OK && res->items[0].kind == PARSER_HELP && res->items[0].topic < 0)
		max = PARSER_HELP_SMS * (dia ? 67 : 153);
	if (n != strlen(buf) || n == 0)
		fail_msg("\"%s\": reply of %zu bytes \"%s\"", in, n, buf);
	if (len < 0 || len > max)
		fail_msg("\"%s\": reply of %ld characters \"%s\"", in, len, buf);
	if (buf[0] == ' ' || buf[n - 1] == ' ')
		fail_msg("\"%s\": reply with white space around \"%s\"", in, buf);
	if (res->part > 0)
		snprintf(head, sizeof(head), dia ? "Lỗi phần %d" : "Loi phan %d", res->part);
	else
		snprintf(head, sizeof(head), dia ? "Lỗi: " : "Loi: ");
	if (res->error != PARSER_OK && strncmp(buf, head, strlen(head)) != 0)
		fail_msg("\"%s\": error reply \"%s\"", in, buf);
	if (res->error == PARSER_OK &&
	    (res->kind <= PARSER_LABOUR || res->kind >= PARSER_CLASS_OPEN) &&
	    strncmp(buf, "OK", 2) != 0)
		fail_msg("\"%s\": confirmation \"%s\"", in, buf);
	/* The words that were wrong are quoted back, when short. */
	if (res->error == PARSER_EXTRA_VALUE && res->ncandidates == 2) {
		/* Two trades: both named by code. */
		if (strstr(buf, parser_trade_code(p, res->candidates[0])) == NULL ||
		    strstr(buf, parser_trade_code(p, res->candidates[1])) == NULL)
			fail_msg("\"%s\": reply \"%s\" does not name both trades", in, buf);
	} else if (res->bad[0] != '\0' && strlen(res->bad) <= 20) {
		snprintf(quoted, sizeof(quoted), "\"%s\"", res->bad);
		if (strstr(buf, quoted) == NULL)
			fail_msg("\"%s\": reply \"%s\" does not quote %s", in, buf, quoted);
	}
}

/* Every row of the table, in both modes, with and without a reference. */
static void
test_reply_limits(void **state)
{
	const struct parser *p = *state;
	struct parser_result res;
	size_t i;

	for (i = 0; i < NELEMS(rows); i++) {
		parser_parse(p, rows[i].in, strlen(rows[i].in), &res);
		check_reply(p, &res, 0, 0, rows[i].in);
		check_reply(p, &res, 12, 0, rows[i].in);
		check_reply(p, &res, 2147483647L, 0, rows[i].in);
		check_reply(p, &res, 0, 1, rows[i].in);
		check_reply(p, &res, 2147483647L, 1, rows[i].in);
	}
}

struct reply_row {
	const char *in;
	long ref;
	int dia;
	const char *out;
};

static const struct reply_row reply_rows[] = {
    /* Two trades are named; another report in the same part is told to
     * go after a ';'; a letter for a digit is asked about; a date is shown. */
    {"DK Minh Son 35 han dien dan dung", 0, 0,
     "Loi: co 2 nghe: HAN (Han dien) va DIENDD (Dien dan dung). Nhieu bao cao: tach bang dau "
     "; Cu phap: DK <xa> <so HV> <nghe>. VD: DK Huu Lung 35 HAN"},
    {"DK Minh Son 35 han 20 maycn", 0, 0,
     "Loi: thua \"20\". Nhieu bao cao: tach bang dau ; Cu phap: DK <xa> <so HV> <nghe>. VD: "
     "DK Huu Lung 35 HAN"},
    {"DK Minh Son 35 han TN Hoa Son 20 theu", 0, 0,
     "Loi: thua \"tn\". Nhieu bao cao: tach bang dau ; Cu phap: DK <xa> <so HV> <nghe>. VD: "
     "DK Huu Lung 35 HAN"},
    {"DK Minh Son 35 han xyz", 0, 0,
     "Loi: thua \"xyz\". Cu phap: DK <xa> <so HV> <nghe>. VD: DK Huu Lung 35 HAN"},
    {"DK Minh Son 3o han", 0, 0,
     "Loi: so luong \"3o\" khong hop le (1-500). Co phai 30? Cu phap: DK <xa> <so HV> "
     "<nghe>. VD: DK Huu Lung 35 HAN"},
    {"DK Minh Son l5 han", 0, 0,
     "Loi: so luong \"l5\" khong hop le (1-500). Co phai 15? Cu phap: DK <xa> <so HV> "
     "<nghe>. VD: DK Huu Lung 35 HAN"},
    {"DK Minh Son -5 han", 0, 0,
     "Loi: so luong \"-5\" khong hop le (1-500). Cu phap: DK <xa> <so HV> <nghe>. VD: DK "
     "Huu Lung 35 HAN"},
    {"DK Minh Son 35 nhan", 0, 0,
     "Loi: khong hieu \"nhan\" o ten nghe. Co phai HAN? VD: DK Huu Lung 35 HAN"},
    {"DK Minh Son 12/6 35 han", 0, 0, "OK: ghi danh 35 HV nghe Han dien, xa Minh Son, ngay 12/6"},
    {"LD Minh Son 3200 1900 ngay 30/6/2022", 0, 0,
     "OK: xa Minh Son co 3200 LD, 1900 da qua dao tao, ngay 30/6/2022"},
    {"DK Hoa Son 12/6 35 han, TN Hoa Son 20 theu", 0, 0,
     "OK: DK Hoa Son 35 HAN 12/6; TN Hoa Son 20 THEU"},
    {"ENROL xã Minh Sơn 35 hàn", 12, 0, "OK #12: ghi danh 35 HV nghe Han dien, xa Minh Son"},
    {"ENROL xã Minh Sơn 35 hàn", 0, 0, "OK: ghi danh 35 HV nghe Han dien, xa Minh Son"},
    {"TN TT Hữu Lũng 20 thêu", 7, 0, "OK #7: tot nghiep 20 HV nghe Theu ren, TT Huu Lung"},
    {"VL Minh Son 3 tin hoc", 12, 0,
     "OK #12: co viec lam 3 LD nghe Tin hoc van phong, xa Minh Son"},
    {"NC Minh Son 40 dien", 12, 0,
     "OK #12: nhu cau hoc nghe 40 nguoi nghe Dien dan dung, xa Minh Son"},
    {"LD Minh Son 3200 1900", 12, 0, "OK #12: xa Minh Son co 3200 LD, 1900 da qua dao tao"},
    {"DK Minh Son 35 may", 0, 0,
     "Loi: \"may\" co the la: MAYCN (May cong nghiep), MAYDD (May dan dung), MTD (May tre "
     "dan). Gui lai ma nghe."},
    /* Too long with the names: codes only. */
    {"DK Minh Son 35 trong", 0, 0,
     "Loi: \"trong\" co the la: CAQ, NA, CCM, RAU, LUA, CHE, NAM, LAMNGHIEP. Gui lai ma nghe."},
    {"DK minh 35 han", 0, 0,
     "Loi: \"minh\" co the la: Minh Tien, Minh Son, Minh Hoa. Gui lai ten xa."},
    {"DK Minh Soxx 35 han", 0, 0, "Loi: khong tim thay xa \"minh soxx\". VD: DK Huu Lung 35 HAN"},
    {"DK Minh Son 501 han", 0, 0,
     "Loi: so luong \"501\" khong hop le (1-500). Cu phap: DK <xa> <so HV> <nghe>. VD: DK Huu "
     "Lung 35 HAN"},
    {"DK Minh Son 35 han 20", 0, 0,
     "Loi: thua \"20\". Nhieu bao cao: tach bang dau ; Cu phap: DK <xa> <so HV> <nghe>. VD: "
     "DK Huu Lung 35 HAN"},
    {"LD Minh Son 3200", 0, 0,
     "Loi: thieu so luong. Cu phap: LD <xa> <tong LD> <da dao tao>. VD: LD Huu Lung 3200 1900"},
    {"hello", 0, 0,
     "Loi: khong hieu tu khoa \"hello\". Dung DK, TN, VL, NC, LD, TK, HD, HUY hoac LOP. VD: DK "
     "Huu Lung 35 HAN"},
    {"HD", 0, 0,
     "Cu phap: DK (ghi danh), TN (tot nghiep), VL (viec lam), NC (nhu cau) <xa> <so> <nghe>; LD "
     "<xa> <tong LD> <da dao tao>; TK (xa); HUY (#so); LOP MO <ma lop> <xa> <nghe> (so HV); LOP "
     "DONG <ma lop>; DK/TN/VL <ma lop> <so HV>. VD: DK Huu Lung 35 HAN"},
    {"HD DK", 0, 0,
     "Ghi danh: DK <xa> <so HV> <nghe> hoac DK <ma lop> <so HV>. VD: DK Huu Lung 35 HAN"},
    {"? LD", 0, 0, "Lao dong: LD <xa> <tong LD> <da dao tao>. VD: LD Huu Lung 3200 1900"},
    {"TK Minh Son", 0, 0, "TK xa Minh Son: chua co so lieu tong hop."},
    {"TK", 0, 0, "TK: chua co so lieu tong hop."},
    {"ENROL xã Minh Sơn 35 hàn", 12, 1, "OK #12: ghi danh 35 HV nghề Hàn điện, xã Minh Sơn"},
    {"LD Minh Son 3200 1900", 12, 1, "OK #12: xã Minh Sơn có 3200 LĐ, 1900 đã qua đào tạo"},
    {"DK Minh Son 35 may", 0, 1, "Lỗi: \"may\" có thể là: MAYCN, MAYDD, MTD. Gửi lại mã nghề."},
    {"DK Minh Soxx 35 han", 0, 1, "Lỗi: không tìm thấy xã \"minh soxx\". VD: DK Hữu Lũng 35 HAN"},
    /* Too long with names: the trade's code instead. */
    {"NC Minh Son 499 thu y", 12, 1, "OK #12: nhu cầu học nghề 499 người nghề THUY, xã Minh Sơn"},
    {"HD", 0, 1,
     "DK/TN/VL/NC <xã> <số> <nghề>; LD <xã> <tổng> <đã đào tạo>; TK (xã); HUY (#số); LOP MO <mã "
     "lớp> <xã> <nghề> (số HV); LOP DONG <mã lớp>."},
    /* Too many candidates: as many whole ones as fit. */
    {"TK 06", 0, 1, "Lỗi: \"06\" có thể là: Hữu Lũng, Hữu Liên, Yên Bình, Quyết Thắng..."},
    /* Typos are confirmed as understood. */
    {"DK Mihn Son 35 han", 12, 0, "OK #12: ghi danh 35 HV nghe Han dien, xa Minh Son"},
    {"DK Minh Son 35 ha", 0, 0,
     "Loi: khong hieu \"ha\" o ten nghe. Co phai HAN? VD: DK Huu Lung 35 HAN"},
    {"DK tan 5 han", 0, 1, "Lỗi: không tìm thấy xã \"tan\". Có phải Tân Thành?"},
    /* Several reports: one line each, as they could be typed again. */
    {"DK Minh Son 35 han; TN Hoa Son 20 maycn; VL Cai Kinh 5 mtd", 12, 0,
     "OK #12-#14: DK Minh Son 35 HAN; TN Hoa Son 20 MAYCN; VL Cai Kinh 5 MTD"},
    {"DK Minh Son 35 han; TN Hoa Son 20 maycn; VL Cai Kinh 5 mtd", 0, 1,
     "OK: DK Minh Sơn 35 HAN; TN Hòa Sơn 20 MAYCN; VL Cai Kinh 5 MTD"},
    {"DK Minh Son 35 han; TN Hoa Son 20 maycn; VL Cai Kinh 5 mtd; NC Yen Binh 40 rau", 12, 1,
     "OK #12-#15 (4 báo cáo): DK Minh Sơn 35 HAN; TN Hòa Sơn 20 MAYCN; ..."},
    {"LD Huu Lien 5200 3100\nLOP MO HL22-05 Minh Son han 30\nDK HL22-05 28", 7, 0,
     "OK #7-#9: LD Huu Lien 5200 3100; LOP MO HL22-05 Minh Son HAN 30; DK HL22-05 28"},
    {"DK Minh Son 35 han\nHoa Sonn 20 xyz", 0, 0,
     "Loi phan 2 (chua luu): khong hieu \"xyz\" o ten nghe. VD: DK Huu Lung 35 HAN"},
    {"DK Minh Son 35 han; Minh 20 han", 0, 1,
     "Lỗi phần 2: \"minh\" có thể là: Minh Tiến, Minh Sơn, Minh Hòa."},
    {"TK; DK Minh Son 35 han", 0, 0, "Loi phan 1 (chua luu): TK phai gui rieng mot tin."},
    {R17("DK Minh Son 1 han;"), 0, 0,
     "Loi phan 17 (chua luu): qua 16 bao cao trong mot tin. Gui tach ra nhieu tin."},
    /* Classes and cancelling. */
    {"LOP MO HL22-05 Minh Son han 30", 12, 0,
     "OK #12: mo lop HL22-05 nghe Han dien, xa Minh Son, du kien 30 HV"},
    {"LOP MO HL22-05 Minh Son han", 12, 1, "OK #12: mở lớp HL22-05 nghề Hàn điện, xã Minh Sơn"},
    {"LOP DONG HL22-05", 12, 0, "OK #12: dong lop HL22-05"},
    {"DK HL22-05 35", 12, 0, "OK #12: ghi danh 35 HV lop HL22-05"},
    {"VL HL22-05 25", 12, 1, "OK #12: có việc làm 25 LĐ lớp HL22-05"},
    {"LOP DONG", 0, 0, "Loi: thieu ma lop. Cu phap: LOP DONG <ma lop>. VD: LOP DONG HL22-05"},
    {"DK HL2205X 35", 0, 0, "Loi: ma lop \"hl2205x\" khong hop le. VD: DK HL22-05 35"},
    {"LOP HL22-05", 0, 0,
     "Loi: sau LOP can MO hoac DONG, khong phai \"hl22-05\". VD: LOP MO HL22-05 Huu Lung HAN 30"},
    {"HD LOP", 0, 0,
     "Mo/dong lop: LOP MO <ma lop> <xa> <nghe> (so HV); LOP DONG <ma lop>. VD: LOP MO HL22-05 Huu "
     "Lung HAN 30"},
    {"HUY", 0, 0, "HUY: yeu cau huy bao cao gui gan nhat, chua xu ly."},
    {"HUY #12", 0, 1, "HUY #12: yêu cầu hủy báo cáo #12, chưa xử lý."},
    {"HUY #0", 0, 0, "Loi: so bao cao \"0\" khong hop le. VD: HUY #12"},
    {"HD HUY", 0, 0, "Huy bao cao: HUY (#so) (khong co so: bao cao gui gan nhat). VD: HUY #12"},
};

static void
test_reply_texts(void **state)
{
	const struct parser *p = *state;
	struct parser_result res;
	char buf[PARSER_REPLY_MAX + 1];
	size_t i;

	for (i = 0; i < NELEMS(reply_rows); i++) {
		parser_parse(p, reply_rows[i].in, strlen(reply_rows[i].in), &res);
		parser_reply(p, &res, reply_rows[i].ref, reply_rows[i].dia, buf, sizeof(buf));
		if (strcmp(buf, reply_rows[i].out) != 0)
			fail_msg("reply row %zu \"%s\":\n  got      \"%s\"\n  expected \"%s\"", i,
				 reply_rows[i].in, buf, reply_rows[i].out);
	}
}

/* The example of an error reply names the sender's commune when known. */
static void
test_reply_example(void **state)
{
	const struct parser *p = *state;
	struct parser_result res;
	char buf[PARSER_REPLY_MAX + 1];

	parser_parse(p, "DK xyz 35 han", 13, &res);
	parser_reply_for(p, &res, 0, 0, 19, buf, sizeof(buf));
	assert_string_equal(buf, "Loi: khong tim thay xa \"xyz\". VD: DK Minh Son 35 HAN");
	parser_reply_for(p, &res, 0, 0, -1, buf, sizeof(buf));
	assert_string_equal(buf, "Loi: khong tim thay xa \"xyz\". VD: DK Huu Lung 35 HAN");
	parser_reply_for(p, &res, 0, 0, 99, buf, sizeof(buf));
	assert_string_equal(buf, "Loi: khong tim thay xa \"xyz\". VD: DK Huu Lung 35 HAN");
	parser_parse(p, "LD Hoa Son 3200", 15, &res);
	parser_reply_for(p, &res, 0, 0, 18, buf, sizeof(buf));
	assert_string_equal(buf,
			    "Loi: thieu so luong. Cu phap: LD <xa> <tong LD> <da dao tao>. VD: "
			    "LD Hoa Son 3200 1900");
}

/* Small buffers, no parser, and names too long for any SMS. */
static void
test_reply_edges(void **state)
{
	const struct parser *p = *state;
	struct parser_result res;
	struct parser *q;
	char buf[PARSER_REPLY_MAX + 1], name[256];
	size_t n;

	parser_parse(p, "DK Minh Soxx 35 han", 19, &res);
	n = parser_reply(p, &res, 0, 1, buf, 3); /* "Lỗi": 'ỗ' does not fit */
	assert_int_equal(n, 1);
	assert_string_equal(buf, "L");
	n = parser_reply(p, &res, 0, 1, buf, 4);
	assert_int_equal(n, 1);
	n = parser_reply(p, &res, 0, 1, buf, 5);
	assert_int_equal(n, 4);
	assert_string_equal(buf, "Lỗ");
	n = parser_reply(p, &res, 0, 1, buf, 6);
	assert_int_equal(n, 5);
	assert_string_equal(buf, "Lỗi");
	buf[0] = 'X';
	assert_int_equal(parser_reply(p, &res, 0, 0, buf, 0), 0);
	assert_int_equal(buf[0], 'X');
	assert_int_equal(parser_reply(NULL, &res, 0, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(parser_reply(p, NULL, 0, 0, buf, sizeof(buf)), 0);
	assert_int_equal(parser_reply(p, &res, 0, 0, NULL, 10), 0);

	/* Names of 250 bytes, some of them GSM extension characters. */
	q = parser_new();
	name[0] = '\0';
	for (n = 0; strlen(name) < 240; n++)
		strcat(name, n % 2 ? "[x] " : "Ằng ");
	assert_int_equal(parser_add_commune(q, "1", "xa", name), 0);
	assert_int_equal(parser_add_trade(q, "T", name), 0);
	assert_int_equal(parser_add_commune(q, "2", "xa", "Ằng khác"), 1);
	assert_int_equal(parser_add_keyword(q, PARSER_ENROL, "DK"), 0);
	assert_int_equal(parser_add_keyword(q, PARSER_STATUS, "TK"), 0);
	assert_int_equal(parser_prepare(q), 0);
	parser_parse(q, "DK 1 5 t", 8, &res);
	assert_int_equal(res.error, PARSER_OK);
	check_reply(q, &res, 2147483647L, 0, "long names");
	check_reply(q, &res, 2147483647L, 1, "long names");
	parser_parse(q, "TK ang", 6, &res);
	assert_int_equal(res.error, PARSER_AMBIGUOUS_COMMUNE);
	check_reply(q, &res, 0, 0, "long names");
	check_reply(q, &res, 0, 1, "long names");
	parser_parse(q, "TK nowhere", 10, &res);
	check_reply(q, &res, 0, 0, "long names");
	check_reply(q, &res, 0, 1, "long names");
	parser_free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dates),	   cmocka_unit_test(test_reply_example),
	    cmocka_unit_test(test_table),	   cmocka_unit_test(test_table_unprepared),
	    cmocka_unit_test(test_table_coverage), cmocka_unit_test(test_fold),
	    cmocka_unit_test(test_fold_limits),	   cmocka_unit_test(test_ascii),
	    cmocka_unit_test(test_utf8_valid),	   cmocka_unit_test(test_duplicates),
	    cmocka_unit_test(test_filler_in_name), cmocka_unit_test(test_accessors),
	    cmocka_unit_test(test_max_count),	   cmocka_unit_test(test_result_init),
	    cmocka_unit_test(test_long_input),	   cmocka_unit_test(test_big_gazetteer),
	    cmocka_unit_test(test_multi),	   cmocka_unit_test(test_classes),
	    cmocka_unit_test(test_distance),	   cmocka_unit_test(test_fuzzy_index),
	    cmocka_unit_test(test_big_typos),	   cmocka_unit_test(test_reply_limits),
	    cmocka_unit_test(test_reply_texts),	   cmocka_unit_test(test_reply_edges),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
