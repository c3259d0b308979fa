"""Deployment configuration: production settings pass `check --deploy`; compose file is valid."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_has_no_warnings_with_production_settings():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "shop.settings.prod",
        "SECRET_KEY": "x7!kQ2#pL9@vR4$wZ8^mN1&bT6*cY3(hJ5)dF0_gS-+eA=uI[oP]lK{jH}",
        "ALLOWED_HOSTS": "shop.example.com",
        "SITE_URL": "https://shop.example.com",
        "PAYMENT_WEBHOOK_SECRET": "whsec_7f3c9a1e5b2d8f4a6c0e9b7d3a1f5c8e",
    }
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout
    # Without a public SITE_URL (e-mail links) and a real webhook secret, it warns.
    env = {k: v for k, v in env.items() if k not in {"SITE_URL", "PAYMENT_WEBHOOK_SECRET"}}
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode != 0
    assert "shop.W001" in result.stderr + result.stdout
    assert "shop.W002" in result.stderr + result.stdout


def test_production_redirects_to_https_except_the_health_check(tmp_path):
    """The compose file's health check calls /healthz over HTTP inside the container."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "DJANGO_SETTINGS_MODULE": "shop.settings.prod",
        "SECRET_KEY": "x7!kQ2#pL9@vR4$wZ8^mN1&bT6*cY3(hJ5)dF0_gS-+eA=uI[oP]lK{jH}",
        "ALLOWED_HOSTS": "testserver",
        "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
    }
    script = (
        "import django; django.setup(); from django.test import Client; c = Client(); "
        "print(c.get('/healthz').status_code, c.get('/').status_code, c.get('/')['Location'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "301", "https://testserver/"]


def test_production_settings_refuse_to_start_without_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["DJANGO_SETTINGS_MODULE"] = "shop.settings.prod"
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_docker_compose_file_is_valid():
    if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        command = ["docker", "compose", "config", "--quiet"]
    else:
        compose = shutil.which("docker-compose")
        assert compose, "no compose implementation: run 'make system-packages'"
        command = [compose, "config", "--quiet"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_compose_has_nginx_serve_static_and_media_from_the_web_volumes():
    """Production serves /media/ (and /static/) through nginx from volumes the web process fills:
    Django itself serves no media with DEBUG off."""
    compose = (ROOT / "docker-compose.yml").read_text()
    web = compose.split("\n  web:\n")[1].split("\n  nginx:\n")[0]
    nginx = compose.split("\n  nginx:\n")[1].split("\nvolumes:\n")[0]
    assert "STATIC_ROOT: /app/staticfiles" in web and "MEDIA_ROOT: /app/media" in web
    assert "- static:/app/staticfiles" in web and "- media:/app/media" in web
    assert "collectstatic" in web
    assert '"8000:8000"' not in web  # reached through nginx only
    assert "STATIC_ROOT: /srv/static" in nginx and "MEDIA_ROOT: /srv/media" in nginx
    assert "- static:/srv/static:ro" in nginx and "- media:/srv/media:ro" in nginx
    assert "deploy/nginx/hypershop.conf.template:/etc/nginx/templates/" in nginx
    template = (ROOT / "deploy" / "nginx" / "hypershop.conf.template").read_text()
    for name in set(re.findall(r"\$\{(\w+)\}", template)):
        assert f"      {name}: " in nginx, f"the nginx service does not set {name}"


def test_nginx_template_renders_to_a_valid_config(tmp_path):
    from e2e.servers import nginx_binary, nginx_conf

    conf = nginx_conf(tmp_path, 8080, "127.0.0.1:8000", tmp_path / "static", tmp_path / "media")
    result = subprocess.run(
        [nginx_binary(), "-t", "-c", str(conf), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert (
        "location /media/" in conf.read_text() and f"alias {tmp_path}/media/;" in conf.read_text()
    )
