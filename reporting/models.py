"""Annual reports generated in the background, kept so they can be read and downloaded later."""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from agencies.models import Area, User


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being prepared"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class ReportRun(models.Model):
    """One request for an area's annual report. The row is the outbox: a run left queued (the
    broker was down) is queued again by the sweep, and running it twice gives the same result."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="report_runs")
    year = models.PositiveSmallIntegerField(help_text="The year in which the reporting period starts (1 April).")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    tables_done = models.PositiveSmallIntegerField(default=0)
    tables_total = models.PositiveSmallIntegerField(default=8)
    started_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True, editable=False)
    error = models.CharField(max_length=300, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["area", "-requested_at"], name="reporting_run_area_idx")]

    def __str__(self) -> str:
        return f"{self.area.code} annual report {self.year}-{str(self.year + 1)[-2:]}"

    def get_absolute_url(self) -> str:
        return reverse("statistics:annual-report-run", args=[self.pk])

    @property
    def percent_done(self) -> int:
        return round(100 * self.tables_done / self.tables_total) if self.tables_total else 0
