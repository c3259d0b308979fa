from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_sign_up_creates_account_and_logs_in(client):
    response = client.post(
        reverse("accounts:signup"),
        {
            "username": "ada",
            "first_name": "Ada",
            "email": "ada@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="ada")
    assert user.email == "ada@example.com"
    page = client.get("/")
    assert "Ada" in page.content.decode()
    assert "Log out" in page.content.decode()


def test_sign_up_with_mismatched_passwords_rerenders_with_error(client):
    response = client.post(
        reverse("accounts:signup"),
        {
            "username": "bob",
            "first_name": "Bob",
            "email": "b@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD + "x",
        },
    )
    assert response.status_code == 400
    assert (
        "didn’t match" in response.content.decode() or "didn't match" in response.content.decode()
    )
    assert not get_user_model().objects.filter(username="bob").exists()


def test_sign_up_refuses_duplicate_email(client):
    UserFactory(username="first", email="same@example.com")
    response = client.post(
        reverse("accounts:signup"),
        {
            "username": "second",
            "first_name": "S",
            "email": "SAME@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 400
    assert "already exists" in response.content.decode()


def test_failed_login_shows_form_again_with_error(client):
    UserFactory(username="carol")
    response = client.post(reverse("accounts:login"), {"username": "carol", "password": "wrong"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "enter a correct username and password" in body
    assert 'name="password"' in body
    assert "_auth_user_id" not in client.session


def test_login_and_logout(client):
    user = UserFactory(username="dave", first_name="Dave")
    response = client.post(reverse("accounts:login"), {"username": "dave", "password": PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_post_without_csrf_token_is_refused():
    UserFactory(username="erin")
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("accounts:login"), {"username": "erin", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in strict.session
    response = strict.post(
        reverse("accounts:signup"),
        {
            "username": "x",
            "first_name": "x",
            "email": "x@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 403
    assert not get_user_model().objects.filter(username="x").exists()


def test_login_is_rate_limited(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="frank")
    for _ in range(3):
        client.post(reverse("accounts:login"), {"username": "frank", "password": "nope"})
    response = client.post(reverse("accounts:login"), {"username": "frank", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed log-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_open_redirect_after_signup_is_refused(client):
    response = client.post(
        reverse("accounts:signup") + "?next=https://evil.example/",
        {
            "username": "gina",
            "first_name": "G",
            "email": "g@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_password_spraying_from_one_address_is_locked_across_usernames(client, settings):
    """Few guesses at each of many accounts: the (username, IP) limit is never reached, the
    per-IP limit is."""
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_IP_FAILURE_LIMIT = 12
    victims = [UserFactory(username=f"victim{i}") for i in range(6)]
    statuses = [
        client.post(
            reverse("accounts:login"), {"username": victim.username, "password": "nope"}
        ).status_code
        for victim in victims
        for _ in range(2)
    ]
    # The form again each time (2 < 5 per account), until the address reaches its limit.
    assert statuses == [200] * 11 + [429]
    other_address = Client(REMOTE_ADDR="203.0.113.9")
    response = client.post(
        reverse("accounts:login"), {"username": victims[0].username, "password": PASSWORD}
    )
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    fresh = UserFactory(username="untouched")
    response = client.post(reverse("accounts:login"), {"username": "untouched", "password": "x"})
    assert response.status_code == 429
    # Another address is not affected.
    response = other_address.post(
        reverse("accounts:login"), {"username": fresh.username, "password": PASSWORD}
    )
    assert response.status_code == 302 and "_auth_user_id" in other_address.session


def test_a_300_character_username_is_a_form_error_not_a_500(client):
    response = client.post(reverse("accounts:login"), {"username": "u" * 300, "password": "x"})
    assert response.status_code == 200
    assert "at most 150 characters" in response.content.decode()
    response = client.post("/admin/login/", {"username": "u" * 300, "password": "x"})
    assert response.status_code == 200
