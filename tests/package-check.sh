#!/bin/sh
# package-check.sh - builds the Debian package from a copy of the working
# tree, checks it with lintian, installs it, checks what an administrator
# relies on (the binary, the man pages, the configuration with its owner and
# mode, the unit, the system user), and purges it.  As root, on a machine
# where installing and removing tinbao is fine (CI).
set -eu
top=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
	echo "package-check: $*" >&2
	exit 1
}

mkdir "$work/tinbao"
git -C "$top" ls-files -z | (cd "$top" && xargs -0 cp -P --parents -t "$work/tinbao")
(cd "$work/tinbao" && dpkg-buildpackage -us -uc -b >"$work/build.log" 2>&1) || {
	tail -40 "$work/build.log"
	fail "dpkg-buildpackage failed"
}
deb=$(ls "$work"/tinbao_*.deb)
echo "package-check: built $(basename "$deb")"
lintian --fail-on error,warning "$work"/tinbao_*.changes || fail "lintian complained"
echo "package-check: lintian: no error, no warning"

# The package must not pull the test and fuzz tools in.
deps=$(dpkg-deb -f "$deb" Depends)
for p in cmocka clang valgrind python3 chromium; do
	case "$deps" in *"$p"*) fail "Depends names $p: $deps" ;; esac
done
# The libraries the binary opens when first used are not found by the
# shared-library scan: the package names them itself.
for p in libcurl3-gnutls libxlsxwriter4 libminizip1 libmicrohttpd12; do
	case "$deps" in *"$p"*) ;; *) fail "Depends does not name $p: $deps" ;; esac
done

dpkg -i "$deb" >"$work/install.log" 2>&1 || {
	cat "$work/install.log"
	fail "dpkg -i failed"
}
tinbao --version | grep -q '^tinbao ' || fail "tinbao --version"
man -w tinbao >/dev/null || fail "man -w tinbao"
man -w tinbao.conf >/dev/null || fail "man -w tinbao.conf"
[ "$(stat -c '%a %U' /etc/tinbao/tinbao.conf)" = "600 tinbao" ] ||
	fail "/etc/tinbao/tinbao.conf: $(stat -c '%a %U' /etc/tinbao/tinbao.conf), not 600 tinbao"
[ -f /lib/systemd/system/tinbao.service ] || fail "no /lib/systemd/system/tinbao.service"
grep -q '^ExecStart=/usr/bin/tinbao ' /lib/systemd/system/tinbao.service ||
	fail "the unit's ExecStart is not /usr/bin/tinbao"
id -nG tinbao | grep -qw dialout || fail "the user tinbao is not in dialout"
# The shipped configuration is valid as the user the unit runs as: with
# its gammurc, the only error is the modem that is not plugged in here;
# with a dummy phone in its place, none.
out=$(cd / && setpriv --reuid tinbao --regid tinbao --init-groups tinbao check-config 2>&1) &&
	fail "check-config accepted a gammurc whose device does not exist"
errors=$(printf '%s\n' "$out" | grep ': error: ' || true)
[ "$(printf '%s\n' "$errors" | grep -c .)" = 1 ] &&
	printf '%s\n' "$errors" | grep -q '^/etc/tinbao/gammurc:[0-9]*: error: device /dev/ttyUSB0' ||
	fail "check-config of the installed configuration: $out"
phone=$(mktemp -d)
chown tinbao:tinbao "$phone"
cp -p /etc/tinbao/gammurc "$work/gammurc.orig"
printf '[gammu]\nmodel = dummy\nconnection = none\ndevice = %s\n' "$phone" >/etc/tinbao/gammurc
(cd / && setpriv --reuid tinbao --regid tinbao --init-groups tinbao check-config) || {
	cp -p "$work/gammurc.orig" /etc/tinbao/gammurc
	rm -rf "$phone"
	fail "check-config of the installed configuration with a dummy phone"
}
cp -p "$work/gammurc.orig" /etc/tinbao/gammurc
rm -rf "$phone"
echo "package-check: installed: binary, man pages, /etc/tinbao/tinbao.conf (600 tinbao), unit, user"

dpkg --purge tinbao >/dev/null 2>&1 || fail "dpkg --purge failed"
[ ! -e /etc/tinbao/tinbao.conf ] || fail "/etc/tinbao/tinbao.conf left after purge"
[ ! -e /usr/bin/tinbao ] || fail "/usr/bin/tinbao left after purge"
echo "package-check: purged"
