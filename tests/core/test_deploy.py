"""Deployment configuration: production settings pass `check --deploy`; compose file is valid."""

from __future__ import annotations

import os
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
