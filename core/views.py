"""Views no app owns: the health check for the load balancer and the error page."""

from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponseServerError
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
