"""Redis paused for 10 s under load: the shop keeps answering, forgets nothing, no stale price.

    python -m bench stall [--products 1000] [--pause 10] [--connections 8]

A redis-server of the benchmark's own (free port) serves the cache of one gunicorn (production
settings, 2 workers x 4 threads). Anonymous shoppers read one product page from `--connections`
threads the whole time. After a warm-up and a few seconds of normal load, Redis is stopped with
SIGSTOP for `--pause` seconds, then resumed with SIGCONT. During the pause a signed-in shopper
logs out, and the product's price is raised by a model save (as the admin does), whose cache
invalidation cannot reach Redis.

Reported: latency (p50, p95, max) of the product page before, during and after the pause, 5xx
count, whether the logged-out session works again after the resume (it must not), and how many
product pages served after the resume showed the old price (must be 0).
"""

from __future__ import annotations

import argparse
import re
import threading
import time
import urllib.error
import urllib.request

from bench import report
from bench.browser import Shopper
from bench.common import database_url, ensure_database, percentile, prepare, print_table
from bench.server import gunicorn
from tests.redis_server import PausableRedis

PRICE = re.compile(r'"price": "([0-9.]+)"')


class Load:
    """Threads reading one URL as fast as they can; every answer recorded with its time."""

    def __init__(self, url: str, connections: int) -> None:
        self.url = url
        self.connections = connections
        self.samples: list[tuple[float, float, int, str]] = []  # start, ms, status, price
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run) for _ in range(connections)]

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                with urllib.request.urlopen(self.url, timeout=30) as response:
                    status, body = response.status, response.read().decode()
            except urllib.error.HTTPError as error:
                status, body = error.code, ""
            except OSError:
                status, body = 599, ""
            ms = (time.monotonic() - started) * 1000
            match = PRICE.search(body)
            with self._lock:
                self.samples.append((started, ms, status, match[1] if match else ""))

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def window(self, start: float, end: float) -> list[tuple[float, float, int, str]]:
        return [s for s in self.samples if start <= s[0] < end]


def _row(name: str, samples: list[tuple[float, float, int, str]]) -> list[str]:
    ms = [s[1] for s in samples] or [0.0]
    errors = sum(1 for s in samples if s[2] >= 500)
    return [
        name,
        str(len(samples)),
        f"{percentile(ms, 50):.1f}",
        f"{percentile(ms, 95):.1f}",
        f"{max(ms):.1f}",
        str(errors),
    ]


def run(products: int, pause: float, connections: int) -> dict:
    db = database_url(products)
    ensure_database(db)
    redis = PausableRedis()
    try:
        env = {"REDIS_URL": redis.url}
        target = prepare(db, "catalog", "--products", str(products), **env)
        slug = target["product_slug"]
        with gunicorn(db, workers=2, threads=4, **env) as base:
            shopper = Shopper(base)
            shopper.get("/accounts/signup/")
            name = f"stall{int(time.time())}"
            signed_up = shopper.post(
                "/accounts/signup/",
                {
                    "username": name,
                    "first_name": "Stall",
                    "email": f"{name}@example.com",
                    "password1": "a-long-enough-passphrase-42",
                    "password2": "a-long-enough-passphrase-42",
                },
            )
            assert signed_up.status == 200, signed_up.status
            assert shopper.request("/checkout/orders/", follow=False).status == 200
            session = shopper.cookie("sessionid")
            control = Shopper(base)
            control.jar.set_cookie(_cookie("sessionid", session, base))
            # The replay check can fail: the copied cookie is signed in before the logout.
            assert control.request("/checkout/orders/", follow=False).status == 200

            with Load(f"{base}/products/{slug}/", connections) as load:
                time.sleep(3)  # warm-up
                t_before = time.monotonic()
                time.sleep(4)
                t_pause = time.monotonic()
                redis.pause()
                try:
                    time.sleep(1)
                    logout = shopper.post("/accounts/logout/", {}, follow=False)
                    changed = prepare(db, "price", "--slug", slug, **env)
                    time.sleep(max(0.0, pause - (time.monotonic() - t_pause)))
                finally:
                    redis.resume()
                t_resume = time.monotonic()
                time.sleep(6)
                t_end = time.monotonic()

            replay = Shopper(base)
            replay.jar.set_cookie(_cookie("sessionid", session, base))
            resurrected = replay.request("/checkout/orders/", follow=False).status == 200
            final_price = PRICE.search(Shopper(base).get(f"/products/{slug}/").body)[1]
    finally:
        redis.stop()

    before = load.window(t_before, t_pause)
    during = load.window(t_pause, t_resume)
    after = load.window(t_resume, t_end)
    stale_after = sum(1 for s in after if s[3] and s[3] != changed["price"])
    rows = [
        _row("before the pause", before),
        _row(f"Redis paused ({pause:g} s)", during),
        _row("after the resume", after),
    ]
    print_table(["product page", "requests", "p50 ms", "p95 ms", "max ms", "5xx"], rows)
    result = {
        "products": products,
        "pause_s": pause,
        "connections": connections,
        "rows": rows,
        "logout_status": logout.status,
        "session_resurrected": resurrected,
        "price_save_ms_during_pause": round(changed["save_ms"], 1),
        "new_price": changed["price"],
        "final_price": final_price,
        "stale_pages_after_resume": stale_after,
        "server_errors": sum(1 for s in load.samples if s[2] >= 500),
    }
    print(
        f"  logout during the pause: {logout.status}; session resurrected after resume: "
        f"{resurrected}; price saved during the pause in {result['price_save_ms_during_pause']} "
        f"ms; product pages with the old price after the resume: {stale_after}"
    )
    return result


def _cookie(name: str, value: str, base: str):
    import http.cookiejar
    from urllib.parse import urlsplit

    host = urlsplit(base).hostname
    return http.cookiejar.Cookie(
        0,
        name,
        value,
        None,
        False,
        host,
        False,
        False,
        "/",
        True,
        False,
        None,
        False,
        None,
        None,
        {},
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench stall")
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--pause", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args(argv)
    print(f"Redis stall: {args.pause:g} s pause under {args.connections} connections")
    result = run(args.products, args.pause, args.connections)
    report.save("stall", result)
    during = result["rows"][1]
    ok = (
        result["server_errors"] == 0
        and not result["session_resurrected"]
        and result["stale_pages_after_resume"] == 0
        and float(during[3]) < 1000
    )
    return 0 if ok else 1
