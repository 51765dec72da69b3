"""The partner API's URLs. Each operation is reached with a token rather than a session (so it is
exempt from the pages' sign-in), is never cached, and leaves one audit entry per call naming the
partner system, whatever the answer."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern
from django.utils import timezone

from partners.api import administrators_only, api
from partners.models import PartnerSystem
from partners.services import partner_call_audit

logger = logging.getLogger(__name__)

# Reached by administrators signed in to the pages (see partners.api.administrators_only).
FOR_ADMINISTRATORS = {"openapi-json", "openapi-view", "api-root"}


def audited(view: Callable[..., HttpResponse], operation: str) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def call(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        partner: PartnerSystem | None = getattr(request, "partner", None)
        if partner is None:
            return response
        details: dict[str, object] = {"method": request.method, "path": request.path, "query": request.GET.dict()}
        key = request.headers.get("Idempotency-Key")
        if key:
            details["idempotency_key"] = key[:200]
            details["replayed"] = getattr(request, "api_replayed", False)
        if hasattr(request, "api_shown"):
            details["shown"] = request.api_shown
        partner_call_audit(
            partner=partner,
            request=request,
            operation=operation,
            status=response.status_code,
            details=details,
            nominal_id=getattr(request, "api_nominal_id", None),
            refused=getattr(request, "partner_refusal", ""),
        )
        PartnerSystem.objects.filter(pk=partner.pk).update(last_used_at=timezone.now())
        return response

    return call


@administrators_only
def reference(request: HttpRequest) -> HttpResponse:
    """/api/v1/ itself: the reference page."""
    return redirect("api:openapi-view")


def _patterns() -> list[URLPattern]:
    patterns, _app, _namespace = api.urls
    for pattern in patterns:
        assert isinstance(pattern, URLPattern)  # noqa: S101  # nosec B101: the API has no nested routers
        if pattern.name == "api-root":
            pattern.callback = reference
        elif pattern.name not in FOR_ADMINISTRATORS:
            pattern.callback = login_not_required(audited(pattern.callback, pattern.name or ""))
    return patterns  # type: ignore[return-value]


app_name = "api"
urlpatterns = _patterns()
