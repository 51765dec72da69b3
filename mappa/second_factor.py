"""Two-factor sign-in: after the password, a code from an authenticator app (TOTP) or a single-use
recovery code. Until the second factor is given, a signed-in person reaches only these pages and
sign-out; every other URL sends them here. The first sign-in sets the authenticator up.

django-otp checks the codes: a TOTP code is refused if it, or a later one, has been used before,
and each wrong code doubles the wait before the next one is considered. Resetting someone's second
factor is an administrator's action (`agencies.services.user_reset_second_factor`), and is logged.
"""

from __future__ import annotations

import secrets
from base64 import b32encode
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import segno
from axes.signals import user_locked_out
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.views import LogoutView
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from mappa.audit.models import AuditEvent
from mappa.audit.services import audit_record
from mappa.auth import signed_in
from mappa.forms import GovForm, SignInForm

RECOVERY_CODES_SESSION_KEY = "new_recovery_codes"
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def second_factor_exempt(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Mark a view a signed-in person may reach before giving their second factor."""
    view.second_factor_exempt = True  # type: ignore[attr-defined]
    return view


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., HttpResponseBase], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or user.is_verified():  # type: ignore[attr-defined]
            return None
        if getattr(view, "second_factor_exempt", False) or not getattr(view, "login_required", True):
            return None
        target = "second-factor" if user_has_device(user) else "second-factor-setup"
        return redirect(f"{reverse(target)}?next={quote(request.get_full_path())}")


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


class CodeForm(GovForm):
    code = forms.CharField(
        label="Code",
        max_length=20,
        error_messages={"required": "Enter the code from your authenticator app"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false", "inputmode": "text"}),
    )

    def clean_code(self) -> str:
        return "".join(str(self.cleaned_data["code"]).split()).lower()


@second_factor_exempt
@sensitive_post_parameters("code")
@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    """Ask for the code of the person's authenticator, or one of their recovery codes."""
    user = signed_in(request)
    if user.is_verified():  # type: ignore[attr-defined]
        return redirect(_next(request))
    if not user_has_device(user):
        return redirect(f"{reverse('second-factor-setup')}?next={quote(_next(request))}")
    form = CodeForm(request.POST or None)
    if form.is_valid():
        device = match_token(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            request.session.cycle_key()
            return redirect(_next(request))
        audit_record(event=AuditEvent.SECOND_FACTOR_FAILED, actor=user, subject=user, request=request)
        form.add_error("code", "The code is not right, or has been used already. Enter a new code")
    status = 400 if form.is_bound else 200
    return render(request, "registration/second_factor.html", {"form": form, "next": _next(request)}, status=status)


def _pending_device(user: AbstractBaseUser) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def _grouped(secret: bytes) -> str:
    text = b32encode(secret).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def new_recovery_codes(user: AbstractBaseUser) -> list[str]:
    """Replace the user's recovery codes with a fresh set, returned once to be shown once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10)) for _ in range(settings.RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@second_factor_exempt
@sensitive_post_parameters("code")
@never_cache
def setup(request: HttpRequest) -> HttpResponse:
    """The first sign-in: connect an authenticator app, prove it with a code, get recovery codes."""
    user = signed_in(request)
    if user_has_device(user):
        return redirect(f"{reverse('second-factor')}?next={quote(_next(request))}")
    device = _pending_device(user)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = new_recovery_codes(user)
            otp_login(request, device)
            request.session.cycle_key()
            request.session[RECOVERY_CODES_SESSION_KEY] = codes
            audit_record(event=AuditEvent.SECOND_FACTOR_ENROLLED, actor=user, subject=user, request=request)
            return redirect(f"{reverse('recovery-codes')}?next={quote(_next(request))}")
        form.add_error("code", "The code is not right. Check the time on your phone and enter a new code")
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "next": _next(request),
        "qr": qr.svg_inline(scale=4, title="QR code to scan with your authenticator app"),
        "secret": _grouped(device.bin_key),
    }
    return render(request, "registration/second_factor_setup.html", context, status=400 if form.is_bound else 200)


@never_cache
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Show the new recovery codes, once."""
    signed_in(request)
    codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
    return render(request, "registration/recovery_codes.html", {"codes": codes, "next": _next(request)})


class SignOutView(LogoutView):
    """Signing out ends every session the person has, not only this one."""

    template_name = "registration/signed_out.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if isinstance(request.user, get_user_model()):
            request.user.end_sessions()
        return super().post(request, *args, **kwargs)


sign_out = second_factor_exempt(SignOutView.as_view())


def locked_out(request: HttpRequest, response: HttpResponse | None, credentials: dict[str, Any] | None) -> HttpResponse:
    """What django-axes answers while a username is locked out from an address: the same page for an
    account that exists and one that does not."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/sign_in.html",
        {"form": SignInForm(request), "locked_minutes": minutes, "next": ""},
        status=429,
    )


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def _locked_out(sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs: Any) -> None:
    name = (username or "")[:150]
    User = get_user_model()
    subject = User.objects.filter(username=name).first() or User(username=name)
    audit_record(event=AuditEvent.LOCKED_OUT, actor=None, subject=subject, request=request, attempted_username=name)
