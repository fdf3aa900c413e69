"""The work lists and the month view in a real Chromium (issue 14), at 1366×768 and at
1093 px wide (1366 at 125 % zoom); screenshots of /, /review, /contracts and the month
view go to docs/screenshots/."""

from __future__ import annotations

import pytest

from test_webui_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, base_url, expect, sign_in  # noqa: F401
from webui_support import OTHER_PATIENT, PATIENT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="browser tests need Debian's Chromium at /usr/bin/chromium"),
]

SIZES = {"1366": {"width": 1366, "height": 768}, "1093": {"width": 1093, "height": 614}}


@pytest.fixture(params=list(SIZES))
def page(request, base_url):  # noqa: F811
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=SIZES[request.param], locale="ja-JP", base_url=base_url,
                                      accept_downloads=True)
        page = context.new_page()
        page.size = request.param
        page.problems = []
        page.on("console", lambda message: message.type == "error" and page.problems.append(message.text))
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        yield page
        context.close()
        browser.close()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    suffix = "" if page.size == "1366" else f"-{page.size}"
    page.screenshot(path=str(SCREENSHOTS / f"{name}{suffix}.png"))


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_landing_review_keyboard_flow(page, documents):
    sign_in(page, "iji")
    page.goto("/")
    expect(page.locator(".work-item.review .figure")).to_contain_text("1")
    expect(page.locator(".work-item.claims")).to_be_visible()
    assert no_horizontal_scroll(page)
    shot(page, "home")

    page.click(".work-item.review a")
    page.wait_for_url("**/review")
    # The first document's box has the focus; the low-confidence PaO2 must be typed.
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused == "PaO2（Torr）"
    assert page.input_value(f"#r-{documents['guidance']} input[name=value]") == ""
    shot(page, "review")
    page.keyboard.type("65")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=PaO2（Torr）を確定しました。")
    assert "/review" in page.url
    expect(page.locator("ol.review-queue")).to_have_count(0)
    assert page.problems == []


def test_contracts_and_month_view(page, documents):
    sign_in(page, "admin")
    page.goto("/contracts")
    rows = page.locator("table.contracts tbody tr")
    assert rows.count() == 2
    assert "サンプル酸素" in page.locator("table.contracts").inner_text()
    assert no_horizontal_scroll(page)
    shot(page, "contracts")

    page.goto("/claims?month=2026-10")
    head = page.locator("table.claims thead").inner_text()
    assert "酸素濃縮装置加算" in head
    first = page.locator(f"tr#p{PATIENT} details.mark").first
    second = page.locator(f"tr#p{OTHER_PATIENT} details.mark").first
    first.locator("summary").click()
    assert first.locator(".panel").is_visible()
    second.locator("summary").click()  # one panel at a time
    expect(second.locator(".panel")).to_be_visible()
    expect(first.locator(".panel")).to_be_hidden()
    shot(page, "claims-panel")
    page.keyboard.press("Escape")
    expect(second.locator(".panel")).to_be_hidden()
    second.locator("summary").click()
    expect(second.locator(".panel")).to_be_visible()
    page.mouse.click(5, 700)  # outside
    expect(second.locator(".panel")).to_be_hidden()
    # A not-ready item cannot be marked without the confirmation and a reason.
    second.locator("summary").click()
    form = second.locator("form.claim-form")
    expect(form.locator("input[name=reason]")).to_be_visible()
    form.locator("button[type=submit]").click()
    expect(second.locator(".panel")).to_be_visible()  # the browser refused the empty form
    page.keyboard.press("Escape")
    page.click("a.only-problems")
    page.wait_for_url("**only=problems**")
    assert page.locator(f"tr#p{PATIENT}").count() == 0 and page.locator(f"tr#p{OTHER_PATIENT}").count() == 1
    page.goto("/claims?month=2026-10")
    shot(page, "claims")
    assert page.problems == []


def test_nursing_sees_no_billing_in_the_browser(page, documents):
    sign_in(page, "kango")
    page.goto("/")
    nav = page.locator("header.top nav").inner_text()
    assert "月次請求" not in nav and "契約" not in nav
    page.goto("/contracts")
    assert "この操作の権限がありません" in page.content()
