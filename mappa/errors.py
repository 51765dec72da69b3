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
# PostgreSQL's answers that mean "not now" rather than "never": a lost or refused connection (class
# 08), a server shutting down or starting up, too many connections, a read-only database.
UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300", "25006")


def _database_unavailable(error: BaseException | None) -> bool:
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, DatabaseError) or not hasattr(error.__cause__, "sqlstate"):
        return False  # SQLite's errors, and Django's own, are bugs or limits, not outages
    state = getattr(error.__cause__, "sqlstate", None)  # None when no connection could be made at all
    return isinstance(error, OperationalError) if state is None else state.startswith(UNAVAILABLE_SQLSTATES)


def server_error(request: HttpRequest) -> HttpResponse:
    """A 503 when the database cannot be reached (restarting, failing over, refusing connections or
    writes): trying again shortly will work. Any other failure, a statement timeout included, is a
    500, so that a bug is never mistaken for an outage.

    Django calls this inside the `except` that caught the error, so the error is at hand."""
    if _database_unavailable(sys.exc_info()[1]):
        # No request context: whatever failed may be what the context processors need.
        response = HttpResponse(render_to_string("errors/503.html"), status=503)
        response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER_SECONDS)
        return response
    return HttpResponse(render_to_string("errors/500.html"), status=500)
