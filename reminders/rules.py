"""The daily reminder rules: who is told what each morning. Each rule asks the domain app that owns
the rule which records are due (its selectors), and tells people through `notifications.notify`.
Each reminder has a dedupe key, so running the rules again (the same day, or after a failure)
never writes one twice."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse

from cases.models import Nominal
from cases.selectors import eligibility_ended_on
from meetings.selectors import actions_due_between, actions_overdue, reviews_due_between, reviews_overdue
from notifications.models import Kind
from notifications.services import agency_staff, area_coordinators, notify
from referrals.selectors import referrals_waiting_too_long, releases_without_referral
from reviews.selectors import notifications_overdue, review_actions_overdue

DUE_SOON_DAYS = 3
REVIEW_NOTICE_DAYS = 14


@transaction.atomic
def send_reminders(*, today: datetime.date) -> dict[str, int]:
    return {
        "action_due_soon": _actions(today, due_soon=True),
        "action_overdue": _actions(today, due_soon=False),
        "review_due": _reviews(today, overdue=False),
        "review_overdue": _reviews(today, overdue=True),
        "release_without_referral": _releases(today),
        "referral_waiting": _waiting_referrals(today),
        "eligibility_ended": _eligibility_ended(today),
        "scr_notice_overdue": _review_notices(today),
        "scr_action_overdue": _review_actions(today),
    }


def _actions(today: datetime.date, *, due_soon: bool) -> int:
    if due_soon:
        actions = list(actions_due_between(today, today + datetime.timedelta(days=DUE_SOON_DAYS)))
    else:
        actions = list(actions_overdue(today))
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
    if overdue:
        nominals = reviews_overdue(today)
    else:
        nominals = reviews_due_between(today, today + datetime.timedelta(days=REVIEW_NOTICE_DAYS))
    kind = Kind.REVIEW_OVERDUE if overdue else Kind.REVIEW_DUE
    count = 0
    for nominal in nominals:
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
    count = 0
    for nominal in releases_without_referral(today):
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
    count = 0
    for referral in referrals_waiting_too_long(today):
        count += 1
        notify(
            recipients=area_coordinators(referral.area_id),
            kind=Kind.REFERRAL_WAITING,
            title=f"Referral {referral.reference} has waited more than {referral.area.screening_target_days} days for screening",
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


def _review_notices(today: datetime.date) -> int:
    """Charges whose board and national team were not told within the five working days."""
    reviews = list(notifications_overdue(today))
    for review in reviews:
        notify(
            recipients=area_coordinators(review.area_id),
            kind=Kind.SCR_NOTICE_OVERDUE,
            title=f"{review.reference}: the board and the national team were due to be told by "
            f"{review.notification_due:%-d %B %Y}",
            url=review.get_absolute_url(),
            dedupe_key=f"{Kind.SCR_NOTICE_OVERDUE}:{review.pk}",
        )
    return len(reviews)


def _review_actions(today: datetime.date) -> int:
    """Actions of a review's plan past their due date: the co-ordinators who follow the plan hear."""
    actions = list(review_actions_overdue(today))
    for action in actions:
        notify(
            recipients=area_coordinators(action.review.area_id),
            kind=Kind.SCR_ACTION_OVERDUE,
            title=f"{action.review.reference}: an action for {action.owning_agency} was due on {action.due:%-d %B %Y}",
            url=action.review.get_absolute_url(),
            dedupe_key=f"{Kind.SCR_ACTION_OVERDUE}:{action.pk}:{action.due:%Y%m%d}",
        )
    return len(actions)
