"""Forms for meetings. They validate and normalise; meetings.services writes."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet

from agencies.models import Agency, Area, District, Role, User
from cases.models import Level, Nominal, Status
from mappa.forms import DateField, GovForm, GovModelForm
from meetings.models import (
    Action,
    ActionStatus,
    AtRisk,
    Decision,
    DisclosureDecision,
    Invitation,
    Meeting,
    MeetingKind,
    MinutesRequest,
    RiskManagementPlan,
)
from meetings.services import DISCLOSURE_FIELDS, MINUTES_FIELDS, RMP_FIELDS


def _people(area: Area, *roles: Role) -> QuerySet[User]:
    return (
        User.objects.filter(agency__area=area, is_active=True, role_grants__role__in=roles)
        .select_related("agency")
        .distinct()
        .order_by("last_name", "first_name")
    )


def _label_person(user: User) -> str:
    return f"{user.display_name}, {user.agency}"


class PanelDayForm(GovForm):
    district = forms.ModelChoiceField(label="District", queryset=District.objects.none())
    first = DateField(label="Date of the first panel day")
    months = forms.IntegerField(
        label="How many months to schedule",
        min_value=1,
        max_value=12,
        initial=6,
        help_text="Panel days recur monthly on the same day of the month.",
    )
    place = forms.CharField(label="Place", max_length=200, required=False)
    video_link = forms.URLField(label="Video link", required=False, assume_scheme="https")
    standing_agencies = forms.ModelMultipleChoiceField(
        label="Standing members", queryset=Agency.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args: Any, area: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.filter(area=area)  # type: ignore[attr-defined]
        self.fields["standing_agencies"].queryset = Agency.objects.filter(area=area, is_active=True)  # type: ignore[attr-defined]


class MeetingForm(GovForm):
    """A case on a panel day or, without one, an urgent meeting."""

    nominal = forms.ModelChoiceField(label="Nominal", queryset=Nominal.objects.none())
    kind = forms.ChoiceField(label="Kind of meeting", choices=MeetingKind.choices, widget=forms.RadioSelect)
    chair = forms.ModelChoiceField(label="Chair", queryset=User.objects.none())
    minute_taker = forms.ModelChoiceField(label="Minute taker", queryset=User.objects.none())
    date = DateField(label="Date")
    time = forms.TimeField(label="Time", help_text="For example, 10:30", input_formats=["%H:%M", "%H.%M"])
    place = forms.CharField(label="Place", max_length=200, required=False)
    video_link = forms.URLField(label="Video link", required=False, assume_scheme="https")
    invite = forms.ModelMultipleChoiceField(
        label="Agencies to invite for this case",
        queryset=Agency.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, area: Area, nominals: QuerySet[Nominal], urgent: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nominal"].queryset = nominals.filter(  # type: ignore[attr-defined]
            area=area, status=Status.ACTIVE, level__in=[Level.LEVEL_2, Level.LEVEL_3]
        ).order_by("last_name", "first_name")
        self.fields["nominal"].label_from_instance = (  # type: ignore[attr-defined]
            lambda n: f"{n.last_name.upper()}, {n.first_name} ({n.case_reference}, Level {n.level})"
        )
        for name, roles in (("chair", (Role.CHAIR, Role.COORDINATOR)), ("minute_taker", (Role.COORDINATOR,))):
            self.fields[name].queryset = _people(area, *roles)  # type: ignore[attr-defined]
            self.fields[name].label_from_instance = _label_person  # type: ignore[attr-defined]
        self.fields["invite"].queryset = Agency.objects.filter(area=area, is_active=True)  # type: ignore[attr-defined]
        if urgent:
            del self.fields["kind"]
        else:
            self.fields["kind"].choices = [c for c in MeetingKind.choices if c[0] != MeetingKind.URGENT]  # type: ignore[attr-defined]

    def starts_at(self) -> datetime.datetime:
        from django.utils import timezone

        return timezone.make_aware(datetime.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"]))


class InviteForm(GovForm):
    agency = forms.ModelChoiceField(label="Agency", queryset=Agency.objects.none())

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]


class AttendanceForm(GovModelForm):
    class Meta:
        model = Invitation
        fields = ["attendance", "attendee_name", "attendee_role", "information_shared"]
        labels = {"attendee_name": "Name of who attended", "attendee_role": "Their role"}
        widgets = {"information_shared": forms.Textarea(attrs={"rows": 3})}

    def _post_clean(self) -> None:
        pass


class MinutesForm(GovModelForm):
    at_risk = forms.MultipleChoiceField(
        label="Who is at risk", choices=AtRisk.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    next_review = DateField(label="Next review", required=False)

    class Meta:
        model = Meeting
        fields = list(MINUTES_FIELDS)
        labels = {"confidentiality_statement_read": "The confidentiality statement was read at the start"}
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "risk_nature",
                "level_rationale",
                "withheld_reason",
                "next_review_rationale",
                "executive_summary",
            )
        }

    def __init__(self, *args: Any, show_executive_summary: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not show_executive_summary:
            del self.fields["executive_summary"]

    def _post_clean(self) -> None:
        pass


class RiskPlanForm(GovModelForm):
    class Meta:
        model = RiskManagementPlan
        fields = list(RMP_FIELDS)
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in RMP_FIELDS}

    def _post_clean(self) -> None:
        pass


class DecisionForm(GovModelForm):
    class Meta:
        model = Decision
        fields = ["decision", "rationale", "dissent"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in ("decision", "rationale", "dissent")}

    def _post_clean(self) -> None:
        pass


class DisclosureForm(GovModelForm):
    class Meta:
        model = DisclosureDecision
        fields = list(DISCLOSURE_FIELDS)
        widgets = {
            name: forms.Textarea(attrs={"rows": 3}) for name in ("what", "why_necessary", "not_told_reason", "outcome")
        }

    def _post_clean(self) -> None:
        pass


class ActionForm(GovModelForm):
    due = DateField(label="Due date")

    class Meta:
        model = Action
        fields = ["pillar", "description", "owning_agency", "owner", "due"]
        labels = {"owner": "Named owner (optional)"}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, area: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owning_agency"].queryset = Agency.objects.filter(area=area, is_active=True)  # type: ignore[attr-defined]
        owners = User.objects.filter(agency__area=area, is_active=True).select_related("agency")
        self.fields["owner"].queryset = owners.order_by("last_name", "first_name")  # type: ignore[attr-defined]
        self.fields["owner"].label_from_instance = _label_person  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        pass


class ActionUpdateForm(GovForm):
    status = forms.ChoiceField(label="Status", choices=ActionStatus.choices)
    note = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)


class MinutesRequestForm(GovModelForm):
    received_on = DateField(label="Date received")

    class Meta:
        model = MinutesRequest
        fields = ["requester_kind", "requester", "received_on"]
        labels = {"requester_kind": "Who is asking"}
        widgets = {"requester_kind": forms.RadioSelect}

    def _post_clean(self) -> None:
        pass


class ActionFilterForm(GovForm):
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *ActionStatus.choices])
    due = forms.ChoiceField(
        label="Due",
        required=False,
        choices=[
            ("", "Any time"),
            ("overdue", "Overdue"),
            ("week", "In the next 7 days"),
            ("month", "In the next month"),
        ],
    )
    nominal = forms.CharField(label="Case reference", required=False, max_length=30)
    order = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[("due", "Due date, soonest first"), ("-due", "Due date, latest first")],
    )
