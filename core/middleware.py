"""Requests the portal refuses before any view reads them."""

import re

from django.http import HttpResponseBadRequest
from django.template.loader import render_to_string

# C0 control characters except tab, newline and carriage return (which a textarea sends).
# PostgreSQL refuses NUL in text, so a NUL that reached a query or a save was a 500.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


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
