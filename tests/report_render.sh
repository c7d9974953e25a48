#!/bin/sh
# report_render.sh REPORT.html - renders the HTML report in headless
# Chromium and checks that the browser laid out its three SVG charts.
#
# The report itself has no script.  A copy of it gets one, appended here,
# that asks the browser for each chart's laid-out box and bars and writes
# the answer into the DOM, which --dump-dom prints.  Nothing is kept: the
# copy, the DOM and the browser profile live in a temporary folder.
#
# Exit status: 0 rendered and checked, 1 failed, 77 skipped (no Chromium;
# TINBAO_REQUIRE_BROWSER=1, as CI sets it, turns that into a failure).
set -u

html=${1:?usage: report_render.sh REPORT.html}
browser=""
for b in chromium chromium-browser google-chrome; do
	if command -v "$b" >/dev/null 2>&1; then
		browser=$b
		break
	fi
done
if [ -z "$browser" ]; then
	if [ "${TINBAO_REQUIRE_BROWSER:-0}" = 1 ]; then
		echo "report_render: no Chromium, and TINBAO_REQUIRE_BROWSER=1" >&2
		exit 1
	fi
	echo "report_render: skipped: no Chromium (sh contrib/install-deps.sh --browser)" >&2
	exit 77
fi

tmp=$(mktemp -d /tmp/tinbao-render-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

probe='<script>
var out = [];
["chart-plan", "chart-communes", "chart-employment"].forEach(function (id) {
	var s = document.getElementById(id), b = s && s.getBBox ? s.getBBox() : null;
	out.push(id + ":" + (s instanceof SVGSVGElement) + ":" +
		(b ? Math.round(b.width) + "x" + Math.round(b.height) : "0x0") + ":" +
		(s ? s.querySelectorAll("rect").length : 0));
});
document.body.setAttribute("data-render", out.join(" "));
</script>'
sed 's|</body>||' "$html" >"$tmp/report.html" || exit 1
printf '%s\n</body>\n' "$probe" >>"$tmp/report.html"

timeout 90 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
	--disable-quic --no-first-run --disable-background-networking \
	--disable-component-update --disable-sync --user-data-dir="$tmp/profile" \
	--dump-dom "file://$tmp/report.html" >"$tmp/dom.html" 2>"$tmp/browser.log"
rc=$?
if [ $rc -ne 0 ]; then
	echo "report_render: $browser failed (status $rc)" >&2
	tail -5 "$tmp/browser.log" >&2
	exit 1
fi

status=0
fail() {
	echo "report_render: $*" >&2
	status=1
}

render=$(sed -n 's/.*data-render="\([^"]*\)".*/\1/p' "$tmp/dom.html" | head -1)
[ -n "$render" ] || fail "the browser did not run the probe"
for chart in $render; do
	# id:is-svg:WxH:rects
	id=${chart%%:*}
	rest=${chart#*:}
	svg=${rest%%:*}
	rest=${rest#*:}
	size=${rest%%:*}
	rects=${rest#*:}
	w=${size%x*}
	h=${size#*x}
	[ "$svg" = true ] || fail "$id is not an SVG element in the DOM"
	[ "$w" -gt 100 ] && [ "$h" -gt 20 ] || fail "$id laid out as ${w}x${h}"
	[ "$rects" -gt 0 ] || fail "$id has no bars"
done
for label in "Số học viên ghi danh theo xã" "Tỷ lệ có việc làm sau đào tạo theo nghề" \
	"Mục tiêu 80%" "Kế hoạch 600–800" "Học viên lũy kế năm"; do
	grep -qF "$label" "$tmp/dom.html" || fail "no label \"$label\""
done
[ $status -eq 0 ] && echo "report_render: $browser rendered the charts: $render"
exit $status
