#!/bin/sh
# Installs the Debian packages tinbao needs, by what they are for.
# Run as root (or through sudo) on Debian 12 or later.
#
#   (no option)  to build ./tinbao: the compiler and the -dev packages of
#                libgammu, SQLite, libconfig, libcurl, libxlsxwriter,
#                libmicrohttpd and libargon2 (`make`, `make run`)
#   --runtime    only what the built binary needs to run (the office PC,
#                when tinbao is installed from source: `make install`)
#   --test       also the test and fuzz tools: cmocka, python3 (the district
#                server fixture), clang with libclang-rt-dev (libFuzzer, the
#                sanitizers), valgrind, gammu, gammu-smsd with libdbi's sqlite3
#                driver (the import test) (`make check`, `make fuzz`)
#   --browser    also Chromium, with which the tests render the HTML report,
#                and Selenium with chromedriver, which drive the web console
#   --package    also debhelper, lintian and mandoc (the Debian package and
#                the man pages' lint)
#
# The Debian package (debian/) depends on the runtime set only: building or
# running tinbao never pulls the test and fuzz tools onto the office PC.
set -eu

# BUILD: to compile; RUNTIME: what the built binary needs (libcurl,
# libxlsxwriter and libmicrohttpd too, though ldd does not list them: the
# binary opens them when it first pushes, writes a workbook or serves the
# web console); TEST: `make
# check` and `make fuzz` (openssl makes the web console's test certificates,
# openpyxl reads the report's workbook back,
# poppler's pdfinfo, pdftotext and pdftoppm look at its PDF, the Liberation
# fonts stand in for Times New Roman); BROWSER: renders and prints the HTML
# report, drives the web console; PACKAGE: the Debian package and the man pages' lint.
RUNTIME="libgammu8 libsqlite3-0 libconfig9 libcurl3-gnutls libxlsxwriter4 libminizip1 \
libmicrohttpd12 libargon2-1"
BUILD="build-essential pkg-config libgammu-dev libsqlite3-dev libconfig-dev libcurl4-gnutls-dev \
libxlsxwriter-dev libmicrohttpd-dev libargon2-dev"
TEST="libcmocka-dev python3 openssl sqlite3 gammu gammu-smsd libdbd-sqlite3 clang libclang-rt-dev valgrind \
python3-openpyxl poppler-utils fonts-liberation fonts-liberation2"
BROWSER="chromium chromium-driver python3-selenium"
PACKAGE="debhelper fakeroot lintian mandoc"

PKGS="$BUILD"
for arg in "$@"; do
	case "$arg" in
	--runtime) PKGS="$RUNTIME" ;;
	--test) PKGS="$PKGS $TEST" ;;
	--browser) PKGS="$PKGS $BROWSER" ;;
	--package) PKGS="$PKGS $PACKAGE" ;;
	*)
		echo "usage: install-deps.sh [--runtime | [--test] [--browser] [--package]]" >&2
		exit 2
		;;
	esac
done

if [ "$(id -u)" != 0 ]; then
	echo "install-deps.sh: must run as root: sudo sh $0 $*" >&2
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
