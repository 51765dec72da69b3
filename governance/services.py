"""Writes of the meeting quality audit: drawing a quarter's sample, and recording each checklist."""

from __future__ import annotations

import datetime
import math
import random
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import Area, User
from cases.models import Category
from governance.models import MeetingAudit, quarter_end, quarter_start
from mappa.audit.services import audit_actor
from meetings.models import Meeting, MeetingStatus

SAMPLE_SHARE = 0.1  # one meeting in ten
SAMPLE_AT_LEAST = 5  # or all of them, where fewer were held


def sample_size(held: int) -> int:
    return min(held, max(SAMPLE_AT_LEAST, math.ceil(held * SAMPLE_SHARE)))


@transaction.atomic
def audit_sample_draw(*, actor: User, area: Area, quarter: datetime.date) -> list[MeetingAudit]:
    """Pick the quarter's sample from the Level 2 and 3 meetings held in it (Category 4 apart), at
    random but the same however often it is drawn (seeded by the area and quarter), so nobody chooses
    which are audited."""
    quarter = quarter_start(quarter)
    if quarter_end(quarter) >= timezone.localdate():
        raise ValidationError({"quarter": "Choose a quarter that has ended"})
    if MeetingAudit.objects.filter(area=area, quarter=quarter).exists():
        raise ValidationError({"quarter": "This quarter's sample has already been drawn"})
    held = list(
        Meeting.objects.filter(area=area, held_at__date__range=(quarter, quarter_end(quarter)))
        .exclude(status=MeetingStatus.SCHEDULED)
        .exclude(nominal__category=Category.TERRORISM)  # as in every figure the board sees
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not held:
        raise ValidationError({"quarter": "No Level 2 or 3 meetings were held in this quarter"})
    # A fair sample anyone can draw again, not a secret: a seeded generator is the point.
    chosen = random.Random(f"{area.pk}:{quarter}").sample(held, sample_size(len(held)))  # noqa: S311  # nosec B311
    with audit_actor(actor):
        return [
            MeetingAudit.objects.create(area=area, quarter=quarter, meeting_id=pk, drawn_by=actor)
            for pk in sorted(chosen)
        ]


@transaction.atomic
def audit_checklist_record(*, actor: User, audit: MeetingAudit, values: Mapping[str, Any]) -> MeetingAudit:
    for field in ("right_agencies", "plan_defensible", "actions_on_time"):
        if not values.get(field):
            raise ValidationError({field: "Answer each question of the checklist"})
    with audit_actor(actor):
        audit.right_agencies = values["right_agencies"]
        audit.plan_defensible = values["plan_defensible"]
        audit.actions_on_time = values["actions_on_time"]
        audit.notes = values.get("notes", "")
        audit.auditor = actor
        audit.completed_at = timezone.now()
        audit.full_clean()
        audit.save()
    return audit
