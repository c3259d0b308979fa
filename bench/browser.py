"""A shopper as a browser would be one: a cookie jar (session and CSRF cookies), the CSRF token
sent back in the header htmx uses, no automatic redirects (the benchmarks time each request)."""

from __future__ import annotations

import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str
    ms: float

    @property
    def queries(self) -> int:
        return int(self.headers.get("X-Query-Count", "-1"))

    def hidden(self, name: str) -> str:
        match = re.search(rf'name="{name}"\s+value="([^"]*)"', self.body) or re.search(
            rf'value="([^"]*)"\s+name="{name}"', self.body
        )
        if not match:
            raise LookupError(f"no hidden field {name!r} in the page")
        return match[1]


class Shopper:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.jar if c.name == name), "")

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def request(
        self, path: str, data: dict | None = None, htmx: bool = False, follow: bool = True
    ) -> Answer:
        headers = {"HX-Request": "true"} if htmx else {}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["X-CSRFToken"] = self.cookie("csrftoken")
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.base_url + path, data=body, headers=headers)
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=60) as response:
                body = response.read().decode()
                answer = Answer(response.status, dict(response.headers), body, 0)
        except urllib.error.HTTPError as error:
            answer = Answer(error.code, dict(error.headers), error.read().decode(), 0)
        answer.ms = (time.perf_counter() - started) * 1000
        if follow and answer.status in (301, 302, 303) and "Location" in answer.headers:
            location = urllib.parse.urljoin(self.base_url + path, answer.headers["Location"])
            return self.request(location.removeprefix(self.base_url), htmx=htmx)
        return answer

    def get(self, path: str, htmx: bool = False) -> Answer:
        return self.request(path, htmx=htmx)

    def post(self, path: str, data: dict, htmx: bool = False, follow: bool = True) -> Answer:
        return self.request(path, data=data, htmx=htmx, follow=follow)
