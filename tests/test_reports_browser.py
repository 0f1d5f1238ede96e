"""The reports in a real browser: headless Chromium opens the index and an
influencer page, and the test checks that the script payloads in post text
stayed text, that the console stayed clean under the pages'
Content-Security-Policy, that the sortable table works, and saves
screenshots.

Chromium is driven over the DevTools protocol on a pipe
(`--remote-debugging-pipe`: JSON messages separated by NUL bytes on file
descriptors 3 and 4), so no WebSocket client or network port is needed.

Set CLEARLABEL_SCREENSHOTS=DIR to also copy the screenshots there (the
README's pictures in docs/screenshots come from this test).
"""
from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from test_history_reports import history_report
from test_reports import XSS_TITLE, load_results, page_of

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
TIMEOUT = 60.0


def find_browser() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed, and CI must run the browser test (apt-get install chromium)")
    pytest.skip("chromium is not installed (apt-get install chromium); CI installs it and runs this test")


class DevTools:
    """A Chromium process and a synchronous DevTools session over its pipe."""

    def __init__(self, binary: str, profile: Path) -> None:
        commands_read, self._commands = os.pipe()
        self._replies, replies_write = os.pipe()

        def wire_fds() -> None:         # runs in the child, before exec
            os.dup2(commands_read, 3)
            os.dup2(replies_write, 4)

        self.process = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-extensions", "--mute-audio", "--hide-scrollbars", f"--user-data-dir={profile}",
             "--remote-debugging-pipe", "--window-size=1280,900", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=wire_fds, close_fds=False,
        )
        os.close(commands_read)
        os.close(replies_write)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []
        self.session: str | None = None

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no answer from chromium")
            ready, _, _ = select.select([self._replies], [], [], remaining)
            if ready:
                chunk = os.read(self._replies, 1 << 20)
                if not chunk:
                    raise ConnectionError("chromium closed the DevTools pipe")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, params: dict | None = None, *, browser: bool = False) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if not browser and self.session:
            message["sessionId"] = self.session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str) -> dict:
        deadline = time.monotonic() + TIMEOUT
        for index, event in enumerate(self.events):
            if event.get("method") == method:
                return self.events.pop(index)
        while True:
            event = self._read_message(deadline)
            if event.get("method") == method:
                return event
            self.events.append(event)

    def open_page(self) -> None:
        targets = self.send("Target.getTargets", browser=True)["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self.session = self.send("Target.attachToTarget", {"targetId": page["targetId"], "flatten": True},
                                 browser=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable")

    def navigate(self, url: str) -> None:
        self.events.clear()
        self.send("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired")
        self.evaluate("new Promise(done => requestAnimationFrame(() => setTimeout(done, 50)))")

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def problems(self) -> list[str]:
        """Console errors and warnings, uncaught exceptions, CSP violations, dialogs."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(f"uncaught: {params['exceptionDetails'].get('text')}")
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
                found.append(f"console.{params['type']}: {params.get('args')}")
            elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
                found.append(f"log {params['entry']['source']}: {params['entry']['text']}")
            elif method == "Page.javascriptDialogOpening":
                found.append(f"dialog: {params.get('message')}")
        return found

    def screenshot(self, path: Path, max_height: int = 4000) -> None:
        size = self.send("Page.getLayoutMetrics")["cssContentSize"]
        height = min(int(size["height"]) + 1, max_height)
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": 1280, "height": height, "deviceScaleFactor": 1, "mobile": False})
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        path.write_bytes(base64.b64decode(data))
        self.send("Emulation.clearDeviceMetricsOverride")

    def close(self) -> None:
        try:
            self.send("Browser.close", browser=True)
        except (ConnectionError, TimeoutError, RuntimeError, OSError):
            pass
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._commands)
        os.close(self._replies)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    devtools = DevTools(find_browser(), tmp_path_factory.mktemp("profile"))
    try:
        devtools.open_page()
        yield devtools
    finally:
        devtools.close()


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The fixture audit as a second recorded run, so pages show what changed."""
    where = tmp_path_factory.mktemp("report")
    return history_report(where / "out", where / "history.sqlite3")


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


def keep(shot: Path) -> None:
    target = os.environ.get("CLEARLABEL_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(target) / shot.name)


def assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000


def test_the_harness_sees_a_policy_violation(browser, tmp_path):
    """Negative control: a blocked inline script must show up as a problem,
    or a clean console below would prove nothing."""
    page = tmp_path / "blocked.html"
    page.write_text('<!DOCTYPE html><meta http-equiv="Content-Security-Policy" content="default-src \'none\'">'
                    "<title>control</title><script>document.title='ran'</script>", encoding="utf-8")
    browser.navigate(page.as_uri())
    assert browser.evaluate("document.title") == "control"
    assert any("Content Security Policy" in problem for problem in browser.problems())


def test_index_in_chromium(browser, report, shots):
    browser.navigate(report.index_html.as_uri())
    assert browser.problems() == []
    assert browser.evaluate("document.title") == "All influencers · clearlabel audit"
    # The sort script ran under the policy and the table sorts.
    assert browser.evaluate("document.querySelector('#influencers').hasAttribute('data-sort-ready')")
    order = """[...document.querySelectorAll('#influencers tbody tr td:first-child')].map(td => td.textContent)"""
    before = browser.evaluate(order)
    browser.evaluate("document.querySelectorAll('#influencers thead th button')[0].click()")
    assert browser.evaluate(order) == sorted(before, key=str.lower)
    assert browser.evaluate("document.querySelector('#influencers thead th').getAttribute('aria-sort')") \
        == "ascending"
    browser.evaluate("document.querySelectorAll('#influencers thead th button')[3].click()")  # Posts
    posts = browser.evaluate(
        "[...document.querySelectorAll('#influencers tbody tr td:nth-child(4)')].map(td => +td.textContent)")
    assert posts == sorted(posts, reverse=True)
    assert browser.problems() == []
    browser.navigate(report.index_html.as_uri())        # unsorted again: repeat cases first
    shot = shots / "index.png"
    browser.screenshot(shot)
    assert_png(shot)
    keep(shot)


def test_flagged_posts_filter_in_chromium(browser, report):
    browser.navigate(report.index_html.as_uri())
    assert browser.evaluate("document.querySelector('.filters').hidden") is False     # the script showed them
    visible = "[...document.querySelectorAll('#flagged tbody tr')].filter(r => !r.hidden).map(r => r.cells[2].textContent)"
    assert len(browser.evaluate(visible)) == 5
    choose = """(name, value) => {{ const s = document.querySelector('select[data-filter="' + name + '"]');
        s.value = value; s.dispatchEvent(new Event('change')); }}"""
    browser.evaluate(f"({choose})('markets', 'DE')")
    assert browser.evaluate(visible) == ["yt-3001"]
    assert browser.evaluate("document.querySelector('.filters output').textContent") == "Showing 1 of 5 posts"
    browser.evaluate(f"({choose})('markets', '')")
    browser.evaluate(f"({choose})('brands', '@glowbrand')")
    assert "ig-1001" in browser.evaluate(visible)
    assert browser.evaluate("[...document.querySelectorAll('#flagged tbody tr')].filter(r => !r.hidden)"
                            ".every(r => r.dataset.brands.split('|').includes('@glowbrand'))")
    browser.evaluate(f"({choose})('platform', 'youtube')")
    assert browser.evaluate(visible) == []
    assert browser.problems() == []


def test_influencer_page_in_chromium(browser, report, shots):
    browser.navigate(page_of(report, "@maya.moves").as_uri())
    assert browser.problems() == []
    assert browser.evaluate("document.title") == "@maya.moves · clearlabel audit"
    assert XSS_TITLE not in browser.evaluate("document.title")
    assert browser.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert browser.evaluate("document.scripts.length") == 1
    assert browser.evaluate("[...document.querySelectorAll('*')].some(e => "
                            "[...e.attributes].some(a => a.name.startsWith('on')))") is False
    shown = browser.evaluate("document.getElementById('post-ig-1002').querySelector('.post-text').innerText")
    assert f"<script>{XSS_TITLE}</script>" in shown
    hrefs = browser.evaluate("[...document.links].map(a => a.href)")
    assert not [href for href in hrefs if href.lower().startswith("javascript:")]
    marks = browser.evaluate("[...document.querySelectorAll('#post-ig-1001 mark')].map(m => m.textContent)")
    assert "MAYA15" in marks
    # Marks differ by more than colour: evidence, labels and findings are underlined differently.
    decoration = browser.evaluate("""(() => {
        const style = s => getComputedStyle(document.querySelector(s));
        return [style('#post-ig-1002 mark.hl-label').borderBottomStyle,
                style('#post-ig-1001 mark.hl-finding').textDecorationStyle];
    })()""")
    assert decoration == ["double", "wavy"]
    assert browser.evaluate("document.querySelectorAll('#trend-chart-t').length") == 1
    shot = shots / "influencer.png"
    browser.screenshot(shot)
    assert_png(shot)
    keep(shot)
    pdf = browser.send("Page.printToPDF", {"printBackground": True})["data"]
    assert base64.b64decode(pdf).startswith(b"%PDF")
    assert browser.problems() == []


def test_every_page_loads_cleanly(browser, report):
    for item in report.influencers:
        browser.navigate(item.html.as_uri())
        assert browser.problems() == [], item.handle
        assert browser.evaluate("document.querySelector('h1').firstChild.textContent.trim()") == item.handle
    assert len(report.influencers) == len({r.post.author for r in load_results()})
