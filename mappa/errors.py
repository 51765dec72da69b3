"""Error pages in the service's own layout, so that even a refusal looks like part of the service;
and the error a service raises when a save comes from a stale version of a record."""

import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string


class StaleRecordError(Exception):
    """The record changed after the person started editing it; their save was refused."""


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/400.html", status=400)


UNAVAILABLE_RETRY_AFTER_SECONDS = 10


def server_error(request: HttpRequest) -> HttpResponse:
    """A 503 when the database cannot be reached (restarting, failing over, refusing connections):
    nothing was done, and trying again shortly will work. Any other failure is a 500.

    Django calls this inside the `except` that caught the error, so the error is at hand."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)) or (
        isinstance(error, DatabaseError) and "read-only transaction" in str(error)
    ):
        # No request context: whatever failed may be what the context processors need.
        response = HttpResponse(render_to_string("errors/503.html"), status=503)
        response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER_SECONDS)
        return response
    return HttpResponse(render_to_string("errors/500.html"), status=500)
