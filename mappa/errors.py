"""Error pages in the service's own layout, so that even a refusal looks like part of the service;
and the error a service raises when a save comes from a stale version of a record."""

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


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: whatever failed may be what the context processors need.
    return HttpResponse(render_to_string("errors/500.html"), status=500)
