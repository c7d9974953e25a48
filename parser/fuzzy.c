/*
 * fuzzy.c - the typo index: deletion neighbourhoods (SymSpell).
 *
 * If a key and a word are at most k apart, deleting at most k letters from
 * each gives the same string (a replacement is a deletion on both sides, a
 * swap of neighbours deletes the same letter from both).  So every word's
 * variants with up to 2 letters deleted are stored by their hash (also of
 * words that only match 1 apart: 2 apart, they still stand in the way of
 * another word as far),
 * and a lookup hashes the key's variants the same way: the words found share
 * a variant with the key, and an exact distance computation decides.  Only
 * hashes are stored (8 bytes an entry); a collision costs one distance
 * computation, never a wrong answer.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzy.h"

#define EMPTY UINT32_MAX
#define NONE ((size_t)-1)
#define MAX_HITS 256 /* distinct ids one lookup keeps track of */
#define CHECKED 64   /* words one lookup remembers having verified */

struct word {
	uint32_t off; /* in text */
	uint32_t len;
	int id;
};

struct slot {
	uint32_t hash;
	uint32_t word; /* index in words, EMPTY when free */
};

struct fuzzy {
	char *text; /* the words, one after the other */
	size_t textlen, textcap;
	struct word *words;
	size_t n, cap;
	struct slot *slots;    /* NULL when not built */
	size_t nslots;	       /* a power of two */
	size_t minlen, maxlen; /* of the words: a key 3 shorter or longer matches none */
};

/* A lookup in progress. */
struct hits {
	int ids[MAX_HITS]; /* distinct, ascending, all at distance best */
	size_t n, total;
	int best;
	int near; /* one of them is within its word's tolerance */
	uint32_t checked[CHECKED];
	size_t nchecked;
};

static int
tolerance(size_t len)
{
	return len >= FUZZY_LONG ? 2 : 1;
}

/* How far from a key of len letters words are looked at: a word 2 apart
 * has FUZZY_LONG letters, so the key at least FUZZY_LONG - 2. */
static int
reach(size_t len)
{
	return len >= FUZZY_LONG - 2 ? 2 : 1;
}

/* Letters only, within the limits. */
static int
usable(const char *s, size_t len, size_t min)
{
	size_t i;

	if (len < min || len > FUZZY_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] < 'a' || s[i] > 'z')
			return 0;
	}
	return 1;
}

/* FNV-1a of s[0..len) without the letters at i and j (NONE: none). */
static uint32_t
hash_without(const char *s, size_t len, size_t i, size_t j)
{
	uint32_t h = 2166136261u;
	size_t k;

	for (k = 0; k < len; k++) {
		if (k == i || k == j)
			continue;
		h ^= (unsigned char)s[k];
		h *= 16777619u;
	}
	return h;
}

/*
 * Calls fn for the hash of every variant of s with up to k letters deleted.
 * Deleting one of two equal neighbours gives the same string whichever it
 * is: only the first is deleted, so that most variants come once.
 */
static void
variants(const char *s, size_t len, int k, void (*fn)(void *, uint32_t), void *arg)
{
	size_t i, j;

	fn(arg, hash_without(s, len, NONE, NONE));
	for (i = 0; i < len; i++) {
		if (i > 0 && s[i] == s[i - 1])
			continue;
		fn(arg, hash_without(s, len, i, NONE));
		if (k < 2)
			continue;
		for (j = i + 1; j < len; j++) {
			if (j > i + 1 && s[j] == s[j - 1])
				continue;
			fn(arg, hash_without(s, len, i, j));
		}
	}
}

static size_t
nvariants(size_t len, int k)
{
	return 1 + len + (k == 2 ? len * (len - 1) / 2 : 0);
}

struct fuzzy *
fuzzy_new(void)
{
	return calloc(1, sizeof(struct fuzzy));
}

void
fuzzy_free(struct fuzzy *f)
{
	if (f == NULL)
		return;
	free(f->text);
	free(f->words);
	free(f->slots);
	free(f);
}

static int
grow(void **v, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap != 0 ? *cap : 64;
	void *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	if (n > UINT32_MAX)
		return -1;
	p = realloc(*v, n * size);
	if (p == NULL)
		return -1;
	*v = p;
	*cap = n;
	return 0;
}

int
fuzzy_reserve(struct fuzzy *f, size_t nwords, size_t nbytes)
{
	if (f == NULL)
		return -1;
	if (grow((void **)&f->text, &f->textcap, f->textlen + nbytes, 1) == -1 ||
	    grow((void **)&f->words, &f->cap, f->n + nwords, sizeof(*f->words)) == -1)
		return -1;
	return 0;
}

int
fuzzy_add(struct fuzzy *f, const char *word, size_t len, int id)
{
	struct word *w;

	if (f == NULL || word == NULL)
		return -1;
	if (!usable(word, len, FUZZY_MIN_WORD))
		return 0;
	if (fuzzy_reserve(f, 1, len) == -1)
		return -1;
	if (f->n == 0 || len < f->minlen)
		f->minlen = len;
	if (len > f->maxlen)
		f->maxlen = len;
	w = &f->words[f->n++];
	w->off = (uint32_t)f->textlen;
	w->len = (uint32_t)len;
	w->id = id;
	memcpy(f->text + f->textlen, word, len);
	f->textlen += len;
	/* The index no longer covers every word. */
	free(f->slots);
	f->slots = NULL;
	f->nslots = 0;
	return 0;
}

struct inserting {
	struct fuzzy *f;
	uint32_t word;
};

static void
insert(void *arg, uint32_t hash)
{
	struct inserting *in = arg;
	struct fuzzy *f = in->f;
	size_t mask = f->nslots - 1, i = hash & mask;

	while (f->slots[i].word != EMPTY)
		i = (i + 1) & mask;
	f->slots[i].hash = hash;
	f->slots[i].word = in->word;
}

int
fuzzy_build(struct fuzzy *f)
{
	struct inserting in;
	size_t total = 0, n = 64, i;
	const struct word *w;

	if (f == NULL)
		return -1;
	free(f->slots);
	f->slots = NULL;
	f->nslots = 0;
	for (i = 0; i < f->n; i++)
		total += nvariants(f->words[i].len, 2);
	while (n < 2 * total)
		n *= 2;
	f->slots = malloc(n * sizeof(*f->slots));
	if (f->slots == NULL)
		return -1;
	f->nslots = n;
	for (i = 0; i < n; i++)
		f->slots[i].word = EMPTY;
	in.f = f;
	for (i = 0; i < f->n; i++) {
		w = &f->words[i];
		in.word = (uint32_t)i;
		variants(f->text + w->off, w->len, 2, insert, &in);
	}
	return 0;
}

int
fuzzy_distance(const char *a, size_t la, const char *b, size_t lb, int max)
{
	int rows[3][FUZZY_MAX + 1], *d0 = rows[0], *d1 = rows[1], *d2 = rows[2], *t;
	int v, low;
	size_t i, j;

	if (la > FUZZY_MAX || lb > FUZZY_MAX || (la > lb ? la - lb : lb - la) > (size_t)max)
		return max + 1;
	for (j = 0; j <= lb; j++)
		d1[j] = (int)j;
	for (i = 1; i <= la; i++) {
		d2[0] = (int)i;
		low = d2[0];
		for (j = 1; j <= lb; j++) {
			v = d1[j - 1] + (a[i - 1] != b[j - 1]);
			if (d1[j] + 1 < v)
				v = d1[j] + 1;
			if (d2[j - 1] + 1 < v)
				v = d2[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d0[j - 2] + 1 < v)
				v = d0[j - 2] + 1;
			d2[j] = v;
			if (v < low)
				low = v;
		}
		if (low > max)
			return max + 1;
		t = d0;
		d0 = d1;
		d1 = d2;
		d2 = t;
	}
	return d1[lb] > max ? max + 1 : d1[lb];
}

/* Only the closest words count: one a single edit away beats any two
 * away, so the hits made so far are dropped when a closer one comes. */
static void
add_id(struct hits *h, int id, int d, int near)
{
	size_t i;

	if (d > h->best)
		return;
	if (d < h->best) {
		h->n = h->total = 0;
		h->best = d;
		h->near = 0;
	}
	h->near |= near;
	for (i = 0; i < h->n && h->ids[i] < id; i++)
		continue;
	if (i < h->n && h->ids[i] == id)
		return;
	h->total++;
	if (h->n == MAX_HITS)
		return; /* counted, not kept: "many" is all that matters then */
	memmove(h->ids + i + 1, h->ids + i, (h->n - i) * sizeof(h->ids[0]));
	h->ids[i] = id;
	h->n++;
}

struct finding {
	const struct fuzzy *f;
	const char *key;
	size_t len;
	struct hits *h;
};

/* Whether word x matches the key; each word is verified once (as long as
 * the list of verified words has room). */
static void
verify(struct finding *fd, uint32_t x)
{
	const struct word *w = &fd->f->words[x];
	struct hits *h = fd->h;
	size_t i;
	int k;

	for (i = 0; i < h->nchecked; i++) {
		if (h->checked[i] == x)
			return;
	}
	if (h->nchecked < CHECKED)
		h->checked[h->nchecked++] = x;
	/* A word two edits away is a rival even when it is too short to be
	 * taken itself: "hoasang" is as near "hoason" as "hoathang". */
	k = reach(fd->len);
	k = fuzzy_distance(fd->key, fd->len, fd->f->text + w->off, w->len, k);
	if (k <= reach(fd->len))
		add_id(h, w->id, k, k <= tolerance(w->len));
}

static void
probe(void *arg, uint32_t hash)
{
	struct finding *fd = arg;
	const struct fuzzy *f = fd->f;
	size_t mask = f->nslots - 1, i = hash & mask;

	for (; f->slots[i].word != EMPTY; i = (i + 1) & mask) {
		if (f->slots[i].hash == hash)
			verify(fd, f->slots[i].word);
	}
}

size_t
fuzzy_find(const struct fuzzy *f, const char *key, size_t len, int *ids, size_t max)
{
	struct hits h;
	struct finding fd = {f, key, len, &h};
	size_t i;

	if (f == NULL || key == NULL || !usable(key, len, FUZZY_MIN_KEY) || f->n == 0 ||
	    len + 2 < f->minlen || len > f->maxlen + 2)
		return 0;
	h.n = h.total = h.nchecked = 0;
	h.best = INT_MAX;
	h.near = 0;
	if (f->slots == NULL) {
		for (i = 0; i < f->n; i++)
			verify(&fd, (uint32_t)i);
	} else {
		variants(key, len, reach(len), probe, &fd);
	}
	if (!h.near)
		return 0; /* the closest are rivals only */
	for (i = 0; i < h.n && i < max; i++)
		ids[i] = h.ids[i];
	return h.total;
}
