"""The reports in a real browser: headless Chromium (the system's package), driven over the DevTools
protocol on a pipe (``--remote-debugging-pipe``; no extra Python package). Each report is opened from
a file with the network cut off; the test asserts no console error, no exception, no request
leaving the file, and that the key sections are visible on screen and in print. Screenshots go to
tests/screenshots/ for a human to look at (COACH_DOCS_SCREENSHOTS=1 also refreshes docs/screenshots/).
Skips cleanly when no Chromium is installed (`.ci/run` installs it with apt).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from render_samples import sample_report

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "tests" / "screenshots"
DOCS_SHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (apt-get install chromium)")
pytest.importorskip("jinja2")
pytest.importorskip("matplotlib")


class Browser:
    """A headless Chromium spoken to over the DevTools protocol on fds 3 (commands) and 4 (replies)."""

    def __init__(self, profile: str) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def fds() -> None:  # in the child: the pipe ends on the fds Chromium expects
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_chrome_r, from_chrome_w)]
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        self.proc = subprocess.Popen(
            [
                CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
                "--host-resolver-rules=MAP * ~NOTFOUND",  # nothing may leave the machine
                f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank",
            ],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=fds, pass_fds=(3, 4),  # set up by ``fds`` in the child, then kept open
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._next = 0
        self.events: list[dict] = []

    def _read(self) -> dict:
        while b"\0" not in self._buffer:
            chunk = os.read(self._from_chrome, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, session: str | None = None, **params) -> dict:
        self._next += 1
        ident = self._next
        message = {"id": ident, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == ident:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, session: str) -> dict:
        for i, event in enumerate(self.events):
            if event.get("method") == method and event.get("sessionId") == session:
                return self.events.pop(i)
        while True:
            event = self._read()
            if event.get("method") == method and event.get("sessionId") == session:
                return event
            self.events.append(event)

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, OSError):
            self.send("Browser.close")
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_chrome)
        os.close(self._from_chrome)


@pytest.fixture(scope="module")
def browser():
    with tempfile.TemporaryDirectory() as profile:
        b = Browser(profile)
        try:
            yield b
        finally:
            b.close()


VISIBLE = """(ids => ids.map(id => {
  const el = document.getElementById(id);
  if (!el) return [id, false];
  const r = el.getBoundingClientRect(), s = getComputedStyle(el);
  return [id, r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'];
}))(%s)"""


def open_page(browser: Browser, path: Path, sections: list[str], shot: str, *, width: int = 1280, docs: bool = True) -> dict:
    """Load ``path``; return what went wrong (console errors, exceptions, requests) and what is visible."""
    target = browser.send("Target.createTarget", url="about:blank")["targetId"]
    session = browser.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network"):
        browser.send(f"{domain}.enable", session)
    browser.send("Emulation.setDeviceMetricsOverride", session, width=width, height=900, deviceScaleFactor=1, mobile=False)
    browser.send("Page.navigate", session, url=path.as_uri())
    browser.wait_for("Page.loadEventFired", session)
    out: dict = {"visible": {}, "print_visible": {}}
    expression = VISIBLE % json.dumps(sections)
    out["visible"] = dict(browser.send("Runtime.evaluate", session, expression=expression, returnByValue=True)["result"]["value"])
    out["scripts"] = browser.send("Runtime.evaluate", session, expression="document.scripts.length", returnByValue=True)["result"]["value"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    top = browser.send("Page.captureScreenshot", session, format="png")
    (SHOTS / f"{shot}.png").write_bytes(base64.b64decode(top["data"]))
    full = browser.send("Page.captureScreenshot", session, format="png", captureBeyondViewport=True)
    (SHOTS / f"{shot}_full.png").write_bytes(base64.b64decode(full["data"]))
    if docs and os.environ.get("COACH_DOCS_SCREENSHOTS"):
        DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
        (DOCS_SHOTS / f"{shot}.png").write_bytes(base64.b64decode(top["data"]))
    browser.send("Emulation.setEmulatedMedia", session, media="print")
    out["print_visible"] = dict(browser.send("Runtime.evaluate", session, expression=expression, returnByValue=True)["result"]["value"])
    pdf = browser.send("Page.printToPDF", session, printBackground=True)
    out["pdf_bytes"] = len(base64.b64decode(pdf["data"]))
    browser.send("Target.closeTarget", targetId=target)
    mine = [e for e in browser.events if e.get("sessionId") == session]
    browser.events = [e for e in browser.events if e.get("sessionId") != session]
    out["errors"] = [
        e["params"] for e in mine
        if e["method"] == "Runtime.exceptionThrown"
        or (e["method"] == "Runtime.consoleAPICalled" and e["params"]["type"] in ("error", "assert"))
        or (e["method"] == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")
    ]
    out["requests"] = [
        e["params"]["request"]["url"] for e in mine
        if e["method"] == "Network.requestWillBeSent" and not e["params"]["request"]["url"].startswith(("file:", "data:", "about:"))
    ]
    return out


# Untrusted text that would log a console error (or fetch) if it ever ran or loaded.
PAYLOAD = "It broke <img src=x onerror=\"console.error('xss')\"><script>console.error('xss')</script> \u202eevil"


def test_browser_call_report(browser, tmp_path):
    from coach.render.html import call_html

    path = tmp_path / "call.html"
    path.write_text(call_html(sample_report(customer=PAYLOAD), source="examples/router.json"), encoding="utf-8")
    sections = ["glance", "stages", "timeline", "transcript", "clarity", "stats", "turn-1"]
    seen = open_page(browser, path, sections, "call_report")
    assert seen["errors"] == [] and seen["requests"] == [] and seen["scripts"] == 0
    assert seen["visible"] == dict.fromkeys(sections, True)
    assert seen["print_visible"] == dict.fromkeys(sections, True)
    assert seen["pdf_bytes"] > 10_000


def test_browser_agent_report(browser, tmp_path):
    from coach.render.aggregate import from_reports
    from coach.render.html import agent_html

    reports = [
        sample_report(id=f"call-{i}", agent="Sam" if i % 2 else "Ann", when=f"2024-05-{3 * i + 1:02d}T10:00:00Z",
                      present=("reassure", "listen", "fix", "confirm")[: 1 + i % 4], customer=PAYLOAD if i == 2 else
                      "My router keeps dropping the connection every evening and I work from home.")
        for i in range(8)
    ]
    path = tmp_path / "agent.html"
    path.write_text(agent_html(from_reports(reports)), encoding="utf-8")
    sections = ["actions", "coverage", "clarity", "jargon", "moments", "agents", "calls"]
    seen = open_page(browser, path, sections, "agent_report")
    assert seen["errors"] == [] and seen["requests"] == [] and seen["scripts"] == 0
    assert seen["visible"] == dict.fromkeys(sections, True)
    assert seen["print_visible"] == dict.fromkeys(sections, True)


def test_browser_harness_sees_errors_and_requests(browser, tmp_path):
    # the checks above can fail: a page that logs an error and fetches something is caught
    path = tmp_path / "broken.html"
    path.write_text(
        "<!DOCTYPE html><html><body><p id=x>x</p><img src='https://example.invalid/a.png'>"
        "<script>console.error('boom'); undefinedFunction();</script></body></html>",
        encoding="utf-8",
    )
    seen = open_page(browser, path, ["x", "missing"], "harness_check", docs=False)
    assert seen["visible"] == {"x": True, "missing": False}
    assert len(seen["errors"]) >= 2
    assert seen["requests"] == ["https://example.invalid/a.png"]
