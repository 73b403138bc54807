"""Views no app owns: the health check for the load balancer, the error page and the accessibility
statement."""

import datetime
import json
from functools import cache
from pathlib import Path

from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """200 "ok" when the database answers a trivial query, else 503 with the reason in short."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return HttpResponse(
            f"database unavailable: {type(error).__name__}", status=503, content_type="text/plain"
        )
    return HttpResponse("ok", content_type="text/plain")


def server_error(request):
    """The 500 page with the request's id; rendered without a request context, so no database access."""
    return HttpResponseServerError(render_to_string("500.html", {"request_id": getattr(request, "id", "")}))


# Written by the accessibility browser tests (`make a11y-results`); they fail when it lists other pages.
ACCESSIBILITY_RESULTS = Path(__file__).with_name("accessibility_results.json")


@cache
def accessibility_results() -> dict:
    """The latest recorded test run: its date, axe-core version, the pages with their violation
    counts, and the other checks with their outcome."""
    results = json.loads(ACCESSIBILITY_RESULTS.read_text(encoding="utf-8"))
    return {**results, "tested_on": datetime.date.fromisoformat(results["tested_on"])}


def accessibility(request):
    """The accessibility statement: the target level, the pages tested, how, and the latest results."""
    return render(request, "accessibility.html", {"results": accessibility_results()})
