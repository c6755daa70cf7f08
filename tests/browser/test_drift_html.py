# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""drift.html of the demo fleet in a real browser (headless Chromium + chromedriver).

Runs the drift playbook on the demo hosts (offline evidence, nothing connects) in
English and Japanese, opens each drift.html from disk as an analyst would and
checks: no console error (a CSP hash that does not match its inline code is one),
the verdict, reason, command line and registrant of each demo host visible
without a click, the filters and card buttons, no horizontal scrolling at laptop
width, a Japanese font stack. Screenshots at desktop (1440) and laptop (1280x800)
widths go to .build/screenshots/; with TASKGUARD_UPDATE_SCREENSHOTS=1 the
desktop ones also replace docs/img/drift-<language>.png.

Skipped (not failed) when chromium, chromedriver or selenium is missing;
`make test` runs it as the `browser` step, .ci/run installs Debian's chromium.
"""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium not installed")
pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="chromium/chromedriver not installed")

from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

SHOTS = os.path.join(ROOT, ".build", "screenshots")
DEMO_HOSTS = ("dc01", "srv01", "adminws01")
# What an analyst must read on the page for each demo host, without opening anything
# (the first card of a compromised or suspicious host starts open).
MUST_SEE = {
    "dc01": ["C:\\Windows\\Temp\\winupd.exe -k netsvcs"],
    "srv01": ["C:\\Windows\\Temp\\svchost.exe"],
    "adminws01": ["\\Microsoft\\Windows\\Diagnosis\\RecommendedTroubleshootingCheck"],
}


def _run_demo(out, language):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, "collections"),
               ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_LOCAL_TEMP=str(out / "tmp"), ANSIBLE_HOME=str(out / "home"))
    cmd = [os.path.join(ROOT, ".venv", "bin", "ansible-playbook"), "-i", "inventories/demo/hosts.yml",
           "playbooks/drift.yml", "-e", "taskguard_report_dir=%s" % (out / "reports"),
           "-e", "taskguard_state_dir=%s" % (out / "state"), "-e", "taskguard_report_language=%s" % language]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return str(out / "reports" / "drift.html")


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    return {lang: _run_demo(tmp_path_factory.mktemp("demo-" + lang), lang) for lang in ("en", "ja")}


@pytest.fixture(scope="module")
def browser():
    options = Options()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--hide-scrollbars", "--force-device-scale-factor=1", "--lang=en-US"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def _open(browser, path, width=1440, height=900):
    browser.set_window_size(width, height)
    browser.get("file://" + path)
    browser.get_log("browser")      # start each page with an empty log
    browser.refresh()
    return browser


def _errors(browser):
    return [e for e in browser.get_log("browser") if e.get("level") in ("SEVERE", "ERROR")]


def _shown_cards(browser):
    return [c for c in browser.find_elements(By.CSS_SELECTOR, "details.card") if c.is_displayed()]


@pytest.mark.parametrize("language", ["en", "ja"])
def test_page_loads_without_console_errors_and_keeps_its_csp(browser, pages, language):
    _open(browser, pages[language])
    assert _errors(browser) == []
    csp = browser.find_element(By.CSS_SELECTOR, 'meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    assert csp.startswith("default-src 'none'") and "sha256-" in csp
    # the script ran (a CSP block would leave the counter unset and log an error)
    assert int(browser.find_element(By.ID, "count").text) == len(browser.find_elements(By.CSS_SELECTOR, "details.card"))
    assert browser.execute_script("return document.documentElement.lang") == language
    assert not browser.find_elements(By.CSS_SELECTOR, "link, img, iframe")


@pytest.mark.parametrize("language", ["en", "ja"])
def test_each_demo_host_shows_verdict_reason_command_and_next_step(browser, pages, language):
    _open(browser, pages[language])
    sections = {s.find_element(By.TAG_NAME, "h2").text.split()[0]: s
                for s in browser.find_elements(By.CSS_SELECTOR, "section.host")}
    assert set(DEMO_HOSTS) <= set(sections)
    fleet_text = " ".join(t.text for t in browser.find_elements(By.CSS_SELECTOR, "table"))
    for host in DEMO_HOSTS:
        section = sections[host]
        verdict = section.find_element(By.CSS_SELECTOR, "h2 .verdict")
        assert verdict.is_displayed() and verdict.text
        reason = section.find_element(By.CSS_SELECTOR, "ul.reasons li")
        assert reason.is_displayed() and len(reason.text) > 10
        assert host in fleet_text
        first = section.find_element(By.CSS_SELECTOR, "details.card")
        assert first.get_attribute("open") is not None                 # worst card starts open
        visible = first.text
        for needle in MUST_SEE[host]:
            assert needle in visible, (host, needle)
        todo = first.find_element(By.CSS_SELECTOR, ".todo ol li")
        assert todo.is_displayed() and todo.text                       # the next step is written
    # the registrant of the modified backup task is on its card
    backup = next(c for c in sections["srv01"].find_elements(By.CSS_SELECTOR, "details.card")
                  if "Nightly Backup" in c.find_element(By.TAG_NAME, "summary").text)
    backup.find_element(By.TAG_NAME, "summary").click()
    assert "CONTOSO\\jdoe" in backup.text
    # command lines read as on Windows: one backslash, never the JSON-escaped double
    assert "C:\\\\Windows" not in browser.find_element(By.TAG_NAME, "main").text.split("JSON")[0]


def test_filters_and_card_buttons(browser, pages):
    _open(browser, pages["en"])
    total = len(_shown_cards(browser))
    count = browser.find_element(By.ID, "count")
    Select(browser.find_element(By.ID, "sev")).select_by_value("4")         # critical only
    critical = _shown_cards(browser)
    assert 0 < len(critical) < total and int(count.text) == len(critical)
    assert all(c.get_attribute("data-rank") == "4" for c in critical)
    Select(browser.find_element(By.ID, "sev")).select_by_value("0")
    Select(browser.find_element(By.ID, "verdict")).select_by_value("suspicious")
    shown = _shown_cards(browser)
    assert shown and all(c.get_attribute("data-verdict") == "suspicious" for c in shown)
    assert not browser.find_element(By.CSS_SELECTOR, 'section.host[data-verdict="compromised"]').is_displayed()
    Select(browser.find_element(By.ID, "verdict")).select_by_value("")
    Select(browser.find_element(By.ID, "kind")).select_by_value("transient")
    shown = _shown_cards(browser)
    assert len(shown) == 1 and "XbKqTnPo" in shown[0].text
    Select(browser.find_element(By.ID, "kind")).select_by_value("")
    search = browser.find_element(By.ID, "q")
    search.send_keys("winupd")
    shown = _shown_cards(browser)
    assert shown and all("winupd" in c.get_attribute("textContent").lower() for c in shown)
    search.clear()
    search.send_keys(" ")      # an input event after clear
    search.clear()
    browser.execute_script("document.getElementById('q').dispatchEvent(new Event('input'))")
    assert len(_shown_cards(browser)) == total
    browser.find_element(By.ID, "expand").click()
    assert all(c.get_attribute("open") is not None for c in _shown_cards(browser))
    browser.find_element(By.ID, "collapse").click()
    assert all(c.get_attribute("open") is None for c in _shown_cards(browser))
    assert _errors(browser) == []


_WIDER_THAN_WINDOW = """var w = window.innerWidth, out = [];
document.querySelectorAll('body *').forEach(function (e) { var r = e.getBoundingClientRect();
  if (r.right > w + 1 && r.width > 0) { out.push(e.tagName + '.' + e.className + ' ' + Math.round(r.right)); } });
var walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT), n;
while ((n = walk.nextNode())) { var range = document.createRange(); range.selectNodeContents(n);
  var b = range.getBoundingClientRect();
  if (b.right > w + 1) { out.push(n.parentNode.tagName + ' text ' + Math.round(b.right) + ' ' + n.textContent.slice(0, 50)); } }
return out.slice(0, 10);"""


@pytest.mark.parametrize("language", ["en", "ja"])
def test_laptop_width_has_no_horizontal_scroll_and_screenshots(browser, pages, language):
    os.makedirs(SHOTS, exist_ok=True)
    _open(browser, pages[language], 1280, 800)
    overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    wide = browser.execute_script(_WIDER_THAN_WINDOW)
    assert overflow <= 0, "page scrolls sideways by %dpx at 1280px: %s" % (overflow, wide)
    assert browser.save_screenshot(os.path.join(SHOTS, "drift-%s-1280x800.png" % language))
    _open(browser, pages[language], 1440, 1600)
    assert browser.save_screenshot(os.path.join(SHOTS, "drift-%s-1440.png" % language))
    if os.environ.get("TASKGUARD_UPDATE_SCREENSHOTS") == "1":
        shutil.copyfile(os.path.join(SHOTS, "drift-%s-1440.png" % language),
                        os.path.join(ROOT, "docs", "img", "drift-%s.png" % language))


def test_japanese_page_names_fonts_for_windows_and_macos(browser, pages):
    _open(browser, pages["ja"])
    family = browser.execute_script("return getComputedStyle(document.body).fontFamily")
    for font in ("Yu Gothic", "Meiryo", "Hiragino Sans", "Noto Sans CJK JP"):
        assert font in family
    text = browser.find_element(By.TAG_NAME, "h1").text
    assert text == "スケジュールタスク監査レポート"
