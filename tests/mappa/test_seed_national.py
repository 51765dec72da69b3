"""National-scale demo data: every area, with cases, meetings and an audit log that verifies."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from agencies.models import Area, Role, User
from cases.models import Nominal
from mappa.audit.models import AuditEntry
from meetings.models import Action, ActionStatus, Meeting

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="national-scale data is written with PostgreSQL's COPY")
def test_national_scale_makes_every_area_with_cases_meetings_and_a_verifiable_audit_log() -> None:
    from devtools.national import AREAS, seed_national
    from mappa.audit.verify import verify_chain

    seed_national(nominals=2_000, audit_entries=3_000, today=timezone.localdate(), say=lambda _: None)
    seed_national(nominals=2_000, audit_entries=3_000, today=timezone.localdate(), say=lambda _: None)

    assert Area.objects.count() == len(AREAS) == 42
    per_area = Nominal.objects.values("area").annotate(n=Count("pk"))
    assert len(per_area) == 42
    assert 1_950 <= Nominal.objects.count() <= 2_050  # each area's share, rounded
    assert (
        Nominal.objects.filter(area__code="LONDON").count() > 5 * Nominal.objects.filter(area__code="CUMBRIA").count()
    )
    assert Meeting.objects.filter(status="distributed").exists()
    assert Action.objects.filter(status=ActionStatus.COMPLETE, completed_on__isnull=False).exists()
    assert AuditEntry.objects.count() == 3_000
    assert verify_chain() == (3_000, None)
    for area in Area.objects.all():
        assert User.objects.filter(agency__area=area, role_grants__role=Role.COORDINATOR).exists(), area
