"""Demo serious case reviews, transfers and meeting quality audits, dated from `today`: one review
under way and one completed, a transfer from Sussex accepted and one to Sussex waiting for an
answer, and the last quarter's sample of meetings audited (all but one)."""

from __future__ import annotations

import datetime

from django.db.models import F, Q, Value
from django.db.models.functions import Greatest

from agencies.models import Agency, Area, User
from cases.models import Category, Level, LevelPeriod, Nominal, Status
from governance.forms import ended_quarters
from governance.models import MeetingAudit
from governance.services import audit_checklist_record, audit_sample_draw
from mappa.dates import add_working_days
from reviews import services as reviews
from reviews.models import SeriousCaseReview
from transfers.services import transfer_accept, transfer_request

DAY = datetime.timedelta(days=1)


def _case(
    area: Area, level: Level, since: datetime.date, taken: list[Nominal], *, first_day: datetime.date | None = None
) -> tuple[Nominal, datetime.date] | None:
    """An active case of the area, not Category 4, without a review or a transfer and not already
    taken, held at `level` from `since` or before for a month or more; with a day in that month that
    is `first_day` or later."""
    first_day = first_day or since
    periods = (
        LevelPeriod.objects.filter(level=level, start__lte=since, nominal__area=area, nominal__status=Status.ACTIVE)
        .filter(Q(end__isnull=True) | Q(end__gte=Greatest(F("start"), Value(first_day)) + datetime.timedelta(days=30)))
        .exclude(nominal__category=Category.TERRORISM)
        .exclude(nominal__serious_case_reviews__isnull=False)
        .exclude(nominal__transfers__isnull=False)
        .exclude(nominal__in=taken)
        .select_related("nominal")
        .order_by("-start", "pk")
    )
    period = periods.first()
    if period is None:
        return None
    taken.append(period.nominal)
    return period.nominal, max(period.start, first_day) + datetime.timedelta(days=7)


def seed_demo_governance(*, area: Area, neighbour: Area, today: datetime.date) -> int:
    """Does nothing where the area already has reviews. Returns how many records it made."""
    if SeriousCaseReview.objects.filter(area=area).exists():
        return 0
    coordinator = User.objects.get(username="coordinator")
    board = User.objects.get(username="board")
    # Last reporting year (1 April to 31 March) has a completed review of a Level 3 case, and a Level 2
    # case the board decided not to review; this year, a review under way.
    this_year = datetime.date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    last_year = this_year.replace(year=this_year.year - 1)
    taken: list[Nominal] = []
    made = 0
    # Charged in last year's first months (or as soon as the level began), so that the review's
    # steps, months apart, are all in the past.
    completed = _case(area, Level.LEVEL_3, this_year - 120 * DAY, taken, first_day=last_year)
    if completed is not None:
        made += _review_completed(completed[0], coordinator, board, completed[1], today)
    not_reviewed = _case(area, Level.LEVEL_2, this_year - 90 * DAY, taken, first_day=last_year)
    if not_reviewed is not None:
        made += _no_review(not_reviewed[0], coordinator, board, not_reviewed[1])
    under_way = _case(area, Level.LEVEL_2, today - 77 * DAY, taken, first_day=today - 77 * DAY)
    if under_way is not None:
        made += _review_under_way(under_way[0], coordinator, board, today)
    outgoing = _case(area, Level.LEVEL_2, today, taken, first_day=today - 60 * DAY)
    if outgoing is not None:
        made += _transfers(outgoing[0], area, neighbour, coordinator, today)
    return made + _audits(area, coordinator, today)


def _decided(review: SeriousCaseReview, coordinator: User, board: User, notified: datetime.date) -> SeriousCaseReview:
    review = reviews.review_notify(
        actor=coordinator, review=review, values={"notified_on": notified, "national_reference": f"SFO/{review.pk:04d}"}
    )
    return reviews.review_decide(
        actor=board,
        review=review,
        values={
            "decision": "review",
            "decided_on": notified + 14 * DAY,
            "decided_by": "SMB chair, at the board's extraordinary meeting",
            "decision_rationale": "Level 2 case with several agencies involved; information may not have reached "
            "the police before the offence. The board wants to learn how.",
        },
    )


def _review_under_way(nominal: Nominal, coordinator: User, board: User, today: datetime.date) -> int:
    charged = today - 70 * DAY  # within the month at Level 2 `_case` found
    review = reviews.serious_further_offence_record(
        actor=coordinator, nominal=nominal, values={"date": charged, "offence": "Wounding with intent (s18)"}
    )
    if review is None:
        return 0
    review = _decided(review, coordinator, board, add_working_days(charged, 3))
    review = reviews.review_terms_set(
        actor=coordinator,
        review=review,
        values={
            "terms_of_reference": "The twelve months before the charge: the risk management plan, information "
            "sharing between probation, police and housing, and the response to the missed appointments.",
            "panel": "Independent chair\nHead of Public Protection, Kent Police\nSenior Probation Officer\nHousing manager",
        },
        expected_version=review.terms_version,
    )
    reviews.milestone_add(
        actor=coordinator, review=review, values={"title": "Chronologies in", "due": today - 20 * DAY}
    )
    done = review.milestones.get()
    reviews.milestone_done(actor=coordinator, milestone=done, done_on=today - 22 * DAY)
    reviews.milestone_add(actor=coordinator, review=review, values={"title": "Panel meets", "due": today + 10 * DAY})
    reviews.milestone_add(actor=coordinator, review=review, values={"title": "Draft report", "due": today + 45 * DAY})
    return 1


def _no_review(nominal: Nominal, coordinator: User, board: User, charged: datetime.date) -> int:
    review = reviews.serious_further_offence_record(
        actor=coordinator,
        nominal=nominal,
        values={"date": charged, "offence": "Assault occasioning actual bodily harm"},
    )
    if review is None:
        return 0
    review = reviews.review_notify(
        actor=coordinator, review=review, values={"notified_on": add_working_days(charged, 2)}
    )
    reviews.review_decide(
        actor=board,
        review=review,
        values={
            "decision": "no_review",
            "decided_on": charged + 21 * DAY,
            "decided_by": "SMB chair",
            "decision_rationale": "The plan was followed and information was shared; no learning a review would add.",
        },
    )
    return 1


def _review_completed(
    nominal: Nominal, coordinator: User, board: User, charged: datetime.date, today: datetime.date
) -> int:
    """Each step a share of the days from the charge to today, all in the past."""
    span = (today - charged).days

    def after(share: float) -> datetime.date:
        return charged + datetime.timedelta(days=int(span * share))

    review = reviews.serious_further_offence_record(
        actor=coordinator, nominal=nominal, values={"date": charged, "offence": "Robbery"}
    )
    if review is None:
        return 0
    review = _decided(review, coordinator, board, add_working_days(charged, 4))
    review = reviews.review_terms_set(
        actor=coordinator,
        review=review,
        values={"terms_of_reference": "The six months before the charge.", "panel": "Independent chair\nSMB member"},
        expected_version=review.terms_version,
    )
    first = reviews.recommendation_add(
        actor=coordinator, review=review, text="Agencies tell the police the same day of a change of address."
    )
    second = reviews.recommendation_add(
        actor=coordinator, review=review, text="Chairs check every action has an owner before the meeting closes."
    )
    review = reviews.review_report_received(actor=coordinator, review=review, received_on=after(0.5))
    police = Agency.objects.filter(area_id=review.area_id, kind="police").first() or coordinator.agency
    for recommendation, description, done in (
        (first, "Brief offender managers on same-day address changes", 0.55),
        (second, "Add the action check to the chairs' training", 0.6),
    ):
        action = reviews.review_action_add(
            actor=coordinator,
            review=review,
            values={
                "recommendation": recommendation,
                "description": description,
                "owning_agency": police,
                "owner": "",
                "due": after(0.65),
            },
        )
        reviews.review_action_update(
            actor=coordinator,
            action=action,
            values={"progress": "Done", "completed_on": after(done)},
            expected_version=action.version,
        )
    reviews.review_complete(actor=coordinator, review=review, completed_on=after(0.7))
    return 1


def _transfers(outgoing: Nominal, area: Area, neighbour: Area, coordinator: User, today: datetime.date) -> int:
    made = 0
    transfer_request(
        actor=coordinator,
        nominal=outgoing,
        values={
            "to_area": neighbour,
            "moving_on": today + 21 * DAY,
            "reason": "Moving to live with family in Brighton; approved premises place offered.",
            "lead_agency": None,
        },
    )
    made += 1
    sender = User.objects.filter(username="sussex-coordinator").first()
    incoming = (
        Nominal.objects.filter(area=neighbour, status=Status.ACTIVE)
        .exclude(category=Category.TERRORISM)
        .exclude(transfers__isnull=False)
        .order_by("pk")
        .first()
    )
    lead = Agency.objects.filter(area=area, kind="probation").first()
    if sender is not None and incoming is not None and lead is not None:
        transfer = transfer_request(
            actor=sender,
            nominal=incoming,
            values={
                "to_area": area,
                "moving_on": today - 14 * DAY,
                "reason": "Licence transferred to a Kent address.",
                "lead_agency": None,
            },
        )
        transfer_accept(actor=coordinator, transfer=transfer, values={"date": today - 10 * DAY, "lead_agency": lead})
        made += 1
    return made


def _audits(area: Area, coordinator: User, today: datetime.date) -> int:
    quarter = ended_quarters(today)[0]
    if MeetingAudit.objects.filter(area=area, quarter=quarter).exists():
        return 0
    try:
        drawn = audit_sample_draw(actor=coordinator, area=area, quarter=quarter)
    except Exception:  # noqa: BLE001 (no meetings held that quarter: nothing to audit)
        return 0
    answers = ("yes", "yes", "partly", "yes", "no")
    for number, audit in enumerate(drawn[:-1]):
        audit_checklist_record(
            actor=coordinator,
            audit=audit,
            values={
                "right_agencies": answers[number % 5],
                "plan_defensible": "yes" if number % 3 else "partly",
                "actions_on_time": answers[(number + 2) % 5],
                "notes": "Children's services invited late." if number % 4 == 0 else "",
            },
        )
    return len(drawn)
