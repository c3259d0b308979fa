"""Sessions read with their signed-in user in one query (apps.accounts.sessions and .middleware),
with every check of django.contrib.auth.get_user kept."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from apps.accounts.middleware import get_user
from apps.accounts.models import Session
from apps.accounts.sessions import SessionStore
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-77"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    return client


def request_for(client: Client):
    """A request carrying the client's session cookie, its session not read yet."""
    request = RequestFactory().get("/")
    request.session = SessionStore(client.cookies["sessionid"].value)
    return request


def test_signed_in_session_and_user_are_one_query(django_assert_num_queries):
    user = UserFactory()
    client = signed_in(user)
    request = request_for(client)
    with django_assert_num_queries(1) as captured:
        assert get_user(request) == user
    assert "JOIN" in captured.captured_queries[0]["sql"]


def test_anonymous_without_a_cookie_reads_nothing(django_assert_num_queries):
    request = RequestFactory().get("/")
    request.session = SessionStore()
    with django_assert_num_queries(0):
        assert get_user(request).is_anonymous


def test_anonymous_with_a_session_reads_only_the_row(django_assert_num_queries):
    client = Client()
    session = client.session
    session["cart"] = "something"
    session.save()
    row = Session.objects.get(pk=session.session_key)
    assert row.user_id is None
    request = request_for(client)
    with django_assert_num_queries(1):
        assert get_user(request).is_anonymous
    assert request.session["cart"] == "something"


def test_row_user_follows_login_and_logout():
    user = UserFactory()
    client = Client()
    assert client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    ).status_code in (302, 303)
    key = client.cookies["sessionid"].value
    assert Session.objects.get(pk=key).user_id == user.pk
    assert client.get(reverse("accounts:account")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(pk=key).exists()
    assert not Session.objects.filter(user=user).exists()
    assert client.get(reverse("accounts:account")).status_code == 302  # signed out


def test_cycle_key_keeps_the_user_on_the_new_row():
    user = UserFactory()
    client = signed_in(user)
    store = request_for(client).session
    old_key = store.session_key
    store.cycle_key()
    store.save()
    assert store.session_key != old_key
    assert not Session.objects.filter(pk=old_key).exists()
    assert Session.objects.get(pk=store.session_key).user_id == user.pk


def test_password_change_elsewhere_signs_other_sessions_out():
    user = UserFactory()
    here, elsewhere = signed_in(user), signed_in(user)
    elsewhere_key = elsewhere.cookies["sessionid"].value
    response = here.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    # update_session_auth_hash: the session that changed it stays signed in...
    assert here.get(reverse("accounts:account")).status_code == 200
    # ...the other one is flushed on its next request, though its row still joins the user.
    assert Session.objects.get(pk=elsewhere_key).user_id == user.pk
    assert elsewhere.get(reverse("accounts:account")).status_code == 302
    assert not Session.objects.filter(pk=elsewhere_key).exists()


def test_stale_hash_flushes_the_session():
    user = UserFactory()
    client = signed_in(user)
    session = client.session
    session[HASH_SESSION_KEY] = "0" * 64
    session.save()
    request = request_for(client)
    assert get_user(request).is_anonymous
    assert request.session.session_key is None
    assert not Session.objects.filter(pk=client.cookies["sessionid"].value).exists()


def test_inactive_user_is_anonymous():
    user = UserFactory()
    client = signed_in(user)
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    assert get_user(request_for(client)).is_anonymous
    assert client.get(reverse("accounts:account")).status_code == 302


def test_session_data_wins_over_a_disagreeing_row(django_assert_num_queries):
    """The row's user column is a copy; if it ever names someone else, the session data's
    user is read the ordinary way (a second query)."""
    user, other = UserFactory(), UserFactory()
    client = signed_in(user)
    Session.objects.filter(pk=client.cookies["sessionid"].value).update(user=other)
    request = request_for(client)
    with django_assert_num_queries(2):
        assert get_user(request) == user


def test_old_secret_key_keeps_the_user_and_cycles_the_key():
    user = UserFactory()
    client = signed_in(user)
    key = client.cookies["sessionid"].value
    rotated = {
        "SECRET_KEY": "a-new-secret-key-" + "x" * 40,
        "SECRET_KEY_FALLBACKS": [settings.SECRET_KEY],
    }
    with override_settings(**rotated):
        request = request_for(client)
        assert get_user(request) == user
        assert request.session.session_key != key
        assert request.session[SESSION_KEY] == str(user.pk)


def test_deleting_a_user_deletes_their_sessions():
    user = UserFactory()
    client = signed_in(user)
    user.delete()
    assert not Session.objects.filter(pk=client.cookies["sessionid"].value).exists()


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_the_fixed_session_query_loads_what_the_orm_loads():
    """apps.accounts.sessions._load against the ORM query it replaced (the oracle): a signed-in
    session, an anonymous one, an expired one and an unknown key."""
    from datetime import timedelta

    from django.utils import timezone

    from apps.accounts.sessions import _load

    user = UserFactory(first_name="Zoë", last_name="O'Neil", is_staff=True)
    signed = signed_in(user).cookies["sessionid"].value
    anonymous = Client()
    store = anonymous.session
    store["cart"] = 7
    store.save()
    expired = SessionStore()
    expired["x"] = 1
    expired.save()
    Session.objects.filter(pk=expired.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    for key in (signed, store.session_key, expired.session_key, "nosuchkey" * 4):
        oracle = (
            Session.objects.select_related("user")
            .filter(session_key=key, expire_date__gt=timezone.now())
            .first()
        )
        row, loaded_user = _load(Session, key)
        if oracle is None:
            assert (row, loaded_user) == (None, None), key
            continue
        assert _fields(row) == _fields(oracle)
        assert not row._state.adding and row._state.db == oracle._state.db
        if oracle.user is None:
            assert loaded_user is None and row.user is None
        else:
            assert _fields(loaded_user) == _fields(oracle.user)
            assert row.user is loaded_user
    assert _fields(_load(Session, signed)[1])["first_name"] == "Zoë"
