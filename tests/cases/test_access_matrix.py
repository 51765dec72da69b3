"""Each role against each kind of nominal, for the list, search, page, edit and export."""

from __future__ import annotations

import pytest

from mappa.audit.models import AuditEntry, AuditEvent
from tests.conftest import People, client_for
from tests.nominal_fixtures import Cases

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
