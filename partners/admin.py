"""System administrators register partner systems here, see each token once, renew and revoke them.
Every save goes through partners.services, so it is validated and audited."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone

from agencies.admin import SystemAdministratorOnly
from agencies.models import User
from partners.models import PartnerSystem, Scope
from partners.services import (
    IssuedToken,
    check_terms,
    partner_register,
    partner_renew_token,
    partner_revoke,
    partner_update,
)

DEFAULT_VALIDITY = datetime.timedelta(days=180)


def _in_six_months() -> datetime.datetime:
    return timezone.now() + DEFAULT_VALIDITY


class PartnerSystemForm(forms.ModelForm[PartnerSystem]):
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices, widget=forms.CheckboxSelectMultiple, help_text="What the system may do, and no more."
    )
    expires_at = forms.DateTimeField(initial=_in_six_months, help_text="At most a year from now.")

    class Meta:
        model = PartnerSystem
        fields = ["name", "agency", "scopes", "requests_per_minute", "expires_at"]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if "scopes" in data and "expires_at" in data:
            try:
                check_terms(scopes=data["scopes"], expires_at=data["expires_at"])
            except ValidationError as error:
                self.add_error(None, error)
        return data


def _actor(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def _token_page(request: HttpRequest, issued: IssuedToken, *, renewed: bool) -> TemplateResponse:
    return TemplateResponse(
        request,
        "partners/admin/token_issued.html",
        {
            **admin.site.each_context(request),
            "issued": issued,
            "renewed": renewed,
            "title": "The partner system's token",
        },
    )


@admin.register(PartnerSystem)
class PartnerSystemAdmin(SystemAdministratorOnly, admin.ModelAdmin[PartnerSystem]):
    form = PartnerSystemForm
    list_display = ["name", "agency", "scope_list", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["agency__area", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "agency__name", "token_prefix"]
    readonly_fields = ["token_prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke", "renew_token"]

    @admin.display(description="Scopes")
    def scope_list(self, partner: PartnerSystem) -> str:
        return ", ".join(partner.scopes)

    def get_readonly_fields(self, request: HttpRequest, obj: PartnerSystem | None = None) -> list[str]:
        # A system's agency, and so its area, never changes: register another instead.
        return [*self.readonly_fields, "name", "agency"] if obj is not None else list(self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: PartnerSystem, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            partner_update(
                actor=_actor(request),
                partner=obj,
                scopes=data["scopes"],
                expires_at=data["expires_at"],
                requests_per_minute=data["requests_per_minute"],
            )
            return
        issued = partner_register(
            actor=_actor(request),
            name=data["name"],
            agency=data["agency"],
            scopes=data["scopes"],
            expires_at=data["expires_at"],
            requests_per_minute=data["requests_per_minute"],
        )
        obj.pk = issued.partner.pk
        request.issued_token = issued  # type: ignore[attr-defined]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass

    def log_addition(self, *args: Any, **kwargs: Any) -> Any:
        pass  # the audit log has the registration; the admin's own history is not kept

    def log_change(self, *args: Any, **kwargs: Any) -> Any:
        pass

    def response_add(
        self, request: HttpRequest, obj: PartnerSystem, post_url_continue: str | None = None
    ) -> HttpResponse:
        return _token_page(request, request.issued_token, renewed=False)  # type: ignore[attr-defined]

    @admin.action(description="Revoke the selected systems' tokens (they stop working at once, for good)")
    def revoke(self, request: HttpRequest, queryset: QuerySet[PartnerSystem]) -> HttpResponse | None:
        live = queryset.filter(revoked_at__isnull=True)
        if request.POST.get("confirmed") != "yes":
            return TemplateResponse(
                request,
                "partners/admin/confirm_revoke.html",
                {**self.admin_site.each_context(request), "systems": live, "title": "Revoke these tokens?"},
            )
        for partner in live:
            partner_revoke(actor=_actor(request), partner=partner)
        self.message_user(request, "The selected systems' tokens have been revoked.", messages.SUCCESS)
        return None

    @admin.action(description="Issue a new token (the old one stops working at once)")
    def renew_token(self, request: HttpRequest, queryset: QuerySet[PartnerSystem]) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, "Choose one system at a time: each new token is shown once.", messages.ERROR)
            return None
        try:
            issued = partner_renew_token(actor=_actor(request), partner=queryset.get(), expires_at=_in_six_months())
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        return _token_page(request, issued, renewed=True)
