"""Auditors' pages: for auditors only, their own area only, read-only, and themselves logged."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from mappa.audit.models import AuditEntry, AuditEvent, ReportReview
from mappa.audit.services import audit_record
from tests.conftest import People, client_for
from tests.nominal_fixtures import Cases

pytestmark = [pytest.mark.django_db, pytest.mark.dated]

AUDIT_PAGES = [
    "/audit/",
    "/audit/export.csv",
    "/audit/nominals/KENT-000001/",
    "/audit/users/coordinator/",
    "/audit/reports/many_views/",
    "/audit/reports/out_of_hours/",
    "/audit/reports/category_4/",
]


@pytest.mark.parametrize(
    "persona", ["coordinator", "chair", "practitioner", "housing_officer", "administrator", "other_area_coordinator"]
)
def test_every_audit_page_is_not_found_for_non_auditors(people: People, cases: Cases, persona: str) -> None:
    client = client_for(getattr(people, persona))

    for path in AUDIT_PAGES:
        assert client.get(path).status_code == 404, path
    assert client.post("/audit/reports/many_views/review/", {"key": "1:2026-01-01", "note": "x"}).status_code == 404


def test_auditor_reaches_every_audit_page(people: People, cases: Cases) -> None:
    client = client_for(people.auditor)

    for path in AUDIT_PAGES:
        assert client.get(path).status_code == 200, path


def test_auditor_cannot_change_case_data(people: People, cases: Cases, setting) -> None:  # type: ignore[no-untyped-def]
    client = client_for(people.auditor)
    reference = cases.own.case_reference
    client.post(f"/nominals/{reference}/purpose/", {"purpose": "Audit AR-2026-3"})
    before = AuditEntry.objects.filter(event__in=[AuditEvent.CREATE, AuditEvent.CHANGE]).count()

    refused = [
        client.post(f"/nominals/{reference}/edit/", {"version": "1", "first_name": "X"}).status_code,
        client.post(f"/nominals/{reference}/change/level/", {"level": "3"}).status_code,
        client.post("/nominals/new/", {}).status_code,
        client.post(f"/meetings/{setting.meeting.pk}/minutes/", {"version": "1"}).status_code,
        client.post(f"/meetings/{setting.meeting.pk}/status/held/").status_code,
        client.post("/referrals/new/").status_code,
        client.post("/screening/new/", {}).status_code,
        client.post("/meetings/panel-days/new/", {}).status_code,
    ]

    assert set(refused) <= {403, 404}
    assert AuditEntry.objects.filter(event__in=[AuditEvent.CREATE, AuditEvent.CHANGE]).count() == before


def test_search_by_user_nominal_agency_kind_and_dates(people: People, cases: Cases) -> None:
    client_for(people.practitioner).get(f"/nominals/{cases.own.case_reference}/")
    client_for(people.coordinator).get(f"/nominals/{cases.shared.case_reference}/")
    auditor = client_for(people.auditor)
    today = timezone.localdate()

    by_user = auditor.get("/audit/", {"username": "practitioner", "event": "view"}).content.decode()
    by_nominal = auditor.get(f"/audit/nominals/{cases.shared.case_reference}/").content.decode()
    by_agency = auditor.get("/audit/", {"agency": people.police.pk, "event": "view"}).content.decode()
    yesterday = auditor.get(
        "/audit/",
        {
            "until_0": str((today - datetime.timedelta(days=1)).day),
            "until_1": str((today - datetime.timedelta(days=1)).month),
            "until_2": str((today - datetime.timedelta(days=1)).year),
        },
    ).content.decode()

    assert cases.own.case_reference in by_user
    assert cases.shared.case_reference not in by_user
    assert "Co-ordinator in Kent and Medway" in by_nominal
    assert "Lead agency (Kent Police)" in by_agency
    assert "No entries match" in yesterday


def test_auditor_sees_only_their_own_area(people: People, cases: Cases) -> None:
    client_for(people.other_area_coordinator).get(f"/nominals/{cases.other_area.case_reference}/")

    content = client_for(people.auditor).get("/audit/", {"username": "sussex"}).content.decode()

    assert cases.other_area.case_reference not in content
    assert "No entries match" in content


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"username": "nobody"}, "There is no user with that username"),
        ({"case_reference": "KENT-999999"}, "There is no nominal with that case reference"),
        ({"event": "teleport"}, "Select a kind of event shown in the list"),
        ({"since_0": "31", "since_1": "2", "since_2": "2026"}, "Enter a real date"),
    ],
)
def test_bad_search_input_is_explained(people: People, params: dict[str, str], message: str) -> None:
    response = client_for(people.auditor).get("/audit/", params)

    assert response.status_code == 400
    assert message in response.content.decode()


def test_pages_go_back_in_time_by_keyset(people: People) -> None:
    for number in range(120):
        audit_record(
            event=AuditEvent.VIEW, actor=people.coordinator, subject=people.police, ground=f"entry {number:03d}"
        )
    client = client_for(people.auditor)

    first = client.get("/audit/", {"username": "coordinator"}).content.decode()
    cursor = first.split("before=")[1].split('"')[0]
    second = client.get(f"/audit/?username=coordinator&before={cursor}").content.decode()

    assert "entry 119" in first
    assert "entry 070" in first
    assert "entry 069" not in first
    assert "entry 069" in second
    assert "entry 119" not in second


def test_searches_histories_and_exports_are_themselves_logged(people: People, cases: Cases) -> None:
    client = client_for(people.auditor)

    client.get("/audit/", {"username": "coordinator"})
    client.get(f"/audit/nominals/{cases.own.case_reference}/")
    response = client.get("/audit/export.csv", {"username": "coordinator"})
    body = b"".join(response.streaming_content).decode()

    mine = AuditEntry.objects.filter(actor=people.auditor)
    assert mine.filter(event=AuditEvent.SEARCH).exists()
    assert mine.filter(event=AuditEvent.VIEW, nominal_id=cases.own.pk, ground="Audit review").exists()
    assert mine.filter(event=AuditEvent.EXPORT).exists()
    assert body.startswith("When,Who,Event")
    assert "coordinator" in body


def _view_at(people: People, nominal_id: int, when: datetime.datetime, actor=None, ground: str = "Shared") -> None:  # type: ignore[no-untyped-def]
    entry = AuditEntry(
        event=AuditEvent.VIEW,
        action=AuditEntry.Action.ACCESS,
        actor=actor or people.housing_officer,
        content_type_id=1,
        object_pk=str(nominal_id),
        object_repr="x",
        nominal_id=nominal_id,
        ground=ground,
        timestamp=when,
    )
    entry.save()


def test_report_of_unusually_many_records_in_a_day(people: People, cases: Cases, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AUDIT_UNUSUAL_VIEWS_PER_DAY = 2
    noon = timezone.now().replace(hour=12)
    for nominal in (cases.own, cases.shared, cases.unshared):
        _view_at(people, nominal.pk, noon)
    for nominal in (cases.own, cases.shared, cases.unshared):
        _view_at(people, nominal.pk, noon, actor=people.practitioner, ground="Lead agency (Kent Police)")

    content = client_for(people.auditor).get("/audit/reports/many_views/").content.decode()

    assert "housing" in content
    assert ">practitioner<" not in content  # their views were of their own caseload


def test_report_of_views_outside_working_hours_and_marking_reviewed(people: People, cases: Cases) -> None:
    import zoneinfo

    london = zoneinfo.ZoneInfo("Europe/London")
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday() + 7)
    _view_at(people, cases.own.pk, datetime.datetime.combine(monday, datetime.time(23, 10), london))
    _view_at(people, cases.shared.pk, datetime.datetime.combine(monday, datetime.time(11, 0), london))
    late = AuditEntry.objects.get(timestamp__date=monday, nominal_id=cases.own.pk)
    client = client_for(people.auditor)

    content = client.get("/audit/reports/out_of_hours/").content.decode()
    client.post("/audit/reports/out_of_hours/review/", {"key": str(late.pk), "note": "On call that night"})
    again = client.post("/audit/reports/out_of_hours/review/", {"key": str(late.pk), "note": "Again"}, follow=True)

    assert cases.own.case_reference in content
    assert cases.shared.case_reference not in content
    review = ReportReview.objects.get()
    assert (review.key, review.reviewer, review.note) == (str(late.pk), people.auditor, "On call that night")
    assert "already been reviewed" in again.content.decode()


def test_report_of_every_view_of_a_category_4_record(people: People, cases: Cases) -> None:
    client_for(people.coordinator).get(f"/nominals/{cases.category4.case_reference}/")
    client_for(people.coordinator).get(f"/nominals/{cases.own.case_reference}/")

    content = client_for(people.auditor).get("/audit/reports/category_4/").content.decode()

    assert cases.category4.case_reference in content
    assert cases.own.case_reference not in content


def test_deactivating_a_user_keeps_their_entries_attributed(people: People, cases: Cases) -> None:
    from agencies.services import user_deactivate

    client_for(people.housing_officer).get(f"/nominals/{cases.shared.case_reference}/")
    user_deactivate(actor=people.administrator, user=people.housing_officer)

    content = client_for(people.auditor).get("/audit/users/housing/").content.decode()

    assert cases.shared.case_reference in content


def test_search_page_runs_a_constant_number_of_queries(
    people: People, cases: Cases, django_assert_num_queries, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(people.auditor)
    client.get("/audit/")
    with django_assert_max_num_queries(30) as baseline:
        client.get("/audit/")
    queries = len(baseline.captured_queries)
    for nominal in (cases.own, cases.shared, cases.unshared):
        client_for(people.coordinator).get(f"/nominals/{nominal.case_reference}/")
    with django_assert_num_queries(queries):
        client.get("/audit/")
