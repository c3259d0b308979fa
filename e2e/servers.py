"""The shop served the way docker-compose.yml serves it, for the production journey.

gunicorn runs `shop.settings.prod` (with the compose file's plain-HTTP overrides and a real
SECRET_KEY) against the test database and Redis; nginx, started from the compose file's own
template (deploy/nginx/hypershop.conf.template) on a free port, serves /static/ from a fresh
collectstatic and /media/ from the test's MEDIA_ROOT and proxies the rest to gunicorn. Both run in
their own process groups and are stopped (and waited for) on exit, whatever happened.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "deploy" / "nginx" / "hypershop.conf.template"
NGINX_BINARIES = ("/usr/sbin/nginx", "nginx")

# docker-compose.yml's web environment for plain HTTP on localhost.
PLAIN_HTTP = {
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "SECURE_HSTS_SECONDS": "0",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_binary() -> str:
    for candidate in NGINX_BINARIES:
        if found := shutil.which(candidate):
            return found
    raise RuntimeError(
        "nginx is missing: run 'make system-packages' (Debian: apt-get install nginx)"
    )


def render_template(values: dict[str, str]) -> str:
    """What the nginx image's entrypoint does: replace ${NAME} for the names it is given, and
    leave nginx's own $variables alone."""
    text = TEMPLATE.read_text()
    return re.sub(r"\$\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), text)


def nginx_conf(
    workdir: Path, port: int, upstream: str, static_root: Path, media_root: Path
) -> Path:
    """A whole nginx.conf around the rendered server block, with every path inside `workdir`."""
    server = render_template(
        {
            "NGINX_PORT": f"127.0.0.1:{port}",
            "UPSTREAM": upstream,
            "STATIC_ROOT": str(static_root),
            "MEDIA_ROOT": str(media_root),
        }
    )
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read the test's tmp dirs
    conf = workdir / "nginx.conf"
    conf.write_text(
        f"""{user}worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {workdir}/access.log;
    client_body_temp_path {workdir}/client_body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
    sendfile on;
{server}
}}
"""
    )
    return conf


def wait_for(url: str, process: subprocess.Popen, what: str, timeout: float = 60) -> None:
    """Until `url` answers; fails at once if `process` exits, or after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start ({url})") from None
            time.sleep(0.2)


@contextlib.contextmanager
def process_group(
    command: list[str], env: dict[str, str], log: Path | None
) -> Iterator[subprocess.Popen]:
    """`command` in its own process group, its output in `log` (None: stdout dropped, stderr
    kept); on exit the whole group gets SIGTERM, then SIGKILL after 15 s (the benchmarks'
    servers use it too, bench/server.py)."""
    with contextlib.ExitStack() as stack:
        if log is None:
            out, err = subprocess.DEVNULL, None
        else:
            out, err = stack.enter_context(log.open("wb")), subprocess.STDOUT
        process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=out, stderr=err, start_new_session=True
        )
        try:
            yield process
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def production_env(database_url: str, redis_url: str, static_root: Path, media_root: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(PLAIN_HTTP)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "shop.settings.prod",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "STATIC_ROOT": str(static_root),
            "MEDIA_ROOT": str(media_root),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


@contextlib.contextmanager
def production_shop(
    workdir: Path, database_url: str, redis_url: str, media_root: Path
) -> Iterator[str]:
    """nginx (static, media) in front of gunicorn (shop.settings.prod); yields nginx's base URL."""
    static_root = workdir / "static"
    env = production_env(database_url, redis_url, static_root, media_root)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    app_port, web_port = free_port(), free_port()
    gunicorn = [
        sys.executable,
        "-m",
        "gunicorn",
        "shop.wsgi:application",
        "--bind",
        f"127.0.0.1:{app_port}",
        "--workers",
        "2",
        "--threads",
        "4",
        "--worker-class",
        "gthread",
        "--timeout",
        "60",
    ]
    with process_group(gunicorn, env, workdir / "gunicorn.log") as app:
        wait_for(f"http://127.0.0.1:{app_port}/healthz", app, "gunicorn")
        conf = nginx_conf(workdir, web_port, f"127.0.0.1:{app_port}", static_root, media_root)
        nginx = [nginx_binary(), "-c", str(conf), "-p", str(workdir), "-g", "daemon off;"]
        with process_group(nginx, env, workdir / "nginx.log") as web:
            url = f"http://127.0.0.1:{web_port}"
            wait_for(url + "/healthz", web, "nginx")
            yield url
