"""Serving: the health check, the 500 page with its request id in the page and the log, gunicorn's
config, and static files with hashed names and long cache headers."""

import logging
import re
import runpy
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.templatetags.static import static
from django.test import Client
from django.urls import path

from config import urls as portal_urls

HEALTHZ = "/healthz"


def test_healthz_answers_ok_without_a_login(client, db):
    response = client.get(HEALTHZ)
    assert response.status_code == 200
    assert response.content.decode() == "ok"
    assert response["Content-Type"] == "text/plain"


def test_healthz_answers_503_when_the_database_fails(client, db, monkeypatch, caplog):
    def cursor_refused(*args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", cursor_refused)
        response = client.get(HEALTHZ)
    assert response.status_code == 503
    assert response.content.decode() == "database unavailable: OperationalError"
    [record] = [record for record in caplog.records if record.name == "django.request"]
    assert (record.getMessage(), record.request_id) == ("Service Unavailable: /healthz", response["X-Request-ID"])


def test_every_response_carries_a_request_id_and_keeps_a_plain_one_from_the_proxy(client, db):
    given = client.get(HEALTHZ, headers={"X-Request-ID": "proxy-42.a"})
    assert given.status_code == 200
    assert given["X-Request-ID"] == "proxy-42.a"
    forged = client.get(HEALTHZ, headers={"X-Request-ID": "x y\nforged log line"})
    assert forged.status_code == 200
    assert len(forged["X-Request-ID"]) == 32
    assert forged["X-Request-ID"] != client.get(HEALTHZ)["X-Request-ID"]


def view_that_raises(request):
    raise RuntimeError("boom for the log")


# The portal's own addresses too: the 500 page is in the portal layout, which links to them.
urlpatterns = [path("boom", view_that_raises), *portal_urls.urlpatterns]
handler500 = "core.views.server_error"


@pytest.mark.urls(__name__)
def test_a_500_shows_its_request_id_and_logs_the_traceback_with_it(client, caplog):
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/boom", headers={"X-Request-ID": "req-500-test"})
    assert response.status_code == 500
    page = response.content.decode()
    assert "システムエラーが発生しました（500）" in page
    assert '受付番号をお伝えください：<code id="request-id">req-500-test</code>' in page
    assert response["X-Request-ID"] == "req-500-test"
    [record] = [record for record in caplog.records if record.name == "django.request"]
    assert record.getMessage() == "Internal Server Error: /boom"
    assert record.request_id == "req-500-test"
    assert "RuntimeError: boom for the log" in caplog.text
    assert 'in view_that_raises\n    raise RuntimeError("boom for the log")' in caplog.text


def test_the_gunicorn_config_binds_from_the_environment_with_sane_values(monkeypatch):
    config = Path(__file__).resolve().parent.parent / "config" / "gunicorn.conf.py"
    monkeypatch.delenv("GUNICORN_BIND", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    values = runpy.run_path(str(config))
    assert (values["bind"], values["workers"], values["threads"], values["timeout"]) == (
        "127.0.0.1:8000", 3, 4, 120
    )
    assert values["accesslog"] == "-"
    assert values["preload_app"] is True  # workers forked ready, openpyxl imported (when_ready)
    monkeypatch.setenv("PORT", "9001")
    assert runpy.run_path(str(config))["bind"] == "127.0.0.1:9001"
    monkeypatch.setenv("GUNICORN_BIND", "0.0.0.0:8080")
    assert runpy.run_path(str(config))["bind"] == "0.0.0.0:8080"


def test_collected_static_files_have_hashed_names_and_are_cached_for_good(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    plotly_url = static("vendor/plotly/plotly-4.1.1.min.js")
    assert re.fullmatch(r"/static/vendor/plotly/plotly-4\.1\.1\.min\.[0-9a-f]{12}\.js", plotly_url)
    response = Client().get(plotly_url, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response["Content-Encoding"] == "gzip"


def test_the_site_icon_is_served_at_the_root_where_browsers_ask_for_it(client):
    """Without it every page's first visit logged a 404 in the browser's console."""
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    icon = b"".join(response.streaming_content)
    assert icon[:6] == b"\x00\x00\x01\x00\x01\x00"  # an icon file holding one image
    assert icon[22:30] == b"\x89PNG\r\n\x1a\n"  # the image: 32x32 PNG
