"""Refresh docs/dashboard.png: an OpManager instance with a little traffic, at 1280x800.

    .venv/bin/python tests/browser/screenshot.py docs/dashboard.png
"""

import pathlib
import sys
import tempfile

from playwright.sync_api import expect, sync_playwright

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from conftest import ADMIN_KEY, CHROMIUM, FLAGS, OPERATOR_KEY, Standin  # noqa: E402

VIEWER_KEY = "a47d19e3c60b85f2e9d4a1b7c3f60e28"  # noc-viewer, read-only


def traffic(s):
    s.call("POST", "/_standin/clock", {"set": "2027-03-14T09:26:00Z", "freeze": True})
    s.call("POST", "/_standin/snapshots/seeded")
    s.call("POST", "/_standin/tenants")
    get = lambda path, key=None: s.call("GET", path, headers={"apiKey": key} if key else {})
    get("/api/json/device/listDevices?rows=10&page=1", ADMIN_KEY)
    get("/api/json/device/getDeviceSummary?name=core-rtr-01", ADMIN_KEY)
    get("/api/json/device/listDevices", OPERATOR_KEY)
    s.call("POST", "/_standin/clock", {"advance_secs": 2})
    get("/api/json/device/listDevices")
    get("/api/json/device/getInterfaces?name=core-rtr-02", VIEWER_KEY)
    get("/api/json/device/listDevices", "ffffffffffffffffffffffffffffffff")
    s.call("POST", "/_standin/faults",
           {"path": "/api/json/alarm/**", "times": 3, "action": "status", "status": 503})
    s.call("POST", "/_standin/clock", {"advance_secs": 3})
    get("/api/json/alarm/listAlarms", ADMIN_KEY)
    get("/api/json/device/getDeviceInfo?ipAddress=10.10.2.25", ADMIN_KEY)
    s.call("POST", "/_standin/rate-limits", {"per": "credential", "capacity": 20, "refill_per_sec": 2})
    get("/api/json/v2/device/listDevices?category=Server", ADMIN_KEY)
    get("/api/json/nothing/here", ADMIN_KEY)
    get("/api/json/device/listDevices?rows=5", VIEWER_KEY)


def main(out):
    with tempfile.TemporaryDirectory() as tmp:
        s = Standin(pathlib.Path(tmp))
        try:
            traffic(s)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                page.goto(s.url + "/_standin/ui")
                expect(page.locator("#live-text")).to_have_text("live")
                expect(page.locator("#rows tr.entry")).to_have_count(11)
                page.locator("#rows tr.entry", has_text="disabled for user").first.click()
                page.mouse.move(0, 0)
                page.screenshot(path=out)
                browser.close()
        finally:
            s.stop()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/dashboard.png")
