"""The schema and reference page for administrators; registering, renewing and revoking systems in
the admin; and that no one's session opens the API."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from openapi_spec_validator import validate

from agencies.models import Role
from mappa.audit.models import AuditEntry
from mappa.authorization import rules
from partners.models import PartnerSystem, Scope
from tests.conftest import People, client_for
from tests.factories import make_user

pytestmark = pytest.mark.django_db

TOKEN_VIEWS = sorted(name for name, rule in rules().items() if rule.scopes)


def test_the_schema_is_valid_openapi_3_1_and_documents_every_operation(people: People) -> None:
    response = client_for(people.administrator).get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert schema["openapi"].startswith("3.1")
    operations = {operation["operationId"] for path in schema["paths"].values() for operation in path.values()}
    assert len(operations) == len(TOKEN_VIEWS)
    refusal = schema["paths"]["/api/v1/custody-reports"]["post"]["responses"]["409"]
    assert list(refusal["content"]) == ["application/problem+json"]


def test_the_reference_page_is_served_from_the_service_for_administrators(people: People) -> None:
    response = client_for(people.administrator).get("/api/v1/", follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()


@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/api/v1/docs", "/api/v1/"])
def test_no_one_else_sees_the_schema(people: People, path: str) -> None:
    for person in (people.coordinator, people.auditor, people.practitioner):
        assert client_for(person).get(path).status_code == 404


@pytest.mark.parametrize("name", TOKEN_VIEWS)
def test_no_role_reaches_a_partner_operation_with_a_session(people: People, name: str) -> None:
    from django.urls import reverse

    kwargs = {"case_reference": "KENT-000001"} if name == "api:lead-agency-change" else {}
    path = reverse(name, kwargs=kwargs)
    for role in Role:
        person = make_user(f"someone-{role.value}", agency=people.police, roles=(role,))
        client = client_for(person)
        answers = {client.get(path).status_code, client.post(path).status_code, client.put(path).status_code}
        assert answers <= {401, 405}, (role, answers)
        assert 401 in answers


def test_an_administrator_registers_a_system_and_sees_its_token_once(people: People) -> None:
    client = client_for(people.administrator)
    expires = timezone.localtime() + datetime.timedelta(days=60)

    response = client.post(
        "/admin/partners/partnersystem/add/",
        {
            "name": "Prison release feed",
            "agency": people.police.pk,
            "scopes": [Scope.CUSTODY_WRITE, Scope.RELEASES_READ],
            "requests_per_minute": 60,
            "expires_at_0": expires.strftime("%d/%m/%Y"),
            "expires_at_1": expires.strftime("%H:%M:%S"),
            "expires_at": expires.strftime("%d/%m/%Y %H:%M:%S"),
        },
    )

    assert response.status_code == 200, response.content.decode()[:3000]
    partner = PartnerSystem.objects.get(name="Prison release feed")
    page = response.content.decode()
    assert f"mappa_{partner.token_prefix}_" in page
    assert partner.scopes == [Scope.CUSTODY_WRITE, Scope.RELEASES_READ]
    assert AuditEntry.objects.filter(actor=people.administrator, object_repr="Prison release feed").exists()
    again = client.get(f"/admin/partners/partnersystem/{partner.pk}/change/").content.decode()
    assert f"mappa_{partner.token_prefix}_" not in again


def test_an_administrator_confirms_before_a_token_is_revoked(people: People) -> None:
    from partners.services import partner_register

    issued = partner_register(
        actor=people.administrator,
        name="Probation feed",
        agency=people.police,
        scopes=[Scope.READ_REFERENCES],
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )
    client = client_for(people.administrator)
    chosen = {"action": "revoke", "_selected_action": [issued.partner.pk]}

    asked = client.post("/admin/partners/partnersystem/", chosen)
    assert asked.status_code == 200
    assert "Revoke these tokens?" in asked.content.decode()
    assert PartnerSystem.objects.get(pk=issued.partner.pk).revoked_at is None

    client.post("/admin/partners/partnersystem/", {**chosen, "confirmed": "yes"})
    assert PartnerSystem.objects.get(pk=issued.partner.pk).revoked_at is not None


def test_a_registration_the_rules_refuse_names_the_field(people: People) -> None:
    client = client_for(people.administrator)
    too_late = timezone.localtime() + datetime.timedelta(days=800)

    response = client.post(
        "/admin/partners/partnersystem/add/",
        {
            "name": "Too long",
            "agency": people.police.pk,
            "scopes": [Scope.RELEASES_READ],
            "requests_per_minute": 60,
            "expires_at": too_late.strftime("%d/%m/%Y %H:%M:%S"),
        },
    )

    assert response.status_code == 200
    assert "A token may be valid for a year at most" in response.content.decode()
    assert not PartnerSystem.objects.filter(name="Too long").exists()
