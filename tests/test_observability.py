"""What the log says: every 500's traceback under its request id (in the real log output, not only
to a test's capture), error mails to ADMINS quoting the id, and slow requests with their time."""

import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core import mail
from django.http import HttpResponse
from django.urls import path

from config import urls as portal_urls

ROOT = Path(__file__).resolve().parent.parent

# A 500 served the way gunicorn serves it (DEBUG off, the portal's logging configuration), with the
# log going where the process manager reads it: stderr.
SERVE_A_500 = """
import django
from django.test import Client
from django.test.utils import override_settings, setup_test_environment
django.setup()
setup_test_environment()
with override_settings(ROOT_URLCONF="tests.test_observability"):
    answer = Client(raise_request_exception=False).get("/boom", headers={"X-Request-ID": "req-in-the-log"})
print(answer.status_code)
"""


def view_that_raises(request):
    raise RuntimeError("boom for the log")


def view_that_takes_its_time(request):
    time.sleep(0.05)
    return HttpResponse("done")


# The portal's own URLs too: the 500 page links to them.
urlpatterns = [
    path("boom", view_that_raises),
    path("slow", view_that_takes_its_time),
    *portal_urls.urlpatterns,
]
handler500 = "core.views.server_error"


def test_a_500_leaves_its_traceback_in_the_log_under_its_request_id():
    variables = {k: v for k, v in os.environ.items() if k not in {"DJANGO_DEBUG", "LOG_LEVEL"}}
    served = subprocess.run(
        [sys.executable, "-c", SERVE_A_500],
        cwd=ROOT,
        env={**variables, "DJANGO_DEBUG": "0", "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
    )
    assert served.stdout.strip() == "500"
    [line] = [line for line in served.stderr.splitlines() if "Internal Server Error" in line]
    assert line.endswith(" ERROR [req-in-the-log] django.request: Internal Server Error: /boom")
    traceback = served.stderr.split(line, 1)[1]
    assert traceback.startswith("\nTraceback (most recent call last):")
    assert 'in view_that_raises\n    raise RuntimeError("boom for the log")' in traceback
    assert "RuntimeError: boom for the log" in traceback


@pytest.mark.urls(__name__)
def test_errors_are_mailed_to_admins_with_the_request_id(client, settings):
    settings.ADMINS = [("", "dx-office@city.example.lg.jp")]
    client.raise_request_exception = False
    assert client.get("/boom", headers={"X-Request-ID": "req-mailed"}).status_code == 500
    [sent] = mail.outbox
    assert sent.to == ["dx-office@city.example.lg.jp"]
    assert sent.subject == "[ICT総合戦略ポータル] ERROR (EXTERNAL IP): Internal Server Error: /boom"
    first_line = sent.body.splitlines()[0]
    assert first_line.endswith(" ERROR [req-mailed] django.request: Internal Server Error: /boom")
    assert "RuntimeError at /boom\nboom for the log" in sent.body
    assert 'raise RuntimeError("boom for the log")' in sent.body


@pytest.mark.urls(__name__)
def test_no_mail_without_admins(client, settings):
    settings.ADMINS = []
    client.raise_request_exception = False
    assert client.get("/boom").status_code == 500
    assert mail.outbox == []


@pytest.mark.urls(__name__)
def test_a_slow_request_is_logged_with_its_time_and_request_id(client, settings, caplog):
    settings.SLOW_REQUEST_MS = 40
    with caplog.at_level(logging.WARNING, logger="core.slow_requests"):
        answer = client.get("/slow?page=2", headers={"X-Request-ID": "req-slow"})
        assert answer.status_code == 200
        settings.SLOW_REQUEST_MS = 60_000
        assert client.get("/slow").status_code == 200  # under the threshold: not logged
    [record] = caplog.records
    assert (record.levelname, record.request_id) == ("WARNING", "req-slow")
    logged = re.fullmatch(r"Slow request: GET /slow took (\d+) ms \(status 200\)", record.getMessage())
    assert logged is not None, record.getMessage()
    assert 50 <= int(logged[1]) < 60_000
