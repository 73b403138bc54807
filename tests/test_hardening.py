"""Hardened with DEBUG off: the deployment check is clean with production variables, HTTPS behind a
TLS-terminating proxy (redirect and HSTS), a Content-Security-Policy on every page, and a session
that ends a fixed time after login however busy it is."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.urls import reverse

from core.middleware import SESSION_LOGIN_AT
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "k7Qp2-xV9rT4mZ8wL1sN6bY3cH5jF0gD7aE2uR9iO4pK1lM8nB6vC3xZ5qW0eS",
    "ALLOWED_HOSTS": "ict-portal.example.lg.jp",
    "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
}


def _django(*args, **variables):
    """Runs manage.py in a process of its own, with only the given portal variables set."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_", "ALLOWED_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**kept, **variables},
        capture_output=True,
        text=True,
    )


def test_the_deployment_check_is_clean_with_production_variables():
    checked = _django("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert (checked.returncode, checked.stdout.strip()) == (
        0,
        "System check identified no issues (1 silenced).",
    )


def test_the_deployment_check_fails_without_the_tls_proxy_header():
    checked = _django(
        "check", "--deploy", "--fail-level", "WARNING", **{**PRODUCTION, "SECURE_PROXY_SSL_HEADER": ""}
    )
    assert checked.returncode == 1
    assert "security.W004" in checked.stderr and "security.W008" in checked.stderr


def _https_settings(**variables) -> str:
    shown = _django(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(getattr(s, 'SECURE_PROXY_SSL_HEADER', None), "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS)",
        **variables,
    )
    assert shown.returncode == 0, shown.stderr
    return shown.stdout.strip()


def test_https_settings_follow_the_tls_proxy_header_and_can_be_set_one_by_one():
    assert _https_settings(**PRODUCTION) == "('HTTP_X_FORWARDED_PROTO', 'https') True 31536000 True"
    assert _https_settings(**{**PRODUCTION, "SECURE_PROXY_SSL_HEADER": ""}) == "None False 0 True"
    assert (
        _https_settings(**PRODUCTION, SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="3600")
        == "('HTTP_X_FORWARDED_PROTO', 'https') False 3600 True"
    )


@pytest.fixture
def behind_a_tls_proxy(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000


def test_behind_the_proxy_http_is_redirected_and_https_answered_with_hsts(plan, client, behind_a_tls_proxy):
    plain = client.get("/", headers={"X-Forwarded-Proto": "http"})
    assert (plain.status_code, plain["Location"]) == (301, "https://testserver/")
    secure = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    health = client.get("/healthz", headers={"X-Forwarded-Proto": "http"})
    assert (health.status_code, health.content) == (200, b"ok")  # the load balancer's plain check


def test_every_page_carries_the_content_security_policy(plan, client):
    pages = ["/", reverse("admin:login"), "/no-such-page/"]
    answers = [client.get(url) for url in pages]
    assert [answer.status_code for answer in answers] == [200, 200, 404]
    assert [answer["Content-Security-Policy"] for answer in answers] == [POLICY] * 3
    client.force_login(factories.user("dx-suzuki", is_superuser=True))
    for url in (reverse("admin:index") + "?menu", "/dashboard/", reverse("admin:auth_user_changelist")):
        answer = client.get(url)
        assert (url, answer.status_code, answer["Content-Security-Policy"]) == (url, 200, POLICY)


def test_a_session_ends_ten_hours_after_login_however_busy(plan, client):
    client.force_login(factories.user("tanaka", is_superuser=True))
    first = client.get(reverse("admin:index") + "?menu")
    assert first.status_code == 200
    logged_in_at = client.session[SESSION_LOGIN_AT]
    assert time.time() - 5 < logged_in_at <= time.time()
    session = client.session
    session[SESSION_LOGIN_AT] = time.time() - 10 * 60 * 60 + 60  # a minute before the end
    session.save()
    assert client.get(reverse("admin:index") + "?menu").status_code == 200

    session = client.session
    session[SESSION_LOGIN_AT] = time.time() - 10 * 60 * 60 - 1
    session.save()
    ended = client.get("/dashboard/?year=2025")
    assert (ended.status_code, ended["Location"]) == (302, "/admin/login/?next=/dashboard/%3Fyear%3D2025")
    login_page = client.get(ended["Location"]).content.decode()
    assert "ログインから10時間が経ったため、ログアウトしました。もう一度ログインしてください。" in login_page
    assert "_auth_user_id" not in client.session
