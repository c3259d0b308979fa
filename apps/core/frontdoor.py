"""Page-cache hits answered at the top of the middleware stack, before the URL resolver.

A warm anonymous page is one Redis round trip and one join (apps.core.pagecache), yet a hit
still went through every middleware's layer, the URL resolver (the catalog's include, then the
CMS catch-all's neighbours), the view's decorators and Django's view machinery before reaching
the cache: about as much again as the hit itself. `PageCacheFrontDoor` sits just below the gzip
middleware and answers a hit for a visitor who has no session cookie and no messages cookie,
the only visitors for whom what the layers below do is known without running a view:

- they are anonymous (the session is where a signed-in user is found), so the page cache would
  serve them;
- their flash messages are empty (kept in that cookie or in the session), so the messages hole
  is empty and the htmx messages middleware adds nothing;
- the session, common, CSRF, authentication, clickjacking and CSP middleware still run, their
  own request and response phases (Django's code, not a copy), so the cookies, `Vary` and
  security headers of a front-door answer are the ones the full stack gives; the other layers
  below (the messages middleware, whose storage is empty for these visitors, django-htmx's
  request attribute, the 503 and axes wrappers, the view decorators) do nothing to a cached 200.

The lookup reads the head of `page_key(request)` together with every version counter a cached
view declared (`pagecache.version_names`) in the one round trip a hit costs anyway; the head
names the counters it was rendered under. Anything else (a miss, a stale head, a head without
names, a counter the process has not seen yet) passes down the stack, and the view's page cache
reuses what was read (`pagecache.LOOKUP`) instead of asking Redis again. A path whose request
no cached view took (the cart, a form, a 404) is remembered (`_plain`, bounded) and its later
requests go straight down without the lookup.

The front door stays open only while the middleware below it are the ones it knows
(`THROUGH` and `PASSED`); with any other, it passes every request down (system check
shop.W003 says so), because it cannot know what that middleware would add.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string

from . import pagecache
from .lru import LRU

# Below the front door, in settings.MIDDLEWARE order: those a cached page goes through (request
# phase in this order, response phase in reverse), and those that do nothing to one.
THROUGH = (
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "apps.accounts.middleware.AuthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
)
PASSED = (
    # No messages cookie and no session: its storage would be empty (the messages hole reads
    # `get_messages`, which is empty without it too) and its response phase writes nothing.
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "apps.core.middleware.HtmxMessagesMiddleware",
    "apps.core.middleware.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",
)
NAME = "apps.core.frontdoor.PageCacheFrontDoor"


def _below() -> list[str]:
    """settings.MIDDLEWARE below the front door (empty when it is not in the stack)."""
    stack = list(settings.MIDDLEWARE)
    return stack[stack.index(NAME) + 1 :] if NAME in stack else []


def unknown_below() -> list[str]:
    """Middleware below the front door that it does not know (empty when it is open)."""
    return [name for name in _below() if name not in THROUGH + PASSED]


def _never(request: HttpRequest) -> HttpResponse:  # pragma: no cover - never called
    raise AssertionError("the front door does not call down through these")


class PageCacheFrontDoor:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.open = not unknown_below()
        # The THROUGH middleware in stack order (their get_response is never called): their
        # request phases in that order, their response phases in reverse, found once here.
        chain = [import_string(name)(_never) for name in _below() if name in THROUGH]
        self.requests = [m.process_request for m in chain if hasattr(m, "process_request")]
        self.responses = [
            m.process_response for m in reversed(chain) if hasattr(m, "process_response")
        ]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not (self.open and _eligible(request)) or _plain.get(request.path):
            return self.get_response(request)
        entry = pagecache.front_lookup(request)
        if entry is not None:
            return self._answer(request, entry)
        response = self.get_response(request)
        if hasattr(request, pagecache.LOOKUP):  # no cached view took it: not one of theirs
            _plain.put(request.path, True)
        return response

    def _answer(self, request: HttpRequest, entry: dict) -> HttpResponse:
        for process_request in self.requests:
            # None for these on an eligible request (see _eligible for CommonMiddleware's).
            process_request(request)
        # The view's page cache asks whether the visitor is signed in before anything else; so
        # does this (the session is read, so the answer varies on Cookie, as the stack's does).
        if not pagecache.eligible(request):  # pragma: no cover - no session cookie, anonymous
            return self.get_response(request)
        response = pagecache.respond(request, entry)
        for process_response in self.responses:
            response = process_response(request, response)
        return response


# Paths this process answered with a view that is not page-cached (the cart, a form, a 404 the
# resolver gave): their requests go straight down, without the lookup's round trip.
_plain = LRU(10_000)


def _eligible(request: HttpRequest) -> bool:
    """A GET from a visitor without a session or messages cookie, on settings under which
    CommonMiddleware's request phase neither redirects nor refuses."""
    cookies = request.COOKIES
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in cookies
        and CookieStorage.cookie_name not in cookies
        and not settings.PREPEND_WWW
        and not settings.DISALLOWED_USER_AGENTS
    )
