"""The daily reminder rules. Each reminder has a dedupe key, so running the rules again (the same day,
or after a failure) never writes one twice."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse

from cases.models import Level, Location, Nominal, Status
from cases.selectors import eligibility_ended_on
from mappa.dates import add_months
from mappa.notifications.models import Kind
from mappa.notifications.services import agency_staff, area_coordinators, notify
from meetings.models import Action, ActionStatus, Meeting, MeetingStatus
from referrals.models import Referral, ReferralStatus
from referrals.services import LATE_MONTHS_BEFORE_RELEASE

DUE_SOON_DAYS = 3
REVIEW_NOTICE_DAYS = 14
OPEN_ACTIONS = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


@transaction.atomic
def send_reminders(*, today: datetime.date) -> dict[str, int]:
    counts = {
        "action_due_soon": _actions(today, due_soon=True),
        "action_overdue": _actions(today, due_soon=False),
        "review_due": _reviews(today, overdue=False),
        "review_overdue": _reviews(today, overdue=True),
        "release_without_referral": _releases(today),
        "referral_waiting": _waiting_referrals(today),
        "eligibility_ended": _eligibility_ended(today),
    }
    return counts


def _actions(today: datetime.date, *, due_soon: bool) -> int:
    actions = Action.objects.filter(status__in=OPEN_ACTIONS).select_related("owning_agency", "owner", "meeting")
    if due_soon:
        actions = actions.filter(due__gte=today, due__lte=today + datetime.timedelta(days=DUE_SOON_DAYS))
    else:
        actions = actions.filter(due__lt=today)
    kind = Kind.ACTION_DUE_SOON if due_soon else Kind.ACTION_OVERDUE
    for action in actions:
        recipients = agency_staff(action.owning_agency) + ([action.owner] if action.owner else [])
        when = "is due" if due_soon else "was due"
        notify(
            recipients=recipients,
            kind=kind,
            title=f"An action for {action.owning_agency} {when} on {action.due:%-d %B %Y}",
            url=reverse("meetings:work"),
            dedupe_key=f"{kind}:{action.pk}:{action.due:%Y%m%d}",
        )
    return len(actions)


def _reviews(today: datetime.date, *, overdue: bool) -> int:
    nominals = Nominal.objects.filter(status=Status.ACTIVE, level__in=[Level.LEVEL_2, Level.LEVEL_3])
    if overdue:
        nominals = nominals.filter(next_review_due__lt=today)
    else:
        nominals = nominals.filter(
            next_review_due__gte=today, next_review_due__lte=today + datetime.timedelta(days=REVIEW_NOTICE_DAYS)
        ).exclude(
            pk__in=Meeting.objects.filter(status=MeetingStatus.SCHEDULED, starts_at__date__gte=today).values(
                "nominal_id"
            )
        )
    kind = Kind.REVIEW_OVERDUE if overdue else Kind.REVIEW_DUE
    count = 0
    for nominal in nominals.select_related("area"):
        count += 1
        state = "is overdue" if overdue else "is due"
        notify(
            recipients=area_coordinators(nominal.area_id),
            kind=kind,
            title=f"The Level {nominal.level} review of {nominal.case_reference} {state} ({nominal.next_review_due:%-d %B %Y})",
            url=nominal.get_absolute_url(),
            dedupe_key=f"{kind}:{nominal.pk}:{nominal.next_review_due:%Y%m%d}",
        )
    return count


def _releases(today: datetime.date) -> int:
    """Custodial nominals due out within six months whom nobody has referred."""
    horizon = add_months(today, LATE_MONTHS_BEFORE_RELEASE)
    referred = Referral.objects.exclude(status__in=[ReferralStatus.DRAFT, ReferralStatus.WITHDRAWN]).filter(
        nominal_id__isnull=False
    )
    nominals = (
        Nominal.objects.filter(
            status=Status.ACTIVE,
            location=Location.CUSTODY,
            expected_release_date__gte=today,
            expected_release_date__lte=horizon,
        )
        .exclude(pk__in=referred.values("nominal_id"))
        .select_related("lead_agency")
    )
    count = 0
    for nominal in nominals:
        count += 1
        notify(
            recipients=area_coordinators(nominal.area_id) + agency_staff(nominal.lead_agency),
            kind=Kind.RELEASE_WITHOUT_REFERRAL,
            title=f"{nominal.case_reference} is due for release on {nominal.expected_release_date:%-d %B %Y} with no referral",
            url=nominal.get_absolute_url(),
            dedupe_key=f"{Kind.RELEASE_WITHOUT_REFERRAL}:{nominal.pk}:{nominal.expected_release_date:%Y%m%d}",
        )
    return count


def _waiting_referrals(today: datetime.date) -> int:
    referrals = Referral.objects.filter(status=ReferralStatus.SUBMITTED).select_related("area")
    count = 0
    for referral in referrals:
        target = referral.area.screening_target_days
        if referral.first_submitted_at is None or (today - referral.first_submitted_at.date()).days <= target:
            continue
        count += 1
        notify(
            recipients=area_coordinators(referral.area_id),
            kind=Kind.REFERRAL_WAITING,
            title=f"Referral {referral.reference} has waited more than {target} days for screening",
            url=referral.get_absolute_url(),
            dedupe_key=f"{Kind.REFERRAL_WAITING}:{referral.pk}",
        )
    return count


def _eligibility_ended(today: datetime.date) -> int:
    """Active Category 1 and 2 people whom nothing keeps MAPPA-eligible any longer: their area's
    co-ordinators are asked, once per person, to record the exit."""
    nominals = Nominal.objects.filter(eligibility_ended_on(today)).only("pk", "case_reference", "area_id")
    count = 0
    for nominal in nominals:
        count += 1
        notify(
            recipients=area_coordinators(nominal.area_id),
            kind=Kind.ELIGIBILITY_ENDED,
            title=f"Nothing keeps {nominal.case_reference} MAPPA-eligible any longer: record the exit",
            url=nominal.get_absolute_url(),
            dedupe_key=f"{Kind.ELIGIBILITY_ENDED}:{nominal.pk}",
        )
    return count
