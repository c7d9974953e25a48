#!/bin/sh
# Installs the Debian packages tinbao needs to build, run and test
# (clang with libclang-rt-dev: libFuzzer and the sanitizers, which clang
# only recommends; valgrind: `make valgrind`).
# Run as root (or through sudo) on Debian 12 or later.
#
#   --browser   also Chromium, with which the tests render the HTML report
#               (CI passes it; `make` and `make run` do not need it)
set -eu

# BUILD: to compile; RUNTIME: to run the gateway; TEST: `make check`
# (openpyxl reads the report's workbook back, poppler's pdfinfo, pdftotext
# and pdftoppm look at its PDF); BROWSER: renders and prints the HTML report.
BUILD="build-essential pkg-config libgammu-dev libsqlite3-dev libconfig-dev \
libcurl4-openssl-dev libxlsxwriter-dev"
RUNTIME="gammu sqlite3 libxlsxwriter4"
TEST="libcmocka-dev clang libclang-rt-dev valgrind python3 python3-openpyxl poppler-utils \
fonts-liberation"
BROWSER="chromium"
PKGS="$BUILD $RUNTIME $TEST"
for arg in "$@"; do
	case "$arg" in
	--browser) PKGS="$PKGS $BROWSER" ;;
	*)
		echo "usage: install-deps.sh [--browser]" >&2
		exit 2
		;;
	esac
done

if [ "$(id -u)" != 0 ]; then
	echo "install-deps.sh: must run as root: sudo sh $0" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "install-deps.sh: all packages present"
	exit 0
fi
echo "install-deps.sh: installing$missing"
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
