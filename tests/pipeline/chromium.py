"""Open a page in headless Chromium and report what a reader would see: what the page's own
script finds, what it logged, what it tried to fetch, and a full-page screenshot.

Chromium is driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`: JSON
messages ending in NUL, commands on fd 3, replies and events on fd 4), not by scraping
`--dump-dom` or `--enable-logging` output: a protocol event is the browser's own record of
an uncaught exception, a console message or a network request, and one launch answers all
the questions. Protocol reference: https://chromedevtools.github.io/devtools-protocol/
(Target.attachToTarget with flatten, Runtime.exceptionThrown, Runtime.consoleAPICalled,
Log.entryAdded, Network.requestWillBeSent, Page.captureScreenshot).

Launch flags are those for a sandboxed, offline machine (issue 15), with a fresh profile
directory per launch so no state leaks between runs.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = "chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--remote-debugging-pipe",
    "--hide-scrollbars",
    "--window-size=1280,900",
)
_LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:", "chrome-error:")


class BrowserError(RuntimeError):
    """Chromium did not start, answer or finish in time."""


@dataclass
class PageVisit:
    """What one visit to a page produced."""

    result: Any  # the value of the probe expression, as JSON
    exceptions: list[str] = field(default_factory=list)
    console: list[tuple[str, str]] = field(default_factory=list)  # (type, text)
    log_entries: list[tuple[str, str]] = field(default_factory=list)  # (level, text)
    requests: list[str] = field(default_factory=list)
    screenshot: bytes = b""

    @property
    def errors(self) -> list[str]:
        """Everything the page logged that a reader would call an error or a warning."""
        return [
            *(f"exception: {text}" for text in self.exceptions),
            *(f"console.{kind}: {text}" for kind, text in self.console if kind != "log"),
            *(f"log {level}: {text}" for level, text in self.log_entries if level != "info"),
        ]

    @property
    def remote_requests(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(_LOCAL_SCHEMES)]


def visit(page: Path, probe: str, *, timeout_s: float = 60.0) -> PageVisit:
    """Load `page`, wait for its load event, evaluate the JavaScript expression `probe` (a
    promise is awaited) and take a full-page screenshot."""
    executable = shutil.which(CHROMIUM)
    if executable is None:
        raise BrowserError(f"{CHROMIUM} not found on PATH: run `make setup` (it installs it)")
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        browser = _Browser(executable, Path(profile), deadline=time.monotonic() + timeout_s)
        try:
            return browser.visit(page.resolve().as_uri(), probe)
        finally:
            browser.close()


class _Browser:
    def __init__(self, executable: str, profile: Path, deadline: float) -> None:
        self._deadline = deadline
        commands_r, self._commands = os.pipe()
        self._replies, replies_w = os.pipe()

        def _wire_fds() -> None:  # runs in the child: Chromium reads fd 3 and writes fd 4
            high_r = fcntl.fcntl(commands_r, fcntl.F_DUPFD, 10)
            high_w = fcntl.fcntl(replies_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        # A file, not a pipe: Chromium is chatty on stderr and would block on a full pipe.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed in close())
        self._proc = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
            pass_fds=(3, 4),
            # preexec_fn, not a wrapper script: the two fds must be 3 and 4 in Chromium itself.
            preexec_fn=_wire_fds,
        )
        os.close(commands_r)
        os.close(replies_w)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []

    # -------------------------------------------------------------------------- protocol

    def _send(self, method: str, params: dict[str, Any] | None = None, session: str = "") -> Any:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._receive()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            self._events.append(reply)

    def _receive(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = self._deadline - time.monotonic()
            if remaining <= 0:
                raise BrowserError("Chromium did not answer in time")
            ready, _, _ = select.select([self._replies], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self._replies, 1 << 20)
            if not chunk:
                raise BrowserError(f"Chromium exited: {self._stderr_tail()}")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def _wait_for(self, method: str) -> None:
        while not any(e.get("method") == method for e in self._events):
            self._events.append(self._receive())

    # -------------------------------------------------------------------------- the visit

    def visit(self, url: str, probe: str) -> PageVisit:
        target = self._send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self._send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self._send(f"{domain}.enable", session=session)
        self._events.clear()
        self._send("Page.navigate", {"url": url}, session=session)
        self._wait_for("Page.loadEventFired")
        evaluated = self._send(
            "Runtime.evaluate",
            {"expression": probe, "awaitPromise": True, "returnByValue": True},
            session=session,
        )
        if "exceptionDetails" in evaluated:
            raise BrowserError(f"probe failed: {_exception_text(evaluated['exceptionDetails'])}")
        metrics = self._send("Page.getLayoutMetrics", session=session)
        size = metrics["cssContentSize"]
        shot = self._send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {
                    "x": 0,
                    "y": 0,
                    "width": size["width"],
                    "height": size["height"],
                    "scale": 1,
                },
            },
            session=session,
        )
        return self._collect(evaluated["result"].get("value"), base64.b64decode(shot["data"]))

    def _collect(self, result: Any, screenshot: bytes) -> PageVisit:
        found = PageVisit(result=result, screenshot=screenshot)
        for event in self._events:
            params = event.get("params", {})
            match event.get("method"):
                case "Runtime.exceptionThrown":
                    found.exceptions.append(_exception_text(params["exceptionDetails"]))
                case "Runtime.consoleAPICalled":
                    text = " ".join(
                        str(a.get("value", a.get("description"))) for a in params["args"]
                    )
                    found.console.append((params["type"], text))
                case "Log.entryAdded":
                    entry = params["entry"]
                    found.log_entries.append((entry["level"], entry["text"]))
                case "Network.requestWillBeSent":
                    found.requests.append(params["request"]["url"])
        return found

    def close(self) -> None:
        try:
            if self._proc.poll() is None:
                self._send("Browser.close")
        except (BrowserError, OSError):
            pass
        finally:
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            for fd in (self._commands, self._replies):
                os.close(fd)
            self._stderr.close()

    def _stderr_tail(self) -> str:
        self._proc.wait(timeout=10)
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")[-500:]


def _exception_text(details: dict[str, Any]) -> str:
    exception = details.get("exception") or {}
    return str(exception.get("description") or details.get("text", "unknown exception"))
