"""Demo referrals in every state and twelve weeks of past screening panels, made through the services
(and then back-dated, since the services stamp the present)."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db import transaction
from django.utils import timezone
from faker import Faker

from agencies.models import Agency, Area, User
from cases.models import Category, Location, Nominal, SentenceType, Status
from referrals.models import Decision, PanelStatus, Referral, ReferralNote
from referrals.services import (
    panel_agenda_add,
    panel_create,
    panel_item_decide,
    panel_member_add,
    panel_set_status,
    panels_schedule,
    referral_link_nominal,
    referral_request_information,
    referral_start,
    referral_submit,
    referral_update,
    referral_withdraw,
)

DECISIONS = [
    Decision.ACCEPT_LEVEL_2,
    Decision.ACCEPT_LEVEL_2,
    Decision.LEVEL_1,
    Decision.ACCEPT_LEVEL_3,
    Decision.NOT_ELIGIBLE,
    Decision.ACCEPT_LEVEL_2,
]


def _answers(
    fake: Faker, rng: random.Random, area: Area, nominal: Nominal | None, *, late: bool
) -> dict[str, dict[str, Any]]:
    today = timezone.localdate()
    custody = late or rng.random() < 0.4
    police = Agency.objects.get(area=area, kind="police")
    person: dict[str, Any] = {
        "first_name": nominal.first_name if nominal else fake.first_name_male(),
        "last_name": nominal.last_name if nominal else fake.last_name(),
        "date_of_birth": nominal.date_of_birth
        if nominal
        else today - datetime.timedelta(days=rng.randint(7000, 20000)),
        "gender": "male",
        "lead_agency": nominal.lead_agency if nominal else police,
    }
    release = today + datetime.timedelta(days=rng.randint(60, 150) if late else rng.randint(200, 500))
    return {
        "person": person,
        "offending": {
            "category": nominal.category if nominal else Category.VIOLENT_OFFENDER,
            "outcome": "conviction",
            "index_offence_code": "malicious-wounding",
            "index_offence": "Inflicting grievous bodily harm (s.20)",
            "conviction_date": today - datetime.timedelta(days=rng.randint(400, 2000)),
            "sentence_type": SentenceType.IMMEDIATE_CUSTODY,
            "custodial_months": rng.choice([18, 24, 36, 60]),
            "location": Location.CUSTODY if custody else Location.COMMUNITY,
            "expected_release_date": release if custody else None,
        },
        "risk": {
            "reason": "Escalating threats towards a former partner and her children; breach of a non-molestation order.",
            "risk_tool": "oasys_rosh",
            "risk_result": rng.choice(["high", "very_high"]),
            "risk_date": today - datetime.timedelta(days=rng.randint(5, 60)),
            "victims": "Former partner and two children living in the district.",
        },
        "management": {
            "requested_level": 2,
            "multi_agency_value": "Housing, children's services and police need to co-ordinate an exclusion zone and safe accommodation.",
            "diversity_needs": "",
            "agencies_involved": [],
        },
    }


def _referral(
    actor: User, fake: Faker, rng: random.Random, nominal: Nominal | None, *, late: bool = False, complete: bool = True
) -> Referral:
    referral = referral_start(actor=actor)
    answers = _answers(fake, rng, referral.area, nominal, late=late)
    for step, values in answers.items():
        if not complete and step != "person":
            break
        referral_update(actor=actor, referral=referral, step=step, values=values)
    if nominal is not None:
        referral_link_nominal(actor=actor, referral=referral, nominal=nominal)
    return referral


def _backdate(referral: Referral, submitted: datetime.datetime, decided: datetime.datetime | None = None) -> None:
    Referral.objects.filter(pk=referral.pk).update(
        submitted_at=submitted, first_submitted_at=submitted, decided_at=decided
    )
    ReferralNote.objects.filter(referral=referral).update(created_at=submitted)


@transaction.atomic
def seed_demo_referrals(*, area: Area, coordinator: User) -> int:
    """Does nothing if the area already has referrals."""
    if Referral.objects.filter(area=area).exists():
        return 0
    rng = random.Random(4)  # noqa: S311  (reproducible demo data)  # nosec B311
    fake = Faker("en_GB")
    fake.seed_instance(4)
    referrers = [User.objects.get(username=name) for name in ("housing", "childrens", "probation", "police")]
    candidates = list(
        Nominal.objects.filter(
            area=area,
            status=Status.ACTIVE,
            level=1,
            location=Location.COMMUNITY,
            level_periods__end__isnull=True,
            level_periods__start__lt=timezone.localdate() - datetime.timedelta(days=120),
        )
        .exclude(category__in=[Category.TERRORISM, Category.REGISTERED_SEXUAL_OFFENDER])
        .order_by("case_reference")[:60]
    )
    members = [User.objects.get(username=name) for name in ("coordinator", "police", "probation", "childrens")]
    today = timezone.localdate()
    first = today - datetime.timedelta(weeks=12)
    first += datetime.timedelta(days=(area.screening_weekday - first.weekday()) % 7)
    made = 0
    for week in range(12):
        day = first + datetime.timedelta(weeks=week)
        if day >= today:
            break
        panel = panel_create(actor=coordinator, area=area, date=day)
        for member in members:
            assert member.agency is not None  # noqa: S101  (demo users all have one)  # nosec B101
            panel_member_add(
                actor=coordinator, panel=panel, agency=member.agency, name=member.display_name, user=member
            )
        for slot in range(rng.randint(2, 3)):
            referrer = referrers[(week + slot) % len(referrers)]
            nominal = candidates.pop() if candidates and rng.random() < 0.7 else None
            referral = _referral(referrer, fake, rng, nominal, late=slot == 0 and week % 3 == 0)
            referral_submit(actor=referrer, referral=referral)
            panel_agenda_add(actor=coordinator, panel=panel, referral=referral)
            made += 1
        panel_set_status(actor=coordinator, panel=panel, status=PanelStatus.OPEN)
        for number, item in enumerate(panel.items.select_related("referral")):
            decision = DECISIONS[(week + number) % len(DECISIONS)]
            panel_item_decide(actor=coordinator, item=item, decision=decision, rationale=_rationale(decision))
            submitted = timezone.make_aware(
                datetime.datetime.combine(day - datetime.timedelta(days=rng.randint(2, 16)), datetime.time(10))
            )
            decided = timezone.make_aware(datetime.datetime.combine(day, datetime.time(14)))
            _backdate(item.referral, submitted, decided)
        panel_set_status(actor=coordinator, panel=panel, status=PanelStatus.CLOSED)
    panels_schedule(actor=coordinator, area=area, weeks=4, today=today)
    made += _open_referrals(area=area, coordinator=coordinator, fake=fake, rng=rng, referrers=referrers)
    return made


def _open_referrals(*, area: Area, coordinator: User, fake: Faker, rng: random.Random, referrers: list[User]) -> int:
    housing, childrens, probation, police = referrers
    draft = _referral(housing, fake, rng, None, complete=False)
    waiting = _referral(childrens, fake, rng, None)
    referral_submit(actor=childrens, referral=waiting)
    late = _referral(probation, fake, rng, None, late=True)
    referral_submit(actor=probation, referral=late)
    returned = _referral(housing, fake, rng, None)
    referral_submit(actor=housing, referral=returned)
    referral_request_information(
        actor=coordinator, referral=returned, message="Please add the risk assessment date and who is at risk now."
    )
    withdrawn = _referral(police, fake, rng, None)
    referral_submit(actor=police, referral=withdrawn)
    referral_withdraw(actor=police, referral=withdrawn, reason="Person has moved out of the area.")
    now = timezone.now()
    for referral, days in ((waiting, 3), (late, 9), (returned, 12), (withdrawn, 20)):
        _backdate(referral, now - datetime.timedelta(days=days))
    assert draft.status == "draft"  # noqa: S101  # nosec B101
    return 5


def _rationale(decision: Decision) -> str:
    return {
        Decision.ACCEPT_LEVEL_2: "Risk of serious harm is high and needs co-ordinated action by housing, police and children's services.",
        Decision.ACCEPT_LEVEL_3: "Imminent risk to a named victim; senior managers must commit exceptional resources.",
        Decision.LEVEL_1: "The lead agency's plan manages the risk; information shared with partners.",
        Decision.NOT_ELIGIBLE: "Does not meet the criteria for Category 3: the offence does not indicate capacity for serious harm.",
        Decision.MORE_INFORMATION: "Please provide the current risk assessment.",
    }[decision]
