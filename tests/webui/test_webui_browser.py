"""End to end in a real Chromium: the app runs on a free localhost port in a thread.

Sign in, search a Japanese word, open the hit, correct a field, link it to a
billing item, see the link; the month view shows the mark and the CSV downloads.
Screenshots of the search page, the document page, the month view and the 在宅復帰率
monitor are written to docs/screenshots/ at 1366×768.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from webui_support import PASSWORD, PATIENT

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VIEWPORT = {"width": 1366, "height": 768}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="browser tests need Debian's Chromium at /usr/bin/chromium"),
]


@pytest.fixture
def base_url(app):
    """The real app served over HTTP on a free port for the length of the test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)


@pytest.fixture
def page(base_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=VIEWPORT, locale="ja-JP", accept_downloads=True, base_url=base_url)
        page = context.new_page()
        page.problems = []  # console errors and CSP violations: the UI must have none
        page.on("console", lambda message: message.type == "error" and page.problems.append(message.text))
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        yield page
        context.close()
        browser.close()


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def sign_in(page, username: str) -> None:
    page.goto("/search")
    assert "/login" in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('サインイン')")
    page.wait_for_url("**/search")


def test_search_correct_link_and_month_view(page, documents):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, "iji")

    # Search a Japanese word and open the hit.
    page.fill("input[name=q]", "指導記録")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("ol.hits mark")
    assert page.locator("ol.hits li").count() >= 1
    page.screenshot(path=str(SCREENSHOTS / "search.png"))
    page.click(f"ol.hits a[href='/documents/{documents['guidance']}']")
    page.wait_for_url(f"**/documents/{documents['guidance']}")
    page.locator(".page img").first.evaluate("img => img.decode()")
    assert page.locator(".page img").first.evaluate("img => img.naturalWidth") > 0

    # The viewer turns the page.
    page.click("button[data-action=rotate-right]")
    assert "rotate(90deg)" in page.get_attribute(".page img", "style")
    page.click("button[data-action=rotate-left]")
    page.click("button[data-action=zoom-in]")
    assert page.inner_text(".zoom-level") == "125%"
    page.click("button[data-action=fit]")

    # Correct SpO2 (96 → 95): the new value shows, the old one is in the history with who.
    spo2 = page.locator("form.correct:has(input[name=name][value=spo2])")
    spo2.locator("input[name=value]").fill("95")
    spo2.locator("button[value=save]").click()
    page.wait_for_selector("p.flash:has-text('SpO2（%）を修正しました')")
    history = page.locator("table.history").inner_text()
    assert "96" in history and "95" in history and "iji" in history

    # Link it with the suggested item and month; the link shows on the document.
    page.click("form.suggestion button")
    page.wait_for_selector("text=C103-2（2026-10）に紐付けました。")
    assert "C103-2" in page.locator("table.links").inner_text()
    assert "2026-10" in page.locator("table.links").inner_text()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / "document.png"))

    # The month view: the mark opens its evidence and the 摘要欄 text.
    page.goto("/claims?month=2026-10")
    cell = page.locator(f"tr#p{PATIENT} details.mark").first
    assert cell.locator(".badge").inner_text() == "算定可"
    cell.locator("summary").click()
    panel = cell.locator(".panel")
    assert panel.is_visible()
    assert panel.locator("textarea.summary").input_value() == "SpO2 95%（R8.10.14）"
    assert panel.locator(f"a[href='/documents/{documents['guidance']}']").count() >= 1
    panel.locator("button.copy").click()
    expect(panel.locator("button.copy")).to_have_text("コピーしました")
    page.screenshot(path=str(SCREENSHOTS / "claims.png"))

    # Mark it claimed: who and when show.
    panel.locator("button:has-text('請求済みにする')").click()
    page.wait_for_selector("text=請求済みにしました")
    page.locator(f"tr#p{PATIENT} details.mark").first.locator("summary").click()
    assert "請求済み: iji" in page.locator(f"tr#p{PATIENT} .panel").first.inner_text()

    # The CSV downloads with the month in its name.
    with page.expect_download() as download_info:
        page.click("a.csv-utf8")
    download = download_info.value
    assert download.suggested_filename == "shoko-claims-2026-10-utf8.csv"
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and "SpO2 95%（R8.10.14）" in data.decode("utf-8-sig")

    assert page.problems == []


def test_signed_out_browser_sees_only_the_sign_in_page(page, documents):
    for path in ("/", "/search?q=山田", f"/documents/{documents['guidance']}", f"/patients/{PATIENT}", "/claims"):
        page.goto(path)
        assert "/login" in page.url
        assert "山田" not in page.content()


def test_script_in_a_document_does_not_run(page, documents):
    sign_in(page, "kango")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"/documents/{documents['hostile']}")
    page.goto("/search?q=お知らせ")
    page.wait_for_selector("ol.hits")
    assert dialogs == []
    assert "<script>alert(1)</script>" in page.locator("ol.hits").inner_text()


def test_upload_and_ingest_now_from_the_browser(page, tmp_path):
    from webui_support import draw_page

    scan = tmp_path / "指導記録 スキャン.png"
    draw_page(["在宅酸素療法指導記録", "患者ID 00888888", "氏名 高橋 三郎", "指導日 2026年10月21日"]).save(scan)
    sign_in(page, "kango")
    page.goto("/inbox")
    page.set_input_files("input[type=file]", str(scan))
    page.click("form[action='/inbox/upload'] button[type=submit]")
    page.wait_for_selector("text=取り込みの結果", timeout=120_000)
    assert "取り込みました" in page.locator(".outcomes").inner_text()
    page.click(".outcomes a")
    assert "指導記録 スキャン_" in page.locator("a.download").inner_text()
    assert page.problems == []


def test_home_return_monitor(page, services):
    """The 在宅復帰率 monitor at 1366×768: the chart with its threshold line, this month's
    count, a planned discharge typed into the form turning the projection into a warning."""
    from datetime import date, timedelta

    from billing.months import Month
    from records import NewDischarge

    today = date.fromisoformat(services.records.now()[:10])
    month = Month.of(today)
    home = ["自宅", "特別養護老人ホーム", "サービス付き高齢者向け住宅", "グループホーム", "有料老人ホーム", "自宅", "介護医療院",
            "自宅", "自宅"]
    elsewhere = ["○○総合病院", "介護老人保健施設"]
    # Ten counted discharges a month (home ones first), a death and a transfer left out.
    home_counts = [7, 8, 8, 7, 8, 7, 9, 8, 7, 9, 9, 8, 8, 9, 8, 9, 8, 9]
    for back, going_home in enumerate(home_counts, start=1):
        first = month.shift(-back).first_day
        for n in range(10):
            destination = home[n] if n < going_home else elsewhere[n % 2]
            services.records.save_discharge(None, NewDischarge(f"{back:03d}{n:05d}", "4階東", str(first + timedelta(days=2 * n)),
                                                               "discharge", destination), "test")
        services.records.save_discharge(None, NewDischarge(f"{back:03d}99998", "4階東", str(first + timedelta(days=21)),
                                                           "discharge", "", death=True), "test")
        services.records.save_discharge(None, NewDischarge(f"{back:03d}99999", "4階東", str(first + timedelta(days=23)),
                                                           "transfer", "3階療養病棟"), "test")
    planned_day = min(today + timedelta(days=1), month.last_day)
    for n, destination in enumerate(["自宅", "自宅", "○○総合病院", "○○総合病院", "○○総合病院"]):
        services.records.save_discharge(None, NewDischarge(f"9{n:07d}", "4階東", str(planned_day), "discharge", destination),
                                        "test")

    sign_in(page, "iji")
    page.click("header.top nav a:has-text('在宅復帰率')")
    page.wait_for_url("**/homereturn")
    assert page.locator("svg.chart circle").count() == 13  # twelve months and next month's projection
    assert page.locator("svg.chart line.threshold").first.bounding_box()["width"] > 500  # the threshold line
    assert page.inner_text("dd.denominator") == "60" and page.inner_text("dd.numerator") == "45"
    assert page.locator(".hr-warning").count() == 0  # 47/56 with the entered discharges: still above

    # One more planned discharge to a hospital: the projection falls below the threshold.
    form = page.locator("form.discharge-form")
    form.locator("input[name=patient_id]").fill("99000001")
    assert form.locator("input[name=ward]").input_value() == "4階東"  # the one ward on record
    form.locator("input[name=exit_date]").fill(str(planned_day))
    form.locator("input[name=destination]").fill("○○総合病院")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("p.flash:has-text('退院記録を保存しました')")
    expect(page.locator(".hr-warning")).to_contain_text("下回ります")
    assert "99000001" in page.locator("table.hr-list.entered").inner_text()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / "homereturn.png"))
    assert page.problems == []
