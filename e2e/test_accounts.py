from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from e2e.conftest import wait_for_htmx
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RECORD_CSP = """window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  [e.violatedDirective, e.blockedURI, e.sourceFile, e.lineNumber].join(' ')));"""


def test_sign_up_log_out_log_in(live_server, page):
    """The whole journey runs on htmx under the real CSP: nothing is blocked on the way."""
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(RECORD_CSP)
    page.goto(live_server.url + "/")
    page.evaluate("window.__noReload = true")
    page.get_by_role("link", name="Sign up").click()
    wait_for_htmx(page)
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    page.get_by_label("Username").fill("grace")
    page.get_by_label("Your name").fill("Grace")
    page.get_by_label("Email").fill("grace@example.com")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    wait_for_htmx(page)
    expect(page.get_by_test_id("user-name")).to_have_text("Grace")
    # hx-boost swapped the pages in: the same window, never a full reload.
    assert page.evaluate("window.__noReload") is True

    page.get_by_role("button", name="Log out").click()
    wait_for_htmx(page)
    expect(page.get_by_role("link", name="Log in")).to_be_visible()

    page.get_by_role("link", name="Log in").click()
    wait_for_htmx(page)
    page.get_by_label("Username").fill("grace")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    wait_for_htmx(page)
    expect(page.get_by_text("enter a correct username and password")).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    wait_for_htmx(page)
    expect(page.get_by_test_id("user-name")).to_have_text("Grace")
    assert page.evaluate("window.__noReload") is True
    assert page.evaluate("window.__csp") == []
    assert [m for m in console if "Content Security Policy" in m] == []


def test_login_by_cookie_fixture(live_server, page, login_as):
    from tests.factories import UserFactory

    login_as(UserFactory(username="henry", first_name="Henry"))
    page.goto(live_server.url + "/")
    expect(page.get_by_test_id("user-name")).to_have_text("Henry")


def test_sign_up_errors_show_in_place_with_javascript(live_server, page):
    """A 400 with the form's errors is swapped in (htmx 2 would drop 4xx answers by default)."""
    page.goto(live_server.url + "/accounts/signup/")
    page.get_by_label("Username").fill("ivy")
    page.get_by_label("Your name").fill("Ivy")
    page.get_by_label("Email").fill("ivy@example.com")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD + "x")
    page.get_by_role("button", name="Sign up").click()
    wait_for_htmx(page)
    expect(page.get_by_text("The two password fields didn")).to_be_visible()
