#!/bin/sh
# report_pdf.sh REPORT.pdf [PAGE1.png] - checks the PDF of the report as
# printed by headless Chromium: A4 pages, more than one, the national title
# and the agency on page 1, "Nơi nhận" and the signature block on the last
# page, the page numbers from page 2; writes page 1 as a PNG when asked
# (poppler-utils: pdfinfo, pdftotext, pdftoppm).
#
# Exit status: 0 checked, 1 failed, 77 skipped (no poppler-utils;
# TINBAO_REQUIRE_BROWSER=1, as CI sets it, turns that into a failure).
set -u

pdf=${1:?usage: report_pdf.sh REPORT.pdf [PAGE1.png]}
png=${2:-}
for tool in pdfinfo pdftotext pdftoppm; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		if [ "${TINBAO_REQUIRE_BROWSER:-0}" = 1 ]; then
			echo "report_pdf: no $tool (poppler-utils), and TINBAO_REQUIRE_BROWSER=1" >&2
			exit 1
		fi
		echo "report_pdf: skipped: no $tool (sh contrib/install-deps.sh)" >&2
		exit 77
	fi
done

status=0
fail() {
	echo "report_pdf: $*" >&2
	status=1
}

info=$(pdfinfo "$pdf") || {
	echo "report_pdf: $pdf is not a PDF" >&2
	exit 1
}
pages=$(echo "$info" | sed -n 's/^Pages: *\([0-9]*\).*/\1/p')
size=$(echo "$info" | sed -n 's/^Page size: *\([0-9.]*\) x \([0-9.]*\) pts.*/\1 \2/p')
# A4 is 595.28 x 841.89 points.
case "$size" in
"595"* | "594.9"*) ;;
*) fail "page size is \"$size\" points, not A4 (595 x 842)" ;;
esac
case "$size" in
*" 841"* | *" 842"*) ;;
*) fail "page height in \"$size\" is not A4's 842 points" ;;
esac
[ "${pages:-0}" -ge 2 ] || fail "$pages page(s); the report's tables take more than one"

first=$(pdftotext -layout -f 1 -l 1 "$pdf" -) || fail "pdftotext failed"
last=$(pdftotext -layout -f "$pages" -l "$pages" "$pdf" -) || fail "pdftotext failed"
second=$(pdftotext -f 2 -l 2 "$pdf" -)
for s in "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" "Độc lập - Tự do - Hạnh phúc" "BÁO CÁO" \
	"UBND HUYỆN HỮU LŨNG" "/BC-LĐTBXH"; do
	echo "$first" | grep -qF "$s" || fail "page 1 has no \"$s\""
done
for s in "Nơi nhận:" "Lưu: VT, LĐTBXH." "KT. TRƯỞNG PHÒNG" "PHÓ TRƯỞNG PHÒNG"; do
	echo "$last" | grep -qF "$s" || fail "the last page ($pages) has no \"$s\""
done
# The page number, alone on the first line of page 2.
echo "$second" | head -3 | grep -qx "2" || fail "page 2 does not start with its number"
# The last table goes on over a page break: its header row is printed
# again on the page where it ends.
page_of() {
	p=1
	while [ $p -le "$pages" ]; do
		pdftotext -f $p -l $p "$pdf" - | grep -qF "$1" && {
			echo $p
			return
		}
		p=$((p + 1))
	done
	echo 0
}
start=$(page_of "Biểu 4.")
end=$(page_of "Trên đây là báo cáo")
if [ "$end" -gt "$start" ]; then
	pdftotext -f "$end" -l "$end" "$pdf" - | grep -qF "Xã, thị trấn" ||
		fail "table 4 goes on on page $end without its header row"
else
	fail "table 4 fits on page $start: no page break to check its header on"
fi

if [ -n "$png" ]; then
	pdftoppm -png -r 100 -f 1 -l 1 -singlefile "$pdf" "${png%.png}" ||
		fail "pdftoppm failed"
fi
[ $status -eq 0 ] && echo "report_pdf: $pages A4 pages ($size pts), header and signature found"
exit $status
