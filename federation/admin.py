"""Administrators configure each agency's identity provider and approve the people it links."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from agencies.admin import SystemAdministratorOnly
from agencies.models import Role, User
from federation.forms import ApprovalForm
from federation.models import IdentityProvider, LinkedIdentity
from federation.services import (
    identity_approve,
    identity_manageable_by,
    identity_provider_check,
    identity_provider_save,
    providers_manageable_by,
)


def _actor(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


class IdentityProviderForm(forms.ModelForm[IdentityProvider]):
    actor: User | None = None

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # the form's values are on the instance from here
        if self.actor is not None and not self.errors:
            try:
                identity_provider_check(actor=self.actor, provider=self.instance)
            except ValidationError as error:
                self.add_error(None, error)


@admin.register(IdentityProvider)
class IdentityProviderAdmin(SystemAdministratorOnly, admin.ModelAdmin[IdentityProvider]):
    list_display = ["agency", "issuer", "email_domains", "secret_present", "is_active"]
    list_filter = ["is_active", "agency__area"]
    fields = [
        "agency",
        "issuer",
        "client_id",
        "client_secret_variable",
        "subject_claim",
        "email_domains",
        "addresses_verified",
        "mfa_amr_values",
        "mfa_acr_values",
        "is_active",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[IdentityProvider]:
        return providers_manageable_by(_actor(request))

    def get_form(
        self, request: HttpRequest, obj: IdentityProvider | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[IdentityProvider]]:
        actor = _actor(request)
        form = super().get_form(request, obj, change, form=IdentityProviderForm, **kwargs)
        agency = form.base_fields["agency"]
        if not actor.is_superuser and actor.agency is not None and isinstance(agency, forms.ModelChoiceField):
            agency.queryset = agency.queryset.filter(area=actor.agency.area)  # type: ignore[union-attr]
        return type("IdentityProviderFormFor", (form,), {"actor": actor})

    def save_model(self, request: HttpRequest, obj: IdentityProvider, form: Any, change: bool) -> None:
        identity_provider_save(actor=_actor(request), provider=obj)

    @admin.display(boolean=True, description="Secret set")
    def secret_present(self, provider: IdentityProvider) -> bool:
        return bool(provider.client_secret())


@admin.register(LinkedIdentity)
class LinkedIdentityAdmin(SystemAdministratorOnly, admin.ModelAdmin[LinkedIdentity]):
    list_display = ["user", "email", "agency", "requested_at", "approved_at", "last_sign_in_at"]
    list_filter = [("approved_at", admin.EmptyFieldListFilter), "provider__agency__area"]
    search_fields = ["user__username", "email", "subject"]
    readonly_fields = (
        "provider",
        "subject",
        "user",
        "email",
        "requested_at",
        "approved_at",
        "approved_by",
        "last_sign_in_at",
    )
    fields = readonly_fields
    actions = ["approve"]

    @admin.display(description="Agency")
    def agency(self, identity: LinkedIdentity) -> str:
        return str(identity.provider.agency)

    def get_queryset(self, request: HttpRequest) -> QuerySet[LinkedIdentity]:
        return identity_manageable_by(_actor(request))

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # links are made by signing in

    @admin.action(description="Approve the selected people, with a role")
    def approve(self, request: HttpRequest, queryset: QuerySet[LinkedIdentity]) -> HttpResponse | None:
        waiting = queryset.filter(approved_at__isnull=True)
        form = ApprovalForm(request.POST if "confirmed" in request.POST else None)
        if not form.is_valid():
            return TemplateResponse(
                request,
                "federation/admin/approve.html",
                {**self.admin_site.each_context(request), "identities": waiting, "form": form, "title": "Approve"},
            )
        roles = [Role(value) for value in form.cleaned_data["roles"]]
        approved = 0
        for identity in waiting:
            if not roles and not identity.user.roles:
                self.message_user(request, f"Choose a role for {identity.user}, who has none yet.", messages.ERROR)
                continue
            try:
                identity_approve(actor=_actor(request), identity=identity, roles=roles)
                approved += 1
            except ValidationError as error:
                self.message_user(request, f"{identity.user}: {' '.join(error.messages)}", messages.ERROR)
        if approved:
            self.message_user(request, f"{approved} approved; they can sign in now.", messages.SUCCESS)
        return None
