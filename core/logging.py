"""Log records carry the id of the request they were written for (see RequestIdMiddleware).

Loaded by the logging configuration before the apps are ready, so it imports nothing of Django's.
"""

import logging
from contextvars import ContextVar

# The id of the request this thread is serving, set by core.middleware.RequestIdMiddleware.
request_id_var: ContextVar[str] = ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # django.request logs a 4xx/5xx answer after the middleware has returned, with the request.
        request = getattr(record, "request", None)
        record.request_id = getattr(request, "id", None) or request_id_var.get()
        return True
