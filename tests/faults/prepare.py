"""Run inside the drill's own processes (`manage.py shell -c`): the people, the nominal and the
notifications the drill works with, made through the service's own code. Prints JSON."""

from __future__ import annotations

import datetime
import json

from django.db import transaction
from django.utils import timezone

from agencies.models import AgencyKind, Role
from devtools.signed_in_client import signed_in_client
from meetings.models import MeetingKind, Pillar
from meetings.services import action_add, meeting_mark_held, meeting_schedule
from notifications.models import Kind
from notifications.services import notify
from tests.factories import AgencyFactory, AreaFactory, make_user
from tests.nominal_fixtures import make_nominal

RECIPIENTS = 30


def people() -> None:
    area = AreaFactory(name="Drill Area", code="DRILL")
    unit = AgencyFactory(area=area, name="Drill Unit", kind=AgencyKind.OTHER)
    police = AgencyFactory(area=area, name="Drill Police", kind=AgencyKind.POLICE)
    coordinator = make_user("coordinator", agency=unit, roles=(Role.COORDINATOR,))
    for number in range(RECIPIENTS):
        make_user(f"recipient{number}", agency=police, roles=(Role.RA_PRACTITIONER,))
    nominal = make_nominal(actor=coordinator, area=area, lead_agency=police, level=2)
    meeting = meeting_schedule(
        actor=coordinator,
        nominal=nominal,
        kind=MeetingKind.URGENT,
        chair=coordinator,
        minute_taker=coordinator,
        starts_at=timezone.now() - datetime.timedelta(hours=1),
    )
    meeting_mark_held(actor=coordinator, meeting=meeting)
    action = action_add(
        actor=coordinator,
        meeting=meeting,
        values={
            "pillar": Pillar.SUPERVISION,
            "description": "Home visit",
            "owning_agency": police,
            "owner": None,
            "due": timezone.localdate() + datetime.timedelta(days=7),
        },
    )
    sessions = [signed_in_client(coordinator).cookies["sessionid"].value for _ in range(20)]
    made = {"sessions": sessions, "nominal": nominal.case_reference, "meeting": meeting.pk, "action": action.pk}
    print(json.dumps(made))


def burst(label: str) -> None:
    """One notification to each recipient, each in its own transaction, as the pages send them."""
    from agencies.models import User

    for user in User.objects.filter(username__startswith="recipient").order_by("pk"):
        with transaction.atomic():
            notify(recipients=[user], kind=Kind.REFERRAL_DECISION, title=f"Drill {label}", url="/",
                   dedupe_key=f"drill:{label}:{user.pk}")  # fmt: skip
