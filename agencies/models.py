"""MAPPA areas and their districts, the agencies that work in them, and the people who use the service."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.contrib.auth.models import AbstractUser, Group
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.crypto import salted_hmac
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class Area(models.Model):
    """A MAPPA area: one of the 42 in England and Wales, with its own co-ordination unit."""

    name = models.CharField(max_length=100, unique=True)
    code = models.SlugField(max_length=20, unique=True, help_text="Short code, for example KENT.")
    level2_review_weeks = models.PositiveSmallIntegerField(
        default=16,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text="Level 2 cases are reviewed at least this often.",
    )
    level3_review_weeks = models.PositiveSmallIntegerField(
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text="Level 3 cases are reviewed at least this often.",
    )
    screening_weekday = models.PositiveSmallIntegerField(
        default=2,
        choices=[(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"), (4, "Friday")],
        help_text="The day of the week the screening panel meets.",
    )
    screening_target_days = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="A referral should be screened within this many days of submission.",
    )
    first_meeting_target_days = models.PositiveSmallIntegerField(
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(180)],
        help_text="A first Level 2/3 meeting should be held within this many days of acceptance.",
    )
    minutes_target_days = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="Minutes should be distributed within this many days of the meeting.",
    )
    # The number the next nominal in this area gets in its case reference; taken under a row lock.
    next_case_number = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        permissions = [("handle_category4", "Cleared to see Category 4 cases in this area")]

    def __str__(self) -> str:
        return self.name


class AreaPopulation(models.Model):
    """Population aged 10 and over, for the Category 1 rate per 100,000 in the annual report."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="populations")
    year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text="The year in which the reporting period starts (1 April).",
    )
    population_aged_10_plus = models.PositiveIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["area", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["area", "year"], name="agencies_areapopulation_one_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.area.code} {self.year}"


class District(models.Model):
    """A local authority district within an area; Level 2/3 panel days are held per district."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="districts")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["area__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="agencies_district_unique_name_in_area"),
        ]

    def __str__(self) -> str:
        return self.name


class AgencyKind(models.TextChoices):
    POLICE = "police", "Police"
    PROBATION = "probation", "Probation Service"
    PRISON = "prison", "Prison Service"
    CHILDRENS_SERVICES = "childrens_services", "Children's social care"
    ADULTS_SERVICES = "adults_services", "Adult social care"
    HEALTH = "health", "Health (integrated care board)"
    MENTAL_HEALTH = "mental_health", "Mental health trust"
    YOUTH_JUSTICE = "youth_justice", "Youth justice service"
    HOUSING = "housing", "Housing authority or social landlord"
    EDUCATION = "education", "Education"
    DWP = "dwp", "DWP / Jobcentre Plus"
    ELECTRONIC_MONITORING = "electronic_monitoring", "Electronic monitoring provider"
    IMMIGRATION = "immigration", "Home Office Immigration Enforcement"
    OTHER = "other", "Other"

    @classmethod
    def responsible_authority(cls) -> frozenset[AgencyKind]:
        """Police, probation and prisons form the Responsible Authority; the rest have a duty to co-operate."""
        return frozenset({cls.POLICE, cls.PROBATION, cls.PRISON})


class Agency(models.Model):
    """An organisation whose staff use the service. Object permissions are granted to its group."""

    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=30, choices=AgencyKind.choices)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="agencies")
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="agencies",
        null=True,
        blank=True,
        help_text="For agencies that serve one district, such as a district council's housing service.",
    )
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="agency", editable=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="agencies_agency_unique_name_in_area"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("agencies:agency-detail", args=[self.pk])

    @property
    def is_responsible_authority(self) -> bool:
        return self.kind in AgencyKind.responsible_authority()


class Role(models.TextChoices):
    COORDINATOR = "coordinator", "Co-ordinator"
    CHAIR = "chair", "Chair"
    RA_PRACTITIONER = "ra_practitioner", "RA practitioner"
    DTC_STAFF = "dtc_staff", "DTC agency staff"
    AUDITOR = "auditor", "Auditor"
    SYSTEM_ADMINISTRATOR = "system_administrator", "System administrator"
    SMB_MEMBER = "smb_member", "Strategic Management Board member"
    LAY_ADVISER = "lay_adviser", "Lay adviser"


class User(AbstractUser):
    """A person who signs in. Belongs to one agency; never deleted, only deactivated."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="users", null=True, blank=True)
    job_title = models.CharField(max_length=150, blank=True)
    # Part of every session's check value: moving it on ends all of the user's sessions at once.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    # A partner system's account: the system's calls act as it, but it never signs in to the pages
    # (no password ever matches) and holds no role.
    is_machine = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["username"]
        constraints = [
            # Only the bootstrap superuser made by `createsuperuser` may lack an agency.
            models.CheckConstraint(
                condition=models.Q(agency__isnull=False) | models.Q(is_superuser=True),
                name="agencies_user_agency_required",
            ),
        ]

    def __str__(self) -> str:
        return self.username

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("Users are never deleted, only deactivated, so the audit log stays attributable.")

    def check_password(self, raw_password: str) -> bool:
        return not self.is_machine and super().check_password(raw_password)

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django checks this against the value stored at sign-in on every request.
        return salted_hmac(
            "agencies.User.session", f"{self.password}:{self.session_epoch}", secret=secret, algorithm="sha256"
        ).hexdigest()

    def end_sessions(self) -> None:
        """End every session the person has open, on any device: the core's sign-out calls this on
        the configured user model (see `_get_session_auth_hash`)."""
        type(self).objects.filter(pk=self.pk).update(session_epoch=models.F("session_epoch") + 1)
        self.refresh_from_db(fields=["session_epoch"])

    @property
    def audit_area_id(self) -> int | None:
        """The area an audit entry by this person is filed under when it is about no nominal: their
        agency's, read without a query when the agency is loaded (as it is for the request's user)."""
        if self.agency_id is None:
            return None
        if type(self).agency.is_cached(self):
            return self.agency.area_id  # type: ignore[union-attr]
        return Agency.objects.filter(pk=self.agency_id).values_list("area_id", flat=True).first()

    @cached_property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(value) for value in self.role_grants.values_list("role", flat=True))

    def has_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)

    @property
    def area(self) -> Area | None:
        return self.agency.area if self.agency else None

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class RoleGrant(models.Model):
    """A role held by a user. A person may hold several (a co-ordinator who also chairs, say)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=30, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="agencies_rolegrant_unique_role_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} as {self.get_role_display()}"


# Direct foreign-key object permission tables (faster and safer than guardian's generic ones).
# Category 4 clearance is granted per area, to a user.
class AreaUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Area, on_delete=models.CASCADE)


class AreaGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Area, on_delete=models.CASCADE)
