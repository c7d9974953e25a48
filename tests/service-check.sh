#!/bin/sh
# service-check.sh TINBAO - `systemd-analyze verify` of contrib/tinbao.service,
# with ExecStart pointed at the binary just built; any complaint fails.
set -eu
bin=$(readlink -f "$1")
if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "service-check: systemd-analyze not installed: contrib/tinbao.service not verified"
	exit 0
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sed "s|/usr/local/bin/tinbao|$bin|" contrib/tinbao.service >"$dir/tinbao.service"
out=$(cd "$dir" && systemd-analyze verify --man=no ./tinbao.service 2>&1) || {
	echo "$out"
	echo "service-check: systemd-analyze verify failed"
	exit 1
}
if [ -n "$out" ]; then
	echo "$out"
	echo "service-check: systemd-analyze verify complained"
	exit 1
fi
echo "service-check: contrib/tinbao.service verified by systemd-analyze"
