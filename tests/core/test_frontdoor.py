"""The page cache's front door (apps.core.frontdoor): a warm anonymous page answered above the
middleware stack and the URL resolver is the response the whole stack gives for the same
request (status, headers, cookies, body), but for the visitor's own CSRF token and CSP nonce.
The whole stack is the oracle: a client whose handler has no front door."""

from __future__ import annotations

import gzip
import re

import pytest
from django.conf import settings
from django.core.checks import run_checks
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client, override_settings

from apps.core import frontdoor, pagecache
from tests.catalog.factories import small_catalog
from tests.factories import boot
from tests.layout.factories import grid_skus, hero, publish_home

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture
def shop():
    catalog = small_catalog()
    publish_home(("hero", hero("Live hero")), ("main", grid_skus([catalog["products"]["P1"].sku])))
    product, variants = boot(sizes=("41", "42"), colours=("Black", "Brown"))
    chosen = variants[("Brown", "41")]
    url = product.get_absolute_url()
    return [
        ("/", {}),
        ("/", HX),
        ("/catalog/", {}),
        ("/catalog/", GZIP),
        ("/catalog/?colour=red", HX),
        ("/catalog/?colour=red&size=S", {}),
        ("/catalog/?q=P1", HX),
        ("/catalog/shoes/", {}),
        (catalog["products"]["P1"].get_absolute_url(), {}),
        (url, {}),
        (f"{url}?variant={chosen.sku}", {}),
        (f"{url}?colour=Brown&size=41", HX),
    ]


@pytest.fixture
def answered(monkeypatch) -> list[str]:
    """Paths the front door answered (its own method, wrapped to record the call)."""
    seen: list[str] = []
    real = frontdoor.PageCacheFrontDoor._answer

    def answer(self, request, entry):
        seen.append(request.get_full_path())
        return real(self, request, entry)

    monkeypatch.setattr(frontdoor.PageCacheFrontDoor, "_answer", answer)
    return seen


def whole_stack(**defaults) -> Client:
    """A client whose handler was built without the front door (the oracle)."""
    below = [name for name in settings.MIDDLEWARE if name != frontdoor.NAME]
    client = Client(**defaults)
    with override_settings(MIDDLEWARE=below):
        client.handler.load_middleware()
    return client


def warm(url: str, headers: dict) -> None:
    for _ in range(2):  # the first may find a version counter not in Redis yet
        assert Client().get(url, headers=headers).status_code == 200


def text_of(response) -> str:
    body = response.content
    if response.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return body.decode()


def normal(response) -> dict:
    """What must be equal: every header and cookie attribute, the body, with this response's
    nonce and masked CSRF tokens replaced by placeholders (checked separately)."""
    policy = response.get("Content-Security-Policy", "")
    nonce = re.search(r"'nonce-([^']+)'", policy)
    text = text_of(response)
    if nonce:
        text = text.replace(nonce.group(1), "NONCE")
        policy = policy.replace(nonce.group(1), "NONCE")
    text = re.sub(r"\b[A-Za-z0-9]{64}\b", "TOKEN", text)
    headers = {k: v for k, v in response.items() if k not in ("Content-Length",)}
    headers["Content-Security-Policy"] = policy
    cookies = {
        name: {k: v for k, v in morsel.items() if k != "expires"}
        for name, morsel in response.cookies.items()
    }
    return {"status": response.status_code, "headers": headers, "cookies": cookies, "body": text}


def test_a_front_door_answer_is_what_the_whole_stack_answers(shop, answered):
    for url, headers in shop:
        warm(url, headers)
        answered.clear()
        door = Client().get(url, headers=headers)
        assert answered == [url], f"{url} was not answered by the front door"
        stack = whole_stack().get(url, headers=headers)
        assert answered == [url]  # the oracle did not go through it
        assert normal(door) == normal(stack), url
        for response in (door, stack) if "HX-Request" not in headers else ():
            body = normal(response)["body"]
            assert "TOKEN" in body and "NONCE" in body  # the holes were there to fill
            secret = response.cookies["csrftoken"].value
            tokens = re.findall(r"\b[A-Za-z0-9]{64}\b", text_of(response))
            assert tokens and all(_unmask_cipher_token(token) == secret for token in tokens)


def test_a_returning_visitors_csrf_cookie_is_kept_and_renewed_as_the_stack_does(shop, answered):
    url, headers = shop[2]
    warm(url, headers)
    answered.clear()
    secret = "A" * 32
    door, stack = Client(), whole_stack()
    door.cookies["csrftoken"] = stack.cookies["csrftoken"] = secret
    ours, theirs = door.get(url), stack.get(url)
    assert answered == [url]
    assert normal(ours) == normal(theirs)
    assert ours.cookies["csrftoken"].value == secret == theirs.cookies["csrftoken"].value
    token = re.search(r'"x-csrftoken": "([^"]+)"', ours.text).group(1)
    assert _unmask_cipher_token(token) == secret
    # A malformed cookie is replaced, as CsrfViewMiddleware replaces it.
    door.cookies["csrftoken"] = "not a secret"
    assert door.get(url).cookies["csrftoken"].value != "not a secret"


@pytest.mark.parametrize(
    "cookie", [settings.SESSION_COOKIE_NAME, "messages"], ids=["session", "messages"]
)
def test_a_visitor_with_a_session_or_messages_cookie_goes_down_the_stack(shop, answered, cookie):
    url, headers = shop[2]
    warm(url, headers)
    answered.clear()
    visitor = Client()
    visitor.cookies[cookie] = "anything"
    assert visitor.get(url).status_code == 200
    assert answered == []


def test_only_a_get_is_answered(shop, answered):
    url, _ = shop[2]
    warm(url, {})
    answered.clear()
    assert Client().head(url).status_code == 200  # answered by the view (require_safe)
    assert Client().post(url).status_code == 405
    assert answered == []


def test_a_miss_reads_redis_once_and_a_plain_path_is_not_looked_up_again(shop, monkeypatch):
    """On a miss the view's page cache takes what the front door read (no second round trip);
    a path no cached view answers is remembered and its next requests skip the lookup."""
    calls: list[list[str]] = []
    real = pagecache.cache.get_many

    def get_many(keys, *args, **kwargs):
        calls.append(list(keys))
        return real(keys, *args, **kwargs)

    monkeypatch.setattr(pagecache.cache, "get_many", get_many)
    frontdoor._plain.items.clear()
    assert Client().get("/catalog/").status_code == 200
    assert len([keys for keys in calls if any(k.startswith("page:") for k in keys)]) == 1
    calls.clear()
    for _ in range(3):
        assert Client().get("/cart/").status_code == 200
    assert len(calls) == 1  # the first request to /cart/ only
    assert frontdoor._plain.get("/cart/")


def test_an_unknown_middleware_below_closes_the_front_door(shop, answered):
    url, _ = shop[2]
    warm(url, {})
    answered.clear()
    stack = [*settings.MIDDLEWARE, "django.middleware.locale.LocaleMiddleware"]
    with override_settings(MIDDLEWARE=stack):
        assert frontdoor.unknown_below() == ["django.middleware.locale.LocaleMiddleware"]
        assert [w.id for w in run_checks() if w.id == "shop.W003"] == ["shop.W003"]
        client = Client()
        client.handler.load_middleware()
        assert client.get(url).status_code == 200
    assert answered == []
    assert [w.id for w in run_checks() if w.id == "shop.W003"] == []


def test_the_front_door_sits_below_gzip_and_is_open_in_production_settings():
    order = settings.MIDDLEWARE
    assert order.index("django.middleware.gzip.GZipMiddleware") < order.index(frontdoor.NAME)
    assert frontdoor.unknown_below() == []
