#!/bin/sh
# valgrind-check.sh DIR - fails when any memcheck log in DIR (one per run of
# the gateway, `make valgrind`) reports an error or a definite or indirect
# leak: with --quiet a log is empty when all is well.
set -eu
dir=$1
n=$(ls "$dir" | wc -l)
bad=0
for f in "$dir"/*.log; do
	[ -e "$f" ] || continue
	# With --quiet memcheck writes only what it found: any text is one.
	if [ -s "$f" ]; then
		echo "valgrind: $f:"
		cat "$f"
		bad=$((bad + 1))
	fi
done
echo "valgrind: $n runs of the gateway under memcheck, $bad with errors or leaks"
[ "$n" -gt 0 ] && [ "$bad" -eq 0 ]
