"""The dashboard at /_standin/ui in headless Chromium, against a real standin process."""

import datetime
import re
import urllib.parse
import urllib.request

from playwright.sync_api import expect

from conftest import ADMIN_KEY, OPERATOR_KEY, Standin, Watched, own_address


def open_dashboard(watched, base):
    watched.page.goto(base + "/_standin/ui")
    expect(watched.page.locator("#live-text")).to_have_text("live")
    return watched.page


def entry_rows(page):
    return page.locator("#rows tr.entry")


def test_the_page_loads_without_console_errors(standin, watched):
    page = open_dashboard(watched, standin.url)
    expect(page.locator("#product")).to_contain_text("opmanager")
    expect(page.locator("#clock-now")).to_have_text(re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$"))
    page.reload()
    expect(page.locator("#live-text")).to_have_text("live")
    assert watched.errors == []


def test_a_refused_request_appears_with_its_reason_within_a_second(standin, watched):
    page = open_dashboard(watched, standin.url)
    # OpManager refuses with HTTP 200 and an error body, as the real one does.
    status, body = standin.list_devices(OPERATOR_KEY)
    assert body["error"]["errorcode"] == "REST_API_ACCESS_DISABLED"
    _, journal = standin.call("GET", "/_standin/requests?limit=1")
    reason = journal["requests"][0]["reason"]
    assert "operator" in reason
    newest = entry_rows(page).first
    expect(newest.locator("td.c-reason")).to_have_text(reason, timeout=1000)
    expect(newest.locator("td.c-status")).to_have_text(str(status))
    operation = journal["requests"][0]["operation"]
    expect(newest.locator("td.c-op")).to_have_text(operation.removeprefix("opmanager."))
    expect(newest.locator("td.c-op")).to_have_attribute("title", operation)
    # Opening the row shows the redacted headers: the key is never on the page.
    newest.focus()
    page.keyboard.press("Enter")
    detail = page.locator("#rows tr.detail")
    expect(detail).to_contain_text("refused because")
    expect(detail).to_contain_text("apikey")
    expect(detail).to_contain_text("[redacted]")
    assert OPERATOR_KEY not in page.content()
    assert watched.errors == []


def test_a_request_body_is_shown_in_the_detail_with_its_secret_redacted(standin, watched):
    page = open_dashboard(watched, standin.url)
    form = urllib.parse.urlencode({
        "apiKey": ADMIN_KEY, "source": "rack-7", "severity": "2",
        "message": "fan speed low", "alarmCode": "fan", "entity": "rack-7_fan",
    }).encode()
    req = urllib.request.Request(standin.url + "/api/json/events/addEvent", data=form, method="POST",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        resp.read()
    _, journal = standin.call("GET", "/_standin/requests?limit=1")
    body = journal["requests"][0]["body"]
    assert "apiKey=[redacted]" in body and "fan+speed+low" in body and ADMIN_KEY not in body
    newest = entry_rows(page).first
    expect(newest.locator("td.c-path")).to_have_text("/api/json/events/addEvent", timeout=1000)
    newest.focus()
    page.keyboard.press("Enter")
    shown = page.locator("#rows tr.detail pre.body")
    expect(shown).to_have_text(body)
    expect(shown).to_contain_text("apiKey=[redacted]")
    assert ADMIN_KEY not in page.content()
    # A request without a body says so.
    standin.list_devices(ADMIN_KEY)
    expect(entry_rows(page)).to_have_count(2)
    entry_rows(page).first.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#rows tr.detail").first).to_contain_text("No request body.")
    assert watched.errors == []


def test_the_refused_only_filter_hides_a_successful_request(standin, watched):
    page = open_dashboard(watched, standin.url)
    assert "error" not in standin.list_devices(ADMIN_KEY)[1]
    assert "error" in standin.list_devices(OPERATOR_KEY)[1]
    standin.call("GET", "/no/such/page")
    expect(entry_rows(page)).to_have_count(3)
    expect(page.locator("#rows tr.entry:not(.refused)")).to_have_count(1)
    page.locator("#f-refused").check()
    expect(entry_rows(page)).to_have_count(2)
    expect(page.locator("#rows tr.entry:not(.refused)")).to_have_count(0)
    expect(page.locator("#rows td.c-reason", has_text="operator")).to_have_count(1)
    page.locator("#f-refused").uncheck()
    expect(entry_rows(page)).to_have_count(3)
    # The status class filter and the path filter narrow the same rows.
    page.locator("#f-status").select_option("4")
    expect(entry_rows(page)).to_have_count(1)
    expect(entry_rows(page).first.locator("td.c-path")).to_have_text("/no/such/page")
    page.locator("#f-status").select_option("")
    page.locator("#f-path").fill("/no/such/path")
    expect(entry_rows(page)).to_have_count(0)
    expect(page.locator("#empty")).to_have_text("No request matches the filters.")
    assert watched.errors == []


def test_reset_empties_the_table(standin, watched):
    page = open_dashboard(watched, standin.url)
    for _ in range(3):
        standin.list_devices(ADMIN_KEY)
    expect(entry_rows(page)).to_have_count(3)
    standin.call("POST", "/_standin/clock", {"advance_secs": 7200})
    page.locator("#reset").click()
    expect(entry_rows(page)).to_have_count(0)
    expect(page.locator("#empty")).to_be_visible()
    _, journal = standin.call("GET", "/_standin/requests")
    assert journal["count"] == 0
    _, clock = standin.call("GET", "/_standin/clock")
    assert abs(clock["offset_ms"]) < 60_000
    # The table fills again afterwards.
    standin.list_devices(ADMIN_KEY)
    expect(entry_rows(page)).to_have_count(1)
    assert watched.errors == []


def shown_clock(page):
    text = page.locator("#clock-now").inner_text()
    return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S UTC")


def test_advancing_the_clock_changes_the_displayed_time(standin, watched):
    page = open_dashboard(watched, standin.url)
    page.locator("#freeze").click()
    expect(page.locator("#clock-mode")).to_have_text("frozen")
    before = shown_clock(page)
    page.locator("[data-advance='3600']").click()
    expected = (before + datetime.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S UTC")
    expect(page.locator("#clock-now")).to_have_text(expected)
    _, clock = standin.call("GET", "/_standin/clock")
    assert clock["frozen"] is True
    # Set, then resume.
    page.locator("#clock-set-input").fill("2031-05-06T07:08:09Z")
    page.locator("#clock-set-input").press("Enter")
    expect(page.locator("#clock-now")).to_have_text("2031-05-06 07:08:09 UTC")
    page.locator("#freeze").click()
    expect(page.locator("#clock-mode")).to_contain_text("offset +")
    assert watched.errors == []


def test_no_request_leaves_the_instances_origin(standin, watched):
    page = open_dashboard(watched, standin.url)
    standin.list_devices(OPERATOR_KEY)
    expect(entry_rows(page)).to_have_count(1)
    entry_rows(page).first.click()
    # A fault through the form, then remove it.
    page.locator("summary", has_text="Add a fault").click()
    form = page.locator("#fault-form")
    form.locator("[name=path]").fill("/api/json/**")
    form.locator("[name=times]").fill("2")
    form.locator("button[type=submit]").click()
    expect(page.locator("#faults li")).to_contain_text("/api/json/** → status 503")
    assert standin.list_devices(ADMIN_KEY)[0] == 503
    page.locator("#faults button", has_text="Remove").click()
    expect(page.locator("#faults li")).to_have_text("No fault rules.")
    # A rate limit, a snapshot, a tenant, an export.
    page.locator("summary", has_text="Add a rate limit").click()
    page.locator("#limit-form button[type=submit]").click()
    expect(page.locator("#limits li")).to_contain_text("per credential")
    page.locator("#snapshot-name").fill("before-test")
    page.locator("#snapshot-name").press("Enter")
    expect(page.locator("#snapshots li")).to_contain_text("before-test")
    page.locator("#snapshots button", has_text="Restore").click()
    page.locator("#new-tenant").click()
    expect(page.locator("#tenants li a")).to_have_text("t1")
    with page.expect_download() as download:
        page.locator("#export").click()
    assert download.value.suggested_filename == "opmanager-state.json"
    page.locator("#snapshots button", has_text="Delete").click()
    expect(page.locator("#snapshots li")).to_have_text("No snapshots.")
    origin = standin.url
    outside = [u for u in watched.requests
               if not (u.startswith(origin + "/") or u.startswith("blob:" + origin + "/"))]
    assert outside == []
    assert any("/_standin/faults" in u for u in watched.requests)
    # The tenant's dashboard is its own instance, on its own port.
    tenant_url = page.locator("#tenants li a").get_attribute("href")
    assert tenant_url.endswith("/_standin/ui") and not tenant_url.startswith(origin + "/")
    tenant_origin = tenant_url[: -len("/_standin/ui")]
    tenant = Watched(page.context.new_page())
    tenant_page = open_dashboard(tenant, tenant_origin)
    expect(tenant_page.locator("#tenant")).to_have_text("tenant t1")
    assert tenant.requests and all(u.startswith(tenant_origin + "/") for u in tenant.requests)
    assert tenant.errors == []
    assert [u for u in watched.requests if not u.startswith(origin + "/")
            and not u.startswith("blob:" + origin + "/")] == []
    assert watched.errors == []


def test_a_remote_browser_is_asked_for_the_control_token_once(tmp_path, watched):
    server = Standin(tmp_path, "--bind", "0.0.0.0", "--control-token", "s3cret-token")
    try:
        base = f"http://{own_address()}:{server.port}"
        page = watched.page
        page.goto(base + "/_standin/ui")
        expect(page.locator("#token-box")).to_be_visible()
        expect(page.locator("#live-text")).to_have_text("needs the control token")
        page.locator("#token-input").fill("s3cret-token")
        page.locator("#token-input").press("Enter")
        expect(page.locator("#live-text")).to_have_text("live")
        expect(page.locator("#token-box")).to_be_hidden()
        page.reload()
        expect(page.locator("#live-text")).to_have_text("live")
        expect(page.locator("#token-box")).to_be_hidden()
        assert "s3cret-token" not in page.content()
        # Refused control calls before the token are the only errors the browser logged.
        assert all("403" in e for e in watched.errors), watched.errors
    finally:
        server.stop()


def test_every_product_port_serves_a_working_dashboard(tmp_path, browser):
    products = ("opmanager", "serviceops", "pmp", "opsmgr")
    server = Standin(tmp_path, products=products)
    try:
        # PMP serves HTTPS with a generated certificate, like the real one.
        context = browser.new_context(viewport={"width": 1280, "height": 800},
                                      ignore_https_errors=True)
        for product in products:
            watched = Watched(context.new_page())
            page = open_dashboard(watched, server.urls[product])
            expect(page.locator("#product")).to_contain_text(f"({product})")
            expect(page.locator("#faults li")).to_have_text("No fault rules.")
            assert watched.errors == [], (product, watched.errors)
        assert server.urls["pmp"].startswith("https://")
        context.close()
    finally:
        server.stop()
