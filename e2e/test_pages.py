from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e.conftest import wait_for_htmx
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RECORD_CSP = """window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  [e.violatedDirective, e.blockedURI, e.sourceFile, e.lineNumber].join(' ')));"""


def csp_problems(page, console: list[str]) -> list[str]:
    return page.evaluate("window.__csp") + [m for m in console if "Content Security Policy" in m]


def test_staff_writes_previews_and_publishes_a_page(live_server, page, login_as, browser):
    login_as(UserFactory(username="boss", is_staff=True, is_superuser=True))
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(RECORD_CSP)

    # Write the page in the admin's prose editor: bold text and a link.
    page.goto(live_server.url + "/admin/pages/dynamicpage/add/")
    page.get_by_role("textbox", name="Title:", exact=True).fill("About us")
    page.get_by_role("textbox", name="Address:", exact=True).fill("help/about-us")
    page.get_by_label("Meta description").fill("Who we are and why we sell shoes.")
    editor = page.get_by_role("textbox").and_(page.locator(".ProseMirror"))
    editor.click()
    editor.press_sequentially("We sell ")
    page.get_by_role("button", name="bold", exact=True).click()
    editor.press_sequentially("great shoes")
    page.get_by_role("button", name="bold", exact=True).click()
    editor.press_sequentially(". Read our story")
    for _ in range(len("our story")):
        editor.press("Shift+ArrowLeft")
    page.get_by_role("button", name="insert link").click()
    dialog = page.locator("dialog.prose-editor-dialog")
    dialog.get_by_label("URL").fill("https://example.com/story")
    dialog.get_by_role("button", name="Update").click()
    expect(editor.locator("strong")).to_have_text("great shoes")
    expect(editor.get_by_role("link", name="our story")).to_be_visible()
    assert csp_problems(page, console) == []
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    expect(page.get_by_label("Published")).not_to_be_checked()
    change_url = page.url
    assert csp_problems(page, console) == []

    # Staff preview: the unpublished page at its own address, marked as a preview.
    page.goto(live_server.url + "/help/about-us/")
    expect(page.get_by_test_id("preview-banner")).to_be_visible()
    expect(page.locator(".cms-body strong")).to_have_text("great shoes")

    # An anonymous visitor (a separate browser context) cannot see it yet.
    visitor_context = browser.new_context()
    visitor = visitor_context.new_page()
    response = visitor.goto(live_server.url + "/help/about-us/")
    assert response.status == 404
    expect(visitor.get_by_role("heading", name="About us")).to_have_count(0)

    # Publish it.
    page.goto(change_url)
    page.get_by_label("Published").check()
    page.get_by_role("button", name="Save", exact=True).click()
    errors = page.locator(".errorlist").all_inner_texts()
    assert errors == [], errors
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert csp_problems(page, console) == []

    # Now the visitor sees it, with its formatting and its meta description.
    response = visitor.goto(live_server.url + "/help/about-us/")
    assert response.status == 200
    wait_for_htmx(visitor)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("About us")
    expect(visitor.locator(".cms-body strong")).to_have_text("great shoes")
    link = visitor.locator(".cms-body").get_by_role("link", name="our story")
    expect(link).to_have_attribute("href", "https://example.com/story")
    expect(visitor.get_by_test_id("preview-banner")).to_have_count(0)
    expect(visitor.locator('head meta[name="description"]')).to_have_attribute(
        "content", "Who we are and why we sell shoes."
    )
    expect(visitor.locator('head link[rel="canonical"]')).to_have_attribute(
        "href", live_server.url + "/help/about-us/"
    )
    visitor_context.close()


def test_marketer_adds_a_block_below_a_page_and_publishes_it(live_server, page, login_as, browser):
    from django.contrib.auth.models import Permission

    from tests.layout.factories import marketer
    from tests.pages.factories import PageFactory

    PageFactory(slug="help/returns", title="Returns", body="<p>Send it back within 30 days.</p>")
    user = marketer(username="mia")
    user.user_permissions.add(Permission.objects.get(codename="view_dynamicpage"))
    login_as(user)
    page.goto(live_server.url + "/help/returns/")
    page.get_by_role("button", name="Draft", exact=True).click()
    wait_for_htmx(page)
    expect(page.locator("#layout")).to_have_attribute("data-layout-mode", "draft")

    # Add a promo banner below the page's text: the block form swaps in, saving refreshes.
    add = page.locator("#add-bottom")
    add.get_by_label("Add to bottom").select_option("promo_banner")
    add.get_by_role("button", name="Add block").click()
    wait_for_htmx(page)
    add.get_by_role("textbox", name="Text").fill("Free returns this month")
    page.get_by_role("button", name="Save to draft").click()
    wait_for_htmx(page)
    banner = page.locator(".layout-region-bottom .promo-text")
    expect(banner).to_have_text("Free returns this month")
    expect(page.locator(".cms-body")).to_contain_text("Send it back within 30 days.")

    visitor_context = browser.new_context()
    visitor = visitor_context.new_page()
    visitor.goto(live_server.url + "/help/returns/")
    expect(visitor.locator(".cms-body")).to_contain_text("Send it back within 30 days.")
    expect(visitor.locator(".promo-text")).to_have_count(0)

    page.get_by_role("button", name="Publish…").click()
    wait_for_htmx(page)
    page.get_by_test_id("publish-dialog").get_by_role("button", name="Publish 1 change").click()
    wait_for_htmx(page)
    expect(page.get_by_test_id("change-count")).to_have_text("0 unpublished changes")

    visitor.reload()
    expect(visitor.locator(".layout-region-bottom .promo-text")).to_have_text(
        "Free returns this month"
    )
    expect(visitor.get_by_test_id("layout-toolbar")).to_have_count(0)
    visitor_context.close()
