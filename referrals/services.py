"""Every write to referrals and screening panels: atomic, validated, audited."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, Area, User
from cases.eligibility import CATEGORY_2_REFUSED, CATEGORY_3_LEVEL_1, NO_CONVICTION, qualifies_for_category_2
from cases.models import TERM_SENTENCES, Category, Conviction, Level, Location, Nominal, Source, Status
from cases.offences import offence
from cases.services import nominal_create, nominal_level_change, nominal_reenter, nominal_share
from mappa.audit.services import audit_actor
from mappa.dates import add_months
from notifications.models import Kind
from notifications.services import notify
from referrals.models import (
    LATE_MONTHS_BEFORE_RELEASE,
    Decision,
    NoteKind,
    Outcome,
    PanelItem,
    PanelMember,
    PanelStatus,
    Referral,
    ReferralNote,
    ReferralStatus,
    ScreeningPanel,
)

NO_RISK_ASSESSMENT = "A Level 2 or 3 referral must give the referring agency's risk assessment tool and its result"

# The question pages of the referral form, and the fields each asks.
STEPS: dict[str, tuple[str, ...]] = {
    "person": (
        "first_name",
        "last_name",
        "other_names",
        "date_of_birth",
        "gender",
        "pnc_id",
        "crn",
        "visor_reference",
        "prison_number",
        "lead_agency",
    ),
    "offending": (
        "category",
        "outcome",
        "index_offence_code",
        "index_offence",
        "conviction_date",
        "sentence_type",
        "custodial_months",
        "notification_start",
        "location",
        "expected_release_date",
        "hospital_detention",
    ),
    "risk": ("reason", "risk_tool", "risk_result", "risk_date", "victims"),
    "management": (
        "requested_level",
        "multi_agency_value",
        "level3_justification",
        "diversity_needs",
        "agencies_involved",
    ),
}
REQUIRED = {
    "first_name": "Enter the person's first name",
    "last_name": "Enter the person's last name",
    "date_of_birth": "Enter the person's date of birth",
    "gender": "Select the person's gender",
    "lead_agency": "Select the lead agency",
    "category": "Select the MAPPA category",
    "outcome": "Say whether the person was convicted or cautioned",
    "location": "Say where the person is now",
    "reason": "Explain the reason for the referral",
    "requested_level": "Select the level you are asking for",
    "multi_agency_value": "Explain what multi-agency management would add",
}


def _lock_area(area: Area) -> Area:
    return Area.objects.select_for_update().get(pk=area.pk)


@transaction.atomic
def referral_start(*, actor: User) -> Referral:
    """Open a draft referral from the actor's agency."""
    if actor.agency is None:
        raise ValidationError("Only someone in an agency can refer")
    area = _lock_area(actor.agency.area)
    number = Referral.objects.filter(area=area).count() + 1
    with audit_actor(actor):
        referral = Referral(
            reference=f"{area.code}-R{number:05d}",
            area=area,
            referring_agency=actor.agency,
            referrer=actor,
            lead_agency=actor.agency if actor.agency.is_responsible_authority else None,
        )
        referral.save()
    return referral


def _check_editable(referral: Referral) -> None:
    if referral.status not in (ReferralStatus.DRAFT, ReferralStatus.MORE_INFORMATION):
        raise ValidationError("This referral has been submitted and can no longer be changed")


@transaction.atomic
def referral_update(*, actor: User, referral: Referral, step: str, values: Mapping[str, Any]) -> Referral:
    """Save one question page of a draft (or of a referral sent back for more information)."""
    _check_editable(referral)
    fields = STEPS[step]
    with audit_actor(actor):
        for field in fields:
            if field in values and field != "agencies_involved":
                setattr(referral, field, values[field])
        for field in ("pnc_id", "crn", "visor_reference", "prison_number"):
            setattr(referral, field, getattr(referral, field).strip().upper())
        referral.full_clean(exclude=["reference"])
        _check_dates(referral)
        if step == "person":
            # A changed identity needs its possible matches looked at again.
            referral.no_match_confirmed = False
        referral.save()
        if "agencies_involved" in values:
            referral.agencies_involved.set(values["agencies_involved"])
    return referral


def _check_dates(referral: Referral) -> None:
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if referral.date_of_birth and referral.date_of_birth > today:
        errors["date_of_birth"] = "Date of birth must be in the past"
    for field, label in (
        ("conviction_date", "Date of conviction or caution"),
        ("risk_date", "Date of risk assessment"),
        ("notification_start", "The notification requirements start date"),
    ):
        value = getattr(referral, field)
        if value and value > today:
            errors[field] = f"{label} must be today or in the past"
    if referral.conviction_date and referral.date_of_birth and referral.conviction_date < referral.date_of_birth:
        errors["conviction_date"] = "Date of conviction or caution must be after the date of birth"
    if (
        referral.expected_release_date
        and referral.conviction_date
        and referral.expected_release_date < referral.conviction_date
    ):
        errors["expected_release_date"] = "The expected release date cannot be before the conviction"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def referral_link_nominal(*, actor: User, referral: Referral, nominal: Nominal | None) -> Referral:
    """Record the referrer's answer to the duplicate check: this existing person, or none of them."""
    _check_editable(referral)
    with audit_actor(actor):
        referral.nominal = nominal
        referral.no_match_confirmed = True
        referral.save()
    return referral


def referral_problems(referral: Referral) -> dict[str, str]:
    """What stops the referral being submitted, by field (empty when it can be)."""
    problems = {field: message for field, message in REQUIRED.items() if not getattr(referral, field)}
    if referral.outcome == Outcome.NONE:
        problems["outcome"] = NO_CONVICTION
    elif referral.outcome and not (
        (referral.index_offence_code or referral.index_offence) and referral.conviction_date
    ):
        problems["index_offence_code"] = "Enter the index offence and the date of conviction or caution"
    if referral.requested_level in (Level.LEVEL_2, Level.LEVEL_3) and not (referral.risk_tool and referral.risk_result):
        problems["risk_tool"] = NO_RISK_ASSESSMENT
    if referral.requested_level == Level.LEVEL_3 and not referral.level3_justification:
        problems["level3_justification"] = "Explain why Level 2 cannot manage the risk"
    if referral.location in (Location.CUSTODY, Location.HOSPITAL) and not referral.expected_release_date:
        problems["expected_release_date"] = "Enter the expected release date"
    if (
        referral.category == Category.REGISTERED_SEXUAL_OFFENDER
        and not referral.notification_start
        and not referral.nominal_id
    ):
        problems["notification_start"] = "Enter when the person became subject to notification requirements"
    if referral.sentence_type in TERM_SENTENCES and not referral.custodial_months:
        problems["custodial_months"] = "Enter the length of the sentence in months"
    if referral.index_offence_code and offence(referral.index_offence_code) is None:
        problems["index_offence_code"] = "Select the offence from the list"
    elif (
        referral.category == Category.VIOLENT_OFFENDER
        and referral.outcome
        and not referral.nominal_id
        and not qualifies_for_category_2(Conviction(**_index_conviction(referral)))
    ):
        problems["category"] = CATEGORY_2_REFUSED
    return problems


def step_of(field: str) -> str:
    return next(step for step, fields in STEPS.items() if field in fields)


@transaction.atomic
def referral_submit(*, actor: User, referral: Referral) -> Referral:
    """Send the referral to the co-ordination unit. Refused (with the reasons by field) when it is
    incomplete, when there is no conviction or caution (MARAC instead), or when a Level 2/3
    referral has no risk assessment. A custodial referral less than six months before release is
    accepted and flagged late."""
    _check_editable(referral)
    problems = referral_problems(referral)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    resubmitting = referral.status == ReferralStatus.MORE_INFORMATION
    with audit_actor(actor):
        referral.status = ReferralStatus.SUBMITTED
        referral.submitted_at = now
        referral.first_submitted_at = referral.first_submitted_at or now
        referral.late = bool(
            referral.location == Location.CUSTODY
            and referral.expected_release_date
            and referral.expected_release_date
            < add_months(timezone.localdate(referral.first_submitted_at), LATE_MONTHS_BEFORE_RELEASE)
        )
        referral.save()
        ReferralNote.objects.create(
            referral=referral, kind=NoteKind.RESUBMITTED if resubmitting else NoteKind.SUBMITTED, author=actor
        )
    return referral


@transaction.atomic
def referral_request_information(*, actor: User, referral: Referral, message: str) -> Referral:
    """Send the referral back to the referrer with a question; it returns to the queue when resubmitted."""
    if referral.status != ReferralStatus.SUBMITTED:
        raise ValidationError("Only a referral waiting for screening can be sent back for more information")
    with audit_actor(actor):
        referral.status = ReferralStatus.MORE_INFORMATION
        referral.save()
        ReferralNote.objects.create(referral=referral, kind=NoteKind.INFORMATION_REQUESTED, text=message, author=actor)
        _tell_referrer(referral, Kind.MORE_INFORMATION, f"More information is needed on referral {referral.reference}")
    return referral


def _tell_referrer(referral: Referral, kind: Kind, title: str) -> None:
    notify(
        recipients=[referral.referrer],
        kind=kind,
        title=title,
        url=referral.get_absolute_url(),
        dedupe_key=f"{kind}:{referral.pk}:{referral.notes.count()}",
    )


@transaction.atomic
def referral_withdraw(*, actor: User, referral: Referral, reason: str) -> Referral:
    if referral.status not in (ReferralStatus.DRAFT, ReferralStatus.SUBMITTED, ReferralStatus.MORE_INFORMATION):
        raise ValidationError("A referral that has been decided cannot be withdrawn")
    if PanelItem.objects.filter(referral=referral, panel__status=PanelStatus.OPEN, decision="").exists():
        raise ValidationError("The referral is being screened now; record the panel's decision instead")
    with audit_actor(actor):
        referral.status = ReferralStatus.WITHDRAWN
        referral.save()
        ReferralNote.objects.create(referral=referral, kind=NoteKind.WITHDRAWN, text=reason, author=actor)
    return referral


@transaction.atomic
def panel_create(*, actor: User, area: Area, date: datetime.date) -> ScreeningPanel:
    if ScreeningPanel.objects.filter(area=area, date=date).exists():
        raise ValidationError({"date": "There is already a screening panel on that day"})
    with audit_actor(actor):
        panel = ScreeningPanel(area=area, date=date)
        panel.full_clean()
        panel.save()
    return panel


@transaction.atomic
def panels_schedule(*, actor: User, area: Area, weeks: int, today: datetime.date) -> list[ScreeningPanel]:
    """Create the area's weekly panels (on its screening day) for the coming weeks, where missing."""
    first = today + datetime.timedelta(days=(area.screening_weekday - today.weekday()) % 7)
    created = []
    for week in range(weeks):
        day = first + datetime.timedelta(weeks=week)
        if not ScreeningPanel.objects.filter(area=area, date=day).exists():
            created.append(panel_create(actor=actor, area=area, date=day))
    return created


def _check_not_closed(panel: ScreeningPanel) -> None:
    if panel.status == PanelStatus.CLOSED:
        raise ValidationError("This panel has closed and can no longer change")


@transaction.atomic
def panel_member_add(
    *, actor: User, panel: ScreeningPanel, agency: Agency, name: str, user: User | None
) -> PanelMember:
    _check_not_closed(panel)
    if user is not None and user.agency_id != agency.pk:
        raise ValidationError({"user": "That person is not in the agency selected"})
    with audit_actor(actor):
        member = PanelMember(panel=panel, agency=agency, name=name, user=user)
        member.full_clean()
        member.save()
    return member


@transaction.atomic
def panel_agenda_add(*, actor: User, panel: ScreeningPanel, referral: Referral) -> PanelItem:
    _check_not_closed(panel)
    if referral.status != ReferralStatus.SUBMITTED or referral.area_id != panel.area_id:
        raise ValidationError({"referral": "Only a referral waiting for screening in this area can go on the agenda"})
    if PanelItem.objects.filter(referral=referral, decision="").exists():
        raise ValidationError({"referral": "That referral is already on a panel's agenda"})
    with audit_actor(actor):
        return PanelItem.objects.create(panel=panel, referral=referral)


@transaction.atomic
def panel_set_status(*, actor: User, panel: ScreeningPanel, status: PanelStatus) -> ScreeningPanel:
    if status == PanelStatus.OPEN and panel.status != PanelStatus.SCHEDULED:
        raise ValidationError("Only a scheduled panel can be started")
    if status == PanelStatus.CLOSED:
        if panel.status != PanelStatus.OPEN:
            raise ValidationError("Only a panel in progress can be closed")
        if panel.items.filter(decision="").exists():
            raise ValidationError("Record a decision on every referral on the agenda before closing the panel")
    with audit_actor(actor):
        panel.status = status
        panel.save()
    return panel


@transaction.atomic
def panel_item_decide(*, actor: User, item: PanelItem, decision: Decision, rationale: str) -> PanelItem:
    """Record the panel's decision. Accepting sets the nominal's level (creating the nominal when the
    person is new), shares it with the referring agency, and sets when the first meeting is due."""
    panel = item.panel
    if panel.status != PanelStatus.OPEN:
        raise ValidationError("Decisions are recorded while the panel is in progress")
    if item.decision:
        raise ValidationError("This referral has already been decided")
    if not rationale.strip():
        raise ValidationError({"rationale": "Enter the rationale for the decision"})
    if not panel.members.exists():
        raise ValidationError("Record who is present before recording decisions")
    referral = item.referral
    linked = (
        Nominal.objects.filter(pk=referral.nominal_id, status=Status.ACTIVE).first() if referral.nominal_id else None
    )
    category = linked.category if linked else None
    if decision == Decision.LEVEL_1 and (category or referral.category) == Category.OTHER_DANGEROUS_OFFENDER:
        raise ValidationError({"decision": f"{CATEGORY_3_LEVEL_1}: record that the person is not eligible"})
    now = timezone.now()
    with audit_actor(actor):
        item.decision, item.rationale, item.decided_by, item.decided_at = decision, rationale, actor, now
        item.save()
        if decision == Decision.MORE_INFORMATION:
            referral.status = ReferralStatus.MORE_INFORMATION
            ReferralNote.objects.create(
                referral=referral, kind=NoteKind.INFORMATION_REQUESTED, text=rationale, author=actor
            )
            _tell_referrer(
                referral, Kind.MORE_INFORMATION, f"More information is needed on referral {referral.reference}"
            )
        else:
            referral.decided_at = now
            referral.status = {
                Decision.ACCEPT_LEVEL_2: ReferralStatus.ACCEPTED,
                Decision.ACCEPT_LEVEL_3: ReferralStatus.ACCEPTED,
                Decision.LEVEL_1: ReferralStatus.LEVEL_1,
                Decision.NOT_ELIGIBLE: ReferralStatus.NOT_ELIGIBLE,
            }[decision]
            ReferralNote.objects.create(
                referral=referral, kind=NoteKind.DECIDED, text=f"{Decision(decision).label}: {rationale}", author=actor
            )
            _tell_referrer(
                referral, Kind.REFERRAL_DECISION, f"The screening panel has decided referral {referral.reference}"
            )
        if decision in (Decision.ACCEPT_LEVEL_2, Decision.ACCEPT_LEVEL_3):
            level = Level.LEVEL_2 if decision == Decision.ACCEPT_LEVEL_2 else Level.LEVEL_3
            _accept(actor=actor, referral=referral, level=level, on=panel.date, rationale=rationale)
        referral.save()
    return item


def _accept(*, actor: User, referral: Referral, level: Level, on: datetime.date, rationale: str) -> None:
    """The person becomes, or stays, a Level 2 or 3 case: a new record for someone new, a new
    episode for someone who had exited, a level change for a current case."""
    nominal = Nominal.objects.filter(pk=referral.nominal_id).first() if referral.nominal_id else None
    category = referral.category or Category.OTHER_DANGEROUS_OFFENDER
    if nominal is None:
        nominal = nominal_create(
            actor=actor,
            area=referral.area,
            details=_nominal_details(referral),
            conviction=_index_conviction(referral),
            category=category,
            level=level,
            reason=rationale,
            notification={"start": referral.notification_start} if referral.notification_start else None,
            start=on,
            source=Source.SCREENING,
        )
        referral.nominal = nominal
    elif nominal.status == Status.EXITED:
        nominal = nominal_reenter(
            actor=actor,
            nominal=nominal,
            category=category,
            level=level,
            start=on,
            reason=f"Referred again ({referral.reference}): {rationale}",
            source=Source.SCREENING,
            conviction=_index_conviction(referral) if not _already_recorded(nominal, referral) else None,
        )
    elif nominal.level != level:
        nominal_level_change(
            actor=actor, nominal=nominal, level=level, start=on, reason=rationale, source=Source.SCREENING
        )
    if nominal.lead_agency_id != referral.referring_agency_id:
        nominal_share(actor=actor, nominal=nominal, agency=referral.referring_agency, include_restricted=False)
    referral.first_meeting_due = on + datetime.timedelta(days=referral.area.first_meeting_target_days)


def _already_recorded(nominal: Nominal, referral: Referral) -> bool:
    if referral.conviction_date is None:
        return False
    return nominal.convictions.filter(
        conviction_date=referral.conviction_date, offence_code=referral.index_offence_code
    ).exists()


def _nominal_details(referral: Referral) -> dict[str, Any]:
    return {
        "first_name": referral.first_name,
        "last_name": referral.last_name,
        "date_of_birth": referral.date_of_birth,
        "gender": referral.gender,
        "pnc_id": referral.pnc_id,
        "crn": referral.crn,
        "visor_reference": referral.visor_reference,
        "prison_number": referral.prison_number,
        "lead_agency": referral.lead_agency,
        "location": referral.location or Location.COMMUNITY,
        "expected_release_date": referral.expected_release_date if referral.location != Location.COMMUNITY else None,
        "restricted_notes": referral.victims,
    }


def _index_conviction(referral: Referral) -> dict[str, Any]:
    return {
        "offence_code": referral.index_offence_code,
        "offence": referral.index_offence,
        "conviction_date": referral.conviction_date,
        "disposal": "caution" if referral.outcome == Outcome.CAUTION else "conviction",
        "sentence_type": referral.sentence_type or ("caution" if referral.outcome == Outcome.CAUTION else "community"),
        "custodial_months": referral.custodial_months,
    }
