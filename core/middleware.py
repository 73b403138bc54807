"""Requests the portal refuses before any view reads them."""

import re

from django.http import HttpResponseBadRequest
from django.template.loader import render_to_string

# C0 control characters except tab, newline and carriage return (which a textarea sends).
# PostgreSQL refuses NUL in text, so a NUL that reached a query or a save was a 500.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class ControlCharacterMiddleware:
    """Answers 400 when the path, a query-string or a form name or value holds a control character."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        texts = [request.path_info, *_texts(request.GET)]
        if request.method == "POST":
            texts += _texts(request.POST)
        if any(CONTROL_CHARACTERS.search(text) for text in texts):
            return HttpResponseBadRequest(render_to_string("400.html"))
        return self.get_response(request)


def _texts(data) -> list[str]:
    return [text for key, values in data.lists() for text in (key, *values)]
