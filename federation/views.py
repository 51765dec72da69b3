"""Signing in through an agency's identity provider: the work address, the journey to the provider
and back, and the provider's word that someone has signed out everywhere."""

from __future__ import annotations

import logging
from urllib.parse import quote

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from federation.client import TokenRefused, authorize_redirect, claims_of_callback, logout_claims
from federation.forms import WorkEmailForm
from federation.models import IdentityProvider, LinkedIdentity
from federation.services import (
    identity_sign_out,
    provider_arrival,
    provider_for_email,
    provider_origins,
    refuse_token,
)
from mappa.second_factor import second_factor_exempt

NEXT = "federation_next"
logger = logging.getLogger(__name__)


def _safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return reverse("home")


@login_not_required
@never_cache
def start(request: HttpRequest) -> HttpResponse:
    """Which agency: from the person's work address, then off to that agency's provider."""
    if request.user.is_authenticated:
        return redirect("home")
    form = WorkEmailForm(request.POST or None)
    if form.is_valid():
        email = form.cleaned_data["email"]
        provider = provider_for_email(email)
        if provider is None:
            form.add_error(
                "email",
                "No agency signs in to this service with addresses like this one. "
                "Sign in with the username and password your co-ordination unit gave you",
            )
        else:
            request.session[NEXT] = _safe_next(request, request.GET.get("next", ""))
            callback = request.build_absolute_uri(reverse("federation:callback", args=[provider.pk]))
            try:
                return authorize_redirect(request, provider, callback, login_hint=email)
            except Exception as error:  # noqa: BLE001  # the discovery document unreachable or garbled, however it fails
                logger.error("Sign-in through %s could not start: %s", provider.issuer, error)
                form.add_error(
                    "email",
                    f"{provider.agency}'s sign-in is not answering. Try again in a few minutes, or sign in with "
                    "the username and password your co-ordination unit gave you",
                )
                return _start_page(request, form, status=503)
    return _start_page(request, form, status=400 if form.is_bound else 200)


def _start_page(request: HttpRequest, form: WorkEmailForm, *, status: int) -> HttpResponse:
    response = render(request, "federation/start.html", {"form": form}, status=status)
    # Browsers hold a form's redirect to the Content Security Policy's form-action: the form may
    # lead to the providers' sign-in pages, and nowhere else.
    response._csp_update = {"form-action": sorted(provider_origins())}  # type: ignore[attr-defined]
    return response


def _provider(provider_id: int) -> IdentityProvider:
    provider = IdentityProvider.objects.select_related("agency").filter(pk=provider_id, is_active=True).first()
    if provider is None:
        raise Http404("No such identity provider.")
    return provider


@login_not_required
@never_cache
def callback(request: HttpRequest, provider_id: int) -> HttpResponse:
    """Back from the provider: the ID token checked, the person linked or signed in."""
    provider = _provider(provider_id)
    try:
        claims, refresh_token = claims_of_callback(request, provider)
        arrival = provider_arrival(request=request, provider=provider, claims=claims, refresh_token=refresh_token)
    except TokenRefused as refused:
        refuse_token(request=request, provider=provider, reason=str(refused))
        return render(request, "federation/refused.html", {"provider": provider}, status=400)
    except ValidationError as refused:
        refuse_token(request=request, provider=provider, reason=" ".join(refused.messages))
        return render(request, "federation/refused.html", {"provider": provider}, status=400)
    if not arrival.signed_in:
        if arrival.identity.approved:
            refuse_token(request=request, provider=provider, reason="the account here is deactivated")
            return render(request, "federation/refused.html", {"provider": provider}, status=403)
        return render(request, "federation/pending.html", {"provider": provider}, status=403)
    next_page = request.session.pop(NEXT, reverse("home"))
    if arrival.second_factor_done:
        return HttpResponseRedirect(next_page)
    return HttpResponseRedirect(f"{reverse('second-factor')}?next={quote(next_page)}")


@csrf_exempt  # the provider posts it, server to server, with a signed token instead of a cookie
@login_not_required
@second_factor_exempt
@require_POST
def back_channel_logout(request: HttpRequest, provider_id: int) -> HttpResponse:
    """The provider says a person has signed out, or been signed out, everywhere."""
    provider = _provider(provider_id)
    try:
        claims = logout_claims(provider, request.POST.get("logout_token", ""))
    except TokenRefused as refused:
        refuse_token(request=request, provider=provider, reason=f"back-channel logout: {refused}")
        return HttpResponse(status=400, headers={"Cache-Control": "no-store"})
    identity = (
        LinkedIdentity.objects.select_related("user", "provider")
        .filter(provider=provider, subject=claims["sub"])
        .first()
    )
    if identity is not None:
        identity_sign_out(identity=identity, reason="back-channel logout from the provider", request=request)
    return HttpResponse(status=200, headers={"Cache-Control": "no-store"})
