#!/bin/sh
# seed.sh CORPUS_DIR OUT_DIR - one seed file per message of the .tsv files of
# the message corpus (the text before the tab, escapes resolved), named by
# its checksum, so that the fuzzer starts from realistic SMS.
set -eu
mkdir -p "$2"
for f in "$1"/*.tsv; do
	grep -v '^#' "$f" | cut -f1 | while IFS= read -r line; do
		[ -n "$line" ] || continue
		sum=$(printf '%s' "$line" | cksum | cut -d' ' -f1)
		printf '%b' "$line" >"$2/seed-$sum"
	done
done
