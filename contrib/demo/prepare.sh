#!/bin/sh
# Prepares the embedded demo under VAR: a gammu dummy phone (a folder of SMS
# files), a gammurc for it, a configuration derived from contrib/tinbao.conf,
# and, for a new demo, the messages of contrib/demo/messages.txt in the
# phone's inbox.  Usage: prepare.sh VAR TINBAO
set -eu
var=$1
tinbao=$2
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

mkdir -p "$var/phone"
cat >"$var/gammurc" <<EOR
# The demo phone: gammu's dummy driver keeps SMS as files in a folder.
[gammu]
model = dummy
connection = none
device = $var/phone
EOR
# The real default, with the demo's paths (relative to var/), a quick scan,
# and no operator's sending limit to respect (the dummy phone has none): the
# demo's replies all go out in its first seconds instead of 6 a minute.
sed -e 's|^database = .*|database = "tinbao.db";|' \
    -e 's|^\([[:space:]]*\)rc = .*|\1rc = "gammurc";|' \
    -e 's|^\([[:space:]]*\)poll_interval = .*|\1poll_interval = 1;|' \
    -e 's|^\([[:space:]]*\)rate = .*|\1rate = 100;|' \
    -e 's|^\([[:space:]]*\)dir = .*|\1dir = "backup";|' \
    "$top/contrib/tinbao.conf" >"$var/tinbao.conf"
# The gateway refuses to run as root without a user to become: the demo,
# prepared by root, stays root on purpose (a real install sets user =
# "tinbao", or runs contrib/tinbao.service).
if [ "$(id -u)" = 0 ]; then
	printf '\n# The demo was prepared by root and runs as root.\nuser = "root";\n' >>"$var/tinbao.conf"
fi
chmod 600 "$var/tinbao.conf" "$var/gammurc"
"$tinbao" -c "$var/tinbao.conf" check-config >/dev/null

if [ -e "$var/tinbao.db" ]; then
	echo "demo: $var/tinbao.db exists; not adding the demo messages again (rm -rf var to start over)"
else
	# SMSC times in the plan year, one hour apart, so that periods make sense.
	at=1646100000 # 2022-03-01 09:00 +07:00
	n=0
	grep -v '^#' "$here/messages.txt" | grep -v '^$' | while IFS='	' read -r from text; do
		"$tinbao" -c "$var/tinbao.conf" inject --from "$from" --at "$at" "$text" >/dev/null
		at=$((at + 3600))
		n=$((n + 1))
	done
	echo "demo: $(grep -cv '^#\|^$' "$here/messages.txt") messages in the phone's inbox ($var/phone)"
fi
# The registered numbers (tinbao senders); +84912000008 is left out on
# purpose: its SMS wait in `tinbao quarantine` until accepted.
"$tinbao" -c "$var/tinbao.conf" senders import "$here/senders.csv"
cat <<EOM
demo: starting the gateway (Ctrl-C stops it).  In a second terminal, try:
  ./tinbao -c var/tinbao.conf inject --from +84912000001 "ENROL xa Minh Son 35 han"
  ./tinbao -c var/tinbao.conf reports
  ./tinbao -c var/tinbao.conf quarantine
  ./tinbao -c var/tinbao.conf quarantine accept +84912000008
EOM
