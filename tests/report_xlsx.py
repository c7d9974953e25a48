#!/usr/bin/env python3
"""report_xlsx.py REPORT.xlsx - reads the report's workbook back with
openpyxl, cell by cell, and prints its rows of figures one a line:

    commune 06400|10|42|25|21|84|40|3000|1200|40|6|-1
    trade HAN|5|...    cell 06400 HAN|5|...    district|9|...

(-1 for an empty cell; rates as whole percents rounded down), for
tests/test_report.c to compare with the other forms.  On the way it checks
what a reader of the workbook relies on: the four sheets, Vietnamese
headers, codes stored as text, counts as numbers, rates as percentage
cells, frozen header rows, column widths set, a total row under each table.

Exit status: 0, 1 (a check failed; the reason on stderr), 77 (no openpyxl;
TINBAO_REQUIRE_BROWSER=1, as CI sets it, turns that into a failure).
"""
import math
import os
import sys

try:
    import openpyxl
except ImportError:
    if os.environ.get("TINBAO_REQUIRE_BROWSER") == "1":
        print("report_xlsx: no openpyxl (python3-openpyxl), and TINBAO_REQUIRE_BROWSER=1",
              file=sys.stderr)
        sys.exit(1)
    print("report_xlsx: skipped: no openpyxl (sh contrib/install-deps.sh)", file=sys.stderr)
    sys.exit(77)

SHEETS = ["Tổng hợp", "Theo xã", "Theo nghề", "Xã × nghề"]
FIGURES = ["Ghi danh", "Tốt nghiệp", "Có việc làm", "Tỷ lệ việc làm", "Nhu cầu"]
RATES = {"Tỷ lệ việc làm", "Tỷ lệ qua đào tạo"}
errors = []


def fail(msg):
    errors.append(msg)


def value(cell, header):
    """A figure as the other forms show it: -1 when empty."""
    v = cell.value
    if v is None:
        return -1
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        fail(f"{cell.coordinate} ({header}): {v!r} is not a number")
        return -1
    if header in RATES:
        if "%" not in cell.number_format:
            fail(f"{cell.coordinate} ({header}): format {cell.number_format!r}, not a percentage")
        # Whole percents rounded down, as the other forms; the epsilon
        # absorbs the binary fraction (21/25 * 100 = 83.99999...).
        return math.floor(v * 100 + 1e-9)
    if v != int(v):
        fail(f"{cell.coordinate} ({header}): {v!r} is not a whole number")
    return int(v)


def code(cell, what):
    if not isinstance(cell.value, str):
        fail(f"{cell.coordinate}: the {what} code {cell.value!r} is not text")
        return str(cell.value)
    return cell.value


def table(ws, nkeys, ncols):
    headers = [c.value for c in ws[1]]
    if ws.freeze_panes is None or not ws.freeze_panes.endswith("2"):
        fail(f"{ws.title}: the header row is not frozen ({ws.freeze_panes})")
    for i, h in enumerate(headers[nkeys:nkeys + ncols]):
        if h is None:
            fail(f"{ws.title}: no header in column {nkeys + i + 1}")
    widths = [ws.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width
              for i in range(len(headers))]
    if any(w is None or w < 4 for w in widths):
        fail(f"{ws.title}: column widths not set: {widths}")
    rows = list(ws.iter_rows(min_row=2))
    if not rows:
        fail(f"{ws.title}: no rows")
    return headers, rows


def main():
    wb = openpyxl.load_workbook(sys.argv[1])
    if wb.sheetnames != SHEETS:
        fail(f"sheets {wb.sheetnames}, not {SHEETS}")
        return
    out = []
    headers, rows = table(wb["Theo xã"], 2, 10)
    if headers[:4] != ["Mã", "Xã, thị trấn", "Ghi danh", "Tốt nghiệp"]:
        fail(f"Theo xã: headers {headers}")
    for row in rows:
        vals = [value(c, headers[i + 2]) for i, c in enumerate(row[2:12])]
        if row[1].value == "Toàn huyện":
            out.append("district|9|" + "|".join(map(str, vals[:9])))
            continue
        out.append(f"commune {code(row[0], 'commune')}|10|" + "|".join(map(str, vals)))
    if rows and rows[-1][1].value != "Toàn huyện":
        fail("Theo xã: no total row")
    headers, rows = table(wb["Theo nghề"], 3, 5)
    if headers[3:8] != FIGURES:
        fail(f"Theo nghề: headers {headers}")
    for row in rows[:-1]:
        vals = [value(c, headers[i + 3]) for i, c in enumerate(row[3:8])]
        out.append(f"trade {code(row[0], 'trade')}|5|" + "|".join(map(str, vals)))
    if rows and rows[-1][1].value != "Cộng":
        fail("Theo nghề: no total row")
    headers, rows = table(wb["Xã × nghề"], 4, 5)
    for row in rows[:-1]:
        vals = [value(c, headers[i + 4]) for i, c in enumerate(row[4:9])]
        out.append(f"cell {code(row[0], 'commune')} {code(row[2], 'trade')}|5|" +
                   "|".join(map(str, vals)))
    if rows and rows[-1][1].value != "Cộng":
        fail("Xã × nghề: no total row")
    summary = wb["Tổng hợp"]
    if summary["A1"].value != "Chỉ tiêu" or summary.freeze_panes != "A2":
        fail("Tổng hợp: no frozen header row")
    print("\n".join(out))


main()
for e in errors:
    print("report_xlsx: " + e, file=sys.stderr)
sys.exit(1 if errors else 0)
