"""Preparing annual reports in the background, with progress written as each table is finished."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from reporting.annual import annual_report
from reporting.models import ReportRun, RunStatus

logger = logging.getLogger(__name__)

STALE = datetime.timedelta(minutes=30)  # far longer than any report takes


@shared_task(acks_late=True, reject_on_worker_lost=True)
def generate_annual_report(run_id: int) -> str:
    """Run one queued report. Claiming the run is a conditional update, so a second copy of the
    task (a redelivery, the sweep) finds it already claimed and does nothing; a run whose worker
    died part-way is claimed again once it is stale."""
    now = timezone.now()
    claimed = (
        ReportRun.objects.filter(pk=run_id)
        .filter(Q(status=RunStatus.QUEUED) | Q(status=RunStatus.RUNNING, started_at__lt=now - STALE))
        .update(status=RunStatus.RUNNING, started_at=now, tables_done=0)
    )
    if not claimed:
        return "nothing to do"
    run = ReportRun.objects.select_related("area").get(pk=run_id)

    def progress(done: int, total: int) -> None:
        ReportRun.objects.filter(pk=run_id).update(tables_done=done, tables_total=total)

    try:
        report = annual_report(run.area, run.year, progress=progress)
    except Exception as error:
        logger.exception("Annual report run %s failed", run_id)
        ReportRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED, error=str(error)[:300], finished_at=timezone.now()
        )
        return "failed"
    ReportRun.objects.filter(pk=run_id).update(
        status=RunStatus.DONE, result=report.to_dict(), finished_at=timezone.now()
    )
    return "done"


@shared_task(acks_late=True)
def sweep_report_runs(older_than_seconds: int = 120) -> int:
    """Queue again every run still waiting after a while (the broker may have been down) and every
    run whose worker stopped part-way."""
    now = timezone.now()
    waiting = list(
        ReportRun.objects.filter(
            Q(status=RunStatus.QUEUED, requested_at__lt=now - datetime.timedelta(seconds=older_than_seconds))
            | Q(status=RunStatus.RUNNING, started_at__lt=now - STALE)
        ).values_list("pk", flat=True)
    )
    for run_id in waiting:
        queue_run(run_id)
    return len(waiting)


def queue_run(run_id: int) -> None:
    """Hand the run to the broker. If it is unreachable the run stays queued for the sweep."""
    try:
        generate_annual_report.delay(run_id)
    except Exception:
        logger.warning("Broker unreachable; annual report run %s left for the sweep", run_id, exc_info=True)
