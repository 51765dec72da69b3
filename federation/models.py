"""Agencies' own identity providers (OpenID Connect), and the people linked to them.

A provider belongs to one agency: whoever signs in through it is of that agency, whatever the token
says. A person is linked to their account here by the provider's identifier for them (the claim the
administrator chose), never by a name or an e-mail address alone, and a new link gives no rights
until an administrator of the area approves it.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.validators import RegexValidator
from django.db import models
from django_otp.models import Device, DeviceManager

from agencies.models import Agency, User

ENVIRONMENT_VARIABLE = RegexValidator(
    r"^[A-Z][A-Z0-9_]{2,99}$", "Enter an environment variable's name, like OIDC_SECRET_KENT_POLICE"
)
DOMAINS = RegexValidator(
    r"^\s*[a-z0-9.-]+\.[a-z]{2,}(\s*,\s*[a-z0-9.-]+\.[a-z]{2,})*\s*$",
    "Enter the e-mail domains, separated by commas, like kent.police.uk, kent.pnn.police.uk",
)


def _values(text: str) -> set[str]:
    return {value.strip() for value in text.replace(",", " ").split() if value.strip()}


class IdentityProvider(models.Model):
    agency = models.OneToOneField(Agency, on_delete=models.PROTECT, related_name="identity_provider")
    issuer = models.URLField(
        max_length=300, help_text="The provider's issuer, exactly as its discovery document gives it."
    )
    client_id = models.CharField(max_length=200)
    client_secret_variable = models.CharField(
        max_length=100,
        validators=[ENVIRONMENT_VARIABLE],
        help_text="The environment variable of the web and worker processes that holds the client secret; "
        "the secret itself is never stored here.",
    )
    subject_claim = models.CharField(
        max_length=10,
        choices=[("sub", "sub (OpenID Connect's subject)"), ("oid", "oid (Microsoft Entra ID's object id)")],
        default="sub",
        help_text="The claim that identifies a person for good, whatever their name or address becomes.",
    )
    email_domains = models.CharField(
        max_length=500, validators=[DOMAINS], help_text="The e-mail domains of the agency's staff, separated by commas."
    )
    mfa_amr_values = models.CharField(
        max_length=200,
        default="mfa",
        blank=True,
        help_text="Values of the token's 'amr' claim that mean the provider asked for a second factor.",
    )
    mfa_acr_values = models.CharField(
        max_length=300, blank=True, help_text="Values of the token's 'acr' claim that mean the same."
    )
    addresses_verified = models.BooleanField(
        default=False,
        help_text="The agency's directory manages its staff's addresses, so an address in a token is theirs even "
        "without 'email_verified' (Microsoft Entra ID, say). Only then, or with 'email_verified', is someone's "
        "first sign-in linked to an account they already have here.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "client_id"], name="federation_identityprovider_one_client"),
        ]

    def __str__(self) -> str:
        return f"{self.agency}: {self.issuer}"

    @property
    def domains(self) -> set[str]:
        return {domain.lower() for domain in _values(self.email_domains)}

    def client_secret(self) -> str:
        return os.environ.get(self.client_secret_variable, "")

    def counts_as_second_factor(self, claims: dict[str, Any]) -> bool:
        """Whether the token says the provider asked for a second factor (RFC 8176 `amr`, or `acr`)."""
        amr = claims.get("amr")
        methods = {str(value) for value in amr} if isinstance(amr, list) else set()
        return bool(methods & _values(self.mfa_amr_values)) or str(claims.get("acr", "")) in _values(
            self.mfa_acr_values
        )


class LinkedIdentity(models.Model):
    """A person as their agency's provider knows them, linked to their account here."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.PROTECT, related_name="identities")
    subject = models.CharField(max_length=255)
    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="linked_identity")
    email = models.EmailField(blank=True)
    # Linked to an account the person already had (by a verified address), rather than a new one.
    existing_account = models.BooleanField(default=False)
    requested_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)
    # Kept (encrypted, see federation.secrets) so that the leavers' check can ask the provider whether
    # it still knows the person; empty once it does not.
    refresh_token = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name_plural = "linked identities"
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="federation_linkedidentity_unique_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.provider.agency}"

    @property
    def approved(self) -> bool:
        return self.approved_at is not None


class ProviderDeviceManager(DeviceManager):
    def devices_for_user(self, user: Any, confirmed: bool | None = None) -> Any:
        # Not a device the person has: never offered for a code, never counted as set up.
        return self.none()


class ProviderSecondFactor(Device):
    """The second factor the agency's provider asked for, as django-otp records a verified sign-in.
    It verifies no code: a person signs in with it only through the provider."""

    objects = ProviderDeviceManager()
    # As django-otp's own field, without a way back from the user: nothing asks a person for theirs.
    user: models.ForeignKey[User, User] = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user"], name="federation_providersecondfactor_one_per_user")]

    def verify_token(self, token: Any) -> bool:
        return False
