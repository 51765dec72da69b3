"""Each role against each kind of nominal, for the list, search, page, edit and export."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cases.models import Level
from cases.services import nominal_share
from mappa.audit.models import AuditEntry, AuditEvent
from meetings.models import MeetingKind
from meetings.services import meeting_schedule
from tests.conftest import People, client_for
from tests.nominal_fixtures import Cases, make_nominal

pytestmark = pytest.mark.django_db

KINDS = ["own", "shared", "other_area", "category4", "unshared"]

# What each persona may see: the nominal page answers 200 (or, for auditors, asks their purpose).
SEES = {
    "coordinator": {"own", "shared", "category4", "unshared"},
    "chair": {"shared"},
    "practitioner": {"own", "shared"},
    "housing_officer": {"shared"},
    "auditor": {"own", "shared", "unshared"},
    "administrator": set(),
    "other_area_coordinator": {"other_area"},
}
# Who may edit the details of which nominal (others who see it get 403).
EDITS = {
    "coordinator": {"own", "shared", "category4", "unshared"},
    "practitioner": {"own"},
    "other_area_coordinator": {"other_area"},
}
# Whose view includes the restricted details.
RESTRICTED = {
    "coordinator": {"own", "shared", "category4", "unshared"},
    "chair": {"shared"},  # the share with the chair's agency (police) includes restricted details
    "practitioner": {"own", "shared"},
    "auditor": {"own", "shared", "unshared"},
    "other_area_coordinator": {"other_area"},
}

MATRIX = [(persona, kind) for persona in SEES for kind in KINDS]


@pytest.mark.parametrize(("persona", "kind"), MATRIX)
def test_nominal_page(people: People, cases: Cases, persona: str, kind: str) -> None:
    user = getattr(people, persona)
    nominal = getattr(cases, kind)
    client = client_for(user)
    if persona == "auditor" and kind in SEES[persona]:
        client.post(f"/nominals/{nominal.case_reference}/purpose/", {"purpose": "Audit reference AR-2026-14"})

    response = client.get(f"/nominals/{nominal.case_reference}/")

    content = response.content.decode()
    if kind in SEES[persona]:
        assert response.status_code == 200
        assert nominal.last_name.upper() in content
        assert (nominal.address.split(",")[0] in content) == (kind in RESTRICTED.get(persona, set()))
        assert ("Victim lives nearby" in content) == (kind in RESTRICTED.get(persona, set()))
    else:
        assert response.status_code == 404
        assert nominal.last_name.upper() not in content
        assert AuditEntry.objects.filter(event=AuditEvent.VIEW_REFUSED, actor=user, nominal_id=nominal.pk).exists()


@pytest.mark.parametrize(("persona", "kind"), MATRIX)
def test_nominal_edit(people: People, cases: Cases, persona: str, kind: str) -> None:
    nominal = getattr(cases, kind)

    response = client_for(getattr(people, persona)).get(f"/nominals/{nominal.case_reference}/edit/")

    if kind in EDITS.get(persona, set()):
        assert response.status_code == 200
    elif kind in SEES[persona]:
        assert response.status_code == 403
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("persona", list(SEES))
def test_nominal_list_shows_exactly_what_the_user_may_see(people: People, cases: Cases, persona: str) -> None:
    content = client_for(getattr(people, persona)).get("/nominals/").content.decode()

    for kind in KINDS:
        nominal = getattr(cases, kind)
        assert (nominal.case_reference in content) == (kind in SEES[persona]), kind


@pytest.mark.parametrize("persona", list(SEES))
def test_search_finds_only_what_the_user_may_see(people: People, cases: Cases, persona: str) -> None:
    client = client_for(getattr(people, persona))

    for kind in KINDS:
        nominal = getattr(cases, kind)
        by_name = client.get("/nominals/", {"q": nominal.last_name}).content.decode()
        by_crn = client.get("/nominals/", {"q": nominal.crn}).content.decode()
        assert (nominal.case_reference in by_name) == (kind in SEES[persona]), kind
        assert (nominal.case_reference in by_crn) == (kind in SEES[persona]), kind


@pytest.mark.parametrize("persona", list(SEES))
def test_export(people: People, cases: Cases, persona: str) -> None:
    response = client_for(getattr(people, persona)).get("/nominals/export.csv", {"status": ""})

    if persona in ("coordinator", "other_area_coordinator"):
        assert response.status_code == 200
        body = b"".join(response.streaming_content).decode()
        for kind in KINDS:
            assert (getattr(cases, kind).case_reference in body) == (kind in SEES[persona]), kind
        assert "Secret Street" not in body
    else:
        assert response.status_code == 403


def test_auditor_must_state_a_purpose_before_each_visit(people: People, cases: Cases) -> None:
    client = client_for(people.auditor)
    path = f"/nominals/{cases.own.case_reference}/"

    first = client.get(path)
    refused = client.post(f"/nominals/{cases.own.case_reference}/purpose/", {"purpose": "short"})
    stated = client.post(f"/nominals/{cases.own.case_reference}/purpose/?next={path}", {"purpose": "Complaint C-2291"})
    page = client.get(path)

    assert first.status_code == 302
    assert first["Location"].startswith(f"/nominals/{cases.own.case_reference}/purpose/")
    assert refused.status_code == 400
    assert stated["Location"] == path
    assert page.status_code == 200
    view = AuditEntry.objects.filter(event=AuditEvent.VIEW, actor=people.auditor).latest("pk")
    assert view.ground == "Auditor: Complaint C-2291"


def test_auditor_cannot_change_anything(people: People, cases: Cases) -> None:
    client = client_for(people.auditor)
    reference = cases.own.case_reference
    client.post(f"/nominals/{reference}/purpose/", {"purpose": "Audit reference AR-2026-14"})

    for path in ["edit/", "change/level/", "exit/", "shares/", "alias/new/", "event/new/"]:
        assert client.post(f"/nominals/{reference}/{path}", {}).status_code == 403, path


def test_system_administrator_sees_no_nominals(people: People, cases: Cases) -> None:
    content = client_for(people.administrator).get("/nominals/").content.decode()

    assert "0 people" in " ".join(content.split())


def test_a_nominal_seen_on_two_grounds_is_listed_once(people: People, cases: Cases) -> None:
    # The chair sees this person because they chair a meeting about them and because the case is
    # shared with their agency.
    nominal = make_nominal(
        actor=people.coordinator, area=people.area, lead_agency=people.unit, level=Level.LEVEL_2, last_name="Twice"
    )
    nominal_share(actor=people.coordinator, nominal=nominal, agency=people.police, include_restricted=False)
    meeting_schedule(
        actor=people.coordinator,
        nominal=nominal,
        kind=MeetingKind.URGENT,
        chair=people.chair,
        minute_taker=people.coordinator,
        starts_at=timezone.now() + datetime.timedelta(days=3),
    )

    page = client_for(people.chair).get("/nominals/", {"sort": "name"}).context["page"]

    assert [listed.pk for listed in page.object_list] == [cases.shared.pk, nominal.pk]
    assert page.paginator.count == 2


@pytest.mark.parametrize(
    ("sort", "expected"),
    [("name", ["led_b", "shared", "led_z"]), ("reference", ["shared", "led_b", "led_z"])],
)
def test_nominals_seen_on_different_grounds_are_sorted_together(
    people: People, cases: Cases, sort: str, expected: list[str]
) -> None:
    made = {
        "led_b": make_nominal(actor=people.coordinator, area=people.area, lead_agency=people.police, last_name="Baker"),
        "led_z": make_nominal(actor=people.coordinator, area=people.area, lead_agency=people.police, last_name="Zeal"),
        "shared": cases.shared,  # Sharland, made before them
    }
    led_and_shared = {nominal.pk for nominal in made.values()}

    page = client_for(people.practitioner).get("/nominals/", {"sort": sort}).context["page"]

    listed = [nominal.pk for nominal in page.object_list if nominal.pk in led_and_shared]
    assert listed == [made[key].pk for key in expected]
