"""Asking for an annual report: the request is written, audited and queued after commit."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction

from agencies.models import Area, User
from mappa.audit.services import audit_actor
from reporting.models import ReportRun
from reporting.tasks import queue_run

logger = logging.getLogger(__name__)

FIRST_YEAR = 2000


@transaction.atomic
def report_run_request(*, actor: User, area: Area, year: int, this_year: int) -> ReportRun:
    """Queue the area's annual report for the year starting 1 April `year`."""
    if not FIRST_YEAR <= year <= this_year:
        raise ValidationError({"year": f"Choose a year from {FIRST_YEAR} to {this_year}"})
    with audit_actor(actor):
        run = ReportRun.objects.create(area=area, year=year, requested_by=actor)
    transaction.on_commit(lambda: queue_run(run.pk), robust=True)
    return run
