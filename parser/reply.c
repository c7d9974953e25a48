/*
 * reply.c - the SMS answer to a parsed message.
 *
 * An answer must fit one SMS: 160 GSM 7-bit characters in plain ASCII, or 70
 * UCS-2 characters with diacritics (HELP without a keyword: two concatenated
 * SMS).  Every answer is composed at the most helpful level first; when that
 * is too long it is composed again with less (codes instead of names, no
 * syntax line, no example, fewer items) and only cut, at a word, when even
 * the shortest form does not fit.
 */
#include <stdio.h>
#include <string.h>

#include "impl.h"
#include "parser.h"

#define SMS_GSM 160  /* septets in one GSM 7-bit SMS */
#define SMS_UCS2 70  /* UTF-16 units in one UCS-2 SMS */
#define PART_GSM 153 /* ... in one part of a concatenated SMS */
#define PART_UCS2 67
#define MAX_NAME 128 /* a name in an answer, in bytes */
#define BAD_GSM 40   /* longest quote of the words an error is about */
#define BAD_UCS2 24

/* Levels of detail, most first. */
enum {
	FULL,  /* names, syntax, example */
	SHORT, /* codes for trades, no syntax line */
	TERSE, /* no example and no advice either */
	NLEVELS
};

struct out {
	char s[2 * PARSER_REPLY_MAX];
	size_t len;
	int dia; /* UTF-8 with diacritics, not plain ASCII */
	int level;
	size_t max;  /* SMS characters allowed */
	int example; /* the commune of examples */
};

/* The same text in plain ASCII and with diacritics. */
#define T(o, ascii, utf8) ((o)->dia ? (utf8) : (ascii))

/* What a report's confirmation says before and after the count. */
static const char *const done_text[4][2][2] = {
    {{"ghi danh ", " HV"}, {"ghi danh ", " HV"}},
    {{"tot nghiep ", " HV"}, {"tốt nghiệp ", " HV"}},
    {{"co viec lam ", " LD"}, {"có việc làm ", " LĐ"}},
    {{"nhu cau hoc nghe ", " nguoi"}, {"nhu cầu học nghề ", " người"}},
};

/* The arguments of each keyword. */
static const char *const args[PARSER_NKINDS][2] = {
    {" <xa> <so HV> <nghe>", " <xã> <số HV> <nghề>"},
    {" <xa> <so HV> <nghe>", " <xã> <số HV> <nghề>"},
    {" <xa> <so LD> <nghe>", " <xã> <số LĐ> <nghề>"},
    {" <xa> <so nguoi> <nghe>", " <xã> <số người> <nghề>"},
    {" <xa> <tong LD> <da dao tao>", " <xã> <tổng LĐ> <đã đào tạo>"},
    {" (xa)", " (xã)"},
    {" (tu khoa)", " (từ khóa)"},
    {" (#so)", " (#số)"},
    {" MO <ma lop> <xa> <nghe> (so HV)", " MO <mã lớp> <xã> <nghề> (số HV)"},
    {" DONG <ma lop>", " DONG <mã lớp>"},
};

/* ENROL, GRAD and JOB for a class. */
static const char *const class_args[2] = {" <ma lop> <so HV>", " <mã lớp> <số HV>"};

static const char *const titles[PARSER_NKINDS][2] = {
    {"Ghi danh", "Ghi danh"},	    {"Tot nghiep", "Tốt nghiệp"},
    {"Co viec lam", "Có việc làm"}, {"Nhu cau hoc nghe", "Nhu cầu học nghề"},
    {"Lao dong", "Lao động"},	    {"Tong hop", "Tổng hợp"},
    {"Huong dan", "Hướng dẫn"},	    {"Huy bao cao", "Hủy báo cáo"},
    {"Mo lop", "Mở lớp"},	    {"Dong lop", "Đóng lớp"},
};

/* How many SMS characters the character at s takes: GSM septets (two for
 * the extension table) or UTF-16 units.  *n gets its length in bytes. */
static size_t
width(const char *s, int dia, size_t *n)
{
	unsigned char c = (unsigned char)*s;

	if (!dia) {
		*n = 1;
		return strchr("[]{}\\^~|", c) != NULL && c != '\0' ? 2 : 1;
	}
	*n = 1;
	while (((unsigned char)s[*n] & 0xc0) == 0x80)
		(*n)++;
	return c >= 0xf0 ? 2 : 1;
}

/* The longest prefix of o, in bytes, of at most max SMS characters. */
static size_t
prefix(const struct out *o, size_t max)
{
	size_t i = 0, used = 0, w, n;

	while (i < o->len) {
		w = width(o->s + i, o->dia, &n);
		if (used + w > max)
			break;
		used += w;
		i += n;
	}
	return i;
}

/* Whether o and reserve more characters fit the reply. */
static int
fits(const struct out *o, size_t reserve)
{
	return prefix(o, o->max - reserve) == o->len;
}

/* Appends s; what does not fit is dropped, never half a character. */
static void
put(struct out *o, const char *s)
{
	size_t n = strlen(s), room = sizeof(o->s) - 1 - o->len;

	if (n > room) {
		n = room;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(o->s + o->len, s, n);
	o->len += n;
	o->s[o->len] = '\0';
}

static void
put_num(struct out *o, long v)
{
	char n[24];

	snprintf(n, sizeof(n), "%ld", v);
	put(o, n);
}

/* A UTF-8 name as it is, or without diacritics. */
static void
put_name(struct out *o, const char *name)
{
	char a[MAX_NAME];

	if (name == NULL)
		name = "?";
	if (o->dia) {
		put(o, name);
		return;
	}
	parser_ascii(name, a, sizeof(a));
	put(o, a);
}

/* "xa Minh Son", "TT Huu Lung". */
static void
put_commune(struct out *o, const struct parser *p, int c)
{
	const char *type = parser_commune_type(p, c);

	if (type != NULL && strcmp(type, "tt") == 0)
		put(o, "TT ");
	else
		put(o, T(o, "xa ", "xã "));
	put_name(o, parser_commune_name(p, c));
}

/* The folded words an error is about, quoted, shortened at a word. */
static void
put_quote(struct out *o, const char *bad)
{
	size_t max = o->dia ? BAD_UCS2 : BAD_GSM, len = strlen(bad), n = len;
	char q[BAD_GSM + 1];

	if (n > max) {
		n = max;
		while (n > 0 && bad[n] != ' ')
			n--;
		if (n == 0)
			n = max;
	}
	memcpy(q, bad, n);
	q[n] = '\0';
	put(o, "\"");
	put(o, q);
	put(o, n < len ? "...\"" : "\"");
}

static void
put_syntax(struct out *o, const struct parser *p, int kind)
{
	put(o, parser_keyword_form(p, (enum parser_kind)kind));
	put(o, args[kind][o->dia]);
}

/* " VD: DK Huu Lung 35 HAN": the sender's commune (or the first one) and
 * the first trade, which exist.  With class set, the report of a class
 * ("DK HL22-05 35"). */
static void
put_example_of(struct out *o, const struct parser *p, int kind, int class)
{
	if (o->level >= TERSE || parser_ncommunes(p) == 0 || parser_ntrades(p) == 0)
		return;
	if ((class || kind == PARSER_CLASS_OPEN || kind == PARSER_CLASS_CLOSE) && !p->example_ok)
		return; /* the pattern was changed: no example at hand */
	put(o, " VD: ");
	put(o, parser_keyword_form(p, (enum parser_kind)kind));
	put(o, " ");
	if (class) {
		put(o, CLASS_EXAMPLE " 35");
		return;
	}
	switch (kind) {
	case PARSER_LABOUR:
		put_name(o, parser_commune_name(p, o->example));
		put(o, " 3200 1900");
		break;
	case PARSER_STATUS:
		put_name(o, parser_commune_name(p, o->example));
		break;
	case PARSER_HELP:
		put(o, parser_keyword_form(p, PARSER_ENROL));
		break;
	case PARSER_CANCEL:
		put(o, "#12");
		break;
	case PARSER_CLASS_OPEN:
		put(o, "MO " CLASS_EXAMPLE " ");
		put_name(o, parser_commune_name(p, o->example));
		put(o, " ");
		put(o, parser_trade_code(p, 0));
		put(o, " 30");
		break;
	case PARSER_CLASS_CLOSE:
		put(o, "DONG " CLASS_EXAMPLE);
		break;
	default:
		put_name(o, parser_commune_name(p, o->example));
		put(o, " 35 ");
		put(o, parser_trade_code(p, 0));
		break;
	}
}

static void
put_example(struct out *o, const struct parser *p, int kind)
{
	put_example_of(o, p, kind, 0);
}

/* " Cu phap: DK <xa> <so HV> <nghe>. VD: ...": what a message of this kind
 * looks like; the syntax only at full detail. */
static void
put_usage(struct out *o, const struct parser *p, int kind)
{
	if (o->level == FULL) {
		put(o, T(o, " Cu phap: ", " Cú pháp: "));
		put_syntax(o, p, kind);
		put(o, ".");
	}
	put_example(o, p, kind);
}

static void
put_ref(struct out *o, long ref)
{
	if (ref <= 0)
		return;
	put(o, "#");
	put_num(o, ref);
}

static const char *
trade_code(const struct parser *p, int trade)
{
	const char *c = parser_trade_code(p, trade);

	return c != NULL ? c : "?";
}

/* "nghe Han dien, xa Minh Son": the trade by name at full detail, by code
 * otherwise. */
static void
put_trade_commune(struct out *o, const struct parser *p, const struct parser_item *it)
{
	put(o, T(o, " nghe ", " nghề "));
	if (o->level == FULL)
		put_name(o, parser_trade_name(p, it->trade));
	else
		put(o, trade_code(p, it->trade));
	put(o, ", ");
	put_commune(o, p, it->commune);
}

/* "lop HL22-05" */
static void
put_class(struct out *o, const struct parser_item *it)
{
	put(o, T(o, "lop ", "lớp "));
	put(o, it->class_code);
}

/* ", ngay 12/6": the date the figures refer to, when one was typed. */
static void
put_date(struct out *o, const struct parser_item *it)
{
	if (it->day <= 0)
		return;
	put(o, T(o, ", ngay ", ", ngày "));
	put_num(o, it->day);
	put(o, "/");
	put_num(o, it->month);
	if (it->year > 0) {
		put(o, "/");
		put_num(o, it->year);
	}
}

static void
confirm(struct out *o, const struct parser *p, const struct parser_item *it, long ref)
{
	const char *const *d;

	put(o, "OK");
	if (ref > 0)
		put(o, " ");
	put_ref(o, ref);
	put(o, ": ");
	switch (it->kind) {
	case PARSER_LABOUR:
		put_commune(o, p, it->commune);
		put(o, T(o, " co ", " có "));
		put_num(o, it->count);
		put(o, T(o, " LD, ", " LĐ, "));
		put_num(o, it->trained);
		put(o, T(o, " da qua dao tao", " đã qua đào tạo"));
		put_date(o, it);
		return;
	case PARSER_CLASS_OPEN:
		put(o, T(o, "mo ", "mở "));
		put_class(o, it);
		put_trade_commune(o, p, it);
		if (it->count > 0) {
			put(o, T(o, ", du kien ", ", dự kiến "));
			put_num(o, it->count);
			put(o, " HV");
		}
		return;
	case PARSER_CLASS_CLOSE:
		put(o, T(o, "dong ", "đóng "));
		put_class(o, it);
		return;
	default:
		break;
	}
	d = done_text[(unsigned)it->kind < 4 ? it->kind : 0][o->dia];
	put(o, d[0]);
	put_num(o, it->count);
	put(o, d[1]);
	if (it->class_code[0] != '\0') {
		put(o, " ");
		put_class(o, it);
		if (it->commune < 0 || it->trade < 0)
			return;
		put(o, ",");
	}
	put_trade_commune(o, p, it);
	put_date(o, it);
}

/* One item of several, as it could be typed: "DK Minh Son 35 HAN". */
static void
put_item(struct out *o, const struct parser *p, const struct parser_item *it)
{
	put(o, parser_keyword_form(p, it->kind));
	put(o, " ");
	switch (it->kind) {
	case PARSER_CLASS_OPEN:
		put(o, "MO ");
		put(o, it->class_code);
		put(o, " ");
		put_name(o, parser_commune_name(p, it->commune));
		put(o, " ");
		put(o, trade_code(p, it->trade));
		if (it->count > 0) {
			put(o, " ");
			put_num(o, it->count);
		}
		return;
	case PARSER_CLASS_CLOSE:
		put(o, "DONG ");
		put(o, it->class_code);
		return;
	case PARSER_LABOUR:
		put_name(o, parser_commune_name(p, it->commune));
		put(o, " ");
		put_num(o, it->count);
		put(o, " ");
		put_num(o, it->trained);
		return;
	default:
		break;
	}
	if (it->class_code[0] != '\0' && (it->commune < 0 || it->trade < 0)) {
		put(o, it->class_code);
		put(o, " ");
		put_num(o, it->count);
		return;
	}
	put_name(o, parser_commune_name(p, it->commune));
	put(o, " ");
	put_num(o, it->count);
	put(o, " ");
	put(o, trade_code(p, it->trade));
	if (it->day > 0) {
		put(o, " ");
		put_num(o, it->day);
		put(o, "/");
		put_num(o, it->month);
	}
}

/*
 * Several items: "OK #12-#14: DK Minh Son 35 HAN; TN ...".  When they do not
 * all fit: how many were stored, then as many whole items as fit and "...";
 * at the last level only how many.
 */
static void
confirm_all(struct out *o, const struct parser *p, const struct parser_result *res, long ref)
{
	size_t i, before;

	put(o, "OK");
	if (ref > 0) {
		put(o, " ");
		put_ref(o, ref);
		put(o, "-");
		put_ref(o, ref + (long)res->nitems - 1);
	}
	if (o->level > FULL) {
		put(o, " (");
		put_num(o, (long)res->nitems);
		put(o, T(o, " bao cao)", " báo cáo)"));
	}
	if (o->level == TERSE)
		return;
	put(o, ":");
	for (i = 0; i < res->nitems; i++) {
		before = o->len;
		put(o, i > 0 ? "; " : " ");
		put_item(o, p, &res->items[i]);
		if (o->level == SHORT && !fits(o, i + 1 < res->nitems ? 5 : 0)) {
			o->len = before;
			o->s[before] = '\0';
			put(o, i > 0 ? "; ..." : " ...");
			return;
		}
	}
}

/* HELP: one keyword's syntax, or all of them. */
static void
help(struct out *o, const struct parser *p, int topic)
{
	static const char *const what[4][2] = {
	    {"ghi danh", "ghi danh"},
	    {"tot nghiep", "tốt nghiệp"},
	    {"viec lam", "việc làm"},
	    {"nhu cau", "nhu cầu"},
	};
	int k;

	if (topic == PARSER_CLASS_OPEN || topic == PARSER_CLASS_CLOSE) {
		put(o, T(o, "Mo/dong lop: ", "Mở/đóng lớp: "));
		put_syntax(o, p, PARSER_CLASS_OPEN);
		put(o, "; ");
		put_syntax(o, p, PARSER_CLASS_CLOSE);
		put(o, ".");
		put_example(o, p, PARSER_CLASS_OPEN);
		return;
	}
	if (topic >= 0 && topic < PARSER_NKINDS) {
		put(o, titles[topic][o->dia]);
		put(o, ": ");
		put_syntax(o, p, topic);
		if (o->level == FULL && topic <= PARSER_JOB && p->example_ok) {
			put(o, T(o, " hoac ", " hoặc "));
			put(o, parser_keyword_form(p, (enum parser_kind)topic));
			put(o, class_args[o->dia]);
		}
		if (o->level == FULL && topic == PARSER_CANCEL)
			put(o, T(o, " (khong co so: bao cao gui gan nhat)",
				 " (không có số: báo cáo gửi gần nhất)"));
		put(o, ".");
		put_example(o, p, topic);
		return;
	}
	if (o->level < TERSE)
		put(o, T(o, "Cu phap: ", "Cú pháp: "));
	/* ENROL, GRAD, JOB and NEED take the same arguments. */
	for (k = PARSER_ENROL; k <= PARSER_NEED; k++) {
		if (k > PARSER_ENROL)
			put(o, o->level == FULL ? ", " : "/");
		put(o, parser_keyword_form(p, (enum parser_kind)k));
		if (o->level == FULL) {
			put(o, " (");
			put(o, what[k][o->dia]);
			put(o, ")");
		}
	}
	put(o, T(o, " <xa> <so> <nghe>; ", " <xã> <số> <nghề>; "));
	put(o, parser_keyword_form(p, PARSER_LABOUR));
	put(o, T(o, " <xa> <tong LD> <da dao tao>; ", " <xã> <tổng> <đã đào tạo>; "));
	put_syntax(o, p, PARSER_STATUS);
	put(o, "; ");
	put_syntax(o, p, PARSER_CANCEL);
	put(o, "; ");
	put_syntax(o, p, PARSER_CLASS_OPEN);
	put(o, "; ");
	put_syntax(o, p, PARSER_CLASS_CLOSE);
	if (o->level < TERSE) {
		put(o, "; ");
		for (k = PARSER_ENROL; k <= PARSER_JOB; k++) {
			if (k > PARSER_ENROL)
				put(o, "/");
			put(o, parser_keyword_form(p, (enum parser_kind)k));
		}
		put(o, class_args[o->dia]);
	}
	put(o, ".");
	put_example(o, p, PARSER_ENROL);
}

/* STATUS: the caller answers with the stored totals; this is what is said
 * without them. */
static void
status(struct out *o, const struct parser *p, const struct parser_item *it)
{
	put(o, parser_keyword_form(p, PARSER_STATUS));
	if (it->commune >= 0) {
		put(o, " ");
		put_commune(o, p, it->commune);
	}
	put(o, T(o, ": chua co so lieu tong hop.", ": chưa có số liệu tổng hợp."));
}

/* CANCEL: the caller cancels and answers; this is what is said without a
 * database. */
static void
cancel(struct out *o, const struct parser *p, const struct parser_item *it)
{
	put(o, parser_keyword_form(p, PARSER_CANCEL));
	if (it->ref > 0) {
		put(o, " ");
		put_ref(o, it->ref);
	}
	put(o, T(o, ": yeu cau huy ", ": yêu cầu hủy "));
	if (it->ref > 0) {
		put(o, T(o, "bao cao ", "báo cáo "));
		put_ref(o, it->ref);
	} else {
		put(o, T(o, "bao cao gui gan nhat", "báo cáo gửi gần nhất"));
	}
	put(o, T(o, ", chua xu ly.", ", chưa xử lý."));
}

/* The candidates of an ambiguous name, comma separated, as they can be sent
 * back: commune names; trade codes, with the name at full detail. */
static void
candidates(struct out *o, const struct parser *p, const struct parser_result *res)
{
	size_t i, before;
	int c;

	for (i = 0; i < res->ncandidates; i++) {
		c = res->candidates[i];
		before = o->len;
		if (i > 0)
			put(o, ", ");
		if (res->error == PARSER_AMBIGUOUS_COMMUNE) {
			put_name(o, parser_commune_name(p, c));
		} else {
			put(o, trade_code(p, c));
		}
		if (o->level == FULL && res->error == PARSER_AMBIGUOUS_TRADE) {
			put(o, " (");
			put_name(o, parser_trade_name(p, c));
			put(o, ")");
		}
		/* At the last level, whole candidates only, as many as fit. */
		if (o->level == TERSE && i > 0 && !fits(o, 4)) {
			o->len = before;
			o->s[before] = '\0';
			put(o, "...");
			return;
		}
	}
	put(o, ".");
}

/* " Co phai Cai Kinh?": the one unit words too short to be sure start. */
static void
suggestion(struct out *o, const struct parser *p, const struct parser_result *res)
{
	int c = res->candidates[0];

	if (res->ncandidates != 1)
		return;
	put(o, T(o, " Co phai ", " Có phải "));
	if (res->error == PARSER_UNKNOWN_COMMUNE)
		put_name(o, parser_commune_name(p, c));
	else
		put(o, trade_code(p, c));
	put(o, "?");
}

/* "co 2 nghe: HAN (Han dien) va DIENDD (Dien dan dung)." */
static void
two_trades(struct out *o, const struct parser *p, const struct parser_result *res)
{
	size_t i;

	put(o, T(o, "co 2 nghe: ", "có 2 nghề: "));
	for (i = 0; i < 2; i++) {
		if (i > 0)
			put(o, T(o, " va ", " và "));
		put(o, trade_code(p, res->candidates[i]));
		if (o->level == FULL) {
			put(o, " (");
			put_name(o, parser_trade_name(p, res->candidates[i]));
			put(o, ")");
		}
	}
	put(o, ".");
}

/* Whether the words no field wanted start like another report: a keyword
 * or a count ("DK Minh Son 35 han TN ...", "... han 20 maycn"). */
static int
another_report(const struct parser *p, const char *bad)
{
	size_t n = strcspn(bad, " ");

	if (n == 0)
		return 0;
	if (bad[0] >= '0' && bad[0] <= '9')
		return 1;
	return table_get(&p->keywords, bad, n) >= 0;
}

static void
keywords(struct out *o, const struct parser *p)
{
	int k;

	put(o, T(o, " Dung ", " Dùng "));
	for (k = 0; k < PARSER_NKEYWORDS; k++) {
		if (k > 0)
			put(o, k < PARSER_NKEYWORDS - 1 ? ", " : T(o, " hoac ", " hoặc "));
		put(o, parser_keyword_form(p, (enum parser_kind)k));
	}
	put(o, ".");
}

/* " Co phai 30?" for a count typed with a letter for a digit ("3o", "l5"):
 * asked, never read so. */
static void
digits_for_letters(struct out *o, const char *bad)
{
	char n[PARSER_MAX_CLASS + 1];
	size_t i, len = strlen(bad);
	int letters = 0;

	if (len == 0 || len >= sizeof(n))
		return;
	for (i = 0; i < len; i++) {
		if (bad[i] >= '0' && bad[i] <= '9') {
			n[i] = bad[i];
		} else if (bad[i] == 'o') {
			n[i] = '0';
			letters = 1;
		} else if (bad[i] == 'l' || bad[i] == 'i') {
			n[i] = '1';
			letters = 1;
		} else {
			return;
		}
	}
	n[len] = '\0';
	if (!letters)
		return;
	put(o, T(o, " Co phai ", " Có phải "));
	put(o, n);
	put(o, "?");
}

static void
count_error(struct out *o, const struct parser *p, const struct parser_result *res, int kind)
{
	if (kind == PARSER_LABOUR) {
		put(o, T(o, "so lieu ", "số liệu "));
		put_quote(o, res->bad);
		put(o, T(o, " khong hop le (so da dao tao <= tong LD).",
			 " không hợp lệ (đã đào tạo <= tổng LĐ)."));
	} else {
		put(o, T(o, "so luong ", "số lượng "));
		put_quote(o, res->bad);
		put(o, T(o, " khong hop le (1-", " không hợp lệ (1-"));
		put_num(o, parser_max_count(p));
		put(o, ").");
	}
	digits_for_letters(o, res->bad);
	put_usage(o, p, kind);
}

/* "Loi: " or, for a message of several parts, "Loi phan 2 (chua luu): ":
 * none of them was stored. */
static void
error_head(struct out *o, const struct parser_result *res)
{
	put(o, T(o, "Loi", "Lỗi"));
	if (res->part > 0) {
		put(o, T(o, " phan ", " phần "));
		put_num(o, res->part);
		if (o->level < TERSE)
			put(o, T(o, " (chua luu)", " (chưa lưu)"));
	}
	put(o, ": ");
}

/* An error: what was wrong, the words concerned, and how to do it right. */
static void
explain(struct out *o, const struct parser *p, const struct parser_result *res)
{
	int kind = res->kind >= 0 && res->kind < PARSER_NKINDS ? res->kind : PARSER_ENROL;

	error_head(o, res);
	switch (res->error) {
	case PARSER_EMPTY:
		put(o, T(o, "tin nhan trong.", "tin nhắn trống."));
		put_usage(o, p, PARSER_ENROL);
		break;
	case PARSER_UNKNOWN_KEYWORD:
		put(o, T(o, "khong hieu tu khoa ", "không hiểu "));
		put_quote(o, res->bad);
		put(o, ".");
		if (o->level < TERSE) {
			keywords(o, p);
			put_example(o, p, PARSER_ENROL);
		} else {
			put(o, T(o, " Gui ", " Gửi "));
			put(o, parser_keyword_form(p, PARSER_HELP));
			put(o, T(o, " de xem cu phap.", " để xem cú pháp."));
		}
		break;
	case PARSER_MISSING_COMMUNE:
		put(o, T(o, "thieu ten xa.", "thiếu tên xã."));
		put_usage(o, p, kind);
		break;
	case PARSER_UNKNOWN_COMMUNE:
		put(o, T(o, "khong tim thay xa ", "không tìm thấy xã "));
		put_quote(o, res->bad);
		put(o, ".");
		suggestion(o, p, res);
		put_example(o, p, kind);
		break;
	case PARSER_MISSING_COUNT:
		put(o, T(o, "thieu so luong.", "thiếu số lượng."));
		put_usage(o, p, kind);
		break;
	case PARSER_BAD_COUNT:
		count_error(o, p, res, kind);
		break;
	case PARSER_MISSING_TRADE:
		put(o, T(o, "thieu ten nghe.", "thiếu tên nghề."));
		put_usage(o, p, kind);
		break;
	case PARSER_UNKNOWN_TRADE:
		put(o, T(o, "khong hieu ", "không hiểu "));
		put_quote(o, res->bad);
		put(o, T(o, " o ten nghe.", " ở tên nghề."));
		suggestion(o, p, res);
		put_example(o, p, kind);
		break;
	case PARSER_AMBIGUOUS_COMMUNE:
	case PARSER_AMBIGUOUS_TRADE:
		put_quote(o, res->bad);
		put(o, T(o, " co the la: ", " có thể là: "));
		candidates(o, p, res);
		if (o->level >= TERSE)
			break;
		if (res->error == PARSER_AMBIGUOUS_COMMUNE)
			put(o, T(o, " Gui lai ten xa.", " Gửi lại tên xã."));
		else
			put(o, T(o, " Gui lai ma nghe.", " Gửi lại mã nghề."));
		break;
	case PARSER_EXTRA_VALUE:
		if (res->ncandidates == 2) {
			two_trades(o, p, res);
		} else {
			put(o, T(o, "thua ", "thừa "));
			put_quote(o, res->bad);
			put(o, ".");
		}
		if (res->ncandidates == 2 || another_report(p, res->bad))
			put(o, T(o, " Nhieu bao cao: tach bang dau ;",
				 " Nhiều báo cáo: tách bằng dấu ;"));
		put_usage(o, p, kind);
		break;
	case PARSER_UNKNOWN_CLASS:
		put(o, T(o, "khong tim thay lop ", "không tìm thấy lớp "));
		put_quote(o, res->bad);
		if (o->level == FULL) {
			put(o, T(o, ". Mo lop truoc: ", ". Mở lớp trước: "));
			put_syntax(o, p, PARSER_CLASS_OPEN);
		} else {
			put(o, T(o, ". Mo lop truoc bang ", ". Mở lớp trước bằng "));
			put(o, parser_keyword_form(p, PARSER_CLASS_OPEN));
			put(o, " MO");
		}
		put(o, ".");
		break;
	case PARSER_MISSING_CLASS:
		put(o, T(o, "thieu ma lop.", "thiếu mã lớp."));
		put_usage(o, p, kind);
		break;
	case PARSER_BAD_CLASS:
		put(o, T(o, "ma lop ", "mã lớp "));
		put_quote(o, res->bad);
		put(o, T(o, " khong hop le.", " không hợp lệ."));
		put_example_of(o, p, kind, kind <= PARSER_JOB);
		break;
	case PARSER_UNKNOWN_ACTION:
		put(o, "sau ");
		put(o, parser_keyword_form(p, PARSER_CLASS_OPEN));
		put(o, T(o, " can MO hoac DONG", " cần MO hoặc DONG"));
		if (res->bad[0] != '\0') {
			put(o, T(o, ", khong phai ", ", không phải "));
			put_quote(o, res->bad);
		}
		put(o, ".");
		put_example(o, p, PARSER_CLASS_OPEN);
		break;
	case PARSER_BAD_REF:
		put(o, T(o, "so bao cao ", "số báo cáo "));
		put_quote(o, res->bad);
		put(o, T(o, " khong hop le.", " không hợp lệ."));
		put_example(o, p, PARSER_CANCEL);
		break;
	case PARSER_NOT_ALONE:
		put(o, parser_keyword_form(p, (enum parser_kind)kind));
		put(o, T(o, " phai gui rieng mot tin.", " phải gửi riêng một tin."));
		break;
	case PARSER_TOO_MANY:
		put(o, T(o, "qua ", "quá "));
		put_num(o, PARSER_MAX_ITEMS);
		put(o, T(o, " bao cao trong mot tin.", " báo cáo trong một tin."));
		if (o->level < TERSE)
			put(o, T(o, " Gui tach ra nhieu tin.", " Gửi tách ra nhiều tin."));
		break;
	default:
		put(o, T(o, "khong hieu tin nhan.", "không hiểu tin nhắn."));
		put_usage(o, p, PARSER_ENROL);
		break;
	}
}

/* How many SMS characters the reply may have. */
static size_t
limit(const struct parser_result *res, int dia)
{
	if (res->error == PARSER_OK && res->nitems > 0 && res->items[0].kind == PARSER_HELP &&
	    res->items[0].topic < 0)
		return (size_t)PARSER_HELP_SMS * (dia ? PART_UCS2 : PART_GSM);
	return dia ? SMS_UCS2 : SMS_GSM;
}

static void
compose(struct out *o, const struct parser *p, const struct parser_result *res, long ref)
{
	const struct parser_item *it = &res->items[0];

	o->len = 0;
	o->s[0] = '\0';
	if (res->error != PARSER_OK || res->nitems == 0) {
		explain(o, p, res);
		return;
	}
	if (res->nitems > 1) {
		confirm_all(o, p, res, ref);
		return;
	}
	switch (it->kind) {
	case PARSER_HELP:
		help(o, p, it->topic);
		break;
	case PARSER_STATUS:
		status(o, p, it);
		break;
	case PARSER_CANCEL:
		cancel(o, p, it);
		break;
	default:
		confirm(o, p, it, ref);
		break;
	}
}

/* Cuts o to the limit, after a whole word when there is one. */
static void
cut(struct out *o)
{
	size_t n = prefix(o, o->max);

	if (n < o->len && o->s[n] != ' ') {
		while (n > 0 && o->s[n - 1] != ' ')
			n--;
		if (n == 0)
			n = prefix(o, o->max);
	}
	while (n > 0 && strchr(" ,;:(", o->s[n - 1]) != NULL)
		n--;
	o->len = n;
	o->s[n] = '\0';
}

size_t
parser_reply(const struct parser *p, const struct parser_result *res, long ref, int diacritics,
	     char *buf, size_t bufsz)
{
	return parser_reply_for(p, res, ref, diacritics, -1, buf, bufsz);
}

size_t
parser_reply_for(const struct parser *p, const struct parser_result *res, long ref, int diacritics,
		 int commune, char *buf, size_t bufsz)
{
	struct out o;
	size_t n;

	if (buf == NULL || bufsz == 0)
		return 0;
	buf[0] = '\0';
	if (p == NULL || res == NULL)
		return 0;
	o.example = commune >= 0 && (size_t)commune < parser_ncommunes(p) ? commune : 0;
	o.dia = diacritics != 0;
	o.max = limit(res, o.dia);
	for (o.level = FULL; o.level < NLEVELS; o.level++) {
		compose(&o, p, res, ref);
		if (fits(&o, 0))
			break;
	}
	if (o.level == NLEVELS)
		cut(&o);
	n = o.len < bufsz - 1 ? o.len : bufsz - 1;
	while (n > 0 && n < o.len && ((unsigned char)o.s[n] & 0xc0) == 0x80)
		n--;
	memcpy(buf, o.s, n);
	buf[n] = '\0';
	return n;
}
