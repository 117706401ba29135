"""The blind-test page in a real headless Chromium (Debian's `chromium` and `chromium-driver`, driven by Selenium).

The browser is installed with apt-get when it is missing and the tests run as root; they skip,
saying why, only where that is impossible. Selenium uses the system chromedriver and never
downloads one (SE_OFFLINE=1, explicit driver path).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from chatclone.blindtest import BlindTest, answers_path
from chatclone.serving.blindtest_app import create_app
from live_server import LiveServer

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed: pip install -e '.[test]'")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
RUN = "run-1"
HOSTILE = '<img src=x onerror="window.pwned = 1"><b>bold</b>'
ITEMS = [
    {"id": "pizza", "messages": [{"role": "system", "content": "You are Mika."},
                                 {"role": "user", "content": f"Yuki: {HOSTILE} pineapple on pizza, yes or no?"}],
     "real": "YES and i will die on this hill", "tuned": "no thats a crime against italy", "base": "As an AI..."},
    {"id": "stream", "messages": [{"role": "user", "content": "Ren: when is the next stream?"},
                                  {"role": "assistant", "content": "soon™"},
                                  {"role": "user", "content": f"Ren: {HOSTILE} soon when??"}],
     "real": "friday 8pm probably!!", "tuned": "maybe tomorrow if my throat is ok", "base": "I cannot say."},
]


def _apt_install() -> str | None:
    """Install chromium and chromium-driver with apt-get; return why that was impossible, or None."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "Chromium is not installed and the tests do not run as root to apt-get install chromium chromium-driver"
    if shutil.which("apt-get") is None:
        return "Chromium is not installed and there is no apt-get to install chromium chromium-driver with"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", "chromium", "chromium-driver"]
    try:
        proc = subprocess.run(install, env=env, capture_output=True, text=True, timeout=900)
        if proc.returncode != 0:  # stale or missing package lists: refresh them once
            subprocess.run(["apt-get", "update"], env=env, capture_output=True, text=True, timeout=600)
            proc = subprocess.run(install, env=env, capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"apt-get install chromium chromium-driver failed: {e}"
    if proc.returncode != 0:
        last = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        return f"apt-get install chromium chromium-driver failed: {last[0]}"
    return None


@pytest.fixture(scope="session")
def chromium() -> tuple[Path, Path]:
    """The paths of Debian's chromium and chromedriver, installed first where missing."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        reason = _apt_install()
        if reason:
            pytest.skip(reason)
        if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
            pytest.skip(f"apt-get installed chromium but {CHROMIUM} or {CHROMEDRIVER} is still missing")
    return CHROMIUM, CHROMEDRIVER


@pytest.fixture
def browser(chromium, tmp_path, monkeypatch):
    """A headless Chromium with a fresh profile, driven through the system chromedriver."""
    monkeypatch.setenv("SE_OFFLINE", "1")  # never let selenium-manager fetch a driver or browser
    binary, driver_path = chromium
    options = webdriver.ChromeOptions()
    options.binary_location = str(binary)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(driver_path), log_output=str(tmp_path / "chromedriver.log")))
    yield driver
    driver.quit()


@pytest.fixture
def server(tmp_path):
    path = tmp_path / "reports" / "eval" / RUN / "replies.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text("".join(json.dumps(item) + "\n" for item in ITEMS), encoding="utf-8")
    with LiveServer(create_app(BlindTest(tmp_path, RUN), "Mika")) as live:
        live.root = tmp_path
        yield live


def answers(root: Path) -> list[dict]:
    path = answers_path(root)
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def shown(driver) -> tuple[dict, list]:
    """The item the page shows now (found by its reply texts) and its two reply buttons."""
    buttons = driver.find_elements(By.CSS_SELECTOR, "#choices button")
    texts = {b.text for b in buttons}
    item = next(it for it in ITEMS if texts == {it["real"], it["tuned"]})
    return item, buttons


def test_clicking_a_reply_stores_the_answer_and_updates_the_score(browser, server):
    wait = WebDriverWait(browser, 30)
    browser.get(server.url + "/")
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#choices button")) == 2)
    assert "You guessed right 0 of 0; everyone so far: no answers yet" in browser.find_element(By.ID, "score").text

    first, buttons = shown(browser)
    context = browser.find_element(By.ID, "context")
    assert first["messages"][-1]["content"] in context.text  # the prompt, markup shown as text
    assert browser.find_elements(By.CSS_SELECTOR, "#context b, #context img") == []
    assert browser.execute_script("return window.pwned") is None
    assert "Mika" in context.text or "others" in context.text

    next(b for b in buttons if b.text == first["real"]).click()
    wait.until(lambda d: len(answers(server.root)) == 1)
    assert answers(server.root)[0] | {"at": None, "session": None} == {
        "run": RUN, "item_id": first["id"], "guessed_real": True, "at": None, "session": None}
    wait.until(lambda d: "You guessed right 1 of 1; everyone so far: 100% of 1" in d.find_element(By.ID, "score").text)
    assert "last pick was right" in browser.find_element(By.ID, "feedback").text

    wait.until(lambda d: "(2 of 2)" in d.find_element(By.ID, "progress").text)
    second, buttons = shown(browser)
    assert second["id"] != first["id"]
    next(b for b in buttons if b.text == second["tuned"]).click()
    wait.until(lambda d: len(answers(server.root)) == 2)
    assert answers(server.root)[1]["item_id"] == second["id"] and answers(server.root)[1]["guessed_real"] is False
    wait.until(lambda d: "You guessed right 1 of 2; everyone so far: 50% of 2" in d.find_element(By.ID, "score").text)
    wait.until(lambda d: d.find_element(By.ID, "done").is_displayed())
    assert not browser.find_element(By.ID, "item").is_displayed()


def test_a_reload_keeps_the_session_and_its_score(browser, server):
    wait = WebDriverWait(browser, 30)
    browser.get(server.url + "/")
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#choices button")) == 2)
    first, buttons = shown(browser)
    buttons[0].click()
    wait.until(lambda d: len(answers(server.root)) == 1)
    browser.get(server.url + "/")
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#choices button")) == 2)
    assert shown(browser)[0]["id"] != first["id"]
    assert "of 1;" in browser.find_element(By.ID, "score").text
    assert {a["session"] for a in answers(server.root)} == {browser.get_cookie("chatclone_blindtest")["value"]}
