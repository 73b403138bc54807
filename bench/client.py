"""A person's browser for the load run (bench/load.py), in the standard library alone: one keep-alive
connection to the portal on loopback, its cookies, its forms, and the time of every request.

It behaves as a browser does where the server can tell: it sends the session and CSRF cookies, posts
every field of a form (hidden ones and the inline formsets' too), and reconnects when the server has
closed an idle connection (gunicorn's keepalive, or a worker restarted by max_requests) before
answering, retrying that request once, as browsers do.
"""

import http.client
import re
import time
import urllib.parse
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie

TIMEOUT = 120  # seconds; gunicorn's own timeout, so a slow page is measured rather than cut off
# Closed by the server while idle: the request never reached a view, so sending it again is safe.
STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


@dataclass(frozen=True)
class Timing:
    """One request: the page it belongs to, when it started (monotonic), its seconds, and what went wrong."""

    page: str
    started: float
    seconds: float
    error: str = ""


@dataclass(frozen=True)
class Response:
    status: int
    location: str
    body: str


class Session:
    """One person's browser. `timings` collects every request (append only: shared lists are safe)."""

    def __init__(self, host: str, port: int, timings: list):
        if host != "127.0.0.1":
            raise ValueError("the load run talks to loopback only")
        self.host, self.port, self.timings = host, port, timings
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None
        self.retries = 0

    def get(self, page: str, path: str, *, expect: int = 200) -> Response:
        return self._timed(page, "GET", path, None, expect)

    def post(self, page: str, path: str, fields: list[tuple[str, str]], *, expect: int = 302) -> Response:
        return self._timed(page, "POST", path, urllib.parse.urlencode(fields), expect)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()

    def _timed(self, page: str, method: str, path: str, body: str | None, expect: int) -> Response:
        started = time.perf_counter()
        try:
            response = self._send(method, path, body)
        except (OSError, http.client.HTTPException) as error:
            self.timings.append(Timing(page, started, time.perf_counter() - started, type(error).__name__))
            self.close()
            self.connection = None
            raise RequestFailed(f"{method} {path}: {type(error).__name__}") from error
        seconds = time.perf_counter() - started
        error = (
            ""
            if response.status == expect
            else f"HTTP {response.status}, expected {expect}{_said(response.body)}"
        )
        self.timings.append(Timing(page, started, seconds, error))
        if error:
            raise RequestFailed(f"{method} {path}: {error}")
        return response

    def _send(self, method: str, path: str, body: str | None) -> Response:
        reused = self.connection is not None
        if not reused:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        try:
            return self._exchange(method, path, body)
        except STALE:
            if not reused:
                raise
            self.retries += 1
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
            return self._exchange(method, path, body)

    def _exchange(self, method: str, path: str, body: str | None) -> Response:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        answer = self.connection.getresponse()
        content = answer.read()
        for header in answer.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return Response(
            answer.status, answer.getheader("Location", ""), content.decode("utf-8", errors="replace")
        )


def _said(body: str) -> str:
    """What a refusing page tells the person (the admin's error note or first field error), if anything."""
    found = PROBLEM.search(body)
    return f": {re.sub(r'<[^>]+>', '', found.group(1)).strip()[:200]}" if found else ""


PROBLEM = re.compile(r'class="(?:errornote|errorlist[^"]*|error)"[^>]*>(.*?)</(?:p|ul|li)>', re.S)


class RequestFailed(Exception):
    """A request that failed; its timing is already recorded with the error."""


def form_fields(html: str, form_id: str) -> "Form":
    """The fields of the form `form_id` in `html`, as a browser would post them unchanged."""
    parser = _FormParser(form_id)
    parser.feed(html)
    if not parser.found:
        raise RequestFailed(f"no form #{form_id} on the page")
    return Form(parser.fields, parser.options)


@dataclass
class Form:
    """Fields in page order as (name, value) pairs, and each select's option values."""

    fields: list[tuple[str, str]]
    options: dict[str, list[str]]

    def names(self) -> list[str]:
        return [name for name, _ in self.fields]

    def set(self, name: str, value: str) -> None:
        self.fields = [(n, value if n == name else v) for n, v in self.fields]


class _FormParser(HTMLParser):
    """Inputs, selects and textareas inside one form; submit buttons and files are left out."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.found = form_id, False, False
        self.fields: list[tuple[str, str]] = []
        self.options: dict[str, list[str]] = {}
        self._select: str | None = None
        self._chosen: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = self.found = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self.fields.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select, self._chosen = name, None
            self.options[name] = []
        elif tag == "option" and self._select:
            # The selected option, else the first one, as a browser shows and posts it.
            value = a.get("value", "")
            if "selected" in a or self._chosen is None:
                self._chosen = value
            self.options[self._select].append(value)
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select:
            self.fields.append((self._select, self._chosen or ""))
            self._select = None
        elif tag == "textarea" and self._textarea:
            # A browser drops the one newline that follows <textarea>.
            self.fields.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None
