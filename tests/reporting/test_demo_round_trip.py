"""The demo's caseload, exported and imported into a service that has none of it, gives the same
annual reports: the format carries everything the report reads."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, Area, AreaPopulation, District, User
from cases.models import Nominal
from mappa.audit.models import AuditEntry, AuditEvent
from reporting.annual import AnnualReport, annual_report
from reporting.forms import latest_reporting_year

pytestmark = pytest.mark.django_db

# The one figure from records outside the format: serious case reviews are the board's, not a
# nominal's history (docs/import-format.md).
NOT_CARRIED = "Serious case reviews commenced"


def _reports(years: tuple[int, ...]) -> dict[tuple[str, int], AnnualReport]:
    return {
        (code, year): annual_report(Area.objects.get(code=code), year) for code in ("KENT", "SUSSEX") for year in years
    }


def _cells(report: AnnualReport) -> dict[tuple[str, str], tuple[object, ...]]:
    return {
        (table.title, row.label): row.cells for table in report.tables for row in table.rows if row.label != NOT_CARRIED
    }


def test_the_demo_exported_and_imported_into_an_empty_service_gives_the_same_annual_reports(tmp_path: Path) -> None:
    administrator = User.objects.create_superuser("migration", "migration@example.org", "a-long-password-1234")
    folder = tmp_path / "demo"
    last_complete = latest_reporting_year(timezone.localdate()) - 1
    years = (last_complete - 1, last_complete)
    before_demo = transaction.savepoint()
    call_command("seed_demo", stdout=StringIO())
    original = _reports(years)
    nominals = Nominal.objects.count()
    call_command("export_nominals", "--output", str(folder), "--actor", administrator.username, stdout=StringIO())
    transaction.savepoint_rollback(before_demo)
    assert not any(model.objects.exists() for model in (Nominal, Area, District, Agency, AreaPopulation))

    call_command("import_nominals", str(folder), "--actor", administrator.username, stdout=StringIO())

    imported = _reports(years)
    assert Nominal.objects.count() == nominals > 3000
    for key, report in original.items():
        assert imported[key].title == report.title
        assert _cells(imported[key]) == _cells(report), key
        assert int(report.table("managed").cell("Total", 3)) > 0, key
    assert AuditEntry.objects.filter(event=AuditEvent.CREATE, content_type__model="nominal").count() == nominals
