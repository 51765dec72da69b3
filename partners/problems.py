"""Errors as RFC 9457 problem details: one JSON shape for every refusal, with a stable `type` a
partner's integration can switch on and a `detail` a person can read."""

from __future__ import annotations

import json

from django.http import HttpResponse
from ninja import Schema

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "urn:mappa:problem:"  # a name to switch on, not an address (RFC 9457 s.3.1.1)

TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
}


class FieldProblem(Schema):
    field: str
    message: str


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] = []


def problem(
    status: int,
    kind: str,
    detail: str,
    *,
    errors: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    body = Problem(type=TYPE_BASE + kind, title=TITLES[status], status=status, detail=detail, errors=errors or [])
    response = HttpResponse(json.dumps(body.model_dump()), status=status, content_type=MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response
