#!/usr/bin/env python3
"""web_browser.py URL USER PASSWORD DATABASE - drives the web console of a
running `tinbao web` (tests/test_web.c starts it) in real headless Chromium
through Selenium: a wrong password is refused, the right one logs in, the
SMS with <script> in it shows as text (no script runs) with its reply, the
overview draws the report's charts with no external assets, the quarantined
report of 0912000006 is accepted and then shows on the messages page as the
report it became, a registry saved by Excel as "CSV UTF-8" (BOM, ";",
Vietnamese headers, a number that lost its 0, spaces inside another) is
chosen in the registry page's file field, previewed without a change and
imported on confirmation, a POST the page's script sends without the CSRF
token is refused, the xlsx report downloads as a workbook (a zip with
xl/workbook.xml), the logout button ends the session.

Exit status: 0 passed, 1 failed, 77 skipped (no python3-selenium, chromium
or chromium-driver; TINBAO_REQUIRE_BROWSER=1, as CI sets it, turns that
into a failure)."""
import glob
import os
import shutil
import sys
import tempfile
import time
import zipfile

from webtest import check, done, replies, sender_row

url, user, password, database = sys.argv[1:5]


def skip(why):
    if os.environ.get("TINBAO_REQUIRE_BROWSER") == "1":
        print("web_browser: %s, and TINBAO_REQUIRE_BROWSER=1" % why, file=sys.stderr)
        sys.exit(1)
    print("web_browser: skipped: %s (sh contrib/install-deps.sh --browser)" % why,
          file=sys.stderr)
    sys.exit(77)


try:
    from selenium import webdriver
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select
    from selenium.webdriver.support.expected_conditions import staleness_of
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    skip("no python3-selenium")
chromium = shutil.which("chromium") or shutil.which("chromium-browser")
driver_path = shutil.which("chromedriver")
if chromium is None or driver_path is None:
    skip("no chromium or chromedriver")

opts = webdriver.ChromeOptions()
opts.binary_location = chromium
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--no-first-run", "--disable-extensions", "--window-size=412,915"):
    opts.add_argument(a)
downloads = tempfile.mkdtemp(prefix="tinbao-dl.")
opts.add_experimental_option("prefs", {"download.default_directory": downloads,
                                       "download.prompt_for_download": False})

def wait_for(d, what, cond):
    """Waits (bounded) for the page a click loads."""
    try:
        WebDriverWait(d, 15).until(lambda d: cond(d))
    except Exception:
        check(False, "%s: at %s, titled %s" % (what, d.current_url, d.title))


def log_in(d, pw):
    d.find_element(By.ID, "user").clear()
    d.find_element(By.ID, "user").send_keys(user)
    d.find_element(By.ID, "password").send_keys(pw)
    d.find_element(By.ID, "login").click()


def download_xlsx(d):
    """The reports page's form, xlsx chosen: the file Chromium saved."""
    d.get(url + "/reports")
    Select(d.find_element(By.NAME, "format")).select_by_value("xlsx")
    d.find_element(By.CSS_SELECTOR, "form[action='/reports'] button").click()
    for _ in range(150):
        done_files = [f for f in glob.glob(os.path.join(downloads, "*"))
                      if not f.endswith(".crdownload")]
        if done_files:
            return done_files[0]
        time.sleep(0.1)
    return None


def accept_held(d, number):
    """Accepts the quarantined SMS of number on the quarantine page."""
    d.get(url + "/quarantine")
    rows = [r for r in d.find_elements(By.CSS_SELECTOR, "tr[id^='q']") if number in r.text]
    check(len(rows) == 1, "%d quarantined rows of %s" % (len(rows), number))
    if len(rows) != 1:
        return
    row_id = rows[0].get_attribute("id")
    rows[0].find_element(By.CSS_SELECTOR, "button[value='accept']").click()
    wait_for(d, "the accepted SMS left the quarantine",
             lambda d: len(d.find_elements(By.ID, row_id)) == 0)


def import_excel_csv(d):
    """The registry page: an Excel-saved CSV chosen, previewed, imported."""
    fd, path = tempfile.mkstemp(prefix="danh-ba.", suffix=".csv")
    with os.fdopen(fd, "wb") as f:
        f.write(("\ufeffSố điện thoại;Họ tên;Vai trò;Xã\r\n"
                 "912000011;Lò Thị <i>Mai</i>;cán bộ xã;Hữu Liên\r\n"
                 "0912 000 012;Hoàng Văn Nam;huyện;\r\n").encode())
    try:
        d.get(url + "/senders")
        d.find_element(By.CSS_SELECTOR, "#import-form input[type='file']").send_keys(
            path)
        d.find_element(By.CSS_SELECTOR, "#import-form button").click()
        wait_for(d, "the import's preview", lambda d: len(d.find_elements(By.ID, "summary")) == 1)
        preview = d.find_element(By.ID, "import").text
        check("Lò Thị <i>Mai</i>" in preview and "+84912000011" in preview and
              "+84912000012" in preview, "the preview's rows: " + preview)
        check(sender_row(database, "+84912000011") is None, "the preview wrote to the registry")
        d.find_element(By.CSS_SELECTOR, "button[name='confirm']").click()
        wait_for(d, "the import's confirmation", lambda d: d.current_url.endswith("/senders"))
        listed = d.find_element(By.ID, "senders").text
        check("+84912000011" in listed and "Hoàng Văn Nam" in listed,
              "the imported numbers are not listed: " + listed)
        check("imported 2 senders from " in d.find_element(By.ID, "audit").text,
              "the import is not in the page's record of changes")
        check(sender_row(database, "+84912000011") == ("Lò Thị <i>Mai</i>", "officer", "06388", 1)
              and sender_row(database, "+84912000012") == ("Hoàng Văn Nam", "district", None, 1),
              "the imported rows: %s %s" % (sender_row(database, "+84912000011"),
                                            sender_row(database, "+84912000012")))
    finally:
        os.unlink(path)


def post_without_csrf(d, number):
    """The registry page's deactivate form of number, its CSRF token taken
    out of it, submitted: the page this answers."""
    forms = [f for f in d.find_elements(By.CSS_SELECTOR, "form[action='/senders']")
             if f.find_elements(By.CSS_SELECTOR, "input[name='number'][value='%s']" % number)]
    check(len(forms) == 1, "%d deactivate forms of %s" % (len(forms), number))
    if len(forms) != 1:
        return ""
    d.execute_script("arguments[0].querySelector(\"input[name='csrf']\").remove()", forms[0])
    forms[0].find_element(By.CSS_SELECTOR, "button[value='deactivate']").click()
    # The answer is another page: the form of this one gone stale.
    wait_for(d, "the answer to a POST without the token", staleness_of(forms[0]))
    return d.title


texts = replies(database)

d = webdriver.Chrome(service=Service(driver_path), options=opts)
try:
    d.set_page_load_timeout(20)
    d.get(url + "/messages")
    check(d.current_url.endswith("/login"), "no session: not sent to /login: " + d.current_url)
    log_in(d, password + "x")
    wait_for(d, "a wrong password: no error shown",
             lambda d: len(d.find_elements(By.ID, "error")) == 1)
    check(d.current_url.endswith("/login"), "a wrong password logged in")
    log_in(d, password)
    wait_for(d, "the right password", lambda d: "Tổng quan" in d.title)
    for chart in ("chart-communes", "chart-employment"):
        check(len(d.find_elements(By.CSS_SELECTOR, "#charts svg#" + chart)) == 1,
              "the overview has no %s" % chart)
    external = d.find_elements(By.CSS_SELECTOR, "script[src], link[href], img")
    check(len(external) == 0, "the overview loads %d external assets" % len(external))
    d.get(url + "/messages")
    body = d.find_element(By.TAG_NAME, "body").text
    check("<script>alert(1)</script>" in body, "the SMS is not shown as text")
    try:
        d.switch_to.alert
        check(False, "the SMS's script ran")
    except NoAlertPresentException:
        pass
    check(len(texts) > 0, "the test SMS has no reply in the database")
    for t in texts:
        check(" ".join(t.split()) in " ".join(body.split()), "the reply is not shown: " + t)

    accept_held(d, "912000006")
    d.get(url + "/messages?number=0912000006")
    rows = d.find_elements(By.CSS_SELECTOR, "tr[id^='m']")
    check(len(rows) == 1 and "enrol 3 #" in rows[0].text,
          "the accepted report is not counted on the messages page: %s"
          % [r.text for r in rows])

    import_excel_csv(d)
    d.get(url + "/senders")
    title = post_without_csrf(d, "+84912000011")
    check(title.startswith("Yêu cầu bị từ chối"), "a POST without the CSRF token: " + title)
    check((sender_row(database, "+84912000011") or (0, 0, 0, 0))[3] == 1,
          "a POST without the CSRF token changed the registry")

    saved = download_xlsx(d)
    check(saved is not None and saved.endswith(".xlsx"), "no xlsx downloaded: %s" % saved)
    if saved is not None:
        check(zipfile.is_zipfile(saved), "the download is not a zip: " + saved)
        if zipfile.is_zipfile(saved):
            with zipfile.ZipFile(saved) as z:
                check("xl/workbook.xml" in z.namelist(), "the download is not a workbook")

    d.find_element(By.CSS_SELECTOR, "form[action='/logout'] button").click()
    wait_for(d, "logout", lambda d: d.current_url.endswith("/login"))
    d.get(url + "/")
    check(d.current_url.endswith("/login"), "the session outlived the logout")
finally:
    d.quit()
    shutil.rmtree(downloads, ignore_errors=True)
done()
