"""Settings parse the environment strictly: a bad value stops start-up with a clear message."""

from __future__ import annotations

import logging
import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from clinic.lib.env import env_bool, env_int


def run_check(*args: str, **env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=settings.BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_env_bool_rejects_a_bad_value(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG")


def test_env_int_rejects_text_and_too_small(monkeypatch):
    monkeypatch.setenv("X_NUM", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_NUM must be a whole number"):
        env_int("X_NUM", 1)
    monkeypatch.setenv("X_NUM", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("X_NUM", 1, minimum=1)


def test_production_without_a_secret_refuses_to_start():
    result = run_check(DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_a_bad_boolean_in_the_environment_stops_start_up():
    result = run_check(DJANGO_DEBUG="perhaps")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be one of" in result.stderr


def test_the_log_level_applies_to_django_too_and_a_bad_one_stops_start_up():
    result = run_check(DJANGO_DEBUG="1", DJANGO_LOG_LEVEL="loud")
    assert result.returncode != 0
    assert "DJANGO_LOG_LEVEL must be one of" in result.stderr
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, logging; django.setup(); print(logging.getLogger('django').level)",
        ],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_DEBUG": "1",
            "DJANGO_LOG_LEVEL": "warning",
            "DJANGO_SETTINGS_MODULE": "clinic.settings",
        },
    )
    assert probe.stdout.strip() == str(logging.WARNING), probe.stderr


def test_debug_is_off_unless_asked_for():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='clinic.settings';"
            "from django.conf import settings;print(settings.DEBUG)",
        ],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        },
    )
    assert result.stdout.strip() == "False", result.stderr


def test_settings_are_japanese_first_in_tokyo():
    assert settings.LANGUAGE_CODE == "ja"
    assert [code for code, _ in settings.LANGUAGES] == ["ja", "en"]
    assert settings.TIME_ZONE == "Asia/Tokyo"
    assert "django.middleware.locale.LocaleMiddleware" in settings.MIDDLEWARE
    assert "django_htmx.middleware.HtmxMiddleware" in settings.MIDDLEWARE


def production_env(tmp_path) -> dict[str, str]:
    """The environment the README's deployment section sets (SQLite under tmp instead of PostgreSQL)."""
    return {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "consult.example.jp",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://consult.example.jp",
        "DJANGO_BEHIND_PROXY": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }


def test_check_deploy_is_clean_under_the_documented_production_settings(tmp_path):
    result = run_check("--deploy", "--fail-level", "WARNING", **production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize(
    "secret,message",
    [
        (None, "DJANGO_SECRET_KEY must be set"),
        ("", "DJANGO_SECRET_KEY must be set"),
        ("insecure-dev-only-secret-do-not-use-in-production", "the development default"),
        ("short-but-random-Qx7p", "at least 50 characters"),
        ("ab" * 30, "5 different ones"),
        ("django-insecure-" + "k8$w!z0q^r" * 6, "'django-insecure-' key"),
    ],
    ids=["missing", "empty", "default", "short", "repetitive", "django-insecure"],
)
def test_production_refuses_to_start_with_a_weak_secret(tmp_path, secret, message):
    env = production_env(tmp_path)
    if secret is None:
        del env["DJANGO_SECRET_KEY"]
    else:
        env["DJANGO_SECRET_KEY"] = secret
    result = run_check(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr
    assert "secrets.token_urlsafe(50)" in result.stderr  # and says how to make a good one


def test_the_behind_proxy_setting_trusts_the_proxys_scheme(tmp_path):
    code = "from django.conf import settings; print(settings.BEHIND_PROXY, settings.SECURE_PROXY_SSL_HEADER)"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(production_env(tmp_path), DJANGO_SETTINGS_MODULE="clinic.settings")
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "True ('HTTP_X_FORWARDED_PROTO', 'https')", result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/consultations/", "/admin/login/"])
def test_responses_carry_the_security_headers(client, counselor, path):
    client.force_login(counselor)
    response = client.get(path)
    policy = dict(
        (directive.split(" ", 1) + [""])[:2] for directive in response["Content-Security-Policy"].split("; ")
    )
    assert policy["script-src"] == "'self'"  # htmx from our static files; no inline script, no eval
    assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'" and policy["base-uri"] == "'self'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_pages_hold_no_inline_script_for_the_policy_to_block(client, counselor):
    """script-src 'self' only works if every script is a file: none is written into the page."""
    client.force_login(counselor)
    for path in ("/accounts/login/", "/consultations/", "/consultations/new/", "/catalog/treatments/"):
        body = client.get(path).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", body):
            assert "src=" in tag or 'type="application/json"' in tag, (path, tag)
        assert not re.search(r"\son[a-z]+=", body), path  # no onclick= and the like


@pytest.mark.django_db
def test_https_responses_carry_hsts_in_production(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
