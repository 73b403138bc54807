"""Login throttling behind a proxy: the client's address comes only from trusted proxies, an account
is locked only from the address its failures came from (nobody locks the DX office out from
elsewhere), and an address spraying passwords across usernames is refused for every username."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from core.throttling import client_address
from tests import factories

PROXY = "10.0.0.2"  # the reverse proxy: every request reaches the portal from it
OFFICE = "10.20.30.40"  # the DX office
OUTSIDER = "203.0.113.9"
WRONG = "wrong-password-123"
LOCKED = "パスワードの誤りが続いたため、この接続元からは30分間ログインできません。"


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        (0, "198.51.100.7", PROXY),  # no trusted proxy: the header is the client's word only
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "1.2.3.4, 198.51.100.7", "198.51.100.7"),  # the client forged the first address
        (2, "1.2.3.4, 198.51.100.7, 10.0.0.1", "198.51.100.7"),
        (2, "198.51.100.7", PROXY),  # fewer addresses than proxies: not through them
        (1, "", PROXY),
        (1, "not-an-address", PROXY),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_is_read_only_from_trusted_proxies(settings, trusted, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def _login(client, username, password, address):
    return client.post(
        reverse("admin:login") + "?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=address,
    )


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8


def test_an_outsider_cannot_lock_the_dx_office_out(plan, client, behind_one_proxy):
    factories.user("dx-suzuki")
    for _ in range(4):
        assert _login(client, "dx-suzuki", WRONG, OUTSIDER).status_code == 200
    assert _login(client, "dx-suzuki", WRONG, OUTSIDER).status_code == 429  # the fifth failure locks
    refused = _login(client, "dx-suzuki", factories.PASSWORD, OUTSIDER)
    assert refused.status_code == 429
    assert LOCKED in refused.content.decode()
    office = _login(client, "dx-suzuki", factories.PASSWORD, OFFICE)
    assert (office.status_code, office["Location"]) == (302, "/admin/")


def test_an_address_spraying_passwords_is_refused_for_every_username(plan, client, behind_one_proxy):
    for name in ("sato", "takahashi", "ito", "watanabe"):
        factories.user(name)
    factories.user("sprayer-own-account")
    tries = [
        _login(client, name, WRONG, OUTSIDER).status_code
        for name in ("sato", "takahashi", "ito", "watanabe")
        for _ in range(2)  # two tries each: below the account limit
    ]
    assert tries == [200] * 7 + [429]
    # Eight failures from the address: every username is refused from it, even the right password.
    refused = _login(client, "sprayer-own-account", factories.PASSWORD, OUTSIDER)
    assert refused.status_code == 429
    assert LOCKED in refused.content.decode()
    assert _login(client, "sato", factories.PASSWORD, OUTSIDER).status_code == 429
    # Everyone else still logs in, that username included.
    assert _login(client, "sato", factories.PASSWORD, OFFICE).status_code == 302


def test_a_sprayer_cannot_clear_the_address_count_by_logging_in_to_an_own_account(
    plan, client, behind_one_proxy
):
    for name in ("sato", "takahashi", "ito"):
        factories.user(name)
    factories.user("sprayer-own-account")
    for name in ("sato", "takahashi", "ito"):
        for _ in range(2):
            assert _login(client, name, WRONG, OUTSIDER).status_code == 200
    # Six failures, two short of the address limit: a success clears only its own username's count.
    assert _login(client, "sprayer-own-account", factories.PASSWORD, OUTSIDER).status_code == 302
    client.logout()
    assert _login(client, "sato", WRONG, OUTSIDER).status_code == 200
    assert _login(client, "takahashi", WRONG, OUTSIDER).status_code == 429  # the eighth failure
    assert _login(client, "ito", factories.PASSWORD, OUTSIDER).status_code == 429


def test_staff_typing_mistakes_at_one_office_address_do_not_lock_the_office(plan, client, behind_one_proxy):
    for name in ("sato", "takahashi", "ito"):
        factories.user(name)
    for name in ("sato", "takahashi", "ito"):  # each mistypes twice, then gets it right
        for _ in range(2):
            assert _login(client, name, WRONG, OFFICE).status_code == 200
        assert _login(client, name, factories.PASSWORD, OFFICE).status_code == 302
        client.logout()
    factories.user("yamamoto")
    assert _login(client, "yamamoto", factories.PASSWORD, OFFICE).status_code == 302
