"""Middleware: request ids, slow requests in the log, the Content-Security-Policy, the absolute
session lifetime, and requests the portal refuses before any view reads them."""

import logging
import re
import time
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils import translation

from core.logging import request_id_var

# C0 control characters except tab, newline and carriage return (which a textarea sends).
# PostgreSQL refuses NUL in text, so a NUL that reached a query or a save was a 500.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A request id from a proxy is kept only when it is short and plain, so it cannot forge log lines.
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

# When the session's user logged in (seconds since the epoch), for the absolute lifetime.
SESSION_LOGIN_AT = "portal_login_at"

slow_requests = logging.getLogger("core.slow_requests")


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


class SlowRequestMiddleware:
    """Logs a warning for every request that took settings.SLOW_REQUEST_MS or longer, with its time.

    Placed just inside RequestIdMiddleware, so the line carries the request's id and the time
    covers every other middleware and the view (a streamed download counts until its first byte).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed_ms = round((time.perf_counter() - started) * 1000)
        if elapsed_ms >= settings.SLOW_REQUEST_MS:
            slow_requests.warning(
                "Slow request: %s %s took %d ms (status %d)",
                request.method,
                request.path,
                elapsed_ms,
                response.status_code,
            )
        return response


class ContentSecurityPolicyMiddleware:
    """Sends settings.CONTENT_SECURITY_POLICY with every response, the admin's included.

    A header of our own rather than django-csp: no page has an inline script or style to allow by
    nonce or hash, so one fixed policy is all there is to send, and a dependency would only wrap it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class SessionAbsoluteAgeMiddleware:
    """Ends a session settings.SESSION_ABSOLUTE_AGE seconds after its user logged in, however busy.

    SESSION_COOKIE_AGE is an idle time-out that every request restarts; a session in constant use,
    or a stolen cookie kept alive, would otherwise last for ever. The login time is stamped on the
    first request the user makes logged in (the one after the login page's redirect).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            logged_in_at = request.session.setdefault(SESSION_LOGIN_AT, now)
            if now - logged_in_at > settings.SESSION_ABSOLUTE_AGE:
                logout(request)
                hours = settings.SESSION_ABSOLUTE_AGE / 3600
                messages.info(
                    request,
                    f"ログインから{hours:g}時間が経ったため、ログアウトしました。もう一度ログインしてください。",
                )
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


def session_seconds_left(request) -> int | None:
    """Seconds until the session's absolute end, for the warning before it (None: not logged in)."""
    logged_in_at = request.session.get(SESSION_LOGIN_AT) if request.user.is_authenticated else None
    if logged_in_at is None:
        return None
    return max(0, round(logged_in_at + settings.SESSION_ABSOLUTE_AGE - time.time()))


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


class LanguageMiddleware:
    """Japanese unless the visitor switched to English, and English on the public pages only.

    Placed right after `LocaleMiddleware`, whose choice it corrects: the browser's Accept-Language is
    not followed (a city's site opens in Japanese; the switch in the header offers English), and the
    staff pages stay Japanese whatever was chosen, so no page is ever half translated. The pages that
    offer English are `settings.ENGLISH_PAGES`, patterns of the path without its leading slash.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.english_pages = [re.compile(pattern) for pattern in settings.ENGLISH_PAGES]
        self.offered = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, settings.LANGUAGE_CODE)
        path = request.path_info.lstrip("/")
        offered = chosen in self.offered and any(pattern.match(path) for pattern in self.english_pages)
        language = chosen if offered else settings.LANGUAGE_CODE
        if language != request.LANGUAGE_CODE:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
