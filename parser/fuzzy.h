/*
 * fuzzy.h - finding words despite small typing mistakes.
 *
 * A fuzzy index holds words (folded: lower-case ASCII letters and digits, no
 * spaces), each with an id, and finds those within a small edit distance of
 * a key.  The distance is the optimal string alignment distance: inserting,
 * deleting or replacing a letter, or swapping two neighbours ("mihn" for
 * "minh"), each counts 1.  A word matches a key when they are at most 1
 * apart, or 2 when the word has FUZZY_LONG letters or more.
 *
 * Precision before recall, because a guess that is wrong is stored: keys
 * shorter than FUZZY_MIN_KEY letters and words shorter than FUZZY_MIN_WORD
 * never match (one edit from a word of 3 letters is a third of it: "nhan"
 * is as likely a new word as "han" mistyped), nor anything longer than FUZZY_MAX, nor keys or words
 * that contain a digit (codes and counts are never guessed).
 *
 * fuzzy_build() indexes the deletion neighbourhood of every word (each string
 * obtained by deleting up to 2 of its letters, the SymSpell method), so that
 * a lookup costs a few dozen hash probes whatever the number of words.
 * Without it, or after a fuzzy_add() that follows it, lookups compare the key
 * with every word: the same answers, only slower.
 */
#ifndef TINBAO_FUZZY_H
#define TINBAO_FUZZY_H

#include <stddef.h>

#define FUZZY_MIN_KEY 4
#define FUZZY_MIN_WORD 4
#define FUZZY_LONG 8
#define FUZZY_MAX 40

struct fuzzy;

struct fuzzy *fuzzy_new(void);
void fuzzy_free(struct fuzzy *f); /* accepts NULL */
/* Makes room for nwords more words of nbytes in all: the fuzzy_add() calls
 * that follow and stay within it cannot fail.  0, or -1 (out of memory). */
int fuzzy_reserve(struct fuzzy *f, size_t nwords, size_t nbytes);
/* Adds word[0..len) for id (ids need not be unique: a unit has several
 * forms).  A word that can never match is not stored, which is no error.
 * Returns 0, or -1 when out of memory. */
int fuzzy_add(struct fuzzy *f, const char *word, size_t len, int id);
/* Builds the deletion index; 0, or -1 when out of memory (lookups then scan
 * every word). */
int fuzzy_build(struct fuzzy *f);
/* The ids of the words matching key[0..len) at the smallest distance any
 * word has: each id once, the smallest max of them in ascending order in
 * ids.  A word one edit away hides those two away, so that the closer
 * candidate wins and only equal distances are a tie.  A word that is as
 * close but too short to match at that distance is still a rival: with
 * one, its id is given too (the key is ambiguous); with only such words,
 * nothing is found.  Returns how many distinct ids matched, which may be
 * more than max. */
size_t fuzzy_find(const struct fuzzy *f, const char *key, size_t len, int *ids, size_t max);
/* The distance of a[0..la) and b[0..lb), or max + 1 when it is more than
 * max; both at most FUZZY_MAX long (longer: max + 1). */
int fuzzy_distance(const char *a, size_t la, const char *b, size_t lb, int max);

#endif
