"""Accounts: throttled logins, long passwords, and an idle time-out that warns before it happens."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests import factories


def _login(client, password):
    return client.post(reverse("admin:login") + "?next=/admin/", {"username": "tanaka", "password": password})


def test_five_failed_logins_lock_the_account_for_a_while(plan, client):
    factories.user("tanaka")
    for _ in range(4):
        assert (
            "正しいユーザー名とパスワードを入力してください"
            in _login(client, "wrong-password-123").content.decode()
        )
    assert _login(client, "wrong-password-123").status_code == 429  # the fifth failure locks
    locked = _login(client, factories.PASSWORD)
    assert locked.status_code == 429
    assert (
        "パスワードの誤りが続いたため、この接続元からは30分間ログインできません。" in locked.content.decode()
    )


def test_a_correct_login_before_the_limit_resets_the_count(plan, client):
    factories.user("tanaka")
    for _ in range(4):
        _login(client, "wrong-password-123")
    assert _login(client, factories.PASSWORD).status_code == 302


@pytest.mark.django_db
def test_passwords_need_twelve_characters():
    with pytest.raises(ValidationError) as caught:
        validate_password("Sagami-2024")
    assert "このパスワードは短すぎます。最低 12 文字以上必要です。" in caught.value.messages
    validate_password("sagamihara-ict-2024")


def test_staff_pages_warn_before_the_idle_time_out(plan, client, settings):
    settings.SESSION_COOKIE_AGE = 1800
    client.force_login(factories.user("tanaka"))
    page = client.get(reverse("admin:index")).content.decode()
    assert (
        'src="/static/js/session-timeout.js" defer data-session-seconds="1800" data-session-ends-in="36000" '
        'data-keepalive-url="/admin/keepalive/"' in page
    )


def test_keepalive_restarts_the_idle_period(plan, client):
    client.force_login(factories.user("tanaka"))
    first_expiry = client.session.get_expiry_date()
    response = client.get(reverse("admin:keepalive"))
    assert response.status_code == 204
    assert client.session.get_expiry_date() >= first_expiry
    client.logout()
    assert client.get(reverse("admin:keepalive")).status_code == 302
