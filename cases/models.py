"""Nominal records: the people MAPPA manages, their category and level histories, convictions,
orders, events, risk assessments and exit. Nothing here is ever deleted."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from agencies.models import Agency, Area, District, User

# Identifier formats. PNC ID: year (2 or 4 digits), slash, up to 7 digits and a check letter.
# Probation CRN (nDelius): a letter and 6 digits. Prison number (NOMIS): letter, 4 digits, 2 letters.
# ViSOR nominal reference: 6 to 10 digits.
PNC_ID = RegexValidator(r"^(\d{2}|\d{4})/\d{1,7}[A-Z]$", "Enter a PNC ID like 2004/0123456X")
CRN = RegexValidator(r"^[A-Z]\d{6}$", "Enter a CRN like X123456")
PRISON_NUMBER = RegexValidator(r"^[A-Z]\d{4}[A-Z]{2}$", "Enter a prison number like A1234BC")
VISOR_REFERENCE = RegexValidator(r"^\d{6,10}$", "Enter a ViSOR reference of 6 to 10 digits")


class Category(models.IntegerChoices):
    REGISTERED_SEXUAL_OFFENDER = 1, "Category 1: registered sexual offender"
    VIOLENT_OFFENDER = 2, "Category 2: violent offender"
    OTHER_DANGEROUS_OFFENDER = 3, "Category 3: other dangerous offender"
    TERRORISM = 4, "Category 4: terrorism or terrorism risk"


class Level(models.IntegerChoices):
    LEVEL_1 = 1, "Level 1: ordinary agency management"
    LEVEL_2 = 2, "Level 2: active multi-agency management"
    LEVEL_3 = 3, "Level 3: senior multi-agency management"


class Location(models.TextChoices):
    COMMUNITY = "community", "In the community"
    CUSTODY = "custody", "In custody"
    HOSPITAL = "hospital", "Detained in hospital"


class Stream(models.TextChoices):
    LOCAL = "local", "Local"
    COUNTER_TERRORISM = "counter_terrorism", "Counter-terrorism"


class Status(models.TextChoices):
    ACTIVE = "active", "Active"
    EXITED = "exited", "Exited MAPPA"


class Gender(models.TextChoices):
    MALE = "male", "Male"
    FEMALE = "female", "Female"
    OTHER = "other", "Other"
    NOT_KNOWN = "not_known", "Not known"


class Nominal(models.Model):
    """A person managed under MAPPA. Identified on screen and in logs by the case reference only."""

    case_reference = models.CharField(max_length=30, unique=True, editable=False)
    first_name = models.CharField(max_length=100)
    middle_names = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    gender = models.CharField(max_length=20, choices=Gender.choices)
    ethnicity = models.CharField(max_length=100, blank=True, help_text="As the person describes it.")
    pnc_id = models.CharField("PNC ID", max_length=14, blank=True, validators=[PNC_ID])
    visor_reference = models.CharField("ViSOR reference", max_length=10, blank=True, validators=[VISOR_REFERENCE])
    crn = models.CharField("Probation CRN", max_length=7, blank=True, validators=[CRN])
    prison_number = models.CharField(max_length=7, blank=True, validators=[PRISON_NUMBER])
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="nominals")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="nominals", null=True, blank=True)
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="led_nominals")
    offender_manager = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="managed_nominals", null=True, blank=True
    )
    location = models.CharField(max_length=20, choices=Location.choices, default=Location.COMMUNITY)
    expected_release_date = models.DateField(null=True, blank=True)
    stream = models.CharField(max_length=20, choices=Stream.choices, default=Stream.LOCAL)
    # Restricted details: only for those whose access includes them (see cases.policy).
    address = models.TextField(blank=True)
    restricted_notes = models.TextField(
        blank=True, help_text="Victims and others at risk, health information and other restricted details."
    )
    # The current category and level, kept in step with their histories by the services, so that
    # lists and counts filter on a column instead of a history.
    category = models.PositiveSmallIntegerField(choices=Category.choices)
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # When the next Level 2/3 review meeting is due, set when a meeting's minutes are approved.
    next_review_due = models.DateField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        permissions = [("view_restricted_nominal", "Can view the restricted details of a nominal")]
        constraints = [
            models.UniqueConstraint(fields=["pnc_id"], condition=~Q(pnc_id=""), name="cases_nominal_unique_pnc_id"),
            models.UniqueConstraint(fields=["crn"], condition=~Q(crn=""), name="cases_nominal_unique_crn"),
            models.UniqueConstraint(
                fields=["visor_reference"], condition=~Q(visor_reference=""), name="cases_nominal_unique_visor"
            ),
            models.UniqueConstraint(
                fields=["prison_number"], condition=~Q(prison_number=""), name="cases_nominal_unique_prison_number"
            ),
            models.CheckConstraint(condition=~Q(category=3, level=1), name="cases_nominal_category3_never_level1"),
        ]
        indexes = [
            models.Index(fields=["area", "status", "last_name", "first_name"], name="cases_nominal_area_name_idx"),
            models.Index(fields=["area", "category", "level"], name="cases_nominal_area_cat_lvl_idx"),
            models.Index(fields=["lead_agency", "status"], name="cases_nominal_lead_idx"),
        ]

    def __str__(self) -> str:
        return self.case_reference

    def get_absolute_url(self) -> str:
        return reverse("cases:nominal-detail", args=[self.case_reference])

    @property
    def full_name(self) -> str:
        return " ".join(part for part in [self.first_name, self.middle_names, self.last_name] if part)

    @property
    def audit_nominal_id(self) -> int:
        return self.pk

    def get_additional_data(self) -> dict[str, Any]:
        return {"nominal_id": self.pk}

    def age_on(self, day: datetime.date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class NominalRecord(models.Model):
    """Something that belongs to one nominal's record; its audit entries are filed under the nominal."""

    nominal: models.ForeignKey[Nominal, Nominal]
    nominal_id: int
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, editable=False)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.nominal} {self._meta.verbose_name} {self.pk}"

    @property
    def audit_nominal_id(self) -> int:
        return self.nominal_id

    def get_additional_data(self) -> dict[str, Any]:
        return {"nominal_id": self.nominal_id}


class AliasKind(models.TextChoices):
    ALIAS = "alias", "Alias"
    PREVIOUS = "previous", "Previous name"
    NICKNAME = "nickname", "Nickname"
    SPELLING = "spelling", "Other spelling"


class Alias(NominalRecord):
    nominal = models.ForeignKey(Nominal, on_delete=models.PROTECT, related_name="aliases")
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=AliasKind.choices, default=AliasKind.ALIAS)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name_plural = "aliases"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class NominalName(models.Model):
    """Every name a nominal is known by (their own and each alias), normalised for search.

    Search looks here alone; on PostgreSQL a trigram index on `name` makes misspelt names fast.
    Maintained by the services; not a record in its own right, so not audited.
    """

    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="search_names")
    alias = models.OneToOneField(Alias, on_delete=models.CASCADE, null=True, related_name="search_name")
    name = models.CharField(max_length=260)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["nominal"], condition=Q(alias__isnull=True), name="cases_nominalname_one_primary"
            ),
        ]

    def __str__(self) -> str:
        return f"name of {self.nominal_id}"


class Source(models.TextChoices):
    INITIAL = "initial", "Initial record"
    SCREENING = "screening", "Screening panel"
    MEETING = "meeting", "MAPPA meeting"
    REVIEW = "review", "Review"


class Episode(NominalRecord):
    """One span of a person's MAPPA eligibility, from the day they became a MAPPA case to the day
    before their exit (open while `end` is empty). A person who exits and is later referred again
    starts a new episode on the same record; each episode has its own category and level history."""

    nominal = models.ForeignKey(Nominal, on_delete=models.PROTECT, related_name="episodes")
    start = models.DateField()
    end = models.DateField(null=True, blank=True, help_text="The last day of the episode: the day before the exit.")
    reason = models.TextField(help_text="Why the person became a MAPPA case.")

    class Meta:
        ordering = ["-start", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="cases_episode_end_after_start"
            ),
            models.UniqueConstraint(fields=["nominal"], condition=Q(end__isnull=True), name="cases_episode_one_open"),
        ]
        indexes = [models.Index(fields=["nominal", "start"], name="cases_episode_nominal_idx")]

    def covers(self, day: datetime.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    @property
    def exit_or_none(self) -> Exit | None:
        """The exit that ended this episode (None while it is open), for templates."""
        try:
            return self.exit
        except Exit.DoesNotExist:
            return None


class Period(NominalRecord):
    """A span of time from `start` to `end` (open while `end` is empty), with who decided and why."""

    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    reason = models.TextField()
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices)

    class Meta:
        abstract = True
        ordering = ["-start", "-pk"]


class CategoryPeriod(Period):
    nominal = models.ForeignKey(Nominal, on_delete=models.PROTECT, related_name="category_periods")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="category_periods")
    category = models.PositiveSmallIntegerField(choices=Category.choices)

    class Meta(Period.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="cases_categoryperiod_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["nominal"], condition=Q(end__isnull=True), name="cases_categoryperiod_one_open"
            ),
        ]
        indexes = [models.Index(fields=["nominal", "start"], name="cases_catperiod_nominal_idx")]


class LevelPeriod(Period):
    nominal = models.ForeignKey(Nominal, on_delete=models.PROTECT, related_name="level_periods")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="level_periods")
    level = models.PositiveSmallIntegerField(choices=Level.choices)

    class Meta(Period.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="cases_levelperiod_end_after_start"
            ),
            models.UniqueConstraint(
                fields=["nominal"], condition=Q(end__isnull=True), name="cases_levelperiod_one_open"
            ),
        ]
        indexes = [models.Index(fields=["nominal", "start"], name="cases_lvlperiod_nominal_idx")]


class Disposal(models.TextChoices):
    CONVICTION = "conviction", "Conviction"
    CAUTION = "caution", "Caution"


class SentenceType(models.TextChoices):
    LIFE = "life", "Life or indeterminate sentence (including IPP)"
    IMMEDIATE_CUSTODY = "custody", "Immediate custody"
    SUSPENDED = "suspended", "Suspended sentence"
    DETENTION_AND_TRAINING = "dto", "Detention and training order"
    COMMUNITY = "community", "Community order"
    HOSPITAL_ORDER = "hospital_order", "Hospital order"
    GUARDIANSHIP_ORDER = "guardianship_order", "Guardianship order"
    FINE = "fine", "Fine"
    DISCHARGE = "discharge", "Conditional discharge"
    CAUTION = "caution", "Caution"


# Sentences of a term: imprisonment, immediate or suspended (a suspended sentence that has not taken
# effect is a sentence of imprisonment for the purposes of all enactments: Criminal Justice Act 2003
# s.189(6), kept by the Sentencing Code's Part 10 Chapter 5), and detention and training orders.
TERM_SENTENCES = (SentenceType.IMMEDIATE_CUSTODY, SentenceType.SUSPENDED, SentenceType.DETENTION_AND_TRAINING)


class Conviction(NominalRecord):
    nominal = models.ForeignKey(Nominal, on_delete=models.PROTECT, related_name="convictions")
    offence_code = models.CharField(
        "Offence",
        max_length=60,
        blank=True,
        help_text="The offence as listed in cases/offences.toml; empty for an offence recorded only as text.",
    )
    offence = models.CharField(max_length=200)
    offence_date = models.DateField(null=True, blank=True)
    conviction_date = models.DateField(help_text="The date of conviction or caution.")
    disposal = models.CharField(max_length=20, choices=Disposal.choices, default=Disposal.CONVICTION)
    sentence_type = models.CharField(max_length=20, choices=SentenceType.choices)
    custodial_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(1200)],
        help_text="The term in months: of imprisonment (immediate or suspended), detention, or a conditional discharge.",
    )
    restriction_order = models.BooleanField("Hospital order with a restriction order", default=False)
    sentence_expiry_date = models.DateField(null=True, blank=True)
    controlling_or_coercive = models.BooleanField("Controlling or coercive behaviour", default=False)
    terrorism = models.BooleanField("Terrorism or terrorism-connected", default=False)

    class Meta:
        ordering = ["-conviction_date", "-pk"]


class OrderKind(models.TextChoices):
    NOTIFICATION_REQUIREMENTS = "notification", "Notification requirements"
    SHPO = "shpo", "Sexual Harm Prevention Order"
    SRO = "sro", "Sexual Risk Order"
    NOTIFICATION_ORDER = "notification_order", "Notification Order"
    LICENCE = "licence", "Licence"
    HOSPITAL_ORDER = "hospital_order", "Hospital order"
    GUARDIANSHIP_ORDER = "guardianship_order", "Guardianship order"


# Orders that keep a person subject to the notification requirements while in force (Category 1):
# the requirements themselves, a Notification Order, and an SHPO or interim SHPO, which keeps or puts
# the person under the requirements for as long as it has effect (Sexual Offences Act 2003 s.103G;
# Sentencing Act 2020 s.348 for an order made on conviction).
NOTIFYING_ORDERS = (OrderKind.NOTIFICATION_REQUIREMENTS, OrderKind.NOTIFICATION_ORDER, OrderKind.SHPO)
# Orders under which a Category 2 person in the community stays MAPPA-eligible.
CATEGORY_2_ORDERS = (OrderKind.LICENCE, OrderKind.HOSPITAL_ORDER, OrderKind.GUARDIANSHIP_ORDER)


class Order(NominalRecord):
    nominal = models.ForeignKey(Nominal, on_delete=models.PROTECT, related_name="orders")
    kind = models.CharField(max_length=20, choices=OrderKind.choices)
    conviction = models.ForeignKey(
        Conviction,
        on_delete=models.PROTECT,
        related_name="orders",
        null=True,
        blank=True,
        help_text="The conviction or caution the order arises from; notification requirements are worked out from it.",
    )
    start = models.DateField()
    end = models.DateField(null=True, blank=True, help_text="The last day the order is in force.")
    indefinite = models.BooleanField(default=False)
    interim = models.BooleanField("Interim order", default=False)
    foreign_travel_restriction = models.BooleanField(default=False)
    revoked_on = models.DateField("Revoked on application", null=True, blank=True)
    review_from = models.DateField(
        "Review possible from",
        null=True,
        blank=True,
        help_text="For indefinite notification requirements: when the person may first apply for a review.",
    )
    conditions = models.TextField(blank=True, help_text="Licence conditions, or the order's prohibitions.")

    class Meta:
        ordering = ["-start", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="cases_order_end_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(indefinite=True, end__isnull=False), name="cases_order_indefinite_no_end"
            ),
        ]
        indexes = [models.Index(fields=["kind", "start"], name="cases_order_kind_start_idx")]

    def in_force_on(self, day: datetime.date) -> bool:
        if day < self.start or (self.revoked_on and day >= self.revoked_on):
            return False
        return self.indefinite or self.end is None or day <= self.end


class EventKind(models.TextChoices):
    BREACH_NOTIFICATION_CAUTIONED = "breach_notification_cautioned", "Cautioned for breach of notification"
    BREACH_NOTIFICATION_CONVICTED = "breach_notification_convicted", "Convicted for breach of notification"
    BREACH_SHPO = "breach_shpo", "Breach of SHPO"
    BREACH_SRO_NOTIFICATION = "breach_sro", "Breach of SRO leading to notification"
    RECALL = "recall", "Recalled to custody for breach of licence"
    CUSTODY = "custody", "Remanded or sentenced to custody"
    RELEASE = "release", "Released from custody"
    HOSPITAL_DETENTION = "hospital_detention", "Detained in hospital"
    HOSPITAL_DISCHARGE = "hospital_discharge", "Discharged from hospital"
    TRANSFER = "transfer", "Transferred to another MAPPA area"
    SERIOUS_FURTHER_OFFENCE = "serious_further_offence", "Charged with a serious further offence"


# Where an event leaves the person.
LOCATION_AFTER_EVENT = {
    EventKind.RECALL: Location.CUSTODY,
    EventKind.CUSTODY: Location.CUSTODY,
    EventKind.RELEASE: Location.COMMUNITY,
    EventKind.HOSPITAL_DETENTION: Location.HOSPITAL,
    EventKind.HOSPITAL_DISCHARGE: Location.COMMUNITY,
}


# Breaches after which the person may be returned to custody for that breach.
BREACHES = (
    EventKind.BREACH_NOTIFICATION_CAUTIONED,
    EventKind.BREACH_NOTIFICATION_CONVICTED,
    EventKind.BREACH_SHPO,
    EventKind.BREACH_SRO_NOTIFICATION,
)
# The events that move a person: by their kind, or a breach that returned them to custody.
MOVING_EVENTS = Q(kind__in=list(LOCATION_AFTER_EVENT)) | Q(kind__in=BREACHES, returned_to_custody=True)


class Event(NominalRecord):
    nominal = models.ForeignKey(Nominal, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=40, choices=EventKind.choices)
    date = models.DateField()
    returned_to_custody = models.BooleanField(
        default=False, help_text="For a breach: the person was returned to custody for it on that day."
    )
    notes = models.TextField(blank=True)
    from_area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    to_area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", null=True, blank=True)

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["kind", "date"], name="cases_event_kind_date_idx")]


class RiskTool(models.TextChoices):
    OASYS_ROSH = "oasys_rosh", "OASys RoSH"
    ARMS = "arms", "ARMS"
    RM2000 = "rm2000", "Risk Matrix 2000"
    SARA = "sara", "SARA"
    ASSETPLUS = "assetplus", "AssetPlus"
    OTHER = "other", "Other"


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    VERY_HIGH = "very_high", "Very high"


class RiskAssessment(NominalRecord):
    nominal = models.ForeignKey(Nominal, on_delete=models.PROTECT, related_name="risk_assessments")
    tool = models.CharField(max_length=20, choices=RiskTool.choices)
    date = models.DateField()
    result = models.CharField(max_length=20, choices=RiskLevel.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-date", "-pk"]


class ExitReason(models.TextChoices):
    NOTIFICATION_ENDED = "notification_ended", "Notification requirements ended or revoked"
    LICENCE_ENDED = "licence_ended", "Licence ended"
    ORDER_ENDED = "order_ended", "Hospital or guardianship order ended"
    RISK_REDUCED = "risk_reduced", "No longer needs Level 2 or 3 management"
    DIED = "died", "Died"
    LEFT_JURISDICTION = "left_jurisdiction", "Moved out of England and Wales"
    OTHER = "other", "Other: eligibility ended for another reason"


class Exit(NominalRecord):
    """The end of an episode: the exit date is the first day the person is no longer a MAPPA case."""

    nominal = models.ForeignKey(Nominal, on_delete=models.PROTECT, related_name="exits")
    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="exit")
    reason = models.CharField(max_length=30, choices=ExitReason.choices)
    date = models.DateField()
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    rationale = models.TextField()
    review_retention_on = models.DateField(help_text="When the record is next reviewed for retention.")


# Explicit shares of a nominal go to agency groups (guardian, with direct foreign keys).
class NominalUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Nominal, on_delete=models.CASCADE)


class NominalGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Nominal, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [models.Index(fields=["group", "permission"], name="cases_share_group_perm_idx")]
