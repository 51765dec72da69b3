"""Partner systems: the prison, probation and police systems that call the service's API with a
token of their own, scoped to one area and to what they may do."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from agencies.models import Agency, User


class Scope(models.TextChoices):
    CUSTODY_WRITE = "custody:write", "Report custody periods and release dates"
    LEAD_AGENCY_WRITE = "lead-agency:write", "Record a change of lead agency"
    READ_REFERENCES = "nominals:read-references", "Match a person by identifier to a case reference"
    READ_MAPPA = "nominals:read-mappa", "Read a person's MAPPA category, level and status"
    RELEASES_READ = "releases:read", "List the area's expected releases"
    AGENCIES_READ = "agencies:read", "List the area's agencies"


class PartnerSystem(models.Model):
    """A machine client. Its calls act as `account`, a user with no role and no password who can
    never sign in to the pages, so that every record it writes and every audit entry names it."""

    name = models.CharField(max_length=150, help_text="The system, as its owners call it: 'HMPPS prison release feed'.")
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="partner_systems",
        help_text="The agency that runs the system; it is scoped to that agency's MAPPA area.",
    )
    account = models.OneToOneField(User, on_delete=models.PROTECT, related_name="partner_system", editable=False)
    scopes = models.JSONField(default=list, help_text="What the system may do.")
    requests_per_minute = models.PositiveIntegerField(
        default=120, validators=[MinValueValidator(1), MaxValueValidator(6000)]
    )
    token_prefix = models.CharField(max_length=16, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, editable=False)
    expires_at = models.DateTimeField(help_text="The token stops working then; issue a new one before.")
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="partners_partnersystem_unique_name_in_agency"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def area_id(self) -> int:
        return self.agency.area_id

    def may(self, scope: Scope | str) -> bool:
        return str(scope) in self.scopes

    def refusal(self) -> str:
        """Why the token no longer works, or empty while it does."""
        if self.revoked_at is not None:
            return "The token has been revoked."
        if self.expires_at <= timezone.now():
            return "The token has expired."
        if not self.account.is_active or not self.agency.is_active:
            return "The partner system's account is inactive."
        return ""


class IdempotentRequest(models.Model):
    """The answer given to a write, kept under the key its caller chose, so that a retry of the same
    request gets the same answer and changes nothing."""

    partner = models.ForeignKey(PartnerSystem, on_delete=models.PROTECT, related_name="requests")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the method, path, If-Match and body.")
    # The nominal the answer is about, so that a replay is audited under it and is refused once the
    # system may no longer see it. Not a foreign key: kept answers never hold a record back.
    nominal_id = models.BigIntegerField(null=True)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "key"], name="partners_idempotentrequest_unique_key"),
        ]
        indexes = [models.Index(fields=["created_at"], name="partners_idempotent_age_idx")]

    def __str__(self) -> str:
        return f"{self.partner_id}:{self.key}"
