"""Level 2/3 meetings: panel days, invitations and attendance, minutes in the national structure,
Four Pillars risk management plans with actions, disclosure decisions and requests for minutes."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import reverse
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from agencies.models import Agency, Area, District, User
from cases.models import Level, Nominal, RiskLevel


class PanelDay(models.Model):
    """A district's scheduled day of Level 2/3 meetings, with its standing members."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="panel_days")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="panel_days")
    date = models.DateField()
    place = models.CharField(max_length=200, blank=True)
    video_link = models.URLField(blank=True)
    standing_agencies = models.ManyToManyField(Agency, related_name="+", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "district__name"]
        constraints = [models.UniqueConstraint(fields=["district", "date"], name="meetings_panelday_one_per_day")]

    def __str__(self) -> str:
        return f"Panel day {self.district} {self.date:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:panel-day-detail", args=[self.pk])


class MeetingKind(models.TextChoices):
    INITIAL = "initial", "Initial"
    REVIEW = "review", "Review"
    URGENT = "urgent", "Urgent"
    EXIT = "exit", "Exit"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held: minutes in draft"
    SUBMITTED = "submitted", "Minutes with the chair"
    APPROVED = "approved", "Minutes approved"
    DISTRIBUTED = "distributed", "Minutes distributed"


class AtRisk(models.TextChoices):
    CHILDREN = "children", "Children"
    KNOWN_ADULTS = "known_adults", "Known adults"
    PUBLIC = "public", "The public"
    STAFF = "staff", "Staff"
    PRISONERS = "prisoners", "Prisoners"
    SELF = "self", "Self"


class Imminence(models.TextChoices):
    IMMINENT = "imminent", "Imminent"
    COULD_HAPPEN = "could_happen", "Could happen at any time"
    NOT_IMMINENT = "not_imminent", "Not imminent"


class LevelDecision(models.TextChoices):
    CONTINUE = "continue", "Continue at this level"
    RAISE = "raise", "Raise the level"
    LOWER = "lower", "Lower the level"
    EXIT = "exit", "Exit MAPPA Level 2/3 management"


class Meeting(models.Model):
    """One case discussion: a nominal at a panel day, or convened at short notice."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="meetings")
    panel_day = models.ForeignKey(PanelDay, on_delete=models.PROTECT, related_name="meetings", null=True, blank=True)
    nominal = models.ForeignKey(Nominal, on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(max_length=20, choices=MeetingKind.choices)
    level = models.PositiveSmallIntegerField(choices=[(2, "Level 2"), (3, "Level 3")])
    chair = models.ForeignKey(User, on_delete=models.PROTECT, related_name="meetings_chaired")
    minute_taker = models.ForeignKey(User, on_delete=models.PROTECT, related_name="meetings_minuted")
    starts_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True)
    video_link = models.URLField(blank=True)
    status = models.CharField(max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)

    # Minutes, in the national structure.
    confidentiality_statement_read = models.BooleanField(default=False)
    at_risk = models.JSONField(default=list, blank=True)
    risk_nature = models.TextField("Nature of the risk", blank=True)
    imminence = models.CharField(max_length=20, choices=Imminence.choices, blank=True)
    rosh_level = models.CharField("Current risk of serious harm", max_length=20, choices=RiskLevel.choices, blank=True)
    level_decision = models.CharField(max_length=20, choices=LevelDecision.choices, blank=True)
    new_level = models.PositiveSmallIntegerField(choices=Level.choices, null=True, blank=True)
    level_rationale = models.TextField("Rationale for the level decision", blank=True)
    offender_informed = models.BooleanField("The person will be told they were discussed", default=True)
    withheld_reason = models.TextField("Why they will not be told", blank=True)
    next_review = models.DateField("Next review", null=True, blank=True)
    next_review_rationale = models.TextField("Why the review is later than the level's interval", blank=True)
    executive_summary = models.TextField(blank=True)
    minutes_version = models.PositiveIntegerField(default=1, editable=False)

    held_at = models.DateTimeField(null=True, blank=True, editable=False)
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    distributed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        permissions = [
            ("view_minutes", "Can read the distributed minutes"),
            ("view_agenda", "Can see the meeting's agenda information"),
        ]
        indexes = [models.Index(fields=["area", "starts_at"], name="meetings_area_start_idx")]

    def __str__(self) -> str:
        return f"Meeting {self.pk} ({self.nominal})"

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting-detail", args=[self.pk])

    @property
    def audit_nominal_id(self) -> int:
        return self.nominal_id

    def get_additional_data(self) -> dict[str, Any]:
        return {"nominal_id": self.nominal_id}

    @property
    def at_risk_display(self) -> str:
        return ", ".join(AtRisk(value).label for value in self.at_risk if value in AtRisk.values)


class Attendance(models.TextChoices):
    INVITED = "invited", "Invited"
    ATTENDED = "attended", "Attended"
    APOLOGIES = "apologies", "Sent apologies"
    REPORT = "report", "Sent a written report"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"


class Invitation(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="invitations")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="invitations")
    standing = models.BooleanField(default=False)
    attendance = models.CharField(max_length=20, choices=Attendance.choices, default=Attendance.INVITED)
    attendee_name = models.CharField(max_length=150, blank=True)
    attendee_role = models.CharField(max_length=150, blank=True)
    information_shared = models.TextField(blank=True)

    class Meta:
        ordering = ["agency__name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "agency"], name="meetings_invitation_once")]

    def __str__(self) -> str:
        return f"{self.agency} to {self.meeting}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"nominal_id": self.meeting.nominal_id}


class MeetingRecord(models.Model):
    """Something recorded in a meeting's minutes; its audit entries are filed under the nominal."""

    meeting: models.ForeignKey[Meeting, Meeting]
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk} of {self.meeting}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"nominal_id": self.meeting.nominal_id}


class Decision(MeetingRecord):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    decision = models.TextField()
    rationale = models.TextField()
    dissent = models.TextField(blank=True, help_text="Who disagreed and why.")

    class Meta:
        ordering = ["pk"]


class DisclosureDecision(MeetingRecord):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="disclosures")
    recipient = models.CharField("Who will be told", max_length=200)
    what = models.TextField("What will be disclosed")
    why_necessary = models.TextField("Why it is necessary and proportionate")
    who_discloses = models.CharField("Who will disclose", max_length=200)
    offender_told_first = models.BooleanField("The person will be told first", default=True)
    not_told_reason = models.TextField("Why the person will not be told first", blank=True)
    undertaking_signed = models.BooleanField("The recipient has signed an undertaking", default=False)
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]


class RiskManagementPlan(models.Model):
    """The Four Pillars plan agreed at a meeting; the next meeting starts from a copy of it."""

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="rmp")
    supervision = models.TextField(blank=True)
    monitoring_and_control = models.TextField(blank=True)
    interventions_and_treatment = models.TextField(blank=True)
    victim_safety_planning = models.TextField(blank=True)
    contingency = models.TextField("Contingency plans", blank=True)
    licence_conditions = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"RMP of {self.meeting}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"nominal_id": self.meeting.nominal_id}


class Pillar(models.TextChoices):
    SUPERVISION = "supervision", "Supervision"
    MONITORING_AND_CONTROL = "monitoring_and_control", "Monitoring and control"
    INTERVENTIONS_AND_TREATMENT = "interventions_and_treatment", "Interventions and treatment"
    VICTIM_SAFETY_PLANNING = "victim_safety_planning", "Victim safety planning"
    CONTINGENCY = "contingency", "Contingency"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETE = "complete", "Complete"
    NOT_DONE = "not_done", "Not done"


class Action(MeetingRecord):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="actions")
    nominal = models.ForeignKey(Nominal, on_delete=models.PROTECT, related_name="actions")
    pillar = models.CharField(max_length=30, choices=Pillar.choices)
    description = models.TextField()
    owning_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="actions")
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="actions_owned", null=True, blank=True)
    due = models.DateField()
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    completed_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["due", "pk"]
        indexes = [
            models.Index(fields=["owning_agency", "status", "due"], name="meetings_action_agency_idx"),
            models.Index(fields=["nominal", "status"], name="meetings_action_nominal_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="complete") | Q(completed_on__isnull=False), name="meetings_action_completed_dated"
            ),
        ]


class ActionUpdate(models.Model):
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="updates")
    status = models.CharField(max_length=20, choices=ActionStatus.choices)
    note = models.TextField(blank=True)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"Update {self.pk} of action {self.action_id}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"nominal_id": self.action.nominal_id}


class RequesterKind(models.TextChoices):
    NOMINAL = "nominal", "The person discussed"
    LAWYER = "lawyer", "Their lawyer"
    COURT = "court", "A court"
    OTHER = "other", "Someone else"


class MinutesRequest(MeetingRecord):
    """A request for the minutes from the person, a lawyer or a court, answered with the executive summary."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="minutes_requests")
    requester_kind = models.CharField(max_length=20, choices=RequesterKind.choices)
    requester = models.CharField("Who asked", max_length=200)
    received_on = models.DateField()
    released_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-received_on", "-pk"]


# Explicit shares of a meeting (agenda to invitees, minutes to attendees) go to agency groups.
class MeetingUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Meeting, on_delete=models.CASCADE)


class MeetingGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Meeting, on_delete=models.CASCADE)
