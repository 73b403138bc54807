"""Log records carry the id of the request they were written for (see RequestIdMiddleware)."""

import logging

from core.middleware import request_id_var


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # django.request logs a 4xx/5xx answer after the middleware has returned, with the request.
        request = getattr(record, "request", None)
        record.request_id = getattr(request, "id", None) or request_id_var.get()
        return True
