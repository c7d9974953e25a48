#!/usr/bin/env python3
"""web_browser.py URL USER PASSWORD DATABASE - drives the web console of a
running `tinbao web` (tests/test_web.c starts it) in real headless Chromium
through Selenium: a wrong password is refused, the right one logs in, the
SMS with <script> in it shows as text (no script runs) with its reply, the
logout button ends the session.

Exit status: 0 passed, 1 failed, 77 skipped (no python3-selenium, chromium
or chromium-driver; TINBAO_REQUIRE_BROWSER=1, as CI sets it, turns that
into a failure)."""
import os
import shutil
import sys

from webtest import check, done, replies

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
    d.find_element(By.CSS_SELECTOR, "form[action='/logout'] button").click()
    wait_for(d, "logout", lambda d: d.current_url.endswith("/login"))
    d.get(url + "/")
    check(d.current_url.endswith("/login"), "the session outlived the logout")
finally:
    d.quit()
done()
