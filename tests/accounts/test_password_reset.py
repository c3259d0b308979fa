"""Password reset (by e-mail, through the worker), password change and e-mail change."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-77"


def reset_link(message) -> str:
    match = re.search(r"https?://\S+/accounts/password/reset/\S+/", message.body)
    assert match, message.body
    return match[0]


def shape(html: str) -> str:
    """A page without what differs on every response (CSRF tokens, CSP nonces)."""
    html = re.sub(
        r'(csrfmiddlewaretoken" value=|"x-csrftoken": |nonce=|csrf-token=)"[^"]*"', r"\1", html
    )
    return html


def ask_reset(client: Client, email: str, ip: str = "10.0.0.1"):
    return client.post(reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_reset_answers_identically_for_known_and_unknown_addresses(mailoutbox, run_tasks):
    UserFactory(email="known@example.com")
    known, unknown = Client(), Client()
    a = ask_reset(known, "known@example.com")
    b = ask_reset(unknown, "nobody@example.com")
    assert (
        (a.status_code, a["Location"])
        == (b.status_code, b["Location"])
        == (
            302,
            reverse("accounts:password_reset_done"),
        )
    )
    assert a.content == b.content
    page_a, page_b = known.get(a["Location"]), unknown.get(b["Location"])
    assert page_a.status_code == page_b.status_code == 200
    assert shape(page_a.text) == shape(page_b.text)
    assert "Check your inbox" in page_a.text
    assert mailoutbox == []  # sent by the worker, not in the request
    run_tasks()
    assert [m.to for m in mailoutbox] == [["known@example.com"]]


def test_reset_link_is_on_site_url_and_works_once(client, mailoutbox, run_tasks, settings):
    settings.SITE_URL = "https://shop.example.org"
    user = UserFactory(email="ada@example.com")
    ask_reset(client, "ADA@example.com")
    run_tasks()
    link = reset_link(mailoutbox[0])
    assert link.startswith("https://shop.example.org/accounts/password/reset/")
    path = link.removeprefix("https://shop.example.org")

    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200 and "Choose a new password" in form_page.text
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("accounts:account")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get(reverse("accounts:account")).status_code == 200  # signed in

    again = Client().get(path, follow=True)
    assert again.status_code == 400
    assert "already used" in again.text
    login = Client().post(
        reverse("accounts:login"), {"username": user.username, "password": NEW_PASSWORD}
    )
    assert login.status_code == 302


def test_reset_with_mismatched_passwords_is_a_400_and_changes_nothing(
    client, mailoutbox, run_tasks
):
    user = UserFactory(email="ada@example.com")
    ask_reset(client, "ada@example.com")
    run_tasks()
    set_url = client.get(reset_link(mailoutbox[0]), follow=True).redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": "other"})
    assert response.status_code == 400
    assert "didn’t match" in response.text or "didn't match" in response.text
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_invalid_email_is_a_400_with_the_error_at_the_field(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "not an address"})
    assert response.status_code == 400
    assert 'id="id_email_error"' in response.text


def test_reset_is_rate_limited_per_address_whether_or_not_it_exists(
    settings, mailoutbox, run_tasks
):
    settings.PASSWORD_RESET_LIMITS = {"email": (2, 3600), "ip": (100, 3600)}
    UserFactory(email="known@example.com")
    for address in ("known@example.com", "nobody@example.com"):
        statuses = [ask_reset(Client(), address, ip=f"10.0.1.{i}").status_code for i in range(3)]
        assert statuses == [302, 302, 429], address
    run_tasks()
    assert len(mailoutbox) == 2  # the third request sent nothing


def test_reset_is_rate_limited_per_ip(settings):
    settings.PASSWORD_RESET_LIMITS = {"email": (100, 3600), "ip": (3, 3600)}
    statuses = [
        ask_reset(Client(), f"x{i}@example.com", ip="10.9.9.9").status_code for i in range(4)
    ]
    assert statuses == [302, 302, 302, 429]
    assert ask_reset(Client(), "y@example.com", ip="10.9.9.10").status_code == 302
    limited = ask_reset(Client(), "z@example.com", ip="10.9.9.9")
    assert "Too many reset requests" in limited.text


def test_password_change_while_signed_in(client):
    user = UserFactory()
    client.force_login(user)
    url = reverse("accounts:password_change")
    wrong = client.post(
        url,
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 400 and 'id="id_old_password_error"' in wrong.text
    response = client.post(
        url,
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get(reverse("accounts:account")).status_code == 200  # still signed in


def test_email_change_is_confirmed_by_a_link_to_the_new_address(client, mailoutbox, run_tasks):
    user = UserFactory(email="old@example.com")
    client.force_login(user)
    response = client.post(
        reverse("accounts:email_change"), {"email": "New@Example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "old@example.com"  # nothing changes before the link is followed
    run_tasks()
    (message,) = mailoutbox
    assert message.to == ["new@example.com"]
    path = re.search(r"https?://[^/\s]+(/accounts/email/confirm/\S+/)", message.body)[1]
    assert "new@example.com" in Client().get(path).text
    assert Client().post(path).status_code == 302
    user.refresh_from_db()
    assert user.email == "new@example.com"
    used = Client().post(path)
    assert used.status_code == 400 and "already used" in used.text


def test_email_change_refuses_bad_input_at_the_fields(client):
    UserFactory(email="taken@example.com")
    user = UserFactory(email="mine@example.com")
    client.force_login(user)
    url = reverse("accounts:email_change")
    taken = client.post(url, {"email": "taken@example.com", "password": PASSWORD})
    assert taken.status_code == 400 and 'id="id_email_error"' in taken.text
    wrong = client.post(url, {"email": "fresh@example.com", "password": "nope"})
    assert wrong.status_code == 400 and 'id="id_password_error"' in wrong.text
    assert Client().get(reverse("accounts:email_confirm", args=["forged"])).status_code == 400
    assert get_user_model().objects.get(pk=user.pk).email == "mine@example.com"


def test_email_change_links_are_rate_limited_per_account(client, settings, mailoutbox, run_tasks):
    settings.PASSWORD_RESET_LIMITS = {"email_change": (2, 3600)}
    client.force_login(UserFactory(email="mine@example.com"))
    statuses = [
        client.post(
            reverse("accounts:email_change"), {"email": f"n{i}@example.com", "password": PASSWORD}
        ).status_code
        for i in range(3)
    ]
    assert statuses == [302, 302, 429]
    run_tasks()
    assert len(mailoutbox) == 2
