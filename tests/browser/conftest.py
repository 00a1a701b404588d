"""Fixtures for the dashboard's browser tests: a standin binary on ephemeral ports and Debian's
headless Chromium driven by Playwright (never a downloaded browser)."""

import json
import os
import pathlib
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import sync_playwright

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = pathlib.Path(os.environ.get("STANDIN_BIN", ROOT / "target" / "debug" / "standin"))
CHROMIUM = os.environ.get("STANDIN_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

ADMIN_KEY = "3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b"  # fixtures/opmanager.json: admin, REST enabled
OPERATOR_KEY = "0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a"  # operator, REST access disabled


class Standin:
    """One `standin` process serving OpManager (or the given products) on ephemeral ports."""

    def __init__(self, tmp_path, *extra, products=("opmanager",)):
        ready = tmp_path / "ready.json"
        self.log = open(tmp_path / "standin.log", "wb")
        ports = [arg for p in products for arg in (f"--port-{p}", "0")]
        self.proc = subprocess.Popen(
            [str(BINARY), "--only", ",".join(products), *ports,
             "--ready-file", str(ready), *extra],
            stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while not ready.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("standin did not start: " + (tmp_path / "standin.log").read_text())
            time.sleep(0.05)
        self.urls = json.loads(ready.read_text())
        self.url = self.urls[products[0]]
        self.port = int(self.url.rsplit(":", 1)[1])

    def call(self, method, path, body=None, headers=None, base=None):
        """One HTTP call; returns (status, parsed JSON or text)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request((base or self.url) + path, data=data, method=method,
                                     headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                status, text = resp.status, resp.read().decode()
        except urllib.error.HTTPError as err:
            status, text = err.code, err.read().decode()
        try:
            return status, json.loads(text)
        except ValueError:
            return status, text

    def list_devices(self, key):
        return self.call("GET", "/api/json/device/listDevices", headers={"apiKey": key})

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@pytest.fixture
def standin(tmp_path):
    server = Standin(tmp_path)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (scripts/apt.d/browser.txt)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


class Watched:
    """A page with everything it logged and every request it made."""

    def __init__(self, page):
        self.page = page
        self.errors = []
        self.requests = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        # A reload or a navigation aborts the page's in-flight polls: that is no failure.
        page.on("requestfailed", lambda r: r.failure != "net::ERR_ABORTED"
                and self.errors.append(f"request failed ({r.failure}): {r.url}"))
        page.on("request", lambda r: self.requests.append(r.url))


@pytest.fixture
def watched(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield Watched(page)
    context.close()


def own_address():
    """This machine's non-loopback address (connecting UDP sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect(("192.0.2.1", 9))
        return s.getsockname()[0]
