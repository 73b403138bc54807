"""Middleware: requests the portal refuses before any view reads them, request ids, and staff pages
in Japanese."""

import re
import uuid
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils import translation

# C0 control characters except tab, newline and carriage return (which a textarea sends).
# PostgreSQL refuses NUL in text, so a NUL that reached a query or a save was a 500.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A request id from a proxy is kept only when it is short and plain, so it cannot forge log lines.
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

# The id of the request this thread is serving, for log records (see core.logging).
request_id_var: ContextVar[str] = ContextVar("request_id", default="-")


class RequestIdMiddleware:
    """Gives every request an id: the proxy's `X-Request-ID` when plain, else a new uuid4.

    The id is `request.id`, the response's `X-Request-ID` header, part of every log line written
    while the request runs, and shown on the 500 page so staff can quote it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request.id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        token = request_id_var.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request.id
        return response


class ControlCharacterMiddleware:
    """Answers 400 when the path or the query string holds a control character.

    Form bodies are left to the forms: what staff typed must come back to them with a message next
    to the field (a pasted vertical tab even becomes a line break), never be lost to an error page;
    Django's form fields already refuse NUL.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        texts = [request.path_info, *_texts(request.GET)]
        if any(CONTROL_CHARACTERS.search(text) for text in texts):
            return HttpResponseBadRequest(render_to_string("400.html"))
        return self.get_response(request)


def _texts(data) -> list[str]:
    return [text for key, values in data.lists() for text in (key, *values)]


# The staff's pages (the admin, its entry pages, the explanation pages and the dashboards).
STAFF_NAMESPACES = {"admin", "records", "rollups", "dashboard"}


class StaffPagesInJapaneseMiddleware:
    """Serves the staff's pages in Japanese whatever language a visitor chose on the public pages.

    They are written in Japanese only: in English, Django's admin frame would turn English around
    Japanese forms and the page would declare lang="en" over Japanese text (JIS X 8341-3 3.1.1).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.resolver_match.namespace in STAFF_NAMESPACES:
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
