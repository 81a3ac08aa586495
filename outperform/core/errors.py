"""Error pages that work when the database or the cache does not.

Django calls `server_error` inside the `except` block of the failed request, so the exception is
still at hand: a lost database connection answers 503 ("nothing was saved" — every service writes
inside one transaction, which the failure rolled back) instead of a bare 500. The pages are
rendered without a request context, because the context processors would query the database
that just failed. API paths answer JSON in the shape DRF uses (`{"detail": …}`).
"""

from __future__ import annotations

import logging
import sys

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger("outperform.errors")

DB_DETAIL = "数据库暂时不可用，本次操作未保存任何数据，请稍后重试。 The database is unavailable; nothing was saved. Please retry shortly."
SERVER_DETAIL = "服务器内部错误，本次操作未完成。 Internal server error; the operation did not complete."


def server_error(request: HttpRequest) -> HttpResponse:
    exc = sys.exc_info()[1]
    database_down = isinstance(exc, DatabaseError)
    status = 503 if database_down else 500
    if database_down:
        logger.error("database error during %s %s: %s", request.method, request.path, exc)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": DB_DETAIL if database_down else SERVER_DETAIL}, status=status)
    html = render_to_string("errors/500.html", {"database_down": database_down})
    response = HttpResponse(html, status=status)
    if database_down:
        response["Retry-After"] = "30"
    return response
