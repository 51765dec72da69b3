"""The partner API's URLs. Each operation is reached with a token rather than a session (so it is
exempt from the pages' sign-in), is never cached, and leaves one audit entry per call naming the
partner system, whatever the answer."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern
from django.utils import timezone

from partners.api import administrators_only, api
from partners.models import PartnerSystem
from partners.problems import problem
from partners.services import partner_call_audit, partner_for_token

# Reached by administrators signed in to the pages (see partners.api.administrators_only).
FOR_ADMINISTRATORS = {"openapi-json", "openapi-view", "api-root"}


def _clean(text: str, length: int = 200) -> str:
    """Text from the request as the audit log may hold it: bounded, and without control characters
    (PostgreSQL refuses a NUL in JSON)."""
    return "".join(ch for ch in text[:length] if ch >= " ")


def _caller(request: HttpRequest) -> PartnerSystem | None:
    """The system that made the call: known once its token was checked, else (a method the
    operation does not answer is refused before that) from the token itself."""
    partner: PartnerSystem | None = getattr(request, "partner", None)
    if partner is None and request.headers.get("Authorization", "").startswith("Bearer "):
        partner, _refusal = partner_for_token(request.headers["Authorization"].removeprefix("Bearer "))
    return partner


def _as_problem(response: HttpResponse) -> HttpResponse:
    if response.status_code != 405:
        return response
    answer = problem(405, "method", f"This operation answers {response.get('Allow', 'another method')}.")
    answer["Allow"] = response.get("Allow", "")
    return answer


def _audit(request: HttpRequest, operation: str, status: int) -> None:
    partner = _caller(request)
    if partner is None:
        return
    details: dict[str, object] = {
        "method": request.method,
        "path": _clean(request.path),
        "query": {_clean(name, 50): _clean(str(value)) for name, value in list(request.GET.items())[:20]},
    }
    key = request.headers.get("Idempotency-Key")
    if key:
        details["idempotency_key"] = _clean(key)
        details["replayed"] = getattr(request, "api_replayed", False)
    if hasattr(request, "api_shown"):
        details["shown"] = request.api_shown
    partner_call_audit(
        partner=partner,
        request=request,
        operation=operation,
        status=status,
        details=details,
        nominal_id=getattr(request, "api_nominal_id", None),
        refused=getattr(request, "partner_refusal", ""),
    )
    PartnerSystem.objects.filter(pk=partner.pk).update(last_used_at=timezone.now())


def audited(view: Callable[..., HttpResponse], operation: str) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def call(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = _as_problem(view(request, *args, **kwargs))
        except BaseException:
            _audit(request, operation, 500)
            raise
        response["Cache-Control"] = "no-store"
        _audit(request, operation, response.status_code)
        return response

    return call


@administrators_only
def reference(request: HttpRequest) -> HttpResponse:
    """/api/v1/ itself: the reference page."""
    return redirect("api:openapi-view")


def _patterns() -> list[URLPattern]:
    patterns, _app, _namespace = api.urls
    for pattern in patterns:
        assert isinstance(pattern, URLPattern)  # (the API has no nested routers)  # noqa: S101  # nosec B101
        if pattern.name == "api-root":
            pattern.callback = reference
        elif pattern.name not in FOR_ADMINISTRATORS:
            pattern.callback = login_not_required(audited(pattern.callback, pattern.name or ""))
    return patterns  # type: ignore[return-value]


app_name = "api"
urlpatterns = _patterns()
